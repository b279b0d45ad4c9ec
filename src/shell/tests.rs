use super::*;

/// Scans and checks invariants that must hold for every input.
fn run(s: &str, d: Dialect) -> Vec<Command> {
    let cs = scan(s, d);
    check(s, &cs);
    cs
}

fn check(s: &str, cs: &[Command]) {
    let mut last = 0;
    for c in cs {
        let first = c.words.first().expect("commands are never empty");
        assert!(first.span.start >= last, "not in source order: {cs:#?}");
        last = first.span.start;
        for w in &c.words {
            assert!(
                s.get(w.span.clone()).is_some(),
                "bad span {:?} in {s:?}",
                w.span
            );
            assert!(!w.span.is_empty());
        }
    }
}

fn posix(s: &str) -> Vec<Command> {
    run(s, Dialect::Posix)
}

fn texts(cs: &[Command]) -> Vec<Vec<&str>> {
    cs.iter()
        .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
        .collect()
}

fn names(cs: &[Command]) -> Vec<&str> {
    cs.iter().map(|c| c.words[0].text.as_str()).collect()
}

/// The first command whose command word is `name`.
fn find<'a>(cs: &'a [Command], name: &str) -> &'a Command {
    cs.iter()
        .find(|c| c.words[0].text == name)
        .unwrap_or_else(|| panic!("no command {name}: {cs:#?}"))
}

fn src<'a>(s: &'a str, w: &Word) -> &'a str {
    &s[w.span.clone()]
}

// ---------------------------------------------------------------- basics

#[test]
fn command_on_line_three() {
    let s = "set -euo pipefail\n\npython -m nox -s tests\n";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["set", "-euo", "pipefail"],
            vec!["python", "-m", "nox", "-s", "tests"]
        ]
    );
    let py = find(&cs, "python");
    assert_eq!(src(s, &py.words[2]), "nox");
    assert_eq!(py.words[2].span, 29..32);
    assert_eq!(src(s, &py.words[4]), "tests");
}

#[test]
fn crlf_line_endings() {
    let s = "echo hi\r\nnox -s tests\r\nif true; then\r\n  nox -s lint\r\nfi\r\n";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "hi"],
            vec!["nox", "-s", "tests"],
            vec!["true"],
            vec!["nox", "-s", "lint"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[2]), "tests");
    assert_eq!(src(s, &cs[3].words[2]), "lint");
}

#[test]
fn separators() {
    let s = "a 1; b && c || d | e & f |& g\nh";
    let cs = posix(s);
    assert_eq!(names(&cs), ["a", "b", "c", "d", "e", "f", "g", "h"]);
    assert_eq!(src(s, &cs[5].words[0]), "f");
    assert_eq!(cs[7].words[0].span, 30..31);
}

#[test]
fn line_continuations() {
    let s = "nox \\\n  -s \\\r\n  tests\npip install \\\n  x";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["nox", "-s", "tests"], vec!["pip", "install", "x"]]
    );
    assert_eq!(src(s, &cs[0].words[2]), "tests");
    // A continuation inside a word joins it.
    let s = "no\\\nx -s t";
    let cs = posix(s);
    assert_eq!(texts(&cs), [vec!["nox", "-s", "t"]]);
    assert_eq!(src(s, &cs[0].words[0]), "no\\\nx");
}

#[test]
fn comments_are_not_commands() {
    let s = "# nox -s tests\necho a # nox\necho a#b\n  # nox\nnox";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["echo", "a"], vec!["echo", "a#b"], vec!["nox"]]
    );
    assert_eq!(cs[2].words[0].span, s.len() - 3..s.len());
}

// ---------------------------------------------------------------- quoting

