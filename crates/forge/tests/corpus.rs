//! End-to-end properties of generated corpora: openssl accepts every signed file of every
//! kind in every format, the manifest tells the truth, stores are well formed.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use forge::Format;
use mail_parser::{MessageParser, MimeHeaders};

const FORMATS: [Format; 3] = [Format::Maildir, Format::Mbox, Format::Eml];
const SIGNED_KINDS: [&str; 9] = [
    "transport",
    "anomaly",
    "acceptance",
    "non-acceptance",
    "taking-charge",
    "delivery",
    "delivery-error",
    "delivery-warning",
    "virus-detected",
];

#[test]
fn openssl_accepts_every_signed_kind_in_every_format() {
    for format in FORMATS {
        let dir = corpus(format);
        let m = manifest(dir);
        let mut by_kind: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for e in file_entries(&m) {
            by_kind.entry(e["kind"].as_str().unwrap().to_string()).or_default().push(e);
        }
        for kind in SIGNED_KINDS {
            let files = by_kind.get(kind).unwrap_or_else(|| panic!("{format:?}: no {kind} file generated"));
            // First three and last two of each kind: covers early (sha1) and late styles.
            let n = files.len();
            let picks: Vec<usize> = (0..n.min(3)).chain(n.saturating_sub(2)..n).collect();
            for i in picks {
                let e = &files[i];
                assert!(e["signed"].as_bool().unwrap());
                let bytes = extract(dir, e);
                if let Err(err) = openssl_smime_verify(dir, &bytes) {
                    panic!("{format:?} {kind} {} rejected by openssl: {err}", e["path"]);
                }
            }
        }
        // Every signed file, not only a sample, on the first format (LF-stored maildir).
        if format == Format::Maildir {
            for e in file_entries(&m).iter().filter(|e| e["signed"].as_bool().unwrap()).step_by(7) {
                openssl_smime_verify(dir, &extract(dir, e)).unwrap_or_else(|err| panic!("{}: {err}", e["path"]));
            }
        }
    }
}

#[test]
fn p7m_attachments_are_cades_bes_accepted_by_openssl_cms() {
    let dir = corpus(Format::Eml);
    let m = manifest(dir);
    let sent_p7m: Vec<_> = file_entries(&m)
        .into_iter()
        .filter(|e| e["kind"] == "plain" && e["has_p7m"].as_bool().unwrap_or(false))
        .collect();
    assert!(!sent_p7m.is_empty(), "no sent message with a .p7m");
    for e in sent_p7m.iter().take(5) {
        let bytes = extract(dir, e);
        let msg = MessageParser::default().parse(&bytes).expect("parse");
        let att = msg
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".p7m")))
            .expect("p7m attachment");
        let f = temp_file(att.contents());
        let out = std::process::Command::new(OPENSSL)
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-CAfile"])
            .arg(dir.join("trust/test-root.pem"))
            .arg("-certfile")
            .arg(dir.join("trust/test-qualified-ca.pem"))
            .arg("-in")
            .arg(f.path())
            .args(["-out", "/dev/null"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", e["path"], String::from_utf8_lossy(&out.stderr));
        // CAdES-BES: signingCertificateV2 among the signed attributes.
        let p = std::process::Command::new(OPENSSL)
            .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
            .arg(f.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&p.stdout);
        for attr in ["contentType", "messageDigest", "signingTime", "id-smime-aa-signingCertificateV2"] {
            assert!(text.contains(attr), "{attr} missing in {}", e["path"]);
        }
    }
}

#[test]
fn line_endings_match_the_store() {
    let dir = corpus(Format::Maildir);
    for p in walk(&dir.join("mail")) {
        let b = std::fs::read(&p).unwrap();
        assert!(!b.contains(&b'\r'), "CR in maildir file {}", p.display());
    }
    let dir = corpus(Format::Eml);
    for p in walk(&dir.join("mail")) {
        let b = std::fs::read(&p).unwrap();
        for (i, c) in b.iter().enumerate() {
            if *c == b'\n' {
                assert!(i > 0 && b[i - 1] == b'\r', "bare LF in {}", p.display());
            }
        }
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains(|c: char| "<>:\"/\\|?*".contains(c) || c.is_control()), "unsafe name {name}");
        assert!(name.ends_with(".eml"));
    }
}

