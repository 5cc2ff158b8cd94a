//! CMS SignedData (RFC 5652): parsing and per-signer verification.
//!
//! The outer structure is walked with [`crate::asn1`] so that raw bytes survive
//! (signed attributes are hashed as received, with the IMPLICIT `[0]` tag swapped for the
//! `SET OF` tag 0x31 as RFC 5652 5.4 requires); `cms` decodes each SignerInfo and
//! `x509-cert` each certificate.

use cms::signed_data::{SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};

use crate::algorithms::{verify_signature, DigestAlgorithm, SigError};
use crate::asn1;
use crate::attrs::{self, OID_COUNTERSIGNATURE};
use crate::certs::Cert;
use crate::chain;
use crate::error::{Error, Result};
use crate::limits::{MAX_CMS_CERTIFICATES, MAX_COUNTERSIGNATURE_DEPTH, MAX_EXTRA_VERIFICATIONS, MAX_INPUT_BYTES, MAX_SIGNERS};
use crate::trust::TrustStore;
use crate::verdict::{CertBinding, Integrity, SignatureReport, SignerReport, TimeSource, Trust, TrustStatus};

pub const OID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub const OID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");

/// Caller-supplied context for verification.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Time (Unix seconds) to validate at when the signer has no `signingTime`
    /// attribute; for PEC, the daticert time.
    pub fallback_time: Option<u64>,
    /// "Now" (Unix seconds), for `expired_since`; defaults to the system clock.
    /// Also the validation time of last resort.
    pub now: Option<u64>,
}

impl VerifyOptions {
    fn now(&self) -> u64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
        })
    }
}

/// One SignerInfo with the raw bytes of its signed attributes (already re-tagged 0x31).
#[derive(Debug, Clone)]
pub struct RawSigner {
    pub info: SignerInfo,
    pub signed_attrs_der: Option<Vec<u8>>,
}

/// A parsed SignedData. The encapsulated content borrows from the input (no copy of a
/// large `.p7m` payload) unless the input had to be normalised from BER.
#[derive(Debug, Clone)]
pub struct SignedData<'a> {
    pub econtent_type: Oid,
    /// The encapsulated content; `None` for a detached signature.
    pub econtent: Option<std::borrow::Cow<'a, [u8]>>,
    pub certificates: Vec<Cert>,
    /// CRLs carried in the SignedData (`crls [1]`), used like imported ones.
    pub crls: Vec<crate::crl::Crl>,
    pub signers: Vec<RawSigner>,
    /// SignerInfos that could not be decoded (reported as broken signers, so that one
    /// malformed signer does not hide the verdicts of the others).
    pub unreadable_signers: Vec<String>,
    pub warnings: Vec<String>,
}

