//! Signed documents: `.p7m` (content inside) and detached `.p7s`.
//!
//! Input forms met in the wild are detected transparently: DER (or BER), base64 with or
//! without line breaks, PEM armour. Nested envelopes (`file.pdf.p7m.p7m`) are unwrapped
//! and every level verified, outermost first, up to
//! [`crate::limits::MAX_ENVELOPE_DEPTH`].

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;

use crate::certs::{decode_base64_loose, pem_blocks};
use crate::cms::{self, VerifyOptions};
use crate::error::{Error, Result};
use crate::limits::{MAX_ENVELOPE_DEPTH, MAX_INPUT_BYTES};
use crate::trust::TrustStore;
use crate::verdict::{SignatureReport, Trust};

/// How one envelope level was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputEncoding {
    Der,
    Base64,
    Pem,
}

/// One envelope level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeLevel {
    pub encoding: InputEncoding,
    pub signature: SignatureReport,
}

/// The verdict on a signed document. `content` borrows from the input when the
/// innermost envelope is DER inside DER (the common case): no copy of the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentReport<'a> {
    /// All levels together: integrity and trust are the worst over the levels, and
    /// `signers` lists every level's signers, outermost first.
    pub signature: SignatureReport,
    /// Each level, outermost first.
    pub levels: Vec<EnvelopeLevel>,
    /// The original file name: the given name with every `.p7m` suffix stripped.
    pub file_name: Option<String>,
    pub content_len: usize,
    /// The innermost content (not serialised: it can be large and binary).
    #[serde(skip)]
    pub content: Cow<'a, [u8]>,
}

impl DocumentReport<'_> {
    /// The same report owning its content (copies the content if it was borrowed).
    pub fn into_owned(self) -> DocumentReport<'static> {
        DocumentReport { content: Cow::Owned(self.content.into_owned()), ..self }
    }
}

/// Detects the encoding and returns the DER/BER bytes (borrowed when the input is DER).
pub fn decode_input(bytes: &[u8]) -> Result<(Cow<'_, [u8]>, InputEncoding)> {
    if bytes.len() > MAX_INPUT_BYTES.saturating_mul(2) {
        return Err(Error::TooLarge { what: "signed file", size: bytes.len(), limit: MAX_INPUT_BYTES });
    }
    // DER/BER: a SEQUENCE. (Base64 text never starts with byte 0x30 followed by a
    // length byte >= 0x80, nor does a definite-length element fit exactly by accident.)
    if bytes.first() == Some(&0x30) && (crate::asn1::is_der_element(bytes) || bytes.get(1) == Some(&0x80)) {
        return Ok((Cow::Borrowed(bytes), InputEncoding::Der));
    }
    // DER followed only by padding (NULs, a trailing newline: seen in the wild).
    if let Ok((t, rest)) = crate::asn1::read(bytes) {
        if t.tag == 0x30 && rest.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) {
            return Ok((Cow::Borrowed(t.raw), InputEncoding::Der));
        }
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.windows(11).any(|w| w == b"-----BEGIN ") {
        if let Some((_, der)) = pem_blocks(bytes).into_iter().next() {
            return Ok((Cow::Owned(der), InputEncoding::Pem));
        }
        return Err(Error::UnrecognisedEncoding);
    }
    match decode_base64_loose(bytes) {
        Some(der) if der.first() == Some(&0x30) => Ok((Cow::Owned(der), InputEncoding::Base64)),
        _ => {
            if bytes.first() == Some(&0x30) {
                // Looks like DER but is not well formed: report the DER error.
                crate::asn1::read(bytes)?;
            }
            Err(Error::UnrecognisedEncoding)
        }
    }
}

/// `fattura.xml.p7m.p7m` -> `fattura.xml` (case-insensitive).
pub fn original_file_name(name: &str) -> String {
    let mut n = name;
    while n.len() > 4 && n.is_char_boundary(n.len() - 4) && n[n.len() - 4..].eq_ignore_ascii_case(".p7m") {
        n = &n[..n.len() - 4];
    }
    n.to_string()
}

/// `sub` as a range of `whole`, when it is a slice of it.
fn range_in(whole: &[u8], sub: &[u8]) -> Option<Range<usize>> {
    let start = (sub.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start.checked_add(sub.len())? <= whole.len()).then(|| start..start + sub.len())
}

