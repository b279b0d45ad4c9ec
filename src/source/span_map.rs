//! Maps offsets in a decoded string (a YAML scalar's value, a shell word after quote removal)
//! back to offsets in the raw source text it was decoded from.
//!
//! Decoding drops characters (indentation, quotes, escape backslashes, `\r`) and turns line
//! breaks into spaces, so the decoded text aligns greedily with the raw text. When a character
//! cannot be aligned the map is marked inexact and every range maps to the whole raw span:
//! a wider span, never a wrong one.

use std::ops::Range;

/// Decoded offset to source offset.
#[derive(Clone, Debug)]
pub struct SpanMap {
    /// Source offset of the raw text's first byte.
    base: usize,
    /// Length of the raw text.
    raw_len: usize,
    /// For each decoded byte offset (and one past the end), the raw offset; `None` = identity.
    map: Option<Vec<u32>>,
    exact: bool,
}

impl SpanMap {
    /// The decoded text is the raw text, starting at source offset `base`.
    pub fn identity(base: usize, len: usize) -> Self {
        SpanMap {
            base,
            raw_len: len,
            map: None,
            exact: true,
        }
    }

    /// Every decoded range maps to `span` as a whole (the text is not where it is used).
    pub fn whole(span: Range<usize>) -> Self {
        SpanMap {
            base: span.start,
            raw_len: span.len(),
            map: None,
            exact: false,
        }
    }

    /// Aligns `decoded` with `raw` (which starts at source offset `base`). `escapes` says whether
    /// `\` starts an escape sequence in `raw` (YAML double-quoted scalars).
    pub fn align(decoded: &str, raw: &str, base: usize, escapes: bool) -> Self {
        if decoded == raw {
            return Self::identity(base, raw.len());
        }
        let rb = raw.as_bytes();
        let mut map = Vec::with_capacity(decoded.len() + 1);
        let mut j = 0usize;
        let mut exact = true;
        // A block scalar's span starts at its first content line: leading blank lines of the
        // value map to the span's start.
        let lead = if rb.first().is_some_and(|b| !b.is_ascii_whitespace()) {
            decoded.len() - decoded.trim_start_matches('\n').len()
        } else {
            0
        };
        map.resize(lead, 0);
        for c in decoded[lead..].chars() {
            let at = if escapes && rb.get(j) == Some(&b'\\') {
                let n = escape_len(rb, j);
                if matches!(rb.get(j + 1), Some(b'\n' | b'\r')) {
                    // An escaped line break: skip it and the next line's indentation.
                    j += n;
                    while matches!(rb.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                        j += 1;
                    }
                    find(rb, &mut j, c)
                } else {
                    let at = j;
                    j += n;
                    Some(at)
                }
            } else {
                find(rb, &mut j, c)
            };
            let at = match at {
                Some(at) => at,
                // Trailing line breaks of a block scalar lie past its trimmed span.
                None if c.is_whitespace() => raw.len(),
                None => {
                    exact = false;
                    raw.len()
                }
            };
            for _ in 0..c.len_utf8() {
                map.push(at as u32);
            }
        }
        map.push(j.min(raw.len()) as u32);
        SpanMap {
            base,
            raw_len: raw.len(),
            map: Some(map),
            exact,
        }
    }

    /// Whether every decoded character was found in the raw text.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// Source offset of the raw text's start.
    pub fn base(&self) -> usize {
        self.base
    }

    /// The source range of a decoded range.
    pub fn to_source(&self, range: Range<usize>) -> Range<usize> {
        let whole = self.base..self.base + self.raw_len;
        if !self.exact {
            return whole;
        }
        match &self.map {
            None => {
                let s = range.start.min(self.raw_len);
                let e = range.end.clamp(s, self.raw_len);
                self.base + s..self.base + e
            }
            Some(map) => {
                let (Some(&s), Some(&last)) = (
                    map.get(range.start),
                    map.get(range.end.saturating_sub(1).max(range.start)),
                ) else {
                    return whole;
                };
                let s = s as usize;
                let e = if range.end > range.start {
                    // One past the last decoded byte's raw position (its raw char may be longer).
                    let last = last as usize;
                    let next = map.get(range.end).copied().unwrap_or(self.raw_len as u32) as usize;
                    if next > last { next } else { last + 1 }
                } else {
                    s
                };
                self.base + s..self.base + e.min(self.raw_len).max(s)
            }
        }
    }
}

/// Advances `j` to the next raw position matching `c`; whitespace matches any whitespace,
/// because line folding turns line breaks into spaces.
fn find(rb: &[u8], j: &mut usize, c: char) -> Option<usize> {
    let mut buf = [0u8; 4];
    let enc = c.encode_utf8(&mut buf).as_bytes();
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while *j < rb.len() {
        let here = &rb[*j..];
        if here.starts_with(enc) || (enc.len() == 1 && ws(enc[0]) && ws(here[0])) {
            let at = *j;
            *j += if here.starts_with(enc) { enc.len() } else { 1 };
            return Some(at);
        }
        *j += 1;
    }
    None
}

/// Length of the YAML escape sequence starting at `rb[j] == b'\\'`.
fn escape_len(rb: &[u8], j: usize) -> usize {
    let n = match rb.get(j + 1) {
        Some(b'x') => 4,
        Some(b'u') => 6,
        Some(b'U') => 10,
        Some(b'\r') if rb.get(j + 2) == Some(&b'\n') => 3,
        Some(_) => 2,
        None => 1,
    };
    n.min(rb.len() - j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(decoded: &str, raw: &str, escapes: bool, word: &str, expect: &str) {
        let m = SpanMap::align(decoded, raw, 100, escapes);
        let s = decoded.find(word).unwrap();
        let r = m.to_source(s..s + word.len());
        assert_eq!(
            &raw[r.start - 100..r.end - 100],
            expect,
            "{decoded:?} in {raw:?}"
        );
    }

    #[test]
    fn identity() {
        let m = SpanMap::identity(10, 5);
        assert_eq!(m.to_source(1..3), 11..13);
        assert_eq!(m.to_source(4..99), 14..15);
    }

    #[test]
    fn literal_block_drops_indentation_and_cr() {
        check(
            "a\nnox -s x\n",
            "a\r\n    nox -s x\r\n",
            false,
            "nox",
            "nox",
        );
        check(
            "a\nnox -s x\n",
            "a\r\n    nox -s x\r\n",
            false,
            "-s x",
            "-s x",
        );
    }

    #[test]
    fn folded_joins_lines() {
        check("python -m nox", "python\n  -m\n  nox", false, "nox", "nox");
        check("a b", "a\nb", false, "b", "b");
    }

    #[test]
    fn quotes_and_escapes() {
        check("it's nox", "it''s nox", false, "nox", "nox");
        check("a\"b nox", "a\\\"b nox", true, "nox", "nox");
        check("a\tb nox", "a\\tb nox", true, "nox", "nox");
        check("é nox", "\\u00e9 nox", true, "nox", "nox");
    }

    #[test]
    fn unaligned_falls_back_to_whole_span() {
        let m = SpanMap::align("zzz", "abc", 0, false);
        assert!(!m.is_exact());
        assert_eq!(m.to_source(0..1), 0..3);
    }
}
