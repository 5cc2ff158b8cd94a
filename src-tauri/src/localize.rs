//! The engine's English texts inside a card or a verdict (reasons, notes, warnings,
//! problems), in the user's language (`get_settings().language`), through the
//! translation the CLI uses too (`crates/lang`). The UI shows these fields verbatim
//! (`ui/IPC.md`), so this is the one place they are translated.
use serde_json::Value as Json;

/// Fields whose text (or list of texts) the engine writes in English.
const ENGINE_TEXT: &[&str] = &["reason", "integrity_reason", "notes", "warnings", "problems"];

/// Translate every [`ENGINE_TEXT`] field of `v`, at any depth.
pub fn engine_texts(v: &mut Json, lang: lang::Lang) {
    if lang == lang::Lang::En {
        return;
    }
    match v {
        Json::Object(map) => {
            for (k, x) in map.iter_mut() {
                if ENGINE_TEXT.contains(&k.as_str()) {
                    translate(x, lang);
                } else {
                    engine_texts(x, lang);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|x| engine_texts(x, lang)),
        _ => {}
    }
}

fn translate(v: &mut Json, lang: lang::Lang) {
    match v {
        Json::String(s) => *s = lang.text(s),
        Json::Array(items) => items.iter_mut().for_each(|x| translate(x, lang)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reasons_notes_warnings_and_problems_at_any_depth() {
        let mut v = json!({
            "card": { "problems": ["signature part missing or not decodable"], "subject": "not signed" },
            "receipts": [{ "signature": {
                "trust": { "reason": "issuer certificate not found: CN=X", "notes": ["certificate expired since 2020-12-03"] },
                "signers": [{ "integrity_reason": "signature value does not match", "warnings": ["signingTime is in the future"] }],
                "warnings": [], "status": "broken" } }],
        });
        engine_texts(&mut v, lang::Lang::It);
        assert_eq!(v["card"]["problems"][0], "parte della firma mancante o non decodificabile");
        // Not an engine text field: left alone, even when it reads like one.
        assert_eq!(v["card"]["subject"], "not signed");
        let sig = &v["receipts"][0]["signature"];
        assert_eq!(sig["trust"]["reason"], "certificato dell'emittente non trovato: CN=X");
        assert_eq!(sig["trust"]["notes"][0], "certificato scaduto dal 2020-12-03");
        assert_eq!(sig["signers"][0]["integrity_reason"], "il valore della firma non corrisponde");
        assert_eq!(sig["signers"][0]["warnings"][0], "la data di firma (signingTime) è nel futuro");
        assert_eq!(sig["status"], "broken");
    }

    #[test]
    fn english_is_left_as_the_engine_wrote_it() {
        let mut v = json!({ "reason": "not signed", "problems": ["signature broken"] });
        let before = v.clone();
        engine_texts(&mut v, lang::Lang::En);
        assert_eq!(v, before);
    }
}
