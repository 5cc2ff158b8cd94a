//! The real provider samples in /work/shared/samples/real classify and parse as
//! SOURCES.md says, and the signed bytes we expose verify with openssl.
use std::path::PathBuf;

use chrono::{FixedOffset, TimeZone};
use pec::{parse_message, DaticertType, PecKind, ReceiptDetail, RecipientKind, SignatureEnvelope};

fn sample(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/real").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const ORIGINAL_MSGID: &str =
    "<1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>";

#[test]
fn aruba_acceptance() {
    let raw = sample("aruba-2018-accettazione.eml");
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
    assert_eq!(m.daticert_error, None);
    let d = m.daticert.as_ref().unwrap();
    assert_eq!(d.tipo, DaticertType::Accettazione);
    assert_eq!(d.identificativo, "opec288.20181113163926.01838.310.1.63@pec.aruba.it");
    let plus1 = FixedOffset::east_opt(3600).unwrap();
    assert_eq!(d.data, plus1.with_ymd_and_hms(2018, 11, 13, 16, 39, 26).unwrap());
    assert_eq!(d.data.to_rfc3339(), "2018-11-13T16:39:26+01:00");
    assert_eq!(d.msgid, ORIGINAL_MSGID);
    assert_eq!(d.mittente, "l.battistini@pec.it");
    assert_eq!(d.destinatari.len(), 1);
    assert_eq!(d.destinatari[0].address, "l.battistini@pec.it");
    assert_eq!(d.destinatari[0].kind, RecipientKind::Certificato);
    assert_eq!(d.risposte.as_deref(), Some("l.battistini@pec.it"));
    assert_eq!(d.oggetto.as_deref(), Some("IT03339130126_00009.xml"));
    assert_eq!(d.gestore_emittente, "ARUBA PEC S.p.A.");
    assert_eq!(d.ricevuta, None);
    assert_eq!(d.consegna, None);
    assert_eq!(m.refers_to.as_deref(), Some(ORIGINAL_MSGID));
    assert_eq!(m.identificativo.as_deref(), Some("opec288.20181113163926.01838.310.1.63@pec.aruba.it"));
    assert_eq!(m.message_id.as_deref(), Some("<opec288.20181113163926.01838.310.1.358.63@pec.aruba.it>"));
    assert_eq!(m.subject.as_deref(), Some("ACCETTAZIONE: IT03339130126_00009.xml"));
    assert!(m.postacert.is_none());
    match &m.signature {
        SignatureEnvelope::Detached { signed_part, micalg, protocol, .. } => {
            let signature_der = m.signature.signature_der().unwrap();
            assert!(signed_part.starts_with(b"Content-Type: multipart/mixed;"));
            assert!(signed_part.ends_with(b"------------=_1542123566-1838-1410--\n"));
            assert_eq!(signature_der[0], 0x30);
            assert_eq!(micalg.as_deref(), Some("sha1"));
            assert_eq!(protocol, "application/x-pkcs7-signature");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn aruba_delivery_completa_with_postacert() {
    let raw = sample("aruba-2018-avvenuta-consegna.eml");
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Delivery);
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
    let d = m.daticert.as_ref().unwrap();
    assert_eq!(d.tipo, DaticertType::AvvenutaConsegna);
    assert_eq!(d.ricevuta, Some(ReceiptDetail::Completa));
    assert_eq!(d.consegna.as_deref(), Some("l.battistini@pec.it"));
    assert_eq!(d.identificativo, "opec288.20181113163926.01838.310.1.63@pec.aruba.it");
    assert_eq!(d.msgid, ORIGINAL_MSGID);
    assert_eq!(d.data.to_rfc3339(), "2018-11-13T16:39:27+01:00");
    let p = m.postacert.as_deref().unwrap();
    assert!(p.starts_with(b"Received: from [127.0.1.1]"));
    assert!(p.ends_with(b"--===============3780602758959172333==--\n"));
    let inner = parse_message(p).unwrap();
    assert_eq!(inner.kind, PecKind::Plain);
    assert_eq!(inner.message_id.as_deref(), Some("<opec288.20181113163926.01838.310.1.63@pec.aruba.it>"));
    assert_eq!(inner.subject.as_deref(), Some("IT03339130126_00009.xml"));
    assert_eq!(pec::postacert_chain(&raw).unwrap(), vec![PecKind::Delivery, PecKind::Plain]);
}

#[test]
fn acceptance_and_delivery_pair() {
    let a = sample("aruba-2018-accettazione.eml");
    let c = sample("aruba-2018-avvenuta-consegna.eml");
    let (a, c) = (parse_message(&a).unwrap(), parse_message(&c).unwrap());
    assert_eq!(a.refers_to, c.refers_to);
    assert_eq!(a.identificativo, c.identificativo);
}

#[test]
fn sogei_transport() {
    let raw = sample("sogei-2018-busta-trasporto-tampered.eml");
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Transport);
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
    let d = m.daticert.as_ref().unwrap();
    assert_eq!(d.tipo, DaticertType::PostaCertificata);
    assert_eq!(d.gestore_emittente, "Sogei SpA");
    assert_eq!(d.identificativo, "opec288.20181208122618.17535.2665.1.3@pcert.sogei.it");
    assert_eq!(d.msgid, "<4163125586355393.1544268377979@pec.fatturapa.it>");
    assert_eq!(d.ricevuta, Some(ReceiptDetail::Breve));
    assert_eq!(d.data.to_rfc3339(), "2018-12-08T12:26:18+01:00");
    assert_eq!(m.identificativo.as_deref(), Some("opec288.20181208122618.17535.2665.1.3@pcert.sogei.it"));
    assert_eq!(m.headers.x_tipo_ricevuta.as_deref(), Some("breve"));
    let p = m.postacert.as_deref().unwrap();
    assert!(p.starts_with(b"Received: from sdibe85p2.srv.sogei.it"));
    assert_eq!(parse_message(p).unwrap().kind, PecKind::Plain);
}

#[test]
fn signed_documents_are_not_messages() {
    // A bare .p7m is DER, not RFC 5322.
    assert!(parse_message(&sample("infocert-fattura.xml.p7m")).is_err());
}
