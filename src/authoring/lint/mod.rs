//! `labfit check`: every problem in a set of rule packs, profiles, evidence and test files,
//! found without scoring anything. Loading stops at the first error of a file; checking does
//! not: each file is loaded on its own, the graph is repaired (a dangling edge dropped, a
//! cycle cut) so that the cross-file checks still run, and the lint-level findings (unused
//! rules, unreached requirements, missing parameters, expired waivers) are added as warnings
//! or errors. The result is a list of [`Diagnostic`]s; printing is the caller's business.

mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::authoring::testing;
use crate::engine::error::Error;
use crate::engine::{builtin_files, dir_of, leaf_errors, Engine};
use crate::evidence::vocabulary::{FactType, Vocabulary};
use crate::evidence::Evidence;
use crate::graph::catalog::{self, Body, Requirement};
use crate::graph::error::GraphError;
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::input::diagnostic::{Diagnostic, Level};
use crate::input::error::did_you_mean;
use crate::input::kind::{classify, Classified, FileKind};
use crate::input::source::{display_path, Location, SourceFile};
use crate::input::yaml;
use crate::profile::params::ParamVocabulary;
use crate::profile::RefWhat;
use crate::rules::{Limits, RuleSet};
use crate::score::{reach, BoundProfile};

/// What a check found.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Every finding, sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were checked.
    pub files: usize,
}

impl Checked {
    /// Findings of one severity.
    pub fn count(&self, severity: Level) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Reads the files to check: each path is a file, or a directory searched recursively for
/// `*.yaml`, `*.yml` and `*.rhai` (hidden entries skipped). Unreadable paths become findings.
pub fn read_paths(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut found);
        } else {
            found.push(p.clone());
        }
    }
    let mut files: Vec<SourceFile> = Vec::new();
    let mut seen = BTreeSet::new();
    for p in found {
        if !seen.insert(display_path(&p)) {
            continue;
        }
        match SourceFile::read(&p) {
            Ok(f) => files.push(f),
            Err(e) => diags.push(e.diagnostic()),
        }
    }
    (files, diags)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if e.is_dir() {
            walk(&e, out);
        } else if matches!(
            e.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "rhai")
        ) {
            out.push(e);
        }
    }
}

/// Checks the files and directories given (see [`read_paths`]) on top of the built-in content;
/// unreadable paths are findings, and so is a set of paths that holds no labfit file.
pub fn check_paths(paths: &[PathBuf], as_of: Date) -> Checked {
    let (files, unreadable) = read_paths(paths);
    if files.is_empty() {
        let mut diagnostics = unreadable;
        if diagnostics.is_empty() {
            diagnostics.push(Diagnostic::error(
                "found no `.yaml`, `.yml` or `.rhai` file to check",
                None,
                Some("give rule pack directories, profiles, evidence or rule test files; with no path, `labfit check` checks the built-in content".into()),
            ));
        }
        return Checked {
            diagnostics,
            files: 0,
        };
    }
    let mut c = check_files(files, as_of);
    c.diagnostics.splice(0..0, unreadable);
    c
}

/// Checks the built-in content (rules, profiles, provider evidence, rule tests).
pub fn check_builtin(as_of: Date) -> Checked {
    check_files(Vec::new(), as_of)
}

/// What kind of input a file is, from its extension and `labfit:` header.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Vocabulary,
    Parameters,
    Catalog,
    Profile,
    Evidence,
    Tests,
    Rhai,
    Other(String),
    NoHeader,
}

fn kind_of(f: &SourceFile) -> Kind {
    match classify(f) {
        Classified::Known(FileKind::Vocabulary) => Kind::Vocabulary,
        Classified::Known(FileKind::Parameters) => Kind::Parameters,
        Classified::Known(FileKind::Catalog) => Kind::Catalog,
        Classified::Known(FileKind::Profile) => Kind::Profile,
        Classified::Known(FileKind::Evidence) => Kind::Evidence,
        Classified::Known(FileKind::RuleTests) => Kind::Tests,
        Classified::Known(FileKind::Rules) => Kind::Rhai,
        Classified::Unknown(k) => Kind::Other(k),
        Classified::NoHeader { .. } => Kind::NoHeader,
    }
}

