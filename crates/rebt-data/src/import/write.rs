//! Atomic writes of a dataset's files: every file is first written in full to a hidden
//! temporary file in the target directory and synced, and only when all are written are they
//! renamed into place. On any error the temporary files are removed, so a failed import
//! leaves the directory as it was (a rename within one directory is atomic on POSIX systems).

use crate::error::DataError;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `files` (name, contents) into `dir`, creating `dir` if needed.
pub(super) fn write_atomically(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), DataError> {
    fs::create_dir_all(dir).map_err(|source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    // A target that cannot be replaced by a file is found before anything is written, so a
    // rename cannot fail half-way for that reason.
    for (name, _) in files {
        let target = dir.join(name);
        if target.is_dir() {
            return Err(DataError::UnsupportedFile {
                path: target,
                message: "is a directory; expected a file name that can be written".into(),
            });
        }
    }
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let result = write_then_rename(dir, files, &mut temps);
    if result.is_err() {
        for tmp in &temps {
            // Best effort: the temporary may already be renamed or never created.
            let _ = fs::remove_file(tmp);
        }
    }
    result
}

fn write_then_rename(dir: &Path, files: &[(&str, &[u8])], temps: &mut Vec<PathBuf>) -> Result<(), DataError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DataError::Io { path, source }
    };
    for (name, bytes) in files {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        temps.push(tmp.clone());
        let mut file = File::create(&tmp).map_err(io(&tmp))?;
        file.write_all(bytes).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
    }
    for ((name, _), tmp) in files.iter().zip(temps.iter()) {
        let target = dir.join(name);
        fs::rename(tmp, &target).map_err(io(&target))?;
    }
    Ok(())
}
