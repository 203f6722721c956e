//! The summary `rebt factor` prints ([`FactorRun::summary`]): what was scored on which data,
//! the days analysed and why others were skipped, and one column per horizon of the IC and
//! quantile figures.

use super::{FORWARD_RETURNS, FactorDocument, FactorRun};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use std::path::Path;

impl FactorRun {
    /// The summary `rebt factor` prints: the header, the days analysed and skipped, and the
    /// table of IC, rank IC, quantile returns, spread, turnover and rank autocorrelation per
    /// horizon; `out`, when the outputs were written there, adds the line naming them.
    pub fn summary(&self, out: Option<&Path>) -> String {
        let doc = self.document();
        let info = &self.dataset;
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
