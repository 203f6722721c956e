//! Tests of `rebt_data::import`: each format against its hand-written fixture in
//! `tests/fixtures/import/` (expected numbers worked out by hand in the comments), a table of
//! bad inputs per format with the exact message, forward and backward adjustment, atomic
//! writes, and an import of the real files in `../shared/data/real/` when that folder exists.

use rebt_core::{Currency, Field, InstrumentKind};
use rebt_data::import::{Adjust, ImportFormat, ImportOptions, ImportSummary, Imported, YahooClose, import};
use rebt_data::{Dataset, load};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn fixtures(names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(|n| fixture(n)).collect()
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn run(format: ImportFormat, names: &[&str], options: &ImportOptions) -> Imported {
    import(format, &fixtures(names), options).unwrap_or_else(|e| panic!("import failed: {e}"))
}

/// Write into a fresh directory named `dataset` and load it back with the ordinary loader.
fn write_and_load(imported: &Imported) -> (tempfile::TempDir, Dataset) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("dataset");
    imported.write(&out).expect("write");
    let dataset = load(&out).unwrap_or_else(|e| panic!("the written dataset does not load: {e}"));
    (tmp, dataset)
}

fn close_of(ds: &Dataset, symbol: &str) -> Vec<f64> {
    let ix = ds.panel.find(symbol).expect("symbol in panel");
    ds.panel.series(ix, Field::Close).to_vec()
}

// ---------------------------------------------------------------------------------------
// One test per format, against its fixture.

#[test]
fn akshare_converts_lots_and_codes() {
    // 成交量 is in lots: 1234 → 123400 shares, 385012 → 38501200, 98765 → 9876500, 120000 →
    // 12000000, 2000 → 200000. 成交额 is CNY already. pre_close = 收盘 − 涨跌额: 20.02 − (−0.09)
    // = 20.11 (the float difference is 20.109999999999996), 20.30 − 0.28 = 20.02, 19.90 −
    // (−0.40) = 20.30. 000831.csv has no 股票代码, no 成交额 and no 涨跌额: its symbol comes from
    // the file name and it has no amount and no pre_close (imported apart: the two files
    // together are refused, see `columns_in_some_files_only_are_named`).
    let imported = run(
        ImportFormat::Akshare,
        &["akshare/stock_zh_a_hist_600111.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount,pre_close\n\
         2024-01-02,600111.SH,20.11,20.35,19.87,20.02,123400,2469123.5,20.11\n\
         2024-01-03,600111.SH,20,20.48,19.95,20.3,38501200,781234567,20.02\n\
         2024-01-04,600111.SH,20.3,20.4,19.8,19.9,200000,3990000,20.3\n"
    );
    let s = imported.summary();
    assert_eq!(s.symbols, ["600111.SH"]);
    assert_eq!(
        (s.rows, s.first_date, s.last_date),
        (3, date("2024-01-02"), date("2024-01-04"))
    );
    assert!(s.skipped_rows.is_empty());
    let (_tmp, ds) = write_and_load(&imported);
    assert_eq!(close_of(&ds, "600111.SH"), [20.02, 20.3, 19.9]);
    let ix = ds.panel.find("600111.SH").expect("600111");
    assert_eq!(ds.panel.series(ix, Field::PreClose), [20.11, 20.02, 20.3]);
    assert!(!ds.manifest.synthetic);
    assert_eq!(ds.manifest.name, "dataset");

    let imported = run(
        ImportFormat::Akshare,
        &["akshare/000831.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,000831.SZ,25.5,26.1,25.2,25.88,9876500\n\
         2024-01-03,000831.SZ,25.9,25.95,24.8,24.95,12000000\n"
    );
    let (_tmp, ds) = write_and_load(&imported);
    let cre = ds.panel.find("000831.SZ").expect("000831");
    assert_eq!(ds.panel.series(cre, Field::Volume)[..2], [9_876_500.0, 12_000_000.0]);
    assert!(ds.panel.series(cre, Field::Amount)[0].is_nan());
}

#[test]
fn akshare_symbol_option_names_a_file_without_code() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("prices.csv");
    fs::copy(fixture("akshare/000831.csv"), &path).expect("copy");
    let options = ImportOptions {
        symbol: Some("000831".into()),
        ..ImportOptions::default()
    };
    let imported = import(ImportFormat::Akshare, &[path], &options).expect("import");
    assert_eq!(imported.summary().symbols, ["000831.SZ"]);
}

#[test]
fn akshare_fund_pre_close_is_to_the_tenth_of_a_cent() {
    // An ETF is quoted to 0.001: 3.512 − (−0.013) = 3.525; 3.498 − (−0.014000000000000012)
    // (float noise in the file) = 3.512; 3.502 − 0.004 = 3.498.
    let imported = run(
        ImportFormat::Akshare,
        &["akshare/fund_etf_hist_510300.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount,pre_close\n\
         2024-01-02,510300.SH,3.5,3.53,3.49,3.512,100000,351200,3.525\n\
         2024-01-03,510300.SH,3.51,3.52,3.48,3.498,120000,419760,3.512\n\
         2024-01-04,510300.SH,3.498,3.51,3.49,3.502,90000,315180,3.498\n"
    );
    let (_tmp, ds) = write_and_load(&imported);
    let ix = ds.panel.find("510300.SH").expect("510300");
    let pre = ds.panel.series(ix, Field::PreClose);
    assert_eq!(pre[..3], [3.525, 3.512, 3.498]);
}

#[test]
fn tushare_converts_lots_thousands_and_dates() {
    // vol × 100: 1234.0 → 123400, 385012.34 → 38501234, 2000.0 → 200000, 98765.0 → 9876500,
    // 1024.09 → 102409 (a float product would give 102408.99999999999).
    // amount × 1000: 1234.5 → 1234500, 781234.567 → 781234567, 3990.0 → 3990000,
    // 254321.0 → 254321000, 2097.131 → 2097131 (the float product: 2097130.9999999998).
    // pre_close is kept as tushare gives it.
    let imported = run(ImportFormat::Tushare, &["tushare/daily.csv"], &ImportOptions::default());
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount,pre_close\n\
         2024-01-02,000831.SZ,25.5,26.1,25.2,25.88,9876500,254321000,25.5\n\
         2024-01-02,600111.SH,20.11,20.35,19.87,20.02,123400,1234500,20.11\n\
         2024-01-03,000831.SZ,25.9,25.95,24.8,24.95,102409,2097131,25.88\n\
         2024-01-03,600111.SH,20,20.48,19.95,20.3,38501234,781234567,20.02\n\
         2024-01-04,600111.SH,20.3,20.4,19.8,19.9,200000,3990000,20.3\n"
    );
    let (tmp, ds) = write_and_load(&imported);
    let ix = ds.panel.find("600111.SH").expect("600111");
    assert_eq!(
        ds.panel.series(ix, Field::Amount),
        [1_234_500.0, 781_234_567.0, 3_990_000.0]
    );
    let manifest = fs::read_to_string(tmp.path().join("dataset/manifest.toml")).expect("manifest");
    assert_eq!(
        manifest,
        "name = \"dataset\"\n\
         description = \"Imported from tushare daily CSV (vol in lots of 100 shares and amount in thousands of CNY, converted to shares and CNY): daily.csv. Prices as in the source. With the exchange's reference close (pre_close).\"\n\
         synthetic = false\n\
         \n\
         [[instruments]]\n\
         symbol = \"000831.SZ\"\n\
         \n\
         [[instruments]]\n\
         symbol = \"600111.SH\"\n"
    );
}

#[test]
fn tushare_adj_factor_is_kept_or_applied() {
    // 300748.SZ: a 10-for-10 bonus issue on 2024-01-03 halves the price and doubles the
    // factor (1.0 → 2.0), and tushare's pre_close that day is the ex-rights price 10.00.
    // vol 1000, 2000, 1500 lots → 100000, 200000, 150000 shares; amount 2000, 2080, 1620
    // thousand → 2000000, 2080000, 1620000 CNY. Adjusted bars carry no pre_close.
    let file = ["tushare/adj_300748.csv"];
    let none = run(ImportFormat::Tushare, &file, &ImportOptions::default());
    assert_eq!(
        none.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount,adj_factor,pre_close\n\
         2024-01-02,300748.SZ,20,21,19,20,100000,2000000,1,19.8\n\
         2024-01-03,300748.SZ,10.2,10.6,9.8,10.4,200000,2080000,2,10\n\
         2024-01-04,300748.SZ,10.4,11,10,10.8,150000,1620000,2,10.4\n"
    );
    let (_tmp, ds) = write_and_load(&none);
    let ix = ds.panel.find("300748.SZ").expect("300748");
    assert_eq!(ds.panel.series(ix, Field::AdjFactor), [1.0, 2.0, 2.0]);
    assert_eq!(ds.panel.series(ix, Field::PreClose), [19.8, 10.0, 10.4]);
    assert_eq!(ds.panel.limit_reference(ix, 1), Some(10.0), "the ex-rights price");

    // Forward (前复权): × factor / latest factor (2.0): the first day × 0.5, the rest × 1.
    let forward = ImportOptions {
        adjust: Adjust::Forward,
        ..ImportOptions::default()
    };
    let imported = run(ImportFormat::Tushare, &file, &forward);
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount\n\
         2024-01-02,300748.SZ,10,10.5,9.5,10,100000,2000000\n\
         2024-01-03,300748.SZ,10.2,10.6,9.8,10.4,200000,2080000\n\
         2024-01-04,300748.SZ,10.4,11,10,10.8,150000,1620000\n"
    );
    let (_tmp, ds) = write_and_load(&imported);
    assert_eq!(close_of(&ds, "300748.SZ"), [10.0, 10.4, 10.8]);
    assert!(!ds.panel.has_field(Field::AdjFactor));
    assert!(!ds.panel.has_field(Field::PreClose));
    assert!(
        ds.manifest.description.contains("forward-adjusted (前复权)"),
        "{}",
        ds.manifest.description
    );
    assert!(
        ds.manifest
            .description
            .ends_with("The source's pre_close is left out: it is the exchange's reference on raw prices."),
        "{}",
        ds.manifest.description
    );

    // Backward (后复权): × factor: the first day × 1, the rest × 2.
    let backward = ImportOptions {
        adjust: Adjust::Backward,
        ..ImportOptions::default()
    };
    let imported = run(ImportFormat::Tushare, &file, &backward);
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount\n\
         2024-01-02,300748.SZ,20,21,19,20,100000,2000000\n\
         2024-01-03,300748.SZ,20.4,21.2,19.6,20.8,200000,2080000\n\
         2024-01-04,300748.SZ,20.8,22,20,21.6,150000,1620000\n"
    );
    write_and_load(&imported);
}

#[test]
fn forward_adjustment_uses_each_symbols_latest_factor_across_files() {
    // Two symbols in two long files; 600111.SH's latest factor (4.0) is in the second file.
    // 600111.SH: 2024-01-02 factor 1 → × 1/4; 2024-01-03 factor 4 → × 1.
    // 000831.SZ: factors 3 then 1.5 (its latest) → × 2 then × 1.
    let tmp = tempfile::tempdir().expect("temp dir");
    let a = tmp.path().join("a.csv");
    let b = tmp.path().join("b.csv");
    fs::write(
        &a,
        "date,symbol,open,high,low,close,volume,adj_factor\n\
         2024-01-02,600111.SH,40,48,36,44,100,1\n\
         2024-01-02,000831.SZ,10,11,9,10.5,100,3\n",
    )
    .expect("write");
    fs::write(
        &b,
        "date,symbol,open,high,low,close,volume,adj_factor\n\
         2024-01-03,600111.SH,11,12,10,11.5,100,4\n\
         2024-01-03,000831.SZ,10,10.5,9.5,10.25,100,1.5\n",
    )
    .expect("write");
    let options = ImportOptions {
        adjust: Adjust::Forward,
        ..ImportOptions::default()
    };
    let imported = import(ImportFormat::Long, &[a, b], &options).expect("import");
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,000831.SZ,20,22,18,21,100\n\
         2024-01-02,600111.SH,10,12,9,11,100\n\
         2024-01-03,000831.SZ,10,10.5,9.5,10.25,100\n\
         2024-01-03,600111.SH,11,12,10,11.5,100\n"
    );
    write_and_load(&imported);
}

