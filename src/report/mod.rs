//! The report: everything a score produced, as plain serializable data. Renderers (one per
//! format) read it and never compute anything of their own.

pub mod explain;
pub mod json;
pub mod text;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::catalog::{Severity, Verification};
use crate::date::Date;
use crate::evidence::{FactValue, Source, Status};
use crate::profile::{Bands, Param};
use crate::rules::{FactRead, ParamRead};
use crate::source::{InputHash, Location};

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
    /// The fact is too old for the profile, or past its `expires`.
    Stale,
    /// The fact is known but a gate needs stronger assurance.
    WeakAssurance,
}

/// A question to send the provider.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Question {
    /// The fact key.
    pub fact: String,
    /// The question text (from the vocabulary).
    pub ask: String,
    /// The guide question it belongs to (`q14`).
    pub question: String,
    /// How many fit points the answer can move (0–100 scale).
    pub swing: f64,
    /// True when the answer can open, meet or fail a gate.
    pub gate: bool,
    /// The gates it bears on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<String>,
    /// The requirements whose checks read it, sorted.
    pub requirements: Vec<String>,
    /// The frameworks those requirements sit under, sorted.
    pub frameworks: Vec<String>,
    /// Why it is asked.
    pub reason: AskReason,
    /// The current (stale or weakly assured) answer, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<FactValue>,
    /// Its status.
    pub status: Status,
}

/// Leaf or composite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeKindName {
    /// Checked by a rule.
    Leaf,
    /// Aggregates children.
    Composite,
}

/// A child edge as scored.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChildEdge {
    /// Child id.
    pub id: String,
    /// Edge weight (after profile overrides).
    pub weight: f64,
    /// Share of the parent among children that apply (0 for excluded ones and for all/any).
    pub share: f64,
}

/// One requirement's result.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NodeResult {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Leaf or composite.
    pub kind: NodeKindName,
    /// pass, fail, partial, unknown, not_applicable, waived or error.
    pub status: String,
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
    pub aggregate: Option<String>,
    /// For composites: children.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildEdge>,
    /// Citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Verification of the requirement's source, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// Guide questions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// For leaves: the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// For leaves: facts the check read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactRead>,
    /// For leaves: parameters the check read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamRead>,
    /// The check's note, or the waiver's reason.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The rule pack it comes from.
    pub pack: String,
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
    pub state: String,
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

/// Something worth knowing that did not stop the score.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// A stable kind (`stale-evidence`, `expired-waiver`, `assumed-fact`, `override`, …).
    pub kind: String,
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
    /// Resolved parameters, with who set them.
    pub params: BTreeMap<String, Param>,
    /// Score bands.
    pub bands: Bands,
    /// Staleness limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_evidence_age_days: Option<u32>,
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
    /// Its sources, for links in reports.
    pub sources: BTreeMap<String, Source>,
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
            .binary_search_by(|n| n.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.nodes.get(i))
    }

    /// The gate with an id.
    pub fn gate(&self, id: &str) -> Option<&GateResult> {
        self.gates.iter().find(|g| g.id == id)
    }

    /// The framework (root child) whose lo is lowest among those that apply: the weakest area.
    pub fn weakest_framework(&self) -> Option<&FrameworkWeight> {
        self.profile
            .frameworks
            .iter()
            .filter(|f| f.share > 0.0)
            .min_by(|a, b| a.lo.total_cmp(&b.lo).then_with(|| a.id.cmp(&b.id)))
    }
}

/// Rounds to 6 decimals so reports carry no floating-point noise (and stay byte-identical).
pub(crate) fn round6(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    // Also turns -0.0 into 0.0, which JSON would otherwise print as `-0.0`.
    if r.abs() < 1e-9 {
        0.0
    } else {
        r
    }
}
