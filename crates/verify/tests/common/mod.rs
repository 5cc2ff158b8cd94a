//! Test helpers: sample paths and a tiny multipart/signed splitter (test-only: the real
//! MIME work belongs to crate `pec`; the verifier takes bytes).
#![allow(dead_code)]

pub mod derkit;
pub mod pki;

use std::path::PathBuf;

pub fn sample(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/real").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn find(h: &[u8], n: &[u8], from: usize) -> Option<usize> {
    h.get(from..)?.windows(n.len()).position(|w| w == n).map(|p| p + from)
}

/// (signed part bytes, decoded signature DER) of a multipart/signed message.
pub fn split_signed(msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let b_at = find(msg, b"boundary=\"", 0).expect("boundary") + 10;
    let b_end = find(msg, b"\"", b_at).unwrap();
    let delim = [b"--".as_slice(), &msg[b_at..b_end]].concat();
    let first = find(msg, &[b"\n".as_slice(), &delim].concat(), b_end).unwrap() + 1;
    let part_start = find(msg, b"\n", first).unwrap() + 1;
    let next = find(msg, &[b"\n".as_slice(), &delim].concat(), part_start).unwrap();
    let mut part_end = next; // the line break before the delimiter belongs to it
    if part_end > 0 && msg[part_end - 1] == b'\r' {
        part_end -= 1;
    }
    let signed = msg[part_start..part_end].to_vec();
    let sig_start = find(msg, b"\n", next + 1).unwrap() + 1;
    let sig_end = find(msg, &[b"\n".as_slice(), &delim].concat(), sig_start).unwrap();
    let sig_part = &msg[sig_start..sig_end];
    let body = find(sig_part, b"\n\n", 0).or_else(|| find(sig_part, b"\r\n\r\n", 0)).unwrap();
    let b64: Vec<u8> = sig_part[body..].iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    use base64::Engine;
    (signed, base64::engine::general_purpose::STANDARD.decode(b64).unwrap())
}

/// A fixed "now" for reproducible `expired_since` (2026-01-01).
pub const NOW: u64 = 1_767_225_600;
