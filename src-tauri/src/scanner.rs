//! The one archive writer of the app: a background thread that scans sources (at start,
//! on add or resume, and when a watched source's files change), emitting
//! `ingest-progress`, `cards-changed`, `sources-changed`, `delivery-failed` and `overdue`.
//!
//! Changes are noticed by the kernel (inotify through `notify`), not by polling: an idle
//! app does no work however big its sources are (a re-scan walks every file of a source:
//! seconds at 100,000 messages). A burst of changes (a Maildir delivery is a write in
//! `tmp/` and a rename into `new/`) is taken in once it has settled.
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use archive::{Archive, Clock, ScanOptions};
use notify::Watcher as _;
use tauri::{AppHandle, Emitter};

use crate::notices::Notices;
use crate::state::{AppState, IngestProgress};

/// What wakes the scanner.
#[derive(Debug, Clone, Copy)]
pub enum Wake {
    /// Scan every active source (start-up, another archive folder).
    All,
    /// Scan this source now (added, resumed).
    Source(i64),
    /// Files of this source changed: scan it once the changes have settled.
    Changed(i64),
    /// The trust store changed: verify every archived signature again.
    Reverify,
    /// A certified recipient passed 24 hours without an outcome (nothing changed on
    /// disk: time passed): states and notices.
    Deadline,
}

/// Quiet time after the last change before a re-scan, and the most a stream of
/// changes can hold it back.
const SETTLE: Duration = Duration::from_millis(300);
const SETTLE_MAX: Duration = Duration::from_secs(5);
/// The start-up pass waits at most this long for the window's first `list_cards`.
const STARTUP_PASS_DELAY_MAX: Duration = Duration::from_secs(3);
/// A source that cannot be watched (missing folder, unmounted disk) is looked at again
/// this often, until it can.
const RETRY_UNWATCHED: Duration = Duration::from_secs(30);

/// Kernel notifications on the active sources' paths -> `Wake::Changed`.
struct Watches {
    watcher: Option<notify::RecommendedWatcher>,
    /// Watched: source id -> path.
    watched: HashMap<i64, PathBuf>,
    /// Shared with the notification thread, to map a changed path to its source.
    roots: Arc<Mutex<Vec<(i64, PathBuf)>>>,
    /// Active sources whose path could not be watched.
    unwatched: bool,
}

/// Reads, opens and metadata (our own scans read every file) are not changes.
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::ModifyKind;
    use notify::EventKind;
    match kind {
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => true,
    }
}

impl Watches {
    fn new(tx: mpsc::Sender<Wake>) -> Watches {
        let roots: Arc<Mutex<Vec<(i64, PathBuf)>>> = Arc::default();
        let r = roots.clone();
        let watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(ev) = ev else { return };
            if !is_change(&ev.kind) {
                return;
            }
            let ids: HashSet<i64> = {
                let roots = r.lock().unwrap();
                ev.paths.iter().flat_map(|p| roots.iter().filter(|(_, root)| p.starts_with(root)).map(|(id, _)| *id)).collect()
            };
            for id in ids {
                let _ = tx.send(Wake::Changed(id));
            }
        })
        .map_err(|e| eprintln!("cartolina-app: file notifications unavailable ({e}): sources are scanned at start and on request only"))
        .ok();
        Watches { watcher, watched: HashMap::new(), roots, unwatched: false }
    }

    /// Watch exactly the active (not paused) sources.
    fn sync(&mut self, st: &AppState) {
        let Some(w) = self.watcher.as_mut() else { return };
        let want: HashMap<i64, PathBuf> =
            st.sources.lock().unwrap().iter().filter(|s| !s.paused).map(|s| (s.id, PathBuf::from(&s.path))).collect();
        self.watched.retain(|id, path| {
            if want.get(id) == Some(path) {
                return true;
            }
            let _ = w.unwatch(path);
            false
        });
        self.unwatched = false;
        for (id, path) in &want {
            if self.watched.contains_key(id) {
                continue;
            }
            let mode = if path.is_dir() { notify::RecursiveMode::Recursive } else { notify::RecursiveMode::NonRecursive };
            match w.watch(path, mode) {
                Ok(()) => {
                    self.watched.insert(*id, path.clone());
                }
                Err(_) => self.unwatched = true,
            }
        }
        *self.roots.lock().unwrap() = self.watched.iter().map(|(id, p)| (*id, p.clone())).collect();
    }
}

