//! What the engine holds, as lists for people and programs: the requirements, profiles,
//! providers, facts, parameters and service kinds that `labfit list` prints and the service's
//! `GET /v1/…` endpoints return, built once here so the two cannot differ.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::error::Error;
use crate::engine::Engine;
use crate::evidence::vocabulary::{FactSpec, ServiceSpec};
use crate::graph::catalog::{Body, Severity, Verification};
use crate::graph::NodeKind;
use crate::input::date::Date;
use crate::profile::params::ParamSpec;
use crate::profile::Param;

/// One requirement of the graph, with its edges both ways and where it is defined.
#[derive(Clone, Debug, Serialize)]
#[expect(
    missing_docs,
    reason = "the fields are the requirement's, as in the catalog"
)]
pub struct RequirementItem {
    pub id: String,
    pub title: String,
    /// `leaf` or `composite`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    pub questions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    pub parents: Vec<String>,
    pub pack: String,
    /// Where it is defined, as `file:line:col`.
    pub location: String,
}

/// A child edge of a composite requirement.
#[derive(Clone, Debug, Serialize)]
pub struct ChildItem {
    /// The child's id.
    pub id: String,
    /// The edge's weight.
    pub weight: f64,
}

/// A profile, as bound.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileItem {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Root frameworks and their weights.
    pub frameworks: Vec<(String, f64)>,
    /// The must-haves' requirement ids.
    pub must_have: Vec<String>,
    /// Every parameter, with who set it.
    pub params: BTreeMap<String, Param>,
}

/// A provider's evidence, in brief.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderItem {
    /// Its id.
    pub id: String,
    /// The provider's name.
    pub provider: String,
    /// When the evidence was compiled.
    pub as_of: Date,
    /// How many facts it states.
    pub facts: usize,
    /// How many of them are known.
    pub known: usize,
}

/// A key of the fact vocabulary.
#[derive(Clone, Debug, Serialize)]
pub struct FactItem {
    /// The key.
    pub key: String,
    /// What the vocabulary says about it.
    #[serde(flatten)]
    pub spec: FactSpec,
}

/// A parameter rules read.
#[derive(Clone, Debug, Serialize)]
pub struct ParamItem {
    /// Its name.
    pub name: String,
    /// Its type, default, meaning and where the default comes from.
    #[serde(flatten)]
    pub spec: ParamSpec,
}

/// A kind of service a fact can cover and a lab can use.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceItem {
    /// The kind.
    pub kind: String,
    /// What it means, and whether a profile gets it by default.
    #[serde(flatten)]
    pub spec: ServiceSpec,
}

impl Engine {
    /// Every requirement of the graph, in graph order.
    pub fn list_requirements(&self) -> Vec<RequirementItem> {
        let g = &self.graph;
        g.nodes()
            .iter()
            .enumerate()
            .map(|(i, n)| RequirementItem {
                id: n.req.id.clone(),
                title: n.req.title.clone(),
                kind: if matches!(n.req.body, Body::Leaf(_)) {
                    "leaf"
                } else {
                    "composite"
                },
                citation: n.req.citation.clone(),
                url: n.req.url.clone(),
                severity: n.req.severity,
                verification: n.req.verification,
                questions: n.req.questions.clone(),
                aggregate: match &n.kind {
                    NodeKind::Composite { aggregate, .. } => Some(aggregate.to_string()),
                    NodeKind::Leaf { .. } => None,
                },
                children: match &n.kind {
                    NodeKind::Composite { children, .. } => children
                        .iter()
                        .filter_map(|(c, w)| {
                            g.node(*c).map(|cn| ChildItem {
                                id: cn.req.id.clone(),
                                weight: *w,
                            })
                        })
                        .collect(),
                    NodeKind::Leaf { .. } => Vec::new(),
                },
                check: match &n.req.body {
                    Body::Leaf(c) => Some(c.to_string()),
                    Body::Composite { .. } => None,
                },
                parents: g
                    .parents(i)
                    .iter()
                    .filter_map(|&p| g.node(p).map(|n| n.req.id.clone()))
                    .collect(),
                pack: n.req.pack.clone(),
                location: n.req.location().to_string(),
            })
            .collect()
    }

    /// Every built-in (and pack) profile, bound; the first that does not bind is the error.
    pub fn list_profiles(&self) -> Result<Vec<ProfileItem>, Error> {
        self.builtin_profiles()
            .map(|id| {
                let p = self.builtin_profile(id)?;
                Ok(ProfileItem {
                    id: p.profile.id.clone(),
                    title: p.profile.title.clone(),
                    frameworks: p.profile.frameworks.clone(),
                    must_have: p.profile.gates.iter().map(|g| g.id.clone()).collect(),
                    params: (*p.profile.params).clone(),
                })
            })
            .collect()
    }

    /// Every built-in (and pack) provider, with how many of its facts are known.
    pub fn list_providers(&self) -> Result<Vec<ProviderItem>, Error> {
        self.builtin_providers()
            .map(|id| {
                let e = self.provider(id)?;
                Ok(ProviderItem {
                    id: e.id.clone(),
                    provider: e.provider.clone(),
                    as_of: e.as_of,
                    facts: e.facts.len(),
                    known: e.facts.values().filter(|f| f.value.is_some()).count(),
                })
            })
            .collect()
    }

    /// The fact vocabulary, by key.
    pub fn list_facts(&self) -> Vec<FactItem> {
        self.vocab
            .iter()
            .map(|(key, spec)| FactItem {
                key: key.to_owned(),
                spec: spec.clone(),
            })
            .collect()
    }

    /// The parameter vocabulary, by name.
    pub fn list_params(&self) -> Vec<ParamItem> {
        self.params
            .iter()
            .map(|(name, spec)| ParamItem {
                name: name.to_owned(),
                spec: spec.clone(),
            })
            .collect()
    }

    /// The kinds of service.
    pub fn list_services(&self) -> Vec<ServiceItem> {
        self.vocab
            .services()
            .map(|(kind, spec)| ServiceItem {
                kind: kind.to_owned(),
                spec: spec.clone(),
            })
            .collect()
    }
}
