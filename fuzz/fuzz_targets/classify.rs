//! Any bytes through the whole message path: parse, classify, daticert, cross-check,
//! signature envelope, and the nested postacert.eml chain. Must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = pec::parse_message(data) {
        let _ = msg.kind.as_str();
        let _ = msg.signature.signature_der();
        if let Some(Ok(inner)) = msg.parse_postacert() {
            let _ = inner.signature.signature_der();
        }
    }
    let _ = pec::postacert_chain(data);
});
