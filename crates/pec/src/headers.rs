//! The unsigned outer header fields PEC uses for routing. Read only to
//! cross-check them against the signed daticert (primer section 4).
use mail_parser::{Address, HeaderName, HeaderValue};
use serde::Serialize;

use crate::mime::header_text;
use crate::DaticertType;

/// PEC header fields as found (trimmed; `None` when absent or blank).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PecHeaders {
    pub x_ricevuta: Option<String>,
    pub x_trasporto: Option<String>,
    pub x_riferimento_message_id: Option<String>,
    pub x_tipo_ricevuta: Option<String>,
    pub x_verifica_sicurezza: Option<String>,
    /// `From:` address (the provider's, for PEC messages).
    pub from: Option<String>,
    /// `To:` and `Cc:` addresses, in order.
    pub recipients: Vec<String>,
    /// PEC header names that occur more than once (a provider writes each
    /// once; a second copy is a sign of editing).
    pub duplicates: Vec<String>,
}

/// What the headers say the message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderClaim {
    /// `X-Ricevuta: <tipo>` or `X-Trasporto: posta-certificata`.
    Type(DaticertType),
    /// `X-Trasporto: errore`: an anomaly envelope.
    Anomaly,
    /// A PEC header with a value this crate does not know.
    Unknown,
}

impl PecHeaders {
    pub(crate) fn read(msg: &mail_parser::Message<'_>) -> PecHeaders {
        let mut recipients = Vec::new();
        if let Some(root) = msg.parts.first() {
            for h in &root.headers {
                if matches!(h.name, HeaderName::To | HeaderName::Cc) {
                    if let HeaderValue::Address(a) = &h.value {
                        collect(a, &mut recipients);
                    }
                }
            }
        }
        let mut duplicates = Vec::new();
        if let Some(root) = msg.parts.first() {
            for name in crate::mime::PEC_HEADERS {
                let n = root.headers.iter().filter(|h| h.name.as_str().eq_ignore_ascii_case(name)).count();
                if n > 1 {
                    duplicates.push(name.to_owned());
                }
            }
        }
        PecHeaders {
            duplicates,
            x_ricevuta: header_text(msg, "X-Ricevuta"),
            x_trasporto: header_text(msg, "X-Trasporto"),
            x_riferimento_message_id: header_text(msg, "X-Riferimento-Message-ID"),
            x_tipo_ricevuta: header_text(msg, "X-TipoRicevuta"),
            x_verifica_sicurezza: header_text(msg, "X-VerificaSicurezza"),
            from: msg.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned),
            recipients,
        }
    }

    /// The PEC type claimed by `X-Ricevuta` (preferred) or `X-Trasporto`.
    pub fn claim(&self) -> Option<HeaderClaim> {
        if let Some(r) = &self.x_ricevuta {
            return Some(DaticertType::parse(r).map_or(HeaderClaim::Unknown, HeaderClaim::Type));
        }
        let t = self.x_trasporto.as_deref()?;
        Some(if t.trim().eq_ignore_ascii_case("errore") {
            HeaderClaim::Anomaly
        } else if t.trim().eq_ignore_ascii_case("posta-certificata") {
            HeaderClaim::Type(DaticertType::PostaCertificata)
        } else {
            HeaderClaim::Unknown
        })
    }

    /// The claim as it reads in the headers, e.g. `X-Ricevuta: accettazione`.
    pub fn claim_text(&self) -> Option<String> {
        if let Some(r) = &self.x_ricevuta {
            return Some(format!("X-Ricevuta: {r}"));
        }
        self.x_trasporto.as_ref().map(|t| format!("X-Trasporto: {t}"))
    }

    pub fn is_anomaly_envelope(&self) -> bool {
        self.claim() == Some(HeaderClaim::Anomaly)
    }
}

fn collect(a: &Address<'_>, out: &mut Vec<String>) {
    for addr in a.iter() {
        if let Some(s) = addr.address() {
            out.push(s.trim().to_owned());
        }
    }
}

/// A Message-ID reduced for comparison: no angle brackets, no white space,
/// so `<a@b>` from daticert matches `a@b` from mail-parser.
pub fn normalize_msgid(id: &str) -> String {
    id.chars().filter(|c| !c.is_whitespace() && *c != '<' && *c != '>').collect()
}
