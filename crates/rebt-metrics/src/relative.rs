//! Benchmark-relative metrics: alpha, beta, information ratio, tracking error, up/down capture, correlation.
