//! The report: everything a score produced, as plain serializable data. Renderers (one per
//! format) read it and never compute anything of their own.

pub mod comparison;
pub mod diff;
pub mod explain;
pub mod robustness;
pub mod weighting;

pub use crate::score::{
    AnswerKind, AskReason, GateResult, GateState, Held, HeldHow, Impact, Move, NodeStatus,
    Question, Verdict,
};

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::evidence::{FactValue, Source};
use crate::graph::catalog::{Severity, Verification};
use crate::input::date::Date;
use crate::input::source::{InputHash, Location};
use crate::profile::{Bands, Param};
use crate::rules::{FactRead, Outcome, ParamRead};

/// The report format version; embedders can rely on its fields.
pub const REPORT_VERSION: &str = "report/v1";

/// Name and version of the engine that produced a report.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EngineInfo {
    /// `labfit`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl EngineInfo {
    /// This build.
    pub fn current() -> Self {
        EngineInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// What a node of a report or of an explanation is: the profile's own root (explanations only),
/// a composite, or a leaf. The graph's [`crate::graph::NodeKind`] holds the structure; this is
/// its name in output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeKindName {
    /// The profile's root, over its frameworks.
    Profile,
    /// Checked by a rule.
    Leaf,
    /// Aggregates children.
    Composite,
}

/// A child edge as scored.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChildEdge {
    /// Child id.
    #[schemars(with = "String")]
    pub id: Arc<str>,
    /// Edge weight (after profile overrides).
    pub weight: f64,
    /// Share of the parent among children that apply (0 for excluded ones and for all/any).
    pub share: f64,
}

/// One requirement's result.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NodeResult {
    // Ids and titles are the graph's, shared with every report rather than copied into each.
    /// Id.
    #[schemars(with = "String")]
    pub id: Arc<str>,
    /// Title.
    #[schemars(with = "String")]
    pub title: Arc<str>,
    /// Leaf or composite.
    pub kind: NodeKindName,
    /// pass, fail, partial, unknown, not_applicable, waived or error.
    pub status: NodeStatus,
    /// Lower bound (0 when excluded).
    pub lo: f64,
    /// Upper bound (0 when excluded).
    pub hi: f64,
    /// Global weight: the share of the fit this node's value carries.
    pub weight: f64,
    /// Its share of the fit score, in fit points (global weight × lo × 100).
    pub contribution: f64,
    /// For composites: how children combine.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub aggregate: Option<&'static str>,
    /// For composites: children.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildEdge>,
    /// Citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub citation: Option<Arc<str>>,
    /// Severity.
    pub severity: Severity,
    /// Verification of the requirement's source, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// Guide questions.
    #[serde(skip_serializing_if = "no_questions")]
    #[schemars(with = "Vec<String>")]
    pub questions: Arc<[String]>,
    /// For leaves: the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub check: Option<Arc<str>>,
    /// For leaves: facts the check read.
    #[serde(skip_serializing_if = "Reads::is_empty")]
    #[schemars(with = "Vec<FactRead>")]
    pub facts: Reads<Arc<FactRead>>,
    /// For leaves: parameters the check read.
    #[serde(skip_serializing_if = "Reads::is_empty")]
    #[schemars(with = "Vec<ParamRead>")]
    pub params: Reads<ParamRead>,
    /// The check's note, or the waiver's reason.
    #[serde(skip_serializing_if = "str::is_empty")]
    #[schemars(with = "String")]
    pub note: Arc<str>,
    /// The rule pack it comes from.
    #[schemars(with = "String")]
    pub pack: Arc<str>,
}

fn no_questions(q: &Arc<[String]>) -> bool {
    q.is_empty()
}

/// What a leaf's check read (its facts or its parameters), in the order it read them: a view
/// of the rule's outcome, shared with the cache of outcomes and with every report of the same
/// outcome instead of copied into each. It derefs to a slice and serializes as one.
#[derive(Clone)]
pub struct Reads<T: 'static> {
    outcome: Option<Arc<Outcome>>,
    pick: fn(&Outcome) -> &[T],
}

impl Reads<Arc<FactRead>> {
    /// The facts an outcome's check read.
    pub fn facts(outcome: Arc<Outcome>) -> Self {
        Reads {
            outcome: Some(outcome),
            pick: |o| &o.facts,
        }
    }
}

impl Reads<ParamRead> {
    /// The parameters an outcome's check read.
    pub fn params(outcome: Arc<Outcome>) -> Self {
        Reads {
            outcome: Some(outcome),
            pick: |o| &o.params,
        }
    }
}

impl<T> Reads<T> {
    /// Nothing read (a composite, or a leaf without an outcome).
    pub fn none() -> Self {
        Reads {
            outcome: None,
            pick: |_| &[],
        }
    }

    /// True when nothing was read.
    pub fn is_empty(&self) -> bool {
        self.deref().is_empty()
    }
}

impl<T> Deref for Reads<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.outcome.as_deref().map_or(&[], self.pick)
    }
}

impl<'a, T> IntoIterator for &'a Reads<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.deref().iter()
    }
}

impl<T: PartialEq> PartialEq for Reads<T> {
    fn eq(&self, other: &Self) -> bool {
        self.deref() == other.deref()
    }
}

impl<T: fmt::Debug> fmt::Debug for Reads<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.deref().fmt(f)
    }
}

impl<T: Serialize> Serialize for Reads<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.deref().serialize(s)
    }
}

/// Whether a waiver applies on the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// Not yet expired: the requirement is excluded.
    Active,
    /// Expired: ignored, and the requirement is scored.
    Expired,
}

