//! YAML reading with real positions. `yaml_serde` reports positions only for errors raised
//! while a value is being deserialized, so every check that needs a position runs inside
//! deserialization: validated scalar types (ids, fact keys, weights, dates), a thread-local
//! context (the stage's [`ParseContext`], such as the fact vocabulary), duplicate-key
//! detection, and a "trap" that re-parses a file to find where a given name occurs when a
//! cross-file check (a dangling child, a cycle) fails.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::input::date::Date;
use crate::input::error::{did_you_mean, InputError};
use crate::input::source::{position_at, Location, SourceFile};

/// Deeper flow nesting than this is refused before parsing (no labfit input needs more than a
/// handful of levels, and the parser is slow to reject deep nesting on its own).
pub const MAX_NESTING: usize = 64;

/// Separates a message from its hint inside a serde error string.
const HINT_SEP: char = '\u{1f}';
/// Starts every message labfit raises itself, so the serde path prefix (`facts.x: `) can be
/// dropped: those messages already name what they are about.
const OWN: char = '\u{1d}';
/// Marks the error raised on purpose by [`locate`].
const TRAP: &str = "\u{1e}labfit-trap";

/// What kind of name a scalar is, for validation and for [`locate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A requirement id where it is defined.
    RequirementDef,
    /// A requirement id where it is referenced (children, profile frameworks, gates, waivers).
    RequirementRef,
    /// A fact key (validated against the vocabulary when one is set).
    Fact,
    /// A source id in evidence.
    Source,
    /// A profile parameter name.
    Param,
    /// A profile or evidence id.
    DocId,
    /// A `PARENT/CHILD` edge in a profile's weights (or a `PARENT` whose children are judged).
    Edge,
    /// A pairwise judgement in a profile, by where it is written and the pair it judges.
    Judgement,
}

impl NameKind {
    fn what(self) -> &'static str {
        match self {
            NameKind::RequirementDef | NameKind::RequirementRef => "a requirement id",
            NameKind::Fact => "a fact key",
            NameKind::Source => "a source id",
            NameKind::Param => "a parameter name",
            NameKind::DocId => "an id",
            NameKind::Edge => "an edge",
            NameKind::Judgement => "a judgement",
        }
    }
}

/// What a later stage lends the parser for the length of one parse: the fact keys it knows
/// (checked where they occur, so an unknown key has its position), and itself, for that
/// stage's own deserializers to read back (evidence reads the fact types this way).
pub(crate) trait ParseContext: Any + Send + Sync {
    /// `Err((message, hint))` when `key` is not a known fact key.
    fn check_fact_key(&self, key: &str) -> Result<(), (String, String)>;
    /// `Err((message, hint))` when `name` is not a known parameter (by default every name is).
    fn check_param_name(&self, _name: &str) -> Result<(), (String, String)> {
        Ok(())
    }
    /// Itself, to downcast.
    fn as_any(&self) -> &dyn Any;
}

#[derive(Default)]
struct Ctx {
    vocab: Option<Arc<dyn ParseContext>>,
    trap: Option<(NameKind, String, usize)>,
    seen: usize,
}

thread_local! {
    static CTX: RefCell<Ctx> = RefCell::new(Ctx::default());
}

/// Restores the previous context when dropped, so a panic or early return cannot leak one
/// file's vocabulary into the next parse on this thread.
struct CtxGuard(Option<Ctx>);

impl CtxGuard {
    fn set(ctx: Ctx) -> Self {
        CtxGuard(Some(CTX.with(|c| c.replace(ctx))))
    }
}

impl Drop for CtxGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.0.take() {
            CTX.with(|c| *c.borrow_mut() = prev);
        }
    }
}

fn check_name(kind: NameKind, value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > 120 {
        return Err(format!(
            "`{value}` is not {}: use 1 to 120 characters",
            kind.what()
        ));
    }
    let ok = value.chars().enumerate().all(|(i, c)| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || (i > 0 && matches!(c, '.' | '_' | '-'))
    });
    if !ok && kind != NameKind::Param {
        return Err(format!(
            "`{value}` is not {}{HINT_SEP}use lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit",
            kind.what()
        ));
    }
    if kind == NameKind::Param
        && !value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_lowercase() || (i > 0 && (c.is_ascii_digit() || c == '_')))
    {
        return Err(format!(
            "`{value}` is not a parameter name{HINT_SEP}use snake_case: lowercase letters, digits and `_`"
        ));
    }
    trap_check(kind, value)
}

/// Checks an edge key against the trap (its parts are checked as names separately).
pub(crate) fn check_edge(value: &str) -> Result<(), String> {
    trap_check(NameKind::Edge, value)
}

