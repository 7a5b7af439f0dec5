//! Builds the report of one score from its pass: every reached requirement with its interval,
//! global weight, contribution, outcome and the facts its check read; the must-haves, the
//! questions, the waivers and the warnings; the profile and provider as scored.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::Evidence;
use crate::graph::{Graph, Node, NodeKind};
use crate::input::date::Date;
use crate::input::source::InputHash;
use crate::profile::judgements::format_value;
use crate::report::weighting::WeightingReport;
use crate::report::{
    Assumption, ChildEdge, EngineInfo, FrameworkWeight, NodeKindName, NodeResult, ProfileInfo,
    ProviderInfo, Reads, Report, RuleErrorEntry, WaiverResult, WaiverState, Warning, WarningKind,
    REPORT_VERSION,
};
use crate::rules::Outcome;
use crate::score::{round6, AnswerKinds, BoundProfile, NodeStatus, Scored, Val, Weights};

/// Everything besides the graph, the pass and the outcomes that a report needs.
pub(crate) struct Context<'a> {
    /// The vocabulary (for question texts).
    pub vocab: &'a Vocabulary,
    /// Each fact's kind of answer, built with the engine.
    pub answers: &'a AnswerKinds,
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

/// The report of one pass. `outcomes` holds the outcome of every reached, unwaived leaf.
pub(crate) fn report(
    graph: &Graph,
    bound: &BoundProfile,
    scored: Scored,
    outcomes: &BTreeMap<usize, Arc<Outcome>>,
    ctx: Context<'_>,
) -> Report {
    let weights = scored.weights(graph, bound);
    let questions = scored.questions_with(graph, bound, outcomes, ctx.vocab, ctx.answers);
    let mut warnings = ctx.warnings;
    if !scored.applies {
        warnings.push(Warning {
            kind: WarningKind::NothingApplies,
            message: "no requirement of the profile applies to this provider (all excluded); fit and potential are 0".into(),
        });
    }
    warnings.extend(judgement_warnings(bound));
    let mut errors = Vec::new();
    // Sized first: a filtered collect grows by doubling, copying every result made so far.
    let mut nodes = Vec::with_capacity(scored.reached.iter().filter(|&&r| r).count());
    nodes.extend(
        graph
            .nodes()
            .iter()
            .enumerate()
            .filter(|(i, _)| scored.reached.get(*i).copied().unwrap_or(false))
            .map(|(i, node)| {
                let at = At { i, node };
                node_result(graph, bound, &scored, &weights, outcomes, at, &mut errors)
            }),
    );
    let waivers = waivers(bound, ctx.as_of);
    for w in &waivers {
        if w.state == WaiverState::Expired {
            warnings.push(Warning {
                kind: WarningKind::ExpiredWaiver,
                message: format!("the waiver for `{}` expired on {}; it is ignored and the requirement is scored", w.id, w.expires),
            });
        }
    }
    warnings.sort();
    warnings.dedup();
    let ev = ctx.evidence;
    Report {
        labfit: REPORT_VERSION,
        engine: EngineInfo::current(),
        as_of: ctx.as_of,
        profile: ProfileInfo {
            id: bound.profile.id.clone(),
            title: bound.profile.title.clone(),
            frameworks: frameworks(graph, bound, &scored, &weights),
            params: bound.profile.params.clone(),
            bands: bound.profile.bands,
            max_evidence_age_days: bound.profile.max_evidence_age_days,
            weighting: (!bound.profile.weighting.is_empty())
                .then(|| WeightingReport::of(&bound.profile)),
        },
        provider: ProviderInfo {
            id: ev.id.clone(),
            name: ev.provider.clone(),
            as_of: ev.as_of,
            sources: ev.sources.clone(),
        },
        fit: round6(100.0 * scored.fit_lo),
        potential: round6(100.0 * scored.fit_hi),
        verdict: scored.verdict,
        gates: scored.gates,
        questions,
        nodes,
        waivers,
        warnings,
        errors,
        assumptions: ctx.assumptions,
        inputs: ctx.inputs,
    }
}

/// A warning for every judgement set less consistent than Saaty's 0.10 that the profile
/// accepts, naming the judgement to revisit.
fn judgement_warnings(bound: &BoundProfile) -> Vec<Warning> {
    bound
        .profile
        .weighting
        .sets()
        .filter(|d| d.accepted)
        .map(|d| {
            let p = &d.priorities;
            let revisit = p.revision().map_or_else(String::new, |r| {
                format!(
                    "; revisit `{}` over `{}` ({}; the derived weights put it at about {:.2})",
                    r.a,
                    r.b,
                    format_value(r.current),
                    r.consistent
                )
            });
            Warning {
                kind: WarningKind::InconsistentJudgements,
                message: format!(
                    "the judgements on {} have CR {:.3} > 0.10 ({}), which the profile accepts{revisit}",
                    d.subject, p.cr, p.random_index_table
                ),
            }
        })
        .collect()
}

