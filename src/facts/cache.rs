//! Cache steps: what they restore or save, which paths they cover, what their key hashes.

use crate::expr;

use crate::workflow::{Env, Str};

use crate::knowledge::glob;
use crate::source::{FileId, Location};

use super::invocation::cache_path;

/// A three-valued answer: rules say nothing on `Unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Known to hold.
    Yes,
    /// Known not to hold.
    No,
    /// Depends on something the linter cannot see.
    Unknown,
}

/// One line of a cache step's `path:` input.
#[derive(Clone, Debug)]
pub struct PathLine {
    /// The normalised path (`None`: it depends on an expression or a variable).
    pub path: Option<String>,
    /// A `!` line excludes what it matches.
    pub exclude: bool,
    /// The line, in the file it is written in.
    pub location: Location,
}

/// Splits a `path:` value (written in `file`, whose text is `src`) into lines with locations.
pub fn path_lines(file: FileId, src: &str, path: &Str<'_>) -> Vec<PathLine> {
    path_lines_with(file, src, path, |_| None)
}

/// Like [`path_lines`]; a line that is not known statically is given to `values` (a matrix
/// value: what it is in each cell), and stands for each of the texts it returns (the same
/// location). `!` lines are not expanded: an exclusion from one cell is not another's.
pub fn path_lines_with(
    file: FileId,
    src: &str,
    path: &Str<'_>,
    values: impl Fn(&str) -> Option<Vec<String>>,
) -> Vec<PathLine> {
    let map = path.node.scalar_map(src);
    let mut out = vec![];
    let mut offset = 0;
    for line in path.value.split('\n') {
        let start = offset + (line.len() - line.trim_start().len());
        offset += line.len() + 1;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (exclude, text) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let location = Location::new(file, map.to_source(start..start + line.trim().len()));
        let path = cache_path(text);
        if path.is_none()
            && !exclude
            && let Some(texts) = values(text)
        {
            // A value may hold several lines; an empty one (a name the cell does not define)
            // is no path.
            for t in texts.iter().flat_map(|t| t.lines()) {
                let t = t.trim();
                if t.is_empty() || t.starts_with(['#', '!']) {
                    continue;
                }
                out.push(PathLine {
                    path: cache_path(t),
                    exclude,
                    location: location.clone(),
                });
            }
            continue;
        }
        out.push(PathLine {
            path,
            exclude,
            location,
        });
    }
    out
}

/// Whether the lines cover `target` (a normalised workspace-relative or `/~` path).
/// Later `!` lines exclude; an unknown line makes a negative answer unknown.
pub fn covers(lines: &[PathLine], target: &str) -> Answer {
    let mut covered = false;
    let mut unknown = false;
    for line in lines {
        match &line.path {
            None => unknown = true,
            Some(p) if glob::covers_normalized(p, target) || every_child(p, target) => {
                covered = !line.exclude
            }
            Some(_) => {}
        }
    }
    match (covered, unknown) {
        (true, _) => Answer::Yes,
        (false, true) => Answer::Unknown,
        (false, false) => Answer::No,
    }
}

/// Whether `pattern` matches everything inside `target` (`.nox/*`, `.nox/**`): for an envdir,
/// which holds one folder per environment, that caches all of it.
fn every_child(pattern: &str, target: &str) -> bool {
    pattern
        .strip_prefix(target)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| matches!(rest, "*" | "**" | "**/*"))
        && !target.is_empty()
}

/// Where `env.NAME` is looked up: step, then (inside composite actions) each caller's step,
/// then job, then workflow `env:`.
#[derive(Clone, Debug)]
pub struct EnvChain<'e, 'a> {
    /// Innermost first.
    pub scopes: Vec<&'e Env<'a>>,
}

/// What `env.NAME` is, as far as the `env:` blocks say.
pub enum Lookup<'a> {
    /// Declared with this value.
    Declared(Str<'a>),
    /// Not declared: it may be set at run time (`$GITHUB_ENV`).
    Undeclared,
    /// An `env:` block in scope is a whole expression: anything may be in it.
    Dynamic,
}

impl<'a> EnvChain<'_, 'a> {
    /// Looks `name` up, innermost scope first.
    pub fn get(&self, name: &str) -> Lookup<'a> {
        for env in &self.scopes {
            if let Some(v) = env.get(name) {
                return Lookup::Declared(v);
            }
            if env.dynamic {
                return Lookup::Dynamic;
            }
        }
        Lookup::Undeclared
    }
}

