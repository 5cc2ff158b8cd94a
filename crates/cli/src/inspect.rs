//! `cartolina inspect`: classify every message under the given paths.

use crate::record::{InspectRecord, SignatureReport};
use crate::sigcheck::{self, Checker};
use crate::sniff;
use sources::{EntryKind, MboxReader};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub fn run(paths: &[PathBuf], json: bool, trust: &[PathBuf]) -> io::Result<()> {
    let checker = Checker::from_args_or_exit(trust);
    let mut out = BufWriter::new(io::stdout().lock());
    for_each_record(paths, &checker, |r| emit(&mut out, json, r))?;
    out.flush()
}

/// Walks `paths` (directories recurse, mbox files yield one record per message) and
/// hands every record, signature verified, to `emit`.
pub fn for_each_record(
    paths: &[PathBuf],
    checker: &Checker,
    mut emit: impl FnMut(&InspectRecord<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let out = &mut emit;
    for root in paths {
        for entry in sources::walk(root) {
            match entry {
                Err(err) => out(&InspectRecord::failed(err_path(&err, root), None, err.to_string()))?,
                Ok(entry) => match entry.kind {
                    EntryKind::SingleFile => inspect_file(out, checker, &entry.path)?,
                    EntryKind::Mbox => inspect_mbox(out, checker, &entry.path)?,
                },
            }
        }
    }
    Ok(())
}

type Emit<'e> = dyn FnMut(&InspectRecord<'_>) -> io::Result<()> + 'e;

fn err_path(err: &sources::ReadError, root: &Path) -> String {
    match err {
        sources::ReadError::Io { path, .. } | sources::ReadError::TooLarge { path, .. } if !path.is_empty() => path.clone(),
        _ => root.display().to_string(),
    }
}

fn inspect_file(out: &mut Emit<'_>, checker: &Checker, path: &Path) -> io::Result<()> {
    let shown = path.display().to_string();
    let record = match sources::read_message_file(path) {
        Ok(bytes) => inspect_bytes(shown, None, &bytes, Some(path), checker),
        Err(err) => InspectRecord::failed(shown, None, err.to_string()),
    };
    out(&record)
}

fn inspect_mbox(out: &mut Emit<'_>, checker: &Checker, path: &Path) -> io::Result<()> {
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(err) => return out(&InspectRecord::failed(shown, None, err.to_string())),
    };
    for message in MboxReader::new(io::BufReader::with_capacity(256 * 1024, file)) {
        let record = match message {
            Ok(m) => match m.raw {
                Ok(raw) => inspect_bytes(shown.clone(), Some(m.offset), &raw, None, checker),
                Err(size) => InspectRecord::failed(
                    shown.clone(),
                    Some(m.offset),
                    format!("message of {size} bytes is over the {}-byte limit", sources::MAX_MESSAGE_BYTES),
                ),
            },
            Err(err) => {
                // A read error mid-file: report it and stop reading this file only.
                out(&InspectRecord::failed(shown.clone(), None, err.to_string()))?;
                break;
            }
        };
        out(&record)?;
    }
    Ok(())
}

/// `file`: the file on disk, when the bytes are a whole file (a `.p7s` looks for its
/// data file beside it).
fn inspect_bytes(path: String, offset: Option<u64>, bytes: &[u8], file: Option<&Path>, checker: &Checker) -> InspectRecord<'static> {
    let name = Path::new(&path).file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    if sniff::looks_like_signed_document(&name, bytes) {
        return signed_document_record(path, offset, bytes, file, checker);
    }
    // Defence in depth: the parser is fuzzed not to panic, but if it ever does on some
    // input, that file is reported and the batch goes on.
    match std::panic::catch_unwind(|| message_record(path.clone(), offset, bytes, checker)) {
        Ok(record) => record,
        Err(_) => InspectRecord::failed(path, offset, "internal error while parsing (please report this file)".into()),
    }
}

