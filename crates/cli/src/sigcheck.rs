//! Signature verification for `inspect`, `verify` and `p7m extract`: the trust store
//! (built once per run from the bundled PEC anchors and the `--trust` files) and the
//! verdict for one message or one signed document.

use std::path::{Path, PathBuf};

use serde::Serialize;
use verify::p7m::InputEncoding;
use verify::{Integrity, SignatureReport, TrustStore, VerifyOptions};

/// Everything a verification needs, shared by every file of a run.
pub struct Checker {
    pub store: TrustStore,
    /// "Now" for `expired_since` (None: the system clock).
    pub now: Option<u64>,
}

impl Checker {
    /// Bundled anchors plus `--trust` files; a file that cannot be read or recognised is
    /// a usage error (exit status 2).
    pub fn from_args_or_exit(trust: &[PathBuf]) -> Checker {
        match load_trust(trust) {
            Ok(store) => Checker { store, now: None },
            Err(e) => {
                eprintln!("cartolina: --trust: {e}");
                std::process::exit(2);
            }
        }
    }
}

/// Builds the trust store. Each file is recognised by content: an EU Trusted List
/// (XML), PEM certificates and/or CRLs, a DER certificate or a DER CRL. Imported
/// certificates are trust anchors.
pub fn load_trust(files: &[PathBuf]) -> Result<TrustStore, String> {
    let mut store = TrustStore::with_bundled_anchors();
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        add_trust_file(&mut store, &bytes).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    Ok(store)
}

/// What one `--trust` file added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Added {
    pub anchors: usize,
    pub crls: usize,
}

pub fn add_trust_file(store: &mut TrustStore, bytes: &[u8]) -> Result<Added, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'<') {
        let s = store.add_trusted_list(bytes).map_err(|e| format!("not a usable Trusted List: {e}"))?;
        return Ok(Added { anchors: s.anchors_added, crls: 0 });
    }
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if has(b"-----BEGIN ") {
        let mut added = Added::default();
        let mut seen = false;
        if has(b"-----BEGIN CERTIFICATE-----") || has(b"-----BEGIN TRUSTED CERTIFICATE-----") {
            added.anchors = store.add_anchors(bytes).map_err(|e| format!("bad certificate: {e}"))?;
            seen = true;
        }
        if has(b"-----BEGIN X509 CRL-----") {
            added.crls = store.add_crls(bytes).map_err(|e| format!("bad CRL: {e}"))?;
            seen = true;
        }
        if !seen {
            return Err("PEM file holds neither certificates nor CRLs".into());
        }
        return Ok(added);
    }
    // DER: a certificate, else a CRL.
    match store.add_anchors(bytes) {
        Ok(n) => Ok(Added { anchors: n, crls: 0 }),
        Err(cert_err) => match store.add_crls(bytes) {
            Ok(n) => Ok(Added { anchors: 0, crls: n }),
            Err(_) => Err(format!("neither a certificate, a CRL nor a Trusted List ({cert_err})")),
        },
    }
}

/// The verdict on a PEC message's S/MIME signature. Validity is judged at the signing
/// time; without `signingTime`, at the daticert time.
pub fn check_message(msg: &pec::PecMessage<'_>, checker: &Checker) -> SignatureReport {
    let opts = VerifyOptions {
        fallback_time: msg.daticert.as_ref().and_then(|d| u64::try_from(d.data.timestamp()).ok()),
        now: checker.now,
    };
    let result = match &msg.signature {
        pec::SignatureEnvelope::Unsigned => return SignatureReport::unsigned(),
        pec::SignatureEnvelope::Detached { signed_part, .. } => match msg.signature.signature_der() {
            Some(der) => verify::smime::verify_detached(signed_part, &der, &checker.store, &opts),
            None => return SignatureReport::unreadable("signature part missing or its transfer encoding broken"),
        },
        pec::SignatureEnvelope::Opaque { cms_der } => verify::smime::verify_opaque(cms_der, &checker.store, &opts).map(|(r, _)| r),
    };
    result.unwrap_or_else(|e| SignatureReport::unreadable(e.to_string()))
}

