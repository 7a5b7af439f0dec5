//! Writing results: stdout, or a file written whole (temporary file, then rename) so a failed
//! run never leaves a truncated report behind.

use std::io::Write as _;
use std::path::Path;

/// Writes `text` to `path` atomically, or to stdout when `path` is `None`.
pub fn write(path: Option<&Path>, text: &str) -> Result<(), String> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn write_bytes(path: Option<&Path>, text: &[u8]) -> Result<(), String> {
    write_with(path, |out| out.write_all(text))
}

/// Writes what `render` writes to `path` atomically, or to stdout when `path` is `None`, as it
/// is written (buffered) rather than first gathered whole.
pub fn write_with(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match path {
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match render(&mut out).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write to stdout: {e}")),
            }
        }
        Some(p) => {
            let tmp = temporary(p);
            let written = std::fs::File::create(&tmp).and_then(|f| {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, f);
                render(&mut out)?;
                out.flush()
            });
            written
                .and_then(|()| std::fs::rename(&tmp, p))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    format!("cannot write `{}`: {e}", p.display())
                })
        }
    }
}

/// The temporary file a report to `p` is written to before it is renamed into place.
fn temporary(p: &Path) -> std::path::PathBuf {
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Prints to stderr, ignoring a closed stream.
pub fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}
