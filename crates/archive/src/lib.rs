//! # archive: the Cartolina PEC archive
//!
//! For every PEC message the user sent, one **card**: accepted or not, then per
//! recipient delivered / failed / warned / pending / overdue / not provable, each backed
//! by a verified receipt; for every PEC message received, a card that is the proof of
//! receipt; and every message findable by full-text search.
//!
//! ## Layout of an archive folder
//! * `archive.db`: SQLite (WAL), schema in [`db::schema`], versioned by
//!   `PRAGMA user_version`;
//! * `blobs/ab/abcd...`: every message's raw bytes, named by SHA-256 ([`store`]),
//!   kept even when the source is deleted;
//! * `lock`: held by the process writing (a scan), see [`lock`].
//!
//! ## Flow
//! [`Archive::scan`] walks sources ([`ingest`]): each message is hashed, parsed (crate
//! `pec`), verified (crate `verify`, through [`signature`]), its blob written, its row
//! inserted ([`writer`]); then the cards its receipts touch are recomputed
//! ([`pairing`]). [`cards`] reads cards (the pending/overdue split is decided on read,
//! against a [`Clock`]), [`search`] queries the FTS5 index, [`fsck`] re-checks it all,
//! [`reverify`] re-judges stored signatures after the trust anchors change,
//! [`optimize`] merges the full-text index after a big scan.
//! [`Archive::ingest_bytes`] ([`live`]) takes what a live source reports, through
//! the same stages, and [`Archive::mark_gone`] what it reports gone.
//!
//! ## Guarantees
//! * Idempotent: the same bytes are one record however often and wherever they are
//!   seen; each place is one location `(path, mbox offset)`.
//! * Crash-safe: blob (fsync, rename) before row; rows, their dirty cards and the
//!   "file done" marker in transactions ordered so a `kill -9` at any point leaves a
//!   consistent archive and the next scan finishes the work.
//! * Sources are only ever read.
//!
//! Depends on the engine crates (`pec`, `verify`, `sources`); they never depend on it.

pub mod addresses;
pub mod cards;
pub mod clock;
pub mod db;
pub mod error;
pub mod extract;
pub mod fsck;
pub mod ingest;
pub mod live;
pub mod lock;
pub mod optimize;
pub mod pairing;
pub mod reverify;
pub mod search;
pub mod signature;
pub mod store;
pub mod writer;

use std::path::{Path, PathBuf};

pub use cards::{CardFilter, CardMessage, CardView, RecipientView};
pub use clock::Clock;
pub use error::{Error, Result};
pub use ingest::{Progress, ScanOptions, ScanSummary};
pub use live::{IngestOutcome, LiveItem, LiveLocation};
pub use search::{Hit, SearchQuery};
pub use signature::Verifier;

/// An open archive. Writing operations ([`Archive::scan`]) need
/// [`Archive::open_for_writing`], which holds the lock; readers use
/// [`Archive::open_readonly`] and may run alongside a scan.
pub struct Archive {
    dir: PathBuf,
    pub(crate) db_path: PathBuf,
    pub(crate) conn: rusqlite::Connection,
    pub(crate) blobs: store::BlobStore,
    _lock: Option<lock::ArchiveLock>,
}

