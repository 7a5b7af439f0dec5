//! Pure scoring, as docs/scoring.md states it: intervals per node, `weighted` / `all` / `any`
//! with renormalisation over excluded children, DAG sharing, fit = 100·lo and potential =
//! 100·hi of the root, gates and verdict, questions ranked by swing, and each node's share of
//! the fit. No I/O, no Rhai: leaf outcomes come in, a [`Scored`] pass comes out, and the report
//! and the ranking summary are both read from that one pass.

mod bind;
mod gates;
mod interval;
mod model;
mod questions;
pub mod rank;
pub mod robust;
#[cfg(test)]
mod tests;
mod weights;

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use crate::evidence::vocabulary::Vocabulary;
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::profile::{Gate, Profile, Waiver};
use crate::rules::{Outcome, Params};

pub use bind::bind;
pub use interval::{reach, Val};
pub use model::{
    AnswerKind, AskReason, GateResult, GateState, Held, HeldHow, Impact, Move, NodeStatus,
    Question, Summary, Verdict,
};
pub use questions::AnswerKinds;
pub use weights::{Shares, Weights};

/// Tolerance for comparing scores (never `==` on floats).
pub const EPS: f64 = 1e-9;

/// Rounds to 6 decimals so reports carry no floating-point noise (and stay byte-identical).
pub fn round6(x: f64) -> f64 {
    let r = round_half_away(x * 1e6) / 1e6;
    // Also turns -0.0 into 0.0, which JSON would otherwise print as `-0.0`.
    if r.abs() < 1e-9 {
        0.0
    } else {
        r
    }
}

