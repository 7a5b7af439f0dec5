//! Loading rule packs: reading `--rules` directories and the built-in pack, classifying each
//! file, merging vocabularies and catalogs pack by pack, building the graph, compiling the
//! rules and checking that every leaf's check exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::error::Error;
use crate::engine::Engine;
use crate::evidence::vocabulary::Vocabulary;
use crate::graph::catalog::{self, Body, Requirement};
use crate::graph::error::GraphError;
use crate::graph::{Graph, NodeKind};
use crate::input::error::{did_you_mean, InputError};
use crate::input::kind::{classify, Classified, FileKind};
use crate::input::source::{display_path, SourceFile};
use crate::report::{Warning, WarningKind};
use crate::rules::{Limits, RuleSet};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A rule pack as loaded: where it comes from and its files.
#[derive(Clone, Debug)]
pub(crate) struct Pack {
    pub(crate) name: String,
    pub(crate) yaml: Vec<SourceFile>,
    pub(crate) rhai: Vec<SourceFile>,
}

/// Where a rule pack comes from.
#[derive(Clone, Debug)]
pub(crate) enum PackSource {
    Dir(PathBuf),
    Files(Pack),
}

pub(crate) fn builtin_pack() -> Pack {
    let mut yaml = Vec::new();
    let mut rhai = Vec::new();
    for (path, text) in builtin::BUILTIN_FILES {
        let Some(rest) = path.strip_prefix("rules/") else {
            continue;
        };
        if rest.contains('/') {
            continue; // rules/tests/ and other subdirectories are not part of the catalog
        }
        let f = SourceFile::builtin(path, text);
        if path.ends_with(".rhai") {
            rhai.push(f);
        } else {
            yaml.push(f);
        }
    }
    Pack {
        name: "builtin".into(),
        yaml,
        rhai,
    }
}

pub(crate) fn read_pack(dir: &Path) -> Result<Pack, Error> {
    let name = display_path(dir);
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::io_msg(
            &name,
            "no such directory",
            "give --rules the path of a rule pack directory (its catalog YAML, vocabulary and .rhai files)",
        ),
        _ => InputError::io(&name, &e),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut yaml = Vec::new();
    let mut rhai = Vec::new();
    for p in paths {
        match p.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => yaml.push(SourceFile::read(&p)?),
            Some("rhai") => rhai.push(SourceFile::read(&p)?),
            _ => {}
        }
    }
    if yaml.is_empty() && rhai.is_empty() {
        return Err(InputError::io_msg(
            &name,
            "holds no .yaml or .rhai files",
            "point --rules at a rule pack directory (see `labfit new rule`)",
        )
        .into());
    }
    Ok(Pack { name, yaml, rhai })
}

/// Every leaf's check must name a loaded rule file and a function of no parameters defined in
/// it (files that do not compile are left to their compile error).
pub(crate) fn leaf_errors(graph: &Graph, rules: &RuleSet) -> Vec<Error> {
    let mut errors: Vec<Error> = Vec::new();
    // Every leaf's check must name a loaded file and a function without parameters.
    for n in graph.nodes() {
        let (Body::Leaf(c), NodeKind::Leaf { rule }) = (&n.req.body, &n.kind) else {
            continue;
        };
        let Some(check) = graph.checks().get(*rule) else {
            continue;
        };
        if !rules.has_file(&check.file) {
            let known: Vec<String> = rules.files().map(|(p, _)| p.to_owned()).collect();
            errors.push(
                GraphError::BadCheck {
                    location: n.req.location().clone(),
                    message: format!(
                        "`{}` checks `{c}`, but `{}` is not a loaded rule file",
                        n.req.id, check.file
                    ),
                    hint: did_you_mean(&check.file, known.iter().map(String::as_str))
                        .or_else(|| Some("the file is relative to the catalog YAML file".into())),
                }
                .into(),
            );
            continue;
        }
        if rules.compile_error(&check.file).is_some() {
            continue; // its checks evaluate to `error`, with the compile error's position
        }
        match rules.arity(&check.file, &check.function) {
            Some(0) => {}
            Some(a) => errors.push(
                GraphError::BadCheck {
                    location: n.req.location().clone(),
                    message: format!("check function `{c}` takes {a} parameters"),
                    hint: Some(
                        "a check takes no parameters; read values with fact() and param()".into(),
                    ),
                }
                .into(),
            ),
            None => {
                let fns = rules.functions(&check.file);
                errors.push(
                    GraphError::BadCheck {
                        location: n.req.location().clone(),
                        message: format!(
                            "`{}` does not define `fn {}()`",
                            check.file, check.function
                        ),
                        hint: did_you_mean(&check.function, fns.iter().map(|(f, _)| f.as_str()))
                            .or_else(|| {
                                let defined: Vec<String> =
                                    fns.iter().map(|(f, _)| format!("`{f}`")).collect();
                                Some(if defined.is_empty() {
                                    "define the function, or fix the name after `::`".into()
                                } else {
                                    format!(
                                        "define the function, or fix the name after `::` (the file defines {})",
                                        defined.join(", ")
                                    )
                                })
                            }),
                    }
                    .into(),
                )
            }
        }
    }
    errors
}

