//! Messages as mail clients write them: the user's sent messages, what outside senders
//! send to the user through PEC, and ordinary non-PEC mail. Unsigned, CRLF.

use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::mime::{base64_lines, encode_body_bytes, fold_list, header_text, Builder, Charset, Cte};
use crate::util::{hex, rfc2822_rome};

pub struct Attachment {
    pub filename: String,
    pub ctype: &'static str,
    pub data: Vec<u8>,
    pub is_p7m: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    Thunderbird,
    Outlook,
    Webmail,
    Gestionale,
}

/// A composed message, kept structured so it can be rendered whole or "breve".
pub struct Composed {
    pub message_id: String,
    pub from: String,
    pub from_addr: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub date: DateTime<Utc>,
    pub client: Client,
    pub text: String,
    pub html: bool,
    pub attachments: Vec<Attachment>,
    pub boundary: String,
    pub alt_boundary: String,
}

impl Composed {
    pub fn new<R: Rng>(rng: &mut R, client: Client, from_name: &str, from_addr: &str, date: DateTime<Utc>) -> Composed {
        let domain = from_addr.rsplit('@').next().unwrap_or("localhost").to_string();
        let b: [u8; 16] = rng.gen();
        let message_id = match client {
            Client::Thunderbird => format!(
                "{}-{}-{}-{}-{}@{domain}",
                hex(&b[0..4]),
                hex(&b[4..6]),
                hex(&b[6..8]),
                hex(&b[8..10]),
                hex(&b[10..16])
            ),
            // Outlook: <0000xx01d4a1b2$c3d4e5f0$e5f6a7b8$@domain>
            Client::Outlook => {
                format!("0000{:02x}01d{}${}${}$@{domain}", b[0] & 0x3f, &hex(&b[1..4])[..5], hex(&b[4..8]), hex(&b[8..12]))
            }
            Client::Webmail => format!("{}@{domain}", hex(&b)),
            Client::Gestionale => format!(
                "{}.{}.{}-gestionale-fatturapa.attachment.out@srv-{}",
                date.timestamp(),
                rng.gen_range(100_000_000u64..999_999_999),
                rng.gen_range(100_000_000u64..999_999_999),
                hex(&b[0..2])
            ),
        };
        let alnum = |rng: &mut R, n: usize| -> String {
            const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            (0..n).map(|_| A[rng.gen_range(0..A.len())] as char).collect()
        };
        let (boundary, alt_boundary) = match client {
            Client::Thunderbird => (format!("------------{}", alnum(rng, 24)), format!("------------{}", alnum(rng, 24))),
            Client::Outlook => {
                let s = hex(&b[4..8]).to_uppercase();
                (format!("----=_NextPart_000_0001_01D{s}"), format!("----=_NextPart_001_0002_01D{s}"))
            }
            Client::Webmail => (format!("=_{}", hex(&b[0..16])), format!("=_{}", hex(&b[8..16]))),
            Client::Gestionale => (
                format!("==============={}==", rng.gen_range(1_000_000_000_000_000_000u64..9_999_999_999_999_999_999)),
                format!("==============={}==", rng.gen_range(1_000_000_000_000_000_000u64..9_999_999_999_999_999_999)),
            ),
        };
        let from = if from_name.is_empty() || client == Client::Gestionale {
            from_addr.to_string()
        } else {
            format!("\"{from_name}\" <{from_addr}>")
        };
        Composed {
            message_id,
            from,
            from_addr: from_addr.to_string(),
            to: vec![],
            cc: vec![],
            subject: String::new(),
            date,
            client,
            text: String::new(),
            html: matches!(client, Client::Outlook | Client::Webmail),
            attachments: vec![],
            boundary,
            alt_boundary,
        }
    }

    fn charset(&self) -> (Charset, Cte) {
        match self.client {
            Client::Thunderbird => (Charset::Utf8, Cte::EightBit),
            Client::Outlook => (Charset::Latin1, Cte::QuotedPrintable),
            Client::Webmail => (Charset::Utf8, Cte::QuotedPrintable),
            Client::Gestionale => (Charset::Utf8, Cte::Base64),
        }
    }