/// `f64::round` (halves away from zero), without the call into the software routine it
/// becomes on x86-64 without SSE4.1: a report rounds a few thousand numbers.
///
/// Exact: below 2^52 the truncation `as i64` is exact, the fraction `y - t` is exactly
/// representable, and `t ± 1` is exact; at or above 2^52 (and for NaN and the infinities)
/// `y` is already its own rounding. The sign of a zero result may differ from `round`'s,
/// which `round6` makes 0.0 anyway.
fn round_half_away(y: f64) -> f64 {
    if y.is_nan() || y.abs() >= 4_503_599_627_370_496.0 {
        return y;
    }
    let t = (y as i64) as f64;
    let d = y - t;
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

/// A profile bound to a graph: every id replaced by an index, waivers split by the date.
#[derive(Clone, Debug)]
pub struct BoundProfile {
    /// The profile.
    pub profile: Profile,
    /// Root frameworks (node, weight), sorted by id.
    pub roots: Vec<(usize, f64)>,
    /// Edge weight overrides.
    pub overrides: HashMap<(usize, usize), f64>,
    /// Gates (node, gate).
    pub gates: Vec<(usize, Gate)>,
    /// Waivers (node, waiver).
    pub waivers: Vec<(usize, Waiver)>,
    /// Parameters for rules: every declared one, the profile's value or the default.
    pub params: Params,
    /// The kinds of service the lab uses (the profile's, or the vocabulary's defaults), sorted.
    pub services: Vec<String>,
}

impl BoundProfile {
    /// The weight of the edge `parent → child` after the profile's overrides (`w` is the
    /// catalog's).
    pub fn edge_weight(&self, parent: usize, child: usize, w: f64) -> f64 {
        interval::edge_weight(self, parent, child, w)
    }
}

/// One scoring pass over the graph: what every reached node is worth, the fit and potential,
/// the gates and the verdict.
#[derive(Clone, Debug)]
pub struct Scored {
    /// Nodes the profile reaches (by index).
    pub reached: Vec<bool>,
    /// Reached nodes under an active waiver.
    pub waived: Vec<bool>,
    /// Every node's value (excluded when not reached).
    pub vals: Vec<Val>,
    /// The root's lower bound (fit / 100).
    pub fit_lo: f64,
    /// The root's upper bound (potential / 100).
    pub fit_hi: f64,
    /// False when nothing the profile selects applies (fit and potential are then 0).
    pub applies: bool,
    /// Every must-have, in the profile's order.
    pub gates: Vec<GateResult>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Scores a provider against a bound profile. `outcomes[i]` holds the outcome of every reached
/// leaf `i` (see [`reach`]); a reached leaf without one counts as unknown.
pub fn pass<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
    as_of: Date,
) -> Scored {
    let (reached, waived) = reach(graph, bound, as_of);
    let assurance = bound.profile.assurance;
    let leaf_val = |i: usize| {
        outcomes
            .get(&i)
            .map_or(Val::Iv(0.0, 1.0), |o| Val::of(o.borrow(), &assurance))
    };
    let vals = interval::aggregate(graph, bound, &reached, &waived, &leaf_val);
    let root = interval::root_val(bound, &vals);
    let (fit_lo, fit_hi) = root.bounds().unwrap_or((0.0, 0.0));
    // Must-haves are judged on what the evidence claims, its assurance checked apart.
    let claims = if bound.gates.is_empty() {
        Vec::new()
    } else {
        let claim_val = |i: usize| {
            outcomes
                .get(&i)
                .map_or(Val::Iv(0.0, 1.0), |o| Val::claim(o.borrow()))
        };
        interval::aggregate(graph, bound, &reached, &waived, &claim_val)
    };
    let gates: Vec<GateResult> = bound
        .gates
        .iter()
        .map(|(g, gate)| gates::gate_result(graph, *g, gate, &claims, &waived, bound, outcomes))
        .collect();
    let verdict = gates::verdict(bound, &gates, fit_lo);
    Scored {
        reached,
        waived,
        vals,
        fit_lo,
        fit_hi,
        applies: root.bounds().is_some(),
        gates,
        verdict,
    }
}

impl Scored {
    /// True when node `i` is reached and not waived.
    pub fn is_live(&self, i: usize) -> bool {
        self.reached.get(i).copied().unwrap_or(false)
            && !self.waived.get(i).copied().unwrap_or(false)
    }

    /// Global weights, edge shares and root shares (what a full report needs beyond the pass).
    pub fn weights(&self, graph: &Graph, bound: &BoundProfile) -> Weights {
        weights::global_weights(graph, bound, &self.vals)
    }

    /// The questions to ask, most important first.
    pub fn questions<O: Borrow<Outcome>>(
        &self,
        graph: &Graph,
        bound: &BoundProfile,
        outcomes: &BTreeMap<usize, O>,
        vocab: &Vocabulary,
    ) -> Vec<Question> {
        self.questions_with(graph, bound, outcomes, vocab, &AnswerKinds::of(vocab))
    }

    /// [`Scored::questions`], taking each fact's kind of answer from `answers` (an engine
    /// builds them once) rather than from the vocabulary.
    pub fn questions_with<O: Borrow<Outcome>>(
        &self,
        graph: &Graph,
        bound: &BoundProfile,
        outcomes: &BTreeMap<usize, O>,
        vocab: &Vocabulary,
        answers: &AnswerKinds,
    ) -> Vec<Question> {
        questions::questions(graph, bound, self, outcomes, vocab, answers)
    }

    /// What a ranking keeps of this pass.
    pub fn summary<O: Borrow<Outcome>>(
        &self,
        graph: &Graph,
        bound: &BoundProfile,
        outcomes: &BTreeMap<usize, O>,
    ) -> Summary {
        let shares = weights::root_shares(bound, &self.vals);
        let frameworks = bound
            .roots
            .iter()
            .zip(shares)
            .filter_map(|(&(i, _), share)| {
                let n = graph.node(i)?;
                let lo = self
                    .vals
                    .get(i)
                    .and_then(|v| v.bounds())
                    .map_or(0.0, |b| b.0);
                Some((n.req.id.as_str(), round6(share), round6(lo)))
            });
        let weakest = weakest(frameworks).map(str::to_owned);
        let errors = graph
            .nodes()
            .iter()
            .enumerate()
            .filter(|&(i, node)| {
                self.is_live(i)
                    && matches!(node.kind, NodeKind::Leaf { .. })
                    && outcomes.get(&i).is_some_and(|o| o.borrow().error.is_some())
            })
            .count();
        Summary {
            fit: round6(100.0 * self.fit_lo),
            potential: round6(100.0 * self.fit_hi),
            verdict: self.verdict,
            gates: self.gates.clone(),
            weakest,
            errors,
            expired_evidence: false,
        }
    }
}

/// The weakest framework: among `(id, share, lo)` of the root frameworks (as the report rounds
/// them), the one that applies (share above 0) with the lowest lo, ties to the smaller id. The
/// report and the ranking summary both name it through here.
pub fn weakest<'a>(frameworks: impl IntoIterator<Item = (&'a str, f64, f64)>) -> Option<&'a str> {
    frameworks
        .into_iter()
        .filter(|(_, share, _)| *share > 0.0)
        .min_by(|a, b| a.2.total_cmp(&b.2).then_with(|| a.0.cmp(b.0)))
        .map(|(id, ..)| id)
}
