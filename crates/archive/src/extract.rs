//! One message's bytes -> one database record (runs on the worker threads).
//!
//! Identity and meaning come from pec (kind, ids and times from the signed daticert);
//! the verdict from [`crate::signature`]; text for the search index from a full
//! mail-parser pass (bodies, attachment names, and the same for an enclosed
//! `postacert.eml`, which is the user's original message).
use mail_parser::{HeaderName, MessageParser, MimeHeaders};
use pec::{normalize_msgid, PecMessage};

use crate::signature::{self, SigCheck, Verifier};
use crate::store::sha256_hex;

/// Body text kept for the index, per message (the whole message is in the blob).
const MAX_INDEXED_TEXT: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
pub struct FtsText {
    pub subject: String,
    pub addresses: String,
    pub body: String,
    pub attachments: String,
    pub ids: String,
    pub provider: String,
    pub errors: String,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub sha256: String,
    pub size: i64,
    pub kind: &'static str,
    pub parse_error: Option<String>,
    pub message_id: Option<String>,
    pub refers_to: Option<String>,
    pub header_ref: Option<String>,
    pub identificativo: Option<String>,
    pub subject: Option<String>,
    pub from_addr: Option<String>,
    pub to_addrs: Option<String>,
    pub delivered_to: Option<String>,
    pub date: Option<String>,
    pub date_ts: Option<i64>,
    pub dc: Option<DcFields>,
    pub sig: SigCheck,
    pub inconsistencies: Option<String>,
    pub notes: Option<String>,
    pub pc_subject: Option<String>,
    pub pc_date: Option<String>,
    pub pc_date_ts: Option<i64>,
    pub fts: FtsText,
}

#[derive(Debug, Clone)]
pub struct DcFields {
    pub tipo: &'static str,
    pub mittente: String,
    /// JSON `[{"address","type"}]`.
    pub destinatari: String,
    pub data: String,
    pub ts: i64,
    pub consegna: Option<String>,
    pub errore: &'static str,
    pub errore_esteso: Option<String>,
    pub ricevuta: Option<&'static str>,
    pub gestore: String,
    pub oggetto: Option<String>,
}

/// Everything the archive records about `raw`. Never fails: an unparsable message is a
/// record of kind `unparsable` with the reason (its bytes are kept all the same).
pub fn extract(raw: &[u8], verifier: &Verifier) -> Record {
    let sha256 = sha256_hex(raw);
    let mut rec = Record {
        sha256,
        size: raw.len() as i64,
        kind: "unparsable",
        parse_error: None,
        message_id: None,
        refers_to: None,
        header_ref: None,
        identificativo: None,
        subject: None,
        from_addr: None,
        to_addrs: None,
        delivered_to: None,
        date: None,
        date_ts: None,
        dc: None,
        sig: SigCheck { integrity: "unsigned", trust: None, detail: None, signer: None },
        inconsistencies: None,
        notes: None,
        pc_subject: None,
        pc_date: None,
        pc_date_ts: None,
        fts: FtsText::default(),
    };
    match pec::parse_message(raw) {
        Ok(msg) => fill_from_pec(&mut rec, &msg, verifier),
        Err(e) => {
            rec.parse_error = Some(e.to_string());
            return rec;
        }
    }
    fill_text(&mut rec, raw);
    rec
}

fn fill_from_pec(rec: &mut Record, msg: &PecMessage<'_>, verifier: &Verifier) {
    rec.kind = msg.kind.as_str();
    rec.message_id = msg.message_id.as_deref().map(normalize_msgid).filter(|s| !s.is_empty());
    // Pairing keys come from the signed daticert only; the unsigned header reference
    // is kept apart, to show forged or unsigned "receipts" without trusting them.
    rec.refers_to = msg.daticert.as_ref().map(|d| normalize_msgid(&d.msgid)).filter(|s| !s.is_empty());
    rec.header_ref = msg.headers.x_riferimento_message_id.as_deref().map(normalize_msgid).filter(|s| !s.is_empty());
    rec.identificativo = msg.identificativo.clone();
    rec.subject = msg.subject.clone();
    rec.from_addr = msg.headers.from.clone();
    if !msg.headers.recipients.is_empty() {
        rec.to_addrs = Some(msg.headers.recipients.join(", "));
    }
    if !msg.inconsistencies.is_empty() {
        rec.inconsistencies = serde_json::to_string(&msg.inconsistencies).ok();
    }
    let mut notes = msg.notes.clone();
    if let Some(e) = &msg.daticert_error {
        notes.push(format!("daticert: {e}"));
    }
    if !notes.is_empty() {
        rec.notes = serde_json::to_string(&notes).ok();
    }
    if let Some(d) = &msg.daticert {
        let dest: Vec<_> = d.destinatari.iter().map(|r| serde_json::json!({"address": r.address, "type": match r.kind {
            pec::RecipientKind::Certificato => "certificato",
            pec::RecipientKind::Esterno => "esterno",
        }})).collect();
        rec.dc = Some(DcFields {
            tipo: d.tipo.as_str(),
            mittente: d.mittente.clone(),
            destinatari: serde_json::Value::Array(dest).to_string(),
            data: d.data.to_rfc3339(),
            ts: d.data.timestamp(),
            consegna: d.consegna.clone(),
            errore: d.errore.as_str(),
            errore_esteso: d.errore_esteso.clone(),
            ricevuta: d.ricevuta.map(|r| r.as_str()),
            gestore: d.gestore_emittente.clone(),
            oggetto: d.oggetto.clone(),
        });
        let f = &mut rec.fts;
        f.addresses.push_str(&d.mittente);
        for r in &d.destinatari {
            f.addresses.push(' ');
            f.addresses.push_str(&r.address);
        }
        if let Some(c) = &d.consegna {
            f.addresses.push(' ');
            f.addresses.push_str(c);
        }
        f.provider = d.gestore_emittente.clone();
        f.ids = format!("{} {}", d.identificativo, d.msgid);
        if d.errore != pec::DeliveryErrorCode::Nessuno {
            f.errors = d.errore.as_str().to_string();
        }
        if let Some(e) = &d.errore_esteso {
            f.errors.push(' ');
            f.errors.push_str(e);
        }
        if let Some(o) = &d.oggetto {
            f.subject.push_str(o);
            f.subject.push(' ');
        }
    }
    rec.sig = signature::check(msg, verifier);
    if let Some(pc) = msg.postacert.as_deref() {
        if let Some(m) = parse_full(pc) {
            rec.pc_subject = m.subject().map(|s| s.trim().to_string());
            if let Some(d) = m.date() {
                rec.pc_date = Some(d.to_rfc3339());
                rec.pc_date_ts = Some(d.to_timestamp());
            }
            add_text(&mut rec.fts, &m);
        }
    }
}

