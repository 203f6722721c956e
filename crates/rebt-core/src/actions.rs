//! Corporate actions (除权除息): cash dividends, bonus shares (送股), capitalisation shares
//! (转增) and rights issues (配股), and what they do to prices.
//!
//! Prices in the panel are **raw**: what the market showed. An action changes the price a
//! share is worth from its ex-date on, so the exchange publishes an ex-rights reference price
//! (除权除息参考价) that replaces the previous close as the base of the day's price limits:
//!
//! ```text
//! reference = (prev_close − cash + rights_price × rights) / (1 + bonus + transfer + rights)
//! ```
//!
//! (SSE and SZSE trading rules, §4.3.2: "除权（息）参考价格=[（前收盘价格−现金红利）+配（新）股价格×
//! 流通股份变动比例]÷（1+流通股份变动比例）"; rounded half up to the 0.01 tick, as the exchanges
//! display it.) When the bars carry the exchange's own `pre_close`, that is the reference.
//!
//! The **adjusted view** is a backward adjustment (后复权) anchored at the first day of the
//! data: each ex-date multiplies every later price by `prev_close / reference`. The factor on
//! day t is the product over actions with ex-date on or before t only, so a price in the
//! adjusted view never changes once it is seen: unlike the usual forward adjustment "as of the
//! last day", it holds no look-ahead. Signals, indicators and returns read it; fills, limits,
//! lots and absolute price bands read raw prices.

use crate::error::CoreError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One corporate action of one instrument. Ratios are new shares per share held (10送3转7 is
/// `bonus` 0.3, `transfer` 0.7); `cash` is the pre-tax cash per share in the instrument's
/// currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorporateAction {
    /// The ex-date (除权除息日): the first day the shares trade without the entitlement.
    /// Holders at the previous close are entitled.
    pub ex_date: NaiveDate,
    /// Pre-tax cash dividend per share (派息, 税前).
    pub cash: f64,
    /// Bonus shares from profits per share (送股); a dividend for tax, at par value.
    pub bonus: f64,
    /// Capitalisation shares from the capital reserve per share (转增); not taxed.
    pub transfer: f64,
    /// Rights offered per share (配股); the account does not subscribe, but the reference
    /// price moves.
    pub rights: f64,
    /// Subscription price of the rights, in the instrument's currency.
    pub rights_price: f64,
    /// The record date (股权登记日), when given; it decides which dividend-tax regime applies.
    pub record_date: Option<NaiveDate>,
    /// When the cash is paid (派息日); on or after the ex-date.
    pub pay_date: NaiveDate,
    /// When the bonus and capitalisation shares become sellable (红股上市日); on or after
    /// the ex-date.
    pub listing_date: NaiveDate,
}

impl CorporateAction {
    /// A cash dividend of `cash` per share, paid on the ex-date.
    pub fn cash_dividend(ex_date: NaiveDate, cash: f64) -> CorporateAction {
        CorporateAction {
            ex_date,
            cash,
            bonus: 0.0,
            transfer: 0.0,
            rights: 0.0,
            rights_price: 0.0,
            record_date: None,
            pay_date: ex_date,
            listing_date: ex_date,
        }
    }

    /// New shares per share held: `bonus + transfer`.
    pub fn share_ratio(&self) -> f64 {
        self.bonus + self.transfer
    }

    /// The unrounded ex-rights reference price after a previous close of `prev_close`.
    pub fn reference_price(&self, prev_close: f64) -> f64 {
        (prev_close - self.cash + self.rights_price * self.rights) / (1.0 + self.bonus + self.transfer + self.rights)
    }

    /// The reference price as the exchange displays it: rounded half up to `tick`.
    pub fn reference_price_on_tick(&self, prev_close: f64, tick: f64) -> f64 {
        round_to_tick(self.reference_price(prev_close), tick)
    }

