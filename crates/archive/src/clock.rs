//! The clock that decides `overdue` (no outcome 24 h after acceptance).
//!
//! Passed as a value rather than read inside the pairing code so tests (and
//! `CARTOLINA_NOW`) can put "now" anywhere: a card's state is a function of the stored
//! receipts *and* the time it is looked at, so it is computed on read, never stored.
use crate::error::{Error, Result};

/// How long after acceptance a recipient with no outcome is `overdue` (primer 1.6:
/// the failure is final after 24 h).
pub const OVERDUE_AFTER_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<i64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock stopped at `unix_secs`.
    pub fn fixed(unix_secs: i64) -> Clock {
        Clock { fixed: Some(unix_secs) }
    }

    /// `CARTOLINA_NOW` (RFC 3339 or Unix seconds) when set, else the system clock.
    pub fn from_env() -> Result<Clock> {
        match std::env::var("CARTOLINA_NOW") {
            Ok(v) if !v.trim().is_empty() => Clock::parse(&v).map(Clock::fixed).ok_or(Error::BadClock(v)),
            _ => Ok(Clock::system()),
        }
    }

    fn parse(v: &str) -> Option<i64> {
        let v = v.trim();
        if let Ok(n) = v.parse::<i64>() {
            return Some(n);
        }
        chrono::DateTime::parse_from_rfc3339(v).ok().map(|d| d.timestamp())
    }

    pub fn now(&self) -> i64 {
        self.fixed.unwrap_or_else(|| chrono::Utc::now().timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        assert_eq!(Clock::parse("86400"), Some(86400));
        assert_eq!(Clock::parse("1970-01-02T01:00:00+01:00"), Some(86400));
        assert_eq!(Clock::parse("yesterday"), None);
    }
}
