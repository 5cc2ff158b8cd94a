//! Full-text search (SQLite FTS5) over every message, with filters.
//!
//! Indexed per message: subject (and the daticert `oggetto`), addresses (headers and
//! daticert), body text (and the enclosed original's), attachment names, ids
//! (Message-ID, identificativo, msgid), provider (`gestore-emittente`) and error text
//! (`errore`, `errore-esteso`). The user's words are quoted one by one (so `@`, `.`,
//! `-` never become FTS syntax) and must all match; a trailing `*` keeps prefix search.
use rusqlite::{params_from_iter, types::Value, Connection, OptionalExtension};
use serde::Serialize;

use crate::cards::{STATES, STATE_SQL};
use crate::clock::Clock;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (FTS5 bm25) when at most [`RANK_WINDOW`] messages match;
    /// beyond that, the most recently archived matches first; newest first when there
    /// is no text.
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

/// Relevance order ranks (bm25) searches that match at most this many messages.
/// bm25 needs, for each phrase, a pass over every message holding it (its document
/// frequency) before anything can be sorted: a word or address found in a third of a
/// million-message archive took 0.3-1.7 s. Past this many matches a ranking means
/// little anyway, so those searches list the most recently archived matches first,
/// which FTS5 streams in id order and stops at the page (milliseconds).
pub const RANK_WINDOW: i64 = 4000;

/// How a search with words finds its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Every match joined to its message, filtered, sorted (by bm25 or by time).
    Sorted,
    /// Relevance past [`RANK_WINDOW`] matches: FTS5 streams matches by id, newest
    /// archived first, and the page stops early.
    ArchiveOrder,
    /// Time order when the words are common: walk `messages_time` and probe the
    /// index for each message until the page is full. Sorting every match of a word
    /// in a third of a million-message archive took 0.4-1.5 s; a probe costs ~50 us,
    /// so this pays while matches are dense (see [`dense`]).
    TimeWalk,
}

pub fn search(conn: &Connection, q: &SearchQuery, clock: &Clock) -> Result<Vec<Hit>> {
    search_ranking_up_to(conn, q, clock, RANK_WINDOW, None)
}

/// Whether `text` matches more than `n` messages: FTS5 walks the doclists by id
/// without ranking, so this costs a walk over `n` matches at most.
fn more_matches_than(conn: &Connection, text: &str, n: i64) -> Result<bool> {
    let over: Option<i64> = conn
        .prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2")
        .and_then(|mut st| st.query_row(rusqlite::params![text, n], |r| r.get(0)).optional())
        .map_err(|e| Error::Query(e.to_string()))?;
    Ok(over.is_some())
}

/// Matches above which a time walk beats sorting: sorting costs ~2.5 us per match,
/// the walk ~50 us per message visited, about `limit x messages / matches` of them;
/// the two meet near sqrt(1,000 x messages) for a 50-row page (32,000 at a million).
fn dense(conn: &Connection) -> Result<i64> {
    let n: i64 = conn
        .prepare_cached("SELECT COALESCE(max(id), 0) FROM messages")
        .and_then(|mut st| st.query_row([], |r| r.get(0)))
        .map_err(|e| Error::Query(e.to_string()))?;
    Ok(((n.max(0) as f64 * 1000.0).sqrt() as i64).max(RANK_WINDOW))
}

/// `dense_at`: the [`dense`] threshold, computed when `None`.
fn search_ranking_up_to(conn: &Connection, q: &SearchQuery, clock: &Clock, window: i64, dense_at: Option<i64>) -> Result<Vec<Hit>> {
    let text = fts_query(&q.text);
    let plan = if text.is_empty() {
        Plan::Sorted
    } else if q.sort == Sort::Relevance {
        if more_matches_than(conn, &text, window)? { Plan::ArchiveOrder } else { Plan::Sorted }
    } else if q.state.is_none() && q.account.is_none() && more_matches_than(conn, &text, dense_at.map_or_else(|| dense(conn), Ok)?)? {
        // (State and account filters need each message's card: not for a walk.)
        Plan::TimeWalk
    } else {
        Plan::Sorted
    };
    run(conn, q, clock, plan)
}

