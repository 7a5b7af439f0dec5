//! Synthetic evidence over the built-in vocabulary, for benchmarks and load tests: a registry
//! such as CSA STAR lists thousands of providers, and the ten researched ones cannot show how
//! scoring cost grows. Each file is a plausible provider — a mix of statuses, about 30 % of the
//! facts unknown, numbers spread around the values the built-in providers really have (or, for
//! the facts none of them states yet, around answers providers typically give), now and then an
//! attestation that covers only some kinds of service — and is fully determined by (seed,
//! index), so provider 7 of seed 1 is the same file whatever N is.
//!
//! Shared by `examples/gen-corpus` (writes files), the benches and the tests (`#[path]`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use labfit::evidence::vocabulary::FactType;
use labfit::{Date, Engine, FactValue, Status};

/// Share of the vocabulary a generated provider leaves unknown (absent or `status: unknown`).
pub const UNKNOWN_RATE: f64 = 0.30;

/// SplitMix64: tiny, fast and good enough to spread test data; no dependency needed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one (seed, stream) pair.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A factor in [1/spread, spread], log-uniform (as likely to halve as to double).
    pub fn factor(&mut self, spread: f64) -> f64 {
        spread.powf(2.0 * self.unit() - 1.0)
    }
}

/// What the generator knows about one fact key: its type and the values the built-in
/// providers really have.
#[derive(Clone, Debug)]
struct FactModel {
    key: String,
    ty: FactType,
    values: Vec<String>,
    real: Vec<FactValue>,
    /// True when `real` holds [`TYPICAL`] answers rather than researched ones: every draw then
    /// comes from them, never from the generic fallback.
    typical: bool,
    /// An attestation whose kind stays valid for a fixed time (a SOC report, a certificate):
    /// it may cover only some kinds of service.
    attestation: bool,
}

/// The vocabulary and the real values of the built-in providers, ready to draw from.
#[derive(Clone, Debug)]
pub struct Model {
    facts: Vec<FactModel>,
    /// The kinds of service the vocabulary knows, for `covers`.
    services: Vec<String>,
}

/// Answers providers typically give to facts that no built-in provider states yet (the typed
/// facts most public documents leave open): a number or list item per entry, parsed as the
/// vocabulary types the key. Without them a recovery point objective would be drawn like an
/// availability percentage (99 hours) and a country list filled with prose.
const TYPICAL: [(&str, &[&str]); 7] = [
    // Breach notice: "within 24/48/72 hours", a week, 30 days, HIPAA's 60 days.
    (
        "contract.breach_notice_hours",
        &["24", "36", "48", "72", "168", "720", "1440"],
    ),
    // Audit-log retention of the platform's own log service.
    (
        "logging.retention_days",
        &["7", "30", "90", "180", "365", "400", "730"],
    ),
    // Object lock / WORM: none, a few years, the usual record periods, "up to 100 years".
    (
        "storage.retention_lock_years",
        &["0", "1", "3", "7", "10", "30", "100"],
    ),
    // Recovery point and time objectives after a region loss.
    (
        "resilience.rpo_hours",
        &["0", "0.25", "1", "4", "12", "24", "48"],
    ),
    (
        "resilience.rto_hours",
        &["0.5", "1", "4", "8", "24", "72", "168"],
    ),
    (
        "export.formats",
        &[
            "CSV",
            "JSON",
            "XML",
            "Parquet",
            "SQL dump",
            "VM image",
            "proprietary backup archive",
        ],
    ),
    (
        "support.countries",
        &[
            "US", "CA", "GB", "IE", "DE", "NL", "FR", "IN", "PH", "SG", "JP", "AU", "CN", "BR",
        ],
    ),
];

/// The typical answers of `key` as values of type `ty` (a list keeps them as its item pool).
fn typical(key: &str, ty: FactType) -> Vec<FactValue> {
    let Some((_, items)) = TYPICAL.iter().find(|(k, _)| *k == key) else {
        return Vec::new();
    };
    match ty {
        FactType::Integer => items
            .iter()
            .filter_map(|s| s.parse().ok().map(FactValue::Integer))
            .collect(),
        FactType::Number | FactType::Percent => items
            .iter()
            .filter_map(|s| s.parse().ok().map(FactValue::Number))
            .collect(),
        FactType::List => vec![FactValue::List(
            items.iter().map(|s| (*s).to_owned()).collect(),
        )],
        _ => Vec::new(),
    }
}

const STATUSES: [(Status, f64); 4] = [
    (Status::Verified, 0.10),
    (Status::Attested, 0.25),
    (Status::Claimed, 0.45),
    (Status::Reported, 0.20),
];

