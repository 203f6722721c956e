//! The rare-earth dataset's universe and every number the generator is given: factor
//! loadings (calibrated, see `datasets/rare-earth/CALIBRATION.md`), anchors (the published
//! figures of `seed-facts.md`, marked `PIN`, and my own shape anchors that keep levels
//! plausible, marked `shape`), suspensions, margin and fundamentals parameters.
//!
//! Every anchor date must be a trading day of the instrument's calendar (a unit test checks).

use super::path::{Anchor, Level, Ymd};

/// First and last day of the bars.
pub(super) const FIRST_DAY: Ymd = (2018, 1, 2);
pub(super) const LAST_DAY: Ymd = (2026, 1, 30);

/// GARCH(1,1) persistence of every factor and idiosyncratic variance.
pub(super) const GARCH_ALPHA: f64 = 0.15;
pub(super) const GARCH_BETA: f64 = 0.83;

/// Long-run daily volatility of the A-share market factor (the SSE Composite's, measured
/// 0.0109 on 2018-01-02..2026-01-30).
pub(super) const MARKET_VOL: f64 = 0.0106;
/// Hong Kong market factor: loading on the A-share factor and own volatility, so that the
/// Hang Seng has daily volatility ≈ 0.0147 and correlation ≈ 0.60 with the SSE Composite.
pub(super) const HK_ON_MARKET: f64 = 0.90;
pub(super) const HK_OWN_VOL: f64 = 0.0112;
/// Share of the rare-earth factor's daily variance driven by the PrNd oxide price: the factor
/// is `√w·z_PrNd + √(1−w)·z_own`.
pub(super) const PRND_SHARE_OF_FACTOR: f64 = 0.09;

/// Sector news: on this share of days the rare-earth factor jumps by ±(size + |N|) of its
/// daily standard deviations, upwards with this probability (policy and export-control news
/// lifts the whole sector to limit-up far more often than it sinks it).
pub(super) const SECTOR_JUMP_PROB: f64 = 0.02;
pub(super) const SECTOR_JUMP_SIZE: f64 = 4.0;
pub(super) const SECTOR_JUMP_UP: f64 = 0.72;
/// Company news: on this share of a stock's days its return jumps by ±size·(1 + 0.3|N|).
pub(super) const STOCK_JUMP_PROB: f64 = 0.01;
pub(super) const STOCK_JUMP_SIZE: f64 = 0.075;
pub(super) const STOCK_JUMP_UP: f64 = 0.7;

/// A-share, ETF and Hong Kong stock parameters.
pub(super) struct EquitySpec {
    pub symbol: &'static str,
    pub name: &'static str,
    /// The manifest's `group`, for the optimiser allocators' `group_max`: `upstream` (miners,
    /// separators and smelters of rare earths and tungsten, and Baotou Steel, which supplies
    /// Northern Rare Earth's concentrate), `magnets` (NdFeB magnet makers) or `hk` (the Hong
    /// Kong listings, whatever their business: another market, currency and calendar).
    pub group: &'static str,
    /// First bar, when the instrument lists after the dataset's first day.
    pub listed: Option<Ymd>,
    /// Loading on the market factor (A-shares: the A-share factor; HK: the HK factor).
    pub beta: f64,
    /// Loading on the unit-variance rare-earth factor.
    pub rare_earth: f64,
    /// Loading on the unit-variance magnet-makers-versus-miners factor.
    pub magnet: f64,
    /// Long-run idiosyncratic daily volatility.
    pub idio: f64,
    /// Typical daily volume in shares.
    pub volume: f64,
    /// Board lot (HK) or buy lot (A-shares: 100).
    pub lot: u32,
    pub anchors: &'static [Anchor],
    /// Inclusive (first, last) suspended days: no bars.
    pub suspensions: &'static [(Ymd, Ymd)],
}

const fn at(date: Ymd, level: f64) -> Anchor {
    Anchor(date, Level::At(level))
}

const fn times(date: Ymd, base: Ymd, ratio: f64) -> Anchor {
    Anchor(date, Level::Times(base, ratio))
}

const fn before(date: Ymd, later: Ymd, ratio: f64) -> Anchor {
    Anchor(date, Level::Before(later, ratio))
}

const END_2024: Ymd = (2024, 12, 31);
const END_2025: Ymd = (2025, 12, 31);
const JAN_16: Ymd = (2026, 1, 16);
const JUL_24: Ymd = (2025, 7, 24);
/// The E Fund CSI Rare Earth Industry ETF's inception (fund contract effective 2021-09-01,
/// from its periodic reports); the benchmark's "since launch" return starts here.
pub(super) const ETF_INCEPTION: Ymd = (2021, 9, 1);
/// The ETF's first trading day: an ASSUMPTION (the listing date is not in the sources).
pub(super) const ETF_LISTED: Ymd = (2021, 9, 17);
/// PIN: ETF cumulative return since launch 76.43% at 2025-10-31.
pub(super) const ETF_RETURN_TO: (Ymd, f64) = ((2025, 10, 31), 1.7643);
/// The ETF's launch NAV.
pub(super) const ETF_LAUNCH_PRICE: f64 = 1.0;

