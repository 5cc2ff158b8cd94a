//! Search plans give the same answers as each other and as the rules written out
//! plainly: order, paging, filters, addresses, states around the 24 h boundary.
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
    let t = Tuning { window, dense: Some(window), cards: None };
    search_tuned(conn, q, &Clock::fixed(0), &t).unwrap().iter().map(|h| h.id).collect()
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

/// The demo mailbox scanned into an archive of its own, with its test anchors.
fn demo_archive() -> (tempfile::TempDir, crate::Archive) {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let verifier = crate::Verifier::new(&[root.join("trust/test-root.pem")], chrono::Utc::now().timestamp()).unwrap();
    let mut a = crate::Archive::open_for_writing(&d.path().join("a")).unwrap();
    let s = a.scan(&[root.join("mailbox")], &crate::ScanOptions::new(verifier), &mut |_| {}).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    (d, a)
}

/// Some messages on a second card too (pairing can do that: an unsigned "receipt"
/// shown on the card it claims and on its own), one later and one earlier than their
/// own card, so their first card (the one whose state they have) is not always the
/// card that lists them.
fn link_some_messages_twice(conn: &Connection) {
    let n = conn
        .execute(
            "INSERT OR IGNORE INTO card_messages (card, message, role)
             SELECT (SELECT max(id) FROM cards), message, 'test' FROM card_messages WHERE card % 7 = 1
             UNION ALL SELECT (SELECT min(id) FROM cards), message, 'test' FROM card_messages WHERE card % 11 = 2",
            [],
        )
        .unwrap();
    assert!(n > 5, "{n}");
}

/// Every message id with its time, oldest first as `Sort::Oldest` orders them
/// (no time before any time, then by id).
fn by_time(conn: &Connection) -> Vec<i64> {
    let mut st = conn.prepare("SELECT id, COALESCE(dc_ts, date_ts) FROM messages").unwrap();
    let mut rows: Vec<(Option<i64>, i64)> = st.query_map([], |r| Ok((r.get(1)?, r.get(0)?))).unwrap().map(|r| r.unwrap()).collect();
    rows.sort();
    rows.into_iter().map(|(_, id)| id).collect()
}

/// `want` (oldest first) in the order `sort` lists it.
fn ordered(mut want: Vec<i64>, sort: Sort) -> Vec<i64> {
    if sort != Sort::Oldest {
        want.reverse();
    }
    want
}

fn hit_ids(hits: &[Hit]) -> Vec<i64> {
    hits.iter().map(|h| h.id).collect()
}

/// A filter by state lists exactly the messages whose card shows that state (the
/// state `show` displays), in time order, pages included, whether the cards in
/// that state drive or every message is walked; just before, at and after the
/// moment a card turns overdue.
#[test]
fn state_filters_give_the_displayed_states_on_either_plan() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    link_some_messages_twice(conn);
    let (card, accepted): (i64, i64) = conn
        .query_row("SELECT id, accepted_ts FROM cards WHERE n_unresolved > 0 AND accepted_ts IS NOT NULL ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("the demo has a card with an unresolved recipient");
    let day = crate::clock::OVERDUE_AFTER_SECS;
    let all = by_time(conn);
    let first_card = |m: i64| -> Option<i64> { conn.query_row("SELECT min(card) FROM card_messages WHERE message = ?1", [m], |r| r.get(0)).unwrap() };
    let mut states_met = std::collections::BTreeSet::new();
    for now in [accepted + day - 1, accepted + day, accepted + day + 1] {
        let clock = Clock::fixed(now);
        let shown: std::collections::HashMap<i64, Option<String>> =
            all.iter().map(|&m| (m, first_card(m).map(|c| crate::cards::find(conn, &c.to_string(), &clock).unwrap().state))).collect();
        let expect_card = if now < accepted + day { "pending" } else { "overdue" };
        assert_eq!(crate::cards::find(conn, &card.to_string(), &clock).unwrap().state, expect_card);
        for state in crate::cards::STATES {
            let want: Vec<i64> = all.iter().copied().filter(|m| shown[m].as_deref() == Some(*state)).collect();
            if !want.is_empty() {
                states_met.insert(*state);
            }
            for sort in [Sort::Relevance, Sort::Newest, Sort::Oldest] {
                let q = SearchQuery { state: Some(state.to_string()), sort, limit: 100_000, ..Default::default() };
                let want = ordered(want.clone(), sort);
                for (bound, plan) in [(i64::MAX, Plan::Cards), (0, Plan::Messages)] {
                    let t = Tuning { cards: Some(bound), ..Tuning::default() };
                    assert_eq!(super::plan(conn, &q, &Words::default(), overdue_cutoff(now), &t).unwrap(), plan);
                    let hits = search_tuned(conn, &q, &clock, &t).unwrap();
                    assert_eq!(hit_ids(&hits), want, "{state} {sort:?} {plan:?} at {now}");
                    assert!(hits.iter().all(|h| h.card_state.as_deref() == Some(*state)), "{state}: {hits:?}");
                    let page = SearchQuery { limit: 3, offset: 2, ..q.clone() };
                    let expected: Vec<i64> = want.iter().copied().skip(2).take(3).collect();
                    assert_eq!(hit_ids(&search_tuned(conn, &page, &clock, &t).unwrap()), expected, "{state} {sort:?} {plan:?} page");
                }
            }
        }
    }
    for state in ["all-delivered", "pending", "overdue", "received"] {
        assert!(states_met.contains(state), "the demo has no {state} message: {states_met:?}");
    }
}

