//! Hand-made variants of real receipts: each daticert tipo, encodings, line
//! endings, and the classification policy for unsigned / daticert-less mail.
mod common;

use std::borrow::Cow;

use common::{transport_headers, Cte, Dc, Pec, IDENT, MSGID, ORIGINAL};
use pec::{
    parse_message, DaticertType, DeliveryErrorCode, PecKind, ReceiptDetail, RecipientKind, SignatureEnvelope,
};

fn fields(m: &pec::PecMessage<'_>) -> Vec<&'static str> {
    m.inconsistencies.iter().map(|i| i.field).collect()
}

#[test]
fn acceptance_fixture_is_clean() {
    let raw = Pec::default().build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
    assert_eq!(m.refers_to.as_deref(), Some(MSGID));
    assert_eq!(m.identificativo.as_deref(), Some(IDENT));
}

#[test]
fn every_daticert_tipo_maps_to_its_kind() {
    let table = [
        ("accettazione", PecKind::Acceptance),
        ("non-accettazione", PecKind::NonAcceptance),
        ("presa-in-carico", PecKind::TakingCharge),
        ("avvenuta-consegna", PecKind::Delivery),
        ("errore-consegna", PecKind::DeliveryError),
        ("preavviso-errore-consegna", PecKind::DeliveryWarning),
        ("rilevazione-virus", PecKind::VirusDetected),
        ("posta-certificata", PecKind::Transport),
    ];
    for (tipo, kind) in table {
        let mut dc = Dc::default().tipo(tipo);
        if matches!(tipo, "avvenuta-consegna" | "errore-consegna" | "preavviso-errore-consegna") {
            dc.consegna = Some("mario.rossi@pec.example.it".into());
        }
        let pec = if tipo == "posta-certificata" {
            Pec { headers: transport_headers(), ..Pec::default() }.daticert(&dc)
        } else {
            Pec::default().daticert(&dc).header("X-Ricevuta", tipo)
        };
        let raw = pec.build();
        let m = parse_message(&raw).unwrap();
        assert_eq!(m.kind, kind, "{tipo}");
        assert_eq!(m.daticert.as_ref().unwrap().tipo.as_str(), tipo);
        assert!(m.inconsistencies.is_empty(), "{tipo}: {:?}", m.inconsistencies);
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
}

#[test]
fn posta_certificata_in_anomaly_envelope_is_anomaly() {
    let dc = Dc::default().tipo("posta-certificata");
    let pec = Pec { headers: transport_headers(), ..Pec::default() }
        .daticert(&dc)
        .header("X-Trasporto", "errore")
        .header("Subject", "ANOMALIA MESSAGGIO: IT03339130126_00009.xml");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Anomaly);
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}

#[test]
fn signed_anomaly_without_daticert_is_anomaly_with_note() {
    let pec = Pec { headers: transport_headers(), daticert: None, postacert: Some(ORIGINAL.into()), ..Pec::default() }
        .header("X-Trasporto", "errore")
        .header("Subject", "ANOMALIA MESSAGGIO: IT03339130126_00009.xml");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Anomaly);
    assert!(m.daticert.is_none() && m.daticert_error.is_none());
    assert!(m.notes.iter().any(|n| n.contains("anomaly")), "{:?}", m.notes);
    assert_eq!(m.identificativo.as_deref(), Some(IDENT));
    assert!(m.postacert.is_some());
}

#[test]
fn signed_receipt_without_daticert_is_plain_and_flagged() {
    let raw = Pec { daticert: None, ..Pec::default() }.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert_eq!(fields(&m), ["daticert"]);
    assert_eq!(m.inconsistencies[0].header.as_deref(), Some("X-Ricevuta: accettazione"));
}

#[test]
fn ordinary_signed_mail_is_plain_without_flags() {
    let pec = Pec { daticert: None, ..Pec::default() }.without_header("X-Ricevuta");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert!(m.inconsistencies.is_empty());
    assert!(m.signature.is_signed());
}

