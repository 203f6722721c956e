//! Calendar aggregation: monthly and yearly compounded returns from dated daily returns.
