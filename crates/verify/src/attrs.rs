//! Signed attributes (RFC 5652 section 11, RFC 5035 ESS signing certificate).

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use x509_cert::attr::Attribute;
use x509_cert::time::Time;

use crate::algorithms::{DigestAlgorithm, OID_SHA256};
use crate::asn1;

pub const OID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub const OID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub const OID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
pub const OID_COUNTERSIGNATURE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.6");
pub const OID_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
pub const OID_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// The first ESSCertID(v2) of a signing-certificate attribute: which hash, and its value.
/// `None` as algorithm means an algorithm we do not implement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssCertId {
    pub algorithm: Option<DigestAlgorithm>,
    pub hash: Vec<u8>,
}

/// The signed attributes the verifier checks. Counts are kept because RFC 5652 requires
/// exactly one value of contentType / messageDigest / signingTime.
#[derive(Debug, Clone, Default)]
pub struct SignedAttrs {
    pub content_type: Vec<Oid>,
    pub message_digest: Vec<Vec<u8>>,
    pub signing_time: Option<u64>,
    pub signing_certificate: Option<EssCertId>,
    pub signing_certificate_v2: Option<EssCertId>,
    pub problems: Vec<String>,
}

pub fn parse(attrs: &[Attribute]) -> SignedAttrs {
    let mut out = SignedAttrs::default();
    for a in attrs {
        match a.oid {
            OID_CONTENT_TYPE => {
                for v in a.values.iter() {
                    match v.decode_as::<Oid>() {
                        Ok(oid) => out.content_type.push(oid),
                        Err(_) => out.problems.push("malformed contentType".into()),
                    }
                }
            }
            OID_MESSAGE_DIGEST => {
                for v in a.values.iter() {
                    match v.decode_as::<der::asn1::OctetString>() {
                        Ok(os) => out.message_digest.push(os.as_bytes().to_vec()),
                        Err(_) => out.problems.push("malformed messageDigest".into()),
                    }
                }
            }
            OID_SIGNING_TIME => {
                let t = a.values.iter().next().and_then(|v| v.to_der().ok()).and_then(|d| Time::from_der(&d).ok());
                match t {
                    Some(t) if a.values.len() == 1 => out.signing_time = Some(t.to_unix_duration().as_secs()),
                    _ => out.problems.push("malformed signingTime".into()),
                }
            }
            OID_SIGNING_CERTIFICATE | OID_SIGNING_CERTIFICATE_V2 => {
                let v2 = a.oid == OID_SIGNING_CERTIFICATE_V2;
                let parsed = a.values.iter().next().and_then(|v| v.to_der().ok()).and_then(|d| parse_ess(&d, v2));
                match parsed {
                    Some(id) if v2 => out.signing_certificate_v2 = Some(id),
                    Some(id) => out.signing_certificate = Some(id),
                    None => out.problems.push(format!("malformed signingCertificate{}", if v2 { "V2" } else { "" })),
                }
            }
            _ => {}
        }
    }
    out
}

/// `SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }`
/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }`
/// `ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial OPTIONAL }`
/// Only the first ESSCertID matters: it must identify the signer's certificate.
fn parse_ess(der: &[u8], v2: bool) -> Option<EssCertId> {
    let outer = asn1::read_one(der, 0x30).ok()?;
    let certs = asn1::read(outer.value).ok()?.0;
    asn1::expect_tag(&certs, 0x30).ok()?;
    let first = asn1::read(certs.value).ok()?.0;
    asn1::expect_tag(&first, 0x30).ok()?;
    let fields = asn1::children(first.value).ok()?;
    let mut it = fields.iter().peekable();
    let mut algorithm = if v2 { DigestAlgorithm::from_oid(&OID_SHA256) } else { Some(DigestAlgorithm::Sha1) };
    if v2 {
        if let Some(alg) = it.peek().filter(|f| f.tag == 0x30) {
            let oid_tlv = asn1::read(alg.value).ok()?.0;
            asn1::expect_tag(&oid_tlv, 0x06).ok()?;
            let oid = Oid::from_bytes(oid_tlv.value).ok()?;
            algorithm = DigestAlgorithm::from_oid(&oid);
            it.next();
        }
    }
    let hash = it.next().filter(|f| f.tag == 0x04)?;
    Some(EssCertId { algorithm, hash: hash.value.to_vec() })
}
