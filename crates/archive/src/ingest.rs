//! `scan`: walk sources, store and index every message, then pair.
//!
//! Three stages on std threads, joined by bounded channels so memory stays flat:
//! 1. the reader walks the paths, skips Maildir `cur/`/`new/` folders indexed whole at
//!    their current modification time (without listing them: a rescan of an unchanged
//!    486,000-file Maildir is a few stats), skips files already indexed with the same
//!    size and mtime (without opening them), reads files and streams mbox messages;
//! 2. `jobs` workers hash, parse, verify and extract each message and write its blob;
//! 3. the calling thread is the only database writer, one transaction per batch
//!    ([`crate::writer`]), then recomputes the cards the batch made dirty.
//!
//! Sources are opened read-only and never written to.
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::extract;
use crate::signature::Verifier;
use crate::store::BlobStore;
use crate::writer::{self, Item, SourceState, WriteStats, Writer};
use crate::Archive;

mod feed;
use feed::Feed;

/// Records per transaction, and the longest a record waits before its batch commits.
/// Each batch costs a `syncfs` (blobs durable before rows) and a commit that rewrites
/// the B-tree and FTS pages it touched, so fewer, larger batches cost less (512 before).
const BATCH: usize = 2048;
const BATCH_WAIT: Duration = Duration::from_millis(300);
/// Messages waiting for the writer, so workers keep going while it commits. Each is a
/// batch (up to 16 records from a worker, [`feed`]): about 4,096 records, as before
/// batching, which bounds the memory they hold.
const QUEUE: usize = 256;
/// Unchanged files (rescan) reported to the writer in groups, not one message each.
const SKIP_REPORT: u64 = 1024;

pub struct ScanOptions {
    pub verifier: Verifier,
    /// Worker threads (default: the number of cores).
    pub jobs: usize,
}

impl ScanOptions {
    pub fn new(verifier: Verifier) -> ScanOptions {
        let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        ScanOptions { verifier, jobs }
    }
}

/// Where a scan is, for a progress display.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Files found by the walk so far (final once `walk_done`).
    pub files_total: u64,
    pub walk_done: bool,
    pub files_done: u64,
    pub files_skipped: u64,
    pub messages: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ScanSummary {
    pub files_seen: u64,
    pub files_skipped: u64,
    pub files_read: u64,
    pub messages_read: u64,
    pub bytes_read: u64,
    pub write: WriteStats,
    /// Unreadable or vanished files, unreadable directories, oversized messages.
    pub errors: Vec<String>,
    pub cards_updated: u64,
    pub elapsed: Duration,
}

enum ToWriter {
    Item(Item),
    /// Several messages in one send ([`feed`]).
    Many(Vec<ToWriter>),
    Progress { files_total: Option<u64>, skipped: u64, bytes: u64 },
    Error(String),
    Fatal(Error),
}

struct Job {
    path: String,
    offset: i64,
    bytes: Vec<u8>,
}

pub(crate) fn scan(archive: &mut Archive, roots: &[PathBuf], opts: &ScanOptions, progress: &mut dyn FnMut(&Progress)) -> Result<ScanSummary> {
    let started = Instant::now();
    archive.blobs.clean_tmp();
    let (out_tx, out_rx) = mpsc::sync_channel::<ToWriter>(QUEUE);
    // Batches of up to 16 jobs or 1 MiB ([`feed`]): 64 jobs in flight, as before batching.
    let (job_tx, job_rx) = mpsc::sync_channel::<Vec<Job>>(4);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let db_path = archive.db_path.clone();
    let now = chrono::Utc::now().timestamp();
    let mut summary = ScanSummary::default();
    let write_result = std::thread::scope(|s| -> Result<WriteStats> {
        let reader_out = out_tx.clone();
        let roots = roots.to_vec();
        let own = std::path::absolute(archive.dir()).unwrap_or_else(|_| archive.dir().to_path_buf());
        let reader = s.spawn(move || read_sources(&roots, &own, &db_path, job_tx, reader_out));
        for _ in 0..opts.jobs.max(1) {
            let rx = Arc::clone(&job_rx);
            let tx = out_tx.clone();
            let blobs = &archive.blobs;
            let verifier = &opts.verifier;
            s.spawn(move || work(rx, tx, blobs, verifier));
        }
        // Only the workers may hold the job receiver: if they all stop (the writer
        // failed), the reader's next send must fail instead of blocking forever.
        drop(job_rx);
        drop(out_tx);
        let mut writer = Writer::new(&mut archive.conn, &archive.blobs, now);
        let r = write_loop(&mut writer, out_rx, &mut summary, progress);
        // On a fatal error the receiver is dropped here, so the reader and the workers
        // stop at their next send instead of blocking.
        let stats = writer.stats.clone();
        drop(writer);
        let reader_stats = reader.join().unwrap_or_default();
        summary.files_seen = reader_stats.0;
        summary.files_read = reader_stats.1;
        summary.messages_read = reader_stats.2;
        r.map(|_| stats)
    });
    summary.write = write_result?;
    summary.cards_updated = crate::pairing::process_dirty(&mut archive.conn)?;
    summary.elapsed = started.elapsed();
    release_freed_memory();
    Ok(summary)
}

