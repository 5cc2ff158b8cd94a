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

/// Anchors, intermediates and CRLs used for path building.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub(crate) anchors: Vec<Cert>,
    pub(crate) intermediates: Vec<Cert>,
    pub(crate) crls: Vec<Crl>,
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
