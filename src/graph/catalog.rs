//! The requirement catalog: nodes of the requirement graph as written in `rules/*.yaml`, before
//! the graph is built and validated (see `graph`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::evidence::guide::is_question_id;
use crate::input::error::InputError;
use crate::input::kind::FileKind;
use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{self, unique_map, Name, NameKind, ReqDef, ReqRef, Weight};

/// The file kind of a catalog.
pub const KIND: &str = FileKind::Catalog.header();

/// How a composite combines its children.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Weighted mean over the children that apply.
    #[default]
    Weighted,
    /// Every child must hold: the minimum.
    All,
    /// One child suffices: the maximum.
    Any,
}

impl Aggregate {
    /// As written in catalogs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Weighted => "weighted",
            Aggregate::All => "all",
            Aggregate::Any => "any",
        }
    }
}

impl fmt::Display for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad it is when a requirement is not met.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Usually a must-have.
    Critical,
    /// Important.
    High,
    /// The default.
    #[default]
    Medium,
    /// Nice to have.
    Low,
}

/// How well the requirement's source text was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// The regulation or standard itself was read.
    TextSeen,
    /// Only a secondary description was read.
    Secondary,
    /// From general knowledge: verify before relying on it.
    Unverified,
}

/// A leaf's check: a function in a Rhai file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CheckRef {
    /// The Rhai file, relative to the catalog's directory (`hipaa.rhai`).
    pub file: String,
    /// The function name (`baa`).
    pub function: String,
}

impl fmt::Display for CheckRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.file, self.function)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    requirements: Vec<RawRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    id: Name<ReqDef>,
    title: String,
    #[serde(default)]
    citation: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    severity: Severity,
    #[serde(default)]
    verification: Option<Verification>,
    #[serde(default)]
    aggregate: Option<Aggregate>,
    #[serde(default, deserialize_with = "opt_unique_map")]
    children: Option<BTreeMap<Name<ReqRef>, Weight>>,
    #[serde(default)]
    check: Option<String>,
}

fn opt_unique_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<Name<ReqRef>, Weight>>, D::Error> {
    unique_map(d).map(Some)
}

/// What a requirement is: a leaf with a check, or a composite of children.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Checked by a rule.
    Leaf(CheckRef),
    /// Combines children (sorted by id) with edge weights.
    Composite {
        /// How the children combine.
        aggregate: Aggregate,
        /// Child id → edge weight.
        children: Vec<(String, f64)>,
    },
}

/// One requirement as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// Unique id.
    pub id: String,
    /// One line.
    pub title: String,
    /// The regulation's section, e.g. `45 CFR 164.314(a)`.
    pub citation: Option<String>,
    /// Where the requirement was read.
    pub url: Option<String>,
    /// Longer text.
    pub description: Option<String>,
    /// Guide questions it answers.
    pub questions: Vec<String>,
    /// Severity.
    pub severity: Severity,
    /// How well its source was checked.
    pub verification: Option<Verification>,
    /// Leaf or composite.
    pub body: Body,
    /// Where its id is written (see [`Requirement::location`]).
    at: Written,
    /// The rule pack it comes from (`builtin` or the `--rules` directory).
    pub pack: String,
    /// The catalog file's directory inside the pack (for resolving `check` files).
    pub dir: String,
}

/// Where a requirement's id is written: the file and which definition of the id it is. The
/// line and column are found on first use, by re-parsing the file with a trap on the id
/// (`yaml::locate`), because serde reports positions only with errors; finding every
/// requirement's position eagerly cost most of the engine's start-up, and only diagnostics and
/// `labfit list requirements` need it.
#[derive(Clone, Debug)]
struct Written {
    file: SourceFile,
    nth: usize,
    found: OnceLock<Location>,
}

impl PartialEq for Written {
    fn eq(&self, other: &Self) -> bool {
        self.file.name() == other.file.name() && self.nth == other.nth
    }
}

impl Requirement {
    /// Where its id is written, as `file:line:col`.
    pub fn location(&self) -> &Location {
        self.at.found.get_or_init(|| {
            yaml::locate::<CatalogFile>(
                &self.at.file,
                NameKind::RequirementDef,
                &self.id,
                self.at.nth,
            )
        })
    }

    /// The name of the catalog file it is defined in (without locating it).
    pub fn file(&self) -> &str {
        self.at.file.name()
    }
}