/// Give the memory the scan freed back to the system. glibc keeps freed blocks in
/// per-thread arenas: in a process that scans again (the app, `watch`, the benchmark)
/// the next scan's folder listings came on top of them, and a rescan of a
/// 486,364-file Maildir after its cold scan peaked at 254 MB instead of ~180.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn write_loop(writer: &mut Writer<'_>, rx: Receiver<ToWriter>, summary: &mut ScanSummary, progress: &mut dyn FnMut(&Progress)) -> Result<()> {
    let mut state = WriteLoop { batch: Vec::new(), records: 0, p: Progress::default(), first: Instant::now() };
    loop {
        match rx.recv_timeout(BATCH_WAIT) {
            Ok(m) => state.absorb(m, summary)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let st = &mut state;
        if st.records >= BATCH || (!st.batch.is_empty() && st.first.elapsed() >= BATCH_WAIT) {
            writer.write_batch(std::mem::take(&mut st.batch))?;
            st.records = 0;
            progress(&st.p);
        }
    }
    if !state.batch.is_empty() {
        writer.write_batch(state.batch)?;
    }
    progress(&state.p);
    Ok(())
}

/// The writer's batch in the making and the progress so far.
struct WriteLoop {
    batch: Vec<Item>,
    records: usize,
    p: Progress,
    /// When the oldest item of the batch arrived.
    first: Instant,
}

impl WriteLoop {
    fn absorb(&mut self, msg: ToWriter, summary: &mut ScanSummary) -> Result<()> {
        match msg {
            ToWriter::Item(item) => {
                match &item {
                    Item::Record { .. } => {
                        self.records += 1;
                        self.p.messages += 1;
                    }
                    Item::FileEnd { .. } => self.p.files_done += 1,
                    Item::FileStart { .. } | Item::FolderEnd { .. } => {}
                }
                if self.batch.is_empty() {
                    self.first = Instant::now();
                }
                self.batch.push(item);
            }
            ToWriter::Many(msgs) => {
                for m in msgs {
                    self.absorb(m, summary)?;
                }
            }
            ToWriter::Progress { files_total, skipped, bytes } => {
                if let Some(t) = files_total {
                    self.p.files_total = t;
                    self.p.walk_done = true;
                }
                self.p.files_skipped += skipped;
                self.p.files_done += skipped;
                summary.files_skipped += skipped;
                self.p.bytes += bytes;
                summary.bytes_read += bytes;
            }
            ToWriter::Error(e) => summary.errors.push(e),
            ToWriter::Fatal(e) => return Err(e),
        }
        Ok(())
    }
}

fn work(rx: Arc<Mutex<Receiver<Vec<Job>>>>, tx: SyncSender<ToWriter>, blobs: &BlobStore, verifier: &Verifier) {
    loop {
        // The lock is held only to take one batch.
        let jobs = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => return,
        };
        let Ok(jobs) = jobs else { return };
        let mut items = Vec::with_capacity(jobs.len());
        for job in jobs {
            let rec = extract::extract(&job.bytes, verifier);
            match blobs.put(&rec.sha256, &job.bytes) {
                Ok(put) => items.push(ToWriter::Item(Item::Record { path: job.path, offset: job.offset, rec: Box::new(rec), put })),
                Err(e) => {
                    items.push(ToWriter::Fatal(e));
                    break;
                }
            }
        }
        if tx.send(ToWriter::Many(items)).is_err() {
            return;
        }
    }
}

