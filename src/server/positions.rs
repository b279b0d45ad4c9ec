//! Byte offsets to LSP positions and back. A position is a 0-based line and a column counted in
//! the negotiated encoding's units: UTF-16 code units (the protocol's default) or UTF-8 bytes
//! (when the client offers `utf-8` in `general.positionEncodings`). Lines end at `\n`, `\r\n`
//! or a lone `\r`, as in YAML and the protocol. Every conversion clamps: a position past the end
//! of its line is the line's end, a line past the end of the text is the text's end, so a
//! client's bad position never panics.

use lsp_types::{Position, Range, TextEdit};

use crate::source::LineIndex;

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units (the default of the protocol).
    #[default]
    Utf16,
    /// UTF-8 bytes.
    Utf8,
}

impl Encoding {
    /// The protocol's name of the encoding.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf16 => "utf-16",
            Encoding::Utf8 => "utf-8",
        }
    }
}

/// A text and its line starts, for converting positions.
pub struct Lines<'t> {
    text: &'t str,
    index: LineIndex,
}

impl<'t> Lines<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        Lines {
            text,
            index: LineIndex::new(text),
        }
    }

    /// The text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Number of lines (a final line without a newline counts; an empty text has one).
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no lines (never).
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The bytes of the 0-based line `line`, without its line ending (`None` past the end).
    pub fn line_span(&self, line: usize) -> Option<std::ops::Range<usize>> {
        if line >= self.index.len() {
            return None;
        }
        let start = self.index.line_start(line);
        let next = if line + 1 < self.index.len() {
            self.index.line_start(line + 1)
        } else {
            self.text.len()
        };
        let body = &self.text[start..next];
        let end = start + body.trim_end_matches(['\n', '\r']).len();
        Some(start..end)
    }

    /// Whether `offset` falls between the `\r` and the `\n` of a line break: a place no
    /// position names.
    fn splits_crlf(&self, offset: usize) -> bool {
        let b = self.text.as_bytes();
        offset > 0 && b.get(offset - 1) == Some(&b'\r') && b.get(offset) == Some(&b'\n')
    }

    /// The position of a byte offset (clamped to the text and to a character boundary; an
    /// offset inside a `\r\n` is the end of its line).
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let mut offset = crate::source::clamp_to_char_boundary(self.text, offset);
        if self.splits_crlf(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(self.text, offset);
        let start = self.index.line_start(line).min(offset);
        let prefix = &self.text[start..offset];
        let character = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position: past the end of its line is the line's end, a column
    /// inside a character (half a surrogate pair, part of a UTF-8 sequence) is that character's
    /// start, a line past the end is the end of the text.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let Some(span) = self.line_span(pos.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[span.clone()];
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let n = match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units + n > want {
                return span.start + i;
            }
            units += n;
        }
        span.end
    }

    /// The range of a byte span.
    pub fn range(&self, span: &std::ops::Range<usize>, enc: Encoding) -> Range {
        let start = self.position(span.start, enc);
        let end = self.position(span.end.max(span.start), enc);
        Range::new(start, end)
    }

    /// An edit replacing `span` with `content`. An end inside a `\r\n` cannot be named by a
    /// position, so the edit is widened over the half of the line break it splits and that half
    /// is put back in the new text: the result is the same text.
    pub fn edit(&self, span: &std::ops::Range<usize>, content: &str, enc: Encoding) -> TextEdit {
        let (mut start, mut end) = (
            span.start.min(self.text.len()),
            span.end.min(self.text.len()),
        );
        end = end.max(start);
        let mut new = String::with_capacity(content.len() + 2);
        if self.splits_crlf(start) {
            start -= 1;
            new.push('\r');
        }
        new.push_str(content);
        if self.splits_crlf(end) {
            end += 1;
            new.push('\n');
        }
        TextEdit::new(self.range(&(start..end), enc), new)
    }

    /// The byte span of a range (start and end in order).
    pub fn span(&self, range: Range, enc: Encoding) -> std::ops::Range<usize> {
        let a = self.offset(range.start, enc);
        let b = self.offset(range.end, enc);
        a.min(b)..a.max(b)
    }

    /// The position just past the text.
    pub fn end(&self, enc: Encoding) -> Position {
        self.position(self.text.len(), enc)
    }
}

