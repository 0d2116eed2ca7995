//! Input and output helpers shared by the subcommands: the `--format` flag,
//! opening and creating files with their names, JSON on stdout, and
//! broken-pipe detection.

use anyhow::Context;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A human-readable table.
    #[default]
    Table,
    /// One JSON document on stdout.
    Json,
    /// CSV on stdout (where a command has a tabular result).
    Csv,
}

/// Writes `value` as one pretty JSON document, followed by a newline, to stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Whether an error chain bottoms out in a broken pipe (the reader of our
/// stdout went away): that is not a failure of the command.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|e| e.io_error_kind())
                .is_some_and(|k| k == io::ErrorKind::BrokenPipe)
    })
}

/// Refuses output paths that resolve to an input file (through `..`,
/// symbolic links or a hard link) or to each other: a command never
/// overwrites what it reads. Each path comes with its flag, for the message.
pub fn refuse_overwriting(
    outputs: &[(&str, &std::path::Path)],
    inputs: &[(&str, &std::path::Path)],
) -> anyhow::Result<()> {
    for (i, (flag, out)) in outputs.iter().enumerate() {
        let others = inputs.iter().chain(&outputs[..i]);
        for (other_flag, other) in others {
            if same_file(out, other) {
                anyhow::bail!(
                    "{flag} {} is the same file as {other_flag} {}: refusing to overwrite it",
                    out.display(),
                    other.display()
                );
            }
        }
    }
    Ok(())
}

/// Whether two paths name the same file: the same device and inode where
/// both exist (Unix), else the same resolved path.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (resolve(a), resolve(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// `path` made absolute with its folder's symbolic links resolved (the file
/// itself need not exist).
fn resolve(path: &std::path::Path) -> Option<std::path::PathBuf> {
    if let Ok(full) = path.canonicalize() {
        return Some(full);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(path.file_name()?))
}

/// Opens an input file, buffered, with its name for error messages.
pub fn open(path: &Path) -> anyhow::Result<(BufReader<File>, String)> {
    let name = path.display().to_string();
    let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
    Ok((BufReader::new(file), name))
}

/// An output file written whole or not at all: the bytes go to a temporary
/// file created exclusively beside the target (so a planted name or link is
/// never followed), [`Output::commit`] renames it over the target, and an
/// `Output` dropped without a commit (an error on the way) removes it and
/// leaves the target as it was.
pub struct Output {
    file: BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
    name: String,
}

impl Output {
    /// Flushes the bytes to disk and renames the temporary file over the
    /// target.
    pub fn commit(self) -> anyhow::Result<()> {
        let Self { file, path, name } = self;
        let file = file
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {name}"))?;
        file.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {name}"))?;
        file.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {name}"))?;
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Starts an output file (see [`Output`]), with its name for error messages.
/// The file gets the mode a newly created file would (0666 less the umask).
pub fn create(path: &Path) -> anyhow::Result<(Output, String)> {
    let name = path.display().to_string();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("{name}: not a file name"))?;
    let mut builder = tempfile::Builder::new();
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create {name}"))?;
    let out = Output {
        file: BufWriter::new(file),
        path: path.to_owned(),
        name: name.clone(),
    };
    Ok((out, name))
}

/// Writes `bytes` to `path` whole or not at all (see [`Output`]), refusing
/// a path that is one of `inputs`.
pub fn write_whole(path: &Path, inputs: &[&Path], bytes: &[u8]) -> anyhow::Result<()> {
    let inputs: Vec<(&str, &Path)> = inputs.iter().map(|p| ("input", *p)).collect();
    refuse_overwriting(&[("--out", path)], &inputs)?;
    let (mut out, _) = create(path)?;
    out.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.commit()
}

/// Standard output, locked and buffered.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}
