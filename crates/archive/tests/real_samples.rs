//! The shared real Aruba receipts pair into one card; the tampered Sogei envelope is a
//! received card that is not proof; the same bytes in two places are one record.
mod common;

use std::path::PathBuf;

use archive::{Archive, Clock};
use common::{cards, real_samples, scan_with_trust};

fn copy_samples(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    for f in std::fs::read_dir(real_samples()).unwrap() {
        let f = f.unwrap();
        if f.file_name().to_string_lossy().ends_with(".eml") {
            std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
        }
    }
}

#[test]
fn aruba_receipts_pair_into_one_delivered_card() {
    let tmp = tempfile::tempdir().unwrap();
    let arc = tmp.path().join("archive");
    scan_with_trust(&arc, &[real_samples()], &[]);
    let all = cards(&arc, &Clock::system());
    let sent: Vec<_> = all.iter().filter(|c| c.kind == "sent").collect();
    assert_eq!(sent.len(), 1, "{all:#?}");
    let c = sent[0];
    assert_eq!(c.state, "all-delivered");
    assert_eq!(c.sender.as_deref(), Some("l.battistini@pec.it"));
    assert_eq!(c.identificativo.as_deref(), Some("opec288.20181113163926.01838.310.1.63@pec.aruba.it"));
    assert_eq!(c.accepted_at.as_deref(), Some("2018-11-13T16:39:26+01:00"));
    assert_eq!(c.recipients.len(), 1);
    let r = &c.recipients[0];
    assert_eq!((r.address.as_str(), r.rtype.as_str(), r.state.as_str()), ("l.battistini@pec.it", "certificato", "delivered"));
    assert_eq!(r.at.as_deref(), Some("2018-11-13T16:39:27+01:00"));
    assert!(c.proof_ok, "{:?}", c.problems);
    assert!(c.problems.is_empty());
    // No sent copy in the samples: the original is the delivery receipt's postacert.eml.
    assert_eq!(c.origin.as_deref(), Some("postacert"));

    let received: Vec<_> = all.iter().filter(|c| c.kind == "received").collect();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].state, "received");
    assert!(!received[0].proof_ok, "a tampered envelope is not proof");
    assert!(received[0].problems.iter().any(|p| p.contains("signature broken")), "{:?}", received[0].problems);
}

#[test]
fn same_bytes_twice_are_one_record_with_two_locations_and_rescan_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_samples(&a);
    copy_samples(&b);
    let arc = tmp.path().join("archive");
    let s1 = scan_with_trust(&arc, std::slice::from_ref(&a), &[]);
    assert_eq!(s1.write.messages_new, 3);
    let s2 = scan_with_trust(&arc, &[a.clone(), b.clone()], &[]);
    assert_eq!(s2.files_skipped, 3, "known files are skipped without reading");
    assert_eq!(s2.write.messages_new, 0);
    assert_eq!(s2.write.messages_known, 3);
    let ar = Archive::open_readonly(&arc).unwrap();
    assert_eq!(ar.counts().unwrap(), (3, 2, 6));
    drop(ar);
    // The archive keeps the bytes when the sources are gone.
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
    let ar = Archive::open_readonly(&arc).unwrap();
    let (card, msgs) = ar.card("opec288.20181113163926.01838.310.1.63@pec.aruba.it", &Clock::system()).unwrap();
    assert_eq!(card.state, "all-delivered");
    assert_eq!(msgs.len(), 2);
    assert!(msgs.iter().all(|m| m.locations.len() == 2), "{msgs:#?}");
    let mut found = 0;
    ar.fsck(&mut |f| {
        if f.severity == "error" {
            found += 1;
        }
    })
    .unwrap();
    assert_eq!(found, 0);
    let blobs: Vec<PathBuf> = walk_files(&arc.join("blobs"));
    assert_eq!(blobs.len(), 3, "{blobs:?}");
}

fn walk_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_archive_inside_a_scanned_folder_is_not_a_source() {
    let tmp = tempfile::tempdir().unwrap();
    copy_samples(tmp.path());
    let arc = tmp.path().join("archive");
    scan_with_trust(&arc, &[tmp.path().to_path_buf()], &[]);
    let s = scan_with_trust(&arc, &[tmp.path().to_path_buf()], &[]);
    assert_eq!((s.files_seen, s.files_read, s.write.messages_new), (3, 0, 0), "{s:?}");
    assert_eq!(Archive::open_readonly(&arc).unwrap().counts().unwrap(), (3, 2, 3));
}
