//! How the research drivers get their strategies: from a source the caller implements (the
//! application layer's resolved strategy specs and grid templates do), which says with a typed
//! error why a strategy cannot be built. Closures of the right shape are sources too.

use rebt_core::Strategy;

/// Why a strategy could not be built (an unknown parameter, `fast ≥ slow`, …): the caller's
/// own error, boxed.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// Makes a fresh strategy of one configuration, in its starting state, each time it is asked.
pub trait StrategySource: Send + Sync {
    /// A fresh strategy.
    fn build(&self) -> Result<Box<dyn Strategy>, BuildError>;
}

/// Makes the strategy of each combination of a grid, by combination number.
pub trait CandidateSource: Sync {
    /// The strategy of `combination`; an error says why the combination is invalid.
    fn build(&self, combination: usize) -> Result<Box<dyn Strategy>, BuildError>;
}

impl<F> StrategySource for F
where
    F: Fn() -> Result<Box<dyn Strategy>, BuildError> + Send + Sync,
{
    fn build(&self) -> Result<Box<dyn Strategy>, BuildError> {
        self()
    }
}

impl<F> CandidateSource for F
where
    F: Fn(usize) -> Result<Box<dyn Strategy>, BuildError> + Sync,
{
    fn build(&self, combination: usize) -> Result<Box<dyn Strategy>, BuildError> {
        self(combination)
    }
}
