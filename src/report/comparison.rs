//! The model of `labfit compare`: a ranking of providers under one profile, with what the
//! intervals settle (dominance) and the minimax-regret choice.

use serde::Serialize;

use crate::input::date::Date;
use crate::report::{Report, Warning};
use crate::score::rank::Standing;
use crate::score::Verdict;

/// One provider's place in a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    /// 1-based rank.
    pub rank: usize,
    /// Provider id.
    pub id: String,
    /// Provider name.
    pub provider: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Fit (0–100).
    pub fit: f64,
    /// Potential (0–100).
    pub potential: f64,
    /// Gates still open.
    pub open_gates: Vec<String>,
    /// Gates failed.
    pub failed_gates: Vec<String>,
    /// The framework with the lowest fit, when any applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weakest: Option<String>,
    /// Rule errors in this provider's run.
    pub errors: usize,
    /// How much of the score the evidence already settles: 1 − (potential − fit) / 100.
    pub settled: f64,
    /// The evidence states facts that have expired (past their `expires` date or their
    /// document's validity), so they count as unknown: ask for the current documents.
    pub expired_evidence: bool,
}

/// "p necessarily beats q": p's fit is at least q's potential.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dominance {
    /// The provider that cannot lose.
    pub winner: String,
    /// The provider that cannot win.
    pub loser: String,
}

/// The minimax-regret choice among the providers that meet every must-have (a provider with
/// must-haves open cannot be chosen on the evidence).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Regret {
    /// Provider id.
    pub id: String,
    /// Its maximum regret (fit points): the most another provider could end up ahead.
    pub max_regret: f64,
    /// The provider that would cause that regret.
    pub against: String,
}

/// Where the decision stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionState {
    /// The evidence settles it: `choice` meets every must-have and no provider still in the
    /// running could end ahead of it.
    Chosen,
    /// `leader` meets every must-have, but the `pending` providers could still overtake it.
    Contested,
    /// No provider meets every must-have yet.
    NoneEligible,
    /// Every provider failed a must-have.
    AllIneligible,
    /// Nothing was compared.
    Empty,
}

/// A provider whose answers would settle the decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pending {
    /// Provider id.
    pub id: String,
    /// Its must-haves still open: an unfavourable answer rules it out, favourable answers on
    /// all of them make it eligible. Empty for a provider that meets them all: then its other
    /// open questions decide (see `labfit questions`).
    pub must_haves: Vec<String>,
}

/// What the evidence decides, and what would decide it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Where it stands.
    pub state: DecisionState,
    /// The provider the evidence settles on (state `chosen`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// The best provider that meets every must-have (`chosen` or `contested`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// The providers whose answers would settle it, in ranking order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Pending>,
}

/// A ranking of providers under one profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// `comparison/v1`.
    pub labfit: &'static str,
    /// Profile id.
    pub profile: String,
    /// Profile title.
    pub title: String,
    /// Evaluation date.
    pub as_of: Date,
    /// Providers, best first.
    pub ranking: Vec<Ranked>,
    /// Every pair where one provider necessarily beats another.
    pub dominance: Vec<Dominance>,
    /// What the evidence decides, and which answers from which providers would decide it.
    pub decision: Decision,
    /// The safest choice among the providers that meet every must-have, if any does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimax_regret: Option<Regret>,
    /// What the reader should know about the inputs (a file that replaced a built-in
    /// provider), one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How far the ranking survives other weights and the open questions
    /// (`compare --robustness`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robustness: Option<crate::report::robustness::Robustness>,
    /// What the loaded rule packs warn about (a requirement or vocabulary entry a pack
    /// replaced): said once here, not in every report of the comparison.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// The full report of every provider, in ranking order.
    pub reports: Vec<Report>,
}

impl Standing for Ranked {
    fn verdict(&self) -> Verdict {
        self.verdict
    }
    fn fit(&self) -> f64 {
        self.fit
    }
    fn potential(&self) -> f64 {
        self.potential
    }
    fn id(&self) -> &str {
        &self.id
    }
}

impl Standing for Report {
    fn verdict(&self) -> Verdict {
        self.verdict
    }
    fn fit(&self) -> f64 {
        self.fit
    }
    fn potential(&self) -> f64 {
        self.potential
    }
    fn id(&self) -> &str {
        &self.provider.id
    }
}
