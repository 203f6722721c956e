//! The page of `rebt factor` (`factor.html`): one self-contained HTML document in the
//! tearsheet's look (its style sheet, inline SVG drawn with plotters through `chart_kit`, no
//! script, nothing fetched) showing whether a signal predicts the returns that follow it:
//! the summary of IC and rank IC per horizon (with the Newey–West t for overlapping horizons),
//! the mean return by quantile as a bar chart, the cumulative return of each quantile, the
//! daily IC over time with its moving average, the distribution of the daily IC, turnover,
//! rank autocorrelation and IC decay.
//!
//! [`render`] is a pure function of plain data ([`FactorPage`]); the caller (rebt-run's
//! factor driver) gathers the figures from the analysis.

use crate::chart_kit::{
    AXIS, DateAxis, DrawResult, GAIN, GRID, HistogramPanel, LOSS, Line, MUTED, TickedAxis, WIDTH, bin_edges,
    bin_shares, centred, colour, day_number, draw_lines, finite, finite_bounds, label_font, linear_axis,
    stacked_histograms, tick_decimals, trim_decimals,
};
use crate::page_frame;
use crate::tearsheet::DatasetHeader;
use crate::tearsheet::html::{STYLE, SYNTHETIC_BANNER, escape};
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write;

/// The daily IC, behind its moving average.
const LIGHT: RGBColor = RGBColor(185, 188, 192);

/// Days in the moving average drawn over the daily IC (about a trading month, as alphalens).
pub const IC_MOVING_AVERAGE: usize = 21;

/// The summary of a daily IC series as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IcView {
    /// Days with a value.
    pub days: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation (ddof = 1).
    pub std: Option<f64>,
    /// mean / std.
    pub ir: Option<f64>,
    /// Plain one-sample t.
    pub t_stat: Option<f64>,
    /// Newey–West t.
    pub newey_west_t_stat: Option<f64>,
    /// Its lag.
    pub newey_west_lag: usize,
}

/// One horizon's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHorizon {
    /// Its label, alphalens' column name: `5D`.
    pub label: String,
    /// The horizon in days.
    pub horizon: usize,
    /// Pearson IC per day of [`FactorPage::dates`].
    pub ic: Vec<Option<f64>>,
    /// Spearman rank IC per day.
    pub rank_ic: Vec<Option<f64>>,
    /// Summary of `ic`.
    pub ic_summary: IcView,
    /// Summary of `rank_ic`.
    pub rank_ic_summary: IcView,
    /// Mean `h`-day forward return per quantile, demeaned (lowest quantile first).
    pub quantile_demeaned: Vec<Option<f64>>,
    /// Its standard error per quantile.
    pub quantile_demeaned_std_error: Vec<Option<f64>>,
    /// Mean `h`-day forward return per quantile, raw.
    pub quantile_raw: Vec<Option<f64>>,
    /// Per quantile, the demeaned mean return of each day of [`FactorPage::dates`] (for the
    /// cumulative returns).
    pub quantile_demeaned_by_day: Vec<Vec<Option<f64>>>,
    /// Mean top − bottom spread of `h`-day returns.
    pub spread: Option<f64>,
    /// Its standard error.
    pub spread_std_error: Option<f64>,
    /// Mean turnover per quantile at period `h`.
    pub turnover: Vec<Option<f64>>,
    /// Mean factor rank autocorrelation at period `h`.
    pub rank_autocorrelation: Option<f64>,
}

/// Everything the factor page shows.
#[derive(Debug, Clone)]
pub struct FactorPage<'a> {
    /// Heading, e.g. `margin_flow (mode=zscore, window=5, z_window=60)`.
    pub title: &'a str,
    /// Where the prices came from; a synthetic dataset gets a banner.
    pub dataset: DatasetHeader<'a>,
    /// Settings shown in the header, as (term, value).
    pub settings: &'a [(String, String)],
    /// The days of the analysis (the panel's days from `--from` to `--to`).
    pub dates: &'a [NaiveDate],
    /// The number of quantiles.
    pub quantiles: usize,
    /// One entry per horizon, shortest first.
    pub horizons: &'a [PageHorizon],
    /// What a reader must know (shown in a list at the end).
    pub notes: &'a [String],
    /// The configuration, shown verbatim in a collapsed block.
    pub config_text: &'a str,
}

