//! One source being watched: its state, and what to do when a path under it changed.
//!
//! Paths reported by the file system are hints: every decision is taken from what is on
//! disk now against what the state says was delivered, so lost, merged or reordered
//! notifications cannot make a message be delivered twice or missed (a full reconcile
//! after a restart or an event-queue overflow walks the tree the same way).

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::SourceConfig;
use crate::detect::{self, Role, SourceKind};
use crate::error::SourceError;
use crate::event::{Event, Location, Sink};
use crate::mboxwatch::{self, Found};
use crate::state::{FileEntry, SourceState};
use crate::stats::Counters;

/// Delivers events, counting them; a sink failure becomes [`SourceError::Sink`].
pub(crate) struct Out<'a> {
    pub sink: &'a mut dyn Sink,
    pub counters: &'a Counters,
}

impl Out<'_> {
    pub fn send(&mut self, ev: Event) -> Result<(), SourceError> {
        self.counters.count(&ev);
        self.sink.deliver(ev).map_err(|e| SourceError::Sink(e.0))
    }
}

struct Settle {
    size: u64,
    mtime_ns: i64,
    due: Instant,
}

pub(crate) struct Source {
    pub cfg: SourceConfig,
    state: SourceState,
    state_path: PathBuf,
    /// Relative path -> identity key of `state.files`.
    by_path: HashMap<String, String>,
    pub available: bool,
    dirty: bool,
    settling: HashMap<String, Settle>,
    settle: Duration,
}

fn mtime_ns(m: &std::fs::Metadata) -> i64 {
    m.mtime().saturating_mul(1_000_000_000).saturating_add(m.mtime_nsec())
}

impl Source {
    pub fn open(cfg: SourceConfig, state_dir: &Path, settle: Duration) -> Result<Source, SourceError> {
        let state_path = cfg.state_file(state_dir);
        let state = SourceState::load(&state_path, &cfg.path, cfg.kind)?;
        let by_path = state.files.iter().map(|(k, e)| (e.path.clone(), k.clone())).collect();
        // Assume available: the first reconcile says otherwise, with an event.
        Ok(Source { cfg, state, state_path, by_path, available: true, dirty: false, settling: HashMap::new(), settle })
    }

    /// The folder relative paths start from (a single-file source: its folder).
    pub fn base(&self) -> &Path {
        if self.cfg.kind.is_tree() {
            &self.cfg.path
        } else {
            self.cfg.path.parent().unwrap_or(Path::new("/"))
        }
    }

    /// Folders to watch, and whether recursively.
    pub fn watch_roots(&self) -> Vec<(PathBuf, bool)> {
        if self.cfg.kind.is_tree() {
            detect::watch_roots(self.cfg.kind, &self.cfg.path).into_iter().map(|p| (p, true)).collect()
        } else {
            // The folder, not the file: a watch on the file dies when it is replaced.
            vec![(self.base().to_path_buf(), false)]
        }
    }

    pub fn contains(&self, abs: &Path) -> bool {
        if self.cfg.kind.is_tree() {
            abs.starts_with(&self.cfg.path)
        } else {
            abs == self.cfg.path
        }
    }

