//! rebt-report: what a run leaves behind. The [`RunReport`] document (serialised as
//! `result.json`, its keys documented in the README and kept stable), the terminal summary
//! table, and the run's output files, written through rebt-fs (re-exported here) so a failed
//! run never leaves a half-written file.
#![deny(missing_docs)]

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_core::{BacktestResult, Cents, Panel, RejectionReason, Side};
use rebt_metrics::{
    DrawdownPeriod, Metric, Relative, Summary, SummarySettings, drawdown_periods, monthly_returns, yearly_returns,
};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
mod chart_kit;
pub mod factor_page;
mod page_frame;
pub mod study_page;
pub mod tearsheet;

pub use tearsheet::{DrawdownRow, MetricRow};

mod benchmark;
mod outputs;
mod trades;

pub use benchmark::{Benchmark, BenchmarkError};
pub use outputs::{
    CORPORATE_ACTION_COLUMNS, EQUITY_COLUMNS, FILL_COLUMNS, NOTE_COLUMNS, POSITION_COLUMNS, REJECTION_COLUMNS,
    TARGET_COLUMNS, TRADE_COLUMNS, to_csv,
};
/// Atomic writes live in rebt-fs (rebt-data writes files too); re-exported where a run's
/// outputs are written.
pub use rebt_fs::{CommitError, OutputFile, Staging, parent_of, remove_leftovers, write_atomic, write_dir};
pub use trades::{RoundTrip, TradeStats, round_trips};

/// Money serialised as a number of currency units with two decimals (1234.56).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money(pub Cents);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0.to_units_f64())
    }
}

/// Serialise cents as currency units, like [`Money`] (for `#[serde(serialize_with)]`).
pub(crate) fn cents_as_units<S: Serializer>(cents: &Cents, s: S) -> Result<S::Ok, S::Error> {
    Money(*cents).serialize(s)
}

/// Where the data came from.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    /// Dataset name from its manifest.
    pub name: String,
    /// A path, or `embedded:sample`.
    pub source: String,
    /// Content fingerprint (`sha256:…`).
    pub fingerprint: String,
    /// True when the prices are synthetic.
    pub synthetic: bool,
}

/// The `metrics` object: performance figures and counts.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// Performance figures (null where undefined).
    #[serde(flatten)]
    pub performance: Summary,
    /// Against the benchmark: alpha, beta, … (all null without one).
    #[serde(flatten)]
    pub relative: Relative,
    /// Trading statistics: round trips, win rate, turnover, exposure (null where undefined).
    #[serde(flatten)]
    pub trading: TradeStats,
    /// Number of fills.
    pub fills: usize,
    /// Number of rejections.
    pub rejections: usize,
    /// Commission paid.
    pub total_commission: Money,
    /// Stamp duty paid.
    pub total_taxes: Money,
    /// Exchange and regulator fees paid.
    pub total_fees: Money,
    /// Final equity.
    pub final_equity: f64,
}

/// One row of `equity`.
#[derive(Debug, Clone, Serialize)]
pub struct EquityRow {
    /// Trading day.
    pub date: chrono::NaiveDate,
    /// Equity in base-currency units.
    pub equity: f64,
    /// Cash in base-currency units.
    pub cash: Money,
    /// Value of the positions at the close, base-currency units.
    pub positions_value: f64,
    /// Dividends declared but not yet paid, less dividend tax not yet collected (base-currency
    /// units): `equity = cash + positions_value + receivable`.
    pub receivable: f64,
    /// `positions_value / equity`.
    pub exposure: f64,
    /// Fall of equity from its running peak (the starting cash counts as a peak), ≤ 0.
    pub drawdown: f64,
    /// The day's simple return of equity (the first day's is against the starting cash).
    pub r#return: f64,
    /// The starting cash held in the benchmark, when there is one.
    pub benchmark: Option<f64>,
}

/// A calendar month's or year's compounded return, in `monthly_returns` and `yearly_returns`.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodRow {
    /// Year.
    pub year: i32,
    /// Month 1–12 (absent for years).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// The strategy's return over the period.
    pub r#return: f64,
    /// The benchmark's over the same days, when there is one.
    pub benchmark: Option<f64>,
}

