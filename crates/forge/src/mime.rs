//! MIME building blocks: transfer encodings, charsets, encoded words, header folding.
//!
//! Everything is produced with CRLF line ends (the canonical form that gets signed);
//! stores that keep LF convert at write time.

use base64::Engine;

/// Transfer encoding of a text part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cte {
    Base64,
    QuotedPrintable,
    SevenBit,
    EightBit,
}

impl Cte {
    pub fn name(self) -> &'static str {
        match self {
            Cte::Base64 => "base64",
            Cte::QuotedPrintable => "quoted-printable",
            Cte::SevenBit => "7bit",
            Cte::EightBit => "8bit",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Latin1 => "iso-8859-1",
        }
    }
    pub fn encode(self, s: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => s.as_bytes().to_vec(),
            Charset::Latin1 => s.chars().map(|c| if (c as u32) < 256 { c as u32 as u8 } else { b'?' }).collect(),
        }
    }
}

/// Base64 with CRLF after every `width` characters (and at the end).
pub fn base64_lines(data: &[u8], width: usize) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(b.len() + b.len() / width * 2 + 2);
    for chunk in b.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(chunk).expect("ascii"));
        out.push_str("\r\n");
    }
    out
}

/// Quoted-printable (RFC 2045) of text whose line breaks are `\n`; output lines end CRLF,
/// soft-broken at 76 columns, trailing blanks protected.
pub fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 2);
    for (li, line) in data.split(|b| *b == b'\n').enumerate() {
        if li > 0 {
            out.push_str("\r\n");
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut col = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let enc = match b {
                b'=' => true,
                b' ' | b'\t' => last,
                33..=126 => false,
                _ => true,
            };
            let piece_len = if enc { 3 } else { 1 };
            if col + piece_len > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            if enc {
                out.push_str(&format!("={b:02X}"));
            } else {
                out.push(b as char);
            }
            col += piece_len;
        }
    }
    out
}

/// Encodes text (with `\n` line breaks) in a charset and transfer encoding; CRLF output
/// ending with a line break. 7bit/8bit callers should use [`encode_body_bytes`], which
/// keeps Latin-1 bytes intact.
pub fn encode_body(text: &str, charset: Charset, cte: Cte) -> String {
    let bytes = charset.encode(text);
    let mut s = match cte {
        Cte::Base64 => return base64_lines(&lf_to_crlf(&bytes), 76),
        Cte::QuotedPrintable => quoted_printable(&bytes),
        Cte::SevenBit | Cte::EightBit => String::from_utf8_lossy(&lf_to_crlf(&bytes)).into_owned(),
    };
    if !s.ends_with("\r\n") {
        s.push_str("\r\n");
    }
    s
}

fn lf_to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + bytes.len() / 40 + 2);
    for &b in bytes {
        if b == b'\n' {
            v.push(b'\r');
        }
        v.push(b);
    }
    v
}

/// Like [`encode_body`] but returns bytes, so 8bit Latin-1 survives unchanged.
pub fn encode_body_bytes(text: &str, charset: Charset, cte: Cte) -> Vec<u8> {
    match cte {
        Cte::EightBit | Cte::SevenBit => {
            let mut v = lf_to_crlf(&charset.encode(text));
            if !v.ends_with(b"\r\n") {
                v.extend_from_slice(b"\r\n");
            }
            v
        }
        _ => encode_body(text, charset, cte).into_bytes(),
    }
}

/// RFC 2047 encoded word for a header value when it is not plain ASCII.
pub fn header_text(value: &str, charset: Charset) -> String {
    if value.is_ascii() {
        return value.to_string();
    }
    let bytes = charset.encode(value);
    // Q encoding, split into words of at most ~60 encoded chars so lines stay short.
    let mut words = Vec::new();
    let mut cur = String::new();
    for &b in &bytes {
        let piece = match b {
            b' ' => "_".to_string(),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b',' | b'-' | b'/' | b':' => (b as char).to_string(),
            _ => format!("={b:02X}"),
        };
        if cur.len() + piece.len() > 60 {
            words.push(std::mem::take(&mut cur));
        }
        cur.push_str(&piece);
    }
    words.push(cur);
    let cs = charset.name().to_uppercase();
    words.iter().map(|w| format!("=?{cs}?Q?{w}?=")).collect::<Vec<_>>().join("\r\n ")
}

/// Folds an address list header value after commas so no line exceeds ~78 columns.
pub fn fold_list(name: &str, items: &[String]) -> String {
    let mut out = format!("{name}: ");
    let mut col = out.len();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
            col += 1;
            if col + it.len() + 1 > 78 {
                out.push_str("\r\n ");
                col = 1;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(it);
        col += it.len();
    }
    out.push_str("\r\n");
    out
}

/// Accumulates a message or part: headers then body, all CRLF.
#[derive(Default)]
pub struct Builder {
    pub buf: Vec<u8>,
}

impl Builder {
    pub fn new() -> Self {
        Builder { buf: Vec::with_capacity(8192) }
    }
    pub fn h(&mut self, name: &str, value: &str) -> &mut Self {
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b": ");
        self.buf.extend_from_slice(value.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
        self
    }
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }
    pub fn blank(&mut self) -> &mut Self {
        self.buf.extend_from_slice(b"\r\n");
        self
    }
    pub fn open(&mut self, boundary: &str) -> &mut Self {
        self.raw("--").raw(boundary).raw("\r\n")
    }
    pub fn close(&mut self, boundary: &str) -> &mut Self {
        self.raw("--").raw(boundary).raw("--\r\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qp_soft_breaks_and_latin1() {
        let s = quoted_printable(&Charset::Latin1.encode("è stato accettato = ok \nriga"));
        assert!(s.starts_with("=E8 stato accettato =3D ok=20\r\nriga"), "{s}");
        let long = quoted_printable(&[b'a'; 200]);
        assert!(long.lines().all(|l| l.len() <= 76));
    }

    #[test]
    fn encoded_word() {
        assert_eq!(header_text("Città", Charset::Utf8), "=?UTF-8?Q?Citt=C3=A0?=");
    }
}
