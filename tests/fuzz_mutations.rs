//! Mutation fuzzing on stable Rust: seed workflows are mutated with a seeded PRNG and each result
//! goes through the whole pipeline in-process (`engine::lint`, then every report format), plus
//! the raw layers (`yaml::parse`, `expr::find`/`expr::parse`, `shell::scan`) on the same text.
//! A panic or a call slower than the time bound is a failure.
//!
//! * `cargo test --test fuzz_mutations` runs a fixed-seed short run (2,000 inputs) and lints the
//!   regression fixtures in `tests/fuzz/regressions/`.
//! * `CACHELINT_FUZZ_SECONDS=60 CACHELINT_FUZZ_SEED=random cargo test --release --test
//!   fuzz_mutations -- --ignored --nocapture` runs as many inputs as fit in the time
//!   (`.ci/fuzz.sh` does this). `CACHELINT_FUZZ_SEED` takes a number (decimal or 0x-hex) or
//!   `random`; the seed is printed at the start.
//!
//! Seeds: the workflows embedded below, every `*.yml`/`*.yaml` under `tests/fixtures/`,
//! `examples/` and `tests/fuzz/regressions/`, and `../shared/corpus/` when it exists.
//!
//! On a failure the harness prints the case seed, the mutation list and the input (escaped,
//! cut to about 2 KB) and writes the full input to `target/fuzz-crash-<case seed>.yml`. Copy
//! that file to `tests/fuzz/regressions/` to keep it as a regression test.

mod common;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cachelint::engine::{self, Settings};
use cachelint::knowledge::Knowledge;
use cachelint::report::{self, Format, Options};
use cachelint::rules::Registry;
use cachelint::shell::{self, Dialect};
use cachelint::source::SourceFile;
use cachelint::{expr, yaml};

// ---------------------------------------------------------------------------------------------
// Embedded seeds: small but realistic workflows, so the harness works without any corpus.

const SEED_NOX: &str = r#"name: tests
on:
  push:
    branches: [main]
  pull_request:
env:
  FORCE_COLOR: "1"
  NOX_DEFAULT_VENV_BACKEND: uv
jobs:
  test:
    name: test (${{ matrix.python }} on ${{ matrix.os }})
    runs-on: ${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
        python: ["3.9", "3.10", '3.11', "3.12"]
        include:
          - os: ubuntu-latest
            python: "3.13"
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        id: py
        with:
          python-version: ${{ matrix.python }}
          cache: pip
      - uses: actions/cache@v4
        with:
          path: |
            .nox
            ~/.cache/pip
          key: nox-${{ runner.os }}-${{ steps.py.outputs.python-version }}-${{ hashFiles('noxfile.py', '**/pyproject.toml') }}
          restore-keys: |
            nox-${{ runner.os }}-
      - name: Run tests
        run: |
          python -m pip install --upgrade nox
          nox --reuse-venv=yes -s "tests-${{ matrix.python }}" -- --cov
      - if: ${{ always() && !cancelled() }}
        run: echo "done" > "$GITHUB_STEP_SUMMARY"
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pipx run nox -s lint
"#;

const SEED_ANCHORS: &str = r#"on: [push, workflow_dispatch]
defaults:
  run:
    shell: bash
    working-directory: ./src
x-common: &common
  runs-on: ubuntu-22.04
  timeout-minutes: 30
  env: &env
    PIP_DISABLE_PIP_VERSION_CHECK: 1
    KEY: 'it''s "quoted"'
jobs:
  docs:
    <<: *common
    steps:
      - &checkout
        uses: actions/checkout@v4
        with: {fetch-depth: 0, submodules: recursive}
      - run: >-
          uv run nox -s docs
          --envdir /tmp/envs
      - uses: actions/cache/restore@v4
        with:
          path: /tmp/envs
          key: docs-${{ hashFiles(format('{0}/noxfile.py', 'src')) }}
  build:
    <<: *common
    needs: [docs]
    if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')
    steps:
      - *checkout
      - shell: bash
        env:
          <<: *env
          TOKEN: ${{ secrets.TOKEN || 'none' }}
        run: |
          set -euo pipefail
          for s in lint tests; do
            if [ "$s" = lint ]; then sudo -E nox -s "$s"; else bash -c "nox -rs '$s'"; fi
          done
          cat <<EOF > out.txt
          nox -s not-a-command ${{ github.sha }}
          EOF
          echo "$(uvx nox --list | grep -c '^\*')" `date`
"#;

/// Written with `\n`; the seed list turns it into CRLF.
const SEED_WINDOWS: &str = r#"name: windows
on:
  schedule:
    - cron: '0 3 * * 1'
jobs:
  win:
    runs-on: windows-latest
    defaults:
      run:
        shell: pwsh
    steps:
      - uses: actions/checkout@v4
      - run: |
          $env:NOX_ENVDIR = "C:\envs"
          python -m nox -s tests `
            --no-error-on-missing-interpreters; if ($LASTEXITCODE) { exit 1 }
      - shell: cmd
        run: nox -s lint && echo %ERRORLEVEL%
      - shell: python
        run: |
          import subprocess
          subprocess.run(["nox"])
"#;

const SEED_FORGEJO: &str = r#"# Forgejo workflow with flow style, a unicode name and odd scalars
name: "CI — café 😀"
'on': {push: {branches: ['**']}, pull_request: null}
jobs: {
  t: {runs-on: docker, container: {image: 'python:3.12'},
      steps: [
        {uses: https://code.forgejo.org/actions/checkout@v4},
        {uses: actions/cache@v4, with: {path: "~/.cache/nox\n.nox", key: "k-${{ hashFiles('**/*.lock') }}"}},
        {run: "nox -s t\u00e9st -- -x", working-directory: sub/dir},
        {run: 'python3 -m nox --envdir=${{ runner.temp }}/nox'}
      ]}
}
"#;

const EMBEDDED: &[(&str, &str)] = &[
    ("embedded/nox.yml", SEED_NOX),
    ("embedded/anchors.yml", SEED_ANCHORS),
    ("embedded/windows.yml", SEED_WINDOWS),
    ("embedded/forgejo.yml", SEED_FORGEJO),
];

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (SplitMix64): deterministic, no dependencies.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `num/den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// The seed of case `index` of a run: independent of which thread runs it.
fn case_seed(run_seed: u64, index: u64) -> u64 {
    Rng::new(run_seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93)).next()
}

