//! `cartolina watch [--archive DIR] [--trust FILE]... [PATH...]`: live sources in the
//! foreground, ingested into the archive as they land.
//!
//! Watches the configured sources (or the PATHs given, with state kept in the same
//! place, so a later run resumes). Each `Message` is stored, indexed and paired at once
//! ([`Archive::ingest_bytes`], one transaction per message: lowest latency, and the
//! watcher records a message as seen only once it is in the archive); each `Gone` marks
//! its location gone ([`Archive::mark_gone`]; the bytes stay). One line per event on
//! stdout (`--json`: one object per line), with the card the message is now on and its
//! state. The archive's writer lock is held for the whole run: a scan running elsewhere
//! makes `watch` fail at start, and a scan started meanwhile is refused. An archive error
//! (disk full, database) stops the watcher: what was not ingested comes again at the next
//! start. SIGINT/SIGTERM stop cleanly (state saved).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use archive::{Archive, Clock, LiveLocation, Verifier};
use sources::{Event, SinkError, SourceConfig, SourcesConfig, WatchOptions, Watcher};

use crate::sources_cmd::{fail, locate};

pub struct Args {
    pub trust: Vec<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub json: bool,
    pub debounce_ms: u64,
}

pub fn run(archive_dir: Option<&Path>, config: Option<&Path>, args: Args) -> std::io::Result<()> {
    let (cfg_path, state_dir) = locate(archive_dir, config)?;
    let list: Vec<SourceConfig> = if args.paths.is_empty() {
        SourcesConfig::load(&cfg_path).map_err(fail)?.sources
    } else {
        args.paths.iter().map(|p| SourceConfig::for_path(p)).collect::<Result<_, _>>().map_err(fail)?
    };
    if list.iter().all(|s| s.paused) {
        return Err(std::io::Error::other(format!("nothing to watch: no active source in {} (cartolina sources add PATH)", cfg_path.display())));
    }
    for t in &args.trust {
        if !t.is_file() {
            return Err(std::io::Error::other(format!("{}: no such file", t.display())));
        }
    }
    let clock = crate::scan::clock()?;
    let verifier = Verifier::new(&args.trust, clock.now()).map_err(crate::scan::fail)?;
    // The writer lock for the whole run; held by a scan, this fails with a clear message.
    let dir = Archive::resolve_dir(archive_dir).map_err(crate::scan::fail)?;
    let mut archive = Archive::open_for_writing(&dir).map_err(crate::scan::fail)?;
    // Block the stop signals in every thread (the watcher's inherit the mask), and take
    // them on one thread with sigwait: no handler, no polling.
    let stop = block_stop_signals();
    let mut opts = WatchOptions::new(&state_dir);
    opts.debounce = Duration::from_millis(args.debounce_ms.max(10));
    for s in list.iter().filter(|s| !s.paused) {
        eprintln!("watching {}  {}  {}", s.id, s.kind.as_str(), s.path.display());
    }
    let json = args.json;
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let sink_done = done_tx.clone();
    let sink = move |ev: Event| -> Result<(), SinkError> {
        let ingested = match ingest(&mut archive, &verifier, &clock, &ev) {
            Ok(i) => i,
            Err(e) => {
                // Not accepted: the watcher stops and this message comes again next start.
                eprintln!("archive error, stopping: {e}");
                let _ = sink_done.send(());
                return Err(SinkError(e.to_string()));
            }
        };
        let line = if json {
            let mut v = event_json(&ev);
            ingested.to_json(&mut v);
            v.to_string()
        } else {
            format!("{}{}", event_line(&ev), ingested.suffix())
        };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
            // stdout closed: stop, nothing more can be reported.
            let _ = sink_done.send(());
            return Err(SinkError("stdout closed".into()));
        }
        Ok(())
    };
    let watcher = Watcher::start(list, opts, sink).map_err(fail)?;
    if let Some(wait) = stop {
        std::thread::spawn(move || {
            wait();
            let _ = done_tx.send(());
        });
    }
    let _ = done_rx.recv();
    let stats = watcher.stats();
    let r = watcher.stop();
    eprintln!("stopped: {} messages, {} gone, {} problems, {} bytes read", stats.messages, stats.gone, stats.problems, stats.bytes_read);
    r.map_err(fail)
}

/// What the archive made of one event, for its log line.
#[derive(Default)]
struct Ingested {
    /// For a message: whether its bytes were new, and the cards it is on (id, state).
    message: Option<(bool, Vec<(i64, String)>)>,
    /// For a gone message: whether an archived location was marked.
    gone: Option<bool>,
}