#[test]
fn yahoo_adjusted_close_scales_the_bar_and_skips_null_days() {
    // 2024-01-02: r = Adj Close / Close = 10 / 20 = 0.5 → open 10, high 10.25, low 9.75,
    // close 10. 2024-01-04: r = 10.4 / 20.8 = 0.5 → 10.25, 10.5, 10, 10.4. The all-null row
    // (line 3) is skipped and reported.
    let imported = run(ImportFormat::Yahoo, &["yahoo/600111.SS.csv"], &ImportOptions::default());
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,600111.SH,10,10.25,9.75,10,38450000\n\
         2024-01-04,600111.SH,10.25,10.5,10,10.4,1000000\n"
    );
    let s = imported.summary();
    assert_eq!(s.skipped_rows.len(), 1);
    assert_eq!(s.skipped_rows[0].path, fixture("yahoo/600111.SS.csv"));
    assert_eq!(s.skipped_rows[0].line, 3);
    assert_eq!(
        s.to_string(),
        format!(
            "imported 2 bars of 1 symbol (600111.SH) from 1 file (yahoo), 2024-01-02 to 2024-01-04\n\
             skipped 1 row: every value is `null` (Yahoo's marker for a day without trading) ({}:3)",
            fixture("yahoo/600111.SS.csv").display()
        )
    );
    write_and_load(&imported);

    let raw = ImportOptions {
        yahoo_close: YahooClose::Raw,
        ..ImportOptions::default()
    };
    let imported = run(ImportFormat::Yahoo, &["yahoo/600111.SS.csv"], &raw);
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,600111.SH,20,20.5,19.5,20,38450000\n\
         2024-01-04,600111.SH,20.5,21,20,20.8,1000000\n"
    );
}

#[test]
fn yahoo_hong_kong_and_us_tickers() {
    // 0700.HK → 00700.HK; dates with yfinance's midnight time and offset are accepted.
    let raw = ImportOptions {
        yahoo_close: YahooClose::Raw,
        ..ImportOptions::default()
    };
    let imported = run(ImportFormat::Yahoo, &["yahoo/0700.HK.csv"], &raw);
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,00700.HK,299,302.2,296.4,300,12345600\n\
         2024-01-03,00700.HK,298,299,290,291.2,20000000\n"
    );
    let (_tmp, ds) = write_and_load(&imported);
    let hk = ds.panel.instrument(ds.panel.find("00700.HK").expect("hk"));
    assert_eq!(hk.currency, Currency::Hkd);

    // Adjusted: close = Adj Close exactly, the rest scaled by 297.1 / 300.
    let imported = run(ImportFormat::Yahoo, &["yahoo/0700.HK.csv"], &ImportOptions::default());
    let (_tmp, ds) = write_and_load(&imported);
    let ix = ds.panel.find("00700.HK").expect("hk");
    assert_eq!(ds.panel.series(ix, Field::Close), [297.1, 288.4]);
    let open = ds.panel.series(ix, Field::Open)[0];
    assert!((open - 299.0 * 297.1 / 300.0).abs() < 1e-12, "{open}");

    // A suffix-less ticker is a US listing: the manifest quotes it in USD.
    let imported = run(ImportFormat::Yahoo, &["yahoo/MP.csv"], &ImportOptions::default());
    let (_tmp, ds) = write_and_load(&imported);
    assert_eq!(ds.manifest.base_currency, Some(Currency::Usd));
    let mp = ds.panel.instrument(ds.panel.find("MP").expect("MP"));
    assert_eq!((mp.currency, mp.kind), (Currency::Usd, InstrumentKind::Equity));

    // Mixed with an A-share: base stays CNY and MP carries its own currency.
    let imported = run(
        ImportFormat::Yahoo,
        &["yahoo/MP.csv", "yahoo/600111.SS.csv"],
        &ImportOptions::default(),
    );
    let manifest = imported.manifest("mixed").expect("manifest");
    assert_eq!(manifest.base_currency, None);
    let mp = manifest
        .instruments
        .iter()
        .find(|i| i.symbol == "MP")
        .expect("MP listed");
    assert_eq!(mp.currency, Some(Currency::Usd));
}

#[test]
fn long_files_merge_and_sort() {
    // Columns in any order, rows in any order, one symbol (HKDCNY) in both files.
    let imported = run(
        ImportFormat::Long,
        &["long/part_a.csv", "long/part_b.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,amount\n\
         2024-01-02,000831.SZ,25.5,26.1,25.2,25.88,9876500,254321000\n\
         2024-01-02,600111.SH,20.11,20.35,19.87,20.02,123400,2469123.5\n\
         2024-01-02,HKDCNY,0.9101,0.912,0.91,0.9112,0,0\n\
         2024-01-03,600111.SH,20,20.48,19.95,20.3,38501200,781234567\n\
         2024-01-03,HKDCNY,0.911,0.9115,0.9095,0.9105,0,0\n"
    );
    let s = imported.summary();
    assert_eq!(s.symbols, ["000831.SZ", "600111.SH", "HKDCNY"]);
    assert_eq!(s.files, fixtures(&["long/part_a.csv", "long/part_b.csv"]));
    let (_tmp, ds) = write_and_load(&imported);
    let fx = ds.panel.instrument(ds.panel.find("HKDCNY").expect("fx"));
    assert_eq!(fx.kind, InstrumentKind::Fx);
}

#[test]
fn long_pre_close_is_kept_raw_and_left_out_when_adjusted() {
    // A 10-for-10 day: pre_close 10 against a previous close of 20. Raw, the column comes
    // back as given (an empty cell stays empty); forward-adjusted, it is left out, since the
    // adjustment already removed the jump it describes.
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("bars.csv");
    fs::write(
        &path,
        "date,symbol,open,high,low,close,volume,adj_factor,pre_close\n\
         2024-01-02,300748.SZ,20,21,19,20,100,1,\n\
         2024-01-03,300748.SZ,10.2,10.6,9.8,10.4,200,2,10\n",
    )
    .expect("write");
    let raw = import(ImportFormat::Long, std::slice::from_ref(&path), &defaults()).expect("raw");
    assert_eq!(
        raw.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume,adj_factor,pre_close\n\
         2024-01-02,300748.SZ,20,21,19,20,100,1,\n\
         2024-01-03,300748.SZ,10.2,10.6,9.8,10.4,200,2,10\n"
    );
    let (_t, ds) = write_and_load(&raw);
    let ix = ds.panel.find("300748.SZ").expect("300748");
    assert_eq!(ds.panel.limit_reference(ix, 1), Some(10.0));
    let adjusted = import(ImportFormat::Long, &[path], &forward()).expect("forward");
    assert_eq!(
        adjusted.bars_csv().expect("bars"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,300748.SZ,10,10.5,9.5,10,100\n\
         2024-01-03,300748.SZ,10.2,10.6,9.8,10.4,200\n"
    );
}

#[test]
fn bad_pre_close_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,pre_close,vol\n\
                 600111.SH,20240102,20.11,20.35,19.87,20.02,20.11,1234\n\
                 600111.SH,20240103,20.00,20.48,19.95,20.30,0,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `pre_close`: `0` is not a positive price",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,pre_close,vol\n600111.SH,20240102,20.11,20.35,19.87,20.02,n/a,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `pre_close`: `n/a` is not a number",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,涨跌额\n2024-01-02,20.11,20.02,20.35,19.87,1234,20.02\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `涨跌额`: 收盘 20.02 − 涨跌额 20.02 leaves no positive previous close; expected the change from the previous close",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,涨跌额\n2024-01-02,20.11,20.02,20.35,19.87,1234,-0.09\n2024-01-03,20.11,20.02,20.35,19.87,1234,--\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `涨跌额`: `--` is not a number",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume,pre_close\n2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000,-10.1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `pre_close`: `-10.1` is not a positive price",
        },
    ]);
}

fn backward() -> ImportOptions {
    ImportOptions {
        adjust: Adjust::Backward,
        ..ImportOptions::default()
    }
}

#[test]
fn prices_above_the_loaders_limit_are_named() {
    // The loader refuses a price above rebt_core::MAX_PRICE (1e12); an import that wrote one
    // would leave a dataset that does not load. Raw cells, a computed pre_close, adjusted
    // prices and Yahoo's scaled prices are all checked.
    check_bad(&[
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "lh.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,X,2e12,2e12,2e12,2e12,1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `open`: `2e12` is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量\n2024-01-02,1e300,1e300,1e300,1e300,1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `开盘`: `1e300` is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,涨跌额\n2024-01-02,10,10,10,10,1,-1e300\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `涨跌额`: 收盘 10 − 涨跌额 -1e300 = 1e300 is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,pre_close,vol\n600111.SH,20240102,10,10,10,10,3e12,1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `pre_close`: `3e12` is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume,adj_factor\n\
                 2024-01-02,X,10,10,10,10,1,1\n\
                 2024-01-03,X,10,10,10,10,1,1e300\n",
            )],
            options: backward,
            blamed: 0,
            expected: ":3: the backward-adjusted open 1e301 (open 10 × adj_factor 1e300) is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol,adj_factor\n\
                 600111.SH,20240102,10,10,10,10,1,1e12\n\
                 600111.SH,20240103,10,10,10,10,1,1\n",
            )],
            options: forward,
            blamed: 0,
            expected: ":2: the forward-adjusted open 1e13 (open 10 × adj_factor 1e12 / the symbol's latest adj_factor 1) is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "MP.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,4,1,1,5e11,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `Adj Close`: Adj Close 5e11 scales High 4 to 2e12, which is above 1e12, the largest price rebt accepts (limit prices and trade values are worked out in integer cents); is it in the wrong unit?",
        },
    ]);
}

#[test]
fn empty_cells_in_optional_columns_are_named() {
    // The only empty cells accepted in bars are pre_close (or 涨跌额) on a symbol's first day,
    // its listing day: mid-series an empty one would hide an ex-rights day, and an empty
    // amount would be written as a gap nobody asked for.
    check_bad(&[
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,涨跌额\n\
                 2024-01-02,10,10,10,10,1,0.1\n\
                 2024-01-03,10,10,10,10,1,\n\
                 2024-01-04,10,10,10,10,1,0\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `涨跌额`: the cell is empty; expected a number (only a symbol's first day, its listing day, may leave it empty, and 600111.SH has bars from 2024-01-02)",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,pre_close,vol\n\
                 600111.SH,20240103,10,10,10,10,,1\n\
                 600111.SH,20240102,10,10,10,10,9.9,1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `pre_close`: the cell is empty; expected a number (only a symbol's first day, its listing day, may leave it empty, and 600111.SH has bars from 2024-01-02)",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume,pre_close\n\
                 2024-01-02,600111.SH,10,10,10,10,1,\n\
                 2024-01-03,600111.SH,10,10,10,10,1,\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `pre_close`: the cell is empty; expected a number (only a symbol's first day, its listing day, may leave it empty, and 600111.SH has bars from 2024-01-02)",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,成交额\n2024-01-02,10,10,10,10,1,10\n2024-01-03,10,10,10,10,1,\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `成交额`: the cell is empty; expected a number (a file whose turnover is missing on some days imports without its amount column: leave the column out)",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol,amount\n600111.SH,20240102,10,10,10,10,1,\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `amount`: the cell is empty; expected a number (a file whose turnover is missing on some days imports without its amount column: leave the column out)",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume,amount\n2024-01-02,600111.SH,10,10,10,10,1,\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `amount`: the cell is empty; expected a number (a file whose turnover is missing on some days imports without its amount column: leave the column out)",
        },
    ]);
}

