//! `daticert.xml`: the provider's signed certification data (primer section 3).
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::Serialize;

use crate::limits::MAX_DATICERT_BYTES;


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

impl DaticertType {
    /// The daticert spelling (`avvenuta-consegna`, ...), also the `X-Ricevuta` /
    /// `X-Trasporto` header value for the same type.
    pub fn as_str(self) -> &'static str {
        match self {
            DaticertType::Accettazione => "accettazione",
            DaticertType::NonAccettazione => "non-accettazione",
            DaticertType::PresaInCarico => "presa-in-carico",
            DaticertType::AvvenutaConsegna => "avvenuta-consegna",
            DaticertType::PostaCertificata => "posta-certificata",
            DaticertType::ErroreConsegna => "errore-consegna",
            DaticertType::PreavvisoErroreConsegna => "preavviso-errore-consegna",
            DaticertType::RilevazioneVirus => "rilevazione-virus",
        }
    }

    /// Parse a daticert `tipo` (or header) value, ignoring case and surrounding space.
    pub fn parse(value: &str) -> Option<DaticertType> {
        const ALL: [DaticertType; 8] = [
            DaticertType::Accettazione,
            DaticertType::NonAccettazione,
            DaticertType::PresaInCarico,
            DaticertType::AvvenutaConsegna,
            DaticertType::PostaCertificata,
            DaticertType::ErroreConsegna,
            DaticertType::PreavvisoErroreConsegna,
            DaticertType::RilevazioneVirus,
        ];
        let v = value.trim();
        ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(v))
    }
}

impl DeliveryErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryErrorCode::Nessuno => "nessuno",
            DeliveryErrorCode::NoDest => "no-dest",
            DeliveryErrorCode::NoDominio => "no-dominio",
            DeliveryErrorCode::Virus => "virus",
            DeliveryErrorCode::Altro => "altro",
        }
    }

    pub fn parse(value: &str) -> Option<DeliveryErrorCode> {
        let v = value.trim();
        [
            DeliveryErrorCode::Nessuno,
            DeliveryErrorCode::NoDest,
            DeliveryErrorCode::NoDominio,
            DeliveryErrorCode::Virus,
            DeliveryErrorCode::Altro,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(v))
    }
}

impl ReceiptDetail {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptDetail::Completa => "completa",
            ReceiptDetail::Breve => "breve",
            ReceiptDetail::Sintetica => "sintetica",
        }
    }

    pub fn parse(value: &str) -> Option<ReceiptDetail> {
        let v = value.trim();
        [ReceiptDetail::Completa, ReceiptDetail::Breve, ReceiptDetail::Sintetica]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(v))
    }
}

