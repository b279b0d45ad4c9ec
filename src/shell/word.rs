//! Words with a mapping from their unquoted text back to source offsets.

use std::ops::Range;

use super::Word;

/// Source offset used for text bytes that do not correspond to exactly one source byte
/// (e.g. the newline decoded from `$'\n'`).
const INEXACT: usize = usize::MAX;

/// A lexed word plus what the lexers need beyond the public [`Word`].
#[derive(Clone, Debug)]
pub(crate) struct Lexed {
    pub word: Word,
    /// No quotes, escapes, expansions or substitutions: eligible to be a reserved word.
    pub plain: bool,
    /// Source offset of text byte 0 (first segment).
    first: usize,
    /// Further segments `(text offset, source offset)`, each a run of bytes copied contiguously
    /// from the source. Empty for most words (no allocation).
    more: Vec<(usize, usize)>,
    /// Text ranges holding substitutions (`$(...)`, backticks, `${...}`, `$((...))`) that the
    /// shell expands before the command runs. Empty for most words.
    pub subs: Vec<(usize, usize)>,
}

impl Lexed {
    /// Maps a byte range of `self.word.text` to the source, if every byte of it was copied
    /// verbatim from one contiguous stretch of the source.
    pub fn map(&self, r: Range<usize>) -> Option<Range<usize>> {
        let len = self.word.text.len();
        if r.start >= r.end || r.end > len {
            return None;
        }
        let idx = self.more.partition_point(|&(t, _)| t <= r.start);
        let (seg_text, seg_src) = match idx.checked_sub(1) {
            None => (0, self.first),
            Some(i) => *self.more.get(i)?,
        };
        let seg_end = self.more.get(idx).map_or(len, |&(t, _)| t);
        if seg_src == INEXACT || r.end > seg_end {
            return None;
        }
        let start = seg_src.checked_add(r.start - seg_text)?;
        let end = seg_src.checked_add(r.end - seg_text)?;
        Some(start..end)
    }
}

/// Accumulates the unquoted text of a word and its source mapping.
pub(crate) struct WordBuilder {
    text: Vec<u8>,
    first: usize,
    more: Vec<(usize, usize)>,
    /// Source offset that would continue the current segment.
    next_src: usize,
    subs: Vec<(usize, usize)>,
}

impl WordBuilder {
    /// A backslash at `src[pos]` outside quotes: a line continuation (`\` + LF or CRLF) is
    /// dropped, any other character is taken literally. Returns the position after the escape
    /// and whether it quoted a character.
    pub fn backslash(&mut self, src: &[u8], pos: usize) -> (usize, bool) {
        match (src.get(pos + 1), src.get(pos + 2)) {
            (Some(b'\n'), _) => (pos + 2, false),
            (Some(b'\r'), Some(b'\n')) => (pos + 3, false),
            (Some(_), _) => {
                self.push_run(src, pos + 1, pos + 2);
                (pos + 2, true)
            }
            (None, _) => {
                self.push_run(src, pos, pos + 1);
                (pos + 1, false)
            }
        }
    }

    pub fn new() -> Self {
        WordBuilder {
            text: Vec::new(),
            first: INEXACT,
            more: Vec::new(),
            next_src: INEXACT,
            subs: Vec::new(),
        }
    }

    /// Appends `src[a..b]` verbatim.
    pub fn push_run(&mut self, src: &[u8], a: usize, b: usize) {
        let Some(bytes) = src.get(a..b) else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        if self.text.is_empty() {
            self.first = a;
        } else if a != self.next_src {
            self.more.push((self.text.len(), a));
        }
        self.text.extend_from_slice(bytes);
        self.next_src = b;
    }

    /// Appends `src[a..b]`, an expanded substitution, verbatim.
    pub fn push_sub(&mut self, src: &[u8], a: usize, b: usize) {
        let t = self.text.len();
        self.push_run(src, a, b);
        if self.text.len() > t {
            self.subs.push((t, self.text.len()));
        }
    }

    /// Appends a byte that does not correspond to a single source byte.
    pub fn push_inexact(&mut self, byte: u8) {
        if self.text.is_empty() {
            self.first = INEXACT;
        } else {
            self.more.push((self.text.len(), INEXACT));
        }
        self.text.push(byte);
        self.next_src = INEXACT;
    }

    /// Text collected so far.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    pub fn finish(self, span: Range<usize>, quoted: bool, plain: bool) -> Lexed {
        let (text, first, more, subs) = match String::from_utf8(self.text) {
            Ok(t) => (t, self.first, self.more, self.subs),
            // Cannot happen for valid UTF-8 input (only ASCII is ever removed), but never trust
            // the mapping of a lossily converted text.
            Err(e) => (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                INEXACT,
                Vec::new(),
                Vec::new(),
            ),
        };
        Lexed {
            word: Word { span, text, quoted },
            plain,
            first,
            more,
            subs,
        }
    }
}

/// At `b[p] == '$'` of `${{`: the end of the GitHub expression (after `}}`), if it is closed.
/// `expr_fail` memoizes that no `}}` exists at or after an offset, so an unclosed `${{` in a
/// long script stays linear.
pub(crate) fn expr_end(b: &[u8], p: usize, expr_fail: &mut usize) -> Option<usize> {
    if !b.get(p..).is_some_and(|r| r.starts_with(b"${{")) {
        return None;
    }
    let from = p + 3;
    if from >= *expr_fail {
        return None;
    }
    match memchr::memmem::find(b.get(from..).unwrap_or(&[]), b"}}") {
        Some(i) => Some(from + i + 2),
        None => {
            *expr_fail = from;
            None
        }
    }
}
