//! The tearsheet's five charts, each drawn by plotters into an SVG string, and the axis
//! ticks they share (calendar ticks for dates, 1-2-5 ticks for values).
//!
//! Every chart is 1200 px wide in its own coordinates; the page scales it to the column's
//! width through the SVG's `viewBox`. Dates are plotted as days since the common era, so
//! the ticks can fall on month or year starts rather than wherever plotters would put them.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::chart_kit::{
    AXIS, DateAxis, DrawResult, FONT, GAIN, GRID, LOSS, Line, MUTED, TEXT, TickedAxis, WIDTH, centred, day_number,
    draw_lines, finite_bounds, finite_runs, label_font, legend_position, linear_axis, lone_point, nice_ticks,
    tick_decimals, trim_decimals,
};

use super::{MonthlyReturn, ROLLING_SHARPE_WINDOW, TearsheetError, TearsheetInput};

const STRATEGY: RGBColor = RGBColor(31, 95, 168);
const BENCHMARK: RGBColor = RGBColor(217, 130, 43);
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One drawn chart.
#[derive(Debug, Clone)]
pub(super) struct Chart {
    /// The `<svg>` element.
    pub svg: String,
    /// Something the reader must know to read it (a fallback taken), shown under it.
    pub note: Option<String>,
}

/// The five charts of a tearsheet.
#[derive(Debug, Clone)]
pub(super) struct Charts {
    pub equity: Chart,
    pub underwater: Chart,
    pub monthly: Chart,
    pub rolling_sharpe: Chart,
    pub exposure: Chart,
}

/// Ticks for a log axis over `lo..hi` (both > 0): 1-2-5 per decade when the range spans
/// decades (only powers of ten when that gives more than 12), evenly spaced ones when it
/// spans less (plotters' own log ticks would label a range like 80k..250k once or twice).
/// Even steps crowd together at the top of a log axis, so one closer than a tenth of the
/// axis to the tick below it is dropped.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if hi / lo < 20.0 {
        let min_gap = (hi / lo).ln() / 10.0;
        let mut ticks: Vec<f64> = Vec::new();
        for t in nice_ticks(lo, hi, 8).0.into_iter().filter(|t| *t > 0.0) {
            if ticks.last().is_none_or(|last| (t / last).ln() >= min_gap) {
                ticks.push(t);
            }
        }
        return ticks;
    }
    let decades = (lo.log10().floor() as i32)..=(hi.log10().ceil() as i32);
    let all: Vec<f64> = decades
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|v| (lo..=hi).contains(v))
        .collect();
    if all.len() <= 12 {
        return all;
    }
    let powers: Vec<f64> = all.into_iter().filter(|v| v.log10().fract().abs() < 1e-9).collect();
    // Beyond a dozen decades, every k-th power of ten.
    let every = powers.len().div_ceil(10);
    powers.into_iter().step_by(every).collect()
}