    /// Check the numbers: finite and non-negative amounts, bonus + transfer at most 10 new
    /// shares per share (a larger ratio is taken for a unit error), rights with a positive
    /// price, pay and listing dates not before the ex-date, a record date before it.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("cash", self.cash),
            ("bonus", self.bonus),
            ("transfer", self.transfer),
            ("rights", self.rights),
            ("rights_price", self.rights_price),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("`{name}` is {v}; expected a non-negative number"));
            }
        }
        if self.share_ratio() > 10.0 {
            return Err(format!(
                "bonus + transfer is {} new shares per share held; expected at most 10 (ratios are per share, not per 10 shares)",
                self.share_ratio()
            ));
        }
        if self.rights > 10.0 {
            return Err(format!(
                "`rights` is {} per share held; expected at most 10",
                self.rights
            ));
        }
        if self.rights > 0.0 && self.rights_price <= 0.0 {
            return Err("`rights` is given without a positive `rights_price`".into());
        }
        if self.pay_date < self.ex_date {
            return Err(format!(
                "`pay_date` {} is before the ex-date {}; expected on or after it",
                self.pay_date, self.ex_date
            ));
        }
        if self.listing_date < self.ex_date {
            return Err(format!(
                "`listing_date` {} is before the ex-date {}; expected on or after it",
                self.listing_date, self.ex_date
            ));
        }
        if let Some(r) = self.record_date
            && r >= self.ex_date
        {
            return Err(format!(
                "`record_date` {r} is not before the ex-date {}; expected the record date to come first",
                self.ex_date
            ));
        }
        if self.cash == 0.0 && self.share_ratio() == 0.0 && self.rights == 0.0 {
            return Err("the action has no cash, no bonus, no transfer and no rights".into());
        }
        Ok(())
    }
}

/// `value` rounded half up to a multiple of `tick` (computed in whole ticks, so 19.005 on a
/// 0.01 tick is 19.01, not 19.00 through float error).
pub fn round_to_tick(value: f64, tick: f64) -> f64 {
    let ticks = value / tick;
    let whole = (ticks + 1e-9).floor();
    let n = if ticks - whole >= 0.5 - 1e-9 {
        whole + 1.0
    } else {
        whole
    };
    // back through the tick's decimal scale so 1901 ticks of 0.01 read as 19.01 exactly
    let decimals = (-tick.log10()).ceil().max(0.0) as i32;
    let scale = 10f64.powi(decimals);
    (n * (tick * scale)).round() / scale
}

/// The actions of every instrument of a panel, each list sorted by ex-date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionTable {
    by_instrument: Vec<Vec<CorporateAction>>,
}

impl ActionTable {
    /// An empty table for `n` instruments.
    pub fn empty(n: usize) -> ActionTable {
        ActionTable {
            by_instrument: vec![Vec::new(); n],
        }
    }

    /// Build from each instrument's actions (indexed like the panel's instruments); each
    /// list is sorted by ex-date and checked ([`CorporateAction::validate`], no two on one
    /// ex-date). `symbols` name the instruments in errors.
    pub fn new(mut by_instrument: Vec<Vec<CorporateAction>>, symbols: &[&str]) -> Result<ActionTable, CoreError> {
        for (list, symbol) in by_instrument.iter_mut().zip(symbols) {
            list.sort_by_key(|a| a.ex_date);
            for (k, a) in list.iter().enumerate() {
                a.validate().map_err(|message| CoreError::InvalidAction {
                    symbol: symbol.to_string(),
                    ex_date: a.ex_date,
                    message,
                })?;
                if k > 0 && list[k - 1].ex_date == a.ex_date {
                    return Err(CoreError::InvalidAction {
                        symbol: symbol.to_string(),
                        ex_date: a.ex_date,
                        message: "two actions on one ex-date; expected one row per symbol and ex-date".into(),
                    });
                }
            }
        }
        Ok(ActionTable { by_instrument })
    }