// ---------------------------------------------------------------------------------------------
// Mutations. Every mutation works on bytes and returns a short description for the report.

/// Tokens inserted anywhere: YAML indicators, aliases, expression and shell syntax, odd bytes.
const TOKENS: &[&[u8]] = &[
    b"&a ",
    b"*a",
    b"&a [",
    b"*a ",
    b"&a [*a]",
    b"&a {k: *a}",
    b"<<: *a\n",
    b"<<: [*a, *b]\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"'",
    b"${{",
    b"}}",
    b"${{ ",
    b" }}",
    b"|",
    b"|-",
    b"|+",
    b"|2",
    b">-",
    b">",
    b"\t",
    b"\0",
    b"\r",
    b"\n",
    b"\r\n",
    b": ",
    b":",
    b"- ",
    b"-",
    b"? ",
    b"#",
    b" #",
    b",",
    b"!",
    b"!!str ",
    b"!!map ",
    b"!tag ",
    b"!<tag:yaml.org,2002:str> ",
    b"%YAML 1.2\n---\n",
    b"%TAG ! tag:x,2000:\n",
    b"---\n",
    b"...\n",
    b"--- ",
    b"\\",
    b"\\u",
    b"\\x",
    b"\\U0001F600",
    b"$(",
    b")",
    b"$((",
    b"((",
    b"`",
    b"<<EOF\n",
    b"<<-'EOF'\n",
    b"\nEOF\n",
    b"bash -c \"",
    b"sh -c '",
    b"nox ",
    b"python -m nox -s ",
    b"--envdir ",
    b"; ",
    b" && ",
    b" | ",
    b"${",
    b"$",
    b"hashFiles('",
    b"hashFiles(",
    b"format('{0}', ",
    b"fromJSON(",
    b"steps.",
    b"matrix.",
    b"runner.os",
    b"env['",
    b"**",
    b"*",
    b"?",
    b"../",
    b"~",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xef\xbb\xbf",
    "\u{e9}".as_bytes(),
    "\u{20ac}".as_bytes(),
    "\u{1F600}".as_bytes(),
    "\u{85}".as_bytes(),
    "\u{2028}".as_bytes(),
    "\u{2029}".as_bytes(),
    "\u{a0}".as_bytes(),
    "\u{3000}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{301}".as_bytes(),
];

/// Multi-line snippets inserted at a line start.
const SNIPPETS: &[&str] = &[
    "x: &a [*a]\n",
    "x: &a\n  k: *a\n",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    "jobs: &j\n  a: *j\n",
    "? [complex, key]\n: value\n",
    "? |\n  block key\n: v\n",
    "- \n",
    "k: !!binary |\n  R0lGODlhDAAMAIQAAP\n",
    "k: \"unterminated\n",
    "k: 'it''s\n",
    "k: ${{ github.event.inputs.x }}\n",
    "run: |\n  nox -s t\n",
    "steps:\n  - run: nox\n  - uses: actions/cache@v4\n    with:\n      path: .nox\n      key: k\n",
    "  - run: |\n      bash -c \"$(echo nox -s x)\"\n",
    "  - run: nox -s a\n    shell: pwsh\n",
    "  - run: nox -s a\n    shell: cmd\n",
    "  - run: nox -s a\n    shell: bash -e {0}\n",
    "  - run: nox -s a\n    working-directory: ${{ matrix.dir }}\n",
    "  - uses: actions/cache@v4\n    with: {path: '**', key: '${{ hashFiles(''**'') }}'}\n",
    "---\nsecond: document\n",
    "%YAML 1.1\n",
    "#!/bin/bash\n",
    "\t- tab indented\n",
];

#[derive(Clone, Copy)]
struct Limits {
    /// Mutations never grow an input past this many bytes.
    max_len: usize,
    /// The most copies of a line one "repeat line" mutation adds.
    max_repeat: usize,
}

fn line_starts(buf: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    for (i, &b) in buf.iter().enumerate() {
        if b == b'\n' && i + 1 < buf.len() {
            v.push(i + 1);
        }
    }
    v
}

/// Byte range of line `i` (including its newline).
/// One to three whole lines at random: the first line's index, how many, and their byte range.
fn pick_lines(rng: &mut Rng, buf: &[u8], len: usize) -> (usize, usize, usize, usize) {
    let starts = line_starts(buf);
    let i = rng.below(starts.len());
    let n = rng.range(1, 4).min(starts.len() - i);
    (i, n, starts[i], line_range(&starts, len, i + n - 1).1)
}

fn line_range(starts: &[usize], len: usize, i: usize) -> (usize, usize) {
    let s = starts[i];
    let e = starts.get(i + 1).copied().unwrap_or(len);
    (s, e)
}

fn find_all(buf: &[u8], pat: &[u8]) -> Vec<usize> {
    let mut v = vec![];
    if pat.is_empty() || buf.len() < pat.len() {
        return v;
    }
    let mut i = 0;
    while i + pat.len() <= buf.len() {
        if &buf[i..i + pat.len()] == pat {
            v.push(i);
        }
        i += 1;
    }
    v
}

fn indent_of(line: &[u8]) -> usize {
    line.iter().take_while(|&&b| b == b' ').count()
}

