//! The grid: what calamine gives for formulas, merges, sparse and huge sheets; file sniffing.

use crate::synth::{self, SynthCell, SynthSheet};
use labfit::answers::grid::{Cell, GridError, Workbook, MAX_SHEET_CELLS};

use crate::util::{at, edit_part, open};

#[test]
fn formula_cells_read_as_their_cached_values() {
    let mut s = SynthSheet::text("S", &[&["a"]]);
    s.set(
        0,
        1,
        SynthCell::Formula {
            formula: "1+1".into(),
            cached: "2".into(),
        },
    );
    s.set(
        0,
        2,
        SynthCell::Formula {
            formula: "\"Y\"&\"es\"".into(),
            cached: "Yes".into(),
        },
    );
    s.set(
        0,
        3,
        SynthCell::Formula {
            formula: "1/0".into(),
            cached: "#DIV/0!".into(),
        },
    );
    s.set(
        0,
        4,
        SynthCell::Formula {
            formula: "A1=\"a\"".into(),
            cached: "TRUE".into(),
        },
    );
    let bytes = synth::xlsx(&[s]).unwrap();
    let mut wb = open("f.xlsx", bytes);
    let sheet = wb.sheet("S").unwrap();
    assert_eq!(sheet.cell(0, 1), &Cell::Number(2.0));
    assert_eq!(sheet.cell(0, 2), &Cell::Text("Yes".into()));
    // rust_xlsxwriter types the cached result as Excel does: t="e" for an error, t="b" for
    // TRUE/FALSE, t="str" for other text.
    assert_eq!(sheet.cell(0, 3), &Cell::Error("#DIV/0!".into()));
    assert_eq!(sheet.cell(0, 4), &Cell::Bool(true));
}

#[test]
fn formula_without_a_cached_value_reads_as_what_the_writer_cached() {
    let mut s = SynthSheet::text("S", &[&["a"]]);
    s.set(
        0,
        1,
        SynthCell::Formula {
            formula: "1+1".into(),
            cached: String::new(),
        },
    );
    let bytes = synth::xlsx(&[s]).unwrap();
    let mut wb = open("f.xlsx", bytes);
    let sheet = wb.sheet("S").unwrap();
    // rust_xlsxwriter caches 0 when no result is given: a never-recalculated file says 0.
    assert!(
        matches!(sheet.cell(0, 1), Cell::Number(n) if *n == 0.0) || sheet.cell(0, 1).is_blank(),
        "{:?}",
        sheet.cell(0, 1)
    );
}

#[test]
fn excel_style_typed_cached_values() {
    // What Excel writes: t="e" for an error result, t="b" for a boolean, t="str" for text.
    let bytes = synth::xlsx(&[SynthSheet::text("S", &[&["x", "y", "z"]])]).unwrap();
    let bytes = edit_part(&bytes, "xl/worksheets/sheet1.xml", |x| {
        let row = r#"<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2" t="b"><f>TRUE()</f><v>1</v></c><c r="C2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row></sheetData>"#;
        x.replace("</sheetData>", row)
    });
    let mut wb = open("e.xlsx", bytes);
    let s = wb.sheet("S").unwrap();
    assert_eq!(s.cell(1, 0), &Cell::Error("#DIV/0!".into()));
    assert_eq!(s.cell(1, 1), &Cell::Bool(true));
    assert_eq!(s.cell(1, 2), &Cell::Text("ab".into()));
}

#[test]
fn merged_regions_are_reported_and_only_the_first_cell_has_the_value() {
    let s = SynthSheet::text("S", &[&["title", "", ""], &["a", "b", "c"]]).merge(0, 0, 0, 2);
    let mut wb = open("m.xlsx", synth::xlsx(&[s]).unwrap());
    let sheet = wb.sheet("S").unwrap();
    assert_eq!(sheet.merged.len(), 1);
    let m = sheet.merge_at(0, 1).unwrap();
    assert_eq!(m.a1(), "A1:C1");
    assert_eq!(sheet.cell(0, 0), &Cell::Text("title".into()));
    assert!(sheet.cell(0, 1).is_blank() && sheet.cell(0, 2).is_blank());
    assert!(sheet.merge_at(1, 1).is_none());
}

#[test]
fn a_sheet_spanning_the_whole_grid_is_read_sparsely() {
    // calamine's worksheet_range would allocate 17 billion cells for this two-cell sheet.
    let mut s = SynthSheet::text("S", &[&["first"]]);
    let bytes = {
        s.set(0, 1, SynthCell::Empty);
        synth::xlsx(&[s]).unwrap()
    };
    let bytes = edit_part(&bytes, "xl/worksheets/sheet1.xml", |x| {
        x.replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>last</t></is></c></row></sheetData>"#)
    });
    let mut wb = open("big.xlsx", bytes);
    let sheet = wb.sheet("S").unwrap();
    assert_eq!(sheet.height(), 1_048_576);
    assert_eq!(sheet.cell(1_048_575, 16_383), &Cell::Text("last".into()));
    assert_eq!(sheet.position(1_048_575, 16_383).cell_ref(), "XFD1048576");
}

