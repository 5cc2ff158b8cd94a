//! `cartolina-bench watch`: the live-sources engine.
//!
//! 1. Latency: a receipt delivered into a watched Maildir (`tmp/` then rename into
//!    `new/`, as an MDA does) until the watcher emits its `Message` event; p50/p95/max.
//!    Then to the archive: a real (forge, signed) receipt landing in a watched Maildir
//!    until its card is updated in the archive, through a sink doing what `cartolina
//!    watch` does (`Archive::ingest_bytes`, then the card read back); p50/p95 (goal p95
//!    < 500 ms). Needs `cartolina-forge` next to this binary (same target folder), else
//!    skipped with a message.
//! 2. Incremental mbox: a large generated mbox is read once; one message is appended and
//!    the bytes the watcher reads for it are counted (goal: the message plus a few KiB of
//!    fingerprints, independent of the mbox size).
//! 3. Idle CPU of a watcher over a quiet Maildir, from `/proc/self/stat` over 10 s.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use sources::{channel_watcher, Event, SourceConfig, WatchOptions};

pub struct Args {
    pub dir: Option<PathBuf>,
    pub receipts: usize,
    pub mbox_mb: u64,
    pub idle_secs: u64,
    pub debounce_ms: u64,
}

fn receipt(i: usize) -> String {
    format!(
        "Return-Path: <posta-certificata@pec.aruba.it>\r\nMessage-ID: <opec{i}.20241112@pec.aruba.it>\r\nX-Ricevuta: avvenuta-consegna\r\n\
X-Riferimento-Message-ID: <m{i}@studio.example>\r\nSubject: CONSEGNA: prova {i}\r\nFrom: posta-certificata@pec.aruba.it\r\n\r\n{}\r\n",
        "Il giorno 12/11/2024 alle ore 10:00:00 il messaggio e' stato consegnato.\r\n".repeat(40)
    )
}

fn opts(state: &Path, debounce_ms: u64) -> WatchOptions {
    let mut o = WatchOptions::new(state);
    o.debounce = Duration::from_millis(debounce_ms);
    o
}

fn next_message(rx: &Receiver<Event>, timeout: Duration) -> Option<Event> {
    let end = Instant::now() + timeout;
    loop {
        match rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
            Ok(ev @ Event::Message { .. }) => return Some(ev),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

fn cpu_ticks() -> u64 {
    // utime + stime of this process (all threads), fields 14 and 15 of /proc/self/stat.
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

pub fn run(args: Args) -> std::io::Result<()> {
    let base = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("cartolina-watch-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&base)?;
    let r = run_in(&base, &args);
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
    r
}

fn run_in(base: &Path, args: &Args) -> std::io::Result<()> {
    let err = |e: sources::SourceError| std::io::Error::other(e.to_string());
    // 1. Latency.
    let md = base.join("Maildir");
    for s in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(s))?;
    }
    // A mailbox that already holds mail, as a real one does.
    for i in 0..2000 {
        std::fs::write(md.join("cur").join(format!("1700000000.M{i}P1.bench:2,S")), receipt(i))?;
    }
    let cfg = SourceConfig::for_path(&md).map_err(err)?;
    let (w, rx) = channel_watcher(vec![cfg], opts(&base.join("state"), args.debounce_ms)).map_err(err)?;
    let t0 = Instant::now();
    for _ in 0..2000 {
        next_message(&rx, Duration::from_secs(60)).ok_or_else(|| std::io::Error::other("initial scan stalled"))?;
    }
    println!("watch: initial scan of 2000 Maildir messages: {:.2}s", t0.elapsed().as_secs_f64());
    let mut lat = Vec::new();
    for i in 0..args.receipts {
        let name = format!("{}.M{i}P2.bench", 1_800_000_000 + i);
        std::fs::write(md.join("tmp").join(&name), receipt(100_000 + i))?;
        let start = Instant::now();
        std::fs::rename(md.join("tmp").join(&name), md.join("new").join(&name))?;
        next_message(&rx, Duration::from_secs(10)).ok_or_else(|| std::io::Error::other("receipt not seen within 10 s"))?;
        lat.push(start.elapsed());
        // Receipts arrive apart, not in one batch: let the watcher go idle in between.
        std::thread::sleep(Duration::from_millis(20 + (i as u64 * 37) % 100));
    }
    lat.sort();
    println!(
        "watch: latency receipt -> event over {} receipts (debounce {} ms): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        lat.len(),
        args.debounce_ms,
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.95).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );

    archive_latency(base, args)?;

    // 3. Idle CPU (same watcher, now quiet).
    std::thread::sleep(Duration::from_millis(500));
    let hz = 100.0; // USER_HZ on Linux
    let (c0, t0) = (cpu_ticks(), Instant::now());
    std::thread::sleep(Duration::from_secs(args.idle_secs));
    let (c1, secs) = (cpu_ticks(), t0.elapsed().as_secs_f64());
    let cpu_s = (c1 - c0) as f64 / hz;
    println!("watch: idle CPU over {secs:.0} s: {:.0} ms ({:.3}% of one core)", cpu_s * 1e3, cpu_s / secs * 100.0);
    w.stop().map_err(err)?;

    // 2. Incremental mbox append.
    if args.mbox_mb > 0 {
        let tb = base.join("mbox");
        std::fs::create_dir_all(&tb)?;
        let inbox = tb.join("Inbox");
        let t0 = Instant::now();
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&inbox)?);
        let target = args.mbox_mb * 1024 * 1024;
        let (mut written, mut i) = (0u64, 0usize);
        while written < target {
            let m = format!("From - Tue Nov 12 10:00:00 2024\r\nX-Mozilla-Status: 0001\r\n{}\r\n", receipt(i));
            f.write_all(m.as_bytes())?;
            written += m.len() as u64;
            i += 1;
        }
        f.flush()?;
        drop(f);
        println!("watch: generated a {} MB mbox of {i} messages in {:.1}s", written >> 20, t0.elapsed().as_secs_f64());
        let cfg = SourceConfig::for_path(&inbox).map_err(err)?;
        let state = base.join("state-mbox");
        let t0 = Instant::now();
        let (w, rx) = channel_watcher(vec![cfg.clone()], opts(&state, args.debounce_ms)).map_err(err)?;
        for _ in 0..i {
            next_message(&rx, Duration::from_secs(120)).ok_or_else(|| std::io::Error::other("mbox scan stalled"))?;
        }
        let full = w.stats().bytes_read;
        println!("watch: first read of the mbox: {} messages, {} MB read, {:.1}s", i, full >> 20, t0.elapsed().as_secs_f64());
        let one = format!("From - Wed Nov 13 09:00:00 2024\r\n{}\r\n", receipt(999_999));
        let start = Instant::now();
        std::fs::OpenOptions::new().append(true).open(&inbox)?.write_all(one.as_bytes())?;
        next_message(&rx, Duration::from_secs(30)).ok_or_else(|| std::io::Error::other("appended message not seen"))?;
        let delta = w.stats().bytes_read - full;
        println!(
            "watch: append of 1 message ({} bytes) to the {} MB mbox: {} bytes read ({} over the message), seen after {:.0} ms",
            one.len(),
            written >> 20,
            delta,
            delta as i64 - one.len() as i64,
            start.elapsed().as_secs_f64() * 1e3
        );
        w.stop().map_err(err)?;
        // And after a restart: resumed from the saved offset, nothing re-read.
        let t0 = Instant::now();
        let (w, _rx) = channel_watcher(vec![cfg], opts(&state, args.debounce_ms)).map_err(err)?;
        std::thread::sleep(Duration::from_millis(3 * args.debounce_ms));
        println!("watch: restart over the same mbox: {} bytes read, {} messages re-sent, {:.0} ms", w.stats().bytes_read, w.stats().messages, t0.elapsed().as_secs_f64() * 1e3);
        w.stop().map_err(err)?;
    }
    Ok(())
}

