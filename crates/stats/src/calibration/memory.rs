//! The memory a calibration needs, estimated from the response matrix's
//! shape before anything is allocated, so a file too wide for the machine
//! is refused with a reason instead of aborting the process.

use super::options::CalibrationOptions;
use crate::summary::MemoryError;
use exam_core::responses::ResponseMatrix;

/// How the parameters are estimated, as far as memory goes.
#[derive(Debug, Clone, Copy)]
pub enum Estimator<'a> {
    /// Marginal maximum likelihood ([`super::calibrate`]) under these options.
    Mml(&'a CalibrationOptions),
    /// Conditional maximum likelihood ([`super::rasch_cml`], [`super::pcm_cml`]).
    Cml,
}

/// Bytes a calibration of `data` needs at its peak, from the matrix's shape
/// alone: per form of `k` items with `L` score levels, the item fit tables
/// (`k × L` observed counts and a `nodes × L` summed-score distribution for
/// MML, `k × L` for CML) and, for CML, the `k × k` information and the
/// `k × (k + 1)` pair probabilities; for MML the E-step tables (three per
/// category and quadrature node) and, up to
/// [`CalibrationOptions::full_information_max_parameters`], the observed
/// information and its inverse (`2 p²` for `p` parameters).
pub fn memory_needed(data: &ResponseMatrix, estimator: Estimator<'_>) -> u64 {
    const F64: u64 = 8;
    let nodes = match estimator {
        Estimator::Mml(options) => options.quadrature_points as u64,
        Estimator::Cml => 0,
    };
    let per_form = data
        .blocks()
        .iter()
        .map(|block| {
            let k = block.n_items() as u64;
            let levels = data.score_levels(block);
            let fit = k.saturating_mul(levels).saturating_add(nodes * levels);
            let cml = match estimator {
                Estimator::Cml => k.saturating_mul(2 * k + 1),
                Estimator::Mml(_) => 0,
            };
            fit.saturating_add(cml).saturating_mul(F64)
        })
        .fold(0u64, u64::saturating_add);
    let whole = match estimator {
        Estimator::Mml(options) => {
            let categories: u64 = data.max_scores().iter().map(|&m| u64::from(m) + 1).sum();
            let estep = 3 * categories * nodes * F64;
            let parameters = categories + 1;
            let information = if options.standard_errors
                && parameters <= options.full_information_max_parameters as u64
            {
                2 * parameters * parameters * F64
            } else {
                0
            };
            estep + information
        }
        Estimator::Cml => {
            let k = data.n_items() as u64;
            k.saturating_mul(k).saturating_mul(F64)
        }
    };
    per_form.saturating_add(whole)
}

/// Refuses, before any allocation, a calibration that would need more than
/// `limit` bytes ([`memory_needed`]).
pub fn check_memory(
    data: &ResponseMatrix,
    estimator: Estimator<'_>,
    limit: u64,
) -> Result<(), MemoryError> {
    MemoryError::check(
        "calibrating",
        "calibrate fewer items at a time (by form, or with anchors)",
        data,
        memory_needed(data, estimator),
        limit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use exam_core::irt::IrtModel;
    use exam_core::responses::CsvOptions;

    fn matrix(items: usize, persons: usize) -> ResponseMatrix {
        let header: Vec<String> = (0..items).map(|i| format!("i{i}")).collect();
        let mut text = header.join(",") + "\n";
        for p in 0..persons {
            let row: Vec<&str> = (0..items)
                .map(|i| if (i + p) % 2 == 0 { "1" } else { "0" })
                .collect();
            text += &(row.join(",") + "\n");
        }
        ResponseMatrix::from_csv(text.as_bytes(), "t.csv", CsvOptions { id_column: false }).unwrap()
    }

    #[test]
    fn the_estimate_counts_the_quadratic_tables_by_hand() {
        // One form of 3 dichotomous items: 4 score levels.
        let data = matrix(3, 4);
        // CML: fit 3·4, pairs 3·7, information 3·3, all f64.
        assert_eq!(memory_needed(&data, Estimator::Cml), (12 + 21 + 9) * 8);
        let mut options = CalibrationOptions::new(IrtModel::TwoPl);
        options.quadrature_points = 5;
        options.standard_errors = false;
        // MML: fit 3·4 + 5·4; E-step 3 tables of 6 categories × 5 nodes.
        assert_eq!(
            memory_needed(&data, Estimator::Mml(&options)),
            (12 + 20) * 8 + 3 * 6 * 5 * 8
        );
        options.standard_errors = true;
        assert_eq!(
            memory_needed(&data, Estimator::Mml(&options)),
            (12 + 20) * 8 + 3 * 6 * 5 * 8 + 2 * 7 * 7 * 8
        );
    }

    #[test]
    fn a_wide_file_is_refused_before_allocating() {
        let data = matrix(2000, 2);
        let err = check_memory(&data, Estimator::Cml, 1 << 20).unwrap_err();
        assert_eq!(err.items, 2000);
        assert!(err.needed > 1 << 20);
        assert!(err.to_string().contains("2000 item columns"), "{err}");
        assert!(check_memory(&data, Estimator::Cml, u64::MAX).is_ok());
    }
}
