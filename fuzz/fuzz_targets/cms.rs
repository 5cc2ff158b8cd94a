//! Any bytes through the DER/BER/CMS path of `verify`: input decoding (DER, base64,
//! PEM), SignedData parsing, nested `.p7m` unwrapping, per-signer verification, path
//! building, time-stamps, counter-signatures, and a detached `.p7s` over fixed data.
//! Must never panic, hang or allocate without bound.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn store() -> &'static verify::TrustStore {
    static STORE: OnceLock<verify::TrustStore> = OnceLock::new();
    STORE.get_or_init(verify::TrustStore::with_bundled_anchors)
}

fuzz_target!(|data: &[u8]| {
    let opts = verify::VerifyOptions { fallback_time: Some(1_542_123_566), now: Some(1_700_000_000) };
    if let Ok(doc) = verify::p7m::verify_p7m(data, Some("x.pdf.p7m"), store(), &opts) {
        let _ = serde_json::to_string(&doc);
    }
    let _ = verify::p7m::verify_p7s(data, b"signed data\r\n", store(), &opts);
    let _ = verify::smime::verify_opaque(data, store(), &opts);
    // The TrustStore import paths take the same hostile bytes.
    let mut s = verify::TrustStore::empty();
    let _ = s.add_anchors(data);
    let _ = s.add_crls(data);
});
