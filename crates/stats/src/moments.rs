//! Exact centred moments of one form, from its [`FormSummary`].
//!
//! With `n` persons, item sums `S`, item sums of squares `Q`, item-total
//! products `C`, total sum `T` and total sum of squares `TT`, the
//! quantities `n Q - S^2`, `n TT - T^2` and `n C - S T` are `n^2` times the
//! (population) variances and covariance. They are integers and are
//! computed exactly in `i128`, so every statistic below is rounded once,
//! at the end, and does not depend on the order of persons or items.

use crate::summary::FormSummary;
use crate::undefined::Reason;

/// Centred moments of one form.
pub(crate) struct FormMoments<'a> {
    pub form: &'a FormSummary,
    pub n: i128,
    /// Sum of total scores.
    pub total_sum: i128,
    /// `n TT - T^2`.
    pub ss_total: i128,
    /// Per column: item sum `S`.
    pub item_sum: Vec<i128>,
    /// Per column: `n Q - S^2`.
    pub ss_item: Vec<i128>,
    /// Per column: `n C - S T`.
    pub sp_item_total: Vec<i128>,
    /// Sum of `ss_item` over the columns.
    pub ss_items: i128,
}

impl<'a> FormMoments<'a> {
    pub fn new(form: &'a FormSummary) -> Self {
        let n = i128::from(form.n_persons());
        let total_sum = form.total_sum() as i128;
        let ss_total = n * form.total_squares() as i128 - total_sum * total_sum;
        let k = form.n_items();
        let mut item_sum = Vec::with_capacity(k);
        let mut ss_item = Vec::with_capacity(k);
        let mut sp_item_total = Vec::with_capacity(k);
        for col in 0..k {
            let s = i128::from(form.item_sum(col));
            let q = i128::from(form.item_squares(col));
            let c = form.item_total_products(col) as i128;
            item_sum.push(s);
            ss_item.push(n * q - s * s);
            sp_item_total.push(n * c - s * total_sum);
        }
        let ss_items = ss_item.iter().sum();
        Self {
            form,
            n,
            total_sum,
            ss_total,
            item_sum,
            ss_item,
            sp_item_total,
            ss_items,
        }
    }

    pub fn k(&self) -> usize {
        self.ss_item.len()
    }

    /// `n^2` times the variance of the rest score (total minus column `col`).
    pub fn ss_rest(&self, col: usize) -> i128 {
        self.ss_total - 2 * self.sp_item_total[col] + self.ss_item[col]
    }

    /// `n^2` times the covariance of column `col` with the rest score.
    pub fn sp_item_rest(&self, col: usize) -> i128 {
        self.sp_item_total[col] - self.ss_item[col]
    }

    pub fn check_persons(&self) -> Result<(), Reason> {
        match self.n {
            0 => Err(Reason::NoPersons),
            1 => Err(Reason::TooFewPersons),
            _ => Ok(()),
        }
    }

    /// Coefficient alpha of the form (Cronbach 1951):
    /// `k/(k-1) (1 - sum var(X_i) / var(X))`; KR-20 for 0/1 items.
    pub fn alpha(&self) -> Result<f64, Reason> {
        self.check_persons()?;
        let k = self.k();
        if k < 2 {
            return Err(Reason::TooFewItems);
        }
        if self.ss_total == 0 {
            return Err(Reason::ConstantTotal);
        }
        Ok(alpha_from(k, self.ss_items, self.ss_total))
    }

    /// Alpha of the other `k - 1` items.
    pub fn alpha_if_deleted(&self, col: usize) -> Result<f64, Reason> {
        self.check_persons()?;
        let k = self.k();
        if k < 3 {
            return Err(Reason::TooFewItems);
        }
        let ss_rest = self.ss_rest(col);
        if ss_rest == 0 {
            return Err(Reason::ConstantRest);
        }
        Ok(alpha_from(
            k - 1,
            self.ss_items - self.ss_item[col],
            ss_rest,
        ))
    }
}

/// `k/(k-1) (1 - ss_items/ss_total)`.
fn alpha_from(k: usize, ss_items: i128, ss_total: i128) -> f64 {
    let k = k as f64;
    k / (k - 1.0) * (1.0 - ss_items as f64 / ss_total as f64)
}

/// Pearson's r from summed cross products and sums of squares, with the
/// reasons it can be undefined.
pub(crate) fn correlation(
    sp: f64,
    ss_x: f64,
    ss_y: f64,
    y_constant: Reason,
) -> Result<f64, Reason> {
    if ss_x <= 0.0 {
        return Err(Reason::ConstantItem);
    }
    if ss_y <= 0.0 {
        return Err(y_constant);
    }
    Ok((sp / (ss_x.sqrt() * ss_y.sqrt())).clamp(-1.0, 1.0))
}
