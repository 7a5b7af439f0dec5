//! Rules are untrusted Rhai code. This module holds the sandbox (every limit, in one place),
//! the rule API (`fact`, `param`, outcomes, `ramp`, `nines`), compilation (once per file per
//! process) and evaluation: a rule that errors, loops or breaks a limit becomes outcome `error`
//! with its position, and never stops the run.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rhai::{
    CallFnOptions, Dynamic, EvalAltResult, ImmutableString, Map, Position, Scope, AST, FLOAT, INT,
};
use serde::Serialize;

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::{Evidence, FactValue, Status};
use crate::input::date::Date;
use crate::input::error::did_you_mean;
use crate::input::sorted::take_key;
use crate::input::source::{Location, SourceFile};
use crate::profile::ParamValue;

mod lower;
mod memo;

pub use memo::Memo;
use memo::{Ask, Ended, Field, Seen};

/// Every limit a rule runs under, in one place (docs/sandbox.md explains each, with the error
/// it produces). Rules are a few lines each and read a few facts: the built-in rules need under
/// 500 operations and a few hundred bytes of strings. These bounds are far above that and low
/// enough that a hostile rule ends in well under a second, in debug builds too (the measured
/// times are in docs/testing.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Rhai operations per evaluation (an infinite loop ends here). It also bounds what the
    /// size limits cannot see: Rhai does not size-check a map grown by index assignment
    /// (`m[k] = v`), so such a map holds at most about `max_operations / 6` new keys.
    pub max_operations: u64,
    /// Function call depth (unbounded recursion ends here; kept low so that even a debug
    /// build on a 2 MiB thread stack cannot overflow).
    pub max_call_levels: usize,
    /// Expression nesting at the top level, checked when compiling.
    pub max_expr_depth: usize,
    /// Expression nesting inside functions, checked when compiling.
    pub max_fn_expr_depth: usize,
    /// Bytes of string in one value (all strings inside an array or map count together).
    pub max_string_size: usize,
    /// Elements in one array (nested arrays count together).
    pub max_array_size: usize,
    /// Entries in one map (nested maps count together).
    pub max_map_size: usize,
    /// Variables alive at once.
    pub max_variables: usize,
    /// Functions defined in one rule file.
    pub max_functions: usize,
    /// Wall-clock time per evaluation, a backstop for work that is slow per operation.
    pub deadline: Duration,
    /// Lines of `print` / `debug` output kept per evaluation (the rest is dropped); each line
    /// is cut to 200 characters.
    pub max_output_lines: usize,
}

impl Limits {
    /// The limits every rule runs under.
    pub const DEFAULT: Limits = Limits {
        max_operations: 50_000,
        max_call_levels: 24,
        max_expr_depth: 64,
        max_fn_expr_depth: 32,
        max_string_size: 16 * 1024,
        max_array_size: 4_096,
        max_map_size: 256,
        max_variables: 256,
        max_functions: 256,
        deadline: Duration::from_millis(500),
        max_output_lines: 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Builds the Rhai engine every rule runs in: the sandbox (all of [`Limits`], no `eval`, no
/// modules, strict variables, captured output) and the rule API.
pub fn sandbox(limits: Limits) -> rhai::Engine {
    let mut e = rhai::Engine::new();
    // A check is entered through a one-statement script (`RuleSet::call_entry`) whose call
    // counts one operation; the body keeps the whole limit, as under `call_fn`. 0 is no limit.
    e.set_max_operations(
        limits
            .max_operations
            .saturating_add(u64::from(limits.max_operations > 0)),
    )
    .set_max_call_levels(limits.max_call_levels)
    .set_max_expr_depths(limits.max_expr_depth, limits.max_fn_expr_depth)
    .set_max_string_size(limits.max_string_size)
    .set_max_array_size(limits.max_array_size)
    .set_max_map_size(limits.max_map_size)
    .set_max_variables(limits.max_variables)
    .set_max_functions(limits.max_functions)
    .set_strict_variables(true)
    .set_fail_on_invalid_map_property(true)
    // One shared engine is used from many threads; the string interner would serialise them.
    .set_max_strings_interned(0);
    e.disable_symbol("eval");
    // Rules must be pure functions of the facts and parameters they read (the memo relies on
    // it): no clock, and no `sleep`, which would also hold a thread past the deadline.
    e.register_fn("timestamp", || -> Result<Dynamic, Box<EvalAltResult>> {
        Err("the clock is not available in rules".into())
    });
    e.register_fn("sleep", |_: INT| -> Result<(), Box<EvalAltResult>> {
        Err("`sleep` is not available in rules".into())
    });
    e.register_fn("sleep", |_: FLOAT| -> Result<(), Box<EvalAltResult>> {
        Err("`sleep` is not available in rules".into())
    });
    let deadline = limits.deadline;
    e.on_progress(move |ops| {
        if ops % 16 != 0 {
            None
        } else if past_deadline(deadline) {
            Some(Dynamic::from(format!(
                "the rule ran past its {} ms deadline",
                deadline.as_millis()
            )))
        } else if past_budget() {
            Some(Dynamic::from(BUDGET_SPENT))
        } else {
            None
        }
    });
    let max_lines = limits.max_output_lines;
    e.on_print(move |s| capture_output(s, max_lines));
    e.on_debug(move |s, _, _| capture_output(s, max_lines));
    api::register(&mut e);
    e
}

/// What a check concluded.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// Full credit.
    Pass,
    /// No credit.
    Fail,
    /// Credit in (0, 1).
    Partial,
    /// Could be anything in [0, 1]: the evidence is missing.
    Unknown,
    /// The requirement does not apply: excluded from the score.
    NotApplicable,
    /// The rule failed: [0, 1], and reported.
    Error,
}

impl OutcomeStatus {
    /// As written in reports and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Pass => "pass",
            OutcomeStatus::Fail => "fail",
            OutcomeStatus::Partial => "partial",
            OutcomeStatus::Unknown => "unknown",
            OutcomeStatus::NotApplicable => "not_applicable",
            OutcomeStatus::Error => "error",
        }
    }
}

impl fmt::Display for OutcomeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a fact the evidence states reaches the rules as unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lapse {
    /// It does not cover every kind of service the lab will use.
    OutOfScope {
        /// The kinds it covers.
        covers: Vec<String>,
        /// The kinds the lab uses that it does not cover.
        missing: Vec<String>,
    },
    /// It expired: its own `expires`, or the validity of its kind (`by_kind`).
    Expired {
        /// The last day it held.
        on: Date,
        /// True when the vocabulary's validity for the kind set the date.
        by_kind: bool,
    },
    /// It is older than the profile's `max_evidence_age_days`.
    TooOld {
        /// The profile's limit.
        max_days: u32,
    },
}

impl Lapse {
    /// Why, in a few words for a note.
    pub fn reason(&self) -> String {
        match self {
            Lapse::OutOfScope { covers, missing } => format!(
                "covers {} only, not {}",
                covers.join(", "),
                missing.join(", ")
            ),
            Lapse::Expired { on, by_kind: true } => {
                format!("expired on {on} (documents of this kind stay valid for a fixed time)")
            }
            Lapse::Expired { on, by_kind: false } => format!("expired on {on}"),
            Lapse::TooOld { max_days } => {
                format!("older than the profile's limit of {max_days} days")
            }
        }
    }
}

/// A fact as a rule read it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FactRead {
    /// Key.
    pub key: Arc<str>,
    /// Value (absent when unknown; kept for stale facts so the report can show it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<FactValue>,
    /// Status as in the evidence (`unknown` when absent).
    pub status: Status,
    /// Whether the rule saw it as known (not unknown, not stale, not expired).
    pub known: bool,
    /// Too old for the profile, or past its `expires`.
    pub stale: bool,
    /// Days from the fact's date to the evaluation date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// The source id, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The evidence's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when the evidence file does not mention the key at all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// The kinds of service the fact covers, when the evidence limits it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covers: Option<Vec<String>>,
    /// Why a stated fact counts as unknown (out of scope, expired, too old).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lapse: Option<Lapse>,
}

/// A parameter as a rule read it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParamRead {
    /// Name.
    pub name: String,
    /// Value (absent when the profile lacks it).
    pub value: Option<ParamValue>,
}

/// Why a rule's outcome is `error`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleFailure {
    /// What went wrong.
    pub message: String,
    /// Where, in the rule file.
    pub location: Location,
}

/// The result of evaluating one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// What it concluded.
    pub status: OutcomeStatus,
    /// The credit for pass (1), fail (0) and partial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The rule's explanation (shared with the memo's ending and the report's requirement).
    pub note: Arc<str>,
    /// Facts read, in order of first read (the fact table's records, shared).
    pub facts: Vec<Arc<FactRead>>,
    /// Parameters read, in order of first read.
    pub params: Vec<ParamRead>,
    /// Set when the status is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RuleFailure>,
    /// Captured `print` / `debug` lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
}

impl Outcome {
    fn failed(failure: RuleFailure) -> Outcome {
        Outcome {
            status: OutcomeStatus::Error,
            value: None,
            note: format!("rule error: {}", failure.message).into(),
            facts: Vec::new(),
            params: Vec::new(),
            error: Some(failure),
            output: Vec::new(),
        }
    }
}

/// A provider's facts prepared for rules as of one date and staleness limit: every vocabulary
/// key, its value converted to a Rhai value once, when a rule first reads it (a profile's
/// rules read about half of the vocabulary).
#[derive(Debug)]
pub struct FactTable {
    /// One entry per vocabulary key, sorted by key (the vocabulary iterates in key order), so
    /// a lookup is a binary search and building the table allocates no map.
    entries: Vec<(OnceLock<Dynamic>, Arc<FactRead>)>,
}

/// The record of each vocabulary key as rules see it in evidence that does not state it, in
/// the vocabulary's order. Many keys are unstated for any one provider (the built-in ones
/// state between 5 and 38 of the vocabulary's 65 keys), so an engine builds these once and
/// every fact table shares them rather than allocating a key and a record for each.
#[derive(Debug, Default)]
pub(crate) struct Unstated(Vec<Arc<FactRead>>);

impl Unstated {
    pub(crate) fn of(vocab: &Vocabulary) -> Unstated {
        Unstated(
            vocab
                .iter()
                .map(|(key, _)| Arc::new(FactRead::unstated(key)))
                .collect(),
        )
    }
}

impl FactRead {
    /// A key the evidence does not mention.
    fn unstated(key: &str) -> FactRead {
        FactRead {
            key: key.into(),
            value: None,
            status: Status::Unknown,
            known: false,
            stale: false,
            age_days: None,
            source: None,
            note: None,
            missing: true,
            covers: None,
            lapse: None,
        }
    }
}

impl FactTable {
    /// Prepares `evidence` for evaluation on `as_of` by a lab that uses `services`. A stated
    /// fact counts as unknown when it covers only some of those services, when it is past its
    /// `expires` or its kind's validity, or when it is older than `max_age_days` (when set).
    pub fn new(
        evidence: &Evidence,
        vocab: &Vocabulary,
        as_of: Date,
        max_age_days: Option<u32>,
        services: &[String],
    ) -> FactTable {
        FactTable::build(evidence, vocab, None, as_of, max_age_days, services)
    }

    /// As [`FactTable::new`], sharing the records of the keys `evidence` does not state
    /// from `unstated` (built from the same vocabulary) instead of making each anew.
    pub(crate) fn with_unstated(
        evidence: &Evidence,
        vocab: &Vocabulary,
        unstated: &Unstated,
        as_of: Date,
        max_age_days: Option<u32>,
        services: &[String],
    ) -> FactTable {
        FactTable::build(
            evidence,
            vocab,
            Some(unstated),
            as_of,
            max_age_days,
            services,
        )
    }

