//! PEC providers and their house styles: subject wording, ids, boundaries, encodings.
//!
//! Modelled on real messages (Aruba's are in `samples/real/`); the other providers are
//! plausible variations so consumers cannot overfit to one provider's formatting.

use chrono::{DateTime, Datelike, Utc};
use rand::Rng;

use crate::manifest::Kind;
use crate::mime::{Charset, Cte};
use crate::pki::{DigestAlg, KeyAlg, SignerSpec};
use crate::smime::SmimeStyle;
use crate::util::{hex_upper, rome};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Aruba,
    Legalmail,
    Poste,
    Namirial,
    Register,
    Sogei,
}

pub struct Provider {
    pub flavor: Flavor,
    pub label: &'static str,
    /// daticert `gestore-emittente`.
    pub gestore: &'static str,
    /// Signer certificate subject (RFC 4514).
    pub subject: &'static str,
    /// Domain of `posta-certificata@...` and of the identificativi.
    pub domain: &'static str,
    /// Domains whose mailboxes this provider hosts.
    pub user_domains: &'static [&'static str],
    pub alg: KeyAlg,
    /// Host names in Received chains: (submission, mx, lmtp).
    pub hosts: (&'static str, &'static str, &'static str),
}

pub const PROVIDERS: &[Provider] = &[
    Provider {
        flavor: Flavor::Aruba,
        label: "aruba",
        gestore: "ARUBA PEC S.p.A.",
        subject: "CN=Posta Certificata ARUBA PEC,O=Aruba PEC S.p.A.,L=Ponte San Pietro,ST=Bergamo,C=IT",
        domain: "pec.aruba.it",
        user_domains: &["pec.it", "arubapec.it", "pec.studiobianchi.it"],
        alg: KeyAlg::Rsa2048,
        hosts: ("smtps.pec.aruba.it", "mx.pec.aruba.it", "smtpecshgo02.pec.ad.aruba.it"),
    },
    Provider {
        flavor: Flavor::Legalmail,
        label: "legalmail",
        gestore: "InfoCert S.p.A.",
        subject: "CN=Posta Certificata Legalmail,O=InfoCert S.p.A.,L=Roma,C=IT",
        domain: "legalmail.it",
        user_domains: &["legalmail.it", "pec.ordineavvocati.example.it", "giustiziacert.it"],
        alg: KeyAlg::EcP256,
        hosts: ("sendm.cert.legalmail.it", "mx.cert.legalmail.it", "store.cert.legalmail.it"),
    },
    Provider {
        flavor: Flavor::Poste,
        label: "postecert",
        gestore: "Postecom S.p.A.",
        subject: "CN=Posta Certificata Poste Italiane,O=Poste Italiane S.p.A.,L=Roma,C=IT",
        domain: "postecert.it",
        user_domains: &["postecert.it", "pec.comune.example.it"],
        alg: KeyAlg::EcP256,
        hosts: ("relay.postecert.it", "mx01.postecert.it", "mbox.postecert.it"),
    },
    Provider {
        flavor: Flavor::Namirial,
        label: "namirial",
        gestore: "Namirial S.p.A.",
        subject: "CN=Posta Certificata Namirial,O=Namirial S.p.A.,L=Senigallia,C=IT",
        domain: "sicurezzapostale.it",
        user_domains: &["sicurezzapostale.it", "pec.commercialisti.example.it"],
        alg: KeyAlg::EcP256,
        hosts: ("smtp.sicurezzapostale.it", "mx.sicurezzapostale.it", "pop.sicurezzapostale.it"),
    },
    Provider {
        flavor: Flavor::Register,
        label: "register",
        gestore: "REGISTER S.p.A.",
        subject: "CN=Posta Certificata Register.it,O=Register S.p.A.,L=Firenze,C=IT",
        domain: "pec.register.it",
        user_domains: &["pec.register.it", "pec.impresa.example.it"],
        alg: KeyAlg::EcP256,
        hosts: ("smtp.pec.register.it", "mx.pec.register.it", "imap.pec.register.it"),
    },
    Provider {
        flavor: Flavor::Sogei,
        label: "sogei",
        gestore: "Sogei SpA",
        subject: "CN=Posta Certificata Sogei,O=Sogei S.p.A.,L=Roma,C=IT",
        domain: "pcert.sogei.it",
        user_domains: &["pec.fatturapa.it", "pce.agenziaentrate.example.it"],
        alg: KeyAlg::Rsa2048,
        hosts: ("smtps.pec.sogei.it", "cmaout.pec.sogei.it", "smtp.pec.sogei.it"),
    },
];