/// Returns (files seen, files read, messages read).
fn read_sources(roots: &[PathBuf], own: &Path, db_path: &Path, jobs: SyncSender<Vec<Job>>, out: SyncSender<ToWriter>) -> (u64, u64, u64) {
    let mut counts = (0u64, 0u64, 0u64);
    // A read-only connection of our own: WAL lets it read while the writer writes.
    let conn = match crate::db::open_readonly(db_path) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.send(ToWriter::Fatal(e));
            return counts;
        }
    };
    // Absolute paths: locations must mean the same thing whatever the working folder.
    let roots: Vec<PathBuf> = roots.iter().map(|r| std::path::absolute(r).unwrap_or_else(|_| r.clone())).collect();
    // The total for a progress display is counted on its own thread: counting first
    // held back the reading by a whole walk (half of a rescan's time).
    let counter = {
        let roots = roots.clone();
        let own = own.to_path_buf();
        let out = out.clone();
        let db_path = db_path.to_path_buf();
        std::thread::spawn(move || {
            let conn = crate::db::open_readonly(&db_path).ok();
            let total: u64 = roots.iter().map(|r| count_files(r, &own, conn.as_ref())).sum();
            let _ = out.send(ToWriter::Progress { files_total: Some(total), skipped: 0, bytes: 0 });
        })
    };
    let mut skipped = 0u64;
    let mut feed = Feed::new(&jobs, &out);
    let mut finished = read_all(&roots, own, &conn, &mut feed, &mut counts, &mut skipped);
    if finished && skipped > 0 {
        finished = feed.send(ToWriter::Progress { files_total: None, skipped, bytes: 0 }).is_some();
    }
    finished = finished && feed.flush().is_some();
    // Detached when reading stopped early: its next send fails and it ends.
    if finished {
        let _ = counter.join();
    }
    counts
}

/// A Maildir folder's modification time is trusted for skipping only when it is this
/// much older than the moment it was read: file systems stamp times from a coarse
/// clock (ext4: a scheduler tick), so a file added in the same tick as the listing
/// could leave the time unchanged and never be seen.
const FOLDER_SETTLED_NS: i64 = 2_000_000_000;

/// A Maildir folder being listed: its time before the listing, files seen, and
/// whether each was read.
struct FolderTrack {
    mtime_ns: i64,
    files: u64,
    complete: bool,
}

/// Returns false when the writer has gone away (fatal error): stop reading.
fn read_all(
    roots: &[PathBuf],
    own: &Path,
    conn: &rusqlite::Connection,
    feed: &mut Feed<'_>,
    counts: &mut (u64, u64, u64),
    skipped: &mut u64,
) -> bool {
    use sources::Step;
    for root in roots {
        let mut walk = sources::TreeWalk::new(root);
        let mut folders: std::collections::HashMap<PathBuf, FolderTrack> = std::collections::HashMap::new();
        while let Some(step) = walk.next() {
            match step {
                Err(e) => {
                    let at = match &e {
                        sources::ReadError::Io { path, .. } | sources::ReadError::TooLarge { path, .. } => PathBuf::from(path),
                    };
                    for (dir, t) in folders.iter_mut() {
                        if at.starts_with(dir) {
                            t.complete = false;
                        }
                    }
                    if feed.send(ToWriter::Error(e.to_string())).is_none() {
                        return false;
                    }
                }
                // The archive's own files (blobs, database) are never sources, even when
                // the archive lives inside a folder being scanned.
                Ok(Step::Folder(f)) if f.path.starts_with(own) => walk.skip_folder(),
                Ok(Step::Folder(f)) if f.maildir_messages => {
                    match known_folder(conn, &f) {
                        Ok(Some(n)) => {
                            walk.skip_folder();
                            counts.0 += n;
                            *skipped += n;
                            if *skipped >= SKIP_REPORT && feed.send(ToWriter::Progress { files_total: None, skipped: std::mem::take(skipped), bytes: 0 }).is_none() {
                                return false;
                            }
                        }
                        Ok(None) => {
                            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
                            let settled = f.mtime_ns != 0 && now - f.mtime_ns >= FOLDER_SETTLED_NS;
                            folders.insert(f.path, FolderTrack { mtime_ns: f.mtime_ns, files: 0, complete: settled });
                        }
                        Err(e) => {
                            feed.fatal(e);
                            return false;
                        }
                    }
                }
                Ok(Step::Folder(_)) => {}
                Ok(Step::File(file)) => {
                    if file.path.starts_with(own) {
                        continue;
                    }
                    counts.0 += 1;
                    let Some(read) = read_entry(&file, conn, feed, counts, skipped) else { return false };
                    if let Some(t) = file.path.parent().and_then(|d| folders.get_mut(d)) {
                        t.files += 1;
                        t.complete &= read;
                    }
                }
                Ok(Step::FolderDone { path, subfolders, .. }) => {
                    let Some(t) = folders.remove(&path) else { continue };
                    // A folder with folders inside is not one Maildir leaf: never skipped.
                    let complete = t.complete && subfolders == 0;
                    let end = Item::FolderEnd { path: path.to_string_lossy().into_owned(), mtime_ns: t.mtime_ns, files: t.files, complete };
                    if feed.send(ToWriter::Item(end)).is_none() {
                        return false;
                    }
                }
            }
        }
    }
    true
}

