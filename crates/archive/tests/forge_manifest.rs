//! A forge corpus's cards match its manifest exactly (Maildir and mbox), with real
//! signatures verified against the corpus's test root; rescans change nothing.
mod common;

use archive::{Archive, CardFilter, Clock, Verifier};
use common::{assert_matches_manifest, cards, forge, scan_with_trust};

#[test]
fn maildir_corpus_cards_match_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    forge(&corpus, 11, 500, "maildir");
    let arc = tmp.path().join("archive");
    let trust = [corpus.join("trust/test-root.pem")];
    let s = scan_with_trust(&arc, &[corpus.join("mail")], &trust);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.write.signature_problems, 0, "every forged provider message verifies against the test root");
    let all = cards(&arc, &Clock::system());
    assert_matches_manifest(&corpus, &all, true);

    // Rescan: nothing read, nothing new, same cards.
    let again = scan_with_trust(&arc, &[corpus.join("mail")], &trust);
    assert_eq!(again.files_read, 0);
    assert_eq!(again.files_skipped, s.files_seen);
    assert_eq!(again.write.messages_new, 0);
    assert_eq!(cards(&arc, &Clock::system()), all);

    // The clock decides pending vs overdue: at the acceptance time of a card with an
    // unresolved recipient it is pending, a day later overdue.
    let late = all.iter().find(|c| c.state == "overdue").expect("some card is overdue today");
    let accepted = chrono::DateTime::parse_from_rfc3339(late.accepted_at.as_deref().unwrap()).unwrap().timestamp();
    let a = Archive::open_readonly(&arc).unwrap();
    let id = late.id.to_string();
    assert_eq!(a.card(&id, &Clock::fixed(accepted + 3600)).unwrap().0.state, "pending");
    assert_eq!(a.card(&id, &Clock::fixed(accepted + 24 * 3600)).unwrap().0.state, "overdue");
    // Counts and text filters (what a UI list needs).
    let f = CardFilter::default();
    assert_eq!(a.count_cards(&f, &Clock::system()).unwrap(), all.len() as u64);
    let by_state = a.count_cards_by_state(&f, &Clock::system()).unwrap();
    assert_eq!(by_state.values().sum::<u64>(), all.len() as u64);
    let ident = all.iter().find(|c| c.kind == "sent" && c.state == "all-delivered").unwrap();
    let f = CardFilter { text: ident.identificativo.clone(), ..Default::default() };
    let found = a.cards(&f, &Clock::system()).unwrap();
    assert!(found.iter().any(|c| c.id == ident.id), "{found:?}");
    let f = CardFilter { states: vec!["failed".into(), "partially-delivered".into()], ..Default::default() };
    assert_eq!(
        a.count_cards(&f, &Clock::system()).unwrap(),
        (by_state.get("failed").copied().unwrap_or(0) + by_state.get("partially-delivered").copied().unwrap_or(0))
    );
    assert!(a.accounts().unwrap().contains(&ident.account.clone().unwrap()));
    // State filters agree with the states shown.
    for state in archive::cards::STATES {
        let f = CardFilter { state: Some(state.to_string()), ..Default::default() };
        let n = a.cards(&f, &Clock::system()).unwrap().len();
        assert_eq!(n, all.iter().filter(|c| c.state == *state).count(), "{state}");
    }
}

#[test]
fn mbox_corpus_cards_match_the_manifest_without_extra_trust_they_are_not_proof() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    forge(&corpus, 12, 150, "mbox");
    let arc = tmp.path().join("archive");
    // No --trust: the test root is unknown, so signatures are intact but untrusted.
    // The states are the same (an intact receipt still counts), proof_ok is false.
    scan_with_trust(&arc, &[corpus.join("mail")], &[]);
    let all = cards(&arc, &Clock::system());
    assert_matches_manifest(&corpus, &all, false);
    assert!(all.iter().all(|c| !c.proof_ok));
    assert!(all.iter().all(|c| c.problems.iter().any(|p| p.contains("signer untrusted") || p.contains("signer indeterminate"))));

    // The user imports the anchor later: re-verification makes every card proof.
    let verifier = Verifier::new(&[corpus.join("trust/test-root.pem")], chrono::Utc::now().timestamp()).unwrap();
    let mut a = Archive::open_for_writing(&arc).unwrap();
    let (checked, changed) = a.reverify(&verifier).unwrap();
    assert!(checked > 0 && changed > 0, "{checked} {changed}");
    drop(a);
    assert_matches_manifest(&corpus, &cards(&arc, &Clock::system()), true);
}
