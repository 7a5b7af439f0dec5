//! Questionnaire mappings (`labfit: mapping/v1`): which questions of a published questionnaire
//! answer which labfit facts, and with which values. A mapping is data: the built-in ones sit
//! in `rules/mappings/` (CSA CAIQ v4, HECVAT 3), a user passes their own with `--mapping FILE`
//! for another questionnaire, and `labfit check` checks every one against the vocabulary.
//!
//! ```yaml
//! labfit: mapping/v1
//! title: CSA CAIQ v4.0.x
//! layout: caiq                 # caiq | hecvat | {sheet, id, answer, note}: where the answers are
//! source: where the question ids come from
//! establishes:                 # facts the questionnaire itself shows once a provider hands it over
//!   policy.security_documents_shared: true
//! questions:
//!   CEK-03.1:
//!     about: data at rest and in transit are encrypted   # labfit's own words, never the question
//!     sets: [security.encryption_at_rest, security.encryption_in_transit]
//!   STA-99.1:
//!     about: …
//!     sets: [{fact: auth.fedramp, yes: moderate}]        # what a Yes (or a No) gives
//! ```
//!
//! A bool fact takes `true` for a Yes and `false` for a No; a text fact takes the answer's
//! text, and an enum fact the answer's text when it is one of the fact's values (a country
//! answered `us` is `US`; one answered `United States` gives no value); any other type says
//! which value a Yes or a No gives. Every key is checked against
//! the vocabulary and every value against its fact's type, at its position.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::evidence::vocabulary::{FactSpec, FactType, Vocabulary};
use crate::evidence::{FactMap, FactValue, TypedValue};
use crate::input::error::InputError;
use crate::input::kind::FileKind;
use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{self, err_hint, unique_map, FactK, Name, ParseContext};

/// The file kind of a mapping.
pub const KIND: &str = FileKind::Mapping.header();

/// Where a questionnaire's answers are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The CSA CAIQ v4.0.x workbook (`answers::caiq`).
    Caiq,
    /// A HECVAT 3.x vendor response (`answers::hecvat`).
    Hecvat,
    /// Any table: a header row naming the question-id and answer columns (and optionally a
    /// note column), on the named sheet or the first one.
    Table {
        /// The sheet's name (`None`: the first sheet).
        sheet: Option<String>,
        /// The header of the question-id column.
        id: String,
        /// The header of the answer column.
        answer: String,
        /// The header of a column whose text becomes the fact's note.
        note: Option<String>,
    },
}

impl Layout {
    /// As written in a mapping file (`caiq`, `hecvat`, `table`).
    pub fn name(&self) -> &'static str {
        match self {
            Layout::Caiq => "caiq",
            Layout::Hecvat => "hecvat",
            Layout::Table { .. } => "table",
        }
    }
}

/// One fact a question's answer sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The fact key.
    pub fact: String,
    /// The value a Yes gives (`None`: a Yes sets nothing).
    pub yes: Option<FactValue>,
    /// The value a No gives (`None`: a No sets nothing).
    pub no: Option<FactValue>,
    /// The answer's own text is the value (text facts, and enum facts when the text is one
    /// of the fact's values).
    pub text: bool,
}

/// What one question answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// What the question asks, in the mapping author's words.
    pub about: String,
    /// The facts its answer sets.
    pub sets: Vec<Target>,
}

/// A questionnaire mapping.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The mapping's name: its file stem (`caiq-v4`).
    pub name: String,
    /// What questionnaire it reads (`CSA CAIQ v4.0.x`).
    pub title: String,
    /// Where the answers are.
    pub layout: Layout,
    /// Where the question ids (and what they ask) were read.
    pub source: Option<String>,
    /// Facts the questionnaire itself establishes once a provider hands it over.
    pub establishes: BTreeMap<String, FactValue>,
    /// Question id → what it answers.
    pub questions: BTreeMap<String, Entry>,
    file: SourceFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    title: String,
    layout: LayoutRaw,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    establishes: FactMap,
    #[serde(deserialize_with = "unique_map")]
    questions: BTreeMap<QuestionId, EntryRaw>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LayoutRaw {
    Named(LayoutName),
    Table(TableRaw),
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum LayoutName {
    Caiq,
    Hecvat,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableRaw {
    #[serde(default)]
    sheet: Option<String>,
    id: String,
    answer: String,
    #[serde(default)]
    note: Option<String>,
}

/// A questionnaire's question id: 1 to 40 visible characters, no spaces (`A&A-01.1`,
/// `HIPA-01`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct QuestionId(String);

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for QuestionId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || s.chars().count() > 40 || s.chars().any(|c| c.is_whitespace()) {
            return Err(err_hint(
                format!("`{s}` is not a question id"),
                "a question id is the questionnaire's own number, 1 to 40 characters without spaces, such as `A&A-01.1`",
            ));
        }
        Ok(QuestionId(s))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryRaw {
    about: String,
    sets: Targets,
}

/// A question's `sets`: fact keys, or `{fact, yes, no}` maps.
struct Targets(Vec<Target>);

impl<'de> Deserialize<'de> for Targets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Targets;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of fact keys or {fact, yes, no} maps")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Targets, A::Error> {
                let mut out: Vec<Target> = Vec::new();
                while let Some(t) = seq.next_element_seed(TargetSeed)? {
                    if out.iter().any(|o| o.fact == t.fact) {
                        return Err(yaml::err(format!("fact `{}` is set twice", t.fact)));
                    }
                    out.push(t);
                }
                if out.is_empty() && !yaml::locating() {
                    return Err(err_hint(
                        "the question sets no fact",
                        "name the facts its answer sets, or leave the question out of the mapping",
                    ));
                }
                Ok(Targets(out))
            }
        }
        d.deserialize_seq(V)
    }
}

