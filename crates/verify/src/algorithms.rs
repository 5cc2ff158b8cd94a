//! Digest and signature algorithms: identification by OID, hashing, and verification.
//!
//! Every public-key operation in the crate goes through [`verify_signature`], so the
//! list of accepted algorithms lives in one place.

use const_oid::ObjectIdentifier as Oid;
use der::{asn1::AnyRef, Decode};
use serde::Serialize;
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Hash functions accepted in signatures. SHA-1 is accepted because PEC receipts up to
/// about 2019 used it (`micalg=sha1`), and is reported as weak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

pub const OID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub const OID_SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
pub const OID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const OID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const OID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

const OID_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const OID_MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
const OID_SHA1_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const OID_SHA224_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
const OID_SHA256_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const OID_SHA384_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const OID_SHA512_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const OID_EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const OID_ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
const OID_ECDSA_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
const OID_ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const OID_ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
const OID_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: Oid = Oid::new_unwrap("1.3.132.0.34");

impl DigestAlgorithm {
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        Some(match *oid {
            OID_SHA1 => Self::Sha1,
            OID_SHA224 => Self::Sha224,
            OID_SHA256 => Self::Sha256,
            OID_SHA384 => Self::Sha384,
            OID_SHA512 => Self::Sha512,
            _ => return None,
        })
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// SHA-1 is no longer collision resistant.
    pub fn is_weak(self) -> bool {
        self == Self::Sha1
    }
}

/// Signature schemes accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    RsaPkcs1v15,
    RsaPss,
    EcdsaP256,
    EcdsaP384,
}

/// Why a signature could not be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    /// Algorithm, curve or parameters we do not implement.
    Unsupported(String),
    /// The key or the signature value is malformed.
    Malformed(String),
    /// Well-formed, and wrong.
    Invalid,
}

impl std::fmt::Display for SigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigError::Unsupported(s) => write!(f, "unsupported algorithm: {s}"),
            SigError::Malformed(s) => write!(f, "malformed key or signature: {s}"),
            SigError::Invalid => write!(f, "signature value does not match"),
        }
    }
}

/// What was verified: the scheme and the hash it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub scheme: SignatureScheme,
    pub digest: DigestAlgorithm,
    /// Key size in bits.
    pub key_bits: usize,
}

impl Verified {
    /// RSA keys under 2048 bits are below every current recommendation (ETSI TS 119 312).
    pub fn weak_key(&self) -> bool {
        matches!(self.scheme, SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss) && self.key_bits < 2048
    }
}

/// Resolves the hash a signature algorithm uses. `default_digest` is the CMS
/// `digestAlgorithm`, used when the signature OID does not name a hash
/// (`rsaEncryption`, `id-ecPublicKey`).
fn scheme_of(sig_alg: &AlgorithmIdentifierOwned, default_digest: Option<DigestAlgorithm>) -> Result<(u8, DigestAlgorithm), SigError> {
    use DigestAlgorithm::*;
    // 0 = RSA PKCS#1 v1.5, 1 = RSA-PSS, 2 = ECDSA
    let need = |d: Option<DigestAlgorithm>| d.ok_or_else(|| SigError::Unsupported("no digest algorithm".into()));
    Ok(match sig_alg.oid {
        OID_RSA => (0, need(default_digest)?),
        OID_SHA1_RSA => (0, Sha1),
        OID_SHA224_RSA => (0, Sha224),
        OID_SHA256_RSA => (0, Sha256),
        OID_SHA384_RSA => (0, Sha384),
        OID_SHA512_RSA => (0, Sha512),
        OID_RSA_PSS => (1, pss_params(sig_alg)?.0),
        OID_EC_PUBLIC_KEY => (2, need(default_digest)?),
        OID_ECDSA_SHA1 => (2, Sha1),
        OID_ECDSA_SHA224 => (2, Sha224),
        OID_ECDSA_SHA256 => (2, Sha256),
        OID_ECDSA_SHA384 => (2, Sha384),
        OID_ECDSA_SHA512 => (2, Sha512),
        ref other => return Err(SigError::Unsupported(other.to_string())),
    })
}

/// RSASSA-PSS-params: (hash, salt length). MGF1 must use the same hash (RFC 4056
/// recommends it and every real producer does it); anything else is refused rather
/// than guessed.
fn pss_params(sig_alg: &AlgorithmIdentifierOwned) -> Result<(DigestAlgorithm, usize), SigError> {
    let params = sig_alg.parameters.as_ref().ok_or_else(|| SigError::Malformed("RSA-PSS without parameters".into()))?;
    let der = der::Encode::to_der(params).map_err(|e| SigError::Malformed(e.to_string()))?;
    let p = rsa::pkcs1::RsaPssParams::from_der(&der).map_err(|e| SigError::Malformed(e.to_string()))?;
    let hash = DigestAlgorithm::from_oid(&p.hash.oid).ok_or_else(|| SigError::Unsupported(format!("PSS hash {}", p.hash.oid)))?;
    if p.mask_gen.oid != OID_MGF1 {
        return Err(SigError::Unsupported(format!("PSS mask generation {}", p.mask_gen.oid)));
    }
    let mgf_hash = p.mask_gen.parameters.map(|a| a.oid).unwrap_or(OID_SHA1);
    if DigestAlgorithm::from_oid(&mgf_hash) != Some(hash) {
        return Err(SigError::Unsupported("PSS MGF1 hash differs from message hash".into()));
    }
    Ok((hash, p.salt_len as usize))
}

