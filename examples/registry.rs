//! A registry × every lab type: rank a directory of evidence files (a CSA STAR export, or a
//! corpus from `gen-corpus`) under every built-in profile at once, with
//! [`labfit::Engine::compare_profiles`], and print each profile's verdict counts and leaders.
//! docs/performance.md uses it to measure the peak memory of benchmark (c).
//!
//! ```sh
//! cargo run --release --example gen-corpus -- --providers 2000 --seed 1 --out target/corpus
//! cargo run --release --example registry -- target/corpus [PROFILE ...]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use labfit::{Engine, Options};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: registry DIR [PROFILE ...]")?);
    let wanted: Vec<String> = args.collect();
    let engine = Engine::builtin()?;
    let ids: Vec<String> = if wanted.is_empty() {
        engine.builtin_profiles().map(str::to_owned).collect()
    } else {
        wanted
    };
    let profiles = ids
        .iter()
        .map(|p| engine.profile(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let evidence = paths
        .par_iter()
        .map(|p| engine.evidence(&p.to_string_lossy()))
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        as_of: Some("2026-01-01".parse()?),
        assumptions: Vec::new(),
    };
    let comparisons = engine.compare_profiles(&profiles, &evidence, &options);
    println!(
        "{} providers × {} profiles, as of {}",
        evidence.len(),
        profiles.len(),
        options.as_of.map(|d| d.to_string()).unwrap_or_default()
    );
    for c in &comparisons {
        let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &c.ranking {
            *verdicts.entry(r.verdict.as_str()).or_default() += 1;
        }
        let counts: Vec<String> = verdicts.iter().map(|(v, n)| format!("{n} {v}")).collect();
        let top: Vec<String> = c
            .ranking
            .iter()
            .take(3)
            .map(|r| format!("{} {:.1}–{:.1}", r.id, r.fit, r.potential))
            .collect();
        println!(
            "{:<30} {:<50} top: {}",
            c.profile,
            counts.join(", "),
            top.join(", ")
        );
        if let Some(m) = &c.minimax_regret {
            println!(
                "{:<30} minimax regret: {} ({:.1} points)",
                "", m.id, m.max_regret
            );
        }
    }
    Ok(())
}