/// Facts about a signed document (`.p7m`, `.p7s`) beyond its signature.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    /// The original name (every `.p7m` stripped), for a `.p7m`.
    pub file_name: Option<String>,
    /// Size of the innermost content (0 for a detached signature).
    pub content_len: usize,
    /// Envelope levels, outermost first: `der`, `base64` or `pem`.
    pub levels: Vec<InputEncoding>,
    /// For a `.p7s`: the data file it was verified against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_file: Option<String>,
}

/// The verdict on a signed file, plus the innermost content for `.p7m` (borrowed from
/// the file's bytes when it is DER: no copy).
pub struct DocumentVerdict<'a> {
    pub signature: SignatureReport,
    pub info: DocumentInfo,
    pub content: std::borrow::Cow<'a, [u8]>,
}

/// The data file a detached `.p7s` signs: `x.pdf` beside `x.pdf.p7s`.
pub fn p7s_data_file(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".p7s").map(|_| &name[..name.len() - 4])?;
    if stem.is_empty() {
        return None;
    }
    let data = path.with_file_name(stem);
    data.is_file().then_some(data)
}

/// Verifies a `.p7m` (content inside) or `.p7s` (detached; verified against the data
/// file beside it when there is one, else reported `detached`).
pub fn check_document<'a>(path: &Path, bytes: &'a [u8], checker: &Checker) -> Result<DocumentVerdict<'a>, String> {
    let opts = VerifyOptions { fallback_time: None, now: checker.now };
    let name = path.file_name().and_then(|n| n.to_str());
    let is_p7s = name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".p7s"));
    if is_p7s {
        let (der, encoding) = verify::p7m::decode_input(bytes).map_err(|e| e.to_string())?;
        let sd = verify::cms::parse(&der).map_err(|e| e.to_string())?;
        let data_file = if sd.econtent.is_none() { p7s_data_file(path) } else { None };
        let signature = match &data_file {
            Some(f) => {
                let data = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
                verify::cms::verify(&sd, Some(&data), &checker.store, &opts)
            }
            None => verify::cms::verify(&sd, None, &checker.store, &opts),
        };
        let content_len = sd.econtent.as_ref().map_or(0, |c| c.len());
        let info = DocumentInfo {
            file_name: None,
            content_len,
            levels: vec![encoding],
            data_file: data_file.map(|f| f.display().to_string()),
        };
        let content = std::borrow::Cow::Owned(sd.econtent.map(|c| c.into_owned()).unwrap_or_default());
        return Ok(DocumentVerdict { signature, info, content });
    }
    let doc = verify::p7m::verify_p7m(bytes, name, &checker.store, &opts).map_err(|e| e.to_string())?;
    let info = DocumentInfo {
        file_name: doc.file_name,
        content_len: doc.content_len,
        levels: doc.levels.iter().map(|l| l.encoding).collect(),
        data_file: None,
    };
    Ok(DocumentVerdict { signature: doc.signature, info, content: doc.content })
}

pub fn integrity_str(i: Integrity) -> &'static str {
    match i {
        Integrity::Intact => "intact",
        Integrity::Broken => "broken",
        Integrity::Unsigned => "unsigned",
        Integrity::Detached => "detached",
    }
}

/// Runs `f`, turning a panic in the verifier into `None` (the batch goes on; the
/// record says `not-checked`).
pub fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_files_by_content() {
        let mut s = TrustStore::empty();
        assert!(add_trust_file(&mut s, b"hello").is_err());
        assert!(add_trust_file(&mut s, b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n").is_err());
        let root = include_bytes!("../../verify/anchors/agid-ca1.pem");
        assert_eq!(add_trust_file(&mut s, root).unwrap(), Added { anchors: 1, crls: 0 });
        assert_eq!(add_trust_file(&mut s, root).unwrap(), Added { anchors: 0, crls: 0 });
    }

    #[test]
    fn p7s_data_file_beside() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("a.pdf.p7s");
        assert_eq!(p7s_data_file(&sig), None);
        std::fs::write(dir.path().join("a.pdf"), b"x").unwrap();
        assert_eq!(p7s_data_file(&sig), Some(dir.path().join("a.pdf")));
        assert_eq!(p7s_data_file(&dir.path().join(".p7s")), None);
    }
}