/// Checks a judgement's key (where it is written and the pair it judges) against the trap, so
/// a set found inconsistent after parsing can point at the judgement to revisit.
pub(crate) fn check_judgement(key: &str) -> Result<(), String> {
    trap_check(NameKind::Judgement, key)
}

fn trap_check(kind: NameKind, value: &str) -> Result<(), String> {
    CTX.with(|c| {
        let mut ctx = c.borrow_mut();
        if let Some((tk, tv, nth)) = &ctx.trap {
            if *tk == kind && tv == value {
                let nth = *nth;
                ctx.seen += 1;
                if ctx.seen >= nth {
                    return Err(TRAP.to_owned());
                }
            }
            return Ok(());
        }
        // Checked while the name is read, so that an unknown one is reported where it is.
        if let Some(vocab) = &ctx.vocab {
            let known = match kind {
                NameKind::Fact => vocab.check_fact_key(value),
                NameKind::Param => vocab.check_param_name(value),
                _ => Ok(()),
            };
            if let Err((message, hint)) = known {
                return Err(format!("{message}{HINT_SEP}{hint}"));
            }
        }
        Ok(())
    })
}

/// The context of the parse in progress, if any.
pub(crate) fn current_context() -> Option<Arc<dyn ParseContext>> {
    CTX.with(|c| c.borrow().vocab.clone())
}

/// True while [`locate`] is re-parsing; value checks are skipped then so that only the trap
/// fires.
pub(crate) fn locating() -> bool {
    CTX.with(|c| c.borrow().trap.is_some())
}

/// Builds a serde error carrying a hint.
pub(crate) fn err_hint<E: de::Error>(message: impl fmt::Display, hint: impl fmt::Display) -> E {
    E::custom(format!("{OWN}{message}{HINT_SEP}{hint}"))
}

/// Builds a serde error with labfit's own wording.
pub(crate) fn err<E: de::Error>(message: impl fmt::Display) -> E {
    E::custom(format!("{OWN}{message}"))
}

/// Marker types tie a [`Name`] to its [`NameKind`].
pub(crate) trait Kind {
    const KIND: NameKind;
}

macro_rules! kinds {
    ($($t:ident => $k:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub(crate) struct $t;
        impl Kind for $t { const KIND: NameKind = NameKind::$k; }
    )*};
}
kinds!(ReqDef => RequirementDef, ReqRef => RequirementRef, FactK => Fact, SourceK => Source, ParamK => Param, DocK => DocId);

/// A validated name (id, key, reference) read from YAML.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Name<K>(pub String, PhantomData<K>);

impl<K> Name<K> {
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

impl<K> fmt::Display for Name<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de, K: Kind> Deserialize<'de> for Name<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<K: Kind> Visitor<'_> for V<K> {
            type Value = Name<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(K::KIND.what())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<K>, E> {
                check_name(K::KIND, v).map_err(err)?;
                Ok(Name(v.to_owned(), PhantomData))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// An edge or framework weight: finite and not negative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Weight(pub f64);

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Weight;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a weight (a number ≥ 0)")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Weight, E> {
                if v.is_finite() && v >= 0.0 {
                    Ok(Weight(v))
                } else {
                    Err(err_hint(
                        format!("weight `{v}` is not allowed"),
                        "a weight is a finite number ≥ 0, such as 1, 2.5 or 0",
                    ))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Weight, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Weight, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_f64(V)
    }
}

/// A number in [0, 1] (gate minimums).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Unit(pub f64);

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Unit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number from 0 to 1")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Unit, E> {
                if (0.0..=1.0).contains(&v) {
                    Ok(Unit(v))
                } else {
                    Err(err_hint(
                        format!("`{v}` is outside 0..1"),
                        "a minimum is a share of full credit, from 0 to 1",
                    ))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Unit, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Unit, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_f64(V)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date (YYYY-MM-DD)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                v.parse::<Date>()
                    .map_err(|e| err_hint(e, "write dates as YYYY-MM-DD"))
            }
        }
        d.deserialize_str(V)
    }
}

/// A map that refuses duplicate keys (plain serde maps keep the last one silently).
pub(crate) fn unique_map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    struct Vis<K, V>(PhantomData<(K, V)>);
    impl<'de, K, V> Visitor<'de> for Vis<K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(k) = m.next_key::<K>()? {
                if out.contains_key(&k) {
                    return Err(err(format!("duplicate key `{k}`")));
                }
                let v = m.next_value()?;
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Vis(PhantomData))
}

