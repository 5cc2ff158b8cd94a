//! The single database writer of a scan: batches of records in one transaction each.
//!
//! Ordering is what makes a kill -9 harmless: a record's blob is written (and fsynced,
//! with its folder) before the transaction that inserts its row commits; the `sources`
//! row that lets a rescan skip a file is written only in a transaction after every
//! message of that file, and the `scan_folders` row that lets it skip a whole Maildir
//! folder only in a transaction after every file of that folder; `dirty` card keys
//! commit with the messages that touch them.
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::extract::Record;
use crate::store::{BlobStore, Put};

/// What the writer is sent, in order per file: `FileStart`, records, `FileEnd`; and
/// after the `FileEnd` of every file of a Maildir folder, its `FolderEnd`.
#[derive(Debug)]
pub enum Item {
    FileStart { path: String, changed: bool },
    Record { path: String, offset: i64, rec: Box<Record>, put: Put },
    FileEnd { path: String, size: i64, mtime_ns: i64, kind: &'static str, messages: u64, complete: bool },
    /// A Maildir `cur/`/`new/` (no subfolders) listed at `mtime_ns` with `files` files.
    /// `complete`: every file was read; only then may a rescan skip the folder.
    FolderEnd { path: String, mtime_ns: i64, files: u64, complete: bool },
}

#[derive(Debug, Default)]
struct FileState {
    received: u64,
    end: Option<(i64, i64, &'static str, u64, bool)>,
}

/// Counters the scan summary is made of.
#[derive(Debug, Default, Clone)]
pub struct WriteStats {
    pub messages_new: u64,
    pub messages_known: u64,
    pub locations_new: u64,
    pub files_indexed: u64,
    pub kinds_new: std::collections::BTreeMap<String, u64>,
    pub signature_problems: u64,
}

pub struct Writer<'a> {
    conn: &'a mut Connection,
    blobs: &'a BlobStore,
    files: HashMap<String, FileState>,
    /// Folders ended by the reader whose files are not all written yet.
    folders: Vec<(String, i64, u64, bool)>,
    pub stats: WriteStats,
    now: i64,
}

impl<'a> Writer<'a> {
    pub fn new(conn: &'a mut Connection, blobs: &'a BlobStore, now: i64) -> Writer<'a> {
        Writer { conn, blobs, files: HashMap::new(), folders: Vec::new(), stats: WriteStats::default(), now }
    }

    /// Write one batch in one transaction.
    pub fn write_batch(&mut self, items: Vec<Item>) -> Result<()> {
        // Blobs first: make the renames of this batch's new blobs durable.
        let shards: BTreeSet<PathBuf> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record { put: Put::New { shard }, .. } => Some(shard.clone()),
                _ => None,
            })
            .collect();
        self.blobs.make_durable(&shards)?;
        let tx = self.conn.transaction()?;
        let mut stats = self.stats.clone();
        let mut done_files = Vec::new();
        for item in items {
            match item {
                Item::FileStart { path, changed } => {
                    if changed {
                        // The file changed since it was indexed: its old (path, offset)
                        // locations may now point at other bytes. The messages stay.
                        tx.prepare_cached("DELETE FROM locations WHERE path = ?1")?.execute([&path])?;
                        tx.prepare_cached("DELETE FROM sources WHERE path = ?1")?.execute([&path])?;
                    }
                    self.files.entry(path).or_default();
                }
                Item::Record { path, offset, rec, .. } => {
                    let (id, new) = insert_message(&tx, &rec, self.now)?;
                    if new {
                        stats.messages_new += 1;
                        *stats.kinds_new.entry(rec.kind.to_string()).or_default() += 1;
                        if rec.kind != "plain" && rec.kind != "unparsable" && !crate::signature::is_proof(rec.sig.integrity, rec.sig.trust) {
                            stats.signature_problems += 1;
                        }
                    } else {
                        stats.messages_known += 1;
                    }
                    let n = tx
                        .prepare_cached(
                            "INSERT INTO locations (message, path, offset, seen_at) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT(path, offset) DO UPDATE SET message = excluded.message, seen_at = excluded.seen_at
                             WHERE message <> excluded.message",
                        )?
                        .execute(params![id, path, offset, self.now])?;
                    stats.locations_new += n as u64;
                    let st = self.files.entry(path.clone()).or_default();
                    st.received += 1;
                    if is_file_done(st) {
                        done_files.push(path);
                    }
                }
                Item::FileEnd { path, size, mtime_ns, kind, messages, complete } => {
                    let st = self.files.entry(path.clone()).or_default();
                    st.end = Some((size, mtime_ns, kind, messages, complete));
                    if is_file_done(st) {
                        done_files.push(path);
                    }
                }
                Item::FolderEnd { path, mtime_ns, files, complete } => self.folders.push((path, mtime_ns, files, complete)),
            }
        }
        for path in done_files {
            if let Some(st) = self.files.remove(&path) {
                if let Some((size, mtime, kind, messages, true)) = st.end {
                    tx.prepare_cached("INSERT OR REPLACE INTO sources (path, size, mtime_ns, kind, messages, scanned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                        .execute(params![path, size, mtime, kind, messages as i64, self.now])?;
                    stats.files_indexed += 1;
                }
            }
        }
        // A folder is recorded once none of its files waits for records (the folders
        // sent here have no subfolders, so its files are the paths right under it).
        let files = &self.files;
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.folders)
            .into_iter()
            .partition(|(folder, ..)| !files.keys().any(|f| f.strip_prefix(folder.as_str()).is_some_and(|rest| rest.starts_with('/'))));
        self.folders = waiting;
        for (path, mtime_ns, files, complete) in ready {
            if complete {
                tx.prepare_cached("INSERT OR REPLACE INTO scan_folders (path, mtime_ns, files, scanned_at) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![path, mtime_ns, files as i64, self.now])?;
            } else {
                tx.prepare_cached("DELETE FROM scan_folders WHERE path = ?1")?.execute([&path])?;
            }
        }
        tx.commit()?;
        self.stats = stats;
        Ok(())
    }
}