    pub fn save(&mut self, force: bool) -> Result<(), SourceError> {
        if self.dirty || force {
            self.state.save(&self.state_path)?;
            self.dirty = false;
        }
        Ok(())
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn next_settle(&self) -> Option<Instant> {
        self.settling.values().map(|s| s.due).min()
    }

    fn loc(&self, rel: &str, offset: Option<u64>) -> Location {
        Location { path: self.base().join(rel), offset }
    }

    /// Whether the source can be read; emits `SourceUnavailable` / `SourceBack` on change.
    /// An empty root folder while the state knows messages counts as unavailable: that is
    /// what an unmounted disk looks like, and reporting everything gone would be wrong.
    pub fn check_available(&mut self, out: &mut Out) -> Result<bool, SourceError> {
        let problem = match std::fs::metadata(&self.cfg.path) {
            Err(e) => Some(SourceError::io(&self.cfg.path, e).to_string()),
            Ok(m) if m.is_dir() => match std::fs::read_dir(&self.cfg.path) {
                Err(e) => Some(SourceError::io(&self.cfg.path, e).to_string()),
                Ok(mut it) => {
                    let knows_some = !(self.state.files.is_empty() && self.state.mboxes.is_empty());
                    if it.next().is_none() && knows_some {
                        Some(format!("{}: folder is empty (unmounted?)", self.cfg.path.display()))
                    } else {
                        self.shape_problem()
                    }
                }
            },
            Ok(_) => None,
        };
        match (problem, self.available) {
            (Some(reason), true) => {
                self.available = false;
                self.settling.clear();
                out.send(Event::SourceUnavailable { source: self.cfg.id.clone(), reason })?;
            }
            (None, false) => {
                self.available = true;
                out.send(Event::SourceBack { source: self.cfg.id.clone() })?;
            }
            _ => {}
        }
        Ok(self.available)
    }

    /// A store that lost what made it one (a Maildir root without `cur/`+`new/` while it
    /// had messages there, a profile without `prefs.js`) is half-mounted or being moved:
    /// unavailable rather than emptied.
    fn shape_problem(&self) -> Option<String> {
        let root = &self.cfg.path;
        match self.cfg.kind {
            SourceKind::Maildir if self.state.files.keys().any(|k| k.starts_with('/')) && !crate::maildir::is_maildir(root) => {
                Some(format!("{}: cur/ or new/ missing", root.display()))
            }
            SourceKind::ThunderbirdProfile if !crate::thunderbird::is_profile(root) => Some(format!("{}: not a Thunderbird profile any more", root.display())),
            _ => None,
        }
    }

    /// Walk everything and bring the state in line with the disk.
    pub fn reconcile(&mut self, out: &mut Out) -> Result<(), SourceError> {
        if !self.check_available(out)? {
            return Ok(());
        }
        out.counters.rescans.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut seen = BTreeSet::new();
        let mut unreadable: Vec<String> = Vec::new();
        let roots: Vec<PathBuf> = if self.cfg.kind.is_tree() { self.watch_roots().into_iter().map(|r| r.0).collect() } else { vec![self.cfg.path.clone()] };
        for root in roots {
            for e in walkdir::WalkDir::new(&root).follow_links(false).sort_by_file_name() {
                let e = match e {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                        if let Some(rel) = self.rel(&path) {
                            unreadable.push(rel);
                        }
                        // Vanished while walking (moved, unmounted): not a problem of
                        // its own; the availability check below decides.
                        if err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                            continue;
                        }
                        let error = match err.into_io_error() {
                            Some(io) => SourceError::io(path, io),
                            None => SourceError::Watch { path, detail: "file system loop".into() },
                        };
                        out.send(Event::Problem { source: self.cfg.id.clone(), error })?;
                        continue;
                    }
                };
                if !e.file_type().is_file() {
                    continue;
                }
                if let Some(rel) = self.touch(e.path(), out)? {
                    seen.insert(rel);
                }
            }
        }
        // What the state knows and the walk did not find is gone, unless it sits in a
        // folder that could not be read, or the source went away during the walk.
        let under_unreadable = |p: &str| unreadable.iter().any(|u| u.is_empty() || p == u || p.starts_with(&format!("{u}/")));
        let missing: Vec<String> = self
            .state
            .files
            .values()
            .map(|e| e.path.clone())
            .chain(self.state.mboxes.keys().cloned())
            .filter(|p| !seen.contains(p) && !under_unreadable(p))
            .collect();
        if !missing.is_empty() && !self.check_available(out)? {
            return Ok(());
        }
        for rel in missing {
            self.vanish_rel(&rel, out)?;
        }
        Ok(())
    }

    fn rel(&self, abs: &Path) -> Option<String> {
        let r = abs.strip_prefix(self.base()).ok()?;
        let s = r.to_str()?;
        Some(s.replace(std::path::MAIN_SEPARATOR, "/"))
    }

    /// Something happened at `abs`: a file, a folder, or nothing any more.
    pub fn changed(&mut self, abs: &Path, out: &mut Out, vanished: &mut Vec<PathBuf>) -> Result<(), SourceError> {
        match std::fs::symlink_metadata(abs) {
            Ok(m) if m.is_dir() => {
                // A folder moved in or created: its files may predate the new watch.
                for e in walkdir::WalkDir::new(abs).sort_by_file_name().into_iter().filter_map(Result::ok) {
                    if e.file_type().is_file() {
                        self.touch(e.path(), out)?;
                    }
                }
                Ok(())
            }
            Ok(m) if m.is_file() => self.touch(abs, out).map(|_| ()),
            Ok(_) => Ok(()),
            Err(_) => {
                vanished.push(abs.to_path_buf());
                Ok(())
            }
        }
    }

    /// Files whose settle interval is over: look at them again.
    pub fn settle_due(&mut self, now: Instant, out: &mut Out) -> Result<(), SourceError> {
        let due: Vec<String> = self.settling.iter().filter(|(_, s)| s.due <= now).map(|(r, _)| r.clone()).collect();
        for rel in due {
            let abs = self.base().join(&rel);
            if abs.is_file() {
                self.touch(&abs, out)?;
            } else {
                self.settling.remove(&rel);
            }
        }
        Ok(())
    }

    /// Quiet means: same size and mtime as when first seen, a settle interval ago.
    /// Returns true when quiet; otherwise (re)starts the interval.
    fn quiet(&mut self, rel: &str, meta: &std::fs::Metadata) -> bool {
        let (size, mtime_ns) = (meta.len(), mtime_ns(meta));
        let now = Instant::now();
        match self.settling.get(rel) {
            Some(s) if s.size == size && s.mtime_ns == mtime_ns => s.due <= now,
            _ => {
                self.settling.insert(rel.to_string(), Settle { size, mtime_ns, due: now + self.settle });
                false
            }
        }
    }

    /// A file exists at `abs`: deliver it if it is a message not seen before.
    /// Returns its relative path when it is (or may become) part of the source.
    pub fn touch(&mut self, abs: &Path, out: &mut Out) -> Result<Option<String>, SourceError> {
        if !self.contains(abs) {
            return Ok(None);
        }
        let Some(rel) = self.rel(abs) else {
            out.send(Event::Problem { source: self.cfg.id.clone(), error: SourceError::BadName { path: abs.to_path_buf() } })?;
            return Ok(None);
        };
        let known_mbox = self.state.mboxes.contains_key(&rel);
        let kind = if self.cfg.kind.is_tree() { self.cfg.kind } else { SourceKind::EmlTree };
        let role = detect::classify(kind, self.base(), abs, &rel, known_mbox);
        let meta = match std::fs::metadata(abs) {
            Ok(m) => m,
            Err(_) => return Ok(None),
        };
        match role {
            Role::Ignore => return Ok(None),
            Role::Maildir { key } => self.touch_single(key, &rel, abs, &meta, out)?,
            Role::Single => {
                // Dropped or exported files have no tmp/ protocol: wait until quiet.
                if !self.quiet(&rel, &meta) {
                    return Ok(Some(rel));
                }
                self.settling.remove(&rel);
                self.touch_single(rel.clone(), &rel, abs, &meta, out)?
            }
            Role::Mbox => self.touch_mbox(&rel, abs, &meta, out)?,
        }
        Ok(Some(rel))
    }

    fn touch_single(&mut self, key: String, rel: &str, abs: &Path, meta: &std::fs::Metadata, out: &mut Out) -> Result<(), SourceError> {
        let (size, ino, mtime) = (meta.len(), meta.ino(), mtime_ns(meta));
        if let Some(e) = self.state.files.get(&key) {
            if e.path != rel {
                // Renamed (flags changed, new/ -> cur/): the same message, never read again.
                self.by_path.remove(&e.path);
                self.by_path.insert(rel.to_string(), key.clone());
                if let Some(e) = self.state.files.get_mut(&key) {
                    e.path = rel.to_string();
                }
                self.dirty = true;
                return Ok(());
            }
            if e.size == size && e.ino == ino && e.mtime_ns == mtime {
                return Ok(());
            }
        }
        if size == 0 {
            return Ok(()); // not a message (yet)
        }
        if size > crate::MAX_MESSAGE_BYTES {
            let error = SourceError::TooLarge { path: abs.to_path_buf(), offset: None, size, limit: crate::MAX_MESSAGE_BYTES };
            return out.send(Event::Problem { source: self.cfg.id.clone(), error });
        }
        let bytes = match std::fs::read(abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()), // moved away meanwhile: its event follows
            Err(e) => return out.send(Event::Problem { source: self.cfg.id.clone(), error: SourceError::io(abs, e) }),
        };
        out.counters.add_bytes(bytes.len() as u64);
        let hash = mboxwatch::content_hash(&bytes);
        let same_bytes = self.state.files.get(&key).is_some_and(|e| e.hash == hash);
        if !same_bytes {
            // Replaced under the same name with other bytes, or new: a message.
            out.send(Event::Message { source: self.cfg.id.clone(), location: self.loc(rel, None), bytes })?;
        }
        self.by_path.insert(rel.to_string(), key.clone());
        self.state.files.insert(key, FileEntry { path: rel.to_string(), size, ino, mtime_ns: mtime, hash });
        self.dirty = true;
        Ok(())
    }

    fn touch_mbox(&mut self, rel: &str, abs: &Path, meta: &std::fs::Metadata, out: &mut Out) -> Result<(), SourceError> {
        let quiet = self.settling.get(rel).is_some_and(|s| s.size == meta.len() && s.mtime_ns == mtime_ns(meta) && s.due <= Instant::now());
        let old = self.state.mboxes.get(rel).cloned();
        let source = self.cfg.id.clone();
        let base = self.base().to_path_buf();
        let r = mboxwatch::read(abs, old.as_ref(), quiet, &mut |f| {
            let ev = match f {
                Found::Message { offset, bytes } => {
                    Event::Message { source: source.clone(), location: Location { path: base.join(rel), offset: Some(offset) }, bytes }
                }
                Found::Gone { offset } => Event::Gone { source: source.clone(), location: Location { path: base.join(rel), offset: Some(offset) } },
                Found::TooLarge { offset, size } => Event::Problem {
                    source: source.clone(),
                    error: SourceError::TooLarge { path: base.join(rel), offset: Some(offset), size, limit: crate::MAX_MESSAGE_BYTES },
                },
            };
            out.send(ev)
        });
        let r = match r {
            Ok(r) => r,
            Err(SourceError::NotFound { .. }) => return Ok(()),
            Err(e @ SourceError::Sink(_)) => return Err(e),
            Err(error) => return out.send(Event::Problem { source: self.cfg.id.clone(), error }),
        };
        out.counters.add_bytes(r.bytes_read);
        if r.tail_pending {
            self.quiet(rel, meta);
        } else {
            self.settling.remove(rel);
        }
        if old.as_ref() != Some(&r.state) {
            self.state.mboxes.insert(rel.to_string(), r.state);
            self.dirty = true;
        }
        Ok(())
    }

    /// Paths that no longer exist, after the batch's existing paths were handled (so a
    /// rename's new name is already known and the old one is not reported gone).
    pub fn vanished(&mut self, abs: &Path, out: &mut Out) -> Result<(), SourceError> {
        let Some(rel) = self.rel(abs) else { return Ok(()) };
        self.settling.remove(&rel);
        if self.by_path.contains_key(&rel) || self.state.mboxes.contains_key(&rel) {
            return self.vanish_rel(&rel, out);
        }
        // A name we never saw, of a message we know: renamed then deleted within one
        // debounce interval (mbsync's expunge: flag T, then unlink), and the debouncer
        // reports only the last name. The message is gone if its known name is.
        if let Some(key) = crate::maildir::message_key(&rel) {
            if let Some(known) = self.state.files.get(&key).map(|e| e.path.clone()) {
                return self.vanish_rel(&known, out);
            }
        }
        // A folder: everything under it.
        let prefix = format!("{rel}/");
        let under: Vec<String> = self.by_path.keys().chain(self.state.mboxes.keys()).filter(|p| p.starts_with(&prefix)).cloned().collect();
        for p in under {
            self.vanish_rel(&p, out)?;
        }
        Ok(())
    }

    fn vanish_rel(&mut self, rel: &str, out: &mut Out) -> Result<(), SourceError> {
        if self.base().join(rel).is_file() {
            return Ok(());
        }
        if let Some(key) = self.by_path.get(rel).cloned() {
            // A Maildir message may only have been renamed: look for its base name.
            if let Some(now) = self.find_renamed(&key) {
                self.by_path.remove(rel);
                self.by_path.insert(now.clone(), key.clone());
                if let Some(e) = self.state.files.get_mut(&key) {
                    e.path = now;
                }
                self.dirty = true;
                return Ok(());
            }
            out.send(Event::Gone { source: self.cfg.id.clone(), location: self.loc(rel, None) })?;
            self.by_path.remove(rel);
            self.state.files.remove(&key);
            self.dirty = true;
        }
        if let Some(m) = self.state.mboxes.get(rel).cloned() {
            for (offset, _) in &m.messages {
                out.send(Event::Gone { source: self.cfg.id.clone(), location: self.loc(rel, Some(*offset)) })?;
            }
            self.state.mboxes.remove(rel);
            self.dirty = true;
        }
        Ok(())
    }

    /// For a Maildir key `folder/base`, the file now holding it in `cur/` or `new/`.
    fn find_renamed(&self, key: &str) -> Option<String> {
        let (folder, base) = key.rsplit_once('/')?;
        for sub in ["cur", "new"] {
            let dir = if folder.is_empty() { sub.to_string() } else { format!("{folder}/{sub}") };
            let Ok(rd) = std::fs::read_dir(self.base().join(&dir)) else { continue };
            for e in rd.filter_map(Result::ok) {
                let name = e.file_name();
                if let Some(n) = name.to_str() {
                    if crate::maildir::identity(n) == base {
                        return Some(format!("{dir}/{n}"));
                    }
                }
            }
        }
        None
    }
}
