//! `--faults`: every faulty file is rejected by openssl, every clean one accepted, and
//! enabling faults leaves the rest of the corpus untouched.

mod common;

use std::collections::BTreeSet;

use common::*;
use forge::faults::{Fault, FaultPlan};
use forge::Format;

#[test]
fn faulty_files_are_rejected_and_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(21, 120, Format::Maildir, dir.path(), 2);
    opts.faults = FaultPlan { rate: 0.3, kinds: Fault::ALL.to_vec() };
    forge::run(&opts, &mut |_| {}).unwrap();
    let m = manifest(dir.path());
    let mut kinds = BTreeSet::new();
    let mut clean_checked = 0;
    for e in file_entries(&m) {
        if !e["signed"].as_bool().unwrap() {
            assert!(e.get("fault").is_none());
            continue;
        }
        let res = openssl_smime_verify(dir.path(), &extract(dir.path(), &e));
        match e.get("fault").and_then(|f| f.as_str()) {
            Some(f) => {
                kinds.insert(f.to_string());
                assert!(res.is_err(), "{f} file {} accepted by openssl", e["path"]);
            }
            None => {
                clean_checked += 1;
                if clean_checked % 3 == 0 {
                    res.unwrap_or_else(|err| panic!("clean file {} rejected: {err}", e["path"]));
                }
            }
        }
    }
    assert_eq!(kinds.len(), Fault::ALL.len(), "{kinds:?}");
}

#[test]
fn faults_do_not_reshuffle_the_corpus() {
    // Same seed with and without faults: the unsigned sent copies are identical.
    let a = generate(22, 30, Format::Eml, 2);
    let b = tempfile::tempdir().unwrap();
    let mut opts = options(22, 30, Format::Eml, b.path(), 2);
    opts.faults = FaultPlan { rate: 0.5, kinds: vec![Fault::TamperedBody] };
    forge::run(&opts, &mut |_| {}).unwrap();
    let sent = |d: &std::path::Path| walk(&d.join("mail/Sent")).into_iter().map(|p| std::fs::read(p).unwrap()).collect::<Vec<_>>();
    assert_eq!(sent(a.path()), sent(b.path()));
}
