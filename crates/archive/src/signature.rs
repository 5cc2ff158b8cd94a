//! The signature verdict stored for each message: the one place where the archive calls
//! the verifier, so changing how messages are verified is one change here.
//!
//! Integrity and trust stay separate (primer section 6): `sig_integrity` is `intact`,
//! `broken`, `unsigned`, `detached` (or `not-checked` when verification is turned
//! off), `sig_trust` is `trusted`, `untrusted` or `indeterminate`. A receipt is proof
//! only when it is `intact` *and* `trusted` ([`is_proof`]).
use std::path::Path;

use pec::{PecMessage, SignatureEnvelope};
use verify::{Integrity, SignatureReport, TrustStatus, TrustStore, VerifyOptions};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigCheck {
    pub integrity: &'static str,
    pub trust: Option<&'static str>,
    /// Why (integrity reason, trust reason), for the card's problems and `show`.
    pub detail: Option<String>,
    /// Common name (or subject) of the first signer.
    pub signer: Option<String>,
}

/// What the verifier needs: trust anchors, and "now" for "expired since" notes.
#[derive(Debug, Clone)]
pub struct Verifier {
    store: TrustStore,
    enabled: bool,
    now: Option<u64>,
}

impl Verifier {
    /// The bundled PEC anchors (AgID CA1, Actalis) plus the user's `--trust` files:
    /// PEM/DER certificates or an EU Trusted List (XML).
    pub fn new(trust_files: &[impl AsRef<Path>], now: i64) -> Result<Verifier> {
        let mut store = TrustStore::with_bundled_anchors();
        for f in trust_files {
            let f = f.as_ref();
            let bytes = std::fs::read(f).map_err(|e| Error::io(f, e))?;
            let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
            let r = if first == Some(b'<') {
                store.add_trusted_list(&bytes).map(|_| ())
            } else {
                store.add_anchors(&bytes).map(|_| ())
            };
            r.map_err(|e| Error::Trust { path: f.to_path_buf(), detail: e.to_string() })?;
        }
        Ok(Verifier { store, enabled: true, now: u64::try_from(now).ok() })
    }

    /// No verification: signed messages are recorded as `not-checked`.
    pub fn disabled() -> Verifier {
        Verifier { store: TrustStore::empty(), enabled: false, now: None }
    }
}

pub fn is_proof(integrity: &str, trust: Option<&str>) -> bool {
    integrity == "intact" && trust == Some("trusted")
}

/// Verify the message's S/MIME signature.
pub fn check(msg: &PecMessage<'_>, v: &Verifier) -> SigCheck {
    let unsigned = SigCheck { integrity: "unsigned", trust: None, detail: None, signer: None };
    if !msg.signature.is_signed() {
        return unsigned;
    }
    if !v.enabled {
        return SigCheck { integrity: "not-checked", trust: None, detail: None, signer: None };
    }
    let opts = VerifyOptions {
        // PEC validity is judged at signing time; without signingTime, the daticert time.
        fallback_time: msg.daticert.as_ref().and_then(|d| u64::try_from(d.data.timestamp()).ok()),
        now: v.now,
    };
    let result = match &msg.signature {
        SignatureEnvelope::Unsigned => return unsigned,
        SignatureEnvelope::Detached { signed_part, .. } => match msg.signature.signature_der() {
            Some(der) => verify::smime::verify_detached(signed_part, &der, &v.store, &opts),
            None => {
                return SigCheck {
                    integrity: "broken",
                    trust: None,
                    detail: Some("signature part missing or not decodable".into()),
                    signer: None,
                }
            }
        },
        SignatureEnvelope::Opaque { cms_der } => verify::smime::verify_opaque(cms_der, &v.store, &opts).map(|(r, _)| r),
    };
    match result {
        Ok(report) => from_report(&report),
        Err(e) => SigCheck { integrity: "broken", trust: None, detail: Some(format!("signature unreadable: {e}")), signer: None },
    }
}

fn from_report(r: &SignatureReport) -> SigCheck {
    let integrity = match r.status {
        Integrity::Intact => "intact",
        Integrity::Broken => "broken",
        Integrity::Unsigned => "unsigned",
        Integrity::Detached => "detached",
    };
    let trust = match r.trust.status {
        TrustStatus::Trusted => "trusted",
        TrustStatus::Untrusted => "untrusted",
        TrustStatus::Indeterminate => "indeterminate",
    };
    let first = r.signers.first();
    let signer = first
        .and_then(|s| s.certificate.as_ref())
        .map(|c| c.common_name.clone().unwrap_or_else(|| c.subject.clone()));
    let mut detail = Vec::new();
    if let Some(reason) = first.and_then(|s| s.integrity_reason.clone()) {
        detail.push(reason);
    }
    if r.trust.status != TrustStatus::Trusted || integrity != "intact" {
        detail.push(r.trust.reason.clone());
    }
    SigCheck {
        integrity,
        trust: Some(trust),
        detail: (!detail.is_empty()).then(|| detail.join("; ")),
        signer,
    }
}
