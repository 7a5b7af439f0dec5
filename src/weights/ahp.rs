//! Weights from pairwise judgements (Saaty's Analytic Hierarchy Process), so that a profile's
//! weights can be elicited as "a matters x times as much as b" and come with the evidence that
//! makes them defensible: how consistent the judgements were, how missing pairs were filled in,
//! and which judgement to revisit when they are not consistent enough.
//!
//! Method (docs/scoring.md §2, "Weights from pairwise judgements"): the weights are the principal right eigenvector of
//! the reciprocal judgement matrix, found by power iteration; λ_max, CI = (λ_max − n)/(n − 1)
//! and CR = CI/RI(n) follow Saaty (1977, 1980). Missing pairs are completed either by Harker
//! (1987) or by the λ_max-minimising completion of Bozóki, Fülöp & Rónyai (2010).
//!
//! Citations: Alonso & Lamata (2006), Bozóki, Fülöp & Rónyai (2010), Goepel (2018) and Saaty
//! (2008, the drinks example in tests/weights.rs) were checked against public copies of their
//! title pages, abstracts or citing software; the Alonso–Lamata table itself, Harker's (1987)
//! volume and pages, Aczél & Saaty (1983), Kingman (1961) and Saaty (2003) are cited from
//! memory and marked "unconfirmed" where they are used.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The smallest judgement on Saaty's scale (the reciprocal of 9).
pub const SCALE_MIN: f64 = 1.0 / 9.0;
/// The largest judgement on Saaty's scale.
pub const SCALE_MAX: f64 = 9.0;
/// Saaty's acceptance threshold for the consistency ratio.
pub const CR_THRESHOLD: f64 = 0.10;
/// Power iteration stops once no weight moves by this much in one step.
pub const DEFAULT_TOLERANCE: f64 = 1e-12;
/// Power iteration gives up (and says so) after this many steps.
pub const DEFAULT_MAX_ITERATIONS: usize = 10_000;

/// Relative slack when checking the scale bounds, so that `1.0 / 9.0` computed by a caller, or
/// a geometric mean that lands a rounding error past 9, is still on the scale.
const SCALE_SLACK: f64 = 1e-9;
/// Two judgements closer than this in log space are the same judgement.
const SAME_VALUE_LOG: f64 = 1e-9;
/// Coordinate descent of the optimal completion stops when no log-entry moves by more.
const COMPLETION_TOLERANCE: f64 = 1e-10;
/// Sweeps of the optimal completion before it reports that it did not converge.
const COMPLETION_MAX_SWEEPS: usize = 1_000;
/// Steps of the one-dimensional root search inside one coordinate of the optimal completion.
const LINE_SEARCH_STEPS: usize = 200;
/// A slope dλ/dt this small is zero: the eigenvectors behind it are only good to ~1e-14.
const SLOPE_NOISE: f64 = 1e-13;

/// One judgement: `a` is `value` times as important as `b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// The item judged more (or, with a value below 1, less) important.
    pub a: String,
    /// The item it is compared with.
    pub b: String,
    /// How many times as important `a` is as `b`, on Saaty's scale 1/9..9.
    pub value: f64,
}

impl Judgement {
    /// `a` is `value` times as important as `b`.
    pub fn new(a: impl Into<String>, b: impl Into<String>, value: f64) -> Self {
        Judgement {
            a: a.into(),
            b: b.into(),
            value,
        }
    }
}

/// Which published random index RI(n) divides CI. Reports must name it: the same judgements
/// pass or fail the 0.10 threshold depending on the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RandomIndexTable {
    /// Saaty (1980), n = 1..15, the most used table (including its non-monotone 1.48 at n = 12).
    #[default]
    Saaty1980,
    /// Alonso & Lamata (2006), n = 3..15 from their simulation, and their linear fit of the
    /// mean random λ_max beyond (see [`RandomIndexTable::random_index`]).
    AlonsoLamata2006,
}

/// Saaty (1980), as docs/scoring.md §2 quotes it; index 0 is n = 1.
const SAATY_1980: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// Alonso, J. A. & Lamata, M. T. (2006), "Consistency in the analytic hierarchy process: a new
/// approach", Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems 14(4): 445–459.
/// Index 0 is n = 1. The paper itself could only be read up to its abstract; these values are
/// as transcribed, with that citation, in the R package `ahp` (github.com/gluc/ahp,
/// R/ahp_functions.R) — not checked against the paper's table. n = 1, 2 are 0 by convention.
const ALONSO_LAMATA_2006: [f64; 15] = [
    0.0, 0.0, 0.5247, 0.8816, 1.1086, 1.2479, 1.3417, 1.4057, 1.4499, 1.4854, 1.5140, 1.5365,
    1.5551, 1.5713, 1.5838,
];

impl RandomIndexTable {
    /// Every table, in a fixed order.
    pub const ALL: [RandomIndexTable; 2] = [
        RandomIndexTable::Saaty1980,
        RandomIndexTable::AlonsoLamata2006,
    ];

    /// The name used in profiles and reports.
    pub fn name(self) -> &'static str {
        match self {
            RandomIndexTable::Saaty1980 => "saaty-1980",
            RandomIndexTable::AlonsoLamata2006 => "alonso-lamata-2006",
        }
    }

    /// The largest n the table lists.
    pub fn max_tabulated(self) -> usize {
        match self {
            RandomIndexTable::Saaty1980 => SAATY_1980.len(),
            RandomIndexTable::AlonsoLamata2006 => ALONSO_LAMATA_2006.len(),
        }
    }

    /// RI(n). Beyond its table, Saaty 1980 is an error (no formula was published with it);
    /// Alonso–Lamata extrapolates with their own fit of the mean λ_max of random matrices,
    /// λ̄(n) ≈ 2.7699·n − 4.3513, i.e. RI(n) = (1.7699·n − 4.3513)/(n − 1). The fit is the one
    /// Goepel (2018, IJAHP 10(3): 469–487, eq. 5) uses for CR; it is not the table: at n = 15
    /// it gives 1.5855 against the tabulated 1.5838, so it is used only where the table stops.
    pub fn random_index(self, n: usize) -> Result<f64, AhpError> {
        let table: &[f64] = match self {
            RandomIndexTable::Saaty1980 => &SAATY_1980,
            RandomIndexTable::AlonsoLamata2006 => &ALONSO_LAMATA_2006,
        };
        if n == 0 {
            return Err(AhpError::NoItems);
        }
        if let Some(ri) = table.get(n - 1) {
            return Ok(*ri);
        }
        match self {
            RandomIndexTable::Saaty1980 => Err(AhpError::TableTooSmall {
                table: self.name(),
                max: table.len(),
                n,
            }),
            RandomIndexTable::AlonsoLamata2006 => {
                let n = n as f64;
                Ok((1.7699 * n - 4.3513) / (n - 1.0))
            }
        }
    }
}

