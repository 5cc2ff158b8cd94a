//! `cartolina search QUERY [filters] [--json]`: one hit per line.
use std::io::Write;
use std::path::Path;

use archive::SearchQuery;

use crate::scan::{clock, fail, open_readonly};

pub fn run(archive_dir: Option<&Path>, q: &SearchQuery, json: bool) -> std::io::Result<()> {
    let archive = open_readonly(archive_dir)?;
    let clock = clock()?;
    let hits = archive.search(q, &clock).map_err(fail)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for h in &hits {
        if json {
            serde_json::to_writer(&mut out, h).map_err(std::io::Error::other)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:>7}  {:<16}  {:<25}  {:<10}  {}  {}",
                h.id,
                h.kind,
                h.date.as_deref().unwrap_or("-"),
                h.card.map(|c| format!("card {c}")).unwrap_or_default(),
                h.from.as_deref().unwrap_or("-"),
                h.subject.as_deref().unwrap_or("")
            )?;
        }
    }
    out.flush()
}
