//! Lexer for bash/sh/zsh-like scripts.
//!
//! Compound commands are tracked with a small mode machine and an explicit frame stack (no
//! recursion); only substitutions (`$(...)`, backticks, `<(...)`) and `bash -c` strings recurse,
//! and only up to [`MAX_DEPTH`] levels: deeper substitutions are skipped iteratively.

use memchr::{memchr, memchr2, memmem};

use super::emit::{emit, is_assignment_bytes};
use super::word::{Lexed, WordBuilder};
use super::{Command, MAX_DEPTH, sort_commands};

/// How far ahead `((` / `$((` is examined to tell arithmetic from nested subshells.
const ARITH_LOOKAHEAD: usize = 512;

/// Scans `text` as a POSIX script; commands are sorted by source position.
///
/// `opaque` are sorted, non-overlapping ranges of `text` holding substitutions that were
/// already expanded (and scanned) by an outer shell: they are kept as text, not scanned again.
pub(crate) fn scan_text(
    text: &str,
    opaque: &[(usize, usize)],
    depth: usize,
    needles: &[&str],
) -> Vec<Command> {
    let mut p = Posix {
        s: text,
        b: text.as_bytes(),
        opaque,
        needles,
        pos: 0,
        out: Vec::new(),
        heredocs: Vec::new(),
        expr_fail: usize::MAX,
    };
    p.parse_list(End::Eof, depth);
    sort_commands(&mut p.out);
    p.out
}

/// What ends the command list being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Eof,
    /// `)` of `$(`, `<(`, `>(`.
    Paren,
    /// Closing backtick.
    Backtick,
}

#[derive(Clone, Copy)]
enum Redir {
    /// `>`, `<`, `>>`, `2>&`, `<<<`, ...: the next word is the target.
    Plain,
    /// `<<` / `<<-`: the next word is the delimiter.
    HereDoc { strip_tabs: bool },
}

enum Tok {
    Eof,
    Newline,
    Semi,
    /// `;;`, `;&`, `;;&`
    CaseEnd,
    Amp,
    AndAnd,
    OrOr,
    Pipe,
    LParen,
    RParen,
    BacktickEnd,
    Redir(Redir),
    Word(Lexed),
}

/// Where in a command list we are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Simple commands (and reserved words at command position).
    Normal,
    /// After `for`/`select` up to the end of the header: words are not commands.
    ForHeader,
    /// After `case`, up to `in`.
    CaseSubject,
    /// Case patterns, up to `)`.
    CasePattern,
    /// Inside `[[ ... ]]`.
    DBracket,
    /// After `fi`, `done`, `}`, `esac`, `)` or `(( ))`: only redirections until a separator.
    AfterCompound,
    /// After `function`: the name.
    FuncName,
}

enum Frame {
    Subshell,
    Case,
}

struct HereDoc {
    delim: Vec<u8>,
    strip_tabs: bool,
}

struct Posix<'a> {
    s: &'a str,
    b: &'a [u8],
    /// Substitutions in `b` already expanded by an outer shell: `bash -c "echo $(date)"` runs
    /// `date` before bash sees the string, so re-scanning the string must not report it again.
    /// Without this, nested `bash -c "$(bash -c "$(...)")"` would take exponential time.
    opaque: &'a [(usize, usize)],
    /// Only commands mentioning one of these are kept (see [`super::scan_for`]).
    needles: &'a [&'a str],
    pos: usize,
    out: Vec<Command>,
    /// Here-documents whose bodies start after the next newline token.
    heredocs: Vec<HereDoc>,
    /// No `}}` exists at or after this offset (memo so unclosed `${{` stays linear).
    expr_fail: usize,
}

/// Bytes that end an unquoted run of ordinary word characters.
const fn special_table() -> [bool; 256] {
    let mut t = [false; 256];
    let specials = b" \t\r\n;&|()<>`\\'\"$";
    let mut i = 0;
    while i < specials.len() {
        t[specials[i] as usize] = true;
        i += 1;
    }
    t
}
static SPECIAL: [bool; 256] = special_table();

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

