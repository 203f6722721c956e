//! How rebt-data writes its files (generated and imported datasets, packs): through rebt-fs's
//! `Staging`, rebt's one atomic writer, with every error a [`DataError::Io`] naming the file.
//! Each file is written in full to a hidden temporary file beside its target and synced before
//! it is renamed into place, so a failed write leaves the target as it was (a rename within
//! one directory is atomic on POSIX systems).

use crate::error::DataError;
use rebt_fs::Staging;
use std::path::Path;

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DataError + use<> {
    let path = path.to_path_buf();
    move |source| DataError::Io { path, error: source }
}

/// Write `files` (name, contents) into `dir`, creating `dir` if needed, all or none: every
/// file is staged before any is renamed, so a failed import leaves the directory as it was.
pub(crate) fn write_all_atomically(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), DataError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
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
    let mut staging = Staging::default();
    for (name, bytes) in files {
        let target = dir.join(name);
        staging.file(&target, bytes).map_err(io(&target))?;
    }
    staging.commit_or_undo().map_err(commit_error)
}

/// A commit's error names the target that failed.
pub(crate) fn commit_error(e: rebt_fs::CommitError) -> DataError {
    DataError::Io {
        path: e.path,
        error: e.error,
    }
}
