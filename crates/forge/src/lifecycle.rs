//! Whole lifecycles: one sent message and everything it causes in the user's mailbox,
//! plus the unrelated mail (inbound PEC, anomalies, newsletters) that arrives meanwhile.
//!
//! `Corpus::generate(i)` is a pure function of (seed, i): it draws from an RNG derived
//! from both, so units can be produced on any thread in any order.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::compose::{fattura_xml, pdf, Attachment, Client, Composed};
use crate::daticert::{Daticert, Dest};
use crate::data::*;
use crate::envelope::{build, received_chain, Envelope};
use crate::manifest::{Kind, MessageEntry, Outcome, RecipientEntry};
use crate::mime::Charset;
use crate::faults::{Fault, FaultPlan};
use crate::pki::{Identity, Pki};
use crate::providers::{provider_of, PROVIDERS};
use crate::util::{derive_rng, received_date};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Inbox,
    Sent,
}

/// One file of the store, before it is placed in a format.
pub struct OutFile {
    pub folder: Folder,
    pub kind: Kind,
    /// Arrival time (used for file names and mbox separators).
    pub time: DateTime<Utc>,
    /// CRLF-canonical message bytes.
    pub bytes: Vec<u8>,
    pub recipient: Option<String>,
    pub signed: bool,
    pub receipt_type: Option<&'static str>,
    pub has_p7m: bool,
    pub seen: bool,
    pub fault: Option<Fault>,
}

/// Everything generated for one message index.
pub struct Unit {
    pub index: u64,
    /// Manifest entry; `files` is filled in by the store writer.
    pub entry: MessageEntry,
    pub files: Vec<OutFile>,
    pub others: Vec<OutFile>,
}

pub struct Account {
    pub name: String,
    pub address: String,
    pub provider: usize,
}

pub struct Corpus {
    pub seed: u64,
    pub pki: Pki,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub messages: u64,
    pub accounts: Vec<Account>,
    pub faults: FaultPlan,
}

