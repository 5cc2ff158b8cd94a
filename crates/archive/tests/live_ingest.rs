//! Live ingest (`Archive::ingest_bytes`, `Archive::mark_gone`): raw bytes plus a
//! location pair exactly as a scan does; idempotent; gone keeps the bytes and the card;
//! a blob without its row (a kill between the two) is finished by the next ingest.
mod common;

use std::path::PathBuf;

use archive::{Archive, Clock, LiveLocation, Verifier};
use common::{cards, fsck_errors, real_samples};

const ARUBA: [&str; 2] = ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml"];
const IDENT: &str = "opec288.20181113163926.01838.310.1.63@pec.aruba.it";

fn verifier() -> Verifier {
    Verifier::new(&[] as &[PathBuf], chrono::Utc::now().timestamp()).unwrap()
}

fn sample(name: &str) -> (PathBuf, Vec<u8>) {
    let p = real_samples().join(name);
    let bytes = std::fs::read(&p).unwrap();
    (p, bytes)
}

#[test]
fn aruba_receipts_by_bytes_pair_into_one_delivered_card_and_again_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("archive");
    let v = verifier();
    let samples: Vec<_> = ARUBA.iter().map(|n| sample(n)).collect();
    let mut a = Archive::open_for_writing(&arc).unwrap();

    // One at a time, as a watcher delivers them.
    let first = a.ingest_bytes(&[(LiveLocation::new(&samples[0].0, None), &samples[0].1)], &v).unwrap();
    assert_eq!((first.messages_new, first.locations_new), (1, 1));
    assert!(first.items[0].new_message);
    let second = a.ingest_bytes(&[(LiveLocation::new(&samples[1].0, None), &samples[1].1)], &v).unwrap();
    assert_eq!(second.messages_new, 1);
    assert_eq!(second.cards_changed.len(), 1, "{second:?}");
    let card_id = second.cards_changed[0];
    assert_eq!(second.items[0].cards, vec![card_id]);
    let (card, msgs) = a.card(&card_id.to_string(), &Clock::system()).unwrap();
    assert_eq!(card.state, "all-delivered");
    assert_eq!(card.sender.as_deref(), Some("l.battistini@pec.it"));
    assert_eq!(card.identificativo.as_deref(), Some(IDENT));
    assert_eq!(card.recipients.len(), 1);
    assert_eq!((card.recipients[0].address.as_str(), card.recipients[0].state.as_str()), ("l.battistini@pec.it", "delivered"));
    assert!(card.proof_ok, "{:?}", card.problems);
    assert_eq!(msgs.len(), 2);

    // Idempotent: the same bytes at the same places, in one batch: nothing new.
    let items: Vec<(LiveLocation, &[u8])> = samples.iter().map(|(p, b)| (LiveLocation::new(p, None), b.as_slice())).collect();
    let again = a.ingest_bytes(&items, &v).unwrap();
    assert_eq!((again.messages_new, again.messages_known, again.locations_new), (0, 2, 0));
    assert!(again.items.iter().all(|i| !i.new_message && i.cards == vec![card_id]));
    // The same bytes somewhere else: one more location, still one record.
    let elsewhere = a.ingest_bytes(&[(LiveLocation::new("/elsewhere/mbox", Some(1234)), &samples[1].1)], &v).unwrap();
    assert_eq!((elsewhere.messages_new, elsewhere.locations_new), (0, 1));
    assert_eq!(a.counts().unwrap(), (2, 1, 3));
    drop(a);

    // Same card as a scan of the same files.
    let live_cards = cards(&arc, &Clock::system());
    let scanned = tmp.path().join("scanned");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for n in ARUBA {
        std::fs::copy(real_samples().join(n), src.join(n)).unwrap();
    }
    common::scan_with_trust(&scanned, &[src], &[]);
    let scan_cards = cards(&scanned, &Clock::system());
    assert_eq!(live_cards.len(), 1);
    assert_eq!(scan_cards.len(), 1);
    let (l, s) = (&live_cards[0], &scan_cards[0]);
    // Database ids (card, receipt) depend on the order of arrival; the rest must agree.
    let rec = |c: &archive::CardView| c.recipients.iter().map(|r| (r.address.clone(), r.rtype.clone(), r.state.clone(), r.at.clone())).collect::<Vec<_>>();
    assert_eq!((&l.state, &l.identificativo, rec(l), l.proof_ok, &l.origin), (&s.state, &s.identificativo, rec(s), s.proof_ok, &s.origin));
    assert!(fsck_errors(&arc).is_empty());
}