    /// One instrument's actions, by ex-date.
    pub fn of(&self, instrument: usize) -> &[CorporateAction] {
        self.by_instrument.get(instrument).map_or(&[], Vec::as_slice)
    }

    /// Whether no instrument has any action.
    pub fn is_empty(&self) -> bool {
        self.by_instrument.iter().all(Vec::is_empty)
    }

    /// Total number of actions.
    pub fn len(&self) -> usize {
        self.by_instrument.iter().map(Vec::len).sum()
    }

    /// The table restricted to the instruments `keep` (in that order).
    pub fn select(&self, keep: &[usize]) -> ActionTable {
        ActionTable {
            by_instrument: keep.iter().map(|&i| self.of(i).to_vec()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    #[test]
    fn reference_price_by_hand() {
        // 派10 (1.00 a share) on a 20.00 close: 19.00
        let a = CorporateAction::cash_dividend(d(2024, 6, 3), 1.0);
        assert_eq!(a.reference_price_on_tick(20.0, 0.01), 19.0);
        // 10送5派10 on 30.00: (30 − 1) / 1.5 = 19.3333 → 19.33
        let b = CorporateAction { bonus: 0.5, ..a };
        assert!((b.reference_price(30.0) - 29.0 / 1.5).abs() < 1e-12);
        assert_eq!(b.reference_price_on_tick(30.0, 0.01), 19.33);
        // 10配3 at 8.00 on 12.00: (12 + 2.4) / 1.3 = 11.0769 → 11.08
        let r = CorporateAction {
            cash: 0.0,
            rights: 0.3,
            rights_price: 8.0,
            ..a
        };
        assert_eq!(r.reference_price_on_tick(12.0, 0.01), 11.08);
    }

    #[test]
    fn tick_rounding_is_half_up_in_whole_ticks() {
        assert_eq!(round_to_tick(19.005, 0.01), 19.01);
        assert_eq!(round_to_tick(19.00499, 0.01), 19.0);
        assert_eq!(round_to_tick(3.3075, 0.01), 3.31);
        assert_eq!(round_to_tick(12.345, 0.001), 12.345);
        assert_eq!(round_to_tick(7.25, 0.5), 7.5);
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let ok = CorporateAction::cash_dividend(d(2024, 6, 3), 0.5);
        assert!(ok.validate().is_ok());
        let cases: [(CorporateAction, &str); 6] = [
            (CorporateAction { cash: -0.1, ..ok }, "`cash`"),
            (
                CorporateAction {
                    bonus: 6.0,
                    transfer: 5.0,
                    ..ok
                },
                "at most 10",
            ),
            (
                CorporateAction {
                    pay_date: d(2024, 6, 1),
                    ..ok
                },
                "`pay_date`",
            ),
            (
                CorporateAction {
                    listing_date: d(2024, 5, 1),
                    ..ok
                },
                "`listing_date`",
            ),
            (CorporateAction { rights: 0.3, ..ok }, "rights_price"),
            (CorporateAction { cash: 0.0, ..ok }, "no cash"),
        ];
        for (a, needle) in cases {
            let e = a.validate().expect_err(needle);
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn table_rejects_two_actions_on_one_day() {
        let a = CorporateAction::cash_dividend(d(2024, 6, 3), 0.5);
        let e = ActionTable::new(vec![vec![a, a]], &["600111.SH"]).expect_err("duplicate");
        assert!(e.to_string().contains("600111.SH"), "{e}");
        let t = ActionTable::new(
            vec![vec![
                CorporateAction::cash_dividend(d(2024, 6, 3), 0.5),
                CorporateAction::cash_dividend(d(2023, 6, 3), 0.4),
            ]],
            &["600111.SH"],
        )
        .expect("valid");
        assert_eq!(t.of(0)[0].ex_date, d(2023, 6, 3));
        assert_eq!(t.len(), 2);
    }
}
