//! `labfit import caiq`, `hecvat` and `questionnaire` on workbooks laid out exactly as the
//! questionnaires are (synthetic answers), and on malformed ones: every failure exits 2 with
//! the file, and where it has one the sheet, row and column; nothing panics.

use std::path::Path;
use std::process::{Command, Output};

use labfit::{Engine, Evidence, FactValue, SourceFile, Status};

use crate::roundtrip::scratch;
use crate::synth::{self, caiq_sheet, hecvat_sheet, t, SynthSheet};

fn labfit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn evidence(dir: &Path, file: &str) -> Evidence {
    let engine = Engine::builtin().unwrap();
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    Evidence::parse(&SourceFile::from_text(file, text), engine.vocabulary()).unwrap()
}

fn fact(e: &Evidence, key: &str) -> Option<(FactValue, Status)> {
    e.facts
        .get(key)
        .and_then(|f| f.value.clone().map(|v| (v, f.status)))
}

/// A CAIQ whose answers exercise every rule of the mapping.
const CAIQ: [synth::CaiqRow<'static>; 11] = [
    (
        "CEK-03.1",
        "Yes",
        "CSP-owned",
        "AES-256 at rest; TLS 1.2 or later in transit.",
    ),
    ("IVS-03.2", "Yes", "CSP-owned", ""),
    ("HRS-01.1", "No", "CSP-owned", ""),
    ("IAM-05.1", "NA", "CSP-owned", ""),
    (
        "IAM-14.1",
        "Yes",
        "CSC-owned",
        "The customer configures MFA.",
    ),
    (
        "TVM-06.1",
        "Yes",
        "3rd-party outsourced",
        "=yearly test by an outside firm",
    ),
    ("SEF-07.1", "Yes", "CSP-owned", ""),
    ("SEF-07.2", "No", "Shared CSP and CSC", ""),
    ("LOG-03.1", "Yes", "CSP-owned", ""),
    ("A&A-01.1", "Yes", "CSP-owned", ""),
    ("AIS-01.1", "", "", ""),
];