const FILLER: [&str; 8] = [
    "documented in the provider's service terms",
    "stated in the provider's trust centre",
    "described in a public whitepaper",
    "listed on the provider's compliance page",
    "given in the data processing addendum",
    "covered by the provider's support plan description",
    "mentioned in an analyst report",
    "confirmed in a sales conversation",
];

impl Model {
    /// Reads the vocabulary and every built-in provider's facts from `engine`.
    pub fn new(engine: &Engine) -> Model {
        let mut real: BTreeMap<String, Vec<FactValue>> = BTreeMap::new();
        for id in engine.builtin_providers() {
            if let Ok(ev) = engine.evidence(id) {
                for (k, f) in ev.facts {
                    if let (Some(v), true) = (f.value, f.status != Status::Unknown) {
                        real.entry(k).or_default().push(v);
                    }
                }
            }
        }
        let facts = engine
            .vocabulary()
            .iter()
            .map(|(k, spec)| {
                let researched = real.remove(k).unwrap_or_default();
                let fallback = typical(k, spec.ty);
                let typical = researched.is_empty() && !fallback.is_empty();
                FactModel {
                    key: k.to_owned(),
                    ty: spec.ty,
                    values: spec.values.clone(),
                    real: if typical { fallback } else { researched },
                    typical,
                    attestation: spec.valid_months.is_some(),
                }
            })
            .collect();
        let services = engine
            .vocabulary()
            .services()
            .map(|(k, _)| k.to_owned())
            .collect();
        Model { facts, services }
    }

    /// The id of provider `i` (zero-padded so that file names sort in index order).
    pub fn id(i: usize) -> String {
        format!("gen-{i:05}")
    }

    /// The evidence file of provider `i` for `seed`, as YAML text.
    pub fn provider(&self, seed: u64, i: usize) -> String {
        let mut rng = Rng::new(seed, i as u64 + 1);
        let id = Model::id(i);
        // Research dates between 2021-01-01 and 2025-12-31; facts up to four years older.
        let base = Date::new(2021, 1, 1).map_or(0, Date::days);
        let as_of = Date::from_days(base + rng.below(5 * 365) as i64);
        let mut out = String::with_capacity(8 * 1024);
        let _ = writeln!(out, "labfit: evidence/v1");
        let _ = writeln!(out, "id: {id}");
        let _ = writeln!(out, "provider: Generated Provider {i} (seed {seed})");
        let _ = writeln!(out, "as_of: {as_of}");
        let _ = writeln!(out, "default_status: claimed");
        let n_sources = 1 + rng.below(5);
        let _ = writeln!(out, "sources:");
        for s in 0..n_sources {
            let date = Date::from_days(as_of.days() - rng.below(4 * 365) as i64);
            let _ = writeln!(
                out,
                "  src-{s}: {{title: {}, url: \"https://provider-{i}.example/doc/{s}\", date: {date}}}",
                quote(&format!("Provider {i} document {s}: {}", rng.pick(&FILLER).unwrap_or(&""))),
            );
        }
        let _ = writeln!(out, "facts:");
        for f in &self.facts {
            if rng.chance(UNKNOWN_RATE) {
                // Half of the unknowns are written down (the lab looked), half are simply absent.
                if rng.chance(0.5) {
                    let _ = writeln!(
                        out,
                        "  {}: {{status: unknown, note: \"looked for, not found\"}}",
                        f.key
                    );
                }
                continue;
            }
            let value = draw(f, &mut rng);
            let status = draw_status(&mut rng);
            if rng.chance(0.15) {
                // Shorthand: the value alone, default_status applies.
                let _ = writeln!(out, "  {}: {}", f.key, yaml_value(&value));
                continue;
            }
            let mut line = format!(
                "  {}: {{value: {}, status: {}",
                f.key,
                yaml_value(&value),
                status.as_str()
            );
            if rng.chance(0.7) {
                let _ = write!(line, ", source: src-{}", rng.below(n_sources));
            }
            if rng.chance(0.2) {
                let d = Date::from_days(as_of.days() - rng.below(4 * 365) as i64);
                let _ = write!(line, ", as_of: {d}");
            }
            if rng.chance(0.05) {
                let d = Date::from_days(as_of.days() + rng.below(3 * 365) as i64);
                let _ = write!(line, ", expires: {d}");
            }
            if f.attestation && rng.chance(0.1) {
                // Scoped to one to three kinds of service, as a certificate for one product is.
                let mut kinds: Vec<&str> = (0..1 + rng.below(3))
                    .filter_map(|_| rng.pick(&self.services).map(String::as_str))
                    .collect();
                kinds.sort_unstable();
                kinds.dedup();
                let _ = write!(line, ", covers: [{}]", kinds.join(", "));
            }
            if rng.chance(0.3) {
                let _ = write!(line, ", note: {}", quote(rng.pick(&FILLER).unwrap_or(&"")));
            }
            line.push('}');
            let _ = writeln!(out, "{line}");
        }
        out
    }

