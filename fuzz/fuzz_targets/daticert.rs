//! Any bytes as daticert.xml: hostile XML (entities, deep nesting, bad encodings) must
//! give a typed error, never a panic, a hang or unbounded memory.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pec::daticert::parse_daticert(data);
});
