//! Ground truth: the real samples verify exactly as `shared/samples/real/SOURCES.md` lists.

mod common;

use common::*;
use verify::cms::VerifyOptions;
use verify::trust::TrustStore;
use verify::verdict::{Integrity, TrustStatus};

fn opts() -> VerifyOptions {
    VerifyOptions { fallback_time: None, now: Some(NOW) }
}

#[test]
fn aruba_receipts_intact_and_trusted_at_signing_time() {
    let store = TrustStore::with_bundled_anchors();
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml"] {
        let (part, sig) = split_signed(&sample(name));
        let r = verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap();
        assert_eq!(r.status, Integrity::Intact, "{name}: {r:#?}");
        assert_eq!(r.trust.status, TrustStatus::Trusted, "{name}: {:#?}", r.trust);
        assert!(r.trust.notes.iter().any(|n| n == "certificate expired since 2020-12-03"), "{:?}", r.trust.notes);
        assert!(r.weak_algorithm, "SHA-1 must be reported as weak");
        let s = &r.signers[0];
        let c = s.certificate.as_ref().unwrap();
        assert_eq!(c.common_name.as_deref(), Some("Posta Certificata ARUBA PEC"));
        assert_eq!(c.issuer_common_name.as_deref(), Some("AgID CA1"));
        assert_eq!(c.expired_since.as_deref(), Some("2020-12-03"));
        assert_eq!(c.serial, "0BE0F2B61308A8B6");
        assert_eq!(r.trust.anchor.as_deref().map(|a| a.contains("AgID CA1")), Some(true));
        assert_eq!(s.digest_algorithm, Some(verify::algorithms::DigestAlgorithm::Sha1));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "intact");
        assert_eq!(json["trust"]["status"], "trusted");
        assert_eq!(json["signers"][0]["digest_algorithm"], "sha1");
        assert_eq!(json["signers"][0]["signature_algorithm"], "rsa-pkcs1v15");
    }
}

#[test]
fn aruba_acceptance_signing_time() {
    let (part, sig) = split_signed(&sample("aruba-2018-accettazione.eml"));
    let r = verify::smime::verify_detached(&part, &sig, &TrustStore::with_bundled_anchors(), &opts()).unwrap();
    assert_eq!(r.signers[0].signing_time.as_deref(), Some("2018-11-13T15:39:26Z"));
    assert_eq!(r.trust.validation_time.as_deref(), Some("2018-11-13T15:39:26Z"));
}

#[test]
fn aruba_untrusted_without_anchors_is_not_trusted() {
    let (part, sig) = split_signed(&sample("aruba-2018-accettazione.eml"));
    let r = verify::smime::verify_detached(&part, &sig, &TrustStore::empty(), &opts()).unwrap();
    assert_eq!(r.status, Integrity::Intact);
    assert_ne!(r.trust.status, TrustStatus::Trusted);
}

#[test]
fn sogei_envelope_broken() {
    let (part, sig) = split_signed(&sample("sogei-2018-busta-trasporto-tampered.eml"));
    let r = verify::smime::verify_detached(&part, &sig, &TrustStore::with_bundled_anchors(), &opts()).unwrap();
    assert_eq!(r.status, Integrity::Broken, "{r:#?}");
    assert_eq!(r.signers[0].integrity_reason.as_deref(), Some("message digest does not match the content"));
}

fn infocert_checks(r: &verify::p7m::DocumentReport) {
    assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
    assert_eq!(r.levels.len(), 1);
    let s = &r.signature.signers[0];
    let c = s.certificate.as_ref().unwrap();
    assert_eq!(c.common_name.as_deref(), Some("CORATO SERGIO"));
    assert_eq!(c.codice_fiscale.as_deref(), Some("CRTSRG74M18A459G"));
    assert_eq!(c.given_name.as_deref(), Some("SERGIO"));
    assert_eq!(c.surname.as_deref(), Some("CORATO"));
    assert_eq!(c.issuer_common_name.as_deref(), Some("InfoCert Firma Qualificata 2"));
    assert_eq!(c.serial, "996938"); // 10053944, as openssl prints it
    assert_eq!(c.expired_since.as_deref(), Some("2021-10-25"));
    assert_eq!(s.signing_time.as_deref(), Some("2018-12-21T15:58:13Z"));
    assert_eq!(s.digest_algorithm, Some(verify::algorithms::DigestAlgorithm::Sha256));
    assert_eq!(s.signature_algorithm, Some(verify::algorithms::SignatureScheme::RsaPkcs1v15));
    assert_eq!(s.signing_certificate, verify::verdict::CertBinding::Matches);
    assert!(!s.weak_algorithm);
    assert_eq!(r.file_name.as_deref(), Some("fattura.xml"));
    assert!(r.content.starts_with(b"<?xml"), "content is the FatturaPA XML");
}