/// Receipt landing in a watched Maildir -> card updated in the archive.
fn archive_latency(base: &Path, args: &Args) -> std::io::Result<()> {
    let err = |e: sources::SourceError| std::io::Error::other(e.to_string());
    let aerr = |e: archive::Error| std::io::Error::other(e.to_string());
    let forge = std::env::current_exe()?.with_file_name("cartolina-forge");
    if !forge.is_file() {
        println!("watch: latency receipt -> card: skipped ({} not built: cargo build --release -p cartolina-forge)", forge.display());
        return Ok(());
    }
    let corpus = base.join("corpus");
    let messages = (args.receipts / 2).clamp(10, 200);
    let out = std::process::Command::new(&forge)
        .args(["--seed", "7", "--messages", &messages.to_string(), "--format", "eml", "-q", "--out"])
        .arg(&corpus)
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!("forge failed: {}", String::from_utf8_lossy(&out.stderr))));
    }
    // Receipts only (acceptances, deliveries, errors), in the order forge names them.
    let mut receipts: Vec<PathBuf> = std::fs::read_dir(corpus.join("mail/Inbox"))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    receipts.sort();
    receipts.truncate(args.receipts.max(1));
    let verifier = archive::Verifier::new(&[corpus.join("trust/test-root.pem")], chrono::Utc::now().timestamp()).map_err(aerr)?;
    let mut arc = archive::Archive::open_for_writing(&base.join("archive")).map_err(aerr)?;
    let clock = archive::Clock::system();
    let md = base.join("Maildir-archive");
    for s in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(s))?;
    }
    let (tx, rx) = std::sync::mpsc::channel::<Result<Vec<(i64, String)>, String>>();
    let sink = move |ev: Event| -> Result<(), sources::SinkError> {
        if let Event::Message { location, bytes, .. } = ev {
            let r = arc
                .ingest_bytes(&[(archive::LiveLocation::new(&location.path, location.offset), bytes.as_slice())], &verifier)
                .and_then(|o| o.items[0].cards.iter().map(|id| arc.card(&id.to_string(), &clock).map(|(c, _)| (*id, c.state))).collect());
            let failed = r.as_ref().err().map(|e| sources::SinkError(e.to_string()));
            let _ = tx.send(r.map_err(|e| e.to_string()));
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Ok(())
    };
    let cfg = SourceConfig::for_path(&md).map_err(err)?;
    let w = sources::Watcher::start(vec![cfg], opts(&base.join("state-archive"), args.debounce_ms), sink).map_err(err)?;
    let mut lat = Vec::new();
    let mut with_card = 0;
    for (i, r) in receipts.iter().enumerate() {
        let name = format!("{}.M{i}P3.bench", 1_900_000_000 + i);
        std::fs::copy(r, md.join("tmp").join(&name))?;
        let start = Instant::now();
        std::fs::rename(md.join("tmp").join(&name), md.join("new").join(&name))?;
        let cards = rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| std::io::Error::other("receipt not archived within 10 s"))?
            .map_err(std::io::Error::other)?;
        lat.push(start.elapsed());
        if !cards.is_empty() {
            with_card += 1;
        }
        std::thread::sleep(Duration::from_millis(20 + (i as u64 * 37) % 100));
    }
    w.stop().map_err(err)?;
    lat.sort();
    println!(
        "watch: latency receipt -> card updated in the archive over {} signed receipts ({with_card} on a card, debounce {} ms): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (goal p95 < 500 ms)",
        lat.len(),
        args.debounce_ms,
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.95).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    Ok(())
}
