//! # pec: PEC message engine
//!
//! Bytes in, PEC model out; no I/O. Parses any RFC 5322 message (mail-parser),
//! classifies it from the provider's **signed** `daticert.xml` (headers are only
//! routing hints and are cross-checked), exposes the exact signed bytes and the
//! signature DER for the verifier, and extracts `postacert.eml`.
//!
//! The public API below is the contract the CLI, the verifier and the archive rely on.
//! (Skeleton: implementation in progress.)

pub mod kind;
pub mod daticert;
pub mod message;
pub mod limits;

pub use daticert::{Daticert, DaticertError, DaticertType, DeliveryErrorCode, RecipientKind, Recipient, ReceiptDetail};
pub use kind::PecKind;
pub use message::{parse_message, Inconsistency, ParseError, PecMessage, SignatureEnvelope};
