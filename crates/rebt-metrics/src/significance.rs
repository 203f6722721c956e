//! Statistical weight of a Sharpe ratio: the Probabilistic and Deflated Sharpe Ratios (Bailey & López de Prado).
