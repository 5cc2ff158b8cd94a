//! Builders for hand-made PEC messages, modelled on the real Aruba and Sogei
//! samples (same MIME layout, header set, daticert shape). The signature part
//! is a placeholder: these tests are about parsing and classification, the
//! real signatures are covered by `openssl_signed_bytes.rs`.
#![allow(dead_code)]

use base64::Engine;

pub const IDENT: &str = "opec288.20181113163926.01838.310.1.63@pec.aruba.it";
pub const MSGID: &str = "<1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>";

/// daticert.xml fields; `Default` is the Aruba acceptance.
#[derive(Clone)]
pub struct Dc {
    pub encoding: &'static str,
    pub tipo: String,
    pub errore: Option<String>,
    pub mittente: String,
    /// (address, tipo attribute or None)
    pub destinatari: Vec<(String, Option<String>)>,
    pub risposte: Option<String>,
    pub oggetto: Option<String>,
    pub gestore: String,
    pub zona: Option<String>,
    pub giorno: String,
    pub ora: String,
    pub identificativo: String,
    /// Already XML-escaped.
    pub msgid_xml: String,
    pub ricevuta: Option<String>,
    pub consegna: Option<String>,
    pub errore_esteso: Option<String>,
}

impl Default for Dc {
    fn default() -> Self {
        Dc {
            encoding: "UTF-8",
            tipo: "accettazione".into(),
            errore: Some("nessuno".into()),
            mittente: "l.battistini@pec.it".into(),
            destinatari: vec![("mario.rossi@pec.example.it".into(), Some("certificato".into()))],
            risposte: Some("l.battistini@pec.it".into()),
            oggetto: Some("IT03339130126_00009.xml".into()),
            gestore: "ARUBA PEC S.p.A.".into(),
            zona: Some("+0100".into()),
            giorno: "13/11/2018".into(),
            ora: "16:39:26".into(),
            identificativo: IDENT.into(),
            msgid_xml: MSGID.replace('<', "&lt;").replace('>', "&gt;"),
            ricevuta: None,
            consegna: None,
            errore_esteso: None,
        }
    }
}

impl Dc {
    pub fn tipo(mut self, t: &str) -> Self {
        self.tipo = t.into();
        self
    }

    /// The XML text (to be encoded per `self.encoding` by [`Dc::bytes`]).
    pub fn xml(&self) -> String {
        let mut x = format!("<?xml version=\"1.0\" encoding=\"{}\"?>\n", self.encoding);
        match &self.errore {
            Some(e) => x += &format!("<postacert tipo=\"{}\" errore=\"{e}\">\n", self.tipo),
            None => x += &format!("<postacert tipo=\"{}\">\n", self.tipo),
        }
        x += "    <intestazione>\n";
        x += &format!("        <mittente>{}</mittente>\n", self.mittente);
        for (a, t) in &self.destinatari {
            match t {
                Some(t) => x += &format!("        <destinatari tipo=\"{t}\">{a}</destinatari>\n"),
                None => x += &format!("        <destinatari>{a}</destinatari>\n"),
            }
        }
        if let Some(r) = &self.risposte {
            x += &format!("        <risposte>{r}</risposte>\n");
        }
        if let Some(o) = &self.oggetto {
            x += &format!("        <oggetto>{o}</oggetto>\n");
        }
        x += "    </intestazione>\n    <dati>\n";
        x += &format!("        <gestore-emittente>{}</gestore-emittente>\n", self.gestore);
        match &self.zona {
            Some(z) => x += &format!("        <data zona=\"{z}\">\n"),
            None => x += "        <data>\n",
        }
        x += &format!("            <giorno>{}</giorno>\n            <ora>{}</ora>\n        </data>\n", self.giorno, self.ora);
        x += &format!("        <identificativo>{}</identificativo>\n", self.identificativo);
        x += &format!("        <msgid>{}</msgid>\n", self.msgid_xml);
        if let Some(r) = &self.ricevuta {
            x += &format!("        <ricevuta tipo=\"{r}\" />\n");
        }
        if let Some(c) = &self.consegna {
            x += &format!("        <consegna>{c}</consegna>\n");
        }
        if let Some(e) = &self.errore_esteso {
            x += &format!("        <errore-esteso>{e}</errore-esteso>\n");
        }
        x += "    </dati>\n</postacert>\n";
        x
    }