static RING_ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns the `ring` fast path on (the default) or off, process-wide: for benchmarks
/// and for the tests that compare both back ends.
pub fn set_fast_path(on: bool) {
    RING_ENABLED.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The fast path: `ring` (assembly RSA and P-256/P-384) for the combinations it
/// supports. `None` when it does not accept the signature, for whatever reason
/// (unsupported hash or key size, malformed, invalid): the RustCrypto path then gives
/// the verdict and its reason, so ring only ever speeds up valid signatures.
/// Measured on the forge corpus (`scripts/bench.sh verify`): RSA-2048 and P-256
/// verifications are several times faster than with RustCrypto (see the bench report).
fn ring_verify(kind: u8, digest: DigestAlgorithm, spki: &SubjectPublicKeyInfoOwned, key_bytes: &[u8], message: &[u8], signature: &[u8]) -> Option<(SignatureScheme, usize)> {
    use ring::signature as rs;
    use DigestAlgorithm::*;
    if !RING_ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let (alg, scheme, bits): (&'static dyn rs::VerificationAlgorithm, SignatureScheme, usize) = match kind {
        0 => {
            if spki.algorithm.oid != OID_RSA {
                return None;
            }
            let alg: &'static dyn rs::VerificationAlgorithm = match digest {
                Sha1 => &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
                Sha224 => return None,
            };
            // A valid PKCS#1 signature is exactly as long as the modulus.
            (alg, SignatureScheme::RsaPkcs1v15, signature.len() * 8)
        }
        2 => {
            if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
                return None;
            }
            let curve = spki.algorithm.parameters.as_ref().and_then(|p| AnyRef::from(p).decode_as::<Oid>().ok())?;
            match (curve, digest) {
                (OID_P256, Sha256) => (&rs::ECDSA_P256_SHA256_ASN1, SignatureScheme::EcdsaP256, 256),
                (OID_P256, Sha384) => (&rs::ECDSA_P256_SHA384_ASN1, SignatureScheme::EcdsaP256, 256),
                (OID_P384, Sha384) => (&rs::ECDSA_P384_SHA384_ASN1, SignatureScheme::EcdsaP384, 384),
                (OID_P384, Sha256) => (&rs::ECDSA_P384_SHA256_ASN1, SignatureScheme::EcdsaP384, 384),
                _ => return None,
            }
        }
        _ => return None,
    };
    rs::UnparsedPublicKey::new(alg, key_bytes).verify(message, signature).ok()?;
    Some((scheme, bits))
}

/// Verifies `signature` over `message` (hashed here) with the key in `spki`.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    default_digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<Verified, SigError> {
    let (kind, digest) = scheme_of(sig_alg, default_digest)?;
    let key_bytes = spki.subject_public_key.as_bytes().ok_or_else(|| SigError::Malformed("unaligned key bits".into()))?;
    if let Some((scheme, key_bits)) = ring_verify(kind, digest, spki, key_bytes, message, signature) {
        return Ok(Verified { scheme, digest, key_bits });
    }
    let hashed = digest.digest(message);
    let key_bits;
    let scheme = match kind {
        0 | 1 => {
            if spki.algorithm.oid != OID_RSA && spki.algorithm.oid != OID_RSA_PSS {
                return Err(SigError::Unsupported(format!("RSA signature with {} key", spki.algorithm.oid)));
            }
            use rsa::pkcs1::DecodeRsaPublicKey;
            let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes).map_err(|e| SigError::Malformed(e.to_string()))?;
            key_bits = rsa::traits::PublicKeyParts::size(&key) * 8;
            if kind == 0 {
                let padding = match digest {
                    DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    DigestAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                    DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, &hashed, signature).map_err(|_| SigError::Invalid)?;
                SignatureScheme::RsaPkcs1v15
            } else {
                let (_, salt) = pss_params(sig_alg)?;
                let padding = match digest {
                    DigestAlgorithm::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                    DigestAlgorithm::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt),
                    DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                    DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                    DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                };
                key.verify(padding, &hashed, signature).map_err(|_| SigError::Invalid)?;
                SignatureScheme::RsaPss
            }
        }
        _ => {
            if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
                return Err(SigError::Unsupported(format!("ECDSA signature with {} key", spki.algorithm.oid)));
            }
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| AnyRef::from(p).decode_as::<Oid>().ok())
                .ok_or_else(|| SigError::Malformed("EC key without named curve".into()))?;
            use signature::hazmat::PrehashVerifier;
            match curve {
                OID_P256 => {
                    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|e| SigError::Malformed(e.to_string()))?;
                    let sig = p256::ecdsa::Signature::from_der(signature).map_err(|e| SigError::Malformed(e.to_string()))?;
                    vk.verify_prehash(&hashed, &sig).map_err(|_| SigError::Invalid)?;
                    key_bits = 256;
                    SignatureScheme::EcdsaP256
                }
                OID_P384 => {
                    let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|e| SigError::Malformed(e.to_string()))?;
                    let sig = p384::ecdsa::Signature::from_der(signature).map_err(|e| SigError::Malformed(e.to_string()))?;
                    vk.verify_prehash(&hashed, &sig).map_err(|_| SigError::Invalid)?;
                    key_bits = 384;
                    SignatureScheme::EcdsaP384
                }
                other => return Err(SigError::Unsupported(format!("curve {other}"))),
            }
        }
    };
    Ok(Verified { scheme, digest, key_bits })
}
