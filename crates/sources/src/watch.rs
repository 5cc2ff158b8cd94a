//! The live engine: a [`Watcher`] over a set of sources, one thread, events to a sink.
//!
//! * File-system notifications come from `notify` (inotify on Linux) through
//!   `notify-debouncer-full`, which batches them per debounce interval; the engine
//!   thread blocks on its channel, so an idle watcher does no work (the debouncer's own
//!   timer thread wakes 4 times per interval and finds nothing).
//! * At start every source is reconciled against its saved state (a walk of names and
//!   sizes; only new bytes are read), then only changed paths are looked at.
//! * Timers, all on the monotonic clock: files waiting to be quiet (see
//!   [`crate::mboxwatch`]) and, only while a source is unavailable, a re-check every
//!   `retry` interval (a folder re-created or permissions fixed produce no notification
//!   we watch). Mounts and unmounts come from the mount table (`crate::mounts`).
//! * State is saved after the batches the sink accepted, at most once a second (a big
//!   mbox's state is megabytes), and always on stop: a crash re-delivers at most the
//!   last second, a clean stop nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache};

use crate::config::SourceConfig;
use crate::error::SourceError;
use crate::event::{Event, Sink};
use crate::source::{Out, Source};
use crate::stats::{Counters, Stats};

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Where the per-source state files live (`<archive>/sources/`).
    pub state_dir: PathBuf,
    /// Debounce interval, also the settle interval for mbox tails and dropped files.
    pub debounce: Duration,
    /// How often an unavailable source is looked at again.
    pub retry: Duration,
}

impl WatchOptions {
    pub fn new(state_dir: impl Into<PathBuf>) -> WatchOptions {
        WatchOptions { state_dir: state_dir.into(), debounce: Duration::from_millis(200), retry: Duration::from_secs(2) }
    }
}

/// Least time between two saves of the states while running.
const SAVE_EVERY: Duration = Duration::from_secs(1);

enum Msg {
    Fs(DebounceEventResult),
    /// The mount table changed: a source may have gone or come back.
    Mounts,
    Stop,
}

/// Watches sources until stopped (or dropped). Paused sources are not watched.
pub struct Watcher {
    tx: mpsc::Sender<Msg>,
    thread: Option<JoinHandle<Result<(), SourceError>>>,
    counters: Arc<Counters>,
}

