//! Answers coming back, end to end, in one test binary (one link instead of one per file):
//! synthetic CAIQ and HECVAT workbooks read back and their malformed variants with positions
//! in every error, forms written and read, a quick fuzz of random and damaged inputs, the
//! round trip from `labfit questions` to the updated ranking, the built-in mappings, and the
//! commands of docs/answers.md run as written.
#![cfg(feature = "sheets")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

mod caiq;
mod docs;
mod form;
mod fuzz;
mod grid;
mod hecvat;
mod imports;
mod roundtrip;
mod synth;
mod util;
