//! Reading input: source files and positions, YAML with positions, dates and diagnostics.
//! Imports nothing else in the crate, so every stage can use it.

pub mod date;
pub mod diagnostic;
pub mod error;
pub mod excerpt;
pub(crate) mod fast;
pub mod kind;
pub(crate) mod sorted;
pub mod source;
pub(crate) mod yaml;