impl fmt::Display for RandomIndexTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RandomIndexTable {
    type Err = AhpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RandomIndexTable::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| AhpError::UnknownRandomIndexTable { name: s.to_owned() })
    }
}

/// How to fill in pairs nobody judged (used only when some are missing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompletionMethod {
    /// Harker (1987): c_ij = a_ij where known, 0 where missing, c_ii = 1 + (missing in row i);
    /// the weights are C's principal eigenvector. Cheap and standard.
    #[default]
    Harker1987,
    /// Bozóki, Fülöp & Rónyai (2010): the missing entries that minimise λ_max of the completed
    /// matrix (unique when the comparison graph is connected), found by cyclic coordinates.
    BozokiFulopRonyai2010,
}

impl CompletionMethod {
    /// Every method, in a fixed order.
    pub const ALL: [CompletionMethod; 2] = [
        CompletionMethod::Harker1987,
        CompletionMethod::BozokiFulopRonyai2010,
    ];

    /// The name used in profiles and reports.
    pub fn name(self) -> &'static str {
        match self {
            CompletionMethod::Harker1987 => "harker-1987",
            CompletionMethod::BozokiFulopRonyai2010 => "bozoki-fulop-ronyai-2010",
        }
    }
}

impl fmt::Display for CompletionMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CompletionMethod {
    type Err = AhpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CompletionMethod::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| AhpError::UnknownCompletionMethod { name: s.to_owned() })
    }
}

/// Which completion a result used: `none` when every pair was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Completion {
    /// Every pair was judged.
    None,
    /// Missing pairs were completed by this method.
    Method(CompletionMethod),
}

impl Completion {
    /// `none`, or the method's name.
    pub fn name(self) -> &'static str {
        match self {
            Completion::None => "none",
            Completion::Method(m) => m.name(),
        }
    }
}

impl fmt::Display for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Knobs of [`priorities`]; `Default` is what the reference prescribes.
#[derive(Clone, Debug, PartialEq)]
pub struct AhpOptions {
    /// RI(n) table.
    pub random_index: RandomIndexTable,
    /// Completion of missing pairs.
    pub completion: CompletionMethod,
    /// Power iteration step cap.
    pub max_iterations: usize,
    /// Power iteration stops when the largest change of a weight is below this.
    pub tolerance: f64,
    /// Above this CR the result lists the judgements to revisit.
    pub cr_threshold: f64,
}

impl Default for AhpOptions {
    fn default() -> Self {
        AhpOptions {
            random_index: RandomIndexTable::default(),
            completion: CompletionMethod::default(),
            max_iterations: DEFAULT_MAX_ITERATIONS,
            tolerance: DEFAULT_TOLERANCE,
            cr_threshold: CR_THRESHOLD,
        }
    }
}

/// A pair nobody judged and the value the completion gave it (`a` before `b` in item order).
/// An optimal completion may land outside Saaty's scale: it is a value, not an answer on the form.
#[derive(Clone, Debug, PartialEq)]
pub struct FilledPair {
    /// The earlier item.
    pub a: String,
    /// The later item.
    pub b: String,
    /// How many times as important `a` came out than `b`.
    pub value: f64,
}

/// A judgement worth revisiting: changing it alone to `suggested` lowers CR to `cr_after`.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    /// As the judgement was given.
    pub a: String,
    /// As the judgement was given.
    pub b: String,
    /// The value given.
    pub current: f64,
    /// w_a / w_b under the current weights: the value the rest of the judgements imply.
    pub consistent: f64,
    /// The value on Saaty's scale (1..9 or a reciprocal) that, put in place of `current` with
    /// everything else unchanged, gives the lowest CR.
    pub suggested: f64,
    /// CR after that one change (weights, completion and λ_max recomputed).
    pub cr_after: f64,
}

/// Weights and the evidence about them.
#[derive(Clone, Debug, PartialEq)]
pub struct Priorities {
    /// The items, in the order given.
    pub items: Vec<String>,
    /// One weight per item, summing to 1.
    pub weights: Vec<f64>,
    /// Principal eigenvalue of the (completed) judgement matrix.
    pub lambda_max: f64,
    /// Consistency index (λ_max − n)/(n − 1), clamped at 0.
    pub ci: f64,
    /// Consistency ratio CI/RI(n); 0 for n ≤ 2.
    pub cr: f64,
    /// RI(n) used (0 for n ≤ 2).
    pub random_index: f64,
    /// Table RI(n) came from.
    pub random_index_table: RandomIndexTable,
    /// Power iteration steps of the final eigenvector.
    pub iterations: usize,
    /// Whether that power iteration met the tolerance within the step cap.
    pub converged: bool,
    /// How missing pairs were filled in.
    pub completion: Completion,
    /// The pairs that were filled in, in item order.
    pub filled: Vec<FilledPair>,
    /// Coordinate-descent sweeps of the optimal completion (0 for the other methods).
    pub completion_sweeps: usize,
    /// Whether the optimal completion met its tolerance (true for the other methods).
    pub completion_converged: bool,
    /// When CR is above the threshold: the judgements whose change on the scale lowers CR,
    /// best first (the first names the judgement most responsible); otherwise empty.
    pub revisions: Vec<Revision>,
}

