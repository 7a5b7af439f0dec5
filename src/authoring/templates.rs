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

/// What a new file is filled with besides its name and date.
#[derive(Clone, Debug, Default)]
pub struct Fill {
    /// A profile's frameworks and their weights, as given (`labfit new profile --frameworks`);
    /// empty for the guide's questions alone (`lab-baseline`).
    pub frameworks: Vec<(String, f64)>,
    /// The command line's options after the name, to quote in the file's first comment.
    pub args: String,
}

fn fill(template: &str, name: &str, today: Date, with: &Fill) -> String {
    let frameworks = if with.frameworks.is_empty() {
        "{lab-baseline: 1}".to_owned()
    } else {
        let list: Vec<String> = with
            .frameworks
            .iter()
            .map(|(id, w)| format!("{id}: {w}"))
            .collect();
        format!("{{{}}}", list.join(", "))
    };
    template
        .replace("{{name}}", name)
        .replace("{{today}}", &today.to_string())
        .replace("{{frameworks}}", &frameworks)
        .replace("{{args}}", &with.args)
}

/// The files a template makes under `dir`, with their text.
pub fn files(
    what: Template,
    name: &str,
    dir: &Path,
    today: Date,
    with: &Fill,
) -> Vec<(PathBuf, String)> {
    let n = name;
    let fill = |t: &str, n: &str, today: Date| fill(t, n, today, with);
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
