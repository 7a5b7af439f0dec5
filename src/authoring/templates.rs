//! Starting files for authors (`labfit new`): a rule pack, a profile or evidence, each passing
//! `labfit check` as written. The templates are files in src/authoring/templates/, compiled in;
//! this module fills them and says where they go, and the CLI writes them.

use std::path::{Path, PathBuf};

use crate::input::date::Date;

const RULE_YAML: &str = include_str!("templates/rule.yaml");
const RULE_RHAI: &str = include_str!("templates/rule.rhai");
const RULE_TESTS: &str = include_str!("templates/rule-tests.yaml");
const PROFILE: &str = include_str!("templates/profile.yaml");
const EVIDENCE: &str = include_str!("templates/evidence.yaml");

/// What to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// A rule pack directory NAME/: catalog NAME.yaml, checks NAME.rhai, cases tests/NAME.yaml.
    Rule,
    /// A lab profile NAME.yaml.
    Profile,
    /// A provider's evidence NAME.yaml.
    Evidence,
}

/// True when `name` can be an id and a file name: lowercase letters, digits, `-` and `_`,
/// starting with a letter, at most 60 characters.
pub fn valid_name(name: &str) -> bool {
    name.len() <= 60
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn fill(template: &str, name: &str, today: Date) -> String {
    template
        .replace("{{name}}", name)
        .replace("{{today}}", &today.to_string())
}

/// The files a template makes under `dir`, with their text.
pub fn files(what: Template, name: &str, dir: &Path, today: Date) -> Vec<(PathBuf, String)> {
    let n = name;
    match what {
        Template::Rule => {
            let d = dir.join(n);
            vec![
                (d.join(format!("{n}.yaml")), fill(RULE_YAML, n, today)),
                (d.join(format!("{n}.rhai")), fill(RULE_RHAI, n, today)),
                (
                    d.join("tests").join(format!("{n}.yaml")),
                    fill(RULE_TESTS, n, today),
                ),
            ]
        }
        Template::Profile => vec![(dir.join(format!("{n}.yaml")), fill(PROFILE, n, today))],
        Template::Evidence => vec![(dir.join(format!("{n}.yaml")), fill(EVIDENCE, n, today))],
    }
}
