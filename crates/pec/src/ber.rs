//! Just enough BER to pull the encapsulated content out of an opaque S/MIME
//! (`application/pkcs7-mime; smime-type=signed-data`) CMS SignedData.
//!
//! Why hand-rolled: the DER crates in the workspace reject BER indefinite lengths
//! and constructed OCTET STRINGs, which opaque S/MIME producers do emit; and
//! classification only needs the eContent bytes, not a full CMS model (the
//! verifier decodes the CMS itself). Nesting is bounded by [`MAX_BER_DEPTH`].

const MAX_BER_DEPTH: usize = 32;
/// id-signedData, 1.2.840.113549.1.7.2, DER value bytes.
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];

#[derive(Debug, Clone, Copy)]
struct Tlv {
    /// First identifier octet (class, constructed bit, low tag number).
    tag: u8,
    content: usize,
    /// `None` for the indefinite form (content ends at an end-of-contents 00 00).
    len: Option<usize>,
}

fn header(data: &[u8], pos: usize) -> Option<Tlv> {
    let tag = *data.get(pos)?;
    let mut p = pos + 1;
    if tag & 0x1F == 0x1F {
        // High tag number form: skip its base-128 octets (bounded).
        loop {
            let b = *data.get(p)?;
            p += 1;
            if b & 0x80 == 0 {
                break;
            }
            if p - pos > 6 {
                return None;
            }
        }
    }
    let first = *data.get(p)?;
    p += 1;
    let len = if first < 0x80 {
        Some(first as usize)
    } else if first == 0x80 {
        None
    } else {
        let n = (first & 0x7F) as usize;
        if n > 4 {
            return None;
        }
        let mut l = 0usize;
        for _ in 0..n {
            l = (l << 8) | *data.get(p)? as usize;
            p += 1;
        }
        Some(l)
    };
    if let Some(l) = len {
        if p.checked_add(l)? > data.len() {
            return None;
        }
    }
    Some(Tlv { tag, content: p, len })
}

/// Offset just past the element at `pos`.
fn element_end(data: &[u8], pos: usize, depth: usize) -> Option<usize> {
    let tlv = header(data, pos)?;
    match tlv.len {
        Some(l) => Some(tlv.content + l),
        None => {
            if depth >= MAX_BER_DEPTH || tlv.tag & 0x20 == 0 {
                return None;
            }
            let mut c = tlv.content;
            loop {
                if data.get(c..c + 2)? == [0, 0] {
                    return Some(c + 2);
                }
                c = element_end(data, c, depth + 1)?;
            }
        }
    }
}

/// Offsets of the child elements of the constructed element at `pos`.
fn children(data: &[u8], pos: usize, depth: usize) -> Option<Vec<usize>> {
    let tlv = header(data, pos)?;
    if tlv.tag & 0x20 == 0 || depth >= MAX_BER_DEPTH {
        return None;
    }
    let mut out = Vec::new();
    let mut c = tlv.content;
    match tlv.len {
        Some(l) => {
            let end = tlv.content + l;
            while c < end {
                out.push(c);
                c = element_end(data, c, depth + 1)?;
            }
            (c == end).then_some(out)
        }
        None => loop {
            if data.get(c..c + 2)? == [0, 0] {
                return Some(out);
            }
            out.push(c);
            c = element_end(data, c, depth + 1)?;
        },
    }
}

/// Append the value of an OCTET STRING, primitive (0x04) or constructed (0x24).
fn octets(data: &[u8], pos: usize, depth: usize, out: &mut Vec<u8>) -> Option<()> {
    let tlv = header(data, pos)?;
    match tlv.tag {
        0x04 => {
            let l = tlv.len?;
            out.extend_from_slice(data.get(tlv.content..tlv.content + l)?);
            Some(())
        }
        0x24 => {
            for c in children(data, pos, depth)? {
                octets(data, c, depth + 1, out)?;
            }
            Some(())
        }
        _ => None,
    }
}

/// The encapsulated content (`eContent`) of a CMS ContentInfo holding
/// SignedData. `None` if the structure is not that, or the content is detached.
pub(crate) fn signed_data_content(cms: &[u8]) -> Option<Vec<u8>> {
    let ci = children(cms, 0, 0)?;
    let oid = header(cms, *ci.first()?)?;
    if oid.tag != 0x06 || cms.get(oid.content..oid.content + oid.len?)? != OID_SIGNED_DATA {
        return None;
    }
    let explicit = *ci.get(1)?;
    if header(cms, explicit)?.tag != 0xA0 {
        return None;
    }
    let signed_data = *children(cms, explicit, 1)?.first()?;
    let sd = children(cms, signed_data, 2)?;
    // version, digestAlgorithms, encapContentInfo, ...
    let encap = *sd.get(2)?;
    let eci = children(cms, encap, 3)?;
    let content = *eci.get(1)?;
    if header(cms, content)?.tag != 0xA0 {
        return None;
    }
    let inner = *children(cms, content, 4)?.first()?;
    let mut out = Vec::new();
    octets(cms, inner, 5, &mut out)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ContentInfo { signedData, [0] { SEQ { INT 1, SET {}, SEQ { OID data, [0] { OCTETS } } } } },
    /// with the eContent given as indefinite constructed chunks, as BER producers do.
    fn sample(content_chunks: &[&[u8]]) -> Vec<u8> {
        let mut octs = vec![0x24, 0x80];
        for c in content_chunks {
            octs.push(0x04);
            octs.push(c.len() as u8);
            octs.extend_from_slice(c);
        }
        octs.extend_from_slice(&[0, 0]);
        let mut eci = vec![0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x80];
        eci.extend_from_slice(&octs);
        eci.extend_from_slice(&[0, 0]);
        let mut sd = vec![0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x80];
        sd.extend_from_slice(&eci);
        sd.extend_from_slice(&[0, 0]);
        let mut out = vec![0x30, 0x80, 0x06, 0x09];
        out.extend_from_slice(OID_SIGNED_DATA);
        out.extend_from_slice(&[0xA0, 0x80, 0x30, 0x80]);
        out.extend_from_slice(&sd);
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        out
    }

    #[test]
    fn indefinite_constructed_content() {
        let cms = sample(&[b"Hello, ", b"world"]);
        assert_eq!(signed_data_content(&cms).as_deref(), Some(&b"Hello, world"[..]));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(signed_data_content(b""), None);
        assert_eq!(signed_data_content(&[0x30, 0x80, 0x30, 0x80, 0x30, 0x80]), None);
        assert_eq!(signed_data_content(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), None);
        // Deep indefinite nesting is bounded, not a stack overflow.
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100_000).flatten().collect();
        assert_eq!(signed_data_content(&deep), None);
    }
}
