//! Reading an mbox that grows: only the new bytes, and noticing when it was rewritten.
//!
//! ## When is a message complete? (the rule)
//! A message read from an mbox is delivered only when it is complete:
//! * it is followed by the next message's `From ` separator line (a blank line, then
//!   `From `): the writer has moved on; or
//! * it is the last message, the file ends with a line break, **and** the file has been
//!   quiet (same size and mtime) for one settle interval (the debounce interval), judged
//!   on the monotonic clock, never on file times against the wall clock.
//!
//! Otherwise reading stops before that message, its offset is kept as the resume point,
//! and the file is looked at again after the settle interval. So a message that a
//! client or delivery agent is still appending is never delivered half-written.
//!
//! ## Resuming and rewrites
//! The state keeps the resume offset (the start of the first message not yet
//! delivered) and two fingerprints: a hash of the file's first bytes (up to 4 KiB) and
//! of the 4 KiB just before the offset. On change: a file shorter than the offset, or
//! either fingerprint different, means it was rewritten (Thunderbird compaction, a
//! restore, a different file under the same name): it is read again from the start, and
//! compared message by message (offset, content hash) with what was delivered: new or
//! moved messages are delivered at their new location, vanished locations are reported
//! gone. Otherwise only the bytes after the offset are read: an append of one message
//! to a 2 GB mbox reads that message plus 12 KiB of fingerprints.
//!
//! `X-Mozilla-Status` / `X-Mozilla-Status2` header values are left out of both hashes:
//! Thunderbird rewrites them in place when a flag changes, which is not a new message.

use std::collections::HashSet;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::SourceError;
use crate::mbox::MboxReader;
use crate::state::MboxState;

const WINDOW: u64 = 4096;

/// What one mbox read found.
pub struct MboxRead {
    pub state: MboxState,
    /// The last message is not complete yet: look again after the settle interval.
    pub tail_pending: bool,
    pub bytes_read: u64,
    pub rewritten: bool,
}

/// A message or a gone location found by [`read`], handed to the caller in file order.
pub enum Found {
    Message { offset: u64, bytes: Vec<u8> },
    TooLarge { offset: u64, size: u64 },
    Gone { offset: u64 },
}

/// Read what is new in the mbox at `path` since `old` (all of it when `None`).
/// `quiet`: the file has been unchanged for the settle interval. `each` gets every
/// finding; an error from it stops the read, and the returned state is not to be saved.
pub fn read(path: &Path, old: Option<&MboxState>, quiet: bool, each: &mut dyn FnMut(Found) -> Result<(), SourceError>) -> Result<MboxRead, SourceError> {
    let io = |e| SourceError::io(path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut bytes_read = 0u64;
    let unchanged = match old {
        Some(o) if o.offset <= size => {
            let (p, t) = fingerprints(&mut file, o.offset, None, &mut bytes_read).map_err(io)?;
            p == o.prefix && t == o.tail
        }
        _ => false,
    };
    let rewritten = old.is_some() && !unchanged;
    if rewritten && !quiet {
        // A rewrite (compaction) is judged only once the file is quiet: judged half-way,
        // the messages not yet rewritten would be reported gone.
        let state = old.cloned().unwrap_or_default();
        return Ok(MboxRead { state, tail_pending: true, bytes_read, rewritten: false });
    }
    let (start, mut messages, previous) = match old {
        Some(o) if unchanged => (o.offset, o.messages.clone(), HashSet::new()),
        Some(o) => (0, Vec::new(), o.messages.iter().copied().collect::<HashSet<_>>()),
        None => (0, Vec::new(), HashSet::new()),
    };
    if unchanged && start == size {
        let state = MboxState { size, ..old.cloned().unwrap_or_default() };
        return Ok(MboxRead { state, tail_pending: false, bytes_read, rewritten: false });
    }
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let ends_with_newline = last_byte(&mut file, size).map_err(io)? == Some(b'\n');
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    // Read no further than the size seen now: bytes appended meanwhile wait for the next
    // event, so `size` stays the truth for this pass.
    let mut reader = MboxReader::at_offset(BufReader::new(file.take(size - start)), start, crate::MAX_MESSAGE_BYTES);
    let mut resume = start;
    let mut tail_pending = false;
    let mut kept = HashSet::new();
    for m in reader.by_ref() {
        let m = m.map_err(io)?;
        let complete = m.next.is_some() || (quiet && ends_with_newline);
        if !complete {
            tail_pending = true;
            break;
        }
        resume = m.next.unwrap_or(size);
        let hash = match &m.raw {
            Ok(b) => content_hash(b),
            Err(_) => 0,
        };
        messages.push((m.offset, hash));
        if previous.contains(&(m.offset, hash)) {
            kept.insert((m.offset, hash));
            continue;
        }
        match m.raw {
            Ok(bytes) => each(Found::Message { offset: m.offset, bytes })?,
            Err(size) => each(Found::TooLarge { offset: m.offset, size })?,
        }
    }
    bytes_read += reader.position() - start;
    if rewritten {
        let mut gone: Vec<u64> = previous.difference(&kept).map(|&(o, _)| o).collect();
        gone.sort_unstable();
        gone.dedup();
        // A location that now holds another message was reported above as a message.
        let now_at: HashSet<u64> = messages.iter().map(|&(o, _)| o).collect();
        for offset in gone.into_iter().filter(|o| !now_at.contains(o)) {
            each(Found::Gone { offset })?;
        }
    }
    if unchanged && resume == start {
        // Nothing complete yet past the offset: the fingerprints have not moved.
        let o = old.cloned().unwrap_or_default();
        return Ok(MboxRead { state: MboxState { size, ..o }, tail_pending, bytes_read, rewritten });
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    // The prefix of a file only appended to is known already once it is a full window.
    let known_prefix = old.filter(|o| unchanged && o.offset >= WINDOW).map(|o| o.prefix.clone());
    let (prefix, tail) = fingerprints(&mut file, resume, known_prefix, &mut bytes_read).map_err(io)?;
    Ok(MboxRead { state: MboxState { offset: resume, size, prefix, tail, messages }, tail_pending, bytes_read, rewritten })
}

fn last_byte(file: &mut std::fs::File, size: u64) -> std::io::Result<Option<u8>> {
    if size == 0 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(size - 1))?;
    let mut b = [0u8; 1];
    file.read_exact(&mut b)?;
    Ok(Some(b[0]))
}

/// Hashes of `[0, min(4K, offset))` (unless known) and of `[offset - 4K, offset)`.
fn fingerprints(file: &mut std::fs::File, offset: u64, known_prefix: Option<String>, bytes_read: &mut u64) -> std::io::Result<(String, String)> {
    let mut window = |from: u64, to: u64, align: bool| -> std::io::Result<String> {
        let mut buf = vec![0u8; (to - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut buf)?;
        *bytes_read += buf.len() as u64;
        // The tail window starts mid-line: hash from the next line start, so that a
        // masked header is never cut in half.
        let body = if align && from > 0 { buf.iter().position(|&b| b == b'\n').map(|i| &buf[i + 1..]).unwrap_or(&[]) } else { &buf[..] };
        Ok(hex16(&masked_hash(body)))
    };
    let prefix = match known_prefix {
        Some(p) => p,
        None => window(0, offset.min(WINDOW), false)?,
    };
    let tail = window(offset.saturating_sub(WINDOW), offset, true)?;
    Ok((prefix, tail))
}

/// SHA-256 of `bytes` with the values of `X-Mozilla-Status*` lines left out.
fn masked_hash(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"X-Mozilla-Status") {
            let colon = line.iter().position(|&b| b == b':').map_or(line.len(), |i| i + 1);
            h.update(&line[..colon]);
        } else {
            h.update(line);
        }
    }
    h.finalize().into()
}

