//! Rule tests as data (`labfit: rule-tests/v1`): rule cases (facts + params → expected
//! outcome) and profile cases (evidence + profile → expected verdict, gates, fit range), run by
//! `labfit test` and by `cargo test` for the built-in pack.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::engine::error::Error;
use crate::engine::{Engine, Options};
use crate::evidence::{Evidence, FactMap, Status};
use crate::graph::NodeKind;
use crate::input::date::Date;
use crate::input::error::{did_you_mean, InputError};
use crate::input::kind::FileKind;
use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{self, unique_map, Name, NameKind, ParamK, ParseContext, ReqRef};
use crate::profile::{ParamEntry, ParamValue};
use crate::report::{GateState, Verdict};
use crate::rules::{FactTable, OutcomeStatus, Params};

/// The file kind of rule tests.
pub const KIND: &str = FileKind::RuleTests.header();

/// Fixed evaluation date of rule cases without `as_of`, so results never depend on the day
/// the tests run.
pub const DEFAULT_CASE_DATE: &str = "2026-01-01";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    requirement: Option<Name<ReqRef>>,
    #[serde(default)]
    facts: Option<FactMap>,
    #[serde(default, deserialize_with = "opt_params")]
    params: Option<BTreeMap<Name<ParamK>, ParamEntry>>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default, deserialize_with = "opt_assume")]
    assume: Option<BTreeMap<String, yaml_serde::Value>>,
    #[serde(default)]
    as_of: Option<Date>,
    expect: Expect,
}

fn opt_params<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<Name<ParamK>, ParamEntry>>, D::Error> {
    unique_map(d).map(Some)
}

fn opt_assume<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, yaml_serde::Value>>, D::Error> {
    unique_map(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    status: Option<OutcomeStatus>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    note_contains: Option<String>,
    #[serde(default)]
    verdict: Option<Verdict>,
    #[serde(default, deserialize_with = "opt_gates")]
    gates: Option<BTreeMap<Name<ReqRef>, GateState>>,
    #[serde(default)]
    fit: Option<[f64; 2]>,
    #[serde(default)]
    potential: Option<[f64; 2]>,
}

fn opt_gates<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<Name<ReqRef>, GateState>>, D::Error> {
    unique_map(d).map(Some)
}

impl<'de> Deserialize<'de> for OutcomeStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "pass" => OutcomeStatus::Pass,
            "fail" => OutcomeStatus::Fail,
            "partial" => OutcomeStatus::Partial,
            "unknown" => OutcomeStatus::Unknown,
            "not_applicable" => OutcomeStatus::NotApplicable,
            "error" => OutcomeStatus::Error,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown outcome `{other}`, expected pass, fail, partial, unknown, not_applicable or error"
                )))
            }
        })
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "strong" => Verdict::Strong,
            "moderate" => Verdict::Moderate,
            "weak" => Verdict::Weak,
            "conditional" => Verdict::Conditional,
            "ineligible" => Verdict::Ineligible,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown verdict `{other}`, expected strong, moderate, weak, conditional or ineligible"
                )))
            }
        })
    }
}

impl<'de> Deserialize<'de> for GateState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "met" => GateState::Met,
            "open" => GateState::Open,
            "failed" => GateState::Failed,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown gate state `{other}`, expected met, open or failed"
                )))
            }
        })
    }
}

/// What kind of case ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// Facts + params → one rule's outcome.
    Rule,
    /// Evidence + profile → verdict, gates, scores.
    Profile,
}

/// One case's result.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Where the case is written.
    pub location: Location,
    /// Rule or profile case.
    pub kind: CaseKind,
    /// For rule cases: the requirement tested.
    pub requirement: Option<String>,
    /// For rule cases: the outcome status seen.
    pub status: Option<OutcomeStatus>,
    /// Each expectation that did not hold; empty when the case passed.
    pub failures: Vec<Mismatch>,
}

/// One expectation of a case that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What was compared: `status`, `value`, `note`, `verdict`, `gate ID`, `fit`, `potential`.
    pub what: String,
    /// What the case expects.
    pub expected: String,
    /// What the run produced.
    pub got: String,
}

impl Mismatch {
    fn new(what: impl Into<String>, expected: impl fmt::Display, got: impl fmt::Display) -> Self {
        Mismatch {
            what: what.into(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.what, self.expected, self.got
        )
    }
}

/// Which rules the cases exercise, for `labfit test --coverage`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Leaf requirements in scope.
    pub leaves: usize,
    /// Leaves no rule case tests.
    pub untested: Vec<String>,
    /// Leaves tested, but never with a passing outcome.
    pub never_pass: Vec<String>,
    /// Leaves tested, but never with an outcome other than pass.
    pub never_other: Vec<String>,
}

