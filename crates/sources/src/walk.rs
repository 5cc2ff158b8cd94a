//! Walking a path the user gave: which files are mail, which are mbox, which to skip.
//!
//! Maildir `tmp/` folders hold half-written files (the delivery agent renames them into
//! `new/` when complete), so they are never read. Index and state files written by mail
//! clients and servers (Thunderbird `.msf`, Dovecot `dovecot*`, Maildir++ `maildirfolder`)
//! are not mail and are skipped silently.
//!
//! [`TreeWalk`] is the walk itself, folder by folder, for a reader that keeps state per
//! folder: `scan` skips a Maildir `cur/` or `new/` whose modification time has not
//! changed since it last indexed every file in it (Maildir messages are never rewritten
//! in place: every change is a rename, which changes the folder), so a rescan neither
//! lists nor opens its files. [`walk`] is the plain list of files.
//!
//! Hand-written rather than `walkdir`: a folder must be offered to the reader *before*
//! it is listed (a `cur/` of 300,000 messages costs more to list and sort than to skip),
//! and a file's kind is decided only when the reader asks ([`FoundFile::kind`]), since
//! telling an mbox from a message means opening the file.

use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::ReadError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// One message per file (Maildir entry, `.eml`, or any other single file).
    SingleFile,
    /// An mbox: many messages, each starting with a `From ` separator line.
    Mbox,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: EntryKind,
}

/// Every file under `root` (or `root` itself), in a stable (sorted) order.
/// Unreadable directories are returned as errors in the stream, the walk goes on.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<Entry, ReadError>> {
    TreeWalk::new(root).filter_map(|step| match step {
        Ok(Step::File(f)) => {
            let kind = f.kind();
            Some(Ok(Entry { path: f.path, kind }))
        }
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    })
}

/// One step of a [`TreeWalk`].
#[derive(Debug)]
pub enum Step {
    /// A folder about to be listed: [`TreeWalk::skip_folder`] before the next step
    /// skips it (its files and subfolders).
    Folder(Folder),
    /// A regular file that may be mail.
    File(FoundFile),
    /// Every entry of a listed folder, and of its subfolders, has been yielded (or
    /// reported as an error). `subfolders` counts the folders directly inside it.
    FolderDone { path: PathBuf, files: u64, subfolders: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub path: PathBuf,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: i64,
    /// A Maildir `cur/` or `new/`: one message per file, never rewritten in place.
    pub maildir_messages: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    /// In a Maildir `cur/` or `new/`: a single message, whatever its first bytes.
    pub maildir_message: bool,
}

impl FoundFile {
    /// Opens the file to tell an mbox from a message, unless it is a Maildir message.
    pub fn kind(&self) -> EntryKind {
        if !self.maildir_message && looks_like_mbox(&self.path) {
            EntryKind::Mbox
        } else {
            EntryKind::SingleFile
        }
    }
}

/// A listed folder: its remaining entries, sorted by name.
struct Frame {
    path: PathBuf,
    entries: std::vec::IntoIter<(OsString, std::io::Result<FileType>)>,
    is_maildir: bool,
    maildir_messages: bool,
    files: u64,
    subfolders: u64,
}

/// The walk: depth first, the entries of each folder in file-name order (a folder's
/// contents right after it), symbolic links never followed below the root.
pub struct TreeWalk {
    /// The root, until the first step.
    root: Option<PathBuf>,
    /// The folder last yielded as [`Step::Folder`] (and whether it is a Maildir),
    /// listed at the next step unless skipped.
    pending: Option<(Folder, bool)>,
    skip: bool,
    stack: Vec<Frame>,
}

impl TreeWalk {
    pub fn new(root: &Path) -> TreeWalk {
        TreeWalk { root: Some(root.to_path_buf()), pending: None, skip: false, stack: Vec::new() }
    }

    /// Skip the folder just yielded as [`Step::Folder`]: nothing inside it is listed
    /// and no [`Step::FolderDone`] follows for it.
    pub fn skip_folder(&mut self) {
        self.skip = true;
    }