/// A planned recipient of a sent message.
struct Rcpt {
    address: String,
    certified: bool,
    provider: usize,
    plan: Plan,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plan {
    Delivered,
    Failed(Failure),
    WarnedDelivered,
    WarnedFailed,
    Warned,
    Pending,
    External,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Failure {
    NoDest,
    NoDominio,
    Virus,
    Full,
}

/// Providers a domain may be hosted by when it is not in any provider's list: a stable
/// hash, so custom domains (Comuni, firms) spread over providers.
pub(crate) fn provider_for_domain(domain: &str) -> usize {
    let known = provider_of(domain);
    if PROVIDERS[known].user_domains.contains(&domain) {
        return known;
    }
    let h = domain.bytes().fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
    (h % 5) as usize
}

pub(crate) fn person<R: Rng>(rng: &mut R) -> (String, String, String) {
    let f = pick(rng, FIRST_NAMES);
    let l = pick(rng, SURNAMES);
    (f.to_string(), l.to_string(), format!("{f} {l}"))
}

pub(crate) fn pec_domain<R: Rng>(rng: &mut R) -> &'static str {
    let p = &PROVIDERS[rng.gen_range(0..5)];
    p.user_domains.choose(rng).copied().unwrap_or(p.domain)
}

/// A random PEC or ordinary correspondent: (display name, address, certified).
pub(crate) fn correspondent<R: Rng>(rng: &mut R) -> (String, String, bool) {
    match rng.gen_range(0..20) {
        // ~85% PEC addressees: professionals, firms, Comuni, courts; the rest ordinary mail.
        0..=6 | 14..=16 => {
            let (f, l, n) = person(rng);
            (n, format!("{}.{}@{}", slug(&f), slug(&l), pec_domain(rng)), true)
        }
        7..=10 => {
            let c = format!("{} {}", pick(rng, COMPANY_STEMS), pick(rng, COMPANY_FORMS));
            let s = slug(pick(rng, COMPANY_STEMS)).replace('.', "");
            let local = ["amministrazione", "info", "pec", "ufficio.acquisti"][rng.gen_range(0..4)];
            (c, format!("{local}@pec.{s}.it"), true)
        }
        11..=12 => {
            let (n, s) = COMUNI[rng.gen_range(0..COMUNI.len())];
            (format!("Comune di {n}"), format!("protocollo@pec.comune.{s}.it"), true)
        }
        13 => {
            let (n, s) = TRIBUNALI[rng.gen_range(0..TRIBUNALI.len())];
            (format!("Tribunale di {n}"), format!("prot.tribunale.{s}@giustiziacert.it"), true)
        }
        _ => {
            let (f, l, n) = person(rng);
            (n, format!("{}.{}@{}", slug(&f), slug(&l), pick(rng, ORDINARY_DOMAINS)), false)
        }
    }
}

fn plan<R: Rng>(rng: &mut R) -> Plan {
    let r: f64 = rng.gen();
    match r {
        r if r < 0.85 => Plan::Delivered,
        r if r < 0.89 => Plan::Failed(match rng.gen_range(0..20) {
            0..=9 => Failure::NoDest,
            10..=14 => Failure::NoDominio,
            15..=17 => Failure::Virus,
            _ => Failure::Full,
        }),
        r if r < 0.91 => Plan::WarnedDelivered,
        r if r < 0.925 => Plan::WarnedFailed,
        r if r < 0.935 => Plan::Warned,
        r if r < 0.955 => Plan::Pending,
        _ => Plan::Delivered,
    }
}

impl Corpus {
    pub fn new(seed: u64, messages: u64, start: DateTime<Utc>, end: DateTime<Utc>, accounts: usize, key_cache: Option<&std::path::Path>) -> Corpus {
        let owned = crate::providers::signer_specs();
        let specs = crate::providers::specs_for_pki(&owned);
        let pki = Pki::build(seed, &specs, key_cache);
        let mut rng = derive_rng(seed, "accounts", 0);
        let accounts = (0..accounts.max(1))
            .map(|i| {
                let (f, l, n) = person(&mut rng);
                // The first account is on Aruba (the largest provider); others anywhere.
                let p = if i == 0 { 0 } else { rng.gen_range(0..5) };
                let dom = PROVIDERS[p].user_domains[0];
                Account { name: n, address: format!("{}.{}@{}", slug(&f), slug(&l), dom), provider: provider_for_domain(dom) }
            })
            .collect();
        Corpus { seed, pki, start, end, messages, accounts, faults: FaultPlan::default() }
    }

    /// Enables faulty files (see [`crate::faults`]).
    pub fn with_faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// (certificate identity, signing key) for a provider message with an optional fault.
    pub(crate) fn signer(&self, pidx: usize, fault: Option<Fault>) -> (&Identity, &Identity) {
        let p = &self.pki.providers;
        match fault {
            Some(Fault::ExpiredAtSigning) => (&self.pki.expired[pidx], &self.pki.expired[pidx]),
            Some(Fault::UntrustedRoot) => (&self.pki.rogue[pidx], &self.pki.rogue[pidx]),
            Some(Fault::WrongKey) => {
                // Another provider's key of the same type: well-formed, wrong signature.
                let other = (1..p.len()).map(|k| (pidx + k) % p.len()).find(|&j| p[j].alg == p[pidx].alg).unwrap_or(pidx);
                (&p[pidx], &p[other])
            }
            _ => (&p[pidx], &p[pidx]),
        }
    }