/// `None` when the writer has gone away (fatal error): stop reading; otherwise whether
/// the file is indexed or unchanged (false: it could not be read, the next scan tries
/// again). `skipped` counts unchanged files not yet reported (sent before anything
/// else, so the writer's counts stay in order).
fn read_entry(
    entry: &sources::FoundFile,
    conn: &rusqlite::Connection,
    feed: &mut Feed<'_>,
    counts: &mut (u64, u64, u64),
    skipped: &mut u64,
) -> Option<bool> {
    let path = entry.path.to_string_lossy().into_owned();
    let meta = match std::fs::metadata(&entry.path) {
        Ok(m) => m,
        Err(e) => return feed.send(ToWriter::Error(format!("{path}: {e}"))).map(|_| false),
    };
    let size = meta.len() as i64;
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    let state = match writer::source_state(conn, &path, size, mtime_ns) {
        Ok(s) => s,
        Err(e) => {
            feed.fatal(e);
            return None;
        }
    };
    if state == SourceState::Unchanged {
        *skipped += 1;
        if *skipped >= SKIP_REPORT {
            feed.send(ToWriter::Progress { files_total: None, skipped: std::mem::take(skipped), bytes: 0 })?;
        }
        return Some(true);
    }
    if *skipped > 0 {
        feed.send(ToWriter::Progress { files_total: None, skipped: std::mem::take(skipped), bytes: 0 })?;
    }
    counts.1 += 1;
    feed.send(ToWriter::Item(Item::FileStart { path: path.clone(), changed: true }))?;
    // Only now, for a file to read, is it opened to tell an mbox from a message.
    let (kind, n, complete) = match entry.kind() {
        sources::EntryKind::SingleFile => match read_file(&entry.path) {
            Ok(bytes) => {
                feed.send(ToWriter::Progress { files_total: None, skipped: 0, bytes: bytes.len() as u64 })?;
                feed.job(Job { path: path.clone(), offset: -1, bytes })?;
                ("file", 1, true)
            }
            Err(e) => {
                // Vanished or unreadable: reported, and not marked as indexed, so the
                // next scan tries again.
                feed.send(ToWriter::Error(e.to_string()))?;
                ("file", 0, false)
            }
        },
        sources::EntryKind::Mbox => {
            let file = match std::fs::File::open(&entry.path) {
                Ok(f) => f,
                Err(e) => {
                    let _ = feed.send(ToWriter::Error(format!("{path}: {e}")));
                    feed.send(ToWriter::Item(Item::FileEnd { path, size, mtime_ns, kind: "mbox", messages: 0, complete: false }))?;
                    return Some(false);
                }
            };
            let mut n = 0u64;
            let mut complete = true;
            for m in sources::MboxReader::new(std::io::BufReader::new(file)) {
                match m {
                    Ok(sources::MboxMessage { offset, raw: Ok(bytes), .. }) => {
                        n += 1;
                        feed.send(ToWriter::Progress { files_total: None, skipped: 0, bytes: bytes.len() as u64 })?;
                        feed.job(Job { path: path.clone(), offset: offset as i64, bytes })?;
                    }
                    Ok(sources::MboxMessage { offset, raw: Err(size), .. }) => {
                        let _ = feed.send(ToWriter::Error(format!("{path} at offset {offset}: message of {size} bytes is over the limit, skipped")));
                    }
                    Err(e) => {
                        let _ = feed.send(ToWriter::Error(format!("{path}: {e}")));
                        complete = false;
                        break;
                    }
                }
            }
            ("mbox", n, complete)
        }
    };
    counts.2 += n;
    feed.send(ToWriter::Item(Item::FileEnd { path, size, mtime_ns, kind, messages: n, complete }))?;
    Some(complete)
}

