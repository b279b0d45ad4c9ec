use super::*;
use crate::engine::lint_buffer;
use crate::knowledge::Knowledge;
use crate::rules::Registry;
use crate::source::SourceFile;

fn lint(text: &str) -> Vec<(String, usize)> {
    let knowledge = Knowledge::load().expect("knowledge");
    let registry = Registry::new(&knowledge);
    let settings = Settings::all(&registry);
    let (db, id, diags) = lint_buffer(
        SourceFile::from_text(".github/workflows/ci.yml".to_string(), text.to_string()),
        &knowledge,
        &settings,
    );
    let file = db.get(id).expect("file");
    diags
        .iter()
        .map(|d| {
            let line = file.text[..d.primary.span.start].matches('\n').count() + 1;
            (d.rule.to_string(), line)
        })
        .collect()
}

const JOB: &str = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n";

#[test]
fn a_trailing_comment_covers_its_line() {
    let bare = format!("{JOB}      - run: nox -s tests\n");
    assert_eq!(lint(&bare), vec![("nox/cache-missing".to_string(), 6)]);
    let ignored =
        format!("{JOB}      - run: nox -s tests  # cachelint: ignore[nox/cache-missing]\n");
    assert_eq!(lint(&ignored), vec![]);
}

#[test]
fn a_comment_on_its_own_line_covers_the_next_line_and_what_nests_under_it() {
    let text = format!(
        "{JOB}      # cachelint: ignore[nox/cache-missing] -- cached by the runner image\n\n      - run: |\n          echo start\n          nox -s tests\n"
    );
    assert_eq!(lint(&text), vec![]);
}

#[test]
fn a_job_key_covers_the_job_but_not_the_next_one() {
    let text = "on: push\njobs:\n  a:  # cachelint: ignore[nox]\n    runs-on: x\n    steps:\n      - run: nox -s a\n  b:\n    runs-on: x\n    steps:\n      - run: nox -s b\n";
    assert_eq!(lint(text), vec![("nox/cache-missing".to_string(), 10)]);
}

#[test]
fn another_rule_is_not_suppressed_and_the_name_is_unused() {
    let text =
        format!("{JOB}      - run: nox -s tests  # cachelint: ignore[nox/key-missing-hash]\n");
    assert_eq!(
        lint(&text),
        vec![
            ("nox/cache-missing".to_string(), 6),
            ("suppression/unused".to_string(), 6)
        ]
    );
}

#[test]
fn ignore_file_covers_every_line() {
    let text =
        format!("# cachelint: ignore-file[nox/cache-missing]\n{JOB}      - run: nox -s tests\n");
    assert_eq!(lint(&text), vec![]);
}

#[test]
fn unknown_names_and_unreadable_comments_are_invalid() {
    let text = format!(
        "{JOB}      - run: nox -s tests  # cachelint: ignore[nox/cache-mising]\n      # cachelint: ignroe[x]\n      - run: echo\n"
    );
    assert_eq!(
        lint(&text),
        vec![
            ("nox/cache-missing".to_string(), 6),
            ("suppression/invalid".to_string(), 6),
            ("suppression/invalid".to_string(), 7)
        ]
    );
}

#[test]
fn a_directive_inside_a_block_scalar_is_script_text() {
    let text = format!(
        "{JOB}      - run: |\n          nox -s tests  # cachelint: ignore[nox/cache-missing]\n"
    );
    assert_eq!(lint(&text), vec![("nox/cache-missing".to_string(), 7)]);
}

#[test]
fn syntax_errors_are_never_suppressed() {
    let text = "on: [push  # cachelint: ignore-file[syntax-error]\n";
    let got = lint(text);
    assert!(got.iter().any(|(r, _)| r == "syntax-error"), "{got:?}");
}

#[test]
fn the_unused_fix_removes_the_name_or_the_comment() {
    let text = "a: 1  # cachelint: ignore[x, y]\n# cachelint: ignore[z]\nb: 2\n";
    let comments = crate::yaml::parse(text).comments;
    let s = Suppressions::parse(text, &comments);
    let apply = |d: &Directive, i: usize| {
        let (r, with) = removal(text, d, i);
        format!("{}{with}{}", &text[..r.start], &text[r.end..])
    };
    let first = &s.directives[0];
    assert_eq!(
        apply(first, 0),
        "a: 1  # cachelint: ignore[y]\n# cachelint: ignore[z]\nb: 2\n"
    );
    assert_eq!(
        apply(first, 1),
        "a: 1  # cachelint: ignore[x]\n# cachelint: ignore[z]\nb: 2\n"
    );
    assert_eq!(
        apply(&s.directives[1], 0),
        "a: 1  # cachelint: ignore[x, y]\nb: 2\n"
    );
    let single = "a: 1  # cachelint: ignore[x]\n";
    let s = Suppressions::parse(single, &crate::yaml::parse(single).comments);
    let (r, _) = removal(single, &s.directives[0], 0);
    assert_eq!(
        format!("{}{}", &single[..r.start], &single[r.end..]),
        "a: 1\n"
    );
}

#[test]
fn names_carry_their_exact_spans() {
    let text = "a: 1 #cachelint:ignore[ nox , cache/key-invalid ]\n";
    let s = Suppressions::parse(text, &crate::yaml::parse(text).comments);
    let names: Vec<_> = s.directives[0]
        .names
        .iter()
        .map(|n| &text[n.span.clone()])
        .collect();
    assert_eq!(names, ["nox", "cache/key-invalid"]);
}
