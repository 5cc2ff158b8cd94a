//! Raw message bytes, named by their SHA-256, under `DIR/blobs/ab/abcdef...`.
//!
//! Why content addressing: the same bytes met twice (two folders, a rescan, an mbox and
//! its Maildir copy) are stored once, and a blob's name is its own integrity check
//! (`fsck` re-hashes). A blob is written to `blobs/tmp/`, fsynced, then renamed into
//! place, so a reader never sees a partial blob under its final name, and a blob is
//! never rewritten once there. A crash leaves at worst a stray temp file or a blob no
//! database row points to yet; the next scan re-uses the latter.
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// How new blobs are made durable before their rows commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// fsync each blob, then each shard folder touched by the batch.
    PerFile,
    /// Linux: one `syncfs(2)` per batch flushes every blob and rename of the batch at
    /// once: a per-file fsync costs a journal commit each and made the first scan
    /// of a mailbox I/O-bound.
    SyncFs,
    /// Nothing (`CARTOLINA_NO_FSYNC=1`, for benchmarks of the CPU path only).
    Off,
}

/// What [`BlobStore::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Put {
    /// Written now; the shard folder must be fsynced before the database row commits.
    New { shard: PathBuf },
    /// Already stored (same name and size): not touched.
    Existing,
}

#[derive(Debug)]
pub struct BlobStore {
    root: PathBuf,
    durability: Durability,
    tmp_seq: AtomicU64,
    /// Shard folders (`00`..`ff`) known to exist: a cold scan otherwise asked for each
    /// of its blobs (a `mkdir` and a `stat`, one sixth of the blob's system calls).
    shards_made: [AtomicBool; 256],
}

impl BlobStore {
    pub fn open(root: PathBuf) -> Result<BlobStore> {
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let durability = if std::env::var_os("CARTOLINA_NO_FSYNC").is_some_and(|v| v == "1") {
            Durability::Off
        } else if cfg!(target_os = "linux") {
            Durability::SyncFs
        } else {
            Durability::PerFile
        };
        Ok(BlobStore { root, durability, tmp_seq: AtomicU64::new(0), shards_made: std::array::from_fn(|_| AtomicBool::new(false)) })
    }

    /// A store that is only read (no folder is created).
    pub fn at(root: PathBuf) -> BlobStore {
        BlobStore { root, durability: Durability::Off, tmp_seq: AtomicU64::new(0), shards_made: std::array::from_fn(|_| AtomicBool::new(false)) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path_of(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2.min(sha.len())]).join(sha)
    }