/// Applies one `didChange` content change to `text`: the whole text when `range` is `None`,
/// else the range (clamped as [`Lines::offset`] does) replaced by `new`.
pub fn apply_change(text: &mut String, range: Option<Range>, new: &str, enc: Encoding) {
    match range {
        None => {
            text.clear();
            text.push_str(new);
        }
        Some(r) => {
            let span = Lines::new(text).span(r, enc);
            text.replace_range(span, new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_on_a_non_ascii_line() {
        let text = "on: push\nname: Tëst 🚀 nox -s x\n";
        let l = Lines::new(text);
        let nox = text.find("nox").unwrap();
        // `name: T` 7, `ë` 1 unit (2 bytes), `st ` 3, the rocket 2 units (4 bytes), ` ` 1.
        assert_eq!(l.position(nox, Encoding::Utf16), Position::new(1, 14));
        assert_eq!(l.position(nox, Encoding::Utf8), Position::new(1, 17));
        assert_eq!(l.offset(Position::new(1, 14), Encoding::Utf16), nox);
        assert_eq!(l.offset(Position::new(1, 17), Encoding::Utf8), nox);
        // Every character boundary goes there and back in both encodings.
        for (i, _) in text.char_indices() {
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                assert_eq!(l.offset(l.position(i, enc), enc), i, "offset {i} {enc:?}");
            }
        }
    }

    #[test]
    fn bad_positions_are_clamped() {
        let text = "ab\r\n🚀x\rlast";
        let l = Lines::new(text);
        assert_eq!(l.len(), 3);
        // Past the end of a line: the line's end, before its `\r\n`.
        assert_eq!(l.offset(Position::new(0, 99), Encoding::Utf16), 2);
        // Half a surrogate pair: the start of the character.
        assert_eq!(l.offset(Position::new(1, 1), Encoding::Utf16), 4);
        assert_eq!(l.offset(Position::new(1, 2), Encoding::Utf16), 8);
        // Inside a UTF-8 sequence.
        assert_eq!(l.offset(Position::new(1, 3), Encoding::Utf8), 4);
        // A lone `\r` ends a line.
        assert_eq!(l.offset(Position::new(2, 0), Encoding::Utf16), 10);
        // A line past the end, and the largest numbers a client can send.
        assert_eq!(l.offset(Position::new(7, 0), Encoding::Utf16), text.len());
        assert_eq!(
            l.offset(Position::new(u32::MAX, u32::MAX), Encoding::Utf8),
            text.len()
        );
        // Offsets past the end or inside a character.
        assert_eq!(l.position(999, Encoding::Utf16), Position::new(2, 4));
        assert_eq!(l.position(5, Encoding::Utf16), Position::new(1, 0));
        assert_eq!(l.end(Encoding::Utf16), Position::new(2, 4));
        assert_eq!(Lines::new("").end(Encoding::Utf16), Position::new(0, 0));
        // A text ending in a newline has an empty last line.
        assert_eq!(Lines::new("a\n").end(Encoding::Utf16), Position::new(1, 0));
        // Inside a `\r\n`: the end of the line.
        assert_eq!(l.position(3, Encoding::Utf16), Position::new(0, 2));
    }

    /// Applies `e` to `text` as a client would.
    fn apply(text: &str, e: &TextEdit) -> String {
        let mut t = text.to_string();
        apply_change(&mut t, Some(e.range), &e.new_text, Encoding::Utf16);
        t
    }

    #[test]
    fn an_edit_never_splits_a_crlf() {
        let text = "name: x # a\r\n # b\r\n";
        let l = Lines::new(text);
        // (span, content): the end between `\r` and `\n`, the start there, both, neither.
        let cases = [
            (7..12, ""),
            (12..15, "c"),
            (12..12, "# z\r"),
            (13..18, ""),
            (0..4, "NAME"),
        ];
        for (span, content) in cases {
            let e = l.edit(&span, content, Encoding::Utf16);
            let want = format!("{}{content}{}", &text[..span.start], &text[span.end..]);
            assert_eq!(apply(text, &e), want, "{span:?} {content:?}");
            for p in [e.range.start, e.range.end] {
                assert!(l.offset(p, Encoding::Utf16) <= text.len());
                assert!(
                    !l.splits_crlf(l.offset(p, Encoding::Utf16)),
                    "{span:?} {p:?}"
                );
            }
        }
    }

    #[test]
    fn changes_apply_full_and_incremental() {
        let mut t = String::from("name: Tëst 🚀\nrun: nox\n");
        let enc = Encoding::Utf16;
        // Replace `nox` (line 1, columns 5..8) with `nox -r`.
        apply_change(
            &mut t,
            Some(Range::new(Position::new(1, 5), Position::new(1, 8))),
            "nox -r",
            enc,
        );
        assert_eq!(t, "name: Tëst 🚀\nrun: nox -r\n");
        // After the rocket (2 units) on line 0.
        apply_change(
            &mut t,
            Some(Range::new(Position::new(0, 13), Position::new(0, 13))),
            "!",
            enc,
        );
        assert_eq!(t, "name: Tëst 🚀!\nrun: nox -r\n");
        // A range given backwards is taken in order; one past the end appends.
        apply_change(
            &mut t,
            Some(Range::new(Position::new(1, 99), Position::new(1, 8))),
            "",
            enc,
        );
        assert_eq!(t, "name: Tëst 🚀!\nrun: nox\n");
        apply_change(
            &mut t,
            Some(Range::new(Position::new(9, 0), Position::new(9, 0))),
            "x",
            enc,
        );
        assert_eq!(t, "name: Tëst 🚀!\nrun: nox\nx");
        apply_change(&mut t, None, "all new", enc);
        assert_eq!(t, "all new");
    }
}