impl Priorities {
    /// The weight of `id`, if it is one of the items.
    pub fn weight(&self, id: &str) -> Option<f64> {
        self.items
            .iter()
            .position(|i| i == id)
            .and_then(|k| self.weights.get(k).copied())
    }

    /// The judgement most responsible for the inconsistency, when CR is above the threshold.
    pub fn revision(&self) -> Option<&Revision> {
        self.revisions.first()
    }
}

/// What can be wrong with judgements or options.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: item ids, judgement values, sizes"
)]
pub enum AhpError {
    #[error("no items to weigh")]
    NoItems,
    #[error("item `{id}` is listed twice")]
    DuplicateItem { id: String },
    #[error("judgement `{a}` over `{b}` names `{unknown}`, which is not an item")]
    UnknownItem {
        a: String,
        b: String,
        unknown: String,
    },
    #[error("judgement `{a}` over `{b}` compares an item with itself")]
    SelfComparison { a: String, b: String },
    #[error("judgement `{a}` over `{b}` is `{value}`, not a positive finite number")]
    NotPositive { a: String, b: String, value: f64 },
    #[error("judgement `{a}` over `{b}` is `{value}`, outside Saaty's scale 1/9..9")]
    OutOfScale { a: String, b: String, value: f64 },
    #[error(
        "the pair `{first_a}`, `{first_b}` is judged twice: `{first_a}` over `{first_b}` is \
         `{first}`, then `{second_a}` over `{second_b}` is `{second}`"
    )]
    DuplicatePair {
        first_a: String,
        first_b: String,
        first: f64,
        second_a: String,
        second_b: String,
        second: f64,
    },
    #[error(
        "matrix entry at row {row}, column {column} is `{value}`, not a positive finite number"
    )]
    InvalidMatrixEntry {
        row: usize,
        column: usize,
        value: f64,
    },
    #[error("member `{member}` is listed twice")]
    DuplicateMember { member: String },
    #[error("member `{member}`: {source}")]
    Member {
        member: String,
        source: Box<AhpError>,
    },
    #[error(
        "the judgements leave the items in {} groups never compared with each other: {}",
        groups.len(),
        format_groups(groups)
    )]
    Disconnected { groups: Vec<Vec<String>> },
    #[error("the `{table}` random index table stops at n = {max}; {n} items were given")]
    TableTooSmall {
        table: &'static str,
        max: usize,
        n: usize,
    },
    #[error("unknown random index table `{name}` (expected `saaty-1980` or `alonso-lamata-2006`)")]
    UnknownRandomIndexTable { name: String },
    #[error(
        "unknown completion method `{name}` (expected `harker-1987` or \
         `bozoki-fulop-ronyai-2010`)"
    )]
    UnknownCompletionMethod { name: String },
    #[error("option `{option}` is `{value}`: {expected}")]
    InvalidOption {
        option: &'static str,
        value: String,
        expected: &'static str,
    },
}