/// The lowercased address columns of every message, and whether `text` holds
/// `address` whole (not as part of a longer address): the rule written plainly.
fn carrying(conn: &Connection, address: &str) -> Vec<i64> {
    let part = |c: char| c.is_alphanumeric() || ".-_+@".contains(c);
    let mut st = conn
        .prepare(
            "SELECT id, lower(COALESCE(from_addr, '') || ' ' || COALESCE(to_addrs, '') || ' ' || COALESCE(dc_mittente, '') || ' '
                || COALESCE(dc_destinatari, '') || ' ' || COALESCE(dc_consegna, '')) FROM messages",
        )
        .unwrap();
    let rows: Vec<(i64, String)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    let order = by_time(conn);
    let with: std::collections::HashSet<i64> = rows
        .into_iter()
        .filter(|(_, text)| {
            text.match_indices(address).any(|(i, _)| {
                !text[..i].chars().next_back().is_some_and(part) && !text[i + address.len()..].chars().next().is_some_and(part)
            })
        })
        .map(|(id, _)| id)
        .collect();
    order.into_iter().filter(|m| with.contains(m)).collect()
}

/// A whole address as a search word finds exactly the messages carrying it (header
/// or daticert), newest first (or oldest), in any case or in angle brackets, with
/// other words and filters; a part of an address is still searched as words.
#[test]
fn a_whole_address_finds_the_messages_carrying_it() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    let clock = Clock::system();
    let addresses: Vec<String> =
        conn.prepare("SELECT DISTINCT address FROM message_addresses ORDER BY address").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(addresses.len() >= 10, "{addresses:?}");
    let find = |q: &SearchQuery| hit_ids(&search(conn, q, &clock).unwrap());
    let mut partial = 0;
    for address in &addresses {
        let want = carrying(conn, address);
        assert!(!want.is_empty(), "{address}");
        for text in [address.clone(), address.to_uppercase(), format!("<{address}>")] {
            assert_eq!(super::words(conn, &text).unwrap().addresses, vec![address.clone()]);
            for sort in [Sort::Relevance, Sort::Newest, Sort::Oldest] {
                let q = SearchQuery { text: text.clone(), sort, limit: 100_000, ..Default::default() };
                assert_eq!(find(&q), ordered(want.clone(), sort), "{text} {sort:?}");
            }
        }
        let q = SearchQuery { text: address.clone(), limit: 4, offset: 3, ..Default::default() };
        assert_eq!(find(&q), ordered(want.clone(), Sort::Newest).into_iter().skip(3).take(4).collect::<Vec<_>>());
        // Filters: kind, and the later half in time.
        let kind: String = conn.query_row("SELECT kind FROM messages WHERE id = ?1", [want[0]], |r| r.get(0)).unwrap();
        let since: Option<i64> = conn.query_row("SELECT COALESCE(dc_ts, date_ts) FROM messages WHERE id = ?1", [want[want.len() / 2]], |r| r.get(0)).unwrap();
        let q = SearchQuery { text: address.clone(), kind: Some(kind.clone()), since, limit: 100_000, sort: Sort::Oldest, ..Default::default() };
        let filtered: Vec<i64> = want
            .iter()
            .copied()
            .filter(|&m| {
                conn.query_row("SELECT kind = ?2 AND COALESCE(dc_ts, date_ts) >= ?3 FROM messages WHERE id = ?1", rusqlite::params![m, kind, since], |r| {
                    r.get::<_, Option<bool>>(0)
                })
                .unwrap()
                .unwrap_or(false)
            })
            .collect();
        assert_eq!(find(&q), filtered, "{address} {kind} since {since:?}");
        // A part of the address (no message carries it whole) is searched as words:
        // it finds at least the messages with the whole address.
        if let Some((_, rest)) = address.split_once('.').filter(|(_, rest)| rest.contains('@') && !addresses.contains(&rest.to_string())) {
            let found = find(&SearchQuery { text: rest.to_string(), limit: 100_000, ..Default::default() });
            assert!(want.iter().all(|m| found.contains(m)), "{rest}: {found:?} lacks some of {want:?}");
            partial += 1;
        }
    }
    assert!(partial > 0, "no address had a dotted local part to cut: {addresses:?}");

    // An address and a word: both must match.
    let address = &addresses[0];
    let with = carrying(conn, address);
    let subject: String = conn
        .query_row("SELECT COALESCE(subject, dc_oggetto) FROM messages WHERE id = ?1", [with[with.len() - 1]], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .expect("a subject");
    let word = subject.split_whitespace().filter(|w| w.chars().all(char::is_alphanumeric)).max_by_key(|w| w.len()).unwrap().to_string();
    let by_word = find(&SearchQuery { text: word.clone(), limit: 100_000, sort: Sort::Newest, ..Default::default() });
    let both = find(&SearchQuery { text: format!("{word} {address}"), limit: 100_000, sort: Sort::Newest, ..Default::default() });
    let want: Vec<i64> = by_word.iter().copied().filter(|m| with.contains(m)).collect();
    assert!(!want.is_empty());
    assert_eq!(both, want, "{word} {address}");
}

