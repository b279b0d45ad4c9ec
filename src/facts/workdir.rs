//! Where a script's commands run: the step's working directory, changed by the `cd` commands
//! before them, and the repository scripts a command executes (`./ci/test.sh`,
//! `bash scripts/test.sh`), which are scanned like a `run:` body.

use std::borrow::Cow;

use crate::knowledge::glob;
use crate::shell::{Command, Dialect, Word};

use super::invocation::cache_path;

/// Marks a directory that cannot be known statically (any path holding `$` is unknown to
/// [`super::invocation::envdir`]).
pub const UNKNOWN: &str = "$unknown";

/// Words the scanner must keep for [`Dirs`] to see the commands that change directory.
pub const CD_NEEDLES: [&str; 4] = ["cd", "pushd", "popd", "Location"];

/// The working directory of a script's commands, as its `cd` commands change it.
///
/// A directory is known only where nothing between the first `cd` and the command can scope
/// or skip it: a subshell, a group or function body, an `if`/`case`/loop that ends in between
/// (`(cd docs && make); nox` runs nox where the script started). Anything else is unknown.
pub struct Dirs<'t> {
    text: &'t str,
    dialect: Dialect,
    /// The directory the script starts in (`None`: the workspace).
    start: Option<&'t str>,
    /// Where the first directory change starts.
    first: Option<usize>,
    /// The directory after the changes seen so far (workspace-relative; [`UNKNOWN`]).
    now: String,
    /// How far the text after the first change has been looked at for scoping, and whether it
    /// scoped anything (so a long script is read once, not once per command).
    checked: usize,
    scoped: bool,
}

impl<'t> Dirs<'t> {
    /// For a script `text` started in `start` (workspace-relative; `None`: the workspace).
    pub fn new(text: &'t str, dialect: Dialect, start: Option<&'t str>) -> Self {
        Dirs {
            text,
            dialect,
            start,
            first: None,
            now: start.unwrap_or("").to_string(),
            checked: 0,
            scoped: false,
        }
    }

    /// Takes in `cmd` if it changes the directory; `true` if it did.
    pub fn see(&mut self, cmd: &Command) -> bool {
        let Some(first) = cmd.words.first() else {
            return false;
        };
        let posix = self.dialect == Dialect::Posix;
        let name = first.text.as_str();
        let changes = match self.dialect {
            Dialect::Posix => matches!(name, "cd" | "pushd" | "popd"),
            _ => {
                let lower = name.to_ascii_lowercase();
                matches!(
                    lower.as_str(),
                    "cd" | "chdir"
                        | "pushd"
                        | "popd"
                        | "sl"
                        | "set-location"
                        | "push-location"
                        | "pop-location"
                )
            }
        };
        if !changes {
            return false;
        }
        if self.first.is_none() {
            self.first = Some(first.span.start);
            self.checked = first.span.start;
        }
        // The end of a pipeline (`ls | cd docs`) runs in a subshell too.
        let before = self.text.get(..first.span.start).unwrap_or("").trim_end();
        let piped = before.ends_with('|') && !before.ends_with("||");
        self.now = if posix && name != "popd" && !piped {
            target(&cmd.words[1..])
                .and_then(|t| cd(&self.now, t))
                .unwrap_or_else(|| UNKNOWN.to_string())
        } else {
            UNKNOWN.to_string()
        };
        true
    }

    /// The directory a command starting at `offset` runs in (after the changes seen so far).
    /// Commands are asked for in source order; the text between is read once (an expansion
    /// cut in two by a command in between reads as scoping: unknown, never a wrong directory).
    pub fn at(&mut self, offset: usize) -> Option<Cow<'_, str>> {
        let Some(first) = self.first else {
            return self.start.map(Cow::Borrowed);
        };
        if offset < self.checked {
            // Out of order: read the whole stretch.
            if scoped(self.text.get(first..offset).unwrap_or("(")) {
                return Some(Cow::Borrowed(UNKNOWN));
            }
        } else {
            let chunk = self.text.get(self.checked..offset).unwrap_or("(");
            self.scoped = self.scoped || scoped(chunk);
            self.checked = offset;
        }
        if self.scoped {
            return Some(Cow::Borrowed(UNKNOWN));
        }
        Some(Cow::Borrowed(self.now.as_str()))
    }
}

