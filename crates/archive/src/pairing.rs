//! Pairing: from stored messages to return cards.
//!
//! Card keys: `m:<msgid>` for a message the user sent (msgid without angle brackets,
//! as every daticert about it names it), `r:<identificativo>` for a PEC message the
//! user received: the signed daticert's identificativo of its transport (or anomaly)
//! envelope, so that copies of one envelope with other bytes (delivered to two of the
//! user's accounts, or synced by two clients that add their own headers) are one card;
//! `r:<sha256>` for an envelope without one.
//!
//! Rules (all matching on the **signed daticert**, never on headers):
//! * receipts belong to the card of their daticert `msgid`; per-recipient receipts to
//!   the recipient their daticert `consegna` names;
//! * recipients are those the acceptance daticert lists (else the non-acceptance's,
//!   else any receipt's, else the `consegna` addresses met);
//! * a recipient is `delivered` (avvenuta consegna), else `failed` (errore consegna or
//!   rilevazione virus; reason from `errore-esteso`, else `errore`), else `warned`
//!   (preavviso), else unresolved (`pending`/`overdue`, decided when read, see
//!   [`crate::cards`]); `esterno` recipients are `not-provable`;
//! * a receipt whose signature is `broken`, `unsigned` or `detached` is shown but never
//!   counts; one that is intact but not `trusted` counts, and the card says it is not
//!   proof (`proof_ok=false`); header/daticert mismatches are listed as problems;
//! * the original is the user's own copy (a plain message whose Message-ID is the
//!   msgid; one in a Sent-like folder preferred), else the `postacert.eml` of a
//!   delivery receipt, else the acceptance's daticert;
//! * receipts with no acceptance still make a card (an orphan), flagged.
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::Result;
use crate::signature::is_proof;

/// Keys processed per transaction.
const CHUNK: usize = 500;

/// Recompute every card whose key is in `dirty`; returns how many keys were processed.
pub fn process_dirty(conn: &mut Connection) -> Result<u64> {
    let mut done = 0;
    loop {
        let tx = conn.transaction()?;
        let keys: Vec<String> = {
            let mut st = tx.prepare_cached("SELECT key FROM dirty LIMIT ?1")?;
            let rows = st.query_map([CHUNK as i64], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if keys.is_empty() {
            tx.commit()?;
            return Ok(done);
        }
        for k in &keys {
            rebuild(&tx, k)?;
            tx.prepare_cached("DELETE FROM dirty WHERE key = ?1")?.execute([k])?;
        }
        tx.commit()?;
        done += keys.len() as u64;
    }
}

/// Rebuild every card from scratch (after a pairing-rule change; also used by fsck's
/// comparison).
pub fn mark_all_dirty(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT OR IGNORE INTO dirty (key) SELECT 'm:' || refers_to FROM messages WHERE refers_to IS NOT NULL AND kind NOT IN ('plain','transport','anomaly','unparsable');
         INSERT OR IGNORE INTO dirty (key) SELECT 'r:' || COALESCE(NULLIF(identificativo, ''), sha256) FROM messages WHERE kind IN ('transport','anomaly');",
    )?;
    Ok(())
}

/// One stored message, as pairing needs it.
#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub id: i64,
    pub kind: String,
    pub subject: Option<String>,
    pub date: Option<String>,
    pub from_addr: Option<String>,
    pub to_addrs: Option<String>,
    pub delivered_to: Option<String>,
    pub identificativo: Option<String>,
    pub refers_to: Option<String>,
    pub dc_mittente: Option<String>,
    pub dc_destinatari: Option<String>,
    pub dc_data: Option<String>,
    pub dc_ts: Option<i64>,
    pub dc_consegna: Option<String>,
    pub dc_errore: Option<String>,
    pub dc_errore_esteso: Option<String>,
    pub dc_oggetto: Option<String>,
    pub sig_integrity: String,
    pub sig_trust: Option<String>,
    pub sig_detail: Option<String>,
    pub inconsistencies: Option<String>,
    pub pc_subject: Option<String>,
    pub pc_date: Option<String>,
    pub path: Option<String>,
}

pub(crate) const MSG_COLS: &str = "m.id, m.kind, m.subject, m.date, m.from_addr, m.to_addrs, m.delivered_to, m.identificativo, m.refers_to,
    m.dc_mittente, m.dc_destinatari, m.dc_data, m.dc_ts, m.dc_consegna, m.dc_errore, m.dc_errore_esteso, m.dc_oggetto,
    m.sig_integrity, m.sig_trust, m.sig_detail, m.inconsistencies, m.pc_subject, m.pc_date,
    (SELECT path FROM locations l WHERE l.message = m.id ORDER BY (path LIKE '%sent%' OR path LIKE '%inviat%') DESC, id LIMIT 1)";

