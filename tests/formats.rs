//! The machine formats and the report options on the real binary: `github`, `json-lines`,
//! `gitlab`, `junit` and `sarif` (snapshots in `tests/snapshots/formats__*.snap`), `--output-file`,
//! `--statistics`, `--quiet`, `--exit-zero`, `--fail-on` and `--output-format`.
//! SARIF's validity is checked by tests/sarif.rs.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::write;

fn bin(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cachelint"));
    c.current_dir(dir);
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin(dir).arg("check").args(args).output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const NOX_NO_CACHE: &str =
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n";
const CLEAN: &str =
    "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

/// The example's findings: an error and two warnings.
fn example(format: &str) -> Output {
    run(root(), &["examples/", "--format", format])
}

#[test]
fn github_annotations_on_the_example() {
    let o = example("github");
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("github", out(&o));
}

#[test]
fn json_lines_on_the_example_are_the_json_array_one_per_line() {
    let o = example("json-lines");
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    insta::assert_snapshot!("json_lines", text);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array: Value = serde_json::from_slice(&example("json").stdout).unwrap();
    assert_eq!(Value::Array(lines), array);
}

#[test]
fn gitlab_code_quality_on_the_example() {
    let o = example("gitlab");
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    insta::assert_snapshot!("gitlab", text);
    let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
    for i in &issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[field].is_string(), "{field} in {i}");
        }
        assert!(i["location"]["positions"]["begin"]["line"].is_u64());
    }
}

#[test]
fn junit_on_the_example_and_a_clean_file() {
    let o = example("junit");
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("junit", out(&o));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/clean.yml", CLEAN);
    write(dir.path(), ".github/workflows/a<b>&.yml", NOX_NO_CACHE);
    let o = run(dir.path(), &["--format", "junit"]);
    let text = out(&o);
    assert!(
        text.contains("<testsuites name=\"cachelint\" tests=\"2\" failures=\"1\" errors=\"0\">"),
        "{text}"
    );
    // A clean file is one passing test case; markup in a file name is escaped.
    assert!(
        text.contains("<testcase name=\"cachelint\" classname=\".github/workflows/clean.yml\""),
        "{text}"
    );
    assert!(
        text.contains("name=\".github/workflows/a&lt;b&gt;&amp;.yml\""),
        "{text}"
    );
    assert_eq!(text.matches("<testsuite ").count(), 2);
    assert_eq!(text.matches("</testsuite>").count(), 2);
}

