//! Instruments and the market they trade in. Metadata comes from a dataset manifest; where
//! there is none, [`Instrument::infer`] derives it from the symbol's exchange suffix and code
//! prefix (the table is in the README).

use crate::rules::{DailyLimit, NewListing, PriceLimitSchedule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Index of an instrument in a [`crate::Panel`]: a typed wrapper so it is never mixed up with
/// a day index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstrumentIx(pub u32);

impl InstrumentIx {
    /// As a `usize` for indexing.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// What an instrument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentKind {
    /// A listed stock.
    Equity,
    /// An exchange-traded fund.
    Etf,
    /// An index (signal-only unless marked tradable).
    Index,
    /// A commodity spot series (signal-only unless marked tradable).
    Commodity,
    /// An exchange rate: the price of one unit of the first currency in the second
    /// (`HKDCNY` = CNY per HKD).
    Fx,
}

/// The venue whose calendar and rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Market {
    /// Shanghai Stock Exchange.
    #[serde(rename = "SSE")]
    Sse,
    /// Shenzhen Stock Exchange.
    #[serde(rename = "SZSE")]
    Szse,
    /// Hong Kong Exchanges.
    #[serde(rename = "HKEX")]
    Hkex,
    /// Anything else: spot prices, indexes, foreign listings.
    #[serde(rename = "other")]
    Other,
}

/// The listing board, which fixes the default rules (lot, price band, settlement, costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Board {
    /// SSE main board (600/601/603/605): ±10%, T+1, lot 100.
    SseMain,
    /// SZSE main board (000/001/002/003): ±10%, T+1, lot 100.
    SzseMain,
    /// ChiNext (300/301.SZ): ±20% from 2020-08-24, ±10% before; T+1; lot 100.
    Chinext,
    /// STAR market (688/689.SH): ±20%, T+1, lot 100 for these rules.
    Star,
    /// A-share listed ETF (51/56/58.SH, 15/16.SZ): ±10%, T+1, lot 100, no stamp duty.
    AShareEtf,
    /// HKEX: no price limit, T+0, board lot from metadata (default 100).
    Hkex,
    /// No lot, no limit, T+0, no costs by default.
    Generic,
}

/// Currencies rebt can value positions in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    /// Chinese yuan.
    #[serde(rename = "CNY")]
    Cny,
    /// Hong Kong dollar.
    #[serde(rename = "HKD")]
    Hkd,
    /// US dollar.
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    /// ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Hkd => "HKD",
            Currency::Usd => "USD",
        }
    }

    /// Parse an ISO code.
    pub fn from_code(code: &str) -> Option<Currency> {
        match code {
            "CNY" => Some(Currency::Cny),
            "HKD" => Some(Currency::Hkd),
            "USD" => Some(Currency::Usd),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// When bought shares may be sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settlement {
    /// Sellable the same day.
    #[serde(rename = "T+0")]
    T0,
    /// Bought on day d, sellable from the next trading day.
    #[serde(rename = "T+1")]
    T1,
}

/// One instrument and the rules it trades under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// Identifier, e.g. `600111.SH`, `06680.HK`, `PRND_OXIDE`.
    pub symbol: String,
    /// Human name (may be empty).
    pub name: String,
    /// What it is.
    pub kind: InstrumentKind,
    /// Where it trades.
    pub market: Market,
    /// The listing board; fixes the default costs.
    pub board: Board,
    /// Currency its prices are quoted in.
    pub currency: Currency,
    /// Buy lot (shares per lot); 1 means no lot rule.
    pub lot: u32,
    /// Price tick.
    pub tick: f64,
    /// Daily price-limit bands by date.
    pub price_limit: PriceLimitSchedule,
    /// Settlement cycle.
    pub settlement: Settlement,
    /// Whether orders may be placed in it (indexes, commodities and FX default to no).
    pub tradable: bool,
    /// Its status by date: risk-warning (ST) windows, listing, delisting.
    #[serde(default, skip_serializing_if = "Status::is_unknown")]
    pub status: Status,
    /// Its group for portfolio caps (e.g. `upstream`, `magnets`, `hk`), from the manifest's
    /// `group`; `None` when not given. Optimiser allocators cap each group's weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// An instrument's status by date, from the manifest: when it traded under a risk warning
/// (ST / *ST), when it listed and at what issue price, when it was delisted, and the par
/// value of its shares (the taxable value of a bonus share).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Status {
    /// Risk-warning windows, each the first and last day under the warning (inclusive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub st: Vec<(NaiveDate, NaiveDate)>,
    /// The first trading day (上市日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<NaiveDate>,
    /// The IPO issue price, the reference of the first day's limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipo_price: Option<f64>,
    /// The first day the shares are no longer listed (摘牌): a position still held is settled
    /// that day as [`crate::EngineConfig::delisting`] says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisted: Option<NaiveDate>,
    /// Par value per share (面值), when not 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par_value: Option<f64>,
}

impl Status {
    /// True when nothing is known beyond the defaults.
    pub fn is_unknown(&self) -> bool {
        *self == Status::default()
    }