/// Content byte ranges of block scalars (`key: |`, `- >-`, ...): the more-indented lines after
/// a line ending in a block indicator.
fn block_scalars(buf: &[u8]) -> Vec<(usize, usize)> {
    let starts = line_starts(buf);
    let mut out = vec![];
    let mut i = 0;
    while i < starts.len() {
        let (s, e) = line_range(&starts, buf.len(), i);
        let line = &buf[s..e];
        let trimmed: &[u8] = {
            let mut t = line;
            while let [rest @ .., last] = t {
                if last.is_ascii_whitespace() {
                    t = rest;
                } else {
                    break;
                }
            }
            t
        };
        let is_header = {
            let mut t = trimmed;
            while let [rest @ .., last] = t {
                if matches!(last, b'-' | b'+' | b'0'..=b'9') {
                    t = rest;
                } else {
                    break;
                }
            }
            matches!(t.last(), Some(b'|' | b'>'))
                && (t.len() == 1 || matches!(t.get(t.len() - 2), Some(b' ')))
        };
        if is_header {
            let ind = indent_of(line);
            let first = i + 1;
            let mut j = first;
            while j < starts.len() {
                let (ls, le) = line_range(&starts, buf.len(), j);
                let l = &buf[ls..le];
                let blank = l.iter().all(|b| b.is_ascii_whitespace());
                if !blank && indent_of(l) <= ind {
                    break;
                }
                j += 1;
            }
            if j > first {
                let cs = starts[first];
                let ce = line_range(&starts, buf.len(), j - 1).1;
                out.push((cs, ce));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// A position to insert at: a random byte, a line start, after a line's indentation, a line
/// end, after `: `, inside an expression or inside a block scalar.
fn pick_pos(rng: &mut Rng, buf: &[u8]) -> (usize, &'static str) {
    let len = buf.len();
    match rng.below(7) {
        0 => (rng.below(len + 1), "at"),
        1 | 2 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let (s, e) = line_range(&starts, len, i);
            match rng.below(3) {
                0 => (s, "line start"),
                1 => (s + indent_of(&buf[s..e]), "after indent"),
                _ => {
                    let end = if e > s && buf[e - 1] == b'\n' {
                        e - 1
                    } else {
                        e
                    };
                    (end, "line end")
                }
            }
        }
        3 => {
            let v = find_all(buf, b": ");
            if v.is_empty() {
                (rng.below(len + 1), "at")
            } else {
                (*rng.pick(&v) + 2, "after ': '")
            }
        }
        4 => {
            let v = find_all(buf, b"${{");
            if v.is_empty() {
                (rng.below(len + 1), "at")
            } else {
                let p = *rng.pick(&v) + 3;
                let span = buf[p..].windows(2).position(|w| w == b"}}").unwrap_or(0);
                (p + rng.below(span + 1), "inside ${{")
            }
        }
        _ => {
            let v = block_scalars(buf);
            if v.is_empty() {
                (rng.below(len + 1), "at")
            } else {
                let (s, e) = *rng.pick(&v);
                (s + rng.below(e - s + 1), "inside block scalar")
            }
        }
    }
}

fn splice_in(buf: &mut Vec<u8>, at: usize, what: &[u8], limits: Limits) -> bool {
    if buf.len() + what.len() > limits.max_len {
        return false;
    }
    buf.splice(at..at, what.iter().copied());
    true
}

fn esc(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if s.len() >= max {
                s.push('…');
                return s;
            }
            match c {
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                '\\' => s.push_str("\\\\"),
                c if c.is_control() || c == '\u{feff}' => {
                    let _ = write!(s, "\\u{{{:x}}}", c as u32);
                }
                c => s.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    s
}

/// Applies one random mutation; returns its description.
fn mutate_once(rng: &mut Rng, buf: &mut Vec<u8>, seeds: &[Seed], limits: Limits) -> String {
    let len = buf.len();
    match rng.below(26) {
        // Bit flip.
        0 if len > 0 => {
            let at = rng.below(len);
            let bit = rng.below(8);
            buf[at] ^= 1 << bit;
            format!("flip bit {bit} at {at}")
        }
        // Byte set to an interesting ASCII value.
        1 if len > 0 => {
            let at = rng.below(len);
            let b = *rng.pick(b" \t\n\r:-#'\"{}[],&*!|>%@`$\\()");
            buf[at] = b;
            format!("set byte {at} to {}", esc(&[b], 8))
        }
        // Truncations of every kind.
        2 => {
            let at = rng.below(len + 1);
            buf.truncate(at);
            format!("truncate at {at}")
        }
        3 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let (s, e) = line_range(&starts, len, i);
            let at = if rng.chance(1, 2) {
                s
            } else if e > s && buf[e - 1] == b'\n' {
                e - 1
            } else {
                e
            };
            buf.truncate(at);
            format!("truncate at line end {at}")
        }
        4 => {
            let v = find_all(buf, b"${{");
            if v.is_empty() {
                return mutate_once(rng, buf, seeds, limits);
            }
            let p = *rng.pick(&v);
            let close = buf[p..]
                .windows(2)
                .position(|w| w == b"}}")
                .map_or(len, |c| p + c + 2);
            let at = rng.range(p + 1, close.max(p + 1).min(len));
            buf.truncate(at);
            format!("truncate inside ${{{{ at {at}")
        }
        5 => {
            let v: Vec<usize> = buf
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'"' || **b == b'\'')
                .map(|(i, _)| i)
                .collect();
            if v.is_empty() {
                return mutate_once(rng, buf, seeds, limits);
            }
            let p = *rng.pick(&v);
            let q = buf[p];
            let close = buf[p + 1..]
                .iter()
                .position(|&b| b == q)
                .map_or(len, |c| p + 1 + c);
            let at = rng.range(p + 1, close.max(p + 1).min(len));
            buf.truncate(at);
            format!("truncate inside quoted string at {at}")
        }
        6 => {
            let v = block_scalars(buf);
            if v.is_empty() {
                return mutate_once(rng, buf, seeds, limits);
            }
            let (s, e) = *rng.pick(&v);
            let at = rng.range(s, e);
            buf.truncate(at);
            format!("truncate inside block scalar at {at}")
        }
        // Line edits.
        7 => {
            let (i, n, s, e) = pick_lines(rng, buf, len);
            buf.drain(s..e);
            format!("delete lines {}..{}", i + 1, i + n + 1)
        }
        8 => {
            let (i, n, s, e) = pick_lines(rng, buf, len);
            let mut chunk = buf[s..e].to_vec();
            if chunk.last() != Some(&b'\n') {
                chunk.push(b'\n');
                chunk.rotate_right(1);
            }
            if splice_in(buf, e, &chunk, limits) {
                format!("duplicate lines {}..{}", i + 1, i + n + 1)
            } else {
                "duplicate lines (skipped: too large)".into()
            }
        }
        9 | 10 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let n = if rng.chance(1, 2) {
                1
            } else {
                rng.range(1, 12).min(starts.len() - i)
            };
            let k = rng.range(1, 4);
            let add = rng.chance(1, 2);
            for j in (i..i + n).rev() {
                let s = starts[j];
                if add {
                    buf.splice(s..s, std::iter::repeat_n(b' ', k));
                } else {
                    let have = buf[s..].iter().take(k).take_while(|&&b| b == b' ').count();
                    buf.drain(s..s + have);
                }
            }
            format!(
                "indent lines {}..{} by {}{k}",
                i + 1,
                i + n + 1,
                if add { "+" } else { "-" }
            )
        }
        11 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let j = rng.below(starts.len());
            let (a, b) = (i.min(j), i.max(j));
            if a == b {
                return "swap lines (same line)".into();
            }
            let (as_, ae) = line_range(&starts, len, a);
            let (bs, be) = line_range(&starts, len, b);
            let mut la = buf[as_..ae].to_vec();
            let mut lb = buf[bs..be].to_vec();
            if la.last() != Some(&b'\n') {
                la.push(b'\n');
            }
            if lb.last() != Some(&b'\n') {
                lb.push(b'\n');
            }
            let mut out = Vec::with_capacity(len + 2);
            out.extend_from_slice(&buf[..as_]);
            out.extend_from_slice(&lb);
            out.extend_from_slice(&buf[ae..bs]);
            out.extend_from_slice(&la);
            *buf = out;
            format!("swap lines {} and {}", a + 1, b + 1)
        }
        // Token insertion (the most productive mutation: weighted higher).
        12..=15 => {
            let tok = *rng.pick(TOKENS);
            let (at, how) = pick_pos(rng, buf);
            splice_in(buf, at, tok, limits);
            format!("insert {:?} {how} {at}", esc(tok, 40))
        }
        16 => {
            let snip = *rng.pick(SNIPPETS);
            let starts = line_starts(buf);
            let s = starts[rng.below(starts.len())];
            let (at, indented) = if rng.chance(1, 2) {
                (s, String::new())
            } else {
                let ind = " ".repeat(indent_of(&buf[s..]));
                (s, ind)
            };
            let text: String = snip.lines().map(|l| format!("{indented}{l}\n")).collect();
            splice_in(buf, at, text.as_bytes(), limits);
            format!("insert snippet {:?} at {at}", esc(snip.as_bytes(), 40))
        }
        // Deep nesting, in YAML, expressions and shell.
        17 => {
            let (open, close): (&[u8], &[u8]) = *rng.pick(&[
                (&b"["[..], &b"]"[..]),
                (b"{", b"}"),
                (b"[{a: ", b"}]"),
                (b"(", b")"),
                (b"!", b""),
                (b"fromJSON(", b")"),
                (b"$(", b")"),
                (b"`", b"`"),
                (b"\"$(", b")\""),
                (b"bash -c \"", b"\""),
                (b"- ", b""),
            ]);
            let depth = if rng.chance(1, 4) {
                rng.range(200, 1200)
            } else {
                rng.range(1, 80)
            };
            let (at, how) = pick_pos(rng, buf);
            let mut chunk = open.repeat(depth);
            if rng.chance(2, 3) {
                chunk.extend_from_slice(b"x");
                chunk.extend(close.repeat(depth));
            }
            splice_in(buf, at, &chunk, limits);
            format!("nest {:?}x{depth} {how} {at}", esc(open, 12))
        }
        18 => {
            // Block nesting: `a:\n  a:\n    a:` ... at a line start.
            let depth = rng.range(2, 400);
            let starts = line_starts(buf);
            let at = starts[rng.below(starts.len())];
            let mut chunk = String::new();
            for d in 0..depth {
                chunk.push_str(&" ".repeat(d));
                chunk.push_str(if d % 2 == 0 { "a:\n" } else { "- " });
                if d % 2 == 1 {
                    chunk.push('\n');
                }
            }
            splice_in(buf, at, chunk.as_bytes(), limits);
            format!("block nest x{depth} at {at}")
        }
        // Whole-file transforms.
        19 => match rng.below(4) {
            0 => {
                let mut out = Vec::with_capacity(len + len / 16);
                for &b in buf.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *buf = out;
                "CRLF line endings".into()
            }
            1 => {
                for b in buf.iter_mut() {
                    if *b == b'\n' {
                        *b = b'\r';
                    }
                }
                "CR line endings".into()
            }
            2 => {
                buf.retain(|&b| b != b'\r');
                "LF line endings".into()
            }
            _ => {
                let starts = line_starts(buf);
                let i = rng.below(starts.len());
                let s = starts[i];
                let n = indent_of(&buf[s..]);
                let tabs = n.div_ceil(2).max(1);
                buf.splice(s..s + n, std::iter::repeat_n(b'\t', tabs));
                format!("tab-indent line {}", i + 1)
            }
        },
        20 => {
            let at = if rng.chance(3, 4) {
                0
            } else {
                rng.below(len + 1)
            };
            let n = rng.range(1, 2);
            splice_in(buf, at, &b"\xef\xbb\xbf".repeat(n), limits);
            format!("insert BOM x{n} at {at}")
        }
        // Huge repetition of a line (bounded by `max_len`).
        21 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let (s, e) = line_range(&starts, len, i);
            let mut line = buf[s..e].to_vec();
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            let room = limits.max_len.saturating_sub(len) / (line.len() + 6);
            let n = rng.range(10, limits.max_repeat.max(10)).min(room);
            // Plain copies, or numbered ones (`key_17:`): distinct keys, steps, commands.
            let numbered = rng.chance(1, 2);
            let chunk = if numbered {
                let cut = line
                    .iter()
                    .position(|&b| b == b':')
                    .unwrap_or(line.len() - 1);
                let mut chunk = Vec::with_capacity(n * (line.len() + 6));
                for k in 0..n {
                    chunk.extend_from_slice(&line[..cut]);
                    chunk.extend_from_slice(format!("_{k}").as_bytes());
                    chunk.extend_from_slice(&line[cut..]);
                }
                chunk
            } else {
                line.repeat(n)
            };
            splice_in(buf, e, &chunk, limits);
            format!(
                "repeat line {} x{n}{}",
                i + 1,
                if numbered { " (numbered)" } else { "" }
            )
        }
        // Crossover: lines from another seed.
        22 if !seeds.is_empty() => {
            let other = &rng.pick(seeds).bytes;
            let ostarts = line_starts(other);
            let i = rng.below(ostarts.len());
            let n = rng.range(1, 20).min(ostarts.len() - i);
            let s = ostarts[i];
            let e = line_range(&ostarts, other.len(), i + n - 1).1;
            let chunk = other[s..e].to_vec();
            let starts = line_starts(buf);
            let at = starts[rng.below(starts.len())];
            splice_in(buf, at, &chunk, limits);
            format!("splice {n} lines from another seed at {at}")
        }
        // A long run of one character: long lines, long scalars, far columns.
        24 => {
            let c = *rng.pick(b"a \t-[{'\"\\$");
            let n = if rng.chance(1, 3) {
                rng.range(60_000, 140_000)
            } else {
                rng.range(1, 5_000)
            };
            let n = n.min(limits.max_len.saturating_sub(len));
            let (at, how) = pick_pos(rng, buf);
            splice_in(buf, at, &vec![c; n], limits);
            format!("insert {:?} x{n} {how} {at}", esc(&[c], 4))
        }
        // Join lines: a whole range on one line (flow style and CR-only files look like this).
        25 => {
            let starts = line_starts(buf);
            let i = rng.below(starts.len());
            let n = rng.range(2, 400).min(starts.len() - i);
            let s = starts[i];
            let e = line_range(&starts, len, i + n - 1).1;
            let with = *rng.pick(&[&b" "[..], b"", b"\r"]);
            let joined: Vec<u8> = buf[s..e.saturating_sub(1).max(s)]
                .split(|&b| b == b'\n')
                .collect::<Vec<_>>()
                .join(with);
            buf.splice(s..e.saturating_sub(1).max(s), joined);
            format!(
                "join lines {}..{} with {:?}",
                i + 1,
                i + n + 1,
                esc(with, 4)
            )
        }
        // A single invalid UTF-8 sequence.
        23 => {
            let bad: &[u8] = rng.pick::<&[u8]>(&[
                &b"\xff"[..],
                b"\xc3",
                b"\xc0\x80",
                b"\xe0\x80\xaf",
                b"\xed\xbf\xbf",
                b"\x80",
            ]);
            let at = rng.below(len + 1);
            splice_in(buf, at, bad, limits);
            format!("insert invalid UTF-8 {:?} at {at}", esc(bad, 12))
        }
        _ => {
            let tok = *rng.pick(TOKENS);
            let at = rng.below(len + 1);
            splice_in(buf, at, tok, limits);
            format!("insert {:?} at {at}", esc(tok, 40))
        }
    }
}

