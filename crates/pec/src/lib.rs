//! # pec: PEC message engine
//!
//! Bytes in, PEC model out; no I/O. Parses any RFC 5322 message, classifies it
//! from the provider's **signed** `daticert.xml` (headers are only routing hints
//! and are cross-checked), exposes the exact signed bytes and the signature DER
//! for the verifier, and extracts `postacert.eml`.
//!
//! ## How
//! * Header fields (folding, RFC 2047 words, parameters) are parsed by
//!   mail-parser; bodies are located by a private byte-offset boundary scanner
//!   so that the signed part's byte range is exactly RFC 1847's (from the first
//!   header byte of the first body part up to, not including, the line break
//!   before the next delimiter; proven with openssl on the real Aruba samples),
//!   and so that a receipt costs one header parse per MIME part plus one small
//!   XML parse: no text part or charset is decoded.
//! * daticert.xml is decoded per its BOM / XML declaration (UTF-8, ISO-8859-1,
//!   anything encoding_rs knows) and read with quick-xml's streaming reader.
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
//! * input up to [`limits::MAX_MESSAGE_BYTES`] (else [`ParseError::TooLarge`]);
//! * MIME walk: [`limits::MAX_MIME_DEPTH`] levels, [`limits::MAX_MIME_PARTS`]
//!   parts per message (the rest is skipped and noted);
//! * daticert: [`limits::MAX_DATICERT_BYTES`], [`limits::MAX_DATICERT_NODES`]
//!   XML events, [`limits::MAX_DATICERT_DEPTH`] element levels; no DTD at all
//!   and only predefined/character entity references, so nothing expands
//!   (billion laughs) and nothing is fetched (XXE);
//! * `postacert.eml` chains are followed one level per `parse_message`, and to
//!   [`limits::MAX_POSTACERT_DEPTH`] by [`postacert_chain`].
//!
//! Nothing recurses on input structure except the depth-bounded BER walker
//! used for opaque S/MIME. mail-parser is only asked for header blocks, so its
//! own `message/rfc822` handling is never entered here. Callers that do run a
//! *full* mail-parser parse (e.g. to list attachments of a postacert) must call
//! [`check_mime_nesting`] first: mail-parser drops nested messages
//! recursively and ~10,000 levels overflow the stack.
//! A panic in a dependency is caught and returned as [`ParseError::Internal`]
//! (the tests assert it never happens on their hostile corpus).
//!
//! ## Performance
//! Release mode, CPU time (`perf stat -e task-clock`, the shared build machine
//! under load): about 13 µs for the 13 KB Aruba acceptance, 14 µs for the
//! 18 KB delivery receipt, 16 µs mean over a 1,373-message forge corpus, i.e.
//! 60-75k messages/s per core (`cargo run --release -p cartolina-pec --example
//! bench_samples [dir]`). Why it is cheap: the signature is not decoded
//! ([`SignatureEnvelope::signature_der`] does that on demand), text parts are
//! never decoded, uninteresting header fields (`Received:`...) are skipped
//! untokenised, and daticert is read by a streaming XML reader.
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
//! * `refers_to` is `None` for `plain` messages: an unsigned
//!   `X-Riferimento-Message-ID` must not pair a forged receipt with a sent
//!   message (the header stays visible in `PecMessage::headers`).
//! * Added: `PecMessage::{headers, notes}`, `PecMessage::parse_postacert`,
//!   [`postacert_chain`], [`check_mime_nesting`], [`normalize_msgid`], [`same_msgid`],
//!   [`PecHeaders`], [`HeaderClaim`], [`TransferEncoding`],
//!   `ParseError::{TooDeep, TooManyParts, Internal}` (the enum is now
//!   `#[non_exhaustive]`), `SignatureEnvelope::{signature_der, is_signed}`,
//!   `as_str`/`parse` on the daticert enums, `PecKind::{from_daticert, is_pec}`
//!   and `Display`, limits `MAX_DATICERT_NODES`, `MAX_DATICERT_DEPTH`,
//!   `MAX_MIME_DEPTH`, `MAX_MIME_PARTS`, `MAX_FULL_PARSE_DEPTH`.

pub mod daticert;
pub mod headers;
pub mod kind;
pub mod limits;
pub mod message;
pub mod nesting;

mod ber;
mod crosscheck;
mod mime;
mod smime;
mod xmlread;
mod xmltext;

pub use daticert::{
    parse_daticert, Daticert, DaticertError, DaticertType, DeliveryErrorCode, ReceiptDetail, Recipient, RecipientKind,
};
pub use headers::{normalize_msgid, same_msgid, HeaderClaim, PecHeaders};
pub use kind::PecKind;
pub use mime::TransferEncoding;
pub use message::{parse_message, Inconsistency, ParseError, PecMessage, SignatureEnvelope};
pub use nesting::{check_mime_nesting, postacert_chain};
