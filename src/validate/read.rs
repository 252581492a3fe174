//! Reading a case file's bytes safely: a regular file (or a pipe the user named) under a size limit, never a
//! device or FIFO met elsewhere. Called by the CLI's input reading and by expectations reading their case files.

use std::io::Read;
use std::path::Path;

/// Largest case file read, in bytes, unless the caller says otherwise (`--max-size`).
pub const DEFAULT_MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The path does not exist.
    #[error("no such file")]
    NotFound,
    /// A folder where a file was expected.
    #[error("is a folder, not a case file")]
    Folder,
    /// A device, FIFO or socket where a regular file was expected.
    #[error("is not a regular file (a {0}); only regular files are read")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("the file is {size} bytes, larger than the limit of {max}")]
    TooBig {
        /// The file's size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Grew past the limit while being read (a pipe has no size to check first).
    #[error("the input is larger than {max} bytes")]
    Overflow {
        /// The limit.
        max: u64,
    },
    /// Any other I/O error.
    #[error("cannot read: {0}")]
    Io(String),
}

/// What kind of file the metadata describes, in words (for [`ReadError::NotRegular`]).
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    let _ = m;
    "special file"
}

/// Whether the metadata is a pipe (as `<(command)` gives).
fn is_pipe(m: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        false
    }
}

/// Reads a file of at most `max` bytes, never holding more than `max + 1`. Only a regular file is read, or, when
/// `pipes` is set (a path the user named, which may be `<(command)`), a pipe; a device, socket or FIFO met in a
/// folder or named by another file is refused without being opened, so it can neither hang nor flood the reader.
pub fn read_case_file(path: &Path, max: u64, pipes: bool) -> Result<Vec<u8>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(e) => return Err(ReadError::Io(e.to_string())),
        Ok(m) => m,
    };
    if meta.is_dir() {
        return Err(ReadError::Folder);
    }
    let readable = meta.is_file() || (pipes && is_pipe(&meta));
    if !readable {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > max {
        return Err(ReadError::TooBig {
            size: meta.len(),
            max,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let mut buf = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if buf.len() as u64 > max {
        return Err(ReadError::Overflow { max });
    }
    Ok(buf)
}
