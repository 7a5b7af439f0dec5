//! The command line from outside: exit codes, error positions, determinism.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

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

#[test]
fn score_json_has_the_stable_fields() {
    let o = labfit(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--format",
        "json",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["labfit"], "report/v1");
    for field in [
        "fit",
        "potential",
        "verdict",
        "gates",
        "questions",
        "nodes",
        "waivers",
        "warnings",
        "errors",
        "inputs",
        "engine",
        "as_of",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["as_of"], "2026-01-01");
    assert_eq!(v["engine"]["name"], "labfit");
    let fit = v["fit"].as_f64().unwrap();
    let potential = v["potential"].as_f64().unwrap();
    assert!((0.0..=potential).contains(&fit) && potential <= 100.0);
    // Tencent Cloud has never said whether it signs a BAA: the gate is open, not failed.
    let baa = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "hipaa.baa")
        .unwrap();
    assert_eq!(baa["state"], "open");
    assert_eq!(v["verdict"], "conditional");
    assert_eq!(v["questions"][0]["fact"], "contract.baa");
    assert_eq!(v["questions"][0]["question"], "q14");
    assert_eq!(v["questions"][0]["gate"], true);
    let inputs = v["inputs"].as_array().unwrap();
    assert!(inputs
        .iter()
        .any(|i| i["name"] == "examples/providers/tencent-cloud.yaml"
            && i["sha256"].as_str().unwrap().len() == 64));
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let args = [
        "score",
        "-p",
        "gxp-qc-lab",
        "-e",
        "aws",
        "--format",
        "json",
        "--as-of",
        "2026-01-01",
    ];
    let a = labfit(&args);
    let b = labfit(&args);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn unknown_fact_key_is_an_input_error_with_position() {
    let o = labfit(&[
        "score",
        "-p",
        "base-lab",
        "-e",
        "tests/data/evidence/bad-key.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("error: unknown fact key `contract.bba`"), "{e}");
    assert!(
        e.contains("--> tests/data/evidence/bad-key.yaml:7:3"),
        "{e}"
    );
    assert!(e.contains("help: did you mean `contract.baa`?"), "{e}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn missing_inputs_name_what_exists() {
    let o = labfit(&["score", "-p", "us-clinical-diagnostic", "-e", "aws"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `us-clinical-diagnostics`?"),
        "{}",
        stderr(&o)
    );
    let o = labfit(&["score", "-p", "base-lab", "-e", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `no/such/file.yaml`: no such file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn thresholds_exit_one() {
    let o = labfit(&[
        "score",
        "-p",
        "base-lab",
        "-e",
        "tencent-cloud",
        "--fail-under",
        "99.9",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = labfit(&[
        "score",
        "-p",
        "base-lab",
        "-e",
        "tencent-cloud",
        "--fail-under",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_rule_error_exits_three_and_the_run_goes_on() {
    let o = labfit(&[
        "score",
        "-p",
        "tests/data/profiles/custom.yaml",
        "-e",
        "tests/data/evidence/minimal.yaml",
        "--rules",
        "tests/data/packs/erroring",
        "--format",
        "json",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["requirement"], "custom.broken");
    assert_eq!(
        errors[0]["location"],
        "tests/data/packs/erroring/rules.rhai:3:5"
    );
    assert_eq!(errors[0]["message"], "deliberate failure");
    // The other rule still ran: BAA passes on a `claimed` fact, so [0.75, 1] (credibility
    // 0.75); the broken one is [0, 1]. Fit (0.75 + 0) / 2 = 37.5, potential (1 + 1) / 2 = 100.
    assert_eq!(v["fit"], 37.5);
    assert_eq!(v["potential"], 100.0);
}

#[test]
fn assume_sets_a_what_if_fact() {
    let o = labfit(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--format",
        "json",
        "--assume",
        "contract.baa=true",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["assumptions"][0]["fact"], "contract.baa");
    let node = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "ctl.baa")
        .unwrap();
    assert!(node["facts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["key"] == "contract.baa" && f["status"] == "assumed"));
    let o = labfit(&[
        "score",
        "-p",
        "base-lab",
        "-e",
        "aws",
        "--assume",
        "contract.baa=maybe",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`maybe` is not a bool"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn text_output_fits_100_columns() {
    let o = labfit(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "aws",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(o.status.code(), Some(0));
    for line in stdout(&o).lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
    assert!(stdout(&o).contains("verdict"));
}

#[test]
fn compare_exits_three_on_a_rule_error_in_either_format() {
    for format in ["text", "json"] {
        let o = labfit(&[
            "compare",
            "-p",
            "tests/data/profiles/custom.yaml",
            "tests/data/evidence/minimal.yaml",
            "--rules",
            "tests/data/packs/erroring",
            "--format",
            format,
            "--as-of",
            "2026-01-01",
        ]);
        assert_eq!(o.status.code(), Some(3), "{format}: {}", stderr(&o));
    }
}
