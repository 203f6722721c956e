//! The page of `rebt study phased` (`study.html`): one self-contained HTML document (inline
//! CSS and inline SVG, nothing fetched from the network) showing, for each part of the study
//! (every start date, resampled paths), the comparison of phased against lump sum, the
//! distribution tables, how often each approach was invested, histograms of terminal return,
//! maximum drawdown and entry price per approach, and, over start dates, each approach's
//! terminal return and the phased − lump sum difference.
//!
//! [`render`] is a pure function of plain data ([`StudyPage`]); the caller gathers the
//! figures. Charts are drawn with plotters' SVG backend in the style of the tearsheet's.

use crate::chart_kit::{
    AXIS, DrawResult, GAIN, GRID, HistogramPanel, LOSS, MUTED, TickedAxis, WIDTH, bin_edges, bin_shares, colour,
    finite, label_font, nice_ticks, percent_label, stacked_histograms, tick_decimals,
};
use crate::page_frame;
use crate::tearsheet::DatasetHeader;
use crate::tearsheet::html::escape;
use chrono::{Datelike, Months, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt::Write;

/// Everything the study page shows.
#[derive(Debug, Clone)]
pub struct StudyPage<'a> {
    /// Heading, e.g. `Phased building: phased_northern_relative vs lump_sum_northern`.
    pub title: &'a str,
    /// The question, shown under the heading.
    pub question: &'a str,
    /// Where the prices came from; a synthetic dataset gets a banner.
    pub dataset: DatasetHeader<'a>,
    /// Settings shown in the header, as (term, value).
    pub settings: &'a [(String, String)],
    /// The approaches in order (phased first, lump sum second).
    pub approaches: &'a [PageApproach],
    /// The parts of the study.
    pub parts: &'a [PagePart],
    /// What a reader must know (shown in a list at the end).
    pub notes: &'a [String],
    /// The study's settings and configurations, shown verbatim in a collapsed block.
    pub config_text: &'a str,
}

/// One approach.
#[derive(Debug, Clone, PartialEq)]
pub struct PageApproach {
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// What it trades.
    pub universe: String,
}

/// How a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A fraction as a signed percent (`+12.34%`).
    Percent,
    /// A plain number with three decimals (a Sharpe ratio).
    Number,
    /// A price with two decimals.
    Price,
}

impl Format {
    fn write(self, value: Option<f64>) -> String {
        match value.filter(|v| v.is_finite()) {
            None => "–".to_string(),
            Some(v) => match self {
                Format::Percent => format!("{:+.2}%", v * 100.0),
                Format::Number => format!("{v:.3}"),
                Format::Price => format!("{v:.2}"),
            },
        }
    }
}

/// One row of a distribution table: a figure of an approach over the runs of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionRow {
    /// The approach (or the benchmark).
    pub approach: String,
    /// The figure, e.g. `Terminal return`.
    pub figure: String,
    /// How to write it.
    pub format: Format,
    /// Runs defining it.
    pub n: usize,
    /// Runs where it is undefined.
    pub undefined: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

/// How often an approach was invested at the end, as shares of runs.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestedRow {
    /// The approach.
    pub approach: String,
    /// At least 95% of the lump sum's position.
    pub fully: f64,
    /// Some, but less.
    pub partly: f64,
    /// None.
    pub never: f64,
    /// The lump sum held nothing on that run.
    pub no_target: f64,
    /// Mean cost held at the end over the starting cash.
    pub mean_invested: Option<f64>,
}

/// Phased against lump sum over the runs of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonView {
    /// Runs paired.
    pub pairs: usize,
    /// Runs where phased ended higher.
    pub wins: usize,
    /// Share where phased ended higher.
    pub p_beats: f64,
    /// Its interval.
    pub p_beats_ci: Option<(f64, f64)>,
    /// Share of ties.
    pub p_tie: f64,
    /// Mean of phased − lump sum terminal return.
    pub mean_difference: f64,
    /// Its interval.
    pub mean_difference_ci: Option<(f64, f64)>,
    /// Median difference.
    pub median_difference: f64,
    /// Coverage of the intervals.
    pub confidence: f64,
    /// How the pairs were resampled, one sentence.
    pub method: String,
}

/// A labelled series of one figure over the runs (one value per run, `None` where undefined).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Approach name, or the benchmark's label.
    pub label: String,
    /// The values.
    pub values: Vec<Option<f64>>,
    /// True for the benchmark (drawn grey).
    pub benchmark: bool,
}