/// Parse daticert.xml bytes (UTF-8 or ISO-8859-1 per its XML declaration).
///
/// Hostile input: any DTD is refused (so no entity can be declared, let alone
/// expanded), the size is capped by [`MAX_DATICERT_BYTES`], the node count
/// by [`MAX_DATICERT_NODES`](crate::limits::MAX_DATICERT_NODES) and element nesting by
/// [`MAX_DATICERT_DEPTH`](crate::limits::MAX_DATICERT_DEPTH). Liberal in what
/// it reads: element names and enumerated attribute values compare
/// case-insensitively, text is trimmed, unknown elements are ignored, optional
/// elements may be missing.
pub fn parse_daticert(xml: &[u8]) -> Result<Daticert, DaticertError> {
    if xml.len() > MAX_DATICERT_BYTES {
        return Err(DaticertError::TooLarge);
    }
    let text = crate::xmltext::decode(xml)?;
    let raw = crate::xmlread::read(&text)?;
    let root = raw.root.as_deref().unwrap_or("");
    if !root.eq_ignore_ascii_case("postacert") {
        return Err(invalid("root", root));
    }

    let tipo_attr = raw.tipo.as_deref().ok_or(DaticertError::Missing("postacert/@tipo"))?;
    let tipo = DaticertType::parse(tipo_attr).ok_or_else(|| invalid("postacert/@tipo", tipo_attr))?;
    let errore = match raw.errore.as_deref() {
        None => DeliveryErrorCode::Nessuno,
        Some(v) if v.trim().is_empty() => DeliveryErrorCode::Nessuno,
        Some(v) => DeliveryErrorCode::parse(v).ok_or_else(|| invalid("postacert/@errore", v))?,
    };
    if !raw.intestazione {
        return Err(DaticertError::Missing("intestazione"));
    }
    if !raw.dati {
        return Err(DaticertError::Missing("dati"));
    }
    let mittente = raw.mittente.ok_or(DaticertError::Missing("intestazione/mittente"))?;
    let mut destinatari = Vec::with_capacity(raw.destinatari.len());
    for (address, kind) in raw.destinatari {
        let kind = match kind.as_deref().map(str::trim) {
            // The DTD defaults tipo to certificato.
            None | Some("") => RecipientKind::Certificato,
            Some(v) if v.eq_ignore_ascii_case("certificato") => RecipientKind::Certificato,
            Some(v) if v.eq_ignore_ascii_case("esterno") => RecipientKind::Esterno,
            Some(v) => return Err(invalid("destinatari/@tipo", v)),
        };
        destinatari.push(Recipient { address, kind });
    }
    let gestore_emittente = raw.gestore_emittente.ok_or(DaticertError::Missing("dati/gestore-emittente"))?;
    if !raw.data {
        return Err(DaticertError::Missing("dati/data"));
    }
    let zona = raw.zona.as_deref().ok_or(DaticertError::Missing("data/@zona"))?;
    let giorno = raw.giorno.as_deref().ok_or(DaticertError::Missing("data/giorno"))?;
    let ora = raw.ora.as_deref().ok_or(DaticertError::Missing("data/ora"))?;
    let data = parse_data(zona, giorno, ora)?;
    let identificativo = raw.identificativo.ok_or(DaticertError::Missing("dati/identificativo"))?;
    // msgid is in the DTD for every type, but some providers leave it empty on
    // presa-in-carico; an empty string keeps the field total and the cross-check
    // reports the difference.
    let msgid = raw.msgid.unwrap_or_default();
    let ricevuta = match raw.ricevuta {
        None => None,
        Some(None) => Some(ReceiptDetail::Completa),
        Some(Some(v)) if v.trim().is_empty() => Some(ReceiptDetail::Completa),
        Some(Some(v)) => Some(ReceiptDetail::parse(&v).ok_or_else(|| invalid("ricevuta/@tipo", &v))?),
    };

    Ok(Daticert {
        tipo,
        errore,
        mittente,
        destinatari,
        risposte: raw.risposte,
        oggetto: raw.oggetto,
        gestore_emittente,
        data,
        identificativo,
        msgid,
        ricevuta,
        consegna: raw.consegna,
        errore_esteso: raw.errore_esteso,
    })
}

fn invalid(field: &'static str, value: &str) -> DaticertError {
    // Bound what we echo back: the value comes from hostile input.
    let value: String = value.chars().take(120).collect();
    DaticertError::Invalid { field, value }
}

/// `<data zona="+0100"><giorno>dd/mm/yyyy</giorno><ora>hh:mm:ss</ora></data>`.
fn parse_data(zona: &str, giorno: &str, ora: &str) -> Result<DateTime<FixedOffset>, DaticertError> {
    let offset = parse_zona(zona).ok_or_else(|| invalid("data/@zona", zona))?;
    let date = parse_giorno(giorno).ok_or_else(|| invalid("data/giorno", giorno))?;
    let time = parse_ora(ora).ok_or_else(|| invalid("data/ora", ora))?;
    offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(|| invalid("data", &format!("{giorno} {ora} {zona}")))
}

/// Split on `sep` into small unsigned numbers (digits only, 1..=4 of them).
fn numbers<const N: usize>(s: &str, sep: char) -> Option<[u32; N]> {
    let mut out = [0u32; N];
    let mut parts = s.trim().split(sep);
    for slot in out.iter_mut() {
        let p = parts.next()?.trim();
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// `dd/mm/yyyy`. Hand-parsed: chrono's format-string parser was a visible
/// share of the per-receipt time.
fn parse_giorno(s: &str) -> Option<NaiveDate> {
    let [d, m, y] = numbers::<3>(s, '/')?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// `hh:mm:ss`; real receipts always have seconds, `hh:mm` is accepted too.
fn parse_ora(s: &str) -> Option<NaiveTime> {
    if let Some([h, m, sec]) = numbers::<3>(s, ':') {
        return NaiveTime::from_hms_opt(h, m, sec);
    }
    let [h, m] = numbers::<2>(s, ':')?;
    NaiveTime::from_hms_opt(h, m, 0)
}

/// `+0100`, `-0530`, also `+01:00` and `Z`.
fn parse_zona(zona: &str) -> Option<FixedOffset> {
    let z = zona.trim();
    if z.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}
