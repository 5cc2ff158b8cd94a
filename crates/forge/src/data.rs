//! Italian names, companies, public offices and subjects the corpus is made of.

use rand::seq::SliceRandom;
use rand::Rng;

pub const FIRST_NAMES: &[&str] = &[
    "Mario", "Luigi", "Giuseppe", "Giovanni", "Francesco", "Antonio", "Alessandro", "Andrea", "Marco", "Matteo",
    "Lorenzo", "Davide", "Stefano", "Paolo", "Roberto", "Luca", "Simone", "Federico", "Riccardo", "Nicola",
    "Maria", "Anna", "Giulia", "Francesca", "Chiara", "Sara", "Laura", "Valentina", "Elena", "Alessandra",
    "Silvia", "Federica", "Martina", "Paola", "Roberta", "Elisa", "Ilaria", "Caterina", "Serena", "Beatrice",
];

pub const SURNAMES: &[&str] = &[
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
];

pub const COMPANY_STEMS: &[&str] = &[
    "Edilizia Lombarda", "Tecnoimpianti", "Alfa Costruzioni", "Studio Associato Bianchi", "Meccanica Veneta",
    "Trasporti Adriatici", "Ortofrutta del Sud", "Vetreria Toscana", "Informatica Sistemi", "Farmacia San Marco",
    "Elettroforniture Padane", "Agricola Valle Verde", "Serramenti Moderni", "Logistica Emiliana", "Ceramiche Sassuolo",
    "Studio Legale Conti", "Autofficina Rizzo", "Idraulica Marino", "Consulenze Fiscali", "Panificio Santoro",
];

pub const COMPANY_FORMS: &[&str] = &["S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s."];

/// (name, slug) of Comuni that appear as PEC recipients.
pub const COMUNI: &[(&str, &str)] = &[
    ("Milano", "milano"), ("Roma", "roma"), ("Torino", "torino"), ("Bologna", "bologna"), ("Firenze", "firenze"),
    ("Bergamo", "bergamo"), ("Verona", "verona"), ("Padova", "padova"), ("Bari", "bari"), ("Palermo", "palermo"),
    ("Ponte San Pietro", "pontesanpietro"), ("Cortona", "cortona"), ("Forlì", "forli"), ("Cantù", "cantu"),
];

pub const TRIBUNALI: &[(&str, &str)] = &[
    ("Milano", "milano"), ("Roma", "roma"), ("Napoli", "napoli"), ("Torino", "torino"), ("Bergamo", "bergamo"),
    ("Firenze", "firenze"), ("Bologna", "bologna"), ("Genova", "genova"),
];

/// Ordinary (non-PEC) mail domains: recipients there are `esterno`.
pub const ORDINARY_DOMAINS: &[&str] = &["gmail.com", "libero.it", "hotmail.it", "yahoo.it", "tiscali.it", "virgilio.it", "outlook.it", "alice.it"];

pub const MONTHS: &[&str] = &[
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
    "novembre", "dicembre",
];

pub fn pick<'a, R: Rng>(rng: &mut R, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

/// Lower-case ASCII address fragment from a display name.
pub fn slug(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        let c = match c {
            'à' | 'á' => 'a',
            'è' | 'é' => 'e',
            'ì' => 'i',
            'ò' => 'o',
            'ù' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            o.push(c.to_ascii_lowercase());
        } else if (c == ' ' || c == '.') && !o.ends_with('.') && !o.is_empty() {
            o.push('.');
        }
    }
    o.trim_end_matches('.').to_string()
}

/// A fake but well-formed codice fiscale (checksum computed as the real algorithm does).
pub fn codice_fiscale<R: Rng>(rng: &mut R, first: &str, last: &str) -> String {
    fn consonants(s: &str) -> String {
        s.to_uppercase().chars().filter(|c| c.is_ascii_alphabetic() && !"AEIOU".contains(*c)).collect()
    }
    fn vowels(s: &str) -> String {
        s.to_uppercase().chars().filter(|c| "AEIOU".contains(*c)).collect()
    }
    let three = |s: &str, first: bool| {
        let c = consonants(s);
        let c = if first && c.len() >= 4 { format!("{}{}", &c[0..1], &c[2..4]) } else { c };
        format!("{c}{}XXX", vowels(s)).chars().take(3).collect::<String>()
    };
    let months = "ABCDEHLMPRST";
    let mut cf = format!(
        "{}{}{:02}{}{:02}{}{:03}",
        three(last, false),
        three(first, true),
        rng.gen_range(50..99),
        months.chars().nth(rng.gen_range(0..12)).unwrap_or('A'),
        rng.gen_range(1..29),
        ['A', 'F', 'H', 'L'][rng.gen_range(0..4)],
        rng.gen_range(1..999)
    );
    const ODD: [u32; 36] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16,
        10, 22, 25, 24, 23,
    ];
    let mut sum = 0;
    for (i, c) in cf.chars().enumerate() {
        let v = if c.is_ascii_digit() { c as u32 - '0' as u32 } else { c as u32 - 'A' as u32 + 10 };
        sum += if i % 2 == 0 { ODD[v as usize] } else if v >= 10 { v - 10 } else { v };
    }
    cf.push((b'A' + (sum % 26) as u8) as char);
    cf
}

