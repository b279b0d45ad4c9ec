//! The real binary: discovery, formats (snapshots), exit codes, selection, stdin, colours.

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::write;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cachelint"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const NOX_NO_CACHE: &str =
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n";
const CLEAN: &str =
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

#[test]
fn human_output_on_the_example() {
    let o = run(&["check", "examples", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("human", stdout(&o));
}

#[test]
fn concise_output_on_the_example() {
    let o = run(&["check", "examples", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("concise", stdout(&o));
}

#[test]
fn json_output_on_the_example() {
    let o = run(&["check", "examples", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    insta::assert_snapshot!("json", serde_json::to_string_pretty(&v).unwrap());
    // The documented fields are all there.
    for d in v.as_array().unwrap() {
        for key in [
            "rule",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "offset",
            "length",
            "labels",
            "help",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
    }
}

#[test]
fn bare_invocation_is_check_of_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", NOX_NO_CACHE);
    let o = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir.path())
        .args(["--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).lines().next(),
        Some(
            ".github/workflows/ci.yml:6:14: warning: job `test` runs nox but does not cache its environments in `.nox` [nox/cache-missing]"
        )
    );
}

#[test]
fn clean_run_prints_one_short_line_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", CLEAN);
    let o = run(&["check", dir.path().to_str().unwrap(), "--color", "never"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "All checks passed (1 file checked).\n");
    let o = run(&["check", dir.path().to_str().unwrap(), "--format", "concise"]);
    assert_eq!(stdout(&o), "", "concise is silent when clean");
    let o = run(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(stdout(&o), "[]\n");
}

#[test]
fn discovery_finds_workflow_folders_at_any_depth_and_skips_tool_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    for rel in [
        ".github/workflows/a.yml",
        ".forgejo/workflows/b.yaml",
        ".gitea/workflows/c.yml",
        "pkg/sub/.github/workflows/d.yml",
    ] {
        write(r, rel, NOX_NO_CACHE);
    }
    for rel in [
        "node_modules/x/.github/workflows/e.yml",
        ".nox/x/.github/workflows/f.yml",
        ".tox/.github/workflows/g.yml",
        ".venv/.github/workflows/h.yml",
        "target/.github/workflows/i.yml",
        ".git/.github/workflows/j.yml",
        ".github/actions/setup/action.yml",
        ".github/dependabot.yml",
        "ci.yml",
    ] {
        write(r, rel, NOX_NO_CACHE);
    }
    let o = bin()
        .current_dir(r)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<&str> = v.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            ".forgejo/workflows/b.yaml",
            ".gitea/workflows/c.yml",
            ".github/workflows/a.yml",
            "pkg/sub/.github/workflows/d.yml",
        ]
    );
    // A file named explicitly is always linted, wherever it lives.
    let o = bin()
        .current_dir(r)
        .args(["check", "ci.yml", "--format", "concise"])
        .output()
        .unwrap();
    assert!(stdout(&o).starts_with("ci.yml:6:14:"), "{}", stdout(&o));
}

#[test]
fn missing_paths_and_empty_directories_exit_2_after_linting_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/.github/workflows/ci.yml", NOX_NO_CACHE);
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "nope.yml", "repo", "empty", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("[nox/cache-missing]"),
        "the readable file is still linted"
    );
    let err = stderr(&o);
    assert!(err.contains("nope.yml: no such file or directory"), "{err}");
    assert!(err.contains("empty: no workflow files found"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check", "--format", "xml"]).status.code(), Some(2));
    let o = run(&["check", "examples", "--select", "nox/nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule selector"));
}

#[test]
fn select_and_ignore_take_ids_and_prefixes() {
    let rules = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["check", "examples", "--format", "json"];
        a.extend_from_slice(args);
        let v: Vec<serde_json::Value> = serde_json::from_slice(&run(&a).stdout).unwrap();
        v.iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rules(&[]).len(), 3);
    assert_eq!(
        rules(&["--select", "nox/cache-missing"]),
        ["nox/cache-missing"]
    );
    assert_eq!(rules(&["--select", "nox/"]).len(), 3);
    assert_eq!(rules(&["--select", "nox"]).len(), 3);
    assert_eq!(
        rules(&["--ignore", "nox/cache-missing,nox/key-missing-hash"]),
        ["nox/cache-after-use"]
    );
    assert!(rules(&["--select", "nox/", "--ignore", "nox/"]).is_empty());
    assert!(rules(&["--select", "syntax-error"]).is_empty());
}

#[test]
fn stdin_is_linted_under_its_given_name() {
    let mut child = bin()
        .args([
            "check",
            "-",
            "--stdin-filename",
            ".github/workflows/x.yml",
            "--format",
            "concise",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(NOX_NO_CACHE.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with(".github/workflows/x.yml:6:14: warning:"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn colours_follow_flags_and_environment() {
    let has_ansi = |o: &Output| stdout(o).contains("\x1b[");
    assert!(
        !has_ansi(&run(&["check", "examples"])),
        "not a terminal: no colour"
    );
    assert!(has_ansi(&run(&["check", "examples", "--color", "always"])));
    let forced = bin()
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "examples"])
        .output()
        .unwrap();
    assert!(has_ansi(&forced));
    let no = bin()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["check", "examples"])
        .output()
        .unwrap();
    assert!(!has_ansi(&no), "NO_COLOR wins");
}

#[test]
fn rules_lists_every_rule() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for r in &cachelint::rules::Registry::builtin().rules {
        assert!(
            text.lines().any(|l| l.starts_with(r.id)),
            "{} missing from:\n{text}",
            r.id
        );
    }
}

#[test]
fn output_is_sorted_by_path_then_position() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["z", "a", "m", "b", "y", "c"] {
        write(
            dir.path(),
            &format!(".github/workflows/{name}.yml"),
            NOX_NO_CACHE,
        );
    }
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "concise"])
        .output()
        .unwrap();
    let names: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.ends_with("[nox/cache-missing]"))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names.len(), 6);
    assert_eq!(names, sorted);
}

