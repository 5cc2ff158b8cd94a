//! The test PKI, shaped like the real PEC one.
//!
//! Real chain: "Actalis Authentication Root CA" -> "AgID CA1" -> `Posta Certificata <Provider>`.
//! Here: "Cartolina Test Root CA" -> "Test AgID CA1" -> one signer per provider, plus
//! "Test InfoCert Firma Qualificata 2" -> a qualified-signer-like person for `.p7m` files.
//! Keys and certificates are a pure function of the seed. RSA key generation is the slow
//! part (hundreds of ms per key), so each key is made once per run, memoised per process,
//! and cached as PKCS#8 under `<out>/keys/` so later runs with the same seed skip it.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION;
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{asn1::Ia5String, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::util::{seq, tlv};

/// Key algorithm of a signer; providers mix both, as the real network does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlg {
    Rsa2048,
    EcP256,
}

// A handful of these exist per run: boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum PrivKey {
    Rsa(RsaPrivateKey),
    Ec(p256::SecretKey),
}

/// Digest used for a signature (`micalg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlg {
    Sha1,
    Sha256,
}

impl DigestAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlg::Sha1 => Sha1::digest(data).to_vec(),
            DigestAlg::Sha256 => Sha256::digest(data).to_vec(),
        }
    }
    /// DER AlgorithmIdentifier (parameters absent, as RFC 5754 recommends).
    pub fn alg_id(self) -> Vec<u8> {
        let o = match self {
            DigestAlg::Sha1 => const_oid::db::rfc5912::ID_SHA_1,
            DigestAlg::Sha256 => const_oid::db::rfc5912::ID_SHA_256,
        };
        seq(&[&crate::util::oid(&o)])
    }
    pub fn micalg(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "sha1",
            DigestAlg::Sha256 => "sha-256",
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Signer {
    Rsa { s1: rsa::pkcs1v15::SigningKey<Sha1>, s256: rsa::pkcs1v15::SigningKey<Sha256> },
    Ec(p256::ecdsa::SigningKey),
}

/// A certificate holder able to sign CMS content.
pub struct Identity {
    pub label: String,
    signer: Signer,
    pub alg: KeyAlg,
    pub cert_der: Vec<u8>,
    /// DER `IssuerAndSerialNumber`, the CMS signer identifier.
    pub issuer_and_serial: Vec<u8>,
    /// DER of the issuer Name and of the serial INTEGER, for ESS signingCertificateV2.
    pub issuer_name_der: Vec<u8>,
    pub serial_der: Vec<u8>,
    /// Certificates a CMS made by this identity carries: the signer and its issuing CA.
    pub chain_der: Vec<Vec<u8>>,
}

impl Identity {
    /// Signs `data` (the DER of the signed attributes) and returns the raw signature value.
    pub fn sign(&self, digest: DigestAlg, data: &[u8]) -> Vec<u8> {
        use signature::{SignatureEncoding, Signer as _};
        match (&self.signer, digest) {
            (Signer::Rsa { s1, .. }, DigestAlg::Sha1) => s1.sign(data).to_vec(),
            (Signer::Rsa { s256, .. }, DigestAlg::Sha256) => s256.sign(data).to_vec(),
            // ECDSA signers here always hash with SHA-256 (callers never ask for SHA-1).
            (Signer::Ec(k), _) => {
                let sig: p256::ecdsa::Signature = k.sign(data);
                sig.to_der().to_vec()
            }
        }
    }

    /// DER AlgorithmIdentifier for the SignerInfo's signatureAlgorithm.
    pub fn signature_alg_id(&self, digest: DigestAlg) -> Vec<u8> {
        match self.signer {
            // rsaEncryption with NULL parameters, as Aruba and most providers write it.
            Signer::Rsa { .. } => {
                let _ = digest;
                seq(&[&crate::util::oid(&const_oid::db::rfc5912::RSA_ENCRYPTION), &[0x05, 0x00]])
            }
            Signer::Ec(_) => seq(&[&crate::util::oid(&const_oid::db::rfc5912::ECDSA_WITH_SHA_256)]),
        }
    }

    /// The digest a signer of this key type can use for a requested `micalg`.
    pub fn effective_digest(&self, wanted: DigestAlg) -> DigestAlg {
        match self.alg {
            KeyAlg::Rsa2048 => wanted,
            KeyAlg::EcP256 => DigestAlg::Sha256,
        }
    }

    pub fn cert_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.cert_der).into()
    }
}

/// What a provider signer certificate looks like.
pub struct SignerSpec<'a> {
    pub label: &'a str,
    /// RFC 4514 subject, e.g. `CN=Posta Certificata ARUBA PEC,O=Aruba PEC S.p.A.,C=IT`.
    pub subject: &'a str,
    pub email: &'a str,
    pub alg: KeyAlg,
}

