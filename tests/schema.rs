//! The JSON Schemas match the loaders: every built-in file validates against its schema, a
//! report validates against the report schema, and what a loader refuses for an unknown field
//! or a wrong value the schema refuses too. `--format oscal` is valid against NIST's OSCAL
//! 1.2.1 assessment-results schema for every built-in profile with two providers, a
//! comparison and the hostile pack's report.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::Path;

use labfit::authoring::schema::{schema, SchemaKind};
use labfit::{Engine, Options, SourceFile};

fn to_json(text: &str) -> serde_json::Value {
    yaml_serde::from_str(text).expect("YAML")
}

fn validator(kind: SchemaKind, engine: &Engine) -> jsonschema::Validator {
    let s = schema(kind, Some(engine.vocabulary()));
    jsonschema::validator_for(&s).expect("a valid schema")
}

fn kind_of(text: &str) -> Option<SchemaKind> {
    let header = text
        .lines()
        .find(|l| l.starts_with("labfit:"))?
        .trim_start_matches("labfit:")
        .trim()
        .to_owned();
    Some(match header.as_str() {
        "evidence/v1" => SchemaKind::Evidence,
        "profile/v1" => SchemaKind::Profile,
        "catalog/v1" => SchemaKind::Catalog,
        "vocabulary/v1" => SchemaKind::Vocabulary,
        "rule-tests/v1" => SchemaKind::RuleTests,
        "parameters/v1" => SchemaKind::Parameters,
        "mapping/v1" => SchemaKind::Mapping,
        _ => return None,
    })
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn every_builtin_and_example_file_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::builder()
        .rules_dir(root.join("examples/us-residency/rules"))
        .build()
        .unwrap();
    let mut files = Vec::new();
    for d in ["rules", "profiles", "examples"] {
        yaml_files(&root.join(d), &mut files);
    }
    files.sort();
    let mut checked = 0;
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let Some(kind) = kind_of(&text) else { continue };
        let v = validator(kind, &engine);
        let doc = to_json(&text);
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", p.display());
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn a_report_validates_against_the_report_schema() {
    let engine = Engine::builtin().unwrap();
    let v = validator(SchemaKind::Report, &engine);
    // A profile with numbers, and one with judgements (its report carries `weighting`).
    let workshop = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/workshop/committee.yaml"
    );
    for id in ["us-clinical-diagnostics", workshop] {
        let profile = engine.profile(id).unwrap();
        let evidence = engine.evidence("tencent-cloud").unwrap();
        let report = engine.score(&profile, &evidence, &Options::default());
        let doc = serde_json::to_value(&report).unwrap();
        assert_eq!(doc["profile"]["weighting"].is_object(), id == workshop);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{id}: {errors:#?}");
    }
}

/// Each case: a file the loader refuses; the schema must refuse it too.
#[test]
fn what_the_loaders_refuse_the_schemas_refuse() {
    let engine = Engine::builtin().unwrap();
    let cases: &[(SchemaKind, &str)] = &[
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, titel: A, check: a.rhai::f}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, title: A}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, title: A, check: a.rhai::f, children: {b: 1}}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, title: A, children: {b: -1}}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: A, title: A, check: a.rhai::f}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, title: A, check: a.rhai}\n"),
        (SchemaKind::Catalog, "labfit: catalog/v1\nrequirements:\n  - {id: a, title: A, questions: [q19], check: a.rhai::f}\n"),
        (SchemaKind::Catalog, "labfit: profile/v1\nrequirements: []\n"),
        (SchemaKind::Vocabulary, "labfit: vocabulary/v1\nfacts:\n  a.b: {type: bool, meaning: m, question: q14, ask: a?, extra: 1}\n"),
        (SchemaKind::Vocabulary, "labfit: vocabulary/v1\nfacts:\n  a.b: {type: enum, meaning: m, question: q14, ask: a?}\n"),
        (SchemaKind::Vocabulary, "labfit: vocabulary/v1\nfacts:\n  a.b: {type: bool, values: [x], meaning: m, question: q14, ask: a?}\n"),
        (SchemaKind::Vocabulary, "labfit: vocabulary/v1\nfacts:\n  a.b: {type: bool, meaning: m, question: q14, ask: a?, valid_months: -1}\n"),
        (SchemaKind::Vocabulary, "labfit: vocabulary/v1\nfacts:\n  a.b: {type: bool, meaning: m, question: q14, ask: a?}\nservices:\n  compute: {meaning: m, defualt: true}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframwork: {hipaa: 1}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nparams: {min_x: {value: 1, sauce: s}}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nmust_have: [{id: hipaa.baa, min: 2}]\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nmust_have: [{id: hipaa.baa, min_assurance: unknown}]\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nmust_have: [{id: hipaa.baa, min_assurance: reported}]\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {judgements: [[hipaa, clia, 10]]}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {judgements: [[hipaa, clia]]}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {hipaa: 2, judgements: [[hipaa, clia, 2]]}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nweights: {hipaa.baa: {judgments: [[ctl.baa, ctl.baa_scope, 2]]}}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nahp: {random_index: saaty}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nwaivers: [{id: a, reason: r, approved_by: q}]\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nbands: {strong: 80, moderat: 60}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nweights: {hipaa: 2}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {hipaa: 1}\nservices: [teleportation]\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {hipaa: 1}\nassurance: {claimed: 1.5}\n"),
        (SchemaKind::Profile, "labfit: profile/v1\nid: p\nframeworks: {hipaa: 1}\nassurance: {claim: 0.7}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.bba: true\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: \"yes\"\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {value: true, sauce: x}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {value: true, status: unknown}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {status: claimed}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  cert.iso27001: {value: true, covers: [teleportation]}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  cert.iso27001: {value: true, covers: []}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {value: true, status: assumed}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  sla.compute_multi_zone_pct: 120\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  auth.fedramp: hgh\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\ndefault_status: unknown\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nsources: {s: {title: T, link: x}}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\n"),
        (SchemaKind::RuleTests, "labfit: rule-tests/v1\ncases:\n  - {name: n, requirement: ctl.baa, expect: {status: passed}}\n"),
        (SchemaKind::RuleTests, "labfit: rule-tests/v1\ncases:\n  - {name: n, requirement: ctl.baa, expect: {stat: pass}}\n"),
        (SchemaKind::RuleTests, "labfit: rule-tests/v1\ncases:\n  - {name: n, requirement: ctl.baa, facts: {contract.bba: true}, expect: {status: pass}}\n"),
        (SchemaKind::Parameters, "labfit: parameters/v1\nparams:\n  min_x: {type: number, meaning: m, default: 1}\n"),
        (SchemaKind::Parameters, "labfit: parameters/v1\nparams:\n  min_x: {type: decimal, meaning: m, default: 1, source: s}\n"),
        (SchemaKind::Parameters, "labfit: parameters/v1\nparams:\n  Min-X: {type: number, meaning: m, default: 1, source: s}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {value: true, history: [{status: reported, as_of: 2024-01-01}]}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nfacts:\n  contract.baa: {value: true, history: [{value: true, status: unknown, as_of: 2024-01-01, superseded: 2025-01-01}]}\n"),
        (SchemaKind::Evidence, "labfit: evidence/v1\nid: e\nprovider: E\nas_of: 2025-01-01\nsources: {s: {title: T, sha256: abc}}\n"),
        (SchemaKind::Mapping, "labfit: mapping/v1\ntitle: T\nlayout: caiq\nquestions:\n  A-1: {about: a, sets: []}\n"),
        (SchemaKind::Mapping, "labfit: mapping/v1\ntitle: T\nlayout: sig\nquestions:\n  A-1: {about: a, sets: [contract.baa]}\n"),
        (SchemaKind::Mapping, "labfit: mapping/v1\ntitle: T\nlayout: {id: Q}\nquestions:\n  A-1: {about: a, sets: [contract.baa]}\n"),
        (SchemaKind::Mapping, "labfit: mapping/v1\ntitle: T\nlayout: caiq\nquestions:\n  A-1: {about: a, sets: [{fact: contract.baa, maybe: true}]}\n"),
        (SchemaKind::Mapping, "labfit: mapping/v1\ntitle: T\nlayout: caiq\nquestions:\n  A-1: {sets: [contract.baa]}\n"),
    ];
    for (kind, text) in cases {
        // The loader refuses it…
        let f = SourceFile::from_text("t.yaml", *text);
        let loaded: Result<(), String> = match kind {
            SchemaKind::Catalog => labfit::graph::catalog::parse(&f, "t", "")
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::Vocabulary => labfit::evidence::vocabulary::Vocabulary::parse(&f)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::Profile => engine
                .profile_from(f.clone())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::Evidence => engine
                .evidence_from(&f)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::RuleTests => labfit::authoring::testing::run_file(&engine, &f)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::Parameters => labfit::profile::params::ParamVocabulary::parse(&f)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            SchemaKind::Mapping => {
                labfit::answers::mapping::Mapping::parse(&f, engine.vocabulary())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            SchemaKind::Report => unreachable!(),
        };
        assert!(loaded.is_err(), "the loader accepts {text}");
        // …and so does the schema.
        let v = validator(*kind, &engine);
        assert!(!v.is_valid(&to_json(text)), "the schema accepts {text}");
    }
}

