//! Thunderbird profiles.
//!
//! A profile folder holds `prefs.js` and the mail under `Mail/<account>/` (POP and
//! local folders) and `ImapMail/<server>/` (IMAP, offline copies). Each folder is an mbox
//! file without extension (`Inbox`, `Sent`, `Unsent Messages`); subfolders of `Inbox` live
//! in `Inbox.sbd/`; beside each mbox an `.msf` index (Mork, not mail). Thunderbird
//! appends new mail at the end, rewrites `X-Mozilla-Status` headers in place when flags
//! change, and rewrites the whole file when it compacts a folder. With the optional
//! "maildir" store a folder is a directory with `cur/` instead: handled as Maildir.
//!
//! Only `Mail/` and `ImapMail/` are watched: the rest of a profile (caches, session
//! store, SQLite databases) changes all the time and is not mail.

use std::path::{Path, PathBuf};

pub fn is_profile(dir: &Path) -> bool {
    dir.join("prefs.js").is_file() && (dir.join("Mail").is_dir() || dir.join("ImapMail").is_dir())
}

/// The folders holding mail in a profile (those that exist).
pub fn mail_roots(profile: &Path) -> Vec<PathBuf> {
    ["Mail", "ImapMail"].iter().map(|d| profile.join(d)).filter(|d| d.is_dir()).collect()
}

/// Files in a profile's mail folders that are never mail: indexes, filters, logs.
pub fn is_state_file(name: &str) -> bool {
    const EXT: [&str; 8] = [".msf", ".dat", ".html", ".json", ".sqlite", ".js", ".mozlz4", ".rules"];
    EXT.iter().any(|e| name.ends_with(e)) || name == "msgFilterRules.dat" || name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_a_profile_and_its_mail_roots() {
        let d = tempfile::tempdir().unwrap();
        assert!(!is_profile(d.path()));
        std::fs::write(d.path().join("prefs.js"), "user_pref(\"x\", 1);\n").unwrap();
        std::fs::create_dir_all(d.path().join("ImapMail/imaps.pec.example")).unwrap();
        assert!(is_profile(d.path()));
        assert_eq!(mail_roots(d.path()), vec![d.path().join("ImapMail")]);
        assert!(is_state_file("Inbox.msf"));
        assert!(!is_state_file("Inbox"));
    }
}
