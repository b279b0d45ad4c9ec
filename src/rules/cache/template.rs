//! Cache keys and paths as templates: literal text, and `${{ }}` expressions that stand for
//! any text, except contexts whose values are known (`runner.os`, `runner.arch`, the job's
//! matrix values). Two questions: can one template's text be a prefix of another's, and can
//! two templates give the same text? Both are answered over every value the expressions can
//! take, so "no" is certain and "yes" only means "maybe".

use crate::expr;
use crate::workflow::Job;
use crate::yaml::{Kind, Node, Style};

/// A part of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// An expression whose value can be any text (the empty text too).
    Any,
    /// An expression with one of these values.
    OneOf(Vec<String>),
    /// An absolute path of the runner (`github.workspace`): `/...`, or `D:...` on Windows.
    AbsPath,
}

/// The values `runner.os` takes on GitHub-hosted and self-hosted runners.
const RUNNER_OS: &[&str] = &["Linux", "Windows", "macOS"];
/// The values `runner.arch` takes.
const RUNNER_ARCH: &[&str] = &["X86", "X64", "ARM", "ARM64"];

/// Splits `text` at its `${{ }}` expressions; `job` gives the matrix values.
pub fn pieces(text: &str, job: &Job<'_>) -> Vec<Piece> {
    let mut out = vec![];
    let mut at = 0;
    for site in expr::find(text) {
        if let Some(lit) = text.get(at..site.range.start)
            && !lit.is_empty()
        {
            out.push(Piece::Lit(lit.to_string()));
        }
        out.push(expression(site.body, job));
        at = site.range.end;
    }
    if let Some(rest) = text.get(at..)
        && !rest.is_empty()
    {
        out.push(Piece::Lit(rest.to_string()));
    }
    out
}

/// The literal text outside `${{ }}`, with the byte range of each literal part in `text`.
pub fn literal_parts(text: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut at = 0;
    for site in expr::find(text) {
        if let Some(lit) = text.get(at..site.range.start) {
            out.push((at, lit));
        }
        at = site.range.end;
    }
    if let Some(rest) = text.get(at..) {
        out.push((at, rest));
    }
    out
}