#[test]
fn infocert_p7m_intact_indeterminate_without_ca() {
    let store = TrustStore::with_bundled_anchors();
    for (name, enc) in [
        ("infocert-fattura.xml.p7m", verify::p7m::InputEncoding::Der),
        ("infocert-fattura.base64.xml.p7m", verify::p7m::InputEncoding::Base64),
    ] {
        let bytes = sample(name);
        let r = verify::p7m::verify_p7m(&bytes, Some("fattura.xml.p7m"), &store, &opts()).unwrap();
        infocert_checks(&r);
        assert_eq!(r.levels[0].encoding, enc);
        // A DER .p7m's content is hashed and returned in place, never copied.
        let borrowed = matches!(r.content, std::borrow::Cow::Borrowed(_));
        assert_eq!(borrowed, enc == verify::p7m::InputEncoding::Der, "{name}");
        assert_eq!(r.signature.trust.status, TrustStatus::Indeterminate, "{:#?}", r.signature.trust);
        assert!(r.signature.trust.reason.contains("InfoCert Firma Qualificata 2"), "{}", r.signature.trust.reason);
    }
}

#[test]
fn real_samples_agree_with_openssl() {
    // Our integrity verdict must equal `openssl smime|cms -verify -noverify`'s.
    if !common::pki::openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = TrustStore::with_bundled_anchors();
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml", "sogei-2018-busta-trasporto-tampered.eml"] {
        let path = dir.path().join(name);
        std::fs::write(&path, sample(name)).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["smime", "-verify", "-noverify", "-out", "/dev/null", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        let (part, sig) = split_signed(&sample(name));
        let ours = verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap().status == Integrity::Intact;
        assert_eq!(ours, out.status.success(), "{name}");
    }
    {
        let name = "infocert-fattura.xml.p7m";
        let path = dir.path().join(name);
        std::fs::write(&path, sample(name)).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["cms", "-verify", "-noverify", "-inform", "DER", "-out", "/dev/null", "-in"])
            .arg(&path)
            .output()
            .unwrap();
        let ours = verify::p7m::verify_p7m(&sample(name), None, &store, &opts()).unwrap().signature.status == Integrity::Intact;
        assert_eq!(ours, out.status.success(), "{name}");
    }
}

/// Throughput on the Aruba acceptance receipt (run with
/// `cargo test --release -p cartolina-verify --test real_samples -- --ignored --nocapture`).
#[test]
#[ignore]
fn bench_aruba_receipts() {
    let (part, sig) = split_signed(&sample("aruba-2018-accettazione.eml"));
    let store = TrustStore::with_bundled_anchors();
    let n = 300;
    let t = std::time::Instant::now();
    for _ in 0..n {
        let r = verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap();
        assert_eq!(r.trust.status, TrustStatus::Trusted);
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    println!("aruba receipts verified (integrity + chain): {rate:.0}/s");
}

#[test]
fn constructors_for_callers() {
    let u = serde_json::to_value(verify::SignatureReport::unsigned()).unwrap();
    assert_eq!(u["status"], "unsigned");
    let b = serde_json::to_value(verify::SignatureReport::unreadable("bad base64")).unwrap();
    assert_eq!(b["status"], "broken");
    assert_eq!(b["trust"]["status"], "indeterminate");
}

#[test]
fn signature_cache_saves_chain_checks_and_changes_no_verdict() {
    let (part, sig) = split_signed(&sample("aruba-2018-accettazione.eml"));
    let store = TrustStore::with_bundled_anchors();
    let first = verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap();
    assert_eq!(store.signature_cache_hits(), 0);
    let second = verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap();
    assert_eq!(store.signature_cache_hits(), 1, "the provider certificate's signature by AgID CA1 is remembered");
    assert_eq!(first, second);
    let mut off = TrustStore::with_bundled_anchors();
    off.set_signature_cache(false);
    let _ = verify::smime::verify_detached(&part, &sig, &off, &opts()).unwrap();
    assert_eq!(verify::smime::verify_detached(&part, &sig, &off, &opts()).unwrap(), first);
    assert_eq!(off.signature_cache_hits(), 0);
    // A clone starts empty; the tampered envelope is still broken with a warm cache.
    let (part, sig) = split_signed(&sample("sogei-2018-busta-trasporto-tampered.eml"));
    for _ in 0..2 {
        assert_eq!(verify::smime::verify_detached(&part, &sig, &store, &opts()).unwrap().status, Integrity::Broken);
    }
}

#[test]
fn ring_fast_path_and_rustcrypto_agree() {
    let store = TrustStore::with_bundled_anchors();
    let mut verdicts = Vec::new();
    for fast in [true, false] {
        verify::algorithms::set_fast_path(fast);
        let mut v = Vec::new();
        for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml", "sogei-2018-busta-trasporto-tampered.eml"] {
            let (part, sig) = split_signed(&sample(name));
            v.push(verify::smime::verify_detached(&part, &sig, &TrustStore::with_bundled_anchors(), &opts()).unwrap());
        }
        let bytes = sample("infocert-fattura.xml.p7m");
        v.push(verify::p7m::verify_p7m(&bytes, None, &store, &opts()).unwrap().signature);
        verdicts.push(v);
    }
    verify::algorithms::set_fast_path(true);
    assert_eq!(verdicts[0], verdicts[1]);
    assert_eq!(verdicts[0][2].status, Integrity::Broken);
}
