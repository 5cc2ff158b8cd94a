//! Following `postacert.eml` down nested envelopes, with a depth limit.
//!
//! A transport envelope encloses the original message, which may itself be a
//! forwarded envelope, and so on. Each level is parsed by [`parse_message`] in
//! a loop (no recursion), and at most [`MAX_POSTACERT_DEPTH`] levels are
//! followed: hostile nesting ends in [`ParseError::TooDeep`], not a stack
//! overflow or an hour of work.
use std::borrow::Cow;

use crate::limits::MAX_POSTACERT_DEPTH;
use crate::{parse_message, ParseError, PecKind};

/// The kinds along the postacert chain, outermost first: `[kind of raw, kind of
/// its postacert, ...]`. Errors with `TooDeep` if there are more than
/// `MAX_POSTACERT_DEPTH` enclosed levels, or with the parse error of any level.
pub fn postacert_chain(raw: &[u8]) -> Result<Vec<PecKind>, ParseError> {
    let mut kinds = Vec::new();
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(raw);
    loop {
        let next: Option<Cow<'_, [u8]>> = match &current {
            Cow::Borrowed(b) => {
                let m = parse_message(b)?;
                kinds.push(m.kind);
                m.postacert
            }
            Cow::Owned(v) => {
                let m = parse_message(v)?;
                kinds.push(m.kind);
                m.postacert.map(|p| Cow::Owned(p.into_owned()))
            }
        };
        match next {
            None => return Ok(kinds),
            Some(_) if kinds.len() > MAX_POSTACERT_DEPTH => return Err(ParseError::TooDeep(MAX_POSTACERT_DEPTH)),
            Some(n) => current = n,
        }
    }
}
