//! `cartolina verify PATH...`: the signature verdict of every message and signed file,
//! as a readable summary (Italian by default, `--lang en`) or, with `--json`, one
//! `inspect --json` record per file per line.
//!
//! Exit status 0 even when signatures are broken: the verdict is the output.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use verify::{Integrity, SignerReport, TrustStatus};

use crate::inspect;
use crate::record::InspectRecord;
use crate::sigcheck::Checker;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    It,
    En,
}

impl Lang {
    fn t(self, it: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// A reason, note or warning of the verifier (written in English) in this
    /// language: the translation the desktop app uses too (`crates/lang`).
    fn engine(self, text: &str) -> String {
        match self {
            Lang::It => lang::italian(text),
            Lang::En => text.to_string(),
        }
    }
}

pub fn run(paths: &[PathBuf], json: bool, trust: &[PathBuf], lang: Lang) -> io::Result<()> {
    let checker = Checker::from_args_or_exit(trust);
    let mut out = BufWriter::new(io::stdout().lock());
    inspect::for_each_record(paths, &checker, |r| {
        if json {
            serde_json::to_writer(&mut out, r).map_err(io::Error::from)?;
            writeln!(out)
        } else {
            print_summary(&mut out, r, lang)?;
            writeln!(out)
        }
    })?;
    out.flush()
}

/// The common name in an RFC 4514 DN string, else the whole DN.
pub fn cn_of(dn: &str) -> String {
    let mut rest = dn;
    while let Some(i) = rest.find("CN=") {
        if i == 0 || rest.as_bytes()[i - 1] == b',' || rest.as_bytes()[i - 1] == b'+' {
            let v = &rest[i + 3..];
            let mut end = v.len();
            let b = v.as_bytes();
            let mut k = 0;
            while k < b.len() {
                if b[k] == b'\\' {
                    k += 2;
                    continue;
                }
                if b[k] == b',' || b[k] == b'+' {
                    end = k;
                    break;
                }
                k += 1;
            }
            return v[..end.min(v.len())].replace('\\', "");
        }
        rest = &rest[i + 3..];
    }
    dn.to_string()
}

fn kind_en(kind: &str) -> &'static str {
    match kind {
        "transport" => "transport envelope (received PEC)",
        "anomaly" => "anomaly envelope",
        "acceptance" => "acceptance receipt",
        "non-acceptance" => "non-acceptance notice",
        "taking-charge" => "taking-charge receipt",
        "delivery" => "delivery receipt",
        "delivery-error" => "delivery failure notice",
        "delivery-warning" => "delivery warning",
        "virus-detected" => "virus detection notice",
        "plain" => "ordinary message (not PEC)",
        "p7m" => "signed document (p7m/p7s)",
        _ => "not recognised",
    }
}

fn date_of(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}

