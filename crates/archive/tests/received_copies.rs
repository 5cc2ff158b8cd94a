//! One received PEC is one card, however many copies of its transport envelope the
//! archive holds: delivered to two of the user's accounts, synced twice with other
//! headers, or a damaged copy beside a good one. The identity is the signed daticert's
//! identificativo, never the bytes.
mod common;

use std::path::{Path, PathBuf};

use archive::{Archive, CardFilter, Clock};
use common::scan_with_trust;

const ENVELOPE: &str = "1760097601.M308286P1003.mail01.pec.example.it,S=15907,W=16188:2,S";
const IDENTIFICATIVO: &str = "3A4A7EEC.6E7529FC.C2F39D17.39C23958.posta-certificata@legalmail.it";

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn replace_once(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(s.contains(from), "{from:?} not in the envelope");
    s.replacen(from, to, 1).into_bytes()
}

/// The last occurrence: inside the signed part (the first is the Subject header).
fn replace_last(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(bytes.to_vec()).unwrap();
    let at = s.rfind(from).expect("in the envelope");
    assert!(at > s.find("This is an S/MIME signed message").unwrap());
    format!("{}{to}{}", &s[..at], &s[at + from.len()..]).into_bytes()
}

#[test]
fn copies_of_one_envelope_make_one_received_card() {
    let tmp = tempfile::tempdir().unwrap();
    let original = std::fs::read(demo().join("mailbox/cur").join(ENVELOPE)).unwrap();
    // The same envelope in the mailbox of the other recipient, also the user's.
    let second_account = replace_once(&original, "Delivered-To: mario.martinelli@pec.it", "Delivered-To: prot.tribunale.firenze@giustiziacert.it");
    // A client's copy with a header of its own (outside the signed part: still intact).
    let synced = [b"X-Synced-By: mbsync\n".as_slice(), &original].concat();
    // A damaged copy: one word of the signed body changed.
    let damaged = replace_last(&original, "Sollecito di pagamento", "Sollecito di pagamenti");
    write(&tmp.path().join("a"), "1.eml", &original);
    write(&tmp.path().join("b"), "2.eml", &second_account);
    write(&tmp.path().join("c"), "3.eml", &synced);
    write(&tmp.path().join("d"), "4.eml", &damaged);
    let arc = tmp.path().join("archive");
    let trust = [demo().join("trust/test-root.pem")];
    let roots: Vec<PathBuf> = ["a", "b", "c", "d"].iter().map(|d| tmp.path().join(d)).collect();
    let s = scan_with_trust(&arc, &roots, &trust);
    assert_eq!(s.write.messages_new, 4, "four different byte strings: {s:?}");

    let a = Archive::open_readonly(&arc).unwrap();
    let received: Vec<_> =
        a.cards(&CardFilter::default(), &Clock::system()).unwrap().into_iter().filter(|c| c.kind == "received").collect();
    assert_eq!(received.len(), 1, "{received:#?}");
    let card = &received[0];
    assert_eq!(card.identificativo.as_deref(), Some(IDENTIFICATIVO));
    assert!(card.proof_ok, "an intact, trusted copy is proof: {card:#?}");
    let states: Vec<(&str, &str)> = card.recipients.iter().map(|r| (r.address.as_str(), r.state.as_str())).collect();
    assert_eq!(states, [("mario.martinelli@pec.it", "received"), ("prot.tribunale.firenze@giustiziacert.it", "received")]);
    assert!(card.problems.iter().any(|p| p.contains("signature broken")), "the damaged copy is named: {:?}", card.problems);
    let (_, msgs) = a.card(IDENTIFICATIVO, &Clock::system()).unwrap();
    assert_eq!(msgs.len(), 4, "{msgs:#?}");
}

/// An archive made before received cards were keyed by identificativo (one card per
/// copy) is rebuilt when next opened for writing: the copies become one card.
#[test]
fn an_archive_with_a_card_per_copy_is_rebuilt_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let original = std::fs::read(demo().join("mailbox/cur").join(ENVELOPE)).unwrap();
    let synced = [b"X-Synced-By: mbsync\n".as_slice(), &original].concat();
    write(&tmp.path().join("a"), "1.eml", &original);
    write(&tmp.path().join("b"), "2.eml", &synced);
    let arc = tmp.path().join("archive");
    scan_with_trust(&arc, &[tmp.path().join("a"), tmp.path().join("b")], &[demo().join("trust/test-root.pem")]);
    // Back to the old keys: one card per copy, `r:<sha256>`, and version 4.
    {
        let conn = rusqlite::Connection::open(arc.join("archive.db")).unwrap();
        let card: i64 = conn.query_row("SELECT id FROM cards WHERE kind = 'received'", [], |r| r.get(0)).unwrap();
        conn.execute_batch(&format!(
            "UPDATE cards SET key = 'r:' || (SELECT sha256 FROM messages WHERE id = cards.original) WHERE id = {card};
             INSERT INTO cards (key, kind, acceptance, n_delivered, n_failed, n_unresolved, proof_ok, problems)
                SELECT 'r:' || sha256, 'received', 'received', 0, 0, 0, 1, '[]' FROM messages
                WHERE kind = 'transport' AND id <> (SELECT original FROM cards WHERE id = {card});
             PRAGMA user_version = 4;"
        ))
        .unwrap();
        let n: i64 = conn.query_row("SELECT count(*) FROM cards WHERE kind = 'received'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 2);
    }
    drop(Archive::open_for_writing(&arc).unwrap());
    let a = Archive::open_readonly(&arc).unwrap();
    let received: Vec<_> =
        a.cards(&CardFilter::default(), &Clock::system()).unwrap().into_iter().filter(|c| c.kind == "received").collect();
    assert_eq!(received.len(), 1, "{received:#?}");
    assert_eq!(a.card(IDENTIFICATIVO, &Clock::system()).unwrap().1.len(), 2);
}
