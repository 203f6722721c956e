//! How a run is set up: which market rules and costs apply, the starting cash, slippage,
//! the volume cap and the universe.

use crate::instrument::Currency;
use crate::money::Cents;
use serde::{Deserialize, Serialize};

/// Which market rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesMode {
    /// Each instrument's own rules (lots, price limits, T+1).
    #[default]
    Auto,
    /// No lots, no price limits, T+0 everywhere (a missing bar still cannot trade).
    None,
}

/// Which costs apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostMode {
    /// Each board's default schedule.
    #[default]
    Default,
    /// No costs at all.
    Zero,
}

/// How a run is set up. `Default` gives 1,000,000 of cash, full rules and costs, no
/// slippage, no volume cap, every tradable instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Starting cash in the base currency.
    pub initial_cash: Cents,
    /// Market rules.
    pub rules: RulesMode,
    /// Costs.
    pub costs: CostMode,
    /// Slippage in basis points: buys fill that much higher, sells that much lower.
    pub slippage_bps: f64,
    /// Cap on shares filled per order as a fraction of the day's volume.
    pub volume_cap: Option<f64>,
    /// Symbols traded; `None` means every tradable instrument.
    pub universe: Option<Vec<String>>,
    /// Currency of cash and equity; `None` picks CNY when the universe holds any CNY
    /// instrument, else the universe's single currency.
    pub base_currency: Option<Currency>,
    /// Keep every day's holdings in [`crate::BacktestResult::holdings`] (for `positions.csv`);
    /// sweeps that need only the equity turn it off.
    pub record_holdings: bool,
    /// The share of a Hong Kong stock's dividend withheld at payment (0.2: a mainland
    /// individual through Stock Connect, 财税〔2014〕81号; 0 for a Hong Kong resident holding
    /// non-H shares). [`CostMode::Zero`] turns it off with every other cost.
    pub hk_dividend_withholding: f64,
    /// What happens to a position still held when its instrument is delisted.
    pub delisting: Delisting,
}

/// What happens to a position still held on its instrument's delisting date (摘牌). After an
/// A-share is delisted its shares move to the NEEQ delisting board, off the exchange, at a
/// price no daily bar shows; a backtest cannot keep marking them as if they traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delisting {
    /// The shares are written off: they leave the account and nothing is received (the
    /// conservative reading; the default).
    #[default]
    WriteOff,
    /// The shares are paid out at the last close, without costs (what rqalpha does by
    /// default; optimistic).
    LastClose,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            initial_cash: Cents::from_units(1_000_000),
            rules: RulesMode::Auto,
            costs: CostMode::Default,
            slippage_bps: 0.0,
            volume_cap: None,
            universe: None,
            base_currency: None,
            record_holdings: true,
            hk_dividend_withholding: 0.2,
            delisting: Delisting::WriteOff,
        }
    }
}
