//! Rescans: a Maildir `cur/`/`new/` indexed whole and unchanged since is skipped
//! without being listed; any change to it (a delivery, a rename, a removal) changes its
//! time and it is listed again; a folder changed just before the scan, or holding a
//! file that could not be read, is never skipped later.
mod common;

use std::fs::{File, FileTimes};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use archive::{Archive, ScanOptions, ScanSummary, Verifier};
use common::{fsck_errors, real_samples};

fn scan(arc: &Path, src: &Path) -> ScanSummary {
    let mut a = Archive::open_for_writing(arc).unwrap();
    a.scan(&[src.to_path_buf()], &ScanOptions::new(Verifier::new(&[] as &[PathBuf], 0).unwrap()), &mut |_| {}).unwrap()
}

/// Set a folder's modification time (as if its last change was then).
fn set_mtime(dir: &Path, t: SystemTime) {
    File::open(dir).unwrap().set_times(FileTimes::new().set_modified(t)).unwrap();
}

fn mtime(dir: &Path) -> SystemTime {
    std::fs::metadata(dir).unwrap().modified().unwrap()
}

/// A Maildir with three real PEC messages in `cur/` and a plain one in `new/`, both
/// folders last changed an hour ago.
fn maildir(root: &Path) -> PathBuf {
    let md = root.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    let names = ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml", "sogei-2018-busta-trasporto-tampered.eml"];
    for (i, n) in names.iter().enumerate() {
        std::fs::copy(real_samples().join(n), md.join(format!("cur/{i}.M{i}P1.host:2,S"))).unwrap();
    }
    std::fs::write(md.join("new/9.M9P1.host"), plain(9)).unwrap();
    age(&md);
    md
}

/// An ordinary message, different for each `n`.
fn plain(n: u32) -> String {
    format!("From: a@example.it\r\nTo: b@example.it\r\nSubject: messaggio {n}\r\nMessage-ID: <{n}@example.it>\r\n\r\ntesto {n}\r\n")
}

fn age(md: &Path) {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&md.join("cur"), hour_ago);
    set_mtime(&md.join("new"), hour_ago);
}

#[test]
fn an_unchanged_maildir_folder_is_skipped_without_being_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let md = maildir(tmp.path());
    let arc = tmp.path().join("archive");
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_read, s.write.messages_new), (4, 4, 4));
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_skipped, s.files_read), (4, 4, 0));

    // A file slipped into cur/ with the folder's time put back is not seen: the
    // folder was not listed (this is what makes a rescan cheap; a real delivery or
    // rename always changes the time, as below).
    let before = mtime(&md.join("cur"));
    std::fs::write(md.join("cur/7.M7P1.host:2,S"), plain(7)).unwrap();
    set_mtime(&md.join("cur"), before);
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_read), (4, 0));

    // A delivery into new/ changes new/'s time: new/ is listed, cur/ still skipped.
    std::fs::write(md.join("new/8.M8P1.host"), plain(8)).unwrap();
    set_mtime(&md.join("new"), SystemTime::now() - Duration::from_secs(60));
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_read, s.files_skipped), (5, 1, 4), "{s:?}");
    assert_eq!(s.write.locations_new, 1);

    // A rename in cur/ (a flag change) changes cur/'s time: listed again, and the
    // slipped-in file is found now.
    std::fs::rename(md.join("cur/0.M0P1.host:2,S"), md.join("cur/0.M0P1.host:2,RS")).unwrap();
    let s = scan(&arc, &md);
    assert_eq!(s.files_seen, 6);
    assert_eq!(s.files_read, 2, "the renamed file and the slipped-in one: {s:?}");
    assert_eq!(s.write.messages_new, 1, "the rename is the same bytes: {s:?}");
    assert_eq!(fsck_errors(&arc), Vec::<String>::new());
}

/// fsck checks what lets a rescan skip a folder: a recorded count that is not the
/// number of files indexed under it is reported.
#[test]
fn fsck_reports_a_folder_record_out_of_step_with_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let md = maildir(tmp.path());
    let arc = tmp.path().join("archive");
    scan(&arc, &md);
    assert_eq!(fsck_errors(&arc), Vec::<String>::new());
    let conn = rusqlite::Connection::open(arc.join("archive.db")).unwrap();
    let n = conn.execute("UPDATE scan_folders SET files = files + 1 WHERE path LIKE '%/cur'", []).unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let errs = fsck_errors(&arc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("recorded as indexed whole with 4 file(s), but 3 are indexed"), "{errs:?}");
}

#[test]
fn a_folder_changed_too_recently_to_trust_is_listed_every_time() {
    let tmp = tempfile::tempdir().unwrap();
    let md = maildir(tmp.path());
    let arc = tmp.path().join("archive");
    // File times come from a coarse clock, so a file added in the same tick as the
    // listing could leave the time as read: a folder changed less than 2 s before it
    // is read is never recorded. (Stamped ahead of the clock here, so that a slow
    // test machine cannot age it past the 2 s while the test runs.)
    set_mtime(&md.join("new"), SystemTime::now() + Duration::from_secs(30));
    scan(&arc, &md);
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_skipped, s.files_read), (4, 4, 0));
    let before = mtime(&md.join("new"));
    std::fs::write(md.join("new/8.M8P1.host"), plain(8)).unwrap();
    set_mtime(&md.join("new"), before);
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_read), (5, 1), "new/ was listed: {s:?}");
}

#[test]
fn a_folder_with_an_unreadable_file_is_listed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let md = maildir(tmp.path());
    // Over the size limit (sparse: no disk used): reported, not indexed.
    let big = File::create(md.join("cur/5.M5P1.host:2,S")).unwrap();
    big.set_len(sources::MAX_MESSAGE_BYTES + 1).unwrap();
    drop(big);
    age(&md);
    let arc = tmp.path().join("archive");
    let s = scan(&arc, &md);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    let s = scan(&arc, &md);
    assert_eq!(s.errors.len(), 1, "cur/ is listed and the file tried again: {:?}", s.errors);
    assert_eq!((s.files_seen, s.files_skipped), (5, 4));
    // Once the file is gone (the folder changes), cur/ is whole and skipped after.
    std::fs::remove_file(md.join("cur/5.M5P1.host:2,S")).unwrap();
    age(&md);
    scan(&arc, &md);
    let s = scan(&arc, &md);
    assert_eq!((s.files_seen, s.files_skipped, s.errors.len()), (4, 4, 0), "{s:?}");
}

/// The same Maildir through two paths (the folder and its `cur/` alone) is
/// recorded per folder path, so either skips.
#[test]
fn a_folder_given_as_the_root_is_skipped_too() {
    let tmp = tempfile::tempdir().unwrap();
    let md = maildir(tmp.path());
    let arc = tmp.path().join("archive");
    let s = scan(&arc, &md.join("cur"));
    assert_eq!(s.files_read, 3);
    let before = mtime(&md.join("cur"));
    std::fs::write(md.join("cur/7.M7P1.host:2,S"), plain(7)).unwrap();
    set_mtime(&md.join("cur"), before);
    let s = scan(&arc, &md.join("cur"));
    assert_eq!((s.files_seen, s.files_skipped, s.files_read), (3, 3, 0));
}
