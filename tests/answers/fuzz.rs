//! A quick fuzz: random bytes, truncated and bit-flipped workbooks, damaged sheet XML inside a
//! valid zip, and random CSV, through every reader. Nothing may panic; every error must have
//! a hint. Deterministic (seeded), so a failure names its input.

use crate::synth;
use labfit::answers::grid::Workbook;
use labfit::answers::hecvat::Edition;
use labfit::answers::{caiq, form, hecvat};

use crate::util::{rezip, unzip, Rng};

fn exercise(name: &str, bytes: Vec<u8>) {
    let mut wb = match Workbook::open(name, bytes) {
        Ok(wb) => wb,
        Err(e) => {
            assert!(e.hint().is_some(), "{e:?}");
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    for s in wb.sheet_names() {
        if let Err(e) = wb.sheet(&s) {
            assert!(e.hint().is_some(), "{e:?}");
        }
    }
    if let Err(e) = caiq::read(&mut wb) {
        let _ = e.hint();
    }
    if let Err(e) = hecvat::read(&mut wb, Edition::Full) {
        let _ = e.hint();
    }
    let _ = form::read(&mut wb, &[]);
}

fn seeds() -> Vec<Vec<u8>> {
    vec![
        synth::caiq_workbook(&synth::CAIQ_ROWS).unwrap(),
        synth::hecvat_workbook("Lite", &synth::HECVAT_ROWS).unwrap(),
    ]
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0x5eed_0001);
    for i in 0..150 {
        let len = rng.below(600);
        let mut v: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 {
            v.splice(0..0, *b"PK\x03\x04");
        }
        exercise(if i % 3 == 0 { "r.csv" } else { "r.xlsx" }, v);
    }
}

#[test]
fn truncated_and_flipped_workbooks() {
    let mut rng = Rng(0x5eed_0002);
    for seed in seeds() {
        for _ in 0..80 {
            let cut = rng.below(seed.len());
            exercise("t.xlsx", seed[..cut].to_vec());
        }
        for _ in 0..80 {
            let mut v = seed.clone();
            for _ in 0..=rng.below(8) {
                let at = rng.below(v.len());
                v[at] ^= 1 << rng.below(8);
            }
            exercise("f.xlsx", v);
        }
    }
}

#[test]
fn damaged_parts_in_a_valid_zip() {
    let mut rng = Rng(0x5eed_0003);
    let nasty: [&[u8]; 8] = [
        b"r=\"A99999999999\"",
        b"r=\"XFD1048577\"",
        b"<c r=\"B2\" t=\"s\"><v>4294967295</v></c>",
        b"<mergeCell ref=\"A1:XFD1048576\"/>",
        b"<row r=\"0\">",
        b"&#xFFFFFF;",
        b"<v>1e999999</v>",
        b"]]><![CDATA[",
    ];
    for seed in seeds() {
        let entries = unzip(&seed);
        for _ in 0..90 {
            let mut e = entries.clone();
            let victim = rng.below(e.len());
            let data = &mut e[victim].1;
            match rng.below(4) {
                0 => data.truncate(rng.below(data.len() + 1)),
                1 => {
                    let at = rng.below(data.len());
                    data[at] = rng.next() as u8;
                }
                2 => {
                    let at = rng.below(data.len() + 1);
                    let n = nasty[rng.below(nasty.len())];
                    data.splice(at..at, n.iter().copied());
                }
                _ => {
                    let a = rng.below(data.len());
                    let b = rng.below(data.len());
                    let (a, b) = (a.min(b), a.max(b));
                    data.drain(a..b);
                }
            }
            exercise("d.xlsx", rezip(&e));
        }
    }
}

#[test]
fn random_csv() {
    let mut rng = Rng(0x5eed_0004);
    let alphabet = b"ab,\"\r\n\t=+-@'A&-01.1YesNo\xff\xef\xbb\xbf ";
    for _ in 0..100 {
        let len = rng.below(400);
        let v: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        exercise("c.csv", v);
    }
}