/// The ten A-shares (loadings and idiosyncratic volatility from `calibrate.py --params`).
pub(super) const A_SHARES: [EquitySpec; 10] = [
    EquitySpec {
        symbol: "600111.SH",
        name: "China Northern Rare Earth",
        group: "upstream",
        listed: None,
        beta: 1.311,
        rare_earth: 0.0207,
        magnet: -0.0068,
        idio: 0.0111,
        volume: 87_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 14.10),
            at((2019, 1, 31), 9.60),
            at((2021, 9, 1), 28.40),
            at((2022, 4, 26), 22.10),
            at((2024, 2, 5), 16.90),
            at(END_2024, 24.37),
            at((2025, 10, 31), 45.80),
            at(END_2025, 49.60),
            times(JAN_16, END_2024, 2.052), // PIN +105.2% 2025-01-01 → 2026-01-16
            at((2026, 1, 30), 50.60),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "000831.SZ",
        name: "China Rare Earth",
        group: "upstream",
        listed: None,
        beta: 1.294,
        rare_earth: 0.023,
        magnet: -0.0062,
        idio: 0.0145,
        volume: 38_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 16.80),
            at((2019, 1, 31), 11.20),
            at((2021, 9, 1), 33.50),
            at((2022, 4, 26), 26.00),
            at((2024, 2, 5), 20.40),
            at(END_2024, 28.60),
            at((2025, 10, 31), 52.00),
            times(JAN_16, END_2024, 1.985), // PIN +98.5%
            at((2026, 1, 30), 55.90),
        ],
        suspensions: &[((2023, 6, 12), (2023, 6, 14))],
    },
    EquitySpec {
        symbol: "600392.SH",
        name: "Shenghe Resources",
        group: "upstream",
        listed: None,
        beta: 1.477,
        rare_earth: 0.0205,
        magnet: -0.005,
        idio: 0.0158,
        volume: 58_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 12.60),
            at((2019, 1, 31), 8.10),
            at((2021, 9, 1), 19.50),
            at((2022, 4, 26), 15.20),
            at((2024, 2, 5), 8.70),
            at(END_2024, 11.80),
            at((2025, 10, 31), 21.90),
            at(JAN_16, 23.60),
            at((2026, 1, 30), 23.10),
        ],
        suspensions: &[((2021, 3, 8), (2021, 3, 12))],
    },
    EquitySpec {
        symbol: "300748.SZ",
        name: "JL Mag Rare-Earth",
        group: "magnets",
        listed: Some((2018, 9, 21)),
        beta: 1.167,
        rare_earth: 0.0213,
        magnet: 0.0079,
        idio: 0.0268,
        volume: 17_000_000.0,
        lot: 100,
        anchors: &[
            // IPO at 5.39; a new ChiNext listing could close at most 44% above its issue price.
            at((2018, 9, 21), 7.76),
            at((2019, 1, 31), 17.50),
            at((2021, 9, 1), 45.00),
            at((2022, 4, 26), 33.00),
            at((2024, 2, 5), 16.80),
            at(END_2024, 24.10),
            at((2025, 10, 31), 39.60),
            times(JAN_16, END_2024, 1.723), // PIN +72.3%
            at((2026, 1, 30), 40.80),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "600549.SH",
        name: "Xiamen Tungsten",
        group: "upstream",
        listed: None,
        beta: 1.29,
        rare_earth: 0.0138,
        magnet: -0.0027,
        idio: 0.0158,
        volume: 24_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 18.90),
            at((2019, 1, 31), 11.60),
            at((2021, 9, 1), 25.50),
            at((2022, 4, 26), 20.20),
            at((2024, 2, 5), 19.10),
            at(END_2024, 21.80),
            at((2025, 10, 31), 36.80),
            at(JAN_16, 42.50),
            at((2026, 1, 30), 43.20),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "300224.SZ",
        name: "Yantai Zhenghai Magnetic Material",
        group: "magnets",
        listed: None,
        beta: 1.36,
        rare_earth: 0.0202,
        magnet: 0.011,
        idio: 0.0156,
        volume: 17_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 8.60),
            at((2019, 1, 31), 5.70),
            at((2021, 9, 1), 13.10),
            at((2022, 4, 26), 10.20),
            at((2024, 2, 5), 8.10),
            at(END_2024, 11.20),
            at((2025, 10, 31), 18.60),
            times(JAN_16, END_2024, 1.782), // PIN +78.2%
            at((2026, 1, 30), 19.50),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "300127.SZ",
        name: "Chengdu Galaxy Magnets",
        group: "magnets",
        listed: None,
        beta: 1.22,
        rare_earth: 0.0218,
        magnet: 0.0099,
        idio: 0.0185,
        volume: 9_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 17.20),
            at((2019, 1, 31), 11.30),
            at((2021, 9, 1), 18.40),
            at((2022, 4, 26), 14.90),
            at((2024, 2, 5), 11.20),
            at(END_2024, 15.60),
            at((2025, 10, 31), 26.40),
            times(JAN_16, END_2024, 1.821), // PIN +82.1%
            at((2026, 1, 30), 27.90),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "600010.SH",
        name: "Inner Mongolia Baotou Steel Union",
        group: "upstream",
        listed: None,
        beta: 1.083,
        rare_earth: 0.0105,
        magnet: -0.0026,
        idio: 0.0175,
        volume: 489_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 2.58),
            at((2019, 1, 31), 1.78),
            at((2021, 9, 1), 2.95),
            at((2022, 4, 26), 2.30),
            at((2024, 2, 5), 1.62),
            at(END_2024, 1.88),
            at((2025, 10, 31), 2.62),
            at(JAN_16, 2.74),
            at((2026, 1, 30), 2.70),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "600259.SH",
        name: "Rising Nonferrous Metals (Guangsheng)",
        group: "upstream",
        listed: None,
        beta: 1.311,
        rare_earth: 0.0209,
        magnet: -0.0043,
        idio: 0.0158,
        volume: 9_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 36.40),
            at((2019, 1, 31), 24.10),
            at((2021, 9, 1), 48.00),
            at((2022, 4, 26), 38.50),
            at((2024, 2, 5), 27.10),
            at(END_2024, 34.50),
            at((2025, 10, 31), 52.60),
            at(JAN_16, 55.90),
            at((2026, 1, 30), 54.80),
        ],
        suspensions: &[((2019, 6, 10), (2019, 6, 21))],
    },
    EquitySpec {
        symbol: "000970.SZ",
        name: "Beijing Zhong Ke San Huan High-Tech",
        group: "magnets",
        listed: None,
        beta: 1.306,
        rare_earth: 0.0147,
        magnet: 0.0056,
        idio: 0.0143,
        volume: 27_000_000.0,
        lot: 100,
        anchors: &[
            at((2018, 1, 2), 11.60),
            at((2019, 1, 31), 8.10),
            at((2021, 9, 1), 15.20),
            at((2022, 4, 26), 12.00),
            at((2024, 2, 5), 8.20),
            at(END_2024, 11.00),
            at((2025, 10, 31), 15.10),
            at(JAN_16, 16.60),
            at((2026, 1, 30), 16.20),
        ],
        suspensions: &[((2020, 11, 23), (2020, 11, 27))],
    },
];

/// Issue prices of the shares that list within the data: JL Mag's A-share IPO at 5.39 CNY,
/// listed on ChiNext 2018-09-21 (issue announcement, http://www.yjcf360.com/xinguyaowen/17284069.htm;
/// listing notice, http://www.tjxzdmb.com/ganzhou/21638.html). JL Mag H (2022-01-14) has no
/// verified offer price here, and Hong Kong has no price limit it would set.
pub(super) const IPO_PRICES: [(&str, f64); 1] = [("300748.SZ", 5.39)];

/// Number of one-word limit-up days after JL Mag's IPO (new ChiNext listings before the 2020
/// reform typically opened with a run of them).
pub(super) const IPO_LIMIT_UP_DAYS: usize = 8;

