//! Positive and negative cases on a generated PKI (openssl), with openssl's integrity
//! verdict as a cross-check where openssl can produce the case.

mod common;

use common::derkit::*;
use common::pki::{now, pki, Pki};
use verify::algorithms::{DigestAlgorithm, SignatureScheme};
use verify::verdict::{CertBinding, Integrity, TrustStatus};
use verify::{TrustStore, VerifyOptions};

const DATA: &[u8] = b"<?xml version=\"1.0\"?><FatturaElettronica>prova</FatturaElettronica>\n";

fn store(p: &Pki, anchors: &[&str]) -> TrustStore {
    let mut s = TrustStore::empty();
    for a in anchors {
        s.add_anchors(&p.read(&format!("{a}.pem"))).unwrap();
    }
    s
}

fn opts() -> VerifyOptions {
    VerifyOptions::default()
}

fn p7m(_p: &Pki, der: &[u8], st: &TrustStore, o: &VerifyOptions) -> verify::p7m::DocumentReport<'static> {
    verify::p7m::verify_p7m(der, Some("doc.xml.p7m"), st, o).unwrap().into_owned()
}

#[test]
fn valid_rsa_chain_trusted_and_openssl_agrees() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-cades"]);
    assert!(p.openssl_intact(&der, None, None));
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
    assert_eq!(r.signature.trust.status, TrustStatus::Trusted, "{:#?}", r.signature.trust);
    assert_eq!(r.signature.trust.chain.len(), 3);
    assert_eq!(r.content, DATA);
    let s = &r.signature.signers[0];
    assert_eq!(s.signing_certificate, CertBinding::Matches);
    assert_eq!(s.signature_algorithm, Some(SignatureScheme::RsaPkcs1v15));
    let c = s.certificate.as_ref().unwrap();
    assert_eq!(c.codice_fiscale.as_deref(), Some("RSSMRA80A01H501U"));
    assert_eq!((c.given_name.as_deref(), c.surname.as_deref()), (Some("MARIO"), Some("ROSSI")));
    assert_eq!(c.serial, "64");
    assert!(c.expired_since.is_none());
    assert!(s.signing_time.is_some());
    assert_eq!(r.signature.trust.validation_time_source, Some(verify::verdict::TimeSource::SigningTime));
}

#[test]
fn trusted_once_ca_imported() {
    // Stands in for "InfoCert Firma Qualificata 2 imported": its public certificate is
    // not available offline, so a generated CA plays its part.
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", None, &["-nodetach"]);
    let mut st = TrustStore::with_bundled_anchors();
    assert_eq!(p7m(p, &der, &st, &opts()).signature.trust.status, TrustStatus::Indeterminate);
    st.add_anchors(&p.read("inter.pem")).unwrap();
    assert_eq!(p7m(p, &der, &st, &opts()).signature.trust.status, TrustStatus::Trusted);
}

#[test]
fn tampered_content_is_broken() {
    let Some(p) = pki() else { return };
    let sig = p.sign(DATA, "leaf", Some("inter.pem"), &[]);
    let st = store(p, &["root"]);
    let ok = verify::p7m::verify_p7s(&sig, DATA, &st, &opts()).unwrap();
    assert_eq!(ok.status, Integrity::Intact);
    assert!(p.openssl_intact(&sig, Some(DATA), None));
    let mut bad = DATA.to_vec();
    bad[10] ^= 1;
    let r = verify::p7m::verify_p7s(&sig, &bad, &st, &opts()).unwrap();
    assert_eq!(r.status, Integrity::Broken);
    assert!(!p.openssl_intact(&sig, Some(&bad), None));
    // Without the data: detached.
    let d = p7m(p, &sig, &st, &opts());
    assert_eq!(d.signature.status, Integrity::Detached);
}

#[test]
fn wrong_key_is_broken() {
    let Some(p) = pki() else { return };
    // Signed by `twin` (same issuer+serial as `leaf`, other key); only `leaf` is supplied.
    let der = p.sign(DATA, "twin", None, &["-nodetach", "-nocerts"]);
    let mut st = store(p, &["root"]);
    st.add_intermediates(&p.read("leaf.pem")).unwrap();
    let r = p7m(p, &der, &st, &opts());
    assert_eq!(r.signature.status, Integrity::Broken, "{:#?}", r.signature);
    assert!(!p.openssl_intact(&der, None, Some("leaf.pem")));
}