    /// Store `bytes` under `sha` (their SHA-256, computed by the caller, which needs it anyway).
    pub fn put(&self, sha: &str, bytes: &[u8]) -> Result<Put> {
        let dest = self.path_of(sha);
        if let Ok(meta) = fs::metadata(&dest) {
            // Same name: the same bytes. A damaged blob (wrong size or content) is for
            // fsck to report; a scan never overwrites stored data to "fix" it.
            if meta.is_file() {
                return Ok(Put::Existing);
            }
        }
        let shard = dest.parent().map(Path::to_path_buf).unwrap_or_else(|| self.root.clone());
        let made = sha.get(..2).and_then(|h| u8::from_str_radix(h, 16).ok()).map(|i| &self.shards_made[i as usize]);
        if !made.is_some_and(|m| m.load(Ordering::Relaxed)) {
            fs::create_dir_all(&shard).map_err(|e| Error::io(&shard, e))?;
            if let Some(m) = made {
                m.store(true, Ordering::Relaxed);
            }
        }
        let seq = self.tmp_seq.fetch_add(1, Ordering::Relaxed);
        let tmp = self.root.join("tmp").join(format!("{sha}.{}.{seq}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(bytes)?;
            if self.durability == Durability::PerFile {
                f.sync_all()?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(&tmp, e));
        }
        // A shard removed since it was made (by hand: the store is ours) is made again.
        let renamed = fs::rename(&tmp, &dest).or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound if tmp.exists() => fs::create_dir_all(&shard).and_then(|_| fs::rename(&tmp, &dest)),
            _ => Err(e),
        });
        if let Err(e) = renamed {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(&dest, e));
        }
        Ok(Put::New { shard })
    }

    /// Make the blobs written into `shards` (and their renames) durable: called by the
    /// writer before the transaction that references them commits.
    pub fn make_durable<'p>(&self, shards: impl IntoIterator<Item = &'p PathBuf>) -> Result<()> {
        let mut shards = shards.into_iter().peekable();
        if shards.peek().is_none() {
            return Ok(());
        }
        match self.durability {
            Durability::Off => Ok(()),
            Durability::PerFile => {
                for dir in shards {
                    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir, e))?;
                }
                Ok(())
            }
            Durability::SyncFs => syncfs(&self.root),
        }
    }

    pub fn read(&self, sha: &str) -> Result<Vec<u8>> {
        let p = self.path_of(sha);
        fs::read(&p).map_err(|e| Error::io(&p, e))
    }

    /// Every blob file (for fsck): `(name, path)`; temp files are not blobs.
    pub fn list(&self) -> Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let rd = fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        for shard in rd {
            let shard = shard.map_err(|e| Error::io(&self.root, e))?;
            let name = shard.file_name().to_string_lossy().into_owned();
            if name == "tmp" || !shard.path().is_dir() {
                continue;
            }
            let sp = shard.path();
            for f in fs::read_dir(&sp).map_err(|e| Error::io(&sp, e))? {
                let f = f.map_err(|e| Error::io(&sp, e))?;
                out.push((f.file_name().to_string_lossy().into_owned(), f.path()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Leftover temp files from interrupted writes (harmless; removed by a later scan).
    pub fn clean_tmp(&self) {
        if let Ok(rd) = fs::read_dir(self.root.join("tmp")) {
            for f in rd.flatten() {
                let _ = fs::remove_file(f.path());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        fs::read_dir(&self.root)
            .map(|rd| rd.flatten().all(|e| e.file_name() == "tmp"))
            .unwrap_or(true)
    }
}

#[cfg(target_os = "linux")]
fn syncfs(root: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let dir = File::open(root).map_err(|e| Error::io(root, e))?;
    // SAFETY: syncfs only reads the descriptor, which `dir` keeps open for the call.
    let rc = unsafe { libc::syncfs(dir.as_raw_fd()) };
    if rc != 0 {
        return Err(Error::io(root, std::io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn syncfs(_root: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_idempotent_and_named_by_content() {
        let d = tempfile::tempdir().unwrap();
        let s = BlobStore::open(d.path().join("blobs")).unwrap();
        let sha = sha256_hex(b"hello");
        assert_eq!(sha, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert!(matches!(s.put(&sha, b"hello").unwrap(), Put::New { .. }));
        assert_eq!(s.put(&sha, b"hello").unwrap(), Put::Existing);
        assert_eq!(s.read(&sha).unwrap(), b"hello");
        assert_eq!(s.list().unwrap().len(), 1);
    }

    #[test]
    fn a_shard_removed_after_it_was_made_is_made_again() {
        let d = tempfile::tempdir().unwrap();
        let s = BlobStore::open(d.path().join("blobs")).unwrap();
        let a = sha256_hex(b"a");
        s.put(&a, b"a").unwrap();
        std::fs::remove_dir_all(s.path_of(&a).parent().unwrap()).unwrap();
        // Another blob of the same shard ("ca..."): its folder is gone.
        let b = (0..).map(|i: u32| i.to_string()).find(|x| sha256_hex(x.as_bytes())[..2] == a[..2]).unwrap();
        let sb = sha256_hex(b.as_bytes());
        assert!(matches!(s.put(&sb, b.as_bytes()).unwrap(), Put::New { .. }));
        assert_eq!(s.read(&sb).unwrap(), b.as_bytes());
    }
}
