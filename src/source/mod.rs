//! Inputs: finding workflow files, reading their bytes, and mapping byte offsets to lines.
//!
//! Everything downstream works on byte ranges into [`SourceFile::text`], the file's original
//! text; line and column are computed only when a diagnostic is rendered, by [`LineIndex`].

mod db;
mod discover;
mod line_index;
mod span_map;

pub use db::{Backing, FileId, Location, SourceDb};
pub use discover::{
    Discovery, InputError, WalkOptions, discover, discover_with, is_action_path, is_workflow_path,
};
pub use line_index::{LineCol, LineIndex, clamp_to_char_boundary};
pub use span_map::SpanMap;

use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// Files larger than this are not parsed: they get one `limit-exceeded` diagnostic.
/// Real workflows are a few kilobytes; the largest in the corpus is under 200 KB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A byte range into a [`SourceFile`]'s text.
pub type Span = Range<usize>;

/// One input, read into memory.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in reports.
    pub name: String,
    /// Where the file was read from (`None` for standard input and text built in memory).
    pub path: Option<std::path::PathBuf>,
    /// The text of the file. When the bytes are not valid UTF-8 this holds the valid prefix only
    /// and [`SourceFile::invalid_utf8`] says where the first bad byte is.
    pub text: String,
    /// Byte offset of the first byte that is not UTF-8, if any.
    pub invalid_utf8: Option<usize>,
    /// The file's size in bytes when it was too large to read.
    pub too_large: Option<u64>,
    /// Line starts, for rendering positions: built on first use (a clean file never needs it).
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    /// Builds a source from bytes (the valid UTF-8 prefix is kept when the bytes are not UTF-8).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        let (text, invalid_utf8) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let mut bytes = err.into_bytes();
                bytes.truncate(valid);
                // The prefix is valid by construction; fall back to lossy decoding anyway.
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                (text, Some(valid))
            }
        };
        SourceFile {
            name: name.into(),
            path: None,
            text,
            invalid_utf8,
            too_large: None,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// The line index of the text (built on the first call).
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Builds a source from text.
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::from_bytes(name, text.into().into_bytes())
    }

    /// A placeholder for a file that was too large to read.
    pub fn too_large(name: impl Into<String>, size: u64) -> Self {
        let mut file = Self::from_text(name, String::new());
        file.too_large = Some(size);
        file
    }

    /// Reads a file from disk. Refuses anything that is not a regular file (a FIFO would block)
    /// and does not read files larger than [`MAX_FILE_BYTES`].
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let name = display_path(path);
        let meta = std::fs::metadata(path).map_err(|e| InputError::io(path, &e))?;
        if !meta.is_file() {
            return Err(InputError::new(path, "not a regular file"));
        }
        if meta.len() > MAX_FILE_BYTES {
            let mut file = Self::too_large(name, meta.len());
            file.path = Some(path.to_path_buf());
            return Ok(file);
        }
        let file = std::fs::File::open(path).map_err(|e| InputError::io(path, &e))?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // `take` guards against a file that grows while it is read.
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::io(path, &e))?;
        let mut file = if bytes.len() as u64 > MAX_FILE_BYTES {
            Self::too_large(name, bytes.len() as u64)
        } else {
            Self::from_bytes(name, bytes)
        };
        file.path = Some(path.to_path_buf());
        Ok(file)
    }

    /// The repository root of a workflow file: the folder that holds its `.github/workflows`
    /// (or `.forgejo/`, `.gitea/`) folder. `None` for standard input or a file elsewhere.
    pub fn repo_root(&self) -> Option<std::path::PathBuf> {
        let path = self.path.as_ref()?;
        let mut dir = path.parent()?;
        loop {
            let name = dir.file_name()?.to_str()?;
            let parent = dir.parent()?;
            if name == "workflows"
                && parent
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| matches!(n, ".github" | ".forgejo" | ".gitea"))
            {
                let root = parent.parent()?;
                return Some(if root.as_os_str().is_empty() {
                    std::path::PathBuf::from(".")
                } else {
                    root.to_path_buf()
                });
            }
            dir = parent;
        }
    }

    /// Reads a stream named on the command line (`/dev/stdin`, a FIFO such as `<(...)`, a
    /// character device) to its end, at most [`MAX_FILE_BYTES`] of it. Never used for files
    /// found by a directory walk: a FIFO there would block the run.
    pub fn read_stream(path: &Path) -> Result<Self, InputError> {
        let stream = std::fs::File::open(path).map_err(|e| InputError::io(path, &e))?;
        let mut file = Self::read_limited(&display_path(path), stream, path)?;
        file.path = Some(path.to_path_buf());
        Ok(file)
    }

    /// Reads `reader` to its end, stopping one byte past [`MAX_FILE_BYTES`].
    fn read_limited(name: &str, reader: impl Read, path: &Path) -> Result<Self, InputError> {
        let mut bytes = Vec::new();
        reader
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::io(path, &e))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Ok(Self::too_large(name, bytes.len() as u64));
        }
        Ok(Self::from_bytes(name, bytes))
    }

    /// Reads standard input (at most [`MAX_FILE_BYTES`]).
    pub fn read_stdin(name: &str) -> Result<Self, InputError> {
        Self::read_limited(name, std::io::stdin().lock(), Path::new("-"))
    }

    /// The text of a span, or `""` when the span is out of range.
    pub fn slice(&self, span: &Span) -> &str {
        self.text.get(span.clone()).unwrap_or("")
    }

    /// The line ending the file mostly uses, for edits that insert lines.
    pub fn line_ending(&self) -> &'static str {
        match memchr::memchr(b'\n', self.text.as_bytes()) {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }
}

/// A path as shown in reports: as given, with `./` dropped.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_keeps_valid_prefix() {
        let f = SourceFile::from_bytes("x.yml", b"on: push\n\xff\xfe".to_vec());
        assert_eq!(f.invalid_utf8, Some(9));
        assert_eq!(f.text, "on: push\n");
    }

    #[test]
    fn line_ending_detects_crlf() {
        assert_eq!(
            SourceFile::from_text("a", "a: 1\r\nb: 2\r\n").line_ending(),
            "\r\n"
        );
        assert_eq!(
            SourceFile::from_text("a", "a: 1\nb: 2\n").line_ending(),
            "\n"
        );
        assert_eq!(SourceFile::from_text("a", "\na").line_ending(), "\n");
    }
}
