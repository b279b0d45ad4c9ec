//! The fast path: a parser for the block-style YAML that workflow files are written in.
//!
//! granit-parser is a complete YAML 1.2 parser and it is the reference, but it cost about four
//! fifths of a whole lint. Workflows use a small part of YAML: block mappings and sequences, plain
//! and quoted scalars (folded over lines), `|`/`>` block scalars, flow collections, comments,
//! anchors and aliases on values. This module parses exactly that part, with byte-level scanning
//! (memchr), straight into the same [`Builder`] the granit path feeds.
//!
//! It never reports a problem itself: on anything outside that part (tags, directives, several
//! documents, complex keys, anchored keys, tabs in indentation, indentation indicators, `|+`,
//! hex escapes, non-printable characters, a BOM, deep nesting, and every syntax error) it gives
//! up with [`Bail`] and the caller parses the file again with granit-parser. The contract,
//! checked on the corpus, the peer suites, the fixtures, by the mutation fuzzer
//! (`tests/fuzz_mutations.rs`) and the `yaml_fast_path` cargo-fuzz target: whenever this path
//! finishes, it has built exactly the tree granit-parser's events build (values, styles, spans,
//! anchors and problems) and found exactly the comments granit-parser reports. A comment is
//! recorded where the scanner skips it (after indentation, after a node, inside a flow
//! collection), so a `#` in a quoted or block scalar, or one not after a blank, never is.

use std::borrow::Cow;
use std::collections::HashMap;

use memchr::{memchr, memchr2, memchr3};

use super::{Builder, MAX_NODES, Style};

/// The input is outside what the fast path handles; parse it with granit-parser. Holds the
/// line of this file that gave up (for measuring why files leave the fast path).
#[derive(Debug)]
pub struct Bail(pub u32);

type R<T = ()> = Result<T, Bail>;

/// Collections nested deeper than this go to granit-parser (which has its own limit).
const MAX_DEPTH: usize = 128;
/// Implicit keys longer than 1024 characters (to their `:`) are an error in YAML; keys near that
/// length go to granit-parser, which reports it.
const MAX_KEY_LEN: usize = 1000;

/// Parses `src` into `b`, or bails out (leaving `b` in an unspecified state).
pub(super) fn parse<'a>(src: &'a str, b: &mut Builder<'a>) -> R {
    check_characters(src.as_bytes())?;
    let mut p = Fast {
        src,
        s: src.as_bytes(),
        pos: 0,
        line_start: 0,
        depth: 0,
        anchor: 0,
        anchors_defined: 0,
        anchor_ids: HashMap::new(),
        b,
    };
    p.document()
}

/// Bails out on characters YAML does not allow or that granit-parser treats specially: C0
/// controls other than tab/LF/CR, a CR not followed by LF, DEL, C1 controls and NEL, a BOM,
/// U+FFFE/U+FFFF, and the Unicode line and paragraph separators.
fn check_characters(s: &[u8]) -> R {
    let mut i = 0;
    while i < s.len() {
        // Eight ASCII-printable bytes at a time: no byte < 0x20, none >= 0x7f.
        if let Some(chunk) = s.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let w = u64::from_le_bytes(w);
            const ONES: u64 = 0x0101_0101_0101_0101;
            const HIGH: u64 = 0x8080_8080_8080_8080;
            let low = w.wrapping_sub(ONES * 0x20) & !w & HIGH; // some byte < 0x20
            let del = (w ^ (ONES * 0x7f)).wrapping_sub(ONES) & !(w ^ (ONES * 0x7f)) & HIGH;
            if low == 0 && del == 0 && w & HIGH == 0 {
                i += 8;
                continue;
            }
        }
        let c = s[i];
        match c {
            b'\t' | b'\n' => {}
            b'\r' if s.get(i + 1) == Some(&b'\n') => {}
            0..0x20 | 0x7f => return Err(Bail(line!())),
            0xC2 if s.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)) => {
                return Err(Bail(line!()));
            }
            0xE2 if s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0xA8 | 0xA9)) => {
                return Err(Bail(line!()));
            }
            0xEF if (s.get(i + 1) == Some(&0xBB) && s.get(i + 2) == Some(&0xBF))
                || (s.get(i + 1) == Some(&0xBF) && matches!(s.get(i + 2), Some(0xBE | 0xBF))) =>
            {
                return Err(Bail(line!()));
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Where a block node's value sits: after a mapping key's `:`, or after a sequence's `-`.
#[derive(Clone, Copy)]
enum Entry {
    /// A mapping value; the null for an empty value is placed at the `:`.
    MapValue { colon: usize },
    /// A sequence item.
    SeqItem,
}

/// How a plain scalar ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At a `:` that makes the scalar a key.
    Colon,
    /// At the end of the line, a comment or (in flow context) a flow indicator.
    Other,
}

