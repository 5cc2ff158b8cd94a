//! Bounds on everything an attacker controls.
//!
//! Inputs are hostile by default (a PEC mailbox receives mail from anyone), so every
//! loop and every recursion in this crate is bounded by one of these constants. When a
//! bound is hit, parsing returns a typed [`crate::Error`] and path building returns an
//! `indeterminate` trust verdict: never a panic, never an unbounded loop.

/// Largest CMS / .p7m / .p7s input accepted (after base64 decoding), in bytes.
/// Signed PDFs of a few tens of MB are common; 256 MiB leaves room without letting
/// a single call take all memory.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Deepest ASN.1 nesting walked by the BER/DER reader. Real CMS structures are
/// about 12 levels deep; 64 is generous and keeps recursion shallow.
pub const MAX_DER_DEPTH: usize = 64;

/// Most nested `.p7m` envelopes unwrapped (`file.pdf.p7m.p7m...`).
pub const MAX_ENVELOPE_DEPTH: usize = 8;

/// Most signer infos per SignedData.
pub const MAX_SIGNERS: usize = 32;

/// Deepest chain of counter-signatures (counter-signature of a counter-signature ...).
pub const MAX_COUNTERSIGNATURE_DEPTH: usize = 4;

/// Most counter-signatures plus time-stamps verified in one SignedData (each costs a
/// signature check and a path search; an attacker could attach millions).
pub const MAX_EXTRA_VERIFICATIONS: usize = 32;

/// Most certificates read from one SignedData; further certificates are ignored.
pub const MAX_CMS_CERTIFICATES: usize = 512;

/// Longest certification path, counting the end-entity and the trust anchor.
pub const MAX_PATH_LEN: usize = 8;

/// Most signature verifications one path search may try before giving up with
/// `indeterminate` (protects against hostile sets of cross-signed certificates).
pub const MAX_PATH_SIGNATURE_CHECKS: usize = 64;

/// Most candidate issuers considered overall in one path search.
pub const MAX_PATH_CANDIDATES: usize = 2048;

/// Largest Trusted List XML accepted, in bytes.
pub const MAX_TSL_BYTES: usize = 32 * 1024 * 1024;

/// Most XML nodes in a Trusted List (roxmltree's own limit is set to this).
pub const MAX_TSL_NODES: u32 = 4_000_000;

/// Most certificates one import (PEM bundle, TSL) may add to a trust store.
pub const MAX_IMPORTED_CERTIFICATES: usize = 10_000;