pub struct Pki {
    pub root_der: Vec<u8>,
    pub intermediate_der: Vec<u8>,
    pub qualified_ca_der: Vec<u8>,
    /// One per provider, in the order of the specs given to [`Pki::build`].
    pub providers: Vec<Identity>,
    /// The natural person who signs `.p7m` attachments (CAdES-BES).
    pub qualified: Identity,
    /// Fault material, per provider: the same key with a certificate that expired in 2015
    /// (before any corpus message is signed), and a self-signed certificate with the real
    /// subject (a chain ending in an untrusted root).
    pub expired: Vec<Identity>,
    pub rogue: Vec<Identity>,
}

static KEYGENS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many keys this process has generated (not loaded): tests use it to prove keys are
/// made once per run, never per message.
pub fn keygen_count() -> usize {
    KEYGENS.load(std::sync::atomic::Ordering::Relaxed)
}

fn key_memo() -> &'static Mutex<HashMap<String, PrivKey>> {
    static MEMO: OnceLock<Mutex<HashMap<String, PrivKey>>> = OnceLock::new();
    MEMO.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Returns the key for (seed, label): from the process memo, the disk cache, or freshly
/// generated from a seed-derived RNG (deterministic: same seed, same key).
fn key_for(seed: u64, label: &str, alg: KeyAlg, cache: Option<&Path>) -> PrivKey {
    let memo_key = format!("{seed}/{label}/{alg:?}");
    if let Some(k) = key_memo().lock().expect("memo").get(&memo_key) {
        return k.clone();
    }
    let file = cache.map(|d| d.join(format!("{label}-{seed:016x}.p8")));
    let mut key = None;
    if let Some(f) = &file {
        if let Ok(bytes) = std::fs::read(f) {
            key = match alg {
                KeyAlg::Rsa2048 => RsaPrivateKey::from_pkcs8_der(&bytes).ok().map(PrivKey::Rsa),
                KeyAlg::EcP256 => p256::SecretKey::from_pkcs8_der(&bytes).ok().map(PrivKey::Ec),
            };
        }
    }
    let key = key.unwrap_or_else(|| {
        KEYGENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut rng = crate::util::derive_rng(seed, &format!("key/{label}"), 0);
        let k = match alg {
            KeyAlg::Rsa2048 => PrivKey::Rsa(RsaPrivateKey::new(&mut rng, 2048).expect("rsa keygen")),
            KeyAlg::EcP256 => PrivKey::Ec(p256::SecretKey::random(&mut rng)),
        };
        if let Some(f) = &file {
            let der = match &k {
                PrivKey::Rsa(r) => r.to_pkcs8_der().map(|d| d.as_bytes().to_vec()),
                PrivKey::Ec(e) => e.to_pkcs8_der().map(|d| d.as_bytes().to_vec()),
            };
            if let (Ok(der), Some(dir)) = (der, f.parent()) {
                // Best effort: a missing cache only costs time.
                let _ = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(f, der));
            }
        }
        k
    });
    key_memo().lock().expect("memo").insert(memo_key, key.clone());
    key
}

fn spki_of(k: &PrivKey) -> SubjectPublicKeyInfoOwned {
    match k {
        PrivKey::Rsa(r) => SubjectPublicKeyInfoOwned::from_key(r.to_public_key()).expect("spki"),
        PrivKey::Ec(e) => SubjectPublicKeyInfoOwned::from_key(e.public_key()).expect("spki"),
    }
}

fn rsa_issuer(k: &PrivKey) -> rsa::pkcs1v15::SigningKey<Sha256> {
    match k {
        PrivKey::Rsa(r) => rsa::pkcs1v15::SigningKey::<Sha256>::new(r.clone()),
        PrivKey::Ec(_) => unreachable!("all CAs of the test PKI are RSA"),
    }
}

fn validity(from: (u16, u8, u8), to: (u16, u8, u8)) -> Validity {
    let t = |(y, m, d): (u16, u8, u8)| {
        Time::UtcTime(
            der::asn1::UtcTime::from_date_time(der::DateTime::new(y, m, d, 9, 0, 0).expect("date"))
                .expect("utctime"),
        )
    };
    Validity { not_before: t(from), not_after: t(to) }
}

/// A raw DER extension (value pre-encoded), for the few the builder has no type for.
macro_rules! raw_ext {
    ($name:ident, $oid:expr) => {
        struct $name(Vec<u8>);
        impl AssociatedOid for $name {
            const OID: ObjectIdentifier = ObjectIdentifier::new_unwrap($oid);
        }
        impl der::Encode for $name {
            fn encoded_len(&self) -> der::Result<der::Length> {
                der::Length::try_from(self.0.len())
            }
            fn encode(&self, w: &mut impl der::Writer) -> der::Result<()> {
                w.write(&self.0)
            }
        }
        impl x509_cert::ext::AsExtension for $name {
            fn critical(&self, _: &Name, _: &[x509_cert::ext::Extension]) -> bool {
                false
            }
        }
    };
}
raw_ext!(CertPolicies, "2.5.29.32");
raw_ext!(QcStatements, "1.3.6.1.5.5.7.1.3");

