//! The band of a reported score: the raw score plus or minus its
//! conditional standard error of measurement (CSEM), and the same band on
//! the reporting scale.
//!
//! The CSEM at raw score `x` is Lord's binomial-error CSEM (Lord 1955,
//! "Estimating test reliability", *Educational and Psychological
//! Measurement* 15; Lord & Novick 1968, ch. 23): on `n` counted items,
//! `CSEM(x) = √(x (n − x) / (n − 1))`. For weighted or partial-credit
//! scores with maximum `m` it is applied to the proportion `p = x / m`,
//! `CSEM(x) = m · √(p (1 − p) / (n − 1))`, which is the formula above when
//! every item is worth one point. It is zero at a score of 0 or of the
//! maximum, where the binomial model has no error.
//!
//! On the reporting scale the band is the raw band's two ends converted
//! through the scale conversion: `[S(x − CSEM), S(x + CSEM)]`. For a linear
//! conversion this is `S(x) ± slope · CSEM`; for a piecewise one it follows
//! the local slope on each side, the way Kolen & Brennan (2014, *Test
//! Equating, Scaling, and Linking*, 3rd ed., §9.4) carry conditional
//! standard errors to a nonlinear scale. The ends are clamped to the score
//! range and the scale, as the scores themselves are.

use crate::scale::ScaleConversion;
use serde::{Deserialize, Serialize};

/// A score with its one-CSEM band, in raw points and on the reporting
/// scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreBand {
    /// Lord's conditional standard error of measurement at the raw score,
    /// in raw-score points.
    pub csem: f64,
    /// `raw − csem`, at least 0.
    pub raw_lower: f64,
    /// `raw + csem`, at most the maximum.
    pub raw_upper: f64,
    /// The band on the reporting scale, where the passing rule has a
    /// conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled: Option<ScaledBand>,
}

/// A score band on the reporting scale, with the scale's range (so that a
/// reader can place it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaledBand {
    /// The raw band's lower end converted (unrounded).
    pub lower: f64,
    /// The raw band's upper end converted (unrounded).
    pub upper: f64,
    /// The bottom of the scale (its first knot's scaled value).
    pub scale_min: f64,
    /// The top of the scale (its last knot's scaled value).
    pub scale_max: f64,
}

impl ScoreBand {
    /// The band of raw score `raw` out of `max` on `items` counted items,
    /// carried through `scale` where there is one; `None` with fewer than
    /// two items or a maximum that is not positive (no CSEM is defined).
    pub fn new(raw: f64, max: f64, items: u32, scale: Option<&ScaleConversion>) -> Option<Self> {
        if items < 2 || max <= 0.0 || !raw.is_finite() {
            return None;
        }
        let p = (raw / max).clamp(0.0, 1.0);
        let csem = max * (p * (1.0 - p) / f64::from(items - 1)).sqrt();
        let raw_lower = (raw - csem).max(0.0);
        let raw_upper = (raw + csem).min(max);
        Some(Self {
            csem,
            raw_lower,
            raw_upper,
            scaled: scale.map(|s| ScaledBand {
                lower: s.convert(raw_lower),
                upper: s.convert(raw_upper),
                scale_min: s.knots()[0].scaled,
                scale_max: s.knots()[s.knots().len() - 1].scaled,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scale::Knot;

    #[test]
    fn lords_csem_on_number_correct_scores() {
        // 42 of 60: √(42 · 18 / 59) = √12.81356 = 3.579603
        let band = ScoreBand::new(42.0, 60.0, 60, None).unwrap();
        assert!((band.csem - (42.0f64 * 18.0 / 59.0).sqrt()).abs() < 1e-12);
        assert!((band.csem - 3.579_603).abs() < 1e-6);
        assert!((band.raw_lower - (42.0 - band.csem)).abs() < 1e-12);
        assert_eq!(band.scaled, None);
        // No error at the ends of the range.
        assert!(ScoreBand::new(60.0, 60.0, 60, None).unwrap().csem.abs() < 1e-12);
        assert!(ScoreBand::new(0.0, 60.0, 60, None).unwrap().csem.abs() < 1e-12);
        assert_eq!(ScoreBand::new(1.0, 1.0, 1, None), None);
    }

    #[test]
    fn weighted_scores_use_the_proportion() {
        // 10 items worth 2 points each, 12 of 20: 20 · √(0.6 · 0.4 / 9).
        let band = ScoreBand::new(12.0, 20.0, 10, None).unwrap();
        assert!((band.csem - 20.0 * (0.24f64 / 9.0).sqrt()).abs() < 1e-12);
        // Equal to the number-correct formula on 6 of 10 doubled.
        let unit = ScoreBand::new(6.0, 10.0, 10, None).unwrap();
        assert!((band.csem - 2.0 * unit.csem).abs() < 1e-12);
    }

    #[test]
    fn the_scaled_band_is_the_raw_band_converted() {
        // 0 → 100, cut 42 → 700, 60 → 1000: slope 600/42 below the cut,
        // 300/18 above it.
        let knots = [(0.0, 100.0), (42.0, 700.0), (60.0, 1000.0)]
            .map(|(score, scaled)| Knot { score, scaled });
        let scale = ScaleConversion::piecewise(knots.to_vec(), 42.0).unwrap();
        let band = ScoreBand::new(42.0, 60.0, 60, Some(&scale)).unwrap();
        let scaled = band.scaled.unwrap();
        assert!((scaled.lower - (700.0 - 600.0 / 42.0 * band.csem)).abs() < 1e-9);
        assert!((scaled.upper - (700.0 + 300.0 / 18.0 * band.csem)).abs() < 1e-9);
        assert!(
            (scaled.scale_min - 100.0).abs() < 1e-12 && (scaled.scale_max - 1000.0).abs() < 1e-12
        );
        // Clamped at the top of the scale.
        let top = ScoreBand::new(59.0, 60.0, 60, Some(&scale)).unwrap();
        assert!((top.raw_upper - 60.0).abs() < 1e-12);
        assert!((top.scaled.unwrap().upper - 1000.0).abs() < 1e-9);
    }
}
