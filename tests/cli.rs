//! The real binary: discovery, formats (snapshots), exit codes, selection, stdin, colours.

use std::path::Path;
use std::process::{Command, Output, Stdio};

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

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

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
