//! Scaled scores: monotone piecewise-linear conversions from a score (raw
//! score or θ) to a reporting scale, built so that the cut score lands
//! exactly on a fixed scaled value (e.g. 700 on 100–1000), and conversion
//! tables per form.
//!
//! A conversion is a list of knots `(score, scaled)` strictly increasing in
//! both coordinates, one of which is the cut; between knots it is linear,
//! outside them it is clamped to the first and last scaled values (Kolen &
//! Brennan 2014, *Test Equating, Scaling, and Linking*, 3rd ed., ch. 9, on
//! score scales and their truncation). Reported scaled scores are integers,
//! rounded half up, with one correction so that rounding never changes a
//! decision: a score below the cut whose scaled value would round up to the
//! cut's scaled value is reported one point below it.

use serde::{Deserialize, Serialize};

/// The largest knot coordinate accepted: scores and scaled values lie in
/// `[−MAX_KNOT, MAX_KNOT]`, so slopes between knots and converted values
/// stay finite.
pub const MAX_KNOT: f64 = 1e9;

/// Why a conversion could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScaleError {
    /// Fewer than two knots.
    #[error("a conversion needs at least two knots, got {0}")]
    TooFewKnots(usize),
    /// A knot coordinate is outside `[−MAX_KNOT, MAX_KNOT]` (or not a
    /// number).
    #[error("knot {index} = ({score}, {scaled}) must lie in [-1e9, 1e9] in both coordinates")]
    NotFinite {
        /// 0-based knot index.
        index: usize,
        /// Its score.
        score: f64,
        /// Its scaled value.
        scaled: f64,
    },
    /// Knots do not increase strictly in both coordinates.
    #[error(
        "knot {index} does not increase strictly over the one before it in both score and scaled value"
    )]
    NotIncreasing {
        /// 0-based index of the offending knot.
        index: usize,
    },
    /// The cut is not one of the knots.
    #[error("the cut {cut} is not the score of any knot")]
    CutNotAKnot {
        /// The cut score given.
        cut: f64,
    },
    /// The cut's scaled value is not an integer (reported scores are).
    #[error("the cut's scaled value {0} must be an integer")]
    CutScaledNotInteger(f64),
    /// The slope of a linear conversion is not finite and positive.
    #[error("slope {0} must be finite and positive")]
    Slope(f64),
    /// The scale range does not contain the cut's scaled value.
    #[error(
        "scale range [{min}, {max}] must contain the cut's scaled value {cut_scaled} strictly inside"
    )]
    Range {
        /// Bottom of the scale.
        min: f64,
        /// Top of the scale.
        max: f64,
        /// The cut's scaled value.
        cut_scaled: f64,
    },
}

/// A point of a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Knot {
    /// Score (raw score or θ).
    pub score: f64,
    /// Scaled value.
    pub scaled: f64,
}

/// A monotone piecewise-linear score-to-scale conversion whose cut is a
/// knot; always valid (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawConversion", into = "RawConversion")]
pub struct ScaleConversion {
    knots: Vec<Knot>,
    cut: Knot,
}

#[derive(Serialize, Deserialize)]
struct RawConversion {
    knots: Vec<Knot>,
    cut: f64,
}

impl TryFrom<RawConversion> for ScaleConversion {
    type Error = ScaleError;
    fn try_from(raw: RawConversion) -> Result<Self, ScaleError> {
        ScaleConversion::piecewise(raw.knots, raw.cut)
    }
}

impl From<ScaleConversion> for RawConversion {
    fn from(c: ScaleConversion) -> Self {
        RawConversion {
            knots: c.knots,
            cut: c.cut.score,
        }
    }
}

impl ScaleConversion {
    /// Through the given knots (at least two, each coordinate in
    /// `[−1e9, 1e9]`, strictly increasing); `cut` must be the score of one of them,
    /// whose scaled value (an integer) is where the cut lands.
    pub fn piecewise(knots: Vec<Knot>, cut: f64) -> Result<Self, ScaleError> {
        if knots.len() < 2 {
            return Err(ScaleError::TooFewKnots(knots.len()));
        }
        for (index, k) in knots.iter().enumerate() {
            if !(k.score.abs() <= MAX_KNOT && k.scaled.abs() <= MAX_KNOT) {
                return Err(ScaleError::NotFinite {
                    index,
                    score: k.score,
                    scaled: k.scaled,
                });
            }
            if index > 0 {
                let prev = knots[index - 1];
                if !(k.score > prev.score && k.scaled > prev.scaled) {
                    return Err(ScaleError::NotIncreasing { index });
                }
            }
        }
        let cut_knot = *knots
            .iter()
            .find(|k| (k.score - cut).abs() <= 1e-12 * cut.abs().max(1.0))
            .ok_or(ScaleError::CutNotAKnot { cut })?;
        if cut_knot.scaled.fract().abs() > 0.0 {
            return Err(ScaleError::CutScaledNotInteger(cut_knot.scaled));
        }
        Ok(Self {
            knots,
            cut: cut_knot,
        })
    }

