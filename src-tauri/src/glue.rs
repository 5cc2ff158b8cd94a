//! Queries and assembly the archive crate does not offer (yet): a page of cards with
//! FTS text, several states and the four counts; the received list; a card's detail
//! (receipts with full signature reports, body, attachments, raw text).
use std::path::Path;

use archive::{Archive, CardView, Clock};
use rusqlite::types::Value;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use crate::cardindex::{self, CardIndex};
use crate::state::AppState;

const RAW_CAP: usize = 1024 * 1024;

#[derive(Debug, Deserialize, Default)]
pub struct ListCardsArgs {
    pub query: Option<String>,
    pub states: Option<Vec<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub account: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ListReceivedArgs {
    pub query: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub account: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// Europe/Rome offset (seconds) at a UTC instant: CEST from the last Sunday of March
/// 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule), CET otherwise.
pub fn rome_offset(ts: i64) -> i64 {
    use chrono::{Datelike, NaiveDate, TimeZone, Utc};
    let y = Utc.timestamp_opt(ts, 0).single().map(|d| d.year()).unwrap_or(1970);
    let last_sunday = |m: u32| {
        let mut d = NaiveDate::from_ymd_opt(y, m, 31).unwrap();
        while d.weekday() != chrono::Weekday::Sun {
            d = d.pred_opt().unwrap();
        }
        d.and_hms_opt(1, 0, 0).unwrap().and_utc().timestamp()
    };
    if ts >= last_sunday(3) && ts < last_sunday(10) {
        7200
    } else {
        3600
    }
}

/// Start of a `YYYY-MM-DD` Europe/Rome day, as Unix seconds.
pub fn rome_day_start(day: &str) -> Result<i64, String> {
    let d = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| format!("data non valida: {day:?} (AAAA-MM-GG)"))?;
    let naive = d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let guess = naive - 3600;
    Ok(if rome_offset(guess - 3600) == 7200 { naive - 7200 } else { guess })
}

fn day_range(from: &Option<String>, to: &Option<String>) -> Result<(Option<i64>, Option<i64>), String> {
    let since = from.as_deref().filter(|s| !s.is_empty()).map(rome_day_start).transpose()?;
    let until = to
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|d| {
            let start = rome_day_start(d)?;
            // The next day's start (a day is 23, 24 or 25 hours).
            let next = chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").unwrap().succ_opt().unwrap().format("%Y-%m-%d").to_string();
            rome_day_start(&next).map(|n| n.max(start))
        })
        .transpose()?;
    Ok((since, until))
}

/// The search box's text as an FTS5 query: every word must match, and the last one as
/// a prefix (from two letters: a one-letter prefix matches most of an archive), so that
/// the list narrows at each keystroke instead of going empty until a word is complete.
/// A word the user ends with `*` is a prefix anyway.
pub fn fts_as_you_type(text: &str) -> String {
    let t = text.trim();
    let last = t.split_whitespace().last().unwrap_or("");
    if last.chars().count() >= 2 && !last.ends_with('*') {
        archive::search::fts_query(&format!("{t}*"))
    } else {
        archive::search::fts_query(t)
    }
}

fn fts_ids_sql(p: usize) -> String {
    format!("c.id IN (SELECT cm.card FROM card_messages cm WHERE cm.message IN (SELECT rowid FROM fts WHERE fts MATCH ?{p}))")
}