impl WaiverState {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Active => "active",
            WaiverState::Expired => "expired",
        }
    }
}

/// A waiver and whether it applied.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WaiverResult {
    /// Requirement id.
    pub id: String,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day it applies.
    pub expires: Date,
    /// `active` or `expired`.
    pub state: WaiverState,
}

/// A rule that errored.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RuleErrorEntry {
    /// The requirement whose check failed.
    pub requirement: String,
    /// What went wrong.
    pub message: String,
    /// Where, as file:line:col.
    pub location: Location,
}

/// The kinds of warning. Variants are in the alphabetical order of their names, because reports
/// sort warnings by kind and the order must not depend on how the kinds are spelt in code.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A what-if value is in effect.
    AssumedFact,
    /// Facts are past their `expires` date.
    ExpiredEvidence,
    /// A waiver has expired.
    ExpiredWaiver,
    /// Pairwise judgements are less consistent than Saaty's 0.10, and the profile accepts them.
    InconsistentJudgements,
    /// Nothing the profile selects applies.
    NothingApplies,
    /// Facts cover only services the lab will not use.
    OutOfScope,
    /// A rule pack replaced a definition.
    Override,
    /// Facts are older than the profile's `max_evidence_age_days`.
    StaleEvidence,
}

impl WarningKind {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::AssumedFact => "assumed-fact",
            WarningKind::ExpiredEvidence => "expired-evidence",
            WarningKind::ExpiredWaiver => "expired-waiver",
            WarningKind::InconsistentJudgements => "inconsistent-judgements",
            WarningKind::NothingApplies => "nothing-applies",
            WarningKind::OutOfScope => "out-of-scope",
            WarningKind::Override => "override",
            WarningKind::StaleEvidence => "stale-evidence",
        }
    }
}

/// Something worth knowing that did not stop the score.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// What kind of warning.
    pub kind: WarningKind,
    /// One sentence.
    pub message: String,
}

/// The profile as scored.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProfileInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Root frameworks and weights.
    pub frameworks: Vec<FrameworkWeight>,
    /// Resolved parameters, with who set them (the profile's, shared rather than copied).
    #[schemars(with = "BTreeMap<String, Param>")]
    pub params: Arc<BTreeMap<String, Param>>,
    /// Score bands.
    pub bands: Bands,
    /// Staleness limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_evidence_age_days: Option<u32>,
    /// How the weights were derived, when the profile gives any as pairwise judgements: the
    /// consistency of each set and the random index table it was judged by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighting: Option<weighting::WeightingReport>,
}

/// One root framework.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FrameworkWeight {
    /// Framework id.
    pub id: String,
    /// Its weight in the profile.
    pub weight: f64,
    /// Its share of the fit among frameworks that apply.
    pub share: f64,
    /// Its own interval.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The provider as scored.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProviderInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// When its evidence was compiled.
    pub as_of: Date,
    /// Its sources, for links in reports (the evidence's, shared rather than copied).
    #[schemars(with = "BTreeMap<String, Source>")]
    pub sources: Arc<BTreeMap<String, Source>>,
}

/// A what-if value in effect.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Assumption {
    /// Fact key.
    pub fact: String,
    /// Assumed value.
    pub value: FactValue,
}

/// Everything a score produced.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// `report/v1`.
    pub labfit: &'static str,
    /// The engine.
    pub engine: EngineInfo,
    /// Evaluation date.
    pub as_of: Date,
    /// The profile.
    pub profile: ProfileInfo,
    /// The provider.
    pub provider: ProviderInfo,
    /// What the evidence shows today (0–100).
    pub fit: f64,
    /// What it would be if every open question were answered favourably (0–100).
    pub potential: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// Must-haves.
    pub gates: Vec<GateResult>,
    /// Questions to send, most important first.
    pub questions: Vec<Question>,
    /// Every requirement scored, sorted by id.
    pub nodes: Vec<NodeResult>,
    /// Waivers.
    pub waivers: Vec<WaiverResult>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Rule errors.
    pub errors: Vec<RuleErrorEntry>,
    /// What-if assumptions in effect.
    pub assumptions: Vec<Assumption>,
    /// The SHA-256 of every input.
    pub inputs: Vec<InputHash>,
}

impl Report {
    /// The node with an id.
    pub fn node(&self, id: &str) -> Option<&NodeResult> {
        self.nodes
            .binary_search_by(|n| (*n.id).cmp(id))
            .ok()
            .and_then(|i| self.nodes.get(i))
    }

    /// The gate with an id.
    pub fn gate(&self, id: &str) -> Option<&GateResult> {
        self.gates.iter().find(|g| g.id == id)
    }

    /// True when the requirement's citation could not be checked against the regulation's
    /// own text (`verification: unverified` in the catalog).
    pub fn unverified(&self, id: &str) -> bool {
        self.node(id)
            .is_some_and(|n| n.verification == Some(Verification::Unverified))
    }

    /// The title of a requirement in this report, or the id itself when it was not reached.
    pub fn title_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.node(id).map_or(id, |n| &*n.title)
    }

    /// The framework (root child) whose lo is lowest among those that apply: the weakest area.
    pub fn weakest_framework(&self) -> Option<&FrameworkWeight> {
        let fws = &self.profile.frameworks;
        let id = crate::score::weakest(fws.iter().map(|f| (f.id.as_str(), f.share, f.lo)))?;
        fws.iter().find(|f| f.id == id)
    }
}
