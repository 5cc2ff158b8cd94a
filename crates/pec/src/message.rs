//! A parsed message: kind, ids, daticert, cross-check, signature envelope.
use crate::{Daticert, PecKind};
use serde::Serialize;

/// How the message is signed, with exactly the bytes a verifier needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureEnvelope<'a> {
    /// No S/MIME structure at the top level.
    Unsigned,
    /// `multipart/signed`: `signed_part` is the first body part exactly as stored
    /// (from its first header byte to the byte before the CRLF/LF preceding the
    /// next boundary); the verifier canonicalises line endings to CRLF.
    Detached { signed_part: &'a [u8], signature_der: Vec<u8>, micalg: Option<String>, protocol: String },
    /// `application/pkcs7-mime` / `x-pkcs7-mime`, signed-data: content is inside the CMS.
    Opaque { cms_der: Vec<u8> },
}

/// One disagreement between the unsigned outer headers and the signed daticert
/// (or between headers that must agree). Serialised as `{"field","header","daticert"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inconsistency {
    pub field: &'static str,
    pub header: Option<String>,
    pub daticert: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PecMessage<'a> {
    pub kind: PecKind,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    /// `X-Riferimento-Message-ID`, else daticert msgid.
    pub refers_to: Option<String>,
    /// Provider identificativo (daticert, else envelope Message-ID for transport).
    pub identificativo: Option<String>,
    pub daticert: Option<Daticert>,
    /// Why daticert could not be read, if there was one.
    pub daticert_error: Option<String>,
    pub inconsistencies: Vec<Inconsistency>,
    pub signature: SignatureEnvelope<'a>,
    /// Raw bytes of the enclosed `postacert.eml`, if any.
    pub postacert: Option<&'a [u8]>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("message larger than {0} bytes")]
    TooLarge(usize),
    #[error("not an RFC 5322 message: {0}")]
    NotAMessage(String),
}

pub fn parse_message(_raw: &[u8]) -> Result<PecMessage<'_>, ParseError> {
    todo!()
}
