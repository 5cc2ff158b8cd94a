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

/// Check that handing `raw` to a *full* `mail_parser::MessageParser::parse` is
/// safe, and return the deepest MIME nesting found (multipart and
/// `message/rfc822` levels; the top-level entity is depth 0).
///
/// Why: `parse_message` never asks mail-parser for more than header blocks,
/// but callers that want attachments (the CLI, the archive) parse
/// `postacert.eml` fully. mail-parser parses 7bit `message/rfc822` nesting
/// iteratively, yet its `Message` tree is dropped recursively: about 10,000
/// nested messages overflow a 2 MB thread stack (measured with 0.11.9).
/// Multipart nesting is stored flat and is harmless, but is counted too.
/// Encoded (base64/QP) enclosed messages are decoded and followed, as
/// mail-parser does, up to its own three levels.
///
/// Errors: [`ParseError::TooDeep`] past `max_depth`, [`ParseError::TooManyParts`]
/// past [`MAX_MIME_PARTS`](crate::limits::MAX_MIME_PARTS) × 16 parts. Iterative,
/// linear in the input per level.
pub fn check_mime_nesting(raw: &[u8], max_depth: usize) -> Result<usize, ParseError> {
    use crate::limits::MAX_MIME_PARTS;
    use crate::mime::{self, Entity};
    // mail-parser's MAX_NESTED_ENCODED: deeper encoded messages stay opaque binary.
    const MAIL_PARSER_ENCODED_LEVELS: usize = 3;
    let budget = MAX_MIME_PARTS * 16;

    let mut buffers: Vec<Cow<'_, [u8]>> = vec![Cow::Borrowed(raw)];
    // (buffer, entity, depth, encoded levels, parent is multipart/digest)
    let mut stack = vec![(0usize, Entity::whole(raw), 0usize, 0usize, false)];
    let mut deepest = 0usize;
    let mut seen = 0usize;
    while let Some((b, entity, depth, encoded, in_digest)) = stack.pop() {
        seen += 1;
        if seen > budget {
            return Err(ParseError::TooManyParts(budget));
        }
        if depth > max_depth {
            return Err(ParseError::TooDeep(max_depth));
        }
        deepest = deepest.max(depth);
        let buf: &[u8] = &buffers[b];
        let headers = mime::parse_headers(buf, &entity);
        let info = mime::part_info(headers.as_ref());
        let is_message = info.is("message/rfc822")
            || info.is("message/global")
            || (in_digest && info.content_type.is_empty());
        if info.is_multipart() {
            let Some(boundary) = info.boundary.as_deref().filter(|b| !b.is_empty()) else { continue };
            let digest = info.is("multipart/digest");
            let split = mime::split_multipart(buf, &entity, boundary, budget);
            for &(s, e) in split.parts.iter().rev() {
                stack.push((b, Entity::at(buf, s, e), depth + 1, encoded, digest));
            }
        } else if is_message {
            match info.cte() {
                mime::TransferEncoding::Identity => {
                    let inner = Entity::at(buf, entity.body.min(entity.end), entity.end);
                    stack.push((b, inner, depth + 1, encoded, false));
                }
                cte if encoded < MAIL_PARSER_ENCODED_LEVELS => {
                    let body = &buf[entity.body.min(entity.end)..entity.end];
                    if let Some(decoded) = mime::decode_body(body, cte) {
                        let decoded = decoded.into_owned();
                        let inner = Entity::whole(&decoded);
                        buffers.push(Cow::Owned(decoded));
                        stack.push((buffers.len() - 1, inner, depth + 1, encoded + 1, false));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(deepest)
}