fn fill_text(rec: &mut Record, raw: &[u8]) {
    let Some(m) = parse_full(raw) else { return };
    if let Some(d) = m.date() {
        rec.date = Some(d.to_rfc3339());
        rec.date_ts = Some(d.to_timestamp());
    }
    if let Some(mail_parser::HeaderValue::Address(a)) = m.header("Delivered-To") {
        rec.delivered_to = a.first().and_then(|a| a.address()).map(|s| s.trim().to_string());
    } else if let Some(t) = m.header_raw("Delivered-To") {
        rec.delivered_to = Some(t.trim().trim_matches(['<', '>']).to_string());
    }
    let f = &mut rec.fts;
    if let Some(s) = &rec.subject {
        f.subject.push_str(s);
    }
    for a in rec.from_addr.iter().chain(rec.to_addrs.iter()) {
        f.addresses.push(' ');
        f.addresses.push_str(a);
    }
    if let Some(id) = &rec.message_id {
        f.ids.push(' ');
        f.ids.push_str(id);
    }
    if let Some(id) = &rec.identificativo {
        f.ids.push(' ');
        f.ids.push_str(id);
    }
    add_text(f, &m);
}

/// The parser for the index text: only the headers read here are parsed (MIME ones to
/// find and decode the bodies, `Date`, `Subject`); the rest are skipped. By default
/// mail-parser fully parses every header it knows (`Received` chains, address lists,
/// ids), half of its time on PEC messages; `Delivered-To` is read raw
/// (`header_raw` works on skipped headers).
fn text_parser() -> &'static MessageParser {
    static PARSER: std::sync::OnceLock<MessageParser> = std::sync::OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .header_date(HeaderName::Date)
            .header_text(HeaderName::Subject)
            .default_header_ignore()
    })
}

/// mail-parser on hostile input, with its panics contained (pec does the same).
fn parse_full(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(|| text_parser().parse(raw)).ok().flatten()
}

fn add_text(f: &mut FtsText, m: &mail_parser::Message<'_>) {
    for i in 0..m.text_body_count() {
        if f.body.len() >= MAX_INDEXED_TEXT {
            break;
        }
        if let Some(t) = m.body_text(i) {
            let room = MAX_INDEXED_TEXT - f.body.len();
            let mut cut = t.len().min(room);
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            f.body.push_str(&t[..cut]);
            f.body.push('\n');
        }
    }
    for a in m.attachments() {
        if let Some(n) = a.attachment_name() {
            f.attachments.push_str(n);
            f.attachments.push(' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the index and the dates are made of, as one parser sees a message.
    fn text_of(m: &mail_parser::Message<'_>) -> (FtsText, Option<String>, Option<String>, Option<String>) {
        let mut f = FtsText::default();
        add_text(&mut f, m);
        let delivered = m.header_raw("Delivered-To").map(|t| t.trim().to_string());
        (f, m.date().map(|d| d.to_rfc3339()), m.subject().map(str::to_string), delivered)
    }

    /// The lean parser yields exactly what mail-parser's full parse does for the
    /// demo mailbox (receipts, envelopes with postacert.eml, plain messages).
    #[test]
    fn lean_parser_reads_what_the_full_parser_reads() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/mailbox");
        let mut n = 0;
        for sub in ["cur", "new"] {
            for f in std::fs::read_dir(root.join(sub)).unwrap() {
                let raw = std::fs::read(f.unwrap().path()).unwrap();
                let mut bodies = vec![raw.clone()];
                if let Ok(pm) = pec::parse_message(&raw) {
                    bodies.extend(pm.postacert.as_deref().map(<[u8]>::to_vec));
                }
                for b in &bodies {
                    let full = MessageParser::default().parse(b.as_slice()).unwrap();
                    let lean = parse_full(b).unwrap();
                    let (fa, da, sa, ta) = text_of(&full);
                    let (fb, db, sb, tb) = text_of(&lean);
                    assert_eq!((fa.body, fa.attachments, da, sa, ta), (fb.body, fb.attachments, db, sb, tb));
                    n += 1;
                }
            }
        }
        assert!(n > 150, "only {n} messages compared");
    }
}
