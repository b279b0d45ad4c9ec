//! A static reader for Python config files (a noxfile): never runs them. A small tokenizer
//! turns the text into logical lines; [`Module`] keeps what a tool's settings can be read from:
//! module-level assignments to dotted names (`nox.options.reuse_venv = "yes"`) whose value is a
//! literal, the decorated functions (`@nox.session(python=False)`), and how often each name
//! appears at all. A name that appears more often than in what was understood (an assignment in
//! an `if`, a computed value, a call that makes a session) makes what depends on it unknown:
//! callers compare [`Module::mentions`] with what they recognised.

use std::collections::HashMap;

#[cfg(test)]
mod tests;

/// A literal value, as far as the reader understands it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string literal (not an f-string).
    Str(String),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A number, as written.
    Number(String),
    /// A list or tuple of literals.
    List(Vec<Value>),
    /// Anything else: a name, a call, an expression, an f-string.
    Dynamic,
}

impl Value {
    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A decorator: its dotted name and, when called, its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Decorator {
    /// `nox.session`.
    pub name: String,
    /// Whether it is called (`@nox.session(...)`).
    pub called: bool,
    /// Keyword arguments with their values.
    pub kwargs: Vec<(String, Value)>,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Whether an argument could not be read (`**opts`, `*args`).
    pub dynamic: bool,
}

impl Decorator {
    /// A keyword argument's value.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A `def` with its decorators.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// Whether it is at module level (not inside a class, function or `if`).
    pub top_level: bool,
    /// Its decorators, outermost first.
    pub decorators: Vec<Decorator>,
}

/// What the reader keeps of a module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    /// Module-level assignments `a.b.c = value` (and `a.b.c: T = value`), in order.
    pub assignments: Vec<(String, Value)>,
    /// Functions with decorators.
    pub functions: Vec<Function>,
    /// `from a.b import x [as y]` at module level: (local name, `a.b.x`).
    pub imports: Vec<(String, String)>,
    /// How often each dotted name appears anywhere (`nox.options.envdir` counts for
    /// `nox.options.envdir`, `nox.options` and `nox`).
    mentions: HashMap<String, usize>,
    /// Whether the tokenizer met something it could not read (an unclosed string or bracket).
    pub broken: bool,
}

impl Module {
    /// How often the dotted name appears (as a whole, or as the start of a longer one).
    pub fn mentions(&self, dotted: &str) -> usize {
        self.mentions.get(dotted).copied().unwrap_or(0)
    }

    /// The last module-level assignment to `dotted`, if any.
    pub fn assigned(&self, dotted: &str) -> Option<&Value> {
        self.assignments
            .iter()
            .rev()
            .find(|(n, _)| n == dotted)
            .map(|(_, v)| v)
    }

