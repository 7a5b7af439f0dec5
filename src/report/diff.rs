//! The model of `labfit diff`: what changed between two evidence files of one provider, and
//! what each change did to the score.

use serde::Serialize;

use crate::evidence::Fact;
use crate::input::date::Date;
use crate::score::{GateState, Verdict};

/// How a fact differs between the two files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new file.
    Added,
    /// Only in the old file.
    Removed,
    /// In both, with different fields.
    Changed,
}

impl ChangeKind {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// A gate whose state differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateChange {
    /// Requirement id of the must-have.
    pub id: String,
    /// State before.
    pub from: GateState,
    /// State after.
    pub to: GateState,
}

/// Where a score stands: the old file, the new file, or the old file with one change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Standing {
    /// Fit (0–100).
    pub fit: f64,
    /// Potential (0–100).
    pub potential: f64,
    /// Verdict.
    pub verdict: Verdict,
    /// Gates moved relative to the old file (empty for the old file itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<GateChange>,
}

/// One evidence file as scored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    /// The file name as given.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Provider id.
    pub id: String,
    /// Provider name.
    pub provider: String,
    /// The file's `as_of`.
    pub evidence_as_of: Date,
    /// Its score.
    pub standing: Standing,
}

/// One fact that differs, and what that difference alone does to the old file's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactChange {
    /// Fact key.
    pub key: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The fields that differ: value, status, source, as_of, expires, note, covers.
    pub fields: Vec<String>,
    /// The fact in the old file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Fact>,
    /// The fact in the new file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Fact>,
    /// The old file's score with only this change applied.
    pub effect: Standing,
}

impl FactChange {
    /// True when the change alone moved the verdict or a gate.
    pub fn decisive(&self, old: &Standing) -> bool {
        self.effect.verdict != old.verdict || !self.effect.gates.is_empty()
    }
}

/// The difference between two evidence files of a provider under one profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceDiff {
    /// `diff/v1`.
    pub labfit: &'static str,
    /// Profile id.
    pub profile: String,
    /// Profile title.
    pub title: String,
    /// Evaluation date.
    pub as_of: Date,
    /// The old file.
    pub old: Side,
    /// The new file.
    pub new: Side,
    /// Facts that differ: those that moved the verdict or a gate first, then by how far they
    /// moved fit and potential, then by key.
    pub changes: Vec<FactChange>,
    /// Differences outside the facts (provider name, `as_of`, sources), one sentence each.
    pub notes: Vec<String>,
}
