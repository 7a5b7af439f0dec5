//! How fast labfit scores, at registry scale, against a native floor (docs/performance.md
//! explains every figure). `cargo bench` runs it all in a few minutes; `cargo bench -- NAME`
//! runs one group (`a_score_one`, `b_compare_2000`, `c_matrix_2000`, `d_startup`,
//! `e_native_floor`, `f_memo`, `f_robustness`, `parse_2000`, `parse_one`, `growth`).
//!
//! The corpus is generated in memory (examples/gen-corpus, seed 1) and scored as of a fixed
//! date, so every run measures the same work.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "bench code fails loudly"
)]

// The allocator the `labfit` binary runs with, so the figures are the command's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use labfit::evidence::Reader;
use labfit::rules::{FactTable, Memo, Params};
use labfit::FactValue;
use labfit::{BoundProfile, Engine, Evidence, Options, SourceFile};

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(
    dead_code,
    reason = "the generator's file-writing helpers are for the example"
)]
mod corpus;
#[path = "support/native.rs"]
mod native;

const SEED: u64 = 1;
const PROVIDERS: usize = 2000;
const PROFILE: &str = "us-clinical-diagnostics";

struct Fixture {
    engine: Engine,
    /// The same engine without the memo: every rule runs for every provider.
    plain: Engine,
    /// The corpus with every number, integer and list made unique to its provider: a registry
    /// where facts rarely repeat, the memo's worst case.
    unique: Vec<Evidence>,
    options: Options,
    texts: Vec<SourceFile>,
    corpus: Vec<Evidence>,
    profiles: Vec<BoundProfile>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let engine = Engine::builtin().unwrap();
        let model = corpus::Model::new(&engine);
        let texts: Vec<SourceFile> = model
            .corpus(SEED, PROVIDERS)
            .into_iter()
            .map(|(id, text)| SourceFile::from_text(&format!("{id}.yaml"), text))
            .collect();
        let corpus: Vec<Evidence> = texts
            .iter()
            .map(|f| engine.evidence_from(f).unwrap())
            .collect();
        let unique = corpus
            .iter()
            .enumerate()
            .map(|(k, e)| unique(k, e))
            .collect();
        let profiles = engine
            .builtin_profiles()
            .map(|p| engine.profile(p).unwrap())
            .collect::<Vec<_>>();
        let options = Options {
            as_of: Some("2026-01-01".parse().unwrap()),
            assumptions: Vec::new(),
        };
        Fixture {
            engine,
            plain: Engine::builder().without_memo().build().unwrap(),
            unique,
            options,
            texts,
            corpus,
            profiles,
        }
    })
}

/// `e` with its numbers nudged by a provider-specific amount too small to change a verdict's
/// meaning, its integers raised by the index and a provider-specific item in every list.
fn unique(k: usize, e: &Evidence) -> Evidence {
    let mut e = e.clone();
    for f in e.facts.values_mut() {
        match &mut f.value {
            Some(FactValue::Number(n)) => *n -= (k as f64 + 1.0) * 1e-9 * n.abs().max(1.0),
            Some(FactValue::Integer(i)) => *i += k as i64,
            Some(FactValue::List(l)) => l.push(format!("p{k}")),
            _ => {}
        }
    }
    e
}

fn profile(f: &Fixture, id: &str) -> BoundProfile {
    f.profiles
        .iter()
        .find(|p| p.profile.id == id)
        .unwrap()
        .clone()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// (a) One score: the built-in catalog × one provider × one profile, engine warm.
fn a_score_one(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let ev = f.engine.evidence("tencent-cloud").unwrap();
    let mut g = c.benchmark_group("a_score_one");
    // Everything a fresh provider costs: fact table, every reached rule, aggregation, report.
    g.bench_function("full", |b| {
        b.iter(|| f.engine.score(black_box(&p), black_box(&ev), &f.options))
    });
    // Rule outcomes cached: what is left is aggregation, gates, questions and the report.
    let prep = f.engine.prepare(&ev, &f.options);
    let _ = f.engine.score_prepared(&p, &prep);
    g.bench_function("outcomes_cached", |b| {
        b.iter(|| f.engine.score_prepared(black_box(&p), black_box(&prep)))
    });
    g.finish();
}

/// (b) `compare`: 2 000 generated providers × one profile, on 1 and on 2 threads.
fn b_compare_2000(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let mut g = c.benchmark_group("b_compare_2000");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(PROVIDERS as u64));
    for threads in [1, 2] {
        let pool = pool(threads);
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| f.engine.compare(&p, black_box(&f.corpus), &f.options)))
        });
    }
    g.finish();
}

/// (c) Every built-in profile × 2 000 providers: one prepared provider serves all profiles.
fn c_matrix_2000(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("c_matrix_2000");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements((PROVIDERS * f.profiles.len()) as u64));
    for threads in [1, 2] {
        let pool = pool(threads);
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| {
                pool.install(|| {
                    f.engine
                        .compare_profiles(&f.profiles, black_box(&f.corpus), &f.options)
                })
            })
        });
    }
    g.finish();
}