fn policy(oid_str: &str) -> CertPolicies {
    let o = ObjectIdentifier::new_unwrap(oid_str);
    CertPolicies(seq(&[&seq(&[&crate::util::oid(&o)])]))
}

fn finish(cert: Certificate) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let der = cert.to_der().expect("cert der");
    let issuer = cert.tbs_certificate.issuer.to_der().expect("name der");
    let serial = cert.tbs_certificate.serial_number.to_der().expect("serial der");
    (der, issuer, serial)
}

fn serial(seed: u64, label: &str) -> SerialNumber {
    // 8 random-looking bytes with the top bit clear: positive, like real CA serials.
    let h = Sha256::digest(format!("{seed}/serial/{label}").as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    b[0] = (b[0] & 0x7f) | 0x01;
    SerialNumber::new(&b).expect("serial")
}

fn identity(label: &str, key: PrivKey, alg: KeyAlg, der: Vec<u8>, issuer: Vec<u8>, serial: Vec<u8>, ca: &[u8]) -> Identity {
    let signer = match key {
        PrivKey::Rsa(r) => Signer::Rsa {
            s1: rsa::pkcs1v15::SigningKey::<Sha1>::new(r.clone()),
            s256: rsa::pkcs1v15::SigningKey::<Sha256>::new(r),
        },
        PrivKey::Ec(e) => Signer::Ec(p256::ecdsa::SigningKey::from(e)),
    };
    Identity {
        label: label.to_string(),
        signer,
        alg,
        issuer_and_serial: seq(&[&issuer, &serial]),
        issuer_name_der: issuer,
        serial_der: serial,
        chain_der: vec![der.clone(), ca.to_vec()],
        cert_der: der,
    }
}

impl Pki {
    /// Builds the whole PKI. `cache` is where keys are cached (`<out>/keys`), if anywhere.
    pub fn build(seed: u64, specs: &[SignerSpec<'_>], cache: Option<&Path>) -> Pki {
        let root_key = key_for(seed, "root", KeyAlg::Rsa2048, cache);
        let root_signer = rsa_issuer(&root_key);
        let root_name = Name::from_str("CN=Cartolina Test Root CA,O=Cartolina Test S.p.A./00000000000,L=Milano,C=IT").expect("name");
        let root = CertificateBuilder::new(
            Profile::Root,
            serial(seed, "root"),
            validity((2011, 9, 22), (2045, 9, 22)),
            root_name.clone(),
            spki_of(&root_key),
            &root_signer,
        )
        .expect("root builder")
        .build::<rsa::pkcs1v15::Signature>()
        .expect("root cert");
        let (root_der, ..) = finish(root);

        let ca_subca = |label: &str, subject: &str| -> (PrivKey, Name, Vec<u8>) {
            let key = key_for(seed, label, KeyAlg::Rsa2048, cache);
            let name = Name::from_str(subject).expect("name");
            let mut b = CertificateBuilder::new(
                Profile::SubCA { issuer: root_name.clone(), path_len_constraint: Some(0) },
                serial(seed, label),
                validity((2016, 4, 4), (2044, 4, 3)),
                name.clone(),
                spki_of(&key),
                &root_signer,
            )
            .expect("subca builder");
            b.add_extension(&policy("2.5.29.32.0")).expect("policy");
            let cert = b.build::<rsa::pkcs1v15::Signature>().expect("subca cert");
            (key, name, finish(cert).0)
        };
        let (int_key, int_name, intermediate_der) = ca_subca(
            "intermediate",
            "CN=Test AgID CA1,OU=Area Soluzioni per la Pubblica Amministrazione,O=Agenzia per l'Italia Digitale,L=Roma,C=IT",
        );
        let (qca_key, qca_name, qualified_ca_der) = ca_subca(
            "qualified-ca",
            "CN=Test InfoCert Firma Qualificata 2,OU=Certificatore Accreditato,O=INFOCERT SPA,2.5.4.97=VATIT-07945211006,C=IT",
        );
        let int_signer = rsa_issuer(&int_key);
        let qca_signer = rsa_issuer(&qca_key);

        let providers = specs
            .iter()
            .map(|s| {
                let key = key_for(seed, s.label, s.alg, cache);
                let mut b = CertificateBuilder::new(
                    Profile::Leaf { issuer: int_name.clone(), enable_key_agreement: false, enable_key_encipherment: false },
                    serial(seed, s.label),
                    // Long validity on purpose: `openssl smime -verify` checks at *now*, and
                    // every corpus file must verify without -attime.
                    validity((2016, 12, 4), (2044, 12, 3)),
                    Name::from_str(s.subject).expect("provider name"),
                    spki_of(&key),
                    &int_signer,
                )
                .expect("leaf builder");
                b.add_extension(&ExtendedKeyUsage(vec![ID_KP_EMAIL_PROTECTION])).expect("eku");
                b.add_extension(&SubjectAltName(vec![GeneralName::Rfc822Name(Ia5String::new(s.email).expect("ia5"))]))
                    .expect("san");
                // The AgID PEC signing policy OID seen in real provider certificates.
                b.add_extension(&policy("1.3.76.16.3.1.1")).expect("policy");
                let cert = b.build::<rsa::pkcs1v15::Signature>().expect("leaf cert");
                let (der, issuer, ser) = finish(cert);
                identity(s.label, key, s.alg, der, issuer, ser, &intermediate_der)
            })
            .collect();

        let mut expired = Vec::new();
        let mut rogue = Vec::new();
        for s in specs {
            let key = key_for(seed, s.label, s.alg, cache);
            let mut b = CertificateBuilder::new(
                Profile::Leaf { issuer: int_name.clone(), enable_key_agreement: false, enable_key_encipherment: false },
                serial(seed, &format!("{}-expired", s.label)),
                validity((2012, 1, 10), (2015, 1, 10)),
                Name::from_str(s.subject).expect("provider name"),
                spki_of(&key),
                &int_signer,
            )
            .expect("expired builder");
            b.add_extension(&ExtendedKeyUsage(vec![ID_KP_EMAIL_PROTECTION])).expect("eku");
            b.add_extension(&SubjectAltName(vec![GeneralName::Rfc822Name(Ia5String::new(s.email).expect("ia5"))])).expect("san");
            let (der, issuer, ser) = finish(b.build::<rsa::pkcs1v15::Signature>().expect("expired cert"));
            expired.push(identity(s.label, key.clone(), s.alg, der, issuer, ser, &intermediate_der));

            let name = Name::from_str(s.subject).expect("provider name");
            let validity = validity((2016, 12, 4), (2044, 12, 3));
            let ser_no = serial(seed, &format!("{}-rogue", s.label));
            let cert = match &key {
                PrivKey::Rsa(_) => {
                    let signer = rsa_issuer(&key);
                    CertificateBuilder::new(Profile::Root, ser_no, validity, name, spki_of(&key), &signer)
                        .expect("rogue builder")
                        .build::<rsa::pkcs1v15::Signature>()
                }
                PrivKey::Ec(e) => {
                    let signer = p256::ecdsa::SigningKey::from(e.clone());
                    CertificateBuilder::new(Profile::Root, ser_no, validity, name, spki_of(&key), &signer)
                        .expect("rogue builder")
                        .build::<p256::ecdsa::DerSignature>()
                }
            }
            .expect("rogue cert");
            let (der, issuer, ser) = finish(cert);
            let mut id = identity(s.label, key, s.alg, der.clone(), issuer, ser, &[]);
            id.chain_der = vec![der];
            rogue.push(id);
        }

        let q_key = key_for(seed, "qualified-signer", KeyAlg::Rsa2048, cache);
        let mut b = CertificateBuilder::new(
            Profile::Leaf { issuer: qca_name, enable_key_agreement: false, enable_key_encipherment: false },
            serial(seed, "qualified-signer"),
            validity((2016, 6, 1), (2044, 6, 1)),
            Name::from_str("CN=ROSSI MARIO,SN=ROSSI,givenName=MARIO,serialNumber=TINIT-RSSMRA74M18A459G,2.5.4.46=16512345,C=IT")
                .expect("qualified name"),
            spki_of(&q_key),
            &qca_signer,
        )
        .expect("qualified builder");
        // QcStatements: QcCompliance + QcSSCD, as on real qualified certificates.
        let qc = seq(&[
            &seq(&[&crate::util::oid(&ObjectIdentifier::new_unwrap("0.4.0.1862.1.1"))]),
            &seq(&[&crate::util::oid(&ObjectIdentifier::new_unwrap("0.4.0.1862.1.4"))]),
        ]);
        b.add_extension(&QcStatements(qc)).expect("qc");
        b.add_extension(&policy("1.3.76.36.1.1.2")).expect("policy");
        let (der, issuer, ser) = finish(b.build::<rsa::pkcs1v15::Signature>().expect("qualified cert"));
        let qualified = identity("qualified-signer", q_key, KeyAlg::Rsa2048, der, issuer, ser, &qualified_ca_der);

        Pki { root_der, intermediate_der, qualified_ca_der, providers, qualified, expired, rogue }
    }
}

/// PEM armour (64 columns) for writing trust anchors.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).expect("ascii"));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// Keeps `tlv` referenced for callers that build ad-hoc structures from this module.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}
