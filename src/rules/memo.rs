//! Rule outcomes memoised across providers by exactly what each evaluation read. A rule is a
//! deterministic function of the fact fields and parameters it reads (the sandbox has no I/O,
//! no clock and no randomness), so an evaluation that reads the same values in the same order
//! takes the same path and ends the same way. Each rule keeps a trie over its sequence of
//! reads: a node says what the rule reads next, its children are keyed by the value read, a
//! leaf holds the outcome. Looking a provider up walks the trie asking the provider's facts;
//! a miss runs the rule and adds its path.
//!
//! Each parameter set (a profile's `Params`, by identity) has tries of its own, so a path holds
//! only fact reads: under one set every parameter read gives the same value, and walking it
//! would only look the value up again.

// A node with many children hashes the value read; the standard SipHash was a tenth of a
// memoised run. foldhash is fast on short keys and still seeded per process (a provider's
// values cannot be chosen to collide on every machine).
use foldhash::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::evidence::FactValue;
use crate::rules::{lapsed_note, FactRead, FactTable, OutcomeStatus, ParamRead, Params};
use crate::rules::{Outcome, RuleFailure};

/// One field of a fact a rule can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Known,
    Value,
    Status,
    Source,
    Note,
    Stale,
    Reason,
    AgeDays,
}

impl Field {
    /// Every field but `key` (which is fixed by the fact asked for, so never recorded).
    pub(crate) const ALL: [Field; 8] = [
        Field::Known,
        Field::Value,
        Field::Status,
        Field::Source,
        Field::Note,
        Field::Stale,
        Field::Reason,
        Field::AgeDays,
    ];
}

/// What a rule asked for: a field of the fact at this index of the table (every table of an
/// engine has the same keys in the same order). Parameters are not asked: see the module's
/// documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Ask(pub(crate) usize, pub(crate) Field);

/// A value as a rule saw it, comparable and hashable (floats by their bits, so 0.0 and -0.0
/// differ, as they may in a note).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Seen {
    Unit,
    Bool(bool),
    Int(i64),
    Float(u64),
    Text(String),
    List(Vec<Seen>),
}

fn fact_value(v: &FactValue) -> Seen {
    match v {
        FactValue::Bool(b) => Seen::Bool(*b),
        FactValue::Integer(i) => Seen::Int(*i),
        FactValue::Number(n) => Seen::Float(n.to_bits()),
        FactValue::Text(s) => Seen::Text(s.clone()),
        FactValue::List(l) => Seen::List(l.iter().map(|s| Seen::Text(s.clone())).collect()),
    }
}

fn opt_text(s: Option<&str>) -> Seen {
    s.map_or(Seen::Unit, |s| Seen::Text(s.to_owned()))
}

/// What a rule sees of `field` of `r` (as the fact's Rhai getters return it).
pub(crate) fn seen_field(r: &FactRead, field: Field) -> Seen {
    match field {
        Field::Known => Seen::Bool(r.known),
        Field::Value => match (&r.value, r.known) {
            (Some(v), true) => fact_value(v),
            _ => Seen::Unit,
        },
        Field::Status => Seen::Text(r.status.as_str().to_owned()),
        Field::Source => opt_text(r.source.as_deref()),
        Field::Note => opt_text(r.note.as_deref()),
        Field::Stale => Seen::Bool(r.stale),
        Field::Reason => r
            .lapse
            .as_ref()
            .map_or(Seen::Unit, |l| Seen::Text(l.reason())),
        Field::AgeDays => r.age_days.map_or(Seen::Unit, Seen::Int),
    }
}

fn seen(ask: Ask, facts: &FactTable) -> Option<Seen> {
    let Ask(i, field) = ask;
    facts.entries.get(i).map(|(_, r)| seen_field(r, field))
}

