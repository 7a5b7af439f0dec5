//! Questions to send the provider: every unknown, stale or weakly assured fact an applicable
//! requirement reads, with its swing (the fit points a favourable answer adds, the other open
//! questions held unfavourable), the gates it bears on, and its impact per requirement and per
//! framework. Questions that can settle a gate come first, then by swing (docs/scoring.md,
//! "Questions").

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::{FactValue, Status};
use crate::graph::{Graph, NodeKind};
use crate::rules::{Lapse, Outcome, OutcomeStatus};
use crate::score::interval::{combine, edge_weight, leaves_under, root_val, Val};
use crate::score::model::{AskReason, GateState, Impact, Move, Question};
use crate::score::weights::root_shares;
use crate::score::{round6, BoundProfile, Scored};

/// One scored pass, to lift leaves against.
struct Lift<'a> {
    scored: &'a Scored,
    fit_lo: f64,
}

impl Lift<'_> {
    /// Every node's value with the `lifted` leaves at their hi and every other leaf at its lo
    /// (so every value is a point).
    ///
    /// A composite's lo depends only on its children's lo (and on which of them apply, which
    /// lifting does not change), so only the ancestors of the lifted leaves are recomputed, in
    /// topological order with the arithmetic of aggregation; every other node is its current
    /// lo as a point. The result is bit-identical to aggregating the whole lifted graph, at a
    /// fraction of the cost: a report lifts once per question and once per leaf a question
    /// reads.
    fn lift(&self, graph: &Graph, bound: &BoundProfile, lifted: &BTreeSet<usize>) -> Vec<Val> {
        let s = self.scored;
        let mut out: Vec<Val> = s
            .vals
            .iter()
            .map(|v| match v {
                Val::Iv(lo, _) => Val::Iv(*lo, *lo),
                Val::Excluded => Val::Excluded,
            })
            .collect();
        let mut dirty = vec![false; out.len()];
        for &i in lifted {
            if let (Some(Val::Iv(_, hi)), Some(slot), Some(d)) =
                (s.vals.get(i), out.get_mut(i), dirty.get_mut(i))
            {
                *slot = Val::Iv(*hi, *hi);
                *d = true;
            }
        }
        for &i in graph.topo() {
            if !s.reached.get(i).copied().unwrap_or(false)
                || s.waived.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            let Some(NodeKind::Composite {
                aggregate,
                children,
            }) = graph.node(i).map(|n| &n.kind)
            else {
                continue;
            };
            if !children
                .iter()
                .any(|&(c, _)| dirty.get(c).copied().unwrap_or(false))
            {
                continue;
            }
            let current = &out;
            let v = combine(
                *aggregate,
                children.iter().filter_map(|&(c, w)| {
                    current
                        .get(c)
                        .and_then(|v| v.bounds())
                        .map(|b| (edge_weight(bound, i, c, w), b))
                }),
            );
            if let (Some(slot), Some(d)) = (out.get_mut(i), dirty.get_mut(i)) {
                *slot = v;
                *d = true;
            }
        }
        out
    }

    /// Fit points gained over the current fit by lifted values.
    fn gain(&self, bound: &BoundProfile, lifted_vals: &[Val]) -> f64 {
        let lo = root_val(bound, lifted_vals).bounds().map_or(0.0, |b| b.0);
        (100.0 * (lo - self.fit_lo)).max(0.0)
    }
}

fn lo_of(vals: &[Val], i: usize) -> f64 {
    vals.get(i).and_then(|v| v.bounds()).map_or(0.0, |b| b.0)
}

/// A fact worth asking about: why, its status and current value, and the leaves that read it.
struct Ask {
    reason: AskReason,
    status: Status,
    current: Option<FactValue>,
    lapse: Option<Lapse>,
    /// For an assurance question: the strongest level an open gate above it asks for.
    need: Option<Status>,
    leaves: BTreeSet<usize>,
}

/// A must-have's subtree: (id, state, minimum assurance, its leaves).
type GateLeaves = (String, GateState, Option<Status>, BTreeSet<usize>);

/// A root framework's subtree: (id, node, share of the fit, its leaves).
type RootLeaves = (String, usize, f64, BTreeSet<usize>);