#[test]
fn validity_judged_at_signing_time() {
    let Some(p) = pki() else { return };
    // No signed attributes: the caller's time (e.g. daticert time) is used.
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-noattr"]);
    assert!(p.openssl_intact(&der, None, None));
    let st = store(p, &["root"]);
    let at = |t: u64| p7m(p, &der, &st, &VerifyOptions { fallback_time: Some(t), now: None }).signature;
    let ok = at(now());
    assert_eq!(ok.status, Integrity::Intact);
    assert_eq!(ok.trust.status, TrustStatus::Trusted);
    assert_eq!(ok.trust.validation_time_source, Some(verify::verdict::TimeSource::Caller));
    let expired = at(now() + 40 * 86400);
    assert_eq!(expired.status, Integrity::Intact);
    assert_eq!(expired.trust.status, TrustStatus::Untrusted);
    assert!(expired.trust.reason.contains("expired"), "{}", expired.trust.reason);
    let early = at(now() - 10 * 86400);
    assert_eq!(early.trust.status, TrustStatus::Untrusted);
    assert!(early.trust.reason.contains("not yet valid"), "{}", early.trust.reason);
    // Expired by "now" but valid when signed: trusted, with the information note.
    let later = p7m(p, &der, &st, &VerifyOptions { fallback_time: Some(now()), now: Some(now() + 400 * 86400) }).signature;
    assert_eq!(later.trust.status, TrustStatus::Trusted);
    assert!(later.trust.notes.iter().any(|n| n.starts_with("certificate expired since ")), "{:?}", later.trust.notes);
}

#[test]
fn untrusted_root() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "otherleaf", Some("otherroot.pem"), &["-nodetach"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact);
    assert_eq!(r.signature.trust.status, TrustStatus::Untrusted);
    assert!(r.signature.trust.reason.contains("not trusted: O=Elsewhere") || r.signature.trust.reason.contains("Other Root"), "{}", r.signature.trust.reason);
}

#[test]
fn ca_without_key_cert_sign() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "noksleaf", Some("noks.pem"), &["-nodetach"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.trust.status, TrustStatus::Untrusted, "{:#?}", r.signature.trust);
    assert!(r.signature.trust.reason.contains("keyCertSign"), "{}", r.signature.trust.reason);
}

#[test]
fn issuer_not_a_ca() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "notcaleaf", Some("notca.pem"), &["-nodetach"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.trust.status, TrustStatus::Untrusted);
    assert!(r.signature.trust.reason.contains("not a CA"), "{}", r.signature.trust.reason);
}

#[test]
fn path_length_violation() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf0", Some("inter0.pem"), &["-nodetach"]);
    let r = p7m(p, &der, &store(p, &["root0"]), &opts());
    assert_eq!(r.signature.trust.status, TrustStatus::Untrusted);
    assert!(r.signature.trust.reason.contains("path length"), "{}", r.signature.trust.reason);
}

#[test]
fn rsa_pss() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-keyopt", "rsa_padding_mode:pss", "-md", "sha384"]);
    assert!(p.openssl_intact(&der, None, None));
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
    assert_eq!(r.signature.signers[0].signature_algorithm, Some(SignatureScheme::RsaPss));
    assert_eq!(r.signature.signers[0].digest_algorithm, Some(DigestAlgorithm::Sha384));
}

#[test]
fn p384_sha512_and_sha224() {
    let Some(p) = pki() else { return };
    for (md, alg) in [("sha512", DigestAlgorithm::Sha512), ("sha224", DigestAlgorithm::Sha224)] {
        let der = p.sign(DATA, "leaf384", Some("inter.pem"), &["-nodetach", "-md", md]);
        assert!(p.openssl_intact(&der, None, None));
        let r = p7m(p, &der, &store(p, &["root"]), &opts());
        assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
        assert_eq!(r.signature.trust.status, TrustStatus::Trusted);
        assert_eq!(r.signature.signers[0].signature_algorithm, Some(SignatureScheme::EcdsaP384));
        assert_eq!(r.signature.signers[0].digest_algorithm, Some(alg));
    }
}

