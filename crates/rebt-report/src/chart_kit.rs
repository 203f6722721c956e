//! What the tearsheet's charts and the study page's charts share: the label font, the 1-2-5
//! value ticks and the axis that draws exactly the ticks chosen.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// The font of every chart's text.
pub(crate) const FONT: &str = "sans-serif";
/// plotters' text size; the SVG backend writes `size / 1.24` px.
pub(crate) const LABEL_SIZE: f64 = 17.0;
/// The colour of text.
pub(crate) const TEXT: RGBColor = RGBColor(40, 44, 52);

/// The style of axis labels and chart text.
pub(crate) fn label_font() -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().color(&TEXT)
}

/// A linear value axis with the ticks its caller chose. (plotters' own key-point binding,
/// `with_key_points`, cannot be used on an `f64` range with a label formatter: `f64` ranges
/// opt out of the default formatting that `configure_mesh` needs.)
pub(crate) struct TickedAxis {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    pub(crate) fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        TickedAxis {
            linear: (lo..hi).into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light (minor) grid lines would only add clutter.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.linear.range()
    }
}

/// Evenly spaced ticks on 1-2-5 multiples covering about `target` steps of `lo..=hi`, and the
/// step between them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs();
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 1.0);
    }
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let ticks = (first..=last).map(|k| k as f64 * step).collect();
    (ticks, step)
}

/// Decimals a tick label needs so that ticks `step` apart are written exactly: 0 for a
/// step of 5, 1 for 2.5 or 0.5, 2 for 0.25.
pub(crate) fn tick_decimals(step: f64) -> usize {
    (0..4)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(4)
}
