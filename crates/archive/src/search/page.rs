//! One search's SQL for the [`Plan`] chosen: the page of matching ids (what drives,
//! filters, order, limit), then the details (card, state, first location) for that
//! page only.
use rusqlite::{params_from_iter, types::Value, Connection};

use super::{query_err, Hit, Plan, SearchQuery, Sort, Words, CARD_JOIN};
use crate::addresses::TIME_KEY_SQL;
use crate::cards::{state_condition, state_sql, CUTOFF};
use crate::error::Result;

/// A message's time, as search sorts and filters by it (`messages_time` indexes it).
const TIME: &str = "COALESCE(m.dc_ts, m.date_ts)";

/// Bound parameters, numbered in order.
struct Args(Vec<Value>);

impl Args {
    fn bind(&mut self, v: Value) -> String {
        self.0.push(v);
        format!("?{}", self.0.len())
    }
}

/// "Message `m` carries `address`": one key lookup.
fn address_probe(args: &mut Args, address: &str) -> String {
    let p = args.bind(Value::Text(address.to_string()));
    format!("EXISTS (SELECT 1 FROM message_addresses a2 WHERE a2.address = {p} AND a2.ts = {TIME_KEY_SQL} AND a2.message = m.id)")
}

pub(super) fn run(conn: &Connection, q: &SearchQuery, words: &Words, cutoff: i64, plan: Plan) -> Result<Vec<Hit>> {
    // ?1, the overdue cutoff, is always bound (the page's states need it), so it must
    // always appear.
    let mut args = Args(vec![Value::Integer(cutoff)]);
    let mut w: Vec<String> = vec!["?1 IS NOT NULL".to_string()];
    // Full-text probes (~20 us each) go after every other condition, so a message
    // another condition rejects is never probed.
    let mut last: Vec<String> = Vec::new();
    let dir = if q.sort == Sort::Oldest { "ASC" } else { "DESC" };
    let time_order = format!("o {dir}, m.id {dir}");
    // What drives (FROM), the page's sort key (`o`), its order, and the direction of
    // `o` for the final order of the page.
    let (from, order_expr, page_order, outer) = match plan {
        Plan::Sorted | Plan::ArchiveOrder => {
            let p = args.bind(Value::Text(words.fts.clone()));
            w.push(format!("fts MATCH {p}"));
            let from = "fts JOIN messages m ON m.id = fts.rowid";
            match q.sort {
                // By id alone, so FTS5 delivers the rows in order and the page stops
                // early (a second key, even the same id through `m`, makes SQLite sort
                // every match).
                Sort::Relevance if plan == Plan::ArchiveOrder => (from, "fts.rowid", "fts.rowid DESC".to_string(), "DESC"),
                Sort::Relevance => (from, "fts.rank", "o ASC, m.id ASC".to_string(), "ASC"),
                _ => (from, TIME, time_order, dir),
            }
        }
        Plan::TimeWalk => {
            let p = args.bind(Value::Text(words.fts.clone()));
            last.push(format!("EXISTS (SELECT 1 FROM fts WHERE fts MATCH {p} AND fts.rowid = m.id)"));
            ("messages m", TIME, time_order, dir)
        }
        Plan::Address => {
            let p = args.bind(Value::Text(words.addresses[0].clone()));
            w.push(format!("a.address = {p}"));
            // The key's own order: no sort, the page stops early.
            ("message_addresses a CROSS JOIN messages m ON m.id = a.message", TIME, format!("a.ts {dir}, a.message {dir}"), dir)
        }
        Plan::Cards => {
            // Every card in the state, each of its messages once (as its first card).
            w.push(state_condition(q.state.as_deref().unwrap_or_default())?.replace(CUTOFF, "?1"));
            w.push("cm.card = (SELECT min(x.card) FROM card_messages x WHERE x.message = m.id)".to_string());
            if !words.fts.is_empty() {
                let p = args.bind(Value::Text(words.fts.clone()));
                last.push(format!("EXISTS (SELECT 1 FROM fts WHERE fts MATCH {p} AND fts.rowid = m.id)"));
            }
            let from = "cards c CROSS JOIN card_messages cm ON cm.card = c.id CROSS JOIN messages m ON m.id = cm.message";
            if q.sort == Sort::Relevance && !words.fts.is_empty() {
                // Many matches (else FTS drives, ranked): latest archived first.
                (from, "m.id", "m.id DESC".to_string(), "DESC")
            } else {
                (from, TIME, time_order, dir)
            }
        }
        Plan::Messages => ("messages m", TIME, time_order, dir),
    };
    let driven_by_address = plan == Plan::Address;
    for a in words.addresses.iter().skip(usize::from(driven_by_address)) {
        w.push(address_probe(&mut args, a));
    }
    if let Some(t) = q.since {
        let p = args.bind(Value::Integer(t));
        w.push(format!("{TIME} >= {p}"));
        if driven_by_address {
            w.push(format!("a.ts >= {p}"));
        }
    }
    if let Some(t) = q.until {
        let p = args.bind(Value::Integer(t));
        w.push(format!("{TIME} < {p}"));
        if driven_by_address {
            w.push(format!("a.ts < {p}"));
        }
    }
    if let Some(k) = &q.kind {
        let p = args.bind(Value::Text(k.clone()));
        // Whatever drives must keep driving: the unary `+` keeps SQLite from scanning
        // every message of the kind and probing the rest for each. With no driver of
        // its own, `messages_kind_time` gives the kind's messages in time order.
        let plus = if plan == Plan::Messages { "" } else { "+" };
        w.push(format!("{plus}m.kind = {p}"));
    }
    if let Some(s) = &q.signature {
        let p = args.bind(Value::Text(s.clone()));
        w.push(format!("(m.sig_integrity = {p} OR m.sig_trust = {p})"));
    }
    if let Some(s) = &q.sender {
        let p = args.bind(Value::Text(s.to_lowercase()));
        w.push(format!("(lower(m.dc_mittente) = {p} OR lower(m.from_addr) = {p})"));
    }
    if let Some(r) = &q.recipient {
        let p = args.bind(Value::Text(format!("%{}%", r.to_lowercase())));
        w.push(format!("(lower(m.to_addrs) LIKE {p} OR lower(m.dc_destinatari) LIKE {p} OR lower(m.dc_consegna) LIKE {p})"));
    }
    // Account and state are the card's: one lookup of the message's card, a
    // condition of the message itself (so it comes before the full-text probe); a
    // message with no card has neither. The card is otherwise read for the page alone
    // (below), not for every match.
    let mut on_card = Vec::new();
    if let Some(a) = &q.account {
        let p = args.bind(Value::Text(a.to_lowercase()));
        on_card.push(format!("c.account = {p}"));
    }
    if plan == Plan::Cards {
        // The cards in that state drive: `c` is already the message's card.
        w.append(&mut on_card);
    } else if let Some(s) = q.state.as_deref() {
        on_card.push(state_condition(s)?.replace(CUTOFF, "?1"));
    }
    if !on_card.is_empty() {
        w.push(format!(
            "EXISTS (SELECT 1 FROM cards c WHERE c.id = (SELECT min(x.card) FROM card_messages x WHERE x.message = m.id) AND {})",
            on_card.join(" AND ")
        ));
    }
    w.append(&mut last);
    let limit = if q.limit == 0 { 50 } else { q.limit };
    let sql = format!(
        "WITH page AS (
            SELECT m.id AS id, {order_expr} AS o FROM {from}
            WHERE {where_sql}
            ORDER BY {page_order}
            LIMIT {limit} OFFSET {offset})
         SELECT m.id, m.kind, COALESCE(m.subject, m.dc_oggetto), COALESCE(m.dc_mittente, m.from_addr), COALESCE(m.dc_data, m.date),
                m.identificativo, m.message_id, m.refers_to, m.sig_integrity, m.sig_trust, c.id,
                CASE WHEN c.id IS NULL THEN NULL ELSE ({state}) END,
                (SELECT path || CASE WHEN offset >= 0 THEN ' @' || offset ELSE '' END FROM locations l WHERE l.message = m.id ORDER BY l.id LIMIT 1),
                m.sha256
         FROM page JOIN messages m ON m.id = page.id {CARD_JOIN}
         ORDER BY page.o {outer}, m.id {outer}",
        where_sql = w.join(" AND "),
        state = state_sql().replace(CUTOFF, "?1"),
        offset = q.offset,
    );
    let mut st = conn.prepare(&sql).map_err(query_err)?;
    let rows = st
        .query_map(params_from_iter(args.0.iter()), |r| {
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
        .map_err(query_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(query_err)
}
