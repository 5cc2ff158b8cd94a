//! Any bytes through the S/MIME path as the CLI runs it: parse the message with `pec`,
//! then verify its `multipart/signed` (CRLF canonicalisation, detached CMS) or opaque
//! signature with `verify`. Also the raw `verify_detached` entry point, splitting the
//! input into (signed part, signature) at a position chosen by the first two bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn store() -> &'static verify::TrustStore {
    static STORE: OnceLock<verify::TrustStore> = OnceLock::new();
    STORE.get_or_init(verify::TrustStore::with_bundled_anchors)
}

fuzz_target!(|data: &[u8]| {
    let opts = verify::VerifyOptions { fallback_time: Some(1_542_123_566), now: Some(1_700_000_000) };
    if let Ok(msg) = pec::parse_message(data) {
        let report = match &msg.signature {
            pec::SignatureEnvelope::Unsigned => None,
            pec::SignatureEnvelope::Detached { signed_part, .. } => {
                msg.signature.signature_der().map(|der| verify::smime::verify_detached(signed_part, &der, store(), &opts))
            }
            pec::SignatureEnvelope::Opaque { cms_der } => Some(verify::smime::verify_opaque(cms_der, store(), &opts).map(|(r, _)| r)),
        };
        if let Some(Ok(r)) = report {
            let _ = serde_json::to_string(&r);
        }
    }
    if data.len() >= 2 {
        let at = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
        let (part, sig) = data[2..].split_at(at);
        let _ = verify::smime::verify_detached(part, sig, store(), &opts);
    }
});
