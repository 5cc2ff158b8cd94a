//! Deliberately faulty files (`--faults RATE`), for testing verifiers.
//!
//! A fraction of provider-signed files is made faulty while it is built, and the file's
//! manifest entry says which fault it carries (`"fault": "<name>"`); recipients' outcomes
//! are unchanged (a faulty receipt is still the receipt that arrived). Tampering faults
//! compute the signature over the original first part and emit an altered one; key and
//! certificate faults sign with alternate identities from [`crate::pki::Pki`]. Every
//! faulty file must be rejected by `openssl smime -verify -CAfile trust/test-root.pem`.

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

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Fault::ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| {
            format!("unknown fault {s:?} (one of: {})", Fault::ALL.map(|f| f.name()).join(", "))
        })
    }
}

impl Fault {
    pub const ALL: [Fault; 5] =
        [Fault::TamperedBody, Fault::TamperedDaticert, Fault::WrongKey, Fault::ExpiredAtSigning, Fault::UntrustedRoot];
}

/// Which signed files get which fault. Decisions come from their own RNG stream per
/// (index, file number), so a run without faults is byte-identical to one made before
/// faults existed, and enabling faults does not reshuffle the rest of the corpus.
#[derive(Clone, Debug, Default)]
pub struct FaultPlan {
    /// Fraction (0..=1) of provider-signed files to make faulty.
    pub rate: f64,
    pub kinds: Vec<Fault>,
}

impl FaultPlan {
    pub fn pick(&self, seed: u64, index: u64, file_no: u64) -> Option<Fault> {
        use rand::Rng;
        if self.rate <= 0.0 || self.kinds.is_empty() {
            return None;
        }
        let mut rng = crate::util::derive_rng(seed, "fault", index.wrapping_mul(1024).wrapping_add(file_no));
        if rng.gen::<f64>() < self.rate {
            Some(self.kinds[rng.gen_range(0..self.kinds.len())])
        } else {
            None
        }
    }
}
