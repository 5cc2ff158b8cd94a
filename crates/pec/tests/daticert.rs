//! `parse_daticert` on its own: real-world quirks accepted, garbage and hostile
//! XML refused with typed errors.
mod common;

use common::Dc;
use pec::limits::MAX_DATICERT_BYTES;
use pec::{parse_daticert, DaticertError, DaticertType, DeliveryErrorCode, ReceiptDetail, RecipientKind};

#[test]
fn every_field() {
    let dc = Dc {
        errore: Some("altro".into()),
        destinatari: vec![
            ("a@pec.it".into(), Some("certificato".into())),
            ("b@gmail.example".into(), Some("esterno".into())),
        ],
        ricevuta: Some("sintetica".into()),
        consegna: Some("a@pec.it".into()),
        errore_esteso: Some("5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido".into()),
        ..Dc::default().tipo("errore-consegna")
    };
    let d = parse_daticert(&dc.bytes()).unwrap();
    assert_eq!(d.tipo, DaticertType::ErroreConsegna);
    assert_eq!(d.errore, DeliveryErrorCode::Altro);
    assert_eq!(d.mittente, "l.battistini@pec.it");
    assert_eq!(d.destinatari.len(), 2);
    assert_eq!(d.destinatari[1].kind, RecipientKind::Esterno);
    assert_eq!(d.risposte.as_deref(), Some("l.battistini@pec.it"));
    assert_eq!(d.oggetto.as_deref(), Some("IT03339130126_00009.xml"));
    assert_eq!(d.gestore_emittente, "ARUBA PEC S.p.A.");
    assert_eq!(d.data.to_rfc3339(), "2018-11-13T16:39:26+01:00");
    assert_eq!(d.identificativo, common::IDENT);
    assert_eq!(d.msgid, common::MSGID);
    assert_eq!(d.ricevuta, Some(ReceiptDetail::Sintetica));
    assert_eq!(d.consegna.as_deref(), Some("a@pec.it"));
    assert_eq!(d.errore_esteso.as_deref(), Some("5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido"));
    // JSON contract: kebab-case Italian names.
    let j = serde_json::to_value(&d).unwrap();
    assert_eq!(j["tipo"], "errore-consegna");
    assert_eq!(j["gestore-emittente"], "ARUBA PEC S.p.A.");
    assert_eq!(j["errore-esteso"], "5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido");
    assert_eq!(j["destinatari"][1]["type"], "esterno");
}

#[test]
fn liberal_quirks() {
    let xml = "\u{feff}<?xml version='1.0' encoding='utf-8'?>
<!-- generated -->
<postacert tipo=' Accettazione ' errore='NESSUNO'>
  <intestazione>
    <mittente>
       a@pec.it
    </mittente>
    <destinatari tipo='Certificato'>b@pec.it</destinatari>
    <destinatari>  </destinatari>
    <extra>ignored</extra>
  </intestazione>
  <dati>
    <gestore-emittente>Gestore</gestore-emittente>
    <data zona='+01:00'><giorno> 01/02/2024 </giorno><ora>09:05</ora></data>
    <identificativo>id@gestore</identificativo>
    <msgid><![CDATA[<m@x>]]></msgid>
    <ricevuta/>
    <firma>unknown element</firma>
  </dati>
</postacert>";
    let d = parse_daticert(xml.as_bytes()).unwrap();
    assert_eq!(d.tipo, DaticertType::Accettazione);
    assert_eq!(d.mittente, "a@pec.it");
    assert_eq!(d.destinatari.len(), 1, "blank recipients are skipped");
    assert_eq!(d.data.to_rfc3339(), "2024-02-01T09:05:00+01:00");
    assert_eq!(d.msgid, "<m@x>");
    assert_eq!(d.ricevuta, Some(ReceiptDetail::Completa), "ricevuta without tipo defaults to completa");
}

#[test]
fn negative_zone() {
    let dc = Dc { zona: Some("-0530".into()), ..Dc::default() };
    assert_eq!(parse_daticert(&dc.bytes()).unwrap().data.to_rfc3339(), "2018-11-13T16:39:26-05:30");
}

#[test]
fn iso_8859_1_and_utf16() {
    let dc = Dc { encoding: "ISO-8859-1", oggetto: Some("Però è così".into()), ..Dc::default() };
    assert_eq!(parse_daticert(&dc.bytes()).unwrap().oggetto.as_deref(), Some("Però è così"));
    // Latin-1 bytes mislabelled as UTF-8 are read as Latin-1, not rejected.
    let mut raw = Dc { encoding: "UTF-8", ..Dc::default() }.xml().into_bytes();
    let at = raw.windows(7).position(|w| w == b"IT03339").unwrap();
    raw.insert(at, 0xE8);
    assert!(parse_daticert(&raw).unwrap().oggetto.unwrap().starts_with('è'));

    let mut utf16 = vec![0xFF, 0xFE];
    for u in Dc::default().xml().replace("UTF-8", "UTF-16").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(parse_daticert(&utf16).unwrap().tipo, DaticertType::Accettazione);
}