/// A node and its index.
struct At<'a> {
    i: usize,
    node: &'a Node,
}

/// One reached requirement as scored; a rule error it carries goes to `errors`.
fn node_result(
    graph: &Graph,
    bound: &BoundProfile,
    scored: &Scored,
    weights: &Weights,
    outcomes: &BTreeMap<usize, Arc<Outcome>>,
    at: At<'_>,
    errors: &mut Vec<RuleErrorEntry>,
) -> NodeResult {
    let At { i, node } = at;
    let val = scored.vals.get(i).copied().unwrap_or(Val::Excluded);
    let is_waived = scored.waived.get(i).copied().unwrap_or(false);
    let (lo, hi) = val.bounds().unwrap_or((0.0, 0.0));
    let weight = weights.global.get(i).copied().unwrap_or(0.0);
    let mut nr = NodeResult {
        id: node.id.clone(),
        title: node.title.clone(),
        kind: NodeKindName::Composite,
        status: NodeStatus::Unknown,
        lo: round6(lo),
        hi: round6(hi),
        weight: round6(weight),
        contribution: round6(100.0 * weight * lo),
        aggregate: None,
        children: Vec::new(),
        citation: node.citation.clone(),
        severity: node.req.severity,
        verification: node.req.verification,
        questions: node.questions.clone(),
        check: None,
        facts: Reads::none(),
        params: Reads::none(),
        note: Arc::default(),
        pack: node.pack.clone(),
    };
    if is_waived {
        nr.status = NodeStatus::Waived;
        if let Some((_, w)) = bound.waivers.iter().find(|(wi, _)| *wi == i) {
            nr.note = format!(
                "waived until {}: {} (approved by {})",
                w.expires, w.reason, w.approved_by
            )
            .into();
        }
    }
    match &node.kind {
        NodeKind::Leaf { rule } => {
            nr.kind = NodeKindName::Leaf;
            nr.check = graph.check_name(*rule).cloned();
            if let Some(o) = outcomes.get(&i) {
                if !is_waived {
                    nr.status = o.status.into();
                    // The outcome's own text, shared: a report used to copy every note.
                    nr.note = o.note.clone();
                    if let Some(e) = &o.error {
                        errors.push(RuleErrorEntry {
                            requirement: node.req.id.clone(),
                            message: e.message.clone(),
                            location: e.location.clone(),
                        });
                    }
                }
                nr.facts = Reads::facts(o.clone());
                nr.params = Reads::params(o.clone());
            }
        }
        NodeKind::Composite {
            aggregate,
            children,
        } => {
            nr.aggregate = Some(aggregate.as_str());
            nr.children = children
                .iter()
                .enumerate()
                .filter_map(|(k, &(c, w))| {
                    graph.node(c).map(|cn| ChildEdge {
                        id: cn.id.clone(),
                        weight: bound.edge_weight(i, c, w),
                        share: round6(weights.shares.get(i, k)),
                    })
                })
                .collect();
            if !is_waived {
                nr.status = val.status();
            }
        }
    }
    nr
}

/// Every waiver of the profile and whether it applies on `as_of`.
fn waivers(bound: &BoundProfile, as_of: Date) -> Vec<WaiverResult> {
    bound
        .waivers
        .iter()
        .map(|(_, w)| WaiverResult {
            id: w.id.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires,
            state: if w.expires >= as_of {
                WaiverState::Active
            } else {
                WaiverState::Expired
            },
        })
        .collect()
}

/// The profile's root frameworks with their weights, shares of the fit and intervals.
fn frameworks(
    graph: &Graph,
    bound: &BoundProfile,
    scored: &Scored,
    weights: &Weights,
) -> Vec<FrameworkWeight> {
    bound
        .roots
        .iter()
        .zip(weights.roots.iter().copied())
        .filter_map(|(&(i, w), share)| {
            let n = graph.node(i)?;
            let (lo, hi) = scored
                .vals
                .get(i)
                .and_then(|v| v.bounds())
                .unwrap_or((0.0, 0.0));
            Some(FrameworkWeight {
                id: n.req.id.clone(),
                weight: w,
                share: round6(share),
                lo: round6(lo),
                hi: round6(hi),
            })
        })
        .collect()
}