/// One row of `positions`: a holding at a day's close, as [`Positions::rows`] gives it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PositionRow<'a> {
    /// Trading day, serialised as `YYYY-MM-DD`.
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// Instrument.
    pub symbol: &'a str,
    /// Shares held.
    pub shares: u64,
    /// The close it is valued at (instrument currency).
    pub close: f64,
    /// Value in base-currency units.
    pub value: f64,
    /// `value / equity`.
    pub weight: f64,
}

/// Every holding at every close, the rows of `positions.csv`; serialises as the sequence of
/// its [`rows`](Positions::rows).
///
/// There is a row for every holding on every day, so a row keeps nothing that allocates or
/// counts references: its date is written as text only when it is serialised, and it names
/// its instrument by the place of the symbol in a table of the symbols held.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    symbols: Vec<String>,
    holdings: Vec<Holding>,
}

/// A [`PositionRow`] with its symbol's place in [`Positions::symbols`].
#[derive(Debug, Clone, Copy)]
struct Holding {
    date: chrono::NaiveDate,
    symbol: usize,
    shares: u64,
    close: f64,
    value: f64,
    weight: f64,
}

impl Positions {
    /// The holdings of a run, in its order (by day, then instrument).
    fn of(result: &BacktestResult, panel: &Panel) -> Self {
        // each held instrument's place in `symbols`, set at its first row
        let mut places: Vec<Option<usize>> = vec![None; panel.instruments().len()];
        let mut symbols = Vec::new();
        let holdings = result
            .holdings
            .iter()
            .map(|h| {
                let day = &result.daily[h.day as usize];
                let symbol = *places[h.instrument.get()].get_or_insert_with(|| {
                    symbols.push(panel.instrument(h.instrument).symbol.clone());
                    symbols.len() - 1
                });
                Holding {
                    date: day.date,
                    symbol,
                    shares: h.shares,
                    close: h.mark,
                    value: h.value,
                    weight: h.value / day.equity,
                }
            })
            .collect();
        Self { symbols, holdings }
    }

    /// The rows, in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = PositionRow<'_>> {
        self.holdings.iter().map(|h| PositionRow {
            date: h.date,
            symbol: &self.symbols[h.symbol],
            shares: h.shares,
            close: h.close,
            value: h.value,
            weight: h.weight,
        })
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.holdings.len()
    }

    /// True when nothing was ever held.
    pub fn is_empty(&self) -> bool {
        self.holdings.is_empty()
    }
}

impl Serialize for Positions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows())
    }
}

/// The `benchmark` object: what the benchmark did over the same days.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkReport {
    /// Its symbol.
    pub symbol: String,
    /// Its performance figures, under the same keys as the strategy's.
    pub metrics: Summary,
}

/// One row of `fills`.
#[derive(Debug, Clone, Serialize)]
pub struct FillRow {
    /// Trading day.
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// Instrument.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: Side,
    /// Shares.
    pub shares: u64,
    /// Price in the instrument's currency.
    pub price: f64,
    /// Value in the base currency.
    pub value: Money,
    /// Commission (base currency).
    pub commission: Money,
    /// Stamp duty (base currency).
    pub taxes: Money,
    /// Exchange and regulator fees (base currency).
    pub fees: Money,
    /// FX rate to the base currency (1 for base-currency instruments).
    pub fx: f64,
    /// `next_open` or `same_close`.
    pub timing: rebt_core::Timing,
}

/// One row of `rejections`.
#[derive(Debug, Clone, Serialize)]
pub struct RejectionRow {
    /// Trading day.
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// Instrument.
    pub symbol: String,
    /// `buy` or `sell`.
    pub side: Side,
    /// Shares not filled (0 when unknown).
    pub shares: u64,
    /// Reason, e.g. `limit_up`.
    pub reason: RejectionReason,
}

/// One row of `corporate_actions`: a posting to the account that is not a trade.
#[derive(Debug, Clone, Serialize)]
pub struct CorporateActionRow {
    /// The day it was posted.
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// Instrument.
    pub symbol: String,
    /// `bonus` (shares received on the ex-date), `dividend` (cash paid on the pay date, net
    /// of withholding), `dividend_tax` (collected the trading day after a sale) or
    /// `delisting`.
    pub kind: rebt_core::PostingKind,
    /// Shares received, entitled, sold or removed (negative).
    pub shares: i64,
    /// The change of cash (base currency).
    pub cash: Money,
    /// Tax withheld or collected in it (base currency).
    pub tax: Money,
}