    /// Whether the instrument trades under a risk warning on `date`.
    pub fn is_st_on(&self, date: NaiveDate) -> bool {
        self.st.iter().any(|&(from, to)| from <= date && date <= to)
    }

    /// Par value per share (1 unless the manifest says otherwise).
    pub fn par(&self) -> f64 {
        self.par_value.unwrap_or(1.0)
    }
}

fn chinext_reform() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 8, 24).expect("valid date")
}

impl Instrument {
    /// Metadata inferred from a symbol alone:
    ///
    /// | symbol | board | band | settlement | lot |
    /// |---|---|---|---|---|
    /// | `600/601/603/605.SH` | SSE main | ±10% | T+1 | 100 |
    /// | `000/001/002/003.SZ` | SZSE main | ±10% | T+1 | 100 |
    /// | `300/301.SZ` | ChiNext | ±20% from 2020-08-24, ±10% before | T+1 | 100 |
    /// | `688/689.SH` | STAR | ±20% | T+1 | 100 |
    /// | `51/56/58xxxx.SH`, `15/16xxxx.SZ` | A-share ETF | ±10% | T+1 | 100 |
    /// | `000xxx.SH`, `399xxx.SZ`, `*.CSI`, `HSI` | index (signal-only) | – | – | – |
    /// | `*.HK` | HKEX | none | T+0 | 100 |
    /// | `HKDCNY`-style pairs | FX (signal-only) | – | – | – |
    /// | anything else | generic | none | T+0 | 1 |
    ///
    /// The suffix is read in any case (`600111.sh` is an SSE main-board share: some vendors
    /// write it so, and generic rules would silently drop the lot, band and T+1); the symbol
    /// itself is kept as given.
    ///
    /// `base` is the currency given to instruments whose symbol does not say.
    pub fn infer(symbol: &str, base: Currency) -> Instrument {
        let (code, suffix) = symbol.rsplit_once('.').unwrap_or((symbol, ""));
        let suffix = suffix.to_ascii_uppercase();
        let digits = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        let prefix = |p: &[&str]| digits && p.iter().any(|x| code.starts_with(x));
        let mut inst = Instrument::generic(symbol, base);
        match suffix.as_str() {
            "SH" if prefix(&["600", "601", "603", "605"]) => inst.a_share(Market::Sse, Board::SseMain),
            "SH" if prefix(&["688", "689"]) => inst.a_share(Market::Sse, Board::Star),
            "SH" if prefix(&["51", "56", "58"]) => inst.a_share(Market::Sse, Board::AShareEtf),
            "SH" if prefix(&["000"]) => inst.index(Market::Sse, Currency::Cny),
            "SZ" if prefix(&["000", "001", "002", "003"]) => inst.a_share(Market::Szse, Board::SzseMain),
            "SZ" if prefix(&["300", "301"]) => inst.a_share(Market::Szse, Board::Chinext),
            "SZ" if prefix(&["15", "16"]) => inst.a_share(Market::Szse, Board::AShareEtf),
            "SZ" if prefix(&["399"]) => inst.index(Market::Szse, Currency::Cny),
            "CSI" => inst.index(Market::Other, Currency::Cny),
            "HK" => {
                inst.market = Market::Hkex;
                inst.board = Board::Hkex;
                inst.currency = Currency::Hkd;
                inst.lot = 100;
            }
            _ if symbol == "HSI" => inst.index(Market::Hkex, Currency::Hkd),
            _ if Instrument::fx_pair(symbol).is_some() => {
                inst.kind = InstrumentKind::Fx;
                inst.tradable = false;
            }
            _ => {}
        }
        inst
    }

    /// A generic tradable instrument: no lot, no limit, T+0.
    pub fn generic(symbol: &str, currency: Currency) -> Instrument {
        Instrument {
            symbol: symbol.to_string(),
            name: String::new(),
            kind: InstrumentKind::Equity,
            market: Market::Other,
            board: Board::Generic,
            currency,
            lot: 1,
            tick: 0.01,
            price_limit: PriceLimitSchedule::none(),
            settlement: Settlement::T0,
            tradable: true,
            status: Status::default(),
            group: None,
        }
    }

    fn a_share(&mut self, market: Market, board: Board) {
        self.market = market;
        self.board = board;
        self.currency = Currency::Cny;
        self.lot = 100;
        self.settlement = Settlement::T1;
        self.kind = if board == Board::AShareEtf {
            InstrumentKind::Etf
        } else {
            InstrumentKind::Equity
        };
        self.price_limit = match board {
            Board::Chinext => {
                PriceLimitSchedule::from_rows(vec![(NaiveDate::MIN, Some(1000)), (chinext_reform(), Some(2000))])
            }
            Board::Star => PriceLimitSchedule::constant(2000),
            _ => PriceLimitSchedule::constant(1000),
        };
    }

    fn index(&mut self, market: Market, currency: Currency) {
        self.kind = InstrumentKind::Index;
        self.market = market;
        self.currency = currency;
        self.tradable = false;
    }