fn format_groups(groups: &[Vec<String>]) -> String {
    groups
        .iter()
        .map(|g| {
            let ids: Vec<String> = g.iter().map(|id| format!("`{id}`")).collect();
            format!("[{}]", ids.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Saaty's scale with reciprocals, ascending: 1/9, …, 1/2, 1, 2, …, 9.
pub fn scale_values() -> [f64; 17] {
    let mut out = [1.0; 17];
    for (slot, k) in out.iter_mut().zip(0u8..) {
        let step = f64::from(k) - 8.0;
        *slot = if step < 0.0 {
            1.0 / (1.0 - step)
        } else {
            1.0 + step
        };
    }
    out
}

/// The scale value (1..9 or a reciprocal) nearest to `x` in log space, where 2 and 1/2 are
/// equally far from 1. `x` must be positive; otherwise 1.
pub fn nearest_scale_value(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let target = x.ln();
    scale_values()
        .into_iter()
        .fold((1.0, f64::INFINITY), |(best, dist), v| {
            let d = (v.ln() - target).abs();
            if d < dist {
                (v, d)
            } else {
                (best, dist)
            }
        })
        .0
}

/// Row-major n×n matrix whose accessors never panic: indices come from loops over 0..n, and an
/// out-of-range write (which would be a bug here) is dropped rather than aborting a scoring run.
#[derive(Clone, Debug, PartialEq)]
struct Square {
    n: usize,
    data: Vec<f64>,
}

impl Square {
    fn new(n: usize, fill: f64) -> Self {
        Square {
            n,
            data: vec![fill; n * n],
        }
    }

    fn set(&mut self, i: usize, j: usize, v: f64) {
        if let Some(x) = self.data.get_mut(i * self.n + j) {
            *x = v;
        }
    }

    /// y = A·w, or Aᵀ·w (for the left eigenvector).
    fn apply(&self, w: &[f64], transpose: bool, y: &mut [f64]) {
        if transpose {
            y.iter_mut().for_each(|v| *v = 0.0);
            for (row, wi) in self.data.chunks_exact(self.n).zip(w) {
                for (yj, aij) in y.iter_mut().zip(row) {
                    *yj += aij * wi;
                }
            }
        } else {
            for (yi, row) in y.iter_mut().zip(self.data.chunks_exact(self.n)) {
                *yi = row.iter().zip(w).map(|(a, x)| a * x).sum();
            }
        }
    }
}

/// Principal eigenvector by power iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct Eigen {
    /// Normalised to sum 1.
    pub vector: Vec<f64>,
    /// mean_i (A·w)_i / w_i.
    pub lambda_max: f64,
    /// Steps taken.
    pub iterations: usize,
    /// Whether the largest change fell below the tolerance.
    pub converged: bool,
}

/// w ← A·w / ‖A·w‖₁ from `start` until no entry moves by `tolerance`; for a positive (or
/// irreducible, with a positive diagonal) matrix this converges to the Perron vector.
fn power_iteration(
    a: &Square,
    transpose: bool,
    start: &[f64],
    max_iterations: usize,
    tolerance: f64,
) -> Eigen {
    let n = a.n;
    let mut w = start.to_vec();
    let mut y = vec![0.0; n];
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations {
        iterations += 1;
        a.apply(&w, transpose, &mut y);
        let sum: f64 = y.iter().sum();
        if !(sum.is_finite() && sum > 0.0) {
            break;
        }
        let mut change: f64 = 0.0;
        for (wi, yi) in w.iter_mut().zip(&y) {
            let next = yi / sum;
            change = change.max((next - *wi).abs());
            *wi = next;
        }
        if change < tolerance {
            converged = true;
            break;
        }
    }
    a.apply(&w, transpose, &mut y);
    let ratios: Vec<f64> = y
        .iter()
        .zip(&w)
        .filter(|(_, wi)| **wi > 0.0)
        .map(|(yi, wi)| yi / wi)
        .collect();
    let lambda_max = if ratios.is_empty() {
        0.0
    } else {
        ratios.iter().sum::<f64>() / ratios.len() as f64
    };
    Eigen {
        vector: w,
        lambda_max,
        iterations,
        converged,
    }
}

/// The principal right eigenvector of a square matrix given as rows, by power iteration from
/// the uniform vector (the reference's procedure), for callers that already hold a matrix.
pub fn principal_eigenvector(rows: &[Vec<f64>], options: &AhpOptions) -> Result<Eigen, AhpError> {
    check_options(options)?;
    let n = rows.len();
    if n == 0 {
        return Err(AhpError::NoItems);
    }
    let mut a = Square::new(n, 0.0);
    for (i, row) in rows.iter().enumerate() {
        for j in 0..n {
            let v = row.get(j).copied().unwrap_or(f64::NAN);
            if !(v.is_finite() && v > 0.0) {
                return Err(AhpError::InvalidMatrixEntry {
                    row: i + 1,
                    column: j + 1,
                    value: v,
                });
            }
            a.set(i, j, v);
        }
    }
    let start = vec![1.0 / n as f64; n];
    Ok(power_iteration(
        &a,
        false,
        &start,
        options.max_iterations,
        options.tolerance,
    ))
}

fn check_options(options: &AhpOptions) -> Result<(), AhpError> {
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
        return Err(AhpError::InvalidOption {
            option: "tolerance",
            value: options.tolerance.to_string(),
            expected: "a positive number",
        });
    }
    if options.max_iterations == 0 {
        return Err(AhpError::InvalidOption {
            option: "max_iterations",
            value: "0".to_owned(),
            expected: "at least 1",
        });
    }
    if !(options.cr_threshold.is_finite() && options.cr_threshold >= 0.0) {
        return Err(AhpError::InvalidOption {
            option: "cr_threshold",
            value: options.cr_threshold.to_string(),
            expected: "a non-negative number",
        });
    }
    Ok(())
}

/// Judgements checked against the items: the index pair and value of each, in input order.
struct Checked {
    n: usize,
    /// (i, j, a_ij) per judgement, as given.
    pairs: Vec<(usize, usize, f64)>,
}

fn check_items<S: AsRef<str>>(items: &[S]) -> Result<BTreeMap<&str, usize>, AhpError> {
    if items.is_empty() {
        return Err(AhpError::NoItems);
    }
    let mut index = BTreeMap::new();
    for (k, id) in items.iter().enumerate() {
        if index.insert(id.as_ref(), k).is_some() {
            return Err(AhpError::DuplicateItem {
                id: id.as_ref().to_owned(),
            });
        }
    }
    Ok(index)
}

fn check_judgements(
    index: &BTreeMap<&str, usize>,
    judgements: &[Judgement],
) -> Result<Checked, AhpError> {
    let mut pairs = Vec::with_capacity(judgements.len());
    // Unordered pair → position of the judgement that first gave it.
    let mut seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (pos, j) in judgements.iter().enumerate() {
        let lookup = |id: &String| {
            index
                .get(id.as_str())
                .copied()
                .ok_or_else(|| AhpError::UnknownItem {
                    a: j.a.clone(),
                    b: j.b.clone(),
                    unknown: id.clone(),
                })
        };
        let ia = lookup(&j.a)?;
        let ib = lookup(&j.b)?;
        if ia == ib {
            return Err(AhpError::SelfComparison {
                a: j.a.clone(),
                b: j.b.clone(),
            });
        }
        if !(j.value.is_finite() && j.value > 0.0) {
            return Err(AhpError::NotPositive {
                a: j.a.clone(),
                b: j.b.clone(),
                value: j.value,
            });
        }
        if j.value < SCALE_MIN * (1.0 - SCALE_SLACK) || j.value > SCALE_MAX * (1.0 + SCALE_SLACK) {
            return Err(AhpError::OutOfScale {
                a: j.a.clone(),
                b: j.b.clone(),
                value: j.value,
            });
        }
        let key = (ia.min(ib), ia.max(ib));
        if let Some(first) = seen.get(&key).and_then(|p| judgements.get(*p)) {
            return Err(AhpError::DuplicatePair {
                first_a: first.a.clone(),
                first_b: first.b.clone(),
                first: first.value,
                second_a: j.a.clone(),
                second_b: j.b.clone(),
                second: j.value,
            });
        }
        seen.insert(key, pos);
        pairs.push((ia, ib, j.value));
    }
    Ok(Checked {
        n: index.len(),
        pairs,
    })
}

/// Connected components of the comparison graph; each sorted by id, sorted by first id.
fn components<S: AsRef<str>>(items: &[S], checked: &Checked) -> Vec<Vec<String>> {
    let n = checked.n;
    let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(i, j, _) in &checked.pairs {
        if let Some(row) = adjacency.get_mut(i) {
            row.push(j);
        }
        if let Some(row) = adjacency.get_mut(j) {
            row.push(i);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut groups: Vec<Vec<String>> = Vec::new();
    for start in 0..n {
        if component.get(start).copied() != Some(usize::MAX) {
            continue;
        }
        let id = groups.len();
        let mut stack = vec![start];
        let mut members = Vec::new();
        if let Some(c) = component.get_mut(start) {
            *c = id;
        }
        while let Some(v) = stack.pop() {
            members.push(v);
            for &u in adjacency.get(v).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(c) = component.get_mut(u) {
                    if *c == usize::MAX {
                        *c = id;
                        stack.push(u);
                    }
                }
            }
        }
        let mut names: Vec<String> = members
            .iter()
            .filter_map(|&k| items.get(k).map(|s| s.as_ref().to_owned()))
            .collect();
        names.sort();
        groups.push(names);
    }
    groups.sort();
    groups
}

/// The result of one evaluation of a judgement set (before ids are attached).
struct Solved {
    weights: Vec<f64>,
    lambda_max: f64,
    iterations: usize,
    converged: bool,
    completion: Completion,
    /// (i, j, value) with i < j.
    filled: Vec<(usize, usize, f64)>,
    sweeps: usize,
    completion_converged: bool,
}

/// Known entries: `Some(a_ij)` where judged (both orientations), `None` where missing.
fn known_matrix(n: usize, pairs: &[(usize, usize, f64)]) -> Vec<Option<f64>> {
    let mut known = vec![None; n * n];
    for k in 0..n {
        if let Some(c) = known.get_mut(k * n + k) {
            *c = Some(1.0);
        }
    }
    for &(i, j, v) in pairs {
        if let Some(c) = known.get_mut(i * n + j) {
            *c = Some(v);
        }
        if let Some(c) = known.get_mut(j * n + i) {
            *c = Some(1.0 / v);
        }
    }
    known
}

fn missing_pairs(n: usize, known: &[Option<f64>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..n {
        for j in (i + 1)..n {
            if known.get(i * n + j).copied().flatten().is_none() {
                out.push((i, j));
            }
        }
    }
    out
}

/// How tightly to solve, and where to start: the revision search scores many nearby judgement
/// sets and only needs their CR to rank them, so it starts from the current completion and
/// stops the optimal completion earlier.
#[derive(Clone, Copy)]
struct Effort<'a> {
    completion_tolerance: f64,
    /// Power iteration tolerance inside the line search; the slope is good to ~10× this.
    slope_tolerance: f64,
    /// log-values of the missing entries to start the optimal completion from.
    start: Option<&'a [f64]>,
}

const FULL_EFFORT: Effort<'static> = Effort {
    completion_tolerance: COMPLETION_TOLERANCE,
    slope_tolerance: 1e-14,
    start: None,
};

/// Enough to rank candidate revisions: CR is then good to ~1e-8.
const SCREENING_TOLERANCE: f64 = 1e-6;

fn solve(n: usize, known: &[Option<f64>], options: &AhpOptions, effort: Effort<'_>) -> Solved {
    let uniform = vec![1.0 / n as f64; n];
    let missing = missing_pairs(n, known);
    if missing.is_empty() {
        let mut a = Square::new(n, 1.0);
        for (slot, v) in a.data.iter_mut().zip(known) {
            *slot = v.unwrap_or(1.0);
        }
        let e = power_iteration(
            &a,
            false,
            &uniform,
            options.max_iterations,
            options.tolerance,
        );
        return Solved {
            weights: e.vector,
            lambda_max: e.lambda_max,
            iterations: e.iterations,
            converged: e.converged,
            completion: Completion::None,
            filled: Vec::new(),
            sweeps: 0,
            completion_converged: true,
        };
    }
    let harker = harker(n, known, &uniform, options);
    match options.completion {
        CompletionMethod::Harker1987 => {
            let filled = missing
                .iter()
                .map(|&(i, j)| (i, j, ratio(&harker.vector, i, j)))
                .collect();
            Solved {
                weights: harker.vector,
                lambda_max: harker.lambda_max,
                iterations: harker.iterations,
                converged: harker.converged,
                completion: Completion::Method(CompletionMethod::Harker1987),
                filled,
                sweeps: 0,
                completion_converged: true,
            }
        }
        CompletionMethod::BozokiFulopRonyai2010 => optimal_completion(
            n,
            known,
            &missing,
            &harker.vector,
            &uniform,
            options,
            effort,
        ),
    }
}

fn ratio(w: &[f64], i: usize, j: usize) -> f64 {
    match (w.get(i), w.get(j)) {
        (Some(a), Some(b)) if *b > 0.0 => a / b,
        _ => 1.0,
    }
}

/// Harker (1987), "Alternative modes of questioning in the analytic hierarchy process",
/// Mathematical Modelling 9(3–5): 353–360 (title and pages unconfirmed; the method is as
/// docs/scoring.md §2 states it, and as ahpsurvey's manual names it). C·w = λ·w is exactly the eigen-equation of the
/// matrix completed with a_ij = w_i/w_j (the diagonal 1 + m_i absorbs the m_i missing terms
/// w_i/w_j·w_j), so λ_max(C) is also λ_max of that positive reciprocal completion and CR is
/// computed from it with the ordinary RI(n).
fn harker(n: usize, known: &[Option<f64>], start: &[f64], options: &AhpOptions) -> Eigen {
    let mut c = Square::new(n, 0.0);
    for i in 0..n {
        let mut missing_in_row = 0usize;
        for j in 0..n {
            match known.get(i * n + j).copied().flatten() {
                Some(v) if i != j => c.set(i, j, v),
                Some(_) => {}
                None => missing_in_row += 1,
            }
        }
        c.set(i, i, 1.0 + missing_in_row as f64);
    }
    power_iteration(&c, false, start, options.max_iterations, options.tolerance)
}

/// Bozóki, S., Fülöp, J. & Rónyai, L. (2010), "On optimal completion of incomplete pairwise
/// comparison matrices", Mathematical and Computer Modelling 52(1–2): 318–333. They show that
/// λ_max of the completed matrix is a convex function of the logarithms of the missing entries
/// (strictly, with a unique minimiser, when the comparison graph is connected) and minimise it
/// by cyclic coordinates. Here each coordinate step finds the root of dλ/dt, which is monotone
/// by convexity, by Illinois regula falsi: dλ/da_ij = v_i·w_j/(vᵀw) with v, w the left and
/// right Perron vectors, so with a_ij = eᵗ, a_ji = e⁻ᵗ,
/// dλ/dt = (v_i·w_j·eᵗ − v_j·w_i·e⁻ᵗ)/(vᵀw). A root is used rather than a search on λ itself
/// because λ is only known to ~1e-12 and flat at its minimum, which would limit t to ~1e-6.
/// Starts from Harker's completion, which is usually close.
fn optimal_completion(
    n: usize,
    known: &[Option<f64>],
    missing: &[(usize, usize)],
    harker_weights: &[f64],
    uniform: &[f64],
    options: &AhpOptions,
    effort: Effort<'_>,
) -> Solved {
    let mut a = Square::new(n, 1.0);
    for (slot, v) in a.data.iter_mut().zip(known) {
        *slot = v.unwrap_or(1.0);
    }
    let mut t: Vec<f64> = match effort.start {
        Some(start) if start.len() == missing.len() => start.to_vec(),
        _ => missing
            .iter()
            .map(|&(i, j)| ratio(harker_weights, i, j).ln())
            .collect(),
    };
    for (&(i, j), tk) in missing.iter().zip(&t) {
        a.set(i, j, tk.exp());
        a.set(j, i, (-tk).exp());
    }
    // A search bound, not a property of the optimum: 9^(n−1) is the largest product of
    // judgements along any path, far past any sensible completion, and keeps a degenerate
    // search finite.
    let bound = (n.saturating_sub(1) as f64) * SCALE_MAX.ln() + 1.0;
    let mut right = harker_weights.to_vec();
    let mut left = uniform.to_vec();
    let mut sweeps = 0;
    let mut completion_converged = false;
    while sweeps < COMPLETION_MAX_SWEEPS {
        sweeps += 1;
        let mut largest_move: f64 = 0.0;
        for (&(i, j), tk) in missing.iter().zip(t.iter_mut()) {
            let next = line_search(
                &mut a, i, j, *tk, bound, &mut right, &mut left, options, effort,
            );
            largest_move = largest_move.max((next - *tk).abs());
            *tk = next;
            a.set(i, j, next.exp());
            a.set(j, i, (-next).exp());
        }
        if largest_move < effort.completion_tolerance {
            completion_converged = true;
            break;
        }
    }
    let e = power_iteration(
        &a,
        false,
        uniform,
        options.max_iterations,
        options.tolerance,
    );
    let filled = missing
        .iter()
        .zip(&t)
        .map(|(&(i, j), tk)| (i, j, tk.exp()))
        .collect();
    Solved {
        weights: e.vector,
        lambda_max: e.lambda_max,
        iterations: e.iterations,
        converged: e.converged,
        completion: Completion::Method(CompletionMethod::BozokiFulopRonyai2010),
        filled,
        sweeps,
        completion_converged,
    }
}

/// dλ_max/dt for a_ij = eᵗ, a_ji = e⁻ᵗ; `right` and `left` are warm starts, updated in place.
#[expect(
    clippy::too_many_arguments,
    reason = "a private step of one algorithm; a struct would only rename the arguments"
)]
fn slope(
    a: &mut Square,
    i: usize,
    j: usize,
    t: f64,
    right: &mut Vec<f64>,
    left: &mut Vec<f64>,
    options: &AhpOptions,
    tolerance: f64,
) -> f64 {
    a.set(i, j, t.exp());
    a.set(j, i, (-t).exp());
    let r = power_iteration(a, false, right, options.max_iterations, tolerance);
    let l = power_iteration(a, true, left, options.max_iterations, tolerance);
    *right = r.vector;
    *left = l.vector;
    let get = |v: &Vec<f64>, k: usize| v.get(k).copied().unwrap_or(0.0);
    let vw: f64 = left.iter().zip(right.iter()).map(|(x, y)| x * y).sum();
    if vw <= 0.0 {
        return 0.0;
    }
    (get(left, i) * get(right, j) * t.exp() - get(left, j) * get(right, i) * (-t).exp()) / vw
}

