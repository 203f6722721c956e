//! The tearsheet rendered from realistic inputs: three years of a strategy against a
//! benchmark, and the awkward runs (no benchmark, a month, a bankrupt one, one day).
//!
//! The checks are structural: five inline SVG charts, nothing loaded from the network, every
//! input string escaped, the synthetic banner when and only when the data are synthetic.
//! Set `REBT_TEARSHEET_DIR` to a directory to also write the pages there and look at them.

use chrono::{Datelike, NaiveDate, Weekday};
use rebt_report::tearsheet::{
    BenchmarkCurve, DatasetHeader, DrawdownRow, MetricRow, MonthlyReturn, TearsheetError, TearsheetInput, TradeRow,
    YearlyReturn, render,
};

/// A deterministic stream of uniform numbers in [0, 1) (xorshift64*), so no RNG crate is needed.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0, sd 1 (sum of 12 uniforms).
    fn gauss(&mut self) -> f64 {
        (0..12).map(|_| self.next()).sum::<f64>() - 6.0
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn weekdays(from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    from.iter_days()
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .take(count)
        .collect()
}

/// Everything a caller would hand `render`, owned, so tests can bend one part at a time.
struct Run {
    title: String,
    config: String,
    synthetic: bool,
    source: String,
    starting_equity: f64,
    dates: Vec<NaiveDate>,
    equity: Vec<f64>,
    cash: Vec<f64>,
    exposure: Vec<f64>,
    benchmark: Option<(String, Vec<f64>)>,
    metrics: Vec<MetricRow>,
    drawdowns: Vec<DrawdownRow>,
    monthly: Vec<MonthlyReturn>,
    yearly: Vec<YearlyReturn>,
    trades: Vec<TradeRow>,
    rejections: Vec<(String, usize)>,
}

impl Run {
    /// `days` weekdays from 2021-01-04 of a strategy with drift `drift` per day.
    fn new(days: usize, drift: f64, seed: u64) -> Self {
        let starting_equity = 1_000_000.0;
        let dates = weekdays(date(2021, 1, 4), days);
        let mut noise = Noise(seed);
        let mut equity = Vec::with_capacity(days);
        let mut bench = Vec::with_capacity(days);
        let (mut e, mut b) = (starting_equity, starting_equity);
        for _ in 0..days {
            e *= 1.0 + drift + 0.012 * noise.gauss();
            b *= 1.0 + 0.0002 + 0.014 * noise.gauss();
            equity.push(e);
            bench.push(b);
        }
        let exposure: Vec<f64> = (0..days)
            .map(|k| (0.55 + 0.4 * ((k as f64) / 40.0).sin()).clamp(0.0, 1.0))
            .collect();
        let cash = equity.iter().zip(&exposure).map(|(e, x)| e * (1.0 - x)).collect();
        let mut run = Run {
            title: "sma_cross on rare-earth <A&B>".to_string(),
            config:
                "{\n  \"strategy\": \"sma_cross\",\n  \"note\": \"<script>alert('x')</script>\",\n  \"fast\": 10\n}"
                    .to_string(),
            synthetic: true,
            source: "embedded:sample".to_string(),
            starting_equity,
            dates,
            equity,
            cash,
            exposure,
            benchmark: Some(("000831.SH".to_string(), bench)),
            metrics: Vec::new(),
            drawdowns: Vec::new(),
            monthly: Vec::new(),
            yearly: Vec::new(),
            trades: Vec::new(),
            rejections: vec![
                ("limit_up".to_string(), 7),
                ("insufficient_cash".to_string(), 3),
                ("suspended <halt>".to_string(), 1),
            ],
        };
        run.derive_tables();
        run.trades = (0..12).map(|k| trade(&run.dates, k)).collect();
        run
    }

    /// Metrics, drawdowns, monthly and yearly returns computed from the curves, as the caller
    /// would.
    fn derive_tables(&mut self) {
        let period_returns = |values: &[f64], key: &dyn Fn(NaiveDate) -> (i32, u32)| {
            let mut out: Vec<((i32, u32), f64)> = Vec::new();
            let mut previous = self.starting_equity;
            for (k, d) in self.dates.iter().enumerate() {
                let last_of_period = self.dates.get(k + 1).is_none_or(|n| key(*n) != key(*d));
                if last_of_period {
                    out.push((key(*d), values[k] / previous - 1.0));
                    previous = values[k];
                }
            }
            out
        };
        let monthly = period_returns(&self.equity, &|d| (d.year(), d.month()));
        self.monthly = monthly
            .into_iter()
            .map(|((year, month), value)| MonthlyReturn { year, month, value })
            .collect();
        let yearly = period_returns(&self.equity, &|d| (d.year(), 0));
        let bench_yearly = self
            .benchmark
            .as_ref()
            .map(|(_, b)| period_returns(b, &|d| (d.year(), 0)));
        self.yearly = yearly
            .iter()
            .enumerate()
            .map(|(k, ((year, _), value))| YearlyReturn {
                year: *year,
                strategy: *value,
                benchmark: bench_yearly.as_ref().map(|b| b[k].1),
            })
            .collect();
        let total = self.equity.last().map_or(0.0, |e| e / self.starting_equity - 1.0);
        self.metrics = vec![
            MetricRow {
                label: "Total return".to_string(),
                strategy: format!("{:.2}%", total * 100.0),
                benchmark: Some("12.00%".to_string()),
            },
            MetricRow {
                label: "Sharpe <ann.>".to_string(),
                strategy: "0.81".to_string(),
                benchmark: Some("0.40".to_string()),
            },
            MetricRow {
                label: "Final equity".to_string(),
                strategy: format!("{:.2} CNY", self.equity.last().copied().unwrap_or(0.0)),
                benchmark: None,
            },
        ];
        self.drawdowns = top_drawdowns(&self.dates, self.starting_equity, &self.equity, 5);
    }

    fn input(&self) -> TearsheetInput<'_> {
        TearsheetInput {
            title: &self.title,
            strategy: "sma_cross",
            config_text: &self.config,
            dataset: DatasetHeader {
                name: "rare-earth",
                source: &self.source,
                fingerprint: "sha256:9f2c4e0a7d1b3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
                synthetic: self.synthetic,
            },
            base_currency: "CNY",
            starting_equity: self.starting_equity,
            dates: &self.dates,
            equity: &self.equity,
            cash: &self.cash,
            exposure: &self.exposure,
            benchmark: self
                .benchmark
                .as_ref()
                .map(|(symbol, equity)| BenchmarkCurve { symbol, equity }),
            metrics: &self.metrics,
            drawdowns: &self.drawdowns,
            monthly_returns: &self.monthly,
            yearly_returns: &self.yearly,
            trades: &self.trades,
            rejections_by_reason: &self.rejections,
        }
    }

    /// Render, and write the page to `$REBT_TEARSHEET_DIR/name.html` when that is set.
    fn render(&self, name: &str) -> String {
        let html = render(&self.input()).expect("the tearsheet renders");
        if let Some(dir) = std::env::var_os("REBT_TEARSHEET_DIR") {
            let path = std::path::Path::new(&dir).join(format!("{name}.html"));
            std::fs::write(&path, &html).expect("write the page for inspection");
        }
        html
    }
}