#[test]
fn quoted_text_is_never_a_command() {
    let s = r#"echo "run nox" 'nox -s x' nox"#;
    let cs = posix(s);
    assert_eq!(texts(&cs), [vec!["echo", "run nox", "nox -s x", "nox"]]);
    assert!(cs[0].words[1].quoted && cs[0].words[2].quoted && !cs[0].words[3].quoted);
    assert_eq!(src(s, &cs[0].words[1]), "\"run nox\"");
    let cs = posix(r#"echo "nox""#);
    assert_eq!(names(&cs), ["echo"]);
}

#[test]
fn glued_words_and_escapes() {
    let s = r#"a"b c"d 'e'f\ g $'h\ni' x\"y "p\"q\$r" "a\b""#;
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["ab cd", "ef g", "h\ni", "x\"y", "p\"q$r", "a\\b"]]
    );
    let w = &cs[0].words;
    assert_eq!(src(s, &w[0]), r#"a"b c"d"#);
    assert!(w[0].quoted && w[1].quoted && w[2].quoted && w[3].quoted);
    assert_eq!(src(s, &w[2]), r"$'h\ni'");
    // A quoted command word still runs.
    let s = r#""nox" -s x; \nox"#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["nox", "nox"]);
    assert!(cs[0].words[0].quoted);
    assert_eq!(src(s, &cs[1].words[0]), r"\nox");
}

#[test]
fn command_substitution_in_double_quotes() {
    let s = r#"echo "v=$(nox --version)" && X="$(python -m nox -l)""#;
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "v=$(nox --version)"],
            vec!["nox", "--version"],
            vec!["python", "-m", "nox", "-l"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(cs[1].words[0].span, 10..13);
    assert_eq!(src(s, &cs[2].words[2]), "nox");
    assert_eq!(src(s, &cs[0].words[1]), r#""v=$(nox --version)""#);
}

#[test]
fn backticks() {
    let s = "echo `nox --version` \"v=`pip -V`\"";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "`nox --version`", "v=`pip -V`"],
            vec!["nox", "--version"],
            vec!["pip", "-V"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(src(s, &cs[2].words[1]), "-V");
}

#[test]
fn github_expressions_are_opaque() {
    let s = "echo ${{ github.event.title || 'a \"b\" c' }}x && ${{ matrix.cmd }} -s t\n\
             echo '${{ format('{0}', x) }}' \"${{ a }}\"; nox";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "${{ github.event.title || 'a \"b\" c' }}x"],
            vec!["${{ matrix.cmd }}", "-s", "t"],
            vec!["echo", "${{ format('{0}', x) }}", "${{ a }}"],
            vec!["nox"]
        ]
    );
    assert!(!cs[0].words[1].quoted);
    assert_eq!(src(s, &cs[1].words[0]), "${{ matrix.cmd }}");
    assert_eq!(src(s, &cs[2].words[1]), "'${{ format('{0}', x) }}'");
}

#[test]
fn parameter_expansions_stay_text() {
    let s = "$NOX -s ${SESSION:-tests} \"$@\" ${#a[@]}";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["$NOX", "-s", "${SESSION:-tests}", "$@", "${#a[@]}"]]
    );
    assert_eq!(src(s, &cs[0].words[2]), "${SESSION:-tests}");
}

// ---------------------------------------------------------------- assignments, redirections

#[test]
fn leading_assignments_are_skipped() {
    let s = r#"FOO=1 BAR="x y" nox -s t"#;
    let cs = posix(s);
    assert_eq!(texts(&cs), [vec!["nox", "-s", "t"]]);
    assert_eq!(cs[0].words[0].span, 16..19);
    let s = "A+=x B[0]=y C=(a 'b c' $(pip -V)) nox X=1\nD=1\nE=$(uv --version)";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["pip", "-V"],
            vec!["nox", "X=1"],
            vec!["uv", "--version"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(src(s, &cs[2].words[0]), "uv");
}

#[test]
fn redirections_are_not_words() {
    let s = "nox >f 2>&1 < in >> log &>all 3>x -s t <<< \"nox\" 2> /dev/null >&2 {fd}>x";
    let cs = posix(s);
    assert_eq!(texts(&cs), [vec!["nox", "-s", "t"]]);
    assert_eq!(src(s, &cs[0].words[1]), "-s");
    let s = ">out nox; 2>err pip";
    let cs = posix(s);
    assert_eq!(names(&cs), ["nox", "pip"]);
    assert_eq!(cs[0].words[0].span, 5..8);
}

#[test]
fn heredocs_are_data() {
    let s = "cat <<EOF\nnox -s in-body\nEOF\nnox -s after\n";
    let cs = posix(s);
    assert_eq!(texts(&cs), [vec!["cat"], vec!["nox", "-s", "after"]]);
    assert_eq!(src(s, &cs[1].words[2]), "after");

    let s = "cat <<-'END' | python -\n\tnox -s x\n\tEND\npython <<\"PY\" && nox -s y\nnox\nPY\n";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["cat"],
            vec!["python", "-"],
            vec!["python"],
            vec!["nox", "-s", "y"]
        ]
    );
    assert_eq!(src(s, &cs[3].words[2]), "y");

    // Two here-documents on one line, CRLF, a `<<EOF` inside `$(...)`.
    let s = "cat <<A <<B\r\nnox\r\nA\r\nnox\r\nB\r\nx=$(cat <<EOF\nnox\nEOF\n)\nnox -s z";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["cat"], vec!["cat"], vec!["nox", "-s", "z"]]
    );
    assert_eq!(src(s, &cs[2].words[2]), "z");
}