/// The t minimising λ_max along one coordinate: a root of the monotone slope, bracketed by
/// doubling steps from `t0` and refined by Illinois regula falsi.
#[expect(
    clippy::too_many_arguments,
    reason = "a private step of one algorithm; a struct would only rename the arguments"
)]
fn line_search(
    a: &mut Square,
    i: usize,
    j: usize,
    t0: f64,
    bound: f64,
    right: &mut Vec<f64>,
    left: &mut Vec<f64>,
    options: &AhpOptions,
    effort: Effort<'_>,
) -> f64 {
    // The slope needs eigenvectors well past the weights' own tolerance to place the root.
    let tolerance = options.tolerance.min(effort.slope_tolerance);
    let noise = SLOPE_NOISE.max(10.0 * tolerance);
    let mut g = |t: f64| slope(a, i, j, t, right, left, options, tolerance);
    let g0 = g(t0);
    if g0.abs() <= noise || !g0.is_finite() {
        return t0;
    }
    let direction = if g0 > 0.0 { -1.0 } else { 1.0 };
    let (mut lo, mut g_lo, mut hi, mut g_hi) = (t0, g0, t0, g0);
    let mut step = 0.5;
    loop {
        let next = (t0 + direction * step).clamp(-bound, bound);
        let g_next = g(next);
        if direction < 0.0 {
            lo = next;
            g_lo = g_next;
        } else {
            hi = next;
            g_hi = g_next;
        }
        if (g_next > 0.0) != (g0 > 0.0) || g_next == 0.0 {
            break;
        }
        if next.abs() >= bound {
            return next;
        }
        step *= 2.0;
    }
    // Now g_lo ≤ 0 ≤ g_hi.
    let mut side = 0i8;
    let mut t = 0.5 * (lo + hi);
    for _ in 0..LINE_SEARCH_STEPS {
        if hi - lo <= 1e-13 * (1.0 + lo.abs().max(hi.abs())) {
            break;
        }
        let denom = g_hi - g_lo;
        t = if denom > 0.0 {
            (lo * g_hi - hi * g_lo) / denom
        } else {
            0.5 * (lo + hi)
        };
        if !(t > lo && t < hi) {
            t = 0.5 * (lo + hi);
        }
        let gt = g(t);
        // The slope is computed to ~1e-14; below that its sign is noise.
        if gt.abs() <= noise {
            return t;
        }
        if gt < 0.0 {
            lo = t;
            g_lo = gt;
            if side == -1 {
                g_hi *= 0.5;
            }
            side = -1;
        } else {
            hi = t;
            g_hi = gt;
            if side == 1 {
                g_lo *= 0.5;
            }
            side = 1;
        }
    }
    t
}

