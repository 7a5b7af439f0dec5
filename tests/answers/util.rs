//! Helpers: open bytes, rewrite a part inside an xlsx zip, a small deterministic PRNG.

use std::io::{Cursor, Read as _, Write as _};

use labfit::answers::grid::{Position, Workbook};

pub fn open(file: &str, bytes: Vec<u8>) -> Workbook {
    Workbook::open(file, bytes).unwrap()
}

/// Asserts a position, `C5` style.
#[track_caller]
pub fn at(p: &Position, file: &str, sheet: &str, cell: &str) {
    assert_eq!(
        (p.file.as_str(), p.sheet.as_str(), p.cell_ref().as_str()),
        (file, sheet, cell),
        "{p}"
    );
}

/// The entries of a zip, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().into_owned(), v)
        })
        .collect()
}

/// A zip of the entries (stored, no compression).
pub fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The xlsx with one part's text replaced.
pub fn edit_part(bytes: &[u8], part: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    let mut entries = unzip(bytes);
    let entry = entries.iter_mut().find(|(n, _)| n == part).unwrap();
    entry.1 = f(std::str::from_utf8(&entry.1).unwrap()).into_bytes();
    rezip(&entries)
}

/// The text of one part.
pub fn part(bytes: &[u8], name: &str) -> String {
    let entries = unzip(bytes);
    String::from_utf8(entries.into_iter().find(|(n, _)| n == name).unwrap().1).unwrap()
}

/// xorshift64*: deterministic, so a failing input can be reproduced from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap()
    }
}
