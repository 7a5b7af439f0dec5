//! Pure aggregation, exactly as DESIGN §3 says: intervals per node, `weighted` / `all` / `any`
//! with renormalisation over excluded children, DAG sharing, fit = 100·lo and potential =
//! 100·hi of the root, gates and verdict, questions ranked by swing, and each node's
//! contribution. No I/O, no Rhai: leaf outcomes come in, a report comes out.
//!
//! Global weights compose like AHP (Saaty): a node's global weight is the sum, over every path
//! from the root, of the product of the normalised edge weights on that path. Under `all`
//! (`any`) the parent's weight flows to the child that sets its lower bound (the minimum, the
//! maximum; ties go to the smaller id), so the contributions of the leaves always add up to the
//! fit score.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::{Evidence, Status};
use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::input::source::InputHash;
use crate::profile::{Gate, Profile, Waiver};
use crate::report::{
    round6, AskReason, Assumption, ChildEdge, EngineInfo, FrameworkWeight, GateResult, GateState,
    Impact, Move, NodeKindName, NodeResult, ProfileInfo, ProviderInfo, Question, Report,
    RuleErrorEntry, Verdict, WaiverResult, Warning, REPORT_VERSION,
};
use crate::rules::{Outcome, OutcomeStatus, Params};

/// Tolerance for comparing scores (never `==` on floats).
pub const EPS: f64 = 1e-9;

/// A node's value: excluded (not applicable, waived) or an interval [lo, hi] ⊆ [0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// Left out of its parents' aggregation.
    Excluded,
    /// Lower and upper bound.
    Iv(f64, f64),
}

impl Val {
    /// The interval of a leaf outcome.
    pub fn of(o: &Outcome) -> Val {
        match o.status {
            OutcomeStatus::Pass => Val::Iv(1.0, 1.0),
            OutcomeStatus::Fail => Val::Iv(0.0, 0.0),
            OutcomeStatus::Partial => {
                let x = o.value.unwrap_or(0.0).clamp(0.0, 1.0);
                Val::Iv(x, x)
            }
            OutcomeStatus::Unknown | OutcomeStatus::Error => Val::Iv(0.0, 1.0),
            OutcomeStatus::NotApplicable => Val::Excluded,
        }
    }

    /// The bounds, or `None` when excluded.
    pub fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Val::Excluded => None,
            Val::Iv(lo, hi) => Some((lo, hi)),
        }
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
    /// Parameters for rules.
    pub params: Params,
}

/// Everything besides the graph and outcomes that a report needs.
pub struct Context<'a> {
    /// The vocabulary (for question texts).
    pub vocab: &'a Vocabulary,
    /// The evidence scored.
    pub evidence: &'a Evidence,
    /// The evaluation date.
    pub as_of: Date,
    /// Warnings found before scoring.
    pub warnings: Vec<Warning>,
    /// Input hashes.
    pub inputs: Vec<InputHash>,
    /// Assumptions in effect.
    pub assumptions: Vec<Assumption>,
}

/// Which nodes the profile reaches (from its frameworks and gates), not descending below
/// active waivers; and which of those are waived.
pub fn reach(graph: &Graph, bound: &BoundProfile, as_of: Date) -> (Vec<bool>, Vec<bool>) {
    let n = graph.len();
    let mut waived = vec![false; n];
    for (i, w) in &bound.waivers {
        if w.expires >= as_of {
            if let Some(x) = waived.get_mut(*i) {
                *x = true;
            }
        }
    }
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = bound
        .roots
        .iter()
        .map(|(i, _)| *i)
        .chain(bound.gates.iter().map(|(i, _)| *i))
        .collect();
    while let Some(i) = stack.pop() {
        match reached.get_mut(i) {
            Some(r) if !*r => *r = true,
            _ => continue,
        }
        if waived.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(NodeKind::Composite { children, .. }) = graph.node(i).map(|n| &n.kind) {
            stack.extend(children.iter().map(|(c, _)| *c));
        }
    }
    (reached, waived)
}

fn edge_weight(bound: &BoundProfile, p: usize, c: usize, w: f64) -> f64 {
    if bound.overrides.is_empty() {
        return w;
    }
    bound.overrides.get(&(p, c)).copied().unwrap_or(w)
}

