//! Corpus generator (stub).
