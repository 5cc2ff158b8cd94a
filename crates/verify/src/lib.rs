//! Signature verification (stub).
