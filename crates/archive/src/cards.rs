//! Reading cards: the time-dependent state, filters, and the JSON of `status`.
//!
//! A card's stored fields never depend on the clock; `pending` vs `overdue` does, so it
//! is decided here, on read, against the [`Clock`] passed in (tests and
//! `CARTOLINA_NOW` set it).
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::clock::{Clock, OVERDUE_AFTER_SECS};
use crate::error::{Error, Result};

/// Card states, as `status --json` spells them.
pub const STATES: &[&str] = &["all-delivered", "partially-delivered", "failed", "pending", "overdue", "not-accepted", "received"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecipientView {
    pub address: String,
    #[serde(rename = "type")]
    pub rtype: String,
    /// `delivered`, `failed`, `warned`, `pending`, `overdue`, `not-provable`; on
    /// received cards `received` (this mailbox) or `listed` (the other recipients).
    pub state: String,
    pub at: Option<String>,
    pub error: Option<String>,
    /// Database id of the receipt that decided the state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CardView {
    pub id: i64,
    pub kind: String,
    pub account: Option<String>,
    /// The original Message-ID, in angle brackets.
    pub message_id: Option<String>,
    pub identificativo: Option<String>,
    pub subject: Option<String>,
    pub sender: Option<String>,
    pub sent_at: Option<String>,
    pub accepted_at: Option<String>,
    pub state: String,
    pub recipients: Vec<RecipientView>,
    pub proof_ok: bool,
    pub problems: Vec<String>,
    /// Where the original came from: `sent-copy`, `postacert`, `daticert`, `envelope`.
    pub origin: Option<String>,
}

/// Which cards, in which order.
#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    pub account: Option<String>,
    pub state: Option<String>,
    /// Unix seconds, inclusive / exclusive, on `sent_at`.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub recipient: Option<String>,
    pub kind: Option<String>,
    pub proof_ok: Option<bool>,
    /// Words that must all match (FTS over the card's messages: subject, addresses,
    /// identificativo, Message-ID, body, ...).
    pub text: Option<String>,
    /// Any of these states (empty: all); combined with `state` when both are given.
    pub states: Vec<String>,
    pub newest_first: bool,
    pub limit: Option<u64>,
    pub offset: u64,
}

/// The state as SQL over `cards` (alias `c`), `?` bound to now: the same rules as
/// [`state_of`], so filters and displayed states cannot disagree.
pub const STATE_SQL: &str = "CASE
    WHEN c.kind = 'received' THEN 'received'
    WHEN c.acceptance = 'not-accepted' THEN 'not-accepted'
    WHEN c.n_unresolved > 0 THEN CASE WHEN c.accepted_ts IS NOT NULL AND c.accepted_ts + 86400 <= ?NOW THEN 'overdue' ELSE 'pending' END
    WHEN c.n_failed > 0 THEN CASE WHEN c.n_delivered > 0 THEN 'partially-delivered' ELSE 'failed' END
    ELSE 'all-delivered' END";

/// The card state (see [`STATE_SQL`]): unresolved recipients make a card `pending`
/// until 24 h after acceptance, `overdue` after; otherwise failures decide between
/// `failed` and `partially-delivered`.
pub fn state_of(kind: &str, acceptance: &str, delivered: i64, failed: i64, unresolved: i64, accepted_ts: Option<i64>, now: i64) -> &'static str {
    if kind == "received" {
        "received"
    } else if acceptance == "not-accepted" {
        "not-accepted"
    } else if unresolved > 0 {
        if accepted_ts.is_some_and(|t| t + OVERDUE_AFTER_SECS <= now) {
            "overdue"
        } else {
            "pending"
        }
    } else if failed > 0 {
        if delivered > 0 {
            "partially-delivered"
        } else {
            "failed"
        }
    } else {
        "all-delivered"
    }
}

const CARD_COLS: &str = "c.id, c.kind, c.account, c.msgid, c.identificativo, c.subject, c.sender, c.sent_at, c.accepted_at,
    c.acceptance, c.n_delivered, c.n_failed, c.n_unresolved, c.accepted_ts, c.proof_ok, c.problems, c.origin";

fn card_from_row(r: &Row<'_>, now: i64) -> rusqlite::Result<CardView> {
    let kind: String = r.get(1)?;
    let acceptance: String = r.get(9)?;
    let state = state_of(&kind, &acceptance, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?, now);
    let problems: String = r.get(15)?;
    Ok(CardView {
        id: r.get(0)?,
        kind,
        account: r.get(2)?,
        message_id: r.get::<_, Option<String>>(3)?.map(|m| format!("<{m}>")),
        identificativo: r.get(4)?,
        subject: r.get(5)?,
        sender: r.get(6)?,
        sent_at: r.get(7)?,
        accepted_at: r.get(8)?,
        state: state.to_string(),
        recipients: Vec::new(),
        proof_ok: r.get(14)?,
        problems: serde_json::from_str(&problems).unwrap_or_default(),
        origin: r.get(16)?,
    })
}

