//! Trading costs as data: each fee is a schedule of (from-date → tariff) rows, a tariff being
//! a rate, what the rate is applied to (traded value or face value), which sides pay it and a
//! minimum per order. A change of the stamp-duty rate, of the sides that pay it, or of the
//! basis of the transfer fee is a row, not a code change. Rates are held in parts per billion
//! and amounts in cents, so every fee is computed in exact integer arithmetic.
//!
//! The A-share schedules reach back past 2005; each row cites the notice that set it (see
//! [`CostModel::a_share_stock_sse`]).

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
    #[inline]
    pub fn apply(self, value: Cents) -> Cents {
        self.quotient(value, 500_000_000)
    }

    /// `ceil(value × rate)` in cents.
    #[inline]
    pub fn apply_ceil(self, value: Cents) -> Cents {
        self.quotient(value, 999_999_999)
    }

    /// `(value × rate + bias) / 10⁹`, truncated, exactly: in 64-bit integers when the
    /// numerator fits (a trade below 9 billion yuan at 0.1%), which is the same quotient as in
    /// 128 bits, without the call a 128-bit division compiles to.
    #[inline]
    fn quotient(self, value: Cents, bias: i64) -> Cents {
        match value.0.checked_mul(self.0).and_then(|num| num.checked_add(bias)) {
            Some(num) => Cents(num / 1_000_000_000),
            None => Cents(((value.0 as i128 * self.0 as i128 + bias as i128) / 1_000_000_000) as i64),
        }
    }
}

/// What a fee's rate is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The traded value, shares × price (成交金额).
    TradedValue,
    /// The face value, shares × par value (成交面额/面值): the SSE transfer fee before
    /// 2015-08-01.
    FaceValue,
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

impl Sides {
    /// Whether a trade on `side` pays.
    pub fn include(self, side: Side) -> bool {
        match self {
            Sides::Both => true,
            Sides::Buy => side == Side::Buy,
            Sides::Sell => side == Side::Sell,
        }
    }
}

/// The terms of a fee from some date on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariff {
    /// The rate.
    pub rate: Rate,
    /// What the rate is applied to.
    pub basis: Basis,
    /// Which trades pay.
    pub sides: Sides,
    /// Minimum per order (0 for none); applies only to a trade that pays a non-zero rate.
    pub min: Cents,
}

impl Tariff {
    /// `rate` on the traded value, paid by `sides`, no minimum: the shape of most fees.
    pub const fn on_value(rate: Rate, sides: Sides) -> Tariff {
        Tariff {
            rate,
            basis: Basis::TradedValue,
            sides,
            min: Cents::ZERO,
        }
    }

    /// `rate` on the face value (shares × par), paid by `sides`, at least `min` per order.
    pub const fn on_face_value(rate: Rate, sides: Sides, min: Cents) -> Tariff {
        Tariff {
            rate,
            basis: Basis::FaceValue,
            sides,
            min,
        }
    }
}

/// A fee's terms over time: rows of (from-date, tariff), the last row on or before a date
/// being in force. Before the first row nothing is charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeSchedule {
    rows: Vec<(NaiveDate, Tariff)>,
}

impl FeeSchedule {
    /// One tariff for all dates.
    pub fn constant(tariff: Tariff) -> Self {
        Self {
            rows: vec![(NaiveDate::MIN, tariff)],
        }
    }

    /// From (from-date, tariff) rows, sorted here.
    pub fn from_rows(mut rows: Vec<(NaiveDate, Tariff)>) -> Self {
        rows.sort_by_key(|r| r.0);
        Self { rows }
    }

    /// The rows, oldest first.
    pub fn rows(&self) -> &[(NaiveDate, Tariff)] {
        &self.rows
    }