/// Aggregates leaf values bottom-up over the reached nodes.
fn aggregate(
    graph: &Graph,
    bound: &BoundProfile,
    reached: &[bool],
    waived: &[bool],
    leaf: &dyn Fn(usize) -> Val,
) -> Vec<Val> {
    let mut vals = vec![Val::Excluded; graph.len()];
    for &i in graph.topo() {
        if !reached.get(i).copied().unwrap_or(false) || waived.get(i).copied().unwrap_or(false) {
            continue;
        }
        let v = match graph.node(i).map(|n| &n.kind) {
            Some(NodeKind::Leaf { .. }) => leaf(i),
            Some(NodeKind::Composite {
                aggregate,
                children,
            }) => {
                let items = children.iter().filter_map(|&(c, w)| {
                    vals.get(c)
                        .and_then(|v| v.bounds())
                        .map(|b| (edge_weight(bound, i, c, w), b))
                });
                combine(*aggregate, items)
            }
            None => Val::Excluded,
        };
        if let Some(slot) = vals.get_mut(i) {
            *slot = v;
        }
    }
    vals
}

/// Combines children that apply: (edge weight, (lo, hi)).
fn combine(agg: Aggregate, items: impl Iterator<Item = (f64, (f64, f64))>) -> Val {
    let mut any = false;
    let (mut wsum, mut lo_acc, mut hi_acc) = (0.0, 0.0, 0.0);
    let (mut min_lo, mut min_hi, mut max_lo, mut max_hi) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (w, (lo, hi)) in items {
        any = true;
        wsum += w;
        lo_acc += w * lo;
        hi_acc += w * hi;
        min_lo = min_lo.min(lo);
        min_hi = min_hi.min(hi);
        max_lo = max_lo.max(lo);
        max_hi = max_hi.max(hi);
    }
    if !any {
        return Val::Excluded;
    }
    match agg {
        // Children that apply but all weigh 0 carry no information: the node drops out.
        Aggregate::Weighted if wsum <= 0.0 => Val::Excluded,
        Aggregate::Weighted => Val::Iv(
            (lo_acc / wsum).clamp(0.0, 1.0),
            (hi_acc / wsum).clamp(0.0, 1.0),
        ),
        Aggregate::All => Val::Iv(min_lo, min_hi),
        Aggregate::Any => Val::Iv(max_lo, max_hi),
    }
}

fn root_val(bound: &BoundProfile, vals: &[Val]) -> Val {
    combine(
        Aggregate::Weighted,
        bound
            .roots
            .iter()
            .filter_map(|&(i, w)| vals.get(i).and_then(|v| v.bounds()).map(|b| (w, b))),
    )
}

/// Global weights (by node), each edge's share of its parent, and each root framework's share.
struct Weights {
    global: Vec<f64>,
    shares: Shares,
    roots: Vec<f64>,
}

/// Each edge's share of its parent, by parent and child position (a flat vector: a report
/// reads every edge once, and hashing every edge cost more than the arithmetic).
struct Shares {
    first: Vec<usize>,
    shares: Vec<f64>,
}

impl Shares {
    fn new(graph: &Graph) -> Shares {
        let mut first = Vec::with_capacity(graph.len());
        let mut n = 0;
        for node in graph.nodes() {
            first.push(n);
            if let NodeKind::Composite { children, .. } = &node.kind {
                n += children.len();
            }
        }
        Shares {
            first,
            shares: vec![0.0; n],
        }
    }

    /// The share of parent `p`'s `k`-th child (0 when it gets none).
    fn get(&self, p: usize, k: usize) -> f64 {
        self.first
            .get(p)
            .and_then(|f| self.shares.get(f + k))
            .copied()
            .unwrap_or(0.0)
    }

    fn set(&mut self, p: usize, k: usize, s: f64) {
        if let Some(x) = self.first.get(p).and_then(|f| self.shares.get_mut(f + k)) {
            *x = s;
        }
    }
}

