//! `labfit check`: every problem in a set of rule packs, profiles, evidence, questionnaire
//! mappings and test files, found without scoring anything. Scoring stops at the first batch
//! of errors; checking does not: the packs go through the engine's loader in its lenient mode
//! (every error a finding, the graph repaired so that the cross-file checks still run), then
//! each profile, evidence, mapping and test file is checked on its own, and the lint-level findings (unused functions,
//! unreached requirements, missing parameters, expired waivers, unknown fact keys read by
//! rules) are added as warnings or errors. The result is a list of [`Diagnostic`]s; printing
//! is the caller's business.

mod profiles;
mod rules;
mod scan;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::answers::mapping::Mapping;
use crate::authoring::testing;
use crate::engine::error::Error;
use crate::engine::load::{self, Pack};
use crate::engine::Engine;
use crate::evidence::Evidence;
use crate::input::date::Date;
use crate::input::diagnostic::{Diagnostic, Level};
use crate::input::source::{display_path, SourceFile};
use crate::input::yaml;
use crate::profile::{self, error::ProfileError};
use crate::rules::Limits;
use crate::score::{bind, BoundProfile};

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

/// Checks `user` files on top of the built-in content (a user file with the name of a
/// built-in one, such as `rules/controls.yaml` in a checkout, replaces it). With no user
/// files, checks the built-in content itself. Warnings are reported only for the files being
/// checked; errors wherever they are.
pub fn check_files(user: Vec<SourceFile>, as_of: Date) -> Checked {
    let scope = Scope::new(&user);
    let user_files = user.len();
    let packs = packs(user);
    let files_checked = if scope.user_mode {
        user_files
    } else {
        packs.iter().map(|p| p.files.len()).sum()
    };
    let loaded = load::lenient(packs, Limits::DEFAULT);
    let mut c = Collector::default();
    for d in loaded.findings {
        let covered = d.location.as_ref().is_some_and(|l| scope.covers(l.file()));
        if d.severity == Level::Error || covered {
            c.push(d);
        }
    }
    let engine = &loaded.engine;
    let scans = rules::check(engine, &loaded.files.rules, &scope, &mut c);
    if loaded.graph_complete {
        rules::unused_functions(engine.graph(), &scans, &scope, &mut c);
        let bound = bind_profiles(engine, &loaded.files.profiles, &mut c);
        profiles::check(engine.graph(), &scans, &bound, &scope, as_of, &mut c);
        for f in loaded
            .files
            .rule_tests
            .iter()
            .filter(|f| scope.covers(f.name()))
        {
            for e in testing::check_file(engine, f) {
                c.error(&e);
            }
        }
    }
    // Evidence needs only the vocabulary: it is checked even when the graph could not be
    // repaired and nothing else can be checked reliably.
    for f in loaded
        .files
        .evidence
        .iter()
        .filter(|f| scope.covers(f.name()))
    {
        let (errors, _) =
            yaml::recover(f, |f| Evidence::parse(f, engine.vocabulary()), yaml::itself);
        for e in errors {
            c.error(&e.into());
        }
    }
    // A mapping's targets are facts and values: it needs only the vocabulary too.
    for f in loaded
        .files
        .mappings
        .iter()
        .filter(|f| scope.covers(f.name()))
    {
        if let Err(e) = Mapping::parse(f, engine.vocabulary()) {
            c.error(&e.into());
        }
    }
    c.finish(files_checked)
}

/// The packs to load: the built-in one, then one pack per directory of the user's files, in
/// the order the paths were given, so that a later path's definitions replace an earlier
/// one's as a later `--rules` directory's do. A user file with the name of a built-in file
/// takes that file's place in the built-in pack.
fn packs(user: Vec<SourceFile>) -> Vec<Pack> {
    let mut builtin = Pack::builtin();
    let mut packs: Vec<Pack> = Vec::new();
    for f in user {
        if let Some(slot) = builtin.files.iter_mut().find(|b| b.name() == f.name()) {
            *slot = f;
            continue;
        }
        let name = if f.dir().is_empty() { "." } else { f.dir() };
        match packs.iter_mut().find(|p| p.name == name) {
            Some(p) => p.files.push(f),
            None => packs.push(Pack {
                name: name.to_owned(),
                files: vec![f],
            }),
        }
    }
    packs.insert(0, builtin);
    packs
}

/// Binds every profile to the graph, each on its own; a profile that does not load is a
/// finding, and so is every reference its graph lacks.
fn bind_profiles(
    engine: &Engine,
    files: &[SourceFile],
    c: &mut Collector,
) -> Vec<(SourceFile, BoundProfile)> {
    let mut bound = Vec::new();
    for f in files {
        let (errors, loaded) = yaml::recover(
            f,
            |f| profile::load(f.clone(), engine, engine.parameters()),
            |e| match e {
                ProfileError::Input(e) => Some(e),
                _ => None,
            },
        );
        for e in errors {
            c.error(&e.into());
        }
        // What still reads of a profile with errors is bound too, for the findings after them.
        // Once an entry was blanked, an error about the profile as a whole (no frameworks
        // left, at the file's start) says nothing the blanked entry's own error has not.
        let Some((read, p)) = loaded else { continue };
        let cut = read.text() != f.text();
        let whole = |e: &ProfileError| {
            e.diagnostic()
                .location
                .is_some_and(|l| l.file() == f.name() && (l.line(), l.col()) == (1, 1))
        };
        match bind(engine.graph(), engine.vocabulary(), p) {
            Ok((b, errors)) => {
                for e in errors.iter().filter(|e| !(cut && whole(e))) {
                    c.error(&e.clone().into());
                }
                bound.push((f.clone(), b));
            }
            Err(_) if cut => {}
            Err(e) => c.error(&e.into()),
        }
    }
    bound
}

/// Which files warnings are reported for: the files given, or every file when checking the
/// built-in content.
struct Scope {
    user_mode: bool,
    names: BTreeSet<String>,
}

impl Scope {
    fn new(user: &[SourceFile]) -> Scope {
        Scope {
            user_mode: !user.is_empty(),
            names: user.iter().map(|f| f.name().to_owned()).collect(),
        }
    }

    fn covers(&self, name: &str) -> bool {
        !self.user_mode || self.names.contains(name)
    }
}

/// The findings as they are found, from every stage; sorted and deduplicated at the end, as
/// the repaired graph may report one problem in several rounds.
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
