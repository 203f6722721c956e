//! Long-format bars from Parquet (cargo feature `parquet`): the same columns as the CSV
//! reader. `date` may be a date column or `YYYY-MM-DD` text; numbers of any numeric type are
//! read as `f64`. Errors name the 1-based row where a CSV error would name the line.

use crate::bars;
use crate::error::DataError;
use polars::prelude::{CsvReadOptions, ParquetReader, ParquetWriter, SerReader};
use rebt_core::BarColumns;
use std::io::Cursor;
use std::path::Path;

/// Read bars from the bytes of a Parquet file. `path` is used only in error messages.
pub fn read_parquet_bars(bytes: &[u8], path: &Path) -> Result<BarColumns, DataError> {
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| DataError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let names: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    bars::check_columns(&names, path)?;
    let row = |r: usize| r;
    bars::frame_to_bars(&df, path, &row)
}

/// Convert one of rebt's output tables from CSV (a header row, then rows) to Parquet bytes.
/// Column types are inferred from the values; `YYYY-MM-DD` columns become dates, empty cells
/// nulls. `name` is used only in error messages.
pub fn csv_table_to_parquet(csv: &[u8], name: &str) -> Result<Vec<u8>, DataError> {
    let format = |e: polars::prelude::PolarsError| DataError::Format {
        path: name.into(),
        message: e.to_string(),
    };
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(None)
        .map_parse_options(|o| o.with_try_parse_dates(true))
        .into_reader_with_file_handle(Cursor::new(csv))
        .finish()
        .map_err(format)?;
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df).map_err(format)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column, DataFrame, DataType, IntoColumn, NamedFrom, ParquetWriter, Series};

    fn write(dir: &Path, columns: Vec<Column>) {
        let mut df = DataFrame::new_infer_height(columns).expect("frame");
        let mut file = std::fs::File::create(dir.join("bars.parquet")).expect("create");
        ParquetWriter::new(&mut file).finish(&mut df).expect("write");
    }

    fn columns(volume: Column) -> Vec<Column> {
        // 2024-01-03 and 2024-01-02 as days since 1970-01-01: unsorted on purpose.
        let date = Series::new("date".into(), &[19_725i32, 19_724])
            .cast(&DataType::Date)
            .expect("date");
        vec![
            date.into_column(),
            Series::new("symbol".into(), &["600111.SH", "600111.SH"]).into_column(),
            Series::new("open".into(), &[10.0, 10.0]).into_column(),
            Series::new("high".into(), &[10.5, 10.5]).into_column(),
            Series::new("low".into(), &[9.5, 9.5]).into_column(),
            Series::new("close".into(), &[10.2, 10.1]).into_column(),
            volume,
        ]
    }

    #[test]
    fn output_tables_convert_with_dates_numbers_and_nulls() {
        let csv = b"date,symbol,shares,price,exit\n2024-01-02,600111.SH,100,10.5,\n2024-01-03,600111.SH,200,11.0,2024-01-09\n";
        let bytes = csv_table_to_parquet(csv, "trades.csv").expect("converts");
        let df = ParquetReader::new(Cursor::new(bytes)).finish().expect("reads back");
        assert_eq!(df.shape(), (2, 5));
        assert_eq!(df.column("date").expect("date").dtype(), &DataType::Date);
        assert_eq!(df.column("shares").expect("shares").dtype(), &DataType::Int64);
        assert_eq!(df.column("price").expect("price").dtype(), &DataType::Float64);
        assert_eq!(df.column("exit").expect("exit").null_count(), 1);
        let header_only = csv_table_to_parquet(b"date,symbol\n", "fills.csv").expect("empty table");
        let empty = ParquetReader::new(Cursor::new(header_only))
            .finish()
            .expect("reads back");
        assert_eq!(empty.shape(), (0, 2));
    }

    #[test]
    fn parquet_bars_load_with_date_and_integer_columns() {
        let dir = tempfile::tempdir().expect("dir");
        write(
            dir.path(),
            columns(Series::new("volume".into(), &[100i64, 200]).into_column()),
        );
        let ds = crate::load(dir.path()).expect("loads");
        let ix = ds.panel.find("600111.SH").expect("symbol");
        assert_eq!(ds.panel.series(ix, rebt_core::Field::Close), &[10.1, 10.2]);
        assert_eq!(ds.panel.series(ix, rebt_core::Field::Volume), &[200.0, 100.0]);
    }

    #[test]
    fn parquet_errors_name_the_row() {
        let dir = tempfile::tempdir().expect("dir");
        write(
            dir.path(),
            columns(Series::new("volume".into(), &[100.0, -1.0]).into_column()),
        );
        let e = crate::load(dir.path()).expect_err("negative volume");
        assert!(
            e.to_string()
                .ends_with("bars.parquet:2: column `volume`: volume -1 is not a non-negative number"),
            "{e}"
        );
    }
}