    fn build(
        evidence: &Evidence,
        vocab: &Vocabulary,
        unstated: Option<&Unstated>,
        as_of: Date,
        max_age_days: Option<u32>,
        services: &[String],
    ) -> FactTable {
        let mut entries = Vec::with_capacity(vocab.len());
        // Both are sorted by key: one pass over the evidence finds each key's fact.
        let mut stated = evidence.facts.iter().peekable();
        // `unstated` follows the vocabulary's order too; a record is taken only for its own
        // key, so one built from another vocabulary can cost time but never a wrong fact.
        let mut shared = unstated.map(|u| u.0.iter());
        for (key, spec) in vocab.iter() {
            let blank = shared.as_mut().and_then(Iterator::next);
            let found = take_key(&mut stated, key);
            let read = match found {
                None => match blank {
                    Some(b) if *b.key == *key => {
                        entries.push((OnceLock::new(), b.clone()));
                        continue;
                    }
                    _ => FactRead::unstated(key),
                },
                Some(f) => {
                    let date = evidence.fact_date(f);
                    let age = date.days_until(as_of);
                    let lapse = if f.value.is_none() || f.status == Status::Assumed {
                        None
                    } else {
                        lapse(
                            f,
                            date,
                            age,
                            spec.valid_months,
                            as_of,
                            max_age_days,
                            services,
                        )
                    };
                    let stale = matches!(lapse, Some(Lapse::Expired { .. } | Lapse::TooOld { .. }));
                    FactRead {
                        // The engine's record of the key holds it already: shared, not copied.
                        key: blank
                            .filter(|b| *b.key == *key)
                            .map_or_else(|| key.into(), |b| b.key.clone()),
                        value: f.value.clone(),
                        status: f.status,
                        known: f.status != Status::Unknown && f.value.is_some() && lapse.is_none(),
                        stale,
                        age_days: Some(age),
                        source: f.source.clone(),
                        note: f.note.clone(),
                        missing: false,
                        covers: f.covers.clone(),
                        lapse,
                    }
                }
            };
            entries.push((OnceLock::new(), Arc::new(read)));
        }
        FactTable { entries }
    }

    /// Every fact as rules see it, sorted by key.
    pub fn reads(&self) -> impl Iterator<Item = &FactRead> {
        self.entries.iter().map(|(_, r)| &**r)
    }

    /// A fact as rules see it.
    pub fn get(&self, key: &str) -> Option<&FactRead> {
        self.entry(key).map(|(_, r)| &**r)
    }

    /// A fact as outcomes hold it: the table's record, shared rather than copied.
    pub fn shared(&self, key: &str) -> Option<&Arc<FactRead>> {
        self.entry(key).map(|(_, r)| r)
    }

    fn entry(&self, key: &str) -> Option<&(OnceLock<Dynamic>, Arc<FactRead>)> {
        self.entries
            .binary_search_by(|(_, r)| (*r.key).cmp(key))
            .ok()
            .and_then(|i| self.entries.get(i))
    }
}

/// Why a stated fact lapses, if it does: scope first (a certificate for another product never
/// applies, however recent), then expiry, then age.
fn lapse(
    f: &crate::evidence::Fact,
    date: Date,
    age: i64,
    valid_months: Option<u32>,
    as_of: Date,
    max_age_days: Option<u32>,
    services: &[String],
) -> Option<Lapse> {
    if let Some(covers) = &f.covers {
        let missing: Vec<String> = services
            .iter()
            .filter(|s| !covers.contains(s))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Some(Lapse::OutOfScope {
                covers: covers.clone(),
                missing,
            });
        }
    }
    let by_kind = valid_months.map(|m| date.add_months(m));
    let until = match (f.expires, by_kind) {
        (Some(e), Some(k)) if k < e => Some((k, true)),
        (Some(e), _) => Some((e, false)),
        (None, Some(k)) => Some((k, true)),
        (None, None) => None,
    };
    if let Some((on, by_kind)) = until.filter(|(on, _)| *on < as_of) {
        return Some(Lapse::Expired { on, by_kind });
    }
    max_age_days
        .filter(|m| age > i64::from(*m))
        .map(|max_days| Lapse::TooOld { max_days })
}

/// An unknown outcome's note, with why each stated fact it read counts as unknown: a rule
/// only sees "not known", the reader needs "expired on …" or "covers … only".
fn lapsed_note(status: OutcomeStatus, note: Arc<str>, facts: &[Arc<FactRead>]) -> Arc<str> {
    if status != OutcomeStatus::Unknown {
        return note;
    }
    let why: Vec<String> = facts
        .iter()
        .filter_map(|f| {
            f.lapse
                .as_ref()
                .map(|l| format!("`{}` {}", f.key, l.reason()))
        })
        .collect();
    if why.is_empty() {
        note
    } else if note.is_empty() {
        why.join("; ").into()
    } else {
        format!("{note} ({})", why.join("; ")).into()
    }
}

/// A fact as a Rhai map, for printing one (`print(f)`, `` `${f}` ``).
fn fact_map(r: &FactRead) -> Dynamic {
    let mut m = Map::new();
    let s = |v: &str| Dynamic::from(ImmutableString::from(v));
    m.insert("key".into(), s(&r.key));
    m.insert("known".into(), Dynamic::from(r.known));
    let value = match (&r.value, r.known) {
        (Some(v), true) => to_dynamic(v),
        _ => Dynamic::UNIT,
    };
    m.insert("value".into(), value);
    m.insert("status".into(), s(r.status.as_str()));
    m.insert(
        "source".into(),
        r.source.as_deref().map_or(Dynamic::UNIT, s),
    );
    m.insert("note".into(), r.note.as_deref().map_or(Dynamic::UNIT, s));
    m.insert("stale".into(), Dynamic::from(r.stale));
    m.insert(
        "reason".into(),
        r.lapse.as_ref().map_or(Dynamic::UNIT, |l| {
            Dynamic::from(ImmutableString::from(l.reason()))
        }),
    );
    m.insert(
        "age_days".into(),
        r.age_days
            .map_or(Dynamic::UNIT, |a| Dynamic::from(a as INT)),
    );
    Dynamic::from_map(m)
}

