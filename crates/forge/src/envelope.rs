//! Assembly of one provider message: headers, text+HTML, daticert, optional
//! `postacert.eml`, then S/MIME signature over the first part.

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::bodies::{asciify, texts, TextCtx};
use crate::daticert::{Daticert, Dest};
use crate::faults::Fault;
use crate::manifest::Kind;
use crate::mime::{encode_body_bytes, header_text, quoted_printable, Builder, Charset, Cte};
use crate::pki::Identity;
use crate::providers::{Flavor, Provider};
use crate::smime::multipart_signed;
use crate::util::{received_date, rfc2822_rome, rome, rome_zone};

/// Everything that varies between provider messages.
pub struct Envelope<'a> {
    pub provider: &'a Provider,
    /// Certificate (and chain) the signature presents.
    pub identity: &'a Identity,
    /// Private key that actually signs: `identity` itself unless a wrong-key fault.
    pub key: &'a Identity,
    pub fault: Option<Fault>,
    pub kind: Kind,
    pub time: DateTime<Utc>,
    /// Original subject (without prefix).
    pub subject: &'a str,
    /// `From:` value; for envelopes `"Per conto di: x" <posta-certificata@...>`.
    pub from: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    /// Value of X-Riferimento-Message-ID (with brackets).
    pub riferimento: &'a str,
    /// This message's own Message-ID (no brackets).
    pub message_id: String,
    /// daticert; `None` for anomaly envelopes.
    pub daticert: Option<Daticert<'a>>,
    /// Text context extras.
    pub sender: &'a str,
    pub recipients: &'a [Dest<'a>],
    pub consegna: Option<&'a str>,
    pub identificativo: &'a str,
    pub errore_esteso: Option<&'a str>,
    pub ricevuta: Option<&'a str>,
    pub virus: bool,
    pub final_timeout: bool,
    pub verifica_sicurezza: bool,
    /// `postacert.eml` content (CRLF), if carried.
    pub postacert: Option<&'a [u8]>,
    /// Mailbox the message lands in (Delivered-To) and the Received chain, newest first.
    pub delivered_to: &'a str,
    pub received: Vec<String>,
}

fn text_part(b: &mut Builder, ctype: &str, text: &str, charset: Charset, cte: Cte) {
    let (text, cte) = if cte == Cte::SevenBit { (asciify(text), cte) } else { (text.to_string(), cte) };
    let cs = if cte == Cte::SevenBit { "us-ascii" } else { charset.name() };
    b.h("Content-Type", &format!("{ctype}; charset=\"{cs}\""));
    b.h("Content-Disposition", "inline");
    b.h("Content-Transfer-Encoding", cte.name());
    b.blank();
    b.bytes(&encode_body_bytes(&text, charset, cte));
}

