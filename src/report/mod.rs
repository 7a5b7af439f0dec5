//! The report: everything a score produced, as plain serializable data. Renderers (one per
//! format) read it and never compute anything of their own.

pub mod explain;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::evidence::{FactValue, Source, Status};
use crate::graph::catalog::{Severity, Verification};
use crate::input::date::Date;
use crate::input::source::{InputHash, Location};
use crate::profile::{Bands, Param};
use crate::rules::{FactRead, ParamRead};

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
    /// The fact is too old for the profile, or past its `expires`.
    Stale,
    /// The fact is known but a gate needs stronger assurance.
    WeakAssurance,
}

impl AskReason {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AskReason::Unknown => "unknown",
            AskReason::Stale => "stale",
            AskReason::WeakAssurance => "weak_assurance",
        }
    }
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
    /// By how much a favourable answer moves each requirement and framework it bears on.
    pub impact: Impact,
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
    pub id: String,
    /// Its score now (100 · lo).
    pub from: f64,
    /// Its score with a favourable answer.
    pub to: f64,
    /// Fit points gained.
    pub swing: f64,
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

    /// The title of a requirement in this report, or the id itself when it was not reached.
    pub fn title_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.node(id).map_or(id, |n| n.title.as_str())
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

/// The provider's current answer to a question, in words, when it has one worth showing: a
/// stale value, or one whose assurance is below what a must-have needs.
pub fn current_answer(r: &Report, q: &Question) -> Option<String> {
    let v = q.current.as_ref()?;
    match q.reason {
        AskReason::Unknown => None,
        AskReason::Stale => Some(format!("{v} ({}, out of date)", q.status)),
        AskReason::WeakAssurance => {
            let need = q
                .gates
                .iter()
                .filter_map(|g| r.gate(g)?.min_assurance)
                .max_by_key(|s| s.rank());
            Some(match need {
                Some(n) => format!("{v} ({} only; a must-have needs {n} or better)", q.status),
                None => format!("{v} ({} only)", q.status),
            })
        }
    }
}

/// What a verdict means, in one sentence for a committee.
pub fn verdict_meaning(v: Verdict) -> &'static str {
    match v {
        Verdict::Strong => "every must-have is met and the fit is in the strong band",
        Verdict::Moderate => "every must-have is met and the fit is in the moderate band",
        Verdict::Weak => "every must-have is met but the fit is below the moderate band",
        Verdict::Conditional => {
            "no must-have has failed, but some are still open: the provider's answers decide"
        }
        Verdict::Ineligible => {
            "a must-have failed: no answer to the open questions can make this provider acceptable"
        }
    }
}

