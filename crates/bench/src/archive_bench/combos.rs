//! Searches the mix leaves out, timed and reported apart from it: a common word or
//! a recipient's address together with each card state, and filters alone other
//! than a state (each message kind, the account, a sender, a recipient). They are
//! where one condition is rare and the other common, so whatever drives the query
//! may visit many messages for few hits; the mix's figures stay comparable with
//! earlier runs, and these say what it does not cover.
use std::time::{Duration, Instant};

use archive::search::Sort;
use archive::{Archive, Clock, SearchQuery};
use serde_json::{json, Value};

const KINDS: [&str; 8] = ["acceptance", "delivery", "delivery-error", "non-acceptance", "delivery-warning", "virus-detected", "transport", "plain"];

/// The combinations, from the mix's own words and addresses.
pub fn queries(conn: &rusqlite::Connection, mix: &[SearchQuery]) -> Vec<SearchQuery> {
    let words: Vec<&str> = mix.iter().map(|q| q.text.as_str()).filter(|t| !t.is_empty() && !t.contains(['@', ' '])).take(3).collect();
    let addresses: Vec<&str> = mix.iter().map(|q| q.text.as_str()).filter(|t| t.contains('@')).take(2).collect();
    let one = |s: &str| conn.query_row(s, [], |r| r.get::<_, Option<String>>(0)).ok().flatten();
    let account = one("SELECT account FROM cards WHERE account IS NOT NULL LIMIT 1");
    let sender = one("SELECT dc_mittente FROM messages WHERE dc_mittente IS NOT NULL ORDER BY id DESC LIMIT 1");
    let base = SearchQuery { limit: 50, ..Default::default() };
    let mut out = Vec::new();
    for (i, state) in archive::cards::STATES.iter().enumerate() {
        let state = Some(state.to_string());
        if let Some(w) = words.get(i % words.len().max(1)) {
            for sort in [Sort::Relevance, Sort::Newest] {
                out.push(SearchQuery { text: w.to_string(), state: state.clone(), sort, ..base.clone() });
            }
        }
        if let Some(a) = addresses.get(i % addresses.len().max(1)) {
            out.push(SearchQuery { text: a.to_string(), state: state.clone(), ..base.clone() });
        }
    }
    for k in KINDS {
        out.push(SearchQuery { kind: Some(k.into()), sort: Sort::Newest, ..base.clone() });
    }
    out.push(SearchQuery { account, sort: Sort::Newest, ..base.clone() });
    out.push(SearchQuery { sender, sort: Sort::Newest, ..base.clone() });
    out.push(SearchQuery { recipient: addresses.first().map(|a| a.to_string()), sort: Sort::Newest, ..base.clone() });
    out
}

/// Time each query once; print p50/p99/max and the slowest.
pub fn time(r: &Archive, clock: &Clock, qs: &[SearchQuery], at: &str) -> Value {
    let mut lat: Vec<(Duration, String)> = Vec::new();
    for q in qs {
        let t = Instant::now();
        let n = r.search(q, clock).expect("search").len();
        let what = format!(
            "{:?} state={:?} kind={:?} account={:?} sender={:?} recipient={:?} sort={:?}: {n} hits",
            q.text, q.state, q.kind, q.account, q.sender, q.recipient, q.sort
        );
        lat.push((t.elapsed(), what));
    }
    lat.sort_by_key(|l| std::cmp::Reverse(l.0));
    for (d, q) in lat.iter().take(std::env::var("SLOW").ok().and_then(|v| v.parse().ok()).unwrap_or(3)) {
        eprintln!("  slow combo: {:.1} ms {q}", d.as_secs_f64() * 1000.0);
    }
    let sorted: Vec<Duration> = lat.iter().rev().map(|l| l.0).collect();
    let (p50, p99, max) = (super::percentile(&sorted, 0.5), super::percentile(&sorted, 0.99), super::percentile(&sorted, 1.0));
    eprintln!("search combos{at} (not in the mix): {} queries: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms", qs.len());
    json!({"queries": qs.len(), "p50_ms": p50, "p99_ms": p99, "max_ms": max})
}
