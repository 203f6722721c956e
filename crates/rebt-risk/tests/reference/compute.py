"""Reference values for rebt-risk, computed with scikit-learn, numpy, PyPortfolioOpt and
riskfolio-lib.

Writes fixtures.json beside this script; the Rust test `tests/reference.rs` embeds it and
needs no Python. Run with:
    python3 -m venv /tmp/venv-risk
    /tmp/venv-risk/bin/pip install -r crates/rebt-risk/tests/reference/requirements.txt
    /tmp/venv-risk/bin/python crates/rebt-risk/tests/reference/compute.py
The file records the versions it was made with.

Returns are synthetic (a seeded factor model: a market factor, three group factors and
idiosyncratic noise, daily volatilities of 1-4%) and rounded to 10 decimal places, so every
input has at most 15 significant digits and parses to the same f64 in Python and serde_json.

Risk models ("covariance_cases"):
- sample: numpy.cov(ddof=1) over the complete rows (rows with any NaN dropped, as rebt does).
- ledoit_wolf: sklearn.covariance.LedoitWolf() with its defaults (assume_centered=False:
  centred by the column means, biased 1/T empirical covariance, shrinkage toward
  mu * I with mu = trace / N), over the complete rows: covariance_ and shrinkage_.
- ewma: numpy.cov(ddof=1, aweights=0.5 ** (age / half_life)) over the complete rows, where
  age is the row's distance in days from the window's last row (0 for the newest), counted
  in the original window, so a dropped row still ages the rows before it. On a window with
  no missing rows the script asserts pandas' ewm(halflife=h, adjust=True).cov(bias=False)
  gives the same matrix: rebt's convention is pandas' and numpy's.
A case whose complete rows number at most the assets has sample and ewma null: rebt must
refuse them (too few days), not return a singular matrix. Every Ledoit-Wolf result is also
checked against the textbook formula (check_lw_by_hand) to 1e-12.

Optimisers ("optimiser"), on one annualised covariance (daily sample covariance x 252) of
12 assets and a fixed expected-return vector. Every cvxpy solve uses Clarabel with
tolerances 1e-10 (SOLVER_OPTIONS) so the references are accurate well below the 1e-6 the
Rust test allows, and the script checks every solution against an independent one:
- PyPortfolioOpt EfficientFrontier(mu, cov, weight_bounds=(0, CAP)):
  min_volatility(), max_sharpe(risk_free_rate=RF), max_quadratic_utility(risk_aversion=DELTA)
  (rebt's mean_variance maximises mu'w - lambda w'Sigma w, so lambda = DELTA / 2) and
  efficient_risk(target_volatility=TARGET_VOL) (also solved as the quadratic-utility QP at the
  risk aversion that puts the volatility on target, found by bisection, since the cone's
  linear objective leaves both PyPortfolioOpt and rebt about 1e-7 from the optimum); the
  maximum-diversification portfolio, max_sharpe with expected returns = the volatilities and
  risk_free_rate=0 (Choueifaty's diversification ratio is that Sharpe ratio), with bounds
  (0, MAXDIV_CAP); min_volatility again with sector caps (add_sector_constraints) and an L1
  turnover limit against equal previous weights (add_constraint(norm(w - prev, 1) <= TAU)).
  The independent checks: the QPs re-solved as plain cvxpy problems; max_sharpe by checking
  no feasible swap between two names raises the ratio; max diversification re-solved in its
  homogenised form. The script asserts each bound or cap the case is meant to exercise
  binds.
- riskfolio-lib Portfolio.rp_optimization(model='Classic', rm='MV', rf=0, hist=True) with
  equal budgets (b=None) and with given budgets, on the daily returns (riskfolio computes the
  sample covariance itself; risk parity is invariant to scaling the covariance, so the Rust
  test passes the annualised one). Checked against Spinu's problem solved by Newton's method
  in this script: riskfolio is within 5e-7 of it (absolute, on weights) only because the
  solver tolerances are tightened to 1e-10; at riskfolio's defaults it is 2.6e-6 away.
- riskfolio-lib HCPortfolio.optimization(model='HRP', codependence='pearson', rm='MV', rf=0,
  linkage='single', leaf_order=False). The parameters that reproduce Lopez de Prado's HRP
  (Advances in Financial Machine Learning, ch. 16) and why:
    * codependence='pearson': riskfolio's distance is then sqrt(clip((1 - rho) / 2, 0, 1)),
      LdP's correlation distance;
    * linkage='single': LdP's linkage;
    * leaf_order=False: with True, scipy reorders the leaves optimally (optimal_ordering),
      which LdP's getQuasiDiag does not do; False gives scipy's leaves_list, the same order
      as getQuasiDiag;
    * rm='MV': the cluster risk is Sharpe_Risk 'MV' (the standard deviation) squared, i.e.
      LdP's cluster variance w'Sigma w with inverse-variance weights w inside the cluster
      (riskfolio's _naive_risk with 'MV' is 1/variance); rm='vol' would split by the
      standard deviation instead;
    * max_k and k are used only by HERC/NCO (the number of clusters), not by HRP, whose
      bisection splits the quasi-diagonal order in halves (riskfolio's _recursive_bisection).
  LdP's code (getQuasiDiag, getRecBipart, getClusterVar) is reproduced below and the script
  asserts riskfolio equals it to 1e-12. One departure from LdP's published snippet, as in
  riskfolio and as rebt's brief specifies: the linkage is run on the condensed distance d
  itself; LdP's snippet passes the square d to scipy, which then clusters the Euclidean
  distances between the columns of d.
  Also with w_max (HCPortfolio(w_max=HRP_CAP)), riskfolio's clip-and-redistribute step,
  which rebt reproduces as its relative (chi-square) projection onto the caps.
"""