/// Block scalar chomping.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Clip,
    Strip,
}

struct Fast<'a, 'b> {
    src: &'a str,
    s: &'a [u8],
    pos: usize,
    /// Byte offset of the start of the line `pos` is on.
    line_start: usize,
    depth: usize,
    /// The anchor (`&name`) waiting for the next node, or 0.
    anchor: usize,
    /// The last anchor number given out (granit-parser numbers anchors from 1 in order).
    anchors_defined: usize,
    /// Anchor names to their most recent number.
    anchor_ids: HashMap<&'a str, usize>,
    b: &'b mut Builder<'a>,
}

fn is_break_or_eof(c: u8) -> bool {
    matches!(c, b'\n' | b'\r' | 0)
}

fn is_blank_break_or_eof(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0)
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Fast<'a, '_> {
    /// The byte at `at`, or 0 at the end (NUL itself never gets this far).
    fn at(&self, at: usize) -> u8 {
        self.s.get(at).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn col(&self) -> usize {
        self.pos - self.line_start
    }

    fn node(&mut self) -> R {
        self.b.nodes += 1;
        if self.b.nodes > MAX_NODES {
            return Err(Bail(line!()));
        }
        Ok(())
    }

    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail(line!()));
        }
        self.node()
    }

    /// A single-line plain scalar: the text `start..end` as it stands.
    fn plain(&mut self, start: usize, end: usize) -> R {
        self.scalar(
            Cow::Borrowed(&self.src[start..end]),
            Style::Plain,
            start,
            end,
        )
    }

    /// Where the text `from..end` ends without its trailing spaces and tabs.
    fn trim_blanks_end(&self, from: usize, end: usize) -> usize {
        let mut end = end;
        while end > from && matches!(self.s[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        end
    }

    fn scalar(&mut self, value: Cow<'a, str>, style: Style, start: usize, end: usize) -> R {
        self.node()?;
        let anchor = std::mem::take(&mut self.anchor);
        self.b.scalar(value, style, anchor, start..end);
        Ok(())
    }

    fn document(&mut self) -> R {
        self.line_begin(false)?;
        if self.col() == 0
            && self.s[self.pos..].starts_with(b"---")
            && is_blank_break_or_eof(self.at(self.pos + 3))
        {
            self.b.document_start();
            self.pos += 3;
            self.end_of_line()?;
            if self.eof() {
                return Err(Bail(line!()));
            }
        } else if self.eof() {
            return Ok(());
        } else if self.cur() == b'%' || self.s[self.pos..].starts_with(b"...") {
            return Err(Bail(line!()));
        } else {
            self.b.document_start();
        }
        self.node_on_new_line(-1)?;
        if self.eof() {
            Ok(())
        } else {
            Err(Bail(line!()))
        }
    }

    /// At the start of a line: skips blank and comment lines and the indentation, leaving `pos`
    /// at the next content (or the end). Tabs in indentation and document markers bail out.
    fn line_begin(&mut self, markers_bail: bool) -> R {
        loop {
            self.line_start = self.pos;
            let mut i = self.pos;
            while self.at(i) == b' ' {
                i += 1;
            }
            self.pos = i;
            match self.at(i) {
                0 if i >= self.s.len() => return Ok(()),
                b'\t' => return Err(Bail(line!())),
                b'\r' | b'\n' => self.skip_break(),
                b'#' => {
                    self.comment();
                    if self.eof() {
                        return Ok(());
                    }
                    self.skip_break();
                }
                b'-' | b'.' if markers_bail && i == self.line_start => {
                    let c = self.s[i];
                    if self.s[i..].starts_with(&[c, c, c]) && is_blank_break_or_eof(self.at(i + 3))
                    {
                        return Err(Bail(line!()));
                    }
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }

    /// Consumes the line break at `pos` (`\n` or `\r\n`).
    fn skip_break(&mut self) {
        if self.cur() == b'\r' {
            self.pos += 1;
        }
        if self.cur() == b'\n' {
            self.pos += 1;
        }
    }

    /// After a node: only blanks and a comment may follow on its line; moves to the next content.
    fn end_of_line(&mut self) -> R {
        self.rest_of_line_blank()?;
        if self.eof() {
            return Ok(());
        }
        self.skip_break();
        self.line_begin(true)
    }

    /// Only blanks and a comment may follow on this line: moves to its line break (or the end).
    fn rest_of_line_blank(&mut self) -> R {
        let had_blank = self.skip_blanks();
        match self.cur() {
            b'#' if had_blank => self.comment(),
            c if is_break_or_eof(c) => {}
            _ => return Err(Bail(line!())),
        }
        Ok(())
    }

    /// A comment whose `#` is at `pos`: records it and moves to the line break that ends it
    /// (or the end).
    fn comment(&mut self) {
        let start = self.pos;
        self.pos = memchr(b'\n', &self.s[start..]).map_or(self.s.len(), |n| start + n);
        // A `\r` is only ever followed by `\n` here (`check_characters`).
        let end = if self.pos > start && self.s[self.pos - 1] == b'\r' {
            self.pos - 1
        } else {
            self.pos
        };
        self.b.comment(start, end);
    }

    /// Skips spaces and tabs on the current line. Returns whether `pos` then follows a blank or
    /// starts its line: where a `#` begins a comment.
    fn skip_blanks(&mut self) -> bool {
        while matches!(self.cur(), b' ' | b'\t') {
            self.pos += 1;
        }
        self.pos == self.line_start || matches!(self.s[self.pos - 1], b' ' | b'\t')
    }

    /// A `-` sequence entry indicator at `pos`.
    fn at_dash_entry(&self) -> bool {
        self.cur() == b'-' && is_blank_break_or_eof(self.at(self.pos + 1))
    }

    /// A node that starts a line, at column `col() > n`, inside a collection indented `n`.
    fn node_on_new_line(&mut self, n: isize) -> R {
        let c = self.col();
        match self.cur() {
            b'-' if is_blank_break_or_eof(self.at(self.pos + 1)) => self.block_seq(c, false),
            b'"' | b'\'' => {
                let start = self.pos;
                let (value, style, end, _) = self.quoted(n)?;
                self.skip_blanks();
                if self.cur() == b':' {
                    self.pos = start;
                    self.block_map(c)
                } else {
                    self.pos = end;
                    self.scalar(value, style, start, end)?;
                    self.end_of_line()
                }
            }
            b'[' | b'{' => {
                self.flow()?;
                self.end_of_line()
            }
            _ if self.plain_start_ok(false) => {
                let start = self.pos;
                let (end, stop_at, stop) = self.scan_plain(self.pos);
                if stop == Stop::Colon {
                    self.block_map(c)
                } else {
                    self.plain_scalar(start, end, stop_at, n)
                }
            }
            _ => Err(Bail(line!())),
        }
    }

    /// The value after a mapping key's `:` or a sequence entry's `-` (at `pos`, just after the
    /// indicator), in a collection indented `n`.
    fn value(&mut self, n: usize, entry: Entry) -> R {
        let mut had_blank = self.skip_blanks();
        let mut anchor_end = None;
        match self.cur() {
            b'&' if had_blank => {
                anchor_end = Some(self.anchor_definition()?);
                had_blank = self.skip_blanks();
                if matches!(self.cur(), b'&' | b'*' | b'!') {
                    return Err(Bail(line!()));
                }
            }
            b'*' if had_blank => {
                self.alias()?;
                return self.end_of_line();
            }
            _ => {}
        }
        let c = self.cur();
        if is_break_or_eof(c) || (c == b'#' && had_blank) {
            if c == b'#' {
                self.comment();
            }
            // An empty value sits at the `:`, at the end of its anchor, or (in a sequence) at
            // the end of the `-` line.
            let null_at = match (anchor_end, entry) {
                (Some(end), _) => end,
                (None, Entry::MapValue { colon }) => colon,
                (None, Entry::SeqItem) => {
                    if self.eof() {
                        return Err(Bail(line!()));
                    }
                    // The line break (after any comment).
                    if self.s[self.pos - 1] == b'\r' {
                        self.pos - 1
                    } else {
                        self.pos
                    }
                }
            };
            if !self.eof() {
                self.skip_break();
                self.line_begin(true)?;
            }
            if !self.eof() && self.col() > n {
                return self.node_on_new_line(n as isize);
            }
            if !self.eof()
                && self.col() == n
                && matches!(entry, Entry::MapValue { .. })
                && self.at_dash_entry()
            {
                return self.block_seq(n, true);
            }
            return self.scalar(Cow::Borrowed("~"), Style::Plain, null_at, null_at);
        }
        if !had_blank {
            return Err(Bail(line!()));
        }
        let col = self.col();
        match c {
            b'|' | b'>' => self.block_scalar(n),
            b'[' | b'{' => {
                self.flow()?;
                self.end_of_line()
            }
            b'"' | b'\'' => {
                let start = self.pos;
                let (value, style, end, _) = self.quoted(n as isize)?;
                self.skip_blanks();
                if self.cur() == b':' {
                    match entry {
                        Entry::SeqItem if self.anchor == 0 => {
                            self.pos = start;
                            self.block_map(col)
                        }
                        _ => Err(Bail(line!())),
                    }
                } else {
                    self.pos = end;
                    self.scalar(value, style, start, end)?;
                    self.end_of_line()
                }
            }
            _ if self.plain_start_ok(false) => {
                let start = self.pos;
                let (end, stop_at, stop) = self.scan_plain(self.pos);
                if stop == Stop::Colon {
                    match entry {
                        Entry::SeqItem if self.anchor == 0 => self.block_map(col),
                        _ => Err(Bail(line!())),
                    }
                } else {
                    self.plain_scalar(start, end, stop_at, n as isize)
                }
            }
            _ => Err(Bail(line!())),
        }
    }

    /// A block mapping whose keys sit at column `c`; `pos` is at its first key.
    fn block_map(&mut self, c: usize) -> R {
        self.enter()?;
        let anchor = std::mem::take(&mut self.anchor);
        self.b.start(true, anchor, self.pos..self.pos);
        loop {
            self.key()?;
            let colon = self.pos;
            self.pos += 1;
            self.value(c, Entry::MapValue { colon })?;
            if self.eof() || self.col() < c {
                break;
            }
            if self.col() > c || self.at_dash_entry() {
                return Err(Bail(line!()));
            }
        }
        self.b.end(self.pos..self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// A mapping key at `pos`; leaves `pos` at its `:`.
    fn key(&mut self) -> R {
        let start = self.pos;
        match self.cur() {
            b'"' | b'\'' => {
                let (value, style, end, multiline) = self.quoted(-1)?;
                self.skip_blanks();
                if multiline || self.cur() != b':' || !is_blank_break_or_eof(self.at(self.pos + 1))
                {
                    return Err(Bail(line!()));
                }
                if self.pos - start > MAX_KEY_LEN {
                    return Err(Bail(line!()));
                }
                self.scalar(value, style, start, end)
            }
            _ if self.plain_start_ok(false) => {
                let (end, stop_at, stop) = self.scan_plain(self.pos);
                if stop != Stop::Colon || stop_at - start > MAX_KEY_LEN {
                    return Err(Bail(line!()));
                }
                self.pos = stop_at;
                self.plain(start, end)
            }
            _ => Err(Bail(line!())),
        }
    }

    /// A block sequence whose `-` sit at column `c`; `pos` is at its first `-`. `in_map`: the
    /// sequence is a mapping value at the mapping's own indentation (it ends at the next key).
    fn block_seq(&mut self, c: usize, in_map: bool) -> R {
        self.enter()?;
        // granit-parser starts a sequence at its own indentation at the first item's content
        // (or the end of the first `-` line), not at the `-`.
        let start = if in_map {
            self.next_token_on_line(self.pos + 1)
        } else {
            self.pos
        };
        let anchor = std::mem::take(&mut self.anchor);
        self.b.start(false, anchor, start..start);
        loop {
            self.pos += 1;
            self.value(c, Entry::SeqItem)?;
            if self.eof() || self.col() < c {
                break;
            }
            if self.col() > c {
                return Err(Bail(line!()));
            }
            if self.at_dash_entry() {
                continue;
            }
            if in_map {
                break;
            }
            return Err(Bail(line!()));
        }
        self.b.end(self.pos..self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// The next token on the line after `from`: past blanks, or the line break (before a `\r`)
    /// when only blanks and a comment follow.
    fn next_token_on_line(&self, from: usize) -> usize {
        let mut i = from;
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        if self.at(i) == b'#' && i > from {
            i = memchr(b'\n', &self.s[i..]).map_or(self.s.len(), |k| i + k);
        }
        if self.at(i) == b'\n' && i > 0 && self.s[i - 1] == b'\r' {
            i -= 1;
        }
        i
    }

    /// An anchor definition `&name` at `pos`: numbers it and leaves it waiting for the next node.
    /// Returns its end (where `pos` is left).
    fn anchor_definition(&mut self) -> R<usize> {
        let name = self.pos + 1;
        let end = self.anchor_name_end(name);
        if end == name {
            return Err(Bail(line!()));
        }
        self.anchors_defined += 1;
        self.anchor = self.anchors_defined;
        self.anchor_ids
            .insert(&self.src[name..end], self.anchors_defined);
        self.pos = end;
        Ok(end)
    }

    /// An alias `*name` at `pos` for an anchor defined before it.
    fn alias(&mut self) -> R {
        let start = self.pos;
        let end = self.anchor_name_end(start + 1);
        let id = *self
            .anchor_ids
            .get(&self.src[start + 1..end])
            .ok_or(Bail(line!()))?;
        self.pos = end;
        self.b.alias(id, start..end);
        Ok(())
    }

    /// Anchor names run to a blank, a line break, a flow indicator or the end.
    fn anchor_name_end(&self, from: usize) -> usize {
        let mut i = from;
        while !matches!(
            self.at(i),
            b' ' | b'\t' | b'\r' | b'\n' | 0 | b',' | b'[' | b']' | b'{' | b'}'
        ) {
            i += 1;
        }
        i
    }

    /// Whether a plain scalar may start at `pos`.
    fn plain_start_ok(&self, flow: bool) -> bool {
        match self.cur() {
            b'-' | b'?' | b':' => {
                let n = self.at(self.pos + 1);
                !(is_blank_break_or_eof(n) || (flow && is_flow_indicator(n)))
            }
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' => false,
            c => !is_blank_break_or_eof(c),
        }
    }

    /// Scans one line of a plain scalar in block context from `from`. Returns the end of its
    /// text (trailing blanks trimmed), where scanning stopped, and why.
    fn scan_plain(&self, from: usize) -> (usize, usize, Stop) {
        let s = self.s;
        let mut i = from;
        let (stop_at, stop) = loop {
            match memchr3(b':', b'#', b'\n', &s[i..]) {
                None => break (s.len(), Stop::Other),
                Some(k) => {
                    let j = i + k;
                    match s[j] {
                        b':' if is_blank_break_or_eof(self.at(j + 1)) => break (j, Stop::Colon),
                        b'#' if j > from && matches!(s[j - 1], b' ' | b'\t') => {
                            break (j, Stop::Other);
                        }
                        b'\n' => break (if s[j - 1] == b'\r' { j - 1 } else { j }, Stop::Other),
                        _ => i = j + 1,
                    }
                }
            }
        };
        (self.trim_blanks_end(from, stop_at), stop_at, stop)
    }

    /// Emits the plain scalar whose first line is `start..end` (scanning stopped at `stop_at`),
    /// folding in the continuation lines indented past `n`, and moves past it.
    fn plain_scalar(&mut self, start: usize, end: usize, stop_at: usize, n: isize) -> R {
        let s = self.s;
        let mut value: Option<String> = None;
        let mut last_end = end;
        // Only a scalar that runs to the end of its line can go on on the next one.
        let mut i = stop_at;
        while matches!(self.at(i), b'\r' | b'\n') {
            let mut empty = 0usize;
            let line = loop {
                self.pos = i;
                self.skip_break();
                let ls = self.pos;
                i = ls;
                while self.at(i) == b' ' {
                    i += 1;
                }
                match self.at(i) {
                    b'\r' | b'\n' => empty += 1,
                    _ => break ls,
                }
            };
            let c = self.at(i);
            if i >= s.len() || c == b'#' || ((i - line) as isize) <= n {
                break;
            }
            if n < 0 || c == b'\t' || !self.plain_continues_with(i) {
                return Err(Bail(line!()));
            }
            let (text_end, next_stop, stop) = self.scan_plain(i);
            if stop == Stop::Colon {
                return Err(Bail(line!()));
            }
            let v = value.get_or_insert_with(|| self.src[start..end].to_string());
            if empty == 0 {
                v.push(' ');
            } else {
                push_newlines(v, empty);
            }
            v.push_str(&self.src[i..text_end]);
            last_end = text_end;
            i = next_stop;
        }
        let value = value.map_or(Cow::Borrowed(&self.src[start..end]), Cow::Owned);
        self.scalar(value, Style::Plain, start, last_end)?;
        self.pos = last_end;
        self.end_of_line()
    }

    /// Whether a plain scalar's continuation line may start at `at` (granit-parser folds in
    /// lines starting with any indicator but these two).
    fn plain_continues_with(&self, at: usize) -> bool {
        !matches!(self.at(at), b':' | b'%')
    }

    /// A quoted scalar at `pos`, inside a collection indented `n`: its value, style, end (after
    /// the closing quote) and whether it spans lines. Leaves `pos` after the closing quote.
    fn quoted(&mut self, n: isize) -> R<(Cow<'a, str>, Style, usize, bool)> {
        let start = self.pos;
        let s = self.s;
        let double = s[start] == b'"';
        let mut i = start + 1;
        let mut owned: Option<String> = None;
        let mut multiline = false;
        // Raw text from `from` on is not yet in `owned`.
        let mut from = i;
        let close = loop {
            let k = if double {
                memchr3(b'"', b'\\', b'\n', &s[i..])
            } else {
                memchr2(b'\'', b'\n', &s[i..])
            };
            let j = i + k.ok_or(Bail(line!()))?;
            match s[j] {
                b'\'' if self.at(j + 1) == b'\'' => {
                    let out = owned.get_or_insert_with(String::new);
                    out.push_str(&self.src[from..=j]);
                    i = j + 2;
                    from = i;
                }
                b'\'' | b'"' => break j,
                b'\n' => {
                    // A line break folds: trailing blanks go, empty lines become newlines,
                    // otherwise one space.
                    let out = owned.get_or_insert_with(String::new);
                    let raw = self.src[from..j].trim_end_matches(['\r']);
                    out.push_str(raw.trim_end_matches([' ', '\t']));
                    let (next, empty) = self.quoted_next_line(j, n)?;
                    if empty == 0 {
                        out.push(' ');
                    } else {
                        push_newlines(out, empty);
                    }
                    multiline = true;
                    i = next;
                    from = i;
                }
                _ => {
                    let out = owned.get_or_insert_with(String::new);
                    out.push_str(&self.src[from..j]);
                    let e = self.at(j + 1);
                    if e == b'\n' || (e == b'\r' && self.at(j + 2) == b'\n') {
                        // An escaped line break: no space; empty lines still count.
                        let nl = if e == b'\n' { j + 1 } else { j + 2 };
                        let (next, empty) = self.quoted_next_line(nl, n)?;
                        push_newlines(out, empty);
                        multiline = true;
                        i = next;
                        from = i;
                        continue;
                    }
                    let ch = match e {
                        b'0' => '\0',
                        b'a' => '\x07',
                        b'b' => '\x08',
                        b't' | b'\t' => '\t',
                        b'n' => '\n',
                        b'v' => '\x0b',
                        b'f' => '\x0c',
                        b'r' => '\r',
                        b'e' => '\x1b',
                        b' ' => ' ',
                        b'"' => '"',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'N' => '\u{85}',
                        b'_' => '\u{a0}',
                        b'L' => '\u{2028}',
                        b'P' => '\u{2029}',
                        _ => return Err(Bail(line!())),
                    };
                    out.push(ch);
                    i = j + 2;
                    from = i;
                }
            }
        };
        let value = match owned {
            Some(mut out) => {
                out.push_str(&self.src[from..close]);
                Cow::Owned(out)
            }
            None => Cow::Borrowed(&self.src[start + 1..close]),
        };
        self.pos = close + 1;
        let style = if double {
            Style::DoubleQuoted
        } else {
            Style::SingleQuoted
        };
        Ok((value, style, close + 1, multiline))
    }

    /// Inside a quoted scalar, from the line break at `nl`: skips empty lines and the next
    /// line's indentation. Returns where its text starts and how many empty lines there were.
    /// Lines not indented past `n` (or at column 0), and tabs in indentation, bail out.
    fn quoted_next_line(&self, nl: usize, n: isize) -> R<(usize, usize)> {
        let mut i = nl + 1;
        let mut empty = 0;
        loop {
            let ls = i;
            while self.at(i) == b' ' {
                i += 1;
            }
            match self.at(i) {
                b'\r' if self.at(i + 1) == b'\n' => {
                    empty += 1;
                    i += 2;
                }
                b'\n' => {
                    empty += 1;
                    i += 1;
                }
                b'\t' => return Err(Bail(line!())),
                _ if i >= self.s.len() => return Err(Bail(line!())),
                _ => {
                    let col = i - ls;
                    if col == 0 || (col as isize) <= n {
                        return Err(Bail(line!()));
                    }
                    return Ok((i, empty));
                }
            }
        }
    }

    /// A `|` or `>` block scalar whose indicator is at `pos`, in a collection indented `n`.
    fn block_scalar(&mut self, n: usize) -> R {
        let folded = self.cur() == b'>';
        self.pos += 1;
        let chomp = match self.cur() {
            b'-' => {
                self.pos += 1;
                Chomp::Strip
            }
            b'+' => return Err(Bail(line!())),
            _ => Chomp::Clip,
        };
        if self.cur().is_ascii_digit() {
            return Err(Bail(line!()));
        }
        self.rest_of_line_blank()?;
        if self.eof() {
            return Err(Bail(line!()));
        }
        self.skip_break();

        let s = self.s;
        let mut indent: Option<usize> = None;
        let mut max_leading_blank = 0;
        let mut value = String::new();
        let mut empty_lines = 0usize;
        let mut first: Option<usize> = None;
        let mut last_end = 0;
        let mut prev_more = false;
        loop {
            let line = self.pos;
            let mut i = line;
            while self.at(i) == b' ' {
                i += 1;
            }
            let c = self.at(i);
            let sp = i - line;
            let blank = is_break_or_eof(c);
            // A line of spaces is empty unless it has more than the content's indentation;
            // then (in a literal scalar) its extra spaces are content.
            let spaces_content = blank && indent.is_some_and(|ind| sp > ind);
            if spaces_content && folded {
                return Err(Bail(line!()));
            }
            if blank && !spaces_content {
                if i >= s.len() {
                    self.pos = i;
                    self.line_start = line;
                    break;
                }
                if indent.is_none() {
                    max_leading_blank = max_leading_blank.max(sp);
                }
                empty_lines += 1;
                self.pos = i;
                self.skip_break();
                continue;
            }
            let ind = match indent {
                Some(ind) => ind,
                None => {
                    if (sp as isize) <= n as isize || max_leading_blank > sp || c == b'\t' {
                        return Err(Bail(line!()));
                    }
                    indent = Some(sp);
                    sp
                }
            };
            if sp < ind {
                // The scalar ended; this line belongs to the enclosing collection.
                self.pos = line;
                break;
            }
            let text = line + ind;
            let nl = memchr(b'\n', &s[text..]).map_or(s.len(), |k| text + k);
            let end = if nl > text && s[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            let more = matches!(s[text], b' ' | b'\t');
            if folded && more && s[text..end].iter().all(|&b| b == b' ' || b == b'\t') {
                return Err(Bail(line!()));
            }
            match first {
                None => {
                    first = Some(text);
                    push_newlines(&mut value, empty_lines);
                }
                Some(_) if !folded => push_newlines(&mut value, empty_lines + 1),
                Some(_) if prev_more || more => push_newlines(&mut value, empty_lines + 1),
                Some(_) if empty_lines == 0 => value.push(' '),
                Some(_) => push_newlines(&mut value, empty_lines),
            }
            value.push_str(&self.src[text..end]);
            empty_lines = 0;
            prev_more = more;
            last_end = end;
            self.pos = nl;
            if self.eof() {
                self.line_start = line;
                break;
            }
            self.skip_break();
        }
        let Some(first) = first else {
            return Err(Bail(line!()));
        };
        if chomp == Chomp::Clip {
            value.push('\n');
        }
        let style = if folded {
            Style::Folded
        } else {
            Style::Literal
        };
        self.scalar(Cow::Owned(value), style, first, last_end)?;
        if self.eof() {
            return Ok(());
        }
        self.line_begin(true)
    }

    /// A flow collection at `pos` (`[` or `{`).
    fn flow(&mut self) -> R {
        self.enter()?;
        let open = self.cur();
        let close = if open == b'[' { b']' } else { b'}' };
        let anchor = std::mem::take(&mut self.anchor);
        self.b.start(open == b'{', anchor, self.pos..self.pos + 1);
        self.pos += 1;
        loop {
            self.flow_blanks()?;
            let c = self.cur();
            if c == close {
                self.b.end(self.pos..self.pos + 1);
                self.pos += 1;
                break;
            }
            if open == b'{' {
                let key = self.pos;
                self.flow_scalar(true)?;
                // An implicit key and its `:` share a line.
                self.skip_blanks();
                if self.pos - key > MAX_KEY_LEN {
                    return Err(Bail(line!()));
                }
                if self.cur() != b':' || !is_blank_break_or_eof(self.at(self.pos + 1)) {
                    return Err(Bail(line!()));
                }
                self.pos += 1;
                self.flow_blanks()?;
                if matches!(self.cur(), b',' | b'}') {
                    return Err(Bail(line!()));
                }
            }
            if self.cur() == b'&' {
                self.anchor_definition()?;
                if !matches!(self.cur(), b' ' | b'\t' | b'\r' | b'\n') {
                    return Err(Bail(line!()));
                }
                self.flow_blanks()?;
                if matches!(self.cur(), b',' | b']' | b'}' | b'&' | b'*' | b'!') {
                    return Err(Bail(line!()));
                }
            }
            match self.cur() {
                b'[' | b'{' => self.flow()?,
                b'*' => self.alias()?,
                _ => self.flow_scalar(false)?,
            }
            self.flow_blanks()?;
            match self.cur() {
                b',' => self.pos += 1,
                c if c == close => {}
                _ => return Err(Bail(line!())),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// A scalar inside a flow collection: quoted, or plain on one line. `key`: a mapping key
    /// (must be followed by `:`); otherwise a following `:` bails out.
    fn flow_scalar(&mut self, key: bool) -> R {
        let start = self.pos;
        match self.cur() {
            b'"' | b'\'' => {
                let (value, style, end, multiline) = self.quoted(-1)?;
                if key && (multiline || end - start > MAX_KEY_LEN) {
                    return Err(Bail(line!()));
                }
                self.scalar(value, style, start, end)
            }
            _ if self.plain_start_ok(true) => {
                let s = self.s;
                let mut i = start;
                let stop = loop {
                    match self.at(i) {
                        b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r' | 0 => break i,
                        b':' => {
                            let nx = self.at(i + 1);
                            if is_blank_break_or_eof(nx) || is_flow_indicator(nx) {
                                if !key {
                                    return Err(Bail(line!()));
                                }
                                break i;
                            }
                        }
                        b'#' if matches!(s[i - 1], b' ' | b'\t') => break i,
                        _ => {}
                    }
                    i += 1;
                };
                let end = self.trim_blanks_end(start, stop);
                if key && end - start > MAX_KEY_LEN {
                    return Err(Bail(line!()));
                }
                self.pos = stop;
                self.plain(start, end)
            }
            _ => Err(Bail(line!())),
        }
    }

    /// Skips blanks, comments and line breaks inside a flow collection.
    fn flow_blanks(&mut self) -> R {
        loop {
            let had_blank = self.skip_blanks();
            match self.cur() {
                b'#' if had_blank => self.comment(),
                b'\r' | b'\n' => {
                    self.skip_break();
                    self.line_start = self.pos;
                    while self.cur() == b' ' {
                        self.pos += 1;
                    }
                    // granit-parser does not check indentation inside flow collections; a
                    // document marker or a tab at the start of a line goes back to it.
                    if self.cur() == b'\t' || (self.col() == 0 && matches!(self.cur(), b'-' | b'.'))
                    {
                        return Err(Bail(line!()));
                    }
                }
                0 if self.eof() => return Err(Bail(line!())),
                _ => return Ok(()),
            }
        }
    }
}

fn push_newlines(value: &mut String, count: usize) {
    for _ in 0..count {
        value.push('\n');
    }
}
