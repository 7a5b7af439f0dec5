//! What `labfit check` finds in profiles once they are bound to the graph: expired waivers,
//! parameters a reached rule reads that the profile does not set, and requirements no
//! profile reaches.

use std::collections::{BTreeMap, BTreeSet};

use crate::authoring::lint::scan::FileScan;
use crate::authoring::lint::{Collector, Scope};
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::input::diagnostic::Diagnostic;
use crate::input::source::{Location, SourceFile};
use crate::profile::RefWhat;
use crate::score::{reach, BoundProfile};

/// Checks the bound profiles the scope covers, and, when the built-in content is checked or
/// the files checked include a profile, which requirements the profiles leave unreached.
pub(super) fn check(
    graph: &Graph,
    scans: &BTreeMap<String, FileScan>,
    bound: &[(SourceFile, BoundProfile)],
    scope: &Scope,
    as_of: Date,
    c: &mut Collector,
) {
    for (f, b) in bound.iter().filter(|(f, _)| scope.covers(f.name())) {
        expired_waivers(b, as_of, scope, c);
        missing_params(graph, scans, f, b, as_of, c);
    }
    let user_profiles = bound.iter().any(|(f, _)| scope.names.contains(f.name()));
    if scope.user_mode && !user_profiles {
        return;
    }
    let mut reached = vec![false; graph.len()];
    for (_, b) in bound {
        let (r, _) = reach(graph, b, as_of);
        for (slot, hit) in reached.iter_mut().zip(r) {
            *slot |= hit;
        }
    }
    unreached(graph, &reached, scope, c);
}

fn expired_waivers(b: &BoundProfile, as_of: Date, scope: &Scope, c: &mut Collector) {
    for w in &b.profile.waivers {
        if w.expires >= as_of {
            continue;
        }
        let Some(r) = b
            .profile
            .refs
            .iter()
            .rev()
            .find(|r| matches!(&r.what, RefWhat::Waiver(id) if *id == w.id))
        else {
            continue;
        };
        if !scope.covers(r.file.name()) {
            continue;
        }
        let location = waiver_expiry_location(&r.file, &w.id, &w.expires.to_string())
            .unwrap_or_else(|| r.location());
        c.push(Diagnostic::warning(
            format!(
                "the waiver for `{}` expired on {}; it is ignored and the requirement is scored",
                w.id, w.expires
            ),
            Some(location),
            Some(format!(
                "review it with {}: renew it with a new `expires` date, or remove it",
                w.approved_by
            )),
        ));
    }
}

/// The position of a waiver's `expires` date: the first occurrence of the date after the
/// waiver's id, below `waivers:`.
fn waiver_expiry_location(file: &SourceFile, id: &str, date: &str) -> Option<Location> {
    let lines: Vec<&str> = file.text().lines().collect();
    let start = lines.iter().position(|l| l.starts_with("waivers:"))?;
    let at_id = (start..lines.len()).find(|&i| lines.get(i).is_some_and(|l| l.contains(id)))?;
    (at_id..lines.len()).find_map(|i| {
        let l = lines.get(i)?;
        let col = l.find(date)?;
        Some(file.location(i + 1, l.get(..col).map_or(0, |s| s.chars().count()) + 1))
    })
}

