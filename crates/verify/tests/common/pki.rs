//! A throw-away test PKI made with `/usr/bin/openssl` (built once per test binary).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Tests run in parallel on one shared PKI directory: every scratch file gets its own name.
fn scratch(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::Relaxed))
}

pub struct Pki {
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

pub fn openssl_available() -> bool {
    Command::new("openssl").arg("version").output().map(|o| o.status.success()).unwrap_or(false)
}

pub fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

pub const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash";
pub const LEAF_EXT: &str = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash";

impl Pki {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    pub fn write(&self, name: &str, data: &[u8]) {
        std::fs::write(self.path(name), data).unwrap()
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        run(&self.dir, args)
    }

    /// kind: "ec256", "ec384", "rsa".
    fn key(&self, name: &str, kind: &str) {
        let out = format!("{name}.key");
        match kind {
            "ec256" => self.run(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &out]),
            "ec384" => self.run(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", &out]),
            _ => self.run(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", &out]),
        };
    }

    /// Makes `<name>.key` (unless `reuse_key`) and `<name>.pem`, issued by `issuer`
    /// (None = self-signed), valid for `days` from now.
    #[allow(clippy::too_many_arguments)]
    pub fn cert(&self, name: &str, kind: &str, subject: &str, issuer: Option<&str>, ext: &str, serial: u32, days: u32) {
        if !self.path(&format!("{name}.key")).exists() {
            self.key(name, kind);
        }
        self.write(&format!("{name}.ext"), format!("[ext]\n{ext}\n").as_bytes());
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        self.run(&["req", "-new", "-key", &key, "-subj", subject, "-out", &csr]);
        let (serial, days, ext, pem) = (serial.to_string(), days.to_string(), format!("{name}.ext"), format!("{name}.pem"));
        let mut args = vec!["x509", "-req", "-in", &csr, "-set_serial", &serial, "-days", &days, "-sha256"];
        args.extend(["-extfile", &ext, "-extensions", "ext", "-out", &pem]);
        let (ca, ca_key);
        match issuer {
            Some(i) => {
                ca = format!("{i}.pem");
                ca_key = format!("{i}.key");
                args.extend(["-CA", &ca, "-CAkey", &ca_key]);
            }
            None => args.extend(["-signkey", &key]),
        }
        self.run(&args);
    }

    /// `openssl cms -sign` over `data`; returns DER. `extra`: more options.
    pub fn sign(&self, data: &[u8], signer: &str, certfile: Option<&str>, extra: &[&str]) -> Vec<u8> {
        let (input, output) = (scratch("data"), scratch("out"));
        self.write(&input, data);
        let (pem, key) = (format!("{signer}.pem"), format!("{signer}.key"));
        let mut args = vec!["cms", "-sign", "-binary", "-in", &input, "-signer", &pem, "-inkey", &key, "-outform", "DER", "-out", &output];
        let cf;
        if let Some(c) = certfile {
            cf = c.to_string();
            args.extend(["-certfile", &cf]);
        }
        args.extend(extra);
        self.run(&args);
        self.read(&output)
    }

    /// `openssl cms -verify -noverify` integrity verdict (content from `data` if detached).
    pub fn openssl_intact(&self, cms_der: &[u8], data: Option<&[u8]>, certfile: Option<&str>) -> bool {
        let (input, content) = (scratch("check"), scratch("content"));
        self.write(&input, cms_der);
        let mut args = vec!["cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", &input, "-out", "/dev/null"];
        if let Some(d) = data {
            self.write(&content, d);
            args.extend(["-content", &content]);
        }
        if let Some(c) = certfile {
            args.extend(["-certfile", c]);
        }
        Command::new("openssl").current_dir(&self.dir).args(&args).output().map(|o| o.status.success()).unwrap_or(false)
    }
}

pub fn pki() -> Option<&'static Pki> {
    static PKI: OnceLock<Option<Pki>> = OnceLock::new();
    PKI.get_or_init(|| {
        if !openssl_available() {
            eprintln!("openssl not available: generated-PKI tests skipped");
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let p = Pki { dir: tmp.path().to_path_buf(), _tmp: tmp };
        p.cert("root", "ec256", "/O=Cartolina Test/CN=Test Root", None, CA_EXT, 1, 3650);
        p.cert("inter", "ec256", "/O=Cartolina Test/CN=Test Intermediate", Some("root"), CA_EXT, 2, 3650);
        let leaf_subj = "/C=IT/O=Cartolina Test/CN=ROSSI MARIO/serialNumber=TINIT-RSSMRA80A01H501U/GN=MARIO/SN=ROSSI";
        p.cert("leaf", "rsa", leaf_subj, Some("inter"), LEAF_EXT, 100, 30);
        // Same issuer, serial and subject as `leaf`, another key (the "wrong key" case).
        p.cert("twin", "ec256", leaf_subj, Some("inter"), LEAF_EXT, 100, 30);
        p.cert("leaf384", "ec384", "/O=Cartolina Test/CN=P384 Signer", Some("inter"), LEAF_EXT, 101, 30);
        p.cert("leaf2", "ec256", "/O=Cartolina Test/CN=Second Signer", Some("inter"), LEAF_EXT, 102, 30);
        // An untrusted hierarchy.
        p.cert("otherroot", "ec256", "/O=Elsewhere/CN=Other Root", None, CA_EXT, 1, 3650);
        p.cert("otherleaf", "ec256", "/O=Elsewhere/CN=Other Signer", Some("otherroot"), LEAF_EXT, 5, 30);
        // A CA whose keyUsage lacks keyCertSign.
        let noks = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature";
        p.cert("noks", "ec256", "/O=Cartolina Test/CN=No KeyCertSign CA", Some("root"), noks, 3, 3650);
        p.cert("noksleaf", "ec256", "/O=Cartolina Test/CN=Under NoKS", Some("noks"), LEAF_EXT, 6, 30);
        // pathLen: root0 (pathlen 0) -> inter0 -> leaf0 violates it.
        let pl0 = "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign";
        p.cert("root0", "ec256", "/O=Cartolina Test/CN=PathLen0 Root", None, pl0, 1, 3650);
        p.cert("inter0", "ec256", "/O=Cartolina Test/CN=PathLen0 Intermediate", Some("root0"), CA_EXT, 2, 3650);
        p.cert("leaf0", "ec256", "/O=Cartolina Test/CN=PathLen0 Leaf", Some("inter0"), LEAF_EXT, 3, 30);
        // A CA that is not a CA (basicConstraints CA:FALSE) issuing a certificate.
        p.cert("notca", "ec256", "/O=Cartolina Test/CN=Not A CA", Some("root"), LEAF_EXT, 7, 3650);
        p.cert("notcaleaf", "ec256", "/O=Cartolina Test/CN=Under NotCA", Some("notca"), LEAF_EXT, 8, 30);
        Some(p)
    })
    .as_ref()
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}
