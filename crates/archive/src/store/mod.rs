//! The content-addressed store of raw message bytes.
pub mod blobs;

pub use blobs::{sha256_hex, BlobStore, Put};
