"""Independent reference for rebt-research's CSCV / PBO (src/cscv.rs), numpy only.

Bailey, Borwein, López de Prado & Zhu (2014), "The Probability of Backtest Overfitting".
Written from the paper, not from the Rust code: every split's in-sample and out-of-sample rows
are concatenated and their Sharpe ratio computed directly (numpy mean / std with ddof = 1),
where the Rust code combines precomputed block moments.

Conventions shared with the Rust implementation (stated in its module documentation):
- block b holds rows floor(b*T/S) .. floor((b+1)*T/S);
- splits in itertools.combinations(range(S), S // 2) order (the in-sample blocks);
- performance: per-period Sharpe, mean / std(ddof=1); a set with zero variance (or a single
  row) scores 0 when its mean is 0, else +/- infinity by the sign of the mean;
- n* = argmax of in-sample performance, the lowest index on ties (np.argmax);
- relative rank: 1 = worst .. N = best, ties share their average rank; w = rank / (N + 1);
- logit = ln(w / (1 - w)); PBO = share of splits with logit <= 0;
- probability of OOS loss = share of splits with n*'s out-of-sample Sharpe < 0.

Usage:
    python3 pbo.py            # rewrite pbo_fixtures.json next to this file
    python3 pbo.py noise      # the spread of PBO over 40 pure-noise matrices (slow, ~1 min)
"""

import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np


def sharpe(x):
    """Per-period Sharpe of each column of x (rows = periods)."""
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        col = x[:, j]
        m = col.mean()
        if len(col) < 2 or np.all(col == col[0]):
            out[j] = 0.0 if m == 0.0 else math.copysign(math.inf, m)
        else:
            out[j] = m / col.std(ddof=1)
    return out


def cscv(matrix, blocks):
    """matrix: T x N. Returns a dict with pbo, prob_oos_loss and per-split arrays."""
    t, n = matrix.shape
    bounds = [b * t // blocks for b in range(blocks + 1)]
    rows = [np.arange(bounds[b], bounds[b + 1]) for b in range(blocks)]
    logits, chosen, is_sr, oos_sr = [], [], [], []
    for ins in itertools.combinations(range(blocks), blocks // 2):
        outs = [b for b in range(blocks) if b not in ins]
        perf_is = sharpe(matrix[np.concatenate([rows[b] for b in ins])])
        perf_oos = sharpe(matrix[np.concatenate([rows[b] for b in outs])])
        star = int(np.argmax(perf_is))
        v = perf_oos[star]
        rank = float((perf_oos < v).sum()) + (float((perf_oos == v).sum()) + 1.0) / 2.0
        w = rank / (n + 1)
        logits.append(math.log(w / (1.0 - w)))
        chosen.append(star)
        is_sr.append(float(perf_is[star]))
        oos_sr.append(float(v))
    logits = np.array(logits)
    return {
        "pbo": float((logits <= 0).sum()) / len(logits),
        "prob_oos_loss": float((np.array(oos_sr) < 0).sum()) / len(logits),
        "logits": [float(x) for x in logits],
        "chosen": chosen,
        "is_sharpe": is_sr,
        "oos_sharpe": oos_sr,
    }


def case(name, seed, periods, configs, blocks, drift=0.0, idle=False):
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, 0.01, (periods, configs))
    m += drift * np.arange(configs)[None, :]
    if idle:
        m[:, -1] = 0.0  # a configuration that never trades
    m = np.round(m, 6)  # short decimals in the JSON; the rounded values are the data
    result = cscv(m, blocks)
    splits = len(result["logits"])
    # the per-split arrays of the larger cases are sampled (every `stride`-th split) to keep the
    # file small; the aggregates cover every split
    stride = max(1, splits // 500)
    sampled = {k: result[k][::stride] for k in ("logits", "chosen", "is_sharpe", "oos_sharpe")}
    return {
        "name": name,
        "blocks": blocks,
        "returns": [[float(x) for x in m[:, j]] for j in range(configs)],
        "splits": splits,
        "stride": stride,
        # counts rather than ratios: exact in JSON (serde_json's default float parsing may be
        # one ulp off the shortest representation Python writes)
        "overfit_splits": round(result["pbo"] * splits),
        "loss_splits": round(result["prob_oos_loss"] * splits),
        "logit_sum": float(math.fsum(result["logits"])),
        "selection_counts": [result["chosen"].count(j) for j in range(configs)],
        **sampled,
    }


def fixtures():
    cases = [
        case("normal_t120_n4_s4", 1, 120, 4, 4),
        case("drift_idle_t250_n8_s8", 2, 250, 8, 8, drift=0.0003, idle=True),
        case("uneven_t333_n6_s10", 3, 333, 6, 10),
        case("normal_t300_n6_s12", 4, 300, 6, 12),
        case("default_t320_n8_s16", 5, 320, 8, 16, drift=0.0001),
    ]
    out = Path(__file__).with_name("pbo_fixtures.json")
    text = json.dumps(cases, separators=(",", ":"))
    out.write_text(text + "\n")
    for c in cases:
        print(f"{c['name']}: {c['splits']} splits, PBO {c['overfit_splits']}/{c['splits']}, P(OOS loss) {c['loss_splits']}/{c['splits']}")
    print(f"wrote {out} ({len(text)} bytes)")


def noise():
    rng = np.random.default_rng(1)
    values = np.array([cscv(rng.normal(0.0, 0.01, (1000, 20)), 16)["pbo"] for _ in range(40)])
    print(f"PBO of 40 iid-noise matrices (T=1000, N=20, S=16): mean {values.mean():.3f}, sd {values.std(ddof=1):.3f}")


if __name__ == "__main__":
    noise() if sys.argv[1:] == ["noise"] else fixtures()