    /// For an FX symbol such as `HKDCNY`, the (from, to) currencies.
    pub fn fx_pair(symbol: &str) -> Option<(Currency, Currency)> {
        if symbol.len() != 6 {
            return None;
        }
        let from = Currency::from_code(&symbol[..3])?;
        let to = Currency::from_code(&symbol[3..])?;
        (from != to).then_some((from, to))
    }

    /// The daily price limit on `date`, given which trading day since listing it is
    /// (`listing_day` = 1 on the listing day; `None` when the listing is unknown or lies
    /// before the data). See [`crate::rules`] for the rules and their sources.
    pub fn daily_limit_on(&self, date: NaiveDate, listing_day: Option<usize>) -> DailyLimit {
        if let (Some(listed), Some(n)) = (self.status.listed, listing_day) {
            match crate::rules::new_listing_rule(self.board, listed) {
                NewListing::NoLimitDays(days) if n <= days => return DailyLimit::None,
                NewListing::FirstDayOfIssuePrice { up_bp, down_bp } if n == 1 => {
                    return DailyLimit::FirstDay { up_bp, down_bp };
                }
                NewListing::FirstDayUnlimited if n == 1 => return DailyLimit::None,
                _ => {}
            }
        }
        let band = self.price_limit.band_bp_on(date);
        if band.is_some()
            && self.status.is_st_on(date)
            && let Some(st) = crate::rules::st_band_bp(self.board, date)
        {
            return DailyLimit::Band(st);
        }
        band.map_or(DailyLimit::None, DailyLimit::Band)
    }

    /// True for instruments of an A-share board (stocks and ETFs of SSE and SZSE).
    pub fn is_a_share(&self) -> bool {
        matches!(
            self.board,
            Board::SseMain | Board::SzseMain | Board::Chinext | Board::Star | Board::AShareEtf
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_table() {
        let cases: &[(&str, Board, InstrumentKind, u32, Settlement, bool)] = &[
            (
                "600111.SH",
                Board::SseMain,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "605001.SH",
                Board::SseMain,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "000831.SZ",
                Board::SzseMain,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "003001.SZ",
                Board::SzseMain,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "300748.SZ",
                Board::Chinext,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "301001.SZ",
                Board::Chinext,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "688001.SH",
                Board::Star,
                InstrumentKind::Equity,
                100,
                Settlement::T1,
                true,
            ),
            (
                "159715.SZ",
                Board::AShareEtf,
                InstrumentKind::Etf,
                100,
                Settlement::T1,
                true,
            ),
            (
                "06680.HK",
                Board::Hkex,
                InstrumentKind::Equity,
                100,
                Settlement::T0,
                true,
            ),
            (
                "000001.SH",
                Board::Generic,
                InstrumentKind::Index,
                1,
                Settlement::T0,
                false,
            ),
            (
                "399001.SZ",
                Board::Generic,
                InstrumentKind::Index,
                1,
                Settlement::T0,
                false,
            ),
            (
                "930598.CSI",
                Board::Generic,
                InstrumentKind::Index,
                1,
                Settlement::T0,
                false,
            ),
            ("HKDCNY", Board::Generic, InstrumentKind::Fx, 1, Settlement::T0, false),
            ("MP", Board::Generic, InstrumentKind::Equity, 1, Settlement::T0, true),
            (
                "900901.SH",
                Board::Generic,
                InstrumentKind::Equity,
                1,
                Settlement::T0,
                true,
            ),
        ];
        for &(sym, board, kind, lot, settlement, tradable) in cases {
            let i = Instrument::infer(sym, Currency::Cny);
            assert_eq!(
                (i.board, i.kind, i.lot, i.settlement, i.tradable),
                (board, kind, lot, settlement, tradable),
                "{sym}"
            );
        }
        assert_eq!(Instrument::infer("06680.HK", Currency::Cny).currency, Currency::Hkd);
        // the suffix in any case: the same rules, the symbol as given
        for (lower, upper) in [
            ("600111.sh", "600111.SH"),
            ("300748.Sz", "300748.SZ"),
            ("06680.hk", "06680.HK"),
        ] {
            let (l, u) = (
                Instrument::infer(lower, Currency::Cny),
                Instrument::infer(upper, Currency::Cny),
            );
            assert_eq!(l.symbol, lower);
            assert_eq!(
                Instrument {
                    symbol: upper.into(),
                    ..l
                },
                u,
                "{lower}"
            );
        }
    }

    #[test]
    fn chinext_band_changes_on_2020_08_24() {
        let i = Instrument::infer("300748.SZ", Currency::Cny);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(i.price_limit.band_bp_on(d(2020, 8, 21)), Some(1000));
        assert_eq!(i.price_limit.band_bp_on(d(2020, 8, 24)), Some(2000));
        let main = Instrument::infer("600111.SH", Currency::Cny);
        assert_eq!(main.price_limit.band_bp_on(d(2020, 8, 24)), Some(1000));
        assert_eq!(
            Instrument::infer("06680.HK", Currency::Cny)
                .price_limit
                .band_bp_on(d(2024, 1, 2)),
            None
        );
    }
}
