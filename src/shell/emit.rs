//! Turning a simple command's words into [`Command`]s: wrappers (`sudo`, `env`, `xargs`, ...),
//! `eval STRING` and `<shell> -c STRING` (whose string is scanned as a script of its own).
//!
//! The lexers (`posix`, `simple`) call [`emit`]; the string of a `bash -c` is scanned by the
//! [`ScanScript`] they pass in (the POSIX lexer), so this module depends on no lexer.

use super::word::Lexed;
use super::{Command, MAX_DEPTH};

/// Scans `text` as a POSIX script: the lexer that `bash -c STRING` and `eval STRING` strings go
/// through. Arguments: the text, byte ranges in it to treat as opaque, the nesting depth, and
/// the needles (see [`super::scan_for`]).
pub(crate) type ScanScript = fn(&str, &[(usize, usize)], usize, &[&str]) -> Vec<Command>;

/// Pushes the command made of `words` (and what it wraps) onto `out`, draining `words` (its
/// capacity is kept for reuse).
///
/// `out[mark..]` are the commands found inside this command's words (command substitutions).
/// `out` stays sorted by the start of the command word if it was before. Script strings
/// (`bash -c STRING`) are scanned with `scan`.
pub(crate) fn emit(
    out: &mut Vec<Command>,
    words: &mut Vec<Lexed>,
    mark: usize,
    depth: usize,
    wrappers: bool,
    needles: &[&str],
    scan: ScanScript,
) {
    if words.is_empty() {
        return;
    }
    let mut starts: Vec<usize> = Vec::new();
    let mut rescans: Vec<usize> = Vec::new();
    if wrappers {
        let mut i = 0;
        // Each step moves `i` forward by at least one word, so this terminates; the number of
        // steps is capped so that `sudo sudo sudo ...` does not produce quadratic output.
        while let Some(rest) = words.get(i..)
            && starts.len() < MAX_WRAPPERS
        {
            match wrapped(rest) {
                Wrapped::At(k) if k > 0 && i + k < words.len() => {
                    i += k;
                    starts.push(i);
                }
                Wrapped::Script(k) => {
                    rescans.push(i + k);
                    break;
                }
                _ => break,
            }
        }
    }
    shell_c_strings(words, &mut rescans);
    if rescans.is_empty() && !super::wanted(words.iter().map(|l| l.word.text.as_str()), needles) {
        // Nothing this command runs mentions a needle (wrapped commands are its own words).
        words.clear();
        return;
    }

    let mark = mark.min(out.len());
    if starts.is_empty() && rescans.is_empty() {
        out.push(Command {
            words: words.drain(..).map(|l| l.word).collect(),
        });
    } else {
        out.push(Command {
            words: words.iter().map(|l| l.word.clone()).collect(),
        });
        for &s in &starts {
            if let Some(ws) = words.get(s..)
                && !ws.is_empty()
            {
                out.push(Command {
                    words: ws.iter().map(|l| l.word.clone()).collect(),
                });
            }
        }
        rescans.sort_unstable();
        rescans.dedup();
        for &r in &rescans {
            if let Some(w) = words.get(r) {
                rescan(out, w, depth, needles, scan);
            }
        }
        words.clear();
    }
    // The command itself comes after the substitutions found in its words: restore order.
    if let Some(region) = out.get_mut(mark..)
        && !region.is_sorted_by_key(start_key)
    {
        region.sort_by_key(start_key);
    }
}

/// How many nested wrappers (`sudo env time ...`) are unwrapped at most.
const MAX_WRAPPERS: usize = 16;

/// Sort key of a command: the start of its command word.
pub(crate) fn start_key(c: &Command) -> usize {
    c.words.first().map_or(0, |w| w.span.start)
}

/// Scans the text of `w` with `scan` and reports its commands with spans mapped back (or, where
/// a word cannot be mapped exactly, the span of the whole string word).
fn rescan(out: &mut Vec<Command>, w: &Lexed, depth: usize, needles: &[&str], scan: ScanScript) {
    if depth + 1 > MAX_DEPTH || w.word.text.is_empty() {
        return;
    }
    // Substitutions in `w` were expanded (and their commands reported) by the outer shell.
    for mut c in scan(&w.word.text, &w.subs, depth + 1, needles) {
        for x in &mut c.words {
            x.span = w.map(x.span.clone()).unwrap_or_else(|| w.word.span.clone());
        }
        out.push(c);
    }
}

/// The last path component of a command word.
fn basename(s: &str) -> &str {
    match s.bytes().rposition(|b| b == b'/') {
        Some(i) => s.get(i + 1..).unwrap_or(s),
        None => s,
    }
}

/// True for `NAME=...` / `NAME+=...` / `NAME[...]=...` (checked on the raw bytes).
pub(crate) fn is_assignment_bytes(b: &[u8]) -> bool {
    let mut it = b.iter().enumerate();
    match it.next() {
        Some((_, c)) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return false,
    }
    let mut in_index = false;
    for (i, &c) in it {
        if in_index {
            if c == b']' {
                in_index = false;
            }
            continue;
        }
        match c {
            b'=' => return true,
            b'+' => return b.get(i + 1) == Some(&b'='),
            b'[' => in_index = true,
            c if c.is_ascii_alphanumeric() || c == b'_' => {}
            _ => return false,
        }
    }
    false
}

enum Wrapped {
    /// Not a wrapper, or nothing is wrapped.
    None,
    /// The wrapped command starts at this index.
    At(usize),
    /// The word at this index is a script to scan (`eval "..."`).
    Script(usize),
}

