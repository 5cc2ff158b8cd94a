//! `manifest.json`: what was generated, written as a stream.
//!
//! Layout: `{"seed":..,"format":..,"messages":[...],"other":[...]}`. Message entries are
//! appended as each message is stored; `other` entries go to a side file that is appended
//! when the run ends, so memory stays bounded however many messages are generated.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// File kinds, exactly as the manifest spells them.
///
/// Deliberately not `pec::PecKind`: the manifest is the independent answer key the
/// classifier is tested against, so forge must not depend on the crate under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Transport,
    Anomaly,
    Acceptance,
    NonAcceptance,
    TakingCharge,
    Delivery,
    DeliveryError,
    DeliveryWarning,
    VirusDetected,
    Plain,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Transport => "transport",
            Kind::Anomaly => "anomaly",
            Kind::Acceptance => "acceptance",
            Kind::NonAcceptance => "non-acceptance",
            Kind::TakingCharge => "taking-charge",
            Kind::Delivery => "delivery",
            Kind::DeliveryError => "delivery-error",
            Kind::DeliveryWarning => "delivery-warning",
            Kind::VirusDetected => "virus-detected",
            Kind::Plain => "plain",
        }
    }
    pub const ALL: [Kind; 10] = [
        Kind::Transport,
        Kind::Anomaly,
        Kind::Acceptance,
        Kind::NonAcceptance,
        Kind::TakingCharge,
        Kind::Delivery,
        Kind::DeliveryError,
        Kind::DeliveryWarning,
        Kind::VirusDetected,
        Kind::Plain,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Delivered,
    Failed,
    Warned,
    Pending,
    NotProvable,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecipientEntry {
    pub address: String,
    /// `certificato` or `esterno`.
    #[serde(rename = "type")]
    pub rtype: &'static str,
    pub outcome: Outcome,
    /// For failures: the daticert `errore` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errore: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub kind: Kind,
    /// Byte offset of the message's `From ` line (mbox only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Recipient a per-recipient receipt is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Whether the file is signed by a provider (S/MIME).
    pub signed: bool,
    /// `X-TipoRicevuta` of delivery receipts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_type: Option<&'static str>,
    /// Set when the message carries a CAdES `.p7m` attachment (directly or inside postacert.eml).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub has_p7m: bool,
    /// Deliberate defect (`--faults`): `tampered-body`, `tampered-daticert`, `wrong-key`,
    /// `expired-at-signing`, `untrusted-root`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageEntry {
    pub index: u64,
    pub message_id: String,
    pub sender: String,
    pub subject: String,
    pub sent_at: String,
    pub accepted: bool,
    /// The sender's provider identificativo (absent when not accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identificativo: Option<String>,
    pub provider: &'static str,
    pub recipients: Vec<RecipientEntry>,
    pub files: Vec<FileEntry>,
}

pub struct ManifestWriter {
    main: BufWriter<File>,
    other_path: PathBuf,
    other: BufWriter<File>,
    n_messages: u64,
    n_other: u64,
}

impl ManifestWriter {
    pub fn create(dir: &Path, header: &serde_json::Value) -> std::io::Result<Self> {
        let mut main = BufWriter::new(File::create(dir.join("manifest.json"))?);
        // Header fields first, then the streamed arrays.
        let obj = header.as_object().cloned().unwrap_or_default();
        main.write_all(b"{")?;
        for (k, v) in &obj {
            write!(main, "{}:{},", serde_json::to_string(k)?, v)?;
        }
        main.write_all(b"\n\"messages\":[")?;
        let other_path = dir.join(".manifest-other.tmp");
        let other = BufWriter::new(File::create(&other_path)?);
        Ok(ManifestWriter { main, other_path, other, n_messages: 0, n_other: 0 })
    }

    pub fn message(&mut self, m: &MessageEntry) -> std::io::Result<()> {
        if self.n_messages > 0 {
            self.main.write_all(b",")?;
        }
        self.main.write_all(b"\n")?;
        serde_json::to_writer(&mut self.main, m)?;
        self.n_messages += 1;
        Ok(())
    }

    pub fn other(&mut self, f: &FileEntry) -> std::io::Result<()> {
        if self.n_other > 0 {
            self.other.write_all(b",")?;
        }
        self.other.write_all(b"\n")?;
        serde_json::to_writer(&mut self.other, f)?;
        self.n_other += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.other.flush()?;
        drop(self.other);
        self.main.write_all(b"\n],\n\"other\":[")?;
        let mut f = File::open(&self.other_path)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.main.write_all(&buf[..n])?;
        }
        self.main.write_all(b"\n]}\n")?;
        self.main.flush()?;
        std::fs::remove_file(&self.other_path)?;
        Ok(())
    }
}
