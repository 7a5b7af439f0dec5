//! A format-neutral table of cells, read from an xlsx workbook (calamine) or a CSV file (csv),
//! with spreadsheet positions (`file`, sheet, 1-based row, column letters) for every message.
//!
//! Formula cells hold the value Excel cached when the file was last saved (calamine reads the
//! `<v>` of a formula cell, never the formula); a file written by a program that does not
//! compute formulas holds whatever that program cached (`0` for rust_xlsxwriter by default).
//!
//! Every input is untrusted: nothing here panics, and the sizes that calamine would allocate
//! for are bounded before it runs (the zip's declared sizes, which the zip reader enforces,
//! and the number of cells a sheet may span). calamine's own panics on malformed cell
//! references (an overflowing `r="A99999999999"`, in builds with overflow checks) are caught
//! and reported as an unreadable sheet.

use std::fmt;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, Reader as _, Xlsx};

/// Inputs larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// The zip entries of a workbook may unpack to at most this many bytes in all (a zip bomb
/// stops here: the zip reader fails an entry that inflates past its declared size).
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many zip entries (a real workbook has tens).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// A sheet may span at most this many cells (rows plus the cells of each row up to its last
/// used one): a two-cell sheet at `A1` and `XFD1048576` would otherwise ask for 17 billion.
pub const MAX_SHEET_CELLS: usize = 4_000_000;

/// One cell's value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Cell {
    /// Nothing there.
    #[default]
    Empty,
    /// A string (shared, inline or the cached result of a string formula).
    Text(String),
    /// A number; dates and times are Excel serial numbers.
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// An error value such as `#N/A` or `#REF!`.
    Error(String),
}

static EMPTY: Cell = Cell::Empty;

impl Cell {
    /// The trimmed text of a text cell; `None` for other kinds and for blank text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// Empty, or text that is only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person would read it in the sheet: trimmed text, `3` rather than `3.0`,
    /// `TRUE`, `#N/A`; `None` when blank.
    pub fn display(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(_) => self.text().map(str::to_owned),
            Cell::Number(n) => Some(number_text(*n)),
            Cell::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
            Cell::Error(e) => Some(e.clone()),
        }
    }

    /// What kind of value this is, for messages ("a number", "the error `#N/A`").
    pub fn describe(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".to_owned(),
            Cell::Text(s) => format!("`{}`", s.trim()),
            Cell::Number(n) => format!("the number `{}`", number_text(*n)),
            Cell::Bool(b) => format!("the boolean `{}`", if *b { "TRUE" } else { "FALSE" }),
            Cell::Error(e) => format!("the error `{e}`"),
        }
    }
}

fn number_text(n: f64) -> String {
    // Integral values print without a fraction, as a spreadsheet shows them.
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// The letters of a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // rem < 26, so the byte is an ASCII capital.
        out.push(b'A' + u8::try_from(rem).unwrap_or(0));
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Where a cell is: file, sheet, 1-based row and column letters, as a spreadsheet shows them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// The file's display name.
    pub file: String,
    /// The sheet's name (for CSV: the file's stem).
    pub sheet: String,
    /// 1-based row number.
    pub row: u32,
    /// Column letters (`C`, `AA`).
    pub column: String,
}

impl Position {
    /// The position of the 0-based `(row, col)` in `sheet` of `file`.
    pub fn new(file: &str, sheet: &str, row: usize, col: usize) -> Self {
        Position {
            file: file.to_owned(),
            sheet: sheet.to_owned(),
            row: u32::try_from(row).unwrap_or(u32::MAX - 1).saturating_add(1),
            column: column_letters(u32::try_from(col).unwrap_or(u32::MAX)),
        }
    }

    /// `C5`.
    pub fn cell_ref(&self) -> String {
        format!("{}{}", self.column, self.row)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: sheet `{}`, row {}, column {} ({}{})",
            self.file, self.sheet, self.row, self.column, self.column, self.row
        )
    }
}