import json
import sys
import warnings
from pathlib import Path

import cvxpy as cp
import numpy as np
import pandas as pd
import pypfopt
import riskfolio as rp
import scipy
import sklearn
from pypfopt import EfficientFrontier
from scipy.cluster import hierarchy as sch
from scipy.spatial.distance import squareform
from sklearn.covariance import LedoitWolf

HERE = Path(__file__).resolve().parent
SOLVER_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "max_iter": 500}

CAP = 0.25  # per-name upper bound of the PyPortfolioOpt cases
MAXDIV_CAP = 0.15  # per-name upper bound of the maximum-diversification case (binds)
RF = 0.02  # annual risk-free rate of max_sharpe
DELTA = 4.0  # PyPortfolioOpt risk aversion (rebt lambda = DELTA / 2)
TARGET_VOL = 0.24  # annual target volatility of efficient_risk
SECTOR_CAP = {0: 0.15, 1: 1.0, 2: 1.0}  # group caps of the constrained case (group = i % 3)
TAU = 0.5  # L1 turnover limit of the constrained case
HRP_CAP = 0.11  # riskfolio HRP w_max


def synthetic_returns(seed, days, assets, groups=3):
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.011, days)
    group_factors = rng.normal(0.0, 0.008, (days, groups))
    beta = rng.uniform(0.6, 1.4, assets)
    loading = rng.uniform(0.5, 1.3, assets)
    idio = rng.uniform(0.008, 0.03, assets)
    drift = rng.normal(0.0002, 0.0004, assets)
    group = np.arange(assets) % groups
    r = (
        market[:, None] * beta
        + group_factors[:, group] * loading
        + rng.standard_normal((days, assets)) * idio
        + drift
    )
    return np.round(r, 10)


def matrix(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(a, dtype=float)]


