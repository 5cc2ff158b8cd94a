//! A parsed message: kind, ids, daticert, cross-check, signature envelope.
use std::borrow::Cow;

use crate::headers::{HeaderClaim, PecHeaders};
use crate::limits::MAX_MESSAGE_BYTES;
use crate::mime::{self, Entity, TransferEncoding};
use crate::{crosscheck, smime, Daticert, PecKind};
use serde::Serialize;

/// How the message is signed, with exactly the bytes a verifier needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureEnvelope<'a> {
    /// No S/MIME structure at the top level.
    Unsigned,
    /// `multipart/signed`: `signed_part` is the first body part exactly as stored
    /// (from its first header byte to the byte before the CRLF/LF preceding the
    /// next boundary); the verifier canonicalises line endings to CRLF.
    /// `signature_part` is the body of the second part as stored (usually
    /// base64; empty if there is no second part): call
    /// [`SignatureEnvelope::signature_der`] for the DER. Decoding is left to
    /// that call because it is a fifth of the parse time of a receipt, and
    /// classification does not need it. `micalg` and `protocol` are lower-cased.
    Detached {
        signed_part: &'a [u8],
        signature_part: &'a [u8],
        signature_encoding: TransferEncoding,
        micalg: Option<String>,
        protocol: String,
    },
    /// `application/pkcs7-mime` / `x-pkcs7-mime`, signed-data: content is inside the CMS.
    Opaque { cms_der: Vec<u8> },
}

impl<'a> SignatureEnvelope<'a> {
    pub fn is_signed(&self) -> bool {
        !matches!(self, SignatureEnvelope::Unsigned)
    }

    /// The CMS SignedData DER: the decoded signature part (`Detached`) or the
    /// whole CMS (`Opaque`). `None` when unsigned, or when the signature part
    /// is missing or its transfer encoding is broken (report: signature broken).
    pub fn signature_der(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            SignatureEnvelope::Unsigned => None,
            SignatureEnvelope::Detached { signature_part, signature_encoding, .. } => {
                let der = mime::decode_body(signature_part, *signature_encoding)?;
                (!der.is_empty()).then_some(der)
            }
            SignatureEnvelope::Opaque { cms_der } => (!cms_der.is_empty()).then_some(Cow::Borrowed(cms_der.as_slice())),
        }
    }
}

/// One disagreement between the unsigned outer headers and the signed daticert
/// (or between headers that must agree). Serialised as `{"field","header","daticert"}`.
///
/// `field` is one of: `signature` (headers claim a PEC type, the message is
/// unsigned), `daticert` (headers claim a PEC type, the signed content has no
/// usable daticert), `tipo`, `msgid`, `identificativo`, `mittente`,
/// `destinatari`, `consegna`, `ricevuta`, `oggetto`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inconsistency {
    pub field: &'static str,
    pub header: Option<String>,
    pub daticert: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PecMessage<'a> {
    pub kind: PecKind,
    /// Decoded `Subject:`.
    pub subject: Option<String>,
    /// `Message-ID:` in angle brackets (`<id>`), like `refers_to` and daticert `msgid`.
    pub message_id: Option<String>,
    /// Original message's Message-ID: daticert msgid, else `X-Riferimento-Message-ID`;
    /// always `None` for `plain` (see `headers` for what the headers say).
    pub refers_to: Option<String>,
    /// Provider identificativo (daticert, else envelope Message-ID for transport/anomaly).
    pub identificativo: Option<String>,
    pub daticert: Option<Daticert>,
    /// Why daticert could not be read, if there was one.
    pub daticert_error: Option<String>,
    pub inconsistencies: Vec<Inconsistency>,
    pub signature: SignatureEnvelope<'a>,
    /// The enclosed `postacert.eml`, transfer-decoded; borrowed from the input
    /// unless it had to be decoded (base64 part, opaque CMS).
    pub postacert: Option<Cow<'a, [u8]>>,
    /// The PEC routing headers as found (unsigned).
    pub headers: PecHeaders,
    /// Structural observations that are not header/daticert mismatches
    /// (truncation, missing signature part, anomaly without daticert, ...).
    pub notes: Vec<String>,
}

impl<'a> PecMessage<'a> {
    /// Parse the enclosed `postacert.eml`, if any (one level; see
    /// [`crate::postacert_chain`] for bounded recursion).
    pub fn parse_postacert(&self) -> Option<Result<PecMessage<'_>, ParseError>> {
        self.postacert.as_deref().map(parse_message)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("message larger than {0} bytes")]
    TooLarge(usize),
    #[error("not an RFC 5322 message: {0}")]
    NotAMessage(String),
    #[error("nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("more than {0} MIME parts")]
    TooManyParts(usize),
    #[error("internal parser failure: {0}")]
    Internal(String),
}

/// Parse and classify one message. Never panics on any input: a panic in the
/// third-party MIME header parser is caught and returned as
/// [`ParseError::Internal`].
pub fn parse_message(raw: &[u8]) -> Result<PecMessage<'_>, ParseError> {
    if raw.is_empty() || raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(ParseError::TooLarge(MAX_MESSAGE_BYTES));
    }
    match std::panic::catch_unwind(|| parse_inner(raw)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(ParseError::Internal(msg))
        }
    }
}

