//! The weighting and robustness math (src/weights/) and its wiring: AHP against published
//! results and hand-checked cases (docs/scoring.md's consistent 3×3, Saaty's drinks example,
//! completions checked by hand and against Bozóki–Fülöp–Rónyai's examples, the judgement to
//! revisit, every input error); SMAA-2 against analytic answers (within 4 Monte Carlo standard
//! errors at N = 20 000), exact counts on hand-made samples, determinism across runs and
//! thread counts, and the closed-form weight stability against brute force.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "test code fails loudly"
)]

mod ahp {
    use labfit::weights::ahp::{
        combine_members, group_priorities, principal_eigenvector, priorities, AhpError, AhpOptions,
        Completion, CompletionMethod, Judgement, Priorities, RandomIndexTable,
    };
    use proptest::prelude::*;

    fn j(a: &str, b: &str, value: f64) -> Judgement {
        Judgement::new(a, b, value)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn bfr() -> AhpOptions {
        AhpOptions {
            completion: CompletionMethod::BozokiFulopRonyai2010,
            ..AhpOptions::default()
        }
    }

    /// The value the completion gave a over b; NaN (failing any comparison) if it gave none.
    fn filled(p: &Priorities, a: &str, b: &str) -> f64 {
        p.filled
            .iter()
            .find(|f| f.a == a && f.b == b)
            .map_or(f64::NAN, |f| f.value)
    }

    #[test]
    fn consistent_three_by_three_is_exact() {
        // docs/scoring.md §2, the consistent 3 × 3 example: [[1,2,6],[1/2,1,3],[1/6,1/3,1]] → (0.6, 0.3, 0.1).
        let p = priorities(
            &["a", "b", "c"],
            &[j("a", "b", 2.0), j("a", "c", 6.0), j("b", "c", 3.0)],
            &AhpOptions::default(),
        )
        .unwrap();
        for (w, want) in p.weights.iter().zip([0.6, 0.3, 0.1]) {
            assert!(close(*w, want, 1e-12), "{:?}", p.weights);
        }
        assert!(close(p.lambda_max, 3.0, 1e-12));
        assert!(close(p.cr, 0.0, 1e-12));
        assert!(close(p.ci, 0.0, 1e-12));
        assert!(p.converged);
        assert_eq!(p.completion, Completion::None);
        assert_eq!(p.completion.name(), "none");
        assert!(p.revisions.is_empty());
        assert!(close(p.random_index, 0.58, 1e-15));
    }

    /// Saaty's "which drink is consumed more in the U.S.?" matrix, rows and columns coffee, wine,
    /// tea, beer, sodas, milk, water. Published in Saaty, T. L. (2008), "Decision making with the
    /// analytic hierarchy process", Int. J. Services Sciences 1(1): 83–98 (also in Saaty 1990,
    /// EJOR 48: 9–26), with the eigenvector .177, .019, .042, .116, .190, .129, .327 and
    /// CR = .022. Transcribed here as AHPy (github.com/PhilipGriffith/AHPy, tests/test_ahp.py)
    /// transcribes it with that citation; the paper's own table could not be read here.
    const DRINKS: [&str; 7] = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"];
    const DRINKS_MATRIX: [[f64; 7]; 7] = [
        [1.0, 9.0, 5.0, 2.0, 1.0, 1.0, 1.0 / 2.0],
        [
            1.0 / 9.0,
            1.0,
            1.0 / 3.0,
            1.0 / 9.0,
            1.0 / 9.0,
            1.0 / 9.0,
            1.0 / 9.0,
        ],
        [
            1.0 / 5.0,
            3.0,
            1.0,
            1.0 / 3.0,
            1.0 / 4.0,
            1.0 / 3.0,
            1.0 / 9.0,
        ],
        [1.0 / 2.0, 9.0, 3.0, 1.0, 1.0 / 2.0, 1.0, 1.0 / 3.0],
        [1.0, 9.0, 4.0, 2.0, 1.0, 2.0, 1.0 / 2.0],
        [1.0, 9.0, 3.0, 1.0, 1.0 / 2.0, 1.0, 1.0 / 3.0],
        [2.0, 9.0, 9.0, 3.0, 2.0, 3.0, 1.0],
    ];

    fn upper_triangle(items: &[&str], m: &[[f64; 7]; 7]) -> Vec<Judgement> {
        let mut out = Vec::new();
        for (i, (a, row)) in items.iter().zip(m).enumerate() {
            for (b, value) in items.iter().zip(row).skip(i + 1) {
                out.push(j(a, b, *value));
            }
        }
        out
    }

    #[test]
    fn saaty_drinks_example_matches_the_published_eigenvector() {
        let p = priorities(
            &DRINKS,
            &upper_triangle(&DRINKS, &DRINKS_MATRIX),
            &AhpOptions::default(),
        )
        .unwrap();
        let published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327];
        for (id, want) in DRINKS.iter().zip(published) {
            let got = p.weight(id).unwrap();
            // Published to 3 decimals: the computed weight must round to it.
            assert!(close(got, want, 0.0005 + 1e-9), "{id}: {got} vs {want}");
        }
        assert!(close(p.cr, 0.022, 0.0005 + 1e-9), "CR {}", p.cr);
        assert!(p.converged);
        assert!(p.revisions.is_empty());
    }

    #[test]
    fn a_reciprocal_given_the_other_way_round_is_the_same_set() {
        let forward = upper_triangle(&DRINKS, &DRINKS_MATRIX);
        let flipped: Vec<Judgement> = forward
            .iter()
            .map(|x| j(&x.b, &x.a, 1.0 / x.value))
            .collect();
        let p = priorities(&DRINKS, &forward, &AhpOptions::default()).unwrap();
        let q = priorities(&DRINKS, &flipped, &AhpOptions::default()).unwrap();
        for (a, b) in p.weights.iter().zip(&q.weights) {
            assert!(close(*a, *b, 1e-12));
        }
    }

    #[test]
    fn cyclic_judgements_name_a_judgement_to_revisit() {
        // a > b 9, b > c 9, c > a 9: as inconsistent as three judgements can be.
        let p = priorities(
            &["a", "b", "c"],
            &[j("a", "b", 9.0), j("b", "c", 9.0), j("c", "a", 9.0)],
            &AhpOptions::default(),
        )
        .unwrap();
        assert!(p.cr > 1.0, "{}", p.cr);
        let r = p.revision().unwrap();
        // By symmetry every judgement is equally to blame; the first given is named.
        assert_eq!((r.a.as_str(), r.b.as_str()), ("a", "b"));
        assert!(close(r.current, 9.0, 0.0));
        // The other two say a = b/9 = c/81: the best answer on the scale is "b is 9 times a".
        assert!(close(r.suggested, 1.0 / 9.0, 1e-15));
        assert!(r.cr_after < p.cr);
        assert_eq!(p.revisions.len(), 3);
    }

    #[test]
    fn one_bad_judgement_is_found_and_the_fix_makes_the_set_consistent() {
        // Weights 8 : 4 : 2 : 1, every judgement consistent except a over d given as 1/8.
        let judgements = [
            j("a", "b", 2.0),
            j("a", "c", 4.0),
            j("a", "d", 1.0 / 8.0),
            j("b", "c", 2.0),
            j("b", "d", 4.0),
            j("c", "d", 2.0),
        ];
        let p = priorities(&["a", "b", "c", "d"], &judgements, &AhpOptions::default()).unwrap();
        assert!(p.cr > 0.10);
        let r = p.revision().unwrap();
        assert_eq!((r.a.as_str(), r.b.as_str()), ("a", "d"));
        assert!(close(r.suggested, 8.0, 1e-15));
        assert!(r.cr_after < 1e-9, "{}", r.cr_after);
        // The rest of the judgements pull a/d up towards 8 already.
        assert!(r.consistent > r.current);
    }