fn vocabulary() -> Option<Arc<dyn ParseContext>> {
    yaml::current_context()
}

fn spec_of<'a>(ctx: &'a Option<Arc<dyn ParseContext>>, key: &str) -> Option<&'a FactSpec> {
    ctx.as_deref()
        .and_then(|c| c.as_any().downcast_ref::<Vocabulary>())
        .and_then(|v| v.get(key))
}

struct TargetSeed;

impl<'de> DeserializeSeed<'de> for TargetSeed {
    type Value = Target;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Target, D::Error> {
        d.deserialize_any(self)
    }
}

/// The values a fact key alone implies: true / false for a bool, the answer's text for text
/// and for an enum (whose values the import then checks the text against: a questionnaire
/// that asks for a country or a level in words has no Yes or No to map).
fn implied<E: de::Error>(key: &str, spec: Option<&FactSpec>) -> Result<Target, E> {
    match spec.map(|s| s.ty) {
        Some(FactType::Bool) | None => Ok(Target {
            fact: key.to_owned(),
            yes: Some(FactValue::Bool(true)),
            no: Some(FactValue::Bool(false)),
            text: false,
        }),
        Some(FactType::Text | FactType::Enum) => Ok(Target {
            fact: key.to_owned(),
            yes: None,
            no: None,
            text: true,
        }),
        Some(ty) => Err(err_hint(
            format!("fact `{key}` is of type `{ty}`, so a Yes or a No alone gives it no value"),
            format!("write `{{fact: {key}, yes: VALUE}}` (and `no: VALUE`) with the values the answers give"),
        )),
    }
}

impl<'de> Visitor<'de> for TargetSeed {
    type Value = Target;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fact key, or {fact, yes, no}")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Target, E> {
        let key = Name::<FactK>::deserialize(de::value::StrDeserializer::<E>::new(v))?;
        let key = key.into_string();
        let ctx = vocabulary();
        if yaml::locating() {
            return Ok(Target {
                fact: key,
                yes: None,
                no: None,
                text: false,
            });
        }
        implied(&key, spec_of(&ctx, &key))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Target, A::Error> {
        let ctx = vocabulary();
        let mut fact: Option<String> = None;
        let (mut yes, mut no) = (None, None);
        let mut seen: Vec<String> = Vec::new();
        while let Some(field) = m.next_key::<String>()? {
            if seen.contains(&field) {
                return Err(yaml::err(format!("duplicate key `{field}`")));
            }
            match (field.as_str(), &fact) {
                ("fact", _) => fact = Some(m.next_value::<Name<FactK>>()?.into_string()),
                ("yes" | "no", None) => {
                    return Err(err_hint(
                        format!("`{field}` comes before `fact`"),
                        "write `fact:` first, so the value can be checked against its type",
                    ))
                }
                ("yes", Some(k)) => {
                    yes = m.next_value_seed(TypedValue::new(k, spec_of(&ctx, k)))?
                }
                ("no", Some(k)) => no = m.next_value_seed(TypedValue::new(k, spec_of(&ctx, k)))?,
                (other, _) => {
                    return Err(err_hint(
                        format!("unknown field `{other}` in a question's `sets`"),
                        "a target takes fact, yes and no",
                    ))
                }
            }
            seen.push(field);
        }
        let Some(fact) = fact else {
            return Err(err_hint(
                "a target names no `fact`",
                "write `{fact: KEY, yes: VALUE, no: VALUE}`",
            ));
        };
        if yaml::locating() || yes.is_some() || no.is_some() {
            let text = false;
            return Ok(Target {
                fact,
                yes,
                no,
                text,
            });
        }
        implied(&fact, spec_of(&ctx, &fact))
    }
}