#[test]
fn unsigned_forged_receipt_is_plain() {
    let raw = Pec { signed: false, ..Pec::default() }.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert_eq!(m.signature, SignatureEnvelope::Unsigned);
    assert!(m.daticert.is_none());
    assert_eq!(fields(&m), ["signature"]);
    assert_eq!(m.inconsistencies[0].header.as_deref(), Some("X-Ricevuta: accettazione"));
    // Not paired with anything on the strength of an unsigned header.
    assert_eq!(m.refers_to, None);
    assert_eq!(m.headers.x_riferimento_message_id.as_deref(), Some(MSGID));
}

#[test]
fn duplicated_pec_header_is_noted() {
    let mut pec = Pec::default();
    pec.headers.push(("X-Ricevuta".into(), "avvenuta-consegna".into()));
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    assert_eq!(m.headers.duplicates, ["X-Ricevuta"]);
    assert!(m.notes.iter().any(|n| n.contains("X-Ricevuta appears more than once")));
    assert_eq!(fields(&m), ["tipo"]);
}

#[test]
fn receipt_forwarded_inside_transport_is_content() {
    // A transport envelope whose postacert is a (signed) delivery receipt: the
    // envelope is transport; the receipt is only what it encloses.
    let receipt = Pec::default().daticert(&Dc { consegna: Some("x@pec.it".into()), ..Dc::default().tipo("avvenuta-consegna") });
    let receipt = receipt.header("X-Ricevuta", "avvenuta-consegna").build();
    let env = Pec {
        headers: transport_headers(),
        postacert: Some(receipt),
        tag: "outer".into(),
        ..Pec::default()
    }
    .daticert(&Dc::default().tipo("posta-certificata"));
    let raw = env.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Transport);
    assert_eq!(m.daticert.as_ref().unwrap().tipo, DaticertType::PostaCertificata);
    let inner = m.parse_postacert().unwrap().unwrap();
    assert_eq!(inner.kind, PecKind::Delivery);
}

#[test]
fn pgp_multipart_signed_is_unsigned() {
    let raw = Pec { protocol: "application/pgp-signature", ..Pec::default() }.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert_eq!(m.signature, SignatureEnvelope::Unsigned);
    assert_eq!(fields(&m), ["signature"]);
}

#[test]
fn missing_protocol_parameter_is_tolerated() {
    let raw = Pec::default().build();
    let raw = String::from_utf8(raw).unwrap().replace("protocol=\"application/x-pkcs7-signature\"; ", "");
    let m = parse_message(raw.as_bytes()).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    assert!(matches!(&m.signature, SignatureEnvelope::Detached { protocol, .. } if protocol == "application/x-pkcs7-signature"));
    assert!(m.notes.iter().any(|n| n.contains("without protocol")));
}

