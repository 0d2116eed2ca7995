//! DIF for partial-credit items: Mantel's (1963) ordinal chi-square, the
//! standardized mean difference with the ETS classes (Zwick, Thayer &
//! Mazzeo 1997) and ordinal logistic-regression DIF, checked against
//! (1) a worked example computed by hand below, and (2) second
//! implementations written here from the formulas, on the real 0/1/2
//! verbal-aggression data by gender (tests/data/reference).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly on bad fixtures

use crate::common::reference_matrix;
use crate::reference_data::reference_text;
use crate::tolerance::ROUNDING;
use exam_core::responses::{CsvOptions, ResponseMatrix};
use exam_stats::dif::polytomous::PolytomousDifClass;
use exam_stats::dif::{DifOptions, GroupMembership, ItemDif, dif};

/// The worked example: studied item Q and item R, both scored 0–2; the
/// matching score is Q + R. `copies` repeats every person.
///
/// | total | reference (Q, R)        | focal (Q, R)   |
/// |-------|-------------------------|----------------|
/// | 0     | (0, 0)                  | –  (dropped)   |
/// | 2     | (2, 0) (1, 1) (0, 2)    | (0, 2) (1, 1)  |
/// | 3     | (2, 1) (1, 2)           | (1, 2) (1, 2)  |
fn worked_example(copies: usize) -> ItemDif {
    let people = [
        ("ref", 0, 0),
        ("ref", 2, 0),
        ("ref", 1, 1),
        ("ref", 0, 2),
        ("foc", 0, 2),
        ("foc", 1, 1),
        ("ref", 2, 1),
        ("ref", 1, 2),
        ("foc", 1, 2),
        ("foc", 1, 2),
    ];
    let mut csv = String::from("Q,R\n");
    let mut labels = Vec::new();
    for _ in 0..copies {
        for (g, q, r) in people {
            csv.push_str(&format!("{q},{r}\n"));
            labels.push(Some(g.to_owned()));
        }
    }
    let data = ResponseMatrix::from_csv(csv.as_bytes(), "worked", CsvOptions { id_column: false })
        .unwrap();
    let groups = GroupMembership::from_labels(&labels, "foc", Some("ref")).unwrap();
    dif(&data, &groups, &DifOptions::default())
        .unwrap()
        .items
        .remove(0)
}

#[test]
fn worked_example_by_hand() {
    // Stratum 2: F = 0 + 1 = 1, T = 4, S (squares) = 6, n_R = 3, n_F = 2:
    //   E(F) = 2·4/5 = 1.6, Var(F) = 3·2·(5·6 − 4²)/(5²·4) = 0.84.
    // Stratum 3: F = 2, T = 5, S = 7, n_R = n_F = 2:
    //   E(F) = 2·5/4 = 2.5, Var(F) = 2·2·(4·7 − 5²)/(4²·3) = 0.25.
    // χ² = (3 − 4.1)² / 1.09 = 121/109.
    // SMD = (2/4)(1/2 − 1) + (2/4)(1 − 3/2) = −0.5.
    // SD over the 9 persons of both strata: scores sum 9, squares 13:
    //   √((13 − 9²/9)/8) = √0.5; SMD/SD = −0.5/√0.5.
    // p(χ²₁ > 1.11) = 0.29 ≥ .05: AA.
    let m = worked_example(1).mantel_smd.unwrap();
    assert!((m.mantel_chi2 - 121.0 / 109.0).abs() < ROUNDING);
    assert!((m.mantel_p_value - 0.292_1).abs() < 1e-3);
    assert!((m.smd + 0.5).abs() < ROUNDING);
    assert!((m.item_sd - 0.5f64.sqrt()).abs() < ROUNDING);
    assert!((m.smd_effect_size + 0.5 / 0.5f64.sqrt()).abs() < ROUNDING);
    assert_eq!(m.ets_class, PolytomousDifClass::AA);

    // Ten copies: stratum 2 has n_R = 30, n_F = 20, T = 40, S = 60:
    //   E = 16, Var = 30·20·(50·60 − 40²)/(50²·49) = 48/7;
    // stratum 3: n_R = n_F = 20, T = 50, S = 70: E = 25,
    //   Var = 20·20·(40·70 − 50²)/(40²·39) = 25/13.
    // χ² = (30 − 41)² / (48/7 + 25/13) = 121·91/799, p < .001.
    // SMD = −0.5 again; SD = √((130 − 90²/90)/89) = √(40/89); |SMD/SD| > .25: CC.
    let m = worked_example(10).mantel_smd.unwrap();
    assert!((m.mantel_chi2 - 121.0 * 91.0 / 799.0).abs() < 1e-10);
    assert!(m.mantel_p_value < 0.001);
    assert!((m.smd + 0.5).abs() < ROUNDING);
    assert!((m.item_sd - (40.0f64 / 89.0).sqrt()).abs() < ROUNDING);
    assert_eq!(m.ets_class, PolytomousDifClass::CC);
}

