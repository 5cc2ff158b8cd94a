//! `fsck`: re-hash every blob, re-check every record. Reports; never repairs.
//!
//! Checks, in order: SQLite's own `integrity_check`; every message row against its
//! blob (present, same size, same SHA-256, and re-parsed/re-verified to the same kind,
//! ids and signature integrity); every blob file without a row (an orphan left by an
//! interrupted scan is harmless and reported as info; a damaged one as an error);
//! locations and cards pointing at missing rows; Maildir folders a rescan skips with
//! fewer files indexed than they held. Memory stays flat: rows are streamed
//! and blobs are looked up one by one.
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::error::Result;
use crate::signature::Verifier;
use crate::store::sha256_hex;
use crate::Archive;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `error` (user data damaged or missing) or `info` (harmless, e.g. orphan blob).
    pub severity: &'static str,
    pub what: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FsckSummary {
    pub blobs: u64,
    pub messages: u64,
    pub errors: u64,
    pub infos: u64,
}

struct Out<'a> {
    report: &'a mut dyn FnMut(&Finding),
    summary: FsckSummary,
}

impl Out<'_> {
    fn error(&mut self, what: String) {
        self.summary.errors += 1;
        (self.report)(&Finding { severity: "error", what });
    }
    fn info(&mut self, what: String) {
        self.summary.infos += 1;
        (self.report)(&Finding { severity: "info", what });
    }
}

pub fn run(a: &Archive, report: &mut dyn FnMut(&Finding)) -> Result<FsckSummary> {
    let mut out = Out { report, summary: FsckSummary::default() };
    let conn = &a.conn;
    {
        let mut st = conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for r in rows.into_iter().filter(|r| r != "ok") {
            out.error(format!("database: {r}"));
        }
    }
    check_messages(a, &mut out)?;
    check_blobs(a, &mut out)?;
    let dangling = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let n = dangling("SELECT count(*) FROM locations l WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = l.message)")?;
    if n > 0 {
        out.error(format!("{n} location(s) point at missing message records"));
    }
    let n = dangling("SELECT count(*) FROM card_messages c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = c.message)")?;
    if n > 0 {
        out.error(format!("{n} card link(s) point at missing message records"));
    }
    let n = dangling("SELECT count(*) FROM card_recipients r WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.id = r.card)")?;
    if n > 0 {
        out.error(format!("{n} card recipient row(s) belong to no card"));
    }
    check_scan_folders(a, &mut out)?;
    let n = dangling("SELECT count(*) FROM dirty")?;
    if n > 0 {
        out.info(format!("{n} card(s) waiting to be recomputed (an interrupted scan): the next scan does it"));
    }
    let n = dangling("SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM locations l WHERE l.message = m.id)")?;
    if n > 0 {
        out.info(format!("{n} message(s) no longer found in any scanned source (kept in the archive)"));
    }
    if let Ok(rd) = std::fs::read_dir(a.blobs.root().join("tmp")) {
        let n = rd.count();
        if n > 0 {
            out.info(format!("{n} temporary file(s) from an interrupted write in blobs/tmp (removed by the next scan)"));
        }
    }
    Ok(out.summary)
}

fn check_messages(a: &Archive, out: &mut Out<'_>) -> Result<()> {
    // Integrity does not depend on trust anchors; trust is not re-judged here.
    let verifier = Verifier::new(&[] as &[&std::path::Path], chrono::Utc::now().timestamp())?;
    let mut st = a.conn.prepare("SELECT id, sha256, size, kind, refers_to, identificativo, message_id, sig_integrity FROM messages ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        out.summary.messages += 1;
        let id: i64 = r.get(0)?;
        let sha: String = r.get(1)?;
        let size: i64 = r.get(2)?;
        let path = a.blobs.path_of(&sha);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                out.error(format!("message {id}: blob {} unreadable: {e}", path.display()));
                continue;
            }
        };
        out.summary.blobs += 1;
        if bytes.len() as i64 != size {
            out.error(format!("message {id}: blob {} has {} bytes, the record says {size}", path.display(), bytes.len()));
            continue;
        }
        let actual = sha256_hex(&bytes);
        if actual != sha {
            out.error(format!("message {id}: blob {} is damaged (its SHA-256 is now {actual})", path.display()));
            continue;
        }
        let rec = crate::extract::extract(&bytes, &verifier);
        let stored: (String, Option<String>, Option<String>, Option<String>, String) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        let fresh = (rec.kind.to_string(), rec.refers_to, rec.identificativo, rec.message_id, rec.sig.integrity.to_string());
        if stored != fresh {
            out.error(format!(
                "message {id}: record disagrees with its bytes: stored (kind, msgid, identificativo, message-id, signature) {stored:?}, re-read {fresh:?}"
            ));
        }
    }
    Ok(())
}

/// A folder recorded as indexed whole is skipped unlisted by rescans: every file it
/// held then must be indexed (`sources` rows right under it; rows of files since
/// renamed or removed may stay, so there can be more), or files in it would stay unread.
fn check_scan_folders(a: &Archive, out: &mut Out<'_>) -> Result<()> {
    let mut st = a.conn.prepare(
        "SELECT f.path, f.files, (SELECT count(*) FROM sources s WHERE s.path > f.path || '/' AND s.path < f.path || '0'
                                  AND instr(substr(s.path, length(f.path) + 2), '/') = 0)
         FROM scan_folders f",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
    for row in rows {
        let (path, files, indexed) = row?;
        if indexed < files {
            out.error(format!(
                "folder {path}: recorded as indexed whole with {files} file(s), but {indexed} are indexed: rescans skip it \
                 (changing the folder, e.g. `touch` on it, has the next scan list it again)"
            ));
        }
    }
    Ok(())
}

fn check_blobs(a: &Archive, out: &mut Out<'_>) -> Result<()> {
    let mut st = a.conn.prepare("SELECT 1 FROM messages WHERE sha256 = ?1")?;
    let root = a.blobs.root();
    let Ok(shards) = std::fs::read_dir(root) else {
        out.error(format!("{}: blob folder missing", root.display()));
        return Ok(());
    };
    for shard in shards.flatten() {
        let sp = shard.path();
        if shard.file_name() == "tmp" || !sp.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sp).into_iter().flatten().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let known: Option<i64> = st.query_row([&name], |r| r.get(0)).optional()?;
            if known.is_some() {
                continue;
            }
            match std::fs::read(f.path()) {
                Ok(b) if sha256_hex(&b) == name => {
                    out.info(format!("orphan blob {name} (left by an interrupted scan; harmless, re-used if seen again)"))
                }
                Ok(_) => out.error(format!("{}: not a valid blob (name is not its SHA-256)", f.path().display())),
                Err(e) => out.error(format!("{}: unreadable: {e}", f.path().display())),
            }
        }
    }
    Ok(())
}
