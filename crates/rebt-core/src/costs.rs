//! Trading costs as data: each fee is a table of (from-date → rate) rows with a minimum, the
//! sides it applies to and its rounding, so a change of the stamp-duty rate is a row, not a
//! code change. Rates are held in parts per billion and amounts in cents, so every fee is
//! computed in exact integer arithmetic.

use crate::instrument::Board;
use crate::money::Cents;
use crate::order::Side;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A proportional rate in parts per billion (0.025% = 250_000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub i64);

impl Rate {
    /// From a fraction (0.00025 = 0.025%), rounded to the nearest part per billion.
    pub fn from_fraction(f: f64) -> Rate {
        Rate((f * 1e9).round() as i64)
    }

    /// `round_half_up(value × rate)` in cents.
    pub fn apply(self, value: Cents) -> Cents {
        let num = value.0 as i128 * self.0 as i128;
        Cents(((num + 500_000_000) / 1_000_000_000) as i64)
    }

    /// `ceil(value × rate)` in cents.
    pub fn apply_ceil(self, value: Cents) -> Cents {
        let num = value.0 as i128 * self.0 as i128;
        Cents(((num + 999_999_999) / 1_000_000_000) as i64)
    }
}

/// A rate that changes over time: rows of (from-date, rate), the last row on or before a date
/// being in force. Before the first row the rate is zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateSchedule {
    rows: Vec<(NaiveDate, Rate)>,
}

impl RateSchedule {
    /// One rate for all dates.
    pub fn constant(rate: Rate) -> Self {
        Self {
            rows: vec![(NaiveDate::MIN, rate)],
        }
    }

    /// From (from-date, rate) rows, sorted here.
    pub fn from_rows(mut rows: Vec<(NaiveDate, Rate)>) -> Self {
        rows.sort_by_key(|r| r.0);
        Self { rows }
    }

    /// The rows, oldest first.
    pub fn rows(&self) -> &[(NaiveDate, Rate)] {
        &self.rows
    }

    /// The rate in force on `date`.
    pub fn rate_on(&self, date: NaiveDate) -> Rate {
        let idx = self.rows.partition_point(|r| r.0 <= date);
        if idx == 0 { Rate(0) } else { self.rows[idx - 1].1 }
    }
}

/// Which column of a fill a fee is reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeKind {
    /// Broker commission.
    Commission,
    /// Stamp duty.
    Tax,
    /// Exchange and regulator fees (transfer fee, trading fee, levies).
    Fee,
}

/// Which trades a fee applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sides {
    /// Buys only.
    Buy,
    /// Sells only.
    Sell,
    /// Both.
    Both,
}

/// How a fee is rounded to money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeRounding {
    /// Half up to the cent.
    Cent,
    /// Up to the next whole currency unit (HK stamp duty).
    UpToUnit,
}

/// One fee line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeItem {
    /// Name, e.g. `stamp_duty`.
    pub name: String,
    /// Report column.
    pub kind: FeeKind,
    /// Which trades pay it.
    pub sides: Sides,
    /// Rate by date.
    pub rate: RateSchedule,
    /// Minimum per order (0 for none); applies only when the rate is non-zero.
    pub min: Cents,
    /// Rounding.
    pub rounding: FeeRounding,
}

impl FeeItem {
    /// The fee on a trade of `value` on `date`.
    pub fn amount(&self, side: Side, date: NaiveDate, value: Cents) -> Cents {
        let applies = match self.sides {
            Sides::Both => true,
            Sides::Buy => side == Side::Buy,
            Sides::Sell => side == Side::Sell,
        };
        let rate = self.rate.rate_on(date);
        if !applies || rate.0 == 0 || value.0 == 0 {
            return Cents::ZERO;
        }
        let fee = match self.rounding {
            FeeRounding::Cent => rate.apply(value),
            FeeRounding::UpToUnit => Cents((rate.apply_ceil(value).0 + 99) / 100 * 100),
        };
        fee.max(self.min)
    }
}

/// The costs of one fill, by report column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FillCosts {
    /// Broker commission.
    pub commission: Cents,
    /// Stamp duty.
    pub taxes: Cents,
    /// Exchange and regulator fees.
    pub fees: Cents,
}