#[test]
fn pkcs7_signature_protocol_without_x() {
    let raw = Pec { protocol: "application/pkcs7-signature", ..Pec::default() }.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Acceptance);
    match &m.signature {
        SignatureEnvelope::Detached { protocol, micalg, .. } => {
            assert_eq!(protocol, "application/pkcs7-signature");
            assert_eq!(micalg.as_deref(), Some("sha-256"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.signature.signature_der().as_deref(), Some(&[0x30, 0x03, 0x02, 0x01, 0x01][..]));
}

#[test]
fn crlf_and_lf_agree() {
    let lf = Pec::default().build();
    let crlf = Pec { crlf: true, ..Pec::default() }.build();
    let (a, b) = (parse_message(&lf).unwrap(), parse_message(&crlf).unwrap());
    assert_eq!(a.kind, b.kind);
    assert_eq!(a.daticert, b.daticert);
    assert!(b.inconsistencies.is_empty(), "{:?}", b.inconsistencies);
    let (SignatureEnvelope::Detached { signed_part: sa, .. }, SignatureEnvelope::Detached { signed_part: sb, .. }) =
        (&a.signature, &b.signature)
    else {
        panic!()
    };
    // Same signed entity; the CRLF one ends without the CRLF before the boundary.
    assert_eq!(String::from_utf8_lossy(sa).replace('\n', "\r\n").as_bytes(), *sb);
    assert!(sb.ends_with(b"------------=_1542123566-1838-1410--\r\n"));
}

#[test]
fn iso_8859_1_daticert() {
    let dc = Dc {
        encoding: "ISO-8859-1",
        oggetto: Some("Fattura n° 12 è pronta".into()),
        ..Dc::default()
    };
    let pec = Pec::default().daticert(&dc).header("Subject", "=?ISO-8859-1?Q?ACCETTAZIONE:_Fattura_n=B0_12_=E8_pronta?=");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    let d = m.daticert.as_ref().expect("daticert");
    assert_eq!(d.oggetto.as_deref(), Some("Fattura n° 12 è pronta"));
    assert_eq!(m.subject.as_deref(), Some("ACCETTAZIONE: Fattura n° 12 è pronta"));
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}

#[test]
fn eight_bit_latin1_daticert() {
    let dc = Dc { encoding: "ISO-8859-1", oggetto: Some("Città".into()), ..Dc::default() };
    let raw = Pec { daticert_cte: Cte::EightBit, ..Pec::default() }.daticert(&dc).header("Subject", "ACCETTAZIONE: =?iso-8859-1?q?Citt=E0?=").build();
    assert!(raw.windows(5).any(|w| w == b"Citt\xe0"), "raw Latin-1 byte in the message");
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.daticert.as_ref().unwrap().oggetto.as_deref(), Some("Città"));
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}

#[test]
fn quoted_printable_and_7bit_daticert() {
    let dc = Dc { msgid_xml: "&lt;a=b.c=d@example.it&gt;".into(), ..Dc::default() };
    for cte in [Cte::QuotedPrintable, Cte::SevenBit] {
        let pec = Pec { daticert_cte: cte, ..Pec::default() }.daticert(&dc).header("X-Riferimento-Message-ID", "<a=b.c=d@example.it>");
        let raw = pec.build();
        let m = parse_message(&raw).unwrap();
        assert_eq!(m.kind, PecKind::Acceptance);
        assert_eq!(m.daticert.as_ref().unwrap().msgid, "<a=b.c=d@example.it>");
        assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
    }
}

#[test]
fn delivery_error_with_errore_esteso() {
    let dc = Dc {
        errore: Some("no-dest".into()),
        consegna: Some("mario.rossi@pec.example.it".into()),
        errore_esteso: Some("5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido".into()),
        ..Dc::default().tipo("errore-consegna")
    };
    let pec = Pec::default().daticert(&dc).header("X-Ricevuta", "errore-consegna").header("Subject", "AVVISO DI MANCATA CONSEGNA: IT03339130126_00009.xml");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::DeliveryError);
    let d = m.daticert.unwrap();
    assert_eq!(d.errore, DeliveryErrorCode::NoDest);
    assert_eq!(d.errore_esteso.as_deref(), Some("5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido"));
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}

#[test]
fn esterno_recipients_and_receipt_for_esterno() {
    let dc = Dc {
        destinatari: vec![
            ("mario.rossi@pec.example.it".into(), Some("certificato".into())),
            ("anna@gmail.example.com".into(), Some("esterno".into())),
        ],
        ..Dc::default()
    };
    let raw = Pec::default().daticert(&dc).build();
    let m = parse_message(&raw).unwrap();
    let d = m.daticert.as_ref().unwrap();
    assert_eq!(d.destinatari[1].kind, RecipientKind::Esterno);
    assert!(m.inconsistencies.is_empty());

    // A delivery receipt for an esterno recipient cannot exist.
    let dc = Dc { consegna: Some("anna@gmail.example.com".into()), ricevuta: Some("completa".into()), ..dc.tipo("avvenuta-consegna") };
    let raw = Pec::default().daticert(&dc).header("X-Ricevuta", "avvenuta-consegna").build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Delivery);
    assert_eq!(fields(&m), ["consegna"]);
}

#[test]
fn missing_optional_fields() {
    let dc = Dc { errore: None, risposte: None, oggetto: None, destinatari: vec![("a@pec.it".into(), None)], ..Dc::default() };
    let raw = Pec::default().daticert(&dc).build();
    let m = parse_message(&raw).unwrap();
    let d = m.daticert.as_ref().unwrap();
    assert_eq!(d.errore, DeliveryErrorCode::Nessuno);
    assert_eq!((d.risposte.as_ref(), d.oggetto.as_ref(), d.ricevuta), (None, None, None));
    assert_eq!(d.destinatari[0].kind, RecipientKind::Certificato);
    assert!(m.inconsistencies.is_empty());
}