/// Coverage of the leaf requirements of the given rule packs (`builtin`, or a `--rules`
/// directory as given) by the rule cases among `results`. Profile cases do not count: they
/// show that a profile works, not that each rule was exercised on purpose.
pub fn coverage(engine: &Engine, results: &[CaseResult], packs: &[String]) -> Coverage {
    let mut seen: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for r in results {
        if let (CaseKind::Rule, Some(req), Some(status)) = (r.kind, &r.requirement, r.status) {
            let e = seen.entry(req.as_str()).or_insert((false, false));
            if status == OutcomeStatus::Pass {
                e.0 = true;
            } else {
                e.1 = true;
            }
        }
    }
    let mut out = Coverage::default();
    for n in engine.graph().nodes() {
        if !matches!(n.kind, NodeKind::Leaf { .. }) || !packs.contains(&n.req.pack) {
            continue;
        }
        out.leaves += 1;
        match seen.get(n.req.id.as_str()) {
            None => out.untested.push(n.req.id.clone()),
            Some((pass, other)) => {
                if !pass {
                    out.never_pass.push(n.req.id.clone());
                }
                if !other {
                    out.never_other.push(n.req.id.clone());
                }
            }
        }
    }
    out
}

impl CaseResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every case of one test file.
pub fn run_file(engine: &Engine, file: &SourceFile) -> Result<Vec<CaseResult>, Error> {
    let raw: TestFile = yaml::parse(
        file,
        KIND,
        Some(engine.vocabulary().clone() as Arc<dyn ParseContext>),
    )?;
    let mut out = Vec::with_capacity(raw.cases.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut req_seen: BTreeMap<String, usize> = BTreeMap::new();
    for case in raw.cases {
        let nth = seen.entry(case.name.clone()).or_insert(0);
        *nth += 1;
        let location = locate_case(file, &case.name, *nth);
        let req_nth = match &case.requirement {
            Some(r) => {
                let n = req_seen.entry(r.0.clone()).or_insert(0);
                *n += 1;
                *n
            }
            None => 0,
        };
        out.push(run_case(engine, file, case, location, req_nth)?);
    }
    Ok(out)
}

/// Checks a test file without running it (for `labfit check`): its syntax and types, and that
/// every case names a leaf requirement, or a profile and evidence that load.
/// Every independent error of the file is reported, as `yaml::recover` finds them; the
/// cases are then checked on what still parses.
pub fn check_file(engine: &Engine, file: &SourceFile) -> Vec<Error> {
    let vocab = engine.vocabulary().clone() as Arc<dyn ParseContext>;
    let (parse_errors, parsed) = yaml::recover(
        file,
        |f| yaml::parse::<TestFile>(f, KIND, Some(vocab.clone())),
        yaml::itself,
    );
    let mut errors: Vec<Error> = parse_errors.into_iter().map(Error::from).collect();
    let Some((read, raw)) = parsed else {
        return errors;
    };
    // Positions are found in the text that parsed (the same lines, broken entries blanked).
    let file = &read;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut req_seen: BTreeMap<String, usize> = BTreeMap::new();
    for case in raw.cases {
        let nth = seen.entry(case.name.clone()).or_insert(0);
        *nth += 1;
        let location = locate_case(file, &case.name, *nth);
        let result = match (&case.requirement, &case.profile) {
            (Some(req), None) => {
                let n = req_seen.entry(req.0.clone()).or_insert(0);
                *n += 1;
                rule_target(engine, file, &case.name, &req.0, *n).map(|_| ())
            }
            (None, Some(p)) => {
                engine
                    .profile(&resolve_near(file, p))
                    .and_then(|_| match &case.evidence {
                        Some(e) => engine.evidence(&resolve_near(file, e)).map(|_| ()),
                        None => Err(InputError::invalid(
                            location.clone(),
                            format!("profile case `{}` names no `evidence`", case.name),
                            Some("add `evidence: PROVIDER-ID` or a path".into()),
                        )
                        .into()),
                    })
            }
            _ => Err(InputError::invalid(
                location.clone(),
                format!(
                    "case `{}` needs either `requirement` or `profile`",
                    case.name
                ),
                Some(
                    "a rule case names a requirement; a profile case names a profile and evidence"
                        .into(),
                ),
            )
            .into()),
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    errors
}

/// The check index of the leaf a rule case tests, or the error naming what is wrong.
fn rule_target(
    engine: &Engine,
    file: &SourceFile,
    case: &str,
    req: &str,
    nth: usize,
) -> Result<usize, Error> {
    let graph = engine.graph();
    let Some(i) = graph.find(req) else {
        return Err(InputError::invalid(
            yaml::locate::<TestFile>(file, NameKind::RequirementRef, req, nth),
            format!("case `{case}` tests unknown requirement `{req}`"),
            did_you_mean(req, graph.ids())
                .or_else(|| Some("see `labfit list requirements`".into())),
        )
        .into());
    };
    match graph.node(i).map(|n| &n.kind) {
        Some(NodeKind::Leaf { rule }) => Ok(*rule),
        _ => Err(InputError::invalid(
            yaml::locate::<TestFile>(file, NameKind::RequirementRef, req, nth),
            format!("case `{case}` tests `{req}`, which is a composite"),
            Some("rule cases test leaves; test composites with a profile case".into()),
        )
        .into()),
    }
}

fn locate_case(file: &SourceFile, name: &str, nth: usize) -> Location {
    let mut seen = 0;
    for (i, line) in file.text().lines().enumerate() {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        if let Some(rest) = t.strip_prefix("name:") {
            let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
            if v == name {
                seen += 1;
                if seen == nth {
                    let col = line.find("name:").map_or(1, |c| c + 1);
                    return file.location(i + 1, col);
                }
            }
        }
    }
    file.location(1, 1)
}

fn run_case(
    engine: &Engine,
    file: &SourceFile,
    case: Case,
    location: Location,
    req_nth: usize,
) -> Result<CaseResult, Error> {
    let bad = |message: String, hint: &str| -> Error {
        InputError::invalid(location.clone(), message, Some(hint.to_owned())).into()
    };
    match (&case.requirement, &case.profile) {
        (Some(_), Some(_)) => Err(bad(
            format!("case `{}` has both `requirement` and `profile`", case.name),
            "a rule case names a requirement; a profile case names a profile and evidence",
        )),
        (None, None) => Err(bad(
            format!(
                "case `{}` has neither `requirement` nor `profile`",
                case.name
            ),
            "add `requirement: ID` (rule case) or `profile:` + `evidence:` (profile case)",
        )),
        (Some(req), None) => {
            let req = req.0.clone();
            rule_case(engine, file, case, &req, location, req_nth)
        }
        (None, Some(_)) => profile_case(engine, file, case, location),
    }
}

fn rule_case(
    engine: &Engine,
    file: &SourceFile,
    case: Case,
    req: &str,
    location: Location,
    req_nth: usize,
) -> Result<CaseResult, Error> {
    let graph = engine.graph();
    let rule = rule_target(engine, file, &case.name, req, req_nth)?;
    let as_of = case
        .as_of
        .unwrap_or_else(|| DEFAULT_CASE_DATE.parse().unwrap_or(Date::from_days(0)));
    let mut ev = Evidence::synthetic(&format!("test:{}", case.name), as_of);
    for (k, f) in case.facts.map(|m| m.0).unwrap_or_default() {
        ev.facts.insert(
            k,
            crate::evidence::Fact {
                status: f.status.unwrap_or(Status::Claimed),
                value: f.value,
                source: None,
                note: f.note,
                as_of: f.as_of,
                expires: f.expires,
                covers: f.covers,
                history: f.history,
            },
        );
    }
    let services = engine.vocabulary().default_services();
    let table = Arc::new(FactTable::new(
        &ev,
        engine.vocabulary(),
        as_of,
        None,
        &services,
    ));
    let params: Params = Arc::new(
        case.params
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.into_string(), v.value))
            .collect::<BTreeMap<String, ParamValue>>(),
    );
    let Some(check) = graph.checks().get(rule) else {
        return Err(
            InputError::invalid(location, "internal: check index out of range", None).into(),
        );
    };
    let o = engine
        .rules()
        .evaluate(&check.file, &check.function, &table, &params);
    let mut failures = Vec::new();
    let e = &case.expect;
    if e.verdict.is_some() || e.gates.is_some() || e.fit.is_some() || e.potential.is_some() {
        return Err(InputError::invalid(
            location,
            format!(
                "rule case `{}` expects a verdict, gates or scores",
                case.name
            ),
            Some("rule cases expect status, value and note_contains".into()),
        )
        .into());
    }
    if let Some(s) = e.status {
        if s != o.status {
            let mut got = format!("{} ({:?})", o.status, o.note);
            if let Some(err) = &o.error {
                let _ = write!(got, " at {}", err.location);
            }
            failures.push(Mismatch::new("status", s, got));
        }
    }
    if let Some(v) = e.value {
        let got = match o.status {
            OutcomeStatus::Pass => Some(1.0),
            OutcomeStatus::Fail => Some(0.0),
            _ => o.value,
        };
        match got {
            Some(g) if (g - v).abs() <= 1e-9 => {}
            Some(g) => failures.push(Mismatch::new("value", v, g)),
            None => failures.push(Mismatch::new("value", v, format!("none ({})", o.status))),
        }
    }
    if let Some(n) = &e.note_contains {
        if !o.note.contains(n.as_str()) {
            failures.push(Mismatch::new(
                "note",
                format!("to contain {n:?}"),
                format!("{:?}", o.note),
            ));
        }
    }
    Ok(CaseResult {
        name: case.name,
        location,
        kind: CaseKind::Rule,
        requirement: Some(req.to_owned()),
        status: Some(o.status),
        failures,
    })
}

fn resolve_near(file: &SourceFile, name: &str) -> String {
    if file.is_builtin() || !(name.contains('/') || name.ends_with(".yaml")) {
        return name.to_owned();
    }
    let base = Path::new(file.name())
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let p: PathBuf = base.join(name);
    if p.exists() {
        normalize(&p)
    } else {
        name.to_owned()
    }
}

/// `a/b/../c` as `a/c`, so a file reached through a relative path has the same name as when
/// it is named directly (diagnostics and reports then agree).
fn normalize(p: &Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let out: PathBuf = parts.iter().collect();
    out.to_string_lossy().replace('\\', "/")
}

fn profile_case(
    engine: &Engine,
    file: &SourceFile,
    case: Case,
    location: Location,
) -> Result<CaseResult, Error> {
    let bad = |message: String, hint: &str| -> Error {
        InputError::invalid(location.clone(), message, Some(hint.to_owned())).into()
    };
    let Some(ev_name) = &case.evidence else {
        return Err(bad(
            format!("profile case `{}` names no `evidence`", case.name),
            "add `evidence: PROVIDER-ID` or a path",
        ));
    };
    if case.facts.is_some() || case.params.is_some() {
        return Err(bad(format!("profile case `{}` has `facts` or `params`", case.name), "profile cases read facts from `evidence` and params from `profile`; use `assume` for what-ifs"));
    }
    let profile = engine.profile(&resolve_near(
        file,
        case.profile.as_deref().unwrap_or_default(),
    ))?;
    let evidence = engine.evidence(&resolve_near(file, ev_name))?;
    let mut options = Options {
        as_of: Some(case.as_of.unwrap_or(evidence.as_of)),
        assumptions: Vec::new(),
    };
    for (k, v) in case.assume.unwrap_or_default() {
        let raw = match v {
            yaml_serde::Value::String(s) => s,
            yaml_serde::Value::Bool(b) => b.to_string(),
            yaml_serde::Value::Number(n) => n.to_string(),
            // A list fact is assumed from its items, as `--assume KEY=a,b` does.
            yaml_serde::Value::Sequence(items)
                if items
                    .iter()
                    .all(|i| matches!(i, yaml_serde::Value::String(_))) =>
            {
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }
            other => {
                return Err(bad(
                    format!("assumption `{k}` has an unsupported value {other:?}"),
                    "write a scalar",
                ))
            }
        };
        options
            .assumptions
            .push(engine.assumption(&format!("{k}={raw}"))?);
    }
    let report = engine.score(&profile, &evidence, &options);
    let e = &case.expect;
    if e.status.is_some() || e.value.is_some() || e.note_contains.is_some() {
        return Err(bad(
            format!("profile case `{}` expects a rule outcome", case.name),
            "profile cases expect verdict, gates, fit and potential",
        ));
    }
    let mut failures = Vec::new();
    if let Some(v) = e.verdict {
        if v != report.verdict {
            failures.push(Mismatch::new(
                "verdict",
                v,
                format!(
                    "{} (fit {:.1}, potential {:.1})",
                    report.verdict, report.fit, report.potential
                ),
            ));
        }
    }
    for (id, want) in e.gates.iter().flatten() {
        match report.gate(&id.0) {
            Some(g) if g.state == *want => {}
            Some(g) => failures.push(Mismatch::new(
                format!("gate {}", id.0),
                want,
                format!("{} ({})", g.state, g.reason),
            )),
            None => failures.push(Mismatch::new(
                format!("gate {}", id.0),
                want,
                "no such must-have in the profile",
            )),
        }
    }
    for (what, range, got) in [
        ("fit", e.fit, report.fit),
        ("potential", e.potential, report.potential),
    ] {
        if let Some([lo, hi]) = range {
            if got < lo - 1e-9 || got > hi + 1e-9 {
                failures.push(Mismatch::new(
                    what,
                    format!("within [{lo}, {hi}]"),
                    format!("{got:.3}"),
                ));
            }
        }
    }
    Ok(CaseResult {
        name: case.name,
        location,
        kind: CaseKind::Profile,
        requirement: None,
        status: None,
        failures,
    })
}