impl Archive {
    /// `--archive DIR`, else `CARTOLINA_ARCHIVE`, else the platform data folder
    /// (e.g. `~/.local/share/cartolina` on Linux).
    pub fn resolve_dir(cli: Option<&Path>) -> Result<PathBuf> {
        if let Some(d) = cli {
            return Ok(d.to_path_buf());
        }
        if let Some(d) = std::env::var_os("CARTOLINA_ARCHIVE").filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(d));
        }
        directories::ProjectDirs::from("it", "Cartolina", "cartolina")
            .map(|p| p.data_dir().to_path_buf())
            .ok_or(Error::NoDefaultDir)
    }

    /// Open (creating if needed) with the writer lock held until drop.
    pub fn open_for_writing(dir: &Path) -> Result<Archive> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let lock = lock::ArchiveLock::acquire(dir)?;
        let db_path = dir.join("archive.db");
        let blobs_dir = dir.join("blobs");
        if !db_path.exists() && blobs_dir.is_dir() && !store::BlobStore::open(blobs_dir.clone())?.is_empty() {
            return Err(Error::MissingDatabase { path: dir.to_path_buf(), db: db_path });
        }
        let mut conn = db::open(&db_path, true)?;
        // Cards left to recompute (by a migration, or a process killed between a batch
        // and its pairing) are recomputed now, before anyone reads them.
        pairing::process_dirty(&mut conn)?;
        let blobs = store::BlobStore::open(blobs_dir)?;
        Ok(Archive { dir: dir.to_path_buf(), db_path, conn, blobs, _lock: Some(lock) })
    }

    /// Open an existing archive for reading (status, search, show, fsck). An archive of
    /// an older schema version is upgraded first (see [`Error::TooOld`]).
    pub fn open_readonly(dir: &Path) -> Result<Archive> {
        let db_path = dir.join("archive.db");
        if !db_path.exists() {
            return Err(Error::NoArchive(dir.to_path_buf()));
        }
        let conn = match db::open_readonly(&db_path) {
            // An archive written by an older version: readers would fail until the next
            // scan, so upgrade it now (the writer's lock and migrations), then read.
            // If that cannot be done now (a scan holds the lock, a read-only disk), the
            // typed error says what to do.
            Err(too_old @ Error::TooOld { .. }) => {
                if Archive::open_for_writing(dir).is_err() {
                    return Err(too_old);
                }
                db::open_readonly(&db_path)?
            }
            r => r?,
        };
        let blobs = store::BlobStore::at(dir.join("blobs"));
        Ok(Archive { dir: dir.to_path_buf(), db_path, conn, blobs, _lock: None })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn connection(&self) -> &rusqlite::Connection {
        &self.conn
    }

    /// Store, index and pair every message under `paths`.
    /// A scan that grew the archive by a tenth or more ends by merging the full-text
    /// index ([`optimize`]).
    pub fn scan(&mut self, paths: &[PathBuf], opts: &ScanOptions, progress: &mut dyn FnMut(&Progress)) -> Result<ScanSummary> {
        let summary = ingest::scan(self, paths, opts, progress).map_err(|e| self.locate(e))?;
        optimize::after_scan(&self.conn, summary.write.messages_new).map_err(|e| self.locate(e))?;
        Ok(summary)
    }

    /// Merge the full-text index into one segment now ([`optimize`]; needs
    /// [`Archive::open_for_writing`]).
    pub fn optimize_search_index(&self) -> Result<()> {
        optimize::optimize(&self.conn).map_err(|e| self.locate(e))
    }

    /// Live ingest ([`live`]): store, index and pair messages a live source reported,
    /// as raw bytes plus where they were seen, in one transaction; then recompute the
    /// cards they touch. Idempotent (same bytes: one record; a known place: no new
    /// location). Needs [`Archive::open_for_writing`].
    pub fn ingest_bytes(&mut self, items: &[(LiveLocation, &[u8])], verifier: &Verifier) -> Result<IngestOutcome> {
        live::ingest_bytes(self, items, verifier).map_err(|e| self.locate(e))
    }

    /// A live source reports the message at `location` gone: the location is marked
    /// (`gone_at`), never deleted; the bytes, the message and its cards stay. Returns
    /// whether a location was marked.
    pub fn mark_gone(&mut self, location: &LiveLocation) -> Result<bool> {
        live::mark_gone(self, location).map_err(|e| self.locate(e))
    }

    /// Verify every stored signature again with `verifier` (after importing trust
    /// anchors) and recompute the cards whose verdicts changed. Returns (checked, changed).
    pub fn reverify(&mut self, verifier: &Verifier) -> Result<(u64, u64)> {
        reverify::reverify(self, verifier).map_err(|e| self.locate(e))
    }

    /// Cards matching `filter`, streamed to `each`.
    pub fn for_each_card(&self, filter: &CardFilter, clock: &Clock, each: &mut dyn FnMut(CardView) -> Result<()>) -> Result<()> {
        cards::for_each(&self.conn, filter, clock, each).map_err(|e| self.locate(e))
    }

    pub fn cards(&self, filter: &CardFilter, clock: &Clock) -> Result<Vec<CardView>> {
        let mut out = Vec::new();
        self.for_each_card(filter, clock, &mut |c| {
            out.push(c);
            Ok(())
        })?;
        Ok(out)
    }

    /// How many cards match `filter` (for paging).
    pub fn count_cards(&self, filter: &CardFilter, clock: &Clock) -> Result<u64> {
        cards::count(&self.conn, filter, clock).map_err(|e| self.locate(e))
    }

    /// Cards matching `filter`, per state.
    pub fn count_cards_by_state(&self, filter: &CardFilter, clock: &Clock) -> Result<std::collections::BTreeMap<String, u64>> {
        cards::count_by_state(&self.conn, filter, clock).map_err(|e| self.locate(e))
    }

    /// The user's PEC accounts that have cards.
    pub fn accounts(&self) -> Result<Vec<String>> {
        cards::accounts(&self.conn).map_err(|e| self.locate(e))
    }

    /// One card by id, identificativo or Message-ID, with its messages.
    pub fn card(&self, id: &str, clock: &Clock) -> Result<(CardView, Vec<CardMessage>)> {
        let card = cards::find(&self.conn, id, clock).map_err(|e| self.locate(e))?;
        let msgs = cards::messages_of(&self.conn, card.id).map_err(|e| self.locate(e))?;
        Ok((card, msgs))
    }

    pub fn search(&self, q: &SearchQuery, clock: &Clock) -> Result<Vec<Hit>> {
        search::search(&self.conn, q, clock).map_err(|e| self.locate(e))
    }

    pub fn fsck(&self, report: &mut dyn FnMut(&fsck::Finding)) -> Result<fsck::FsckSummary> {
        fsck::run(self, report).map_err(|e| self.locate(e))
    }

    /// Counts for summaries: (messages, cards, locations).
    pub fn counts(&self) -> Result<(u64, u64, u64)> {
        let q = |sql: &str| self.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64);
        Ok((q("SELECT count(*) FROM messages")?, q("SELECT count(*) FROM cards")?, q("SELECT count(*) FROM locations")?))
    }

    /// Give SQLite errors the database path (they are created without it).
    fn locate(&self, e: Error) -> Error {
        match e {
            Error::Sql(s) => Error::sql(&self.db_path, s),
            Error::DiskFull { path } if path == Path::new("archive.db") => Error::DiskFull { path: self.db_path.clone() },
            Error::Corrupt { path, detail } if path == Path::new("archive.db") => Error::Corrupt { path: self.db_path.clone(), detail },
            other => other,
        }
    }
}
