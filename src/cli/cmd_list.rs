//! `labfit list`: the built-in (and `--rules`) content, for people and for scripts.

use clap::{Args, ValueEnum};
use serde::Serialize;

use labfit::graph::catalog::Body;
use labfit::graph::NodeKind;
use labfit::render::json;
use labfit::render::toolkit::{wrap, WIDTH};
use labfit::Engine;

use super::{output, report_error, Exit, RulesArgs};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// Every requirement of the graph
    Requirements,
    /// Built-in profiles
    Profiles,
    /// Built-in provider evidence
    Providers,
    /// The fact vocabulary
    Facts,
    /// The parameters rules read, with their defaults and where the defaults come from
    Params,
    /// The kinds of service a fact can cover and a lab can use
    Services,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// One line per item
    #[default]
    Text,
    /// JSON
    Json,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum)]
    pub what: What,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
}

#[derive(Serialize)]
struct ReqItem {
    id: String,
    title: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    citation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    severity: labfit::graph::catalog::Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<labfit::graph::catalog::Verification>,
    questions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aggregate: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<ChildItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<String>,
    parents: Vec<String>,
    pack: String,
    location: String,
}

#[derive(Serialize)]
struct ChildItem {
    id: String,
    weight: f64,
}

#[derive(Serialize)]
struct ProfileItem {
    id: String,
    title: String,
    frameworks: Vec<(String, f64)>,
    must_have: Vec<String>,
    params: std::collections::BTreeMap<String, labfit::profile::Param>,
}

#[derive(Serialize)]
struct ProviderItem {
    id: String,
    provider: String,
    as_of: labfit::Date,
    facts: usize,
    known: usize,
}

#[derive(Serialize)]
struct FactItem<'a> {
    key: &'a str,
    #[serde(flatten)]
    spec: &'a labfit::evidence::vocabulary::FactSpec,
}

pub fn run(a: &ListArgs) -> Exit {
    let engine = match a.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let json_out = a.format == ListFormat::Json;
    let text = match a.what {
        What::Requirements => requirements(&engine, json_out),
        What::Profiles => match profiles(&engine, json_out) {
            Ok(t) => t,
            Err(exit) => return exit,
        },
        What::Providers => match providers(&engine, json_out) {
            Ok(t) => t,
            Err(exit) => return exit,
        },
        What::Facts => facts(&engine, json_out),
        What::Params => params(&engine, json_out),
        What::Services => services(&engine, json_out),
    };
    match output::write(None, &text) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            Exit::Input
        }
    }
}

/// Every requirement of the graph, with its edges both ways and where it is defined.
fn requirements(engine: &Engine, json_out: bool) -> String {
    let g = engine.graph();
    let items: Vec<ReqItem> = g
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| ReqItem {
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
                .into_iter()
                .filter_map(|p| g.node(p).map(|n| n.req.id.clone()))
                .collect(),
            pack: n.req.pack.clone(),
            location: n.req.location().to_string(),
        })
        .collect();
    if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|r| r.id.as_str()));
        items
            .iter()
            .map(|r| format!("{:<w$}  {:<9} {}\n", r.id, r.kind, r.title))
            .collect()
    }
}

/// The profiles found by id; one that does not bind stops the listing with its error.
fn profiles(engine: &Engine, json_out: bool) -> Result<String, Exit> {
    let mut items = Vec::new();
    for id in engine.builtin_profiles() {
        match engine.profile(id) {
            Ok(p) => items.push(ProfileItem {
                id: p.profile.id.clone(),
                title: p.profile.title.clone(),
                frameworks: p.profile.frameworks.clone(),
                must_have: p.profile.gates.iter().map(|g| g.id.clone()).collect(),
                params: p.profile.params.clone(),
            }),
            Err(e) => return Err(report_error(&e)),
        }
    }
    Ok(if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|p| p.id.as_str()));
        items
            .iter()
            .map(|p| format!("{:<w$}  {}\n", p.id, p.title))
            .collect()
    })
}

/// The providers found by id, with how many of their facts are known.
fn providers(engine: &Engine, json_out: bool) -> Result<String, Exit> {
    let mut items = Vec::new();
    for id in engine.builtin_providers() {
        match engine.evidence(id) {
            Ok(e) => items.push(ProviderItem {
                id: e.id.clone(),
                provider: e.provider.clone(),
                as_of: e.as_of,
                facts: e.facts.len(),
                known: e.facts.values().filter(|f| f.value.is_some()).count(),
            }),
            Err(e) => return Err(report_error(&e)),
        }
    }
    if json_out {
        return Ok(json::value(&items));
    }
    let id_w = width(items.iter().map(|p| p.id.as_str()));
    let name_w = width(items.iter().map(|p| p.provider.as_str()));
    Ok(items
        .iter()
        .map(|p| {
            format!(
                "{:<id_w$}  {:<name_w$}  as of {}  {} facts ({} known)\n",
                p.id, p.provider, p.as_of, p.facts, p.known
            )
        })
        .collect())
}

/// The fact vocabulary.
fn facts(engine: &Engine, json_out: bool) -> String {
    let v = engine.vocabulary();
    let items: Vec<FactItem<'_>> = v.iter().map(|(key, spec)| FactItem { key, spec }).collect();
    if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|f| f.key));
        items
            .iter()
            .map(|f| {
                format!(
                    "{:<w$}  {:<8} {:<4} {}\n",
                    f.key,
                    f.spec.ty.to_string(),
                    f.spec.question,
                    f.spec.meaning
                )
            })
            .collect()
    }
}

#[derive(Serialize)]
struct ParamItem<'a> {
    name: &'a str,
    #[serde(flatten)]
    spec: &'a labfit::profile::params::ParamSpec,
}

/// The parameter vocabulary: name, type and unit, default, meaning and where the default
/// comes from.
fn params(engine: &Engine, json_out: bool) -> String {
    let items: Vec<ParamItem<'_>> = engine
        .parameters()
        .iter()
        .map(|(name, spec)| ParamItem { name, spec })
        .collect();
    if json_out {
        return json::value(&items);
    }
    let mut out = String::new();
    for p in &items {
        out.push_str(&format!(
            "{:<34} {:<24} default {}\n    {}\n    {}\n",
            p.name,
            p.spec.describe(),
            p.spec.default,
            wrap(&p.spec.meaning, WIDTH, 4),
            wrap(&format!("default from: {}", p.spec.source), WIDTH, 4)
        ));
    }
    out
}

#[derive(Serialize)]
struct ServiceItem<'a> {
    kind: &'a str,
    #[serde(flatten)]
    spec: &'a labfit::evidence::vocabulary::ServiceSpec,
}

/// The service kinds, those a profile gets by default marked.
fn services(engine: &Engine, json_out: bool) -> String {
    let items: Vec<ServiceItem<'_>> = engine
        .vocabulary()
        .services()
        .map(|(kind, spec)| ServiceItem { kind, spec })
        .collect();
    if json_out {
        return json::value(&items);
    }
    items
        .iter()
        .map(|s| {
            format!(
                "{:<16} {:<8} {}\n",
                s.kind,
                if s.spec.default { "default" } else { "" },
                s.spec.meaning
            )
        })
        .collect()
}

/// The width of a text column: its longest entry, so that no entry runs into the next column
/// (the columns are then separated by two spaces).
fn width<'a>(entries: impl Iterator<Item = &'a str>) -> usize {
    entries.map(|e| e.chars().count()).max().unwrap_or(0)
}
