//! `cartolina show ID`: one card with its receipts, in Italian by default
//! (`--json` for the card and its messages as one object).
use std::io::Write;
use std::path::Path;

use crate::scan::{clock, fail, open_readonly};

fn stato(s: &str) -> &str {
    match s {
        "all-delivered" => "consegnato a tutti i destinatari certificati",
        "partially-delivered" => "consegnato solo ad alcuni destinatari",
        "failed" => "mancata consegna",
        "pending" => "in attesa delle ricevute di consegna",
        "overdue" => "in ritardo: nessun esito 24 ore dopo l'accettazione",
        "not-accepted" => "non accettato dal gestore",
        "received" => "ricevuto (busta di trasporto)",
        other => other,
    }
}

fn stato_destinatario(s: &str) -> &str {
    match s {
        "delivered" => "consegnato",
        "failed" => "mancata consegna",
        "warned" => "preavviso di mancata consegna (12 ore)",
        "pending" => "in attesa",
        "overdue" => "in ritardo (nessun esito dopo 24 ore)",
        "not-provable" => "consegna non dimostrabile (destinatario non PEC)",
        "received" => "ricevuto in questa casella",
        "listed" => "altro destinatario",
        other => other,
    }
}

/// The problem codes of a card (`code: detail`), in Italian; the detail stays as the
/// engine wrote it (addresses, ids, verifier reasons).
fn problema(p: &str) -> String {
    let (code, detail) = p.split_once(": ").unwrap_or((p, ""));
    let it = match code {
        "receipt-not-proof" => "ricevuta senza valore di prova",
        "header-mismatch" => "intestazioni non coerenti con i dati certificati (daticert)",
        "acceptance-missing" => "ricevuta di accettazione mancante (ricevute orfane)",
        "conflicting-acceptance" => "accettazione e non accettazione insieme",
        "unsigned-receipt" => "presunta ricevuta non firmata: non vale come prova",
        "unknown-recipient" => "ricevuta per un destinatario non elencato nell'accettazione",
        "receipt-without-consegna" => "ricevuta senza destinatario (consegna)",
        "conflicting-outcomes" => "esiti contrastanti per lo stesso destinatario",
        "anomaly" => "busta di anomalia",
        _ => return p.to_string(),
    };
    if detail.is_empty() { it.to_string() } else { format!("{it}: {detail}") }
}

fn ruolo(kind: &str) -> &str {
    match kind {
        "original" => "messaggio originale (copia inviata)",
        "acceptance" => "ricevuta di accettazione",
        "non-acceptance" => "avviso di non accettazione",
        "delivery" => "ricevuta di avvenuta consegna",
        "delivery-error" => "avviso di mancata consegna",
        "delivery-warning" => "preavviso di mancata consegna",
        "taking-charge" => "ricevuta di presa in carico",
        "virus-detected" => "rilevazione virus",
        "transport" => "busta di trasporto",
        "anomaly" => "busta di anomalia",
        "unsigned-claim" => "presunta ricevuta NON firmata",
        other => other,
    }
}

fn firma(sig: &str, trust: Option<&str>) -> String {
    let i = match sig {
        "intact" => "firma integra",
        "broken" => "firma NON valida (contenuto alterato o firma illeggibile)",
        "unsigned" => "non firmato",
        "detached" => "firma senza dati",
        "not-checked" => "firma non verificata",
        other => other,
    };
    match trust {
        Some("trusted") => format!("{i}, firmatario attendibile"),
        Some("untrusted") => format!("{i}, firmatario NON attendibile"),
        Some("indeterminate") => format!("{i}, attendibilità indeterminata"),
        _ => i.to_string(),
    }
}

pub fn run(archive_dir: Option<&Path>, id: &str, json: bool) -> std::io::Result<()> {
    let archive = open_readonly(archive_dir)?;
    let clock = clock()?;
    let (card, msgs) = archive.card(id, &clock).map_err(fail)?;
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "card": card, "messages": msgs });
        writeln!(out, "{v}")?;
        return Ok(());
    }
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let title = if card.kind == "received" { "Messaggio PEC ricevuto" } else { "Messaggio PEC inviato" };
    writeln!(out, "{title} (scheda {})", card.id)?;
    writeln!(out, "Oggetto:         {}", dash(&card.subject))?;
    writeln!(out, "Mittente:        {}", dash(&card.sender))?;
    writeln!(out, "Data di invio:   {}", dash(&card.sent_at))?;
    writeln!(out, "Message-ID:      {}", dash(&card.message_id))?;
    writeln!(out, "Identificativo:  {}", dash(&card.identificativo))?;
    if card.kind != "received" {
        let acc = match (&card.accepted_at, card.state.as_str()) {
            (_, "not-accepted") => "NON accettato".to_string(),
            (Some(t), _) => format!("accettato il {t}"),
            (None, _) => "ricevuta di accettazione mancante".to_string(),
        };
        writeln!(out, "Accettazione:    {acc}")?;
    }
    writeln!(out, "Stato:           {}", stato(&card.state))?;
    writeln!(out, "Valore di prova: {}", if card.proof_ok { "sì, ricevute firmate e verificate" } else { "NO (vedi problemi)" })?;
    writeln!(out, "Destinatari:")?;
    for r in &card.recipients {
        let mut line = format!("  {} ({}): {}", r.address, r.rtype, stato_destinatario(&r.state));
        if let Some(at) = &r.at {
            line.push_str(&format!(" il {at}"));
        }
        if let Some(e) = &r.error {
            line.push_str(&format!(" — {e}"));
        }
        writeln!(out, "{line}")?;
    }
    if !card.problems.is_empty() {
        writeln!(out, "Problemi:")?;
        for p in &card.problems {
            writeln!(out, "  - {}", problema(p))?;
        }
    }
    writeln!(out, "Ricevute e messaggi:")?;
    for m in &msgs {
        let role = if m.role == m.kind { ruolo(&m.kind).to_string() } else { ruolo(&m.role).to_string() };
        let per = m.consegna.as_deref().map(|c| format!(" per {c}")).unwrap_or_default();
        writeln!(out, "  [{}] {role}{per}, {}: {}", m.id, dash(&m.date), firma(&m.signature, m.trust.as_deref()))?;
        if let Some(s) = &m.signer {
            writeln!(out, "      firmatario: {s}")?;
        }
        if let Some(d) = &m.detail {
            writeln!(out, "      dettaglio: {d}")?;
        }
        writeln!(out, "      sha256: {}", m.sha256)?;
        for l in &m.locations {
            writeln!(out, "      in: {l}")?;
        }
    }
    Ok(())
}
