//! Configuration files on the real binary: discovery (nearest file, the order within a folder,
//! `--config`, `--isolated`), precedence against the command line, every setting's effect,
//! and errors that point at the mistake.

use std::path::Path;
use std::process::Command;

mod common;
use common::{check_in, write};

/// The rule ids reported, in order (`--format json`).
fn rules(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let o = check_in(dir, &all);
    assert!(
        o.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    v.iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

const NOX: &str =
    "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t\n";

/// A job whose cache key hashes only `ci/constraints.txt`.
const KEYED: &str = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ runner.os }}-${{ hashFiles('ci/constraints.txt') }}\n      - run: nox -r -s t\n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // A marker so that discovery stops here and not in a folder above the temporary one.
    write(dir.path(), ".github/workflows/ci.yml", NOX);
    dir
}

#[test]
fn pyproject_table_is_read_and_one_without_it_is_passed_over() {
    let dir = repo();
    assert_eq!(rules(dir.path(), &[]), ["nox/cache-missing"]);
    write(dir.path(), "pyproject.toml", "[project]\nname = \"x\"\n");
    assert_eq!(rules(dir.path(), &[]), ["nox/cache-missing"]);
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.cachelint]\nignore = [\"nox/cache-missing\"]\n",
    );
    assert!(rules(dir.path(), &[]).is_empty());
    // `--isolated` reads nothing.
    assert_eq!(rules(dir.path(), &["--isolated"]), ["nox/cache-missing"]);
}

#[test]
fn within_a_folder_dot_cachelint_then_cachelint_then_pyproject() {
    let dir = repo();
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.cachelint]\nignore = [\"nox/\"]\n",
    );
    write(
        dir.path(),
        "cachelint.toml",
        "select = [\"nox/cache-missing\"]\n",
    );
    assert_eq!(rules(dir.path(), &[]), ["nox/cache-missing"]);
    write(
        dir.path(),
        ".cachelint.toml",
        "ignore = [\"nox/cache-missing\"]\n",
    );
    assert!(rules(dir.path(), &[]).is_empty());
}

