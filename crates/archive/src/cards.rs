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

/// The part of a card's state that does not depend on the clock, as SQL over `cards`
/// (alias `c`); `unresolved` is pending-or-overdue. Migration 6 indexes this very
/// expression (`cards_settled`, with `accepted_ts`), so it must not change without a
/// new migration indexing the new one (`state_filters_use_the_index` checks).
pub const SETTLED_SQL: &str = "CASE
    WHEN c.kind = 'received' THEN 'received'
    WHEN c.acceptance = 'not-accepted' THEN 'not-accepted'
    WHEN c.n_unresolved > 0 THEN 'unresolved'
    WHEN c.n_failed > 0 THEN CASE WHEN c.n_delivered > 0 THEN 'partially-delivered' ELSE 'failed' END
    ELSE 'all-delivered' END";

/// The parameter the state SQL reads: the overdue cutoff, `now - 24 h` (bind
/// [`overdue_cutoff`]). A card with unresolved recipients accepted at or before it is
/// overdue. Comparing `accepted_ts` itself (not `accepted_ts + 24 h`) is what lets
/// the index answer it.
pub const CUTOFF: &str = "?CUTOFF";

/// Unresolved cards past the cutoff, in SQL (see [`CUTOFF`]).
const OVERDUE_SQL: &str = "c.accepted_ts <= ?CUTOFF";

/// The value to bind for [`CUTOFF`].
pub fn overdue_cutoff(now: i64) -> i64 {
    now.saturating_sub(OVERDUE_AFTER_SECS)
}

/// Whether something unresolved since acceptance at `accepted_ts` is overdue at `now`
/// (the rule [`OVERDUE_SQL`] states in SQL).
pub fn is_overdue(accepted_ts: Option<i64>, now: i64) -> bool {
    accepted_ts.is_some_and(|t| t <= overdue_cutoff(now))
}

/// The state as SQL over `cards` (alias `c`), [`CUTOFF`] bound: [`SETTLED_SQL`] with
/// `unresolved` split by the clock, the same rules as [`state_of`], so filters and
/// displayed states cannot disagree.
pub fn state_sql() -> String {
    SETTLED_SQL.replace("'unresolved'", &format!("CASE WHEN {OVERDUE_SQL} THEN 'overdue' ELSE 'pending' END"))
}

/// "Card `c` is in `state`", as SQL the `cards_settled` index can answer ([`CUTOFF`]
/// bound). An unknown state is an error.
pub fn state_condition(state: &str) -> Result<String> {
    if !STATES.contains(&state) {
        return Err(Error::Query(format!("unknown state {state:?} (one of {})", STATES.join(", "))));
    }
    Ok(match state {
        "overdue" => format!("({SETTLED_SQL}) = 'unresolved' AND {OVERDUE_SQL}"),
        // NULL `accepted_ts` (no acceptance) is never overdue.
        "pending" => format!("({SETTLED_SQL}) = 'unresolved' AND (c.accepted_ts IS NULL OR NOT ({OVERDUE_SQL}))"),
        s => format!("({SETTLED_SQL}) = '{s}'"),
    })
}

