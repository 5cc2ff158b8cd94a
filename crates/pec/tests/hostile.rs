//! Bad input: truncation, garbage, hostile nesting, huge parts, hostile XML.
//! The contract: a typed error or a best-effort message, never a panic, a hang
//! or unbounded memory.
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{b64_lines, transport_headers, Dc, Pec, ORIGINAL};
use pec::limits::{MAX_MESSAGE_BYTES, MAX_POSTACERT_DEPTH};
use pec::{parse_message, postacert_chain, ParseError, PecKind, SignatureEnvelope};

fn sample(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/real").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn empty_and_too_large() {
    assert_eq!(parse_message(b"").unwrap_err(), ParseError::Empty);
    assert_eq!(parse_message(b" \r\n\n").unwrap_err(), ParseError::Empty);
    // calloc'd: the pages are never touched, so this costs no real memory.
    let huge = vec![0u8; MAX_MESSAGE_BYTES + 1];
    assert_eq!(parse_message(&huge).unwrap_err(), ParseError::TooLarge(MAX_MESSAGE_BYTES));
}

#[test]
fn every_truncation_of_a_real_receipt() {
    let raw = sample("aruba-2018-accettazione.eml");
    let full = parse_message(&raw).unwrap();
    for len in 1..raw.len() {
        assert_no_internal(&raw[..len]);
        // Whatever it returns must be coherent.
        if let Ok(m) = parse_message(&raw[..len]) {
            if let SignatureEnvelope::Detached { signed_part, .. } = &m.signature {
                assert!(signed_part.len() <= len);
            }
            if m.kind != PecKind::Plain {
                assert_eq!(m.kind, full.kind);
            }
        }
    }
    // Cut inside the signature: still classified (classification is not
    // trust), and the structure problem is noted.
    let cut = raw.len() - 200;
    let m = parse_message(&raw[..cut]).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    assert!(m.notes.iter().any(|n| n.contains("truncated")), "{:?}", m.notes);
}

#[test]
fn truncated_delivery_and_transport() {
    for name in ["aruba-2018-avvenuta-consegna.eml", "sogei-2018-busta-trasporto-tampered.eml"] {
        let raw = sample(name);
        for len in (1..raw.len()).step_by(13) {
            assert_no_internal(&raw[..len]);
        }
    }
}

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u8
    }
}

#[test]
fn binary_garbage() {
    let mut rng = Lcg(42);
    for round in 0..2_000 {
        let len = 1 + (round * 37) % 3000;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next()).collect();
        match parse_message(&bytes) {
            Err(ParseError::NotAMessage(_)) | Err(ParseError::Empty) => {}
            Err(e) => panic!("unexpected error {e}"),
            Ok(m) => assert_eq!(m.kind, PecKind::Plain),
        }
    }
    assert!(matches!(parse_message(&sample("infocert-fattura.xml.p7m")), Err(ParseError::NotAMessage(_))));
}

#[test]
fn mutated_real_receipts() {
    // Byte flips across a real receipt: no panic, ever.
    let raw = sample("aruba-2018-avvenuta-consegna.eml");
    let mut rng = Lcg(7);
    for _ in 0..1_500 {
        let mut m = raw.clone();
        for _ in 0..4 {
            let at = (rng.next() as usize * 256 + rng.next() as usize) % m.len();
            m[at] = rng.next();
        }
        assert_no_internal(&m);
    }
}

/// A caught panic would come back as `ParseError::Internal`: there must be none.
fn assert_no_internal(raw: &[u8]) {
    if let Err(ParseError::Internal(msg)) = parse_message(raw) {
        panic!("parser panicked: {msg}");
    }
}

