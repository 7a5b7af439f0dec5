//! Forms: what is written (formats, validation, protection, neutralised text) and reading a
//! filled one back from xlsx and CSV.

use crate::synth::{self, t, SynthCell, SynthSheet};
use labfit::answers::form::{self, AnswerType, FormError, FormQuestion, COLUMNS, SHEET};
use labfit::answers::grid::{Cell, Workbook};

use crate::util::{at, open, part};

fn questions() -> Vec<FormQuestion> {
    let q = |id: &str, fact: &str, text: &str, ty: AnswerType| FormQuestion {
        id: id.into(),
        fact: fact.into(),
        question: text.into(),
        answer_type: ty,
        current_value: None,
        current_status: Some("unknown".into()),
    };
    vec![
        q("Q1", "contract.baa", "Do you sign a BAA?", AnswerType::Bool),
        q(
            "Q2",
            "residency.region",
            "Where is data stored?",
            AnswerType::Enum(vec!["eu".into(), "us".into(), "cn".into()]),
        ),
        q(
            "Q3",
            "backup.rpo_hours",
            "=HYPERLINK(\"http://evil\",\"RPO?\")",
            AnswerType::Number,
        ),
        q(
            "Q4",
            "attest.soc2.date",
            "@SUM(1) date of the SOC 2 report?",
            AnswerType::Date,
        ),
        q("Q5", "notes.free", "-Anything else?", AnswerType::Text),
    ]
}