/// An outcome as the rule produced it, before the provider's own fact records and lapse
/// reasons are put back in.
#[derive(Debug)]
pub(crate) struct Ended {
    pub(crate) status: OutcomeStatus,
    pub(crate) value: Option<f64>,
    /// The rule's own note (without the lapse reasons added for unknown outcomes), shared
    /// with every outcome that ends here.
    pub(crate) note: Arc<str>,
    pub(crate) error: Option<RuleFailure>,
    pub(crate) output: Vec<String>,
    /// Indices of the facts read, in order of first read.
    pub(crate) facts: Vec<usize>,
    /// The parameters read, in order of first read, as the profile held them. Every
    /// provider that reaches this outcome read the same: the trie belongs to one parameter
    /// set, and the same fact reads take a rule down the same path of parameter reads.
    pub(crate) params: Vec<ParamRead>,
}

impl Ended {
    /// The outcome for a provider whose reads led here: the facts as this provider has them
    /// (a record holds fields no rule reads, such as the source's date) and the parameters
    /// read, which are the same for every provider that gets here.
    pub(crate) fn outcome(&self, facts: &FactTable) -> Outcome {
        self.with(
            facts,
            Parts {
                note: self.note.clone(),
                error: self.error.clone(),
                output: self.output.clone(),
                params: self.params.clone(),
            },
        )
    }

    /// The same, for an ending no memo keeps: its text and reads move into the outcome
    /// instead of being copied.
    pub(crate) fn into_outcome(mut self, facts: &FactTable) -> Outcome {
        let parts = Parts {
            note: std::mem::take(&mut self.note),
            error: self.error.take(),
            output: std::mem::take(&mut self.output),
            params: std::mem::take(&mut self.params),
        };
        self.with(facts, parts)
    }

    fn with(&self, facts: &FactTable, parts: Parts) -> Outcome {
        let Parts {
            note,
            error,
            output,
            params,
        } = parts;
        let facts: Vec<Arc<FactRead>> = self
            .facts
            .iter()
            .filter_map(|&i| facts.entries.get(i).map(|(_, r)| r.clone()))
            .collect();
        let note = match &error {
            Some(e) => format!("rule error: {}", e.message).into(),
            None => lapsed_note(self.status, note, &facts),
        };
        Outcome {
            status: self.status,
            value: self.value,
            note,
            facts,
            params,
            error,
            output,
        }
    }
}

/// What an outcome takes from its ending besides the facts.
struct Parts {
    note: Arc<str>,
    error: Option<RuleFailure>,
    output: Vec<String>,
    params: Vec<ParamRead>,
}

enum Node {
    Ended(Arc<Ended>),
    Asks { ask: Ask, next: Next },
}

/// A node's children by the value read. Most nodes have one or two (a parameter, a yes or no),
/// which a short list finds without hashing; a node past [`FEW`] children (a number that
/// varies from provider to provider) moves them to a map.
enum Next {
    Few(Vec<(Seen, Node)>),
    Many(HashMap<Seen, Node>),
}

const FEW: usize = 8;

impl Next {
    fn one(seen: Seen, node: Node) -> Next {
        Next::Few(vec![(seen, node)])
    }

    fn get(&self, seen: &Seen) -> Option<&Node> {
        match self {
            Next::Few(few) => few.iter().find(|(s, _)| s == seen).map(|(_, n)| n),
            Next::Many(many) => many.get(seen),
        }
    }

    fn get_mut(&mut self, seen: &Seen) -> Option<&mut Node> {
        match self {
            Next::Few(few) => few.iter_mut().find(|(s, _)| s == seen).map(|(_, n)| n),
            Next::Many(many) => many.get_mut(seen),
        }
    }

    /// Adds a child for a value not yet read here.
    fn add(&mut self, seen: Seen, node: Node) {
        match self {
            Next::Few(few) if few.len() < FEW => few.push((seen, node)),
            Next::Few(few) => {
                let mut many: HashMap<Seen, Node> = std::mem::take(few).into_iter().collect();
                many.insert(seen, node);
                *self = Next::Many(many);
            }
            Next::Many(many) => {
                many.insert(seen, node);
            }
        }
    }
}

