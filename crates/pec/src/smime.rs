//! Top-level S/MIME structure: which bytes are signed, where the signature is,
//! and where `daticert.xml` and `postacert.eml` sit inside the signed content.
use std::borrow::Cow;

use crate::limits::{MAX_MIME_DEPTH, MAX_MIME_PARTS};
use crate::mime::{self, Entity, PartInfo, TransferEncoding};
use crate::SignatureEnvelope;

const SIGNATURE_PROTOCOLS: [&str; 2] = ["application/pkcs7-signature", "application/x-pkcs7-signature"];
const OPAQUE_TYPES: [&str; 2] = ["application/pkcs7-mime", "application/x-pkcs7-mime"];

/// What the top level of a message says about signing.
pub(crate) struct Envelope<'a> {
    pub signature: SignatureEnvelope<'a>,
    /// The signed MIME entity: borrowed from the input (multipart/signed) or
    /// owned (decoded out of an opaque CMS).
    pub content: Option<Cow<'a, [u8]>>,
    pub notes: Vec<String>,
}

pub(crate) fn envelope<'a>(raw: &'a [u8], top: &Entity, info: &PartInfo) -> Envelope<'a> {
    let mut notes = Vec::new();
    if info.is("multipart/signed") {
        // A missing protocol parameter is tolerated (some MUAs drop it); the
        // signature part's own type decides then, below.
        let mut protocol = info.protocol.clone().unwrap_or_default();
        if !protocol.is_empty() && !SIGNATURE_PROTOCOLS.contains(&protocol.as_str()) {
            notes.push(format!("multipart/signed with protocol {protocol:?} is not S/MIME: treated as unsigned"));
            return Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes };
        }
        let Some(boundary) = info.boundary.as_deref().filter(|b| !b.is_empty()) else {
            notes.push("multipart/signed without a boundary: treated as unsigned".into());
            return Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes };
        };
        // Only two parts matter; a third is ignored (and reported).
        let split = mime::split_multipart(raw, top, boundary, 3);
        if !split.closed {
            notes.push("multipart/signed is truncated: no closing boundary".into());
        }
        if split.parts.len() > 2 {
            notes.push("multipart/signed has more than two parts; extra parts ignored".into());
        }
        let Some(&(s, e)) = split.parts.first() else {
            notes.push("multipart/signed has no body parts".into());
            if protocol.is_empty() {
                return Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes };
            }
            let signature = SignatureEnvelope::Detached {
                signed_part: &raw[top.end..top.end],
                signature_part: &raw[top.end..top.end],
                signature_encoding: TransferEncoding::Identity,
                micalg: info.micalg.clone(),
                protocol,
            };
            return Envelope { signature, content: None, notes };
        };
        let (signature_part, signature_encoding, part_type) = match split.parts.get(1) {
            Some(&(ss, se)) => signature_part(raw, ss, se, &mut notes),
            None => {
                notes.push("multipart/signed has no signature part".into());
                (&raw[e..e], TransferEncoding::Identity, String::new())
            }
        };
        if protocol.is_empty() {
            if !SIGNATURE_PROTOCOLS.contains(&part_type.as_str()) {
                notes.push("multipart/signed without protocol and without a PKCS#7 signature part: treated as unsigned".into());
                return Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes };
            }
            notes.push("multipart/signed without protocol parameter; the signature part's type was used".into());
            protocol = part_type;
        }
        let signed_part = &raw[s..e];
        let signature = SignatureEnvelope::Detached {
            signed_part,
            signature_part,
            signature_encoding,
            micalg: info.micalg.clone(),
            protocol,
        };
        return Envelope { signature, content: Some(Cow::Borrowed(signed_part)), notes };
    }
    if OPAQUE_TYPES.contains(&info.content_type.as_str()) {
        let smime_type = info.smime_type.as_deref().unwrap_or("signed-data");
        if smime_type != "signed-data" {
            notes.push(format!("application/pkcs7-mime with smime-type={smime_type}: not a signature, treated as unsigned"));
            return Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes };
        }
        let body = &raw[top.body.min(top.end)..top.end];
        let cms_der = match mime::decode_body(body, info.cte()) {
            Some(d) => d.into_owned(),
            None => {
                notes.push("application/pkcs7-mime body could not be decoded".into());
                Vec::new()
            }
        };
        let content = crate::ber::signed_data_content(&cms_der);
        if content.is_none() {
            notes.push("application/pkcs7-mime: no encapsulated content found in the CMS SignedData".into());
        }
        return Envelope { signature: SignatureEnvelope::Opaque { cms_der }, content: content.map(Cow::Owned), notes };
    }
    Envelope { signature: SignatureEnvelope::Unsigned, content: None, notes }
}

