//! The malformed-input corpus (tests/data/invalid/): every case is run through the command
//! line, by every command that reads its kind of file, and must exit 2 with exactly one
//! diagnostic: the message, `file:line:col` and the hint written in its `.expect` sidecar,
//! nothing on stdout, no panic, no hang.
//!
//! A case is `DIR/NAME.expect` beside its input: `NAME.yaml` (evidence, profile, rule-tests),
//! the directory `NAME/` (a rule pack: catalog, vocabulary), or nothing at all (a missing
//! file). A sidecar holds `error:`, `at:` (absent when the problem is not inside a file) and
//! `help:` lines; `generate:` makes the input at test time instead of keeping megabytes in the
//! repository, and `{file}` then stands for its path.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = "tests/data/invalid";
/// A command that takes longer than this is treated as hung and killed.
const HANG: Duration = Duration::from_secs(20);

struct Case {
    name: String,
    input: String,
    error: String,
    at: Option<String>,
    help: String,
    /// How `labfit check` words it, where it differs (check knows a file only by its header).
    check: (Option<String>, Option<String>, Option<String>),
}

fn generate(kind: &str, name: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("invalid");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    let head = "labfit: evidence/v1\nid: corpus\nprovider: Corpus Cloud\nas_of: 2025-01-01\n";
    let text = match kind {
        "oversize" => {
            let mut t = String::from(head);
            t.push_str("notes:\n");
            while t.len() < labfit::input::source::MAX_INPUT_BYTES {
                t.push_str("  - a note that repeats until the file is over the cap\n");
            }
            t.truncate(labfit::input::source::MAX_INPUT_BYTES + 1);
            t
        }
        "nesting" => format!("{head}notes: {}\n", "[".repeat(1 << 20)),
        other => panic!("unknown generator `{other}`"),
    };
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn cases(kind: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(ROOT).join(kind);
    let mut sidecars: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expect"))
        .collect();
    sidecars.sort();
    sidecars
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).unwrap();
            let field = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}: ")))
                    .map(str::to_owned)
            };
            let rel = format!("{ROOT}/{kind}/{name}");
            let input = match field("generate") {
                Some(g) => generate(&g, &name),
                None if matches!(kind, "catalog" | "vocabulary") => rel,
                None => format!("{rel}.yaml"),
            };
            let fill = |s: String| s.replace("{file}", &input);
            Case {
                error: fill(field("error").unwrap_or_else(|| panic!("{name}: no error line"))),
                at: field("at").map(fill),
                help: fill(field("help").unwrap_or_else(|| panic!("{name}: no help line"))),
                check: (
                    field("check-error").map(fill),
                    field("check-at").map(fill),
                    field("check-help").map(fill),
                ),
                input,
                name,
            }
        })
        .collect()
}