#[test]
fn typed_errors() {
    let missing = |dc: Dc| parse_daticert(&dc.bytes()).unwrap_err();
    assert_eq!(missing(Dc { zona: None, ..Dc::default() }), DaticertError::Missing("data/@zona"));
    assert!(matches!(missing(Dc { giorno: "31/02/2018".into(), ..Dc::default() }), DaticertError::Invalid { field: "data/giorno", .. }));
    assert!(matches!(missing(Dc { ora: "25:00:00".into(), ..Dc::default() }), DaticertError::Invalid { field: "data/ora", .. }));
    assert!(matches!(missing(Dc::default().tipo("ricevuta-di-ritorno")), DaticertError::Invalid { field: "postacert/@tipo", .. }));
    assert!(matches!(missing(Dc { errore: Some("boh".into()), ..Dc::default() }), DaticertError::Invalid { field: "postacert/@errore", .. }));
    assert!(matches!(
        missing(Dc { destinatari: vec![("x@y".into(), Some("pec".into()))], ..Dc::default() }),
        DaticertError::Invalid { field: "destinatari/@tipo", .. }
    ));
    assert_eq!(missing(Dc { identificativo: " ".into(), ..Dc::default() }), DaticertError::Missing("dati/identificativo"));
    assert_eq!(missing(Dc { mittente: String::new(), ..Dc::default() }), DaticertError::Missing("intestazione/mittente"));

    assert!(matches!(parse_daticert(b""), Err(DaticertError::Xml(_))));
    assert!(matches!(parse_daticert(b"\x00\x01\x02garbage\xff"), Err(DaticertError::Xml(_))));
    assert!(matches!(parse_daticert(b"<postacert tipo='accettazione'><intestazione>"), Err(DaticertError::Xml(_))));
    for bad in [
        &b"<postacert tipo=accettazione/>"[..],
        b"<postacert tipo='a' tipo='b'/>",
        b"<postacert tipo='accettazione'><intestazione></dati></postacert>",
        b"<postacert tipo='accettazione'>a & b</postacert>",
        b"<postacert tipo='accettazione'>&nbsp;</postacert>",
        b"<postacert tipo='accettazione'/><postacert tipo='accettazione'/>",
        b"<!DOCTYPE postacert><postacert tipo='accettazione'/>",
    ] {
        assert!(matches!(parse_daticert(bad), Err(DaticertError::Xml(_))), "{}", String::from_utf8_lossy(bad));
    }
    assert!(matches!(parse_daticert(b"<html><body/></html>"), Err(DaticertError::Invalid { field: "root", .. })));
    assert_eq!(parse_daticert(b"<postacert tipo='accettazione'/>"), Err(DaticertError::Missing("intestazione")));
    assert!(matches!(
        parse_daticert(b"<?xml version='1.0' encoding='EBCDIC-klingon'?><postacert/>"),
        Err(DaticertError::Encoding(_))
    ));
}

#[test]
fn billion_laughs_refused_quickly() {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE postacert [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        xml += &format!(" <!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10));
    }
    xml += "]>\n<postacert tipo=\"accettazione\"><intestazione><mittente>&lol9;</mittente></intestazione></postacert>";
    let start = std::time::Instant::now();
    assert!(matches!(parse_daticert(xml.as_bytes()), Err(DaticertError::Xml(_))));
    assert!(start.elapsed().as_secs() < 1);
}

#[test]
fn external_entity_refused() {
    let xml = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><postacert tipo=\"accettazione\">&x;</postacert>";
    assert!(matches!(parse_daticert(xml.as_bytes()), Err(DaticertError::Xml(_))));
}

#[test]
fn size_and_node_limits() {
    let big = vec![b' '; MAX_DATICERT_BYTES + 1];
    assert_eq!(parse_daticert(&big), Err(DaticertError::TooLarge));
    // Under the byte limit but a flood of elements: refused by the node limit.
    let mut xml = String::from("<postacert tipo=\"accettazione\"><intestazione>");
    xml += &"<x/>".repeat(50_000);
    xml += "</intestazione></postacert>";
    assert!(matches!(parse_daticert(xml.as_bytes()), Err(DaticertError::Xml(_))));
    // Deep element nesting does not overflow the stack.
    let deep = format!("<postacert tipo=\"accettazione\">{}{}</postacert>", "<a>".repeat(5_000), "</a>".repeat(5_000));
    assert!(parse_daticert(deep.as_bytes()).is_err());
}
