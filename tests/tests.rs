//! Integration tests of the `rebt` binary, compiled into one test binary (polars makes each
//! test binary large). Test data lives in `tests/data/`.

mod actions;
mod cli;
mod configs;
mod data_commands;
mod dcf_worked;
mod factor;
mod outputs;
mod real_data;
mod regress;
mod study;
mod sweep;
mod valuation;
mod walk_forward;