pub fn start(app: AppHandle, st: Arc<AppState>) {
    let (tx, rx) = mpsc::channel::<Wake>();
    *st.scan_tx.lock().unwrap() = Some(tx.clone());
    std::thread::Builder::new()
        .name("cartolina-scanner".into())
        .spawn(move || {
            let mut watches = Watches::new(tx);
            // A first pass over the configured sources at start-up (what arrived while
            // the app was closed), once the window shows its first cards, a request
            // comes, or a few seconds passed: walking a big source takes a core for
            // seconds, better spent on the window coming up.
            let t0 = Instant::now();
            while !st.first_list_logged.load(std::sync::atomic::Ordering::Relaxed) && t0.elapsed() < STARTUP_PASS_DELAY_MAX {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(w) => {
                        // Not lost: asked again, behind the start-up pass.
                        if let Some(tx) = st.scan_tx.lock().unwrap().as_ref() {
                            let _ = tx.send(w);
                        }
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            // The failures and deadlines already announced (in earlier runs too).
            let mut notices = Notices::load(&st);
            let mut pending: Option<Wake> = Some(Wake::All);
            loop {
                watches.sync(&st);
                let first = match pending.take() {
                    Some(r) => r,
                    None => {
                        // Idle: until something is asked, a source changes, an unwatched
                        // source is due for another look, or the next 24-hour deadline.
                        let deadline = next_deadline(&st);
                        let wait = if watches.unwatched { Some(deadline.map_or(RETRY_UNWATCHED, |d| d.min(RETRY_UNWATCHED))) } else { deadline };
                        let r = match wait {
                            Some(w) => rx.recv_timeout(w),
                            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        };
                        match r {
                            Ok(r) => r,
                            Err(RecvTimeoutError::Timeout) if watches.unwatched => Wake::All,
                            Err(RecvTimeoutError::Timeout) => Wake::Deadline,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                };
                // Gather what else is asked; let changes settle first.
                let (mut all, mut ids, mut changed) = (false, Vec::<i64>::new(), false);
                let (mut reverify, mut deadline) = (false, false);
                let mut next = Some(first);
                let t0 = Instant::now();
                loop {
                    match next.take() {
                        Some(Wake::All) => all = true,
                        Some(Wake::Source(id)) => ids.push(id),
                        Some(Wake::Changed(id)) => {
                            changed = true;
                            ids.push(id);
                        }
                        Some(Wake::Reverify) => reverify = true,
                        Some(Wake::Deadline) => deadline = true,
                        None => {}
                    }
                    let wait = if changed { SETTLE.min(SETTLE_MAX.saturating_sub(t0.elapsed())) } else { Duration::ZERO };
                    match rx.recv_timeout(wait) {
                        Ok(w) => next = Some(w),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                let ids: Vec<i64> = {
                    let s = st.sources.lock().unwrap();
                    s.iter().filter(|x| if all { !x.paused } else { ids.contains(&x.id) }).map(|x| x.id).collect()
                };
                let mut imported = false;
                for id in ids {
                    imported |= scan_one(&app, &st, id);
                }
                if reverify {
                    reverify_all(&app, &st);
                    // Receipts trusted now are old news, not failures that just happened.
                    imported = true;
                }
                if deadline {
                    // States are read against the clock: the list's counts moved.
                    let _ = app.emit("cards-changed", serde_json::json!({ "ids": [] }));
                }
                if imported {
                    // A new source's history is not news: no toast per old failure.
                    notices.seed(&st);
                } else {
                    notices.notify(&app, &st);
                }
            }
        })
        .expect("scanner thread");
}

/// How long until the next certified recipient without an outcome passes 24 hours
/// after acceptance (`None`: none will, or the clock is stopped by `CARTOLINA_NOW`).
fn next_deadline(st: &AppState) -> Option<Duration> {
    let clock = Clock::from_env().unwrap_or_else(|_| Clock::system());
    if clock != Clock::system() {
        return None;
    }
    let ar = Archive::open_readonly(&st.archive_dir()).ok()?;
    let now = clock.now();
    let first: Option<i64> = ar
        .connection()
        .query_row(
            "SELECT MIN(c.accepted_ts) FROM card_recipients r JOIN cards c ON c.id = r.card
             WHERE r.state = 'none' AND r.type = 'certificato' AND c.kind <> 'received' AND c.accepted_ts IS NOT NULL AND c.accepted_ts + ?2 > ?1",
            [now, archive::clock::OVERDUE_AFTER_SECS],
            |r| r.get(0),
        )
        .ok()
        .flatten();
    first.map(|t| Duration::from_secs((t + archive::clock::OVERDUE_AFTER_SECS - now).max(0) as u64 + 1))
}

/// Verify every archived signature again with the current trust store (an anchor was
/// imported or removed), with the progress bar up meanwhile.
fn reverify_all(app: &AppHandle, st: &AppState) {
    let busy = IngestProgress { done: 0, total: 0, phase: "verifying".into(), source_id: None };
    *st.ingest.lock().unwrap() = Some(busy.clone());
    let _ = app.emit("ingest-progress", busy);
    let clock = Clock::from_env().unwrap_or_else(|_| Clock::system());
    let r = archive::Verifier::new(&crate::trust::anchor_files(st), clock.now())
        .map_err(|e| e.to_string())
        .and_then(|v| Archive::open_for_writing(&st.archive_dir()).map_err(|e| e.to_string()).map(|a| (v, a)))
        .and_then(|(v, mut a)| a.reverify(&v).map_err(|e| e.to_string()));
    match &r {
        Ok((checked, changed)) => crate::state::timing(st.started, &format!("re-verified {checked} signatures, {changed} verdicts changed")),
        // No archive yet: nothing to verify again.
        Err(e) => eprintln!("cartolina-app: re-verifying the archive: {e}"),
    }
    st.archive_changed(true);
    *st.ingest.lock().unwrap() = None;
    let _ = app.emit("ingest-progress", IngestProgress { done: 0, total: 0, phase: "done".into(), source_id: None });
    let _ = app.emit("cards-changed", serde_json::json!({ "ids": [] }));
}

/// Ask the scanner to verify the archive again (the trust store changed).
pub fn wake_reverify(st: &AppState) {
    if let Some(tx) = st.scan_tx.lock().unwrap().as_ref() {
        let _ = tx.send(Wake::Reverify);
    }
}

/// Ask the scanner for a scan: `Some(id)` = that source now, `None` = every active one.
pub fn wake(st: &AppState, id: Option<i64>) {
    if let Some(tx) = st.scan_tx.lock().unwrap().as_ref() {
        let _ = tx.send(id.map_or(Wake::All, Wake::Source));
    }
}

fn emit_sources(app: &AppHandle, st: &AppState) {
    let v: Vec<serde_json::Value> = st.sources.lock().unwrap().iter().map(|s| s.view()).collect();
    let _ = app.emit("sources-changed", v);
}

/// Scan one source; true when it was its first (import) scan.
fn scan_one(app: &AppHandle, st: &AppState, id: i64) -> bool {
    let Some(src) = st.sources.lock().unwrap().iter().find(|s| s.id == id).cloned() else { return false };
    let first = src.last_scan.is_none();
    let set_status = |status: &str, err: Option<String>, messages: Option<u64>| {
        let mut s = st.sources.lock().unwrap();
        if let Some(x) = s.iter_mut().find(|x| x.id == id) {
            x.status = status.into();
            x.error = err;
            if let Some(m) = messages {
                x.messages = m;
                x.last_scan = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
    };
    let path = PathBuf::from(&src.path);
    if !path.exists() {
        set_status("error", Some(format!("{}: cartella non trovata", src.path)), None);
        emit_sources(app, st);
        return false;
    }
    if first {
        set_status("scanning", None, None);
        emit_sources(app, st);
    }
    let dir = st.archive_dir();
    let clock = Clock::from_env().unwrap_or_else(|_| Clock::system());
    let result = (|| -> Result<(archive::ScanSummary, u64), String> {
        let verifier = archive::Verifier::new(&crate::trust::anchor_files(st), clock.now()).map_err(|e| e.to_string())?;
        let mut ar = Archive::open_for_writing(&dir).map_err(|e| e.to_string())?;
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut last_changed = Instant::now();
        let mut progress = |p: &archive::Progress| {
            if !first && p.files_done == p.files_skipped {
                return; // a re-scan that finds nothing new stays silent
            }
            if last.elapsed() >= Duration::from_millis(100) {
                last = Instant::now();
                let phase = if !p.walk_done { "scanning" } else { "parsing" };
                let ip = IngestProgress { done: p.files_done, total: p.files_total.max(p.files_done), phase: phase.into(), source_id: Some(id) };
                *st.ingest.lock().unwrap() = Some(ip.clone());
                let _ = app.emit("ingest-progress", ip);
                if p.messages > 0 && last_changed.elapsed() >= Duration::from_millis(700) {
                    last_changed = Instant::now();
                    st.archive_changed(false);
                    let _ = app.emit("cards-changed", serde_json::json!({ "ids": [] }));
                }
            }
        };
        let summary = ar.scan(std::slice::from_ref(&path), &ScanOptions::new(verifier), &mut progress).map_err(|e| e.to_string())?;
        let prefix = format!("{}%", src.path.trim_end_matches('/'));
        let n: i64 = ar
            .connection()
            .query_row("SELECT count(DISTINCT message) FROM locations WHERE path LIKE ?1", [prefix], |r| r.get(0))
            .unwrap_or(0);
        Ok((summary, n as u64))
    })();
    // When this scan changed something: reopen the reader (it sees a freshly created
    // database) and reload the card list.
    if first || result.as_ref().map_or(true, |(s, _)| s.files_read > 0 || s.cards_updated > 0) {
        st.archive_changed(true);
    }
    match result {
        Ok((summary, n)) => {
            let changed = first || summary.files_read > 0;
            if changed {
                let done = IngestProgress { done: summary.files_seen, total: summary.files_seen, phase: "done".into(), source_id: Some(id) };
                let _ = app.emit("ingest-progress", done);
            }
            *st.ingest.lock().unwrap() = None;
            let paused = st.sources.lock().unwrap().iter().find(|x| x.id == id).is_some_and(|x| x.paused);
            set_status(if paused { "paused" } else { "watching" }, None, Some(n));
            let _ = st.save_sources();
            if changed {
                let _ = app.emit("cards-changed", serde_json::json!({ "ids": [] }));
                emit_sources(app, st);
                // Once more a little later: a window whose refetch raced the end of the
                // scan (e.g. a reader opened while the database was being created) catches up.
                let app2 = app.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(800));
                    let _ = app2.emit("cards-changed", serde_json::json!({ "ids": [] }));
                });
            }
        }
        Err(e) => {
            *st.ingest.lock().unwrap() = None;
            if first {
                let _ = app.emit("ingest-progress", IngestProgress { done: 0, total: 0, phase: "done".into(), source_id: Some(id) });
            }
            set_status("error", Some(e), None);
            emit_sources(app, st);
        }
    }
    first
}
