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
    /// Keep every day's holdings in [`BacktestResult::holdings`] (for `positions.csv`);
    /// sweeps that need only the equity turn it off.
    pub record_holdings: bool,
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
        }
    }
}