// ---------------------------------------------------------------- compound commands

#[test]
fn if_bodies() {
    let s = "if [ -f noxfile.py ]; then\n  python -m nox -s tests\nelif command -v tox; then tox\nelse\n  nox\nfi";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["[", "-f", "noxfile.py", "]"],
            vec!["python", "-m", "nox", "-s", "tests"],
            vec!["command", "-v", "tox"],
            vec!["tox"],
            vec!["nox"]
        ]
    );
    let py = find(&cs, "python");
    assert_eq!(src(s, &py.words[2]), "nox");
    assert_eq!(src(s, &cs[4].words[0]), "nox");
}

#[test]
fn for_while_until_select() {
    let s = "for s in lint tests nox; do nox -s \"$s\"; done\n\
             for ((i=0; i<3; i++)); do pip -V; done\n\
             while read -r l; do echo \"$l\"; done < list\n\
             until nox -s ping; do sleep 1; done\n\
             select x in a b; do break; done\n\
             for f in $(ls *.py)\ndo\n  black \"$f\"\ndone";
    let cs = posix(s);
    assert_eq!(
        names(&cs),
        [
            "nox", "pip", "read", "echo", "nox", "sleep", "break", "ls", "black"
        ]
    );
    assert_eq!(texts(&cs)[0], ["nox", "-s", "$s"]);
    let at = s.find("do nox").unwrap() + 3;
    assert_eq!(cs[0].words[0].span, at..at + 3);
    assert_eq!(src(s, &find(&cs, "ls").words[1]), "*.py");
}

#[test]
fn case_patterns_are_not_commands() {
    let s = "case \"$1\" in\n  nox) python -m nox -s tests ;;\n  lint|fmt) nox -s lint;;\n  (*) echo nox ;;\nesac\nnox -s end";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["python", "-m", "nox", "-s", "tests"],
            vec!["nox", "-s", "lint"],
            vec!["echo", "nox"],
            vec!["nox", "-s", "end"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    let at = s.find("fmt) nox").unwrap() + 5;
    assert_eq!(cs[1].words[0].span, at..at + 3);
    // case inside $(...): the pattern's `)` does not end the substitution.
    let s = "x=$(case a in a) nox;; esac) && pip";
    let cs = posix(s);
    assert_eq!(names(&cs), ["nox", "pip"]);
    assert_eq!(src(s, &cs[0].words[0]), "nox");
}

#[test]
fn groups_subshells_functions_tests() {
    let s = "{ nox -s a; pip -V; } > log\n( cd x && nox -s b )\n! nox -s c\n\
             function f() { nox -s d; }\ng() {\n  nox -s e\n}\nfunction h {\n nox -s f\n}\n\
             [[ -n \"$X\" && $X == nox ]] && nox -s g\n(( i += 1 )) || nox -s h\nf; g";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["nox", "-s", "a"],
            vec!["pip", "-V"],
            vec!["cd", "x"],
            vec!["nox", "-s", "b"],
            vec!["nox", "-s", "c"],
            vec!["nox", "-s", "d"],
            vec!["nox", "-s", "e"],
            vec!["nox", "-s", "f"],
            vec!["nox", "-s", "g"],
            vec!["nox", "-s", "h"],
            vec!["f"],
            vec!["g"]
        ]
    );
    assert_eq!(src(s, &cs[9].words[2]), "h");
    // Substitutions inside [[ ]] still run.
    let cs = posix("[[ $(nox --version) == 1 ]]");
    assert_eq!(texts(&cs), [vec!["nox", "--version"]]);
}