#[test]
fn an_empty_pre_close_on_the_listing_day_is_kept() {
    // tushare lists the newest day first: the empty cell is on the last line but on the
    // symbol's first day, and across two files the first day is the earliest of both.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    let header = "ts_code,trade_date,open,high,low,close,pre_close,vol\n";
    fs::write(
        &a,
        format!("{header}600111.SH,20240104,10,10,10,10,10,1\n600111.SH,20240103,10,10,10,10,10,1\n"),
    )
    .expect("write");
    fs::write(&b, format!("{header}600111.SH,20240102,10,10,10,10,,1\n")).expect("write");
    let imported = import(ImportFormat::Tushare, &[a, b], &defaults()).expect("import");
    assert!(
        imported
            .bars_csv()
            .expect("bars")
            .contains("2024-01-02,600111.SH,10,10,10,10,100,\n")
    );
    let ak = tmp.path().join("600111.csv");
    fs::write(
        &ak,
        "日期,开盘,收盘,最高,最低,成交量,涨跌额\n2024-01-02,10,10,10,10,1,\n2024-01-03,10,10,10,10,1,0\n",
    )
    .expect("write");
    let imported = import(ImportFormat::Akshare, &[ak], &defaults()).expect("akshare");
    assert!(
        imported
            .bars_csv()
            .expect("bars")
            .ends_with(",100,\n2024-01-03,600111.SH,10,10,10,10,100,10\n")
    );
    // adjusted bars are written without pre_close: an empty cell of it on any day is moot
    let adj = tmp.path().join("adj.csv");
    fs::write(
        &adj,
        "ts_code,trade_date,open,high,low,close,pre_close,vol,adj_factor
\
         600111.SH,20240103,10,10,10,10,,1,1\n600111.SH,20240102,10,10,10,10,10,1,1\n",
    )
    .expect("write");
    let forward = ImportOptions {
        adjust: Adjust::Forward,
        ..defaults()
    };
    let imported = import(ImportFormat::Tushare, &[adj], &forward).expect("adjusted");
    assert!(!imported.bars_csv().expect("bars").contains("pre_close"));
}

#[test]
fn columns_in_some_files_only_are_named() {
    // Like `adj_factor`: the bars of a file without the column would get empty cells.
    const A: &str =
        "date,symbol,open,high,low,close,volume,amount,pre_close\n2024-01-02,600111.SH,10,10,10,10,1,10,9.9\n";
    const B: &str = "date,symbol,open,high,low,close,volume\n2024-01-02,000831.SZ,10,10,10,10,1\n";
    const B_AMOUNT: &str = "date,symbol,open,high,low,close,volume,amount\n2024-01-02,000831.SZ,10,10,10,10,1,10\n";
    const AK: &str = "日期,开盘,收盘,最高,最低,成交量,成交额\n2024-01-02,10,10,10,10,1,10\n";
    const AK_CHANGE: &str = "日期,开盘,收盘,最高,最低,成交量,成交额,涨跌额\n2024-01-02,10,10,10,10,1,10,0\n";
    const AMOUNT: &str = "` column but {} has one; expected the column in every file or in none (this file's bars would get an empty amount)";
    const PRE_CLOSE: &str = "` column but {} has one; expected the column in every file or in none (this file's bars would get an empty pre_close, hiding their ex-rights days)";
    /// Format, two files (name, text), the column, the message after it.
    type Case = (
        ImportFormat,
        [(&'static str, &'static str); 2],
        &'static str,
        &'static str,
    );
    let cases: [Case; 3] = [
        (ImportFormat::Long, [("a.csv", A), ("b.csv", B)], "amount", AMOUNT),
        (
            ImportFormat::Long,
            [("b.csv", B_AMOUNT), ("a.csv", A)],
            "pre_close",
            PRE_CLOSE,
        ),
        (
            ImportFormat::Akshare,
            [("600111.csv", AK), ("000831.csv", AK_CHANGE)],
            "涨跌额",
            PRE_CLOSE,
        ),
    ];
    for (format, files, column, tail) in cases {
        let tmp = tempfile::tempdir().expect("temp dir");
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|(name, text)| {
                let p = tmp.path().join(name);
                fs::write(&p, text).expect("write");
                p
            })
            .collect();
        let (without, with) = if files[0].1.contains(column) { (1, 0) } else { (0, 1) };
        let e = import(format, &paths, &defaults()).err().map(|e| e.to_string());
        let tail = tail.replace("{}", &paths[with].display().to_string());
        assert_eq!(
            e.as_deref(),
            Some(format!("{}: has no `{column}{tail}", paths[without].display()).as_str()),
            "{files:?}"
        );
    }
    // Adjusted bars carry no pre_close, so then only the amount must match.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (a, b) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    fs::write(
        &a,
        "date,symbol,open,high,low,close,volume,adj_factor,pre_close\n2024-01-02,X,10,10,10,10,1,1,9\n",
    )
    .expect("write");
    fs::write(
        &b,
        "date,symbol,open,high,low,close,volume,adj_factor\n2024-01-02,Y,10,10,10,10,1,1\n",
    )
    .expect("write");
    import(ImportFormat::Long, &[a, b], &forward()).expect("forward-adjusted: pre_close is left out anyway");
}

#[test]
fn series_merge_with_publication_days() {
    // concentrate.csv has no `published`: its values are public on their date.
    let imported = run(
        ImportFormat::Series,
        &["series/margin.csv", "series/concentrate.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(imported.bars_csv(), None);
    assert!(imported.manifest("x").is_none());
    assert_eq!(
        imported.series_csv().expect("series"),
        "date,series,value,published\n\
         2025-10-01,concentrate_price,26205,2025-10-01\n\
         2026-01-01,concentrate_price,26834,2026-01-01\n\
         2026-01-15,margin_balance:600111.SH,8012345678,2026-01-16\n\
         2026-01-15,margin_balance:600111.SH,8012345999,2026-01-20\n\
         2026-01-16,margin_balance:600111.SH,8123456789.5,2026-01-19\n"
    );
    let s = imported.summary();
    assert_eq!(s.series, ["concentrate_price", "margin_balance:600111.SH"]);
    assert!(s.symbols.is_empty());
    assert_eq!(
        (s.rows, s.first_date, s.last_date),
        (5, date("2025-10-01"), date("2026-01-16"))
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    imported.write(tmp.path()).expect("write");
    let names: Vec<String> = fs::read_dir(tmp.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["series.csv"]);
    assert_eq!(
        fs::read_to_string(tmp.path().join("series.csv")).expect("read"),
        imported.series_csv().expect("series")
    );

    // An empty `published` cell means the value was public on its date.
    let tmp = tempfile::tempdir().expect("temp dir");
    let p = tmp.path().join("s.csv");
    fs::write(&p, "date,series,value,published\n2026-01-16,prnd_oxide,682500,\n").expect("write");
    let imported = import(ImportFormat::Series, &[p], &ImportOptions::default()).expect("import");
    assert_eq!(
        imported.series_csv().expect("series"),
        "date,series,value,published\n2026-01-16,prnd_oxide,682500,2026-01-16\n"
    );

    // Without any `published` column none is written.
    let imported = run(
        ImportFormat::Series,
        &["series/concentrate.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.series_csv().expect("series"),
        "date,series,value\n2025-10-01,concentrate_price,26205\n2026-01-01,concentrate_price,26834\n"
    );
}

// ---------------------------------------------------------------------------------------
// Bad input: every case is a file written to a temporary directory under the given name; the
// message must be exactly `<path><expected>`.

struct Bad {
    format: ImportFormat,
    files: &'static [(&'static str, &'static str)],
    options: fn() -> ImportOptions,
    /// The file the message names (index into `files`) and the text after its path.
    blamed: usize,
    expected: &'static str,
}

const AK_HEADER: &str = "日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率";

fn defaults() -> ImportOptions {
    ImportOptions::default()
}

fn forward() -> ImportOptions {
    ImportOptions {
        adjust: Adjust::Forward,
        ..ImportOptions::default()
    }
}

fn with_symbol() -> ImportOptions {
    ImportOptions {
        symbol: Some("600111.SH".into()),
        ..ImportOptions::default()
    }
}

fn check_bad(cases: &[Bad]) {
    for case in cases {
        check_one(case.format, case.files, &(case.options)(), case.blamed, case.expected);
    }
}

/// Write `files` (name, text) into a fresh directory, import them and expect the message
/// `<path of files[blamed]><expected>`.
fn check_one(format: ImportFormat, files: &[(&str, &str)], options: &ImportOptions, blamed: usize, expected: &str) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let p = tmp.path().join(name);
            fs::write(&p, text).expect("write");
            p
        })
        .collect();
    let e = match import(format, &paths, options) {
        Ok(_) => panic!("{files:?} should fail with {expected}"),
        Err(e) => e,
    };
    let want = format!("{}{}", paths[blamed].display(), expected);
    assert_eq!(e.to_string(), want, "{files:?}");
}

#[test]
fn bad_akshare_input_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率\n\
                 2024/01/02,600111,20.11,20.02,20.35,19.87,1234,2469123.5,2.39,-0.45,-0.09,0.35\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `日期`: `2024/01/02` is not a date; expected YYYY-MM-DD",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量,备注\n2024-01-02,20.11,20.02,20.35,19.87,1234,x\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": unknown column `备注`; allowed columns: 日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交额\n2024-01-02,20.11,20.02,20.35,19.87,1\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": missing required column `成交量`; found columns: 日期,开盘,收盘,最高,最低,成交额",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量\n2024-01-02,20.11,20.02,20.35,19.87,1234\n2024-01-03,20.11,20.02,20.35,19.87,-5\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `成交量`: `-5` is negative; expected a number ≥ 0",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "prices.csv",
                "日期,开盘,收盘,最高,最低,成交量\n2024-01-02,20.11,20.02,20.35,19.87,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": cannot tell the symbol: the file has no 股票代码 column and its name `prices` is not an A-share code; pass the symbol (--symbol 600111.SH) or name the file after the code (600111.csv)",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "a.csv",
                "日期,股票代码,开盘,收盘,最高,最低,成交量\n2024-01-02,831,25.5,25.88,26.1,25.2,98765\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `股票代码`: `831` is not an A-share stock or fund code; expected six digits such as 600111 or 000831 (leading zeros lost in a spreadsheet?)",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "a.csv",
                ",日期,开盘,收盘,最高,最低,成交量\n0,2024-01-02,25.5,25.88,26.1,25.2,98765\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": column 1 of the header has no name (an index column written by pandas `to_csv`? save with `index=False`); expected akshare columns 日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[("600111.csv", AK_HEADER)],
            options: defaults,
            blamed: 0,
            expected: ": has a header but no rows; expected at least one bar",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[(
                "600111.csv",
                "日期,开盘,收盘,最高,最低,成交量\n2024-01-02,20.11,20.02,20.35,19.87,1234\n",
            )],
            options: forward,
            blamed: 0,
            expected: ": forward adjustment needs an `adj_factor` column, which only tushare and long files have; akshare files cannot be adjusted here",
        },
    ]);
}

