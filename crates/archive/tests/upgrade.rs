//! An archive written by an older Cartolina: readers upgrade it in place when they can,
//! and say plainly what to do when they cannot (never "damaged").
use archive::db::schema::{current_version, MIGRATIONS};
use archive::{Archive, Error};

/// A real older archive: the database as the previous schema version left it.
fn older_archive(dir: &std::path::Path) -> i64 {
    std::fs::create_dir_all(dir).unwrap();
    let old = current_version() - 1;
    let conn = rusqlite::Connection::open(dir.join("archive.db")).unwrap();
    for sql in &MIGRATIONS[..old as usize] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", old).unwrap();
    old
}

fn version(a: &Archive) -> i64 {
    a.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_reader_upgrades_an_older_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    older_archive(&dir);
    let a = Archive::open_readonly(&dir).expect("upgraded, then read");
    assert_eq!(version(&a), current_version());
    let (messages, cards, _) = a.counts().unwrap();
    assert_eq!((messages, cards), (0, 0));
}

#[test]
fn an_older_archive_locked_by_a_scan_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    let old = older_archive(&dir);
    let _scan = archive::lock::ArchiveLock::acquire(&dir).unwrap();
    let e = Archive::open_readonly(&dir).err().expect("cannot upgrade under a held lock");
    assert!(matches!(e, Error::TooOld { found, known, .. } if found == old && known == current_version()), "{e}");
    let text = e.to_string();
    assert!(text.contains("older Cartolina") && text.contains("cartolina scan"), "{text}");
    assert!(!text.contains("damaged"), "{text}");
}
