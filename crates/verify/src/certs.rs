//! Parsed certificates with the facts path building needs, and decoding of
//! certificate bundles (PEM or DER).

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::algorithms::{verify_signature, DigestAlgorithm, SigError};
use crate::asn1;
use crate::error::{Error, Result};
use crate::verdict::CertificateSummary;

/// Most distinct names remembered by [`dn_string`].
const DN_CACHE_ENTRIES: usize = 1024;

/// The RFC 4514 string of a name, memoised by its DER. The same few provider and CA
/// names recur on every receipt, and x509-cert's `Display` looks each attribute type up
/// in the OID database (about a tenth of a receipt's verification time before this).
pub fn dn_string(der: &[u8], name: &Name) -> String {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().ok().and_then(|c| c.get(der).cloned()) {
        return s;
    }
    let s = name.to_string();
    if der.len() <= 2048 {
        if let Ok(mut c) = cache.lock() {
            if c.len() >= DN_CACHE_ENTRIES {
                c.clear();
            }
            c.insert(der.to_vec(), s.clone());
        }
    }
    s
}

/// Most parsed certificates kept by [`Cert::from_der`]'s memo.
const PARSED_CACHE_ENTRIES: usize = 1024;

/// A parsed certificate, cheap to clone (shared). Every receipt of a provider carries
/// the same signer certificate: parsing it with x509-cert cost about a seventh of a
/// receipt's verification, so parsed certificates are memoised by fingerprint, and
/// their display strings are computed once.
#[derive(Debug, Clone)]
pub struct Cert(std::sync::Arc<CertData>);

/// A certificate plus the raw bytes its signature covers.
#[derive(Debug)]
pub struct CertData {
    pub der: Vec<u8>,
    pub parsed: Certificate,
    /// The tbsCertificate exactly as encoded (not re-encoded: see `asn1` docs).
    tbs: std::ops::Range<usize>,
    /// Subject and issuer in the normalised DER `der` produces (for comparisons).
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    pub ski: Option<Vec<u8>>,
    pub not_before: u64,
    pub not_after: u64,
    /// basicConstraints: (cA, pathLenConstraint), None when absent.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    pub key_usage: Option<KeyUsage>,
    /// SHA-256 of `der` (identity for caches and display).
    pub fingerprint: [u8; 32],
    /// The summary without `expired_since` (which depends on "now"), made on first use.
    summary: std::sync::OnceLock<CertificateSummary>,
}

