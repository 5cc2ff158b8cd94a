//! Streaming mbox reader (mboxo and mboxrd, as Thunderbird and mutt write them).
//!
//! Hand-written because the mbox crates on crates.io either load the whole file or
//! don't report byte offsets, and we need both bounded memory (a Thunderbird Inbox can
//! be many GB) and a stable location (`offset` of the `From ` line) for every message.
//!
//! A message starts at a line beginning with `From ` at the start of the file or after a
//! blank line. Body lines that were quoted on write (`>From `, `>>From ` ...) lose one `>`
//! (mboxrd rule, also right for mboxo's single level). The blank line the writer adds
//! before the next separator is not part of the message.

use std::io::{BufRead, Read};

/// Longest line read in one piece; longer lines are read in chunks of this size, so a
/// file with no line breaks cannot make us allocate without bound.
const MAX_LINE: u64 = 64 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub struct MboxMessage {
    /// Byte offset of the `From ` separator line in the file.
    pub offset: u64,
    /// The separator line itself, without its line break (`From - Tue Nov 13 ...`).
    pub separator: String,
    /// The message, unquoted, or `TooLarge` when it was over the limit (skipped, not read).
    pub raw: Result<Vec<u8>, u64>,
    /// Offset of the next message's `From ` line when one followed: the proof that this
    /// message is complete. `None` for the last message of the input, which may still be
    /// being written (see `crate::mboxwatch` for when it counts as complete).
    pub next: Option<u64>,
}

pub struct MboxReader<R> {
    input: R,
    pos: u64,
    line: Vec<u8>,
    /// The separator of the next message, already consumed, with its offset.
    pending: Option<(u64, String)>,
    limit: u64,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(input: R) -> Self {
        Self::with_limit(input, crate::MAX_MESSAGE_BYTES)
    }

    pub fn with_limit(input: R, limit: u64) -> Self {
        MboxReader { input, pos: 0, line: Vec::new(), pending: None, limit, done: false }
    }

    /// A reader over input that starts at byte `offset` of the file (an incremental read
    /// after a seek): reported offsets are file offsets. `offset` must be the start of a
    /// line that may begin a message (a `From ` line, or the blank line before one).
    pub fn at_offset(input: R, offset: u64, limit: u64) -> Self {
        MboxReader { input, pos: offset, line: Vec::new(), pending: None, limit, done: false }
    }

    /// Bytes consumed so far, as a file offset.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Read the next line (or chunk of an over-long line) into `self.line`.
    /// Returns false at end of input.
    fn next_line(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        let n = (&mut self.input).take(MAX_LINE).read_until(b'\n', &mut self.line)?;
        self.pos += n as u64;
        Ok(n > 0)
    }

