//! The seven things a new user saw when labfit's score measured how much had been researched
//! rather than how well a provider fits, each now behaving as a lab would expect: typed answers
//! (a "no" fails), assurance, scope, declared parameters, decisions only on settled evidence, a
//! provider given twice, and unverified citations shown wherever a requirement is.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "test code fails loudly"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn labfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run labfit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json", "--as-of", "2026-12-02"]);
    let o = labfit(&all);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{args:?}: {}",
        stderr(&o)
    );
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn node<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

/// A scratch directory for files a test writes.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("evidence_semantics")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Observation 1: A provider's "no" is recordable and fails; free text is no answer at all.
#[test]
fn a_no_fails_and_free_text_is_refused() {
    let p = ["-p", "us-clinical-diagnostics", "-e", "aws"];
    let yes = json(
        &[
            &["score"][..],
            &p,
            &["--assume", "personnel.background_checks=true"],
        ]
        .concat(),
    );
    let no = json(
        &[
            &["score"][..],
            &p,
            &["--assume", "personnel.background_checks=false"],
        ]
        .concat(),
    );
    assert_eq!(node(&yes, "ctl.background_checks")["status"], "pass");
    assert_eq!(node(&no, "ctl.background_checks")["status"], "fail");
    assert!(no["fit"].as_f64() < yes["fit"].as_f64());
    // What once passed as "documented" is now not an answer of the fact's type.
    let o = labfit(
        &[
            &["score"][..],
            &p,
            &[
                "--assume",
                "personnel.background_checks=None. We do not screen staff.",
            ],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("is not a bool"), "{}", stderr(&o));
    // A provider that cannot survive the loss of a region fails that control, and the
    // retention must-have that rests on it can no longer be met by that answer.
    let dr = json(
        &[
            &["score"][..],
            &p,
            &["--assume", "resilience.region_loss_survivable=false"],
        ]
        .concat(),
    );
    assert_eq!(node(&dr, "ctl.region_loss")["status"], "fail");
    let gate = dr["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "clia.retention_general")
        .unwrap();
    assert_ne!(gate["state"], "met");
}

/// Observation 2: Assurance counts: verifying a fact raises the fit, and a 2017 whitepaper's SOC 2 claim
/// has expired.
#[test]
fn verifying_a_fact_raises_the_fit_and_old_attestations_expire() {
    let text = std::fs::read_to_string("examples/providers/aws.yaml").unwrap();
    let verified = text.replacen(
        "contract.baa: {value: true, status: reported, source: ctid-artifact,",
        "contract.baa: {value: true, status: verified, source: ctid-artifact,",
        1,
    );
    assert_ne!(text, verified, "the BAA line moved in the evidence file");
    let file = scratch("assurance").join("aws-verified.yaml");
    std::fs::write(&file, verified).unwrap();
    let before = json(&["score", "-p", "us-clinical-diagnostics", "-e", "aws"]);
    let after = json(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        file.to_str().unwrap(),
    ]);
    assert!(
        after["fit"].as_f64().unwrap() > before["fit"].as_f64().unwrap() + 0.5,
        "{} → {}",
        before["fit"],
        after["fit"]
    );
    let baa = node(&before, "ctl.baa");
    assert_eq!(
        (baa["lo"].as_f64(), baa["hi"].as_f64()),
        (Some(0.5), Some(1.0))
    );
    assert_eq!(node(&after, "ctl.baa")["lo"].as_f64(), Some(1.0));
    // The SOC 2 report read from a 2017 whitepaper copy is long past a SOC report's validity.
    let soc2 = node(&before, "ctl.soc2");
    assert_eq!(soc2["status"], "unknown");
    assert_eq!(soc2["facts"][0]["lapse"]["kind"], "expired");
    // A third party's report never meets a must-have alone.
    let gate = before["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "hipaa.baa")
        .unwrap();
    assert_eq!(gate["state"], "open");
}

/// Observation 3: Scope counts: Tencent's ISO certificates cover one communication product, not the
/// services a lab runs on, so they neither pass the check nor meet the GxP must-have.
#[test]
fn a_certificate_for_another_product_does_not_count() {
    let r = json(&["score", "-p", "gxp-qc-lab", "-e", "tencent-cloud"]);
    let iso = node(&r, "ctl.iso27001");
    assert_eq!(iso["status"], "unknown");
    assert!(
        iso["note"]
            .as_str()
            .unwrap()
            .contains("covers communication only"),
        "{}",
        iso["note"]
    );
    let gate = r["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "part11.validation")
        .unwrap();
    assert_ne!(gate["state"], "met", "{gate}");
    let q = r["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["fact"] == "cert.iso27001")
        .unwrap();
    assert_eq!(q["reason"], "out_of_scope");
    assert!(
        q["ask"]
            .as_str()
            .unwrap()
            .contains("covers communication only"),
        "{}",
        q["ask"]
    );
}

/// Observation 4: Parameters are declared: a misspelt one is an error at its position with the nearest
/// name, a profile setting under `params:` says where it belongs, and a profile without
/// `extends` scores on the defaults.
#[test]
fn parameters_are_declared() {
    let dir = scratch("params");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let typo = write(
        "typo.yaml",
        "labfit: profile/v1\nid: typo\nextends: base-lab\nparams:\n  min_retension_years: 7\n",
    );
    let o = labfit(&["check", &typo]);
    assert_eq!(o.status.code(), Some(2));
    let err = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        err.contains("unknown parameter `min_retension_years`"),
        "{err}"
    );
    assert!(err.contains("typo.yaml:5:3"), "{err}");
    assert!(err.contains("did you mean `min_retention_years`?"), "{err}");
    let top = write(
        "top.yaml",
        "labfit: profile/v1\nid: top\nextends: base-lab\nparams:\n  max_evidence_age_days: 700\n",
    );
    let o = labfit(&["score", "-p", &top, "-e", "aws"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean the top-level `max_evidence_age_days`?"),
        "{}",
        stderr(&o)
    );
    let bare = write(
        "bare.yaml",
        "labfit: profile/v1\nid: bare\nframeworks: {clia: 1, cap: 1}\n",
    );
    let r = json(&["score", "-p", &bare, "-e", "aws"]);
    assert!(
        r["errors"].as_array().unwrap().is_empty(),
        "{}",
        r["errors"]
    );
    let p = &r["profile"]["params"]["min_retention_years"];
    assert_eq!(
        (p["origin"].as_str(), p["value"].as_f64()),
        (Some("default"), Some(2.0))
    );
}

/// Observation 5: A comparison names a choice only when the evidence settles it; no card, sentence or
/// regret figure names a provider whose must-haves are open.
#[test]
fn no_pick_without_evidence() {
    let c = json(&["compare", "-p", "us-clinical-diagnostics"]);
    assert_eq!(c["decision"]["state"], "none_eligible");
    assert!(c["decision"].get("choice").is_none());
    assert!(c.get("minimax_regret").is_none(), "{}", c["minimax_regret"]);
    let pending = c["decision"]["pending"].as_array().unwrap();
    assert!(pending.iter().any(|p| p["id"] == "tencent-cloud"
        && p["must_haves"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "hipaa.baa")));
    for r in c["ranking"].as_array().unwrap() {
        let settled = r["settled"].as_f64().unwrap();
        let expect = 1.0 - (r["potential"].as_f64().unwrap() - r["fit"].as_f64().unwrap()) / 100.0;
        assert!((settled - expect).abs() < 1e-6, "{r}");
    }
    let o = labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        "--format",
        "html",
    ]);
    let html = stdout(&o);
    assert!(
        !html.to_lowercase().contains("safest choice now"),
        "the old card is gone"
    );
    assert!(html.contains("Choice on the evidence</div><div class=\"v small\">none yet"));
    assert!(html.contains("No provider can be chosen yet"));
    let text = stdout(&labfit(&["compare", "-p", "us-clinical-diagnostics"]));
    assert!(text.contains("No provider can be chosen yet"), "{text}");
}

/// Observation 6: The same provider twice: a file replaces its built-in and says so; two files for one
/// provider are an error naming both; `--builtin` ranks a new file against every built-in.
#[test]
fn a_provider_is_compared_once() {
    let dir = scratch("twice");
    let a = dir.join("aws-answered.yaml");
    std::fs::copy("examples/providers/aws.yaml", &a).unwrap();
    let a = a.to_str().unwrap();
    let c = json(&["compare", "-p", "us-clinical-diagnostics", "aws", a]);
    assert_eq!(c["ranking"].as_array().unwrap().len(), 1);
    assert!(c["notes"][0]
        .as_str()
        .unwrap()
        .contains("replaces the built-in evidence for `aws`"));
    let text = stdout(&labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        "aws",
        a,
    ]));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("replaces the built-in evidence for `aws`"),
        "{text}"
    );
    assert!(!text.contains("every provider is ineligible"), "{text}");
    let b = dir.join("aws-again.yaml");
    std::fs::copy("examples/providers/aws.yaml", &b).unwrap();
    let o = labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        a,
        b.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("provider `aws` is given twice"), "{err}");
    assert!(
        err.contains("aws-answered.yaml") && err.contains("aws-again.yaml"),
        "{err}"
    );
    let all = json(&["compare", "-p", "us-clinical-diagnostics", a, "--builtin"]);
    assert_eq!(all["ranking"].as_array().unwrap().len(), 10);
}

