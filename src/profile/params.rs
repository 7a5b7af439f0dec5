//! The parameter vocabulary: every parameter a rule may read, with its type, unit, meaning,
//! default and the source of that default. Profiles set only what they change; a name the
//! vocabulary does not declare is an error where it is written, with the nearest name.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::input::error::{did_you_mean, InputError};
use crate::input::kind::FileKind;
use crate::input::source::SourceFile;
use crate::input::yaml::{self, unique_map, Name, ParamK, ParseContext};
use crate::profile::ParamValue;

/// The file kind of a parameter vocabulary.
pub const KIND: &str = FileKind::Parameters.header();

/// The type of a parameter's value.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// `true` / `false`.
    Bool,
    /// Any finite number.
    Number,
    /// A number in [0, 100].
    Percent,
    /// A whole number.
    Integer,
    /// One of the spec's `values`.
    Enum,
    /// A list of strings.
    List,
    /// A string.
    Text,
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamType::Bool => "bool",
            ParamType::Number => "number",
            ParamType::Percent => "percent",
            ParamType::Integer => "integer",
            ParamType::Enum => "enum",
            ParamType::List => "list",
            ParamType::Text => "text",
        })
    }
}

/// What the vocabulary says about one parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ParamSpec {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Unit for numbers (`years`, `hours`, `%`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The allowed values of an enum parameter (and of a list's items, when given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// One line: what the parameter means.
    pub meaning: String,
    /// The value a profile that does not set it gets.
    pub default: ParamValue,
    /// Where the default comes from: a citation, or "labfit default" with the reasoning.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    #[serde(rename = "type")]
    ty: ParamType,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    meaning: String,
    default: crate::profile::RawParamValue,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamsFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    #[serde(deserialize_with = "unique_map")]
    params: BTreeMap<Name<ParamK>, RawSpec>,
}

/// Every declared parameter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamVocabulary {
    params: BTreeMap<String, ParamSpec>,
}

impl ParamSpec {
    /// Checks a value against the declared type; `Err` says what is wrong in words.
    pub fn check(&self, v: &ParamValue) -> Result<(), String> {
        let whole = |n: f64| n.fract().abs() < 1e-12;
        match (self.ty, v) {
            (ParamType::Bool, ParamValue::Bool(_)) => Ok(()),
            (ParamType::Number, ParamValue::Number(_)) => Ok(()),
            (ParamType::Percent, ParamValue::Number(n)) if (0.0..=100.0).contains(n) => Ok(()),
            (ParamType::Percent, ParamValue::Number(n)) => {
                Err(format!("{n} is not a percentage between 0 and 100"))
            }
            (ParamType::Integer, ParamValue::Number(n)) if whole(*n) => Ok(()),
            (ParamType::Integer, ParamValue::Number(n)) => {
                Err(format!("{n} is not a whole number"))
            }
            (ParamType::Text, ParamValue::Text(_)) => Ok(()),
            (ParamType::Enum, ParamValue::Text(s)) if self.values.contains(s) => Ok(()),
            (ParamType::Enum, ParamValue::Text(s)) => {
                Err(format!("`{s}` is not one of {}", self.values.join(", ")))
            }
            (ParamType::List, ParamValue::List(items)) => {
                for item in items {
                    match item {
                        ParamValue::Text(s)
                            if self.values.is_empty() || self.values.contains(s) => {}
                        ParamValue::Text(s) => {
                            return Err(format!("`{s}` is not one of {}", self.values.join(", ")))
                        }
                        other => return Err(format!("list item `{other}` is not a string")),
                    }
                }
                Ok(())
            }
            (ty, v) => Err(format!("`{v}` is not {}", article(ty))),
        }
    }

    /// The type as a reader would write it, with its unit (`number (years)`).
    pub fn describe(&self) -> String {
        match (&self.unit, self.ty) {
            (Some(u), _) => format!("{} ({u})", self.ty),
            (None, ParamType::Enum) => format!("one of {}", self.values.join(", ")),
            (None, _) => self.ty.to_string(),
        }
    }
}

