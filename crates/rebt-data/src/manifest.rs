//! The dataset manifest, `manifest.toml` beside the bars: what the dataset is, its benchmark,
//! and the metadata of its instruments. Every key is checked (`deny_unknown_fields`), so a
//! misspelt key is an error naming the file and line, not a silently ignored setting.
//!
//! ```toml
//! name = "rare earths"
//! description = "A-share rare-earth chain, daily"
//! synthetic = false             # default false
//! benchmark = "930598.CSI"      # optional; must have bars
//! base_currency = "CNY"         # optional: CNY (default), HKD or USD
//!
//! [[instruments]]
//! symbol = "06680.HK"           # required; must have bars
//! name = "example"              # every other key is optional and overrides what
//! lot = 500                     # Instrument::infer derives from the symbol
//! ```
//!
//! Instrument keys: `name`, `kind` (equity|etf|index|commodity|fx), `market`
//! (SSE|SZSE|HKEX|other), `board` (sse_main|szse_main|chinext|star|a_share_etf|hkex|generic),
//! `currency`, `lot`, `tick`, `price_limit` (a fraction such as 0.1 for ±10% on every day, or
//! `"none"`), `settlement` ("T+1"|"T+0"), `tradable`, `group` (a name such as `upstream`,
//! `magnets` or `hk`, for the optimiser allocators' per-group caps `group_max`). A `kind` of index, commodity or fx makes
//! the instrument signal-only unless `tradable = true` is also given. Setting `board` does not
//! re-derive the band, lot or settlement: give those too when they differ from the inference.
//!
//! Status by date (see [`rebt_core::Status`]; dates bare or quoted):
//!
//! ```toml
//! [[instruments]]
//! symbol = "000831.SZ"
//! st = [[2016-04-11, 2017-04-28]]   # risk-warning windows, first and last day inclusive
//! listed = 1998-09-11               # first trading day; no bar may come before it
//! ipo_price = 4.03                  # issue price: the reference of the listing day's limits
//! delisted = 2030-01-02             # first day no longer listed; no bar on or after it
//! par_value = 1.0                   # per share, when not 1 (bonus shares are taxed at par)
//! ```

use crate::error::DataError;
use chrono::NaiveDate;
use rebt_core::{Board, Currency, Instrument, InstrumentKind, Market, PriceLimitSchedule, Settlement, Status};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// The parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Dataset name.
    pub name: String,
    /// What the data are and where they come from.
    #[serde(default)]
    pub description: String,
    /// True when the prices are generated, not real.
    #[serde(default)]
    pub synthetic: bool,
    /// Symbol of the default benchmark, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<String>,
    /// Currency of instruments whose symbol does not say (default CNY).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_currency: Option<Currency>,
    /// Per-instrument metadata; instruments not listed are inferred from their symbol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruments: Vec<InstrumentSpec>,
}

/// One `[[instruments]]` entry: the symbol and any fields that override the inference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentSpec {
    /// The symbol, as in the bars.
    pub symbol: String,
    /// Human name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InstrumentKind>,
    /// Venue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<Market>,
    /// Listing board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<Board>,
    /// Quote currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Buy lot in shares (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<u32>,
    /// Price tick (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick: Option<f64>,
    /// Daily price band, the same on every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_limit: Option<PriceLimit>,
    /// Settlement cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Settlement>,
    /// Whether orders may be placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tradable: Option<bool>,
    /// Risk-warning (ST / *ST) windows, each the first and last day under the warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub st: Vec<[TomlDate; 2]>,
    /// The listing date (first trading day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<TomlDate>,
    /// The IPO issue price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipo_price: Option<f64>,
    /// The delisting date (first day no longer listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisted: Option<TomlDate>,
    /// Par value per share, when not 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par_value: Option<f64>,
    /// Group for portfolio caps (`group_max` of the optimiser allocators): letters, digits,
    /// `_` or `-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A date in TOML, written bare (`listed = 2019-07-22`) or quoted (`"2019-07-22"`); written
/// back quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TomlDate(pub NaiveDate);

impl Serialize for TomlDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Toml(t) => t.to_string(),
        };
        crate::bars::parse_date(&text)
            .map(TomlDate)
            .ok_or_else(|| de::Error::custom(format!("invalid date `{text}`: expected YYYY-MM-DD")))
    }
}

/// A manifest's `price_limit`: a fraction of the previous close (`0.1` = ±10%), in whole
/// basis points, or `"none"` for no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceLimit {
    /// ± this many basis points (1000 = ±10%).
    BandBp(u32),
    /// No daily limit.
    NoLimit,
}

impl PriceLimit {
    /// The schedule it stands for (the same band on every day).
    pub fn schedule(self) -> PriceLimitSchedule {
        match self {
            PriceLimit::BandBp(bp) => PriceLimitSchedule::constant(bp),
            PriceLimit::NoLimit => PriceLimitSchedule::none(),
        }
    }
}

