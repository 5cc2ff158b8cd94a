//! The reader's two outputs, sent in batches: jobs for the workers, items for the
//! writer. One channel message per batch instead of several per file: a send to a
//! waiting thread is a futex wake and a context switch, and a cold scan made three of
//! them per file (149,000 voluntary context switches for 48,740 files).
use std::sync::mpsc::SyncSender;

use super::{Job, ToWriter};
use crate::error::Error;

/// Jobs per batch, and the bytes after which a batch goes at once (a batch of big
/// messages must not hold much memory, nor keep a worker idle).
const JOBS_PER_BATCH: usize = 16;
const BYTES_PER_BATCH: usize = 1 << 20;
/// Items for the writer per batch when no job goes (a rescan reports skipped files).
const ITEMS_PER_BATCH: usize = 256;

pub(super) struct Feed<'a> {
    jobs: &'a SyncSender<Vec<Job>>,
    out: &'a SyncSender<ToWriter>,
    pending_jobs: Vec<Job>,
    pending_bytes: usize,
    pending_items: Vec<ToWriter>,
}

/// Every method returns `None` when the receiving side has gone (the writer failed):
/// the reader must stop.
impl<'a> Feed<'a> {
    pub(super) fn new(jobs: &'a SyncSender<Vec<Job>>, out: &'a SyncSender<ToWriter>) -> Feed<'a> {
        Feed { jobs, out, pending_jobs: Vec::with_capacity(JOBS_PER_BATCH), pending_bytes: 0, pending_items: Vec::new() }
    }

    pub(super) fn job(&mut self, job: Job) -> Option<()> {
        self.pending_bytes += job.bytes.len();
        self.pending_jobs.push(job);
        if self.pending_jobs.len() >= JOBS_PER_BATCH || self.pending_bytes >= BYTES_PER_BATCH {
            self.flush()?;
        }
        Some(())
    }

    pub(super) fn send(&mut self, item: ToWriter) -> Option<()> {
        self.pending_items.push(item);
        if self.pending_items.len() >= ITEMS_PER_BATCH {
            self.flush_items()?;
        }
        Some(())
    }

    /// Stop the scan: what was pending goes first, so the writer's counts are whole.
    pub(super) fn fatal(&mut self, e: Error) {
        let _ = self.flush_items();
        let _ = self.out.send(ToWriter::Fatal(e));
    }

    /// Send everything pending (the items first: they announce the files the jobs are from).
    pub(super) fn flush(&mut self) -> Option<()> {
        self.flush_items()?;
        if !self.pending_jobs.is_empty() {
            let batch = std::mem::replace(&mut self.pending_jobs, Vec::with_capacity(JOBS_PER_BATCH));
            self.pending_bytes = 0;
            self.jobs.send(batch).ok()?;
        }
        Some(())
    }

    fn flush_items(&mut self) -> Option<()> {
        if !self.pending_items.is_empty() {
            self.out.send(ToWriter::Many(std::mem::take(&mut self.pending_items))).ok()?;
        }
        Some(())
    }
}