fn article(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Bool => "a bool (true or false)",
        ParamType::Number => "a number",
        ParamType::Percent => "a percentage",
        ParamType::Integer => "a whole number",
        ParamType::Enum => "one of the allowed values",
        ParamType::List => "a list of strings",
        ParamType::Text => "a string",
    }
}

impl ParamVocabulary {
    /// Parses a parameter vocabulary and checks every default against its own type.
    pub fn parse(file: &SourceFile) -> Result<ParamVocabulary, InputError> {
        let raw: ParamsFile = yaml::parse(file, KIND, None)?;
        let mut params = BTreeMap::new();
        for (name, spec) in raw.params {
            let name = name.into_string();
            let at = || yaml::locate::<ParamsFile>(file, yaml::NameKind::Param, &name, 1);
            let spec = ParamSpec {
                ty: spec.ty,
                unit: spec.unit,
                values: spec.values,
                meaning: spec.meaning,
                default: spec.default.0,
                source: spec.source,
            };
            if spec.ty == ParamType::Enum && spec.values.is_empty() {
                return Err(InputError::invalid(
                    at(),
                    format!("enum parameter `{name}` lists no `values`"),
                    Some("add `values: [a, b, …]`".into()),
                ));
            }
            if let Err(m) = spec.check(&spec.default) {
                return Err(InputError::invalid(
                    at(),
                    format!("the default of `{name}` does not fit its type: {m}"),
                    Some(format!("`{name}` is declared as {}", spec.describe())),
                ));
            }
            if spec.source.trim().is_empty() {
                return Err(InputError::invalid(
                    at(),
                    format!("`{name}` does not say where its default comes from"),
                    Some(
                        "cite the regulation, or write \"labfit default: …\" with the reasoning"
                            .into(),
                    ),
                ));
            }
            params.insert(name, spec);
        }
        Ok(ParamVocabulary { params })
    }

    /// The spec of a parameter.
    pub fn get(&self, name: &str) -> Option<&ParamSpec> {
        self.params.get(name)
    }

    /// Every parameter, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamSpec)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.params.keys().map(String::as_str)
    }

    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Where parameter `name` is declared in `file`.
    pub(crate) fn locate(file: &SourceFile, name: &str) -> crate::input::source::Location {
        yaml::locate::<ParamsFile>(file, yaml::NameKind::Param, name, 1)
    }

    /// Adds (or replaces) parameters from another vocabulary; returns the names replaced.
    pub(crate) fn merge(&mut self, other: ParamVocabulary) -> Vec<String> {
        let mut replaced = Vec::new();
        for (k, v) in other.params {
            if self.params.insert(k.clone(), v).is_some() {
                replaced.push(k);
            }
        }
        replaced
    }

    /// The error for an undeclared name: the nearest declared one, or the top-level profile
    /// key it was probably meant to be.
    pub(crate) fn unknown(&self, name: &str) -> (String, String) {
        let top = crate::profile::TOP_LEVEL_KEYS;
        let hint = if top.contains(&name) {
            format!("did you mean the top-level `{name}`? it is a profile setting, not a parameter")
        } else if let Some(h) = did_you_mean(name, self.names()) {
            h
        } else if let Some(t) = crate::input::error::nearest(name, top.iter().copied()) {
            format!("did you mean the top-level `{t}`?")
        } else {
            "see `labfit list params` for the parameters rules read".into()
        };
        (format!("unknown parameter `{name}`"), hint)
    }
}

impl ParseContext for ParamVocabulary {
    fn check_fact_key(&self, _key: &str) -> Result<(), (String, String)> {
        Ok(())
    }

    /// A pack that declares no parameters (used without the built-in rules) leaves its
    /// profiles' parameters unchecked.
    fn check_param_name(&self, name: &str) -> Result<(), (String, String)> {
        if self.is_empty() || self.get(name).is_some() {
            Ok(())
        } else {
            Err(self.unknown(name))
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
