//! Line-level lexer for PowerShell and Windows `cmd` scripts.
//!
//! Commands are separated by newlines, `;`, `|`, `&&`, `||` (and `&` in cmd, `{`/`}` script
//! blocks in PowerShell, a leading `(`). Words are split on blanks with quoting. Expressions
//! (`$x.Foo()`, `"string"`, `[Type]::M()`) and keywords are not commands.

use memchr::{memchr, memmem};

use super::emit::emit;
use super::posix;
use super::word::{Lexed, WordBuilder};
use super::{Command, sort_commands};

pub(crate) fn scan(text: &str, ps: bool, needles: &[&str]) -> Vec<Command> {
    let mut lx = Simple {
        b: text.as_bytes(),
        needles,
        pos: 0,
        ps,
        out: Vec::new(),
        expr_fail: usize::MAX,
    };
    lx.run();
    sort_commands(&mut lx.out);
    lx.out
}

struct Simple<'a> {
    b: &'a [u8],
    /// Only commands mentioning one of these are kept (see [`super::scan_for`]).
    needles: &'a [&'a str],
    pos: usize,
    /// PowerShell (else cmd).
    ps: bool,
    out: Vec<Command>,
    /// No `}}` exists at or after this offset.
    expr_fail: usize,
}

const PS_KEYWORDS: &[&str] = &[
    "if",
    "elseif",
    "else",
    "foreach",
    "for",
    "while",
    "do",
    "until",
    "switch",
    "try",
    "catch",
    "finally",
    "function",
    "filter",
    "workflow",
    "param",
    "begin",
    "process",
    "end",
    "trap",
    "class",
    "enum",
    "using",
    "data",
    "dynamicparam",
    "return",
    "throw",
    "break",
    "continue",
];

fn is_ps_keyword(t: &str) -> bool {
    PS_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(t))
}

