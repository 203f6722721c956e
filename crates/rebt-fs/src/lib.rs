//! Atomic file writes, the one place rebt writes a file: every output, dataset file, pack and
//! sweep store goes through [`Staging`]. Each file is first written in full to a temporary file
//! beside its target (or a set of files to a temporary directory) and synced; only when all
//! are staged does [`Staging::commit`] move them into place, by rename, so a reader sees the
//! old file or the whole new one, never a part. A commit that fails puts back what it had
//! already replaced, so an error leaves every target as it was (see
//! [`Staging::commit_or_undo`] for what a killed process leaves).
//! A crate of its own because both rebt-data (datasets, packs) and rebt-report (a run's
//! outputs) write files, and neither may depend on the other.

#![deny(missing_docs)]

use std::collections::BTreeMap;
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
/// [`Staging::commit`] move them into place, by rename, and remove the files
/// [`Staging::remove`] names. A failure while staging (a missing directory, a full disk)
/// leaves every target as it was; dropping an uncommitted staging removes the temporary files.
#[derive(Debug, Default)]
pub struct Staging {
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
    dirs: Vec<StagedDir>,
    removals: Vec<PathBuf>,
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
            .tempfile_in(parent_of(path))
            .map_err(without_temp_name)?;
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
                .tempdir_in(parent_of(dir))
                .map_err(without_temp_name)?;
            // it becomes the output directory itself
            let permissions = std::fs::metadata(staging.path())?.permissions();
            shareable(permissions, DIR_MODE, |p| std::fs::set_permissions(staging.path(), p))?;
            staging
        } else {
            tempfile::Builder::new()
                .prefix(".rebt-out-")
                .tempdir_in(dir)
                .map_err(without_temp_name)?
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

    /// Remove the file `path`, if there is one, as part of the commit (a file an earlier
    /// write made that this one does not replace); a directory of that name fails the commit.
    pub fn remove(&mut self, path: &Path) {
        self.removals.push(path.to_path_buf());
    }

    /// [`Staging::commit_or_undo`] with its error as an I/O error of the same kind whose
    /// message names the target that failed (`out/fills.csv: Is a directory (os error 21)`).
    pub fn commit(self) -> std::io::Result<()> {
        Ok(self.commit_or_undo()?)
    }

    /// Move every staged output into place and remove the files to remove, all or none: each
    /// target that exists is first hard-linked into a `.rebt-old-*` directory beside it, then
    /// the new file is renamed over it. If a rename fails (say a directory holds the target's name), the targets already
    /// replaced get their old files back (removed, if they did not exist) and the error names
    /// the target that failed; the staged files are then removed as on drop. The files to
    /// remove go last, moved into a `.rebt-old-*` directory and deleted with it at the end.
    ///
    /// What is guaranteed: each target is at every moment its old file or the whole new one
    /// (where the filesystem has no hard links, an old file is moved aside instead, and the
    /// target is missing between the two renames); a commit that returns an error leaves every
    /// target as it was, unless putting one back failed too, which the message then says,
    /// with the `.rebt-old-*` directory that keeps the old files. What is not: a process
    /// killed during the commit (SIGKILL, power loss) can leave some targets new and others
    /// old, since no rename spans several files; what it leaves besides is recognisable by
    /// name: staged files `.rebt-*.tmp`, staged directories `.rebt-out-*`, and old files
    /// `.rebt-old-*/` (inside the target directory or beside the target).
    pub fn commit_or_undo(self) -> Result<(), CommitError> {
        let mut moves: Vec<Move> = Vec::new();
        let mut keep: Vec<(tempfile::TempDir, bool)> = Vec::new();
        let mut temp_files: Vec<tempfile::NamedTempFile> = Vec::new();
        for d in self.dirs {
            if d.whole {
                moves.push(Move::new(d.staging.path().to_path_buf(), d.target.clone()));
            } else {
                for name in &d.names {
                    moves.push(Move::new(d.staging.path().join(name), d.target.join(name)));
                }
            }
            keep.push((d.staging, d.whole));
        }
        for (tmp, path) in self.files {
            moves.push(Move::new(tmp.path().to_path_buf(), path));
            temp_files.push(tmp);
        }
        for path in self.removals {
            moves.push(Move {
                staged: None,
                target: path,
                old: Old::Absent,
            });
        }
        let mut aside = Aside::default();
        let mut done = 0;
        let failed = loop {
            let Some(m) = moves.get_mut(done) else { break None };
            match m.replace(&mut aside) {
                Ok(()) => done += 1,
                Err(error) => break Some(error),
            }
        };
        let Some(mut error) = failed else {
            // a directory staged whole and the staged files are the targets now; a staging
            // directory inside its target is empty, and goes (as on drop, an error is ignored:
            // the outputs are in place)
            for (d, whole) in keep {
                match whole {
                    true => drop(d.keep()),
                    false => drop(d.close()),
                }
            }
            for tmp in temp_files {
                let _ = tmp.into_temp_path().keep();
            }
            aside.remove();
            return Ok(());
        };
        let mut kept_somewhere = false;
        for m in moves[..done].iter().rev() {
            if let Err(e) = m.undo() {
                kept_somewhere = true;
                let msg = format!("{}; putting {} back also failed: {e}", error.error, m.target.display());
                error.error = std::io::Error::new(error.error.kind(), msg);
            }
        }
        if kept_somewhere {
            let dirs = aside.keep();
            let msg = format!("{}; the old files are kept in {}", error.error, dirs.join(", "));
            error.error = std::io::Error::new(error.error.kind(), msg);
        } else {
            aside.remove();
        }
        // the new files moved back into staging go with it
        drop((keep, temp_files));
        Err(error)
    }
}

