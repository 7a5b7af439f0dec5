//! Synthetic workbooks for tests: CAIQ v4 and HECVAT 3 sheets laid out as the readers expect,
//! written with rust_xlsxwriter, and the edits that make them malformed (a renamed header or
//! sheet, merged cells, unknown answers). Nothing here reads input; it only makes some.

use rust_xlsxwriter::{Format, Formula, Workbook as XlsxBook, XlsxError};

use labfit::answers::caiq::HEADERS as CAIQ_HEADERS;

/// One cell to write.
#[derive(Clone, Debug, PartialEq)]
pub enum SynthCell {
    /// Nothing.
    Empty,
    /// A string cell.
    Text(String),
    /// A number cell.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A formula with the value Excel would have cached.
    Formula {
        /// Without the leading `=`.
        formula: String,
        /// The cached result (written as `<v>`).
        cached: String,
    },
}

/// A string cell.
pub fn t(s: &str) -> SynthCell {
    if s.is_empty() {
        SynthCell::Empty
    } else {
        SynthCell::Text(s.to_owned())
    }
}

/// A sheet to write: rows from row 1, merges as 0-based `(first_row, first_col, last_row,
/// last_col)` (the first cell's text is the merged value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SynthSheet {
    /// The sheet's name.
    pub name: String,
    /// The cells, row 1 first.
    pub rows: Vec<Vec<SynthCell>>,
    /// Merged ranges.
    pub merges: Vec<(u32, u16, u32, u16)>,
}

impl SynthSheet {
    /// A sheet of text rows.
    pub fn text(name: &str, rows: &[&[&str]]) -> Self {
        SynthSheet {
            name: name.to_owned(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| t(c)).collect())
                .collect(),
            merges: Vec::new(),
        }
    }

    /// Sets one cell (0-based), growing the rows as needed.
    pub fn set(&mut self, row: usize, col: usize, cell: SynthCell) {
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        if let Some(r) = self.rows.get_mut(row) {
            if r.len() <= col {
                r.resize(col + 1, SynthCell::Empty);
            }
            if let Some(c) = r.get_mut(col) {
                *c = cell;
            }
        }
    }

    /// Adds a merged range.
    pub fn merge(mut self, first_row: u32, first_col: u16, last_row: u32, last_col: u16) -> Self {
        self.merges.push((first_row, first_col, last_row, last_col));
        self
    }
}