/// Parses one catalog file. `pack` names the rule pack; `dir` is the file's directory within it.
pub fn parse(file: &SourceFile, pack: &str, dir: &str) -> Result<Vec<Requirement>, InputError> {
    let raw: CatalogFile = yaml::parse(file, KIND, None)?;
    let mut out: Vec<Requirement> = Vec::with_capacity(raw.requirements.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in raw.requirements {
        let id = r.id.into_string();
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        let nth = *n;
        let location = || yaml::locate::<CatalogFile>(file, NameKind::RequirementDef, &id, nth);
        if nth > 1 {
            return Err(InputError::invalid(
                location(),
                format!("duplicate requirement id `{id}`"),
                Some("each requirement id is defined once; rename or remove one".into()),
            ));
        }
        let bad = |message: String, hint: &str| {
            Err(InputError::invalid(
                location(),
                message,
                Some(hint.to_owned()),
            ))
        };
        if let Some(q) = r.questions.iter().find(|q| !is_question_id(q)) {
            return bad(
                format!("`{id}` lists question `{q}`, which is not a guide question"),
                "use q01 to q18, or mss",
            );
        }
        let body = match (r.check, r.children) {
            (Some(_), Some(_)) => {
                return bad(
                    format!("`{id}` has both `check` and `children`"),
                    "a requirement is either a leaf (check) or a composite (children); split it in two",
                )
            }
            (None, None) => {
                return bad(
                    format!("`{id}` has neither `check` nor `children`"),
                    "add `check: FILE.rhai::FUNCTION` for a leaf, or `children: {id: weight}` for a composite",
                )
            }
            (Some(check), None) => {
                if r.aggregate.is_some() {
                    return bad(format!("leaf `{id}` has an `aggregate`"), "only composites aggregate; remove it");
                }
                match parse_check(&check) {
                    Some(c) => Body::Leaf(c),
                    None => {
                        return bad(
                            format!("`check: {check}` is not FILE.rhai::FUNCTION"),
                            "write the Rhai file (relative to this YAML file) and the function, e.g. `hipaa.rhai::baa`",
                        )
                    }
                }
            }
            (None, Some(children)) => {
                if children.is_empty() {
                    return bad(format!("`{id}` has no children"), "list at least one child, or make it a leaf");
                }
                if children.values().all(|w| w.0 <= 0.0) {
                    return bad(
                        format!("every child of `{id}` has weight 0"),
                        "give at least one child a positive weight",
                    );
                }
                Body::Composite {
                    aggregate: r.aggregate.unwrap_or_default(),
                    children: children.into_iter().map(|(k, w)| (k.into_string(), w.0)).collect(),
                }
            }
        };
        out.push(Requirement {
            id,
            title: r.title,
            citation: r.citation,
            url: r.url,
            description: r.description,
            questions: r.questions,
            severity: r.severity,
            verification: r.verification,
            body,
            at: Written {
                file: file.clone(),
                nth,
                found: OnceLock::new(),
            },
            pack: pack.to_owned(),
            dir: dir.to_owned(),
        });
    }
    Ok(out)
}

/// The requirements of a catalog file that [`parse`] refused, read as leniently as possible
/// (ids, checks and the children whose weights are valid), so that `labfit check` can go on
/// checking everything that refers to them instead of reporting each reference as unknown.
/// Empty when the file is not even YAML.
pub(crate) fn salvage(file: &SourceFile, pack: &str, dir: &str) -> Vec<Requirement> {
    use yaml_serde::Value;
    let Ok(doc) = yaml_serde::from_str::<Value>(file.text()) else {
        return Vec::new();
    };
    let Some(Value::Sequence(items)) = doc.get("requirements") else {
        return Vec::new();
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for item in items {
        let Some(id) = text(item, "id") else { continue };
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            continue; // `parse` reported the duplicate; keep the first definition
        }
        let body = match (
            text(item, "check").as_deref().and_then(parse_check),
            item.get("children"),
        ) {
            (Some(c), _) => Body::Leaf(c),
            (None, Some(Value::Mapping(m))) => Body::Composite {
                aggregate: item
                    .get("aggregate")
                    .and_then(Value::as_str)
                    .and_then(|a| match a {
                        "all" => Some(Aggregate::All),
                        "any" => Some(Aggregate::Any),
                        _ => None,
                    })
                    .unwrap_or_default(),
                children: m
                    .iter()
                    .filter_map(|(k, w)| {
                        let w = w.as_f64().filter(|w| w.is_finite() && *w >= 0.0)?;
                        Some((k.as_str()?.to_owned(), w))
                    })
                    .collect(),
            },
            _ => Body::Composite {
                aggregate: Aggregate::Weighted,
                children: Vec::new(),
            },
        };
        out.push(Requirement {
            at: Written {
                file: file.clone(),
                nth: *n,
                found: OnceLock::new(),
            },
            id,
            title: text(item, "title").unwrap_or_default(),
            citation: text(item, "citation"),
            url: None,
            description: None,
            questions: Vec::new(),
            severity: Severity::default(),
            verification: None,
            body,
            pack: pack.to_owned(),
            dir: dir.to_owned(),
        });
    }
    out
}

/// Where a child reference is written in a catalog file.
pub(crate) fn locate_child(file: &SourceFile, child: &str) -> Location {
    yaml::locate::<CatalogFile>(file, NameKind::RequirementRef, child, 1)
}

fn parse_check(s: &str) -> Option<CheckRef> {
    let (file, function) = s.split_once("::")?;
    let file = file.trim();
    let function = function.trim();
    let valid_fn = !function.is_empty()
        && function
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !function.starts_with(|c: char| c.is_ascii_digit());
    let valid_file = file.ends_with(".rhai")
        && !file.starts_with('/')
        && !file.split('/').any(|p| p == ".." || p.is_empty());
    (valid_fn && valid_file).then(|| CheckRef {
        file: file.to_owned(),
        function: function.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(t: &str) -> Result<Vec<Requirement>, String> {
        let f = SourceFile::from_text("c.yaml", format!("labfit: catalog/v1\nrequirements:\n{t}"));
        parse(&f, "builtin", "").map_err(|e| e.to_string())
    }

    #[test]
    fn parses_leaves_and_composites() {
        let r = parse_text(
            "  - id: hipaa\n    title: H\n    aggregate: all\n    children: {hipaa.baa: 5, x: 0}\n  - id: hipaa.baa\n    title: B\n    questions: [q14]\n    severity: critical\n    check: hipaa.rhai::baa\n",
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].location().to_string(), "c.yaml:7:9");
        assert!(
            matches!(&r[0].body, Body::Composite { aggregate: Aggregate::All, children } if children.len() == 2)
        );
        assert!(matches!(&r[1].body, Body::Leaf(c) if c.to_string() == "hipaa.rhai::baa"));
    }

    #[test]
    fn refuses_malformed_requirements() {
        let cases = [
            ("  - id: a\n    title: A\n", "c.yaml:3:9: `a` has neither `check` nor `children`"),
            ("  - id: a\n    title: A\n    check: a.rhai\n", "c.yaml:3:9: `check: a.rhai` is not FILE.rhai::FUNCTION"),
            ("  - id: a\n    title: A\n    check: ../a.rhai::f\n", "is not FILE.rhai::FUNCTION"),
            ("  - id: a\n    title: A\n    children: {b: -1}\n", "c.yaml:5:19: weight `-1` is not allowed"),
            ("  - id: a\n    title: A\n    children: {b: .inf}\n", "c.yaml:5:19: weight `inf` is not allowed"),
            ("  - id: a\n    title: A\n    children: {b: 0}\n", "every child of `a` has weight 0"),
            ("  - id: a\n    title: A\n    check: a.rhai::f\n  - id: a\n    title: B\n    check: a.rhai::g\n", "c.yaml:6:9: duplicate requirement id `a`"),
            ("  - id: A\n    title: A\n    check: a.rhai::f\n", "c.yaml:3:9: `A` is not a requirement id"),
            ("  - id: a\n    titel: A\n    check: a.rhai::f\n", "c.yaml:4:5: requirements[0]: unknown field `titel`"),
            ("  - id: a\n    title: A\n    questions: [q20]\n    check: a.rhai::f\n", "lists question `q20`"),
        ];
        for (t, want) in cases {
            let got = parse_text(t).unwrap_err();
            assert!(got.contains(want), "for {t:?}\n got: {got}\nwant: {want}");
        }
    }
}
