//! docs/writing-rules.md and docs/weights.md cannot go stale: every file a guide shows must
//! equal the file in the repository, and every `console` block is run (in a scratch copy of the
//! guide's example, after the `diff` block before it is applied) and its shown lines must appear in the output, in order
//! (`…` stands for lines left out). Commands after a planted error must exit 2, after a planted
//! warning 1 with `--deny-warnings` (else 0), the others 0.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A guide and the example directory its commands run in.
#[derive(Clone, Copy)]
struct Guide {
    path: &'static str,
    example: &'static str,
}

const RULES: Guide = Guide {
    path: "docs/writing-rules.md",
    example: "examples/us-residency",
};

const WEIGHTS: Guide = Guide {
    path: "docs/weights.md",
    example: "examples/workshop",
};

struct Block {
    lang: String,
    line: usize,
    file: Option<String>,
    body: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut file = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        if let Some(rest) = l.strip_prefix("<!-- file: ") {
            file = Some(rest.trim_end_matches(" -->").trim().to_owned());
            continue;
        }
        let Some(lang) = l.strip_prefix("```") else {
            continue;
        };
        let mut body = Vec::new();
        for (_, b) in lines.by_ref() {
            if b.starts_with("```") {
                break;
            }
            body.push(b.to_owned());
        }
        out.push(Block {
            lang: lang.trim().to_owned(),
            line: i + 1,
            file: file.take(),
            body,
        });
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn scratch(root: &Path, g: Guide, n: usize) -> PathBuf {
    let name = Path::new(g.example).file_name().unwrap().to_string_lossy();
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("guide-{name}-{n}"));
    let _ = std::fs::remove_dir_all(&d);
    copy_dir(&root.join(g.example), &d.join(g.example));
    d
}

/// Applies a diff block: `--- PATH`, then the `-` lines are replaced by the `+` lines.
fn apply(dir: &Path, g: Guide, diff: &Block) {
    let path = diff.body[0]
        .strip_prefix("--- ")
        .expect("a diff starts with `--- PATH`");
    let old: Vec<&str> = diff.body[1..]
        .iter()
        .filter_map(|l| l.strip_prefix('-'))
        .collect();
    let new: Vec<&str> = diff.body[1..]
        .iter()
        .filter_map(|l| l.strip_prefix('+'))
        .collect();
    let p = dir.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    let old = old.join("\n");
    assert!(
        text.contains(&old),
        "{}:{}: `{old}` is not in {path}",
        g.path,
        diff.line
    );
    std::fs::write(&p, text.replacen(&old, &new.join("\n"), 1)).unwrap();
}

fn run(dir: &Path, g: Guide, block: &Block, after_mistake: bool) -> usize {
    let mut runs = 0;
    let mut i = 0;
    while i < block.body.len() {
        let Some(cmd) = block.body[i].strip_prefix("$ ") else {
            i += 1;
            continue;
        };
        let expected: Vec<&str> = block.body[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("$ "))
            .map(|l| l.trim_end())
            .filter(|l| *l != "…")
            .collect();
        let mut words = cmd.split_whitespace();
        assert_eq!(
            words.next(),
            Some("labfit"),
            "{}:{}: {cmd}",
            g.path,
            block.line
        );
        let o = Command::new(env!("CARGO_BIN_EXE_labfit"))
            .args(words)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let got = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        // A planted error exits 2; a planted warning exits 0, or 1 when warnings are denied.
        let want_code = if !after_mistake {
            0
        } else if expected.iter().any(|l| l.starts_with("error:")) {
            2
        } else if cmd.contains("--deny-warnings") {
            1
        } else {
            0
        };
        assert_eq!(
            o.status.code(),
            Some(want_code),
            "{}:{}: `{cmd}` exited {:?}:\n{got}",
            g.path,
            block.line,
            o.status.code()
        );
        let mut lines = got.lines().map(str::trim_end);
        for want in &expected {
            assert!(
                lines.any(|l| l == *want),
                "{}:{}: `{cmd}` did not print (in this order)\n{want}\n--- it printed:\n{got}",
                g.path,
                block.line
            );
        }
        runs += 1;
        i += 1 + expected.len();
    }
    runs
}

/// Runs a guide; returns (files shown, commands run, planted mistakes).
fn run_guide(g: Guide) -> (usize, usize, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(g.path)).unwrap();
    let all = blocks(&text);
    let (mut files, mut commands, mut mistakes) = (0, 0, 0);
    let mut pending: Option<&Block> = None;
    for (n, b) in all.iter().enumerate() {
        if let Some(f) = &b.file {
            let on_disk = std::fs::read_to_string(root.join(f)).unwrap();
            let shown = b.body.join("\n") + "\n";
            assert_eq!(
                shown, on_disk,
                "{}:{}: the guide's {f} differs from the file",
                g.path, b.line
            );
            files += 1;
        }
        match b.lang.as_str() {
            "diff" => pending = Some(b),
            "console" => {
                let dir = scratch(root, g, n);
                if let Some(d) = pending.take() {
                    apply(&dir, g, d);
                    mistakes += 1;
                    commands += run(&dir, g, b, true);
                } else {
                    commands += run(&dir, g, b, false);
                }
            }
            _ => {}
        }
    }
    (files, commands, mistakes)
}

