//! Binding a profile to the graph: every requirement id the profile names (frameworks,
//! must-haves, waivers, edge weights) replaced by a node index, so scoring never looks an id
//! up. Pure: the profile is already loaded (its `extends` resolved) and the graph built.
//! Checking a profile (`labfit check`) goes on after a bad reference, so every reference the
//! graph lacks is returned beside the bound profile rather than stopping at the first.

use std::sync::Arc;

use crate::evidence::vocabulary::Vocabulary;
use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::input::error::did_you_mean;
use crate::input::source::Location;
use crate::profile::error::ProfileError;
use crate::profile::judgements::{self, Judgements};
use crate::profile::{Profile, RefWhat};
use crate::rules::Params;
use crate::score::BoundProfile;

/// Binds `p` to `graph`, leaving out the references the graph lacks; those come back as
/// errors beside the bound profile, each at the reference, with the nearest id as a hint.
/// Only bands that cannot be scored by (not ordered within 0..100) are an `Err`.
pub fn bind(
    graph: &Graph,
    vocab: &Vocabulary,
    mut p: Profile,
) -> Result<(BoundProfile, Vec<ProfileError>), ProfileError> {
    p.check_bands()?;
    p.check_assurance()?;
    let mut errors = reference_errors(graph, &p);
    if p.frameworks.is_empty() && errors.is_empty() {
        let location = p
            .files
            .first()
            .map(|f| f.location(1, 1))
            .unwrap_or_else(|| Location::file_start("profile"));
        errors.push(ProfileError::Invalid {
            location,
            message: format!("profile `{}` selects no frameworks", p.id),
            hint: Some(
                "add `frameworks: {lab-baseline: 1}` or extend a profile that has some".into(),
            ),
        });
    }
    let judged = judged_children(graph, &mut p, &mut errors);
    let find = |id: &str| graph.find(id);
    let roots = p
        .frameworks
        .iter()
        .filter_map(|(id, w)| Some((find(id)?, *w)))
        .collect();
    let overrides = p
        .weights
        .iter()
        .filter_map(|((a, b), w)| Some(((find(a)?, find(b)?), *w)))
        .chain(judged)
        .collect();
    let gates = p
        .gates
        .iter()
        .filter_map(|g| Some((find(&g.id)?, g.clone())))
        .collect();
    let waivers = p
        .waivers
        .iter()
        .filter_map(|w| Some((find(&w.id)?, w.clone())))
        .collect();
    let params: Params = Arc::new(
        p.params
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
    );
    let services = services(vocab, &p, &mut errors);
    Ok((
        BoundProfile {
            profile: p,
            roots,
            overrides,
            gates,
            waivers,
            params,
            services,
        },
        errors,
    ))
}

/// The kinds of service the lab uses, sorted: the profile's (each one the vocabulary knows),
/// or the vocabulary's defaults.
fn services(vocab: &Vocabulary, p: &Profile, errors: &mut Vec<ProfileError>) -> Vec<String> {
    let Some(s) = &p.services else {
        return vocab.default_services();
    };
    if s.is_empty() {
        // An empty list would switch scope off: every certificate would count for every lab.
        errors.push(ProfileError::Invalid {
            location: p.locate_key("services"),
            message: "`services` names no kind of service".into(),
            hint: Some("list the kinds the lab will use (see `labfit list services`), or leave `services` out for the defaults".into()),
        });
        return vocab.default_services();
    }
    for kind in s.iter().filter(|k| !vocab.has_service(k)) {
        errors.push(ProfileError::Invalid {
            location: p.locate_key("services"),
            message: format!("unknown service kind `{kind}`"),
            hint: did_you_mean(kind, vocab.services().map(|(k, _)| k))
                .or_else(|| Some("see `labfit list services`".into())),
        });
    }
    let mut s = s.clone();
    s.sort();
    s.dedup();
    s
}

/// Every reference of the profile that names no requirement, or an edge the catalog lacks.
fn reference_errors(graph: &Graph, p: &Profile) -> Vec<ProfileError> {
    let mut errors = Vec::new();
    let find = |id: &str| graph.find(id);
    for r in &p.refs {
        let bad = |message: String, hint: Option<String>| ProfileError::Invalid {
            location: r.location(),
            message,
            hint,
        };
        let nearest = |id: &str| nearest(graph, id);
        match &r.what {
            RefWhat::Framework(id) if find(id).is_none() => {
                errors.push(bad(format!("unknown framework `{id}`"), nearest(id)))
            }
            RefWhat::Gate(id) if find(id).is_none() => errors.push(bad(
                format!("must-have `{id}` is not a requirement"),
                nearest(id),
            )),
            RefWhat::Waiver(id) if find(id).is_none() => errors.push(bad(
                format!("waiver for unknown requirement `{id}`"),
                nearest(id),
            )),
            RefWhat::Judged(id) if find(id).is_none() => errors.push(bad(
                format!("weights judge the children of unknown requirement `{id}`"),
                nearest(id),
            )),
            RefWhat::Edge(pa, c) => {
                if let Some((message, hint)) = edge_error(graph, pa, c) {
                    errors.push(bad(message, hint));
                }
            }
            _ => {}
        }
    }
    errors
}

