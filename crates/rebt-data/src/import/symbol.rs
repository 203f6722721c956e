//! Vendor codes to rebt symbols: bare A-share codes get their exchange suffix, Yahoo suffixes
//! become rebt's, and a symbol that cannot be placed is refused rather than guessed.

/// The rebt symbol of a six-digit A-share code, by its leading digits:
///
/// | code | exchange |
/// |---|---|
/// | `6xxxxx` (SSE stocks), `5xxxxx` (SSE funds and ETFs), `90xxxx` (SSE B shares) | `.SH` |
/// | `0xxxxx`, `3xxxxx` (SZSE stocks), `15xxxx`, `16xxxx` (SZSE funds and ETFs), `20xxxx` (SZSE B shares) | `.SZ` |
/// | `4xxxxx`, `8xxxxx`, `92xxxx` (Beijing Stock Exchange; its new codes start with 920) | `.BJ` |
///
/// Any other code (`1xxxxx` bonds, `7xxxxx` subscriptions…) is `None`.
pub(super) fn a_share_code(code: &str) -> Option<String> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| code.starts_with(p));
    let suffix = if starts(&["92", "4", "8"]) {
        "BJ"
    } else if starts(&["6", "5", "90"]) {
        "SH"
    } else if starts(&["0", "3", "15", "16", "20"]) {
        "SZ"
    } else {
        return None;
    };
    Some(format!("{code}.{suffix}"))
}

/// Decimals of the price tick of an A-share symbol in rebt's form: 3 for exchange-traded
/// funds (`5xxxxx.SH`, `15xxxx.SZ`, `16xxxx.SZ`, quoted to 0.001 yuan), 2 for stocks (0.01).
pub(super) fn a_share_price_decimals(symbol: &str) -> i32 {
    let fund = matches!(symbol.split_once('.'), Some((code, "SH")) if code.starts_with('5'))
        || matches!(symbol.split_once('.'), Some((code, "SZ")) if code.starts_with("15") || code.starts_with("16"));
    if fund { 3 } else { 2 }
}

/// An A-share symbol given as a bare code (`600111`) or with its suffix in either case
/// (`600111.SH`, `000831.sz`), in rebt's form; `None` when it is neither.
pub(super) fn a_share_symbol(text: &str) -> Option<String> {
    match text.split_once('.') {
        None => a_share_code(text),
        Some((code, suffix)) => {
            let suffix = suffix.to_ascii_uppercase();
            let valid_code = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
            (valid_code && matches!(suffix.as_str(), "SH" | "SZ" | "BJ")).then(|| format!("{code}.{suffix}"))
        }
    }
}

/// What a Yahoo ticker becomes in rebt, and whether it is a plain US listing (quoted in USD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct YahooSymbol {
    /// The rebt symbol.
    pub symbol: String,
    /// True for a ticker with no exchange suffix, which Yahoo uses for US listings.
    pub us_listing: bool,
}