/// The gender column of the verbal-aggression groups file.
fn gender_labels() -> Vec<Option<String>> {
    let text = reference_text("verbal_aggression_groups.csv");
    text.lines()
        .skip(1)
        .map(|l| Some(l.split(',').next().unwrap().to_owned()))
        .collect()
}

/// Persons of the verbal-aggression 0/1/2 data with their total score, the
/// studied item's score and whether they are in the focal group (female).
fn verbal_aggression(item: usize) -> (Vec<(usize, usize, bool)>, ItemDif) {
    let data = reference_matrix("verbal_aggression_poly.csv");
    let labels = gender_labels();
    let raw = reference_text("verbal_aggression_poly.csv");
    let persons = raw
        .lines()
        .skip(1)
        .zip(&labels)
        .map(|(line, g)| {
            let scores: Vec<usize> = line.split(',').map(|x| x.parse().unwrap()).collect();
            (
                scores.iter().sum(),
                scores[item],
                g.as_deref() == Some("female"),
            )
        })
        .collect();
    let groups = GroupMembership::from_labels(&labels, "female", Some("male")).unwrap();
    let result = dif(&data, &groups, &DifOptions::default()).unwrap();
    (persons, result.items[item].clone())
}

/// Mantel's chi-square and SMD recomputed person by person from the
/// formulas (strata: total score; both groups present and N ≥ 2).
#[test]
fn mantel_and_smd_agree_with_a_direct_computation_on_real_data() {
    for item in [0, 5, 13, 23] {
        let (persons, got) = verbal_aggression(item);
        let got = got.mantel_smd.unwrap();
        let top = persons.iter().map(|p| p.0).max().unwrap();
        let (mut f, mut e, mut v, mut smd, mut n_focal) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut pooled: Vec<f64> = Vec::new();
        for total in 0..=top {
            let here: Vec<&(usize, usize, bool)> =
                persons.iter().filter(|p| p.0 == total).collect();
            let focal: Vec<f64> = here.iter().filter(|p| p.2).map(|p| p.1 as f64).collect();
            let reference: Vec<f64> = here.iter().filter(|p| !p.2).map(|p| p.1 as f64).collect();
            if focal.is_empty() || reference.is_empty() {
                continue;
            }
            let n = here.len() as f64;
            let all: Vec<f64> = here.iter().map(|p| p.1 as f64).collect();
            let t: f64 = all.iter().sum();
            let s: f64 = all.iter().map(|x| x * x).sum();
            let (nf, nr) = (focal.len() as f64, reference.len() as f64);
            f += focal.iter().sum::<f64>();
            e += nf * t / n;
            v += nr * nf * (n * s - t * t) / (n * n * (n - 1.0));
            let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
            smd += nf * (mean(&focal) - mean(&reference));
            n_focal += nf;
            pooled.extend(all);
        }
        let chi2 = (f - e) * (f - e) / v;
        let smd = smd / n_focal;
        let mean = pooled.iter().sum::<f64>() / pooled.len() as f64;
        let sd = (pooled.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
            / (pooled.len() as f64 - 1.0))
            .sqrt();
        assert!(
            (got.mantel_chi2 - chi2).abs() < 1e-10 * chi2.max(1.0),
            "item {item}"
        );
        assert!((got.smd - smd).abs() < ROUNDING, "item {item}");
        assert!((got.item_sd - sd).abs() < ROUNDING, "item {item}");
    }
}

/// The cumulative logit log-likelihood of every person, written from the
/// model: `P(Y ≥ j) = 1/(1 + exp(−(α_j + β·z)))`, `P(Y = y) = P(≥ y) −
/// P(≥ y + 1)`; `z = (X − mean X, G, (X − mean X)·G)`, the first `terms` used.
fn person_log_likelihood(persons: &[(usize, usize, bool)], terms: usize, theta: &[f64]) -> f64 {
    let mean = persons.iter().map(|p| p.0 as f64).sum::<f64>() / persons.len() as f64;
    let m = theta.len() - terms;
    persons
        .iter()
        .map(|&(total, y, focal)| {
            let x = total as f64 - mean;
            let g = if focal { 1.0 } else { 0.0 };
            let z = [x, g, x * g];
            let lin: f64 = (0..terms).map(|t| theta[m + t] * z[t]).sum();
            let at_least = |j: usize| {
                if j == 0 {
                    1.0
                } else if j > m {
                    0.0
                } else {
                    1.0 / (1.0 + (-(theta[j - 1] + lin)).exp())
                }
            };
            let p = at_least(y) - at_least(y + 1);
            if p > 0.0 { p.ln() } else { -1e300 }
        })
        .sum()
}