/// The operand of `cd`: the first word after its options (`-L`, `-P`, `-e`, `-@`).
fn target(words: &[Word]) -> Option<&str> {
    let mut it = words.iter();
    for w in it.by_ref() {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
        if t.starts_with('-') && t.len() > 1 {
            continue;
        }
        return Some(t);
    }
    it.next().map(|w| w.text.as_str())
}

/// The directory after `cd target` from `now`; `None` when unknown (home, `-`, a variable, a
/// place outside the workspace).
fn cd(now: &str, target: &str) -> Option<String> {
    if target.is_empty() || target == "-" {
        return None;
    }
    let p = cache_path(target)?;
    if p.starts_with('/') {
        return None;
    }
    // `$GITHUB_WORKSPACE/x` and `${{ github.workspace }}/x` are workspace-relative already.
    let anchored = target.starts_with('$');
    if !anchored && now.contains('$') {
        return None;
    }
    let joined = if anchored { p } else { glob::join(now, &p) };
    if joined == ".." || joined.starts_with("../") {
        return None;
    }
    Some(joined)
}

/// Whether `text` (from a directory change to a later command) holds anything that may scope
/// the change or skip it: a subshell or group, or the end of a compound command. Expansions
/// (`${VAR}`, `${{ expr }}`, `$(cmd)`) scope nothing and are skipped.
fn scoped(text: &str) -> bool {
    let b = text.as_bytes();
    let mut plain = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && matches!(b.get(i + 1), Some(b'{' | b'(')) {
            let (open, close) = if b[i + 1] == b'{' {
                (b'{', b'}')
            } else {
                (b'(', b')')
            };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == open {
                    depth += 1;
                } else if b[j] == close {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if j >= b.len() {
                return true;
            }
            plain.push(' ');
            i = j + 1;
            continue;
        }
        plain.push(if b[i].is_ascii() { b[i] as char } else { ' ' });
        i += 1;
    }
    if plain
        .bytes()
        .any(|c| matches!(c, b'(' | b')' | b'{' | b'}'))
    {
        return true;
    }
    // A pipeline's parts and a command sent to the background run in subshells (`cd docs |
    // tee log`, `cd docs &`); `||`, `&&` and redirections (`2>&1`, `&>`) do not.
    let b = plain.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'|' if b.get(i + 1) == Some(&b'|') => i += 1,
            b'|' => return true,
            b'&' if b.get(i + 1) == Some(&b'&') => i += 1,
            b'&' if i > 0 && matches!(b[i - 1], b'>' | b'<') => {}
            b'&' if b.get(i + 1) == Some(&b'>') => {}
            b'&' => return true,
            _ => {}
        }
        i += 1;
    }
    plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| matches!(w, "fi" | "done" | "esac" | "else" | "elif"))
}

/// Shells whose operand is a script file they run (`bash scripts/test.sh`), and the ones that
/// run a file in the current shell (`source`, `.`).
const SHELLS: [&str; 7] = ["sh", "bash", "zsh", "dash", "ksh", "source", "."];

/// Options of those shells that take a value (`-o pipefail`).
const SHELL_OPTIONS_WITH_VALUE: [&str; 4] = ["-o", "+o", "-O", "+O"];