#[test]
fn process_substitution() {
    let s = "diff <(nox -s a) >(tee x) <(sort f)";
    let cs = posix(s);
    assert_eq!(names(&cs), ["diff", "nox", "tee", "sort"]);
    assert_eq!(src(s, &cs[0].words[1]), "<(nox -s a)");
    assert_eq!(src(s, &cs[1].words[0]), "nox");
}

#[test]
fn nested_substitutions() {
    let s = "echo $(echo $(nox -s `pip -V`))";
    let cs = posix(s);
    assert_eq!(names(&cs), ["echo", "echo", "nox", "pip"]);
    assert_eq!(src(s, &cs[2].words[0]), "nox");
    assert_eq!(src(s, &cs[3].words[1]), "-V");
    // Arithmetic is not a command substitution; `$( (...) )` is.
    let s = "echo $((1 + (2 * 3))) $( (nox) )";
    let cs = posix(s);
    assert_eq!(names(&cs), ["echo", "nox"]);
    assert_eq!(src(s, &cs[1].words[0]), "nox");
}

#[test]
fn substitutions_inside_expansions_and_arithmetic() {
    let s = "echo ${X:-$(nox -s a)} $(( $(pip -V) + 1 )) \"${Y:=`uv -V`}\"\n(( $(nox -s b) > 1 ))";
    let cs = posix(s);
    assert_eq!(names(&cs), ["echo", "nox", "pip", "uv", "nox"]);
    assert_eq!(src(s, &cs[1].words[2]), "a");
    assert_eq!(src(s, &cs[3].words[0]), "uv");
    assert_eq!(src(s, &cs[4].words[2]), "b");
    assert_eq!(src(s, &cs[0].words[1]), "${X:-$(nox -s a)}");
}

// ---------------------------------------------------------------- wrappers

#[test]
fn wrappers_report_both_commands() {
    let s = "sudo -E nox -s x";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["sudo", "-E", "nox", "-s", "x"], vec!["nox", "-s", "x"]]
    );
    assert_eq!(cs[1].words[0].span, 8..11);

    let s = "time timeout 10 nox";
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["time", "timeout", "10", "nox"],
            vec!["timeout", "10", "nox"],
            vec!["nox"]
        ]
    );
    assert_eq!(src(s, &cs[2].words[0]), "nox");

    let s = "sudo env A=1 nox";
    let cs = posix(s);
    assert_eq!(names(&cs), ["sudo", "env", "nox"]);
    assert_eq!(cs[2].words[0].span, 13..16);
}

#[test]
fn wrapper_options() {
    let cases: &[(&str, &str)] = &[
        ("env -i -u NAME -C dir A=1 -- nox -s t", "nox"),
        ("env - PATH=/x nox", "nox"),
        ("time -p nox", "nox"),
        ("timeout -s KILL -k 5 --preserve-status 10m nox", "nox"),
        ("timeout --signal=TERM 10 nox", "nox"),
        ("exec -a name -c -l nox", "nox"),
        ("sudo -E -H -u root --preserve-env=X nox", "nox"),
        ("sudo -Eu root FOO=1 nox", "nox"),
        ("nice -n 10 nox", "nox"),
        ("nice -5 nox", "nox"),
        ("nohup nox", "nox"),
        ("command nox", "nox"),
        ("builtin nox", "nox"),
        ("stdbuf -oL -e 0 nox", "nox"),
        ("xargs -n1 nox -s", "nox"),
        (
            "xargs -0 -I {} -P 4 -r -d x -L 1 -a f -s 9 -E eof nox",
            "nox",
        ),
        ("xargs --max-args=1 --null nox", "nox"),
        ("eval nox -s x", "nox"),
    ];
    for (s, want) in cases {
        let cs = posix(s);
        let last = cs.last().unwrap();
        assert_eq!(last.words[0].text, *want, "{s}: {cs:#?}");
        assert_eq!(src(s, &last.words[0]), *want, "{s}");
        assert_eq!(cs.len(), 2, "{s}: {cs:#?}");
    }
    let s = "xargs -n1 nox -s";
    assert_eq!(
        texts(&posix(s)),
        [vec!["xargs", "-n1", "nox", "-s"], vec!["nox", "-s"]]
    );
    // `command -v` does not run its argument; wrappers without a command wrap nothing.
    for s in [
        "command -v nox",
        "sudo",
        "timeout 10",
        "env A=1",
        "exec >log 2>&1",
    ] {
        assert_eq!(posix(s).len(), 1, "{s}");
    }
}