fn to_dynamic(v: &FactValue) -> Dynamic {
    match v {
        FactValue::Bool(b) => Dynamic::from(*b),
        FactValue::Integer(i) => Dynamic::from(*i as INT),
        FactValue::Number(n) => Dynamic::from(*n as FLOAT),
        FactValue::Text(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        FactValue::List(l) => Dynamic::from_array(
            l.iter()
                .map(|s| Dynamic::from(ImmutableString::from(s.as_str())))
                .collect(),
        ),
    }
}

fn param_dynamic(v: &ParamValue) -> Dynamic {
    match v {
        ParamValue::Bool(b) => Dynamic::from(*b),
        ParamValue::Number(n) => Dynamic::from(*n as FLOAT),
        ParamValue::Text(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        ParamValue::List(l) => Dynamic::from_array(l.iter().map(param_dynamic).collect()),
    }
}

/// Parameters as rules see them.
pub type Params = Arc<BTreeMap<String, ParamValue>>;

/// What one evaluation read and printed.
#[derive(Default)]
struct Reads {
    /// Indices of the facts read, in order of first read.
    facts: Vec<usize>,
    /// The parameters read, in order of first read, as the profile holds them.
    params: Vec<ParamRead>,
    output: Vec<String>,
    /// Every value read, in order, when the outcome is to be memoised; `None` once the path
    /// is too long to be worth keeping.
    trace: Option<Vec<(Ask, Seen)>>,
}

impl Reads {
    fn record(&mut self, ask: impl FnOnce() -> (Ask, Seen)) {
        if let Some(t) = &mut self.trace {
            if t.len() < memo::MAX_TRACE {
                t.push(ask());
            } else {
                self.trace = None;
            }
        }
    }
}

struct Current {
    facts: Arc<FactTable>,
    params: Params,
    reads: Reads,
}

/// What `fact(key)` returns: a handle on one fact of the table, cheap to copy. Each field is
/// read through a getter, so the memo knows exactly which fields a rule looked at (a rule
/// that never reads `age_days` gives the same outcome for facts of any age).
#[derive(Clone)]
pub(crate) struct FactView {
    table: Arc<FactTable>,
    idx: usize,
}

/// The text of `param(name)`'s error when the profile does not set `name`.
fn missing_param_message(name: &str, params: &Params) -> String {
    let hint = did_you_mean(name, params.keys().map(String::as_str))
        .map(|h| format!("; {h}"))
        .unwrap_or_else(|| {
            "; declare it in a `labfit: parameters/v1` file, or set it in the profile's `params`"
                .to_owned()
        });
    format!("parameter `{name}` is not declared and the profile does not set it{hint}")
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
    static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The end of the time budget of the request this evaluation belongs to, if it has one.
    static UNTIL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The error of a rule stopped by its request's time budget ([`RuleSet::evaluate_with`]).
pub const BUDGET_SPENT: &str = "the request's time budget ran out while this rule ran";

fn past_deadline(deadline: Duration) -> bool {
    STARTED.with(|s| s.get().is_some_and(|t| t.elapsed() > deadline))
}

fn past_budget() -> bool {
    UNTIL.with(|u| u.get().is_some_and(|t| Instant::now() > t))
}

fn capture_output(s: &str, max_lines: usize) {
    CURRENT.with(|c| {
        if let Some(cur) = c.borrow_mut().as_mut() {
            if cur.reads.output.len() < max_lines {
                cur.reads.output.push(s.chars().take(200).collect());
            }
        }
    });
}

/// Clears the thread's evaluation state even if evaluation unwinds.
struct CurrentGuard;

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
        STARTED.with(|s| s.set(None));
        UNTIL.with(|u| u.set(None));
    }
}

/// The rule API registered in the sandbox.
mod api {
    use super::*;

    type R<T> = Result<T, Box<EvalAltResult>>;

    /// What a check returns; registered in Rhai as `Outcome`.
    #[derive(Clone, Debug)]
    pub(super) struct RhaiOutcome {
        pub(super) status: OutcomeStatus,
        pub(super) value: Option<f64>,
        pub(super) note: Arc<str>,
    }

    pub(super) fn outcome(status: OutcomeStatus, value: Option<f64>, note: &str) -> RhaiOutcome {
        RhaiOutcome {
            status,
            value,
            note: note.into(),
        }
    }

    fn num(d: &Dynamic, what: &str) -> R<f64> {
        if let Some(f) = d.clone().try_cast::<FLOAT>() {
            return Ok(f);
        }
        if let Some(i) = d.clone().try_cast::<INT>() {
            return Ok(i as f64);
        }
        Err(format!("{what} must be a number, got {}", d.type_name()).into())
    }

    fn with_current<T>(f: impl FnOnce(&mut Current) -> R<T>) -> R<T> {
        CURRENT.with(|c| match c.borrow_mut().as_mut() {
            Some(cur) => f(cur),
            None => Err("facts and parameters are only available while a check runs".into()),
        })
    }

    pub(super) fn fact(key: &str) -> R<FactView> {
        fact_hinted(key, None)
    }

    /// [`fact`], trying the place `hint` remembers first. A call site with a constant key
    /// finds it at the same place in every table of one vocabulary, so one comparison
    /// replaces a binary search; the place is checked, so a table of another vocabulary
    /// only costs the search again.
    pub(super) fn fact_hinted(key: &str, hint: Option<&AtomicUsize>) -> R<FactView> {
        with_current(|cur| {
            let entries = &cur.facts.entries;
            let hinted = hint
                .map(|h| h.load(Ordering::Relaxed))
                .filter(|&at| entries.get(at).is_some_and(|(_, r)| &*r.key == key));
            let found = match hinted {
                Some(at) => Ok(at),
                None => entries.binary_search_by(|(_, r)| (*r.key).cmp(key)),
            };
            if let (Some(h), Ok(at), None) = (hint, found, hinted) {
                h.store(at, Ordering::Relaxed);
            }
            match found {
                Ok(idx) => {
                    if !cur.reads.facts.contains(&idx) {
                        cur.reads.facts.push(idx);
                    }
                    Ok(FactView {
                        table: cur.facts.clone(),
                        idx,
                    })
                }
                Err(_) => {
                    // The table holds every vocabulary key.
                    let hint = did_you_mean(key, cur.facts.entries.iter().map(|(_, r)| &*r.key))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    Err(format!("fact key `{key}` is not in the vocabulary{hint}").into())
                }
            }
        })
    }

    /// One field of a fact, recorded for the memo.
    pub(super) fn field(v: &mut FactView, field: Field) -> Dynamic {
        let Some((cell, r)) = v.table.entries.get(v.idx) else {
            return Dynamic::UNIT;
        };
        CURRENT.with(|c| {
            if let Some(cur) = c.borrow_mut().as_mut() {
                cur.reads
                    .record(|| (Ask(v.idx, field), memo::seen_field(r, field)));
            }
        });
        let s = |v: &str| Dynamic::from(ImmutableString::from(v));
        match field {
            Field::Known => Dynamic::from(r.known),
            Field::Value => match (&r.value, r.known) {
                (Some(v), true) => cell.get_or_init(|| to_dynamic(v)).clone(),
                _ => Dynamic::UNIT,
            },
            Field::Status => s(r.status.as_str()),
            Field::Source => r.source.as_deref().map_or(Dynamic::UNIT, s),
            Field::Note => r.note.as_deref().map_or(Dynamic::UNIT, s),
            Field::Stale => Dynamic::from(r.stale),
            Field::Reason => r.lapse.as_ref().map_or(Dynamic::UNIT, |l| s(&l.reason())),
            Field::AgeDays => r
                .age_days
                .map_or(Dynamic::UNIT, |a| Dynamic::from(a as INT)),
        }
    }

    fn key(v: &mut FactView) -> Dynamic {
        v.table.entries.get(v.idx).map_or(Dynamic::UNIT, |(_, r)| {
            Dynamic::from(ImmutableString::from(&*r.key))
        })
    }

    const FIELDS: &str = "key, known, value, status, source, note, stale, reason, age_days";

    fn field_named(name: &str) -> Option<Field> {
        Some(match name {
            "known" => Field::Known,
            "value" => Field::Value,
            "status" => Field::Status,
            "source" => Field::Source,
            "note" => Field::Note,
            "stale" => Field::Stale,
            "reason" => Field::Reason,
            "age_days" => Field::AgeDays,
            _ => return None,
        })
    }

    /// `f["value"]`, as on the map a fact used to be.
    fn index(v: &mut FactView, name: &str) -> R<Dynamic> {
        if name == "key" {
            return Ok(key(v));
        }
        match field_named(name) {
            Some(f) => Ok(field(v, f)),
            None => Err(format!("a fact has no field `{name}`; its fields are {FIELDS}").into()),
        }
    }

    /// A fact printed shows every field, so printing one reads them all.
    fn display(v: &mut FactView) -> String {
        for f in Field::ALL {
            let _ = field(v, f);
        }
        v.table
            .entries
            .get(v.idx)
            .map(|(_, r)| fact_map(r).to_string())
            .unwrap_or_default()
    }

    /// The parameter as a rule sees it, recorded for the outcome: one lookup, and the value
    /// converted from the profile's own copy. The memo's path does not hold it: its tries are
    /// per parameter set, under which a read always gives this value.
    fn record_param(cur: &mut Current, name: &str) -> Option<Dynamic> {
        let value = cur.params.get(name);
        if !cur.reads.params.iter().any(|p| p.name == name) {
            cur.reads.params.push(ParamRead {
                name: name.to_owned(),
                value: value.cloned(),
            });
        }
        value.map(param_dynamic)
    }

    pub(super) fn param(name: &str) -> R<Dynamic> {
        with_current(|cur| match record_param(cur, name) {
            Some(v) => Ok(v),
            None => Err(missing_param_message(name, &cur.params).into()),
        })
    }

    pub(super) fn param_or(name: &str, default: Dynamic) -> R<Dynamic> {
        with_current(|cur| Ok(record_param(cur, name).unwrap_or(default)))
    }

    pub(super) fn partial(x: Dynamic, note: &str) -> R<RhaiOutcome> {
        let v = num(&x, "partial credit")?;
        if !(0.0..=1.0).contains(&v) {
            return Err(format!("partial credit must be within 0..1, got {v}").into());
        }
        Ok(outcome(OutcomeStatus::Partial, Some(v), note))
    }

    pub(super) fn ramp(x: Dynamic, lo: Dynamic, hi: Dynamic) -> R<FLOAT> {
        let (x, lo, hi) = (
            num(&x, "ramp's x")?,
            num(&lo, "ramp's lo")?,
            num(&hi, "ramp's hi")?,
        );
        if !(x.is_finite() && lo.is_finite() && hi.is_finite()) {
            return Err("ramp needs finite numbers".into());
        }
        if (hi - lo).abs() < f64::EPSILON {
            return Ok(if x >= hi { 1.0 } else { 0.0 });
        }
        Ok(((x - lo) / (hi - lo)).clamp(0.0, 1.0))
    }

    /// −log10(1 − pct/100), capped at 9 nines for 100 %.
    pub(super) fn nines(pct: Dynamic) -> R<FLOAT> {
        let p = num(&pct, "nines' percentage")?;
        if !(0.0..=100.0).contains(&p) {
            return Err(format!("nines needs a percentage within 0..100, got {p}").into());
        }
        let gap = 1.0 - p / 100.0;
        Ok(if gap <= 1e-9 { 9.0 } else { -gap.log10() })
    }

    /// A number for a note, without a trailing ".0" when it is whole (profile parameters
    /// arrive as floats): `shown(90.0)` is `90`, `shown(99.95)` is `99.95`, anything else is
    /// itself. Native because nearly every numeric check calls it, often three times.
    pub(super) fn shown(x: Dynamic) -> R<Dynamic> {
        let Some(f) = x.as_float().ok() else {
            return Ok(x);
        };
        #[expect(
            clippy::float_cmp,
            reason = "exactly whole, as the script's `x == x.floor()` was"
        )]
        if f != f.floor() {
            return Ok(x);
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "the same bounds as Rhai's own `to_int`"
        )]
        if f > INT::MAX as FLOAT || f < INT::MIN as FLOAT {
            return Err(format!("Integer overflow: to_int({f})").into());
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "whole and within range, checked above"
        )]
        Ok(Dynamic::from(f as INT))
    }

    /// The outcome of a yes/no fact: `unknown(missing)` when not known, else `pass(yes)` for
    /// true and `fail(no)` for false. Reads `known`, then `value`, as a script would.
    pub(super) fn yes_no(f: &mut FactView, yes: &str, no: &str, missing: &str) -> R<RhaiOutcome> {
        let known = field(f, Field::Known);
        if !known.as_bool().unwrap_or(false) {
            return Ok(outcome(OutcomeStatus::Unknown, None, missing));
        }
        match field(f, Field::Value).as_bool() {
            Ok(true) => Ok(outcome(OutcomeStatus::Pass, Some(1.0), yes)),
            Ok(false) => Ok(outcome(OutcomeStatus::Fail, Some(0.0), no)),
            Err(ty) => Err(format!("yes_no needs a yes/no fact, and this one is {ty}").into()),
        }
    }

    /// A [`YesNo`] check run without the interpreter: `fact(key)`, then `yes_no`, the very
    /// functions the script calls.
    pub(super) fn yes_no_native(y: &YesNo) -> R<RhaiOutcome> {
        let mut view = fact_hinted(&y.key, Some(&y.at))?;
        yes_no(&mut view, &y.yes, &y.no, &y.missing)
    }

    /// The items of a list of strings joined with commas, for a note (`listed(["a", "b"])` is
    /// `"a, b"`; an empty item at the front is dropped, as a fold that starts from `""` does).
    pub(super) fn listed(items: &mut rhai::Array) -> ImmutableString {
        let mut text = String::new();
        for item in items.iter() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            match item.read_lock::<ImmutableString>() {
                Some(s) => text.push_str(&s),
                None => text.push_str(&item.to_string()),
            }
        }
        text.into()
    }

    /// "s" after a count other than one (`1` and `1.0` are one).
    #[expect(
        clippy::float_cmp,
        reason = "exactly one, as the script's `n == 1` was"
    )]
    pub(super) fn plural(n: Dynamic) -> ImmutableString {
        let one = n.as_int().is_ok_and(|i| i == 1) || n.as_float().is_ok_and(|f| f == 1.0);
        (if one { "" } else { "s" }).into()
    }

    pub(super) fn register(e: &mut rhai::Engine) {
        e.register_type_with_name::<RhaiOutcome>("Outcome");
        e.register_type_with_name::<FactView>("Fact");
        e.register_fn("fact", fact);
        e.register_get("key", key);
        e.register_get("known", |v: &mut FactView| field(v, Field::Known));
        e.register_get("value", |v: &mut FactView| field(v, Field::Value));
        e.register_get("status", |v: &mut FactView| field(v, Field::Status));
        e.register_get("source", |v: &mut FactView| field(v, Field::Source));
        e.register_get("note", |v: &mut FactView| field(v, Field::Note));
        e.register_get("stale", |v: &mut FactView| field(v, Field::Stale));
        e.register_get("reason", |v: &mut FactView| field(v, Field::Reason));
        e.register_get("age_days", |v: &mut FactView| field(v, Field::AgeDays));
        e.register_indexer_get(index);
        e.register_fn("contains", |_: &mut FactView, name: &str| {
            name == "key" || field_named(name).is_some()
        });
        e.register_fn("to_string", display);
        e.register_fn("to_debug", display);
        e.register_fn("param", param);
        e.register_fn("param_or", param_or);
        e.register_fn("pass", |note: &str| {
            outcome(OutcomeStatus::Pass, Some(1.0), note)
        });
        e.register_fn("pass", || outcome(OutcomeStatus::Pass, Some(1.0), ""));
        e.register_fn("fail", |note: &str| {
            outcome(OutcomeStatus::Fail, Some(0.0), note)
        });
        e.register_fn("fail", || outcome(OutcomeStatus::Fail, Some(0.0), ""));
        e.register_fn("partial", partial);
        e.register_fn("unknown", |note: &str| {
            outcome(OutcomeStatus::Unknown, None, note)
        });
        e.register_fn("unknown", || outcome(OutcomeStatus::Unknown, None, ""));
        e.register_fn("not_applicable", |note: &str| {
            outcome(OutcomeStatus::NotApplicable, None, note)
        });
        e.register_fn("not_applicable", || {
            outcome(OutcomeStatus::NotApplicable, None, "")
        });
        e.register_fn("ramp", ramp);
        e.register_fn("nines", nines);
        e.register_fn("shown", shown);
        e.register_fn("yes_no", yes_no);
        e.register_fn("listed", listed);
        e.register_fn("plural", plural);
    }
}

/// A rule file compiled once.
#[derive(Debug)]
struct RuleFile {
    source: SourceFile,
    compiled: Result<AST, RuleFailure>,
    functions: BTreeSet<(String, usize)>,
    /// Its position among the set's files: with the set's id, which resolution cache is its.
    index: usize,
    /// Every function the file defines, by name.
    entries: foldhash::HashMap<String, Entry>,
    /// Its functions lowered to run without the interpreter (see [`lower`]).
    program: lower::Program,
}

/// One function of a rule file, as evaluations find it.
#[derive(Debug)]
struct Entry {
    /// Unique within the set: where the memo keeps this function's outcomes.
    rule: usize,
    /// For a function without parameters (a check), a one-statement script that calls it: run
    /// with the file's own resolution cache, kept per thread (see [`RuleSet::call_entry`]).
    call: Option<AST>,
    /// For a check that is exactly `yes_no(fact("key"), "yes", "no", "missing")`, those four
    /// strings: the check runs as the rule API's own functions, without the interpreter.
    yes_no: Option<YesNo>,
    /// For any other check, its lowered function in the file's [`lower::Program`].
    lowered: Option<usize>,
}

/// The one statement of a yes/no check (28 of the 63 built-in checks). Run natively, it reads
/// and records exactly what the script would (the fact, then `known`, then `value` when
/// known) and ends with the same outcome; anything that would end in an error (a key outside
/// the vocabulary, a fact that is not yes/no) runs through the interpreter instead, so its
/// message and position are the interpreter's.
#[derive(Debug)]
struct YesNo {
    key: String,
    /// Where the key was last found in a fact table (see `api::fact_hinted`).
    at: AtomicUsize,
    yes: String,
    no: String,
    missing: String,
}

fn line_col(p: Position) -> Option<(usize, usize)> {
    Some((p.line()?, p.position().unwrap_or(0)))
}

