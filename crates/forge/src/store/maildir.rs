//! Maildir++ as Dovecot writes it: INBOX at `mail/{cur,new,tmp}`, folders as `mail/.Name`.
//! File names `<secs>.M<usecs>P<pid>.<host>,S=<size>,W=<vsize>:2,S` (seen, in `cur`) or
//! without the info suffix (unseen, in `new`).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{to_lf, Placed, Store};
use crate::lifecycle::{Folder, OutFile};

const HOST: &str = "mail01.pec.example.it";

/// Dovecot's `dovecot-uidlist` of one folder, written as files arrive: real stores have
/// one, and readers must skip it.
struct UidList {
    path: PathBuf,
    body: BufWriter<fs::File>,
    next: u64,
}

impl UidList {
    fn create(dir: &Path) -> io::Result<Self> {
        let path = dir.join("dovecot-uidlist");
        Ok(UidList { body: BufWriter::new(fs::File::create(dir.join(".dovecot-uidlist.body.tmp"))?), path, next: 1 })
    }
    fn add(&mut self, base: &str) -> io::Result<()> {
        writeln!(self.body, "{} :{base}", self.next)?;
        self.next += 1;
        Ok(())
    }
    /// The header needs the final next-UID, so the body is streamed aside and joined here.
    fn finish(&mut self, validity: u64) -> io::Result<()> {
        self.body.flush()?;
        let tmp = self.path.with_file_name(".dovecot-uidlist.body.tmp");
        let mut out = BufWriter::new(fs::File::create(&self.path)?);
        writeln!(out, "3 V{validity} N{} G{:032x}", self.next, validity as u128 * 0x9e37_79b9_7f4a_7c15)?;
        io::copy(&mut fs::File::open(&tmp)?, &mut out)?;
        out.flush()?;
        fs::remove_file(tmp)
    }
}

pub struct Maildir {
    root: PathBuf,
    inbox: UidList,
    sent: UidList,
    first_secs: Option<u64>,
}

impl Maildir {
    pub fn create(out: &Path) -> io::Result<Self> {
        let root = out.join("mail");
        for d in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
            fs::create_dir_all(root.join(d))?;
        }
        fs::write(root.join(".Sent/maildirfolder"), b"")?;
        fs::write(root.join("subscriptions"), b"Sent\n")?;
        let inbox = UidList::create(&root)?;
        let sent = UidList::create(&root.join(".Sent"))?;
        Ok(Maildir { root, inbox, sent, first_secs: None })
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
        let (sub, name) = if f.seen { ("cur", format!("{base}:2,S")) } else { ("new", base.clone()) };
        let folder = match f.folder {
            Folder::Inbox => String::new(),
            Folder::Sent => ".Sent/".to_string(),
        };
        let rel = format!("mail/{folder}{sub}/{name}");
        self.first_secs.get_or_insert(f.time.timestamp().max(0) as u64);
        match f.folder {
            Folder::Inbox => self.inbox.add(&base)?,
            Folder::Sent => self.sent.add(&base)?,
        }
        fs::write(self.root.parent().unwrap_or(Path::new(".")).join(&rel), &data)?;
        Ok(Placed { path: rel, offset: None })
    }

    fn finish(&mut self) -> io::Result<()> {
        // UIDVALIDITY: Dovecot uses the folder creation time; the first message's is stable.
        let v = self.first_secs.unwrap_or(1_483_228_800);
        self.inbox.finish(v)?;
        self.sent.finish(v + 1)
    }
}