/// Each root framework's share of the root: its weight over the weights of the frameworks that
/// apply (0 for one that does not).
fn root_shares(bound: &BoundProfile, vals: &[Val]) -> Vec<f64> {
    let applicable = |i: usize| vals.get(i).and_then(|v| v.bounds());
    let root_sum: f64 = bound
        .roots
        .iter()
        .filter(|(i, _)| applicable(*i).is_some())
        .map(|(_, w)| w)
        .sum();
    bound
        .roots
        .iter()
        .map(|&(i, w)| {
            if applicable(i).is_some() && root_sum > 0.0 {
                w / root_sum
            } else {
                0.0
            }
        })
        .collect()
}

fn global_weights(graph: &Graph, bound: &BoundProfile, vals: &[Val]) -> Weights {
    let mut gw = vec![0.0; graph.len()];
    let mut shares = Shares::new(graph);
    let applicable = |i: usize| vals.get(i).and_then(|v| v.bounds());
    let root_shares = root_shares(bound, vals);
    for (&(i, _), share) in bound.roots.iter().zip(&root_shares) {
        if let Some(g) = gw.get_mut(i) {
            *g += share;
        }
    }
    // (child position, child, edge weight, child's bounds) of the children that apply.
    let mut live: Vec<(usize, usize, f64, (f64, f64))> = Vec::new();
    for &i in graph.topo().iter().rev() {
        let g = gw.get(i).copied().unwrap_or(0.0);
        let Some(NodeKind::Composite {
            aggregate,
            children,
        }) = graph.node(i).map(|n| &n.kind)
        else {
            continue;
        };
        if applicable(i).is_none() {
            continue;
        }
        live.clear();
        live.extend(children.iter().enumerate().filter_map(|(k, &(c, w))| {
            applicable(c).map(|b| (k, c, edge_weight(bound, i, c, w), b))
        }));
        let mut give = |k: usize, c: usize, s: f64| {
            shares.set(i, k, s);
            if let Some(x) = gw.get_mut(c) {
                *x += g * s;
            }
        };
        match aggregate {
            Aggregate::Weighted => {
                let sum: f64 = live.iter().map(|(_, _, w, _)| w).sum();
                if sum > 0.0 {
                    for (k, c, w, _) in &live {
                        give(*k, *c, w / sum);
                    }
                }
            }
            Aggregate::All | Aggregate::Any => {
                let pick =
                    live.iter()
                        .fold(
                            None::<(usize, usize, f64)>,
                            |best, &(k, c, _, (lo, _))| match best {
                                None => Some((k, c, lo)),
                                Some((_, _, b))
                                    if (*aggregate == Aggregate::All && lo < b - EPS)
                                        || (*aggregate == Aggregate::Any && lo > b + EPS) =>
                                {
                                    Some((k, c, lo))
                                }
                                keep => keep,
                            },
                        );
                if let Some((k, c, _)) = pick {
                    give(k, c, 1.0);
                }
            }
        }
    }
    Weights {
        global: gw,
        shares,
        roots: root_shares,
    }
}

/// The reached, non-excluded leaves under `start` (inclusive).
fn leaves_under(graph: &Graph, start: usize, vals: &[Val]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut seen = vec![false; graph.len()];
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        match seen.get_mut(i) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        if vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        match graph.node(i).map(|n| &n.kind) {
            Some(NodeKind::Leaf { .. }) => {
                out.insert(i);
            }
            Some(NodeKind::Composite { children, .. }) => {
                stack.extend(children.iter().map(|(c, _)| *c))
            }
            None => {}
        }
    }
    out
}

