//! Provider evidence: one file per provider, each fact with a value, an assurance status, a
//! source and a date. A fact absent from the file is unknown, never a pass.

pub mod error;
pub mod guide;
pub mod vocabulary;
pub mod write;

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::evidence::vocabulary::{FactSpec, FactType, Vocabulary};
use crate::input::date::Date;
use crate::input::error::InputError;
use crate::input::kind::FileKind;
use crate::input::source::SourceFile;
#[doc(hidden)]
pub use crate::input::yaml::Reader;
use crate::input::yaml::{
    self, err_hint, unique_map, DocK, FactK, Name, NameKind, ParseContext, SourceK,
};

/// The file kind of evidence.
pub const KIND: &str = FileKind::Evidence.header();

/// How strongly a fact is established, strongest first. `Assumed` is a what-if value set on
/// the command line; it is shown as such and never written in files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The lab read a primary document itself.
    Verified,
    /// An independent auditor or a regulator states it.
    Attested,
    /// The provider states it.
    Claimed,
    /// A third party states it.
    Reported,
    /// Nothing found.
    Unknown,
    /// Set by `--assume` for a what-if run.
    Assumed,
}

impl Status {
    /// Assurance rank: higher is stronger; unknown is 0. An assumption ranks as `verified`,
    /// since a what-if run asks "what if this were established".
    pub fn rank(self) -> u8 {
        match self {
            Status::Verified | Status::Assumed => 4,
            Status::Attested => 3,
            Status::Claimed => 2,
            Status::Reported => 1,
            Status::Unknown => 0,
        }
    }

    /// The status as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Attested => "attested",
            Status::Claimed => "claimed",
            Status::Reported => "reported",
            Status::Unknown => "unknown",
            Status::Assumed => "assumed",
        }
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status: verified, attested, claimed, reported or unknown")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Status, E> {
                const FILE_STATUSES: [&str; 5] =
                    ["verified", "attested", "claimed", "reported", "unknown"];
                match v {
                    "verified" => Ok(Status::Verified),
                    "attested" => Ok(Status::Attested),
                    "claimed" => Ok(Status::Claimed),
                    "reported" => Ok(Status::Reported),
                    "unknown" => Ok(Status::Unknown),
                    "assumed" => Err(err_hint(
                        "status `assumed` cannot be written in files",
                        "`assumed` is set by `--assume` for what-if runs; use verified, attested, claimed, reported or unknown",
                    )),
                    other => Err(err_hint(
                        format!("unknown status `{other}`"),
                        crate::input::error::did_you_mean(other, FILE_STATUSES)
                            .unwrap_or_else(|| "use verified, attested, claimed, reported or unknown".into()),
                    )),
                }
            }
        }
        d.deserialize_str(V)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fact's value, typed by the vocabulary.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum FactValue {
    /// bool facts.
    Bool(bool),
    /// integer facts.
    Integer(i64),
    /// percent and number facts.
    Number(f64),
    /// text, enum and date facts.
    Text(String),
    /// list facts.
    List(Vec<String>),
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Bool(b) => write!(f, "{b}"),
            FactValue::Integer(i) => write!(f, "{i}"),
            FactValue::Number(n) => write!(f, "{n}"),
            FactValue::Text(s) => f.write_str(s),
            FactValue::List(l) => write!(f, "[{}]", l.join(", ")),
        }
    }
}

