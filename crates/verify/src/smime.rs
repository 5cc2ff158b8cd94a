//! S/MIME (RFC 8551): `multipart/signed` with a detached signature, and opaque
//! `application/pkcs7-mime` signed-data.
//!
//! The caller (crate `pec`) does the MIME work and hands over bytes: the first body
//! part exactly as stored, and the decoded signature.

use std::borrow::Cow;

use crate::cms::{self, VerifyOptions};
use crate::error::Result;
use crate::trust::TrustStore;
use crate::verdict::{Integrity, SignatureReport};

/// Canonical line endings: every bare LF becomes CRLF; existing CRLFs stay.
///
/// Signatures are made over the canonical form (RFC 8551 3.1.1) but Unix mail stores
/// keep LF only (primer, section 4): without this, every real receipt would fail.
pub fn canonicalize_crlf(data: &[u8]) -> Cow<'_, [u8]> {
    let bare = |i: &usize| *i == 0 || data[*i - 1] != b'\r';
    let bare_lf = memchr::memchr_iter(b'\n', data).filter(bare).count();
    if bare_lf == 0 {
        return Cow::Borrowed(data);
    }
    let mut out = Vec::with_capacity(data.len() + bare_lf);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', data).filter(bare) {
        out.extend_from_slice(&data[start..i]);
        out.extend_from_slice(b"\r\n");
        start = i + 1;
    }
    out.extend_from_slice(&data[start..]);
    Cow::Owned(out)
}

/// Verifies a `multipart/signed` message: `signed_part` is the first body part's
/// bytes (headers and body, without the CRLF before the next boundary), and
/// `signature_der` the decoded `application/pkcs7-signature` part.
///
/// The part is hashed in canonical CRLF form. If that does not verify but the bytes as
/// given do (a signer that hashed LF), the latter is accepted with a warning.
pub fn verify_detached(signed_part: &[u8], signature_der: &[u8], store: &TrustStore, opts: &VerifyOptions) -> Result<SignatureReport> {
    if signed_part.len() > crate::limits::MAX_INPUT_BYTES {
        let (size, limit) = (signed_part.len(), crate::limits::MAX_INPUT_BYTES);
        return Err(crate::Error::TooLarge { what: "signed part", size, limit });
    }
    let sd = cms::parse(signature_der)?;
    let canonical = canonicalize_crlf(signed_part);
    let report = cms::verify(&sd, Some(&canonical), store, opts);
    if report.status == Integrity::Broken && matches!(canonical, Cow::Owned(_)) {
        let raw = cms::verify(&sd, Some(signed_part), store, opts);
        if raw.status == Integrity::Intact {
            let mut raw = raw;
            raw.warnings.push("signature covers the part with bare LF line endings (not canonical)".into());
            return Ok(raw);
        }
    }
    Ok(report)
}

/// Verifies opaque `application/pkcs7-mime; smime-type=signed-data` and returns the
/// encapsulated MIME entity (to be parsed further by the caller).
pub fn verify_opaque(cms_der: &[u8], store: &TrustStore, opts: &VerifyOptions) -> Result<(SignatureReport, Vec<u8>)> {
    let sd = cms::parse(cms_der)?;
    let report = cms::verify(&sd, None, store, opts);
    Ok((report, sd.econtent.map(|c| c.into_owned()).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalisation() {
        assert_eq!(&*canonicalize_crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
        assert!(matches!(canonicalize_crlf(b"a\r\nb"), Cow::Borrowed(_)));
        assert_eq!(&*canonicalize_crlf(b"\n"), b"\r\n");
        assert_eq!(&*canonicalize_crlf(b"\n\n\r\n\rx\n"), b"\r\n\r\n\r\n\rx\r\n");
        assert_eq!(&*canonicalize_crlf(b"no newline"), b"no newline");
    }
}