/// One cell the readers could not use: where, what, and what to do. A rejected cell never
/// stops the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The cell.
    pub position: Position,
    /// One line, lowercase: what is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// A merged range, 0-based and inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Top-left (row, col).
    pub first: (u32, u32),
    /// Bottom-right (row, col).
    pub last: (u32, u32),
}

impl Region {
    /// Whether the 0-based cell lies inside.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        let (Ok(r), Ok(c)) = (u32::try_from(row), u32::try_from(col)) else {
            return false;
        };
        (self.first.0..=self.last.0).contains(&r) && (self.first.1..=self.last.1).contains(&c)
    }

    /// Whether the 0-based cell is the top-left one, which holds the merged value.
    pub fn is_first(&self, row: usize, col: usize) -> bool {
        u32::try_from(row).ok() == Some(self.first.0)
            && u32::try_from(col).ok() == Some(self.first.1)
    }

    /// `C2:D2`.
    pub fn a1(&self) -> String {
        format!(
            "{}{}:{}{}",
            column_letters(self.first.1),
            u64::from(self.first.0) + 1,
            column_letters(self.last.1),
            u64::from(self.last.0) + 1
        )
    }
}

/// One sheet's cells, anchored at `A1`: `rows[0]` is row 1, `rows[r][0]` column A. Rows are
/// as long as their last used cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    /// The file's display name (for positions).
    pub file: String,
    /// The sheet's name.
    pub name: String,
    /// The cells.
    pub rows: Vec<Vec<Cell>>,
    /// Merged ranges (xlsx only; a CSV has none).
    pub merged: Vec<Region>,
}

impl Sheet {
    /// The cell at the 0-based `(row, col)`; empty outside the used area.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// The merged range the 0-based cell belongs to, if any.
    pub fn merge_at(&self, row: usize, col: usize) -> Option<&Region> {
        self.merged.iter().find(|m| m.contains(row, col))
    }

    /// The position of the 0-based cell, for messages.
    pub fn position(&self, row: usize, col: usize) -> Position {
        Position::new(&self.file, &self.name, row, col)
    }

    /// A rejection of the 0-based cell.
    pub fn reject(
        &self,
        row: usize,
        col: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Rejection {
        Rejection {
            position: self.position(row, col),
            message: message.into(),
            hint,
        }
    }

    /// The 0-based cell as free text (a description, a note); a cell holding a formula's
    /// error is rejected rather than read as its error code.
    pub fn text(&self, row: usize, col: usize, rejected: &mut Vec<Rejection>) -> Option<String> {
        match self.cell(row, col) {
            Cell::Error(e) => {
                rejected.push(self.reject(
                    row,
                    col,
                    format!("cell holds the error `{e}`"),
                    Some("replace the formula with its text".to_owned()),
                ));
                None
            }
            c => c.display(),
        }
    }

    /// Number of rows up to the last used one.
    pub fn height(&self) -> usize {
        self.rows.len()
    }
}

/// Why a file or a sheet cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: file, sheet, reason, message"
)]
pub enum GridError {
    /// The file holds no bytes (or only whitespace, for CSV).
    #[error("`{file}` is empty")]
    Empty { file: String },
    /// The bytes are not an xlsx workbook nor CSV text.
    #[error("`{file}` is not a workbook: {reason}")]
    NotAWorkbook {
        file: String,
        reason: String,
        hint: String,
    },
    /// Over one of the size limits.
    #[error("`{file}` is too large: {reason}")]
    TooLarge { file: String, reason: String },
    /// No sheet of that name.
    #[error("`{file}` has no sheet `{wanted}` (its sheets: {})", list(.found))]
    MissingSheet {
        file: String,
        wanted: String,
        found: Vec<String>,
        nearest: Option<String>,
    },
    /// The sheet (or the CSV) is damaged; `position` is known for CSV records.
    #[error("{}: {message}", where_(.file, .sheet, .position.as_deref()))]
    Unreadable {
        file: String,
        sheet: Option<String>,
        position: Option<Box<Position>>,
        message: String,
        hint: String,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn where_(file: &str, sheet: &Option<String>, position: Option<&Position>) -> String {
    match (position, sheet) {
        (Some(p), _) => p.to_string(),
        (None, Some(s)) => format!("{file}: sheet `{s}`"),
        (None, None) => file.to_owned(),
    }
}

impl GridError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            GridError::Empty { .. } => Some("export the questionnaire again; the file has no content".to_owned()),
            GridError::NotAWorkbook { hint, .. } => Some(hint.clone()),
            GridError::TooLarge { .. } => Some(
                "a questionnaire is a few hundred rows: remove other sheets or images, or export only the questionnaire sheet"
                    .to_owned(),
            ),
            GridError::MissingSheet { nearest, .. } => Some(match nearest {
                Some(n) => format!("did you mean `{n}`? the sheet may have been renamed"),
                None => "give the workbook as the questionnaire's publisher sent it, or name the sheet".to_owned(),
            }),
            GridError::Unreadable { hint, .. } => Some(hint.clone()),
        }
    }
}