    fn start(&mut self, root: PathBuf) -> Option<Result<Step, ReadError>> {
        let meta = match std::fs::metadata(&root) {
            Ok(m) => m,
            Err(source) => return Some(Err(io_error(&root, source))),
        };
        let in_maildir = root.parent().is_some_and(is_maildir);
        let name = root.file_name().unwrap_or_default().to_owned();
        if meta.is_file() {
            if is_client_state_file(&root) {
                return None;
            }
            let maildir_message = root.parent().is_some_and(|p| p.parent().is_some_and(is_maildir) && is_message_leaf(p.file_name()));
            return Some(Ok(Step::File(FoundFile { path: root, maildir_message })));
        }
        if !meta.is_dir() || (name == "tmp" && in_maildir) {
            return None;
        }
        Some(Ok(self.offer(root, &meta, in_maildir && is_message_leaf(Some(&name)))))
    }

    /// Yield `path` as a folder; it is listed at the next step.
    fn offer(&mut self, path: PathBuf, meta: &Metadata, maildir_messages: bool) -> Step {
        let folder = Folder { mtime_ns: mtime_ns(meta), maildir_messages, path };
        let maildir = is_maildir(&folder.path);
        self.pending = Some((folder.clone(), maildir));
        self.skip = false;
        Step::Folder(folder)
    }