#[test]
fn eval_string_is_scanned() {
    let s = r#"eval "nox -s x" && eval 'pip -V; uv sync'"#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["eval", "nox", "eval", "pip", "uv"]);
    assert_eq!(cs[1].words[0].span, 6..9);
    assert_eq!(src(s, &cs[4].words[1]), "sync");
    // A trap handler is a script too.
    let s = "trap 'rm -f x; nox -s cleanup' EXIT INT\ntrap - EXIT";
    let cs = posix(s);
    assert_eq!(names(&cs), ["trap", "rm", "nox", "trap"]);
    assert_eq!(src(s, &cs[2].words[2]), "cleanup");
    // Substitutions are not reported twice.
    let s = r#"eval "$(ssh-agent -s)""#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["eval", "$(ssh-agent -s)", "ssh-agent"]);
    assert_eq!(src(s, &cs[1].words[0]), "$(ssh-agent -s)");
    assert_eq!(src(s, &cs[2].words[0]), "ssh-agent");
}

// ---------------------------------------------------------------- bash -c

#[test]
fn bash_c_strings() {
    let s = r#"bash -c "nox -s x""#;
    let cs = posix(s);
    assert_eq!(
        texts(&cs),
        [vec!["bash", "-c", "nox -s x"], vec!["nox", "-s", "x"]]
    );
    assert_eq!(cs[1].words[0].span, 9..12);
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(src(s, &cs[1].words[2]), "x");

    for s in [
        "sh -c 'nox'",
        "zsh -c 'nox'",
        "dash -c 'nox'",
        "ksh -c 'nox'",
        "/bin/bash -c 'nox'",
        "bash -lc 'nox'",
        "bash -ec 'nox'",
        "bash -xc 'nox'",
        "bash --noprofile --norc -eo pipefail -c 'nox'",
        "bash -o pipefail -c 'nox'",
        "sudo -u ci bash -c 'nox'",
    ] {
        let cs = posix(s);
        let n = find(&cs, "nox");
        assert_eq!(src(s, &n.words[0]), "nox", "{s}");
    }

    let s = "docker run --rm img bash -c \"cd /src && nox -s x\"\ndocker exec c sh -c 'pip install . && nox'";
    let cs = posix(s);
    assert_eq!(names(&cs), ["docker", "cd", "nox", "docker", "pip", "nox"]);
    assert_eq!(src(s, &cs[2].words[0]), "nox");
    assert_eq!(src(s, &cs[5].words[0]), "nox");
    assert_eq!(src(s, &cs[4].words[2]), ".");
}

#[test]
fn bash_c_span_mapping() {
    // Escapes inside the string: exact where possible.
    let s = r#"bash -c "echo \"a b\" && nox -s \$S""#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["bash", "echo", "nox"]);
    let nox = find(&cs, "nox");
    assert_eq!(src(s, &nox.words[0]), "nox");
    assert_eq!(nox.words[2].text, "$S");
    assert_eq!(src(s, &nox.words[2]), "\\$S"[1..].to_string().as_str());
    // An inner word that cannot be mapped exactly gets the span of the whole string.
    let echo = find(&cs, "echo");
    assert_eq!(echo.words[1].text, "a b");
    assert_eq!(echo.words[1].span, cs[0].words[2].span);

    // Nested bash -c.
    let s = r#"bash -c "sh -c 'nox -s x'""#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["bash", "sh", "nox"]);
    assert_eq!(src(s, &cs[2].words[0]), "nox");
    assert_eq!(src(s, &cs[2].words[2]), "x");

    // The outer shell's substitutions are not reported twice.
    let s = r#"bash -c "echo $(date)""#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["bash", "echo", "date"]);
    assert_eq!(src(s, &cs[2].words[0]), "date");
    // Inside single quotes, bash runs it.
    let s = r#"bash -c 'echo $(date)'"#;
    let cs = posix(s);
    assert_eq!(names(&cs), ["bash", "echo", "date"]);
    assert_eq!(src(s, &cs[2].words[0]), "date");
}

