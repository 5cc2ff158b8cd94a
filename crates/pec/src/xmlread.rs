//! daticert.xml text -> its raw fields, with quick-xml's streaming reader.
//!
//! Why streaming: the DOM parser (roxmltree) cost about a third of the whole
//! parse of a receipt, and recursed once per element level (a few thousand
//! nested elements overflowed a thread's stack). A pull reader does no
//! recursion and keeps only a stack of known element names. Safety against
//! hostile XML: a DOCTYPE is refused outright, and entity references are
//! resolved here, only the five predefined ones and character references, so
//! nothing can expand (billion laughs) or be fetched (XXE).
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::limits::{MAX_DATICERT_DEPTH, MAX_DATICERT_NODES};
use crate::DaticertError;

/// Element names daticert uses; anything else is `Other` and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Postacert,
    Intestazione,
    Dati,
    Mittente,
    Destinatari,
    Risposte,
    Oggetto,
    GestoreEmittente,
    Data,
    Giorno,
    Ora,
    Identificativo,
    Msgid,
    Ricevuta,
    Consegna,
    ErroreEsteso,
    Other,
}

fn tag(local: &str) -> Tag {
    const NAMES: [(&str, Tag); 16] = [
        ("postacert", Tag::Postacert),
        ("intestazione", Tag::Intestazione),
        ("dati", Tag::Dati),
        ("mittente", Tag::Mittente),
        ("destinatari", Tag::Destinatari),
        ("risposte", Tag::Risposte),
        ("oggetto", Tag::Oggetto),
        ("gestore-emittente", Tag::GestoreEmittente),
        ("data", Tag::Data),
        ("giorno", Tag::Giorno),
        ("ora", Tag::Ora),
        ("identificativo", Tag::Identificativo),
        ("msgid", Tag::Msgid),
        ("ricevuta", Tag::Ricevuta),
        ("consegna", Tag::Consegna),
        ("errore-esteso", Tag::ErroreEsteso),
    ];
    NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(local)).map_or(Tag::Other, |(_, t)| *t)
}

/// The fields as written (text trimmed, entity references resolved), before
/// any validation. First occurrence wins, except `destinatari` (repeated).
#[derive(Debug, Default)]
pub(crate) struct RawDaticert {
    pub root: Option<String>,
    pub tipo: Option<String>,
    pub errore: Option<String>,
    pub intestazione: bool,
    pub dati: bool,
    pub mittente: Option<String>,
    /// (address, `tipo` attribute)
    pub destinatari: Vec<(String, Option<String>)>,
    pub risposte: Option<String>,
    pub oggetto: Option<String>,
    pub gestore_emittente: Option<String>,
    pub data: bool,
    pub zona: Option<String>,
    pub giorno: Option<String>,
    pub ora: Option<String>,
    pub identificativo: Option<String>,
    pub msgid: Option<String>,
    /// `Some(tipo attribute)` when the element is present.
    pub ricevuta: Option<Option<String>>,
    pub consegna: Option<String>,
    pub errore_esteso: Option<String>,
}

fn xml_err(e: impl std::fmt::Display) -> DaticertError {
    DaticertError::Xml(e.to_string())
}

