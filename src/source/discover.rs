//! Which files to lint: workflow folders found by walking directories, and files named directly.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Folders that are never searched.
const SKIP_DIRS: &[&str] = &[".git", "target", "node_modules", ".nox", ".tox", ".venv"];
/// `<forge>/workflows` folders whose YAML files are workflows.
const FORGE_DIRS: &[&str] = &[".github", ".forgejo", ".gitea"];

/// An input that could not be read or searched. Reported on stderr; the exit code becomes 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The path as given or found.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

impl InputError {
    /// An error about `path`.
    pub fn new(path: &Path, message: &str) -> Self {
        InputError {
            path: super::display_path(path),
            message: message.to_string(),
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        Self::new(path, &message)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The result of expanding the command-line paths.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Regular files to lint, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Streams named on the command line (`/dev/stdin`, `<(...)`, a FIFO), in the order given:
    /// read to their end, within [`super::MAX_FILE_BYTES`].
    pub streams: Vec<PathBuf>,
    /// Paths that could not be searched or held no workflows.
    pub errors: Vec<InputError>,
    /// Problems that do not stop the run (an ignore file with a bad pattern).
    pub warnings: Vec<InputError>,
}

/// How directories are searched.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Do not read `.gitignore`, `.ignore`, `.git/info/exclude` or git's global excludes file.
    pub no_ignore: bool,
    /// Gitignore-style globs of paths that a directory walk leaves out (`vendor/`,
    /// `*.generated.yml`, `pkg/legacy/**`), matched relative to each directory searched.
    pub exclude: Vec<String>,
    /// Search the folders left out by default too (`.git`, `target`, `node_modules`, `.nox`,
    /// `.tox`, `.venv`): a configuration's `exclude` replaces that list.
    pub no_default_excludes: bool,
}

impl WalkOptions {
    /// The exclusion matcher for a walk rooted at `root`.
    fn overrides(&self, root: &Path) -> Result<ignore::overrides::Override, String> {
        let mut b = ignore::overrides::OverrideBuilder::new(root);
        for glob in &self.exclude {
            // An override glob selects; `!glob` leaves out. Only leaving out is offered.
            b.add(&format!("!{glob}"))
                .map_err(|e| format!("invalid --exclude glob `{glob}`: {}", glob_error(&e)))?;
        }
        b.build()
            .map_err(|e| format!("invalid --exclude glob: {}", glob_error(&e)))
    }

    /// Checks the `--exclude` globs (a bad one is a usage error, found before anything is read).
    pub fn validate(&self) -> Result<(), String> {
        self.overrides(Path::new(".")).map(|_| ())
    }
}

fn glob_error(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Glob { err, .. } => err.clone(),
        other => other.to_string(),
    }
}

fn has_yaml_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Whether a path names a `.yml`/`.yaml` file directly inside a `.github/workflows`,
/// `.forgejo/workflows` or `.gitea/workflows` folder: the files the forges run as workflows
/// (`.github/workflows/sub/x.yml` is not one; GitHub does not look in subfolders).
pub fn is_workflow_path(path: &Path) -> bool {
    if !has_yaml_extension(path) {
        return false;
    }
    let dirs: Vec<&str> = path
        .components()
        .rev()
        .skip(1)
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    // GitHub runs only the files directly in `.github/workflows`; Forgejo and Gitea also run
    // the files of its subfolders (../shared/notes/semantics.md, from the Forgejo runner).
    dirs.windows(2).enumerate().any(|(depth, w)| {
        w[0] == "workflows" && FORGE_DIRS.contains(&w[1]) && (depth == 0 || w[1] != ".github")
    })
}

/// Whether a path names an action's metadata file (`action.yml` or `action.yaml`) that is not
/// a workflow (a file directly inside a workflows folder is a workflow whatever its name).
pub fn is_action_path(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "action.yml" || n == "action.yaml")
        && !is_workflow_path(path)
}

/// Expands `paths` with the default [`WalkOptions`] (ignore files honoured, nothing excluded).
pub fn discover(paths: &[PathBuf]) -> Discovery {
    discover_with(paths, &WalkOptions::default())
}