// --- OSCAL: `--format oscal` against NIST's assessment-results schema (tests/schemas/) ---

/// NIST's OSCAL 1.2.1 assessment-results JSON Schema (draft-07), with formats checked too.
fn oscal_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas/oscal_assessment-results_schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OSCAL schema compiles, \\p{L} patterns included")
}

fn oscal_errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every UUID is unique, and every reference (observation, risk, the plan) points at one.
fn oscal_references_resolve(doc: &serde_json::Value) {
    let ar = &doc["assessment-results"];
    let mut defined = vec![ar["uuid"].as_str().unwrap().to_owned()];
    let mut walk = vec![ar];
    while let Some(v) = walk.pop() {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(u) = m.get("uuid").and_then(|u| u.as_str()) {
                    if !std::ptr::eq(v, ar) {
                        defined.push(u.to_owned());
                    }
                }
                walk.extend(m.values());
            }
            serde_json::Value::Array(a) => walk.extend(a.iter()),
            _ => {}
        }
    }
    let mut sorted = defined.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), defined.len(), "a UUID is used twice");
    let text = doc.to_string();
    for key in ["observation-uuid", "risk-uuid", "subject-uuid"] {
        for part in text.split(&format!("\"{key}\":\"")).skip(1) {
            let u = &part[..36];
            assert!(
                sorted.binary_search(&u.to_owned()).is_ok(),
                "{key} {u} is defined nowhere"
            );
        }
    }
    let plan = ar["import-ap"]["href"]
        .as_str()
        .unwrap()
        .trim_start_matches('#');
    assert!(ar["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["uuid"] == plan));
}

#[test]
fn every_builtin_profile_with_two_providers_writes_valid_oscal() {
    let v = oscal_validator();
    let engine = Engine::builtin().unwrap();
    let options = Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        ..Options::default()
    };
    let mut checked = 0;
    for id in engine.builtin_profiles() {
        let profile = engine.profile(id).unwrap();
        for provider in ["aws", "tencent-cloud"] {
            let report = engine.score(&profile, &engine.evidence(provider).unwrap(), &options);
            let text = labfit::render::oscal::report(&report);
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let errors = oscal_errors(&v, &doc);
            assert!(
                errors.is_empty(),
                "{id} × {provider}:\n{}",
                errors.join("\n")
            );
            oscal_references_resolve(&doc);
            let result = &doc["assessment-results"]["results"][0];
            assert_eq!(
                result["findings"].as_array().unwrap().len(),
                report.nodes.len(),
                "one finding per requirement"
            );
            let gates = report
                .gates
                .iter()
                .filter(|g| g.state != labfit::GateState::Met);
            assert_eq!(
                result["risks"].as_array().map_or(0, Vec::len),
                gates.count(),
                "one risk per failed or open must-have"
            );
            // Same inputs, same bytes.
            assert_eq!(text, labfit::render::oscal::report(&report));
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} documents checked");
}

#[test]
fn a_comparison_and_the_hostile_pack_write_valid_oscal() {
    let v = oscal_validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        ..Options::default()
    };
    let engine = Engine::builtin().unwrap();
    let profile = engine.profile("us-clinical-diagnostics").unwrap();
    let all = engine.gather(&[], true).unwrap().evidence;
    let cmp = engine.compare(&profile, &all, &options);
    let doc: serde_json::Value =
        serde_json::from_str(&labfit::render::oscal::comparison(&cmp)).unwrap();
    let errors = oscal_errors(&v, &doc);
    assert!(errors.is_empty(), "comparison:\n{}", errors.join("\n"));
    oscal_references_resolve(&doc);
    assert_eq!(
        doc["assessment-results"]["results"]
            .as_array()
            .unwrap()
            .len(),
        all.len()
    );

    let hostile = Engine::builder()
        .rules_dir(root.join("tests/data/packs/hostile"))
        .build()
        .unwrap();
    let profile = hostile.profile("tests/data/profiles/hostile.yaml").unwrap();
    let evidence = hostile
        .evidence("tests/data/evidence/minimal.yaml")
        .unwrap();
    let report = hostile.score(&profile, &evidence, &options);
    assert!(!report.errors.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&labfit::render::oscal::report(&report)).unwrap();
    let errors = oscal_errors(&v, &doc);
    assert!(errors.is_empty(), "hostile:\n{}", errors.join("\n"));
    oscal_references_resolve(&doc);
    let text = doc.to_string();
    assert!(
        text.contains("Rule error"),
        "rule errors are carried as remarks"
    );
}

