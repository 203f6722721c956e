//! Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV, Bailey, Borwein, López de Prado & Zhu 2014).