/// Every statement of `ast` that is outermost in its function body (or in the script), with
/// where it starts: one walk of a file, for [`yes_no_shape`] to find each body's statements.
fn outermost_statements(ast: &AST) -> Vec<((usize, usize), rhai::Stmt)> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let [rhai::ASTNode::Stmt(stmt)] = path {
            if let Some(at) = line_col(stmt.position()) {
                out.push((at, (*stmt).clone()));
            }
        }
        true
    });
    out
}

/// `function`'s [`YesNo`], when its body is that one call and nothing in its file can change
/// what `yes_no` and `fact` mean (the file defines neither, nor any getter).
fn yes_no_shape(
    ast: &AST,
    outermost: &[((usize, usize), rhai::Stmt)],
    function: &str,
    defined: &BTreeSet<(String, usize)>,
    limits: &Limits,
) -> Option<YesNo> {
    use rhai::{Expr, Stmt};
    if defined
        .iter()
        .any(|(n, _)| n == "yes_no" || n == "fact" || n.starts_with("get$"))
    {
        return None;
    }
    // The interpreter spends a few operations and call levels on such a check (0 operations
    // is no limit, 0 call levels allows no call); under limits that tight, it runs there and
    // fails as it would.
    if limits.max_operations != 0 && limits.max_operations < 16 {
        return None;
    }
    if limits.max_call_levels < 4 {
        return None;
    }
    // The body's statements are the file's outermost ones within its span (bodies never
    // overlap: Rhai has no nested functions).
    let def = ast
        .iter_fn_def()
        .find(|f| f.name == function && f.params.is_empty())?;
    let span = (
        line_col(def.body.start_position())?,
        line_col(def.body.end_position())?,
    );
    let top: Vec<&Stmt> = outermost
        .iter()
        .filter(|(at, _)| span.0 <= *at && *at <= span.1)
        .map(|(_, stmt)| stmt)
        .collect();
    let call = match top.as_slice() {
        [Stmt::FnCall(call, _)] => call,
        [Stmt::Expr(e)] => match e.as_ref() {
            Expr::FnCall(call, _) => call,
            _ => return None,
        },
        _ => return None,
    };
    let text = |e: &Expr| match e {
        Expr::StringConstant(s, _)
            if limits.max_string_size == 0 || s.len() <= limits.max_string_size =>
        {
            Some(s.to_string())
        }
        _ => None,
    };
    if call.name != "yes_no" || call.capture_parent_scope || call.op_token.is_some() {
        return None;
    }
    let [first, yes, no, missing] = call.args.as_slice() else {
        return None;
    };
    let Expr::FnCall(fact, _) = first else {
        return None;
    };
    if fact.name != "fact" || fact.capture_parent_scope || fact.op_token.is_some() {
        return None;
    }
    let [key] = fact.args.as_slice() else {
        return None;
    };
    Some(YesNo {
        key: text(key)?,
        at: AtomicUsize::new(usize::MAX),
        yes: text(yes)?,
        no: text(no)?,
        missing: text(missing)?,
    })
}

/// `name()` compiled on its own, when it compiles to exactly that call at [`ENTRY_CALL`]
/// (anything else, and the check is entered through `call_fn` as before).
fn entry_call(engine: &rhai::Engine, name: &str) -> Option<AST> {
    let ast = engine.compile(format!("{name}()")).ok()?;
    let is_the_call = matches!(
        ast.statements(),
        [rhai::Stmt::FnCall(call, at)] if call.name == name && call.args.is_empty() && *at == ENTRY_CALL
    );
    is_the_call.then_some(ast)
}

/// How many reads a trace has room for before it grows: a numeric check reads a parameter
/// and two fields of a fact, a helper's own fact a few more.
const TRACE_ROOM: usize = 8;

/// Where an entry script calls its check.
const ENTRY_CALL: Position = Position::new(1, 1);

/// Numbers rule sets, so that a thread's resolution caches and a memo know whose files and
/// rules they hold.
static NEXT_SET: AtomicU64 = AtomicU64::new(0);

/// How many files' resolution caches a thread keeps; past it, it starts again (a long-lived
/// thread that sees many engines come and go holds no more than this many).
const RESOLVED_FILES: usize = 64;

thread_local! {
    /// Per rule file (set id, file index): what the names its checks call resolved to.
    static RESOLVED: RefCell<Vec<((u64, usize), rhai::Caches)>> = const { RefCell::new(Vec::new()) };
}

/// Every rule file of the loaded packs, compiled, and the engine that runs them.
pub struct RuleSet {
    engine: rhai::Engine,
    id: u64,
    limits: Limits,
    /// By path, hashed: every evaluation looks its file up, and a tree compared the long
    /// shared prefixes of the paths (`rules/…`) at every level.
    files: foldhash::HashMap<String, RuleFile>,
    evaluations: AtomicU64,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("files", &self.files().map(|(p, _)| p).collect::<Vec<_>>())
            .finish()
    }
}

impl RuleSet {
    /// Compiles every file (keyed by its pack-relative path). A file that does not compile is
    /// kept with its error: every check in it evaluates to `error`.
    pub fn compile(files: Vec<(String, SourceFile)>, limits: Limits) -> RuleSet {
        let engine = sandbox(limits);
        let mut out = foldhash::HashMap::default();
        let mut rules = 0;
        for (index, (path, source)) in files.into_iter().enumerate() {
            let compiled = engine.compile(source.text()).map(|mut ast| {
                ast.set_source(source.name());
                ast
            });
            let (compiled, functions) = match compiled {
                Ok(ast) => {
                    let fns = ast
                        .iter_functions()
                        .map(|f| (f.name.to_owned(), f.params.len()))
                        .collect();
                    (Ok(ast), fns)
                }
                Err(e) => {
                    let location = position_in(&source, e.1);
                    (
                        Err(RuleFailure {
                            message: compile_message(&e.0, &limits),
                            location,
                        }),
                        BTreeSet::new(),
                    )
                }
            };
            let outermost = compiled
                .as_ref()
                .map(outermost_statements)
                .unwrap_or_default();
            let program = match &compiled {
                Ok(ast) => lower::Program::lower(ast),
                Err(_) => lower::Program::default(),
            };
            let mut entries = foldhash::HashMap::default();
            for (name, arity) in &functions {
                if entries.contains_key(name) {
                    continue;
                }
                let call = (*arity == 0).then(|| entry_call(&engine, name)).flatten();
                let yes_no = match (&compiled, *arity) {
                    (Ok(ast), 0) => yes_no_shape(ast, &outermost, name, &functions, &limits),
                    _ => None,
                };
                let lowered = match (&yes_no, *arity) {
                    (None, 0) => program.function(name, 0),
                    _ => None,
                };
                entries.insert(
                    name.clone(),
                    Entry {
                        rule: rules,
                        call,
                        yes_no,
                        lowered,
                    },
                );
                rules += 1;
            }
            out.insert(
                path,
                RuleFile {
                    source,
                    compiled,
                    functions,
                    index,
                    entries,
                    program,
                },
            );
        }
        RuleSet {
            engine,
            id: NEXT_SET.fetch_add(1, Ordering::Relaxed),
            limits,
            files: out,
            evaluations: AtomicU64::new(0),
        }
    }

    /// The same rules with every check run through the interpreter: none as a yes/no check,
    /// none lowered ([`lower`]). For tests and benches that compare the two paths.
    #[must_use]
    pub fn interpreted(mut self) -> RuleSet {
        for file in self.files.values_mut() {
            for entry in file.entries.values_mut() {
                entry.yes_no = None;
                entry.lowered = None;
            }
        }
        self
    }

    /// The compile error of a file, if it did not compile.
    pub fn compile_error(&self, path: &str) -> Option<&RuleFailure> {
        self.files.get(path).and_then(|f| f.compiled.as_ref().err())
    }

    /// Whether a file exists in the set.
    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The arity of `function` in `path`, when the file compiled and defines it.
    pub fn arity(&self, path: &str, function: &str) -> Option<usize> {
        self.files
            .get(path)?
            .functions
            .iter()
            .find(|(n, _)| n == function)
            .map(|(_, a)| *a)
    }

    /// Every function defined in a file (name, arity), sorted.
    pub fn functions(&self, path: &str) -> Vec<(String, usize)> {
        self.files
            .get(path)
            .map(|f| f.functions.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Rule files, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &SourceFile)> {
        let mut files: Vec<(&str, &SourceFile)> = self
            .files
            .iter()
            .map(|(p, f)| (p.as_str(), &f.source))
            .collect();
        files.sort_unstable_by_key(|(p, _)| *p);
        files.into_iter()
    }

    /// How many evaluations have run a rule since this set was built (cached outcomes are not
    /// counted; a yes/no check run without the interpreter is).
    pub fn evaluations(&self) -> u64 {
        self.evaluations.load(Ordering::Relaxed)
    }

    /// Evaluates `function` of `path` against a provider's facts and a profile's parameters.
    pub fn evaluate(
        &self,
        path: &str,
        function: &str,
        facts: &Arc<FactTable>,
        params: &Params,
    ) -> Outcome {
        self.evaluate_with(path, function, facts, params, None, None)
    }

    /// [`RuleSet::evaluate`] within a time budget shared by many evaluations (`until`, a
    /// request to the service), looking the outcome up in `memo` first and recording it there
    /// after running the rule.
    ///
    /// Past `until`, the sandbox stops the rule as it stops one past its own deadline, and a
    /// rule whose turn comes after `until` does not start; either way the outcome is `error`
    /// ([`BUDGET_SPENT`]), as for any other rule that fails. The outcome is the same to the
    /// byte with or without the memo: both are built from what the rule concluded and the
    /// facts and parameters it read, as this provider has them. Errors are memoised too (a
    /// broken limit is deterministic for the same limits), except a deadline or a spent
    /// budget, which depend on the clock.
    pub fn evaluate_with(
        &self,
        path: &str,
        function: &str,
        facts: &Arc<FactTable>,
        params: &Params,
        until: Option<Instant>,
        memo: Option<&Memo>,
    ) -> Outcome {
        let Some(file) = self.files.get(path) else {
            return Outcome::failed(RuleFailure {
                message: format!("rule file `{path}` is not loaded"),
                location: Location::file_start(path),
            });
        };
        let ast = match &file.compiled {
            Ok(ast) => ast,
            Err(e) => return Outcome::failed(e.clone()),
        };
        let entry = file.entries.get(function);
        let memo = memo.zip(entry.map(|e| e.rule));
        if let Some(hit) = memo.and_then(|(m, rule)| m.find(self.id, rule, facts, params)) {
            return hit.outcome(facts);
        }
        if until.is_some_and(|u| Instant::now() > u) {
            return Outcome::failed(RuleFailure {
                message: "the request's time budget ran out before this rule ran".into(),
                location: fn_location(&file.source, function),
            });
        }
        let (ended, trace) = self.run(
            file,
            ast,
            function,
            entry,
            facts,
            params,
            until,
            memo.is_some(),
        );
        match (memo, trace) {
            (Some((m, rule)), Some(trace)) => {
                let outcome = ended.outcome(facts);
                m.insert(self.id, rule, params, trace, ended);
                outcome
            }
            _ => ended.into_outcome(facts),
        }
    }

    /// Runs the rule: what it concluded and, when `trace` is asked for and the result does
    /// not depend on the clock, the values it read in order.
    #[expect(
        clippy::too_many_arguments,
        reason = "the rule, its inputs, its time budget and whether to trace it"
    )]
    fn run(
        &self,
        file: &RuleFile,
        ast: &AST,
        function: &str,
        entry: Option<&Entry>,
        facts: &Arc<FactTable>,
        params: &Params,
        until: Option<Instant>,
        trace: bool,
    ) -> (Ended, Option<Vec<(Ask, Seen)>>) {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let fresh = || Reads {
            // Room for a numeric check's reads without growing.
            trace: trace.then(|| Vec::with_capacity(TRACE_ROOM)),
            ..Reads::default()
        };
        CURRENT.with(|c| {
            *c.borrow_mut() = Some(Current {
                facts: facts.clone(),
                params: params.clone(),
                reads: fresh(),
            })
        });
        STARTED.with(|s| s.set(Some(started)));
        UNTIL.with(|u| u.set(until));
        let guard = CurrentGuard;
        let native = entry.and_then(|e| match (&e.yes_no, e.lowered) {
            (Some(y), _) => Some(api::yes_no_native(y).ok()),
            (None, Some(at)) => Some(file.program.run(at, &self.limits)),
            (None, None) => None,
        });
        // An outcome reached without the interpreter stays as it is: boxing it as a `Dynamic`
        // only to cast it back cost an allocation per check.
        let result = match native {
            Some(Some(outcome)) => Ok(Ok(outcome)),
            _ => {
                if native.is_some() {
                    // It would end in an error: start again, and let the interpreter say where.
                    CURRENT.with(|c| {
                        if let Some(cur) = c.borrow_mut().as_mut() {
                            cur.reads = fresh();
                        }
                    });
                }
                match entry.and_then(|e| e.call.as_ref()) {
                    Some(call) => self.call_entry(file, ast, call),
                    None => self.engine.call_fn_with_options::<Dynamic>(
                        CallFnOptions::new().eval_ast(false).rewind_scope(true),
                        &mut Scope::new(),
                        ast,
                        function,
                        (),
                    ),
                }
                .map(|v| v.try_cast::<api::RhaiOutcome>().ok_or(()))
            }
        };
        let mut reads: Reads = CURRENT
            .with(|c| c.borrow_mut().take().map(|cur| cur.reads))
            .unwrap_or_default();
        drop(guard);
        let failed =
            |failure: RuleFailure| (OutcomeStatus::Error, None, Arc::default(), Some(failure));
        let (status, value, note, error) = match result {
            Ok(value) => match value {
                Ok(o) => (o.status, o.value, o.note, None),
                Err(()) => failed(RuleFailure {
                    message: format!(
                        "`{function}` returned a value that is not an outcome; end every path with pass(), fail(), partial(), unknown() or not_applicable()"
                    ),
                    location: fn_location(&file.source, function),
                }),
            },
            Err(err) => {
                let inner = err.unwrap_inner();
                if matches!(inner, EvalAltResult::ErrorTerminated(..)) {
                    // Only the deadline and the request's budget terminate a rule: both depend on the clock.
                    reads.trace = None;
                }
                let pos = inner.position();
                let location = if pos.is_none() { fn_location(&file.source, function) } else { position_in(&file.source, pos) };
                let message = runtime_message(inner, &self.limits);
                failed(RuleFailure { message, location })
            }
        };
        let ended = Ended {
            status,
            value,
            note,
            error,
            output: reads.output,
            facts: reads.facts,
            params: reads.params,
        };
        (ended, reads.trace)
    }
}