/// Scores a provider against a bound profile. `outcomes[i]` holds the outcome of every
/// reached leaf `i` (see [`reach`]).
pub fn score<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
    ctx: Context<'_>,
) -> Report {
    let as_of = ctx.as_of;
    let (reached, waived) = reach(graph, bound, as_of);
    let leaf_val = |i: usize| {
        outcomes
            .get(&i)
            .map_or(Val::Iv(0.0, 1.0), |o| Val::of(o.borrow()))
    };
    let vals = aggregate(graph, bound, &reached, &waived, &leaf_val);
    let root = root_val(bound, &vals);
    let (fit_lo, fit_hi) = root.bounds().unwrap_or((0.0, 0.0));
    let Weights {
        global: gw,
        shares,
        roots: root_shares,
    } = global_weights(graph, bound, &vals);
    let mut warnings = ctx.warnings;
    if root.bounds().is_none() {
        warnings.push(Warning {
            kind: "nothing-applies".into(),
            message: "no requirement of the profile applies to this provider (all excluded); fit and potential are 0".into(),
        });
    }

    // Gates.
    let mut gates = Vec::with_capacity(bound.gates.len());
    for (g, gate) in &bound.gates {
        gates.push(gate_result(
            graph, *g, gate, &vals, &waived, bound, outcomes,
        ));
    }
    let verdict = verdict(bound, &gates, fit_lo);

    let questions = questions(
        graph,
        bound,
        &Scored {
            reached: &reached,
            waived: &waived,
            vals: &vals,
            root_shares: &root_shares,
            fit_lo,
        },
        outcomes,
        &gates,
        ctx.vocab,
    );

    // Nodes.
    let mut nodes = Vec::new();
    let mut errors = Vec::new();
    for (i, node) in graph.nodes().iter().enumerate() {
        if !reached.get(i).copied().unwrap_or(false) {
            continue;
        }
        let val = vals.get(i).copied().unwrap_or(Val::Excluded);
        let is_waived = waived.get(i).copied().unwrap_or(false);
        let (lo, hi) = val.bounds().unwrap_or((0.0, 0.0));
        let weight = gw.get(i).copied().unwrap_or(0.0);
        let mut nr = NodeResult {
            id: node.req.id.clone(),
            title: node.req.title.clone(),
            kind: NodeKindName::Composite,
            status: String::new(),
            lo: round6(lo),
            hi: round6(hi),
            weight: round6(weight),
            contribution: round6(100.0 * weight * lo),
            aggregate: None,
            children: Vec::new(),
            citation: node.req.citation.clone(),
            severity: node.req.severity,
            verification: node.req.verification,
            questions: node.req.questions.clone(),
            check: None,
            facts: Vec::new(),
            params: Vec::new(),
            note: String::new(),
            pack: node.req.pack.clone(),
        };
        if is_waived {
            nr.status = "waived".into();
            if let Some((_, w)) = bound.waivers.iter().find(|(wi, _)| *wi == i) {
                nr.note = format!(
                    "waived until {}: {} (approved by {})",
                    w.expires, w.reason, w.approved_by
                );
            }
        }
        match &node.kind {
            NodeKind::Leaf { rule } => {
                nr.kind = NodeKindName::Leaf;
                nr.check = graph
                    .checks()
                    .get(*rule)
                    .map(|c| format!("{}::{}", c.file, c.function));
                if let Some(o) = outcomes.get(&i).map(Borrow::borrow) {
                    if !is_waived {
                        nr.status = o.status.as_str().to_owned();
                        nr.note.clone_from(&o.note);
                        if let Some(e) = &o.error {
                            errors.push(RuleErrorEntry {
                                requirement: node.req.id.clone(),
                                message: e.message.clone(),
                                location: e.location.clone(),
                            });
                        }
                    }
                    nr.facts.clone_from(&o.facts);
                    nr.params.clone_from(&o.params);
                }
            }
            NodeKind::Composite {
                aggregate,
                children,
            } => {
                nr.aggregate = Some(aggregate.to_string());
                nr.children = children
                    .iter()
                    .enumerate()
                    .filter_map(|(k, &(c, w))| {
                        graph.node(c).map(|cn| ChildEdge {
                            id: cn.req.id.clone(),
                            weight: edge_weight(bound, i, c, w),
                            share: round6(shares.get(i, k)),
                        })
                    })
                    .collect();
                if !is_waived {
                    nr.status = interval_status(val).to_owned();
                }
            }
        }
        nodes.push(nr);
    }

    let waivers = bound
        .waivers
        .iter()
        .map(|(_, w)| WaiverResult {
            id: w.id.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            state: if w.expires >= as_of {
                "active".into()
            } else {
                "expired".into()
            },
        })
        .collect::<Vec<_>>();
    for w in &waivers {
        if w.state == "expired" {
            warnings.push(Warning {
                kind: "expired-waiver".into(),
                message: format!("the waiver for `{}` expired on {}; it is ignored and the requirement is scored", w.id, w.expires),
            });
        }
    }
    warnings.sort();
    warnings.dedup();

    let frameworks = bound
        .roots
        .iter()
        .zip(root_shares.iter().copied())
        .filter_map(|(&(i, w), share)| {
            let n = graph.node(i)?;
            let (lo, hi) = vals.get(i).and_then(|v| v.bounds()).unwrap_or((0.0, 0.0));
            Some(FrameworkWeight {
                id: n.req.id.clone(),
                weight: w,
                share: round6(share),
                lo: round6(lo),
                hi: round6(hi),
            })
        })
        .collect();
    let ev = ctx.evidence;
    Report {
        labfit: REPORT_VERSION,
        engine: EngineInfo::current(),
        as_of,
        profile: ProfileInfo {
            id: bound.profile.id.clone(),
            title: bound.profile.title.clone(),
            frameworks,
            params: bound.profile.params.clone(),
            bands: bound.profile.bands,
            max_evidence_age_days: bound.profile.max_evidence_age_days,
        },
        provider: ProviderInfo {
            id: ev.id.clone(),
            name: ev.provider.clone(),
            as_of: ev.as_of,
            sources: ev.sources.clone(),
        },
        fit: round6(100.0 * fit_lo),
        potential: round6(100.0 * fit_hi),
        verdict,
        gates,
        questions,
        nodes,
        waivers,
        warnings,
        errors,
        assumptions: ctx.assumptions,
        inputs: ctx.inputs,
    }
}

