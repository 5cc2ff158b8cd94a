//! Merging the full-text index after a scan that grew the archive a lot.
//!
//! FTS5 writes each transaction's rows as a new segment and merges segments only
//! step by step as later rows come (automerge), so after a big scan the index is a
//! stack of segments, and every lookup seeks in each one. Search walks that probe
//! the index once per message pay that on every probe: at a million messages (14
//! segments) the slowest word searches took 18 ms, 8 ms once merged into one
//! segment. Merging (`optimize`) rewrites the whole index, about 8 s at a million
//! messages on the loaded development machine, so it is done only when a scan added
//! at least a tenth of the archive (a first scan always does), not after every
//! small one.
use rusqlite::Connection;

use crate::error::Result;

/// A scan that added fewer messages than this never merges (small archives and
/// small scans gain nothing measurable).
const MIN_NEW: u64 = 1000;

/// Whether a scan that added `new` messages to an archive of `total` should merge.
fn worth_it(new: u64, total: u64) -> bool {
    new >= MIN_NEW && new.saturating_mul(10) >= total
}

/// Merge the full-text index into one segment, then give the write-ahead log back
/// (the merge passes the whole index through it).
pub fn optimize(conn: &Connection) -> Result<()> {
    conn.execute_batch("INSERT INTO fts(fts) VALUES('optimize')")?;
    // A reader still open keeps part of the log: the checkpoint then does what it
    // can and the rest goes at a later one (never an error).
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// After a scan that added `new` messages: merge if it grew the archive enough.
/// Returns whether it merged.
pub fn after_scan(conn: &Connection, new: u64) -> Result<bool> {
    let total: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    if !worth_it(new, total.max(0) as u64) {
        return Ok(false);
    }
    optimize(conn)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_after_a_first_scan_or_a_big_one_only() {
        assert!(worth_it(48_740, 48_740));
        assert!(worth_it(100_000, 1_000_000));
        assert!(!worth_it(99_999, 1_000_000));
        assert!(!worth_it(999, 999));
    }

    /// Merging leaves one segment and every word still found.
    #[test]
    fn optimize_merges_the_segments_and_keeps_every_row() {
        let d = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&d.path().join("archive.db"), true).unwrap();
        for id in 1..=30i64 {
            // One transaction each: one segment each.
            conn.execute("INSERT INTO fts (rowid, subject, body) VALUES (?1, ?2, 'fattura')", rusqlite::params![id, format!("s{id}")]).unwrap();
        }
        let segments = |c: &Connection| c.query_row("SELECT count(DISTINCT segid) FROM fts_idx", [], |r| r.get::<_, i64>(0)).unwrap();
        assert!(segments(&conn) > 1);
        optimize(&conn).unwrap();
        assert_eq!(segments(&conn), 1);
        let n: i64 = conn.query_row("SELECT count(*) FROM fts WHERE fts MATCH 'fattura'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 30);
        let one: i64 = conn.query_row("SELECT rowid FROM fts WHERE fts MATCH 's17'", [], |r| r.get(0)).unwrap();
        assert_eq!(one, 17);
    }
}