/// The memo of one run (a comparison): outcomes by rule and by the sequence of values read.
/// Shared by the threads of the run; it lives as long as the run, so a long-lived engine does
/// not grow with every registry it ranks.
#[derive(Default)]
pub struct Memo {
    tries: Mutex<Tries>,
}

/// Each rule's trie, by parameter set and by the rule's number in the one rule set the memo
/// serves.
#[derive(Default)]
struct Tries {
    set: Option<u64>,
    /// Each parameter set's tries: the set is held, so its address names it for as long as
    /// the memo lives. A comparison has one; a matrix of profiles, one per profile.
    by_params: Vec<(Params, Vec<Option<Node>>)>,
}

/// How many parameter sets a memo keeps tries for; the rules of any more run every time.
const MAX_PARAMS: usize = 64;

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

impl Memo {
    /// An empty memo.
    pub fn new() -> Memo {
        Memo::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tries> {
        self.tries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The outcome `rule` of rule set `set` reached for an earlier provider that read the same
    /// values. The memo serves the first set that uses it: rules are numbered per set, so a
    /// second set's rule would read the first set's outcomes.
    pub(crate) fn find(
        &self,
        set: u64,
        rule: usize,
        facts: &FactTable,
        params: &Params,
    ) -> Option<Arc<Ended>> {
        let mut tries = self.lock();
        if *tries.set.get_or_insert(set) != set {
            return None;
        }
        let (_, rules) = tries
            .by_params
            .iter()
            .find(|(p, _)| Arc::ptr_eq(p, params))?;
        let mut node = rules.get(rule)?.as_ref()?;
        loop {
            match node {
                Node::Ended(e) => return Some(e.clone()),
                Node::Asks { ask, next } => node = next.get(&seen(*ask, facts)?)?,
            }
        }
    }

    /// Records the path of one evaluation. A path that disagrees with the trie (which a
    /// deterministic rule cannot produce) is not recorded.
    pub(crate) fn insert(
        &self,
        set: u64,
        rule: usize,
        params: &Params,
        trace: Vec<(Ask, Seen)>,
        end: Ended,
    ) {
        let mut tries = self.lock();
        if *tries.set.get_or_insert(set) != set {
            return;
        }
        let at = match tries
            .by_params
            .iter()
            .position(|(p, _)| Arc::ptr_eq(p, params))
        {
            Some(at) => at,
            None if tries.by_params.len() < MAX_PARAMS => {
                tries.by_params.push((params.clone(), Vec::new()));
                tries.by_params.len() - 1
            }
            None => return,
        };
        let Some((_, rules)) = tries.by_params.get_mut(at) else {
            return;
        };
        if rules.len() <= rule {
            rules.resize_with(rule + 1, || None);
        }
        let Some(slot) = rules.get_mut(rule) else {
            return;
        };
        let Some(mut node) = slot.as_mut() else {
            *slot = Some(build(trace, end));
            return;
        };
        let mut steps = trace.into_iter();
        loop {
            match node {
                Node::Ended(_) => return,
                Node::Asks { ask, next } => {
                    let Some((a, s)) = steps.next() else { return };
                    if a != *ask {
                        return;
                    }
                    if next.get(&s).is_none() {
                        next.add(s, build(steps.collect(), end));
                        return;
                    }
                    let Some(n) = next.get_mut(&s) else { return };
                    node = n;
                }
            }
        }
    }
}

/// A chain of nodes for the rest of a path, built from its end (no recursion: paths are
/// bounded by [`MAX_TRACE`], but a loop would still be deep).
fn build(steps: Vec<(Ask, Seen)>, end: Ended) -> Node {
    let mut node = Node::Ended(Arc::new(end));
    for (ask, s) in steps.into_iter().rev() {
        node = Node::Asks {
            ask,
            next: Next::one(s, node),
        };
    }
    node
}

/// Paths longer than this are not memoised: the built-in rules read a handful of values, and
/// a rule that reads in a loop would only grow the memo (and deepen the trie that must be
/// dropped) for no gain.
pub(crate) const MAX_TRACE: usize = 256;