/// If `cmd` runs a script file of the repository: the index of the word naming it. `./x.sh`,
/// `ci/test.sh` (a relative path as the command word), `bash -e scripts/test.sh`,
/// `source env.sh`. Not: `bash -c '...'` (scanned as a string already), `sh -s`, a path with
/// a variable, `~`, or an absolute path.
pub fn script_word(cmd: &Command) -> Option<usize> {
    let first = cmd.words.first()?;
    let name = first.text.as_str();
    let program = name.rsplit('/').next().unwrap_or(name);
    let i = if SHELLS.contains(&program) {
        let mut i = 1;
        loop {
            let t = cmd.words.get(i)?.text.as_str();
            if t == "--" {
                i += 1;
                break;
            }
            if !(t.starts_with('-') || t.starts_with('+')) || t.len() == 1 {
                break;
            }
            // `-c STRING` and `-s` (commands from standard input) run no file.
            if t.starts_with('-') && !t.starts_with("--") && (t.contains('c') || t.contains('s')) {
                return None;
            }
            let short_cluster = !t.starts_with("--") && t.len() > 2;
            i += if SHELL_OPTIONS_WITH_VALUE.contains(&t)
                || (short_cluster && t.ends_with(['o', 'O']))
            {
                2
            } else {
                1
            };
        }
        i
    } else if name.contains('/') {
        0
    } else {
        return None;
    };
    let path = cmd.words.get(i)?.text.as_str();
    let plain = !path.is_empty()
        && !path.starts_with(['/', '~', '-'])
        && !path.contains(['$', '`', '*', '?', '[', '\\']);
    plain.then_some(i)
}

