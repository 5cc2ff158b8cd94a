//! Cross-check the unsigned outer headers against the signed daticert.
//!
//! Every disagreement is reported, never "fixed": the daticert is the evidence,
//! a mismatch means someone edited the headers (or a provider bug worth seeing).
use crate::headers::{same_msgid, HeaderClaim, PecHeaders};
use crate::{Daticert, DaticertType, Inconsistency};

fn inc(field: &'static str, header: Option<&str>, daticert: Option<&str>) -> Inconsistency {
    Inconsistency { field, header: header.map(str::to_owned), daticert: daticert.map(str::to_owned) }
}

fn same_addr(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Collapse runs of white space, so a folded Subject compares equal.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Receipts go back to the sender (`mittente`); presa-in-carico and
/// rilevazione-virus go provider to provider, transport envelopes to the
/// recipients.
fn addressed_to_sender(tipo: DaticertType) -> bool {
    !matches!(tipo, DaticertType::PostaCertificata | DaticertType::PresaInCarico | DaticertType::RilevazioneVirus)
}

/// Types whose daticert names the single recipient it is about (`consegna`).
fn per_recipient(tipo: DaticertType) -> bool {
    matches!(
        tipo,
        DaticertType::AvvenutaConsegna | DaticertType::ErroreConsegna | DaticertType::PreavvisoErroreConsegna
    )
}

pub(crate) fn check(
    h: &PecHeaders,
    message_id: Option<&str>,
    subject: Option<&str>,
    d: &Daticert,
    out: &mut Vec<Inconsistency>,
    notes: &mut Vec<String>,
) {
    // Type.
    match h.claim() {
        Some(HeaderClaim::Type(t)) if t == d.tipo => {}
        // X-Trasporto: errore around a posta-certificata daticert is an anomaly
        // envelope, which is consistent.
        Some(HeaderClaim::Anomaly) if d.tipo == DaticertType::PostaCertificata => {}
        Some(_) => out.push(inc("tipo", h.claim_text().as_deref(), Some(d.tipo.as_str()))),
        None => out.push(inc("tipo", None, Some(d.tipo.as_str()))),
    }
    // Both X-Ricevuta and X-Trasporto present: they cannot both be right.
    if h.x_ricevuta.is_some() && h.x_trasporto.is_some() {
        let t = h.x_trasporto.as_deref().map(|t| format!("X-Trasporto: {t}"));
        out.push(inc("tipo", t.as_deref(), Some(d.tipo.as_str())));
    }

    // Original Message-ID.
    match (&h.x_riferimento_message_id, d.msgid.is_empty()) {
        (Some(hdr), false) if !same_msgid(hdr, &d.msgid) => {
            out.push(inc("msgid", Some(hdr), Some(&d.msgid)))
        }
        (Some(hdr), true) => out.push(inc("msgid", Some(hdr), None)),
        _ => {}
    }

    // Identificativo: a transport (or anomaly) envelope's own Message-ID is it.
    if d.tipo == DaticertType::PostaCertificata {
        match message_id {
            Some(mid) if same_msgid(mid, &d.identificativo) => {}
            other => out.push(inc("identificativo", other, Some(&d.identificativo))),
        }
    }

    // Who the message went to.
    if addressed_to_sender(d.tipo) {
        if !h.recipients.is_empty() && !h.recipients.iter().any(|r| same_addr(r, &d.mittente)) {
            out.push(inc("mittente", Some(&h.recipients.join(", ")), Some(&d.mittente)));
        }
    } else if d.tipo == DaticertType::PostaCertificata && !d.destinatari.is_empty() {
        let missing: Vec<&str> = d
            .destinatari
            .iter()
            .map(|r| r.address.as_str())
            .filter(|a| !h.recipients.iter().any(|r| same_addr(r, a)))
            .collect();
        let extra: Vec<&str> = h
            .recipients
            .iter()
            .map(String::as_str)
            .filter(|r| !d.destinatari.iter().any(|a| same_addr(r, &a.address)))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            let dest: Vec<&str> = d.destinatari.iter().map(|r| r.address.as_str()).collect();
            out.push(inc("destinatari", Some(&h.recipients.join(", ")), Some(&dest.join(", "))));
        }
    }

    // The recipient a delivery receipt is about must be one of the recipients,
    // and a certified one: no receipt exists for an `esterno` address.
    if per_recipient(d.tipo) {
        match &d.consegna {
            // Absent data is not a header/daticert mismatch: note it.
            None => notes.push(format!("daticert {} without consegna", d.tipo.as_str())),
            Some(c) => {
                let listed = d.destinatari.iter().find(|r| same_addr(&r.address, c));
                match listed {
                    Some(r) if r.kind == crate::RecipientKind::Esterno => {
                        out.push(inc("consegna", Some("destinatari tipo=esterno"), Some(c)))
                    }
                    Some(_) => {}
                    None if d.destinatari.is_empty() => {}
                    None => {
                        let dest: Vec<&str> = d.destinatari.iter().map(|r| r.address.as_str()).collect();
                        out.push(inc("consegna", Some(&dest.join(", ")), Some(c)))
                    }
                }
            }
        }
    }

    // X-TipoRicevuta vs ricevuta@tipo.
    if let (Some(hdr), Some(r)) = (&h.x_tipo_ricevuta, d.ricevuta) {
        if !hdr.trim().eq_ignore_ascii_case(r.as_str()) {
            out.push(inc("ricevuta", Some(hdr), Some(r.as_str())));
        }
    }

    // Subject vs oggetto: providers prefix the subject ("ACCETTAZIONE: ", ...)
    // in wording that varies, so only require the oggetto to end it.
    if let Some(oggetto) = &d.oggetto {
        let o = squash(oggetto);
        match subject.map(squash) {
            Some(s) if s.ends_with(&o) => {}
            other => out.push(inc("oggetto", other.as_deref(), Some(oggetto))),
        }
    }
}