fn recipients(conn: &Connection, card: &CardView, accepted_ts: Option<i64>, now: i64) -> Result<Vec<RecipientView>> {
    let mut st = conn.prepare_cached("SELECT address, type, state, at, error, receipt FROM card_recipients WHERE card = ?1 ORDER BY pos")?;
    let rows = st.query_map([card.id], |r| {
        let state: String = r.get(2)?;
        let state = if state == "none" {
            if accepted_ts.is_some_and(|t| t + OVERDUE_AFTER_SECS <= now) { "overdue".to_string() } else { "pending".to_string() }
        } else {
            state
        };
        Ok(RecipientView { address: r.get(0)?, rtype: r.get(1)?, state, at: r.get(3)?, error: r.get(4)?, receipt: r.get(5)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Build the WHERE clause for `f`; the state expression needs `?NOW` bound.
pub(crate) fn where_clause(f: &CardFilter, args: &mut Vec<rusqlite::types::Value>) -> Result<String> {
    use rusqlite::types::Value;
    // `?NOW` is always bound, so it must always appear.
    let mut w = vec!["?NOW IS NOT NULL".to_string()];
    if let Some(a) = &f.account {
        args.push(Value::Text(a.to_lowercase()));
        w.push(format!("c.account = ?{}", args.len() + 1));
    }
    if let Some(s) = &f.state {
        if !STATES.contains(&s.as_str()) {
            return Err(Error::Query(format!("unknown state {s:?} (one of {})", STATES.join(", "))));
        }
        args.push(Value::Text(s.clone()));
        w.push(format!("({STATE_SQL}) = ?{}", args.len() + 1));
    }
    if let Some(t) = f.since {
        args.push(Value::Integer(t));
        w.push(format!("c.sent_ts >= ?{}", args.len() + 1));
    }
    if let Some(t) = f.until {
        args.push(Value::Integer(t));
        w.push(format!("c.sent_ts < ?{}", args.len() + 1));
    }
    if let Some(r) = &f.recipient {
        args.push(Value::Text(r.to_lowercase()));
        w.push(format!("c.id IN (SELECT card FROM card_recipients WHERE lower(address) = ?{})", args.len() + 1));
    }
    if let Some(k) = &f.kind {
        args.push(Value::Text(k.clone()));
        w.push(format!("c.kind = ?{}", args.len() + 1));
    }
    if let Some(p) = f.proof_ok {
        args.push(Value::Integer(p as i64));
        w.push(format!("c.proof_ok = ?{}", args.len() + 1));
    }
    for st in &f.states {
        if !STATES.contains(&st.as_str()) {
            return Err(Error::Query(format!("unknown state {st:?} (one of {})", STATES.join(", "))));
        }
    }
    if !f.states.is_empty() {
        let mut ps = Vec::new();
        for st in &f.states {
            args.push(Value::Text(st.clone()));
            ps.push(format!("?{}", args.len() + 1));
        }
        w.push(format!("({STATE_SQL}) IN ({})", ps.join(", ")));
    }
    if let Some(t) = f.text.as_deref().map(crate::search::fts_query).filter(|t| !t.is_empty()) {
        args.push(Value::Text(t));
        w.push(format!(
            "c.id IN (SELECT cm.card FROM fts JOIN card_messages cm ON cm.message = fts.rowid WHERE fts MATCH ?{})",
            args.len() + 1
        ));
    }
    Ok(w.join(" AND "))
}

/// How many cards match `f`.
pub fn count(conn: &Connection, f: &CardFilter, clock: &Clock) -> Result<u64> {
    let mut args = Vec::new();
    let w = where_clause(f, &mut args)?.replace("?NOW", "?1");
    let mut all = vec![rusqlite::types::Value::Integer(clock.now())];
    all.extend(args);
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM cards c WHERE {w}"), params_from_iter(all.iter()), |r| r.get(0))?;
    Ok(n as u64)
}

/// Cards matching `f` per state (states with no card are absent).
pub fn count_by_state(conn: &Connection, f: &CardFilter, clock: &Clock) -> Result<std::collections::BTreeMap<String, u64>> {
    let mut args = Vec::new();
    let w = where_clause(f, &mut args)?.replace("?NOW", "?1");
    let mut all = vec![rusqlite::types::Value::Integer(clock.now())];
    all.extend(args);
    let sql = format!("SELECT ({}) AS s, count(*) FROM cards c WHERE {w} GROUP BY s", STATE_SQL.replace("?NOW", "?1"));
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(all.iter()), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The accounts (the user's PEC addresses) that have cards, sorted.
pub fn accounts(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT DISTINCT account FROM cards WHERE account IS NOT NULL ORDER BY account")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Call `each` for every card matching `f`, in sent order (streamed: an archive of a
/// million cards is never held in memory).
pub fn for_each(conn: &Connection, f: &CardFilter, clock: &Clock, each: &mut dyn FnMut(CardView) -> Result<()>) -> Result<()> {
    let now = clock.now();
    // ?1 is now; filter parameters follow.
    let mut args = Vec::new();
    let w = where_clause(f, &mut args)?.replace("?NOW", "?1");
    let order = if f.newest_first { "DESC" } else { "ASC" };
    let limit = f.limit.map(|l| l as i64).unwrap_or(-1);
    let sql = format!(
        "SELECT {CARD_COLS} FROM cards c WHERE {w} ORDER BY c.sent_ts {order}, c.id {order} LIMIT {limit} OFFSET {}",
        f.offset
    );
    let mut all = vec![rusqlite::types::Value::Integer(now)];
    all.extend(args);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(all.iter()))?;
    while let Some(row) = rows.next()? {
        let mut card = card_from_row(row, now)?;
        let accepted_ts: Option<i64> = row.get(13)?;
        card.recipients = recipients(conn, &card, accepted_ts, now)?;
        each(card)?;
    }
    Ok(())
}

/// One card by database id, identificativo or Message-ID (with or without brackets).
pub fn find(conn: &Connection, id: &str, clock: &Clock) -> Result<CardView> {
    let now = clock.now();
    let key = pec::normalize_msgid(id);
    let sql = format!(
        "SELECT {CARD_COLS} FROM cards c WHERE c.id = ?1 OR c.identificativo = ?2 OR c.msgid = ?3 ORDER BY c.kind = 'received', c.id LIMIT 1"
    );
    let num: i64 = id.trim().parse().unwrap_or(-1);
    let found = conn
        .query_row(&sql, rusqlite::params![num, id.trim(), key], |r| Ok((card_from_row(r, now)?, r.get::<_, Option<i64>>(13)?)))
        .optional()?;
    let (mut card, accepted_ts) = found.ok_or_else(|| Error::NotFound(id.to_string()))?;
    card.recipients = recipients(conn, &card, accepted_ts, now)?;
    Ok(card)
}

/// A message on a card, for `show`.
#[derive(Debug, Clone, Serialize)]
pub struct CardMessage {
    pub id: i64,
    pub role: String,
    pub kind: String,
    pub sha256: String,
    pub date: Option<String>,
    pub consegna: Option<String>,
    pub signature: String,
    pub trust: Option<String>,
    pub signer: Option<String>,
    pub detail: Option<String>,
    pub locations: Vec<String>,
}

pub fn messages_of(conn: &Connection, card: i64) -> Result<Vec<CardMessage>> {
    let mut st = conn.prepare(
        "SELECT m.id, cm.role, m.kind, m.sha256, COALESCE(m.dc_data, m.date), m.dc_consegna, m.sig_integrity, m.sig_trust, m.signer, m.sig_detail
         FROM card_messages cm JOIN messages m ON m.id = cm.message WHERE cm.card = ?1 ORDER BY m.dc_ts, m.id",
    )?;
    let rows = st.query_map([card], |r| {
        Ok(CardMessage {
            id: r.get(0)?,
            role: r.get(1)?,
            kind: r.get(2)?,
            sha256: r.get(3)?,
            date: r.get(4)?,
            consegna: r.get(5)?,
            signature: r.get(6)?,
            trust: r.get(7)?,
            signer: r.get(8)?,
            detail: r.get(9)?,
            locations: Vec::new(),
        })
    })?;
    let mut out: Vec<CardMessage> = rows.collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare_cached("SELECT path, offset FROM locations WHERE message = ?1 ORDER BY id")?;
    for m in &mut out {
        let locs = st.query_map([m.id], |r| {
            let p: String = r.get(0)?;
            let o: i64 = r.get(1)?;
            Ok(if o >= 0 { format!("{p} @{o}") } else { p })
        })?;
        m.locations = locs.collect::<rusqlite::Result<_>>()?;
    }
    Ok(out)
}