fn parse_inner(raw: &[u8]) -> Result<PecMessage<'_>, ParseError> {
    // Cheap check first: binary garbage is refused before any parsing.
    if !looks_like_header(raw) {
        return Err(ParseError::NotAMessage("does not start with a header field".into()));
    }
    let top = Entity::whole(raw);
    let msg = mime::parse_headers(raw, &top).ok_or_else(|| ParseError::NotAMessage("no header fields".into()))?;
    let info = mime::part_info(Some(&msg));
    let headers = PecHeaders::read(&msg);
    let subject = msg.subject().map(|s| s.trim().to_owned());
    let message_id = msg.message_id().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());

    let env = smime::envelope(raw, &top, &info);
    let mut notes = env.notes;
    let mut inconsistencies = Vec::new();
    let mut daticert = None;
    let mut daticert_error = None;
    let mut postacert = None;
    let claim = headers.claim();
    let anomaly_hdr = claim == Some(HeaderClaim::Anomaly);

    let kind = if !env.signature.is_signed() {
        // A receipt is only a receipt when a provider signed it: an unsigned
        // message claiming to be one is content (forwarded or forged).
        if claim.is_some() {
            inconsistencies.push(Inconsistency {
                field: "signature",
                header: headers.claim_text(),
                daticert: None,
            });
        }
        PecKind::Plain
    } else {
        let found = match env.content {
            Some(Cow::Borrowed(b)) => {
                let f = smime::locate(b);
                (f.daticert.map(|d| d.map(Cow::into_owned)), f.postacert, f.notes)
            }
            Some(Cow::Owned(v)) => {
                let f = smime::locate(&v);
                (
                    f.daticert.map(|d| d.map(Cow::into_owned)),
                    f.postacert.map(|p| Cow::Owned(p.into_owned())),
                    f.notes,
                )
            }
            None => (None, None, Vec::new()),
        };
        let (dc, pc, more_notes) = found;
        postacert = pc;
        notes.extend(more_notes);
        match dc {
            Some(Ok(bytes)) => match crate::parse_daticert(&bytes) {
                Ok(d) => daticert = Some(d),
                Err(e) => daticert_error = Some(e.to_string()),
            },
            Some(Err(e)) => daticert_error = Some(e),
            None => {}
        }
        match &daticert {
            Some(d) => PecKind::from_daticert(d.tipo, anomaly_hdr),
            None if anomaly_hdr => {
                // RFC 6109: the anomaly envelope carries the text and the
                // received message, and no certification data (there is nothing
                // the provider can certify about a message that is not valid
                // PEC). The signature proves the provider made it; the kind
                // itself rests on the X-Trasporto header.
                notes.push(
                    "anomaly envelope (X-Trasporto: errore) without daticert, as RFC 6109 defines it: \
                     kind taken from the unsigned header"
                        .into(),
                );
                PecKind::Anomaly
            }
            None => {
                if claim.is_some() {
                    inconsistencies.push(Inconsistency {
                        field: "daticert",
                        header: headers.claim_text(),
                        daticert: None,
                    });
                }
                PecKind::Plain
            }
        }
    };

    if let Some(d) = &daticert {
        crosscheck::check(&headers, message_id.as_deref(), subject.as_deref(), d, &mut inconsistencies, &mut notes);
    }
    notes.extend(headers.duplicates.iter().map(|h| format!("header {h} appears more than once; the last one was used")));
    if headers.x_verifica_sicurezza.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("errore")) {
        notes.push("X-VerificaSicurezza: errore: the provider could not verify a signature it received".into());
    }
    // A plain message gets no refers_to: an unsigned X-Riferimento-Message-ID
    // must not pair a forged receipt with a sent message (it stays readable in
    // `headers`).
    let refers_to = daticert
        .as_ref()
        .map(|d| d.msgid.clone())
        .filter(|m| !m.is_empty())
        .or_else(|| headers.x_riferimento_message_id.clone())
        .filter(|_| kind != PecKind::Plain);
    let identificativo = daticert.as_ref().map(|d| d.identificativo.clone()).or_else(|| {
        matches!(kind, PecKind::Transport | PecKind::Anomaly).then(|| message_id.clone()).flatten()
    });

    Ok(PecMessage {
        kind,
        subject,
        // Written as in the header (`<id>`): the same form as `refers_to` and daticert
        // `msgid`, so consumers compare like with like (`same_msgid` ignores brackets).
        message_id: message_id.map(|id| format!("<{id}>")),
        refers_to,
        identificativo,
        daticert,
        daticert_error,
        inconsistencies,
        signature: env.signature,
        postacert,
        headers,
        notes,
    })
}

/// The first line must be a header field (`name:`, printable ASCII name) or an
/// mbox `From ` line: mail-parser is lenient enough to find "headers" in
/// binary garbage.
fn looks_like_header(raw: &[u8]) -> bool {
    let start = raw.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(raw.len());
    let line = &raw[start..];
    let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
    if line.starts_with(b"From ") {
        return true;
    }
    match memchr::memchr(b':', line) {
        Some(colon) if colon > 0 => line[..colon].iter().all(|&b| (33..=126).contains(&b) || b == b' ' || b == b'\t'),
        _ => false,
    }
}
