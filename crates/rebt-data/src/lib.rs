//! rebt-data: reading and validating market data for rebt.
//!
//! - [`read_csv_bars`] (and `read_parquet_bars` with the `parquet` feature) turn long-format
//!   bars (`date,symbol,open,high,low,close,volume[,amount][,adj_factor]`) into
//!   [`rebt_core::BarColumns`], using polars;
//! - [`Manifest`] is the optional `manifest.toml` beside them: dataset name, benchmark, and
//!   per-instrument metadata overriding [`rebt_core::Instrument::infer`];
//! - [`load`] and [`load_embedded`] put the two together into a validated [`Dataset`] with a
//!   fingerprint of the raw files;
//! - [`generate::sample`] is the seeded generator of the SYNTHETIC sample dataset in
//!   `datasets/sample/`, which is also compiled in.
//!
//! Every error ([`DataError`]) names the file and, where there is one, the line and column or
//! the manifest key. Nothing is read from the environment and nothing is printed.
#![deny(missing_docs)]

mod bars;
pub mod csv;
pub mod dataset;
pub mod error;
pub mod generate;
pub mod manifest;
#[cfg(feature = "parquet")]
pub mod parquet;

pub use bars::{OPTIONAL_COLUMNS, REQUIRED_COLUMNS};
pub use csv::read_csv_bars;
pub use dataset::{
    Dataset, DatasetSummary, EMBEDDED_SOURCE, InstrumentSummary, embedded_files, fingerprint, load, load_embedded,
};
pub use error::DataError;
pub use generate::{GeneratedDataset, SAMPLE_SEED};
pub use manifest::{InstrumentSpec, Manifest, PriceLimit};
#[cfg(feature = "parquet")]
pub use parquet::read_parquet_bars;