pub(crate) fn msg_from_row(r: &Row<'_>) -> rusqlite::Result<Msg> {
    Ok(Msg {
        id: r.get(0)?,
        kind: r.get(1)?,
        subject: r.get(2)?,
        date: r.get(3)?,
        from_addr: r.get(4)?,
        to_addrs: r.get(5)?,
        delivered_to: r.get(6)?,
        identificativo: r.get(7)?,
        refers_to: r.get(8)?,
        dc_mittente: r.get(9)?,
        dc_destinatari: r.get(10)?,
        dc_data: r.get(11)?,
        dc_ts: r.get(12)?,
        dc_consegna: r.get(13)?,
        dc_errore: r.get(14)?,
        dc_errore_esteso: r.get(15)?,
        dc_oggetto: r.get(16)?,
        sig_integrity: r.get(17)?,
        sig_trust: r.get(18)?,
        sig_detail: r.get(19)?,
        inconsistencies: r.get(20)?,
        pc_subject: r.get(21)?,
        pc_date: r.get(22)?,
        path: r.get(23)?,
    })
}

impl Msg {
    fn proof(&self) -> bool {
        is_proof(&self.sig_integrity, self.sig_trust.as_deref())
    }
    /// Whether the receipt may decide a state at all (intact, even if untrusted).
    fn counts(&self) -> bool {
        !matches!(self.sig_integrity.as_str(), "broken" | "unsigned" | "detached")
    }
    fn destinatari(&self) -> Vec<(String, String)> {
        let v: Vec<serde_json::Value> = self.dc_destinatari.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        v.iter()
            .filter_map(|d| Some((d.get("address")?.as_str()?.to_string(), d.get("type")?.as_str()?.to_string())))
            .collect()
    }
    /// The user's mailbox a received envelope was delivered to: `Delivered-To`, else
    /// the header recipient the daticert lists, else the first header recipient.
    fn account(&self, dest: &[(String, String)]) -> Option<String> {
        let to: Vec<&str> = self.to_addrs.as_deref().map(|t| t.split(", ").collect()).unwrap_or_default();
        self.delivered_to
            .clone()
            .or_else(|| to.iter().find(|a| dest.iter().any(|(d, _)| d.eq_ignore_ascii_case(a))).map(|a| a.to_string()))
            .or_else(|| to.first().map(|a| a.to_string()))
    }

    fn error_text(&self) -> Option<String> {
        self.dc_errore_esteso.clone().or_else(|| self.dc_errore.clone().filter(|e| e != "nessuno"))
    }
    fn sig_problem(&self) -> Option<String> {
        if self.proof() {
            return None;
        }
        let what = match self.sig_trust.as_deref() {
            _ if self.sig_integrity != "intact" => format!("signature {}", self.sig_integrity),
            Some(t) => format!("signer {t}"),
            None => "signature not checked".to_string(),
        };
        let detail = self.sig_detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        let effect = if self.counts() { "not proof" } else { "ignored: not proof" };
        Some(format!("receipt-not-proof: {} {}: {what}{detail}; {effect}", self.kind, self.id))
    }
    fn mismatch_problem(&self) -> Option<String> {
        let v: Vec<serde_json::Value> = self.inconsistencies.as_deref().and_then(|s| serde_json::from_str(s).ok())?;
        let parts: Vec<String> = v
            .iter()
            .map(|i| {
                let f = i.get("field").and_then(|x| x.as_str()).unwrap_or("?");
                let h = i.get("header").and_then(|x| x.as_str()).unwrap_or("-");
                let d = i.get("daticert").and_then(|x| x.as_str()).unwrap_or("-");
                format!("{f}: header {h:?} vs daticert {d:?}")
            })
            .collect();
        (!parts.is_empty()).then(|| format!("header-mismatch: {} {}: {}", self.kind, self.id, parts.join("; ")))
    }
}

