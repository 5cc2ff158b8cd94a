//! Pairing rules on a forge corpus altered by hand: broken receipts never count,
//! header/daticert mismatches are flagged, orphans are kept, the original is rebuilt
//! from postacert.eml or daticert, unsigned "receipts" are not proof.
mod common;

use std::path::{Path, PathBuf};

use archive::{CardView, Clock};
use common::{cards, forge, scan_with_trust};

struct Msg {
    id: String,
    subject: String,
    files: Vec<(String, String, Option<String>)>,
    /// (address, outcome) as the manifest says.
    outcomes: Vec<(String, String)>,
}

fn manifest(corpus: &Path) -> Vec<Msg> {
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(corpus.join("manifest.json")).unwrap()).unwrap();
    m["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| Msg {
            id: x["message_id"].as_str().unwrap().trim_matches(['<', '>']).to_string(),
            subject: x["subject"].as_str().unwrap().to_string(),
            files: x["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["path"].as_str().unwrap().to_string(), f["kind"].as_str().unwrap().to_string(), f["recipient"].as_str().map(String::from)))
                .collect(),
            outcomes: x["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r["address"].as_str().unwrap().to_lowercase(), r["outcome"].as_str().unwrap().to_string()))
                .collect(),
        })
        .collect()
}

/// The card's recipient outcomes in the manifest's terms (unresolved = pending).
fn outcomes(c: &CardView) -> Vec<(String, String)> {
    c.recipients
        .iter()
        .map(|r| (r.address.to_lowercase(), if r.state == "overdue" { "pending".to_string() } else { r.state.clone() }))
        .collect()
}

fn file_of(corpus: &Path, m: &Msg, kind: &str) -> Option<(PathBuf, Option<String>)> {
    m.files.iter().find(|f| f.1 == kind).map(|f| (corpus.join(&f.0), f.2.clone()))
}

fn card_for<'a>(all: &'a [CardView], id: &str) -> &'a CardView {
    all.iter().find(|c| c.message_id.as_deref() == Some(&format!("<{id}>"))).unwrap_or_else(|| panic!("no card for {id}"))
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let s = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&s).into_owned();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn hand_altered_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    forge(&corpus, 5, 40, "eml");
    let trust = [corpus.join("trust/test-root.pem")];
    let msgs = manifest(&corpus);
    let with_delivery: Vec<&Msg> = msgs
        .iter()
        .filter(|m| file_of(&corpus, m, "delivery").is_some() && file_of(&corpus, m, "acceptance").is_some())
        .collect();
    assert!(with_delivery.len() >= 5);
    let (tampered, relabelled, orphan, no_copy, forged) = (with_delivery[0], with_delivery[1], with_delivery[2], with_delivery[3], with_delivery[4]);

    // 1. A delivery receipt whose signed text was changed after signing.
    let (p, rcpt) = file_of(&corpus, tampered, "delivery").unwrap();
    replace_in(&p, "consegnato", "consegnatO");
    let rcpt = rcpt.unwrap();
    // 2. An acceptance whose unsigned header names another message.
    let (p, _) = file_of(&corpus, relabelled, "acceptance").unwrap();
    replace_in(&p, "X-Riferimento-Message-ID: <", "X-Riferimento-Message-ID: <forged-");
    // 3. Receipts without their acceptance.
    let (p, _) = file_of(&corpus, orphan, "acceptance").unwrap();
    std::fs::remove_file(p).unwrap();
    // 4. No sent copy: the original comes from a receipt's postacert.eml or daticert.
    let (p, _) = file_of(&corpus, no_copy, "plain").unwrap();
    std::fs::remove_file(p).unwrap();
    // 5. An unsigned message claiming to be a delivery receipt.
    let fake = format!(
        "From: posta-certificata@pec.example.it\r\nTo: x@pec.it\r\nSubject: CONSEGNA: {}\r\nMessage-ID: <fake@x>\r\nX-Ricevuta: avvenuta-consegna\r\nX-Riferimento-Message-ID: <{}>\r\n\r\nconsegnato\r\n",
        forged.subject, forged.id
    );
    std::fs::write(corpus.join("mail/Inbox/fake-receipt.eml"), fake).unwrap();

    let arc = tmp.path().join("archive");
    scan_with_trust(&arc, &[corpus.join("mail")], &trust);
    let all = cards(&arc, &Clock::system());

    let c = card_for(&all, &tampered.id);
    let r = c.recipients.iter().find(|r| r.address.eq_ignore_ascii_case(&rcpt)).unwrap();
    assert_ne!(r.state, "delivered", "a broken receipt never counts: {c:#?}");
    assert!(!c.proof_ok);
    assert!(c.problems.iter().any(|p| p.contains("signature broken")), "{:?}", c.problems);

    let c = card_for(&all, &relabelled.id);
    assert_eq!(outcomes(c), relabelled.outcomes, "pairing follows the signed daticert, not the header: {c:#?}");
    assert!(c.problems.iter().any(|p| p.starts_with("header-mismatch") && p.contains("forged-")), "{:?}", c.problems);

    let c = card_for(&all, &orphan.id);
    assert!(c.accepted_at.is_none());
    assert!(!c.proof_ok);
    assert!(c.problems.iter().any(|p| p.starts_with("acceptance-missing")), "{:?}", c.problems);
    assert!(c.recipients.iter().any(|r| r.state == "delivered"), "orphan receipts still show: {c:#?}");

    let c = card_for(&all, &no_copy.id);
    assert!(matches!(c.origin.as_deref(), Some("postacert") | Some("daticert")), "{c:#?}");
    assert_eq!(c.subject.as_deref(), Some(no_copy.subject.as_str()));
    assert!(c.proof_ok, "{:?}", c.problems);

    let c = card_for(&all, &forged.id);
    assert!(!c.proof_ok);
    assert!(c.problems.iter().any(|p| p.starts_with("unsigned-receipt")), "{:?}", c.problems);
    assert_eq!(outcomes(c), forged.outcomes, "the unsigned claim changes no state");

    // A page read at once (the app's card list) is the same cards as one by one, in the
    // order asked, problems and recipients included; an unknown id is left out.
    let ar = archive::Archive::open_readonly(&arc).unwrap();
    let clock = Clock::system();
    let mut ids: Vec<i64> = [&tampered.id, &orphan.id, &forged.id, &relabelled.id].iter().map(|id| card_for(&all, id).id).collect();
    ids.extend(all.iter().rev().take(5).map(|c| c.id));
    let one_by_one: Vec<CardView> = ids.iter().map(|id| archive::cards::find(ar.connection(), &id.to_string(), &clock).unwrap()).collect();
    ids.insert(2, -7);
    assert_eq!(archive::cards::by_ids(ar.connection(), &ids, &clock).unwrap(), one_by_one);
    assert!(archive::cards::by_ids(ar.connection(), &[], &clock).unwrap().is_empty());
}