/// One part of the study.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePart {
    /// Heading, e.g. `Every start date`.
    pub title: String,
    /// One paragraph saying what was run.
    pub description: String,
    /// Phased against lump sum.
    pub comparison: Option<ComparisonView>,
    /// Distribution rows.
    pub rows: Vec<DistributionRow>,
    /// Invested at the end.
    pub invested: Vec<InvestedRow>,
    /// Terminal return per run, per approach (and the benchmark).
    pub terminal: Vec<Series>,
    /// Maximum drawdown per run.
    pub drawdown: Vec<Series>,
    /// Entry price against the start's close per run.
    pub entry: Vec<Series>,
    /// Start date of each run, for the parts whose runs have one each (rolling starts).
    pub start_dates: Option<Vec<NaiveDate>>,
}

/// Why the page could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum StudyPageError {
    /// plotters failed on a chart.
    #[error("drawing the {chart} chart: {message}")]
    Chart {
        /// Which chart.
        chart: String,
        /// plotters' message.
        message: String,
    },
    /// The input is inconsistent.
    #[error("study page: {0}")]
    Input(String),
}

/// The page's HTML.
pub fn render(page: &StudyPage<'_>) -> Result<String, StudyPageError> {
    let mut out = String::with_capacity(512 * 1024);
    let mut meta: Vec<(String, String, &str)> = vec![
        ("Dataset".into(), escape(page.dataset.name), ""),
        ("Source".into(), escape(page.dataset.source), "mono"),
        ("Fingerprint".into(), escape(page.dataset.fingerprint), "mono"),
    ];
    meta.extend(page.settings.iter().map(|(k, v)| (escape(k), escape(v), "")));
    page_frame::open(
        &mut out,
        &page_frame::Header {
            title: page.title,
            kind: "rebt study",
            subtitle: &escape(page.question),
            styles: &[STYLE],
            banner: page.dataset.synthetic.then_some(SYNTHETIC_BANNER),
            meta: &meta,
        },
    );
    approaches(&mut out, page.approaches);
    let names: Vec<&str> = page.approaches.iter().map(|a| a.name.as_str()).collect();
    for part in page.parts {
        part_section(&mut out, part, &names)?;
    }
    page_frame::close(&mut out, page.notes, "Settings and configurations", page.config_text);
    Ok(out)
}