/// [`sources::read_message_file`] with one path lookup and one `stat` fewer: open,
/// `fstat` for the size limit, one read of the known size.
fn read_file(path: &Path) -> std::result::Result<Vec<u8>, sources::ReadError> {
    use std::io::Read;
    let io = |source| sources::ReadError::Io { path: path.display().to_string(), source };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    if size > sources::MAX_MESSAGE_BYTES {
        return Err(sources::ReadError::TooLarge { path: path.display().to_string(), size, limit: sources::MAX_MESSAGE_BYTES });
    }
    // The file may grow while read: read to its end, but never past the limit.
    let mut bytes = Vec::with_capacity(size as usize + 1);
    f.by_ref().take(sources::MAX_MESSAGE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > sources::MAX_MESSAGE_BYTES {
        return Err(sources::ReadError::TooLarge { path: path.display().to_string(), size: bytes.len() as u64, limit: sources::MAX_MESSAGE_BYTES });
    }
    Ok(bytes)
}

/// How many files the reader will see under `root` (outside `own`), for the progress
/// total: the same walk, the same folders skipped (with the file counts recorded for
/// them), but nothing stat'ed, opened or looked up per file.
fn count_files(root: &Path, own: &Path, conn: Option<&rusqlite::Connection>) -> u64 {
    use sources::Step;
    let mut n = 0;
    let mut walk = sources::TreeWalk::new(root);
    while let Some(step) = walk.next() {
        match step {
            Ok(Step::Folder(f)) if f.path.starts_with(own) => walk.skip_folder(),
            Ok(Step::Folder(f)) => {
                if let Some(files) = conn.and_then(|c| known_folder(c, &f).ok().flatten()) {
                    walk.skip_folder();
                    n += files;
                }
            }
            Ok(Step::File(f)) if !f.path.starts_with(own) => n += 1,
            _ => {}
        }
    }
    n
}

/// The file count of a Maildir folder a rescan may skip unlisted (indexed whole at
/// its current modification time), `None` when it must be listed.
fn known_folder(conn: &rusqlite::Connection, f: &sources::Folder) -> Result<Option<u64>> {
    if !f.maildir_messages {
        return Ok(None);
    }
    writer::folder_files(conn, &f.path.to_string_lossy(), f.mtime_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed count is what the walk yields: the demo Maildir (with Dovecot
    /// state files and a `tmp/`), a folder with an mbox, a single file.
    #[test]
    fn the_progress_count_matches_the_walk() {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("m/cur")).unwrap();
        std::fs::create_dir_all(d.path().join("m/new")).unwrap();
        std::fs::create_dir_all(d.path().join("m/tmp")).unwrap();
        std::fs::write(d.path().join("m/tmp/half"), "x").unwrap();
        std::fs::write(d.path().join("m/cur/1:2,S"), "Subject: a\r\n\r\nb").unwrap();
        std::fs::write(d.path().join("m/inbox.msf"), "x").unwrap();
        std::fs::write(d.path().join("m/Inbox"), "From a@b Mon Jan  1 00:00:00 2024\nSubject: a\n\nb\n").unwrap();
        let nowhere = Path::new("/nonexistent-archive-dir");
        for root in [demo.join("mailbox"), demo.clone(), d.path().to_path_buf(), d.path().join("m/Inbox")] {
            let walked = sources::walk(&root).filter(|e| e.is_ok()).count() as u64;
            assert_eq!(count_files(&root, nowhere, None), walked, "{}", root.display());
        }
        // The archive's own folder is never counted.
        assert_eq!(count_files(d.path(), &d.path().join("m"), None), 0);
    }
}