/// The four Hong Kong shares. Loadings are judgement (no real HK stock series to calibrate
/// against); board lots as stated in the README.
pub(super) const HK_SHARES: [EquitySpec; 4] = [
    EquitySpec {
        symbol: "06680.HK",
        name: "JL Mag Rare-Earth (H)",
        group: "hk",
        listed: Some((2022, 1, 14)),
        beta: 1.15,
        rare_earth: 0.0190,
        magnet: 0.0110,
        idio: 0.0200,
        volume: 1_800_000.0,
        lot: 200,
        anchors: &[
            at((2022, 1, 14), 28.00),
            at((2022, 7, 22), 22.50),
            at((2024, 2, 5), 10.60),
            at(END_2024, 16.40),
            at((2025, 6, 30), 23.50),
            at((2025, 7, 23), 26.90),
            times(JUL_24, (2025, 7, 23), 1.052), // PIN HK rare-earth shares +5.2%
            at(JAN_16, 33.10),
            at((2026, 1, 30), 32.40),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "00769.HK",
        name: "China Rare Earth Holdings",
        group: "hk",
        listed: None,
        beta: 0.85,
        rare_earth: 0.0200,
        magnet: 0.0,
        idio: 0.0270,
        volume: 9_000_000.0,
        lot: 2000,
        anchors: &[
            at((2018, 1, 2), 0.560),
            at((2019, 1, 31), 0.385),
            at((2021, 9, 1), 1.05),
            at((2022, 4, 26), 0.68),
            at((2024, 2, 5), 0.300),
            at(END_2024, 0.395),
            at(JUL_24, 0.64),
            at(JAN_16, 0.78),
            at((2026, 1, 30), 0.76),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "01208.HK",
        name: "MMG",
        group: "hk",
        listed: None,
        beta: 1.20,
        rare_earth: 0.0060,
        magnet: 0.0,
        idio: 0.0230,
        volume: 30_000_000.0,
        lot: 4000,
        anchors: &[
            at((2018, 1, 2), 5.60),
            at((2019, 1, 31), 3.10),
            at((2020, 3, 19), 1.62),
            at((2021, 9, 1), 3.90),
            at((2022, 10, 31), 1.95),
            at((2024, 2, 5), 2.10),
            at(END_2024, 2.55),
            at(JAN_16, 4.90),
            at((2026, 1, 30), 5.05),
        ],
        suspensions: &[],
    },
    EquitySpec {
        symbol: "02600.HK",
        name: "Aluminum Corporation of China (H)",
        group: "hk",
        listed: None,
        beta: 1.10,
        rare_earth: 0.0050,
        magnet: 0.0,
        idio: 0.0175,
        volume: 40_000_000.0,
        lot: 2000,
        anchors: &[
            at((2018, 1, 2), 5.55),
            at((2019, 1, 31), 2.65),
            at((2020, 3, 19), 1.62),
            at((2021, 9, 1), 5.80),
            at((2022, 10, 31), 2.95),
            at((2024, 2, 5), 4.10),
            at(END_2024, 4.95),
            at(JAN_16, 9.20),
            at((2026, 1, 30), 9.05),
        ],
        suspensions: &[((2024, 5, 20), (2024, 5, 21))],
    },
];

/// The ETF 159715.SZ: tracks 930598.CSI with this daily tracking noise.
pub(super) const ETF_SYMBOL: &str = "159715.SZ";
pub(super) const ETF_NAME: &str = "E Fund CSI Rare Earth Industry ETF";
pub(super) const ETF_TRACKING_VOL: f64 = 0.0012;
pub(super) const ETF_VOLUME: f64 = 40_000_000.0;

/// An index or FX series built from the factors: loadings, own noise, anchors.
pub(super) struct FactorSeries {
    pub symbol: &'static str,
    pub name: &'static str,
    pub beta: f64,
    pub rare_earth: f64,
    pub magnet: f64,
    /// Own daily noise.
    pub noise: f64,
    /// Typical daily volume (shares) and average share price for the amount; 0 for none.
    pub volume: f64,
    pub share_price: f64,
    pub anchors: &'static [Anchor],
}

pub(super) const BENCHMARK: &str = "930598.CSI";

/// The A-share indexes, on the SSE calendar; the rare-earth index's loadings are the
/// average of its constituents'.
pub(super) const A_INDEXES: [FactorSeries; 3] = [
    FactorSeries {
        symbol: "000001.SH",
        name: "SSE Composite",
        beta: 1.0,
        rare_earth: 0.0,
        magnet: 0.0,
        noise: 0.0018,
        volume: 32_000_000_000.0,
        share_price: 12.0,
        anchors: &[
            at((2018, 1, 2), 3349.00),
            at((2019, 1, 3), 2464.00),
            at((2021, 2, 18), 3696.00),
            at((2022, 4, 26), 2886.00),
            at((2024, 2, 5), 2702.00),
            at(END_2024, 3351.00),
            at((2025, 4, 3), 3260.00),
            before((2025, 4, 7), JUL_24, 1.19), // PIN Shanghai +19% since April 2025 (its April low)
            at((2025, 4, 30), 3280.00),
            before((2025, 7, 23), JUL_24, 1.0065), // PIN Shanghai +0.65% on 2025-07-24
            at(JUL_24, 3605.00),
            at(END_2025, 3968.00),
            at((2026, 1, 30), 4110.00),
        ],
    },
    FactorSeries {
        symbol: "399001.SZ",
        name: "SZSE Component",
        beta: 1.23,
        rare_earth: 0.0,
        magnet: 0.0,
        noise: 0.0055,
        volume: 42_000_000_000.0,
        share_price: 12.5,
        anchors: &[
            at((2018, 1, 2), 11330.00),
            at((2019, 1, 3), 7090.00),
            at((2021, 2, 18), 15950.00),
            at((2022, 4, 26), 10360.00),
            at((2024, 2, 5), 7880.00),
            at(END_2024, 10410.00),
            before((2025, 7, 23), JUL_24, 1.0121), // PIN Shenzhen +1.21% on 2025-07-24
            at(JUL_24, 11190.00),
            at(END_2025, 13520.00),
            at((2026, 1, 30), 14060.00),
        ],
    },
    FactorSeries {
        symbol: BENCHMARK,
        name: "CSI Rare Earth Industry",
        beta: 1.30,
        rare_earth: 0.0185,
        magnet: -0.0005,
        noise: 0.0030,
        volume: 2_500_000_000.0,
        share_price: 18.0,
        anchors: &[
            at((2018, 1, 2), 1520.00),
            at((2019, 1, 31), 1010.00),
            at(ETF_INCEPTION, 1880.00),
            at((2022, 4, 26), 1610.00),
            at((2024, 2, 5), 1190.00),
            at(END_2024, 1600.00),
            // PIN the ETF beat its benchmark by 13.83 points: 76.43 − 13.83 = 62.60%.
            times((2025, 10, 31), ETF_INCEPTION, 1.6260),
            at(JAN_16, 3180.00),
            at((2026, 1, 30), 3150.00),
        ],
    },
];

/// The Hang Seng Index, on the HKEX calendar.
pub(super) const HSI: FactorSeries = FactorSeries {
    symbol: "HSI",
    name: "Hang Seng Index",
    beta: 1.0,
    rare_earth: 0.0,
    magnet: 0.0,
    noise: 0.0015,
    volume: 0.0,
    share_price: 0.0,
    anchors: &[
        at((2018, 1, 2), 30510.00),
        at((2018, 10, 30), 24590.00),
        at((2020, 3, 19), 21710.00),
        at((2021, 2, 17), 30960.00),
        at((2021, 11, 16), 25860.00),
        at((2022, 10, 31), 14690.00),
        at((2024, 1, 22), 14960.00),
        at((2024, 10, 7), 23100.00),
        at(END_2024, 20060.00),
        at((2025, 6, 30), 24070.00),
        before((2025, 7, 23), JUL_24, 1.0051), // PIN +0.51% on 2025-07-24
        at(JUL_24, 25667.00),                  // PIN close 25,667
        at(END_2025, 25630.00),
        at((2026, 1, 30), 26810.00),
    ],
};

/// HKDCNY (CNY per HKD), on every day either market trades.
pub(super) const FX: FactorSeries = FactorSeries {
    symbol: "HKDCNY",
    name: "HKD/CNY (CNY per HKD)",
    beta: 0.0,
    rare_earth: 0.0,
    magnet: 0.0,
    noise: 0.0017,
    volume: 0.0,
    share_price: 0.0,
    anchors: &[
        at((2018, 1, 2), 0.8330),
        at((2018, 12, 28), 0.8780),
        at((2019, 12, 31), 0.8950),
        at((2020, 5, 29), 0.9190),
        at((2021, 5, 31), 0.8210),
        at((2022, 10, 31), 0.9220),
        at((2023, 9, 8), 0.9280),
        at(END_2024, 0.9260),
        at(END_2025, 0.9040),
        at((2026, 1, 30), 0.8930),
    ],
};
/// The FX path stays inside this band (CNY per HKD).
pub(super) const FX_RANGE: (f64, f64) = (0.8120, 0.9290);

/// A commodity spot series on the SSE calendar, CNY per tonne.
pub(super) struct CommoditySpec {
    pub symbol: &'static str,
    pub name: &'static str,
    pub anchors: &'static [Anchor],
}

pub(super) const PRND_OXIDE: CommoditySpec = CommoditySpec {
    symbol: "PRND_OXIDE",
    name: "Praseodymium-neodymium oxide, CNY/t (spot, synthetic)",
    anchors: &[
        at((2018, 1, 2), 430_000.0),
        at((2018, 12, 28), 305_000.0),
        at((2019, 6, 3), 340_000.0),
        at((2020, 4, 1), 255_000.0),
        at((2020, 12, 31), 415_000.0),
        at((2021, 12, 31), 880_000.0),
        at((2022, 2, 24), 1_085_000.0),
        at((2022, 12, 30), 715_000.0),
        at((2023, 12, 29), 468_000.0),
        at((2024, 6, 28), 372_000.0),
        at(END_2024, 412_000.0),
        at((2025, 5, 30), 445_000.0),
        at((2025, 8, 15), 590_000.0),
        before((2025, 10, 20), (2025, 11, 20), 555_000.0 / 505_000.0), // PIN +50,000 on the month
        before((2025, 11, 13), (2025, 11, 20), 555_000.0 / 545_000.0), // PIN +10,000 on the week
        at((2025, 11, 20), 555_000.0),                                 // PIN 555,000
        before(END_2025, JAN_16, 1.1188),                              // PIN +11.88% since before New Year
        at(JAN_16, 682_500.0),                                         // PIN 682,500
        at((2026, 1, 30), 701_000.0),
    ],
};

/// PrNd alloy: the oxide times a slowly varying ratio around this, pinned at the end.
pub(super) const PRND_ALLOY_RATIO: f64 = 1.215;
pub(super) const PRND_ALLOY: CommoditySpec = CommoditySpec {
    symbol: "PRND_ALLOY",
    name: "Praseodymium-neodymium alloy, CNY/t (spot, synthetic)",
    anchors: &[
        before(END_2025, JAN_16, 1.1153), // PIN +11.53%
        at(JAN_16, 822_500.0),            // PIN 822,500
    ],
};

/// Nd oxide: the PrNd oxide times a slowly varying premium around this; its 2024 and 2025
/// averages are pinned.
pub(super) const ND_OXIDE_PREMIUM: f64 = 1.02;
pub(super) const ND_OXIDE: CommoditySpec = CommoditySpec {
    symbol: "ND_OXIDE",
    name: "Neodymium oxide, CNY/t (spot, synthetic)",
    anchors: &[],
};
/// PIN: 2025 average 508,700, +27.4% on 2024 (so the 2024 average is 508,700 / 1.274).
pub(super) const ND_OXIDE_AVERAGES: [(i32, f64); 2] = [(2024, 508_700.0 / 1.274), (2025, 508_700.0)];

pub(super) const DY_OXIDE: CommoditySpec = CommoditySpec {
    symbol: "DY_OXIDE",
    name: "Dysprosium oxide, CNY/t (spot, synthetic)",
    anchors: &[
        at((2018, 1, 2), 1_230_000.0),
        at((2019, 6, 3), 1_480_000.0),
        at((2020, 4, 1), 1_780_000.0),
        at((2021, 12, 31), 2_960_000.0),
        at((2022, 12, 30), 2_380_000.0),
        at((2023, 12, 29), 2_350_000.0),
        at(END_2024, 1_650_000.0),
        at(END_2025, 1_420_000.0),
        times(JAN_16, END_2025, 1.128), // PIN +12% to +14% (12.8%)
        at((2026, 1, 30), 1_610_000.0),
    ],
};

pub(super) const TB_OXIDE: CommoditySpec = CommoditySpec {
    symbol: "TB_OXIDE",
    name: "Terbium oxide 99.99%, CNY/t (spot, synthetic)",
    anchors: &[
        at((2018, 1, 2), 2_950_000.0),
        at((2019, 6, 3), 3_600_000.0),
        at((2020, 4, 1), 5_900_000.0),
        at((2021, 12, 31), 11_700_000.0),
        at((2022, 6, 30), 14_600_000.0),
        at((2022, 12, 30), 12_900_000.0),
        at((2023, 12, 29), 7_400_000.0),
        at((2024, 6, 28), 5_450_000.0),
        at(END_2024, 5_900_000.0),
        at((2025, 7, 31), 7_350_000.0),
        at(END_2025, 6_230_000.0),
        times(JAN_16, END_2025, 1.132), // PIN +12% to +14% (13.2%)
        at((2026, 1, 30), 7_010_000.0),
    ],
};
/// PIN: 2025 average 6,738,700, +17.2% on 2024.
pub(super) const TB_OXIDE_AVERAGES: [(i32, f64); 2] = [(2024, 6_738_700.0 / 1.172), (2025, 6_738_700.0)];

/// Daily volatility of the spot series, and the smallest move a quote makes (smaller moves
/// leave the quote unchanged until they add up).
pub(super) const SPOT_VOL: f64 = 0.011;
pub(super) const SPOT_STICKY: f64 = 0.004;

/// The quarterly concentrate price (Baotou Steel → Northern Rare Earth, CNY/t, dry, REO 50%,
/// ex-tax), a point-in-time series named `concentrate_price`: the price for a quarter is
/// this share of the previous quarter's average PrNd oxide price, give or take 2%.
pub(super) const CONCENTRATE_TO_PRND: f64 = 0.0465;
/// PIN: Q1 2026 26,834, +2.4% on Q4 2025; the sixth rise in a row since Q3 2024.
pub(super) const CONCENTRATE_Q1_2026: f64 = 26_834.0;
pub(super) const CONCENTRATE_Q4_2025: f64 = 26_834.0 / 1.024;

/// Margin financing per A-share: balance as a share of market value it reverts to, first day
/// it is published (margin-eligible), and the balance change from 2025-12-31 to 2026-01-16.
pub(super) struct MarginSpec {
    pub symbol: &'static str,
    pub ratio: f64,
    pub from: Option<Ymd>,
    pub change_to_jan_16: f64,
}

pub(super) const MARGIN: [MarginSpec; 10] = [
    MarginSpec {
        symbol: "600111.SH",
        ratio: 0.045,
        from: None,
        change_to_jan_16: 0.152,
    }, // PIN
    MarginSpec {
        symbol: "000831.SZ",
        ratio: 0.040,
        from: None,
        change_to_jan_16: 0.128,
    }, // PIN
    MarginSpec {
        symbol: "600392.SH",
        ratio: 0.045,
        from: None,
        change_to_jan_16: 0.110,
    },
    // ASSUMPTION: margin-eligible from the 2019-08-19 expansion of the eligible list.
    MarginSpec {
        symbol: "300748.SZ",
        ratio: 0.035,
        from: Some((2019, 8, 19)),
        change_to_jan_16: 0.185,
    }, // PIN
    MarginSpec {
        symbol: "600549.SH",
        ratio: 0.030,
        from: None,
        change_to_jan_16: 0.090,
    },
    MarginSpec {
        symbol: "300224.SZ",
        ratio: 0.035,
        from: None,
        change_to_jan_16: 0.221,
    }, // PIN
    MarginSpec {
        symbol: "300127.SZ",
        ratio: 0.030,
        from: None,
        change_to_jan_16: 0.148,
    }, // PIN
    MarginSpec {
        symbol: "600010.SH",
        ratio: 0.032,
        from: None,
        change_to_jan_16: 0.130,
    },
    MarginSpec {
        symbol: "600259.SH",
        ratio: 0.030,
        from: None,
        change_to_jan_16: 0.075,
    },
    MarginSpec {
        symbol: "000970.SZ",
        ratio: 0.050,
        from: None,
        change_to_jan_16: 0.060,
    },
];

/// How a company's figures are set: a model of annual revenue and net margin driven by the
/// year's average PrNd oxide price, split into quarters; pinned figures override it.
pub(super) struct CompanySpec {
    pub symbol: &'static str,
    /// Annual revenue in 2017, CNY.
    pub revenue_2017: f64,
    /// Yearly revenue growth apart from prices.
    pub growth: f64,
    /// Elasticity of revenue to the year's average PrNd oxide price.
    pub price_elasticity: f64,
    /// Net margin at a PrNd oxide price of 400,000 CNY/t, and its change per doubling.
    pub margin: f64,
    pub margin_per_doubling: f64,
    /// Capital expenditure as a share of revenue.
    pub capex_share: f64,
    /// Net cash (cash minus interest-bearing debt) at the end of 2015, CNY.
    pub net_cash_2015: f64,
    /// Shares outstanding before the dataset's bonus and capitalisation issues: (first
    /// quarter end it applies to, count), ascending. Each issue multiplies the count from its
    /// ex-date on (`Company::shares`).
    pub shares: &'static [(Ymd, f64)],
    /// Weight in the rare-earth index (for its aggregate PE).
    pub index_weight: f64,
    /// Days before each deadline the company typically publishes (0 = on the deadline).
    pub lead_days: i64,
    /// How this company's profit level is fixed by the pins.
    pub pe_pin: PePin,
}

/// Which published valuation pins a company's trailing earnings.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum PePin {
    /// PE (TTM) on 2026-01-16 fixes Q4 2024 net profit (Q1–Q3 2024 and 2025 are pinned).
    Q4Profit(f64),
    /// PE (TTM) on 2026-01-16 fixes the scale of all the company's figures.
    Scale(f64),
    /// The index PE on 2025-11-20 fixes a common scale for these companies.
    IndexScale,
    /// Nothing: the model's figures (with the pinned ones) stand.
    None,
}

/// The day the PE pins apply to, and the index PE pin.
pub(super) const PE_DAY: Ymd = JAN_16;
/// PIN: CSI Rare Earth Industry Index PE (TTM) 38.5 on 2025-11-20.
pub(super) const INDEX_PE: (Ymd, f64) = ((2025, 11, 20), 38.5);

pub(super) const COMPANIES: [CompanySpec; 10] = [
    CompanySpec {
        symbol: "600111.SH",
        revenue_2017: 18.0e9,
        growth: 0.06,
        price_elasticity: 0.85,
        margin: 0.030,
        margin_per_doubling: 0.075,
        capex_share: 0.045,
        net_cash_2015: -6.5e9,
        shares: &[((2015, 12, 31), 3_633_066_000.0), ((2020, 3, 31), 3_615_203_616.0)],
        index_weight: 0.18,
        lead_days: 4,
        pe_pin: PePin::Q4Profit(86.26), // PIN (another table gives 42.5: not used)
    },
    CompanySpec {
        symbol: "000831.SZ",
        revenue_2017: 3.2e9,
        growth: 0.07,
        price_elasticity: 0.9,
        margin: 0.060,
        margin_per_doubling: 0.06,
        capex_share: 0.03,
        net_cash_2015: 0.8e9,
        shares: &[((2015, 12, 31), 980_888_981.0), ((2022, 3, 31), 1_061_220_807.0)],
        index_weight: 0.09,
        lead_days: 6,
        pe_pin: PePin::Scale(38.2), // PIN
    },
    CompanySpec {
        symbol: "600392.SH",
        revenue_2017: 6.0e9,
        growth: 0.12,
        price_elasticity: 0.8,
        margin: 0.045,
        margin_per_doubling: 0.05,
        capex_share: 0.05,
        net_cash_2015: 0.3e9,
        // Base counts, before the 10转3 of 2018-07-02 (× 1.3 from then: 1,755,167,000 at the
        // end of 2020-09).
        shares: &[((2015, 12, 31), 1_051_697_000.0), ((2020, 9, 30), 1_350_128_462.0)],
        index_weight: 0.10,
        lead_days: 8,
        pe_pin: PePin::IndexScale,
    },
    CompanySpec {
        symbol: "300748.SZ",
        revenue_2017: 1.15e9,
        growth: 0.22,
        price_elasticity: 0.7,
        margin: 0.085,
        margin_per_doubling: 0.02,
        capex_share: 0.09,
        net_cash_2015: 0.1e9,
        // Base counts, before the 10转6 issues of 2021 and 2023 (× 2.56 after both): the end
        // count, 536,500,000, is the one the PE pin was set with.
        shares: &[
            ((2015, 12, 31), 144_531_250.0),
            ((2018, 9, 30), 160_546_875.0),
            ((2022, 3, 31), 209_570_313.0),
        ],
        index_weight: 0.08,
        lead_days: 10,
        pe_pin: PePin::Q4Profit(35.8), // PIN
    },
    CompanySpec {
        symbol: "600549.SH",
        revenue_2017: 19.0e9,
        growth: 0.10,
        price_elasticity: 0.3,
        margin: 0.045,
        margin_per_doubling: 0.01,
        capex_share: 0.06,
        net_cash_2015: -9.0e9,
        // Base counts, before the 10转3 of 2018-06-19 (× 1.3 from then: 1,418,459,000 at the
        // end of 2020).
        shares: &[((2015, 12, 31), 1_081_496_000.0), ((2020, 12, 31), 1_091_122_308.0)],
        index_weight: 0.12,
        lead_days: 3,
        pe_pin: PePin::IndexScale,
    },
    CompanySpec {
        symbol: "300224.SZ",
        revenue_2017: 1.5e9,
        growth: 0.17,
        price_elasticity: 0.6,
        margin: 0.050,
        margin_per_doubling: 0.02,
        capex_share: 0.07,
        net_cash_2015: 0.6e9,
        shares: &[((2015, 12, 31), 820_216_556.0)],
        index_weight: 0.05,
        lead_days: 12,
        pe_pin: PePin::Scale(45.2), // PIN
    },
    CompanySpec {
        symbol: "300127.SZ",
        revenue_2017: 0.55e9,
        growth: 0.09,
        price_elasticity: 0.5,
        margin: 0.16,
        margin_per_doubling: 0.02,
        capex_share: 0.05,
        net_cash_2015: 0.4e9,
        shares: &[((2015, 12, 31), 323_146_360.0)],
        index_weight: 0.04,
        lead_days: 9,
        pe_pin: PePin::Scale(52.3), // PIN
    },
    CompanySpec {
        symbol: "600010.SH",
        revenue_2017: 52.0e9,
        growth: 0.01,
        price_elasticity: 0.15,
        margin: 0.004,
        margin_per_doubling: 0.018,
        capex_share: 0.05,
        net_cash_2015: -45.0e9,
        shares: &[((2015, 12, 31), 32_016_258_000.0), ((2018, 12, 31), 45_585_032_648.0)],
        index_weight: 0.16,
        lead_days: 5,
        pe_pin: PePin::None,
    },
    CompanySpec {
        symbol: "600259.SH",
        revenue_2017: 8.0e9,
        growth: 0.06,
        price_elasticity: 0.8,
        margin: 0.020,
        margin_per_doubling: 0.03,
        capex_share: 0.03,
        net_cash_2015: -1.2e9,
        shares: &[((2015, 12, 31), 302_846_000.0), ((2022, 9, 30), 336_337_000.0)],
        index_weight: 0.06,
        lead_days: 2,
        pe_pin: PePin::IndexScale,
    },
    CompanySpec {
        symbol: "000970.SZ",
        revenue_2017: 4.4e9,
        growth: 0.07,
        price_elasticity: 0.5,
        margin: 0.060,
        margin_per_doubling: 0.015,
        capex_share: 0.04,
        net_cash_2015: 1.5e9,
        shares: &[((2015, 12, 31), 1_065_200_000.0), ((2021, 6, 30), 1_217_806_000.0)],
        index_weight: 0.12,
        lead_days: 7,
        pe_pin: PePin::IndexScale,
    },
];

/// A published DCF read of one stock on one day: price vs value (close / value − 1) under the
/// conservative scenario and upside (value / close − 1) under the optimistic one.
pub(super) struct DcfPin {
    pub symbol: &'static str,
    pub day: Ymd,
    pub conservative_premium: f64,
    pub optimistic_upside: f64,
}

/// PIN: Northern Rare Earth, January 2026 (seed-facts, "Equities and indexes", 2026-01): "a DCF
/// finds it 57.8% overvalued under the conservative scenario and 124.9% upside under the
/// optimistic one", read on 2026-01-16 (the day the month's other pins use).
pub(super) const DCF_PIN: DcfPin = DcfPin {
    symbol: "600111.SH",
    day: JAN_16,
    conservative_premium: 0.578,
    optimistic_upside: 1.249,
};

/// A DCF scenario as the `dcf` gate defines it: (FCFF growth in the explicit years, explicit
/// years, terminal growth, discount rate).
pub(super) type DcfScenario = (f64, i32, f64, f64);
/// The gate's conservative and optimistic scenarios (`Scenario::CONSERVATIVE` and
/// `Scenario::OPTIMISTIC` in `strategies/src/pipeline/dcf.rs`; rebt-data sits below that
/// crate, so they are restated here, and `tests/valuation.rs` checks that `rebt valuation`
/// reproduces the pin with the gate's own computation).
pub(super) const DCF_CONSERVATIVE: DcfScenario = (0.05, 5, 0.02, 0.10);
pub(super) const DCF_OPTIMISTIC: DcfScenario = (0.20, 5, 0.03, 0.08);

/// Pinned company figures: (symbol, series, period end, cumulative year-to-date value).
pub(super) const PINNED_FIGURES: [(&str, &str, Ymd, f64); 10] = [
    // Northern Rare Earth 2025 Q1–Q3: revenue 30.292 bn (+40.50%), net profit 1.541 bn (+280.27%).
    ("600111.SH", "revenue", (2025, 9, 30), 30.292e9),
    ("600111.SH", "net_profit", (2025, 9, 30), 1.541e9),
    ("600111.SH", "revenue", (2024, 9, 30), 30.292e9 / 1.4050),
    ("600111.SH", "net_profit", (2024, 9, 30), 1.541e9 / 3.8027),
    // Baotou Steel 2025 Q1–Q3: revenue 48.08 bn (−3.58%), net profit 233 m (back from a loss).
    ("600010.SH", "revenue", (2025, 9, 30), 48.08e9),
    ("600010.SH", "net_profit", (2025, 9, 30), 233.0e6),
    ("600010.SH", "revenue", (2024, 9, 30), 48.08e9 / 0.9642),
    // JL Mag 2025 Q1–Q3 net profit 505–550 m (+157% to +179%), Q3 alone 200–245 m: 527 m,
    // of which 222 m in Q3, +168% on 2024 Q1–Q3.
    ("300748.SZ", "net_profit", (2025, 9, 30), 527.0e6),
    ("300748.SZ", "net_profit", (2025, 6, 30), 305.0e6),
    ("300748.SZ", "net_profit", (2024, 9, 30), 527.0e6 / 2.68),
];
/// Baotou Steel 2024 Q1–Q3 was a loss ("back from a loss"): this year-to-date net profit.
pub(super) const BAOTOU_2024_Q3_LOSS: (&str, Ymd, f64) = ("600010.SH", (2024, 9, 30), -395.0e6);

/// Synthetic cash dividends of the A-shares: this share of the previous year's net profit to
/// shareholders (the `net_profit` series' annual figure), per share outstanding on the record
/// date, rounded to 0.001 CNY (a per-10-shares amount to the fen). 30% is the share the
/// company model already pays out of its cash each third quarter (`fundamentals.rs`).
pub(super) const PAYOUT_RATIO: f64 = 0.30;
/// Synthetic cash dividends of the Hong Kong shares without a net-profit series (00769.HK,
/// 01208.HK, and 02600.HK before 2022): about this share of the price before the ex-date
/// (× exp(0.2 N) a year), rounded to 0.001 HKD.
pub(super) const HK_YIELD: f64 = 0.02;
/// Synthetic ex-dates fall on a trading day (with a bar, and a bar the day before) between
/// these days of the year: the A-share and Hong Kong dividend season.
pub(super) const SEASON: ((u32, u32), (u32, u32)) = ((6, 10), (8, 20));
/// Hong Kong dividends are paid about this many calendar days after the ex-date (then the
/// next HKEX trading day).
pub(super) const HK_PAY_LAG_DAYS: u64 = 28;

/// When an action's ex-date is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ExDate {
    /// The real ex-date.
    On(Ymd),
    /// Not found: drawn (seeded) among the trading days of the window, inclusive.
    Between(Ymd, Ymd),
}