/// (d) Engine start-up: load, validate and compile the built-in pack.
fn d_startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("d_startup");
    g.sample_size(20);
    g.bench_function("builtin", |b| b.iter(|| Engine::builtin().unwrap()));
    g.finish();
}

/// (e) The `cap` framework's 11 checks in Rhai and hand-written in Rust, over the same fact
/// tables (the 10 built-in providers and 190 generated ones) and the same parameters.
fn e_native_floor(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let params: Params = p.params.clone();
    let as_of = f.options.as_of.unwrap();
    let builtin = f
        .engine
        .builtin_providers()
        .map(|id| f.engine.evidence(id).unwrap());
    let tables: Vec<Arc<FactTable>> = builtin
        .chain(f.corpus.iter().take(190).cloned())
        .map(|e| {
            Arc::new(FactTable::new(
                &e,
                f.engine.vocabulary(),
                as_of,
                p.profile.max_evidence_age_days,
                &p.services,
            ))
        })
        .collect();
    let rules = f.engine.rules();
    for t in &tables {
        for (file, function, check) in native::CAP {
            // tests/scale.rs checks this on more providers; here it guards the figures.
            assert_eq!(
                rules.evaluate(file, function, t, &params),
                check(t, &params),
                "{function}"
            );
        }
    }
    let mut g = c.benchmark_group("e_native_floor");
    g.throughput(Throughput::Elements(
        (tables.len() * native::CAP.len()) as u64,
    ));
    g.bench_function("rhai", |b| {
        b.iter(|| {
            for t in &tables {
                for (file, function, _) in native::CAP {
                    black_box(rules.evaluate(file, function, t, &params));
                }
            }
        })
    });
    // The same evaluations through a memo that starts empty each iteration, as a comparison's
    // does: the 200 providers' rules, reused wherever a rule reads the same values.
    g.bench_function("rhai_memo", |b| {
        b.iter(|| {
            let memo = Memo::new();
            for t in &tables {
                for (file, function, _) in native::CAP {
                    black_box(rules.evaluate_with(file, function, t, &params, None, Some(&memo)));
                }
            }
        })
    });
    g.bench_function("native", |b| {
        b.iter(|| {
            for t in &tables {
                for (_, _, check) in native::CAP {
                    black_box(check(t, &params));
                }
            }
        })
    });
    g.finish();
}

/// The memo: ranking 2 000 providers under one profile (summaries, no reports: rules are most
/// of the cost) on one thread, with and without the memo, on the generated registry and on
/// the one where facts rarely repeat.
fn f_memo(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let pool = pool(1);
    let mut g = c.benchmark_group("f_memo");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(PROVIDERS as u64));
    for (corpus, name) in [(&f.corpus, "registry"), (&f.unique, "unique")] {
        for (engine, path) in [(&f.engine, "memo"), (&f.plain, "plain")] {
            g.bench_function(BenchmarkId::new(path, name), |b| {
                b.iter(|| pool.install(|| engine.rank(&p, black_box(corpus), &f.options)))
            });
        }
    }
    g.finish();
}