impl FactValue {
    /// Parses a command-line value (`--assume KEY=VALUE`) as the vocabulary's type says.
    pub fn parse_as(spec: &FactSpec, raw: &str) -> Result<FactValue, String> {
        let raw = raw.trim();
        match spec.ty {
            FactType::Bool => match raw {
                "true" | "yes" => Ok(FactValue::Bool(true)),
                "false" | "no" => Ok(FactValue::Bool(false)),
                _ => Err(format!("`{raw}` is not a bool: use true or false")),
            },
            FactType::Integer => raw
                .parse::<i64>()
                .map(FactValue::Integer)
                .map_err(|_| format!("`{raw}` is not a whole number")),
            FactType::Percent | FactType::Number => {
                let v: f64 = raw
                    .parse()
                    .map_err(|_| format!("`{raw}` is not a number"))?;
                check_number(spec.ty, v).map(FactValue::Number)
            }
            FactType::Date => raw
                .parse::<Date>()
                .map(|d| FactValue::Text(d.to_string()))
                .map_err(|e| e.to_string()),
            FactType::Enum => {
                if spec.values.iter().any(|v| v == raw) {
                    Ok(FactValue::Text(raw.to_owned()))
                } else {
                    Err(format!("`{raw}` is not one of {}", some_values(spec)))
                }
            }
            // `none` is the empty list, as a provider answering a form writes it. A list with
            // `values` takes them in any case (`cn` is `CN`), and nothing else: a country
            // written out would match no rule's codes and pass where it should not.
            FactType::List if raw.eq_ignore_ascii_case("none") => Ok(FactValue::List(Vec::new())),
            FactType::List => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|item| {
                    if spec.values.is_empty() {
                        return Ok(item.to_owned());
                    }
                    spec.values
                        .iter()
                        .find(|v| v.eq_ignore_ascii_case(item))
                        .cloned()
                        .ok_or_else(|| format!("`{item}` is not one of {}", some_values(spec)))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(FactValue::List),
            FactType::Text => Ok(FactValue::Text(raw.to_owned())),
        }
    }
}

fn check_number(ty: FactType, v: f64) -> Result<f64, String> {
    if !v.is_finite() {
        return Err(format!("`{v}` is not a finite number"));
    }
    if ty == FactType::Percent && !(0.0..=100.0).contains(&v) {
        return Err(format!("{v} is not a percentage between 0 and 100"));
    }
    Ok(v)
}

/// Where a fact comes from.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A short title of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The date the document states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The SHA-256 of the file, when the source is a file labfit read (an imported
    /// questionnaire), so a later reader can tell it is the same document.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "sha256_hex"
    )]
    pub sha256: Option<String>,
}

/// A source's `sha256`: 64 lowercase hexadecimal digits.
fn sha256_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(Some(s))
    } else {
        Err(err_hint(
            format!("`{s}` is not a SHA-256"),
            "write the 64 lowercase hexadecimal digits of the file's SHA-256 (`sha256sum FILE`)",
        ))
    }
}

/// An earlier statement of a fact, kept when a newer one replaced it (`history:` in
/// evidence): who said what, and when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Earlier {
    /// The value then; `None` when it was unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<FactValue>,
    /// Its assurance then.
    pub status: Status,
    /// Who said it: a source id of the evidence file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The note it carried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When: the date it held as of.
    pub as_of: Date,
    /// The date a newer statement replaced it.
    pub superseded: Date,
}

/// One fact about a provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    /// The value; `None` exactly when the status is unknown.
    pub value: Option<FactValue>,
    /// Its assurance.
    pub status: Status,
    /// A source id of the evidence file.
    pub source: Option<String>,
    /// Free text: caveats, scope, what was looked for.
    pub note: Option<String>,
    /// The date the fact holds as of (default: its source's date, else the file's `as_of`).
    pub as_of: Option<Date>,
    /// After this date the fact counts as unknown.
    pub expires: Option<Date>,
    /// The kinds of service the fact holds for (`None`: every service the provider offers).
    /// A certificate scoped to one product covers only that product's kind.
    pub covers: Option<Vec<String>>,
    /// What the fact said before, oldest first. Never scored: the record of who said what,
    /// when, for `labfit diff` and a later reader.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Earlier>,
}

/// One provider's evidence.
#[derive(Clone, Debug)]
pub struct Evidence {
    /// Stable id (`tencent-cloud`).
    pub id: String,
    /// Display name.
    pub provider: String,
    /// When the research was done.
    pub as_of: Date,
    /// Sources by id (shared with every report of this evidence).
    pub sources: Arc<BTreeMap<String, Source>>,
    /// Facts by key.
    pub facts: BTreeMap<String, Fact>,
    /// Free-text notes.
    pub notes: Vec<String>,
    file: SourceFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    id: Name<DocK>,
    provider: String,
    as_of: Date,
    #[serde(default)]
    default_status: Option<Status>,
    #[serde(default, deserialize_with = "unique_map")]
    sources: BTreeMap<Name<DocK>, Source>,
    #[serde(default)]
    facts: FactMap,
    #[serde(default)]
    notes: Vec<String>,
}

/// Raw fact as written; `status` is `None` for shorthand values (default_status applies).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawFact {
    pub(crate) value: Option<FactValue>,
    pub(crate) status: Option<Status>,
    pub(crate) source: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) as_of: Option<Date>,
    pub(crate) expires: Option<Date>,
    pub(crate) covers: Option<Vec<String>>,
    pub(crate) history: Vec<Earlier>,
}