/// Why the page could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum FactorPageError {
    /// plotters failed on a chart.
    #[error("drawing the {chart} chart: {message}")]
    Chart {
        /// Which chart.
        chart: String,
        /// plotters' message.
        message: String,
    },
    /// The input is inconsistent.
    #[error("factor page: {0}")]
    Input(String),
}

/// Rules the tearsheet's style sheet does not have.
const EXTRA_STYLE: &str = r#"
.lead { margin: 0 0 12px; color: #424a53; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
h3 { margin-top: 18px; }
"#;

/// The page's HTML.
pub fn render(page: &FactorPage<'_>) -> Result<String, FactorPageError> {
    validate(page)?;
    let mut out = String::with_capacity(512 * 1024);
    let mut meta: Vec<(String, String, &str)> = page.settings.iter().map(|(k, v)| (escape(k), escape(v), "")).collect();
    meta.push(("Dataset".into(), escape(page.dataset.name), ""));
    meta.push(("Source".into(), escape(page.dataset.source), "mono"));
    meta.push(("Fingerprint".into(), escape(page.dataset.fingerprint), "mono"));
    let subtitle = format!(
        "Factor analysis · does the signal predict the returns that follow it? · rebt {}",
        env!("CARGO_PKG_VERSION")
    );
    page_frame::open(
        &mut out,
        &page_frame::Header {
            title: page.title,
            kind: "rebt factor",
            subtitle: &subtitle,
            styles: &[STYLE, EXTRA_STYLE],
            banner: page.dataset.synthetic.then_some(SYNTHETIC_BANNER),
            meta: &meta,
        },
    );

    summary_section(&mut out, page);
    returns_section(&mut out, page)?;
    ic_section(&mut out, page)?;
    turnover_section(&mut out, page);

    page_frame::close(&mut out, page.notes, "Configuration", page.config_text);
    Ok(out)
}

fn validate(page: &FactorPage<'_>) -> Result<(), FactorPageError> {
    let days = page.dates.len();
    if days == 0 {
        return Err(FactorPageError::Input("no day to show".into()));
    }
    if page.dates.windows(2).any(|w| w[0] >= w[1]) {
        return Err(FactorPageError::Input("dates must increase".into()));
    }
    if page.horizons.is_empty() {
        return Err(FactorPageError::Input("no horizon to show".into()));
    }
    for h in page.horizons {
        let per_quantile = [
            h.quantile_demeaned.len(),
            h.quantile_demeaned_std_error.len(),
            h.quantile_raw.len(),
            h.quantile_demeaned_by_day.len(),
            h.turnover.len(),
        ];
        if per_quantile.iter().any(|&n| n != page.quantiles) {
            return Err(FactorPageError::Input(format!(
                "horizon {}: every per-quantile figure needs {} values",
                h.label, page.quantiles
            )));
        }
        let per_day = [h.ic.len(), h.rank_ic.len()]
            .into_iter()
            .chain(h.quantile_demeaned_by_day.iter().map(Vec::len));
        if per_day.into_iter().any(|n| n != days) {
            return Err(FactorPageError::Input(format!(
                "horizon {}: every daily series needs one value per date ({days})",
                h.label
            )));
        }
    }
    Ok(())
}

/// A number with `decimals` decimals, `–` when undefined.
fn number(value: Option<f64>, decimals: usize) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or("–".to_string(), |v| format!("{v:.decimals$}"))
}

/// A fraction as a signed percent with `decimals` decimals.
fn percent(value: Option<f64>, decimals: usize) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or("–".to_string(), |v| format!("{:+.decimals$}%", v * 100.0))
}

/// A cell coloured by the sign of `value`.
fn signed_cell(value: Option<f64>, text: String) -> String {
    let class = match value {
        Some(v) if v > 0.0 => "num pos",
        Some(v) if v < 0.0 => "num neg",
        _ => "num",
    };
    format!("<td class=\"{class}\">{text}</td>")
}

/// The per-day rate of an `h`-day return, `(1 + r)^(1/h) − 1` (alphalens' `rate_of_return`),
/// so horizons can share an axis.
fn daily_rate(r: f64, h: usize) -> f64 {
    (1.0 + r).powf(1.0 / h as f64) - 1.0
}