    /// The tariff in force on `date`, `None` before the first row.
    pub fn tariff_on(&self, date: NaiveDate) -> Option<&Tariff> {
        let idx = self.rows.partition_point(|r| r.0 <= date);
        idx.checked_sub(1).map(|i| &self.rows[i].1)
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

/// How a fee is rounded to money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeRounding {
    /// Half up to the cent.
    Cent,
    /// Up to the next whole currency unit (HK stamp duty).
    UpToUnit,
}

/// One trade as the fee schedules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trade {
    /// Buy or sell.
    pub side: Side,
    /// The trade date.
    pub date: NaiveDate,
    /// Shares traded.
    pub shares: u64,
    /// Traded value (shares × price) in cents of the instrument's currency.
    pub value: Cents,
    /// Par value per share in currency units ([`crate::instrument::Status::par`], 1 unless the
    /// manifest says otherwise).
    pub par: f64,
}

impl Trade {
    /// Shares × par, rounded half away from zero to the cent.
    pub fn face_value(&self) -> Cents {
        Cents((self.shares as f64 * self.par * 100.0).round() as i64)
    }

    fn base(&self, basis: Basis) -> Cents {
        match basis {
            Basis::TradedValue => self.value,
            Basis::FaceValue => self.face_value(),
        }
    }
}

/// One fee line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeItem {
    /// Name, e.g. `stamp_duty`.
    pub name: String,
    /// Report column.
    pub kind: FeeKind,
    /// Terms by date.
    pub schedule: FeeSchedule,
    /// Rounding.
    pub rounding: FeeRounding,
}

impl FeeItem {
    /// The fee on `trade`.
    pub fn amount(&self, trade: &Trade) -> Cents {
        let Some(t) = self.schedule.tariff_on(trade.date) else {
            return Cents::ZERO;
        };
        let base = trade.base(t.basis);
        if !t.sides.include(trade.side) || t.rate.0 == 0 || base.0 == 0 {
            return Cents::ZERO;
        }
        let fee = match self.rounding {
            FeeRounding::Cent => t.rate.apply(base),
            FeeRounding::UpToUnit => Cents((t.rate.apply_ceil(base).0 + 99) / 100 * 100),
        };
        fee.max(t.min)
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

fn item(name: &str, kind: FeeKind, schedule: FeeSchedule, rounding: FeeRounding) -> FeeItem {
    FeeItem {
        name: name.to_string(),
        kind,
        schedule,
        rounding,
    }
}

/// Which A-share exchange's transfer-fee schedule applies (they differ before 2015-08-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exchange {
    Sse,
    Szse,
}

impl CostModel {
    /// No costs.
    pub fn zero() -> Self {
        Self::default()
    }

    /// The costs of `trade`, in cents of the instrument's currency.
    pub fn costs(&self, trade: &Trade) -> FillCosts {
        let mut c = FillCosts::default();
        for it in &self.items {
            let fee = it.amount(trade);
            match it.kind {
                FeeKind::Commission => c.commission += fee,
                FeeKind::Tax => c.taxes += fee,
                FeeKind::Fee => c.fees += fee,
            }
        }
        c
    }

    /// SSE stock (main board, STAR): commission 0.025% min 5 CNY both sides, the A-share
    /// stamp duty ([`Self::a_share_stamp_duty`]) and the SSE transfer fee: on face value
    /// before 2015-08-01, on traded value from then.
    pub fn a_share_stock_sse() -> Self {
        Self::a_share_stock(Exchange::Sse)
    }

    /// SZSE stock (main board, ChiNext): commission, stamp duty as on SSE; the SZSE transfer
    /// fee on traded value throughout.
    pub fn a_share_stock_szse() -> Self {
        Self::a_share_stock(Exchange::Szse)
    }

    fn a_share_stock(exchange: Exchange) -> Self {
        Self {
            items: vec![
                Self::a_share_commission(),
                Self::a_share_stamp_duty(),
                Self::a_share_transfer_fee(exchange),
            ],
        }
    }

