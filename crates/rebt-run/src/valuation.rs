//! `rebt valuation`: the analysts' DCF read of one stock on one day. From the point-in-time
//! fundamentals public that day (published on or before it; default the last day of the
//! data), each scenario's value per share (conservative, base, optimistic, and a custom one
//! when asked), the raw close, and the price against each value — with every input shown.
//!
//! It is the `dcf` gate's computation, not a copy: the inputs come from
//! [`DcfInputs::gather`] and the values from [`DcfInputs::value_per_share`], the two calls the
//! gate makes on its day's context; the close is the raw last close on or before the day, the
//! price the gate compares with. [`Valuation::page`] is the page `rebt valuation` prints.

use crate::error::RunError;
use crate::plan::{dataset_info, load_dataset};
use chrono::NaiveDate;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt_core::{Currency, Field};
use rebt_report::DatasetInfo;
use rebt_strategies::pipeline::dcf::{DCF_SERIES, DcfInputs, Reported, Scenario, TtmFigure};
use serde::Serialize;
use std::path::PathBuf;

/// The custom scenario's settings; each `None` takes the base scenario's figure (the `dcf`
/// gate's defaults for `scenario = "custom"`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CustomScenario {
    /// FCFF growth in the explicit years.
    pub growth: Option<f64>,
    /// Growth after them.
    pub terminal_growth: Option<f64>,
    /// Discount rate.
    pub discount_rate: Option<f64>,
    /// Explicit years.
    pub years: Option<i64>,
}

impl CustomScenario {
    /// True when any setting is given.
    pub fn is_given(&self) -> bool {
        self.growth.is_some() || self.terminal_growth.is_some() || self.discount_rate.is_some() || self.years.is_some()
    }

    /// The scenario, checked as the gate checks `scenario = "custom"`.
    pub fn scenario(&self) -> Result<Scenario, RunError> {
        let base = Scenario::BASE;
        Scenario::custom(
            self.growth.unwrap_or(base.growth),
            self.terminal_growth.unwrap_or(base.terminal_growth),
            self.discount_rate.unwrap_or(base.discount_rate),
            self.years.unwrap_or(i64::from(base.years)),
        )
        .map_err(|e| {
            RunError::Invalid(format!(
                "custom scenario: --{} {}",
                e.parameter.replace('_', "-"),
                e.message.replace("terminal_growth", "--terminal-growth")
            ))
        })
    }
}

/// What to value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValuationRequest {
    /// The stock, e.g. `600111.SH`.
    pub symbol: String,
    /// The day whose public figures are used (default: the last day of the data).
    pub as_of: Option<NaiveDate>,
    /// Dataset directory or bars file (default: the embedded dataset).
    pub data: Option<PathBuf>,
    /// A custom scenario beside the three named ones, when any setting is given.
    pub custom: CustomScenario,
}

/// The close a value is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Close {
    /// The day of the close: the valuation day, or the last day before it the stock traded.
    pub date: NaiveDate,
    /// The raw close, in the instrument's currency.
    pub price: f64,
}

/// One scenario's value and the price against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioValue {
    /// `conservative`, `base`, `optimistic` or `custom`.
    pub name: String,
    /// Its growth, terminal growth, discount rate and years.
    pub scenario: Scenario,
    /// Intrinsic value per share; `null` when FCFF is not positive.
    pub value_per_share: Option<f64>,
    /// close / value − 1: positive = the price is above the value ("57.8% overvalued").
    pub premium: Option<f64>,
    /// value / close − 1: positive = the value is above the price ("124.9% upside").
    pub upside: Option<f64>,
}

/// A DCF read: what `rebt valuation` prints and `--json` writes.
#[derive(Debug, Clone, Serialize)]
pub struct Valuation {
    /// Version of rebt that computed it.
    pub rebt_version: &'static str,
    /// Where the data came from.
    pub dataset: DatasetInfo,
    /// The stock.
    pub symbol: String,
    /// Its name, from the manifest (empty when none).
    pub name: String,
    /// The currency of its prices.
    pub currency: Currency,
    /// The day whose public figures are used.
    pub as_of: NaiveDate,
    /// The raw close compared with the values.
    pub close: Close,
    /// The inputs and how each was built.
    pub inputs: DcfInputs,
    /// Conservative, base, optimistic, then custom when asked.
    pub scenarios: Vec<ScenarioValue>,
    /// What a reader must know (FCFF not positive, a stale close, synthetic data).
    pub notes: Vec<String>,
}

