//! # cartolina-forge: realistic PEC mail stores for tests and benchmarks
//!
//! Generates a user's PEC mailbox the way providers and mail clients really fill it:
//! sent messages with whole lifecycles (acceptance, one delivery receipt per certified
//! recipient in `completa`/`breve`/`sintetica` form, non-acceptance, delivery errors,
//! 12-hour warnings, pending outcomes, `esterno` recipients), inbound transport
//! envelopes, anomaly envelopes, taking-charge and virus notices, ordinary mail, and
//! CAdES-BES `.p7m` attachments. Every provider message is S/MIME signed for real by a
//! test PKI shaped like the AgID one, so `openssl smime -verify -CAfile trust/test-root.pem`
//! accepts it.
//!
//! Output: `maildir` (Dovecot Maildir++), `mbox` (Thunderbird), or `eml` (CRLF files),
//! with `trust/*.pem` and a streamed `manifest.json` describing every message and file.
//! Output is a pure function of the arguments: each message index has its own RNG
//! derived from the seed, so generation runs in parallel and stays byte-identical.
//!
//! Module map: [`pki`] (certificates), [`providers`] (house styles), [`lifecycle`]
//! (what happens to each sent message), [`inbound`] (mail from others), [`envelope`],
//! [`bodies`] and [`daticert`] (provider messages), [`compose`] (client-written mail),
//! [`smime`] (CMS), [`mime`], [`store`], [`manifest`], [`gen`] (the parallel run),
//! [`faults`] (deliberately faulty files, `--faults`).

pub mod bodies;
pub mod compose;
pub mod data;
pub mod daticert;
pub mod envelope;
pub mod faults;
pub mod gen;
pub mod inbound;
pub mod lifecycle;
pub mod manifest;
pub mod mime;
pub mod pki;
pub mod providers;
pub mod smime;
pub mod store;
pub mod util;

pub use gen::{run, Options, Stats};
pub use manifest::Kind;
pub use store::Format;
