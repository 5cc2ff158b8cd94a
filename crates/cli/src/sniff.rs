//! Telling a CMS signed file (`.p7m`, `.p7s`, DER or base64) from a mail message.

/// DER of the OID 1.2.840.113549.1.7.2 (pkcs7-signedData), as it follows the outer SEQUENCE.
const SIGNED_DATA_OID: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];

/// True for a CMS SignedData blob in DER, in base64 (with or without PEM armour), or a
/// file named `*.p7m` / `*.p7s`.
pub fn looks_like_signed_document(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".p7m") || lower.ends_with(".p7s") {
        return true;
    }
    is_der_signed_data(bytes) || is_base64_signed_data(bytes)
}

fn is_der_signed_data(bytes: &[u8]) -> bool {
    // SEQUENCE, then a length of 1..5 bytes (or indefinite), then the OID.
    if bytes.first() != Some(&0x30) || bytes.len() < 2 {
        return false;
    }
    let len_bytes = match bytes[1] {
        0x80 => 0,
        b if b & 0x80 != 0 => (b & 0x7f) as usize,
        _ => 0,
    };
    bytes.get(2 + len_bytes..).is_some_and(|rest| rest.starts_with(SIGNED_DATA_OID))
}

fn is_base64_signed_data(bytes: &[u8]) -> bool {
    use base64::Engine;
    let text = match std::str::from_utf8(&bytes[..bytes.len().min(4096)]) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&bytes[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
    };
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .take(64)
        .collect();
    let usable = body.len() / 4 * 4;
    base64::engine::general_purpose::STANDARD
        .decode(&body[..usable])
        .is_ok_and(|der| is_der_signed_data(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_der_and_base64_and_names() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let der = std::fs::read(format!("{dir}/../../../shared/samples/real/infocert-fattura.xml.p7m")).unwrap();
        let b64 = std::fs::read(format!("{dir}/../../../shared/samples/real/infocert-fattura.base64.xml.p7m")).unwrap();
        assert!(looks_like_signed_document("x", &der));
        assert!(looks_like_signed_document("x", &b64));
        assert!(looks_like_signed_document("contratto.pdf.P7M", b"whatever"));
        assert!(!looks_like_signed_document("a.eml", b"Subject: hi\r\n\r\nbody"));
        assert!(!looks_like_signed_document("a.eml", b"\x30\x82"));
        assert!(!looks_like_signed_document("a.eml", b""));
    }
}
