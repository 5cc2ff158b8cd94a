//! Hostile and malformed inputs: typed errors or bounded verdicts, never a panic or a hang.

mod common;

use std::time::Instant;

use common::pki::{now, pki};
use common::*;
use verify::certs::parse_certificates;
use verify::verdict::TrustStatus;
use verify::{TrustStore, VerifyOptions};

#[test]
fn truncated_and_garbage_inputs_are_errors() {
    let (_, sig) = split_signed(&sample("aruba-2018-accettazione.eml"));
    let p7m = sample("infocert-fattura.xml.p7m");
    let store = TrustStore::with_bundled_anchors();
    let o = VerifyOptions::default();
    for input in [&sig, &p7m] {
        for cut in (0..input.len()).step_by(97) {
            let part = &input[..cut];
            // Must return (Ok or Err) without panicking.
            let _ = verify::p7m::verify_p7m(part, None, &store, &o);
            let _ = verify::smime::verify_detached(b"x", part, &store, &o);
        }
        // Flip bytes here and there.
        for at in (0..input.len()).step_by(131) {
            let mut m = input.clone();
            m[at] ^= 0x5a;
            let _ = verify::p7m::verify_p7m(&m, None, &store, &o);
        }
    }
    assert!(verify::p7m::verify_p7m(b"", None, &store, &o).is_err());
    assert!(verify::p7m::verify_p7m(b"\x30\x84\xff\xff\xff\xff", None, &store, &o).is_err());
    assert!(verify::p7m::verify_p7m(b"not base64 at all!", None, &store, &o).is_err());
    assert!(verify::smime::verify_detached(b"x", b"\x30\x80", &store, &o).is_err());
}

#[test]
fn deep_nesting_is_an_error() {
    let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100_000).flatten().collect();
    let r = verify::p7m::verify_p7m(&deep, None, &TrustStore::empty(), &VerifyOptions::default());
    assert!(matches!(r, Err(verify::Error::TooDeep(_)) | Err(verify::Error::Malformed(_))), "{r:?}");
}

#[test]
fn thousands_of_candidate_issuers_end_fast_indeterminate() {
    let Some(p) = pki() else { return };
    let leaf = parse_certificates(&p.read("leaf.pem")).unwrap().remove(0);
    let inter_der = parse_certificates(&p.read("inter.pem")).unwrap().remove(0).der.clone();
    // 3000 look-alike issuers: right name, broken signature.
    let fakes: Vec<_> = (0..3000u32)
        .map(|i| {
            let mut d = inter_der.clone();
            let n = d.len();
            d[n - 1] = d[n - 1].wrapping_add(1 + (i % 200) as u8);
            verify::certs::Cert::from_der(&d).unwrap()
        })
        .collect();
    let mut store = TrustStore::empty();
    store.add_anchors(&p.read("root.pem")).unwrap();
    let t = Instant::now();
    let r = verify::chain::build_path(&leaf, &fakes, &[], &store, now());
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
    let e = r.unwrap_err();
    assert_eq!(e, verify::chain::PathError::BudgetExhausted);
    assert_eq!(e.status(), TrustStatus::Indeterminate);
}

#[test]
fn issuer_loops_terminate() {
    let Some(p) = pki() else { return };
    // A and B issue each other; the signer is under A; nothing is trusted.
    p.cert("loopA", "ec256", "/CN=Loop A", None, common::pki::CA_EXT, 1, 3650);
    p.cert("loopB", "ec256", "/CN=Loop B", None, common::pki::CA_EXT, 1, 3650);
    std::fs::copy(p.path("loopA.key"), p.path("AbyB.key")).unwrap();
    std::fs::copy(p.path("loopB.key"), p.path("BbyA.key")).unwrap();
    p.cert("AbyB", "ec256", "/CN=Loop A", Some("loopB"), common::pki::CA_EXT, 2, 3650);
    p.cert("BbyA", "ec256", "/CN=Loop B", Some("loopA"), common::pki::CA_EXT, 2, 3650);
    p.cert("loopleaf", "ec256", "/CN=Loop Leaf", Some("loopA"), common::pki::LEAF_EXT, 3, 30);
    let leaf = parse_certificates(&p.read("loopleaf.pem")).unwrap().remove(0);
    let pool: Vec<_> = ["AbyB", "BbyA", "AbyB", "BbyA"]
        .iter()
        .map(|n| parse_certificates(&p.read(&format!("{n}.pem"))).unwrap().remove(0))
        .collect();
    let t = Instant::now();
    let r = verify::chain::build_path(&leaf, &pool, &[], &TrustStore::empty(), now());
    assert!(t.elapsed().as_secs_f64() < 2.0);
    assert!(r.is_err());
    // Trusting B makes the path leaf -> A(by B) -> B valid.
    let mut st = TrustStore::empty();
    st.add_anchors(&p.read("loopB.pem")).unwrap();
    let ok = verify::chain::build_path(&leaf, &pool, &[], &st, now()).unwrap();
    assert_eq!(ok.certs.len(), 3);
}

#[test]
fn thousands_of_countersignatures_are_capped() {
    let Some(p) = pki() else { return };
    use common::derkit::*;
    let der = p.sign(b"x", "leaf", Some("inter.pem"), &["-nodetach"]);
    let si = children_at(&der, &SIGNER0);
    let sig_value = verify::asn1::read(&si[5]).unwrap().0.value.to_vec();
    let cs = p.sign(&sig_value, "leaf2", Some("inter.pem"), &[]);
    let cs_info = children_at(&cs, &[1, 0, -1])[0].clone();
    // 2000 distinct copies (a SET OF may not hold duplicates): vary the last two bytes
    // of the signature value, which leaves each copy well-formed but invalid.
    let many: Vec<u8> = (0..2000u32)
        .flat_map(|i| {
            let mut c = cs_info.clone();
            let n = c.len();
            c[n - 1] = c[n - 1].wrapping_add(1 + (i % 251) as u8);
            c[n - 2] = c[n - 2].wrapping_add((i / 251) as u8);
            c
        })
        .collect();
    let big = rewrite(&der, &SIGNER0, &mut |kids| {
        let attr = tlv(0x30, &[OID_COUNTERSIGNATURE_DER.to_vec(), tlv(0x31, &many)].concat());
        kids.push(tlv(0xA1, &attr));
    });
    let mut st = TrustStore::empty();
    st.add_anchors(&p.read("root.pem")).unwrap();
    let t = Instant::now();
    let r = verify::p7m::verify_p7m(&big, None, &st, &VerifyOptions::default());
    assert!(t.elapsed().as_secs_f64() < 10.0, "took {:?}", t.elapsed());
    let r = r.unwrap();
    let s = &r.signature.signers[0];
    assert_eq!(s.integrity, verify::Integrity::Intact, "{:?}", s.integrity_reason);
    assert_eq!(s.countersignatures.len(), verify::limits::MAX_EXTRA_VERIFICATIONS);
    assert!(s.warnings.iter().any(|w| w.contains("not verified")));
}
