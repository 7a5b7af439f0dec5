//! The fact vocabulary: every fact key the rules know, its type, its meaning, the guide
//! question it answers and the question to send a provider when it is unknown. Evidence is
//! checked against it, so a typo in a key is an error and never a silently missing fact.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::evidence::guide::is_question_id;
use crate::input::error::{did_you_mean, InputError};
use crate::input::kind::FileKind;
use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{self, unique_map, DocK, FactK, Name, ParseContext};

/// The type of a fact's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FactType {
    /// `true` / `false`.
    Bool,
    /// A number in [0, 100].
    Percent,
    /// Any finite number.
    Number,
    /// A whole number.
    Integer,
    /// `YYYY-MM-DD`.
    Date,
    /// One of the spec's `values`.
    Enum,
    /// A list of strings.
    List,
    /// Free text.
    Text,
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FactType::Bool => "bool",
            FactType::Percent => "percent",
            FactType::Number => "number",
            FactType::Integer => "integer",
            FactType::Date => "date",
            FactType::Enum => "enum",
            FactType::List => "list",
            FactType::Text => "text",
        })
    }
}

/// What the vocabulary says about one fact key.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactSpec {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: FactType,
    /// Unit for numbers (`days`, `years`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The allowed values of an enum, or of a list's items (a list without them takes any
    /// strings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// One line: what the fact means.
    pub meaning: String,
    // The texts a question carries are shared with every report's question, not copied.
    /// The guide question it answers: `q01`…`q18` or `mss`.
    pub question: Arc<str>,
    /// The question to send the provider when the fact is unknown.
    pub ask: Arc<str>,
    /// The document that establishes the fact better than the provider's word ("the signed
    /// business associate agreement"), asked for when the fact needs more assurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Arc<str>>,
    /// How long a fact of this kind stays valid after its date, in months: an attestation
    /// expires even when its evidence gives no `expires` (a SOC 2 report 12 months after the
    /// period it covers ends; an ISO certificate at most 36 months after it was issued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_months: Option<u32>,
    /// Context for a reader, read by no rule (shown in reports, never scored).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub informational: bool,
}

impl FactSpec {
    /// Whether a list fact may hold `item`: any string when the fact lists no `values`.
    pub fn allows_item(&self, item: &str) -> bool {
        self.values.is_empty() || self.values.iter().any(|v| v == item)
    }
}

/// A kind of cloud service a fact can cover and a lab can use (`object-storage`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// One line: what the kind includes.
    pub meaning: String,
    /// True for the kinds a profile uses when it names none (what any LIMS in the cloud runs
    /// on).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    #[serde(deserialize_with = "unique_map")]
    facts: BTreeMap<Name<FactK>, FactSpec>,
    #[serde(default, deserialize_with = "unique_map")]
    services: BTreeMap<Name<DocK>, ServiceSpec>,
}

/// All known fact keys, and the kinds of service facts can cover.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    facts: BTreeMap<String, FactSpec>,
    services: BTreeMap<String, ServiceSpec>,
}

/// The file kind of a vocabulary.
pub const KIND: &str = FileKind::Vocabulary.header();

