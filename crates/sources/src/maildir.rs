//! Maildir names: a message's identity, flags, folders.
//!
//! A delivery agent writes into `tmp/`, then renames into `new/`; a client moves the file
//! to `cur/` and appends `:2,<flags>` (`S` seen, `R` replied, `F` flagged, `T` trashed,
//! `D` draft). Every later flag change is another rename. So the identity of a message
//! is its folder plus the **unique base name** before the info suffix: all those renames
//! are the same message and must never be read again. Windows-safe stores (and mbsync's
//! `InfoDelimiter`) use `;` or `!` instead of `:`.
//!
//! mbsync puts the UID in the name (`,U=7`) and renames the file when it renumbers, so
//! that field is left out of the identity ([`identity`]).
//!
//! Maildir++ (Courier, Dovecot) keeps subfolders as hidden siblings of `cur/new/tmp`:
//! `.Sent`, `.INBOX.Sent`, each a Maildir of its own; Dovecot's `LAYOUT=fs` and mbsync's
//! `SubFolders Verbatim` nest them instead. Both are handled by treating any directory
//! that has `cur/` and `new/` as a folder.

use std::path::Path;

/// The info suffix starts at the last `:2,` (or `;2,` / `!2,`).
fn info_start(name: &str) -> Option<usize> {
    [":2,", ";2,", "!2,"].iter().filter_map(|sep| name.rfind(sep)).max()
}

/// The unique base name: everything before the info suffix.
pub fn base_name(file_name: &str) -> &str {
    match info_start(file_name) {
        Some(i) => &file_name[..i],
        None => file_name,
    }
}

/// The identity of a message file: its base name without mbsync's `,U=<uid>` field,
/// which mbsync rewrites (a rename) when it renumbers a folder.
pub fn identity(file_name: &str) -> String {
    let base = base_name(file_name);
    match base.find(",U=") {
        Some(i) => {
            let rest = &base[i + 3..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            format!("{}{}", &base[..i], &rest[digits..])
        }
        None => base.to_string(),
    }
}

/// The flags letters after `:2,` (empty when none).
pub fn flags(file_name: &str) -> &str {
    match info_start(file_name) {
        Some(i) => &file_name[i + 3..],
        None => "",
    }
}

/// A Maildir folder: `cur/` and `new/` inside (`tmp/` may be missing on read-only copies).
pub fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// For a path relative to a source root, the Maildir identity key `folder/base` when the
/// file is a message in a folder's `cur/` or `new/` (by shape: the caller has checked
/// the folder is a Maildir). `None` for anything else.
pub fn message_key(rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let (folder, leaf) = match dir.rsplit_once('/') {
        Some((f, l)) => (f, l),
        None => ("", dir),
    };
    if !(leaf == "cur" || leaf == "new") || name.starts_with('.') || name.is_empty() {
        return None;
    }
    Some(format!("{folder}/{}", identity(name)))
}

/// Whether a path relative to the root lies in a Maildir `tmp/` (half-written files).
pub fn in_tmp(root: &Path, rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    for (i, p) in parts.iter().enumerate() {
        if *p == "tmp" {
            let parent = root.join(parts[..i].join("/"));
            if parent.join("cur").is_dir() || parent.join("new").is_dir() {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_survives_flag_changes_and_new_to_cur() {
        assert_eq!(base_name("1700000000.M1P2.host"), "1700000000.M1P2.host");
        assert_eq!(base_name("1700000000.M1P2.host:2,"), "1700000000.M1P2.host");
        assert_eq!(base_name("1700000000.M1P2.host:2,FRS"), "1700000000.M1P2.host");
        assert_eq!(base_name("1700000000.M1P2.host;2,S"), "1700000000.M1P2.host");
        assert_eq!(base_name("1700000000.1_2.h,U=7:2,S"), "1700000000.1_2.h,U=7");
        assert_eq!(identity("1700000000.1_2.h,U=7:2,S"), identity("1700000000.1_2.h,U=12:2,"));
        assert_eq!(identity("1.M2.h,S=244,W=255:2,S"), "1.M2.h,S=244,W=255");
        assert_eq!(flags("x:2,FRS"), "FRS");
        assert_eq!(message_key("new/1.M1.h"), message_key("cur/1.M1.h:2,S"));
        assert_eq!(message_key(".INBOX.Sent/cur/1.M1.h:2,S").as_deref(), Some(".INBOX.Sent/1.M1.h"));
        assert_eq!(message_key("a/b/cur/x:2,").as_deref(), Some("a/b/x"));
        assert_eq!(message_key("tmp/x"), None);
        assert_eq!(message_key("dovecot-uidlist"), None);
        assert_ne!(message_key("cur/x"), message_key(".Sent/cur/x"));
    }

    #[test]
    fn tmp_only_counts_inside_a_maildir() {
        let d = tempfile::tempdir().unwrap();
        for s in ["cur", "new", "tmp", "notes/tmp"] {
            std::fs::create_dir_all(d.path().join(s)).unwrap();
        }
        assert!(in_tmp(d.path(), "tmp/1.M1.h"));
        assert!(!in_tmp(d.path(), "notes/tmp/a.eml"));
        assert!(!in_tmp(d.path(), "cur/1.M1.h"));
    }
}
