//! Atomic file writes, the one place rebt writes a file: every output, dataset file, pack and
//! sweep store goes through [`Staging`]. Each file is first written in full to a temporary file
//! beside its target (or a set of files to a temporary directory) and synced; only when all
//! are staged does [`Staging::commit`] move them into place, by rename, so a reader sees the
//! old file or the whole new one, never a part, and a failure leaves every target as it was.
//! A crate of its own because both rebt-data (datasets, packs) and rebt-report (a run's
//! outputs) write files, and neither may depend on the other.

#![deny(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// One output file: its name in the directory and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    /// File name, e.g. `equity.csv`.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A file named `name` holding `bytes`.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        OutputFile {
            name: name.into(),
            bytes,
        }
    }
}

/// Outputs written in two steps: every file is first written in full to a temporary place
/// beside its target ([`Staging::file`], [`Staging::dir`]); only when all are staged does
/// [`Staging::commit`] move them into place, by rename. A failure while staging (a missing
/// directory, a full disk) leaves every target as it was; dropping an uncommitted staging
/// removes the temporary files.
#[derive(Debug, Default)]
pub struct Staging {
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
    dirs: Vec<StagedDir>,
}

#[derive(Debug)]
struct StagedDir {
    staging: tempfile::TempDir,
    target: PathBuf,
    names: Vec<String>,
    /// The target did not exist: the staging directory is renamed to it whole.
    whole: bool,
}

impl Staging {
    /// Stage `bytes` for `path`.
    pub fn file(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.file_with(path, |f| f.write_all(bytes))
    }

    /// Stage the file `fill` writes for `path` (for files too large to hold in memory first);
    /// returns what `fill` returns.
    pub fn file_with<T>(
        &mut self,
        path: &Path,
        fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        let mut tmp = tempfile::Builder::new()
            .prefix(".rebt-")
            .suffix(".tmp")
            .tempfile_in(parent_of(path))?;
        let value = fill(tmp.as_file_mut())?;
        shareable(tmp.as_file().metadata()?.permissions(), FILE_MODE, |p| {
            tmp.as_file().set_permissions(p)
        })?;
        tmp.as_file().sync_all()?;
        self.files.push((tmp, path.to_path_buf()));
        Ok(value)
    }

    /// Stage `files` for the directory `dir`. A `dir` that does not exist yet is staged whole
    /// beside it (its parent must exist) and appears complete at commit.
    pub fn dir(&mut self, dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
        let whole = !dir.exists();
        let staging = if whole {
            let staging = tempfile::Builder::new()
                .prefix(".rebt-out-")
                .tempdir_in(parent_of(dir))?;
            // it becomes the output directory itself
            let permissions = std::fs::metadata(staging.path())?.permissions();
            shareable(permissions, DIR_MODE, |p| std::fs::set_permissions(staging.path(), p))?;
            staging
        } else {
            tempfile::Builder::new().prefix(".rebt-out-").tempdir_in(dir)?
        };
        for f in files {
            let mut file = std::fs::File::create(staging.path().join(&f.name))?;
            file.write_all(&f.bytes)?;
            file.sync_all()?;
        }
        self.dirs.push(StagedDir {
            staging,
            target: dir.to_path_buf(),
            names: files.iter().map(|f| f.name.clone()).collect(),
            whole,
        });
        Ok(())
    }

    /// Move every staged output into place.
    pub fn commit(self) -> std::io::Result<()> {
        for d in self.dirs {
            if d.whole {
                std::fs::rename(d.staging.keep(), &d.target)?;
            } else {
                for name in &d.names {
                    std::fs::rename(d.staging.path().join(name), d.target.join(name))?;
                }
                d.staging.close()?;
            }
        }
        for (tmp, path) in self.files {
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(())
    }
}

/// Modes of the outputs on Unix: readable by all, as a file written directly would be (a
/// temporary file starts private, 0600).
const FILE_MODE: u32 = 0o644;
/// Mode of an output directory staged whole.
const DIR_MODE: u32 = 0o755;

/// Give `permissions` the Unix `mode` through `set` (nothing elsewhere).
fn shareable(
    permissions: std::fs::Permissions,
    mode: u32,
    set: impl FnOnce(std::fs::Permissions) -> std::io::Result<()>,
) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut permissions = permissions;
        permissions.set_mode(mode);
        set(permissions)
    }
    #[cfg(not(unix))]
    {
        let _ = (permissions, mode, set);
        Ok(())
    }
}

/// The directory a path is in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Write `files` into `dir` at once (see [`Staging`]).
pub fn write_dir(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    let mut staging = Staging::default();
    staging.dir(dir, files)?;
    staging.commit()
}

/// Write `bytes` to `path` atomically: into a temporary file in the same directory, flushed,
/// then renamed over the target. Readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut staging = Staging::default();
    staging.file(path, bytes)?;
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("result.json");
        write_atomic(&path, b"first").expect("write");
        write_atomic(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(write_atomic(&dir.path().join("missing/x.json"), b"x").is_err());
    }

    #[test]
    fn write_dir_replaces_files_and_leaves_no_staging() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("run");
        write_dir(&out, &[OutputFile::new("a.csv", b"old".to_vec())]).expect("first");
        write_dir(
            &out,
            &[
                OutputFile::new("a.csv", b"new".to_vec()),
                OutputFile::new("b.csv", b"b".to_vec()),
            ],
        )
        .expect("second");
        assert_eq!(std::fs::read(out.join("a.csv")).expect("a"), b"new");
        let mut names: Vec<_> = std::fs::read_dir(&out)
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        names.sort();
        assert_eq!(names, ["a.csv", "b.csv"]);
    }

    #[test]
    fn a_failing_write_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        write_dir(dir.path(), &[OutputFile::new("a.csv", b"old".to_vec())]).expect("first");
        // a name with a directory part that does not exist fails while staging
        let bad = [
            OutputFile::new("a.csv", b"new".to_vec()),
            OutputFile::new("missing/b.csv", b"b".to_vec()),
        ];
        assert!(write_dir(dir.path(), &bad).is_err());
        assert_eq!(std::fs::read(dir.path().join("a.csv")).expect("a"), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn nothing_lands_unless_everything_was_staged() {
        let dir = tempfile::tempdir().expect("dir");
        let mut staging = Staging::default();
        staging
            .dir(&dir.path().join("run"), &[OutputFile::new("a.csv", b"a".to_vec())])
            .expect("staged");
        staging.file(&dir.path().join("r.json"), b"{}").expect("staged");
        assert!(staging.file(&dir.path().join("missing/t.html"), b"<html>").is_err());
        drop(staging);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            0,
            "nothing left behind"
        );

        let mut staging = Staging::default();
        staging
            .dir(&dir.path().join("run"), &[OutputFile::new("a.csv", b"a".to_vec())])
            .expect("staged");
        staging.file(&dir.path().join("r.json"), b"{}").expect("staged");
        assert!(!dir.path().join("run").exists(), "not before the commit");
        staging.commit().expect("commit");
        assert_eq!(std::fs::read(dir.path().join("run/a.csv")).expect("a"), b"a");
        assert_eq!(std::fs::read(dir.path().join("r.json")).expect("json"), b"{}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &str| {
                std::fs::metadata(dir.path().join(p))
                    .expect("exists")
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("r.json"), 0o644, "readable like any written file");
            assert_eq!(mode("run"), 0o755);
        }
    }
}
