//! Full-text search (SQLite FTS5) over every message, with filters.
//!
//! Indexed per message: subject (and the daticert `oggetto`), addresses (headers and
//! daticert), body text (and the enclosed original's), attachment names, ids
//! (Message-ID, identificativo, msgid), provider (`gestore-emittente`) and error text
//! (`errore`, `errore-esteso`). The user's words are quoted one by one (so `@`, `.`,
//! `-` never become FTS syntax) and must all match; a trailing `*` keeps prefix search.
use rusqlite::{params_from_iter, types::Value, Connection};
use serde::Serialize;

use crate::cards::{STATES, STATE_SQL};
use crate::clock::Clock;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (FTS5 bm25); newest first when there is no text.
    #[default]
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Unix seconds on the message time (daticert time, else Date), inclusive/exclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Card state of the card the message belongs to.
    pub state: Option<String>,
    pub sender: Option<String>,
    pub recipient: Option<String>,
    /// Message kind (`acceptance`, `delivery`, `plain`, ...).
    pub kind: Option<String>,
    /// Signature integrity (`intact`, `broken`, `unsigned`, ...) or `trusted`/`untrusted`.
    pub signature: Option<String>,
    pub account: Option<String>,
    pub sort: Sort,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// Database id of the message.
    pub id: i64,
    pub kind: String,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub date: Option<String>,
    pub identificativo: Option<String>,
    pub message_id: Option<String>,
    pub refers_to: Option<String>,
    pub signature: String,
    pub trust: Option<String>,
    pub card: Option<i64>,
    pub card_state: Option<String>,
    pub path: Option<String>,
    pub sha256: String,
}

