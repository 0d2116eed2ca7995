//! Every file-system access of exam-core, in one place: the bank loader
//! reads files and lists directories, the write-back of calibrated
//! parameters replaces item files. The rest of the crate works on text and
//! readers.

use std::io;
use std::path::Path;

/// A file's bytes.
pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// A file's text (UTF-8).
pub(crate) fn read_to_string(path: &Path) -> io::Result<String> {
    std::fs::read_to_string(path)
}

/// The entries of a directory.
pub(crate) fn read_dir(dir: &Path) -> io::Result<std::fs::ReadDir> {
    std::fs::read_dir(dir)
}

/// Whether `path` can be looked at (it exists and is reachable).
pub(crate) fn check_exists(path: &Path) -> io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}

/// Replaces the file at `path` with `text`: written to a temporary file
/// beside it, then renamed over the old one, so a file is never left half
/// written (the temporary file is removed when either step fails).
pub(crate) fn replace(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.record-tmp"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}
