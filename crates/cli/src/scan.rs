//! `cartolina scan [--trust FILE]... PATH...`: store, index and pair; and the helpers
//! the other archive commands share (archive folder, clock, dates).
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use archive::{Archive, Clock, ScanOptions, Verifier};

/// An archive error as the CLI reports it (exit status 1).
pub fn fail(e: archive::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

pub fn open_readonly(dir: Option<&Path>) -> std::io::Result<Archive> {
    let dir = Archive::resolve_dir(dir).map_err(fail)?;
    Archive::open_readonly(&dir).map_err(fail)
}

pub fn clock() -> std::io::Result<Clock> {
    Clock::from_env().map_err(fail)
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339, as Unix seconds.
pub fn parse_date(s: &str) -> Result<i64, String> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(d.timestamp());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0))
        .map_err(|_| format!("{s:?}: expected YYYY-MM-DD or an RFC 3339 time"))
}

pub fn run(archive_dir: Option<&Path>, trust: &[PathBuf], paths: &[PathBuf], jobs: Option<usize>, reverify: bool, json: bool) -> std::io::Result<()> {
    let dir = Archive::resolve_dir(archive_dir).map_err(fail)?;
    for p in paths {
        if !p.exists() {
            return Err(std::io::Error::other(format!("{}: no such file or folder", p.display())));
        }
    }
    let clock = clock()?;
    let verifier = Verifier::new(trust, clock.now()).map_err(fail)?;
    let mut opts = ScanOptions::new(verifier);
    if let Some(j) = jobs {
        opts.jobs = j.max(1);
    }
    let mut archive = Archive::open_for_writing(&dir).map_err(fail)?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} files  {msg}  {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    });
    let mut on_progress = |p: &archive::Progress| {
        if let Some(b) = &bar {
            if p.walk_done {
                b.set_length(p.files_total);
            }
            b.set_position(p.files_done);
            b.set_message(format!("{} messages, {:.1} MB, {} unchanged", p.messages, p.bytes as f64 / 1e6, p.files_skipped));
        }
    };
    let result = archive.scan(paths, &opts, &mut on_progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let s = result.map_err(fail)?;
    let reverified = if reverify { Some(archive.reverify(&opts.verifier).map_err(fail)?) } else { None };
    let (messages, cards, locations) = archive.counts().map_err(fail)?;
    let conn = archive.connection();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0);
    let sent = count("SELECT count(*) FROM cards WHERE kind = 'sent'");
    let received = count("SELECT count(*) FROM cards WHERE kind = 'received'");
    let sig_problems = count(
        "SELECT count(*) FROM messages WHERE kind NOT IN ('plain','unparsable') AND NOT (sig_integrity = 'intact' AND sig_trust = 'trusted')",
    );
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "archive": dir.display().to_string(),
            "files_seen": s.files_seen,
            "files_unchanged": s.files_skipped,
            "files_read": s.files_read,
            "files_indexed": s.write.files_indexed,
            "messages_read": s.messages_read,
            "messages_new": s.write.messages_new,
            "messages_known": s.write.messages_known,
            "locations_new": s.write.locations_new,
            "new_by_kind": s.write.kinds_new,
            "signature_problems_new": s.write.signature_problems,
            "cards_updated": s.cards_updated,
            "archive_messages": messages,
            "archive_locations": locations,
            "cards": cards,
            "cards_sent": sent,
            "cards_received": received,
            "signature_problems": sig_problems,
            "reverified": reverified.map(|(checked, changed)| serde_json::json!({"checked": checked, "changed": changed})),
            "errors": s.errors,
            "seconds": s.elapsed.as_secs_f64(),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{} file(s) in {:.2} s: {} read, {} unchanged; {} message(s) read, {} new, {} already archived",
            s.files_seen,
            s.elapsed.as_secs_f64(),
            s.files_read,
            s.files_skipped,
            s.messages_read,
            s.write.messages_new,
            s.write.messages_known
        )?;
        if !s.write.kinds_new.is_empty() {
            let kinds: Vec<String> = s.write.kinds_new.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(out, "new messages by kind: {}", kinds.join(", "))?;
        }
        let by_kind = {
            let mut st = conn.prepare("SELECT kind, count(*) FROM messages WHERE kind <> 'plain' GROUP BY kind ORDER BY kind").map_err(|e| fail(e.into()))?;
            let rows = st.query_map([], |r| Ok(format!("{} {}", r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(|e| fail(e.into()))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(|e| fail(e.into()))?
        };
        writeln!(out, "PEC messages in the archive by kind: {}", if by_kind.is_empty() { "none".to_string() } else { by_kind.join(", ") })?;
        writeln!(out, "cards: {cards} ({sent} sent, {received} received), {} updated by this scan", s.cards_updated)?;
        writeln!(out, "PEC messages whose signature is not proof (broken, unsigned or untrusted): {sig_problems}")?;
        writeln!(out, "archive {}: {messages} message(s), {locations} location(s)", dir.display())?;
        if let Some((checked, changed)) = reverified {
            writeln!(out, "signatures verified again: {checked}, verdicts changed: {changed}")?;
        }
        for e in &s.errors {
            writeln!(out, "warning: {e}")?;
        }
    }
    Ok(())
}
