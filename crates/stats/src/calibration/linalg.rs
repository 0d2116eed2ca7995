//! Dense symmetric positive-definite solves (Cholesky): small ones for
//! Newton steps of a few parameters and item blocks, and the factor of an
//! information matrix of a few thousand parameters with the inverse of
//! that factor, blocked so that each row is read from memory once per
//! block of rows and parallel over independent rows and columns.

use rayon::prelude::*;

/// Rows of the factor computed together: each finished row is read once
/// per group of this many rows.
const ROWS: usize = 32;

/// Rows of the factor finished before the rows below use them.
const PANEL: usize = 128;

/// Columns of the inverse factor computed together: each row of the factor
/// is read once per group.
const COLUMNS: usize = 32;

/// Cholesky factor `L` (lower, row-major) of the symmetric positive-definite
/// `n x n` matrix `a`; `None` when `a` is not positive definite.
pub(crate) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if !(sum > 0.0 && sum.is_finite()) {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b` in place.
pub(crate) fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * n + k] * b[k];
        }
        b[i] = sum / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut sum = b[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * b[k];
        }
        b[i] = sum / l[i * n + i];
    }
}

/// Solves `a x = b` for symmetric positive-definite `a`; `None` when `a` is
/// not positive definite.
pub(crate) fn spd_solve(a: &[f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    let l = cholesky(a, n)?;
    let mut x = b.to_vec();
    cholesky_solve(&l, n, &mut x);
    Some(x)
}

/// The inverse of a symmetric positive-definite matrix.
pub(crate) fn spd_inverse(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let l = cholesky(a, n)?;
    let mut inv = vec![0.0; n * n];
    let mut col = vec![0.0; n];
    for j in 0..n {
        col.iter_mut().for_each(|v| *v = 0.0);
        col[j] = 1.0;
        cholesky_solve(&l, n, &mut col);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    Some(inv)
}

/// `Σ x_i y_i` in eight independent lanes (a single running sum would
/// wait on each addition).
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut lanes = [0.0; 8];
    let (xs, ys) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (a, b) in xs.zip(ys) {
        for ((l, u), v) in lanes.iter_mut().zip(a).zip(b) {
            *l += u * v;
        }
    }
    lanes.iter().sum::<f64>() + tail
}

/// In place: the lower triangle (diagonal included) of the symmetric
/// positive-definite `n × n` matrix `a` (row-major; only the lower triangle
/// is read) becomes its Cholesky factor `L`, `a = L Lᵀ`; `false` when `a`
/// is not positive definite. `O(n³/6)` multiply-adds, rows of a panel in
/// parallel when `parallel`.
pub(crate) fn cholesky_in_place(a: &mut [f64], n: usize, parallel: bool) -> bool {
    for i0 in (0..n).step_by(PANEL) {
        let i1 = (i0 + PANEL).min(n);
        let (done, rest) = a.split_at_mut(i0 * n);
        let panel = &mut rest[..(i1 - i0) * n];
        let done: &[f64] = done;
        // Columns left of the panel: the panel's rows are independent.
        let left = |rows: &mut [f64]| {
            for j in 0..i0 {
                let lj = &done[j * n..j * n + j];
                let d = done[j * n + j];
                for row in rows.chunks_exact_mut(n) {
                    row[j] = (row[j] - dot(&row[..j], lj)) / d;
                }
            }
        };
        if parallel {
            panel.par_chunks_mut(ROWS * n).for_each(left);
        } else {
            panel.chunks_mut(ROWS * n).for_each(left);
        }
        // Inside the panel, row by row.
        for i in i0..i1 {
            let (upper, lower) = panel.split_at_mut((i - i0) * n);
            let row = &mut lower[..n];
            for j in i0..i {
                let lj = &upper[(j - i0) * n..(j - i0) * n + j + 1];
                row[j] = (row[j] - dot(&row[..j], &lj[..j])) / lj[j];
            }
            let s = row[i] - dot(&row[..i], &row[..i]);
            if !(s > 0.0 && s.is_finite()) {
                return false;
            }
            row[i] = s.sqrt();
        }
    }
    true
}

/// `Xᵀ` for `X = L⁻¹`, row-major `n × n` (row `j` holds column `j` of `X`,
/// zero before position `j`), from the Cholesky factor `l` (its lower
/// triangle). Then `(L Lᵀ)⁻¹ = Xᵀ X`. `O(n³/6)` multiply-adds, groups of
/// columns in parallel when `parallel`.
pub(crate) fn inverse_factor_transposed(l: &[f64], n: usize, parallel: bool) -> Vec<f64> {
    let mut xt = vec![0.0; n * n];
    // Column j of X solves L y = e_j; y is zero above j.
    let columns = |(g, ys): (usize, &mut [f64])| {
        let j0 = g * COLUMNS;
        for i in j0..n {
            let li = &l[i * n..i * n + i + 1];
            for (c, y) in ys.chunks_exact_mut(n).enumerate() {
                let j = j0 + c;
                if j > i {
                    break;
                }
                let unit = if i == j { 1.0 } else { 0.0 };
                y[i] = (unit - dot(&li[j..i], &y[j..i])) / li[i];
            }
        }
    };
    if parallel {
        xt.par_chunks_mut(COLUMNS * n).enumerate().for_each(columns);
    } else {
        xt.chunks_mut(COLUMNS * n).enumerate().for_each(columns);
    }
    xt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_known_matrix() {
        // [[4, 2], [2, 3]]^-1 = [[3, -2], [-2, 4]] / 8
        let inv = spd_inverse(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let want = [0.375, -0.25, -0.25, 0.5];
        for (x, y) in inv.iter().zip(want) {
            assert!((x - y).abs() < 1e-15);
        }
        let x = spd_solve(&[4.0, 2.0, 2.0, 3.0], 2, &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
    }

    /// A symmetric positive-definite test matrix: `B Bᵀ + n I` for a
    /// fixed, irregular `B`.
    fn spd(n: usize) -> Vec<f64> {
        let b: Vec<f64> = (0..n * n)
            .map(|x| ((x * 7919 % 1009) as f64 / 1009.0) - 0.5)
            .collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for k in 0..n {
                a[i * n + k] = dot(&b[i * n..(i + 1) * n], &b[k * n..(k + 1) * n]);
            }
            a[i * n + i] += n as f64;
        }
        a
    }

    #[test]
    fn the_blocked_factor_and_its_inverse_invert_the_matrix() {
        // Sizes across the panel and group boundaries, serial and parallel.
        for n in [1, 5, 127, 128, 129, 300] {
            let a = spd(n);
            for parallel in [false, true] {
                let mut l = a.clone();
                assert!(cholesky_in_place(&mut l, n, parallel));
                let reference = cholesky(&a, n).unwrap();
                for i in 0..n {
                    for j in 0..=i {
                        assert!((l[i * n + j] - reference[i * n + j]).abs() < 1e-12);
                    }
                }
                // Xᵀ X A = I.
                let xt = inverse_factor_transposed(&l, n, parallel);
                let inv: Vec<f64> = (0..n * n)
                    .map(|x| {
                        let (i, k) = (x / n, x % n);
                        let m = i.max(k);
                        dot(&xt[i * n + m..(i + 1) * n], &xt[k * n + m..(k + 1) * n])
                    })
                    .collect();
                for i in 0..n {
                    for k in 0..n {
                        let column: Vec<f64> = (0..n).map(|m| a[m * n + k]).collect();
                        let v = dot(&inv[i * n..(i + 1) * n], &column);
                        let want = if i == k { 1.0 } else { 0.0 };
                        assert!((v - want).abs() < 1e-12, "{n} {i} {k}: {v}");
                    }
                }
            }
        }
        let mut indefinite = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_in_place(&mut indefinite, 2, false));
    }

    #[test]
    fn indefinite_matrices_are_refused() {
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!(cholesky(&[f64::NAN], 1).is_none());
    }
}