    /// Two linear pieces: `low → scale_min`, `cut → cut_scaled`,
    /// `high → scale_max` (e.g. raw 0 → 100, raw cut → 700, raw max → 1000).
    pub fn through_cut(low: Knot, cut: Knot, high: Knot) -> Result<Self, ScaleError> {
        Self::piecewise(vec![low, cut, high], cut.score)
    }

    /// One line through the cut: `scaled = cut_scaled + slope·(x − cut)`,
    /// clamped to `[scale_min, scale_max]`.
    pub fn linear(
        cut: f64,
        cut_scaled: f64,
        slope: f64,
        scale_min: f64,
        scale_max: f64,
    ) -> Result<Self, ScaleError> {
        if !(slope.is_finite() && slope > 0.0) {
            return Err(ScaleError::Slope(slope));
        }
        if !(scale_min < cut_scaled && cut_scaled < scale_max) {
            return Err(ScaleError::Range {
                min: scale_min,
                max: scale_max,
                cut_scaled,
            });
        }
        let knots = vec![
            Knot {
                score: cut - (cut_scaled - scale_min) / slope,
                scaled: scale_min,
            },
            Knot {
                score: cut,
                scaled: cut_scaled,
            },
            Knot {
                score: cut + (scale_max - cut_scaled) / slope,
                scaled: scale_max,
            },
        ];
        Self::piecewise(knots, cut)
    }

    /// The knots.
    pub fn knots(&self) -> &[Knot] {
        &self.knots
    }

    /// The cut and the scaled value it lands on.
    pub fn cut(&self) -> Knot {
        self.cut
    }

    /// The unrounded scaled value of `score` (clamped to the scale).
    pub fn convert(&self, score: f64) -> f64 {
        let first = self.knots[0];
        let last = self.knots[self.knots.len() - 1];
        if score <= first.score {
            return first.scaled;
        }
        if score >= last.score {
            return last.scaled;
        }
        let i = self.knots.partition_point(|k| k.score <= score);
        let (lo, hi) = (self.knots[i - 1], self.knots[i]);
        lo.scaled + (score - lo.score) * (hi.scaled - lo.scaled) / (hi.score - lo.score)
    }

    /// Whether `score` meets the cut.
    pub fn passes(&self, score: f64) -> bool {
        score >= self.cut.score
    }

    /// The reported (integer) scaled score: rounded half up, and one below
    /// the cut's scaled value for a failing score that would round up to it.
    pub fn reported(&self, score: f64) -> i64 {
        let rounded = (self.convert(score) + 0.5).floor();
        let rounded = if !self.passes(score) && rounded >= self.cut.scaled {
            self.cut.scaled - 1.0
        } else {
            rounded
        };
        rounded as i64
    }
}

/// One row of a conversion table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConversionRow {
    /// The raw score.
    pub raw: usize,
    /// The score converted: the raw score itself, or its θ.
    pub score: f64,
    /// The unrounded scaled value.
    pub scaled: f64,
    /// The reported scaled score.
    pub reported: i64,
    /// Whether the raw score passes.
    pub passes: bool,
}

/// A form's raw-to-scale conversion table: one row per raw score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionTable {
    rows: Vec<ConversionRow>,
}

impl ConversionTable {
    /// The table for raw scores `0..=max_raw` converted directly.
    pub fn for_raw_scores(max_raw: usize, conversion: &ScaleConversion) -> Self {
        Self::from_points((0..=max_raw).map(|x| (x, x as f64)), conversion)
    }

    /// The table for raw scores paired with the score to convert (e.g. a
    /// raw score's EAP θ).
    pub fn from_points(
        points: impl IntoIterator<Item = (usize, f64)>,
        conversion: &ScaleConversion,
    ) -> Self {
        let rows = points
            .into_iter()
            .map(|(raw, score)| ConversionRow {
                raw,
                score,
                scaled: conversion.convert(score),
                reported: conversion.reported(score),
                passes: conversion.passes(score),
            })
            .collect();
        Self { rows }
    }

