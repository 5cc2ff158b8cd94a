//! The same mail through other tools, for the ratios in the archive benchmark.
//!
//! * `notmuch new` indexes the whole Maildir (parse + Xapian index; no signature
//!   check, no blob copy). It runs with a throwaway `NOTMUCH_CONFIG` whose
//!   `database.path` is a temporary folder and `database.mail_root` the corpus, with
//!   flag synchronisation off: nothing is written into the corpus.
//! * `openssl smime -verify -CAfile trust/test-root.pem`, one process per file as a
//!   shell loop would run it, over an evenly spread sample; its rate is extrapolated
//!   per file.
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// CPU time of finished children (user + system).
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the struct we own; RUSAGE_CHILDREN is valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

pub fn notmuch(mail: &Path, files: u64, cartolina_seconds: f64) -> Value {
    if Command::new("notmuch").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("notmuch: not installed (scripts/bench.sh installs it), skipped");
        return json!({"skipped": "notmuch not installed"});
    }
    let work = std::env::temp_dir().join(format!("cartolina-bench-notmuch-{}", std::process::id()));
    let db = work.join("db");
    std::fs::create_dir_all(&db).expect("notmuch work folder");
    let config = work.join("config");
    let mail_root = std::path::absolute(mail).unwrap_or_else(|_| mail.to_path_buf());
    std::fs::write(
        &config,
        format!(
            "[database]\npath={}\nmail_root={}\n[new]\ntags=\n[maildir]\nsynchronize_flags=false\n",
            db.display(),
            mail_root.display()
        ),
    )
    .expect("notmuch config");
    let (t, cpu) = (Instant::now(), children_cpu());
    let out = Command::new("notmuch")
        .arg("new")
        .env("NOTMUCH_CONFIG", &config)
        .env_remove("NOTMUCH_PROFILE")
        .env_remove("NOTMUCH_DATABASE")
        .stderr(Stdio::inherit())
        .output();
    let secs = t.elapsed().as_secs_f64();
    let cpu_s = (children_cpu() - cpu).as_secs_f64();
    let (xapian, _) = super::tree_bytes(&db);
    let _ = std::fs::remove_dir_all(&work);
    match out {
        Ok(o) if o.status.success() => {
            // Its progress lines end in \r; the summary is the "Processed" and "Added" lines.
            let text = String::from_utf8_lossy(&o.stdout).replace('\r', "\n");
            let summary = text.lines().filter(|l| l.starts_with("Processed") || l.starts_with("Added")).collect::<Vec<_>>().join(" / ");
            let rate = files as f64 / secs;
            let ratio = cartolina_seconds.recip() * files as f64 / rate;
            eprintln!(
                "notmuch new: {files} files in {secs:.2} s = {rate:.0} files/s ({cpu_s:.1} CPU s), Xapian {:.1} MB; cartolina scan / notmuch new = {ratio:.2}x ({summary})",
                xapian as f64 / 1e6
            );
            json!({"seconds": secs, "cpu_seconds": cpu_s, "files_per_second": rate, "database_bytes": xapian, "cartolina_over_notmuch": ratio})
        }
        Ok(o) => {
            eprintln!("notmuch new failed: {}", String::from_utf8_lossy(&o.stderr));
            json!({"failed": o.status.to_string()})
        }
        Err(e) => json!({"failed": e.to_string()}),
    }
}

pub fn openssl(mail: &Path, corpus: &Path, sample: usize, cartolina_files_per_s: f64) -> Value {
    let ca = corpus.join("trust/test-root.pem");
    if !ca.is_file() {
        return json!({"skipped": "no trust/test-root.pem"});
    }
    let files: Vec<_> = sources::walk(mail).flatten().map(|e| e.path).collect();
    let step = (files.len() / sample.max(1)).max(1);
    let picked: Vec<_> = files.iter().step_by(step).take(sample).collect();
    let (mut ok, mut failed) = (0u64, 0u64);
    let (t, cpu) = (Instant::now(), children_cpu());
    for f in &picked {
        let st = Command::new("openssl")
            .args(["smime", "-verify", "-CAfile"])
            .arg(&ca)
            .arg("-in")
            .arg(f)
            .args(["-out", "/dev/null"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match st {
            Ok(s) if s.success() => ok += 1,
            _ => failed += 1,
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu_s = (children_cpu() - cpu).as_secs_f64();
    let rate = picked.len() as f64 / secs;
    let ratio = cartolina_files_per_s / rate;
    let whole = files.len() as f64 / rate;
    eprintln!(
        "openssl smime -verify loop: {} files ({ok} verified, {failed} not: unsigned or refused) in {secs:.2} s = {rate:.0} files/s \
         ({cpu_s:.1} CPU s); the whole corpus would take {whole:.0} s; cartolina scan / openssl loop = {ratio:.1}x",
        picked.len()
    );
    json!({"files": picked.len(), "verified": ok, "not_verified": failed, "seconds": secs, "cpu_seconds": cpu_s,
           "files_per_second": rate, "extrapolated_corpus_seconds": whole, "cartolina_over_openssl": ratio})
}
