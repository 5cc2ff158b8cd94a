//! Typed errors for inputs that cannot be read at all.
//!
//! A signature that *can* be read but does not verify is not an error: it is a
//! verdict (`broken`, `untrusted`, ...) in [`crate::verdict`].

/// Why an input could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input exceeds one of the bounds in [`crate::limits`].
    #[error("input too large: {what} ({size} > {limit})")]
    TooLarge { what: &'static str, size: usize, limit: usize },
    /// ASN.1 nesting deeper than [`crate::limits::MAX_DER_DEPTH`] or envelopes nested
    /// deeper than [`crate::limits::MAX_ENVELOPE_DEPTH`].
    #[error("nesting too deep: {0}")]
    TooDeep(&'static str),
    /// Malformed BER/DER.
    #[error("malformed ASN.1: {0}")]
    Malformed(String),
    /// Well-formed, but not a CMS SignedData.
    #[error("not a CMS SignedData: {0}")]
    NotSignedData(String),
    /// Neither DER, nor base64, nor PEM.
    #[error("unrecognised encoding (expected DER, base64 or PEM)")]
    UnrecognisedEncoding,
    /// A certificate or CRL could not be parsed.
    #[error("bad certificate or CRL: {0}")]
    Certificate(String),
    /// A Trusted List could not be parsed.
    #[error("bad trusted list: {0}")]
    TrustedList(String),
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Malformed(e.to_string())
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
