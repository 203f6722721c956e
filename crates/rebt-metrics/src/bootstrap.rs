//! Stationary block bootstrap (Politis & Romano) confidence intervals for Sharpe and CAGR, seeded.