/// Words and a state: the cards in that state driving (the words probed) or the
/// words driving (each match's state checked) give the same page; relevance with few
/// matches stays bm25's (the words drive).
#[test]
fn words_and_a_state_give_the_same_answer_whichever_drives() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    link_some_messages_twice(conn);
    let accepted: i64 =
        conn.query_row("SELECT accepted_ts FROM cards WHERE n_unresolved > 0 AND accepted_ts IS NOT NULL ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
    let day = crate::clock::OVERDUE_AFTER_SECS;
    // The subject word found in the most messages.
    let subjects: Vec<String> = conn
        .prepare("SELECT subject FROM messages WHERE subject IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for s in &subjects {
        for w in s.split_whitespace().filter(|w| w.len() > 4 && w.chars().all(char::is_alphanumeric)) {
            *count.entry(w.to_lowercase()).or_default() += 1;
        }
    }
    let word = count.into_iter().max_by_key(|(w, n)| (*n, w.clone())).unwrap().0;
    let mut nonempty = 0;
    for now in [accepted + day - 1, accepted + day] {
        let clock = Clock::fixed(now);
        let matching: Vec<i64> = hit_ids(&search(conn, &SearchQuery { text: word.clone(), limit: 100_000, ..Default::default() }, &clock).unwrap());
        assert!(matching.len() > 10, "{word}: {matching:?}");
        for state in crate::cards::STATES {
            for sort in [Sort::Relevance, Sort::Newest, Sort::Oldest] {
                for window in [5, 100_000] {
                    let q = SearchQuery { text: word.clone(), state: Some(state.to_string()), sort, limit: 100_000, ..Default::default() };
                    let words = super::words(conn, &q.text).unwrap();
                    let by_cards = Tuning { window, dense: Some(window), cards: Some(i64::MAX) };
                    let by_words = Tuning { window, dense: Some(window), cards: Some(0) };
                    let ranked = sort == Sort::Relevance && window == 100_000;
                    let cutoff = overdue_cutoff(now);
                    assert_eq!(super::plan(conn, &q, &words, cutoff, &by_cards).unwrap() == Plan::Cards, !ranked);
                    assert_ne!(super::plan(conn, &q, &words, cutoff, &by_words).unwrap(), Plan::Cards);
                    let hits = search_tuned(conn, &q, &clock, &by_cards).unwrap();
                    assert_eq!(hit_ids(&hits), hit_ids(&search_tuned(conn, &q, &clock, &by_words).unwrap()), "{word} {state} {sort:?} {window}");
                    assert!(hits.iter().all(|h| h.card_state.as_deref() == Some(*state) && matching.contains(&h.id)), "{state}: {hits:?}");
                    let page = SearchQuery { limit: 3, offset: 2, ..q.clone() };
                    assert_eq!(
                        hit_ids(&search_tuned(conn, &page, &clock, &by_cards).unwrap()),
                        hit_ids(&search_tuned(conn, &page, &clock, &by_words).unwrap()),
                        "{word} {state} {sort:?} {window} page"
                    );
                    nonempty += usize::from(!hits.is_empty());
                }
            }
        }
    }
    assert!(nonempty > 10, "{word}: only {nonempty} non-empty answers");
}

