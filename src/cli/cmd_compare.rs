//! `labfit compare`: rank providers under one profile.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use labfit::compare::Comparison;
use labfit::report::{json, text};

use super::{output, report_error, EvalArgs, Exit, Format, RulesArgs};

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Profile: a built-in id or a path
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    pub profile: String,
    /// Evidence files or built-in provider ids (default: every built-in provider)
    #[arg(value_name = "EVIDENCE")]
    pub evidence: Vec<String>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &CompareArgs) -> Exit {
    let result = (|| {
        let engine = a.rules.engine()?;
        let profile = engine.profile(&a.profile)?;
        let names: Vec<String> = if a.evidence.is_empty() {
            engine.builtin_providers().map(str::to_owned).collect()
        } else {
            a.evidence.clone()
        };
        // Parsed in parallel (YAML is a third of the work for a large registry); the first
        // error in argument order is the one reported, as when parsing one by one.
        let evidence = names
            .par_iter()
            .map(|n| engine.evidence(n))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let options = a.eval.options(&engine)?;
        // The text table shows only the ranking: no need to build every provider's report.
        Ok::<_, labfit::Error>(match a.format {
            Format::Json => engine.compare(&profile, &evidence, &options),
            Format::Text => engine.rank(&profile, &evidence, &options),
        })
    })();
    let cmp = match result {
        Ok(c) => c,
        Err(e) => return report_error(&e),
    };
    let rendered = match a.format {
        Format::Json => json::render(&cmp),
        Format::Text => render_text(
            &cmp,
            text::Style::new(super::stdout_color(a.output.is_some())),
        ),
    };
    if let Err(e) = output::write(a.output.as_deref(), &rendered) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if cmp.ranking.iter().any(|r| r.errors > 0) {
        return Exit::RuleError;
    }
    Exit::Ok
}

fn render_text(c: &Comparison, style: text::Style) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", style.bold(&text::clip(&c.title, 100)));
    let _ = writeln!(
        o,
        "{}",
        style.dim(&format!(
            "profile {} · scored as of {} · {} providers",
            c.profile,
            c.as_of,
            c.ranking.len()
        ))
    );
    o.push('\n');
    let _ = writeln!(
        o,
        "{:>4}  {:<22} {:<11} {:>5} {:>6}  {:<20}  gates open/failed · weakest",
        "rank", "provider", "verdict", "fit", "pot.", "fit ░ potential"
    );
    for r in &c.ranking {
        let verdict = format!("{:<11}", r.verdict.as_str());
        let verdict = verdict.replace(r.verdict.as_str(), &style.verdict(r.verdict));
        let gates = format!("{}/{}", r.open_gates.len(), r.failed_gates.len());
        let _ = writeln!(
            o,
            "{:>4}  {:<22} {} {:>5.1} {:>6.1}  {}  {:<5} {}",
            r.rank,
            text::clip(&r.provider, 22),
            verdict,
            r.fit,
            r.potential,
            text::bar(r.fit, r.potential, 20),
            gates,
            text::clip(r.weakest.as_deref().unwrap_or("-"), 14)
        );
    }
    if !c.dominance.is_empty() {
        o.push('\n');
        let _ = writeln!(
            o,
            "{}",
            style.bold("Necessarily better (fit ≥ the other's potential)")
        );
        let mut winners: Vec<&str> = c.dominance.iter().map(|d| d.winner.as_str()).collect();
        winners.dedup();
        for w in winners {
            let losers: Vec<&str> = c
                .dominance
                .iter()
                .filter(|d| d.winner == w)
                .map(|d| d.loser.as_str())
                .collect();
            let _ = writeln!(o, "  {w} beats {}", text::wrap(&losers.join(", "), 100, 4));
        }
    } else {
        o.push('\n');
        let _ = writeln!(o, "No provider is necessarily better than another: the open questions could reorder them.");
    }
    if let Some(m) = &c.minimax_regret {
        let _ = writeln!(
            o,
            "{}",
            text::wrap(
                &format!(
                    "Minimax-regret choice: {} (at worst {:.1} fit points behind {} once every answer is in).",
                    m.id, m.max_regret, m.against
                ),
                100,
                0
            )
        );
    }
    o
}