pub fn build<R: Rng>(rng: &mut R, e: &Envelope<'_>) -> Vec<u8> {
    let p = e.provider;
    let ts = p.text_style();
    let bd = p.boundaries(rng, e.time);
    let local = rome(e.time);
    let ctx = TextCtx {
        kind: e.kind,
        giorno: local.format("%d/%m/%Y").to_string(),
        ora: local.format("%H:%M:%S").to_string(),
        zona: rome_zone(e.time),
        subject: e.subject,
        sender: e.sender,
        recipients: e.recipients,
        consegna: e.consegna,
        identificativo: e.identificativo,
        errore_esteso: e.errore_esteso,
        ricevuta: e.ricevuta,
    };
    let (_title, plain, html) = texts(p, &ctx);

    let xml = e.daticert.as_ref().map(|d| Daticert { charset: ts.daticert_charset, ..d.clone() }.render());
    let part = signed_part(e, &bd, &plain, &html, xml.as_deref());
    // Faults change what is emitted after the signature was computed over the original.
    let emitted = match e.fault {
        Some(Fault::TamperedBody) => {
            let later = format!("alle ore {}", rome(e.time + chrono::Duration::minutes(1)).format("%H:%M:%S"));
            let now = format!("alle ore {}", ctx.ora);
            Some(signed_part(e, &bd, &plain.replacen(&now, &later, 1), &html.replacen(&now, &later, 1), xml.as_deref()))
        }
        Some(Fault::TamperedDaticert) if e.daticert.is_some() => {
            let d = e.daticert.as_ref().map(|d| Daticert { charset: ts.daticert_charset, time: d.time + chrono::Duration::days(1), ..d.clone() });
            Some(signed_part(e, &bd, &plain, &html, d.map(|d| d.render()).as_deref()))
        }
        _ => None,
    };

    let style = p.smime_style(e.time);
    let (ct, signed_body) = multipart_signed(e.identity, e.key, &part, emitted.as_ref().unwrap_or(&part), &style, &bd.outer, e.time);

    // ---- outer headers (not signed), in the provider's order
    let mut m = Builder::new();
    m.h("Return-Path", &format!("<{}>", p.address()));
    m.h("Delivered-To", e.delivered_to);
    for r in &e.received {
        m.raw(r);
    }
    let prefix = p.subject_prefix(e.kind, e.virus, e.final_timeout);
    let subject = header_text(&format!("{prefix}{}", e.subject), Charset::Utf8);
    let date = rfc2822_rome(e.time);
    let x_kind = x_header(e);
    match p.flavor {
        Flavor::Aruba | Flavor::Sogei => {
            m.h("Subject", &subject);
            m.h("X-Riferimento-Message-ID", e.riferimento);
            m.h("Date", &date);
            if let Some(r) = &e.reply_to {
                m.h("Reply-To", r);
            }
            m.raw(&crate::mime::fold_list("To", &e.to));
            m.h(x_kind.0, x_kind.1);
            m.h("From", &e.from);
            extra_headers(&mut m, e);
            m.h("MIME-Version", "1.0");
            m.h("Content-Type", &ct);
            m.h("Message-ID", &format!("<{}>", e.message_id));
        }
        _ => {
            m.h("Message-ID", &format!("<{}>", e.message_id));
            m.h("Date", &date);
            m.h("From", &e.from);
            m.raw(&crate::mime::fold_list("To", &e.to));
            if let Some(r) = &e.reply_to {
                m.h("Reply-To", r);
            }
            m.h("Subject", &subject);
            m.h(x_kind.0, x_kind.1);
            m.h("X-Riferimento-Message-ID", e.riferimento);
            extra_headers(&mut m, e);
            m.h("MIME-Version", "1.0");
            m.h("Content-Type", &ct);
        }
    }
    m.blank();
    m.bytes(&signed_body);
    m.buf
}

/// The signed first part: multipart/mixed { alternative { plain, html }, daticert, postacert }.
fn signed_part(e: &Envelope<'_>, bd: &crate::providers::Boundaries, plain: &str, html: &str, xml: Option<&[u8]>) -> Vec<u8> {
    let ts = e.provider.text_style();
    let mut part = Builder::new();
    part.h("Content-Type", &format!("multipart/mixed; boundary=\"{}\"", bd.mixed));
    part.h("Content-Transfer-Encoding", "binary");
    part.h("MIME-Version", "1.0");
    part.blank();
    part.open(&bd.mixed);
    part.raw(&format!("Content-Type: multipart/alternative;\r\n boundary=\"{}\"\r\n", bd.alt));
    part.h("Content-Transfer-Encoding", "binary");
    part.blank();
    part.open(&bd.alt);
    text_part(&mut part, "text/plain", plain, ts.charset, ts.cte);
    part.blank();
    part.open(&bd.alt);
    text_part(&mut part, "text/html", html, ts.charset, ts.cte);
    part.blank();
    part.close(&bd.alt);
    if let Some(xml) = xml {
        let cte = if ts.daticert_cte == Cte::SevenBit && !xml.is_ascii() { Cte::QuotedPrintable } else { ts.daticert_cte };
        part.blank();
        part.open(&bd.mixed);
        part.h("Content-Type", "application/xml; name=\"daticert.xml\"");
        part.h("Content-Disposition", "inline; filename=\"daticert.xml\"");
        part.h("Content-Transfer-Encoding", cte.name());
        part.blank();
        match cte {
            Cte::Base64 => part.raw(&crate::mime::base64_lines(xml, ts.b64_width)),
            Cte::QuotedPrintable => part.raw(&quoted_printable(xml)).raw("\r\n"),
            _ => part.bytes(&String::from_utf8_lossy(xml).replace('\n', "\r\n").into_bytes()),
        };
    }
    if let Some(eml) = e.postacert {
        part.blank();
        part.open(&bd.mixed);
        part.h("Content-Type", "message/rfc822; name=\"postacert.eml\"");
        part.h("Content-Disposition", "inline; filename=\"postacert.eml\"");
        let cte = if eml.is_ascii() { "7bit" } else { "8bit" };
        part.h("Content-Transfer-Encoding", cte);
        part.blank();
        part.bytes(eml);
        if !eml.ends_with(b"\r\n") {
            part.blank();
        }
    }
    part.blank();
    part.close(&bd.mixed);
    part.buf
}

