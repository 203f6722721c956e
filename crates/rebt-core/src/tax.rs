//! Taxes on dividends, as date-aware data like the trading costs.
//!
//! **A-shares, individual investor** (股息红利个人所得税). The regime is chosen by the
//! dividend's record date (股权登记日), as the notices key it:
//!
//! | record date | at payment | at sale, by holding period (≤ 1 month / ≤ 1 year / longer) |
//! |---|---|---|
//! | before 2005-06-13 | 20% withheld | – |
//! | 2005-06-13 to 2012-12-31 | 10% withheld (财税〔2005〕102号: 50% of the dividend taxable) | – |
//! | 2013-01-01 to 2015-09-07 | 5% withheld (财税〔2012〕85号 §2, step one) | totals 20% / 10% / 5%: the excess over the 5% is collected |
//! | from 2015-09-08 | nothing (财税〔2015〕101号 §2: 暂不扣缴) | 20% / 10% / 0% (exempt after a year) |
//!
//! - 财税〔2005〕102号 (MOF, SAT, dated and effective 2005-06-13): "暂减按50%计入个人应纳税所得额".
//! - 财税〔2012〕85号 (MOF, SAT, CSRC; record dates from 2013-01-01): "持股期限在1个月以内（含1个月）的，
//!   其股息红利所得全额计入应纳税所得额；持股期限在1个月以上至1年（含1年）的，暂减按50%计入…；持股期限超过1年的，
//!   暂减按25%计入…". Two steps: 25% of the dividend taxable (5%) at payment for everyone, the
//!   rest "个人转让股票时" by the holding period at sale.
//! - 财税〔2015〕101号 (effective 2015-09-08): "持股期限超过1年的，股息红利所得暂免征收个人所得税"; for holdings
//!   up to a year the company withholds nothing and the tax is computed at sale.
//! - Holding period (85号 §1): from the day the shares were acquired to the day before the
//!   sale is delivered (A-shares deliver on the trade day), counted in calendar months and
//!   years ("持股一个月是指从上月某日至本月同日的前一日连续持股"), first in, first out (85号 §3). A lot
//!   bought on B and sold on S is within a month when S ≤ B + 1 month, within a year when
//!   S ≤ B + 1 year. The top-up is debited by the broker the trading day after the sale (CSDC,
//!   关于落实上市公司股息红利差别化个人所得税政策的通知, 2012-11-30: 次一交易日).
//! - Bonus shares from profits (送红股) are a dividend taxed on their par value (国税发〔1994〕89号
//!   §11), under the same holding-period tiers (CSDC's notice covers 股份股利 and 现金红利 alike);
//!   capitalisation shares from the share premium (资本公积转增) are not income (国税发〔1997〕198号).
//!
//! **Hong Kong stocks** held by a mainland individual through Stock Connect: 20% withheld at
//! payment, H shares by the company and other shares by CSDC (财税〔2014〕81号 from 2014-11-17,
//! 财税〔2016〕127号 from 2016-12-05); configurable ([`crate::EngineConfig::hk_dividend_withholding`]).
//!
//! A-share ETF distributions are not taxed for individuals; other instruments pay no tax.

use crate::costs::Rate;
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// How long a lot was held when sold, in the notices' tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingPeriod {
    /// One calendar month or less (持股1个月以内, 含1个月).
    UpToOneMonth,
    /// More than a month, up to one calendar year (1个月以上至1年, 含1年).
    UpToOneYear,
    /// More than a year.
    OverOneYear,
}

/// The holding period of shares acquired on `acquired` and sold on `sold`: within a month
/// when `sold ≤ acquired + 1 month`, within a year when `sold ≤ acquired + 1 year` (chrono's
/// month arithmetic clamps to a month's last day: bought on January 31, a sale on February 28
/// or 29 is still within the month).
pub fn holding_period(acquired: NaiveDate, sold: NaiveDate) -> HoldingPeriod {
    let month = acquired.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    let year = acquired.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX);
    if sold <= month {
        HoldingPeriod::UpToOneMonth
    } else if sold <= year {
        HoldingPeriod::UpToOneYear
    } else {
        HoldingPeriod::OverOneYear
    }
}

/// The A-share individual dividend-tax regime a dividend falls under (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AShareDividendRegime {
    /// Before 2005-06-13: 20% withheld at payment.
    Flat20,
    /// 2005-06-13 to 2012-12-31: 10% withheld at payment (财税〔2005〕102号).
    Flat10,
    /// 2013-01-01 to 2015-09-07: 5% at payment, the rest of 20% / 10% / 5% at sale
    /// (财税〔2012〕85号).
    Differentiated2013,
    /// From 2015-09-08: nothing at payment, 20% / 10% / 0% at sale (财税〔2015〕101号).
    Differentiated2015,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Rates in parts per billion (see [`Rate`]).
const PCT_20: Rate = Rate(200_000_000);
const PCT_10: Rate = Rate(100_000_000);
const PCT_5: Rate = Rate(50_000_000);