/// Whether a `hashFiles` pattern takes in the dependency file `dep` (workspace-relative). The
/// last segment of `dep` may be a glob (`requirements*.txt`: any such file counts), and a `dep`
/// ending in `/` is a folder whose every file counts (`requirements/`).
pub fn pattern_hashes(pattern: &str, dep: &str) -> bool {
    let norm = glob::normalize(pattern);
    if let Some(dir) = dep.strip_suffix('/') {
        // The folder, a folder above it, a glob matching a file in it, or a file in it.
        return glob::covers_normalized(&norm, dir)
            || glob::covers_normalized(&norm, &format!("{dir}/x"))
            || norm.starts_with(&format!("{dir}/"));
    }
    let (dir, name) = dep.rsplit_once('/').unwrap_or(("", dep));
    if !name.contains(['*', '?', '[']) {
        return glob::covers_normalized(&norm, dep);
    }
    // A file the glob names, written literally (`requirements-dev.txt`)...
    let (pdir, pname) = norm.rsplit_once('/').unwrap_or(("", &norm));
    if pdir == dir && !pname.contains(['*', '?', '[']) && glob::matches_name(name, pname) {
        return true;
    }
    // ...or a pattern matching one (`**/requirements*.txt`, `*.txt`).
    [name.replace('*', ""), name.replace('*', "-x")]
        .iter()
        .any(|sample| glob::covers_normalized(&norm, &glob::join(dir, sample)))
}

/// Whether a cache key hashes `target` (e.g. `pyproject.toml` or `pkg/pyproject.toml`) with
/// `hashFiles(...)`, directly or through `${{ env.NAME }}` declared in an `env:` block.
pub fn key_hashes(key: &str, env: &EnvChain<'_, '_>, target: &str) -> Answer {
    key_hashes_depth(key, env, target, 0)
}

