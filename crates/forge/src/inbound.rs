//! Mail that arrives independently of the user's sent messages: PEC from others
//! (transport envelopes, sometimes from the SdI with invoices), anomaly envelopes for
//! ordinary mail sent to the PEC box, and ordinary newsletters.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::compose::{fattura_xml, newsletter, pdf, Attachment, Client, Composed};
use crate::daticert::{Daticert, Dest};
use crate::data::*;
use crate::envelope::{build, received_chain, Envelope};
use crate::faults::Fault;
use crate::lifecycle::{correspondent, person, provider_for_domain, Account, Corpus, Folder, OutFile};
use crate::manifest::Kind;
use crate::mime::Charset;
use crate::providers::PROVIDERS;
use crate::util::received_date;

impl Corpus {
    /// Mail not tied to the sent message: inbound PEC, anomalies, ordinary mail.
    pub(crate) fn others(&self, rng: &mut ChaCha8Rng, acct: &Account, t0: DateTime<Utc>, index: u64) -> Vec<OutFile> {
        let mut out = Vec::new();
        let uprov = &PROVIDERS[acct.provider];
        if rng.gen_bool(0.45) {
            let t = t0 + Duration::seconds(rng.gen_range(60..20000));
            let sdi = rng.gen_bool(0.15);
            let (name, addr) = if sdi {
                ("".to_string(), format!("sdi{:02}@pec.fatturapa.it", rng.gen_range(1..40)))
            } else {
                loop {
                    let (n, a, c) = correspondent(rng);
                    if c {
                        break (n, a);
                    }
                }
            };
            let sprov_idx = if sdi { 5 } else { provider_for_domain(addr.rsplit('@').next().unwrap_or("")) };
            let sprov = &PROVIDERS[sprov_idx];
            let client = [Client::Thunderbird, Client::Outlook, Client::Webmail, Client::Gestionale][rng.gen_range(0..4)];
            let mut m = Composed::new(rng, client, &name, &addr, t - Duration::seconds(1));
            let (subject, theme) = if sdi {
                (format!("Invio File {}", rng.gen_range(1_000_000..99_999_999)), "fatturapa")
            } else {
                sent_subject(rng, chrono::Datelike::year(&t), chrono::Datelike::month0(&t))
            };
            m.subject = subject.clone();
            m.to = vec![acct.address.clone()];
            // Sometimes the user is one of several addressees (a copy to a colleague).
            let mut cc: Option<(String, bool)> = None;
            if !sdi && rng.gen_bool(0.25) {
                let (_, a, certified) = correspondent(rng);
                if a != addr && a != acct.address {
                    m.cc = vec![a.clone()];
                    cc = Some((a, certified));
                }
            }
            m.text = sent_body(theme, &format!("Gentile {}", acct.name), if name.is_empty() { "Sistema di Interscambio" } else { &name });
            let mut has_p7m = false;
            if theme.starts_with("fattura") || rng.gen_bool(0.3) {
                if rng.gen_bool(0.5) {
                    let numero = format!("{}", rng.gen_range(1..999));
                    let xml = fattura_xml(rng, "Fornitore Esempio S.r.l.", "01234567890", &numero, t);
                    has_p7m = true;
                    let p7m = crate::smime::cades_p7m(&self.pki.qualified, &xml, t - Duration::minutes(30));
                    m.attachments.push(Attachment { filename: format!("IT01234567890_{:05}.xml.p7m", rng.gen_range(1..99999)), ctype: "application/pkcs7-mime", data: p7m, is_p7m: true });
                } else {
                    m.attachments.push(Attachment { filename: "documento.pdf".into(), ctype: "application/pdf", data: pdf(&subject), is_p7m: false });
                }
            }
            let msgid = format!("<{}>", m.message_id);
            let ident = sprov.identificativo(rng, t);
            let rec = format!(
                "Received: from client.example.it (client.example.it [10.{}.{}.{}])\r\n\tby {} (Postfix) with ESMTPSA id {:X}\r\n\tfor <{}>; {}\r\n",
                rng.gen_range(0..255), rng.gen_range(0..255), rng.gen_range(1..255), sprov.hosts.0, rng.gen::<u64>(), acct.address, received_date(t)
            );
            let original = m.render(false, &[rec]);
            let mut dests = vec![Dest { address: &acct.address, certified: true }];
            if let Some((a, certified)) = &cc {
                dests.push(Dest { address: a, certified: *certified });
            }
            let dc = Daticert {
                tipo: "posta-certificata",
                errore: "nessuno",
                mittente: &addr,
                destinatari: &dests,
                risposte: &addr,
                oggetto: Some(&subject),
                gestore: sprov.gestore,
                time: t,
                identificativo: &ident,
                msgid: &msgid,
                ricevuta: None,
                consegna: None,
                errore_esteso: None,
                charset: Charset::Utf8,
            };
            let fault = self.faults.pick(self.seed, index, 1000);
            let ids = self.signer(sprov_idx, fault);
            let env = Envelope {
                provider: sprov,
                identity: ids.0,
                key: ids.1,
                fault,
                kind: Kind::Transport,
                time: t,
                subject: &subject,
                from: format!("\"Per conto di: {addr}\" <{}>", sprov.address()),
                to: dests.iter().map(|d| d.address.to_string()).collect(),
                reply_to: Some(addr.clone()),
                riferimento: &msgid,
                message_id: ident.clone(),
                daticert: Some(dc),
                sender: &addr,
                recipients: &dests,
                consegna: None,
                identificativo: &ident,
                errore_esteso: None,
                ricevuta: None,
                virus: false,
                final_timeout: false,
                verifica_sicurezza: rng.gen_bool(0.01),
                postacert: Some(&original),
                delivered_to: &acct.address,
                received: received_chain(rng, sprov, uprov, &acct.address, t),
            };
            out.push(OutFile { folder: Folder::Inbox, kind: Kind::Transport, time: t, bytes: build(rng, &env), recipient: None, signed: true, receipt_type: None, has_p7m, seen: rng.gen_bool(0.8), fault });
        }
        if rng.gen_bool(0.02) {
            // Ordinary mail sent to a PEC mailbox: the user's provider wraps it as an anomaly.
            let t = t0 + Duration::seconds(rng.gen_range(60..30000));
            let (f, l, n) = person(rng);
            let addr = format!("{}.{}@{}", slug(&f), slug(&l), pick(rng, ORDINARY_DOMAINS));
            let mut m = Composed::new(rng, Client::Webmail, &n, &addr, t - Duration::seconds(2));
            m.subject = "Richiesta informazioni".to_string();
            m.to = vec![acct.address.clone()];
            m.text = sent_body("generico", "Buongiorno", &n);
            let msgid = format!("<{}>", m.message_id);
            let original = m.render(false, &[]);
            let dests = [Dest { address: &acct.address, certified: true }];
            // No daticert in an anomaly envelope: tamper with its body instead.
            let fault = self.faults.pick(self.seed, index, 1001).map(|f| if f == Fault::TamperedDaticert { Fault::TamperedBody } else { f });
            let ids = self.signer(acct.provider, fault);
            let env = Envelope {
                provider: uprov,
                identity: ids.0,
                key: ids.1,
                fault,
                kind: Kind::Anomaly,
                time: t,
                subject: &m.subject,
                from: format!("\"Per conto di: {addr}\" <{}>", uprov.address()),
                to: vec![acct.address.clone()],
                reply_to: Some(addr.clone()),
                riferimento: &msgid,
                message_id: uprov.receipt_id(rng, t),
                daticert: None,
                sender: &addr,
                recipients: &dests,
                consegna: None,
                identificativo: "",
                errore_esteso: None,
                ricevuta: None,
                virus: false,
                final_timeout: false,
                verifica_sicurezza: false,
                postacert: Some(&original),
                delivered_to: &acct.address,
                received: received_chain(rng, uprov, uprov, &acct.address, t),
            };
            out.push(OutFile { folder: Folder::Inbox, kind: Kind::Anomaly, time: t, bytes: build(rng, &env), recipient: None, signed: true, receipt_type: None, has_p7m: false, seen: rng.gen_bool(0.5), fault });
        }
        if rng.gen_bool(0.25) {
            let t = t0 + Duration::seconds(rng.gen_range(60..40000));
            let (from, name, subj) = NEWSLETTERS[rng.gen_range(0..NEWSLETTERS.len())];
            out.push(OutFile { folder: Folder::Inbox, kind: Kind::Plain, time: t, bytes: newsletter(rng, from, name, subj, &acct.address, t), recipient: None, signed: false, receipt_type: None, has_p7m: false, seen: rng.gen_bool(0.6), fault: None });
        }
        out.sort_by_key(|f| f.time);
        out
    }
}
