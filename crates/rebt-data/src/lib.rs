//! rebt-data: reading and validating market data for rebt.
//!
//! - [`read_csv_bars`] (and `read_parquet_bars` with the `parquet` feature, through polars)
//!   turn long-format bars (`date,symbol,open,high,low,close,volume[,amount][,adj_factor]`)
//!   into [`rebt_core::BarColumns`] (a `bars.csv.gz` is decompressed in memory first,
//!   [`gzip`]);
//! - [`BarFrame`] holds bars as typed columns (a DataFrame's, from the Python package);
//!   [`Dataset::from_frame`] checks and builds them as a file's;
//! - [`read_series_csv`] reads the optional `series.csv[.gz]` of point-in-time values
//!   (`date,series,value[,published]`) into [`rebt_core::AltData`];
//! - [`Calendars`] is the optional `calendars.toml`: per market and year, the weekdays the
//!   exchange was closed;
//! - [`Manifest`] is the optional `manifest.toml` beside them: dataset name, benchmark, and
//!   per-instrument metadata overriding [`rebt_core::Instrument::infer`];
//! - [`load`] and [`load_embedded`] put them together into a validated [`Dataset`] with a
//!   fingerprint of the raw files; the embedded dataset is the SYNTHETIC rare-earth dataset of
//!   `data/rare-earth/` in this crate (documented in the workspace's `datasets/rare-earth/`);
//!   a plain `bars.csv` is streamed from disk ([`csv`]);
//! - [`pack()`] writes a dataset's panel as a columnar cache that [`load`] reads without
//!   parsing ([`mod@pack`] module: the format and when a pack is refused);
//! - [`generate`] holds the seeded generators: [`generate::rare_earth()`] (the embedded
//!   dataset) and [`generate::sample()`] (the small sample in `datasets/sample/`, loadable by
//!   path), and [`generate_dataset`] writes either to a directory; [`generate_market`] writes
//!   a seeded whole A-share-like market of any size for scale work.
//!
//! Every error ([`DataError`]) names the file and, where there is one, the line and column or
//! the manifest key. Nothing is read from the environment and nothing is printed.
#![deny(missing_docs)]

pub mod actions;
mod bars;
pub mod calendars;
pub mod csv;
pub mod dataset;
pub mod error;
pub mod frame;
pub mod generate;
pub mod gzip;
pub mod import;
pub mod manifest;
pub mod pack;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod series;
mod table;
mod write;

pub use actions::{ACTIONS_OPTIONAL_COLUMNS, ACTIONS_REQUIRED_COLUMNS, ActionRow, read_actions_csv};
pub use bars::{OPTIONAL_COLUMNS, REQUIRED_COLUMNS};
pub use calendars::{CalendarSummary, Calendars};
pub use csv::{read_csv_bars, read_csv_bars_from};
pub use dataset::{
    Dataset, DatasetBytes, DatasetSummary, EMBEDDED_SOURCE, InstrumentSummary, OffLimitBar, SeriesSummary,
    UndeclaredExDay, embedded_files, fingerprint, load, load_embedded, load_with_actions,
};
pub use error::DataError;
pub use frame::{BarFrame, DateCells, TextCells};
pub use generate::{
    GeneratedDataset, GeneratedRareEarth, GeneratedSummary, MarketSpec, RARE_EARTH_SEED, SAMPLE_SEED, generate_dataset,
    generate_market,
};
pub use manifest::{InstrumentSpec, Manifest, PriceLimit};
pub use pack::{PackSummary, load_pack, pack};
#[cfg(feature = "parquet")]
pub use parquet::{csv_table_to_parquet, read_parquet_bars};
pub use series::read_series_csv;