    pub fn bytes(&self) -> Vec<u8> {
        let x = self.xml();
        if self.encoding.eq_ignore_ascii_case("ISO-8859-1") {
            x.chars().map(|c| u8::try_from(u32::from(c)).expect("latin-1 text")).collect()
        } else {
            x.into_bytes()
        }
    }
}

/// How daticert.xml travels inside its MIME part.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cte {
    Base64,
    QuotedPrintable,
    SevenBit,
    /// Raw bytes (e.g. ISO-8859-1) with `Content-Transfer-Encoding: 8bit`.
    EightBit,
}

/// Where `Cte::EightBit` content is spliced in as bytes by [`Pec::build`].
const RAW_MARK: &str = "@@RAW-DATICERT@@";

/// A whole PEC message; `Default` is a signed Aruba acceptance, LF line ends.
#[derive(Clone)]
pub struct Pec {
    pub crlf: bool,
    pub signed: bool,
    pub protocol: &'static str,
    /// Outer header fields, in order (name, value). Content-Type is added.
    pub headers: Vec<(String, String)>,
    /// daticert.xml bytes, or no daticert part.
    pub daticert: Option<Vec<u8>>,
    pub daticert_cte: Cte,
    pub postacert: Option<Vec<u8>>,
    pub postacert_base64: bool,
    /// Appended to both MIME boundaries, so nested envelopes stay distinct
    /// (as real ones are: boundaries embed time and pid).
    pub tag: String,
}

