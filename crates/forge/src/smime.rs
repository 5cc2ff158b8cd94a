//! CMS SignedData (hand-assembled DER) and S/MIME `multipart/signed` wrapping.
//!
//! Detached signatures for provider messages, attached (CAdES-BES) for `.p7m` documents.
//! The signature covers the CRLF-canonical bytes of the first MIME part; all messages are
//! built with CRLF internally, so the bytes signed are exactly the bytes emitted.

use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;

use crate::pki::{DigestAlg, Identity};
use crate::util::{oid, seq, tlv, utc_time};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SMIME_CAPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.15");
const ID_SIGNING_CERT_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// What goes into one CMS signature.
#[derive(Clone, Copy, Debug)]
pub struct CmsOptions {
    pub digest: DigestAlg,
    pub signing_time: DateTime<Utc>,
    /// Add an SMIMECapabilities attribute (older provider software did).
    pub smime_caps: bool,
    /// Add ESS signingCertificateV2 (required by CAdES-BES).
    pub signing_cert_v2: bool,
    /// Embed the content (`.p7m`) instead of a detached signature (`smime.p7s`).
    pub attached: bool,
}

fn attribute(o: &ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(o), &tlv(0x31, value)])
}

/// Builds a DER `ContentInfo` holding a SignedData over `content`.
pub fn sign_cms(id: &Identity, content: &[u8], opts: &CmsOptions) -> Vec<u8> {
    sign_cms_with_key(id, id, content, opts)
}

/// Like [`sign_cms`], but the signature value is made with `key`'s private key while the
/// certificates and signer identifier are `id`'s: a "wrong key" fault when they differ.
pub fn sign_cms_with_key(id: &Identity, key: &Identity, content: &[u8], opts: &CmsOptions) -> Vec<u8> {
    let digest = id.effective_digest(opts.digest);
    let md = digest.digest(content);

    let mut attrs = vec![
        attribute(&ID_CONTENT_TYPE, &oid(&ID_DATA)),
        attribute(&ID_SIGNING_TIME, &utc_time(opts.signing_time)),
        attribute(&ID_MESSAGE_DIGEST, &tlv(0x04, &md)),
    ];
    if opts.smime_caps {
        let cap = |s: &str| seq(&[&oid(&ObjectIdentifier::new_unwrap(s))]);
        let caps = seq(&[
            &cap("2.16.840.1.101.3.4.1.42"), // aes256-CBC
            &cap("2.16.840.1.101.3.4.1.2"),  // aes128-CBC
            &cap("1.2.840.113549.3.7"),      // des-ede3-cbc
        ]);
        attrs.push(attribute(&ID_SMIME_CAPS, &caps));
    }
    if opts.signing_cert_v2 {
        // ESSCertIDv2 with the default hash (SHA-256, so omitted) and issuerSerial.
        let general_names = seq(&[&tlv(0xA4, &id.issuer_name_der)]);
        let issuer_serial = seq(&[&general_names, &id.serial_der]);
        let cert_id = seq(&[&tlv(0x04, &id.cert_sha256()), &issuer_serial]);
        let value = seq(&[&seq(&[&cert_id])]);
        attrs.push(attribute(&ID_SIGNING_CERT_V2, &value));
    }
    // DER SET OF: elements sorted by their encodings.
    attrs.sort();
    let attrs_set = tlv(0x31, &attrs.concat());
    let signature = key.sign(digest, &attrs_set);
    let mut attrs_implicit = attrs_set;
    attrs_implicit[0] = 0xA0;

    let signer_info = seq(&[
        &[0x02, 0x01, 0x01],
        &id.issuer_and_serial,
        &digest.alg_id(),
        &attrs_implicit,
        &id.signature_alg_id(digest),
        &tlv(0x04, &signature),
    ]);
    let encap = if opts.attached {
        seq(&[&oid(&ID_DATA), &tlv(0xA0, &tlv(0x04, content))])
    } else {
        seq(&[&oid(&ID_DATA)])
    };
    let certs = tlv(0xA0, &id.chain_der.concat());
    let signed_data = seq(&[
        &[0x02, 0x01, 0x01],
        &tlv(0x31, &digest.alg_id()),
        &encap,
        &certs,
        &tlv(0x31, &signer_info),
    ]);
    seq(&[&oid(&ID_SIGNED_DATA), &tlv(0xA0, &signed_data)])
}

/// How a provider wraps its signature.
#[derive(Clone, Copy, Debug)]
pub struct SmimeStyle {
    /// `application/x-pkcs7-signature` (older software) or `application/pkcs7-signature`.
    pub x_pkcs7: bool,
    pub digest: DigestAlg,
    pub smime_caps: bool,
    /// Width of the base64 lines of `smime.p7s`.
    pub b64_width: usize,
}

/// Wraps a CRLF-canonical first part into a `multipart/signed` body.
/// Returns (Content-Type header value, body bytes).
///
/// `signed` is what the signature is computed over; `part` is what is emitted. They differ
/// only for tampering faults. `key` signs (normally `id` itself).
pub fn multipart_signed(
    id: &Identity,
    key: &Identity,
    signed: &[u8],
    part: &[u8],
    style: &SmimeStyle,
    boundary: &str,
    signing_time: DateTime<Utc>,
) -> (String, Vec<u8>) {
    let opts = CmsOptions {
        digest: style.digest,
        signing_time,
        smime_caps: style.smime_caps,
        signing_cert_v2: false,
        attached: false,
    };
    let cms = sign_cms_with_key(id, key, signed, &opts);
    let proto = if style.x_pkcs7 { "application/x-pkcs7-signature" } else { "application/pkcs7-signature" };
    let micalg = id.effective_digest(style.digest).micalg();
    let ct = format!("multipart/signed; protocol=\"{proto}\"; micalg=\"{micalg}\"; boundary=\"{boundary}\"");
    let mut body = Vec::with_capacity(part.len() + cms.len() * 4 / 3 + 512);
    body.extend_from_slice(b"This is an S/MIME signed message\r\n\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"\r\n");
    body.extend_from_slice(part);
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(
        format!(
            "\r\nContent-Type: {proto}; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(crate::mime::base64_lines(&cms, style.b64_width).as_bytes());
    body.extend_from_slice(b"\r\n--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    (ct, body)
}

/// A CAdES-BES `.p7m`: SignedData with the document inside, SHA-256, signingCertificateV2.
pub fn cades_p7m(id: &Identity, document: &[u8], signing_time: DateTime<Utc>) -> Vec<u8> {
    let opts = CmsOptions {
        digest: DigestAlg::Sha256,
        signing_time,
        smime_caps: false,
        signing_cert_v2: true,
        attached: true,
    };
    sign_cms(id, document, &opts)
}