enum Source {
    Xlsx(Box<Xlsx<Cursor<Vec<u8>>>>),
    Csv(Sheet),
}

/// An opened workbook: an xlsx file (sheets read on demand) or a CSV file (one sheet).
pub struct Workbook {
    file: String,
    source: Source,
}

impl fmt::Debug for Workbook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workbook")
            .field("file", &self.file)
            .field("csv", &self.is_csv())
            .field("sheets", &self.sheet_names())
            .finish()
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl Workbook {
    /// Opens `bytes` by what they are: a zip → xlsx; text in a file whose name does not end
    /// in an Excel extension → CSV. `file` is the name positions will show.
    pub fn open(file: &str, bytes: Vec<u8>) -> Result<Self, GridError> {
        let lower = file.to_ascii_lowercase();
        if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
            return Self::from_xlsx(file, bytes);
        }
        let excel_name = [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"]
            .iter()
            .any(|e| lower.ends_with(e));
        if excel_name || bytes.starts_with(OLE_MAGIC) || bytes.is_empty() {
            return Self::from_xlsx(file, bytes);
        }
        Self::from_csv(file, &bytes)
    }

    /// Opens an xlsx workbook.
    pub fn from_xlsx(file: &str, bytes: Vec<u8>) -> Result<Self, GridError> {
        let not = |reason: &str, hint: &str| GridError::NotAWorkbook {
            file: file.to_owned(),
            reason: reason.to_owned(),
            hint: hint.to_owned(),
        };
        if bytes.is_empty() {
            return Err(GridError::Empty {
                file: file.to_owned(),
            });
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(GridError::TooLarge {
                file: file.to_owned(),
                reason: format!(
                    "{} bytes, over the {MAX_FILE_BYTES} byte limit",
                    bytes.len()
                ),
            });
        }
        if bytes.starts_with(OLE_MAGIC) {
            return Err(not(
                "it is an OLE compound file: an Excel 97-2003 `.xls` workbook or a password-protected `.xlsx`",
                "open it in Excel or LibreOffice, remove any password, and save it as an Excel workbook (.xlsx)",
            ));
        }
        if !bytes.starts_with(ZIP_MAGIC) && !bytes.starts_with(EMPTY_ZIP_MAGIC) {
            return Err(not(
                "it does not start with the zip signature of an xlsx file",
                "save the file as an Excel workbook (.xlsx), or as CSV UTF-8 with a `.csv` name",
            ));
        }
        check_zip(file, &bytes)?;
        let opened = catch_unwind(AssertUnwindSafe(|| Xlsx::new(Cursor::new(bytes))));
        match opened {
            Ok(Ok(x)) => Ok(Workbook {
                file: file.to_owned(),
                source: Source::Xlsx(Box::new(x)),
            }),
            Ok(Err(e)) => Err(not(
                &format!(
                    "the zip holds no readable Excel workbook ({})",
                    calamine_message(&e)
                ),
                "save the file as an Excel workbook (.xlsx) and try again",
            )),
            Err(_) => Err(not(
                "its workbook parts are malformed",
                "save the file as an Excel workbook (.xlsx) and try again",
            )),
        }
    }

    /// Reads CSV text (UTF-8, an optional byte-order mark, any line ends; quoted fields may
    /// span lines) as one sheet named after the file's stem.
    pub fn from_csv(file: &str, bytes: &[u8]) -> Result<Self, GridError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(GridError::TooLarge {
                file: file.to_owned(),
                reason: format!(
                    "{} bytes, over the {MAX_FILE_BYTES} byte limit",
                    bytes.len()
                ),
            });
        }
        let body = bytes
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(bytes);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(GridError::Empty {
                file: file.to_owned(),
            });
        }
        let name = stem(file);
        let unreadable = |row: usize, message: String, hint: &str| GridError::Unreadable {
            file: file.to_owned(),
            sheet: Some(name.clone()),
            position: Some(Box::new(Position::new(file, &name, row, 0))),
            message,
            hint: hint.to_owned(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut rows = Vec::new();
        let mut budget = MAX_SHEET_CELLS;
        for (i, record) in reader.byte_records().enumerate() {
            let record = record.map_err(|e| {
                unreadable(
                    i,
                    format!("cannot read the record: {e}"),
                    "save the file again as CSV UTF-8",
                )
            })?;
            let mut row = Vec::with_capacity(record.len());
            for field in &record {
                let text = std::str::from_utf8(field).map_err(|_| {
                    unreadable(
                        i,
                        "the text is not UTF-8".to_owned(),
                        "save the file as \"CSV UTF-8\" (Excel) or with the UTF-8 character set (LibreOffice)",
                    )
                })?;
                row.push(if text.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(text.to_owned())
                });
            }
            while row.last() == Some(&Cell::Empty) {
                row.pop();
            }
            budget = budget
                .checked_sub(row.len() + 1)
                .ok_or_else(|| GridError::TooLarge {
                    file: file.to_owned(),
                    reason: format!("more than {MAX_SHEET_CELLS} cells"),
                })?;
            rows.push(row);
        }
        while rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        Ok(Workbook {
            file: file.to_owned(),
            source: Source::Csv(Sheet {
                file: file.to_owned(),
                name,
                rows,
                merged: Vec::new(),
            }),
        })
    }

    /// The file's display name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether this is a CSV file (one sheet, no merged cells).
    pub fn is_csv(&self) -> bool {
        matches!(self.source, Source::Csv(_))
    }

    /// The sheets' names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.source {
            Source::Xlsx(x) => x.sheet_names(),
            Source::Csv(s) => vec![s.name.clone()],
        }
    }

    /// The first sheet whose name satisfies `pred`.
    pub fn find_sheet(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        self.sheet_names().into_iter().find(|n| pred(n))
    }

    /// The error for a sheet that is not there: lists the sheets and the nearest name.
    pub fn missing(&self, wanted: &str) -> GridError {
        let found = self.sheet_names();
        let nearest = nearest(wanted, found.iter().map(String::as_str)).map(str::to_owned);
        GridError::MissingSheet {
            file: self.file.clone(),
            wanted: wanted.to_owned(),
            found,
            nearest,
        }
    }

    /// Reads the sheet `name` (for CSV, the one sheet, whatever `name` is given).
    pub fn sheet(&mut self, name: &str) -> Result<Sheet, GridError> {
        if !self.is_csv() && !self.sheet_names().iter().any(|n| n == name) {
            return Err(self.missing(name));
        }
        let file = self.file.clone();
        match &mut self.source {
            Source::Csv(s) => Ok(s.clone()),
            Source::Xlsx(x) => {
                let x: &mut Xlsx<Cursor<Vec<u8>>> = x;
                match catch_unwind(AssertUnwindSafe(|| read_xlsx_sheet(x, &file, name))) {
                    Ok(r) => r,
                    Err(_) => Err(GridError::Unreadable {
                        file: file.clone(),
                        sheet: Some(name.to_owned()),
                        position: None,
                        message: "the sheet's cell references are malformed".to_owned(),
                        hint: "open the file in Excel or LibreOffice and save it again".to_owned(),
                    }),
                }
            }
        }
    }
}