fn summary_section(out: &mut String, page: &FactorPage<'_>) {
    out.push_str(
        "<section>\n<h2>Information coefficient</h2>\n<p class=\"lead\">Each day, the correlation between the \
         factor and the forward return that follows it, over the day's names: Pearson (IC) and Spearman (rank \
         IC). A factor with an edge has a mean IC away from zero day after day. The plain t treats days as \
         independent; consecutive h-day returns overlap by h − 1 days, so read the Newey–West t (lag h − 1) for \
         h &gt; 1.</p>\n<div class=\"scroll\">\n<table>\n<thead><tr><th></th>",
    );
    for h in page.horizons {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&h.label));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    type Row = (&'static str, fn(&PageHorizon) -> (Option<f64>, String));
    let rows: [Row; 14] = [
        ("IC mean", |h| (h.ic_summary.mean, number(h.ic_summary.mean, 4))),
        ("IC std", |h| (None, number(h.ic_summary.std, 4))),
        ("IR (mean / std)", |h| (h.ic_summary.ir, number(h.ic_summary.ir, 3))),
        ("t", |h| (h.ic_summary.t_stat, number(h.ic_summary.t_stat, 2))),
        ("Newey–West t", |h| {
            (
                h.ic_summary.newey_west_t_stat,
                format!(
                    "{} (lag {})",
                    number(h.ic_summary.newey_west_t_stat, 2),
                    h.ic_summary.newey_west_lag
                ),
            )
        }),
        ("Rank IC mean", |h| {
            (h.rank_ic_summary.mean, number(h.rank_ic_summary.mean, 4))
        }),
        ("Rank IC std", |h| (None, number(h.rank_ic_summary.std, 4))),
        ("Rank IR", |h| (h.rank_ic_summary.ir, number(h.rank_ic_summary.ir, 3))),
        ("Rank t", |h| {
            (h.rank_ic_summary.t_stat, number(h.rank_ic_summary.t_stat, 2))
        }),
        ("Rank Newey–West t", |h| {
            (
                h.rank_ic_summary.newey_west_t_stat,
                number(h.rank_ic_summary.newey_west_t_stat, 2),
            )
        }),
        ("Days with an IC", |h| (None, h.ic_summary.days.to_string())),
        ("Top − bottom spread (per period)", |h| {
            (h.spread, percent(h.spread, 3))
        }),
        ("Spread t (mean / std error)", |h| {
            let t = match (h.spread, h.spread_std_error) {
                (Some(m), Some(se)) if se > 0.0 => Some(m / se),
                _ => None,
            };
            (t, number(t, 2))
        }),
        ("Rank autocorrelation (lag h)", |h| {
            (None, number(h.rank_autocorrelation, 3))
        }),
    ];
    for (label, cell) in rows {
        let _ = write!(out, "<tr><td>{label}</td>");
        for h in page.horizons {
            let (value, text) = cell(h);
            out.push_str(&signed_cell(value, text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out.push_str("<h3>IC decay</h3>\n<table style=\"max-width: 640px\">\n<thead><tr><th>Horizon</th><th class=\"num\">Mean IC</th><th class=\"num\">Mean rank IC</th></tr></thead>\n<tbody>\n");
    for h in page.horizons {
        let _ = writeln!(
            out,
            "<tr><td>{}</td>{}{}</tr>",
            escape(&h.label),
            signed_cell(h.ic_summary.mean, number(h.ic_summary.mean, 4)),
            signed_cell(h.rank_ic_summary.mean, number(h.rank_ic_summary.mean, 4))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn returns_section(out: &mut String, page: &FactorPage<'_>) -> Result<(), FactorPageError> {
    out.push_str(
        "<section>\n<h2>Returns by quantile</h2>\n<p class=\"lead\">Each day the names are cut into equal-count \
         quantiles by factor value (1 = lowest). The mean forward return of each quantile, demeaned by the day's \
         mean over all names (what each quantile adds over holding them all), per day: an h-day mean r is shown \
         as (1 + r)<sup>1/h</sup> − 1, in basis points, so horizons share the axis. A factor that ranks well \
         climbs from quantile 1 to the top one.</p>\n",
    );
    legend(
        out,
        page.horizons
            .iter()
            .enumerate()
            .map(|(k, h)| (colour(k), h.label.clone())),
    );
    let svg = quantile_bars(page)?;
    let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
    out.push_str("<div class=\"scroll\">\n<table>\n<thead><tr><th>Quantile</th>");
    for h in page.horizons {
        let _ = write!(
            out,
            "<th class=\"num\">{0} demeaned</th><th class=\"num\">± std error</th><th class=\"num\">{0} raw</th>",
            escape(&h.label)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for q in 0..page.quantiles {
        let _ = write!(out, "<tr><td>{}</td>", q + 1);
        for h in page.horizons {
            let m = h.quantile_demeaned[q];
            let _ = write!(
                out,
                "{}<td class=\"num\">{}</td>{}",
                signed_cell(m, percent(m, 3)),
                number(h.quantile_demeaned_std_error[q].map(|v| v * 100.0), 3),
                signed_cell(h.quantile_raw[q], percent(h.quantile_raw[q], 3))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str(
        "</tbody>\n</table>\n</div>\n<p class=\"note\">Mean return over the whole h-day period, in percent; \
         the standard error (in percentage points) treats days as independent, which overlapping periods are not.</p>\n",
    );
    let first = &page.horizons[0];
    let _ = writeln!(
        out,
        "<h3>Cumulative return by quantile ({}, demeaned)</h3>",
        escape(&first.label)
    );
    let svg = cumulative_chart(page, first)?;
    let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
    let _ = writeln!(
        out,
        "<p class=\"note\">Each quantile's demeaned mean return compounded day by day{}; a day not analysed adds \
         nothing. Before costs: a quantile portfolio rebalanced every day would pay for its turnover.</p>",
        if first.horizon > 1 {
            format!(
                " ({} returns taken at their per-day rate, as alphalens does: overlapping periods, an approximation)",
                escape(&first.label)
            )
        } else {
            String::new()
        }
    );
    out.push_str("</section>\n");
    Ok(())
}

fn ic_section(out: &mut String, page: &FactorPage<'_>) -> Result<(), FactorPageError> {
    out.push_str("<section>\n<h2>IC over time</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"lead\">The daily IC (grey) and its {IC_MOVING_AVERAGE}-day moving average over the days with an IC.</p>"
    );
    for (k, h) in page.horizons.iter().enumerate() {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&h.label));
        let svg = ic_chart(page.dates, h, colour(k))?;
        let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
    }
    out.push_str("<h3>Distribution of the daily IC</h3>\n");
    let svg = ic_histograms(page.horizons)?;
    let _ = writeln!(
        out,
        "<div class=\"chart\">\n{svg}</div>\n<p class=\"note\">Share of days per bin, one panel per horizon over the \
         same bins; the dark line marks the mean.</p>\n</section>"
    );
    Ok(())
}

fn turnover_section(out: &mut String, page: &FactorPage<'_>) {
    out.push_str(
        "<section>\n<h2>Turnover</h2>\n<p class=\"lead\">Share of the names in a quantile that were not in it h days \
         before (a quantile portfolio rebalanced every h days trades this share of its names), and the \
         correlation of the factor's ranks with their ranks h days before.</p>\n<div class=\"scroll\">\n<table>\n\
         <thead><tr><th>Quantile</th>",
    );
    for h in page.horizons {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&h.label));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for q in 0..page.quantiles {
        let _ = write!(out, "<tr><td>{}</td>", q + 1);
        for h in page.horizons {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                h.turnover[q].map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("<tr><td>Rank autocorrelation</td>");
    for h in page.horizons {
        let _ = write!(out, "<td class=\"num\">{}</td>", number(h.rank_autocorrelation, 3));
    }
    out.push_str("</tr>\n</tbody>\n</table>\n</div>\n</section>\n");
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A row of colour swatches with their labels.
fn legend(out: &mut String, entries: impl Iterator<Item = (RGBColor, String)>) {
    out.push_str("<p class=\"note\">");
    for (c, label) in entries {
        let _ = write!(
            out,
            "<span class=\"swatch\" style=\"background:{}\"></span>{} &nbsp; ",
            hex(c),
            escape(&label)
        );
    }
    out.push_str("</p>\n");
}

/// Draw one of the page's charts, named `chart` for screen readers and in the error.
fn draw_svg(
    chart: &str,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<String, FactorPageError> {
    crate::chart_kit::draw_svg(chart, height, draw).map_err(|message| FactorPageError::Chart {
        chart: chart.to_string(),
        message,
    })
}

/// An empty frame with `message` in its middle, for a chart the data cannot fill.
fn message_chart(chart: &str, message: &str) -> Result<String, FactorPageError> {
    draw_svg(chart, 90, |root| {
        root.draw(&Text::new(
            message.to_string(),
            (WIDTH as i32 / 2, 45),
            centred(label_font().color(&MUTED)),
        ))
    })
}

/// The colour of quantile `q` (0-based) of `n`: from the loss red through grey to the gain
/// green, so the bottom and top quantiles stand out.
fn quantile_colour(q: usize, n: usize) -> RGBColor {
    let t = if n > 1 { q as f64 / (n - 1) as f64 } else { 1.0 };
    let (from, to, s) = if t < 0.5 {
        (LOSS, MUTED, t * 2.0)
    } else {
        (MUTED, GAIN, (t - 0.5) * 2.0)
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * s).round() as u8;
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

/// Mean demeaned return per quantile, one bar per horizon, as a per-day rate in bps.
fn quantile_bars(page: &FactorPage<'_>) -> Result<String, FactorPageError> {
    let chart = "quantile returns";
    let q = page.quantiles;
    let bars: Vec<Vec<Option<f64>>> = page
        .horizons
        .iter()
        .map(|h| {
            h.quantile_demeaned
                .iter()
                .map(|m| m.map(|r| daily_rate(r, h.horizon) * 1e4).filter(|v| v.is_finite()))
                .collect()
        })
        .collect();
    let Some((lo, hi)) = finite_bounds(bars.iter().flatten().flatten().copied()) else {
        return message_chart(chart, "No quantile has a mean return.");
    };
    let (y_lo, y_hi, y_ticks, y_step) = linear_axis(lo.min(0.0), hi.max(0.0), 0.08);
    let decimals = tick_decimals(y_step);
    let x_ticks: Vec<f64> = (1..=q).map(|k| k as f64).collect();
    let group = 0.8 / page.horizons.len() as f64;
    draw_svg(chart, 320, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(
                TickedAxis::new(0.5, q as f64 + 0.5, x_ticks.clone()),
                TickedAxis::new(y_lo, y_hi, y_ticks),
            )?;
        c.configure_mesh()
            .x_label_formatter(&|v| format!("Q{}", v.round() as i64))
            .y_label_formatter(&|v| format!("{} bps", trim_decimals(*v, decimals)))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        for (k, series) in bars.iter().enumerate() {
            let color = colour(k);
            c.draw_series(series.iter().enumerate().filter_map(|(quantile, v)| {
                let v = (*v)?;
                let left = quantile as f64 + 1.0 - 0.4 + group * k as f64;
                Some(Rectangle::new(
                    [(left + group * 0.08, 0.0), (left + group * 0.92, v)],
                    color.mix(0.85).filled(),
                ))
            }))?;
        }
        c.draw_series(std::iter::once(PathElement::new(
            vec![(0.5, 0.0), (q as f64 + 0.5, 0.0)],
            AXIS.stroke_width(1),
        )))?;
        Ok(())
    })
}

/// Cumulative demeaned return of each quantile over the days, from the per-day rates of
/// `horizon`.
fn cumulative_chart(page: &FactorPage<'_>, horizon: &PageHorizon) -> Result<String, FactorPageError> {
    let chart = "cumulative return by quantile";
    let axis = DateAxis::new(page.dates);
    let xs: Vec<i32> = page.dates.iter().copied().map(day_number).collect();
    let n = page.quantiles;
    let lines: Vec<Line> = horizon
        .quantile_demeaned_by_day
        .iter()
        .enumerate()
        .map(|(q, by_day)| {
            let mut growth = 1.0;
            let points = xs
                .iter()
                .zip(by_day)
                .map(|(&x, r)| {
                    if let Some(r) = r.filter(|r| r.is_finite()) {
                        growth *= 1.0 + daily_rate(r, horizon.horizon);
                    }
                    (x, (growth - 1.0) * 100.0)
                })
                .collect();
            Line {
                label: format!("Q{}", q + 1),
                color: quantile_colour(q, n),
                width: if q == 0 || q + 1 == n { 2 } else { 1 },
                points,
            }
        })
        .collect();
    let (lo, hi) = finite_bounds(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1))).unwrap_or((0.0, 0.0));
    let (y_lo, y_hi, y_ticks, y_step) = linear_axis(lo.min(0.0), hi.max(0.0), 0.05);
    let decimals = tick_decimals(y_step);
    draw_svg(chart, 360, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(axis.range(), TickedAxis::new(y_lo, y_hi, y_ticks))?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(axis.first, 0.0), (axis.last, 0.0)],
            AXIS.stroke_width(1),
        )))?;
        draw_lines(&mut c, &axis, &lines, &|v| format!("{}%", trim_decimals(*v, decimals)))
    })
}

/// The mean of the last `window` defined values at each day that has one.
fn moving_average(values: &[Option<f64>], window: usize) -> Vec<Option<f64>> {
    let mut recent: std::collections::VecDeque<f64> = std::collections::VecDeque::with_capacity(window);
    values
        .iter()
        .map(|v| {
            let v = v.filter(|v| v.is_finite())?;
            if recent.len() == window {
                recent.pop_front();
            }
            recent.push_back(v);
            (recent.len() == window).then(|| recent.iter().sum::<f64>() / window as f64)
        })
        .collect()
}

/// The daily IC and its moving average over the dates.
fn ic_chart(dates: &[NaiveDate], h: &PageHorizon, color: RGBColor) -> Result<String, FactorPageError> {
    let chart = format!("IC over time, {}", h.label);
    let Some((lo, hi)) = finite_bounds(h.ic.iter().flatten().copied()) else {
        return message_chart(&chart, "No day has an IC at this horizon.");
    };
    let axis = DateAxis::new(dates);
    let xs: Vec<i32> = dates.iter().copied().map(day_number).collect();
    let points = |values: &[Option<f64>]| -> Vec<(i32, f64)> {
        xs.iter()
            .zip(values)
            .map(|(&x, v)| (x, v.unwrap_or(f64::NAN)))
            .collect()
    };
    let lines = [
        Line {
            label: "daily IC".to_string(),
            color: LIGHT,
            width: 1,
            points: points(&h.ic),
        },
        Line {
            label: format!("{IC_MOVING_AVERAGE}-day mean"),
            color,
            width: 2,
            points: points(&moving_average(&h.ic, IC_MOVING_AVERAGE)),
        },
    ];
    let (y_lo, y_hi, y_ticks, y_step) = linear_axis(lo.min(0.0), hi.max(0.0), 0.05);
    let decimals = tick_decimals(y_step);
    draw_svg(&chart, 260, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(axis.range(), TickedAxis::new(y_lo, y_hi, y_ticks))?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(axis.first, 0.0), (axis.last, 0.0)],
            AXIS.stroke_width(1),
        )))?;
        draw_lines(&mut c, &axis, &lines, &|v| trim_decimals(*v, decimals.max(1)))
    })
}

/// One histogram of the daily IC per horizon, stacked, over the same bins.
fn ic_histograms(horizons: &[PageHorizon]) -> Result<String, FactorPageError> {
    let chart = "IC distribution";
    let shown: Vec<(usize, &PageHorizon, Vec<f64>)> = horizons
        .iter()
        .enumerate()
        .map(|(k, h)| (k, h, finite(&h.ic)))
        .filter(|(_, _, v)| !v.is_empty())
        .collect();
    let Some((lo, hi)) = finite_bounds(shown.iter().flat_map(|(_, _, v)| v.iter().copied())) else {
        return message_chart(chart, "No day has an IC.");
    };
    let edges = bin_edges(lo, hi);
    let panels: Vec<HistogramPanel> = shown
        .iter()
        .map(|(k, h, values)| {
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            HistogramPanel {
                shares: bin_shares(values, &edges),
                color: colour(*k),
                mean: Some(mean),
                median: None,
                label: format!(
                    "{}  ·  {} days  ·  mean IC {:+.4}  ·  share above 0: {:.1}%",
                    h.label,
                    values.len(),
                    mean,
                    values.iter().filter(|v| **v > 0.0).count() as f64 / values.len() as f64 * 100.0
                ),
            }
        })
        .collect();
    let panel_height = 150u32;
    let height = panel_height * shown.len() as u32 + 30;
    draw_svg(chart, height, |root| {
        stacked_histograms(
            root,
            &edges,
            &panels,
            panel_height,
            &|v, step| trim_decimals(v, tick_decimals(step)),
            &|v, step| format!("{}%", trim_decimals(v * 100.0, tick_decimals(step * 100.0))),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(k: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new(k)
    }

    fn horizon(label: &str, h: usize, days: usize) -> PageHorizon {
        let ic: Vec<Option<f64>> = (0..days)
            .map(|k| (k % 7 != 3).then(|| ((k as f64) * 0.7).sin() * 0.3))
            .collect();
        PageHorizon {
            label: label.into(),
            horizon: h,
            rank_ic: ic.clone(),
            ic,
            ic_summary: IcView {
                days: days - days / 7,
                mean: Some(0.021),
                std: Some(0.2),
                ir: Some(0.105),
                t_stat: Some(1.5),
                newey_west_t_stat: Some(1.1),
                newey_west_lag: h - 1,
            },
            rank_ic_summary: IcView::default(),
            quantile_demeaned: vec![Some(-0.004), None, Some(0.005)],
            quantile_demeaned_std_error: vec![Some(0.001), None, Some(0.001)],
            quantile_raw: vec![Some(0.001), None, Some(0.01)],
            quantile_demeaned_by_day: vec![vec![Some(-0.001); days], vec![None; days], vec![Some(0.002); days]],
            spread: Some(0.009),
            spread_std_error: Some(0.003),
            turnover: vec![Some(0.4), None, Some(0.35)],
            rank_autocorrelation: Some(0.8),
        }
    }

    fn page(dates: &[NaiveDate], horizons: &[PageHorizon], synthetic: bool) -> Result<String, FactorPageError> {
        let settings = vec![("Horizons".to_string(), "1D, 5D".to_string())];
        let notes = vec!["forward returns start at the next open".to_string()];
        render(&FactorPage {
            title: "margin_flow <zscore>",
            dataset: DatasetHeader {
                name: "test",
                source: "embedded",
                fingerprint: "sha256:00",
                synthetic,
            },
            settings: &settings,
            dates,
            quantiles: 3,
            horizons,
            notes: &notes,
            config_text: "quantiles = 3",
        })
    }

    #[test]
    fn the_page_is_self_contained_escaped_and_says_synthetic() {
        let dates: Vec<NaiveDate> = (0..60).map(d).collect();
        let horizons = [horizon("1D", 1, 60), horizon("5D", 5, 60)];
        let html = page(&dates, &horizons, true).expect("renders");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(SYNTHETIC_BANNER));
        assert!(html.contains("margin_flow &lt;zscore&gt;"));
        assert!(!html.contains("<zscore>"));
        // bars, cumulative, one IC chart per horizon, the histograms
        assert_eq!(html.matches("<svg ").count(), 5);
        assert!(html.contains("0.0210") && html.contains("1.10 (lag 0)") && html.contains("(lag 4)"));
        assert!(html.contains("+0.900%"), "the spread as a percent");
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<script"));
        assert!(
            !page(&dates, &horizons, false)
                .expect("renders")
                .contains(SYNTHETIC_BANNER)
        );
    }

    #[test]
    fn inconsistent_input_is_an_error() {
        let dates: Vec<NaiveDate> = (0..10).map(d).collect();
        let e = page(&dates, &[horizon("1D", 1, 9)], false).expect_err("short series");
        assert!(e.to_string().contains("one value per date (10)"), "{e}");
        let mut bad = horizon("1D", 1, 10);
        bad.turnover.pop();
        let e = page(&dates, &[bad], false).expect_err("short quantiles");
        assert!(e.to_string().contains("needs 3 values"), "{e}");
        assert!(page(&dates, &[], false).is_err());
    }

    #[test]
    fn days_without_an_ic_get_a_message() {
        let dates: Vec<NaiveDate> = (0..5).map(d).collect();
        let mut h = horizon("1D", 1, 5);
        h.ic = vec![None; 5];
        let html = page(&dates, &[h], false).expect("renders");
        assert!(html.contains("No day has an IC at this horizon."));
    }

    #[test]
    fn helpers_by_hand() {
        // (1 + 0.1025)^(1/2) − 1 = 0.05
        assert!((daily_rate(0.1025, 2) - 0.05).abs() < 1e-12);
        assert_eq!(
            moving_average(&[Some(1.0), None, Some(3.0), Some(5.0)], 2),
            vec![None, None, Some(2.0), Some(4.0)]
        );
        assert_eq!(quantile_colour(0, 5), LOSS);
        assert_eq!(quantile_colour(4, 5), GAIN);
        assert_eq!(quantile_colour(2, 5), MUTED);
    }
}
