//! The watcher against a real file system (inotify): Maildir, mbox, .eml, faults.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use sources::{channel_watcher, Event, SourceConfig, WatchOptions, Watcher};

const DEBOUNCE: Duration = Duration::from_millis(100);

fn opts(state: &Path) -> WatchOptions {
    let mut o = WatchOptions::new(state);
    o.debounce = DEBOUNCE;
    o.retry = Duration::from_millis(300);
    o
}

fn start(paths: &[&Path], state: &Path) -> (Watcher, Receiver<Event>) {
    let cfgs = paths.iter().map(|p| SourceConfig::for_path(p).unwrap()).collect();
    channel_watcher(cfgs, opts(state)).unwrap()
}

/// Short text of an event, for assertions.
fn show(ev: &Event, root: &Path) -> String {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    match ev {
        Event::Message { location, .. } => format!("msg {}{}", rel(&location.path), location.offset.map(|o| format!("@{o}")).unwrap_or_default()),
        Event::Gone { location, .. } => format!("gone {}{}", rel(&location.path), location.offset.map(|o| format!("@{o}")).unwrap_or_default()),
        Event::SourceUnavailable { .. } => "unavailable".into(),
        Event::SourceBack { .. } => "back".into(),
        Event::Problem { error, .. } => format!("problem {error}"),
    }
}

/// Events until `quiet` passes with none (or `limit`).
fn drain(rx: &Receiver<Event>, root: &Path, quiet: Duration) -> Vec<String> {
    let mut out = Vec::new();
    let end = Instant::now() + Duration::from_secs(20);
    while let Ok(ev) = rx.recv_timeout(quiet) {
        out.push(show(&ev, root));
        if Instant::now() > end {
            break;
        }
    }
    out
}

fn wait_for(rx: &Receiver<Event>, root: &Path, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let end = Instant::now() + Duration::from_secs(20);
    while out.len() < n && Instant::now() < end {
        if let Ok(ev) = rx.recv_timeout(Duration::from_millis(200)) {
            out.push(show(&ev, root));
        }
    }
    out
}

fn maildir(root: &Path) -> PathBuf {
    for s in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
        std::fs::create_dir_all(root.join(s)).unwrap();
    }
    root.to_path_buf()
}

/// Deliver the way an MDA does: write in tmp/, rename into new/.
fn deliver(md: &Path, folder: &str, name: &str, body: &str) {
    let dir = md.join(folder);
    std::fs::write(dir.join("tmp").join(name), body).unwrap();
    std::fs::rename(dir.join("tmp").join(name), dir.join("new").join(name)).unwrap();
}

/// No event for this long: nothing more is coming (generous: CI machines are loaded).
const QUIET: Duration = Duration::from_millis(1000);

#[test]
fn maildir_new_mail_flag_renames_and_deletions() {
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    deliver(&md, "", "1.M1.h", "Subject: before start\n\nx\n");
    let state = d.path().join("state");
    let (w, rx) = start(&[&md], &state);
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/1.M1.h"]);
    deliver(&md, "", "2.M2.h", "Subject: live\n\nx\n");
    deliver(&md, ".Sent", "3.M3.h", "Subject: sent\n\nx\n");
    // Half-written in tmp/: never read.
    std::fs::write(md.join("tmp/4.M4.h"), "Subject: half").unwrap();
    let mut got = wait_for(&rx, &md, 2);
    got.sort();
    assert_eq!(got, vec!["msg .Sent/new/3.M3.h", "msg new/2.M2.h"]);
    // The client reads and flags: new -> cur, then more flags. Never a new message.
    std::fs::rename(md.join("new/1.M1.h"), md.join("cur/1.M1.h:2,S")).unwrap();
    std::fs::rename(md.join("cur/1.M1.h:2,S"), md.join("cur/1.M1.h:2,FRS")).unwrap();
    std::fs::rename(md.join("new/2.M2.h"), md.join("cur/2.M2.h:2,")).unwrap();
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    // Expunged: gone, at its current name.
    std::fs::remove_file(md.join("cur/1.M1.h:2,FRS")).unwrap();
    assert_eq!(wait_for(&rx, &md, 1), vec!["gone cur/1.M1.h:2,FRS"]);
    w.stop().unwrap();

    // Restart: nothing read again; what changed while stopped is caught up.
    std::fs::rename(md.join("cur/2.M2.h:2,"), md.join("cur/2.M2.h:2,S")).unwrap();
    deliver(&md, "", "5.M5.h", "Subject: while stopped\n\nx\n");
    std::fs::remove_file(md.join(".Sent/new/3.M3.h")).unwrap();
    let (w, rx) = start(&[&md], &state);
    let mut got = wait_for(&rx, &md, 2);
    got.extend(drain(&rx, &md, QUIET));
    got.sort();
    assert_eq!(got, vec!["gone .Sent/new/3.M3.h", "msg new/5.M5.h"]);
    let st = w.stats();
    assert_eq!((st.messages, st.gone), (1, 1));
    w.stop().unwrap();
}

