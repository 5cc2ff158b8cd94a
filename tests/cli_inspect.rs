//! End-to-end: the real `cartolina inspect` binary on the shared real samples and on
//! hostile input.

mod common;
use common::*;
use serde_json::Value;
use std::process::Command;

fn by_file(records: &[Value], name: &str) -> Value {
    records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no record for {name}"))
        .clone()
}

#[test]
fn real_samples_classify_as_sources_md_says() {
    let dir = shared_samples();
    let records = inspect_json(&[&dir]);
    // SOURCES.md is not mail: it comes out as a record with an error, not a crash.
    assert_eq!(records.len(), 6, "{records:#?}");

    let acc = by_file(&records, "aruba-2018-accettazione.eml");
    assert_eq!(acc["kind"], "acceptance");
    assert_eq!(acc["identificativo"], "opec288.20181113163926.01838.310.1.63@pec.aruba.it");
    assert_eq!(
        acc["refers_to"],
        "<1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>"
    );
    assert_eq!(acc["daticert"]["tipo"], "accettazione");
    assert_eq!(acc["daticert"]["data"], "2018-11-13T16:39:26+01:00");
    assert_eq!(acc["daticert"]["destinatari"][0]["address"], "l.battistini@pec.it");
    assert_eq!(acc["daticert"]["destinatari"][0]["type"], "certificato");
    assert_eq!(acc["inconsistencies"], Value::Array(vec![]));
    assert_eq!(acc["error"], Value::Null);
    assert_eq!(acc["signature"]["status"], "intact");
    assert_eq!(acc["signature"]["trust"]["status"], "trusted");

    let del = by_file(&records, "aruba-2018-avvenuta-consegna.eml");
    assert_eq!(del["kind"], "delivery");
    assert_eq!(del["identificativo"], acc["identificativo"]);
    assert_eq!(del["refers_to"], acc["refers_to"]);
    assert_eq!(del["daticert"]["ricevuta"], "completa");
    assert_eq!(del["daticert"]["consegna"], "l.battistini@pec.it");

    let sogei = by_file(&records, "sogei-2018-busta-trasporto-tampered.eml");
    assert_eq!(sogei["kind"], "transport");
    assert_eq!(sogei["daticert"]["tipo"], "posta-certificata");
    assert_eq!(sogei["signature"]["status"], "broken");
    assert_eq!(del["signature"]["status"], "intact");

    for name in ["infocert-fattura.xml.p7m", "infocert-fattura.base64.xml.p7m"] {
        let p7m = by_file(&records, name);
        assert_eq!(p7m["kind"], "p7m", "{name}");
        assert_eq!(p7m["error"], Value::Null, "{name}");
        assert_eq!(p7m["signature"]["status"], "intact", "{name}");
        assert_eq!(p7m["signature"]["trust"]["status"], "indeterminate", "{name}");
    }
    let sources = by_file(&records, "SOURCES.md");
    assert_eq!(sources["kind"], "unknown");
    assert!(sources["error"].is_string());
}

#[test]
fn every_record_has_the_contract_fields() {
    let records = inspect_json(&[&shared_samples()]);
    for r in &records {
        for field in [
            "path",
            "kind",
            "subject",
            "message_id",
            "refers_to",
            "identificativo",
            "daticert",
            "inconsistencies",
            "signature",
            "error",
        ] {
            assert!(r.get(field).is_some(), "missing {field} in {r}");
        }
        assert!(r["signature"]["status"].is_string());
    }
}

#[test]
fn bad_input_is_reported_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("a-empty.eml"), b"").unwrap();
    std::fs::write(p.join("b-garbage.eml"), (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect::<Vec<_>>()).unwrap();
    let real = std::fs::read(shared_samples().join("aruba-2018-avvenuta-consegna.eml")).unwrap();
    std::fs::write(p.join("c-truncated.eml"), &real[..real.len() / 2]).unwrap();
    std::fs::write(p.join("d-broken.p7m"), b"\x30\x82\xff\xff\x06\x09").unwrap();
    std::fs::copy(shared_samples().join("aruba-2018-accettazione.eml"), p.join("e-good.eml")).unwrap();
    let records = inspect_json(&[p, &p.join("does-not-exist")]);
    assert_eq!(records.len(), 6, "{records:#?}");
    let good = by_file(&records, "e-good.eml");
    assert_eq!(good["kind"], "acceptance");
    let missing = by_file(&records, "does-not-exist");
    assert!(missing["error"].is_string());
    let empty = by_file(&records, "a-empty.eml");
    assert!(empty["error"].is_string());
}

#[test]
fn usage_errors_exit_non_zero() {
    let out = Command::new(bin("cartolina")).arg("inspect").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin("cartolina")).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn human_output_speaks_italian() {
    let out = run(Command::new(bin("cartolina")).arg("inspect").arg(shared_samples().join("aruba-2018-accettazione.eml")));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ricevuta di accettazione"), "{text}");
    assert!(text.contains("opec288.20181113163926.01838.310.1.63@pec.aruba.it"), "{text}");
}