/// One row of `targets`: the weight a strategy aimed for in one name at one decision (a
/// pipeline's allocator output at a rebalance), before lots, rules and execution.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    /// The day of the decision (orders from it fill at the next open).
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// Instrument.
    pub symbol: String,
    /// Target weight, a fraction of equity; 0 for a name the decision leaves.
    pub weight: f64,
}

/// One row of `notes`: a remark the strategy recorded about a decision.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRow {
    /// The day of the decision.
    #[serde(serialize_with = "serialize_iso_date")]
    pub date: chrono::NaiveDate,
    /// The remark.
    pub message: String,
}

/// The whole result of one run, as written to `result.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// rebt's version.
    pub rebt_version: String,
    /// The configuration the run used, every default filled in.
    pub config: serde_json::Value,
    /// The data.
    pub dataset: DatasetInfo,
    /// Currency of cash and equity.
    pub base_currency: String,
    /// Figures and counts.
    pub metrics: Metrics,
    /// The benchmark's figures, when the run has one.
    pub benchmark: Option<BenchmarkReport>,
    /// One row per trading day.
    pub equity: Vec<EquityRow>,
    /// Every fill.
    pub fills: Vec<FillRow>,
    /// Every rejection.
    pub rejections: Vec<RejectionRow>,
    /// Every corporate-action posting: bonus shares, dividends, dividend tax, delistings.
    pub corporate_actions: Vec<CorporateActionRow>,
    /// The target weights the strategy recorded at its decisions (empty for strategies that
    /// record none): `targets.csv`.
    pub targets: Vec<TargetRow>,
    /// The notes the strategy recorded (fallbacks taken, names left out): `notes.csv`.
    pub notes: Vec<NoteRow>,
    /// Shares held after the last day, by symbol (non-zero only).
    pub final_positions: BTreeMap<String, u64>,
    /// The five worst drawdowns, deepest first.
    pub drawdowns: Vec<DrawdownRow>,
    /// The strategy's (and benchmark's) return in each calendar month with trading days.
    pub monthly_returns: Vec<PeriodRow>,
    /// The same per calendar year.
    pub yearly_returns: Vec<PeriodRow>,
    /// Round trips, closed and open.
    pub round_trips: Vec<RoundTrip>,
    /// Every holding at every close: `positions.csv`, not part of `result.json` (it would be
    /// the largest part of it).
    #[serde(skip)]
    pub positions: Positions,
    /// The starting cash (base-currency units), the equity before the first day.
    #[serde(skip)]
    pub initial_cash: f64,
}

