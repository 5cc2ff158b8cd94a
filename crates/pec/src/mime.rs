//! A small byte-offset MIME scanner.
//!
//! Why not walk `mail_parser::Message` parts? mail-parser 0.11's part offsets
//! (`offset_header` = first header byte, `offset_end` = the byte before the
//! line break that precedes the next delimiter) do give the RFC 1847 range for
//! the first part of `multipart/signed`: on the real Aruba and Sogei samples,
//! LF and CRLF, they equal ours byte for byte. But getting them takes a full
//! parse, which decodes every part (base64 signature, QP text, charsets) and
//! enters nested `message/rfc822` parts (where its end offset uses an
//! unchecked `pos - 2`); the hot path (50k receipts/s) needs only the headers
//! of each part, one small XML body and one byte range. So header fields are
//! parsed by mail-parser (folding, RFC 2047/2231 words, parameters), while
//! bodies are located here by boundary scanning, without recursion and within
//! the limits in [`crate::limits`].
use std::borrow::Cow;
use std::sync::OnceLock;

use mail_parser::{HeaderName, HeaderValue, MessageParser};
use memchr::memmem;

/// One MIME entity inside the raw input: `[start, body)` is its header block
/// (including the empty line that ends it), `[body, end)` its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entity {
    pub start: usize,
    pub body: usize,
    pub end: usize,
}

impl Entity {
    /// The whole input as one entity.
    pub fn whole(raw: &[u8]) -> Entity {
        Entity { start: 0, body: header_end(raw, 0, raw.len()), end: raw.len() }
    }

    /// The entity at `[start, end)`, locating its header/body split.
    pub fn at(raw: &[u8], start: usize, end: usize) -> Entity {
        Entity { start, body: header_end(raw, start, end), end }
    }
}

/// Content-Transfer-Encoding of a part, as far as decoding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// 7bit, 8bit, binary or absent: the body is the content.
    Identity,
    Base64,
    QuotedPrintable,
}

/// The MIME header fields of one entity that this crate acts on. Strings are
/// lower-cased where MIME says they are case-insensitive (type, subtype, CTE).
#[derive(Debug, Clone, Default)]
pub(crate) struct PartInfo {
    /// `type/subtype`, lower case; empty when there is no usable Content-Type.
    pub content_type: String,
    pub boundary: Option<String>,
    pub protocol: Option<String>,
    pub micalg: Option<String>,
    pub smime_type: Option<String>,
    /// Content-Type `name` or Content-Disposition `filename`.
    pub filename: Option<String>,
    pub cte: Option<TransferEncoding>,
}

impl PartInfo {
    pub fn cte(&self) -> TransferEncoding {
        self.cte.unwrap_or(TransferEncoding::Identity)
    }
    pub fn is(&self, ctype: &str) -> bool {
        self.content_type == ctype
    }
    pub fn is_multipart(&self) -> bool {
        self.content_type.starts_with("multipart/")
    }
    pub fn filename_is(&self, name: &str) -> bool {
        self.filename.as_deref().is_some_and(|f| f.trim().eq_ignore_ascii_case(name))
    }
}

/// Parse the header block `[start, body)` of `entity` with mail-parser. Returns
/// `None` when there is no header field at all.
pub(crate) fn parse_headers<'a>(raw: &'a [u8], entity: &Entity) -> Option<mail_parser::Message<'a>> {
    let block = raw.get(entity.start..entity.body)?;
    if block.is_empty() {
        return None;
    }
    parser().parse_headers(block)
}

/// One shared header parser that decodes only the fields this crate reads and
/// skips the rest (`Received:` chains, DKIM, ...) without tokenising them: on a
/// 15 KB receipt that is a good part of the parse time.
fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        let mut p = MessageParser::new()
            .header_content_type(HeaderName::ContentType)
            .header_content_type(HeaderName::ContentDisposition)
            .header_text(HeaderName::ContentTransferEncoding)
            .header_text(HeaderName::Subject)
            .header_id(HeaderName::MessageId)
            .header_address(HeaderName::From)
            .header_address(HeaderName::To)
            .header_address(HeaderName::Cc);
        for name in PEC_HEADERS {
            p = p.header_text(HeaderName::Other(name.into()));
        }
        p.default_header_ignore()
    })
}

/// The PEC routing headers (primer section 2), read as text.
pub(crate) const PEC_HEADERS: [&str; 5] =
    ["X-Ricevuta", "X-Trasporto", "X-Riferimento-Message-ID", "X-TipoRicevuta", "X-VerificaSicurezza"];

