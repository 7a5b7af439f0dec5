//! `labfit new`: writes a commented starting file (a rule pack, a profile or evidence) that
//! passes `labfit check` as written (the templates are `labfit::authoring::templates`).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use labfit::authoring::templates::{self, Template};
use labfit::Date;

use super::{output, Exit};

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
}

pub fn run(a: &NewArgs) -> Exit {
    if !templates::valid_name(&a.name) {
        output::eprint(&format!(
            "error: `{}` is not a usable name\n  = help: use lowercase letters, digits, `-` and `_`, starting with a letter, e.g. `our-lab`\n",
            a.name
        ));
        return Exit::Input;
    }
    let n = a.name.as_str();
    let template = match a.what {
        What::Rule => Template::Rule,
        What::Profile => Template::Profile,
        What::Evidence => Template::Evidence,
    };
    let files = templates::files(template, n, &a.dir, Date::today());
    if let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        output::eprint(&format!(
            "error: `{}` already exists\n  = help: choose another name, or move the file away; labfit new never overwrites\n",
            show(p)
        ));
        return Exit::Input;
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
            "next: labfit check {0} && labfit test --rules {0} --coverage",
            show(&a.dir.join(n))
        ),
        What::Profile | What::Evidence => format!("next: labfit check {}", shown.join(" ")),
    };
    let _ = output::write(None, &format!("wrote {}\n{next}\n", shown.join(", ")));
    Exit::Ok
}

fn show(p: &Path) -> String {
    let s = labfit::input::source::display_path(p);
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}