#[test]
fn the_oscal_schema_patterns_are_enforced() {
    // The schema's token and string patterns use `\p{L}`, `\p{N}` and `\S`: check they are
    // compiled and applied, not skipped, on a document that is otherwise valid.
    let v = oscal_validator();
    let engine = Engine::builtin().unwrap();
    let report = engine.score(
        &engine.profile("base-lab").unwrap(),
        &engine.evidence("aws").unwrap(),
        &Options::default(),
    );
    let good: serde_json::Value =
        serde_json::from_str(&labfit::render::oscal::report(&report)).unwrap();
    assert!(oscal_errors(&v, &good).is_empty());
    let target = "/assessment-results/results/0/findings/0/target/target-id";
    let prop = "/assessment-results/results/0/props/0/value";
    for (pointer, value, valid) in [
        (target, "1abc", false),
        (target, "éa.b-c", true),
        (target, "a b", false),
        (prop, " leading", false),
        (prop, "two\nlines", false),
        (prop, "ok value", true),
    ] {
        let mut doc = good.clone();
        *doc.pointer_mut(pointer).unwrap() = serde_json::Value::from(value);
        assert_eq!(
            oscal_errors(&v, &doc).is_empty(),
            valid,
            "{pointer} = {value:?}"
        );
    }
}

#[test]
fn the_cli_writes_the_library_s_oscal() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args([
            "score",
            "-p",
            "base-lab",
            "-e",
            "aws",
            "--as-of",
            "2026-01-01",
            "--format",
            "oscal",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let engine = Engine::builtin().unwrap();
    let report = engine.score(
        &engine.profile("base-lab").unwrap(),
        &engine.evidence("aws").unwrap(),
        &Options {
            as_of: Some("2026-01-01".parse().unwrap()),
            ..Options::default()
        },
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, labfit::render::oscal::report(&report));
    // The UUIDs come from the inputs: one assumption more gives other UUIDs throughout.
    let assumed = std::process::Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args([
            "score",
            "-p",
            "base-lab",
            "-e",
            "aws",
            "--as-of",
            "2026-01-01",
            "--assume",
            "contract.baa=true",
            "--format",
            "oscal",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let a: serde_json::Value = serde_json::from_str(&text).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&assumed.stdout).unwrap();
    for uuid in [
        "/assessment-results/uuid",
        "/assessment-results/results/0/uuid",
    ] {
        assert_ne!(a.pointer(uuid), b.pointer(uuid), "{uuid}");
        assert!(a.pointer(uuid).is_some_and(serde_json::Value::is_string));
    }
}