    /// List the pending folder. An unreadable folder is an error followed by its
    /// `FolderDone` (so a reader keeping per-folder state sees it end).
    fn list(&mut self, folder: Folder, is_maildir: bool) -> Option<Result<Step, ReadError>> {
        let read = match std::fs::read_dir(&folder.path) {
            Ok(rd) => rd,
            Err(source) => {
                let err = io_error(&folder.path, source);
                self.stack.push(Frame { path: folder.path, entries: Vec::new().into_iter(), is_maildir, maildir_messages: false, files: 0, subfolders: 0 });
                return Some(Err(err));
            }
        };
        let mut entries = Vec::new();
        let mut error = None;
        for e in read {
            match e {
                Ok(e) => entries.push((e.file_name(), e.file_type())),
                Err(source) => error = Some(io_error(&folder.path, source)),
            }
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.stack.push(Frame {
            path: folder.path,
            entries: entries.into_iter(),
            is_maildir,
            maildir_messages: folder.maildir_messages,
            files: 0,
            subfolders: 0,
        });
        error.map(Err)
    }
}

impl Iterator for TreeWalk {
    type Item = Result<Step, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(root) = self.root.take() {
            return self.start(root);
        }
        if let Some((folder, maildir)) = self.pending.take() {
            if !std::mem::take(&mut self.skip) {
                if let Some(err) = self.list(folder, maildir) {
                    return Some(err);
                }
            }
        }
        loop {
            let frame = self.stack.last_mut()?;
            let Some((name, file_type)) = frame.entries.next() else {
                let done = self.stack.pop()?;
                return Some(Ok(Step::FolderDone { path: done.path, files: done.files, subfolders: done.subfolders }));
            };
            let path = frame.path.join(&name);
            let file_type = match file_type {
                Ok(t) => t,
                Err(source) => return Some(Err(io_error(&path, source))),
            };
            if file_type.is_dir() {
                if name == "tmp" && frame.is_maildir {
                    continue;
                }
                let maildir_messages = frame.is_maildir && is_message_leaf(Some(&name));
                frame.subfolders += 1;
                return Some(match std::fs::symlink_metadata(&path) {
                    Ok(meta) => Ok(self.offer(path, &meta, maildir_messages)),
                    Err(source) => Err(io_error(&path, source)),
                });
            }
            // Symbolic links, sockets, devices: never followed, never mail.
            if !file_type.is_file() || is_client_state_file(&path) {
                continue;
            }
            frame.files += 1;
            return Some(Ok(Step::File(FoundFile { path, maildir_message: frame.maildir_messages })));
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ReadError {
    ReadError::Io { path: path.display().to_string(), source }
}

fn is_message_leaf(name: Option<&std::ffi::OsStr>) -> bool {
    name.is_some_and(|n| n == "cur" || n == "new")
}

fn mtime_ns(meta: &Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn is_maildir(dir: &Path) -> bool {
    crate::maildir::is_maildir(dir)
}

pub(crate) fn is_client_state_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    is_client_state_name(name)
}

/// Index and state files of mail clients and servers: never mail.
pub fn is_client_state_name(name: &str) -> bool {
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

    fn maildir_with_sent(md: &Path) {
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
    }

    #[test]
    fn skips_maildir_tmp_and_client_state_files() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        maildir_with_sent(md);
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

    /// The steps a reader keeping per-folder state sees: each folder offered before
    /// its files, its end after them, Maildir `cur/`/`new/` marked as such.
    #[test]
    fn folders_are_offered_before_their_files_and_end_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        maildir_with_sent(md);
        let steps: Vec<String> = TreeWalk::new(md)
            .map(|s| match s.unwrap() {
                Step::Folder(f) => format!("folder {} {}", rel(md, &f.path), f.maildir_messages),
                Step::File(f) => format!("file {} {}", rel(md, &f.path), f.maildir_message),
                Step::FolderDone { path, files, subfolders } => format!("done {} {files} {subfolders}", rel(md, &path)),
            })
            .collect();
        assert_eq!(
            steps,
            [
                "folder  false",
                "folder .Sent false",
                "folder .Sent/cur true",
                "done .Sent/cur 0 0",
                "folder .Sent/new true",
                "file .Sent/new/3.M3P3.host true",
                "done .Sent/new 1 0",
                "done .Sent 0 2",
                "file Inbox false",
                "folder cur true",
                "file cur/1.M1P1.host:2,S true",
                "done cur 1 0",
                "folder new true",
                "done new 0 0",
                "done  1 3",
            ]
        );
    }

    fn rel(root: &Path, p: &Path) -> String {
        p.strip_prefix(root).unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn a_skipped_folder_is_neither_listed_nor_ended() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        maildir_with_sent(md);
        let mut w = TreeWalk::new(md);
        let mut files = Vec::new();
        let mut ended = Vec::new();
        while let Some(step) = w.next() {
            match step.unwrap() {
                Step::Folder(f) if f.path.ends_with(".Sent") => w.skip_folder(),
                Step::Folder(_) => {}
                Step::File(f) => files.push(rel(md, &f.path)),
                Step::FolderDone { path, .. } => ended.push(rel(md, &path)),
            }
        }
        assert_eq!(files, ["Inbox", "cur/1.M1P1.host:2,S"]);
        assert_eq!(ended, ["cur", "new", ""]);
    }

    /// A Maildir message is a message whatever its first bytes (the file is not opened
    /// to find out); outside a Maildir, `From ` makes an mbox.
    #[test]
    fn maildir_files_are_messages_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path();
        maildir_with_sent(md);
        std::fs::write(md.join("cur/5.M5P5.host:2,S"), b"From someone\nSubject: x\n\n").unwrap();
        let kinds: Vec<_> = walk(md).map(|e| e.unwrap()).map(|e| (rel(md, &e.path), e.kind)).collect();
        assert!(kinds.contains(&("cur/5.M5P5.host:2,S".into(), EntryKind::SingleFile)), "{kinds:?}");
        // Given as a root of its own, the same.
        let one: Vec<_> = walk(&md.join("cur/5.M5P5.host:2,S")).map(|e| e.unwrap().kind).collect();
        assert_eq!(one, [EntryKind::SingleFile]);
        let cur: Vec<_> = walk(&md.join("cur")).map(|e| e.unwrap().kind).collect();
        assert_eq!(cur, [EntryKind::SingleFile, EntryKind::SingleFile]);
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

    #[test]
    fn symbolic_links_below_the_root_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("real")).unwrap();
        std::fs::write(d.join("real/a.eml"), b"Subject: a\r\n\r\nx\r\n").unwrap();
        std::os::unix::fs::symlink(d.join("real"), d.join("link")).unwrap();
        std::os::unix::fs::symlink(d.join("real/a.eml"), d.join("b.eml")).unwrap();
        let found: Vec<_> = walk(d).map(|e| rel(d, &e.unwrap().path)).collect();
        assert_eq!(found, ["real/a.eml"]);
    }
}
