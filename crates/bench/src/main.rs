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
mod parse_bench;
mod verify_bench;
mod watch_bench;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
        /// Also time `notmuch new` on the same Maildir (throwaway config and database).
        #[arg(long)]
        notmuch: bool,
        /// Files verified by `openssl smime -verify`, one process each, for the ratio (0: skip).
        #[arg(long, default_value_t = 0)]
        openssl_sample: usize,
        /// Grow the archive to this many messages (replicated rows, see
        /// archive_bench/scale.rs) and measure search and status again (0: skip).
        #[arg(long, default_value_t = 0)]
        scale_to: u64,
        /// Only search and status on the archive already at --archive (no scan).
        #[arg(long, requires = "archive")]
        search_only: bool,
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


fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { dir, passes } => parse_bench::run(&dir, passes),
        Command::Verify { corpus, limit, passes, openssl_sample, p7m_mb } => verify_bench::run(&corpus, limit, passes, openssl_sample, p7m_mb),
        Command::P7mOnce { file, root } => verify_bench::p7m_once(&file, &root),
        Command::Watch { dir, receipts, mbox_mb, idle_secs, debounce_ms } => {
            if let Err(e) = watch_bench::run(watch_bench::Args { dir, receipts, mbox_mb, idle_secs, debounce_ms }) {
                eprintln!("cartolina-bench watch: {e}");
                std::process::exit(1);
            }
        }
        Command::Archive { corpus, archive, queries, jobs, notmuch, openssl_sample, scale_to, search_only } => {
            archive_bench::run(archive_bench::Args { corpus, archive, queries, jobs, notmuch, openssl_sample, scale_to, search_only })
        }
    }
}
