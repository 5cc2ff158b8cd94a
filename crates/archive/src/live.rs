//! Live ingest: raw bytes plus a location, as a live source (`cartolina watch`) reports
//! them, through the same path as a scan: hash, parse, verify ([`crate::extract`]), blob
//! ([`crate::store`], written and made durable before its row), rows and dirty card
//! keys in one transaction ([`crate::writer`]), then the dirty cards recomputed
//! ([`crate::pairing`]).
//!
//! Idempotent like a scan: the same bytes are one message record; a known
//! `(path, offset)` adds no location. A message that leaves its source is
//! [`Archive::mark_gone`]: the location gets `gone_at`, the bytes and cards stay.
use std::collections::BTreeSet;
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use crate::error::Result;
use crate::extract;
use crate::signature::Verifier;
use crate::writer::{Item, Writer};
use crate::Archive;

/// Where a live source saw a message: a file (`offset: None`, stored as -1 like a
/// scan's single files) or an mbox and the offset of its `From ` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveLocation {
    pub path: PathBuf,
    pub offset: Option<u64>,
}

impl LiveLocation {
    pub fn new(path: impl Into<PathBuf>, offset: Option<u64>) -> LiveLocation {
        LiveLocation { path: path.into(), offset }
    }

    /// The `(path, offset)` key as `locations` stores it: absolute path (as a scan
    /// stores it), -1 for a whole file.
    fn key(&self) -> (String, i64) {
        let p = std::path::absolute(&self.path).unwrap_or_else(|_| self.path.clone());
        (p.to_string_lossy().into_owned(), self.offset.map(|o| o as i64).unwrap_or(-1))
    }
}

/// What one ingested item became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveItem {
    /// The message record (`messages.id`).
    pub message: i64,
    /// Its bytes were new to the archive.
    pub new_message: bool,
    /// The cards the message belongs to after pairing (ids), usually one or none.
    pub cards: Vec<i64>,
}

/// What [`Archive::ingest_bytes`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// One per input item, in order.
    pub items: Vec<LiveItem>,
    pub messages_new: u64,
    pub messages_known: u64,
    pub locations_new: u64,
    /// Ids of the cards recomputed by this call (sorted, distinct).
    pub cards_changed: Vec<i64>,
}

pub(crate) fn ingest_bytes(archive: &mut Archive, items: &[(LiveLocation, &[u8])], verifier: &Verifier) -> Result<IngestOutcome> {
    let mut out = IngestOutcome::default();
    if items.is_empty() {
        return Ok(out);
    }
    let now = chrono::Utc::now().timestamp();
    let mut batch = Vec::with_capacity(items.len());
    let mut shas = Vec::with_capacity(items.len());
    let mut keys = Vec::with_capacity(items.len());
    for (loc, bytes) in items {
        let rec = extract::extract(bytes, verifier);
        // Blob first (written, renamed; the writer fsyncs its folder before the row).
        let put = archive.blobs.put(&rec.sha256, bytes)?;
        let (path, offset) = loc.key();
        shas.push(rec.sha256.clone());
        keys.push((path.clone(), offset));
        batch.push(Item::Record { path, offset, rec: Box::new(rec), put });
    }
    // Which bytes the archive already had, before this batch.
    let mut known = std::collections::HashSet::new();
    for sha in &shas {
        if archive.conn.query_row("SELECT 1 FROM messages WHERE sha256 = ?1", [sha], |_| Ok(())).optional()?.is_some() {
            known.insert(sha.clone());
        }
    }
    let stats = {
        let mut writer = Writer::new(&mut archive.conn, &archive.blobs, now);
        writer.write_batch(batch)?;
        writer.stats.clone()
    };
    out.messages_new = stats.messages_new;
    out.messages_known = stats.messages_known;
    out.locations_new = stats.locations_new;
    // A message back where it was reported gone is there again.
    for (path, offset) in &keys {
        archive
            .conn
            .execute("UPDATE locations SET gone_at = NULL WHERE path = ?1 AND offset = ?2 AND gone_at IS NOT NULL", params![path, offset])?;
    }
    // The keys to recompute (this batch's and any left by an interrupted run).
    let dirty: Vec<String> = {
        let mut st = archive.conn.prepare("SELECT key FROM dirty")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    crate::pairing::process_dirty(&mut archive.conn)?;
    let mut changed = BTreeSet::new();
    for k in &dirty {
        if let Some(id) = archive.conn.query_row("SELECT id FROM cards WHERE key = ?1", [k], |r| r.get::<_, i64>(0)).optional()? {
            changed.insert(id);
        }
    }
    out.cards_changed = changed.into_iter().collect();
    let mut seen = std::collections::HashSet::new();
    for sha in &shas {
        let message: i64 = archive.conn.query_row("SELECT id FROM messages WHERE sha256 = ?1", [sha], |r| r.get(0))?;
        let cards: Vec<i64> = {
            let mut st = archive.conn.prepare_cached("SELECT card FROM card_messages WHERE message = ?1 ORDER BY card")?;
            let rows = st.query_map([message], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // New: unknown before this call, and the first of its bytes in this call.
        let new_message = !known.contains(sha) && seen.insert(message);
        out.items.push(LiveItem { message, new_message, cards });
    }
    Ok(out)
}

pub(crate) fn mark_gone(archive: &mut Archive, loc: &LiveLocation) -> Result<bool> {
    let (path, offset) = loc.key();
    let now = chrono::Utc::now().timestamp();
    let n = archive
        .conn
        .execute("UPDATE locations SET gone_at = ?3 WHERE path = ?1 AND offset = ?2 AND gone_at IS NULL", params![path, offset, now])?;
    Ok(n > 0)
}