/// The verdict: ineligible if a gate failed, conditional if one is open, else the fit's band.
fn verdict(bound: &BoundProfile, gates: &[GateResult], fit_lo: f64) -> Verdict {
    if gates.iter().any(|g| g.state == GateState::Failed) {
        Verdict::Ineligible
    } else if gates.iter().any(|g| g.state == GateState::Open) {
        Verdict::Conditional
    } else {
        let fit = 100.0 * fit_lo;
        let b = bound.profile.bands;
        if fit >= b.strong - EPS {
            Verdict::Strong
        } else if fit >= b.moderate - EPS {
            Verdict::Moderate
        } else {
            Verdict::Weak
        }
    }
}

/// What a ranking needs of a report: [`score`]'s fit, potential, verdict, gate states,
/// weakest framework and rule-error count, computed the same way but without building the
/// report (node results, questions and their swings are most of its cost).
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
    /// The report's [`Report::weakest_framework`] id.
    pub weakest: Option<String>,
    /// How many rule errors the report would list.
    pub errors: usize,
}

/// [`score`] reduced to a [`Summary`]; `outcomes` as for [`score`].
pub fn summarize<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
    as_of: Date,
) -> Summary {
    let (reached, waived) = reach(graph, bound, as_of);
    let leaf_val = |i: usize| {
        outcomes
            .get(&i)
            .map_or(Val::Iv(0.0, 1.0), |o| Val::of(o.borrow()))
    };
    let vals = aggregate(graph, bound, &reached, &waived, &leaf_val);
    let (fit_lo, fit_hi) = root_val(bound, &vals).bounds().unwrap_or((0.0, 0.0));
    let gates: Vec<GateResult> = bound
        .gates
        .iter()
        .map(|(g, gate)| gate_result(graph, *g, gate, &vals, &waived, bound, outcomes))
        .collect();
    let verdict = verdict(bound, &gates, fit_lo);
    // As Report::weakest_framework picks it from the report's rounded framework shares and bounds.
    let weakest = bound
        .roots
        .iter()
        .zip(root_shares(bound, &vals))
        .filter_map(|(&(i, _), share)| {
            let n = graph.node(i)?;
            let lo = vals.get(i).and_then(|v| v.bounds()).map_or(0.0, |b| b.0);
            Some((&n.req.id, round6(share), round6(lo)))
        })
        .filter(|(_, share, _)| *share > 0.0)
        .min_by(|a, b| a.2.total_cmp(&b.2).then_with(|| a.0.cmp(b.0)))
        .map(|(id, ..)| id.clone());
    let errors = graph
        .nodes()
        .iter()
        .enumerate()
        .filter(|&(i, node)| {
            reached.get(i).copied().unwrap_or(false)
                && !waived.get(i).copied().unwrap_or(false)
                && matches!(node.kind, NodeKind::Leaf { .. })
                && outcomes.get(&i).is_some_and(|o| o.borrow().error.is_some())
        })
        .count();
    Summary {
        fit: round6(100.0 * fit_lo),
        potential: round6(100.0 * fit_hi),
        verdict,
        gates,
        weakest,
        errors,
    }
}