impl Vocabulary {
    /// Parses a vocabulary file and checks each entry (question ids, enum values).
    pub fn parse(file: &SourceFile) -> Result<Vocabulary, InputError> {
        let raw: VocabularyFile = yaml::parse(file, KIND, None)?;
        let mut facts = BTreeMap::new();
        for (key, spec) in raw.facts {
            let key = key.into_string();
            let at = || yaml::locate::<VocabularyFile>(file, yaml::NameKind::Fact, &key, 1);
            if !is_question_id(&spec.question) {
                return Err(InputError::invalid(
                    at(),
                    format!(
                        "`{key}` answers question `{}`, which is not a guide question",
                        spec.question
                    ),
                    Some("use q01 to q18, or mss for managed security services".into()),
                ));
            }
            match (spec.ty, spec.values.is_empty()) {
                (FactType::Enum, true) => {
                    return Err(InputError::invalid(
                        at(),
                        format!("enum fact `{key}` lists no `values`"),
                        Some("add `values: [a, b, …]`".into()),
                    ))
                }
                (ty, false) if !matches!(ty, FactType::Enum | FactType::List) => {
                    return Err(InputError::invalid(
                        at(),
                        format!("`{key}` has `values` but is of type `{ty}`"),
                        Some("only enum and list facts take `values`".into()),
                    ))
                }
                _ => {}
            }
            if spec.ask.trim().is_empty() {
                return Err(InputError::invalid(
                    at(),
                    format!("`{key}` has an empty `ask`"),
                    Some("write the question to send the provider when the fact is unknown".into()),
                ));
            }
            if spec.valid_months == Some(0) {
                return Err(InputError::invalid(
                    at(),
                    format!("`{key}` is valid for 0 months"),
                    Some("give the months a fact of this kind stays valid after its date, or leave `valid_months` out".into()),
                ));
            }
            facts.insert(key, spec);
        }
        let services = raw
            .services
            .into_iter()
            .map(|(k, s)| (k.into_string(), s))
            .collect();
        Ok(Vocabulary { facts, services })
    }

    /// The kinds of service facts can cover, sorted.
    pub fn services(&self) -> impl Iterator<Item = (&str, &ServiceSpec)> {
        self.services.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// True when `kind` is a known service kind.
    pub fn has_service(&self, kind: &str) -> bool {
        self.services.contains_key(kind)
    }

    /// The kinds a profile uses when it names none.
    pub fn default_services(&self) -> Vec<String> {
        self.services
            .iter()
            .filter(|(_, s)| s.default)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The spec of a key.
    pub fn get(&self, key: &str) -> Option<&FactSpec> {
        self.facts.get(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.facts.keys().map(String::as_str)
    }

    /// Every entry, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FactSpec)> {
        self.facts.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Where `key` is defined in a vocabulary file (its start when the file lacks it), to
    /// point at a definition that replaces an earlier one.
    pub(crate) fn locate(file: &SourceFile, key: &str) -> Location {
        yaml::locate::<VocabularyFile>(file, yaml::NameKind::Fact, key, 1)
    }

    /// Adds (or replaces) keys from another vocabulary; returns the keys replaced.
    pub(crate) fn merge(&mut self, other: Vocabulary) -> Vec<String> {
        let mut replaced = Vec::new();
        for (k, v) in other.facts {
            if self.facts.insert(k.clone(), v).is_some() {
                replaced.push(k);
            }
        }
        for (k, v) in other.services {
            if self.services.insert(k.clone(), v).is_some() {
                replaced.push(format!("service {k}"));
            }
        }
        replaced
    }
}

impl ParseContext for Vocabulary {
    fn check_fact_key(&self, key: &str) -> Result<(), (String, String)> {
        if self.get(key).is_some() {
            return Ok(());
        }
        let hint = did_you_mean(key, self.keys()).unwrap_or_else(|| {
            "add the key to the vocabulary, or see `labfit list facts`".to_owned()
        });
        Err((format!("unknown fact key `{key}`"), hint))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_entries() {
        let f = SourceFile::from_text(
            "v.yaml",
            "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  x.kind: {type: enum, values: [a, b], meaning: m, question: mss, ask: a?}\n",
        );
        let v = Vocabulary::parse(&f).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v.get("x.kind").map(|s| s.values.len()), Some(2));

        let bad = SourceFile::from_text(
            "v.yaml",
            "labfit: vocabulary/v1\nfacts:\n  a.b: {type: bool, meaning: m, question: q14, ask: a?}\n  c.d: {type: bool, meaning: m, question: q19, ask: a?}\n",
        );
        let e = Vocabulary::parse(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("v.yaml:4:3: `c.d` answers question `q19`"),
            "{e}"
        );

        let bad = SourceFile::from_text("v.yaml", "labfit: vocabulary/v1\nfacts:\n  a.b: {type: boolean, meaning: m, question: q14, ask: a?}\n");
        let e = Vocabulary::parse(&bad).unwrap_err().to_string();
        assert!(e.contains("unknown variant `boolean`"), "{e}");
    }
}