/// Consistency numbers for n items from λ_max.
fn consistency(
    n: usize,
    lambda_max: f64,
    table: RandomIndexTable,
) -> Result<(f64, f64, f64), AhpError> {
    if n <= 2 {
        return Ok((0.0, 0.0, 0.0));
    }
    let ri = table.random_index(n)?;
    let ci = ((lambda_max - n as f64) / (n as f64 - 1.0)).max(0.0);
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    Ok((ci, cr, ri))
}

/// Weights of `items` from `judgements` ("`a` is `value` times as important as `b`").
///
/// Every item must be linked to every other through judged pairs (otherwise their relative
/// weight is unknowable and the error names the groups); pairs not judged are completed with
/// `options.completion`. When CR exceeds `options.cr_threshold`, `revisions` lists the
/// judgements to revisit.
pub fn priorities<S: AsRef<str>>(
    items: &[S],
    judgements: &[Judgement],
    options: &AhpOptions,
) -> Result<Priorities, AhpError> {
    check_options(options)?;
    let index = check_items(items)?;
    let checked = check_judgements(&index, judgements)?;
    let n = checked.n;
    let groups = components(items, &checked);
    if groups.len() > 1 {
        return Err(AhpError::Disconnected { groups });
    }
    // Fails early for n past a table that has no formula.
    options.random_index.random_index(n)?;
    let known = known_matrix(n, &checked.pairs);
    let solved = solve(n, &known, options, FULL_EFFORT);
    let (ci, cr, ri) = consistency(n, solved.lambda_max, options.random_index)?;
    let revisions = if cr > options.cr_threshold {
        revisions(n, &checked, &solved, cr, judgements, options)?
    } else {
        Vec::new()
    };
    let id = |k: usize| {
        items
            .get(k)
            .map(|s| s.as_ref().to_owned())
            .unwrap_or_default()
    };
    Ok(Priorities {
        items: items.iter().map(|s| s.as_ref().to_owned()).collect(),
        weights: solved.weights,
        lambda_max: solved.lambda_max,
        ci,
        cr,
        random_index: ri,
        random_index_table: options.random_index,
        iterations: solved.iterations,
        converged: solved.converged,
        completion: solved.completion,
        filled: solved
            .filled
            .iter()
            .map(|&(i, j, value)| FilledPair {
                a: id(i),
                b: id(j),
                value,
            })
            .collect(),
        completion_sweeps: solved.sweeps,
        completion_converged: solved.completion_converged,
        revisions,
    })
}

