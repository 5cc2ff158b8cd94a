//! ETSI TS 119 612 Trusted Lists (the EU / Italian "TSL" published by AgID).
//!
//! Only the X.509 certificates in each service's *current* `ServiceDigitalIdentity` are
//! taken, and only for services whose current status is granted/accredited (or an
//! equivalent national status). Pointers to other lists (`OtherTSLPointer`) also carry
//! certificates, but those sign lists, not documents: they are ignored. Service history
//! is not evaluated.
//!
//! **The list's own XML signature (XAdES) is not verified.** A caller must obtain the
//! file through a channel it trusts; the summary says so in `signature_verified: false`.
//!
//! Parsed with `roxmltree` with DTDs refused (no entity expansion attacks) and a node limit.

use serde::Serialize;

use crate::certs::{decode_base64_loose, Cert};
use crate::error::{Error, Result};
use crate::limits::{MAX_IMPORTED_CERTIFICATES, MAX_TSL_BYTES, MAX_TSL_NODES};

/// What an import took from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedListSummary {
    pub territory: Option<String>,
    pub operator: Option<String>,
    pub issue_date: Option<String>,
    pub services_seen: usize,
    pub services_accepted: usize,
    pub certificates: usize,
    /// Filled by [`crate::trust::TrustStore::add_trusted_list`]: new anchors.
    pub anchors_added: usize,
    /// Always false: the XML signature of the list is not checked.
    pub signature_verified: bool,
}

const ACCEPTED_STATUS: &[&str] = &[
    "granted",
    "accredited",
    "undersupervision",
    "supervisionincessation",
    "recognisedatnationallevel",
    "setbynationallaw",
];

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: Option<roxmltree::Node<'_, '_>>) -> Option<String> {
    n.and_then(|n| n.text()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Parses a Trusted List: (summary, certificates of accepted services).
pub fn parse(xml: &[u8]) -> Result<(TrustedListSummary, Vec<Cert>)> {
    if xml.len() > MAX_TSL_BYTES {
        return Err(Error::TooLarge { what: "trusted list", size: xml.len(), limit: MAX_TSL_BYTES });
    }
    let text = std::str::from_utf8(xml).map_err(|e| Error::TrustedList(format!("not UTF-8: {e}")))?;
    let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_TSL_NODES };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| Error::TrustedList(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "TrustServiceStatusList" {
        return Err(Error::TrustedList(format!("root element is {}", root.tag_name().name())));
    }
    let scheme = child(root, "SchemeInformation");
    let mut summary = TrustedListSummary {
        territory: text_of(scheme.and_then(|s| child(s, "SchemeTerritory"))),
        operator: text_of(scheme.and_then(|s| child(s, "SchemeOperatorName")).and_then(|n| child(n, "Name"))),
        issue_date: text_of(scheme.and_then(|s| child(s, "ListIssueDateTime"))),
        services_seen: 0,
        services_accepted: 0,
        certificates: 0,
        anchors_added: 0,
        signature_verified: false,
    };
    let mut certs = Vec::new();
    for service in root.descendants().filter(|n| n.is_element() && n.tag_name().name() == "TSPService") {
        summary.services_seen += 1;
        let Some(info) = child(service, "ServiceInformation") else { continue };
        let status = text_of(child(info, "ServiceStatus")).unwrap_or_default();
        let status_word = status.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        if !ACCEPTED_STATUS.contains(&status_word.as_str()) {
            continue;
        }
        summary.services_accepted += 1;
        let Some(identity) = child(info, "ServiceDigitalIdentity") else { continue };
        for digital_id in identity.children().filter(|c| c.is_element() && c.tag_name().name() == "DigitalId") {
            let Some(b64) = text_of(child(digital_id, "X509Certificate")) else { continue };
            // A malformed entry in a list of thousands should not void the whole list.
            let Some(der) = decode_base64_loose(b64.as_bytes()) else { continue };
            let Ok(cert) = Cert::from_der(&der) else { continue };
            if certs.len() >= MAX_IMPORTED_CERTIFICATES {
                return Err(Error::TooLarge { what: "certificates in trusted list", size: certs.len() + 1, limit: MAX_IMPORTED_CERTIFICATES });
            }
            certs.push(cert);
        }
    }
    summary.certificates = certs.len();
    Ok((summary, certs))
}