/// The readable verdict for one record.
pub fn print_summary(out: &mut impl Write, r: &InspectRecord<'_>, lang: Lang) -> io::Result<()> {
    let l = lang;
    match r.offset {
        Some(off) => writeln!(out, "{}@{off}", r.path)?,
        None => writeln!(out, "{}", r.path)?,
    }
    let kind = match l {
        Lang::It => inspect::italian_kind(r.kind),
        Lang::En => kind_en(r.kind),
    };
    write!(out, "  {}: {kind}", l.t("Tipo", "Kind"))?;
    if let Some(s) = &r.subject {
        write!(out, " — {s}")?;
    }
    writeln!(out)?;
    if let Some(d) = &r.document {
        if let Some(n) = &d.file_name {
            writeln!(out, "  {}: {n} ({} byte)", l.t("Documento", "Document"), d.content_len)?;
        }
        if let Some(f) = &d.data_file {
            writeln!(out, "  {}: {f}", l.t("File firmato", "Signed file"))?;
        }
    }
    let sig = &r.signature;
    let first_reason = sig.signers.iter().find_map(|s| s.integrity_reason.clone()).or_else(|| sig.warnings.first().cloned());
    let integrity = match sig.status {
        "intact" => l.t("integra", "intact").to_string(),
        "broken" => format!(
            "{}: {}",
            l.t("NON integra", "NOT intact"),
            first_reason.map(|r| l.engine(&r)).unwrap_or_else(|| l.t("firma non leggibile", "signature unreadable").into())
        ),
        "unsigned" => l.t("nessuna firma", "not signed").to_string(),
        "detached" => l.t("firma staccata: manca il file firmato", "detached signature: the signed file is missing").to_string(),
        _ => l.t("non verificata", "not checked").to_string(),
    };
    writeln!(out, "  {}: {integrity}", l.t("Integrità", "Integrity"))?;
    if let Some(t) = sig.trust.as_ref().filter(|_| sig.status != "unsigned") {
        let line = match t.status {
            TrustStatus::Trusted => {
                let via: Vec<String> = t.chain.iter().skip(1).map(|d| cn_of(d)).collect();
                let via = if via.is_empty() { t.anchor.as_deref().map(cn_of).unwrap_or_default() } else { via.join(" -> ") };
                let at = t.validation_time.as_deref().map(|v| format!(" ({} {v})", l.t("alla data", "at"))).unwrap_or_default();
                format!("{} {via}{at}", l.t("attendibile tramite", "trusted through"))
            }
            TrustStatus::Untrusted => format!("{}: {}", l.t("non attendibile", "untrusted"), l.engine(&t.reason)),
            TrustStatus::Indeterminate => format!("{}: {}", l.t("indeterminata", "indeterminate"), l.engine(&t.reason)),
        };
        writeln!(out, "  {}: {line}", l.t("Attendibilità", "Trust"))?;
        for n in t.notes.iter().filter(|n| !n.starts_with("certificate expired since")) {
            writeln!(out, "    {}: {}", l.t("nota", "note"), l.engine(n))?;
        }
    }
    for (i, s) in sig.signers.iter().enumerate() {
        print_signer(out, s, i + 1, l, "  ")?;
    }
    for w in &sig.warnings {
        writeln!(out, "  {}: {}", l.t("avviso", "warning"), l.engine(w))?;
    }
    if r.kind != "p7m" && r.kind != "unknown" && r.kind != "plain" {
        if let Some(d) = &r.daticert {
            writeln!(out, "  {}: {} ({})", l.t("Dati certificati", "Certified data"), d.tipo.as_str(), d.data.to_rfc3339())?;
        }
        if r.inconsistencies.is_empty() {
            writeln!(
                out,
                "  {}: {}",
                l.t("Controllo del significato", "Meaning check"),
                l.t("intestazioni coerenti con i dati certificati", "headers agree with the certified data")
            )?;
        } else {
            for inc in &r.inconsistencies {
                writeln!(
                    out,
                    "  {}: {} {} ({}) {} ({})",
                    l.t("ATTENZIONE", "WARNING"),
                    inc.field,
                    l.t("nelle intestazioni", "in the headers"),
                    inc.header.as_deref().unwrap_or(l.t("assente", "absent")),
                    l.t("diverso dai dati certificati", "differs from the certified data"),
                    inc.daticert.as_deref().unwrap_or(l.t("assente", "absent"))
                )?;
            }
        }
    } else if !r.inconsistencies.is_empty() {
        for inc in &r.inconsistencies {
            writeln!(out, "  {}: {} ({})", l.t("ATTENZIONE", "WARNING"), inc.field, inc.header.as_deref().unwrap_or("-"))?;
        }
    }
    if let Some(e) = &r.error {
        writeln!(out, "  {}: {e}", l.t("errore", "error"))?;
    }
    Ok(())
}

