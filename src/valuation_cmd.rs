//! `rebt valuation`: the flags of the DCF read of one stock; `rebt_run::valuation` gathers
//! the inputs, values them with the `dcf` gate's computation and writes the page printed
//! (`--json`: the document instead).

use anyhow::{Result, anyhow};
use clap::Args;
use rebt::run::config::parse_date;
use rebt::run::valuation::{CustomScenario, ValuationRequest, run_valuation};
use std::io::Write;
use std::path::PathBuf;

/// Flags of `rebt valuation`.
#[derive(Debug, Args)]
pub(crate) struct ValuationArgs {
    /// The stock, e.g. 600111.SH.
    symbol: String,
    /// Value from the fundamentals public on this day, YYYY-MM-DD (default: the last day of
    /// the data).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Dataset directory or bars CSV (default: the embedded rare-earth dataset).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Custom scenario: FCFF growth in the explicit years (others default to the base
    /// scenario's).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    growth: Option<f64>,
    /// Custom scenario: growth after the explicit years.
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    terminal_growth: Option<f64>,
    /// Custom scenario: discount rate.
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    discount_rate: Option<f64>,
    /// Custom scenario: explicit years (1 to 50).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    years: Option<i64>,
    /// Print the valuation as JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// `rebt valuation …`.
pub(crate) fn run(args: ValuationArgs) -> Result<()> {
    let as_of = args
        .as_of
        .as_deref()
        .map(parse_date)
        .transpose()
        .map_err(|e| anyhow!("--as-of: {e}"))?;
    let request = ValuationRequest {
        symbol: args.symbol.clone(),
        as_of,
        data: args.data.clone(),
        custom: CustomScenario {
            growth: args.growth,
            terminal_growth: args.terminal_growth,
            discount_rate: args.discount_rate,
            years: args.years,
        },
    };
    let valuation = run_valuation(&request)?;
    let text = if args.json {
        valuation.to_json()?
    } else {
        valuation.page()
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}
