//! What the pages' charts share (the tearsheet, the study page, the factor page): the size,
//! colours and label font, the 1-2-5 value ticks and the axis that draws exactly the ticks
//! chosen, the calendar axis of time series, lines over dates with a legend placed where it
//! hides least, and the SVG they are drawn into.

use crate::tearsheet::html::escape;
use chrono::{Datelike, Days, Months, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every chart, in SVG user units (the page scales it through the `viewBox`).
pub(crate) const WIDTH: u32 = 1200;
/// Losses, and values below zero.
pub(crate) const LOSS: RGBColor = RGBColor(200, 45, 40);
/// Gains, and values above zero.
pub(crate) const GAIN: RGBColor = RGBColor(26, 140, 72);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 228, 232);
/// Axes and zero lines.
pub(crate) const AXIS: RGBColor = RGBColor(110, 115, 122);
/// Secondary series and messages.
pub(crate) const MUTED: RGBColor = RGBColor(120, 124, 130);

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

/// What a drawing closure returns.
pub(crate) type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Draw into a fresh SVG `WIDTH` wide and `height` high with a white background, labelled
/// `label` for screen readers; the error is plotters' message.
pub(crate) fn draw_svg(
    label: &str,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<String, String> {
    let failed = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        draw(&root).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(label)),
        1,
    ))
}

/// Text centred on its anchor.
pub(crate) fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// Days since the common era: dates as numbers on an x axis.
pub(crate) fn day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// The date of a day number.
pub(crate) fn date_of(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// The x axis of a time-series chart: the span and its calendar ticks.
pub(crate) struct DateAxis {
    /// First day number on the axis.
    pub(crate) first: i32,
    /// Last day number on the axis.
    pub(crate) last: i32,
    ticks: Vec<i32>,
    format: &'static str,
}

impl DateAxis {
    /// `dates` is non-empty and increasing (checked by the page that draws it).
    pub(crate) fn new(dates: &[NaiveDate]) -> Self {
        let (first, last) = match (dates.first(), dates.last()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => (NaiveDate::MIN, NaiveDate::MIN),
        };
        let (ticks, format) = date_ticks(first, last);
        let (mut lo, mut hi) = (day_number(first), day_number(last));
        if lo == hi {
            // One day: give the axis some width so the point sits in the middle.
            lo -= 1;
            hi += 1;
        }
        DateAxis {
            first: lo,
            last: hi,
            ticks: ticks.into_iter().map(day_number).collect(),
            format,
        }
    }

    pub(crate) fn range(&self) -> WithKeyPoints<RangedCoordi32> {
        (self.first..self.last).with_key_points(self.ticks.clone())
    }

    pub(crate) fn label(&self, day: &i32) -> String {
        date_of(*day).map_or_else(String::new, |d| d.format(self.format).to_string())
    }
}

/// Calendar ticks between `first` and `last` (at most about ten) and the `strftime` format
/// their labels need: year starts for long runs, month starts for months, days for weeks.
pub(crate) fn date_ticks(first: NaiveDate, last: NaiveDate) -> (Vec<NaiveDate>, &'static str) {
    const MAX_TICKS: f64 = 10.0;
    let span_days = (last - first).num_days().max(1) as f64;
    let months = span_days / 30.44;
    if let Some(&step) = [1u32, 2, 3, 6, 12, 24, 60, 120, 240]
        .iter()
        .find(|&&step| months / f64::from(step) <= MAX_TICKS)
        .filter(|_| months >= 2.0)
    {
        let mut ticks = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1);
        while let Some(start) = month {
            if start > last {
                break;
            }
            let index = start.year() * 12 + start.month0() as i32;
            if start >= first && index.rem_euclid(step as i32) == 0 {
                ticks.push(start);
            }
            month = start.checked_add_months(Months::new(1));
        }
        let format = if step >= 12 { "%Y" } else { "%b %Y" };
        return (ticks, format);
    }
    let step = [1u64, 2, 7, 14]
        .into_iter()
        .find(|&step| span_days / step as f64 <= MAX_TICKS)
        .unwrap_or(14);
    let ticks = (0..)
        .map_while(|k| first.checked_add_days(Days::new(k * step)))
        .take_while(|d| *d <= last)
        .collect();
    (ticks, "%Y-%m-%d")
}