#[test]
fn the_writing_rules_guide_runs_as_written() {
    let (files, commands, mistakes) = run_guide(RULES);
    // The guide shows the example's six files, its commands, and the planted mistakes.
    assert_eq!(files, 6);
    assert!(commands >= 12, "{commands}");
    assert_eq!(mistakes, 7);
}

#[test]
fn the_weighting_workshop_runs_as_written() {
    let (files, commands, mistakes) = run_guide(WEIGHTS);
    // The committee's profile, the workshop's commands, and one contradictory judgement.
    assert_eq!(files, 1);
    assert!(commands >= 4, "{commands}");
    assert_eq!(mistakes, 1);
}

/// A directory laid out like a fresh clone for the README's and docs' examples: the example
/// providers (linked), and `tencent-after-call.yaml`, the copy of Tencent Cloud's evidence with
/// a call's answer (a business associate agreement offered) that the `diff` examples compare.
fn fresh_clone(root: &Path) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-examples");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("examples"), d.join("examples")).unwrap();
    #[cfg(not(unix))]
    copy_dir(&root.join("examples"), &d.join("examples"));
    let tencent =
        std::fs::read_to_string(root.join("examples/providers/tencent-cloud.yaml")).unwrap();
    let mut after = String::new();
    let mut skipping = false;
    for line in tencent.lines() {
        if line.starts_with("  contract.baa:") {
            after.push_str(
                "  contract.baa: {value: true, status: claimed, note: \"offered on the call\"}\n",
            );
            skipping = true;
            continue;
        }
        // The entry's continuation lines are indented deeper than its key.
        if skipping && line.starts_with("    ") {
            continue;
        }
        skipping = false;
        after.push_str(line);
        after.push('\n');
    }
    assert!(
        after.contains("offered on the call"),
        "tencent-cloud.yaml lost its contract.baa entry"
    );
    std::fs::write(d.join("tencent-after-call.yaml"), after).unwrap();
    d
}

/// Every `console` block of the README and of docs/reports.md is run by trycmd as written:
/// each `$ labfit …` line, in order, in one directory laid out like a fresh clone, must exit 0
/// (or the `? N` shown) and print what is shown (`...` for lines left out, `[..]` for part of a
/// line). A renamed flag, subcommand or output line breaks this test, not a newcomer.
#[test]
fn the_readme_and_the_report_guide_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = fresh_clone(root);
    // trycmd runs a Markdown file's commands in the current directory. No other test in this
    // binary depends on it (each runs its commands in a directory of its own, by full path).
    std::env::set_current_dir(&dir).unwrap();
    trycmd::TestCases::new()
        .register_bin("labfit", Path::new(env!("CARGO_BIN_EXE_labfit")))
        .env("NO_COLOR", "1")
        .case(root.join("README.md"))
        .case(root.join("docs/reports.md"));
}

/// The README's first block, the two commands on its first screen: `cargo run --release --
/// ARGS` runs labfit with ARGS on the built-in data (run here through the test's own build),
/// and `cargo test` is what CI runs after fmt, clippy and cargo-deny (`.ci/run`).
#[test]
fn the_readme_first_screen_is_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let first = blocks(&readme).into_iter().next().unwrap();
    assert_eq!(first.lang, "sh");
    let commands: Vec<&str> = first
        .body
        .iter()
        .map(|l| l.split(" #").next().unwrap().trim())
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let args = commands[0]
        .strip_prefix("cargo run --release -- ")
        .expect("the first command runs the release build");
    let o = Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args.split_whitespace())
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("10 providers") && out.contains("Summary"),
        "{out}"
    );
    assert_eq!(commands[1], "cargo test");
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.lines().last().is_some_and(|l| l.trim() == "cargo test"),
        "{ci}"
    );
    for step in [
        "cargo fmt --all -- --check",
        "cargo clippy --all-targets -- -D warnings",
        "cargo deny check licenses bans sources",
    ] {
        assert!(ci.contains(step), "CI no longer runs `{step}`");
    }
    // The first screen names what a fresh clone needs.
    let screen: String = readme.lines().take(25).collect::<Vec<_>>().join("\n");
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let msrv = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    for want in [
        format!("Rust {msrv} or newer"),
        "minutes on 2 cores".to_owned(),
        "`chromium`".to_owned(),
        "`poppler-utils`".to_owned(),
        "`libxml2-utils`".to_owned(),
        "cargo deny".to_owned(),
    ] {
        assert!(
            screen.contains(&want),
            "the README's first screen lacks {want:?}"
        );
    }
}