/// Value `request.symbol` as of `request.as_of` (see the module documentation).
pub fn run_valuation(request: &ValuationRequest) -> Result<Valuation, RunError> {
    let custom = request
        .custom
        .is_given()
        .then(|| request.custom.scenario())
        .transpose()?;
    let dataset = load_dataset(request.data.as_deref())?;
    let panel = &dataset.panel;
    let dates = panel.dates();
    let (first, last) = match (dates.first(), dates.last()) {
        (Some(&f), Some(&l)) => (f, l),
        _ => return Err(RunError::Invalid("the dataset has no trading day".into())),
    };
    let with_fundamentals = || {
        let symbols: Vec<&str> = panel
            .instruments()
            .iter()
            .map(|i| i.symbol.as_str())
            .filter(|s| panel.alt_data().get(&format!("operating_cash_flow:{s}")).is_some())
            .collect();
        match symbols.is_empty() {
            true => "none".to_string(),
            false => symbols.join(", "),
        }
    };
    let ix = panel.find(&request.symbol).ok_or_else(|| {
        RunError::Invalid(format!(
            "unknown symbol `{}`; instruments with fundamentals in {}: {}",
            request.symbol,
            dataset.manifest.name,
            with_fundamentals()
        ))
    })?;
    if let Some(name) = DCF_SERIES
        .iter()
        .map(|f| format!("{f}:{}", request.symbol))
        .find(|name| panel.alt_data().get(name).is_none())
    {
        return Err(RunError::Invalid(format!(
            "{} has no fundamentals to value (the dataset has no `{name}` series); instruments with fundamentals: {}",
            request.symbol,
            with_fundamentals()
        )));
    }
    let as_of = request.as_of.unwrap_or(last);
    if as_of < first || as_of > last {
        return Err(RunError::Invalid(format!(
            "--as-of {as_of} is outside the data ({first} → {last})"
        )));
    }
    // the gate's price: the raw close of the day, else the last one before it
    let day = dates.partition_point(|d| *d <= as_of) - 1;
    let closes = panel.series(ix, Field::Close);
    let close = (0..=day)
        .rev()
        .find(|&d| closes[d].is_finite())
        .map(|d| Close {
            date: dates[d],
            price: closes[d],
        })
        .ok_or_else(|| RunError::Invalid(format!("{} has no close on or before {as_of}", request.symbol)))?;
    let known = |name: &str| panel.alt_data().get(name).map_or(&[][..], |s| s.known_on(as_of));
    let inputs = DcfInputs::gather(&request.symbol, known)
        .map_err(|e| RunError::Invalid(format!("{} on {as_of}: {e}", request.symbol)))?;

    let mut named: Vec<(String, Scenario)> = Scenario::NAMED.iter().map(|(n, s)| (n.to_string(), *s)).collect();
    named.extend(custom.map(|s| ("custom".to_string(), s)));
    let scenarios = named
        .into_iter()
        .map(|(name, scenario)| {
            let value = inputs.value_per_share(&scenario);
            ScenarioValue {
                name,
                scenario,
                value_per_share: value,
                premium: value.filter(|v| *v > 0.0).map(|v| close.price / v - 1.0),
                upside: value.map(|v| v / close.price - 1.0),
            }
        })
        .collect();

    let mut notes = Vec::new();
    if inputs.fcff <= 0.0 {
        notes.push(format!(
            "TTM free cash flow is not positive ({:.0}): a DCF gives no value, and the dcf gate blocks entries",
            inputs.fcff
        ));
    }
    if inputs.net_cash.value < 0.0 {
        notes.push("net cash is negative (net debt): it is subtracted from the enterprise value".to_string());
    }
    if close.date != as_of {
        notes.push(format!(
            "{} did not trade on {as_of}: the close is the last one before it, {}",
            request.symbol, close.date
        ));
    }
    let instrument = panel.instrument(ix);
    Ok(Valuation {
        rebt_version: env!("CARGO_PKG_VERSION"),
        dataset: dataset_info(&dataset),
        symbol: instrument.symbol.clone(),
        name: instrument.name.clone(),
        currency: instrument.currency,
        as_of,
        close,
        inputs,
        scenarios,
        notes,
    })
}

impl Valuation {
    /// The document `--json` writes.
    pub fn to_json(&self) -> Result<String, RunError> {
        serde_json::to_string_pretty(self)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| RunError::output("serialising the valuation", e))
    }

    /// The terminal page `rebt valuation` prints: the header, a table of the scenarios'
    /// values and the price against each, the inputs with the reports each TTM figure was
    /// built from, the formula, and the notes.
    pub fn page(&self) -> String {
        let v = self;
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
