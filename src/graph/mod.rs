//! The requirement graph: a petgraph DAG built from every catalog file and validated (unique
//! ids, existing children, no cycles) before any rule runs; scoring then walks a precomputed
//! topological order over plain indices.

pub mod catalog;
pub mod error;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use self::catalog::{Aggregate, Body, CheckRef, Requirement};
use crate::graph::error::GraphError;
use crate::input::error::did_you_mean;
use crate::input::source::SourceFile;

/// A node: the requirement and how it evaluates.
#[derive(Clone, Debug)]
pub struct Node {
    /// The requirement as written.
    pub req: Requirement,
    /// Leaf or composite, with indices.
    pub kind: NodeKind,
    /// The requirement's id, shared: every report names the node, and a clone of this is a
    /// count, not a copy.
    pub id: Arc<str>,
    /// Its title, shared the same way.
    pub title: Arc<str>,
    /// Its citation, shared.
    pub citation: Option<Arc<str>>,
    /// Its guide questions, shared.
    pub questions: Arc<[String]>,
    /// The pack it comes from, shared.
    pub pack: Arc<str>,
}

/// Evaluation shape of a node.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// Checked by rule `rule` (an index into [`Graph::checks`]).
    Leaf {
        /// Index of the check.
        rule: usize,
    },
    /// Combines children.
    Composite {
        /// How.
        aggregate: Aggregate,
        /// (child index, edge weight), sorted by child id.
        children: Vec<(usize, f64)>,
    },
}

/// A validated requirement DAG (the default one is empty).
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    topo: Vec<usize>,
    checks: Vec<Check>,
    /// Per node, its parents, sorted: walking up from a leaf (a question's lift) visits its
    /// ancestors only, and no report builds this again.
    parents: Vec<Vec<usize>>,
    /// Per node, its place in `topo`.
    rank: Vec<usize>,
    /// Per check, `file::function` as reports name it.
    check_names: Vec<Arc<str>>,
}

/// A distinct rule function, with its file resolved within its pack.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Check {
    /// Pack-relative path of the Rhai file, e.g. `rules/hipaa.rhai`.
    pub file: String,
    /// Function name.
    pub function: String,
}

