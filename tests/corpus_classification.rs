//! End-to-end: a forge corpus, written as real mail stores, classifies exactly as its
//! manifest says, through the real `cartolina inspect` binary.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

type Location = (String, Option<u64>);

fn manifest_kinds(dir: &Path) -> BTreeMap<Location, String> {
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut kinds = BTreeMap::new();
    let messages = manifest["messages"].as_array().expect("messages[]");
    let files = messages.iter().flat_map(|m| m["files"].as_array().expect("files[]").iter());
    for f in files.chain(manifest["other"].as_array().expect("other[]").iter()) {
        let key = (f["path"].as_str().unwrap().to_string(), f["offset"].as_u64());
        let previous = kinds.insert(key.clone(), f["kind"].as_str().unwrap().to_string());
        assert!(previous.is_none(), "manifest lists {key:?} twice");
    }
    kinds
}

fn inspected_kinds(dir: &Path, store: &str) -> BTreeMap<Location, String> {
    let records = inspect_json(&[&dir.join(store)]);
    let mut kinds = BTreeMap::new();
    for r in records {
        assert_eq!(r["error"], Value::Null, "unexpected error in {r}");
        let path = Path::new(r["path"].as_str().unwrap()).strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        kinds.insert((path, r["offset"].as_u64()), r["kind"].as_str().unwrap().to_string());
    }
    kinds
}

fn assert_corpus_classifies(messages: u64, format: &str, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), seed, messages, format);
    let expected = manifest_kinds(dir.path());
    let got = inspected_kinds(dir.path(), "mail");
    let wrong: Vec<_> = expected
        .iter()
        .filter(|(loc, kind)| got.get(*loc) != Some(*kind))
        .map(|(loc, kind)| format!("{loc:?}: manifest {kind}, inspect {:?}", got.get(loc)))
        .take(20)
        .collect();
    assert!(wrong.is_empty(), "{} of {} misclassified, e.g.:\n{}", wrong.len(), expected.len(), wrong.join("\n"));
    let extra: Vec<_> = got.keys().filter(|loc| !expected.contains_key(*loc)).take(20).collect();
    assert!(extra.is_empty(), "inspect found messages the manifest does not list: {extra:?}");
    // Every kind a real mailbox holds is exercised, not just the easy ones.
    let kinds: std::collections::BTreeSet<_> = expected.values().map(String::as_str).collect();
    for k in ["plain", "acceptance", "delivery", "delivery-error", "transport"] {
        assert!(kinds.contains(k), "corpus has no {k}: {kinds:?}");
    }
}

#[test]
fn ten_thousand_message_maildir_corpus_classifies_per_manifest() {
    assert_corpus_classifies(10_000, "maildir", 20261122);
}

#[test]
fn mbox_corpus_classifies_per_manifest() {
    assert_corpus_classifies(500, "mbox", 7);
}

#[test]
fn eml_corpus_classifies_per_manifest() {
    assert_corpus_classifies(500, "eml", 11);
}

#[test]
fn bundled_demo_mailbox_classifies_per_its_manifest() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo");
    let expected = manifest_kinds(&demo);
    let got = inspected_kinds(&demo, "mailbox");
    assert_eq!(got, expected);
}
