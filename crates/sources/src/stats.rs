//! Counters a watcher keeps, for logs, tests and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::event::Event;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub messages: AtomicU64,
    pub gone: AtomicU64,
    pub problems: AtomicU64,
    pub bytes_read: AtomicU64,
    pub rescans: AtomicU64,
    pub batches: AtomicU64,
}

/// A snapshot of a watcher's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub messages: u64,
    pub gone: u64,
    pub problems: u64,
    /// Bytes read from sources (messages, mbox fingerprints and scanned mbox bytes).
    pub bytes_read: u64,
    /// Full walks of a source (start, overflow, back after unavailable).
    pub rescans: u64,
    /// Batches of file-system notifications handled.
    pub batches: u64,
}

impl Counters {
    pub fn count(&self, ev: &Event) {
        match ev {
            Event::Message { .. } => self.messages.fetch_add(1, Relaxed),
            Event::Gone { .. } => self.gone.fetch_add(1, Relaxed),
            Event::Problem { .. } => self.problems.fetch_add(1, Relaxed),
            _ => 0,
        };
    }

    pub fn add_bytes(&self, n: u64) {
        self.bytes_read.fetch_add(n, Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            messages: self.messages.load(Relaxed),
            gone: self.gone.load(Relaxed),
            problems: self.problems.load(Relaxed),
            bytes_read: self.bytes_read.load(Relaxed),
            rescans: self.rescans.load(Relaxed),
            batches: self.batches.load(Relaxed),
        }
    }
}