/// The dialect a script file is written in, from its `#!` line: POSIX shells (or none), else
/// [`Dialect::Other`] (a Python or Node script holds no shell commands).
pub fn file_dialect(text: &str) -> Dialect {
    let Some(line) = text.strip_prefix("#!") else {
        return Dialect::Posix;
    };
    let line = line.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut program = words.next().unwrap_or("");
    if program.rsplit('/').next() == Some("env") {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    if matches!(program, "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash") {
        Dialect::Posix
    } else {
        Dialect::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell;

    fn dir_of(script: &str, start: Option<&str>, word: &str) -> Option<String> {
        let cmds = shell::scan(script, Dialect::Posix);
        let mut dirs = Dirs::new(script, Dialect::Posix, start);
        for c in &cmds {
            if dirs.see(c) {
                continue;
            }
            if c.words[0].text == word {
                return dirs.at(c.words[0].span.start).map(|d| d.into_owned());
            }
        }
        panic!("no `{word}` in {script:?}");
    }

    #[test]
    fn cd_moves_the_commands_after_it() {
        assert_eq!(dir_of("nox", None, "nox"), None);
        assert_eq!(dir_of("nox", Some("sub"), "nox"), Some("sub".into()));
        assert_eq!(dir_of("cd docs\nnox", None, "nox").as_deref(), Some("docs"));
        assert_eq!(
            dir_of("cd docs && nox", Some("a"), "nox").as_deref(),
            Some("a/docs")
        );
        assert_eq!(
            dir_of("cd ./a/b; cd ..; nox", None, "nox").as_deref(),
            Some("a")
        );
        assert_eq!(
            dir_of("cd -P 'my dir' || exit 1\nnox", None, "nox").as_deref(),
            Some("my dir")
        );
        assert_eq!(
            dir_of("cd docs 2>&1 >/dev/null &>x\nnox", None, "nox").as_deref(),
            Some("docs")
        );
        assert_eq!(
            dir_of("cd $GITHUB_WORKSPACE/py\nnox", Some("x"), "nox").as_deref(),
            Some("py")
        );
        assert_eq!(
            dir_of("cd ${{ github.workspace }}\nnox", Some("x"), "nox").as_deref(),
            Some("")
        );
        assert_eq!(
            dir_of("pushd docs\nnox", None, "nox").as_deref(),
            Some("docs")
        );
        assert_eq!(
            dir_of("cd docs\nV=$(cat v) ${V2}\nnox", None, "nox").as_deref(),
            Some("docs")
        );
        // Commands before the change are where the script started.
        assert_eq!(dir_of("nox\ncd docs", None, "nox"), None);
    }

    #[test]
    fn a_change_that_cannot_be_followed_makes_the_directory_unknown() {
        for s in [
            "cd\nnox",
            "cd ~\nnox",
            "cd -\nnox",
            "cd /tmp\nnox",
            "cd $DIR\nnox",
            "cd \"$(dirname \"$0\")/..\"\nnox",
            "cd ..\nnox",
            "pushd a\npopd\nnox",
            "(cd docs && make)\nnox",
            "if [ -d docs ]; then cd docs; fi\nnox",
            "for d in a b; do cd $d; done; nox",
            "f() { cd docs; }\nnox",
            "cd docs\n(nox)",
            "cd docs | tee log\nnox",
            "true && cd docs | cat && nox",
            "cd docs & nox",
            "cd docs &\nnox",
            "ls | cd docs\nnox",
        ] {
            assert_eq!(dir_of(s, None, "nox").as_deref(), Some(UNKNOWN), "{s}");
        }
        // Inside the block that changed it, the directory is known.
        assert_eq!(
            dir_of("if true; then\n  cd docs\n  nox\nfi", None, "nox").as_deref(),
            Some("docs")
        );
    }

    #[test]
    fn other_shells_changing_directory_are_unknown() {
        let s = "Set-Location docs\nnox";
        let cmds = shell::scan(s, Dialect::PowerShell);
        let mut dirs = Dirs::new(s, Dialect::PowerShell, None);
        assert!(dirs.see(&cmds[0]));
        assert_eq!(
            dirs.at(cmds[1].words[0].span.start).as_deref(),
            Some(UNKNOWN)
        );
    }

    fn script_of(line: &str) -> Option<String> {
        let cmds = shell::scan(line, Dialect::Posix);
        let c = cmds.first()?;
        script_word(c).map(|i| c.words[i].text.clone())
    }

    #[test]
    fn commands_that_run_a_repository_script() {
        assert_eq!(
            script_of("./ci/run_tests.sh -v").as_deref(),
            Some("./ci/run_tests.sh")
        );
        assert_eq!(script_of("ci/test").as_deref(), Some("ci/test"));
        assert_eq!(
            script_of("bash scripts/test.sh").as_deref(),
            Some("scripts/test.sh")
        );
        assert_eq!(
            script_of("sh -e tools/x.sh a").as_deref(),
            Some("tools/x.sh")
        );
        assert_eq!(
            script_of("bash -o pipefail -eu t.sh").as_deref(),
            Some("t.sh")
        );
        assert_eq!(
            script_of("bash -euo pipefail t.sh").as_deref(),
            Some("t.sh")
        );
        assert_eq!(script_of("bash -- t.sh").as_deref(), Some("t.sh"));
        assert_eq!(script_of(". ./env.sh").as_deref(), Some("./env.sh"));
        assert_eq!(script_of("source env.sh").as_deref(), Some("env.sh"));
        for no in [
            "bash -c 'nox'",
            "bash -ec 'nox'",
            "sh -s < x",
            "bash",
            "/usr/bin/test.sh",
            "~/x.sh",
            "$DIR/x.sh",
            "./${{ matrix.script }}",
            "nox -s tests",
            "python scripts/x.py",
        ] {
            assert_eq!(script_of(no), None, "{no}");
        }
    }

    #[test]
    fn a_script_file_is_shell_unless_its_first_line_says_otherwise() {
        assert_eq!(file_dialect("nox -s x\n"), Dialect::Posix);
        assert_eq!(file_dialect("#!/bin/bash\nnox\n"), Dialect::Posix);
        assert_eq!(
            file_dialect("#!/usr/bin/env -S bash -e\nnox\n"),
            Dialect::Posix
        );
        assert_eq!(file_dialect("#!/usr/bin/env python3\n"), Dialect::Other);
        assert_eq!(file_dialect("#!/usr/bin/node\n"), Dialect::Other);
    }
}
