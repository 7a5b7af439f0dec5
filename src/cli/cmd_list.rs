//! `labfit list`: the built-in (and `--rules`) content, for people and for scripts.

use clap::{Args, ValueEnum};
use labfit::render::json;
use labfit::render::toolkit::{wrap, WIDTH};
use labfit::Engine;

use super::{output, report_error, Exit, RulesArgs};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// Every requirement of the graph
    Requirements,
    /// Built-in profiles
    Profiles,
    /// Built-in provider evidence
    Providers,
    /// The fact vocabulary
    Facts,
    /// The parameters rules read, with their defaults and where the defaults come from
    Params,
    /// The kinds of service a fact can cover and a lab can use
    Services,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// One line per item
    #[default]
    Text,
    /// JSON
    Json,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum)]
    pub what: What,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
}

pub fn run(a: &ListArgs) -> Exit {
    let engine = match a.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let json_out = a.format == ListFormat::Json;
    let text = match a.what {
        What::Requirements => requirements(&engine, json_out),
        What::Profiles => match profiles(&engine, json_out) {
            Ok(t) => t,
            Err(exit) => return exit,
        },
        What::Providers => match providers(&engine, json_out) {
            Ok(t) => t,
            Err(exit) => return exit,
        },
        What::Facts => facts(&engine, json_out),
        What::Params => params(&engine, json_out),
        What::Services => services(&engine, json_out),
    };
    match output::write(None, &text) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            Exit::Input
        }
    }
}

/// Every requirement of the graph, with its edges both ways and where it is defined.
fn requirements(engine: &Engine, json_out: bool) -> String {
    let items = engine.list_requirements();
    if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|r| r.id.as_str()));
        items
            .iter()
            .map(|r| format!("{:<w$}  {:<9} {}\n", r.id, r.kind, r.title))
            .collect()
    }
}

/// The profiles found by id; one that does not bind stops the listing with its error.
fn profiles(engine: &Engine, json_out: bool) -> Result<String, Exit> {
    let items = engine.list_profiles().map_err(|e| report_error(&e))?;
    Ok(if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|p| p.id.as_str()));
        items
            .iter()
            .map(|p| format!("{:<w$}  {}\n", p.id, p.title))
            .collect()
    })
}

/// The providers found by id, with how many of their facts are known.
fn providers(engine: &Engine, json_out: bool) -> Result<String, Exit> {
    let items = engine.list_providers().map_err(|e| report_error(&e))?;
    if json_out {
        return Ok(json::value(&items));
    }
    let id_w = width(items.iter().map(|p| p.id.as_str()));
    let name_w = width(items.iter().map(|p| p.provider.as_str()));
    Ok(items
        .iter()
        .map(|p| {
            format!(
                "{:<id_w$}  {:<name_w$}  as of {}  {} facts ({} known)\n",
                p.id, p.provider, p.as_of, p.facts, p.known
            )
        })
        .collect())
}

/// The fact vocabulary.
fn facts(engine: &Engine, json_out: bool) -> String {
    let items = engine.list_facts();
    if json_out {
        json::value(&items)
    } else {
        let w = width(items.iter().map(|f| f.key.as_str()));
        items
            .iter()
            .map(|f| {
                format!(
                    "{:<w$}  {:<8} {:<4} {}\n",
                    f.key,
                    f.spec.ty.to_string(),
                    f.spec.question,
                    f.spec.meaning
                )
            })
            .collect()
    }
}

/// The parameter vocabulary: name, type and unit, default, meaning and where the default
/// comes from.
fn params(engine: &Engine, json_out: bool) -> String {
    let items = engine.list_params();
    if json_out {
        return json::value(&items);
    }
    let mut out = String::new();
    for p in &items {
        out.push_str(&format!(
            "{:<34} {:<24} default {}\n    {}\n    {}\n",
            p.name,
            p.spec.describe(),
            p.spec.default,
            wrap(&p.spec.meaning, WIDTH, 4),
            wrap(&format!("default from: {}", p.spec.source), WIDTH, 4)
        ));
    }
    out
}

/// The service kinds, those a profile gets by default marked.
fn services(engine: &Engine, json_out: bool) -> String {
    let items = engine.list_services();
    if json_out {
        return json::value(&items);
    }
    items
        .iter()
        .map(|s| {
            format!(
                "{:<16} {:<8} {}\n",
                s.kind,
                if s.spec.default { "default" } else { "" },
                s.spec.meaning
            )
        })
        .collect()
}

/// The width of a text column: its longest entry, so that no entry runs into the next column
/// (the columns are then separated by two spaces).
fn width<'a>(entries: impl Iterator<Item = &'a str>) -> usize {
    entries.map(|e| e.chars().count()).max().unwrap_or(0)
}
