//! DER surgery for negative tests (rebuilds lengths up the tree).

use verify::asn1;

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let b = len.to_be_bytes();
        let skip = b.iter().take_while(|x| **x == 0).count();
        out.push(0x80 | (b.len() - skip) as u8);
        out.extend_from_slice(&b[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Descends `path` (child indices, -1 = last) and lets `f` edit that element's children.
pub fn rewrite(raw: &[u8], path: &[isize], f: &mut dyn FnMut(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    let (t, _) = asn1::read(raw).unwrap();
    let mut kids: Vec<Vec<u8>> = asn1::children(t.value).unwrap().iter().map(|c| c.raw.to_vec()).collect();
    match path.split_first() {
        None => f(&mut kids),
        Some((&i, rest)) => {
            let i = if i < 0 { kids.len() - 1 } else { i as usize };
            kids[i] = rewrite(&kids[i], rest, f);
        }
    }
    tlv(t.tag, &kids.concat())
}

/// Raw children of the element at `path`.
pub fn children_at(raw: &[u8], path: &[isize]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    rewrite(raw, path, &mut |k| out = k.clone());
    out
}

/// Path of signer 0's SignerInfo in a ContentInfo(SignedData).
pub const SIGNER0: [isize; 4] = [1, 0, -1, 0];
/// Path of signer 0's signed attributes.
pub const SIGNER0_ATTRS: [isize; 5] = [1, 0, -1, 0, 3];

pub fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

pub const OID_MESSAGE_DIGEST_DER: [u8; 11] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04];
pub const OID_SIGNING_CERT_V2_DER: [u8; 13] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x2F];
pub const OID_COUNTERSIGNATURE_DER: [u8; 11] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x06];