/// `value` with at most `decimals` decimals, trailing zeros dropped (`1.500` → `1.5`).
pub(crate) fn trim_decimals(value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// The finite stretches of a series: each a run of `(x, y)` points with no NaN or ±∞ inside,
/// drawn as its own line so a gap shows as a gap.
pub(crate) fn finite_runs(xs: &[i32], ys: impl Iterator<Item = Option<f64>>) -> Vec<Vec<(i32, f64)>> {
    let mut runs: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (&x, y) in xs.iter().zip(ys) {
        match y.filter(|v| v.is_finite()) {
            Some(y) => current.push((x, y)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// A dot for a stretch of a single point, which a line or an area would leave invisible.
pub(crate) fn lone_point(run: &[(i32, f64)], color: RGBColor) -> Option<Circle<(i32, f64), i32>> {
    match run {
        [point] => Some(Circle::new(*point, 4, color.filled())),
        _ => None,
    }
}

/// Smallest and largest finite value, `None` when there is none.
pub(crate) fn finite_bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A linear value axis over `lo..hi` widened by `pad` of the span each side, with its ticks
/// and their step.
pub(crate) fn linear_axis(lo: f64, hi: f64, pad: f64) -> (f64, f64, Vec<f64>, f64) {
    let (lo, hi) = if hi > lo {
        let margin = (hi - lo) * pad;
        (lo - margin, hi + margin)
    } else {
        let margin = lo.abs().max(1.0) * 0.05;
        (lo - margin, hi + margin)
    };
    let (ticks, step) = nice_ticks(lo, hi, 6);
    (lo, hi, ticks, step)
}

/// A labelled line of a chart over dates.
pub(crate) struct Line {
    /// The legend's text.
    pub(crate) label: String,
    /// Its colour.
    pub(crate) color: RGBColor,
    /// Stroke width.
    pub(crate) width: u32,
    /// (day number, value) points; non-finite values leave a gap.
    pub(crate) points: Vec<(i32, f64)>,
}

/// Where to put a legend of `labels` so that it hides the fewest of `points`: the corner of
/// the plot whose legend-sized box holds fewest of them (ties go to upper left, upper right,
/// lower left, lower right, in that order).
pub(crate) fn legend_position<'a, 'b, Y>(
    chart: &ChartContext<'a, SVGBackend<'b>, Cartesian2d<WithKeyPoints<RangedCoordi32>, Y>>,
    labels: &[&str],
    points: &[(i32, f64)],
) -> SeriesLabelPosition
where
    Y: Ranged<ValueType = f64>,
{
    const MARGIN: i32 = 12;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    // The legend's size as plotters lays it out with the naive font: about half an em per
    // character plus the swatch, 22 px per row.
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let width = (40.0 + longest * LABEL_SIZE * 0.5) as i32 + MARGIN;
    let height = 22 * labels.len() as i32 + 8 + MARGIN;
    let corners = [
        (
            SeriesLabelPosition::UpperLeft,
            xs.start..xs.start + width,
            ys.start..ys.start + height,
        ),
        (
            SeriesLabelPosition::UpperRight,
            xs.end - width..xs.end,
            ys.start..ys.start + height,
        ),
        (
            SeriesLabelPosition::LowerLeft,
            xs.start..xs.start + width,
            ys.end - height..ys.end,
        ),
        (
            SeriesLabelPosition::LowerRight,
            xs.end - width..xs.end,
            ys.end - height..ys.end,
        ),
    ];
    let pixels: Vec<(i32, i32)> = points
        .iter()
        .filter(|p| p.1.is_finite())
        .map(|p| chart.backend_coord(p))
        .collect();
    corners
        .into_iter()
        .map(|(position, x, y)| {
            let hidden = pixels
                .iter()
                .filter(|(px, py)| x.contains(px) && y.contains(py))
                .count();
            (hidden, position)
        })
        .min_by_key(|(hidden, _)| *hidden)
        .map_or(SeriesLabelPosition::UpperLeft, |(_, position)| position)
}

/// Mesh, lines and legend of a chart over dates and values, whatever the value axis.
pub(crate) fn draw_lines<'a, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<WithKeyPoints<RangedCoordi32>, Y>>,
    axis: &DateAxis,
    lines: &[Line],
    y_label: &dyn Fn(&f64) -> String,
) -> DrawResult
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_label_formatter(&|d| axis.label(d))
        .y_label_formatter(y_label)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .label_style(label_font())
        .draw()?;
    for line in lines {
        let style = line.color.stroke_width(line.width);
        let runs = finite_runs(
            &line.points.iter().map(|p| p.0).collect::<Vec<_>>(),
            line.points.iter().map(|p| Some(p.1)),
        );
        for (k, run) in runs.into_iter().enumerate() {
            chart.draw_series(lone_point(&run, line.color))?;
            let drawn = chart.draw_series(LineSeries::new(run, style))?;
            if k == 0 {
                drawn
                    .label(line.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            }
        }
    }
    let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    let all_points: Vec<(i32, f64)> = lines.iter().flat_map(|l| l.points.iter().copied()).collect();
    let position = legend_position(chart, &labels, &all_points);
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(label_font())
        .draw()
}

/// Series colours in order (the study page's approaches, the factor page's horizons).
pub(crate) const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 95, 168),
    RGBColor(217, 130, 43),
    RGBColor(26, 140, 72),
    RGBColor(128, 70, 165),
    RGBColor(0, 128, 128),
    RGBColor(150, 90, 60),
];

/// The colour of the `k`-th series.
pub(crate) fn colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

/// Histogram bins across the common range of the series.
pub(crate) const BINS: usize = 40;

/// A fraction written as a percent with the decimals its axis needs.
pub(crate) fn percent_label(value: f64, decimals: usize) -> String {
    let s = format!("{:.decimals$}%", value * 100.0);
    if s.starts_with("-0") && s.trim_start_matches(['-', '0', '.']).starts_with('%') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Finite values of a series.
pub(crate) fn finite(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().flatten().copied().filter(|v| v.is_finite()).collect()
}

/// The bins of a histogram of fractions: `BINS` equal bins over the values' range (widened
/// to at least 0.2 percentage points), as edges.
pub(crate) fn bin_edges(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = if hi - lo < 0.002 {
        let mid = (lo + hi) / 2.0;
        (mid - 0.001, mid + 0.001)
    } else {
        (lo, hi)
    };
    let width = (hi - lo) / BINS as f64;
    (0..=BINS).map(|k| lo + width * k as f64).collect()
}

/// Share of `values` in each bin of `edges` (the last bin closed).
pub(crate) fn bin_shares(values: &[f64], edges: &[f64]) -> Vec<f64> {
    let bins = edges.len() - 1;
    let mut counts = vec![0usize; bins];
    let (lo, hi) = (edges[0], edges[bins]);
    for &v in values {
        let k = (((v - lo) / (hi - lo)) * bins as f64).floor();
        let k = if k.is_finite() {
            (k.max(0.0) as usize).min(bins - 1)
        } else {
            0
        };
        counts[k] += 1;
    }
    let n = values.len().max(1) as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

/// One panel of [`stacked_histograms`].
pub(crate) struct HistogramPanel {
    /// Each bin's share of the values ([`bin_shares`]).
    pub shares: Vec<f64>,
    /// The bars' and the label's colour.
    pub color: RGBColor,
    /// Where the solid line goes (the values' mean), if anywhere.
    pub mean: Option<f64>,
    /// Where the dashed line goes (the values' median), if anywhere.
    pub median: Option<f64>,
    /// The text above the panel.
    pub label: String,
}

/// Histograms stacked one panel each, `panel_height` high, over the same bins `edges`: each
/// panel on its own vertical scale (one series piled into a bin would flatten the rest), a
/// zero line where the bins span 0, a solid line at the panel's mean and a dashed one at its
/// median. `x_label` and `y_label` write an axis value given the axis's tick step (the y axis
/// is the share of the values in a bin).
pub(crate) fn stacked_histograms(
    root: &DrawingArea<SVGBackend, Shift>,
    edges: &[f64],
    panels: &[HistogramPanel],
    panel_height: u32,
    x_label: &dyn Fn(f64, f64) -> String,
    y_label: &dyn Fn(f64, f64) -> String,
) -> DrawResult {
    let (x_lo, x_hi) = (edges[0], edges[edges.len() - 1]);
    let (x_ticks, x_step) = nice_ticks(x_lo, x_hi, 8);
    let (stack, _) = root.split_vertically(panel_height * panels.len() as u32);
    let areas = stack.split_evenly((panels.len(), 1));
    for (area, panel) in areas.iter().zip(panels) {
        let color = panel.color;
        let top = panel.shares.iter().copied().fold(0.0, f64::max).max(0.01) * 1.15;
        let (y_ticks, y_step) = nice_ticks(0.0, top, 3);
        let mut c = ChartBuilder::on(area)
            .margin(8)
            .margin_top(30)
            .margin_right(28)
            .x_label_area_size(30)
            .y_label_area_size(78)
            .build_cartesian_2d(
                TickedAxis::new(x_lo, x_hi, x_ticks.clone()),
                TickedAxis::new(0.0, top, y_ticks),
            )?;
        c.configure_mesh()
            .x_label_formatter(&|v| x_label(*v, x_step))
            .y_label_formatter(&|v| y_label(*v, y_step))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        c.draw_series(
            panel
                .shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(b, s)| Rectangle::new([(edges[b], 0.0), (edges[b + 1], *s)], color.mix(0.6).filled())),
        )?;
        if x_lo < 0.0 && x_hi > 0.0 {
            c.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, top)],
                AXIS.stroke_width(1),
            )))?;
        }
        if let Some(m) = panel.mean {
            c.draw_series(std::iter::once(PathElement::new(
                vec![(m, 0.0), (m, top)],
                TEXT.stroke_width(2),
            )))?;
        }
        if let Some(md) = panel.median {
            // dashes drawn as short segments: plotters' line styles have no dash pattern
            let dashes = (0..12).map(|k| {
                let (a, b) = (top * k as f64 / 12.0, top * (k as f64 + 0.5) / 12.0);
                PathElement::new(vec![(md, a), (md, b)], TEXT.stroke_width(2))
            });
            c.draw_series(dashes)?;
        }
        area.draw(&Text::new(
            panel.label.clone(),
            (86, 6),
            label_font().color(&color).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn date_ticks_pick_calendar_boundaries() {
        let cases = [
            // (first, last, expected first tick, count, format)
            (date(2021, 1, 4), date(2023, 12, 29), date(2021, 7, 1), 5, "%b %Y"),
            (date(2015, 1, 5), date(2024, 12, 31), date(2016, 1, 1), 9, "%Y"),
            (date(2023, 1, 3), date(2023, 6, 30), date(2023, 2, 1), 5, "%b %Y"),
            (date(2023, 3, 1), date(2023, 3, 31), date(2023, 3, 1), 5, "%Y-%m-%d"),
            (date(2023, 3, 1), date(2023, 3, 1), date(2023, 3, 1), 1, "%Y-%m-%d"),
        ];
        for (first, last, first_tick, count, format) in cases {
            let (ticks, got_format) = date_ticks(first, last);
            assert_eq!(ticks.first(), Some(&first_tick), "{first}..{last}: {ticks:?}");
            assert_eq!(ticks.len(), count, "{first}..{last}: {ticks:?}");
            assert_eq!(got_format, format);
            assert!(ticks.iter().all(|t| (first..=last).contains(t)));
        }
    }

    #[test]
    fn nice_ticks_fall_on_round_steps_inside_the_range() {
        let (ticks, step) = nice_ticks(-23.0, 1.0, 5);
        assert_eq!(step, 5.0);
        assert_eq!(ticks, vec![-20.0, -15.0, -10.0, -5.0, 0.0]);
        let (ticks, step) = nice_ticks(0.0, 0.9, 6);
        assert!((step - 0.2).abs() < 1e-12, "{step}");
        assert_eq!(ticks.len(), 5);
        assert_eq!(nice_ticks(3.0, 3.0, 5).0, vec![3.0]);
    }

    #[test]
    fn tick_labels_carry_the_decimals_their_step_needs() {
        let cases = [
            (5.0, 0),
            (20.0, 0),
            (2.5, 1),
            (0.5, 1),
            (0.25, 2),
            (0.2, 1),
            (0.05, 2),
            (0.1 * 3.0, 1),
        ];
        for (step, decimals) in cases {
            assert_eq!(tick_decimals(step), decimals, "step {step}");
        }
    }

    #[test]
    fn finite_runs_split_at_gaps() {
        let runs = finite_runs(
            &[1, 2, 3, 4, 5],
            [Some(1.0), Some(f64::NAN), None, Some(2.0), Some(3.0)].into_iter(),
        );
        assert_eq!(runs, vec![vec![(1, 1.0)], vec![(4, 2.0), (5, 3.0)]]);
    }
}
