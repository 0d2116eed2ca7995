//! Input and output helpers shared by the subcommands: the `--format` flag,
//! opening and creating files with their names, JSON on stdout, and
//! broken-pipe detection.

use anyhow::Context;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;

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

/// Creates an output file, buffered, with its name for error messages.
pub fn create(path: &Path) -> anyhow::Result<(BufWriter<File>, String)> {
    let name = path.display().to_string();
    let file = File::create(path).with_context(|| format!("cannot create {name}"))?;
    Ok((BufWriter::new(file), name))
}

/// Standard output, locked and buffered.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// An output file written whole or not at all: the bytes go to a temporary
/// file in the target's directory, renamed over the target by
/// [`Staged::commit`]; dropped without a commit, the temporary file is
/// removed and the target left as it was.
pub struct Staged {
    tmp: BufWriter<tempfile::NamedTempFile>,
    path: std::path::PathBuf,
    name: String,
}

impl Staged {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let name = path.display().to_string();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        // A temporary file is private (0600) by default; the output is an
        // ordinary file, readable as `File::create` would make it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file beside {name}"))?;
        Ok(Self {
            tmp: BufWriter::new(tmp),
            path: path.to_path_buf(),
            name,
        })
    }

    /// The target's name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Flushes the bytes to disk and renames the file over the target.
    pub fn commit(self) -> anyhow::Result<()> {
        let name = self.name;
        let tmp = self
            .tmp
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {name}"))?;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {name}"))?;
        tmp.persist(&self.path)
            .with_context(|| format!("cannot replace {name}"))?;
        Ok(())
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}
