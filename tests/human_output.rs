//! The human and concise formats on the real binary: where the header points (the primary span,
//! in characters), what each diagnostic says about its docs, and colour on and off.
//! Snapshots are in `tests/snapshots/human_output__*.snap` (`INSTA_UPDATE=always` rewrites them).

use std::path::Path;
use std::process::{Command, Output};

/// A job above a nox command on a line with three CJK characters before it: the byte column of
/// `nox` is 34, its character column 28.
const CJK: &str = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"日本語\" && nox -s tests\n";

/// The job (a secondary label) is far above the nox command (the primary span).
const FAR_COMMAND: &str = "on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: \"3.12\"
      - run: pip install nox
      - run: echo start
      - run: |
          echo one
          nox -s lint
";

/// A cache step after nox: a primary label and a secondary label on separate lines.
const AFTER_USE: &str = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: nox -s tests
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-${{ hashFiles('pyproject.toml') }}
";

fn run_on(text: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    run_in(dir.path(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .arg("check")
        .arg(".github/workflows/ci.yml")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The text with every `ESC [ ... m` sequence removed.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('m').expect("unterminated escape");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `(line, column)` of every ` --> path:line:col` header line.
fn arrows(human: &str) -> Vec<(usize, usize)> {
    human
        .lines()
        .filter_map(|l| l.strip_prefix("  --> .github/workflows/ci.yml:"))
        .map(|at| {
            let (line, col) = at.split_once(':').unwrap();
            (line.parse().unwrap(), col.parse().unwrap())
        })
        .collect()
}

/// `(line, column)` of every concise line.
fn concise_positions(concise: &str) -> Vec<(usize, usize)> {
    concise
        .lines()
        .filter_map(|l| l.strip_prefix(".github/workflows/ci.yml:"))
        .map(|at| {
            let mut parts = at.splitn(3, ':');
            let line = parts.next().unwrap().parse().unwrap();
            let col = parts.next().unwrap().parse().unwrap();
            (line, col)
        })
        .collect()
}

fn json_positions(json: &[u8]) -> Vec<(usize, usize)> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(json).unwrap();
    v.iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap() as usize,
                d["column"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn header_column_counts_characters_and_agrees_with_concise_and_json() {
    let human = run_on(CJK, &["--color", "never"]);
    assert_eq!(human.status.code(), Some(1));
    let text = stdout(&human);
    assert_eq!(arrows(&text), [(6, 28)], "{text}");
    let concise = run_on(CJK, &["--format", "concise"]);
    assert_eq!(concise_positions(&stdout(&concise)), [(6, 28)]);
    let json = run_on(CJK, &["--format", "json"]);
    assert_eq!(json_positions(&json.stdout), [(6, 28)]);
    insta::assert_snapshot!("human_cjk", text);
}

#[test]
fn header_opens_at_the_primary_span_not_the_first_label() {
    let o = run_on(FAR_COMMAND, &["--color", "never"]);
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "warning[nox/cache-missing]: job `lint` runs nox but does not cache its environments in `.nox`"
        )
    );
    // The nox command on line 14, not the job on line 3.
    assert_eq!(lines.next(), Some("  --> .github/workflows/ci.yml:14:11"));
    assert!(
        !text.contains("ci.yml:3:"),
        "no other location is printed: {text}"
    );
    // The job is still shown, as a labelled snippet.
    assert!(text.contains("╰── in this job"), "{text}");
    insta::assert_snapshot!("human_cache_missing_at_command", text);
}

#[test]
fn every_diagnostic_names_its_rule_severity_and_docs() {
    let o = run_on(AFTER_USE, &["--color", "never"]);
    let text = stdout(&o);
    assert!(
        text.starts_with(
            "error[nox/cache-after-use]: the cache for `.nox` is restored after nox has already created its environments in job `test`\n  --> .github/workflows/ci.yml:7:15\n"
        ),
        "{text}"
    );
    assert!(text.contains("╰── nox creates its environments here first"));
    assert!(text.contains("╰── restores the cache too late"));
    assert!(text.contains("  = help: move this cache step before the first step that runs nox\n"));
    assert!(text.contains("  = docs: cachelint explain nox/cache-after-use\n"));
    insta::assert_snapshot!("human_labels", text);
    // The command it names exists and prints that rule's page.
    let explain = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["explain", "nox/cache-after-use"])
        .output()
        .unwrap();
    assert_eq!(explain.status.code(), Some(0));
    assert!(stdout(&explain).starts_with("# nox/cache-after-use\n"));
}

#[test]
fn lines_too_long_to_draw_keep_the_header_help_and_docs() {
    let text = format!(
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: echo {} && nox -s t\n",
        "é".repeat(3000)
    );
    let o = run_on(&text, &["--color", "never"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    // `      - run: echo ` is 18 characters, then 3,000 `é` and ` && `.
    assert_eq!(arrows(&out), [(6, 18 + 3000 + 4 + 1)], "{out}");
    assert!(!out.contains('╭'), "no snippet for a 3,000-character line");
    assert!(out.contains("  = help: add a cache step"));
    assert!(out.contains("  = docs: cachelint explain nox/cache-missing\n"));
}

#[test]
fn human_colour_marks_the_header_and_never_leaks_into_plain_output() {
    let plain = stdout(&run_on(AFTER_USE, &["--color", "never"]));
    assert!(!plain.contains('\x1b'));
    let coloured = stdout(&run_on(AFTER_USE, &["--color", "always"]));
    assert!(
        coloured.starts_with("\x1b[1;31merror[nox/cache-after-use]\x1b[0m"),
        "{coloured:?}"
    );
    // Colour changes nothing but the escapes (miette's snippet included).
    assert_eq!(strip_ansi(&coloured), plain);
}

#[test]
fn concise_colour_on_and_off() {
    let text = format!(
        "{CJK}  lint:\n    runs-on: x\n    steps:\n      - run: nox\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: static\n"
    );
    let plain = run_on(&text, &["--format", "concise", "--color", "never"]);
    let plain = stdout(&plain);
    assert!(!plain.contains('\x1b'));
    insta::assert_snapshot!("concise_plain", plain);
    // Not a terminal, no flag: plain.
    assert_eq!(stdout(&run_on(&text, &["--format", "concise"])), plain);
    let coloured = stdout(&run_on(
        &text,
        &["--format", "concise", "--color", "always"],
    ));
    assert!(coloured.contains('\x1b'));
    insta::assert_snapshot!("concise_colour", coloured.replace('\x1b', "\\e"));
    // Stripped of its escapes, each line is the `$gcc` line.
    assert_eq!(strip_ansi(&coloured), plain);
    for line in plain.lines().filter(|l| l.ends_with(']')) {
        let (location, rest) = line.split_once(": ").unwrap();
        assert_eq!(location.split(':').count(), 3, "{line}");
        assert!(
            rest.starts_with("error: ") || rest.starts_with("warning: "),
            "{line}"
        );
    }
    // The severity word is coloured, the location bold.
    assert!(
        coloured
            .contains("\x1b[1m.github/workflows/ci.yml:6:28\x1b[0m: \x1b[1;33mwarning\x1b[0m: "),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\x1b[1;31merror\x1b[0m: "),
        "{coloured:?}"
    );
}
