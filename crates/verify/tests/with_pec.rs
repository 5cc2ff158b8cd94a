//! End to end with crate `pec`: its exact signed bytes verify as SOURCES.md says.

mod common;

use common::*;
use pec::SignatureEnvelope;
use verify::verdict::{Integrity, TrustStatus};
use verify::{TrustStore, VerifyOptions};

fn check(name: &str) -> verify::SignatureReport {
    let raw = sample(name);
    let msg = pec::parse_message(&raw).unwrap();
    let der = msg.signature.signature_der().expect("signed").into_owned();
    let SignatureEnvelope::Detached { signed_part, .. } = &msg.signature else { panic!("{name}: not multipart/signed") };
    let o = VerifyOptions { fallback_time: None, now: Some(NOW) };
    verify::smime::verify_detached(signed_part, &der, &TrustStore::with_bundled_anchors(), &o).unwrap()
}

#[test]
fn pec_parsed_samples_verify() {
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml"] {
        let r = check(name);
        assert_eq!(r.status, Integrity::Intact, "{name}");
        assert_eq!(r.trust.status, TrustStatus::Trusted, "{name}");
    }
    assert_eq!(check("sogei-2018-busta-trasporto-tampered.eml").status, Integrity::Broken);
}