/// The clock-free part of the state (see [`SETTLED_SQL`]).
pub fn settled_of(kind: &str, acceptance: &str, delivered: i64, failed: i64, unresolved: i64) -> &'static str {
    if kind == "received" {
        "received"
    } else if acceptance == "not-accepted" {
        "not-accepted"
    } else if unresolved > 0 {
        "unresolved"
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

/// The card state (see [`state_sql`]): unresolved recipients make a card `pending`
/// until 24 h after acceptance, `overdue` after; otherwise failures decide between
/// `failed` and `partially-delivered`.
pub fn state_of(kind: &str, acceptance: &str, delivered: i64, failed: i64, unresolved: i64, accepted_ts: Option<i64>, now: i64) -> &'static str {
    match settled_of(kind, acceptance, delivered, failed, unresolved) {
        "unresolved" if is_overdue(accepted_ts, now) => "overdue",
        "unresolved" => "pending",
        s => s,
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
        let state = recipient_state(r.get(2)?, accepted_ts, now);
        Ok(RecipientView { address: r.get(0)?, rtype: r.get(1)?, state, at: r.get(3)?, error: r.get(4)?, receipt: r.get(5)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A recipient's stored state as shown: no outcome yet is `pending`, or `overdue` 24 h
/// after acceptance.
fn recipient_state(stored: String, accepted_ts: Option<i64>, now: i64) -> String {
    if stored != "none" {
        return stored;
    }
    if is_overdue(accepted_ts, now) { "overdue".to_string() } else { "pending".to_string() }
}

/// Build the WHERE clause for `f`; the state conditions need [`CUTOFF`] bound.
pub(crate) fn where_clause(f: &CardFilter, args: &mut Vec<rusqlite::types::Value>) -> Result<String> {
    use rusqlite::types::Value;
    // The cutoff is always bound, so it must always appear.
    let mut w = vec![format!("{CUTOFF} IS NOT NULL")];
    if let Some(a) = &f.account {
        args.push(Value::Text(a.to_lowercase()));
        w.push(format!("c.account = ?{}", args.len() + 1));
    }
    if let Some(s) = &f.state {
        w.push(format!("({})", state_condition(s)?));
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
    if !f.states.is_empty() {
        let any = f.states.iter().map(|s| state_condition(s).map(|c| format!("({c})"))).collect::<Result<Vec<_>>>()?;
        w.push(format!("({})", any.join(" OR ")));
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
    let w = where_clause(f, &mut args)?.replace(CUTOFF, "?1");
    let mut all = vec![rusqlite::types::Value::Integer(overdue_cutoff(clock.now()))];
    all.extend(args);
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM cards c WHERE {w}"), params_from_iter(all.iter()), |r| r.get(0))?;
    Ok(n as u64)
}

/// Cards matching `f` per state (states with no card are absent).
pub fn count_by_state(conn: &Connection, f: &CardFilter, clock: &Clock) -> Result<std::collections::BTreeMap<String, u64>> {
    let mut args = Vec::new();
    let w = where_clause(f, &mut args)?.replace(CUTOFF, "?1");
    let mut all = vec![rusqlite::types::Value::Integer(overdue_cutoff(clock.now()))];
    all.extend(args);
    let sql = format!("SELECT ({}) AS s, count(*) FROM cards c WHERE {w} GROUP BY s", state_sql().replace(CUTOFF, "?1"));
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
    // ?1 is the overdue cutoff; filter parameters follow.
    let mut args = Vec::new();
    let w = where_clause(f, &mut args)?.replace(CUTOFF, "?1");
    let order = if f.newest_first { "DESC" } else { "ASC" };
    let limit = f.limit.map(|l| l as i64).unwrap_or(-1);
    let sql = format!(
        "SELECT {CARD_COLS} FROM cards c WHERE {w} ORDER BY c.sent_ts {order}, c.id {order} LIMIT {limit} OFFSET {}",
        f.offset
    );
    let mut all = vec![rusqlite::types::Value::Integer(overdue_cutoff(now))];
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

/// The cards with these database ids, in the order given (ids with no card are left
/// out): one query for the cards and one for their recipients, for a page of a list
/// (the app reads ~50 at a time; [`find`] per card costs a statement each).
pub fn by_ids(conn: &Connection, ids: &[i64], clock: &Clock) -> Result<Vec<CardView>> {
    let now = clock.now();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers only: written into the statement, which then never needs binding.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut st = conn.prepare(&format!("SELECT {CARD_COLS} FROM cards c WHERE c.id IN ({list})"))?;
    let mut found: std::collections::HashMap<i64, (CardView, Option<i64>)> = std::collections::HashMap::with_capacity(ids.len());
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let card = card_from_row(r, now)?;
        found.insert(card.id, (card, r.get(13)?));
    }
    let mut st = conn.prepare(&format!(
        "SELECT card, address, type, state, at, error, receipt FROM card_recipients WHERE card IN ({list}) ORDER BY card, pos"
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some((card, accepted_ts)) = found.get_mut(&id) else { continue };
        let state = recipient_state(r.get(3)?, *accepted_ts, now);
        card.recipients.push(RecipientView { address: r.get(1)?, rtype: r.get(2)?, state, at: r.get(4)?, error: r.get(5)?, receipt: r.get(6)? });
    }
    Ok(ids.iter().filter_map(|id| found.remove(id).map(|(c, _)| c)).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One card per combination of the stored fields, in an archive of their own.
    fn every_kind_of_card(accepted: i64) -> (tempfile::TempDir, Connection, Vec<(i64, [i64; 3], &'static str, &'static str, Option<i64>)>) {
        let d = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&d.path().join("archive.db"), true).unwrap();
        let mut cards = Vec::new();
        let mut id = 0;
        for kind in ["sent", "received"] {
            for acceptance in ["accepted", "not-accepted", "missing", "received"] {
                for counts in [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1], [2, 0, 3]] {
                    for accepted_ts in [None, Some(accepted)] {
                        id += 1;
                        conn.execute(
                            "INSERT INTO cards (id, key, kind, acceptance, n_delivered, n_failed, n_unresolved, accepted_ts, proof_ok, problems)
                             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, '[]')",
                            rusqlite::params![id, kind, acceptance, counts[0], counts[1], counts[2], accepted_ts],
                        )
                        .unwrap();
                        cards.push((id, counts, kind, acceptance, accepted_ts));
                    }
                }
            }
        }
        (d, conn, cards)
    }

    /// The displayed state (`state_of`), the state SQL and the index-friendly filters
    /// agree for every card, just before, at and after the 24 h boundary.
    #[test]
    fn displayed_state_and_filters_agree_around_the_overdue_boundary() {
        let accepted = 1_700_000_000;
        let (_d, conn, cards) = every_kind_of_card(accepted);
        let mut seen = std::collections::BTreeSet::new();
        for now in [accepted - 1, accepted + OVERDUE_AFTER_SECS - 1, accepted + OVERDUE_AFTER_SECS, accepted + OVERDUE_AFTER_SECS + 1] {
            let clock = Clock::fixed(now);
            let cutoff = overdue_cutoff(now);
            for &(id, [d, f, u], kind, acceptance, accepted_ts) in &cards {
                let shown = state_of(kind, acceptance, d, f, u, accepted_ts, now);
                let sql: String =
                    conn.query_row(&format!("SELECT {} FROM cards c WHERE id = ?2", state_sql().replace(CUTOFF, "?1")), [cutoff, id], |r| r.get(0)).unwrap();
                assert_eq!(sql, shown, "card {id} at {now}");
                assert_eq!(find(&conn, &id.to_string(), &clock).unwrap().state, shown);
                seen.insert(shown);
            }
            for state in STATES {
                let f = CardFilter { state: Some(state.to_string()), ..Default::default() };
                let mut got: Vec<i64> = Vec::new();
                for_each(&conn, &f, &clock, &mut |c| {
                    got.push(c.id);
                    Ok(())
                })
                .unwrap();
                got.sort();
                let want: Vec<i64> =
                    cards.iter().filter(|&&(_, [d, f, u], k, a, t)| state_of(k, a, d, f, u, t, now) == *state).map(|c| c.0).collect();
                assert_eq!(got, want, "{state} at {now}");
                assert_eq!(count(&conn, &f, &clock).unwrap(), want.len() as u64);
            }
            let by_state = count_by_state(&conn, &CardFilter::default(), &clock).unwrap();
            assert_eq!(by_state.values().sum::<u64>(), cards.len() as u64);
        }
        // The combinations reach every state (pending and overdue among them).
        assert_eq!(seen.len(), STATES.len(), "{seen:?}");
        // At the boundary exactly, an unresolved card turns overdue.
        assert_eq!(state_of("sent", "accepted", 0, 0, 1, Some(accepted), accepted + OVERDUE_AFTER_SECS - 1), "pending");
        assert_eq!(state_of("sent", "accepted", 0, 0, 1, Some(accepted), accepted + OVERDUE_AFTER_SECS), "overdue");
        assert_eq!(state_of("sent", "accepted", 0, 0, 1, None, i64::MAX), "pending");
    }

    /// Every state filter is answered from the `cards_settled` index (migration 6
    /// indexes exactly [`SETTLED_SQL`]; an edit to one without the other would fall
    /// back to computing every card's state).
    #[test]
    fn state_filters_use_the_index() {
        let (_d, conn, _) = every_kind_of_card(0);
        for state in STATES {
            let sql = format!("EXPLAIN QUERY PLAN SELECT id FROM cards c WHERE ?1 IS NOT NULL AND {}", state_condition(state).unwrap().replace(CUTOFF, "?1"));
            let plan: Vec<String> = conn.prepare(&sql).unwrap().query_map([0], |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect();
            assert!(plan.iter().any(|p| p.contains("USING COVERING INDEX cards_settled") || p.contains("USING INDEX cards_settled")), "{state}: {plan:?}");
        }
        assert!(state_condition("lost").is_err());
    }
}
