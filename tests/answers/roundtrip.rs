//! The round trip a lab makes: `labfit questions --format xlsx` writes the form, the provider
//! fills it in (a Yes backed by a document the lab checked, a "No", a number, a wrong type and
//! a row with an unknown id), `labfit import answers` merges it, and the score moves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use labfit::answers::grid::{Cell, Workbook};
use labfit::engine::import::{ImportSpec, Questionnaire};
use labfit::{Date, Engine, Evidence, FactValue, GateState, Options, SourceFile, Status, Verdict};

use crate::synth::{self, t, SynthCell, SynthSheet};

const PROFILE: &str = "us-clinical-diagnostics";
const PROVIDER: &str = "tencent-cloud";
const AS_OF: &str = "2026-03-01";
const ANSWERED: &str = "2026-03-02";

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn options() -> Options {
    Options {
        as_of: Some(date(AS_OF)),
        assumptions: Vec::new(),
    }
}

/// The form as the provider returns it: every cell as written, and the answers filled in.
/// `answers` gives, per question id, the Answer, Document and Document checked cells.
fn fill(form: Vec<u8>, answers: &[(&str, SynthCell, &str, &str)], extra: &[&str]) -> Vec<u8> {
    let mut wb = Workbook::open("form.xlsx", form).unwrap();
    let sheet = wb.sheet("Questions").unwrap();
    let mut out = SynthSheet {
        name: sheet.name.clone(),
        ..SynthSheet::default()
    };
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let v = match cell {
                Cell::Text(s) => SynthCell::Text(s.clone()),
                Cell::Number(n) => SynthCell::Number(*n),
                _ => SynthCell::Empty,
            };
            out.set(r, c, v);
        }
    }
    for (id, answer, doc, checked) in answers {
        let row = (1..sheet.height())
            .find(|&r| sheet.cell(r, 0).text() == Some(id))
            .unwrap_or_else(|| panic!("the form asks no `{id}`"));
        out.set(row, 7, answer.clone());
        out.set(row, 8, t(doc));
        out.set(row, 9, t(checked));
    }
    for (i, id) in extra.iter().enumerate() {
        let row = sheet.height() + i;
        out.set(row, 0, t(id));
        out.set(row, 7, t("Yes"));
    }
    synth::xlsx(&[out]).unwrap()
}

fn row_of(form: &[u8], id: &str) -> u32 {
    let mut wb = Workbook::open("form.xlsx", form.to_vec()).unwrap();
    let sheet = wb.sheet("Questions").unwrap();
    let r = (1..sheet.height())
        .find(|&r| sheet.cell(r, 0).text() == Some(id))
        .unwrap();
    u32::try_from(r).unwrap() + 1
}

fn provider_answers(form: Vec<u8>) -> Vec<u8> {
    fill(
        form,
        &[
            (
                "q14.contract.baa",
                t("Yes"),
                "tencent-baa-signed.pdf",
                "Yes",
            ),
            ("q14.contract.baa_services_listed", t("yes"), "", ""),
            ("q17.export.bulk_all_data", t("No"), "", ""),
            (
                "q16.storage.retention_lock_years",
                SynthCell::Number(7.0),
                "",
                "",
            ),
            ("q15.exit.retrieval_window_days", t("ninety"), "", ""),
            // A country in words is no code: taken, it would match no rule and pass.
            ("q18.support.countries", t("Singapore, China"), "", ""),
            ("q06.subprocessors.countries", t("none"), "", ""),
        ],
        &["q99.no.such.question"],
    )
}