#[test]
fn env_split_string_and_wrapper_limits() {
    let s = "env -S 'nox -s x' && sudo FOO=\"a b\" nox";
    let cs = posix(s);
    assert_eq!(names(&cs), ["env", "nox", "sudo", "nox"]);
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(src(s, &cs[1].words[2]), "x");
    assert_eq!(src(s, &cs[3].words[0]), "nox");
    // Nested wrappers are unwrapped up to a limit (no quadratic output).
    let s = "sudo ".repeat(50_000) + "nox";
    let cs = posix(&s);
    assert!(cs.len() <= 20, "{}", cs.len());
}

#[test]
fn nested_shell_strings_stay_linear() {
    // Each level's `$(...)` runs in the outer shell; re-scanning the string must not scan it
    // again (that would be exponential).
    for n in [30, 2_000] {
        let s = format!("{}nox -s x{}", "bash -c \"$(".repeat(n), ")\"".repeat(n));
        let t = std::time::Instant::now();
        let cs = posix(&s);
        assert!(t.elapsed().as_secs_f64() < 10.0);
        if n < MAX_DEPTH / 2 {
            let nox = find(&cs, "nox");
            assert_eq!(src(&s, &nox.words[2]), "x");
            assert_eq!(cs.iter().filter(|c| c.words[0].text == "nox").count(), 1);
        }
        let s = format!("{}nox{}", "eval \"$(".repeat(n), ")\"".repeat(n));
        posix(&s);
    }
}

// ---------------------------------------------------------------- broken input