impl AShareDividendRegime {
    /// The regime of a dividend whose record date is `record_date`.
    pub fn for_record_date(record_date: NaiveDate) -> AShareDividendRegime {
        if record_date < date(2005, 6, 13) {
            AShareDividendRegime::Flat20
        } else if record_date < date(2013, 1, 1) {
            AShareDividendRegime::Flat10
        } else if record_date < date(2015, 9, 8) {
            AShareDividendRegime::Differentiated2013
        } else {
            AShareDividendRegime::Differentiated2015
        }
    }

    /// The share of the dividend withheld when it is paid.
    pub fn withheld_at_payment(self) -> Rate {
        match self {
            AShareDividendRegime::Flat20 => PCT_20,
            AShareDividendRegime::Flat10 => PCT_10,
            AShareDividendRegime::Differentiated2013 => PCT_5,
            AShareDividendRegime::Differentiated2015 => Rate(0),
        }
    }

    /// The whole tax on the dividend, as a share of it, for shares sold after `held`; the
    /// flat regimes settle everything at payment, so their rate is what was withheld.
    pub fn total_rate(self, held: HoldingPeriod) -> Rate {
        match (self, held) {
            (AShareDividendRegime::Flat20 | AShareDividendRegime::Flat10, _) => self.withheld_at_payment(),
            (_, HoldingPeriod::UpToOneMonth) => PCT_20,
            (_, HoldingPeriod::UpToOneYear) => PCT_10,
            (AShareDividendRegime::Differentiated2013, HoldingPeriod::OverOneYear) => PCT_5,
            (AShareDividendRegime::Differentiated2015, HoldingPeriod::OverOneYear) => Rate(0),
        }
    }

    /// Whether part of the tax waits for the sale.
    pub fn settles_at_sale(self) -> bool {
        matches!(
            self,
            AShareDividendRegime::Differentiated2013 | AShareDividendRegime::Differentiated2015
        )
    }
}

/// How an instrument's dividends are taxed in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DividendTax {
    /// No tax (costs off, ETFs, generic instruments).
    None,
    /// The A-share individual regimes.
    AShareIndividual,
    /// A flat rate withheld at payment (HK stocks through Stock Connect).
    Withholding(Rate),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holding_period_boundaries() {
        let b = date(2024, 1, 5);
        assert_eq!(holding_period(b, date(2024, 2, 5)), HoldingPeriod::UpToOneMonth);
        assert_eq!(holding_period(b, date(2024, 2, 6)), HoldingPeriod::UpToOneYear);
        assert_eq!(holding_period(b, date(2025, 1, 5)), HoldingPeriod::UpToOneYear);
        assert_eq!(holding_period(b, date(2025, 1, 6)), HoldingPeriod::OverOneYear);
        // the Q&A example: bought 2024-06-01, sold 2025-06-02 is exempt, 2025-06-01 is not
        assert_eq!(
            holding_period(date(2024, 6, 1), date(2025, 6, 1)),
            HoldingPeriod::UpToOneYear
        );
        assert_eq!(
            holding_period(date(2024, 6, 1), date(2025, 6, 2)),
            HoldingPeriod::OverOneYear
        );
        // month-end: January 31 + 1 month is February 29 in 2024
        assert_eq!(
            holding_period(date(2024, 1, 31), date(2024, 2, 29)),
            HoldingPeriod::UpToOneMonth
        );
        assert_eq!(
            holding_period(date(2024, 1, 31), date(2024, 3, 1)),
            HoldingPeriod::UpToOneYear
        );
    }

    #[test]
    fn regimes_by_record_date() {
        use AShareDividendRegime::*;
        let cases = [
            (date(2005, 6, 12), Flat20),
            (date(2005, 6, 13), Flat10),
            (date(2012, 12, 31), Flat10),
            (date(2013, 1, 1), Differentiated2013),
            (date(2015, 9, 7), Differentiated2013),
            (date(2015, 9, 8), Differentiated2015),
        ];
        for (d, regime) in cases {
            assert_eq!(AShareDividendRegime::for_record_date(d), regime, "{d}");
        }
    }

    #[test]
    fn rates_by_regime_and_holding() {
        use AShareDividendRegime::*;
        use HoldingPeriod::*;
        let pct = |r: Rate| r.0 as f64 / 1e7;
        assert_eq!(pct(Flat20.withheld_at_payment()), 20.0);
        assert_eq!(pct(Flat10.total_rate(UpToOneMonth)), 10.0);
        assert_eq!(pct(Differentiated2013.withheld_at_payment()), 5.0);
        assert_eq!(pct(Differentiated2013.total_rate(UpToOneMonth)), 20.0);
        assert_eq!(pct(Differentiated2013.total_rate(UpToOneYear)), 10.0);
        assert_eq!(pct(Differentiated2013.total_rate(OverOneYear)), 5.0);
        assert_eq!(pct(Differentiated2015.withheld_at_payment()), 0.0);
        assert_eq!(pct(Differentiated2015.total_rate(UpToOneMonth)), 20.0);
        assert_eq!(pct(Differentiated2015.total_rate(UpToOneYear)), 10.0);
        assert_eq!(pct(Differentiated2015.total_rate(OverOneYear)), 0.0);
        assert!(!Flat10.settles_at_sale() && Differentiated2015.settles_at_sale());
    }
}