/// `list_cards`: sent cards (not `received`), filtered, paged, with counts: over the
/// in-memory [`CardIndex`] (loaded once, dropped when the archive changes); only the
/// page's cards are read from the archive.
pub fn list_cards(st: &AppState, ar: &Archive, a: &ListCardsArgs, clock: &Clock) -> Result<Json, String> {
    let t0 = std::time::Instant::now();
    let index = {
        let mut guard = st.card_index.lock().unwrap();
        match guard.as_ref() {
            Some(i) => i.clone(),
            None => {
                let i = std::sync::Arc::new(CardIndex::load(ar)?);
                *guard = Some(i.clone());
                i
            }
        }
    };
    let (since, until) = day_range(&a.from, &a.to)?;
    let account = a.account.as_deref().filter(|s| !s.is_empty()).map(str::to_lowercase);
    let states: Vec<&str> = a
        .states
        .iter()
        .flatten()
        .flat_map(|s| match s.as_str() {
            "delivered" => vec!["all-delivered"],
            "failed" => vec!["failed", "partially-delivered"],
            "pending" => vec!["pending"],
            "overdue" => vec!["overdue"],
            "not-accepted" => vec!["not-accepted"],
            _ => vec![],
        })
        .collect();
    let q = cardindex::Query {
        words: cardindex::words(a.query.as_deref().unwrap_or("")),
        since,
        until,
        account: account.as_deref(),
        states: &states,
        newest_first: a.sort.as_deref() != Some("oldest"),
        now: clock.now(),
    };
    let limit = a.limit.unwrap_or(100).min(1000) as usize;
    let t1 = std::time::Instant::now();
    let page = index.page(&q, a.offset.unwrap_or(0) as usize, limit);
    let t2 = std::time::Instant::now();
    let n = |k: &str| page.by_state.get(k).copied().unwrap_or(0);
    let counts = json!({
        "delivered": n("all-delivered"), "failed": n("failed") + n("partially-delivered"), "pending": n("pending"), "overdue": n("overdue"),
    });
    // The page's cards in two statements (cards, recipients), not two per card.
    let cards = archive::cards::by_ids(ar.connection(), &page.ids, clock).map_err(|e| e.to_string())?;
    let mut rows = serde_json::to_value(cards).map_err(|e| e.to_string())?;
    crate::localize::engine_texts(&mut rows, st.lang());
    if std::env::var_os("CARTOLINA_APP_TIMING").is_some() {
        eprintln!(
            "cartolina-app: list_cards {:?}: index {} ms, filter {} ms, {} rows {} ms",
            a.query.as_deref().unwrap_or(""),
            (t1 - t0).as_millis(),
            (t2 - t1).as_millis(),
            rows.as_array().map_or(0, Vec::len),
            t2.elapsed().as_millis()
        );
    }
    Ok(json!({ "total": page.total, "counts": counts, "rows": rows }))
}

pub fn card_by_id(ar: &Archive, id: i64, clock: &Clock) -> Result<CardView, String> {
    archive::cards::find(ar.connection(), &id.to_string(), clock).map_err(|e| e.to_string()).and_then(|c| {
        if c.id == id {
            Ok(c)
        } else {
            Err(format!("messaggio {id} non trovato"))
        }
    })
}

pub fn list_accounts(ar: &Archive) -> Result<Vec<String>, String> {
    let conn = ar.connection();
    let mut st = conn
        .prepare("SELECT DISTINCT account FROM cards WHERE account IS NOT NULL AND account <> '' ORDER BY account")
        .map_err(|e| e.to_string())?;
    let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<_>>().map_err(|e| e.to_string())
}

const RECEIPT_KINDS: &str = "('acceptance','non-acceptance','taking-charge','delivery','delivery-error','delivery-warning','virus-detected')";

