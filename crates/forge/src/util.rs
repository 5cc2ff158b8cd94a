//! Small shared helpers: deterministic RNG derivation, Europe/Rome time, a minimal DER writer.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

/// Derives an independent RNG stream from the run seed and a label.
///
/// Every message gets its own stream (label = its index), which is what makes
/// parallel generation byte-identical to sequential generation.
pub fn derive_rng(seed: u64, label: &str, index: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(b"cartolina-forge/v1/");
    h.update(seed.to_be_bytes());
    h.update(label.as_bytes());
    h.update(index.to_be_bytes());
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// Last Sunday of a month (EU DST switches happen then at 01:00 UTC).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid date");
    let mut d = first_next.pred_opt().expect("valid date");
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().expect("valid date");
    }
    d
}

/// UTC offset of Europe/Rome at an instant, in seconds (3600 or 7200).
///
/// Implemented from the EU rule rather than a tz database: it has been stable since 1996
/// and the corpus only spans recent years.
pub fn rome_offset_secs(t: DateTime<Utc>) -> i32 {
    let y = t.year();
    let start = last_sunday(y, 3).and_hms_opt(1, 0, 0).expect("time").and_utc();
    let end = last_sunday(y, 10).and_hms_opt(1, 0, 0).expect("time").and_utc();
    if t >= start && t < end {
        7200
    } else {
        3600
    }
}

pub fn rome(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(rome_offset_secs(t)).expect("offset").from_utc_datetime(&t.naive_utc())
}

/// RFC 5322 date in Rome local time, e.g. `Tue, 13 Nov 2018 16:39:26 +0100`.
pub fn rfc2822_rome(t: DateTime<Utc>) -> String {
    rome(t).format("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// Received-header date with the zone comment Postfix writes: `(CET)` / `(CEST)`.
pub fn received_date(t: DateTime<Utc>) -> String {
    let z = if rome_offset_secs(t) == 7200 { "CEST" } else { "CET" };
    format!("{} ({})", rome(t).format("%a, %e %b %Y %H:%M:%S %z"), z)
}

/// `+0100` / `+0200`, as daticert's `@zona` wants it.
pub fn rome_zone(t: DateTime<Utc>) -> &'static str {
    if rome_offset_secs(t) == 7200 {
        "+0200"
    } else {
        "+0100"
    }
}

// ---- minimal DER writer -------------------------------------------------------------
// CMS structures are assembled by hand: the certificate set and signer names are
// pre-encoded once, so a signature per message costs only a few small allocations.

pub fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    der_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub fn oid(o: &const_oid::ObjectIdentifier) -> Vec<u8> {
    tlv(0x06, o.as_bytes())
}

/// DER UTCTime (years 1950..2049) as CMS signingTime requires in that range.
pub fn utc_time(t: DateTime<Utc>) -> Vec<u8> {
    tlv(0x17, t.format("%y%m%d%H%M%SZ").to_string().as_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dst_switches() {
        let winter = Utc.with_ymd_and_hms(2018, 11, 13, 15, 39, 26).unwrap();
        assert_eq!(rfc2822_rome(winter), "Tue, 13 Nov 2018 16:39:26 +0100");
        let summer = Utc.with_ymd_and_hms(2021, 7, 1, 10, 0, 0).unwrap();
        assert_eq!(rome_zone(summer), "+0200");
        // 2021-03-28 is the last Sunday of March: switch at 01:00 UTC.
        let before = Utc.with_ymd_and_hms(2021, 3, 28, 0, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2021, 3, 28, 1, 0, 0).unwrap();
        assert_eq!(rome_zone(before), "+0100");
        assert_eq!(rome_zone(after), "+0200");
    }

    #[test]
    fn der_long_length() {
        let v = tlv(0x04, &[0u8; 300]);
        assert_eq!(&v[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
