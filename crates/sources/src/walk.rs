//! Walking a path the user gave: which files are mail, which are mbox, which to skip.
//!
//! Maildir `tmp/` folders hold half-written files (the delivery agent renames them into
//! `new/` when complete), so they are never read. Index and state files written by mail
//! clients and servers (Thunderbird `.msf`, Dovecot `dovecot*`, Maildir++ `maildirfolder`)
//! are not mail and are skipped silently.

use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// One message per file (Maildir entry, `.eml`, or any other single file).
    SingleFile,
    /// An mbox: many messages, each starting with a `From ` line.
    Mbox,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: EntryKind,
}

/// Every file under `root` (or `root` itself), in a stable (sorted) order.
/// Unreadable directories are returned as errors in the stream, the walk goes on.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<Entry, crate::ReadError>> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.file_name() == "tmp" && is_maildir(e.path().parent())))
        .filter_map(|res| match res {
            Err(err) => {
                let path = err.path().map(|p| p.display().to_string()).unwrap_or_default();
                let source = err.into_io_error().unwrap_or_else(|| std::io::Error::other("file system loop"));
                Some(Err(crate::ReadError::Io { path, source }))
            }
            Ok(e) if !e.file_type().is_file() => None,
            Ok(e) if is_client_state_file(e.path()) => None,
            Ok(e) => {
                let kind = if looks_like_mbox(e.path()) { EntryKind::Mbox } else { EntryKind::SingleFile };
                Some(Ok(Entry { path: e.into_path(), kind }))
            }
        })
}

fn is_maildir(dir: Option<&Path>) -> bool {
    dir.is_some_and(|d| d.join("cur").is_dir() && d.join("new").is_dir())
}

pub(crate) fn is_client_state_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".msf")
        || name.starts_with("dovecot")
        || matches!(name, "maildirfolder" | "subscriptions" | "courierimapuiddb" | "courierimapkeywords" | ".DS_Store" | "Thumbs.db" | "msgFilterRules.dat" | "popstate.dat")
}

/// An mbox starts with a `From ` separator line (`From sender date`); a single RFC 5322
/// message never does (a header line needs a colon).
pub fn looks_like_mbox(path: &Path) -> bool {
    let mut head = [0u8; 5];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| &head == b"From ")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_maildir_tmp_and_client_state_files() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        for sub in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        std::fs::write(md.join("cur/1.M1P1.host:2,S"), b"Subject: a\n\nx\n").unwrap();
        std::fs::write(md.join("tmp/2.M2P2.host"), b"Subject: half-writ").unwrap();
        std::fs::write(md.join(".Sent/new/3.M3P3.host"), b"Subject: c\n\nx\n").unwrap();
        std::fs::write(md.join(".Sent/tmp/4.M4P4.host"), b"Subject: half").unwrap();
        std::fs::write(md.join("dovecot-uidlist"), b"3 V1 N1\n").unwrap();
        std::fs::write(md.join("Inbox.msf"), b"// <!-- <mdb:mork").unwrap();
        std::fs::write(md.join("Inbox"), b"From - Tue Nov 13 16:39:26 2018\nSubject: x\n\nbody\n").unwrap();
        let found: Vec<_> = walk(md).map(|e| e.unwrap()).collect();
        let names: Vec<_> = found
            .iter()
            .map(|e| (e.path.strip_prefix(md).unwrap().to_string_lossy().into_owned(), e.kind))
            .collect();
        assert_eq!(
            names,
            vec![
                (".Sent/new/3.M3P3.host".to_string(), EntryKind::SingleFile),
                ("Inbox".to_string(), EntryKind::Mbox),
                ("cur/1.M1P1.host:2,S".to_string(), EntryKind::SingleFile),
            ]
        );
    }

    #[test]
    fn a_single_file_root_is_returned_itself() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.eml");
        std::fs::write(&f, b"Subject: a\r\n\r\nx\r\n").unwrap();
        let found: Vec<_> = walk(&f).map(|e| e.unwrap()).collect();
        assert_eq!(found, vec![Entry { path: f, kind: EntryKind::SingleFile }]);
    }

    #[test]
    fn a_missing_root_is_an_error_not_a_panic() {
        let found: Vec<_> = walk(Path::new("/nonexistent/cartolina")).collect();
        assert_eq!(found.len(), 1);
        assert!(found[0].is_err());
    }
}