fn trade(dates: &[NaiveDate], k: usize) -> TradeRow {
    let symbols = ["600111.SH", "000831.SZ", "600392.SH", "0769.HK"];
    let entry = (k * 53) % dates.len();
    let exit = (entry + 17 + k * 3).min(dates.len() - 1);
    let open = k == 11;
    let entry_price = 10.0 + k as f64 * 1.7;
    let exit_price = entry_price * (1.0 + if k.is_multiple_of(3) { -0.06 } else { 0.09 });
    let shares = 1_000 + 100 * k as u64;
    let pnl = (exit_price - entry_price) * shares as f64;
    TradeRow {
        symbol: symbols[k % symbols.len()].to_string(),
        entry: dates[entry],
        exit: (!open).then(|| dates[exit]),
        shares,
        entry_price,
        exit_price: (!open).then_some(exit_price),
        pnl,
        return_pct: Some(exit_price / entry_price - 1.0),
        holding_days: Some((dates[exit] - dates[entry]).num_days()),
    }
}

/// The `count` deepest drawdowns, found directly from the curve.
fn top_drawdowns(dates: &[NaiveDate], start: f64, equity: &[f64], count: usize) -> Vec<DrawdownRow> {
    let mut found = Vec::new();
    let (mut peak, mut peak_day) = (start, 0);
    let mut trough: Option<(usize, f64)> = None;
    for (k, &e) in equity.iter().enumerate() {
        if e >= peak {
            if let Some((t, depth)) = trough.take() {
                found.push(DrawdownRow {
                    peak: dates[peak_day],
                    trough: dates[t],
                    recovery: Some(dates[k]),
                    depth,
                    days: k - peak_day,
                });
            }
            (peak, peak_day) = (e, k);
        } else {
            let depth = e / peak - 1.0;
            if trough.is_none_or(|(_, d)| depth < d) {
                trough = Some((k, depth));
            }
        }
    }
    if let Some((t, depth)) = trough {
        found.push(DrawdownRow {
            peak: dates[peak_day],
            trough: dates[t],
            recovery: None,
            depth,
            days: equity.len() - 1 - peak_day,
        });
    }
    found.sort_by(|a, b| a.depth.total_cmp(&b.depth));
    found.truncate(count);
    found
}