/// Nelder–Mead maximisation (restarted until it stops improving).
fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, start: Vec<f64>) -> f64 {
    let n = start.len();
    let mut best = start;
    let mut best_value = f(&best);
    for _ in 0..20 {
        let mut simplex: Vec<(Vec<f64>, f64)> = (0..=n)
            .map(|i| {
                let mut x = best.clone();
                if i > 0 {
                    x[i - 1] += 0.2;
                }
                let v = f(&x);
                (x, v)
            })
            .collect();
        for _ in 0..20_000 {
            simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
            if simplex[0].1 - simplex[n].1 < 1e-12 {
                break;
            }
            let centroid: Vec<f64> = (0..n)
                .map(|d| simplex[..n].iter().map(|s| s.0[d]).sum::<f64>() / n as f64)
                .collect();
            let towards = |t: f64| -> Vec<f64> {
                (0..n)
                    .map(|d| centroid[d] + t * (simplex[n].0[d] - centroid[d]))
                    .collect()
            };
            let reflected = towards(-1.0);
            let fr = f(&reflected);
            if fr > simplex[0].1 {
                let expanded = towards(-2.0);
                let fe = f(&expanded);
                simplex[n] = if fe > fr {
                    (expanded, fe)
                } else {
                    (reflected, fr)
                };
            } else if fr > simplex[n - 1].1 {
                simplex[n] = (reflected, fr);
            } else {
                let contracted = towards(0.5);
                let fc = f(&contracted);
                if fc > simplex[n].1 {
                    simplex[n] = (contracted, fc);
                } else {
                    let top = simplex[0].0.clone();
                    for s in simplex.iter_mut().skip(1) {
                        s.0 = (0..n).map(|d| 0.5 * (top[d] + s.0[d])).collect();
                        s.1 = f(&s.0);
                    }
                }
            }
        }
        simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
        let improved = simplex[0].1 - best_value;
        best = simplex[0].0.clone();
        best_value = simplex[0].1;
        if improved < 1e-10 {
            break;
        }
    }
    best_value
}

#[test]
fn ordinal_logistic_dif_agrees_with_a_direct_maximisation_on_real_data() {
    for item in [0, 13] {
        let (persons, got) = verbal_aggression(item);
        let got = got.ordinal_logistic.unwrap();
        let ll = |terms: usize| {
            nelder_mead(
                &|theta: &[f64]| person_log_likelihood(&persons, terms, theta),
                [1.0, -1.0]
                    .into_iter()
                    .chain((0..terms).map(|_| 0.0))
                    .collect(),
            )
        };
        let (ll1, ll2, ll3) = (ll(1), ll(2), ll(3));
        let n = persons.len() as f64;
        let counts: Vec<f64> = (0..3)
            .map(|y| persons.iter().filter(|p| p.1 == y).count() as f64)
            .collect();
        let ll0: f64 = counts.iter().map(|c| c * (c / n).ln()).sum();
        let r2 = |ll: f64| (1.0 - (2.0 * (ll0 - ll) / n).exp()) / (1.0 - (2.0 * ll0 / n).exp());
        eprintln!(
            "item {item}: uniform {} vs {}, non-uniform {} vs {}",
            got.uniform_chi2,
            2.0 * (ll2 - ll1),
            got.nonuniform_chi2,
            2.0 * (ll3 - ll2)
        );
        assert!(
            (got.uniform_chi2 - 2.0 * (ll2 - ll1)).abs() < 1e-5,
            "item {item}"
        );
        assert!(
            (got.nonuniform_chi2 - 2.0 * (ll3 - ll2)).abs() < 1e-5,
            "item {item}"
        );
        assert!(
            (got.total_chi2 - 2.0 * (ll3 - ll1)).abs() < 1e-5,
            "item {item}"
        );
        assert!(
            (got.delta_r2_nagelkerke - (r2(ll3) - r2(ll1))).abs() < 1e-7,
            "item {item}"
        );
    }
}

/// 0/1 items get the binary statistics only; partial-credit items both.
#[test]
fn polytomous_statistics_only_for_partial_credit_items() {
    let (_, poly) = verbal_aggression(0);
    assert!(poly.mantel_smd.is_some() && poly.ordinal_logistic.is_some());
    assert!(poly.logistic.is_none() && poly.alpha_mh.is_none());
    let data = reference_matrix("verbal_aggression.csv");
    let labels = gender_labels();
    let groups = GroupMembership::from_labels(&labels, "female", Some("male")).unwrap();
    let binary = dif(&data, &groups, &DifOptions::default()).unwrap();
    assert!(
        binary
            .items
            .iter()
            .all(|i| i.mantel_smd.is_none() && i.logistic.is_some())
    );
}
