//! One `.eml` per message, CRLF, as webmail exports write them: `mail/Inbox/*.eml`,
//! `mail/Sent/*.eml`, with names safe on Windows.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Placed, Store};
use crate::lifecycle::{Folder, OutFile};

pub struct Eml {
    out: PathBuf,
}

impl Eml {
    pub fn create(out: &Path) -> io::Result<Self> {
        fs::create_dir_all(out.join("mail/Inbox"))?;
        fs::create_dir_all(out.join("mail/Sent"))?;
        Ok(Eml { out: out.to_path_buf() })
    }
}

/// Strips characters Windows forbids in names and keeps names short and trimmed.
pub fn windows_safe(s: &str) -> String {
    let mut o: String = s
        .chars()
        .map(|c| if c.is_control() || "<>:\"/\\|?*".contains(c) { '_' } else { c })
        .take(80)
        .collect();
    while o.ends_with('.') || o.ends_with(' ') {
        o.pop();
    }
    o
}

impl Store for Eml {
    fn put(&mut self, f: &OutFile, index: u64, seq: u32, hint: &str) -> io::Result<Placed> {
        let folder = match f.folder {
            Folder::Inbox => "Inbox",
            Folder::Sent => "Sent",
        };
        let rel = format!("mail/{folder}/{index:07}-{seq:02} {}.eml", windows_safe(hint));
        fs::write(self.out.join(&rel), &f.bytes)?;
        Ok(Placed { path: rel, offset: None })
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}
