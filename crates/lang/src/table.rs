//! The engine's English texts and their Italian, as templates: `{}` marks a variable
//! part in the English, `{1}`, `{2}`, ... place the parts (each translated in turn) in
//! the Italian. The first template that matches wins, so a longer template comes
//! before a shorter one it would otherwise lose to (`..., after the validation time`
//! before `certificate {} revoked on {}`), and the catch-alls (`{}; {}`) come last.
//!
//! Sources: `crates/verify` (verdicts: `chain.rs`, `cms.rs`, `crl.rs`, `smime.rs`,
//! `timestamp.rs`, `attrs.rs`, `verdict.rs`, `p7m.rs`, `error.rs`, `algorithms.rs`),
//! `crates/archive` (card problems: `pairing.rs`, `signature.rs`) and the app shell's
//! own verdicts (`src-tauri/src/glue.rs`).

pub const MESSAGES: &[(&str, &str)] = &[
    // ---- trust (verify: cms.rs, verdict.rs, p7m.rs, chain.rs, crl.rs) -----------------
    ("chain to trust anchor {} valid at {}", "catena valida fino alla radice attendibile {1} alla data {2}"),
    ("all signers of all {} levels trusted", "tutti i firmatari di tutti i {1} livelli di firma sono attendibili"),
    ("all {} signers trusted", "tutti i {1} firmatari sono attendibili"),
    ("signer certificate not found: the signature cannot be checked", "certificato del firmatario non trovato: la firma non può essere verificata"),
    ("signer certificate not found", "certificato del firmatario non trovato"),
    ("not evaluated", "non valutata"),
    ("not signed", "non firmato"),
    ("no signers", "nessun firmatario"),
    ("signature unreadable: {}", "firma illeggibile: {1}"),
    ("unreadable SignerInfo: {}", "SignerInfo illeggibile: {1}"),
    ("unreadable SignerInfo", "SignerInfo illeggibile"),
    ("issuer certificate not found: {}", "certificato dell'emittente non trovato: {1}"),
    ("no path within {} certificates", "nessuna catena di certificati entro {1} certificati"),
    ("chain ends at a root that is not trusted: {}", "la catena termina in una radice non attendibile: {1}"),
    (
        "certificate not yet valid at validation time (valid from {}): {}",
        "certificato non ancora valido alla data di verifica (valido dal {1}): {2}",
    ),
    ("certificate expired at validation time (valid until {}): {}", "certificato scaduto alla data di verifica (valido fino al {1}): {2}"),
    (
        "signer certificate keyUsage allows neither digitalSignature nor nonRepudiation: {}",
        "l'uso della chiave (keyUsage) del certificato del firmatario non consente né digitalSignature né nonRepudiation: {1}",
    ),
    ("issuer is not a CA (basicConstraints): {}", "l'emittente non è un'autorità di certificazione (basicConstraints): {1}"),
    ("CA certificate keyUsage lacks keyCertSign: {}", "l'uso della chiave (keyUsage) del certificato della CA non comprende keyCertSign: {1}"),
    ("path length constraint exceeded at: {}", "vincolo di lunghezza della catena superato in: {1}"),
    ("certificate signature does not verify: {}", "la firma del certificato non è valida: {1}"),
    ("unsupported critical extension {} in: {}", "estensione critica non supportata {1} in: {2}"),
    (
        "path search budget exhausted (too many candidate certificates)",
        "ricerca della catena interrotta (troppi certificati candidati)",
    ),
    ("certificate {} revoked on {}, after the validation time", "certificato {1} revocato il {2}, dopo la data di verifica"),
    ("certificate {} revoked on {}", "certificato {1} revocato il {2}"),
    ("certificate revoked", "certificato revocato"),
    // ---- notes (cms.rs) ---------------------------------------------------------------
    ("no signing time: validated at the current time", "nessuna data di firma: verificato alla data attuale"),
    ("certificate expired since {}", "certificato scaduto dal {1}"),
    // ---- integrity (cms.rs, timestamp.rs, algorithms.rs) ------------------------------
    ("unsupported digest algorithm {}", "algoritmo di impronta non supportato: {1}"),
    ("detached signature: the signed data was not supplied", "firma separata (detached): il file firmato non è stato fornito"),
    ("contentType attribute {} differs from content {}", "l'attributo contentType {1} è diverso dal tipo del contenuto {2}"),
    ("signed attributes lack exactly one contentType", "gli attributi firmati non contengono esattamente un contentType"),
    ("signed attributes lack exactly one messageDigest", "gli attributi firmati non contengono esattamente un messageDigest"),
    ("message digest does not match the content", "l'impronta firmata (messageDigest) non corrisponde al contenuto: il contenuto è stato modificato"),
    ("signature value does not match", "il valore della firma non corrisponde"),
    ("{} does not match the signer certificate", "{1} non corrisponde al certificato del firmatario"),
    ("unsupported algorithm: {}", "algoritmo non supportato: {1}"),
    ("malformed key or signature: {}", "chiave o firma malformata: {1}"),
    ("time-stamp not readable", "marca temporale illeggibile"),
    ("unreadable time-stamp token: {}", "token della marca temporale illeggibile: {1}"),
    ("token content is {} (expected TSTInfo)", "il contenuto del token è {1} (atteso TSTInfo)"),
    ("unreadable TSTInfo", "TSTInfo illeggibile"),
    ("unsupported time-stamp imprint algorithm", "algoritmo dell'impronta della marca temporale non supportato"),
    ("time-stamp imprint does not match the signature", "l'impronta della marca temporale non corrisponde alla firma"),
    // ---- warnings (cms.rs, smime.rs, attrs.rs) -----------------------------------------
    ("BER encoding normalised to DER", "codifica BER normalizzata in DER"),
    ("more than {} certificates: the rest ignored", "più di {1} certificati: i restanti sono ignorati"),
    ("unreadable certificate ignored: {}", "certificato illeggibile ignorato: {1}"),
    ("unreadable embedded CRL ignored: {}", "CRL incorporata illeggibile ignorata: {1}"),
    (
        "signature has encapsulated content: the separate data was ignored",
        "la firma contiene già il documento: il file di dati separato è stato ignorato",
    ),
    ("signingTime is in the future", "la data di firma (signingTime) è nel futuro"),
    ("unreadable time-stamp: {}", "marca temporale illeggibile: {1}"),
    ("counter-signatures nested too deep: not verified", "controfirme annidate troppo in profondità: non verificate"),
    ("unreadable counter-signature: {}", "controfirma illeggibile: {1}"),
    (
        "more than {} counter-signatures/time-stamps: the rest not verified",
        "più di {1} controfirme o marche temporali: le restanti non sono verificate",
    ),
    ("counter-signature carries contentType", "la controfirma contiene un attributo contentType"),
    ("weak key: RSA {} bits", "chiave debole: RSA a {1} bit"),
    ("{} uses an unsupported hash: not checked", "{1} usa un algoritmo di impronta non supportato: non verificato"),
    (
        "signature covers the part with bare LF line endings (not canonical)",
        "la firma copre la parte con fine riga LF semplici (forma non canonica)",
    ),
    // ---- unreadable input (verify: error.rs) ------------------------------------------
    ("input too large: {} ({} > {})", "dati troppo grandi: {1} ({2} > {3})"),
    ("nesting too deep: {}", "annidamento troppo profondo: {1}"),
    ("malformed ASN.1: {}", "ASN.1 malformato: {1}"),
    ("not a CMS SignedData: {}", "non è una firma CMS (SignedData): {1}"),
    ("unrecognised encoding (expected DER, base64 or PEM)", "codifica non riconosciuta (attesi DER, base64 o PEM)"),
    ("bad certificate or CRL: {}", "certificato o CRL non valido: {1}"),
    ("bad trusted list: {}", "Trusted List non valida: {1}"),
    // ---- card problems (archive: pairing.rs, signature.rs) -----------------------------
    ("receipt-not-proof: {} {}: {}; ignored: not proof", "ricevuta non probante: {1} (messaggio {2}): {3}; ignorata: non vale come prova"),
    ("receipt-not-proof: {} {}: {}; not proof", "ricevuta non probante: {1} (messaggio {2}): {3}; non vale come prova"),
    ("signature broken ({})", "firma non integra ({1})"),
    ("signature broken", "firma non integra"),
    ("signature unsigned ({})", "firma assente ({1})"),
    ("signature unsigned", "firma assente"),
    ("signature detached ({})", "firma separata ({1})"),
    ("signature detached", "firma separata"),
    ("signature not-checked ({})", "firma non verificata ({1})"),
    ("signature not-checked", "firma non verificata"),
    ("signature not checked ({})", "firma non verificata ({1})"),
    ("signature not checked", "firma non verificata"),
    ("signer untrusted ({})", "firmatario non attendibile ({1})"),
    ("signer untrusted", "firmatario non attendibile"),
    ("signer indeterminate ({})", "attendibilità del firmatario indeterminata ({1})"),
    ("signer indeterminate", "attendibilità del firmatario indeterminata"),
    ("signature part missing or not decodable", "parte della firma mancante o non decodificabile"),
    ("header-mismatch: {} {}: {}", "intestazioni diverse dai dati certificati: {1} (messaggio {2}): {3}"),
    ("{}: header {} vs daticert {}", "{1}: intestazione {2}, dati certificati {3}"),
    (
        "unsigned-receipt: message {} claims to be a receipt for this message but is not signed: not proof",
        "ricevuta non firmata: il messaggio {1} si presenta come ricevuta di questo messaggio ma non è firmato: non vale come prova",
    ),
    (
        "conflicting-acceptance: both an acceptance and a non-acceptance were found",
        "accettazione contraddittoria: trovate sia una ricevuta di accettazione sia un avviso di non accettazione",
    ),
    (
        "acceptance-missing: receipts without a ricevuta di accettazione (orphan receipts)",
        "accettazione mancante: ricevute senza ricevuta di accettazione (ricevute orfane)",
    ),
    ("receipt-without-consegna: {} {} names no recipient", "ricevuta senza destinatario: {1} (messaggio {2}) non indica il destinatario (consegna)"),
    (
        "unknown-recipient: {} {} is for {}, not listed in the acceptance",
        "destinatario sconosciuto: {1} (messaggio {2}) è per {3}, che non compare nella ricevuta di accettazione",
    ),
    (
        "conflicting-outcomes: {} has both a delivery and a failure receipt",
        "esiti contraddittori: {1} ha sia una ricevuta di consegna sia un avviso di mancata consegna",
    ),
    (
        "anomaly: busta di anomalia: the provider received a message that is not valid PEC",
        "anomalia: busta di anomalia: il gestore ha ricevuto un messaggio che non è PEC valida",
    ),
    // ---- the app shell's own verdicts (src-tauri: glue.rs, commands.rs) -----------------
    ("message not signed", "messaggio non firmato"),
    ("signature part missing or undecodable", "parte di firma mancante o non decodificabile"),
    ("the file holds no signature Cartolina recognises", "il file non contiene una firma riconosciuta"),
    (
        "orphan-receipt: no copy of the sent message in the archive",
        "ricevuta orfana: nessuna copia del messaggio inviato nell'archivio",
    ),
    // ---- receipt kinds, as the problems name them --------------------------------------
    ("acceptance", "accettazione"),
    ("non-acceptance", "non accettazione"),
    ("taking-charge", "presa in carico"),
    ("delivery", "consegna"),
    ("delivery-error", "mancata consegna"),
    ("delivery-warning", "preavviso di mancata consegna"),
    ("virus-detected", "rilevazione di virus"),
    ("transport", "busta di trasporto"),
    ("anomaly", "busta di anomalia"),
    ("unsigned-claim", "ricevuta non firmata"),
    // The original message, as the app names its saved copy (`messaggio-12.eml`).
    ("message", "messaggio"),
    // ---- catch-alls, after every longer template they would shadow ---------------------
    // attrs.rs: `malformed contentType`, `messageDigest`, `signingTime`, `signingCertificate(V2)`.
    ("malformed {}", "attributo {1} malformato"),
    // Joined reasons (archive: signature.rs joins with "; ") ------------
    ("{}; {}", "{1}; {2}"),
];
