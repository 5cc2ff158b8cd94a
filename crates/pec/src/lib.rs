//! # pec: PEC message engine
//!
//! Bytes in, PEC model out; no I/O. Parses any RFC 5322 message, classifies it
//! from the provider's **signed** `daticert.xml` (headers are only routing hints
//! and are cross-checked), exposes the exact signed bytes and the signature DER
//! for the verifier, and extracts `postacert.eml`.
//!
//! ## How
//! * Header fields (folding, RFC 2047 words, parameters) are parsed by
//!   mail-parser; bodies are located by a byte-offset boundary scanner
//!   ([`mime`](crate::mime) is private) so that the signed part's byte range is
//!   exactly RFC 1847's, and so that a receipt costs one header parse per MIME
//!   part plus one small XML parse: no text part or charset is decoded.
//! * Classification policy:
//!   - no top-level S/MIME structure (`multipart/signed` with protocol
//!     `application/(x-)pkcs7-signature`, or opaque `application/(x-)pkcs7-mime`
//!     signed-data) -> [`PecKind::Plain`], whatever `X-Ricevuta`/`X-Trasporto`
//!     claim; the claim is listed as an inconsistency with field `signature`;
//!   - signed with a daticert -> the kind its `tipo` says
//!     (`posta-certificata` inside an `X-Trasporto: errore` envelope -> anomaly);
//!   - signed, no usable daticert, `X-Trasporto: errore` -> [`PecKind::Anomaly`]
//!     (RFC 6109 gives the anomaly envelope no certification data), with a note;
//!   - signed, no usable daticert, otherwise -> plain; a header claim is listed
//!     as an inconsistency with field `daticert`, a broken daticert in
//!     `daticert_error`.
//!
//!   Classification is not trust: whether the signature is intact and whose it
//!   is, is the verifier's answer.
//! * Only the signed content is searched for daticert/postacert, and never
//!   inside an enclosed message: a receipt forwarded inside a transport
//!   envelope is content.
//!
//! ## Limits (see [`limits`])
//! Input up to [`limits::MAX_MESSAGE_BYTES`]; MIME nesting
//! [`limits::MAX_MIME_DEPTH`] and [`limits::MAX_MIME_PARTS`] parts per message;
//! daticert up to [`limits::MAX_DATICERT_BYTES`] / [`limits::MAX_DATICERT_NODES`],
//! no DTD at all (so no entity expansion); `postacert.eml` chains followed to
//! [`limits::MAX_POSTACERT_DEPTH`] by [`postacert_chain`]. Nothing recurses on
//! input structure except the bounded BER walker; mail-parser is only asked
//! for header blocks, so its own `message/rfc822` recursion is never entered.
//!
//! ## Changes from the first API skeleton
//! * `SignatureEnvelope::Detached` holds the stored signature part
//!   (`signature_part` + `signature_encoding`) instead of an eagerly decoded
//!   `signature_der: Vec<u8>`; call `envelope.signature_der()` (works for
//!   `Opaque` too). Base64-decoding every signature cost a fifth of the parse
//!   time, and classification never needs it.
//! * `PecMessage::postacert` is `Option<Cow<'a, [u8]>>` (was `Option<&'a [u8]>`):
//!   a base64 `message/rfc822` part or an opaque CMS needs decoded, owned bytes.
//!   Use `msg.postacert.as_deref()` for a slice.
//! * `PecMessage::refers_to` prefers the signed daticert msgid over the
//!   unsigned `X-Riferimento-Message-ID` (mismatches are inconsistencies).
//! * Added: `PecMessage::{headers, notes}`, `PecMessage::parse_postacert`,
//!   [`postacert_chain`], [`normalize_msgid`], [`PecHeaders`], [`HeaderClaim`],
//!   `ParseError::{TooDeep, Internal}` (the enum is now `#[non_exhaustive]`),
//!   `as_str`/`parse` on the daticert enums, `PecKind::from_daticert`.

pub mod daticert;
pub mod headers;
pub mod kind;
pub mod limits;
pub mod message;
pub mod nesting;

mod ber;
mod crosscheck;
pub(crate) mod mime;
mod smime;
mod xmlread;
mod xmltext;

pub use daticert::{
    parse_daticert, Daticert, DaticertError, DaticertType, DeliveryErrorCode, ReceiptDetail, Recipient, RecipientKind,
};
pub use headers::{normalize_msgid, HeaderClaim, PecHeaders};
pub use kind::PecKind;
pub use mime::TransferEncoding;
pub use message::{parse_message, Inconsistency, ParseError, PecMessage, SignatureEnvelope};
pub use nesting::postacert_chain;
