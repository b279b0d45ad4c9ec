//! Syntax errors through the real binary: the header points at the byte at fault, an unclosed
//! bracket is labelled where it opened, and every syntax error carries a help line.

use std::process::Command;

use serde_json::Value;

/// Runs `cachelint check --format json` on `text` written to a file named `name`; returns the
/// exit code and the diagnostics.
fn lint(name: &str, text: &str) -> (Option<i32>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), json)
}

/// The one syntax error of `text`.
fn syntax_error(text: &str) -> Value {
    let (code, diags) = lint("ci.yml", text);
    assert_eq!(code, Some(1), "{diags:?}");
    let errs: Vec<_> = diags
        .into_iter()
        .filter(|d| d["rule"] == "syntax-error")
        .collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    let d = errs.into_iter().next().unwrap();
    let help = d["help"].as_str().unwrap_or("");
    assert!(!help.is_empty(), "no help line: {d}");
    d
}

fn at(d: &Value) -> (u64, u64) {
    (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
}

#[test]
fn a_tab_on_line_7_is_reported_on_line_7() {
    // granit-parser stops at `make` on line 6 (it is still reading that plain scalar).
    let text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n\t  - run: nox -s tests\n";
    let d = syntax_error(text);
    assert_eq!(at(&d), (7, 1), "{d}");
    assert_eq!(d["length"], 1);
    assert_eq!(d["primary_label"], "a tab in indentation");
    assert!(d["help"].as_str().unwrap().contains("spaces"), "{d}");

    // The human output shows the same place in its header.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ci.yml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["check", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("--> ") && human.contains("ci.yml:7:1\n"),
        "{human}"
    );
    assert!(
        human.contains("= help: YAML indentation is spaces only"),
        "{human}"
    );
}

#[test]
fn a_tab_right_after_the_indentation_points_at_the_tab() {
    // granit-parser's marker is just after the tab here.
    let d = syntax_error("a:\n  b: 1\n\tc: 2\n");
    assert_eq!(at(&d), (3, 1), "{d}");
    // Spaces, then a tab: the tab, not the `:` the parser trips over later.
    let d = syntax_error("k: v\n  \tx: 1\n");
    assert_eq!(at(&d), (2, 3), "{d}");
}

#[test]
fn an_unclosed_bracket_is_labelled_where_it_opened() {
    for (text, open, stop, bracket) in [
        // Running into the next key.
        (
            "on: push\njobs:\n  test:\n    runs-on: [ubuntu-latest\n    steps:\n      - run: nox\n",
            (4, 14),
            (5, 10),
            '[',
        ),
        (
            "on: push\njobs:\n  test:\n    runs-on: {group: big\n    steps:\n      - run: nox\n",
            (4, 14),
            (5, 10),
            '{',
        ),
        // Closed by the wrong bracket: the primary span is that bracket.
        ("a: [b, {c: 1]\n", (1, 8), (1, 13), '{'),
    ] {
        let d = syntax_error(text);
        assert_eq!(at(&d), stop, "{d}");
        let labels = d["labels"].as_array().unwrap();
        let want = format!("this `{bracket}` is never closed");
        let label = labels
            .iter()
            .find(|l| l["message"] == want.as_str())
            .unwrap_or_else(|| panic!("no {want:?} label: {d}"));
        assert_eq!(
            (
                label["line"].as_u64().unwrap(),
                label["column"].as_u64().unwrap()
            ),
            open,
            "{d}"
        );
        assert!(d["help"].as_str().unwrap().contains("close"), "{d}");
    }
    // Running to the end of the file: the bracket is the primary span.
    let d = syntax_error("on: push\njobs:\n  test:\n    runs-on: [a, b\n");
    assert_eq!(at(&d), (4, 14), "{d}");
    assert_eq!(d["primary_label"], "this `[` is never closed");
}

#[test]
fn every_kind_of_syntax_error_has_its_own_help() {
    let cases = [
        ("a: echo note: x\n", (1, 13), "quote the whole value"),
        ("a: \"x\n", (1, 4), "close the string"),
        ("a: \"x\" y\n", (1, 8), "inside the quotes"),
        ("a: *nope\n", (1, 4), "define the anchor"),
        ("a: [b]]\n", (1, 7), "remove the extra bracket"),
        ("a: @x\n", (1, 4), "quote the value"),
        ("a:\n  b: 1\n c: 2\n", (3, 2), "indent this line"),
        ("a: \"\\q\"\n", (1, 4), "backslash"),
    ];
    for (text, want, help) in cases {
        let d = syntax_error(text);
        assert_eq!(at(&d), want, "{text:?}: {d}");
        assert!(
            d["help"].as_str().unwrap().contains(help),
            "{text:?}: help should say {help:?}: {d}"
        );
    }
}
