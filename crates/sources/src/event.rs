//! What the engine tells its consumer: typed events, delivered to a [`Sink`].

use std::path::PathBuf;

use crate::error::SourceError;

/// The id of a configured source (see [`crate::config`]).
pub type SourceId = String;

/// Where a message lives: a file, and for an mbox the byte offset of its `From ` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub offset: Option<u64>,
}

#[derive(Debug)]
pub enum Event {
    /// A complete message seen for the first time at this location.
    Message { source: SourceId, location: Location, bytes: Vec<u8> },
    /// The location no longer holds that message (deleted, expunged, mbox compacted).
    /// The archived bytes must be kept: only the location is gone.
    Gone { source: SourceId, location: Location },
    /// The source's folder vanished (removed, unmounted) or cannot be read. Its state is
    /// kept: nothing is reported gone until it is back and really lacks a message.
    SourceUnavailable { source: SourceId, reason: String },
    /// The source can be read again; it is reconciled right after this event.
    SourceBack { source: SourceId },
    /// One file could not be read (permission denied, over the size limit, ...). It is
    /// not recorded as seen, so it is tried again when it changes or on the next start.
    Problem { source: SourceId, error: SourceError },
}

impl Event {
    pub fn source(&self) -> &str {
        match self {
            Event::Message { source, .. }
            | Event::Gone { source, .. }
            | Event::SourceUnavailable { source, .. }
            | Event::SourceBack { source }
            | Event::Problem { source, .. } => source,
        }
    }
}

/// Error a sink returns when it could not take an event (e.g. the archive is full).
#[derive(Debug)]
pub struct SinkError(pub String);

impl<E: std::fmt::Display> From<E> for SinkError {
    fn from(e: E) -> SinkError {
        SinkError(e.to_string())
    }
}

/// The consumer of events. Called on the watcher's thread, one event at a time; an event
/// is recorded in the source state only once `deliver` returned `Ok`, so a consumer that
/// stores what it gets (the archive) never loses a message across crashes: at worst it
/// sees one again, which content addressing makes harmless.
pub trait Sink: Send {
    fn deliver(&mut self, event: Event) -> Result<(), SinkError>;
}

impl Sink for std::sync::mpsc::Sender<Event> {
    fn deliver(&mut self, event: Event) -> Result<(), SinkError> {
        self.send(event).map_err(|_| SinkError("receiver dropped".into()))
    }
}

impl<F: FnMut(Event) -> Result<(), SinkError> + Send> Sink for F {
    fn deliver(&mut self, event: Event) -> Result<(), SinkError> {
        self(event)
    }
}