/// How an action's cash per share is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Cash {
    /// The real pre-tax amount per share, in the instrument's currency.
    Real(f64),
    /// The real amount in CNY of a Hong Kong share (an H share's dividend is declared in
    /// RMB): converted at the dataset's HKDCNY close before the ex-date.
    RealCny(f64),
    /// Synthetic: [`PAYOUT_RATIO`] of the previous year's net profit per share.
    Payout,
    /// Synthetic, for an H share: the CNY amount of its A share's dividend of the same year,
    /// converted at the dataset's HKDCNY close before the ex-date.
    SameAsA(&'static str),
    /// Synthetic: about [`HK_YIELD`] of the price before the ex-date.
    Yield,
}

/// One planned corporate action of the dataset. The real ones say where they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PlannedAction {
    pub symbol: &'static str,
    pub ex_date: ExDate,
    pub cash: Cash,
    /// Bonus shares (送股) per share held.
    pub bonus: f64,
    /// Capitalisation shares (转增) per share held.
    pub transfer: f64,
    /// The real payment date (Hong Kong), when known.
    pub pay_date: Option<Ymd>,
    /// The year's annual dividend (an interim one comes in addition).
    pub annual: bool,
    /// Where the real figures come from; empty for synthetic ones.
    pub source: &'static str,
}