#[test]
fn caiq_answers_become_facts_and_say_what_they_could_not() {
    let dir = scratch("answers-caiq");
    std::fs::write(
        dir.join("acme-caiq.xlsx"),
        synth::caiq_workbook(&CAIQ).unwrap(),
    )
    .unwrap();
    let o = labfit(
        &dir,
        &[
            "import",
            "caiq",
            "acme-caiq.xlsx",
            "--provider",
            "acme",
            "--name",
            "Acme Cloud",
            "-o",
            "acme.yaml",
            "--date",
            "2026-03-02",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = evidence(&dir, "acme.yaml");
    assert_eq!((e.id.as_str(), e.provider.as_str()), ("acme", "Acme Cloud"));
    let claimed = |b| Some((FactValue::Bool(b), Status::Claimed));
    assert_eq!(fact(&e, "security.encryption_at_rest"), claimed(true));
    // Two questions agree on encryption in transit.
    assert_eq!(fact(&e, "security.encryption_in_transit"), claimed(true));
    assert_eq!(fact(&e, "personnel.background_checks"), claimed(false));
    assert_eq!(fact(&e, "security.regular_pentests"), claimed(true));
    assert_eq!(fact(&e, "policy.security_documents_shared"), claimed(true));
    // NA is not a pass; a CSC-owned control does not credit the provider; SEF-07.1 and
    // SEF-07.2 disagree, so intrusion notification stays unknown.
    for unset in [
        "personnel.access_restricted",
        "security.mfa",
        "security.intrusion_notification",
    ] {
        assert!(!e.facts.contains_key(unset), "{unset}");
    }
    let note = e.facts["security.encryption_at_rest"]
        .note
        .as_deref()
        .unwrap();
    assert_eq!(
        note,
        "CSA CAIQ v4.0.3 CEK-03.1 (Yes): AES-256 at rest; TLS 1.2 or later in transit."
    );
    let src = &e.sources["caiq-2026-03-02"];
    assert!(src.title.as_deref().unwrap().contains("acme-caiq.xlsx"));
    assert!(src.sha256.is_some());

    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let account = flat(&out(&o));
    for want in [
        "CSA CAIQ v4.0.3 into `acme`: 5 facts set (source `caiq-2026-03-02`)",
        "set security.encryption_at_rest = true (claimed)",
        "answered NA (not a pass), 1 customer-owned (no credit), 1 gave no value, 2 conflict",
        "IAM-05.1   NA   NA, sets nothing: personnel.access_restricted",
        "IAM-14.1   Yes  CSC-owned, sets nothing: security.mfa",
        "SEF-07.2   No   conflicts with another answer on security.intrusion_notification",
        "mapping: access follows least privilege",
        "the sheet asks: Is control IAM-05.1 in place?",
        "1 answered question no mapping covers: A&A-01.1.",
        "cannot answer",
        "contract.baa",
    ] {
        assert!(
            account.contains(&flat(want)),
            "missing {want:?} in\n{account}"
        );
    }

    // A third-party-audited submission: the same facts, attested.
    let o = labfit(
        &dir,
        &[
            "import",
            "caiq",
            "acme-caiq.xlsx",
            "--provider",
            "acme",
            "--attested",
            "-o",
            "att.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let a = evidence(&dir, "att.yaml");
    assert_eq!(
        fact(&a, "security.encryption_at_rest"),
        Some((FactValue::Bool(true), Status::Attested))
    );

    // Into existing evidence: the facts it had are kept in their history.
    let o = labfit(
        &dir,
        &[
            "import",
            "caiq",
            "acme-caiq.xlsx",
            "-e",
            "tencent-cloud",
            "-o",
            "t.yaml",
            "--date",
            "2026-03-02",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let t = evidence(&dir, "t.yaml");
    let old = Engine::builtin()
        .unwrap()
        .evidence("tencent-cloud")
        .unwrap();
    let key = "security.encryption_at_rest";
    if let Some(before) = old.facts.get(key) {
        assert_eq!(t.facts[key].history.last().unwrap().status, before.status);
    }
    assert_eq!(t.id, "tencent-cloud");
}

#[test]
fn a_caiq_exported_as_csv_reads_the_same() {
    let dir = scratch("answers-caiq-csv");
    let headers: Vec<&str> = labfit::answers::caiq::HEADERS
        .iter()
        .map(|h| h.unwrap_or(""))
        .collect();
    let csv = format!(
        "Consensus Assessments Initiative Questionnaire v4.0.3\r\n{}\r\nCEK-03.1,Q,Yes,CSP-owned,,,,,CEK-03,,,\r\nHRS-01.1,Q,No,CSP-owned,,,,,HRS-01,,,\r\n",
        headers.join(",")
    );
    std::fs::write(dir.join("caiq.csv"), csv).unwrap();
    let o = labfit(&dir, &["import", "caiq", "caiq.csv", "-o", "c.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = evidence(&dir, "c.yaml");
    assert_eq!(e.id, "caiq");
    assert_eq!(
        fact(&e, "personnel.background_checks"),
        Some((FactValue::Bool(false), Status::Claimed))
    );
}

/// Runs an import that must fail, and returns its stderr from the first error on (an import
/// that wrote its YAML to stdout says what it did on stderr first).
#[track_caller]
fn refused(dir: &Path, args: &[&str]) -> String {
    let o = labfit(dir, args);
    // `check` reports on stdout, imports on stderr.
    let e = format!("{}{}", out(&o), err(&o));
    assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
    assert!(!e.contains("panicked"), "{e}");
    let at = e
        .find("error: ")
        .unwrap_or_else(|| panic!("no error in {e}"));
    e[at..].to_owned()
}

#[test]
fn malformed_caiq_workbooks_exit_2_with_their_position() {
    let dir = scratch("answers-caiq-bad");
    let write = |name: &str, sheets: &[SynthSheet]| {
        std::fs::write(dir.join(name), synth::xlsx(sheets).unwrap()).unwrap();
    };
    let rows = &synth::CAIQ_ROWS;
    let mut s = caiq_sheet("CAIQv4.0.3", rows);
    s.set(1, 2, t("Answer"));
    write("header.xlsx", &[s]);
    write("renamed.xlsx", &[caiq_sheet("CAIQ v4.0.3", rows)]);
    write(
        "merged.xlsx",
        &[caiq_sheet("CAIQv4.0.3", rows).merge(2, 2, 3, 2)],
    );
    let mut s = caiq_sheet("CAIQv4.0.3", rows);
    s.set(2, 2, t("Maybe"));
    write("unknown.xlsx", &[s]);
    std::fs::write(dir.join("empty.xlsx"), b"").unwrap();
    std::fs::write(dir.join("text.xlsx"), b"Question ID,Answer\nA&A-01.1,Yes\n").unwrap();
    let cases = [
        (
            "header.xlsx",
            "error: header.xlsx: sheet `CAIQv4.0.3`, row 2, column C (C2): expected the header `CSP CAIQ Answer`, found `Answer`",
        ),
        (
            "renamed.xlsx",
            "error: `renamed.xlsx` has no sheet `CAIQv4.0.x` (its sheets: `CAIQ v4.0.3`)",
        ),
        (
            "merged.xlsx",
            "error: merged.xlsx: sheet `CAIQv4.0.3`, row 4, column C (C4): cell is part of the merged range C3:C4",
        ),
        (
            "unknown.xlsx",
            "error: unknown.xlsx: sheet `CAIQv4.0.3`, row 3, column C (C3): unknown answer `Maybe`",
        ),
        ("empty.xlsx", "error: `empty.xlsx` is empty"),
        ("text.xlsx", "error: `text.xlsx` is not a workbook"),
    ];
    for (file, want) in cases {
        let e = refused(&dir, &["import", "caiq", file, "-o", "out.yaml"]);
        assert!(e.starts_with(want), "{file}:\n got: {e}\nwant: {want}");
        assert!(e.contains("= help: "), "{file}: {e}");
    }
    // A rejected cell leaves the other answers written.
    assert!(dir.join("out.yaml").exists());
}

const HECVAT: [synth::HecvatRow<'static>; 8] = [
    ("GNRL-01", "Solution provider name", "Acme Cloud", ""),
    ("GNRL-08", "Country of company headquarters", "us", ""),
    ("DATA-02", "Is transport encrypted?", "Yes", "TLS 1.2"),
    ("DATA-03", "Is storage encrypted?", "Yes", "AES-256"),
    ("DATA-04", "FIPS 140 modules?", "No", ""),
    ("DCTR-02", "SOC 2 Type 2 for hosting?", "Yes", ""),
    ("DOCU-03", "SSAE 18 / SOC 2 audit?", "No", ""),
    ("AAAI-17", "MFA without SSO?", "N/A", ""),
];

#[test]
fn hecvat_full_and_lite_answers_become_facts() {
    let dir = scratch("answers-hecvat");
    for edition in ["Full", "Lite"] {
        let file = format!("acme-{edition}.xlsx");
        std::fs::write(
            dir.join(&file),
            synth::hecvat_workbook(edition, &HECVAT).unwrap(),
        )
        .unwrap();
        let o = labfit(
            &dir,
            &[
                "import",
                "hecvat",
                &file,
                "--provider",
                "acme",
                "-o",
                "acme.yaml",
                "--date",
                "2026-03-02",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let e = evidence(&dir, "acme.yaml");
        let claimed = |v| Some((v, Status::Claimed));
        // The country's code in any case is the enum's value.
        assert_eq!(
            fact(&e, "jurisdiction.hq_country"),
            claimed(FactValue::Text("US".into()))
        );
        assert_eq!(
            fact(&e, "security.encryption_at_rest"),
            claimed(FactValue::Bool(true))
        );
        assert_eq!(
            fact(&e, "security.fips140"),
            claimed(FactValue::Bool(false))
        );
        // A Yes to DATA-02 covers less than the fact; DCTR-02 and DOCU-03 disagree on SOC 2;
        // N/A is not a pass.
        for unset in [
            "security.encryption_in_transit",
            "attest.soc2",
            "security.mfa",
        ] {
            assert!(!e.facts.contains_key(unset), "{edition}: {unset}");
        }
        let account = out(&o);
        assert!(
            account.starts_with(&format!("HECVAT {edition} 3.06 into `acme`: 3 facts set")),
            "{account}"
        );
        assert!(account.contains("GNRL-01"), "unmapped: {account}");
    }

    // A country in words is none of the enum's values: it gives no value, and is no error.
    let mut rows = HECVAT;
    rows[1].2 = "United States";
    std::fs::write(
        dir.join("words.xlsx"),
        synth::hecvat_workbook("Full", &rows).unwrap(),
    )
    .unwrap();
    let o = labfit(&dir, &["import", "hecvat", "words.xlsx", "-o", "w.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(!evidence(&dir, "w.yaml")
        .facts
        .contains_key("jurisdiction.hq_country"));
    let account = out(&o);
    assert!(
        account.contains("GNRL-08    Uni… gives no value to jurisdiction.hq_country"),
        "{account}"
    );
    assert!(account.contains("2 gave no value"), "{account}");
}

#[test]
fn malformed_hecvat_workbooks_exit_2_with_their_position() {
    let dir = scratch("answers-hecvat-bad");
    let full = "HECVAT - Full | Vendor Response";
    let write = |name: &str, sheets: &[SynthSheet]| {
        std::fs::write(dir.join(name), synth::xlsx(sheets).unwrap()).unwrap();
    };
    let rows = &synth::HECVAT_ROWS;
    let mut s = hecvat_sheet(full, "Full", rows);
    s.set(3, 3, t("Answers"));
    write("header.xlsx", &[s]);
    write(
        "renamed.xlsx",
        &[hecvat_sheet("HECVAT Full Vendor Response", "Full", rows)],
    );
    write(
        "merged.xlsx",
        &[hecvat_sheet(full, "Full", rows).merge(10, 3, 11, 3)],
    );
    let mut s = hecvat_sheet(full, "Full", rows);
    s.set(8, 3, t("Mostly"));
    write("unknown.xlsx", &[s]);
    std::fs::write(dir.join("empty.xlsx"), b"").unwrap();
    std::fs::write(dir.join("zip.xlsx"), b"PK\x03\x04 not really a zip").unwrap();
    let cases = [
        (
            "header.xlsx",
            "error: header.xlsx: sheet `HECVAT - Full | Vendor Response`, row 1, column A (A1): no `Vendor Answers` header in rows 1–30",
        ),
        ("renamed.xlsx", "error: `renamed.xlsx` has no sheet `HECVAT - Full | Vendor Response` or `HECVAT - Lite | Vendor Response`"),
        (
            "merged.xlsx",
            "error: merged.xlsx: sheet `HECVAT - Full | Vendor Response`, row 12, column D (D12): answer cell is part of the merged range D11:D12",
        ),
        (
            "unknown.xlsx",
            "error: unknown.xlsx: sheet `HECVAT - Full | Vendor Response`, row 9, column D (D9): unknown answer `Mostly`",
        ),
        ("empty.xlsx", "error: `empty.xlsx` is empty"),
        ("zip.xlsx", "error: `zip.xlsx` is not a workbook"),
    ];
    for (file, want) in cases {
        let e = refused(&dir, &["import", "hecvat", file]);
        assert!(e.starts_with(want), "{file}:\n got: {e}\nwant: {want}");
    }
}

#[test]
fn a_mapping_of_ones_own_reads_any_table() {
    let dir = scratch("answers-table");
    std::fs::write(
        dir.join("our-form.yaml"),
        "labfit: mapping/v1\ntitle: Our vendor form\nlayout: {id: \"Ques Num\", answer: Response, note: Comments}\nquestions:\n  V-1: {about: signs a BAA, sets: [contract.baa]}\n  V-2: {about: FedRAMP level, sets: [{fact: auth.fedramp, yes: moderate, no: none}]}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("answers.csv"),
        "Our form, 2026\r\nQues Num,Question,Response,Comments\r\nV-1,BAA?,Y,signed copy attached\r\nV-2,FedRAMP Moderate?,No,\r\nV-3,Other?,Yes,\r\n",
    )
    .unwrap();
    let o = labfit(&dir, &["check", "our-form.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = labfit(
        &dir,
        &[
            "import",
            "questionnaire",
            "answers.csv",
            "--mapping",
            "our-form.yaml",
            "--provider",
            "v",
            "-o",
            "v.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = evidence(&dir, "v.yaml");
    assert_eq!(
        fact(&e, "contract.baa"),
        Some((FactValue::Bool(true), Status::Claimed))
    );
    assert_eq!(
        fact(&e, "auth.fedramp"),
        Some((FactValue::Text("none".into()), Status::Claimed))
    );
    assert!(e.facts["contract.baa"]
        .note
        .as_deref()
        .unwrap()
        .contains("signed copy attached"));
    assert!(out(&o).contains("1 answered question no mapping covers: V-3."));

    // A mapping for one layout refused by the command for another; a mapping with mistakes
    // refused with their positions.
    let e = refused(
        &dir,
        &["import", "caiq", "answers.csv", "--mapping", "hecvat-3"],
    );
    assert!(
        e.starts_with("error: mapping `hecvat-3` reads the `hecvat` layout, not `caiq`"),
        "{e}"
    );
    let e = refused(&dir, &["import", "questionnaire", "answers.csv"]);
    assert!(e.contains("needs `--mapping FILE`"), "{e}");
    std::fs::write(
        dir.join("bad.yaml"),
        "labfit: mapping/v1\ntitle: T\nlayout: caiq\nquestions:\n  V-1: {about: a, sets: [contract.bba]}\n  V-2: {about: b, sets: [{fact: auth.fedramp, yes: medium}]}\n",
    )
    .unwrap();
    let e = refused(&dir, &["check", "bad.yaml"]);
    assert!(
        e.contains("unknown fact key `contract.bba`\n --> bad.yaml:5:26"),
        "{e}"
    );
    let e = refused(
        &dir,
        &["import", "caiq", "answers.csv", "--mapping", "bad.yaml"],
    );
    assert!(e.contains("--> bad.yaml:5:26"), "{e}");
}

#[test]
fn the_builtin_mappings_are_clean_and_cover_what_they_say() {
    let engine = Engine::builtin().unwrap();
    assert_eq!(
        engine.builtin_mappings().collect::<Vec<_>>(),
        ["caiq-v4", "hecvat-3"]
    );
    let caiq = engine.mapping("caiq-v4").unwrap();
    let ids: Vec<&str> = caiq.questions.keys().map(String::as_str).collect();
    assert!(
        ids.iter()
            .all(|id| labfit::answers::caiq::is_question_id(id)),
        "{ids:?}"
    );
    let hecvat = engine.mapping("hecvat-3").unwrap();
    assert!(hecvat
        .questions
        .keys()
        .all(|id| labfit::answers::hecvat::is_question_id(id)));
    // Ids only: no question text of CSA's (a question mark would be one).
    for m in [&caiq, &hecvat] {
        let text = m.file().text();
        assert!(!text
            .lines()
            .any(|l| l.trim_start().starts_with("about:") && l.contains('?')));
    }
    let e = engine.mapping("caiq-v5").unwrap_err();
    assert!(e.to_string().contains("no mapping `caiq-v5`"), "{e}");
}