#[test]
fn akshare_symbol_option_must_agree_with_the_code() {
    check_bad(&[Bad {
        format: ImportFormat::Akshare,
        files: &[(
            "a.csv",
            "日期,股票代码,开盘,收盘,最高,最低,成交量\n2024-01-02,000831,25.5,25.88,26.1,25.2,98765\n",
        )],
        options: with_symbol,
        blamed: 0,
        expected: ":2: column `股票代码`: code 000831 is 000831.SZ, but the symbol option says 600111.SH; expected them to agree (drop the option)",
    }]);
}

#[test]
fn akshare_gbk_file_is_refused_with_its_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("600111.csv");
    // "日期" in GBK is D5 C8 C6 DA: not UTF-8.
    fs::write(&path, b"\xd5\xc8\xc6\xda,x\n").expect("write");
    let e = import(
        ImportFormat::Akshare,
        std::slice::from_ref(&path),
        &ImportOptions::default(),
    )
    .expect_err("GBK");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:1: the line is not valid UTF-8; expected a UTF-8 text file (re-save a GBK file as UTF-8)",
            path.display()
        )
    );
}

const TS_HEADER: &str = "ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount";

#[test]
fn bad_tushare_input_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol\n600111.SH,2024-01-02,20.11,20.35,19.87,20.02,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `trade_date`: `2024-01-02` is not a date; expected YYYYMMDD",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol\n600111.SH,20240102,20.11,20.35,19.87,20.02,12a4\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `vol`: `12a4` is not a number",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol\n00700.HK,20240102,299,302.2,296.4,300,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `ts_code`: `00700.HK` is not a tushare A-share code; expected NNNNNN.SH, NNNNNN.SZ or NNNNNN.BJ (tushare `hk_daily` volumes are in shares, not lots: convert such files to the long format)",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol\n\
                 600111.SH,20240102,20.11,20.35,19.87,20.02,1234\n\
                 000831.SZ,20240102,25.5,26.1,25.2,25.88,98765\n\
                 600111.SH,20240102,20.11,20.35,19.87,20.02,1234\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":4: duplicate bar for 600111.SH on 2024-01-02 (first at line 2); expected one bar per symbol and date",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol,amount\n600111.SH,20240102,20.11,20.35,19.87,20.02,1234,2469\n600111.SH,20240103,20.11,20.35,19.87,20.02,1234,-1.5\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `amount`: `-1.5` is negative; expected a number ≥ 0",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol,adj_factor\n600111.SH,20240102,20.11,20.35,19.87,20.02,1234,\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `adj_factor`: the cell is empty; expected a number",
        },
    ]);
    // Cases whose message names a second file.
    let tmp = tempfile::tempdir().expect("temp dir");
    let with = tmp.path().join("with.csv");
    let without = tmp.path().join("without.csv");
    fs::write(
        &with,
        "ts_code,trade_date,open,high,low,close,vol,adj_factor\n600111.SH,20240102,20.11,20.35,19.87,20.02,1234,1.5\n",
    )
    .expect("write");
    fs::write(
        &without,
        "ts_code,trade_date,open,high,low,close,vol\n600111.SH,20240103,20.11,20.35,19.87,20.02,1234\n",
    )
    .expect("write");
    let e = import(ImportFormat::Tushare, &[with.clone(), without.clone()], &defaults()).expect_err("mixed");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: has no `adj_factor` column but {} has one; expected the column in every file or in none (the engine needs a factor for every bar)",
            without.display(),
            with.display()
        )
    );
    let again = tmp.path().join("again.csv");
    fs::write(
        &again,
        "ts_code,trade_date,open,high,low,close,vol,adj_factor\n600111.SH,20240102,20.11,20.35,19.87,20.02,1234,1.5\n",
    )
    .expect("write");
    let e = import(ImportFormat::Tushare, &[with.clone(), again.clone()], &defaults()).expect_err("dup");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: duplicate bar for 600111.SH on 2024-01-02 (first at {}:2); expected one bar per symbol and date",
            again.display(),
            with.display()
        )
    );
    check_bad(&[
        Bad {
            format: ImportFormat::Tushare,
            files: &[(
                "d.csv",
                "ts_code,trade_date,open,high,low,close,vol\n600111.SH,20240102,20.11,20.35,19.87,20.02,1234\n",
            )],
            options: forward,
            blamed: 0,
            expected: ": forward adjustment needs an `adj_factor` column in every file; this file has none (import without adjustment, or add the factors)",
        },
        Bad {
            format: ImportFormat::Tushare,
            files: &[("d.csv", TS_HEADER)],
            options: with_symbol,
            blamed: 0,
            expected: ": the symbol option (`600111.SH`) applies to akshare, akshare-dividend and yahoo files only; tushare files carry the symbol in every row",
        },
    ]);
}

const YH_HEADER: &str = "Date,Open,High,Low,Close,Adj Close,Volume";

#[test]
fn bad_yahoo_input_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "600111.SS.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n\
                 2024-01-02,20,20.5,19.5,20,10,100\n\
                 2024-01-03,null,20.5,19.5,20,10,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: column `Open`: `null` (Yahoo's missing-value marker) in a row that has other values; expected a number (a day without data must be null in every column)",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "600111.SS.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,9.5,9,9.5,9.5,9.5,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `High`: high 9 is below low 9.5",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "600111.SS.csv",
                "Date,Open,High,Low,Close,Volume\n2024-01-02,20,20.5,19.5,20,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": has no `Adj Close` column, which the adjusted close (the default) needs; if its prices are already adjusted (yfinance with auto_adjust), import them with the raw close (--yahoo-close raw)",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "us_MP_adjclose.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,20,20.5,19.5,20,10,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": cannot tell the symbol: the file name `us_MP_adjclose` is not a Yahoo ticker; pass the symbol (--symbol 600111.SS) or name the file after the ticker (600111.SS.csv)",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "MP.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02 09:30:00,20,20.5,19.5,20,10,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `Date`: `2024-01-02 09:30:00` is not a date; expected YYYY-MM-DD (a time, if any, must be midnight, as Yahoo writes for daily bars)",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "MP.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,20,20.5,19.5,20,0,100\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `Adj Close`: `0` is not a positive price",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[(
                "MP.csv",
                "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,null,null,null,null,null,null\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": has no bars: its only row is skipped (every value is `null` (Yahoo's marker for a day without trading))",
        },
        Bad {
            format: ImportFormat::Yahoo,
            files: &[("MP.csv", YH_HEADER)],
            options: forward,
            blamed: 0,
            expected: ": forward adjustment needs an `adj_factor` column, which only tushare and long files have; yahoo files cannot be adjusted here",
        },
    ]);
}

const LONG_HEADER: &str = "date,symbol,open,high,low,close,volume\n";

#[test]
fn bad_long_input_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,11.00,10.50,9.80,10.20,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `open`: open 11 is outside [low 9.8, high 10.5]",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,10.00,10.50,9.80,10.60,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `close`: close 10.6 is outside [low 9.8, high 10.5]",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,10.00,10.50,0,10.20,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `low`: `0` is not a positive price",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000\n2024-01-03,600111.SH,10.00,10.50,9.80,10.20\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: found 6 fields, expected 7 (date,symbol,open,high,low,close,volume)",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,10.00,10.50,9.80,10.20,1000\n\n2024-01-03,600111.SH,10.00,10.50,9.80,10.20,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: the line is empty; expected 7 fields (date,symbol,open,high,low,close,volume)",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02, 600111.SH,10.00,10.50,9.80,10.20,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `symbol`: symbol ` 600111.SH` has leading or trailing spaces",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[(
                "bars.csv",
                "date,symbol,open,high,low,close,volume\n2024-01-02,600111.SH,10.00,10.50,9.80,inf,1000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `close`: `inf` is not a finite number",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[("bars.csv", "date,symbol,open,high,low,close,volume,volume\n")],
            options: defaults,
            blamed: 0,
            expected: ": column `volume` appears more than once in the header",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[("bars.csv", "")],
            options: defaults,
            blamed: 0,
            expected: ": the file is empty; expected a long header line with the columns date,symbol,open,high,low,close,volume,amount,adj_factor,pre_close",
        },
        Bad {
            format: ImportFormat::Akshare,
            files: &[("600111.csv", "")],
            options: defaults,
            blamed: 0,
            expected: ": the file is empty; expected an akshare header line with the columns 日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", "\n1,2\n")],
            options: defaults,
            blamed: 0,
            expected: ":1: the first line is empty; expected an akshare dividend header line with the columns 进度,除权除息日,派息,派息(税前)(元),送股,送股(股),转增,转增(股),股权登记日,红股上市日,公告日期",
        },
        Bad {
            format: ImportFormat::Long,
            files: &[("bars.csv", LONG_HEADER)],
            options: with_symbol,
            blamed: 0,
            expected: ": the symbol option (`600111.SH`) applies to akshare, akshare-dividend and yahoo files only; long files carry the symbol in every row",
        },
    ]);
}

const SERIES_HEADER: &str = "date,series,value,published\n";

#[test]
fn bad_series_input_is_named() {
    check_bad(&[
        Bad {
            format: ImportFormat::Series,
            files: &[(
                "s.csv",
                "date,series,value,published\n2026-01-16,margin_balance:600111.SH,1,2026-01-15\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":2: column `published`: published 2026-01-15 is before the date 2026-01-16; expected the day the value became public, on or after the day it describes",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[("s.csv", "date,series,value\n2026-01-16,prnd_oxide,NaN\n")],
            options: defaults,
            blamed: 0,
            expected: ":2: column `value`: `NaN` is not a finite number",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[("s.csv", "date,series,value\n2026-01-16,,682500\n")],
            options: defaults,
            blamed: 0,
            expected: ":2: column `series`: the cell is empty; expected a series name",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[(
                "s.csv",
                "date,series,value\n2026-01-16,prnd_oxide,682500\n2026-01-16,prnd_oxide,682000\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ":3: duplicate value for series `prnd_oxide` on 2026-01-16 published 2026-01-16 (first at line 2); expected one value per series, date and publication day",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[("s.csv", "date,series,value,unit\n2026-01-16,prnd_oxide,682500,CNY/t\n")],
            options: defaults,
            blamed: 0,
            expected: ": unknown column `unit`; allowed columns: date,series,value,published",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[("s.csv", SERIES_HEADER)],
            options: defaults,
            blamed: 0,
            expected: ": has a header but no rows; expected at least one value",
        },
        Bad {
            format: ImportFormat::Series,
            files: &[("s.csv", SERIES_HEADER)],
            options: forward,
            blamed: 0,
            expected: ": forward adjustment needs an `adj_factor` column, which only tushare and long files have; series files cannot be adjusted here",
        },
    ]);
}

#[test]
fn series_duplicates_across_files_name_both() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let a = tmp.path().join("a.csv");
    let b = tmp.path().join("b.csv");
    fs::write(&a, "date,series,value\n2026-01-16,prnd_oxide,682500\n").expect("write");
    fs::write(
        &b,
        "date,series,value,published\n2026-01-16,prnd_oxide,682500,2026-01-16\n",
    )
    .expect("write");
    let e = import(ImportFormat::Series, &[a.clone(), b.clone()], &ImportOptions::default()).expect_err("dup");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: duplicate value for series `prnd_oxide` on 2026-01-16 published 2026-01-16 (first at {}:2); expected one value per series, date and publication day",
            b.display(),
            a.display()
        )
    );
}

#[test]
fn option_names_parse_and_list_the_valid_ones() {
    assert_eq!("akshare".parse::<ImportFormat>(), Ok(ImportFormat::Akshare));
    assert_eq!("Yahoo".parse::<ImportFormat>(), Ok(ImportFormat::Yahoo));
    assert_eq!(
        "tushare-dividend".parse::<ImportFormat>(),
        Ok(ImportFormat::TushareDividend)
    );
    let e = "csv".parse::<ImportFormat>().expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "unknown import format `csv`; expected one of: akshare, tushare, yahoo, long, series, tushare-dividend, akshare-dividend"
    );
    for f in ImportFormat::ALL {
        assert_eq!(f.to_string().parse::<ImportFormat>(), Ok(f));
    }
    assert_eq!("qfq".parse::<Adjust>(), Ok(Adjust::Forward));
    assert_eq!("backward".parse::<Adjust>(), Ok(Adjust::Backward));
    assert_eq!(
        "both".parse::<Adjust>().expect_err("unknown").to_string(),
        "unknown adjustment `both`; expected one of: none, forward (qfq), backward (hfq)"
    );
    assert_eq!("raw".parse::<YahooClose>(), Ok(YahooClose::Raw));
    assert_eq!(
        "close".parse::<YahooClose>().expect_err("unknown").to_string(),
        "unknown Yahoo close `close`; expected one of: adjusted, raw"
    );
    let o = ImportOptions::default();
    assert_eq!(
        (o.symbol, o.yahoo_close, o.adjust),
        (None, YahooClose::Adjusted, Adjust::None)
    );
    let e = import(ImportFormat::Long, &[], &ImportOptions::default()).expect_err("no files");
    assert_eq!(
        e.to_string(),
        "(no files): nothing to import; expected at least one file"
    );
}