impl FillCosts {
    /// Everything together.
    pub fn total(&self) -> Cents {
        self.commission + self.taxes + self.fees
    }
}

/// All fee lines of one kind of instrument.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CostModel {
    /// The fee lines.
    pub items: Vec<FeeItem>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn item(name: &str, kind: FeeKind, sides: Sides, rate: RateSchedule, min: Cents, rounding: FeeRounding) -> FeeItem {
    FeeItem {
        name: name.to_string(),
        kind,
        sides,
        rate,
        min,
        rounding,
    }
}

impl CostModel {
    /// No costs.
    pub fn zero() -> Self {
        Self::default()
    }

    /// The costs of a trade in currency units of the instrument.
    pub fn costs(&self, side: Side, date: NaiveDate, value: Cents) -> FillCosts {
        let mut c = FillCosts::default();
        for it in &self.items {
            let fee = it.amount(side, date, value);
            match it.kind {
                FeeKind::Commission => c.commission += fee,
                FeeKind::Tax => c.taxes += fee,
                FeeKind::Fee => c.fees += fee,
            }
        }
        c
    }

    /// A-share stock: commission 0.025% min 5 CNY both sides; stamp duty on sells 0.1%,
    /// 0.05% from 2023-08-28; transfer fee 0.002%, 0.001% from 2022-04-29, both sides.
    pub fn a_share_stock() -> Self {
        Self {
            items: vec![
                Self::a_share_commission(),
                item(
                    "stamp_duty",
                    FeeKind::Tax,
                    Sides::Sell,
                    RateSchedule::from_rows(vec![
                        (NaiveDate::MIN, Rate(1_000_000)),
                        (date(2023, 8, 28), Rate(500_000)),
                    ]),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
                item(
                    "transfer_fee",
                    FeeKind::Fee,
                    Sides::Both,
                    RateSchedule::from_rows(vec![(NaiveDate::MIN, Rate(20_000)), (date(2022, 4, 29), Rate(10_000))]),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
            ],
        }
    }

    fn a_share_commission() -> FeeItem {
        item(
            "commission",
            FeeKind::Commission,
            Sides::Both,
            RateSchedule::constant(Rate(250_000)),
            Cents::from_units(5),
            FeeRounding::Cent,
        )
    }

    /// A-share ETF: commission only (ETFs pay no stamp duty or transfer fee).
    pub fn a_share_etf() -> Self {
        Self {
            items: vec![Self::a_share_commission()],
        }
    }

    /// HKEX: commission 0.03% (no minimum); stamp duty both sides 0.1%, 0.13% from
    /// 2021-08-01, 0.1% from 2023-11-17, rounded up to the whole dollar; trading fee
    /// 0.00565%; SFC levy 0.0027%; AFRC levy 0.00015%.
    pub fn hkex() -> Self {
        let c = |r| RateSchedule::constant(Rate(r));
        Self {
            items: vec![
                item(
                    "commission",
                    FeeKind::Commission,
                    Sides::Both,
                    c(300_000),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
                item(
                    "stamp_duty",
                    FeeKind::Tax,
                    Sides::Both,
                    RateSchedule::from_rows(vec![
                        (NaiveDate::MIN, Rate(1_000_000)),
                        (date(2021, 8, 1), Rate(1_300_000)),
                        (date(2023, 11, 17), Rate(1_000_000)),
                    ]),
                    Cents::ZERO,
                    FeeRounding::UpToUnit,
                ),
                item(
                    "trading_fee",
                    FeeKind::Fee,
                    Sides::Both,
                    c(56_500),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
                item(
                    "sfc_levy",
                    FeeKind::Fee,
                    Sides::Both,
                    c(27_000),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
                item(
                    "afrc_levy",
                    FeeKind::Fee,
                    Sides::Both,
                    c(1_500),
                    Cents::ZERO,
                    FeeRounding::Cent,
                ),
            ],
        }
    }

    /// The default model for a board.
    pub fn default_for(board: Board) -> Self {
        match board {
            Board::SseMain | Board::SzseMain | Board::Chinext | Board::Star => Self::a_share_stock(),
            Board::AShareEtf => Self::a_share_etf(),
            Board::Hkex => Self::hkex(),
            Board::Generic => Self::zero(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        date(y, m, dd)
    }

    #[test]
    fn a_share_commission_minimum_binds_and_not() {
        let m = CostModel::a_share_stock();
        // 1,000 shares × 10.00 = 10,000 CNY: 0.025% = 2.50 < 5 → 5.00
        let small = m.costs(Side::Buy, d(2024, 1, 2), Cents(1_000_000));
        assert_eq!(small.commission, Cents(500));
        // 100,000 CNY: 0.025% = 25.00 > 5
        let big = m.costs(Side::Buy, d(2024, 1, 2), Cents(10_000_000));
        assert_eq!(big.commission, Cents(2_500));
        // 20,000 CNY is exactly the break-even: 5.00
        assert_eq!(
            m.costs(Side::Buy, d(2024, 1, 2), Cents(2_000_000)).commission,
            Cents(500)
        );
    }

    #[test]
    fn stamp_duty_either_side_of_2023_08_28() {
        let m = CostModel::a_share_stock();
        let v = Cents(10_000_000); // 100,000 CNY
        assert_eq!(m.costs(Side::Sell, d(2023, 8, 25), v).taxes, Cents(10_000)); // 0.1% = 100
        assert_eq!(m.costs(Side::Sell, d(2023, 8, 28), v).taxes, Cents(5_000)); // 0.05% = 50
        assert_eq!(m.costs(Side::Buy, d(2023, 8, 25), v).taxes, Cents::ZERO); // sells only
    }

    #[test]
    fn transfer_fee_either_side_of_2022_04_29() {
        let m = CostModel::a_share_stock();
        let v = Cents(10_000_000);
        assert_eq!(m.costs(Side::Buy, d(2022, 4, 28), v).fees, Cents(200)); // 0.002% = 2.00
        assert_eq!(m.costs(Side::Buy, d(2022, 4, 29), v).fees, Cents(100)); // 0.001% = 1.00
        assert_eq!(m.costs(Side::Sell, d(2022, 4, 29), v).fees, Cents(100));
        // 12,345.67 CNY × 0.001% = 0.1234567 → 0.12
        assert_eq!(m.costs(Side::Sell, d(2024, 1, 2), Cents(1_234_567)).fees, Cents(12));
    }

    #[test]
    fn etf_pays_commission_only() {
        let c = CostModel::a_share_etf().costs(Side::Sell, d(2024, 1, 2), Cents(10_000_000));
        assert_eq!(
            c,
            FillCosts {
                commission: Cents(2_500),
                taxes: Cents::ZERO,
                fees: Cents::ZERO
            }
        );
    }

    #[test]
    fn hk_stamp_duty_dates_and_rounding() {
        let m = CostModel::hkex();
        let v = Cents(10_000_000); // HK$100,000
        assert_eq!(m.costs(Side::Buy, d(2021, 7, 30), v).taxes, Cents(10_000)); // 0.1% = 100
        assert_eq!(m.costs(Side::Buy, d(2021, 8, 1), v).taxes, Cents(13_000)); // 0.13% = 130
        assert_eq!(m.costs(Side::Sell, d(2023, 11, 16), v).taxes, Cents(13_000));
        assert_eq!(m.costs(Side::Sell, d(2023, 11, 17), v).taxes, Cents(10_000)); // back to 0.1%
        // HK$12,345.67 × 0.1% = 12.34567 → rounded up to HK$13
        assert_eq!(m.costs(Side::Buy, d(2024, 1, 2), Cents(1_234_567)).taxes, Cents(1_300));
        // HK$100,000: trading fee 5.65 + SFC 2.70 + AFRC 0.15 = 8.50; commission 0.03% = 30.00
        let c = m.costs(Side::Buy, d(2024, 1, 2), v);
        assert_eq!(c.fees, Cents(850));
        assert_eq!(c.commission, Cents(3_000));
    }

    #[test]
    fn rate_rounding_half_up() {
        // 101,500 fen × 0.025% = 25.375 fen → 25
        assert_eq!(Rate(250_000).apply(Cents(101_500)), Cents(25));
        // 0.5 fen rounds up
        assert_eq!(Rate(500_000).apply(Cents(1_000)), Cents(1));
        assert_eq!(Rate(1_000_000).apply_ceil(Cents(1_001)), Cents(2));
    }
}
