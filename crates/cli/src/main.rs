//! `cartolina`: the command-line face of the engine.
//!
//! Subcommands:
//! - `inspect [--json] PATH...`: what each message or signed file is (kind, ids,
//!   daticert, header/daticert mismatches, signature envelope). Directories recurse;
//!   mbox files yield one record per message. With `--json` one object per line, a
//!   contract relied on by tests and tools. Signatures are verified (`signature.status`,
//!   `signature.trust`, `signature.signers`); `--trust FILE` adds anchors/CRLs/Trusted Lists.
//! - `verify [--json] [--trust FILE]... [--lang it|en] PATH...`: the signature verdict of
//!   each file as a readable summary (exit 0 whatever the verdict).
//! - `p7m extract FILE [-o OUT] [--force]`: the signed content under its original name.
//! - `sources add|list|remove|pause|resume`: the live sources (`sources_cmd.rs`);
//!   `watch [--json] [PATH...]`: watch them in the foreground, one line per event
//!   (`watch.rs`, the only glue between the sources engine and the archive).
//!
//! Exit status: 0 when every path was examined (bad files are reported in the output,
//! the batch goes on); 2 for usage errors.

mod fsck;
mod inspect;
mod p7m_cmd;
mod record;
mod scan;
mod search;
mod show;
mod sigcheck;
mod sniff;
mod sources_cmd;
mod status;
mod verify_cmd;
mod watch;

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
        /// Extra trust: PEM/DER certificates (anchors), CRLs, or an EU Trusted List (XML).
        #[arg(long, value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// Files or directories (directories recurse).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Verify the signatures of PEC messages and signed files (.eml, Maildir, mbox, .p7m/.p7s).
    Verify {
        /// One JSON object per file, one per line (the `inspect --json` record).
        #[arg(long)]
        json: bool,
        /// Extra trust: PEM/DER certificates (anchors), CRLs, or an EU Trusted List (XML).
        #[arg(long, value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// Language of the summary.
        #[arg(long, value_enum, default_value = "it")]
        lang: verify_cmd::Lang,
        /// Files or directories (directories recurse).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Signed documents (.p7m).
    P7m {
        #[command(subcommand)]
        action: P7mAction,
    },
    /// Store, index and pair every message under PATHs into the archive.
    Scan {
        #[command(flatten)]
        archive: ArchiveArg,
        /// Extra trust anchors: PEM/DER certificates or an EU Trusted List (XML).
        #[arg(long, value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Also verify every archived signature again (e.g. after adding --trust anchors).
        #[arg(long)]
        reverify: bool,
        /// The summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// Maildir folders, mbox files, .eml files or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// One line per card (sent message or received PEC); --json: one object per line.
    Status {
        #[command(flatten)]
        archive: ArchiveArg,
        #[command(flatten)]
        filter: CardFilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over every archived message.
    Search {
        #[command(flatten)]
        archive: ArchiveArg,
        /// Words that must all match (`word*` for prefixes; a whole address finds the
        /// messages from or to it);
        /// none: filters only, newest first.
        query: Vec<String>,
        #[arg(long, value_parser = scan::parse_date)]
        since: Option<i64>,
        #[arg(long, value_parser = scan::parse_date)]
        until: Option<i64>,
        /// Card state (all-delivered, partially-delivered, failed, pending, overdue, not-accepted, received).
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        sender: Option<String>,
        #[arg(long)]
        recipient: Option<String>,
        /// Message kind (acceptance, delivery, delivery-error, transport, plain, ...).
        #[arg(long)]
        kind: Option<String>,
        /// Signature state (intact, broken, unsigned, trusted, untrusted, ...).
        #[arg(long)]
        signature: Option<String>,
        #[arg(long)]
        account: Option<String>,
        /// relevance, newest or oldest.
        #[arg(long, default_value = "relevance")]
        sort: String,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// One card with its receipts (by card id, identificativo or Message-ID).
    Show {
        #[command(flatten)]
        archive: ArchiveArg,
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every stored message and re-check every record (reports, never repairs).
    Fsck {
        #[command(flatten)]
        archive: ArchiveArg,
        #[arg(long)]
        json: bool,
    },
    /// Live sources: add, list, remove, pause, resume (kept in <archive>/sources.json).
    Sources {
        #[command(flatten)]
        archive: ArchiveArg,
        /// Sources file (default: sources.json in the archive folder).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// Watch the configured sources (or PATHs) and log each message as it lands.
    Watch {
        #[command(flatten)]
        archive: ArchiveArg,
        /// Sources file (default: sources.json in the archive folder).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Extra trust anchors: PEM/DER certificates or an EU Trusted List (XML).
        #[arg(long, value_name = "FILE")]
        trust: Vec<PathBuf>,
        /// One JSON object per event, one per line.
        #[arg(long)]
        json: bool,
        /// Debounce (and settle) interval in milliseconds.
        #[arg(long, default_value_t = 200)]
        debounce_ms: u64,
        /// Watch these instead of the configured sources.
        paths: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum P7mAction {
    /// Write the signed content under its original name and print the verdict.
    Extract {
        file: PathBuf,
        /// Output file, or a directory to write into (default: beside FILE).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// Extra trust: PEM/DER certificates (anchors), CRLs, or an EU Trusted List (XML).
        #[arg(long, value_name = "FILE")]
        trust: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "it")]
        lang: verify_cmd::Lang,
    },
}

#[derive(Subcommand)]
enum SourcesAction {
    /// Add Maildirs, mbox files, Thunderbird profiles, .eml folders (kind detected).
    Add {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// One line per source: id, kind, status, what is known, path.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a source (by id or path); its archived messages stay.
    Remove { source: String },
    /// Stop watching a source until resumed.
    Pause { source: String },
    Resume { source: String },
}

#[derive(clap::Args)]
struct ArchiveArg {
    /// Archive folder (default: $CARTOLINA_ARCHIVE, else the user data folder).
    #[arg(long, value_name = "DIR")]
    archive: Option<PathBuf>,
}

#[derive(clap::Args)]
struct CardFilterArgs {
    /// Only cards of this account (the user's PEC address).
    #[arg(long)]
    account: Option<String>,
    /// Only cards in this state.
    #[arg(long)]
    state: Option<String>,
    /// Sent on or after (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_parser = scan::parse_date)]
    since: Option<i64>,
    /// Sent before.
    #[arg(long, value_parser = scan::parse_date)]
    until: Option<i64>,
    #[arg(long)]
    recipient: Option<String>,
    /// sent or received.
    #[arg(long)]
    kind: Option<String>,
    /// Newest first.
    #[arg(long)]
    newest_first: bool,
    #[arg(long)]
    limit: Option<u64>,
    #[arg(long, default_value_t = 0)]
    offset: u64,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { json, trust, paths } => inspect::run(&paths, json, &trust),
        Command::Verify { json, trust, lang, paths } => verify_cmd::run(&paths, json, &trust, lang),
        Command::P7m { action: P7mAction::Extract { file, output, force, trust, lang } } => {
            p7m_cmd::extract(&file, output.as_deref(), force, &trust, lang)
        }
        Command::Scan { archive, trust, jobs, reverify, json, paths } => {
            scan::run(archive.archive.as_deref(), &trust, &paths, jobs, reverify, json)
        }
        Command::Status { archive, filter, json } => {
            let f = archive::CardFilter {
                account: filter.account,
                state: filter.state,
                since: filter.since,
                until: filter.until,
                recipient: filter.recipient,
                kind: filter.kind,
                proof_ok: None,
                newest_first: filter.newest_first,
                limit: filter.limit,
                offset: filter.offset,
                ..Default::default()
            };
            status::run(archive.archive.as_deref(), &f, json)
        }
        Command::Search { archive, query, since, until, state, sender, recipient, kind, signature, account, sort, limit, offset, json } => {
            let sort = match sort.as_str() {
                "newest" => archive::search::Sort::Newest,
                "oldest" => archive::search::Sort::Oldest,
                _ => archive::search::Sort::Relevance,
            };
            let q = archive::SearchQuery {
                text: query.join(" "),
                since,
                until,
                state,
                sender,
                recipient,
                kind,
                signature,
                account,
                sort,
                limit,
                offset,
            };
            search::run(archive.archive.as_deref(), &q, json)
        }
        Command::Show { archive, id, json } => show::run(archive.archive.as_deref(), &id, json),
        Command::Sources { archive, config, action } => {
            let action = match action {
                SourcesAction::Add { paths } => sources_cmd::Action::Add(paths),
                SourcesAction::List { json } => sources_cmd::Action::List { json },
                SourcesAction::Remove { source } => sources_cmd::Action::Remove(source),
                SourcesAction::Pause { source } => sources_cmd::Action::Pause(source),
                SourcesAction::Resume { source } => sources_cmd::Action::Resume(source),
            };
            sources_cmd::run(archive.archive.as_deref(), config.as_deref(), action)
        }
        Command::Watch { archive, config, trust, json, debounce_ms, paths } => {
            watch::run(archive.archive.as_deref(), config.as_deref(), watch::Args { trust, paths, json, debounce_ms })
        }
        Command::Fsck { archive, json } => match fsck::run(archive.archive.as_deref(), json) {
            Ok(true) => Ok(()),
            Ok(false) => return std::process::ExitCode::from(1),
            Err(e) => Err(e),
        },
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