impl RuleSet {
    /// Runs a check through its entry script ([`Entry::call`]) with the file's resolution
    /// cache for this thread.
    ///
    /// `call_fn` starts every call with empty caches, so each evaluation resolved every name
    /// its check calls again (`fact`, `.known`, `shown`, a helper of the file, an operator on a
    /// custom type: a fifth of a simple check's time), and found the check itself by scanning
    /// the file's functions by name. What a name resolves to depends only on the file and the
    /// engine, never on the facts, so the cache is kept per file and thread. The run is
    /// otherwise `call_fn`'s: a fresh global state holding the file's functions and source,
    /// an empty scope, `exit` ending the check with its value.
    #[allow(
        deprecated,
        reason = "`eval_statements_raw` is the one entry that takes the caller's caches"
    )]
    fn call_entry(
        &self,
        file: &RuleFile,
        ast: &AST,
        entry: &AST,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let mut global = self.engine.new_global_runtime_state();
        global.lib.push(ast.shared_lib().clone());
        global.source = ast.source().map(ImmutableString::from);
        let key = (self.id, file.index);
        let run = |global: &mut rhai::GlobalRuntimeState, caches: &mut rhai::Caches| {
            self.engine
                .eval_statements_raw(global, caches, &mut Scope::new(), entry.statements())
        };
        RESOLVED
            .with(|r| {
                // Rules cannot start an evaluation, so the cache is never in use here; if it were,
                // the run would only be slower.
                let Ok(mut r) = r.try_borrow_mut() else {
                    return run(&mut global, &mut rhai::Caches::new());
                };
                let at = match r.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        if r.len() >= RESOLVED_FILES {
                            r.clear();
                        }
                        r.push((key, rhai::Caches::new()));
                        r.len() - 1
                    }
                };
                let Some((_, caches)) = r.get_mut(at) else {
                    return run(&mut global, &mut rhai::Caches::new());
                };
                let out = run(&mut global, caches);
                caches.rewind_fn_resolution_caches(1);
                out
            })
            .map_err(|mut err| {
                // Rhai moves a limit's error to where the check was called from, which for
                // `call_fn` is nowhere (so the error points at the function) and here is the entry
                // script's first column: no position within a rule file can be that one.
                if err.position() == ENTRY_CALL {
                    err.set_position(Position::NONE);
                }
                err
            })
    }
}

/// A runtime failure in labfit's words; a broken limit says which limit and its value.
fn runtime_message(err: &EvalAltResult, limits: &Limits) -> String {
    match err {
        EvalAltResult::ErrorRuntime(d, _) | EvalAltResult::ErrorTerminated(d, _) => d.to_string(),
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "the rule exceeded its limit of {} operations (an endless loop?)",
            limits.max_operations
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "the rule nested calls deeper than {} levels (unbounded recursion?)",
            limits.max_call_levels
        ),
        EvalAltResult::ErrorTooManyVariables(_) => format!(
            "the rule defined more than {} variables",
            limits.max_variables
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let (what, max, unit) = match what.as_str() {
                w if w.starts_with("Length of string") => {
                    ("a string", limits.max_string_size, "bytes")
                }
                w if w.starts_with("Size of object map") => {
                    ("a map", limits.max_map_size, "entries")
                }
                _ => ("an array", limits.max_array_size, "elements"),
            };
            format!("the rule built {what} over its limit of {max} {unit}")
        }
        other => strip_position(&other.to_string()),
    }
}

/// A compile error in labfit's words where Rhai's are unclear.
fn compile_message(err: &rhai::ParseErrorType, limits: &Limits) -> String {
    use rhai::ParseErrorType as P;
    match err {
        P::ExprTooDeep => format!(
            "the rule nests expressions deeper than {} levels ({} inside functions)",
            limits.max_expr_depth, limits.max_fn_expr_depth
        ),
        P::TooManyFunctions => format!(
            "the file defines more than {} functions",
            limits.max_functions
        ),
        P::Reserved(word) if word == "import" || word == "export" => {
            format!("`{word}` is not available: rules cannot load modules")
        }
        other => {
            let text = strip_position(&other.to_string());
            if text.contains("'eval'") {
                "`eval` is not available in rules".to_owned()
            } else {
                text
            }
        }
    }
}

fn position_in(source: &SourceFile, pos: Position) -> Location {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => source.location(l, c),
        (Some(l), None) => source.location(l, 1),
        _ => source.location(1, 1),
    }
}