/// `cur[r]`, still borrowing from the caller's input when `cur` does.
fn sub_of<'a>(cur: &Cow<'a, [u8]>, r: Range<usize>) -> Cow<'a, [u8]> {
    match cur {
        Cow::Borrowed(b) => Cow::Borrowed(&b[r]),
        Cow::Owned(v) => Cow::Owned(v[r].to_vec()),
    }
}

enum Step<'a> {
    Inner(Cow<'a, [u8]>, InputEncoding),
    Done(Cow<'a, [u8]>),
}

/// Verifies a `.p7m`, unwrapping nested envelopes. The payload is hashed in place: a
/// DER `.p7m` (also DER nested in DER) is never copied, so peak memory stays about the
/// input's size; base64/PEM/BER levels are decoded into new buffers.
pub fn verify_p7m<'a>(bytes: &'a [u8], file_name: Option<&str>, store: &TrustStore, opts: &VerifyOptions) -> Result<DocumentReport<'a>> {
    let mut levels = Vec::new();
    let (mut cur, mut encoding) = decode_input(bytes)?;
    let content: Cow<'a, [u8]> = loop {
        if levels.len() >= MAX_ENVELOPE_DEPTH {
            return Err(Error::TooDeep("nested .p7m envelopes"));
        }
        let step = {
            let sd = cms::parse(&cur)?;
            let signature = cms::verify(&sd, None, store, opts);
            levels.push(EnvelopeLevel { encoding, signature });
            match sd.econtent {
                None => Step::Done(Cow::Borrowed(&[][..])),
                Some(content) => {
                    let content_range = match &content {
                        Cow::Borrowed(c) => range_in(&cur, c),
                        Cow::Owned(_) => None,
                    };
                    // Another envelope inside? Only if it decodes *and* parses as SignedData.
                    match decode_input(&content).ok().filter(|(d, _)| cms::parse(d).is_ok()) {
                        Some((d, enc)) => {
                            let inner_range = match &d {
                                Cow::Borrowed(x) => range_in(&content, x),
                                Cow::Owned(_) => None,
                            };
                            match (content_range, inner_range) {
                                (Some(c), Some(i)) => Step::Inner(sub_of(&cur, c.start + i.start..c.start + i.end), enc),
                                _ => Step::Inner(Cow::Owned(d.into_owned()), enc),
                            }
                        }
                        None => match content_range {
                            Some(r) => Step::Done(sub_of(&cur, r)),
                            None => Step::Done(Cow::Owned(content.into_owned())),
                        },
                    }
                }
            }
        };
        match step {
            Step::Inner(next, enc) => {
                cur = next;
                encoding = enc;
            }
            Step::Done(c) => break c,
        }
    };
    let signature = combine(&levels);
    Ok(DocumentReport {
        signature,
        levels,
        file_name: file_name.map(original_file_name),
        content_len: content.len(),
        content,
    })
}

/// Verifies a detached `.p7s` signature over `data`.
pub fn verify_p7s(signature: &[u8], data: &[u8], store: &TrustStore, opts: &VerifyOptions) -> Result<SignatureReport> {
    let (der, _) = decode_input(signature)?;
    let sd = cms::parse(&der)?;
    Ok(cms::verify(&sd, Some(data), store, opts))
}

fn combine(levels: &[EnvelopeLevel]) -> SignatureReport {
    if let [one] = levels {
        return one.signature.clone();
    }
    let signers = levels.iter().flat_map(|l| l.signature.signers.iter().cloned()).collect();
    let content_type = levels.last().map(|l| l.signature.content_type.clone()).unwrap_or_default();
    let warnings = levels.iter().flat_map(|l| l.signature.warnings.iter().cloned()).collect();
    let mut r = SignatureReport::from_signers(signers, content_type, warnings);
    if r.trust.status == crate::verdict::TrustStatus::Trusted {
        r.trust = Trust { reason: format!("all signers of all {} levels trusted", levels.len()), ..r.trust };
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(original_file_name("fattura.xml.p7m"), "fattura.xml");
        assert_eq!(original_file_name("a.pdf.P7M.p7m"), "a.pdf");
        assert_eq!(original_file_name(".p7m"), ".p7m");
        assert_eq!(original_file_name("x.pdf"), "x.pdf");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode_input(b"hello world!").is_err());
        assert!(decode_input(&[0x30, 0x82, 0xff]).is_err());
        assert!(decode_input(b"").is_err());
        let (d, e) = decode_input(&[0x30, 0x00, 0x0d, 0x0a, 0x00]).unwrap();
        assert_eq!((&*d, e), ([0x30u8, 0x00].as_slice(), InputEncoding::Der));
    }
}