/// Option syntax of a wrapper command.
struct Spec {
    /// Short options taking an argument (attached `-n1` or separate `-n 1`).
    short_arg: &'static [u8],
    /// Long options taking an argument when written without `=`.
    long_arg: &'static [&'static str],
    /// Short options meaning "the rest is not run" (`command -v`).
    no_run: &'static [u8],
    /// `NAME=value` words are skipped.
    assignments: bool,
    /// Positional words before the command (`timeout DURATION`).
    positional: usize,
}

const fn spec(short_arg: &'static [u8], long_arg: &'static [&'static str]) -> Spec {
    Spec {
        short_arg,
        long_arg,
        no_run: b"",
        assignments: false,
        positional: 0,
    }
}

fn wrapper_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "env" => Spec {
            assignments: true,
            ..spec(b"uCSP", &["--unset", "--chdir", "--split-string"])
        },
        "time" => spec(b"fo", &["--format", "--output"]),
        "timeout" => Spec {
            positional: 1,
            ..spec(b"sk", &["--signal", "--kill-after"])
        },
        "exec" => spec(b"a", &[]),
        "sudo" => Spec {
            assignments: true,
            ..spec(
                b"ugpCDrtUTR",
                &[
                    "--user",
                    "--group",
                    "--prompt",
                    "--close-from",
                    "--chdir",
                    "--role",
                    "--type",
                    "--other-user",
                    "--command-timeout",
                    "--chroot",
                    "--host",
                ],
            )
        },
        "nice" => spec(b"n", &["--adjustment"]),
        "nohup" | "builtin" => spec(b"", &[]),
        "command" => Spec {
            no_run: b"vV",
            ..spec(b"", &[])
        },
        "stdbuf" => spec(b"ioe", &["--input", "--output", "--error"]),
        "xargs" => spec(
            b"nIPdLasE",
            &[
                "--max-args",
                "--max-procs",
                "--delimiter",
                "--arg-file",
                "--max-lines",
                "--max-chars",
                "--eof",
                "--process-slot-var",
            ],
        ),
        _ => return None,
    })
}

/// If `words[0]` is a wrapper, where the wrapped command starts.
fn wrapped(words: &[Lexed]) -> Wrapped {
    let Some(first) = words.first() else {
        return Wrapped::None;
    };
    let name = basename(&first.word.text);
    if name == "eval" {
        return match words {
            [_, arg] if arg.word.quoted => Wrapped::Script(1),
            [_, _, ..] => Wrapped::At(1),
            _ => Wrapped::None,
        };
    }
    if name == "trap" {
        // `trap 'cleanup; nox -s x' EXIT`: the handler is a script.
        return match words.get(1) {
            Some(h) if words.len() > 2 && !h.word.text.starts_with('-') => Wrapped::Script(1),
            _ => Wrapped::None,
        };
    }
    let Some(spec) = wrapper_spec(name) else {
        return Wrapped::None;
    };
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let t = w.word.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if spec.assignments && is_assignment_bytes(t.as_bytes()) {
            i += 1;
            continue;
        }
        if name == "env" {
            match t {
                "-" => {
                    i += 1;
                    continue;
                }
                // `env -S 'nox -s x'` splits the string into the command and its arguments.
                "-S" | "--split-string" if i + 1 < words.len() => return Wrapped::Script(i + 1),
                _ => {}
            }
        }
        if let Some(long) = t.strip_prefix("--") {
            let has_value = long.contains('=');
            let takes = !has_value && spec.long_arg.iter().any(|l| l.get(2..) == Some(long));
            i += if takes { 2 } else { 1 };
            continue;
        }
        if let Some(cluster) = t.strip_prefix('-')
            && !cluster.is_empty()
        {
            let bytes = cluster.as_bytes();
            let mut takes_next = false;
            for (k, ch) in bytes.iter().enumerate() {
                if spec.no_run.contains(ch) {
                    return Wrapped::None;
                }
                if spec.short_arg.contains(ch) {
                    takes_next = k + 1 == bytes.len();
                    break;
                }
            }
            i += if takes_next { 2 } else { 1 };
            continue;
        }
        break;
    }
    i += spec.positional;
    if i < words.len() {
        Wrapped::At(i)
    } else {
        Wrapped::None
    }
}

fn is_shell(name: &str) -> bool {
    matches!(name, "bash" | "sh" | "zsh" | "dash" | "ksh")
}

/// Finds `<shell> [options] -c STRING` anywhere in `words` and records the index of STRING.
fn shell_c_strings(words: &[Lexed], found: &mut Vec<usize>) {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        // All the shells' names end in `h`: a cheap filter before looking closer.
        if !w.word.text.ends_with('h') || !is_shell(basename(&w.word.text)) {
            continue;
        }
        let mut j = i;
        let mut has_c = false;
        while let Some(opt) = words.get(j) {
            let t = opt.word.text.as_str();
            if opt.word.quoted || t.len() < 2 {
                break;
            }
            if t == "--" {
                j += 1;
                break;
            }
            if let Some(long) = t.strip_prefix("--") {
                j += if matches!(long, "rcfile" | "init-file") {
                    2
                } else {
                    1
                };
                continue;
            }
            let (minus, cluster) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
                (Some(c), _) => (true, c),
                (None, Some(c)) => (false, c),
                (None, None) => break,
            };
            if !cluster.bytes().all(|c| c.is_ascii_alphabetic()) {
                break;
            }
            if minus && cluster.contains('c') {
                has_c = true;
            }
            // `-o pipefail`, `-O extglob`: the option takes the next word.
            j += if cluster.contains(['o', 'O']) { 2 } else { 1 };
        }
        if has_c && j < words.len() {
            found.push(j);
            i = j + 1;
        } else {
            // The words scanned were options of this shell: no need to look at them again.
            i = i.max(j);
        }
    }
}