impl Serialize for PriceLimit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PriceLimit::BandBp(bp) => s.serialize_f64(f64::from(*bp) / 10_000.0),
            PriceLimit::NoLimit => s.serialize_str("none"),
        }
    }
}

impl<'de> Deserialize<'de> for PriceLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PriceLimitVisitor;
        impl Visitor<'_> for PriceLimitVisitor {
            type Value = PriceLimit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fraction between 0 and 1 such as 0.1 (±10%), or \"none\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PriceLimit, E> {
                let bp = v * 10_000.0;
                if !(v > 0.0 && v < 1.0) || (bp - bp.round()).abs() > 1e-6 {
                    return Err(E::invalid_value(de::Unexpected::Float(v), &self));
                }
                Ok(PriceLimit::BandBp(bp.round() as u32))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PriceLimit, E> {
                Err(E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PriceLimit, E> {
                Err(E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PriceLimit, E> {
                if v == "none" {
                    Ok(PriceLimit::NoLimit)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(PriceLimitVisitor)
    }
}

impl Manifest {
    /// An empty manifest for a dataset that has none.
    pub fn unnamed(name: &str) -> Manifest {
        Manifest {
            name: name.to_string(),
            ..Manifest::default()
        }
    }

    /// Parse and check a manifest. `path` is used only in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Manifest, DataError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| DataError::Manifest {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: e.message().trim_end().to_string(),
        })?;
        manifest.check(path)?;
        Ok(manifest)
    }

    /// The base currency (CNY when not given).
    pub fn base(&self) -> Currency {
        self.base_currency.unwrap_or(Currency::Cny)
    }

    fn check(&self, path: &Path) -> Result<(), DataError> {
        let bad = |symbol: &str, message: String| DataError::ManifestInstrument {
            path: path.to_path_buf(),
            symbol: symbol.to_string(),
            message,
        };
        for (i, spec) in self.instruments.iter().enumerate() {
            if spec.symbol.trim().is_empty() || spec.symbol.trim() != spec.symbol {
                return Err(bad(
                    &spec.symbol,
                    "`symbol` must be non-empty without surrounding spaces".into(),
                ));
            }
            if self.instruments[..i].iter().any(|s| s.symbol == spec.symbol) {
                return Err(bad(&spec.symbol, "listed more than once in [[instruments]]".into()));
            }
            if let Some(group) = &spec.group
                && (group.is_empty() || !group.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            {
                return Err(bad(
                    &spec.symbol,
                    format!(
                        "`group` is {group:?}; expected a name of letters, digits, `_` or `-` (as `group_max` names it)"
                    ),
                ));
            }
            if spec.lot == Some(0) {
                return Err(bad(&spec.symbol, "`lot` is 0; expected at least 1 share".into()));
            }
            if let Some(tick) = spec.tick.filter(|t| !(t.is_finite() && *t > 0.0)) {
                return Err(bad(
                    &spec.symbol,
                    format!("`tick` is {tick}; expected a positive number"),
                ));
            }
            for (key, v) in [("ipo_price", spec.ipo_price), ("par_value", spec.par_value)] {
                if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(bad(&spec.symbol, format!("`{key}` is {v}; expected a positive number")));
                }
            }
            for (k, [from, to]) in spec.st.iter().enumerate() {
                if from > to {
                    return Err(bad(
                        &spec.symbol,
                        format!("`st` window {} to {} ends before it starts", from.0, to.0),
                    ));
                }
                if let Some([_, prev_to]) = k.checked_sub(1).map(|j| spec.st[j])
                    && *from <= prev_to
                {
                    return Err(bad(
                        &spec.symbol,
                        format!(
                            "`st` window starting {} overlaps or precedes the one before it (ending {}); expected windows in date order without overlap",
                            from.0, prev_to.0
                        ),
                    ));
                }
            }
            if let (Some(l), Some(d)) = (spec.listed, spec.delisted)
                && d <= l
            {
                return Err(bad(
                    &spec.symbol,
                    format!("`delisted` {} is not after `listed` {}", d.0, l.0),
                ));
            }
        }
        Ok(())
    }

    /// The instruments of a dataset whose bars hold `symbols` (in that order): each listed in
    /// the manifest gets its overrides, the rest are inferred from the symbol. An instrument
    /// or benchmark in the manifest that has no bars is an error naming the manifest.
    pub fn resolve(&self, symbols: &[String], path: &Path) -> Result<Vec<Instrument>, DataError> {
        let bad = |symbol: &str, message: &str| DataError::ManifestInstrument {
            path: path.to_path_buf(),
            symbol: symbol.to_string(),
            message: message.to_string(),
        };
        // looked up by symbol: a whole market's manifest lists thousands, and a scan of either
        // list for each entry of the other was quadratic
        let in_bars: HashSet<&str> = symbols.iter().map(String::as_str).collect();
        let mut listed: HashMap<&str, &InstrumentSpec> = HashMap::with_capacity(self.instruments.len());
        for spec in &self.instruments {
            if !in_bars.contains(spec.symbol.as_str()) {
                return Err(bad(&spec.symbol, "is listed in [[instruments]] but has no bars"));
            }
            // a symbol listed twice was refused when the manifest was read
            listed.insert(spec.symbol.as_str(), spec);
        }
        if let Some(b) = self.benchmark.as_deref().filter(|b| !in_bars.contains(b)) {
            return Err(bad(b, "is the `benchmark` but has no bars"));
        }
        Ok(symbols
            .iter()
            .map(|s| match listed.get(s.as_str()) {
                Some(spec) => spec.instrument(self.base()),
                None => Instrument::infer(s, self.base()),
            })
            .collect())
    }
}

impl InstrumentSpec {
    /// The instrument: inferred from the symbol, then overridden by each field given.
    pub fn instrument(&self, base: Currency) -> Instrument {
        let mut inst = Instrument::infer(&self.symbol, base);
        if let Some(kind) = self.kind {
            inst.kind = kind;
            if matches!(
                kind,
                InstrumentKind::Index | InstrumentKind::Commodity | InstrumentKind::Fx
            ) {
                inst.tradable = false;
            }
        }
        if let Some(v) = &self.name {
            inst.name = v.clone();
        }
        if let Some(v) = self.market {
            inst.market = v;
        }
        if let Some(v) = self.board {
            inst.board = v;
        }
        if let Some(v) = self.currency {
            inst.currency = v;
        }
        if let Some(v) = self.lot {
            inst.lot = v;
        }
        if let Some(v) = self.tick {
            inst.tick = v;
        }
        if let Some(v) = self.price_limit {
            inst.price_limit = v.schedule();
        }
        if let Some(v) = self.settlement {
            inst.settlement = v;
        }
        if let Some(v) = self.tradable {
            inst.tradable = v;
        }
        inst.status = Status {
            st: self.st.iter().map(|[a, b]| (a.0, b.0)).collect(),
            listed: self.listed.map(|d| d.0),
            ipo_price: self.ipo_price,
            delisted: self.delisted.map(|d| d.0),
            par_value: self.par_value,
        };
        inst.group = self.group.clone();
        inst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, DataError> {
        Manifest::from_toml(text, Path::new("data/manifest.toml"))
    }

    #[test]
    fn overrides_win_over_inference() {
        let m = parse(
            r#"
name = "t"
base_currency = "HKD"
[[instruments]]
symbol = "06680.HK"
name = "Hong Kong example"
lot = 500
[[instruments]]
symbol = "930598.CSI"
tradable = true
[[instruments]]
symbol = "PRND_OXIDE"
kind = "commodity"
[[instruments]]
symbol = "600111.SH"
price_limit = 0.05
settlement = "T+0"
[[instruments]]
symbol = "300748.SZ"
price_limit = "none"
"#,
        )
        .expect("valid");
        let syms: Vec<String> = ["06680.HK", "930598.CSI", "PRND_OXIDE", "600111.SH", "300748.SZ", "MP"]
            .map(String::from)
            .to_vec();
        let insts = m.resolve(&syms, Path::new("m.toml")).expect("resolves");
        let hk = &insts[0];
        assert_eq!(
            (hk.lot, hk.name.as_str(), hk.currency, hk.board),
            (500, "Hong Kong example", Currency::Hkd, Board::Hkex)
        );
        assert!(insts[1].tradable, "tradable = true overrides the index default");
        assert_eq!(insts[1].kind, InstrumentKind::Index);
        assert_eq!((insts[2].kind, insts[2].tradable), (InstrumentKind::Commodity, false));
        let day = NaiveDate::from_ymd_opt(2024, 1, 2).expect("date");
        assert_eq!(insts[3].price_limit.band_bp_on(day), Some(500));
        assert_eq!(insts[3].settlement, Settlement::T0);
        assert_eq!(insts[4].price_limit.band_bp_on(day), None);
        // Not listed: inferred, with the manifest's base currency.
        assert_eq!((insts[5].currency, insts[5].lot), (Currency::Hkd, 1));
    }

    #[test]
    fn bad_manifests_name_file_and_key() {
        let cases: &[(&str, &str)] = &[
            (
                "name = \"t\"\nbenchmrk = \"X\"\n",
                "data/manifest.toml:2: unknown field `benchmrk`",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nlott = 5\n",
                "data/manifest.toml:4: unknown field `lott`",
            ),
            ("description = \"no name\"\n", "missing field `name`"),
            (
                "name = \"t\"\nbase_currency = \"EUR\"\n",
                "data/manifest.toml:2: unknown variant `EUR`",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nprice_limit = 10\n",
                "data/manifest.toml:4: invalid value",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nprice_limit = 0.10005\n",
                "invalid value",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nkind = \"stock\"\n",
                "unknown variant `stock`",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nlot = 0\n",
                "instrument `A`: `lot` is 0",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\n[[instruments]]\nsymbol = \"A\"\n",
                "more than once",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\ngroup = \"hong kong\"\n",
                "instrument `A`: `group` is \"hong kong\"; expected a name of letters, digits",
            ),
            (
                "name = \"t\"\n[[instruments]]\nsymbol = \"A\"\ngroup = \"\"\n",
                "`group` is \"\"",
            ),
        ];
        for &(text, expected) in cases {
            let e = parse(text).expect_err(text);
            let msg = e.to_string();
            assert!(msg.starts_with("data/manifest.toml"), "{msg}");
            assert!(msg.contains(expected), "{msg:?} should contain {expected:?}");
        }
    }

    #[test]
    fn the_group_reaches_the_instrument() {
        let m = parse("name = \"t\"\n[[instruments]]\nsymbol = \"600111.SH\"\ngroup = \"upstream\"\n").expect("valid");
        let insts = m
            .resolve(&["600111.SH".to_string(), "300748.SZ".to_string()], Path::new("m.toml"))
            .expect("resolves");
        assert_eq!(insts[0].group.as_deref(), Some("upstream"));
        assert_eq!(insts[1].group, None, "an instrument not listed has no group");
    }

    #[test]
    fn instruments_and_benchmark_need_bars() {
        let m = parse("name = \"t\"\n[[instruments]]\nsymbol = \"600111.SH\"\n").expect("valid");
        let e = m
            .resolve(&["000831.SZ".to_string()], Path::new("d/manifest.toml"))
            .expect_err("no bars");
        assert_eq!(
            e.to_string(),
            "d/manifest.toml: instrument `600111.SH`: is listed in [[instruments]] but has no bars"
        );
        let m = parse("name = \"t\"\nbenchmark = \"930598.CSI\"\n").expect("valid");
        let e = m
            .resolve(&["000831.SZ".to_string()], Path::new("d/manifest.toml"))
            .expect_err("no bars");
        assert!(
            e.to_string()
                .contains("`930598.CSI`: is the `benchmark` but has no bars"),
            "{e}"
        );
    }

    #[test]
    fn status_by_date() {
        let m = parse(
            r#"
name = "t"
[[instruments]]
symbol = "000831.SZ"
st = [[2016-04-11, "2017-04-28"]]
listed = 1998-09-11
ipo_price = 4.03
delisted = "2030-01-02"
par_value = 0.5
"#,
        )
        .expect("valid");
        let inst = &m
            .resolve(&["000831.SZ".to_string()], Path::new("m.toml"))
            .expect("resolves")[0];
        let d = |y, mo, dd| NaiveDate::from_ymd_opt(y, mo, dd).expect("date");
        assert_eq!(inst.status.st, vec![(d(2016, 4, 11), d(2017, 4, 28))]);
        assert!(inst.status.is_st_on(d(2017, 4, 28)) && !inst.status.is_st_on(d(2017, 5, 2)));
        assert_eq!(inst.status.listed, Some(d(1998, 9, 11)));
        assert_eq!(inst.status.ipo_price, Some(4.03));
        assert_eq!(inst.status.delisted, Some(d(2030, 1, 2)));
        assert_eq!(inst.status.par(), 0.5);
        let cases: &[(&str, &str)] = &[
            ("st = [[2017-01-02, 2016-01-04]]", "ends before it starts"),
            (
                "st = [[2016-01-04, 2016-06-30], [2016-06-01, 2016-12-30]]",
                "overlaps or precedes",
            ),
            ("ipo_price = 0.0", "`ipo_price` is 0"),
            ("par_value = -1.0", "`par_value` is -1"),
            (
                "listed = 2020-01-02\ndelisted = 2019-01-02",
                "`delisted` 2019-01-02 is not after `listed`",
            ),
            ("listed = \"2020-13-01\"", "invalid date `2020-13-01`"),
        ];
        for &(line, expected) in cases {
            let text = format!("name = \"t\"\n[[instruments]]\nsymbol = \"A\"\n{line}\n");
            let e = parse(&text).expect_err(line);
            assert!(e.to_string().contains(expected), "{line}: {e}");
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let m = parse("name = \"t\"\n[[instruments]]\nsymbol = \"A\"\nprice_limit = 0.2\nlot = 200\n").expect("valid");
        let text = toml::to_string(&m).expect("serialises");
        assert_eq!(parse(&text).expect("re-parses"), m);
    }
}