/// A message's identity inside an mbox, blind to Thunderbird's in-place flag rewrites.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let d = masked_hash(bytes);
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

fn hex16(d: &[u8; 32]) -> String {
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: u32) -> String {
        format!("From - Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: 0001\nSubject: m{n}\n\nbody {n}\n\n")
    }

    fn run(path: &Path, old: Option<&MboxState>, quiet: bool) -> (MboxRead, Vec<String>) {
        let mut seen = Vec::new();
        let r = read(path, old, quiet, &mut |f| {
            seen.push(match f {
                Found::Message { offset, bytes } => format!("msg@{offset}:{}", String::from_utf8_lossy(&bytes).lines().nth(1).unwrap_or("")),
                Found::TooLarge { offset, .. } => format!("big@{offset}"),
                Found::Gone { offset } => format!("gone@{offset}"),
            });
            Ok(())
        })
        .unwrap();
        (r, seen)
    }

    #[test]
    fn last_message_waits_for_a_separator_or_quiet() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("Inbox");
        std::fs::write(&p, msg(1) + &msg(2)).unwrap();
        let (r, seen) = run(&p, None, false);
        assert_eq!(seen, vec!["msg@0:Subject: m1"]);
        assert!(r.tail_pending);
        let (r, seen) = run(&p, Some(&r.state), true);
        assert_eq!(seen.len(), 1);
        assert!(seen[0].ends_with("m2"));
        assert!(!r.tail_pending);
        assert_eq!(r.state.offset, std::fs::metadata(&p).unwrap().len());
        // A half-written message without a final line break is never taken, quiet or not.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        std::io::Write::write_all(&mut f, b"From - Tue\nSubject: m3\n\nhalf").unwrap();
        let (r2, seen) = run(&p, Some(&r.state), true);
        assert!(seen.is_empty() && r2.tail_pending);
        assert_eq!(r2.state.offset, r.state.offset);
    }

    #[test]
    fn append_reads_only_new_bytes_and_flag_rewrites_are_not_changes() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("Inbox");
        let big: String = (0..200).map(msg).collect();
        std::fs::write(&p, &big).unwrap();
        let (r, seen) = run(&p, None, true);
        assert_eq!(seen.len(), 200);
        // Thunderbird marks the first message read in place.
        let flagged = big.replacen("X-Mozilla-Status: 0001", "X-Mozilla-Status: 0005", 1);
        std::fs::write(&p, flagged.clone() + &msg(999)).unwrap();
        let (r2, seen) = run(&p, Some(&r.state), true);
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(!r2.rewritten);
        assert!(r2.bytes_read <= msg(999).len() as u64 + 3 * WINDOW, "read {}", r2.bytes_read);
    }

    #[test]
    fn compaction_reports_dropped_locations_and_moved_messages() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("Inbox");
        std::fs::write(&p, msg(1) + &msg(2) + &msg(3)).unwrap();
        let (r, _) = run(&p, None, true);
        // Message 1 deleted and expunged: 2 and 3 move to the front.
        std::fs::write(&p, msg(2) + &msg(3)).unwrap();
        let (r2, seen) = run(&p, Some(&r.state), true);
        assert!(r2.rewritten);
        let m1 = msg(1).len();
        let m2 = msg(2).len();
        assert_eq!(seen, vec![format!("msg@0:Subject: m2"), format!("msg@{m2}:Subject: m3"), format!("gone@{}", m1 + m2)]);
        // Truncated to nothing: everything gone.
        std::fs::write(&p, b"").unwrap();
        let (_, seen) = run(&p, Some(&r2.state), true);
        assert_eq!(seen, vec!["gone@0".to_string(), format!("gone@{m2}")]);
    }
}
