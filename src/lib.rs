//! labfit scores how well a cloud provider fits a laboratory's regulatory profile.
//!
//! Rhai rules read a provider's evidence (facts with status and source) and produce outcomes
//! on a weighted requirement graph (frameworks → controls → checks); a lab's profile picks the
//! frameworks, weights, thresholds, must-haves and waivers. The result is a fit score, its
//! potential if open questions resolve favourably, a verdict, an explanation and the questions
//! to send the provider.
//!
//! ```
//! let engine = labfit::Engine::builtin()?;                 // rules compiled once, graph validated
//! let profile = engine.profile("base-lab")?;
//! let evidence = engine.evidence("tencent-cloud")?;
//! let report = engine.score(&profile, &evidence, &labfit::Options::default());
//! assert!(report.fit <= report.potential);
//! println!("{} {:.1}–{:.1}", report.verdict, report.fit, report.potential);
//! # Ok::<(), labfit::Error>(())
//! ```
//!
//! The library never prints and never exits; errors are typed ([`Error`]) and carry positions.

#![forbid(unsafe_code)]
// The library never prints: output is the caller's business.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(missing_docs)]

// The flow, one stage per folder (src/README.md): input → weights → evidence and profile →
// rules → graph → score → report → render; answers/ brings a provider's answers back into
// evidence; engine/ drives it, authoring/ serves rule authors, serve/ puts it behind HTTP.
pub mod answers;
pub mod authoring;
pub mod engine;
pub mod evidence;
#[doc(hidden)]
pub mod graph;
pub mod input;
pub mod profile;
pub mod render;
pub mod report;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod score;
#[cfg(feature = "serve")]
pub mod serve;
pub mod weights;

pub use engine::error::Error;
pub use engine::robust::{RobustnessOptions, DEFAULT_SEED};
pub use engine::{Engine, EngineBuilder, Options, Prepared};
pub use evidence::{Evidence, FactValue, Status};
pub use input::date::Date;
pub use input::diagnostic::Diagnostic;
pub use input::source::SourceFile;
pub use report::comparison::Comparison;
pub use report::{GateState, Report, Verdict};
pub use rules::{Limits, OutcomeStatus};
pub use score::BoundProfile;
