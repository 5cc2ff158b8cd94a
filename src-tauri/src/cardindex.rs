//! The card list in memory: what `list_cards` filters, counts and sorts on, for every
//! sent card, loaded once from the archive (0.1–0.2 s and 30 MB at 100,000 cards) and
//! dropped whenever the scanner changes the archive. A keystroke in the search box is
//! then a pass over memory (a few ms at 100,000 cards) instead of SQL over the archive
//! (counting 100,000 cards and mapping the full-text hits of every receipt back to their
//! cards took 0.1–0.6 s a keystroke); only the page on screen is read from SQLite.
//!
//! Search: every word of the query must occur (as a substring, so the list narrows as you
//! type) in the card's subject, sender, recipients, identificativo or Message-ID, case
//! and accents ignored: the fields the search box promises (`ui/IPC.md`).
use std::collections::HashMap;

use archive::Archive;

/// One sent card: filters, state inputs and sort key.
struct Row {
    id: i64,
    sent_ts: Option<i64>,
    account: Option<u32>,
    not_accepted: bool,
    n_unresolved: i64,
    n_failed: i64,
    n_delivered: i64,
    accepted_ts: Option<i64>,
}

pub struct CardIndex {
    /// In card id order (the table's order: loading reads it straight through).
    rows: Vec<Row>,
    /// Positions in `rows` sorted by (sent_ts, id), a missing time first (SQLite's
    /// NULLS FIRST): the list's order.
    by_time: Vec<u32>,
    accounts: Vec<String>,
    /// The search text of every row, in row order, each ending with `\0`: folded (lower
    /// case, no accents) subject, sender, Message-ID, identificativo and recipients.
    /// One buffer, so a word is one SIMD substring pass (`memchr::memmem`) over all.
    text: Vec<u8>,
    /// Where each row's text starts in `text` (increasing, like the rows).
    starts: Vec<u32>,
    /// The last search's words and matching rows: typing on extends each word, so the
    /// next search only looks at those rows.
    last: std::sync::Mutex<Option<LastSearch>>,
}

/// A search's words and, per row, whether it matched.
type LastSearch = (Vec<String>, std::sync::Arc<Vec<bool>>);

/// Filters of one `list_cards` call, already parsed.
pub struct Query<'a> {
    pub words: Vec<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub account: Option<&'a str>,
    /// Raw states (`all-delivered`, `failed`, `partially-delivered`, ...); empty = all.
    pub states: &'a [&'a str],
    pub newest_first: bool,
    pub now: i64,
}

pub struct Page {
    pub ids: Vec<i64>,
    pub total: u64,
    /// Per raw state, over the filter without its states.
    pub by_state: HashMap<&'static str, u64>,
}

/// Lower case without accents (à è é ì ò ù and the rest of Latin-1), for both the text and
/// the query.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

/// [`fold`] appended to `out` (no allocation: loading folds every card's text).
fn fold_into(s: &str, out: &mut Vec<u8>) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        out.extend_from_slice(fold(s).as_bytes());
    }
}

/// The search box's words, folded; FTS-style quotes and a trailing `*` are ignored.
pub fn words(query: &str) -> Vec<String> {
    query.split_whitespace().map(|w| fold(w.trim_matches(|c| c == '"' || c == '*'))).filter(|w| !w.is_empty()).collect()
}