/// Turn the user's words into an FTS5 query: each word a quoted string.
pub fn fts_query(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let (w, star) = match w.strip_suffix('*') {
                Some(x) if !x.is_empty() => (x, "*"),
                _ => (w, ""),
            };
            format!("\"{}\"{star}", w.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const CARD_JOIN: &str = "LEFT JOIN cards c ON c.id = (SELECT min(card) FROM card_messages cm WHERE cm.message = m.id)";

pub fn search(conn: &Connection, q: &SearchQuery, clock: &Clock) -> Result<Vec<Hit>> {
    let mut args: Vec<Value> = vec![Value::Integer(clock.now())];
    // ?1 (now) is always bound, so it must always appear.
    let mut w: Vec<String> = vec!["?1 IS NOT NULL".to_string()];
    let push = |args: &mut Vec<Value>, v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let text = fts_query(&q.text);
    let from = if text.is_empty() {
        "messages m".to_string()
    } else {
        let p = push(&mut args, Value::Text(text));
        w.push(format!("fts MATCH {p}"));
        "fts JOIN messages m ON m.id = fts.rowid".to_string()
    };
    if let Some(t) = q.since {
        let p = push(&mut args, Value::Integer(t));
        w.push(format!("COALESCE(m.dc_ts, m.date_ts) >= {p}"));
    }
    if let Some(t) = q.until {
        let p = push(&mut args, Value::Integer(t));
        w.push(format!("COALESCE(m.dc_ts, m.date_ts) < {p}"));
    }
    if let Some(k) = &q.kind {
        let p = push(&mut args, Value::Text(k.clone()));
        // With words to match, the FTS index must drive the query: the unary `+`
        // keeps SQLite from scanning every message of the kind and probing FTS for each.
        let plus = if from.starts_with("fts") { "+" } else { "" };
        w.push(format!("{plus}m.kind = {p}"));
    }
    if let Some(s) = &q.signature {
        let p = push(&mut args, Value::Text(s.clone()));
        w.push(format!("(m.sig_integrity = {p} OR m.sig_trust = {p})"));
    }
    if let Some(s) = &q.sender {
        let p = push(&mut args, Value::Text(s.to_lowercase()));
        w.push(format!("(lower(m.dc_mittente) = {p} OR lower(m.from_addr) = {p})"));
    }
    if let Some(r) = &q.recipient {
        let p = push(&mut args, Value::Text(format!("%{}%", r.to_lowercase())));
        w.push(format!("(lower(m.to_addrs) LIKE {p} OR lower(m.dc_destinatari) LIKE {p} OR lower(m.dc_consegna) LIKE {p})"));
    }
    // The card join is needed to filter only for account and state; otherwise it is
    // made for the returned page alone (below), not for every match.
    let mut card_join = "";
    if let Some(a) = &q.account {
        let p = push(&mut args, Value::Text(a.to_lowercase()));
        w.push(format!("c.account = {p}"));
        card_join = CARD_JOIN;
    }
    if let Some(s) = &q.state {
        if !STATES.contains(&s.as_str()) {
            return Err(Error::Query(format!("unknown state {s:?} (one of {})", STATES.join(", "))));
        }
        let p = push(&mut args, Value::Text(s.clone()));
        w.push(format!("({}) = {p}", STATE_SQL.replace("?NOW", "?1")));
        card_join = CARD_JOIN;
    }
    let fts = from.starts_with("fts");
    let (order_expr, dir) = match (q.sort, fts) {
        (Sort::Relevance, true) => ("fts.rank", "ASC"),
        (Sort::Oldest, _) => ("COALESCE(m.dc_ts, m.date_ts)", "ASC"),
        _ => ("COALESCE(m.dc_ts, m.date_ts)", "DESC"),
    };
    let where_sql = w.join(" AND ");
    let limit = if q.limit == 0 { 50 } else { q.limit };
    // Two steps: the page of matching ids (filters, order, limit), then the details
    // (card, state, first location) for that page only.
    let sql = format!(
        "WITH page AS (
            SELECT m.id AS id, {order_expr} AS o FROM {from} {card_join}
            WHERE {where_sql}
            ORDER BY o {dir}, m.id {dir}
            LIMIT {limit} OFFSET {offset})
         SELECT m.id, m.kind, COALESCE(m.subject, m.dc_oggetto), COALESCE(m.dc_mittente, m.from_addr), COALESCE(m.dc_data, m.date),
                m.identificativo, m.message_id, m.refers_to, m.sig_integrity, m.sig_trust, c.id,
                CASE WHEN c.id IS NULL THEN NULL ELSE ({state}) END,
                (SELECT path || CASE WHEN offset >= 0 THEN ' @' || offset ELSE '' END FROM locations l WHERE l.message = m.id ORDER BY l.id LIMIT 1),
                m.sha256
         FROM page JOIN messages m ON m.id = page.id {CARD_JOIN}
         ORDER BY page.o {dir}, m.id {dir}",
        state = STATE_SQL.replace("?NOW", "?1"),
        offset = q.offset,
    );
    let mut st = conn.prepare(&sql).map_err(|e| Error::Query(e.to_string()))?;
    let rows = st
        .query_map(params_from_iter(args.iter()), |r| {
            Ok(Hit {
                id: r.get(0)?,
                kind: r.get(1)?,
                subject: r.get(2)?,
                from: r.get(3)?,
                date: r.get(4)?,
                identificativo: r.get(5)?,
                message_id: r.get::<_, Option<String>>(6)?.map(|m| format!("<{m}>")),
                refers_to: r.get::<_, Option<String>>(7)?.map(|m| format!("<{m}>")),
                signature: r.get(8)?,
                trust: r.get(9)?,
                card: r.get(10)?,
                card_state: r.get(11)?,
                path: r.get(12)?,
                sha256: r.get(13)?,
            })
        })
        .map_err(|e| Error::Query(e.to_string()))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| Error::Query(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted() {
        assert_eq!(fts_query("l.battistini@pec.it  fattura*"), "\"l.battistini@pec.it\" \"fattura\"*");
        assert_eq!(fts_query("say \"hi\""), "\"say\" \"\"\"hi\"\"\"");
        assert_eq!(fts_query("  "), "");
    }
}
