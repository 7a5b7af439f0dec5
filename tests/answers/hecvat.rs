//! HECVAT 3: Full and Lite read back, then the malformed variants.

use crate::synth::{self, hecvat_sheet, t, SynthCell, SynthSheet, HECVAT_ROWS};
use labfit::answers::grid::{GridError, Workbook};
use labfit::answers::hecvat::{self, Edition, HecvatError, Value};

use crate::util::{at, open};

const FILE: &str = "hecvat.xlsx";
const FULL: &str = "HECVAT - Full | Vendor Response";

fn read(sheets: &[SynthSheet]) -> Result<hecvat::Hecvat, HecvatError> {
    hecvat::read(&mut open(FILE, synth::xlsx(sheets).unwrap()), Edition::Full)
}

#[test]
fn reads_full_and_lite() {
    for (edition, want) in [("Full", Edition::Full), ("Lite", Edition::Lite)] {
        let bytes = synth::hecvat_workbook(edition, &HECVAT_ROWS).unwrap();
        let h = hecvat::read(&mut open(FILE, bytes), Edition::Full).unwrap();
        assert_eq!(h.edition, want);
        assert_eq!(h.version.as_deref(), Some("3.06"));
        assert!(h.rejected.is_empty(), "{:#?}", h.rejected);
        let got: Vec<(&str, &Value)> = h
            .answers
            .iter()
            .map(|a| (a.id.as_str(), &a.answer))
            .collect();
        assert_eq!(
            got,
            [
                ("GNRL-01", &Value::Text("Acme Cloud".into())),
                ("GNRL-02", &Value::Text("Acme LIMS".into())),
                ("COMP-01", &Value::Yes),
                ("DATA-01", &Value::Yes),
                ("DATA-02", &Value::No),
                ("HIPA-01", &Value::Na),
                ("HIPA-02", &Value::Unanswered),
            ]
        );
        let sheet = format!("HECVAT - {edition} | Vendor Response");
        // Header in row 4, a section title in row 5: GNRL-01 is in row 6, its answer in D.
        at(&h.answers[0].position, FILE, &sheet, "D6");
        assert_eq!(
            h.answers[3].additional_information.as_deref(),
            Some("AES-256.")
        );
        assert_eq!(
            h.answers[3].question.as_deref(),
            Some("Is data encrypted at rest?")
        );
    }
}

#[test]
fn column_b_formulas_hold_cached_values() {
    let bytes = synth::hecvat_workbook("Full", &HECVAT_ROWS).unwrap();
    let mut wb = open(FILE, bytes);
    let s = wb.sheet(FULL).unwrap();
    // COMP-01 (Yes) is in row 9 after two section titles.
    assert_eq!(s.cell(8, 0).text(), Some("COMP-01"));
    assert_eq!(s.cell(8, 1).display().as_deref(), Some("1"));
    assert_eq!(s.cell(11, 1).display().as_deref(), Some("0"));
}

#[test]
fn columns_are_found_by_header() {
    // Additional Information before Vendor Answers, and no Question header.
    let mut s = hecvat_sheet(FULL, "Full", &HECVAT_ROWS);
    for row in &mut s.rows {
        if row.len() > 4 {
            row.swap(3, 4);
        }
        if let Some(c) = row.get_mut(2) {
            if *c == t("Question") {
                *c = t("Text");
            }
        }
    }
    let h = read(&[s]).unwrap();
    at(&h.answers[2].position, FILE, FULL, "E9");
    assert_eq!(h.answers[2].answer, Value::Yes);
    assert_eq!(
        h.answers[2].additional_information.as_deref(),
        Some("Eight people.")
    );
    assert_eq!(h.answers[2].question, None);
}

#[test]
fn no_vendor_answers_header() {
    let mut s = hecvat_sheet(FULL, "Full", &HECVAT_ROWS);
    s.set(3, 3, t("Answers"));
    let e = read(&[s]).unwrap_err();
    let HecvatError::Layout(r) = &e else {
        panic!("{e:?}")
    };
    at(&r.position, FILE, FULL, "A1");
    assert_eq!(e.to_string(), "hecvat.xlsx: sheet `HECVAT - Full | Vendor Response`, row 1, column A (A1): no `Vendor Answers` header in rows 1–30");
    assert!(e.hint().is_some());
}