/// Parses a ContentInfo holding SignedData, DER or BER.
pub fn parse(input: &[u8]) -> Result<SignedData<'_>> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge { what: "CMS input", size: input.len(), limit: MAX_INPUT_BYTES });
    }
    let mut warnings = Vec::new();
    let normalised;
    let normalised_used = asn1::needs_normalising(input);
    let der = if normalised_used {
        normalised = asn1::ber_to_der(input)?;
        warnings.push("BER encoding normalised to DER".to_string());
        &normalised[..]
    } else {
        input
    };
    let ci = asn1::read_one(der, 0x30)?;
    let ci_fields = asn1::children(ci.value)?;
    let (Some(ct), Some(explicit)) = (ci_fields.first(), ci_fields.get(1)) else {
        return Err(Error::NotSignedData("ContentInfo has no content".into()));
    };
    asn1::expect_tag(ct, 0x06)?;
    let ct = Oid::from_bytes(ct.value).map_err(|e| Error::Malformed(e.to_string()))?;
    if ct != OID_SIGNED_DATA {
        return Err(Error::NotSignedData(format!("content type {ct}")));
    }
    asn1::expect_tag(explicit, 0xA0)?;
    let sd = asn1::read_one(explicit.value, 0x30)?;
    let fields = asn1::children(sd.value)?;
    if fields.len() < 4 {
        return Err(Error::Malformed("SignedData has too few fields".into()));
    }
    // version, digestAlgorithms, encapContentInfo, [0] certs?, [1] crls?, signerInfos
    let encap = &fields[2];
    asn1::expect_tag(encap, 0x30)?;
    let encap_fields = asn1::children(encap.value)?;
    let etype = encap_fields.first().ok_or_else(|| Error::Malformed("empty encapContentInfo".into()))?;
    asn1::expect_tag(etype, 0x06)?;
    let econtent_type = Oid::from_bytes(etype.value).map_err(|e| Error::Malformed(e.to_string()))?;
    let econtent = match encap_fields.get(1) {
        Some(e) => {
            asn1::expect_tag(e, 0xA0)?;
            let inner = asn1::read(e.value)?.0;
            // RFC 5652 wraps eContent in an OCTET STRING; PKCS#7 v1.5 allowed any type,
            // whose value octets are what was digested.
            Some(if normalised_used {
                std::borrow::Cow::Owned(inner.value.to_vec())
            } else {
                // Not normalised: `der` is `input`, so the value is a sub-slice of it.
                let off = inner.value.as_ptr() as usize - input.as_ptr() as usize;
                std::borrow::Cow::Borrowed(&input[off..off + inner.value.len()])
            })
        }
        None => None,
    };
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut signer_set = None;
    for f in &fields[3..] {
        match f.tag {
            0xA0 => {
                for c in asn1::children(f.value)? {
                    if c.tag != 0x30 {
                        continue; // attribute certificates and other formats: not used
                    }
                    if certificates.len() >= MAX_CMS_CERTIFICATES {
                        warnings.push(format!("more than {MAX_CMS_CERTIFICATES} certificates: the rest ignored"));
                        break;
                    }
                    match Cert::from_der(c.raw) {
                        Ok(cert) => certificates.push(cert),
                        Err(e) => warnings.push(format!("unreadable certificate ignored: {e}")),
                    }
                }
            }
            0xA1 => {
                // Embedded CRLs count only if signed by the issuer, like imported ones.
                for c in asn1::children(f.value)?.iter().filter(|c| c.tag == 0x30).take(MAX_CMS_CERTIFICATES) {
                    match crate::crl::Crl::from_der(c.raw) {
                        Ok(crl) => crls.push(crl),
                        Err(e) => warnings.push(format!("unreadable embedded CRL ignored: {e}")),
                    }
                }
            }
            0x31 => signer_set = Some(*f),
            t => return Err(Error::Malformed(format!("unexpected SignedData field tag {t:#04x}"))),
        }
    }
    let signer_set = signer_set.ok_or_else(|| Error::Malformed("no signerInfos".into()))?;
    let mut signers = Vec::new();
    let mut unreadable_signers = Vec::new();
    for s in asn1::children(signer_set.value)? {
        if signers.len() + unreadable_signers.len() >= MAX_SIGNERS {
            return Err(Error::TooLarge { what: "signers", size: signers.len() + 1, limit: MAX_SIGNERS });
        }
        match parse_signer_info(s.raw) {
            Ok(si) => signers.push(si),
            Err(e) => unreadable_signers.push(e.to_string()),
        }
    }
    Ok(SignedData { econtent_type, econtent, certificates, crls, signers, unreadable_signers, warnings })
}

/// Decodes one SignerInfo, keeping the signed attributes' bytes as received.
pub fn parse_signer_info(raw: &[u8]) -> Result<RawSigner> {
    let info = SignerInfo::from_der(raw)?;
    let outer = asn1::read_one(raw, 0x30)?;
    let signed_attrs_der = asn1::children(outer.value)?.iter().find(|f| f.tag == 0xA0).map(|f| {
        let mut v = f.raw.to_vec();
        v[0] = 0x31; // IMPLICIT [0] -> SET OF (RFC 5652 5.4)
        v
    });
    Ok(RawSigner { info, signed_attrs_der })
}