#[test]
fn human_format_survives_old_mac_line_endings_and_many_diagnostics() {
    // Found by the mutation fuzzer: lone `\r` line endings made miette panic, and thousands of
    // duplicate keys made rendering quadratic.
    let dir = tempfile::tempdir().unwrap();
    let mut lf = String::from("on: push\njobs:\n  a:\n    runs-on: x\n    env:\n");
    for _ in 0..3000 {
        lf.push_str("      K: v\n");
    }
    let cr = lf.replace('\n', "\r");
    write(dir.path(), "lf.yml", &lf);
    write(dir.path(), "cr.yml", &cr);
    for name in ["lf.yml", "cr.yml"] {
        let o = bin()
            .current_dir(dir.path())
            .args(["check", name, "--color", "never"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{name}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("Found 2999 problems (2999 errors) in 1 file."),
            "{name}"
        );
        // Line numbers follow YAML's line breaks, `\r` included.
        assert!(text.contains(&format!(
            "error[invalid-workflow]: duplicate key `K`\n  --> {name}:7:7\n"
        )));
    }
}

// ---- The command line as a new user types it ----

/// Runs `cmd` and kills it if it has not finished within `secs` (a blocking read is a bug).
fn output_within(cmd: &mut Command, secs: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= secs {
            child.kill().unwrap();
            panic!("cachelint did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs the binary with `input` on standard input.
fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // The binary may stop reading early (a size limit): a broken pipe is fine.
        let _ = stdin.write_all(&input);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    o
}

/// The paths of the diagnostics of a `--format json` run.
fn json_paths(o: &Output) -> Vec<String> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    let mut paths: Vec<String> = v
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    paths
}

#[test]
fn a_mistyped_command_is_a_usage_error_before_anything_is_linted() {
    for (typo, meant) in [
        ("chek", "check"),
        ("chekc", "check"),
        ("rule", "rules"),
        ("explian", "explain"),
        ("completion", "completions"),
        ("lint", "check"),
    ] {
        let o = run(&[typo, "examples"]);
        assert_eq!(o.status.code(), Some(2), "{typo}");
        assert_eq!(stdout(&o), "", "{typo}: nothing is linted");
        assert!(
            stderr(&o).contains(&format!(
                "unknown command `{typo}`; did you mean `{meant}`?"
            )),
            "{typo}: {}",
            stderr(&o)
        );
    }
    // A word that names an existing path is a path, however it looks.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "chek/.github/workflows/ci.yml", NOX_NO_CACHE);
    let o = bin()
        .current_dir(dir.path())
        .args(["chek", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("chek/.github/workflows/ci.yml:6:14:"));
    // A missing path that looks like a path stays a missing path.
    let o = run(&["examples", "chek.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("chek.yml: no such file or directory"));
    assert!(
        stdout(&o).contains("nox/cache-missing"),
        "the rest is linted"
    );
}

#[test]
fn options_may_come_before_the_command() {
    let after = run(&["check", "--format", "concise", "examples"]);
    for args in [
        &["--format", "concise", "check", "examples"][..],
        &["--format=concise", "check", "examples"],
        &["--format", "concise", "examples"],
        &[
            "--color", "never", "--format", "concise", "check", "examples",
        ],
    ] {
        let before = run(args);
        assert_eq!(
            before.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&before)
        );
        assert_eq!(stdout(&before), stdout(&after), "{args:?}");
        assert_eq!(stderr(&before), "", "{args:?}");
    }
    // A path after `--` is a path even when it is called `check`.
    let o = run(&["--format", "concise", "--", "check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("check: no such file or directory"));
}

#[test]
fn check_options_before_another_command_are_a_clear_error_not_a_path() {
    let o = run(&["--format", "json", "rules"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "no `[]` from a check");
    let err = stderr(&o);
    assert!(
        err.contains(
            "`--format` is an option of `cachelint check`; `cachelint rules` does not take it"
        ),
        "{err}"
    );
    assert!(!err.contains("no such file"), "{err}");
    let o = run(&["--select=nox/", "explain", "nox/cache-missing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`--select` is an option of `cachelint check`"));
    // Without options in the way the commands work as before.
    assert_eq!(run(&["rules"]).status.code(), Some(0));
    let o = run(&["explain", "nox/cache-missing"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).is_empty());
}

#[test]
fn stdin_filename_without_a_path_reads_standard_input() {
    let o = run_with_stdin(
        bin().args([
            "--stdin-filename",
            ".github/workflows/x.yml",
            "--format",
            "concise",
        ]),
        NOX_NO_CACHE.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(".github/workflows/x.yml:6:14: warning:"),
        "{}",
        stdout(&o)
    );
    // Not the current directory as well: one file only.
    assert_eq!(stdout(&o).matches("[nox/").count(), 1, "{}", stdout(&o));
}

#[cfg(unix)]
#[test]
fn dev_stdin_named_on_the_command_line_is_read_as_a_stream() {
    let o = run_with_stdin(
        bin().args(["check", "/dev/stdin", "--format", "concise"]),
        NOX_NO_CACHE.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("/dev/stdin:6:14: warning:"),
        "{}",
        stdout(&o)
    );
    // Within the size limit: a stream larger than it is not parsed.
    let big = vec![b'#'; cachelint::source::MAX_FILE_BYTES as usize + 10];
    let o = run_with_stdin(
        bin().args(["check", "/dev/stdin", "--format", "json"]),
        &big,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["rule"], "limit-exceeded");
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_read_and_one_met_in_a_walk_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("wf.yml");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        // Opening a FIFO for writing waits for the reader: cachelint.
        std::thread::spawn(move || std::fs::write(fifo, NOX_NO_CACHE))
    };
    let o = output_within(
        bin()
            .current_dir(dir.path())
            .args(["check", "wf.yml", "--format", "concise"]),
        60,
    );
    writer.join().unwrap().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("wf.yml:6:14: warning:"),
        "{}",
        stdout(&o)
    );

    // In a workflows folder a walk finds, the FIFO is not opened (it would block).
    write(dir.path(), "repo/.github/workflows/ci.yml", CLEAN);
    assert!(mkfifo(&dir.path().join("repo/.github/workflows/pipe.yml")));
    let o = output_within(
        bin()
            .current_dir(dir.path())
            .args(["check", "repo", "--color", "never"]),
        60,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "All checks passed (1 file checked).\n");
}

#[test]
fn a_run_with_an_unread_input_never_says_all_checks_passed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/.github/workflows/ci.yml", CLEAN);
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "repo", "missing.yml", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stdout(&o),
        "No problems found in 1 file checked; 1 input could not be linted (see the error on stderr).\n"
    );
    assert!(stderr(&o).contains("missing.yml: no such file or directory"));
    // Concise is silent when clean, but not when something was left out.
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "repo", "missing.yml", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("1 input could not be linted"),
        "{}",
        stdout(&o)
    );
    // With problems, the count still says what was left out.
    write(dir.path(), "repo/.github/workflows/nox.yml", NOX_NO_CACHE);
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "repo", "missing.yml", "empty", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).ends_with(
            "Found 1 problem (1 warning) in 1 of 2 files checked; 2 inputs could not be linted (see the errors on stderr).\n"
        ),
        "{}",
        stdout(&o)
    );
}