impl CardIndex {
    /// Two statements stepped together, both in card id order (the cards table by
    /// rowid, `card_recipients` by its primary key): each card's text, recipients
    /// included, is folded straight into the one buffer. No map from id to text, no
    /// string per card: allocation was most of the time (0.4–0.6 s at 100,000 cards).
    pub fn load(ar: &Archive) -> Result<CardIndex, String> {
        let conn = ar.connection();
        let err = |e: rusqlite::Error| e.to_string();
        let mut accounts: Vec<String> = Vec::new();
        let mut account_ids: HashMap<String, u32> = HashMap::new();
        let mut rows = Vec::new();
        let mut text = Vec::new();
        let mut starts = Vec::new();
        let mut cards = conn
            .prepare(
                "SELECT id, sent_ts, account, acceptance, n_unresolved, n_failed, n_delivered, accepted_ts, subject, sender, msgid, identificativo
                 FROM cards WHERE kind <> 'received' ORDER BY id",
            )
            .map_err(err)?;
        let mut recipients = conn.prepare("SELECT card, address FROM card_recipients ORDER BY card, pos").map_err(err)?;
        let mut rq = recipients.query([]).map_err(err)?;
        // The recipient row under the cursor: its card (None at the end) and its folded
        // address (one buffer, reused).
        let mut addr: Vec<u8> = Vec::new();
        let mut advance = |addr: &mut Vec<u8>| -> Result<Option<i64>, String> {
            let Some(r) = rq.next().map_err(err)? else { return Ok(None) };
            addr.clear();
            if let Some(a) = r.get_ref(1).map_err(err)?.as_str_or_null().map_err(|e| e.to_string())? {
                fold_into(a, addr);
                addr.push(b'\n');
            }
            Ok(Some(r.get::<_, i64>(0).map_err(err)?))
        };
        let mut r_card = advance(&mut addr)?;
        let mut q = cards.query([]).map_err(err)?;
        while let Some(r) = q.next().map_err(err)? {
            let id: i64 = r.get(0).map_err(err)?;
            let account = r.get_ref(2).map_err(err)?.as_str_or_null().map_err(|e| e.to_string())?.map(|a| match account_ids.get(a) {
                Some(&n) => n,
                None => {
                    accounts.push(a.to_string());
                    let n = (accounts.len() - 1) as u32;
                    account_ids.insert(a.to_string(), n);
                    n
                }
            });
            starts.push(text.len() as u32);
            for i in 8..12 {
                if let Some(s) = r.get_ref(i).map_err(err)?.as_str_or_null().map_err(|e| e.to_string())? {
                    fold_into(s, &mut text);
                    text.push(b'\n');
                }
            }
            // This card's recipients; those of cards not listed here (received) are passed.
            while let Some(c) = r_card {
                if c > id {
                    break;
                }
                if c == id {
                    text.extend_from_slice(&addr);
                }
                r_card = advance(&mut addr)?;
            }
            text.push(0);
            rows.push(Row {
                id,
                sent_ts: r.get(1).map_err(err)?,
                account,
                not_accepted: r.get_ref(3).map_err(err)?.as_str_or_null().ok().flatten() == Some("not-accepted"),
                n_unresolved: r.get(4).map_err(err)?,
                n_failed: r.get(5).map_err(err)?,
                n_delivered: r.get(6).map_err(err)?,
                accepted_ts: r.get(7).map_err(err)?,
            });
        }
        let mut by_time: Vec<u32> = (0..rows.len() as u32).collect();
        // Ids ascend with the position: (sent_ts, position) is (sent_ts, id).
        by_time.sort_unstable_by_key(|&k| (rows[k as usize].sent_ts, k));
        text.shrink_to_fit();
        Ok(CardIndex { rows, by_time, accounts, text, starts, last: Default::default() })
    }

    /// Rows whose text has every word (`None`: no words, every row).
    fn matching(&self, words: &[String]) -> Option<std::sync::Arc<Vec<bool>>> {
        if words.is_empty() {
            return None;
        }
        let prev = self.last.lock().unwrap().clone();
        let hits = match prev {
            Some((w, prev)) if w == words => return Some(prev),
            // Every earlier word inside the new one at its place: only the earlier hits
            // can match.
            Some((w, prev)) if w.len() <= words.len() && w.iter().zip(words).all(|(a, b)| b.contains(a.as_str())) => {
                let finders: Vec<_> = words.iter().map(|w| memchr::memmem::Finder::new(w.as_bytes())).collect();
                let mut hit = vec![false; self.rows.len()];
                for (i, _) in prev.iter().enumerate().filter(|(_, h)| **h) {
                    let end = self.starts.get(i + 1).map_or(self.text.len(), |&s| s as usize);
                    let t = &self.text[self.starts[i] as usize..end];
                    hit[i] = finders.iter().all(|f| f.find(t).is_some());
                }
                hit
            }
            _ => {
                let mut keep: Option<Vec<bool>> = None;
                for w in words {
                    keep = Some(self.scan(w, keep));
                }
                keep.unwrap_or_default()
            }
        };
        let hits = std::sync::Arc::new(hits);
        *self.last.lock().unwrap() = Some((words.to_vec(), hits.clone()));
        Some(hits)
    }