/// The `labfit: KIND/v1` header of a file, read from its first key without parsing it. The
/// first key may also open a flow map, as in a JSON document (`{"labfit": "evidence/v1", …`).
pub(crate) fn header(text: &str) -> Option<(String, usize)> {
    // A byte-order mark (editors on Windows write one) is not part of the first key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut flow = false;
    for (i, line) in text.lines().enumerate() {
        let mut t = line.trim();
        if !flow {
            if let Some(rest) = t.strip_prefix('{') {
                flow = true;
                t = rest.trim_start();
            }
        }
        if t.is_empty() || t.starts_with('#') || t == "---" || t.starts_with('%') {
            continue;
        }
        let rest = ["labfit", "\"labfit\"", "'labfit'"]
            .iter()
            .find_map(|k| t.strip_prefix(k))?
            .trim_start()
            .strip_prefix(':')?;
        let rest = rest.split(" #").next().unwrap_or(rest);
        let rest = if flow {
            rest.split([',', '}']).next().unwrap_or(rest)
        } else {
            rest
        };
        let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        return Some((v.to_owned(), i + 1));
    }
    None
}

/// Parses one input file of the given kind (`catalog/v1`, …) into `T`, with a context (the
/// vocabulary) when one is given.
pub(crate) fn parse<T: DeserializeOwned>(
    file: &SourceFile,
    kind: &str,
    vocab: Option<Arc<dyn ParseContext>>,
) -> Result<T, InputError> {
    precheck(file, kind)?;
    let _guard = CtxGuard::set(Ctx {
        vocab,
        trap: None,
        seen: 0,
    });
    yaml_serde::from_str::<T>(file.text()).map_err(|e| convert(file, &e))
}

/// Which reader [`parse_by`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// The fast reader of the subset of YAML labfit files use (`input/fast.rs`), then
    /// `yaml_serde` when it gives up: the result, and every diagnostic, is `yaml_serde`'s.
    Fast,
    /// The fast reader alone; `None` when it gives up (for tests that compare the two).
    FastOnly,
    /// `yaml_serde` alone.
    Full,
}

/// [`parse`] with a choice of reader; `None` only for [`Reader::FastOnly`] giving up. The
/// header and nesting checks and the context are the same for each reader.
pub(crate) fn parse_by<T: DeserializeOwned>(
    file: &SourceFile,
    kind: &str,
    vocab: Option<Arc<dyn ParseContext>>,
    reader: Reader,
) -> Option<Result<T, InputError>> {
    if let Err(e) = precheck(file, kind) {
        return Some(Err(e));
    }
    let _guard = CtxGuard::set(Ctx {
        vocab,
        trap: None,
        seen: 0,
    });
    if reader != Reader::Full {
        match crate::input::fast::from_str::<T>(file.text()) {
            Ok(t) => return Some(Ok(t)),
            Err(_) if reader == Reader::FastOnly => return None,
            // A give-up or a visitor's error: read again from scratch, for the real diagnostic.
            Err(_) => {}
        }
    }
    Some(yaml_serde::from_str::<T>(file.text()).map_err(|e| convert(file, &e)))
}

/// Parses YAML text that is not a labfit file (a request body) into `T`, with the same
/// checks before parsing (nesting) and the same diagnostics as a file.
#[cfg_attr(
    not(feature = "serve"),
    expect(
        dead_code,
        reason = "only the service reads YAML that is not a labfit file"
    )
)]
pub(crate) fn parse_plain<T: DeserializeOwned>(file: &SourceFile) -> Result<T, InputError> {
    if let Some(offset) = too_deep(file.text()) {
        return Err(InputError::invalid(
            file.location_at(offset),
            format!("nesting deeper than {MAX_NESTING} levels"),
            None,
        ));
    }
    yaml_serde::from_str::<T>(file.text()).map_err(|e| convert(file, &e))
}

/// Where the `nth` (1-based) occurrence of a name of `kind` is in `file`, found by re-parsing
/// with a trap on it; the file start when it cannot be found.
pub(crate) fn locate<T: DeserializeOwned>(
    file: &SourceFile,
    kind: NameKind,
    value: &str,
    nth: usize,
) -> Location {
    let _guard = CtxGuard::set(Ctx {
        vocab: None,
        trap: Some((kind, value.to_owned(), nth.max(1))),
        seen: 0,
    });
    match yaml_serde::from_str::<T>(file.text()) {
        Err(e) if e.to_string().contains(TRAP) => e
            .location()
            .map(|l| file.location(l.line(), l.column()))
            .unwrap_or_else(|| file.location(1, 1)),
        _ => file.location(1, 1),
    }
}

