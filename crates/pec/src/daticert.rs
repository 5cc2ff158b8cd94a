//! `daticert.xml`: the provider's signed certification data (primer section 3).
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use roxmltree::Node;
use serde::Serialize;

use crate::limits::{MAX_DATICERT_BYTES, MAX_DATICERT_DEPTH, MAX_DATICERT_NODES};

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
/// by [`MAX_DATICERT_NODES`] and element nesting by [`MAX_DATICERT_DEPTH`]
/// (roxmltree recurses per level). Liberal in what it reads: element names and
/// enumerated attribute values compare case-insensitively, text is trimmed,
/// unknown elements are ignored, optional elements may be missing.
pub fn parse_daticert(xml: &[u8]) -> Result<Daticert, DaticertError> {
    if xml.len() > MAX_DATICERT_BYTES {
        return Err(DaticertError::TooLarge);
    }
    let text = crate::xmltext::decode(xml)?;
    if crate::xmltext::max_depth(&text, MAX_DATICERT_DEPTH).is_none() {
        return Err(DaticertError::Xml(format!("elements nested deeper than {MAX_DATICERT_DEPTH}")));
    }
    let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_DATICERT_NODES };
    let doc = roxmltree::Document::parse_with_options(&text, opts).map_err(|e| DaticertError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if !root.tag_name().name().eq_ignore_ascii_case("postacert") {
        return Err(DaticertError::Invalid { field: "root", value: root.tag_name().name().to_owned() });
    }

    let tipo_attr = attr(root, "tipo").ok_or(DaticertError::Missing("postacert/@tipo"))?;
    let tipo = DaticertType::parse(tipo_attr).ok_or_else(|| invalid("postacert/@tipo", tipo_attr))?;
    let errore = match attr(root, "errore") {
        None => DeliveryErrorCode::Nessuno,
        Some(v) if v.trim().is_empty() => DeliveryErrorCode::Nessuno,
        Some(v) => DeliveryErrorCode::parse(v).ok_or_else(|| invalid("postacert/@errore", v))?,
    };

    let intestazione = child(root, "intestazione").ok_or(DaticertError::Missing("intestazione"))?;
    let dati = child(root, "dati").ok_or(DaticertError::Missing("dati"))?;

    let mittente = text_of(child(intestazione, "mittente")).ok_or(DaticertError::Missing("intestazione/mittente"))?;
    let mut destinatari = Vec::new();
    for d in children(intestazione, "destinatari") {
        let Some(address) = text_of(Some(d)) else { continue };
        let kind = match attr(d, "tipo") {
            // The DTD defaults tipo to certificato.
            None => RecipientKind::Certificato,
            Some(v) if v.trim().eq_ignore_ascii_case("certificato") => RecipientKind::Certificato,
            Some(v) if v.trim().eq_ignore_ascii_case("esterno") => RecipientKind::Esterno,
            Some(v) => return Err(invalid("destinatari/@tipo", v)),
        };
        destinatari.push(Recipient { address, kind });
    }
    let risposte = text_of(child(intestazione, "risposte"));
    let oggetto = text_of(child(intestazione, "oggetto"));

    let gestore_emittente =
        text_of(child(dati, "gestore-emittente")).ok_or(DaticertError::Missing("dati/gestore-emittente"))?;
    let data = parse_data(child(dati, "data").ok_or(DaticertError::Missing("dati/data"))?)?;
    let identificativo =
        text_of(child(dati, "identificativo")).ok_or(DaticertError::Missing("dati/identificativo"))?;
    // msgid is in the DTD for every type, but some providers leave it empty on
    // presa-in-carico; an empty string keeps the field total and the cross-check
    // reports the difference.
    let msgid = text_of(child(dati, "msgid")).unwrap_or_default();
    let ricevuta = match child(dati, "ricevuta") {
        None => None,
        Some(r) => match attr(r, "tipo") {
            None => Some(ReceiptDetail::Completa),
            Some(v) => Some(ReceiptDetail::parse(v).ok_or_else(|| invalid("ricevuta/@tipo", v))?),
        },
    };
    let consegna = text_of(child(dati, "consegna"));
    let errore_esteso = text_of(child(dati, "errore-esteso"));

    Ok(Daticert {
        tipo,
        errore,
        mittente,
        destinatari,
        risposte,
        oggetto,
        gestore_emittente,
        data,
        identificativo,
        msgid,
        ricevuta,
        consegna,
        errore_esteso,
    })
}

fn invalid(field: &'static str, value: &str) -> DaticertError {
    // Bound what we echo back: the value comes from hostile input.
    let value: String = value.chars().take(120).collect();
    DaticertError::Invalid { field, value }
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name().eq_ignore_ascii_case(name)).map(|a| a.value())
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case(name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// All text inside an element (text and CDATA, entity references resolved by
/// the parser), trimmed; `None` when absent or blank.
fn text_of(node: Option<Node<'_, '_>>) -> Option<String> {
    let node = node?;
    let mut out = String::new();
    for t in node.descendants().filter(|n| n.is_text()) {
        out.push_str(t.text().unwrap_or(""));
    }
    let t = out.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `<data zona="+0100"><giorno>dd/mm/yyyy</giorno><ora>hh:mm:ss</ora></data>`.
fn parse_data(node: Node<'_, '_>) -> Result<DateTime<FixedOffset>, DaticertError> {
    let zona = attr(node, "zona").ok_or(DaticertError::Missing("data/@zona"))?;
    let offset = parse_zona(zona).ok_or_else(|| invalid("data/@zona", zona))?;
    let giorno = text_of(child(node, "giorno")).ok_or(DaticertError::Missing("data/giorno"))?;
    let ora = text_of(child(node, "ora")).ok_or(DaticertError::Missing("data/ora"))?;
    let date = NaiveDate::parse_from_str(&giorno, "%d/%m/%Y").map_err(|_| invalid("data/giorno", &giorno))?;
    // Seconds are always present in real receipts; accept hh:mm too.
    let time = NaiveTime::parse_from_str(&ora, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(&ora, "%H:%M"))
        .map_err(|_| invalid("data/ora", &ora))?;
    offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(|| invalid("data", &format!("{giorno} {ora} {zona}")))
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
