//! `labfit explain`: the answer to "why this number?". A report's nodes are a flat list; this
//! turns them into the tree under the profile's root (or under one requirement), each node
//! with its interval, its edge weight and normalised share of its parent, its global weight
//! and its contribution to the fit, and for leaves the outcome, note and every fact read.
//!
//! The requirement graph is a DAG: a shared control sits under several parents. Its subtree is
//! given in full at its first occurrence (depth first, children in id order) and later
//! occurrences are marked `repeated` with no children, so the tree stays as large as the graph
//! and the numbers of a shared node are never counted twice by a reader.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::evidence::{FactValue, Status};
use crate::graph::catalog::Verification;
use crate::input::date::Date;
use crate::input::error::{did_you_mean, UsageError};
use crate::profile::{ParamOrigin, ParamValue};
use crate::report::{NodeKindName, Report, Verdict};
use crate::rules::Lapse;
use crate::score::{round6, NodeStatus};

/// What an explained node shows: the verdict for the profile's root, a requirement's status,
/// or `not_scored` below a waived requirement (the report has nothing there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainStatus {
    /// The profile's root: the verdict.
    Verdict(Verdict),
    /// A requirement: its status in the report.
    Node(NodeStatus),
    /// Below a waived requirement.
    NotScored,
}

impl ExplainStatus {
    /// As written in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            ExplainStatus::Verdict(v) => v.as_str(),
            ExplainStatus::Node(s) => s.as_str(),
            ExplainStatus::NotScored => "not_scored",
        }
    }
}

impl std::fmt::Display for ExplainStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ExplainStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The tree of one score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// Profile id.
    pub profile: String,
    /// Profile title.
    pub profile_title: String,
    /// Provider id.
    pub provider: String,
    /// Provider name.
    pub provider_name: String,
    /// When the provider's evidence was compiled.
    pub evidence_as_of: Date,
    /// Evaluation date.
    pub as_of: Date,
    /// Fit score (0–100).
    pub fit: f64,
    /// Potential (0–100).
    pub potential: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// The tree: the profile's root, or the requirement asked about.
    pub root: ExplainNode,
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplainNode {
    /// Requirement id (the profile id at the root).
    pub id: Arc<str>,
    /// Title.
    pub title: Arc<str>,
    /// `profile`, `composite` or `leaf`.
    pub kind: NodeKindName,
    /// pass, fail, partial, unknown, not_applicable, waived or error (the verdict at the root).
    pub status: ExplainStatus,
    /// Lower bound, 0–1 (0 when excluded).
    pub lo: f64,
    /// Upper bound, 0–1.
    pub hi: f64,
    /// The requirement's citation (the regulation's section), when the catalog gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<Arc<str>>,
    /// How far the requirement's citation was checked, when the catalog records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// Weight of the edge from the parent (the framework weight under the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_weight: Option<f64>,
    /// That weight normalised among the parent's children that apply (for `all`/`any`: 1 for
    /// the child that sets the parent's bound, else 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Global weight: the share of the fit this node carries.
    pub weight: f64,
    /// Its contribution to the fit, in fit points (global weight × lo × 100).
    pub contribution: f64,
    /// How a composite combines its children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<&'static str>,
    /// A leaf's check (`FILE::FUNCTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<Arc<str>>,
    /// The check's note, or the waiver's reason (the report's, shared).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub note: Arc<str>,
    /// Facts the check read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<ExplainFact>,
    /// Parameters the check read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ExplainParam>,
    /// True when this node was shown in full earlier in the tree (a shared node); its
    /// children, facts and parameters are given there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repeated: bool,
    /// Children, in id order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplainNode>,
}

/// A parameter as a check read it, with where its value comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplainParam {
    /// Name.
    pub name: String,
    /// The value the check read (absent when nothing sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ParamValue>,
    /// Default, set by one profile, or the strictest of several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<ParamOrigin>,
    /// The profile that set it (`default` for a default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    /// The regulation or reasoning behind the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A fact as a check read it, with its source's title.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplainFact {
    /// Key.
    pub key: String,
    /// Value, when the evidence gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<FactValue>,
    /// Its status in the evidence.
    pub status: Status,
    /// Whether the check saw it as known.
    pub known: bool,
    /// Too old for the profile, or past its `expires`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// Absent from the evidence file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// Source id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The source's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_title: Option<String>,
    /// Days from the fact's date to the evaluation date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// The evidence's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why a stated fact counts as unknown (out of scope, expired, too old).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse: Option<Lapse>,
}