    #[test]
    fn harker_completion_by_hand() {
        // a/b = 2, b/c = 3, a/c missing. Harker's C = [[2, 2, 0], [1/2, 1, 3], [0, 1/3, 2]] and
        // C·(0.6, 0.3, 0.1) = (1.8, 0.9, 0.3) = 3·w: weights (0.6, 0.3, 0.1), λ_max = 3, a/c = 6.
        let p = priorities(
            &["a", "b", "c"],
            &[j("a", "b", 2.0), j("b", "c", 3.0)],
            &AhpOptions::default(),
        )
        .unwrap();
        assert_eq!(
            p.completion,
            Completion::Method(CompletionMethod::Harker1987)
        );
        assert_eq!(p.completion.name(), "harker-1987");
        for (w, want) in p.weights.iter().zip([0.6, 0.3, 0.1]) {
            assert!(close(*w, want, 1e-10), "{:?}", p.weights);
        }
        assert!(close(p.lambda_max, 3.0, 1e-10));
        assert!(close(p.cr, 0.0, 1e-9));
        assert_eq!(p.filled.len(), 1);
        assert!(close(filled(&p, "a", "c"), 6.0, 1e-9));
    }

    #[test]
    fn harker_completion_of_an_inconsistent_set_by_hand() {
        // a/b = 1, b/c = 1, a/c missing is trivially consistent; add d with a/d = 4, c/d = 1 and
        // b/d missing. By symmetry of a, b, c apart from a/d vs c/d the eigen-equation can be
        // checked directly: C·w = λ·w for the returned w and the reported λ.
        let p = priorities(
            &["a", "b", "c", "d"],
            &[
                j("a", "b", 1.0),
                j("b", "c", 1.0),
                j("a", "d", 4.0),
                j("c", "d", 1.0),
            ],
            &AhpOptions::default(),
        )
        .unwrap();
        let w = &p.weights;
        // Missing: a–c (row a: 1, row c: 1), b–d (row b: 1, row d: 1).
        let c = [
            [2.0, 1.0, 0.0, 4.0],
            [1.0, 2.0, 1.0, 0.0],
            [0.0, 1.0, 2.0, 1.0],
            [0.25, 0.0, 1.0, 2.0],
        ];
        for (row, wi) in c.iter().zip(w) {
            let cw: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
            assert!(close(cw, p.lambda_max * wi, 1e-10));
        }
        assert!(p.cr > 0.0);
    }

    #[test]
    fn optimal_completion_of_a_consistent_set_is_the_consistent_value() {
        let p = priorities(
            &["a", "b", "c"],
            &[j("a", "b", 2.0), j("b", "c", 3.0)],
            &bfr(),
        )
        .unwrap();
        assert_eq!(
            p.completion,
            Completion::Method(CompletionMethod::BozokiFulopRonyai2010)
        );
        assert_eq!(p.completion.name(), "bozoki-fulop-ronyai-2010");
        assert!(p.completion_converged);
        assert!(close(filled(&p, "a", "c"), 6.0, 1e-9));
        assert!(close(p.lambda_max, 3.0, 1e-10));
    }

    #[test]
    fn optimal_completion_matches_bozoki_fulop_ronyai_4x4_example() {
        // Bozóki, Fülöp & Rónyai (2010), MCM 52: 318–333, 4×4 example with a_cd missing; the
        // optimal value 0.730297106886979 as AHPy's test (tests/test_ahp.py) records it.
        let p = priorities(
            &["a", "b", "c", "d"],
            &[
                j("a", "b", 1.0),
                j("a", "c", 5.0),
                j("a", "d", 2.0),
                j("b", "c", 3.0),
                j("b", "d", 4.0),
            ],
            &bfr(),
        )
        .unwrap();
        assert!(p.completion_converged);
        let x = filled(&p, "c", "d");
        assert!(close(x, 0.730_297_106_886_979, 1e-6), "{x}");
        // Optimal means no other value of the missing entry gives a smaller λ_max.
        for other in [x * 0.999, x * 1.001] {
            let q = priorities(
                &["a", "b", "c", "d"],
                &[
                    j("a", "b", 1.0),
                    j("a", "c", 5.0),
                    j("a", "d", 2.0),
                    j("b", "c", 3.0),
                    j("b", "d", 4.0),
                    j("c", "d", other),
                ],
                &AhpOptions::default(),
            )
            .unwrap();
            assert!(q.lambda_max > p.lambda_max);
        }
    }

    #[test]
    fn optimal_completion_matches_the_8x8_housing_example() {
        // The 8×8 example with 12 missing entries from the same paper, as AHPy records it.
        let items = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let given = [
            j("a", "b", 5.0),
            j("a", "c", 3.0),
            j("a", "d", 7.0),
            j("a", "e", 6.0),
            j("a", "f", 6.0),
            j("b", "d", 5.0),
            j("b", "f", 3.0),
            j("c", "e", 3.0),
            j("c", "g", 6.0),
            j("f", "d", 4.0),
            j("g", "a", 3.0),
            j("g", "e", 5.0),
            j("h", "a", 4.0),
            j("h", "b", 7.0),
            j("h", "d", 8.0),
            j("h", "f", 6.0),
        ];
        let p = priorities(&items, &given, &bfr()).unwrap();
        assert!(p.completion_converged, "{} sweeps", p.completion_sweeps);
        let expected = [
            ("b", "c", 0.330_018_749_624_036_3),
            ("b", "e", 1.719_740_918_534_951_7),
            ("b", "g", 0.466_351_500_220_332_1),
            ("c", "d", 9.920_512_661_898_753),
            ("c", "f", 4.852_486_449_214_693),
            ("c", "h", 0.569_607_330_150_989_9),
            ("d", "e", 0.525_276_814_289_428_5),
            ("d", "g", 0.142_443_814_653_180_2),
            ("e", "f", 0.931_197_356_475_421_8),
            ("e", "h", 0.109_308_281_820_516_65),
            ("f", "g", 0.291_212_079_618_187_4),
            ("g", "h", 0.403_089_888_517_874_6),
        ];
        assert_eq!(p.filled.len(), expected.len());
        // AHPy's values are good to ~1e-5 (they come from a general-purpose minimiser); filled in,
        // they give a λ_max above ours, so the difference is theirs to make up.
        for (a, b, want) in expected {
            let got = filled(&p, a, b);
            assert!(close(got, want, 5e-5 * want), "{a}/{b}: {got} vs {want}");
        }
        // (Their 9.92 is off Saaty's scale, as an optimal completion may be: build the matrix.)
        let at = |id: &str| items.iter().position(|x| *x == id).unwrap();
        let mut m = vec![vec![1.0; 8]; 8];
        let entries = given.iter().map(|g| (g.a.as_str(), g.b.as_str(), g.value));
        for (a, b, v) in entries.chain(expected.iter().copied()) {
            m[at(a)][at(b)] = v;
            m[at(b)][at(a)] = 1.0 / v;
        }
        let theirs = principal_eigenvector(&m, &AhpOptions::default()).unwrap();
        assert!(
            p.lambda_max <= theirs.lambda_max + 1e-12,
            "{} vs {}",
            p.lambda_max,
            theirs.lambda_max
        );
        // CR 0.13 here: the revision search ran, with the optimal completion redone per change.
        assert!(p.cr > 0.10);
        let r = p.revision().unwrap();
        assert!(r.cr_after < p.cr);
    }

    #[test]
    fn disconnected_judgements_name_the_groups() {
        let err = priorities(
            &["d", "a", "c", "b", "e"],
            &[j("a", "b", 2.0), j("d", "c", 3.0)],
            &AhpOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            AhpError::Disconnected {
                groups: vec![
                    vec!["a".to_owned(), "b".to_owned()],
                    vec!["c".to_owned(), "d".to_owned()],
                    vec!["e".to_owned()],
                ]
            }
        );
        assert_eq!(
            err.to_string(),
            "the judgements leave the items in 3 groups never compared with each other: \
             [`a`, `b`], [`c`, `d`], [`e`]"
        );
    }

