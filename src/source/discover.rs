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
    /// Files to lint, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Paths that could not be searched or held no workflows.
    pub errors: Vec<InputError>,
}

/// Whether a path lies inside a `.github/workflows`, `.forgejo/workflows` or `.gitea/workflows`
/// folder and names a `.yml`/`.yaml` file.
pub fn is_workflow_path(path: &Path) -> bool {
    let is_yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
    if !is_yaml {
        return false;
    }
    let names: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let dirs = &names[..names.len().saturating_sub(1)];
    dirs.windows(2)
        .any(|w| FORGE_DIRS.contains(&w[0]) && w[1] == "workflows")
}

/// Expands `paths`: directories are searched for workflow files, files are taken as given.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut out = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(err) => out.errors.push(InputError::io(path, &err)),
            Ok(meta) if meta.is_dir() => walk(path, &mut out),
            Ok(_) => out.files.push(path.clone()),
        }
    }
    out.files.sort();
    out.files.dedup();
    out
}

fn walk(root: &Path, out: &mut Discovery) {
    let before = out.files.len();
    let errors_before = out.errors.len();
    // Resolve the root so `cachelint check .` inside `.github/workflows` still finds files.
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIP_DIRS.contains(&n)))
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else if let Some(io) = err.io_error() {
                    InputError::io(&path, io).message
                } else {
                    err.to_string()
                };
                out.errors.push(InputError::new(&path, &message));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if is_workflow_path(&abs_root.join(rel)) {
            out.files.push(entry.path().to_path_buf());
        }
    }
    if out.files.len() == before && out.errors.len() == errors_before {
        out.errors.push(InputError::new(
            root,
            "no workflow files found (looked for .github/workflows, .forgejo/workflows and .gitea/workflows)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_paths() {
        assert!(is_workflow_path(Path::new(".github/workflows/ci.yml")));
        assert!(is_workflow_path(Path::new("a/b/.forgejo/workflows/x.YAML")));
        assert!(is_workflow_path(Path::new(".gitea/workflows/sub/x.yaml")));
        assert!(!is_workflow_path(Path::new(".github/actions/x/action.yml")));
        assert!(!is_workflow_path(Path::new(".github/workflows/readme.md")));
        assert!(!is_workflow_path(Path::new("workflows/ci.yml")));
        assert!(!is_workflow_path(Path::new(".github/workflows.yml")));
    }
}
