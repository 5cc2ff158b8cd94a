//! End-to-end: the `cartolina inspect` binary.