fn key_hashes_depth(key: &str, env: &EnvChain<'_, '_>, target: &str, depth: usize) -> Answer {
    if depth > 4 {
        return Answer::Unknown;
    }
    let mut unknown = false;
    for site in expr::find(key) {
        let Some(e) = expr::parse(site.body) else {
            unknown = true;
            continue;
        };
        for call in expr::hash_files(&e) {
            if call.dynamic_args {
                unknown = true;
            }
            let mut matched = false;
            for (pattern, _) in &call.patterns {
                match pattern.trim().strip_prefix('!') {
                    Some(neg) if pattern_hashes(neg, target) => matched = false,
                    Some(_) => {}
                    None if pattern_hashes(pattern.trim(), target) => matched = true,
                    None => {}
                }
            }
            if matched {
                return Answer::Yes;
            }
        }
        for (ctx, _) in expr::contexts(&e) {
            let mut parts = ctx.splitn(2, '.');
            match (parts.next(), parts.next()) {
                (Some("env"), Some(name)) => match env.get(name) {
                    Lookup::Declared(v) => {
                        match key_hashes_depth(v.value, env, target, depth + 1) {
                            Answer::Yes => return Answer::Yes,
                            Answer::Unknown => unknown = true,
                            Answer::No => {}
                        }
                    }
                    // Not declared: it may come from $GITHUB_ENV.
                    Lookup::Undeclared | Lookup::Dynamic => unknown = true,
                },
                (
                    Some(
                        "runner" | "matrix" | "github" | "forgejo" | "forge" | "gitea" | "job"
                        | "strategy",
                    ),
                    _,
                ) => {}
                _ => unknown = true,
            }
        }
    }
    if unknown { Answer::Unknown } else { Answer::No }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn lines(path: &str) -> Vec<PathLine> {
        let src = format!("path: {path}\n");
        let doc = yaml::parse(&src);
        let root = doc.root.unwrap();
        let node = root.get("path").unwrap();
        let s = Str {
            value: node.as_str().unwrap(),
            node,
        };
        path_lines(FileId(0), &src, &s)
    }

    #[test]
    fn coverage() {
        assert_eq!(covers(&lines(".nox"), ".nox"), Answer::Yes);
        assert_eq!(
            covers(&lines("|\n  ~/.cache/pip\n  ./.nox/"), ".nox"),
            Answer::Yes
        );
        assert_eq!(
            covers(&lines("\"${{ github.workspace }}/.nox\""), ".nox"),
            Answer::Yes
        );
        assert_eq!(covers(&lines(".no?"), ".nox"), Answer::Yes);
        assert_eq!(covers(&lines("|\n  .nox\n  !.nox"), ".nox"), Answer::No);
        assert_eq!(covers(&lines("~/.cache/pip"), ".nox"), Answer::No);
        assert_eq!(covers(&lines(".nox"), "pkg/.nox"), Answer::No);
        assert_eq!(covers(&lines("pkg"), "pkg/.nox"), Answer::Yes);
        assert_eq!(covers(&lines("pkg/.nox/*"), "pkg/.nox"), Answer::Yes);
        assert_eq!(covers(&lines(".nox/**"), ".nox"), Answer::Yes);
        assert_eq!(covers(&lines(".nox/emscripten"), ".nox"), Answer::No);
        assert_eq!(
            covers(&lines("${{ steps.x.outputs.dir }}"), ".nox"),
            Answer::Unknown
        );
    }

    #[test]
    fn path_line_spans() {
        let src = "path: |\n  ~/.cache\n  .nox\n";
        let doc = yaml::parse(src);
        let root = doc.root.unwrap();
        let node = root.get("path").unwrap();
        let s = Str {
            value: node.as_str().unwrap(),
            node,
        };
        let l = path_lines(FileId(0), src, &s);
        assert_eq!(&src[l[1].location.span.clone()], ".nox");
    }

    fn no_env() -> Env<'static> {
        Env::default()
    }

    #[test]
    fn key_hash_patterns() {
        let e = no_env();
        let chain = EnvChain {
            scopes: vec![&e, &e, &e],
        };
        let h = |key: &str| key_hashes(key, &chain, "pyproject.toml");
        assert_eq!(
            h("nox-${{ runner.os }}-${{ hashFiles('pyproject.toml') }}"),
            Answer::Yes
        );
        assert_eq!(h("${{ hashFiles('**/pyproject.toml') }}"), Answer::Yes);
        assert_eq!(
            h("${{ hashFiles('noxfile.py', 'pyproject.toml') }}"),
            Answer::Yes
        );
        assert_eq!(h("${{ hashFiles('**/*.toml') }}"), Answer::Yes);
        assert_eq!(h("${{ hashFiles('./pyproject.toml') }}"), Answer::Yes);
        assert_eq!(
            h("${{ hashFiles('**/pyproject.toml', '!pyproject.toml') }}"),
            Answer::No
        );
        assert_eq!(h("nox-${{ runner.os }}"), Answer::No);
        assert_eq!(h("nox-static"), Answer::No);
        assert_eq!(h("${{ hashFiles('requirements/*.txt') }}"), Answer::No);
        assert_eq!(h("${{ hashFiles('requirements/') }}"), Answer::No);
        // Dependency files given as globs and folders.
        let d = |key: &str, dep: &str| key_hashes(key, &chain, dep);
        assert_eq!(
            d(
                "${{ hashFiles('requirements-dev.txt') }}",
                "requirements*.txt"
            ),
            Answer::Yes
        );
        assert_eq!(
            d(
                "${{ hashFiles('**/requirements*.txt') }}",
                "requirements*.txt"
            ),
            Answer::Yes
        );
        assert_eq!(
            d("${{ hashFiles('*.txt') }}", "requirements*.txt"),
            Answer::Yes
        );
        assert_eq!(
            d(
                "${{ hashFiles('docs/requirements.txt') }}",
                "requirements*.txt"
            ),
            Answer::No
        );
        assert_eq!(
            d("${{ hashFiles('requirements/') }}", "requirements/"),
            Answer::Yes
        );
        assert_eq!(
            d("${{ hashFiles('requirements/**') }}", "requirements/"),
            Answer::Yes
        );
        assert_eq!(
            d("${{ hashFiles('requirements/ci.txt') }}", "requirements/"),
            Answer::Yes
        );
        assert_eq!(
            d("${{ hashFiles('noxfile.py') }}", "requirements/"),
            Answer::No
        );
        assert_eq!(h("${{ steps.h.outputs.hash }}"), Answer::Unknown);
        assert_eq!(h("${{ env.UNDECLARED }}"), Answer::Unknown);
        assert_eq!(
            key_hashes(
                "${{ hashFiles('python') }}",
                &chain,
                "python/pyproject.toml"
            ),
            Answer::Yes
        );
        assert_eq!(
            key_hashes(
                "${{ hashFiles('pyproject.toml') }}",
                &chain,
                "pkg/pyproject.toml"
            ),
            Answer::No
        );
    }

    #[test]
    fn key_hash_through_env() {
        let src = "env:\n  H: ${{ hashFiles('pyproject.toml') }}\n  S: static\n";
        let doc = yaml::parse(src);
        let root = doc.root.unwrap();
        let node = root.get("env").unwrap();
        let mut env = Env::default();
        for (k, v) in node.as_map().unwrap() {
            env.vars.push((
                Str {
                    value: k.as_str().unwrap(),
                    node: k,
                },
                v,
            ));
        }
        let empty = no_env();
        let chain = EnvChain {
            scopes: vec![&empty, &env, &empty],
        };
        assert_eq!(
            key_hashes("k-${{ env.H }}", &chain, "pyproject.toml"),
            Answer::Yes
        );
        assert_eq!(
            key_hashes("k-${{ env.S }}", &chain, "pyproject.toml"),
            Answer::No
        );
    }
}