/// Every fact to ask about, by key: the unknown and stale facts applicable checks read, then
/// the known facts under open gates whose assurance is below the gate's minimum.
fn collect_asks<O: Borrow<Outcome>>(
    vals: &[Val],
    outcomes: &BTreeMap<usize, O>,
    gate_leaves: &[GateLeaves],
) -> BTreeMap<String, Ask> {
    let mut asks: BTreeMap<String, Ask> = BTreeMap::new();
    for (&i, o) in outcomes {
        if vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        for f in &o.borrow().facts {
            if f.known {
                continue;
            }
            let reason = match &f.lapse {
                Some(Lapse::OutOfScope { .. }) => AskReason::OutOfScope,
                Some(Lapse::Expired { .. }) => AskReason::Expired,
                Some(Lapse::TooOld { .. }) => AskReason::Stale,
                None => AskReason::Unknown,
            };
            let e = asks.entry(f.key.clone()).or_insert(Ask {
                reason,
                status: f.status,
                current: f.lapse.as_ref().and(f.value.clone()),
                lapse: f.lapse.clone(),
                need: None,
                leaves: BTreeSet::new(),
            });
            e.leaves.insert(i);
        }
    }
    for (_, state, min, leaves) in gate_leaves {
        let (GateState::Open, Some(min)) = (state, min) else {
            continue;
        };
        for i in leaves {
            for f in outcomes
                .get(i)
                .map(|o| o.borrow().facts.as_slice())
                .unwrap_or_default()
            {
                if f.known && f.status.rank() < min.rank() {
                    let e = asks.entry(f.key.clone()).or_insert(Ask {
                        reason: AskReason::WeakAssurance,
                        status: f.status,
                        current: f.value.clone(),
                        lapse: None,
                        need: None,
                        leaves: BTreeSet::new(),
                    });
                    if e.need.is_none_or(|n| n.rank() < min.rank()) {
                        e.need = Some(*min);
                    }
                    e.leaves.insert(*i);
                }
            }
        }
    }
    asks
}

/// The questions of one scored pass, most important first.
pub(crate) fn questions<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    scored: &Scored,
    outcomes: &BTreeMap<usize, O>,
    vocab: &Vocabulary,
) -> Vec<Question> {
    let vals = &scored.vals;
    let gate_leaves: Vec<GateLeaves> = bound
        .gates
        .iter()
        .filter_map(|(g, gate)| {
            let state = scored.gates.iter().find(|r| r.id == gate.id)?.state;
            Some((
                gate.id.clone(),
                state,
                gate.min_assurance,
                leaves_under(graph, *g, vals),
            ))
        })
        .collect();
    let root_leaves: Vec<RootLeaves> = bound
        .roots
        .iter()
        .zip(root_shares(bound, vals))
        .filter_map(|(&(r, _), share)| {
            Some((
                graph.node(r)?.req.id.clone(),
                r,
                share,
                leaves_under(graph, r, vals),
            ))
        })
        .collect();
    let asks = collect_asks(vals, outcomes, &gate_leaves);
    let lift = Lift {
        scored,
        fit_lo: scored.fit_lo,
    };
    let mut ctx = QuestionCtx {
        graph,
        bound,
        lift: &lift,
        gate_leaves: &gate_leaves,
        root_leaves: &root_leaves,
        vocab,
        open: (0..graph.len())
            .map(|i| {
                outcomes.get(&i).is_some_and(|o| {
                    matches!(
                        o.borrow().status,
                        OutcomeStatus::Unknown | OutcomeStatus::Error
                    )
                })
            })
            .collect(),
        // A requirement read by several unknown facts is lifted alone once, not once per fact.
        alone_gains: vec![None; graph.len()],
    };
    let mut out: Vec<Question> = asks
        .into_iter()
        .map(|(key, ask)| ctx.question(key, ask))
        .collect();
    out.sort_by(|a, b| {
        b.gate
            .cmp(&a.gate)
            .then_with(|| b.swing.total_cmp(&a.swing))
            .then_with(|| a.fact.cmp(&b.fact))
    });
    out
}

/// What building each question needs, and the lifts already done.
struct QuestionCtx<'a> {
    graph: &'a Graph,
    bound: &'a BoundProfile,
    lift: &'a Lift<'a>,
    gate_leaves: &'a [GateLeaves],
    root_leaves: &'a [RootLeaves],
    vocab: &'a Vocabulary,
    /// Per node: true for a leaf whose outcome is open (unknown or error).
    open: Vec<bool>,
    alone_gains: Vec<Option<f64>>,
}

