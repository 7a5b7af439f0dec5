//! `labfit new`: writes a commented starting file (a rule pack, a profile or evidence) that
//! passes `labfit check` as written (the templates are `labfit::authoring::templates`).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use labfit::authoring::templates::{self, Fill, Template};
use labfit::input::error::did_you_mean;
use labfit::Date;

use super::{output, report_error, Exit, RulesArgs};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// A rule pack directory NAME/: catalog NAME.yaml, checks NAME.rhai, cases tests/NAME.yaml
    Rule,
    /// A lab profile NAME.yaml
    Profile,
    /// A provider's evidence NAME.yaml
    Evidence,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// What to write
    #[arg(value_enum)]
    pub what: What,
    /// Its id: lowercase letters, digits, `-` and `_`, starting with a letter
    pub name: String,
    /// Write into this directory (default: the current one)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// For a profile: the frameworks the lab needs, each ID or ID:WEIGHT (default weight 1),
    /// e.g. --frameworks hipaa:5,clia:4 (see `labfit list requirements`); the guide's
    /// questions (lab-baseline) come with base-lab. Ids of a rule pack need its --rules
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub frameworks: Vec<String>,
    #[command(flatten)]
    pub rules: RulesArgs,
}

pub fn run(a: &NewArgs) -> Exit {
    if !templates::valid_name(&a.name) {
        return usage(
            &format!("`{}` is not a usable name", a.name),
            "use lowercase letters, digits, `-` and `_`, starting with a letter, e.g. `our-lab`",
        );
    }
    let n = a.name.as_str();
    let template = match a.what {
        What::Rule => Template::Rule,
        What::Profile => Template::Profile,
        What::Evidence => Template::Evidence,
    };
    if template != Template::Profile && !(a.frameworks.is_empty() && a.rules.rules.is_empty()) {
        return usage(
            "--frameworks and --rules are for `labfit new profile`",
            "a rule pack and evidence do not name frameworks",
        );
    }
    let fill = match fill(a) {
        Ok(f) => f,
        Err(exit) => return exit,
    };
    let files = templates::files(template, n, &a.dir, Date::today(), &fill);
    if let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        return usage(
            &format!("`{}` already exists", show(p)),
            "choose another name, or move the file away; labfit new never overwrites",
        );
    }
    for (p, text) in &files {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(e) = std::fs::create_dir_all(dir) {
                output::eprint(&format!("error: cannot create `{}`: {e}\n", dir.display()));
                return Exit::Input;
            }
        }
        if let Err(e) = output::write(Some(p), text) {
            output::eprint(&format!("error: {e}\n"));
            return Exit::Input;
        }
    }
    let shown: Vec<String> = files.iter().map(|(p, _)| show(p)).collect();
    let next = match a.what {
        What::Rule => format!(
            "next: labfit check {0} && labfit test --rules {0} --coverage\n      then a profile that scores it: labfit new profile NAME --rules {0} --frameworks {1}",
            show(&a.dir.join(n)),
            n
        ),
        What::Profile | What::Evidence => {
            let packs: Vec<String> = a
                .rules
                .rules
                .iter()
                .map(|d| format!("{} ", labfit::input::source::display_path(d)))
                .collect();
            format!("next: labfit check {}{}", packs.concat(), shown.join(" "))
        }
    };
    let _ = output::write(None, &format!("wrote {}\n{next}\n", shown.join(", ")));
    Exit::Ok
}

/// The frameworks a new profile names, each checked against the requirements of the built-in
/// rules and the --rules packs, and the options to quote in its first comment.
fn fill(a: &NewArgs) -> Result<Fill, Exit> {
    if a.frameworks.is_empty() {
        return Ok(Fill::default());
    }
    let engine = a.rules.engine().map_err(|e| report_error(&e))?;
    let mut frameworks: Vec<(String, f64)> = Vec::new();
    for item in a
        .frameworks
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        let (id, weight) = match item.split_once(':') {
            Some((id, w)) => match w.trim().parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => (id.trim(), w),
                _ => {
                    return Err(usage(
                        &format!("`{item}`: the weight `{w}` is not a number ≥ 0"),
                        "write ID or ID:WEIGHT, e.g. hipaa:5",
                    ))
                }
            },
            None => (item, 1.0),
        };
        if engine.graph().find(id).is_none() {
            let hint = did_you_mean(id, engine.graph().ids()).unwrap_or_else(|| {
                "see `labfit list requirements`; a rule pack's own ids need --rules DIR".into()
            });
            return Err(usage(&format!("unknown framework `{id}`"), &hint));
        }
        if frameworks.iter().any(|(f, _)| f == id) {
            return Err(usage(
                &format!("framework `{id}` is given twice"),
                "name each framework once",
            ));
        }
        frameworks.push((id.to_owned(), weight));
    }
    let mut args: Vec<String> = a
        .rules
        .rules
        .iter()
        .map(|d| format!(" --rules {}", labfit::input::source::display_path(d)))
        .collect();
    args.push(format!(" --frameworks {}", a.frameworks.join(",")));
    Ok(Fill {
        frameworks,
        args: args.concat(),
    })
}

/// A usage error: what is wrong and what to do; exit 2.
fn usage(message: &str, hint: &str) -> Exit {
    output::eprint(&format!("error: {message}\n  = help: {hint}\n"));
    Exit::Input
}

fn show(p: &Path) -> String {
    let s = labfit::input::source::display_path(p);
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}
