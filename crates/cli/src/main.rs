//! `cartolina`: the command-line face of the engine.
//!
//! Subcommands:
//! - `inspect [--json] PATH...`: what each message or signed file is (kind, ids,
//!   daticert, header/daticert mismatches, signature envelope). Directories recurse;
//!   mbox files yield one record per message. With `--json` one object per line, a
//!   contract relied on by tests and tools.
//!
//! Exit status: 0 when every path was examined (bad files are reported in the output,
//! the batch goes on); 2 for usage errors.

mod inspect;
mod record;
mod sniff;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "cartolina", version, about = "PEC receipts: classify, verify, archive (Cartolina)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Classify PEC messages and signed files (.eml, Maildir, mbox, .p7m/.p7s).
    Inspect {
        /// One JSON object per message, one per line.
        #[arg(long)]
        json: bool,
        /// Files or directories (directories recurse).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { json, paths } => inspect::run(&paths, json),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // Only output errors end up here (e.g. a closed pipe): the data was fine.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cartolina: {err}");
            std::process::ExitCode::from(1)
        }
    }
}
