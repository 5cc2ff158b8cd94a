//! Rough throughput of parse+classify over the real samples (release mode):
//! `cargo run --release -p cartolina-pec --example bench_samples [dir] [iterations]`.
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "/work/shared/samples/real".into());
    let iterations: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let mut messages = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("sample dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "eml") {
            messages.push((path.display().to_string(), std::fs::read(&path).expect("read")));
        }
    }
    for (name, raw) in &messages {
        let mut kinds = 0usize;
        let start = Instant::now();
        for _ in 0..iterations {
            let m = pec::parse_message(std::hint::black_box(raw)).expect("parse");
            kinds += m.kind as usize;
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / iterations as f64;
        println!("{per:8.2} µs/msg  {:>8.0} msg/s  {:6} bytes  {name} ({kinds})", 1e6 / per, raw.len());
    }
}