#[test]
fn a_replaced_or_touched_file_is_judged_by_its_bytes() {
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    let (w, rx) = start(&[&md], &d.path().join("state"));
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/1.M1.h"]);
    // Same bytes written again (a new inode, a new mtime: a restore, a clock jump).
    std::fs::write(md.join("tmp/x"), "Subject: a\n\nx\n").unwrap();
    std::fs::rename(md.join("tmp/x"), md.join("new/1.M1.h")).unwrap();
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    // Other bytes under the same name: a message again at that location.
    std::fs::write(md.join("tmp/x"), "Subject: b\n\nother\n").unwrap();
    std::fs::rename(md.join("tmp/x"), md.join("new/1.M1.h")).unwrap();
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/1.M1.h"]);
    w.stop().unwrap();
}

fn mbox_msg(n: u32) -> String {
    format!("From - Mon Jan  1 00:00:{:02} 2024\nX-Mozilla-Status: 0001\nSubject: m{n}\n\nbody {n}\n>From quoted\n\n", n % 60)
}

fn append(p: &Path, s: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(p).unwrap();
    f.write_all(s.as_bytes()).unwrap();
}

#[test]
fn thunderbird_profile_appends_half_writes_and_compaction() {
    let d = tempfile::tempdir().unwrap();
    let prof = d.path().join("abcd.default-release");
    let folder = prof.join("Mail/Local Folders");
    std::fs::create_dir_all(folder.join("Inbox.sbd")).unwrap();
    std::fs::write(prof.join("prefs.js"), "").unwrap();
    std::fs::write(prof.join("places.sqlite"), "not mail").unwrap();
    let inbox = folder.join("Inbox");
    append(&inbox, &(mbox_msg(1) + &mbox_msg(2)));
    std::fs::write(folder.join("Inbox.msf"), "// <!-- <mdb:mork").unwrap();
    let (w, rx) = start(&[&prof], &d.path().join("state"));
    let m2 = mbox_msg(1).len();
    let m3 = m2 + mbox_msg(2).len();
    let rel = "Mail/Local Folders/Inbox";
    // The last message is taken once the file has been quiet.
    assert_eq!(wait_for(&rx, &prof, 2), vec![format!("msg {rel}@0"), format!("msg {rel}@{m2}")]);
    // Half a message: nothing, however long we wait.
    append(&inbox, "From - Tue Jan  2 00:00:00 2024\nSubject: m3\n\nhal");
    assert_eq!(drain(&rx, &prof, QUIET), Vec::<String>::new());
    append(&inbox, "f of it\n\n");
    assert_eq!(wait_for(&rx, &prof, 1), vec![format!("msg {rel}@{m3}")]);
    // A subfolder appears.
    append(&folder.join("Inbox.sbd/PEC"), &mbox_msg(7));
    assert_eq!(wait_for(&rx, &prof, 1), vec!["msg Mail/Local Folders/Inbox.sbd/PEC@0".to_string()]);
    // Flags rewritten in place (same size): nothing new.
    let text = std::fs::read_to_string(&inbox).unwrap().replacen("X-Mozilla-Status: 0001", "X-Mozilla-Status: 0009", 1);
    std::fs::write(&inbox, text).unwrap();
    assert_eq!(drain(&rx, &prof, QUIET), Vec::<String>::new());
    // Compaction: message 1 deleted, the file rewritten (a new file renamed over it).
    let rest = std::fs::read_to_string(&inbox).unwrap()[m2..].to_string();
    std::fs::write(folder.join("Inbox.tmp"), &rest).unwrap();
    std::fs::rename(folder.join("Inbox.tmp"), &inbox).unwrap();
    let mut got = wait_for(&rx, &prof, 3);
    got.extend(drain(&rx, &prof, QUIET));
    got.sort();
    // m2 moves to 0, m3 to m3-m2; the old last location is gone.
    let mut want = vec![format!("msg {rel}@0"), format!("msg {rel}@{}", m3 - m2), format!("gone {rel}@{m3}")];
    want.sort();
    assert_eq!(got, want);
    w.stop().unwrap();
}