pub fn acceptance_headers() -> Vec<(String, String)> {
    [
        ("Return-Path", "<posta-certificata@pec.aruba.it>"),
        ("Received", "from smtpecshgo02.pec.ad.aruba.it (localhost [127.0.0.1])\n\tby smtpecshgo02.pec.ad.aruba.it (lmtpd) with LMTP id 17642.002;\n\tTue, 13 Nov 2018 16:39:26 +0100 (CET)"),
        ("Subject", "ACCETTAZIONE: IT03339130126_00009.xml"),
        ("X-Riferimento-Message-ID", MSGID),
        ("Date", "Tue, 13 Nov 2018 16:39:26 +0100"),
        ("To", "l.battistini@pec.it"),
        ("X-Ricevuta", "accettazione"),
        ("From", "posta-certificata@pec.aruba.it"),
        ("MIME-Version", "1.0"),
        ("Message-ID", "<opec288.20181113163926.01838.310.1.358.63@pec.aruba.it>"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Outer headers of a transport envelope for `Dc::default().tipo("posta-certificata")`.
pub fn transport_headers() -> Vec<(String, String)> {
    [
        ("Subject", "POSTA CERTIFICATA: IT03339130126_00009.xml"),
        ("X-Riferimento-Message-ID", MSGID),
        ("Date", "Tue, 13 Nov 2018 16:39:26 +0100"),
        ("Reply-To", "l.battistini@pec.it"),
        ("To", "mario.rossi@pec.example.it"),
        ("X-Trasporto", "posta-certificata"),
        ("From", "\"Per conto di: l.battistini@pec.it\" <posta-certificata@pec.aruba.it>"),
        ("X-TipoRicevuta", "completa"),
        ("MIME-Version", "1.0"),
        ("Message-ID", &format!("<{IDENT}>")),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

pub const ORIGINAL: &str = "Received: from [127.0.1.1] (dynamic-adsl.clienti.tiscali.it [78.12.86.96])\n\tby smtps.pec.aruba.it (Postfix) with ESMTPSA id 42vWyQ3ZZ3z2LH56y\nContent-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\nSubject: IT03339130126_00009.xml\nFrom: l.battistini@pec.it\nTo: mario.rossi@pec.example.it\nDate: Tue, 13 Nov 2018 15:39:26 -0000\nMessage-ID: <1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>\n\nFattura in allegato.\n";

impl Default for Pec {
    fn default() -> Self {
        Pec {
            crlf: false,
            signed: true,
            protocol: "application/x-pkcs7-signature",
            headers: acceptance_headers(),
            daticert: Some(Dc::default().bytes()),
            daticert_cte: Cte::Base64,
            postacert: None,
            postacert_base64: false,
            tag: String::new(),
        }
    }
}

pub fn b64_lines(data: &[u8]) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).expect("ascii"));
        out.push('\n');
    }
    out
}

/// Minimal quoted-printable encoder (76-char soft breaks), for fixtures.
pub fn qp(data: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for &b in data {
        let piece = if b == b'\n' {
            out.push('\n');
            line = 0;
            continue;
        } else if (33..=126).contains(&b) && b != b'=' || b == b' ' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + piece.len() > 75 {
            out.push_str("=\n");
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

impl Pec {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(h) => h.1 = value.to_owned(),
            None => self.headers.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn daticert(mut self, dc: &Dc) -> Self {
        self.daticert = Some(dc.bytes());
        self
    }

    /// The signed inner entity (multipart/mixed), LF line ends.
    pub fn signed_content(&self) -> String {
        let mut s = String::new();
        s += &format!("Content-Type: multipart/mixed; boundary=\"----------=_1542123566-1838-1410{tag}\"\n", tag = self.tag);
        s += "Content-Transfer-Encoding: binary\nMIME-Version: 1.0\n\n";
        s += &format!("------------=_1542123566-1838-1410{tag}\n", tag = self.tag);
        s += "Content-Type: text/plain; charset=\"iso-8859-1\"\nContent-Disposition: inline\nContent-Transfer-Encoding: quoted-printable\n\n";
        s += "-- Ricevuta di accettazione del messaggio --\n=E8 stato accettato dal sistema ed inoltrato.\n\n";
        if let Some(d) = &self.daticert {
            s += &format!("------------=_1542123566-1838-1410{tag}\n", tag = self.tag);
            s += "Content-Type: application/xml; name=\"daticert.xml\"\nContent-Disposition: inline; filename=\"daticert.xml\"\n";
            match self.daticert_cte {
                Cte::Base64 => s += &format!("Content-Transfer-Encoding: base64\n\n{}\n", b64_lines(d)),
                Cte::QuotedPrintable => s += &format!("Content-Transfer-Encoding: quoted-printable\n\n{}\n", qp(d)),
                Cte::SevenBit => {
                    s += &format!("Content-Transfer-Encoding: 7bit\n\n{}\n", String::from_utf8_lossy(d))
                }
                Cte::EightBit => s += &format!("Content-Transfer-Encoding: 8bit\n\n{RAW_MARK}\n"),
            }
        }
        if let Some(p) = &self.postacert {
            s += &format!("------------=_1542123566-1838-1410{tag}\n", tag = self.tag);
            s += "Content-Type: message/rfc822; name=\"postacert.eml\"\nContent-Disposition: inline; filename=\"postacert.eml\"\n";
            if self.postacert_base64 {
                s += &format!("Content-Transfer-Encoding: base64\n\n{}\n", b64_lines(p));
            } else {
                s += &format!("Content-Transfer-Encoding: 7bit\n\n{}\n", String::from_utf8_lossy(p));
            }
        }
        s += &format!("------------=_1542123566-1838-1410{tag}--\n", tag = self.tag);
        s
    }

    pub fn build(&self) -> Vec<u8> {
        let mut s = String::new();
        for (n, v) in &self.headers {
            s += &format!("{n}: {v}\n");
        }
        if self.signed {
            s += &format!(
                "Content-Type: multipart/signed; protocol=\"{}\"; micalg=\"sha-256\"; boundary=\"----08FC388CE5F459426EC143CACAD35ED7{tag}\"\n\n",
                self.protocol,
                tag = self.tag
            );
            s += &format!("This is an S/MIME signed message\n\n------08FC388CE5F459426EC143CACAD35ED7{tag}\n", tag = self.tag);
            s += &self.signed_content();
            s += &format!("\n------08FC388CE5F459426EC143CACAD35ED7{tag}\n", tag = self.tag);
            s += "Content-Type: application/x-pkcs7-signature; name=\"smime.p7s\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"smime.p7s\"\n\n";
            s += &b64_lines(&[0x30, 0x03, 0x02, 0x01, 0x01]);
            s += &format!("\n------08FC388CE5F459426EC143CACAD35ED7{tag}--\n", tag = self.tag);
        } else {
            // The same content, as a forwarded/forged receipt would carry it.
            let inner = self.signed_content();
            let (hdr, body) = inner.split_once("\n\n").expect("content has headers");
            s += hdr;
            s += "\n\n";
            s += body;
        }
        let s = if self.crlf { s.replace('\n', "\r\n") } else { s };
        match (s.find(RAW_MARK), &self.daticert) {
            (Some(at), Some(d)) => {
                let mut out = s.as_bytes()[..at].to_vec();
                out.extend_from_slice(d);
                out.extend_from_slice(&s.as_bytes()[at + RAW_MARK.len()..]);
                out
            }
            _ => s.into_bytes(),
        }
    }
}