/// `where_clause` filters on one indexed key column (`?1`) and then on `+m.kind`: the
/// unary `+` keeps SQLite (no ANALYZE statistics) from choosing `messages_kind`
/// instead, which scanned every message of that kind for each card (quadratic pairing:
/// 90% of a 10,000-message cold scan).
fn load(conn: &Connection, where_clause: &str, key: &str) -> Result<Vec<Msg>> {
    let sql = format!("SELECT {MSG_COLS} FROM messages m WHERE {where_clause} ORDER BY m.dc_ts, m.id");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([key], msg_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The card as computed (written to `cards`, `card_recipients`, `card_messages`).
#[derive(Debug, Default)]
struct Built {
    kind: &'static str,
    account: Option<String>,
    msgid: Option<String>,
    identificativo: Option<String>,
    subject: Option<String>,
    sender: Option<String>,
    sent_at: Option<String>,
    accepted_at: Option<String>,
    accepted_ts: Option<i64>,
    acceptance: &'static str,
    recipients: Vec<Rcpt>,
    proof_ok: bool,
    problems: Vec<String>,
    origin: Option<&'static str>,
    original: Option<i64>,
    messages: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
struct Rcpt {
    address: String,
    rtype: String,
    state: &'static str,
    at: Option<String>,
    error: Option<String>,
    receipt: Option<i64>,
    /// Precedence of the deciding receipt: delivered 3 > failed 2 > warned 1.
    rank: u8,
}

fn rebuild(conn: &Connection, key: &str) -> Result<()> {
    let built = if let Some(id) = key.strip_prefix("r:") {
        let mut copies = load(conn, "m.identificativo = ?1 AND +m.kind IN ('transport','anomaly')", id)?;
        if copies.is_empty() {
            copies = load(conn, "m.sha256 = ?1 AND +m.kind IN ('transport','anomaly') AND COALESCE(m.identificativo, '') = ''", id)?;
        }
        received(copies)
    } else if let Some(msgid) = key.strip_prefix("m:") {
        sent(conn, msgid)?
    } else {
        None
    };
    // Statements cached: a cold scan rebuilds every card once.
    let existing: Option<i64> = conn.prepare_cached("SELECT id FROM cards WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?;
    if let Some(id) = existing {
        conn.prepare_cached("DELETE FROM card_recipients WHERE card = ?1")?.execute([id])?;
        conn.prepare_cached("DELETE FROM card_messages WHERE card = ?1")?.execute([id])?;
    }
    let Some(b) = built else {
        if let Some(id) = existing {
            conn.prepare_cached("DELETE FROM cards WHERE id = ?1")?.execute([id])?;
        }
        return Ok(());
    };
    let n = |s: &str| b.recipients.iter().filter(|r| r.rtype == "certificato" && r.state == s).count() as i64;
    let unresolved = n("none") + n("warned");
    let sent_ts = b.sent_at.as_deref().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|d| d.timestamp());
    let id: i64 = conn.prepare_cached(
        "INSERT INTO cards (key, kind, account, msgid, identificativo, subject, sender, sent_at, sent_ts, accepted_at, accepted_ts,
            acceptance, n_delivered, n_failed, n_unresolved, proof_ok, problems, origin, original)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, account = excluded.account, msgid = excluded.msgid,
            identificativo = excluded.identificativo, subject = excluded.subject, sender = excluded.sender,
            sent_at = excluded.sent_at, sent_ts = excluded.sent_ts, accepted_at = excluded.accepted_at,
            accepted_ts = excluded.accepted_ts, acceptance = excluded.acceptance, n_delivered = excluded.n_delivered,
            n_failed = excluded.n_failed, n_unresolved = excluded.n_unresolved, proof_ok = excluded.proof_ok,
            problems = excluded.problems, origin = excluded.origin, original = excluded.original
         RETURNING id",
    )?
    .query_row(params![
            key,
            b.kind,
            b.account,
            b.msgid,
            b.identificativo,
            b.subject,
            b.sender,
            b.sent_at,
            sent_ts,
            b.accepted_at,
            b.accepted_ts,
            b.acceptance,
            n("delivered"),
            n("failed"),
            unresolved,
            b.proof_ok,
            serde_json::to_string(&b.problems).unwrap_or_else(|_| "[]".into()),
            b.origin,
            b.original,
        ],
        |r| r.get(0),
    )?;
    let mut st = conn.prepare_cached(
        "INSERT INTO card_recipients (card, pos, address, type, state, at, error, receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (pos, r) in b.recipients.iter().enumerate() {
        st.execute(params![id, pos as i64, r.address, r.rtype, r.state, r.at, r.error, r.receipt])?;
    }
    let mut st = conn.prepare_cached("INSERT OR IGNORE INTO card_messages (card, message, role) VALUES (?1, ?2, ?3)")?;
    for (m, role) in &b.messages {
        st.execute(params![id, m, role])?;
    }
    Ok(())
}

const RECEIPT_KINDS: &str = "('acceptance','non-acceptance','delivery','delivery-error','delivery-warning','taking-charge','virus-detected')";

fn sent(conn: &Connection, msgid: &str) -> Result<Option<Built>> {
    let receipts = load(conn, &format!("m.refers_to = ?1 AND +m.kind IN {RECEIPT_KINDS}"), msgid)?;
    // Unsigned messages claiming (in headers only) to be receipts for this message.
    let claims: Vec<Msg> = load(conn, "m.header_ref = ?1 AND +m.kind = 'plain'", msgid)?
        .into_iter()
        .filter(|m| m.inconsistencies.as_deref().is_some_and(|i| i.contains("\"signature\"")))
        .collect();
    if receipts.is_empty() && claims.is_empty() {
        return Ok(None);
    }
    let mut b = Built { kind: "sent", msgid: Some(msgid.to_string()), proof_ok: true, ..Default::default() };
    // The acceptance that decides: a proof-valid one first, then any that counts.
    let pick = |k: &str| {
        let of = || receipts.iter().filter(|m| m.kind == k);
        of().find(|m| m.proof()).or_else(|| of().find(|m| m.counts())).cloned()
    };
    let acceptance = pick("acceptance");
    let non_acceptance = pick("non-acceptance");
    for m in &receipts {
        b.messages.push((m.id, m.kind.clone()));
        if let Some(p) = m.sig_problem() {
            b.problems.push(p);
            b.proof_ok = false;
        }
        if let Some(p) = m.mismatch_problem() {
            b.problems.push(p);
        }
    }
    for c in &claims {
        b.messages.push((c.id, "unsigned-claim".into()));
        b.problems.push(format!("unsigned-receipt: message {} claims to be a receipt for this message but is not signed: not proof", c.id));
        b.proof_ok = false;
    }
    let head = acceptance.as_ref().or(non_acceptance.as_ref()).or_else(|| receipts.iter().find(|m| m.counts()));
    b.acceptance = match (&acceptance, &non_acceptance) {
        (Some(_), Some(_)) => {
            b.problems.push("conflicting-acceptance: both an acceptance and a non-acceptance were found".into());
            "accepted"
        }
        (Some(_), None) => "accepted",
        (None, Some(_)) => "not-accepted",
        (None, None) => {
            b.problems.push("acceptance-missing: receipts without a ricevuta di accettazione (orphan receipts)".into());
            b.proof_ok = false;
            "missing"
        }
    };
    if let Some(a) = &acceptance {
        b.accepted_at = a.dc_data.clone();
        b.accepted_ts = a.dc_ts;
    }
    if let Some(h) = head {
        b.sender = h.dc_mittente.clone();
        b.identificativo = h.identificativo.clone();
        let mut seen = std::collections::HashSet::new();
        for (address, rtype) in h.destinatari() {
            if seen.insert(address.to_lowercase()) {
                let state = if rtype == "esterno" { "not-provable" } else { "none" };
                b.recipients.push(Rcpt { address, rtype, state, at: None, error: None, receipt: None, rank: 0 });
            }
        }
    }
    if b.acceptance == "not-accepted" {
        if let Some(na) = &non_acceptance {
            for r in &mut b.recipients {
                r.state = "failed";
                r.at = na.dc_data.clone();
                r.error = na.error_text();
                r.receipt = Some(na.id);
            }
        }
    }
    for m in receipts.iter().filter(|m| m.counts()) {
        let (state, rank) = match m.kind.as_str() {
            "delivery" => ("delivered", 3),
            "delivery-error" | "virus-detected" => ("failed", 2),
            "delivery-warning" => ("warned", 1),
            _ => continue,
        };
        let Some(addr) = m.dc_consegna.clone() else {
            b.problems.push(format!("receipt-without-consegna: {} {} names no recipient", m.kind, m.id));
            continue;
        };
        let idx = match b.recipients.iter().position(|r| r.address.eq_ignore_ascii_case(&addr)) {
            Some(i) => i,
            None => {
                if b.acceptance == "accepted" {
                    b.problems.push(format!("unknown-recipient: {} {} is for {addr}, not listed in the acceptance", m.kind, m.id));
                }
                b.recipients.push(Rcpt { address: addr.clone(), rtype: "certificato".into(), state: "none", at: None, error: None, receipt: None, rank: 0 });
                b.recipients.len() - 1
            }
        };
        let r = &mut b.recipients[idx];
        if r.rank == 3 && rank == 2 || r.rank == 2 && rank == 3 {
            b.problems.push(format!("conflicting-outcomes: {addr} has both a delivery and a failure receipt"));
        }
        // Higher rank wins; at equal rank the earliest receipt (rows come in time order).
        if rank > r.rank {
            r.state = state;
            r.rank = rank;
            r.at = m.dc_data.clone();
            r.error = if state == "delivered" { None } else { m.error_text() };
            r.receipt = Some(m.id);
        }
    }
    // The original message.
    let copies = load(conn, "m.message_id = ?1 AND +m.kind = 'plain'", msgid)?;
    let copy = copies
        .iter()
        .find(|c| c.path.as_deref().is_some_and(is_sent_folder))
        .or_else(|| copies.iter().find(|c| !claims.iter().any(|x| x.id == c.id)));
    let postacert = receipts.iter().filter(|m| m.counts()).find(|m| m.pc_subject.is_some() || m.pc_date.is_some());
    if let Some(c) = copy {
        b.origin = Some("sent-copy");
        b.original = Some(c.id);
        b.subject = c.subject.clone();
        b.sent_at = c.date.clone();
        b.messages.push((c.id, "original".into()));
        if b.sender.is_none() {
            b.sender = c.from_addr.clone();
        }
    } else if let Some(p) = postacert {
        b.origin = Some("postacert");
        b.original = Some(p.id);
        b.subject = p.pc_subject.clone();
        b.sent_at = p.pc_date.clone();
    } else if let Some(a) = head {
        b.origin = Some("daticert");
        b.original = Some(a.id);
    }
    if b.subject.is_none() {
        b.subject = head.and_then(|h| h.dc_oggetto.clone().or_else(|| h.subject.clone()));
    }
    if b.sent_at.is_none() {
        b.sent_at = head.and_then(|h| h.dc_data.clone());
    }
    b.account = b.sender.as_ref().map(|s| s.to_lowercase());
    Ok(Some(b))
}

fn is_sent_folder(path: &str) -> bool {
    let p = path.to_lowercase();
    ["sent", "inviat", "posta inviata"].iter().any(|s| p.contains(s))
}

/// A transport (or anomaly) envelope the user received: proof of receipt for them.
/// `copies` are every stored copy of it (same identificativo): the card is made from
/// the best one (proof first, then the first stored); each copy's mailbox is marked
/// received, and a copy that is not proof is named among the problems.
fn received(copies: Vec<Msg>) -> Option<Built> {
    let best = copies.iter().position(Msg::proof).unwrap_or(0);
    let m = copies.get(best)?;
    let mut b = Built {
        kind: "received",
        msgid: m.refers_to.clone(),
        identificativo: m.identificativo.clone(),
        subject: m.pc_subject.clone().or_else(|| m.dc_oggetto.clone()).or_else(|| m.subject.clone()),
        sender: m.dc_mittente.clone().or_else(|| m.from_addr.clone()),
        sent_at: m.pc_date.clone().or_else(|| m.dc_data.clone()),
        accepted_at: m.dc_data.clone(),
        accepted_ts: m.dc_ts,
        acceptance: "received",
        proof_ok: m.proof(),
        origin: Some("envelope"),
        original: Some(m.id),
        messages: copies.iter().map(|c| (c.id, c.kind.clone())).collect(),
        ..Default::default()
    };
    let dest = m.destinatari();
    let accounts: Vec<Option<String>> = copies.iter().map(|c| c.account(&dest)).collect();
    for (address, rtype) in dest {
        let mine = accounts.iter().flatten().any(|a| a.eq_ignore_ascii_case(&address));
        let state = if mine { "received" } else { "listed" };
        b.recipients.push(Rcpt { address, rtype, state, at: mine.then(|| m.dc_data.clone()).flatten(), error: None, receipt: None, rank: 0 });
    }
    b.account = accounts[best].as_deref().map(str::to_lowercase);
    if m.kind == "anomaly" {
        b.problems.push("anomaly: busta di anomalia: the provider received a message that is not valid PEC".into());
        b.proof_ok = false;
    }
    for c in std::iter::once(m).chain(copies.iter().filter(|c| c.id != m.id)) {
        b.problems.extend(c.sig_problem());
        b.problems.extend(c.mismatch_problem());
    }
    Some(b)
}