fn find_signer_cert<'a>(sid: &SignerIdentifier, pools: &[&'a [Cert]]) -> Option<&'a Cert> {
    let all = || pools.iter().flat_map(|p| p.iter());
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            let issuer = ias.issuer.to_der().ok()?;
            all().find(|c| c.issuer == issuer && c.serial_bytes() == ias.serial_number.as_bytes())
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            let id = ski.0.as_bytes();
            all().find(|c| c.ski.as_deref() == Some(id) || c.key_id_sha1() == id)
        }
    }
}

/// Verifies every signer of `sd`. `detached` is the signed content for a detached
/// signature (already canonicalised by the caller where that applies).
pub fn verify(sd: &SignedData<'_>, detached: Option<&[u8]>, store: &TrustStore, opts: &VerifyOptions) -> SignatureReport {
    verify_inner(sd, detached, &[], store, opts, false)
}

/// For SignedData found inside a signature (time-stamp tokens): its own time-stamps
/// are not followed, which bounds the recursion. `outer_certs` (those of the enclosing
/// signature) may complete the TSA's chain.
pub(crate) fn verify_nested(sd: &SignedData<'_>, outer_certs: &[Cert], store: &TrustStore, opts: &VerifyOptions) -> SignatureReport {
    verify_inner(sd, None, outer_certs, store, opts, true)
}

fn verify_inner(
    sd: &SignedData<'_>,
    detached: Option<&[u8]>,
    outer_certs: &[Cert],
    store: &TrustStore,
    opts: &VerifyOptions,
    nested: bool,
) -> SignatureReport {
    let content = sd.econtent.as_deref().or(detached);
    let pool: Vec<Cert>;
    let certs = if outer_certs.is_empty() {
        &sd.certificates[..]
    } else {
        pool = sd.certificates.iter().chain(outer_certs).cloned().collect();
        &pool[..]
    };
    let budget = std::cell::Cell::new(MAX_EXTRA_VERIFICATIONS);
    let ctx = Ctx { certs, crls: &sd.crls, store, opts, nested, budget: &budget };
    let mut signers: Vec<SignerReport> = sd
        .signers
        .iter()
        .map(|s| verify_signer(&ctx, s, content, Some(&sd.econtent_type), 0))
        .collect();
    for why in &sd.unreadable_signers {
        signers.push(SignerReport {
            integrity: Integrity::Broken,
            integrity_reason: Some(format!("unreadable SignerInfo: {why}")),
            trust: Trust::simple(TrustStatus::Indeterminate, "unreadable SignerInfo"),
            certificate: None,
            signing_time: None,
            digest_algorithm: None,
            signature_algorithm: None,
            weak_algorithm: false,
            signing_certificate: CertBinding::Absent,
            countersignatures: Vec::new(),
            timestamps: Vec::new(),
            warnings: Vec::new(),
        });
    }
    let mut warnings = sd.warnings.clone();
    if sd.econtent.is_some() && detached.is_some() {
        warnings.push("signature has encapsulated content: the separate data was ignored".into());
    }
    SignatureReport::from_signers(signers, sd.econtent_type.to_string(), warnings)
}

struct Ctx<'a> {
    nested: bool,
    /// Counter-signatures and time-stamps left to verify in this SignedData.
    budget: &'a std::cell::Cell<usize>,
    certs: &'a [Cert],
    crls: &'a [crate::crl::Crl],
    store: &'a TrustStore,
    opts: &'a VerifyOptions,
}

fn broken(r: &mut SignerReport, why: impl Into<String>) {
    if r.integrity != Integrity::Broken {
        r.integrity = Integrity::Broken;
        r.integrity_reason = Some(why.into());
    }
}