/// Map a Yahoo ticker to a rebt symbol:
///
/// | Yahoo | rebt |
/// |---|---|
/// | `600111.SS` | `600111.SH` |
/// | `000831.SZ`, `430047.BJ` | unchanged |
/// | `0700.HK` (4 digits) | `00700.HK` (HKEX codes have 5 digits in rebt) |
/// | `06680.HK` | unchanged |
/// | `^HSI` | `HSI` |
/// | `HKDCNY=X` | `HKDCNY` |
/// | `MP`, `BRK-B` (no suffix: a US listing) | unchanged, quoted in USD |
/// | other tickers (`^GSPC`, `BHP.AX`) | unchanged |
///
/// A rebt symbol already in rebt's form (`600111.SH`) is kept. Tickers are upper-case
/// letters, digits and `.`, `-`, `^`, `=`; anything else is `None`.
pub(super) fn yahoo_symbol(ticker: &str) -> Option<YahooSymbol> {
    let valid = !ticker.is_empty()
        && ticker.len() <= 24
        && ticker.bytes().any(|b| b.is_ascii_alphanumeric())
        && ticker
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'^' | b'='));
    if !valid {
        return None;
    }
    let plain = |symbol: String| YahooSymbol {
        symbol,
        us_listing: false,
    };
    if ticker == "^HSI" {
        return Some(plain("HSI".into()));
    }
    if let Some(pair) = ticker.strip_suffix("=X") {
        return (pair.len() == 6 && pair.bytes().all(|b| b.is_ascii_uppercase())).then(|| plain(pair.into()));
    }
    if let Some((code, suffix)) = ticker.rsplit_once('.') {
        let digits = |n: usize| code.len() == n && code.bytes().all(|b| b.is_ascii_digit());
        return Some(match suffix {
            "SS" | "SH" if digits(6) => plain(format!("{code}.SH")),
            "SS" | "SH" | "SZ" | "BJ" if !digits(6) => return None,
            "HK" if digits(4) => plain(format!("0{code}.HK")),
            "HK" if !digits(5) => return None,
            _ => plain(ticker.into()),
        });
    }
    let us = !ticker.contains(['^', '=']);
    Some(YahooSymbol {
        symbol: ticker.into(),
        us_listing: us,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_codes_get_their_exchange() {
        let cases: &[(&str, Option<&str>)] = &[
            ("600111", Some("600111.SH")),
            ("688001", Some("688001.SH")),
            ("510300", Some("510300.SH")),
            ("900901", Some("900901.SH")),
            ("000831", Some("000831.SZ")),
            ("300748", Some("300748.SZ")),
            ("159715", Some("159715.SZ")),
            ("200002", Some("200002.SZ")),
            ("430047", Some("430047.BJ")),
            ("830799", Some("830799.BJ")),
            ("920002", Some("920002.BJ")),
            ("113050", None),
            ("700001", None),
            ("60011", None),
            ("60011a", None),
        ];
        for &(code, want) in cases {
            assert_eq!(a_share_code(code).as_deref(), want, "{code}");
        }
        assert_eq!(a_share_symbol("000831.sz").as_deref(), Some("000831.SZ"));
        assert_eq!(a_share_symbol("600111.SH").as_deref(), Some("600111.SH"));
        assert_eq!(a_share_symbol("600111.HK"), None);
        assert_eq!(a_share_symbol("stock_600111"), None);
        for (symbol, decimals) in [("600111.SH", 2), ("000831.SZ", 2), ("510300.SH", 3), ("159715.SZ", 3)] {
            assert_eq!(a_share_price_decimals(symbol), decimals, "{symbol}");
        }
    }

    #[test]
    fn yahoo_tickers_map_to_rebt_symbols() {
        let cases: &[(&str, Option<(&str, bool)>)] = &[
            ("600111.SS", Some(("600111.SH", false))),
            ("600111.SH", Some(("600111.SH", false))),
            ("000831.SZ", Some(("000831.SZ", false))),
            ("0700.HK", Some(("00700.HK", false))),
            ("06680.HK", Some(("06680.HK", false))),
            ("^HSI", Some(("HSI", false))),
            ("HKDCNY=X", Some(("HKDCNY", false))),
            ("MP", Some(("MP", true))),
            ("BRK-B", Some(("BRK-B", true))),
            ("^GSPC", Some(("^GSPC", false))),
            ("BHP.AX", Some(("BHP.AX", false))),
            ("700.HK", None),
            ("60011.SS", None),
            ("mp", None),
            ("us_MP_adjclose", None),
            ("", None),
            ("^", None),
        ];
        for &(ticker, want) in cases {
            let got = yahoo_symbol(ticker);
            let got = got.as_ref().map(|s| (s.symbol.as_str(), s.us_listing));
            assert_eq!(got, want, "{ticker:?}");
        }
    }
}
