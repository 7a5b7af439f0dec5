//! Embedding labfit in a procurement workflow: load the built-in content once, score every
//! built-in provider for a profile, and act on the verdicts — no printing inside the library,
//! typed errors, and the same JSON the CLI writes.
//!
//! Run with `cargo run --example embed -- [PROFILE]`.

use labfit::{Engine, Options, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile_id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "us-clinical-diagnostics".to_owned());
    let engine = Engine::builtin()?;
    let profile = match engine.profile(&profile_id) {
        Ok(p) => p,
        Err(e) => {
            // Errors carry positions and hints; render them however the host application likes.
            for d in e.diagnostics() {
                eprint!("{}", d.render(false));
            }
            std::process::exit(2);
        }
    };
    let evidence = engine
        .builtin_providers()
        .map(|id| engine.evidence(id))
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        as_of: Some("2026-01-01".parse()?),
        assumptions: Vec::new(),
    };
    let comparison = engine.compare(&profile, &evidence, &options);

    for r in &comparison.ranking {
        let next_step = match r.verdict {
            Verdict::Ineligible => format!("drop: failed {}", r.failed_gates.join(", ")),
            Verdict::Conditional => {
                format!("send questions; open gates: {}", r.open_gates.join(", "))
            }
            _ => "shortlist".to_owned(),
        };
        println!(
            "{:>2}. {:<28} {:<11} fit {:>5.1} / {:>5.1}  {next_step}",
            r.rank,
            r.provider,
            r.verdict.as_str(),
            r.fit,
            r.potential
        );
    }
    if let Some(best) = comparison.reports.first() {
        let first_questions: Vec<&str> = best.questions.iter().take(3).map(|q| &*q.ask).collect();
        println!("\nFirst questions for {}:", best.provider.name);
        for q in first_questions {
            println!("  - {q}");
        }
        // The full report is plain data: serialise it for the next system in the workflow.
        let json = labfit::render::json::report(best);
        println!(
            "\n(report/v1 JSON for {}: {} bytes)",
            best.provider.id,
            json.len()
        );
    }
    Ok(())
}
