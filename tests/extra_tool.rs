//! Tools are data: a tool defined only by a YAML file (tests/data/tools/envy.yml, not shipped)
//! gets every tool rule (`envy/cache-missing`, `envy/cache-after-use`, `envy/key-missing-hash`)
//! with no Rust written for it. Also: the engine lints buffers, a composite action included,
//! from a database that never reads the disk.

use std::path::PathBuf;

use cachelint::engine::{Settings, lint};
use cachelint::knowledge::Knowledge;
use cachelint::rules::Registry;
use cachelint::source::{SourceDb, SourceFile};

const ENVY: &str = include_str!("data/tools/envy.yml");

fn buffer(path: &str, text: &str) -> SourceFile {
    let mut f = SourceFile::from_text(path, text);
    f.path = Some(PathBuf::from(path));
    f
}

/// (rule, line, column) of every diagnostic for `text` as `.github/workflows/ci.yml` of an
/// in-memory repository holding `extra` files too.
fn lint_mem(k: &Knowledge, text: &str, extra: &[(&str, &str)]) -> Vec<(String, usize, usize)> {
    let db = SourceDb::in_memory();
    for (path, body) in extra {
        db.add(buffer(path, body));
    }
    let id = db.add(buffer("repo/.github/workflows/ci.yml", text));
    let settings = Settings::all(&Registry::new(k));
    let file = db.get(id).unwrap();
    lint(&db, id, k, &settings)
        .into_iter()
        .map(|d| {
            let at = file.lines().line_col(&file.text, d.primary.span.start);
            (d.rule.to_string(), at.line, at.column)
        })
        .collect()
}

fn with_envy() -> Knowledge {
    Knowledge::load_with(&[("tests/data/tools/envy.yml", ENVY)]).unwrap()
}

#[test]
fn the_extra_tool_gets_its_own_rules_in_the_registry() {
    let ids: Vec<&str> = Registry::new(&with_envy())
        .rules
        .iter()
        .map(|r| r.id)
        .collect();
    for id in [
        "envy/cache-missing",
        "envy/cache-after-use",
        "envy/key-missing-hash",
        "envy/cache-without-reuse",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let r = Registry::new(&with_envy());
    let rule = r.get("envy/key-missing-hash").unwrap();
    assert_eq!(
        rule.summary,
        "The cache key for envy's environments does not hash requirements.txt (or another dependency file)."
    );
    assert!(rule.page.is_none());
    assert!(rule.doc().starts_with("# envy/key-missing-hash\n"));
}

#[test]
fn cache_missing_for_the_extra_tool() {
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: envy -e py312\n";
    assert_eq!(
        lint_mem(&with_envy(), wf, &[]),
        [("envy/cache-missing".to_string(), 7, 14)]
    );
    // Without the tool's data, the same workflow is clean: nothing in Rust knows `envy`.
    assert_eq!(lint_mem(&Knowledge::load().unwrap(), wf, &[]), []);
    // Options that create no environments, and `python -m envy` through the shared launchers.
    let listing = wf.replace("envy -e py312", "envy --list");
    assert_eq!(lint_mem(&with_envy(), &listing, &[]), []);
    let module = wf.replace("envy -e py312", "python -m envy -e py312");
    assert_eq!(
        lint_mem(&with_envy(), &module, &[]),
        [("envy/cache-missing".to_string(), 7, 14)]
    );
    // Its envdir follows its own options: `--workdir build/.e` with `-c sub/envy.toml`.
    let moved = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n        with:\n          path: sub/build/.e\n          key: e-${{ hashFiles('sub/envy.lock') }}\n      - run: envy -c sub/envy.toml --workdir build/.e\n";
    assert_eq!(lint_mem(&with_envy(), moved, &[]), []);
    let wrong = moved.replace("path: sub/build/.e", "path: .envy");
    assert_eq!(
        lint_mem(&with_envy(), &wrong, &[]),
        [("envy/cache-missing".to_string(), 10, 14)]
    );
}

#[test]
fn cache_after_use_and_key_missing_hash_for_the_extra_tool() {
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: envy\n      - uses: actions/cache@v4\n        with:\n          path: .envy\n          key: envy-${{ runner.os }}\n";
    assert_eq!(
        lint_mem(&with_envy(), wf, &[]),
        [
            ("envy/cache-after-use".to_string(), 7, 15),
            ("envy/key-missing-hash".to_string(), 10, 16)
        ]
    );
    // Either dependency file in the key is enough.
    let hashed = wf.replace("${{ runner.os }}", "${{ hashFiles('envy.lock') }}");
    assert_eq!(
        lint_mem(&with_envy(), &hashed, &[]),
        [("envy/cache-after-use".to_string(), 7, 15)]
    );
}

#[test]
fn the_engine_lints_buffers_and_composite_actions_from_memory() {
    let k = Knowledge::load().unwrap();
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/run\n";
    // The action is not on disk: only the database has it.
    let action =
        "runs:\n  using: composite\n  steps:\n    - run: nox -s tests\n      shell: bash\n";
    assert_eq!(
        lint_mem(&k, wf, &[("repo/.github/actions/run/action.yml", action)]),
        [("nox/cache-missing".to_string(), 6, 15)]
    );
    assert_eq!(lint_mem(&k, wf, &[]), [], "no action: nothing is known");
    // Editing the buffer of the action changes the workflow's findings.
    let cached = "runs:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n      with:\n        path: .nox\n        key: n-${{ hashFiles('pyproject.toml') }}\n    - run: nox -r -s tests\n      shell: bash\n";
    assert_eq!(
        lint_mem(&k, wf, &[("repo/.github/actions/run/action.yml", cached)]),
        []
    );
}
