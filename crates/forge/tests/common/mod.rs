//! Shared helpers: generated corpora (one per format, built once per test binary),
//! manifest access, message extraction (incl. mbox un-quoting), and openssl.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use forge::{Format, Options};
use serde_json::Value;

pub const OPENSSL: &str = "/usr/bin/openssl";

pub fn options(seed: u64, messages: u64, format: Format, out: &Path, jobs: usize) -> Options {
    Options {
        seed,
        messages,
        format,
        out: out.to_path_buf(),
        accounts: 2,
        start: Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 6, 30, 0, 0, 0).unwrap(),
        jobs,
        key_cache: false,
        faults: Default::default(),
    }
}

pub fn generate(seed: u64, messages: u64, format: Format, jobs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    forge::run(&options(seed, messages, format, dir.path(), jobs), &mut |_| {}).expect("generation");
    dir
}

/// A 400-message corpus per format (same seed): large enough to hold every kind.
pub fn corpus(format: Format) -> &'static Path {
    static M: OnceLock<tempfile::TempDir> = OnceLock::new();
    static B: OnceLock<tempfile::TempDir> = OnceLock::new();
    static E: OnceLock<tempfile::TempDir> = OnceLock::new();
    let cell = match format {
        Format::Maildir => &M,
        Format::Mbox => &B,
        Format::Eml => &E,
    };
    cell.get_or_init(|| generate(11, 400, format, 2)).path()
}

pub fn manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// Every file entry: those of messages and the `other` ones.
pub fn file_entries(m: &Value) -> Vec<Value> {
    let mut v: Vec<Value> = Vec::new();
    for msg in m["messages"].as_array().expect("messages") {
        v.extend(msg["files"].as_array().expect("files").iter().cloned());
    }
    v.extend(m["other"].as_array().expect("other").iter().cloned());
    v
}

/// The message bytes of a file entry, as a reader of that store would get them.
pub fn extract(dir: &Path, entry: &Value) -> Vec<u8> {
    let path = dir.join(entry["path"].as_str().expect("path"));
    let data = std::fs::read(&path).expect("file exists");
    let Some(off) = entry["offset"].as_u64() else { return data };
    let off = off as usize;
    assert!(data[off..].starts_with(b"From - "), "offset {off} of {} is not a From line", path.display());
    let body_start = off + data[off..].iter().position(|b| *b == b'\n').expect("separator line") + 1;
    let end = find(&data[body_start..], b"\n\nFrom - ").map(|p| body_start + p + 1).unwrap_or(data.len());
    let mut out = Vec::with_capacity(end - body_start);
    for line in data[body_start..end].split_inclusive(|b| *b == b'\n') {
        let n = line.iter().take_while(|b| **b == b'>').count();
        if n > 0 && line[n..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(f.path(), bytes).expect("write tmp");
    f
}

/// `openssl smime -verify -CAfile trust/test-root.pem`, exactly as the brief states it.
pub fn openssl_smime_verify(dir: &Path, bytes: &[u8]) -> Result<(), String> {
    let f = temp_file(bytes);
    let out = Command::new(OPENSSL)
        .args(["smime", "-verify", "-CAfile"])
        .arg(dir.join("trust/test-root.pem"))
        .arg("-in")
        .arg(f.path())
        .args(["-out", "/dev/null"])
        .output()
        .expect("run openssl");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}