#[test]
fn write_fill_import_and_the_score_moves() {
    let engine = Engine::builtin().unwrap();
    let profile = engine.profile(PROFILE).unwrap();
    let evidence = engine.evidence(PROVIDER).unwrap();
    let before = engine.score(&profile, &evidence, &options());
    assert!(before.questions.iter().any(|q| &*q.fact == "contract.baa"));

    let form = engine.form(&before, true).unwrap();
    let filled = provider_answers(form.clone());
    let imported = engine
        .import(ImportSpec {
            file: "tencent-answers.xlsx",
            bytes: filled,
            questionnaire: Questionnaire::Form,
            base: evidence.clone(),
            date: date(ANSWERED),
        })
        .unwrap();

    // The evidence: the three good answers, with their status and source.
    let e = &imported.evidence;
    let baa = &e.facts["contract.baa"];
    assert_eq!(
        (baa.value.clone(), baa.status),
        (Some(FactValue::Bool(true)), Status::Verified)
    );
    assert_eq!(baa.source.as_deref(), Some("answers-2026-03-02"));
    assert!(baa
        .note
        .as_deref()
        .unwrap()
        .contains("tencent-baa-signed.pdf"));
    let export = &e.facts["export.bulk_all_data"];
    assert_eq!(
        (export.value.clone(), export.status),
        (Some(FactValue::Bool(false)), Status::Claimed)
    );
    assert_eq!(
        e.facts["storage.retention_lock_years"].value,
        Some(FactValue::Integer(7))
    );
    let src = &e.sources["answers-2026-03-02"];
    assert_eq!(src.date, Some(date(ANSWERED)));
    assert_eq!(src.sha256.as_ref().map(String::len), Some(64));
    assert!(src
        .title
        .as_deref()
        .unwrap()
        .contains("tencent-answers.xlsx"));
    // The wrong type left its fact as it was; so did every unanswered question.
    assert_eq!(
        e.facts.get("exit.retrieval_window_days"),
        evidence.facts.get("exit.retrieval_window_days")
    );
    let untouched = evidence
        .facts
        .keys()
        .filter(|k| {
            ![
                "contract.baa",
                "contract.baa_services_listed",
                "export.bulk_all_data",
                "storage.retention_lock_years",
                "subprocessors.countries",
            ]
            .contains(&k.as_str())
        })
        .all(|k| e.facts[k] == evidence.facts[k]);
    assert!(untouched);

    // The history: who said what, when.
    let old = &evidence.facts["contract.baa"];
    assert_eq!(baa.history.len(), 1);
    let h = &baa.history[0];
    assert_eq!((h.value.clone(), h.status), (old.value.clone(), old.status));
    assert_eq!(h.source, old.source);
    assert_eq!(h.note, old.note);
    assert_eq!(h.as_of, evidence.fact_date(old));
    assert_eq!(h.superseded, date(ANSWERED));

    // The rejected cells, by row and column; nothing accepted was lost because of them.
    let rejected: Vec<String> = imported
        .answers
        .rejected
        .iter()
        .map(|r| format!("{} {}", r.position.cell_ref(), r.message))
        .collect();
    let wrong = row_of(&form, "q15.exit.retrieval_window_days");
    let words = row_of(&form, "q18.support.countries");
    let unknown =
        u32::try_from(before.questions.iter().filter(|q| !q.settled).count()).unwrap() + 2;
    assert_eq!(
        rejected,
        [
            format!("H{wrong} `ninety` is not a whole number"),
            format!(
                "H{words} `Singapore` is not one of AD, AE, AF, … (the 249 values the vocabulary lists for it)"
            ),
            format!("A{unknown} question `q99.no.such.question` is not one of labfit's questions"),
        ]
    );
    assert_eq!(imported.answers.settings.len(), 5);
    // `none` is the empty list.
    assert_eq!(
        e.facts["subprocessors.countries"].value,
        Some(FactValue::List(Vec::new()))
    );
    assert_eq!(
        e.facts.get("support.countries"),
        evidence.facts.get("support.countries")
    );

    // The YAML is the provider's file with those facts replaced, and reads back as the result.
    let yaml = &imported.yaml;
    assert!(yaml.contains("# q14"), "the file's comments are kept");
    let back = Evidence::parse(
        &SourceFile::from_text("tencent-new.yaml", yaml.as_str()),
        engine.vocabulary(),
    )
    .unwrap();
    assert_eq!(back.facts, e.facts);
    assert_eq!(back.sources, e.sources);

    // The score's movement: the verified BAA raises the fit and settles its must-have; the
    // provider's "No" to bulk export fails the retention must-have, so the verdict falls.
    let after = engine.score(&profile, &back, &options());
    let one = |x: f64| format!("{x:.1}");
    assert_eq!(
        [before.fit, after.fit, before.potential, after.potential].map(one),
        ["16.0", "32.9", "93.7", "88.0"]
    );
    assert_eq!(
        after.gate("hipaa.baa").map(|g| g.state),
        Some(GateState::Met)
    );
    assert_eq!(
        after.gate("clia.retention_general").map(|g| g.state),
        Some(GateState::Failed)
    );
    assert_eq!(after.verdict, Verdict::Ineligible);
    assert!(after.questions.iter().all(|q| &*q.fact != "contract.baa"));
    assert!(after
        .questions
        .iter()
        .any(|q| &*q.fact == "exit.retrieval_window_days"));
}

