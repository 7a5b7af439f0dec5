//! Answers coming back: a provider's filled-in questionnaire read into facts and merged into
//! its evidence, each earlier statement kept in the fact's history.
//!
//! Three questionnaires come back: labfit's own form (`labfit questions --format csv|xlsx`,
//! one row per question, read by [`form`]), the CSA CAIQ v4 a provider publishes ([`caiq`]),
//! and the HECVAT 3 universities send vendors ([`hecvat`]). The last two, and any other a
//! user describes, reach facts through a [`mapping`]: question ids → fact keys and values, a
//! data file checked by `labfit check`. [`import`] turns a workbook into [`merge::Setting`]s
//! and reports every question it mapped, every one it could not, every cell it rejected (at
//! its file, sheet, row and column) and the facts the questionnaire cannot answer;
//! [`merge::apply`] writes the settings into evidence.
//!
//! The spreadsheet parts ([`grid`], the readers, the form) need the `sheets` feature; the
//! mappings and the merge do not. Nothing here prints; every input is untrusted, so a bad
//! file is an error with a hint and a bad cell a [`grid::Rejection`] beside the answers that
//! could be read.
//!
//! Stage: between the report (the form is made from a report's questions) and the engine,
//! which drives an import; it uses evidence, input and report, and nothing uses it but the
//! engine, authoring (checking mappings) and the command line.

pub mod mapping;
pub mod merge;

#[cfg(feature = "sheets")]
pub mod caiq;
#[cfg(feature = "sheets")]
pub mod error;
#[cfg(feature = "sheets")]
pub mod form;
#[cfg(feature = "sheets")]
pub mod grid;
#[cfg(feature = "sheets")]
pub mod hecvat;
#[cfg(feature = "sheets")]
pub mod import;
#[cfg(feature = "sheets")]
pub mod table;
