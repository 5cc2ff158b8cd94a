//! # verify: signature verification for Cartolina (PEC and signed documents)
//!
//! Bytes in, verdicts out: no file-system walking, no network, no UI.
//!
//! - [`smime::verify_detached`]: a PEC receipt or envelope (`multipart/signed`), given the
//!   first body part's stored bytes and the decoded signature. Line endings are
//!   canonicalised to CRLF before hashing (Unix stores keep LF).
//! - [`smime::verify_opaque`]: `application/pkcs7-mime` signed-data; returns the content.
//! - [`p7m::verify_p7m`] / [`p7m::verify_p7s`]: `.p7m` documents (DER, base64, PEM;
//!   nested envelopes unwrapped level by level) and detached `.p7s` signatures.
//! - [`trust::TrustStore`]: bundled PEC anchors (Actalis Authentication Root CA, AgID
//!   CA1) plus imported certificates, CRLs and EU Trusted Lists.
//!
//! Every result is a [`verdict::SignatureReport`]: integrity (`intact`, `broken`,
//! `unsigned`, `detached`) and trust (`trusted`, `untrusted`, `indeterminate`, with a
//! reason) are separate answers, per signer and overall. Trust is judged at the signing
//! time; a certificate that expired later is reported as information
//! ("certificate expired since ...").
//!
//! Inputs are untrusted: every size, depth and search is bounded (see [`limits`]) and
//! malformed input yields an [`Error`], never a panic.

pub mod algorithms;
pub mod asn1;
pub mod attrs;
pub mod certs;
pub mod chain;
pub mod cms;
pub mod crl;
pub mod error;
pub mod limits;
pub mod p7m;
pub mod smime;
pub mod trust;
pub mod tsl;
pub mod verdict;

pub use cms::VerifyOptions;
pub use error::{Error, Result};
pub use trust::TrustStore;
pub use verdict::{Integrity, SignatureReport, SignerReport, Trust, TrustStatus};