/// Parameters the checks a profile reaches read with `param("…")` that no parameter
/// vocabulary declares (so they have no default) and the profile does not set: each would
/// make its rule error at run time.
fn missing_params(
    graph: &Graph,
    scans: &BTreeMap<String, FileScan>,
    file: &SourceFile,
    b: &BoundProfile,
    as_of: Date,
    c: &mut Collector,
) {
    let (reached, waived) = reach(graph, b, as_of);
    // param → (requirement, where the rule reads it)
    let mut missing: BTreeMap<String, (usize, Location)> = BTreeMap::new();
    for (i, node) in graph.nodes().iter().enumerate() {
        if !reached.get(i).copied().unwrap_or(false) || waived.get(i).copied().unwrap_or(false) {
            continue;
        }
        let NodeKind::Leaf { rule } = node.kind else {
            continue;
        };
        let Some(check) = graph.checks().get(rule) else {
            continue;
        };
        let Some(s) = scans.get(&check.file) else {
            continue;
        };
        for (p, loc) in s.params_needed(&check.function) {
            if !b.profile.params.contains_key(&p) {
                missing.entry(p).or_insert((i, loc));
            }
        }
    }
    for (p, (i, read_at)) in missing {
        let Some(node) = graph.node(i) else { continue };
        let (location, via) = reacher_location(graph, file, b, i);
        c.push(Diagnostic::error(
            format!(
                "the check of `{}`{via} reads parameter `{p}`, which is not declared and profile `{}` does not set",
                node.req.id, b.profile.id
            ),
            Some(location),
            Some(format!(
                "declare `{p}` in a `labfit: parameters/v1` file (type, meaning, default, source), or set it under `params:` (the rule reads it at {read_at})"
            )),
        ));
    }
}

/// Where in the profile's own file the requirement at `target` is brought in: the framework
/// or must-have above it, else the `extends:` line, else the file's start.
fn reacher_location(
    graph: &Graph,
    file: &SourceFile,
    b: &BoundProfile,
    target: usize,
) -> (Location, String) {
    let tops = b
        .roots
        .iter()
        .map(|(i, _)| *i)
        .chain(b.gates.iter().map(|(i, _)| *i));
    for top in tops {
        if !descends(graph, top, target) {
            continue;
        }
        let Some(id) = graph.node(top).map(|n| n.req.id.clone()) else {
            continue;
        };
        let via = if top == target {
            String::new()
        } else {
            format!(" (under `{id}`)")
        };
        let own = b.profile.refs.iter().find(|r| {
            r.file.name() == file.name()
                && matches!(&r.what, RefWhat::Framework(x) | RefWhat::Gate(x) if *x == id)
        });
        if let Some(r) = own {
            return (r.location(), via);
        }
        let extends = file
            .text()
            .lines()
            .position(|l| l.starts_with("extends:"))
            .map(|i| file.location(i + 1, 1));
        return (extends.unwrap_or_else(|| file.location(1, 1)), via);
    }
    (file.location(1, 1), String::new())
}

fn descends(graph: &Graph, from: usize, target: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if i == target {
            return true;
        }
        if !seen.insert(i) {
            continue;
        }
        if let Some(NodeKind::Composite { children, .. }) = graph.node(i).map(|n| &n.kind) {
            stack.extend(children.iter().map(|(c, _)| *c));
        }
    }
    false
}

/// Warns about requirements no profile reaches, once per unreached subgraph (at its top).
fn unreached(graph: &Graph, reached: &[bool], scope: &Scope, c: &mut Collector) {
    let open = |i: usize| {
        !reached.get(i).copied().unwrap_or(true)
            && graph.node(i).is_some_and(|n| scope.covers(n.req.file()))
    };
    for (i, node) in graph.nodes().iter().enumerate() {
        if !open(i) || graph.parents(i).iter().any(|&p| open(p)) {
            continue;
        }
        let mut below = BTreeSet::new();
        let mut stack = vec![i];
        while let Some(j) = stack.pop() {
            if !below.insert(j) {
                continue;
            }
            if let Some(NodeKind::Composite { children, .. }) = graph.node(j).map(|n| &n.kind) {
                stack.extend(children.iter().map(|(x, _)| *x).filter(|&x| open(x)));
            }
        }
        let more = below.len().saturating_sub(1);
        let whom = if scope.user_mode {
            "any profile checked"
        } else {
            "any built-in profile"
        };
        let message = if more == 0 {
            format!("requirement `{}` is not reached by {whom}", node.req.id)
        } else {
            format!(
                "requirement `{}` and the {more} requirement{} under it are not reached by {whom}",
                node.req.id,
                if more == 1 { "" } else { "s" }
            )
        };
        c.push(Diagnostic::warning(
            message,
            Some(node.req.location().clone()),
            Some("add it (or a framework above it) to a profile's `frameworks`, list it as a child of a requirement a profile uses, or remove it".into()),
        ));
    }
}
