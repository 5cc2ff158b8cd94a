//! `cartolina fsck [--json]`: re-hash every blob, re-check every record. Reports only;
//! exit status 1 when something is damaged.
use std::io::Write;
use std::path::Path;

use archive::Archive;

use crate::scan::fail;

/// Returns whether the archive is sound.
pub fn run(archive_dir: Option<&Path>, json: bool) -> std::io::Result<bool> {
    let dir = Archive::resolve_dir(archive_dir).map_err(fail)?;
    let archive = Archive::open_readonly(&dir).map_err(fail)?;
    let mut out = std::io::stdout().lock();
    let mut io_err = None;
    let summary = archive
        .fsck(&mut |f| {
            let r = if json {
                serde_json::to_writer(&mut out, f).map_err(std::io::Error::other).and_then(|_| writeln!(out))
            } else {
                writeln!(out, "{}: {}", f.severity, f.what)
            };
            if let Err(e) = r {
                io_err.get_or_insert(e);
            }
        })
        .map_err(fail)?;
    if let Some(e) = io_err {
        return Err(e);
    }
    if json {
        serde_json::to_writer(&mut out, &summary).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "fsck {}: {} blob(s), {} message(s) checked: {} error(s), {} note(s)",
            dir.display(),
            summary.blobs,
            summary.messages,
            summary.errors,
            summary.infos
        )?;
    }
    Ok(summary.errors == 0)
}