    #[test]
    fn judgement_values_off_the_scale_are_errors_naming_the_judgement() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 10.0, 0.1, 9.5] {
            let err =
                priorities(&["x", "y"], &[j("x", "y", bad)], &AhpOptions::default()).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("judgement `x` over `y` is `"), "{text}");
            assert!(
                matches!(
                    err,
                    AhpError::NotPositive { .. } | AhpError::OutOfScale { .. }
                ),
                "{err:?}"
            );
        }
        for ok in [1.0 / 9.0, 9.0, 1.0, 0.5] {
            assert!(priorities(&["x", "y"], &[j("x", "y", ok)], &AhpOptions::default()).is_ok());
        }
    }

    #[test]
    fn malformed_sets_are_errors() {
        let opts = AhpOptions::default();
        let items = ["a", "b", "c"];
        let e = priorities(&items, &[j("a", "a", 2.0)], &opts).unwrap_err();
        assert_eq!(
            e.to_string(),
            "judgement `a` over `a` compares an item with itself"
        );
        let e = priorities(&items, &[j("a", "z", 2.0)], &opts).unwrap_err();
        assert_eq!(
            e.to_string(),
            "judgement `a` over `z` names `z`, which is not an item"
        );
        let e = priorities(&items, &[j("a", "b", 2.0), j("a", "b", 2.0)], &opts).unwrap_err();
        assert!(matches!(e, AhpError::DuplicatePair { .. }));
        let e = priorities(&items, &[j("a", "b", 2.0), j("b", "a", 0.5)], &opts).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the pair `a`, `b` is judged twice: `a` over `b` is `2`, then `b` over `a` is `0.5`"
        );
        let e = priorities(&["a", "a"], &[], &opts).unwrap_err();
        assert_eq!(e.to_string(), "item `a` is listed twice");
        let none: [&str; 0] = [];
        assert_eq!(
            priorities(&none, &[], &opts).unwrap_err(),
            AhpError::NoItems
        );
        let bad = AhpOptions {
            tolerance: 0.0,
            ..AhpOptions::default()
        };
        assert!(matches!(
            priorities(&items, &[], &bad).unwrap_err(),
            AhpError::InvalidOption {
                option: "tolerance",
                ..
            }
        ));
    }

    #[test]
    fn one_and_two_items() {
        let p = priorities(&["only"], &[], &AhpOptions::default()).unwrap();
        assert!(close(p.weights[0], 1.0, 1e-15));
        assert!(close(p.cr, 0.0, 0.0));
        let p = priorities(&["a", "b"], &[j("a", "b", 3.0)], &AhpOptions::default()).unwrap();
        assert!(close(p.weights[0], 0.75, 1e-12));
        assert!(close(p.lambda_max, 2.0, 1e-12));
        assert!(close(p.cr, 0.0, 0.0));
    }

    #[test]
    fn random_index_tables_by_name() {
        assert_eq!(
            "saaty-1980".parse::<RandomIndexTable>().unwrap(),
            RandomIndexTable::Saaty1980
        );
        assert_eq!(
            "alonso-lamata-2006".parse::<RandomIndexTable>().unwrap(),
            RandomIndexTable::AlonsoLamata2006
        );
        assert_eq!(RandomIndexTable::default(), RandomIndexTable::Saaty1980);
        let e = "saaty".parse::<RandomIndexTable>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown random index table `saaty` (expected `saaty-1980` or `alonso-lamata-2006`)"
        );
        for t in RandomIndexTable::ALL {
            assert_eq!(t.to_string().parse::<RandomIndexTable>().unwrap(), t);
        }
        for m in CompletionMethod::ALL {
            assert_eq!(m.to_string().parse::<CompletionMethod>().unwrap(), m);
        }
        assert!("harker".parse::<CompletionMethod>().is_err());

        let s = RandomIndexTable::Saaty1980;
        assert!(close(s.random_index(12).unwrap(), 1.48, 0.0));
        assert!(close(s.random_index(15).unwrap(), 1.59, 0.0));
        let e = s.random_index(16).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the `saaty-1980` random index table stops at n = 15; 16 items were given"
        );
        let a = RandomIndexTable::AlonsoLamata2006;
        assert!(close(a.random_index(3).unwrap(), 0.5247, 0.0));
        assert!(close(a.random_index(15).unwrap(), 1.5838, 0.0));
        // Beyond the table, their fit: (1.7699·16 − 4.3513)/15.
        assert!(close(
            a.random_index(16).unwrap(),
            (1.7699 * 16.0 - 4.3513) / 15.0,
            1e-15
        ));
    }

    #[test]
    fn sixteen_items_need_a_table_that_goes_that_far() {
        let items: Vec<String> = (0..16).map(|k| format!("i{k:02}")).collect();
        let chain: Vec<Judgement> = items.windows(2).map(|w| j(&w[0], &w[1], 1.0)).collect();
        let err = priorities(&items, &chain, &AhpOptions::default()).unwrap_err();
        assert!(matches!(
            err,
            AhpError::TableTooSmall { max: 15, n: 16, .. }
        ));
        let opts = AhpOptions {
            random_index: RandomIndexTable::AlonsoLamata2006,
            ..AhpOptions::default()
        };
        let p = priorities(&items, &chain, &opts).unwrap();
        assert!(p.weights.iter().all(|w| close(*w, 1.0 / 16.0, 1e-9)));
        assert_eq!(p.random_index_table, RandomIndexTable::AlonsoLamata2006);
    }

    #[test]
    fn the_table_changes_cr_not_the_weights() {
        let judgements = upper_triangle(&DRINKS, &DRINKS_MATRIX);
        let s = priorities(&DRINKS, &judgements, &AhpOptions::default()).unwrap();
        let a = priorities(
            &DRINKS,
            &judgements,
            &AhpOptions {
                random_index: RandomIndexTable::AlonsoLamata2006,
                ..AhpOptions::default()
            },
        )
        .unwrap();
        assert_eq!(s.weights, a.weights);
        assert!(close(a.cr * 1.3417, s.cr * 1.32, 1e-12));
    }

    #[test]
    fn members_are_combined_by_geometric_mean_over_those_who_judged() {
        let items = ["a", "b", "c"];
        let members = vec![
            ("zoe".to_owned(), vec![j("a", "b", 2.0), j("b", "c", 3.0)]),
            ("ann".to_owned(), vec![j("b", "a", 1.0 / 8.0)]),
        ];
        let combined = combine_members(&items, &members).unwrap();
        assert_eq!(combined.len(), 2);
        // a/b: zoe 2, ann 8 → sqrt(16) = 4. b/c: zoe alone → 3 exactly.
        assert_eq!((combined[0].a.as_str(), combined[0].b.as_str()), ("a", "b"));
        assert!(close(combined[0].value, 4.0, 1e-12));
        assert_eq!((combined[1].a.as_str(), combined[1].b.as_str()), ("b", "c"));
        assert!(close(combined[1].value, 3.0, 0.0));
        // The order members are listed in does not matter, to the bit.
        let reversed: Vec<_> = members.iter().rev().cloned().collect();
        let again = combine_members(&items, &reversed).unwrap();
        assert_eq!(combined, again);
        let p = group_priorities(&items, &members, &AhpOptions::default()).unwrap();
        assert!(close(p.weight("a").unwrap(), 12.0 / 16.0, 1e-9));
    }

    #[test]
    fn member_errors_name_the_member() {
        let items = ["a", "b"];
        let members = vec![("bob".to_owned(), vec![j("a", "b", 12.0)])];
        let e = combine_members(&items, &members).unwrap_err();
        assert_eq!(
            e.to_string(),
            "member `bob`: judgement `a` over `b` is `12`, outside Saaty's scale 1/9..9"
        );
        let twice = vec![
            ("bob".to_owned(), vec![j("a", "b", 2.0)]),
            ("bob".to_owned(), vec![j("a", "b", 3.0)]),
        ];
        assert_eq!(
            combine_members(&items, &twice).unwrap_err().to_string(),
            "member `bob` is listed twice"
        );
    }

    #[test]
    fn results_are_deterministic() {
        let judgements = upper_triangle(&DRINKS, &DRINKS_MATRIX);
        let a = priorities(&DRINKS, &judgements[..15], &bfr()).unwrap();
        let b = priorities(&DRINKS, &judgements[..15], &bfr()).unwrap();
        assert_eq!(a, b);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Judgements taken from a weight vector are consistent: every method recovers the
        /// weights with CR 0, whichever pairs are left out (as long as a chain links them).
        #[test]
        fn consistent_judgements_recover_their_weights(
            raw in prop::collection::vec(1.0f64..3.0, 3..9),
            drop in prop::collection::vec(any::<bool>(), 36),
        ) {
            let n = raw.len();
            let total: f64 = raw.iter().sum();
            let w: Vec<f64> = raw.iter().map(|x| x / total).collect();
            let items: Vec<String> = (0..n).map(|k| format!("c{k}")).collect();
            let mut judgements = Vec::new();
            let mut k = 0;
            for a in 0..n {
                for b in (a + 1)..n {
                    // Keep the chain c0–c1–…, drop others at random.
                    let keep = b == a + 1 || !drop[k % drop.len()];
                    k += 1;
                    if keep {
                        judgements.push(j(&items[a], &items[b], w[a] / w[b]));
                    }
                }
            }
            for completion in CompletionMethod::ALL {
                let opts = AhpOptions { completion, ..AhpOptions::default() };
                let p = priorities(&items, &judgements, &opts).unwrap();
                for (got, want) in p.weights.iter().zip(&w) {
                    prop_assert!(close(*got, *want, 1e-8), "{completion}: {:?} vs {:?}", p.weights, w);
                }
                prop_assert!(p.cr < 1e-8);
                prop_assert!(p.revisions.is_empty());
            }
        }
    }
}