/// The real-price files the 2018–2021 A-share ex-dates come from (read once, never copied):
/// on a day whose `pre_close` differs from the previous close, the cash is the difference and
/// a bonus or capitalisation ratio shows as (previous close − cash) / pre_close − 1; the
/// exchange rounds its reference price to the fen, so amounts are to the fen unless an
/// announcement gives the exact figure.
const FILE: &str = "real file";

const fn real(symbol: &'static str, ex: Ymd, cash: f64, source: &'static str) -> PlannedAction {
    PlannedAction {
        symbol,
        ex_date: ExDate::On(ex),
        cash: Cash::Real(cash),
        bonus: 0.0,
        transfer: 0.0,
        pay_date: None,
        annual: true,
        source,
    }
}

/// A real amount whose ex-date was not found: drawn in the dividend season of `year`.
const fn real_amount(symbol: &'static str, year: i32, cash: f64, source: &'static str) -> PlannedAction {
    PlannedAction {
        ex_date: ExDate::Between((year, SEASON.0.0, SEASON.0.1), (year, SEASON.1.0, SEASON.1.1)),
        ..real(symbol, (year, 1, 1), cash, source)
    }
}

/// A real Hong Kong dividend: ex-date, HKD per share, payment date.
const fn real_hk(
    symbol: &'static str,
    ex: Ymd,
    hkd: f64,
    pay: Ymd,
    annual: bool,
    source: &'static str,
) -> PlannedAction {
    PlannedAction {
        pay_date: Some(pay),
        annual,
        ..real(symbol, ex, hkd, source)
    }
}

