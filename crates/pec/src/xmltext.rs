//! Bytes of an XML document -> text, per its BOM or XML declaration.
//!
//! roxmltree parses `&str` and ignores the declared encoding, so decoding is done
//! here. Providers emit UTF-8 and ISO-8859-1; any label encoding_rs knows is
//! accepted (ISO-8859-1 maps to windows-1252, a superset for printable text).
use std::borrow::Cow;

use crate::DaticertError;

pub(crate) fn decode(xml: &[u8]) -> Result<Cow<'_, str>, DaticertError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(xml) {
        let (text, _) = enc.decode_without_bom_handling(&xml[bom_len..]);
        return Ok(text);
    }
    let label = declared_encoding(xml);
    let encoding = match label {
        None => encoding_rs::UTF_8,
        Some(l) => encoding_rs::Encoding::for_label(l.as_bytes())
            .ok_or_else(|| DaticertError::Encoding(l.chars().take(40).collect()))?,
    };
    if encoding == encoding_rs::UTF_8 {
        return match std::str::from_utf8(xml) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            // Declared (or defaulted) UTF-8 but is not: real providers have shipped
            // Latin-1 bytes under a UTF-8 declaration. Read it as windows-1252
            // rather than reject a signed receipt over a mislabelled accent.
            Err(_) => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(xml).0),
        };
    }
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        // A declaration readable as ASCII cannot be UTF-16 without a BOM.
        return Err(DaticertError::Encoding(encoding.name().to_owned()));
    }
    Ok(encoding.decode_without_bom_handling(xml).0)
}

/// The `encoding` pseudo-attribute of `<?xml ... ?>`, if any.
fn declared_encoding(xml: &[u8]) -> Option<String> {
    let start = xml.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &xml[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    // The declaration is short; do not scan a hostile megabyte for `?>`.
    let window = &rest[..rest.len().min(256)];
    let end = memchr::memmem::find(window, b"?>")?;
    let decl = std::str::from_utf8(&window[..end]).ok()?;
    let at = decl.find("encoding")?;
    let after = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared() {
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><a/>").as_deref(), Some("ISO-8859-1"));
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(declared_encoding(b"<a/>"), None);
    }

    #[test]
    fn latin1_decodes() {
        let t = decode(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe8</a>").unwrap();
        assert!(t.contains("<a>\u{e8}</a>"));
    }

    #[test]
    fn unknown_encoding_is_typed() {
        assert!(matches!(decode(b"<?xml version=\"1.0\" encoding=\"klingon\"?><a/>"), Err(DaticertError::Encoding(_))));
    }
}
