//! Offline revocation from CRLs the user imported.
//!
//! A CRL is used only when its issuer name matches the certificate's issuer and its
//! signature verifies with the issuer's key; otherwise revocation stays `not_checked`.
//! A certificate revoked *after* the validation time (signing time) does not invalidate
//! a signature made before: that is reported as a note.

use der::{Decode, Encode};
use x509_cert::crl::CertificateList;

use crate::algorithms::verify_signature;
use crate::asn1;
use crate::certs::{dn_string, format_time, pem_blocks, Cert};
use crate::error::{Error, Result};
use crate::verdict::Revocation;

/// A parsed CRL plus the raw bytes its signature covers.
#[derive(Debug, Clone)]
pub struct Crl {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    parsed: CertificateList,
    issuer: Vec<u8>,
}

impl Crl {
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let bad = |e: String| Error::Certificate(format!("CRL: {e}"));
        let outer = asn1::read_one(der, 0x30).map_err(|e| bad(e.to_string()))?;
        let first = asn1::read(outer.value).map_err(|e| bad(e.to_string()))?.0;
        let start = first.raw.as_ptr() as usize - der.as_ptr() as usize;
        let parsed = CertificateList::from_der(der).map_err(|e| bad(e.to_string()))?;
        let issuer = parsed.tbs_cert_list.issuer.to_der().map_err(|e| bad(e.to_string()))?;
        Ok(Crl { der: der.to_vec(), tbs: start..start + first.raw.len(), parsed, issuer })
    }

    /// DER, or PEM with one or more `X509 CRL` blocks.
    pub fn parse_all(bytes: &[u8]) -> Result<Vec<Crl>> {
        if asn1::is_der_element(bytes) {
            return Ok(vec![Crl::from_der(bytes)?]);
        }
        let crls: Vec<Crl> = pem_blocks(bytes)
            .into_iter()
            .filter(|(l, _)| l == "X509 CRL")
            .map(|(_, d)| Crl::from_der(&d))
            .collect::<Result<_>>()?;
        if crls.is_empty() {
            return Err(Error::Certificate("no CRL found (expected DER or PEM 'X509 CRL')".into()));
        }
        Ok(crls)
    }

    /// Issuer, dates and number of entries, for display (the trust settings).
    pub fn summary(&self) -> CrlSummary {
        let t = &self.parsed.tbs_cert_list;
        CrlSummary {
            issuer: dn_string(&self.issuer, &t.issuer),
            this_update: format_time(t.this_update.to_unix_duration().as_secs()),
            next_update: t.next_update.map(|n| format_time(n.to_unix_duration().as_secs())),
            entries: t.revoked_certificates.as_ref().map_or(0, Vec::len),
        }
    }

    fn signed_by(&self, issuer: &Cert) -> bool {
        let Some(sig) = self.parsed.signature.as_bytes() else { return false };
        verify_signature(
            &issuer.parsed.tbs_certificate.subject_public_key_info,
            &self.parsed.signature_algorithm,
            None,
            &self.der[self.tbs.clone()],
            sig,
        )
        .is_ok()
    }
}

/// What [`Crl::summary`] tells: RFC 3339 times, the issuer as an RFC 4514 string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CrlSummary {
    pub issuer: String,
    pub this_update: String,
    pub next_update: Option<String>,
    pub entries: usize,
}

/// Revocation state of `cert` (issued by `issuer`) at `time`, with an optional note.
pub fn check<'a>(cert: &Cert, issuer: &Cert, crls: impl IntoIterator<Item = &'a Crl>, time: u64) -> (Revocation, Option<String>) {
    let mut state = Revocation::NotChecked;
    for crl in crls.into_iter().filter(|c| c.issuer == cert.issuer) {
        if !crl.signed_by(issuer) {
            continue;
        }
        state = Revocation::Good;
        let revoked = crl.parsed.tbs_cert_list.revoked_certificates.iter().flatten();
        for entry in revoked {
            if entry.serial_number.as_bytes() == cert.serial_bytes() {
                let when = entry.revocation_date.to_unix_duration().as_secs();
                let subject = cert.subject_string();
                if when <= time {
                    return (Revocation::Revoked, Some(format!("certificate {subject} revoked on {}", format_time(when))));
                }
                return (
                    Revocation::Good,
                    Some(format!("certificate {subject} revoked on {}, after the validation time", format_time(when))),
                );
            }
        }
    }
    (state, None)
}
