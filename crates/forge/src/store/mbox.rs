//! Thunderbird-style mbox: `mail/Inbox` and `mail/Sent`, `From - <ctime>` separators,
//! `X-Mozilla-Status` headers first, mboxrd quoting of body lines starting with `From `.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{to_lf, Placed, Store};
use crate::lifecycle::{Folder, OutFile};

struct Boxfile {
    w: BufWriter<File>,
    offset: u64,
}

pub struct Mbox {
    inbox: Boxfile,
    sent: Boxfile,
}

impl Mbox {
    pub fn create(out: &Path) -> io::Result<Self> {
        let dir = out.join("mail");
        std::fs::create_dir_all(&dir)?;
        let open = |n: &str| -> io::Result<Boxfile> { Ok(Boxfile { w: BufWriter::with_capacity(1 << 20, File::create(dir.join(n))?), offset: 0 }) };
        Ok(Mbox { inbox: open("Inbox")?, sent: open("Sent")? })
    }
}

/// mboxrd: `From ` and `>From ` (any number of `>`) at line start gain one more `>`.
pub fn quote_from(line: &[u8]) -> bool {
    let rest = {
        let n = line.iter().take_while(|b| **b == b'>').count();
        &line[n..]
    };
    rest.starts_with(b"From ")
}

impl Store for Mbox {
    fn put(&mut self, f: &OutFile, _index: u64, _seq: u32, _hint: &str) -> io::Result<Placed> {
        let (b, path) = match f.folder {
            Folder::Inbox => (&mut self.inbox, "mail/Inbox"),
            Folder::Sent => (&mut self.sent, "mail/Sent"),
        };
        let start = b.offset;
        let mut out = Vec::with_capacity(f.bytes.len() + 200);
        // Thunderbird writes the separator date in asctime form, local time.
        out.extend_from_slice(format!("From - {}\n", crate::util::rome(f.time).format("%a %b %e %H:%M:%S %Y")).as_bytes());
        let status = if f.seen { "0001" } else { "0000" };
        out.extend_from_slice(format!("X-Mozilla-Status: {status}\nX-Mozilla-Status2: 00000000\nX-Mozilla-Keys: {:80}\n", "").as_bytes());
        let data = to_lf(&f.bytes);
        for line in data.split_inclusive(|c| *c == b'\n') {
            if quote_from(line) {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
        b.w.write_all(&out)?;
        b.offset += out.len() as u64;
        Ok(Placed { path: path.to_string(), offset: Some(start) })
    }

    fn finish(&mut self) -> io::Result<()> {
        self.inbox.w.flush()?;
        self.sent.w.flush()
    }
}
