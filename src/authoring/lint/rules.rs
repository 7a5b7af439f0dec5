//! What `labfit check` finds in the Rhai files without running them: files that do not
//! compile, literal fact keys the vocabulary lacks, and functions no requirement uses.

use std::collections::{BTreeMap, BTreeSet};

use crate::authoring::lint::scan::{self, FileScan};
use crate::authoring::lint::{Collector, Scope};
use crate::engine::Engine;
use crate::evidence::vocabulary::FactType;
use crate::graph::Graph;
use crate::input::diagnostic::Diagnostic;
use crate::input::error::did_you_mean;
use crate::input::source::SourceFile;

/// Reports the rule files that do not compile and the unknown fact keys the others read;
/// returns what each compiled file reads, by file name.
pub(super) fn check(
    engine: &Engine,
    files: &[SourceFile],
    scope: &Scope,
    c: &mut Collector,
) -> BTreeMap<String, FileScan> {
    let mut scans = BTreeMap::new();
    for f in files {
        if let Some(e) = engine.rules().compile_error(f.name()) {
            c.push(Diagnostic::error(
                format!("the rule file does not compile: {}", lower_first(&e.message)),
                Some(e.location.clone()),
                Some("Rhai syntax: a check is `fn name() { … }` ending in pass(), fail(), partial(), unknown() or not_applicable(); see docs/writing-rules.md".into()),
            ));
            continue;
        }
        scans.insert(f.name().to_owned(), scan::scan(f));
    }
    let vocab = engine.vocabulary();
    if vocab.is_empty() {
        return scans;
    }
    for (_, s) in scans.iter().filter(|(name, _)| scope.covers(name)) {
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
    scans
}

/// Warns about the functions no requirement's check uses, directly or through the functions
/// it calls.
pub(super) fn unused_functions(
    graph: &Graph,
    scans: &BTreeMap<String, FileScan>,
    scope: &Scope,
    c: &mut Collector,
) {
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for check in graph.checks() {
        if let Some(s) = scans.get(&check.file) {
            for f in s.reachable(&check.function) {
                used.insert((check.file.clone(), f.name.clone()));
            }
        }
    }
    for (name, s) in scans.iter().filter(|(name, _)| scope.covers(name)) {
        for f in s.functions.values() {
            if used.contains(&(name.clone(), f.name.clone())) {
                continue;
            }
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

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
