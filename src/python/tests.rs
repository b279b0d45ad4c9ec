use super::*;

#[test]
fn reads_settings_sessions_and_mentions() {
    let src = r#"
"""Docs with nox.options.reuse_venv = "no" inside a string."""
import nox
from nox import session as sess, options

nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", 'tests']
nox.options.envdir: str = ".cache/nox"
nox.options.default_venv_backend = os.environ.get("B", "uv")

if CI:
    nox.options.reuse_existing_virtualenvs = True

@nox.session(python=["3.11", "3.12"], reuse_venv=False, name="tests")
@nox.parametrize("x", [1, 2])
def run_tests(session: nox.Session) -> None:
    session.run("pytest", f"--x={x}")

@nox.session
def lint(session):
    session.run("ruff")

@sess(python=False, **EXTRA)
def docs(session):
    pass
"#;
    let m = read(src);
    assert!(!m.broken);
    assert_eq!(
        m.assigned("nox.options.reuse_venv"),
        Some(&Value::Str("yes".into()))
    );
    assert_eq!(
        m.assigned("nox.options.sessions"),
        Some(&Value::List(vec![
            Value::Str("lint".into()),
            Value::Str("tests".into())
        ]))
    );
    assert_eq!(
        m.assigned("nox.options.envdir"),
        Some(&Value::Str(".cache/nox".into()))
    );
    assert_eq!(
        m.assigned("nox.options.default_venv_backend"),
        Some(&Value::Dynamic)
    );
    // Inside an `if`: not a module-level assignment, but mentioned.
    assert_eq!(m.assigned("nox.options.reuse_existing_virtualenvs"), None);
    assert_eq!(m.mentions("nox.options.reuse_existing_virtualenvs"), 1);
    // The docstring is a string: no mention.
    assert_eq!(m.mentions("nox.options.reuse_venv"), 1);
    assert_eq!(m.functions.len(), 3);
    let t = &m.functions[0];
    assert_eq!(t.name, "run_tests");
    assert!(t.top_level);
    assert_eq!(t.decorators[0].name, "nox.session");
    assert_eq!(
        t.decorators[0].kwarg("reuse_venv"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        t.decorators[0].kwarg("name").and_then(Value::as_str),
        Some("tests")
    );
    assert!(!m.functions[1].decorators[0].called);
    assert!(m.functions[2].decorators[0].dynamic);
    assert_eq!(
        m.functions[2].decorators[0].kwarg("python"),
        Some(&Value::Bool(false))
    );
    assert!(m.imports.contains(&("sess".into(), "nox.session".into())));
    assert!(
        m.imports
            .contains(&("options".into(), "nox.options".into()))
    );
    assert_eq!(m.mentions("nox.session"), 2);
}

#[test]
fn strings_brackets_and_continuations() {
    let m = read(
        "x.a = ('a'\n  'b')\nx.b = r'\\d+'\nx.c = \\\n  True\nx.d = \"\"\"\nmulti\n\"\"\"\nx.e = 'a' + y\n",
    );
    assert_eq!(m.assigned("x.a"), Some(&Value::Str("ab".into())));
    assert_eq!(m.assigned("x.b"), Some(&Value::Str("\\d+".into())));
    assert_eq!(m.assigned("x.c"), Some(&Value::Bool(true)));
    assert_eq!(m.assigned("x.d"), Some(&Value::Str("\nmulti\n".into())));
    assert_eq!(m.assigned("x.e"), Some(&Value::Dynamic));
}

#[test]
fn hostile_text_never_panics() {
    for src in [
        "",
        "'",
        "\"\"\"",
        "@",
        "@(",
        "def",
        "x =",
        "x: =",
        "((((",
        "))))",
        "x = [1, (2",
        "\\",
        "é = 'ü'\n@nox.session(é=1)\ndef ü(): pass",
        "x.y = r'\\",
        "from",
        "from a import",
        "\t\tx.y = 1\n",
        "@a.b(c=\n",
        "x = [*a]",
        "\u{feff}x.y = 1",
    ] {
        let _ = read(src);
    }
    let m = read("x = 'unclosed\n");
    assert!(m.broken);
}
