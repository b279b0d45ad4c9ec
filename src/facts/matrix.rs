//! A job's matrix, cell by cell (`strategy.matrix` with its `include:` and `exclude:`), the
//! runner each cell runs on, and what a cache key evaluates to in each cell, as far as that can
//! be known statically. What cannot be known is `None`: rules stay silent on it.

use crate::expr;
use crate::knowledge::Knowledge;
use crate::workflow::Job;
use crate::yaml::Node;

use super::SetupStep;
use super::cache::{EnvChain, Lookup};

/// The most distinct names a matrix is followed with (more: unknown).
const MAX_NAMES: usize = 256;

/// At most this many cells are expanded (a bigger matrix is unknown).
pub const MAX_CELLS: usize = 256;

/// One combination of matrix values: `(name, value)`, the value `None` when it is not known
/// statically (an expression). Names as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// The values.
    pub values: Vec<(String, Option<String>)>,
}

impl Cell {
    /// `Some(None)`: defined, value unknown; `None`: not defined in this cell (empty at run
    /// time). Names compare case-insensitively, as contexts do.
    pub fn get(&self, name: &str) -> Option<Option<&str>> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// This cell with the values of `names` (those it defines) replaced by `value`.
    pub fn masked(&self, names: &[String], value: &str) -> Cell {
        let mut c = self.clone();
        for n in names {
            if c.get(n).is_some() {
                c.set(n, Some(value.to_string()));
            }
        }
        c
    }

    fn set(&mut self, name: &str, value: Option<String>) {
        match self
            .values
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.values.push((name.to_string(), value)),
        }
    }
}

/// A job's matrix.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// Its cells (one empty cell without a matrix; `None`: not known statically).
    pub cells: Option<Vec<Cell>>,
    /// The names the matrix defines (`None`: any name may be defined, e.g. `include:` is an
    /// expression).
    pub names: Option<Vec<String>>,
}

fn is_expression(node: &Node<'_>) -> bool {
    node.as_str().is_some_and(|s| s.contains("${{"))
}

/// A matrix value as text (`None`: it holds an expression). Mappings and sequences are
/// written out so that equal values give equal text.
fn canon(node: &Node<'_>) -> Option<String> {
    if let Some(s) = node.as_str() {
        if s.contains("${{") {
            return None;
        }
        return Some(if node.is_null() {
            String::new()
        } else {
            s.to_string()
        });
    }
    if let Some(items) = node.as_seq() {
        let parts: Option<Vec<String>> = items.iter().map(canon).collect();
        return Some(format!("[{}]", parts?.join(",")));
    }
    if let Some(entries) = node.as_map() {
        let mut parts = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            parts.push(format!("{}:{}", k.as_str()?, canon(v)?));
        }
        return Some(format!("{{{}}}", parts.join(",")));
    }
    None
}

impl Matrix {
    /// The matrix of `job`.
    pub fn of(job: &Job<'_>) -> Matrix {
        match job.matrix {
            None => Matrix {
                cells: Some(vec![Cell::default()]),
                names: Some(vec![]),
            },
            Some(node) => Self::parse(node),
        }
    }

    fn unknown() -> Matrix {
        Matrix {
            cells: None,
            names: None,
        }
    }

