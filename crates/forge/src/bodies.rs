//! Italian wording of provider messages (plain text and HTML), per kind and provider.
//! Follows the structure of real Aruba/Sogei bodies; other providers vary the phrasing.

use crate::daticert::{xml_escape, Dest};
use crate::manifest::Kind;
use crate::providers::{Flavor, Provider};

pub struct TextCtx<'a> {
    pub kind: Kind,
    pub giorno: String,
    pub ora: String,
    pub zona: &'static str,
    pub subject: &'a str,
    pub sender: &'a str,
    pub recipients: &'a [Dest<'a>],
    pub consegna: Option<&'a str>,
    pub identificativo: &'a str,
    pub errore_esteso: Option<&'a str>,
    pub ricevuta: Option<&'a str>,
}

fn dest_list(d: &[Dest<'_>], html: bool) -> String {
    d.iter()
        .map(|d| {
            let t = if d.certified { "posta certificata" } else { "posta ordinaria" };
            if html {
                format!("{} (&quot;{t}&quot;)<br>", xml_escape(d.address))
            } else {
                format!("{} (\"{t}\")", d.address)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (title, plain text, html) for a provider message.
pub fn texts(p: &Provider, c: &TextCtx<'_>) -> (String, String, String) {
    let when = format!("Il giorno {} alle ore {} ({})", c.giorno, c.ora, c.zona);
    let subj = c.subject;
    let hs = xml_escape(subj);
    let cons = c.consegna.unwrap_or("");
    let err = c.errore_esteso.unwrap_or("errore non specificato");
    let id = c.identificativo;
    let (title, head, body) = match c.kind {
        Kind::Acceptance => (
            "Ricevuta di accettazione",
            format!(
                "-- Ricevuta di accettazione del messaggio indirizzato a {} --",
                c.recipients.first().map(|d| format!("{} (\"{}\")", d.address, if d.certified { "posta certificata" } else { "posta ordinaria" })).unwrap_or_default()
            ),
            format!(
                "{when} il messaggio con Oggetto\n\"{subj}\" inviato da \"{}\"\ned indirizzato a:\n{}\nè stato accettato dal sistema ed inoltrato.\nIdentificativo del messaggio: {id}",
                c.sender,
                dest_list(c.recipients, false)
            ),
        ),
        Kind::NonAcceptance => (
            "Avviso di non accettazione",
            "-- Avviso di non accettazione --".to_string(),
            format!(
                "{when} nel messaggio\n\"{subj}\" proveniente da \"{}\"\ne destinato a:\n{}\nè stato rilevato un problema che ne impedisce l'accettazione\na causa di {err}.\nIl messaggio non è stato accettato.\nIdentificativo del messaggio: {id}",
                c.sender,
                dest_list(c.recipients, false)
            ),
        ),
        Kind::TakingCharge => (
            "Ricevuta di presa in carico",
            "-- Ricevuta di presa in carico --".to_string(),
            format!(
                "{when} il messaggio\n\"{subj}\" proveniente da \"{}\"\ne destinato a:\n{cons}\nè stato preso in carico dal gestore {}.\nIdentificativo del messaggio: {id}",
                c.sender, p.gestore
            ),
        ),
        Kind::Delivery => {
            let tail = match c.ricevuta {
                Some("sintetica") => "".to_string(),
                Some("breve") => "\nIl messaggio originale è incluso in allegato: gli allegati sono stati sostituiti dalle rispettive impronte.".to_string(),
                _ => "\nIl messaggio originale è incluso in allegato, per aprirlo cliccare sul file \"postacert.eml\".".to_string(),
            };
            (
                "Ricevuta di avvenuta consegna",
                format!("-- Ricevuta di avvenuta consegna del messaggio indirizzato a {cons} \"posta certificata\" --"),
                format!(
                    "{when} il messaggio con Oggetto\n\"{subj}\" inviato da \"{}\"\ned indirizzato a \"{cons}\"\nè stato correttamente consegnato al destinatario.\nIdentificativo del messaggio: {id}{tail}\nL'allegato daticert.xml contiene informazioni di servizio sulla trasmissione",
                    c.sender
                ),
            )
        }
        Kind::DeliveryError => (
            "Avviso di mancata consegna",
            "-- Avviso di mancata consegna --".to_string(),
            format!(
                "{when} nel messaggio\n\"{subj}\" proveniente da \"{}\"\ned indirizzato a:\n{cons}\nsi è verificato un errore di consegna.\nErrore: {err}\nIl messaggio non è stato consegnato.\nIdentificativo del messaggio: {id}",
                c.sender
            ),
        ),
        Kind::DeliveryWarning => (
            "Preavviso di mancata consegna",
            "-- Preavviso di mancata consegna --".to_string(),
            format!(
                "{when} il messaggio\n\"{subj}\" proveniente da \"{}\"\ned indirizzato a:\n{cons}\nnon è ancora stato consegnato nelle prime 12 ore dall'invio.\nIl sistema continuerà a tentare la consegna fino allo scadere delle 24 ore.\nIdentificativo del messaggio: {id}",
                c.sender
            ),
        ),
        Kind::VirusDetected => (
            "Avviso di rilevazione virus",
            "-- Avviso di rilevazione virus --".to_string(),
            format!(
                "{when} nel messaggio\n\"{subj}\" proveniente da \"{}\"\ne destinato a:\n{cons}\nè stato rilevato un virus informatico ({err}).\nIl messaggio non è stato consegnato.\nIdentificativo del messaggio: {id}",
                c.sender
            ),
        ),
        Kind::Transport => (
            "Messaggio di posta certificata",
            "Messaggio di posta certificata\n\n  -----".to_string(),
            format!(
                "{when} il messaggio\n\"{subj}\" è stato inviato da \"{}\"\nindirizzato a:\n{}\nIl messaggio originale è incluso in allegato.\nIdentificativo messaggio: {id}",
                c.sender,
                c.recipients.iter().map(|d| d.address).collect::<Vec<_>>().join("\n")
            ),
        ),
        Kind::Anomaly => (
            "Anomalia nel messaggio",
            "Anomalia nel messaggio".to_string(),
            format!(
                "{when} è stato ricevuto il messaggio\n\"{subj}\" proveniente da \"{}\".\nSono state rilevate anomalie che non consentono di certificarne la provenienza.\nIl messaggio originale è incluso in allegato.",
                c.sender
            ),
        ),
        Kind::Plain => ("", String::new(), String::new()),
    };
    let mut plain = format!("{head}\n\n{body}\n");
    if !matches!(c.kind, Kind::Delivery | Kind::Anomaly | Kind::Transport) {
        // Delivery texts already end with it; envelopes carry no such note.
        plain.push_str("L'allegato daticert.xml contiene informazioni di servizio sulla trasmissione\n");
    }
    if p.flavor == Flavor::Aruba && c.kind == Kind::Delivery {
        plain.push_str("\n\nNOTA\n  La presenza o meno del messaggio originale, come allegato della ricevuta di consegna,\n dipende dal tipo di ricevuta di consegna che è stato scelto di ricevere.\n");
    }
    let html_body = xml_escape(&body).replace(&format!("&quot;{subj}&quot;"), &format!("&quot;{hs}&quot;")).replace('\n', "<br>\n");
    let html = format!(
        "<html>\n<head><title>{title}</title></head>\n<body>\n<h3>{title}</h3>\n<hr><br>\n{}<br>\n</body>\n</html>\n",
        html_entities(&html_body)
    );
    (title.to_string(), plain, html)
}

/// Named entities for accented letters, as provider HTML templates write them.
fn html_entities(s: &str) -> String {
    s.replace('è', "&egrave;").replace('à', "&agrave;").replace('ù', "&ugrave;").replace('ì', "&igrave;").replace('ò', "&ograve;").replace('é', "&eacute;")
}

/// Italian text without accents for 7bit parts ("è" -> "e'"), as old templates did.
pub fn asciify(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'è' | 'é' => o.push_str("e'"),
            'à' => o.push_str("a'"),
            'ì' => o.push_str("i'"),
            'ò' => o.push_str("o'"),
            'ù' => o.push_str("u'"),
            'È' => o.push_str("E'"),
            c if c.is_ascii() => o.push(c),
            _ => o.push('?'),
        }
    }
    o
}