#[test]
fn broken_input_is_tolerated() {
    let s = "nox -s a\necho \"unterminated\nnox -s b";
    let cs = posix(s);
    assert_eq!(names(&cs), ["nox", "echo"]);
    assert_eq!(src(s, &cs[0].words[2]), "a");

    let s = "echo 'x\nnox";
    assert_eq!(names(&posix(s)), ["echo"]);

    let s = "fi\ndone\nnox -s a\nesac; }\n) nox -s b\nx=$(nox -s c";
    let cs = posix(s);
    assert_eq!(texts(&cs)[0], ["nox", "-s", "a"]);
    let last = cs.last().unwrap();
    assert_eq!(texts(std::slice::from_ref(last)), [vec!["nox", "-s", "c"]]);
    assert_eq!(src(s, &last.words[2]), "c");

    for s in [
        "cat <<EOF\nnox",
        "echo ${{ unclosed",
        "echo ${{ a }",
        "$(",
        "`",
        "$((",
        "((",
        "<(",
        "a=(",
        "case",
        "case x in",
        "for",
        "[[",
        "f(",
        "\\",
        "$'\\",
        "\"$(\"",
        "${",
        "{fd",
        "2",
        "bash -c",
        "bash -c '",
    ] {
        posix(s);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let n = 10_000;
    let s = format!("{}nox{} && pip", "$(".repeat(n), ")".repeat(n));
    let cs = posix(&s);
    assert_eq!(cs.last().unwrap().words[0].text, "pip");
    assert_eq!(src(&s, &cs.last().unwrap().words[0]), "pip");

    let s = format!("{}nox{} && pip", "echo \"$(".repeat(n), ")\"".repeat(n));
    let cs = posix(&s);
    assert_eq!(names(&cs)[..3], ["echo", "echo", "echo"]);
    assert_eq!(cs.last().unwrap().words[0].text, "pip");

    for open in [
        "`",
        "(",
        "{ ",
        "if x; then ",
        "<(",
        "${",
        "$((",
        "bash -c '",
        "case x in x) ",
    ] {
        let s = open.repeat(n) + "nox";
        posix(&s);
    }
    // bash -c nested inside bash -c, with escaping.
    let mut s = String::from("nox");
    for _ in 0..200 {
        s = format!("bash -c {}", shell_quote(&s));
        if s.len() > 200_000 {
            break;
        }
    }
    posix(&s);
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn big_input_is_linear() {
    let lines = if cfg!(debug_assertions) {
        200_000
    } else {
        1_000_000
    };
    let mut s = String::new();
    for i in 0..lines {
        match i % 4 {
            0 => s.push_str("python -m nox -s \"tests-$V\" --no-venv > log 2>&1\n"),
            1 => s.push_str("if [ -f x ]; then echo \"$(date)\"; fi # c\n"),
            2 => s.push_str("FOO=1 sudo -E env A=b nox -s lint || exit 1\n"),
            _ => s.push_str("case $x in a) echo 'a b';; esac\n"),
        }
    }
    let t = std::time::Instant::now();
    let cs = scan(&s, Dialect::Posix);
    let elapsed = t.elapsed();
    assert!(cs.len() > lines);
    assert!(
        elapsed.as_secs_f64() < 10.0,
        "scan of {} bytes took {elapsed:?}",
        s.len()
    );
    // Pathological inputs stay fast too.
    for piece in ["$((", "((", "${{ ", "'", "\"", "<<E\n", "(", "$(", "`"] {
        let s = piece.repeat(100_000);
        let t = std::time::Instant::now();
        scan(&s, Dialect::Posix);
        scan(&s, Dialect::PowerShell);
        scan(&s, Dialect::Cmd);
        assert!(t.elapsed().as_secs_f64() < 10.0, "{piece:?}");
    }
}

/// Deterministic pseudo-random inputs: no panics, invariants hold.
#[test]
fn fuzz_no_panic() {
    let alphabet: &[&str] = &[
        " ",
        "\n",
        "\r\n",
        "\t",
        ";",
        "&",
        "|",
        "(",
        ")",
        "{",
        "}",
        "<",
        ">",
        "'",
        "\"",
        "`",
        "\\",
        "$",
        "$(",
        "${{",
        "}}",
        "#",
        "=",
        "[[",
        "]]",
        "if",
        "then",
        "fi",
        "do",
        "done",
        "case",
        "esac",
        "in",
        "for",
        "nox",
        "bash",
        "-c",
        "sudo",
        "env",
        "xargs",
        "eval",
        "<<",
        "EOF",
        "é",
        "-",
        "0",
        "2>&1",
        "@",
        "^",
        "*",
        "\u{1F600}",
        "function",
        "x",
        ":",
        "REM",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        for d in [
            Dialect::Posix,
            Dialect::PowerShell,
            Dialect::Cmd,
            Dialect::Other,
        ] {
            run(&s, d);
        }
    }
}

/// Every prefix of a realistic script scans without panicking.
#[test]
fn all_prefixes_of_complex_script() {
    let s = "set -e\nA=(1 \"2 3\") B=$'x\\ty' cat <<-'EOF' > f\n\tbody $(nox)\n\tEOF\n\
             for i in $(seq 3); do case $i in 1|2) bash -lc \"nox -s t$i\" ;; *) : ;; esac; done\n\
             echo \"${{ github.ref }}\" `pip -V` <(ls) $((1+2)) ${X:-$(uv)}\n\
             f() { [[ -n $1 ]] && (( $1 > 2 )) || sudo -E xargs -n1 nox -s <<< \"$1\"; }\n\
             é=1 # ünïcode\n";
    for end in 0..=s.len() {
        if let Some(p) = s.get(..end) {
            run(p, Dialect::Posix);
            run(p, Dialect::PowerShell);
            run(p, Dialect::Cmd);
        }
    }
    let cs = posix(s);
    assert!(names(&cs).contains(&"nox"));
}

// ---------------------------------------------------------------- PowerShell and cmd

fn pwsh(s: &str) -> Vec<Command> {
    run(s, Dialect::PowerShell)
}

fn cmd(s: &str) -> Vec<Command> {
    run(s, Dialect::Cmd)
}

#[test]
fn powershell_basics() {
    let s = "# nox -s x\nWrite-Host \"nox\"; python -m nox -s tests | Out-Null\r\n& nox -s x\n& \"C:\\nox.exe\" -s y";
    let cs = pwsh(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["Write-Host", "nox"],
            vec!["python", "-m", "nox", "-s", "tests"],
            vec!["Out-Null"],
            vec!["nox", "-s", "x"],
            vec!["C:\\nox.exe", "-s", "y"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[2]), "nox");
    assert_eq!(src(s, &cs[3].words[0]), "nox");
    assert_eq!(src(s, &cs[4].words[0]), "\"C:\\nox.exe\"");
}

#[test]
fn powershell_blocks_and_expressions() {
    let s = "if (Test-Path noxfile.py) { nox -s t }\nelse { pip -V }\n\
             foreach ($s in $sessions) {\n  nox -s $s\n}\n\
             $v = nox --version\n$x.Method(1)\n\"string\"\n[Math]::Max(1, 2)\n\
             function Run-It {\n  nox -s f\n}\ntry { uv sync } catch { exit 1 }\n\
             <# nox\n #> $env:FOO = \"nox\" ; ${{ matrix.cmd }} -x\nnox -s `\n  cont 2>&1 > $null";
    let cs = pwsh(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["Test-Path", "noxfile.py"],
            vec!["nox", "-s", "t"],
            vec!["pip", "-V"],
            vec!["nox", "-s", "$s"],
            vec!["nox", "--version"],
            vec!["nox", "-s", "f"],
            vec!["uv", "sync"],
            vec!["exit", "1"],
            vec!["${{ matrix.cmd }}", "-x"],
            vec!["nox", "-s", "cont"]
        ]
    );
    assert_eq!(src(s, &cs[1].words[0]), "nox");
    assert_eq!(src(s, &cs[4].words[0]), "nox");
    assert_eq!(src(s, &cs[9].words[2]), "cont");
}

#[test]
fn powershell_strings_and_here_strings() {
    let s = "$s = @\"\nnox -s inside\n\"@\necho 'it''s' \"a`\"b\" ; bash -c \"nox -s x\"";
    let cs = pwsh(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "it's", "a\"b"],
            vec!["bash", "-c", "nox -s x"],
            vec!["nox", "-s", "x"]
        ]
    );
    assert_eq!(src(s, &cs[2].words[0]), "nox");
}