    /// The rows, in raw-score order.
    pub fn rows(&self) -> &[ConversionRow] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn knot(score: f64, scaled: f64) -> Knot {
        Knot { score, scaled }
    }

    #[test]
    fn two_piece_conversion_puts_the_cut_on_700() {
        // 60 items, cut 42: 0 → 100, 42 → 700, 60 → 1000.
        let c =
            ScaleConversion::through_cut(knot(0.0, 100.0), knot(42.0, 700.0), knot(60.0, 1000.0))
                .unwrap();
        assert!((c.convert(42.0) - 700.0).abs() < 1e-12);
        assert!((c.convert(21.0) - 400.0).abs() < 1e-12);
        assert!((c.convert(51.0) - 850.0).abs() < 1e-12);
        assert!((c.convert(-3.0) - 100.0).abs() < 1e-12);
        let table = ConversionTable::for_raw_scores(60, &c);
        assert_eq!(table.rows()[42].reported, 700);
        assert!(table.rows()[42].passes && !table.rows()[41].passes);
        // 41 → 700 − 600/42 = 685.714…, reported 686.
        assert_eq!(table.rows()[41].reported, 686);
    }

    #[test]
    fn rounding_never_turns_a_fail_into_the_cut_value() {
        // Slope 100 per raw point: 41.999 → 699.9 would round to 700.
        let c = ScaleConversion::linear(42.0, 700.0, 100.0, 100.0, 1000.0).unwrap();
        assert_eq!(c.reported(41.999), 699);
        assert_eq!(c.reported(42.0), 700);
        assert_eq!(c.reported(40.0), 500);
        assert_eq!(c.reported(50.0), 1000);
    }

    #[test]
    fn invalid_conversions_are_rejected() {
        assert_eq!(
            ScaleConversion::piecewise(vec![knot(0.0, 100.0)], 0.0),
            Err(ScaleError::TooFewKnots(1))
        );
        assert_eq!(
            ScaleConversion::piecewise(vec![knot(0.0, 100.0), knot(10.0, 90.0)], 0.0),
            Err(ScaleError::NotIncreasing { index: 1 })
        );
        assert_eq!(
            ScaleConversion::piecewise(vec![knot(0.0, 100.0), knot(10.0, 900.0)], 5.0),
            Err(ScaleError::CutNotAKnot { cut: 5.0 })
        );
        assert_eq!(
            ScaleConversion::piecewise(vec![knot(0.0, 100.5), knot(10.0, 900.0)], 0.0),
            Err(ScaleError::CutScaledNotInteger(100.5))
        );
        assert_eq!(
            ScaleConversion::linear(1.0, 700.0, 0.0, 100.0, 1000.0),
            Err(ScaleError::Slope(0.0))
        );
        assert!(ScaleConversion::linear(1.0, 1000.0, 1.0, 100.0, 1000.0).is_err());
        // Knots beyond the documented range [-1e9, 1e9], or not numbers.
        for bad in [1e308, f64::INFINITY, f64::NAN, 1.000_001e9] {
            assert_eq!(
                ScaleConversion::piecewise(vec![knot(0.0, 100.0), knot(10.0, bad)], 0.0)
                    .map_err(|e| matches!(e, ScaleError::NotFinite { index: 1, .. })),
                Err(true),
                "{bad}"
            );
        }
        let json = r#"{"knots":[{"score":0,"scaled":100},{"score":5,"scaled":50}],"cut":0}"#;
        assert!(serde_json::from_str::<ScaleConversion>(json).is_err());
    }

    proptest! {
        #[test]
        fn conversions_are_monotone_and_decisions_survive_rounding(
            cut in 1usize..99,
            extra in 1usize..100,
            x in -10.0f64..210.0,
            y in -10.0f64..210.0,
        ) {
            let max = (cut + extra) as f64;
            let c = ScaleConversion::through_cut(
                knot(0.0, 100.0), knot(cut as f64, 700.0), knot(max, 1000.0)).unwrap();
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            prop_assert!(c.convert(lo) <= c.convert(hi));
            prop_assert!(c.reported(lo) <= c.reported(hi));
            prop_assert!((100..=1000).contains(&c.reported(x)));
            prop_assert_eq!(c.reported(x) >= 700, c.passes(x));
        }
    }
}