mod smaa {
    use labfit::weights::smaa::rng::Xoshiro256StarStar;
    use labfit::weights::smaa::sampler::{self, Drawn, SamplerSpec, WeightModel};
    use labfit::weights::smaa::{
        self as core, chunk_ranges, confidence_chunk, rank_chunk, weight_stability,
        weight_stability_masked, Additive, Estimate, RankPartial, SmaaError, SmaaResult, Utility,
        CHUNK_SIZE,
    };

    /// Runs `f` on a rayon pool of `threads` threads: the core runs on the current pool.
    fn on<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    fn run(
        spec: &SamplerSpec,
        seed: u64,
        samples: usize,
        threads: usize,
    ) -> Result<SmaaResult, SmaaError> {
        on(threads, || core::run(spec, seed, samples))
    }

    fn analyse<U: Utility>(
        n: usize,
        m: usize,
        w: &[f64],
        u: &U,
        threads: usize,
    ) -> Result<SmaaResult, SmaaError> {
        on(threads, || core::analyse(n, m, w, u))
    }

    fn generate(
        spec: &SamplerSpec,
        seed: u64,
        samples: usize,
        threads: usize,
    ) -> Result<Drawn, SmaaError> {
        on(threads, || sampler::generate(spec, seed, samples))
    }

    const N: usize = 20_000;

    fn point(rows: &[&[f64]]) -> Vec<(f64, f64)> {
        rows.iter()
            .flat_map(|r| r.iter().map(|x| (*x, *x)))
            .collect()
    }

    fn uniform_spec(rows: &[&[f64]]) -> SamplerSpec {
        SamplerSpec {
            alternatives: rows.len(),
            criteria: rows.first().map_or(0, |r| r.len()),
            weights: WeightModel::Uniform,
            intervals: point(rows),
        }
    }

    fn within(e: Estimate, p: f64) -> bool {
        // 4 standard errors of the true p (the estimate's own SE is 0 when it hits 0 or 1).
        let se = (p * (1.0 - p) / N as f64).sqrt();
        (e.p - p).abs() <= 4.0 * se.max(e.se) + 1e-12
    }

    #[test]
    fn a_dominating_alternative_is_always_first() {
        let r = run(
            &uniform_spec(&[&[0.9, 0.8, 0.7], &[0.5, 0.8, 0.1]]),
            1,
            N,
            2,
        )
        .unwrap();
        // It dominates weakly (equal on criterion 2), so it is first in every sample.
        assert_eq!(r.rank_counts[0][0], N as u64);
        assert!((r.rank_acceptability[0][0].p - 1.0).abs() < 1e-15);
        assert_eq!(r.rank_counts[1][1], N as u64);
        // It wins strictly in every sample: some weight falls on criteria 0 or 2.
        assert_eq!(r.win_counts[0][1], N as u64);
        assert_eq!(r.win_counts[1][0], 0);
        assert_eq!(r.central_weights[1], None);
        assert_eq!(r.confidence_counts[0], Some(N as u64));
        assert_eq!(r.confidence[1], None);
    }

    #[test]
    fn one_against_the_rest_wins_half_to_the_power_m_minus_one() {
        // u_1 = w_1, u_2 = 1 − w_1: first iff w_1 > 1/2, which under uniform weights on m
        // criteria has probability (1/2)^(m−1) (docs/weights.md).
        for m in 2..=5 {
            let mut a = vec![0.0; m];
            a[0] = 1.0;
            let mut b = vec![1.0; m];
            b[0] = 0.0;
            let r = run(&uniform_spec(&[&a, &b]), 42 + m as u64, N, 2).unwrap();
            let want = 0.5f64.powi(m as i32 - 1);
            let got = r.rank_acceptability[0][0];
            assert!(within(got, want), "m = {m}: {got:?} vs {want}");
            assert!(within(r.pairwise_wins[0][1], want));
            assert!(within(r.rank_acceptability[1][0], 1.0 - want));
            // Fixed measurements: under its own central weights each alternative is first.
            assert_eq!(r.confidence_counts[0], Some(N as u64));
        }
    }