/// What is wrong with a weight override `pa/c`, if anything: an id the graph lacks, or two
/// requirements with no edge between them.
fn edge_error(graph: &Graph, pa: &str, c: &str) -> Option<(String, Option<String>)> {
    let nearest = |id: &str| nearest(graph, id);
    let (pi, ci) = match (graph.find(pa), graph.find(c)) {
        (None, _) => {
            return Some((
                format!("weight override names unknown requirement `{pa}`"),
                nearest(pa),
            ))
        }
        (_, None) => {
            return Some((
                format!("weight override names unknown requirement `{c}`"),
                nearest(c),
            ))
        }
        (Some(pi), Some(ci)) => (pi, ci),
    };
    let is_edge = matches!(
        graph.node(pi).map(|n| &n.kind),
        Some(NodeKind::Composite { children, .. }) if children.iter().any(|(x, _)| *x == ci)
    );
    (!is_edge).then(|| {
        (
            format!("`{c}` is not a child of `{pa}`, so `{pa}/{c}` overrides nothing"),
            Some("weights override existing edges: PARENT/CHILD as in the catalog".into()),
        )
    })
}

/// The hint for an id the graph lacks: the nearest id it has, else where to look them up.
fn nearest(graph: &Graph, id: &str) -> Option<String> {
    did_you_mean(id, graph.ids()).or_else(|| Some("see `labfit list requirements`".into()))
}

/// The weights of the children of every requirement whose children are judged, as edge
/// overrides (the derived sets go to the profile's weighting). The judgements must name only
/// the requirement's children, and every one of them (a child never compared is a group of
/// its own, which the derivation refuses); the requirement must combine its children by
/// weight, and no `PARENT/CHILD` override may weigh the same edges twice.
fn judged_children(
    graph: &Graph,
    p: &mut Profile,
    errors: &mut Vec<ProfileError>,
) -> Vec<((usize, usize), f64)> {
    let mut out = Vec::new();
    for (id, j) in &p.node_judgements {
        // An unknown id is reported with the other references.
        let Some(i) = graph.find(id) else { continue };
        let bad = |message: String, hint: &str| ProfileError::Invalid {
            location: j.locate_subject(),
            message,
            hint: Some(hint.to_owned()),
        };
        let children = match graph.node(i).map(|n| &n.kind) {
            Some(NodeKind::Composite {
                aggregate: Aggregate::Weighted,
                children,
            }) => children,
            Some(NodeKind::Composite { aggregate, .. }) => {
                errors.push(bad(
                    format!(
                        "`{id}` combines its children with `{aggregate}`, which takes no weights"
                    ),
                    "judge the children of a requirement whose aggregate is `weighted`",
                ));
                continue;
            }
            _ => {
                errors.push(bad(
                    format!("`{id}` is checked by a rule: it has no children to weigh"),
                    "judge the children of a composite requirement (see `labfit list requirements`)",
                ));
                continue;
            }
        };
        let mut items: Vec<(String, usize)> = children
            .iter()
            .filter_map(|&(c, _)| Some((graph.node(c)?.req.id.clone(), c)))
            .collect();
        items.sort();
        let names: Vec<String> = items.iter().map(|(n, _)| n.clone()).collect();
        if let Some(e) = not_children(id, j, &names) {
            errors.push(e);
            continue;
        }
        if let Some(r) = p
            .refs
            .iter()
            .find(|r| matches!(&r.what, RefWhat::Edge(pa, _) if pa == id))
        {
            if let RefWhat::Edge(pa, c) = &r.what {
                errors.push(ProfileError::Invalid {
                    location: r.location(),
                    message: format!("`{pa}/{c}` overrides an edge whose weight the judgements on `{id}`'s children give"),
                    hint: Some(format!("weigh `{id}`'s children one way: remove `{pa}/{c}`, or the judgements")),
                });
            }
            continue;
        }
        match judgements::derive(j, &names, &p.ahp) {
            Ok(d) => {
                for ((_, c), w) in items.iter().zip(&d.priorities.weights) {
                    out.push(((i, *c), *w));
                }
                p.weighting.nodes.insert(id.clone(), d);
            }
            Err(e) => errors.push(e),
        }
    }
    out
}

/// The first judgement that names something other than one of `parent`'s children.
fn not_children(parent: &str, j: &Judgements, children: &[String]) -> Option<ProfileError> {
    j.set.judgements().into_iter().find_map(|(_, jd)| {
        let stranger = [&jd.a, &jd.b].into_iter().find(|x| !children.contains(x))?;
        Some(ProfileError::Invalid {
            location: j.locate(Some((&jd.a, &jd.b))),
            message: format!(
                "judgement `{}` over `{}` names `{stranger}`, which is not a child of `{parent}`",
                jd.a, jd.b
            ),
            hint: did_you_mean(stranger, children.iter().map(String::as_str)).or_else(|| {
                Some(format!(
                    "the children of `{parent}`: {}",
                    children.join(", ")
                ))
            }),
        })
    })
}