    /// A-share securities-transaction stamp duty (证券交易印花税). The rate and the sides that pay
    /// it both move by date, so each row carries its sides.
    ///
    /// | from | rate | paid by |
    /// |---|---|---|
    /// | 1998-06-12 | 0.4% | both |
    /// | 2001-11-16 | 0.2% | both |
    /// | 2005-01-24 | 0.1% | both |
    /// | 2007-05-30 | 0.3% | both |
    /// | 2008-04-24 | 0.1% | both |
    /// | 2008-09-19 | 0.1% | seller |
    /// | 2023-08-28 | 0.05% | seller |
    pub fn a_share_stamp_duty() -> FeeItem {
        let both = |ppb| Tariff::on_value(Rate(ppb), Sides::Both);
        let sell = |ppb| Tariff::on_value(Rate(ppb), Sides::Sell);
        item(
            "stamp_duty",
            FeeKind::Tax,
            FeeSchedule::from_rows(vec![
                // 4‰ each side from 1998-06-12 (国发明电〔1998〕005号). The row starts at the
                // earliest date so that older data is not charged nothing; the rates before
                // 1998-06-12 are not modelled.
                (NaiveDate::MIN, both(4_000_000)),
                // 2‰ each side from 2001-11-16 (MOF decision; only news histories found, e.g.
                // Xinhua 2023-08-28 "2001年11月16日，证券交易印花税由4‰下调到2‰"; notice number
                // not found).
                (date(2001, 11, 16), both(2_000_000)),
                // 1‰ each side from 2005-01-24 (财税〔2005〕11号: "从2005年1月24日起…由立据双方当事人
                // 分别按1‰的税率缴纳"; news histories that say 01-23 give the announcement date).
                (date(2005, 1, 24), both(1_000_000)),
                // 3‰ each side from 2007-05-30 (财税〔2007〕84号).
                (date(2007, 5, 30), both(3_000_000)),
                // 1‰ each side from 2008-04-24 (MOF/SAT announcement of 2008-04-23: "自2008年4月24日起…
                // 由现行的千分之三调整为千分之一"; notice number not found).
                (date(2008, 4, 24), both(1_000_000)),
                // 1‰ seller only from 2008-09-19 (MOF/SAT announcement, Xinhua 2008-09-18: "调整为
                // 单边征税…对受让方不再征税"; notice number not found). Since 2022-07-01 the
                // Stamp Duty Law (《中华人民共和国印花税法》 §3) sets the same 1‰ on the seller.
                (date(2008, 9, 19), sell(1_000_000)),
                // 0.5‰ seller only from 2023-08-28 (财政部 税务总局公告2023年第39号: "自2023年8月28日
                // 起，证券交易印花税实施减半征收").
                (date(2023, 8, 28), sell(500_000)),
            ]),
            FeeRounding::Cent,
        )
    }

    /// A-share transfer fee (过户费), collected by CSDC from buyer and seller alike.
    ///
    /// | from | SSE | SZSE |
    /// |---|---|---|
    /// | (before) | 0.1% of face value, min 1 CNY | 0.00255% of traded value |
    /// | 2012-09-01 | 0.03% of face value | 0.00255% of traded value |
    /// | 2015-08-01 | 0.002% of traded value | 0.002% of traded value |
    /// | 2022-04-29 | 0.001% of traded value | 0.001% of traded value |
    fn a_share_transfer_fee(exchange: Exchange) -> FeeItem {
        let on_value = |ppb| Tariff::on_value(Rate(ppb), Sides::Both);
        let mut rows = match exchange {
            Exchange::Sse => vec![
                // 1‰ of face value, at least 1 CNY per order, before 2012-09-01. Medium
                // confidence: this is the retail and broker convention ("过户费，为成交面额的
                // 0.1%，起点1元"; hikyuu's TC_FixedAPre2015); CSDC's own tariff before 2012 was not
                // found, nor whether the 1 CNY minimum was CSDC's or brokers' practice, and the
                // cut of 2012-06-01 (to an inferred 0.375‰) is not modelled.
                (
                    NaiveDate::MIN,
                    Tariff::on_face_value(Rate(1_000_000), Sides::Both, Cents::from_units(1)),
                ),
                // 0.3‰ of face value from 2012-09-01 (CSRC announcement of 2012-08-02: "中登公司
                // 上海分公司A股交易过户费将按成交面额的0.3‰双向收取…从9月1日起实施"); no minimum
                // is stated.
                (
                    date(2012, 9, 1),
                    Tariff::on_face_value(Rate(300_000), Sides::Both, Cents::ZERO),
                ),
            ],
            // SZSE before 2015-08-01: 0.0255‰ of traded value. Sources disagree: retail
            // explanations and hikyuu say SZSE charged no transfer fee, but the SZSE notice of
            // 2012-04-30 splits its quoted 0.1475‰ handling fee into "本所收取0.122‰，中登公司
            // 收取0.0255‰", and CSDC's 2015 notice calls that 0.0255‰ the SZSE 过户费 when it
            // unifies both markets at 0.02‰. Investors did pay it, only bundled in the quoted
            // handling fee; rebt's commission is a flat broker rate that does not include it,
            // so it is charged here, on the official record, rather than as zero.
            Exchange::Szse => vec![(NaiveDate::MIN, on_value(25_500))],
        };
        rows.extend([
            // 0.02‰ of traded value on both exchanges from 2015-08-01 (CSDC notice, July 2015:
            // "统一调整为按照成交金额0.02‰向买卖双方投资者分别收取").
            (date(2015, 8, 1), on_value(20_000)),
            // 0.01‰ from 2022-04-29 (CSDC announcement of 2022-04-28: "统一下调为按照成交金额
            // 0.01‰双向收取").
            (date(2022, 4, 29), on_value(10_000)),
        ]);
        item(
            "transfer_fee",
            FeeKind::Fee,
            FeeSchedule::from_rows(rows),
            FeeRounding::Cent,
        )
    }

