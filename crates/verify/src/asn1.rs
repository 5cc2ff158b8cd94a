//! A minimal, bounded BER/DER element reader.
//!
//! Why not only `der`: `der` 0.7 decodes `SET OF` by *sorting* its elements and rejects
//! duplicates. Re-encoding parsed signed attributes would then change their byte order
//! and break signatures made by producers that did not sort them (the signature covers
//! the bytes as sent). So the top-level structure of SignedData is walked here, keeping
//! the raw bytes of each element, and `der`/`cms` decode only the leaves. The same
//! reader turns BER (indefinite lengths, constructed strings; some signing tools emit
//! it) into DER before anything else looks at it.

use crate::error::{Error, Result};
use crate::limits::MAX_DER_DEPTH;

/// One element: its tag byte, its value bytes and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

impl Tlv<'_> {
    pub fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
}

fn malformed(msg: &str) -> Error {
    Error::Malformed(msg.to_string())
}

/// Length field: `Some(n)` definite, `None` indefinite. Returns (length, header bytes used).
fn read_header(input: &[u8]) -> Result<(u8, Option<usize>, usize)> {
    let tag = *input.first().ok_or_else(|| malformed("truncated tag"))?;
    if tag & 0x1f == 0x1f {
        // High tag numbers never occur in CMS/X.509; refusing them keeps the reader small.
        return Err(malformed("high-tag-number form not supported"));
    }
    let first = *input.get(1).ok_or_else(|| malformed("truncated length"))?;
    if first < 0x80 {
        return Ok((tag, Some(first as usize), 2));
    }
    if first == 0x80 {
        return Ok((tag, None, 2));
    }
    let n = (first & 0x7f) as usize;
    if n > 4 {
        return Err(malformed("length field too long"));
    }
    let bytes = input.get(2..2 + n).ok_or_else(|| malformed("truncated length"))?;
    let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
    Ok((tag, Some(len), 2 + n))
}

/// Reads one definite-length element from the front of `input`.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (tag, len, hl) = read_header(input)?;
    let len = len.ok_or_else(|| malformed("indefinite length in DER"))?;
    let end = hl.checked_add(len).ok_or_else(|| malformed("length overflow"))?;
    if end > input.len() {
        return Err(malformed("element longer than its input"));
    }
    Ok((Tlv { tag, value: &input[hl..end], raw: &input[..end] }, &input[end..]))
}

/// Reads exactly one element that must fill `input`, with the expected tag.
pub fn read_one(input: &[u8], tag: u8) -> Result<Tlv<'_>> {
    let (t, rest) = read(input)?;
    if !rest.is_empty() {
        return Err(malformed("trailing bytes"));
    }
    expect_tag(&t, tag)?;
    Ok(t)
}

pub fn expect_tag(t: &Tlv<'_>, tag: u8) -> Result<()> {
    if t.tag != tag {
        return Err(Error::Malformed(format!("expected tag {tag:#04x}, found {:#04x}", t.tag)));
    }
    Ok(())
}

/// The child elements of a constructed value.
pub fn children(value: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// True when `input` is exactly one well-formed definite-length element tree
/// (cheap structural check used to tell DER from base64 text).
pub fn is_der_element(input: &[u8]) -> bool {
    matches!(read(input), Ok((_, rest)) if rest.is_empty())
}

/// Converts BER to DER as far as CMS needs: indefinite lengths become definite and
/// constructed OCTET/BIT/character strings are concatenated into primitive ones.
/// Set ordering is deliberately *not* touched (see the module docs).
pub fn ber_to_der(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let used = normalise(input, 0, &mut out)?;
    if used != input.len() {
        return Err(malformed("trailing bytes"));
    }
    Ok(out)
}

/// True when the encoding uses an indefinite length or a constructed string anywhere.
pub fn needs_normalising(input: &[u8]) -> bool {
    fn walk(input: &[u8], depth: usize) -> bool {
        if depth > MAX_DER_DEPTH {
            return true;
        }
        let mut rest = input;
        while !rest.is_empty() {
            match read(rest) {
                Ok((t, r)) => {
                    if t.is_constructed() && (is_string_tag(t.tag & !0x20) || walk(t.value, depth + 1)) {
                        return true;
                    }
                    rest = r;
                }
                Err(_) => return true,
            }
        }
        false
    }
    walk(input, 0)
}

fn is_string_tag(tag: u8) -> bool {
    // OCTET STRING, BIT STRING, UTF8String, PrintableString, T61, IA5, UTCTime, GeneralizedTime, BMP
    matches!(tag, 0x03 | 0x04 | 0x0c | 0x13 | 0x14 | 0x16 | 0x17 | 0x18 | 0x1e)
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Normalises one element from the front of `input` into `out`; returns bytes consumed.
fn normalise(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<usize> {
    if depth > MAX_DER_DEPTH {
        return Err(Error::TooDeep("ASN.1 nesting"));
    }
    let (tag, len, hl) = read_header(input)?;
    let constructed = tag & 0x20 != 0;
    if !constructed {
        let len = len.ok_or_else(|| malformed("indefinite length on primitive"))?;
        let end = hl.checked_add(len).filter(|e| *e <= input.len()).ok_or_else(|| malformed("truncated"))?;
        out.push(tag);
        push_len(out, len);
        out.extend_from_slice(&input[hl..end]);
        return Ok(end);
    }
    // Constructed: normalise the children into a scratch buffer, then write the header.
    let mut body = Vec::new();
    let mut pos = hl;
    loop {
        match len {
            Some(l) => {
                let end = hl.checked_add(l).filter(|e| *e <= input.len()).ok_or_else(|| malformed("truncated"))?;
                if pos >= end {
                    if pos > end {
                        return Err(malformed("child overruns parent"));
                    }
                    break;
                }
                pos += normalise(&input[pos..end], depth + 1, &mut body)?;
            }
            None => {
                let rest = input.get(pos..).ok_or_else(|| malformed("truncated"))?;
                if rest.len() < 2 {
                    return Err(malformed("missing end-of-contents"));
                }
                if rest[0] == 0 && rest[1] == 0 {
                    pos += 2;
                    break;
                }
                pos += normalise(rest, depth + 1, &mut body)?;
            }
        }
    }
    let prim_tag = tag & !0x20;
    if is_string_tag(prim_tag) {
        // Concatenate the (already primitive) segments' values.
        let mut joined = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (t, r) = read(rest)?;
            joined.extend_from_slice(t.value);
            rest = r;
        }
        out.push(prim_tag);
        push_len(out, joined.len());
        out.extend_from_slice(&joined);
    } else {
        out.push(tag);
        push_len(out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_and_constructed_strings_become_der() {
        // SEQUENCE(indef) { OCTET STRING(constructed, indef) { 04 01 'a', 04 01 'b' } }
        let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01, b'b', 0, 0, 0, 0];
        assert_eq!(ber_to_der(&ber).unwrap(), vec![0x30, 0x04, 0x04, 0x02, b'a', b'b']);
        assert!(needs_normalising(&ber));
        assert!(!needs_normalising(&[0x30, 0x03, 0x02, 0x01, 0x05]));
    }

    #[test]
    fn hostile_inputs_are_errors() {
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(read(&[0x30]).is_err());
        assert!(read(&[]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 10_000).flatten().collect();
        assert!(matches!(ber_to_der(&deep), Err(Error::TooDeep(_))));
    }
}