impl Posix<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn peek(&self) -> Option<u8> {
        self.at(self.pos)
    }

    fn slice(&self, a: usize, b: usize) -> &[u8] {
        self.b.get(a..b).unwrap_or_default()
    }

    fn rest(&self, a: usize) -> &[u8] {
        self.b.get(a..).unwrap_or_default()
    }

    /// Position of the end of the line starting at or after `p` (the `\n` or the end).
    fn line_end(&self, p: usize) -> usize {
        memchr(b'\n', self.rest(p)).map_or(self.b.len(), |i| p + i)
    }

    // ------------------------------------------------------------------ command lists

    fn parse_list(&mut self, end: End, depth: usize) {
        let in_bt = end == End::Backtick;
        let mut mode = Mode::Normal;
        let mut stack: Vec<Frame> = Vec::new();
        let mut cmd: Vec<Lexed> = Vec::new();
        // A redirection or assignment was seen: reserved words are no longer recognised.
        let mut prefix = false;
        let mut mark = self.out.len();
        let mut redir: Option<Redir> = None;
        let mut andor = false;
        loop {
            let tok = self.next_token(in_bt, depth);
            let pending = redir.take();
            let was_andor = std::mem::replace(&mut andor, false);
            match tok {
                Tok::Word(w) => {
                    if let Some(r) = pending {
                        if let Redir::HereDoc { strip_tabs } = r
                            && mode != Mode::DBracket
                        {
                            self.heredocs.push(HereDoc {
                                delim: w.word.text.into_bytes(),
                                strip_tabs,
                            });
                        }
                        continue;
                    }
                    match mode {
                        Mode::Normal => {
                            if cmd.is_empty() {
                                if !prefix && w.plain {
                                    match w.word.text.as_str() {
                                        "if" | "then" | "elif" | "else" | "do" | "while"
                                        | "until" | "!" | "{" => continue,
                                        "fi" | "done" | "}" => {
                                            mode = Mode::AfterCompound;
                                            continue;
                                        }
                                        "esac" => {
                                            pop_case(&mut stack);
                                            mode = Mode::AfterCompound;
                                            continue;
                                        }
                                        "for" | "select" => {
                                            mode = Mode::ForHeader;
                                            continue;
                                        }
                                        "case" => {
                                            stack.push(Frame::Case);
                                            mode = Mode::CaseSubject;
                                            continue;
                                        }
                                        "function" => {
                                            mode = Mode::FuncName;
                                            continue;
                                        }
                                        "[[" => {
                                            mode = Mode::DBracket;
                                            continue;
                                        }
                                        _ => {}
                                    }
                                }
                                let raw = self.slice(w.word.span.start, w.word.span.end);
                                if is_assignment_bytes(raw) {
                                    prefix = true;
                                    continue;
                                }
                            }
                            cmd.push(w);
                        }
                        Mode::ForHeader | Mode::AfterCompound => {}
                        Mode::CaseSubject => {
                            if w.plain && w.word.text == "in" {
                                mode = Mode::CasePattern;
                            }
                        }
                        Mode::CasePattern => {
                            if w.plain && w.word.text == "esac" {
                                pop_case(&mut stack);
                                mode = Mode::AfterCompound;
                            }
                        }
                        Mode::DBracket => {
                            if w.plain && w.word.text == "]]" {
                                mode = Mode::AfterCompound;
                            }
                        }
                        Mode::FuncName => mode = Mode::Normal,
                    }
                }
                Tok::Redir(r) => {
                    redir = Some(r);
                    prefix = true;
                }
                Tok::Newline => {
                    match mode {
                        Mode::DBracket if was_andor => continue,
                        Mode::CaseSubject | Mode::CasePattern => {}
                        _ => mode = Mode::Normal,
                    }
                    self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                }
                Tok::Semi => {
                    if !matches!(mode, Mode::CaseSubject | Mode::CasePattern) {
                        mode = Mode::Normal;
                    }
                    self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                }
                Tok::CaseEnd => {
                    self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                    mode = if matches!(stack.last(), Some(Frame::Case)) {
                        Mode::CasePattern
                    } else {
                        Mode::Normal
                    };
                }
                Tok::Amp | Tok::Pipe | Tok::AndAnd | Tok::OrOr => {
                    match mode {
                        Mode::DBracket => {
                            andor = matches!(tok, Tok::AndAnd | Tok::OrOr);
                            continue;
                        }
                        Mode::CasePattern => continue,
                        _ => mode = Mode::Normal,
                    }
                    self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                }
                Tok::LParen => match mode {
                    Mode::Normal if !prefix && cmd.len() == 1 && self.eat_close_paren() => {
                        // `name() body`: a function definition, not a command.
                        cmd.clear();
                        mark = self.out.len();
                    }
                    Mode::Normal if !prefix && cmd.is_empty() => {
                        if self.peek() == Some(b'(')
                            && let Some(e) = self.arith_end(self.pos.saturating_sub(1), depth)
                        {
                            self.pos = e;
                            mode = Mode::AfterCompound;
                        } else if !self.eat_close_paren() {
                            stack.push(Frame::Subshell);
                        }
                    }
                    Mode::ForHeader if self.peek() == Some(b'(') => {
                        if let Some(e) = self.arith_end(self.pos.saturating_sub(1), depth) {
                            self.pos = e;
                        }
                    }
                    _ => {}
                },
                Tok::RParen => match mode {
                    Mode::CasePattern => mode = Mode::Normal,
                    Mode::DBracket => {}
                    _ => {
                        self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                        if let Some(i) = stack.iter().rposition(|f| matches!(f, Frame::Subshell)) {
                            stack.truncate(i);
                            mode = Mode::AfterCompound;
                        } else if end == End::Paren {
                            return;
                        } else {
                            mode = Mode::Normal;
                        }
                    }
                },
                Tok::BacktickEnd | Tok::Eof => {
                    self.finish(&mut cmd, &mut prefix, &mut mark, depth);
                    return;
                }
            }
        }
    }

    fn finish(&mut self, cmd: &mut Vec<Lexed>, prefix: &mut bool, mark: &mut usize, depth: usize) {
        emit(
            &mut self.out,
            cmd,
            *mark,
            depth,
            true,
            self.needles,
            scan_text,
        );
        *prefix = false;
        *mark = self.out.len();
    }

    /// Skips blanks; if a `)` follows, consumes it and returns true.
    fn eat_close_paren(&mut self) -> bool {
        let mut p = self.pos;
        while self.at(p).is_some_and(is_blank) {
            p += 1;
        }
        if self.at(p) == Some(b')') {
            self.pos = p + 1;
            true
        } else {
            false
        }
    }

    // ------------------------------------------------------------------ tokens

    fn next_token(&mut self, in_bt: bool, depth: usize) -> Tok {
        loop {
            let Some(c) = self.peek() else {
                return Tok::Eof;
            };
            let n1 = self.at(self.pos + 1);
            let n2 = self.at(self.pos + 2);
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if n1 == Some(b'\n') => self.pos += 2,
                b'\\' if n1 == Some(b'\r') && n2 == Some(b'\n') => self.pos += 3,
                b'#' => {
                    let rest = self.rest(self.pos);
                    let len = if in_bt {
                        memchr2(b'\n', b'`', rest)
                    } else {
                        memchr(b'\n', rest)
                    };
                    self.pos = len.map_or(self.b.len(), |i| self.pos + i);
                }
                b'\n' => {
                    self.pos += 1;
                    self.read_heredocs();
                    return Tok::Newline;
                }
                b';' => {
                    let (tok, len) = match (n1, n2) {
                        (Some(b';'), Some(b'&')) => (Tok::CaseEnd, 3),
                        (Some(b';' | b'&'), _) => (Tok::CaseEnd, 2),
                        _ => (Tok::Semi, 1),
                    };
                    self.pos += len;
                    return tok;
                }
                b'&' => {
                    let (tok, len) = match (n1, n2) {
                        (Some(b'&'), _) => (Tok::AndAnd, 2),
                        (Some(b'>'), Some(b'>')) => (Tok::Redir(Redir::Plain), 3),
                        (Some(b'>'), _) => (Tok::Redir(Redir::Plain), 2),
                        _ => (Tok::Amp, 1),
                    };
                    self.pos += len;
                    return tok;
                }
                b'|' => {
                    let (tok, len) = match n1 {
                        Some(b'|') => (Tok::OrOr, 2),
                        Some(b'&') => (Tok::Pipe, 2),
                        _ => (Tok::Pipe, 1),
                    };
                    self.pos += len;
                    return tok;
                }
                b'(' => {
                    self.pos += 1;
                    return Tok::LParen;
                }
                b')' => {
                    self.pos += 1;
                    return Tok::RParen;
                }
                b'<' | b'>' if n1 != Some(b'(') => return self.redir_op(),
                b'`' if in_bt => {
                    self.pos += 1;
                    return Tok::BacktickEnd;
                }
                _ => {
                    if matches!(c, b'0'..=b'9' | b'{')
                        && let Some(p) = self.fd_prefix_end()
                    {
                        self.pos = p;
                        return self.redir_op();
                    }
                    let start = self.pos;
                    let w = self.lex_word(in_bt, depth, true);
                    if self.pos > start {
                        return Tok::Word(w);
                    }
                    // Cannot happen (every byte reaching here starts a word), but always progress.
                    self.pos += 1;
                    while self.pos < self.b.len() && !self.s.is_char_boundary(self.pos) {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    /// `2>`, `10<`, `{fd}>`: returns the position of the operator if the current word is an
    /// fd prefix of a redirection.
    fn fd_prefix_end(&self) -> Option<usize> {
        let mut p = self.pos;
        if self.at(p) == Some(b'{') {
            p += 1;
            let name_start = p;
            while self
                .at(p)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                p += 1;
            }
            if p == name_start || self.at(p) != Some(b'}') {
                return None;
            }
            p += 1;
        } else {
            while self.at(p).is_some_and(|c| c.is_ascii_digit()) {
                p += 1;
            }
        }
        match (self.at(p), self.at(p + 1)) {
            (Some(b'<' | b'>'), next) if next != Some(b'(') => Some(p),
            _ => None,
        }
    }

    /// At `<` or `>`: consumes a redirection operator.
    fn redir_op(&mut self) -> Tok {
        let n1 = self.at(self.pos + 1);
        let n2 = self.at(self.pos + 2);
        let (r, len) = match (self.peek(), n1, n2) {
            (Some(b'<'), Some(b'<'), Some(b'<')) => (Redir::Plain, 3),
            (Some(b'<'), Some(b'<'), Some(b'-')) => (Redir::HereDoc { strip_tabs: true }, 3),
            (Some(b'<'), Some(b'<'), _) => (Redir::HereDoc { strip_tabs: false }, 2),
            (Some(b'<'), Some(b'&' | b'>'), _) => (Redir::Plain, 2),
            (Some(b'>'), Some(b'>' | b'&' | b'|'), _) => (Redir::Plain, 2),
            _ => (Redir::Plain, 1),
        };
        self.pos += len;
        Tok::Redir(r)
    }

    /// Called after a newline token: skips the bodies of pending here-documents.
    fn read_heredocs(&mut self) {
        if self.heredocs.is_empty() {
            return;
        }
        let docs = std::mem::take(&mut self.heredocs);
        for d in docs {
            while self.pos < self.b.len() {
                let end = self.line_end(self.pos);
                let mut line = self.slice(self.pos, end);
                if let Some(l) = line.strip_suffix(b"\r") {
                    line = l;
                }
                if d.strip_tabs {
                    while let Some(l) = line.strip_prefix(b"\t") {
                        line = l;
                    }
                }
                let done = line == d.delim.as_slice();
                self.pos = (end + 1).min(self.b.len());
                if done {
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ words

    /// Lexes one word starting at `self.pos`.
    fn lex_word(&mut self, in_bt: bool, depth: usize, allow_array: bool) -> Lexed {
        let start = self.pos;
        let mut wb = WordBuilder::new();
        let mut quoted = false;
        let mut plain = true;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')' => break,
                b'<' | b'>' => {
                    if self.pos != start || self.at(self.pos + 1) != Some(b'(') {
                        break;
                    }
                    // Process substitution `<(...)` / `>(...)`.
                    plain = false;
                    if let Some(e) = self.opaque_end(start) {
                        self.pos = e;
                    } else {
                        self.pos += 2;
                        self.paren_subst(depth);
                    }
                    wb.push_sub(self.b, start, self.pos);
                }
                b'(' => {
                    if !allow_array || !is_array_prefix(self.slice(start, self.pos)) {
                        break;
                    }
                    // `NAME=(a b c)`
                    plain = false;
                    let p0 = self.pos;
                    self.skip_array(in_bt, depth);
                    wb.push_run(self.b, p0, self.pos);
                }
                b'`' => {
                    if in_bt {
                        break;
                    }
                    plain = false;
                    self.backtick_part(&mut wb, depth);
                }
                b'\\' => {
                    plain = false;
                    let (next, q) = wb.backslash(self.b, self.pos);
                    self.pos = next;
                    quoted |= q;
                }
                b'\'' => {
                    plain = false;
                    quoted = true;
                    self.pos += 1;
                    self.single_quoted(&mut wb);
                }
                b'"' => {
                    plain = false;
                    quoted = true;
                    self.pos += 1;
                    self.double_quoted(&mut wb, in_bt, depth);
                }
                b'$' => {
                    plain = false;
                    self.dollar(&mut wb, in_bt, depth, false, &mut quoted);
                }
                _ => {
                    let mut e = self.pos + 1;
                    while self.at(e).is_some_and(|c| !SPECIAL[usize::from(c)]) {
                        e += 1;
                    }
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
            }
        }
        wb.finish(start..self.pos, quoted, plain)
    }

    /// Inside `'...'` (opening quote consumed).
    fn single_quoted(&mut self, wb: &mut WordBuilder) {
        loop {
            match memchr2(b'\'', b'$', self.rest(self.pos)) {
                None => {
                    wb.push_run(self.b, self.pos, self.b.len());
                    self.pos = self.b.len();
                    return;
                }
                Some(i) => {
                    let q = self.pos + i;
                    if self.at(q) == Some(b'\'') {
                        wb.push_run(self.b, self.pos, q);
                        self.pos = q + 1;
                        return;
                    }
                    // `${{ ... }}` may contain quotes: keep it whole.
                    let e = self.expr_end(q).unwrap_or(q + 1);
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
            }
        }
    }

    /// Inside `"..."` (opening quote consumed).
    fn double_quoted(&mut self, wb: &mut WordBuilder, in_bt: bool, depth: usize) {
        loop {
            let run = self.pos;
            while self
                .peek()
                .is_some_and(|c| !matches!(c, b'"' | b'\\' | b'$' | b'`'))
            {
                self.pos += 1;
            }
            wb.push_run(self.b, run, self.pos);
            let Some(c) = self.peek() else {
                return;
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match (self.at(self.pos + 1), self.at(self.pos + 2)) {
                    (Some(b'$' | b'`' | b'"' | b'\\'), _) => {
                        wb.push_run(self.b, self.pos + 1, self.pos + 2);
                        self.pos += 2;
                    }
                    (Some(b'\n'), _) => self.pos += 2,
                    (Some(b'\r'), Some(b'\n')) => self.pos += 3,
                    _ => {
                        wb.push_run(self.b, self.pos, self.pos + 1);
                        self.pos += 1;
                    }
                },
                b'$' => {
                    let mut ignored = false;
                    self.dollar(wb, in_bt, depth, true, &mut ignored);
                }
                _ => {
                    // Backtick.
                    if in_bt {
                        // Unterminated string inside a backtick substitution: the backtick
                        // closes the substitution.
                        return;
                    }
                    self.backtick_part(wb, depth);
                }
            }
        }
    }

    /// At `$`.
    fn dollar(
        &mut self,
        wb: &mut WordBuilder,
        in_bt: bool,
        depth: usize,
        in_dq: bool,
        quoted: &mut bool,
    ) {
        let p = self.pos;
        if let Some(e) = self.expr_end(p) {
            wb.push_run(self.b, p, e);
            self.pos = e;
            return;
        }
        if let Some(e) = self.opaque_end(p) {
            wb.push_sub(self.b, p, e);
            self.pos = e;
            return;
        }
        match self.at(p + 1) {
            Some(b'\'') if !in_dq => {
                *quoted = true;
                self.pos = p + 2;
                self.ansi_c(wb);
            }
            Some(b'"') if !in_dq => {
                *quoted = true;
                self.pos = p + 2;
                self.double_quoted(wb, in_bt, depth);
            }
            Some(b'(') => {
                if self.at(p + 2) == Some(b'(')
                    && let Some(e) = self.arith_end(p + 1, depth)
                {
                    self.pos = e;
                } else {
                    self.pos = p + 2;
                    self.paren_subst(depth);
                }
                wb.push_sub(self.b, p, self.pos);
            }
            Some(b'{') => {
                self.pos = self
                    .skip_nested(p + 2, b'{', usize::MAX, Some(depth))
                    .unwrap_or(self.b.len());
                wb.push_sub(self.b, p, self.pos);
            }
            _ => {
                wb.push_run(self.b, p, p + 1);
                self.pos = p + 1;
            }
        }
    }

    /// Inside `$'...'` (opening consumed).
    fn ansi_c(&mut self, wb: &mut WordBuilder) {
        while let Some(c) = self.peek() {
            match c {
                b'\'' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let Some(e) = self.at(self.pos + 1) else {
                        wb.push_run(self.b, self.pos, self.pos + 1);
                        self.pos += 1;
                        return;
                    };
                    let decoded = match e {
                        b'n' => Some(b'\n'),
                        b't' => Some(b'\t'),
                        b'r' => Some(b'\r'),
                        b'a' => Some(7),
                        b'b' => Some(8),
                        b'e' | b'E' => Some(0x1b),
                        b'f' => Some(0x0c),
                        b'v' => Some(0x0b),
                        _ => None,
                    };
                    match decoded {
                        Some(d) => wb.push_inexact(d),
                        None if matches!(e, b'\\' | b'\'' | b'"' | b'?') => {
                            wb.push_run(self.b, self.pos + 1, self.pos + 2);
                        }
                        // `\x41`, `\u00e9`, `\0`, ...: kept verbatim.
                        None => wb.push_run(self.b, self.pos, self.pos + 2),
                    }
                    self.pos += 2;
                }
                _ => {
                    let e = if c == b'$' {
                        self.expr_end(self.pos).unwrap_or(self.pos + 1)
                    } else {
                        let mut e = self.pos + 1;
                        while self
                            .at(e)
                            .is_some_and(|c| !matches!(c, b'\'' | b'\\' | b'$'))
                        {
                            e += 1;
                        }
                        e
                    };
                    wb.push_run(self.b, self.pos, e);
                    self.pos = e;
                }
            }
        }
    }

    /// At a backtick starting a command substitution.
    fn backtick_part(&mut self, wb: &mut WordBuilder, depth: usize) {
        let p0 = self.pos;
        if let Some(e) = self.opaque_end(p0) {
            self.pos = e;
        } else {
            self.pos += 1;
            self.backtick_subst(depth);
        }
        wb.push_sub(self.b, p0, self.pos);
    }

    /// The end of an already-expanded substitution starting at `p` (see [`Posix::opaque`]).
    fn opaque_end(&self, p: usize) -> Option<usize> {
        let i = self.opaque.binary_search_by_key(&p, |&(s, _)| s).ok()?;
        let &(_, e) = self.opaque.get(i)?;
        (e > p && e <= self.b.len()).then_some(e)
    }

    /// After `$(`, `<(` or `>(`: the commands inside, up to and including `)`.
    fn paren_subst(&mut self, depth: usize) {
        if depth + 1 > MAX_DEPTH {
            self.pos = self
                .skip_nested(self.pos, b'(', usize::MAX, None)
                .unwrap_or(self.b.len());
        } else {
            self.parse_list(End::Paren, depth + 1);
        }
    }

    /// After an opening backtick: the commands inside, up to and including the closing one.
    fn backtick_subst(&mut self, depth: usize) {
        if depth + 1 > MAX_DEPTH {
            while let Some(c) = self.peek() {
                self.pos += if c == b'\\' { 2 } else { 1 };
                if c == b'`' {
                    return;
                }
            }
            self.pos = self.pos.min(self.b.len());
        } else {
            self.parse_list(End::Backtick, depth + 1);
        }
    }

    /// At the `(` of `NAME=(...)`: skips the array elements (their substitutions still count).
    fn skip_array(&mut self, in_bt: bool, depth: usize) {
        self.pos += 1;
        while let Some(c) = self.peek() {
            match c {
                b')' => {
                    self.pos += 1;
                    return;
                }
                b'#' => self.pos = self.line_end(self.pos),
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' => {
                    self.pos += 1;
                }
                b'`' if in_bt => return,
                _ => {
                    let start = self.pos;
                    self.lex_word(in_bt, depth, false);
                    if self.pos == start {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ skipping

    /// At `$` of `${{`: the end of the GitHub expression (after `}}`), if it is closed.
    fn expr_end(&mut self, p: usize) -> Option<usize> {
        super::word::expr_end(self.b, p, &mut self.expr_fail)
    }

    /// `b[p] == '('` and `b[p + 1] == '('`: if this is arithmetic `((...))`, its end. Command
    /// substitutions inside it are scanned.
    fn arith_end(&mut self, p: usize, depth: usize) -> Option<usize> {
        let end = match self.skip_nested(p + 2, b'(', ARITH_LOOKAHEAD, None) {
            Some(q) if self.at(q) == Some(b')') => q + 1,
            Some(_) => return None,
            // Too long to tell (or unterminated): treat as arithmetic, like bash does first.
            None => self
                .skip_nested(p + 1, b'(', usize::MAX, None)
                .unwrap_or(self.b.len()),
        };
        let region = self.slice(p, end);
        if memchr(b'`', region).is_none() && memmem::find(region, b"$(").is_none() {
            return Some(end);
        }
        // Second pass, reporting the commands of the substitutions inside.
        Some(
            self.skip_nested(p + 1, b'(', usize::MAX, Some(depth))
                .unwrap_or(self.b.len()),
        )
    }

    /// Skips to just after the bracket closing `open` (`(` or `{`), starting inside it at `p`,
    /// honouring quotes and nested substitutions, without recursion. `None` if the end (or
    /// `limit` bytes) is reached first.
    ///
    /// With `scan: Some(depth)`, command substitutions inside are parsed and their commands
    /// reported (as long as `depth` allows); with `None` nothing is reported.
    fn skip_nested(
        &mut self,
        mut p: usize,
        open: u8,
        limit: usize,
        scan: Option<usize>,
    ) -> Option<usize> {
        let stop = p.saturating_add(limit).min(self.b.len());
        let mut stack: Vec<u8> = vec![open];
        let scan = scan.filter(|&d| d < MAX_DEPTH);
        while p < stop {
            let c = self.at(p)?;
            let n = self.at(p + 1);
            let top = *stack.last()?;
            if let Some(d) = scan
                && top != b'`'
            {
                if c == b'`' {
                    self.pos = p + 1;
                    self.parse_list(End::Backtick, d + 1);
                    p = self.pos;
                    continue;
                }
                if c == b'$' && n == Some(b'(') && self.at(p + 2) != Some(b'(') {
                    self.pos = p + 2;
                    self.parse_list(End::Paren, d + 1);
                    p = self.pos;
                    continue;
                }
            }
            if c == b'$'
                && top != b'`'
                && let Some(e) = self.expr_end(p)
            {
                p = e;
                continue;
            }
            match (top, c) {
                (_, b'\\') => p += 2,
                (b'"', b'"') | (b'`', b'`') | (b'(', b')') | (b'{', b'}') => {
                    stack.pop();
                    p += 1;
                }
                (b'`', _) => p += 1,
                (b'"' | b'(' | b'{', b'$') if matches!(n, Some(b'(' | b'{')) => {
                    stack.push(n.unwrap_or(b'('));
                    p += 2;
                }
                (b'"' | b'(' | b'{', b'`') => {
                    stack.push(b'`');
                    p += 1;
                }
                (b'"', _) => p += 1,
                (_, b'"') => {
                    stack.push(b'"');
                    p += 1;
                }
                (_, b'\'') => {
                    let q = memchr(b'\'', self.slice(p + 1, stop))?;
                    p += q + 2;
                }
                (b'(', b'(') => {
                    stack.push(b'(');
                    p += 1;
                }
                _ => p += 1,
            }
            if stack.is_empty() {
                return Some(p.min(self.b.len()));
            }
        }
        None
    }
}

fn pop_case(stack: &mut Vec<Frame>) {
    if let Some(i) = stack.iter().rposition(|f| matches!(f, Frame::Case)) {
        stack.truncate(i);
    }
}

/// `NAME=` or `NAME+=` (or with an index) immediately before `(`.
fn is_array_prefix(raw: &[u8]) -> bool {
    raw.ends_with(b"=") && is_assignment_bytes(raw)
}