// ---------------------------------------------------------------------------------------
// Writing.

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let imported = run(ImportFormat::Long, &["long/part_b.csv"], &ImportOptions::default());
    let tmp = tempfile::tempdir().expect("temp dir");
    // manifest.toml is a directory: nothing may be written, not even bars.csv.
    fs::create_dir_all(tmp.path().join("manifest.toml/x")).expect("dir");
    let e = imported.write(tmp.path()).expect_err("blocked");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: is a directory; expected a file name that can be written",
            tmp.path().join("manifest.toml").display()
        )
    );
    let mut names: Vec<String> = fs::read_dir(tmp.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["manifest.toml"]);

    // A bars.parquet beside would make the dataset ambiguous.
    let tmp = tempfile::tempdir().expect("temp dir");
    fs::write(tmp.path().join("bars.parquet"), "PAR1").expect("write");
    let e = imported.write(tmp.path()).expect_err("parquet");
    assert!(e.to_string().ends_with("bars.parquet: is in the output directory; the imported bars.csv beside it would make the dataset ambiguous (remove it or choose another directory)"), "{e}");
    assert!(!tmp.path().join("bars.csv").exists());

    // So would a compressed one, for series as for bars.
    let tmp = tempfile::tempdir().expect("temp dir");
    fs::write(tmp.path().join("series.csv.gz"), "").expect("write");
    let series = run(
        ImportFormat::Series,
        &["series/concentrate.csv"],
        &ImportOptions::default(),
    );
    let e = series.write(tmp.path()).expect_err("gz");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: is in the output directory; the imported series.csv beside it would make the dataset ambiguous (remove it or choose another directory)",
            tmp.path().join("series.csv.gz").display()
        )
    );
    assert!(!tmp.path().join("series.csv").exists());

    // An output path that is a file.
    let file = tmp.path().join("series.csv.gz");
    let e = imported.write(&file).expect_err("a file");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: is a file; expected a directory to write the dataset into (new or existing)",
            file.display()
        )
    );
}

#[test]
fn writing_again_replaces_the_files_and_leaves_no_temporaries() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("ds");
    run(ImportFormat::Long, &["long/part_a.csv"], &ImportOptions::default())
        .write(&out)
        .expect("first");
    let second = run(ImportFormat::Tushare, &["tushare/daily.csv"], &ImportOptions::default());
    second.write(&out).expect("second");
    assert_eq!(
        fs::read_to_string(out.join("bars.csv")).expect("bars"),
        second.bars_csv().expect("bars")
    );
    let mut names: Vec<String> = fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bars.csv", "manifest.toml"]);
    let ds = load(&out).expect("loads");
    assert_eq!(ds.summary().instruments.len(), 2);
}

#[test]
fn summary_of_many_symbols_is_one_line() {
    let imported = run(
        ImportFormat::Long,
        &["long/part_a.csv", "long/part_b.csv"],
        &ImportOptions::default(),
    );
    let s: ImportSummary = imported.summary();
    assert_eq!(
        s.to_string(),
        "imported 5 bars of 3 symbols (000831.SZ, 600111.SH, HKDCNY) from 2 files (long), 2024-01-02 to 2024-01-03"
    );
}

// ---------------------------------------------------------------------------------------
// The real files in ../shared/data/real/ (never copied into the repository): small adapters
// turn the cleaned files into each vendor's layout in a temporary directory, the importers
// read them, and the written datasets must load.

fn real_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping the real-data import test: {} does not exist", dir.display());
        None
    }
}

