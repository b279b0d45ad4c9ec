//! `${{ ... }}` expressions: finding them in a string and asking questions of their AST
//! (which files a `hashFiles` call hashes, which contexts an expression reads).
//!
//! Parsing is done by `github-actions-expressions` (the parser zizmor uses): a spanned AST with
//! literals, contexts, calls and operators. An expression it cannot parse is opaque: rules that
//! ask about it get "unknown", never a guess.

use std::ops::Range;

use github_actions_expressions::call::Function;
use github_actions_expressions::context::Context;
use github_actions_expressions::literal::Literal;
use github_actions_expressions::{Expr, SpannedExpr};

/// One `${{ ... }}` in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site<'t> {
    /// Range of the whole `${{ ... }}` in the string.
    pub range: Range<usize>,
    /// Range of the body (between the braces) in the string.
    pub body_range: Range<usize>,
    /// The body text.
    pub body: &'t str,
    /// Whether the closing `}}` was found.
    pub closed: bool,
}

/// Finds every `${{ ... }}` in `text`, in order. A `}}` inside a single-quoted string literal
/// does not close the expression. An unclosed `${{` runs to the end of the text.
pub fn find(text: &str) -> Vec<Site<'_>> {
    let mut out = vec![];
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(&bytes[from..], b"${{") {
        let start = from + rel;
        let body_start = start + 3;
        let mut i = body_start;
        let mut in_str = false;
        let mut end = None;
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => in_str = !in_str,
                b'}' if !in_str && bytes.get(i + 1) == Some(&b'}') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let (body_end, range_end, closed) = match end {
            Some(e) => (e, e + 2, true),
            None => (bytes.len(), bytes.len(), false),
        };
        out.push(Site {
            range: start..range_end,
            body_range: body_start..body_end,
            body: text.get(body_start..body_end).unwrap_or(""),
            closed,
        });
        from = range_end.max(start + 3);
    }
    out
}

/// What [`replace`] does with one `${{ }}` site.
pub enum Replace {
    /// Put this text in its place.
    With(String),
    /// Leave the site as written.
    Keep,
    /// The text cannot be known: [`replace`] gives `None`.
    Unknown,
}

/// `text` with each `${{ }}` site replaced as `value` says for its trimmed body (the one loop
/// behind matrix, input and `env` substitution).
pub fn replace(text: &str, mut value: impl FnMut(&str) -> Replace) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for site in find(text) {
        out.push_str(text.get(at..site.range.start)?);
        at = site.range.end;
        match value(site.body.trim()) {
            Replace::With(v) => out.push_str(&v),
            Replace::Keep => out.push_str(text.get(site.range.clone())?),
            Replace::Unknown => return None,
        }
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// Parses an expression body. `None` when it is not a valid expression.
pub fn parse(body: &str) -> Option<SpannedExpr<'_>> {
    Expr::parse(body).ok()
}

/// A `hashFiles(...)` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashFiles {
    /// The call's range in the expression body.
    pub range: Range<usize>,
    /// The literal string arguments, with their ranges in the body.
    pub patterns: Vec<(String, Range<usize>)>,
    /// Whether some argument is not a string literal (its value is unknown).
    pub dynamic_args: bool,
}

/// Every `hashFiles(...)` call in an expression, outermost first.
pub fn hash_files(expr: &SpannedExpr<'_>) -> Vec<HashFiles> {
    let mut out = vec![];
    walk(expr, &mut |e| {
        if let Expr::Call(call) = &e.inner
            && call.func == Function::HashFiles
        {
            let mut h = HashFiles {
                range: e.origin.span.start..e.origin.span.end,
                patterns: vec![],
                dynamic_args: false,
            };
            for arg in &call.args {
                match &arg.inner {
                    Expr::Literal(Literal::String(s)) => h
                        .patterns
                        .push((s.to_string(), arg.origin.span.start..arg.origin.span.end)),
                    _ => h.dynamic_args = true,
                }
            }
            out.push(h);
        }
    });
    out
}