impl Watcher {
    /// Load every source's state and start watching. The first events (what arrived
    /// while nobody watched) follow at once, from the watcher's thread.
    pub fn start(sources: Vec<SourceConfig>, opts: WatchOptions, sink: impl Sink + 'static) -> Result<Watcher, SourceError> {
        let mut open = Vec::new();
        for cfg in sources.into_iter().filter(|s| !s.paused) {
            open.push(Source::open(cfg, &opts.state_dir, opts.debounce)?);
        }
        let (tx, rx) = mpsc::channel();
        let fs_tx = tx.clone();
        let debouncer = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
            opts.debounce,
            None,
            move |r: DebounceEventResult| {
                // Opens and reads (ours included: every walk opens folders) are not
                // changes; passing them on would make the engine wake itself for ever.
                let r = r.map(|evs| evs.into_iter().filter(|e| is_change(&e.event.kind)).collect::<Vec<_>>());
                if !matches!(&r, Ok(evs) if evs.is_empty()) {
                    let _ = fs_tx.send(Msg::Fs(r));
                }
            },
            NoCache,
            notify::Config::default(),
        )
        .map_err(|e| SourceError::Watch { path: PathBuf::new(), detail: e.to_string() })?;
        let mount_tx = tx.clone();
        let mounts = crate::mounts::MountWatch::start(move || {
            let _ = mount_tx.send(Msg::Mounts);
        });
        let counters = Arc::new(Counters::default());
        let c = Arc::clone(&counters);
        let thread = std::thread::Builder::new()
            .name("cartolina-watch".into())
            .spawn(move || {
                let mut engine = Engine {
                    sources: open,
                    debouncer,
                    sink: Box::new(sink),
                    counters: c,
                    opts,
                    watched: BTreeMap::new(),
                    last_save: Instant::now(),
                    save_due: None,
                    _mounts: mounts,
                };
                let r = engine.run(rx);
                // Save whatever was accepted, even when stopping on an error.
                let saved = engine.save_all(true);
                r.and(saved)
            })
            .map_err(|e| SourceError::Watch { path: PathBuf::new(), detail: e.to_string() })?;
        Ok(Watcher { tx, thread: Some(thread), counters })
    }

    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Stop watching, save state, and return the error that stopped the engine, if any.
    pub fn stop(mut self) -> Result<(), SourceError> {
        self.finish()
    }

    /// Block until the engine stops by itself (a sink failure).
    pub fn wait(mut self) -> Result<(), SourceError> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or_else(|_| Err(SourceError::Sink("watcher thread panicked".into()))),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<(), SourceError> {
        let _ = self.tx.send(Msg::Stop);
        match self.thread.take() {
            Some(t) => t.join().unwrap_or_else(|_| Err(SourceError::Sink("watcher thread panicked".into()))),
            None => Ok(()),
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

struct Engine {
    sources: Vec<Source>,
    debouncer: Debouncer<RecommendedWatcher, NoCache>,
    sink: Box<dyn Sink>,
    counters: Arc<Counters>,
    opts: WatchOptions,
    /// Watched folder -> recursive.
    watched: BTreeMap<PathBuf, bool>,
    last_save: Instant,
    save_due: Option<Instant>,
    /// Stops its thread when the engine ends.
    _mounts: Option<crate::mounts::MountWatch>,
}

impl Engine {
    fn run(&mut self, rx: mpsc::Receiver<Msg>) -> Result<(), SourceError> {
        for i in 0..self.sources.len() {
            // Watch first, then walk: nothing that lands in between is missed.
            self.watch(i)?;
            self.reconcile(i)?;
        }
        self.save_all(false)?;
        loop {
            let msg = match self.next_deadline() {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            };
            match msg {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Ok(Msg::Fs(r)) => self.on_fs(r)?,
                Ok(Msg::Mounts) => self.on_mounts()?,
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.timers()?;
            self.maybe_save()?;
        }
    }

    fn out(&mut self) -> (Out<'_>, &mut Vec<Source>) {
        (Out { sink: &mut *self.sink, counters: &self.counters }, &mut self.sources)
    }

    fn watch(&mut self, i: usize) -> Result<(), SourceError> {
        for (root, recursive) in self.sources[i].watch_roots() {
            let mode = if recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
            match self.debouncer.watch(&root, mode) {
                Ok(()) => {
                    self.watched.insert(root, recursive);
                }
                // Missing: the reconcile reports an unavailable source, a retry watches
                // it again. Anything else (the inotify watch limit, ...) is said aloud:
                // the source would be read at start and then never again.
                Err(_) if !root.exists() => {}
                Err(e) => {
                    let error = SourceError::Watch { path: root, detail: e.to_string() };
                    let (mut out, sources) = self.out();
                    out.send(Event::Problem { source: sources[i].cfg.id.clone(), error })?;
                }
            }
        }
        Ok(())
    }

    fn unwatch(&mut self, i: usize) {
        for (root, _) in self.sources[i].watch_roots() {
            if self.watched.remove(&root).is_some() {
                let _ = self.debouncer.unwatch(&root);
            }
        }
    }

    fn reconcile(&mut self, i: usize) -> Result<(), SourceError> {
        let (mut out, sources) = self.out();
        sources[i].reconcile(&mut out)
    }

    fn next_deadline(&self) -> Option<Instant> {
        let settle = self.sources.iter().filter_map(Source::next_settle).min();
        let retry = self.sources.iter().any(|s| !s.available).then(|| Instant::now() + self.opts.retry);
        settle.into_iter().chain(retry).chain(self.save_due).min()
    }

    fn maybe_save(&mut self) -> Result<(), SourceError> {
        if !self.sources.iter().any(Source::is_dirty) {
            self.save_due = None;
            return Ok(());
        }
        let now = Instant::now();
        if now.duration_since(self.last_save) >= SAVE_EVERY {
            self.save_all(false)?;
            self.last_save = now;
            self.save_due = None;
        } else {
            self.save_due = Some(self.last_save + SAVE_EVERY);
        }
        Ok(())
    }

    fn timers(&mut self) -> Result<(), SourceError> {
        let now = Instant::now();
        for i in 0..self.sources.len() {
            if !self.sources[i].available {
                let (mut out, sources) = self.out();
                if sources[i].check_available(&mut out)? {
                    self.came_back(i)?;
                }
                continue;
            }
            let (mut out, sources) = self.out();
            sources[i].settle_due(now, &mut out)?;
        }
        Ok(())
    }

    /// A source available again (found by the retry timer or by file events): watch it
    /// afresh and walk it all.
    fn came_back(&mut self, i: usize) -> Result<(), SourceError> {
        self.unwatch(i);
        self.watch(i)?;
        self.reconcile(i)
    }

    fn on_fs(&mut self, r: DebounceEventResult) -> Result<(), SourceError> {
        self.counters.batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let events = match r {
            Ok(ev) => ev,
            Err(errors) => {
                // The kernel queue overflowed or a watch failed: trust nothing, walk again.
                let _ = errors;
                for i in 0..self.sources.len() {
                    self.reconcile(i)?;
                }
                return Ok(());
            }
        };
        let mut rescan = false;
        let mut per_source: Vec<Vec<PathBuf>> = vec![Vec::new(); self.sources.len()];
        for ev in &events {
            if std::env::var_os("CARTOLINA_WATCH_DEBUG").is_some() {
                eprintln!("fs event: {:?} {:?}", ev.event.kind, ev.event.paths);
            }
            if ev.event.need_rescan() {
                rescan = true;
            }
            for p in &ev.event.paths {
                // The most specific source holding the path.
                let best = (0..self.sources.len()).filter(|&i| self.sources[i].contains(p)).max_by_key(|&i| self.sources[i].cfg.path.as_os_str().len());
                if let Some(i) = best {
                    per_source[i].push(p.clone());
                }
            }
        }
        for (i, mut paths) in per_source.into_iter().enumerate() {
            if rescan {
                self.reconcile(i)?;
                continue;
            }
            if paths.is_empty() {
                continue;
            }
            paths.sort();
            paths.dedup();
            let (mut out, sources) = self.out();
            let src = &mut sources[i];
            let was = src.available;
            if !src.check_available(&mut out)? {
                if was {
                    self.unwatch(i);
                }
                continue;
            }
            if !was {
                // Back, noticed through these events rather than by the retry timer. The
                // events alone miss what changed while it was away (a message delivered
                // into the moved folder).
                self.came_back(i)?;
                continue;
            }
            let mut vanished = Vec::new();
            for p in &paths {
                src.changed(p, &mut out, &mut vanished)?;
            }
            // Deciding "gone" is the one irreversible step: look at the source again right
            // before, in case it went away while this batch was being read.
            if !vanished.is_empty() && !src.check_available(&mut out)? {
                self.unwatch(i);
                continue;
            }
            for p in &vanished {
                src.vanished(p, &mut out)?;
            }
        }
        Ok(())
    }

    /// After a mount-table change: sources that went away are reported; those that came
    /// back are handled by [`Engine::timers`] right after.
    fn on_mounts(&mut self) -> Result<(), SourceError> {
        for i in 0..self.sources.len() {
            if self.sources[i].available {
                let (mut out, sources) = self.out();
                if !sources[i].check_available(&mut out)? {
                    self.unwatch(i);
                }
            }
        }
        Ok(())
    }

    fn save_all(&mut self, force: bool) -> Result<(), SourceError> {
        let mut first_err = None;
        for s in &mut self.sources {
            if let Err(e) = s.save(force) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

/// Whether a notification can mean a change: everything but opens and reads (a close
/// after writing counts: a file just finished).
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Convenience for tests and tools: a watcher delivering into a channel.
pub fn channel_watcher(sources: Vec<SourceConfig>, opts: WatchOptions) -> Result<(Watcher, mpsc::Receiver<Event>), SourceError> {
    let (tx, rx) = mpsc::channel();
    Ok((Watcher::start(sources, opts, tx)?, rx))
}
