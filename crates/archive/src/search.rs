//! Full-text search (SQLite FTS5) over every message, with filters.
//!
//! Indexed per message: subject (and the daticert `oggetto`), addresses (headers and
//! daticert), body text (and the enclosed original's), attachment names, ids
//! (Message-ID, identificativo, msgid), provider (`gestore-emittente`) and error text
//! (`errore`, `errore-esteso`). The user's words are quoted one by one (so `@`, `.`,
//! `-` never become FTS syntax) and must all match; a trailing `*` keeps prefix search.
//! A word that is a whole address some message carries (header or daticert) is looked
//! up exactly instead ([`crate::addresses`]): it matches the messages with that
//! address, not every mention of its parts.
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::cards::{overdue_cutoff, state_condition, CUTOFF};
use crate::clock::Clock;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (FTS5 bm25) when at most [`RANK_WINDOW`] messages match;
    /// beyond that, the most recently archived matches first; newest first when there
    /// are no words, or only whole addresses (exact matches have no ranking).
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
    /// Header `From` or daticert `mittente`, exactly (case aside).
    pub sender: Option<String>,
    /// A recipient (header `To`/`Cc`, daticert `destinatari`, `consegna`) containing
    /// this text; when it is a whole address, the message must carry that very address
    /// (so `a.rossi@pec.it` is not found in `ma.rossi@pec.it`).
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

/// A message's card: the lowest-numbered card it belongs to (`card_state` of a hit).
const CARD_JOIN: &str = "LEFT JOIN cards c ON c.id = (SELECT min(card) FROM card_messages cm WHERE cm.message = m.id)";

/// Relevance order ranks (bm25) searches that match at most this many messages.
/// bm25 needs, for each phrase, a pass over every message holding it (its document
/// frequency) before anything can be sorted: a word or address found in a third of a
/// million-message archive took 0.3-1.7 s. Past this many matches a ranking means
/// little anyway, so those searches list the most recently archived matches first,
/// which FTS5 streams in id order and stops at the page (milliseconds).
pub const RANK_WINDOW: i64 = 4000;

/// How a search finds its page: what drives the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Every FTS match joined to its message, filtered, sorted (by bm25 or by time).
    Sorted,
    /// Relevance past [`RANK_WINDOW`] matches: FTS5 streams matches by id, newest
    /// archived first, and the page stops early.
    ArchiveOrder,
    /// Time order when the words are common: walk `messages_time` and probe the
    /// index for each message until the page is full. Sorting every match of a word
    /// in a third of a million-message archive took 0.4-1.5 s; a probe costs ~50 us,
    /// so this pays while matches are dense (see [`dense`]).
    TimeWalk,
    /// No words but whole addresses: `message_addresses` gives the page in time
    /// order straight from its key (newest first, also for relevance: exact matches
    /// have no ranking).
    Address,
    /// A state filter few messages have: the cards in that state drive
    /// (`cards_settled`), their messages (words and addresses probed) sorted by time,
    /// or by id for relevance past [`RANK_WINDOW`] matches, as [`Plan::ArchiveOrder`].
    /// Walking every message in time order and computing its card's state took 3.5 s
    /// at a million messages for a state no card had.
    Cards,
    /// No words: messages in time order (`messages_time`), filters per message.
    Messages,
}

/// The user's words, split: whole addresses the archive knows (looked up exactly,
/// [`crate::addresses`]) and the rest, for FTS5. An address no message carries stays
/// a word, so it still finds what the phrase finds (a body mentioning it, a part of
/// a longer address).
#[derive(Debug, Default)]
struct Words {
    fts: String,
    addresses: Vec<String>,
}

fn words(conn: &Connection, text: &str) -> Result<Words> {
    let mut rest = Vec::new();
    let mut addresses = Vec::new();
    for w in text.split_whitespace() {
        match crate::addresses::as_address(w) {
            Some(a) if address_matches_up_to(conn, &a, 1)? > 0 => {
                if !addresses.contains(&a) {
                    addresses.push(a);
                }
            }
            _ => rest.push(w),
        }
    }
    Ok(Words { fts: fts_query(&rest.join(" ")), addresses })
}

fn query_err(e: rusqlite::Error) -> Error {
    Error::Query(e.to_string())
}

/// How many messages carry `address`, counting no further than `n`.
fn address_matches_up_to(conn: &Connection, address: &str, n: i64) -> Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM message_addresses WHERE address = ?1 LIMIT ?2)")
        .and_then(|mut st| st.query_row(rusqlite::params![address, n], |r| r.get(0)))
        .map_err(query_err)
}

/// How many messages belong (as their first card) to cards in `state` at `cutoff`,
/// counting no further than `n`: an index range, then `n` links at most.
fn state_messages_up_to(conn: &Connection, state: &str, cutoff: i64, n: i64) -> Result<i64> {
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM cards c CROSS JOIN card_messages cm ON cm.card = c.id WHERE {} LIMIT ?2)",
        state_condition(state)?.replace(CUTOFF, "?1")
    );
    conn.prepare_cached(&sql).and_then(|mut st| st.query_row(rusqlite::params![cutoff, n], |r| r.get(0))).map_err(query_err)
}

pub fn search(conn: &Connection, q: &SearchQuery, clock: &Clock) -> Result<Vec<Hit>> {
    search_tuned(conn, q, clock, &Tuning::default())
}