fn x_header(e: &Envelope<'_>) -> (&'static str, &'static str) {
    match e.kind {
        Kind::Transport => ("X-Trasporto", "posta-certificata"),
        Kind::Anomaly => ("X-Trasporto", "errore"),
        Kind::Acceptance => ("X-Ricevuta", "accettazione"),
        Kind::NonAcceptance => ("X-Ricevuta", "non-accettazione"),
        Kind::TakingCharge => ("X-Ricevuta", "presa-in-carico"),
        Kind::Delivery => ("X-Ricevuta", "avvenuta-consegna"),
        Kind::DeliveryError => ("X-Ricevuta", "errore-consegna"),
        Kind::DeliveryWarning => ("X-Ricevuta", "preavviso-errore-consegna"),
        Kind::VirusDetected => ("X-Ricevuta", "rilevazione-virus"),
        Kind::Plain => ("X-Mailer", "cartolina-forge"),
    }
}

fn extra_headers(m: &mut Builder, e: &Envelope<'_>) {
    if let Some(r) = e.ricevuta {
        // Sogei writes the odd capitalisation seen in the sample.
        let name = if e.provider.flavor == Flavor::Sogei { "X-Tiporicevuta" } else { "X-TipoRicevuta" };
        m.h(name, r);
    }
    if e.verifica_sicurezza {
        m.h("X-VerificaSicurezza", "errore");
    }
}

/// Received chain for a message handed from `from` provider to the mailbox at `to`
/// provider, newest first (as headers are prepended in transit).
pub fn received_chain<R: Rng>(rng: &mut R, from: &Provider, to: &Provider, rcpt: &str, t: DateTime<Utc>) -> Vec<String> {
    let d = received_date(t);
    let qid = |rng: &mut R| -> String {
        const A: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz";
        (0..15).map(|_| A[rng.gen_range(0..A.len())] as char).collect()
    };
    let mut v = vec![format!(
        "Received: from {mx} (localhost [127.0.0.1])\r\n\tby {lmtp} (lmtpd) with LMTP id {}.{:03};\r\n\t{d}\r\n",
        rng.gen_range(1000..30000),
        rng.gen_range(1..9),
        mx = to.hosts.1,
        lmtp = to.hosts.2
    )];
    if from.domain != to.domain {
        v.push(format!(
            "Received: from {sub} ({sub} [{}.{}.{}.{}])\r\n\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\r\n\t(No client certificate requested)\r\n\tby {mx} (Postfix) with ESMTPS id {}\r\n\tfor <{rcpt}>; {d}\r\n",
            rng.gen_range(62..217),
            rng.gen_range(0..255),
            rng.gen_range(0..255),
            rng.gen_range(1..254),
            qid(rng),
            sub = from.hosts.0,
            mx = to.hosts.1
        ));
    }
    v
}