/// The built-in content: (repository-relative path, text), sorted by path.
pub(crate) fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_FILES
}

pub(crate) fn dir_of(name: &str) -> String {
    name.rsplit_once('/')
        .map(|(d, _)| d.to_owned())
        .unwrap_or_default()
}

impl Engine {
    pub(crate) fn from_packs(packs: Vec<Pack>, limits: Limits) -> Result<Engine, Error> {
        let mut errors: Vec<Error> = Vec::new();
        let mut warnings = Vec::new();
        let mut inputs = Vec::new();
        let mut vocab = Vocabulary::default();
        let mut reqs: BTreeMap<String, Requirement> = BTreeMap::new();
        let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
        let mut rule_files = Vec::new();
        let mut rule_tests = Vec::new();
        let mut extra_profiles: Vec<SourceFile> = Vec::new();
        let mut extra_evidence: Vec<SourceFile> = Vec::new();
        for pack in packs {
            let mut pack_reqs: Vec<Requirement> = Vec::new();
            for f in &pack.yaml {
                match classify(f) {
                    Classified::Known(FileKind::Vocabulary) => match Vocabulary::parse(f) {
                        Ok(v) => {
                            inputs.push(f.input_hash("vocabulary"));
                            for k in vocab.merge(v) {
                                warnings.push(Warning {
                                    kind: WarningKind::Override,
                                    message: format!("fact `{k}` from `{}` replaces an earlier definition", f.name()),
                                });
                            }
                        }
                        Err(e) => errors.push(e.into()),
                    },
                    Classified::Known(FileKind::Catalog) => match catalog::parse(f, &pack.name, &dir_of(f.name())) {
                        Ok(rs) => {
                            inputs.push(f.input_hash("catalog"));
                            files.insert(f.name().to_owned(), f.clone());
                            pack_reqs.extend(rs);
                        }
                        Err(e) => errors.push(e.into()),
                    },
                    Classified::Known(FileKind::RuleTests) => rule_tests.push(f.clone()),
                    // A pack may carry its own profiles and evidence: they become available by
                    // file name, like the built-in ones.
                    Classified::Known(FileKind::Profile) => extra_profiles.push(f.clone()),
                    Classified::Known(FileKind::Evidence) => extra_evidence.push(f.clone()),
                    Classified::Unknown(k) => errors.push(
                        InputError::invalid(
                            f.location(1, 1),
                            format!("a rule pack holds catalogs, a vocabulary, rule tests, profiles and evidence, not `{k}` files"),
                            Some("check the `labfit:` header, or move the file out of the pack".into()),
                        )
                        .into(),
                    ),
                    Classified::NoHeader { empty: true } => errors.push(
                        InputError::invalid(
                            f.location(1, 1),
                            "the file is empty",
                            Some("start the file with `labfit: catalog/v1` or `labfit: vocabulary/v1`, or remove it from the pack".into()),
                        )
                        .into(),
                    ),
                    Classified::Known(FileKind::Rules) | Classified::NoHeader { empty: false } => errors.push(
                        InputError::invalid(
                            f.location(1, 1),
                            "missing the `labfit: KIND/v1` header",
                            Some("start the file with `labfit: catalog/v1` or `labfit: vocabulary/v1`".into()),
                        )
                        .into(),
                    ),
                }
            }
            // A pack's requirement replaces an earlier pack's one with the same id.
            let mut seen_here: BTreeMap<String, ()> = BTreeMap::new();
            for r in pack_reqs {
                let dup_in_pack = seen_here.insert(r.id.clone(), ()).is_some();
                if dup_in_pack {
                    // Leave both for the graph builder, which reports the duplicate.
                    let key = format!("{}\u{0}{}", r.id, r.location());
                    reqs.insert(key, r);
                    continue;
                }
                if let Some(old) = reqs.remove(&r.id) {
                    warnings.push(Warning {
                        kind: WarningKind::Override,
                        message: format!(
                            "requirement `{}` from `{}` overrides the one from `{}`",
                            r.id,
                            r.file(),
                            old.file()
                        ),
                    });
                }
                reqs.insert(r.id.clone(), r);
            }
            for f in pack.rhai {
                inputs.push(f.input_hash("rule"));
                rule_files.push((f.name().to_owned(), f));
            }
        }
        if vocab.is_empty() && errors.is_empty() {
            errors.push(Error::Input(InputError::io_msg(
                "rules",
                "no vocabulary was loaded",
                "a rule pack used without the built-in rules needs a `labfit: vocabulary/v1` file",
            )));
        }
        Error::from_list(std::mem::take(&mut errors))?;
        let graph = Graph::build(reqs.into_values().collect(), &files)?;
        let rules = RuleSet::compile(rule_files, limits);
        errors.extend(leaf_errors(&graph, &rules));
        Error::from_list(errors)?;
        inputs.sort();
        let base: Vec<SourceFile> = builtin_files()
            .iter()
            .map(|(path, text)| SourceFile::builtin(path, text))
            .collect();
        let mut engine = Engine::from_parts(Arc::new(vocab), graph, rules, &base);
        engine.add_pack_files(extra_profiles, extra_evidence, &mut warnings);
        engine.inputs = inputs;
        engine.warnings = warnings;
        engine.rule_tests.splice(0..0, rule_tests);
        Ok(engine)
    }

