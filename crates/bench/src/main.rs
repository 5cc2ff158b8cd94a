//! `cartolina-bench`: throughput benchmarks over a forge corpus (see README, Benchmarks).
//!
//! `cartolina-bench parse DIR` reads every mail file under DIR (Maildir, mbox or .eml
//! tree) and runs the PEC parse + classify path on one thread. It reports read time and
//! parse+classify time separately, so the figure for the engine is not the disk's.
//!
//! `cartolina-bench verify CORPUS` measures signature verification (receipts/s for the
//! RSA and P-256 providers, a large `.p7m` in GB/s and peak RSS, both against openssl):
//! see `verify_bench.rs`.
//!
//! `cartolina-bench watch` measures the live-sources engine (receipt -> event latency,
//! bytes read for an mbox append, idle CPU): see `watch_bench.rs`.

mod archive_bench;
mod verify_bench;
mod watch_bench;

use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "cartolina-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse + classify throughput, one core.
    Parse {
        /// A store (e.g. a forge corpus's `mail/` folder).
        dir: PathBuf,
        /// Passes over the corpus (the first warms the page cache; the best pass is reported).
        #[arg(long, default_value_t = 2)]
        passes: u32,
    },
    /// The archive: cold scan rate, rescan time, search p50/p99, status time, peak RSS.
    Archive {
        /// A forge corpus (its root, with `mail/` and `trust/`) or any mail store.
        corpus: PathBuf,
        /// Where to build the archive (default: a new folder under the temp folder;
        /// an existing archive there is replaced).
        #[arg(long)]
        archive: Option<PathBuf>,
        /// Search queries to time.
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Scan worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Signature verification throughput on a forge Maildir corpus (its root folder).
    Verify {
        corpus: PathBuf,
        /// Most receipts loaded.
        #[arg(long, default_value_t = 20_000)]
        limit: usize,
        #[arg(long, default_value_t = 3)]
        passes: u32,
        /// Files verified by openssl for the ratio (one process each).
        #[arg(long, default_value_t = 200)]
        openssl_sample: usize,
        /// Size of the .p7m benchmark in MiB (0: skip).
        #[arg(long, default_value_t = 100)]
        p7m_mb: usize,
    },
    /// (internal) Verify one .p7m and print "seconds peak-RSS-kB".
    #[command(hide = true)]
    P7mOnce { file: PathBuf, root: PathBuf },
    /// Live sources: receipt -> event latency, incremental mbox append bytes, idle CPU.
    Watch {
        /// Work folder (default: a temporary folder, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Receipts delivered one by one for the latency figures.
        #[arg(long, default_value_t = 100)]
        receipts: usize,
        /// Size of the generated mbox in MiB (0: skip).
        #[arg(long, default_value_t = 2048)]
        mbox_mb: u64,
        #[arg(long, default_value_t = 10)]
        idle_secs: u64,
        /// The watcher's debounce interval (the CLI's default is 200).
        #[arg(long, default_value_t = 200)]
        debounce_ms: u64,
    },
}

#[derive(Default)]
struct Pass {
    messages: u64,
    bytes: u64,
    read: Duration,
    parse: Duration,
    kinds: BTreeMap<&'static str, u64>,
    errors: u64,
}

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { dir, passes } => parse_bench(&dir, passes),
        Command::Verify { corpus, limit, passes, openssl_sample, p7m_mb } => verify_bench::run(&corpus, limit, passes, openssl_sample, p7m_mb),
        Command::P7mOnce { file, root } => verify_bench::p7m_once(&file, &root),
        Command::Watch { dir, receipts, mbox_mb, idle_secs, debounce_ms } => {
            if let Err(e) = watch_bench::run(watch_bench::Args { dir, receipts, mbox_mb, idle_secs, debounce_ms }) {
                eprintln!("cartolina-bench watch: {e}");
                std::process::exit(1);
            }
        }
        Command::Archive { corpus, archive, queries, jobs } => archive_bench::run(&corpus, archive, queries, jobs),
    }
}

fn parse_bench(dir: &std::path::Path, passes: u32) {
    let mut best: Option<Pass> = None;
    for n in 1..=passes.max(1) {
        let pass = parse_pass(dir);
        eprintln!(
            "pass {n}: {} messages, {:.1} MB, read {:.2} s, parse+classify {:.2} s",
            pass.messages,
            pass.bytes as f64 / 1e6,
            pass.read.as_secs_f64(),
            pass.parse.as_secs_f64()
        );
        if best.as_ref().is_none_or(|b| pass.parse < b.parse) {
            best = Some(pass);
        }
    }
    let Some(p) = best else { return };
    let secs = p.parse.as_secs_f64().max(1e-9);
    let rate = p.messages as f64 / secs;
    println!("parse+classify, 1 thread: {} messages in {:.3} s = {:.0} messages/s, {:.0} MB/s (file reads excluded: {:.3} s)",
        p.messages, secs, rate, p.bytes as f64 / 1e6 / secs, p.read.as_secs_f64());
    println!("by kind: {:?}; errors: {}", p.kinds, p.errors);
    println!(
        "{}",
        serde_json::json!({
            "bench": "parse",
            "messages": p.messages,
            "bytes": p.bytes,
            "parse_seconds": secs,
            "read_seconds": p.read.as_secs_f64(),
            "messages_per_second": rate,
            "errors": p.errors,
        })
    );
}

fn parse_pass(dir: &std::path::Path) -> Pass {
    let mut pass = Pass::default();
    let classify = |raw: &[u8], pass: &mut Pass| {
        let t = Instant::now();
        let result = pec::parse_message(raw);
        pass.parse += t.elapsed();
        pass.messages += 1;
        pass.bytes += raw.len() as u64;
        match result {
            Ok(m) => *pass.kinds.entry(m.kind.as_str()).or_default() += 1,
            Err(_) => pass.errors += 1,
        }
    };
    for entry in sources::walk(dir).flatten() {
        let t = Instant::now();
        match entry.kind {
            sources::EntryKind::SingleFile => {
                let Ok(raw) = sources::read_message_file(&entry.path) else { pass.errors += 1; continue };
                pass.read += t.elapsed();
                classify(&raw, &mut pass);
            }
            sources::EntryKind::Mbox => {
                let Ok(file) = std::fs::File::open(&entry.path) else { pass.errors += 1; continue };
                let mut reader = sources::MboxReader::new(std::io::BufReader::new(file));
                loop {
                    let t = Instant::now();
                    let Some(next) = reader.next() else { break };
                    pass.read += t.elapsed();
                    match next.map(|m| m.raw) {
                        Ok(Ok(raw)) => classify(&raw, &mut pass),
                        _ => pass.errors += 1,
                    }
                }
            }
        }
    }
    pass
}
