//! Mail store formats. Each takes CRLF message bytes and places them as that format
//! keeps them on disk (LF for Unix stores, CRLF for `.eml` exports).

use std::io;

use crate::lifecycle::OutFile;

pub mod eml;
pub mod maildir;
pub mod mbox;

/// Where a stored message ended up: path relative to the output dir, and for mbox the
/// byte offset of its `From ` line.
pub struct Placed {
    pub path: String,
    pub offset: Option<u64>,
}

pub trait Store: Send {
    /// `index`/`seq` identify the file uniquely in the corpus; `hint` is a human label
    /// (kind and subject) for formats whose file names carry one.
    fn put(&mut self, f: &OutFile, index: u64, seq: u32, hint: &str) -> io::Result<Placed>;
    fn finish(&mut self) -> io::Result<()>;
}

/// CRLF -> LF, as a Unix mail store holds messages.
pub fn to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Maildir,
    Mbox,
    Eml,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "maildir" => Ok(Format::Maildir),
            "mbox" => Ok(Format::Mbox),
            "eml" => Ok(Format::Eml),
            _ => Err(format!("unknown format {s:?} (maildir, mbox, eml)")),
        }
    }
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Maildir => "maildir",
            Format::Mbox => "mbox",
            Format::Eml => "eml",
        }
    }

    pub fn open(self, out: &std::path::Path) -> io::Result<Box<dyn Store>> {
        Ok(match self {
            Format::Maildir => Box::new(maildir::Maildir::create(out)?),
            Format::Mbox => Box::new(mbox::Mbox::create(out)?),
            Format::Eml => Box::new(eml::Eml::create(out)?),
        })
    }
}
