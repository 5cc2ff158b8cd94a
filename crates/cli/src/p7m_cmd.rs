//! `cartolina p7m extract FILE [-o OUT] [--force]`: writes the innermost content of a
//! `.p7m` under its original name (every `.p7m` stripped) and prints the verdict.
//!
//! `-o` is a file, or an existing directory to write into. An existing file is never
//! overwritten without `--force`. Exit status: 0 when extracted (whatever the verdict:
//! it is printed), 1 when nothing could be extracted, 2 on usage errors.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::record::{InspectRecord, SignatureReport};
use crate::sigcheck::{self, Checker};
use crate::verify_cmd::{self, Lang};

pub fn extract(file: &Path, out_arg: Option<&Path>, force: bool, trust: &[PathBuf], lang: Lang) -> io::Result<()> {
    let l = |it: &'static str, en: &'static str| if lang == Lang::It { it } else { en };
    let checker = Checker::from_args_or_exit(trust);
    let bytes = std::fs::read(file).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("content").to_string();
    // A `.p7m` whatever its name: a `.p7s`-named file is verified as a document too.
    let as_p7m = if name.to_ascii_lowercase().ends_with(".p7s") { file.with_extension("p7m") } else { file.to_path_buf() };
    let verdict = match sigcheck::guarded(|| sigcheck::check_document(&as_p7m, &bytes, &checker)) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(io::Error::other(format!("{}: {} {e}", file.display(), l("non è un file firmato leggibile:", "not a readable signed file:")))),
        None => return Err(io::Error::other(format!("{}: internal error while verifying", file.display()))),
    };
    if verdict.info.content_len == 0 && verdict.signature.status == verify::Integrity::Detached {
        return Err(io::Error::other(format!(
            "{}: {}",
            file.display(),
            l("firma staccata (.p7s): nessun contenuto da estrarre", "detached signature (.p7s): no content to extract")
        )));
    }
    let mut original = verify::p7m::original_file_name(&name);
    if original == name || original.is_empty() {
        original = format!("{name}.content");
    }
    let dest = match out_arg {
        Some(o) if o.is_dir() => o.join(&original),
        Some(o) => o.to_path_buf(),
        None => file.with_file_name(&original),
    };
    if same_file(&dest, file) {
        return Err(io::Error::other(format!("{}: {}", dest.display(), l("è il file firmato stesso", "is the signed file itself"))));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut f = match opts.open(&dest) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(io::Error::new(
                e.kind(),
                format!("{}: {}", dest.display(), l("esiste già (usa --force per sovrascriverlo)", "already exists (use --force to overwrite it)")),
            ))
        }
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", dest.display()))),
    };
    f.write_all(&verdict.content)?;
    f.sync_all()?;

    let record = InspectRecord {
        kind: "p7m",
        error: None,
        signature: SignatureReport::from_verdict(verdict.signature),
        document: Some(verdict.info),
        ..InspectRecord::failed(file.display().to_string(), None, String::new())
    };
    let mut out = io::stdout().lock();
    verify_cmd::print_summary(&mut out, &record, lang)?;
    writeln!(out, "  {}: {} ({} byte)", l("Estratto in", "Extracted to"), dest.display(), verdict.content.len())?;
    if record.signature.status != "intact" {
        writeln!(out, "  {}", l("ATTENZIONE: la firma non è integra, il contenuto potrebbe essere alterato", "WARNING: the signature is not intact, the content may have been altered"))?;
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