/// Value of attribute `name` (case-insensitive local name), normalised per XML.
fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, DaticertError> {
    for a in e.attributes() {
        let a = a.map_err(xml_err)?;
        if a.key.local_name().as_ref().eq_ignore_ascii_case(name) {
            let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(xml_err)?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn set(slot: &mut Option<String>, text: &str) {
    let t = text.trim();
    if slot.is_none() && !t.is_empty() {
        *slot = Some(t.to_owned());
    }
}

pub(crate) fn read(text: &str) -> Result<RawDaticert, DaticertError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = RawDaticert::default();
    let mut stack: Vec<Tag> = Vec::with_capacity(8);
    let mut buf = String::new();
    let mut pending_dest_tipo: Option<String> = None;
    let mut root_closed = false;
    let mut events = 0u32;
    loop {
        events += 1;
        if events > MAX_DATICERT_NODES {
            return Err(DaticertError::Xml(format!("more than {MAX_DATICERT_NODES} XML nodes")));
        }
        let event = reader.read_event().map_err(xml_err)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root_closed {
                    return Err(DaticertError::Xml("content after the root element".into()));
                }
                let t = tag(e.local_name().as_ref());
                let parent = stack.last().copied();
                if parent.is_none() {
                    out.root = Some(e.local_name().as_ref().chars().take(60).collect());
                }
                match (parent, t) {
                    (None, Tag::Postacert) => {
                        out.tipo = attr(e, "tipo")?;
                        out.errore = attr(e, "errore")?;
                    }
                    (Some(Tag::Postacert), Tag::Intestazione) => out.intestazione = true,
                    (Some(Tag::Postacert), Tag::Dati) => out.dati = true,
                    (Some(Tag::Intestazione), Tag::Destinatari) => pending_dest_tipo = attr(e, "tipo")?,
                    (Some(Tag::Dati), Tag::Data) if !out.data => {
                        out.data = true;
                        out.zona = attr(e, "zona")?;
                    }
                    (Some(Tag::Dati), Tag::Ricevuta) if out.ricevuta.is_none() => {
                        out.ricevuta = Some(attr(e, "tipo")?);
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    if stack.len() >= MAX_DATICERT_DEPTH {
                        return Err(DaticertError::Xml(format!("elements nested deeper than {MAX_DATICERT_DEPTH}")));
                    }
                    stack.push(t);
                    buf.clear();
                } else if parent.is_none() {
                    root_closed = true;
                }
            }
            Event::End(_) => {
                let t = stack.pop().ok_or_else(|| DaticertError::Xml("unbalanced end tag".into()))?;
                let parent = stack.last().copied();
                match (parent, t) {
                    (Some(Tag::Intestazione), Tag::Mittente) => set(&mut out.mittente, &buf),
                    (Some(Tag::Intestazione), Tag::Destinatari) => {
                        let a = buf.trim();
                        if !a.is_empty() {
                            out.destinatari.push((a.to_owned(), pending_dest_tipo.take()));
                        }
                    }
                    (Some(Tag::Intestazione), Tag::Risposte) => set(&mut out.risposte, &buf),
                    (Some(Tag::Intestazione), Tag::Oggetto) => set(&mut out.oggetto, &buf),
                    (Some(Tag::Dati), Tag::GestoreEmittente) => set(&mut out.gestore_emittente, &buf),
                    (Some(Tag::Data), Tag::Giorno) => set(&mut out.giorno, &buf),
                    (Some(Tag::Data), Tag::Ora) => set(&mut out.ora, &buf),
                    (Some(Tag::Dati), Tag::Identificativo) => set(&mut out.identificativo, &buf),
                    (Some(Tag::Dati), Tag::Msgid) => set(&mut out.msgid, &buf),
                    (Some(Tag::Dati), Tag::Consegna) => set(&mut out.consegna, &buf),
                    (Some(Tag::Dati), Tag::ErroreEsteso) => set(&mut out.errore_esteso, &buf),
                    (None, _) => root_closed = true,
                    _ => {}
                }
                buf.clear();
            }
            Event::Text(t) => {
                if stack.is_empty() {
                    // Only white space may sit outside the root element.
                    if !t.xml10_content().trim().is_empty() {
                        return Err(DaticertError::Xml("text outside the root element".into()));
                    }
                } else {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => buf.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    match r.resolve_char_ref().map_err(xml_err)? {
                        Some(c) => buf.push(c),
                        None => return Err(DaticertError::Xml("invalid character reference".into())),
                    }
                } else {
                    let name = r.xml10_content();
                    buf.push(match &*name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            let other: String = other.chars().take(40).collect();
                            return Err(DaticertError::Xml(format!("unknown entity &{other};")));
                        }
                    });
                }
            }
            Event::DocType(_) => return Err(DaticertError::Xml("a DTD is not allowed in daticert.xml".into())),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(DaticertError::Xml("unexpected end of document (unclosed elements)".into()));
    }
    if out.root.is_none() {
        return Err(DaticertError::Xml("no root element".into()));
    }
    Ok(out)
}
