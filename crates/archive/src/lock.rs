//! One writer at a time: an advisory lock on `DIR/lock`.
//!
//! SQLite would serialise two writers anyway, but two scans interleaving batches would
//! each see the other's half-finished work as "known" and the progress and summary of
//! both would be wrong; a clear refusal is better. The lock is released by the kernel
//! when the process dies (kill -9 included), so a stale lock file never blocks.
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug)]
pub struct ArchiveLock {
    _file: File,
}

impl ArchiveLock {
    pub fn acquire(dir: &Path) -> Result<ArchiveLock> {
        let path = dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(ArchiveLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Locked { path: dir.to_path_buf(), lock: path }),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_released_on_drop() {
        let d = tempfile::tempdir().unwrap();
        let a = ArchiveLock::acquire(d.path()).unwrap();
        assert!(matches!(ArchiveLock::acquire(d.path()), Err(Error::Locked { .. })));
        drop(a);
        ArchiveLock::acquire(d.path()).unwrap();
    }
}