/// Builds the tree of a report: under the profile's root, or under `requirement` when given
/// (an error naming the nearest id when the profile does not reach it).
pub fn explain(report: &Report, requirement: Option<&str>) -> Result<Explanation, UsageError> {
    let mut seen = BTreeSet::new();
    let root = match requirement {
        Some(id) => {
            if report.node(id).is_none() {
                let hint = did_you_mean(id, report.nodes.iter().map(|n| &*n.id))
                    .unwrap_or_else(|| {
                        format!(
                            "it is not under any framework of profile `{}`; see `labfit list requirements`",
                            report.profile.id
                        )
                    });
                return Err(UsageError::Invalid {
                    message: format!(
                        "profile `{}` does not reach requirement `{id}`",
                        report.profile.id
                    ),
                    hint: Some(hint),
                });
            }
            node(report, id, None, &mut seen)
        }
        None => ExplainNode {
            id: Arc::from(report.profile.id.as_str()),
            title: Arc::from(report.profile.title.as_str()),
            kind: NodeKindName::Profile,
            status: ExplainStatus::Verdict(report.verdict),
            lo: round6(report.fit / 100.0),
            hi: round6(report.potential / 100.0),
            citation: None,
            verification: None,
            edge_weight: None,
            share: None,
            weight: if report.profile.frameworks.iter().any(|f| f.share > 0.0) {
                1.0
            } else {
                0.0
            },
            contribution: report.fit,
            aggregate: Some("weighted"),
            check: None,
            note: Arc::default(),
            facts: Vec::new(),
            params: Vec::new(),
            repeated: false,
            children: report
                .profile
                .frameworks
                .iter()
                .map(|f| node(report, &f.id, Some((f.weight, f.share)), &mut seen))
                .collect(),
        },
    };
    Ok(Explanation {
        profile: report.profile.id.clone(),
        profile_title: report.profile.title.clone(),
        provider: report.provider.id.clone(),
        provider_name: report.provider.name.clone(),
        evidence_as_of: report.provider.as_of,
        as_of: report.as_of,
        fit: report.fit,
        potential: report.potential,
        verdict: report.verdict,
        root,
    })
}

fn node(
    report: &Report,
    id: &str,
    edge: Option<(f64, f64)>,
    seen: &mut BTreeSet<String>,
) -> ExplainNode {
    let repeated = !seen.insert(id.to_owned());
    let Some(n) = report.node(id) else {
        // Below a waived node the report has nothing: the subtree was not scored.
        return ExplainNode {
            id: Arc::from(id),
            title: Arc::from(""),
            kind: NodeKindName::Composite,
            status: ExplainStatus::NotScored,
            lo: 0.0,
            hi: 0.0,
            citation: None,
            verification: None,
            edge_weight: edge.map(|e| e.0),
            share: edge.map(|e| e.1),
            weight: 0.0,
            contribution: 0.0,
            aggregate: None,
            check: None,
            note: Arc::default(),
            facts: Vec::new(),
            params: Vec::new(),
            repeated,
            children: Vec::new(),
        };
    };
    let mut out = ExplainNode {
        id: n.id.clone(),
        title: n.title.clone(),
        kind: n.kind,
        status: ExplainStatus::Node(n.status),
        lo: n.lo,
        hi: n.hi,
        citation: n.citation.clone(),
        verification: n.verification,
        edge_weight: edge.map(|e| e.0),
        share: edge.map(|e| e.1),
        weight: n.weight,
        contribution: n.contribution,
        aggregate: n.aggregate,
        check: n.check.clone(),
        note: n.note.clone(),
        facts: Vec::new(),
        params: Vec::new(),
        repeated,
        children: Vec::new(),
    };
    if repeated {
        return out;
    }
    out.facts = n
        .facts
        .iter()
        .map(|f| ExplainFact {
            key: f.key.to_string(),
            value: f.value.clone(),
            status: f.status,
            known: f.known,
            stale: f.stale,
            missing: f.missing,
            lapse: f.lapse.clone(),
            source: f.source.clone(),
            source_title: f
                .source
                .as_ref()
                .and_then(|s| report.provider.sources.get(s))
                .and_then(|s| s.title.clone()),
            age_days: f.age_days,
            note: f.note.clone(),
        })
        .collect();
    out.params = n
        .params
        .iter()
        .map(|p| {
            let resolved = report.profile.params.get(&p.name);
            ExplainParam {
                name: p.name.clone(),
                value: p.value.clone(),
                origin: resolved.map(|r| r.origin),
                set_by: resolved.map(|r| r.set_by.clone()),
                source: resolved.and_then(|r| r.source.clone()),
            }
        })
        .collect();
    if n.status != NodeStatus::Waived {
        out.children = n
            .children
            .iter()
            .map(|c| node(report, &c.id, Some((c.weight, c.share)), seen))
            .collect();
    }
    out
}