/// Builds the input of one case: a seed, then 1 to 8 stacked mutations.
fn make_case(seed: u64, seeds: &[Seed], limits: Limits) -> (String, Vec<u8>, Vec<String>) {
    let mut rng = Rng::new(seed);
    let base = rng.pick(seeds);
    let mut buf = base.bytes.clone();
    let n = match rng.below(10) {
        0..=3 => 1,
        4..=6 => 2,
        7 | 8 => rng.range(3, 5),
        _ => rng.range(6, 10),
    };
    let mut muts = Vec::with_capacity(n);
    for _ in 0..n {
        muts.push(mutate_once(&mut rng, &mut buf, seeds, limits));
    }
    (base.name.clone(), buf, muts)
}

// ---------------------------------------------------------------------------------------------
// Seeds.

struct Seed {
    name: String,
    bytes: Vec<u8>,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_seeds(max_seed_len: usize) -> Vec<Seed> {
    let root = manifest_dir();
    let mut seeds: Vec<Seed> = EMBEDDED
        .iter()
        .map(|(name, text)| Seed {
            name: name.to_string(),
            bytes: if name.contains("windows") {
                text.replace('\n', "\r\n").into_bytes()
            } else {
                text.as_bytes().to_vec()
            },
        })
        .collect();
    let mut paths = vec![];
    for dir in [
        root.join("tests/fixtures"),
        root.join("examples"),
        root.join("tests/fuzz/regressions"),
        root.join("../shared/corpus"),
    ] {
        paths.extend(common::yaml_files(&dir));
    }
    paths.sort();
    for p in paths {
        // Only seeds of a sensible size: mutations add to them.
        if let Ok(bytes) = std::fs::read(&p)
            && bytes.len() <= max_seed_len
        {
            let name = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            seeds.push(Seed { name, bytes });
        }
    }
    seeds
}

// ---------------------------------------------------------------------------------------------
// Running one input, with panics caught and recorded.

thread_local! {
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
    static QUIET: RefCell<bool> = const { RefCell::new(false) };
}

/// Installs (once) a panic hook that, on threads running fuzz cases, records the message,
/// location and backtrace instead of printing them.
fn install_hook() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| *q.borrow()) {
                let bt = std::backtrace::Backtrace::force_capture();
                let msg = format!("{info}\nbacktrace:\n{bt}");
                CAUGHT.with(|c| *c.borrow_mut() = Some(msg));
            } else {
                default(info);
            }
        }));
    });
}

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::load().expect("rule data loads"))
}

