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

/// A file's permissions.
pub(crate) fn permissions(path: &Path) -> io::Result<std::fs::Permissions> {
    std::fs::metadata(path).map(|m| m.permissions())
}

/// `path` absolute, with every symbolic link resolved.
pub(crate) fn canonicalize(path: &Path) -> io::Result<std::path::PathBuf> {
    path.canonicalize()
}

/// Checks that `path` may be replaced (see [`RecordPlan::write`]) and
/// returns its current bytes and permissions.
pub(crate) fn check_target(
    bank: &Path,
    path: &Path,
) -> Result<(Vec<u8>, std::fs::Permissions), crate::bank::record::RecordError> {
    let refused = |reason| crate::bank::record::RecordError::Refused {
        path: path.to_path_buf(),
        reason,
    };
    let meta =
        std::fs::symlink_metadata(path).map_err(|e| crate::bank::record::file_error(path, &e))?;
    if meta.file_type().is_symlink() {
        return Err(refused(
            "a symbolic link (record-params writes only regular files in the bank)",
        ));
    }
    if !meta.is_file() {
        return Err(refused("not a regular file"));
    }
    if meta.permissions().readonly() {
        return Err(refused("read-only"));
    }
    let parent = path
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .ok_or_else(|| refused("its folder cannot be resolved"))?;
    if !parent.starts_with(bank) {
        return Err(refused("outside the bank directory"));
    }
    let old = std::fs::read(path).map_err(|e| crate::bank::record::file_error(path, &e))?;
    Ok((old, meta.permissions()))
}

/// `text` in a new, exclusively created temporary file beside `path`, with
/// `permissions`, flushed to disk.
pub(crate) fn stage(
    path: &Path,
    text: impl AsRef<[u8]>,
    permissions: std::fs::Permissions,
) -> Result<tempfile::NamedTempFile, crate::bank::record::RecordError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".record-tmp")
        .tempfile_in(dir)
        .map_err(|e| crate::bank::record::file_error(path, &e))?;
    file.write_all(text.as_ref())
        .and_then(|()| file.as_file().sync_all())
        .and_then(|()| file.as_file().set_permissions(permissions))
        .map_err(|e| crate::bank::record::file_error(path, &e))?;
    Ok(file)
}

/// Why a `*.json` entry of a bank folder cannot be read as a file, or
/// `None` when it is a regular file (or a link to one). Nothing named
/// `*.json` is skipped silently, and nothing but a regular file is opened
/// (reading a FIFO would block).
pub(crate) fn not_a_json_file(path: &Path) -> Option<String> {
    let link = std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => None,
        Ok(meta) if meta.is_dir() => Some("a directory named *.json, not an item file".to_owned()),
        Ok(_) => Some("not a regular file (a FIFO, socket or device): not read".to_owned()),
        Err(e) if link && e.kind() == std::io::ErrorKind::NotFound => {
            Some("a dangling symbolic link (its target does not exist)".to_owned())
        }
        Err(e) if link => Some(format!(
            "a symbolic link that cannot be followed (a loop?): {e}"
        )),
        Err(e) => Some(e.to_string()),
    }
}