    /// One word over the whole buffer (one SIMD pass), and-ed with `keep`.
    fn scan(&self, w: &str, keep: Option<Vec<bool>>) -> Vec<bool> {
        let mut hit = vec![false; self.rows.len()];
        let finder = memchr::memmem::Finder::new(w.as_bytes());
        let mut from = 0;
        while let Some(at) = finder.find(&self.text[from..]) {
            let pos = from + at;
            // The row holding this match; then on to the next row.
            let row = self.starts.partition_point(|&s| s as usize <= pos) - 1;
            hit[row] = true;
            from = self.starts.get(row + 1).map_or(self.text.len(), |&s| s as usize);
            if from >= self.text.len() {
                break;
            }
        }
        match keep {
            None => hit,
            Some(k) => k.iter().zip(hit).map(|(a, b)| *a && b).collect(),
        }
    }

    /// The card's state, as `archive::cards::state_of` decides it: an index into
    /// [`STATES`] (counting by index, not by name, keeps a keystroke's pass over every
    /// card free of hashing).
    fn state(r: &Row, now: i64) -> usize {
        // The rules are the archive's (one definition for the CLI, search and the app).
        let acceptance = if r.not_accepted { "not-accepted" } else { "accepted" };
        let state = archive::cards::state_of("sent", acceptance, r.n_delivered, r.n_failed, r.n_unresolved, r.accepted_ts, now);
        STATES.iter().position(|s| *s == state).unwrap_or(0)
    }

    /// The ids of one page, the total and the counts by state.
    pub fn page(&self, q: &Query<'_>, offset: usize, limit: usize) -> Page {
        let account = match q.account {
            Some(a) => match self.accounts.iter().position(|x| x == a) {
                Some(i) => Some(i as u32),
                None => return Page { ids: Vec::new(), total: 0, by_state: HashMap::new() },
            },
            None => None,
        };
        let words = self.matching(&q.words);
        let wanted: [bool; 6] = std::array::from_fn(|i| q.states.is_empty() || q.states.contains(&STATES[i]));
        let keep = |i: usize, r: &Row| {
            if q.since.is_some_and(|t| r.sent_ts.is_none_or(|s| s < t)) || q.until.is_some_and(|t| r.sent_ts.is_none_or(|s| s >= t)) {
                return false;
            }
            if account.is_some() && r.account != account {
                return false;
            }
            words.as_ref().is_none_or(|w| w[i])
        };
        let mut counts = [0u64; 6];
        let mut ids = Vec::with_capacity(limit.min(1000));
        let mut total = 0u64;
        let mut visit = |(i, r): (usize, &Row)| {
            if !keep(i, r) {
                return;
            }
            let st = Self::state(r, q.now);
            counts[st] += 1;
            if wanted[st] {
                if total as usize >= offset && ids.len() < limit {
                    ids.push(r.id);
                }
                total += 1;
            }
        };
        let at = |&k: &u32| (k as usize, &self.rows[k as usize]);
        if q.newest_first {
            self.by_time.iter().rev().map(at).for_each(&mut visit);
        } else {
            self.by_time.iter().map(at).for_each(&mut visit);
        }
        let by_state = STATES.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(s, n)| (*s, n)).collect();
        Page { ids, total, by_state }
    }
}

