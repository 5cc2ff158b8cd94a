//! The unsigned outer header fields PEC uses for routing. Read only to
//! cross-check them against the signed daticert (primer section 4).
use mail_parser::{Address, HeaderName, HeaderValue};
use serde::Serialize;

use crate::mime::{header_value_text, PEC_HEADERS};
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
    /// One pass over the top-level header fields (this runs for every
    /// message, so no per-name rescans). The last occurrence of a PEC header wins.
    pub(crate) fn read(msg: &mail_parser::Message<'_>) -> PecHeaders {
        let mut recipients = Vec::new();
        let mut values: [Option<String>; 5] = Default::default();
        let mut counts = [0usize; 5];
        if let Some(root) = msg.parts.first() {
            for h in &root.headers {
                match (&h.name, &h.value) {
                    (HeaderName::To | HeaderName::Cc, HeaderValue::Address(a)) => collect(a, &mut recipients),
                    (HeaderName::Other(name), _) => {
                        if let Some(i) = PEC_HEADERS.iter().position(|p| p.eq_ignore_ascii_case(name)) {
                            counts[i] += 1;
                            values[i] = header_value_text(msg, h);
                        }
                    }
                    _ => {}
                }
            }
        }
        let duplicates = PEC_HEADERS.iter().zip(counts).filter(|(_, n)| *n > 1).map(|(h, _)| (*h).to_owned()).collect();
        let [x_ricevuta, x_trasporto, x_riferimento_message_id, x_tipo_ricevuta, x_verifica_sicurezza] = values;
        PecHeaders {
            x_ricevuta,
            x_trasporto,
            x_riferimento_message_id,
            x_tipo_ricevuta,
            x_verifica_sicurezza,
            from: msg.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned),
            recipients,
            duplicates,
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
    id.chars().filter(|c| msgid_char(*c)).collect()
}

fn msgid_char(c: char) -> bool {
    !c.is_whitespace() && c != '<' && c != '>'
}

/// `normalize_msgid(a) == normalize_msgid(b)`, without allocating (hot path).
pub fn same_msgid(a: &str, b: &str) -> bool {
    a.chars().filter(|c| msgid_char(*c)).eq(b.chars().filter(|c| msgid_char(*c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgid_comparison_ignores_brackets_and_space() {
        assert!(same_msgid("<a@b>", "a@b"));
        assert!(same_msgid(" <a@b>\n", "<a@b>"));
        assert!(!same_msgid("<a@b>", "<a@c>"));
        assert_eq!(normalize_msgid(" <a@b> "), "a@b");
    }
}
