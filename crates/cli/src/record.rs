//! The `inspect --json` record: one per message or signed file. Field names and value
//! spellings are a stable contract (tests and tools parse them): fields are only ever
//! added, never renamed or removed.

use serde::Serialize;

use crate::sigcheck::DocumentInfo;

#[derive(Debug, Serialize)]
pub struct InspectRecord<'a> {
    pub path: String,
    /// Byte offset of the message's `From ` line, for messages inside an mbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// A `pec::PecKind` spelling, or `p7m`, or `unknown`.
    pub kind: &'static str,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub refers_to: Option<String>,
    pub identificativo: Option<String>,
    pub daticert: Option<pec::Daticert>,
    pub inconsistencies: Vec<pec::Inconsistency>,
    pub signature: SignatureReport<'a>,
    pub error: Option<String>,
    /// Signed documents only (`kind: p7m`): original name, content size, envelope levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentInfo>,
}

#[derive(Debug, Serialize)]
pub struct SignatureReport<'a> {
    /// `intact|broken|unsigned|detached`; `not-checked` when verification could not run.
    pub status: &'a str,
    /// `{"status": "trusted|untrusted|indeterminate", "reason", "chain", "anchor",
    /// "validation_time", "validation_time_source", "revocation", "notes"}`; null when
    /// not checked.
    pub trust: Option<verify::Trust>,
    /// The verifier's per-signer objects (see crate `verify`, `SignerReport`).
    pub signers: Vec<verify::SignerReport>,
    /// SHA-1 or another weak algorithm somewhere in the signature.
    pub weak_algorithm: bool,
    pub warnings: Vec<String>,
}

impl SignatureReport<'static> {
    pub fn not_checked() -> Self {
        SignatureReport { status: "not-checked", trust: None, signers: Vec::new(), weak_algorithm: false, warnings: Vec::new() }
    }

    pub fn from_verdict(r: verify::SignatureReport) -> Self {
        SignatureReport {
            status: crate::sigcheck::integrity_str(r.status),
            trust: Some(r.trust),
            signers: r.signers,
            weak_algorithm: r.weak_algorithm,
            warnings: r.warnings,
        }
    }
}

impl InspectRecord<'_> {
    pub fn failed(path: String, offset: Option<u64>, error: String) -> Self {
        InspectRecord {
            path,
            offset,
            kind: "unknown",
            subject: None,
            message_id: None,
            refers_to: None,
            identificativo: None,
            daticert: None,
            inconsistencies: Vec::new(),
            signature: SignatureReport::not_checked(),
            error: Some(error),
            document: None,
        }
    }
}