#[test]
fn gone_keeps_the_message_and_the_card() {
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("archive");
    let v = verifier();
    let mut a = Archive::open_for_writing(&arc).unwrap();
    let samples: Vec<_> = ARUBA.iter().map(|n| sample(n)).collect();
    let items: Vec<(LiveLocation, &[u8])> = samples.iter().map(|(p, b)| (LiveLocation::new(p, None), b.as_slice())).collect();
    let out = a.ingest_bytes(&items, &v).unwrap();
    assert_eq!(out.messages_new, 2);
    let loc = LiveLocation::new(&samples[1].0, None);
    assert!(a.mark_gone(&loc).unwrap());
    assert!(!a.mark_gone(&loc).unwrap(), "already gone");
    assert!(!a.mark_gone(&LiveLocation::new("/never/seen", Some(0))).unwrap());
    let gone: i64 = a.connection().query_row("SELECT count(*) FROM locations WHERE gone_at IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(gone, 1);
    assert_eq!(a.counts().unwrap(), (2, 1, 2), "nothing deleted");
    let (card, _) = a.card(IDENT, &Clock::system()).unwrap();
    assert_eq!(card.state, "all-delivered");
    // Back at the same place: no longer gone, no new location.
    let back = a.ingest_bytes(&[(loc.clone(), samples[1].1.as_slice())], &v).unwrap();
    assert_eq!((back.messages_new, back.locations_new), (0, 0));
    let gone: i64 = a.connection().query_row("SELECT count(*) FROM locations WHERE gone_at IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(gone, 0);
    drop(a);
    // The archive stays readable and consistent with the sources gone.
    assert!(fsck_errors(&arc).is_empty());
    assert_eq!(cards(&arc, &Clock::system()).len(), 1);
}

#[test]
fn a_blob_without_its_row_is_finished_by_the_next_ingest() {
    // A kill between the blob (written first) and the row's commit leaves a blob and
    // no row: consistent, and the next ingest of the same bytes completes it.
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("archive");
    let v = verifier();
    let (p, bytes) = sample(ARUBA[1]);
    {
        let a = Archive::open_for_writing(&arc).unwrap();
        let sha = archive::extract::extract(&bytes, &v).sha256;
        let blobs = archive::store::BlobStore::open(arc.join("blobs")).unwrap();
        blobs.put(&sha, &bytes).unwrap();
        assert_eq!(a.counts().unwrap(), (0, 0, 0));
    }
    assert!(fsck_errors(&arc).is_empty());
    let mut a = Archive::open_for_writing(&arc).unwrap();
    let out = a.ingest_bytes(&[(LiveLocation::new(&p, None), &bytes)], &v).unwrap();
    assert_eq!(out.messages_new, 1);
    assert_eq!(out.cards_changed.len(), 1);
    drop(a);
    assert!(fsck_errors(&arc).is_empty());
    // An orphan card (delivery receipt without acceptance) until the acceptance lands.
    let mut a = Archive::open_for_writing(&arc).unwrap();
    let (p0, b0) = sample(ARUBA[0]);
    a.ingest_bytes(&[(LiveLocation::new(&p0, None), &b0)], &v).unwrap();
    assert_eq!(a.card(IDENT, &Clock::system()).unwrap().0.state, "all-delivered");
}