impl Mapping {
    /// Parses a mapping file against a vocabulary: every fact key must be known and every
    /// value must fit its fact's type.
    pub fn parse(file: &SourceFile, vocab: &Arc<Vocabulary>) -> Result<Mapping, InputError> {
        let raw: MappingFile =
            yaml::parse(file, KIND, Some(vocab.clone() as Arc<dyn ParseContext>))?;
        let layout = match raw.layout {
            LayoutRaw::Named(LayoutName::Caiq) => Layout::Caiq,
            LayoutRaw::Named(LayoutName::Hecvat) => Layout::Hecvat,
            LayoutRaw::Table(t) => Layout::Table {
                sheet: t.sheet,
                id: t.id,
                answer: t.answer,
                note: t.note,
            },
        };
        let mut establishes = BTreeMap::new();
        for (key, f) in raw.establishes.0 {
            match f.value {
                Some(v) if f.status.is_none() => {
                    establishes.insert(key, v);
                }
                _ => {
                    return Err(InputError::invalid(
                        Self::locate_fact(file, &key),
                        format!("`establishes` gives fact `{key}` more than a value"),
                        Some("write the value alone: the status is the import's".into()),
                    ))
                }
            }
        }
        Ok(Mapping {
            name: stem(file.name()),
            title: raw.title,
            layout,
            source: raw.source,
            establishes,
            questions: raw
                .questions
                .into_iter()
                .map(|(k, e)| {
                    (
                        k.0,
                        Entry {
                            about: e.about,
                            sets: e.sets.0,
                        },
                    )
                })
                .collect(),
            file: file.clone(),
        })
    }

    /// The file it was read from.
    pub fn file(&self) -> &SourceFile {
        &self.file
    }

    /// Where a fact key is first named in a mapping file.
    pub fn locate_fact(file: &SourceFile, key: &str) -> Location {
        yaml::locate::<MappingFile>(file, yaml::NameKind::Fact, key, 1)
    }

    /// Every fact key the mapping can set (from a question or `establishes`), sorted.
    pub fn facts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .questions
            .values()
            .flat_map(|e| e.sets.iter().map(|t| t.fact.as_str()))
            .chain(self.establishes.keys().map(String::as_str))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn stem(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Arc<Vocabulary> {
        let f = SourceFile::from_text(
            "v.yaml",
            "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  auth.fedramp: {type: enum, values: [none, low, moderate, high], meaning: m, question: q11, ask: a?}\n  hq: {type: text, meaning: m, question: q05, ask: a?}\n  exit.days: {type: integer, meaning: m, question: q15, ask: a?}\n",
        );
        Arc::new(Vocabulary::parse(&f).unwrap())
    }

    const HEAD: &str = "labfit: mapping/v1\ntitle: T\nlayout: caiq\nquestions:\n";

    fn parse(body: &str) -> Result<Mapping, String> {
        let f = SourceFile::from_text("rules/mappings/m.yaml", format!("{HEAD}{body}"));
        Mapping::parse(&f, &vocab()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_keys_values_and_implied_values() {
        let m = parse("  A&A-01.1: {about: a, sets: [contract.baa, hq]}\n  X-1: {about: b, sets: [{fact: auth.fedramp, yes: moderate}]}\n").unwrap();
        assert_eq!(m.name, "m");
        let a = &m.questions["A&A-01.1"].sets;
        assert_eq!(a[0].yes, Some(FactValue::Bool(true)));
        assert_eq!(a[0].no, Some(FactValue::Bool(false)));
        assert!(a[1].text);
        let x = &m.questions["X-1"].sets[0];
        assert_eq!(x.yes, Some(FactValue::Text("moderate".into())));
        assert_eq!(x.no, None);
        assert_eq!(m.facts(), ["auth.fedramp", "contract.baa", "hq"]);
        // An enum named alone takes the answer's text (checked against its values on import).
        let m = parse("  E-1: {about: e, sets: [auth.fedramp]}\n").unwrap();
        let e = &m.questions["E-1"].sets[0];
        assert!(e.text && e.yes.is_none() && e.no.is_none());
    }

    #[test]
    fn refuses_unknown_facts_and_misfit_values_at_their_position() {
        for (body, want) in [
            (
                "  A-1: {about: a, sets: [contract.bba]}\n",
                "m.yaml:5:26: unknown fact key `contract.bba`",
            ),
            (
                "  A-1: {about: a, sets: [{fact: auth.fedramp, yes: medium}]}\n",
                "m.yaml:5:52: fact `auth.fedramp` cannot be `medium`",
            ),
            (
                "  A-1: {about: a, sets: [exit.days]}\n",
                "fact `exit.days` is of type `integer`",
            ),
            (
                "  A-1: {about: a, sets: [{yes: 3, fact: exit.days}]}\n",
                "`yes` comes before `fact`",
            ),
            (
                "  A 1: {about: a, sets: [hq]}\n",
                "`A 1` is not a question id",
            ),
            ("  A-1: {about: a, sets: []}\n", "the question sets no fact"),
        ] {
            let got = parse(body).unwrap_err();
            assert!(
                got.contains(want),
                "for {body:?}\n got: {got}\nwant: {want}"
            );
        }
    }
}
