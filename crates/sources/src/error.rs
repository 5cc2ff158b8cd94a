//! Typed errors of the sources engine.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{}: permission denied", path.display())]
    PermissionDenied { path: PathBuf },
    #[error("{}: not found", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, #[source] source: std::io::Error },
    #[error("{}{}: message of {size} bytes is over the {limit}-byte limit, skipped", path.display(), offset.map(|o| format!(" at offset {o}")).unwrap_or_default())]
    TooLarge { path: PathBuf, offset: Option<u64>, size: u64, limit: u64 },
    /// Paths that cannot be written into the JSON state (not UTF-8) are reported, not read.
    #[error("{}: file name is not UTF-8, skipped", path.display())]
    BadName { path: PathBuf },
    #[error("state file {}: {detail}", path.display())]
    State { path: PathBuf, detail: String },
    #[error("sources config {}: {detail}", path.display())]
    Config { path: PathBuf, detail: String },
    #[error("no source {0:?} is configured")]
    UnknownSource(String),
    #[error("{} is already a source ({id})", path.display())]
    Duplicate { path: PathBuf, id: String },
    #[error("watching {}: {detail}", path.display())]
    Watch { path: PathBuf, detail: String },
    /// The consumer of events failed: the watcher stops, and what was not accepted is
    /// not recorded as seen, so it is delivered again on the next start.
    #[error("event sink: {0}")]
    Sink(String),
}

impl SourceError {
    /// An I/O error with its path, `NotFound` and `PermissionDenied` told apart because
    /// callers treat them differently (gone vs retry-later).
    pub fn io(path: impl Into<PathBuf>, e: std::io::Error) -> SourceError {
        let path = path.into();
        match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound { path },
            std::io::ErrorKind::PermissionDenied => SourceError::PermissionDenied { path },
            _ => SourceError::Io { path, source: e },
        }
    }
}
