//! The trust store of the app: the bundled PEC anchors plus what the user imported into
//! the archive folder's `trust/` (certificates, CRLs, Trusted Lists), as the verifier
//! uses it and as Settings lists it.
//!
//! A certificate is one anchor however often it was imported: the demo and a forge
//! corpus both bring the same test root, a PEM and a DER file can hold the same
//! certificate. Imports skip a certificate already there (by SHA-256 fingerprint) and
//! store each new one in a file of its own (`anchor-<fingerprint>.der`), the list shows
//! each fingerprint once, and removing an anchor removes it from every file holding it.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value as Json};
use verify::certs::Cert;

use crate::state::AppState;

/// Ids of imported anchors start here (below: the bundled ones, which cannot be removed).
const USER_ID_BASE: i64 = 1000;

fn is_tsl(bytes: &[u8]) -> bool {
    bytes.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'<')
}

fn is_crl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "crl")
}

/// Every file in the user's trust folder, sorted (the order anchors are listed in).
fn user_files(st: &AppState) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(st.trust_dir())
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".tmp")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Anchor and Trusted List files: what the archive's verifier is given (`scanner`).
pub fn anchor_files(st: &AppState) -> Vec<PathBuf> {
    user_files(st).into_iter().filter(|p| !is_crl(p)).collect()
}

/// The store for verifying, built once and kept until an import or a removal.
pub fn store(st: &AppState) -> Arc<verify::TrustStore> {
    let mut cached = st.trust.lock().unwrap();
    if let Some(s) = cached.as_ref() {
        return s.clone();
    }
    let mut s = verify::TrustStore::with_bundled_anchors();
    for f in user_files(st) {
        let Ok(b) = std::fs::read(&f) else { continue };
        // A file that does not parse was not written by an import: skipped, not fatal.
        let _ = if is_crl(&f) {
            s.add_crls(&b).map(|_| ())
        } else if is_tsl(&b) {
            s.add_trusted_list(&b).map(|_| ())
        } else {
            s.add_anchors(&b).map(|_| ())
        };
    }
    let s = Arc::new(s);
    *cached = Some(s.clone());
    s
}

/// The trust folder changed: the next verification reads it again.
fn changed(st: &AppState) {
    *st.trust.lock().unwrap() = None;
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An imported anchor's id: from its fingerprint, so it names the same certificate
/// whatever was imported or removed in between (48 bits: exact in a JS number).
fn user_id(c: &Cert) -> i64 {
    let n = c.fingerprint[..6].iter().fold(0i64, |n, b| (n << 8) | i64::from(*b));
    USER_ID_BASE + n
}

/// The imported certificates (not those of Trusted Lists), each fingerprint once, with
/// the files holding them.
fn user_anchors(st: &AppState) -> Vec<(Cert, Vec<PathBuf>)> {
    let mut out: Vec<(Cert, Vec<PathBuf>)> = Vec::new();
    for f in user_files(st) {
        if is_crl(&f) {
            continue;
        }
        let Ok(b) = std::fs::read(&f) else { continue };
        if is_tsl(&b) {
            continue;
        }
        for c in verify::certs::parse_certificates(&b).unwrap_or_default() {
            match out.iter_mut().find(|(x, _)| x.fingerprint == c.fingerprint) {
                Some((_, files)) => files.push(f.clone()),
                None => out.push((c, vec![f.clone()])),
            }
        }
    }
    out
}

/// `get_trust_store`: anchors (bundled, then imported, each certificate once), CRLs and
/// the Trusted List.
pub fn view(st: &AppState, now: u64) -> Json {
    let anchor = |id: i64, c: &Cert, origin: &str| {
        let s = c.summary(now);
        json!({ "id": id, "subject": s.subject, "common_name": s.common_name.unwrap_or_else(|| s.subject.clone()), "not_after": s.not_after,
                "sha256_fingerprint": s.sha256_fingerprint, "origin": origin })
    };
    let bundled = verify::TrustStore::with_bundled_anchors();
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut anchors = Vec::new();
    for (i, c) in bundled.anchors().iter().enumerate() {
        if seen.insert(c.fingerprint) {
            anchors.push(anchor(i as i64 + 1, c, "bundled"));
        }
    }
    for (c, _) in user_anchors(st) {
        if seen.insert(c.fingerprint) {
            anchors.push(anchor(user_id(&c), &c, "user"));
        }
    }
    let mut crls = Vec::new();
    let mut tsl = Json::Null;
    for f in user_files(st) {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        if is_crl(&f) {
            for c in verify::crl::Crl::parse_all(&bytes).unwrap_or_default() {
                let s = c.summary();
                crls.push(json!({ "id": crls.len() + 1, "issuer": s.issuer, "this_update": s.this_update,
                                  "next_update": s.next_update, "entries": s.entries }));
            }
        } else if is_tsl(&bytes) {
            let mut s = verify::TrustStore::empty();
            if let Ok(sum) = s.add_trusted_list(&bytes) {
                tsl = json!({ "territory": sum.territory.unwrap_or_default(), "sequence_number": null, "issue_date": sum.issue_date,
                              "next_update": null, "services": sum.services_accepted });
            }
        }
    }
    json!({ "anchors": anchors, "crls": crls, "tsl": tsl })
}

/// Write `bytes` to `dir/name` unless it is there (a temporary file, then a rename).
fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<bool, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dest = dir.join(name);
    if dest.exists() {
        return Ok(false);
    }
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(true)
}