/// Extract the MIME fields we use from parsed headers.
pub(crate) fn part_info(headers: Option<&mail_parser::Message<'_>>) -> PartInfo {
    let mut info = PartInfo::default();
    let Some(msg) = headers else { return info };
    let Some(root) = msg.parts.first() else { return info };
    for h in &root.headers {
        match (&h.name, &h.value) {
            (HeaderName::ContentType, HeaderValue::ContentType(ct)) => {
                let mut t = ct.ctype().to_ascii_lowercase();
                t.push('/');
                t.push_str(&ct.subtype().unwrap_or("").to_ascii_lowercase());
                info.content_type = t;
                info.boundary = ct.attribute("boundary").map(str::to_owned);
                info.protocol = ct.attribute("protocol").map(|p| p.trim().to_ascii_lowercase());
                info.micalg = ct.attribute("micalg").map(|p| p.trim().to_ascii_lowercase());
                info.smime_type = ct.attribute("smime-type").map(|p| p.trim().to_ascii_lowercase());
                if info.filename.is_none() {
                    info.filename = ct.attribute("name").map(str::to_owned);
                }
            }
            (HeaderName::ContentDisposition, HeaderValue::ContentType(cd)) => {
                if let Some(f) = cd.attribute("filename") {
                    info.filename = Some(f.to_owned());
                }
            }
            (HeaderName::ContentTransferEncoding, v) => {
                let text = v.as_text().unwrap_or("").trim();
                info.cte = Some(if text.eq_ignore_ascii_case("base64") {
                    TransferEncoding::Base64
                } else if text.eq_ignore_ascii_case("quoted-printable") {
                    TransferEncoding::QuotedPrintable
                } else {
                    TransferEncoding::Identity
                });
            }
            _ => {}
        }
    }
    info
}

/// Offset of the first body byte of the entity starting at `start`: just after
/// the first empty line (`\n` or `\r\n`). A header block with no empty line has
/// no body (`end` is returned). An entity that starts with an empty line has no
/// headers (RFC 2046: the part then defaults to text/plain).
pub(crate) fn header_end(raw: &[u8], start: usize, end: usize) -> usize {
    let end = end.min(raw.len());
    let mut pos = start;
    while pos < end {
        let Some(nl) = memchr::memchr(b'\n', &raw[pos..end]) else { return end };
        let line = &raw[pos..pos + nl];
        if line.is_empty() || line == b"\r" {
            return pos + nl + 1;
        }
        pos += nl + 1;
    }
    end
}

/// The body parts of a multipart entity, with RFC 2046/1847 exact ranges.
#[derive(Debug, Default)]
pub(crate) struct Multipart {
    /// Each part from its first header byte up to, not including, the line break
    /// that precedes the next delimiter line.
    pub parts: Vec<(usize, usize)>,
    /// Whether the close delimiter (`--boundary--`) was seen. `false` means the
    /// input was truncated (or the boundary wrong).
    pub closed: bool,
}

/// Split the body of `entity` on `boundary`, at most `max_parts` parts.
pub(crate) fn split_multipart(raw: &[u8], entity: &Entity, boundary: &str, max_parts: usize) -> Multipart {
    // Candidates are found with one shared "\n--" searcher rather than a
    // searcher built per boundary: building it was a visible share of the time
    // on small receipts, and delimiters must start a line anyway.
    static NL_DASH: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    let nl_dash = NL_DASH.get_or_init(|| memmem::Finder::new(b"\n--"));
    let b = boundary.as_bytes();
    let mut out = Multipart::default();
    let end = entity.end.min(raw.len());
    let body = entity.body.min(end);
    // A delimiter may also open the body, with no line break before it.
    let mut next: Option<usize> = raw[body..end].starts_with(b"--").then_some(body);
    let mut search = body;
    // Start of the current part's content, once the first delimiter was found.
    let mut current: Option<usize> = None;
    loop {
        let pos = match next.take() {
            Some(p) => p,
            None => match nl_dash.find(&raw[search.min(end)..end]) {
                Some(rel) => search + rel + 1,
                None => break,
            },
        };
        search = pos;
        let after = pos + 2 + b.len();
        if after > end || &raw[pos + 2..after] != b {
            continue;
        }
        // Bounded by `end`, not the input: a nested entity must not see its parent's bytes.
        let is_close = raw[..end].get(after..after + 2) == Some(b"--");
        let rest_start = if is_close { after + 2 } else { after };
        // Only linear white space may follow on the line; anything else means
        // this is a longer, different boundary that merely starts like ours.
        let line_end = memchr::memchr(b'\n', &raw[rest_start..end]).map_or(end, |n| rest_start + n + 1);
        let tail = &raw[rest_start..line_end];
        if !tail.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        if let Some(part_start) = current.take() {
            // The line break before the delimiter belongs to the delimiter.
            let mut part_end = pos;
            if part_end > part_start && raw[part_end - 1] == b'\n' {
                part_end -= 1;
                if part_end > part_start && raw[part_end - 1] == b'\r' {
                    part_end -= 1;
                }
            }
            out.parts.push((part_start, part_end.max(part_start)));
        }
        if is_close {
            out.closed = true;
            return out;
        }
        if out.parts.len() >= max_parts {
            return out;
        }
        current = Some(line_end);
        // Resume at the line break ending this delimiter line, so that a
        // delimiter on the very next line is found.
        search = if raw[line_end - 1] == b'\n' { line_end - 1 } else { line_end };
    }
    // Truncated: the last part runs to the end of the input.
    if let Some(part_start) = current {
        if part_start < end {
            out.parts.push((part_start, end));
        }
    }
    out
}