#[test]
fn a_sheet_over_the_cell_budget_is_refused() {
    let rows: String = (1..=300)
        .map(|r| format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#))
        .collect();
    let bytes = synth::xlsx(&[SynthSheet::text("S", &[&["x"]])]).unwrap();
    let bytes = edit_part(&bytes, "xl/worksheets/sheet1.xml", |x| {
        let start = x.find("<sheetData>").unwrap() + "<sheetData>".len();
        let end = x.find("</sheetData>").unwrap();
        format!("{}{rows}{}", &x[..start], &x[end..])
    });
    let mut wb = open("wide.xlsx", bytes);
    let e = wb.sheet("S").unwrap_err();
    assert!(matches!(&e, GridError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains(&MAX_SHEET_CELLS.to_string()), "{e}");
    assert!(e.hint().is_some());
}

#[test]
fn an_overflowing_cell_reference_is_an_unreadable_sheet_not_a_panic() {
    let bytes = synth::xlsx(&[SynthSheet::text("S", &[&["x"]])]).unwrap();
    for bad in [
        r#"r="A99999999999""#,
        r#"r="AAAAAAAAAAAAAAAAAAAA1""#,
        r#"r="A0""#,
        r#"r="1A""#,
    ] {
        let damaged = edit_part(&bytes, "xl/worksheets/sheet1.xml", |x| {
            x.replacen(r#"r="A1""#, bad, 1)
        });
        let mut wb = open("bad.xlsx", damaged);
        match wb.sheet("S") {
            Err(GridError::Unreadable {
                file,
                sheet,
                message,
                ..
            }) => {
                assert_eq!(
                    (file.as_str(), sheet.as_deref()),
                    ("bad.xlsx", Some("S")),
                    "{message}"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn files_are_sniffed_by_content() {
    let e = Workbook::open("x.xlsx", Vec::new()).unwrap_err();
    assert_eq!(
        e,
        GridError::Empty {
            file: "x.xlsx".into()
        }
    );
    assert_eq!(e.to_string(), "`x.xlsx` is empty");

    let e = Workbook::open("x.xlsx", b"hello, world".to_vec()).unwrap_err();
    assert!(
        matches!(&e, GridError::NotAWorkbook { file, reason, .. } if file == "x.xlsx" && reason.contains("zip signature")),
        "{e:?}"
    );

    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 100]);
    let e = Workbook::open("old.xls", ole).unwrap_err();
    assert!(
        e.to_string().contains(".xls") && e.hint().unwrap().contains(".xlsx"),
        "{e}"
    );

    // A zip that is not a workbook, and one that is an OpenDocument file.
    let z = crate::util::rezip(&[("readme.txt".into(), b"hi".to_vec())]);
    let e = Workbook::open("a.zip", z).unwrap_err();
    assert!(e.to_string().contains("without an Excel workbook"), "{e}");
    let ods = crate::util::rezip(&[
        (
            "mimetype".into(),
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        ("content.xml".into(), b"<x/>".to_vec()),
    ]);
    let e = Workbook::open("a.ods", ods).unwrap_err();
    assert!(e.to_string().contains("OpenDocument"), "{e}");

    // Text with an unknown extension is CSV.
    let mut wb = Workbook::open("answers.txt", b"a,b\n".to_vec()).unwrap();
    assert!(wb.is_csv());
    assert_eq!(wb.sheet("").unwrap().cell(0, 1), &Cell::Text("b".into()));
}

#[test]
fn a_zip_promising_too_much_is_refused_before_inflating() {
    let big = vec![b'a'; 1024];
    let mut entries =
        crate::util::unzip(&synth::xlsx(&[SynthSheet::text("S", &[&["x"]])]).unwrap());
    for i in 0..300 {
        entries.push((format!("xl/media/pad{i}.bin"), big.clone()));
    }
    // 300 KiB is under the limit: opens.
    assert!(Workbook::open("ok.xlsx", crate::util::rezip(&entries)).is_ok());
    // The declared sizes are what is checked; patch one to 1 TiB (zip64 is not needed for the
    // check to fire: the size field alone says 4 GiB - 1).
    let bytes = crate::util::rezip(&entries);
    let mut patched = bytes.clone();
    let cd = patched
        .windows(4)
        .rposition(|w| w == b"PK\x01\x02")
        .unwrap();
    patched[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    match Workbook::open("bomb.xlsx", patched) {
        Err(GridError::TooLarge { .. } | GridError::NotAWorkbook { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_sheet_names_the_sheets_and_the_nearest() {
    let mut wb = open(
        "w.xlsx",
        synth::xlsx(&[
            SynthSheet::text("Answers", &[&["x"]]),
            SynthSheet::text("Notes", &[&["y"]]),
        ])
        .unwrap(),
    );
    let e = wb.sheet("Answer").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`w.xlsx` has no sheet `Answer` (its sheets: `Answers`, `Notes`)"
    );
    assert_eq!(
        e.hint().unwrap(),
        "did you mean `Answers`? the sheet may have been renamed"
    );
    let _ = at;
}
