//! Resource limits for hostile input. Documented in the crate README and the CLI help.

/// Largest message `parse_message` accepts (bytes). Larger input gets `ParseError::TooLarge`.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// Deepest `postacert.eml` nesting followed.
pub const MAX_POSTACERT_DEPTH: usize = 8;
/// Largest daticert.xml accepted (bytes).
pub const MAX_DATICERT_BYTES: usize = 1024 * 1024;