/// Status of a composite from its interval.
fn interval_status(v: Val) -> &'static str {
    match v {
        Val::Excluded => "not_applicable",
        Val::Iv(lo, _) if lo >= 1.0 - EPS => "pass",
        Val::Iv(_, hi) if hi <= EPS => "fail",
        Val::Iv(lo, hi) if hi - lo <= EPS => "partial",
        Val::Iv(..) => "unknown",
    }
}

fn gate_result<O: Borrow<Outcome>>(
    graph: &Graph,
    g: usize,
    gate: &Gate,
    vals: &[Val],
    waived: &[bool],
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
) -> GateResult {
    let title = graph
        .node(g)
        .map(|n| n.req.title.clone())
        .unwrap_or_default();
    let mut r = GateResult {
        id: gate.id.clone(),
        title,
        state: GateState::Met,
        reason: String::new(),
        basis: gate.reason.clone(),
        min: gate.min,
        min_assurance: gate.min_assurance,
        lo: 0.0,
        hi: 0.0,
    };
    let Some((lo, hi)) = vals.get(g).and_then(|v| v.bounds()) else {
        r.reason = if waived.get(g).copied().unwrap_or(false) {
            bound
                .waivers
                .iter()
                .find(|(i, _)| *i == g)
                .map(|(_, w)| {
                    format!(
                        "waived until {} by {}: {}",
                        w.expires, w.approved_by, w.reason
                    )
                })
                .unwrap_or_else(|| "waived".into())
        } else {
            let note = outcomes
                .get(&g)
                .map(|o| o.borrow().note.clone())
                .filter(|n| !n.is_empty());
            format!(
                "does not apply{}",
                note.map(|n| format!(": {n}")).unwrap_or_default()
            )
        };
        return r;
    };
    r.lo = round6(lo);
    r.hi = round6(hi);
    let leaves = leaves_under(graph, g, vals);
    let notes_of = |pred: &dyn Fn(&Outcome) -> bool| -> Vec<String> {
        leaves
            .iter()
            .filter_map(|i| {
                outcomes
                    .get(i)
                    .map(Borrow::borrow)
                    .filter(|o| pred(o))
                    .map(|o| o.note.clone())
            })
            .filter(|n| !n.is_empty())
            .collect()
    };
    if hi < gate.min - EPS {
        r.state = GateState::Failed;
        let notes = notes_of(&|o| matches!(o.status, OutcomeStatus::Fail | OutcomeStatus::Partial));
        r.reason = if notes.is_empty() {
            format!("cannot reach the required {}: at most {:.2}", gate.min, hi)
        } else {
            notes.join("; ")
        };
    } else if lo >= gate.min - EPS {
        let weak: Vec<String> = match gate.min_assurance {
            None => Vec::new(),
            Some(min) => {
                let mut w: Vec<String> = leaves
                    .iter()
                    .filter_map(|i| outcomes.get(i))
                    .flat_map(|o| o.borrow().facts.iter())
                    .filter(|f| f.known && f.status.rank() < min.rank())
                    .map(|f| format!("`{}` is only {}", f.key, f.status))
                    .collect();
                w.sort();
                w.dedup();
                w
            }
        };
        if weak.is_empty() {
            // Only what shows the gate is met: under `any`, or with a minimum below 1, checks
            // that are still unknown can sit beside a met gate and would read as a contradiction.
            r.reason =
                notes_of(&|o| matches!(o.status, OutcomeStatus::Pass | OutcomeStatus::Partial))
                    .join("; ");
            let open =
                notes_of(&|o| matches!(o.status, OutcomeStatus::Unknown | OutcomeStatus::Error))
                    .len();
            if r.reason.is_empty() {
                r.reason = "met".into();
            }
            if open > 0 {
                r.reason.push_str(&format!(
                    " ({open} check{} below it still unknown, which cannot undo this)",
                    if open == 1 { "" } else { "s" }
                ));
            }
        } else {
            r.state = GateState::Open;
            r.reason = format!(
                "{}; this must-have needs {} evidence or better",
                weak.join(", "),
                gate.min_assurance.map_or("known", |s| s.as_str())
            );
        }
    } else {
        r.state = GateState::Open;
        let notes =
            notes_of(&|o| matches!(o.status, OutcomeStatus::Unknown | OutcomeStatus::Error));
        r.reason = if notes.is_empty() {
            format!("at least {:.2} of the required {} so far", lo, gate.min)
        } else {
            notes.join("; ")
        };
    }
    r
}