/// Everything the harness does with one input. Returns the name of the layer that panicked
/// and the panic report, if any.
fn run_input(bytes: &[u8], full_human: bool) -> Result<(), (String, String)> {
    install_hook();
    let k = knowledge();
    let stage = RefCell::new("engine::lint");
    // A panic caught inside the code under test (the human renderer catches miette's) leaves a
    // record behind: start clean.
    CAUGHT.with(|c| c.borrow_mut().take());
    QUIET.with(|q| *q.borrow_mut() = true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let (db, id, diags) = engine::lint_buffer(
            SourceFile::from_bytes("fuzz.yml", bytes.to_vec()),
            k,
            &Settings::all(Registry::builtin()),
        );
        let file = db.get(id).expect("the file is in memory");
        // The human renderer is quadratic in the number of diagnostics (each snippet scans
        // the file from the start: see tests/fuzz/regressions/human-render-many-diagnostics.yml
        // and the hostile-input test many_diagnostics_in_human_format). So that one known
        // slowness does not stall long runs, it renders at most the first 200 diagnostics and
        // the last one here (the regression fixtures render everything).
        let human: Vec<_> = if !full_human && diags.len() > 201 {
            diags[..200].iter().chain(diags.last()).cloned().collect()
        } else {
            diags.clone()
        };
        for format in [
            Format::Json,
            Format::JsonLines,
            Format::Concise,
            Format::Human,
            Format::Github,
            Format::Sarif,
            Format::Gitlab,
            Format::Junit,
        ] {
            *stage.borrow_mut() = match format {
                Format::Json => "report json",
                Format::JsonLines => "report json-lines",
                Format::Concise => "report concise",
                Format::Human => "report human",
                Format::Github => "report github",
                Format::Sarif => "report sarif",
                Format::Gitlab => "report gitlab",
                Format::Junit => "report junit",
            };
            let opts = Options {
                format,
                color: format == Format::Human,
                quiet: false,
            };
            let diags = if format == Format::Human {
                &human
            } else {
                &diags
            };
            std::hint::black_box(report::render_file(&opts, &db, &file, diags));
        }
        // `--fix --unsafe-fixes`: when anything is fixed, the fixed text lints as a workflow and
        // a second round changes nothing.
        if diags.iter().any(|d| d.fix.is_some()) {
            *stage.borrow_mut() = "fix::fix_file";
            let mode = cachelint::fix::FixMode { unsafe_fixes: true };
            let settings = Settings::all(Registry::builtin());
            let fixed = cachelint::fix::fix_file(&db, id, k, &settings, mode);
            if fixed.changed() {
                assert!(
                    !fixed.remaining.iter().any(|d| matches!(
                        d.rule,
                        "syntax-error" | "invalid-workflow" | "limit-exceeded"
                    )),
                    "a fixed text does not lint as a workflow:\n{}",
                    fixed.text
                );
                let again = cachelint::fix::fix_file(&db, id, k, &settings, mode);
                assert_eq!(
                    again.text, fixed.text,
                    "a second --fix changed the fixed text"
                );
            }
        }
        // The layers on their own, on the whole text: they must hold up on any string.
        let text = &file.text;
        // The YAML fast path must build exactly what the reference parser builds (tree,
        // problems and comments), whenever it takes an input at all.
        *stage.borrow_mut() = "yaml::parse_granit";
        let reference = yaml::parse_granit(text);
        *stage.borrow_mut() = "yaml::parse_fast";
        if let Some(fast) = yaml::parse_fast(text)
            && fast != reference
        {
            panic!(
                "the YAML fast path differs from granit-parser:\n{}",
                common::first_difference(&fast, &reference)
            );
        }
        *stage.borrow_mut() = "expr::find/parse";
        for site in expr::find(text) {
            std::hint::black_box(expr::parse(site.body));
        }
        if text.len() <= 64 * 1024 {
            for d in [Dialect::Posix, Dialect::PowerShell, Dialect::Cmd] {
                *stage.borrow_mut() = match d {
                    Dialect::Posix => "shell::scan posix",
                    Dialect::PowerShell => "shell::scan powershell",
                    _ => "shell::scan cmd",
                };
                std::hint::black_box(shell::scan(text, d));
            }
        }
    }));
    QUIET.with(|q| *q.borrow_mut() = false);
    match result {
        Ok(()) => Ok(()),
        Err(payload) => {
            let recorded = CAUGHT.with(|c| c.borrow_mut().take());
            let msg = recorded.unwrap_or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string panic>".into())
            });
            Err((stage.into_inner().to_string(), msg))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The driver.

