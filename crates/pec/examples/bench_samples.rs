//! Rough throughput of parse+classify (release mode):
//! `cargo run --release -p cartolina-pec --example bench_samples [dir] [iterations]`.
//! Every `.eml` under `dir` (recursively) is loaded into memory first; prints
//! per-file figures for up to 10 files, then the aggregate over all of them.
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "/work/shared/samples/real".into());
    let iterations: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let mut messages = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(&dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).expect("read dir") {
                stack.push(entry.expect("entry").path());
            }
        } else if p.extension().is_some_and(|e| e == "eml") {
            messages.push((p.display().to_string(), std::fs::read(&p).expect("read")));
        }
    }
    messages.sort();
    if messages.len() <= 10 {
        for (name, raw) in &messages {
            let start = Instant::now();
            for _ in 0..iterations {
                let m = pec::parse_message(std::hint::black_box(raw)).expect("parse");
                std::hint::black_box(m.kind);
            }
            let per = start.elapsed().as_secs_f64() * 1e6 / iterations as f64;
            println!("{per:8.2} µs/msg  {:>8.0} msg/s  {:6} bytes  {name}", 1e6 / per, raw.len());
        }
    }
    let rounds = (iterations / messages.len().max(1)).max(1);
    let bytes: usize = messages.iter().map(|(_, r)| r.len()).sum();
    let start = Instant::now();
    for _ in 0..rounds {
        for (_, raw) in &messages {
            if let Ok(m) = pec::parse_message(std::hint::black_box(raw)) {
                std::hint::black_box(m.kind);
            }
        }
    }
    let n = rounds * messages.len();
    let per = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "all: {} files, mean {} bytes: {per:.2} µs/msg, {:.0} msg/s (wall clock; compare with `perf stat -e task-clock` on a busy machine)",
        messages.len(),
        bytes / messages.len().max(1),
        1e6 / per
    );
}
