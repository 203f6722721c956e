//! The shape of the return distribution: Omega, skew, kurtosis, tail ratio, historical VaR and CVaR, stability.
