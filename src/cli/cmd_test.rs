//! `labfit test`: runs rule test files and reports `N passed, N failed`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;

use labfit::authoring::testing;
use labfit::SourceFile;

use super::{output, report_error, Exit, RulesArgs};

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test files or directories (default: the built-in tests and those of every --rules pack)
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Also list the leaf requirements no rule case tests, and those whose passing or
    /// non-passing outcome no case exercises (of the --rules packs, else of the built-in pack)
    #[arg(long)]
    pub coverage: bool,
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out);
            } else if matches!(e.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
                if let Ok(text) = std::fs::read_to_string(&e) {
                    if text
                        .lines()
                        .any(|l| l.trim() == format!("labfit: {}", testing::KIND))
                    {
                        out.push(e);
                    }
                }
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

pub fn run(a: &TestArgs) -> Exit {
    let engine = match a.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let mut files: Vec<SourceFile> = Vec::new();
    if a.paths.is_empty() {
        files.extend(engine.rule_test_files().iter().cloned());
        for d in &a.rules.rules {
            let mut found = Vec::new();
            collect(&d.join("tests"), &mut found);
            for p in found {
                match SourceFile::read(&p) {
                    Ok(f) => files.push(f),
                    Err(e) => return report_error(&e.into()),
                }
            }
        }
    } else {
        let mut found = Vec::new();
        for p in &a.paths {
            collect(p, &mut found);
        }
        for p in found {
            match SourceFile::read(&p) {
                Ok(f) => files.push(f),
                Err(e) => return report_error(&e.into()),
            }
        }
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut bad_input = false;
    let mut text = String::new();
    let mut all = Vec::new();
    for f in &files {
        let results = match testing::run_file(&engine, f) {
            Ok(r) => r,
            Err(e) => {
                // Show it, and go on with the other files.
                let _ = output::write(None, &text);
                text.clear();
                report_error(&e);
                bad_input = true;
                continue;
            }
        };
        for r in results {
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
                let _ = writeln!(text, "FAIL {}  {}", r.location, r.name);
                for m in &r.failures {
                    let _ = writeln!(text, "     {:<10} expected  {}", m.what, m.expected);
                    let _ = writeln!(text, "     {:<10} got       {}", "", m.got);
                }
            }
            all.push(r);
        }
    }
    if a.coverage {
        let packs: Vec<String> = if a.rules.rules.is_empty() {
            vec!["builtin".to_owned()]
        } else {
            a.rules
                .rules
                .iter()
                .map(|d| labfit::input::source::display_path(d))
                .collect()
        };
        let c = testing::coverage(&engine, &all, &packs);
        let tested = c.leaves - c.untested.len();
        let _ = writeln!(
            text,
            "coverage: {tested} of {} leaf requirements have a rule case ({})",
            c.leaves,
            packs.join(", ")
        );
        for (label, ids) in [
            ("no case", &c.untested),
            ("never passes", &c.never_pass),
            ("never fails", &c.never_other),
        ] {
            for id in ids.iter() {
                let _ = writeln!(text, "  {label:<13} {id}");
            }
        }
    }
    let _ = writeln!(text, "{passed} passed, {failed} failed");
    if let Err(e) = output::write(None, &text) {
        output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    if bad_input {
        Exit::Input
    } else if failed > 0 {
        Exit::Threshold
    } else {
        Exit::Ok
    }
}