    /// Sending time of message `index`: messages are spread evenly and in order over the
    /// working hours (08:00-19:00 Rome, Monday to Friday) of the range, so the store is
    /// chronological and looks like office mail.
    fn sent_time(&self, rng: &mut ChaCha8Rng, index: u64) -> DateTime<Utc> {
        use chrono::Datelike;
        const DAY: f64 = 11.0 * 3600.0;
        let mut monday = self.start.date_naive();
        while monday.weekday() != chrono::Weekday::Mon {
            monday = monday.succ_opt().unwrap_or(monday);
        }
        let days = (self.end.date_naive() - monday).num_days().max(1);
        let workdays = (days / 7 * 5 + (days % 7).min(5)).max(1) as f64;
        let pos = (index as f64 + rng.gen::<f64>()) / self.messages.max(1) as f64;
        let offset = pos * workdays * DAY;
        let wd = (offset / DAY).floor() as i64;
        let in_day = offset - wd as f64 * DAY;
        let date = monday + Duration::days(wd / 5 * 7 + wd % 5);
        let local = date.and_hms_opt(8, 0, 0).expect("time") + Duration::milliseconds((in_day * 1000.0) as i64);
        let approx = local.and_utc();
        approx - Duration::seconds(crate::util::rome_offset_secs(approx) as i64)
    }

