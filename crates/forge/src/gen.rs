//! The run: parallel generation, in-order streaming to the store and the manifest.
//!
//! Workers pull message indices from a counter and generate units independently; the
//! writer (calling thread) stores them strictly in index order. Workers may run at most
//! `WINDOW` indices ahead of the writer, so memory is bounded whatever `--messages` is.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::lifecycle::{Corpus, Unit};
use crate::manifest::{FileEntry, ManifestWriter};
use crate::pki::pem;
use crate::store::{Format, Placed, Store};

const WINDOW: u64 = 64;

pub struct Options {
    pub seed: u64,
    pub messages: u64,
    pub format: Format,
    pub out: PathBuf,
    pub accounts: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub jobs: usize,
    /// Cache generated keys under `<out>/keys` (and reuse them).
    pub key_cache: bool,
    /// Deliberately faulty files (default: none).
    pub faults: crate::faults::FaultPlan,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub messages: u64,
    pub files: u64,
    pub bytes: u64,
    pub per_kind: HashMap<&'static str, u64>,
    pub pki_secs: f64,
    pub gen_secs: f64,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        self.messages as f64 / self.gen_secs.max(1e-9)
    }
}

/// The name hint for stores that name files (`.eml` exports): the file's own Subject, as
/// webmail exports name them ("ACCETTAZIONE_ Fattura 12.eml"). Never the kind: a file
/// name must not hand the answer to the classifier under test.
fn hint(bytes: &[u8], fallback: &str) -> String {
    // The header ends at the first empty line (LF or CRLF stores).
    let head_end = bytes.windows(2).position(|w| w == b"\n\n" || w == b"\n\r").unwrap_or(bytes.len());
    let head = String::from_utf8_lossy(&bytes[..head_end]);
    let mut subject: Option<String> = None;
    for line in head.lines() {
        match subject.as_mut() {
            Some(s) if line.starts_with([' ', '\t']) => s.push_str(line),
            Some(_) => break,
            None if line.len() > 8 && line[..8].eq_ignore_ascii_case("subject:") => subject = Some(line[8..].trim().to_string()),
            None => {}
        }
    }
    // Encoded words would look like line noise in a file name.
    subject
        .filter(|s| !s.is_empty() && !s.contains("=?"))
        .or_else(|| Some(fallback.to_string()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "messaggio".to_string())
}

fn write_unit(store: &mut dyn Store, manifest: &mut ManifestWriter, mut unit: Unit, stats: &mut Stats) -> std::io::Result<()> {
    let mut seq = 0u32;
    let mut place = |store: &mut dyn Store, f: &crate::lifecycle::OutFile, subject: &str, stats: &mut Stats| -> std::io::Result<FileEntry> {
        let Placed { path, offset } = store.put(f, unit.index, seq, &hint(&f.bytes, subject))?;
        seq += 1;
        stats.files += 1;
        stats.bytes += f.bytes.len() as u64;
        *stats.per_kind.entry(f.kind.as_str()).or_default() += 1;
        Ok(FileEntry {
            path,
            kind: f.kind,
            offset,
            recipient: f.recipient.clone(),
            signed: f.signed,
            receipt_type: f.receipt_type,
            has_p7m: f.has_p7m,
            fault: f.fault.map(|x| x.name()),
        })
    };
    let subject = unit.entry.subject.clone();
    for f in &unit.files {
        let e = place(store, f, &subject, stats)?;
        unit.entry.files.push(e);
    }
    manifest.message(&unit.entry)?;
    for f in &unit.others {
        let e = place(store, f, "", stats)?;
        manifest.other(&e)?;
    }
    stats.messages += 1;
    Ok(())
}

fn write_trust(out: &Path, corpus: &Corpus) -> std::io::Result<()> {
    let t = out.join("trust");
    std::fs::create_dir_all(&t)?;
    std::fs::write(t.join("test-root.pem"), pem("CERTIFICATE", &corpus.pki.root_der))?;
    std::fs::write(t.join("test-intermediate.pem"), pem("CERTIFICATE", &corpus.pki.intermediate_der))?;
    std::fs::write(t.join("test-qualified-ca.pem"), pem("CERTIFICATE", &corpus.pki.qualified_ca_der))?;
    for (p, id) in crate::providers::PROVIDERS.iter().zip(&corpus.pki.providers) {
        std::fs::write(t.join(format!("signer-{}.pem", p.label)), pem("CERTIFICATE", &id.cert_der))?;
    }
    std::fs::write(t.join("signer-qualified.pem"), pem("CERTIFICATE", &corpus.pki.qualified.cert_der))?;
    Ok(())
}

/// Generates the corpus described by `opts`.
pub fn run(opts: &Options, progress: &mut dyn FnMut(&Stats)) -> std::io::Result<Stats> {
    let out = &opts.out;
    if out.join("mail").exists() || out.join("manifest.json").exists() {
        return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("{} already holds a corpus", out.display())));
    }
    std::fs::create_dir_all(out)?;
    let t_pki = Instant::now();
    let cache = opts.key_cache.then(|| out.join("keys"));
    let corpus = Corpus::new(opts.seed, opts.messages, opts.start, opts.end, opts.accounts, cache.as_deref()).with_faults(opts.faults.clone());
    let mut stats = Stats { pki_secs: t_pki.elapsed().as_secs_f64(), ..Default::default() };
    write_trust(out, &corpus)?;

    let mut store = opts.format.open(out)?;
    let header = serde_json::json!({
        "generator": "cartolina-forge",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": opts.seed,
        "format": opts.format.name(),
        "requested_messages": opts.messages,
        "fault_rate": opts.faults.rate,
        "trust": ["trust/test-root.pem", "trust/test-intermediate.pem", "trust/test-qualified-ca.pem"],
    });
    let mut manifest = ManifestWriter::create(out, &header)?;

    let t_gen = Instant::now();
    let next = AtomicU64::new(0);
    let written = AtomicU64::new(0);
    let jobs = opts.jobs.max(1);
    let result: std::io::Result<()> = std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Unit>(jobs * 4);
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, written, corpus) = (&next, &written, &corpus);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= opts.messages {
                    break;
                }
                while i > written.load(Ordering::Acquire) + WINDOW {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                if tx.send(corpus.generate(i)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<u64, Unit> = BTreeMap::new();
        let mut want = 0u64;
        for unit in rx {
            pending.insert(unit.index, unit);
            while let Some(u) = pending.remove(&want) {
                write_unit(store.as_mut(), &mut manifest, u, &mut stats)?;
                want += 1;
                written.store(want, Ordering::Release);
                if want.is_multiple_of(1000) {
                    stats.gen_secs = t_gen.elapsed().as_secs_f64();
                    progress(&stats);
                }
            }
        }
        Ok(())
    });
    // An I/O error drops the receiver: workers stop at their next send.
    result?;
    store.finish()?;
    manifest.finish()?;
    stats.gen_secs = t_gen.elapsed().as_secs_f64();
    Ok(stats)
}
