//! Any bytes through the whole message path: parse, classify, daticert, cross-check,
//! signature envelope, and the nested postacert.eml. Must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = pec::parse_message(data) {
        let _ = msg.kind.as_str();
        if let Some(inner) = msg.postacert {
            let _ = pec::parse_message(inner);
        }
    }
});
