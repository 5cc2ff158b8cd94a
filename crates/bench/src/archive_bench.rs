//! `cartolina-bench archive CORPUS`: the archive's figures on a forge corpus.
//!
//! Phases, each timed, in one run:
//! 1. a cold scan into a fresh archive (all cores, as `cartolina scan` runs it, with
//!    verification and indexing): files/s wall, and files per CPU second of the whole
//!    process (the figure that does not depend on what else the machine runs);
//! 2. a rescan with nothing changed;
//! 3. full-text searches for p50/p99 latency (see [`search_mix`]), then combinations
//!    the mix leaves out, reported apart ([`combos`]), and `status` (every card
//!    streamed; and the first page, newest first);
//! 4. the archive's size (database + blobs) over the raw mail bytes;
//! 5. the same Maildir through `notmuch new` and a sample through `openssl smime
//!    -verify`, with the ratios ([`compare`]);
//! 6. with `--scale-to N`: the archive grown to N messages ([`scale`], documented
//!    there: rows replicated from the scanned ones, not scanned), then search and
//!    status again at that size.
//!
//! Peak RSS is the process's high-water mark (`VmHWM`) after the scans; it is reset
//! before the scaled phase so that phase has its own figure.
mod combos;
mod compare;
mod scale;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archive::{Archive, CardFilter, Clock, ScanOptions, SearchQuery, Verifier};
use serde_json::{json, Value};

pub struct Args {
    pub corpus: PathBuf,
    pub archive: Option<PathBuf>,
    pub queries: usize,
    pub jobs: Option<usize>,
    /// Compare with `notmuch new` (skipped when notmuch is not installed).
    pub notmuch: bool,
    /// Files verified by `openssl smime -verify`, one process each (0: skip).
    pub openssl_sample: usize,
    /// Grow the archive to this many messages for the search figures (0: skip).
    pub scale_to: u64,
    /// Search and status only, on the archive already there (to work on search).
    pub search_only: bool,
}

pub(crate) fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Linux: `5` in `clear_refs` resets the high-water mark to the current RSS.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// CPU time of the whole process (every thread), user + system.
fn process_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is valid on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Bytes of every file under `dir`: (apparent, allocated on disk).
pub(crate) fn tree_bytes(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let mut apparent = 0;
    let mut disk = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                apparent += m.len();
                disk += m.blocks() * 512;
            }
        }
    }
    (apparent, disk)
}