/// What a committee should take from a comparison, as plain sentences (no markup): where the
/// decision stands, what the intervals settle, the safest choice, and what to do next.
pub fn comparison_summary(c: &crate::engine::compare::Comparison) -> Vec<String> {
    let name = |id: &str| {
        c.ranking
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_owned(), |r| r.provider.clone())
    };
    let n = c.ranking.len();
    let count = |f: &dyn Fn(Verdict) -> bool| c.ranking.iter().filter(|r| f(r.verdict)).count();
    let eligible = count(&|v| v.group() == 0);
    let conditional = count(&|v| v == Verdict::Conditional);
    let ineligible = count(&|v| v == Verdict::Ineligible);
    let mut out = vec![format!(
        "Of {n} provider{} compared, {eligible} {} every must-have, {conditional} {} must-haves still open (conditional) and {ineligible} {} at least one (ineligible).",
        if n == 1 { "" } else { "s" },
        if eligible == 1 { "meets" } else { "meet" },
        if conditional == 1 { "has" } else { "have" },
        if ineligible == 1 { "fails" } else { "fail" },
    )];
    match c.ranking.first() {
        Some(top) if top.verdict.group() == 0 => out.push(format!(
            "Best supported by the evidence: {} ({}, fit {:.1} of 100{}).",
            top.provider,
            top.verdict,
            top.fit,
            if top.potential - top.fit >= 0.05 {
                format!(", up to {:.1} with favourable answers", top.potential)
            } else {
                String::new()
            }
        )),
        Some(_) if conditional > 0 => out.push(
            "No provider can be chosen on the evidence yet: each remaining one has must-haves that only its answers can settle.".into(),
        ),
        Some(_) => out.push(
            "No provider is acceptable under this profile: each has failed at least one must-have.".into(),
        ),
        None => out.push("No provider was compared.".into()),
    }
    if c.dominance.is_empty() {
        if n > 1 {
            out.push("The open questions could still reorder any two providers: none is necessarily better than another.".into());
        }
    } else {
        let mut winners: Vec<&str> = Vec::new();
        for d in &c.dominance {
            if !winners.contains(&d.winner.as_str()) {
                winners.push(&d.winner);
            }
        }
        for w in winners {
            let losers: Vec<String> = c
                .dominance
                .iter()
                .filter(|d| d.winner == w)
                .map(|d| name(&d.loser))
                .collect();
            out.push(format!(
                "{} is necessarily better than {}: its fit already reaches their potential.",
                name(w),
                losers.join(", ")
            ));
        }
    }
    if let Some(m) = &c.minimax_regret {
        if m.id == m.against {
            out.push(format!(
                "{} is the only provider still in the running.",
                name(&m.id)
            ));
        } else if m.max_regret < 0.05 {
            out.push(format!(
                "Safest choice while questions are open (minimax regret): {}; no answer can put another provider ahead of it.",
                name(&m.id)
            ));
        } else {
            out.push(format!(
                "Safest choice while questions are open (minimax regret): {}; whatever the answers, it ends at most {:.1} fit points behind the best ({}).",
                name(&m.id),
                m.max_regret,
                name(&m.against)
            ));
        }
    }
    let gate_questions: usize = c
        .reports
        .iter()
        .map(|r| r.questions.iter().filter(|q| q.gate).count())
        .sum();
    let questions: usize = c.reports.iter().map(|r| r.questions.len()).sum();
    if questions > 0 {
        out.push(format!(
            "Next step: send each provider its questions ({questions} in all, {gate_questions} of them on must-haves, which come first in each list)."
        ));
    }
    let stale = c
        .reports
        .iter()
        .filter(|r| r.warnings.iter().any(|w| w.kind == "stale-evidence"))
        .count();
    if stale > 0 {
        out.push(format!(
            "The evidence for {stale} of {n} provider{} includes facts more than two years old: confirm them before deciding.",
            if n == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The topic of a guide question (`q01`…`q18`, `mss`: the LIMSWiki guide's questions a lab
/// should ask a cloud provider, as the `lab-baseline` framework names them), for grouping and
/// introducing questions in a questionnaire.
pub fn guide_topic(q: &str) -> Option<&'static str> {
    Some(match q {
        "q01" => "Experience with laboratory customers in the lab's field",
        "q02" => "Integration with the lab's systems and processes",
        "q03" => "Historical downtime and availability commitments",
        "q04" => "Support during downtime",
        "q05" => "Where data are kept and how they travel",
        "q06" => "Who can reach the lab's data, and their credentials",
        "q07" => "Machines or environments dedicated to regulated data",
        "q08" => "Segregation from other customers' data",
        "q09" => "Documented data security policies",
        "q10" => "How the provider tests its security",
        "q11" => "Security audits, intrusion detection and intrusion reporting",
        "q12" => "What the provider logs and acts upon",
        "q13" => "Audit logs the lab can read on demand",
        "q14" => "A business associate agreement for ePHI",
        "q15" => "What happens to the data when the contract ends",
        "q16" => "What happens to the data after a catastrophe or the provider's failure",
        "q17" => "Extracting data on demand, and in which formats",
        "q18" => "Native or outsourced support",
        "mss" => "Managed security services",
        _ => return None,
    })
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