/// The stored body of the signature part, its transfer encoding (decoded on
/// demand by `SignatureEnvelope::signature_der`) and its content type.
fn signature_part<'a>(
    raw: &'a [u8],
    start: usize,
    end: usize,
    notes: &mut Vec<String>,
) -> (&'a [u8], TransferEncoding, String) {
    let entity = Entity::at(raw, start, end);
    let headers = mime::parse_headers(raw, &entity);
    let info = mime::part_info(headers.as_ref());
    if !SIGNATURE_PROTOCOLS.contains(&info.content_type.as_str()) {
        notes.push(format!("signature part has content type {:?}", info.content_type));
    }
    (&raw[entity.body.min(entity.end)..entity.end], info.cte(), info.content_type)
}

/// A part found inside the signed content.
pub(crate) struct Found<'b> {
    /// Decoded daticert.xml bytes, or why they could not be decoded.
    pub daticert: Option<Result<Cow<'b, [u8]>, String>>,
    /// The enclosed message, transfer-decoded.
    pub postacert: Option<Cow<'b, [u8]>>,
    pub notes: Vec<String>,
}

/// Walk the signed entity (without descending into `message/rfc822` parts: a
/// receipt inside the enclosed message is content, not ours) and pick
/// `daticert.xml` and `postacert.eml`. Parts named so win; otherwise the first
/// XML part and the first message part. Iterative, bounded by
/// [`MAX_MIME_DEPTH`] and [`MAX_MIME_PARTS`].
pub(crate) fn locate(buf: &[u8]) -> Found<'_> {
    let mut found = Found { daticert: None, postacert: None, notes: Vec::new() };
    let mut daticert: Option<(Entity, PartInfo, bool)> = None;
    let mut postacert: Option<(Entity, PartInfo, bool)> = None;
    let mut stack = vec![(Entity::whole(buf), 0usize)];
    let mut seen = 0usize;
    while let Some((entity, depth)) = stack.pop() {
        seen += 1;
        if seen > MAX_MIME_PARTS {
            found.notes.push(format!("more than {MAX_MIME_PARTS} MIME parts: the rest was not examined"));
            break;
        }
        let headers = mime::parse_headers(buf, &entity);
        let info = mime::part_info(headers.as_ref());
        if info.is_multipart() {
            let Some(boundary) = info.boundary.as_deref().filter(|b| !b.is_empty()) else { continue };
            if depth >= MAX_MIME_DEPTH {
                found.notes.push(format!("MIME nesting deeper than {MAX_MIME_DEPTH}: not examined"));
                continue;
            }
            let split = mime::split_multipart(buf, &entity, boundary, MAX_MIME_PARTS);
            if !split.closed {
                found.notes.push(format!("multipart {boundary:?} is truncated"));
            }
            // Reverse, so that the stack pops parts in document order.
            for &(s, e) in split.parts.iter().rev() {
                stack.push((Entity::at(buf, s, e), depth + 1));
            }
        } else if info.is("message/rfc822") || info.is("message/global") {
            let named = info.filename_is("postacert.eml");
            if postacert.as_ref().is_none_or(|(_, _, was_named)| named && !was_named) {
                postacert = Some((entity, info, named));
            }
        } else if info.is("application/xml") || info.is("text/xml") {
            let named = info.filename_is("daticert.xml");
            if daticert.as_ref().is_none_or(|(_, _, was_named)| named && !was_named) {
                daticert = Some((entity, info, named));
            }
        }
    }
    if let Some((e, info, _)) = daticert {
        let body = &buf[e.body.min(e.end)..e.end];
        found.daticert = Some(
            mime::decode_body(body, info.cte())
                .ok_or_else(|| "daticert.xml: broken content-transfer-encoding".to_owned()),
        );
    }
    if let Some((e, info, _)) = postacert {
        let body = &buf[e.body.min(e.end)..e.end];
        match mime::decode_body(body, info.cte()) {
            Some(d) => found.postacert = Some(d),
            None => found.notes.push("postacert.eml: broken content-transfer-encoding".into()),
        }
    }
    found
}
