//! `compare`, `questions` and `diff` from outside, on the built-in content, as a lab would use
//! them: the BAA question first for Tencent Cloud, a flipped fact moving the verdict, every
//! format written, `--assume` on compare and questions, and no progress bar off a terminal.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn labfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("run labfit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_reports");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const AS_OF: [&str; 2] = ["--as-of", "2026-01-01"];

#[test]
fn questions_for_tencent_cloud_put_the_baa_first() {
    let o = labfit(&[
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        AS_OF[0],
        AS_OF[1],
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let first = out
        .lines()
        .position(|l| l.trim_start().starts_with("1. "))
        .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[first].contains("[q14] must-have"), "{}", lines[first]);
    assert!(
        lines[first + 1].contains("Will you sign a HIPAA business associate agreement"),
        "{out}"
    );
    assert!(lines[first + 2].contains("hipaa.baa"), "{out}");

    let o = labfit(&[
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--format",
        "json",
        AS_OF[0],
        AS_OF[1],
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["labfit"], "questions/v1");
    let q = &v["questions"][0];
    assert_eq!(
        (q["fact"].as_str(), q["question"].as_str()),
        (Some("contract.baa"), Some("q14"))
    );
    assert_eq!(q["gate"], true);
    // Every question says by how much it moves each framework, and those add up to its swing.
    for q in v["questions"].as_array().unwrap() {
        let sum: f64 = q["impact"]["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["swing"].as_f64().unwrap())
            .sum();
        assert!((sum - q["swing"].as_f64().unwrap()).abs() < 1e-5, "{q}");
    }
}

#[test]
fn questions_as_a_letter_and_as_csv() {
    let base = [
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        AS_OF[0],
        AS_OF[1],
        "--format",
    ];
    let md = stdout(&labfit(&[&base[..], &["markdown"]].concat()));
    assert!(md.starts_with("# Questions for Tencent Cloud\n"), "{md}");
    assert!(md.contains("Dear Tencent Cloud team,"));
    assert!(md.contains("## Must-have questions\n\n### 1. A business associate agreement for ePHI (guide question q14)"));
    assert!(md.contains("Kind regards,"));
    // The provider's letter names the kind of answer without spelling out 249 country codes.
    let letter = stdout(&labfit(
        &[&base[..], &["text", "--for", "provider"]].concat(),
    ));
    assert!(
        letter.contains("Answer type: a two-letter ISO 3166 country code, such as US, DE or CN\n"),
        "{letter}"
    );
    assert!(!letter.contains("AD, AE, AF"), "{letter}");
    // The CSV is the form the provider fills in (tests/answers/ reads it back).
    let csv = stdout(&labfit(&[&base[..], &["csv"]].concat()));
    let mut rows = csv.split("\r\n");
    assert_eq!(
        rows.next().unwrap(),
        "Question ID,Fact,Question,Answer type,Allowed values,Current value,Current status,Answer,Document,Document checked,Notes"
    );
    assert!(rows
        .next()
        .unwrap()
        .starts_with("q14.contract.baa,contract.baa,Will you sign"));
}

#[test]
fn flipping_a_fact_moves_the_verdict_in_diff() {
    // The lab hears back: Tencent Cloud will not sign a BAA. A copy of its evidence with that
    // one fact flipped must show the must-have failing and the verdict falling to ineligible.
    let original = "examples/providers/tencent-cloud.yaml";
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(original)).unwrap();
    let flipped = replace_fact(
        &text,
        "contract.baa",
        "{value: false, status: claimed, note: \"the account team says no\"}",
    );
    let copy = tmp("tencent-cloud-no-baa.yaml");
    std::fs::write(&copy, flipped).unwrap();
    let copy = copy.to_str().unwrap();

    let o = labfit(&[
        "diff",
        original,
        copy,
        "-p",
        "us-clinical-diagnostics",
        AS_OF[0],
        AS_OF[1],
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("verdict    conditional → ineligible"), "{out}");
    assert!(out.contains("must-have  hipaa.baa open → failed"), "{out}");
    assert!(out.contains("changed  contract.baa"), "{out}");
    assert!(out.contains("unknown → false (claimed)"), "{out}");

    let o = labfit(&[
        "diff",
        original,
        copy,
        "-p",
        "us-clinical-diagnostics",
        "--format",
        "json",
        AS_OF[0],
        AS_OF[1],
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["labfit"], "diff/v1");
    assert_eq!(v["old"]["standing"]["verdict"], "conditional");
    assert_eq!(v["new"]["standing"]["verdict"], "ineligible");
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["key"], "contract.baa");
    assert_eq!(changes[0]["kind"], "changed");
    assert_eq!(changes[0]["effect"]["verdict"], "ineligible");
    assert!(changes[0]["effect"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["id"] == "hipaa.baa" && g["from"] == "open" && g["to"] == "failed"));
    // A refusal lowers the potential and cannot raise the fit.
    let (old, new) = (&v["old"]["standing"], &v["new"]["standing"]);
    assert!(new["potential"].as_f64() < old["potential"].as_f64());
    assert!(new["fit"].as_f64() <= old["fit"].as_f64());
}

#[test]
fn a_change_of_scope_alone_shows_in_diff() {
    // Tencent Cloud's ISO/IEC 27001 certificate covers TRTC only. Were it to cover every
    // service, only its `covers` would change: the diff must still list it, with its effect.
    let original = "examples/providers/tencent-cloud.yaml";
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(original)).unwrap();
    let widened = replace_fact(
        &text,
        "cert.iso27001",
        "{value: true, status: claimed, source: trtc-certs,\n                  note: \"ISO/IEC 27001:2013, stated for Tencent Real-Time Communication (TRTC) only; no certificate for the rest of the platform was found\"}",
    );
    let copy = tmp("tencent-cloud-iso-everywhere.yaml");
    std::fs::write(&copy, widened).unwrap();
    let o = labfit(&[
        "diff",
        original,
        copy.to_str().unwrap(),
        "-p",
        "us-clinical-diagnostics",
        "--format",
        "json",
        AS_OF[0],
        AS_OF[1],
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["key"], "cert.iso27001");
    assert_eq!(changes[0]["fields"], serde_json::json!(["covers"]));
    // The certificate now counts, so the fit rises.
    let (old, new) = (&v["old"]["standing"], &v["new"]["standing"]);
    assert!(new["fit"].as_f64() > old["fit"].as_f64(), "{old} {new}");
    assert_eq!(changes[0]["effect"]["fit"], new["fit"]);
}

/// Replaces a fact's entry (one line, or a flow map over several lines) with `value`.
fn replace_fact(text: &str, key: &str, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap();
    let indent = &lines[start][..lines[start].len() - lines[start].trim_start().len()];
    // A flow map ends where its braces balance.
    let mut depth = 0i32;
    let mut end = start;
    for (i, l) in lines.iter().enumerate().skip(start) {
        depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
        end = i;
        if depth <= 0 {
            break;
        }
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| (*l).to_owned()).collect();
    out.push(format!("{indent}{key}: {value}"));
    out.extend(lines[end + 1..].iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

#[test]
fn compare_writes_every_format() {
    for (format, start) in [
        ("text", "US clinical diagnostic laboratory"),
        ("json", "{"),
        (
            "markdown",
            "# Cloud provider comparison: US clinical diagnostic laboratory",
        ),
        ("html", "<!DOCTYPE html>"),
        ("junit", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        ("csv", "rank,provider_id,provider,verdict,fit,potential,"),
    ] {
        let path = tmp(&format!("compare.{format}"));
        let o = labfit(&[
            "compare",
            "-p",
            "us-clinical-diagnostics",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
            AS_OF[0],
            AS_OF[1],
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        // Off a terminal there is no progress bar: stderr stays empty.
        assert_eq!(stderr(&o), "", "{format}");
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(
            written.starts_with(start),
            "{format}: {}",
            &written[..80.min(written.len())]
        );
    }
    let html = std::fs::read_to_string(tmp("compare.html")).unwrap();
    assert_eq!(html.matches("<article class=\"provider\"").count(), 10);
    let csv = std::fs::read_to_string(tmp("compare.csv")).unwrap();
    assert_eq!(csv.matches("\r\n").count(), 11);
}

#[test]
fn score_writes_markdown_html_and_junit() {
    for (format, needle) in [
        ("markdown", "**Verdict: conditional**"),
        (
            "html",
            "<title>Tencent Cloud × US clinical diagnostic laboratory",
        ),
        (
            "junit",
            "<property name=\"must_have.hipaa.baa\" value=\"open\"/>",
        ),
    ] {
        let o = labfit(&[
            "score",
            "-p",
            "us-clinical-diagnostics",
            "-e",
            "tencent-cloud",
            "--format",
            format,
            AS_OF[0],
            AS_OF[1],
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(stdout(&o).contains(needle), "{format}");
    }
}

#[test]
fn assume_works_on_compare_and_questions() {
    let o = labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        "tencent-cloud",
        "aws",
        "--assume",
        "contract.baa=true",
        "--format",
        "json",
        "--full",
        AS_OF[0],
        AS_OF[1],
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 2);
    for r in v["reports"].as_array().unwrap() {
        assert_eq!(r["assumptions"][0]["fact"], "contract.baa");
        let baa = r["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "hipaa.baa")
            .unwrap();
        assert_ne!(baa["state"], "failed");
    }
    let o = labfit(&[
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--assume",
        "contract.baa=true",
        "--format",
        "json",
        AS_OF[0],
        AS_OF[1],
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["questions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["fact"] != "contract.baa"));
    // A bad assumption is a usage error, named.
    let o = labfit(&[
        "questions",
        "-p",
        "us-clinical-diagnostics",
        "-e",
        "tencent-cloud",
        "--assume",
        "contract.bba=true",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `contract.baa`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn formats_a_command_does_not_have_are_refused() {
    let o = labfit(&[
        "questions",
        "-p",
        "base-lab",
        "-e",
        "aws",
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = labfit(&["score", "-p", "base-lab", "-e", "aws", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_of_a_missing_file_is_an_input_error() {
    let o = labfit(&["diff", "aws", "no/such/file.yaml", "-p", "base-lab"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/file.yaml"), "{}", stderr(&o));
}

/// The HTML report's summary items, as text.
fn html_summary(html: &str) -> Vec<String> {
    let start = html.find("<ul class=\"summary\">").expect("a summary list");
    let list = &html[start..start + html[start..].find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|li| {
            let text = li.split("</li>").next().unwrap();
            let mut plain = String::new();
            let mut in_tag = false;
            for c in text.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => plain.push(c),
                    _ => {}
                }
            }
            plain
                .replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
        .collect()
}

#[test]
fn the_text_compare_says_what_the_html_summary_says() {
    for profile in ["us-clinical-diagnostics", "gxp-qc-lab", "base-lab"] {
        let html = stdout(&labfit(&[
            "compare", "-p", profile, AS_OF[0], AS_OF[1], "--format", "html",
        ]));
        let text = stdout(&labfit(&["compare", "-p", profile, AS_OF[0], AS_OF[1]]));
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = flat(&text);
        let items = html_summary(&html);
        assert!(items.len() >= 3, "{profile}: {items:?}");
        for item in &items {
            // The HTML counts the questions (it has every report); the ranking alone cannot.
            if item.starts_with("Next step:") {
                assert!(text.contains("Next step: send each"), "{profile}: {text}");
                continue;
            }
            assert!(
                text.contains(&flat(item)),
                "{profile}: the text compare lacks\n{item}\n--- it says:\n{text}"
            );
        }
    }
    let text = stdout(&labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        AS_OF[0],
        AS_OF[1],
    ]));
    assert!(text.contains("No provider can be chosen yet"), "{text}");
    assert!(text.contains("includes expired documents"), "{text}");
}

/// The part of `html` from `start` to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the report"));
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The committee's report names requirements by title with the id small, states what the
/// evidence supports and what is still open, records the decision on its inputs' hashes with
/// room to sign, and prints the profile's parameters and the input hashes open
/// (tests/external_tools.rs reads the same back from the printed PDF).
#[test]
fn the_committee_report_recommends_and_records_the_decision() {
    let o = labfit(&[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        AS_OF[0],
        AS_OF[1],
        "--format",
        "html",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = stdout(&o);
    let must_haves = [
        "clia.confidentiality",
        "clia.retention_general",
        "dsp.covered_person_access",
        "hipaa.baa",
        "hipaa.return_or_destroy",
    ];

    // Column headers: a title, then the id small beside it; never the bare id.
    let header = between(&html, "<section id=\"gates\">", "</thead>");
    for id in must_haves {
        let cell = header
            .split("<th>")
            .find(|th| th.contains(&format!("<code class=\"id\">{id}</code>")))
            .unwrap_or_else(|| panic!("no column for {id}:\n{header}"));
        let title = cell.split("<code").next().unwrap().trim();
        assert!(title.len() > id.len() && !title.contains(id), "{cell}");
    }

    // What the evidence supports, and per must-have who has it open, failed or met.
    let rec = between(&html, "<section id=\"recommendation\">", "</section>");
    assert!(
        rec.contains("<b>What the evidence supports.</b> No provider can be chosen yet"),
        "{rec}"
    );
    let open = between(rec, "What is still open", "</table>");
    assert!(open.contains("<th>open for</th><th>failed by</th><th>met by</th>"));
    for id in must_haves {
        assert!(
            open.contains(&format!("<code class=\"id\">{id}</code>")),
            "{id}"
        );
    }
    assert_eq!(open.matches("<tr><td>").count(), must_haves.len());

    // Who decided, when, on which inputs, with room for signatures.
    let record = between(&html, "<section id=\"decision\">", "</section>");
    let digest = between(
        record,
        "SHA-256 of that list: <code class=\"id\">",
        "</code>",
    )
    .rsplit('>')
    .next()
    .unwrap();
    assert!(
        digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()),
        "{digest}"
    );
    assert!(record.contains("profiles/us-clinical-diagnostics.yaml"));
    for field in [
        "Decision",
        "Provider chosen (or none)",
        "Conditions, and the answers still awaited",
        "Decided by (names and roles)",
        "Date of the decision",
    ] {
        assert!(
            record.contains(&format!(
                "<tr><th>{field}</th><td class=\"fill\"></td></tr>"
            )),
            "{field}"
        );
    }
    assert_eq!(record.matches("Signature, name and role").count(), 3);

    // The paper record keeps the lab's thresholds and the hashes: printed open.
    let params = between(
        &html,
        "<details class=\"section print-open\"><summary>The profile's parameters",
        "</details>",
    );
    for (key, value) in [
        ("min_multi_zone_sla_pct", "99.95"),
        ("min_retention_years", "2"),
    ] {
        assert!(
            params.contains(&format!("<td><code>{key}</code></td><td>{value}</td>")),
            "{key} = {value}"
        );
    }
    let inputs = between(&html, "<section id=\"inputs\">", "</section>");
    assert!(inputs.contains("<details class=\"section print-open\">"));
}