/// CPU time of the calling thread (wall time off Linux): a busy machine does not make a case
/// look slow.
fn cpu_time() -> Duration {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            sec: i64,
            nsec: i64,
        }
        unsafe extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: plain syscall wrapper; the pointer is valid for the call.
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.sec as u64, ts.nsec as u32);
        }
    }
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// The slowest a single input may be (CPU time) before it counts as a hang-like bug.
fn time_bound() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(2)
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_relative() {
                manifest_dir().join(p)
            } else {
                p
            }
        })
        .unwrap_or_else(|| manifest_dir().join("target"))
}

struct Failure {
    mode: &'static str,
    case_seed: u64,
    base: String,
    mutations: Vec<String>,
    input: Vec<u8>,
    what: String,
}

impl Failure {
    fn report(&self) -> String {
        let path = target_dir().join(format!("fuzz-crash-{}.yml", self.case_seed));
        let saved = std::fs::create_dir_all(target_dir())
            .and_then(|()| std::fs::write(&path, &self.input))
            .map_or_else(
                |e| format!("(could not write {}: {e})", path.display()),
                |()| path.display().to_string(),
            );
        let mut s = String::new();
        let _ = writeln!(s, "=== fuzz failure, case seed {} ===", self.case_seed);
        let _ = writeln!(s, "seed file: {}", self.base);
        let _ = writeln!(s, "mutations:");
        for m in &self.mutations {
            let _ = writeln!(s, "  - {m}");
        }
        let _ = writeln!(s, "input ({} bytes, saved to {saved}):", self.input.len());
        let _ = writeln!(s, "  \"{}\"", esc(&self.input, 2048));
        let _ = writeln!(s, "{}", self.what);
        let _ = writeln!(
            s,
            "replay: CACHELINT_FUZZ_CASE={} CACHELINT_FUZZ_MODE={} cargo test --test fuzz_mutations \\
             fuzz_replay_case -- --nocapture (the same seed files must be present)",
            self.case_seed, self.mode
        );
        s
    }
}

struct Plan {
    /// `short` or `long`: which seeds and limits (for the replay command).
    mode: &'static str,
    run_seed: u64,
    /// Stop after this many inputs...
    max_cases: u64,
    /// ...or when this much time has passed.
    deadline: Option<Duration>,
    limits: Limits,
    /// Stop at the first failure (the short test) or keep going and collect distinct ones.
    stop_at_first: bool,
}

struct Stats {
    tried: u64,
    failures: Vec<Failure>,
    slowest: (Duration, u64, usize),
    elapsed: Duration,
}

