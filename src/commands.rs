//! The commands behind the CLI: assemble the run configuration (defaults < config file <
//! flags), load the data, run, print and write the results.

use crate::{BacktestArgs, ImportArgs, RunArgs};
use anyhow::{Result, anyhow, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::config::{Overrides, RunConfig, parse_date};
use rebt::run::{OutputTargets, RunPlan, label, load_dataset, run_backtest};
use rebt_data::Dataset;
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
    let date = |flag: &str, d: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
        d.as_deref()
            .map(parse_date)
            .transpose()
            .map_err(|e| anyhow!("{flag}: {e}"))
    };
    let overrides = Overrides {
        strategy: args.strategy.clone(),
        params: args.set.clone(),
        data: args.data.clone(),
        actions: args.actions.clone(),
        from: date("--from", &args.from)?,
        to: date("--to", &args.to)?,
        universe: args.universe.clone(),
        benchmark: args.benchmark.clone(),
        ..args.account.overrides()
    };
    Ok(RunConfig::load(args.config.as_deref(), &overrides)?)
}

pub fn backtest(args: BacktestArgs) -> Result<()> {
    let cfg = resolve_config(&args.run)?;
    let plan = RunPlan::new(&cfg)?;
    let output = run_backtest(&plan)?;
    let to_stdout = args.json.as_deref() == Some(Path::new("-"));
    let targets = OutputTargets {
        json: args.json.filter(|_| !to_stdout),
        dir: args.out,
        parquet: args.parquet,
        html: args.html,
    };
    let json = output.write_outputs(&targets)?;
    if !args.quiet {
        let summary = output.summary(&plan);
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

pub fn strategies() -> Result<()> {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["strategy", "parameter", "type", "default", "meaning"]);
    for s in rebt::run::strategies() {
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
    if summary.actions > 0 {
        outln!("corporate actions: {}", summary.actions);
    }
    if let Some(first) = summary.undeclared_ex_days.first() {
        outln!(
            "NOTE: the bars' pre_close shows {} ex-rights day(s) with no corporate action; the account will receive nothing for them:",
            summary.undeclared_ex_days.len()
        );
        for u in summary.undeclared_ex_days.iter().take(10) {
            outln!(
                "  {} {}: close {} then pre_close {}",
                u.symbol,
                u.date,
                u.prev_close,
                u.pre_close
            );
        }
        if summary.undeclared_ex_days.len() > 10 {
            outln!(
                "  … and {} more (first: {} on {})",
                summary.undeclared_ex_days.len() - 10,
                first.symbol,
                first.date
            );
        }
    }
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

pub fn data_generate_market(stocks: usize, days: usize, seed: Option<u64>, out: &Path) -> Result<()> {
    let spec = rebt_data::MarketSpec {
        stocks,
        days,
        seed: seed.unwrap_or(rebt_data::generate::MARKET_SEED),
    };
    let summary = rebt_data::generate_market(&spec, out)?;
    outln!("{summary}");
    Ok(())
}

pub fn data_pack(path: &Path, out: &Path) -> Result<()> {
    let summary = rebt_data::pack(path, out)?;
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