impl std::ops::Deref for Cert {
    type Target = CertData;
    fn deref(&self) -> &CertData {
        &self.0
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Cert {
    pub fn from_der(der: &[u8]) -> Result<Cert> {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static PARSED: OnceLock<Mutex<HashMap<[u8; 32], Cert>>> = OnceLock::new();
        let fingerprint: [u8; 32] = {
            use sha2::Digest as _;
            sha2::Sha256::digest(der).into()
        };
        let memo = PARSED.get_or_init(Default::default);
        if let Some(c) = memo.lock().ok().and_then(|m| m.get(&fingerprint).filter(|c| c.der == der).cloned()) {
            return Ok(c);
        }
        let cert = Cert(std::sync::Arc::new(CertData::parse(der, fingerprint)?));
        if let Ok(mut m) = memo.lock() {
            if m.len() >= PARSED_CACHE_ENTRIES {
                m.clear();
            }
            m.insert(fingerprint, cert.clone());
        }
        Ok(cert)
    }
}

impl CertData {
    fn parse(der: &[u8], fingerprint: [u8; 32]) -> Result<CertData> {
        let outer = asn1::read_one(der, 0x30).map_err(|e| Error::Certificate(e.to_string()))?;
        let first = asn1::read(outer.value).map_err(|e| Error::Certificate(e.to_string()))?.0;
        let start = first.raw.as_ptr() as usize - der.as_ptr() as usize;
        let tbs = start..start + first.raw.len();
        let parsed = Certificate::from_der(der).map_err(|e| Error::Certificate(e.to_string()))?;
        let t = &parsed.tbs_certificate;
        let subject = t.subject.to_der().map_err(|e| Error::Certificate(e.to_string()))?;
        let issuer = t.issuer.to_der().map_err(|e| Error::Certificate(e.to_string()))?;
        let ski = t.get::<SubjectKeyIdentifier>().ok().flatten().map(|(_, s)| s.0.as_bytes().to_vec());
        // Fail closed: a present but undecodable (or duplicated) constraint extension
        // counts as "not a CA" / "no usage allowed", never as absent.
        let basic_constraints = match t.get::<BasicConstraints>() {
            Ok(v) => v.map(|(_, b)| (b.ca, b.path_len_constraint)),
            Err(_) => Some((false, None)),
        };
        let key_usage = match t.get::<KeyUsage>() {
            Ok(v) => v.map(|(_, k)| k),
            Err(_) => Some(KeyUsage(Default::default())),
        };
        Ok(CertData {
            fingerprint,
            der: der.to_vec(),
            tbs,
            subject,
            issuer,
            ski,
            not_before: t.validity.not_before.to_unix_duration().as_secs(),
            not_after: t.validity.not_after.to_unix_duration().as_secs(),
            basic_constraints,
            key_usage,
            parsed,
            summary: std::sync::OnceLock::new(),
        })
    }
}

impl Cert {
    pub fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    pub fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    pub fn valid_at(&self, t: u64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// Checks that `issuer`'s key made this certificate's signature.
    pub fn signed_by(&self, issuer: &Cert) -> std::result::Result<(), SigError> {
        let sig = self.parsed.signature.as_bytes().ok_or_else(|| SigError::Malformed("unaligned signature".into()))?;
        verify_signature(
            &issuer.parsed.tbs_certificate.subject_public_key_info,
            &self.parsed.signature_algorithm,
            None,
            self.tbs(),
            sig,
        )
        .map(|_| ())
    }

    /// SHA-1 of the subjectPublicKey bits: the RFC 5280 method (1) key identifier, used
    /// when a signer is named by SKI and the certificate has no SKI extension.
    pub fn key_id_sha1(&self) -> Vec<u8> {
        DigestAlgorithm::Sha1.digest(self.parsed.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes())
    }

    pub fn serial_bytes(&self) -> &[u8] {
        self.parsed.tbs_certificate.serial_number.as_bytes()
    }

    pub fn subject_string(&self) -> String {
        dn_string(&self.subject, &self.parsed.tbs_certificate.subject)
    }

    pub fn issuer_string(&self) -> String {
        dn_string(&self.issuer, &self.parsed.tbs_certificate.issuer)
    }

    pub fn summary(&self, now: u64) -> CertificateSummary {
        let mut summary = self
            .summary
            .get_or_init(|| {
                let t = &self.parsed.tbs_certificate;
                let serial_attr = name_attr(&t.subject, OID_SERIAL_NUMBER);
                let codice_fiscale = serial_attr.as_deref().and_then(|s| s.strip_prefix("TINIT-")).map(str::to_string);
                CertificateSummary {
                    subject: self.subject_string(),
                    common_name: name_attr(&t.subject, OID_CN),
                    organization: name_attr(&t.subject, OID_O),
                    subject_serial_number: if codice_fiscale.is_none() { serial_attr } else { None },
                    codice_fiscale,
                    given_name: name_attr(&t.subject, OID_GIVEN_NAME),
                    surname: name_attr(&t.subject, OID_SURNAME),
                    issuer: self.issuer_string(),
                    issuer_common_name: name_attr(&t.issuer, OID_CN),
                    serial: serial_hex(self.serial_bytes()),
                    not_before: format_time(self.not_before),
                    not_after: format_time(self.not_after),
                    expired_since: None,
                    sha256_fingerprint: hex_lower(&self.fingerprint),
                }
            })
            .clone();
        summary.expired_since = (self.not_after < now).then(|| format_date(self.not_after));
        summary
    }
}

pub const OID_CN: Oid = Oid::new_unwrap("2.5.4.3");
pub const OID_O: Oid = Oid::new_unwrap("2.5.4.10");
pub const OID_SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
pub const OID_GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
pub const OID_SURNAME: Oid = Oid::new_unwrap("2.5.4.4");

/// First value of an attribute in a DN, as text (UTF8, Printable, IA5, Teletex, BMP).
pub fn name_attr(name: &Name, oid: Oid) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == oid).map(|atv| {
        let v = atv.value.value();
        match der::Tagged::tag(&atv.value) {
            der::Tag::BmpString => {
                let units: Vec<u16> = v.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16_lossy(&units)
            }
            der::Tag::TeletexString => v.iter().map(|b| *b as char).collect(),
            _ => String::from_utf8_lossy(v).into_owned(),
        }
    })
}

/// Serial number as upper-case hex without the DER sign-padding zero byte
/// (`00 99 69 38` -> `996938`, as openssl and certificate viewers print it).
pub fn serial_hex(b: &[u8]) -> String {
    let skip = b.iter().take_while(|x| **x == 0).count().min(b.len().saturating_sub(1));
    hex_upper(&b[skip..])
}

pub fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

pub fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// RFC 3339 UTC, e.g. `2018-11-13T15:39:26Z`.
pub fn format_time(unix: u64) -> String {
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(unix)) {
        Ok(d) => d.to_string(),
        Err(_) => format!("@{unix}"),
    }
}