fn fuzz(plan: &Plan, seeds: &[Seed]) -> Stats {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let failures: Mutex<Vec<Failure>> = Mutex::new(vec![]);
    let slowest = Mutex::new((Duration::ZERO, 0u64, 0usize));
    // What each worker is running, for the hang watchdog: (started, case seed).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let current: Arc<Vec<Running>> = Arc::new((0..threads).map(|_| Mutex::new(None)).collect());
    let seen_sites = Mutex::new(std::collections::HashSet::<String>::new());
    let slow: Mutex<Option<(Duration, Failure)>> = Mutex::new(None);
    // Wall time, so generous: the machine may be busy.
    let hang_limit = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 60 });

    std::thread::scope(|s| {
        for w in 0..threads {
            let current = Arc::clone(&current);
            let (next, stop, done, failures, slowest, seen_sites, slow) =
                (&next, &stop, &done, &failures, &slowest, &seen_sites, &slow);
            std::thread::Builder::new()
                .name(format!("fuzz-{w}"))
                .stack_size(64 * 1024 * 1024)
                .spawn_scoped(s, move || {
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= plan.max_cases
                            || plan.deadline.is_some_and(|d| start.elapsed() >= d)
                        {
                            break;
                        }
                        let cs = case_seed(plan.run_seed, i);
                        let (base, input, mutations) = make_case(cs, seeds, plan.limits);
                        *current[w].lock().unwrap() = Some((Instant::now(), cs));
                        let t = cpu_time();
                        let result = run_input(&input, false);
                        let took = cpu_time().saturating_sub(t);
                        *current[w].lock().unwrap() = None;
                        done.fetch_add(1, Ordering::Relaxed);
                        {
                            let mut sl = slowest.lock().unwrap();
                            if took > sl.0 {
                                *sl = (took, cs, input.len());
                            }
                        }
                        let what = match result {
                            Err((stage, msg)) => {
                                // One report per panic site: the hook's first line is
                                // `panicked at FILE:LINE:COL:`.
                                let key = msg.lines().next().unwrap_or("").to_string();
                                if !seen_sites.lock().unwrap().insert(key) {
                                    continue;
                                }
                                format!("PANIC in {stage}: {msg}")
                            }
                            Ok(()) if took > time_bound() => {
                                // One report per run: the slowest.
                                let mut sl = slow.lock().unwrap();
                                if sl.as_ref().is_none_or(|(t, _)| took > *t) {
                                    let what = format!(
                                        "TOO SLOW: {took:?} of CPU time (bound {:?}) for {} bytes",
                                        time_bound(),
                                        input.len()
                                    );
                                    *sl = Some((
                                        took,
                                        Failure {
                                            mode: plan.mode,
                                            case_seed: cs,
                                            base,
                                            mutations,
                                            input,
                                            what,
                                        },
                                    ));
                                }
                                continue;
                            }
                            Ok(()) => continue,
                        };
                        failures.lock().unwrap().push(Failure {
                            mode: plan.mode,
                            case_seed: cs,
                            base,
                            mutations,
                            input,
                            what,
                        });
                        if plan.stop_at_first {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                })
                .expect("spawn fuzz worker");
        }
        // Watchdog: a case running far past the bound is a hang. Report it and abort: the
        // stuck thread cannot be stopped.
        let current = Arc::clone(&current);
        let (stop, done, next) = (&stop, &done, &next);
        s.spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                let mut all_idle = true;
                for slot in current.iter() {
                    if let Some((t, cs)) = *slot.lock().unwrap() {
                        all_idle = false;
                        if t.elapsed() > hang_limit {
                            let (base, input, mutations) = make_case(cs, seeds, plan.limits);
                            let f = Failure {
                                mode: plan.mode,
                                case_seed: cs,
                                base,
                                mutations,
                                input,
                                what: format!("HANG: still running after {:?}", t.elapsed()),
                            };
                            eprintln!("{}", f.report());
                            eprintln!("aborting: a lint call hangs");
                            std::process::exit(101);
                        }
                    }
                }
                let finished = done.load(Ordering::Relaxed) >= plan.max_cases
                    || next.load(Ordering::Relaxed) >= plan.max_cases
                    || stop.load(Ordering::Relaxed)
                    || plan.deadline.is_some_and(|d| start.elapsed() >= d);
                if finished && all_idle {
                    break;
                }
            }
        });
    });
    let tried = done.load(Ordering::Relaxed);
    let mut failures = failures.into_inner().unwrap();
    failures.extend(slow.into_inner().unwrap().map(|(_, f)| f));
    Stats {
        tried,
        failures,
        slowest: slowest.into_inner().unwrap(),
        elapsed: start.elapsed(),
    }
}

fn finish(stats: &Stats, seeds: &[Seed], run_seed: u64) {
    println!(
        "fuzz: seed {run_seed}: {} inputs tried in {:.1?} over a corpus of {} seeds; slowest {:?} \
         (case {}, {} bytes); {} failure(s)",
        stats.tried,
        stats.elapsed,
        seeds.len(),
        stats.slowest.0,
        stats.slowest.1,
        stats.slowest.2,
        stats.failures.len()
    );
    if !stats.failures.is_empty() {
        let mut all = String::new();
        for f in &stats.failures {
            all.push_str(&f.report());
            all.push('\n');
        }
        eprintln!("{all}");
        panic!(
            "{} fuzz failure(s) (run seed {run_seed}); inputs saved under {}",
            stats.failures.len(),
            target_dir().display()
        );
    }
}

/// The short run keeps to small seeds and inputs so it takes seconds in a debug build.
const SHORT_SEED_LEN: usize = 24 * 1024;
const SHORT_LIMITS: Limits = Limits {
    max_len: 48 * 1024,
    max_repeat: 300,
};
/// The long run takes every seed up to this size, and lets inputs grow to `LONG_LIMITS`.
const LONG_SEED_LEN: usize = 512 * 1024;
const LONG_LIMITS: Limits = Limits {
    max_len: 1024 * 1024,
    max_repeat: 20_000,
};