impl Graph {
    /// Builds and validates the graph. `files` maps catalog file names to their text, for
    /// positions in errors.
    pub fn build(
        reqs: Vec<Requirement>,
        files: &BTreeMap<String, SourceFile>,
    ) -> Result<Graph, Vec<GraphError>> {
        let mut reqs = reqs;
        reqs.sort_by(|a, b| a.id.cmp(&b.id));
        let mut errors: Vec<GraphError> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::with_capacity(reqs.len());
        let mut kept: Vec<Requirement> = Vec::with_capacity(reqs.len());
        for r in reqs {
            if let Some(&first) = index.get(&r.id) {
                let first_loc = kept
                    .get(first)
                    .map(|f| f.location().clone())
                    .unwrap_or_else(|| r.location().clone());
                errors.push(GraphError::DuplicateId {
                    location: r.location().clone(),
                    id: r.id.clone(),
                    first: first_loc,
                });
                continue;
            }
            index.insert(r.id.clone(), kept.len());
            kept.push(r);
        }

        let mut checks: BTreeMap<Check, usize> = BTreeMap::new();
        let mut nodes: Vec<Node> = Vec::with_capacity(kept.len());
        for r in kept {
            let kind = match &r.body {
                Body::Leaf(c) => {
                    let check = resolve_check(&r, c);
                    let n = checks.len();
                    let rule = *checks.entry(check).or_insert(n);
                    NodeKind::Leaf { rule }
                }
                Body::Composite {
                    aggregate,
                    children,
                } => {
                    let mut out = Vec::with_capacity(children.len());
                    for (child, w) in children {
                        match index.get(child) {
                            Some(&i) => out.push((i, *w)),
                            None => {
                                let location = files
                                    .get(r.file())
                                    .map(|f| catalog::locate_child(f, child))
                                    .unwrap_or_else(|| r.location().clone());
                                let hint = did_you_mean(child, index.keys().map(String::as_str))
                                    .or_else(|| {
                                        Some("define the requirement, or remove the child".into())
                                    });
                                errors.push(GraphError::UnknownChild {
                                    location,
                                    parent: r.id.clone(),
                                    child: child.clone(),
                                    hint,
                                });
                            }
                        }
                    }
                    NodeKind::Composite {
                        aggregate: *aggregate,
                        children: out,
                    }
                }
            };
            nodes.push(Node {
                id: Arc::from(r.id.as_str()),
                title: Arc::from(r.title.as_str()),
                citation: r.citation.as_deref().map(Arc::from),
                questions: Arc::from(r.questions.as_slice()),
                pack: Arc::from(r.pack.as_str()),
                req: r,
                kind,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        // Checks are numbered in order of first use; renumber them in sorted order so the
        // numbering does not depend on file order.
        let order: Vec<Check> = checks.keys().cloned().collect();
        let remap: HashMap<usize, usize> = checks
            .values()
            .enumerate()
            .map(|(sorted, &first)| (first, sorted))
            .collect();
        for n in &mut nodes {
            if let NodeKind::Leaf { rule } = &mut n.kind {
                if let Some(&r) = remap.get(rule) {
                    *rule = r;
                }
            }
        }

        let topo = topo_order(&nodes, files).map_err(|e| vec![e])?;
        let (parents, rank) = upwards(&nodes, &topo);
        let check_names = order
            .iter()
            .map(|c| Arc::from(format!("{}::{}", c.file, c.function)))
            .collect();
        Ok(Graph {
            nodes,
            index,
            topo,
            checks: order,
            parents,
            rank,
            check_names,
        })
    }

    /// All nodes, sorted by id.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node at an index.
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    /// The index of a requirement id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Every requirement id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.req.id.as_str())
    }

    /// Node indices with every child before its parents.
    pub fn topo(&self) -> &[usize] {
        &self.topo
    }

    /// Distinct checks, sorted; `NodeKind::Leaf::rule` indexes this.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The indices of the parents of a node, sorted.
    pub fn parents(&self, i: usize) -> &[usize] {
        self.parents.get(i).map_or(&[], Vec::as_slice)
    }

    /// A node's place in [`Graph::topo`] (0 for an index out of range).
    pub fn rank(&self, i: usize) -> usize {
        self.rank.get(i).copied().unwrap_or(0)
    }

    /// A check as reports name it, `file::function`.
    pub fn check_name(&self, rule: usize) -> Option<&Arc<str>> {
        self.check_names.get(rule)
    }
}

/// Each node's parents (sorted) and its place in the topological order.
fn upwards(nodes: &[Node], topo: &[usize]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut parents = vec![Vec::new(); nodes.len()];
    for (p, node) in nodes.iter().enumerate() {
        if let NodeKind::Composite { children, .. } = &node.kind {
            for &(c, _) in children {
                if let Some(list) = parents.get_mut(c) {
                    // Parents are visited in order, so a repeat is the last one pushed.
                    if list.last() != Some(&p) {
                        list.push(p);
                    }
                }
            }
        }
    }
    let mut rank = vec![0; nodes.len()];
    for (k, &i) in topo.iter().enumerate() {
        if let Some(r) = rank.get_mut(i) {
            *r = k;
        }
    }
    (parents, rank)
}

/// `file.rhai` in a check is relative to the catalog file's directory in its pack.
fn resolve_check(r: &Requirement, c: &CheckRef) -> Check {
    let file = if r.dir.is_empty() {
        c.file.clone()
    } else {
        format!("{}/{}", r.dir, c.file)
    };
    Check {
        file,
        function: c.function.clone(),
    }
}

fn topo_order(
    nodes: &[Node],
    files: &BTreeMap<String, SourceFile>,
) -> Result<Vec<usize>, GraphError> {
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), nodes.len() * 2);
    let idx: Vec<NodeIndex> = (0..nodes.len()).map(|i| g.add_node(i)).collect();
    for (p, n) in nodes.iter().enumerate() {
        if let NodeKind::Composite { children, .. } = &n.kind {
            for (c, _) in children {
                if let (Some(&pi), Some(&ci)) = (idx.get(p), idx.get(*c)) {
                    g.add_edge(pi, ci, ());
                }
            }
        }
    }
    // tarjan_scc yields components in reverse topological order (children first) and finds
    // every cycle, so one pass gives both the order and, if any, a cycle to name.
    let sccs = tarjan_scc(&g);
    let mut order = Vec::with_capacity(nodes.len());
    for scc in &sccs {
        let self_loop = scc.len() == 1 && scc.first().is_some_and(|&n| g.contains_edge(n, n));
        if scc.len() > 1 || self_loop {
            let members: Vec<usize> = scc
                .iter()
                .filter_map(|n| g.node_weight(*n).copied())
                .collect();
            return Err(cycle_error(nodes, &members, files));
        }
        order.extend(scc.iter().filter_map(|n| g.node_weight(*n).copied()));
    }
    Ok(order)
}

