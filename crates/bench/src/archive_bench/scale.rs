//! Growing a scanned archive to N messages for the search figures at scale.
//!
//! A forge corpus of a million messages takes hours to generate and scan on the
//! development machine, so the archive scanned by the benchmark is **replicated**:
//! copy *k* of every message, location, address, card, recipient and card link gets ids
//! shifted past the previous copy, distinct keys (`sha256`, Message-IDs, card keys,
//! identificativi and paths get a `.k` suffix) and times moved `k` x 30 days back, so
//! the archive spans years. Its full-text rows are the scanned message's own index
//! text (extracted again from its blob), with two changes so copies are not
//! identical: the local part of every id in the `ids` column gets an `rK` suffix
//! (ids stay unique words), and the subject one extra word drawn from the corpus's
//! subject vocabulary by (id, k). Posting lists of ordinary words therefore grow with
//! N as they would in a real archive of similar mail. The full-text index is then
//! merged, as a scan that grew the archive this much does at its end. What this
//! does not reproduce:
//! the variety of a real mailbox's bodies (bodies repeat once per copy).
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use archive::{extract, Archive, Verifier};
use rusqlite::params;
use serde_json::{json, Value};

const DAY: i64 = 86_400;

pub fn grow(dir: &Path, target: u64) -> Value {
    let t = Instant::now();
    let arc = Archive::open_for_writing(dir).expect("open archive for writing");
    let conn = arc.connection();
    let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).expect("sql").unwrap_or(0);
    let (msg_max, msg_count, card_max) = (q("SELECT max(id) FROM messages"), q("SELECT count(*) FROM messages"), q("SELECT max(id) FROM cards"));
    let copies = (target as i64 + msg_count - 1) / msg_count.max(1) - 1;
    if copies <= 0 || msg_count == 0 {
        return json!({"messages": msg_count, "copies": 0});
    }

    // The index text of every scanned message, once.
    conn.execute_batch(
        "CREATE TEMP TABLE src_fts (id INTEGER PRIMARY KEY, subject, addresses, body, attachments, ids, provider, errors);
         CREATE TEMP TABLE vocab (n INTEGER PRIMARY KEY, w TEXT NOT NULL);
         CREATE TEMP TABLE src_addresses AS SELECT address, ts, message FROM message_addresses;
         BEGIN",
    )
    .expect("sql");
    let verifier = Verifier::disabled();
    let mut words = BTreeSet::new();
    {
        let mut list = conn.prepare("SELECT id, sha256 FROM messages ORDER BY id").expect("sql");
        let rows: Vec<(i64, String)> = list.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("sql").flatten().collect();
        let mut ins = conn.prepare("INSERT INTO src_fts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)").expect("sql");
        for (id, sha) in rows {
            let Ok(raw) = std::fs::read(dir.join("blobs").join(&sha[..2]).join(&sha)) else { continue };
            let f = extract::extract(&raw, &verifier).fts;
            words.extend(f.subject.split_whitespace().filter(|w| w.len() > 3 && w.chars().all(char::is_alphanumeric)).map(str::to_lowercase));
            ins.execute(params![id, f.subject, f.addresses, f.body, f.attachments, f.ids, f.provider, f.errors]).expect("sql");
        }
        let mut ins = conn.prepare("INSERT INTO vocab (n, w) VALUES (?1, ?2)").expect("sql");
        for (n, w) in words.iter().enumerate() {
            ins.execute(params![n as i64, w]).expect("sql");
        }
    }
    conn.execute_batch("COMMIT").expect("sql");
    let vocab = words.len().max(1) as i64;
    eprintln!("scale: index text of {msg_count} messages extracted in {:.1} s; {copies} copies to make", t.elapsed().as_secs_f64());

    let msg_cols = "sha256, size, kind, parse_error, message_id, refers_to, header_ref, identificativo, subject, from_addr, to_addrs, delivered_to, date, date_ts,
        dc_tipo, dc_mittente, dc_destinatari, dc_data, dc_ts, dc_consegna, dc_errore, dc_errore_esteso, dc_ricevuta, dc_gestore, dc_oggetto,
        sig_integrity, sig_trust, sig_detail, signer, inconsistencies, notes, pc_subject, pc_date, pc_date_ts, added_at";
    for k in 1..=copies {
        let (off, coff, shift) = (k * msg_max, k * card_max, k * 30 * DAY);
        let sfx = format!(".{k}");
        conn.execute_batch("BEGIN").expect("sql");
        conn.execute(
            &format!(
                "INSERT INTO messages (id, {msg_cols})
                 SELECT id + ?1, sha256 || ?2, size, kind, parse_error, message_id || ?2, refers_to || ?2, header_ref || ?2, identificativo || ?2,
                    subject, from_addr, to_addrs, delivered_to, date, date_ts - ?3,
                    dc_tipo, dc_mittente, dc_destinatari, dc_data, dc_ts - ?3, dc_consegna, dc_errore, dc_errore_esteso, dc_ricevuta, dc_gestore, dc_oggetto,
                    sig_integrity, sig_trust, sig_detail, signer, inconsistencies, notes, pc_subject, pc_date, pc_date_ts - ?3, added_at
                 FROM messages WHERE id <= ?4"
            ),
            params![off, sfx, shift, msg_max],
        )
        .expect("copy messages");
        conn.execute(
            "INSERT INTO locations (message, path, offset, seen_at) SELECT message + ?1, path || ?2, offset, seen_at FROM locations WHERE message <= ?3",
            params![off, sfx, msg_max],
        )
        .expect("copy locations");
        conn.execute(
            "INSERT INTO cards (id, key, kind, account, msgid, identificativo, subject, sender, sent_at, sent_ts, accepted_at, accepted_ts,
                acceptance, n_delivered, n_failed, n_unresolved, proof_ok, problems, origin, original)
             SELECT id + ?1, key || ?2, kind, account, msgid || ?2, identificativo || ?2, subject, sender, sent_at, sent_ts - ?3, accepted_at, accepted_ts - ?3,
                acceptance, n_delivered, n_failed, n_unresolved, proof_ok, problems, origin, original + ?4
             FROM cards WHERE id <= ?5",
            params![coff, sfx, shift, off, card_max],
        )
        .expect("copy cards");
        conn.execute(
            "INSERT INTO card_recipients (card, pos, address, type, state, at, error, receipt)
             SELECT card + ?1, pos, address, type, state, at, error, receipt + ?2 FROM card_recipients WHERE card <= ?3",
            params![coff, off, card_max],
        )
        .expect("copy recipients");
        conn.execute(
            "INSERT INTO card_messages (card, message, role) SELECT card + ?1, message + ?2, role FROM card_messages WHERE card <= ?3",
            params![coff, off, card_max],
        )
        .expect("copy card links");
        conn.execute(
            "INSERT INTO message_addresses (address, ts, message)
             SELECT address, CASE WHEN ts = ?1 THEN ts ELSE ts - ?2 END, message + ?3 FROM src_addresses",
            params![archive::addresses::NO_TIME, shift, off],
        )
        .expect("copy addresses");
        conn.execute(
            "INSERT INTO fts (rowid, subject, addresses, body, attachments, ids, provider, errors)
             SELECT s.id + ?1, s.subject || ' ' || v.w, s.addresses, s.body, s.attachments, replace(s.ids, '@', ?2 || '@'), s.provider, s.errors
             FROM src_fts s JOIN vocab v ON v.n = (s.id * 31 + ?3 * 17) % ?4",
            params![off, format!("r{k}"), k, vocab],
        )
        .expect("copy index text");
        conn.execute_batch("COMMIT").expect("sql");
        if k % 5 == 0 || k == copies {
            eprintln!("scale: copy {k}/{copies} done at {:.0} s", t.elapsed().as_secs_f64());
        }
    }
    conn.execute_batch("DROP TABLE src_fts; DROP TABLE vocab; DROP TABLE src_addresses; PRAGMA wal_checkpoint(TRUNCATE);").expect("sql");
    // A scan that adds this much merges the full-text index at its end (see
    // archive::optimize); so does this, timed apart.
    let t_opt = Instant::now();
    arc.optimize_search_index().expect("merge the full-text index");
    let optimize_s = t_opt.elapsed().as_secs_f64();
    eprintln!("scale: full-text index merged in {optimize_s:.1} s");
    let messages = q("SELECT count(*) FROM messages");
    let cards = q("SELECT count(*) FROM cards");
    let secs = t.elapsed().as_secs_f64();
    let db = std::fs::metadata(dir.join("archive.db")).map(|m| m.len()).unwrap_or(0);
    eprintln!("scale: {messages} messages, {cards} cards ({copies} copies of {msg_count}) in {secs:.0} s; database {:.0} MB", db as f64 / 1e6);
    json!({"messages": messages, "cards": cards, "copies": copies, "seconds": secs, "fts_optimize_seconds": optimize_s, "database_bytes": db})
}