#[test]
fn sha1_is_weak_and_no_attrs_signs_content() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf2", Some("inter.pem"), &["-nodetach", "-md", "sha1", "-noattr"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact);
    assert!(r.signature.weak_algorithm);
    assert_eq!(r.signature.signers[0].signing_time, None);
}

#[test]
fn missing_message_digest() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach"]);
    let bad = rewrite(&der, &SIGNER0_ATTRS, &mut |attrs| attrs.retain(|a| !contains(a, &OID_MESSAGE_DIGEST_DER)));
    let r = p7m(p, &bad, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Broken);
    assert_eq!(r.signature.signers[0].integrity_reason.as_deref(), Some("signed attributes lack exactly one messageDigest"));
    assert!(!p.openssl_intact(&bad, None, None));
}

#[test]
fn wrong_signing_certificate_v2_hash() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-cades"]);
    let leaf_der = verify::certs::parse_certificates(&p.read("leaf.pem")).unwrap()[0].der.clone();
    let bad = rewrite(&der, &SIGNER0_ATTRS, &mut |attrs| {
        let hash = DigestAlgorithm::Sha256.digest(&leaf_der);
        for a in attrs.iter_mut().filter(|a| contains(a, &OID_SIGNING_CERT_V2_DER)) {
            let at = a.windows(hash.len()).position(|w| w == hash).expect("certHash present");
            a[at] ^= 0xff;
        }
    });
    let r = p7m(p, &bad, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Broken);
    assert_eq!(r.signature.signers[0].signing_certificate, CertBinding::Mismatch);
    assert!(!p.openssl_intact(&bad, None, None));
}

#[test]
fn nested_p7m_every_level_verified() {
    let Some(p) = pki() else { return };
    let inner = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach"]);
    let outer = p.sign(&inner, "leaf2", Some("inter.pem"), &["-nodetach"]);
    // The outer level base64-armoured, as some tools save it.
    let b64 = {
        use base64::Engine;
        let s = base64::engine::general_purpose::STANDARD.encode(&outer);
        s.as_bytes().chunks(64).map(|c| [c, b"\n"].concat()).collect::<Vec<_>>().concat()
    };
    let st = store(p, &["root"]);
    let r = verify::p7m::verify_p7m(&b64, Some("doc.xml.p7m.p7m"), &st, &opts()).unwrap();
    assert_eq!(r.levels.len(), 2);
    assert_eq!(r.levels[0].encoding, verify::p7m::InputEncoding::Base64);
    assert_eq!(r.signature.status, Integrity::Intact);
    assert_eq!(r.signature.trust.status, TrustStatus::Trusted);
    assert_eq!(r.signature.signers.len(), 2);
    assert_eq!(r.content, DATA);
    assert_eq!(r.file_name.as_deref(), Some("doc.xml"));
    // Tamper with the inner content: the outer signature breaks too (it covers the inner).
    let pem = format!("-----BEGIN PKCS7-----\n{}-----END PKCS7-----\n", String::from_utf8(b64).unwrap());
    let r = verify::p7m::verify_p7m(pem.as_bytes(), None, &st, &opts()).unwrap();
    assert_eq!(r.levels[0].encoding, verify::p7m::InputEncoding::Pem);
    assert_eq!(r.signature.status, Integrity::Intact);
}

#[test]
fn several_signers_and_subject_key_identifier() {
    let Some(p) = pki() else { return };
    p.write("multi.bin", DATA);
    p.run(&[
        "cms", "-sign", "-binary", "-nodetach", "-in", "multi.bin", "-signer", "leaf.pem", "-inkey", "leaf.key", "-signer", "leaf384.pem",
        "-inkey", "leaf384.key", "-keyid", "-certfile", "inter.pem", "-outform", "DER", "-out", "multi.der",
    ]);
    let der = p.read("multi.der");
    assert!(p.openssl_intact(&der, None, None));
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.signers.len(), 2);
    assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
    assert_eq!(r.signature.trust.status, TrustStatus::Trusted);
    // One signer only from a trusted hierarchy -> overall not trusted.
    let r = p7m(p, &der, &TrustStore::empty(), &opts());
    assert_ne!(r.signature.trust.status, TrustStatus::Trusted);
}