/// Expands `paths`: directories are searched for workflow files and local actions' metadata
/// files; files (and streams) named directly are taken as given, ignored or not.
pub fn discover_with(paths: &[PathBuf], opts: &WalkOptions) -> Discovery {
    let mut out = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(err) => out.errors.push(InputError::io(path, &err)),
            Ok(meta) if meta.is_dir() => walk(path, opts, &mut out),
            Ok(meta) if meta.is_file() => out.files.push(path.clone()),
            Ok(meta) if is_stream(&meta) => {
                if !out.streams.contains(path) {
                    out.streams.push(path.clone());
                }
            }
            Ok(_) => out.errors.push(InputError::new(
                path,
                "not a regular file, a directory, a FIFO or a character device",
            )),
        }
    }
    // One file named twice (`x.yml ./x.yml`, or a folder and a file inside it) is linted once.
    // Walks give paths without `.` components; only paths named with them need a new spelling.
    for p in out.files.iter_mut() {
        if has_cur_dir(p) {
            *p = lexical(p);
        }
    }
    out.files.sort_unstable();
    out.files.dedup();
    out
}

/// Whether `path` has a `.` component (`./a`, `a/./b`, `a/.`, `.`), by its bytes.
fn has_cur_dir(path: &Path) -> bool {
    let b = path.as_os_str().as_encoded_bytes();
    b == b"."
        || b.starts_with(b"./")
        || b.ends_with(b"/.")
        || b.windows(3).any(|w| w == b"/./")
        || (cfg!(windows) && b.windows(2).any(|w| w == b".\\"))
}

/// `path` without its `.` components (`./a/./b` is `a/b`): the same spelling for the same file
/// without asking the file system (symlinks and `..` are left as written).
fn lexical(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// A FIFO (`<(...)`, `mkfifo`, a pipe behind `/dev/stdin`) or a character device (`/dev/stdin`
/// on a terminal, `/dev/null`): something to read to its end rather than to stat and map.
#[cfg(unix)]
fn is_stream(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_fifo() || t.is_char_device()
}

#[cfg(not(unix))]
fn is_stream(_meta: &std::fs::Metadata) -> bool {
    false
}

/// The innermost error of a walk error, with the path it names (if any).
fn innermost(err: &ignore::Error) -> (Option<&Path>, &ignore::Error) {
    let mut path = None;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath { path: p, err: e } => {
                path = Some(p.as_path());
                err = e;
            }
            ignore::Error::WithDepth { err: e, .. }
            | ignore::Error::WithLineNumber { err: e, .. } => err = e,
            _ => return (path, err),
        }
    }
}

/// What one entry of a walk gives.
enum Found {
    File(PathBuf),
    Error(InputError),
    Warning(InputError),
}

/// Classifies one entry of a walk rooted at `root` (`abs_root` is its absolute form).
fn visit(
    entry: Result<ignore::DirEntry, ignore::Error>,
    root: &Path,
    abs_root: &Path,
    found: &mut impl FnMut(Found),
) {
    let entry = match entry {
        Ok(entry) => entry,
        Err(err) => {
            let (path, inner) = innermost(&err);
            let path = path.unwrap_or(root);
            found(match inner {
                ignore::Error::Loop { child, .. } => {
                    Found::Error(InputError::new(child, "symbolic link loop"))
                }
                ignore::Error::Io(io) => Found::Error(InputError::io(path, io)),
                // A bad line in an ignore file: the rest of the file still applies.
                ignore::Error::Partial(_) | ignore::Error::Glob { .. } => Found::Warning(
                    InputError::new(path, &format!("{inner} (the other lines still apply)")),
                ),
                other => Found::Error(InputError::new(path, &other.to_string())),
            });
            return;
        }
    };
    // A directory's own ignore files that did not fully parse: the rest of them applies.
    if let Some(err) = entry.error() {
        let (path, inner) = innermost(err);
        found(Found::Warning(InputError::new(
            path.unwrap_or(entry.path()),
            &format!("{inner} (the other lines still apply)"),
        )));
    }
    // Only regular files: a FIFO met in a walk would block the run.
    if !entry.file_type().is_some_and(|t| t.is_file()) {
        return;
    }
    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
    let abs = abs_root.join(rel);
    if is_workflow_path(&abs) || is_action_path(&abs) {
        found(Found::File(entry.into_path()));
    }
}

