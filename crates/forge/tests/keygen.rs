//! Keys are generated once per run (memoised, cached on disk), never per message.

use chrono::{TimeZone, Utc};
use forge::lifecycle::Corpus;

#[test]
fn no_key_generation_per_message() {
    let start = Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let corpus = Corpus::new(99, 200, start, end, 3, Some(cache.path()));
    let after_pki = forge::pki::keygen_count();
    // root, intermediate, qualified CA, qualified signer, six providers.
    assert_eq!(after_pki, 10);
    for i in 0..200 {
        let _ = corpus.generate(i);
    }
    assert_eq!(forge::pki::keygen_count(), after_pki, "keys generated while producing messages");
    // A second PKI for the same seed comes from memory/disk, not from key generation.
    let _again = Corpus::new(99, 10, start, end, 1, Some(cache.path()));
    assert_eq!(forge::pki::keygen_count(), after_pki);
    assert!(std::fs::read_dir(cache.path()).unwrap().count() >= 10, "keys cached on disk");
}