#[test]
fn countersignature_verified() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach"]);
    let si = children_at(&der, &SIGNER0);
    let sig_value = verify::asn1::read(&si[5]).unwrap().0.value.to_vec();
    // The counter-signer signs the signature value (detached), then its SignerInfo is
    // attached as an unsigned countersignature attribute.
    let cs = p.sign(&sig_value, "leaf2", None, &[]);
    let cs_info = children_at(&cs, &[1, 0, -1])[0].clone();
    let attach = |counter: &[u8]| {
        rewrite(&der, &SIGNER0, &mut |kids| {
            let attr = tlv(0x30, &[OID_COUNTERSIGNATURE_DER.to_vec(), tlv(0x31, counter)].concat());
            kids.push(tlv(0xA1, &attr));
        })
    };
    let st = {
        let mut s = store(p, &["root"]);
        s.add_intermediates(&p.read("inter.pem")).unwrap();
        s.add_intermediates(&p.read("leaf2.pem")).unwrap();
        s
    };
    let r = p7m(p, &attach(&cs_info), &st, &opts());
    let s = &r.signature.signers[0];
    assert_eq!(s.integrity, Integrity::Intact);
    assert_eq!(s.countersignatures.len(), 1);
    assert_eq!(s.countersignatures[0].integrity, Integrity::Intact, "{:#?}", s.countersignatures[0]);
    assert_eq!(s.countersignatures[0].trust.status, TrustStatus::Trusted);
    // A counter-signature over other bytes is broken.
    let other = p.sign(b"something else", "leaf2", None, &[]);
    let r = p7m(p, &attach(&children_at(&other, &[1, 0, -1])[0]), &st, &opts());
    assert_eq!(r.signature.signers[0].countersignatures[0].integrity, Integrity::Broken);
}

#[test]
fn json_shape_is_stable() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-cades"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["signature"]["status"], "intact");
    assert_eq!(v["signature"]["trust"]["status"], "trusted");
    assert_eq!(v["signature"]["trust"]["revocation"], "not_checked");
    assert_eq!(v["signature"]["signers"][0]["signing_certificate"], "matches");
    assert_eq!(v["signature"]["signers"][0]["digest_algorithm"], "sha256");
    assert_eq!(v["signature"]["signers"][0]["certificate"]["codice_fiscale"], "RSSMRA80A01H501U");
    assert_eq!(v["levels"][0]["encoding"], "der");
    assert!(v.get("content").is_none());
}

#[test]
fn ber_indefinite_length_is_normalised() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach", "-stream"]);
    assert!(verify::asn1::needs_normalising(&der), "openssl -stream should emit BER");
    assert!(p.openssl_intact(&der, None, None));
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact, "{:#?}", r.signature);
    assert_eq!(r.content, DATA);
    assert!(r.signature.warnings.iter().any(|w| w.contains("BER")));
}

#[test]
fn opaque_smime_returns_content() {
    let Some(p) = pki() else { return };
    let mime = b"Content-Type: text/plain\r\n\r\nciao\r\n";
    let der = p.sign(mime, "leaf", Some("inter.pem"), &["-nodetach"]);
    let (r, content) = verify::smime::verify_opaque(&der, &store(p, &["root"]), &opts()).unwrap();
    assert_eq!(r.status, Integrity::Intact);
    assert_eq!(r.trust.status, TrustStatus::Trusted);
    assert_eq!(content, mime);
}

#[test]
fn detached_smime_canonicalises_lf() {
    let Some(p) = pki() else { return };
    let crlf = b"Content-Type: text/plain\r\n\r\nriga uno\r\nriga due\r\n";
    let sig = p.sign(crlf, "leaf", Some("inter.pem"), &[]);
    let lf = b"Content-Type: text/plain\n\nriga uno\nriga due\n";
    let st = store(p, &["root"]);
    let r = verify::smime::verify_detached(lf, &sig, &st, &opts()).unwrap();
    assert_eq!(r.status, Integrity::Intact);
    let r = verify::smime::verify_detached(b"Content-Type: text/plain\n\nriga uno\nriga tre\n", &sig, &st, &opts()).unwrap();
    assert_eq!(r.status, Integrity::Broken);
}