/// `YYYY-MM-DD`.
pub fn format_date(unix: u64) -> String {
    let s = format_time(unix);
    s.get(..10).map(str::to_string).unwrap_or(s)
}

/// Reads certificates from DER (one certificate) or PEM (any number of
/// `CERTIFICATE` blocks; other blocks are skipped).
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Cert>> {
    if asn1::is_der_element(bytes) {
        return Ok(vec![Cert::from_der(bytes)?]);
    }
    let blocks = pem_blocks(bytes);
    if blocks.is_empty() {
        return Err(Error::Certificate("neither DER nor PEM".into()));
    }
    let mut out = Vec::new();
    for (label, der) in blocks {
        if label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE" {
            if out.len() >= crate::limits::MAX_IMPORTED_CERTIFICATES {
                return Err(Error::TooLarge { what: "certificates in bundle", size: out.len() + 1, limit: crate::limits::MAX_IMPORTED_CERTIFICATES });
            }
            out.push(Cert::from_der(&der)?);
        }
    }
    Ok(out)
}

/// PEM blocks as (label, decoded bytes). Undecodable blocks are skipped.
pub fn pem_blocks(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            current = Some((label.to_string(), String::new()));
        } else if line.starts_with("-----END ") {
            if let Some((label, b64)) = current.take() {
                if let Some(der) = decode_base64_loose(b64.as_bytes()) {
                    out.push((label, der));
                }
            }
        } else if let Some((_, b64)) = current.as_mut() {
            // Skip RFC 1421 headers ("Proc-Type: ...").
            if !line.contains(':') {
                b64.push_str(line);
            }
        }
    }
    out
}

/// Base64 with any whitespace/line breaks; None when not base64.
pub fn decode_base64_loose(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    // Give up at the first byte outside the alphabet: a large binary payload (a PDF
    // inside a .p7m, probed for a nested envelope) is rejected at once, not copied.
    let mut clean = Vec::new();
    for &b in text {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => clean.push(b),
            b if b.is_ascii_whitespace() => {}
            _ => return None,
        }
    }
    if clean.is_empty() {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&clean))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_loose() {
        assert_eq!(decode_base64_loose(b" TWFu\r\nTQ==\n").as_deref(), Some(&b"ManM"[..]));
        assert_eq!(decode_base64_loose(b"%PDF-1.4 ..."), None);
        assert_eq!(decode_base64_loose(b"  \n"), None);
    }

    #[test]
    fn serial_without_sign_padding() {
        assert_eq!(serial_hex(&[0x00, 0x99, 0x69, 0x38]), "996938");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x0b, 0xe0]), "0BE0");
    }

    #[test]
    fn parsed_certificates_are_shared_and_summaries_follow_now() {
        let pem = include_bytes!("../anchors/agid-ca1.pem");
        let a = parse_certificates(pem).unwrap().remove(0);
        let b = parse_certificates(pem).unwrap().remove(0);
        assert!(std::sync::Arc::ptr_eq(&a.0, &b.0), "the same DER is parsed once");
        // The memoised summary must not freeze "expired since": it depends on now.
        let before = a.summary(a.not_after - 1);
        let after = b.summary(a.not_after + 86_400);
        assert_eq!(before.expired_since, None);
        assert_eq!(after.expired_since.as_deref(), Some(format_date(a.not_after).as_str()));
        assert_eq!(before.sha256_fingerprint, after.sha256_fingerprint);
        // A different certificate is another entry, never a stale one.
        let c = parse_certificates(include_bytes!("../anchors/actalis-authentication-root-ca.pem")).unwrap().remove(0);
        assert_ne!(c.fingerprint, a.fingerprint);
        assert_ne!(c.summary(0).subject, a.summary(0).subject);
    }

    #[test]
    fn key_usage_decodes() {
        let der = [0x03, 0x02, 0x07, 0x80];
        let ku = KeyUsage::from_der(&der);
        assert!(ku.is_ok(), "{ku:?}");
        assert!(ku.unwrap().digital_signature());
    }
}