/// The fixed-seed short run of the normal test suite.
#[test]
fn fuzz_short() {
    let seeds = load_seeds(SHORT_SEED_LEN);
    let run_seed = 0x00C0_FFEE;
    let plan = Plan {
        mode: "short",
        run_seed,
        max_cases: std::env::var("CACHELINT_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000),
        deadline: None,
        limits: SHORT_LIMITS,
        stop_at_first: false,
    };
    let stats = fuzz(&plan, &seeds);
    finish(&stats, &seeds, run_seed);
}

fn parse_seed(v: &str) -> Option<u64> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("random") || v.is_empty() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return Some(Rng::new(t.as_nanos() as u64 ^ u64::from(std::process::id())).next());
    }
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The long mode: `CACHELINT_FUZZ_SECONDS` (default 60) and `CACHELINT_FUZZ_SEED` (a number or
/// `random`, the default).
#[test]
#[ignore = "long fuzz run: CACHELINT_FUZZ_SECONDS=60 cargo test --release --test fuzz_mutations -- --ignored --nocapture"]
fn fuzz_long() {
    let secs: u64 = std::env::var("CACHELINT_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(60);
    let run_seed = std::env::var("CACHELINT_FUZZ_SEED")
        .ok()
        .map_or_else(|| parse_seed("random"), |v| parse_seed(&v))
        .expect("CACHELINT_FUZZ_SEED must be a number, 0x-hex, or `random`");
    let seeds = load_seeds(LONG_SEED_LEN);
    println!(
        "fuzz: seed {run_seed} (rerun with CACHELINT_FUZZ_SEED={run_seed}); {secs} s; {} seeds",
        seeds.len()
    );
    let plan = Plan {
        mode: "long",
        run_seed,
        max_cases: u64::MAX,
        deadline: Some(Duration::from_secs(secs)),
        limits: LONG_LIMITS,
        stop_at_first: false,
    };
    let stats = fuzz(&plan, &seeds);
    finish(&stats, &seeds, run_seed);
}

/// Replays one case of a run: `CACHELINT_FUZZ_CASE=<case seed>` (as printed in a failure).
#[test]
fn fuzz_replay_case() {
    let Some(cs) = std::env::var("CACHELINT_FUZZ_CASE")
        .ok()
        .and_then(|v| parse_seed(&v))
    else {
        return;
    };
    let long = std::env::var("CACHELINT_FUZZ_MODE").is_ok_and(|m| m == "long");
    let (seeds, limits) = if long {
        (load_seeds(LONG_SEED_LEN), LONG_LIMITS)
    } else {
        (load_seeds(SHORT_SEED_LEN), SHORT_LIMITS)
    };
    let (base, input, mutations) = make_case(cs, &seeds, limits);
    println!("case {cs}: {base}, mutations {mutations:?}");
    let path = target_dir().join(format!("fuzz-crash-{cs}.yml"));
    if std::fs::create_dir_all(target_dir()).is_ok() && std::fs::write(&path, &input).is_ok() {
        println!(
            "input ({} bytes) written to {}",
            input.len(),
            path.display()
        );
    }
    let t = cpu_time();
    let result = run_input(&input, false);
    println!("took {:?} of CPU time", cpu_time().saturating_sub(t));
    if let Err((stage, msg)) = result {
        panic!("PANIC in {stage}: {msg}");
    }
}

// ---------------------------------------------------------------------------------------------
// Regression fixtures: every file in tests/fuzz/regressions/ must lint without panicking and
// within the time bound.

#[test]
fn fuzz_regressions() {
    let dir = manifest_dir().join("tests/fuzz/regressions");
    let paths = common::yaml_files(&dir);
    let mut failed = vec![];
    for p in &paths {
        let bytes = std::fs::read(p).expect("read regression fixture");
        // Each fixture runs on its own thread so a hang fails the test at the time bound
        // instead of stalling it (the stuck thread ends with the test process).
        let (tx, rx) = std::sync::mpsc::channel();
        let t = Instant::now();
        std::thread::Builder::new()
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                let start = cpu_time();
                let result = run_input(&bytes, true);
                let _ = tx.send((result, cpu_time().saturating_sub(start)));
            })
            .expect("spawn");
        // The bound is on the case's own CPU time (other tests share the cores); a case still
        // running at several times the bound in wall time is a hang.
        match rx.recv_timeout(time_bound() * 4) {
            Ok((Err((stage, msg)), _)) => {
                failed.push(format!("{}: PANIC in {stage}: {msg}", p.display()))
            }
            // Twice the fuzz bound: a fixture renders all eight formats of everything it
            // finds (40,000 diagnostics for the largest; about 1.4 s alone, more beside other
            // tests). A blow-up it guards against costs minutes.
            Ok((Ok(()), took)) if took > time_bound() * 2 => failed.push(format!(
                "{}: {took:?} of CPU time (bound {:?})",
                p.display(),
                time_bound() * 2
            )),
            Ok((Ok(()), _)) => {}
            Err(_) => failed.push(format!(
                "{}: still running after {:?} (bound {:?})",
                p.display(),
                t.elapsed(),
                time_bound()
            )),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} regression fixture(s) failed:\n{}",
        failed.len(),
        paths.len(),
        failed.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The harness itself.

#[test]
fn harness_is_deterministic() {
    let seeds = load_seeds(SHORT_SEED_LEN);
    let limits = SHORT_LIMITS;
    for i in 0..50 {
        let cs = case_seed(7, i);
        let a = make_case(cs, &seeds, limits);
        let b = make_case(cs, &seeds, limits);
        assert_eq!(a.1, b.1);
        assert_eq!(a.2, b.2);
        assert!(
            a.1.len()
                <= limits
                    .max_len
                    .max(seeds.iter().map(|s| s.bytes.len()).max().unwrap_or(0))
                    + 64 * 1024
        );
    }
}

#[test]
fn harness_finds_block_scalars() {
    let v = block_scalars(SEED_NOX.as_bytes());
    assert!(v.len() >= 3, "{v:?}");
    for (s, e) in v {
        assert!(s < e);
    }
    let text = "a: |\n  x\n  y\nb: 1\n";
    let v = block_scalars(text.as_bytes());
    assert_eq!(v, [(5, 13)]);
}

#[test]
fn harness_catches_panics() {
    install_hook();
    QUIET.with(|q| *q.borrow_mut() = true);
    let r = panic::catch_unwind(|| panic!("boom"));
    QUIET.with(|q| *q.borrow_mut() = false);
    assert!(r.is_err());
    let caught = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_default();
    assert!(caught.contains("boom"), "{caught}");
}

#[test]
fn embedded_seeds_lint_cleanly_enough() {
    // The embedded seeds parse (no syntax errors): mutations start from valid workflows.
    let k = knowledge();
    for (name, text) in EMBEDDED {
        let file = SourceFile::from_text(*name, text.replace('\n', "\r\n"));
        let (_, _, diags) = engine::lint_buffer(file, k, &Settings::all(Registry::builtin()));
        assert!(
            !diags.iter().any(|d| d.rule == "syntax-error"),
            "{name}: {:?}",
            diags
                .iter()
                .map(|d| (d.rule, &d.message))
                .collect::<Vec<_>>()
        );
    }
}

/// What one worker is running, for the hang watchdog: (started, case seed).
type Running = Mutex<Option<(Instant, u64)>>;
