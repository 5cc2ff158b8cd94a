//! Resource limits for hostile input (summarised in the crate docs, lib.rs).

/// Largest message `parse_message` accepts (bytes). Larger input gets `ParseError::TooLarge`.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// Deepest `postacert.eml` nesting followed.
pub const MAX_POSTACERT_DEPTH: usize = 8;
/// Largest daticert.xml accepted (bytes).
pub const MAX_DATICERT_BYTES: usize = 1024 * 1024;
/// Most XML events (elements, text runs, references, comments) read from
/// daticert.xml; a real one has about 60.
pub const MAX_DATICERT_NODES: u32 = 10_000;
/// Deepest MIME multipart nesting walked inside one message (not counting
/// `postacert.eml` levels, which have their own limit).
pub const MAX_MIME_DEPTH: usize = 32;
/// Most MIME parts examined in one message.
pub const MAX_MIME_PARTS: usize = 4_096;
/// Deepest element nesting accepted in daticert.xml (a real one has 4 levels).
pub const MAX_DATICERT_DEPTH: usize = 64;
/// Deepest MIME nesting (multipart + `message/rfc822` levels) under which a
/// full mail-parser parse is safe on a 2 MB stack; for
/// [`check_mime_nesting`](crate::check_mime_nesting). Real mail is under 10.
pub const MAX_FULL_PARSE_DEPTH: usize = 64;