#[test]
fn the_nearest_configuration_wins_per_file() {
    // A monorepo: each project's local action gets that project's settings.
    let dir = repo();
    write(dir.path(), "pyproject.toml", "[tool.cachelint]\n");
    let action = "name: a\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v1\n      with:\n        path: x\n        key: k\n";
    write(dir.path(), "a/.github/actions/c/action.yml", action);
    write(dir.path(), "b/.github/actions/c/action.yml", action);
    write(
        dir.path(),
        "b/pyproject.toml",
        "[tool.cachelint]\nignore = [\"cache/deprecated-action\"]\n",
    );
    let o = check_in(dir.path(), &["--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let at: Vec<(String, String)> = v
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        at.contains(&(
            "./a/.github/actions/c/action.yml".into(),
            "cache/deprecated-action".into()
        )) || at
            .iter()
            .any(|(p, r)| p.ends_with("a/.github/actions/c/action.yml")
                && r == "cache/deprecated-action"),
        "{at:?}"
    );
    assert!(!at.iter().any(|(p, _)| p.contains("b/.github")), "{at:?}");
    // `--config` names one file for all of them.
    write(dir.path(), "all.toml", "ignore = [\"cache/\"]\n");
    let o = check_in(dir.path(), &["--format", "json", "--config", "all.toml"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.iter().all(|d| d["rule"] == "nox/cache-missing"), "{v:?}");
}

#[test]
fn the_command_line_goes_over_the_configuration() {
    let dir = repo();
    write(
        dir.path(),
        ".github/workflows/keyed.yml",
        &KEYED.replace("ci/constraints.txt", "nothing"),
    );
    write(
        dir.path(),
        "cachelint.toml",
        "select = [\"nox/key-missing-hash\"]\n",
    );
    assert_eq!(rules(dir.path(), &[]), ["nox/key-missing-hash"]);
    // `--select` replaces the configuration's select; `--ignore` adds to its ignore.
    assert_eq!(
        rules(dir.path(), &["--select", "nox/cache-missing"]),
        ["nox/cache-missing"]
    );
    write(
        dir.path(),
        "cachelint.toml",
        "select = [\"nox/key-missing-hash\"]\nextend-select = [\"nox/cache-missing\"]\n",
    );
    assert_eq!(
        rules(dir.path(), &[]),
        ["nox/cache-missing", "nox/key-missing-hash"]
    );
    assert_eq!(
        rules(dir.path(), &["--ignore", "nox/key-missing-hash"]),
        ["nox/cache-missing"]
    );
}

#[test]
fn per_file_ignores_and_severities() {
    let dir = repo();
    write(dir.path(), ".github/workflows/release-1.yml", NOX);
    write(
        dir.path(),
        "cachelint.toml",
        "[per-file-ignores]\n\".github/workflows/release-*.yml\" = [\"nox/\"]\n\n[severity]\n\"nox/cache-missing\" = \"error\"\n",
    );
    let o = check_in(dir.path(), &["--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["path"], ".github/workflows/ci.yml");
    assert_eq!(v[0]["severity"], "error");
    // The severity decides the exit code.
    write(
        dir.path(),
        "cachelint.toml",
        "[severity]\n\"nox/\" = \"info\"\n",
    );
    assert_eq!(check_in(dir.path(), &[]).status.code(), Some(0));
    assert_eq!(
        check_in(dir.path(), &["--fail-on", "info"]).status.code(),
        Some(1)
    );
}

#[test]
fn extra_cache_actions_and_dependency_files_extend_the_knowledge() {
    let dir = tempfile::tempdir().unwrap();
    let forked = KEYED
        .replace("actions/cache@v4", "my-org/cache-action@v1")
        .replace("ci/constraints.txt", "pyproject.toml");
    write(dir.path(), ".github/workflows/ci.yml", &forked);
    assert_eq!(rules(dir.path(), &[]), ["nox/cache-missing"]);
    write(
        dir.path(),
        "cachelint.toml",
        "extra-cache-actions = [\"My-Org/cache-action\"]\n",
    );
    assert!(rules(dir.path(), &[]).is_empty());
    // A key that hashes a file the project names as a dependency file.
    write(dir.path(), ".github/workflows/ci.yml", KEYED);
    std::fs::remove_file(dir.path().join("cachelint.toml")).unwrap();
    assert_eq!(rules(dir.path(), &[]), ["nox/key-missing-hash"]);
    write(
        dir.path(),
        "cachelint.toml",
        "dependency-files = [\"ci/constraints.txt\"]\n",
    );
    assert!(rules(dir.path(), &[]).is_empty());
}

#[test]
fn knowledge_adds_wrappers_and_runner_actions_in_the_data_schema() {
    let dir = tempfile::tempdir().unwrap();
    let wrapped = NOX.replace("nox -s t", "with-retries --times 3 nox -s t");
    write(dir.path(), ".github/workflows/ci.yml", &wrapped);
    write(
        dir.path(),
        ".github/workflows/action.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: my-org/run-nox@v1\n        with:\n          sessions: tests\n",
    );
    assert!(rules(dir.path(), &[]).is_empty());
    write(
        dir.path(),
        "cachelint.toml",
        "[[knowledge.wrappers]]\nprogram = [\"with-retries\"]\noptions_with_value = [\"--times\"]\n\n[[knowledge.runner_actions.nox]]\nuses = \"my-org/run-nox\"\n",
    );
    assert_eq!(
        rules(dir.path(), &[]),
        ["nox/cache-missing", "nox/cache-missing"]
    );
}

#[test]
fn exclude_replaces_the_default_folders_and_extend_exclude_adds() {
    let dir = repo();
    write(dir.path(), "vendor/.github/workflows/v.yml", NOX);
    write(dir.path(), "node_modules/p/.github/workflows/n.yml", NOX);
    assert_eq!(rules(dir.path(), &[]).len(), 2);
    write(
        dir.path(),
        "cachelint.toml",
        "extend-exclude = [\"vendor/\"]\n",
    );
    assert_eq!(rules(dir.path(), &[]).len(), 1);
    write(dir.path(), "cachelint.toml", "exclude = [\"vendor/\"]\n");
    // node_modules is searched now that `exclude` replaced the defaults.
    assert_eq!(rules(dir.path(), &[]).len(), 2);
}

#[test]
fn mistakes_are_errors_that_point_at_them() {
    let dir = repo();
    let check = |file: &str, text: &str, expect: &[&str]| {
        write(dir.path(), file, text);
        let o = check_in(dir.path(), &[]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        for e in expect {
            assert!(err.contains(e), "{text}\n---\n{err}\nhas no {e:?}");
        }
        assert!(o.stdout.is_empty(), "nothing is linted");
        std::fs::remove_file(dir.path().join(file)).unwrap();
    };
    check(
        "pyproject.toml",
        "[tool.cachelint]\nselectt = [\"nox/\"]\n",
        &[
            "pyproject.toml:2:1: unknown field `selectt`",
            "2 | selectt",
            "  | ^^^^^^^",
        ],
    );
    check(
        "cachelint.toml",
        "ignore = [\"nox/cache-mising\"]\n",
        &[
            "cachelint.toml:1:11: unknown rule selector `nox/cache-mising`; did you mean `nox/cache-missing`?",
        ],
    );
    check(
        "cachelint.toml",
        "[per-file-ignores]\n\"x.yml\" = [\"nope\"]\n",
        &["cachelint.toml:2:12: unknown rule selector `nope`"],
    );
    check(
        "cachelint.toml",
        "select = [\"nox/\"\n",
        &["cachelint.toml:"],
    );
    check(
        "cachelint.toml",
        "[severity]\n\"nox/\" = \"loud\"\n",
        &["cachelint.toml:2:10:", "loud"],
    );
    check(
        "cachelint.toml",
        "extra-cache-actions = [\"cache\"]\n",
        &["cachelint.toml:1:24: `cache` is not an action name"],
    );
    check(
        "cachelint.toml",
        "exclude = [\"[\"]\n",
        &["cachelint.toml: `exclude` or `extend-exclude`"],
    );
    // A `--config` that does not exist, or a pyproject.toml without the table.
    let o = check_in(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("nope.toml: cannot read the configuration file")
    );
    write(dir.path(), "other/pyproject.toml", "[project]\n");
    let o = check_in(dir.path(), &["--config", "other/pyproject.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no [tool.cachelint] table"));
}

#[test]
fn show_settings_prints_the_resolved_configuration() {
    let dir = repo();
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.cachelint]\nselect = [\"nox/cache-missing\"]\n[tool.cachelint.severity]\n\"nox/\" = \"error\"\n",
    );
    let o = check_in(dir.path(), &["--show-settings"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("configuration       = \"pyproject.toml\"")
            || text.contains("pyproject.toml\""),
        "{text}"
    );
    assert!(text.contains("\"nox/cache-missing\" (error)"), "{text}");
    assert!(!text.contains("nox/cache-after-use"), "{text}");
    assert!(
        text.contains("\"syntax-error\" (error, always reported)"),
        "{text}"
    );
}

#[test]
fn config_documents_a_setting() {
    let o = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["config", "per-file-ignores"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("per-file-ignores\n\nRules not to run"),
        "{text}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["config", "per-file-ignore"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `per-file-ignores`?"));
}
