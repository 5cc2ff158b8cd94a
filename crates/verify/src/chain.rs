//! Certification path building and validation at a given time.
//!
//! Modelled on rustls-webpki's `verify_cert.rs`: a depth-first search from the signer
//! towards an anchor, each step explicit about what it checks, with a budget so hostile
//! certificate sets (thousands of certificates, loops, self-issued chains) end quickly
//! with an `indeterminate` verdict.
//!
//! Checks, per certificate:
//! - signer: valid at the validation time; keyUsage, when present, has
//!   digitalSignature or nonRepudiation;
//! - each intermediate: issuer/subject names chain; basicConstraints cA=true;
//!   pathLenConstraint respected; keyUsage, when present, has keyCertSign; valid at the
//!   validation time; its key verifies the signature of the certificate below;
//! - the anchor: its key verifies the certificate below; its own basicConstraints path
//!   length and keyUsage are honoured when present (its validity period is not checked,
//!   as in webpki: an anchor is trusted by configuration, not by its dates);
//! - signer and intermediates: no critical extension we do not understand (RFC 5280
//!   4.2; name constraints are not implemented, so a critical one fails closed);
//! - no certificate twice in a path (loops);
//! - after a path is found: imported CRLs (see [`crate::crl`]).
//!
//! Validity is judged at the **validation time** (the signing time for PEC), not now.
//!
//! Certificate signatures already verified are remembered by the store
//! ([`crate::trust::SignatureCache`], keyed by certificate and issuer fingerprints):
//! across a mailbox the same few provider paths repeat, so only the first receipt per
//! path pays for the public-key operations of the chain.

use crate::certs::{format_time, Cert};
use crate::crl;
use crate::limits::{MAX_PATH_CANDIDATES, MAX_PATH_LEN, MAX_PATH_SIGNATURE_CHECKS};
use crate::trust::TrustStore;
use crate::verdict::{Revocation, TrustStatus};

/// Why no valid path was found. Ordered roughly by how informative the error is: when
/// several branches fail, the most informative error is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    IssuerNotFound(String),
    PathTooLong,
    UntrustedRoot(String),
    NotYetValid(String, String),
    Expired(String, String),
    SignerKeyUsage(String),
    NotCa(String),
    CaKeyUsage(String),
    PathLenExceeded(String),
    BadSignature(String),
    UnknownCriticalExtension(String, String),
    Revoked(String),
    BudgetExhausted,
}

impl PathError {
    fn rank(&self) -> u8 {
        match self {
            PathError::IssuerNotFound(_) => 0,
            PathError::PathTooLong => 1,
            PathError::UntrustedRoot(_) => 2,
            _ => 3,
        }
    }

    pub fn status(&self) -> TrustStatus {
        match self {
            PathError::IssuerNotFound(_) | PathError::PathTooLong | PathError::BudgetExhausted => TrustStatus::Indeterminate,
            _ => TrustStatus::Untrusted,
        }
    }

    pub fn reason(&self) -> String {
        match self {
            PathError::IssuerNotFound(i) => format!("issuer certificate not found: {i}"),
            PathError::PathTooLong => format!("no path within {MAX_PATH_LEN} certificates"),
            PathError::UntrustedRoot(s) => format!("chain ends at a root that is not trusted: {s}"),
            PathError::NotYetValid(s, t) => format!("certificate not yet valid at validation time (valid from {t}): {s}"),
            PathError::Expired(s, t) => format!("certificate expired at validation time (valid until {t}): {s}"),
            PathError::SignerKeyUsage(s) => format!("signer certificate keyUsage allows neither digitalSignature nor nonRepudiation: {s}"),
            PathError::NotCa(s) => format!("issuer is not a CA (basicConstraints): {s}"),
            PathError::CaKeyUsage(s) => format!("CA certificate keyUsage lacks keyCertSign: {s}"),
            PathError::PathLenExceeded(s) => format!("path length constraint exceeded at: {s}"),
            PathError::BadSignature(s) => format!("certificate signature does not verify: {s}"),
            PathError::UnknownCriticalExtension(s, oid) => format!("unsupported critical extension {oid} in: {s}"),
            PathError::Revoked(s) => s.clone(),
            PathError::BudgetExhausted => "path search budget exhausted (too many candidate certificates)".into(),
        }
    }
}

/// A validated path: signer first, anchor last.
#[derive(Debug, Clone)]
pub struct ValidPath {
    pub certs: Vec<Cert>,
    pub revocation: Revocation,
    pub notes: Vec<String>,
}

struct Budget {
    signatures: usize,
    candidates: usize,
}

impl Budget {
    fn signature(&mut self) -> Result<(), PathError> {
        self.signatures = self.signatures.checked_sub(1).ok_or(PathError::BudgetExhausted)?;
        Ok(())
    }
    fn candidate(&mut self) -> Result<(), PathError> {
        self.candidates = self.candidates.checked_sub(1).ok_or(PathError::BudgetExhausted)?;
        Ok(())
    }
}

fn keep_best(best: &mut PathError, e: PathError) {
    if e.rank() > best.rank() {
        *best = e;
    }
}

/// Extensions whose criticality we honour (we process them, or they do not restrict
/// use in a way that matters to signature verification: policies, alternative names,
/// distribution points, QC statements).
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.18", // issuerAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.31", // cRLDistributionPoints
    "2.5.29.32", // certificatePolicies
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.37", // extKeyUsage
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
    "1.3.6.1.5.5.7.1.3", // qcStatements
];

fn check_critical(c: &Cert) -> Result<(), PathError> {
    for e in c.parsed.tbs_certificate.extensions.iter().flatten() {
        if e.critical && !KNOWN_EXTENSIONS.contains(&e.extn_id.to_string().as_str()) {
            return Err(PathError::UnknownCriticalExtension(c.subject_string(), e.extn_id.to_string()));
        }
    }
    Ok(())
}

