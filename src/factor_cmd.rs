//! `rebt factor`: the flags and the progress bar of a signal evaluated as a cross-sectional
//! factor (`rebt_run::factor` scores, analyses, writes `factor.json`, `factor_data.csv`,
//! `ic.csv` and `factor.html`, and writes the summary printed).

use anyhow::{Result, anyhow, bail};
use clap::{ArgGroup, Args};
use rebt::run::config::parse_date;
use rebt::run::factor::{DEFAULT_HORIZONS, FactorProgress, FactorRequest, FactorStage, parse_signal, run_factor};
use std::io::Write;
use std::path::PathBuf;

/// Flags of `rebt factor`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["signal", "config"])))]
pub(crate) struct FactorArgs {
    /// The signal: a type name (`margin_flow`), or its `[signal]` table's keys as inline TOML
    /// (`'type = "margin_flow", mode = "change", window = 10'`). See `rebt strategies`.
    #[arg(long, value_name = "TABLE")]
    signal: Option<String>,
    /// A run configuration whose `[signal]` table is evaluated (with its data, actions,
    /// universe, from and to; the flags below override them).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// A signal parameter, e.g. `--set window=10` (repeatable; overrides the table's).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Forward-return horizons in trading days, comma-separated, each at least 1.
    #[arg(long, value_name = "H,H", value_delimiter = ',', default_values_t = DEFAULT_HORIZONS)]
    horizons: Vec<usize>,
    /// Equal-count quantiles each day's names are cut into.
    #[arg(long, value_name = "N", default_value_t = 5)]
    quantiles: usize,
    /// The fewest names a day needs besides --quantiles (days with fewer are skipped and
    /// counted in factor.json).
    #[arg(long, value_name = "N", default_value_t = 5)]
    min_names: usize,
    /// Comma-separated symbols to score (default: every tradable instrument).
    #[arg(long, value_name = "SYM,SYM", value_delimiter = ',')]
    universe: Option<Vec<String>>,
    /// Dataset directory or bars CSV (default: the config's, else the embedded rare-earth
    /// dataset).
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Corporate actions CSV for a --data bars file.
    #[arg(long, value_name = "FILE")]
    actions: Option<PathBuf>,
    /// First day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Write factor.json, factor_data.csv, ic.csv and factor.html into DIR (all or none).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// `rebt factor …`.
pub(crate) fn run(args: FactorArgs) -> Result<()> {
    let mut request = match (&args.signal, &args.config) {
        (Some(text), None) => FactorRequest {
            signal: parse_signal(text)?,
            ..FactorRequest::default()
        },
        (None, Some(path)) => FactorRequest::from_config(path)?,
        // clap's group makes exactly one of them present
        _ => bail!("give --signal or --config"),
    };
    for kv in &args.set {
        request.set_signal_param(kv)?;
    }
    request.horizons = args.horizons.clone();
    request.quantiles = args.quantiles;
    request.min_names = args.min_names;
    if args.universe.is_some() {
        request.universe = args.universe.clone();
    }
    if args.data.is_some() {
        request.data = args.data.clone();
        request.actions = None;
    }
    if args.actions.is_some() {
        request.actions = args.actions.clone();
    }
    let date = |flag: &str, d: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
        d.as_deref()
            .map(parse_date)
            .transpose()
            .map_err(|e| anyhow!("{flag}: {e}"))
    };
    if let Some(from) = date("--from", &args.from)? {
        request.from = Some(from);
    }
    if let Some(to) = date("--to", &args.to)? {
        request.to = Some(to);
    }

    let bar = crate::progress::bar(args.quiet, "{wide_bar} {pos}/{len} days · {msg}");
    let run = run_factor(&request, &|p: FactorProgress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(match p.stage {
            FactorStage::Scoring => "scoring",
            FactorStage::Analysing => "analysing",
        });
    });
    bar.finish_and_clear();
    let run = run?;
    if let Some(dir) = &args.out {
        run.write_outputs(dir)?;
    }
    if !args.quiet {
        std::io::stdout().write_all(run.summary(args.out.as_deref()).as_bytes())?;
    }
    Ok(())
}
