//! `cartolina status [--json]`: one line (or JSON object) per card.
use std::io::Write;
use std::path::Path;

use archive::CardFilter;

use crate::scan::{clock, fail, open_readonly};

pub fn run(archive_dir: Option<&Path>, filter: &CardFilter, json: bool) -> std::io::Result<()> {
    let archive = open_readonly(archive_dir)?;
    let clock = clock()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut io_err = None;
    let r = archive.for_each_card(filter, &clock, &mut |c| {
        let res = if json {
            serde_json::to_writer(&mut out, &c).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        } else {
            let total = c.recipients.iter().filter(|r| r.rtype == "certificato").count();
            let ok = c.recipients.iter().filter(|r| r.state == "delivered").count();
            writeln!(
                out,
                "{:>6}  {:<19}  {:<25}  {:>2}/{:<2}  {}{}  {}",
                c.id,
                c.state,
                c.sent_at.as_deref().unwrap_or("-"),
                ok,
                total,
                if c.proof_ok { " " } else { "!" },
                c.sender.as_deref().unwrap_or("-"),
                c.subject.as_deref().unwrap_or("")
            )
        };
        match res {
            Ok(()) => Ok(()),
            Err(e) => {
                io_err = Some(e);
                Err(archive::Error::Query("output closed".into()))
            }
        }
    });
    if let Some(e) = io_err {
        return Err(e);
    }
    r.map_err(fail)?;
    out.flush()
}