fn is_file_done(st: &FileState) -> bool {
    matches!(st.end, Some((_, _, _, n, _)) if n == st.received)
}

/// Insert the message unless its bytes are already known. Returns (id, inserted).
///
/// Every statement here runs once per message: they are cached (`prepare_cached`), as
/// compiling them each time cost more than executing them.
fn insert_message(tx: &rusqlite::Transaction<'_>, r: &Record, now: i64) -> Result<(i64, bool)> {
    if let Some(id) = tx
        .prepare_cached("SELECT id FROM messages WHERE sha256 = ?1")?
        .query_row([&r.sha256], |row| row.get::<_, i64>(0))
        .optional()?
    {
        return Ok((id, false));
    }
    let dc = r.dc.as_ref();
    tx.prepare_cached(
        "INSERT INTO messages (sha256, size, kind, parse_error, message_id, refers_to, header_ref, identificativo,
            subject, from_addr, to_addrs, delivered_to, date, date_ts,
            dc_tipo, dc_mittente, dc_destinatari, dc_data, dc_ts, dc_consegna, dc_errore, dc_errore_esteso, dc_ricevuta, dc_gestore, dc_oggetto,
            sig_integrity, sig_trust, sig_detail, signer, inconsistencies, notes, pc_subject, pc_date, pc_date_ts, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,
            ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)",
    )?
    .execute(params![
            r.sha256,
            r.size,
            r.kind,
            r.parse_error,
            r.message_id,
            r.refers_to,
            r.header_ref,
            r.identificativo,
            r.subject,
            r.from_addr,
            r.to_addrs,
            r.delivered_to,
            r.date,
            r.date_ts,
            dc.map(|d| d.tipo),
            dc.map(|d| &d.mittente),
            dc.map(|d| &d.destinatari),
            dc.map(|d| &d.data),
            dc.map(|d| d.ts),
            dc.and_then(|d| d.consegna.as_ref()),
            dc.map(|d| d.errore),
            dc.and_then(|d| d.errore_esteso.as_ref()),
            dc.and_then(|d| d.ricevuta),
            dc.map(|d| &d.gestore),
            dc.and_then(|d| d.oggetto.as_ref()),
            r.sig.integrity,
            r.sig.trust,
            r.sig.detail,
            r.sig.signer,
            r.inconsistencies,
            r.notes,
            r.pc_subject,
            r.pc_date,
            r.pc_date_ts,
            now,
        ])?;
    let id = tx.last_insert_rowid();
    let f = &r.fts;
    tx.prepare_cached("INSERT INTO fts (rowid, subject, addresses, body, attachments, ids, provider, errors) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![id, f.subject, f.addresses, f.body, f.attachments, f.ids, f.provider, f.errors])?;
    crate::addresses::insert(tx, id, r)?;
    for key in dirty_keys(r) {
        tx.prepare_cached("INSERT OR IGNORE INTO dirty (key) VALUES (?1)")?.execute([key])?;
    }
    Ok((id, true))
}