fn check_validity(c: &Cert, time: u64) -> Result<(), PathError> {
    if time < c.not_before {
        return Err(PathError::NotYetValid(c.subject_string(), format_time(c.not_before)));
    }
    if time > c.not_after {
        return Err(PathError::Expired(c.subject_string(), format_time(c.not_after)));
    }
    Ok(())
}

/// The end-entity checks.
fn check_signer(leaf: &Cert, time: u64) -> Result<(), PathError> {
    check_validity(leaf, time)?;
    check_critical(leaf)?;
    if let Some(ku) = &leaf.key_usage {
        if !(ku.digital_signature() || ku.non_repudiation()) {
            return Err(PathError::SignerKeyUsage(leaf.subject_string()));
        }
    }
    Ok(())
}

/// Constraints an issuer must meet, given how many intermediates are already below it
/// (not counting the signer). `is_anchor` relaxes the CA flag and dates (see module docs).
fn check_issuer(c: &Cert, intermediates_below: usize, time: u64, is_anchor: bool) -> Result<(), PathError> {
    match c.basic_constraints {
        Some((true, path_len)) => {
            if let Some(max) = path_len {
                if intermediates_below > max as usize {
                    return Err(PathError::PathLenExceeded(c.subject_string()));
                }
            }
        }
        _ if is_anchor => {}
        _ => return Err(PathError::NotCa(c.subject_string())),
    }
    if let Some(ku) = &c.key_usage {
        if !ku.key_cert_sign() {
            return Err(PathError::CaKeyUsage(c.subject_string()));
        }
    }
    if !is_anchor {
        check_validity(c, time)?;
        check_critical(c)?;
    }
    Ok(())
}

/// Finds a valid path from `signer` to an anchor of `store`, using `extra` (certificates
/// carried in the CMS) and the store's intermediates, valid at `time` (Unix seconds).
/// `extra_crls` are CRLs carried in the signature; they are used like imported ones.
pub fn build_path(signer: &Cert, extra: &[Cert], extra_crls: &[crate::crl::Crl], store: &TrustStore, time: u64) -> Result<ValidPath, PathError> {
    check_signer(signer, time)?;
    let mut path = vec![signer.clone()];
    if !store.is_anchor(signer) {
        let pool: Vec<&Cert> = extra.iter().chain(store.intermediates.iter()).collect();
        let mut budget = Budget { signatures: MAX_PATH_SIGNATURE_CHECKS, candidates: MAX_PATH_CANDIDATES };
        extend(&mut path, &pool, store, time, &mut budget)?;
    }
    // Revocation, on the path found only.
    let mut revocation = Revocation::NotChecked;
    let mut notes = Vec::new();
    let mut all_good = path.len() > 1;
    for pair in path.windows(2) {
        let (state, note) = crl::check(&pair[0], &pair[1], store.crls.iter().chain(extra_crls), time);
        if state == Revocation::Revoked {
            return Err(PathError::Revoked(note.unwrap_or_else(|| "certificate revoked".into())));
        }
        notes.extend(note);
        all_good &= state == Revocation::Good;
    }
    if all_good {
        revocation = Revocation::Good;
    }
    Ok(ValidPath { certs: path, revocation, notes })
}

fn extend(path: &mut Vec<Cert>, pool: &[&Cert], store: &TrustStore, time: u64, budget: &mut Budget) -> Result<(), PathError> {
    let Some(cert) = path.last().cloned() else { return Err(PathError::PathTooLong) };
    // pathLenConstraint counts the non-self-issued intermediates below (RFC 5280 4.2.1.9).
    let intermediates_below = path.iter().skip(1).filter(|c| !c.is_self_issued()).count();
    let mut best = if cert.is_self_issued() {
        PathError::UntrustedRoot(cert.subject_string())
    } else {
        PathError::IssuerNotFound(cert.issuer_string())
    };

    // 1. An anchor that issued `cert` ends the search.
    for anchor in store.anchors.iter().filter(|a| a.subject == cert.issuer) {
        budget.candidate()?;
        if let Err(e) = check_issuer(anchor, intermediates_below, time, true) {
            keep_best(&mut best, e);
            continue;
        }
        budget.signature()?;
        if store.cache.signed_by(&cert, anchor) {
            path.push(anchor.clone());
            return Ok(());
        }
        keep_best(&mut best, PathError::BadSignature(cert.subject_string()));
    }

    // 2. Otherwise an intermediate, if there is room for it and an anchor above it.
    if path.len() + 2 > MAX_PATH_LEN {
        keep_best(&mut best, PathError::PathTooLong);
        return Err(best);
    }
    for cand in pool.iter().filter(|c| c.subject == cert.issuer) {
        budget.candidate()?;
        let looped = path.iter().any(|p| {
            p.der == cand.der
                || (p.subject == cand.subject
                    && p.parsed.tbs_certificate.subject_public_key_info == cand.parsed.tbs_certificate.subject_public_key_info)
        });
        if looped {
            continue;
        }
        if let Err(e) = check_issuer(cand, intermediates_below, time, false) {
            keep_best(&mut best, e);
            continue;
        }
        budget.signature()?;
        if !store.cache.signed_by(&cert, cand) {
            keep_best(&mut best, PathError::BadSignature(cert.subject_string()));
            continue;
        }
        path.push((*cand).clone());
        match extend(path, pool, store, time, budget) {
            Ok(()) => return Ok(()),
            Err(PathError::BudgetExhausted) => return Err(PathError::BudgetExhausted),
            Err(e) => {
                keep_best(&mut best, e);
                path.pop();
            }
        }
    }
    Err(best)
}
