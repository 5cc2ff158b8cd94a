//! What kind of mail store a path is, and what each file inside it is.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::SourceError;
use crate::{maildir, thunderbird, walk};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A Maildir (or a tree of them: Maildir++ `.Sub` folders, nested layouts).
    Maildir,
    /// One mbox file.
    Mbox,
    /// A folder of mbox files (`Sent`, `Inbox.sbd/...`), e.g. one Thunderbird account.
    MboxTree,
    /// A Thunderbird profile folder: only its `Mail/` and `ImapMail/` are read.
    ThunderbirdProfile,
    /// A folder of `.eml` files (webmail exports), any depth, any names.
    EmlTree,
    /// One message file.
    File,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Maildir => "maildir",
            SourceKind::Mbox => "mbox",
            SourceKind::MboxTree => "mbox-tree",
            SourceKind::ThunderbirdProfile => "thunderbird-profile",
            SourceKind::EmlTree => "eml-tree",
            SourceKind::File => "file",
        }
    }

    /// Kinds whose files are watched under one folder tree (the others are one file).
    pub fn is_tree(self) -> bool {
        !matches!(self, SourceKind::Mbox | SourceKind::File)
    }
}

/// Files looked at by [`detect`] before it settles for a folder of `.eml`.
const DETECT_SAMPLE: usize = 500;

/// Detect the kind of the store at `path` (which must exist).
pub fn detect(path: &Path) -> Result<SourceKind, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| SourceError::io(path, e))?;
    if meta.is_file() {
        return Ok(if walk::looks_like_mbox(path) { SourceKind::Mbox } else { SourceKind::File });
    }
    std::fs::read_dir(path).map_err(|e| SourceError::io(path, e))?;
    if thunderbird::is_profile(path) {
        return Ok(SourceKind::ThunderbirdProfile);
    }
    if maildir::is_maildir(path) {
        return Ok(SourceKind::Maildir);
    }
    // A Maildir++ root without its own cur/new is unusual; a folder of Maildirs (one per
    // account) and a folder of mbox files are common: look at a sample, shallow first.
    let mut mbox = false;
    for e in walkdir::WalkDir::new(path).max_depth(4).sort_by_file_name().into_iter().filter_map(|e| e.ok()).take(DETECT_SAMPLE) {
        if e.file_type().is_dir() {
            if maildir::is_maildir(e.path()) {
                return Ok(SourceKind::Maildir);
            }
            if e.file_name().to_string_lossy().ends_with(".sbd") {
                mbox = true;
            }
        } else if e.file_type().is_file() && walk::looks_like_mbox(e.path()) {
            mbox = true;
        }
    }
    Ok(if mbox { SourceKind::MboxTree } else { SourceKind::EmlTree })
}

/// What one file of a source is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A Maildir message, with its identity key (`folder/base`).
    Maildir { key: String },
    /// An mbox file.
    Mbox,
    /// One message in one file (`.eml`, or a single dropped file).
    Single,
    /// Not mail, or not yet: Maildir `tmp/`, client indexes, an empty file.
    Ignore,
}

/// Classify `abs` (under `root`, `rel` its relative path with `/` separators).
/// `known_mbox` says the state already holds it as an mbox (an mbox truncated to zero
/// bytes by a compaction is still that mbox).
pub fn classify(kind: SourceKind, root: &Path, abs: &Path, rel: &str, known_mbox: bool) -> Role {
    if known_mbox {
        return Role::Mbox;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if walk::is_client_state_file(abs) || maildir::in_tmp(root, rel) {
        return Role::Ignore;
    }
    if let Some(key) = maildir::message_key(rel) {
        let folder = abs.parent().and_then(Path::parent);
        if folder.is_some_and(maildir::is_maildir) {
            return Role::Maildir { key };
        }
    }
    if kind == SourceKind::ThunderbirdProfile || kind == SourceKind::MboxTree {
        if thunderbird::is_state_file(name) {
            return Role::Ignore;
        }
        // In an mbox store a file that is not (yet) an mbox is an empty folder.
        return if walk::looks_like_mbox(abs) { Role::Mbox } else { Role::Ignore };
    }
    if walk::looks_like_mbox(abs) {
        return Role::Mbox;
    }
    if kind == SourceKind::Maildir {
        // Beside the Maildir folders: dovecot/courier state, `subscriptions`, ...
        return Role::Ignore;
    }
    Role::Single
}

/// The folders to watch for a source (a profile: only its mail folders).
pub fn watch_roots(kind: SourceKind, root: &Path) -> Vec<PathBuf> {
    match kind {
        SourceKind::ThunderbirdProfile => thunderbird::mail_roots(root),
        _ => vec![root.to_path_buf()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, b: &[u8]) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b).unwrap();
    }

    #[test]
    fn detects_each_kind() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(&r.join("md/cur/1.M1.h:2,S"), b"Subject: a\n\nx\n");
        std::fs::create_dir_all(r.join("md/new")).unwrap();
        write(&r.join("accounts/a/cur/1"), b"x");
        std::fs::create_dir_all(r.join("accounts/a/new")).unwrap();
        write(&r.join("tb/Local Folders/Inbox"), b"From - Mon Jan  1 00:00:00 2024\nSubject: a\n\nx\n");
        write(&r.join("tb/Local Folders/Inbox.msf"), b"// <!-- <mdb:mork");
        write(&r.join("prof/prefs.js"), b"");
        std::fs::create_dir_all(r.join("prof/Mail/Local Folders")).unwrap();
        write(&r.join("eml/2024/Ricevuta consegna (1).EML"), b"Subject: a\r\n\r\nx\r\n");
        assert_eq!(detect(&r.join("md")).unwrap(), SourceKind::Maildir);
        assert_eq!(detect(&r.join("accounts")).unwrap(), SourceKind::Maildir);
        assert_eq!(detect(&r.join("tb")).unwrap(), SourceKind::MboxTree);
        assert_eq!(detect(&r.join("tb/Local Folders/Inbox")).unwrap(), SourceKind::Mbox);
        assert_eq!(detect(&r.join("prof")).unwrap(), SourceKind::ThunderbirdProfile);
        assert_eq!(detect(&r.join("eml")).unwrap(), SourceKind::EmlTree);
        assert_eq!(detect(&r.join("eml/2024/Ricevuta consegna (1).EML")).unwrap(), SourceKind::File);
        assert!(matches!(detect(&r.join("nope")), Err(SourceError::NotFound { .. })));
    }

    #[test]
    fn classifies_files_inside_a_store() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        for s in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new"] {
            std::fs::create_dir_all(r.join(s)).unwrap();
        }
        write(&r.join("new/1.M1.h"), b"Subject: a\n\nx\n");
        write(&r.join("tmp/2.M2.h"), b"Subj");
        write(&r.join("dovecot-uidlist"), b"3 V1 N1\n");
        write(&r.join(".Sent/cur/3.M3.h:2,S"), b"Subject: a\n\nx\n");
        let c = |rel: &str| classify(SourceKind::Maildir, r, &r.join(rel), rel, false);
        assert_eq!(c("new/1.M1.h"), Role::Maildir { key: "/1.M1.h".into() });
        assert_eq!(c(".Sent/cur/3.M3.h:2,S"), Role::Maildir { key: ".Sent/3.M3.h".into() });
        assert_eq!(c("tmp/2.M2.h"), Role::Ignore);
        assert_eq!(c("dovecot-uidlist"), Role::Ignore);
    }
}