#[test]
fn the_xlsx_form_is_laid_out_and_guarded() {
    let bytes = form::write_xlsx(&questions()).unwrap();
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains(r#"state="frozen""#), "frozen header");
    assert!(sheet_xml.contains("<sheetProtection"), "protected");
    assert!(sheet_xml.contains("<dataValidation"), "validation lists");
    assert!(
        sheet_xml.contains(r#"<formula1>"Yes,No"</formula1>"#),
        "{sheet_xml}"
    );
    assert!(sheet_xml.contains(r#"<formula1>"eu,us,cn"</formula1>"#));
    assert!(sheet_xml.contains("<autoFilter"));
    assert!(!sheet_xml.contains("<f>"), "no formulas anywhere");
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"locked="0""#), "answer cells unlocked");
    assert!(styles.contains("<b/>"), "bold header");
    // Read back: header and neutralised text.
    let mut wb = open("form.xlsx", bytes);
    assert_eq!(wb.sheet_names(), [SHEET]);
    let s = wb.sheet(SHEET).unwrap();
    let header: Vec<String> = (0..11).map(|c| s.cell(0, c).display().unwrap()).collect();
    assert_eq!(header, COLUMNS);
    assert_eq!(
        s.cell(3, 2),
        &Cell::Text("'=HYPERLINK(\"http://evil\",\"RPO?\")".into())
    );
    assert_eq!(
        s.cell(4, 2),
        &Cell::Text("'@SUM(1) date of the SOC 2 report?".into())
    );
    assert_eq!(s.cell(5, 2), &Cell::Text("'-Anything else?".into()));
    assert_eq!(s.cell(1, 3).text(), Some("yes/no"));
    assert_eq!(s.cell(2, 4).text(), Some("eu; us; cn"));
    assert_eq!(s.cell(1, 6).text(), Some("unknown"));
}

#[test]
fn the_csv_form_is_neutralised_and_quoted() {
    let text = form::write_csv(&questions()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], COLUMNS.join(","));
    assert!(lines[3].starts_with("Q3,backup.rpo_hours,\"'=HYPERLINK(\"\"http://evil\"\",\"\"RPO?\"\")\",number,a number,,unknown,,,"), "{}", lines[3]);
    assert!(lines[5].contains(",'-Anything else?,"), "{}", lines[5]);
    assert!(text.ends_with("\r\n"));
}

fn filled(rows: &[[&str; 4]]) -> SynthSheet {
    // Question ID, then Answer, Document, Notes at their columns.
    let mut s = SynthSheet::text(SHEET, &[&COLUMNS]);
    for (i, [id, answer, doc, notes]) in rows.iter().enumerate() {
        s.set(i + 1, 0, t(id));
        s.set(i + 1, 7, t(answer));
        s.set(i + 1, 8, t(doc));
        s.set(i + 1, 10, t(notes));
    }
    s
}

#[test]
fn a_filled_xlsx_form_reads_back() {
    let mut s = filled(&[
        ["Q1", "Yes", "baa.pdf", ""],
        ["Q2", "EU", "", "Frankfurt"],
        ["Q3", "", "", ""],
        ["Q4", "", "soc2.pdf", ""],
        ["Q5", "'=all good", "", "'-none"],
    ]);
    s.set(3, 7, SynthCell::Number(24.0));
    s.set(4, 7, SynthCell::Number(46_112.0));
    let mut wb = open("filled.xlsx", synth::xlsx(&[s]).unwrap());
    let f = form::read(&mut wb, &questions()).unwrap();
    assert!(f.rejected.is_empty(), "{:#?}", f.rejected);
    let got: Vec<(&str, Option<&str>)> = f
        .answers
        .iter()
        .map(|a| (a.question_id.as_str(), a.answer.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("Q1", Some("yes")),
            ("Q2", Some("eu")),
            ("Q3", Some("24")),
            ("Q4", Some("2026-03-31")),
            ("Q5", Some("=all good"))
        ]
    );
    assert_eq!(f.answers[0].document.as_deref(), Some("baa.pdf"));
    assert_eq!(f.answers[1].notes.as_deref(), Some("Frankfurt"));
    assert_eq!(f.answers[4].notes.as_deref(), Some("-none"));
    assert!(!f.answers[0].document_checked);
    at(&f.answers[0].position, "filled.xlsx", SHEET, "H2");
}

#[test]
fn bad_answers_are_rejected_with_positions() {
    let s = filled(&[
        ["Q1", "maybe", "", ""],
        ["Q2", "mars", "", ""],
        ["Q3", "24h", "", ""],
        ["Q4", "31.03.2026", "", ""],
        ["Q9", "Yes", "", ""],
        ["Q1", "No", "", ""],
        ["", "orphan", "", ""],
    ]);
    let mut wb = open("filled.xlsx", synth::xlsx(&[s]).unwrap());
    let f = form::read(&mut wb, &questions()).unwrap();
    let bad: Vec<String> = f
        .rejected
        .iter()
        .map(|r| format!("{} {}", r.position.cell_ref(), r.message))
        .collect();
    assert_eq!(
        bad,
        [
            "H2 `maybe` is not yes or no",
            "H3 `mars` is not one of the allowed values",
            "H4 `24h` is not a number",
            "H5 `31.03.2026` is not a date as YYYY-MM-DD",
            "A6 question `Q9` was not asked in this form",
            "A7 question `Q1` appears twice (first in A2)",
            "H8 the row has an answer but no question id",
        ]
    );
    // The rejected answers still leave their rows, unanswered.
    assert_eq!(f.answers.len(), 4);
    assert!(f.answers.iter().all(|a| a.answer.is_none()));
}

#[test]
fn a_filled_csv_form_reads_back_with_moved_columns_and_document_checked() {
    let text = "Notes,Answer,Question ID,Document,Document checked\r\nok,No,Q1,baa.pdf,yes\r\n,us,Q2,,\r\n";
    let mut wb = Workbook::open("filled.csv", text.as_bytes().to_vec()).unwrap();
    let f = form::read(&mut wb, &questions()).unwrap();
    assert!(f.rejected.is_empty());
    assert_eq!(f.answers[0].answer.as_deref(), Some("no"));
    assert!(f.answers[0].document_checked);
    assert!(!f.answers[1].document_checked);
    at(&f.answers[1].position, "filled.csv", "filled", "B3");
}

#[test]
fn the_written_csv_form_reads_back_unanswered() {
    let text = form::write_csv(&questions()).unwrap();
    let mut wb = Workbook::open("form.csv", text.into_bytes()).unwrap();
    let f = form::read(&mut wb, &questions()).unwrap();
    assert_eq!(f.answers.len(), 5);
    assert!(f.rejected.is_empty() && f.answers.iter().all(|a| a.answer.is_none()));
}

#[test]
fn a_form_without_its_columns_or_sheet() {
    let mut wb = open(
        "x.xlsx",
        synth::xlsx(&[SynthSheet::text(
            SHEET,
            &[&["Question ID", "Answer", "Document"]],
        )])
        .unwrap(),
    );
    let e = form::read(&mut wb, &questions()).unwrap_err();
    let FormError::Layout(r) = &e else {
        panic!("{e:?}")
    };
    at(&r.position, "x.xlsx", SHEET, "D1");
    assert_eq!(r.message, "the header row has no `Notes` column");
    let mut wb = open(
        "x.xlsx",
        synth::xlsx(&[SynthSheet::text("Question", &[&["x"]])]).unwrap(),
    );
    let e = form::read(&mut wb, &questions()).unwrap_err();
    assert_eq!(
        e.hint().as_deref(),
        Some("did you mean `Question`? the sheet may have been renamed")
    );
}

#[test]
fn overlong_text_is_an_error_not_a_truncation() {
    let mut q = questions();
    q[0].question = "x".repeat(40_000);
    let e = form::write_xlsx(&q).unwrap_err();
    assert!(e.to_string().contains("row 2, column C"), "{e}");
}