/// A map of fact key → fact, typed by the vocabulary in the parse context.
#[derive(Default, Debug)]
pub(crate) struct FactMap(pub(crate) BTreeMap<String, RawFact>);

impl<'de> Deserialize<'de> for FactMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FactMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of fact key to fact")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<FactMap, A::Error> {
                let ctx = yaml::current_context();
                let vocab = ctx
                    .as_deref()
                    .and_then(|c| c.as_any().downcast_ref::<Vocabulary>());
                let mut out = BTreeMap::new();
                while let Some(key) = m.next_key::<Name<FactK>>()? {
                    // One search of the map per fact, for the duplicate check and the insert.
                    match out.entry(key.into_string()) {
                        Entry::Occupied(e) => {
                            return Err(yaml::err(format!("duplicate key `{}`", e.key())));
                        }
                        Entry::Vacant(e) => {
                            let spec = vocab.and_then(|v| v.get(e.key()));
                            let fact = m.next_value_seed(FactSeed { key: e.key(), spec })?;
                            e.insert(fact);
                        }
                    }
                }
                Ok(FactMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A fact's `covers`: a non-empty list of service kinds the vocabulary knows.
struct Covers;

impl<'de> DeserializeSeed<'de> for Covers {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        let kinds: Vec<Name<DocK>> = Deserialize::deserialize(d)?;
        let kinds: Vec<String> = kinds.into_iter().map(Name::into_string).collect();
        if yaml::locating() {
            return Ok(kinds);
        }
        if kinds.is_empty() {
            return Err(err_hint(
                "`covers` lists no service kind",
                "name the kinds the fact holds for, or leave `covers` out when it holds for every service",
            ));
        }
        let ctx = yaml::current_context();
        let vocab = ctx
            .as_deref()
            .and_then(|c| c.as_any().downcast_ref::<Vocabulary>());
        if let Some(v) = vocab {
            if let Some(bad) = kinds.iter().find(|k| !v.has_service(k)) {
                let hint = crate::input::error::did_you_mean(bad, v.services().map(|(k, _)| k))
                    .unwrap_or_else(|| {
                        let all: Vec<&str> = v.services().map(|(k, _)| k).collect();
                        format!("the service kinds are {}", all.join(", "))
                    });
                return Err(err_hint(format!("unknown service kind `{bad}`"), hint));
            }
        }
        let mut sorted = kinds;
        sorted.sort();
        sorted.dedup();
        Ok(sorted)
    }
}

/// The fields a fact takes, in the order of the bits that mark them seen.
const FACT_FIELDS: [&str; 8] = [
    "value", "status", "source", "note", "as_of", "expires", "covers", "history",
];

/// A field name inside a fact: a known one as its bit and name, without the allocation a
/// `String` key costs for each of a file's few hundred fields; an unknown one as its text, for
/// the message. Read exactly as a `String` key is (same `expecting`, same error positions).
struct FactField(Result<(u8, &'static str), String>);

impl<'de> Deserialize<'de> for FactField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FactField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FactField, E> {
                let known = (0u8..)
                    .zip(FACT_FIELDS)
                    .find(|(_, name)| *name == v)
                    .map(|(i, name)| (1u8 << i, name));
                Ok(FactField(known.ok_or_else(|| v.to_owned())))
            }
        }
        d.deserialize_string(V)
    }
}

struct FactSeed<'a> {
    key: &'a str,
    spec: Option<&'a FactSpec>,
}

impl<'de> DeserializeSeed<'de> for FactSeed<'_> {
    type Value = RawFact;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawFact, D::Error> {
        d.deserialize_any(self)
    }
}

impl FactSeed<'_> {
    fn shorthand<E: de::Error>(&self, v: Result<FactValue, E>) -> Result<RawFact, E> {
        Ok(RawFact {
            value: Some(v?),
            status: None,
            source: None,
            note: None,
            as_of: None,
            expires: None,
            covers: None,
            history: Vec::new(),
        })
    }
    fn typed(&self) -> TypedValue<'_> {
        TypedValue {
            key: self.key,
            spec: self.spec,
        }
    }
}