    /// The message as the client submitted it. `breve`: attachments replaced by their hash,
    /// as a "breve" delivery receipt carries it.
    pub fn render(&self, breve: bool, extra_top: &[String]) -> Vec<u8> {
        let mut m = Builder::new();
        for h in extra_top {
            m.raw(h);
        }
        let (cs, cte) = self.charset();
        m.h("Message-ID", &format!("<{}>", self.message_id));
        m.h("Date", &rfc2822_rome(self.date));
        match self.client {
            Client::Thunderbird => {
                m.h("MIME-Version", "1.0");
                m.h("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Thunderbird/102.15.1");
                m.h("Content-Language", "it");
            }
            Client::Outlook => {
                m.h("X-Mailer", "Microsoft Outlook 16.0");
                m.h("Thread-Index", "AdR7bn3Q8nV2h1kQTqKz0bWJmXJ1Ag==");
                m.h("Content-Language", "it");
            }
            Client::Webmail => {
                m.h("User-Agent", "Roundcube Webmail/1.4.15");
                m.h("X-Sender", &self.from_addr);
            }
            Client::Gestionale => {}
        }
        m.h("From", &self.from);
        m.raw(&fold_list("To", &self.to));
        if !self.cc.is_empty() {
            m.raw(&fold_list("Cc", &self.cc));
        }
        m.h("Subject", &header_text(&self.subject, Charset::Utf8));
        if self.client != Client::Thunderbird {
            m.h("MIME-Version", "1.0");
        }
        let body_parts = |m: &mut Builder| {
            if self.html {
                m.h("Content-Type", &format!("multipart/alternative; boundary=\"{}\"", self.alt_boundary));
                m.blank();
                m.open(&self.alt_boundary);
                m.h("Content-Type", &format!("text/plain; charset=\"{}\"", cs.name()));
                m.h("Content-Transfer-Encoding", cte.name());
                m.blank();
                m.bytes(&encode_body_bytes(&self.text, cs, cte));
                m.blank();
                m.open(&self.alt_boundary);
                m.h("Content-Type", &format!("text/html; charset=\"{}\"", cs.name()));
                m.h("Content-Transfer-Encoding", cte.name());
                m.blank();
                let html = format!(
                    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\"></head><body>\n<p>{}</p>\n</body></html>\n",
                    cs.name(),
                    crate::daticert::xml_escape(&self.text).replace("\n\n", "</p>\n<p>").replace('\n', "<br>\n")
                );
                m.bytes(&encode_body_bytes(&html, cs, cte));
                m.blank();
                m.close(&self.alt_boundary);
            } else {
                let flowed = if self.client == Client::Thunderbird { "; format=flowed" } else { "" };
                m.h("Content-Type", &format!("text/plain; charset={}{flowed}", cs.name().to_uppercase()));
                m.h("Content-Transfer-Encoding", cte.name());
                m.blank();
                m.bytes(&encode_body_bytes(&self.text, cs, cte));
            }
        };
        if self.attachments.is_empty() {
            body_parts(&mut m);
            return m.buf;
        }
        m.h("Content-Type", &format!("multipart/mixed; boundary=\"{}\"", self.boundary));
        m.blank();
        m.raw("This is a multi-part message in MIME format.\r\n");
        m.open(&self.boundary);
        body_parts(&mut m);
        for a in &self.attachments {
            m.blank();
            m.open(&self.boundary);
            if breve {
                // A "breve" receipt keeps the structure but swaps content for its digest.
                let h = hex(&Sha256::digest(&a.data));
                m.h("Content-Type", &format!("text/plain; charset=us-ascii; name=\"{}.hash\"", a.filename));
                m.h("Content-Disposition", &format!("attachment; filename=\"{}.hash\"", a.filename));
                m.h("Content-Transfer-Encoding", "7bit");
                m.blank();
                m.raw(&format!("SHA-256 ({}) = {h}\r\n", a.filename));
            } else {
                m.h("Content-Type", &format!("{}; name=\"{}\"", a.ctype, a.filename));
                m.h("Content-Disposition", &format!("attachment; filename=\"{}\"", a.filename));
                m.h("Content-Transfer-Encoding", "base64");
                m.blank();
                m.raw(&base64_lines(&a.data, 76));
            }
        }
        m.blank();
        m.close(&self.boundary);
        m.buf
    }
}

/// A small but valid one-page PDF with a line of text.
pub fn pdf(title: &str) -> Vec<u8> {
    let text: String = title.chars().filter(|c| c.is_ascii() && *c != '(' && *c != ')' && *c != '\\').collect();
    let stream = format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes());
    out
}

