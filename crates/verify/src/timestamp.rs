//! RFC 3161 signature time-stamps (CAdES-T `signatureTimeStampToken`).
//!
//! A time-stamp token is itself a CMS SignedData whose content is a `TSTInfo`; its
//! `messageImprint` must be the hash of the signer's signature value. A valid, trusted
//! token proves the signature existed at `genTime`, independently of the signer-claimed
//! `signingTime`. The token is reported; validation time stays the signing time.

use const_oid::ObjectIdentifier as Oid;
use serde::Serialize;

use crate::algorithms::DigestAlgorithm;
use crate::asn1;
use crate::certs::Cert;
use crate::cms::{self, VerifyOptions};
use crate::trust::TrustStore;
use crate::verdict::{Integrity, Trust, TrustStatus};

pub const OID_SIGNATURE_TIMESTAMP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
pub const OID_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Verdict on one time-stamp token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampReport {
    /// `genTime` (RFC 3339), when the token could be read.
    pub time: Option<String>,
    /// Token signature intact *and* imprint equal to the hash of the signature value.
    pub integrity: Integrity,
    pub integrity_reason: Option<String>,
    /// Trust of the time-stamping authority's certificate.
    pub trust: Trust,
    /// Subject of the TSA certificate.
    pub tsa: Option<String>,
}

fn failed(why: impl Into<String>) -> TimestampReport {
    TimestampReport {
        time: None,
        integrity: Integrity::Broken,
        integrity_reason: Some(why.into()),
        trust: Trust::simple(TrustStatus::Indeterminate, "time-stamp not readable"),
        tsa: None,
    }
}

/// TSTInfo: (hash algorithm, hashed message, genTime as Unix seconds).
fn parse_tst_info(der: &[u8]) -> Option<(Option<DigestAlgorithm>, Vec<u8>, u64)> {
    let seq = asn1::read_one(der, 0x30).ok()?;
    let f = asn1::children(seq.value).ok()?;
    // version, policy, messageImprint, serialNumber, genTime, ...
    let imprint = f.get(2).filter(|t| t.tag == 0x30)?;
    let parts = asn1::children(imprint.value).ok()?;
    let alg = parts.first().filter(|t| t.tag == 0x30)?;
    let oid = asn1::read(alg.value).ok()?.0;
    let alg = DigestAlgorithm::from_oid(&Oid::from_bytes(oid.value).ok()?);
    let hashed = parts.get(1).filter(|t| t.tag == 0x04)?.value.to_vec();
    let gen = f.get(4).filter(|t| t.tag == 0x18)?;
    let time = <der::asn1::GeneralizedTime as der::Decode>::from_der(gen.raw)
        .ok()
        .map(|t| t.to_unix_duration().as_secs())
        // Fractional seconds are legal in TSTInfo but not in DER GeneralizedTime.
        .or_else(|| fractional_generalized_time(gen.value))?;
    Some((alg, hashed, time))
}

/// `YYYYMMDDHHMMSS[.fff]Z` -> Unix seconds (fraction dropped).
fn fractional_generalized_time(v: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?.strip_suffix('Z')?;
    let whole = s.split('.').next()?;
    if whole.len() != 14 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| whole.get(r)?.parse::<u16>().ok();
    let dt = der::DateTime::new(n(0..4)?, n(4..6)? as u8, n(6..8)? as u8, n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).ok()?;
    Some(dt.unix_duration().as_secs())
}

/// Verifies one token over `signature_value`. Tokens inside the token are not followed.
/// `outer_certs`: certificates of the enclosing signature, usable for the TSA's chain.
pub fn verify(token_der: &[u8], signature_value: &[u8], outer_certs: &[Cert], store: &TrustStore, opts: &VerifyOptions) -> TimestampReport {
    let sd = match cms::parse(token_der) {
        Ok(sd) => sd,
        Err(e) => return failed(format!("unreadable time-stamp token: {e}")),
    };
    if sd.econtent_type != OID_TST_INFO {
        return failed(format!("token content is {} (expected TSTInfo)", sd.econtent_type));
    }
    let Some((alg, hashed, time)) = sd.econtent.as_deref().and_then(parse_tst_info) else {
        return failed("unreadable TSTInfo");
    };
    let report = cms::verify_nested(&sd, outer_certs, store, opts);
    let mut out = TimestampReport {
        time: Some(crate::certs::format_time(time)),
        integrity: report.status,
        integrity_reason: report.signers.first().and_then(|s| s.integrity_reason.clone()),
        trust: report.trust.clone(),
        tsa: report.signers.first().and_then(|s| s.certificate.as_ref()).map(|c| c.subject.clone()),
    };
    match alg {
        None => {
            out.integrity = Integrity::Broken;
            out.integrity_reason = Some("unsupported time-stamp imprint algorithm".into());
        }
        Some(a) if a.digest(signature_value) != hashed => {
            out.integrity = Integrity::Broken;
            out.integrity_reason = Some("time-stamp imprint does not match the signature".into());
        }
        Some(_) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_gen_time() {
        assert_eq!(fractional_generalized_time(b"20181113153926.123Z"), Some(1_542_123_566));
        assert_eq!(fractional_generalized_time(b"20181113153926Z"), Some(1_542_123_566));
        assert_eq!(fractional_generalized_time(b"2018111315Z"), None);
        assert_eq!(fractional_generalized_time(b"garbage"), None);
    }

    #[test]
    fn garbage_token_is_broken_not_panic() {
        let r = verify(b"\x30\x03\x02\x01\x01", b"sig", &[], &TrustStore::empty(), &VerifyOptions::default());
        assert_eq!(r.integrity, Integrity::Broken);
    }
}
