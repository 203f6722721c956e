//! The commands behind the CLI: assemble the run configuration (defaults < config file <
//! flags), load the data, run, print and write the results.

use crate::{BacktestArgs, ImportArgs, RunArgs};
use anyhow::{Context as _, Result, anyhow, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rebt::config::{RunConfig, parse_date};
use rebt::run::{build_strategy, label, load_dataset, resolve_benchmark};
use rebt_core::Engine;
use rebt_data::Dataset;
use rebt_report::{DatasetInfo, OutputFile, RunReport, Staging};
use rebt_strategies::ParamValue;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// `println!` that returns an error instead of panicking when standard output is closed
/// (`rebt strategies | head`); `main` exits quietly on a broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

/// `print!` counterpart of [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout(), $($arg)*)?
    };
}

/// Merge a config file and the flags into one configuration.
pub(crate) fn resolve_config(args: &RunArgs) -> Result<RunConfig> {
    let mut cfg = match &args.config {
        Some(path) => RunConfig::from_file(path)?,
        None => RunConfig::default(),
    };
    if let Some(s) = &args.strategy {
        if *s != cfg.strategy_name() {
            // parameters in a config file belong to its strategy
            cfg.params.clear();
        }
        cfg.strategy = Some(s.clone());
    }
    for kv in &args.set {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| anyhow!("--set `{kv}`: expected KEY=VALUE"))?;
        let value = match ParamValue::parse(v) {
            ParamValue::Int(i) => toml::Value::Integer(i),
            ParamValue::Float(f) => toml::Value::Float(f),
            ParamValue::Bool(b) => toml::Value::Boolean(b),
            ParamValue::Str(s) => toml::Value::String(s),
        };
        cfg.params.insert(k.trim().to_string(), value);
    }
    if args.data.is_some() {
        cfg.data = args.data.clone();
    }
    if let Some(d) = &args.from {
        cfg.from = Some(parse_date(d).map_err(|e| anyhow!("--from: {e}"))?);
    }
    if let Some(d) = &args.to {
        cfg.to = Some(parse_date(d).map_err(|e| anyhow!("--to: {e}"))?);
    }
    args.account.apply(&mut cfg);
    if args.universe.is_some() {
        cfg.universe = args.universe.clone();
    }
    if args.benchmark.is_some() {
        cfg.benchmark = args.benchmark.clone();
    }
    Ok(cfg)
}