#[test]
fn header_tampering_is_listed() {
    let pec = Pec::default()
        .header("X-Ricevuta", "avvenuta-consegna")
        .header("X-Riferimento-Message-ID", "<someone-else@example.it>")
        .header("Subject", "ACCETTAZIONE: a different subject")
        .header("To", "victim@pec.example.it")
        .header("X-TipoRicevuta", "sintetica");
    let dc = Dc { ricevuta: Some("completa".into()), ..Dc::default() };
    let raw = pec.daticert(&dc).build();
    let m = parse_message(&raw).unwrap();
    // The signed daticert wins.
    assert_eq!(m.kind, PecKind::Acceptance);
    let mut f = fields(&m);
    f.sort();
    assert_eq!(f, ["mittente", "msgid", "oggetto", "ricevuta", "tipo"]);
    let tipo = m.inconsistencies.iter().find(|i| i.field == "tipo").unwrap();
    assert_eq!(tipo.header.as_deref(), Some("X-Ricevuta: avvenuta-consegna"));
    assert_eq!(tipo.daticert.as_deref(), Some("accettazione"));
    assert_eq!(m.refers_to.as_deref(), Some(MSGID), "refers_to comes from the signed daticert");
    assert_eq!(serde_json::to_value(tipo).unwrap()["field"], "tipo");
}

#[test]
fn transport_identificativo_and_recipients_checked() {
    let dc = Dc::default().tipo("posta-certificata");
    let pec = Pec { headers: transport_headers(), ..Pec::default() }
        .daticert(&dc)
        .header("Message-ID", "<forged@example.it>")
        .header("To", "mario.rossi@pec.example.it, intruso@pec.example.it");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Transport);
    let mut f = fields(&m);
    f.sort();
    assert_eq!(f, ["destinatari", "identificativo"]);
    assert_eq!(m.identificativo.as_deref(), Some(IDENT));
}

#[test]
fn folded_and_encoded_headers() {
    let pec = Pec::default()
        .header("X-Riferimento-Message-ID", "\n <1542123565.921546936035156.464602125997431-openerp-8-fatturapa.attachment.out@elbati-Vostro-3550>")
        .header("Subject", "=?UTF-8?B?QUNDRVRUQVpJT05FOiBJVDAzMzM5MTMwMTI2XzAwMDA5LnhtbA==?=")
        .header("x-ricevuta", " Accettazione ");
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.subject.as_deref(), Some("ACCETTAZIONE: IT03339130126_00009.xml"));
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}

#[test]
fn postacert_base64_is_decoded() {
    let dc = Dc::default().tipo("posta-certificata");
    let pec = Pec { headers: transport_headers(), postacert: Some(ORIGINAL.into()), postacert_base64: true, ..Pec::default() }.daticert(&dc);
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert!(matches!(m.postacert, Some(Cow::Owned(_))));
    assert_eq!(m.postacert.as_deref(), Some(ORIGINAL.as_bytes()));

    let pec = Pec { postacert_base64: false, ..pec };
    let raw = pec.build();
    let m = parse_message(&raw).unwrap();
    assert!(matches!(m.postacert, Some(Cow::Borrowed(_))));
    assert_eq!(m.postacert.as_deref(), Some(ORIGINAL.as_bytes()));
}

#[test]
fn receipt_detail_and_header_case() {
    let dc = Dc {
        ricevuta: Some("Breve".into()),
        consegna: Some("mario.rossi@pec.example.it".into()),
        destinatari: vec![("Mario.Rossi@PEC.example.it".into(), Some("CERTIFICATO".into()))],
        ..Dc::default().tipo("AVVENUTA-CONSEGNA")
    };
    let raw = Pec::default().daticert(&dc).header("X-Ricevuta", "avvenuta-consegna").header("X-TipoRicevuta", "breve").build();
    let m = parse_message(&raw).unwrap();
    assert_eq!(m.kind, PecKind::Delivery);
    assert_eq!(m.daticert.as_ref().unwrap().ricevuta, Some(ReceiptDetail::Breve));
    assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
}
