//! Random scoring cases for the property and differential tests: a random requirement DAG
//! (weights, aggregates, shared children), a random profile (framework weights, gates with
//! minimums and assurance levels, waivers active or expired, edge overrides, bands) and
//! random leaf outcomes, all written out as the YAML and Rhai a user would write, so every
//! case goes through the real loaders and the real sandbox.
//!
//! Each leaf `nI` has its own check `r.rhai::lI`, which reads the fact `o.nI` and turns its
//! number into an outcome: 2 pass, 3 fail, 4 not_applicable, 5 a thrown error, anything in
//! [0, 1] partial credit; an absent or `unknown` fact gives `unknown`.
#![allow(dead_code, reason = "each test file uses part of the generator")]

use labfit::{Engine, Evidence, Options, SourceFile};

/// The evaluation date of every case.
pub const AS_OF: &str = "2026-01-01";

/// splitmix64: small, fast and reproducible from one seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
    /// A weight: mostly small whole numbers, some fractions, some zeros.
    pub fn weight(&mut self) -> f64 {
        match self.below(10) {
            0 => 0.0,
            1 => 0.5,
            2 => 0.125,
            3 => (self.below(1000) as f64) / 100.0 + 0.01,
            _ => (1 + self.below(5)) as f64,
        }
    }
    /// A share of credit in [0, 1], with the ends and halves likely.
    pub fn unit(&mut self) -> f64 {
        match self.below(6) {
            0 => 0.0,
            1 => 1.0,
            2 => 0.5,
            _ => self.below(1001) as f64 / 1000.0,
        }
    }
}

/// What a leaf's check returns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Leaf {
    Pass,
    Fail,
    Partial(f64),
    /// The fact is absent from the evidence.
    Missing,
    /// The fact is written with `status: unknown`.
    Unknown,
    NotApplicable,
    Error,
}