    #[test]
    fn a_symmetric_pair_splits_half_and_half() {
        let r = run(&uniform_spec(&[&[1.0, 0.0], &[0.0, 1.0]]), 7, N, 1).unwrap();
        for i in 0..2 {
            assert!(within(r.rank_acceptability[i][0], 0.5));
            assert!(within(r.rank_acceptability[i][1], 0.5));
        }
        assert!(within(r.pairwise_wins[0][1], 0.5));
        // w_1 given w_1 > 1/2 is uniform on (1/2, 1): mean 3/4, sd 1/(4·sqrt 3).
        let wc = r.central_weights[0].as_ref().unwrap();
        let se = 1.0 / (4.0 * 3f64.sqrt()) / (N as f64 / 2.0).sqrt();
        assert!((wc[0] - 0.75).abs() < 4.0 * se, "{wc:?}");
        // Its reported standard error is that of a mean of about N/2 such weights.
        let wse = r.central_weight_errors[0].as_ref().unwrap();
        assert!((wse[0] - se).abs() < 0.05 * se, "{wse:?} vs {se}");
        assert!((wc.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn uncertain_measurements_give_the_analytic_probability() {
        // One criterion, u_1 ~ U(0, 1), u_2 = 0.3 fixed: P(1 first) = 0.7.
        let spec = SamplerSpec {
            alternatives: 2,
            criteria: 1,
            weights: WeightModel::Uniform,
            intervals: vec![(0.0, 1.0), (0.3, 0.3)],
        };
        let r = run(&spec, 3, N, 2).unwrap();
        assert!(within(r.rank_acceptability[0][0], 0.7));
        // The central weight is (1) for both; the confidence factor is then P(first) itself.
        assert!(within(r.confidence[0].unwrap(), 0.7));
        assert!(within(r.confidence[1].unwrap(), 0.3));
    }

    #[test]
    fn dirichlet_weights_concentrate_on_the_center() {
        // Center (0.7, 0.3): with κ = 200, w_1 > 1/2 almost surely; with κ = 2 (Beta(1.4, 0.6))
        // much less often.
        let rows: [&[f64]; 2] = [&[1.0, 0.0], &[0.0, 1.0]];
        let spec = |kappa| SamplerSpec {
            alternatives: 2,
            criteria: 2,
            weights: WeightModel::Dirichlet {
                center: vec![0.7, 0.3],
                concentration: kappa,
            },
            intervals: point(&rows),
        };
        let tight = run(&spec(200.0), 9, N, 2).unwrap();
        assert!(tight.rank_acceptability[0][0].p > 0.999);
        let loose = run(&spec(2.0), 9, N, 2).unwrap();
        let p = loose.rank_acceptability[0][0].p;
        assert!(p > 0.6 && p < 0.9, "{p}");
        let wc = tight.central_weights[0].as_ref().unwrap();
        assert!((wc[0] - 0.7).abs() < 0.005, "{wc:?}");
    }

    #[test]
    fn the_core_counts_hand_made_samples_exactly() {
        // 4 samples, 3 alternatives, 2 criteria; measurements fixed:
        //   A = (1, 0), B = (0, 1), C = (0.5, 0.5)
        // w = (1, 0):     A 1,   B 0,   C 0.5  → A first, C second, B third
        // w = (0, 1):     A 0,   B 1,   C 0.5  → B, C, A
        // w = (0.5, 0.5): all 0.5 → three-way tie, all rank 1
        // w = (0.75, 0.25): A .75, B .25, C .5 → A, C, B
        let weights = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 0.75, 0.25];
        let x = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5];
        let model = Additive::fixed(3, 2, &x).unwrap();
        let r = analyse(3, 2, &weights, &model, 1).unwrap();
        assert_eq!(r.samples, 4);
        assert_eq!(r.rank_counts[0], vec![3, 0, 1]);
        assert_eq!(r.rank_counts[1], vec![2, 0, 2]);
        assert_eq!(r.rank_counts[2], vec![1, 3, 0]);
        // Wins are strict: nobody wins in the tie sample.
        assert_eq!(r.win_counts[0], vec![0, 2, 2]);
        assert_eq!(r.win_counts[1], vec![1, 0, 1]);
        assert_eq!(r.win_counts[2], vec![1, 2, 0]);
        // A first at (1, 0), (0.5, 0.5), (0.75, 0.25): central (0.75, 0.25).
        let wa = r.central_weights[0].as_ref().unwrap();
        assert!((wa[0] - 0.75).abs() < 1e-15 && (wa[1] - 0.25).abs() < 1e-15);
        // B first at (0, 1) and (0.5, 0.5): central (0.25, 0.75).
        let wb = r.central_weights[1].as_ref().unwrap();
        assert!((wb[0] - 0.25).abs() < 1e-15);
        // C first only in the tie: central (0.5, 0.5), under which it ties for first again.
        assert!((r.central_weights[2].as_ref().unwrap()[0] - 0.5).abs() < 1e-15);
        assert_eq!(r.confidence_counts, vec![Some(4), Some(4), Some(4)]);
        let e = r.rank_acceptability[0][0];
        assert!((e.p - 0.75).abs() < 1e-15);
        assert!((e.se - (0.75f64 * 0.25 / 4.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn the_core_takes_a_closure_with_per_sample_scores() {
        // labfit's case: the caller computes each sample's scores itself (here: alternative 1's
        // score on criterion 0 is the sample index's parity, everything else fixed).
        let utility = |s: usize, w: &[f64], out: &mut [f64]| {
            let a0 = if s.is_multiple_of(2) { 1.0 } else { 0.0 };
            out[0] = w[0] * a0 + w[1] * 0.2;
            out[1] = w[0] * 0.5 + w[1] * 0.5;
        };
        let weights: Vec<f64> = (0..10).flat_map(|_| [0.5, 0.5]).collect();
        let r = analyse(2, 2, &weights, &utility, 2).unwrap();
        // Even samples: 0.6 vs 0.5; odd: 0.1 vs 0.5.
        assert_eq!(r.rank_counts[0][0], 5);
        assert_eq!(r.rank_counts[1][0], 5);
        // Central weights (0.5, 0.5) for both; confidence over the same 10 samples: 5 each.
        assert_eq!(r.confidence_counts, vec![Some(5), Some(5)]);
    }

    #[test]
    fn the_chunked_pieces_reproduce_analyse() {
        // What a rayon pool would do: chunks in any order, merged in chunk order.
        let spec = SamplerSpec {
            alternatives: 3,
            criteria: 4,
            weights: WeightModel::Uniform,
            intervals: (0..12)
                .map(|k| (0.1 * (k % 5) as f64, 0.2 + 0.1 * (k % 7) as f64))
                .collect(),
        };
        let s = 3 * CHUNK_SIZE + 17;
        let d = generate(&spec, 5, s, 1).unwrap();
        let model = Additive::per_sample(3, 4, s, &d.measurements).unwrap();
        let ranges = chunk_ranges(s);
        let mut partials: Vec<(usize, RankPartial)> = ranges
            .iter()
            .enumerate()
            .rev()
            .map(|(c, r)| (c, rank_chunk(3, 4, &d.weights, &model, r.clone()).unwrap()))
            .collect();
        partials.sort_by_key(|(c, _)| *c);
        let mut total = RankPartial::new(3, 4);
        for (_, p) in &partials {
            total.merge(p);
        }
        let central = total.central_weights();
        let mut conf = vec![0u64; 3];
        for r in ranges.iter().rev() {
            for (a, b) in conf
                .iter_mut()
                .zip(confidence_chunk(3, &central, &model, r.clone()).unwrap())
            {
                *a += b;
            }
        }
        let by_hand = core::assemble(&total, central, &conf);
        let direct = analyse(3, 4, &d.weights, &model, 1).unwrap();
        assert_bit_identical(&by_hand, &direct);
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn assert_bit_identical(a: &SmaaResult, b: &SmaaResult) {
        assert_eq!(a.rank_counts, b.rank_counts);
        assert_eq!(a.win_counts, b.win_counts);
        assert_eq!(a.confidence_counts, b.confidence_counts);
        for (x, y) in a.central_weights.iter().zip(&b.central_weights) {
            assert_eq!(x.as_deref().map(bits), y.as_deref().map(bits));
        }
        for (x, y) in a.rank_acceptability.iter().zip(&b.rank_acceptability) {
            for (e, f) in x.iter().zip(y) {
                assert_eq!(
                    (e.p.to_bits(), e.se.to_bits()),
                    (f.p.to_bits(), f.se.to_bits())
                );
            }
        }
    }

    fn busy_spec() -> SamplerSpec {
        // 5 alternatives, 4 criteria, Dirichlet weights and open intervals: every sampler path.
        let mut rng = Xoshiro256StarStar::seed_from_u64(99);
        let intervals = (0..20)
            .map(|k| {
                let lo = rng.next_f64() * 0.6;
                if k % 3 == 0 {
                    (lo, lo)
                } else {
                    (lo, lo + 0.4 * rng.next_f64())
                }
            })
            .collect();
        SamplerSpec {
            alternatives: 5,
            criteria: 4,
            weights: WeightModel::Dirichlet {
                center: vec![0.4, 0.3, 0.2, 0.1],
                concentration: 5.0,
            },
            intervals,
        }
    }

    #[test]
    fn same_seed_same_results_to_the_bit() {
        let a = run(&busy_spec(), 2024, 5_000, 1).unwrap();
        let b = run(&busy_spec(), 2024, 5_000, 1).unwrap();
        assert_bit_identical(&a, &b);
        let c = run(&busy_spec(), 2025, 5_000, 1).unwrap();
        assert_ne!(a.rank_counts, c.rank_counts);
    }

    #[test]
    fn one_and_two_threads_are_bit_identical() {
        // Several chunks, the last one partial, so the merge order matters.
        let s = 4 * CHUNK_SIZE + 321;
        let one = run(&busy_spec(), 77, s, 1).unwrap();
        let two = run(&busy_spec(), 77, s, 2).unwrap();
        let three = run(&busy_spec(), 77, s, 3).unwrap();
        assert_bit_identical(&one, &two);
        assert_bit_identical(&one, &three);
        let d1 = generate(&busy_spec(), 77, s, 1).unwrap();
        let d2 = generate(&busy_spec(), 77, s, 2).unwrap();
        assert_eq!(bits(&d1.weights), bits(&d2.weights));
        assert_eq!(bits(&d1.measurements), bits(&d2.measurements));
    }

    #[test]
    fn a_prefix_of_the_samples_is_the_same_samples() {
        // Sample s depends on (seed, s) only.
        let short = generate(&busy_spec(), 5, 10, 1).unwrap();
        let long = generate(&busy_spec(), 5, 3000, 2).unwrap();
        assert_eq!(bits(&short.weights), bits(&long.weights[..40]));
        assert_eq!(bits(&short.measurements), bits(&long.measurements[..200]));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = [1.0, 0.0, 0.0, 1.0];
        let model = Additive::fixed(2, 2, &x).unwrap();
        assert_eq!(
            analyse(2, 2, &[0.5, 0.6], &model, 1)
                .unwrap_err()
                .to_string(),
            "weights in sample 0 sum to `1.1`, not 1"
        );
        assert_eq!(
            analyse(2, 2, &[0.5, 0.5, 1.0], &model, 1).unwrap_err(),
            SmaaError::RaggedWeights {
                len: 3,
                criteria: 2
            }
        );
        assert_eq!(
            analyse(2, 2, &[1.5, -0.5], &model, 1)
                .unwrap_err()
                .to_string(),
            "weight of criterion 1 in sample 0 is `-0.5`, not a non-negative number"
        );
        assert_eq!(
            analyse(2, 2, &[], &model, 1).unwrap_err(),
            SmaaError::NoSamples
        );
        let nan = |_: usize, _: &[f64], out: &mut [f64]| {
            out[0] = 0.0;
            out[1] = f64::NAN;
        };
        assert_eq!(
            analyse(2, 2, &[0.5, 0.5], &nan, 2).unwrap_err().to_string(),
            "utility of alternative 1 in sample 0 is `NaN`, not a finite number"
        );
        assert!(matches!(
            Additive::fixed(2, 2, &[1.0, 2.0]).unwrap_err(),
            SmaaError::Length { .. }
        ));
        let mut spec = uniform_spec(&[&[1.0, 0.0], &[0.0, 1.0]]);
        spec.intervals[1] = (0.5, 0.2);
        assert_eq!(
            run(&spec, 1, 10, 1).unwrap_err().to_string(),
            "interval of alternative 0, criterion 1 is [`0.5`, `0.2`]: expected finite lo <= hi"
        );
        spec.intervals[1] = (0.0, 0.0);
        spec.weights = WeightModel::Dirichlet {
            center: vec![0.5, 0.5],
            concentration: 0.0,
        };
        assert!(matches!(
            run(&spec, 1, 10, 1).unwrap_err(),
            SmaaError::InvalidConcentration { .. }
        ));
    }

    /// Is `first` still first at w_j = t (others rescaled)? Ties keep it first.
    fn first_at(x: &[f64], m: usize, w: &[f64], j: usize, t: f64, first: usize) -> bool {
        let rest = 1.0 - w.get(j).copied().unwrap_or(0.0);
        let wt: Vec<f64> = w
            .iter()
            .enumerate()
            .map(|(k, wk)| {
                if k == j {
                    t
                } else if rest > 1e-9 {
                    wk * (1.0 - t) / rest
                } else {
                    (1.0 - t) / (m - 1) as f64
                }
            })
            .collect();
        let u: Vec<f64> = x
            .chunks_exact(m)
            .map(|row| row.iter().zip(&wt).map(|(a, b)| a * b).sum())
            .collect();
        let leader = u.get(first).copied().unwrap_or(f64::NAN);
        u.iter().all(|uk| *uk <= leader + 1e-12)
    }

    #[test]
    fn weight_stability_matches_brute_force() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(31);
        let steps = 2_000;
        for case in 0..60 {
            let n = 2 + case % 5;
            let m = 2 + case % 4;
            let x: Vec<f64> = (0..n * m).map(|_| rng.next_f64()).collect();
            let mut w: Vec<f64> = (0..m).map(|_| rng.next_f64() + 0.05).collect();
            let total: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v /= total);
            let st = weight_stability(n, m, &x, &w).unwrap();
            assert!(first_at(&x, m, &w, 0, w[0], st.first));
            for iv in &st.intervals {
                let j = iv.criterion;
                assert!(iv.lo <= iv.base && iv.base <= iv.hi, "{iv:?}");
                // Inside the interval (a grid step in from each end): still first.
                // Outside (a grid step out): not first.
                let h = 1.0 / steps as f64;
                for k in 0..=steps {
                    let t = k as f64 * h;
                    let inside = t >= iv.lo + h && t <= iv.hi - h;
                    let outside = t <= iv.lo - h || t >= iv.hi + h;
                    let first = first_at(&x, m, &w, j, t, st.first);
                    assert!(!inside || first, "case {case} j {j} t {t}: {iv:?}");
                    assert!(!outside || !first, "case {case} j {j} t {t}: {iv:?}");
                }
                // At a bound set by a rival, the rival draws level.
                if let Some(k) = iv.lo_rival {
                    assert!(iv.lo > 0.0 && k != st.first);
                }
                if let Some(k) = iv.hi_rival {
                    assert!(iv.hi < 1.0 && k != st.first);
                }
            }
        }
    }

    #[test]
    fn weight_stability_by_hand() {
        // A = (1, 0), B = (0, 1), w = (0.6, 0.4): A leads 0.6 to 0.4 and stays first while
        // w_0 ≥ 0.5 (and w_1 ≤ 0.5); B takes over at the boundary.
        let st = weight_stability(2, 2, &[1.0, 0.0, 0.0, 1.0], &[0.6, 0.4]).unwrap();
        assert_eq!(st.first, 0);
        let i0 = st.intervals[0];
        assert!((i0.lo - 0.5).abs() < 1e-15 && (i0.hi - 1.0).abs() < 1e-15);
        assert_eq!((i0.lo_rival, i0.hi_rival), (Some(1), None));
        let i1 = st.intervals[1];
        assert!((i1.lo - 0.0).abs() < 1e-15 && (i1.hi - 0.5).abs() < 1e-15);
        assert_eq!((i1.lo_rival, i1.hi_rival), (None, Some(1)));
    }

    /// Is `first` still first at w_j = t, each alternative's utility renormalised over the
    /// criteria that apply to it?
    fn first_at_masked(
        x: &[f64],
        on: &[bool],
        m: usize,
        w: &[f64],
        j: usize,
        t: f64,
        first: usize,
    ) -> bool {
        let rest = 1.0 - w[j];
        let wt: Vec<f64> = w
            .iter()
            .enumerate()
            .map(|(k, wk)| if k == j { t } else { wk * (1.0 - t) / rest })
            .collect();
        let u: Vec<f64> = x
            .chunks_exact(m)
            .zip(on.chunks_exact(m))
            .map(|(row, mask)| {
                let (mut num, mut den) = (0.0, 0.0);
                for ((a, b), o) in row.iter().zip(&wt).zip(mask) {
                    if *o {
                        num += a * b;
                        den += b;
                    }
                }
                if den > 1e-9 {
                    num / den
                } else {
                    0.0
                }
            })
            .collect();
        u.iter().all(|uk| *uk <= u[first] + 1e-12)
    }

    #[test]
    fn masked_stability_equals_the_closed_form_when_everything_applies() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(8);
        for case in 0..40 {
            let n = 2 + case % 6;
            let m = 2 + case % 5;
            let x: Vec<f64> = (0..n * m).map(|_| rng.next_f64()).collect();
            let mut w: Vec<f64> = (0..m).map(|_| rng.next_f64() + 0.05).collect();
            let total: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v /= total);
            let a = weight_stability(n, m, &x, &w).unwrap();
            let b = weight_stability_masked(n, m, &x, &vec![true; n * m], &w).unwrap();
            assert_eq!(a.first, b.first);
            for (p, q) in a.intervals.iter().zip(&b.intervals) {
                assert!(
                    (p.lo - q.lo).abs() < 1e-9 && (p.hi - q.hi).abs() < 1e-9,
                    "{p:?} {q:?}"
                );
                assert_eq!((p.lo_rival, p.hi_rival), (q.lo_rival, q.hi_rival));
            }
        }
    }

    #[test]
    fn masked_stability_matches_brute_force() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(41);
        let steps = 2_000;
        for case in 0..60 {
            let n = 2 + case % 5;
            let m = 2 + case % 4;
            let x: Vec<f64> = (0..n * m).map(|_| rng.next_f64()).collect();
            // About one cell in four does not apply; every alternative keeps one that does.
            let mut on: Vec<bool> = (0..n * m).map(|_| rng.next_f64() > 0.25).collect();
            for i in 0..n {
                on[i * m + i % m] = true;
            }
            let mut w: Vec<f64> = (0..m).map(|_| rng.next_f64() + 0.05).collect();
            let total: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v /= total);
            let st = weight_stability_masked(n, m, &x, &on, &w).unwrap();
            for iv in &st.intervals {
                let j = iv.criterion;
                assert!(iv.lo <= iv.base && iv.base <= iv.hi, "{iv:?}");
                let h = 1.0 / steps as f64;
                for k in 0..steps {
                    let t = k as f64 * h;
                    let inside = t >= iv.lo + h && t <= iv.hi - h;
                    let outside = t <= iv.lo - h || t >= iv.hi + h;
                    let first = first_at_masked(&x, &on, m, &w, j, t, st.first);
                    assert!(!inside || first, "case {case} j {j} t {t}: {iv:?}");
                    assert!(!outside || !first, "case {case} j {j} t {t}: {iv:?}");
                }
            }
        }
    }
}