/// A repository in a temporary folder: `.git` makes `.gitignore` apply, as in a checkout.
fn repo_with_ignored_workflows() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join(".git/info")).unwrap();
    write(r, ".gitignore", "vendor/\n# a comment\n");
    write(r, ".git/info/exclude", "scratch/\n");
    write(r, "docs/.ignore", "old/\n");
    for rel in [
        ".github/workflows/ci.yml",
        "vendor/lib/.github/workflows/v.yml",
        "scratch/.github/workflows/s.yml",
        "docs/old/.github/workflows/o.yml",
        "legacy/.github/workflows/l.yml",
    ] {
        write(r, rel, NOX_NO_CACHE);
    }
    dir
}

#[test]
fn directory_walks_honour_gitignore_and_ignore_files() {
    let dir = repo_with_ignored_workflows();
    let lint = |args: &[&str]| {
        json_paths(
            &bin()
                .current_dir(dir.path())
                .args(["check", "--format", "json"])
                .args(args)
                .output()
                .unwrap(),
        )
    };
    assert_eq!(
        lint(&[]),
        [".github/workflows/ci.yml", "legacy/.github/workflows/l.yml"]
    );
    assert_eq!(
        lint(&["--no-ignore"]),
        [
            ".github/workflows/ci.yml",
            "docs/old/.github/workflows/o.yml",
            "legacy/.github/workflows/l.yml",
            "scratch/.github/workflows/s.yml",
            "vendor/lib/.github/workflows/v.yml",
        ]
    );
    assert_eq!(
        lint(&["--exclude", "legacy", "--exclude", "*.nothing"]),
        [".github/workflows/ci.yml"]
    );
    assert_eq!(
        lint(&["--no-ignore", "--exclude", "vendor/", "--exclude", "o.yml"]),
        [
            ".github/workflows/ci.yml",
            "legacy/.github/workflows/l.yml",
            "scratch/.github/workflows/s.yml",
        ]
    );
    // A file named on the command line is linted even if ignored or excluded.
    assert_eq!(
        lint(&["vendor/lib/.github/workflows/v.yml", "--exclude", "vendor"]),
        ["vendor/lib/.github/workflows/v.yml"]
    );
    // A bad line in an ignore file is a warning; the file's other lines still apply.
    write(dir.path(), ".gitignore", "vendor/\n[z-a]\n");
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cachelint: warning: .gitignore: error parsing glob '[z-a]'"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json_paths(&o),
        [".github/workflows/ci.yml", "legacy/.github/workflows/l.yml"]
    );
    // A bad glob is a usage error before anything is linted.
    let o = bin()
        .current_dir(dir.path())
        .args(["check", "--exclude", "a[", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("invalid --exclude glob `a[`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn only_files_directly_inside_github_workflows_are_workflows_forgejo_and_gitea_recurse() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, ".github/workflows/ci.yml", NOX_NO_CACHE);
    write(r, ".github/workflows/sub/nested.yml", NOX_NO_CACHE);
    write(r, ".forgejo/workflows/templates/t.yaml", NOX_NO_CACHE);
    let o = bin()
        .current_dir(r)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    // GitHub runs no workflow in a subfolder; Forgejo and Gitea do.
    assert_eq!(
        json_paths(&o),
        [
            ".forgejo/workflows/templates/t.yaml",
            ".github/workflows/ci.yml"
        ]
    );
    let o = bin()
        .current_dir(r)
        .args(["check", "--color", "never", "--select", "syntax-error"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "All checks passed (2 files checked).\n");
}

#[test]
fn local_actions_are_found_and_linted_as_actions() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, ".github/workflows/ci.yml", CLEAN);
    // Read as a workflow, this would be a job that runs nox without a cache.
    let action = "name: a\nname: b\nruns:\n  using: composite\n  steps: []\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: nox\n";
    write(r, ".github/actions/setup/action.yml", action);
    write(r, "tools/deploy/action.yaml", action);
    // A workflow called action.yml is still a workflow.
    write(r, ".gitea/workflows/action.yml", NOX_NO_CACHE);
    let o = bin()
        .current_dir(r)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let found: Vec<(&str, &str)> = v
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (".gitea/workflows/action.yml", "nox/cache-missing"),
            (".github/actions/setup/action.yml", "invalid-workflow"),
            ("tools/deploy/action.yaml", "invalid-workflow"),
        ]
    );
    // Searched from inside the workflows folder, a workflow called action.yml is still one.
    let o = bin()
        .current_dir(r.join(".gitea/workflows"))
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(json_paths(&o), ["action.yml"], "{}", stderr(&o));
    // Named on the command line, the file name decides too.
    let o = bin()
        .current_dir(r)
        .args(["check", "tools/deploy/action.yaml", "--format", "concise"])
        .output()
        .unwrap();
    assert!(!stdout(&o).contains("[nox/"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("duplicate key `name`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains("cachelint"), "{shell}");
        assert!(
            text.contains("stdin-filename"),
            "{shell}: options are completed"
        );
        assert!(text.contains("explain"), "{shell}: commands are completed");
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    // The bash script parses (when bash is here to say so).
    if Command::new("bash").arg("--version").output().is_ok() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("cachelint.bash");
        std::fs::write(&script, run(&["completions", "bash"]).stdout).unwrap();
        let o = Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let version = env!("CARGO_PKG_VERSION");
    let rest = text
        .strip_prefix(&format!("cachelint {version}"))
        .and_then(|r| r.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{text:?}"));
    let head = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short",
            "HEAD",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(head) if Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() => {
            assert_eq!(rest, format!(" ({head})"))
        }
        _ => assert_eq!(rest, ""),
    }
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/a.yml", NOX_NO_CACHE);
    let o = bin()
        .current_dir(dir.path())
        .args([
            "--format",
            "concise",
            ".github/workflows/a.yml",
            "./.github/workflows/a.yml",
            ".",
            "./.github/./workflows/a.yml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).matches("[nox/cache-missing]").count(),
        1,
        "{}",
        stdout(&o)
    );
}

#[test]
fn stdin_filename_with_a_path_and_no_dash_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/a.yml", CLEAN);
    let o = bin()
        .current_dir(dir.path())
        .args(["--stdin-filename", "x.yml", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: `--stdin-filename x.yml` is ignored"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_states_the_exit_codes() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Exit status: 0 no diagnostics at or above `--fail-on` (default: warning); 1 such diagnostics found"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn ignoring_syntax_error_warns_that_it_is_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/a.yml", "on: [\n");
    let o = bin()
        .current_dir(dir.path())
        .args(["--ignore", "syntax-error", "--format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("[syntax-error]"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("`--ignore syntax-error` does not hide `syntax-error`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn explain_takes_an_id_in_any_case_and_suggests_a_near_one() {
    let o = run(&["explain", "NOX/CACHE-MISSING"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("cache-missing"), "{}", stdout(&o));
    let o = run(&["explain", "NOX/CACHE-MISING"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `nox/cache-missing`?"),
        "{}",
        stderr(&o)
    );
}