/// The text with the spacing inside each `${{ }}` removed (outside string literals), so that
/// `${{ runner.os }}` and `${{runner.os}}` compare equal.
pub fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for site in expr::find(text) {
        out.push_str(text.get(at..site.range.start).unwrap_or(""));
        out.push_str("${{");
        let mut in_str = false;
        for c in site.body.chars() {
            if c == '\'' {
                in_str = !in_str;
            }
            if in_str || !c.is_whitespace() {
                out.push(c);
            }
        }
        if site.closed {
            out.push_str("}}");
        }
        at = site.range.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// What one expression can be.
fn expression(body: &str, job: &Job<'_>) -> Piece {
    let body = body.trim();
    let Some(e) = expr::parse(body) else {
        return Piece::Any;
    };
    let ctxs = expr::contexts(&e);
    let [(name, range)] = ctxs.as_slice() else {
        return Piece::Any;
    };
    if *range != (0..body.len()) {
        return Piece::Any;
    }
    let owned = |v: &[&str]| Piece::OneOf(v.iter().map(|s| s.to_string()).collect());
    match name.as_str() {
        "runner.os" => owned(RUNNER_OS),
        "runner.arch" => owned(RUNNER_ARCH),
        "github.workspace" | "forgejo.workspace" | "forge.workspace" | "gitea.workspace"
        | "runner.temp" | "runner.tool_cache" => Piece::AbsPath,
        _ => match name.strip_prefix("matrix.") {
            Some(key) if !key.contains('.') => {
                matrix_values(job.matrix, key).map_or(Piece::Any, Piece::OneOf)
            }
            _ => Piece::Any,
        },
    }
}

/// The values `matrix.<key>` takes, when the matrix says them all as text whose rendering is
/// certain (not a number such as `3.10`, which GitHub renders as `3.1`).
fn matrix_values(matrix: Option<&Node<'_>>, key: &str) -> Option<Vec<String>> {
    if matches!(key, "include" | "exclude") {
        return None;
    }
    let m = matrix?;
    m.as_map()?;
    let mut values = vec![];
    let mut found = false;
    if let Some(v) = m.get(key) {
        for item in v.as_seq()? {
            values.push(scalar_text(item)?);
        }
        found = true;
    }
    if let Some(include) = m.get("include") {
        for entry in include.as_seq()? {
            entry.as_map()?;
            match entry.get(key) {
                Some(v) => {
                    values.push(scalar_text(v)?);
                    found = true;
                }
                // A combination of its own without the key: the value is empty there.
                None => values.push(String::new()),
            }
        }
    }
    (found && values.len() <= MAX_VALUES).then_some(values)
}

const MAX_VALUES: usize = 64;

fn scalar_text(node: &Node<'_>) -> Option<String> {
    let Kind::Scalar(v, style) = &node.kind else {
        return None;
    };
    if v.contains("${{") || node.is_null() {
        return None;
    }
    // A plain number is rendered from its value: `3.10` becomes `3.1`, `1e3` `1000`.
    let canonical_int = v.parse::<i64>().is_ok_and(|n| n.to_string() == **v);
    if *style == Style::Plain && !canonical_int && v.parse::<f64>().is_ok() {
        return None;
    }
    Some(v.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    Ch(char),
    Star,
}

/// Templates longer than this (in characters) are not compared: the answer is "maybe".
const MAX_LEN: usize = 600;
/// At most this many cache steps of one file are compared with each other.
pub const MAX_COMPARED_STEPS: usize = 256;
/// At most this many combinations of known values are tried; past it they stand for any text.
const MAX_ALTERNATIVES: usize = 64;

fn push_text(out: &mut Vec<Elem>, text: &str, fold: bool) {
    for c in text.chars() {
        if fold {
            out.extend(c.to_lowercase().map(Elem::Ch));
        } else {
            out.push(Elem::Ch(c));
        }
    }
}

/// Every way the template can be spelled, known values expanded (`None`: too long).
fn expand(pieces: &[Piece], fold: bool) -> Option<Vec<Vec<Elem>>> {
    let mut alts: Vec<Vec<Elem>> = vec![vec![]];
    for p in pieces {
        match p {
            Piece::Lit(s) => alts.iter_mut().for_each(|a| push_text(a, s, fold)),
            Piece::OneOf(values) if alts.len() * values.len() <= MAX_ALTERNATIVES => {
                let mut next = Vec::with_capacity(alts.len() * values.len());
                for a in &alts {
                    for v in values {
                        let mut b = a.clone();
                        push_text(&mut b, v, fold);
                        next.push(b);
                    }
                }
                alts = next;
            }
            Piece::AbsPath if alts.len() * 2 <= MAX_ALTERNATIVES => {
                let mut next = Vec::with_capacity(alts.len() * 2);
                for a in &alts {
                    let mut unix = a.clone();
                    unix.extend([Elem::Ch('/'), Elem::Star]);
                    let mut windows = a.clone();
                    if windows.last() != Some(&Elem::Star) {
                        windows.push(Elem::Star);
                    }
                    windows.extend([Elem::Ch(':'), Elem::Star]);
                    next.extend([unix, windows]);
                }
                alts = next;
            }
            Piece::Any | Piece::OneOf(_) | Piece::AbsPath => alts.iter_mut().for_each(|a| {
                if a.last() != Some(&Elem::Star) {
                    a.push(Elem::Star);
                }
            }),
        }
        if alts.iter().any(|a| a.len() > MAX_LEN) {
            return None;
        }
    }
    Some(alts)
}

/// How many comparison states one file may still visit: hostile input (thousands of long keys,
/// each compared with every other) cannot make a lint slow. Once spent, every answer is "maybe".
pub struct Budget(std::cell::Cell<usize>);

impl Budget {
    /// The budget for one file.
    pub fn new() -> Self {
        Budget(std::cell::Cell::new(MAX_FILE_STATES))
    }

    fn spend(&self, n: usize) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(n));
        left >= n
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

/// The states one file may visit in all its comparisons (a real file needs a few thousand).
const MAX_FILE_STATES: usize = 1 << 25;

/// Whether some text of `r` can be a prefix (`prefix`) of, or equal to, some text of `k`.
fn can_match(r: &[Elem], k: &[Elem], prefix: bool) -> bool {
    let w = k.len() + 1;
    let mut seen = vec![false; (r.len() + 1) * w];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i * w + j], true) {
            continue;
        }
        if i == r.len() && (prefix || j == k.len()) {
            return true;
        }
        let (a, b) = (r.get(i), k.get(j));
        let mut go = |i: usize, j: usize| {
            if !seen[i * w + j] {
                todo.push((i, j));
            }
        };
        if a == Some(&Elem::Star) {
            go(i + 1, j);
        }
        if b == Some(&Elem::Star) {
            go(i, j + 1);
        }
        match (a, b) {
            (Some(Elem::Ch(x)), Some(Elem::Ch(y))) if x == y => go(i + 1, j + 1),
            (Some(Elem::Ch(_)), Some(Elem::Star)) => go(i + 1, j),
            (Some(Elem::Star), Some(Elem::Ch(_))) => go(i, j + 1),
            _ => {}
        }
    }
    false
}