impl Simple<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn peek(&self) -> Option<u8> {
        self.at(self.pos)
    }

    fn rest(&self, a: usize) -> &[u8] {
        self.b.get(a..).unwrap_or_default()
    }

    fn line_end(&self, p: usize) -> usize {
        memchr(b'\n', self.rest(p)).map_or(self.b.len(), |i| p + i)
    }

    /// The escape character: backtick in PowerShell, caret in cmd.
    fn escape(&self) -> u8 {
        if self.ps { b'`' } else { b'^' }
    }

    fn run(&mut self) {
        let mut words: Vec<Lexed> = Vec::new();
        let mut call = false;
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else {
                break;
            };
            let n1 = self.at(self.pos + 1);
            let at_start = words.is_empty() && !call;
            match c {
                b'\n' | b';' => {
                    self.pos += 1;
                    self.finish(&mut words, &mut call);
                }
                b'|' => {
                    self.pos += if n1 == Some(b'|') { 2 } else { 1 };
                    self.finish(&mut words, &mut call);
                }
                b'&' => {
                    if n1 == Some(b'&') {
                        self.pos += 2;
                        self.finish(&mut words, &mut call);
                    } else if self.ps && at_start {
                        // Call operator: `& nox -s x`, `& "C:\x\nox.exe"`.
                        self.pos += 1;
                        call = true;
                    } else {
                        self.pos += 1;
                        self.finish(&mut words, &mut call);
                    }
                }
                b'{' | b'}' if self.ps => {
                    self.pos += 1;
                    self.finish(&mut words, &mut call);
                }
                b'(' | b')' if !(c == b'(' && !self.ps && is_cmd_for(&words)) => {
                    self.pos += 1;
                    self.finish(&mut words, &mut call);
                }
                b'$' | b'@' if self.ps && n1 == Some(b'(') => {
                    self.pos += 2;
                    self.finish(&mut words, &mut call);
                }
                b'#' if self.ps => self.pos = self.line_end(self.pos),
                b'<' if self.ps && n1 == Some(b'#') => {
                    self.pos = memmem::find(self.rest(self.pos + 2), b"#>")
                        .map_or(self.b.len(), |i| self.pos + 2 + i + 2);
                }
                b'@' if !self.ps && at_start => self.pos += 1,
                _ => {
                    if !self.ps && at_start && self.cmd_comment() {
                        self.pos = self.line_end(self.pos);
                        continue;
                    }
                    if self.redirection() {
                        continue;
                    }
                    let start = self.pos;
                    let w = self.word();
                    if self.pos == start {
                        // Cannot happen (every byte reaching here starts a word); progress anyway.
                        self.pos += 1;
                        continue;
                    }
                    words.push(w);
                }
            }
        }
        self.finish(&mut words, &mut call);
    }

    fn skip_blanks(&mut self) {
        let esc = self.escape();
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                c if c == esc && self.at(self.pos + 1) == Some(b'\n') => self.pos += 2,
                c if c == esc
                    && self.at(self.pos + 1) == Some(b'\r')
                    && self.at(self.pos + 2) == Some(b'\n') =>
                {
                    self.pos += 3;
                }
                _ => return,
            }
        }
    }

    /// cmd: `REM ...`, `:: ...` and `:label` lines.
    fn cmd_comment(&self) -> bool {
        let r = self.rest(self.pos);
        if r.first() == Some(&b':') {
            return true;
        }
        r.get(..3).is_some_and(|k| k.eq_ignore_ascii_case(b"rem"))
            && r.get(3)
                .is_none_or(|c| c.is_ascii_whitespace() || *c == b'.')
    }

    /// At a word start: consumes a redirection (`>`, `>>`, `2>&1`, `*>`, `< f`) and its target.
    fn redirection(&mut self) -> bool {
        let mut p = self.pos;
        if self
            .at(p)
            .is_some_and(|c| c.is_ascii_digit() || (self.ps && c == b'*'))
        {
            p += 1;
        }
        match self.at(p) {
            Some(b'>') => {
                p += 1;
                if self.at(p) == Some(b'>') {
                    p += 1;
                }
            }
            Some(b'<') => p += 1,
            _ => return false,
        }
        self.pos = p;
        if self.peek() == Some(b'&') && self.at(p + 1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 2;
            return true;
        }
        self.skip_blanks();
        if self.peek().is_some_and(|c| {
            !matches!(
                c,
                b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>' | b'{' | b'}'
            )
        }) {
            self.word();
        }
        true
    }

    fn finish(&mut self, words: &mut Vec<Lexed>, call: &mut bool) {
        let ws = std::mem::take(words);
        let call = std::mem::take(call);
        if ws.is_empty() {
            return;
        }
        let mark = self.out.len();
        let ws = if call {
            Some(ws)
        } else if self.ps {
            ps_command(ws)
        } else {
            cmd_command(ws, &mut self.out)
        };
        if let Some(mut ws) = ws {
            // `bash -c STRING` on a PowerShell or cmd line: the string is a POSIX script.
            emit(
                &mut self.out,
                &mut ws,
                mark,
                0,
                false,
                self.needles,
                posix::scan_text,
            );
        }
    }

    fn expr_end(&mut self, p: usize) -> Option<usize> {
        super::word::expr_end(self.b, p, &mut self.expr_fail)
    }

    fn word(&mut self) -> Lexed {
        let start = self.pos;
        let mut wb = WordBuilder::new();
        let mut quoted = false;
        let mut parens = 0usize;
        let esc = self.escape();
        if self.ps
            && let Some(w) = self.here_string()
        {
            return w;
        }
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' => break,
                b'{' | b'}' if self.ps => break,
                b'(' => {
                    if self.ps
                        && parens == 0
                        && wb.text().len() <= 12
                        && std::str::from_utf8(wb.text()).is_ok_and(is_ps_keyword)
                    {
                        break;
                    }
                    parens += 1;
                    wb.push_run(self.b, self.pos, self.pos + 1);
                    self.pos += 1;
                }
                b')' => {
                    if parens == 0 {
                        break;
                    }
                    parens -= 1;
                    wb.push_run(self.b, self.pos, self.pos + 1);
                    self.pos += 1;
                }
                b'\'' | b'"' => {
                    quoted = true;
                    self.pos += 1;
                    self.quoted(&mut wb, c);
                }
                c if c == esc => {
                    let (next, q) = wb.backslash(self.b, self.pos);
                    self.pos = next;
                    quoted |= q;
                }
                b'$' => {
                    let e = match self.expr_end(self.pos) {
                        Some(e) => e,
                        // `${env:ProgramFiles(x86)}`
                        None if self.ps && self.at(self.pos + 1) == Some(b'{') => {
                            memchr(b'}', self.rest(self.pos))
                                .map_or(self.b.len(), |i| self.pos + i + 1)
                        }
                        None => self.pos + 1,
                    };
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
                _ => {
                    let mut e = self.pos + 1;
                    while self.at(e).is_some_and(|c| {
                        !matches!(
                            c,
                            b' ' | b'\t'
                                | b'\r'
                                | b'\n'
                                | b';'
                                | b'|'
                                | b'&'
                                | b'<'
                                | b'>'
                                | b'{'
                                | b'}'
                                | b'('
                                | b')'
                                | b'\''
                                | b'"'
                                | b'`'
                                | b'^'
                                | b'$'
                        )
                    }) {
                        e += 1;
                    }
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
            }
        }
        wb.finish(start..self.pos, quoted, !quoted)
    }

    /// Inside a `'...'` or `"..."` string (opening quote consumed). PowerShell strings may span
    /// lines and double the quote to escape it; cmd strings end at the end of the line.
    fn quoted(&mut self, wb: &mut WordBuilder, q: u8) {
        loop {
            let Some(c) = self.peek() else {
                return;
            };
            if c == q {
                if self.ps && self.at(self.pos + 1) == Some(q) {
                    wb.push_run(self.b, self.pos, self.pos + 1);
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                return;
            }
            match c {
                b'\n' if !self.ps => return,
                b'`' if self.ps && q == b'"' => {
                    if self.at(self.pos + 1).is_some() {
                        wb.push_run(self.b, self.pos + 1, self.pos + 2);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                }
                b'$' => {
                    let e = self.expr_end(self.pos).unwrap_or(self.pos + 1);
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
                _ => {
                    let mut e = self.pos + 1;
                    while self
                        .at(e)
                        .is_some_and(|x| x != q && !matches!(x, b'\n' | b'`' | b'$'))
                    {
                        e += 1;
                    }
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
            }
        }
    }

    /// PowerShell here-string `@"` / `@'` + newline ... newline + `"@` / `'@`.
    fn here_string(&mut self) -> Option<Lexed> {
        let start = self.pos;
        let q = match self.rest(start) {
            [b'@', q @ (b'"' | b'\''), ..] => *q,
            _ => return None,
        };
        let mut p = start + 2;
        while self
            .at(p)
            .is_some_and(|c| c == b' ' || c == b'\t' || c == b'\r')
        {
            p += 1;
        }
        if self.at(p) != Some(b'\n') {
            return None;
        }
        let body_start = p + 1;
        let mut line = body_start;
        let (body_end, end) = loop {
            if line >= self.b.len() {
                break (self.b.len(), self.b.len());
            }
            let mut l = line;
            while self.at(l).is_some_and(|c| c == b' ' || c == b'\t') {
                l += 1;
            }
            if self.at(l) == Some(q) && self.at(l + 1) == Some(b'@') {
                let body_end = line.saturating_sub(1).max(body_start);
                let body_end = if body_end > body_start && self.at(body_end - 1) == Some(b'\r') {
                    body_end - 1
                } else {
                    body_end
                };
                break (body_end, l + 2);
            }
            line = self.line_end(line) + 1;
        };
        let mut wb = WordBuilder::new();
        wb.push_run(self.b, body_start, body_end);
        self.pos = end;
        Some(wb.finish(start..end, true, false))
    }
}

/// cmd: `for %%f in (set) do ...` keeps its `(set)` as a word.
fn is_cmd_for(words: &[Lexed]) -> bool {
    words
        .first()
        .is_some_and(|w| w.word.text.eq_ignore_ascii_case("for"))
}

/// PowerShell: the command in `words`, if the statement runs one.
fn ps_command(mut ws: Vec<Lexed>) -> Option<Vec<Lexed>> {
    let mut i = 0;
    loop {
        let first = ws.get(i)?;
        let t = first.word.text.as_str();
        if first.word.quoted {
            // A string expression (use `& "..."` to call it).
            return None;
        }
        if t.starts_with('$') && !t.starts_with("${{") {
            // `$x = nox --version`
            let is_assign = ws.get(i + 1).is_some_and(|w| {
                matches!(
                    w.word.text.as_str(),
                    "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "??="
                )
            });
            if is_assign && ws.len() > i + 2 {
                i += 2;
                continue;
            }
            return None;
        }
        let expr_start = t
            .bytes()
            .next()
            .is_none_or(|c| c.is_ascii_digit() || matches!(c, b'[' | b'@' | b'-' | b','));
        if expr_start || is_ps_keyword(t) || ws.get(i + 1).is_some_and(|w| w.word.text == "=") {
            return None;
        }
        ws.drain(..i);
        return Some(ws);
    }
}

/// cmd: the command in `words` (`if ... CMD`, `for ... do CMD`, `call CMD`).
fn cmd_command(mut ws: Vec<Lexed>, out: &mut Vec<Command>) -> Option<Vec<Lexed>> {
    let mut i = 0;
    // Bounded so that `call call call ...` cannot produce quadratic output.
    for _ in 0..16 {
        let first = ws.get(i)?;
        let lower = |k: usize| {
            ws.get(k)
                .map(|w| w.word.text.to_ascii_lowercase())
                .unwrap_or_default()
        };
        let skip = match first.word.text.to_ascii_lowercase().as_str() {
            "if" => {
                let mut k = i + 1;
                if lower(k) == "not" {
                    k += 1;
                }
                if lower(k) == "/i" {
                    k += 1;
                }
                match lower(k).as_str() {
                    "exist" | "defined" | "errorlevel" | "cmdextversion" => k + 2,
                    w if w.contains("==") => k + 1,
                    _ => {
                        let op = lower(k + 1);
                        if matches!(
                            op.as_str(),
                            "==" | "equ" | "neq" | "lss" | "leq" | "gtr" | "geq"
                        ) {
                            k + 3
                        } else {
                            k + 1
                        }
                    }
                }
            }
            "for" => ws
                .iter()
                .skip(i)
                .position(|w| w.word.text.eq_ignore_ascii_case("do"))
                .map_or(ws.len(), |k| i + k + 1),
            "else" => i + 1,
            "call" => {
                if ws.len() > i + 1 {
                    out.push(Command {
                        words: ws.iter().skip(i).map(|l| l.word.clone()).collect(),
                    });
                }
                i + 1
            }
            _ => break,
        };
        if skip >= ws.len() {
            return None;
        }
        i = skip;
    }
    ws.drain(..i);
    Some(ws)
}
