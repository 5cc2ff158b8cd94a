//! Typed errors. Every message names the path involved and says what the user can do,
//! because these reach the terminal unchanged.
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, #[source] source: std::io::Error },
    #[error("the disk holding {path} is full: the archive was left consistent (the batch being written was rolled back); free some space and run the scan again")]
    DiskFull { path: PathBuf },
    #[error("the archive database {path} is damaged or is not a Cartolina database ({detail}); it was left untouched: run `cartolina fsck`, restore it from a backup, or move it away and rescan")]
    Corrupt { path: PathBuf, detail: String },
    #[error("the archive database {path} has schema version {found}, newer than this Cartolina knows ({known}): upgrade Cartolina")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the archive database {path} was written by an older Cartolina (schema version {found}, this one uses {known}) and could not be upgraded now; run `cartolina scan` once (it upgrades it in place) and try again")]
    TooOld { path: PathBuf, found: i64, known: i64 },
    #[error("another Cartolina process is scanning the archive {path} (lock file {lock} is held); wait for it to finish")]
    Locked { path: PathBuf, lock: PathBuf },
    #[error("no archive at {0}: run `cartolina scan PATH` first")]
    NoArchive(PathBuf),
    #[error("the archive {path} holds stored messages but its database {db} is missing; refusing to create an empty database over them (restore the database, or move the archive folder away)")]
    MissingDatabase { path: PathBuf, db: PathBuf },
    #[error("no archive location: set --archive DIR or CARTOLINA_ARCHIVE (no home folder found)")]
    NoDefaultDir,
    #[error("CARTOLINA_NOW={0:?} is neither RFC 3339 nor Unix seconds")]
    BadClock(String),
    #[error("trust file {path}: {detail}")]
    Trust { path: PathBuf, detail: String },
    #[error("no card or message matches {0:?}")]
    NotFound(String),
    #[error("search: {0}")]
    Query(String),
    #[error("archive database: {0}")]
    Sql(rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        // ENOSPC (and EDQUOT) get their own message: it is the one I/O failure the user
        // can fix without help, and it must not read like corruption.
        if matches!(source.raw_os_error(), Some(28) | Some(122)) || source.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull { path: path.to_path_buf() };
        }
        Error::Io { path: path.to_path_buf(), source }
    }

    /// Classify an SQLite error met while using the database at `db`.
    pub fn sql(db: &Path, e: rusqlite::Error) -> Error {
        use rusqlite::ffi::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            match f.code {
                ErrorCode::DiskFull => return Error::DiskFull { path: db.to_path_buf() },
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return Error::Corrupt { path: db.to_path_buf(), detail: msg.clone().unwrap_or_else(|| f.to_string()) }
                }
                _ => {}
            }
        }
        Error::Sql(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::sql(Path::new("archive.db"), e)
    }
}
