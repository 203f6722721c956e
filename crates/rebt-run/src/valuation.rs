//! `rebt valuation`: the analysts' DCF read of one stock on one day. From the point-in-time
//! fundamentals public that day (published on or before it; default the last day of the
//! data), each scenario's value per share (conservative, base, optimistic, and a custom one
//! when asked), the raw close, and the price against each value — with every input shown.
//!
//! It is the `dcf` gate's computation, not a copy: the inputs come from
//! [`DcfInputs::gather`] and the values from [`DcfInputs::value_per_share`], the two calls the
//! gate makes on its day's context; the close is the raw last close on or before the day, the
//! price the gate compares with.

use crate::error::RunError;
use crate::plan::{dataset_info, load_dataset};
use chrono::NaiveDate;
use rebt_core::{Currency, Field};
use rebt_report::DatasetInfo;
use rebt_strategies::pipeline::dcf::{DCF_SERIES, DcfInputs, Scenario};
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
}
