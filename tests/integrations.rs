//! The integrations hold against the real binary: the GitHub problem matcher
//! (`.github/cachelint-matcher.json`) and VS Code's `$gcc` pattern read `--format concise` as the
//! JSON report says, the composite action (`action.yml`) lints clean and has the documented
//! inputs, and the pre-commit hooks (`.pre-commit-hooks.yaml`) pass exactly the files cachelint
//! lints. `scripts/pre-commit-test.sh` runs the hooks through pre-commit itself.

use std::path::Path;
use std::process::Command;

use cachelint::yaml::Node;
use regex::Regex;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Runs `cachelint ARGS` in the repository root; returns stdout and the exit code.
fn cachelint(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

/// The fixture: the example repository has warnings and an error.
const FIXTURE: &str = "examples/";

/// The JSON report of the fixture: (file, line, column, severity, message, code) per diagnostic.
fn json_report() -> Vec<[String; 6]> {
    let (out, code) = cachelint(&["check", FIXTURE, "--format", "json"]);
    assert_eq!(code, Some(1));
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let rows: Vec<[String; 6]> = v
        .iter()
        .map(|d| {
            [
                d["path"].as_str().unwrap().to_string(),
                d["line"].to_string(),
                d["column"].to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    let severities: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert!(
        severities.contains(&"warning") && severities.contains(&"error"),
        "the fixture needs a warning and an error: {severities:?}"
    );
    rows
}

/// A JavaScript (and .NET) regular expression as the `regex` crate spells it: `\uXXXX` becomes
/// `\x{XXXX}`, `\/` becomes `/`; lookarounds and backreferences, which the crate lacks (and the
/// patterns here must not need), fail the test.
fn js_regex(js: &str) -> Regex {
    for unsupported in ["(?=", "(?!", "(?<=", "(?<!"] {
        assert!(!js.contains(unsupported), "lookaround in {js}");
    }
    let mut out = String::new();
    let mut chars = js.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                assert!(
                    hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()),
                    "bad \\u escape in {js}"
                );
                out.push_str(&format!("\\x{{{hex}}}"));
            }
            Some('/') => out.push('/'),
            Some(d) if d.is_ascii_digit() && d != '0' => panic!("backreference in {js}"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => panic!("trailing backslash in {js}"),
        }
    }
    Regex::new(&out).unwrap_or_else(|e| panic!("{js} -> {out}: {e}"))
}

#[test]
fn js_regex_translates_escapes() {
    let re = js_regex(r"^\u001b\[1m(a\/b)\d+$");
    assert!(re.is_match("\u{1b}[1ma/b12"));
    assert!(!re.is_match("u001b[1ma/b12"));
}

/// The GitHub problem matcher's one pattern: the regex and the group of each property.
struct Matcher {
    regex: Regex,
    groups: serde_json::Map<String, serde_json::Value>,
}

fn github_matcher() -> Matcher {
    let v: serde_json::Value =
        serde_json::from_str(&read(".github/cachelint-matcher.json")).unwrap();
    let matchers = v["problemMatcher"].as_array().unwrap();
    assert_eq!(matchers.len(), 1);
    assert_eq!(matchers[0]["owner"], "cachelint");
    let patterns = matchers[0]["pattern"].as_array().unwrap();
    assert_eq!(patterns.len(), 1, "one line per diagnostic: one pattern");
    let mut groups = patterns[0].as_object().unwrap().clone();
    let regex = js_regex(groups.remove("regexp").unwrap().as_str().unwrap());
    let mut keys: Vec<&str> = groups.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["code", "column", "file", "line", "message", "severity"]
    );
    Matcher { regex, groups }
}

/// The properties `matcher` reads from `line`, in the order of [`json_report`]'s rows.
fn apply(matcher: &Matcher, line: &str) -> Option<[String; 6]> {
    let caps = matcher.regex.captures(line)?;
    let get = |name: &str| {
        let group = matcher.groups[name].as_u64().unwrap() as usize;
        caps.get(group).map_or("", |m| m.as_str()).to_string()
    };
    Some([
        get("file"),
        get("line"),
        get("column"),
        get("severity"),
        get("message"),
        get("code"),
    ])
}

