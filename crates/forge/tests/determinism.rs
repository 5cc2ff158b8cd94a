//! Same arguments => byte-identical output, whatever the number of worker threads.

mod common;

use common::*;
use forge::Format;

fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn same_seed_same_bytes_across_thread_counts() {
    for format in [Format::Maildir, Format::Mbox, Format::Eml] {
        let a = generate(5, 80, format, 1);
        let b = generate(5, 80, format, 2);
        let (ta, tb) = (tree(a.path()), tree(b.path()));
        assert_eq!(ta.len(), tb.len());
        for ((pa, ba), (pb, bb)) in ta.iter().zip(&tb) {
            assert_eq!(pa, pb);
            assert!(ba == bb, "{format:?}: {pa} differs");
        }
    }
}

#[test]
fn different_seeds_differ() {
    let a = generate(5, 20, Format::Eml, 2);
    let b = generate(6, 20, Format::Eml, 2);
    assert_ne!(std::fs::read(a.path().join("manifest.json")).unwrap(), std::fs::read(b.path().join("manifest.json")).unwrap());
    assert_ne!(std::fs::read(a.path().join("trust/test-root.pem")).unwrap(), std::fs::read(b.path().join("trust/test-root.pem")).unwrap());
}

#[test]
fn refuses_to_overwrite_a_corpus() {
    let a = generate(5, 3, Format::Maildir, 1);
    let err = forge::run(&options(5, 3, Format::Maildir, a.path(), 1), &mut |_| {});
    assert!(err.is_err());
}

#[test]
fn cli_runs_and_reports_a_rate() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cartolina-forge"))
        .args(["--seed", "3", "--messages", "30", "--format", "mbox", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("messages/s"));
    assert!(dir.path().join("mail/Inbox").is_file() && dir.path().join("mail/Sent").is_file());
    assert!(dir.path().join("trust/test-root.pem").is_file());
    assert!(dir.path().join("trust/test-intermediate.pem").is_file());
}
