//! `daticert.xml`, the certification data every provider message carries (primer §3).

use chrono::{DateTime, Utc};

use crate::mime::Charset;
use crate::util::{rome, rome_zone};

/// One recipient as daticert lists it.
pub struct Dest<'a> {
    pub address: &'a str,
    pub certified: bool,
}

#[derive(Clone)]
pub struct Daticert<'a> {
    /// `posta-certificata`, `accettazione`, `avvenuta-consegna`, ...
    pub tipo: &'a str,
    /// `nessuno`, `no-dest`, `no-dominio`, `virus`, `altro`.
    pub errore: &'a str,
    pub mittente: &'a str,
    pub destinatari: &'a [Dest<'a>],
    pub risposte: &'a str,
    pub oggetto: Option<&'a str>,
    pub gestore: &'a str,
    pub time: DateTime<Utc>,
    pub identificativo: &'a str,
    /// Original Message-ID, with angle brackets.
    pub msgid: &'a str,
    /// Delivery receipts: `completa`, `breve`, `sintetica`.
    pub ricevuta: Option<&'a str>,
    pub consegna: Option<&'a str>,
    pub errore_esteso: Option<&'a str>,
    pub charset: Charset,
}

pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

impl Daticert<'_> {
    /// The XML bytes in the declared charset, LF line ends and 4-space indentation as the
    /// common provider software writes it.
    pub fn render(&self) -> Vec<u8> {
        let enc = match self.charset {
            Charset::Utf8 => "UTF-8",
            Charset::Latin1 => "ISO-8859-1",
        };
        let local = rome(self.time);
        let mut x = format!("<?xml version=\"1.0\" encoding=\"{enc}\"?>\n");
        x.push_str(&format!("<postacert tipo=\"{}\" errore=\"{}\">\n", self.tipo, self.errore));
        x.push_str("    <intestazione>\n");
        x.push_str(&format!("        <mittente>{}</mittente>\n", xml_escape(self.mittente)));
        for d in self.destinatari {
            let t = if d.certified { "certificato" } else { "esterno" };
            x.push_str(&format!("        <destinatari tipo=\"{t}\">{}</destinatari>\n", xml_escape(d.address)));
        }
        x.push_str(&format!("        <risposte>{}</risposte>\n", xml_escape(self.risposte)));
        if let Some(o) = self.oggetto {
            x.push_str(&format!("        <oggetto>{}</oggetto>\n", xml_escape(o)));
        }
        x.push_str("    </intestazione>\n    <dati>\n");
        x.push_str(&format!("        <gestore-emittente>{}</gestore-emittente>\n", xml_escape(self.gestore)));
        x.push_str(&format!("        <data zona=\"{}\">\n", rome_zone(self.time)));
        x.push_str(&format!("            <giorno>{}</giorno>\n", local.format("%d/%m/%Y")));
        x.push_str(&format!("            <ora>{}</ora>\n", local.format("%H:%M:%S")));
        x.push_str("        </data>\n");
        x.push_str(&format!("        <identificativo>{}</identificativo>\n", xml_escape(self.identificativo)));
        x.push_str(&format!("        <msgid>{}</msgid>\n", xml_escape(self.msgid)));
        if let Some(r) = self.ricevuta {
            x.push_str(&format!("        <ricevuta tipo=\"{r}\" />\n"));
        }
        if let Some(c) = self.consegna {
            x.push_str(&format!("        <consegna>{}</consegna>\n", xml_escape(c)));
        }
        if let Some(e) = self.errore_esteso {
            x.push_str(&format!("        <errore-esteso>{}</errore-esteso>\n", xml_escape(e)));
        }
        x.push_str("    </dati>\n</postacert>\n");
        self.charset.encode(&x)
    }
}