/// A real file as (header, rows), each row split on commas (the files have no quotes).
fn read_real(dir: &Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header = lines.next().expect("header").split(',').map(String::from).collect();
    let rows = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// Decimal text divided by 100 exactly (`170065192` → `1700651.92`), as a vendor writes lots.
fn shares_to_lots(shares: &str) -> String {
    let digits = shares.trim_end_matches(".0");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{shares}");
    let padded = format!("{digits:0>3}");
    let (int, frac) = padded.split_at(padded.len() - 2);
    format!("{int}.{frac}")
}

fn real_import(
    format: ImportFormat,
    files: &[PathBuf],
    options: &ImportOptions,
) -> (Imported, tempfile::TempDir, Dataset) {
    let imported = import(format, files, options).unwrap_or_else(|e| panic!("{format} import of real files: {e}"));
    let (tmp, ds) = write_and_load(&imported);
    (imported, tmp, ds)
}

#[test]
fn real_files_import_and_load() {
    let Some(real) = real_dir() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let w = work.path();

    // Yahoo: a 600111.SS export (date,open,high,low,close,adj_close,volume), adjusted close.
    let (h, rows) = read_real(&real, "cn_600111_yahoo_doubeetwt.csv");
    assert_eq!(h, ["date", "open", "high", "low", "close", "adj_close", "volume"]);
    let mut text = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
    for r in &rows {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    let yahoo = w.join("600111.SS.csv");
    fs::write(&yahoo, text).expect("write");
    let (imported, _t1, ds) = real_import(
        ImportFormat::Yahoo,
        std::slice::from_ref(&yahoo),
        &ImportOptions::default(),
    );
    assert_eq!(imported.summary().symbols, ["600111.SH"]);
    assert_eq!(imported.summary().rows, rows.len());
    let close = close_of(&ds, "600111.SH");
    let adj: Vec<f64> = rows.iter().map(|r| r[5].parse().expect("adj close")).collect();
    assert_eq!(close, adj, "the close is Adj Close, exactly");

    // yfinance with auto_adjust (no Adj Close): two A-shares, raw close, symbols from names.
    let mut files = Vec::new();
    for code in ["600111", "600010"] {
        let (h, rows) = read_real(&real, &format!("cn_{code}_yfinance_danyoko_adj.csv"));
        assert_eq!(h, ["date", "open", "high", "low", "close", "volume_shares"]);
        let mut text = String::from("Date,Open,High,Low,Close,Volume\n");
        for r in &rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        let p = w.join(format!("{code}.SS.csv"));
        fs::write(&p, text).expect("write");
        files.push(p);
    }
    let raw = ImportOptions {
        yahoo_close: YahooClose::Raw,
        ..ImportOptions::default()
    };
    let (imported, _t2, _ds) = real_import(ImportFormat::Yahoo, &files, &raw);
    assert_eq!(imported.summary().symbols, ["600010.SH", "600111.SH"]);

    // US adjusted closes only (date,adj_close): a bar with open = high = low = close and no
    // volume, as a Yahoo file; quoted in USD.
    let mut files = Vec::new();
    for ticker in ["MP", "REMX"] {
        let (h, rows) = read_real(&real, &format!("us_{ticker}_dsturdy_adjclose.csv"));
        assert_eq!(h, ["date", "adj_close"]);
        let mut text = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
        for r in &rows {
            let p = &r[1];
            text.push_str(&format!("{},{p},{p},{p},{p},{p},0\n", r[0]));
        }
        let path = w.join(format!("{ticker}.csv"));
        fs::write(&path, text).expect("write");
        files.push(path);
    }
    let (_imported, _t3, ds) = real_import(ImportFormat::Yahoo, &files, &ImportOptions::default());
    assert_eq!(ds.manifest.base_currency, Some(Currency::Usd));

    // Long: the forward-adjusted (qfq) files of seven A-shares, one long file each.
    let mut files = Vec::new();
    let mut total = 0;
    for code in ["000831", "000970", "600010", "600111", "600259", "600392", "600549"] {
        let (h, rows) = read_real(&real, &format!("cn_{code}_zhusongtong_qfq.csv"));
        assert_eq!(h, ["date", "open", "high", "low", "close", "volume_shares"]);
        let symbol = if code.starts_with('6') {
            format!("{code}.SH")
        } else {
            format!("{code}.SZ")
        };
        let mut text = String::from("date,symbol,open,high,low,close,volume\n");
        for r in &rows {
            text.push_str(&format!("{},{symbol},{}\n", r[0], r[1..].join(",")));
        }
        total += rows.len();
        let p = w.join(format!("{code}_long.csv"));
        fs::write(&p, text).expect("write");
        files.push(p);
    }
    let (imported, _t4, ds) = real_import(ImportFormat::Long, &files, &ImportOptions::default());
    assert_eq!(imported.summary().rows, total);
    assert_eq!(ds.summary().instruments.len(), 7);

    // tushare: the qfq files with tushare units (volume in shares → lots, amount already in
    // thousands of CNY); the importer must give back the shares and amount × 1000. These
    // files give the amount on their last days only: with the empty cells the import is
    // refused, so the rows with an amount are imported apart from the rest, which leave the
    // column out.
    let mut with_gaps = Vec::new();
    let mut files = Vec::new();
    let mut expected: Vec<(String, String, f64, Option<f64>)> = Vec::new();
    for code in ["300127", "300224", "300748"] {
        let (h, rows) = read_real(&real, &format!("cn_{code}_sebastienzh_qfq.csv"));
        assert_eq!(
            h,
            ["date", "open", "high", "low", "close", "volume_shares", "amount_kcny"]
        );
        let header = "ts_code,trade_date,open,high,low,close,vol";
        let mut gaps = format!("{header},amount\n");
        let mut with = gaps.clone();
        let mut without = format!("{header}\n");
        for r in rows.iter().rev() {
            let amount = r.get(6).cloned().unwrap_or_default();
            let line = format!(
                "{code}.SZ,{},{},{},{},{},{}",
                r[0].replace('-', ""),
                r[1],
                r[2],
                r[3],
                r[4],
                shares_to_lots(&r[5])
            );
            gaps.push_str(&format!("{line},{amount}\n"));
            if amount.is_empty() {
                without.push_str(&format!("{line}\n"));
            } else {
                with.push_str(&format!("{line},{amount}\n"));
            }
            expected.push((
                r[0].clone(),
                format!("{code}.SZ"),
                r[5].parse().expect("shares"),
                (!amount.is_empty()).then(|| format!("{amount}e3").parse().expect("amount")),
            ));
        }
        for (name, text) in [("gaps", gaps), ("amount", with), ("daily", without)] {
            let p = w.join(format!("{code}_{name}.csv"));
            fs::write(&p, text).expect("write");
            if name == "gaps" {
                with_gaps.push(p);
            } else {
                files.push(p);
            }
        }
    }
    let refused = import(ImportFormat::Tushare, &with_gaps, &ImportOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("column `amount`: the cell is empty; expected a number"),
        "{refused}"
    );
    for file in &files {
        let (_imported, _t5, ds) = real_import(
            ImportFormat::Tushare,
            std::slice::from_ref(file),
            &ImportOptions::default(),
        );
        for (day, symbol, shares, amount) in &expected {
            let Some(ix) = ds.panel.find(symbol) else { continue };
            let Ok(d) = ds.panel.dates().binary_search(&date(day)) else {
                continue;
            };
            assert_eq!(ds.panel.series(ix, Field::Volume)[d], *shares, "{symbol} {day}");
            if let Some(a) = amount {
                assert_eq!(ds.panel.series(ix, Field::Amount)[d], *a, "{symbol} {day}");
            }
        }
    }

    // akshare: unadjusted OHLCV + amount with Chinese headers and volume in lots; symbols
    // from the file names (600111.csv …).
    let mut files = Vec::new();
    let mut shares = Vec::new();
    for code in ["600111", "600392", "000831"] {
        let (h, rows) = read_real(&real, &format!("cn_{code}_suiwenfeng_raw.csv"));
        assert_eq!(
            h,
            ["date", "open", "high", "low", "close", "volume_shares", "amount_cny"]
        );
        let mut text = String::from("日期,开盘,收盘,最高,最低,成交量,成交额,涨跌幅\n");
        for r in &rows {
            text.push_str(&format!(
                "{},{},{},{},{},{},{},0\n",
                r[0],
                r[1],
                r[4],
                r[2],
                r[3],
                shares_to_lots(&r[5]),
                r[6]
            ));
            shares.push(r[5].parse::<f64>().expect("shares"));
        }
        let p = w.join(format!("{code}.csv"));
        fs::write(&p, text).expect("write");
        files.push(p);
    }
    let (imported, _t6, _ds) = real_import(ImportFormat::Akshare, &files, &ImportOptions::default());
    assert_eq!(imported.summary().symbols, ["000831.SZ", "600111.SH", "600392.SH"]);
    let bars = imported.bars_csv().expect("bars");
    let mut got: Vec<f64> = bars
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(6).expect("volume").parse().expect("n"))
        .collect();
    got.sort_by(f64::total_cmp);
    shares.sort_by(f64::total_cmp);
    assert_eq!(got, shares, "every volume comes back in shares exactly");

    // Adjustment on real corporate actions: unadjusted 600111 with pre_close, turned into a
    // tushare file whose adj_factor is built the way tushare builds it (factor_t =
    // factor_{t-1} × close_{t-1} / pre_close_t). Forward-adjusted closes must then move by
    // exactly the day's return close_t / pre_close_t, and the last day keeps its raw prices.
    let (h, rows) = read_real(&real, "cn_600111_ganlei333_xbx_unadj.csv");
    let (c_date, c_open, c_high, c_low, c_close, c_pre, c_vol, c_amount) = (
        col(&h, "date"),
        col(&h, "open"),
        col(&h, "high"),
        col(&h, "low"),
        col(&h, "close"),
        col(&h, "pre_close"),
        col(&h, "volume_shares"),
        col(&h, "amount_cny"),
    );
    let num = |r: &Vec<String>, c: usize| r[c].parse::<f64>().expect("number");
    let mut factor = 1.0;
    let mut text = String::from("ts_code,trade_date,open,high,low,close,vol,amount,adj_factor\n");
    let mut day_returns = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            factor *= num(&rows[i - 1], c_close) / num(r, c_pre);
            day_returns.push(num(r, c_close) / num(r, c_pre));
        }
        text.push_str(&format!(
            "600111.SH,{},{},{},{},{},{},{}e-3,{factor}\n",
            r[c_date].replace('-', ""),
            r[c_open],
            r[c_high],
            r[c_low],
            r[c_close],
            shares_to_lots(&r[c_vol]),
            r[c_amount]
        ));
    }
    let p = w.join("600111_unadj.csv");
    fs::write(&p, text).expect("write");
    let forward = ImportOptions {
        adjust: Adjust::Forward,
        ..ImportOptions::default()
    };
    let (_imported, _t7, ds) = real_import(ImportFormat::Tushare, std::slice::from_ref(&p), &forward);
    let close = close_of(&ds, "600111.SH");
    assert_eq!(close.len(), rows.len());
    for (i, want) in day_returns.iter().enumerate() {
        let got = close[i + 1] / close[i];
        assert!(
            (got / want - 1.0).abs() < 1e-9,
            "day {}: {got} vs {want}",
            rows[i + 1][c_date]
        );
    }
    assert_eq!(close[close.len() - 1], num(&rows[rows.len() - 1], c_close));
    let (_imported, _t8, ds) = real_import(ImportFormat::Tushare, &[p], &ImportOptions::default());
    assert!(ds.panel.has_field(Field::AdjFactor));

    // Series: whole-market financing balance (100 million CNY → CNY via an exponent) and
    // 600111's own, each published on the next row's day (the one-day lag); the last row has
    // no next day in the file and is left out by the adapter.
    let mut text = String::from("date,series,value,published\n");
    let (h, rows) = read_real(&real, "cn_market_margin_davidwang0116.csv");
    let c_bal = col(&h, "financing_balance_100m_cny");
    for w2 in rows.windows(2) {
        text.push_str(&format!(
            "{},margin_balance:market,{}e8,{}\n",
            w2[0][0], w2[0][c_bal], w2[1][0]
        ));
    }
    let mut n = rows.len() - 1;
    let (h, rows) = read_real(&real, "cn_600111_margin_jasonzhao1998.csv");
    let c_bal = col(&h, "margin_fin_balance_cny");
    for w2 in rows.windows(2) {
        text.push_str(&format!(
            "{},margin_balance:600111.SH,{},{}\n",
            w2[0][0], w2[0][c_bal], w2[1][0]
        ));
    }
    n += rows.len() - 1;
    let p = w.join("margin.csv");
    fs::write(&p, text).expect("write");
    let imported = import(ImportFormat::Series, &[p], &ImportOptions::default()).expect("series import");
    let s = imported.summary();
    assert_eq!(s.series, ["margin_balance:600111.SH", "margin_balance:market"]);
    assert_eq!(s.rows, n);
    let out = tempfile::tempdir().expect("temp dir");
    imported.write(out.path()).expect("write series");
    let written = fs::read_to_string(out.path().join("series.csv")).expect("read");
    assert_eq!(written.lines().count(), n + 1);
    assert!(
        written.contains("2012-09-27,margin_balance:market,70453000000,2012-09-28\n"),
        "100 million × 704.53"
    );
}