const KINDS: [&str; 5] = [
    FileKind::Vocabulary.header(),
    FileKind::Catalog.header(),
    FileKind::Profile.header(),
    FileKind::Evidence.header(),
    FileKind::RuleTests.header(),
];

/// Checks `user` files on top of the built-in content (a user file with the name of a
/// built-in one, such as `rules/controls.yaml` in a checkout, replaces it). With no user
/// files, checks the built-in content itself. Warnings are reported only for the files being
/// checked; errors wherever they are.
pub fn check_files(user: Vec<SourceFile>, as_of: Date) -> Checked {
    let user_mode = !user.is_empty();
    let user_names: BTreeSet<String> = user.iter().map(|f| f.name().to_owned()).collect();
    let builtin_names: BTreeSet<&str> = builtin_files().iter().map(|(p, _)| *p).collect();
    let mut all: Vec<SourceFile> = builtin_files()
        .iter()
        .filter(|(p, _)| !user_names.contains(*p))
        .map(|(p, t)| SourceFile::builtin(p, t))
        .collect();
    all.extend(user.iter().cloned());
    let in_scope = |name: &str| !user_mode || user_names.contains(name);
    let pack_of = |f: &SourceFile| -> String {
        if f.is_builtin() || builtin_names.contains(f.name()) {
            "builtin".to_owned()
        } else {
            let d = dir_of(f.name());
            if d.is_empty() {
                ".".to_owned()
            } else {
                d
            }
        }
    };
    let mut c = Collector::default();
    let files_checked = if user_mode { user.len() } else { all.len() };

    let by_kind =
        |k: Kind| -> Vec<&SourceFile> { all.iter().filter(|f| kind_of(f) == k).collect() };

    // Files of no known kind.
    for f in &all {
        match kind_of(f) {
            Kind::Other(k) => c.push(Diagnostic::error(
                format!("`labfit: {k}` is not a kind of labfit file"),
                Some(header_location(f)),
                Some(
                    did_you_mean(&k, KINDS)
                        .unwrap_or_else(|| format!("the kinds are {}", KINDS.join(", "))),
                ),
            )),
            Kind::NoHeader => c.push(Diagnostic::error(
                "missing the `labfit: KIND/v1` header",
                Some(f.location(1, 1)),
                Some(format!(
                    "start the file with one of: {}",
                    KINDS.map(|k| format!("`labfit: {k}`")).join(", ")
                )),
            )),
            _ => {}
        }
    }

    // The vocabulary: built-in first, then packs, later keys replacing earlier ones.
    let mut vocab = Vocabulary::default();
    for f in by_kind(Kind::Vocabulary) {
        match Vocabulary::parse(f) {
            Ok(v) => {
                vocab.merge(v);
            }
            Err(e) => c.error(&e.into()),
        }
    }
    let vocab = Arc::new(vocab);
    // The parameter vocabulary, merged the same way: profiles are checked against it.
    let mut params = ParamVocabulary::default();
    for f in by_kind(Kind::Parameters) {
        match ParamVocabulary::parse(f) {
            Ok(p) => {
                params.merge(p);
            }
            Err(e) => c.error(&e.into()),
        }
    }

    // Catalogs, one file at a time, merged pack by pack as the engine does.
    let mut packs: BTreeMap<(bool, String), Vec<Requirement>> = BTreeMap::new();
    let mut catalog_files: BTreeMap<String, SourceFile> = BTreeMap::new();
    for f in by_kind(Kind::Catalog) {
        let pack = pack_of(f);
        match catalog::parse(f, &pack, &dir_of(f.name())) {
            Ok(rs) => {
                catalog_files.insert(f.name().to_owned(), f.clone());
                packs
                    .entry((pack != "builtin", pack))
                    .or_default()
                    .extend(rs);
            }
            Err(e) => {
                c.error(&e.into());
                // Keep what can be read, so references to it are not reported as unknown too.
                catalog_files.insert(f.name().to_owned(), f.clone());
                let salvaged = catalog::salvage(f, &pack, &dir_of(f.name()));
                packs
                    .entry((pack != "builtin", pack))
                    .or_default()
                    .extend(salvaged);
            }
        }
    }
    let mut reqs: Vec<Requirement> = Vec::new();
    for (_, list) in packs {
        let mut here: BTreeSet<String> = BTreeSet::new();
        for r in list {
            if here.insert(r.id.clone()) {
                if let Some(pos) = reqs.iter().position(|o| o.id == r.id) {
                    let old = reqs.remove(pos);
                    if in_scope(r.file()) {
                        c.push(Diagnostic::warning(
                            format!(
                                "requirement `{}` overrides the one in `{}`",
                                r.id,
                                old.file()
                            ),
                            Some(r.location().clone()),
                            Some(format!(
                                "reports will use this definition instead of {}; rename it if it is meant to be a new requirement",
                                old.location()
                            )),
                        ));
                    }
                }
            }
            reqs.push(r);
        }
    }

    let graph = build_repaired(reqs, &catalog_files, &mut c);

    // Rules: compile errors, then what each file reads.
    let rule_files: Vec<(String, SourceFile)> = by_kind(Kind::Rhai)
        .into_iter()
        .map(|f| (f.name().to_owned(), f.clone()))
        .collect();
    let rules = RuleSet::compile(rule_files.clone(), Limits::DEFAULT);
    let mut scans: BTreeMap<String, scan::FileScan> = BTreeMap::new();
    for (name, f) in &rule_files {
        if let Some(e) = rules.compile_error(name) {
            c.push(Diagnostic::error(
                format!("the rule file does not compile: {}", lower_first(&e.message)),
                Some(e.location.clone()),
                Some("Rhai syntax: a check is `fn name() { … }` ending in pass(), fail(), partial(), unknown() or not_applicable(); see docs/writing-rules.md".into()),
            ));
            continue;
        }
        scans.insert(name.clone(), scan::scan(f));
    }
    if !vocab.is_empty() {
        for (name, s) in &scans {
            if !in_scope(name) {
                continue;
            }
            for func in s.functions.values() {
                for (key, loc) in &func.facts {
                    match vocab.get(key) {
                        None => c.push(Diagnostic::error(
                            format!("`{}` reads fact `{key}`, which is not in the vocabulary", func.name),
                            Some(loc.clone()),
                            Some(did_you_mean(key, vocab.keys()).unwrap_or_else(|| {
                                "add the key to a `labfit: vocabulary/v1` file in the pack (see `labfit list facts` for the known keys)".into()
                            })),
                        )),
                        // Any non-empty text would pass: a provider's "no" could not be recorded.
                        Some(spec) if spec.ty == FactType::Text => c.push(Diagnostic::warning(
                            format!("`{}` reads text fact `{key}`; a rule decides on typed facts (text is a note)", func.name),
                            Some(loc.clone()),
                            Some("read a bool, number, enum, date or list fact instead, so that a \"no\" can fail; keep text as a note or mark the fact `informational: true`".into()),
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }

    let Some(graph) = graph else {
        // Without a graph nothing else can be checked reliably; evidence still can.
        check_evidence(&all, &vocab, &in_scope, &mut c);
        return c.finish(files_checked);
    };
    for e in leaf_errors(&graph, &rules) {
        c.error(&e);
    }

    // Rules no requirement uses.
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for check in graph.checks() {
        if let Some(s) = scans.get(&check.file) {
            for f in s.reachable(&check.function) {
                used.insert((check.file.clone(), f.name.clone()));
            }
        }
    }
    for (name, s) in &scans {
        if !in_scope(name) {
            continue;
        }
        for f in s.functions.values() {
            if !used.contains(&(name.clone(), f.name.clone())) {
                let file = name.rsplit('/').next().unwrap_or(name);
                c.push(Diagnostic::warning(
                    format!("function `{}` is not used by any requirement", f.name),
                    Some(f.location.clone()),
                    Some(format!(
                        "check it from a leaf requirement with `check: {file}::{}`, call it from a check, or remove it",
                        f.name
                    )),
                ));
            }
        }
    }

    let mut engine = Engine::from_parts(vocab.clone(), graph, rules, &all).with_params(params);
    // As with `--rules`, profiles and evidence outside the built-in layout resolve by file stem.
    let outside = |k: Kind| -> Vec<SourceFile> {
        user.iter()
            .filter(|f| kind_of(f) == k && !builtin_names.contains(f.name()))
            .filter(|f| {
                !f.name().starts_with("profiles/") && !f.name().starts_with("examples/providers/")
            })
            .cloned()
            .collect()
    };
    engine.add_pack_files(
        outside(Kind::Profile),
        outside(Kind::Evidence),
        &mut Vec::new(),
    );
    let graph = engine.graph();

    // Profiles.
    let mut bound: Vec<(SourceFile, BoundProfile)> = Vec::new();
    for f in by_kind(Kind::Profile) {
        match engine.bind_profile_lenient(f.clone()) {
            Ok((b, errors)) => {
                for e in &errors {
                    c.error(e);
                }
                bound.push((f.clone(), b));
            }
            Err(e) => c.error(&e),
        }
    }
    for (f, b) in &bound {
        if !in_scope(f.name()) {
            continue;
        }
        expired_waivers(b, as_of, &in_scope, &mut c);
        missing_params(graph, &scans, f, b, as_of, &mut c);
    }

    // Requirements no profile reaches.
    let user_profiles = bound.iter().any(|(f, _)| user_names.contains(f.name()));
    if !user_mode || user_profiles {
        let mut reached = vec![false; graph.len()];
        for (_, b) in &bound {
            let (r, _) = reach(graph, b, as_of);
            for (slot, hit) in reached.iter_mut().zip(r) {
                *slot |= hit;
            }
        }
        unreached(graph, &reached, &in_scope, user_mode, &mut c);
    }

    check_evidence(&all, &vocab, &in_scope, &mut c);
    for f in by_kind(Kind::Tests) {
        if in_scope(f.name()) {
            for e in testing::check_file(&engine, f) {
                c.error(&e);
            }
        }
    }
    c.finish(files_checked)
}

#[derive(Default)]
struct Collector {
    diags: Vec<Diagnostic>,
}

impl Collector {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn error(&mut self, e: &Error) {
        self.diags.extend(e.diagnostics());
    }

    fn finish(mut self, files: usize) -> Checked {
        self.diags.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file().to_owned(), l.line(), l.col()))
            };
            key(a)
                .cmp(&key(b))
                .then(a.severity.cmp(&b.severity))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.diags.dedup();
        Checked {
            diagnostics: self.diags,
            files,
        }
    }
}

fn header_location(f: &SourceFile) -> Location {
    match yaml::header(f.text()) {
        Some((_, line)) => {
            let col = f
                .text()
                .lines()
                .nth(line.saturating_sub(1))
                .and_then(|l| l.find("labfit:"))
                .map_or(1, |c| c + 1);
            f.location(line, col)
        }
        None => f.location(1, 1),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds the graph, and while it fails, records the errors and repairs what they name (a
/// duplicate dropped, a dangling edge removed, a cycle cut at the edge that closes it), so
/// that every problem is found in one run. `None` when a failure cannot be repaired.
fn build_repaired(
    mut reqs: Vec<Requirement>,
    files: &BTreeMap<String, SourceFile>,
    c: &mut Collector,
) -> Option<Graph> {
    // Each round removes at least one requirement or edge, so this many rounds always suffice.
    let rounds = reqs.len()
        + reqs
            .iter()
            .map(|r| match &r.body {
                Body::Composite { children, .. } => children.len(),
                Body::Leaf(_) => 0,
            })
            .sum::<usize>()
        + 1;
    for _ in 0..rounds {
        let errors = match Graph::build(reqs.clone(), files) {
            Ok(g) => return Some(g),
            Err(list) => list.into_iter().map(Error::from).collect::<Vec<Error>>(),
        };
        let mut repaired = false;
        for e in &errors {
            c.error(e);
            let Error::Graph(g) = e else { continue };
            match g.as_ref() {
                GraphError::DuplicateId { location, id, .. } => {
                    if let Some(pos) = reqs
                        .iter()
                        .position(|r| &r.id == id && r.location() == location)
                    {
                        reqs.remove(pos);
                        repaired = true;
                    }
                }
                GraphError::UnknownChild { parent, child, .. } => {
                    repaired |= remove_edge(&mut reqs, parent, child);
                }
                GraphError::Cycle { cycle, .. } => {
                    let n = cycle.len();
                    if let (Some(a), Some(b)) =
                        (n.checked_sub(2).and_then(|i| cycle.get(i)), cycle.last())
                    {
                        repaired |= remove_edge(&mut reqs, a, b);
                    }
                }
                _ => {}
            }
        }
        if !repaired {
            return None;
        }
    }
    None
}

fn remove_edge(reqs: &mut [Requirement], parent: &str, child: &str) -> bool {
    for r in reqs.iter_mut().filter(|r| r.id == parent) {
        if let Body::Composite { children, .. } = &mut r.body {
            let before = children.len();
            children.retain(|(c, _)| c != child);
            if children.len() < before {
                return true;
            }
        }
    }
    false
}

fn check_evidence(
    all: &[SourceFile],
    vocab: &Arc<Vocabulary>,
    in_scope: &dyn Fn(&str) -> bool,
    c: &mut Collector,
) {
    for f in all.iter().filter(|f| kind_of(f) == Kind::Evidence) {
        if in_scope(f.name()) {
            if let Err(e) = Evidence::parse(f, vocab) {
                c.error(&e.into());
            }
        }
    }
}

fn expired_waivers(
    b: &BoundProfile,
    as_of: Date,
    in_scope: &dyn Fn(&str) -> bool,
    c: &mut Collector,
) {
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
        if !in_scope(r.file.name()) {
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

/// Parameters the checks a profile reaches read with `param("…")` that the profile does not
/// set: each would make its rule error at run time.
fn missing_params(
    graph: &Graph,
    scans: &BTreeMap<String, scan::FileScan>,
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
                "profile `{}` sets no parameter `{p}`, which the check of `{}`{via} reads",
                b.profile.id, node.req.id
            ),
            Some(location),
            Some(format!(
                "add `{p}: {{value: …, source: \"…\"}}` under `params:` (the rule reads it at {read_at})"
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
fn unreached(
    graph: &Graph,
    reached: &[bool],
    in_scope: &dyn Fn(&str) -> bool,
    user_mode: bool,
    c: &mut Collector,
) {
    let open = |i: usize| {
        !reached.get(i).copied().unwrap_or(true)
            && graph.node(i).is_some_and(|n| in_scope(n.req.file()))
    };
    for (i, node) in graph.nodes().iter().enumerate() {
        if !open(i) || graph.parents(i).into_iter().any(open) {
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
        let whom = if user_mode {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_content_is_clean() {
        let checked = check_builtin(Date::new(2026, 1, 1).unwrap());
        let shown: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.render(false))
            .collect();
        assert!(shown.is_empty(), "{}", shown.join("\n"));
        assert!(checked.files > 40, "{}", checked.files);
    }

    #[test]
    fn a_check_that_reads_a_text_fact_is_warned_where_it_reads_it() {
        let vocab = SourceFile::from_text(
            "pack/vocabulary.yaml",
            "labfit: vocabulary/v1\nfacts:\n  pack.policy:\n    type: text\n    meaning: m\n    question: q09\n    ask: Do you?\n",
        );
        let rules = SourceFile::from_text(
            "pack/pack.rhai",
            "/// pack.x: a check.\nfn x() {\n    let f = fact(\"pack.policy\");\n    if f.known { pass() } else { unknown() }\n}\n",
        );
        let checked = check_files(vec![vocab, rules], Date::new(2026, 1, 1).unwrap());
        let w: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("text fact"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", checked.diagnostics);
        assert_eq!(w[0].severity, Level::Warning);
        assert_eq!(
            w[0].message,
            "`x` reads text fact `pack.policy`; a rule decides on typed facts (text is a note)"
        );
        let at = w[0].location.as_ref().unwrap();
        assert_eq!((at.file(), at.line(), at.col()), ("pack/pack.rhai", 3, 18));
    }
}
