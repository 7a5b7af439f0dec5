//! What scoring produces besides node values: the verdict, each must-have's state, the
//! questions to ask and a ranking's summary of one provider. Plain serializable data; the
//! report model (`report/`) embeds these types as they are.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::evidence::vocabulary::FactType;
use crate::evidence::{FactValue, Status};
use crate::rules::OutcomeStatus;

/// The decision a report supports.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every gate met, fit at or above the strong band.
    Strong,
    /// Every gate met, fit in the moderate band.
    Moderate,
    /// Every gate met, fit below the moderate band.
    Weak,
    /// No gate failed, some are open: answers are needed before a decision.
    Conditional,
    /// A gate failed.
    Ineligible,
}

impl Verdict {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Strong => "strong",
            Verdict::Moderate => "moderate",
            Verdict::Weak => "weak",
            Verdict::Conditional => "conditional",
            Verdict::Ineligible => "ineligible",
        }
    }

    /// Eligible verdicts rank before conditional, before ineligible.
    pub fn group(self) -> u8 {
        match self {
            Verdict::Strong | Verdict::Moderate | Verdict::Weak => 0,
            Verdict::Conditional => 1,
            Verdict::Ineligible => 2,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a must-have.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    /// Shown to hold, with enough assurance.
    Met,
    /// Could still go either way.
    Open,
    /// Cannot hold whatever the open questions' answers.
    Failed,
}

impl GateState {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Met => "met",
            GateState::Open => "open",
            GateState::Failed => "failed",
        }
    }
}

impl fmt::Display for GateState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A must-have's result.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GateResult {
    /// Requirement id.
    pub id: String,
    /// Requirement title.
    pub title: String,
    /// Met, open or failed.
    pub state: GateState,
    /// Why, in one sentence.
    pub reason: String,
    /// Why the profile makes it a must-have (its `reason`), when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The minimum lower bound required.
    pub min: f64,
    /// The minimum assurance required, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_assurance: Option<Status>,
    /// The requirement's interval.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// Why a fact is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AskReason {
    /// The evidence says nothing, or says it is unknown.
    Unknown,
    /// The fact is older than the profile's `max_evidence_age_days`.
    Stale,
    /// The fact is past its `expires`, or past the validity of its kind of document.
    Expired,
    /// The fact holds only for some of the services the lab will use.
    OutOfScope,
    /// The fact is known but a gate needs stronger assurance.
    WeakAssurance,
}

impl AskReason {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AskReason::Unknown => "unknown",
            AskReason::Stale => "stale",
            AskReason::Expired => "expired",
            AskReason::OutOfScope => "out_of_scope",
            AskReason::WeakAssurance => "weak_assurance",
        }
    }
}

/// A question to send the provider.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Question {
    /// The fact key (the fact table's, shared).
    #[schemars(with = "String")]
    pub fact: Arc<str>,
    // The texts are the vocabulary's, shared rather than copied into every question.
    /// The question text (from the vocabulary).
    #[schemars(with = "String")]
    pub ask: Arc<str>,
    /// The guide question it belongs to (`q14`).
    #[schemars(with = "String")]
    pub question: Arc<str>,
    /// How many fit points the answer can move (0–100 scale).
    pub swing: f64,
    /// True when the answer can open, meet or fail a gate.
    pub gate: bool,
    // Requirement ids are the graph's, shared rather than copied into every question.
    /// The gates it bears on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<String>")]
    pub gates: Vec<Arc<str>>,
    /// The requirements whose checks read it, sorted.
    #[schemars(with = "Vec<String>")]
    pub requirements: Vec<Arc<str>>,
    /// The frameworks those requirements sit under, sorted.
    #[schemars(with = "Vec<String>")]
    pub frameworks: Vec<Arc<str>>,
    /// Why it is asked.
    pub reason: AskReason,
    /// The current (stale or weakly assured) answer, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<FactValue>,
    /// Its status.
    pub status: Status,
    /// What kind of answer it takes (the fact's type and allowed values).
    pub answer: AnswerKind,
    /// The document to ask for with the answer, when the fact needs more assurance than a
    /// provider's word gives it (an attestation, a must-have that asks for `attested` or
    /// `verified`, a weakly assured, expired or out-of-scope fact): "the current SOC 2 Type II
    /// report".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub document: Option<Arc<str>>,
    /// True when every check that reads the fact is already decided on other facts (an
    /// alternative passes): the answer can only confirm, so the question comes last.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub settled: bool,
    /// Requirements above the fact's checks that a favourable answer cannot raise alone,
    /// and what holds each down: why a framework, or the fit, moves less than the checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Held>,
    /// By how much a favourable answer moves each requirement and framework it bears on.
    pub impact: Impact,
}