impl<'de> Visitor<'de> for FactSeed<'_> {
    type Value = RawFact;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a fact: a value, or a map with value, status, source, note, as_of, expires, covers",
        )
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawFact, E> {
        self.shorthand(self.typed().visit_bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawFact, E> {
        self.shorthand(self.typed().visit_i64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawFact, E> {
        self.shorthand(self.typed().visit_u64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawFact, E> {
        self.shorthand(self.typed().visit_f64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawFact, E> {
        self.shorthand(self.typed().visit_str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawFact, E> {
        self.typed().visit_unit().map(|_| unreachable_fact())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawFact, A::Error> {
        let v = self.typed().visit_seq(seq);
        self.shorthand(v)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawFact, A::Error> {
        let mut fact = RawFact {
            value: None,
            status: None,
            source: None,
            note: None,
            as_of: None,
            expires: None,
            covers: None,
            history: Vec::new(),
        };
        let mut seen = 0u8;
        while let Some(FactField(field)) = m.next_key()? {
            if let Ok((bit, name)) = field {
                if seen & bit != 0 {
                    return Err(yaml::err(format!("duplicate key `{name}`")));
                }
                seen |= bit;
            }
            let name = match &field {
                Ok((_, name)) => *name,
                Err(other) => other.as_str(),
            };
            match name {
                "value" => fact.value = m.next_value_seed(self.typed())?,
                "status" => fact.status = Some(m.next_value()?),
                "source" => fact.source = Some(m.next_value::<Name<SourceK>>()?.into_string()),
                "note" => fact.note = Some(m.next_value()?),
                "as_of" => fact.as_of = Some(m.next_value()?),
                "expires" => fact.expires = Some(m.next_value()?),
                "covers" => fact.covers = Some(m.next_value_seed(Covers)?),
                "history" => {
                    fact.history = m.next_value_seed(History {
                        typed: self.typed(),
                    })?
                }
                other => return Err(err_hint(
                    format!("unknown field `{other}` in fact `{}`", self.key),
                    "a fact takes value, status, source, note, as_of, expires, covers and history",
                )),
            }
        }
        if yaml::locating() {
            return Ok(fact);
        }
        match (fact.status, &fact.value) {
            (Some(Status::Assumed), _) => Err(err_hint(
                format!("fact `{}` has status `assumed`", self.key),
                "`assumed` is set by `--assume` for what-if runs; use verified, attested, claimed, reported or unknown",
            )),
            (Some(Status::Unknown), Some(_)) => Err(err_hint(
                format!("fact `{}` is `unknown` but has a value", self.key),
                "remove the value (keep what was found in `note`), or give the status the source supports",
            )),
            (Some(s), None) if s != Status::Unknown => Err(err_hint(
                format!("fact `{}` is `{s}` but has no value", self.key),
                "add `value:`, or write `status: unknown` when nothing was found",
            )),
            (None, None) => Err(err_hint(
                format!("fact `{}` has neither a value nor a status", self.key),
                "add `value:`, or write `status: unknown` when nothing was found",
            )),
            _ => Ok(fact),
        }
    }
}

fn unreachable_fact() -> RawFact {
    RawFact {
        value: None,
        status: Some(Status::Unknown),
        source: None,
        note: None,
        as_of: None,
        expires: None,
        covers: None,
        history: Vec::new(),
    }
}

/// A fact's `history`: a list of earlier statements, each value typed like the fact's.
struct History<'a> {
    typed: TypedValue<'a>,
}

impl<'de> DeserializeSeed<'de> for History<'_> {
    type Value = Vec<Earlier>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Earlier>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for History<'_> {
    type Value = Vec<Earlier>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a list of earlier statements: {value, status, source, note, as_of, superseded}",
        )
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Earlier>, A::Error> {
        let mut out = Vec::new();
        while let Some(e) = seq.next_element_seed(EarlierSeed { typed: self.typed })? {
            out.push(e);
        }
        Ok(out)
    }
}

struct EarlierSeed<'a> {
    typed: TypedValue<'a>,
}

impl<'de> DeserializeSeed<'de> for EarlierSeed<'_> {
    type Value = Earlier;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Earlier, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EarlierSeed<'_> {
    type Value = Earlier;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an earlier statement: {value, status, source, note, as_of, superseded}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Earlier, A::Error> {
        let key = self.typed.key;
        let (mut value, mut status, mut source, mut note) = (None, None, None, None);
        let (mut as_of, mut superseded) = (None, None);
        let mut seen: Vec<String> = Vec::new();
        while let Some(field) = m.next_key::<String>()? {
            if seen.contains(&field) {
                return Err(yaml::err(format!("duplicate key `{field}`")));
            }
            match field.as_str() {
                "value" => value = m.next_value_seed(self.typed)?,
                "status" => status = Some(m.next_value::<Status>()?),
                "source" => source = Some(m.next_value::<Name<SourceK>>()?.into_string()),
                "note" => note = Some(m.next_value::<String>()?),
                "as_of" => as_of = Some(m.next_value::<Date>()?),
                "superseded" => superseded = Some(m.next_value::<Date>()?),
                other => return Err(err_hint(
                    format!("unknown field `{other}` in the history of fact `{key}`"),
                    "an earlier statement takes value, status, source, note, as_of and superseded",
                )),
            }
            seen.push(field);
        }
        let placeholder = Date::from_days(0);
        if yaml::locating() {
            return Ok(Earlier {
                value,
                status: status.unwrap_or(Status::Unknown),
                source,
                note,
                as_of: as_of.unwrap_or(placeholder),
                superseded: superseded.unwrap_or(placeholder),
            });
        }
        let need = |what: &str| {
            err_hint(
                format!("an earlier statement of fact `{key}` has no `{what}`"),
                "each history entry says when it held (`as_of`) and when it was replaced (`superseded`)",
            )
        };
        let status = status.ok_or_else(|| need("status"))?;
        if status == Status::Assumed {
            return Err(err_hint(
                format!("the history of fact `{key}` has status `assumed`"),
                "`assumed` is set by `--assume` for what-if runs and never written in files",
            ));
        }
        if (status == Status::Unknown) != value.is_none() {
            return Err(err_hint(
                format!(
                    "an earlier statement of fact `{key}` is `{status}` but {} a value",
                    if value.is_some() { "has" } else { "has no" }
                ),
                "an unknown statement has no value; any other has one",
            ));
        }
        let (as_of, superseded) = (
            as_of.ok_or_else(|| need("as_of"))?,
            superseded.ok_or_else(|| need("superseded"))?,
        );
        if superseded < as_of {
            return Err(err_hint(
                format!("an earlier statement of fact `{key}` was superseded on {superseded}, before it held ({as_of})"),
                "`superseded` is the date a newer statement replaced it, on or after its `as_of`",
            ));
        }
        Ok(Earlier {
            value,
            status,
            source,
            note,
            as_of,
            superseded,
        })
    }
}

/// Deserializes one value and checks it against the vocabulary's type for its key (`None`
/// for YAML `null`).
#[derive(Clone, Copy)]
pub(crate) struct TypedValue<'a> {
    key: &'a str,
    spec: Option<&'a FactSpec>,
}

impl<'a> TypedValue<'a> {
    /// The seed for a value of fact `key`, typed by `spec` (untyped without one).
    pub(crate) fn new(key: &'a str, spec: Option<&'a FactSpec>) -> Self {
        TypedValue { key, spec }
    }
}

impl TypedValue<'_> {
    fn mismatch<E: de::Error>(&self, got: &str) -> E {
        match self.spec {
            Some(spec) => err_hint(
                format!("fact `{}` is of type `{}`, got {got}", self.key, spec.ty),
                type_hint(spec),
            ),
            None => yaml::err(format!("unexpected {got}")),
        }
    }
    fn number<E: de::Error>(&self, v: f64, got: &str) -> Result<FactValue, E> {
        match self.spec.map(|s| s.ty) {
            Some(ty @ (FactType::Number | FactType::Percent)) => check_number(ty, v)
                .map(FactValue::Number)
                .map_err(|m| err_hint(format!("fact `{}`: {m}", self.key), type_hint_ty(ty))),
            None => Ok(FactValue::Number(v)),
            Some(_) => Err(self.mismatch(got)),
        }
    }
}

fn type_hint(spec: &FactSpec) -> String {
    if spec.ty == FactType::Enum {
        format!("write one of: {}", some_values(spec))
    } else if spec.ty == FactType::List && !spec.values.is_empty() {
        format!("list only these values: {}", some_values(spec))
    } else {
        type_hint_ty(spec.ty).to_owned()
    }
}

/// A fact's values for a hint: all of a short list; of a long one (the 249 country codes) a
/// few and where the rest are, so the hint stays a line.
fn some_values(spec: &FactSpec) -> String {
    match spec.values.get(..3) {
        Some(first) if spec.values.len() > 20 => format!(
            "{}, … (the {} values the vocabulary lists for it)",
            first.join(", "),
            spec.values.len()
        ),
        _ => spec.values.join(", "),
    }
}

fn type_hint_ty(ty: FactType) -> &'static str {
    match ty {
        FactType::Bool => {
            "write true or false (an unclear answer is `status: unknown` with a note)"
        }
        FactType::Percent => "write a number from 0 to 100, such as 99.95",
        FactType::Number => "write a finite number",
        FactType::Integer => "write a whole number, such as 90",
        FactType::Date => "write a date as YYYY-MM-DD",
        FactType::Enum => "write one of the vocabulary's values",
        FactType::List => "write a list of strings, such as [a, b]",
        FactType::Text => "write a string (quote it if it contains `:` or `#`)",
    }
}

impl<'de> DeserializeSeed<'de> for TypedValue<'_> {
    type Value = Option<FactValue>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<FactValue>, D::Error> {
        struct Opt<'a>(TypedValue<'a>);
        impl<'de> Visitor<'de> for Opt<'_> {
            type Value = Option<FactValue>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.expecting(f)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                self.0.visit_bool(v).map(Some)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.0.visit_i64(v).map(Some)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.0.visit_u64(v).map(Some)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                self.0.visit_f64(v).map(Some)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                self.0.visit_str(v).map(Some)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                self.0.visit_seq(seq).map(Some)
            }
        }
        d.deserialize_any(Opt(self))
    }
}