/// `value` in a short form for an axis whose largest tick is `largest` in magnitude: `1.25M`,
/// `250k`, `980`. Every tick of an axis takes the unit of the largest, so `5k` and `10k` sit
/// together rather than `5000` and `10k`; three decimals keep 1-2-5 neighbours apart.
fn compact_number(value: f64, largest: f64) -> String {
    let magnitude = largest.abs().max(value.abs());
    if value == 0.0 {
        return "0".to_string();
    }
    if magnitude >= 1e15 || value.abs() < 1e-3 {
        // Only a broken run gets here (equity beyond 10^15 or within 0.001 of zero):
        // scientific notation with one decimal, dropped when zero (`1e200`, `2.5e-7`).
        return format!("{value:.1e}").replace(".0e", "e");
    }
    let (unit, suffix) = match magnitude {
        m if m >= 1e12 => (1e12, "T"),
        m if m >= 1e9 => (1e9, "B"),
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let digits = trim_decimals(value / unit, 3);
    if digits == "0" {
        digits
    } else {
        format!("{digits}{suffix}")
    }
}

/// The largest magnitude among `ticks`.
fn largest(ticks: &[f64]) -> f64 {
    ticks.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Draw one of the tearsheet's charts ([`crate::chart_kit::draw_svg`]); `chart` names it in
/// the error.
fn draw_svg(
    chart: &'static str,
    label: &str,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<String, TearsheetError> {
    crate::chart_kit::draw_svg(label, height, draw).map_err(|message| TearsheetError::Chart { chart, message })
}

/// Chart 1: equity and the benchmark on a log axis (linear when equity reaches 0 or below).
pub(super) fn equity(input: &TearsheetInput) -> Result<Chart, TearsheetError> {
    let axis = DateAxis::new(input.dates);
    let xs: Vec<i32> = input.dates.iter().copied().map(day_number).collect();
    let benchmark = input.benchmark.as_ref();
    let values = input
        .equity
        .iter()
        .chain(benchmark.map_or(&[][..], |b| b.equity))
        .copied();
    let (lo, hi) = finite_bounds(values).unwrap_or((1.0, 1.0));
    let log = lo > 0.0;
    let mut lines = vec![Line {
        label: "Strategy".to_string(),
        color: STRATEGY,
        width: 2,
        points: xs.iter().copied().zip(input.equity.iter().copied()).collect(),
    }];
    if let Some(b) = benchmark {
        lines.push(Line {
            label: format!("Benchmark ({})", b.symbol),
            color: BENCHMARK,
            width: 2,
            points: xs.iter().copied().zip(b.equity.iter().copied()).collect(),
        });
    }
    let caption = "Equity and benchmark";
    let svg = draw_svg("equity", caption, 420, |root| {
        let mut builder = ChartBuilder::on(root);
        builder
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78);
        if log {
            let (lo, hi) = if hi > lo * 1.000_001 {
                (lo / 1.03, hi * 1.03)
            } else {
                (lo * 0.95, hi * 1.05)
            };
            let ticks = log_ticks(lo, hi);
            let largest = largest(&ticks);
            let mut chart = builder.build_cartesian_2d(axis.range(), (lo..hi).log_scale().with_key_points(ticks))?;
            draw_lines(&mut chart, &axis, &lines, &|v| compact_number(*v, largest))
        } else {
            let (lo, hi, ticks, _) = linear_axis(lo, hi, 0.04);
            let largest = largest(&ticks);
            let mut chart = builder.build_cartesian_2d(axis.range(), TickedAxis::new(lo, hi, ticks))?;
            draw_lines(&mut chart, &axis, &lines, &|v| compact_number(*v, largest))
        }
    })?;
    Ok(Chart {
        svg,
        note: (!log).then(|| {
            "Equity fell to zero or below, where a log scale is impossible: this chart's value axis is linear."
                .to_string()
        }),
    })
}

/// Chart 2: the fall of equity from its running peak, in percent.
pub(super) fn underwater(dates: &[NaiveDate], underwater: &[f64]) -> Result<Chart, TearsheetError> {
    let axis = DateAxis::new(dates);
    let xs: Vec<i32> = dates.iter().copied().map(day_number).collect();
    let percent: Vec<f64> = underwater.iter().map(|d| d * 100.0).collect();
    let deepest = finite_bounds(percent.iter().copied()).map_or(0.0, |(lo, _)| lo);
    let lo = if deepest < 0.0 { deepest * 1.08 } else { -1.0 };
    let hi = -lo * 0.03;
    let (ticks, step) = nice_ticks(lo, 0.0, 5);
    let decimals = tick_decimals(step);
    let svg = draw_svg("underwater", "Underwater drawdown", 280, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(axis.range(), TickedAxis::new(lo, hi, ticks))?;
        chart
            .configure_mesh()
            .x_label_formatter(&|d| axis.label(d))
            .y_label_formatter(&|v| format!("{}%", trim_decimals(*v, decimals)))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        for run in finite_runs(&xs, percent.iter().map(|v| Some(*v))) {
            chart.draw_series(lone_point(&run, LOSS))?;
            chart.draw_series(AreaSeries::new(run, 0.0, LOSS.mix(0.28)).border_style(LOSS.stroke_width(1)))?;
        }
        Ok(())
    })?;
    Ok(Chart { svg, note: None })
}

/// Fill of a heat-map cell: white at 0, shading to green for gains and red for losses,
/// full colour at `±scale`. Returns the colour and whether its text should be white.
fn heat_colour(value: f64, scale: f64) -> (RGBColor, bool) {
    const ZERO: (f64, f64, f64) = (247.0, 247.0, 247.0);
    let t = (value / scale).clamp(-1.0, 1.0);
    let target = if t >= 0.0 { GAIN } else { LOSS };
    let mix = |from: f64, to: u8| (from + (f64::from(to) - from) * t.abs()).round() as u8;
    (
        RGBColor(mix(ZERO.0, target.0), mix(ZERO.1, target.1), mix(ZERO.2, target.2)),
        t.abs() > 0.55,
    )
}

/// The return at which heat-map colours reach full strength: the 90th percentile of the
/// months' absolute returns (the largest when there are fewer than ten months), at least 1%.
/// A percentile rather than the largest, so one extreme month does not wash out the rest.
fn heat_scale(months: &[MonthlyReturn]) -> f64 {
    let mut magnitudes: Vec<f64> = months.iter().map(|m| m.value.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let at = if magnitudes.len() < 10 {
        magnitudes.len().saturating_sub(1)
    } else {
        (magnitudes.len() - 1) * 9 / 10
    };
    magnitudes.get(at).copied().unwrap_or(0.0).max(0.01)
}

/// A monthly return as the heat map writes it: percent with one decimal and a sign, `+2.3`.
fn heat_label(value: f64) -> String {
    let percent = value * 100.0;
    if percent.abs() < 0.05 {
        "0.0".to_string()
    } else {
        format!("{percent:+.1}")
    }
}

/// Chart 3: monthly returns, years down and months across, value in each cell.
pub(super) fn monthly_heatmap(months: &[MonthlyReturn]) -> Result<Chart, TearsheetError> {
    let Some((first_year, last_year)) = months.iter().fold(None, |acc: Option<(i32, i32)>, m| {
        Some(acc.map_or((m.year, m.year), |(lo, hi)| (lo.min(m.year), hi.max(m.year))))
    }) else {
        let svg = draw_svg("monthly returns", "Monthly returns", 120, |root| {
            root.draw(&Text::new(
                "No monthly returns to show.",
                (WIDTH as i32 / 2, 60),
                centred(label_font().color(&MUTED)),
            ))
        })?;
        return Ok(Chart { svg, note: None });
    };
    let rows = (last_year - first_year + 1) as f64;
    let scale = heat_scale(months);
    let height = (70.0 + 34.0 * rows) as u32;
    let row_of = |year: i32| f64::from(last_year - year);
    let svg = draw_svg("monthly returns", "Monthly returns heat map", height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(32)
            .y_label_area_size(78)
            .build_cartesian_2d(
                TickedAxis::new(0.0, 12.0, (0..12).map(|m| f64::from(m) + 0.5).collect()),
                TickedAxis::new(0.0, rows, (0..rows as i32).map(|r| f64::from(r) + 0.5).collect()),
            )?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|v| MONTH_NAMES.get(*v as usize).copied().unwrap_or("").to_string())
            .y_label_formatter(&|v| (last_year - *v as i32).to_string())
            .axis_style(WHITE)
            .label_style(label_font())
            .draw()?;
        let cell_font = centred((FONT, 16.0).into_font().color(&TEXT));
        for year in first_year..=last_year {
            for month in 1..=12u32 {
                let (x, y) = (f64::from(month - 1), row_of(year));
                let value = months.iter().find(|m| m.year == year && m.month == month);
                let fill = value.map_or(RGBColor(238, 240, 243), |m| heat_colour(m.value, scale).0);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    fill.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    WHITE.stroke_width(2),
                )))?;
                if let Some(m) = value {
                    let text_colour = if heat_colour(m.value, scale).1 { WHITE } else { TEXT };
                    chart.draw_series(std::iter::once(Text::new(
                        heat_label(m.value),
                        (x + 0.5, y + 0.5),
                        cell_font.color(&text_colour),
                    )))?;
                }
            }
        }
        Ok(())
    })?;
    Ok(Chart { svg, note: None })
}

