//! Italian for the texts the engine writes in English: signature verdict reasons
//! (`trust.reason`, `integrity_reason`), notes, warnings and the problems the archive
//! lists on a card. Shared by the `cartolina` CLI (`--lang it`) and the desktop app, so
//! there is one translation, next to neither the engine (which must not know about
//! languages) nor the UI (which only shows what it is given).
//!
//! The engine's texts are templates with variable parts (a certificate subject, a date,
//! a count, a nested reason). [`italian`] matches a text against the English templates
//! of [`table::MESSAGES`] and fills the Italian one with the captured parts, each
//! translated in turn (a nested reason such as `signature unreadable: malformed ASN.1:
//! ...`). A text no template matches is returned unchanged: an untranslated detail is
//! better than a lost one. `tests/drift.rs` reads the engine's sources and fails when
//! one of its texts has no template.
mod table;

pub use table::MESSAGES;

/// The language the user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
}

impl Lang {
    /// `it` or `en` (anything else is Italian, the default).
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::It
        }
    }

    /// An engine text in this language (the engine writes English).
    pub fn text(self, engine: &str) -> String {
        match self {
            Lang::It => italian(engine),
            Lang::En => engine.to_string(),
        }
    }
}

/// Nested reasons are rarely more than three deep; the bound keeps a hostile text
/// (they can quote certificate subjects) from costing more than a few passes.
const MAX_DEPTH: u8 = 6;

/// An engine text in Italian (unchanged when no template matches it).
pub fn italian(text: &str) -> String {
    translate(text, 0)
}

fn translate(text: &str, depth: u8) -> String {
    if depth > MAX_DEPTH || !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return text.to_string();
    }
    for (en, it) in MESSAGES {
        if let Some(parts) = capture(en, text) {
            let parts: Vec<String> = parts.iter().map(|p| translate(p, depth + 1)).collect();
            return fill(it, &parts);
        }
    }
    text.to_string()
}

/// The parts of `text` in the `{}` places of `template`, or `None` when it does not
/// match. Each place takes at least one character and stops at the first occurrence of
/// the literal after it; the last literal must end the text.
fn capture<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let mut lits = template.split("{}");
    let first = lits.next().unwrap_or_default();
    let rest: Vec<&str> = lits.collect();
    let body = text.strip_prefix(first)?;
    let Some((last, mids)) = rest.split_last() else {
        return body.is_empty().then(Vec::new);
    };
    let body = body.strip_suffix(last)?;
    let mut parts = Vec::with_capacity(rest.len());
    let mut pos = 0;
    for lit in mids {
        // At least one character before the literal.
        let from = pos + body[pos..].chars().next()?.len_utf8();
        let at = from + body.get(from..)?.find(lit)?;
        parts.push(&body[pos..at]);
        pos = at + lit.len();
    }
    let tail = &body[pos..];
    if tail.is_empty() {
        return None;
    }
    parts.push(tail);
    Some(parts)
}

/// `template` with `{1}`, `{2}`, ... replaced by the parts.
fn fill(template: &str, parts: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + parts.iter().map(String::len).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let n = after.find('}').and_then(|close| after[..close].parse::<usize>().ok().map(|n| (n, close)));
        match n {
            Some((n, close)) if n >= 1 && n <= parts.len() => {
                out.push_str(&parts[n - 1]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_between_literals() {
        assert_eq!(capture("a {} b {}", "a x b y"), Some(vec!["x", "y"]));
        assert_eq!(capture("a {} b {}", "a x b "), None, "an empty part is no match");
        assert_eq!(capture("{} ({})", "signer untrusted (a (b))"), Some(vec!["signer untrusted", "a (b)"]));
        assert_eq!(capture("exact", "exact"), Some(vec![]));
        assert_eq!(capture("exact", "exactly"), None);
        assert_eq!(capture("x: {}", "y: 1"), None);
        // Multi-byte text in a part.
        assert_eq!(capture("certificato {}: {}", "certificato è: ò"), Some(vec!["è", "ò"]));
    }

    #[test]
    fn fills_in_any_order() {
        assert_eq!(fill("{2} then {1}", &["a".into(), "b".into()]), "b then a");
        assert_eq!(fill("{3} {x} {", &["a".into()]), "{3} {x} {");
    }

    #[test]
    fn nested_reasons_are_translated_part_by_part() {
        assert_eq!(
            italian("signature unreadable: malformed ASN.1: expected tag 0x30"),
            "firma illeggibile: ASN.1 malformato: expected tag 0x30"
        );
        assert_eq!(
            italian("chain ends at a root that is not trusted: CN=Test Root,O=Forge"),
            "la catena termina in una radice non attendibile: CN=Test Root,O=Forge"
        );
    }

    #[test]
    fn unknown_text_is_kept() {
        assert_eq!(italian("something new from the engine"), "something new from the engine");
        assert_eq!(italian(""), "");
        assert_eq!(italian("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00Z");
        assert_eq!(Lang::En.text("not signed"), "not signed");
        assert_eq!(Lang::from_code("EN"), Lang::En);
        assert_eq!(Lang::from_code("de"), Lang::It);
    }

    #[test]
    fn card_problems() {
        assert_eq!(
            italian("receipt-not-proof: delivery 17: signer untrusted (chain ends at a root that is not trusted: CN=X); not proof"),
            "ricevuta non probante: consegna (messaggio 17): firmatario non attendibile (la catena termina in una radice non attendibile: CN=X); non vale come prova"
        );
        assert_eq!(
            italian("header-mismatch: acceptance 3: oggetto: header \"a\" vs daticert \"b\"; mittente: header \"c\" vs daticert \"d\""),
            "intestazioni diverse dai dati certificati: accettazione (messaggio 3): oggetto: intestazione \"a\", dati certificati \"b\"; mittente: intestazione \"c\", dati certificati \"d\""
        );
    }

    #[test]
    fn a_deeply_nested_text_stops() {
        let deep = "signature unreadable: ".repeat(50) + "x";
        let out = italian(&deep);
        assert!(out.starts_with("firma illeggibile: firma illeggibile: "));
        assert!(out.ends_with("signature unreadable: x"));
    }

    #[test]
    fn templates_are_well_formed() {
        for (en, it) in MESSAGES {
            let places = en.matches("{}").count();
            for n in 1..=places {
                assert!(it.contains(&format!("{{{n}}}")), "{en:?}: the Italian lacks {{{n}}}");
            }
            assert!(!it.contains(&format!("{{{}}}", places + 1)), "{en:?}: the Italian has too many places");
            assert!(!en.contains("{}{}"), "{en:?}: two places in a row cannot be told apart");
        }
    }
}