    /// Providers `0..n` for `seed`: (id, YAML text).
    pub fn corpus(&self, seed: u64, n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (Model::id(i), self.provider(seed, i)))
            .collect()
    }
}

fn draw_status(rng: &mut Rng) -> Status {
    let mut x = rng.unit();
    for (s, p) in STATUSES {
        if x < p {
            return s;
        }
        x -= p;
    }
    Status::Claimed
}

/// A value for one fact: usually a real value, perturbed for numbers; sometimes a fresh one
/// (never for a fact drawn from typical answers, whose generic fresh value would not be one).
fn draw(f: &FactModel, rng: &mut Rng) -> FactValue {
    let real = if f.typical || rng.chance(0.8) {
        rng.pick(&f.real).cloned()
    } else {
        None
    };
    match f.ty {
        FactType::Bool => match real {
            Some(FactValue::Bool(b)) => FactValue::Bool(b),
            _ => FactValue::Bool(rng.chance(0.6)),
        },
        FactType::Integer => {
            let base = match real {
                Some(FactValue::Integer(i)) => i as f64,
                _ => 1.0 + rng.below(60) as f64,
            };
            // A few providers answer zero (no lock, no retrieval window).
            if rng.chance(0.05) {
                FactValue::Integer(0)
            } else {
                FactValue::Integer((base * rng.factor(2.0)).round().max(1.0) as i64)
            }
        }
        FactType::Percent | FactType::Number => {
            let availability = f
                .real
                .iter()
                .any(|v| matches!(v, FactValue::Number(n) if (90.0..100.0).contains(n)));
            let base = match real {
                Some(FactValue::Number(n)) => n,
                Some(FactValue::Integer(i)) => i as f64,
                // A fresh availability between 99.5 and 99.99 %, as the real SLAs (downtime
                // allowance log-uniform from 0.01 to 0.5 %).
                _ if availability => 100.0 - 0.01 * 50f64.powf(rng.unit()),
                _ => 10.0 + 90.0 * rng.unit(),
            };
            let v = if f.ty == FactType::Percent && (90.0..100.0).contains(&base) {
                // Availability: spread the downtime allowance, not the percentage.
                100.0 - (100.0 - base) * rng.factor(3.0)
            } else if f.ty == FactType::Percent && rng.chance(0.5) {
                base
            } else {
                base * rng.factor(1.5)
            };
            let v = if f.ty == FactType::Percent {
                v.clamp(0.0, 100.0)
            } else {
                v
            };
            FactValue::Number((v * 1000.0).round() / 1000.0)
        }
        FactType::Date => {
            let base = Date::new(2019, 1, 1).map_or(0, Date::days);
            FactValue::Text(Date::from_days(base + rng.below(7 * 365) as i64).to_string())
        }
        FactType::Enum => match real {
            Some(v @ FactValue::Text(_)) => v,
            _ => FactValue::Text(rng.pick(&f.values).cloned().unwrap_or_default()),
        },
        FactType::List => {
            let pool: BTreeSet<&str> = f
                .real
                .iter()
                .flat_map(|v| match v {
                    FactValue::List(l) => l.iter().map(String::as_str).collect::<Vec<_>>(),
                    _ => Vec::new(),
                })
                .collect();
            let pool: Vec<&str> = pool.into_iter().collect();
            let k = rng.below(5);
            let mut items: Vec<String> = (0..k)
                .map(|j| match rng.pick(&pool) {
                    Some(s) if f.typical || rng.chance(0.8) => (*s).to_owned(),
                    _ => format!("item {j}: {}", rng.pick(&FILLER).unwrap_or(&"")),
                })
                .collect();
            items.sort();
            items.dedup();
            FactValue::List(items)
        }
        FactType::Text => match real {
            Some(v @ FactValue::Text(_)) => v,
            _ => FactValue::Text((*rng.pick(&FILLER).unwrap_or(&"")).to_owned()),
        },
    }
}

/// A YAML double-quoted scalar (JSON string escapes are valid YAML escapes).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn yaml_value(v: &FactValue) -> String {
    match v {
        FactValue::Bool(b) => b.to_string(),
        FactValue::Integer(i) => i.to_string(),
        FactValue::Number(n) => format!("{n}"),
        FactValue::Text(s) => quote(s),
        FactValue::List(l) => format!(
            "[{}]",
            l.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
        ),
    }
}
