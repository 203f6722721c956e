//! What the listing commands print: `rebt strategies` (every built-in strategy and pipeline
//! part with its parameters, [`strategies_text`]) and `rebt data check` / `rebt data info`
//! (a dataset's header lines and instruments, [`dataset_text`], and its calendars and
//! point-in-time series, [`series_text`]).

use crate::registry::{label, strategies};
use chrono::NaiveDate;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rebt_data::Dataset;
use rebt_strategies::ParamSpec;
use rebt_strategies::pipeline::registry as parts;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The text printed; an error only if an enum's label would not serialise.
type Text = Result<String, serde_json::Error>;

/// The strategies table, the pipeline components table and the line on the default strategy.
pub fn strategies_text() -> Text {
    let mut out = String::new();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["strategy", "parameter", "type", "default", "meaning"]);
    for s in strategies() {
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
    let _ = writeln!(out, "{t}");
    let mut c = Table::new();
    c.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["table", "type", "parameter", "type", "default", "meaning"]);
    let mut add = |table: &str, name: &str, description: &str, params: &[ParamSpec]| -> Result<(), serde_json::Error> {
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
    for i in parts::signals() {
        add("[signal]", i.name, i.description, &i.params)?;
    }
    for i in parts::gates() {
        add("[[gates]]", i.name, i.description, &i.params)?;
    }
    for i in parts::allocators() {
        add("[allocator]", i.name, i.description, &i.params)?;
    }
    for i in parts::executions() {
        add("[execution]", i.name, i.description, &i.params)?;
    }
    let _ = writeln!(out, "pipeline components:");
    let _ = writeln!(out, "{c}");
    let _ = writeln!(
        out,
        "default strategy: {}; set parameters with --set name=value or a [params] table in --config",
        rebt_strategies::DEFAULT_STRATEGY
    );
    Ok(out)
}

/// A dataset's header lines (name, synthetic note, fingerprint, size) and its instruments
/// table, with the count of corporate actions and the ex-rights days no action explains.
pub fn dataset_text(ds: &Dataset) -> Text {
    let mut out = String::new();
    let summary = ds.summary();
    let _ = writeln!(out, "dataset   {} [{}]", summary.name, summary.source);
    if !summary.description.is_empty() {
        let _ = writeln!(out, "{}", summary.description.trim());
    }
    if summary.synthetic {
        let _ = writeln!(
            out,
            "NOTE: synthetic data: every price and series in it is generated, not real."
        );
    }
    let _ = writeln!(out, "fingerprint {}", summary.fingerprint);
    let _ = writeln!(
        out,
        "{} {}, {} {}, {} → {} ({} {}){}",
        summary.rows,
        if summary.rows == 1 { "row" } else { "rows" },
        summary.instruments.len(),
        if summary.instruments.len() == 1 {
            "instrument"
        } else {
            "instruments"
        },
        summary.first_date,
        summary.last_date,
        summary.days,
        if summary.days == 1 { "day" } else { "days" },
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
    let _ = writeln!(out, "{t}");
    if summary.actions > 0 {
        let _ = writeln!(out, "corporate actions: {}", summary.actions);
    }
    let undeclared = &summary.undeclared_ex_days;
    note_list(
        &mut out,
        &format!(
            "NOTE: the bars' pre_close shows {} ex-rights day(s) with no corporate action; the account will receive nothing for them:",
            undeclared.len()
        ),
        undeclared.iter().map(|u| {
            (
                &u.symbol,
                u.date,
                format!("close {} then pre_close {}", u.prev_close, u.pre_close),
            )
        }),
    );
    let off = &summary.off_limit_bars;
    note_list(
        &mut out,
        &format!(
            "NOTE: {} A-share bar(s) lie beyond their daily price limit: days the exchange set none (a new listing's \
             first days, when the manifest lacks its `listed` date; a relisting or a share-reform resumption), a \
             corporate action missing from the data (bonus or transfer shares), or an error in the bars. A backtest \
             applies the limit it computes to them:",
            off.len()
        ),
        off.iter().map(|b| {
            (
                &b.symbol,
                b.date,
                format!(
                    "low {} high {} outside the limits {} – {}",
                    b.low, b.high, b.limit_down, b.limit_up
                ),
            )
        }),
    );
    Ok(out)
}

/// A note's `header` and its first ten items (`symbol date: what`), then how many more, if
/// there are any items.
fn note_list<'a>(
    out: &mut String,
    header: &str,
    items: impl ExactSizeIterator<Item = (&'a String, NaiveDate, String)>,
) {
    let n = items.len();
    if n == 0 {
        return;
    }
    let _ = writeln!(out, "{header}");
    for (symbol, date, what) in items.take(10) {
        let _ = writeln!(out, "  {symbol} {date}: {what}");
    }
    if n > 10 {
        let _ = writeln!(out, "  … and {} more", n - 10);
    }
}

/// The lines `rebt data info` adds: the dataset's calendars and its point-in-time series,
/// grouped by name before the `:` (one group per field across instruments).
pub fn series_text(ds: &Dataset) -> String {
    let mut out = String::new();
    let _ = match &ds.calendars {
        Some(cal) => writeln!(out, "calendars: {}", cal.describe()),
        None => writeln!(out, "calendars: none (trading days are the days with bars)"),
    };
    let alt = ds.panel.alt_data();
    if alt.is_empty() {
        let _ = writeln!(out, "point-in-time series: none");
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
        let _ = writeln!(out, "point-in-time series ({}): {}", alt.len(), parts.join(", "));
    }
    out
}
