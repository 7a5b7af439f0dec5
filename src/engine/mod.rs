//! The engine: loads rule packs (built-in and `--rules` directories), validates the graph and
//! compiles every rule once, finds profiles and evidence by built-in id or path, and scores a
//! profile × evidence into a [`Report`]. It is `Send + Sync`: one engine serves any number of
//! threads.

mod assemble;
pub mod compare;
pub mod diff;
pub mod error;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::engine::assemble::Context;
use crate::engine::error::Error;
use crate::evidence::error::EvidenceError;
use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::{Evidence, FactValue};
use crate::graph::catalog::{self, Body, Requirement};
use crate::graph::error::GraphError;
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::input::error::{did_you_mean, InputError, UsageError};
use crate::input::kind::{classify, Classified, FileKind};
use crate::input::source::{display_path, InputHash, SourceFile};
use crate::profile::error::ProfileError;
use crate::profile::params::ParamVocabulary;
use crate::profile::{self, ProfileSource, RefWhat};
use crate::report::{Assumption, Report, Warning, WarningKind};
use crate::rules::{FactTable, Lapse, Limits, Outcome, Params, RuleSet};
use crate::score::{self, BoundProfile};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// Options of one scoring run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Evaluation date (default: today). Expiry and staleness use it.
    pub as_of: Option<Date>,
    /// What-if facts (status `assumed`), as parsed by [`Engine::assumption`].
    pub assumptions: Vec<(String, FactValue)>,
}

/// A rule pack as loaded: where it comes from and its files.
#[derive(Clone, Debug)]
struct Pack {
    name: String,
    yaml: Vec<SourceFile>,
    rhai: Vec<SourceFile>,
}

/// Where a rule pack comes from.
#[derive(Clone, Debug)]
enum PackSource {
    Dir(PathBuf),
    Files(Pack),
}

/// Builds an [`Engine`] from the built-in content and optional rule-pack directories.
#[derive(Clone, Debug, Default)]
pub struct EngineBuilder {
    packs: Vec<PackSource>,
    no_builtin: bool,
    limits: Option<Limits>,
}

impl EngineBuilder {
    /// Adds a rule pack directory (its `*.yaml` catalogs and vocabulary, its `*.rhai` rules).
    /// A requirement with the id of a built-in one replaces it, with a warning.
    pub fn rules_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.packs.push(PackSource::Dir(dir.into()));
        self
    }

    /// Adds a rule pack held in memory, as if its files were a `--rules` directory named
    /// `name`: files named `*.yaml` / `*.yml` are catalogs or a vocabulary, `*.rhai` are rules
    /// (a check `FILE.rhai::f` names the file as given here). For embedders that keep rules
    /// elsewhere than on disk, and for tests and fuzzing that build packs on the fly.
    pub fn pack(mut self, name: &str, files: Vec<SourceFile>) -> Self {
        let (rhai, yaml) = files.into_iter().partition(|f| f.name().ends_with(".rhai"));
        self.packs.push(PackSource::Files(Pack {
            name: name.to_owned(),
            yaml,
            rhai,
        }));
        self
    }

    /// Leaves out the built-in rules (a pack must then bring its own vocabulary).
    pub fn without_builtin_rules(mut self) -> Self {
        self.no_builtin = true;
        self
    }

    /// Overrides the sandbox limits (tests use this; the defaults are [`Limits::DEFAULT`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Loads, validates and compiles everything.
    pub fn build(self) -> Result<Engine, Error> {
        let mut packs = Vec::new();
        if !self.no_builtin {
            packs.push(builtin_pack());
        }
        for p in self.packs {
            packs.push(match p {
                PackSource::Dir(dir) => read_pack(&dir)?,
                PackSource::Files(pack) => pack,
            });
        }
        Engine::from_packs(packs, self.limits.unwrap_or_default())
    }
}

/// The loaded rule packs, graph and compiled rules.
#[derive(Debug)]
pub struct Engine {
    vocab: Arc<Vocabulary>,
    params: Arc<ParamVocabulary>,
    graph: Graph,
    rules: RuleSet,
    inputs: Vec<InputHash>,
    warnings: Vec<Warning>,
    builtin_profiles: BTreeMap<String, SourceFile>,
    builtin_evidence: BTreeMap<String, SourceFile>,
    rule_tests: Vec<SourceFile>,
}

