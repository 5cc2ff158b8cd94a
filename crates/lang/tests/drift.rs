//! Every verdict text the engine writes has an Italian template: this reads the
//! sources of `crates/verify`, `crates/archive` and the app shell, picks the string
//! literals passed where reasons, notes, warnings and problems are made, and checks
//! that [`lang::italian`] translates each (its `{...}` places filled with a sample).
//! A new or reworded text in the engine fails here until the table has it.
use std::path::Path;

/// Where a verdict text is made, in the engine's sources.
const MAKERS: &[&str] = &[
    "Trust::simple(",
    "broken(r,",
    "warnings.push(",
    "notes.push(",
    "problems.push(",
    "integrity_reason = Some(",
    "integrity_reason: Some(",
    "detail: Some(",
    "return failed(",
    "#[error(",
    "unsigned_report(",
    "PathError::",
    "Revocation::Revoked, Some(",
    "revoked\".into",
];

const FILES: &[&str] = &[
    "crates/verify/src/chain.rs",
    "crates/verify/src/cms.rs",
    "crates/verify/src/crl.rs",
    "crates/verify/src/smime.rs",
    "crates/verify/src/timestamp.rs",
    "crates/verify/src/attrs.rs",
    "crates/verify/src/verdict.rs",
    "crates/verify/src/p7m.rs",
    "crates/verify/src/error.rs",
    "crates/archive/src/pairing.rs",
    "crates/archive/src/signature.rs",
    "src-tauri/src/glue.rs",
    "src-tauri/src/commands.rs",
];

/// The string literal starting at `s` (after an optional `format!(`), with its `{...}`
/// places replaced by a sample word; `None` when `s` starts with no literal.
fn literal_at(s: &str) -> Option<String> {
    let s = s.trim_start();
    let s = s.strip_prefix("format!(").map(str::trim_start).unwrap_or(s);
    let mut chars = s.strip_prefix('"')?.chars();
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                c => out.push(c),
            },
            '{' => {
                if chars.clone().next() == Some('{') {
                    chars.next();
                    out.push('{');
                    continue;
                }
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push_str("Xyz");
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// The literals after each maker in `src` (skipping to the first literal within the
/// call's first two arguments: `Trust::simple(STATUS, "...")`).
fn texts(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for maker in MAKERS {
        for (at, _) in src.match_indices(maker) {
            // The maker's own definition (`fn unsigned_report(reason: &str)`).
            if src[..at].ends_with("fn ") {
                continue;
            }
            let rest = &src[at + maker.len()..];
            if let Some(t) = literal_at(rest) {
                out.push(t);
                continue;
            }
            // `Trust::simple(TrustStatus::X, "...")`, `PathError::X(s) => format!("...")`.
            let window = &rest[..rest.len().min(160)];
            let after = window.find(", ").map(|i| &window[i + 2..]).or_else(|| window.find("=> ").map(|i| &window[i + 3..]));
            if let Some(t) = after.and_then(literal_at) {
                out.push(t);
            }
        }
    }
    out
}

#[test]
fn every_engine_text_has_an_italian_template() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut missing = Vec::new();
    let mut seen = 0;
    for f in FILES {
        let src = std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        // Tests write texts of their own.
        let src = src.split("#[cfg(test)]").next().unwrap_or_default();
        for t in texts(src) {
            // Texts without a word (a bare `{e}`, an empty reason) are not ours to translate.
            if t.is_empty() || t.chars().all(|c| !c.is_ascii_lowercase() || "Xyz".contains(c)) {
                continue;
            }
            // Italian already (the shell's messages to the user).
            if t.contains('à') || t.contains('è') || t.contains(" non ") || t.starts_with("non ") {
                continue;
            }
            seen += 1;
            if lang::italian(&t) == t {
                missing.push(format!("{f}: {t:?}"));
            }
        }
    }
    assert!(seen > 40, "found only {seen} engine texts: is the reader of the sources broken?");
    assert!(missing.is_empty(), "engine texts with no Italian template in crates/lang/src/table.rs:\n{}", missing.join("\n"));
}
