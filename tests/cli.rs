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

/// A scratch directory of this test binary, emptied.
fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn both(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[test]
fn check_exits_zero_on_warnings_alone_unless_they_are_denied() {
    let d = scratch("warnings");
    let lab = d.join("lab.yaml");
    std::fs::write(
        &lab,
        "labfit: profile/v1\nid: lab\ntitle: A lab\nextends: base-lab\nwaivers:\n  - {id: base.q02_integration, reason: r, approved_by: QA lead, expires: 2020-01-01}\n",
    )
    .unwrap();
    let lab = lab.to_string_lossy().into_owned();
    let o = labfit(&["check", &lab, "--as-of", "2026-01-01"]);
    let text = both(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: the waiver for `base.q02_integration` expired on 2020-01-01"),
        "{text}"
    );
    assert!(
        text.contains("1 file checked: 0 errors, 1 warning"),
        "{text}"
    );
    assert!(text.contains("--deny-warnings makes them exit 1"), "{text}");
    let o = labfit(&["check", &lab, "--as-of", "2026-01-01", "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(both(&o).contains("warnings are denied (--deny-warnings): exit 1"));
    // An error is bad input, denied warnings or not.
    std::fs::write(
        d.join("bad.yaml"),
        "labfit: profile/v1\nid: bad\nextends: base-lab\nframeworks: {hipa: 1}\n",
    )
    .unwrap();
    let bad = d.join("bad.yaml").to_string_lossy().into_owned();
    for extra in [&[][..], &["--deny-warnings"][..]] {
        let mut args = vec!["check", bad.as_str()];
        args.extend_from_slice(extra);
        let o = labfit(&args);
        assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    }
}

#[test]
fn each_command_says_what_its_json_is() {
    for (cmd, want) in [
        ("check", "The findings as a JSON list"),
        ("explain", "The requirement tree as JSON"),
        ("diff", "(diff/v1)"),
        ("score", "(report/v1)"),
    ] {
        let o = labfit(&[cmd, "--help"]);
        let help = stdout(&o);
        assert!(help.contains(want), "{cmd}: {help}");
        if cmd != "score" {
            assert!(!help.contains("report/v1"), "{cmd}: {help}");
        }
    }
}

#[test]
fn a_mistyped_builtin_id_gets_a_suggestion() {
    for (args, want) in [
        (
            ["score", "-p", "us-clinical", "-e", "aws"],
            "help: did you mean `us-clinical-diagnostics`?",
        ),
        (
            ["score", "-p", "us-clinical-diagnostics", "-e", "amazon"],
            "help: did you mean `aws`?",
        ),
        (
            ["score", "-p", "gxp-qc-lab", "-e", "azure"],
            "help: did you mean `microsoft-azure`?",
        ),
    ] {
        let o = labfit(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn thresholds_say_why_they_failed_and_refuse_impossible_values() {
    let base = [
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "aws",
        "--as-of",
        "2026-01-01",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        labfit(&args)
    };
    // Conditional (must-haves open) is not eligible, as in `compare`.
    let o = run(&["--require-eligible"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("threshold not met: --require-eligible: the verdict is conditional, 5 must-haves are still open (clia.confidentiality, clia.retention_general, dsp.covered_person_access, hipaa.baa, hipaa.return_or_destroy)"),
        "{}",
        stderr(&o)
    );
    let o = run(&["--fail-under", "60"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("threshold not met: --fail-under 60: the fit is 16.0, below 60"),
        "{}",
        stderr(&o)
    );
    for bad in ["160", "-1", "NaN", "sixty"] {
        let o = run(&["--fail-under", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("0 to 100"), "{bad}: {}", stderr(&o));
    }
    // Strong, so eligible: --require-eligible passes quietly.
    let o = labfit(&[
        "score",
        "-p",
        "base-lab",
        "-e",
        "microsoft-azure",
        "--as-of",
        "2026-01-01",
        "--require-eligible",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn list_columns_never_run_together_and_titles_are_not_cut() {
    let o = labfit(&["list", "providers"]);
    let text = stdout(&o);
    assert!(
        text.contains("oracle-cloud     Oracle Cloud Infrastructure  as of 2024-01-01"),
        "{text}"
    );
    let o = labfit(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--as-of",
        "2026-01-01",
    ]);
    let first = stdout(&o).lines().next().unwrap().to_owned();
    assert_eq!(
        first,
        "Tencent Cloud × US clinical diagnostic laboratory (CLIA, HIPAA covered entity, CAP, California CMIA)"
    );
    let o = labfit(&[
        "score",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "oracle-cloud",
        "--as-of",
        "2026-01-01",
    ]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(
        lines,
        [
            "Oracle Cloud Infrastructure × US clinical diagnostic laboratory (CLIA, HIPAA covered entity, CAP,",
            "California CMIA)"
        ]
    );
}

/// A question that adds no fit says why it is listed and comes after every question that
/// adds some: no "50 → 50 (+0.0)" line left to puzzle over (issue: the first hour).
#[test]
fn questions_that_move_nothing_say_why_and_come_last() {
    let args = [
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--as-of",
        "2026-01-01",
    ];
    let o = labfit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    // Tencent Cloud's dedicated-hosts answer cannot move tenant isolation, already decided on
    // its other facts: it is tagged as confirming only, and says so instead of "50 → 50".
    let item = text
        .split("\n\n")
        .find(|b| b.contains("[q08] confirms only"))
        .unwrap_or_else(|| panic!("no confirming q08 item:\n{text}"));
    let item = item.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        item.contains("why: every check that reads it is already decided on other facts")
            && !item.contains("ctl.tenant_isolation"),
        "{item}"
    );
    for block in text.split("\n\n") {
        let flat = block.split_whitespace().collect::<Vec<_>>().join(" ");
        for w in flat.split([',', ';']) {
            let w: Vec<&str> = w.split_whitespace().collect();
            if let [.., from, "→", to, _] = w.as_slice() {
                assert_ne!(from, to, "a move that does not move: {flat}");
            }
        }
    }

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let o = labfit(&json_args);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let plain: Vec<f64> = v["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["gate"] == false)
        .map(|q| q["swing"].as_f64().unwrap())
        .collect();
    let first_zero = plain.iter().position(|&s| s < 0.05).unwrap();
    assert!(
        plain[first_zero..].iter().all(|&s| s < 0.05),
        "a question adding fit comes after one adding none: {plain:?}"
    );
}

#[test]
fn compare_json_written_as_rendered_is_the_same_on_stdout_and_in_a_file() {
    let d = scratch("stream");
    let file = d.join("cmp.json");
    let args = [
        "compare",
        "-p",
        "us-clinical-diagnostics",
        "examples/providers/aws.yaml",
        "examples/providers/tencent-cloud.yaml",
        "--format",
        "json",
        "--full",
        "--as-of",
        "2026-01-01",
    ];
    let o = labfit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut to_file = args.to_vec();
    let path = file.to_str().unwrap();
    to_file.extend(["-o", path]);
    let f = labfit(&to_file);
    assert_eq!(f.status.code(), Some(0), "{}", stderr(&f));
    let written = std::fs::read(&file).unwrap();
    assert_eq!(written, o.stdout);
    // The text the library renders whole, ending in one newline as every JSON output does.
    assert!(written.ends_with(b"}\n"));
    let v: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(v["ranking"].as_array().map(Vec::len), Some(2));
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    // A file that cannot be written is an input error, and nothing is left behind.
    let bad = d.join("missing").join("cmp.json");
    let mut to_bad = args.to_vec();
    let bad_path = bad.to_str().unwrap();
    to_bad.extend(["-o", bad_path]);
    let b = labfit(&to_bad);
    assert_eq!(b.status.code(), Some(2));
    assert!(stderr(&b).contains("cannot write"), "{}", stderr(&b));
}