/// Import the certificates in `bytes` (DER, or PEM with one or more) as anchors: each
/// new one in a file of its own, one already trusted (bundled or imported) skipped.
/// Returns (added, skipped).
pub fn import_anchors(st: &AppState, bytes: &[u8]) -> Result<(u64, u64), String> {
    let certs = verify::certs::parse_certificates(bytes).map_err(|e| e.to_string())?;
    let mut known: HashSet<[u8; 32]> = verify::TrustStore::with_bundled_anchors().anchors().iter().map(|c| c.fingerprint).collect();
    known.extend(user_anchors(st).into_iter().map(|(c, _)| c.fingerprint));
    let (mut added, mut skipped) = (0, 0);
    for c in certs {
        if !known.insert(c.fingerprint) {
            skipped += 1;
            continue;
        }
        if write_new(&st.trust_dir(), &format!("anchor-{}.der", hex(&c.fingerprint)), &c.der)? {
            added += 1;
        } else {
            skipped += 1;
        }
    }
    changed(st);
    Ok((added, skipped))
}

/// `import_trust`: certificates, CRLs or a Trusted List, each file checked first.
pub fn import(st: &AppState, kind: &str, files: &[(String, Vec<u8>)]) -> Json {
    let (mut added, mut skipped, mut errors) = (0u64, 0u64, Vec::<String>::new());
    for (p, bytes) in files {
        let r = match kind {
            "certificate" => import_anchors(st, bytes),
            "crl" | "tsl" => {
                let mut probe = verify::TrustStore::empty();
                let checked = if kind == "crl" { probe.add_crls(bytes).map(|_| ()) } else { probe.add_trusted_list(bytes).map(|_| ()) };
                checked.map_err(|e| e.to_string()).and_then(|()| {
                    use sha2::Digest;
                    let h = sha2::Sha256::digest(bytes);
                    let name = format!("{kind}-{}.{}", hex(&h[..8]), if kind == "crl" { "crl" } else { "xml" });
                    let new = write_new(&st.trust_dir(), &name, bytes)?;
                    changed(st);
                    Ok(if new { (1, 0) } else { (0, 1) })
                })
            }
            other => Err(format!("tipo sconosciuto: {other}")),
        };
        match r {
            Ok((a, s)) => {
                added += a;
                skipped += s;
            }
            Err(e) => errors.push(format!("{p}: {}", st.lang().text(&e))),
        }
    }
    json!({ "added": added, "skipped": skipped, "errors": errors })
}

/// `remove_trust_anchor`: the imported certificate with this id, from every file that
/// holds it (the other certificates of a bundle file stay, each in a file of its own).
pub fn remove_anchor(st: &AppState, id: i64) -> Result<(), String> {
    if id < USER_ID_BASE {
        return Err("i certificati inclusi non si possono rimuovere".into());
    }
    let all = user_anchors(st);
    let (target, files) = all.iter().find(|(c, _)| user_id(c) == id).ok_or("certificato sconosciuto")?;
    for f in files {
        let others: Vec<&Cert> = all.iter().filter(|(c, fs)| c.fingerprint != target.fingerprint && fs.contains(f)).map(|(c, _)| c).collect();
        for c in others {
            write_new(&st.trust_dir(), &format!("anchor-{}.der", hex(&c.fingerprint)), &c.der)?;
        }
        std::fs::remove_file(f).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    changed(st);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's test root (a forge corpus brings the same one).
    fn test_root() -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/trust/test-root.pem")).unwrap()
    }

    fn state(dir: &Path) -> AppState {
        AppState::at(dir, std::time::Instant::now())
    }

    fn user_rows(v: &Json) -> Vec<&Json> {
        v["anchors"].as_array().unwrap().iter().filter(|a| a["origin"] == "user").collect()
    }

    #[test]
    fn one_certificate_is_one_anchor_however_often_imported() {
        let dir = std::env::temp_dir().join(format!("cartolina-trust-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let st = state(&dir);
        let pem = test_root();
        assert_eq!(import_anchors(&st, &pem).unwrap(), (1, 0));
        // Again, and as DER: already there.
        assert_eq!(import_anchors(&st, &pem).unwrap(), (0, 1));
        let der = verify::certs::parse_certificates(&pem).unwrap().remove(0).der.clone();
        assert_eq!(import_anchors(&st, &der).unwrap(), (0, 1));
        // A copy written by an older version (the demo's anchor file): listed once.
        std::fs::write(dir.join("trust/demo-test-root.pem"), &pem).unwrap();
        let v = view(&st, 0);
        let rows = user_rows(&v);
        assert_eq!(rows.len(), 1, "{v:#}");
        assert_eq!(rows[0]["sha256_fingerprint"].as_str().unwrap().len(), 64);
        assert!(v["anchors"].as_array().unwrap().iter().any(|a| a["origin"] == "bundled" && a["not_after"] != ""));
        // A bundled anchor is skipped, not added.
        let bundled = verify::TrustStore::with_bundled_anchors().anchors()[0].der.clone();
        assert_eq!(import_anchors(&st, &bundled).unwrap(), (0, 1));
        // Removing it removes every copy; the store no longer has it.
        let id = rows[0]["id"].as_i64().unwrap();
        assert!(store(&st).anchors().iter().any(|c| c.der == der));
        remove_anchor(&st, id).unwrap();
        assert!(user_rows(&view(&st, 0)).is_empty());
        assert!(!store(&st).anchors().iter().any(|c| c.der == der));
        assert!(remove_anchor(&st, 1).is_err(), "bundled anchors stay");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