#[test]
fn mutated_nested_fixtures() {
    // Structure-dense input: nested envelopes, base64 and QP parts, opaque-free.
    let base = nested_envelopes(2);
    let mut rng = Lcg(11);
    for round in 0..3_000 {
        let mut m = base.clone();
        match round % 3 {
            // Flip bytes.
            0 => {
                for _ in 0..3 {
                    let at = (rng.next() as usize * 256 + rng.next() as usize) * 7 % m.len();
                    let alphabet = b"-\n\r=:<>\"x";
                    m[at] = alphabet[rng.next() as usize % alphabet.len()];
                }
            }
            // Cut a slice out.
            1 => {
                let at = (rng.next() as usize * 256 + rng.next() as usize) * 5 % m.len();
                let len = (rng.next() as usize).min(m.len() - at);
                m.drain(at..at + len);
            }
            // Duplicate a slice.
            _ => {
                let at = (rng.next() as usize * 256 + rng.next() as usize) * 3 % m.len();
                let len = (rng.next() as usize).min(m.len() - at);
                let piece = m[at..at + len].to_vec();
                m.splice(at..at, piece);
            }
        }
        assert_no_internal(&m);
        let _ = postacert_chain(&m);
    }
}

#[test]
fn garbage_after_valid_headers_is_plain() {
    let mut raw = b"From: a@b.it\nTo: c@d.it\nX-Ricevuta: accettazione\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=zz\n\n".to_vec();
    let mut rng = Lcg(3);
    raw.extend((0..5000).map(|_| rng.next()));
    let m = parse_message(&raw).unwrap();
    // Signed structure claimed, but no parts: plain, with the claim flagged.
    assert_eq!(m.kind, PecKind::Plain);
    assert_eq!(m.inconsistencies[0].field, "daticert");
    assert_eq!(m.signature.signature_der(), None);
}

#[test]
fn billion_laughs_in_a_receipt() {
    let xml = "<?xml version=\"1.0\"?><!DOCTYPE postacert [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]><postacert tipo=\"accettazione\"><intestazione><mittente>&g;</mittente></intestazione></postacert>";
    let raw = Pec { daticert: Some(xml.as_bytes().to_vec()), ..Pec::default() }.build();
    let start = Instant::now();
    let m = parse_message(&raw).unwrap();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(m.kind, PecKind::Plain);
    assert!(m.daticert.is_none());
    assert!(m.daticert_error.as_deref().unwrap().contains("not well-formed"), "{:?}", m.daticert_error);
    assert_eq!(m.inconsistencies[0].field, "daticert");
}

fn nested_envelopes(levels: usize) -> Vec<u8> {
    let mut inner = ORIGINAL.as_bytes().to_vec();
    for level in 0..levels {
        inner = Pec {
            headers: transport_headers(),
            postacert: Some(inner),
            tag: format!("L{level}"),
            ..Pec::default()
        }
        .daticert(&Dc::default().tipo("posta-certificata"))
        .build();
    }
    inner
}

#[test]
fn postacert_nesting_is_bounded() {
    let ok = nested_envelopes(3);
    assert_eq!(
        postacert_chain(&ok).unwrap(),
        vec![PecKind::Transport, PecKind::Transport, PecKind::Transport, PecKind::Plain]
    );
    let limit = nested_envelopes(MAX_POSTACERT_DEPTH);
    assert_eq!(postacert_chain(&limit).unwrap().len(), MAX_POSTACERT_DEPTH + 1);
    let deep = nested_envelopes(MAX_POSTACERT_DEPTH + 5);
    assert_eq!(postacert_chain(&deep).unwrap_err(), ParseError::TooDeep(MAX_POSTACERT_DEPTH));
    // One level at a time is always fine, however deep the chain.
    assert_eq!(parse_message(&deep).unwrap().kind, PecKind::Transport);
}