#[test]
fn a_merged_answer_header_is_an_error_at_its_position() {
    let s = hecvat_sheet(FULL, "Full", &HECVAT_ROWS).merge(3, 3, 3, 4);
    let e = read(&[s]).unwrap_err();
    let HecvatError::Layout(r) = &e else {
        panic!("{e:?}")
    };
    at(&r.position, FILE, FULL, "D4");
    assert!(r.message.contains("D4:E4"), "{}", r.message);
}

#[test]
fn merged_answer_cells_are_rejected() {
    // DATA-01 and DATA-02 are rows 11 and 12; merge D11:D12.
    let s = hecvat_sheet(FULL, "Full", &HECVAT_ROWS).merge(10, 3, 11, 3);
    let h = read(&[s]).unwrap();
    assert_eq!(h.rejected.len(), 1, "{:#?}", h.rejected);
    at(&h.rejected[0].position, FILE, FULL, "D12");
    assert!(h.rejected[0].message.contains("D11:D12"));
    assert!(h.answers.iter().all(|a| a.id != "DATA-02"));
}

#[test]
fn a_renamed_sheet_is_missing_with_the_nearest_name() {
    let e = read(&[
        SynthSheet::text("Instructions", &[&["x"]]),
        hecvat_sheet("HECVAT - Full | Vendor Respons", "Full", &HECVAT_ROWS),
    ])
    .unwrap_err();
    let HecvatError::Grid(GridError::MissingSheet { nearest, found, .. }) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(nearest.as_deref(), Some("HECVAT - Full | Vendor Respons"));
    assert_eq!(found.len(), 2);
    assert!(e.hint().unwrap().contains("did you mean"));
}

#[test]
fn unknown_answers_and_bad_ids() {
    let rows = [
        ("GNRL-01", "Name", "Acme", ""),
        ("DATA-01", "Encrypted?", "Mostly", ""),
        ("DATA-02", "In transit?", "yes", ""),
        ("DATA-03", "Keys?", "Noo", ""),
        ("DATA-1", "Typo id", "Yes", ""),
        ("DATA-02", "Duplicate", "No", ""),
    ];
    let mut s = hecvat_sheet(FULL, "Full", &rows);
    s.set(20, 0, t("HIPA-01"));
    s.set(20, 3, SynthCell::Number(1.0));
    let h = read(&[s]).unwrap();
    let ids: Vec<&str> = h.answers.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["GNRL-01", "DATA-02"]);
    let bad: Vec<String> = h
        .rejected
        .iter()
        .map(|r| format!("{} {}", r.position.cell_ref(), r.message))
        .collect();
    assert_eq!(
        bad,
        [
            "D8 unknown answer `Mostly`",
            "D10 unknown answer `Noo`",
            "A11 `DATA-1` is not a HECVAT question id",
            "A12 duplicate question id `DATA-02` (first in A9)",
            "D21 unknown answer the number `1`",
        ]
    );
    assert_eq!(
        h.rejected[1].hint.as_deref(),
        Some("did you mean `No`? answer `Yes`, `No` or `N/A`")
    );
}

#[test]
fn csv_export_of_the_sheet() {
    let csv = "HECVAT - Lite | Version 3.06\r\nID,Score,Question,Vendor Answers,Additional Information\r\nDATA-01,1,Encrypted?,Yes,\"AES, 256\"\r\n";
    let mut wb = Workbook::open("lite.csv", csv.as_bytes().to_vec()).unwrap();
    let h = hecvat::read(&mut wb, Edition::Lite).unwrap();
    assert_eq!(h.edition, Edition::Lite);
    assert_eq!(
        h.answers[0].additional_information.as_deref(),
        Some("AES, 256")
    );
    at(&h.answers[0].position, "lite.csv", "lite", "D3");
}