/// A target [`Staging::commit_or_undo`] could not put in place; every target is as it was before
/// the commit (unless the message says where an old file was kept).
#[derive(Debug)]
pub struct CommitError {
    /// The target that could not be replaced.
    pub path: PathBuf,
    /// Why.
    pub error: std::io::Error,
}

impl std::fmt::Display for CommitError {
    /// `out/fills.csv: Is a directory (os error 21)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

/// The cause is part of the message, so it is not also returned by `source()` (a reporter
/// printing the chain would repeat it).
impl std::error::Error for CommitError {}

impl From<CommitError> for std::io::Error {
    /// An I/O error of the same kind whose message names the target.
    fn from(e: CommitError) -> Self {
        std::io::Error::new(e.error.kind(), e.to_string())
    }
}

/// One staged path moved onto its target (or a target removed), and how to take it back.
struct Move {
    /// `None`: the target is removed.
    staged: Option<PathBuf>,
    target: PathBuf,
    old: Old,
}

/// What a target was before [`Move::replace`].
enum Old {
    /// Nothing: undoing removes the new one.
    Absent,
    /// A file, kept (linked or moved) at this path.
    Kept(PathBuf),
    /// A directory; a rename onto it succeeds only if it was empty, so undoing makes it again,
    /// with these permissions.
    EmptyDir(std::fs::Permissions),
}

impl Move {
    fn new(staged: PathBuf, target: PathBuf) -> Self {
        Move {
            staged: Some(staged),
            target,
            old: Old::Absent,
        }
    }