#[test]
fn github_problem_matcher_reads_concise_output_with_and_without_colour() {
    let want = json_report();
    let matcher = github_matcher();
    for color in ["always", "never"] {
        let (out, code) = cachelint(&["check", FIXTURE, "--format", "concise", "--color", color]);
        assert_eq!(code, Some(1));
        if color == "always" {
            assert!(out.contains('\u{1b}'), "no colour with --color always");
        } else {
            assert!(!out.contains('\u{1b}'));
        }
        let mut got = vec![];
        let mut unmatched = vec![];
        for line in out.lines() {
            match apply(&matcher, line) {
                Some(row) => got.push(row),
                None => unmatched.push(line),
            }
        }
        assert_eq!(
            got, want,
            "--color {color}: the matcher and the JSON disagree"
        );
        // Only the summary line is left.
        assert_eq!(unmatched.len(), 1, "--color {color}: {unmatched:?}");
        assert!(unmatched[0].contains("Found 3 problems"), "{unmatched:?}");
    }
}

#[test]
fn github_problem_matcher_reads_an_info_and_odd_paths() {
    let matcher = github_matcher();
    let row = apply(
        &matcher,
        "C:\\w\\a b\\.github\\workflows\\x.yml:3:7: info: a [bracket] in `x:1:2` [cache/key-invalid]",
    )
    .unwrap();
    assert_eq!(
        row,
        [
            "C:\\w\\a b\\.github\\workflows\\x.yml",
            "3",
            "7",
            "info",
            "a [bracket] in `x:1:2`",
            "cache/key-invalid"
        ]
    );
    assert!(apply(&matcher, "Found 1 problem (1 warning) in 1 file.").is_none());
    assert!(apply(&matcher, "All checks passed (1 file checked).").is_none());
}

/// VS Code's `$gcc` problem matcher, contributed by the C/C++ extension (ms-vscode.cpptools,
/// `Extension/package.json`, `contributes.problemMatchers`): file 1, line 2, column 3,
/// severity 4, message 5. docs/editors.md quotes it.
const GCC: &str = r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$";

#[test]
fn gcc_matcher_reads_concise_output_without_colour() {
    assert!(
        read("docs/editors.md").contains(&GCC.replace('\\', "\\\\")),
        "docs/editors.md quotes the $gcc pattern (JSON-escaped)"
    );
    let gcc = js_regex(GCC);
    let want = json_report();
    let (out, _) = cachelint(&["check", FIXTURE, "--format", "concise", "--color", "never"]);
    let got: Vec<[String; 6]> = out
        .lines()
        .filter_map(|line| {
            let c = gcc.captures(line)?;
            // `$gcc` has no code group: the rule id stays at the end of the message.
            let (message, code) = c[5].rsplit_once(" [")?;
            Some([
                c[1].to_string(),
                c[2].to_string(),
                c[3].to_string(),
                c[4].to_string(),
                message.to_string(),
                code.strip_suffix(']')?.to_string(),
            ])
        })
        .collect();
    assert_eq!(got, want);
    // With colour the location is wrapped in escape codes and `$gcc` reads nothing, which is why
    // docs/editors.md's task passes `--color never`.
    let (coloured, _) = cachelint(&["check", FIXTURE, "--format", "concise", "--color", "always"]);
    assert!(coloured.lines().all(|l| !gcc.is_match(l)));
    let tasks = read("docs/editors.md");
    assert!(tasks.contains("\"--color\", \"never\""));
}

/// The YAML file `rel`, parsed by cachelint's own parser, without problems.
fn yaml<T>(rel: &str, f: impl FnOnce(&Node<'_>) -> T) -> T {
    let text = read(rel);
    let doc = cachelint::yaml::parse(&text);
    assert!(doc.problems.is_empty(), "{rel}: {:?}", doc.problems);
    f(doc.root.as_ref().unwrap())
}

fn str_at<'a>(node: &'a Node<'_>, key: &str) -> &'a str {
    node.get(key)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("no string `{key}`"))
}

