//! Delivery-failure and 24-hour notices (`delivery-failed`, `overdue` events and the OS
//! notification), each given once per (card, recipient), across runs too.
//!
//! What was notified is kept in the archive folder (`notified.json`), so a recipient who
//! failed or ran out of time while the app was closed is announced at the next start,
//! and one already announced is not again. The first run on an archive (no such file
//! yet) takes everything in it as known: an archive's history is not news.
use std::collections::HashSet;
use std::path::PathBuf;

use archive::{Archive, Clock};
use serde_json::{json, Value as Json};
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

type Key = (i64, String);

/// Most notices (toasts) emitted in one pass, and OS notifications among them: a
/// source with hundreds of failures is not hundreds of toasts.
const MAX_EVENTS: usize = 20;
const MAX_OS: usize = 3;

pub struct Notices {
    /// The archive folder these are for (the user can switch archives).
    dir: PathBuf,
    failed: HashSet<Key>,
    overdue: HashSet<Key>,
}

fn file(dir: &std::path::Path) -> PathBuf {
    dir.join("notified.json")
}

fn key(v: &Json) -> Key {
    (v["card_id"].as_i64().unwrap_or(0), v["recipient"].as_str().unwrap_or("").to_string())
}

fn keys(v: &Json) -> HashSet<Key> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| Some((k.get(0)?.as_i64()?, k.get(1)?.as_str()?.to_string())))
        .collect()
}

/// Failed recipients and certified recipients 24 hours without an outcome, as the
/// events' payloads.
fn failed_and_overdue(st: &AppState) -> Option<(Vec<Json>, Vec<Json>)> {
    let ar = Archive::open_readonly(&st.archive_dir()).ok()?;
    let now = Clock::from_env().unwrap_or_else(|_| Clock::system()).now();
    let conn = ar.connection();
    let mut q1 = conn
        .prepare("SELECT c.id, c.subject, r.address, r.error, r.at FROM card_recipients r JOIN cards c ON c.id = r.card WHERE r.state = 'failed'")
        .ok()?;
    let failed = q1
        .query_map([], |r| {
            Ok(json!({ "card_id": r.get::<_, i64>(0)?, "subject": r.get::<_, Option<String>>(1)?, "recipient": r.get::<_, String>(2)?,
                       "error": r.get::<_, Option<String>>(3)?, "at": r.get::<_, Option<String>>(4)? }))
        })
        .ok()?
        .flatten()
        .collect();
    let mut q2 = conn
        .prepare(
            "SELECT c.id, c.subject, r.address, c.sent_at FROM card_recipients r JOIN cards c ON c.id = r.card
             WHERE r.state = 'none' AND r.type = 'certificato' AND c.kind <> 'received' AND c.accepted_ts IS NOT NULL AND c.accepted_ts + ?2 <= ?1",
        )
        .ok()?;
    let overdue = q2
        .query_map([now, archive::clock::OVERDUE_AFTER_SECS], |r| {
            Ok(json!({ "card_id": r.get::<_, i64>(0)?, "subject": r.get::<_, Option<String>>(1)?, "recipient": r.get::<_, String>(2)?,
                       "sent_at": r.get::<_, Option<String>>(3)? }))
        })
        .ok()?
        .flatten()
        .collect();
    Some((failed, overdue))
}

impl Notices {
    /// The notices given before on the current archive (the first time: all it holds).
    pub fn load(st: &AppState) -> Notices {
        let dir = st.archive_dir();
        let saved = std::fs::read(file(&dir)).ok().and_then(|b| serde_json::from_slice::<Json>(&b).ok());
        let mut n = Notices { dir, failed: HashSet::new(), overdue: HashSet::new() };
        match saved {
            Some(v) => {
                n.failed = keys(&v["failed"]);
                n.overdue = keys(&v["overdue"]);
            }
            None => n.seed(st),
        }
        n
    }

    fn save(&self) {
        let sorted = |s: &HashSet<Key>| {
            let mut v: Vec<&Key> = s.iter().collect();
            v.sort();
            v.into_iter().map(|(id, a)| json!([id, a])).collect::<Vec<_>>()
        };
        let _ = crate::state::write_json(&file(&self.dir), &json!({ "failed": sorted(&self.failed), "overdue": sorted(&self.overdue) }));
    }

    /// The archive folder changed under us: its own notices.
    fn follow(&mut self, st: &AppState) {
        if st.archive_dir() != self.dir {
            *self = Notices::load(st);
        }
    }

    /// Take everything in the archive as notified (a source's first scan: its history).
    pub fn seed(&mut self, st: &AppState) {
        if let Some((failed, overdue)) = failed_and_overdue(st) {
            self.failed.extend(failed.iter().map(key));
            self.overdue.extend(overdue.iter().map(key));
        }
        self.save();
    }

    /// Emit what is new since the last pass (or run), with OS notifications when enabled.
    pub fn notify(&mut self, app: &AppHandle, st: &AppState) {
        self.follow(st);
        let Some((failed, overdue)) = failed_and_overdue(st) else { return };
        let notify = st.settings.lock().unwrap().notifications;
        let it = st.language() == "it";
        let (mut events, mut os, mut changed) = (0, 0, false);
        let mut give = |event: &str, ev: &Json, title: &str| {
            changed = true;
            if events >= MAX_EVENTS {
                return;
            }
            events += 1;
            let _ = app.emit(event, ev.clone());
            if notify && os < MAX_OS {
                os += 1;
                let body = format!("{} — {}", ev["recipient"].as_str().unwrap_or(""), ev["subject"].as_str().unwrap_or(""));
                let _ = app.notification().builder().title(title).body(body).show();
            }
        };
        for ev in &failed {
            if self.failed.insert(key(ev)) {
                give("delivery-failed", ev, if it { "Mancata consegna PEC" } else { "PEC delivery failed" });
            }
        }
        for ev in &overdue {
            if self.overdue.insert(key(ev)) {
                give("overdue", ev, if it { "PEC senza esito dopo 24 ore" } else { "PEC without outcome after 24 hours" });
            }
        }
        if changed {
            self.save();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_run_takes_the_history_as_known_and_later_runs_remember() {
        // A copy of the demo archive: the notices file is written into it.
        let dir = std::env::temp_dir().join(format!("cartolina-notices-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in std::fs::read_dir(crate::testdemo::archive()).unwrap().flatten() {
            if f.path().is_file() {
                std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
            }
        }
        let st = AppState::at(&dir, std::time::Instant::now());
        let (failed, overdue) = failed_and_overdue(&st).unwrap();
        assert!(!failed.is_empty() && !overdue.is_empty(), "the demo has failures and overdue recipients");
        let first = Notices::load(&st);
        assert_eq!(first.failed, failed.iter().map(key).collect::<HashSet<_>>());
        assert_eq!(first.overdue, overdue.iter().map(key).collect::<HashSet<_>>());
        // Next run: the same, read back; one forgotten (as if it happened while the app
        // was closed) is news again.
        let mut saved: Json = serde_json::from_slice(&std::fs::read(file(&dir)).unwrap()).unwrap();
        let again = Notices::load(&st);
        assert_eq!((again.failed.len(), again.overdue.len()), (first.failed.len(), first.overdue.len()));
        saved["failed"].as_array_mut().unwrap().pop();
        std::fs::write(file(&dir), serde_json::to_vec(&saved).unwrap()).unwrap();
        let later = Notices::load(&st);
        assert_eq!(later.failed.len() + 1, first.failed.len());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