    /// Keep the target's old file, then rename the staged path onto it; on failure the
    /// target is as it was.
    fn replace(&mut self, aside: &mut Aside) -> Result<(), CommitError> {
        let fail = |error| CommitError {
            path: self.target.clone(),
            error,
        };
        let mut moved_aside = None;
        let Some(staged) = &self.staged else {
            // a removal: the old file is moved aside, to come back on undo
            self.old = match std::fs::symlink_metadata(&self.target) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Old::Absent,
                Err(e) => return Err(fail(e)),
                Ok(m) if m.is_dir() => {
                    return Err(fail(std::io::Error::other("is a directory; expected a file to remove")));
                }
                Ok(_) => {
                    let kept = aside.path_for(&self.target).map_err(fail)?;
                    std::fs::rename(&self.target, &kept).map_err(fail)?;
                    Old::Kept(kept)
                }
            };
            return Ok(());
        };
        self.old = match std::fs::symlink_metadata(&self.target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Old::Absent,
            Err(e) => return Err(fail(e)),
            Ok(m) if m.is_dir() => Old::EmptyDir(m.permissions()),
            Ok(_) => {
                let kept = aside.path_for(&self.target).map_err(fail)?;
                // a link keeps the target in place until the rename replaces it atomically
                if std::fs::hard_link(&self.target, &kept).is_err() {
                    std::fs::rename(&self.target, &kept).map_err(fail)?;
                    moved_aside = Some(kept.clone());
                }
                Old::Kept(kept)
            }
        };
        if let Err(e) = std::fs::rename(staged, &self.target) {
            let back = moved_aside.map(|kept| (std::fs::rename(&kept, &self.target), kept));
            if let Some((Err(back), kept)) = back {
                let msg = format!(
                    "{e}; putting the old file back also failed: {back}; it is kept at {}",
                    kept.display()
                );
                aside.keep();
                return Err(fail(std::io::Error::new(e.kind(), msg)));
            }
            return Err(fail(e));
        }
        Ok(())
    }

    /// Put the target back as it was before [`Move::replace`], and the new one back in staging.
    fn undo(&self) -> std::io::Result<()> {
        match (&self.old, &self.staged) {
            (Old::Absent, None) => Ok(()),
            (Old::Absent, Some(staged)) => std::fs::rename(&self.target, staged),
            (Old::Kept(kept), _) => std::fs::rename(kept, &self.target),
            (Old::EmptyDir(_), None) => Ok(()),
            (Old::EmptyDir(permissions), Some(staged)) => {
                std::fs::rename(&self.target, staged)?;
                std::fs::create_dir(&self.target)?;
                std::fs::set_permissions(&self.target, permissions.clone())
            }
        }
    }
}

/// The `.rebt-old-*` directories old files are kept in during a commit, one per directory of
/// targets (a rename or hard link stays within one filesystem).
#[derive(Default)]
struct Aside {
    dirs: BTreeMap<PathBuf, tempfile::TempDir>,
    count: usize,
}

impl Aside {
    /// A fresh path for the old file of `target`, beside it.
    fn path_for(&mut self, target: &Path) -> std::io::Result<PathBuf> {
        let parent = parent_of(target).to_path_buf();
        let dir = match self.dirs.entry(parent) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let dir = tempfile::Builder::new()
                    .prefix(".rebt-old-")
                    .tempdir_in(e.key())
                    .map_err(without_temp_name)?;
                e.insert(dir)
            }
        };
        self.count += 1;
        let name = target
            .file_name()
            .map_or_else(|| "old".into(), |n| n.to_string_lossy().into_owned());
        Ok(dir.path().join(format!("{}-{name}", self.count)))
    }

    /// Remove the old files (the commit is complete, or undone).
    fn remove(self) {
        drop(self.dirs);
    }

    /// Leave the old files on disk (an undo failed); their directories.
    fn keep(&mut self) -> Vec<String> {
        std::mem::take(&mut self.dirs)
            .into_values()
            .map(|d| d.keep().display().to_string())
            .collect()
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

/// tempfile's error without the random name of the file it could not make (`No such file or
/// directory (os error 2) at path "/d/.rebt-cElPty.tmp"`, tempfile's `PathError`): callers
/// name the target, and the name of a file that never existed only misleads. The kind and
/// the OS's words stay.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rfind(" at path \"") {
        Some(at) => std::io::Error::new(e.kind(), &text[..at]),
        None => e,
    }
}