/// Names one cycle inside a strongly connected component, starting from its smallest id, and
/// points at the edge that closes it.
fn cycle_error(
    nodes: &[Node],
    members: &[usize],
    files: &BTreeMap<String, SourceFile>,
) -> GraphError {
    let in_scc = |i: usize| members.contains(&i);
    let start = members.iter().copied().min().unwrap_or(0);
    let mut path = vec![start];
    let mut cur = start;
    // Follow the smallest in-component child until a node repeats; within an SCC every node
    // has such a child, so this ends within |SCC| steps.
    for _ in 0..=members.len() {
        let next = match nodes.get(cur).map(|n| &n.kind) {
            Some(NodeKind::Composite { children, .. }) => children
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| in_scc(*c))
                .min(),
            _ => None,
        };
        let Some(next) = next else { break };
        if let Some(pos) = path.iter().position(|&p| p == next) {
            path.drain(..pos);
            path.push(next);
            break;
        }
        path.push(next);
        cur = next;
    }
    let ids: Vec<String> = path
        .iter()
        .filter_map(|&i| nodes.get(i).map(|n| n.req.id.clone()))
        .collect();
    let n = path.len();
    let (closer, target) = (path.get(n.saturating_sub(2)).copied(), path.last().copied());
    let location = match (
        closer.and_then(|c| nodes.get(c)),
        target.and_then(|t| nodes.get(t)),
    ) {
        (Some(c), Some(t)) => files
            .get(c.req.file())
            .map(|f| catalog::locate_child(f, &t.req.id))
            .unwrap_or_else(|| c.req.location().clone()),
        _ => nodes
            .get(start)
            .map(|n| n.req.location().clone())
            .unwrap_or_else(|| crate::input::source::Location::file_start("catalog")),
    };
    GraphError::Cycle {
        location,
        cycle: ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<Graph, String> {
        let f = SourceFile::from_text(
            "c.yaml",
            format!("labfit: catalog/v1\nrequirements:\n{text}"),
        );
        let reqs = catalog::parse(&f, "builtin", "rules").map_err(|e| e.to_string())?;
        let files = BTreeMap::from([("c.yaml".to_string(), f)]);
        Graph::build(reqs, &files).map_err(|e| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    #[test]
    fn orders_children_first_and_shares_nodes() {
        let g = build(
            "  - {id: root, title: R, children: {a: 1, b: 1}}\n  - {id: a, title: A, children: {shared: 1}}\n  - {id: b, title: B, children: {shared: 2}}\n  - {id: shared, title: S, check: s.rhai::f}\n",
        )
        .unwrap();
        let pos = |id: &str| {
            g.topo()
                .iter()
                .position(|&i| i == g.find(id).unwrap())
                .unwrap()
        };
        assert!(pos("shared") < pos("a") && pos("a") < pos("root") && pos("b") < pos("root"));
        assert_eq!(
            g.checks(),
            &[Check {
                file: "rules/s.rhai".into(),
                function: "f".into()
            }]
        );
        // Parents, ranks and check names are kept with the graph for every report to use.
        let at = |id: &str| g.find(id).unwrap();
        assert_eq!(g.parents(at("shared")), [at("a"), at("b")]);
        assert_eq!(g.parents(at("a")), [at("root")]);
        assert!(g.parents(at("root")).is_empty() && g.parents(99).is_empty());
        for id in ["root", "a", "b", "shared"] {
            assert_eq!(g.rank(at(id)), pos(id), "{id}");
        }
        assert_eq!(g.check_name(0).map(|c| &**c), Some("rules/s.rhai::f"));
        assert_eq!(g.check_name(1), None);
        let shared = g.node(at("shared")).unwrap();
        assert_eq!(
            (&*shared.id, &*shared.title, &*shared.pack),
            ("shared", "S", &*shared.req.pack)
        );
    }

    #[test]
    fn names_cycles_and_dangling_children() {
        let e = build(
            "  - {id: a, title: A, children: {b: 1}}\n  - {id: b, title: B, children: {c: 1}}\n  - {id: c, title: C, children: {a: 1, d: 1}}\n  - {id: d, title: D, check: s.rhai::f}\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "c.yaml:5:34: requirements form a cycle: a -> b -> c -> a"
        );
        let e = build("  - {id: a, title: A, children: {a: 1}}\n").unwrap_err();
        assert_eq!(e, "c.yaml:3:34: requirements form a cycle: a -> a");
        let e = build(
            "  - {id: a, title: A, children: {bb: 1}}\n  - {id: b, title: B, check: s.rhai::f}\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "c.yaml:3:34: `a` lists child `bb`, which is not a requirement"
        );
    }
}
