//! Buy and hold: all cash spent at the first open, split equally across the universe.

use rebt_core::{Cents, Context, CoreError, InstrumentIx, Orders, RejectionReason, Setup, Strategy};

/// Spends all cash at the first fill, equally across the universe, then holds. A buy rejected
/// for a passing reason (suspension, limit-up, market closed) is retried the next day; one
/// rejected because its share of cash buys less than a lot is given up and reported once.
#[derive(Debug, Default, Clone)]
pub struct BuyAndHold {
    budget: Cents,
    /// Instruments still to buy.
    todo: Vec<InstrumentIx>,
}

impl Strategy for BuyAndHold {
    fn on_start(&mut self, setup: &Setup<'_>) -> Result<(), CoreError> {
        self.budget = Cents(setup.initial_cash.0 / setup.universe.len() as i64);
        self.todo = setup.universe.to_vec();
        Ok(())
    }

    fn on_bar(&mut self, ctx: &Context<'_>, orders: &mut Orders) {
        let done = |ix: &InstrumentIx| {
            ctx.fills().iter().any(|f| f.instrument == *ix)
                || ctx.rejections().iter().any(|r| {
                    r.instrument == *ix
                        && matches!(r.reason, RejectionReason::InsufficientCash | RejectionReason::LotSize)
                })
        };
        self.todo.retain(|ix| !done(ix));
        for &ix in &self.todo {
            orders.buy_with_cash(ix, self.budget);
        }
    }
}