pub fn backtest(args: BacktestArgs) -> Result<()> {
    let mut cfg = resolve_config(&args.run)?;
    let (mut strategy, description) = build_strategy(&mut cfg)?;
    let engine_config = cfg.engine_config().map_err(|e| anyhow!(e))?;
    let dataset = load_dataset(cfg.data.as_deref())?;
    let panel = dataset.panel.slice(cfg.from, cfg.to)?;
    let benchmark = resolve_benchmark(&mut cfg, &dataset, &panel)?;
    let engine = Engine::new(&panel, engine_config)?;
    let result = engine.run(strategy.as_mut())?;

    let config_json = serde_json::to_value(&cfg).context("serialising the configuration")?;
    let info = DatasetInfo {
        name: dataset.manifest.name.clone(),
        source: dataset.source.clone(),
        fingerprint: dataset.fingerprint.clone(),
        synthetic: dataset.manifest.synthetic,
    };
    let report = RunReport::new(&result, &panel, config_json, info, &cfg.metrics, benchmark.as_ref());

    // every output is rendered before the first is written: a failure leaves nothing behind
    let json = report.to_json();
    let html = match args.out.is_some() || args.html.is_some() {
        true => Some(report.tearsheet(&description).context("drawing the tearsheet")?),
        false => None,
    };
    let out_files = match (&args.out, &html) {
        (Some(_), Some(html)) => Some(output_files(&report, &json, html, args.parquet)?),
        _ => None,
    };
    let to_stdout = args.json.as_deref() == Some(Path::new("-"));
    let mut staging = Staging::default();
    if let (Some(dir), Some(files)) = (&args.out, &out_files) {
        staging
            .dir(dir, files)
            .with_context(|| format!("writing the outputs into {}", dir.display()))?;
    }
    if let Some(path) = args.json.as_deref().filter(|_| !to_stdout) {
        staging
            .file(path, json.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let (Some(path), Some(html)) = (&args.html, &html) {
        staging
            .file(path, html.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    staging.commit().context("moving the outputs into place")?;
    if !args.quiet {
        let summary = render_summary(&report, &panel, &description, engine.universe().len());
        if to_stdout {
            eprint!("{summary}");
        } else {
            out!("{summary}");
        }
    }
    if to_stdout {
        std::io::stdout().write_all(json.as_bytes())?;
    }
    Ok(())
}

/// The files of `--out DIR`: `result.json`, the CSV tables, their Parquet twins with
/// `--parquet`, and `report.html`.
fn output_files(report: &RunReport, json: &str, html: &str, parquet: bool) -> Result<Vec<OutputFile>> {
    let mut files = vec![
        OutputFile::new("result.json", json.as_bytes().to_vec()),
        OutputFile::new("report.html", html.as_bytes().to_vec()),
    ];
    let tables = report.csv_tables().context("writing the tables as CSV")?;
    if parquet {
        files.extend(parquet_tables(&tables)?);
    }
    files.extend(tables);
    Ok(files)
}

#[cfg(feature = "parquet")]
fn parquet_tables(tables: &[OutputFile]) -> Result<Vec<OutputFile>> {
    tables
        .iter()
        .map(|t| {
            let bytes = rebt_data::csv_table_to_parquet(&t.bytes, &t.name)?;
            Ok(OutputFile::new(t.name.replace(".csv", ".parquet"), bytes))
        })
        .collect()
}

#[cfg(not(feature = "parquet"))]
fn parquet_tables(_: &[OutputFile]) -> Result<Vec<OutputFile>> {
    bail!(
        "--parquet: this rebt was built without Parquet support; rebuild with `cargo build --release --features parquet`"
    )
}

fn render_summary(report: &RunReport, panel: &rebt_core::Panel, description: &str, universe: usize) -> String {
    let mut out = String::new();
    let cfg = &report.config;
    out.push_str(&format!(
        "rebt {} · {} · {} [{}]\n",
        report.rebt_version, description, report.dataset.name, report.dataset.source
    ));
    if report.dataset.synthetic {
        out.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    let dates = panel.dates();
    out.push_str(&format!(
        "{} → {} ({} days) · {} instruments traded · cash {:.2} {} · rules {} · costs {}\n",
        dates[0],
        dates[dates.len() - 1],
        dates.len(),
        universe,
        cfg["cash"].as_f64().unwrap_or(f64::NAN),
        report.base_currency,
        cfg["rules"].as_str().unwrap_or("?"),
        cfg["costs"].as_str().unwrap_or("?"),
    ));
    out.push_str(&format!("{}\n", report.summary_table()));
    let by_reason = report.rejections_by_reason();
    if !by_reason.is_empty() {
        let parts: Vec<String> = by_reason.iter().map(|(r, n)| format!("{} {n}", r.as_str())).collect();
        out.push_str(&format!("rejections by reason: {}\n", parts.join(", ")));
    }
    out
}

pub fn strategies() -> Result<()> {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["strategy", "parameter", "type", "default", "meaning"]);
    for s in rebt_strategies::registry() {
        t.add_row(vec![s.name, "", "", "", s.description]);
        for p in &s.params {
            t.add_row(vec![
                String::new(),
                p.name.to_string(),
                label(p.kind)?,
                p.default.to_string(),
                p.help.to_string(),
            ]);
        }
    }
    t.add_row(vec![
        "pipeline",
        "",
        "",
        "",
        "composed in a config file: [signal], [[gates]], [allocator] (default equal_weight), [execution] (default immediate), rebalance (default monthly)",
    ]);
    outln!("{t}");
    use rebt_strategies::pipeline::registry as reg;
    let mut c = Table::new();
    c.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["table", "type", "parameter", "type", "default", "meaning"]);
    let mut add = |table: &str, name: &str, description: &str, params: &[rebt_strategies::ParamSpec]| -> Result<()> {
        c.add_row(vec![
            table.to_string(),
            name.to_string(),
            String::new(),
            String::new(),
            String::new(),
            description.to_string(),
        ]);
        for p in params {
            c.add_row(vec![
                String::new(),
                String::new(),
                p.name.to_string(),
                label(p.kind)?,
                p.default.to_string(),
                p.help.to_string(),
            ]);
        }
        Ok(())
    };
    for i in reg::signals() {
        add("[signal]", i.name, i.description, &i.params)?;
    }
    for i in reg::gates() {
        add("[[gates]]", i.name, i.description, &i.params)?;
    }
    for i in reg::allocators() {
        add("[allocator]", i.name, i.description, &i.params)?;
    }
    for i in reg::executions() {
        add("[execution]", i.name, i.description, &i.params)?;
    }
    outln!("pipeline components:");
    outln!("{c}");
    outln!(
        "default strategy: {}; set parameters with --set name=value or a [params] table in --config",
        rebt_strategies::DEFAULT_STRATEGY
    );
    Ok(())
}

/// Print a dataset's header lines and its instruments table.
fn print_dataset(ds: &Dataset) -> Result<()> {
    let summary = ds.summary();
    outln!("dataset   {} [{}]", summary.name, summary.source);
    if !summary.description.is_empty() {
        outln!("{}", summary.description.trim());
    }
    if summary.synthetic {
        outln!("NOTE: synthetic data: every price and series in it is generated, not real.");
    }
    outln!("fingerprint {}", summary.fingerprint);
    outln!(
        "{} rows, {} instruments, {} → {} ({} days){}",
        summary.rows,
        summary.instruments.len(),
        summary.first_date,
        summary.last_date,
        summary.days,
        summary
            .benchmark
            .as_ref()
            .map_or(String::new(), |b| format!(", benchmark {b}"))
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "symbol", "name", "kind", "market", "board", "tradable", "first", "last", "bars",
    ]);
    for inst in &summary.instruments {
        t.add_row(vec![
            inst.symbol.clone(),
            inst.name.clone(),
            label(inst.kind)?,
            label(inst.market)?,
            label(inst.board)?,
            inst.tradable.to_string(),
            inst.first_date.to_string(),
            inst.last_date.to_string(),
            inst.bars.to_string(),
        ]);
    }
    outln!("{t}");
    Ok(())
}

pub fn data_check(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    print_dataset(&rebt_data::load(path)?)?;
    outln!("ok: no errors found");
    Ok(())
}

pub fn data_info(path: Option<&Path>) -> Result<()> {
    let ds = load_dataset(path)?;
    print_dataset(&ds)?;
    match &ds.calendars {
        Some(cal) => outln!("calendars: {}", cal.describe()),
        None => outln!("calendars: none (trading days are the days with bars)"),
    }
    let alt = ds.panel.alt_data();
    if alt.is_empty() {
        outln!("point-in-time series: none");
    } else {
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        for n in alt.names() {
            *groups.entry(n.split(':').next().unwrap_or(n)).or_default() += 1;
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(g, n)| {
                if *n > 1 {
                    format!("{g} ({n} instruments)")
                } else {
                    g.to_string()
                }
            })
            .collect();
        outln!("point-in-time series ({}): {}", alt.len(), parts.join(", "));
    }
    Ok(())
}

pub fn data_generate(dataset: &str, seed: Option<u64>, out: &Path) -> Result<()> {
    let summary = rebt_data::generate_dataset(dataset, seed, out)?;
    outln!("{summary}");
    Ok(())
}

pub fn data_import(args: &ImportArgs) -> Result<()> {
    use rebt_data::import::{ImportFormat, ImportOptions};
    let format: ImportFormat = args.format.parse()?;
    let mut options = ImportOptions {
        symbol: args.symbol.clone(),
        ..Default::default()
    };
    if let Some(c) = &args.yahoo_close {
        options.yahoo_close = c.parse()?;
    }
    if let Some(a) = &args.adjust {
        options.adjust = a.parse()?;
    }
    let imported = rebt_data::import::import(format, &args.files, &options)?;
    imported.write(&args.out)?;
    outln!("{}", imported.summary());
    outln!("written to {}", args.out.display());
    Ok(())
}
