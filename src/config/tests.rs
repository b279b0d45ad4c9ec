use std::path::Path;

use super::*;

fn cfg(name: &str, text: &str) -> Result<Option<Config>, ConfigError> {
    parse(Path::new(name), text)
}

#[test]
fn pyproject_without_the_table_is_no_configuration() {
    assert!(
        cfg("p/pyproject.toml", "[project]\nname = \"x\"\n")
            .unwrap()
            .is_none()
    );
    // Broken TOML that does not mention cachelint is not ours to judge.
    assert!(cfg("pyproject.toml", "[project\n").unwrap().is_none());
    assert!(cfg("pyproject.toml", "[tool.cachelint\n").is_err());
    let c = cfg(
        "p/pyproject.toml",
        "[tool.cachelint]\nignore = [\"nox/\"]\n",
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.layer().ignore, ["nox/"]);
    assert_eq!(c.dir, Path::new("p"));
}

#[test]
fn unknown_keys_are_errors_with_a_span() {
    let text = "[tool.black]\nline-length = 99\n\n[tool.cachelint]\nselectt = [\"nox/\"]\n";
    let e = cfg("pyproject.toml", text).unwrap_err();
    let span = e.span.clone().unwrap();
    assert_eq!(&text[span.clone()], "selectt");
    assert!(
        e.message.contains("unknown field `selectt`"),
        "{}",
        e.message
    );
    let shown = e.render();
    assert!(
        shown.starts_with("pyproject.toml:5:1: unknown field `selectt`"),
        "{shown}"
    );
    assert!(
        shown.ends_with("5 | selectt = [\"nox/\"]\n  | ^^^^^^^"),
        "{shown}"
    );
    // In cachelint.toml the keys are at the top level; a wrong type points at the value.
    let text = "select = \"nox/\"\n";
    let e = cfg("cachelint.toml", text).unwrap_err();
    assert_eq!(&text[e.span.clone().unwrap()], "\"nox/\"");
    let e = cfg("cachelint.toml", "[severity]\n\"nox/\" = \"loud\"\n").unwrap_err();
    assert!(e.message.contains("loud"), "{}", e.message);
    let e = cfg(
        "cachelint.toml",
        "[knowledge]\nlaunchers = [{ programme = [\"x\"] }]\n",
    )
    .unwrap_err();
    assert!(e.message.contains("programme"), "{}", e.message);
}

#[test]
fn every_documented_example_parses_and_every_key_is_documented() {
    for s in SETTINGS {
        let c = cfg("cachelint.toml", s.example)
            .unwrap_or_else(|e| panic!("{}: {}", s.name, e.render()))
            .unwrap();
        c.extension().unwrap();
        let table: toml::Table = toml::from_str(s.example).unwrap();
        assert!(
            table.contains_key(s.name),
            "{}'s example does not set it",
            s.name
        );
    }
    // A file setting every key parses: no key is missing from SETTINGS' list of examples.
    let all: String = SETTINGS
        .iter()
        .filter(|s| !s.example.starts_with('['))
        .map(|s| format!("{}\n", s.example.lines().last().unwrap_or("")))
        .collect();
    cfg("cachelint.toml", &all).unwrap();
}

#[test]
fn extension_checks_action_names_and_adds_to_the_knowledge() {
    let c = cfg(
        "cachelint.toml",
        "extra-cache-actions = [\"runs-on/cache\"]\ndependency-files = [\"ci/reqs.txt\"]\n",
    )
    .unwrap()
    .unwrap();
    assert!(c.extends_knowledge());
    let k = crate::knowledge::Knowledge::load().unwrap();
    let ext = k.extended(&c.extension().unwrap()).unwrap();
    assert!(
        ext.cache_actions
            .iter()
            .any(|a| a.uses == "runs-on/cache" && a.restores && a.saves)
    );
    assert!(
        ext.tools[0]
            .dependency_files
            .iter()
            .any(|f| f == "ci/reqs.txt")
    );
    let text = "extra-cache-actions = [\"runs-on/cache@v4\"]\n";
    let e = cfg("cachelint.toml", text)
        .unwrap()
        .unwrap()
        .extension()
        .unwrap_err();
    assert_eq!(&text[e.span.unwrap()], "\"runs-on/cache@v4\"");
    // An unknown tool in runner_actions is an error of the data.
    let c = cfg(
        "cachelint.toml",
        "[[knowledge.runner_actions.tox]]\nuses = \"a/b\"\n",
    )
    .unwrap()
    .unwrap();
    let err = k.extended(&c.extension().unwrap()).unwrap_err();
    assert!(err.contains("no such tool"), "{err}");
}

#[test]
fn per_file_ignores_match_paths_below_the_config_and_bare_names_anywhere() {
    let c = cfg(
        "/repo/cachelint.toml",
        "[per-file-ignores]\n\".github/workflows/rel-*.yml\" = [\"nox/\"]\n\"docs.yml\" = [\"cache/\"]\n",
    )
    .unwrap()
    .unwrap();
    let ignores = |p: &str| c.per_file_ignores(Path::new(p)).unwrap();
    assert_eq!(ignores("/repo/.github/workflows/rel-1.yml"), ["nox/"]);
    assert!(ignores("/repo/.github/workflows/sub/rel-1.yml").is_empty());
    assert_eq!(ignores("/repo/x/.github/workflows/docs.yml"), ["cache/"]);
    assert!(ignores("/repo/.github/workflows/ci.yml").is_empty());
}