mod profiles {
    //! Judgements in profiles: where they may be written, the weights they give, and errors at
    //! the judgement with a hint.

    use labfit::{Engine, SourceFile};

    fn engine() -> &'static Engine {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        E.get_or_init(|| Engine::builtin().unwrap())
    }

    fn profile(body: &str) -> Result<labfit::BoundProfile, (String, Option<String>)> {
        let text =
            format!("labfit: profile/v1\nid: committee\nextends: us-clinical-diagnostics\n{body}");
        engine()
            .profile_from(SourceFile::from_text("committee.yaml", text))
            .map_err(|e| {
                let d = e.diagnostics().remove(0);
                let at = d.location.map(|l| l.to_string()).unwrap_or_default();
                (format!("{at}: {}", d.message), d.hint)
            })
    }

    fn err(body: &str) -> (String, Option<String>) {
        match profile(body) {
            Ok(_) => panic!("expected an error for:\n{body}"),
            Err(e) => e,
        }
    }

    fn weights(p: &labfit::BoundProfile) -> Vec<(String, f64)> {
        p.profile.frameworks.clone()
    }

    #[test]
    fn framework_judgements_give_the_eigenvector() {
        let p = profile(
            "frameworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [hipaa, cap, 6]\n    - [clia, cap, 3]\n",
        )
        .unwrap();
        let w = weights(&p);
        let ids: Vec<&str> = w.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["cap", "clia", "hipaa"]);
        for ((_, got), want) in w.iter().zip([0.1, 0.3, 0.6]) {
            assert!((got - want).abs() < 1e-12, "{w:?}");
        }
        let d = p.profile.weighting.frameworks.as_ref().unwrap();
        assert!(d.priorities.cr.abs() < 1e-12);
        assert!(!d.accepted);
        assert_eq!(p.roots.len(), 3);
    }

    #[test]
    fn a_value_off_the_scale_is_an_error_at_the_value() {
        let (e, hint) = err("frameworks:\n  judgements: [[hipaa, clia, 10]]\n");
        assert_eq!(
            e,
            "committee.yaml:5:30: judgement value `10` is outside Saaty's scale 1/9..9"
        );
        assert!(hint.unwrap().contains("1/3"));
    }

    /// Each bad set is an error at the judgement (or key) responsible, with a hint.
    #[test]
    fn bad_judgements_are_errors_at_their_position() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "frameworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [hipaa, cap, 4]\n    - [hipaa, lab-baseline, 1/8]\n    - [clia, cap, 2]\n    - [clia, lab-baseline, 4]\n    - [cap, lab-baseline, 2]\n",
                "committee.yaml:8:7: the judgements on the frameworks are inconsistent: CR 1.013 > 0.10 (saaty-1980); the judgement most responsible is `hipaa` over `lab-baseline` = 1/8",
                "8 instead brings CR to 0.000",
            ),
            (
                "frameworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [cap, lab-baseline, 2]\n",
                "committee.yaml:6:7: the judgements on the frameworks leave them in 2 groups never compared with each other: [`cap`, `lab-baseline`], [`clia`, `hipaa`]",
                "`[cap, clia, 1]`",
            ),
            (
                "frameworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [clia, hipaa, 2]\n",
                "committee.yaml:7:7: the pair `clia`, `hipaa` is judged twice (first `hipaa` over `clia` = 2)",
                "judge each pair once",
            ),
            (
                "frameworks:\n  judgements:\n    - [hipaa, hipaa, 2]\n",
                "committee.yaml:6:7: judgement `hipaa` over `hipaa` compares an item with itself",
                "two different items",
            ),
            (
                "frameworks:\n  judgements:\n    - [hipaa, clia]\n",
                "committee.yaml:6:7: a judgement is three items: [A, B, VALUE]",
                "[hipaa, clia, 3]",
            ),
            (
                "frameworks:\n  hipaa: 2\n  judgements: [[hipaa, clia, 2]]\n",
                "committee.yaml:5:3: `frameworks` mixes weights and `judgements`",
                "not both",
            ),
            (
                "frameworks:\n  judgements: [[hipaa, nope, 2]]\n",
                "committee.yaml:5:24: unknown framework `nope`",
                "labfit list requirements",
            ),
            (
                "weights:\n  cap.record_retention:\n    judgements: [[ctl.retention, ctl.audit_logs, 3]]\n",
                "committee.yaml:6:18: judgement `ctl.retention` over `ctl.audit_logs` names `ctl.audit_logs`, which is not a child of `cap.record_retention`",
                "ctl.data_export, ctl.retention",
            ),
            (
                "weights:\n  cap.lis_computer_services:\n    judgements: [[ctl.disaster_recovery, ctl.audit_logs, 3]]\n",
                "committee.yaml:6:18: the judgements on the children of `cap.lis_computer_services` leave them in 4 groups never compared with each other",
                "every item needs a path",
            ),
            (
                "ahp: {random_index: nope}\n",
                "committee.yaml:4:6: unknown random index table `nope`",
                "alonso-lamata-2006",
            ),
        ];
        for (body, message, hint) in cases {
            let (got, got_hint) = err(body);
            assert!(
                got.starts_with(message),
                "{body}\n got: {got}\nwant: {message}"
            );
            let got_hint = got_hint.unwrap_or_default();
            assert!(got_hint.contains(hint), "{body}\n hint: {got_hint}");
        }
    }

    #[test]
    fn judged_children_override_their_edges() {
        let p = profile(
            "weights:\n  cap.record_retention:\n    judgements: [[ctl.retention, ctl.data_export, 3]]\n",
        )
        .unwrap();
        let d = &p.profile.weighting.nodes["cap.record_retention"];
        let w: Vec<f64> = d.priorities.weights.clone();
        assert_eq!(d.priorities.items, ["ctl.data_export", "ctl.retention"]);
        assert!(
            (w[0] - 0.25).abs() < 1e-12 && (w[1] - 0.75).abs() < 1e-12,
            "{w:?}"
        );
        // The scoring pass weighs the edges with them.
        let g = engine().graph();
        let parent = g.find("cap.record_retention").unwrap();
        for (child, want) in [("ctl.data_export", 0.25), ("ctl.retention", 0.75)] {
            let c = g.find(child).unwrap();
            let got = p.overrides[&(parent, c)];
            assert!((got - want).abs() < 1e-12, "{child}: {got}");
        }
    }

    #[test]
    fn an_accepted_inconsistent_set_is_a_warning_naming_the_judgement() {
        let p = profile(
            "ahp: {allow_inconsistent: true}\nframeworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [clia, cap, 2]\n    - [cap, hipaa, 3]\n",
        )
        .unwrap();
        let d = p.profile.weighting.frameworks.as_ref().unwrap();
        assert!(d.accepted && d.priorities.cr > 0.1, "{}", d.priorities.cr);
        let ev = engine().evidence("aws").unwrap();
        let report = engine().score(&p, &ev, &labfit::Options::default());
        let w = report
            .warnings
            .iter()
            .find(|w| w.kind.as_str() == "inconsistent-judgements")
            .expect("a warning");
        assert!(
            w.message.contains("which the profile accepts; revisit `"),
            "{}",
            w.message
        );
        let weighting = report.profile.weighting.as_ref().unwrap();
        assert!(weighting.frameworks.accepted);
        assert!(!weighting.frameworks.revisit.is_empty());
    }
}