fn run(conn: &Connection, q: &SearchQuery, clock: &Clock, plan: Plan) -> Result<Vec<Hit>> {
    let archive_order = plan == Plan::ArchiveOrder;
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
    } else if plan == Plan::TimeWalk {
        let p = push(&mut args, Value::Text(text.clone()));
        w.push(format!("EXISTS (SELECT 1 FROM fts WHERE fts MATCH {p} AND fts.rowid = m.id)"));
        "messages m".to_string()
    } else {
        let p = push(&mut args, Value::Text(text.clone()));
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
        // (Walking time order, the same: the walk must stay on `messages_time`.)
        let plus = if text.is_empty() { "" } else { "+" };
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
        (Sort::Relevance, true) if archive_order => ("fts.rowid", "DESC"),
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
            ORDER BY {page_order}
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
        // By id alone, so FTS5 delivers the rows in order and the page stops early
        // (a second key, even the same id through `m`, makes SQLite sort every match).
        page_order = if archive_order { "fts.rowid DESC".to_string() } else { format!("o {dir}, m.id {dir}") },
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

    /// Ten messages all matching "fattura" (message 1 the only acceptance, message 9
    /// the best match), in an archive of their own.
    fn archive_of_ten() -> (tempfile::TempDir, Connection) {
        let d = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&d.path().join("archive.db"), true).unwrap();
        for id in 1..=10i64 {
            let kind = if id == 1 { "acceptance" } else { "delivery" };
            conn.execute(
                "INSERT INTO messages (id, sha256, size, kind, sig_integrity, added_at, date_ts) VALUES (?1, ?2, 1, ?3, 'intact', 0, ?1)",
                rusqlite::params![id, format!("{id:064}"), kind],
            )
            .unwrap();
            let body = if id == 9 { "fattura fattura fattura fattura" } else { "fattura e altro testo da leggere" };
            conn.execute("INSERT INTO fts (rowid, subject, body) VALUES (?1, 'x', ?2)", rusqlite::params![id, body]).unwrap();
        }
        (d, conn)
    }

    fn ids(conn: &Connection, q: &SearchQuery, window: i64) -> Vec<i64> {
        search_ranking_up_to(conn, q, &Clock::fixed(0), window, Some(window)).unwrap().iter().map(|h| h.id).collect()
    }

    #[test]
    fn time_order_is_the_same_walked_or_sorted() {
        let (_d, conn) = archive_of_ten();
        // Window (and dense threshold) 5: ten matches are "dense", the time walk runs;
        // 100: every match is sorted. The answers must not differ.
        for sort in [Sort::Newest, Sort::Oldest] {
            let q = SearchQuery { text: "fattura".into(), limit: 3, sort, ..Default::default() };
            assert_eq!(ids(&conn, &q, 5), ids(&conn, &q, 100));
            let acc = SearchQuery { kind: Some("acceptance".into()), ..q.clone() };
            assert_eq!(ids(&conn, &acc, 5), vec![1]);
            let page = SearchQuery { offset: 3, ..q };
            assert_eq!(ids(&conn, &page, 5), ids(&conn, &page, 100));
        }
        let newest = SearchQuery { text: "fattura".into(), limit: 3, sort: Sort::Newest, ..Default::default() };
        assert_eq!(ids(&conn, &newest, 5), vec![10, 9, 8]);
    }

    #[test]
    fn relevance_ranks_up_to_the_window_then_lists_the_latest_archived() {
        let (_d, conn) = archive_of_ten();
        let q = SearchQuery { text: "fattura".into(), limit: 3, ..Default::default() };
        // Ten matches, window 100: bm25, the best match (9) first.
        assert_eq!(ids(&conn, &q, 100)[0], 9);
        // Window 5: more matches than that, latest archived first.
        assert_eq!(ids(&conn, &q, 5), vec![10, 9, 8]);
        // Filters and pages still see every match.
        let acc = SearchQuery { kind: Some("acceptance".into()), ..q.clone() };
        assert_eq!(ids(&conn, &acc, 5), vec![1]);
        let last = SearchQuery { offset: 8, ..q };
        assert_eq!(ids(&conn, &last, 5), vec![2, 1]);
    }

    #[test]
    fn words_are_quoted() {
        assert_eq!(fts_query("l.battistini@pec.it  fattura*"), "\"l.battistini@pec.it\" \"fattura\"*");
        assert_eq!(fts_query("say \"hi\""), "\"say\" \"\"\"hi\"\"\"");
        assert_eq!(fts_query("  "), "");
    }
}