fn walk(root: &Path, opts: &WalkOptions, out: &mut Discovery) {
    // Resolve the root so `cachelint check .` inside `.github/workflows` still finds files.
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut builder = ignore::WalkBuilder::new(root);
    let default_excludes = !opts.no_default_excludes;
    builder
        .standard_filters(!opts.no_ignore)
        // `.github` is hidden: hidden files are searched.
        .hidden(false)
        .follow_links(true)
        .filter_entry(move |e| {
            e.depth() == 0
                || !default_excludes
                || !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n)))
        });
    if !opts.exclude.is_empty() {
        match opts.overrides(root) {
            Ok(o) => {
                builder.overrides(o);
            }
            Err(message) => {
                out.errors.push(InputError::new(root, &message));
                return;
            }
        }
    }
    // The parallel walker: it learns which ignore files a folder has from the listing it reads
    // anyway (the sequential one stats each name in each folder), and uses every core. The
    // order it finds things in varies: everything is sorted below.
    let (tx, rx) = std::sync::mpsc::channel();
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let abs_root = &abs_root;
        Box::new(move |entry| {
            visit(entry, root, abs_root, &mut |f| {
                let _ = tx.send(f);
            });
            ignore::WalkState::Continue
        })
    });
    drop(tx);
    let (mut files, mut errors, mut warnings) = (vec![], vec![], vec![]);
    for f in rx {
        match f {
            Found::File(p) => files.push(p),
            Found::Error(e) => errors.push(e),
            Found::Warning(w) => warnings.push(w),
        }
    }
    errors.sort_by(|a: &InputError, b| a.path.cmp(&b.path));
    warnings.sort_by(|a: &InputError, b| a.path.cmp(&b.path));
    if files.is_empty() && errors.is_empty() {
        errors.push(InputError::new(
            root,
            "no workflow files found (looked for the files directly inside .github/workflows, \
             .forgejo/workflows and .gitea/workflows, and for action.yml files)",
        ));
    }
    out.files.extend(files);
    out.errors.extend(errors);
    out.warnings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_paths() {
        assert!(is_workflow_path(Path::new(".github/workflows/ci.yml")));
        assert!(is_workflow_path(Path::new("a/b/.forgejo/workflows/x.YAML")));
        assert!(!is_workflow_path(Path::new(".github/workflows/sub/x.yaml")));
        assert!(is_workflow_path(Path::new(".gitea/workflows/sub/x.yaml")));
        assert!(is_workflow_path(Path::new(
            "r/.forgejo/workflows/a/b/x.yml"
        )));
        assert!(!is_workflow_path(Path::new(".github/sub/workflows/x.yaml")));
        assert!(!is_workflow_path(Path::new("workflows/x.yaml")));
        assert!(!is_workflow_path(Path::new(".github/actions/x/action.yml")));
        assert!(!is_workflow_path(Path::new(".github/workflows/readme.md")));
        assert!(!is_workflow_path(Path::new("workflows/ci.yml")));
        assert!(!is_workflow_path(Path::new(".github/workflows.yml")));
    }

    #[test]
    fn action_paths() {
        assert!(is_action_path(Path::new(".github/actions/x/action.yml")));
        assert!(is_action_path(Path::new("action.yaml")));
        assert!(is_action_path(Path::new(
            ".github/workflows/composite/x/action.yml"
        )));
        // Directly inside a workflows folder it is a workflow (nox's own repository has one).
        assert!(!is_action_path(Path::new(".github/workflows/action.yml")));
        assert!(!is_action_path(Path::new("x/Action.yml")));
        assert!(!is_action_path(Path::new("x/action.yml.bak")));
    }
}