/// `list_received`: received cards (`kind = 'received'`) and receipts paired to no card.
pub fn list_received(ar: &Archive, a: &ListReceivedArgs) -> Result<Json, String> {
    let conn = ar.connection();
    let err = |e: rusqlite::Error| e.to_string();
    let (since, until) = day_range(&a.from, &a.to)?;
    let q = fts_as_you_type(a.query.as_deref().unwrap_or(""));
    let mut args: Vec<Value> = Vec::new();
    let p = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    // One union of both kinds: (id, kind, subject, sender, account, at, ts, identificativo, receipt_kind, refers_to, proof_ok, problems)
    let mut wr = vec!["c.kind = 'received'".to_string()];
    let mut wo = vec![format!("m.kind IN {RECEIPT_KINDS}"), "m.id NOT IN (SELECT message FROM card_messages)".to_string()];
    if let Some(t) = since {
        let x = p(Value::Integer(t), &mut args);
        wr.push(format!("c.sent_ts >= {x}"));
        wo.push(format!("COALESCE(m.dc_ts, m.date_ts) >= {x}"));
    }
    if let Some(t) = until {
        let x = p(Value::Integer(t), &mut args);
        wr.push(format!("c.sent_ts < {x}"));
        wo.push(format!("COALESCE(m.dc_ts, m.date_ts) < {x}"));
    }
    if let Some(acc) = a.account.as_deref().filter(|s| !s.is_empty()) {
        let x = p(Value::Text(acc.to_lowercase()), &mut args);
        wr.push(format!("c.account = {x}"));
        wo.push(format!("lower(m.delivered_to) = {x}"));
    }
    if !q.is_empty() {
        let x = p(Value::Text(q), &mut args);
        wr.push(fts_ids_sql(args.len()).replace(&format!("?{}", args.len()), &x));
        wo.push(format!("m.id IN (SELECT rowid FROM fts WHERE fts MATCH {x})"));
    }
    let recv = format!(
        "SELECT c.id AS id, 'received' AS kind, c.subject AS subject, c.sender AS sender, c.account AS account, c.sent_at AS at, c.sent_ts AS ts,
                c.identificativo AS identificativo, NULL AS receipt_kind, NULL AS refers_to, c.proof_ok AS proof_ok, c.problems AS problems
         FROM cards c WHERE {}",
        wr.join(" AND ")
    );
    let orph = format!(
        "SELECT m.id, 'orphan-receipt', COALESCE(m.subject, m.dc_oggetto), COALESCE(m.dc_mittente, m.from_addr), m.delivered_to, COALESCE(m.dc_data, m.date),
                COALESCE(m.dc_ts, m.date_ts), m.identificativo, m.kind, m.refers_to,
                (m.sig_integrity = 'intact' AND m.sig_trust = 'trusted'), '[]'
         FROM messages m WHERE {}",
        wo.join(" AND ")
    );
    let union = match a.kind.as_deref() {
        Some("received") => recv,
        Some("orphan-receipt") => orph,
        _ => format!("{recv} UNION ALL {orph}"),
    };
    let total: i64 = conn
        .query_row(&format!("SELECT count(*) FROM ({union})"), rusqlite::params_from_iter(args.iter()), |r| r.get(0))
        .map_err(err)?;
    let dir = if a.sort.as_deref() == Some("oldest") { "ASC" } else { "DESC" };
    let limit = a.limit.unwrap_or(100).min(1000);
    let offset = a.offset.unwrap_or(0);
    let sql = format!("SELECT * FROM ({union}) ORDER BY 7 {dir}, 1 {dir} LIMIT {limit} OFFSET {offset}");
    let mut st = conn.prepare(&sql).map_err(err)?;
    let rows = st
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            let problems: String = r.get(11)?;
            let refers: Option<String> = r.get(9)?;
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "kind": r.get::<_, String>(1)?, "subject": r.get::<_, Option<String>>(2)?,
                "sender": r.get::<_, Option<String>>(3)?, "account": r.get::<_, Option<String>>(4)?, "at": r.get::<_, Option<String>>(5)?,
                "identificativo": r.get::<_, Option<String>>(7)?, "receipt_kind": r.get::<_, Option<String>>(8)?,
                "refers_to": refers.map(|m| if m.starts_with('<') { m } else { format!("<{m}>") }),
                "proof_ok": r.get::<_, bool>(10)?,
                "problems": serde_json::from_str::<Vec<String>>(&problems).unwrap_or_default(),
            }))
        })
        .map_err(err)?;
    let rows: Vec<Json> = rows.collect::<rusqlite::Result<_>>().map_err(err)?;
    Ok(json!({ "total": total, "rows": rows }))
}

fn blob_bytes(ar: &Archive, sha: &str) -> Result<Vec<u8>, String> {
    archive::store::BlobStore::at(ar.dir().join("blobs")).read(sha).map_err(|e| e.to_string())
}

fn lossy_capped(raw: &[u8]) -> (String, bool) {
    let cut = raw.len() > RAW_CAP;
    (String::from_utf8_lossy(&raw[..raw.len().min(RAW_CAP)]).into_owned(), cut)
}

/// An unsigned verdict, in the verifier's JSON shape.
pub fn unsigned_report(reason: &str) -> Json {
    json!({
        "status": "unsigned",
        "trust": { "status": "indeterminate", "reason": reason, "chain": [], "anchor": null, "validation_time": null,
                   "validation_time_source": null, "revocation": "not_checked", "notes": [] },
        "signers": [], "content_type": null, "weak_algorithm": false, "warnings": [],
    })
}

/// The full signature report of a PEC message (the archive stores only its summary).
pub fn message_report(msg: &pec::PecMessage<'_>, store: &verify::TrustStore, now: i64) -> Json {
    use pec::SignatureEnvelope;
    let opts = verify::VerifyOptions {
        fallback_time: msg.daticert.as_ref().and_then(|d| u64::try_from(d.data.timestamp()).ok()),
        now: u64::try_from(now).ok(),
    };
    let r = match &msg.signature {
        SignatureEnvelope::Unsigned => return unsigned_report("message not signed"),
        SignatureEnvelope::Detached { signed_part, .. } => match msg.signature.signature_der() {
            Some(der) => verify::smime::verify_detached(signed_part, &der, store, &opts),
            None => return unsigned_report("signature part missing or undecodable"),
        },
        SignatureEnvelope::Opaque { cms_der } => verify::smime::verify_opaque(cms_der, store, &opts).map(|(r, _)| r),
    };
    match r {
        Ok(r) => serde_json::to_value(r).unwrap_or(Json::Null),
        Err(e) => {
            let mut v = unsigned_report(&format!("signature unreadable: {e}"));
            v["status"] = json!("broken");
            v
        }
    }
}