/// The banner shown above everything when the prices are synthetic.
pub const SYNTHETIC_BANNER: &str =
    "Synthetic data — these prices are generated, not market history; resampled paths are synthetic by construction";

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 18px 0 8px; color: #424a53; }
.subtitle { color: #57606a; margin: 0 0 14px; }
.banner { margin: 14px 0; padding: 10px 16px; border: 1px solid #e3c04b; border-left: 6px solid #c99a00;
  border-radius: 6px; background: #fff5cc; color: #4d3a00; font-weight: 600; }
.meta { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px 28px; margin: 0; }
.meta .wide { grid-column: 1 / -1; }
.meta div { display: flex; gap: 10px; min-width: 0; }
.meta dt { color: #57606a; flex: 0 0 110px; }
.meta dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
section { margin: 18px 0; padding: 18px 22px; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; }
.lead { margin: 0 0 12px; color: #424a53; }
.verdict { margin: 0 0 14px; padding: 12px 16px; background: #f6f8fa; border-radius: 6px; }
.verdict strong { font-size: 17px; }
.chart svg { display: block; width: 100%; height: auto; }
.note { margin: 6px 0 0; color: #57606a; font-size: 13px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; color: #424a53; font-weight: 600; }
.num { text-align: right; }
.pos { color: #1a7f37; }
.neg { color: #c62a22; }
.scroll { overflow-x: auto; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
summary { cursor: pointer; font-weight: 600; }
pre { margin: 10px 0 0; padding: 12px 14px; background: #f6f8fa; border-radius: 6px; font-size: 13px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
footer { color: #6e7781; font-size: 13px; text-align: center; }
@media (max-width: 900px) { .meta { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  section { margin: 10px 0; padding: 0; border: none; }
  .banner { background: #fff; color: #000; border: 2px solid #000; }
  .chart, tr, .banner { break-inside: avoid; page-break-inside: avoid; }
  details::details-content { content-visibility: visible; display: block; }
}
"#;

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn signed_class(value: Option<f64>, format: Format) -> &'static str {
    match value {
        Some(v) if format == Format::Percent && v > 0.0 => "num pos",
        Some(v) if format == Format::Percent && v < 0.0 => "num neg",
        _ => "num",
    }
}

fn share(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn approaches(out: &mut String, approaches: &[PageApproach]) {
    out.push_str(
        "<section>\n<h2>Approaches</h2>\n<p class=\"lead\">The first is the phased approach and the second the lump sum it is \
         compared with, start by start and path by path; the others run alongside.</p>\n<div class=\"scroll\">\n<table>\n\
         <thead><tr><th>Approach</th><th>Trades</th><th>What it does</th></tr></thead>\n<tbody>\n",
    );
    for (k, a) in approaches.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td><td style=\"white-space:normal\">{}</td></tr>",
            hex(colour(k)),
            escape(&a.name),
            escape(&a.universe),
            escape(&a.description)
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn interval(ci: Option<(f64, f64)>, write: impl Fn(f64) -> String) -> String {
    ci.map_or("no interval".to_string(), |(lo, hi)| {
        format!("{} to {}", write(lo), write(hi))
    })
}

fn part_section(out: &mut String, part: &PagePart, names: &[&str]) -> Result<(), StudyPageError> {
    let _ = write!(
        out,
        "<section>\n<h2>{}</h2>\n<p class=\"lead\">{}</p>\n",
        escape(&part.title),
        escape(&part.description)
    );
    if let (Some(c), [phased, lump, ..]) = (&part.comparison, names) {
        let confidence = format!("{:.0}%", c.confidence * 100.0);
        let pct = |v: f64| format!("{:+.2}%", v * 100.0);
        let _ = writeln!(
            out,
            "<div class=\"verdict\"><strong>{phased} beat {lump} in {} of {} runs ({}).</strong> \
             {confidence} interval of that share: {}; ties {}.<br>\
             Mean terminal return of {phased} − {lump}: <strong>{}</strong> ({confidence} interval {}); median {}.\
             <p class=\"note\">{}</p></div>",
            c.wins,
            c.pairs,
            share(c.p_beats),
            interval(c.p_beats_ci, share),
            share(c.p_tie),
            pct(c.mean_difference),
            interval(c.mean_difference_ci, pct),
            pct(c.median_difference),
            escape(&c.method),
            phased = escape(phased),
            lump = escape(lump),
        );
    }
    out.push_str(
        "<h3>Distributions</h3>\n<div class=\"scroll\">\n<table>\n<thead><tr><th>Figure</th><th>Approach</th>\
         <th class=\"num\">Mean</th><th class=\"num\">Median</th><th class=\"num\">5th pct</th><th class=\"num\">95th pct</th>\
         <th class=\"num\">Runs</th><th class=\"num\">Undefined</th></tr></thead>\n<tbody>\n",
    );
    for r in &part.rows {
        let cell = |v: Option<f64>| format!("<td class=\"{}\">{}</td>", signed_class(v, r.format), r.format.write(v));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td>{}{}{}{}<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&r.figure),
            escape(&r.approach),
            cell(r.mean),
            cell(r.median),
            cell(r.p05),
            cell(r.p95),
            r.n,
            r.undefined
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out.push_str(
        "<h3>Invested at the end of the horizon</h3>\n<table style=\"max-width: 900px\">\n<thead><tr><th>Approach</th>\
         <th class=\"num\">Fully</th><th class=\"num\">Partly</th><th class=\"num\">Never</th><th class=\"num\">No target</th>\
         <th class=\"num\">Mean invested</th></tr></thead>\n<tbody>\n",
    );
    for r in &part.invested {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&r.approach),
            share(r.fully),
            share(r.partly),
            share(r.never),
            share(r.no_target),
            r.mean_invested.map_or("–".to_string(), share)
        );
    }
    out.push_str(
        "</tbody>\n</table>\n<p class=\"note\">Fully: holding at cost at least 95% of what the lump sum holds on the same run; \
         never: holding nothing; no target: the lump sum itself held nothing. Invested: cost of the positions held over the starting cash.</p>\n",
    );
    let id = |name: &str| format!("{name} ({})", part.title);
    let charts = [
        ("Terminal return", &part.terminal, "terminal return"),
        ("Maximum drawdown", &part.drawdown, "maximum drawdown"),
        ("Entry price against the start's close", &part.entry, "entry vs start"),
    ];
    for (heading, series, chart) in charts {
        let _ = writeln!(out, "<h3>{heading}</h3>");
        let svg = histograms(&id(chart), series)?;
        let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
    }
    out.push_str(
        "<p class=\"note\">One histogram per approach over the same bins, as shares of its runs; the dark line marks the mean, the dashed line the median.</p>\n",
    );
    if let Some(dates) = &part.start_dates {
        let lines: Vec<&Series> = part.terminal.iter().collect();
        out.push_str("<h3>Terminal return by start date</h3>\n<p class=\"note\">");
        for (k, s) in lines.iter().enumerate() {
            let c = if s.benchmark { MUTED } else { colour(k) };
            let _ = write!(
                out,
                "<span class=\"swatch\" style=\"background:{}\"></span>{} &nbsp; ",
                hex(c),
                escape(&s.label)
            );
        }
        out.push_str("</p>\n");
        let svg = by_start(&id("by start"), dates, &lines)?;
        let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
        if let [phased, lump, ..] = part.terminal.as_slice() {
            let difference: Vec<Option<f64>> = phased
                .values
                .iter()
                .zip(&lump.values)
                .map(|(a, b)| a.zip(*b).map(|(a, b)| a - b))
                .collect();
            let _ = writeln!(
                out,
                "<h3>{} − {} terminal return by start date</h3>",
                escape(&phased.label),
                escape(&lump.label)
            );
            let svg = difference_chart(&id("difference"), dates, &difference)?;
            let _ = writeln!(out, "<div class=\"chart\">\n{svg}</div>");
        }
    }
    out.push_str("</section>\n");
    Ok(())
}

/// Draw one of the page's charts ([`crate::chart_kit::draw_svg`]), named `chart` for screen
/// readers and in the error.
fn draw_svg(
    chart: &str,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<String, StudyPageError> {
    crate::chart_kit::draw_svg(chart, height, draw).map_err(|message| StudyPageError::Chart {
        chart: chart.to_string(),
        message,
    })
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// One histogram per series, stacked, over the same bins and axis.
fn histograms(chart: &str, series: &[Series]) -> Result<String, StudyPageError> {
    let shown: Vec<(usize, &Series, Vec<f64>)> = series
        .iter()
        .enumerate()
        .map(|(k, s)| (k, s, finite(&s.values)))
        .filter(|(_, _, v)| !v.is_empty())
        .collect();
    let all: Vec<f64> = shown.iter().flat_map(|(_, _, v)| v.iter().copied()).collect();
    let (Some(lo), Some(hi)) = (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) else {
        return draw_svg(chart, 90, |root| {
            root.draw(&Text::new(
                "No run defines this figure.",
                (WIDTH as i32 / 2, 45),
                label_font().color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            ))
        });
    };
    let edges = bin_edges(lo, hi);
    let panels: Vec<HistogramPanel> = shown
        .iter()
        .map(|(k, s, values)| {
            let (m, md) = (mean(values), median(values));
            HistogramPanel {
                shares: bin_shares(values, &edges),
                color: if s.benchmark { MUTED } else { colour(*k) },
                mean: m,
                median: md,
                label: format!(
                    "{}  ·  {} runs  ·  mean {}  ·  median {}",
                    s.label,
                    values.len(),
                    m.map_or("–".into(), |v| format!("{:+.2}%", v * 100.0)),
                    md.map_or("–".into(), |v| format!("{:+.2}%", v * 100.0)),
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
            &|v, step| percent_label(v, tick_decimals(step * 100.0)),
            &|v, step| percent_label(v, tick_decimals(step * 100.0)),
        )
    })
}

/// Day numbers of dates, for a numeric x axis.
fn day_number(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce())
}

/// Month-start ticks between `first` and `last` (at most about ten) and their label format.
fn date_ticks(first: NaiveDate, last: NaiveDate) -> (Vec<f64>, &'static str) {
    let months = (last - first).num_days().max(1) as f64 / 30.44;
    let step = [1u32, 2, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|s| months / f64::from(*s) <= 10.0)
        .unwrap_or(120);
    let mut ticks = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1);
    while let Some(start) = month {
        if start > last {
            break;
        }
        let index = start.year() * 12 + start.month0() as i32;
        if start >= first && index.rem_euclid(step as i32) == 0 {
            ticks.push(day_number(start));
        }
        month = start.checked_add_months(Months::new(1));
    }
    (ticks, if step >= 12 { "%Y" } else { "%b %Y" })
}

fn date_label(day: f64, format: &str) -> String {
    NaiveDate::from_num_days_from_ce_opt(day.round() as i32).map_or_else(String::new, |d| d.format(format).to_string())
}

/// The x range of a chart over `dates` (a lone date gets a day either side).
fn date_range(dates: &[NaiveDate]) -> Result<(f64, f64), StudyPageError> {
    match (dates.first(), dates.last()) {
        (Some(&f), Some(&l)) if f < l => Ok((day_number(f), day_number(l))),
        (Some(&f), Some(_)) => Ok((day_number(f) - 1.0, day_number(f) + 1.0)),
        _ => Err(StudyPageError::Input(
            "a chart over start dates needs at least one date".into(),
        )),
    }
}

/// Terminal return against start date, a line per series.
fn by_start(chart: &str, dates: &[NaiveDate], series: &[&Series]) -> Result<String, StudyPageError> {
    if series.iter().any(|s| s.values.len() != dates.len()) {
        return Err(StudyPageError::Input(format!(
            "{chart}: every series needs one value per start date ({})",
            dates.len()
        )));
    }
    let (x_lo, x_hi) = date_range(dates)?;
    let (first, last) = (dates[0], dates[dates.len() - 1]);
    let (x_ticks, format) = date_ticks(first, last);
    let all: Vec<f64> = series.iter().flat_map(|s| finite(&s.values)).collect();
    let lo = all.iter().copied().fold(0.0, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.05).max(0.01);
    let (y_lo, y_hi) = (lo - pad, hi + pad);
    let (y_ticks, y_step) = nice_ticks(y_lo, y_hi, 6);
    let decimals = tick_decimals(y_step * 100.0);
    let xs: Vec<f64> = dates.iter().copied().map(day_number).collect();
    draw_svg(chart, 420, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(
                TickedAxis::new(x_lo, x_hi, x_ticks.clone()),
                TickedAxis::new(y_lo, y_hi, y_ticks.clone()),
            )?;
        c.configure_mesh()
            .x_label_formatter(&|d| date_label(*d, format))
            .y_label_formatter(&|v| percent_label(*v, decimals))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(x_lo, 0.0), (x_hi, 0.0)],
            AXIS.stroke_width(1),
        )))?;
        for (k, s) in series.iter().enumerate() {
            let color = if s.benchmark { MUTED } else { colour(k) };
            let style = color.stroke_width(if s.benchmark { 1 } else { 2 });
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (&x, v) in xs.iter().zip(&s.values) {
                match v.filter(|v| v.is_finite()) {
                    Some(y) => runs.last_mut().map_or((), |r| r.push((x, y))),
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                c.draw_series(LineSeries::new(run, style))?;
            }
        }
        Ok(())
    })
}

/// The phased − lump sum difference per start date, as bars above (green) or below (red)
/// zero.
fn difference_chart(chart: &str, dates: &[NaiveDate], difference: &[Option<f64>]) -> Result<String, StudyPageError> {
    if difference.len() != dates.len() {
        return Err(StudyPageError::Input(format!(
            "{chart}: one difference per start date is needed"
        )));
    }
    let (x_lo, x_hi) = date_range(dates)?;
    let (x_ticks, format) = date_ticks(dates[0], dates[dates.len() - 1]);
    let values = finite(difference);
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.06).max(0.005);
    let (y_lo, y_hi) = (lo - pad, hi + pad);
    let (y_ticks, y_step) = nice_ticks(y_lo, y_hi, 5);
    let decimals = tick_decimals(y_step * 100.0);
    // each bar as wide as the gap to the next start
    let half = if dates.len() > 1 {
        (x_hi - x_lo) / (dates.len() - 1) as f64 / 2.0
    } else {
        0.5
    };
    draw_svg(chart, 260, |root| {
        let mut c = ChartBuilder::on(root)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(
                TickedAxis::new(x_lo - half, x_hi + half, x_ticks.clone()),
                TickedAxis::new(y_lo, y_hi, y_ticks.clone()),
            )?;
        c.configure_mesh()
            .x_label_formatter(&|d| date_label(*d, format))
            .y_label_formatter(&|v| percent_label(*v, decimals))
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_font())
            .draw()?;
        c.draw_series(dates.iter().zip(difference).filter_map(|(d, v)| {
            let v = v.filter(|v| v.is_finite())?;
            let x = day_number(*d);
            let color = if v >= 0.0 { GAIN } else { LOSS };
            Some(Rectangle::new(
                [(x - half, 0.0), (x + half, v)],
                color.mix(0.75).filled(),
            ))
        }))?;
        c.draw_series(std::iter::once(PathElement::new(
            vec![(x_lo - half, 0.0), (x_hi + half, 0.0)],
            AXIS.stroke_width(1),
        )))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart_kit::BINS;

    fn series(label: &str, values: Vec<Option<f64>>) -> Series {
        Series {
            label: label.into(),
            values,
            benchmark: false,
        }
    }

    fn page_with(parts: &[PagePart], synthetic: bool) -> String {
        let approaches = vec![
            PageApproach {
                name: "phased".into(),
                description: "three tranches <on dips>".into(),
                universe: "600111.SH".into(),
            },
            PageApproach {
                name: "lump".into(),
                description: "at once".into(),
                universe: "600111.SH".into(),
            },
        ];
        let settings = vec![("Horizon".to_string(), "60 days".to_string())];
        let notes = vec!["paths are price-only".to_string()];
        render(&StudyPage {
            title: "Phased & lump",
            question: "Does building in tranches beat buying at once?",
            dataset: DatasetHeader {
                name: "test",
                source: "embedded",
                fingerprint: "sha256:00",
                synthetic,
            },
            settings: &settings,
            approaches: &approaches,
            parts,
            notes: &notes,
            config_text: "horizon = 60",
        })
        .expect("renders")
    }

    fn part(dates: Option<Vec<NaiveDate>>) -> PagePart {
        let a = vec![Some(0.1), Some(-0.05), None, Some(0.2)];
        let b = vec![Some(0.05), Some(-0.1), Some(0.0), Some(0.3)];
        PagePart {
            title: "Every start date".into(),
            description: "4 starts".into(),
            comparison: Some(ComparisonView {
                pairs: 4,
                wins: 2,
                p_beats: 0.5,
                p_beats_ci: Some((0.25, 0.75)),
                p_tie: 0.0,
                mean_difference: 0.01,
                mean_difference_ci: None,
                median_difference: 0.02,
                confidence: 0.95,
                method: "blocks of 3".into(),
            }),
            rows: vec![DistributionRow {
                approach: "phased".into(),
                figure: "Terminal return".into(),
                format: Format::Percent,
                n: 3,
                undefined: 1,
                mean: Some(0.0833),
                median: Some(0.1),
                p05: Some(-0.04),
                p95: None,
            }],
            invested: vec![InvestedRow {
                approach: "phased".into(),
                fully: 0.75,
                partly: 0.25,
                never: 0.0,
                no_target: 0.0,
                mean_invested: Some(0.9),
            }],
            terminal: vec![series("phased", a.clone()), series("lump", b.clone())],
            drawdown: vec![series("phased", vec![None; 4]), series("lump", b)],
            entry: vec![series("phased", a), series("lump", vec![Some(0.01); 4])],
            start_dates: dates,
        }
    }

    #[test]
    fn the_page_is_self_contained_escaped_and_says_synthetic() {
        let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).expect("date");
        let html = page_with(&[part(Some(vec![d(1), d(2), d(3), d(4)]))], true);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(SYNTHETIC_BANNER));
        assert!(html.contains("Phased &amp; lump"));
        assert!(html.contains("three tranches &lt;on dips&gt;"));
        assert!(!html.contains("<on dips>"));
        // three histograms, the by-start lines and the difference bars
        assert_eq!(html.matches("<svg ").count(), 5, "charts");
        assert!(html.contains("phased beat lump in 2 of 4 runs (50.0%)"));
        assert!(html.contains("+8.33%"), "mean formatted as a percent");
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<script"));
        let plain = page_with(&[part(None)], false);
        assert!(!plain.contains(SYNTHETIC_BANNER));
        assert_eq!(
            plain.matches("<svg ").count(),
            3,
            "no chart over dates without start dates"
        );
    }

    #[test]
    fn a_figure_no_run_defines_gets_a_message() {
        let svg = histograms("empty", &[series("a", vec![None, None])]).expect("drawn");
        assert!(svg.contains("No run defines this figure."));
    }

    #[test]
    fn mismatched_series_are_an_error() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let e = by_start("x", &[d], &[&series("a", vec![Some(0.1), Some(0.2)])]).expect_err("lengths differ");
        assert!(e.to_string().contains("one value per start date"), "{e}");
    }

    #[test]
    fn bins_share_the_runs() {
        let edges = bin_edges(-0.1, 0.3);
        assert_eq!(edges.len(), BINS + 1);
        let shares = bin_shares(&[-0.1, 0.0, 0.3, 0.3], &edges);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(shares[0], 0.25);
        assert_eq!(shares[BINS - 1], 0.5, "the top edge falls in the last bin");
        assert_eq!(percent_label(-0.0001, 0), "0%");
        assert_eq!(percent_label(0.125, 1), "12.5%");
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
    }
}