pub fn run(a: Args) {
    let corpus = a.corpus.as_path();
    let mail = if corpus.join("mail").is_dir() { corpus.join("mail") } else { corpus.to_path_buf() };
    let trust: Vec<PathBuf> = [corpus.join("trust/test-root.pem")].into_iter().filter(|p| p.is_file()).collect();
    let dir = a.archive.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("cartolina-bench-archive-{}", std::process::id())));
    if a.search_only {
        // Opening for writing brings an archive of an older schema up to date.
        drop(Archive::open_for_writing(&dir).expect("open archive"));
        let (n, _, _) = Archive::open_readonly(&dir).expect("open read-only").counts().expect("counts");
        let (s, st) = search_and_status(&dir, a.queries, &format!(" at {n} messages"));
        println!("{}", json!({"bench": "archive-search", "messages": n, "search": s, "status": st, "peak_rss_kb": peak_rss_kb()}));
        return;
    }
    let mut previous = None;
    if dir.exists() {
        // Only ever a folder this benchmark made (it holds our archive.db).
        if !dir.join("archive.db").is_file() {
            eprintln!("{} exists and is not an archive: refusing to remove it", dir.display());
            std::process::exit(2);
        }
        // Set aside now, deleted after the run: on ext4 the files of a freshly deleted
        // archive make every file the cold scan creates search the inode bitmaps for
        // one not deleted in the last minute (`recently_deleted`), which tripled the
        // scan's system time (353 s instead of 82 s at 486,364 files).
        let old = dir.with_extension(format!("old-{}", std::process::id()));
        std::fs::rename(&dir, &old).expect("set the previous benchmark archive aside");
        previous = Some(old);
    }
    let verifier = Verifier::new(&trust, chrono::Utc::now().timestamp()).expect("trust files");
    let mut opts = ScanOptions::new(verifier);
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    let load_before = load_average();

    let mut arc = Archive::open_for_writing(&dir).expect("open archive");
    let (t, cpu) = (Instant::now(), process_cpu());
    let cold = arc.scan(std::slice::from_ref(&mail), &opts, &mut |_| {}).expect("cold scan");
    let cold_s = t.elapsed().as_secs_f64();
    let cold_cpu = (process_cpu() - cpu).as_secs_f64();
    let load_after = load_average();
    let rss_scan = peak_rss_kb();
    let files_per_s = cold.files_seen as f64 / cold_s;
    let files_per_cpu_s = cold.files_seen as f64 / cold_cpu.max(1e-9);
    eprintln!(
        "cold scan: {} files, {} messages, {:.1} MB in {cold_s:.2} s = {files_per_s:.0} files/s wall ({} jobs); \
         {cold_cpu:.1} CPU s = {files_per_cpu_s:.0} files per CPU second; load average {load_before} -> {load_after}",
        cold.files_seen,
        cold.messages_read,
        cold.bytes_read as f64 / 1e6,
        opts.jobs
    );
    let t = Instant::now();
    let re = arc.scan(std::slice::from_ref(&mail), &opts, &mut |_| {}).expect("rescan");
    let rescan_s = t.elapsed().as_secs_f64();
    eprintln!("rescan: {} files unchanged in {rescan_s:.3} s", re.files_skipped);
    drop(arc);

    let (searched, status) = search_and_status(&dir, a.queries, "");
    let rss = peak_rss_kb();
    let db_bytes = db_bytes(&dir);
    let (blob_bytes, blob_disk) = tree_bytes(&dir.join("blobs"));
    let (_, raw_disk) = tree_bytes(&mail);
    let size_ratio = (db_bytes + blob_bytes) as f64 / cold.bytes_read.max(1) as f64;
    let disk_ratio = (db_bytes + blob_disk) as f64 / raw_disk.max(1) as f64;
    eprintln!(
        "size: database {:.1} MB + blobs {:.1} MB over {:.1} MB of raw mail = {size_ratio:.2}x (on disk {:.1} MB over {:.1} MB = {disk_ratio:.2}x)",
        db_bytes as f64 / 1e6,
        blob_bytes as f64 / 1e6,
        cold.bytes_read as f64 / 1e6,
        (db_bytes + blob_disk) as f64 / 1e6,
        raw_disk as f64 / 1e6,
    );

    let notmuch = if a.notmuch { compare::notmuch(&mail, cold.files_seen, cold_s) } else { Value::Null };
    let openssl = if a.openssl_sample > 0 { compare::openssl(&mail, corpus, a.openssl_sample, files_per_s) } else { Value::Null };

    let scaled = if a.scale_to > 0 {
        reset_peak_rss();
        let grown = scale::grow(&dir, a.scale_to);
        let (s, st) = search_and_status(&dir, a.queries, &format!(" at {} messages", grown["messages"]));
        json!({"build": grown, "search": s, "status": st, "peak_rss_kb": peak_rss_kb()})
    } else {
        Value::Null
    };

    println!(
        "{}",
        json!({
            "bench": "archive",
            "corpus": corpus.display().to_string(),
            "jobs": opts.jobs,
            "files": cold.files_seen,
            "messages": cold.messages_read,
            "bytes": cold.bytes_read,
            "cold_scan_seconds": cold_s,
            "cold_scan_cpu_seconds": cold_cpu,
            "cold_scan_files_per_second": files_per_s,
            "cold_scan_files_per_cpu_second": files_per_cpu_s,
            "cold_scan_messages_per_second": cold.messages_read as f64 / cold_s,
            "load_average_before_after": [load_before, load_after],
            "rescan_seconds": rescan_s,
            "search": searched,
            "status": status,
            "peak_rss_kb_after_scan": rss_scan,
            "peak_rss_kb": rss,
            "database_bytes": db_bytes,
            "blob_bytes": blob_bytes,
            "blob_disk_bytes": blob_disk,
            "archive_over_raw": size_ratio,
            "archive_over_raw_on_disk": disk_ratio,
            "notmuch": notmuch,
            "openssl": openssl,
            "scaled": scaled,
            "archive": dir.display().to_string(),
        })
    );
    if let Some(old) = previous {
        let _ = std::fs::remove_dir_all(old);
    }
}

/// `archive.db` plus its WAL (what the database occupies after the run).
fn db_bytes(dir: &Path) -> u64 {
    let len = |n: &str| std::fs::metadata(dir.join(n)).map(|m| m.len()).unwrap_or(0);
    len("archive.db") + len("archive.db-wal")
}