/// A subject and a short body for a message the user sends, by theme.
/// `month0` is the sending month (0-based): subjects mention it or one of the previous
/// three months, never the future.
pub fn sent_subject<R: Rng>(rng: &mut R, year: i32, month0: u32) -> (String, &'static str) {
    let n = rng.gen_range(1..400);
    let back = rng.gen_range(0..4u32);
    let (year, m) = if back > month0 { (year - 1, month0 + 12 - back) } else { (year, month0 - back) };
    let month = MONTHS[m as usize];
    match rng.gen_range(0..12) {
        0 | 1 => (format!("Fattura n. {n}/{year}"), "fattura"),
        2 => (format!("IT0{:010}_{:05}.xml", rng.gen_range(1_000_000_000u64..9_999_999_999), rng.gen_range(1..99999)), "fatturapa"),
        3 => (format!("Diffida ad adempiere - pratica {n}/{year}"), "diffida"),
        4 => ("Richiesta di accesso agli atti ai sensi della L. 241/1990".to_string(), "comune"),
        5 => (format!("Deposito memoria - R.G. {n}/{year}"), "tribunale"),
        6 => (format!("Comunicazione di messa in mora - {month} {year}"), "diffida"),
        7 => (format!("Invio documentazione richiesta - prot. {n}"), "generico"),
        8 => (format!("Contratto di fornitura {year}-{n:03} firmato"), "contratto"),
        9 => (format!("Istanza SUAP - pratica edilizia n. {n}"), "comune"),
        10 => (format!("Sollecito di pagamento fatture {month} {year}"), "fattura"),
        _ => (format!("Convocazione assemblea dei soci del {} {month} {year}", rng.gen_range(1..29)), "generico"),
    }
}

pub fn sent_body(theme: &str, greeting: &str, signer: &str) -> String {
    let core = match theme {
        "fattura" | "fatturapa" => "si trasmette in allegato la fattura in oggetto, emessa per le prestazioni del periodo.\nVi preghiamo di provvedere al saldo entro i termini concordati.",
        "diffida" => "con la presente, in nome e per conto del mio assistito, Vi diffido formalmente\na provvedere al pagamento di quanto dovuto entro e non oltre quindici giorni\ndal ricevimento della presente, con avvertimento che in difetto si procederà\nper le vie legali senza ulteriore avviso.",
        "comune" => "il sottoscritto chiede cortesemente di poter accedere alla documentazione relativa\nalla pratica in oggetto. Resto a disposizione per qualsiasi chiarimento.",
        "tribunale" => "si deposita in allegato l'atto in oggetto, firmato digitalmente,\nunitamente alla nota di iscrizione e ai documenti richiamati.",
        "contratto" => "si trasmette il contratto sottoscritto con firma digitale.\nCordiali saluti e buon lavoro.",
        _ => "come da accordi, si trasmette quanto richiesto.\nRimango a disposizione per ogni eventuale necessità.",
    };
    format!("{greeting},\n\n{core}\n\nCordiali saluti,\n{signer}\n")
}

pub const NEWSLETTERS: &[(&str, &str, &str)] = &[
    ("newsletter@ordineavvocati.example.it", "Ordine degli Avvocati", "Aggiornamento professionale: calendario eventi formativi"),
    ("noreply@fornitore-energia.example.com", "Energia Facile", "La tua bolletta è disponibile online"),
    ("info@camera-commercio.example.it", "Camera di Commercio", "Scadenza diritto annuale: promemoria"),
    ("news@software-gestionale.example.com", "Gestionale Pro", "Novità della versione 2024 e webinar gratuito"),
    ("assistenza@banca.example.it", "Banca Esempio", "Comunicazione periodica: estratto conto disponibile"),
];