/// Every independent error of one file, where parsing (and whatever `attempt` does after it)
/// stops at the first: while `attempt` fails with an error inside an entry of this file, the
/// error is kept, that entry is blanked (see [`without_entry`]) and `attempt` runs again on
/// the rest. It stops at an error it cannot step over: one in the file's structure (YAML
/// syntax, the header), one in another file, one without a position, a missing field. An
/// error that only follows from a blanked entry (a missing field, a reference to the blanked
/// name, a syntax error the cut made) is dropped, so each error shown is one to fix.
///
/// Returns the errors in the order found and, when `attempt` finally succeeds on the
/// blanked text, that text and the result (line numbers unchanged).
pub(crate) fn recover<T, E>(
    file: &SourceFile,
    mut attempt: impl FnMut(&SourceFile) -> Result<T, E>,
    input: impl Fn(&E) -> Option<&InputError>,
) -> (Vec<E>, Option<(SourceFile, T)>) {
    let mut errors = Vec::new();
    let mut blanked: Vec<String> = Vec::new();
    let mut current = file.clone();
    // Each round blanks at least one more line, so this many rounds always suffice.
    for _ in 0..=file.text().lines().count() {
        let e = match attempt(&current) {
            Ok(t) => return (errors, Some((current, t))),
            Err(e) => e,
        };
        let Some(InputError::Invalid {
            location,
            message,
            syntax,
            ..
        }) = input(&e)
        else {
            errors.push(e);
            break;
        };
        // Only the subject counts: "unknown field `x`, expected one of `a`, `b`" is about `x`.
        let subject = message.split(", expected").next().unwrap_or_default();
        let follows = blanked.iter().any(|k| subject.contains(&format!("`{k}`")));
        let missing = subject.contains("missing field");
        if *syntax || missing || location.file() != file.name() {
            // After a cut, a structural error or a missing field is the cut's doing (a
            // misspelt field was blanked); before any, it is the file's own.
            if !(follows || ((*syntax || missing) && !blanked.is_empty())) {
                errors.push(e);
            }
            break;
        }
        let Some((next, key)) = without_entry(&current, location.line()) else {
            if !follows {
                errors.push(e);
            }
            break;
        };
        if !follows {
            errors.push(e);
        }
        blanked.push(key);
        current = next;
    }
    (errors, None)
}

/// For [`recover`] over a plain parse: the error is the input error.
pub(crate) fn itself(e: &InputError) -> Option<&InputError> {
    Some(e)
}

/// `file` with the entry on `line` blanked: that line and the lines below it indented deeper
/// (its value), each left empty so that every other position stays where it was; and the
/// entry's key. `None` for the header or a line outside the file, and for an entry whose
/// brackets or quotes do not close within it (cutting it would break the YAML around it).
pub(crate) fn without_entry(file: &SourceFile, line: usize) -> Option<(SourceFile, String)> {
    let lines: Vec<&str> = file.text().split('\n').collect();
    let first = *lines.get(line.checked_sub(1)?)?;
    if first.trim().is_empty() || header(file.text()).map(|(_, l)| l) == Some(line) {
        return None;
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let own = indent(first);
    let mut end = line; // exclusive, 0-based index of the first line kept
    while let Some(l) = lines.get(end) {
        let t = l.trim();
        if !t.is_empty() && !t.starts_with('#') && indent(l) <= own {
            break;
        }
        end += 1;
    }
    // A list item is cut only when it is the last of its list: the items after it would be
    // numbered one less in the messages (`notes[0]`), pointing at the wrong item.
    let item = |l: &str| l.trim_start().starts_with("- ") || l.trim() == "-";
    if item(first) && lines.get(end).is_some_and(|l| indent(l) == own && item(l)) {
        return None;
    }
    let cut: Vec<&str> = lines.get(line - 1..end)?.to_vec();
    if !balanced(&cut) {
        return None;
    }
    let key = first
        .trim_start()
        .trim_start_matches("- ")
        .split(':')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '{')
        .to_owned();
    let text: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i + 1 >= line && i < end { "" } else { *l })
        .collect();
    Some((SourceFile::from_text(file.name(), text.join("\n")), key))
}

/// True when the flow brackets and quotes of these lines close within them.
fn balanced(lines: &[&str]) -> bool {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for line in lines {
        let before = |i: usize| line.get(..i).unwrap_or_default();
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                // A quote opens a scalar only where a value starts (`it's` is plain text).
                (None, '"' | '\'') if !before(i).ends_with(char::is_alphanumeric) => {
                    quote = Some(c);
                }
                (None, '#') if i == 0 || before(i).ends_with([' ', '\t']) => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
    }
    depth == 0 && quote.is_none()
}