/// The ten unadjusted files with the exchange's pre_close (邢不行 dumps), as tushare `daily`
/// files (pre_close as given) and as akshare files (涨跌额 = close − pre_close, to the cent):
/// both imports must carry every pre_close into the loaded panel exactly, and it must be the
/// limit reference of its day, the ex-rights days included.
#[test]
fn real_unadjusted_bars_keep_pre_close() {
    let Some(real) = real_dir() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let codes = [
        "000831", "000970", "300127", "300224", "300748", "600010", "600111", "600259", "600392", "600549",
    ];
    let (mut tushare_files, mut akshare_files) = (Vec::new(), Vec::new());
    let mut expected: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    let mut ex_rights_days = 0;
    for code in codes {
        let (h, rows) = read_real(&real, &format!("cn_{code}_ganlei333_xbx_unadj.csv"));
        let (c_date, c_open, c_high, c_low, c_close, c_pre, c_vol) = (
            col(&h, "date"),
            col(&h, "open"),
            col(&h, "high"),
            col(&h, "low"),
            col(&h, "close"),
            col(&h, "pre_close"),
            col(&h, "volume_shares"),
        );
        let symbol = if code.starts_with('6') {
            format!("{code}.SH")
        } else {
            format!("{code}.SZ")
        };
        let mut ts = String::from("ts_code,trade_date,open,high,low,close,pre_close,vol\n");
        let mut ak = String::from("日期,开盘,收盘,最高,最低,成交量,涨跌额\n");
        let mut want = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let (close, pre): (f64, f64) = (r[c_close].parse().expect("close"), r[c_pre].parse().expect("pre"));
            // some volumes carry float noise (875376394.9999999): whole shares are enough here
            let shares: f64 = r[c_vol].parse().expect("volume");
            let lots = shares_to_lots(&format!("{}", shares.round() as u64));
            ts.push_str(&format!(
                "{symbol},{},{},{},{},{},{},{lots}\n",
                r[c_date].replace('-', ""),
                r[c_open],
                r[c_high],
                r[c_low],
                r[c_close],
                r[c_pre]
            ));
            ak.push_str(&format!(
                "{},{},{},{},{},{lots},{:.2}\n",
                r[c_date],
                r[c_open],
                r[c_close],
                r[c_high],
                r[c_low],
                close - pre
            ));
            if i > 0 && r[c_pre] != rows[i - 1][c_close] {
                ex_rights_days += 1;
            }
            want.push((r[c_date].clone(), pre));
        }
        let p = work.path().join(format!("{code}_daily.csv"));
        fs::write(&p, ts).expect("write");
        tushare_files.push(p);
        let p = work.path().join(format!("{code}.csv"));
        fs::write(&p, ak).expect("write");
        akshare_files.push(p);
        expected.push((symbol, want));
    }
    assert!(
        ex_rights_days > 100,
        "{ex_rights_days} days where pre_close is not the last close"
    );
    for (format, files) in [
        (ImportFormat::Tushare, &tushare_files),
        (ImportFormat::Akshare, &akshare_files),
    ] {
        let (_imported, _tmp, ds) = real_import(format, files, &ImportOptions::default());
        for (symbol, want) in &expected {
            let ix = ds.panel.find(symbol).expect("symbol");
            let pre = ds.panel.series(ix, Field::PreClose);
            for (day, p) in want {
                let d = ds.panel.dates().binary_search(&date(day)).expect("day");
                assert_eq!(pre[d], *p, "{format} {symbol} {day}");
                assert_eq!(ds.panel.limit_reference(ix, d), Some(*p), "{format} {symbol} {day}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Dividend tables → actions.csv.

const ACTIONS_HEADER: &str = "symbol,ex_date,cash,bonus,transfer,record_date,pay_date,listing_date\n";

fn skipped(s: &ImportSummary) -> Vec<(String, usize, &str)> {
    s.skipped_rows
        .iter()
        .map(|r| {
            let name = r.path.file_name().expect("file name").to_string_lossy().into_owned();
            (name, r.line, r.reason.as_str())
        })
        .collect()
}

fn action(ex: &str, cash: f64, bonus: f64, transfer: f64) -> rebt_core::CorporateAction {
    rebt_core::CorporateAction {
        bonus,
        transfer,
        ..rebt_core::CorporateAction::cash_dividend(date(ex), cash)
    }
}

#[test]
fn tushare_dividend_keeps_carried_out_actions() {
    // Kept: 000831.SZ 10送3 (stk_bo_rate 0.3, no cash, no pay date), 300748.SZ 10转7派3
    // (stk_co_rate 0.7, cash_div_tax 0.3), 600111.SH 派0.95 per 10 (cash_div_tax 0.095; the
    // after-tax cash_div is not read). Line 5 repeats line 2 exactly (tushare lists some
    // actions twice) and is merged; 预案 and 股东大会通过 rows are skipped; line 8 is carried
    // out but distributes nothing.
    let imported = run(
        ImportFormat::TushareDividend,
        &["tushare_dividend/dividend.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.actions_csv().expect("actions"),
        format!(
            "{ACTIONS_HEADER}\
             000831.SZ,2015-06-15,0,0.3,0,2015-06-12,,2015-06-15\n\
             300748.SZ,2021-05-13,0.3,0,0.7,2021-05-12,2021-05-13,2021-05-13\n\
             600111.SH,2024-07-05,0.095,0,0,2024-07-04,2024-07-05,\n"
        )
    );
    assert_eq!(imported.bars_csv(), None);
    let s = imported.summary();
    assert_eq!(s.symbols, ["000831.SZ", "300748.SZ", "600111.SH"]);
    assert_eq!(
        (s.rows, s.first_date, s.last_date),
        (3, date("2015-06-15"), date("2024-07-05"))
    );
    let not_carried_out = "not carried out (div_proc is not 实施)";
    assert_eq!(
        skipped(&s),
        [
            ("dividend.csv".into(), 3, not_carried_out),
            (
                "dividend.csv".into(),
                5,
                "repeats the action of an earlier row (same symbol, ex-date, amounts and dates)"
            ),
            ("dividend.csv".into(), 7, not_carried_out),
            (
                "dividend.csv".into(),
                8,
                "carried out but distributes nothing (no cash, no bonus shares, no transfer)"
            ),
        ]
    );
    let shown = s.to_string();
    assert!(
        shown.starts_with(
            "imported 3 actions of 3 symbols (000831.SZ, 300748.SZ, 600111.SH) from 1 file (tushare-dividend), 2015-06-15 to 2024-07-05\n"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("skipped 2 rows: not carried out (div_proc is not 实施) ("),
        "{shown}"
    );
}

#[test]
fn akshare_dividend_divides_per_ten_shares() {
    // 600111.csv (symbol from the file name): 派息 0.95 → 0.095; 10送10派0.5 → bonus 1, cash
    // 0.05; 10转3 with an empty 派息 → transfer 0.3, cash 0. NaT and empty dates stay empty.
    let imported = run(
        ImportFormat::AkshareDividend,
        &["akshare_dividend/600111.csv"],
        &ImportOptions::default(),
    );
    assert_eq!(
        imported.actions_csv().expect("actions"),
        format!(
            "{ACTIONS_HEADER}\
             600111.SH,2008-05-27,0,0,0.3,2008-05-26,,2008-05-27\n\
             600111.SH,2012-05-04,0.05,1,0,2012-05-03,,2012-05-04\n\
             600111.SH,2024-07-05,0.095,0,0,2024-07-04,,\n"
        )
    );
    let s = imported.summary();
    assert_eq!(
        skipped(&s),
        [
            ("600111.csv".into(), 2, "not carried out (进度 is not 实施)"),
            ("600111.csv".into(), 5, "not carried out (进度 is not 实施)"),
        ]
    );

    // Sina's own headers (送股(股), 转增(股), 派息(税前)(元)); the symbol from the option, as
    // the file name is not a code. 派息 2.3 → 0.23 exactly (a float division gives
    // 0.22999999999999998).
    assert_ne!(2.3_f64 / 10.0, 0.23);
    let options = ImportOptions {
        symbol: Some("300748".into()),
        ..ImportOptions::default()
    };
    let imported = run(
        ImportFormat::AkshareDividend,
        &["akshare_dividend/sina_300748.csv"],
        &options,
    );
    assert_eq!(
        imported.actions_csv().expect("actions"),
        format!(
            "{ACTIONS_HEADER}\
             300748.SZ,2020-05-28,0.23,0,0,2020-05-27,,\n\
             300748.SZ,2021-05-13,0.3,0,0.7,2021-05-12,,2021-05-13\n"
        )
    );
}

/// The written actions.csv is read back by the dataset loader beside bars that trade on the
/// ex-dates, and the panel holds the vendor's actions.
/// Every file of a directory with its bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("list")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn an_import_says_what_it_replaced() {
    // actions.csv and series.csv are replaced whole, not merged: the second dividend import
    // into a directory says whose actions it replaced.
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("dataset");
    let first = run(
        ImportFormat::AkshareDividend,
        &["akshare_dividend/600111.csv"],
        &defaults(),
    )
    .write(&out)
    .expect("first");
    assert!(first.replaced.is_empty());
    assert_eq!(first.to_string(), "");
    let options = ImportOptions {
        symbol: Some("300748".into()),
        ..defaults()
    };
    let second = run(
        ImportFormat::AkshareDividend,
        &["akshare_dividend/sina_300748.csv"],
        &options,
    )
    .write(&out)
    .expect("second");
    assert_eq!(
        second.to_string(),
        "replaced the existing actions.csv (3 actions of 600111.SH)"
    );
    let third = run(
        ImportFormat::TushareDividend,
        &["tushare_dividend/dividend.csv"],
        &defaults(),
    )
    .write(&out)
    .expect("third");
    assert_eq!(
        third.to_string(),
        "replaced the existing actions.csv (2 actions of 300748.SZ)"
    );
    let again = run(
        ImportFormat::TushareDividend,
        &["tushare_dividend/dividend.csv"],
        &defaults(),
    )
    .write(&out)
    .expect("again");
    assert_eq!(
        again.to_string(),
        "replaced the existing actions.csv (3 actions of 000831.SZ, 300748.SZ, 600111.SH)"
    );

    let series = run(ImportFormat::Series, &["series/concentrate.csv"], &defaults());
    assert!(series.write(&out).expect("series").replaced.is_empty());
    assert_eq!(
        series.write(&out).expect("series again").to_string(),
        "replaced the existing series.csv (2 values of concentrate_price)"
    );
    // A file that does not read is still replaced, and said so.
    fs::write(out.join("series.csv"), "date,value\n").expect("write");
    let message = series.write(&out).expect("over a bad file").to_string();
    assert!(
        message.starts_with("replaced the existing series.csv, which did not read ("),
        "{message}"
    );
}

#[test]
fn bars_without_a_symbol_of_the_directorys_actions_are_refused() {
    // The loader refuses actions of a symbol without bars: re-importing bars that lack one
    // would leave a dataset that does not load. Nothing is written.
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("dataset");
    let header = "date,symbol,open,high,low,close,volume\n";
    let some = "2021-05-12,300748.SZ,50,50,50,50,100\n2021-05-13,300748.SZ,29,29,29,29,100\n\
                2024-07-04,600111.SH,17,17,17,17,100\n2024-07-05,600111.SH,16.9,16.9,16.9,16.9,100\n";
    let all = format!("{header}2015-06-12,000831.SZ,30,30,30,30,100\n2015-06-15,000831.SZ,23,23,23,23,100\n{some}");
    let (all_path, some_path) = (tmp.path().join("all.csv"), tmp.path().join("some.csv"));
    fs::write(&all_path, all).expect("write");
    fs::write(&some_path, format!("{header}{some}")).expect("write");
    import(ImportFormat::Long, &[all_path], &defaults())
        .expect("bars")
        .write(&out)
        .expect("write bars");
    run(
        ImportFormat::TushareDividend,
        &["tushare_dividend/dividend.csv"],
        &defaults(),
    )
    .write(&out)
    .expect("write actions");
    load(&out).expect("loads");
    let before = snapshot(&out);
    let fewer = import(ImportFormat::Long, &[some_path], &defaults()).expect("import");
    let e = fewer.write(&out).expect_err("000831.SZ has actions");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: column `symbol`: `000831.SZ` has no bars in this import, so the dataset would not load (its actions need its bars); nothing was written: import 000831.SZ's bars too, remove its actions from actions.csv, or import into another directory",
            out.join("actions.csv").display()
        )
    );
    assert_eq!(
        snapshot(&out),
        before,
        "a refused import leaves the directory as it was"
    );
    load(&out).expect("still loads");
    // Without the actions the same bars import.
    fs::remove_file(out.join("actions.csv")).expect("remove");
    fewer.write(&out).expect("no actions to cover");
}

#[test]
fn imported_actions_load_beside_the_bars() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bars = tmp.path().join("bars_long.csv");
    fs::write(
        &bars,
        "date,symbol,open,high,low,close,volume\n\
         2015-06-12,000831.SZ,30,30,30,30,100\n\
         2015-06-15,000831.SZ,23,23,23,23,100\n\
         2021-05-12,300748.SZ,50,50,50,50,100\n\
         2021-05-13,300748.SZ,29,29,29,29,100\n\
         2024-07-04,600111.SH,17,17,17,17,100\n\
         2024-07-05,600111.SH,16.9,16.9,16.9,16.9,100\n",
    )
    .expect("write");
    let out = tmp.path().join("dataset");
    import(ImportFormat::Long, &[bars], &defaults())
        .expect("bars")
        .write(&out)
        .expect("write bars");
    run(
        ImportFormat::TushareDividend,
        &["tushare_dividend/dividend.csv"],
        &defaults(),
    )
    .write(&out)
    .expect("write actions");
    assert!(out.join("bars.csv").is_file() && out.join("actions.csv").is_file());
    let ds = load(&out).unwrap_or_else(|e| panic!("the imported actions do not load: {e}"));
    let of = |symbol: &str| ds.panel.actions(ds.panel.find(symbol).expect("symbol")).to_vec();
    let with = |a: rebt_core::CorporateAction, record: &str, pay: &str, listing: &str| rebt_core::CorporateAction {
        record_date: Some(date(record)),
        pay_date: date(pay),
        listing_date: date(listing),
        ..a
    };
    assert_eq!(
        of("000831.SZ"),
        [with(
            action("2015-06-15", 0.0, 0.3, 0.0),
            "2015-06-12",
            "2015-06-15",
            "2015-06-15"
        )]
    );
    assert_eq!(
        of("300748.SZ"),
        [with(
            action("2021-05-13", 0.3, 0.0, 0.7),
            "2021-05-12",
            "2021-05-13",
            "2021-05-13"
        )]
    );
    assert_eq!(
        of("600111.SH"),
        [with(
            action("2024-07-05", 0.095, 0.0, 0.0),
            "2024-07-04",
            "2024-07-05",
            "2024-07-05"
        )]
    );
    // The ex-rights day's limit reference follows from the action: (17 − 0.095) rounded to
    // the tick is 16.91.
    let ix = ds.panel.find("600111.SH").expect("600111");
    let day = ds.panel.dates().binary_search(&date("2024-07-05")).expect("day");
    assert_eq!(ds.panel.limit_reference(ix, day), Some(16.91));
}

#[test]
fn actions_are_written_alone_and_atomically() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path();
    fs::write(out.join("bars.csv"), "untouched").expect("write");
    let imported = run(
        ImportFormat::AkshareDividend,
        &["akshare_dividend/600111.csv"],
        &defaults(),
    );
    imported.write(out).expect("write");
    assert_eq!(fs::read_to_string(out.join("bars.csv")).expect("bars"), "untouched");
    assert!(!out.join("manifest.toml").exists());
    let mut names: Vec<String> = fs::read_dir(out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["actions.csv", "bars.csv"]);
    fs::write(out.join("actions.csv.gz"), "x").expect("write");
    let e = imported.write(out).expect_err("ambiguous");
    assert!(
        e.to_string().ends_with(
            "actions.csv.gz: is in the output directory; the imported actions.csv beside it would make the dataset ambiguous (remove it or choose another directory)"
        ),
        "{e}"
    );
}

const TSD_HEADER: &str =
    "ts_code,div_proc,stk_div,stk_bo_rate,stk_co_rate,cash_div,cash_div_tax,record_date,ex_date,pay_date,div_listdate";
const TSD_GOOD: &str = "600111.SH,实施,0,0,0,0.0855,0.095,20240704,20240705,20240705,";

fn tsd(rows: &[&str]) -> String {
    let mut text = format!("{TSD_HEADER}\n{TSD_GOOD}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn bad_tushare_dividend_input_is_named() {
    let cases: &[(&str, &str)] = &[
        (
            "600111,实施,0,0,0,0.0855,0.095,20240704,20240706,20240706,",
            ":3: column `ts_code`: `600111` is not a tushare A-share code; expected NNNNNN.SH, NNNNNN.SZ or NNNNNN.BJ",
        ),
        (
            "600111.SH,,0,0,0,0.0855,0.095,20240704,20240706,20240706,",
            ":3: column `div_proc`: the cell is empty; expected the progress of the action, such as 实施 or 预案",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,0.095,20240704,2024-07-06,20240706,",
            ":3: column `ex_date`: `2024-07-06` is not a date; expected YYYYMMDD",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,0.095,20240704,,20240706,",
            ":3: column `ex_date`: the cell is empty; expected a date YYYYMMDD",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,-0.095,20240704,20240706,20240706,",
            ":3: column `cash_div_tax`: `-0.095` is negative; expected a number ≥ 0",
        ),
        (
            "600111.SH,实施,0.5,,,0,0,20240704,20240706,20240706,",
            ":3: column `stk_div`: stk_div 0.5 is not stk_bo_rate 0 + stk_co_rate 0; expected the total of 送股 and 转增 (fill in the split from the company's announcement: bonus shares are taxed at par, capitalisation shares are not)",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,,20240704,20240706,20240706,",
            ":3: column `cash_div_tax`: no pre-tax cash, but cash_div (after tax) is 0.0855; expected cash_div_tax, the pre-tax amount rebt taxes itself",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,0.095,20240704,20240706,20240705,",
            ":3: `pay_date` 2024-07-05 is before the ex-date 2024-07-06; expected on or after it",
        ),
        (
            "600111.SH,实施,0,0,0,0.0855,0.095,20240706,20240706,20240706,",
            ":3: `record_date` 2024-07-06 is not before the ex-date 2024-07-06; expected the record date to come first",
        ),
        (
            "600111.SH,实施,15,10,5,0,0,20240704,20240706,,20240706",
            ":3: bonus + transfer is 15 new shares per share held; expected at most 10 (ratios are per share, not per 10 shares)",
        ),
        (
            "600111.SH,实施,0,0,0,0.09,0.1,20240704,20240705,20240705,",
            ":3: a second, different action of 600111.SH on 2024-07-05: cash 0.1, bonus 0, transfer 0, record 2024-07-04, pay 2024-07-05, listing – here, cash 0.095, bonus 0, transfer 0, record 2024-07-04, pay 2024-07-05, listing – at line 2; expected one action per symbol and ex-date (identical repeats are merged)",
        ),
    ];
    for &(row, expected) in cases {
        let text = tsd(&[row]);
        check_one(
            ImportFormat::TushareDividend,
            &[("dividend.csv", &text)],
            &defaults(),
            0,
            expected,
        );
    }
    check_bad(&[
        Bad {
            format: ImportFormat::TushareDividend,
            files: &[("dividend.csv", "ts_code,div_proc,stk_bo_rate,stk_co_rate,ex_date\n")],
            options: defaults,
            blamed: 0,
            expected: ": missing required column `cash_div_tax`; found columns: ts_code,div_proc,stk_bo_rate,stk_co_rate,ex_date",
        },
        Bad {
            format: ImportFormat::TushareDividend,
            files: &[("dividend.csv", TSD_HEADER)],
            options: defaults,
            blamed: 0,
            expected: ": has a header but no rows; expected at least one action",
        },
        Bad {
            format: ImportFormat::TushareDividend,
            files: &[(
                "dividend.csv",
                "ts_code,div_proc,stk_bo_rate,stk_co_rate,cash_div_tax,ex_date,payout\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": unknown column `payout`; allowed columns: ts_code,div_proc,ex_date,cash_div_tax,stk_bo_rate,stk_co_rate,record_date,pay_date,div_listdate,stk_div,cash_div,end_date,ann_date,imp_ann_date,base_date,base_share",
        },
        Bad {
            format: ImportFormat::TushareDividend,
            files: &[("dividend.csv", TSD_HEADER)],
            options: with_symbol,
            blamed: 0,
            expected: ": the symbol option (`600111.SH`) applies to akshare, akshare-dividend and yahoo files only; tushare-dividend files carry the symbol in every row",
        },
    ]);
}

#[test]
fn dividend_repeats_across_files_merge_and_conflicts_name_both() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let header = "ts_code,div_proc,stk_bo_rate,stk_co_rate,cash_div_tax,ex_date\n";
    let write = |name: &str, cash: &str| {
        let p = tmp.path().join(name);
        fs::write(&p, format!("{header}600111.SH,实施,0,0,{cash},20240705\n")).expect("write");
        p
    };
    let (a, b, c) = (write("a.csv", "0.1"), write("b.csv", "0.1"), write("c.csv", "0.2"));
    let merged = import(ImportFormat::TushareDividend, &[a.clone(), b.clone()], &defaults()).expect("repeat");
    assert_eq!(merged.summary().rows, 1);
    assert_eq!(merged.summary().skipped_rows[0].path, b);
    let e = import(ImportFormat::TushareDividend, &[a.clone(), c.clone()], &defaults()).expect_err("conflict");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: a second, different action of 600111.SH on 2024-07-05: cash 0.2, bonus 0, transfer 0, record –, pay –, listing – here, cash 0.1, bonus 0, transfer 0, record –, pay –, listing – at {}:2; expected one action per symbol and ex-date (identical repeats are merged)",
            c.display(),
            a.display()
        )
    );
}

const AKD_HEADER: &str = "公告日期,送股,转增,派息,进度,除权除息日,股权登记日,红股上市日";

#[test]
fn rows_that_distribute_nothing_are_skipped_before_their_dates_are_read() {
    // Such rows often have no ex-date (empty, or pandas' NaT); they are skipped, as documented,
    // rather than refused for the date they do not need.
    let tmp = tempfile::tempdir().expect("temp dir");
    let ak = tmp.path().join("600259.csv");
    fs::write(
        &ak,
        "公告日期,送股,转增,派息,进度,除权除息日,股权登记日,红股上市日\n\
         2024-06-28,0,0,0.95,实施,2024-07-05,2024-07-04,NaT\n\
         2023-06-28,0,0,0,实施,NaT,NaT,NaT\n\
         2022-06-28,,,,实施,,,\n",
    )
    .expect("write");
    let ts = tmp.path().join("dividend.csv");
    fs::write(
        &ts,
        "ts_code,div_proc,ex_date,cash_div_tax,stk_bo_rate,stk_co_rate\n\
         600259.SH,实施,20240705,0.095,0,0\n\
         600259.SH,实施,,0,0,0\n",
    )
    .expect("write");
    for (format, path, skipped) in [
        (ImportFormat::AkshareDividend, ak, vec![3, 4]),
        (ImportFormat::TushareDividend, ts, vec![3]),
    ] {
        let imported =
            import(format, std::slice::from_ref(&path), &defaults()).unwrap_or_else(|e| panic!("{format}: {e}"));
        let s = imported.summary();
        assert_eq!(s.rows, 1, "{format}");
        let lines: Vec<usize> = s.skipped_rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, skipped, "{format}");
        assert!(
            s.skipped_rows
                .iter()
                .all(|r| r.reason == "carried out but distributes nothing (no cash, no bonus shares, no transfer)")
        );
    }
}