fn print_signer(out: &mut impl Write, s: &SignerReport, n: usize, l: Lang, ind: &str) -> io::Result<()> {
    let name = s
        .certificate
        .as_ref()
        .map(|c| match (&c.given_name, &c.surname, &c.common_name) {
            (_, _, Some(cn)) => cn.clone(),
            (Some(g), Some(f), None) => format!("{g} {f}"),
            _ => c.subject.clone(),
        })
        .unwrap_or_else(|| l.t("(certificato non trovato)", "(certificate not found)").into());
    writeln!(out, "{ind}{} {n}: {name}", l.t("Firmatario", "Signer"))?;
    let ind2 = format!("{ind}  ");
    if s.integrity != Integrity::Intact {
        if let Some(why) = &s.integrity_reason {
            writeln!(out, "{ind2}{}: {}", l.t("integrità", "integrity"), l.engine(why))?;
        }
    }
    if let Some(c) = &s.certificate {
        if let Some(cf) = &c.codice_fiscale {
            writeln!(out, "{ind2}{}: {cf}", l.t("Codice fiscale", "Tax code (codice fiscale)"))?;
        } else if let Some(sn) = &c.subject_serial_number {
            writeln!(out, "{ind2}{}: {sn}", l.t("Numero di serie del soggetto", "Subject serial number"))?;
        }
        if let Some(o) = &c.organization {
            writeln!(out, "{ind2}{}: {o}", l.t("Organizzazione", "Organisation"))?;
        }
        writeln!(out, "{ind2}{}: {}", l.t("Emesso da", "Issued by"), c.issuer_common_name.clone().unwrap_or_else(|| c.issuer.clone()))?;
        writeln!(out, "{ind2}{}: {}", l.t("Numero di serie", "Serial number"), c.serial)?;
        writeln!(
            out,
            "{ind2}{}: {} {} {} {}",
            l.t("Validità", "Validity"),
            l.t("dal", "from"),
            date_of(&c.not_before),
            l.t("al", "to"),
            date_of(&c.not_after)
        )?;
        if let Some(since) = &c.expired_since {
            let valid_then = s.trust.status == TrustStatus::Trusted;
            let what = match (l, valid_then) {
                (Lang::It, true) => format!("certificato scaduto dal {since} (informazione, non un errore: valido alla data di firma)"),
                (Lang::It, false) => format!("certificato scaduto dal {since}"),
                (Lang::En, true) => format!("certificate expired since {since} (information, not an error: valid at signing time)"),
                (Lang::En, false) => format!("certificate expired since {since}"),
            };
            writeln!(out, "{ind2}{what}")?;
        }
    }
    match &s.signing_time {
        Some(t) => writeln!(out, "{ind2}{}: {t}", l.t("Data di firma", "Signing time"))?,
        None => writeln!(out, "{ind2}{}", l.t("Data di firma: non dichiarata", "Signing time: not stated"))?,
    }
    let digest = s.digest_algorithm.map(|d| match d {
        verify::algorithms::DigestAlgorithm::Sha1 => "SHA-1",
        verify::algorithms::DigestAlgorithm::Sha224 => "SHA-224",
        verify::algorithms::DigestAlgorithm::Sha256 => "SHA-256",
        verify::algorithms::DigestAlgorithm::Sha384 => "SHA-384",
        verify::algorithms::DigestAlgorithm::Sha512 => "SHA-512",
    });
    let scheme = s.signature_algorithm.map(|a| match a {
        verify::algorithms::SignatureScheme::RsaPkcs1v15 => "RSA PKCS#1 v1.5",
        verify::algorithms::SignatureScheme::RsaPss => "RSA-PSS",
        verify::algorithms::SignatureScheme::EcdsaP256 => "ECDSA P-256",
        verify::algorithms::SignatureScheme::EcdsaP384 => "ECDSA P-384",
    });
    let weak = if s.weak_algorithm { l.t(" (DEBOLE: SHA-1 non è più sicuro)", " (WEAK: SHA-1 is no longer secure)") } else { "" };
    writeln!(
        out,
        "{ind2}{}: {} {} {}{weak}",
        l.t("Algoritmi", "Algorithms"),
        digest.unwrap_or_else(|| l.t("non verificato", "not checked")),
        l.t("con", "with"),
        scheme.unwrap_or_else(|| l.t("non verificato", "not checked"))
    )?;
    for ts in &s.timestamps {
        writeln!(
            out,
            "{ind2}{}: {} ({}, {})",
            l.t("Marca temporale", "Time-stamp"),
            ts.time.as_deref().unwrap_or("?"),
            crate::sigcheck::integrity_str(ts.integrity),
            ts.tsa.as_deref().map(cn_of).unwrap_or_default()
        )?;
    }
    for w in &s.warnings {
        writeln!(out, "{ind2}{}: {}", l.t("avviso", "warning"), l.engine(w))?;
    }
    for (i, c) in s.countersignatures.iter().enumerate() {
        writeln!(out, "{ind2}{} {}:", l.t("Controfirma", "Counter-signature"), i + 1)?;
        print_signer(out, c, i + 1, l, &format!("{ind2}  "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cn_of;

    #[test]
    fn common_names() {
        assert_eq!(cn_of("CN=AgID CA1,O=AgID,C=IT"), "AgID CA1");
        assert_eq!(cn_of("C=IT,O=Actalis,CN=Actalis Authentication Root CA"), "Actalis Authentication Root CA");
        assert_eq!(cn_of("O=X\\, Inc.,CN=A\\,B"), "A,B");
        assert_eq!(cn_of("O=NoCN"), "O=NoCN");
    }
}
