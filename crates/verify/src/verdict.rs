//! Verdict types: what the CLI prints as JSON and the UI shows.
//!
//! Integrity and trust are separate answers (primer, section 6) and are never merged
//! into one flag. Names are stable: enums serialise in snake_case / kebab-case and
//! times as RFC 3339 UTC strings.

use serde::Serialize;

use crate::algorithms::{DigestAlgorithm, SignatureScheme};

/// Does the signature value match the bytes?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    /// Signature and message digest match.
    Intact,
    /// Something does not match (or cannot be checked: see the reason).
    Broken,
    /// There is no signature at all.
    Unsigned,
    /// The signature is detached and the signed data was not supplied.
    Detached,
}

/// Is the signer's certificate chained to a trust anchor, valid at signing time?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustStatus {
    Trusted,
    /// A definite failure: bad signature in the chain, expired at signing time,
    /// constraint violated, unknown root, revoked.
    Untrusted,
    /// Not enough information: issuer missing, search budget exhausted, no signer certificate.
    Indeterminate,
}

/// Where the time used for validation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The signed `signingTime` attribute.
    SigningTime,
    /// A time supplied by the caller (for PEC: the daticert time).
    Caller,
    /// Neither was available: the current time.
    Now,
}

/// Revocation: offline only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Revocation {
    /// No imported CRL covers the certificate.
    NotChecked,
    /// An imported CRL from the issuer does not list it.
    Good,
    /// An imported CRL lists it as revoked before the validation time.
    Revoked,
}

/// The trust answer for one signer (or, in [`SignatureReport`], for all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trust {
    pub status: TrustStatus,
    /// One line saying why, in plain words.
    pub reason: String,
    /// Subjects from the signer up to and including the anchor.
    pub chain: Vec<String>,
    /// Subject of the trust anchor, when one was reached.
    pub anchor: Option<String>,
    /// Time at which the chain was judged (RFC 3339).
    pub validation_time: Option<String>,
    pub validation_time_source: Option<TimeSource>,
    /// Worst revocation state along the chain.
    pub revocation: Revocation,
    /// Information that is not a failure, e.g. "certificate expired since 2020-12-03".
    pub notes: Vec<String>,
}

impl Trust {
    pub(crate) fn simple(status: TrustStatus, reason: impl Into<String>) -> Self {
        Trust {
            status,
            reason: reason.into(),
            chain: Vec::new(),
            anchor: None,
            validation_time: None,
            validation_time_source: None,
            revocation: Revocation::NotChecked,
            notes: Vec::new(),
        }
    }
}

/// Who a certificate names, and when it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Full subject DN (RFC 4514).
    pub subject: String,
    pub common_name: Option<String>,
    pub organization: Option<String>,
    /// From `serialNumber=TINIT-<codice fiscale>` (Italian qualified certificates).
    pub codice_fiscale: Option<String>,
    /// The raw `serialNumber` subject attribute when it is not a `TINIT-` one.
    pub subject_serial_number: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub issuer: String,
    pub issuer_common_name: Option<String>,
    /// Certificate serial number, upper-case hex.
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    /// Set when the certificate has expired by now (information: validity is judged at
    /// signing time). Date only, `YYYY-MM-DD`.
    pub expired_since: Option<String>,
    /// SHA-256 of the certificate DER, lower-case hex.
    pub sha256_fingerprint: String,
}

/// Result of the ESS signing-certificate binding check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertBinding {
    /// No `signingCertificate` / `signingCertificateV2` attribute.
    Absent,
    /// The attribute's hash matches the signer certificate.
    Matches,
    /// It names another certificate.
    Mismatch,
}

/// Everything about one signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerReport {
    pub integrity: Integrity,
    /// Why the integrity is not `intact` (None when it is).
    pub integrity_reason: Option<String>,
    pub trust: Trust,
    pub certificate: Option<CertificateSummary>,
    /// Signed `signingTime` (RFC 3339), as claimed by the signer.
    pub signing_time: Option<String>,
    pub digest_algorithm: Option<DigestAlgorithm>,
    pub signature_algorithm: Option<SignatureScheme>,
    /// SHA-1 (or another weak algorithm) was used somewhere in this signature.
    pub weak_algorithm: bool,
    pub signing_certificate: CertBinding,
    /// Counter-signatures of this signer's signature value.
    pub countersignatures: Vec<SignerReport>,
    /// RFC 3161 signature time-stamps (CAdES-T) over this signer's signature value.
    pub timestamps: Vec<crate::timestamp::TimestampReport>,
    pub warnings: Vec<String>,
}

/// The verdict for one SignedData (one S/MIME signature, one .p7m level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// Integrity of all signers together: `intact` only if every signer is intact.
    pub status: Integrity,
    /// Trust of all signers together: `trusted` only if every signer is trusted.
    pub trust: Trust,
    pub signers: Vec<SignerReport>,
    /// `eContentType` OID.
    pub content_type: String,
    pub weak_algorithm: bool,
    pub warnings: Vec<String>,
}

impl SignatureReport {
    /// The verdict for a message or file with no signature at all.
    pub fn unsigned() -> Self {
        SignatureReport {
            status: Integrity::Unsigned,
            trust: Trust::simple(TrustStatus::Indeterminate, "not signed"),
            signers: Vec::new(),
            content_type: String::new(),
            weak_algorithm: false,
            warnings: Vec::new(),
        }
    }

    /// The verdict when a signature is present but cannot be read at all (e.g. the
    /// caller got an [`crate::Error`], or the signature part's transfer encoding is broken).
    pub fn unreadable(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        SignatureReport {
            status: Integrity::Broken,
            trust: Trust::simple(TrustStatus::Indeterminate, format!("signature unreadable: {reason}")),
            signers: Vec::new(),
            content_type: String::new(),
            weak_algorithm: false,
            warnings: vec![reason],
        }
    }

    /// Combines signer verdicts: the worst integrity and the worst trust win.
    pub(crate) fn from_signers(signers: Vec<SignerReport>, content_type: String, warnings: Vec<String>) -> Self {
        let status = if signers.is_empty() {
            Integrity::Unsigned
        } else if signers.iter().any(|s| s.integrity == Integrity::Broken) {
            Integrity::Broken
        } else if signers.iter().any(|s| s.integrity == Integrity::Detached) {
            Integrity::Detached
        } else {
            Integrity::Intact
        };
        let trust = match signers.len() {
            0 => Trust::simple(TrustStatus::Indeterminate, "no signers"),
            1 => signers[0].trust.clone(),
            n => {
                let worst = signers
                    .iter()
                    .map(|s| &s.trust)
                    .max_by_key(|t| match t.status {
                        TrustStatus::Trusted => 0,
                        TrustStatus::Indeterminate => 1,
                        TrustStatus::Untrusted => 2,
                    })
                    .cloned()
                    .unwrap_or_else(|| Trust::simple(TrustStatus::Indeterminate, "no signers"));
                let mut t = worst;
                if t.status == TrustStatus::Trusted {
                    t.reason = format!("all {n} signers trusted");
                }
                t
            }
        };
        let weak_algorithm = signers.iter().any(|s| s.weak_algorithm);
        SignatureReport { status, trust, signers, content_type, weak_algorithm, warnings }
    }
}
