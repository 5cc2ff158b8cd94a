//! End-to-end: signature verification by the real `cartolina` binary (`inspect --json`,
//! `verify`, `p7m extract`): the shared real samples come out as SOURCES.md says, and
//! on a forge corpus with faults our integrity verdicts agree with openssl's on every
//! file while trust verdicts are what the manifest labels say.

mod common;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn by_file<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no record for {name}"))
}

fn cartolina(args: &[&str]) -> Command {
    let mut c = Command::new(bin("cartolina"));
    c.args(args);
    c
}

fn stdout(mut c: Command) -> String {
    String::from_utf8(run(&mut c).stdout).unwrap()
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l:?}: {e}"))).collect()
}

#[test]
fn real_samples_verdicts_as_sources_md_says() {
    let records = inspect_json(&[&shared_samples()]);
    for name in ["aruba-2018-accettazione.eml", "aruba-2018-avvenuta-consegna.eml"] {
        let r = by_file(&records, name);
        let sig = &r["signature"];
        assert_eq!(sig["status"], "intact", "{name}: {sig:#}");
        assert_eq!(sig["trust"]["status"], "trusted", "{name}: {sig:#}");
        assert_eq!(sig["trust"]["validation_time_source"], "signing_time", "{name}");
        assert!(sig["trust"]["anchor"].as_str().unwrap().contains("AgID CA1"), "{name}");
        let notes: Vec<&str> = sig["trust"]["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert!(notes.contains(&"certificate expired since 2020-12-03"), "{name}: {notes:?}");
        let signer = &sig["signers"][0];
        assert_eq!(signer["certificate"]["common_name"], "Posta Certificata ARUBA PEC");
        assert_eq!(signer["certificate"]["not_before"].as_str().unwrap()[..10], *"2017-12-04");
        assert_eq!(signer["certificate"]["expired_since"], "2020-12-03");
        assert_eq!(signer["digest_algorithm"], "sha1");
        assert_eq!(signer["weak_algorithm"], true);
    }
    assert_eq!(by_file(&records, "aruba-2018-accettazione.eml")["signature"]["signers"][0]["signing_time"], "2018-11-13T15:39:26Z");

    let sogei = &by_file(&records, "sogei-2018-busta-trasporto-tampered.eml")["signature"];
    assert_eq!(sogei["status"], "broken", "{sogei:#}");
    assert_eq!(sogei["signers"][0]["integrity_reason"], "message digest does not match the content");

    for name in ["infocert-fattura.xml.p7m", "infocert-fattura.base64.xml.p7m"] {
        let r = by_file(&records, name);
        assert_eq!(r["kind"], "p7m");
        assert_eq!(r["error"], Value::Null);
        let sig = &r["signature"];
        assert_eq!(sig["status"], "intact", "{name}: {sig:#}");
        // The InfoCert qualified CA is not bundled: trust cannot be decided.
        assert_eq!(sig["trust"]["status"], "indeterminate", "{name}");
        assert!(sig["trust"]["reason"].as_str().unwrap().contains("InfoCert Firma Qualificata 2"));
        let c = &sig["signers"][0]["certificate"];
        assert_eq!(c["common_name"], "CORATO SERGIO");
        assert_eq!(c["codice_fiscale"], "CRTSRG74M18A459G");
        assert_eq!(c["issuer_common_name"], "InfoCert Firma Qualificata 2");
        assert_eq!(sig["signers"][0]["digest_algorithm"], "sha256");
        assert_eq!(sig["signers"][0]["signature_algorithm"], "rsa-pkcs1v15");
        assert_eq!(sig["signers"][0]["signing_certificate"], "matches");
        assert_eq!(r["document"]["file_name"], name.trim_end_matches(".p7m"));
    }
    let b64 = by_file(&records, "infocert-fattura.base64.xml.p7m");
    assert_eq!(b64["document"]["levels"][0], "base64");
    assert_eq!(b64["document"]["content_len"], by_file(&records, "infocert-fattura.xml.p7m")["document"]["content_len"]);
}

#[test]
fn verify_summary_italian_and_english() {
    let dir = shared_samples();
    let it = stdout(cartolina(&["verify", dir.to_str().unwrap()]));
    assert!(it.contains("Integrità: integra"), "{it}");
    // The verifier's reasons in Italian too (crates/lang), not only the labels.
    assert!(it.contains("Integrità: NON integra: l'impronta firmata (messageDigest) non corrisponde al contenuto"), "{it}");
    assert!(it.contains("Attendibilità: attendibile tramite AgID CA1"), "{it}");
    assert!(it.contains("Attendibilità: indeterminata: certificato dell'emittente non trovato"), "{it}");
    assert!(it.contains("certificato scaduto dal 2020-12-03 (informazione, non un errore: valido alla data di firma)"), "{it}");
    assert!(it.contains("Codice fiscale: CRTSRG74M18A459G"), "{it}");
    assert!(it.contains("Algoritmi: SHA-1 con RSA PKCS#1 v1.5 (DEBOLE"), "{it}");
    assert!(it.contains("ricevuta di accettazione"), "{it}");
    assert!(it.contains("Controllo del significato: intestazioni coerenti con i dati certificati"), "{it}");

    let aruba = dir.join("aruba-2018-accettazione.eml");
    let en = stdout(cartolina(&["verify", "--lang", "en", aruba.to_str().unwrap()]));
    assert!(en.contains("Integrity: intact"), "{en}");
    assert!(en.contains("Trust: trusted through AgID CA1"), "{en}");
    assert!(en.contains("certificate expired since 2020-12-03 (information, not an error: valid at signing time)"), "{en}");
    assert!(en.contains("Signing time: 2018-11-13T15:39:26Z"), "{en}");
    assert!(en.contains("Kind: acceptance receipt"), "{en}");
    let tampered = dir.join("sogei-2018-busta-trasporto-tampered.eml");
    let en = stdout(cartolina(&["verify", "--lang", "en", tampered.to_str().unwrap()]));
    assert!(en.contains("NOT intact: message digest does not match the content"), "{en}");

    // --json: one object per file per line, the inspect record.
    let lines = json_lines(&stdout(cartolina(&["verify", "--json", dir.to_str().unwrap()])));
    assert_eq!(lines.len(), 6);
    assert_eq!(by_file(&lines, "sogei-2018-busta-trasporto-tampered.eml")["signature"]["status"], "broken");
}

#[test]
fn usage_errors_exit_2() {
    let out = cartolina(&["verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cartolina(&["verify", "--lang", "fr", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let out = cartolina(&["inspect", "--trust", bad.to_str().unwrap(), "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cartolina(&["verify", "--trust", "/nonexistent/ca.pem", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn p7m_extract_writes_the_original_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for (src, want) in [("infocert-fattura.xml.p7m", "infocert-fattura.xml"), ("infocert-fattura.base64.xml.p7m", "infocert-fattura.base64.xml")] {
        let p7m = shared_samples().join(src);
        let text = stdout(cartolina(&["p7m", "extract", p7m.to_str().unwrap(), "-o", dir.path().to_str().unwrap()]));
        assert!(text.contains("Integrità: integra"), "{text}");
        assert!(text.contains("CORATO SERGIO"), "{text}");
        let out = dir.path().join(want);
        let content = std::fs::read(&out).unwrap();
        assert!(content.starts_with(b"<?xml"), "{src}");
        assert!(String::from_utf8_lossy(&content).contains("FatturaElettronica"));
    }
    // Again: refused, file untouched; --force overwrites.
    let out_file = dir.path().join("infocert-fattura.xml");
    std::fs::write(&out_file, b"mine").unwrap();
    let p7m = shared_samples().join("infocert-fattura.xml.p7m");
    let again = cartolina(&["p7m", "extract", p7m.to_str().unwrap(), "-o", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out_file).unwrap(), b"mine");
    run(&mut cartolina(&["p7m", "extract", p7m.to_str().unwrap(), "-o", out_file.to_str().unwrap(), "--force", "--lang", "en"]));
    assert!(std::fs::read(&out_file).unwrap().starts_with(b"<?xml"));
    // -o naming a new file.
    let named = dir.path().join("renamed.xml");
    run(&mut cartolina(&["p7m", "extract", p7m.to_str().unwrap(), "-o", named.to_str().unwrap()]));
    assert!(std::fs::read(&named).unwrap().starts_with(b"<?xml"));
    // Not a signed file: exit 1, nothing written.
    let junk = dir.path().join("junk.p7m");
    std::fs::write(&junk, b"hello").unwrap();
    let out = cartolina(&["p7m", "extract", junk.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("junk").exists());
}

fn openssl_ok(args: &[&str], file: &Path) -> bool {
    Command::new("openssl").args(args).arg("-in").arg(file).args(["-out", "/dev/null"]).output().expect("openssl").status.success()
}

/// A forge corpus; the qualified signer of forge's PKI signs a `.p7m` and a `.p7s`
/// (with openssl): trust is indeterminate until the forge "InfoCert" CA is imported
/// with `--trust`, then trusted.
#[test]
fn qualified_ca_trusted_once_imported() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    forge(&corpus, 5, 2, "eml");
    let key = std::fs::read_dir(corpus.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("qualified-signer-"))
        .expect("forge qualified signer key");
    let cert = corpus.join("trust/signer-qualified.pem");
    let ca = corpus.join("trust/test-qualified-ca.pem");
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let data = docs.join("contratto.pdf");
    std::fs::write(&data, b"%PDF-1.4 a contract\n").unwrap();
    let sign = |extra: &[&str], out: &Path| {
        let mut c = Command::new("openssl");
        c.args(["cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256"]).args(extra);
        c.arg("-signer").arg(&cert).arg("-inkey").arg(&key).arg("-in").arg(&data).arg("-out").arg(out);
        run(&mut c);
    };
    let p7m = docs.join("contratto.pdf.p7m");
    sign(&["-nodetach"], &p7m);
    let p7s = docs.join("contratto.pdf.p7s");
    sign(&[], &p7s);

    let before = inspect_json(&[&docs]);
    let (m, s) = (by_file(&before, "contratto.pdf.p7m"), by_file(&before, "contratto.pdf.p7s"));
    for r in [m, s] {
        assert_eq!(r["kind"], "p7m");
        assert_eq!(r["signature"]["status"], "intact", "{r:#}");
        assert_eq!(r["signature"]["trust"]["status"], "indeterminate", "{r:#}");
        assert_eq!(r["signature"]["signers"][0]["certificate"]["codice_fiscale"], "RSSMRA74M18A459G");
    }
    assert_eq!(m["document"]["file_name"], "contratto.pdf");
    assert!(s["document"]["data_file"].as_str().unwrap().ends_with("contratto.pdf"));

    let out = stdout(cartolina(&["inspect", "--json", "--trust", ca.to_str().unwrap(), docs.to_str().unwrap()]));
    let after = json_lines(&out);
    for name in ["contratto.pdf.p7m", "contratto.pdf.p7s"] {
        let t = &by_file(&after, name)["signature"]["trust"];
        assert_eq!(t["status"], "trusted", "{name}: {t:#}");
        assert!(t["anchor"].as_str().unwrap().contains("Test InfoCert Firma Qualificata 2"));
    }
    // The real InfoCert document stays indeterminate with the forge CA (another key).
    let real = json_lines(&stdout(cartolina(&[
        "verify",
        "--json",
        "--trust",
        ca.to_str().unwrap(),
        shared_samples().join("infocert-fattura.xml.p7m").to_str().unwrap(),
    ])));
    assert_eq!(real[0]["signature"]["trust"]["status"], "indeterminate");

    // Data tampered: the .p7s no longer verifies; without its data it is detached.
    std::fs::write(&data, b"%PDF-1.4 a contract, changed\n").unwrap();
    let r = inspect_json(&[&p7s]);
    assert_eq!(r[0]["signature"]["status"], "broken");
    std::fs::remove_file(&data).unwrap();
    let r = inspect_json(&[&p7s]);
    assert_eq!(r[0]["signature"]["status"], "detached");
    let text = stdout(cartolina(&["verify", p7s.to_str().unwrap()]));
    assert!(text.contains("firma staccata"), "{text}");
}

/// The openssl agreement test: every file of a forge corpus with every fault kind.
#[test]
fn integrity_agrees_with_openssl_trust_as_manifest_says() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    run(Command::new(bin("cartolina-forge"))
        .args(["--seed", "11", "--messages", "40", "--format", "eml", "--faults", "0.25", "-q", "--out"])
        .arg(&corpus));
    let manifest: Value = serde_json::from_slice(&std::fs::read(corpus.join("manifest.json")).unwrap()).unwrap();
    let mut labels: HashMap<PathBuf, Value> = HashMap::new();
    let files = manifest["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["files"].as_array().unwrap().iter())
        .chain(manifest["other"].as_array().unwrap().iter());
    for f in files {
        labels.insert(corpus.join(f["path"].as_str().unwrap()), f.clone());
    }
    let root = corpus.join("trust/test-root.pem");
    let records = json_lines(&stdout(cartolina(&[
        "verify",
        "--json",
        "--trust",
        root.to_str().unwrap(),
        corpus.join("mail").to_str().unwrap(),
    ])));
    assert_eq!(records.len(), labels.len());
    let ca = root.to_str().unwrap();
    let mut seen_faults = std::collections::BTreeSet::new();
    for r in &records {
        let path = PathBuf::from(r["path"].as_str().unwrap());
        let label = labels.get(&path).unwrap_or_else(|| panic!("{} not in the manifest", path.display()));
        let sig = &r["signature"];
        let status = sig["status"].as_str().unwrap();
        let fault = label["fault"].as_str();
        if label["signed"] == false {
            assert_eq!(status, "unsigned", "{}", path.display());
            continue;
        }
        // Integrity alone: openssl without chain checks.
        let smime_intact = openssl_ok(&["smime", "-verify", "-noverify"], &path);
        let cms_intact = openssl_ok(&["cms", "-verify", "-noverify"], &path);
        assert_eq!(smime_intact, cms_intact, "openssl smime and cms disagree on {}", path.display());
        assert_eq!(status == "intact", smime_intact, "integrity vs openssl on {} ({fault:?}): {sig:#}", path.display());
        // Integrity and chain: openssl with the test root.
        let smime_full = openssl_ok(&["smime", "-verify", "-CAfile", ca], &path);
        let trust = sig["trust"]["status"].as_str().unwrap();
        assert_eq!(status == "intact" && trust == "trusted", smime_full, "full verify vs openssl on {} ({fault:?})", path.display());
        match fault {
            None => assert_eq!((status, trust), ("intact", "trusted"), "{}", path.display()),
            Some("tampered-body" | "tampered-daticert" | "wrong-key") => assert_eq!(status, "broken", "{}", path.display()),
            Some("expired-at-signing") => {
                assert_eq!((status, trust), ("intact", "untrusted"), "{}", path.display());
                assert!(sig["trust"]["reason"].as_str().unwrap().contains("expired at validation time"));
            }
            Some("untrusted-root") => {
                // A self-signed CA copy of the provider certificate: refused (its keyUsage
                // does not allow signing, and no trusted root is above it).
                assert_eq!((status, trust), ("intact", "untrusted"), "{}", path.display());
            }
            Some(other) => panic!("unknown fault {other}"),
        }
        if let Some(f) = fault {
            seen_faults.insert(f.to_string());
        }
    }
    assert_eq!(seen_faults.len(), 5, "every fault kind present: {seen_faults:?}");

    // Without the test root nothing forge signed is trusted, and integrity is unchanged.
    let plain = json_lines(&stdout(cartolina(&["inspect", "--json", corpus.join("mail").to_str().unwrap()])));
    for (a, b) in plain.iter().zip(&records) {
        assert_eq!(a["signature"]["status"], b["signature"]["status"]);
        assert_ne!(a["signature"]["trust"]["status"], "trusted");
    }
}
