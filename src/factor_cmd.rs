//! `rebt factor`: the flags, the progress bar and the terminal summary of a signal evaluated
//! as a cross-sectional factor (`rebt_run::factor` scores, analyses and writes
//! `factor.json`, `factor_data.csv`, `ic.csv` and `factor.html`).

use anyhow::{Result, anyhow, bail};
use clap::{ArgGroup, Args};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use rebt::run::config::parse_date;
use rebt::run::factor::{
    DEFAULT_HORIZONS, FORWARD_RETURNS, FactorDocument, FactorProgress, FactorRequest, FactorRun, FactorStage,
    parse_signal, run_factor,
};
use std::io::Write;
use std::path::{Path, PathBuf};

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
        std::io::stdout().write_all(summary(&run, args.out.as_deref()).as_bytes())?;
    }
    Ok(())
}

fn number(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{v:.decimals$}"))
}

fn pct(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{:+.3}%", v * 100.0))
}

fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// One row of the summary table: a label, then a value per horizon.
fn row(table: &mut Table, doc: &FactorDocument, label: &str, value: impl Fn(usize) -> String) {
    let mut cells = vec![Cell::new(label)];
    cells.extend((0..doc.horizons.len()).map(|k| right(value(k))));
    table.add_row(cells);
}

fn summary(run: &FactorRun, out: Option<&Path>) -> String {
    let doc = run.document();
    let info = &run.dataset;
    let mut text = format!(
        "rebt {} · factor · {} · {} [{}]\n",
        env!("CARGO_PKG_VERSION"),
        doc.description,
        info.name,
        info.source
    );
    if info.synthetic {
        text.push_str("NOTE: synthetic data: these prices are generated, not real market prices.\n");
    }
    let d = &doc.days;
    let span = match (d.first_analysed, d.last_analysed) {
        (Some(f), Some(l)) => format!("{f} → {l}"),
        _ => "–".into(),
    };
    text.push_str(&format!(
        "{} names · {} quantiles · days analysed {} of {} ({span}; skipped: {} before the signal or after the last \
         forward return, {} with fewer than {} names, {} with tied quantile edges) · {} names a day on average\n",
        doc.config.universe.len(),
        doc.config.quantiles,
        d.analysed,
        d.total,
        d.no_rows,
        d.too_few_names,
        d.required_names,
        d.tied_edges,
        number(d.mean_names, 1),
    ));
    text.push_str(&format!("forward returns: {FORWARD_RETURNS}\n"));

    let mut t = Table::new();
    let mut header = vec![Cell::new("")];
    header.extend(doc.horizons.iter().map(|h| right(h.label.clone())));
    t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
    let h = &doc.horizons;
    row(&mut t, &doc, "IC mean", |k| number(h[k].ic.mean, 4));
    row(&mut t, &doc, "IC std", |k| number(h[k].ic.std, 4));
    row(&mut t, &doc, "IC IR", |k| number(h[k].ic.ir, 3));
    row(&mut t, &doc, "IC t", |k| number(h[k].ic.t_stat, 2));
    row(&mut t, &doc, "IC t (Newey–West)", |k| {
        format!(
            "{} (lag {})",
            number(h[k].ic.newey_west_t_stat, 2),
            h[k].ic.newey_west_lag
        )
    });
    row(&mut t, &doc, "rank IC mean", |k| number(h[k].rank_ic.mean, 4));
    row(&mut t, &doc, "rank IC IR", |k| number(h[k].rank_ic.ir, 3));
    row(&mut t, &doc, "rank IC t (Newey–West)", |k| {
        number(h[k].rank_ic.newey_west_t_stat, 2)
    });
    for q in 0..doc.config.quantiles {
        row(&mut t, &doc, &format!("Q{} mean return (demeaned)", q + 1), |k| {
            pct(h[k].quantiles[q].mean_demeaned)
        });
    }
    row(&mut t, &doc, "top − bottom spread", |k| pct(h[k].spread.mean));
    row(&mut t, &doc, "top quantile turnover", |k| {
        number(h[k].quantiles.last().and_then(|q| q.turnover), 3)
    });
    row(&mut t, &doc, "bottom quantile turnover", |k| {
        number(h[k].quantiles.first().and_then(|q| q.turnover), 3)
    });
    row(&mut t, &doc, "rank autocorrelation", |k| {
        number(h[k].rank_autocorrelation, 3)
    });
    text.push_str(&format!("{t}\n"));
    if let Some(dir) = out {
        text.push_str(&format!(
            "wrote {}: factor.json, factor_data.csv, ic.csv, factor.html\n",
            dir.display()
        ));
    }
    text
}