mod cli {
    //! `labfit weights` and `compare --robustness` from outside: the JSON the issue names,
    //! determinism for a seed whatever the thread count, and errors at the judgement.

    use std::path::PathBuf;
    use std::process::{Command, Output};

    use serde_json::Value;

    fn labfit(args: &[&str], threads: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_labfit"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
    }

    fn file(name: &str, text: &str) -> PathBuf {
        let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const ROBUST: &[&str] = &[
        "compare",
        "-p",
        "us-clinical-diagnostics",
        "--as-of",
        "2026-01-15",
        "--robustness",
        "600",
        "--format",
        "json",
    ];

    #[test]
    fn robustness_is_the_same_for_one_and_two_threads() {
        let one = labfit(ROBUST, "1");
        let two = labfit(ROBUST, "2");
        assert_eq!(
            one.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&one.stderr)
        );
        assert!(one.stdout == two.stdout, "1 and 2 threads differ");
        let v: Value = serde_json::from_slice(&one.stdout).unwrap();
        let r = &v["robustness"];
        assert_eq!(r["samples"], 600);
        assert_eq!(r["seed"], labfit::DEFAULT_SEED);
        let providers = r["providers"].as_array().unwrap();
        let n = providers.len();
        assert!(n >= 2, "{r}");
        // Each provider takes exactly one rank in every sample, so each row sums to 1; ties
        // share the better rank, so the first column sums to at least 1.
        for p in providers {
            let id = p.as_str().unwrap();
            let row = r["rank_acceptability"][id].as_array().unwrap();
            assert_eq!(row.len(), n);
            let sum: f64 = row.iter().map(|b| b.as_f64().unwrap()).sum();
            assert!((sum - 1.0).abs() < 1e-5, "{id}: {sum}");
            assert_eq!(
                r["standard_errors"]["rank_acceptability"][id]
                    .as_array()
                    .unwrap()
                    .len(),
                n
            );
            assert_eq!(r["pairwise"][id].as_object().unwrap().len(), n - 1);
            if let Some(w) = r["central_weights"][id].as_object() {
                let s: f64 = w.values().map(|x| x.as_f64().unwrap()).sum();
                assert!((s - 1.0).abs() < 1e-5, "{id}: {s}");
                assert!(r["confidence"][id].is_number());
            }
        }
        let first: f64 = providers
            .iter()
            .map(|p| {
                r["rank_acceptability"][p.as_str().unwrap()][0]
                    .as_f64()
                    .unwrap()
            })
            .sum();
        assert!(
            first >= 1.0 - 1e-5,
            "someone is first in every sample: {first}"
        );
        assert!(r["stability"]["intervals"].as_array().unwrap().len() >= 2);
    }

