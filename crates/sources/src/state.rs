//! What a source has already delivered, persisted so a restart resumes without
//! re-reading anything.
//!
//! One JSON file per source, `<state dir>/<source id>.json`, written atomically (temp
//! file, fsync, rename) after batches of events the sink accepted (at most once a second,
//! and on stop), so a crash leaves either the old or the new state, never a torn one: at
//! worst the last second's events are delivered again (the archive stores by content, so that is harmless). Format
//! (version 1):
//!
//! ```json
//! { "version": 1, "root": "/home/u/Maildir", "kind": "maildir",
//!   "files": { "/1700000000.M1P2.host": { "path": "cur/1700000000.M1P2.host:2,S",
//!              "size": 5120, "ino": 1234, "mtime_ns": 1700000000000000000,
//!              "hash": 81985529216486895 } },
//!   "mboxes": { "Mail/Local Folders/Inbox": { "offset": 1048576, "size": 1048576,
//!              "prefix": "9f2c..", "tail": "41aa..", "messages": [[0, 1234567], ...] } } }
//! ```
//! `files` is keyed by identity: `folder/base` for Maildir messages (so renames are the
//! same entry), the relative path for other single files. `mboxes` is keyed by relative
//! path; `offset` is where the next unread message starts, `prefix`/`tail` are the
//! fingerprints of the file (see [`crate::mboxwatch`]), `messages` the (offset,
//! content hash) of each message delivered, used to tell what a rewrite moved or dropped.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect::SourceKind;
use crate::error::SourceError;

pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Where the message file is now, relative to the root (`/`-separated).
    pub path: String,
    pub size: u64,
    pub ino: u64,
    pub mtime_ns: i64,
    /// Content hash: a file touched or replaced by identical bytes is not a new message.
    #[serde(default)]
    pub hash: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MboxState {
    pub offset: u64,
    /// File size when last read (a smaller size now means it was rewritten).
    pub size: u64,
    pub prefix: String,
    pub tail: String,
    /// (offset, content hash) of every message delivered from this file.
    pub messages: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceState {
    pub version: u32,
    pub root: PathBuf,
    pub kind: SourceKind,
    #[serde(default)]
    pub files: BTreeMap<String, FileEntry>,
    #[serde(default)]
    pub mboxes: BTreeMap<String, MboxState>,
}

impl SourceState {
    pub fn new(root: &Path, kind: SourceKind) -> SourceState {
        SourceState { version: STATE_VERSION, root: root.to_path_buf(), kind, files: BTreeMap::new(), mboxes: BTreeMap::new() }
    }

    /// The saved state, or a fresh one when there is none, or when it was made for another
    /// root or kind (the source was re-added elsewhere: everything is read again, which
    /// the archive's content addressing makes harmless).
    pub fn load(path: &Path, root: &Path, kind: SourceKind) -> Result<SourceState, SourceError> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SourceState::new(root, kind)),
            Err(e) => return Err(SourceError::io(path, e)),
        };
        let st: SourceState = serde_json::from_slice(&text).map_err(|e| SourceError::State { path: path.to_path_buf(), detail: e.to_string() })?;
        if st.version != STATE_VERSION || st.root != root || st.kind != kind {
            return Ok(SourceState::new(root, kind));
        }
        Ok(st)
    }

    pub fn save(&self, path: &Path) -> Result<(), SourceError> {
        let bytes = serde_json::to_vec(self).map_err(|e| SourceError::State { path: path.to_path_buf(), detail: e.to_string() })?;
        write_atomic(path, &bytes)
    }
}

/// Write `bytes` to `path` through a temp file in the same folder, fsynced, renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SourceError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| SourceError::io(dir, e))?;
    let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let mut f = std::fs::File::create(&tmp).map_err(|e| SourceError::io(&tmp, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| SourceError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| SourceError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_resets_for_another_root() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("state/s1.json");
        let mut st = SourceState::new(Path::new("/m"), SourceKind::Maildir);
        st.files.insert("/1.M1.h".into(), FileEntry { path: "cur/1.M1.h:2,S".into(), size: 3, ino: 4, mtime_ns: 5, hash: 6 });
        st.mboxes.insert("Inbox".into(), MboxState { offset: 10, size: 10, prefix: "a".into(), tail: "b".into(), messages: vec![(0, 7)] });
        st.save(&p).unwrap();
        let back = SourceState::load(&p, Path::new("/m"), SourceKind::Maildir).unwrap();
        assert_eq!(back.files, st.files);
        assert_eq!(back.mboxes, st.mboxes);
        assert!(SourceState::load(&p, Path::new("/other"), SourceKind::Maildir).unwrap().files.is_empty());
        std::fs::write(&p, b"{not json").unwrap();
        assert!(matches!(SourceState::load(&p, Path::new("/m"), SourceKind::Maildir), Err(SourceError::State { .. })));
    }
}