    fn parse(node: &Node<'_>) -> Matrix {
        let Some(entries) = node.as_map() else {
            return Self::unknown();
        };
        let mut names: Option<Vec<String>> = Some(vec![]);
        let mut cells_known = true;
        let mut cells = vec![Cell::default()];
        let (mut include, mut exclude) = (None, None);
        for (k, v) in entries {
            let Some(name) = k.as_str() else {
                return Self::unknown();
            };
            match name {
                "include" => include = Some(v),
                "exclude" => exclude = Some(v),
                _ => {
                    if let Some(n) = names.as_mut() {
                        n.push(name.to_string());
                    }
                    let Some(items) = v.as_seq() else {
                        // `python: ${{ fromJSON(...) }}`: defined, values unknown.
                        cells_known = false;
                        continue;
                    };
                    if !cells_known {
                        continue;
                    }
                    let mut next = Vec::with_capacity(cells.len() * items.len());
                    for cell in &cells {
                        for item in items {
                            let mut c = cell.clone();
                            c.set(name, canon(item));
                            next.push(c);
                        }
                    }
                    if next.len() > MAX_CELLS {
                        cells_known = false;
                    }
                    cells = next;
                }
            }
        }
        // A matrix with only `include:` has no base cell.
        let base_empty = names.as_ref().is_some_and(Vec::is_empty);
        if let Some(ex) = exclude {
            match ex.as_seq() {
                Some(items) if cells_known => {
                    for item in items {
                        let Some(pairs) = item.as_map() else {
                            cells_known = false;
                            break;
                        };
                        let pairs: Option<Vec<(&str, Option<String>)>> = pairs
                            .iter()
                            .map(|(k, v)| k.as_str().map(|k| (k, canon(v))))
                            .collect();
                        let Some(pairs) = pairs else {
                            cells_known = false;
                            break;
                        };
                        if pairs.iter().any(|(_, v)| v.is_none()) {
                            cells_known = false;
                            break;
                        }
                        cells.retain(|c| {
                            !pairs
                                .iter()
                                .all(|(k, v)| c.get(k).flatten() == v.as_deref())
                        });
                    }
                }
                Some(_) => {}
                None if ex.is_null() => {}
                None => cells_known = false,
            }
        }
        if let Some(inc) = include {
            match inc.as_seq() {
                Some(items) => {
                    let originals = names.clone().unwrap_or_default();
                    let mut base: Vec<Cell> = if base_empty { vec![] } else { cells };
                    let n_base = base.len();
                    let mut added = vec![];
                    for item in items {
                        let Some(pairs) = item.as_map() else {
                            cells_known = false;
                            names = None;
                            break;
                        };
                        let mut entry = vec![];
                        for (k, v) in pairs {
                            let Some(k) = k.as_str() else {
                                cells_known = false;
                                continue;
                            };
                            if let Some(n) = names.as_mut()
                                && !n.iter().any(|x| x.eq_ignore_ascii_case(k))
                            {
                                n.push(k.to_string());
                                // Past this many names the search above turns quadratic
                                // (a fuzzed include of 14,779 names took 1.2 s): unknown.
                                if n.len() > MAX_NAMES {
                                    names = None;
                                    cells_known = false;
                                }
                            }
                            entry.push((k.to_string(), canon(v)));
                        }
                        if !cells_known {
                            continue;
                        }
                        // Added to every original cell whose original values it does not
                        // change; a new cell when it fits none.
                        let mut fitted = false;
                        for cell in base.iter_mut().take(n_base) {
                            let fits = entry.iter().all(|(k, v)| {
                                !originals.iter().any(|o| o.eq_ignore_ascii_case(k))
                                    || cell.get(k).flatten() == v.as_deref() && v.is_some()
                            });
                            if fits {
                                fitted = true;
                                for (k, v) in &entry {
                                    cell.set(k, v.clone());
                                }
                            }
                        }
                        if !fitted {
                            added.push(Cell {
                                values: entry.clone(),
                            });
                        }
                    }
                    base.extend(added);
                    cells = base;
                }
                None if inc.is_null() => {}
                None => {
                    cells_known = false;
                    names = None;
                }
            }
        }
        if is_expression(node) {
            return Self::unknown();
        }
        Matrix {
            cells: (cells_known && !cells.is_empty() && cells.len() <= MAX_CELLS).then_some(cells),
            names,
        }
    }

    /// Whether the matrix defines `name` (in some cell).
    pub fn defines(&self, name: &str) -> Option<bool> {
        self.names
            .as_ref()
            .map(|n| n.iter().any(|x| x.eq_ignore_ascii_case(name)))
    }
}

/// The runner of each cell: `(runner.os, runner.arch)`, each `None` when unknown.
pub type Runner<'k> = (Option<&'k str>, Option<&'k str>);