impl Ingested {
    fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some((new, cards)) = &self.message {
            s.push_str(if *new { "  new" } else { "  known" });
            if cards.is_empty() {
                s.push_str("  no card");
            }
            for (id, state) in cards {
                s.push_str(&format!("  card {id} {state}"));
            }
        }
        if let Some(marked) = self.gone {
            s.push_str(if marked { "  marked gone (kept in the archive)" } else { "  not in the archive" });
        }
        s
    }

    fn to_json(&self, v: &mut serde_json::Value) {
        if let Some((new, cards)) = &self.message {
            v["new"] = serde_json::json!(new);
            v["cards"] = cards.iter().map(|(id, state)| serde_json::json!({"id": id, "state": state})).collect();
        }
        if let Some(marked) = self.gone {
            v["marked"] = serde_json::json!(marked);
        }
    }
}

fn live_location(l: &sources::Location) -> LiveLocation {
    LiveLocation::new(&l.path, l.offset)
}

fn ingest(archive: &mut Archive, verifier: &Verifier, clock: &Clock, ev: &Event) -> archive::Result<Ingested> {
    match ev {
        Event::Message { location, bytes, .. } => {
            let out = archive.ingest_bytes(&[(live_location(location), bytes.as_slice())], verifier)?;
            let item = out.items.into_iter().next();
            let mut cards = Vec::new();
            let new = item.as_ref().is_some_and(|i| i.new_message);
            for id in item.map(|i| i.cards).unwrap_or_default() {
                let (card, _) = archive.card(&id.to_string(), clock)?;
                cards.push((id, card.state));
            }
            Ok(Ingested { message: Some((new, cards)), gone: None })
        }
        Event::Gone { location, .. } => Ok(Ingested { message: None, gone: Some(archive.mark_gone(&live_location(location))?) }),
        _ => Ok(Ingested::default()),
    }
}

/// Blocks SIGINT and SIGTERM and returns a function that waits for one of them.
fn block_stop_signals() -> Option<impl FnOnce() + Send + 'static> {
    // SAFETY: plain libc calls on a local, initialised sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return None;
        }
        Some(move || {
            let mut sig = 0;
            libc::sigwait(&set, &mut sig);
        })
    }
}

fn loc(l: &sources::Location) -> String {
    match l.offset {
        Some(o) => format!("{}@{o}", l.path.display()),
        None => l.path.display().to_string(),
    }
}

fn event_line(ev: &Event) -> String {
    match ev {
        Event::Message { source, location, bytes } => {
            format!("message  {source}  {}  {} bytes  {}", loc(location), bytes.len(), message_id(bytes).unwrap_or_default())
        }
        Event::Gone { source, location } => format!("gone     {source}  {}", loc(location)),
        Event::SourceUnavailable { source, reason } => format!("unavailable  {source}  {reason}"),
        Event::SourceBack { source } => format!("back     {source}"),
        Event::Problem { source, error } => format!("problem  {source}  {error}"),
    }
}

fn event_json(ev: &Event) -> serde_json::Value {
    use serde_json::json;
    match ev {
        Event::Message { source, location, bytes } => json!({
            "event": "message", "source": source, "path": location.path, "offset": location.offset,
            "bytes": bytes.len(), "message_id": message_id(bytes),
        }),
        Event::Gone { source, location } => json!({"event": "gone", "source": source, "path": location.path, "offset": location.offset}),
        Event::SourceUnavailable { source, reason } => json!({"event": "unavailable", "source": source, "reason": reason}),
        Event::SourceBack { source } => json!({"event": "back", "source": source}),
        Event::Problem { source, error } => json!({"event": "problem", "source": source, "error": error.to_string()}),
    }
}

/// The Message-ID header value (first one, unfolded), for the log.
fn message_id(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return None;
        }
        if line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
            let mut v = String::from_utf8_lossy(&line[11..]).trim().to_string();
            while let Some(next) = lines.peek().filter(|l| l.first().is_some_and(|b| *b == b' ' || *b == b'\t')) {
                v.push_str(String::from_utf8_lossy(next).trim());
                lines.next();
            }
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_id_is_found_and_unfolded() {
        assert_eq!(super::message_id(b"Subject: a\r\nMessage-ID:\r\n <a@b>\r\n\r\nx").as_deref(), Some("<a@b>"));
        assert_eq!(super::message_id(b"Subject: a\n\nMessage-ID: <no@body>\n"), None);
    }
}