fn stem(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s.to_owned(),
        _ => base.to_owned(),
    }
}

fn calamine_message(e: &calamine::XlsxError) -> String {
    // calamine's messages are capitalised sentences; ours are lowercase fragments.
    let s = e.to_string();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => s,
    }
}

/// Refuses zips whose central directory promises more than the limits, before calamine
/// inflates anything; the zip reader then fails any entry that inflates past its promise.
fn check_zip(file: &str, bytes: &[u8]) -> Result<(), GridError> {
    let not = |reason: String| GridError::NotAWorkbook {
        file: file.to_owned(),
        reason,
        hint: "the file is damaged or truncated: download or export it again as .xlsx".to_owned(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| not(format!("it is not a readable zip archive ({e})")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(GridError::TooLarge {
            file: file.to_owned(),
            reason: format!(
                "{} zip entries, over the limit of {MAX_ZIP_ENTRIES}",
                archive.len()
            ),
        });
    }
    let mut total: u64 = 0;
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| not(format!("zip entry {i} is unreadable ({e})")))?;
        total = total.saturating_add(entry.size());
        if let Ok(n) = entry.name() {
            names.push(n.into_owned());
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(GridError::TooLarge {
            file: file.to_owned(),
            reason: format!(
                "it unpacks to {total} bytes, over the {MAX_UNPACKED_BYTES} byte limit"
            ),
        });
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if !has("xl/workbook.xml") {
        let (reason, hint) = if has("xl/workbook.bin") {
            (
                "it is an Excel binary workbook (.xlsb)",
                "save it as an Excel workbook (.xlsx)",
            )
        } else if has("content.xml") {
            (
                "it is an OpenDocument file (.ods)",
                "save it as an Excel workbook (.xlsx)",
            )
        } else {
            (
                "it is a zip archive without an Excel workbook in it",
                "give the .xlsx file itself, not an archive holding it",
            )
        };
        return Err(GridError::NotAWorkbook {
            file: file.to_owned(),
            reason: reason.to_owned(),
            hint: hint.to_owned(),
        });
    }
    Ok(())
}

fn convert(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        #[expect(
            clippy::cast_precision_loss,
            reason = "cell integers beyond 2^53 are not questionnaire data"
        )]
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::Number(d.as_f64()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn read_xlsx_sheet(
    x: &mut Xlsx<Cursor<Vec<u8>>>,
    file: &str,
    name: &str,
) -> Result<Sheet, GridError> {
    let unreadable = |e: &calamine::XlsxError| GridError::Unreadable {
        file: file.to_owned(),
        sheet: Some(name.to_owned()),
        position: None,
        message: format!("the sheet cannot be read: {}", calamine_message(e)),
        hint: "open the file in Excel or LibreOffice and save it again".to_owned(),
    };
    let too_large = || GridError::TooLarge {
        file: file.to_owned(),
        reason: format!("sheet `{name}` spans more than {MAX_SHEET_CELLS} cells"),
    };
    let merged = x
        .merge_cells_by_sheet_name(name)
        .map_err(|e| unreadable(&e))?
        .into_iter()
        .map(|d| Region {
            first: d.start,
            last: d.end,
        })
        .collect();
    let mut reader = x.worksheet_cells_reader(name).map_err(|e| unreadable(&e))?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut used = 0usize;
    while let Some(c) = reader.next_cell().map_err(|e| unreadable(&e))? {
        let value = convert(c.get_value());
        if value == Cell::Empty {
            continue;
        }
        let (r, col) = c.get_position();
        let (r, col) = (r as usize, col as usize);
        if r >= rows.len() {
            used = used.saturating_add(r + 1 - rows.len());
            if used > MAX_SHEET_CELLS {
                return Err(too_large());
            }
            rows.resize_with(r + 1, Vec::new);
        }
        let Some(row) = rows.get_mut(r) else {
            return Err(too_large());
        };
        if col >= row.len() {
            used = used.saturating_add(col + 1 - row.len());
            if used > MAX_SHEET_CELLS {
                return Err(too_large());
            }
            row.resize(col + 1, Cell::Empty);
        }
        if let Some(slot) = row.get_mut(col) {
            *slot = value;
        }
    }
    Ok(Sheet {
        file: file.to_owned(),
        name: name.to_owned(),
        rows,
        merged,
    })
}

/// The known word closest to `word` (edit distance at most a third of its length, at least 2),
/// case-insensitively, for "did you mean" hints. (labfit has the same in `error::nearest`.)
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    let w = word.to_lowercase();
    known
        .into_iter()
        .map(|k| (levenshtein(&w, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let up = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let diag = prev.get(j).copied().unwrap_or(usize::MAX - 1);
            let left = row.last().copied().unwrap_or(usize::MAX - 1);
            row.push((diag + usize::from(ca != *cb)).min(up + 1).min(left + 1));
        }
        prev = row;
    }
    prev.last().copied().unwrap_or(0)
}

/// Text for a cell of a generated file: a leading `'` on text a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return), as labfit's `report::csv::cell` does.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The inverse of [`neutralise`] for text read back from a file we wrote.
pub fn unneutralise(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(column_letters(u32::MAX), "MWLQKWV");
    }

    #[test]
    fn positions_read_like_a_spreadsheet() {
        let p = Position::new("v.xlsx", "CAIQv4.0.3", 4, 2);
        assert_eq!(
            p.to_string(),
            "v.xlsx: sheet `CAIQv4.0.3`, row 5, column C (C5)"
        );
        assert_eq!(p.cell_ref(), "C5");
        let r = Region {
            first: (1, 2),
            last: (1, 3),
        };
        assert_eq!(r.a1(), "C2:D2");
        assert!(r.contains(1, 3) && !r.contains(2, 3) && r.is_first(1, 2) && !r.is_first(1, 3));
    }

    #[test]
    fn numbers_display_as_shown() {
        assert_eq!(Cell::Number(3.0).display().as_deref(), Some("3"));
        assert_eq!(Cell::Number(2.5).display().as_deref(), Some("2.5"));
        assert_eq!(Cell::Text("  ".into()).display(), None);
        assert!(Cell::Text(" \t".into()).is_blank());
    }

    #[test]
    fn neutralising_round_trips() {
        for s in [
            "=1+1", "+x", "-3", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted", "",
        ] {
            assert_eq!(unneutralise(&neutralise(s)), s);
        }
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    }

    #[test]
    fn nearest_names() {
        let names = ["Introduction", "CAIQv4.0.3", "Scope"];
        assert_eq!(nearest("CAIQ v4.0.3", names), Some("CAIQv4.0.3"));
        assert_eq!(nearest("zzz", names), None);
    }

    #[test]
    fn csv_basics() {
        let wb = Workbook::open(
            "dir/answers.csv",
            b"\xEF\xBB\xBFa,b\r\n\"x\ny\",,\n\n".to_vec(),
        )
        .unwrap();
        let mut wb = wb;
        let s = wb.sheet("whatever").unwrap();
        assert_eq!(s.name, "answers");
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.cell(1, 0), &Cell::Text("x\ny".into()));
        assert_eq!(s.cell(1, 1), &Cell::Empty);
        assert_eq!(s.cell(99, 99), &Cell::Empty);
    }

    #[test]
    fn csv_errors_have_positions() {
        let e = Workbook::open("a.csv", b"ok\n\xff\xfe\n".to_vec()).unwrap_err();
        assert!(
            matches!(&e, GridError::Unreadable { position: Some(p), .. } if p.row == 2 && p.column == "A"),
            "{e:?}"
        );
        assert!(e.hint().is_some());
        assert!(matches!(
            Workbook::open("a.csv", b"  \n".to_vec()),
            Err(GridError::Empty { .. })
        ));
    }
}