fn precheck(file: &SourceFile, kind: &str) -> Result<(), InputError> {
    let text = file.text();
    if text.trim().is_empty() {
        return Err(InputError::syntax(
            file.location(1, 1),
            "the file is empty",
            Some(format!("start the file with `labfit: {kind}`")),
        ));
    }
    match header(text) {
        Some((k, _)) if k == kind => {}
        Some((k, line)) => {
            let col = text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find("labfit"))
                .unwrap_or(0)
                + 1;
            return Err(InputError::syntax(
                file.location(line, col),
                format!("expected a `{kind}` file, found `{k}`"),
                Some(format!("the first key must be `labfit: {kind}`")),
            ));
        }
        None => {
            let line = text
                .lines()
                .position(|l| {
                    let t = l.trim();
                    !(t.is_empty() || t.starts_with('#') || t == "---" || t.starts_with('%'))
                })
                .map_or(1, |p| p + 1);
            return Err(InputError::syntax(
                file.location(line, 1),
                format!("missing the `labfit: {kind}` header"),
                Some(format!("the first key must be `labfit: {kind}`")),
            ));
        }
    }
    if let Some(offset) = too_deep(text) {
        return Err(InputError::syntax(
            file.location_at(offset),
            format!("nesting deeper than {MAX_NESTING} levels"),
            Some(
                "labfit inputs are a few levels deep; this looks like a broken or hostile file"
                    .into(),
            ),
        ));
    }
    Ok(())
}

/// The byte offset where flow nesting (`[` / `{`) first exceeds [`MAX_NESTING`], or where
/// block indentation does (counted in steps of two spaces).
///
/// Runs over bytes, not chars: every byte it looks for is ASCII, and in UTF-8 an ASCII byte is
/// never part of a longer character, so the offsets are those a char scan would give at a
/// fraction of the cost (this runs over every evidence file before it is parsed).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if indent / 2 > MAX_NESTING * 2 && !line.trim().is_empty() {
            return Some(offset);
        }
        let mut quote: Option<u8> = None;
        // The byte before `b`; a space before the first one, since a `#` there starts a
        // comment just as one after a space does.
        let mut prev = b' ';
        for (i, &b) in bytes.iter().enumerate() {
            let before = std::mem::replace(&mut prev, b);
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'#') if matches!(before, b' ' | b'\t') => break,
                (None, b'[' | b'{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(offset + i);
                    }
                }
                (None, b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        offset += line.len();
    }
    None
}

fn convert(file: &SourceFile, e: &yaml_serde::Error) -> InputError {
    let raw = e.to_string();
    // Reader errors (bad characters) carry a byte offset instead of a line. The position in
    // the file's own text is kept apart from the location shown (they differ for an excerpt
    // of a request body), since the search for a duplicate key reads the file's text.
    let (line, col) = match (offset_of(&raw), e.location()) {
        (Some(o), _) => position_at(file.text(), o),
        (None, Some(l)) => (l.line(), l.column()),
        (None, None) => (1, 1),
    };
    let mut location = file.location(line, col);
    // An alias bomb is refused as a whole: point at the first alias that expands.
    if raw.contains("repetition limit") || raw.contains("recursion limit") {
        if let Some(o) = first_alias(file.text()) {
            location = file.location_at(o);
        }
    }
    // The syntax context ("while parsing a flow mapping at line 5 column 8") names where the
    // construct that failed started: kept for the hint, while the positions leave the message.
    let (text, context) = match raw.split_once(", while ") {
        Some((problem, context)) => (problem.to_owned(), Some(context.to_owned())),
        None => (raw.clone(), None),
    };
    let text = strip_marks(&text);
    // A problem inside one entry (labfit's own checks, serde's types and fields) leaves the
    // rest of the file readable; anything else the parser raised is the file's structure.
    let entry_level = text.contains(OWN)
        || [
            "unknown field",
            "unknown variant",
            "invalid type",
            "invalid value",
            "invalid length",
            "missing field",
            "duplicate entry",
            "duplicate field",
        ]
        .iter()
        .any(|p| text.contains(p));
    // Drop the serde path before labfit's own messages (they name their subject).
    let text = match text.split_once(OWN) {
        Some((_, own)) => own.to_owned(),
        None => text,
    };
    let (message, hint) = match text.split_once(HINT_SEP) {
        Some((m, h)) => (m.to_owned(), Some(h.to_owned())),
        None => (text.clone(), None),
    };
    if let Some(key) = duplicate_key(&message) {
        location = find_duplicate(file, line, col, &key).unwrap_or(location);
    }
    let (message, syntax_hint) = syntax_error(file, &message, context.as_deref(), &mut location);
    let hint = hint
        .or(syntax_hint)
        .or_else(|| generic_hint(&message))
        .unwrap_or_else(|| "see docs/formats.md for the format of this kind of file".to_owned());
    if entry_level {
        InputError::invalid(location, tidy(&message), Some(hint))
    } else {
        InputError::syntax(location, tidy(&message), Some(hint))
    }
}

