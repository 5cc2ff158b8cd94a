//! # sources: mail stores, read-only, read once and watched live
//!
//! Turns a path the user gives (a Maildir, a Thunderbird profile or mbox, a folder of
//! `.eml` files, a single file) into a stream of raw messages, each with a stable
//! [`Location`] (`path`, plus the byte `offset` inside an mbox). Nothing here ever writes
//! to a source: the user's mail is read-only to us; our state lives in our own files.
//!
//! ## One-shot reading (used by `scan` and `inspect`)
//! [`walk`] lists a tree (skipping Maildir `tmp/` and client state files), [`TreeWalk`]
//! walks it folder by folder for a reader that may skip a folder unlisted, [`MboxReader`]
//! streams an mbox with offsets in bounded memory, [`read_message_file`] reads one file.
//!
//! ## Live sources
//! * [`detect::detect`] tells a [`SourceKind`]; [`SourcesConfig`] keeps the configured
//!   sources (`sources.json`), each with a state file ([`state`]).
//! * [`Watcher`] watches a set of sources and delivers [`Event`]s to a [`Sink`]:
//!   `Message` (complete, first seen at that location), `Gone` (the location no longer
//!   holds it: the archive keeps the bytes), `SourceUnavailable`/`SourceBack` (a folder
//!   removed, unmounted or unreadable, and back), `Problem` (one unreadable file).
//! * Identity: a Maildir message is its folder plus unique base name, so flag renames and
//!   `new/`->`cur/` moves are never read again ([`maildir`]); a single file is its path
//!   (with a content hash, so `touch` or an identical copy is not new); an mbox message is
//!   (path, offset), read incrementally with fingerprints that notice rewrites
//!   ([`mboxwatch`], which also states when a message counts as complete).
//! * Delivery is at least once across crashes, exactly once across clean stops: state
//!   is saved only after the sink accepted the events it records.
//!
//! Limits: a single message larger than [`MAX_MESSAGE_BYTES`] is reported, never read
//! into memory; an mbox is streamed one message at a time, so its size is unbounded.
//! Unix only for the live part (inode numbers identify replaced files).

pub mod config;
pub mod detect;
pub mod error;
pub mod event;
pub mod maildir;
pub mod mbox;
pub mod mboxwatch;
mod mounts;
mod source;
pub mod state;
mod stats;
pub mod thunderbird;
pub mod walk;
pub mod watch;

pub use config::{SourceConfig, SourcesConfig};
pub use detect::SourceKind;
pub use error::SourceError;
pub use event::{Event, Location, Sink, SinkError, SourceId};
pub use mbox::{MboxMessage, MboxReader};
pub use stats::Stats;
pub use walk::{walk, Entry, EntryKind, Folder, FoundFile, Step, TreeWalk};
pub use watch::{channel_watcher, WatchOptions, Watcher};

/// Largest single message read into memory (bytes).
pub const MAX_MESSAGE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io { path: String, #[source] source: std::io::Error },
    #[error("{path}: message of {size} bytes is over the {limit}-byte limit")]
    TooLarge { path: String, size: u64, limit: u64 },
}

/// Read one whole file, refusing files over [`MAX_MESSAGE_BYTES`] before reading them.
pub fn read_message_file(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io { path: path.display().to_string(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_MESSAGE_BYTES {
        return Err(ReadError::TooLarge { path: path.display().to_string(), size, limit: MAX_MESSAGE_BYTES });
    }
    std::fs::read(path).map_err(io)
}