pub fn signer_specs() -> Vec<(String, String, KeyAlg)> {
    PROVIDERS.iter().map(|p| (p.subject.to_string(), format!("posta-certificata@{}", p.domain), p.alg)).collect()
}

pub fn specs_for_pki(owned: &[(String, String, KeyAlg)]) -> Vec<SignerSpec<'_>> {
    PROVIDERS
        .iter()
        .zip(owned)
        .map(|(p, (subject, email, alg))| SignerSpec { label: p.label, subject, email, alg: *alg })
        .collect()
}

/// Index of the provider hosting a mailbox domain (unknown domains go to Aruba: it hosts
/// most custom PEC domains).
pub fn provider_of(domain: &str) -> usize {
    PROVIDERS.iter().position(|p| p.user_domains.contains(&domain)).unwrap_or(0)
}

/// Boundaries of (outer signed, mixed, alternative) parts.
pub struct Boundaries {
    pub outer: String,
    pub mixed: String,
    pub alt: String,
}

/// How the text and daticert parts of one provider message are encoded.
pub struct TextStyle {
    pub charset: Charset,
    pub cte: Cte,
    pub daticert_cte: Cte,
    pub daticert_charset: Charset,
    /// Base64 line width used by this provider's software.
    pub b64_width: usize,
}

impl Provider {
    pub fn address(&self) -> String {
        format!("posta-certificata@{}", self.domain)
    }

    /// `From:` of receipts: Aruba and Sogei write the bare address (as in the samples),
    /// others add a display name.
    pub fn receipt_from(&self) -> String {
        match self.flavor {
            Flavor::Aruba | Flavor::Sogei => self.address(),
            Flavor::Legalmail => format!("\"Posta Certificata Legalmail\" <{}>", self.address()),
            Flavor::Poste => format!("\"PosteCert\" <{}>", self.address()),
            Flavor::Namirial => format!("\"Posta Certificata Namirial\" <{}>", self.address()),
            Flavor::Register => format!("\"Register.it PEC\" <{}>", self.address()),
        }
    }