impl RunReport {
    /// Assemble the document from a run.
    pub fn new(
        result: &BacktestResult,
        panel: &Panel,
        config: serde_json::Value,
        dataset: DatasetInfo,
        settings: &SummarySettings,
        benchmark: Option<&Benchmark>,
    ) -> Self {
        let annualization = &settings.annualization;
        let symbol = |ix: rebt_core::InstrumentIx| panel.instrument(ix).symbol.clone();
        let returns = result.returns();
        let sum = |f: fn(&rebt_core::Fill) -> Cents| Money(result.fills.iter().map(f).sum());
        let trips = round_trips(result, panel);
        let dates: Vec<chrono::NaiveDate> = result.daily.iter().map(|d| d.date).collect();
        let trading = TradeStats::new(result, &trips, annualization.periods_per_year);
        let mut peak = result.initial_cash.to_units_f64();
        RunReport {
            rebt_version: env!("CARGO_PKG_VERSION").to_string(),
            config,
            dataset,
            base_currency: result.base_currency.code().to_string(),
            metrics: Metrics {
                performance: Summary::compute(&returns, settings),
                relative: benchmark.map_or_else(Relative::default, |b| {
                    Relative::compute(&returns, &b.returns, annualization)
                }),
                trading,
                fills: result.fills.len(),
                rejections: result.rejections.len(),
                total_commission: sum(|f| f.commission),
                total_taxes: sum(|f| f.taxes),
                total_fees: sum(|f| f.fees),
                final_equity: result
                    .daily
                    .last()
                    .map_or(result.initial_cash.to_units_f64(), |d| d.equity),
            },
            benchmark: benchmark.map(|b| BenchmarkReport {
                symbol: b.symbol.clone(),
                metrics: b.summary(settings),
            }),
            equity: result
                .daily
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    peak = peak.max(d.equity);
                    EquityRow {
                        date: d.date,
                        equity: d.equity,
                        cash: Money(d.cash),
                        positions_value: d.positions_value,
                        receivable: d.receivable,
                        exposure: d.positions_value / d.equity,
                        drawdown: d.equity / peak - 1.0,
                        r#return: returns[k],
                        benchmark: benchmark.map(|b| b.equity[k]),
                    }
                })
                .collect(),
            fills: result
                .fills
                .iter()
                .map(|f| FillRow {
                    date: f.date,
                    symbol: symbol(f.instrument),
                    side: f.side,
                    shares: f.shares,
                    price: f.price,
                    value: Money(f.value),
                    commission: Money(f.commission),
                    taxes: Money(f.taxes),
                    fees: Money(f.fees),
                    fx: f.fx,
                    timing: f.timing,
                })
                .collect(),
            rejections: result
                .rejections
                .iter()
                .map(|r| RejectionRow {
                    date: r.date,
                    symbol: symbol(r.instrument),
                    side: r.side,
                    shares: r.shares,
                    reason: r.reason,
                })
                .collect(),
            corporate_actions: result
                .corporate_actions
                .iter()
                .map(|p| CorporateActionRow {
                    date: p.date,
                    symbol: symbol(p.instrument),
                    kind: p.kind,
                    shares: p.shares,
                    cash: Money(p.cash),
                    tax: Money(p.tax),
                })
                .collect(),
            targets: result
                .targets
                .iter()
                .map(|t| TargetRow {
                    date: t.date,
                    symbol: symbol(t.instrument),
                    weight: t.weight,
                })
                .collect(),
            notes: result
                .notes
                .iter()
                .map(|n| NoteRow {
                    date: n.date,
                    message: n.message.clone(),
                })
                .collect(),
            final_positions: result
                .final_positions
                .iter()
                .enumerate()
                .filter(|(_, p)| p.shares > 0)
                .map(|(i, p)| (panel.instruments()[i].symbol.clone(), p.shares))
                .collect(),
            drawdowns: drawdown_rows(result, &returns),
            monthly_returns: period_rows(
                monthly_returns(&dates, &returns),
                benchmark.map(|b| b.monthly_returns(&dates)),
            ),
            yearly_returns: period_rows(
                yearly_returns(&dates, &returns),
                benchmark.map(|b| b.yearly_returns(&dates)),
            ),
            round_trips: trips,
            initial_cash: result.initial_cash.to_units_f64(),
            positions: Positions::of(result, panel),
        }
    }

    /// The document as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }

    /// The metrics as display rows: label, the strategy's value, the benchmark's (where the
    /// figure applies to it). Undefined values show as `–`. The terminal table and the
    /// tearsheet both show these.
    pub fn metric_rows(&self) -> Vec<MetricRow> {
        let pct = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{:.2}%", x * 100.0));
        let num = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.3}"));
        let range = |lo: Option<f64>, hi: Option<f64>, f: &dyn Fn(Option<f64>) -> String| match (lo, hi) {
            (Some(_), Some(_)) => format!("{} … {}", f(lo), f(hi)),
            _ => "–".to_string(),
        };
        let money = |c: Cents| format!("{:.2}", c.to_units_f64());
        let m = &self.metrics;
        let b = self.benchmark.as_ref().map(|b| &b.metrics);
        let row = |label: &str, strategy: String, bench: Option<String>| MetricRow {
            label: label.to_string(),
            strategy,
            benchmark: bench,
        };
        let both = |label: &str, f: &dyn Fn(&Summary) -> String| row(label, f(&m.performance), b.map(f));
        // the headline rows: label, format and value from rebt-metrics' registry
        let headline = |metric: Metric| {
            let read = metric.in_summary().expect("a summary metric");
            both(metric.label(), &|s| metric.format().show(read(s)))
        };
        let r = &m.relative;
        let t = &m.trading;
        vec![
            headline(Metric::TotalReturn),
            headline(Metric::Cagr),
            both("CAGR 95% CI", &|s| range(s.cagr_ci_low, s.cagr_ci_high, &pct)),
            headline(Metric::AnnualVolatility),
            headline(Metric::Sharpe),
            both("Sharpe 95% CI", &|s| range(s.sharpe_ci_low, s.sharpe_ci_high, &num)),
            both("Probabilistic Sharpe (PSR)", &|s| pct(s.psr)),
            both("Deflated Sharpe (DSR)", &|s| pct(s.dsr)),
            headline(Metric::Sortino),
            headline(Metric::Calmar),
            both("Omega", &|s| num(s.omega)),
            headline(Metric::MaxDrawdown),
            both("Longest drawdown (days)", &|s| {
                s.max_drawdown_duration.map_or("–".to_string(), |d| d.to_string())
            }),
            both("Skew", &|s| num(s.skew)),
            both("Excess kurtosis", &|s| num(s.kurtosis)),
            both("Tail ratio", &|s| num(s.tail_ratio)),
            both("Daily VaR 95%", &|s| pct(s.var_95)),
            both("Daily CVaR 95%", &|s| pct(s.cvar_95)),
            both("Daily VaR 99%", &|s| pct(s.var_99)),
            both("Daily CVaR 99%", &|s| pct(s.cvar_99)),
            both("Stability (R²)", &|s| num(s.stability)),
            row("Alpha (annual)", pct(r.alpha), None),
            row("Beta", num(r.beta), None),
            row("Correlation", num(r.correlation), None),
            row("Information ratio (daily)", num(r.information_ratio), None),
            row("Tracking error", pct(r.tracking_error), None),
            row("Up capture", num(r.up_capture), None),
            row("Down capture", num(r.down_capture), None),
            row(
                "Round trips (open)",
                format!("{} ({})", t.round_trips, t.open_trades),
                None,
            ),
            row("Win rate", pct(t.win_rate), None),
            row("Profit factor", num(t.profit_factor), None),
            row(
                "Average win / loss",
                format!(
                    "{} / {}",
                    t.average_win.map_or("–".to_string(), |v| format!("{v:.2}")),
                    t.average_loss.map_or("–".to_string(), |v| format!("{v:.2}"))
                ),
                None,
            ),
            row(
                "Average holding (days)",
                t.average_holding_days.map_or("–".to_string(), |d| format!("{d:.1}")),
                None,
            ),
            row("Turnover (annual)", num(t.turnover), None),
            row("Exposure (mean)", pct(t.exposure), None),
            row(
                Metric::FinalEquity.label(),
                format!(
                    "{} {}",
                    Metric::FinalEquity.format().show(Some(m.final_equity)),
                    self.base_currency
                ),
                None,
            ),
            row(Metric::Fills.label(), m.fills.to_string(), None),
            row(Metric::Rejections.label(), m.rejections.to_string(), None),
            row("Commission", money(m.total_commission.0), None),
            row("Taxes (stamp duty)", money(m.total_taxes.0), None),
            row("Fees (exchange, levies)", money(m.total_fees.0), None),
        ]
    }

    /// The terminal summary table: the metrics, with a benchmark column when there is one.
    pub fn summary_table(&self) -> Table {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        let bench = self.benchmark.as_ref().map(|b| b.symbol.clone());
        let mut header = vec!["Metric".to_string(), "Strategy".to_string()];
        header.extend(bench.iter().map(|s| format!("Benchmark {s}")));
        t.set_header(header);
        for row in self.metric_rows() {
            let mut cells = vec![
                Cell::new(row.label),
                Cell::new(row.strategy).set_alignment(CellAlignment::Right),
            ];
            if bench.is_some() {
                cells.push(Cell::new(row.benchmark.unwrap_or_default()).set_alignment(CellAlignment::Right));
            }
            t.add_row(cells);
        }
        t
    }

    /// The HTML tearsheet of this run; `strategy` describes the strategy in the heading.
    pub fn tearsheet(&self, strategy: &str) -> Result<String, tearsheet::TearsheetError> {
        use tearsheet::{BenchmarkCurve, DatasetHeader, MonthlyReturn, TearsheetInput, TradeRow, YearlyReturn};
        let column = |f: fn(&EquityRow) -> f64| self.equity.iter().map(f).collect::<Vec<f64>>();
        let dates: Vec<chrono::NaiveDate> = self.equity.iter().map(|e| e.date).collect();
        let (equity, cash, exposure) = (
            column(|e| e.equity),
            column(|e| e.cash.0.to_units_f64()),
            column(|e| e.exposure),
        );
        let benchmark_equity = column(|e| e.benchmark.unwrap_or(f64::NAN));
        let metrics = self.metric_rows();
        let monthly: Vec<MonthlyReturn> = self
            .monthly_returns
            .iter()
            .filter_map(|p| {
                p.month.map(|month| MonthlyReturn {
                    year: p.year,
                    month,
                    value: p.r#return,
                })
            })
            .collect();
        let yearly: Vec<YearlyReturn> = self
            .yearly_returns
            .iter()
            .map(|p| YearlyReturn {
                year: p.year,
                strategy: p.r#return,
                benchmark: p.benchmark,
            })
            .collect();
        let trades: Vec<TradeRow> = self.round_trips.iter().map(Into::into).collect();
        let rejections: Vec<(String, usize)> = self
            .rejections_by_reason()
            .into_iter()
            .map(|(reason, n)| (reason.as_str().to_string(), n))
            .collect();
        let config_text = serde_json::to_string_pretty(&self.config).unwrap_or_default();
        let title = format!("{strategy} on {}", self.dataset.name);
        tearsheet::render(&TearsheetInput {
            title: &title,
            strategy,
            config_text: &config_text,
            dataset: DatasetHeader {
                name: &self.dataset.name,
                source: &self.dataset.source,
                fingerprint: &self.dataset.fingerprint,
                synthetic: self.dataset.synthetic,
            },
            base_currency: &self.base_currency,
            starting_equity: self.initial_cash,
            dates: &dates,
            equity: &equity,
            cash: &cash,
            exposure: &exposure,
            benchmark: self.benchmark.as_ref().map(|b| BenchmarkCurve {
                symbol: &b.symbol,
                equity: &benchmark_equity,
            }),
            metrics: &metrics,
            drawdowns: &self.drawdowns,
            monthly_returns: &monthly,
            yearly_returns: &yearly,
            trades: &trades,
            rejections_by_reason: &rejections,
        })
    }

    /// Rejections counted by reason, most frequent first.
    pub fn rejections_by_reason(&self) -> Vec<(RejectionReason, usize)> {
        let mut counts: BTreeMap<RejectionReason, usize> = BTreeMap::new();
        for r in &self.rejections {
            *counts.entry(r.reason).or_default() += 1;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The worst [`TOP_DRAWDOWNS`] drawdowns, dated. Wealth index `k` is the close of day `k − 1`;
/// index 0, the starting cash, is dated the first day.
fn drawdown_rows(result: &BacktestResult, returns: &[f64]) -> Vec<DrawdownRow> {
    let date = |k: usize| result.daily[k.saturating_sub(1)].date;
    drawdown_periods(returns, TOP_DRAWDOWNS)
        .unwrap_or_default()
        .iter()
        .map(|d: &DrawdownPeriod| DrawdownRow {
            peak: date(d.peak),
            trough: date(d.trough),
            recovery: d.recovery.map(date),
            depth: d.depth,
            days: d.length,
        })
        .collect()
}

/// Serialise a date as the rows write it, `YYYY-MM-DD`: chrono's `to_string`, spelt out for
/// the years 0 to 9999 without allocating (chrono's formatter takes about a microsecond a
/// date, and a long run's `positions` has a row for every holding on every day); other years
/// go through chrono. For `#[serde(serialize_with)]`.
fn serialize_iso_date<S: Serializer>(date: &chrono::NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    match iso_date_text(date) {
        Some(text) => s.serialize_str(text.as_str()),
        None => s.collect_str(date),
    }
}

/// A date's `YYYY-MM-DD` text in a buffer on the stack, for the years 0 to 9999.
struct IsoDateText([u8; 10]);

impl IsoDateText {
    fn as_str(&self) -> &str {
        // ASCII digits and dashes, so always UTF-8
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The `YYYY-MM-DD` text of `date`, `None` for a year outside 0 to 9999.
fn iso_date_text(date: &chrono::NaiveDate) -> Option<IsoDateText> {
    use chrono::Datelike;
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (month, day) = (date.month(), date.day());
    let text = [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ];
    Some(IsoDateText(text))
}

/// How many drawdowns `drawdowns` lists.
pub const TOP_DRAWDOWNS: usize = 5;

/// Calendar-period returns of the strategy (`strategy`), with the benchmark's beside them.
fn period_rows(
    strategy: Option<Vec<rebt_metrics::PeriodReturn>>,
    benchmark: Option<Option<Vec<rebt_metrics::PeriodReturn>>>,
) -> Vec<PeriodRow> {
    let strategy = strategy.unwrap_or_default();
    let bench = benchmark.flatten().unwrap_or_default();
    strategy
        .iter()
        .enumerate()
        .map(|(i, p)| PeriodRow {
            year: p.year,
            month: p.month,
            r#return: p.value,
            // both series have the same dates, so the same periods in the same order
            benchmark: bench.get(i).map(|b| b.value),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `date` as the rows write it.
    fn iso_date(date: chrono::NaiveDate) -> String {
        let mut out = Vec::new();
        serialize_iso_date(&date, &mut serde_json::Serializer::new(&mut out)).expect("a date serialises");
        let quoted = String::from_utf8(out).expect("JSON is UTF-8");
        quoted.trim_matches('"').to_owned()
    }

    #[test]
    fn iso_dates_are_chronos() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        let mut date = day(1899, 12, 25);
        while date < day(2101, 1, 10) {
            assert_eq!(iso_date(date), date.to_string());
            date = date.succ_opt().expect("a next day");
        }
        for edge in [
            day(0, 1, 1),
            day(9, 2, 3),
            day(999, 12, 31),
            day(9999, 12, 31),
            day(-1, 12, 31),
            day(10000, 1, 1),
        ] {
            assert_eq!(iso_date(edge), edge.to_string());
        }
    }

    #[test]
    fn position_rows_serialise_their_date_and_symbol_as_text() -> Result<(), csv::Error> {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        let row = |date| PositionRow {
            date,
            symbol: "600111.SH",
            shares: 100,
            close: 12.5,
            value: 1250.0,
            weight: 0.25,
        };
        let rows = [row(day(2024, 1, 2)), row(day(999, 12, 31)), row(day(10000, 1, 1))];
        let text = String::from_utf8(to_csv(&rows, POSITION_COLUMNS)?).expect("utf-8");
        assert_eq!(
            text,
            "date,symbol,shares,close,value,weight\n\
             2024-01-02,600111.SH,100,12.5,1250.0,0.25\n\
             0999-12-31,600111.SH,100,12.5,1250.0,0.25\n\
             +10000-01-01,600111.SH,100,12.5,1250.0,0.25\n"
        );
        let json = serde_json::to_value(rows[0]).expect("json");
        assert_eq!(json["date"], "2024-01-02");
        assert_eq!(json["symbol"], "600111.SH");
        // the table serialises as its rows, each with its symbol from the table
        let holding = |date, symbol| Holding {
            date,
            symbol,
            shares: 100,
            close: 12.5,
            value: 1250.0,
            weight: 0.25,
        };
        let positions = Positions {
            symbols: vec!["600111.SH".into(), "0700.HK".into()],
            holdings: vec![
                holding(day(2024, 1, 2), 0),
                holding(day(2024, 1, 2), 1),
                holding(day(2024, 1, 3), 0),
            ],
        };
        let mut expected = rows[..1].to_vec();
        expected.push(PositionRow {
            symbol: "0700.HK",
            ..rows[0]
        });
        expected.push(PositionRow {
            date: day(2024, 1, 3),
            ..rows[0]
        });
        assert_eq!(
            serde_json::to_string(&positions).expect("json"),
            serde_json::to_string(&expected).expect("json")
        );
        assert_eq!(positions.len(), 3);
        Ok(())
    }

    #[test]
    fn money_serialises_as_units() {
        assert_eq!(serde_json::to_string(&Money(Cents(123_456))).expect("json"), "1234.56");
        assert_eq!(serde_json::to_string(&Money(Cents(500))).expect("json"), "5.0");
    }
}