#[test]
fn deep_mime_nesting_does_not_recurse() {
    // 100,000 nested multiparts inside the signed part (about 3 MB).
    let levels = 100_000;
    let mut s = String::from("From: a@b.it\nX-Ricevuta: accettazione\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"S\"\n\n--S\n");
    for i in 0..levels {
        s += &format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n");
    }
    s += "Content-Type: text/plain\n\nx\n";
    for i in (0..levels).rev() {
        s += &format!("--b{i}--\n");
    }
    s += "--S\nContent-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\nMAMCAQE=\n--S--\n";
    let start = Instant::now();
    let m = parse_message(s.as_bytes()).unwrap();
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(m.kind, PecKind::Plain);
    assert!(m.notes.iter().any(|n| n.contains("nesting deeper")), "{:?}", m.notes);

    // The same depth of message/rfc822 nesting inside a postacert: never
    // entered by parse_message, so no recursion either.
    let mut nested = String::new();
    for _ in 0..levels {
        nested += "Content-Type: message/rfc822\n\n";
    }
    nested += "Subject: bottom\n\nx\n";
    let raw = Pec { headers: transport_headers(), postacert: Some(nested.into_bytes()), ..Pec::default() }
        .daticert(&Dc::default().tipo("posta-certificata"))
        .build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Transport);
    assert_eq!(postacert_chain(&raw).unwrap(), vec![PecKind::Transport, PecKind::Plain]);
}

#[test]
fn many_parts_are_bounded() {
    let mut s = String::from("From: a@b.it\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=\"S\"\n\n--S\nContent-Type: multipart/mixed; boundary=\"m\"\n\n");
    for _ in 0..50_000 {
        s += "--m\nContent-Type: text/plain\n\nx\n";
    }
    s += "--m--\n--S\nContent-Type: application/pkcs7-signature\n\n0\n--S--\n";
    let m = parse_message(s.as_bytes()).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert!(m.notes.iter().any(|n| n.contains("MIME parts")), "{:?}", m.notes);
}