    /// Subject prefix by kind, with the provider's wording variations.
    pub fn subject_prefix(&self, kind: Kind, virus: bool, final_timeout: bool) -> &'static str {
        use Flavor::*;
        match kind {
            Kind::Acceptance => "ACCETTAZIONE: ",
            Kind::NonAcceptance => {
                if virus {
                    "AVVISO DI NON ACCETTAZIONE PER VIRUS: "
                } else {
                    "AVVISO DI NON ACCETTAZIONE: "
                }
            }
            Kind::TakingCharge => "PRESA IN CARICO: ",
            Kind::Delivery => match self.flavor {
                Poste | Register => "AVVENUTA CONSEGNA: ",
                _ => "CONSEGNA: ",
            },
            Kind::DeliveryError => {
                if virus {
                    "AVVISO DI MANCATA CONSEGNA PER VIRUS: "
                } else if final_timeout {
                    "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: "
                } else {
                    match self.flavor {
                        Legalmail => "AVVISO DI MANCATA CONSEGNA: ",
                        Namirial => "MANCATA CONSEGNA: ",
                        _ => "AVVISO DI MANCATA CONSEGNA: ",
                    }
                }
            }
            Kind::DeliveryWarning => match self.flavor {
                Legalmail => "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: ",
                _ => "PREAVVISO DI MANCATA CONSEGNA: ",
            },
            Kind::VirusDetected => "PROBLEMA DI SICUREZZA: ",
            Kind::Transport => "POSTA CERTIFICATA: ",
            Kind::Anomaly => "ANOMALIA MESSAGGIO: ",
            Kind::Plain => "",
        }
    }

    /// The provider's identificativo (also the transport envelope's Message-ID), no brackets.
    pub fn identificativo<R: Rng>(&self, rng: &mut R, t: DateTime<Utc>) -> String {
        let l = rome(t);
        match self.flavor {
            // opec288.20181113163926.01838.310.1.63@pec.aruba.it
            Flavor::Aruba | Flavor::Sogei => format!(
                "opec{}.{}.{:05}.{}.1.{}@{}",
                if self.flavor == Flavor::Aruba { rng.gen_range(280..300) } else { 288 },
                l.format("%Y%m%d%H%M%S"),
                rng.gen_range(100..32768),
                rng.gen_range(1..5000),
                rng.gen_range(1..400),
                self.domain
            ),
            Flavor::Legalmail => {
                let b: [u8; 16] = rng.gen();
                format!(
                    "{}.{}.{}.{}.posta-certificata@{}",
                    hex_upper(&b[0..4]),
                    hex_upper(&b[4..8]),
                    hex_upper(&b[8..12]),
                    hex_upper(&b[12..16]),
                    self.domain
                )
            }
            Flavor::Poste => {
                let b: [u8; 6] = rng.gen();
                format!("POSTECERT.{}.{}.{}@{}", l.format("%Y%m%d%H%M%S"), hex_upper(&b[..3]), hex_upper(&b[3..]), self.domain)
            }
            Flavor::Namirial => format!(
                "opec{}.{}.{:05}.{}.1.{}@{}",
                rng.gen_range(200..220),
                l.format("%Y%m%d%H%M%S"),
                rng.gen_range(100..32768),
                rng.gen_range(1..900),
                rng.gen_range(1..90),
                self.domain
            ),
            Flavor::Register => {
                let b: [u8; 8] = rng.gen();
                format!("{}.{}.pec@{}", crate::util::hex(&b), t.timestamp(), self.domain)
            }
        }
    }

    /// Message-ID of a receipt the provider emits, no brackets. Aruba derives it from the
    /// identificativo (`opec288....310.1.358.63`), others mint fresh ones.
    pub fn receipt_id<R: Rng>(&self, rng: &mut R, t: DateTime<Utc>) -> String {
        match self.flavor {
            Flavor::Aruba | Flavor::Sogei => {
                let id = self.identificativo(rng, t);
                let (head, tail) = id.rsplit_once(".1.").unwrap_or((&id, ""));
                format!("{head}.1.{}.{tail}", rng.gen_range(100..999))
            }
            _ => self.identificativo(rng, t),
        }
    }

    pub fn boundaries<R: Rng>(&self, rng: &mut R, t: DateTime<Utc>) -> Boundaries {
        let outer_hex: [u8; 16] = rng.gen();
        let outer = format!("----{}", hex_upper(&outer_hex));
        let pid: u32 = rng.gen_range(1000..32000);
        let n: u32 = rng.gen_range(1..9000);
        let ts = t.timestamp();
        match self.flavor {
            // MIME-tools style, as in the Aruba and Sogei samples.
            Flavor::Aruba | Flavor::Sogei | Flavor::Namirial => Boundaries {
                outer,
                mixed: format!("----------=_{ts}-{pid}-{n}"),
                alt: format!("----------=_{ts}-{pid}-{}", n + 1),
            },
            // JavaMail style.
            Flavor::Legalmail | Flavor::Poste => Boundaries {
                outer: format!("----=_Part_{}_{}.{}", n, pid, ts * 1000 + rng.gen_range(0..1000)),
                mixed: format!("----=_Part_{}_{}.{}", n + 1, pid, ts * 1000 + rng.gen_range(0..1000)),
                alt: format!("----=_Part_{}_{}.{}", n + 2, pid, ts * 1000 + rng.gen_range(0..1000)),
            },
            Flavor::Register => {
                let h: [u8; 12] = rng.gen();
                Boundaries {
                    outer,
                    mixed: format!("=_{}", crate::util::hex(&h[..6])),
                    alt: format!("=_{}", crate::util::hex(&h[6..])),
                }
            }
        }
    }

    /// Signature style: older provider software wrote sha1 + x-pkcs7-signature.
    pub fn smime_style(&self, t: DateTime<Utc>) -> SmimeStyle {
        let year = t.year();
        let (x_pkcs7, digest) = match self.flavor {
            Flavor::Aruba | Flavor::Sogei => (true, if year < 2021 { DigestAlg::Sha1 } else { DigestAlg::Sha256 }),
            Flavor::Poste => (year < 2022, if year < 2019 { DigestAlg::Sha1 } else { DigestAlg::Sha256 }),
            _ => (false, DigestAlg::Sha256),
        };
        SmimeStyle { x_pkcs7, digest, smime_caps: matches!(self.flavor, Flavor::Aruba | Flavor::Poste), b64_width: 64 }
    }

    pub fn text_style(&self) -> TextStyle {
        use Flavor::*;
        let (charset, cte, dcte, dcs, w) = match self.flavor {
            Aruba | Sogei => (Charset::Latin1, Cte::QuotedPrintable, Cte::Base64, Charset::Utf8, 60),
            Legalmail => (Charset::Utf8, Cte::Base64, Cte::Base64, Charset::Utf8, 76),
            Poste => (Charset::Latin1, Cte::EightBit, Cte::QuotedPrintable, Charset::Latin1, 76),
            Namirial => (Charset::Utf8, Cte::QuotedPrintable, Cte::Base64, Charset::Utf8, 76),
            Register => (Charset::Utf8, Cte::SevenBit, Cte::SevenBit, Charset::Utf8, 76),
        };
        TextStyle { charset, cte, daticert_cte: dcte, daticert_charset: dcs, b64_width: w }
    }
}