/// The thresholds that choose a [`Plan`]; `None`: computed from the archive's size.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    window: i64,
    dense: Option<i64>,
    cards: Option<i64>,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning { window: RANK_WINDOW, dense: None, cards: None }
    }
}

/// Whether `text` matches more than `n` messages: FTS5 walks the doclists by id
/// without ranking, so this costs a walk over `n` matches at most.
fn more_matches_than(conn: &Connection, text: &str, n: i64) -> Result<bool> {
    let over: Option<i64> = conn
        .prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2")
        .and_then(|mut st| st.query_row(rusqlite::params![text, n], |r| r.get(0)).optional())
        .map_err(query_err)?;
    Ok(over.is_some())
}

fn messages_max(conn: &Connection) -> Result<i64> {
    conn.prepare_cached("SELECT COALESCE(max(id), 0) FROM messages").and_then(|mut st| st.query_row([], |r| r.get(0))).map_err(query_err)
}

/// Matches above which a time walk beats sorting: sorting costs ~2.5 us per match,
/// the walk ~50 us per message visited, about `limit x messages / matches` of them;
/// the two meet near sqrt(1,000 x messages) for a 50-row page (32,000 at a million).
fn dense(conn: &Connection) -> Result<i64> {
    Ok(((messages_max(conn)?.max(0) as f64 * 1000.0).sqrt() as i64).max(RANK_WINDOW))
}

/// Messages of a state above which walking all messages in time order (about
/// `limit x messages / these` visited, each with its card's state computed) beats
/// sorting these: CARDS_PER_WALK x messages, square-rooted (see [`Plan::Cards`]).
fn cards_bound(conn: &Connection) -> Result<i64> {
    Ok(((messages_max(conn)?.max(0) as f64 * CARDS_PER_WALK).sqrt() as i64).max(1000))
}

/// The 50-row page times the cost of a message visited by the walk over that of a
/// message read and sorted from a card: 0.5 us and 3 us, measured at a million
/// messages (a state of 8,400 messages: walked 3.3 ms, from its cards 27 ms). The
/// bound is then about 2,900 messages at a million, where either plan costs ~9 ms.
/// (The walk's cost assumes the state's messages are spread over time.)
const CARDS_PER_WALK: f64 = 50.0 * 0.5 / 3.0;

/// With words, the messages of a state below which its cards drive (each message
/// then costs ~23 us: ~9 ms for 400). Above, the words drive and each match is
/// checked for the state: cheap per match, but a common word and a rare state visit
/// many matches (see the README).
const CARDS_WITH_WORDS: i64 = 400;

fn search_tuned(conn: &Connection, q: &SearchQuery, clock: &Clock, t: &Tuning) -> Result<Vec<Hit>> {
    let mut words = words(conn, &q.text)?;
    // A message from this sender, or to this whole-address recipient, carries that
    // address (`message_addresses` holds every role): the index narrows, the sender
    // or recipient condition still decides. (ASCII only: the conditions lowercase as
    // Rust does, the index as SQLite does.)
    for a in [&q.sender, &q.recipient].into_iter().flatten().filter(|s| s.is_ascii()).filter_map(|s| crate::addresses::as_address(s)) {
        if !words.addresses.contains(&a) {
            words.addresses.push(a);
        }
    }
    let cutoff = overdue_cutoff(clock.now());
    let plan = plan(conn, q, &words, cutoff, t)?;
    if plan == Plan::Address && words.addresses.len() > 1 {
        // Drive from the address with the fewest messages (the others are probed).
        let mut counted = Vec::new();
        for a in words.addresses.drain(..) {
            counted.push((address_matches_up_to(conn, &a, 10_000)?, a));
        }
        counted.sort();
        words.addresses = counted.into_iter().map(|(_, a)| a).collect();
    }
    page::run(conn, q, &words, cutoff, plan)
}

fn plan(conn: &Connection, q: &SearchQuery, words: &Words, cutoff: i64, t: &Tuning) -> Result<Plan> {
    if let Some(s) = &q.state {
        // With words, each message from a card costs an FTS probe too (~20 us), so
        // only a state with few messages drives then.
        let bound = if words.fts.is_empty() { t.cards.map_or_else(|| cards_bound(conn), Ok)? } else { t.cards.unwrap_or(CARDS_WITH_WORDS) };
        if state_messages_up_to(conn, s, cutoff, bound)? < bound
            // Relevance with few matches is bm25's (FTS drives).
            && (words.fts.is_empty() || q.sort != Sort::Relevance || more_matches_than(conn, &words.fts, t.window)?)
        {
            return Ok(Plan::Cards);
        }
    }
    Ok(if !words.fts.is_empty() {
        if q.sort == Sort::Relevance {
            if more_matches_than(conn, &words.fts, t.window)? { Plan::ArchiveOrder } else { Plan::Sorted }
        } else if more_matches_than(conn, &words.fts, t.dense.map_or_else(|| dense(conn), Ok)?)? {
            Plan::TimeWalk
        } else {
            Plan::Sorted
        }
    } else if !words.addresses.is_empty() {
        Plan::Address
    } else {
        Plan::Messages
    })
}

mod page;

#[cfg(test)]
mod tests;