/// Where `fn name` is defined, for errors that carry no position of their own.
fn fn_location(source: &SourceFile, function: &str) -> Location {
    let needle = format!("fn {function}");
    for (i, line) in source.text().lines().enumerate() {
        if let Some(col) = line.find(&needle) {
            let after = line
                .get(col + needle.len()..)
                .and_then(|s| s.chars().next());
            if matches!(after, Some('(' | ' ')) {
                return source
                    .location(i + 1, line.get(..col).map_or(0, |s| s.chars().count()) + 1);
            }
        }
    }
    source.location(1, 1)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" (line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vocabulary's table for a provider whose evidence states `facts` (YAML lines
    /// under `facts:`), as of 2023-08-04, scored on 2024-01-01.
    fn table(facts: &str) -> Arc<FactTable> {
        table_of(
            "  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  sla.pct: {type: percent, meaning: m, question: q03, ask: a?}\n",
            facts,
        )
    }

    /// [`table`] of a vocabulary of `keys` (YAML lines under `facts:`).
    fn table_of(keys: &str, facts: &str) -> Arc<FactTable> {
        let v = SourceFile::from_text("v.yaml", format!("labfit: vocabulary/v1\nfacts:\n{keys}"));
        let vocab = Arc::new(Vocabulary::parse(&v).unwrap());
        let e = SourceFile::from_text(
            "e.yaml",
            format!("labfit: evidence/v1\nid: p\nprovider: P\nas_of: 2023-08-04\nfacts:\n{facts}"),
        );
        let ev = Evidence::parse(&e, &vocab).unwrap();
        Arc::new(FactTable::new(
            &ev,
            &vocab,
            "2024-01-01".parse().unwrap(),
            None,
            &[],
        ))
    }

    fn setup(script: &str) -> (RuleSet, Arc<FactTable>, Params) {
        let facts = table("  contract.baa: true\n");
        let params: Params = Arc::new(BTreeMap::from([(
            "min_sla_pct".to_string(),
            ParamValue::Number(99.9),
        )]));
        let rules = RuleSet::compile(
            vec![("r.rhai".into(), SourceFile::from_text("r.rhai", script))],
            Limits::DEFAULT,
        );
        (rules, facts, params)
    }

    fn run(script: &str, f: &str) -> Outcome {
        let (rules, facts, params) = setup(script);
        rules.evaluate("r.rhai", f, &facts, &params)
    }

    #[test]
    fn a_table_sharing_unstated_records_reads_as_one_that_makes_its_own() {
        let vocab_of = |keys: &str| {
            let v =
                SourceFile::from_text("v.yaml", format!("labfit: vocabulary/v1\nfacts:\n{keys}"));
            Arc::new(Vocabulary::parse(&v).unwrap())
        };
        let spec = "{type: bool, meaning: m, question: q14, ask: a?}";
        let vocab = vocab_of(&format!(
            "  a.first: {spec}\n  contract.baa: {spec}\n  z.last: {spec}\n"
        ));
        let e = SourceFile::from_text(
            "e.yaml",
            "labfit: evidence/v1\nid: p\nprovider: P\nas_of: 2023-08-04\nfacts:\n  contract.baa: true\n",
        );
        let ev = Evidence::parse(&e, &vocab).unwrap();
        let as_of = "2024-01-01".parse().unwrap();
        let reads = |t: &FactTable| t.reads().cloned().collect::<Vec<_>>();
        let own = FactTable::new(&ev, &vocab, as_of, None, &[]);
        let unstated = Unstated::of(&vocab);
        let shared = FactTable::with_unstated(&ev, &vocab, &unstated, as_of, None, &[]);
        assert_eq!(reads(&shared), reads(&own));
        // The unstated keys read the shared records themselves, not copies of them.
        let is_shared = shared
            .reads()
            .zip(&unstated.0)
            .map(|(r, u)| std::ptr::eq(r, &**u))
            .collect::<Vec<_>>();
        assert_eq!(is_shared, [true, false, true]);
        // A stated fact has a record of its own, but its key is the engine's, not a copy.
        let key_shared = shared
            .reads()
            .zip(&unstated.0)
            .map(|(r, u)| Arc::ptr_eq(&r.key, &u.key))
            .collect::<Vec<_>>();
        assert_eq!(key_shared, [true, true, true]);
        assert_eq!(
            own.reads()
                .map(|r| (&*r.key, r.missing))
                .collect::<Vec<_>>(),
            [("a.first", true), ("contract.baa", false), ("z.last", true)]
        );
        // Records of another vocabulary (other keys, one key fewer) are never taken for these.
        let other = Unstated::of(&vocab_of(&format!(
            "  b.second: {spec}\n  z.last: {spec}\n"
        )));
        let mixed = FactTable::with_unstated(&ev, &vocab, &other, as_of, None, &[]);
        assert_eq!(reads(&mixed), reads(&own));
    }

    #[test]
    fn a_fact_is_found_where_another_vocabulary_puts_it() {
        // A call site remembers where its key was; a table of a vocabulary with more keys
        // before it has the key elsewhere, and back in the first table it is where it was.
        let (rules, facts, params) = setup(
            "fn baa() { yes_no(fact(\"contract.baa\"), \"y\", \"n\", \"m\") }\n\
             fn read() { let f = fact(\"contract.baa\"); if f.known { pass(`${f.value}`) } else { unknown(\"m\") } }",
        );
        // Both checks run without the interpreter, where the place is remembered.
        let entries = &rules.files["r.rhai"].entries;
        assert!(entries["baa"].yes_no.is_some() && entries["read"].lowered.is_some());
        let shifted = table_of(
            "  a.first: {type: bool, meaning: m, question: q14, ask: a?}\n\
            \x20 b.second: {type: bool, meaning: m, question: q14, ask: a?}\n\
            \x20 contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n",
            "  contract.baa: false\n",
        );
        let without = table("  sla.pct: 99.9\n");
        for f in ["baa", "read"] {
            let seen: Vec<_> = [&facts, &shifted, &facts, &without]
                .iter()
                .map(|t| {
                    let o = rules.evaluate("r.rhai", f, t, &params);
                    (
                        o.status,
                        o.note.to_string(),
                        o.facts.first().map(|r| r.value.clone()),
                    )
                })
                .collect();
            let (yes, no) = if f == "baa" {
                ("y", "n")
            } else {
                ("true", "false")
            };
            let outcome = |s, n: &str, v| (s, n.to_owned(), Some(v));
            assert_eq!(
                seen,
                [
                    outcome(OutcomeStatus::Pass, yes, Some(FactValue::Bool(true))),
                    outcome(
                        if f == "baa" {
                            OutcomeStatus::Fail
                        } else {
                            OutcomeStatus::Pass
                        },
                        no,
                        Some(FactValue::Bool(false))
                    ),
                    outcome(OutcomeStatus::Pass, yes, Some(FactValue::Bool(true))),
                    outcome(OutcomeStatus::Unknown, "m", None),
                ],
                "{f}"
            );
        }
    }

    #[test]
    fn the_native_helpers_give_what_the_script_helpers_gave() {
        let note = |script: &str| run(script, "f").note.to_string();
        assert_eq!(
            note("fn f() { pass(`${shown(90.0)} ${shown(99.95)} ${shown(5)} ${shown(\"x\")}`) }"),
            "90 99.95 5 x"
        );
        assert_eq!(
            note("fn f() { pass(`${type_of(shown(90.0))} ${type_of(shown(-0.5))}`) }"),
            "i64 f64"
        );
        assert!(note("fn f() { pass(`${shown(1e300)}`) }")
            .starts_with("rule error: Integer overflow: to_int(1000000"));
        assert_eq!(
            note("fn f() { pass(listed([\"a\", \"b\", \"\", \"c\"])) }"),
            "a, b, , c"
        );
        assert_eq!(
            note("fn f() { pass(listed([\"\", \"a\"]) + listed([]) + listed([1, \"b\"])) }"),
            "a1, b"
        );
        assert_eq!(note("fn f() { pass(plural(1) + plural(1.0) + \"|\" + plural(2) + plural(0) + plural(\"1\")) }"), "|sss");
        // yes_no reads `known` then `value`, as the script helper did, and ends as it did.
        let (rules, facts, params) = setup(
            "fn f() { yes_no(fact(\"contract.baa\"), \"y\", \"n\", \"?\") }\nfn g() { yes_no(fact(\"sla.pct\"), \"y\", \"n\", \"?\") }",
        );
        let o = rules.evaluate("r.rhai", "f", &facts, &params);
        assert_eq!((o.status, &*o.note), (OutcomeStatus::Pass, "y"));
        let o = rules.evaluate("r.rhai", "g", &facts, &params);
        assert_eq!(o.status, OutcomeStatus::Unknown);
        assert!(o.note.starts_with('?'), "{}", o.note);
        // A rule file's own helper of the same name wins within that file.
        assert_eq!(
            note("fn shown(x) { \"mine\" }\nfn f() { pass(shown(90.0)) }"),
            "mine"
        );
    }

    #[test]
    fn evaluates_the_rule_api() {
        let o = run("fn baa() { let f = fact(\"contract.baa\"); if f.value { pass(\"BAA offered\") } else { fail(\"no\") } }", "baa");
        assert_eq!(
            (o.status, &*o.note, o.facts.len()),
            (OutcomeStatus::Pass, "BAA offered", 1)
        );
        assert_eq!(o.facts[0].age_days, Some(150));
        let o = run("fn sla() { let f = fact(\"sla.pct\"); if !f.known { return unknown(\"no SLA\"); } pass() }", "sla");
        assert_eq!(o.status, OutcomeStatus::Unknown);
        assert!(o.facts[0].missing);
        let o = run("fn p() { partial(ramp(nines(99.5), nines(99.0), nines(99.9)), \"x\" + param(\"min_sla_pct\")) }", "p");
        assert_eq!(o.status, OutcomeStatus::Partial);
        assert!(
            (o.value.unwrap() - (2.0f64.log10() / 1.0)).abs() < 1e-9,
            "{:?}",
            o.value
        );
        assert_eq!(&*o.note, "x99.9");
        assert_eq!(o.params[0].name, "min_sla_pct");
    }

    #[test]
    fn failures_become_error_outcomes_with_positions() {
        let cases = [
            ("fn f() {\n  loop {}\n}", "r.rhai:1:1", "operations"),
            ("fn f() {\n  f()\n}", "r.rhai:1:1", "deeper than 24 levels"),
            ("fn f() {\n  42\n}", "r.rhai:1:1", "not an outcome"),
            (
                "fn f() {\n  partial(1.5, \"x\")\n}",
                "r.rhai:2:3",
                "within 0..1, got 1.5",
            ),
            (
                "fn f() {\n  partial(0.0/0.0, \"x\")\n}",
                "r.rhai:2:3",
                "within 0..1, got NaN",
            ),
            (
                "fn f() {\n  fact(\"contract.bba\")\n}",
                "r.rhai:2:3",
                "did you mean `contract.baa`",
            ),
            (
                "fn f() {\n  param(\"nope\")\n}",
                "r.rhai:2:3",
                "parameter `nope` is not declared and the profile does not set it",
            ),
            ("fn f() {\n  throw \"boom\";\n}", "r.rhai:2:3", "boom"),
            ("fn f() {\n  eval(\"1\")\n}", "r.rhai:2:3", "eval"),
            (
                "fn f() {\n  timestamp()\n}",
                "r.rhai:2:3",
                "clock is not available",
            ),
            (
                "fn f() {\n  sleep(1000)\n}",
                "r.rhai:2:3",
                "`sleep` is not available",
            ),
            (
                "fn f() {\n  sleep(0.5)\n}",
                "r.rhai:2:3",
                "`sleep` is not available",
            ),
            (
                "fn f() {\n  let s = \"x\"; loop { s += s; }\n}",
                "r.rhai:1:1",
                "a string over its limit of 16384 bytes",
            ),
            ("fn f() {\n  let x = ;\n}", "r.rhai:2:11", "Unexpected"),
        ];
        for (script, loc, msg) in cases {
            let o = run(script, "f");
            let e = o
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("no error for {script}: {o:?}"));
            assert_eq!(o.status, OutcomeStatus::Error);
            assert!(
                e.location.to_string().starts_with(loc),
                "{script}: {} {}",
                e.location,
                e.message
            );
            assert!(e.message.contains(msg), "{script}: {}", e.message);
        }
    }

    #[test]
    fn the_deadline_stops_what_the_operation_limit_does_not() {
        let (_, facts, params) = setup("");
        let limits = Limits {
            max_operations: u64::MAX,
            deadline: Duration::from_millis(20),
            ..Limits::DEFAULT
        };
        let rules = RuleSet::compile(
            vec![(
                "r.rhai".into(),
                SourceFile::from_text("r.rhai", "fn f() {\n  loop {}\n}"),
            )],
            limits,
        );
        let o = rules.evaluate("r.rhai", "f", &facts, &params);
        let e = o.error.unwrap();
        assert_eq!(
            (e.location.to_string().as_str(), e.message.as_str()),
            ("r.rhai:1:1", "the rule ran past its 20 ms deadline")
        );
    }

    #[test]
    fn limit_messages_name_the_limit_in_force() {
        let (_, facts, params) = setup("");
        let limits = Limits {
            max_operations: 1_000,
            ..Limits::DEFAULT
        };
        let rules = RuleSet::compile(
            vec![(
                "r.rhai".into(),
                SourceFile::from_text("r.rhai", "fn f() { loop {} }"),
            )],
            limits,
        );
        let o = rules.evaluate("r.rhai", "f", &facts, &params);
        assert_eq!(
            o.error.unwrap().message,
            "the rule exceeded its limit of 1000 operations (an endless loop?)"
        );
    }

    #[test]
    fn a_fact_reads_like_the_map_it_documents() {
        let o = run("fn f() { let f = fact(\"contract.baa\"); if f[\"value\"] && \"age_days\" in f && !(\"nope\" in f) && f.key == \"contract.baa\" { print(f); pass() } else { fail() } }", "f");
        assert_eq!(o.status, OutcomeStatus::Pass, "{o:?}");
        assert!(
            o.output[0].starts_with("#{\"age_days\": 150,"),
            "{:?}",
            o.output
        );
        let o = run("fn f() { fact(\"contract.baa\")[\"valeu\"] }", "f");
        assert!(o.note.contains("a fact has no field `valeu`"), "{}", o.note);
    }

    #[test]
    fn the_memo_answers_what_the_rule_would_and_keys_on_what_it_read() {
        let script = "fn f() { let f = fact(\"contract.baa\"); if f.value { pass(\"ok \" + param(\"min_sla_pct\")) } else { fail() } }\nfn age() { pass(`${fact(\"contract.baa\").age_days}`) }\nfn bad() { param(\"min_sla\") }";
        let (rules, facts, params) = setup(script);
        let memo = Memo::new();
        for f in ["f", "age", "bad"] {
            let fresh = rules.evaluate("r.rhai", f, &facts, &params);
            let first = rules.evaluate_with("r.rhai", f, &facts, &params, None, Some(&memo));
            let before = rules.evaluations();
            let second = rules.evaluate_with("r.rhai", f, &facts, &params, None, Some(&memo));
            assert_eq!(
                rules.evaluations(),
                before,
                "{f}: a memoised outcome re-ran"
            );
            assert_eq!((&fresh, &fresh), (&first, &second), "{f}");
        }
        // Another provider whose fact is as true but 100 days older: `f` does not read the
        // age, so its outcome is reused with this provider's record; `age` runs again.
        let e = SourceFile::from_text(
            "e.yaml",
            "labfit: evidence/v1\nid: q\nprovider: Q\nas_of: 2023-04-26\nfacts:\n  contract.baa: true\n",
        );
        let vocab = Arc::new(Vocabulary::parse(&SourceFile::from_text("v.yaml", "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  sla.pct: {type: percent, meaning: m, question: q03, ask: a?}\n")).unwrap());
        let ev = Evidence::parse(&e, &vocab).unwrap();
        let older = Arc::new(FactTable::new(
            &ev,
            &vocab,
            "2024-01-01".parse().unwrap(),
            None,
            &[],
        ));
        let before = rules.evaluations();
        let o = rules.evaluate_with("r.rhai", "f", &older, &params, None, Some(&memo));
        assert_eq!(rules.evaluations(), before);
        assert_eq!(o, rules.evaluate("r.rhai", "f", &older, &params));
        assert_eq!(o.facts[0].age_days, Some(250));
        let o = rules.evaluate_with("r.rhai", "age", &older, &params, None, Some(&memo));
        assert_eq!((rules.evaluations(), &*o.note), (before + 2, "250"));
    }

    /// The check as `call_fn` runs it, bypassing the entry script and the kept caches.
    fn through_call_fn(
        rules: &RuleSet,
        f: &str,
        facts: &Arc<FactTable>,
        params: &Params,
    ) -> Outcome {
        let file = &rules.files["r.rhai"];
        let Ok(ast) = &file.compiled else {
            panic!("r.rhai does not compile")
        };
        let (ended, _) = rules.run(file, ast, f, None, facts, params, None, false);
        ended.outcome(facts)
    }

    #[test]
    fn a_check_entered_with_kept_caches_ends_as_through_call_fn() {
        let script = "fn helper(x) { pass(`${shown(x)} ${x}`) }\n\
            fn uses_helper() { let f = fact(\"sla.pct\"); helper(param(\"min_sla_pct\")) }\n\
            fn leaves() { exit(pass(\"left early\")); fail() }\n\
            fn deep() { deep() }\n\
            fn throws() {\n  let f = fact(\"contract.baa\");\n  throw \"boom\";\n}\n\
            fn spins() { loop {} }\n\
            fn not_an_outcome() { 42 }\n\
            fn missing() { param(\"nope\") }\n\
            fn takes(x) { pass() }\n\
            fn shown(x) { \"mine\" }\n\
            fn own_helper() { pass(shown(1.5)) }";
        let (rules, facts, params) = setup(script);
        let entries = &rules.files["r.rhai"].entries;
        assert!(entries["uses_helper"].call.is_some() && entries["takes"].call.is_none());
        for f in [
            "uses_helper",
            "leaves",
            "deep",
            "throws",
            "spins",
            "not_an_outcome",
            "missing",
            "takes",
            "own_helper",
            "absent",
        ] {
            let expected = through_call_fn(&rules, f, &facts, &params);
            // Twice: the second run resolves every name from the kept cache.
            for _ in 0..2 {
                assert_eq!(
                    rules.evaluate("r.rhai", f, &facts, &params),
                    expected,
                    "{f}"
                );
            }
        }
        assert_eq!(
            &*rules.evaluate("r.rhai", "own_helper", &facts, &params).note,
            "mine"
        );
        assert_eq!(
            &*rules.evaluate("r.rhai", "leaves", &facts, &params).note,
            "left early"
        );
        let o = rules.evaluate("r.rhai", "throws", &facts, &params);
        let at = o.error.map(|e| e.location.to_string()).unwrap_or_default();
        assert!(at.starts_with("r.rhai:7:3"), "{at}");
    }

    #[test]
    fn the_operation_limit_counts_what_it_counted_under_call_fn() {
        // Entered with `call_fn`, this check takes 8 operations: it failed with a limit of 7
        // and passed with 8. The entry script's own call must not change that.
        let (_, facts, params) = setup("fn f() { pass() }");
        let script = "fn f() { let x = 1; x += 2; pass() }";
        for max_operations in 1..12 {
            let limits = Limits {
                max_operations,
                ..Limits::DEFAULT
            };
            let rules = RuleSet::compile(
                vec![("r.rhai".into(), SourceFile::from_text("r.rhai", script))],
                limits,
            );
            let o = rules.evaluate("r.rhai", "f", &facts, &params);
            let expected = if max_operations >= 8 {
                OutcomeStatus::Pass
            } else {
                OutcomeStatus::Error
            };
            assert_eq!(o.status, expected, "{max_operations}: {}", o.note);
        }
    }

    /// A table where `contract.baa` is `false` and `sla.pct` (not yes/no) is known.
    fn other_facts() -> Arc<FactTable> {
        table("  contract.baa: false\n  sla.pct: 99.5\n")
    }

    const YES_NO: &str = "fn baa() { yes_no(fact(\"contract.baa\"), \"y\", \"n\", \"m\") }\n\
        fn sla() {\n  yes_no(fact(\"sla.pct\"), \"y\", \"n\", \"m\")\n}\n\
        fn nowhere() { yes_no(fact(\"no.such\"), \"y\", \"n\", \"m\") }\n\
        fn two() { let x = 1; yes_no(fact(\"contract.baa\"), \"y\", \"n\", \"m\") }";

    #[test]
    fn a_yes_no_check_run_natively_reads_and_ends_as_in_the_interpreter() {
        let (rules, facts, params) = setup(YES_NO);
        let file = &rules.files["r.rhai"];
        let Ok(ast) = &file.compiled else {
            panic!("r.rhai does not compile")
        };
        let native = |f: &str| file.entries[f].yes_no.is_some();
        assert!(native("baa") && native("sla") && native("nowhere") && !native("two"));
        for table in [facts.clone(), other_facts()] {
            for f in ["baa", "sla", "nowhere", "two"] {
                let entry = file.entries.get(f);
                let (ended, trace) = rules.run(file, ast, f, entry, &table, &params, None, true);
                let (by_script, script_trace) =
                    rules.run(file, ast, f, None, &table, &params, None, true);
                let expected = by_script.outcome(&table);
                assert_eq!(ended.outcome(&table), expected, "{f}");
                assert_eq!(trace, script_trace, "{f}");
                let memo = Memo::new();
                for _ in 0..2 {
                    let o = rules.evaluate_with("r.rhai", f, &table, &params, None, Some(&memo));
                    assert_eq!(o, expected, "{f}");
                }
            }
        }
        // What each ends with, so the comparison above is not between two equal mistakes.
        let o = rules.evaluate("r.rhai", "baa", &facts, &params);
        assert_eq!((o.status, &*o.note), (OutcomeStatus::Pass, "y"));
        let o = rules.evaluate("r.rhai", "baa", &other_facts(), &params);
        assert_eq!((o.status, &*o.note), (OutcomeStatus::Fail, "n"));
        let o = rules.evaluate("r.rhai", "sla", &facts, &params);
        assert_eq!((o.status, &*o.note), (OutcomeStatus::Unknown, "m"));
        let o = rules.evaluate("r.rhai", "sla", &other_facts(), &params);
        let e = o.error.unwrap();
        assert!(
            e.message.contains("yes_no needs a yes/no fact"),
            "{}",
            e.message
        );
        assert_eq!(
            e.location.line(),
            3,
            "the call's line, as the interpreter reports it"
        );
        let o = rules.evaluate("r.rhai", "nowhere", &facts, &params);
        assert!(o
            .error
            .unwrap()
            .message
            .contains("`no.such` is not in the vocabulary"));
    }

    #[test]
    fn a_file_that_redefines_the_api_keeps_its_yes_no_checks_in_the_interpreter() {
        for own in [
            "fn yes_no(f, a, b, c) { pass(\"mine\") }",
            "fn fact(k) { 1 }",
        ] {
            let (rules, facts, params) = setup(&format!("{own}\n{YES_NO}"));
            assert!(
                rules.files["r.rhai"].entries["baa"].yes_no.is_none(),
                "{own}"
            );
            let o = rules.evaluate("r.rhai", "baa", &facts, &params);
            assert_ne!(&*o.note, "y", "{own}: {o:?}");
        }
    }

    #[test]
    fn a_yes_no_check_under_tight_limits_ends_as_in_the_interpreter() {
        let (_, facts, params) = setup("fn f() { pass() }");
        for (max_operations, max_call_levels) in (0..24).flat_map(|o| (0..6).map(move |c| (o, c))) {
            let limits = Limits {
                max_operations,
                max_call_levels,
                ..Limits::DEFAULT
            };
            let rules = RuleSet::compile(
                vec![("r.rhai".into(), SourceFile::from_text("r.rhai", YES_NO))],
                limits,
            );
            let file = &rules.files["r.rhai"];
            let Ok(ast) = &file.compiled else {
                panic!("r.rhai does not compile")
            };
            for f in ["baa", "sla"] {
                let o = rules.evaluate("r.rhai", f, &facts, &params);
                // The same check entered as it would be without its native run.
                let entry = &file.entries[f];
                let interpreted = Entry {
                    rule: entry.rule,
                    call: entry.call.clone(),
                    yes_no: None,
                    lowered: None,
                };
                let (ended, _) = rules.run(
                    file,
                    ast,
                    f,
                    Some(&interpreted),
                    &facts,
                    &params,
                    None,
                    false,
                );
                assert_eq!(
                    o,
                    ended.outcome(&facts),
                    "{f} with {max_operations} operations, {max_call_levels} call levels"
                );
            }
        }
    }

    #[test]
    fn kept_caches_belong_to_one_file_of_one_rule_set() {
        // Two files and two sets define the same helper differently; alternating between them
        // on one thread, each check still calls its own file's helper.
        let file = |body: &str| format!("fn which() {{ \"{body}\" }}\nfn f() {{ pass(which()) }}");
        let (_, facts, params) = setup("fn f() { pass() }");
        let set = |a: &str, b: &str| {
            RuleSet::compile(
                vec![
                    ("a.rhai".into(), SourceFile::from_text("a.rhai", file(a))),
                    ("b.rhai".into(), SourceFile::from_text("b.rhai", file(b))),
                ],
                Limits::DEFAULT,
            )
        };
        let (one, two) = (set("one a", "one b"), set("two a", "two b"));
        let memo = Memo::new();
        for _ in 0..3 {
            for (rules, name) in [(&one, "one"), (&two, "two")] {
                for path in ["a", "b"] {
                    let o = rules.evaluate_with(
                        &format!("{path}.rhai"),
                        "f",
                        &facts,
                        &params,
                        None,
                        Some(&memo),
                    );
                    assert_eq!(*o.note, format!("{name} {path}"));
                }
            }
        }
    }

    /// A table where `sla.pct` is `pct`.
    fn sla_facts(pct: f64) -> Arc<FactTable> {
        table(&format!("  sla.pct: {pct:?}\n"))
    }

    #[test]
    fn the_memo_tells_many_values_and_parameter_sets_apart() {
        let (rules, facts, _) = setup(
            "fn f() { let f = fact(\"sla.pct\"); pass(`${f.value} ${param(\"p\")}`) }\n\
             fn g() { pass(`${param(\"p\")}`) }",
        );
        let with = |v: ParamValue| -> Params { Arc::new(BTreeMap::from([("p".to_string(), v)])) };
        // Twenty values of one read: the trie node moves its children from a list to a map.
        // Two parameter sets with the same values are kept apart, each with its own tries.
        let tables: Vec<Arc<FactTable>> = (0..20).map(|i| sla_facts(f64::from(i))).collect();
        let sets = [with(ParamValue::Number(1.0)), with(ParamValue::Number(1.0))];
        let memo = Memo::new();
        for round in 0..2 {
            for params in &sets {
                for (i, facts) in tables.iter().enumerate() {
                    let before = rules.evaluations();
                    let o = rules.evaluate_with("r.rhai", "f", facts, params, None, Some(&memo));
                    assert_eq!(
                        (&*o.note, o.params[0].value.clone()),
                        (format!("{i}.0 1.0").as_str(), Some(ParamValue::Number(1.0)))
                    );
                    assert_eq!(rules.evaluations() - before, u64::from(round == 0), "{i}");
                }
            }
        }
        // A profile whose text is exactly the hint `param` gives when the parameter is unset:
        // the unset profile must still get the error, not the text's outcome.
        let unset: Params = Arc::new(BTreeMap::new());
        let hint = missing_param_message("p", &unset);
        let memo = Memo::new();
        let text = rules.evaluate_with(
            "r.rhai",
            "g",
            &facts,
            &with(ParamValue::Text(hint.clone())),
            None,
            Some(&memo),
        );
        assert_eq!(
            (text.status, &*text.note),
            (OutcomeStatus::Pass, hint.as_str())
        );
        let o = rules.evaluate_with("r.rhai", "g", &facts, &unset, None, Some(&memo));
        assert_eq!(o, rules.evaluate("r.rhai", "g", &facts, &unset));
        assert_eq!(
            (o.status, o.params[0].value.clone()),
            (OutcomeStatus::Error, None)
        );
    }

    #[test]
    fn a_memo_keeps_tries_for_64_parameter_sets_and_runs_the_rules_of_more() {
        let (rules, facts, _) = setup("fn f() { pass(`${param(\"p\")}`) }");
        let sets: Vec<Params> = (0..65)
            .map(|i| {
                Arc::new(BTreeMap::from([(
                    "p".to_string(),
                    ParamValue::Number(f64::from(i)),
                )]))
            })
            .collect();
        let memo = Memo::new();
        let runs = |params: &Params| {
            let before = rules.evaluations();
            let o = rules.evaluate_with("r.rhai", "f", &facts, params, None, Some(&memo));
            (rules.evaluations() - before, o.note.to_string())
        };
        for (i, params) in sets.iter().enumerate() {
            assert_eq!(runs(params), (1, format!("{i}.0")), "first, set {i}");
        }
        for (i, params) in sets.iter().enumerate() {
            let again = u64::from(i == 64);
            assert_eq!(runs(params), (again, format!("{i}.0")), "second, set {i}");
        }
    }

    #[test]
    fn a_spent_time_budget_is_not_memoised() {
        // A budget depends on the clock, not on what the rule read: a later evaluation with
        // time to spare must run the rule, not be handed the earlier stop.
        let script = "fn slow() { let n = 0; for i in 0..5000 { n += i; } pass(`${n}`) }";
        let (rules, facts, params) = setup(script);
        let memo = Memo::new();
        let spent = Some(Instant::now());
        let stopped = rules.evaluate_with("r.rhai", "slow", &facts, &params, spent, Some(&memo));
        assert_eq!(stopped.status, OutcomeStatus::Error, "{stopped:?}");
        assert!(
            stopped.note.contains("time budget ran out"),
            "{}",
            stopped.note
        );
        let o = rules.evaluate_with("r.rhai", "slow", &facts, &params, None, Some(&memo));
        assert_eq!((o.status, &*o.note), (OutcomeStatus::Pass, "12497500"));
    }

    #[test]
    fn output_is_captured_and_capped() {
        let o = run("fn f() { for i in 0..100 { print(i); } pass() }", "f");
        assert_eq!((o.status, o.output.len()), (OutcomeStatus::Pass, 20));
    }

    /// Whether check `f` of `file` runs to its end lowered, without handing it to the
    /// interpreter (so a comparison of the two paths is not between two interpreter runs).
    fn runs_lowered(
        rules: &RuleSet,
        file: &RuleFile,
        f: &str,
        facts: &Arc<FactTable>,
        params: &Params,
    ) -> bool {
        lowered_run(file, f, facts, params, &rules.limits).0
    }

    /// Whether `f` runs lowered to its end under `limits`, and the operations the lowered run
    /// counted (0 when `f` is not lowered).
    fn lowered_run(
        file: &RuleFile,
        f: &str,
        facts: &Arc<FactTable>,
        params: &Params,
        limits: &Limits,
    ) -> (bool, u64) {
        let Some(at) = file.entries.get(f).and_then(|e| e.lowered) else {
            return (false, 0);
        };
        CURRENT.with(|c| {
            *c.borrow_mut() = Some(Current {
                facts: facts.clone(),
                params: params.clone(),
                reads: Reads::default(),
            })
        });
        let guard = CurrentGuard;
        let mut ops = 0;
        let done = file.program.run_counting(at, limits, &mut ops).is_some();
        drop(guard);
        (done, ops)
    }

    /// `f` run as the interpreter runs it: entered as it would be without a native path.
    fn interpreted(
        rules: &RuleSet,
        file: &RuleFile,
        f: &str,
        facts: &Arc<FactTable>,
        params: &Params,
    ) -> (Outcome, Option<Vec<(Ask, Seen)>>) {
        let Ok(ast) = &file.compiled else {
            panic!("the file does not compile")
        };
        let entry = file.entries.get(f).map(|e| Entry {
            rule: e.rule,
            call: e.call.clone(),
            yes_no: None,
            lowered: None,
        });
        let (ended, trace) = rules.run(file, ast, f, entry.as_ref(), facts, params, None, true);
        (ended.outcome(facts), trace)
    }

    #[test]
    fn every_built_in_check_run_lowered_reads_and_ends_as_in_the_interpreter() {
        let engine = crate::Engine::builtin().unwrap();
        let rules = engine.rules();
        let as_of: Date = "2026-01-01".parse().unwrap();
        let mut lowered = BTreeSet::new();
        let mut compared = 0;
        for p in engine.builtin_profiles() {
            let p = engine.profile(p).unwrap();
            for e in engine.builtin_providers() {
                let ev = engine.evidence(e).unwrap();
                let facts = Arc::new(FactTable::new(
                    &ev,
                    engine.vocabulary(),
                    as_of,
                    p.profile.max_evidence_age_days,
                    &p.services,
                ));
                for (path, file) in &rules.files {
                    let Ok(ast) = &file.compiled else { continue };
                    for (f, entry) in &file.entries {
                        if entry.lowered.is_none() {
                            continue;
                        }
                        let (ended, trace) =
                            rules.run(file, ast, f, Some(entry), &facts, &p.params, None, true);
                        let (expected, script_trace) =
                            interpreted(rules, file, f, &facts, &p.params);
                        assert_eq!(ended.outcome(&facts), expected, "{path}::{f} for {e}");
                        assert_eq!(trace, script_trace, "{path}::{f} for {e}");
                        if runs_lowered(rules, file, f, &facts, &p.params) {
                            lowered.insert(format!("{path}::{f}"));
                        }
                        compared += 1;
                    }
                }
            }
        }
        // Every check that is not a yes/no check runs lowered for some pair but three: the two
        // whose helper has a `switch` (`fedramp.rhai::authorization` and `agency_ato`) and the
        // one that gathers a list by a loop (`gdpr.rhai::remote_access`) are the interpreter's.
        assert!(compared > 2_000, "{compared} comparisons");
        assert!(
            lowered.len() >= 32,
            "{} lowered: {lowered:?}",
            lowered.len()
        );
    }

    /// Helpers, closures over lists, maps, interpolated numbers and reassignment: the shapes
    /// of the built-in numeric and list checks, in a file small enough to compile hundreds of
    /// times.
    const SHAPES: &str = "fn helper(f, min, what) {\n\
        if !f.known { return unknown(`${what} not known; needs ${shown(min)} %`); }\n\
        let v = f.value;\n\
        if v >= min { return pass(`${what} of ${v} meets ${shown(min)}`); }\n\
        partial(ramp(v.to_float(), 0.0, min.to_float()), `${what} of ${v} is below ${shown(min)}`)\n\
        }\n\
        fn numeric() { helper(fact(\"sla.pct\"), param(\"min_sla_pct\"), \"the SLA\") }\n\
        fn lists() {\n\
        let have = [\"US\", \"DE\", \"FR\"];\n\
        let need = [\"DE\", \"JP\"];\n\
        let hits = have.filter(|c| need.contains(c));\n\
        if need.some(|j| have.contains(j)) && hits.len() == 1 { return pass(`in ${listed(hits)}, ${hits.len()} of ${have.len()}`); }\n\
        fail(\"none\")\n\
        }\n\
        fn maps() {\n\
        let b = fact(\"contract.baa\");\n\
        let r = #{kind: \"a\", data: `known: ${b.known}`};\n\
        let n = 2;\n\
        let x = 1.0 - 0.35 * n.to_float();\n\
        if x < 0.25 { x = 0.25; }\n\
        if r.kind == \"a\" && b.known && b.value { return partial(x, r.data); }\n\
        unknown(`${x}`)\n\
        }";

    #[test]
    fn lowered_checks_end_as_in_the_interpreter_under_any_limit() {
        let checks = ["numeric", "lists", "maps"];
        let (rules, facts, params) = setup(SHAPES);
        let file = &rules.files["r.rhai"];
        for table in [facts.clone(), other_facts()] {
            for f in checks {
                assert!(runs_lowered(&rules, file, f, &table, &params), "{f}");
            }
        }
        let ops = (0..=200).flat_map(|o| (0..=5).map(move |c| (o, c)));
        let mut variants: Vec<Limits> = ops
            .map(|(max_operations, max_call_levels)| Limits {
                max_operations,
                max_call_levels,
                ..Limits::DEFAULT
            })
            .collect();
        variants.extend((0..=80).map(|max_string_size| Limits {
            max_string_size,
            ..Limits::DEFAULT
        }));
        variants.extend((0..=6).map(|max_array_size| Limits {
            max_array_size,
            ..Limits::DEFAULT
        }));
        variants.extend((0..=3).map(|max_map_size| Limits {
            max_map_size,
            ..Limits::DEFAULT
        }));
        variants.extend((0..=10).map(|max_variables| Limits {
            max_variables,
            ..Limits::DEFAULT
        }));
        let mut differ_by_limit = 0;
        for limits in variants {
            let rules = RuleSet::compile(
                vec![("r.rhai".into(), SourceFile::from_text("r.rhai", SHAPES))],
                limits,
            );
            let file = &rules.files["r.rhai"];
            if file.compiled.is_err() {
                // A literal longer than the string limit: the file fails to compile, on either path.
                continue;
            }
            for table in [facts.clone(), other_facts()] {
                for f in checks {
                    let o = rules.evaluate("r.rhai", f, &table, &params);
                    let (expected, _) = interpreted(&rules, file, f, &table, &params);
                    assert_eq!(o, expected, "{f} under {limits:?}");
                    differ_by_limit += usize::from(o.error.is_some());
                }
            }
        }
        // The sweep reaches limits that stop the checks, not only ones that let them end.
        assert!(
            differ_by_limit > 100,
            "{differ_by_limit} stopped by a limit"
        );
    }

    #[test]
    fn a_file_that_redefines_what_lowering_relies_on_keeps_its_checks_in_the_interpreter() {
        for own in [
            "fn len(x) { 7 }",
            "fn shown(x) { \"mine\" }",
            "fn filter(a, b) { [] }",
        ] {
            let (rules, _, _) = setup(&format!("{own}\n{SHAPES}"));
            let file = &rules.files["r.rhai"];
            for f in ["numeric", "lists", "maps"] {
                assert!(file.entries[f].lowered.is_none(), "{own}: {f}");
            }
        }
        // A closure kept in a variable may outlive what it captured: not lowered.
        let (rules, facts, params) =
            setup("fn f() { let a = [1]; let c = |x| a.contains(x); a = [2]; [2].some(c) }");
        let file = &rules.files["r.rhai"];
        assert!(!runs_lowered(&rules, file, "f", &facts, &params));
    }

    #[test]
    fn a_lowered_recursion_ends_as_in_the_interpreter() {
        // No loop, so it is lowered; past the call-level limit the interpreter says so.
        let script = "fn r(n) { if n == 0 { return pass(`done`); } r(n - 1) }\n\
            fn shallow() { r(10) }\nfn deep() { r(100) }\nfn wide() { r(10) + r(10) }\n\
            fn two(n) { if n == 0 { return 1; } two(n - 1) + two(n - 1) }\n\
            fn doubling() { if two(20) > 0 { pass() } else { fail() } }";
        let (rules, facts, params) = setup(script);
        let file = &rules.files["r.rhai"];
        assert!(runs_lowered(&rules, file, "shallow", &facts, &params));
        assert!(!runs_lowered(&rules, file, "deep", &facts, &params));
        // 2^21 calls: the lowered run stops at the operation limit, checked at every call, as
        // the interpreter does, instead of making every call first and handing over after.
        assert!(!runs_lowered(&rules, file, "doubling", &facts, &params));
        let spent = |f: &str, limits: &Limits| lowered_run(file, f, &facts, &params, limits);
        let (done, ops) = spent("doubling", &rules.limits);
        assert!(!done);
        // Stopped within one call's worth of operations past half the limit.
        assert!(
            ops <= rules.limits.max_operations / 2 + 16,
            "{ops} operations under a limit of {}",
            rules.limits.max_operations
        );
        assert!(spent("shallow", &rules.limits).0);
        // With no operation limit only the interpreter's deadline would bound a run: nothing
        // runs lowered.
        let unlimited = Limits {
            max_operations: 0,
            ..rules.limits
        };
        assert_eq!(spent("shallow", &unlimited), (false, 0));
        for f in ["shallow", "deep", "wide", "doubling"] {
            let o = rules.evaluate("r.rhai", f, &facts, &params);
            assert_eq!(o, interpreted(&rules, file, f, &facts, &params).0, "{f}");
        }
        let deep = rules.evaluate("r.rhai", "deep", &facts, &params);
        assert!(
            deep.error
                .unwrap()
                .message
                .contains("deeper than 24 levels"),
            "the interpreter's message"
        );
        assert_eq!(
            rules.evaluate("r.rhai", "shallow", &facts, &params).status,
            OutcomeStatus::Pass
        );
    }
}
