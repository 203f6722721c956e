//! The tearsheet page: header, tables and the charts' SVG assembled into one HTML document
//! with inline CSS. Every string that comes from the input goes through [`escape`].

use std::fmt::Write;

use super::charts::{Chart, Charts};
use super::{DrawdownRow, MAX_TRADE_ROWS, ROLLING_SHARPE_WINDOW, TearsheetInput, TradeRow, YearlyReturn};

/// The banner shown above everything when the prices are synthetic.
pub(crate) const SYNTHETIC_BANNER: &str = "Synthetic data — these prices are generated, not market history";

/// The style sheet of the tearsheet, which the factor page shares.
pub(crate) const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 0 0 8px; color: #424a53; }
.subtitle { color: #57606a; margin: 0 0 14px; }
.banner { margin: 14px 0; padding: 10px 16px; border: 1px solid #e3c04b; border-left: 6px solid #c99a00;
  border-radius: 6px; background: #fff5cc; color: #4d3a00; font-weight: 600; }
.meta { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px 28px; margin: 0; }
.meta .wide { grid-column: 1 / -1; }
.meta div { display: flex; gap: 10px; min-width: 0; }
.meta dt { color: #57606a; flex: 0 0 96px; }
.meta dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
section { margin: 18px 0; padding: 18px 22px; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; }
.chart svg { display: block; width: 100%; height: auto; }
.chart + .chart, .chart + h3, .note + h3 { margin-top: 18px; }
.note { margin: 6px 0 0; color: #57606a; font-size: 13px; }
.columns { display: grid; grid-template-columns: 3fr 2fr; gap: 28px; align-items: start; }
table { width: 100%; border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; color: #424a53; font-weight: 600; }
.num { text-align: right; }
.pos { color: #1a7f37; }
.neg { color: #c62a22; }
.scroll { overflow-x: auto; }
summary { cursor: pointer; font-weight: 600; }
pre { margin: 10px 0 0; padding: 12px 14px; background: #f6f8fa; border-radius: 6px; font-size: 13px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
footer { color: #6e7781; font-size: 13px; text-align: center; }
@media (max-width: 900px) { .columns, .meta { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  section { margin: 10px 0; padding: 0; border: none; }
  .banner { background: #fff; color: #000; border: 2px solid #000; }
  th { background: #fff; }
  .chart, tr, .banner { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .scroll { overflow: visible; }
  /* Print the configuration even when its block is closed (browsers that support it). */
  details::details-content { content-visibility: visible; display: block; }
}
"#;

/// `text` safe to place in HTML text or a quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A fraction as a signed percent with two decimals: `0.1234` → `+12.34%`.
fn percent(value: f64) -> String {
    if value.is_finite() {
        format!("{:+.2}%", value * 100.0)
    } else {
        "–".to_string()
    }
}

/// The CSS class colouring a signed figure.
fn sign_class(value: f64) -> &'static str {
    if value > 0.0 {
        "num pos"
    } else if value < 0.0 {
        "num neg"
    } else {
        "num"
    }
}

/// A `<td>` with a signed percent.
fn percent_cell(value: f64) -> String {
    format!("<td class=\"{}\">{}</td>", sign_class(value), percent(value))
}

/// The whole page.
pub(super) fn page(input: &TearsheetInput, charts: &Charts) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let title = escape(input.title);
    // `write!` into a String cannot fail.
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"rebt {version}\">\n<title>{title} — rebt tearsheet</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    header(&mut out, input);
    performance(&mut out, input);
    chart_section(&mut out, "Equity", &charts.equity);
    out.push_str("<section>\n<h2>Drawdowns</h2>\n");
    chart_block(&mut out, &charts.underwater);
    out.push_str("<h3>Worst drawdowns</h3>\n");
    drawdowns(&mut out, input.drawdowns);
    out.push_str("</section>\n");
    chart_section(&mut out, "Monthly returns (%)", &charts.monthly);
    let rolling = format!("Rolling Sharpe ratio ({ROLLING_SHARPE_WINDOW} days, annualised)");
    chart_section(&mut out, &rolling, &charts.rolling_sharpe);
    chart_section(&mut out, "Exposure and cash", &charts.exposure);
    trades(&mut out, input.trades);
    rejections(&mut out, input.rejections_by_reason);
    let _ = write!(
        out,
        "<section>\n<details>\n<summary>Configuration</summary>\n<pre>{}</pre>\n</details>\n</section>\n",
        escape(input.config_text)
    );
    let _ = write!(
        out,
        "<footer>Generated by rebt {}. This file is self-contained: it loads nothing from the network.</footer>\n\
         </main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(out: &mut String, input: &TearsheetInput) {
    let d = &input.dataset;
    let (first, last) = match (input.dates.first(), input.dates.last()) {
        (Some(f), Some(l)) => (f.to_string(), l.to_string()),
        _ => (String::new(), String::new()),
    };
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"subtitle\">Backtest tearsheet · rebt {}</p>\n",
        escape(input.title),
        env!("CARGO_PKG_VERSION")
    );
    if d.synthetic {
        let _ = writeln!(out, "<div class=\"banner\" role=\"note\">{SYNTHETIC_BANNER}</div>");
    }
    let benchmark = input
        .benchmark
        .as_ref()
        .map_or("none".to_string(), |b| escape(b.symbol));
    let days = input.dates.len();
    // (term, value, class of the row, class of the value)
    let rows = [
        ("Strategy", escape(input.strategy), "", ""),
        ("Dataset", escape(d.name), "", ""),
        ("Benchmark", benchmark, "", ""),
        ("Period", format!("{first} – {last}"), "", ""),
        ("Trading days", days.to_string(), "", ""),
        ("Currency", escape(input.base_currency), "", ""),
        ("Source", escape(d.source), "wide", "mono"),
        ("Fingerprint", escape(d.fingerprint), "wide", "mono"),
    ];
    out.push_str("<dl class=\"meta\">\n");
    for (term, value, row_class, value_class) in rows {
        let _ = writeln!(
            out,
            "<div class=\"{row_class}\"><dt>{term}</dt><dd class=\"{value_class}\">{value}</dd></div>"
        );
    }
    out.push_str("</dl>\n</header>\n");
}

fn performance(out: &mut String, input: &TearsheetInput) {
    let with_benchmark = input.benchmark.is_some() || input.metrics.iter().any(|m| m.benchmark.is_some());
    let benchmark_head = input
        .benchmark
        .as_ref()
        .map_or("Benchmark".to_string(), |b| format!("Benchmark ({})", escape(b.symbol)));
    out.push_str("<section>\n<h2>Performance</h2>\n<div class=\"columns\">\n<div>\n<h3>Metrics</h3>\n");
    if input.metrics.is_empty() {
        out.push_str("<p class=\"note\">No metrics were given.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th>Metric</th><th class=\"num\">Strategy</th>");
        if with_benchmark {
            let _ = write!(out, "<th class=\"num\">{benchmark_head}</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for m in input.metrics {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td>",
                escape(&m.label),
                escape(&m.strategy)
            );
            if with_benchmark {
                let value = m.benchmark.as_deref().map_or("–".to_string(), escape);
                let _ = write!(out, "<td class=\"num\">{value}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</div>\n<div>\n<h3>Returns by year</h3>\n");
    yearly(out, input.yearly_returns, with_benchmark, &benchmark_head);
    out.push_str("</div>\n</div>\n</section>\n");
}

fn yearly(out: &mut String, years: &[YearlyReturn], with_benchmark: bool, benchmark_head: &str) {
    if years.is_empty() {
        out.push_str("<p class=\"note\">No yearly returns were given.</p>\n");
        return;
    }
    let with_benchmark = with_benchmark || years.iter().any(|y| y.benchmark.is_some());
    out.push_str("<table>\n<thead><tr><th>Year</th><th class=\"num\">Strategy</th>");
    if with_benchmark {
        let _ = write!(
            out,
            "<th class=\"num\">{benchmark_head}</th><th class=\"num\">Difference</th>"
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for y in years {
        let _ = write!(out, "<tr><td>{}</td>{}", y.year, percent_cell(y.strategy));
        if with_benchmark {
            match y.benchmark {
                Some(b) => {
                    let _ = write!(out, "{}{}", percent_cell(b), percent_cell(y.strategy - b));
                }
                None => out.push_str("<td class=\"num\">–</td><td class=\"num\">–</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn chart_block(out: &mut String, chart: &Chart) {
    let _ = writeln!(out, "<div class=\"chart\">\n{}</div>", chart.svg);
    if let Some(note) = &chart.note {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
}

fn chart_section(out: &mut String, heading: &str, chart: &Chart) {
    let _ = writeln!(out, "<section>\n<h2>{heading}</h2>");
    chart_block(out, chart);
    out.push_str("</section>\n");
}

fn drawdowns(out: &mut String, rows: &[DrawdownRow]) {
    if rows.is_empty() {
        out.push_str("<p class=\"note\">No drawdowns: equity never fell below a previous peak.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th class=\"num\">#</th><th>Peak</th><th>Trough</th><th>Recovery</th>\
         <th class=\"num\">Depth</th><th class=\"num\">Days</th></tr></thead>\n<tbody>\n",
    );
    for (k, d) in rows.iter().enumerate() {
        let recovery = d.recovery.map_or("not recovered".to_string(), |r| r.to_string());
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{recovery}</td>{}<td class=\"num\">{}</td></tr>",
            k + 1,
            d.peak,
            d.trough,
            percent_cell(d.depth),
            d.days
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn trades(out: &mut String, trades: &[TradeRow]) {
    out.push_str("<section>\n<h2>Trades</h2>\n");
    if trades.is_empty() {
        out.push_str("<p class=\"note\">No trades.</p>\n</section>\n");
        return;
    }
    let hidden = trades.len().saturating_sub(MAX_TRADE_ROWS);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">Showing the last {MAX_TRADE_ROWS} of {} round trips; the {hidden} earlier ones are not listed.</p>",
            trades.len()
        );
    }
    out.push_str(
        "<div class=\"scroll\">\n<table>\n<thead><tr><th>Symbol</th><th>Entry</th><th>Exit</th>\
         <th class=\"num\">Shares</th><th class=\"num\">Entry price</th><th class=\"num\">Exit price</th>\
         <th class=\"num\">P&amp;L</th><th class=\"num\">Return</th><th class=\"num\">Days</th></tr></thead>\n<tbody>\n",
    );
    for t in &trades[hidden..] {
        let exit = t.exit.map_or("open".to_string(), |d| d.to_string());
        let exit_price = t.exit_price.map_or("–".to_string(), |p| format!("{p:.2}"));
        let ret = t
            .return_pct
            .map_or("<td class=\"num\">–</td>".to_string(), percent_cell);
        let days = t.holding_days.map_or("–".to_string(), |d| d.to_string());
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{exit}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td>\
             <td class=\"num\">{exit_price}</td><td class=\"{}\">{:+.2}</td>{ret}<td class=\"num\">{days}</td></tr>",
            escape(&t.symbol),
            t.entry,
            t.shares,
            t.entry_price,
            sign_class(t.pnl),
            t.pnl
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn rejections(out: &mut String, by_reason: &[(String, usize)]) {
    out.push_str("<section>\n<h2>Rejected orders</h2>\n");
    if by_reason.is_empty() {
        out.push_str("<p class=\"note\">No orders were rejected.</p>\n</section>\n");
        return;
    }
    let total: usize = by_reason.iter().map(|(_, n)| n).sum();
    out.push_str(
        "<table style=\"max-width: 480px\">\n<thead><tr><th>Reason</th><th class=\"num\">Orders</th></tr></thead>\n<tbody>\n",
    );
    for (reason, count) in by_reason {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{count}</td></tr>",
            escape(reason)
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>Total</th><th class=\"num\">{total}</th></tr>\n</tbody>\n</table>\n</section>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        let cases = [
            ("plain", "plain"),
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
            ),
            ("a & b \"c\"", "a &amp; b &quot;c&quot;"),
            ("稀土 — ok", "稀土 — ok"),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want);
        }
    }

    #[test]
    fn percents_are_signed_and_coloured() {
        assert_eq!(percent(0.1234), "+12.34%");
        assert_eq!(percent(-0.05), "-5.00%");
        assert_eq!(percent(f64::NAN), "–");
        assert_eq!(percent_cell(-0.01), "<td class=\"num neg\">-1.00%</td>");
        assert_eq!(percent_cell(0.0), "<td class=\"num\">+0.00%</td>");
    }
}