/// The states of sent cards, in [`CardIndex::state`]'s numbering.
const STATES: [&str; 6] = ["all-delivered", "failed", "partially-delivered", "pending", "overdue", "not-accepted"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The index of a real archive (the bundled demo, scanned) lists, orders, counts and
    /// finds exactly what the archive's own cards say.
    #[test]
    fn agrees_with_the_archive() {
        let clock = archive::Clock::system();
        let ar = Archive::open_readonly(crate::testdemo::archive()).unwrap();
        let ix = CardIndex::load(&ar).unwrap();
        let mut sent = Vec::new();
        let f = archive::CardFilter { newest_first: true, ..Default::default() };
        archive::cards::for_each(ar.connection(), &f, &clock, &mut |c| {
            if c.kind != "received" {
                sent.push(c);
            }
            Ok(())
        })
        .unwrap();
        assert!(sent.len() > 20, "the demo has sent cards: {}", sent.len());
        let q = |w: &str| Query { words: words(w), since: None, until: None, account: None, states: &[], newest_first: true, now: clock.now() };
        let all = ix.page(&q(""), 0, 100_000);
        assert_eq!(all.ids, sent.iter().map(|c| c.id).collect::<Vec<_>>(), "newest first, as the archive orders them");
        for st in ["all-delivered", "failed", "partially-delivered", "pending", "overdue", "not-accepted"] {
            let n = sent.iter().filter(|c| c.state == st).count() as u64;
            assert_eq!(all.by_state.get(st).copied().unwrap_or(0), n, "{st}");
        }
        // Words from a subject, an address, an identificativo: the cards whose fields hold them.
        let first = &sent[0];
        let haystack = |c: &archive::CardView| {
            let mut t = [&c.subject, &c.sender, &c.message_id, &c.identificativo].iter().filter_map(|x| x.as_deref()).map(fold).collect::<Vec<_>>();
            t.extend(c.recipients.iter().map(|r| fold(&r.address)));
            t
        };
        let subject_word = first.subject.as_deref().unwrap().split_whitespace().max_by_key(|w| w.len()).unwrap().to_string();
        let address_part = first.recipients[0].address.split('@').next().unwrap().to_string();
        let ident_part: String = first.identificativo.as_deref().unwrap_or("x").chars().take(8).collect();
        for w in [subject_word, address_part, ident_part, "zzzz-nessuno".to_string()] {
            let want: Vec<i64> = sent.iter().filter(|c| haystack(c).iter().any(|t| t.contains(&fold(&w)))).map(|c| c.id).collect();
            assert_eq!(ix.page(&q(&w), 0, 100_000).ids, want, "search {w:?}");
        }
    }

    /// `CARTOLINA_ARCHIVE=DIR cargo test --release -p cartolina-app load_timing -- --ignored --nocapture`:
    /// how long loading the index of a real archive takes, and a few searches.
    #[test]
    #[ignore]
    fn load_timing() {
        let dir = std::env::var_os("CARTOLINA_ARCHIVE").expect("CARTOLINA_ARCHIVE");
        let ar = Archive::open_readonly(std::path::Path::new(&dir)).unwrap();
        for _ in 0..3 {
            let t0 = std::time::Instant::now();
            let ix = CardIndex::load(&ar).unwrap();
            let load = t0.elapsed();
            let q = |w: &str| Query { words: words(w), since: None, until: None, account: None, states: &[], newest_first: true, now: 0 };
            let mut per = Vec::new();
            for w in ["p", "pr", "pra", "prat", "pratica", "", "f", "fo", "for"] {
                let t = std::time::Instant::now();
                let p = ix.page(&q(w), 0, 50);
                per.push(format!("{w:?}:{}/{:.1}ms", p.total, t.elapsed().as_secs_f64() * 1000.0));
            }
            eprintln!("load {:.0} ms ({} rows, {} MB text); {}", load.as_secs_f64() * 1000.0, ix.rows.len(), ix.text.len() >> 20, per.join(" "));
        }
    }

    #[test]
    fn folding_and_words() {
        assert_eq!(fold("Perché Àncora È"), "perche ancora e");
        assert_eq!(words("  Decreto \"ingiun*\" "), vec!["decreto", "ingiun"]);
        assert!(words(" * ").is_empty());
    }

    #[test]
    fn substring_search_over_rows() {
        let row = |id| Row { id, sent_ts: Some(id), account: None, not_accepted: false, n_unresolved: 0, n_failed: 0, n_delivered: 1, accepted_ts: None };
        let texts = ["fattura n. 1\nmario@pec.it\n", "diffida\nluca@pec.it\n", "fattura n. 2\nluca@pec.it\n"];
        let mut text = Vec::new();
        let mut starts = Vec::new();
        for t in texts {
            starts.push(text.len() as u32);
            text.extend_from_slice(t.as_bytes());
            text.push(0);
        }
        let ix = CardIndex { rows: vec![row(1), row(2), row(3)], by_time: vec![0, 1, 2], accounts: vec![], text, starts, last: Default::default() };
        let q = |w: &str| Query { words: words(w), since: None, until: None, account: None, states: &[], newest_first: true, now: 0 };
        assert_eq!(ix.page(&q("fatt"), 0, 10).ids, vec![3, 1]);
        // Typing on narrows the last hits; a different word starts again.
        assert_eq!(ix.page(&q("fattura n. 2"), 0, 10).ids, vec![3]);
        assert_eq!(ix.page(&q("diff"), 0, 10).ids, vec![2]);
        assert_eq!(ix.page(&q("fattura luca"), 0, 10).ids, vec![3]);
        assert_eq!(ix.page(&q("pec.it"), 1, 1).ids, vec![2]);
        assert_eq!(ix.page(&q("pec.it"), 1, 1).total, 3);
        assert_eq!(ix.page(&q("nessuno"), 0, 10).total, 0);
        assert_eq!(ix.page(&q(""), 0, 10).by_state.get("all-delivered"), Some(&3));
    }
}