const CHALCO_H: &str =
    "stockanalysis.com HKG:2600 dividend history (https://stock-analysis-sveltekit.pages.dev/quote/hkg/2600/dividend)";
const JL_MAG_2022: &str = "JL Mag 2022 annual distribution, 10派2.6元 转增6股 for A and H shares (implementation notice 2023-07-04, http://ddx.gubit.cn/gonggao/300748/202307040659.html); ex-date not found";

/// Every real corporate action of the universe in the dataset (or real amount with a
/// synthetic ex-date), 2018–2025. Every other annual dividend is synthetic.
pub(super) const REAL_ACTIONS: &[PlannedAction] = &[
    // Northern Rare Earth.
    real(
        "600111.SH",
        (2018, 6, 27),
        0.035,
        "2017 distribution notice 2018-027: A股每股现金红利0.035元, record 2018-06-26 (http://m.nuohen.cn/dbfxt/201806/471934.html); real file",
    ),
    real("600111.SH", (2019, 6, 18), 0.05, FILE),
    real("600111.SH", (2021, 6, 24), 0.07, FILE),
    real_amount(
        "600111.SH",
        2022,
        0.445,
        "2021 plan, 每10股派4.45元 (https://aijingu.com/notices/600111/AN202204141559233032.html); ex-date not found",
    ),
    real_amount(
        "600111.SH",
        2023,
        0.17,
        "2022 plan, 每10股派1.70元 (2022 annual report, http://2w3g.cn/post/109047.html); ex-date not found",
    ),
    real_amount(
        "600111.SH",
        2024,
        0.07,
        "2023 plan, 每10股派0.70元 (2023 annual report summary, https://paper.cnstock.com/html/2024-04/19/content_1900418.htm); ex-date not found",
    ),
    real(
        "600111.SH",
        (2025, 6, 20),
        0.035,
        "2024 distribution: ¥0.035, record 2025-06-19, ex and pay 2025-06-20 (https://rareearthexchanges.com/news/northern-rare-earth-600111-confirms-2024-dividend-but-investors-should-note-the-limits)",
    ),
    // China Rare Earth.
    real("000831.SZ", (2020, 10, 23), 0.04, FILE),
    real(
        "000831.SZ",
        (2021, 7, 16),
        0.05,
        "2020 distribution notice, 每10股派0.50元 (https://aijingu.com/notices/000831/AN202107091502747808.html); real file",
    ),
    // Shenghe Resources: the 2017 distribution, 10转3派0.3 (ratio and cash solved from the
    // reference price; no announcement found).
    PlannedAction {
        transfer: 0.3,
        ..real("600392.SH", (2018, 7, 2), 0.03, FILE)
    },
    real("600392.SH", (2019, 6, 20), 0.03, FILE),
    real("600392.SH", (2021, 7, 12), 0.05, FILE),
    // JL Mag.
    real("300748.SZ", (2019, 4, 15), 0.11, FILE),
    real("300748.SZ", (2020, 5, 15), 0.11, FILE),
    PlannedAction {
        transfer: 0.6,
        ..real(
            "300748.SZ",
            (2021, 5, 13),
            0.20,
            "2020 distribution notice 2021-051, 每10股派2.00元 转增6股, record 2021-05-12 (https://q.stock.sohu.com/cn,gg,300748,7316513060.shtml); real file",
        )
    },
    PlannedAction {
        ex_date: ExDate::Between((2023, 7, 5), (2023, 7, 31)),
        transfer: 0.6,
        ..real("300748.SZ", (2023, 1, 1), 0.26, JL_MAG_2022)
    },
    // Xiamen Tungsten: the 2017 distribution, 10转3派2 (solved from the reference price; 派2.1
    // fits too; no announcement found).
    PlannedAction {
        transfer: 0.3,
        ..real("600549.SH", (2018, 6, 19), 0.20, FILE)
    },
    real("600549.SH", (2019, 7, 10), 0.15, FILE),
    real("600549.SH", (2020, 6, 22), 0.10, FILE),
    real("600549.SH", (2021, 6, 1), 0.15, FILE),
    // Zhenghai Magnetic.
    real("300224.SZ", (2018, 5, 17), 0.12, FILE),
    real("300224.SZ", (2020, 4, 22), 0.20, FILE),
    real("300224.SZ", (2021, 4, 21), 0.20, FILE),
    // Galaxy Magnetic.
    real("300127.SZ", (2018, 5, 29), 0.45, FILE),
    real("300127.SZ", (2019, 5, 10), 0.35, FILE),
    real("300127.SZ", (2020, 5, 15), 0.35, FILE),
    real("300127.SZ", (2021, 5, 19), 0.35, FILE),
    // Baotou Steel.
    real("600010.SH", (2019, 7, 12), 0.01, FILE),
    // Zhong Ke San Huan.
    real("000970.SZ", (2018, 6, 15), 0.09, FILE),
    real("000970.SZ", (2019, 6, 21), 0.09, FILE),
    real("000970.SZ", (2020, 7, 17), 0.05, FILE),
    real("000970.SZ", (2021, 6, 3), 0.05, FILE),
    // JL Mag (H): the 2022 distribution applies to the H shares too (RMB 0.26 paid in HKD);
    // the 2025 interim dividend.
    PlannedAction {
        ex_date: ExDate::Between((2023, 7, 5), (2023, 7, 31)),
        cash: Cash::RealCny(0.26),
        transfer: 0.6,
        ..real("06680.HK", (2023, 1, 1), 0.0, JL_MAG_2022)
    },
    real_hk(
        "06680.HK",
        (2025, 10, 30),
        0.1964,
        (2025, 12, 23),
        false,
        "2025 interim dividend RMB 0.18 (HKD 0.1964), ex 2025-10-30, payable 2025-12-23 (https://stocks.cafe/dividend?exchange=XHKG&items=20&subtab=xupcoming)",
    ),
    // Aluminum Corporation of China (H): none 2018–2021; finals from 2022, interims from 2024.
    real_hk("02600.HK", (2022, 6, 29), 0.0372, (2022, 8, 19), true, CHALCO_H),
    real_hk("02600.HK", (2023, 6, 23), 0.03927, (2023, 8, 18), true, CHALCO_H),
    real_hk(
        "02600.HK",
        (2024, 6, 27),
        0.0877,
        (2024, 7, 26),
        true,
        "2023 final RMB 0.08 (HKD 0.0877), ex 2024-06-27, payable 2024-07-26 (HKEX notice, http://stock.finance.sina.com.cn/hkstock/go/CompanyNoticeDetail/code/02600/aid/1177006.html)",
    ),
    real_hk("02600.HK", (2024, 11, 21), 0.0887, (2024, 12, 27), false, CHALCO_H),
    real_hk("02600.HK", (2025, 6, 30), 0.1479, (2025, 8, 8), true, CHALCO_H),
    real_hk("02600.HK", (2025, 9, 9), 0.1348, (2025, 10, 17), false, CHALCO_H),
];