/// `expected_ct`: the eContentType for a signer, `None` for a counter-signature
/// (which must not carry contentType).
fn verify_signer(ctx: &Ctx<'_>, s: &RawSigner, content: Option<&[u8]>, expected_ct: Option<&Oid>, depth: usize) -> SignerReport {
    let info = &s.info;
    let mut r = SignerReport {
        integrity: Integrity::Intact,
        integrity_reason: None,
        trust: Trust::simple(TrustStatus::Indeterminate, "not evaluated"),
        certificate: None,
        signing_time: None,
        digest_algorithm: DigestAlgorithm::from_oid(&info.digest_alg.oid),
        signature_algorithm: None,
        weak_algorithm: false,
        signing_certificate: CertBinding::Absent,
        countersignatures: Vec::new(),
        timestamps: Vec::new(),
        warnings: Vec::new(),
    };
    let now = ctx.opts.now();
    let cert = find_signer_cert(&info.sid, &[ctx.certs, &ctx.store.anchors, &ctx.store.intermediates]);
    if let Some(c) = cert {
        r.certificate = Some(c.summary(now));
    }
    let signed = s.signed_attrs_der.as_ref().zip(info.signed_attrs.as_ref());
    let parsed_attrs = signed.map(|(_, a)| attrs::parse(a.as_slice()));
    if let Some(a) = &parsed_attrs {
        r.signing_time = a.signing_time.map(crate::certs::format_time);
        if a.signing_time.is_some_and(|t| t > now + 300) {
            r.warnings.push("signingTime is in the future".into());
        }
        r.warnings.extend(a.problems.iter().cloned());
    }

    check_integrity(&mut r, info, s, parsed_attrs.as_ref(), cert, content, expected_ct);
    r.weak_algorithm = r.digest_algorithm.is_some_and(DigestAlgorithm::is_weak);

    // Trust, independent of integrity (a broken signature still has a signer to show).
    r.trust = match cert {
        None => Trust::simple(TrustStatus::Indeterminate, "signer certificate not found"),
        Some(c) => {
            let (time, source) = match (parsed_attrs.as_ref().and_then(|a| a.signing_time), ctx.opts.fallback_time) {
                (Some(t), _) => (t, TimeSource::SigningTime),
                (None, Some(t)) => (t, TimeSource::Caller),
                (None, None) => (now, TimeSource::Now),
            };
            trust_for(c, ctx, time, source, now)
        }
    };

    // Signature time-stamps (CAdES-T) cover this signer's signature value.
    if let Some(unsigned) = info.unsigned_attrs.as_ref().filter(|_| !ctx.nested) {
        for a in unsigned.iter().filter(|a| a.oid == crate::timestamp::OID_SIGNATURE_TIMESTAMP) {
            for v in a.values.iter() {
                if !take_budget(ctx, &mut r) {
                    break;
                }
                match v.to_der() {
                    Ok(d) => r.timestamps.push(crate::timestamp::verify(&d, info.signature.as_bytes(), ctx.certs, ctx.store, ctx.opts)),
                    Err(e) => r.warnings.push(format!("unreadable time-stamp: {e}")),
                }
            }
        }
    }

    // Counter-signatures sign this signer's signature value.
    if let Some(unsigned) = &info.unsigned_attrs {
        for a in unsigned.iter().filter(|a| a.oid == OID_COUNTERSIGNATURE) {
            for v in a.values.iter() {
                if depth + 1 > MAX_COUNTERSIGNATURE_DEPTH {
                    r.warnings.push("counter-signatures nested too deep: not verified".into());
                    break;
                }
                if !take_budget(ctx, &mut r) {
                    break;
                }
                match v.to_der().map_err(Error::from).and_then(|d| parse_signer_info(&d)) {
                    Ok(cs) => r.countersignatures.push(verify_signer(ctx, &cs, Some(info.signature.as_bytes()), None, depth + 1)),
                    Err(e) => r.warnings.push(format!("unreadable counter-signature: {e}")),
                }
            }
        }
    }
    r
}

/// One more counter-signature or time-stamp may be verified (see
/// [`MAX_EXTRA_VERIFICATIONS`]); otherwise a warning says the rest was skipped.
fn take_budget(ctx: &Ctx<'_>, r: &mut SignerReport) -> bool {
    match ctx.budget.get().checked_sub(1) {
        Some(left) => {
            ctx.budget.set(left);
            true
        }
        None => {
            r.warnings.push(format!("more than {MAX_EXTRA_VERIFICATIONS} counter-signatures/time-stamps: the rest not verified"));
            false
        }
    }
}

