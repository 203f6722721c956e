//! The `rebt` command line: `backtest`, `sweep` (and `sweep merge`), `walk-forward`,
//! `study phased`, `regress`, `factor`, `valuation`, `strategies` and `data` (`check`, `info`, `generate`,
//! `pack`, `import`).
//! Flags are parsed by clap (usage errors exit 2) and handed to `rebt-run`, which does the
//! work; the commands draw progress bars and print. Everything else that fails exits 1 with a
//! message naming the file, key or value at fault (`regress` has its own exit codes).

mod commands;
mod factor_cmd;
mod progress;
mod regress_cmd;
mod study_cmd;
mod sweep_cmd;
mod valuation_cmd;
mod walk_forward_cmd;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// rebt — backtesting for the rare-earth market (A-shares, HKEX, commodities).
#[derive(Debug, Parser)]
#[command(name = "rebt", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one backtest (default: sma_cross on the embedded sample dataset).
    Backtest(Box<BacktestArgs>),
    /// Run every combination of a parameter grid in parallel (resumable, shardable); `sweep
    /// merge` unions the shards.
    Sweep(Box<sweep_cmd::SweepCommand>),
    /// Walk-forward optimisation: choose on each training window, run on the next test window,
    /// stitch the out-of-sample equity.
    WalkForward(Box<walk_forward_cmd::WalkForwardArgs>),
    /// Research studies: `study phased` asks whether building in tranches beats buying at once.
    #[command(subcommand)]
    Study(study_cmd::StudyCommand),
    /// Run a suite of regression backtests against their blessed baselines (CI): exit 0 all
    /// pass, 1 drift, 2 a case cannot run; `--bless` rewrites the baselines.
    Regress(Box<regress_cmd::RegressArgs>),
    /// Does a signal predict returns? Evaluate a pipeline signal as a cross-sectional factor:
    /// IC and rank IC, quantile returns, turnover, IC decay (no backtest).
    Factor(Box<factor_cmd::FactorArgs>),
    /// The DCF read of one stock: each scenario's value per share from the fundamentals public
    /// on a day, the close against each, and the inputs (the dcf gate's computation).
    Valuation(Box<valuation_cmd::ValuationArgs>),
    /// List the built-in strategies and their parameters.
    Strategies,
    /// Inspect datasets.
    #[command(subcommand)]
    Data(DataCommand),
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Validate a dataset (a directory with bars.csv and optional manifest.toml, or a CSV file).
    Check {
        /// Dataset directory or bars file.
        path: PathBuf,
    },
    /// Describe a dataset: universe, date range, calendars, series, what is synthetic
    /// (default: the embedded dataset).
    Info {
        /// Dataset directory or bars file.
        path: Option<PathBuf>,
    },
    /// Regenerate a synthetic dataset with its seeded generator, or make a whole synthetic
    /// A-share market (`--market N --days D`) for scale work.
    Generate {
        /// `rare-earth` (the default dataset) or `sample`.
        #[arg(long, default_value = "rare-earth")]
        dataset: String,
        /// A whole synthetic market of N stocks (SSE main, STAR, SZSE main, ChiNext) and its
        /// index, instead of a named dataset; with --days (5000 × 5000 writes about 1.3 GB).
        #[arg(long, value_name = "N", requires = "days", conflicts_with = "dataset")]
        market: Option<usize>,
        /// Trading days of --market: the weekdays ending on 2025-12-31, at most 500000 (they
        /// start in the year 109; dates need four-digit years).
        #[arg(long, value_name = "D", requires = "market")]
        days: Option<usize>,
        /// Seed (default: the committed dataset's, or 2026 for --market).
        #[arg(long)]
        seed: Option<u64>,
        /// With --market: also write quarterly fundamentals (series.csv: operating cash flow,
        /// capex, net cash, shares) published with the reporting lags, for the DCF parts.
        #[arg(long, requires = "market")]
        fundamentals: bool,
        /// Output directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write a dataset's panel as a columnar cache that loads without parsing; `--data DIR`
    /// reads it wherever a dataset is accepted.
    Pack {
        /// Dataset directory or bars file.
        path: PathBuf,
        /// The packed directory (created; an earlier pack in it is replaced).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Convert vendor files into rebt's layout (bars.csv + manifest.toml, series.csv or actions.csv).
    Import(ImportArgs),
}

/// Flags of `rebt data import`.
#[derive(Debug, Args)]
struct ImportArgs {
    /// akshare | tushare | yahoo | long | series | tushare-dividend | akshare-dividend
    #[arg(long)]
    format: String,
    /// Input files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Symbol for single-symbol files whose name does not say it.
    #[arg(long)]
    symbol: Option<String>,
    /// Yahoo: `adjusted` (Adj Close, the default) or `raw`.
    #[arg(long, value_name = "adjusted|raw")]
    yahoo_close: Option<String>,
    /// Prices with an adj_factor column: `none` (keep raw), `forward` (qfq) or `backward` (hfq).
    #[arg(long, value_name = "none|forward|backward")]
    adjust: Option<String>,
}

/// Flags of `rebt backtest`.
#[derive(Debug, Args)]
struct BacktestArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Write the result document to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write every output into DIR: result.json, equity.csv, fills.csv, rejections.csv,
    /// corporate_actions.csv, targets.csv, notes.csv, positions.csv, trades.csv and report.html.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write the tables as Parquet into --out DIR (builds with the `parquet` feature).
    #[arg(long, requires = "out")]
    parquet: bool,
    /// Write the HTML tearsheet alone to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// The options that define a run, shared by `backtest`, `sweep`, `walk-forward` and `study`;
/// each overrides the same key of `--config`.
#[derive(Debug, Clone, Args)]
struct RunArgs {
    /// Dataset directory or bars CSV (default: the embedded rare-earth dataset).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Corporate actions CSV for a --data bars file (a dataset directory's own actions.csv
    /// is read without it).
    #[arg(long, value_name = "FILE")]
    actions: Option<PathBuf>,
    /// Built-in strategy (see `rebt strategies`).
    #[arg(long, value_name = "NAME")]
    strategy: Option<String>,
    /// Strategy parameter, e.g. `--set fast=5` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Run configuration file (TOML).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// First day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    #[command(flatten)]
    account: AccountArgs,
    /// Comma-separated symbols to trade (default: every tradable instrument).
    #[arg(long, value_name = "SYM,SYM", value_delimiter = ',')]
    universe: Option<Vec<String>>,
    /// Benchmark symbol for the comparison (default: the dataset's, e.g. 930598.CSI; `none`
    /// for none).
    #[arg(long, value_name = "SYMBOL")]
    benchmark: Option<String>,
}

/// How the account trades: starting cash, market rules, costs, slippage, volume cap. Each
/// overrides the same key of a config.
#[derive(Debug, Clone, Args)]
struct AccountArgs {
    /// Starting cash in the base currency.
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    cash: Option<f64>,
    /// Market rules: `auto` (lots, price limits, T+1 per instrument) or `none`.
    #[arg(long, value_name = "auto|none")]
    rules: Option<RulesArg>,
    /// Costs: `default` (date-aware schedules) or `zero`.
    #[arg(long, value_name = "default|zero")]
    costs: Option<CostsArg>,
    /// Slippage in basis points.
    #[arg(long, value_name = "BPS")]
    slippage_bps: Option<f64>,
    /// Cap each order at this fraction of the day's volume.
    #[arg(long, value_name = "FRACTION")]
    volume_cap: Option<f64>,
}

impl AccountArgs {
    /// The flags given, as overrides of a configuration.
    fn overrides(&self) -> rebt::run::config::Overrides {
        rebt::run::config::Overrides {
            cash: self.cash,
            rules: self.rules.map(|r| match r {
                RulesArg::Auto => rebt_core::RulesMode::Auto,
                RulesArg::None => rebt_core::RulesMode::None,
            }),
            costs: self.costs.map(|c| match c {
                CostsArg::Default => rebt_core::CostMode::Default,
                CostsArg::Zero => rebt_core::CostMode::Zero,
            }),
            slippage_bps: self.slippage_bps,
            volume_cap: self.volume_cap,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RulesArg {
    Auto,
    None,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CostsArg {
    Default,
    Zero,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Backtest(args) => commands::backtest(*args),
        Command::Sweep(args) => sweep_cmd::run(*args),
        Command::WalkForward(args) => walk_forward_cmd::run(*args),
        Command::Study(command) => study_cmd::run(command),
        // regress has its own exit codes (0 pass, 1 drift, 2 error)
        Command::Regress(args) => return regress_cmd::run(*args),
        Command::Factor(args) => factor_cmd::run(*args),
        Command::Valuation(args) => valuation_cmd::run(*args),
        Command::Strategies => commands::strategies(),
        Command::Data(DataCommand::Check { path }) => commands::data_check(&path),
        Command::Data(DataCommand::Info { path }) => commands::data_info(path.as_deref()),
        Command::Data(DataCommand::Pack { path, out }) => commands::data_pack(&path, &out),
        Command::Data(DataCommand::Generate {
            dataset,
            market,
            days,
            seed,
            fundamentals,
            out,
        }) => match (market, days) {
            (Some(stocks), Some(days)) => {
                let spec = rebt_data::MarketSpec {
                    stocks,
                    days,
                    seed: seed.unwrap_or(rebt_data::generate::MARKET_SEED),
                    fundamentals,
                };
                commands::data_generate_market(&spec, &out)
            }
            _ => commands::data_generate(&dataset, seed, &out),
        },
        Command::Data(DataCommand::Import(args)) => commands::data_import(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // a reader that stopped reading (`rebt strategies | head`) is not an error
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", error_line(&e));
            ExitCode::from(1)
        }
    }
}

/// An error and its causes as one line, `what: why: root cause`, each cause once: rebt's
/// error types put their cause in their own message and so do not return it from `source()`,
/// but an error of another crate (or an anyhow context repeating its cause) may do both, which
/// anyhow's `{:#}` would print twice.
fn error_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_line_names_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml");
        assert_eq!(super::error_line(&e), "cannot read x.toml: no such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml: no such file");
        assert_eq!(super::error_line(&e), "cannot read x.toml: no such file");
    }
}
