//! The factor model of step 1 of the generator (see the parent module): four factors on
//! the union of both markets' days — A-share market, Hong Kong market (partly the A-share
//! one), rare earth (partly the PrNd oxide's moves, with sector jumps) and magnet makers
//! against miners — each GARCH(1,1) with Student-t shocks and scaled to its calibrated
//! volatility, and an instrument's day returns from its loadings on them plus its own noise.

use super::spec::*;
use super::{DOF, Days, MARKET_DOF, Spot, stream};
use crate::generate::model::{Draws, Garch};

/// A factor's daily moves and conditional variances on the union days.
pub(super) struct Factor {
    pub(super) moves: Vec<f64>,
    pub(super) var: Vec<f64>,
}

impl Factor {
    /// GARCH-t with long-run volatility `vol`; `z_extra(u)` mixes a given standardised shock
    /// into day u with weight `w` (the rest is the factor's own draw).
    pub(super) fn new(n: usize, vol: f64, draws: &mut Draws, w: f64, z_extra: &dyn Fn(usize) -> f64) -> Factor {
        let mut g = Garch::new(vol, GARCH_ALPHA, GARCH_BETA);
        let (mut moves, mut var) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for u in 0..n {
            let own = draws.fat();
            let z = w.sqrt() * z_extra(u) + (1.0 - w).sqrt() * own;
            var.push(g.vol() * g.vol());
            moves.push(g.vol() * z);
            g.update(z);
        }
        Factor { moves, var }
    }
}

impl Factor {
    /// Scale the moves (and variances) so their realised volatility over the whole span is
    /// `vol`: the calibration targets hold for every seed, not just on average.
    pub(super) fn match_vol(&mut self, vol: f64) {
        let n = self.moves.len().max(2) as f64;
        let mean = self.moves.iter().sum::<f64>() / n;
        let sd = (self.moves.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        if sd > 0.0 {
            let k = vol / sd;
            self.moves.iter_mut().for_each(|m| *m *= k);
            self.var.iter_mut().for_each(|v| *v *= k * k);
        }
    }

    /// Add jumps: on a share `prob` of days, ±(size + |N|) (upwards with probability `up`).
    pub(super) fn add_jumps(&mut self, draws: &mut Draws, prob: f64, size: f64, up: f64) {
        for m in &mut self.moves {
            let (hit, side, extra) = (draws.uniform(), draws.uniform(), draws.normal());
            if hit < prob {
                *m += if side < up { 1.0 } else { -1.0 } * (size + extra.abs());
            }
        }
    }
}

pub(super) struct Factors {
    pub(super) market: Factor,
    pub(super) hk: Factor,
    pub(super) rare_earth: Factor,
    pub(super) magnet: Factor,
}

/// An instrument's loadings on the factors and its own noise.
pub(super) struct Loadings {
    pub(super) hk: bool,
    pub(super) beta: f64,
    pub(super) rare_earth: f64,
    pub(super) magnet: f64,
    pub(super) own_vol: f64,
    /// Daily probability of a company-news jump (0 for indexes and FX).
    pub(super) jump_prob: f64,
}

/// Day returns and variances of an instrument trading on the union days `u` (positions):
/// factor moves since its previous trading day plus its own GARCH-t noise. `r[0]` is unused.
pub(super) fn factor_returns(u: &[usize], load: &Loadings, f: &Factors, draws: &mut Draws) -> (Vec<f64>, Vec<f64>) {
    let mut own = Garch::new(load.own_vol.max(1e-6), GARCH_ALPHA, GARCH_BETA);
    let market = if load.hk { &f.hk } else { &f.market };
    let (mut r, mut var) = (Vec::with_capacity(u.len()), Vec::with_capacity(u.len()));
    for k in 0..u.len() {
        let lo = if k == 0 { u[0] } else { u[k - 1] + 1 };
        let span = lo..=u[k];
        let sum = |x: &[f64]| x[span.clone()].iter().sum::<f64>();
        let z = draws.fat();
        let (hit, side, extra) = (draws.uniform(), draws.uniform(), draws.normal());
        let jump = if hit < load.jump_prob {
            let sign = if side < STOCK_JUMP_UP { 1.0 } else { -1.0 };
            sign * STOCK_JUMP_SIZE * (1.0 + 0.3 * extra.abs())
        } else {
            0.0
        };
        let e = if load.own_vol > 0.0 { own.vol() * z } else { 0.0 } + jump;
        let own_var = if load.own_vol > 0.0 { own.vol() * own.vol() } else { 0.0 };
        own.update(z);
        r.push(
            load.beta * sum(&market.moves)
                + load.rare_earth * sum(&f.rare_earth.moves)
                + load.magnet * sum(&f.magnet.moves)
                + e,
        );
        var.push(
            load.beta * load.beta * sum(&market.var)
                + load.rare_earth * load.rare_earth * sum(&f.rare_earth.var)
                + load.magnet * load.magnet * sum(&f.magnet.var)
                + own_var,
        );
    }
    (r, var)
}

/// The four factors on the union days.
pub(super) fn factors(seed: u64, days: &Days, spot: &Spot) -> Factors {
    let nu = days.union.len();
    let sse_u = days.in_union(&days.sse);
    let mut z_prnd_union = vec![0.0; nu];
    for (t, &u) in sse_u.iter().enumerate() {
        z_prnd_union[u] = spot.prnd_moves[t] / SPOT_VOL;
    }
    let none = |_: usize| 0.0;
    let mut market = Factor::new(
        nu,
        MARKET_VOL,
        &mut Draws::stream(seed, stream::MARKET, MARKET_DOF),
        0.0,
        &none,
    );
    market.match_vol(MARKET_VOL);
    let mut hk_own = Factor::new(
        nu,
        HK_OWN_VOL,
        &mut Draws::stream(seed, stream::HK_MARKET, DOF),
        0.0,
        &none,
    );
    hk_own.match_vol(HK_OWN_VOL);
    let hk = Factor {
        moves: (0..nu)
            .map(|u| HK_ON_MARKET * market.moves[u] + hk_own.moves[u])
            .collect(),
        var: (0..nu)
            .map(|u| HK_ON_MARKET * HK_ON_MARKET * market.var[u] + hk_own.var[u])
            .collect(),
    };
    let mut re_draws = Draws::stream(seed, stream::RARE_EARTH, DOF);
    let mut rare_earth = Factor::new(nu, 1.0, &mut re_draws, PRND_SHARE_OF_FACTOR, &|u| {
        z_prnd_union[u].clamp(-6.0, 6.0)
    });
    rare_earth.add_jumps(&mut re_draws, SECTOR_JUMP_PROB, SECTOR_JUMP_SIZE, SECTOR_JUMP_UP);
    rare_earth.match_vol(1.0);
    let mut magnet = Factor::new(nu, 1.0, &mut Draws::stream(seed, stream::MAGNET, DOF), 0.0, &none);
    magnet.match_vol(1.0);
    Factors {
        market,
        hk,
        rare_earth,
        magnet,
    }
}