fn labfit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_round_trip_on_the_command_line() {
    let dir = scratch("answers-roundtrip");
    let base = ["-p", PROFILE, "-e", PROVIDER, "--as-of", AS_OF];
    let o = labfit(
        &dir,
        &[
            &["questions"],
            &base[..],
            &["--format", "xlsx", "-o", "form.xlsx"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let form = std::fs::read(dir.join("form.xlsx")).unwrap();
    std::fs::write(dir.join("filled.xlsx"), provider_answers(form)).unwrap();

    let o = labfit(
        &dir,
        &[
            "import",
            "answers",
            "filled.xlsx",
            "-e",
            PROVIDER,
            "-o",
            "tencent-new.yaml",
            "--date",
            ANSWERED,
        ],
    );
    let (out, err) = text(&o);
    // A rejected cell is bad input: exit 2, with the accepted answers still written.
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(out.contains("set contract.baa = true (verified)"), "{out}");
    assert!(
        out.contains("set export.bulk_all_data = false (claimed)"),
        "{out}"
    );
    assert!(
        err.contains("error: filled.xlsx: sheet `Questions`, row "),
        "{err}"
    );
    assert!(err.contains(", column H (H"), "{err}");
    assert!(err.contains("`ninety` is not a whole number"), "{err}");
    assert!(
        err.contains("`q99.no.such.question` is not one of labfit's questions"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    // The written evidence is clean, and `diff` shows what each answer replaced.
    let o = labfit(&dir, &["check", "tencent-new.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let o = labfit(
        &dir,
        &[
            &["diff", PROVIDER, "tencent-new.yaml"],
            &base[..2],
            &["--as-of", AS_OF],
        ]
        .concat(),
    );
    let (out, _) = text(&o);
    assert!(out.contains("verdict    conditional → ineligible"), "{out}");
    assert!(out.contains("fit         16.0 →  32.9  (+16.8)"), "{out}");
    assert!(out.contains("potential   93.7 →  88.0  (-5.7)"), "{out}");
    assert!(out.contains("changed  contract.baa"), "{out}");
    assert!(out.contains("history: unknown, source `hipaa`"), "{out}");
    assert!(out.contains("superseded on 2026-03-02 by"), "{out}");

    // The CSV form makes the same round trip.
    let o = labfit(
        &dir,
        &[
            &["questions"],
            &base[..],
            &["--format", "csv", "-o", "form.csv"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0));
    let csv = std::fs::read_to_string(dir.join("form.csv")).unwrap();
    let filled: String = csv
        .split_inclusive("\r\n")
        .map(|l| {
            if l.starts_with("q14.contract.baa,") {
                l.replacen(",,,,\r\n", ",Yes,,,will sign the BAA\r\n", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(dir.join("filled.csv"), filled).unwrap();
    let o = labfit(
        &dir,
        &[
            "import",
            "answers",
            "filled.csv",
            "-e",
            PROVIDER,
            "--date",
            ANSWERED,
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains("contract.baa:\n    value: true\n    status: claimed\n"),
        "{out}"
    );
    assert!(out.contains("note: will sign the BAA"), "{out}");
    assert!(err.contains("1 fact set"), "{err}");
}
