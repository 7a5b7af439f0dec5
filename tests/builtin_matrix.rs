//! Every built-in profile × every built-in provider: the verdicts and fits (to 0.1) are pinned
//! in tests/data/matrix.txt, so a content change that moves one is seen and reviewed. After a
//! deliberate change, regenerate with `LABFIT_BLESS=1 cargo test --test builtin_matrix` and
//! review the diff.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::fmt::Write as _;

use labfit::{Engine, Options, Verdict};

const PROFILES: [&str; 9] = [
    "us-clinical-diagnostics",
    "gxp-qc-lab",
    "academic-genomics",
    "iso17025-testing-lab",
    "forensic-lab",
    "environmental-lab",
    "eu-clinical-lab",
    "public-health-lab",
    "state-accredited-testing-lab",
];

const PROVIDERS: [&str; 10] = [
    "tencent-cloud",
    "google-cloud",
    "aws",
    "microsoft-azure",
    "ibm-cloud",
    "oracle-cloud",
    "alibaba-cloud",
    "digitalocean",
    "rackspace",
    "huawei-cloud",
];

fn matrix() -> String {
    let engine = Engine::builtin().expect("built-in content loads");
    let options = Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        assumptions: Vec::new(),
    };
    let evidence: Vec<_> = PROVIDERS
        .iter()
        .map(|p| engine.evidence(p).expect("evidence loads"))
        .collect();
    let mut out = String::from("# profile provider verdict fit potential (as of 2026-01-01)\n");
    let mut problems = Vec::new();
    for p in PROFILES {
        let profile = engine.profile(p).expect("profile loads");
        for e in &evidence {
            let r = engine.score(&profile, e, &options);
            writeln!(
                out,
                "{p} {} {} {:.1} {:.1}",
                e.id, r.verdict, r.fit, r.potential
            )
            .unwrap();
            if !r.errors.is_empty() {
                problems.push(format!("{p} × {}: rule errors {:?}", e.id, r.errors));
            }
            // No provider without a BAA the lab can rely on is eligible under a HIPAA profile.
            let hipaa = profile.profile.frameworks.iter().any(|(f, _)| f == "hipaa");
            let baa_known_true = e.facts.get("contract.baa").is_some_and(|f| {
                f.value == Some(labfit::FactValue::Bool(true))
                    && f.status != labfit::Status::Unknown
            });
            if hipaa
                && !baa_known_true
                && !matches!(r.verdict, Verdict::Conditional | Verdict::Ineligible)
            {
                problems.push(format!(
                    "{p} × {}: eligible ({}) without a confirmed BAA",
                    e.id, r.verdict
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    out
}

#[test]
fn every_profile_scores_every_provider_as_pinned() {
    let got = matrix();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/matrix.txt");
    if std::env::var_os("LABFIT_BLESS").is_some() {
        std::fs::write(path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    if got != want {
        let diff: Vec<String> = got
            .lines()
            .zip(want.lines().chain(std::iter::repeat("<missing>")))
            .filter(|(g, w)| g != w)
            .map(|(g, w)| format!("  pinned: {w}\n     got: {g}"))
            .collect();
        panic!(
            "the 9 × 10 matrix moved ({} lines); review and bless with LABFIT_BLESS=1:\n{}",
            diff.len(),
            diff.join("\n")
        );
    }
}
