//! CAIQ v4: the synthetic workbook read back, then each malformed variant.

use crate::synth::{self, caiq_sheet, t, SynthCell, SynthSheet, CAIQ_ROWS};
use labfit::answers::caiq::{self, Answer, CaiqError, Ownership};
use labfit::answers::grid::{GridError, Workbook};

use crate::util::{at, open};

const FILE: &str = "vendor-caiq.xlsx";
const SHEET: &str = "CAIQv4.0.3";

fn read(sheets: &[SynthSheet]) -> Result<caiq::Caiq, CaiqError> {
    caiq::read(&mut open(FILE, synth::xlsx(sheets).unwrap()))
}

#[test]
fn reads_the_template() {
    let c = caiq::read(&mut open(FILE, synth::caiq_workbook(&CAIQ_ROWS).unwrap())).unwrap();
    assert_eq!(c.version, "4.0.3");
    assert_eq!(
        c.title.as_deref(),
        Some("Consensus Assessments Initiative Questionnaire v4.0.3")
    );
    assert!(c.rejected.is_empty(), "{:#?}", c.rejected);
    let got: Vec<(&str, Answer, Option<Ownership>)> = c
        .answers
        .iter()
        .map(|a| (a.id.as_str(), a.answer, a.ownership))
        .collect();
    assert_eq!(
        got,
        [
            ("A&A-01.1", Answer::Yes, Some(Ownership::CspOwned)),
            ("A&A-01.2", Answer::No, Some(Ownership::SharedCspCsc)),
            ("A&A-02.1", Answer::Na, Some(Ownership::CscOwned)),
            ("AIS-01.1", Answer::Unanswered, None),
            (
                "CEK-03.1",
                Answer::Yes,
                Some(Ownership::ThirdPartyOutsourced)
            ),
            (
                "DSP-05.1",
                Answer::Yes,
                Some(Ownership::SharedCspThirdParty)
            ),
            ("I&S-01.1", Answer::No, Some(Ownership::CspOwned)),
            ("STA-09.1", Answer::Yes, Some(Ownership::CspOwned)),
        ]
    );
    let first = &c.answers[0];
    at(&first.position, FILE, SHEET, "C3");
    assert_eq!(
        first.description.as_deref(),
        Some("Audit policies are reviewed yearly.")
    );
    // Text that looks like a formula is read as the text it is.
    assert_eq!(c.answers[2].description.as_deref(), Some("=not applicable"));
    at(&c.answers[7].position, FILE, SHEET, "C10");
}

#[test]
fn reads_csv_too() {
    let rows: Vec<String> = {
        let mut v = vec![
            String::from("CAIQ v4.0.3"),
            caiq::HEADERS
                .iter()
                .map(|h| h.unwrap_or(""))
                .collect::<Vec<_>>()
                .join(","),
        ];
        v.push("A&A-01.1,Is it?,Yes,CSP-owned,\"Yes, yearly\",,,,A&A-01,,,".into());
        v.push("A&A-01.2,Is it?,maybe,,,,,,A&A-01,,,".into());
        v.join("\r\n").lines().map(str::to_owned).collect()
    };
    let mut wb = Workbook::open("caiq.csv", rows.join("\r\n").into_bytes()).unwrap();
    let c = caiq::read(&mut wb).unwrap();
    assert_eq!(c.version, "4.0.3");
    assert_eq!(c.answers.len(), 1);
    assert_eq!(c.answers[0].description.as_deref(), Some("Yes, yearly"));
    assert_eq!(c.rejected.len(), 1);
    at(&c.rejected[0].position, "caiq.csv", "caiq", "C4");
}

#[test]
fn a_missing_header_stops_the_sheet_with_its_position() {
    let mut s = caiq_sheet(SHEET, &CAIQ_ROWS);
    s.set(1, 2, SynthCell::Empty);
    let Err(CaiqError::Layout(problems)) = read(&[s]) else {
        panic!()
    };
    assert_eq!(problems.len(), 1);
    at(&problems[0].position, FILE, SHEET, "C2");
    assert_eq!(
        problems[0].message,
        "expected the header `CSP CAIQ Answer`, found an empty cell"
    );
    assert!(problems[0].hint.is_some());
}