/// At most this many (position, position) states are visited for one comparison, over all
/// its alternatives; past it the answer is "maybe" (hostile input cannot make it slow).
const MAX_STATES: usize = 1 << 22;

/// The length of the template's longest spelling, expressions that stand for any text counted
/// as one character.
fn longest(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(s) => s.chars().count(),
            Piece::OneOf(v) => v.iter().map(|s| s.chars().count()).max().unwrap_or(0),
            Piece::Any | Piece::AbsPath => 2,
        })
        .sum()
}

fn any_match(a: &[Piece], b: &[Piece], prefix: bool, fold: bool, budget: &Budget) -> bool {
    let (la, lb) = (longest(a), longest(b));
    if !budget.spend(la + lb) || la > MAX_LEN || lb > MAX_LEN {
        return true;
    }
    let (Some(a), Some(b)) = (expand(a, fold), expand(b, fold)) else {
        return true;
    };
    let size = |alts: &[Vec<Elem>]| alts.iter().map(|x| x.len() + 1).sum::<usize>();
    let states = size(&a).saturating_mul(size(&b));
    if states > MAX_STATES || !budget.spend(states) {
        return true;
    }
    a.iter().any(|x| b.iter().any(|y| can_match(x, y, prefix)))
}

/// Whether a text of `restore_key` can be a prefix of a text of `key` (letter case ignored:
/// "no" must be certain).
pub fn can_be_prefix(restore_key: &[Piece], key: &[Piece], budget: &Budget) -> bool {
    any_match(restore_key, key, true, true, budget)
}

