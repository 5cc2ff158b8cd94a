//! Hook for deliberately faulty files (not generated yet).
//!
//! A later task asks for corpora with known defects. The intended design: a `--faults`
//! option with a rate per [`Fault`]; after a unit is generated and before it is stored,
//! the writer picks files with a per-file RNG derived from (seed, index, seq) and applies
//! the fault, recording `"fault": "<name>"` on the file's manifest entry. Because faults
//! are applied to finished CRLF bytes (or, for key/certificate faults, by signing with
//! an alternate [`crate::pki::Identity`]), the generator itself stays unchanged.

/// Kinds of defects a verifier must detect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// One byte of the signed body text changed after signing (integrity: broken).
    TamperedBody,
    /// One value of daticert.xml changed after signing (integrity: broken).
    TamperedDaticert,
    /// Signed with a key that does not match the certificate carried.
    WrongKey,
    /// Signer certificate already expired at signing time.
    ExpiredAtSigning,
    /// Chain ends in a root that is not in `trust/`.
    UntrustedRoot,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::TamperedBody => "tampered-body",
            Fault::TamperedDaticert => "tampered-daticert",
            Fault::WrongKey => "wrong-key",
            Fault::ExpiredAtSigning => "expired-at-signing",
            Fault::UntrustedRoot => "untrusted-root",
        }
    }
}