/// The SARIF log with what differs between machines (the working directory, the commit in
/// the version) replaced.
fn stable_sarif(text: &str) -> String {
    let mut log: Value = serde_json::from_str(text).unwrap();
    let run = &mut log["runs"][0];
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[cwd]/".into();
    run["tool"]["driver"]["version"] = "[version]".into();
    // The rules' pages are long and tested elsewhere: keep their first line.
    for r in run["tool"]["driver"]["rules"].as_array_mut().unwrap() {
        for key in ["text", "markdown"] {
            let first = r["help"][key]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_string();
            r["help"][key] = format!("{first} [...]").into();
        }
    }
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn sarif_on_the_example() {
    let o = example("sarif");
    assert_eq!(o.status.code(), Some(0), "SARIF exits 0 with findings");
    insta::assert_snapshot!("sarif", stable_sarif(&out(&o)));
}

#[test]
fn github_properties_and_messages_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/a,b%c.yml", NOX_NO_CACHE);
    let o = run(dir.path(), &["--format", "github"]);
    let text = out(&o);
    assert!(
        text.starts_with("::warning file=.github/workflows/a%2Cb%25c.yml,line=6,col=14,endLine=6,endColumn=17,title=cachelint (nox/cache-missing)::job `test` runs nox"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "no summary line: {text}");
    // A syntax error is an `::error`.
    write(dir.path(), ".github/workflows/b.yml", "on: [push\n");
    let text = out(&run(
        dir.path(),
        &["--format", "github", ".github/workflows/b.yml"],
    ));
    assert!(
        text.starts_with("::error file=.github/workflows/b.yml,"),
        "{text}"
    );
}

#[test]
fn gitlab_fingerprints_survive_lines_added_above_and_tell_twins_apart() {
    let dir = tempfile::tempdir().unwrap();
    let two_jobs = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: nox -s t\n  b:\n    runs-on: x\n    steps:\n      - run: nox -s t\n";
    write(dir.path(), ".github/workflows/ci.yml", two_jobs);
    let prints = |dir: &Path| -> Vec<String> {
        let v: Vec<Value> =
            serde_json::from_slice(&run(dir, &["--format", "gitlab"]).stdout).unwrap();
        v.iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let before = prints(dir.path());
    assert_eq!(before.len(), 2);
    assert_ne!(before[0], before[1]);
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &format!("# a comment\n\n{two_jobs}"),
    );
    assert_eq!(prints(dir.path()), before);
}

#[test]
fn fail_on_exit_zero_and_sarif_decide_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", NOX_NO_CACHE); // one warning
    let code = |args: &[&str]| run(dir.path(), args).status.code();
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "warning"]), Some(1));
    assert_eq!(code(&["--fail-on", "info"]), Some(1));
    assert_eq!(code(&["--fail-on", "error"]), Some(0));
    assert_eq!(code(&["--exit-zero"]), Some(0));
    assert_eq!(code(&["--format", "sarif"]), Some(0));
    // An input that cannot be read is exit 2 whatever the options.
    assert_eq!(code(&["--exit-zero", "missing.yml"]), Some(2));
    assert_eq!(code(&["--format", "sarif", "missing.yml"]), Some(2));
    // An error fails `--fail-on error`.
    write(dir.path(), ".github/workflows/bad.yml", "on: [push\n");
    assert_eq!(code(&["--fail-on", "error"]), Some(1));
    assert_eq!(code(&["--fail-on", "nope"]), Some(2));
}

#[test]
fn output_format_is_a_synonym_of_format() {
    let a = run(root(), &["examples/", "--output-format", "concise"]);
    let b = run(root(), &["examples/", "--format=concise"]);
    assert_eq!(out(&a), out(&b));
    assert!(out(&a).contains(": warning: "));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = run(
        root(),
        &[
            "examples/",
            "--format",
            "json",
            "--output-file",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let written = std::fs::read(&report).unwrap();
    assert_eq!(written, example("json").stdout);
    // Human output into a file has no colour, even where a terminal would get it.
    let human = dir.path().join("report.txt");
    let o = bin(root())
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "examples/", "-o", human.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&human).unwrap();
    assert!(
        !text.contains('\x1b') && text.contains("Found 3 problems"),
        "{text}"
    );
    // A report that cannot be written is exit 2 with the reason, and nothing half-written.
    let o = run(
        root(),
        &[
            "examples/",
            "--output-file",
            dir.path().join("no/such/dir/r.txt").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the report"));
}

#[test]
fn statistics_count_each_rule() {
    let o = run(root(), &["examples/", "--statistics"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("statistics", out(&o));
    let o = run(root(), &["examples/", "--statistics", "--format", "json"]);
    let v: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let total: u64 = v.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 3);
    assert!(
        v.iter()
            .all(|r| r["rule"].is_string() && r["severity"].is_string())
    );
}

#[test]
fn quiet_prints_diagnostics_and_nothing_else() {
    let o = run(root(), &["examples/", "--quiet"]);
    let text = out(&o);
    assert!(text.contains("nox/cache-missing"));
    assert!(!text.contains("Found 3 problems"), "{text}");
    let o = run(root(), &["examples/", "-q", "--format", "concise"]);
    assert_eq!(out(&o).lines().count(), 3);
    // A clean run prints nothing at all; warnings on stderr are quiet too.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", CLEAN);
    let o = run(dir.path(), &["-q", "--stdin-filename", "x.yml", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{o:?}");
    let o = run(dir.path(), &["--stdin-filename", "x.yml", "."]);
    assert!(!o.stderr.is_empty());
}