/// A compact FatturaPA document.
pub fn fattura_xml<R: Rng>(rng: &mut R, cedente: &str, piva: &str, numero: &str, date: DateTime<Utc>) -> Vec<u8> {
    let imponibile = rng.gen_range(100..20000) as f64 + rng.gen_range(0..100) as f64 / 100.0;
    let iva = (imponibile * 0.22 * 100.0).round() / 100.0;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><p:FatturaElettronica versione=\"FPR12\" xmlns:p=\"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2\"><FatturaElettronicaHeader><DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>{piva}</IdCodice></IdTrasmittente><ProgressivoInvio>{numero}</ProgressivoInvio><FormatoTrasmissione>FPR12</FormatoTrasmissione><CodiceDestinatario>0000000</CodiceDestinatario></DatiTrasmissione><CedentePrestatore><DatiAnagrafici><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>{piva}</IdCodice></IdFiscaleIVA><Anagrafica><Denominazione>{}</Denominazione></Anagrafica><RegimeFiscale>RF01</RegimeFiscale></DatiAnagrafici></CedentePrestatore></FatturaElettronicaHeader><FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento><TipoDocumento>TD01</TipoDocumento><Divisa>EUR</Divisa><Data>{}</Data><Numero>{numero}</Numero><ImportoTotaleDocumento>{:.2}</ImportoTotaleDocumento></DatiGeneraliDocumento></DatiGenerali><DatiBeniServizi><DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><ImponibileImporto>{imponibile:.2}</ImponibileImporto><Imposta>{iva:.2}</Imposta></DatiRiepilogo></DatiBeniServizi></FatturaElettronicaBody></p:FatturaElettronica>",
        crate::daticert::xml_escape(cedente),
        date.format("%Y-%m-%d"),
        imponibile + iva
    )
    .into_bytes()
}

/// Ordinary (non-PEC) mail: a newsletter-like text+HTML message.
pub fn newsletter<R: Rng>(rng: &mut R, from: &str, name: &str, subject: &str, to: &str, t: DateTime<Utc>) -> Vec<u8> {
    let b: [u8; 12] = rng.gen();
    let bd = format!("b1_{}", hex(&b));
    let text = format!("Gentile cliente,\n\n{subject}.\nPer maggiori informazioni visiti il nostro sito.\n\nCordiali saluti,\n{name}\n\nPer non ricevere più queste comunicazioni clicchi qui.\n");
    let html = format!("<html><body><h2>{}</h2><p>Gentile cliente,</p><p>{}.</p><p>Cordiali saluti,<br>{}</p></body></html>\n", crate::daticert::xml_escape(subject), crate::daticert::xml_escape(subject), crate::daticert::xml_escape(name));
    let mut m = Builder::new();
    m.raw(&format!(
        "Received: from mail.{dom} (mail.{dom} [93.{}.{}.{}])\r\n\tby mx.ordinaria.example.it (Postfix) with ESMTPS id {}\r\n\tfor <{to}>; {}\r\n",
        rng.gen_range(1..255),
        rng.gen_range(1..255),
        rng.gen_range(1..255),
        hex(&b[..5]).to_uppercase(),
        crate::util::received_date(t),
        dom = from.rsplit('@').next().unwrap_or("example.com")
    ));
    m.h("Date", &rfc2822_rome(t));
    m.h("From", &format!("\"{name}\" <{from}>"));
    m.h("To", to);
    m.h("Subject", &header_text(subject, Charset::Utf8));
    m.h("Message-ID", &format!("<{}@{}>", hex(&b), from.rsplit('@').next().unwrap_or("example.com")));
    m.h("List-Unsubscribe", &format!("<mailto:unsubscribe@{}>", from.rsplit('@').next().unwrap_or("example.com")));
    m.h("MIME-Version", "1.0");
    m.h("Content-Type", &format!("multipart/alternative; boundary=\"{bd}\""));
    m.blank();
    m.open(&bd);
    m.h("Content-Type", "text/plain; charset=utf-8");
    m.h("Content-Transfer-Encoding", "8bit");
    m.blank();
    m.bytes(&encode_body_bytes(&text, Charset::Utf8, Cte::EightBit));
    m.blank();
    m.open(&bd);
    m.h("Content-Type", "text/html; charset=utf-8");
    m.h("Content-Transfer-Encoding", "quoted-printable");
    m.blank();
    m.bytes(&encode_body_bytes(&html, Charset::Utf8, Cte::QuotedPrintable));
    m.blank();
    m.close(&bd);
    m.buf
}
