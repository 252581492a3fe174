//! `--out FILE`: a temporary file beside FILE, renamed over it when complete — and what FILE may be. Used by
//! `assess --out` and by `interview` to save the case file.
//!
//! FILE must be absent or a regular file. Refused, with a message naming the path:
//! - a device, FIFO, socket or folder: renaming over `/dev/null` would destroy it, and a FIFO is not a result file;
//! - a symbolic link: renaming would replace the link by a file and leave its target stale, and following it would
//!   write wherever the link points; the user gives the real path instead;
//! - a file with more than one hard link: a rename splits the links (the others keep the old content), and writing
//!   through in place would lose the atomic replacement; the user breaks the link first or names another file;
//! - one of the inputs (same device and inode, whatever the path's spelling): the input would be gone if the run
//!   failed half way, and is read while it is replaced.
//!
//! The new file keeps the mode (permissions) of the file it replaces; a new one gets 0666 less the umask, like any
//! file a command creates. While the temporary file exists, SIGINT, SIGTERM and SIGHUP remove it before the
//! process ends (with 128 + the signal's number, as a shell reports a death by signal).

use std::fs::{File, Metadata, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// A file's identity: device and inode (on other systems, its canonical path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId(Id);

#[cfg(unix)]
type Id = (u64, u64);
#[cfg(not(unix))]
type Id = PathBuf;

impl FileId {
    #[cfg(unix)]
    fn of(m: &Metadata, _path: &Path) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId((m.dev(), m.ino())))
    }

    #[cfg(not(unix))]
    fn of(_m: &Metadata, path: &Path) -> Option<FileId> {
        std::fs::canonicalize(path).ok().map(FileId)
    }
}

/// The identities of the files an input argument stands for: the file, a folder's files, or standard input.
pub fn input_ids(paths: &[PathBuf]) -> Vec<FileId> {
    let mut ids = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            // Standard input may be redirected from the very file named by --out.
            ids.extend(stdin_id());
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                    let path = e.path();
                    if let Some(id) = std::fs::metadata(&path)
                        .ok()
                        .and_then(|m| FileId::of(&m, &path))
                    {
                        ids.push(id);
                    }
                }
            }
            Ok(m) => ids.extend(FileId::of(&m, p)),
            Err(_) => {}
        }
    }
    ids
}

/// The identities of the files under a policy folder (`--rules DIR`), its sub-folders included: the policy is an
/// input too, and `--out` must not replace its manifest or a rule file. Links to folders are not followed; at
/// most as many entries as a policy folder may hold are looked at.
pub fn folder_ids(dir: &Path) -> Vec<FileId> {
    let mut ids = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(folder) = pending.pop() {
        for e in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            seen += 1;
            if seen > assessor::policy::limits::MAX_FOLDER_ENTRIES {
                return ids;
            }
            let path = e.path();
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => pending.push(path),
                Ok(_) => ids.extend(
                    std::fs::metadata(&path)
                        .ok()
                        .and_then(|m| FileId::of(&m, &path)),
                ),
                Err(_) => {}
            }
        }
    }
    ids
}

#[cfg(unix)]
fn stdin_id() -> Option<FileId> {
    let fd = std::os::fd::AsFd::as_fd(&std::io::stdin())
        .try_clone_to_owned()
        .ok()?;
    let meta = File::from(fd).metadata().ok()?;
    FileId::of(&meta, Path::new("-"))
}

#[cfg(not(unix))]
fn stdin_id() -> Option<FileId> {
    None
}

/// Why FILE cannot be the target of `--out`, if it cannot; and the mode to keep, if it exists.
fn check_target(target: &Path, inputs: &[FileId]) -> Result<Option<Permissions>, String> {
    let shown = target.display();
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("--out {shown}: cannot inspect the target: {e}")),
        Ok(m) => m,
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(format!(
            "--out {shown}: is a symbolic link; --out replaces a regular file and does not follow links (name the file \
             it points to instead)"
        ));
    }
    if kind.is_dir() {
        return Err(format!("--out {shown}: is a folder, not a file"));
    }
    if !kind.is_file() {
        return Err(format!(
            "--out {shown}: is not a regular file (a device, FIFO or socket); --out only creates or replaces regular \
             files"
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(format!(
                "--out {shown}: has {} hard links; replacing it would split them (the other names would keep the old \
                 content): name a file with a single link",
                meta.nlink()
            ));
        }
    }
    if let Some(id) = FileId::of(&meta, target) {
        if inputs.contains(&id) {
            return Err(format!(
                "--out {shown}: is one of the inputs; write the result to another file"
            ));
        }
    }
    Ok(Some(meta.permissions()))
}

/// Temporary files to remove if a signal ends the process.
fn pending() -> &'static Mutex<Vec<PathBuf>> {
    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    &PENDING
}

/// Installs, once, the thread that removes the pending temporary files on SIGINT, SIGTERM or SIGHUP and then ends
/// the process. Without it the signals' default action would leave them behind.
fn install_cleanup() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
                .map_err(|e| format!("cannot watch for signals: {e}"))?;
            std::thread::Builder::new()
                .name("out-cleanup".into())
                .spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        let files = pending().lock().map(|g| g.clone()).unwrap_or_default();
                        for f in files {
                            let _ = std::fs::remove_file(f);
                        }
                        std::process::exit(128 + sig);
                    }
                })
                .map(|_| ())
                .map_err(|e| format!("cannot watch for signals: {e}"))
        })
        .clone()
}

fn forget(path: &Path) {
    if let Ok(mut g) = pending().lock() {
        g.retain(|p| p != path);
    }
}

/// A result being written: a temporary file beside the target, renamed over it by [`AtomicFile::commit`].
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Checks the target (see the module's doc) and creates the temporary file beside it.
    pub fn create(target: &Path, inputs: &[FileId]) -> Result<AtomicFile, String> {
        let mode = check_target(target, inputs)?;
        install_cleanup()?;
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut builder = tempfile::Builder::new();
        builder.prefix(".assessor-").suffix(".tmp");
        #[cfg(unix)]
        let default_mode = {
            use std::os::unix::fs::PermissionsExt;
            Permissions::from_mode(0o666)
        };
        #[cfg(unix)]
        builder.permissions(default_mode);
        // Registered before the file exists, so that no signal can come between its creation and its registration.
        let tmp = {
            let mut guard = pending()
                .lock()
                .map_err(|_| "internal error: lock".to_string())?;
            let tmp = builder
                .tempfile_in(dir)
                .map_err(|e| format!("--out {}: cannot write here: {e}", target.display()))?;
            guard.push(tmp.path().to_path_buf());
            tmp
        };
        if let Some(mode) = mode {
            if let Err(e) = tmp.as_file().set_permissions(mode) {
                forget(tmp.path());
                return Err(format!(
                    "--out {}: cannot keep the file's permissions: {e}",
                    target.display()
                ));
            }
        }
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
        })
    }
}

/// Writes go to the temporary file.
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.as_file_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.as_file_mut().flush()
    }
}

impl AtomicFile {
    /// Syncs the temporary file and renames it over the target. (Dropped instead, the temporary file is removed by
    /// `NamedTempFile`; its path left in the signal list is then harmless.)
    pub fn commit(self) -> Result<(), String> {
        let AtomicFile { tmp, target } = self;
        let path = tmp.path().to_path_buf();
        let result = tmp
            .as_file()
            .flush()
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| format!("{}: {e}", target.display()))
            .and_then(|()| {
                tmp.persist(&target)
                    .map(|_| ())
                    .map_err(|e| format!("{}: {}", target.display(), e.error))
            });
        forget(&path);
        result
    }
}