struct Body {
    text: Option<String>,
    html: Option<String>,
    attachments: Vec<Json>,
}

fn body_of(st: &AppState, raw: &[u8]) -> Body {
    use mail_parser::MimeHeaders;
    let mut b = Body { text: None, html: None, attachments: Vec::new() };
    let Some(m) = mail_parser::MessageParser::default().parse(raw) else { return b };
    b.text = m.body_text(0).map(|s| s.into_owned());
    // mail-parser converts between text and html: keep html only for a real html part.
    if m.html_body_count() > 0 && m.html_part(0).is_some_and(|p| p.is_text_html()) {
        b.html = m.body_html(0).map(|s| s.into_owned());
    }
    for a in m.attachments() {
        let name = a.attachment_name().unwrap_or("allegato").to_string();
        let mime = a
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")))
            .unwrap_or_else(|| "application/octet-stream".into());
        let bytes = a.contents().to_vec();
        let size = bytes.len();
        let token = st.put_blob(name.clone(), bytes);
        b.attachments.push(json!({ "token": token, "name": name, "size": size, "mime": mime }));
    }
    b
}

struct Msg {
    id: i64,
    role: String,
    kind: String,
    sha: String,
    path: Option<String>,
}

/// The messages of card `id` (`card = true`), or message `id` alone, oldest first.
fn messages(ar: &Archive, card: bool, id: i64) -> Result<Vec<Msg>, String> {
    let (from, cond) = if card {
        ("card_messages cm JOIN messages m ON m.id = cm.message", "cm.card = ?1")
    } else {
        ("messages m LEFT JOIN card_messages cm ON 0", "m.id = ?1")
    };
    let sql = format!(
        "SELECT m.id, COALESCE(cm.role, m.kind), m.kind, m.sha256,
                (SELECT path || CASE WHEN offset >= 0 THEN '#' || offset ELSE '' END FROM locations l WHERE l.message = m.id ORDER BY l.id LIMIT 1)
         FROM {from} WHERE {cond} ORDER BY COALESCE(m.dc_ts, m.date_ts), m.id"
    );
    let conn = ar.connection();
    let mut stmt = conn.prepare(&sql).map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([id], |r| Ok(Msg { id: r.get(0)?, role: r.get(1)?, kind: r.get(2)?, sha: r.get(3)?, path: r.get(4)? }))
        .map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<_>>().map_err(|e| e.to_string())
}

/// A token to save a message of the archive byte for byte (the proof itself, as the
/// provider signed it), named after what it is: `consegna-1234.eml`.
fn eml_ref(st: &AppState, m: &Msg, what: &str, size: usize) -> Json {
    let name = format!("{}-{}.eml", st.lang().text(what).replace(' ', "-"), m.id);
    let token = st.put_archived_blob(name.clone(), m.sha.clone());
    json!({ "token": token, "name": name, "size": size, "mime": "message/rfc822" })
}

fn receipt_json(st: &AppState, ar: &Archive, m: &Msg, store: &verify::TrustStore, now: i64) -> Result<Json, String> {
    let raw = blob_bytes(ar, &m.sha)?;
    let (raw_text, cut) = lossy_capped(&raw);
    let kind = if m.role == "original" || m.role.is_empty() { m.kind.clone() } else { m.role.clone() };
    let mut out = json!({
        "id": m.id, "kind": kind, "file": m.path.clone().unwrap_or_default(), "recipient": null, "at": null, "subject": null,
        "daticert": null, "inconsistencies": [], "signature": unsigned_report(""), "raw": raw_text, "raw_truncated": cut,
        "eml": eml_ref(st, m, &kind, raw.len()),
    });
    if let Ok(msg) = pec::parse_message(&raw) {
        out["subject"] = json!(msg.subject);
        if let Some(d) = &msg.daticert {
            out["daticert"] = serde_json::to_value(d).unwrap_or(Json::Null);
            out["at"] = json!(d.data.to_rfc3339());
            out["recipient"] = serde_json::to_value(&d.consegna).unwrap_or(Json::Null);
        }
        out["inconsistencies"] = serde_json::to_value(&msg.inconsistencies).unwrap_or(json!([]));
        out["signature"] = message_report(&msg, store, now);
    }
    Ok(out)
}