    #[test]
    fn the_seed_and_the_spread_change_the_samples() {
        let base = labfit(ROBUST, "2");
        let mut seeded = ROBUST.to_vec();
        seeded.extend(["--seed", "7"]);
        let other = labfit(&seeded, "2");
        assert!(base.stdout != other.stdout);
        let mut spread = ROBUST.to_vec();
        spread.extend(["--spread", "50"]);
        let s = labfit(&spread, "2");
        let v: Value = serde_json::from_slice(&s.stdout).unwrap();
        assert_eq!(v["robustness"]["weights"], "dirichlet");
        assert_eq!(v["robustness"]["spread"], 50.0);
        let mut bad = ROBUST.to_vec();
        bad.extend(["--spread", "0"]);
        let b = labfit(&bad, "2");
        assert_eq!(b.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&b.stderr).contains("`--spread 0` is not a positive number")
        );
    }

    #[test]
    fn the_text_report_shows_the_table_and_the_stability() {
        let mut args: Vec<&str> = ROBUST[..7].to_vec();
        args.extend(["--format", "text"]);
        let o = labfit(&args, "2");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Robustness (SMAA-2)"), "{text}");
        assert!(text.contains("b1     b2"), "{text}");
        assert!(text.contains("loses first place"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    }

    #[test]
    fn markdown_and_html_show_the_robustness() {
        let mut args: Vec<&str> = ROBUST[..7].to_vec();
        args.extend(["--format", "markdown"]);
        let md = String::from_utf8_lossy(&labfit(&args, "2").stdout).into_owned();
        assert!(
            md.contains("## Robustness") && md.contains("| provider | b1 |"),
            "{md}"
        );
        args.pop();
        args.push("html");
        let html = String::from_utf8_lossy(&labfit(&args, "2").stdout).into_owned();
        assert!(html.contains("<section id=\"robustness\">"));
        assert!(
            html.contains("<h3>Central weights</h3>") && html.contains("<h3>Weight stability</h3>")
        );
    }

    #[test]
    fn weights_prints_the_derived_weights_as_json() {
        let p = file(
            "weights-committee.yaml",
            "labfit: profile/v1\nid: committee\nextends: us-clinical-diagnostics\nframeworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [hipaa, cap, 6]\n    - [clia, cap, 3]\n",
        );
        let o = labfit(&["weights", p.to_str().unwrap(), "--format", "json"], "2");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let f = &v["frameworks"];
        assert_eq!(f["weights"]["hipaa"], 0.6);
        assert_eq!(f["weights"]["clia"], 0.3);
        assert_eq!(f["weights"]["cap"], 0.1);
        assert_eq!(f["lambda_max"], 3.0);
        assert_eq!(f["cr"], 0.0);
        assert_eq!(f["random_index"], "saaty-1980");
        assert_eq!(f["completion"], "none");
        assert!(v["nodes"].as_object().unwrap().is_empty());
    }

    #[test]
    fn an_inconsistent_set_is_an_error_at_the_judgement_to_revisit() {
        let p = file(
            "weights-bad.yaml",
            "labfit: profile/v1\nid: bad\nextends: us-clinical-diagnostics\nframeworks:\n  judgements:\n    - [hipaa, clia, 2]\n    - [hipaa, cap, 4]\n    - [clia, cap, 2]\n    - [lab-baseline, hipaa, 3]\n    - [lab-baseline, clia, 1/5]\n",
        );
        let o = labfit(&["weights", p.to_str().unwrap()], "2");
        assert_eq!(o.status.code(), Some(2));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.contains("the judgement most responsible is `lab-baseline` over `clia` = 1/5"),
            "{e}"
        );
        assert!(e.contains("weights-bad.yaml:10:7"), "{e}");
        assert!(e.contains("6 instead brings CR to 0.000"), "{e}");
    }
}
