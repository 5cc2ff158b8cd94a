//! `daticert.xml`: the provider's signed certification data (primer section 3).
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DaticertType {
    Accettazione,
    NonAccettazione,
    PresaInCarico,
    AvvenutaConsegna,
    PostaCertificata,
    ErroreConsegna,
    PreavvisoErroreConsegna,
    RilevazioneVirus,
}

/// `@errore` on `postacert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryErrorCode { Nessuno, NoDest, NoDominio, Virus, Altro }

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientKind { Certificato, Esterno }

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient { pub address: String, #[serde(rename = "type")] pub kind: RecipientKind }

/// `ricevuta @tipo` on delivery receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReceiptDetail { Completa, Breve, Sintetica }

/// Every element and attribute of daticert.xml. JSON field names are the Italian
/// element names (kebab-case), as the CLI's `daticert` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Daticert {
    pub tipo: DaticertType,
    pub errore: DeliveryErrorCode,
    pub mittente: String,
    pub destinatari: Vec<Recipient>,
    pub risposte: Option<String>,
    pub oggetto: Option<String>,
    pub gestore_emittente: String,
    /// `data` (giorno + ora + @zona) as one timezone-aware instant.
    pub data: DateTime<FixedOffset>,
    pub identificativo: String,
    /// Original Message-ID, XML-unescaped, angle brackets kept as the provider wrote them.
    pub msgid: String,
    pub ricevuta: Option<ReceiptDetail>,
    pub consegna: Option<String>,
    pub errore_esteso: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DaticertError {
    #[error("daticert.xml is not well-formed XML: {0}")]
    Xml(String),
    #[error("daticert.xml is larger than the limit")]
    TooLarge,
    #[error("daticert.xml: missing element {0}")]
    Missing(&'static str),
    #[error("daticert.xml: invalid value for {field}: {value}")]
    Invalid { field: &'static str, value: String },
    #[error("daticert.xml: unsupported encoding {0}")]
    Encoding(String),
}

/// Parse daticert.xml bytes (UTF-8 or ISO-8859-1 per its XML declaration).
pub fn parse_daticert(_xml: &[u8]) -> Result<Daticert, DaticertError> {
    todo!()
}