/// Every context reference (`runner.os`, `matrix.python`, `env.KEY`, `steps.x.outputs.y`) in an
/// expression, as dotted text with its range in the body. Index parts written as string
/// literals (`env['KEY']`) are rendered as `.KEY`; other index parts as `.*`.
pub fn contexts(expr: &SpannedExpr<'_>) -> Vec<(String, Range<usize>)> {
    let mut out = vec![];
    walk(expr, &mut |e| {
        if let Expr::Context(ctx) = &e.inner {
            out.push((context_text(ctx), e.origin.span.start..e.origin.span.end));
        }
    });
    out
}

fn context_text(ctx: &Context<'_>) -> String {
    let mut s = String::new();
    for (i, part) in ctx.parts.iter().enumerate() {
        let piece = match &part.inner {
            Expr::Identifier(id) => id.as_str().to_string(),
            Expr::Star => "*".to_string(),
            Expr::Index(idx) => match &idx.inner {
                Expr::Literal(Literal::String(k)) => k.to_string(),
                Expr::Star => "*".to_string(),
                _ => "*".to_string(),
            },
            Expr::Call(_) => "()".to_string(),
            _ => "*".to_string(),
        };
        if i > 0 {
            s.push('.');
        }
        s.push_str(&piece);
    }
    s
}

/// Visits every subexpression, parents before children. The parser bounds the depth.
fn walk<'a>(expr: &'a SpannedExpr<'a>, f: &mut impl FnMut(&'a SpannedExpr<'a>)) {
    f(expr);
    match &expr.inner {
        Expr::Call(call) => call.args.iter().for_each(|a| walk(a, f)),
        Expr::Index(inner) => walk(inner, f),
        Expr::Context(ctx) => {
            for part in &ctx.parts {
                if !matches!(part.inner, Expr::Identifier(_) | Expr::Star) {
                    walk(part, f);
                }
            }
        }
        Expr::BinExpr(bin) => {
            walk(&bin.lhs, f);
            walk(&bin.rhs, f);
        }
        Expr::UnExpr { expr, .. } => walk(expr, f),
        Expr::Literal(_) | Expr::Star | Expr::Identifier(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sites() {
        let t = "a-${{ runner.os }}-${{ hashFiles('x}}') }}-${{ open";
        let sites = find(t);
        assert_eq!(sites.len(), 3);
        assert_eq!(&t[sites[0].range.clone()], "${{ runner.os }}");
        assert_eq!(sites[0].body, " runner.os ");
        assert_eq!(sites[1].body, " hashFiles('x}}') ");
        assert!(!sites[2].closed);
        assert_eq!(sites[2].body, " open");
        assert!(find("no expressions").is_empty());
        assert_eq!(find("${{").len(), 1);
    }

    #[test]
    fn hash_files_patterns() {
        let body = "format('{0}-{1}', runner.os, hashFiles('pyproject.toml', env.X))";
        let e = parse(body).unwrap();
        let calls = hash_files(&e);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].patterns[0].0, "pyproject.toml");
        assert_eq!(&body[calls[0].patterns[0].1.clone()], "'pyproject.toml'");
        assert!(calls[0].dynamic_args);
        let e = parse("HASHFILES('a')").unwrap();
        assert_eq!(hash_files(&e).len(), 1);
    }

    #[test]
    fn context_paths() {
        let e = parse("env['PY'] || steps.setup.outputs.python-version && runner.os == 'Linux'")
            .unwrap();
        let names: Vec<_> = contexts(&e).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["env.PY", "steps.setup.outputs.python-version", "runner.os"]
        );
    }

    #[test]
    fn unparseable_is_none() {
        assert!(parse("nosuchfn(1)").is_none());
        assert!(parse("a ==").is_none());
        assert!(parse(&"(".repeat(100_000)).is_none());
    }
}
