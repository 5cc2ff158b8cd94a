//! The trust store: anchors, extra intermediates and CRLs.
//!
//! Bundled anchors (`crates/verify/anchors/`) are the PEC roots: Actalis Authentication
//! Root CA and AgID CA1, which issues every PEC provider certificate since about 2017.
//! Everything else comes from the caller as bytes: certificates (PEM/DER), CRLs, or an
//! EU Trusted List (see [`crate::tsl`]).

use crate::certs::{parse_certificates, Cert};
use crate::crl::Crl;
use crate::error::Result;
use crate::tsl;

const BUNDLED: &[(&str, &[u8])] = &[
    ("Actalis Authentication Root CA", include_bytes!("../anchors/actalis-authentication-root-ca.pem")),
    ("AgID CA1", include_bytes!("../anchors/agid-ca1.pem")),
];

/// Anchors, intermediates and CRLs used for path building, plus a cache of
/// certificate signatures already checked (see [`SignatureCache`]).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) anchors: Vec<Cert>,
    pub(crate) intermediates: Vec<Cert>,
    pub(crate) crls: Vec<Crl>,
    pub(crate) cache: SignatureCache,
}

/// Most (certificate, issuer) pairs remembered; the cache starts over when full.
pub const SIGNATURE_CACHE_ENTRIES: usize = 4096;

/// Certificate signatures already verified, keyed by the SHA-256 fingerprints of the
/// certificate and of its issuer. The same provider certificate and intermediates
/// sign thousands of receipts, so path building for every receipt after the first
/// costs no public-key operation (the receipt's own signature is always verified).
///
/// Only *successful* checks are remembered. A signature's validity does not depend on
/// the validation time, so every other path check (dates at the validation time,
/// constraints, key usage, CRLs) still runs each time. Thread-safe (a mutex held only
/// for a lookup or insert); a cloned store starts with an empty cache.
pub struct SignatureCache {
    enabled: bool,
    seen: std::sync::Mutex<std::collections::HashSet<([u8; 32], [u8; 32])>>,
    hits: std::sync::atomic::AtomicU64,
}

impl Default for SignatureCache {
    fn default() -> Self {
        SignatureCache { enabled: true, seen: Default::default(), hits: Default::default() }
    }
}

impl Clone for SignatureCache {
    fn clone(&self) -> Self {
        SignatureCache { enabled: self.enabled, ..Default::default() }
    }
}

impl std::fmt::Debug for SignatureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.seen.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("SignatureCache").field("enabled", &self.enabled).field("entries", &n).finish()
    }
}

impl SignatureCache {
    /// `cert` was signed by `issuer`'s key, checked now or earlier.
    pub(crate) fn signed_by(&self, cert: &Cert, issuer: &Cert) -> bool {
        let key = (cert.fingerprint, issuer.fingerprint);
        if self.enabled && self.seen.lock().is_ok_and(|s| s.contains(&key)) {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return true;
        }
        if cert.signed_by(issuer).is_err() {
            return false;
        }
        if self.enabled {
            if let Ok(mut s) = self.seen.lock() {
                if s.len() >= SIGNATURE_CACHE_ENTRIES {
                    s.clear();
                }
                s.insert(key);
            }
        }
        true
    }
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled PEC anchors.
    pub fn with_bundled_anchors() -> Self {
        let mut s = Self::default();
        for (_, pem) in BUNDLED {
            // Bundled data is tested (`bundled_anchors_parse`); a bad file is skipped, not a panic.
            if let Ok(certs) = parse_certificates(pem) {
                s.push_anchors(certs);
            }
        }
        s
    }

    fn push_anchors(&mut self, certs: Vec<Cert>) -> usize {
        let mut n = 0;
        for c in certs {
            if !self.anchors.contains(&c) {
                self.anchors.push(c);
                n += 1;
            }
        }
        n
    }

    /// Imports trust anchors (one DER certificate or a PEM bundle). Returns how many were new.
    pub fn add_anchors(&mut self, bytes: &[u8]) -> Result<usize> {
        let certs = parse_certificates(bytes)?;
        Ok(self.push_anchors(certs))
    }

    /// Imports certificates usable as intermediates but not trusted by themselves.
    pub fn add_intermediates(&mut self, bytes: &[u8]) -> Result<usize> {
        let mut n = 0;
        for c in parse_certificates(bytes)? {
            if !self.intermediates.contains(&c) {
                self.intermediates.push(c);
                n += 1;
            }
        }
        Ok(n)
    }

    /// Imports one or more CRLs (DER or PEM). Returns how many.
    pub fn add_crls(&mut self, bytes: &[u8]) -> Result<usize> {
        let crls = Crl::parse_all(bytes)?;
        let n = crls.len();
        self.crls.extend(crls);
        Ok(n)
    }

    /// Imports the service certificates of an ETSI TS 119 612 Trusted List as anchors.
    /// The list's own XML signature is **not** verified: import only a list obtained
    /// from a trusted channel.
    pub fn add_trusted_list(&mut self, xml: &[u8]) -> Result<tsl::TrustedListSummary> {
        let (summary, certs) = tsl::parse(xml)?;
        let added = self.push_anchors(certs);
        Ok(tsl::TrustedListSummary { anchors_added: added, ..summary })
    }

    /// Turns the certificate-signature cache on (the default) or off (benchmarks).
    pub fn set_signature_cache(&mut self, on: bool) {
        self.cache = SignatureCache { enabled: on, ..Default::default() };
    }

    /// How many certificate signature checks the cache saved so far.
    pub fn signature_cache_hits(&self) -> u64 {
        self.cache.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The anchors (bundled first, then imported), for display.
    pub fn anchors(&self) -> &[Cert] {
        &self.anchors
    }

    /// Subjects of the anchors, for display.
    pub fn anchor_subjects(&self) -> Vec<String> {
        self.anchors.iter().map(Cert::subject_string).collect()
    }

    pub(crate) fn is_anchor(&self, c: &Cert) -> bool {
        self.anchors.contains(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_anchors_parse() {
        for (name, pem) in BUNDLED {
            let certs = parse_certificates(pem).unwrap();
            assert_eq!(certs.len(), 1, "{name}");
            assert!(certs[0].subject_string().contains(name), "{name}");
        }
        assert_eq!(TrustStore::with_bundled_anchors().anchors.len(), 2);
    }

    #[test]
    fn bundled_anchors_pinned() {
        let fps: Vec<String> = TrustStore::with_bundled_anchors()
            .anchors
            .iter()
            .map(|c| crate::certs::hex_lower(&crate::algorithms::DigestAlgorithm::Sha256.digest(&c.der)))
            .collect();
        assert_eq!(
            fps,
            [
                "55926084ec963a64b96e2abe01ce0ba86a64fbfebcc7aab5afc155b37fd76066",
                "4648900b04272628ab7b2d82ddf74cd5b78d77f8652d5bbf2824bb64dd178659"
            ]
        );
    }
}
