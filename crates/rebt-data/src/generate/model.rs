//! The random building blocks both generators share: a GARCH(1,1) variance and a seeded stream
//! of draws (Student-t scaled to unit variance, standard normal, uniform).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, StudentT};

/// A GARCH(1,1) variance `σ²_t = ω + α·σ²_{t-1}·z²_{t-1} + β·σ²_{t-1}`, with ω set so the
/// long-run volatility is the target.
#[derive(Debug, Clone)]
pub(crate) struct Garch {
    long_run_var: f64,
    var: f64,
    alpha: f64,
    beta: f64,
}

impl Garch {
    pub(crate) fn new(long_run_vol: f64, alpha: f64, beta: f64) -> Garch {
        let v = long_run_vol * long_run_vol;
        Garch {
            long_run_var: v,
            var: v,
            alpha,
            beta,
        }
    }

    /// The current conditional volatility.
    pub(crate) fn vol(&self) -> f64 {
        self.var.sqrt()
    }

    /// Advance after a standardised shock `z`.
    pub(crate) fn update(&mut self, z: f64) {
        let omega = (1.0 - self.alpha - self.beta) * self.long_run_var;
        self.var = omega + self.alpha * self.var * z * z + self.beta * self.var;
    }
}

/// Draws in one fixed order from one seeded stream.
pub(crate) struct Draws {
    rng: ChaCha8Rng,
    student: StudentT<f64>,
    /// Scales a t(ν) draw to unit variance: √((ν − 2)/ν).
    t_scale: f64,
}

impl Draws {
    /// The stream `ChaCha8Rng::seed_from_u64(seed)`, Student-t with `dof` (> 2) degrees of
    /// freedom.
    pub(crate) fn new(seed: u64, dof: f64) -> Draws {
        Draws {
            rng: ChaCha8Rng::seed_from_u64(seed),
            student: StudentT::new(dof).expect("positive degrees of freedom"),
            t_scale: ((dof - 2.0) / dof).sqrt(),
        }
    }

    /// Sub-stream `stream` of `seed`: independent of the others, so adding draws to one part
    /// of a generator does not shift the numbers of another.
    pub(crate) fn stream(seed: u64, stream: u64, dof: f64) -> Draws {
        let mut d = Draws::new(seed, dof);
        d.rng.set_stream(stream);
        d
    }

    /// A Student-t draw with unit variance.
    pub(crate) fn fat(&mut self) -> f64 {
        self.student.sample(&mut self.rng) * self.t_scale
    }

    pub(crate) fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.rng)
    }

    /// Uniform on [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }
}
