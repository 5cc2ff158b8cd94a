//! Proof that `SignatureEnvelope::Detached` exposes exactly the bytes the
//! provider signed: openssl verifies the real Aruba receipts from our
//! `signed_part` (canonicalised to CRLF) and `signature_der`, and rejects the
//! Sogei envelope that was tampered with after signing.
use std::path::PathBuf;
use std::process::Command;

use pec::{parse_message, SignatureEnvelope};

fn sample(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/real").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Bare LF -> CRLF (what RFC 5751 canonical form means for line endings).
fn crlf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + b.len() / 40);
    let mut prev = 0u8;
    for &c in b {
        if c == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// `Some(true)` when openssl says the signature is intact, `None` if openssl is absent.
fn openssl_verifies(name: &str) -> Option<bool> {
    openssl_verifies_bytes(name, &sample(name))
}

fn openssl_verifies_bytes(name: &str, raw: &[u8]) -> Option<bool> {
    if !std::path::Path::new("/usr/bin/openssl").exists() {
        eprintln!("openssl not installed: skipping");
        return None;
    }
    let m = parse_message(raw).unwrap();
    let SignatureEnvelope::Detached { signed_part, .. } = &m.signature else {
        panic!("{name}: expected multipart/signed, got {:?}", m.signature)
    };
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let sig = dir.path().join("sig.der");
    std::fs::write(&content, crlf(signed_part)).unwrap();
    std::fs::write(&sig, m.signature.signature_der().unwrap()).unwrap();
    let out = Command::new("/usr/bin/openssl")
        .args(["cms", "-verify", "-binary", "-noverify", "-inform", "DER", "-out", "/dev/null", "-content"])
        .arg(&content)
        .arg("-in")
        .arg(&sig)
        .output()
        .unwrap();
    Some(out.status.success())
}

#[test]
fn aruba_acceptance_signature_intact() {
    assert_ne!(openssl_verifies("aruba-2018-accettazione.eml"), Some(false));
}

#[test]
fn aruba_delivery_signature_intact() {
    assert_ne!(openssl_verifies("aruba-2018-avvenuta-consegna.eml"), Some(false));
}

/// The same receipts stored with CRLF (as on the wire) verify too.
#[test]
fn aruba_crlf_stored_signature_intact() {
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml"] {
        assert_ne!(openssl_verifies_bytes(name, &crlf(&sample(name))), Some(false), "{name}");
    }
}

#[test]
fn sogei_tampered_signature_broken() {
    assert_ne!(openssl_verifies("sogei-2018-busta-trasporto-tampered.eml"), Some(true));
}

/// Undoing the documented tampering (one inserted space) restores the
/// signature: so the failure above is the tampering, not our byte range.
#[test]
fn sogei_untampered_signature_intact() {
    let raw = sample("sogei-2018-busta-trasporto-tampered.eml");
    let needle = b"ns1:Fattura Elettronica";
    let at = raw.windows(needle.len()).position(|w| w == needle).expect("tampered text present");
    let mut fixed = raw[..at + 11].to_vec();
    fixed.extend_from_slice(&raw[at + 12..]);
    assert_ne!(openssl_verifies_bytes("sogei (untampered)", &fixed), Some(false));
}

/// The signed bytes are a tight range: one byte more or less breaks the digest.
#[test]
fn off_by_one_range_fails() {
    if !std::path::Path::new("/usr/bin/openssl").exists() {
        return;
    }
    let raw = sample("aruba-2018-accettazione.eml");
    let m = parse_message(&raw).unwrap();
    let SignatureEnvelope::Detached { signed_part, .. } = &m.signature else { panic!() };
    let start = signed_part.as_ptr() as usize - raw.as_ptr() as usize;
    let longer = &raw[start..start + signed_part.len() + 1];
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let sig = dir.path().join("sig.der");
    std::fs::write(&content, crlf(longer)).unwrap();
    std::fs::write(&sig, m.signature.signature_der().unwrap()).unwrap();
    let ok = Command::new("/usr/bin/openssl")
        .args(["cms", "-verify", "-binary", "-noverify", "-inform", "DER", "-out", "/dev/null", "-content"])
        .arg(&content)
        .arg("-in")
        .arg(&sig)
        .output()
        .unwrap()
        .status
        .success();
    assert!(!ok);
}

/// Our range agrees with mail-parser's own part offsets (`offset_header` ..
/// `offset_end`) on the real samples, LF and CRLF.
#[test]
fn same_range_as_mail_parser_offsets() {
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml", "sogei-2018-busta-trasporto-tampered.eml"] {
        let lf = sample(name);
        for raw in [crlf(&lf), lf] {
            let full = mail_parser::MessageParser::new().parse(&raw).unwrap();
            let first = &full.parts[1];
            let m = parse_message(&raw).unwrap();
            let SignatureEnvelope::Detached { signed_part, .. } = &m.signature else { panic!() };
            let start = signed_part.as_ptr() as usize - raw.as_ptr() as usize;
            assert_eq!((start, start + signed_part.len()), (first.offset_header as usize, first.offset_end as usize), "{name}");
        }
    }
}