/// Removes every ` at line L column C` and ` at position N` from a parser message.
fn strip_marks(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in [" at line ", " at position "] {
        while let Some(i) = out.find(marker) {
            let rest = out.get(i + marker.len()..).unwrap_or_default();
            let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
            let mut len = marker.len() + digits(rest);
            if marker == " at line " {
                let after = rest.get(digits(rest)..).unwrap_or_default();
                match after.strip_prefix(" column ") {
                    Some(col) => len += " column ".len() + digits(col),
                    None => break,
                }
            }
            out.replace_range(i..i + len, "");
        }
    }
    out
}

/// The byte offset of the first alias (`*name`) in a YAML text.
fn first_alias(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len()).find(|&i| {
        bytes.get(i) == Some(&b'*')
            && matches!(bytes.get(i - 1), Some(b' ' | b'[' | b',' | b'{'))
            && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
    })
}

fn offset_of(raw: &str) -> Option<usize> {
    let rest = raw.split_once(" at position ")?.1;
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// The first `line L column C` in a text.
fn mark_of(text: &str) -> Option<(usize, usize)> {
    let rest = text.split_once("line ")?.1;
    let (line, rest) = rest.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

/// Words a YAML syntax error for a person typing the file by hand, with what to do; moves
/// the location where the parser's own is unhelpful.
fn syntax_error(
    file: &SourceFile,
    message: &str,
    context: Option<&str>,
    location: &mut Location,
) -> (String, Option<String>) {
    let opened = context.and_then(mark_of).map(|(l, c)| file.location(l, c));
    let opened_at = |what: &str| match &opened {
        Some(at) => format!("{what} opened at line {} column {}", at.line(), at.col()),
        None => what.to_owned(),
    };
    let at_char = location
        .line_text()
        .and_then(|t| t.chars().nth(location.col().saturating_sub(1)));
    let (msg, hint): (String, String) = if message.starts_with("did not find expected ',' or '}'") {
        (
            format!("expected `,` or `}}` in the {}", opened_at("flow map `{`")),
            "close the map with `}`, separate entries with `,`, and quote values that hold `,`, `{`, `}` or `\"`".into(),
        )
    } else if message.starts_with("did not find expected ',' or ']'") {
        (
            format!("expected `,` or `]` in the {}", opened_at("flow list `[`")),
            "close the list with `]`, separate items with `,`, and quote items that hold `,`, `[`, `]` or `\"`".into(),
        )
    } else if message.starts_with("did not find expected key") {
        (
            "expected a key here: the indentation does not match the map above".into(),
            "the keys of one map start in the same column; indent with spaces".into(),
        )
    } else if message.starts_with("did not find expected '-' indicator") {
        (
            format!("expected a `- ` item of the {}", opened_at("list")),
            "the items of a list start with `- ` in the same column; indent with spaces".into(),
        )
    } else if message.starts_with("found character that cannot start any token") {
        if at_char == Some('\t') {
            (
                "a tab in the indentation".into(),
                "YAML indents with spaces only; replace the tab with spaces".into(),
            )
        } else {
            (
                format!(
                    "`{}` cannot start a value here",
                    at_char.map(String::from).unwrap_or_default()
                ),
                "quote the value (`\"…\"`) if it starts with a special character such as `@` or a backtick".into(),
            )
        }
    } else if message.starts_with("mapping values are not allowed") {
        (
            "a `: ` inside a plain value".into(),
            "quote the value (`\"…\"`) when it contains `: `, or fix the indentation of the key"
                .into(),
        )
    } else if message.starts_with("found unexpected end of stream") {
        (
            format!(
                "the file ends inside a {}",
                opened_at("quoted value or bracket")
            ),
            "close the quote or bracket".into(),
        )
    } else if message.starts_with("found undefined alias") || message == "unknown anchor" {
        (
            "an alias (`*name`) without an anchor (`&name`) before it".into(),
            "define the anchor before the alias, or write the value out".into(),
        )
    } else if message.starts_with("control characters are not allowed") {
        (
            "a control character in the text".into(),
            "remove it; labfit inputs are plain text (a tab is allowed only inside quotes)".into(),
        )
    } else if message.contains("repetition limit") || message.contains("recursion limit") {
        (
            "anchors and aliases expand past the parser's limit (an alias bomb?)".into(),
            "write the values out instead of nesting aliases".into(),
        )
    } else if message.contains("more than one document") {
        if let Some(i) = file
            .text()
            .lines()
            .enumerate()
            .skip(1)
            .find(|(_, l)| l.trim_end() == "---" || l.starts_with("--- "))
            .map(|(i, _)| i)
        {
            *location = file.location(i + 1, 1);
        }
        (
            "the file holds more than one YAML document".into(),
            "a labfit file is one document: remove this `---` and what follows, or split the file in two".into(),
        )
    } else if let Some(hint) = listed_hint(message) {
        return (message.to_owned(), Some(hint));
    } else {
        return (message.to_owned(), None);
    };
    (msg, Some(hint))
}

/// For "unknown field `x`, expected one of `a`, `b`" (and unknown variants): the listed name
/// closest to `x`.
fn listed_hint(message: &str) -> Option<String> {
    let (what, rest) = message
        .split_once("unknown field `")
        .map(|(_, r)| ("field", r))
        .or_else(|| {
            message
                .split_once("unknown variant `")
                .map(|(_, r)| ("value", r))
        })?;
    let (word, rest) = rest.split_once('`')?;
    let listed: Vec<&str> = rest
        .split_once("expected")?
        .1
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    match did_you_mean(word, listed.iter().copied()) {
        Some(h) => Some(h),
        None if what == "value" => Some(format!("use one of: {}", listed.join(", "))),
        None => None,
    }
}

fn tidy(message: &str) -> String {
    message
        .replace("duplicate entry with key", "duplicate key")
        .replace("duplicate field", "duplicate key")
}

fn generic_hint(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("remove the field or fix its spelling; see docs/formats.md for the fields each kind of file takes".into())
    } else if message.contains("duplicate") {
        Some("each key may appear once in a map; remove or merge the repeated one".into())
    } else if message.contains("missing field") {
        Some("add the field; see docs/formats.md".into())
    } else if message.contains("invalid type") || message.contains("invalid value") {
        Some("check the value's type against docs/formats.md".into())
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        Some("anchors and aliases that expand this much are refused; write the values out".into())
    } else {
        None
    }
}

fn duplicate_key(message: &str) -> Option<String> {
    let rest = message
        .split_once("duplicate entry with key ")
        .or_else(|| message.split_once("duplicate field "))
        .or_else(|| message.split_once("duplicate key "))?
        .1;
    Some(
        rest.trim()
            .trim_matches(|c| c == '"' || c == '`')
            .to_owned(),
    )
}

/// The position of the second occurrence of `key` in the map that starts at `line`:`col`
/// (yaml_serde reports a duplicate at the map's start).
fn find_duplicate(file: &SourceFile, line: usize, col: usize, key: &str) -> Option<Location> {
    let lines: Vec<&str> = file.text().lines().collect();
    let first = lines.get(line.checked_sub(1)?)?;
    let candidates = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    // A flow map on one line: the second `key:` after the opening brace.
    let start_char = first.chars().nth(col.saturating_sub(1));
    if start_char == Some('{') {
        let mut seen = 0;
        let byte_col = first.char_indices().nth(col - 1).map_or(0, |(b, _)| b);
        let mut pos = byte_col;
        while let Some(found) = candidates
            .iter()
            .filter_map(|c| {
                first
                    .get(pos..)
                    .and_then(|s| s.find(c.as_str()))
                    .map(|i| (i + pos, c.len()))
            })
            .min()
        {
            seen += 1;
            if seen == 2 {
                let char_col = first.get(..found.0).map_or(0, |s| s.chars().count()) + 1;
                return Some(file.location(line, char_col));
            }
            pos = found.0 + found.1;
        }
        return None;
    }
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate().skip(line - 1) {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = l.chars().count() - trimmed.chars().count() + 1;
        // The map's first key may follow a `- ` on its line.
        let (key_col, text) = if i == line - 1 {
            (col, l.chars().skip(col - 1).collect::<String>())
        } else {
            (indent, trimmed.to_owned())
        };
        if i > line - 1 && indent < col {
            break;
        }
        if key_col == col && candidates.iter().any(|c| text.starts_with(c.as_str())) {
            seen += 1;
            if seen == 2 {
                return Some(file.location(i + 1, key_col));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be parsed, not read")]
    struct Doc {
        labfit: String,
        #[serde(default, deserialize_with = "unique_map")]
        weights: BTreeMap<Name<ReqRef>, Weight>,
        #[serde(default)]
        when: Option<Date>,
    }

    fn err(text: &str) -> (String, String, Option<String>) {
        let f = SourceFile::from_text("t.yaml", text);
        match parse::<Doc>(&f, "test/v1", None) {
            Err(InputError::Invalid {
                location,
                message,
                hint,
                ..
            }) => (location.to_string(), message, hint),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn positions_point_at_the_offending_value() {
        assert_eq!(
            err("labfit: test/v1\nweights:\n  a: 1\n  b: .nan\n").0,
            "t.yaml:4:6"
        );
        assert_eq!(
            err("labfit: test/v1\nweights:\n  a: 1\n  B: 2\n").0,
            "t.yaml:4:3"
        );
        assert_eq!(err("labfit: test/v1\nwhen: 2023-02-30\n").0, "t.yaml:2:7");
        assert_eq!(err("labfit: test/v1\nfoo: 1\n").0, "t.yaml:2:1");
    }

    #[test]
    fn duplicates_point_at_the_second_key() {
        let (loc, msg, _) = err("labfit: test/v1\nweights:\n  a: 1\n  b: 2\n  a: 3\n");
        assert_eq!(
            (loc.as_str(), msg.as_str()),
            ("t.yaml:5:3", "duplicate key `a`")
        );
        let (loc, msg, _) = err("labfit: test/v1\nweights: {a: 1, a: 2}\n");
        assert_eq!(
            (loc.as_str(), msg.as_str()),
            ("t.yaml:2:17", "duplicate key `a`")
        );
        let (loc, _, _) = err("# c\nlabfit: test/v1\nwhen: 2023-01-01\nlabfit: x\n");
        assert_eq!(loc, "t.yaml:4:1");
    }

    #[test]
    fn header_and_nesting_are_checked_first() {
        assert_eq!(err("").1, "the file is empty");
        assert_eq!(
            err("labfit: other/v1\n").1,
            "expected a `test/v1` file, found `other/v1`"
        );
        assert_eq!(
            err("weights: {}\n").1,
            "missing the `labfit: test/v1` header"
        );
        let deep = format!("labfit: test/v1\nweights: {}", "[".repeat(10_000));
        assert_eq!(err(&deep).1, "nesting deeper than 64 levels");
    }

    fn every_error(text: &str) -> Vec<String> {
        let f = SourceFile::from_text("t.yaml", text);
        let (errors, _) = recover(&f, |f| parse::<Doc>(f, "test/v1", None), itself);
        errors
            .iter()
            .map(|e| match e {
                InputError::Invalid {
                    location, message, ..
                } => format!("{location} {message}"),
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn recovery_reports_each_broken_entry_once() {
        assert_eq!(
            every_error("labfit: test/v1\nweights:\n  A: 1\n  b: 2\n  C: {x: 1}\nwhen: 2023-02-30\n"),
            [
                "t.yaml:3:3 `A` is not a requirement id",
                "t.yaml:5:3 `C` is not a requirement id",
                "t.yaml:6:7 `2023-02-30` is not a date: expected YYYY-MM-DD, for example 2026-06-30",
            ]
        );
        // A flow map over two lines cannot be cut without breaking the YAML around it.
        assert_eq!(
            every_error("labfit: test/v1\nweights: {A: 1,\n  C: 2}\n").len(),
            1
        );
        // A syntax error stops the file: nothing after it is read.
        assert_eq!(
            every_error("labfit: test/v1\nweights: {a: 1\nwhen: 2023-02-30\n").len(),
            1
        );
        // Blanking a required field is not a second error.
        let f = SourceFile::from_text("t.yaml", "labfit: test/v1\nweights: {B: 1}\n");
        assert_eq!(
            without_entry(&f, 2).map(|(f, k)| (f.text().to_owned(), k)),
            Some(("labfit: test/v1\n\n".to_owned(), "weights".to_owned()))
        );
        assert!(without_entry(&f, 1).is_none(), "the header is not an entry");
    }

    #[test]
    fn locate_finds_a_reference() {
        let f = SourceFile::from_text("t.yaml", "labfit: test/v1\nweights:\n  a: 1\n  zz: 2\n");
        assert_eq!(
            locate::<Doc>(&f, NameKind::RequirementRef, "zz", 1).to_string(),
            "t.yaml:4:3"
        );
        assert_eq!(
            locate::<Doc>(&f, NameKind::RequirementRef, "nope", 1).to_string(),
            "t.yaml:1:1"
        );
    }
}