    pub fn generate(&self, index: u64) -> Unit {
        let mut rng = derive_rng(self.seed, "message", index);
        let t0 = self.sent_time(&mut rng, index);
        let acct = &self.accounts[rng.gen_range(0..self.accounts.len())];
        let uprov = &PROVIDERS[acct.provider];

        // ---- compose M
        let client = [Client::Thunderbird, Client::Outlook, Client::Webmail, Client::Gestionale][rng.gen_range(0..4)];
        let mut m = Composed::new(&mut rng, client, &acct.name, &acct.address, t0);
        let (subject, theme) = sent_subject(&mut rng, chrono::Datelike::year(&t0), chrono::Datelike::month0(&t0));
        let n_rcpt = *[1usize, 1, 1, 2, 2, 3, 4, 5].choose(&mut rng).unwrap_or(&1);
        let mut rcpts: Vec<Rcpt> = Vec::new();
        let mut greeting = "Buongiorno".to_string();
        while rcpts.len() < n_rcpt {
            let (name, addr, certified) = correspondent(&mut rng);
            if rcpts.iter().any(|r| r.address == addr) || addr == acct.address {
                continue;
            }
            if rcpts.is_empty() {
                // "Gentile" for a person, "Spett.le" for an office or a firm.
                let person = FIRST_NAMES.contains(&name.split(' ').next().unwrap_or(""));
                greeting = format!("{} {name}", if person { "Gentile" } else { "Spett.le" });
            }
            let provider = provider_for_domain(addr.rsplit('@').next().unwrap_or(""));
            let plan = if certified { plan(&mut rng) } else { Plan::External };
            rcpts.push(Rcpt { address: addr, certified, provider, plan });
        }
        if !rcpts.iter().any(|r| r.certified) {
            // A PEC message always has at least one PEC addressee in practice.
            rcpts[0].certified = true;
            rcpts[0].address = rcpts[0].address.replace(rcpts[0].address.rsplit('@').next().unwrap_or(""), pec_domain(&mut rng));
            rcpts[0].provider = provider_for_domain(rcpts[0].address.rsplit('@').next().unwrap_or(""));
            rcpts[0].plan = plan(&mut rng);
        }
        let n_to = if rcpts.len() > 2 && rng.gen_bool(0.5) { rcpts.len() - 1 } else { rcpts.len() };
        m.to = rcpts[..n_to].iter().map(|r| r.address.clone()).collect();
        m.cc = rcpts[n_to..].iter().map(|r| r.address.clone()).collect();
        m.subject = subject.clone();
        m.text = sent_body(theme, &greeting, &acct.name);
        if rng.gen_bool(0.05) {
            // A forwarded block: its "From " line is what mbox stores must quote.
            m.text.push_str(&format!("\n-------- Messaggio inoltrato --------\nFrom {} <{}>\nInviato: {}\n\n> Si conferma la ricezione.\n", greeting.split_once(' ').map(|x| x.1).unwrap_or(""), rcpts[0].address, crate::util::rfc2822_rome(t0 - Duration::days(2))));
        }
        let mut has_p7m = false;
        let att_roll: f64 = rng.gen();
        if theme == "fatturapa" || (theme == "fattura" && att_roll < 0.5) {
            let cedente = format!("{} {}", pick(&mut rng, COMPANY_STEMS), pick(&mut rng, COMPANY_FORMS));
            let piva = format!("{:011}", rng.gen_range(1_000_000_000u64..99_999_999_999));
            let numero = format!("{}", rng.gen_range(1..999));
            let xml = fattura_xml(&mut rng, &cedente, &piva, &numero, t0);
            if rng.gen_bool(0.5) {
                has_p7m = true;
                let p7m = crate::smime::cades_p7m(&self.pki.qualified, &xml, t0 - Duration::minutes(rng.gen_range(2..600)));
                m.attachments.push(Attachment { filename: format!("{}.xml.p7m", subject.trim_end_matches(".xml").replace(['/', ' '], "_")), ctype: "application/pkcs7-mime", data: p7m, is_p7m: true });
            } else {
                m.attachments.push(Attachment { filename: format!("{}.xml", subject.trim_end_matches(".xml").replace(['/', ' '], "_")), ctype: "application/xml", data: xml, is_p7m: false });
            }
        } else if att_roll < 0.35 {
            let doc = pdf(&subject);
            let base = format!("{}.pdf", theme);
            if matches!(theme, "tribunale" | "contratto" | "diffida") && rng.gen_bool(0.6) {
                has_p7m = true;
                let p7m = crate::smime::cades_p7m(&self.pki.qualified, &doc, t0 - Duration::minutes(rng.gen_range(2..3000)));
                m.attachments.push(Attachment { filename: format!("{base}.p7m"), ctype: "application/pkcs7-mime", data: p7m, is_p7m: true });
            } else {
                m.attachments.push(Attachment { filename: base, ctype: "application/pdf", data: doc, is_p7m: false });
            }
        }
        let msgid = format!("<{}>", m.message_id);
        let sent_copy = m.render(false, &[]);

        let mut files = vec![OutFile {
            folder: Folder::Sent,
            kind: Kind::Plain,
            time: t0,
            bytes: sent_copy,
            recipient: None,
            signed: false,
            receipt_type: None,
            has_p7m,
            seen: true,
            fault: None,
        }];
        let dests: Vec<Dest<'_>> = rcpts.iter().map(|r| Dest { address: &r.address, certified: r.certified }).collect();
        let ident = uprov.identificativo(&mut rng, t0 + Duration::seconds(1));
        let accepted = !rng.gen_bool(0.02);
        let receipt_type = *["completa", "completa", "completa", "completa", "completa", "completa", "completa", "completa", "breve", "sintetica"].choose(&mut rng).unwrap_or(&"completa");

        // Common pieces of every provider message about M.
        let mut file_no = 0u64;
        let mut push = |rng: &mut ChaCha8Rng, kind: Kind, pidx: usize, time: DateTime<Utc>, rcpt: Option<&str>, errore: &'static str, esteso: Option<String>, virus: bool, final_timeout: bool, postacert: Option<Vec<u8>>, ricevuta: Option<&'static str>| {
            let prov = &PROVIDERS[pidx];
            let fault = self.faults.pick(self.seed, index, file_no);
            file_no += 1;
            let ids = self.signer(pidx, fault);
            let tipo = match kind {
                Kind::Acceptance => "accettazione",
                Kind::NonAcceptance => "non-accettazione",
                Kind::TakingCharge => "presa-in-carico",
                Kind::Delivery => "avvenuta-consegna",
                Kind::DeliveryError => "errore-consegna",
                Kind::DeliveryWarning => "preavviso-errore-consegna",
                Kind::VirusDetected => "rilevazione-virus",
                _ => "posta-certificata",
            };
            let dc = Daticert {
                tipo,
                errore,
                mittente: &acct.address,
                destinatari: &dests,
                risposte: &acct.address,
                oggetto: Some(&subject),
                gestore: prov.gestore,
                time,
                identificativo: &ident,
                msgid: &msgid,
                ricevuta,
                consegna: rcpt,
                errore_esteso: esteso.as_deref(),
                charset: Charset::Utf8,
            };
            let env = Envelope {
                provider: prov,
                identity: ids.0,
                key: ids.1,
                fault,
                kind,
                time,
                subject: &subject,
                from: prov.receipt_from(),
                to: vec![acct.address.clone()],
                reply_to: None,
                riferimento: &msgid,
                message_id: prov.receipt_id(rng, time),
                daticert: Some(dc),
                sender: &acct.address,
                recipients: &dests,
                consegna: rcpt,
                identificativo: &ident,
                errore_esteso: esteso.as_deref(),
                ricevuta,
                virus,
                final_timeout,
                verifica_sicurezza: false,
                postacert: postacert.as_deref(),
                delivered_to: &acct.address,
                received: received_chain(rng, prov, uprov, &acct.address, time),
            };
            let bytes = build(rng, &env);
            files.push(OutFile {
                folder: Folder::Inbox,
                kind,
                time,
                bytes,
                recipient: rcpt.map(str::to_string),
                signed: true,
                receipt_type: ricevuta,
                has_p7m: has_p7m && postacert.as_ref().is_some_and(|_| ricevuta != Some("breve")),
                seen: rng.gen_bool(0.9),
                fault,
            });
        };

        let mut outcomes = Vec::new();
        if !accepted {
            let virus = rng.gen_bool(0.3);
            let (errore, esteso) = if virus {
                ("virus", format!("5.7.1 - {} - virus rilevato: Win.Trojan.Agent-{}", uprov.gestore, rng.gen_range(100000..999999)))
            } else {
                ("altro", ["Ccn non consentito", "dimensione del messaggio superiore al limite consentito", "mittente non corrispondente all'utente autenticato"][rng.gen_range(0..3)].to_string())
            };
            let t = t0 + Duration::seconds(rng.gen_range(1..4));
            push(&mut rng, Kind::NonAcceptance, acct.provider, t, None, errore, Some(esteso), virus, false, None, None);
            for r in &rcpts {
                outcomes.push(RecipientEntry { address: r.address.clone(), rtype: if r.certified { "certificato" } else { "esterno" }, outcome: Outcome::Failed, errore: Some(errore) });
            }
        } else {
            let t_acc = t0 + Duration::seconds(rng.gen_range(0..3));
            push(&mut rng, Kind::Acceptance, acct.provider, t_acc, None, "nessuno", None, false, false, None, None);
            // What each recipient's provider receives: M plus the submission Received line.
            let received_m = format!(
                "Received: from [192.168.{}.{}] (host-{}.retail.example.it [79.{}.{}.{}])\r\n\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\r\n\tby {} (Postfix) with ESMTPSA id {:X}\r\n\tfor <{}>; {}\r\n",
                rng.gen_range(0..255), rng.gen_range(2..254), rng.gen_range(1000..9999), rng.gen_range(1..255), rng.gen_range(1..255), rng.gen_range(1..255),
                uprov.hosts.0, rng.gen::<u64>(), rcpts[0].address, received_date(t0)
            );
            for r in &rcpts {
                let t_del = t_acc + Duration::seconds(rng.gen_range(1..240));
                let rt = if r.certified { "certificato" } else { "esterno" };
                let mut errore = None;
                let outcome = match r.plan {
                    Plan::External => Outcome::NotProvable,
                    Plan::Pending => Outcome::Pending,
                    Plan::Delivered | Plan::WarnedDelivered => {
                        if rng.gen_bool(0.03) {
                            push(&mut rng, Kind::TakingCharge, r.provider, t_acc + Duration::seconds(1), Some(&r.address), "nessuno", None, false, false, None, None);
                        }
                        let t = if r.plan == Plan::WarnedDelivered {
                            let tw = t0 + Duration::hours(12) + Duration::seconds(rng.gen_range(5..600));
                            push(&mut rng, Kind::DeliveryWarning, acct.provider, tw, Some(&r.address), "altro", Some("4.4.7 - Preavviso: consegna non ancora avvenuta entro 12 ore".into()), false, false, None, None);
                            tw + Duration::seconds(rng.gen_range(60..40000))
                        } else {
                            t_del
                        };
                        let pc = match receipt_type {
                            "completa" => Some(m.render(false, std::slice::from_ref(&received_m))),
                            "breve" => Some(m.render(true, std::slice::from_ref(&received_m))),
                            _ => None,
                        };
                        push(&mut rng, Kind::Delivery, r.provider, t, Some(&r.address), "nessuno", None, false, false, pc, Some(receipt_type));
                        Outcome::Delivered
                    }
                    Plan::Failed(f) => {
                        let (pidx, e, esteso) = match f {
                            Failure::NoDest => (r.provider, if PROVIDERS[r.provider].label == "aruba" { "altro" } else { "no-dest" }, format!("5.1.1 - {} - indirizzo non valido", PROVIDERS[r.provider].gestore)),
                            Failure::NoDominio => (acct.provider, "no-dominio", format!("5.1.2 - {} - dominio non esistente", uprov.gestore)),
                            Failure::Virus => (r.provider, "virus", format!("5.7.1 - {} - virus rilevato nel messaggio", PROVIDERS[r.provider].gestore)),
                            Failure::Full => (r.provider, "altro", format!("5.2.2 - {} - casella del destinatario piena", PROVIDERS[r.provider].gestore)),
                        };
                        if f == Failure::Virus && rng.gen_bool(0.6) {
                            push(&mut rng, Kind::VirusDetected, r.provider, t_del - Duration::seconds(1), Some(&r.address), "virus", Some(esteso.clone()), true, false, None, None);
                        }
                        push(&mut rng, Kind::DeliveryError, pidx, t_del, Some(&r.address), e, Some(esteso), f == Failure::Virus, false, None, None);
                        errore = Some(e);
                        Outcome::Failed
                    }
                    Plan::WarnedFailed | Plan::Warned => {
                        let tw = t0 + Duration::hours(12) + Duration::seconds(rng.gen_range(5..600));
                        push(&mut rng, Kind::DeliveryWarning, acct.provider, tw, Some(&r.address), "altro", Some("4.4.7 - Preavviso: consegna non ancora avvenuta entro 12 ore".into()), false, false, None, None);
                        if r.plan == Plan::Warned {
                            Outcome::Warned
                        } else {
                            let tf = t0 + Duration::hours(24) + Duration::seconds(rng.gen_range(5..600));
                            push(&mut rng, Kind::DeliveryError, acct.provider, tf, Some(&r.address), "altro", Some(format!("4.4.7 - {} - tempo massimo di consegna superato", uprov.gestore)), false, true, None, None);
                            errore = Some("altro");
                            Outcome::Failed
                        }
                    }
                };
                outcomes.push(RecipientEntry { address: r.address.clone(), rtype: rt, outcome, errore });
            }
        }
        files.sort_by_key(|f| f.time);

        let entry = MessageEntry {
            index,
            message_id: msgid.clone(),
            sender: acct.address.clone(),
            subject: subject.clone(),
            sent_at: t0.to_rfc3339(),
            accepted,
            identificativo: accepted.then(|| ident.clone()),
            provider: uprov.label,
            recipients: outcomes,
            files: vec![],
        };
        let others = self.others(&mut rng, acct, t0, index);
        Unit { index, entry, files, others }
    }
}
