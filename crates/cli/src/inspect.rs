//! `cartolina inspect`: classify every message under the given paths.

use crate::record::{InspectRecord, SignatureReport};
use crate::sniff;
use sources::{EntryKind, MboxReader};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub fn run(paths: &[PathBuf], json: bool) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    for root in paths {
        for entry in sources::walk(root) {
            match entry {
                Err(err) => emit(&mut out, json, &InspectRecord::failed(err_path(&err, root), None, err.to_string()))?,
                Ok(entry) => match entry.kind {
                    EntryKind::SingleFile => inspect_file(&mut out, json, &entry.path)?,
                    EntryKind::Mbox => inspect_mbox(&mut out, json, &entry.path)?,
                },
            }
        }
    }
    out.flush()
}

fn err_path(err: &sources::ReadError, root: &Path) -> String {
    match err {
        sources::ReadError::Io { path, .. } | sources::ReadError::TooLarge { path, .. } if !path.is_empty() => path.clone(),
        _ => root.display().to_string(),
    }
}

fn inspect_file(out: &mut impl Write, json: bool, path: &Path) -> io::Result<()> {
    let shown = path.display().to_string();
    let record = match sources::read_message_file(path) {
        Ok(bytes) => inspect_bytes(shown, None, &bytes),
        Err(err) => InspectRecord::failed(shown, None, err.to_string()),
    };
    emit(out, json, &record)
}

fn inspect_mbox(out: &mut impl Write, json: bool, path: &Path) -> io::Result<()> {
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(err) => return emit(out, json, &InspectRecord::failed(shown, None, err.to_string())),
    };
    for message in MboxReader::new(io::BufReader::with_capacity(256 * 1024, file)) {
        let record = match message {
            Ok(m) => match m.raw {
                Ok(raw) => inspect_bytes(shown.clone(), Some(m.offset), &raw),
                Err(size) => InspectRecord::failed(
                    shown.clone(),
                    Some(m.offset),
                    format!("message of {size} bytes is over the {}-byte limit", sources::MAX_MESSAGE_BYTES),
                ),
            },
            Err(err) => {
                // A read error mid-file: report it and stop reading this file only.
                emit(out, json, &InspectRecord::failed(shown.clone(), None, err.to_string()))?;
                break;
            }
        };
        emit(out, json, &record)?;
    }
    Ok(())
}

fn inspect_bytes(path: String, offset: Option<u64>, bytes: &[u8]) -> InspectRecord<'static> {
    let name = Path::new(&path).file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    if sniff::looks_like_signed_document(&name, bytes) {
        return signed_document_record(path, offset);
    }
    // Defence in depth: the parser is fuzzed not to panic, but if it ever does on some
    // input, that file is reported and the batch goes on.
    match std::panic::catch_unwind(|| message_record(path.clone(), offset, bytes)) {
        Ok(record) => record,
        Err(_) => InspectRecord::failed(path, offset, "internal error while parsing (please report this file)".into()),
    }
}

fn signed_document_record(path: String, offset: Option<u64>) -> InspectRecord<'static> {
    InspectRecord {
        kind: "p7m",
        signature: SignatureReport { status: "not-checked" },
        error: None,
        ..InspectRecord::failed(path, offset, String::new())
    }
}

fn message_record(path: String, offset: Option<u64>, bytes: &[u8]) -> InspectRecord<'static> {
    let msg = match pec::parse_message(bytes) {
        Ok(m) => m,
        Err(err) => return InspectRecord::failed(path, offset, err.to_string()),
    };
    let status = match msg.signature {
        pec::SignatureEnvelope::Unsigned => "unsigned",
        // Filled in for real once the verifier is wired in.
        _ => "not-checked",
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
        signature: SignatureReport { status },
        error: msg.daticert_error,
    }
}

fn emit(out: &mut impl Write, json: bool, record: &InspectRecord<'_>) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, record).map_err(io::Error::other)?;
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
    writeln!(out, "  firma: {}", italian_status(record.signature.status))?;
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

fn italian_kind(kind: &str) -> &'static str {
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
