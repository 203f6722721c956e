//! `rebt.Dataset` (native half): a loaded, validated dataset shared by every run that uses
//! it (an `Arc`, so a sweep or a thousand backtests read one copy). The Python class wraps
//! it and adds `from_frames`.
//!
//! `from_frames` reaches rebt-data through [`Dataset::from_frame`]: the package hands the
//! bars frame over as columns (each numeric column a float64 numpy array, read here in place;
//! dates as int64 days or factorized text; symbols factorized), and rebt-data checks them and
//! builds the panel with the code that reads files, so frames and files fail with the same
//! messages. The numbers are copied once, as binary, into rebt's long columns (see
//! `rebt_data::frame`). The small tables (series, actions) and the manifest and calendars are
//! still written as text by the package and parsed as files: they are thousands of rows, and
//! their readers check each cell with its own message.

use crate::errors::{data_error, run_error};
use numpy::{Element, PyReadonlyArray1};
use pyo3::prelude::*;
use rebt_data::Dataset as RustDataset;
use rebt_data::{BarFrame, DateCells, TextCells};
use std::borrow::Cow;
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

    /// A dataset from a bars frame's columns and the other tables as text (`series`,
    /// `actions`: CSV; `manifest`, `calendars`: TOML), as `from_frames` hands them over:
    /// `names` are the frame's columns in order; `dates` is an int64 array of days since
    /// 1970-01-01 (NaT: the int64 minimum) or `(codes, values)`; `symbols` is `(codes,
    /// values)` (`codes`: int64 array into `values`, negative for a missing cell); `numbers`
    /// maps each numeric column to a float64 array. Messages name `frames/bars.csv` and the
    /// line row r would hold in its CSV text (r + 2), `frames/manifest.toml`, ….
    #[staticmethod]
    #[pyo3(signature = (names, dates, symbols, numbers, series=None, actions=None, manifest=None, calendars=None))]
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per table, as the Python signature names them"
    )]
    fn from_frame(
        names: Vec<String>,
        dates: DatesIn<'_>,
        symbols: TextIn<'_>,
        numbers: Vec<(String, PyReadonlyArray1<'_, f64>)>,
        series: Option<Vec<u8>>,
        actions: Option<Vec<u8>>,
        manifest: Option<String>,
        calendars: Option<String>,
    ) -> PyResult<Dataset> {
        let dates_values;
        let date_codes;
        let days;
        let dates = match &dates {
            DatesIn::Days(array) => {
                days = cells(array);
                DateCells::Days(&days)
            }
            DatesIn::Text((codes, values)) => {
                date_codes = cells(codes);
                dates_values = values;
                DateCells::Text(TextCells {
                    codes: &date_codes,
                    values: dates_values,
                })
            }
        };
        let symbol_codes = cells(&symbols.0);
        // the numbers are read where numpy holds them (copied once, below, into the panel's
        // long columns); a strided array (a sliced frame) is gathered first
        let numbers: Vec<(String, Cow<'_, [f64]>)> = numbers
            .iter()
            .map(|(name, array)| (name.clone(), cells(array)))
            .collect();
        let frame = BarFrame {
            names,
            dates,
            symbols: TextCells {
                codes: &symbol_codes,
                values: &symbols.1,
            },
            numbers,
        };
        let files = rebt_data::DatasetBytes {
            bars: &[],
            bars_name: "bars.csv",
            series: series.as_deref(),
            series_name: "series.csv",
            calendars: calendars.as_deref().map(str::as_bytes),
            manifest: manifest.as_deref().map(str::as_bytes),
            actions: actions.as_deref(),
            actions_name: "actions.csv",
        };
        // Built holding the GIL: the frame's buffers are Python's, and another thread could
        // change them while it was released. The work is linear and takes milliseconds.
        RustDataset::from_frame(frame, &files, FRAMES_SOURCE)
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

/// A frame's date column as `from_frames` passes it.
#[derive(FromPyObject)]
enum DatesIn<'py> {
    /// Days since 1970-01-01.
    Days(PyReadonlyArray1<'py, i64>),
    /// Codes into distinct texts.
    Text((PyReadonlyArray1<'py, i64>, Vec<Option<String>>)),
}

/// A factorized text column: codes into distinct values.
type TextIn<'py> = (PyReadonlyArray1<'py, i64>, Vec<Option<String>>);

/// An array's cells: borrowed when numpy holds them contiguously, else gathered.
fn cells<'a, T: Element + Copy>(array: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match array.as_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(array.as_array().iter().copied().collect()),
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