/// What kind of answer a question takes.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AnswerKind {
    /// The fact's type.
    #[serde(rename = "type")]
    pub ty: FactType,
    // Shared with every question on the fact (the country codes are 249); the doc line is
    // the JSON Schema's description, so it stays as it was.
    /// The allowed values of an enum.
    #[serde(skip_serializing_if = "no_values")]
    #[schemars(with = "Vec<String>")]
    pub values: Arc<[String]>,
    /// The unit of a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

fn no_values(v: &Arc<[String]>) -> bool {
    v.is_empty()
}

/// A requirement a favourable answer cannot raise alone.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Held {
    /// The requirement.
    #[schemars(with = "String")]
    pub id: Arc<str>,
    /// `all`: it needs every child, and these others are below what the answer would give;
    /// `any`: one child suffices, and these others already give as much.
    pub how: HeldHow,
    /// Its other children that decide it.
    #[schemars(with = "Vec<String>")]
    pub by: Vec<Arc<str>>,
}

/// Why a requirement does not follow an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HeldHow {
    /// All children must hold, and others are open or failing.
    All,
    /// One child suffices, and another already holds as well.
    Any,
}

/// What a favourable answer to one question would move.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Impact {
    /// Each requirement whose check reads the fact: from its lo to its hi, and the fit points
    /// that requirement alone would add.
    pub requirements: Vec<Move>,
    /// Each root framework above those requirements: its score now and with the answer, and
    /// the fit points that adds (these add up to the question's swing).
    pub frameworks: Vec<Move>,
}

/// One score moved by an answer, on the 0–100 scale (other open questions held unfavourable).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Move {
    /// Requirement or framework id.
    #[schemars(with = "String")]
    pub id: Arc<str>,
    /// Its score now (100 · lo).
    pub from: f64,
    /// Its score with a favourable answer.
    pub to: f64,
    /// Fit points gained.
    pub swing: f64,
}

/// What a ranking needs of a report: fit, potential, verdict, gate states, weakest framework and
/// rule-error count, from the same pass as the report but without building it (node results,
/// questions and their swings are most of a report's cost).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Fit (0–100), rounded as in the report.
    pub fit: f64,
    /// Potential (0–100), rounded as in the report.
    pub potential: f64,
    /// Verdict.
    pub verdict: Verdict,
    /// Every gate, in the profile's order.
    pub gates: Vec<GateResult>,
    /// The weakest framework's id (see [`crate::score::weakest`]).
    pub weakest: Option<String>,
    /// How many rule errors the report would list.
    pub errors: usize,
    /// True when the evidence states facts that have expired (counted as unknown); the
    /// engine sets it from the fact table, which the scoring pass does not see.
    pub expired_evidence: bool,
}

/// A requirement's status in a report: its check's outcome for a leaf, what its interval shows
/// for a composite, or `waived`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Holds in part.
    Partial,
    /// Could be anything: the evidence does not say.
    Unknown,
    /// Does not apply to this provider.
    NotApplicable,
    /// Excluded by an active waiver.
    Waived,
    /// The check errored (counted as unknown).
    Error,
}

impl NodeStatus {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Pass => "pass",
            NodeStatus::Fail => "fail",
            NodeStatus::Partial => "partial",
            NodeStatus::Unknown => "unknown",
            NodeStatus::NotApplicable => "not_applicable",
            NodeStatus::Waived => "waived",
            NodeStatus::Error => "error",
        }
    }
}

impl fmt::Display for NodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<OutcomeStatus> for NodeStatus {
    fn from(s: OutcomeStatus) -> NodeStatus {
        match s {
            OutcomeStatus::Pass => NodeStatus::Pass,
            OutcomeStatus::Fail => NodeStatus::Fail,
            OutcomeStatus::Partial => NodeStatus::Partial,
            OutcomeStatus::Unknown => NodeStatus::Unknown,
            OutcomeStatus::NotApplicable => NodeStatus::NotApplicable,
            OutcomeStatus::Error => NodeStatus::Error,
        }
    }
}