    fn find_first_separator(&mut self) -> std::io::Result<()> {
        let mut prev_blank = true;
        while self.next_line()? {
            if prev_blank && self.line.starts_with(b"From ") {
                let start = self.pos - self.line.len() as u64;
                self.pending = Some((start, separator_text(&self.line)));
                return Ok(());
            }
            prev_blank = is_blank(&self.line);
        }
        Ok(())
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

fn separator_text(line: &[u8]) -> String {
    String::from_utf8_lossy(line).trim_end_matches(['\r', '\n']).to_string()
}

/// `>From `, `>>From ` ... : quoted by the writer.
fn is_quoted_from(line: &[u8]) -> bool {
    let gt = line.iter().take_while(|&&b| b == b'>').count();
    gt > 0 && line[gt..].starts_with(b"From ")
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = std::io::Result<MboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.pending.is_none() {
            if let Err(e) = self.find_first_separator() {
                self.done = true;
                return Some(Err(e));
            }
        }
        let (offset, separator) = match self.pending.take() {
            Some(p) => p,
            None => {
                self.done = true;
                return None;
            }
        };
        let mut body: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        let mut too_large = false;
        // A blank line is held back until we know it is not the one before a separator.
        let mut held_blank: Option<Vec<u8>> = None;
        let mut at_line_start = true;
        loop {
            match self.next_line() {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {}
            }
            let starts_line = at_line_start;
            at_line_start = self.line.ends_with(b"\n");
            if starts_line && held_blank.is_some() && self.line.starts_with(b"From ") {
                let start = self.pos - self.line.len() as u64;
                // The held blank line was the writer's padding: dropped.
                self.pending = Some((start, separator_text(&self.line)));
                break;
            }
            if let Some(blank) = held_blank.take() {
                push(&mut body, &blank, &mut size, self.limit, &mut too_large);
            }
            if starts_line && is_blank(&self.line) {
                held_blank = Some(self.line.clone());
                continue;
            }
            let line = if starts_line && is_quoted_from(&self.line) { &self.line[1..] } else { &self.line[..] };
            let line = line.to_vec();
            push(&mut body, &line, &mut size, self.limit, &mut too_large);
        }
        // At end of file a trailing blank line is the writer's separator padding too.
        let raw = if too_large { Err(size) } else { Ok(body) };
        let next = self.pending.as_ref().map(|p| p.0);
        Some(Ok(MboxMessage { offset, separator, raw, next }))
    }
}

fn push(body: &mut Vec<u8>, bytes: &[u8], size: &mut u64, limit: u64, too_large: &mut bool) {
    *size += bytes.len() as u64;
    if *size > limit {
        if !*too_large {
            *too_large = true;
            *body = Vec::new();
        }
        return;
    }
    body.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Vec<MboxMessage> {
        MboxReader::new(input).map(|m| m.unwrap()).collect()
    }

    #[test]
    fn splits_thunderbird_mbox_with_offsets_and_unquotes_from_lines() {
        let mbox = b"From - Tue Nov 13 16:39:26 2018\nX-Mozilla-Status: 0001\nSubject: one\n\n>From here\n>>From there\nbody\n\nFrom - Wed Nov 14 10:00:00 2018\nSubject: two\n\nline\n\n";
        let msgs = read(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].offset, 0);
        assert_eq!(msgs[0].separator, "From - Tue Nov 13 16:39:26 2018");
        assert_eq!(msgs[0].raw.as_ref().unwrap(), b"X-Mozilla-Status: 0001\nSubject: one\n\nFrom here\n>From there\nbody\n");
        assert_eq!(msgs[1].offset, mbox.windows(7).position(|w| w == b"\n\nFrom ").unwrap() as u64 + 2);
        assert_eq!(msgs[1].raw.as_ref().unwrap(), b"Subject: two\n\nline\n");
    }

    #[test]
    fn a_from_line_without_a_blank_line_before_is_body() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\nhello\nFrom the desk of\n";
        let msgs = read(mbox);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].raw.as_ref().unwrap(), b"Subject: x\n\nhello\nFrom the desk of\n");
    }

    #[test]
    fn crlf_mbox_and_empty_input() {
        assert!(read(b"").is_empty());
        assert!(read(b"not an mbox\n").is_empty());
        let msgs = read(b"From x\r\nSubject: a\r\n\r\nb\r\n\r\nFrom y\r\nSubject: c\r\n\r\nd\r\n");
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].raw.as_ref().unwrap(), b"Subject: a\r\n\r\nb\r\n");
        assert_eq!(msgs[1].raw.as_ref().unwrap(), b"Subject: c\r\n\r\nd\r\n");
    }

    #[test]
    fn over_limit_message_is_skipped_and_reading_goes_on() {
        let mut mbox = b"From x\nSubject: big\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'a', 10_000));
        mbox.extend_from_slice(b"\n\nFrom y\nSubject: small\n\nok\n");
        let msgs: Vec<_> = MboxReader::with_limit(&mbox[..], 1000).map(|m| m.unwrap()).collect();
        assert_eq!(msgs.len(), 2);
        assert!(msgs[0].raw.is_err());
        assert_eq!(msgs[1].raw.as_ref().unwrap(), b"Subject: small\n\nok\n");
    }

    #[test]
    fn very_long_lines_are_read_in_chunks_without_false_separators() {
        let mut mbox = b"From x\nSubject: long\n\n".to_vec();
        // A chunk boundary falls exactly before "From " inside one long line.
        mbox.extend(std::iter::repeat_n(b'a', MAX_LINE as usize));
        mbox.extend_from_slice(b"From inside\n");
        let msgs = read(&mbox);
        assert_eq!(msgs.len(), 1);
        assert!(msgs[0].raw.as_ref().unwrap().ends_with(b"aFrom inside\n"));
    }
}