/// Which single judgement to change, and to what. For each given judgement and each value on
/// Saaty's scale other than the current one, the whole evaluation (completion, eigenvector,
/// CR) is redone with that one change; a judgement's suggestion is the scale value giving the
/// lowest CR, and judgements are ranked by that CR (ties keep input order). This is exact for
/// the question a reviewer asks ("which one answer, changed to which answer on the form, helps
/// most?") where the usual shortcut — the largest |ln a_ij − ln(w_i/w_j)| (Saaty 2003, unconfirmed; as used
/// by Goepel 2018) — is only a first-order proxy and ignores the rounding to the scale. Only
/// changes that lower CR are listed.
///
/// With the optimal completion each evaluation is a convex minimisation, too slow to repeat for
/// all 16 values of every judgement. But λ_max is convex in the log of every entry (Kingman
/// 1961, unconfirmed; the convexity Bozóki et al. use), and so is its minimum over the missing entries, so
/// CR is unimodal along the scale: a cheap screen (missing entries held fixed) picks a start
/// and a walk to the first value whose neighbours are no lower finds the exact best value.
fn revisions(
    n: usize,
    checked: &Checked,
    now: &Solved,
    cr_now: f64,
    judgements: &[Judgement],
    options: &AhpOptions,
) -> Result<Vec<Revision>, AhpError> {
    let start: Vec<f64> = now.filled.iter().map(|&(_, _, v)| v.ln()).collect();
    let screening = Effort {
        completion_tolerance: SCREENING_TOLERANCE,
        slope_tolerance: 1e-12,
        start: Some(&start),
    };
    let optimal =
        !now.filled.is_empty() && options.completion == CompletionMethod::BozokiFulopRonyai2010;
    let cr_with = |pos: usize, value: f64, effort: Effort<'_>| -> Result<f64, AhpError> {
        let mut pairs = checked.pairs.clone();
        if let Some(p) = pairs.get_mut(pos) {
            p.2 = value;
        }
        let solved = solve(n, &known_matrix(n, &pairs), options, effort);
        Ok(consistency(n, solved.lambda_max, options.random_index)?.1)
    };
    let mut out: Vec<(usize, Revision)> = Vec::new();
    for (pos, (&(i, j, current), given)) in checked.pairs.iter().zip(judgements).enumerate() {
        let candidates: Vec<f64> = scale_values()
            .into_iter()
            .filter(|v| (v.ln() - current.ln()).abs() >= SAME_VALUE_LOG)
            .collect();
        let mut memo: BTreeMap<usize, f64> = BTreeMap::new();
        let mut cr_at = |k: usize| -> Result<f64, AhpError> {
            if let Some(cr) = memo.get(&k) {
                return Ok(*cr);
            }
            let cr = cr_with(
                pos,
                candidates.get(k).copied().unwrap_or(current),
                screening,
            )?;
            memo.insert(k, cr);
            Ok(cr)
        };
        let best = if optimal {
            // Screen with the missing entries held at their current optimum (one eigenvector
            // per value), then walk from the screen's pick to the exact minimum: it is a
            // local minimum of a unimodal sequence once neither neighbour is lower.
            let fixed = |k: usize| -> Result<f64, AhpError> {
                let mut pairs = checked.pairs.clone();
                if let Some(p) = pairs.get_mut(pos) {
                    p.2 = candidates.get(k).copied().unwrap_or(current);
                }
                pairs.extend(now.filled.iter().copied());
                let solved = solve(n, &known_matrix(n, &pairs), options, FULL_EFFORT);
                Ok(consistency(n, solved.lambda_max, options.random_index)?.1)
            };
            let mut k = 0;
            let mut k_cr = f64::INFINITY;
            for c in 0..candidates.len() {
                let cr = fixed(c)?;
                if cr < k_cr {
                    (k, k_cr) = (c, cr);
                }
            }
            loop {
                let here = cr_at(k)?;
                if k > 0 && cr_at(k - 1)? < here {
                    k -= 1;
                } else if k + 1 < candidates.len() && cr_at(k + 1)? < here {
                    k += 1;
                } else {
                    break k;
                }
            }
        } else {
            let mut best = 0;
            for k in 0..candidates.len() {
                if cr_at(k)? < cr_at(best)? {
                    best = k;
                }
            }
            best
        };
        let Some(&suggested) = candidates.get(best) else {
            continue;
        };
        // Reported at full precision, like the CR it is compared with.
        let cr_after = if optimal {
            cr_with(pos, suggested, FULL_EFFORT)?
        } else {
            cr_at(best)?
        };
        if cr_after < cr_now {
            out.push((
                pos,
                Revision {
                    a: given.a.clone(),
                    b: given.b.clone(),
                    current,
                    consistent: ratio(&now.weights, i, j),
                    suggested,
                    cr_after,
                },
            ));
        }
    }
    out.sort_by(|(pa, ra), (pb, rb)| ra.cr_after.total_cmp(&rb.cr_after).then(pa.cmp(pb)));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Several members' judgements as one set: for each pair, the geometric mean of the values