#[test]
fn header_whitespace_counts_and_says_so() {
    let mut s = caiq_sheet(SHEET, &CAIQ_ROWS);
    // The double space of column F, written as one.
    s.set(1, 5, t("CSC Responsibilities (Optional/Recommended)"));
    let Err(e @ CaiqError::Layout(_)) = read(&[s]) else {
        panic!()
    };
    let CaiqError::Layout(p) = &e else {
        unreachable!()
    };
    at(&p[0].position, FILE, SHEET, "F2");
    assert!(
        e.hint().unwrap().contains("spaces and case count"),
        "{:?}",
        e.hint()
    );
    assert!(
        e.to_string().starts_with(
            "1 header problem in row 2, the first: vendor-caiq.xlsx: sheet `CAIQv4.0.3`, row 2, column F (F2): "
        ),
        "{e}"
    );
}

#[test]
fn an_inserted_column_is_named() {
    let mut s = caiq_sheet(SHEET, &CAIQ_ROWS);
    for row in &mut s.rows {
        row.insert(1, SynthCell::Empty);
    }
    let Err(CaiqError::Layout(p)) = read(&[s]) else {
        panic!()
    };
    at(&p[0].position, FILE, SHEET, "B2");
    assert!(
        p.iter()
            .any(|r| r.hint.as_deref().is_some_and(|h| h.contains("inserted"))),
        "{p:#?}"
    );
}

#[test]
fn a_text_in_the_empty_columns_is_a_layout_problem() {
    let mut s = caiq_sheet(SHEET, &CAIQ_ROWS);
    s.set(1, 6, t("Notes"));
    let Err(CaiqError::Layout(p)) = read(&[s]) else {
        panic!()
    };
    at(&p[0].position, FILE, SHEET, "G2");
}

#[test]
fn a_merged_header_is_an_error_at_its_position() {
    let s = caiq_sheet(SHEET, &CAIQ_ROWS).merge(1, 2, 1, 3);
    let Err(CaiqError::Layout(p)) = read(&[s]) else {
        panic!()
    };
    assert_eq!(p.len(), 1, "{p:#?}");
    at(&p[0].position, FILE, SHEET, "C2");
    assert!(p[0].message.contains("merged (C2:D2)"), "{}", p[0].message);
    // A title merged over rows 1 and 2 covers the header too.
    let s = caiq_sheet(SHEET, &CAIQ_ROWS).merge(0, 0, 1, 0);
    let Err(CaiqError::Layout(p)) = read(&[s]) else {
        panic!()
    };
    at(&p[0].position, FILE, SHEET, "A2");
    assert!(p[0].message.contains("A1:A2"));
}

#[test]
fn merged_answer_cells_are_rejected_not_read_as_unanswered() {
    // C3:C4 merged: row 3 keeps its Yes, row 4 is rejected.
    let s = caiq_sheet(SHEET, &CAIQ_ROWS).merge(2, 2, 3, 2);
    let c = read(&[s]).unwrap();
    assert_eq!(c.answers[0].answer, Answer::Yes);
    assert_eq!(c.answers.len(), CAIQ_ROWS.len() - 1);
    assert_eq!(c.rejected.len(), 1);
    at(&c.rejected[0].position, FILE, SHEET, "C4");
    assert!(c.rejected[0].message.contains("C3:C4"));
}

#[test]
fn a_renamed_sheet_is_missing_with_the_nearest_name() {
    let e = read(&[
        SynthSheet::text("Introduction", &[&["x"]]),
        caiq_sheet("CAIQ v4.0.3", &CAIQ_ROWS),
    ])
    .unwrap_err();
    let CaiqError::Grid(GridError::MissingSheet {
        file,
        found,
        nearest,
        ..
    }) = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(file, FILE);
    assert_eq!(found, &["Introduction", "CAIQ v4.0.3"]);
    assert_eq!(nearest.as_deref(), Some("CAIQ v4.0.3"));
    assert_eq!(
        e.to_string(),
        "`vendor-caiq.xlsx` has no sheet `CAIQv4.0.x` (its sheets: `Introduction`, `CAIQ v4.0.3`)"
    );
    // Any 4.0.x is taken.
    assert_eq!(
        read(&[caiq_sheet("CAIQv4.0.2", &CAIQ_ROWS)])
            .unwrap()
            .version,
        "4.0.2"
    );
}

