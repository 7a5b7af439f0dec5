//! The JSON Schemas match the loaders: every built-in file validates against its schema, a
//! report validates against the report schema, and what a loader refuses for an unknown field
//! or a wrong value the schema refuses too.
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
    let profile = engine.profile("us-clinical-diagnostics").unwrap();
    let evidence = engine.evidence("tencent-cloud").unwrap();
    let report = engine.score(&profile, &evidence, &Options::default());
    let doc = serde_json::to_value(&report).unwrap();
    let v = validator(SchemaKind::Report, &engine);
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
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
            SchemaKind::Report => unreachable!(),
        };
        assert!(loaded.is_err(), "the loader accepts {text}");
        // …and so does the schema.
        let v = validator(*kind, &engine);
        assert!(!v.is_valid(&to_json(text)), "the schema accepts {text}");
    }
}
