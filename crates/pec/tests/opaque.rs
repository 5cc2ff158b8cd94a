//! Opaque S/MIME (`application/pkcs7-mime; smime-type=signed-data`): the signed
//! content travels inside the CMS, so classification reads the daticert out of
//! the CMS eContent.
mod common;

use common::{b64_lines, Dc, Pec};
use pec::{parse_message, PecKind, SignatureEnvelope};

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A structurally valid CMS SignedData around `content` (no signer: the parser
/// does not verify, the verifier does).
fn signed_data(content: &[u8]) -> Vec<u8> {
    let oid_data = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
    let oid_signed = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    let mut eci = oid_data.to_vec();
    eci.extend(der(0xA0, &der(0x04, content)));
    let mut sd = der(0x02, &[1]);
    sd.extend(der(0x31, &[]));
    sd.extend(der(0x30, &eci));
    sd.extend(der(0x31, &[]));
    let mut ci = oid_signed.to_vec();
    ci.extend(der(0xA0, &der(0x30, &sd)));
    der(0x30, &ci)
}

fn opaque_message(content_type: &str) -> (Vec<u8>, Vec<u8>) {
    let pec = Pec::default().daticert(&Dc::default());
    let inner = pec.signed_content().replace('\n', "\r\n").into_bytes();
    let cms = signed_data(&inner);
    let mut raw = String::new();
    for (n, v) in &pec.headers {
        raw += &format!("{n}: {v}\n");
    }
    raw += &format!("Content-Type: {content_type}; smime-type=signed-data; name=\"smime.p7m\"\n");
    raw += "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"smime.p7m\"\n\n";
    raw += &b64_lines(&cms);
    (raw.into_bytes(), cms)
}

#[test]
fn opaque_receipt_is_classified_from_its_content() {
    for ct in ["application/pkcs7-mime", "application/x-pkcs7-mime"] {
        let (raw, cms) = opaque_message(ct);
        let m = parse_message(&raw).unwrap();
        assert_eq!(m.kind, PecKind::Acceptance, "{ct}");
        assert!(m.inconsistencies.is_empty(), "{:?}", m.inconsistencies);
        assert_eq!(m.signature, SignatureEnvelope::Opaque { cms_der: cms.clone() });
        assert_eq!(m.signature.signature_der().as_deref(), Some(cms.as_slice()));
        assert_eq!(m.daticert.unwrap().identificativo, common::IDENT);
    }
}

#[test]
fn enveloped_data_is_not_a_signature() {
    let (raw, _) = opaque_message("application/pkcs7-mime");
    let raw = String::from_utf8(raw).unwrap().replace("smime-type=signed-data", "smime-type=enveloped-data");
    let m = parse_message(raw.as_bytes()).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert_eq!(m.signature, SignatureEnvelope::Unsigned);
    assert_eq!(m.inconsistencies[0].field, "signature");
}

#[test]
fn opaque_with_garbage_cms() {
    let raw = b"From: a@b.it\nX-Ricevuta: accettazione\nContent-Type: application/pkcs7-mime; smime-type=signed-data\nContent-Transfer-Encoding: base64\n\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n";
    let m = parse_message(raw).unwrap();
    assert_eq!(m.kind, PecKind::Plain);
    assert!(matches!(m.signature, SignatureEnvelope::Opaque { .. }));
    assert!(m.notes.iter().any(|n| n.contains("encapsulated")), "{:?}", m.notes);
}
