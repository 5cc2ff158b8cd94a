//! The one archive writer of the app: a background thread that scans sources (on add,
//! on request, and every few seconds for the watched ones: the archive's scan skips
//! files already indexed with the same size and mtime), emitting `ingest-progress`,
//! `cards-changed`, `sources-changed`, `delivery-failed` and `overdue`.
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use archive::{Archive, Clock, ScanOptions};
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;

use crate::state::{AppState, IngestProgress};

/// How often watched sources are re-scanned (new files in a Maildir, a grown mbox).
const RESCAN_EVERY: Duration = Duration::from_secs(10);

pub fn start(app: AppHandle, st: Arc<AppState>) {
    let (tx, rx) = mpsc::channel::<Option<i64>>();
    *st.scan_tx.lock().unwrap() = Some(tx);
    std::thread::Builder::new()
        .name("cartolina-scanner".into())
        .spawn(move || {
            // (card, recipient) pairs already notified; seeded from the archive so a
            // restart does not repeat old failures.
            let mut seen_failed: HashSet<(i64, String)> = HashSet::new();
            let mut seen_overdue: HashSet<(i64, String)> = HashSet::new();
            seed(&st, &mut seen_failed, &mut seen_overdue);
            // A first pass over the configured sources at start-up.
            let mut pending: Option<Option<i64>> = Some(None);
            loop {
                let req = match pending.take() {
                    Some(r) => r,
                    None => match rx.recv_timeout(RESCAN_EVERY) {
                        Ok(r) => r,
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    },
                };
                let ids: Vec<i64> = {
                    let s = st.sources.lock().unwrap();
                    s.iter().filter(|x| req.map_or(!x.paused, |id| x.id == id)).map(|x| x.id).collect()
                };
                let mut imported = false;
                for id in ids {
                    imported |= scan_one(&app, &st, id);
                }
                if imported {
                    // A new source's history is not news: no toast per old failure.
                    seed(&st, &mut seen_failed, &mut seen_overdue);
                } else {
                    notify_changes(&app, &st, &mut seen_failed, &mut seen_overdue);
                }
            }
        })
        .expect("scanner thread");
}

pub fn wake(st: &AppState, id: Option<i64>) {
    if let Some(tx) = st.scan_tx.lock().unwrap().as_ref() {
        let _ = tx.send(id);
    }
}

fn emit_sources(app: &AppHandle, st: &AppState) {
    let v: Vec<serde_json::Value> = st.sources.lock().unwrap().iter().map(|s| s.view()).collect();
    let _ = app.emit("sources-changed", v);
}

/// User trust files: the imported certificates (and TSLs) in the archive's `trust/`.
pub fn trust_files(st: &AppState) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(st.trust_dir())
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".crl")).collect())
        .unwrap_or_default();
    v.sort();
    v
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
        let verifier = archive::Verifier::new(&trust_files(st), clock.now()).map_err(|e| e.to_string())?;
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
    // Reopen the reader so it sees a freshly created database.
    *st.reader.lock().unwrap() = None;
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

fn failed_and_overdue(st: &AppState) -> Option<(Vec<serde_json::Value>, Vec<serde_json::Value>)> {
    let dir = st.archive_dir();
    let ar = Archive::open_readonly(&dir).ok()?;
    let clock = Clock::from_env().unwrap_or_else(|_| Clock::system());
    let now = clock.now();
    let conn = ar.connection();
    let mut failed = Vec::new();
    let mut st1 = conn
        .prepare("SELECT c.id, c.subject, r.address, r.error, r.at FROM card_recipients r JOIN cards c ON c.id = r.card WHERE r.state = 'failed'")
        .ok()?;
    let rows = st1
        .query_map([], |r| {
            Ok(serde_json::json!({ "card_id": r.get::<_, i64>(0)?, "subject": r.get::<_, Option<String>>(1)?, "recipient": r.get::<_, String>(2)?,
                                   "error": r.get::<_, Option<String>>(3)?, "at": r.get::<_, Option<String>>(4)? }))
        })
        .ok()?;
    failed.extend(rows.flatten());
    let mut overdue = Vec::new();
    let mut st2 = conn
        .prepare(
            "SELECT c.id, c.subject, r.address, c.sent_at FROM card_recipients r JOIN cards c ON c.id = r.card
             WHERE r.state = 'none' AND r.type = 'certificato' AND c.kind <> 'received' AND c.accepted_ts IS NOT NULL AND c.accepted_ts + 86400 <= ?1",
        )
        .ok()?;
    let rows = st2
        .query_map([now], |r| {
            Ok(serde_json::json!({ "card_id": r.get::<_, i64>(0)?, "subject": r.get::<_, Option<String>>(1)?, "recipient": r.get::<_, String>(2)?,
                                   "sent_at": r.get::<_, Option<String>>(3)? }))
        })
        .ok()?;
    overdue.extend(rows.flatten());
    Some((failed, overdue))
}

fn key(v: &serde_json::Value) -> (i64, String) {
    (v["card_id"].as_i64().unwrap_or(0), v["recipient"].as_str().unwrap_or("").to_string())
}

fn seed(st: &AppState, f: &mut HashSet<(i64, String)>, o: &mut HashSet<(i64, String)>) {
    if let Some((failed, overdue)) = failed_and_overdue(st) {
        f.extend(failed.iter().map(key));
        o.extend(overdue.iter().map(key));
    }
}

/// Emit `delivery-failed` / `overdue` once per (card, recipient), with an OS
/// notification when enabled (at most three OS notifications per pass).
fn notify_changes(app: &AppHandle, st: &AppState, f: &mut HashSet<(i64, String)>, o: &mut HashSet<(i64, String)>) {
    let Some((failed, overdue)) = failed_and_overdue(st) else { return };
    let notify = st.settings.lock().unwrap().notifications;
    let it = st.language() == "it";
    let mut shown = 0;
    for ev in failed {
        if f.insert(key(&ev)) {
            let _ = app.emit("delivery-failed", ev.clone());
            if notify && shown < 3 {
                shown += 1;
                let title = if it { "Mancata consegna PEC" } else { "PEC delivery failed" };
                let body = format!("{} — {}", ev["recipient"].as_str().unwrap_or(""), ev["subject"].as_str().unwrap_or(""));
                let _ = app.notification().builder().title(title).body(body).show();
            }
        }
    }
    for ev in overdue {
        if o.insert(key(&ev)) {
            let _ = app.emit("overdue", ev.clone());
            if notify && shown < 3 {
                shown += 1;
                let title = if it { "PEC senza esito dopo 24 ore" } else { "PEC without outcome after 24 hours" };
                let body = format!("{} — {}", ev["recipient"].as_str().unwrap_or(""), ev["subject"].as_str().unwrap_or(""));
                let _ = app.notification().builder().title(title).body(body).show();
            }
        }
    }
}