/// The sheets as xlsx bytes.
pub fn xlsx(sheets: &[SynthSheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = XlsxBook::new();
    let plain = Format::new();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&s.name)?;
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                match cell {
                    SynthCell::Empty => {}
                    SynthCell::Text(v) => {
                        ws.write_string(r, c, v)?;
                    }
                    SynthCell::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    SynthCell::Bool(b) => {
                        ws.write_boolean(r, c, *b)?;
                    }
                    SynthCell::Formula { formula, cached } => {
                        ws.write_formula(r, c, Formula::new(formula).set_result(cached))?;
                    }
                }
            }
        }
        for &(r0, c0, r1, c1) in &s.merges {
            let first = s
                .rows
                .get(r0 as usize)
                .and_then(|row| row.get(usize::from(c0)))
                .and_then(|c| match c {
                    SynthCell::Text(v) => Some(v.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            ws.merge_range(r0, c0, r1, c1, &first, &plain)?;
        }
    }
    book.save_to_buffer()
}

/// One CAIQ question row: id, answer, ownership, description.
pub type CaiqRow<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The question rows of [`caiq_sheet`] by default: all answers and ownerships, an unanswered
/// question, an NA, several controls and domains.
pub const CAIQ_ROWS: [CaiqRow<'static>; 8] = [
    (
        "A&A-01.1",
        "Yes",
        "CSP-owned",
        "Audit policies are reviewed yearly.",
    ),
    ("A&A-01.2", "No", "Shared CSP and CSC", ""),
    ("A&A-02.1", "NA", "CSC-owned", "=not applicable"),
    ("AIS-01.1", "", "", ""),
    (
        "CEK-03.1",
        "Yes",
        "3rd-party outsourced",
        "Keys in an HSM run by a third party.",
    ),
    ("DSP-05.1", "Yes", "Shared CSP and 3rd-party", ""),
    ("I&S-01.1", "No", "CSP-owned", "-"),
    ("STA-09.1", "Yes", "CSP-owned", ""),
];

/// A CAIQ v4.0.3 sheet named `name`: title row, header row, `rows`, then a copyright row and
/// `End of Standard`.
pub fn caiq_sheet(name: &str, rows: &[CaiqRow<'_>]) -> SynthSheet {
    let mut s = SynthSheet {
        name: name.to_owned(),
        ..SynthSheet::default()
    };
    s.set(
        0,
        0,
        t("Consensus Assessments Initiative Questionnaire v4.0.3"),
    );
    for (c, h) in CAIQ_HEADERS.iter().enumerate() {
        s.set(1, c, h.map_or(SynthCell::Empty, t));
    }
    for (i, (id, answer, owner, desc)) in rows.iter().enumerate() {
        let r = i + 2;
        let control = id.rsplit_once('.').map_or(*id, |(c, _)| c);
        let domain = control.split('-').next().unwrap_or("");
        s.set(r, 0, t(id));
        s.set(r, 1, t(&format!("Is control {id} in place?")));
        s.set(r, 2, t(answer));
        s.set(r, 3, t(owner));
        s.set(r, 4, t(desc));
        s.set(r, 8, t(control));
        s.set(r, 9, t(&format!("Specification of {control}.")));
        // The CCM title is a formula in some exports: its cached value is what is read.
        s.set(
            r,
            10,
            SynthCell::Formula {
                formula: format!("\"Title of \"&I{}", r + 1),
                cached: format!("Title of {control}"),
            },
        );
        s.set(r, 11, t(&format!("{domain} domain")));
    }
    let end = rows.len() + 2;
    s.set(
        end,
        0,
        t("© Copyright 2021-2023 Cloud Security Alliance - All rights reserved."),
    );
    s.set(end + 1, 0, t("End of Standard"));
    s
}

/// A CAIQ workbook as CSA ships it: an introduction sheet, then the questionnaire.
pub fn caiq_workbook(rows: &[CaiqRow<'_>]) -> Result<Vec<u8>, XlsxError> {
    xlsx(&[
        SynthSheet::text("Introduction", &[&["CAIQ v4.0.3"], &["Read me first."]]),
        caiq_sheet("CAIQv4.0.3", rows),
    ])
}

/// One HECVAT question row: id, question, answer, additional information.
pub type HecvatRow<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The default question rows of [`hecvat_sheet`]: text answers for GNRL, then Yes/No/N/A.
pub const HECVAT_ROWS: [HecvatRow<'static>; 7] = [
    ("GNRL-01", "Solution provider name", "Acme Cloud", ""),
    ("GNRL-02", "Solution name", "Acme LIMS", ""),
    (
        "COMP-01",
        "Do you have a dedicated security team?",
        "Yes",
        "Eight people.",
    ),
    ("DATA-01", "Is data encrypted at rest?", "Yes", "AES-256."),
    ("DATA-02", "Is data encrypted in transport?", "No", ""),
    ("HIPA-01", "Do you sign a BAA?", "N/A", "No health data."),
    ("HIPA-02", "Are HIPAA trainings held?", "", ""),
];

/// A HECVAT 3 vendor-response sheet for `edition` (`"Full"` or `"Lite"`): title and version
/// rows, the header row in row 4 (`ID | Score | Question | Vendor Answers | Additional
/// Information`), section title rows between the questions, and a formula in column B of each
/// question row (cached `1` when answered Yes, else `0`).
pub fn hecvat_sheet(name: &str, edition: &str, rows: &[HecvatRow<'_>]) -> SynthSheet {
    let mut s = SynthSheet {
        name: name.to_owned(),
        ..SynthSheet::default()
    };
    s.set(0, 0, t(&format!("HECVAT - {edition} | Version 3.06")));
    s.set(
        1,
        0,
        t("Higher Education Community Vendor Assessment Toolkit"),
    );
    for (c, h) in [
        "ID",
        "Score",
        "Question",
        "Vendor Answers",
        "Additional Information",
    ]
    .iter()
    .enumerate()
    {
        s.set(3, c, t(h));
    }
    let mut r = 4;
    let mut section = "";
    for (id, question, answer, info) in rows {
        let prefix = id.split('-').next().unwrap_or("");
        if prefix != section {
            section = prefix;
            s.set(r, 0, t(&format!("{prefix} questions")));
            r += 1;
        }
        s.set(r, 0, t(id));
        s.set(
            r,
            1,
            SynthCell::Formula {
                formula: format!("IF(D{}=\"Yes\",1,0)", r + 1),
                cached: if *answer == "Yes" { "1" } else { "0" }.to_owned(),
            },
        );
        s.set(r, 2, t(question));
        s.set(r, 3, t(answer));
        s.set(r, 4, t(info));
        r += 1;
    }
    s
}

/// A HECVAT workbook: an instructions sheet, the vendor-response sheet, a scoring sheet.
pub fn hecvat_workbook(edition: &str, rows: &[HecvatRow<'_>]) -> Result<Vec<u8>, XlsxError> {
    xlsx(&[
        SynthSheet::text("Instructions", &[&["Fill in the Vendor Response sheet."]]),
        hecvat_sheet(
            &format!("HECVAT - {edition} | Vendor Response"),
            edition,
            rows,
        ),
        SynthSheet::text("Scoring", &[&["Score"], &["0"]]),
    ])
}