/// Runs labfit, killing it if it hangs; returns (exit code, stdout, stderr, time taken).
fn run(args: &[&str]) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > HANG {
            child.kill().unwrap();
            panic!("labfit {args:?} hung for {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

fn check(kind: &str, commands: &dyn Fn(&str) -> Vec<Vec<String>>, min_cases: usize) {
    let cases = cases(kind);
    assert!(
        cases.len() >= min_cases,
        "{kind}: only {} cases",
        cases.len()
    );
    let mut slowest = (Duration::ZERO, String::new());
    for case in &cases {
        for args in commands(&case.input) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr, took) = run(&args);
            let what = format!("{kind}/{} via `labfit {}`", case.name, args.join(" "));
            if took > slowest.0 {
                slowest = (took, what.clone());
            }
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            assert_eq!(code, Some(2), "{what}: {stderr}");
            // `test` ends with its count line even when a file is refused; nothing else.
            let counted = args[0] == "test" && stdout.trim_end().ends_with(" passed, 0 failed");
            assert!(stdout.is_empty() || counted, "{what}: wrote {stdout}");
            let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
            assert_eq!(
                errors,
                [format!("error: {}", case.error)],
                "{what}:\n{stderr}"
            );
            match &case.at {
                Some(at) => assert!(stderr.contains(&format!("--> {at}\n")), "{what}:\n{stderr}"),
                None => assert!(!stderr.contains("-->"), "{what}:\n{stderr}"),
            }
            let helps: Vec<&str> = stderr.lines().filter(|l| l.contains("= help: ")).collect();
            assert_eq!(helps.len(), 1, "{what}:\n{stderr}");
            assert!(
                helps[0].ends_with(&format!("= help: {}", case.help)),
                "{what}:\n{stderr}"
            );
        }
    }
    eprintln!(
        "{kind}: {} cases; slowest {:.0} ms ({})",
        cases.len(),
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn malformed_evidence() {
    check(
        "evidence",
        &|f| {
            vec![
                args(&["score", "-p", "base-lab", "-e", f]),
                args(&["compare", "-p", "base-lab", "aws", f]),
            ]
        },
        40,
    );
}

#[test]
fn malformed_profiles() {
    check(
        "profile",
        &|f| {
            vec![
                args(&["score", "-p", f, "-e", "aws"]),
                args(&["compare", "-p", f, "aws"]),
            ]
        },
        30,
    );
}

/// Rule packs: `test` builds the engine first, so it meets the same error.
fn pack_commands(dir: &str) -> Vec<Vec<String>> {
    vec![
        args(&["score", "-p", "base-lab", "-e", "aws", "--rules", dir]),
        args(&["compare", "-p", "base-lab", "aws", "--rules", dir]),
        args(&["test", "--rules", dir]),
    ]
}

#[test]
fn malformed_catalogs() {
    check("catalog", &pack_commands, 25);
}

#[test]
fn malformed_vocabularies() {
    check("vocabulary", &pack_commands, 10);
}

#[test]
fn malformed_rule_tests() {
    check("rule-tests", &|f| vec![args(&["test", f])], 5);
}

/// `labfit check` lints files and packs without scoring: it must refuse every case too, with
/// the same diagnostic among its findings (or its own wording, given in the sidecar).
#[test]
fn check_refuses_every_case() {
    let mut total = 0;
    for kind in ["evidence", "profile", "catalog", "vocabulary", "rule-tests"] {
        for case in cases(kind) {
            let (code, stdout, stderr, _) = run(&["check", &case.input]);
            let out = format!("{stdout}{stderr}");
            let what = format!("{kind}/{} via `labfit check`", case.name);
            assert!(!out.contains("panicked"), "{what}: {out}");
            assert_eq!(code, Some(2), "{what}: {out}");
            let error = case.check.0.clone().unwrap_or_else(|| case.error.clone());
            let at = case.check.1.clone().or_else(|| case.at.clone());
            let help = case.check.2.clone().unwrap_or_else(|| case.help.clone());
            assert!(out.contains(&format!("error: {error}\n")), "{what}:\n{out}");
            if let Some(at) = at {
                assert!(out.contains(&format!("--> {at}\n")), "{what}:\n{out}");
            }
            assert!(out.contains(&format!("= help: {help}\n")), "{what}:\n{out}");
            total += 1;
        }
    }
    assert!(total >= 120, "{total}");
}

/// `labfit test FILE` on evidence and profiles (not rule-test files): refused with exit 2 and
/// one positioned diagnostic, never a panic.
#[test]
fn test_refuses_files_of_other_kinds() {
    for kind in ["evidence", "profile"] {
        for case in cases(kind) {
            let (code, _, stderr, _) = run(&["test", &case.input]);
            let what = format!("{kind}/{} via `labfit test`", case.name);
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            assert_eq!(code, Some(2), "{what}: {stderr}");
            let errors = stderr.lines().filter(|l| l.starts_with("error")).count();
            assert_eq!(errors, 1, "{what}:\n{stderr}");
            assert!(
                stderr.contains("--> ") || stderr.contains("cannot read"),
                "{what}:\n{stderr}"
            );
        }
    }
}

/// The same loaders in-process: each malformed input is refused well inside a second (the
/// command-line runs above also pay for process start and the built-in rules).
#[test]
fn each_refusal_is_quick() {
    let engine = labfit::Engine::builtin().unwrap();
    let mut slowest = (Duration::ZERO, String::new());
    for kind in ["evidence", "profile", "catalog", "vocabulary"] {
        for case in cases(kind) {
            let started = Instant::now();
            let failed = match kind {
                "evidence" => engine.evidence(&case.input).is_err(),
                "profile" => engine.profile(&case.input).is_err(),
                // Without the built-in pack, so the time is the refusal's own.
                _ => labfit::Engine::builder()
                    .without_builtin_rules()
                    .rules_dir(&case.input)
                    .build()
                    .is_err(),
            };
            let took = started.elapsed();
            assert!(failed, "{kind}/{} was accepted", case.name);
            assert!(
                took < Duration::from_secs(1),
                "{kind}/{} took {took:?}",
                case.name
            );
            if took > slowest.0 {
                slowest = (took, format!("{kind}/{}", case.name));
            }
        }
    }
    eprintln!(
        "slowest refusal in-process: {:.1} ms ({})",
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
}