def vector(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def ewma_weights(days, half_life):
    age = np.arange(days)[::-1]
    return 0.5 ** (age / half_life)


def covariance_case(name, returns, half_life):
    days, assets = returns.shape
    keep = ~np.isnan(returns).any(axis=1)
    complete = returns[keep]
    t = complete.shape[0]
    lw = LedoitWolf().fit(complete)
    case = {
        "name": name,
        "half_life": half_life,
        "returns": matrix(returns),
        "complete_days": int(t),
        "ledoit_wolf": {"covariance": matrix(lw.covariance_), "shrinkage": float(lw.shrinkage_)},
    }
    if t >= assets + 1:
        case["sample"] = matrix(np.cov(complete, rowvar=False, ddof=1))
        weights = ewma_weights(days, half_life)[keep]
        ewma = np.cov(complete, rowvar=False, ddof=1, aweights=weights)
        case["ewma"] = matrix(ewma)
        if keep.all():
            df = pd.DataFrame(returns)
            last = df.ewm(halflife=half_life, adjust=True).cov(bias=False).loc[days - 1].to_numpy()
            # pandas updates its moments online, so it agrees to rounding (1e-12 relative here)
            assert np.allclose(last, ewma, rtol=1e-10, atol=0), name
    else:
        case["sample"] = None
        case["ewma"] = None
    return case


def check_lw_by_hand(returns, lw_cov, shrinkage):
    """Ledoit-Wolf from its formula (no blocking), to show what sklearn computes."""
    x = returns - returns.mean(axis=0)
    t, n = x.shape
    s = x.T @ x / t
    mu = np.trace(s) / n
    delta = np.sum((s - mu * np.eye(n)) ** 2) / n
    beta = sum(np.sum((np.outer(r, r) - s) ** 2) for r in x) / (n * t * t)
    alpha = min(beta, delta) / delta
    assert abs(alpha - shrinkage) < 1e-12, (alpha, shrinkage)
    assert np.allclose((1 - alpha) * s + alpha * mu * np.eye(n), lw_cov, rtol=1e-12, atol=0)


# --- optimisers ------------------------------------------------------------------------


def frontier(mu, cov, bounds=(0, CAP)):
    return EfficientFrontier(
        mu, cov, weight_bounds=bounds, solver="CLARABEL", solver_options=SOLVER_OPTIONS
    )


def weights_of(ef):
    assert ef._opt.status == "optimal", ef._opt.status
    return np.asarray(ef.weights, dtype=float)


def qp_check(objective, constraints_of, n, expected, tol=1e-8):
    """Re-solve with cvxpy directly (same solver, independent formulation) and compare."""
    w = cp.Variable(n)
    prob = cp.Problem(cp.Minimize(objective(w)), constraints_of(w))
    prob.solve(solver="CLARABEL", **SOLVER_OPTIONS)
    assert prob.status == "optimal", prob.status
    assert np.max(np.abs(w.value - expected)) < tol, np.max(np.abs(w.value - expected))


def efficient_risk_by_bisection(mu, sigma, target, constraints_of):
    """max mu'w s.t. vol(w) <= target, as the quadratic-utility QP whose risk aversion puts
    the volatility at the target (found by bisection): QP solutions are accurate to ~1e-9,
    the cone formulation's only to ~1e-7."""
    n = len(mu)

    def utility(delta):
        w = cp.Variable(n)
        objective = cp.Minimize(0.5 * delta * cp.quad_form(w, sigma) - mu @ w)
        cp.Problem(objective, constraints_of(w)).solve(solver="CLARABEL", **SOLVER_OPTIONS)
        return w.value

    lo, hi = 1e-3, 1e3
    for _ in range(100):
        mid = np.sqrt(lo * hi)
        w = utility(mid)
        if np.sqrt(w @ sigma @ w) > target:
            lo = mid
        else:
            hi = mid
    w = utility(np.sqrt(lo * hi))
    assert abs(np.sqrt(w @ sigma @ w) - target) < 1e-9
    return w


def erc_newton(cov, budgets):
    """Spinu's problem min 1/2 x'Sx - b'log x by Newton's method, normalised."""
    x = budgets / np.sqrt(np.diag(cov))
    for _ in range(100):
        grad = cov @ x - budgets / x
        hess = cov + np.diag(budgets / x**2)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while np.any(x - t * step <= 0):
            t /= 2
        x = x - t * step
        if np.max(np.abs(step)) < 1e-15 * np.max(x):
            break
    return x / x.sum()


def risk_contributions(cov, w):
    return w * (cov @ w) / (w @ cov @ w)


def ldp_quasi_diag(link):
    """getQuasiDiag, Lopez de Prado (2018), snippet 16.2 (pandas 3: concat for append)."""
    link = link.astype(int)
    sort_ix = pd.Series([link[-1, 0], link[-1, 1]])
    num_items = link[-1, 3]
    while sort_ix.max() >= num_items:
        sort_ix.index = range(0, sort_ix.shape[0] * 2, 2)
        df0 = sort_ix[sort_ix >= num_items]
        i = df0.index
        j = df0.values - num_items
        sort_ix[i] = link[j, 0]
        df0 = pd.Series(link[j, 1], index=i + 1)
        sort_ix = pd.concat([sort_ix, df0]).sort_index()
        sort_ix.index = range(sort_ix.shape[0])
    return sort_ix.tolist()


def ldp_cluster_var(cov, items):
    """getClusterVar: variance of the cluster's inverse-variance portfolio (snippet 16.4)."""
    sub = cov[np.ix_(items, items)]
    ivp = 1.0 / np.diag(sub)
    ivp /= ivp.sum()
    return float(ivp @ sub @ ivp)


def ldp_hrp(cov):
    """getRecBipart (snippet 16.4) on the single-linkage order of the correlation distance."""
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    dist = np.sqrt(np.clip((1.0 - corr) / 2.0, 0.0, 1.0))
    link = sch.linkage(squareform(dist, checks=False), method="single")
    order = ldp_quasi_diag(link)
    assert order == sch.leaves_list(link).tolist()
    w = np.ones(len(order))
    clusters = [order]
    while clusters:
        clusters = [c[j:k] for c in clusters for j, k in ((0, len(c) // 2), (len(c) // 2, len(c))) if len(c) > 1]
        for i in range(0, len(clusters), 2):
            left, right = clusters[i], clusters[i + 1]
            var_left, var_right = ldp_cluster_var(cov, left), ldp_cluster_var(cov, right)
            alpha = 1.0 - var_left / (var_left + var_right)
            w[left] *= alpha
            w[right] *= 1.0 - alpha
    return w, order


def optimiser_cases():
    assets = 12
    returns = synthetic_returns(seed=20260107, days=500, assets=assets)
    names = [f"A{i:02d}" for i in range(assets)]
    df = pd.DataFrame(returns, columns=names)
    cov_daily = df.cov()
    cov = cov_daily * 252.0
    rng = np.random.default_rng(11)
    mu = pd.Series(np.round(rng.normal(0.08, 0.08, assets), 10), index=names)
    sigma = cov.to_numpy()
    n = assets
    out = {
        "assets": names,
        "returns": matrix(returns),
        "covariance": matrix(sigma),
        "expected_returns": vector(mu),
        "cap": CAP,
    }

    def bounds_of(w):
        return [w >= 0, w <= CAP, cp.sum(w) == 1]

    # min_volatility
    ef = frontier(mu, cov)
    ef.min_volatility()
    w = weights_of(ef)
    qp_check(lambda v: cp.quad_form(v, sigma), bounds_of, n, w)
    assert np.isclose(w.max(), CAP, atol=1e-8) and np.isclose(w.min(), 0.0, atol=1e-8), w
    out["min_volatility"] = vector(w)

    # max_sharpe
    ef = frontier(mu, cov)
    ef.max_sharpe(risk_free_rate=RF)
    w = np.asarray(ef.weights, dtype=float)
    sharpe = lambda v: (mu.to_numpy() @ v - RF) / np.sqrt(v @ sigma @ v)
    assert np.isclose(w.max(), CAP, atol=1e-8) and np.isclose(w.min(), 0.0, atol=1e-8), w
    # independent check: no feasible direction (a swap between two names) improves the ratio
    for i in range(n):
        for j in range(n):
            if i != j and w[i] < CAP - 1e-9 and w[j] > 1e-9:
                v = w.copy()
                v[i] += 1e-6
                v[j] -= 1e-6
                assert sharpe(v) <= sharpe(w) + 1e-14
    out["max_sharpe"] = {"risk_free_rate": RF, "weights": vector(w)}

    # max_quadratic_utility
    ef = frontier(mu, cov)
    ef.max_quadratic_utility(risk_aversion=DELTA)
    w = weights_of(ef)
    qp_check(lambda v: 0.5 * DELTA * cp.quad_form(v, sigma) - mu.to_numpy() @ v, bounds_of, n, w)
    out["max_quadratic_utility"] = {"risk_aversion": DELTA, "weights": vector(w)}

    # efficient_risk
    ef = frontier(mu, cov)
    ef.efficient_risk(target_volatility=TARGET_VOL)
    w = weights_of(ef)
    assert np.isclose(np.sqrt(w @ sigma @ w), TARGET_VOL, rtol=1e-8), np.sqrt(w @ sigma @ w)
    exact = efficient_risk_by_bisection(mu.to_numpy(), sigma, TARGET_VOL, bounds_of)
    # a linear objective over a cone: the solver's 1e-10 gap leaves the weights ~1e-7 off
    assert np.max(np.abs(w - exact)) < 5e-7, np.max(np.abs(w - exact))
    out["efficient_risk"] = {"target_volatility": TARGET_VOL, "weights": vector(w), "bisection": vector(exact)}

    # maximum diversification = max_sharpe with mu = volatilities, rf = 0
    vol = pd.Series(np.sqrt(np.diag(sigma)), index=names)
    ef = frontier(vol, cov, bounds=(0, MAXDIV_CAP))
    ef.max_sharpe(risk_free_rate=0.0)
    w = np.asarray(ef.weights, dtype=float)
    ratio = lambda v: (vol.to_numpy() @ v) / np.sqrt(v @ sigma @ v)
    y = cp.Variable(n)
    constraints = [vol.to_numpy() @ y == 1, y >= 0, y <= MAXDIV_CAP * cp.sum(y)]
    prob = cp.Problem(cp.Minimize(cp.quad_form(y, sigma)), constraints)
    prob.solve(solver="CLARABEL", **SOLVER_OPTIONS)
    assert np.max(np.abs(y.value / y.value.sum() - w)) < 1e-8
    assert np.isclose(w.max(), MAXDIV_CAP, atol=1e-8), w
    out["max_diversification"] = {"cap": MAXDIV_CAP, "weights": vector(w), "ratio": float(ratio(w))}

    # min_volatility with group caps and a turnover limit
    group = [i % 3 for i in range(n)]
    previous = np.full(n, 1.0 / n)
    ef = frontier(mu, cov)
    ef.add_sector_constraints({names[i]: group[i] for i in range(n)}, {}, SECTOR_CAP)
    ef.add_constraint(lambda v: cp.norm(v - previous, 1) <= TAU)
    ef.min_volatility()
    w = weights_of(ef)
    qp_check(
        lambda v: cp.quad_form(v, sigma),
        lambda v: bounds_of(v)
        + [cp.sum(v[[i for i in range(n) if group[i] == g]]) <= SECTOR_CAP[g] for g in range(3)]
        + [cp.norm(v - previous, 1) <= TAU],
        n,
        w,
    )
    group_sums = [float(sum(w[i] for i in range(n) if group[i] == g)) for g in range(3)]
    assert np.isclose(group_sums[0], SECTOR_CAP[0], atol=1e-8), group_sums
    assert np.isclose(np.abs(w - previous).sum(), TAU, atol=1e-8), np.abs(w - previous).sum()
    out["min_volatility_constrained"] = {
        "group_of": group,
        "group_max": [SECTOR_CAP[g] for g in range(3)],
        "previous_weights": vector(previous),
        "max_turnover": TAU,
        "weights": vector(w),
    }

    # riskfolio risk parity (equal and given budgets)
    def riskfolio_rp(budgets):
        port = rp.Portfolio(returns=df)
        port.assets_stats(method_mu="hist", method_cov="hist")
        port.solvers = ["CLARABEL"]
        port.sol_params = {"CLARABEL": SOLVER_OPTIONS}
        b = None if budgets is None else budgets.reshape(-1, 1)
        w = port.rp_optimization(model="Classic", rm="MV", rf=0, b=b, hist=True)
        return w["weights"].to_numpy(dtype=float)

    equal = np.full(n, 1.0 / n)
    given = np.arange(1, n + 1, dtype=float)
    given /= given.sum()
    rp_out = {}
    for key, budgets in (("equal", None), ("given", given)):
        w = riskfolio_rp(budgets)
        b = equal if budgets is None else budgets
        exact = erc_newton(sigma, b)
        # riskfolio's exponential-cone solve is the least accurate reference here: 3e-7 from
        # the exact ERC at Clarabel tolerances 1e-10 (2.6e-6 at Clarabel's defaults, 1e-8)
        assert np.max(np.abs(w - exact)) < 5e-7, np.max(np.abs(w - exact))
        assert np.max(np.abs(risk_contributions(sigma, exact) - b)) < 1e-14
        rp_out[key] = {"budgets": vector(b), "weights": vector(w), "newton": vector(exact)}
    out["risk_parity"] = rp_out

    # riskfolio HRP, and with w_max
    def riskfolio_hrp(w_max):
        port = rp.HCPortfolio(returns=df, w_max=w_max)
        w = port.optimization(
            model="HRP", codependence="pearson", rm="MV", rf=0, linkage="single", leaf_order=False
        )
        return w["weights"].to_numpy(dtype=float), list(port.sort_order)

    w, order = riskfolio_hrp(None)
    ldp, ldp_order = ldp_hrp(cov_daily.to_numpy())
    assert [int(i) for i in order] == ldp_order
    assert np.max(np.abs(w - ldp)) < 1e-12, np.max(np.abs(w - ldp))
    capped, _ = riskfolio_hrp(HRP_CAP)
    assert w.max() > HRP_CAP and np.isclose(capped.max(), HRP_CAP, atol=1e-12)
    out["hrp"] = {
        "order": [int(i) for i in order],
        "weights": vector(w),
        "w_max": HRP_CAP,
        "weights_capped": vector(capped),
    }
    return out


def main():
    warnings.simplefilter("ignore", FutureWarning)
    cases = []

    r = synthetic_returns(seed=1, days=250, assets=10)
    cases.append(covariance_case("t250_n10", r, half_life=20.0))

    r = synthetic_returns(seed=2, days=40, assets=36)
    cases.append(covariance_case("t40_n36", r, half_life=10.0))

    r = synthetic_returns(seed=3, days=30, assets=45)
    cases.append(covariance_case("t30_n45", r, half_life=10.0))

    # a suspension (asset 2, days 10-14), single missing bars, a newly listed day-0 gap
    r = synthetic_returns(seed=4, days=80, assets=6)
    r[10:15, 2] = np.nan
    r[40, 4] = np.nan
    r[0, 5] = np.nan
    r[79, 0] = np.nan
    cases.append(covariance_case("missing_rows_t80_n6", r, half_life=15.0))

    for case in cases:
        full = np.array([[np.nan if v is None else v for v in row] for row in case["returns"]])
        complete = full[~np.isnan(full).any(axis=1)]
        lw = case["ledoit_wolf"]
        check_lw_by_hand(complete, np.array(lw["covariance"]), lw["shrinkage"])

    fixture = {
        "generator": "tests/reference/compute.py",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "scikit_learn": sklearn.__version__,
        "pypfopt": pypfopt.__version__,
        "riskfolio_lib": rp.__version__,
        "cvxpy": cp.__version__,
        "covariance_cases": cases,
        "optimiser": optimiser_cases(),
    }
    (HERE / "fixtures.json").write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {HERE / 'fixtures.json'}")


if __name__ == "__main__":
    main()