/// Observation 7: An unverified citation is flagged wherever its requirement is shown, with a legend.
#[test]
fn unverified_citations_are_flagged_everywhere() {
    let args = [
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "aws",
        "--as-of",
        "2026-12-02",
    ];
    let explain = stdout(&labfit(&[&["explain"][..], &args].concat()));
    assert!(explain.contains("ca.ccpa_service_provider ‡"), "{explain}");
    assert!(explain.contains("‡ unverified:"), "legend");
    for format in ["markdown", "html"] {
        // Every format shows the must-haves; the legend appears wherever a mark does.
        let out = stdout(&labfit(
            &[&["score"][..], &args, &["--format", format]].concat(),
        ));
        assert_eq!(out.contains('‡'), out.contains("unverified"), "{format}");
    }
    let json = json(&["explain", "-p", "us-clinical-diagnostics", "-e", "aws"]);
    fn find<'a>(n: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
        if n["id"] == id {
            return Some(n);
        }
        n["children"].as_array()?.iter().find_map(|c| find(c, id))
    }
    let n = find(&json["root"], "ca.ccpa_service_provider").unwrap();
    assert_eq!(n["verification"], "unverified");
}

/// The worked example of docs/scoring.md §8, number for number.
#[test]
fn the_worked_example_of_the_scoring_doc() {
    use labfit::{Engine, Options, SourceFile};
    let vocab = "labfit: vocabulary/v1\nservices:\n  compute: {meaning: c, default: true}\n  communication: {meaning: m}\nfacts:\n  k.a: {type: bool, meaning: a, question: q01, ask: A?}\n  k.b: {type: bool, meaning: b, question: q01, ask: B?}\n";
    let catalog = "labfit: catalog/v1\nrequirements:\n  - {id: f, title: F, children: {a: 3, b: 1}}\n  - {id: a, title: A, check: r.rhai::a}\n  - {id: b, title: B, check: r.rhai::b}\n";
    let rules = "fn yes(k) { let f = fact(k); if !f.known { return unknown(); } if f.value { pass() } else { fail() } }\nfn a() { yes(\"k.a\") }\nfn b() { yes(\"k.b\") }\n";
    let engine = Engine::builder()
        .without_builtin_rules()
        .pack(
            "example",
            vec![
                SourceFile::from_text("vocabulary.yaml", vocab),
                SourceFile::from_text("catalog.yaml", catalog),
                SourceFile::from_text("r.rhai", rules),
            ],
        )
        .build()
        .unwrap();
    let profile = engine
        .profile_from(SourceFile::from_text(
            "p.yaml",
            "labfit: profile/v1\nid: p\nframeworks: {f: 1}\nmust_have: [{id: a, min_assurance: claimed}]\n",
        ))
        .unwrap();
    let score = |a: &str, b: &str| {
        let text = format!("labfit: evidence/v1\nid: x\nprovider: X\nas_of: 2026-01-01\nfacts:\n  k.a: {a}\n  k.b: {b}\n");
        let ev = engine
            .evidence_from(&SourceFile::from_text("x.yaml", text))
            .unwrap();
        let options = Options {
            as_of: Some("2026-06-01".parse().unwrap()),
            assumptions: Vec::new(),
        };
        engine.score(&profile, &ev, &options)
    };
    let r = score(
        "{value: true, status: claimed}",
        "{value: true, status: reported}",
    );
    assert_eq!((r.fit, r.potential), (68.75, 100.0));
    assert_eq!(
        (r.gates[0].state.as_str(), r.verdict.as_str()),
        ("met", "moderate")
    );
    let r = score(
        "{value: true, status: reported}",
        "{value: true, status: reported}",
    );
    assert_eq!(
        (r.gates[0].state.as_str(), r.verdict.as_str()),
        ("open", "conditional")
    );
    let r = score(
        "{value: true, status: claimed}",
        "{value: true, status: verified}",
    );
    assert_eq!(r.fit, 81.25);
    let r = score(
        "{value: true, status: claimed, covers: [communication]}",
        "{value: true, status: reported}",
    );
    assert_eq!((r.fit, r.gates[0].state.as_str()), (12.5, "open"));
}