fn check_integrity(
    r: &mut SignerReport,
    info: &SignerInfo,
    s: &RawSigner,
    attrs: Option<&attrs::SignedAttrs>,
    cert: Option<&Cert>,
    content: Option<&[u8]>,
    expected_ct: Option<&Oid>,
) {
    let Some(cert) = cert else {
        return broken(r, "signer certificate not found: the signature cannot be checked");
    };
    let Some(digest) = r.digest_algorithm else {
        return broken(r, format!("unsupported digest algorithm {}", info.digest_alg.oid));
    };
    let Some(content) = content else {
        r.integrity = Integrity::Detached;
        r.integrity_reason = Some("detached signature: the signed data was not supplied".into());
        return;
    };
    let spki = &cert.parsed.tbs_certificate.subject_public_key_info;
    let signature = info.signature.as_bytes();
    let message: &[u8] = match (s.signed_attrs_der.as_deref(), attrs) {
        (Some(raw), Some(a)) => {
            match (expected_ct, a.content_type.as_slice()) {
                (Some(want), [got]) if got == want => {}
                (Some(want), [got]) => return broken(r, format!("contentType attribute {got} differs from content {want}")),
                (Some(_), _) => return broken(r, "signed attributes lack exactly one contentType"),
                (None, []) => {}
                (None, _) => r.warnings.push("counter-signature carries contentType".into()),
            }
            let [md] = a.message_digest.as_slice() else {
                return broken(r, "signed attributes lack exactly one messageDigest");
            };
            if digest.digest(content) != *md {
                return broken(r, "message digest does not match the content");
            }
            check_binding(r, a, cert);
            raw
        }
        _ => content,
    };
    match verify_signature(spki, &info.signature_algorithm, Some(digest), message, signature) {
        Ok(v) => {
            r.signature_algorithm = Some(v.scheme);
            if v.digest.is_weak() {
                r.weak_algorithm = true;
            }
            if v.weak_key() {
                r.weak_algorithm = true;
                r.warnings.push(format!("weak key: RSA {} bits", v.key_bits));
            }
        }
        Err(SigError::Invalid) => broken(r, "signature value does not match"),
        Err(e) => broken(r, e.to_string()),
    }
}

/// ESS signingCertificate(V2): the signed hash must be the signer certificate's.
fn check_binding(r: &mut SignerReport, a: &attrs::SignedAttrs, cert: &Cert) {
    let Some((id, name)) = a
        .signing_certificate_v2
        .as_ref()
        .map(|i| (i, "signingCertificateV2"))
        .or(a.signing_certificate.as_ref().map(|i| (i, "signingCertificate")))
    else {
        return;
    };
    let Some(alg) = id.algorithm else {
        r.warnings.push(format!("{name} uses an unsupported hash: not checked"));
        return;
    };
    if alg.digest(&cert.der) == id.hash {
        r.signing_certificate = CertBinding::Matches;
    } else {
        r.signing_certificate = CertBinding::Mismatch;
        broken(r, format!("{name} does not match the signer certificate"));
    }
}

fn trust_for(c: &Cert, ctx: &Ctx<'_>, time: u64, source: TimeSource, now: u64) -> Trust {
    let mut t = match chain::build_path(c, ctx.certs, ctx.crls, ctx.store, time) {
        Ok(path) => {
            let anchor = path.certs.last().map(Cert::subject_string);
            let mut t = Trust::simple(
                TrustStatus::Trusted,
                format!("chain to trust anchor {} valid at {}", anchor.as_deref().unwrap_or("?"), crate::certs::format_time(time)),
            );
            t.chain = path.certs.iter().map(Cert::subject_string).collect();
            t.anchor = anchor;
            t.revocation = path.revocation;
            t.notes = path.notes;
            t
        }
        Err(e) => Trust::simple(e.status(), e.reason()),
    };
    t.validation_time = Some(crate::certs::format_time(time));
    t.validation_time_source = Some(source);
    if source == TimeSource::Now {
        t.notes.push("no signing time: validated at the current time".into());
    }
    if c.not_after < now {
        t.notes.push(format!("certificate expired since {}", crate::certs::format_date(c.not_after)));
    }
    t
}
