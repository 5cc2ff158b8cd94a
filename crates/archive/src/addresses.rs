//! The exact-address index: which messages carry an address, newest first.
//!
//! A whole address typed as a search word (`l.battistini@pec.it`) is, to FTS5, the
//! phrase `l battistini pec it`, and `pec` and `it` are in nearly every message: at a
//! million messages such a phrase cost 100-200 ms. `message_addresses` holds every
//! address of a message (header `From`/`To`/`Cc`, daticert `mittente`, `destinatari`,
//! `consegna`: what the FTS `addresses` column is made of), ASCII-lowercased, keyed
//! `(address, time, message)`: a search by address reads its page straight from the
//! key, in time order, and a probe for one message is one key lookup.
//!
//! Filled at ingest ([`insert`]) and, for messages archived before it existed, by
//! migration 6 from the columns `messages` stores; the two must agree (a test checks).
use rusqlite::{params, Transaction};

use crate::error::Result;
use crate::extract::Record;

/// The time key of a message with no time at all. SQLite orders NULL before every
/// integer, and this sorts before every real time the same way, so the order the key
/// gives is the order `COALESCE(dc_ts, date_ts)` gives everywhere else.
pub const NO_TIME: i64 = i64::MIN;

/// The time key of message `m` as SQL (must match what [`insert`] stores).
pub const TIME_KEY_SQL: &str = "COALESCE(m.dc_ts, m.date_ts, -9223372036854775808)";

/// Lowercase as SQLite's `lower()` does (ASCII only), so ingest and migration agree.
fn normal(a: &str) -> Option<String> {
    let a = a.trim();
    a.contains('@').then(|| a.to_ascii_lowercase())
}

/// Every address of the record, normalised, without repeats.
pub fn of_record(r: &Record) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |a: &str| {
        if let Some(a) = normal(a) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    };
    if let Some(f) = &r.from_addr {
        add(f);
    }
    // `To` and `Cc` as `extract` joins them (", ").
    for t in r.to_addrs.iter().flat_map(|t| t.split(',')) {
        add(t);
    }
    if let Some(d) = &r.dc {
        add(&d.mittente);
        if let Some(c) = &d.consegna {
            add(c);
        }
        // `destinatari` is stored as JSON `[{"address", "type"}]`.
        let list: Vec<serde_json::Value> = serde_json::from_str(&d.destinatari).unwrap_or_default();
        for a in list.iter().filter_map(|x| x.get("address")?.as_str()) {
            add(a);
        }
    }
    out
}

/// Record the addresses of message `id` (just inserted from `r`).
pub fn insert(tx: &Transaction<'_>, id: i64, r: &Record) -> Result<()> {
    let ts = r.dc.as_ref().map(|d| d.ts).or(r.date_ts).unwrap_or(NO_TIME);
    let mut st = tx.prepare_cached("INSERT OR IGNORE INTO message_addresses (address, ts, message) VALUES (?1, ?2, ?3)")?;
    for a in of_record(r) {
        st.execute(params![a, ts, id])?;
    }
    Ok(())
}

/// The address a search word stands for, if it is one: `local@domain.tld`, optionally
/// in angle brackets; never a prefix search (`word*`) nor a quoted phrase.
pub fn as_address(word: &str) -> Option<String> {
    let w = word.trim_matches(|c| c == '<' || c == '>');
    let (local, domain) = w.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(['@', '"', '*', '(', ')', '<', '>', ',', ';', ':', '\\']) && !s.contains(char::is_whitespace);
    let dotted = domain.split('.').count() >= 2 && domain.split('.').all(|p| !p.is_empty());
    (plain(local) && plain(domain) && dotted).then(|| w.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_that_are_addresses() {
        assert_eq!(as_address("L.Battistini@PEC.it").as_deref(), Some("l.battistini@pec.it"));
        assert_eq!(as_address("<a.b@c.d>").as_deref(), Some("a.b@c.d"));
        for not in ["battistini", "a@b", "@pec.it", "a@pec.", "a@@pec.it", "a@pec.it*", "\"a@pec.it\"", "a@pec..it", " a@pec.it"] {
            assert_eq!(as_address(not), None, "{not}");
        }
    }
}