/// The cards a new message can change (see [`crate::pairing`] for the key format).
fn dirty_keys(r: &Record) -> Vec<String> {
    let mut keys = Vec::new();
    match r.kind {
        // One card per envelope, whatever copies of it are stored (see crate::pairing).
        "transport" | "anomaly" => keys.push(format!("r:{}", r.identificativo.as_deref().filter(|i| !i.is_empty()).unwrap_or(&r.sha256))),
        "plain" => {
            if let Some(m) = &r.message_id {
                keys.push(format!("m:{m}"));
            }
            // An unsigned message claiming to be a receipt: shown on the card it names.
            if let Some(h) = &r.header_ref {
                keys.push(format!("m:{h}"));
            }
        }
        "unparsable" => {}
        _ => {
            if let Some(m) = &r.refers_to {
                keys.push(format!("m:{m}"));
            }
        }
    }
    keys.dedup();
    keys
}

/// Is this source file already indexed with this size and mtime? `Some(changed)` tells
/// whether a previous version of it was indexed (its locations must be replaced).
pub fn source_state(conn: &Connection, path: &str, size: i64, mtime_ns: i64) -> Result<SourceState> {
    // Cached: a rescan asks this once per file and otherwise does almost nothing.
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT size, mtime_ns FROM sources WHERE path = ?1")?
        .query_row([path], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(Error::from)?;
    Ok(match row {
        None => SourceState::New,
        Some((s, m)) if s == size && m == mtime_ns => SourceState::Unchanged,
        Some(_) => SourceState::Changed,
    })
}

/// How many files a Maildir folder held when it was last indexed whole at this
/// modification time; `None` when it must be listed (new, changed, or never whole).
pub fn folder_files(conn: &Connection, path: &str, mtime_ns: i64) -> Result<Option<u64>> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT mtime_ns, files FROM scan_folders WHERE path = ?1")?
        .query_row([path], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(Error::from)?;
    Ok(row.filter(|&(m, _)| m == mtime_ns && m != 0).map(|(_, n)| n as u64))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState {
    New,
    Unchanged,
    Changed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::Verifier;

    fn folder_row(conn: &Connection, path: &str) -> Option<(i64, i64)> {
        conn.query_row("SELECT mtime_ns, files FROM scan_folders WHERE path = ?1", [path], |r| Ok((r.get(0)?, r.get(1)?))).optional().unwrap()
    }

    /// A folder's end reaches the writer before the records of its last files (the
    /// workers are still on them): it must not be recorded until they are written, or
    /// a kill in between would leave a folder a rescan skips with messages missing.
    #[test]
    fn a_folder_is_recorded_only_after_all_its_files() {
        let d = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&d.path().join("archive.db"), true).unwrap();
        let blobs = BlobStore::open(d.path().join("blobs")).unwrap();
        let verifier = Verifier::new(&[] as &[&str], 0).unwrap();
        let raw = b"From: a@example.it\r\nSubject: x\r\nMessage-ID: <1@example.it>\r\n\r\nx\r\n";
        let rec = crate::extract::extract(raw, &verifier);
        let put = blobs.put(&rec.sha256, raw).unwrap();
        let file = "/m/cur/1.M1P1.h:2,S".to_string();
        let reader = crate::db::open_readonly(&d.path().join("archive.db")).unwrap();
        let mut w = Writer::new(&mut conn, &blobs, 0);
        w.write_batch(vec![
            Item::FileStart { path: file.clone(), changed: true },
            Item::FileEnd { path: file.clone(), size: raw.len() as i64, mtime_ns: 1, kind: "file", messages: 1, complete: true },
            Item::FolderEnd { path: "/m/cur".into(), mtime_ns: 7, files: 1, complete: true },
            // Another folder whose name starts the same is not waiting for that file.
            Item::FolderEnd { path: "/m/cu".into(), mtime_ns: 8, files: 0, complete: true },
        ])
        .unwrap();
        assert_eq!(folder_row(&reader, "/m/cur"), None);
        assert_eq!(folder_row(&reader, "/m/cu"), Some((8, 0)));
        w.write_batch(vec![Item::Record { path: file, offset: -1, rec: Box::new(rec), put }]).unwrap();
        assert_eq!(folder_row(&reader, "/m/cur"), Some((7, 1)));
        // Listed again with a file that could not be read: the row goes.
        w.write_batch(vec![Item::FolderEnd { path: "/m/cur".into(), mtime_ns: 9, files: 2, complete: false }]).unwrap();
        assert_eq!(folder_row(&reader, "/m/cur"), None);
    }
}
