//! What a strategy author needs, in one import: `use rebt::prelude::*;`. The strategy trait
//! and what it reads and writes (rebt-core), the pipeline traits with every built-in part
//! (rebt-strategies), the engine to run them on a dataset (rebt-data's embedded one), and
//! the summary of the result (rebt-metrics). Everything else stays under its crate's name
//! (`rebt::core`, `rebt::data`, …); this module is the one place that chooses what comes
//! with the glob.
//!
//! ```
//! use rebt::prelude::*;
//!
//! /// Holds the names whose close is above their 20-bar average.
//! struct AboveAverage;
//!
//! impl Signal for AboveAverage {
//!     fn scores(&mut self, ctx: &Context<'_>, universe: &[InstrumentIx], out: &mut [Option<f64>]) {
//!         for (score, &ix) in out.iter_mut().zip(universe) {
//!             *score = ctx.adjusted().closes(ix, 20).map(|c| c[19] / (c.iter().sum::<f64>() / 20.0) - 1.0);
//!         }
//!     }
//! }
//!
//! let mut pipeline = Pipeline::new(
//!     Box::new(AboveAverage),
//!     vec![Box::new(Overbought::rsi(14)?.level(75.0))],
//!     Box::new(EqualWeight::top_n(3).max_weight(0.4)?),
//!     Box::new(Phased::new(3)?.dip(0.05)?.max_wait(42)?),
//!     Rebalance::monthly(),
//! );
//! let year = load_embedded()?.panel.slice(NaiveDate::from_ymd_opt(2025, 1, 1), None)?;
//! let result = Engine::new(&year, EngineConfig::default())?.run(&mut pipeline)?;
//! let summary = Summary::from_returns(&result.returns(), &Annualization::default());
//! assert!(summary.total_return.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use rebt_core::{
    AsOfPoint, BacktestResult, Cents, Context, CoreError, CostMode, Engine, EngineConfig, Field, Fill, InstrumentIx,
    NaiveDate, Order, OrderKind, Orders, Position, Prices, Rejection, RulesMode, Setup, Side, Strategy, Timing,
};
pub use rebt_data::{Dataset, load_embedded};
pub use rebt_metrics::{Annualization, Summary};
pub use rebt_strategies::pipeline::{
    Allocator, CommodityMomentum, Constant, CsMomentum, Dca, Dcf, EqualWeight, Execution, Gate, GateDecision,
    Immediate, InverseVol, KdjCross, MacdCross, MarginFlow, MarginMode, Overbought, PePercentile, Phased, Pipeline,
    Plan, Rebalance, Scenario, Signal, TsMomentum, WeightLimits,
};
pub use rebt_strategies::{BuyAndHold, SmaCross, StrategyError};
