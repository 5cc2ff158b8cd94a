//! The `inspect --json` record: one per message or signed file. Field names and value
//! spellings are a stable contract (tests and tools parse them).

use serde::Serialize;

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
}

#[derive(Debug, Serialize)]
pub struct SignatureReport<'a> {
    /// `intact|broken|unsigned|detached|not-checked`.
    pub status: &'a str,
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
            signature: SignatureReport { status: "not-checked" },
            error: Some(error),
        }
    }
}
