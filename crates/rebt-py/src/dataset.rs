//! `rebt.Dataset` (native half): a loaded, validated dataset shared by every run that uses
//! it (an `Arc`, so a sweep or a thousand backtests read one copy). The Python class wraps
//! it and adds `from_frames`.
//!
//! `from_frames` reaches rebt-data through [`Dataset::from_files`]: the package writes each
//! DataFrame as CSV text in rebt's long format (floats in their shortest round-trip form, so
//! no value changes) and this hands the bytes to `rebt_data::Dataset::from_bytes`, the parser
//! and validation that read files, so frames and files fail with the same messages. It costs
//! one copy of the data; the workspace's polars is built without its Arrow interface, and a
//! second reader for Arrow buffers would be a second validation to keep equal to the first.

use crate::errors::{data_error, run_error};
use pyo3::prelude::*;
use rebt_data::Dataset as RustDataset;
use std::path::PathBuf;
use std::sync::Arc;

/// A validated dataset: the panel, its point-in-time series, manifest and calendars.
#[pyclass(module = "rebt._rebt", name = "Dataset", frozen)]
#[derive(Debug, Clone)]
pub struct Dataset {
    pub(crate) inner: Arc<RustDataset>,
    /// The corporate actions file it was loaded with, if one was named beside a bars file.
    actions: Option<PathBuf>,
}

impl Dataset {
    pub(crate) fn new(inner: RustDataset) -> Dataset {
        Dataset {
            inner: Arc::new(inner),
            actions: None,
        }
    }

    /// The `data` and `actions` a configuration names to load this dataset again (both
    /// `None` for the embedded one), for drivers that load their own data (`what` names the
    /// caller); a dataset built from DataFrames has no such name.
    pub(crate) fn on_disk(&self, what: &str) -> PyResult<(Option<PathBuf>, Option<PathBuf>)> {
        if self.inner.source == FRAMES_SOURCE {
            return Err(crate::errors::ConfigError::new_err(format!(
                "{what} loads its data from files, as the command line does: give a Dataset from \
                 Dataset.load(path) or Dataset.embedded(); one built from DataFrames cannot be passed \
                 (write the frames to a directory as bars.csv, series.csv, … and load that)"
            )));
        }
        Ok((data_path(&self.inner), self.actions.clone()))
    }
}

#[pymethods]
impl Dataset {
    /// The synthetic rare-earth dataset compiled into rebt.
    #[staticmethod]
    fn embedded(py: Python<'_>) -> PyResult<Dataset> {
        py.detach(rebt_data::load_embedded)
            .map(Dataset::new)
            .map_err(data_error)
    }

    /// A dataset directory or a bars file, as `rebt backtest --data` takes it; `actions`
    /// names a corporate-actions file for a bars file.
    #[staticmethod]
    #[pyo3(signature = (path, actions=None))]
    fn load(py: Python<'_>, path: PathBuf, actions: Option<PathBuf>) -> PyResult<Dataset> {
        let inner = py
            .detach(|| rebt_run::load_dataset_with_actions(Some(&path), actions.as_deref()))
            .map_err(run_error)?;
        Ok(Dataset {
            inner: Arc::new(inner),
            actions,
        })
    }

    /// A dataset from files held in memory, as `from_frames` writes them: `bars` (CSV), and
    /// optionally `series` and `actions` (CSV), `manifest` and `calendars` (TOML text).
    /// Messages name them `frames/bars.csv`, `frames/manifest.toml`, ….
    #[staticmethod]
    #[pyo3(signature = (bars, series=None, actions=None, manifest=None, calendars=None))]
    fn from_files(
        py: Python<'_>,
        bars: Vec<u8>,
        series: Option<Vec<u8>>,
        actions: Option<Vec<u8>>,
        manifest: Option<String>,
        calendars: Option<String>,
    ) -> PyResult<Dataset> {
        py.detach(|| {
            let files = rebt_data::DatasetBytes {
                bars: &bars,
                bars_name: "bars.csv",
                series: series.as_deref(),
                series_name: "series.csv",
                calendars: calendars.as_deref().map(str::as_bytes),
                manifest: manifest.as_deref().map(str::as_bytes),
                actions: actions.as_deref(),
                actions_name: "actions.csv",
            };
            RustDataset::from_bytes(&files, FRAMES_SOURCE)
        })
        .map(Dataset::new)
        .map_err(data_error)
    }

    /// The manifest's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.manifest.name.clone()
    }

    /// Where it came from: a path, `embedded:datasets/rare-earth`, or `frames`.
    #[getter]
    fn source(&self) -> String {
        self.inner.source.clone()
    }

    /// `sha256:` of the dataset's files (or of the frames' contents).
    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint.clone()
    }

    /// True when the prices are generated, not market history.
    #[getter]
    fn synthetic(&self) -> bool {
        self.inner.manifest.synthetic
    }

    /// The symbols, sorted.
    #[getter]
    fn symbols(&self) -> Vec<String> {
        self.inner
            .panel
            .instruments()
            .iter()
            .map(|i| i.symbol.clone())
            .collect()
    }

    /// The trading days, as ISO dates.
    #[getter]
    fn dates(&self) -> Vec<String> {
        self.inner.panel.dates().iter().map(|d| d.to_string()).collect()
    }

    /// What the dataset holds (what `rebt data info` prints), as JSON.
    fn summary_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner.summary()).map_err(|e| crate::errors::RebtError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        let dates = self.inner.panel.dates();
        format!(
            "Dataset({:?}, {} instruments, {} → {}, {}{})",
            self.inner.manifest.name,
            self.inner.panel.instruments().len(),
            dates.first().map_or("-".into(), |d| d.to_string()),
            dates.last().map_or("-".into(), |d| d.to_string()),
            self.inner.source,
            if self.inner.manifest.synthetic {
                ", synthetic"
            } else {
                ""
            }
        )
    }
}

/// The source of a dataset built from DataFrames: messages name its tables
/// `frames/bars.csv`, `frames/series.csv`, ….
pub(crate) const FRAMES_SOURCE: &str = "frames";

/// The path a dataset came from, for the configuration echo (`None` for the embedded one and
/// for DataFrames).
pub(crate) fn data_path(dataset: &RustDataset) -> Option<PathBuf> {
    (dataset.source != rebt_data::EMBEDDED_SOURCE && dataset.source != FRAMES_SOURCE)
        .then(|| PathBuf::from(&dataset.source))
}