/// A kind filter alone lists that kind's messages in time order, pages included,
/// read in order from `messages_kind_time` (no sort of every message of the kind).
#[test]
fn a_kind_alone_is_read_in_time_order() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    let clock = Clock::system();
    let all = by_time(conn);
    let kinds: Vec<String> = conn.prepare("SELECT DISTINCT kind FROM messages ORDER BY kind").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(kinds.len() >= 4, "{kinds:?}");
    for kind in &kinds {
        let of_kind: Vec<i64> = all
            .iter()
            .copied()
            .filter(|&m| conn.query_row("SELECT kind = ?2 FROM messages WHERE id = ?1", rusqlite::params![m, kind], |r| r.get::<_, bool>(0)).unwrap())
            .collect();
        for sort in [Sort::Relevance, Sort::Newest, Sort::Oldest] {
            let q = SearchQuery { kind: Some(kind.clone()), sort, limit: 100_000, ..Default::default() };
            assert_eq!(hit_ids(&search(conn, &q, &clock).unwrap()), ordered(of_kind.clone(), sort), "{kind} {sort:?}");
            let page = SearchQuery { limit: 2, offset: 1, ..q };
            let want: Vec<i64> = ordered(of_kind.clone(), sort).into_iter().skip(1).take(2).collect();
            assert_eq!(hit_ids(&search(conn, &page, &clock).unwrap()), want, "{kind} {sort:?} page");
        }
    }
    let plan: Vec<String> = conn
        .prepare("EXPLAIN QUERY PLAN SELECT m.id FROM messages m WHERE m.kind = 'delivery' ORDER BY COALESCE(m.dc_ts, m.date_ts) DESC, m.id DESC LIMIT 50")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(plan.iter().any(|p| p.contains("messages_kind_time")) && !plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
}

/// A sender filter gives the messages from that sender (header `From` or daticert
/// `mittente`), as the plain rule says, with or without words; an unknown sender none.
#[test]
fn a_sender_filter_gives_that_senders_messages() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    let clock = Clock::system();
    let senders: Vec<String> = conn
        .prepare("SELECT DISTINCT lower(s) FROM (SELECT dc_mittente AS s FROM messages UNION SELECT from_addr FROM messages) WHERE s IS NOT NULL ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(senders.len() >= 5, "{senders:?}");
    let all = by_time(conn);
    for sender in &senders {
        let from: Vec<i64> = all
            .iter()
            .copied()
            .filter(|&m| {
                conn.query_row(
                    "SELECT COALESCE(lower(dc_mittente) = ?2, 0) OR COALESCE(lower(from_addr) = ?2, 0) FROM messages WHERE id = ?1",
                    rusqlite::params![m, sender],
                    |r| r.get::<_, bool>(0),
                )
                .unwrap()
            })
            .collect();
        assert!(!from.is_empty());
        for text in [sender.clone(), sender.to_uppercase()] {
            let q = SearchQuery { sender: Some(text), sort: Sort::Oldest, limit: 100_000, ..Default::default() };
            assert_eq!(hit_ids(&search(conn, &q, &clock).unwrap()), from, "{sender}");
        }
    }
    let q = SearchQuery { sender: Some("nessuno@pec.example.it".into()), ..Default::default() };
    assert!(search(conn, &q, &clock).unwrap().is_empty());
}

/// A recipient filter: a whole address is that very address among the recipients
/// (not a longer one containing it); any other text, any recipient containing it.
#[test]
fn a_recipient_filter_gives_the_messages_to_that_recipient() {
    let (_d, a) = demo_archive();
    let conn = a.connection();
    let clock = Clock::system();
    let all = by_time(conn);
    let containing = |r: &str| -> Vec<i64> {
        all.iter()
            .copied()
            .filter(|&m| {
                conn.query_row(
                    "SELECT COALESCE(lower(to_addrs) LIKE ?2, 0) OR COALESCE(lower(dc_destinatari) LIKE ?2, 0) OR COALESCE(lower(dc_consegna) LIKE ?2, 0)
                     FROM messages WHERE id = ?1",
                    rusqlite::params![m, format!("%{r}%")],
                    |row| row.get::<_, bool>(0),
                )
                .unwrap()
            })
            .collect()
    };
    let recipients: Vec<String> =
        conn.prepare("SELECT DISTINCT lower(address) FROM card_recipients ORDER BY 1").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(recipients.len() >= 3, "{recipients:?}");
    for r in &recipients {
        let carrying = carrying(conn, r);
        let want: Vec<i64> = containing(r).into_iter().filter(|m| carrying.contains(m)).collect();
        assert!(!want.is_empty(), "{r}");
        let q = SearchQuery { recipient: Some(r.to_uppercase()), sort: Sort::Oldest, limit: 100_000, ..Default::default() };
        assert_eq!(hit_ids(&search(conn, &q, &clock).unwrap()), want, "{r}");
        // Part of it (the domain): any recipient containing it.
        let domain = r.split_once('@').unwrap().1.to_string();
        let q = SearchQuery { recipient: Some(domain.clone()), sort: Sort::Oldest, limit: 100_000, ..Default::default() };
        assert_eq!(hit_ids(&search(conn, &q, &clock).unwrap()), containing(&domain), "{domain}");
    }
}
