//! The commands behind the CLI that need no module of their own: turn the run flags into
//! overrides of the configuration (defaults < config file < flags), call rebt-run or
//! rebt-data, and print what they render.

use crate::{BacktestArgs, ImportArgs, RunArgs};
use anyhow::{Result, anyhow, bail};
use rebt::run::catalog::{dataset_text, series_text, strategies_text};
use rebt::run::config::{Overrides, RunConfig, parse_date};
use rebt::run::{OutputTargets, RunPlan, load_dataset, run_backtest};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let stdout = |p: &Option<PathBuf>| p.as_deref() == Some(Path::new("-"));
    let (json_out, html_out) = (stdout(&args.json), stdout(&args.html));
    if json_out && html_out {
        bail!("--json - and --html - both ask for standard output; write one of them to a file");
    }
    let output = run_backtest(&plan)?;
    let targets = OutputTargets {
        json: args.json.filter(|_| !json_out),
        dir: args.out,
        parquet: args.parquet,
        html: args.html.filter(|_| !html_out),
    };
    let json = output.write_outputs(&targets)?;
    let html = if html_out { Some(output.tearsheet()?) } else { None };
    let to_stdout = json_out || html_out;
    if !args.quiet {
        let summary = output.summary(&plan);
        if to_stdout {
            eprint!("{summary}");
        } else {
            out!("{summary}");
        }
    }
    if json_out {
        std::io::stdout().write_all(json.as_bytes())?;
    }
    if let Some(html) = html {
        std::io::stdout().write_all(html.as_bytes())?;
    }
    Ok(())
}

pub fn strategies() -> Result<()> {
    out!("{}", strategies_text()?);
    Ok(())
}

pub fn data_check(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    out!("{}", dataset_text(&rebt_data::load(path)?)?);
    outln!("ok: no errors found");
    Ok(())
}

pub fn data_info(path: Option<&Path>) -> Result<()> {
    let ds = load_dataset(path)?;
    out!("{}{}", dataset_text(&ds)?, series_text(&ds));
    Ok(())
}

pub fn data_generate(dataset: &str, seed: Option<u64>, out: &Path) -> Result<()> {
    let summary = rebt_data::generate_dataset(dataset, seed, out)?;
    outln!("{summary}");
    Ok(())
}

pub fn data_generate_market(spec: &rebt_data::MarketSpec, out: &Path) -> Result<()> {
    let summary = rebt_data::generate_market(spec, out)?;
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
        // like --symbol and --adjust, an option that does not apply is an error, not ignored
        if format != ImportFormat::Yahoo {
            bail!("--yahoo-close applies to yahoo files only, not {format} files");
        }
        options.yahoo_close = c.parse()?;
    }
    if let Some(a) = &args.adjust {
        options.adjust = a.parse()?;
    }
    let imported = rebt_data::import::import(format, &args.files, &options)?;
    let written = imported.write(&args.out)?;
    outln!("{}", imported.summary());
    if !written.replaced.is_empty() {
        outln!("{written}");
    }
    outln!("written to {}", args.out.display());
    Ok(())
}
