//! `cartolina-bench archive CORPUS`: the archive's figures on a forge corpus.
//!
//! Phases, each timed: a cold scan into a fresh archive (all cores, as `cartolina
//! scan` runs it), a rescan with nothing changed, full-text searches (words drawn from
//! the archived subjects, plus filtered queries) for p50/p99 latency, and `status`
//! (every card streamed; and the first page, newest first). Peak RSS is the process's
//! high-water mark after each phase (`VmHWM`), so it includes the scan.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archive::{Archive, CardFilter, Clock, ScanOptions, SearchQuery, Verifier};

fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub fn run(corpus: &Path, archive_dir: Option<PathBuf>, queries: usize, jobs: Option<usize>) {
    let mail = if corpus.join("mail").is_dir() { corpus.join("mail") } else { corpus.to_path_buf() };
    let trust: Vec<PathBuf> = [corpus.join("trust/test-root.pem")].into_iter().filter(|p| p.is_file()).collect();
    let dir = archive_dir.unwrap_or_else(|| std::env::temp_dir().join(format!("cartolina-bench-archive-{}", std::process::id())));
    if dir.exists() {
        // Only ever a folder this benchmark made (it holds our archive.db).
        if !dir.join("archive.db").is_file() {
            eprintln!("{} exists and is not an archive: refusing to remove it", dir.display());
            std::process::exit(2);
        }
        std::fs::remove_dir_all(&dir).expect("remove the previous benchmark archive");
    }
    let verifier = Verifier::new(&trust, chrono::Utc::now().timestamp()).expect("trust files");
    let mut opts = ScanOptions::new(verifier);
    if let Some(j) = jobs {
        opts.jobs = j.max(1);
    }

    let mut a = Archive::open_for_writing(&dir).expect("open archive");
    let t = Instant::now();
    let cold = a.scan(std::slice::from_ref(&mail), &opts, &mut |_| {}).expect("cold scan");
    let cold_s = t.elapsed().as_secs_f64();
    let rss_scan = peak_rss_kb();
    eprintln!(
        "cold scan: {} files, {} messages, {:.1} MB in {cold_s:.2} s = {:.0} files/s, {:.0} messages/s ({} jobs)",
        cold.files_seen,
        cold.messages_read,
        cold.bytes_read as f64 / 1e6,
        cold.files_seen as f64 / cold_s,
        cold.messages_read as f64 / cold_s,
        opts.jobs
    );
    let t = Instant::now();
    let re = a.scan(std::slice::from_ref(&mail), &opts, &mut |_| {}).expect("rescan");
    let rescan_s = t.elapsed().as_secs_f64();
    eprintln!("rescan: {} files unchanged in {rescan_s:.3} s", re.files_skipped);
    drop(a);

    let r = Archive::open_readonly(&dir).expect("open read-only");
    let clock = Clock::system();
    // Query words: the longer words of archived subjects, spread over the archive.
    let mut words: Vec<String> = Vec::new();
    {
        let conn = r.connection();
        let mut st = conn.prepare("SELECT subject FROM cards WHERE subject IS NOT NULL ORDER BY id").expect("sql");
        let subjects: Vec<String> = st.query_map([], |row| row.get(0)).expect("sql").flatten().collect();
        let step = (subjects.len() / queries.max(1)).max(1);
        for s in subjects.iter().step_by(step) {
            if let Some(w) = s.split_whitespace().filter(|w| w.len() > 4 && w.chars().all(char::is_alphanumeric)).max_by_key(|w| w.len()) {
                words.push(w.to_string());
            }
            if words.len() >= queries {
                break;
            }
        }
    }
    let mut lat = Vec::new();
    let mut hits = 0usize;
    for (i, w) in words.iter().enumerate() {
        let q = SearchQuery {
            text: w.clone(),
            state: (i % 4 == 1).then(|| "all-delivered".to_string()),
            kind: (i % 4 == 2).then(|| "acceptance".to_string()),
            limit: 50,
            ..Default::default()
        };
        let t = Instant::now();
        hits += r.search(&q, &clock).expect("search").len();
        lat.push(t.elapsed());
    }
    lat.sort();
    let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    eprintln!("search: {} queries ({} hits): p50 {p50:.2} ms, p99 {p99:.2} ms", lat.len(), hits);

    let t = Instant::now();
    let mut n = 0u64;
    r.for_each_card(&CardFilter::default(), &clock, &mut |c| {
        n += c.recipients.len() as u64 + 1;
        Ok(())
    })
    .expect("status");
    let status_s = t.elapsed().as_secs_f64();
    let (_, cards, _) = r.counts().expect("counts");
    let t = Instant::now();
    let page = r.cards(&CardFilter { newest_first: true, limit: Some(100), ..Default::default() }, &clock).expect("page");
    let page_ms = t.elapsed().as_secs_f64() * 1000.0;
    eprintln!("status: {cards} cards in {status_s:.3} s; first page of {} newest in {page_ms:.2} ms", page.len());
    let rss = peak_rss_kb();
    let db_bytes = std::fs::metadata(dir.join("archive.db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "bench": "archive",
            "corpus": corpus.display().to_string(),
            "jobs": opts.jobs,
            "files": cold.files_seen,
            "messages": cold.messages_read,
            "bytes": cold.bytes_read,
            "cold_scan_seconds": cold_s,
            "cold_scan_files_per_second": cold.files_seen as f64 / cold_s,
            "cold_scan_messages_per_second": cold.messages_read as f64 / cold_s,
            "rescan_seconds": rescan_s,
            "search_queries": lat.len(),
            "search_p50_ms": p50,
            "search_p99_ms": p99,
            "status_cards": cards,
            "status_seconds": status_s,
            "status_first_page_ms": page_ms,
            "peak_rss_kb_after_scan": rss_scan,
            "peak_rss_kb": rss,
            "database_bytes": db_bytes,
            "archive": dir.display().to_string(),
        })
    );
    let _ = n;
}