    /// Profiles and evidence that rule packs carry resolve by file stem, like built-in ones,
    /// and replace a built-in one of the same id (with a warning).
    pub(crate) fn add_pack_files(
        &mut self,
        profiles: Vec<SourceFile>,
        evidence: Vec<SourceFile>,
        warnings: &mut Vec<Warning>,
    ) {
        for (files, map, what) in [
            (profiles, &mut self.builtin_profiles, "profile"),
            (evidence, &mut self.builtin_evidence, "evidence"),
        ] {
            for f in files {
                let stem = f
                    .name()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".yaml")
                    .trim_end_matches(".yml")
                    .to_owned();
                if map.insert(stem.clone(), f.clone()).is_some() {
                    warnings.push(Warning {
                        kind: WarningKind::Override,
                        message: format!(
                            "{what} `{stem}` from `{}` replaces the built-in one",
                            f.name()
                        ),
                    });
                }
            }
        }
    }

    /// An engine from parts already loaded and validated elsewhere (`labfit check` builds one
    /// from whatever loaded, to go on checking profiles after other errors). `files` holds the
    /// content that profile, provider and test ids resolve to: `profiles/ID.yaml`,
    /// `examples/providers/ID.yaml` and `rules/tests/*.yaml`.
    pub(crate) fn from_parts(
        vocab: Arc<Vocabulary>,
        graph: Graph,
        rules: RuleSet,
        files: &[SourceFile],
    ) -> Engine {
        let mut builtin_profiles = BTreeMap::new();
        let mut builtin_evidence = BTreeMap::new();
        let mut rule_tests = Vec::new();
        for f in files {
            let path = f.name();
            if let Some(id) = path
                .strip_prefix("profiles/")
                .and_then(|p| p.strip_suffix(".yaml"))
            {
                builtin_profiles.insert(id.to_owned(), f.clone());
            } else if let Some(id) = path
                .strip_prefix("examples/providers/")
                .and_then(|p| p.strip_suffix(".yaml"))
            {
                builtin_evidence.insert(id.to_owned(), f.clone());
            } else if path.starts_with("rules/tests/") {
                rule_tests.push(f.clone());
            }
        }
        Engine {
            vocab,
            graph,
            rules,
            inputs: Vec::new(),
            warnings: Vec::new(),
            builtin_profiles,
            builtin_evidence,
            rule_tests,
        }
    }
}