#[test]
fn dropped_eml_files_wait_until_complete() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Ricevuta di consegna (1).EML"), "Subject: a\r\n\r\nx\r\n").unwrap();
    let (w, rx) = start(&[&dir], &d.path().join("state"));
    assert_eq!(wait_for(&rx, &dir, 1), vec!["msg Ricevuta di consegna (1).EML"]);
    std::fs::create_dir_all(dir.join("2024/novembre")).unwrap();
    std::fs::write(dir.join("2024/novembre/POSTA CERTIFICATA: prova.eml"), "Subject: b\r\n\r\ny\r\n").unwrap();
    assert_eq!(wait_for(&rx, &dir, 1), vec!["msg 2024/novembre/POSTA CERTIFICATA: prova.eml"]);
    // A copy in progress: the file grows; it is read once, when quiet.
    let p = dir.join("big.eml");
    for i in 0..5 {
        append(&p, &format!("X-Line-{i}: {}\r\n", "a".repeat(1000)));
        std::thread::sleep(Duration::from_millis(40));
    }
    append(&p, "\r\nbody\r\n");
    assert_eq!(wait_for(&rx, &dir, 1), vec!["msg big.eml"]);
    assert_eq!(drain(&rx, &dir, QUIET), Vec::<String>::new());
    std::fs::remove_file(&p).unwrap();
    assert_eq!(wait_for(&rx, &dir, 1), vec!["gone big.eml"]);
    w.stop().unwrap();
}

#[test]
fn a_source_removed_then_back_loses_nothing() {
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    deliver(&md, "", "2.M2.h", "Subject: b\n\nx\n");
    let (w, rx) = start(&[&md], &d.path().join("state"));
    assert_eq!(wait_for(&rx, &md, 2).len(), 2);
    // Moved away (a disk unplugged, a folder renamed): unavailable, not "all gone".
    let aside = d.path().join("aside");
    std::fs::rename(&md, &aside).unwrap();
    assert_eq!(wait_for(&rx, &md, 1), vec!["unavailable"]);
    std::fs::remove_file(aside.join("new/2.M2.h")).unwrap();
    deliver(&aside, "", "3.M3.h", "Subject: c\n\nx\n");
    std::fs::rename(&aside, &md).unwrap();
    let mut got = wait_for(&rx, &md, 3);
    got.sort();
    assert_eq!(got, vec!["back", "gone new/2.M2.h", "msg new/3.M3.h"]);
    // Watched again after coming back.
    deliver(&md, "", "4.M4.h", "Subject: d\n\nx\n");
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/4.M4.h"]);
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    // Emptied like an unmounted mount point: unavailable, nothing gone.
    for e in ["cur", "new", "tmp", ".Sent"] {
        std::fs::rename(md.join(e), aside_of(d.path(), e)).unwrap();
    }
    assert_eq!(wait_for(&rx, &md, 1), vec!["unavailable"]);
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    // Back in an order where the root is a Maildir only once all is there.
    for e in [".Sent", "tmp", "cur", "new"] {
        std::fs::rename(aside_of(d.path(), e), md.join(e)).unwrap();
    }
    assert_eq!(wait_for(&rx, &md, 1), vec!["back"]);
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    w.stop().unwrap();
}

fn aside_of(root: &Path, e: &str) -> PathBuf {
    root.join(format!("aside-{}", e.trim_start_matches('.')))
}

