//! Opening the SQLite database: pragmas, corruption detection, migrations.
pub mod schema;

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// Open (and when `create`, create) the database at `path` and bring its schema up to date.
///
/// A file that is not an SQLite database, or whose schema cannot be read, is reported as
/// [`Error::Corrupt`] and left exactly as it was: it may be the only copy of the user's
/// index, and recreating it would also lose the link to the blobs' locations.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let sql = |e| Error::sql(path, e);
    if path.exists() {
        check_header(path)?;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql)?;
    // Reading the schema touches page 1 and the schema table: a damaged or foreign file
    // fails here, before anything is written.
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(sql)?;
    // WAL: readers (status, search) never block the scan and vice versa; NORMAL sync
    // is safe against a killed process (the WAL is replayed) and costs one fsync per
    // checkpoint instead of one per commit.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", "OFF").map_err(sql)?;
    conn.pragma_update(None, "cache_size", -65536).map_err(sql)?;
    // A checkpoint copies the WAL into the database: at the default 1,000 pages an
    // ingest checkpointed every few batches, rewriting the same index and FTS pages
    // each time. 8,000 pages (32 MB of WAL) keeps the WAL small for readers and the
    // copies rare. Durability is unchanged (that is `synchronous`).
    conn.pragma_update(None, "wal_autocheckpoint", 8000).map_err(sql)?;
    // Scans and pairing run a few dozen distinct statements, each many times.
    conn.set_prepared_statement_cache_capacity(64);
    migrate(&conn, path, version)?;
    Ok(conn)
}

/// Open read-only (status, search, show): never creates or migrates (an older schema is
/// [`Error::TooOld`]; [`crate::Archive::open_readonly`] upgrades it first when it can).
pub fn open_readonly(path: &Path) -> Result<Connection> {
    if !path.exists() {
        return Err(Error::NoArchive(path.parent().unwrap_or(path).to_path_buf()));
    }
    check_header(path)?;
    let sql = |e| Error::sql(path, e);
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).map_err(sql)?;
    let known = schema::current_version();
    if version > known {
        return Err(Error::TooNew { path: path.to_path_buf(), found: version, known });
    }
    if version < known {
        return Err(Error::TooOld { path: path.to_path_buf(), found: version, known });
    }
    Ok(conn)
}

/// A non-empty file must start with the SQLite magic; checked before SQLite touches it
/// (SQLite would treat some garbage as an empty database and write over it).
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let n = f.read(&mut head).map_err(|e| Error::io(path, e))?;
    if n == 0 {
        return Ok(());
    }
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(Error::Corrupt { path: path.to_path_buf(), detail: "not an SQLite database (bad header)".into() });
    }
    Ok(())
}

fn migrate(conn: &Connection, path: &Path, version: i64) -> Result<()> {
    let known = schema::current_version();
    if version > known {
        return Err(Error::TooNew { path: path.to_path_buf(), found: version, known });
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        let to = i as i64 + 1;
        let run = || -> rusqlite::Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", to)?;
            conn.execute_batch("COMMIT")
        };
        if let Err(e) = run() {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(Error::sql(path, e));
        }
    }
    Ok(())
}
