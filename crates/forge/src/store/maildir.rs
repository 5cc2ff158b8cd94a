//! Maildir++ as Dovecot writes it: INBOX at `mail/{cur,new,tmp}`, folders as `mail/.Name`.
//! File names `<secs>.M<usecs>P<pid>.<host>,S=<size>,W=<vsize>:2,S` (seen, in `cur`) or
//! without the info suffix (unseen, in `new`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{to_lf, Placed, Store};
use crate::lifecycle::{Folder, OutFile};

const HOST: &str = "mail01.pec.example.it";

pub struct Maildir {
    root: PathBuf,
}

impl Maildir {
    pub fn create(out: &Path) -> io::Result<Self> {
        let root = out.join("mail");
        for d in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
            fs::create_dir_all(root.join(d))?;
        }
        fs::write(root.join(".Sent/maildirfolder"), b"")?;
        fs::write(root.join("subscriptions"), b"Sent\n")?;
        Ok(Maildir { root })
    }
}

impl Store for Maildir {
    fn put(&mut self, f: &OutFile, index: u64, seq: u32, _hint: &str) -> io::Result<Placed> {
        let data = to_lf(&f.bytes);
        let lines = data.iter().filter(|b| **b == b'\n').count();
        // pid and usecs are derived from (index, seq): unique per file, and deterministic.
        let pid = 1000 + index % 4_000_000;
        let usecs = ((index.wrapping_mul(2_654_435_761) % 90_000) + seq as u64 * 97_001) % 1_000_000;
        let base = format!("{}.M{}P{}.{},S={},W={}", f.time.timestamp(), usecs, pid, HOST, data.len(), data.len() + lines);
        let (sub, name) = if f.seen { ("cur", format!("{base}:2,S")) } else { ("new", base) };
        let folder = match f.folder {
            Folder::Inbox => String::new(),
            Folder::Sent => ".Sent/".to_string(),
        };
        let rel = format!("mail/{folder}{sub}/{name}");
        fs::write(self.root.parent().unwrap_or(Path::new(".")).join(&rel), &data)?;
        Ok(Placed { path: rel, offset: None })
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}