#[test]
fn cmd_basics() {
    let s = "@echo off\r\nREM nox -s x\r\n:: nox\r\n:label\r\nnox -s t && echo done\r\n\
             call nox -s c\r\nif exist noxfile.py nox -s i\r\nif \"%X%\"==\"1\" nox -s j\r\n\
             if not errorlevel 1 (\r\n  nox -s k\r\n) else (\r\n  pip -V\r\n)\r\n\
             for %%f in (*.py) do nox -s %%f\r\npython -m nox > out.txt 2>&1 & nox -s ^\r\n  last";
    let cs = cmd(s);
    assert_eq!(
        texts(&cs),
        [
            vec!["echo", "off"],
            vec!["nox", "-s", "t"],
            vec!["echo", "done"],
            vec!["call", "nox", "-s", "c"],
            vec!["nox", "-s", "c"],
            vec!["nox", "-s", "i"],
            vec!["nox", "-s", "j"],
            vec!["nox", "-s", "k"],
            vec!["pip", "-V"],
            vec!["nox", "-s", "%%f"],
            vec!["python", "-m", "nox"],
            vec!["nox", "-s", "last"]
        ]
    );
    assert_eq!(src(s, &cs[0].words[0]), "echo");
    assert_eq!(src(s, &cs[5].words[2]), "i");
    assert_eq!(src(s, &cs[11].words[2]), "last");
}

#[test]
fn other_dialect_has_no_commands() {
    assert!(scan("import os\nos.system('nox')", Dialect::Other).is_empty());
}
