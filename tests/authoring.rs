//! The rule author's tools from outside: `labfit new` writes files that `labfit check` and
//! `labfit test` accept as written, `check` reports positions and exits 2, `explain` shows
//! the tree whose leaves add up to the fit.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn labfit_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run labfit")
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn new_files_pass_check_and_test_as_written() {
    let d = scratch("new-files");
    for args in [
        ["new", "rule", "our-rules"],
        ["new", "profile", "our-lab"],
        ["new", "evidence", "acme-cloud"],
    ] {
        let o = labfit_in(&d, &args);
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    }
    for target in ["our-rules", "our-lab.yaml", "acme-cloud.yaml"] {
        let o = labfit_in(&d, &["check", target]);
        assert_eq!(o.status.code(), Some(0), "{target}: {}", out(&o));
        assert!(out(&o).contains("no problems found"), "{}", out(&o));
    }
    let o = labfit_in(&d, &["test", "--rules", "our-rules", "--coverage"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("coverage: 1 of 1 leaf requirements have a rule case (our-rules)"),
        "{text}"
    );
    assert!(
        text.lines().last().unwrap().ends_with(" passed, 0 failed"),
        "{text}"
    );
    // A profile that uses the new framework scores with the pack.
    let o = labfit_in(
        &d,
        &[
            "score",
            "--rules",
            "our-rules",
            "-p",
            "our-lab.yaml",
            "-e",
            "acme-cloud.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    // Never overwrites.
    let o = labfit_in(&d, &["new", "profile", "our-lab"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("`our-lab.yaml` already exists"),
        "{}",
        out(&o)
    );
}

#[test]
fn check_reports_every_mistake_with_its_position() {
    let d = scratch("check-mistakes");
    std::fs::create_dir_all(d.join("pack")).unwrap();
    std::fs::write(
        d.join("pack/p.yaml"),
        "labfit: catalog/v1\nrequirements:\n  - id: p\n    title: P\n    children: {p.a: 1, p.b: 1, ctl.audit_log: 1}\n  - id: p.a\n    title: A\n    children: {p: 1}\n  - id: p.b\n    title: B\n    check: p.rhai::b\n",
    )
    .unwrap();
    std::fs::write(
        d.join("pack/p.rhai"),
        "fn b() {\n    let f = fact(\"contract.bba\");\n    partial(param(\"min_b\"), \"x\")\n}\n\nfn spare() { pass() }\n",
    )
    .unwrap();
    std::fs::write(
        d.join("lab.yaml"),
        "labfit: profile/v1\nid: lab\nextends: base-lab\nframeworks: {p: 1, hipa: 1}\nwaivers:\n  - {id: p.b, reason: r, approved_by: QA, expires: 2020-01-01}\n",
    )
    .unwrap();
    let o = labfit_in(&d, &["check", "pack", "lab.yaml", "--as-of", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    for want in [
        "error: unknown framework `hipa`\n --> lab.yaml:4:20",
        "help: did you mean `hipaa`?",
        "error: `p` lists child `ctl.audit_log`, which is not a requirement\n --> pack/p.yaml:5:32",
        "help: did you mean `ctl.audit_logs`?",
        "error: requirements form a cycle: p -> p.a -> p\n --> pack/p.yaml:8:16",
        "error: `b` reads fact `contract.bba`, which is not in the vocabulary\n --> pack/p.rhai:2:18",
        "help: did you mean `contract.baa`?",
        "warning: function `spare` is not used by any requirement\n --> pack/p.rhai:6:4",
        // The built-in rules declare their parameters, so one that is neither declared nor
        // set is a profile error at the framework that reaches the check.
        "error: the check of `p.b` (under `p`) reads parameter `min_b`, which is not declared and profile `lab` does not set\n --> lab.yaml:4:14",
        "help: declare `min_b` in a `labfit: parameters/v1` file (type, meaning, default, source), or set it under `params:` (the rule reads it at pack/p.rhai:3:19)",
        "warning: the waiver for `p.b` expired on 2020-01-01",
        "4 | frameworks: {p: 1, hipa: 1}",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(
        text.ends_with("3 files checked: 5 errors, 2 warnings\n"),
        "{text}"
    );
    // JSON carries the same findings.
    let o = labfit_in(
        &d,
        &[
            "check",
            "pack",
            "lab.yaml",
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 7);
    assert_eq!(v[0]["severity"], "error");
}

#[test]
fn explain_leaves_add_up_to_the_fit_and_shared_nodes_show_once() {
    let o = labfit_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "explain",
            "-p",
            "us-clinical-diagnostics",
            "-e",
            "aws",
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    fn walk(n: &serde_json::Value, leaves: &mut f64, ids: &mut Vec<String>, repeats: &mut usize) {
        if n["repeated"] == true {
            *repeats += 1;
            assert!(n.get("children").is_none());
            return;
        }
        ids.push(n["id"].as_str().unwrap().to_owned());
        if n["kind"] == "leaf" {
            *leaves += n["contribution"].as_f64().unwrap();
        }
        for c in n["children"].as_array().into_iter().flatten() {
            walk(c, leaves, ids, repeats);
        }
    }
    let (mut sum, mut ids, mut repeats) = (0.0, Vec::new(), 0);
    walk(&v["root"], &mut sum, &mut ids, &mut repeats);
    let fit = v["fit"].as_f64().unwrap();
    assert!((sum - fit).abs() < 1e-3, "leaves {sum} vs fit {fit}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a node was expanded twice");
    assert!(repeats > 0, "no shared node was referred back to");
    assert_eq!(v["root"]["kind"], "profile");
    // Asking about a requirement the profile does not reach names the nearest one.
    let o = labfit_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["explain", "-p", "base-lab", "-e", "aws", "ctl.audit_log"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("did you mean `ctl.audit_logs`?"),
        "{}",
        out(&o)
    );
}

#[test]
fn check_warns_where_a_rule_reads_a_text_fact() {
    let d = scratch("check-text-fact");
    std::fs::create_dir_all(d.join("pack")).unwrap();
    std::fs::write(
        d.join("pack/t.yaml"),
        "labfit: catalog/v1\nrequirements:\n  - id: t\n    title: T\n    check: t.rhai::other_slas\n",
    )
    .unwrap();
    std::fs::write(
        d.join("pack/t.rhai"),
        "/// t: other SLAs are described.\nfn other_slas() {\n    let f = fact(\"sla.other\");\n    if f.known { pass() } else { unknown() }\n}\n",
    )
    .unwrap();
    let o = labfit_in(&d, &["check", "pack"]);
    let text = out(&o);
    assert!(
        text.contains("warning: `other_slas` reads text fact `sla.other`; a rule decides on typed facts (text is a note)\n --> pack/t.rhai:3:18"),
        "{text}"
    );
}

#[test]
fn check_reports_every_independent_error_of_a_file_in_one_run() {
    let d = scratch("check-every-error");
    std::fs::write(
        d.join("acme.yaml"),
        "labfit: evidence/v1\nid: acme\nprovider: Acme Cloud\nas_of: 2025-01-01\ndefault_status: claimed\nfacts:\n  contract.bbaa: true\n  cert.iso27001: true\n  exit.retreival_window_days: 30\n  sla.compute_multi_zone_pct: {value: 99.9, status: clamed}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("lab.yaml"),
        "labfit: profile/v1\nid: lab\ntitle: A lab\nextends: base-lab\nframeworks: {hipa: 1, lab-baseline: 1}\nparams:\n  min_retension_years: 7\n  min_multi_zone_sla_pct: {value: 99.95, source: \"x\"}\n  min_retrieval_windw_days: 30\nmust_have:\n  - {id: hipaa.baa, min: 1.5}\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("pack")).unwrap();
    std::fs::write(
        d.join("pack/p.yaml"),
        "labfit: catalog/v1\nrequirements:\n  - id: p\n    title: P\n    children: {p.a: 1}\n    severity: hgh\n  - id: p.a\n    title: A\n    check: p.rhai::a\n    wieght: 2\n",
    )
    .unwrap();
    std::fs::write(d.join("pack/p.rhai"), "fn a() { pass() }\n").unwrap();
    let o = labfit_in(
        &d,
        &[
            "check",
            "acme.yaml",
            "lab.yaml",
            "pack",
            "--as-of",
            "2026-01-01",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let text = out(&o);
    for want in [
        "error: unknown fact key `contract.bbaa`\n --> acme.yaml:7:3",
        "help: did you mean `contract.baa`?",
        "error: unknown fact key `exit.retreival_window_days`\n --> acme.yaml:9:3",
        "help: did you mean `exit.retrieval_window_days`?",
        "error: unknown status `clamed`\n  --> acme.yaml:10:53",
        "error: unknown framework `hipa`\n --> lab.yaml:5:14",
        "error: unknown parameter `min_retension_years`\n --> lab.yaml:7:3",
        "error: unknown parameter `min_retrieval_windw_days`\n --> lab.yaml:9:3",
        "error: `1.5` is outside 0..1\n  --> lab.yaml:11:26",
        "pack/p.yaml:6:15",
        "pack/p.yaml:10:5",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    // Each error once: blanking a broken entry adds no error of its own.
    assert!(text.contains(": 9 errors, 1 warning\n"), "{text}");
}

#[test]
fn a_new_profile_takes_the_frameworks_the_lab_needs_and_scores_as_written() {
    let d = scratch("new-profile-frameworks");
    let o = labfit_in(
        &d,
        &["new", "profile", "our-lab", "--frameworks", "hipaa:5,clia"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = std::fs::read_to_string(d.join("our-lab.yaml")).unwrap();
    assert!(
        text.contains("\nframeworks: {hipaa: 5, clia: 1}\n"),
        "{text}"
    );
    assert!(
        text.contains("#   labfit new profile our-lab --frameworks hipaa:5,clia\n"),
        "{text}"
    );
    let o = labfit_in(&d, &["check", "our-lab.yaml", "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("1 file checked, no problems found"),
        "{}",
        out(&o)
    );
    let o = labfit_in(
        &d,
        &[
            "score",
            "-p",
            "our-lab.yaml",
            "-e",
            "aws",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["profile"]["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["clia", "hipaa", "lab-baseline"], "{ids:?}");
    // A framework must exist; one of a rule pack needs the pack.
    let o = labfit_in(&d, &["new", "profile", "typo", "--frameworks", "hipa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("error: unknown framework `hipa`\n  = help: did you mean `hipaa`?"),
        "{}",
        out(&o)
    );
    assert!(!d.join("typo.yaml").exists());
    let o = labfit_in(&d, &["new", "rule", "pack", "--frameworks", "hipaa"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}
