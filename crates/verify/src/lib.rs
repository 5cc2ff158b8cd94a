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
//! - Per signer: signed attributes (contentType, messageDigest, signingTime, ESS
//!   signingCertificate/V2), counter-signatures and RFC 3161 signature time-stamps
//!   ([`timestamp`]) are verified; the chain is built by [`chain`] (webpki-style, bounded).
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
//!
//! ```no_run
//! # fn demo(signed_part: &[u8], signature_der: &[u8], p7m: &[u8], ca_pem: &[u8]) -> verify::Result<()> {
//! let mut store = verify::TrustStore::with_bundled_anchors();
//! store.add_anchors(ca_pem)?; // e.g. a qualified-signature CA
//! // PEC receipt: validity judged at signingTime, else at the daticert time given here.
//! let opts = verify::VerifyOptions { fallback_time: Some(1_542_123_566), now: None };
//! let receipt = verify::smime::verify_detached(signed_part, signature_der, &store, &opts)?;
//! println!("{}", receipt.status == verify::Integrity::Intact);
//! let doc = verify::p7m::verify_p7m(p7m, Some("fattura.xml.p7m"), &store, &opts)?;
//! assert_eq!(doc.file_name.as_deref(), Some("fattura.xml"));
//! # Ok(()) }
//! ```
//!
//! ## JSON shape (serde)
//! A [`SignatureReport`] serialises as (abridged, real Aruba receipt):
//! ```text
//! { "status": "intact",                      // intact | broken | unsigned | detached
//!   "trust": { "status": "trusted",          // trusted | untrusted | indeterminate
//!              "reason": "chain to trust anchor CN=AgID CA1,... valid at 2018-11-13T15:39:26Z",
//!              "chain": ["CN=Posta Certificata ARUBA PEC,...", "CN=AgID CA1,..."],
//!              "anchor": "CN=AgID CA1,...",
//!              "validation_time": "2018-11-13T15:39:26Z",
//!              "validation_time_source": "signing_time",   // signing_time | caller | now
//!              "revocation": "not_checked",                // not_checked | good | revoked
//!              "notes": ["certificate expired since 2020-12-03"] },
//!   "signers": [ { "integrity": "intact", "integrity_reason": null, "trust": {...},
//!                  "certificate": { "subject", "common_name", "organization", "codice_fiscale",
//!                                   "subject_serial_number", "given_name", "surname", "issuer",
//!                                   "issuer_common_name", "serial", "not_before", "not_after",
//!                                   "expired_since", "sha256_fingerprint" },
//!                  "signing_time": "2018-11-13T15:39:26Z",
//!                  "digest_algorithm": "sha1",              // sha1 | sha224 | sha256 | sha384 | sha512
//!                  "signature_algorithm": "rsa-pkcs1v15",   // rsa-pkcs1v15 | rsa-pss | ecdsa-p256 | ecdsa-p384
//!                  "weak_algorithm": true,
//!                  "signing_certificate": "absent",         // absent | matches | mismatch
//!                  "countersignatures": [],
//!                  "timestamps": [{ "time", "integrity", "integrity_reason", "trust", "tsa" }],
//!                  "warnings": [] } ],
//!   "content_type": "1.2.840.113549.1.7.1", "weak_algorithm": true, "warnings": [] }
//! ```
//! A [`p7m::DocumentReport`] is `{ "signature": <combined report>, "levels": [{ "encoding":
//! "der|base64|pem", "signature": <report> }], "file_name", "content_len" }`.

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
pub mod timestamp;
pub mod trust;
pub mod tsl;
pub mod verdict;

pub use cms::VerifyOptions;
pub use error::{Error, Result};
pub use trust::TrustStore;
pub use verdict::{Integrity, SignatureReport, SignerReport, Trust, TrustStatus};