/// Decode a body per its Content-Transfer-Encoding. `None` when the encoding is
/// broken beyond recovery (mail-parser's decoders skip line breaks and stop at
/// padding; an invalid character fails).
pub(crate) fn decode_body(body: &[u8], cte: TransferEncoding) -> Option<Cow<'_, [u8]>> {
    match cte {
        TransferEncoding::Identity => Some(Cow::Borrowed(body)),
        TransferEncoding::Base64 => mail_parser::decoders::base64::base64_decode(strip_trailing_ws(body)).map(Cow::Owned),
        TransferEncoding::QuotedPrintable => mail_parser::decoders::quoted_printable::quoted_printable_decode(body).map(Cow::Owned),
    }
}

fn strip_trailing_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &b[..n]
}

/// A header's value as text, trimmed; `None` when blank.
pub(crate) fn header_value_text(msg: &mail_parser::Message<'_>, h: &mail_parser::Header<'_>) -> Option<String> {
    let text = match &h.value {
        HeaderValue::Text(t) => t.trim().to_owned(),
        HeaderValue::TextList(l) => l.join(" ").trim().to_owned(),
        // A value mail-parser could not type: read the raw slice.
        _ => {
            let raw = msg.raw_message.get(h.offset_start as usize..h.offset_end as usize)?;
            String::from_utf8_lossy(raw).trim().to_owned()
        }
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_end_lf_crlf_and_none() {
        assert_eq!(header_end(b"A: b\n\nbody", 0, 10), 6);
        assert_eq!(header_end(b"A: b\r\n\r\nbody", 0, 12), 8);
        assert_eq!(header_end(b"A: b\r\n", 0, 6), 6);
        assert_eq!(header_end(b"\nbody", 0, 5), 1);
    }

    #[test]
    fn split_exact_ranges() {
        let raw = b"H: x\r\n\r\npre\r\n--b\r\nA: 1\r\n\r\none\r\n--b \r\n\r\ntwo\r\n--bb\r\nnot\r\n--b--\r\n";
        let e = Entity::whole(raw);
        let m = split_multipart(raw, &e, "b", 100);
        assert!(m.closed);
        let parts: Vec<&[u8]> = m.parts.iter().map(|&(s, e)| &raw[s..e]).collect();
        assert_eq!(parts, vec![&b"A: 1\r\n\r\none"[..], &b"\r\ntwo\r\n--bb\r\nnot"[..]]);
    }

    #[test]
    fn close_marker_beyond_entity_end_is_not_read() {
        // The entity ends right after "--b"; the "--" that follows belongs to
        // the parent and must not be taken (nor index past the entity).
        let raw = b"H: x\n\n--b\nA: 1\n\none\n--b--\n";
        let end = raw.len() - 3;
        let e = Entity::at(raw, 0, end);
        let m = split_multipart(raw, &e, "b", 100);
        assert!(!m.closed);
        assert_eq!(&raw[m.parts[0].0..m.parts[0].1], b"A: 1\n\none");
    }

    #[test]
    fn split_truncated_is_open() {
        let raw = b"H: x\n\n--b\nA: 1\n\none";
        let m = split_multipart(raw, &Entity::whole(raw), "b", 100);
        assert!(!m.closed);
        assert_eq!(&raw[m.parts[0].0..m.parts[0].1], b"A: 1\n\none");
    }
}