/// given by the members who judged it (Aczél & Saaty 1983, unconfirmed: the geometric mean is the
/// aggregation of individual judgements that keeps a_ji = 1/a_ij and treats every member
/// alike). Members who did not judge a pair are left out of that pair's mean rather than
/// counted as "equal" (1), which would pull every sparsely judged pair towards indifference;
/// a pair nobody judged stays missing for the completion. Members are taken in name order so
/// the result does not depend on the order they were listed in. Output judgements follow item
/// order (`a` before `b`).
pub fn combine_members<S: AsRef<str>>(
    items: &[S],
    members: &[(String, Vec<Judgement>)],
) -> Result<Vec<Judgement>, AhpError> {
    let index = check_items(items)?;
    let n = index.len();
    let mut by_name: BTreeMap<&str, &[Judgement]> = BTreeMap::new();
    for (name, judgements) in members {
        if by_name.insert(name.as_str(), judgements).is_some() {
            return Err(AhpError::DuplicateMember {
                member: name.clone(),
            });
        }
    }
    // (i, j) with i < j → (values of a_ij, one per member who judged it).
    let mut values: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    for (name, judgements) in &by_name {
        let checked = check_judgements(&index, judgements).map_err(|e| AhpError::Member {
            member: (*name).to_owned(),
            source: Box::new(e),
        })?;
        for (i, j, v) in checked.pairs {
            let (key, oriented) = if i < j {
                ((i, j), v)
            } else {
                ((j, i), 1.0 / v)
            };
            values.entry(key).or_default().push(oriented);
        }
    }
    let id = |k: usize| {
        items
            .get(k)
            .map(|s| s.as_ref().to_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(values.len());
    for ((i, j), vs) in &values {
        debug_assert!(*i < n && *j < n);
        let value = match vs.as_slice() {
            // One judge: keep the value exactly (ln/exp would round it).
            [only] => *only,
            _ => (vs.iter().map(|v| v.ln()).sum::<f64>() / vs.len() as f64).exp(),
        };
        out.push(Judgement::new(id(*i), id(*j), value));
    }
    Ok(out)
}

/// [`combine_members`], then [`priorities`] of the combined set.
pub fn group_priorities<S: AsRef<str>>(
    items: &[S],
    members: &[(String, Vec<Judgement>)],
    options: &AhpOptions,
) -> Result<Priorities, AhpError> {
    let combined = combine_members(items, members)?;
    priorities(items, &combined, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_ascending_and_symmetric() {
        let s = scale_values();
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!((s[0] - 1.0 / 9.0).abs() < 1e-15);
        assert!((s[8] - 1.0).abs() < 1e-15);
        assert!((s[16] - 9.0).abs() < 1e-15);
        for k in 0..8 {
            assert!((s[k] * s[16 - k] - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn nearest_scale_value_rounds_in_log_space() {
        assert!((nearest_scale_value(6.4) - 6.0).abs() < 1e-15);
        assert!((nearest_scale_value(6.6) - 7.0).abs() < 1e-15);
        assert!((nearest_scale_value(100.0) - 9.0).abs() < 1e-15);
        assert!((nearest_scale_value(0.26) - 0.25).abs() < 1e-15);
        assert!((nearest_scale_value(1.3) - 1.0).abs() < 1e-15);
        assert!((nearest_scale_value(-1.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn harker_eigen_equation_matches_the_consistent_fill() {
        // a/b = 2, b/c = 3, a/c missing: C = [[2,2,0],[1/2,1,3],[0,1/3,2]], C·(.6,.3,.1) = 3·w.
        let known = known_matrix(3, &[(0, 1, 2.0), (1, 2, 3.0)]);
        let e = harker(3, &known, &[1.0 / 3.0; 3], &AhpOptions::default());
        assert!((e.lambda_max - 3.0).abs() < 1e-10);
        assert!((e.vector[0] - 0.6).abs() < 1e-10);
    }
}