/// An empty chart frame with `message` in its middle, for a chart the run cannot fill.
fn message_chart(chart: &'static str, label: &str, height: u32, message: &str) -> Result<String, TearsheetError> {
    draw_svg(chart, label, height, |root| {
        root.draw(&Rectangle::new(
            [(12, 12), (WIDTH as i32 - 12, height as i32 - 12)],
            GRID.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            message.to_string(),
            (WIDTH as i32 / 2, height as i32 / 2),
            centred(label_font().color(&MUTED)),
        ))
    })
}

/// Chart 4: the Sharpe ratio of the trailing [`ROLLING_SHARPE_WINDOW`] daily returns.
pub(super) fn rolling_sharpe(dates: &[NaiveDate], sharpe: &[Option<f64>]) -> Result<Chart, TearsheetError> {
    const LABEL: &str = "Rolling 126-day Sharpe ratio";
    let Some((lo, hi)) = finite_bounds(sharpe.iter().flatten().copied()) else {
        let message = if dates.len() < ROLLING_SHARPE_WINDOW {
            format!(
                "The rolling Sharpe ratio needs {ROLLING_SHARPE_WINDOW} days of returns; this run has {}.",
                dates.len()
            )
        } else {
            format!("No {ROLLING_SHARPE_WINDOW}-day window has a defined Sharpe ratio (flat or undefined returns).")
        };
        let svg = message_chart("rolling Sharpe", LABEL, 160, &message)?;
        return Ok(Chart { svg, note: None });
    };
    let axis = DateAxis::new(dates);
    let xs: Vec<i32> = dates.iter().copied().map(day_number).collect();
    let (lo, hi, ticks, step) = linear_axis(lo.min(0.0), hi.max(0.0), 0.06);
    let decimals = tick_decimals(step);
    let svg = draw_svg("rolling Sharpe", LABEL, 280, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(axis.range(), TickedAxis::new(lo, hi, ticks))?;
        chart
            .configure_mesh()
            .x_label_formatter(&|d| axis.label(d))
            .y_label_formatter(&|v| trim_decimals(*v, decimals))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(axis.first, 0.0), (axis.last, 0.0)],
            AXIS.stroke_width(1),
        ))?;
        for run in finite_runs(&xs, sharpe.iter().copied()) {
            chart.draw_series(lone_point(&run, STRATEGY))?;
            chart.draw_series(LineSeries::new(run, STRATEGY.stroke_width(2)))?;
        }
        Ok(())
    })?;
    Ok(Chart { svg, note: None })
}

