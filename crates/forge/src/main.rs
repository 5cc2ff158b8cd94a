//! `cartolina-forge`: command-line front end of the corpus generator.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, TimeZone, Utc};
use clap::Parser;

#[derive(Parser)]
#[command(name = "cartolina-forge", version, about = "Generate a realistic, signed PEC mail store for tests and benchmarks")]
struct Args {
    /// Seed: same arguments, byte-identical output.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of messages the user sends (each with its whole lifecycle).
    #[arg(long, default_value_t = 100)]
    messages: u64,
    /// Store format: maildir, mbox or eml.
    #[arg(long, default_value = "maildir")]
    format: forge::Format,
    /// Output directory (must not already hold a corpus).
    #[arg(long)]
    out: PathBuf,
    /// Number of the user's own PEC addresses (the first on Aruba, others on any provider).
    #[arg(long, default_value_t = 1)]
    accounts: usize,
    /// First day of the sending period (YYYY-MM-DD).
    #[arg(long, default_value = "2017-01-01")]
    start_date: NaiveDate,
    /// Last day of the sending period (YYYY-MM-DD).
    #[arg(long, default_value = "2026-06-30")]
    end_date: NaiveDate,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Do not cache keys under OUT/keys.
    #[arg(long)]
    no_key_cache: bool,
    /// Fraction (0..1) of provider-signed files to make deliberately faulty.
    #[arg(long, default_value_t = 0.0)]
    faults: f64,
    /// Which faults to use (default: all): tampered-body, tampered-daticert, wrong-key,
    /// expired-at-signing, untrusted-root.
    #[arg(long, value_delimiter = ',')]
    fault_kinds: Vec<forge::faults::Fault>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let start = Utc.from_utc_datetime(&a.start_date.and_hms_opt(7, 0, 0).expect("time"));
    let end = Utc.from_utc_datetime(&a.end_date.and_hms_opt(18, 0, 0).expect("time"));
    if end <= start {
        eprintln!("cartolina-forge: --end-date must follow --start-date");
        return ExitCode::from(2);
    }
    let opts = forge::Options {
        seed: a.seed,
        messages: a.messages,
        format: a.format,
        out: a.out,
        accounts: a.accounts,
        start,
        end,
        jobs: a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        key_cache: !a.no_key_cache,
        faults: forge::faults::FaultPlan {
            rate: a.faults.clamp(0.0, 1.0),
            kinds: if a.fault_kinds.is_empty() { forge::faults::Fault::ALL.to_vec() } else { a.fault_kinds },
        },
    };
    let quiet = a.quiet;
    let mut progress = |s: &forge::Stats| {
        if !quiet {
            eprint!("\r{} messages, {} files, {:.0} messages/s   ", s.messages, s.files, s.rate());
        }
    };
    match forge::run(&opts, &mut progress) {
        Ok(s) => {
            if !quiet {
                let mut kinds: Vec<_> = s.per_kind.iter().collect();
                kinds.sort();
                eprintln!(
                    "\rgenerated {} messages, {} files, {:.1} MB in {:.2}s (+{:.2}s PKI): {:.0} messages/s",
                    s.messages,
                    s.files,
                    s.bytes as f64 / 1e6,
                    s.gen_secs,
                    s.pki_secs,
                    s.rate()
                );
                for (k, n) in kinds {
                    eprintln!("  {k:<17} {n}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cartolina-forge: {e}");
            ExitCode::FAILURE
        }
    }
}