/// `get_card`: a sent or received card with everything the detail view shows.
pub fn card_detail(st: &AppState, ar: &Archive, id: i64, clock: &Clock, store: &verify::TrustStore) -> Result<Json, String> {
    let card = card_by_id(ar, id, clock)?;
    let original: Option<i64> = ar
        .connection()
        .query_row("SELECT original FROM cards WHERE id = ?1", [id], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let msgs = messages(ar, true, id)?;
    let now = clock.now();
    let mut receipts = Vec::new();
    let (mut body, mut raw, mut cut) = (Body { text: None, html: None, attachments: vec![] }, String::new(), false);
    let mut eml = Json::Null;
    let received = card.kind == "received";
    for m in &msgs {
        let is_original = Some(m.id) == original || m.role == "original";
        if is_original && !(received && m.kind == "transport") {
            let bytes = blob_bytes(ar, &m.sha)?;
            body = body_of(st, &bytes);
            (raw, cut) = lossy_capped(&bytes);
            eml = eml_ref(st, m, "message", bytes.len());
            continue;
        }
        receipts.push(receipt_json(st, ar, m, store, now)?);
        if received && m.kind == "transport" && raw.is_empty() {
            let bytes = blob_bytes(ar, &m.sha)?;
            // The body of a received message is the enclosed postacert.eml.
            let inner = pec::parse_message(&bytes).ok().and_then(|p| p.postacert.map(|c| c.into_owned()));
            body = body_of(st, inner.as_deref().unwrap_or(&bytes));
            (raw, cut) = lossy_capped(&bytes);
        }
    }
    Ok(json!({
        "card": card, "origin": if received { "received" } else { "sent" }, "receipts": receipts,
        "attachments": body.attachments, "body_text": body.text, "body_html": body.html, "raw": raw, "raw_truncated": cut, "eml": eml,
    }))
}

/// `get_orphan`: a receipt paired to no card, as a detail with no recipients.
pub fn orphan_detail(st: &AppState, ar: &Archive, id: i64, clock: &Clock, store: &verify::TrustStore) -> Result<Json, String> {
    let msgs = messages(ar, false, id)?;
    let m = msgs.first().ok_or_else(|| format!("ricevuta {id} non trovata"))?;
    let r = receipt_json(st, ar, m, store, clock.now())?;
    let dc = &r["daticert"];
    let card = json!({
        "id": id, "kind": "orphan", "message_id": dc["msgid"], "identificativo": dc["identificativo"],
        "subject": dc["oggetto"].as_str().map(String::from).or_else(|| r["subject"].as_str().map(String::from)),
        "sender": dc["mittente"], "account": null, "sent_at": null, "accepted_at": null, "state": "received",
        "recipients": [], "proof_ok": r["signature"]["status"] == "intact" && r["signature"]["trust"]["status"] == "trusted",
        "problems": ["orphan-receipt: no copy of the sent message in the archive"],
    });
    let raw = r["raw"].clone();
    let cut = r["raw_truncated"].clone();
    Ok(json!({ "card": card, "origin": "orphan", "receipts": [r], "attachments": [], "body_text": null, "body_html": null, "raw": raw, "raw_truncated": cut,
               "eml": null }))
}

pub fn is_text(b: &[u8]) -> bool {
    !b.contains(&0) && std::str::from_utf8(&b[..b.len().min(64 * 1024)]).is_ok()
}

pub fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into())
}

pub fn guess_mime(name: &str) -> &'static str {
    let l = name.to_lowercase();
    match l.rsplit('.').next().unwrap_or("") {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "txt" => "text/plain",
        "eml" => "message/rfc822",
        "html" | "htm" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rome_days() {
        // Winter: CET (UTC+1); summer: CEST (UTC+2).
        assert_eq!(rome_day_start("2026-01-15").unwrap(), chrono::DateTime::parse_from_rfc3339("2026-01-14T23:00:00Z").unwrap().timestamp());
        assert_eq!(rome_day_start("2026-07-15").unwrap(), chrono::DateTime::parse_from_rfc3339("2026-07-14T22:00:00Z").unwrap().timestamp());
        assert!(rome_day_start("15/07/2026").is_err());
    }

    #[test]
    fn search_as_you_type() {
        assert_eq!(fts_as_you_type(""), "");
        assert_eq!(fts_as_you_type("  "), "");
        // One letter: a whole word; from two: the last word is a prefix.
        assert_eq!(fts_as_you_type("f"), "\"f\"");
        assert_eq!(fts_as_you_type("fa"), "\"fa\"*");
        assert_eq!(fts_as_you_type("decreto ingiun "), "\"decreto\" \"ingiun\"*");
        assert_eq!(fts_as_you_type("decreto i"), "\"decreto\" \"i\"");
        assert_eq!(fts_as_you_type("fatt*"), "\"fatt\"*");
        assert_eq!(fts_as_you_type("say \"hi\""), "\"say\" \"\"\"hi\"\"\"*");
    }
}