/// A provider's evidence prepared for scoring as of one date: facts converted once, rule
/// outcomes cached per distinct parameter values, so scoring it against many profiles runs
/// each rule at most once per parameter set.
#[derive(Debug)]
pub struct Prepared<'e> {
    /// Borrowed unless assumptions change it (cloning evidence was a tenth of a score).
    evidence: Cow<'e, Evidence>,
    as_of: Date,
    assumptions: Vec<Assumption>,
    /// One fact table per (staleness limit, services used), in order of first use.
    tables: Mutex<Vec<(TableKey, Arc<FactTable>)>>,
    cache: Mutex<OutcomeCache>,
}

/// What a fact table depends on besides the evidence and the date: the profile's staleness
/// limit and the services its lab uses.
type TableKey = (Option<u32>, Vec<String>);

/// Outcomes by (check, fact table), each with the parameter values it read.
type OutcomeCache = HashMap<(usize, usize), Vec<Arc<Outcome>>>;

impl Prepared<'_> {
    /// The evidence (with assumptions applied).
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The evaluation date.
    pub fn as_of(&self) -> Date {
        self.as_of
    }
}

fn builtin_pack() -> Pack {
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

fn read_pack(dir: &Path) -> Result<Pack, Error> {
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
    /// The built-in rules, profiles and providers.
    pub fn builtin() -> Result<Engine, Error> {
        EngineBuilder::default().build()
    }

    /// A builder, to add rule packs.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    fn from_packs(packs: Vec<Pack>, limits: Limits) -> Result<Engine, Error> {
        let mut errors: Vec<Error> = Vec::new();
        let mut warnings = Vec::new();
        let mut inputs = Vec::new();
        let mut vocab = Vocabulary::default();
        let mut params = ParamVocabulary::default();
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
                    Classified::Known(FileKind::Parameters) => match ParamVocabulary::parse(f) {
                        Ok(v) => {
                            inputs.push(f.input_hash("parameters"));
                            for k in params.merge(v) {
                                warnings.push(Warning {
                                    kind: WarningKind::Override,
                                    message: format!("parameter `{k}` from `{}` replaces an earlier definition", f.name()),
                                });
                            }
                        }
                        Err(e) => errors.push(e.into()),
                    },
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
        engine.params = Arc::new(params);
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
            params: Arc::new(ParamVocabulary::default()),
            graph,
            rules,
            inputs: Vec::new(),
            warnings: Vec::new(),
            builtin_profiles,
            builtin_evidence,
            rule_tests,
        }
    }

    /// The engine with `params` as its parameter vocabulary (`labfit check` builds an engine
    /// from parts and reads the parameter files itself).
    pub(crate) fn with_params(mut self, params: ParamVocabulary) -> Engine {
        self.params = Arc::new(params);
        self
    }

    /// The fact vocabulary.
    pub fn vocabulary(&self) -> &Arc<Vocabulary> {
        &self.vocab
    }

    /// The parameter vocabulary.
    pub fn parameters(&self) -> &Arc<ParamVocabulary> {
        &self.params
    }

    /// The requirement graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Warnings from loading (overrides).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Built-in profile ids, sorted.
    pub fn builtin_profiles(&self) -> impl Iterator<Item = &str> {
        self.builtin_profiles.keys().map(String::as_str)
    }

    /// Built-in provider ids, sorted.
    pub fn builtin_providers(&self) -> impl Iterator<Item = &str> {
        self.builtin_evidence.keys().map(String::as_str)
    }

    /// Rule test files found in the loaded packs (`labfit: rule-tests/v1`).
    pub fn rule_test_files(&self) -> &[SourceFile] {
        &self.rule_tests
    }

    /// Loads and binds a profile: a built-in id or a path.
    pub fn profile(&self, name: &str) -> Result<BoundProfile, Error> {
        let file = self.find(name, None)?;
        self.bind_profile(file)
    }

    /// Binds a profile file's text (for embedders and tests).
    pub fn profile_from(&self, file: SourceFile) -> Result<BoundProfile, Error> {
        self.bind_profile(file)
    }

    fn bind_profile(&self, file: SourceFile) -> Result<BoundProfile, Error> {
        let (bound, errors) = self.bind_profile_lenient(file)?;
        Error::from_list(errors)?;
        Ok(bound)
    }

    /// Binds a profile leaving out the references the graph lacks, and returns them as errors
    /// beside it, so `labfit check` can go on checking the rest of the profile. Only a file that
    /// does not load (or an `extends` that fails) is an `Err`.
    pub(crate) fn bind_profile_lenient(
        &self,
        file: SourceFile,
    ) -> Result<(BoundProfile, Vec<Error>), Error> {
        let p = profile::load(file, self, &self.params)?;
        p.check_bands()?;
        p.check_assurance()?;
        let mut errors: Vec<Error> = Vec::new();
        let find = |id: &str| self.graph.find(id);
        for r in &p.refs {
            let bad = |message: String, hint: Option<String>| -> Error {
                ProfileError::Invalid {
                    location: r.location(),
                    message,
                    hint,
                }
                .into()
            };
            let nearest = |id: &str| {
                did_you_mean(id, self.graph.ids())
                    .or_else(|| Some("see `labfit list requirements`".into()))
            };
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
                RefWhat::Edge(pa, c) => match (find(pa), find(c)) {
                    (None, _) => errors.push(bad(
                        format!("weight override names unknown requirement `{pa}`"),
                        nearest(pa),
                    )),
                    (_, None) => errors.push(bad(
                        format!("weight override names unknown requirement `{c}`"),
                        nearest(c),
                    )),
                    (Some(pi), Some(ci)) => {
                        let is_edge = matches!(self.graph.node(pi).map(|n| &n.kind), Some(NodeKind::Composite { children, .. }) if children.iter().any(|(x, _)| *x == ci));
                        if !is_edge {
                            errors.push(bad(
                                format!("`{c}` is not a child of `{pa}`, so `{pa}/{c}` overrides nothing"),
                                Some("weights override existing edges: PARENT/CHILD as in the catalog".into()),
                            ));
                        }
                    }
                },
                _ => {}
            }
        }
        if p.frameworks.is_empty() && errors.is_empty() {
            let location = p
                .files
                .first()
                .map(|f| f.location(1, 1))
                .unwrap_or_else(|| crate::input::source::Location::file_start("profile"));
            errors.push(
                ProfileError::Invalid {
                    location,
                    message: format!("profile `{}` selects no frameworks", p.id),
                    hint: Some(
                        "add `frameworks: {lab-baseline: 1}` or extend a profile that has some"
                            .into(),
                    ),
                }
                .into(),
            );
        }
        let roots = p
            .frameworks
            .iter()
            .filter_map(|(id, w)| Some((find(id)?, *w)))
            .collect();
        let overrides = p
            .weights
            .iter()
            .filter_map(|((a, b), w)| Some(((find(a)?, find(b)?), *w)))
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
        let services = match &p.services {
            Some(s) => {
                for kind in s.iter().filter(|k| !self.vocab.has_service(k)) {
                    errors.push(
                        ProfileError::Invalid {
                            location: p.locate_key("services"),
                            message: format!("unknown service kind `{kind}`"),
                            hint: did_you_mean(kind, self.vocab.services().map(|(k, _)| k))
                                .or_else(|| Some("see `labfit list services`".into())),
                        }
                        .into(),
                    );
                }
                let mut s = s.clone();
                s.sort();
                s.dedup();
                s
            }
            None => self.vocab.default_services(),
        };
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

    /// Loads evidence: a built-in provider id or a path.
    pub fn evidence(&self, name: &str) -> Result<Evidence, Error> {
        if let Some(f) = self.builtin_evidence.get(name) {
            return Ok(Evidence::parse(f, &self.vocab)?);
        }
        let path = Path::new(name);
        if path.exists() || name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml")
        {
            let f = SourceFile::read(path)?;
            return Ok(Evidence::parse(&f, &self.vocab)?);
        }
        let hint = did_you_mean(name, self.builtin_providers())
            .map(|h| format!("{h} (or give a path to an evidence file)"))
            .unwrap_or_else(|| {
                format!(
                    "built-in providers: {}; or give a path to an evidence file",
                    self.builtin_providers().collect::<Vec<_>>().join(", ")
                )
            });
        Err(EvidenceError::NotFound {
            name: name.to_owned(),
            hint,
        }
        .into())
    }

    /// Parses evidence text (for embedders and tests).
    pub fn evidence_from(&self, file: &SourceFile) -> Result<Evidence, Error> {
        Ok(Evidence::parse(file, &self.vocab)?)
    }

    /// Parses `KEY=VALUE` for `--assume`, typed by the vocabulary.
    pub fn assumption(&self, kv: &str) -> Result<(String, FactValue), Error> {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(UsageError::Invalid {
                message: format!("`--assume {kv}` is not KEY=VALUE"),
                hint: Some("for example `--assume contract.baa=true`".into()),
            }
            .into());
        };
        let k = k.trim();
        let Some(spec) = self.vocab.get(k) else {
            return Err(UsageError::Invalid {
                message: format!("`--assume`: unknown fact key `{k}`"),
                hint: did_you_mean(k, self.vocab.keys())
                    .or_else(|| Some("see `labfit list facts`".into())),
            }
            .into());
        };
        let value = FactValue::parse_as(spec, v).map_err(|m| UsageError::Invalid {
            message: format!("`--assume {k}`: {m}"),
            hint: Some(format!("`{k}` is of type {}", spec.ty)),
        })?;
        Ok((k.to_owned(), value))
    }

    /// Prepares evidence for scoring (applies assumptions, fixes the date).
    pub fn prepare<'e>(&self, evidence: &'e Evidence, options: &Options) -> Prepared<'e> {
        let mut ev = Cow::Borrowed(evidence);
        let mut assumptions = Vec::new();
        for (k, v) in &options.assumptions {
            ev.to_mut().assume(k, v.clone());
            assumptions.push(Assumption {
                fact: k.clone(),
                value: v.clone(),
            });
        }
        assumptions.sort_by(|a, b| a.fact.cmp(&b.fact));
        Prepared {
            evidence: ev,
            as_of: options.as_of.unwrap_or_else(Date::today),
            assumptions,
            tables: Mutex::new(Vec::new()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Scores one provider against one profile.
    pub fn score(&self, profile: &BoundProfile, evidence: &Evidence, options: &Options) -> Report {
        self.score_prepared(profile, &self.prepare(evidence, options))
    }

    /// Scores prepared evidence; rule outcomes are reused across calls with the same
    /// parameter values.
    pub fn score_prepared(&self, profile: &BoundProfile, prep: &Prepared<'_>) -> Report {
        let (table, outcomes) = self.outcomes(profile, prep);
        let mut warnings = self.warnings.clone();
        warnings.extend(self.evidence_warnings(&prep.evidence, &table));
        for a in &prep.assumptions {
            warnings.push(Warning {
                kind: WarningKind::AssumedFact,
                message: format!(
                    "what-if: `{}` is assumed to be {}; the result is hypothetical",
                    a.fact, a.value
                ),
            });
        }
        let mut inputs = self.inputs.clone();
        inputs.extend(
            profile
                .profile
                .files
                .iter()
                .map(|f| f.input_hash("profile")),
        );
        inputs.push(prep.evidence.file().input_hash("evidence"));
        inputs.sort();
        inputs.dedup();
        let ctx = Context {
            vocab: &self.vocab,
            evidence: &prep.evidence,
            as_of: prep.as_of,
            warnings,
            inputs,
            assumptions: prep.assumptions.clone(),
        };
        let scored = score::pass(&self.graph, profile, &outcomes, prep.as_of);
        assemble::report(&self.graph, profile, scored, &outcomes, ctx)
    }

    /// The ranking facts of [`Engine::score_prepared`]'s report (fit, potential, verdict,
    /// gates, weakest framework, rule errors) without building the report: what
    /// [`Engine::compare_profiles`] keeps of each provider × profile. Rule outcomes come from
    /// the same cache as `score_prepared`'s.
    pub fn summary(&self, profile: &BoundProfile, prep: &Prepared<'_>) -> score::Summary {
        let (_, outcomes) = self.outcomes(profile, prep);
        score::pass(&self.graph, profile, &outcomes, prep.as_of).summary(
            &self.graph,
            profile,
            &outcomes,
        )
    }

    /// The outcome of every leaf the profile reaches and does not waive, from the cache or by
    /// running its rule.
    fn outcomes(
        &self,
        profile: &BoundProfile,
        prep: &Prepared<'_>,
    ) -> (Arc<FactTable>, BTreeMap<usize, Arc<Outcome>>) {
        let max_age = profile.profile.max_evidence_age_days;
        let (table_id, table) = {
            let mut tables = prep
                .tables
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let found = tables
                .iter()
                .position(|((m, s), _)| *m == max_age && *s == profile.services);
            match found.and_then(|i| Some((i, tables.get(i)?.1.clone()))) {
                Some(hit) => hit,
                None => {
                    let t = Arc::new(FactTable::new(
                        &prep.evidence,
                        &self.vocab,
                        prep.as_of,
                        max_age,
                        &profile.services,
                    ));
                    tables.push(((max_age, profile.services.clone()), t.clone()));
                    (tables.len() - 1, t)
                }
            }
        };
        let (reached, waived) = score::reach(&self.graph, profile, prep.as_of);
        let mut outcomes = BTreeMap::new();
        for (i, node) in self.graph.nodes().iter().enumerate() {
            if !reached.get(i).copied().unwrap_or(false) || waived.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            if let NodeKind::Leaf { rule } = node.kind {
                outcomes.insert(
                    i,
                    self.outcome(rule, table_id, &table, &profile.params, prep),
                );
            }
        }
        (table, outcomes)
    }

    fn outcome(
        &self,
        rule: usize,
        table_id: usize,
        table: &Arc<FactTable>,
        params: &Params,
        prep: &Prepared<'_>,
    ) -> Arc<Outcome> {
        let key = (rule, table_id);
        {
            let cache = prep
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(hit) = cache.get(&key).and_then(|list| {
                list.iter().find(|o| {
                    o.params
                        .iter()
                        .all(|p| params.get(&p.name) == p.value.as_ref())
                })
            }) {
                return hit.clone();
            }
        }
        let Some(check) = self.graph.checks().get(rule) else {
            return Arc::new(self.rules.evaluate("", "", table, params));
        };
        let o = Arc::new(
            self.rules
                .evaluate(&check.file, &check.function, table, params),
        );
        prep.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_default()
            .push(o.clone());
        o
    }

    /// What a reader should know about the evidence before trusting the score: the facts it
    /// states that count as unknown, by why (expired, out of the lab's scope, too old).
    fn evidence_warnings(&self, ev: &Evidence, table: &FactTable) -> Vec<Warning> {
        let mut expired = Vec::new();
        let mut scope = Vec::new();
        let mut old = Vec::new();
        for f in table.reads() {
            match &f.lapse {
                Some(Lapse::Expired { on, .. }) => expired.push(format!("`{}` ({on})", f.key)),
                Some(Lapse::OutOfScope { covers, .. }) => {
                    scope.push(format!("`{}` ({})", f.key, covers.join(", ")))
                }
                Some(Lapse::TooOld { .. }) => old.push(format!("`{}`", f.key)),
                None => {}
            }
        }
        let mut out = Vec::new();
        let mut warn = |kind, list: Vec<String>, what: &str| {
            if !list.is_empty() {
                out.push(Warning {
                    kind,
                    message: format!(
                        "{} fact(s) for {} {what} and count as unknown: {}",
                        list.len(),
                        ev.provider,
                        list.join(", ")
                    ),
                });
            }
        };
        warn(
            WarningKind::ExpiredEvidence,
            expired,
            "are past their `expires` date or their document's validity",
        );
        warn(
            WarningKind::OutOfScope,
            scope,
            "cover only services the lab will not use (covered kinds in brackets)",
        );
        warn(
            WarningKind::StaleEvidence,
            old,
            "are older than the profile's `max_evidence_age_days`",
        );
        out
    }
}

impl ProfileSource for Engine {
    fn find(&self, name: &str, from: Option<&SourceFile>) -> Result<SourceFile, ProfileError> {
        if let Some(f) = self.builtin_profiles.get(name) {
            return Ok(f.clone());
        }
        let looks_like_path =
            name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml");
        let base = from
            .filter(|f| !f.is_builtin())
            .map(|f| PathBuf::from(dir_of(f.name())));
        let path = match &base {
            Some(b) if !b.as_os_str().is_empty() && Path::new(name).is_relative() => b.join(name),
            _ => PathBuf::from(name),
        };
        if path.exists() || looks_like_path {
            return Ok(SourceFile::read(&path)?);
        }
        let hint = did_you_mean(name, self.builtin_profiles())
            .map(|h| format!("{h} (or give a path to a profile file)"))
            .unwrap_or_else(|| {
                format!(
                    "built-in profiles: {}; or give a path to a profile file",
                    self.builtin_profiles().collect::<Vec<_>>().join(", ")
                )
            });
        Err(ProfileError::NotFound {
            name: name.to_owned(),
            hint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<Prepared<'static>>();
    }
}