fn signed_document_record(path: String, offset: Option<u64>, bytes: &[u8], file: Option<&Path>, checker: &Checker) -> InspectRecord<'static> {
    let on_disk = file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(&path));
    let base = InspectRecord { kind: "p7m", error: None, ..InspectRecord::failed(path, offset, String::new()) };
    match sigcheck::guarded(|| sigcheck::check_document(&on_disk, bytes, checker)) {
        Some(Ok(v)) => InspectRecord {
            signature: SignatureReport::from_verdict(v.signature),
            document: Some(v.info),
            ..base
        },
        // Not a readable CMS structure at all: nothing could be verified.
        // Presented as signed but not a readable CMS structure: the signature is broken.
        Some(Err(e)) => InspectRecord {
            signature: SignatureReport::from_verdict(verify::SignatureReport::unreadable(e.clone())),
            error: Some(format!("signed file unreadable: {e}")),
            ..base
        },
        None => InspectRecord { error: Some("internal error while verifying (please report this file)".into()), ..base },
    }
}

fn message_record(path: String, offset: Option<u64>, bytes: &[u8], checker: &Checker) -> InspectRecord<'static> {
    let msg = match pec::parse_message(bytes) {
        Ok(m) => m,
        Err(err) => return InspectRecord::failed(path, offset, err.to_string()),
    };
    let signature = match sigcheck::guarded(|| sigcheck::check_message(&msg, checker)) {
        Some(r) => SignatureReport::from_verdict(r),
        None => SignatureReport::not_checked(),
    };
    InspectRecord {
        path,
        offset,
        kind: msg.kind.as_str(),
        subject: msg.subject,
        message_id: msg.message_id,
        refers_to: msg.refers_to,
        identificativo: msg.identificativo,
        daticert: msg.daticert,
        inconsistencies: msg.inconsistencies,
        signature,
        error: msg.daticert_error,
        document: None,
    }
}

fn emit(out: &mut impl Write, json: bool, record: &InspectRecord<'_>) -> io::Result<()> {
    if json {
        // `From` keeps the I/O error kind (a closed pipe stays BrokenPipe, which main treats as a normal end).
        serde_json::to_writer(&mut *out, record).map_err(io::Error::from)?;
        return writeln!(out);
    }
    let place = match record.offset {
        Some(off) => format!("{}@{off}", record.path),
        None => record.path.clone(),
    };
    write!(out, "{place}\n  {}", italian_kind(record.kind))?;
    if let Some(subject) = &record.subject {
        write!(out, " — {subject}")?;
    }
    writeln!(out)?;
    if let Some(id) = &record.identificativo {
        writeln!(out, "  identificativo: {id}")?;
    }
    write!(out, "  firma: {}", italian_status(record.signature.status))?;
    if let Some(t) = &record.signature.trust {
        if record.signature.status != "unsigned" {
            let trust = match t.status {
                verify::TrustStatus::Trusted => "attendibile",
                verify::TrustStatus::Untrusted => "non attendibile",
                verify::TrustStatus::Indeterminate => "attendibilità indeterminata",
            };
            write!(out, "; {trust}")?;
        }
    }
    writeln!(out)?;
    for inc in &record.inconsistencies {
        writeln!(
            out,
            "  ATTENZIONE: {} nelle intestazioni ({}) diverso dai dati certificati ({})",
            inc.field,
            inc.header.as_deref().unwrap_or("assente"),
            inc.daticert.as_deref().unwrap_or("assente")
        )?;
    }
    if let Some(err) = &record.error {
        writeln!(out, "  errore: {err}")?;
    }
    Ok(())
}

pub fn italian_kind(kind: &str) -> &'static str {
    match kind {
        "transport" => "busta di trasporto (PEC ricevuta)",
        "anomaly" => "busta di anomalia",
        "acceptance" => "ricevuta di accettazione",
        "non-acceptance" => "avviso di non accettazione",
        "taking-charge" => "ricevuta di presa in carico",
        "delivery" => "ricevuta di avvenuta consegna",
        "delivery-error" => "avviso di mancata consegna",
        "delivery-warning" => "preavviso di mancata consegna",
        "virus-detected" => "rilevazione virus",
        "plain" => "messaggio ordinario (non PEC)",
        "p7m" => "documento firmato (p7m/p7s)",
        _ => "non riconosciuto",
    }
}

fn italian_status(status: &str) -> &'static str {
    match status {
        "intact" => "integra",
        "broken" => "NON integra (contenuto alterato)",
        "unsigned" => "assente",
        "detached" => "staccata (manca il file firmato)",
        _ => "non verificata",
    }
}