impl<'de> Visitor<'de> for TypedValue<'_> {
    type Value = FactValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.spec {
            Some(s) => write!(f, "a {} value", s.ty),
            None => f.write_str("a fact value"),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FactValue, E> {
        match self.spec.map(|s| s.ty) {
            Some(FactType::Bool) | None => Ok(FactValue::Bool(v)),
            Some(_) => Err(self.mismatch(&format!("`{v}`"))),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FactValue, E> {
        match self.spec.map(|s| s.ty) {
            Some(FactType::Integer) | None => Ok(FactValue::Integer(v)),
            _ => self.number(v as f64, &format!("`{v}`")),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FactValue, E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => self.number(v as f64, &format!("`{v}`")),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FactValue, E> {
        match self.spec.map(|s| s.ty) {
            Some(FactType::Integer) => Err(self.mismatch(&format!("`{v}`"))),
            _ => self.number(v, &format!("`{v}`")),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FactValue, E> {
        match self.spec {
            None => Ok(FactValue::Text(v.to_owned())),
            Some(spec) => match spec.ty {
                FactType::Text => Ok(FactValue::Text(v.to_owned())),
                FactType::Date => v
                    .parse::<Date>()
                    .map(|d| FactValue::Text(d.to_string()))
                    .map_err(|e| {
                        err_hint(
                            format!("fact `{}`: {e}", self.key),
                            "write a date as YYYY-MM-DD",
                        )
                    }),
                FactType::Enum if spec.values.iter().any(|x| x == v) => {
                    Ok(FactValue::Text(v.to_owned()))
                }
                FactType::Enum => Err(err_hint(
                    format!("fact `{}` cannot be `{v}`", self.key),
                    crate::input::error::did_you_mean(v, spec.values.iter().map(String::as_str))
                        .unwrap_or_else(|| type_hint(spec)),
                )),
                _ => Err(self.mismatch(&format!("the string `{v}`"))),
            },
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<FactValue, E> {
        Err(err_hint(
            format!("fact `{}` is empty", self.key),
            "write a value, or `{status: unknown, note: …}` when nothing was found",
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FactValue, A::Error> {
        if let Some(spec) = self.spec {
            if spec.ty != FactType::List {
                return Err(self.mismatch("a list"));
            }
        }
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<String>()? {
            if let Some(spec) = self.spec.filter(|s| !s.allows_item(&item)) {
                return Err(err_hint(
                    format!("fact `{}` cannot list `{item}`", self.key),
                    crate::input::error::did_you_mean(
                        &item,
                        spec.values.iter().map(String::as_str),
                    )
                    .unwrap_or_else(|| type_hint(spec)),
                ));
            }
            out.push(item);
        }
        Ok(FactValue::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<FactValue, A::Error> {
        Err(self.mismatch("a map"))
    }
}

impl Evidence {
    /// Parses an evidence file against a vocabulary.
    pub fn parse(file: &SourceFile, vocab: &Arc<Vocabulary>) -> Result<Evidence, InputError> {
        match Evidence::parse_with(file, vocab, Reader::Fast) {
            Some(result) => result,
            None => Evidence::parse_with(file, vocab, Reader::Full).unwrap_or_else(|| {
                Err(InputError::invalid(
                    file.location(1, 1),
                    "the file could not be read",
                    None,
                ))
            }),
        }
    }

    /// [`Evidence::parse`] with a choice of reader, for tests that compare the fast reader
    /// with `yaml_serde`; `None` when [`Reader::FastOnly`] gives up.
    #[doc(hidden)]
    pub fn parse_with(
        file: &SourceFile,
        vocab: &Arc<Vocabulary>,
        reader: Reader,
    ) -> Option<Result<Evidence, InputError>> {
        let ctx = Some(vocab.clone() as Arc<dyn ParseContext>);
        Some(
            match yaml::parse_by::<EvidenceFile>(file, KIND, ctx, reader)? {
                Ok(raw) => Evidence::from_raw(file, raw),
                Err(e) => Err(e),
            },
        )
    }

    fn from_raw(file: &SourceFile, raw: EvidenceFile) -> Result<Evidence, InputError> {
        let default_status = raw.default_status.unwrap_or(Status::Claimed);
        if matches!(default_status, Status::Unknown | Status::Assumed) {
            return Err(InputError::invalid(
                locate_field(file, "default_status"),
                format!("`default_status` cannot be `{default_status}`"),
                Some("shorthand facts carry a value, so their status is verified, attested, claimed or reported".into()),
            ));
        }
        let sources: BTreeMap<String, Source> = raw
            .sources
            .into_iter()
            .map(|(k, v)| (k.into_string(), v))
            .collect();
        let mut facts = BTreeMap::new();
        for (key, f) in raw.facts.0 {
            let cited = f
                .source
                .iter()
                .chain(f.history.iter().filter_map(|e| e.source.as_ref()));
            for src in cited {
                if !sources.contains_key(src) {
                    let hint =
                        crate::input::error::did_you_mean(src, sources.keys().map(String::as_str))
                            .unwrap_or_else(|| {
                                format!(
                                    "add `{src}: {{title: …, url: …, date: …}}` under `sources:`"
                                )
                            });
                    return Err(InputError::invalid(
                        yaml::locate::<EvidenceFile>(file, NameKind::Source, src, 1),
                        format!(
                            "fact `{key}` cites source `{src}`, which `sources` does not define"
                        ),
                        Some(hint),
                    ));
                }
            }
            facts.insert(
                key,
                Fact {
                    value: f.value,
                    status: f.status.unwrap_or(default_status),
                    source: f.source,
                    note: f.note,
                    as_of: f.as_of,
                    expires: f.expires,
                    covers: f.covers,
                    history: f.history,
                },
            );
        }
        Ok(Evidence {
            id: raw.id.into_string(),
            provider: raw.provider,
            as_of: raw.as_of,
            sources: Arc::new(sources),
            facts,
            notes: raw.notes,
            file: file.clone(),
        })
    }

    /// Empty evidence (every fact unknown), for rule tests and embedders that build facts in
    /// code.
    pub fn synthetic(id: &str, as_of: Date) -> Evidence {
        Evidence {
            id: id.to_owned(),
            provider: id.to_owned(),
            as_of,
            sources: Arc::default(),
            facts: BTreeMap::new(),
            notes: Vec::new(),
            file: SourceFile::from_text(id, ""),
        }
    }

    /// The file this evidence was read from.
    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// The date a fact holds as of: its own `as_of`, else its source's date, else the file's.
    pub fn fact_date(&self, fact: &Fact) -> Date {
        fact.as_of
            .or_else(|| {
                fact.source
                    .as_ref()
                    .and_then(|s| self.sources.get(s))
                    .and_then(|s| s.date)
            })
            .unwrap_or(self.as_of)
    }

    /// Sets a fact for a what-if run (status `assumed`).
    pub fn assume(&mut self, key: &str, value: FactValue) {
        self.facts.insert(
            key.to_owned(),
            Fact {
                value: Some(value),
                status: Status::Assumed,
                source: None,
                note: Some("assumed on the command line (what-if)".into()),
                as_of: None,
                expires: None,
                covers: None,
                history: Vec::new(),
            },
        );
    }
}

fn locate_field(file: &SourceFile, field: &str) -> crate::input::source::Location {
    let prefix = format!("{field}:");
    file.text()
        .lines()
        .position(|l| l.starts_with(&prefix))
        .map_or_else(|| file.location(1, 1), |i| file.location(i + 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Arc<Vocabulary> {
        let f = SourceFile::from_text(
            "v.yaml",
            "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  sla.pct: {type: percent, meaning: m, question: q03, ask: a?}\n  exit.days: {type: integer, meaning: m, question: q15, ask: a?}\n  fedramp: {type: enum, values: [none, low, moderate, high], meaning: m, question: q11, ask: a?}\n  refs: {type: list, meaning: m, question: q01, ask: a?}\n",
        );
        Arc::new(Vocabulary::parse(&f).unwrap())
    }

    const HEAD: &str = "labfit: evidence/v1\nid: p\nprovider: P\nas_of: 2023-08-04\nsources:\n  s1: {title: T, url: \"https://x\", date: 2020-11-01}\nfacts:\n";

    fn parse(facts: &str) -> Result<Evidence, String> {
        let f = SourceFile::from_text("e.yaml", format!("{HEAD}{facts}"));
        Evidence::parse(&f, &vocab()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_full_and_shorthand_facts() {
        let e = parse("  contract.baa: true\n  sla.pct: {value: 99.995, status: claimed, source: s1, note: n}\n  exit.days: {status: unknown}\n  refs: [a, b]\n  fedramp: high\n").unwrap();
        assert_eq!(e.facts.len(), 5);
        let baa = &e.facts["contract.baa"];
        assert_eq!(
            (baa.status, baa.value.clone()),
            (Status::Claimed, Some(FactValue::Bool(true)))
        );
        let sla = &e.facts["sla.pct"];
        assert_eq!(e.fact_date(sla).to_string(), "2020-11-01");
        assert_eq!(e.fact_date(baa).to_string(), "2023-08-04");
        assert_eq!(e.facts["exit.days"].value, None);
    }

    #[test]
    fn refuses_bad_facts_with_positions() {
        let cases = [
            (
                "  contract.bba: true\n",
                "e.yaml:8:3: unknown fact key `contract.bba`",
            ),
            (
                "  sla.pct: 120\n",
                "e.yaml:8:12: fact `sla.pct`: 120 is not a percentage between 0 and 100",
            ),
            (
                "  contract.baa: \"yes\"\n",
                "e.yaml:8:17: fact `contract.baa` is of type `bool`, got the string `yes`",
            ),
            (
                "  exit.days: 2.5\n",
                "e.yaml:8:14: fact `exit.days` is of type `integer`, got `2.5`",
            ),
            (
                "  fedramp: hgh\n",
                "e.yaml:8:12: fact `fedramp` cannot be `hgh`",
            ),
            (
                "  sla.pct: {value: 99, status: sure}\n",
                "e.yaml:8:32: unknown status `sure`",
            ),
            (
                "  sla.pct: {value: 99, status: unknown}\n",
                "e.yaml:8:12: fact `sla.pct` is `unknown` but has a value",
            ),
            (
                "  sla.pct: {status: claimed}\n",
                "e.yaml:8:12: fact `sla.pct` is `claimed` but has no value",
            ),
            (
                "  sla.pct: {value: 99, source: s2}\n",
                "e.yaml:8:32: fact `sla.pct` cites source `s2`",
            ),
            (
                "  sla.pct: {value: 99, sauce: s1}\n",
                "e.yaml:8:12: unknown field `sauce` in fact `sla.pct`",
            ),
            (
                "  sla.pct: 99\n  sla.pct: 98\n",
                "e.yaml:9:3: duplicate key `sla.pct`",
            ),
            (
                "  sla.pct: .nan\n",
                "e.yaml:8:12: fact `sla.pct`: `NaN` is not a finite number",
            ),
            ("  sla.pct:\n", "e.yaml:8:11: fact `sla.pct` is empty"),
        ];
        for (facts, want) in cases {
            let got = parse(facts).unwrap_err();
            assert!(
                got.contains(want),
                "for {facts:?}\n got: {got}\nwant: {want}"
            );
        }
    }
}
