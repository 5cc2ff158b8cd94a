//! Helpers for the archive's engine tests: the real forge binary, the shared real
//! samples, and the manifest comparison.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use archive::{Archive, CardFilter, CardView, Clock, ScanOptions, Verifier};

pub fn real_samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/real")
}

/// The `cartolina-forge` binary of this profile, built with cargo when missing.
pub fn forge_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
    let bin = profile_dir.join("cartolina-forge");
    if !bin.is_file() {
        let target = profile_dir.parent().expect("target dir");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "cartolina-forge"]).env("CARGO_TARGET_DIR", target);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let st = cmd.status().expect("cargo build cartolina-forge");
        assert!(st.success(), "building cartolina-forge failed");
    }
    bin
}

/// Generate a forge corpus (mail store in `dir/mail`, `dir/manifest.json`).
pub fn forge(dir: &Path, seed: u64, messages: u64, format: &str) {
    let out = Command::new(forge_bin())
        .args(["--seed", &seed.to_string(), "--messages", &messages.to_string(), "--format", format, "-q", "--out"])
        .arg(dir)
        .output()
        .expect("run cartolina-forge");
    assert!(out.status.success(), "forge failed: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn scan_with_trust(archive: &Path, paths: &[PathBuf], trust: &[PathBuf]) -> archive::ScanSummary {
    let verifier = Verifier::new(trust, chrono::Utc::now().timestamp()).expect("trust");
    let mut a = Archive::open_for_writing(archive).expect("open archive");
    a.scan(paths, &ScanOptions::new(verifier), &mut |_| {}).expect("scan")
}

pub fn cards(archive: &Path, clock: &Clock) -> Vec<CardView> {
    Archive::open_readonly(archive).expect("open").cards(&CardFilter::default(), clock).expect("cards")
}

fn norm(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').to_string()
}

/// Assert that the sent cards are exactly the manifest's messages (recipients, types,
/// outcomes, sender, subject, identificativo, sending time) and that every received
/// PEC (transport or anomaly envelope) has its card. Unresolved recipients are
/// `pending` in the manifest and `pending` or `overdue` on a card, depending on the clock.
pub fn assert_matches_manifest(corpus: &Path, cards: &[CardView], expect_proof: bool) {
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(corpus.join("manifest.json")).unwrap()).unwrap();
    let sent: BTreeMap<String, &CardView> =
        cards.iter().filter(|c| c.kind == "sent").map(|c| (norm(c.message_id.as_deref().unwrap_or("")), c)).collect();
    let messages = m["messages"].as_array().unwrap();
    assert_eq!(sent.len(), messages.len(), "one sent card per manifest message");
    for x in messages {
        let id = norm(x["message_id"].as_str().unwrap());
        let c = sent.get(&id).unwrap_or_else(|| panic!("no card for {id}"));
        let mut exp: Vec<(String, String, String)> = x["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["address"].as_str().unwrap().to_lowercase(), r["type"].as_str().unwrap().into(), r["outcome"].as_str().unwrap().into()))
            .collect();
        let mut got: Vec<(String, String, String)> = c
            .recipients
            .iter()
            .map(|r| {
                let st = if r.state == "overdue" { "pending".to_string() } else { r.state.clone() };
                (r.address.to_lowercase(), r.rtype.clone(), st)
            })
            .collect();
        exp.sort();
        got.sort();
        assert_eq!(got, exp, "recipients of {id}: {c:#?}");
        assert_eq!(c.sender.as_deref(), x["sender"].as_str(), "sender of {id}");
        assert_eq!(c.subject.as_deref(), x["subject"].as_str(), "subject of {id}");
        let accepted = x["accepted"].as_bool().unwrap();
        assert_eq!(c.state == "not-accepted", !accepted, "acceptance of {id}: {}", c.state);
        if let Some(ident) = x["identificativo"].as_str() {
            assert_eq!(c.identificativo.as_deref(), Some(ident), "identificativo of {id}");
        }
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
        let dt = (t(c.sent_at.as_deref().unwrap()) - t(x["sent_at"].as_str().unwrap())).abs();
        assert!(dt < 1000, "sent_at of {id}: {:?} vs {}", c.sent_at, x["sent_at"]);
        if expect_proof {
            assert!(c.proof_ok, "proof of {id}: {:?}", c.problems);
            assert!(c.problems.is_empty(), "problems of {id}: {:?}", c.problems);
        }
    }
    let inbound = m["other"].as_array().unwrap().iter().filter(|f| matches!(f["kind"].as_str(), Some("transport" | "anomaly"))).count();
    assert_eq!(cards.iter().filter(|c| c.kind == "received").count(), inbound, "one received card per inbound envelope");
}

/// The error-severity findings of `fsck` on the archive at `arc`.
pub fn fsck_errors(arc: &Path) -> Vec<String> {
    let mut errs = Vec::new();
    Archive::open_readonly(arc)
        .unwrap()
        .fsck(&mut |f| {
            if f.severity == "error" {
                errs.push(f.what.clone());
            }
        })
        .unwrap();
    errs
}
