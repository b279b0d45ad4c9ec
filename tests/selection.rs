//! Rule selection through the real binary: prefixes at `/` and `-` boundaries, "did you mean"
//! for unknown selectors, and files that were not linted are reported whatever the selection.

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn rules_of(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    v.as_array()
        .expect("an array")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

const LATE_AND_MISSING: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s lint\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ hashFiles('pyproject.toml') }}\n";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn a_prefix_at_a_dash_selects_every_rule_it_starts() {
    let d = repo(&[(".github/workflows/ci.yml", LATE_AND_MISSING)]);
    let all = run_in(d.path(), &["--format", "json", "."]);
    assert_eq!(rules_of(&all), ["nox/cache-missing", "nox/cache-after-use"]);
    let o = run_in(
        d.path(),
        &["--format", "json", "--select", "nox/cache", "."],
    );
    assert_eq!(rules_of(&o), ["nox/cache-missing", "nox/cache-after-use"]);
    let o = run_in(
        d.path(),
        &["--format", "json", "--ignore", "nox/cache-after", "."],
    );
    assert_eq!(rules_of(&o), ["nox/cache-missing"]);
    let o = run_in(d.path(), &["--format", "json", "--select", "nox/cach", "."]);
    assert_eq!(o.status.code(), Some(2), "nox/cach ends inside a word");
}

#[test]
fn an_unknown_selector_gets_a_suggestion_and_nothing_is_linted() {
    let d = repo(&[(".github/workflows/ci.yml", LATE_AND_MISSING)]);
    let o = run_in(d.path(), &["--select", "nox/cache-mising", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown rule selector `nox/cache-mising`; did you mean `nox/cache-missing`?"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing was linted");
}

#[test]
fn files_that_were_not_linted_are_reported_whatever_the_selection() {
    let d = repo(&[
        (
            ".github/workflows/broken.yml",
            "on: push\njobs: [unclosed\n",
        ),
        (".github/workflows/clean.yml", "on: push\njobs: {}\n"),
    ]);
    std::fs::write(
        d.path().join(".github/workflows/latin1.yml"),
        b"on: push\nname: caf\xe9\n",
    )
    .expect("write");
    for args in [
        vec!["--select", "nox/"],
        vec!["--ignore", "syntax-error"],
        vec!["--select", "nox/cache-missing", "--ignore", "syntax-error"],
    ] {
        let mut all = vec!["--format", "json"];
        all.extend(&args);
        all.push(".");
        let o = run_in(d.path(), &all);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(rules_of(&o), ["syntax-error", "syntax-error"], "{args:?}");
        let human = run_in(d.path(), &[&args[..], &["."]].concat());
        let text = String::from_utf8_lossy(&human.stdout);
        assert!(!text.contains("All checks passed"), "{args:?}: {text}");
    }
}

#[test]
fn explain_suggests_the_closest_rule() {
    let d = tempfile::tempdir().expect("a temp dir");
    let o = run_in(d.path(), &["explain", "nox/cache-mising"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `nox/cache-missing`?"), "{err}");
    let o = run_in(d.path(), &["--select", "nox/cach", "."]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `nox/cache`?"), "{err}");
}
