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

/// The migration that made the address index and the state index: its position, so
/// these tests follow it when migrations are renumbered.
fn search_migration() -> usize {
    MIGRATIONS.iter().position(|m| m.contains("CREATE TABLE IF NOT EXISTS message_addresses")).expect("the address index migration")
}

/// An archive at every older version, holding a sent message, its acceptance and its
/// card (rows as that version stored them), is upgraded: the address index is filled
/// from the stored columns and the state filters read the new index.
#[test]
fn an_archive_at_any_older_version_is_upgraded_with_its_addresses_and_states() {
    for old in 1..current_version() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        std::fs::create_dir_all(&dir).unwrap();
        let conn = rusqlite::Connection::open(dir.join("archive.db")).unwrap();
        for sql in &MIGRATIONS[..old as usize] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", old).unwrap();
        conn.execute_batch(
            r#"INSERT INTO messages (id, sha256, size, kind, from_addr, to_addrs, date_ts, sig_integrity, added_at)
                   VALUES (1, 'a', 1, 'plain', 'Mario.Rossi@PEC.it', 'uff.protocollo@pec.comune.it, Anna@Example.org', 1000, 'unsigned', 0);
               INSERT INTO messages (id, sha256, size, kind, from_addr, to_addrs, date_ts, dc_mittente, dc_destinatari, dc_ts, sig_integrity, added_at)
                   VALUES (2, 'b', 1, 'acceptance', 'posta-certificata@pec.it', 'mario.rossi@pec.it', 1001, 'mario.rossi@pec.it',
                           '[{"address":"uff.protocollo@pec.comune.it","type":"certificato"},{"address":"anna@example.org","type":"esterno"}]', 1002, 'intact', 0);
               INSERT INTO messages (id, sha256, size, kind, sig_integrity, added_at) VALUES (3, 'c', 1, 'unparsable', 'unsigned', 0);
               INSERT INTO cards (id, key, kind, acceptance, n_delivered, n_failed, n_unresolved, accepted_ts, proof_ok, problems)
                   VALUES (1, 'm:x', 'sent', 'accepted', 0, 0, 1, 1002, 1, '[]');
               INSERT INTO card_messages (card, message, role) VALUES (1, 1, 'original'), (1, 2, 'acceptance');"#,
        )
        .unwrap();
        drop(conn);
        let a = Archive::open_readonly(&dir).unwrap_or_else(|e| panic!("from version {old}: {e}"));
        assert_eq!(version(&a), current_version());
        let rows: Vec<(String, i64, i64)> = a
            .connection()
            .prepare("SELECT address, ts, message FROM message_addresses ORDER BY message, address")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let row = |a: &str, ts: i64, m: i64| (a.to_string(), ts, m);
        assert_eq!(
            rows,
            vec![
                row("anna@example.org", 1000, 1),
                row("mario.rossi@pec.it", 1000, 1),
                row("uff.protocollo@pec.comune.it", 1000, 1),
                row("anna@example.org", 1002, 2),
                row("mario.rossi@pec.it", 1002, 2),
                row("posta-certificata@pec.it", 1002, 2),
                row("uff.protocollo@pec.comune.it", 1002, 2),
            ],
            "from version {old}"
        );
        let q = |text: &str, state: Option<&str>, now: i64| -> Vec<i64> {
            let q = archive::SearchQuery { text: text.into(), state: state.map(str::to_string), limit: 10, ..Default::default() };
            a.search(&q, &archive::Clock::fixed(now)).unwrap().iter().map(|h| h.id).collect()
        };
        assert_eq!(q("MARIO.ROSSI@pec.it", None, 0), vec![2, 1]);
        assert_eq!(q("", Some("pending"), 1002 + 86_399), vec![2, 1]);
        assert_eq!(q("", Some("overdue"), 1002 + 86_399), Vec::<i64>::new());
        assert_eq!(q("", Some("overdue"), 1002 + 86_400), vec![2, 1]);
        let f = archive::CardFilter { state: Some("overdue".into()), ..Default::default() };
        assert_eq!(a.count_cards(&f, &archive::Clock::fixed(1002 + 86_400)).unwrap(), 1);
    }
}

/// What the migration fills in for messages archived before it is exactly what a
/// scan writes at ingest (the demo mailbox: receipts, envelopes, plain messages).
#[test]
fn the_migration_fills_the_address_index_as_a_scan_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let verifier = archive::Verifier::new(&[demo.join("trust/test-root.pem")], chrono::Utc::now().timestamp()).unwrap();
    Archive::open_for_writing(&dir).unwrap().scan(&[demo.join("mailbox")], &archive::ScanOptions::new(verifier), &mut |_| {}).unwrap();
    let rows = |a: &Archive| -> Vec<(String, i64, i64)> {
        a.connection()
            .prepare("SELECT address, ts, message FROM message_addresses ORDER BY address, ts, message")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let scanned = rows(&Archive::open_readonly(&dir).unwrap());
    assert!(scanned.len() > 300, "{}", scanned.len());
    {
        // Back to the version before the migration, its objects gone.
        let conn = rusqlite::Connection::open(dir.join("archive.db")).unwrap();
        conn.execute_batch("DROP TABLE message_addresses; DROP INDEX cards_settled; DROP INDEX messages_kind_time;").unwrap();
        conn.pragma_update(None, "user_version", search_migration() as i64).unwrap();
    }
    let a = Archive::open_readonly(&dir).unwrap();
    assert_eq!(version(&a), current_version());
    assert_eq!(rows(&a), scanned);
    // Running it again changes nothing.
    rusqlite::Connection::open(dir.join("archive.db")).unwrap().execute_batch(MIGRATIONS[search_migration()]).unwrap();
    assert_eq!(rows(&a), scanned);
}