#[test]
fn action_lints_clean_and_has_the_documented_inputs() {
    let (out, code) = cachelint(&["check", "action.yml", "--format", "json"]);
    assert_eq!((out.trim(), code), ("[]", Some(0)));

    let text = read("action.yml");
    let inputs = yaml("action.yml", |root| {
        let runs = root.get("runs").unwrap();
        assert_eq!(str_at(runs, "using"), "composite");
        for step in runs.get("steps").unwrap().as_seq().unwrap() {
            // Inputs reach scripts through `env:`, never pasted into them (script injection).
            if let Some(script) = step.get("run").and_then(Node::as_str) {
                assert!(
                    !script.contains("${{"),
                    "an expression in a script: {script}"
                );
                assert_eq!(str_at(step, "shell"), "bash");
            }
        }
        root.get("inputs")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let default = v.get("default").and_then(Node::as_str).unwrap().to_string();
                (k.as_str().unwrap().to_string(), default)
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(
        inputs,
        [
            ("paths".to_string(), ".".to_string()),
            ("format".to_string(), "github".to_string()),
            ("args".to_string(), String::new()),
        ]
    );
    // docs/ci.md documents each input with its default.
    let ci = read("docs/ci.md");
    for (name, default) in &inputs {
        let row = format!("| `{name}` | `{default}` |");
        let empty = format!("| `{name}` | (empty) |");
        assert!(
            ci.contains(&row) || (default.is_empty() && ci.contains(&empty)),
            "docs/ci.md has no row {row}"
        );
    }
    // The cache step uses the actions/cache release the rules suggest, pinned to its commit,
    // and its key tells runners apart.
    let rules = read("rules/cache-actions.yml");
    let field = |name: &str| {
        rules
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap()
            .to_string()
    };
    let (release, sha) = (field("release"), field("release_sha"));
    assert!(
        text.contains(&format!("uses: actions/cache@{sha} # {release}")),
        "action.yml's cache step is not actions/cache@{sha} # {release}"
    );
    assert!(text.contains("${{ runner.os }}-${{ runner.arch }}"));
    assert!(text.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
}

/// Paths cachelint lints in a directory search, and paths it does not.
const LINTED: &[&str] = &[
    ".github/workflows/ci.yml",
    ".github/workflows/release.yaml",
    ".github/workflows/CI.YML",
    ".forgejo/workflows/ci.yml",
    ".forgejo/workflows/sub/deep/x.yaml",
    ".gitea/workflows/sub/x.yml",
    "packages/app/.github/workflows/ci.yml",
    "action.yml",
    "action.yaml",
    ".github/actions/setup/action.yml",
    "tools/deploy/action.yaml",
    ".github/workflows/action.yml",
];
const NOT_LINTED: &[&str] = &[
    "src/foo.yml",
    ".github/workflows/sub/x.yml",
    ".github/dependabot.yml",
    ".github/workflows/readme.md",
    ".github/workflows.yml",
    "workflows/ci.yml",
    ".github/sub/workflows/x.yaml",
    "action.yml.bak",
    "my-action.yml",
    "Action.yml",
    ".pre-commit-hooks.yaml",
];

#[test]
fn hooks_pass_exactly_the_files_cachelint_lints() {
    let hooks = yaml(".pre-commit-hooks.yaml", |root| {
        root.as_seq()
            .unwrap()
            .iter()
            .map(|h| {
                let types: Vec<&str> = h
                    .get("types")
                    .unwrap()
                    .as_seq()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap())
                    .collect();
                assert_eq!(types, ["yaml"]);
                assert_eq!(str_at(h, "entry"), "cachelint check");
                [
                    str_at(h, "id").to_string(),
                    str_at(h, "language").to_string(),
                    str_at(h, "files").to_string(),
                ]
            })
            .collect::<Vec<_>>()
    });
    let ids: Vec<[&str; 2]> = hooks.iter().map(|h| [&*h[0], &*h[1]]).collect();
    assert_eq!(ids, [["cachelint", "rust"], ["cachelint-system", "system"]]);
    assert_eq!(hooks[0][2], hooks[1][2], "both hooks select the same files");
    // pre-commit applies `files` with Python's re.search to the path from the repository root,
    // `/`-separated; this pattern means the same in the regex crate.
    let files = Regex::new(&hooks[0][2]).unwrap();
    for path in LINTED {
        assert!(files.is_match(path), "the hooks skip {path}");
    }
    for path in NOT_LINTED {
        assert!(!files.is_match(path), "the hooks pass {path}");
    }
    // The samples agree with cachelint's own discovery.
    for path in LINTED {
        let p = Path::new(path);
        assert!(
            cachelint::source::is_workflow_path(p) || cachelint::source::is_action_path(p),
            "cachelint does not lint {path}"
        );
    }
    for path in NOT_LINTED {
        let p = Path::new(path);
        assert!(
            !cachelint::source::is_workflow_path(p) && !cachelint::source::is_action_path(p),
            "cachelint lints {path}"
        );
    }
}

#[test]
fn named_workflow_and_action_files_are_linted() {
    // pre-commit passes file names: each is linted, as a workflow or as an action.
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
    std::fs::write(
        &wf,
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: nox -s t\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("action.yml"),
        "name: a\ndescription: a\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n      with:\n        path: x\n        key: a,b\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir.path())
        .args([
            "check",
            ".github/workflows/ci.yml",
            "action.yml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = v
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (".github/workflows/ci.yml", "nox/cache-missing"),
            ("action.yml", "cache/key-invalid"),
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn ci_docs_show_the_hooks_and_the_ci_script_runs_them() {
    let ci = read("docs/ci.md");
    for needle in [
        "repo: https://github.com/cachelint/cachelint",
        "rev: v0.1.0",
        "- id: cachelint",
        "github/codeql-action/upload-sarif",
        "--fail-on",
        "--exit-zero",
        "--format github",
    ] {
        assert!(ci.contains(needle), "docs/ci.md does not mention {needle}");
    }
    let run = read(".ci/run");
    let test = run.find("\ncargo test").unwrap();
    let hooks = run.find("\nbash scripts/pre-commit-test.sh").unwrap();
    assert!(test < hooks, ".ci/run runs the hook test after cargo test");
    let readme = read("README.md");
    assert!(readme.contains("docs/ci.md") && readme.contains("docs/editors.md"));
}

#[test]
fn editor_tasks_run_concise_without_colour_and_their_patterns_read_it() {
    let page = read("docs/editors.md");
    let want = json_report();
    let (out, _) = cachelint(&["check", FIXTURE, "--format", "concise", "--color", "never"]);
    let mut tasks = 0;
    for block in page.split("```json\n").skip(1) {
        let body = &block[..block.find("\n```").unwrap()];
        let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
            assert!(
                body.starts_with("\"regexp\""),
                "a JSON block that does not parse: {body}"
            );
            continue;
        };
        for task in v["tasks"].as_array().unwrap() {
            tasks += 1;
            let args: Vec<&str> = task["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(
                args,
                [
                    "check", "--format", "concise", "--color", "never", "--quiet"
                ]
            );
            let matcher = &task["problemMatcher"];
            if matcher.as_str() == Some("$gcc") {
                continue;
            }
            let mut groups = matcher["pattern"].as_object().unwrap().clone();
            let regex = js_regex(groups.remove("regexp").unwrap().as_str().unwrap());
            let m = Matcher { regex, groups };
            let got: Vec<[String; 6]> = out.lines().filter_map(|l| apply(&m, l)).collect();
            assert_eq!(got, want, "docs/editors.md's own pattern");
        }
    }
    assert_eq!(
        tasks, 2,
        "docs/editors.md has a $gcc task and one with its own pattern"
    );
}

#[test]
fn ci_docs_workflows_lint_clean() {
    let page = read("docs/ci.md");
    let mut n = 0;
    for block in page.split("```yaml\n").skip(1) {
        let body = &block[..block.find("```").unwrap()];
        if !body.contains("\njobs:") && !body.starts_with("jobs:") {
            continue;
        }
        n += 1;
        let dir = tempfile::tempdir().unwrap();
        let wf = dir.path().join(".github/workflows/x.yml");
        std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
        let text = if body.contains("\non:") {
            body.to_string()
        } else {
            format!("on: push\n{body}")
        };
        std::fs::write(&wf, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
            .current_dir(dir.path())
            .args(["check", ".github/workflows/x.yml", "--format", "concise"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{body}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert_eq!(n, 2, "the action's workflow and the SARIF upload");
}