    /// How many module-level assignments to `dotted` there are.
    pub fn assignment_count(&self, dotted: &str) -> usize {
        self.assignments.iter().filter(|(n, _)| n == dotted).count()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Str(Option<String>),
    Number(String),
    Op(&'static str),
}

struct Line {
    indent: usize,
    toks: Vec<Tok>,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":",
    ";", ".", "=", "@", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!",
];

/// At most this many bytes are read (a noxfile is a few kilobytes).
pub const MAX_LEN: usize = 1 << 20;

/// Reads a module. Never fails: what it cannot read makes [`Module::broken`] true.
pub fn read(src: &str) -> Module {
    let mut m = Module::default();
    if src.len() > MAX_LEN {
        m.broken = true;
        return m;
    }
    let lines = tokenize(src, &mut m.broken);
    for line in &lines {
        count_mentions(&line.toks, &mut m.mentions);
    }
    let mut decorators: Vec<Decorator> = vec![];
    let mut decorator_indent = 0;
    // Indentation of the enclosing blocks that are not plain module level.
    for line in &lines {
        let t = &line.toks;
        match t.first() {
            Some(Tok::Op("@")) => {
                if decorators.is_empty() {
                    decorator_indent = line.indent;
                }
                decorators.push(decorator(&t[1..]));
                continue;
            }
            Some(Tok::Name(n)) if n == "def" || n == "async" => {
                let name_at = if n == "async" { 2 } else { 1 };
                if let Some(Tok::Name(name)) = t.get(name_at)
                    && !decorators.is_empty()
                {
                    m.functions.push(Function {
                        name: name.clone(),
                        top_level: line.indent == 0 && decorator_indent == 0,
                        decorators: std::mem::take(&mut decorators),
                    });
                }
                decorators.clear();
                continue;
            }
            _ => {}
        }
        decorators.clear();
        if line.indent != 0 {
            continue;
        }
        if let Some(imp) = from_import(t) {
            m.imports.extend(imp);
            continue;
        }
        if let Some((target, value)) = assignment(t) {
            m.assignments.push((target, value));
        }
    }
    m
}

fn count_mentions(toks: &[Tok], mentions: &mut HashMap<String, usize>) {
    let mut i = 0;
    while i < toks.len() {
        let Tok::Name(first) = &toks[i] else {
            i += 1;
            continue;
        };
        // A name after a `.` is part of the dotted name before it.
        if i > 0 && toks[i - 1] == Tok::Op(".") {
            i += 1;
            continue;
        }
        let mut dotted = first.clone();
        *mentions.entry(dotted.clone()).or_default() += 1;
        let mut j = i + 1;
        while let (Some(Tok::Op(".")), Some(Tok::Name(n))) = (toks.get(j), toks.get(j + 1)) {
            dotted.push('.');
            dotted.push_str(n);
            *mentions.entry(dotted.clone()).or_default() += 1;
            // The last part on its own too (`reuse_venv` in `opts.reuse_venv`).
            *mentions.entry(format!(".{n}")).or_default() += 1;
            j += 2;
        }
        i = j;
    }
}

/// `a.b.c` starting at `toks[*i]`, advancing `*i`.
fn dotted_name(toks: &[Tok], i: &mut usize) -> Option<String> {
    let Some(Tok::Name(first)) = toks.get(*i) else {
        return None;
    };
    let mut name = first.clone();
    *i += 1;
    while let (Some(Tok::Op(".")), Some(Tok::Name(n))) = (toks.get(*i), toks.get(*i + 1)) {
        name.push('.');
        name.push_str(n);
        *i += 2;
    }
    Some(name)
}

/// `target = value` or `target: T = value` (one target, a dotted name).
fn assignment(toks: &[Tok]) -> Option<(String, Value)> {
    let mut i = 0;
    let target = dotted_name(toks, &mut i)?;
    if target.split('.').any(is_keyword) {
        return None;
    }
    match toks.get(i)? {
        Tok::Op("=") => i += 1,
        Tok::Op(":") => {
            // An annotation: skip to the `=` at bracket depth 0.
            let mut depth = 0usize;
            i += 1;
            loop {
                match toks.get(i)? {
                    Tok::Op("(" | "[" | "{") => depth += 1,
                    Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                    Tok::Op("=") if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        }
        _ => return None,
    }
    let rest = toks.get(i..)?;
    // `a = b = c` and `a = x if y else z`: the value is whatever the whole expression is.
    let (value, used) = literal(rest);
    let value = if used == rest.len() {
        value
    } else {
        Value::Dynamic
    };
    Some((target, value))
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "if" | "elif"
            | "else"
            | "for"
            | "while"
            | "with"
            | "try"
            | "except"
            | "finally"
            | "return"
            | "import"
            | "from"
            | "class"
            | "def"
            | "del"
            | "assert"
            | "raise"
            | "global"
            | "nonlocal"
            | "pass"
            | "lambda"
            | "yield"
            | "not"
            | "and"
            | "or"
            | "is"
            | "in"
            | "match"
            | "case"
    )
}

/// A literal at the start of `toks`: the value and how many tokens it took (`Dynamic` and the
/// tokens up to the next `,` or closing bracket at depth 0 when it is not a literal).
fn literal(toks: &[Tok]) -> (Value, usize) {
    let simple = match toks.first() {
        Some(Tok::Str(Some(s))) => {
            // Adjacent string literals concatenate.
            let mut s = s.clone();
            let mut n = 1;
            while let Some(Tok::Str(next)) = toks.get(n) {
                match next {
                    Some(t) => s.push_str(t),
                    None => return skip_expr(toks),
                }
                n += 1;
            }
            Some((Value::Str(s), n))
        }
        Some(Tok::Name(n)) if n == "True" => Some((Value::Bool(true), 1)),
        Some(Tok::Name(n)) if n == "False" => Some((Value::Bool(false), 1)),
        Some(Tok::Name(n)) if n == "None" => Some((Value::None, 1)),
        Some(Tok::Number(n)) => Some((Value::Number(n.clone()), 1)),
        Some(Tok::Op(open @ ("[" | "("))) => {
            let close = if *open == "[" { "]" } else { ")" };
            let mut items = vec![];
            let mut i = 1;
            let mut ok = true;
            let mut comma = false;
            loop {
                match toks.get(i) {
                    None => return (Value::Dynamic, toks.len()),
                    Some(Tok::Op(c)) if *c == close => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                let (v, used) = literal(&toks[i..]);
                if v == Value::Dynamic {
                    ok = false;
                }
                items.push(v);
                i += used.max(1);
                match toks.get(i) {
                    Some(Tok::Op(",")) => {
                        comma = true;
                        i += 1;
                    }
                    Some(Tok::Op(c)) if *c == close => {}
                    _ => ok = false,
                }
                if !ok {
                    // Skip to the matching close.
                    let (_, used) = skip_expr(toks);
                    return (Value::Dynamic, used);
                }
            }
            // `("a" "b")` is a string in parentheses, `("a",)` a tuple.
            if *open == "(" && !comma && items.len() == 1 {
                Some((items.pop().unwrap_or(Value::Dynamic), i))
            } else {
                Some((Value::List(items), i))
            }
        }
        _ => None,
    };
    match simple {
        // A literal followed by an operator is an expression (`"a" + x`, `[1] * 2`).
        Some((v, n)) => match toks.get(n) {
            None | Some(Tok::Op("," | ")" | "]" | "}" | ";")) => (v, n),
            _ => {
                let (_, used) = skip_expr(toks);
                (Value::Dynamic, used)
            }
        },
        None => skip_expr(toks),
    }
}

/// Skips one expression: up to a `,` or closing bracket at depth 0.
fn skip_expr(toks: &[Tok]) -> (Value, usize) {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") if depth == 0 => return (Value::Dynamic, i),
            Tok::Op(")" | "]" | "}") => depth -= 1,
            Tok::Op(",") if depth == 0 => return (Value::Dynamic, i),
            _ => {}
        }
    }
    (Value::Dynamic, toks.len())
}

/// `@name` or `@name(args)` (the tokens after `@`).
fn decorator(toks: &[Tok]) -> Decorator {
    let mut i = 0;
    let name = dotted_name(toks, &mut i).unwrap_or_default();
    let mut d = Decorator {
        name,
        called: false,
        kwargs: vec![],
        args: vec![],
        dynamic: false,
    };
    match toks.get(i) {
        None => return d,
        Some(Tok::Op("(")) => {}
        Some(_) => {
            d.dynamic = true;
            return d;
        }
    }
    d.called = true;
    i += 1;
    loop {
        match toks.get(i) {
            None => {
                d.dynamic = true;
                break;
            }
            Some(Tok::Op(")")) => break,
            Some(Tok::Op("*" | "**")) => {
                d.dynamic = true;
                let (_, used) = skip_expr(&toks[i + 1..]);
                i += 1 + used;
            }
            Some(Tok::Name(k)) if toks.get(i + 1) == Some(&Tok::Op("=")) => {
                let (v, used) = literal(&toks[i + 2..]);
                d.kwargs.push((k.clone(), v));
                i += 2 + used;
            }
            Some(_) => {
                let (v, used) = literal(&toks[i..]);
                d.args.push(v);
                i += used.max(1);
            }
        }
        match toks.get(i) {
            Some(Tok::Op(",")) => i += 1,
            Some(Tok::Op(")")) => break,
            _ => {
                d.dynamic = true;
                break;
            }
        }
    }
    d
}

/// `from a.b import x, y as z` (also in parentheses).
fn from_import(toks: &[Tok]) -> Option<Vec<(String, String)>> {
    if toks.first() != Some(&Tok::Name("from".into())) {
        return None;
    }
    let mut i = 1;
    let module = dotted_name(toks, &mut i)?;
    if toks.get(i) != Some(&Tok::Name("import".into())) {
        return None;
    }
    i += 1;
    let mut out = vec![];
    while let Some(t) = toks.get(i) {
        match t {
            Tok::Name(n) => {
                let (local, next) = match (toks.get(i + 1), toks.get(i + 2)) {
                    (Some(Tok::Name(a)), Some(Tok::Name(alias))) if a == "as" => (alias, i + 3),
                    _ => (n, i + 1),
                };
                out.push((local.clone(), format!("{module}.{n}")));
                i = next;
            }
            _ => i += 1,
        }
    }
    Some(out)
}

/// Splits the text into logical lines of tokens.
fn tokenize(src: &str, broken: &mut bool) -> Vec<Line> {
    let b = src.as_bytes();
    let mut lines = vec![];
    let mut toks = vec![];
    let mut depth = 0usize;
    let mut indent = 0;
    let mut at_line_start = true;
    let mut i = 0;
    let mut col;
    while i < b.len() {
        let c = b[i];
        if at_line_start {
            // Measure the indentation of a new logical line.
            col = 0;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == b'\x0c') {
                col += if b[i] == b'\t' { 8 - col % 8 } else { 1 };
                i += 1;
            }
            at_line_start = false;
            indent = col;
            continue;
        }
        match c {
            b'\n' => {
                i += 1;
                if depth == 0 {
                    if !toks.is_empty() {
                        lines.push(Line {
                            indent,
                            toks: std::mem::take(&mut toks),
                        });
                    }
                    at_line_start = true;
                }
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &src[start..i];
                // A string prefix (`r"..."`, `f'...'`, `rb"..."`).
                if word.len() <= 2
                    && matches!(b.get(i), Some(b'"' | b'\''))
                    && word
                        .bytes()
                        .all(|p| matches!(p.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f'))
                {
                    let lower = word.to_ascii_lowercase();
                    let (s, end) = string(src, i, lower.contains('r'));
                    i = end;
                    match s {
                        Some(s) if !lower.contains('f') && !lower.contains('b') => {
                            toks.push(Tok::Str(Some(s)))
                        }
                        Some(_) => toks.push(Tok::Str(None)),
                        None => {
                            *broken = true;
                            toks.push(Tok::Str(None));
                        }
                    }
                } else {
                    toks.push(Tok::Name(word.to_string()));
                }
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                toks.push(Tok::Number(src[start..i].to_string()));
            }
            b'"' | b'\'' => {
                let (s, end) = string(src, i, false);
                if s.is_none() {
                    *broken = true;
                }
                toks.push(Tok::Str(s));
                i = end;
            }
            _ => {
                let rest = &src[i..];
                match OPS.iter().find(|op| rest.starts_with(**op)) {
                    Some(op) => {
                        match *op {
                            "(" | "[" | "{" => depth += 1,
                            ")" | "]" | "}" => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                        toks.push(Tok::Op(op));
                        i += op.len();
                    }
                    None => {
                        // A byte of a character the reader does not know: skip its char.
                        i += rest.chars().next().map_or(1, char::len_utf8);
                    }
                }
            }
        }
    }
    if depth != 0 {
        *broken = true;
    }
    if !toks.is_empty() {
        lines.push(Line { indent, toks });
    }
    lines
}

/// A string literal starting at `b[start]` (a quote): its value (`None`: unclosed) and the
/// index after it.
fn string(src: &str, start: usize, raw: bool) -> (Option<String>, usize) {
    let b = src.as_bytes();
    let q = b[start];
    let triple = b.get(start + 1) == Some(&q) && b.get(start + 2) == Some(&q);
    let mut i = start + if triple { 3 } else { 1 };
    let mut out = String::new();
    let mut seg = i;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() {
            if raw {
                // A raw string keeps the backslash; it still escapes a quote.
                i += 2;
                continue;
            }
            out.push_str(&src[seg..i]);
            let next = b[i + 1];
            match next {
                b'n' => out.push('\n'),
                b't' => out.push('\t'),
                b'\\' => out.push('\\'),
                b'\'' => out.push('\''),
                b'"' => out.push('"'),
                b'\n' => {}
                _ => {
                    out.push('\\');
                    let ch = src[i + 1..].chars().next().unwrap_or('\\');
                    out.push(ch);
                    i += 1 + ch.len_utf8();
                    seg = i;
                    continue;
                }
            }
            i += 2;
            seg = i;
            continue;
        }
        if c == q {
            if !triple {
                out.push_str(&src[seg..i]);
                return (Some(out), i + 1);
            }
            if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                out.push_str(&src[seg..i]);
                return (Some(out), i + 3);
            }
        }
        if c == b'\n' && !triple {
            return (None, i);
        }
        i += 1;
    }
    (None, b.len())
}