#[test]
fn bad_akshare_dividend_input_is_named() {
    let one_row = |row: &str| format!("{AKD_HEADER}\n2024-06-28,0,0,0.95,实施,2024-07-05,2024-07-04,\n{row}\n");
    let rows: &[(&str, &str)] = &[
        (
            "2023-06-28,0,0,0.95,,2023-07-05,2023-07-04,",
            ":3: column `进度`: the cell is empty; expected the progress of the action, such as 实施 or 预案",
        ),
        (
            "2023-06-28,0,0,0.95,实施,2023/07/05,2023-07-04,",
            ":3: column `除权除息日`: `2023/07/05` is not a date; expected YYYY-MM-DD",
        ),
        (
            "2023-06-28,0,0,0.95,实施,NaT,2023-07-04,",
            ":3: column `除权除息日`: `NaT` is not a date; expected YYYY-MM-DD",
        ),
        (
            "2023-06-28,0,0,abc,实施,2023-07-05,2023-07-04,",
            ":3: column `派息`: `abc` is not a number",
        ),
        (
            "2023-06-28,-3,0,0.95,实施,2023-07-05,2023-07-04,",
            ":3: column `送股`: `-3` is negative; expected a number ≥ 0",
        ),
        (
            "2023-06-28,3,0,0.95,实施,2023-07-05,2023-07-04,2023-07-03",
            ":3: `listing_date` 2023-07-03 is before the ex-date 2023-07-05; expected on or after it",
        ),
        (
            "2023-06-28,0,0,1.0,实施,2024-07-05,2024-07-04,",
            ":3: a second, different action of 600111.SH on 2024-07-05: cash 0.1, bonus 0, transfer 0, record 2024-07-04, pay –, listing – here, cash 0.095, bonus 0, transfer 0, record 2024-07-04, pay –, listing – at line 2; expected one action per symbol and ex-date (identical repeats are merged)",
        ),
    ];
    for &(row, expected) in rows {
        let text = one_row(row);
        check_one(
            ImportFormat::AkshareDividend,
            &[("600111.csv", &text)],
            &defaults(),
            0,
            expected,
        );
    }
    check_bad(&[
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[(
                "dividends.csv",
                "公告日期,送股,转增,派息,进度,除权除息日\n2024-06-28,0,0,0.95,实施,2024-07-05\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": cannot tell the symbol: the file has no symbol column (akshare dividend tables carry none) and its name `dividends` is not an A-share code; pass the symbol (--symbol 600111.SH) or name the file after the code (600111.csv)",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[(
                "600111.csv",
                "送股,送股(股),转增,派息,进度,除权除息日\n0,0,0,0.95,实施,2024-07-05\n",
            )],
            options: defaults,
            blamed: 0,
            expected: ": has both `送股` and `送股(股)`; expected one of them (two names of the same column)",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", "送股,转增,进度,除权除息日\n0,0,实施,2024-07-05\n")],
            options: defaults,
            blamed: 0,
            expected: ": missing required column `派息` (or `派息(税前)(元)`); found columns: 送股,转增,进度,除权除息日",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", "送股,转增,派息,进度\n0,0,0.95,实施\n")],
            options: defaults,
            blamed: 0,
            expected: ": missing required column `除权除息日`; found columns: 送股,转增,派息,进度",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", AKD_HEADER)],
            options: defaults,
            blamed: 0,
            expected: ": has a header but no rows; expected at least one action",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", "公告日期,送股,转增,派息,进度,除权除息日,查看详细\n")],
            options: defaults,
            blamed: 0,
            expected: ": unknown column `查看详细`; allowed columns: 进度,除权除息日,派息,派息(税前)(元),送股,送股(股),转增,转增(股),股权登记日,红股上市日,公告日期",
        },
        Bad {
            format: ImportFormat::AkshareDividend,
            files: &[("600111.csv", AKD_HEADER)],
            options: forward,
            blamed: 0,
            expected: ": forward adjustment needs an `adj_factor` column, which only tushare and long files have; akshare-dividend files cannot be adjusted here",
        },
    ]);
}