/// The directory a path is in (`.` for a bare file name).
pub fn parent_of(path: &Path) -> &Path {
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
    // the caller names `path`, the one target: the bare error, not one naming it again
    staging.commit_or_undo().map_err(|e| e.error)
}

/// Remove from `dir` what a writer killed before it could clean up left there: its staged
/// files (`.rebt-*.tmp`) and the directories of old files a commit set aside (`.rebt-old-*`,
/// hard links that can hold a whole old file). Only for a directory no other writer is using.
/// An error listing `dir` is the bare I/O error (the caller names `dir`); one removing a
/// leftover names it.
pub fn remove_leftovers(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let removed = if name.starts_with(".rebt-") && name.ends_with(".tmp") && path.is_file() {
            std::fs::remove_file(&path)
        } else if name.starts_with(".rebt-old-") && path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            continue;
        };
        removed.map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot remove the leftover {}: {e}", path.display()))
        })?;
    }
    Ok(())
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

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_commit_that_fails_names_the_target_and_puts_back_every_other() {
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("run");
        let old = |name: &str| OutputFile::new(name, format!("old {name}").into_bytes());
        write_dir(&out, &[old("a.csv"), old("b.csv"), old("c.csv")]).expect("first");
        write_atomic(&dir.path().join("r.json"), b"old r").expect("first");
        // a directory of a target's name cannot be replaced by a file
        std::fs::create_dir(dir.path().join("t.html")).expect("mkdir");
        std::fs::write(dir.path().join("t.html/x"), b"user's").expect("write");
        let new = |name: &str| OutputFile::new(name, format!("new {name}").into_bytes());
        // the directory's files (one of them new), then the file, then the one that fails
        let mut staging = Staging::default();
        staging
            .dir(&out, &[new("a.csv"), new("b.csv"), new("c.csv"), new("d.csv")])
            .expect("staged");
        staging.file(&dir.path().join("r.json"), b"new r").expect("staged");
        staging.file(&dir.path().join("t.html"), b"new t").expect("staged");
        let e = staging.commit_or_undo().expect_err("t.html is a directory");
        assert_eq!(e.path, dir.path().join("t.html"));
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{}: ", dir.path().join("t.html").display())),
            "{text}"
        );
        assert_eq!(std::io::Error::from(e).to_string(), text, "an io::Error says the same");
        for name in ["a.csv", "b.csv", "c.csv"] {
            assert_eq!(
                std::fs::read_to_string(out.join(name)).expect("old"),
                format!("old {name}")
            );
        }
        assert_eq!(
            names(&out),
            ["a.csv", "b.csv", "c.csv"],
            "d.csv removed, no staging left"
        );
        assert_eq!(std::fs::read(dir.path().join("r.json")).expect("old"), b"old r");
        assert_eq!(std::fs::read(dir.path().join("t.html/x")).expect("kept"), b"user's");
        assert_eq!(names(dir.path()), ["r.json", "run", "t.html"], "no staging left");

        // a directory staged whole is taken away again
        let mut staging = Staging::default();
        staging.dir(&dir.path().join("new"), &[new("a.csv")]).expect("staged");
        staging.dir(&out, &[new("a.csv")]).expect("staged");
        let mut staging2 = Staging::default();
        staging2.dir(&dir.path().join("new2"), &[new("a.csv")]).expect("staged");
        staging2.file(&dir.path().join("t.html"), b"new t").expect("staged");
        let e = staging2.commit_or_undo().expect_err("t.html is a directory");
        assert_eq!(e.path, dir.path().join("t.html"));
        assert!(!dir.path().join("new2").exists(), "the whole directory is taken back");
        staging.commit().expect("the first staging still commits");
        assert_eq!(std::fs::read(out.join("a.csv")).expect("new"), b"new a.csv");
        assert_eq!(names(dir.path()), ["new", "r.json", "run", "t.html"], "no staging left");
    }

    /// An empty directory made at a whole-staged directory's name after staging is replaced by
    /// the commit; an undone commit makes it again, empty and with its permissions.
    #[cfg(unix)]
    #[test]
    fn an_undone_commit_puts_back_an_empty_directory_with_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("run");
        let mut staging = Staging::default();
        staging
            .dir(&out, &[OutputFile::new("a.csv", b"a".to_vec())])
            .expect("staged");
        std::fs::create_dir(dir.path().join("t.html")).expect("mkdir");
        std::fs::write(dir.path().join("t.html/x"), b"user's").expect("write");
        staging.file(&dir.path().join("t.html"), b"new t").expect("staged");
        std::fs::create_dir(&out).expect("mkdir");
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let e = staging.commit_or_undo().expect_err("t.html is a directory");
        assert_eq!(e.path, dir.path().join("t.html"));
        assert!(names(&out).is_empty(), "the directory is back, empty");
        let mode = std::fs::metadata(&out).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "with its own permissions");
        assert_eq!(names(dir.path()), ["run", "t.html"], "no staging left");
    }

    #[test]
    fn a_write_into_a_missing_directory_names_no_temporary_file() {
        let dir = tempfile::tempdir().expect("dir");
        let e = write_atomic(&dir.path().join("missing/j.xml"), b"x").expect_err("no directory");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(
            !e.to_string().contains(".rebt-") && !e.to_string().contains(" at path "),
            "{e}"
        );
    }

    #[test]
    fn leftovers_of_a_killed_writer_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let file = |name: &str| dir.path().join(name);
        std::fs::write(file(".rebt-a1b2.tmp"), b"staged").expect("write");
        std::fs::create_dir(file(".rebt-old-x")).expect("mkdir");
        std::fs::write(file(".rebt-old-x/1-a.csv"), b"old").expect("write");
        // not ours, or not a leftover: kept
        for name in ["a.csv", ".rebt-a.csv", "x.tmp", ".rebt-out-y"] {
            std::fs::write(file(name), b"keep").expect("write");
        }
        std::fs::create_dir(file(".rebt-dir.tmp")).expect("mkdir");
        remove_leftovers(dir.path()).expect("removed");
        assert_eq!(
            names(dir.path()),
            [".rebt-a.csv", ".rebt-dir.tmp", ".rebt-out-y", "a.csv", "x.tmp"]
        );
        let e = remove_leftovers(&file("missing")).expect_err("no directory");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}");
    }

    #[test]
    fn a_commit_removes_the_files_to_remove_or_puts_them_back() {
        let dir = tempfile::tempdir().expect("dir");
        let file = |name: &str| dir.path().join(name);
        std::fs::write(file("series.csv"), b"stale").expect("write");
        std::fs::write(file("actions.csv"), b"stale").expect("write");
        std::fs::create_dir(file("calendars.toml")).expect("mkdir");
        // a removal that cannot happen undoes the writes and the removals before it
        let mut staging = Staging::default();
        staging.file(&file("bars.csv"), b"new").expect("staged");
        staging.remove(&file("series.csv"));
        staging.remove(&file("absent.csv"));
        staging.remove(&file("calendars.toml"));
        let e = staging.commit().expect_err("a directory is not removed");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: is a directory; expected a file to remove",
                file("calendars.toml").display()
            )
        );
        assert_eq!(std::fs::read(file("series.csv")).expect("back"), b"stale");
        assert_eq!(names(dir.path()), ["actions.csv", "calendars.toml", "series.csv"]);
        // and one that can removes them with the write
        let mut staging = Staging::default();
        staging.file(&file("bars.csv"), b"new").expect("staged");
        staging.remove(&file("series.csv"));
        staging.remove(&file("absent.csv"));
        staging.commit().expect("commits");
        assert_eq!(names(dir.path()), ["actions.csv", "bars.csv", "calendars.toml"]);
    }
}