/// The query mix: one word from an archived subject (relevance order), the same
/// with a state filter, with a kind filter, two words, a recipient's address, page 3
/// of a word (offset 100), newest first; and every 8th query a filter without words
/// (a state, in turn, newest first). Words are the longer words of subjects spread
/// over the archive.
fn search_mix(conn: &rusqlite::Connection, n: usize) -> Vec<SearchQuery> {
    let mut subjects: Vec<String> = Vec::new();
    let mut recipients: Vec<String> = Vec::new();
    {
        let total: i64 = conn.query_row("SELECT max(id) FROM cards", [], |r| r.get::<_, Option<i64>>(0)).expect("sql").unwrap_or(0);
        let step = (total / n.max(1) as i64).max(1);
        let mut st = conn
            .prepare(
                "SELECT subject, (SELECT address FROM card_recipients r WHERE r.card = c.id ORDER BY pos LIMIT 1)
                 FROM cards c WHERE id % ?1 = 0 AND subject IS NOT NULL ORDER BY id",
            )
            .expect("sql");
        let rows = st.query_map([step], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))).expect("sql");
        for (s, to) in rows.flatten() {
            subjects.push(s);
            recipients.extend(to);
        }
    }
    let word = |s: &str, nth: usize| -> Option<String> {
        let mut ws: Vec<&str> = s.split_whitespace().filter(|w| w.len() > 4 && w.chars().all(char::is_alphanumeric)).collect();
        ws.sort_by_key(|w| std::cmp::Reverse(w.len()));
        ws.get(nth).map(|w| w.to_string())
    };
    let mut out = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        let Some(w) = word(s, 0) else { continue };
        let mut q = SearchQuery { text: w.clone(), limit: 50, ..Default::default() };
        match i % 8 {
            1 => q.state = Some("all-delivered".into()),
            2 => q.kind = Some("acceptance".into()),
            3 => q.text = word(s, 1).map(|w2| format!("{w} {w2}")).unwrap_or(w),
            4 => q.text = recipients.get(i % recipients.len().max(1)).cloned().unwrap_or(w),
            5 => q.offset = 100,
            6 => q.sort = archive::search::Sort::Newest,
            7 => {
                // Filters alone, over the states in turn (a state no message has makes
                // the search walk every message: see the README).
                const STATES: [&str; 5] = ["overdue", "failed", "partially-delivered", "not-accepted", "pending"];
                q.text.clear();
                q.state = Some(STATES[(i / 8) % STATES.len()].into());
                q.sort = archive::search::Sort::Newest;
            }
            _ => {}
        }
        out.push(q);
        if out.len() >= n {
            break;
        }
    }
    out
}

/// Search p50/p99 over [`search_mix`], and `status` of every card.
fn search_and_status(dir: &Path, queries: usize, at: &str) -> (Value, Value) {
    let r = Archive::open_readonly(dir).expect("open read-only");
    let clock = Clock::system();
    let mix = search_mix(r.connection(), queries);
    // One untimed pass warms the page cache, as an open app would be.
    for q in mix.iter().take(20) {
        let _ = r.search(q, &clock);
    }
    // Searches with words, and filters alone (no words: `cartolina search --state S`),
    // reported apart: the second kind reads every message's card (see README).
    let mut lat = Vec::new();
    let mut lat_filters = Vec::new();
    let mut hits = 0usize;
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for q in &mix {
        let t = Instant::now();
        let n = r.search(q, &clock).expect("search").len();
        let d = t.elapsed();
        hits += n;
        if q.text.is_empty() {
            lat_filters.push(d);
        } else {
            lat.push(d);
        }
        slowest.push((d, format!("{:?} state={:?} kind={:?} offset={} sort={:?}: {n} hits", q.text, q.state, q.kind, q.offset, q.sort)));
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (d, q) in slowest.iter().take(std::env::var("SLOW").ok().and_then(|v| v.parse().ok()).unwrap_or(3)) {
        eprintln!("  slow: {:.1} ms {q}", d.as_secs_f64() * 1000.0);
    }
    lat.sort();
    lat_filters.sort();
    let (p50, p99, max) = (percentile(&lat, 0.5), percentile(&lat, 0.99), percentile(&lat, 1.0));
    let (f50, f99) = (percentile(&lat_filters, 0.5), percentile(&lat_filters, 0.99));
    eprintln!(
        "search{at}: {} queries with words: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; {} with filters only: p50 {f50:.1} ms, p99 {f99:.1} ms ({hits} hits in all)",
        lat.len(),
        lat_filters.len()
    );

    let combos = combos::time(&r, &clock, &combos::queries(r.connection(), &mix), at);

    let t = Instant::now();
    let mut recipients = 0u64;
    let mut cards = 0u64;
    r.for_each_card(&CardFilter::default(), &clock, &mut |c| {
        recipients += c.recipients.len() as u64;
        cards += 1;
        Ok(())
    })
    .expect("status");
    let status_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let page = r.cards(&CardFilter { newest_first: true, limit: Some(100), ..Default::default() }, &clock).expect("page");
    let page_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let by_state = r.count_cards_by_state(&CardFilter::default(), &clock).expect("count");
    let counts_ms = t.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "status{at}: {cards} cards ({recipients} recipients) in {status_s:.3} s; first page of {} newest in {page_ms:.2} ms; counts by state in {counts_ms:.1} ms",
        page.len()
    );
    (
        json!({"queries": lat.len(), "hits": hits, "p50_ms": p50, "p99_ms": p99, "max_ms": max,
               "filters_only": {"queries": lat_filters.len(), "p50_ms": f50, "p99_ms": f99}, "combos": combos}),
        json!({"cards": cards, "seconds": status_s, "first_page_ms": page_ms, "counts_by_state_ms": counts_ms, "states": by_state}),
    )
}