#[test]
fn hundred_megabyte_attachment() {
    // A transport envelope whose original carries a 100 MB attachment. The
    // postacert is borrowed, not copied, and the scan is linear. Built in
    // place (one 100 MB buffer) to keep the test's own memory low.
    let original_head = ORIGINAL
        .replace("Content-Type: text/plain; charset=\"utf-8\"", "Content-Type: multipart/mixed; boundary=\"orig\"");
    let original_head = &original_head[..original_head.find("\n\n").unwrap() + 2];
    let envelope = Pec { headers: transport_headers(), postacert: None, ..Pec::default() }
        .daticert(&Dc::default().tipo("posta-certificata"))
        .build();
    let marker = b"------------=_1542123566-1838-1410--\n";
    let at = envelope.windows(marker.len()).position(|w| w == marker).unwrap();
    let line = b64_lines(&[0xA5u8; 45]);
    let lines = 100 * 1024 * 1024 / line.len();
    let mut raw = Vec::with_capacity(envelope.len() + lines * line.len() + 4096);
    raw.extend_from_slice(&envelope[..at]);
    raw.extend_from_slice(b"------------=_1542123566-1838-1410\nContent-Type: message/rfc822; name=\"postacert.eml\"\n\n");
    raw.extend_from_slice(original_head.as_bytes());
    raw.extend_from_slice(b"--orig\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n");
    for _ in 0..lines {
        raw.extend_from_slice(line.as_bytes());
    }
    raw.extend_from_slice(b"--orig--\n\n");
    raw.extend_from_slice(&envelope[at..]);

    let start = Instant::now();
    let m = parse_message(&raw).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(m.kind, PecKind::Transport);
    assert!(matches!(m.postacert, Some(std::borrow::Cow::Borrowed(_))));
    assert!(m.postacert.as_ref().unwrap().len() > 100 * 1000 * 1000);
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

/// Guard for callers that want a full mail-parser parse (whose nested-message
/// tree is dropped recursively and overflows the stack at ~10k levels).
#[test]
fn full_parse_guard() {
    use pec::check_mime_nesting;
    use pec::limits::MAX_FULL_PARSE_DEPTH;
    // Real messages: shallow. acceptance: signed > mixed > alternative > text.
    assert_eq!(check_mime_nesting(&sample("aruba-2018-accettazione.eml"), MAX_FULL_PARSE_DEPTH), Ok(3));
    // delivery: ... > postacert (message) > its mixed > parts.
    assert_eq!(check_mime_nesting(&sample("aruba-2018-avvenuta-consegna.eml"), MAX_FULL_PARSE_DEPTH), Ok(4));

    let mut deep = String::new();
    for _ in 0..100_000 {
        deep += "Content-Type: message/rfc822\n\n";
    }
    deep += "Subject: bottom\n\nx\n";
    assert_eq!(check_mime_nesting(deep.as_bytes(), MAX_FULL_PARSE_DEPTH), Err(ParseError::TooDeep(MAX_FULL_PARSE_DEPTH)));

    // Encoded enclosed messages are followed like mail-parser does.
    let mut inner = b"Subject: bottom\n\nx\n".to_vec();
    for _ in 0..3 {
        let mut outer = b"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n".to_vec();
        outer.extend_from_slice(b64_lines(&inner).as_bytes());
        inner = outer;
    }
    assert_eq!(check_mime_nesting(&inner, MAX_FULL_PARSE_DEPTH), Ok(3));
    assert_eq!(check_mime_nesting(&inner, 2), Err(ParseError::TooDeep(2)));

    // Nested envelopes: each is signed > mixed > postacert > ...
    assert!(check_mime_nesting(&nested_envelopes(MAX_POSTACERT_DEPTH + 5), MAX_FULL_PARSE_DEPTH).is_ok());
}

/// Pathological header fields (mail-parser's job) stay linear and panic-free.
#[test]
fn pathological_headers() {
    let cases: Vec<Vec<u8>> = vec![
        format!("From: {}a@b.it{}\nTo: x@y.it\n\nbody", "(".repeat(200_000), ")".repeat(200_000)).into_bytes(),
        format!("To: {}\n\nbody", "g:".repeat(200_000)).into_bytes(),
        format!("To: {}\n\nbody", "\"a\\\"".repeat(200_000)).into_bytes(),
        format!("Subject: {}\n\nbody", "=?utf-8?q?a?= ".repeat(200_000)).into_bytes(),
        format!("Content-Type: multipart/signed; {}boundary=x\n\nbody", "a*0*=x; ".repeat(100_000)).into_bytes(),
        format!("Message-ID: {}\n\nbody", "<".repeat(400_000)).into_bytes(),
        format!("Subject: a{}\n\nbody", "\n ".repeat(400_000)).into_bytes(),
        "X-Ricevuta: accettazione\n".repeat(300_000).into_bytes(),
    ];
    for raw in cases {
        let start = Instant::now();
        assert_no_internal(&raw);
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}

/// A longer local campaign: `PEC_FUZZ_ROUNDS=200000 cargo test --release -p
/// cartolina-pec --test hostile -- --ignored`.
#[test]
#[ignore]
fn long_mutation_campaign() {
    let rounds: usize = std::env::var("PEC_FUZZ_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let bases = [
        nested_envelopes(2),
        sample("aruba-2018-avvenuta-consegna.eml"),
        Pec { crlf: true, ..Pec::default() }.build(),
    ];
    let mut rng = Lcg(0xC0FFEE);
    for round in 0..rounds {
        let mut m = bases[round % bases.len()].clone();
        for _ in 0..1 + rng.next() % 6 {
            let at = (rng.next() as usize * 65536 + rng.next() as usize * 256 + rng.next() as usize) % m.len().max(1);
            match rng.next() % 4 {
                0 if !m.is_empty() => m[at] = rng.next(),
                1 => {
                    let len = (rng.next() as usize).min(m.len() - at);
                    m.drain(at..at + len);
                }
                2 => {
                    let len = (rng.next() as usize).min(m.len() - at);
                    let piece = m[at..at + len].to_vec();
                    m.splice(at..at, piece);
                }
                _ => {
                    let tokens: [&[u8]; 8] = [
                        b"\n--",
                        b"--\n",
                        b"\r\n\r\n",
                        b"boundary=\"x\"",
                        b"Content-Type: multipart/mixed; boundary=",
                        b"=\n",
                        b"<",
                        b"&lt;",
                    ];
                    let t = tokens[rng.next() as usize % tokens.len()];
                    m.splice(at..at, t.iter().copied());
                }
            }
        }
        assert_no_internal(&m);
        let _ = pec::check_mime_nesting(&m, pec::limits::MAX_FULL_PARSE_DEPTH);
    }
}