#[test]
fn unreadable_files_are_problems_retried_later() {
    use std::os::unix::fs::PermissionsExt;
    // root reads everything: the permission case needs an ordinary user.
    if std::fs::read_to_string("/proc/self/status").unwrap_or_default().lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")) {
        eprintln!("skipped: running as root, permissions are not enforced");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    std::fs::set_permissions(md.join("new/1.M1.h"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let (w, rx) = start(&[&md], &d.path().join("state"));
    let got = wait_for(&rx, &md, 1);
    assert!(got[0].starts_with("problem") && got[0].contains("permission denied"), "{got:?}");
    std::fs::set_permissions(md.join("new/1.M1.h"), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/1.M1.h"]);
    w.stop().unwrap();
}

#[test]
fn sources_are_never_written() {
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    let snapshot = |p: &Path| {
        let mut v: Vec<_> = walkdir_list(p);
        v.sort();
        v
    };
    let before = snapshot(&md);
    let (w, rx) = start(&[&md], &d.path().join("state"));
    assert_eq!(wait_for(&rx, &md, 1).len(), 1);
    w.stop().unwrap();
    assert_eq!(snapshot(&md), before);
    assert!(d.path().join("state").read_dir().unwrap().count() == 1);
}

fn walkdir_list(p: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            out.extend(walkdir_list(&e.path()));
        } else {
            out.push((e.path(), m.len()));
        }
    }
    out
}

#[test]
fn expunge_right_after_a_flag_rename_is_gone() {
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    std::fs::rename(md.join("new/1.M1.h"), md.join("cur/1.M1.h:2,S")).unwrap();
    let (w, rx) = start(&[&md], &d.path().join("state"));
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg cur/1.M1.h:2,S"]);
    // mbsync's expunge: mark deleted (a rename), then unlink, within one debounce interval.
    std::fs::rename(md.join("cur/1.M1.h:2,S"), md.join("cur/1.M1.h:2,ST")).unwrap();
    std::fs::remove_file(md.join("cur/1.M1.h:2,ST")).unwrap();
    assert_eq!(wait_for(&rx, &md, 1), vec!["gone cur/1.M1.h:2,S"]);
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    w.stop().unwrap();
}

#[test]
fn clock_jumps_and_odd_file_times_change_nothing() {
    use std::time::SystemTime;
    let d = tempfile::tempdir().unwrap();
    let md = maildir(&d.path().join("Maildir"));
    let eml = d.path().join("export");
    std::fs::create_dir_all(&eml).unwrap();
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    std::fs::write(eml.join("a.eml"), "Subject: a\r\n\r\nx\r\n").unwrap();
    let state = d.path().join("state");
    let (w, rx) = start(&[&md, &eml], &state);
    let mut got = wait_for(&rx, d.path(), 2);
    got.sort();
    assert_eq!(got, vec!["msg Maildir/new/1.M1.h", "msg export/a.eml"]);
    // File times thrown into the past and the future (a clock set wrong, then fixed).
    let set = |p: &Path, t: SystemTime| std::fs::File::options().write(true).open(p).unwrap().set_modified(t).unwrap();
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(86_400);
    let future = SystemTime::now() + Duration::from_secs(50 * 365 * 86_400);
    set(&md.join("new/1.M1.h"), past);
    set(&eml.join("a.eml"), future);
    assert_eq!(drain(&rx, d.path(), QUIET), Vec::<String>::new());
    // New mail with a time in the past is still new mail; settling uses the monotonic clock.
    std::fs::write(eml.join("b.eml"), "Subject: b\r\n\r\ny\r\n").unwrap();
    set(&eml.join("b.eml"), past);
    assert_eq!(wait_for(&rx, d.path(), 1), vec!["msg export/b.eml"]);
    w.stop().unwrap();
    // And a restart with those times finds nothing to do.
    let (w, rx) = start(&[&md, &eml], &state);
    assert_eq!(drain(&rx, d.path(), QUIET), Vec::<String>::new());
    w.stop().unwrap();
}

/// A real unmount under the watcher (tmpfs; needs root, skipped otherwise).
#[test]
fn an_unmounted_disk_is_unavailable_then_back_without_losses() {
    use std::process::Command;
    let d = tempfile::tempdir().unwrap();
    let mnt = d.path().join("disk");
    std::fs::create_dir_all(&mnt).unwrap();
    let mount = || Command::new("mount").args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"]).arg(&mnt).output().is_ok_and(|o| o.status.success());
    if !mount() {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let md = maildir(&mnt);
    deliver(&md, "", "1.M1.h", "Subject: a\n\nx\n");
    deliver(&md, ".Sent", "2.M2.h", "Subject: b\n\nx\n");
    let (w, rx) = start(&[&md], &d.path().join("state"));
    assert_eq!(wait_for(&rx, &md, 2).len(), 2);
    // Keep a copy, unplug.
    let copy = d.path().join("copy");
    assert!(Command::new("cp").arg("-a").arg(&mnt).arg(&copy).status().unwrap().success());
    assert!(Command::new("umount").arg(&mnt).status().unwrap().success(), "umount");
    assert_eq!(wait_for(&rx, &md, 1), vec!["unavailable"]);
    assert_eq!(drain(&rx, &md, QUIET), Vec::<String>::new());
    // Plugged in again, with one message more.
    assert!(mount());
    assert!(Command::new("cp").arg("-a").arg(format!("{}/.", copy.display())).arg(&mnt).status().unwrap().success());
    deliver(&md, "", "3.M3.h", "Subject: c\n\nx\n");
    let mut got = wait_for(&rx, &md, 2);
    got.extend(drain(&rx, &md, QUIET));
    got.sort();
    assert_eq!(got, vec!["back", "msg new/3.M3.h"]);
    // And watched live again.
    deliver(&md, "", "4.M4.h", "Subject: d\n\nx\n");
    assert_eq!(wait_for(&rx, &md, 1), vec!["msg new/4.M4.h"]);
    w.stop().unwrap();
}
