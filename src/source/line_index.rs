//! Byte offset to line/column, computed once per file.

/// A 1-based line and column. Columns count characters (not bytes), as editors do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Bytes per block of the character-count table.
const BLOCK: usize = 4096;

/// The byte offset where each line starts, and how many characters precede each 4 KiB block,
/// so that any column is found in O(log lines + 4 KiB) even on a 30 MB single-line file.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// `blocks[i]`: the number of characters in `text[..i * BLOCK]`.
    blocks: Vec<u32>,
    /// Whether the text starts with a byte-order mark (not a column).
    bom: bool,
    /// Whether the text has a character outside the Basic Multilingual Plane (two UTF-16 code
    /// units; only then do UTF-16 columns differ from character columns).
    astral: bool,
}

/// Characters in a byte slice that starts and ends on character boundaries: every byte that is
/// not a UTF-8 continuation byte starts one.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`, `\r\n` or a lone `\r`, as in YAML.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push((i + 1) as u32);
            }
        }
        let mut blocks = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut total = 0usize;
        let mut astral = false;
        for chunk in bytes.chunks(BLOCK) {
            blocks.push(total as u32);
            total += chars_in(chunk);
            astral = astral || chunk.iter().any(|&b| b >= 0xF0);
        }
        // For an offset at the very end of a text whose length is a multiple of BLOCK.
        blocks.push(total as u32);
        LineIndex {
            starts,
            blocks,
            bom: text.starts_with('\u{feff}'),
            astral,
        }
    }

    /// Number of lines (a final line without a newline counts).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the index is empty (never: an empty text has one empty line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Byte offset where the 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(0) as usize
    }

    /// Characters in `text[..offset]` (`offset` on a char boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        let base = self.blocks.get(block).copied().unwrap_or(0) as usize;
        base + chars_in(text.as_bytes().get(block * BLOCK..offset).unwrap_or(&[]))
    }

    /// The 0-based line of a byte offset (a binary search; no characters are counted).
    /// Offsets past the end or inside a character are clamped, as in [`LineIndex::line_col`].
    pub fn line_of(&self, text: &str, offset: usize) -> usize {
        let offset = clamp_to_char_boundary(text, offset);
        match self.starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Line and column of a byte offset. Offsets past the end or inside a character are clamped.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(text, offset);
        let line = self.line_of(text, offset);
        let start = self.line_start(line).min(offset);
        // A short prefix of the line is counted directly; a long one from the block table.
        let mut column = if offset - start <= BLOCK {
            chars_in(text.as_bytes().get(start..offset).unwrap_or(&[]))
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        };
        if line == 0 && self.bom && offset >= 3 {
            column -= 1;
        }
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }
}

impl LineIndex {
    /// The 1-based column of a byte offset in UTF-16 code units (what SARIF's
    /// `utf16CodeUnits` and the Language Server Protocol count): the character column plus one
    /// for each character of the line before it that needs two units.
    pub fn utf16_column(&self, text: &str, offset: usize) -> usize {
        let at = self.line_col(text, offset);
        if !self.astral {
            return at.column;
        }
        let offset = clamp_to_char_boundary(text, offset);
        let start = self.line_start(at.line - 1).min(offset);
        let wide = text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| b >= 0xF0)
            .count();
        at.column + wide
    }
}

/// The largest char boundary at or below `offset`, within `text`.
pub fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_a_text_whose_length_is_a_multiple_of_the_block() {
        // Found by the mutation fuzzer: a 49,152-byte file, a diagnostic at its very end.
        let text = format!("\u{feff}\u{feff}{}", "x".repeat(BLOCK * 3 - 6));
        assert_eq!(text.len() % BLOCK, 0);
        let idx = LineIndex::new(&text);
        let at = idx.line_col(&text, text.len());
        assert_eq!((at.line, at.column), (1, BLOCK * 3 - 6 + 2));
    }

    #[test]
    fn utf16_columns_count_astral_characters_twice() {
        let text = "a: é\nb: 🦀 x # 🦀🦀 y\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x).column, 6);
        assert_eq!(idx.utf16_column(text, x), 7);
        let y = text.find('y').unwrap();
        assert_eq!(idx.utf16_column(text, y), idx.line_col(text, y).column + 3);
        // Line 1 has no astral character; a BMP character counts once.
        assert_eq!(idx.utf16_column(text, 4), 4);
        let plain = "key: é value";
        let idx = LineIndex::new(plain);
        assert_eq!(idx.utf16_column(plain, plain.len()), 13);
    }

    #[test]
    fn lines_and_columns() {
        let text = "ab\r\ncé d\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.len(), 4);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 2), LineCol { line: 1, column: 3 });
        // "d" is after a two-byte character: column counts characters.
        let d = text.find('d').unwrap();
        assert_eq!(idx.line_col(text, d), LineCol { line: 2, column: 4 });
        assert_eq!(
            idx.line_col(text, text.len()),
            LineCol { line: 4, column: 2 }
        );
        assert_eq!(idx.line_col(text, 9999), LineCol { line: 4, column: 2 });
        for offset in 0..text.len() + 2 {
            assert_eq!(
                idx.line_of(text, offset) + 1,
                idx.line_col(text, offset).line
            );
        }
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}on: push";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn lone_carriage_returns_end_lines_as_in_yaml() {
        let text = "a: 1\rb: 2\r\nc: 3";
        let idx = LineIndex::new(text);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 1 });
        assert_eq!(
            idx.line_col(text, text.find('c').unwrap()),
            LineCol { line: 3, column: 1 }
        );
    }

    #[test]
    fn columns_on_long_lines_use_the_block_table() {
        let text = "é".repeat(10_000) + "x" + &"a".repeat(9_000);
        let idx = LineIndex::new(&text);
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.line_col(&text, x),
            LineCol {
                line: 1,
                column: 10_001
            }
        );
        assert_eq!(
            idx.line_col(&text, text.len()),
            LineCol {
                line: 1,
                column: 19_002
            }
        );
    }

    #[test]
    fn direct_count_and_block_table_agree_around_the_threshold() {
        // Lines whose prefix is just under, at and over one block, after a start that is not
        // block-aligned, with two- and three-byte characters.
        let text = format!("ab\n{}\n{}x\n", "é日".repeat(800), "日".repeat(1400));
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let naive = text[line_start..offset].chars().count() + 1;
            assert_eq!(idx.line_col(&text, offset).column, naive, "offset {offset}");
        }
    }

    #[test]
    fn offset_inside_a_character_is_clamped() {
        let text = "é";
        assert_eq!(clamp_to_char_boundary(text, 1), 0);
    }
}