/// What `runs-on` is in `cell`, when it is a hosted label the data knows (`None` entries: not
/// known).
pub fn runner<'k>(k: &'k Knowledge, job: &Job<'_>, cell: &Cell) -> Runner<'k> {
    let Some(label) = job.runs_on.and_then(|n| runs_on_label(n, cell)) else {
        return (None, None);
    };
    match k.runner_label(&label) {
        Some(r) => (Some(r.os.as_str()), Some(r.arch.as_str())),
        None => (None, None),
    }
}

/// The matrix names `runs-on` refers to.
pub fn runs_on_names(job: &Job<'_>) -> Vec<String> {
    let Some(text) = job.runs_on.and_then(|n| n.as_str()) else {
        return vec![];
    };
    let mut out = vec![];
    for site in expr::find(text) {
        if let Some(e) = expr::parse(site.body) {
            for (ctx, _) in expr::contexts(&e) {
                if let Some(name) = matrix_name(&ctx) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// The one label of a string `runs-on` in `cell`: a literal, or `${{ matrix.X }}` alone.
fn runs_on_label(node: &Node<'_>, cell: &Cell) -> Option<String> {
    let text = node.as_str()?.trim();
    let sites = expr::find(text);
    match sites.as_slice() {
        [] => Some(text.to_string()),
        [site] if site.range == (0..text.len()) => {
            let e = expr::parse(site.body)?;
            let ctxs = expr::contexts(&e);
            let [(ctx, range)] = ctxs.as_slice() else {
                return None;
            };
            // The expression is the context alone.
            if site.body.get(range.clone())?.trim() != site.body.trim() {
                return None;
            }
            let name = matrix_name(ctx)?;
            if ctx.len() != "matrix.".len() + name.len() {
                return None;
            }
            cell.get(name).flatten().map(str::to_string)
        }
        _ => None,
    }
}

/// `text` with each `${{ matrix.X }}` replaced by its value in `cell`; other expressions are
/// kept. `None` when a matrix value used is not known (an expression, a nested `matrix.X.Y`).
pub fn substitute(text: &str, cell: &Cell) -> Option<String> {
    use expr::Replace;
    expr::replace(text, |body| {
        if !body.to_ascii_lowercase().contains("matrix") {
            return Replace::Keep;
        }
        let Some(name) = matrix_name(body).filter(|n| body.len() == "matrix.".len() + n.len())
        else {
            return Replace::Unknown;
        };
        // A name the cell does not define is empty at run time.
        match cell.get(name) {
            None => Replace::With(String::new()),
            Some(Some(v)) => Replace::With(v.to_string()),
            Some(None) => Replace::Unknown,
        }
    })
}

/// At most this many distinct values of a text across the cells are followed.
pub const MAX_VALUES: usize = 16;

/// What `text` is in each cell of `matrix`, distinct values only, each with the cell it first
/// comes from, as `name: value` pairs of the matrix names it uses. `None` when the cells are
/// not known, a value is not, or there are more than [`MAX_VALUES`].
pub fn per_cell(text: &str, matrix: &Matrix) -> Option<Vec<(String, String)>> {
    let cells = matrix.cells.as_deref()?;
    let env = EnvChain { scopes: vec![] };
    let names = matrix_names_in(text, &env);
    let mut out: Vec<(String, String)> = vec![];
    for cell in cells {
        let value = substitute(text, cell)?;
        if out.iter().any(|(v, _)| *v == value) {
            continue;
        }
        if out.len() >= MAX_VALUES {
            return None;
        }
        let label = names
            .iter()
            .map(|n| format!("{n}: {}", cell.get(n).flatten().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(", ");
        out.push((value, label));
    }
    Some(out)
}

/// `X` of `matrix.X...`.
pub fn matrix_name(ctx: &str) -> Option<&str> {
    let (head, rest) = ctx.split_once('.')?;
    if !head.eq_ignore_ascii_case("matrix") {
        return None;
    }
    let name = rest.split('.').next()?;
    (name != "*" && !name.is_empty()).then_some(name)
}

/// What the expressions of a text can see in one cell.
pub struct Scope<'s, 'a> {
    /// The cell.
    pub cell: &'s Cell,
    /// Its runner.
    pub runner: Runner<'s>,
    /// The job's id (`github.job`).
    pub job: &'s str,
    /// The `env:` blocks in scope.
    pub env: &'s EnvChain<'s, 'a>,
    /// The job's runtime setup steps (`steps.<id>.outputs.<version>`).
    pub setups: &'s [SetupStep<'a>],
    /// Whether the text is in a composite action: its `inputs` come from the calling step
    /// (matrix values, step outputs) and are unknown.
    pub in_action: bool,
}

/// What `text` (a key) evaluates to in a cell, as comparable text: literal parts as they are,
/// each `${{ }}` as its body (spacing removed) with the values of the contexts that differ
/// between cells and jobs. Two cells (or jobs) whose fingerprints are equal have equal keys;
/// `None` when some part is not known statically (a step output, an undeclared variable).
pub fn fingerprint(text: &str, scope: &Scope<'_, '_>) -> Option<String> {
    fingerprint_depth(text, scope, 0)
}

fn fingerprint_depth(text: &str, scope: &Scope<'_, '_>, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for site in expr::find(text) {
        out.push_str(text.get(at..site.range.start)?);
        at = site.range.end;
        let e = expr::parse(site.body)?;
        out.push('\u{1}');
        out.extend(site.body.chars().filter(|c| !c.is_whitespace()));
        for (ctx, _) in expr::contexts(&e) {
            out.push('\u{2}');
            out.push_str(&context_value(&ctx, scope, depth)?);
        }
        out.push('\u{3}');
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

fn context_value(ctx: &str, scope: &Scope<'_, '_>, depth: usize) -> Option<String> {
    let lower = ctx.to_ascii_lowercase();
    let mut parts = lower.split('.');
    let head = parts.next().unwrap_or("");
    let second = parts.next();
    match head {
        "matrix" => match matrix_name(ctx) {
            Some(name) => match scope.cell.get(name) {
                None => Some(String::new()),
                Some(v) => v.map(str::to_string),
            },
            // The whole matrix (`toJSON(matrix)`).
            None => {
                let all: Option<Vec<String>> = scope
                    .cell
                    .values
                    .iter()
                    .map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                    .collect();
                all.map(|a| a.join(","))
            }
        },
        "runner" => match second {
            Some("os") => scope.runner.0.map(str::to_string),
            Some("arch") => scope.runner.1.map(str::to_string),
            Some("temp" | "tool_cache" | "workspace" | "environment") => Some(String::new()),
            _ => None,
        },
        "github" | "forgejo" | "gitea" => match second {
            Some("job") => Some(scope.job.to_string()),
            _ => Some(String::new()),
        },
        "strategy" => match second {
            Some("job-index" | "job_index" | "*") => None,
            _ => Some(String::new()),
        },
        "inputs" if scope.in_action => None,
        "inputs" | "vars" | "secrets" | "needs" => Some(String::new()),
        "env" => {
            let name = ctx.split('.').nth(1)?;
            match scope.env.get(name) {
                Lookup::Declared(v) => fingerprint_depth(v.value, scope, depth + 1),
                Lookup::Undeclared | Lookup::Dynamic => None,
            }
        }
        "steps" => {
            // A setup step's version output is the version its input names.
            let mut p = ctx.split('.');
            let (_, id, out, output) = (p.next(), p.next()?, p.next()?, p.next()?);
            if out != "outputs" || p.next().is_some() {
                return None;
            }
            let setup = scope
                .setups
                .iter()
                .find(|s| s.id.is_some_and(|i| i.value == id) && s.version_output == output)?;
            let version = setup.version?;
            fingerprint_depth(version.value, scope, depth + 1).map(|v| format!("py:{v}"))
        }
        _ => None,
    }
}

/// The matrix names an expression text refers to (`${{ matrix.python }}` -> `python`),
/// through declared `env:` variables too.
pub fn matrix_names_in(text: &str, env: &EnvChain<'_, '_>) -> Vec<String> {
    let mut out = vec![];
    names_depth(text, env, 0, &mut out);
    out
}

fn names_depth(text: &str, env: &EnvChain<'_, '_>, depth: usize, out: &mut Vec<String>) {
    if depth > 4 {
        return;
    }
    for site in expr::find(text) {
        let Some(e) = expr::parse(site.body) else {
            continue;
        };
        for (ctx, _) in expr::contexts(&e) {
            if let Some(n) = matrix_name(&ctx) {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) {
                    out.push(n.to_string());
                }
            } else if let Some(name) = ctx.strip_prefix("env.")
                && let Lookup::Declared(v) = env.get(name)
            {
                names_depth(v.value, env, depth + 1, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn matrix(src: &str) -> Matrix {
        let doc = yaml::parse(src);
        let root = doc.root.unwrap();
        Matrix::parse(root.get("matrix").unwrap())
    }

    fn values(m: &Matrix, name: &str) -> Vec<String> {
        m.cells
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.get(name).flatten().unwrap_or("-").to_string())
            .collect()
    }

    #[test]
    fn a_text_in_each_cell() {
        let m = matrix("matrix:\n  pkg: [core, plugins]\n  py: ['3.11', '3.12']\n");
        let got = per_cell("${{ matrix.pkg }}/docs", &m).unwrap();
        assert_eq!(
            got,
            [
                ("core/docs".to_string(), "pkg: core".to_string()),
                ("plugins/docs".to_string(), "pkg: plugins".to_string())
            ]
        );
        // Other expressions are kept for the env lookup; an unknown or nested value is unknown.
        assert_eq!(
            per_cell("${{ env.ROOT }}/${{ matrix.pkg }}", &m).unwrap()[0].0,
            "${{ env.ROOT }}/core"
        );
        assert_eq!(per_cell("${{ matrix.pkg.dir }}", &m), None);
        let m = matrix("matrix:\n  pkg: [a, '${{ inputs.x }}']\n");
        assert_eq!(per_cell("${{ matrix.pkg }}", &m), None);
        // A name no cell defines is empty.
        let m = matrix("matrix:\n  pkg: [a]\n");
        assert_eq!(per_cell("x${{ matrix.nope }}", &m).unwrap()[0].0, "x");
    }

    #[test]
    fn cells() {
        let m = matrix("matrix:\n  os: [a, b]\n  py: ['3.11', '3.12']\n");
        assert_eq!(m.cells.as_ref().unwrap().len(), 4);
        assert_eq!(values(&m, "py"), ["3.11", "3.12", "3.11", "3.12"]);
        let m = matrix(
            "matrix:\n  os: [a, b]\n  py: ['3.11']\n  exclude:\n    - os: b\n  include:\n    - os: a\n      extra: x\n    - os: c\n      py: '3.9'\n",
        );
        assert_eq!(values(&m, "os"), ["a", "c"]);
        assert_eq!(values(&m, "extra"), ["x", "-"]);
        assert_eq!(m.defines("extra"), Some(true));
        assert_eq!(m.defines("nope"), Some(false));
        let m = matrix("matrix:\n  include:\n    - py: '3.9'\n    - py: '3.10'\n");
        assert_eq!(values(&m, "py"), ["3.9", "3.10"]);
        let m = matrix("matrix:\n  py: ${{ fromJSON(inputs.p) }}\n");
        assert!(m.cells.is_none());
        assert_eq!(m.defines("py"), Some(true));
        let m = matrix("matrix: ${{ fromJSON(inputs.m) }}\n");
        assert!(m.cells.is_none());
        assert_eq!(m.defines("py"), None);
        let m = matrix("matrix:\n  py: [a]\n  include: ${{ fromJSON(inputs.m) }}\n");
        assert_eq!(m.defines("other"), None);
    }

    #[test]
    fn names() {
        assert_eq!(matrix_name("matrix.python-version"), Some("python-version"));
        assert_eq!(matrix_name("matrix.config.os"), Some("config"));
        assert_eq!(matrix_name("runner.os"), None);
    }
}
