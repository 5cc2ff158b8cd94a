//! Trust from imported CRLs and Trusted Lists.

mod common;

use common::pki::{pki, Pki};
use verify::verdict::{Revocation, TrustStatus};
use verify::{TrustStore, VerifyOptions};

const DATA: &[u8] = b"documento";

/// A CRL from `inter` revoking serial 0x66 (`leaf2`) in 2020.
fn make_crl(p: &Pki, dir: &str) -> Vec<u8> {
    std::fs::create_dir_all(p.path(dir)).unwrap();
    let d = p.path(dir);
    std::fs::write(d.join("index.txt"), "R\t301231000000Z\t200101000000Z\t66\tunknown\t/O=Cartolina Test/CN=Second Signer\n").unwrap();
    std::fs::write(d.join("crlnumber"), "01\n").unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n",
    )
    .unwrap();
    let (key, cert) = (p.path("inter.key"), p.path("inter.pem"));
    common::pki::run(&d, &["ca", "-gencrl", "-config", "ca.cnf", "-keyfile", key.to_str().unwrap(), "-cert", cert.to_str().unwrap(), "-out", "crl.pem"]);
    std::fs::read(d.join("crl.pem")).unwrap()
}

#[test]
fn imported_crl_revokes() {
    let Some(p) = pki() else { return };
    let crl = make_crl(p, "crl-imported");
    let mut st = TrustStore::empty();
    st.add_anchors(&p.read("inter.pem")).unwrap();
    assert_eq!(st.add_crls(&crl).unwrap(), 1);
    // What the app's trust settings list of it.
    let sum = verify::crl::Crl::parse_all(&crl).unwrap().remove(0).summary();
    assert_eq!(sum.entries, 1);
    assert!(sum.issuer.contains("CN="), "{sum:?}");
    assert!(sum.this_update.ends_with('Z') && sum.next_update.as_deref().is_some_and(|n| n > sum.this_update.as_str()), "{sum:?}");
    let o = VerifyOptions::default();
    let revoked = p.sign(DATA, "leaf2", None, &["-nodetach"]);
    let r = verify::p7m::verify_p7m(&revoked, None, &st, &o).unwrap().signature;
    assert_eq!(r.trust.status, TrustStatus::Untrusted, "{:#?}", r.trust);
    assert!(r.trust.reason.contains("revoked"), "{}", r.trust.reason);
    let good = p.sign(DATA, "leaf", None, &["-nodetach"]);
    let r = verify::p7m::verify_p7m(&good, None, &st, &o).unwrap().signature;
    assert_eq!(r.trust.status, TrustStatus::Trusted);
    assert_eq!(r.trust.revocation, Revocation::Good);
    // Without the CRL: not checked.
    let mut st2 = TrustStore::empty();
    st2.add_anchors(&p.read("inter.pem")).unwrap();
    let r = verify::p7m::verify_p7m(&revoked, None, &st2, &o).unwrap().signature;
    assert_eq!(r.trust.status, TrustStatus::Trusted);
    assert_eq!(r.trust.revocation, Revocation::NotChecked);
}

fn b64(p: &Pki, name: &str) -> String {
    use base64::Engine;
    let der = verify::certs::parse_certificates(&p.read(name)).unwrap().remove(0).der.clone();
    base64::engine::general_purpose::STANDARD.encode(der)
}

#[test]
fn trusted_list_services_become_anchors() {
    let Some(p) = pki() else { return };
    let service = |status: &str, cert: &str| {
        format!(
            "<tsl:TSPService><tsl:ServiceInformation><tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier>\
             <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>\n{cert}\n</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>\
             <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/{status}</tsl:ServiceStatus></tsl:ServiceInformation></tsl:TSPService>"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tsl:TrustServiceStatusList xmlns:tsl=\"http://uri.etsi.org/02231/v2#\">\
         <tsl:SchemeInformation><tsl:SchemeTerritory>IT</tsl:SchemeTerritory>\
         <tsl:SchemeOperatorName><tsl:Name xml:lang=\"it\">AgID</tsl:Name></tsl:SchemeOperatorName>\
         <tsl:PointersToOtherTSL><tsl:OtherTSLPointer><tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId>\
         <tsl:X509Certificate>{other}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities></tsl:OtherTSLPointer></tsl:PointersToOtherTSL>\
         </tsl:SchemeInformation><tsl:TrustServiceProviderList><tsl:TrustServiceProvider><tsl:TSPServices>{s1}{s2}</tsl:TSPServices>\
         </tsl:TrustServiceProvider></tsl:TrustServiceProviderList></tsl:TrustServiceStatusList>",
        other = b64(p, "otherroot.pem"),
        s1 = service("granted", &b64(p, "inter.pem")),
        s2 = service("withdrawn", &b64(p, "root0.pem")),
    );
    let mut st = TrustStore::empty();
    let summary = st.add_trusted_list(xml.as_bytes()).unwrap();
    assert_eq!(summary.territory.as_deref(), Some("IT"));
    assert_eq!(summary.operator.as_deref(), Some("AgID"));
    assert_eq!((summary.services_seen, summary.services_accepted, summary.anchors_added), (2, 1, 1));
    assert!(!summary.signature_verified);
    assert_eq!(st.anchor_subjects().len(), 1);
    let der = p.sign(DATA, "leaf", None, &["-nodetach"]);
    let r = verify::p7m::verify_p7m(&der, None, &st, &VerifyOptions::default()).unwrap().signature;
    assert_eq!(r.trust.status, TrustStatus::Trusted);
}

#[test]
fn trusted_list_with_dtd_is_refused() {
    let xml = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\
               <TrustServiceStatusList>&lol2;</TrustServiceStatusList>";
    assert!(matches!(TrustStore::empty().add_trusted_list(xml.as_bytes()), Err(verify::Error::TrustedList(_))));
    assert!(TrustStore::empty().add_trusted_list(b"<html/>").is_err());
    assert!(TrustStore::empty().add_trusted_list(b"\xff\xfe").is_err());
}

#[test]
fn crl_embedded_in_the_signature_is_used() {
    let Some(p) = pki() else { return };
    let crl = make_crl(p, "crl-embedded");
    let crl_der = verify::certs::pem_blocks(&crl).remove(0).1;
    // openssl 3.0 cannot embed a CRL when signing: insert `crls [1]` before signerInfos.
    let signed = p.sign(DATA, "leaf2", None, &["-nodetach"]);
    let der = common::derkit::rewrite(&signed, &[1, 0], &mut |kids| {
        let at = kids.len() - 1;
        kids.insert(at, common::derkit::tlv(0xA1, &crl_der));
    });
    let mut st = TrustStore::empty();
    st.add_anchors(&p.read("inter.pem")).unwrap();
    let r = verify::p7m::verify_p7m(&der, None, &st, &VerifyOptions::default()).unwrap().signature;
    assert_eq!(r.trust.status, TrustStatus::Untrusted, "{:#?}", r.trust);
    assert!(r.trust.reason.contains("revoked"));
}