/// Structural checks every page must pass.
fn assert_self_contained(html: &str) {
    assert_eq!(html.matches("<svg").count(), 5, "five inline charts");
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "no script elements");
    let without_namespace = lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for forbidden in [
        "http://", "https://", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe",
    ] {
        assert!(
            !without_namespace.contains(forbidden),
            "page must not reference `{forbidden}`"
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(html.matches("<section>").count(), html.matches("</section>").count());
    assert_eq!(html.matches("<table").count(), html.matches("</table>").count());
    for svg in html.split("<svg").skip(1) {
        let open = &svg[..svg.find('>').expect("svg tag closes")];
        assert!(open.contains("viewBox=\"0 0 1200 "), "scalable chart: {open}");
    }
}

#[test]
fn three_year_run_renders_every_part() {
    let run = Run::new(780, 0.0005, 0x5eed);
    let html = run.render("three_years");
    assert_self_contained(&html);
    // Input strings arrive escaped, never as markup.
    assert!(html.contains("sma_cross on rare-earth &lt;A&amp;B&gt;"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("Sharpe &lt;ann.&gt;"));
    assert!(html.contains("suspended &lt;halt&gt;"));
    assert!(!html.contains("<A&B>"));
    // Header and tables.
    assert!(html.contains("Synthetic data — these prices are generated, not market history"));
    assert!(html.contains(&format!("rebt {}", env!("CARGO_PKG_VERSION"))));
    let period = format!(
        "<dt>Period</dt><dd class=\"\">{} – {}</dd>",
        run.dates[0], run.dates[779]
    );
    assert!(html.contains(&period), "period {period}");
    assert!(html.contains("<dt>Trading days</dt><dd class=\"\">780</dd>"));
    assert!(html.contains("Benchmark (000831.SH)"));
    assert!(html.contains("<details>"));
    assert_eq!(html.matches("<td>600111.SH</td>").count(), 3, "trades 0, 4 and 8");
    assert!(html.contains("<td>open</td>"), "the open trade");
    assert!(html.contains("<th class=\"num\">11</th>"), "rejections total 7 + 3 + 1");
    assert!(!html.contains("earlier ones are not listed"));
    // The charts drew their content: a heat-map cell per month and a rolling line.
    assert_eq!(run.monthly.len(), 36);
    let cell = format!(">\n{:+.1}\n</text>", run.monthly[0].value * 100.0);
    assert!(html.contains(&cell), "January 2021's heat-map label {cell}");
    assert!(!html.contains("needs 126 days"));
    assert!(!html.contains("axis is linear"));
}

#[test]
fn real_data_has_no_synthetic_banner() {
    let mut run = Run::new(300, 0.0004, 7);
    run.synthetic = false;
    run.source = "data/rare-earth/\"prices\".csv".to_string();
    let html = run.render("market_data");
    assert_self_contained(&html);
    assert!(!html.contains("Synthetic data"));
    assert!(html.contains("data/rare-earth/&quot;prices&quot;.csv"));
}

#[test]
fn run_without_benchmark_draws_one_line() {
    let mut run = Run::new(400, 0.0003, 11);
    run.benchmark = None;
    for y in &mut run.yearly {
        y.benchmark = None;
    }
    for m in &mut run.metrics {
        m.benchmark = None;
    }
    let html = run.render("no_benchmark");
    assert_self_contained(&html);
    assert!(html.contains("<dt>Benchmark</dt><dd class=\"\">none</dd>"));
    assert!(!html.contains("Benchmark ("), "no benchmark legend or column");
    assert!(!html.contains("Difference"), "no benchmark columns in the yearly table");
}

#[test]
fn month_long_run_explains_the_missing_rolling_sharpe() {
    let run = Run::new(30, 0.001, 3);
    let html = run.render("thirty_days");
    assert_self_contained(&html);
    assert!(html.contains("The rolling Sharpe ratio needs 126 days of returns; this run has 30."));
    assert_eq!(run.monthly.len(), 2);
}

#[test]
fn single_month_and_single_day_render() {
    let run = Run::new(15, 0.001, 5);
    assert_eq!(run.monthly.len(), 1);
    assert_self_contained(&run.render("single_month"));
    let run = Run::new(1, 0.001, 5);
    assert_self_contained(&run.render("single_day"));
}

#[test]
fn bankrupt_run_falls_back_to_a_linear_axis() {
    let mut run = Run::new(200, 0.0, 13);
    // Leveraged into a loss greater than the account: equity crosses zero and stays below.
    for k in 120..200 {
        run.equity[k] = 400_000.0 - 10_000.0 * (k - 119) as f64;
        run.exposure[k] = if run.equity[k] == 0.0 { f64::NAN } else { 1.6 };
        run.cash[k] = run.equity[k] * -0.6;
    }
    run.derive_tables();
    let html = run.render("bankrupt");
    assert_self_contained(&html);
    assert!(html.contains("where a log scale is impossible: this chart&#39;s value axis is linear."));
}

#[test]
fn many_trades_show_the_last_two_hundred() {
    let mut run = Run::new(500, 0.0004, 17);
    run.trades = (0..250).map(|k| trade(&run.dates, k)).collect();
    let html = run.render("many_trades");
    assert_self_contained(&html);
    assert!(html.contains("Showing the last 200 of 250 round trips; the 50 earlier ones are not listed."));
    let section = html
        .split("<h2>Trades</h2>")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a trades section");
    let trade_rows = section.matches("<tr><td>").count();
    assert_eq!(trade_rows, 200);
}

#[test]
fn bad_input_is_an_error_not_a_page() {
    let run = Run::new(60, 0.0005, 19);
    let check = |edit: &dyn Fn(&mut TearsheetInput), want: TearsheetError| {
        let mut input = run.input();
        edit(&mut input);
        assert_eq!(render(&input), Err(want));
    };
    check(
        &|i| i.equity = &i.equity[..59],
        TearsheetError::LengthMismatch {
            series: "equity",
            expected: 60,
            actual: 59,
        },
    );
    check(
        &|i| i.exposure = &i.exposure[1..],
        TearsheetError::LengthMismatch {
            series: "exposure",
            expected: 60,
            actual: 59,
        },
    );
    check(
        &|i| {
            if let Some(b) = i.benchmark.as_mut() {
                b.equity = &b.equity[..10];
            }
        },
        TearsheetError::LengthMismatch {
            series: "benchmark",
            expected: 60,
            actual: 10,
        },
    );
    check(
        &|i| {
            i.dates = &[];
            i.equity = &[];
            i.cash = &[];
            i.exposure = &[];
            i.benchmark = None;
        },
        TearsheetError::EmptyRun,
    );
    check(&|i| i.starting_equity = 0.0, TearsheetError::StartingEquity(0.0));

    let mut swapped = run.dates.clone();
    swapped.swap(3, 4);
    let mut input = run.input();
    input.dates = &swapped;
    assert_eq!(
        render(&input),
        Err(TearsheetError::UnorderedDates {
            previous: run.dates[4],
            date: run.dates[3],
        })
    );

    let mut equity = run.equity.clone();
    equity[7] = f64::NAN;
    let mut input = run.input();
    input.equity = &equity;
    let err = render(&input).expect_err("NaN equity");
    assert!(
        matches!(err, TearsheetError::NonFinite { series: "equity", date, .. } if date == run.dates[7]),
        "{err}"
    );

    let bad_month = [MonthlyReturn {
        year: 2021,
        month: 13,
        value: 0.01,
    }];
    let mut input = run.input();
    input.monthly_returns = &bad_month;
    assert_eq!(
        render(&input),
        Err(TearsheetError::InvalidMonth { year: 2021, month: 13 })
    );
}

#[test]
fn extreme_values_render_without_panicking() {
    let mut run = Run::new(300, 0.0, 23);
    run.equity[10] = 1e-200;
    run.equity[11] = 1e200;
    run.equity[12] = -1e250;
    run.exposure[20] = 1e300;
    run.exposure[21] = f64::INFINITY;
    run.cash[30] = -1e280;
    run.monthly[0].value = 1e6;
    if let Some((_, b)) = run.benchmark.as_mut() {
        b[5] = 1e-300;
    }
    let html = run.render("extreme");
    assert_self_contained(&html);
    assert!(html.contains("axis is linear"));
    // Equity that spans 400 orders of magnitude but stays positive keeps its log axis.
    run.equity[12] = 1.0;
    let html = run.render("extreme_log");
    assert_self_contained(&html);
    assert!(!html.contains("axis is linear"));
}
