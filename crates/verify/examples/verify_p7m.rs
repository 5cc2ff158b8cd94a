//! Prints the JSON verdict for a `.p7m` (or, with a second file, a `.p7s` over it).
//!
//! `cargo run -p cartolina-verify --example verify_p7m -- FILE.p7m [--anchor CA.pem]...`
//! `cargo run -p cartolina-verify --example verify_p7m -- FILE.p7s --data FILE [--anchor CA.pem]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: verify_p7m FILE [--data FILE] [--anchor PEM]...")?;
    let mut store = verify::TrustStore::with_bundled_anchors();
    let mut data = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--anchor" => {
                store.add_anchors(&std::fs::read(args.next().ok_or("--anchor needs a file")?)?)?;
            }
            "--data" => data = Some(std::fs::read(args.next().ok_or("--data needs a file")?)?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let bytes = std::fs::read(&file)?;
    let opts = verify::VerifyOptions::default();
    let json = match data {
        Some(d) => serde_json::to_string_pretty(&verify::p7m::verify_p7s(&bytes, &d, &store, &opts)?)?,
        None => serde_json::to_string_pretty(&verify::p7m::verify_p7m(&bytes, Some(&file), &store, &opts)?)?,
    };
    println!("{json}");
    Ok(())
}