    fn a_share_commission() -> FeeItem {
        item(
            "commission",
            FeeKind::Commission,
            FeeSchedule::constant(Tariff {
                min: Cents::from_units(5),
                ..Tariff::on_value(Rate(250_000), Sides::Both)
            }),
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
        let c = |ppb| FeeSchedule::constant(Tariff::on_value(Rate(ppb), Sides::Both));
        let both = |ppb| Tariff::on_value(Rate(ppb), Sides::Both);
        Self {
            items: vec![
                item("commission", FeeKind::Commission, c(300_000), FeeRounding::Cent),
                item(
                    "stamp_duty",
                    FeeKind::Tax,
                    FeeSchedule::from_rows(vec![
                        (NaiveDate::MIN, both(1_000_000)),
                        (date(2021, 8, 1), both(1_300_000)),
                        (date(2023, 11, 17), both(1_000_000)),
                    ]),
                    FeeRounding::UpToUnit,
                ),
                item("trading_fee", FeeKind::Fee, c(56_500), FeeRounding::Cent),
                item("sfc_levy", FeeKind::Fee, c(27_000), FeeRounding::Cent),
                item("afrc_levy", FeeKind::Fee, c(1_500), FeeRounding::Cent),
            ],
        }
    }

    /// The default model for a board (SSE or SZSE stock, ETF, HKEX, or none).
    pub fn default_for(board: Board) -> Self {
        match board {
            Board::SseMain | Board::Star => Self::a_share_stock_sse(),
            Board::SzseMain | Board::Chinext => Self::a_share_stock_szse(),
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

    fn trade(side: Side, date: NaiveDate, shares: u64, price_cents: i64) -> Trade {
        Trade {
            side,
            date,
            shares,
            value: Cents(shares as i64 * price_cents),
            par: 1.0,
        }
    }

    fn value(side: Side, date: NaiveDate, value: Cents) -> Trade {
        Trade {
            side,
            date,
            shares: 0,
            value,
            par: 1.0,
        }
    }

    #[test]
    fn a_share_commission_minimum_binds_and_not() {
        for m in [CostModel::a_share_stock_sse(), CostModel::a_share_stock_szse()] {
            // 1,000 shares × 10.00 = 10,000 CNY: 0.025% = 2.50 < 5 → 5.00
            assert_eq!(
                m.costs(&trade(Side::Buy, d(2024, 1, 2), 1_000, 1_000)).commission,
                Cents(500)
            );
            // 100,000 CNY: 0.025% = 25.00 > 5
            assert_eq!(
                m.costs(&trade(Side::Buy, d(2024, 1, 2), 10_000, 1_000)).commission,
                Cents(2_500)
            );
            // 20,000 CNY is exactly the break-even: 5.00
            assert_eq!(
                m.costs(&trade(Side::Buy, d(2024, 1, 2), 2_000, 1_000)).commission,
                Cents(500)
            );
        }
    }

    /// Stamp duty and transfer fee either side of every date in the schedules, for buys and
    /// sells on both exchanges: 10,000 shares at 12.34 CNY (value 123,400.00, face value
    /// 10,000.00 at par 1). Stamp duty 0.2% = 246.80, 0.1% = 123.40, 0.3% = 370.20, 0.05% =
    /// 61.70. Transfer fee: SSE 0.1% of face value = 10.00, 0.03% of face value = 3.00; SZSE
    /// 0.00255% of value = 3.1467 → 3.15; both 0.002% = 2.468 → 2.47, 0.001% = 1.234 → 1.23.
    #[test]
    fn a_share_schedules_either_side_of_every_date() {
        // (date, stamp duty on a buy, on a sell, SSE transfer fee, SZSE transfer fee), cents
        #[rustfmt::skip]
        let table: &[(NaiveDate, i64, i64, i64, i64)] = &[
            (d(2005, 1, 21), 24_680, 24_680, 1_000, 315), // 2‰ both sides (2001-11-16)
            (d(2005, 1, 24), 12_340, 12_340, 1_000, 315), // 1‰ both sides (财税〔2005〕11号)
            (d(2007, 5, 29), 12_340, 12_340, 1_000, 315),
            (d(2007, 5, 30), 37_020, 37_020, 1_000, 315), // 3‰ both sides (财税〔2007〕84号)
            (d(2008, 4, 23), 37_020, 37_020, 1_000, 315),
            (d(2008, 4, 24), 12_340, 12_340, 1_000, 315), // 1‰ both sides
            (d(2008, 9, 18), 12_340, 12_340, 1_000, 315),
            (d(2008, 9, 19), 0, 12_340, 1_000, 315), // 1‰ seller only
            (d(2012, 8, 31), 0, 12_340, 1_000, 315),
            (d(2012, 9, 1), 0, 12_340, 300, 315), // SSE 0.3‰ of face value
            (d(2015, 7, 31), 0, 12_340, 300, 315),
            (d(2015, 8, 1), 0, 12_340, 247, 247), // 0.02‰ of value, both exchanges
            (d(2022, 4, 28), 0, 12_340, 247, 247),
            (d(2022, 4, 29), 0, 12_340, 123, 123), // 0.01‰ of value
            (d(2023, 8, 25), 0, 12_340, 123, 123),
            (d(2023, 8, 28), 0, 6_170, 123, 123), // 0.5‰ seller only (公告2023年第39号)
        ];
        let (sse, szse) = (CostModel::a_share_stock_sse(), CostModel::a_share_stock_szse());
        for &(day, buy_tax, sell_tax, sse_fee, szse_fee) in table {
            for (side, tax) in [(Side::Buy, buy_tax), (Side::Sell, sell_tax)] {
                for (name, model, fee) in [("SSE", &sse, sse_fee), ("SZSE", &szse, szse_fee)] {
                    let c = model.costs(&trade(side, day, 10_000, 1_234));
                    let want = FillCosts {
                        commission: Cents(3_085), // 0.025% = 30.85 throughout
                        taxes: Cents(tax),
                        fees: Cents(fee),
                    };
                    assert_eq!(c, want, "{name} {side:?} on {day}");
                }
            }
        }
    }

    #[test]
    fn sse_transfer_fee_on_face_value_with_its_minimum() {
        let m = CostModel::a_share_stock_sse();
        let fee = |date, shares, price_cents, par| {
            let t = Trade {
                par,
                ..trade(Side::Buy, date, shares, price_cents)
            };
            m.costs(&t).fees
        };
        let (before, after) = (d(2012, 8, 31), d(2012, 9, 1));
        // (date, shares, price, par, fee in cents)
        #[rustfmt::skip]
        let table: &[(NaiveDate, u64, i64, f64, i64)] = &[
            (before, 100, 1_234, 1.0, 100),    // 1‰ of 100.00 = 0.10, the 1 CNY minimum binds
            (before, 1_000, 1_234, 1.0, 100),  // 1‰ of 1,000.00 = 1.00, exactly the minimum
            (before, 1_500, 1_234, 1.0, 150),  // 1.50, above the minimum
            (before, 1_500, 9_999, 1.0, 150),  // the price does not matter
            (before, 10_000, 1_234, 0.1, 100), // par 0.10: face value 1,000.00 → 1.00
            (before, 1_000, 1_234, 0.1, 100),  // face value 100.00 → 0.10 → minimum 1.00
            (after, 100, 1_234, 1.0, 3),       // 0.3‰ of 100.00 = 0.03, no minimum
            (after, 10_000, 1_234, 0.1, 30),   // 0.3‰ of 1,000.00 = 0.30
            (after, 1_500, 1, 1.0, 45),        // 0.3‰ of 1,500.00 = 0.45 on a 15.00 trade
        ];
        for &(day, shares, price, par, want) in table {
            assert_eq!(
                fee(day, shares, price, par),
                Cents(want),
                "{shares} at {price} par {par} on {day}"
            );
        }
        // SZSE has no minimum: 100 × 12.34 × 0.00255% = 0.031467 → 0.03
        let szse = CostModel::a_share_stock_szse().costs(&trade(Side::Sell, before, 100, 1_234));
        assert_eq!(szse.fees, Cents(3));
    }

    /// From 2015-08-01 every A-share fee equals the single schedule rebt charged before the
    /// history was added (stamp duty 0.1% on sells, 0.05% from 2023-08-28; transfer fee
    /// 0.002%, 0.001% from 2022-04-29; commission 0.025% min 5), whatever the exchange or par.
    #[test]
    fn fees_from_2015_08_01_are_unchanged() {
        let before_history = |side: Side, date: NaiveDate, v: Cents| {
            let stamp = if date < d(2023, 8, 28) { 1_000_000 } else { 500_000 };
            let transfer = if date < d(2022, 4, 29) { 20_000 } else { 10_000 };
            FillCosts {
                commission: Rate(250_000).apply(v).max(Cents(500)),
                taxes: if side == Side::Sell {
                    Rate(stamp).apply(v)
                } else {
                    Cents::ZERO
                },
                fees: Rate(transfer).apply(v),
            }
        };
        let dates = [
            d(2015, 8, 1),
            d(2018, 3, 5),
            d(2022, 4, 28),
            d(2022, 4, 29),
            d(2023, 8, 25),
            d(2023, 8, 28),
        ];
        let values = [1, 49, 50, 12_345, 1_234_567, 2_000_000, 987_654_321];
        for model in [CostModel::a_share_stock_sse(), CostModel::a_share_stock_szse()] {
            for &day in &dates {
                for &v in &values {
                    for side in [Side::Buy, Side::Sell] {
                        for (shares, par) in [(100, 1.0), (3_700, 0.1)] {
                            let t = Trade {
                                side,
                                date: day,
                                shares,
                                value: Cents(v),
                                par,
                            };
                            assert_eq!(model.costs(&t), before_history(side, day, Cents(v)), "{t:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn stamp_duty_rows_carry_their_sides() {
        let s = CostModel::a_share_stamp_duty();
        let sides: Vec<_> = s.schedule.rows().iter().map(|(from, t)| (*from, t.sides)).collect();
        assert!(
            sides
                .iter()
                .all(|&(from, side)| (from < d(2008, 9, 19)) == (side == Sides::Both))
        );
        assert!(s.schedule.rows().windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn nothing_before_the_first_row() {
        let s = FeeSchedule::from_rows(vec![(d(2020, 1, 1), Tariff::on_value(Rate(1_000_000), Sides::Both))]);
        assert_eq!(s.tariff_on(d(2019, 12, 31)), None);
        let it = item("x", FeeKind::Fee, s, FeeRounding::Cent);
        assert_eq!(
            it.amount(&value(Side::Buy, d(2019, 12, 31), Cents(100_000))),
            Cents::ZERO
        );
        assert_eq!(it.amount(&value(Side::Buy, d(2020, 1, 1), Cents(100_000))), Cents(100));
    }

    #[test]
    fn etf_pays_commission_only() {
        for day in [d(2006, 1, 4), d(2024, 1, 2)] {
            let c = CostModel::a_share_etf().costs(&value(Side::Sell, day, Cents(10_000_000)));
            let want = FillCosts {
                commission: Cents(2_500),
                taxes: Cents::ZERO,
                fees: Cents::ZERO,
            };
            assert_eq!(c, want);
        }
    }

    #[test]
    fn default_models_follow_the_exchange() {
        let sse_only = d(2010, 1, 4);
        let fee = |b| {
            CostModel::default_for(b)
                .costs(&trade(Side::Buy, sse_only, 10_000, 1_234))
                .fees
        };
        assert_eq!(fee(Board::SseMain), Cents(1_000));
        assert_eq!(fee(Board::Star), Cents(1_000));
        assert_eq!(fee(Board::SzseMain), Cents(315));
        assert_eq!(fee(Board::Chinext), Cents(315));
        assert_eq!(fee(Board::AShareEtf), Cents::ZERO);
        assert_eq!(CostModel::default_for(Board::Generic), CostModel::zero());
    }

    #[test]
    fn hk_stamp_duty_dates_and_rounding() {
        let m = CostModel::hkex();
        let v = Cents(10_000_000); // HK$100,000
        assert_eq!(m.costs(&value(Side::Buy, d(2021, 7, 30), v)).taxes, Cents(10_000)); // 0.1% = 100
        assert_eq!(m.costs(&value(Side::Buy, d(2021, 8, 1), v)).taxes, Cents(13_000)); // 0.13% = 130
        assert_eq!(m.costs(&value(Side::Sell, d(2023, 11, 16), v)).taxes, Cents(13_000));
        assert_eq!(m.costs(&value(Side::Sell, d(2023, 11, 17), v)).taxes, Cents(10_000)); // back to 0.1%
        // HK$12,345.67 × 0.1% = 12.34567 → rounded up to HK$13
        assert_eq!(
            m.costs(&value(Side::Buy, d(2024, 1, 2), Cents(1_234_567))).taxes,
            Cents(1_300)
        );
        // HK$100,000: trading fee 5.65 + SFC 2.70 + AFRC 0.15 = 8.50; commission 0.03% = 30.00
        let c = m.costs(&value(Side::Buy, d(2024, 1, 2), v));
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

    #[test]
    fn rates_apply_in_64_bits_as_in_128() {
        let wide = |rate: i64, value: i64, bias: i64| {
            Cents(((value as i128 * rate as i128 + bias as i128) / 1_000_000_000) as i64)
        };
        let mut values = vec![
            0,
            1,
            -1,
            999,
            1_000,
            101_500,
            i64::MAX,
            i64::MIN + 1,
            i64::MAX / 2_500_000,
        ];
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push((x as i64) >> (x % 64));
        }
        let rates = [
            0,
            1,
            25_500,
            250_000,
            500_000,
            1_000_000,
            4_000_000,
            1_000_000_000,
            3_000_000_000,
        ];
        for &v in &values {
            for rate in rates {
                // around the 64-bit limit of value × rate and of the bias added to it
                for v in [
                    v,
                    i64::MAX / rate.max(1),
                    i64::MAX / rate.max(1) - 1,
                    -(i64::MAX / rate.max(1)),
                ] {
                    assert_eq!(Rate(rate).apply(Cents(v)), wide(rate, v, 500_000_000), "{v} × {rate}");
                    assert_eq!(
                        Rate(rate).apply_ceil(Cents(v)),
                        wide(rate, v, 999_999_999),
                        "{v} × {rate}"
                    );
                }
            }
        }
    }
}
