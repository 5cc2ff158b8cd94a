//! # sources: mail stores, read-only
//!
//! Turns a path the user gives (a Maildir, a Thunderbird mbox, a folder of `.eml`
//! files, a single file) into a stream of raw messages, each with a stable location
//! (`path`, plus the byte `offset` inside an mbox). Nothing here ever writes to a
//! source: the user's mail is read-only to us.
//!
//! Limits: a single message larger than [`MAX_MESSAGE_BYTES`] is reported as
//! [`ReadError::TooLarge`] without being read into memory; an mbox is streamed one
//! message at a time, so its size is unbounded.

pub mod mbox;
pub mod walk;

pub use mbox::{MboxReader, MboxMessage};
pub use walk::{walk, Entry, EntryKind};

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