/// What one scoring pass found, for the question pass to lift leaves against.
struct Scored<'a> {
    reached: &'a [bool],
    waived: &'a [bool],
    vals: &'a [Val],
    root_shares: &'a [f64],
    fit_lo: f64,
}

impl Scored<'_> {
    /// Every node's value with the `lifted` leaves at their hi and every other leaf at its lo
    /// (so every value is a point).
    ///
    /// A composite's lo depends only on its children's lo (and on which of them apply, which
    /// lifting does not change), so only the ancestors of the lifted leaves are recomputed, in
    /// topological order with the arithmetic of [`aggregate`]; every other node is its current
    /// lo as a point. The result is bit-identical to aggregating the whole lifted graph, at a
    /// fraction of the cost: a report lifts once per question and once per leaf a question
    /// reads.
    fn lift<O: Borrow<Outcome>>(
        &self,
        graph: &Graph,
        bound: &BoundProfile,
        _outcomes: &BTreeMap<usize, O>,
        lifted: &BTreeSet<usize>,
    ) -> Vec<Val> {
        let mut out: Vec<Val> = self
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
                (self.vals.get(i), out.get_mut(i), dirty.get_mut(i))
            {
                *slot = Val::Iv(*hi, *hi);
                *d = true;
            }
        }
        for &i in graph.topo() {
            if !self.reached.get(i).copied().unwrap_or(false)
                || self.waived.get(i).copied().unwrap_or(false)
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

fn questions<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    scored: &Scored<'_>,
    outcomes: &BTreeMap<usize, O>,
    gates: &[GateResult],
    vocab: &Vocabulary,
) -> Vec<Question> {
    let vals = scored.vals;
    // fact key → (reason, status, current value, leaves that read it)
    let mut asks: BTreeMap<
        String,
        (
            AskReason,
            Status,
            Option<crate::evidence::FactValue>,
            BTreeSet<usize>,
        ),
    > = BTreeMap::new();
    for (&i, o) in outcomes {
        if vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        for f in &o.borrow().facts {
            if f.known {
                continue;
            }
            let reason = if f.stale {
                AskReason::Stale
            } else {
                AskReason::Unknown
            };
            let e = asks.entry(f.key.clone()).or_insert((
                reason,
                f.status,
                if f.stale { f.value.clone() } else { None },
                BTreeSet::new(),
            ));
            e.3.insert(i);
        }
    }
    // Gate subtrees, for the gate flag and for assurance questions.
    let gate_leaves: Vec<(String, GateState, Option<Status>, BTreeSet<usize>)> = bound
        .gates
        .iter()
        .filter_map(|(g, gate)| {
            let state = gates.iter().find(|r| r.id == gate.id)?.state;
            Some((
                gate.id.clone(),
                state,
                gate.min_assurance,
                leaves_under(graph, *g, vals),
            ))
        })
        .collect();
    for (_, state, min, leaves) in &gate_leaves {
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
                    let e = asks.entry(f.key.clone()).or_insert((
                        AskReason::WeakAssurance,
                        f.status,
                        f.value.clone(),
                        BTreeSet::new(),
                    ));
                    e.3.insert(*i);
                }
            }
        }
    }
    // Which root frameworks reach each leaf: (id, node, share of the fit, leaves).
    let root_leaves: Vec<(String, usize, f64, BTreeSet<usize>)> = bound
        .roots
        .iter()
        .zip(scored.root_shares)
        .filter_map(|(&(r, _), &share)| {
            Some((
                graph.node(r)?.req.id.clone(),
                r,
                share,
                leaves_under(graph, r, vals),
            ))
        })
        .collect();

    let mut out = Vec::with_capacity(asks.len());
    // A requirement read by several unknown facts is lifted alone once, not once per fact.
    let mut alone_gains: Vec<Option<f64>> = vec![None; graph.len()];
    for (key, (reason, status, current, leaves)) in asks {
        let lifted_vals = scored.lift(graph, bound, outcomes, &leaves);
        let swing = scored.gain(bound, &lifted_vals);
        // By how much: each requirement that reads the fact lifted on its own, and each
        // framework with all of them lifted. Framework swings add up to the question's swing,
        // because the root is the share-weighted mean of the frameworks' lower bounds.
        let requirement_moves = leaves
            .iter()
            .filter_map(|&i| {
                let (lo, hi) = vals.get(i).and_then(|v| v.bounds())?;
                let gain = match alone_gains.get(i).copied().flatten() {
                    Some(g) => g,
                    // Lifting the question's only leaf is the lift just done.
                    None if leaves.len() == 1 => swing,
                    None => scored.gain(
                        bound,
                        &scored.lift(graph, bound, outcomes, &BTreeSet::from([i])),
                    ),
                };
                if let Some(slot) = alone_gains.get_mut(i) {
                    *slot = Some(gain);
                }
                Some(Move {
                    id: graph.node(i)?.req.id.clone(),
                    from: round6(100.0 * lo),
                    to: round6(100.0 * hi),
                    swing: round6(gain),
                })
            })
            .collect();
        let framework_moves = root_leaves
            .iter()
            .filter(|(.., rl)| !rl.is_disjoint(&leaves))
            .map(|(id, r, share, _)| {
                let r = *r;
                let (from, to) = (lo_of(vals, r), lo_of(&lifted_vals, r));
                Move {
                    id: id.clone(),
                    from: round6(100.0 * from),
                    to: round6(100.0 * to),
                    swing: round6((100.0 * share * (to - from)).max(0.0)),
                }
            })
            .collect();
        // An answer can only settle a gate through a check it can still move (an interval,
        // not a point), or by bringing the assurance a gate asks for.
        let movable: BTreeSet<usize> = leaves
            .iter()
            .copied()
            .filter(|&i| {
                reason == AskReason::WeakAssurance
                    || vals
                        .get(i)
                        .and_then(|v| v.bounds())
                        .is_some_and(|(lo, hi)| hi - lo > EPS)
            })
            .collect();
        let gate_ids: Vec<String> = gate_leaves
            .iter()
            .filter(|(_, state, _, gl)| *state == GateState::Open && !gl.is_disjoint(&movable))
            .map(|(id, ..)| id.clone())
            .collect();
        let spec = vocab.get(&key);
        let mut ask = spec
            .map(|s| s.ask.clone())
            .unwrap_or_else(|| format!("What is `{key}`?"));
        match reason {
            AskReason::Stale => ask.push_str(" (our information is out of date)"),
            AskReason::WeakAssurance => {
                ask.push_str(" Please send independent evidence (an audit report, certificate or signed contract).")
            }
            AskReason::Unknown => {}
        }
        out.push(Question {
            fact: key,
            ask,
            question: spec.map(|s| s.question.clone()).unwrap_or_default(),
            swing: round6(swing),
            gate: !gate_ids.is_empty(),
            gates: gate_ids,
            requirements: leaves
                .iter()
                .filter_map(|&i| graph.node(i).map(|n| n.req.id.clone()))
                .collect(),
            frameworks: root_leaves
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
        });
    }
    out.sort_by(|a, b| {
        b.gate
            .cmp(&a.gate)
            .then_with(|| b.swing.total_cmp(&a.swing))
            .then_with(|| a.fact.cmp(&b.fact))
    });
    out
}
