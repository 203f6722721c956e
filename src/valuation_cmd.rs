//! `rebt valuation`: the flags and the terminal page of the DCF read of one stock
//! (`rebt_run::valuation` gathers the inputs and values them with the `dcf` gate's
//! computation); `--json` prints the document instead.

use anyhow::{Result, anyhow};
use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::config::parse_date;
use rebt::run::valuation::{CustomScenario, Valuation, ValuationRequest, run_valuation};
use rebt::strategies::pipeline::dcf::{Reported, TtmFigure};
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
        page(&valuation)
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}

/// A number of currency units with thousands separators and no decimals: `-3,303,695,409`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn signed_percent(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{:+.1}%", v * 100.0))
}

fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// A reported figure's dates: `to 2025-09-30, published 2025-10-29`.
fn dated(r: &Reported) -> String {
    format!("to {}, published {}", r.period, r.published)
}

/// The rows of a TTM figure: the total, then the reports it was built from.
fn ttm_rows(table: &mut Table, label: &str, t: &TtmFigure) {
    table.add_row(vec![
        Cell::new(format!("{label}, TTM to {}", t.period)),
        right(grouped(t.value)),
    ]);
    match (&t.previous_year, &t.previous_same_period) {
        (Some(fy), Some(same)) => {
            for (sign, what, r) in [
                (" ", "year to date", &t.year_to_date),
                ("+", "previous year", fy),
                ("−", "year to date", same),
            ] {
                table.add_row(vec![
                    Cell::new(format!("  {sign} {what} {}", dated(r))),
                    right(grouped(r.value)),
                ]);
            }
        }
        _ => {
            table.add_row(vec![
                Cell::new(format!("  = the annual report {}", dated(&t.year_to_date))),
                right(grouped(t.year_to_date.value)),
            ]);
        }
    }
}

fn page(v: &Valuation) -> String {
    let mut text = format!(
        "rebt {} · valuation · {} {} · as of {} · {} [{}]\n",
        v.rebt_version, v.symbol, v.name, v.as_of, v.dataset.name, v.dataset.source
    );
    if v.dataset.synthetic {
        text.push_str("NOTE: synthetic data: these prices and fundamentals are generated, not real.\n");
    }
    let currency = serde_json::to_value(v.currency)
        .ok()
        .and_then(|c| c.as_str().map(String::from))
        .unwrap_or_default();
    text.push_str(&format!(
        "close {} {:.2} {currency} (raw) · FCFF DCF from the fundamentals public on {}, as the dcf gate values it\n",
        v.close.date, v.close.price, v.as_of
    ));
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "scenario",
        "growth",
        "years",
        "terminal growth",
        "discount rate",
        "value / share",
        "price vs value",
        "upside",
    ]);
    for s in &v.scenarios {
        let sc = &s.scenario;
        t.add_row(vec![
            Cell::new(&s.name),
            right(percent(sc.growth)),
            right(sc.years.to_string()),
            right(percent(sc.terminal_growth)),
            right(percent(sc.discount_rate)),
            right(s.value_per_share.map_or("–".to_string(), |x| format!("{x:.2}"))),
            right(signed_percent(s.premium)),
            right(signed_percent(s.upside)),
        ]);
    }
    text.push_str(&format!("{t}\n"));
    text.push_str(
        "price vs value = close / value − 1 (positive: priced above the value, \"overvalued\"); upside = value / close − 1\n",
    );
    let i = &v.inputs;
    let mut inputs = Table::new();
    inputs
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["input (public on the day)".to_string(), format!("{}", currency)]);
    ttm_rows(&mut inputs, "operating cash flow", &i.operating_cash_flow);
    ttm_rows(&mut inputs, "capex", &i.capex);
    inputs.add_row(vec![
        Cell::new("FCFF₀ = operating cash flow − capex"),
        right(grouped(i.fcff)),
    ]);
    inputs.add_row(vec![
        Cell::new(format!("net cash (cash less debt) {}", dated(&i.net_cash))),
        right(grouped(i.net_cash.value)),
    ]);
    inputs.add_row(vec![
        Cell::new(format!("shares outstanding {}", dated(&i.shares))),
        right(grouped(i.shares.value)),
    ]);
    text.push_str(&format!("{inputs}\n"));
    text.push_str(
        "value = (Σₖ FCFF₀(1+g)ᵏ/(1+r)ᵏ + FCFF₀(1+g)ᴺ(1+g_T)/(r−g_T)/(1+r)ᴺ + net cash) / shares, k = 1..N\n",
    );
    for note in &v.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers() {
        assert_eq!(grouped(-3_303_695_409.0), "-3,303,695,409");
        assert_eq!(grouped(328_773_356.4), "328,773,356");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(-0.2), "0");
        assert_eq!(signed_percent(Some(0.578)), "+57.8%");
        assert_eq!(signed_percent(Some(-0.366)), "-36.6%");
    }
}