#[test]
fn unknown_answers_are_rejected_and_the_rest_read() {
    let rows = [
        ("A&A-01.1", "Maybe", "CSP-owned", ""),
        ("A&A-01.2", "yes", "Shared CSP and CSC", ""),
        ("A&A-02.1", "N/A", "CSP", ""),
        ("AIS-01.1", "Yes", "csp-owned", ""),
        ("AIS-02.1", "Noo", "", ""),
    ];
    let c = read(&[caiq_sheet(SHEET, &rows)]).unwrap();
    let ids: Vec<&str> = c.answers.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["A&A-01.2", "A&A-02.1", "AIS-01.1"]);
    assert_eq!(c.answers[1].answer, Answer::Na);
    assert_eq!(c.answers[1].ownership, None);
    assert_eq!(c.answers[2].ownership, Some(Ownership::CspOwned));
    let bad: Vec<(String, &str)> = c
        .rejected
        .iter()
        .map(|r| (r.position.cell_ref(), r.message.as_str()))
        .collect();
    assert_eq!(
        bad,
        [
            ("C3".to_owned(), "unknown answer `Maybe`"),
            ("D5".to_owned(), "unknown control ownership `CSP`"),
            ("C7".to_owned(), "unknown answer `Noo`"),
        ]
    );
    assert_eq!(
        c.rejected[2].hint.as_deref(),
        Some("did you mean `No`? the answer is one of `Yes`, `No`, `NA`, or empty")
    );
    for r in &c.rejected {
        assert_eq!(
            (r.position.file.as_str(), r.position.sheet.as_str()),
            (FILE, SHEET)
        );
    }
}

#[test]
fn bad_ids_duplicates_and_mismatched_controls() {
    let rows = [
        ("A&A-01.1", "Yes", "", ""),
        ("A&A-01.1", "No", "", ""),
        ("AA-1", "Yes", "", ""),
    ];
    let mut s = caiq_sheet(SHEET, &rows);
    s.set(2, 8, t("A&A-02"));
    s.set(5, 0, SynthCell::Number(12.0));
    s.set(5, 2, t("Yes"));
    s.set(6, 2, t("Yes"));
    s.set(6, 0, SynthCell::Empty);
    let c = read(&[s]).unwrap();
    assert_eq!(c.answers.len(), 1);
    let bad: Vec<String> = c
        .rejected
        .iter()
        .map(|r| format!("{} {}", r.position.cell_ref(), r.message))
        .collect();
    assert_eq!(
        bad,
        [
            "I3 CCM control id `A&A-02` does not match question `A&A-01.1`",
            "A4 duplicate question id `A&A-01.1` (first in A3)",
            "A5 `AA-1` is not a CAIQ question id",
            "A6 the number `12` is not a CAIQ question id",
            "A7 the row has answers but no question id",
        ]
    );
}

#[test]
fn error_and_boolean_cells_are_rejected() {
    let mut s = caiq_sheet(SHEET, &CAIQ_ROWS);
    s.set(2, 2, SynthCell::Bool(true));
    s.set(
        3,
        4,
        SynthCell::Formula {
            formula: "NA()".into(),
            cached: "#N/A".into(),
        },
    );
    let c = read(&[s]).unwrap();
    let bad: Vec<String> = c
        .rejected
        .iter()
        .map(|r| format!("{} {}", r.position.cell_ref(), r.message))
        .collect();
    assert_eq!(
        bad[0],
        "C3 expected `Yes`, `No` or `NA`, found the boolean `TRUE`"
    );
    assert_eq!(bad[1], "E4 cell holds the error `#N/A`");
    // The bad description does not cost the row its answer; the bad answer does.
    assert_eq!(c.answers.len(), CAIQ_ROWS.len() - 1);
    assert_eq!(c.answers[0].id, "A&A-01.2");
    assert_eq!(c.answers[0].description, None);
}

#[test]
fn empty_and_not_a_workbook() {
    let e = caiq::read(&mut match Workbook::open(FILE, Vec::new()) {
        Ok(w) => w,
        Err(e) => {
            assert_eq!(e.to_string(), "`vendor-caiq.xlsx` is empty");
            return;
        }
    });
    panic!("{e:?}");
}

#[test]
fn only_the_title_and_headers() {
    let c = read(&[caiq_sheet(SHEET, &[])]).unwrap();
    assert!(c.answers.is_empty() && c.rejected.is_empty());
    // A sheet with nothing at all has no header row.
    let Err(CaiqError::Layout(p)) = read(&[SynthSheet::text(SHEET, &[])]) else {
        panic!()
    };
    assert_eq!(p.len(), 10);
    at(&p[0].position, FILE, SHEET, "A2");
}