impl QuestionCtx<'_> {
    fn question(&mut self, key: String, ask: Ask) -> Question {
        let (graph, bound, vals) = (self.graph, self.bound, &self.lift.scored.vals);
        let Ask {
            reason,
            status,
            current,
            lapse,
            need,
            leaves,
        } = ask;
        // An answer moves only a check it can still change: one whose outcome is open (its
        // claim is unknown or errored) or, for an assurance question, one it would confirm. A
        // check already decided on other facts keeps its interval whatever this fact says.
        let movable: BTreeSet<usize> = leaves
            .iter()
            .copied()
            .filter(|&i| {
                reason == AskReason::WeakAssurance || self.open.get(i).copied().unwrap_or(false)
            })
            .collect();
        let lifted_vals = self.lift.lift(graph, bound, &movable);
        let swing = self.lift.gain(bound, &lifted_vals);
        let requirement_moves = self.requirement_moves(&leaves, &movable, swing);
        // Framework swings add up to the question's swing, because the root is the
        // share-weighted mean of the frameworks' lower bounds.
        let framework_moves = self
            .root_leaves
            .iter()
            .filter(|(.., rl)| !rl.is_disjoint(&leaves))
            .map(|(id, r, share, _)| {
                let (from, to) = (lo_of(vals, *r), lo_of(&lifted_vals, *r));
                Move {
                    id: id.clone(),
                    from: round6(100.0 * from),
                    to: round6(100.0 * to),
                    swing: round6((100.0 * share * (to - from)).max(0.0)),
                }
            })
            .collect();
        let gate_ids: Vec<String> = self
            .gate_leaves
            .iter()
            .filter(|(_, state, _, gl)| *state == GateState::Open && !gl.is_disjoint(&movable))
            .map(|(id, ..)| id.clone())
            .collect();
        let spec = self.vocab.get(&key);
        let mut text = spec
            .map(|s| s.ask.clone())
            .unwrap_or_else(|| format!("What is `{key}`?"));
        match (reason, &lapse) {
            (AskReason::Expired, Some(Lapse::Expired { on, .. })) => text.push_str(&format!(
                " The document we have expired on {on}: please send the current one."
            )),
            (AskReason::OutOfScope, Some(Lapse::OutOfScope { covers, missing })) => {
                text.push_str(&format!(
                    " What we have covers {} only: does it hold for the {} services we would use?",
                    covers.join(", "),
                    missing.join(", ")
                ))
            }
            (AskReason::Stale | AskReason::Expired | AskReason::OutOfScope, _) => {
                text.push_str(" (our information is out of date)")
            }
            (AskReason::WeakAssurance, _) if need == Some(Status::Claimed) => text.push_str(
                " We have this only from a third party: please confirm it.",
            ),
            (AskReason::WeakAssurance, _) => text.push_str(
                " Please send independent evidence (an audit report, certificate or signed contract).",
            ),
            (AskReason::Unknown, _) => {}
        }
        Question {
            fact: key,
            ask: text,
            question: spec.map(|s| s.question.clone()).unwrap_or_default(),
            swing: round6(swing),
            gate: !gate_ids.is_empty(),
            gates: gate_ids,
            requirements: leaves
                .iter()
                .filter_map(|&i| graph.node(i).map(|n| n.req.id.clone()))
                .collect(),
            frameworks: self
                .root_leaves
                .iter()
                .filter(|(.., rl)| !rl.is_disjoint(&leaves))
                .map(|(id, ..)| id.clone())
                .collect(),
            reason,
            current,
            status,
            impact: Impact {
                requirements: requirement_moves,
                frameworks: framework_moves,
            },
        }
    }

    /// Each requirement that reads the fact, lifted on its own (one the answer cannot move
    /// stays where it is).
    fn requirement_moves(
        &mut self,
        leaves: &BTreeSet<usize>,
        movable: &BTreeSet<usize>,
        swing: f64,
    ) -> Vec<Move> {
        let (graph, bound, vals) = (self.graph, self.bound, &self.lift.scored.vals);
        leaves
            .iter()
            .filter_map(|&i| {
                let (lo, hi) = vals.get(i).and_then(|v| v.bounds())?;
                if !movable.contains(&i) {
                    return Some(Move {
                        id: graph.node(i)?.req.id.clone(),
                        from: round6(100.0 * lo),
                        to: round6(100.0 * lo),
                        swing: 0.0,
                    });
                }
                let gain = match self.alone_gains.get(i).copied().flatten() {
                    Some(g) => g,
                    // Lifting the question's only movable leaf is the lift just done.
                    None if movable.len() == 1 => swing,
                    None => self
                        .lift
                        .gain(bound, &self.lift.lift(graph, bound, &BTreeSet::from([i]))),
                };
                if let Some(slot) = self.alone_gains.get_mut(i) {
                    *slot = Some(gain);
                }
                Some(Move {
                    id: graph.node(i)?.req.id.clone(),
                    from: round6(100.0 * lo),
                    to: round6(100.0 * hi),
                    swing: round6(gain),
                })
            })
            .collect()
    }
}