#[test]
fn unknown_critical_extension_is_untrusted() {
    let Some(p) = pki() else { return };
    let ext = format!("{}\n1.2.3.4.5=critical,DER:0500", common::pki::LEAF_EXT);
    p.cert("critleaf", "ec256", "/O=Cartolina Test/CN=Critical Ext", Some("inter"), &ext, 110, 30);
    let der = p.sign(DATA, "critleaf", Some("inter.pem"), &["-nodetach"]);
    let r = p7m(p, &der, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.status, Integrity::Intact);
    assert_eq!(r.signature.trust.status, TrustStatus::Untrusted);
    assert!(r.signature.trust.reason.contains("1.2.3.4.5"), "{}", r.signature.trust.reason);
}

#[test]
fn one_unreadable_signer_does_not_hide_the_other() {
    let Some(p) = pki() else { return };
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach"]);
    // Add a second "SignerInfo" that is a SEQUENCE of garbage.
    let bad = rewrite(&der, &[1, 0, -1], &mut |signers| signers.push(tlv(0x30, &[0x02, 0x01, 0x01, 0x05, 0x00])));
    let r = p7m(p, &bad, &store(p, &["root"]), &opts());
    assert_eq!(r.signature.signers.len(), 2);
    assert_eq!(r.signature.signers[0].integrity, Integrity::Intact);
    assert_eq!(r.signature.signers[1].integrity, Integrity::Broken);
    assert_eq!(r.signature.status, Integrity::Broken);
}

#[test]
fn signature_timestamp_verified() {
    let Some(p) = pki() else { return };
    let tsa_ext = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping";
    p.cert("tsa", "ec256", "/O=Cartolina Test/CN=Test TSA", Some("inter"), tsa_ext, 120, 30);
    p.write(
        "tsa.cnf",
        b"[tsa]\ndefault_tsa = t\n[t]\nserial = tsaserial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
          digests = sha256, sha384, sha512\naccuracy = secs:1\ness_cert_id_alg = sha256\n",
    );
    p.write("tsaserial", b"01\n");
    let der = p.sign(DATA, "leaf", Some("inter.pem"), &["-nodetach"]);
    let si = children_at(&der, &SIGNER0);
    let sig_value = verify::asn1::read(&si[5]).unwrap().0.value.to_vec();
    let token = |over: &[u8], name: &str| {
        p.write(&format!("{name}.bin"), over);
        p.run(&["ts", "-query", "-data", &format!("{name}.bin"), "-sha256", "-cert", "-no_nonce", "-out", &format!("{name}.tsq")]);
        p.run(&[
            "ts", "-reply", "-queryfile", &format!("{name}.tsq"), "-signer", "tsa.pem", "-inkey", "tsa.key", "-config", "tsa.cnf",
            "-token_out", "-out", &format!("{name}.tst"),
        ]);
        p.read(&format!("{name}.tst"))
    };
    const OID_TS: [u8; 13] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x0E];
    let attach = |tok: &[u8]| {
        rewrite(&der, &SIGNER0, &mut |kids| {
            let attr = tlv(0x30, &[OID_TS.to_vec(), tlv(0x31, tok)].concat());
            kids.push(tlv(0xA1, &attr));
        })
    };
    let st = store(p, &["root"]);
    let good = attach(&token(&sig_value, "ts-good"));
    let r = p7m(p, &good, &st, &opts());
    let s = &r.signature.signers[0];
    assert_eq!(s.integrity, Integrity::Intact);
    assert_eq!(s.timestamps.len(), 1);
    let t = &s.timestamps[0];
    assert_eq!(t.integrity, Integrity::Intact, "{t:#?}");
    assert_eq!(t.trust.status, TrustStatus::Trusted, "{t:#?}");
    assert!(t.tsa.as_deref().unwrap().contains("Test TSA"));
    assert!(t.time.is_some());
    // A token over other bytes does not match this signature.
    let bad = attach(&token(b"other", "ts-bad"));
    let t = &p7m(p, &bad, &st, &opts()).signature.signers[0].timestamps[0];
    assert_eq!(t.integrity, Integrity::Broken);
    assert_eq!(t.integrity_reason.as_deref(), Some("time-stamp imprint does not match the signature"));
}