/// Whether the two templates can give the same text (`fold`: ignoring letter case).
pub fn can_be_equal(a: &[Piece], b: &[Piece], fold: bool, budget: &Budget) -> bool {
    any_match(a, b, false, fold, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{self, Workflow};
    use crate::yaml;

    fn with_job(src: &str, f: impl FnOnce(&Job<'_>)) {
        let doc = yaml::parse(src);
        let (wf, _): (Workflow<'_>, _) = workflow::build(doc.root.as_ref());
        f(&wf.jobs[0]);
    }

    const WF: &str = "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n        py: [3.10, '3.12']\n        include:\n          - os: macos-14\n    runs-on: x\n    steps: []\n";

    #[test]
    fn pieces_know_runner_and_matrix_values() {
        with_job(WF, |job| {
            let p = pieces(
                "a-${{ runner.os }}-${{ matrix.os }}-${{ matrix.py }}-b",
                job,
            );
            assert_eq!(p[0], Piece::Lit("a-".into()));
            assert_eq!(
                p[1],
                Piece::OneOf(vec!["Linux".into(), "Windows".into(), "macOS".into()])
            );
            assert_eq!(
                p[3],
                Piece::OneOf(vec![
                    "ubuntu-latest".into(),
                    "windows-latest".into(),
                    "macos-14".into()
                ])
            );
            // `3.10` renders as `3.1`: not known.
            assert_eq!(p[5], Piece::Any);
            assert_eq!(p[6], Piece::Lit("-b".into()));
            assert_eq!(pieces("${{ matrix.none }}", job), [Piece::Any]);
            assert_eq!(pieces("${{ runner.os == 'x' }}", job), [Piece::Any]);
        });
    }

    #[test]
    fn prefixes() {
        with_job(WF, |job| {
            let b = Budget::new();
            let p = |r: &str, k: &str| can_be_prefix(&pieces(r, job), &pieces(k, job), &b);
            assert!(p("pip-", "pip-${{ hashFiles('x') }}"));
            assert!(p(
                "${{ runner.os }}-pip-",
                "${{ runner.os }}-pip-${{ hashFiles('x') }}"
            ));
            assert!(p("Linux-pip-", "${{ runner.os }}-pip-"));
            assert!(p("linux-PIP-", "Linux-pip-x"));
            assert!(p(
                "${{ runner.os }}-main-",
                "${{ runner.os }}-${{ github.head_ref || 'main' }}-${{ github.sha }}"
            ));
            assert!(p("same", "same"));
            assert!(!p(
                "${{ runner.os }}-pip-",
                "pip-${{ runner.os }}-${{ hashFiles('x') }}"
            ));
            assert!(!p("npm-", "pip-${{ hashFiles('x') }}"));
            assert!(!p("FreeBSD-", "${{ runner.os }}-x"));
            assert!(!p("x-ubuntu-22.04-", "x-${{ matrix.os }}-y"));
            assert!(p("x-macos-14-y", "x-${{ matrix.os }}-y"));
            assert!(!p("pip-long-key", "pip"));
        });
    }

    #[test]
    fn equality() {
        with_job(WF, |job| {
            let budget = Budget::new();
            let e =
                |a: &str, b: &str| can_be_equal(&pieces(a, job), &pieces(b, job), false, &budget);
            assert!(e(".nox", ".nox"));
            assert!(e("${{ env.P }}", "~/.cache"));
            assert!(!e(".nox", "${{ github.workspace }}/.nox"));
            assert!(!e("~/.cache", "${{ github.workspace }}/.cache"));
            assert!(e(
                "/home/runner/work/x/x/.cache",
                "${{ github.workspace }}/.cache"
            ));
            assert!(e("D:\\a\\x\\x/.cache", "${{ github.workspace }}/.cache"));
            assert!(!e(".nox", "./.nox"));
            assert!(!e("a\nb", "a"));
            assert!(e("k-${{ github.sha }}", "k-${{github.sha}}"));
            assert!(!e("k-${{ github.sha }}", "j-${{ github.sha }}"));
        });
    }

    #[test]
    fn a_spent_budget_answers_maybe() {
        with_job(WF, |job| {
            let b = Budget::new();
            let (x, y) = (pieces("npm-", job), pieces("pip-x", job));
            assert!(!can_be_prefix(&x, &y, &b));
            b.0.set(0);
            assert!(can_be_prefix(&x, &y, &b));
        });
    }

    #[test]
    fn spacing_is_normalised() {
        assert_eq!(
            normalized("a-${{ runner.os }}-${{ format('{0} x', github.sha) }}"),
            "a-${{runner.os}}-${{format('{0} x',github.sha)}}"
        );
    }

    #[test]
    fn literal_parts_skip_expressions() {
        let t = "a,${{ x, y }},b";
        let parts = literal_parts(t);
        assert_eq!(parts, [(0, "a,"), (13, ",b")]);
    }
}