#[test]
fn manifest_is_consistent_with_the_store() {
    for format in FORMATS {
        let dir = corpus(format);
        let m = manifest(dir);
        let messages = m["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 400);
        let mut kinds: HashMap<String, usize> = HashMap::new();
        let mut seen_paths = std::collections::HashSet::new();
        for e in file_entries(&m) {
            let path = e["path"].as_str().unwrap();
            assert!(dir.join(path).is_file(), "{path} listed but missing");
            let key = format!("{path}@{}", e["offset"]);
            assert!(seen_paths.insert(key), "{path} listed twice");
            *kinds.entry(e["kind"].as_str().unwrap().to_string()).or_default() += 1;
        }
        // Every file on disk is listed (mbox: two files hold everything).
        let on_disk = walk(&dir.join("mail"))
            .into_iter()
            .filter(|p| !["subscriptions", "maildirfolder", "dovecot-uidlist"].iter().any(|n| p.ends_with(n)))
            .count();
        if format != Format::Mbox {
            assert_eq!(on_disk, seen_paths.len());
        }
        for msg in messages {
            let files = msg["files"].as_array().unwrap();
            let count = |k: &str| files.iter().filter(|f| f["kind"] == k).count();
            assert_eq!(count("plain"), 1, "one sent copy per message");
            let accepted = msg["accepted"].as_bool().unwrap();
            assert_eq!(count("acceptance"), accepted as usize);
            assert_eq!(count("non-acceptance"), !accepted as usize);
            let rcpts = msg["recipients"].as_array().unwrap();
            assert!((1..=5).contains(&rcpts.len()));
            assert!(rcpts.iter().any(|r| r["type"] == "certificato"));
            for r in rcpts {
                let addr = r["address"].as_str().unwrap();
                let outcome = r["outcome"].as_str().unwrap();
                let mine: Vec<&str> = files.iter().filter(|f| f["recipient"] == addr).map(|f| f["kind"].as_str().unwrap()).collect();
                let finals = mine.iter().filter(|k| **k == "delivery" || **k == "delivery-error").count();
                let warns = mine.iter().filter(|k| **k == "delivery-warning").count();
                if !accepted {
                    assert_eq!(outcome, "failed");
                    assert!(mine.is_empty());
                    continue;
                }
                match (r["type"].as_str().unwrap(), outcome) {
                    ("esterno", "not-provable") => assert!(mine.is_empty()),
                    ("certificato", "delivered") => {
                        assert_eq!(finals, 1);
                        assert!(mine.contains(&"delivery"));
                    }
                    ("certificato", "failed") => {
                        assert_eq!(finals, 1);
                        assert!(mine.contains(&"delivery-error"));
                    }
                    ("certificato", "warned") => {
                        assert_eq!(finals, 0);
                        assert_eq!(warns, 1);
                    }
                    ("certificato", "pending") => assert_eq!(finals + warns, 0),
                    (t, o) => panic!("unexpected recipient {t}/{o}"),
                }
            }
            // Receipts are addressed: every per-recipient file names a recipient of M.
            for f in files {
                if let Some(a) = f["recipient"].as_str() {
                    assert!(rcpts.iter().any(|r| r["address"] == a));
                }
            }
        }
        // Plausible proportions for 400 messages.
        let k = |n: &str| kinds.get(n).copied().unwrap_or(0);
        assert!(k("acceptance") > 360, "{kinds:?}");
        assert!(k("delivery") > k("acceptance"), "{kinds:?}");
        assert!(k("delivery-error") >= 5 && k("delivery-error") < 80, "{kinds:?}");
        assert!(k("transport") > 100 && k("transport") < 280, "{kinds:?}");
        assert!(k("plain") >= 400, "{kinds:?}");
        for kind in SIGNED_KINDS {
            assert!(k(kind) > 0, "{format:?}: no {kind}");
        }
    }
}

#[test]
fn mbox_is_parseable_and_offsets_point_at_separators() {
    let dir = corpus(Format::Mbox);
    let m = manifest(dir);
    let mut offsets: HashMap<String, Vec<u64>> = HashMap::new();
    for e in file_entries(&m) {
        offsets.entry(e["path"].as_str().unwrap().to_string()).or_default().push(e["offset"].as_u64().expect("offset"));
    }
    for (path, mut offs) in offsets {
        let data = std::fs::read(dir.join(&path)).unwrap();
        // Separators: "From " at file start or after a blank line.
        let mut seps = vec![];
        let mut pos = 0;
        for line in data.split_inclusive(|b| *b == b'\n') {
            if line.starts_with(b"From ") {
                assert!(line.starts_with(b"From - "), "unquoted From line at {pos} in {path}");
                assert!(pos == 0 || data[..pos].ends_with(b"\n\n"));
                seps.push(pos as u64);
            }
            pos += line.len();
        }
        offs.sort();
        assert_eq!(offs, seps, "{path}: manifest offsets differ from separators");
    }
    let mut quoted = 0;
    for e in file_entries(&m) {
        let bytes = extract(dir, &e);
        let msg = MessageParser::default().parse(&bytes).expect("parse");
        assert!(msg.message_id().is_some() || msg.subject().is_some(), "{e}");
        if find(&bytes, b"\nFrom ").is_some() {
            quoted += 1;
        }
    }
    assert!(quoted > 0, "no message exercised mboxrd From-quoting");
}

#[test]
fn daticert_matches_headers() {
    // Spot check: delivery receipts carry daticert with the right type, msgid and consegna.
    let dir = corpus(Format::Eml);
    let m = manifest(dir);
    for msg in m["messages"].as_array().unwrap().iter().take(60) {
        for f in msg["files"].as_array().unwrap() {
            if f["kind"] != "delivery" {
                continue;
            }
            let bytes = extract(dir, f);
            let parsed = MessageParser::default().parse(&bytes).unwrap();
            let xml = parsed
                .attachments()
                .find(|a| a.attachment_name() == Some("daticert.xml"))
                .map(|a| String::from_utf8_lossy(a.contents()).into_owned())
                .expect("daticert");
            let esc = msg["message_id"].as_str().unwrap().replace('<', "&lt;").replace('>', "&gt;");
            assert!(xml.contains("tipo=\"avvenuta-consegna\""));
            assert!(xml.contains(&format!("<msgid>{esc}</msgid>")), "{xml}");
            assert!(xml.contains(&format!("<consegna>{}</consegna>", f["recipient"].as_str().unwrap())));
            assert!(xml.contains(&format!("<identificativo>{}</identificativo>", msg["identificativo"].as_str().unwrap())));
            let rt = f["receipt_type"].as_str().unwrap();
            assert!(xml.contains(&format!("<ricevuta tipo=\"{rt}\" />")));
            let has_copy = parsed.attachments().any(|a| a.attachment_name() == Some("postacert.eml"));
            assert_eq!(has_copy, rt != "sintetica", "{}", f["path"]);
        }
    }
}

#[test]
fn maildir_names_sizes_and_uidlist_are_dovecot_style() {
    let dir = corpus(Format::Maildir);
    for folder in ["mail", "mail/.Sent"] {
        let root = dir.join(folder);
        let mut bases = Vec::new();
        for sub in ["cur", "new"] {
            for e in std::fs::read_dir(root.join(sub)).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                let (base, flags) = match name.split_once(":2,") {
                    Some((b, f)) => (b.to_string(), Some(f.to_string())),
                    None => (name.clone(), None),
                };
                assert_eq!(flags.is_some(), sub == "cur", "{name}");
                let parts: Vec<&str> = base.split(',').collect();
                assert!(parts[0].split('.').next().unwrap().parse::<u64>().is_ok(), "{name}");
                assert!(parts[0].contains(".M") && parts[0].contains('P'), "{name}");
                let data = std::fs::read(&p).unwrap();
                let lines = data.iter().filter(|b| **b == b'\n').count();
                assert_eq!(parts[1], format!("S={}", data.len()), "{name}");
                assert_eq!(parts[2], format!("W={}", data.len() + lines), "{name}");
                bases.push(base);
            }
        }
        let uidlist = std::fs::read_to_string(root.join("dovecot-uidlist")).unwrap();
        let mut lines = uidlist.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("3 V"), "{header}");
        let mut listed: Vec<String> = lines.map(|l| l.split_once(" :").unwrap().1.to_string()).collect();
        listed.sort();
        bases.sort();
        assert_eq!(listed, bases, "{folder}: uidlist and files differ");
        assert!(!root.join("tmp").read_dir().unwrap().any(|_| true), "tmp/ must be empty");
    }
}