/// Parsing 2 000 evidence files (YAML → typed evidence, validated against the vocabulary).
fn parse_2000(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("parse_2000");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(PROVIDERS as u64));
    g.bench_function("evidence", |b| {
        b.iter(|| {
            f.texts
                .iter()
                .map(|t| f.engine.evidence_from(t).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

/// The first generated file cut to its first `n` facts (its header and sources kept; each
/// generated fact is one line), as YAML and as the same document in JSON.
fn first_facts(f: &Fixture, n: usize) -> [SourceFile; 2] {
    let mut yaml = String::new();
    let mut facts = None;
    for line in f.texts[0].text().lines() {
        if facts == Some(n) {
            break;
        }
        yaml.push_str(line);
        yaml.push('\n');
        match facts {
            Some(k) if line.starts_with("  ") => facts = Some(k + 1),
            None if line == "facts:" => facts = Some(0),
            _ => {}
        }
    }
    assert_eq!(
        facts,
        Some(n),
        "the first generated file has fewer than {n} facts"
    );
    // yaml_serde's own value keeps the keys in order (the header first).
    let value: yaml_serde::Value = yaml_serde::from_str(&yaml).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    [
        SourceFile::from_text("facts_30.yaml", yaml),
        SourceFile::from_text("facts_30.json", json),
    ]
}

/// One 30-fact evidence file, YAML and JSON, through `Evidence::parse` (the fast reader) and
/// through the `yaml_serde` reader alone (what `Evidence::parse` did before).
fn parse_one(c: &mut Criterion) {
    let f = fixture();
    let vocab = f.engine.vocabulary();
    let mut g = c.benchmark_group("parse_one");
    g.warm_up_time(Duration::from_secs(1));
    for file in first_facts(f, 30) {
        let format = if file.name().ends_with(".json") {
            "json"
        } else {
            "yaml"
        };
        g.bench_function(BenchmarkId::new("facts_30", format), |b| {
            b.iter(|| Evidence::parse(black_box(&file), vocab).unwrap())
        });
        g.bench_function(BenchmarkId::new("facts_30_yaml_serde", format), |b| {
            b.iter(|| {
                Evidence::parse_with(black_box(&file), vocab, Reader::Full)
                    .unwrap()
                    .unwrap()
            })
        });
    }
    g.finish();
}

/// A profile over every framework of the catalog (every requirement and rule), with
/// every parameter any built-in profile sets: the top of the requirements axis.
fn all_frameworks(f: &Fixture) -> BoundProfile {
    let graph = f.engine.graph();
    let roots: Vec<String> = (0..graph.len())
        .filter(|&i| graph.parents(i).is_empty())
        .filter_map(|i| graph.node(i).map(|n| format!("{}: 1", n.req.id)))
        .collect();
    let mut params = std::collections::BTreeMap::new();
    for p in &f.profiles {
        for (k, v) in p.params.iter() {
            params
                .entry(k.clone())
                .or_insert_with(|| serde_json::to_string(v).unwrap());
        }
    }
    let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let text = format!(
        "labfit: profile/v1\nid: all-frameworks\ntitle: Every framework\nframeworks: {{{}}}\nparams: {{{}}}\n",
        roots.join(", "),
        params.join(", ")
    );
    let p = f
        .engine
        .profile_from(SourceFile::from_text("all-frameworks.yaml", text))
        .unwrap();
    let r = f.engine.score(&p, &f.corpus[0], &f.options);
    assert!(
        r.errors.is_empty() && r.nodes.len() == graph.len(),
        "{:?}",
        r.errors
    );
    p
}

/// How cost grows: providers (250, 1 000, 2 000 × one profile), requirements (base-lab,
/// us-clinical-diagnostics and every framework: 60, 90 and every requirement × 2 000) and
/// profiles (1, 3, 10 × 2 000); all on the default pool.
fn growth(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let mut g = c.benchmark_group("growth");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [250, 1000, 2000] {
        g.bench_with_input(BenchmarkId::new("providers", n), &n, |b, &n| {
            b.iter(|| f.engine.compare(&p, black_box(&f.corpus[..n]), &f.options))
        });
    }
    for p in [
        profile(f, "base-lab"),
        profile(f, PROFILE),
        all_frameworks(f),
    ] {
        let id = p.profile.id.clone();
        g.bench_with_input(BenchmarkId::new("requirements", id), &p, |b, p| {
            b.iter(|| f.engine.compare(p, black_box(&f.corpus), &f.options))
        });
    }
    for k in [1, 3, 10] {
        let ps = ["us-clinical-diagnostics", "gxp-qc-lab", "forensic-lab"]
            .iter()
            .map(|id| profile(f, id))
            .chain(
                f.profiles
                    .iter()
                    .filter(|p| {
                        !matches!(
                            p.profile.id.as_str(),
                            "us-clinical-diagnostics" | "gxp-qc-lab" | "forensic-lab"
                        )
                    })
                    .cloned(),
            )
            .take(k)
            .collect::<Vec<_>>();
        g.bench_with_input(BenchmarkId::new("profiles", k), &ps, |b, ps| {
            b.iter(|| {
                f.engine
                    .compare_profiles(ps, black_box(&f.corpus), &f.options)
            })
        });
    }
    g.finish();
}

/// (f) `compare --robustness 10000`: SMAA-2 over 20 providers × the built-in graph, on 1 and
/// 2 threads, beside one full score for the ratio (docs/performance.md). Each iteration scores
/// the 20 providers once, draws 10 000 samples of weights and open evidence, and runs the rank
/// and confidence passes.
fn f_robustness(c: &mut Criterion) {
    let f = fixture();
    let p = profile(f, PROFILE);
    let providers = &f.corpus[..20];
    let cmp = f.engine.rank(&p, providers, &f.options);
    let ro = labfit::RobustnessOptions {
        samples: 10_000,
        seed: 1,
        spread: None,
    };
    let mut g = c.benchmark_group("f_robustness");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let ev = &providers[0];
    g.bench_function("one_score", |b| {
        b.iter(|| f.engine.score(black_box(&p), black_box(ev), &f.options))
    });
    for threads in [1, 2] {
        let pool = pool(threads);
        g.bench_with_input(
            BenchmarkId::new("samples_10000_providers_20", threads),
            &threads,
            |b, _| {
                b.iter(|| {
                    pool.install(|| {
                        f.engine
                            .robustness(&p, black_box(providers), &cmp, &f.options, &ro)
                            .unwrap()
                    })
                })
            },
        );
    }
    g.finish();
}

criterion_group!(
    benches,
    a_score_one,
    d_startup,
    e_native_floor,
    f_memo,
    parse_2000,
    parse_one,
    b_compare_2000,
    c_matrix_2000,
    f_robustness,
    growth
);
criterion_main!(benches);