const EXPOSURE_LABEL: &str = "Exposure (positions / equity)";
const CASH_LABEL: &str = "Cash / equity";

/// Chart 5: exposure (positions over equity) as an area and cash over equity as a line,
/// both in percent.
pub(super) fn exposure(dates: &[NaiveDate], exposure: &[f64], cash_share: &[f64]) -> Result<Chart, TearsheetError> {
    let axis = DateAxis::new(dates);
    let xs: Vec<i32> = dates.iter().copied().map(day_number).collect();
    let exposure: Vec<f64> = exposure.iter().map(|v| v * 100.0).collect();
    let cash: Vec<f64> = cash_share.iter().map(|v| v * 100.0).collect();
    let (lo, hi) = finite_bounds(exposure.iter().chain(&cash).copied()).unwrap_or((0.0, 100.0));
    let (lo, hi) = (lo.min(0.0), hi.max(100.0));
    let (lo, hi) = (lo - (hi - lo) * 0.02, hi + (hi - lo) * 0.04);
    let (ticks, step) = nice_ticks(lo, hi, 5);
    let decimals = tick_decimals(step);
    let svg = draw_svg("exposure", "Exposure and cash", 280, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(axis.range(), TickedAxis::new(lo, hi, ticks))?;
        chart
            .configure_mesh()
            .x_label_formatter(&|d| axis.label(d))
            .y_label_formatter(&|v| format!("{}%", trim_decimals(*v, decimals)))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        let exposure_style = STRATEGY.stroke_width(1);
        for (k, run) in finite_runs(&xs, exposure.iter().map(|v| Some(*v)))
            .into_iter()
            .enumerate()
        {
            chart.draw_series(lone_point(&run, STRATEGY))?;
            let drawn =
                chart.draw_series(AreaSeries::new(run, 0.0, STRATEGY.mix(0.22)).border_style(exposure_style))?;
            if k == 0 {
                drawn
                    .label(EXPOSURE_LABEL)
                    .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], STRATEGY.mix(0.4).filled()));
            }
        }
        let cash_style = GAIN.stroke_width(2);
        for (k, run) in finite_runs(&xs, cash.iter().map(|v| Some(*v))).into_iter().enumerate() {
            chart.draw_series(lone_point(&run, GAIN))?;
            let drawn = chart.draw_series(LineSeries::new(run, cash_style))?;
            if k == 0 {
                drawn
                    .label(CASH_LABEL)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], cash_style));
            }
        }
        // The exposure area covers everything below its line, not just the line.
        let covered: Vec<(i32, f64)> = xs
            .iter()
            .zip(exposure.iter().zip(&cash))
            .flat_map(|(&x, (&e, &c))| {
                let below = (0..=8).map(move |k| (x, e * f64::from(k) / 8.0));
                below.chain(std::iter::once((x, c)))
            })
            .collect();
        let position = legend_position(&chart, &[EXPOSURE_LABEL, CASH_LABEL], &covered);
        chart
            .configure_series_labels()
            .position(position)
            .margin(12)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .label_font(label_font())
            .draw()
    })?;
    Ok(Chart { svg, note: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_label_narrow_and_wide_ranges() {
        let narrow = log_ticks(80_000.0, 250_000.0);
        assert!(narrow.len() >= 4, "{narrow:?}");
        assert!(narrow.iter().all(|v| (80_000.0..=250_000.0).contains(v)));
        assert_eq!(
            log_ticks(0.5, 2_000.0),
            vec![
                0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0
            ]
        );
        let wide = log_ticks(1.0, 1e9);
        assert_eq!(wide.len(), 10, "only the powers of ten: {wide:?}");
        let vast = log_ticks(1e-200, 1e200);
        assert!((5..=11).contains(&vast.len()), "every k-th power of ten: {vast:?}");
        // Even steps crowd at the top of a log axis: those within a tenth of it are dropped.
        let crowded = log_ticks(200_000.0, 2_800_000.0);
        let span = (2_800_000.0f64 / 200_000.0).ln();
        assert!(
            crowded.windows(2).all(|w| (w[1] / w[0]).ln() >= span / 10.0),
            "{crowded:?}"
        );
        assert!(crowded.len() >= 4, "{crowded:?}");
    }

    #[test]
    fn compact_numbers_keep_neighbouring_ticks_apart() {
        let cases = [
            (1_250_000.0, 1_500_000.0, "1.25M"),
            (1_000_000.0, 1_500_000.0, "1M"),
            (250_000.0, 1_500_000.0, "0.25M"),
            (250_000.0, 300_000.0, "250k"),
            (5_000.0, 15_000.0, "5k"),
            (12_500.0, 15_000.0, "12.5k"),
            (980.0, 1_000.0, "980"),
            (-40_000.0, 60_000.0, "-40k"),
            (0.0, 60_000.0, "0"),
            (2.5e9, 3e9, "2.5B"),
            (4e12, 5e12, "4T"),
            (1e200, 1e200, "1e200"),
            (1e-200, 1e200, "1e-200"),
            (1.000_000_000_000_000_3e159, 1e200, "1e159"),
            (-6e249, 1e250, "-6e249"),
            (2.5e-7, 1e-6, "2.5e-7"),
            (0.5, 2.0, "0.5"),
        ];
        for (value, largest, want) in cases {
            assert_eq!(compact_number(value, largest), want, "{value}");
        }
    }

    #[test]
    fn heat_colours_diverge_from_white() {
        let (zero, _) = heat_colour(0.0, 0.05);
        assert_eq!(zero, RGBColor(247, 247, 247));
        let (full_gain, white_text) = heat_colour(0.08, 0.05);
        assert_eq!(full_gain, GAIN);
        assert!(white_text);
        let (loss, white_text) = heat_colour(-0.01, 0.05);
        assert!(loss.0 > loss.1 && loss.0 > loss.2, "reddish: {loss:?}");
        assert!(!white_text);
        assert_eq!(heat_label(0.023), "+2.3");
        assert_eq!(heat_label(-0.1049), "-10.5");
        assert_eq!(heat_label(0.0004), "0.0");
    }

    #[test]
    fn heat_scale_ignores_one_extreme_month() {
        let month = |k: u32, value: f64| MonthlyReturn {
            year: 2021 + (k / 12) as i32,
            month: k % 12 + 1,
            value,
        };
        let mut months: Vec<MonthlyReturn> = (0..20).map(|k| month(k, 0.001 * f64::from(k) - 0.01)).collect();
        months.push(month(20, 1.8));
        // |values| sorted: 0, 0.001, 0.001, …, 0.009, 0.01, 1.8 (21 values); the 90th percentile
        // is the 19th: 0.009 → the 1% floor.
        assert_eq!(heat_scale(&months), 0.01);
        months.iter_mut().for_each(|m| m.value *= 10.0);
        assert!((heat_scale(&months) - 0.09).abs() < 1e-12);
        assert_eq!(heat_scale(&months[..3]), 0.1, "few months: the largest");
        assert_eq!(heat_scale(&[]), 0.01);
    }
}