impl Leaf {
    /// The interval the scoring contract gives it (None: excluded).
    pub fn interval(self) -> Option<(f64, f64)> {
        match self {
            Leaf::Pass => Some((1.0, 1.0)),
            Leaf::Fail => Some((0.0, 0.0)),
            Leaf::Partial(x) => Some((x, x)),
            Leaf::Missing | Leaf::Unknown | Leaf::Error => Some((0.0, 1.0)),
            Leaf::NotApplicable => None,
        }
    }
    fn value(self) -> Option<String> {
        match self {
            Leaf::Pass => Some("2".into()),
            Leaf::Fail => Some("3".into()),
            Leaf::NotApplicable => Some("4".into()),
            Leaf::Error => Some("5".into()),
            Leaf::Partial(x) => Some(format!("{x:?}")),
            Leaf::Missing | Leaf::Unknown => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Node {
    Leaf,
    Composite {
        aggregate: &'static str,
        children: Vec<(usize, f64)>,
    },
}

#[derive(Clone, Debug)]
pub struct Gate {
    pub node: usize,
    pub min: Option<f64>,
    pub min_assurance: Option<&'static str>,
}

/// One random case: graph, profile, and a provider's leaf outcomes with their statuses.
#[derive(Clone, Debug)]
pub struct Case {
    pub nodes: Vec<Node>,
    pub frameworks: Vec<(usize, f64)>,
    pub gates: Vec<Gate>,
    /// (node, expires): active when expires ≥ AS_OF.
    pub waivers: Vec<(usize, &'static str)>,
    pub overrides: Vec<((usize, usize), f64)>,
    pub bands: (f64, f64),
    /// Per node (None for composites): the outcome and the fact's status.
    pub leaves: Vec<Option<(Leaf, &'static str)>>,
    /// Per node: the service kinds its fact covers (None: every service).
    pub covers: Vec<Option<Vec<&'static str>>>,
    /// Per node: its fact's own `as_of` and `expires`, when written.
    pub dates: Vec<(Option<&'static str>, Option<&'static str>)>,
    /// Per node: the vocabulary's `valid_months` for its fact.
    pub valid_months: Vec<Option<u32>>,
    /// The services the profile names (None: the vocabulary's defaults, SERVICES_DEFAULT).
    pub services: Option<Vec<&'static str>>,
    /// The profile's `assurance:` (verified, attested, claimed, reported), when it sets one.
    pub assurance: Option<[f64; 4]>,
}

pub const STATUSES: [&str; 4] = ["verified", "attested", "claimed", "reported"];
/// The levels a must-have may ask for (a third party's report never meets one alone).
pub const GATE_LEVELS: [&str; 3] = ["verified", "attested", "claimed"];
/// The generated vocabulary's service kinds, and those a profile gets by default.
pub const SERVICES: [&str; 4] = ["s1", "s2", "s3", "s4"];
pub const SERVICES_DEFAULT: [&str; 2] = ["s1", "s2"];
/// The evidence file's `as_of`.
pub const EVIDENCE_AS_OF: &str = "2025-06-01";
/// Dates a fact may carry, before and after AS_OF.
const DATES: [&str; 5] = [
    "2022-03-31",
    "2024-12-31",
    "2025-01-15",
    "2025-12-31",
    "2026-06-30",
];

pub fn id(i: usize) -> String {
    format!("n{i}")
}

impl Case {
    /// A random graph with a random profile and outcomes.
    pub fn random(rng: &mut Rng) -> Case {
        let n = 2 + rng.below(13);
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let can_have_children = i + 1 < n;
            if can_have_children && rng.chance(0.45) {
                let k = 1 + rng.below(4.min(n - i - 1));
                let mut children: Vec<(usize, f64)> = Vec::new();
                while children.len() < k {
                    let c = i + 1 + rng.below(n - i - 1);
                    if !children.iter().any(|(x, _)| *x == c) {
                        children.push((c, rng.weight()));
                    }
                }
                if children.iter().all(|(_, w)| *w <= 0.0) {
                    children[0].1 = 1.0;
                }
                let aggregate = rng.pick(&["weighted", "weighted", "weighted", "all", "any"]);
                nodes.push(Node::Composite {
                    aggregate,
                    children,
                });
            } else {
                nodes.push(Node::Leaf);
            }
        }
        let mut case = Case {
            nodes,
            frameworks: Vec::new(),
            gates: Vec::new(),
            waivers: Vec::new(),
            overrides: Vec::new(),
            bands: (80.0, 60.0),
            leaves: Vec::new(),
            covers: Vec::new(),
            dates: Vec::new(),
            valid_months: Vec::new(),
            services: None,
            assurance: None,
        };
        case.valid_months = (0..n)
            .map(|_| rng.chance(0.25).then(|| rng.pick(&[6u32, 12, 36])))
            .collect();
        case.randomize_profile(rng);
        case.randomize_outcomes(rng);
        case
    }

    pub fn leaf_ids(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| matches!(self.nodes[i], Node::Leaf))
            .collect()
    }

    /// A new random profile over the same graph.
    pub fn randomize_profile(&mut self, rng: &mut Rng) {
        let n = self.nodes.len();
        let mut frameworks = vec![(0, (1 + rng.below(4)) as f64)];
        for i in 1..n {
            if rng.chance(0.2) {
                frameworks.push((i, rng.weight()));
            }
        }
        self.frameworks = frameworks;
        self.gates.clear();
        for i in 0..n {
            if rng.chance(0.15) {
                self.gates.push(Gate {
                    node: i,
                    min: if rng.chance(0.5) {
                        None
                    } else {
                        Some(rng.unit())
                    },
                    min_assurance: if rng.chance(0.3) {
                        Some(rng.pick(&GATE_LEVELS))
                    } else {
                        None
                    },
                });
            }
        }
        self.waivers.clear();
        for i in 0..n {
            if rng.chance(0.08) {
                self.waivers
                    .push((i, rng.pick(&["2025-06-30", "2026-01-01", "2027-12-31"])));
            }
        }
        self.overrides.clear();
        for (p, node) in self.nodes.iter().enumerate() {
            if let Node::Composite { children, .. } = node {
                for (c, _) in children {
                    if rng.chance(0.1) {
                        self.overrides.push(((p, *c), rng.weight()));
                    }
                }
            }
        }
        let strong = rng.pick(&[80.0, 70.0, 50.0, 100.0, 40.0]);
        self.bands = (strong, strong - rng.pick(&[0.0, 10.0, 20.0]));
        self.services = rng.chance(0.3).then(|| {
            let mut s: Vec<&'static str> = SERVICES
                .iter()
                .copied()
                .filter(|_| rng.chance(0.5))
                .collect();
            if s.is_empty() {
                s.push("s3");
            }
            s
        });
        self.assurance = rng.chance(0.25).then(|| {
            // Ordered, as a profile must write them.
            let mut a = [rng.unit(), rng.unit(), rng.unit(), rng.unit()];
            a.sort_by(|x, y| y.total_cmp(x));
            a
        });
    }

    /// New random outcomes (and statuses) for the same graph.
    pub fn randomize_outcomes(&mut self, rng: &mut Rng) {
        self.leaves = self
            .nodes
            .iter()
            .map(|node| match node {
                Node::Composite { .. } => None,
                Node::Leaf => {
                    let leaf = match rng.below(9) {
                        0 | 1 => Leaf::Pass,
                        2 => Leaf::Fail,
                        3 | 4 => Leaf::Partial(rng.unit()),
                        5 => Leaf::Missing,
                        6 => Leaf::Unknown,
                        7 => Leaf::NotApplicable,
                        _ => Leaf::Error,
                    };
                    Some((leaf, rng.pick(&STATUSES)))
                }
            })
            .collect();
        self.covers = self
            .nodes
            .iter()
            .map(|_| {
                rng.chance(0.2).then(|| {
                    let mut s: Vec<&'static str> = SERVICES
                        .iter()
                        .copied()
                        .filter(|_| rng.chance(0.6))
                        .collect();
                    if s.is_empty() {
                        s.push("s1");
                    }
                    s
                })
            })
            .collect();
        self.dates = self
            .nodes
            .iter()
            .map(|_| {
                (
                    rng.chance(0.3).then(|| rng.pick(&DATES[..3])),
                    rng.chance(0.2).then(|| rng.pick(&DATES)),
                )
            })
            .collect();
    }

    pub fn vocabulary(&self) -> String {
        let mut out = String::from("labfit: vocabulary/v1\nservices:\n");
        for s in SERVICES {
            let default = SERVICES_DEFAULT.contains(&s);
            out.push_str(&format!(
                "  {s}: {{meaning: kind {s}, default: {default}}}\n"
            ));
        }
        out.push_str("facts:\n");
        for i in self.leaf_ids() {
            let valid = self
                .valid_months
                .get(i)
                .copied()
                .flatten()
                .map(|m| format!(", valid_months: {m}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  o.n{i}: {{type: number, meaning: outcome of n{i}, question: q01, ask: What about n{i}?{valid}}}\n"
            ));
        }
        out
    }

    pub fn rules(&self) -> String {
        let mut out = String::from(
            "fn decide(key) {\n    let f = fact(key);\n    if !f.known { return unknown(\"open\"); }\n    let v = f.value;\n    if v == 2.0 { return pass(\"pass\"); }\n    if v == 3.0 { return fail(\"fail\"); }\n    if v == 4.0 { return not_applicable(\"n/a\"); }\n    if v == 5.0 { throw \"deliberate\"; }\n    partial(v, \"partial\")\n}\n",
        );
        for i in self.leaf_ids() {
            out.push_str(&format!("fn l{i}() {{ decide(\"o.n{i}\") }}\n"));
        }
        out
    }

    fn requirement(&self, i: usize, order: &mut Option<&mut Rng>) -> String {
        match &self.nodes[i] {
            Node::Leaf => format!("  - {{id: n{i}, title: N{i}, check: r.rhai::l{i}}}\n"),
            Node::Composite {
                aggregate,
                children,
            } => {
                let mut children = children.clone();
                if let Some(rng) = order {
                    rng.shuffle(&mut children);
                }
                let list: Vec<String> = children
                    .iter()
                    .map(|(c, w)| format!("n{c}: {w:?}"))
                    .collect();
                format!(
                    "  - id: n{i}\n    title: N{i}\n    aggregate: {aggregate}\n    children: {{{}}}\n",
                    list.join(", ")
                )
            }
        }
    }

    /// The catalog, as one file in id order, or (given a generator) shuffled and split over
    /// one to three files.
    pub fn catalogs(&self, mut order: Option<&mut Rng>) -> Vec<(String, String)> {
        let mut ids: Vec<usize> = (0..self.nodes.len()).collect();
        let files = match &mut order {
            Some(rng) => {
                rng.shuffle(&mut ids);
                1 + rng.below(3)
            }
            None => 1,
        };
        let mut out: Vec<(String, String)> = (0..files)
            .map(|f| {
                (
                    format!("catalog{f}.yaml"),
                    String::from("labfit: catalog/v1\nrequirements:\n"),
                )
            })
            .collect();
        for (k, i) in ids.into_iter().enumerate() {
            let text = self.requirement(i, &mut order);
            out[k % files].1.push_str(&text);
        }
        out
    }

    pub fn profile(&self, mut order: Option<&mut Rng>) -> String {
        let mut frameworks = self.frameworks.clone();
        if let Some(rng) = &mut order {
            rng.shuffle(&mut frameworks);
        }
        let fw: Vec<String> = frameworks
            .iter()
            .map(|(i, w)| format!("n{i}: {w:?}"))
            .collect();
        let mut out = format!(
            "labfit: profile/v1\nid: generated\nframeworks: {{{}}}\nbands: {{strong: {:?}, moderate: {:?}}}\n",
            fw.join(", "),
            self.bands.0,
            self.bands.1
        );
        if !self.gates.is_empty() {
            out.push_str("must_have:\n");
            for g in &self.gates {
                let mut parts = vec![format!("id: n{}", g.node)];
                if let Some(m) = g.min {
                    parts.push(format!("min: {m:?}"));
                }
                if let Some(a) = g.min_assurance {
                    parts.push(format!("min_assurance: {a}"));
                }
                out.push_str(&format!("  - {{{}}}\n", parts.join(", ")));
            }
        }
        if !self.waivers.is_empty() {
            out.push_str("waivers:\n");
            for (i, expires) in &self.waivers {
                out.push_str(&format!(
                    "  - {{id: n{i}, reason: generated, approved_by: tests, expires: {expires}}}\n"
                ));
            }
        }
        if let Some(s) = &self.services {
            out.push_str(&format!("services: [{}]\n", s.join(", ")));
        }
        if let Some([v, a, c, r]) = self.assurance {
            out.push_str(&format!(
                "assurance: {{verified: {v:?}, attested: {a:?}, claimed: {c:?}, reported: {r:?}}}\n"
            ));
        }
        if !self.overrides.is_empty() {
            let list: Vec<String> = self
                .overrides
                .iter()
                .map(|((p, c), w)| format!("\"n{p}/n{c}\": {w:?}"))
                .collect();
            out.push_str(&format!("weights: {{{}}}\n", list.join(", ")));
        }
        out
    }

    pub fn evidence(&self, provider: &str, mut order: Option<&mut Rng>) -> String {
        let mut lines = Vec::new();
        for (i, leaf) in self.leaves.iter().enumerate() {
            let Some((leaf, status)) = leaf else { continue };
            let mut extra = String::new();
            if let Some(Some(cov)) = self.covers.get(i) {
                extra.push_str(&format!(", covers: [{}]", cov.join(", ")));
            }
            if let Some((as_of, expires)) = self.dates.get(i) {
                if let Some(d) = as_of {
                    extra.push_str(&format!(", as_of: {d}"));
                }
                if let Some(d) = expires {
                    extra.push_str(&format!(", expires: {d}"));
                }
            }
            match (leaf.value(), leaf) {
                (Some(v), _) => lines.push(format!(
                    "  o.n{i}: {{value: {v}, status: {status}{extra}}}\n"
                )),
                (None, Leaf::Unknown) => lines.push(format!("  o.n{i}: {{status: unknown}}\n")),
                (None, _) => {}
            }
        }
        if let Some(rng) = &mut order {
            rng.shuffle(&mut lines);
        }
        format!(
            "labfit: evidence/v1\nid: {provider}\nprovider: {provider}\nas_of: {EVIDENCE_AS_OF}\nfacts:\n{}",
            if lines.is_empty() { "  {}\n".to_owned() } else { lines.concat() }
        )
        .replace("facts:\n  {}\n", "facts: {}\n")
    }

    /// The engine for this case's graph (optionally with shuffled, split catalog files).
    pub fn engine(&self, order: Option<&mut Rng>) -> Engine {
        let mut files = vec![
            SourceFile::from_text("vocabulary.yaml", self.vocabulary()),
            SourceFile::from_text("r.rhai", self.rules()),
        ];
        for (name, text) in self.catalogs(order) {
            files.push(SourceFile::from_text(&name, text));
        }
        Engine::builder()
            .without_builtin_rules()
            .pack("generated", files)
            .build()
            .unwrap_or_else(|e| panic!("{e}\n{:#?}", self))
    }

    pub fn load_evidence(
        &self,
        engine: &Engine,
        provider: &str,
        order: Option<&mut Rng>,
    ) -> Evidence {
        engine
            .evidence_from(&SourceFile::from_text(
                &format!("{provider}.yaml"),
                self.evidence(provider, order),
            ))
            .unwrap_or_else(|e| panic!("{e}\n{}", self.evidence(provider, None)))
    }

    pub fn report(&self, engine: &Engine) -> labfit::Report {
        let profile = engine
            .profile_from(SourceFile::from_text("profile.yaml", self.profile(None)))
            .unwrap_or_else(|e| panic!("{e}\n{}", self.profile(None)));
        let evidence = self.load_evidence(engine, "p", None);
        engine.score(&profile, &evidence, &options())
    }
}

pub fn options() -> Options {
    Options {
        as_of: Some(AS_OF.parse().unwrap()),
        assumptions: Vec::new(),
    }
}
