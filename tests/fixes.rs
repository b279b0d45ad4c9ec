//! `--fix`, `--unsafe-fixes`, `--diff` and `--fix-only` on the real binary: the diffs of each
//! fix (snapshots in `tests/snapshots/fixes__*.snap`) over block and flow styles, CRLF, comments
//! between steps, named and unnamed steps, matrix jobs and composite actions; and the
//! promises: bytes outside the edits kept, idempotence, atomic writes with permissions, a file
//! changed on disk left alone, standard input.

use std::process::{Command, Stdio};

mod common;
use common::{check_in, write};

/// A repository with one workflow, `ci.yml`, holding `text`.
fn repo(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", text);
    dir
}

/// The `--diff` of `text` with the given extra options.
fn diff(text: &str, args: &[&str]) -> String {
    let dir = repo(text);
    let mut all = vec!["--diff"];
    all.extend_from_slice(args);
    let o = check_in(dir.path(), &all);
    String::from_utf8(o.stdout).unwrap()
}

/// `--fix --unsafe-fixes` on `text`: the fixed text, and whether a second run changed anything.
fn fixed(text: &str) -> (String, bool) {
    let dir = repo(text);
    let path = dir.path().join(".github/workflows/ci.yml");
    check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    let once = std::fs::read_to_string(&path).unwrap();
    check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    let twice = std::fs::read_to_string(&path).unwrap();
    (once.clone(), once != twice)
}

const UNNAMED: &str = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      # Run the tests.
      # (all of them)
      - run: |
          pip install nox
          nox -s tests
";

const NAMED_MATRIX: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        python: ['3.11', '3.12']
    runs-on: ubuntu-latest
    steps:
    - name: Check out
      uses: actions/checkout@v4
    - name: Set up Python
      id: setup
      uses: actions/setup-python@v5
      with:
        python-version: ${{ matrix.python }}
    - name: Test
      run: nox -s tests-${{ matrix.python }}
";

const DEPRECATED: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v2 # old
        with: {path: ~/.cache/pip, key: pip}
      - uses: \"actions/cache/restore@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9\" # v4.0.2
        with:
          path: x
          key: x-${{ hashFiles('x.lock') }}
      - uses: actions/cache/save@8492260343ad570701412c2f464a5877dc76bace
        with:
          path: x
          key: x-${{ hashFiles('x.lock') }}
";

const KEYS: &str = "on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: .nox
          key: 'nox-${{ runner.os }}-'
          restore-keys: |
            nox-${{ runner.os }}-
      - run: nox -R -s a
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - {uses: actions/cache@v4, with: {path: .nox, key: \"nox-b-${{ runner.os }}\"}}
      - run: nox --reuse-venv=yes -s b
";

#[test]
fn cache_missing_inserts_a_step_and_turns_reuse_on() {
    let d = diff(UNNAMED, &["--unsafe-fixes"]);
    insta::assert_snapshot!("cache_missing_unnamed", d);
    // The step goes above the comments that belong to the nox step.
    assert!(
        d.contains("+      - uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n+        with:\n+          path: .nox\n"),
        "{d}"
    );
    let d = diff(NAMED_MATRIX, &["--unsafe-fixes"]);
    insta::assert_snapshot!("cache_missing_named_matrix", d);
    assert!(
        d.contains("+    - name: Cache nox environments\n+      uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0"),
        "{d}"
    );
    // Without --unsafe-fixes nothing is done, and the report says what would be.
    assert_eq!(diff(UNNAMED, &[]), "");
    let dir = repo(UNNAMED);
    let o = check_in(dir.path(), &["--fix"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 problem more fixable with `--unsafe-fixes`."),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn deprecated_refs_are_bumped_tag_to_tag_and_sha_to_sha() {
    let d = diff(DEPRECATED, &[]);
    insta::assert_snapshot!("deprecated_action", d);
    assert!(d.contains("+      - uses: actions/cache@v6 # old\n"), "{d}");
    assert!(
        d.contains("restore@55cc8345863c7cc4c66a329aec7e433d2d1c52a9\" # v6.1.0"),
        "{d}"
    );
    // A pinned step with no version comment gets one.
    assert!(
        d.contains("save@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"),
        "{d}"
    );
}

#[test]
fn key_hashes_are_appended_in_the_key_s_own_style() {
    let d = diff(KEYS, &[]);
    insta::assert_snapshot!("key_missing_hash", d);
    // A key that ends with a separator gets no second one; the restore key stays a prefix.
    assert!(d.contains("+          key: 'nox-${{ runner.os }}-${{ hashFiles(''pyproject.toml'', ''noxfile.py'') }}'"), "{d}");
    assert!(
        d.contains(
            "key: \"nox-b-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}\"}}"
        ),
        "{d}"
    );
}

#[test]
fn cache_without_reuse_adds_the_option_when_the_noxfile_says_reuse_is_off() {
    let text = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ hashFiles('pyproject.toml') }}\n      - run: bash -c \"python3 -m nox -s t\"\n";
    let dir = repo(text);
    write(
        dir.path(),
        "noxfile.py",
        "import nox\n\n@nox.session\ndef t(session):\n    pass\n",
    );
    let o = check_in(dir.path(), &["--diff", "--unsafe-fixes"]);
    let d = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!("cache_without_reuse", d);
    assert!(
        d.contains("+      - run: bash -c \"python3 -m nox --reuse-venv=yes -s t\""),
        "{d}"
    );
    assert_eq!(o.status.code(), Some(1), "a diff exits 1");
}

#[test]
fn crlf_bom_trailing_spaces_and_a_missing_final_newline_are_kept() {
    let text = format!(
        "\u{feff}{}",
        UNNAMED
            .replace('\n', "\r\n")
            .replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest  ")
    );
    let text = text.trim_end_matches("\r\n").to_string();
    let (out, again) = fixed(&text);
    assert!(!again, "a second run changes nothing");
    assert!(out.starts_with('\u{feff}'));
    assert!(!out.ends_with('\n'));
    assert!(out.contains("runs-on: ubuntu-latest  \r\n"));
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF: {out:?}"
    );
    assert!(
        out.contains("      - uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\r\n        with:\r\n"),
        "{out:?}"
    );
    // Every byte outside the edits is kept: taking the insertions out gives the input back.
    let at = out
        .find("      - uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0")
        .unwrap();
    let end = at + out[at..].find("      # Run the tests.").unwrap();
    let back = format!("{}{}", &out[..at], &out[end..]).replace(" --reuse-venv=yes", "");
    assert_eq!(back, text);
    let dir = repo(&text);
    let o = check_in(dir.path(), &["--fix", "--unsafe-fixes", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn fixed_files_lint_clean_and_second_runs_change_nothing() {
    for text in [UNNAMED, NAMED_MATRIX, DEPRECATED, KEYS] {
        let (out, again) = fixed(text);
        assert!(!again, "not idempotent:\n{out}");
        let dir = repo(&out);
        let o = check_in(dir.path(), &["--format", "concise"]);
        let report = String::from_utf8_lossy(&o.stdout);
        assert!(
            !report.contains("nox/cache-missing")
                && !report.contains("cache/deprecated-action")
                && !report.contains("key-missing-hash"),
            "{out}\n{report}"
        );
    }
}

#[test]
fn fix_writes_atomically_with_permissions_and_reports_what_is_left() {
    let dir = repo(KEYS);
    let path = dir.path().join(".github/workflows/ci.yml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = check_in(dir.path(), &["--fix"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Fixed 2 problems in 1 file."), "{out}");
    assert_eq!(o.status.code(), Some(0), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // --fix-only reports nothing and exits 0 even with findings left.
    let dir = repo(UNNAMED);
    let o = check_in(dir.path(), &["--fix-only"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
}

#[test]
fn standard_input_is_fixed_to_standard_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args([
            "check",
            "--fix",
            "--stdin-filename",
            ".github/workflows/ci.yml",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(DEPRECATED.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("actions/cache@v6 # old"), "{out}");
    assert_eq!(out.lines().count(), DEPRECATED.lines().count());
    assert!(String::from_utf8_lossy(&o.stderr).contains("All checks passed"));
}

#[test]
fn json_carries_the_fix_edits() {
    let dir = repo(KEYS);
    let o = check_in(dir.path(), &["--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let fix = &v
        .iter()
        .find(|d| d["rule"] == "nox/key-missing-hash")
        .unwrap()["fix"];
    assert_eq!(fix["applicability"], "safe");
    let edit = &fix["edits"][0];
    assert_eq!(edit["path"], ".github/workflows/ci.yml");
    assert_eq!(edit["length"], 0);
    assert!(edit["content"].as_str().unwrap().contains("hashFiles"));
    // Applying the edit by its offset gives what --fix writes.
    let mut text = KEYS.to_string();
    text.insert_str(
        edit["offset"].as_u64().unwrap() as usize,
        edit["content"].as_str().unwrap(),
    );
    assert!(text.contains(
        "key: 'nox-${{ runner.os }}-${{ hashFiles(''pyproject.toml'', ''noxfile.py'') }}'"
    ));
}

#[test]
fn a_composite_action_s_run_gets_no_step_inserted_in_the_caller() {
    let dir = repo(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/nox\n",
    );
    write(
        dir.path(),
        ".github/actions/nox/action.yml",
        "name: n\nruns:\n  using: composite\n  steps:\n    - run: nox -s t\n      shell: bash\n",
    );
    let o = check_in(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn stale_ignore_comments_are_removed_and_used_ones_kept() {
    let text = "on: push\r\njobs:\r\n  test:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      \
                # cachelint: ignore[nox/key-missing-hash] -- stale\r\n      \
                - run: nox -s tests  # cachelint: ignore[nox/cache-missing, cache]  why\r\n";
    let dir = repo(text);
    let path = dir.path().join(".github/workflows/ci.yml");
    let o = check_in(dir.path(), &["--fix"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "on: push\r\njobs:\r\n  test:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      \
         - run: nox -s tests  # cachelint: ignore[nox/cache-missing]  why\r\n"
    );
}

#[test]
fn the_inserted_key_carries_the_matrix_value_that_picks_the_session() {
    let text = "on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        session: [lint, tests]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox -s ${{ matrix.session }}\n";
    let (once, changed_again) = fixed(text);
    assert!(
        once.contains("-${{ github.job }}-${{ matrix.session }}-${{ hashFiles("),
        "{once}"
    );
    assert!(!changed_again);
    let dir = repo(&once);
    let o = check_in(dir.path(), &["--format", "concise"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// Cells that pick their session through `NOXSESSION` (no `-s` on the command line).
const NOXSESSION_MATRIX: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        session: [tests, lint, docs]
    env:
      NOXSESSION: ${{ matrix.session }}
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: nox --reuse-venv=yes
";

#[test]
fn the_inserted_key_carries_the_matrix_value_noxsession_is_set_from() {
    let d = diff(NOXSESSION_MATRIX, &["--unsafe-fixes"]);
    insta::assert_snapshot!("cache_missing_noxsession_matrix", d);
    assert!(
        d.contains("-${{ github.job }}-${{ matrix.session }}-${{ hashFiles("),
        "{d}"
    );
    let (once, changed_again) = fixed(NOXSESSION_MATRIX);
    assert!(!changed_again);
    // The fixed file is clean: nox/key-missing-session sees the session in the key.
    let dir = repo(&once);
    let o = check_in(dir.path(), &["--format", "concise"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn noxsession_beats_the_noxfile_s_default_sessions() {
    // The noxfile's default session creates no environment; `NOXSESSION` picks one that does.
    let text = |env: &str| {
        format!(
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n{env}    steps:\n      - uses: actions/checkout@v4\n      - run: nox -R\n"
        )
    };
    let noxfile = "import nox\n\nnox.options.sessions = ['lint']\n\n@nox.session(python=False)\ndef lint(session):\n    pass\n\n@nox.session\ndef tests(session):\n    pass\n";
    let findings = |env: &str| {
        let dir = repo(&text(env));
        write(dir.path(), "noxfile.py", noxfile);
        let o = check_in(
            dir.path(),
            &["--format", "concise", "--select", "nox/cache-missing"],
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(!findings("").contains("nox/cache-missing"));
    assert!(!findings("    env:\n      NOXSESSION: lint\n").contains("nox/cache-missing"));
    assert!(findings("    env:\n      NOXSESSION: tests\n").contains("nox/cache-missing"));
    // Per cell: not known which session the noxfile runs, so every session counts.
    assert!(
        findings("    strategy:\n      matrix:\n        s: [lint, tests]\n    env:\n      NOXSESSION: ${{ matrix.s }}\n")
            .contains("nox/cache-missing")
    );
}

#[test]
fn no_fix_when_a_later_checkout_empties_the_cache() {
    // The second checkout cleans the workspace: one cache step before the first run would
    // leave the second run without its environments. The finding stays, with no fix.
    let text = "on: push\njobs:\n  cov:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox -s unit\n      - uses: actions/checkout@v4\n        with:\n          ref: main\n      - run: nox -s unit\n";
    let dir = repo(text);
    let o = check_in(dir.path(), &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &json[0];
    assert_eq!(d["rule"], "nox/cache-missing");
    assert!(d["fix"].is_null(), "{d}");
    let o = check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".github/workflows/ci.yml")).unwrap(),
        text
    );
}

#[test]
fn a_matrix_python_without_a_setup_id_goes_into_the_key_once() {
    let text = "on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        with:\n          python-version: ${{ matrix.python }}\n      - run: nox -s tests-${{ matrix.python }}\n";
    let (once, changed_again) = fixed(text);
    assert!(
        once.contains("-${{ runner.arch }}-${{ matrix.python }}-${{ github.job }}-${{ hashFiles("),
        "{once}"
    );
    assert!(!changed_again);
}

const LATE: &str = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      # Tests first.
      - run: nox --reuse-venv=yes -s tests
      - run: nox --reuse-venv=yes -s lint
      # Cache the environments
      # (keyed on the dependencies).
      - uses: actions/cache@v4
        with:
          # the envdir
          path: .nox
          key: nox-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}
            # a deeper comment after the step
      - run: echo done
";

#[test]
fn cache_after_use_moves_the_step_whole_with_its_comments() {
    let d = diff(LATE, &["--unsafe-fixes", "--select", "nox/cache-after-use"]);
    insta::assert_snapshot!("cache_after_use_move", d);
    let (once, changed_again) = fixed(LATE);
    // The cache step's lines, its comments included, now sit above the first run and its
    // comment; every other line is where it was.
    let cache = "      # Cache the environments\n      # (keyed on the dependencies).\n      - uses: actions/cache@v4\n        with:\n          # the envdir\n          path: .nox\n          key: nox-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}\n            # a deeper comment after the step\n";
    let expected = LATE.replace(cache, "").replace(
        "      # Tests first.\n",
        &format!("{cache}      # Tests first.\n"),
    );
    assert_eq!(once, expected);
    assert!(!changed_again);
    // CRLF and a last step without a final line ending.
    let crlf = "on: push\r\njobs:\r\n  t:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - run: nox -R -s t\r\n      - uses: actions/cache@v4\r\n        with:\r\n          path: .nox\r\n          key: nox-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}";
    let (once, _) = fixed(crlf);
    assert_eq!(
        once,
        "on: push\r\njobs:\r\n  t:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: actions/cache@v4\r\n        with:\r\n          path: .nox\r\n          key: nox-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}\r\n      - run: nox -R -s t"
    );
}

#[test]
fn cache_after_use_is_not_moved_past_what_it_reads() {
    let job = |between: &str, key: &str| {
        format!(
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -R -s t\n{between}      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: {key}\n"
        )
    };
    let cases = [
        // A checkout: the hash needs the files.
        (
            "      - uses: actions/checkout@v4\n",
            "nox-${{ hashFiles('noxfile.py') }}",
        ),
        // A step whose output the key reads.
        (
            "      - id: v\n        run: echo \"v=1\" >> \"$GITHUB_OUTPUT\"\n",
            "nox-${{ steps.v.outputs.v }}",
        ),
        // A script that may set the variable the key reads.
        (
            "      - run: echo \"PY=3.12\" >> \"$GITHUB_ENV\"\n",
            "nox-${{ env.PY }}",
        ),
        // An action, which may set it too.
        (
            "      - uses: actions/setup-python@v5\n",
            "nox-${{ env.pythonLocation }}",
        ),
    ];
    for (between, key) in cases {
        let text = job(between, key);
        let dir = repo(&text);
        let o = check_in(
            dir.path(),
            &["--format", "json", "--select", "nox/cache-after-use"],
        );
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(json[0]["rule"], "nox/cache-after-use", "{text}");
        assert!(json[0]["fix"].is_null(), "{text}\n{}", json[0]);
    }
    // A step that gives it nothing it reads is jumped over.
    let text = job("      - run: echo hi\n", "nox-${{ env.PY }}");
    let (once, _) = fixed(&text);
    assert!(
        once.contains("    steps:\n      - uses: actions/cache@v4\n"),
        "{once}"
    );
}

#[test]
fn hundreds_of_fixes_are_made_in_one_run_and_a_second_changes_nothing() {
    // 300 jobs, each with a stale ignore: far more fixes than one lint per fix could make.
    let mut text = String::from("on: push\njobs:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  t{i}:  # cachelint: ignore[nox]\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
        ));
    }
    let (once, changed_again) = fixed(&text);
    assert!(!changed_again, "a second --fix changed the text");
    assert!(!once.contains("cachelint: ignore"), "{once}");
    assert_eq!(once, text.replace("  # cachelint: ignore[nox]", ""));
}

/// `text` after `--fix`: the findings of `rule` gone, a second `--fix` changing nothing.
fn fixed_clean(text: &str, rule: &str) -> String {
    let dir = repo(text);
    let path = dir.path().join(".github/workflows/ci.yml");
    check_in(dir.path(), &["--fix"]);
    let once = std::fs::read_to_string(&path).unwrap();
    let o = check_in(dir.path(), &["--fix"]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        once,
        "a second --fix changed it"
    );
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(!report.contains(rule), "{report}");
    once
}

const OS_BLOCK: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: .nox
          # keyed on the dependencies
          key: nox-${{ hashFiles('pyproject.toml', 'noxfile.py') }}
          restore-keys: |
            nox-
            pip-
      - run: nox -R -s tests
";

#[test]
fn key_missing_os_gets_the_runner_os_in_the_key_and_the_prefix_restore_keys() {
    let d = diff(OS_BLOCK, &[]);
    insta::assert_snapshot!("key_missing_os", d);
    let once = fixed_clean(OS_BLOCK, "key-missing-os");
    assert_eq!(
        once,
        OS_BLOCK
            .replace("key: nox-", "key: nox-${{ runner.os }}-")
            .replace("            nox-\n", "            nox-${{ runner.os }}-\n")
    );
    // CRLF: the line endings are kept.
    let crlf = OS_BLOCK.replace('\n', "\r\n");
    let once = fixed_clean(&crlf, "key-missing-os");
    assert_eq!(once, once.replace("\r\n", "\n").replace('\n', "\r\n"));
    assert!(
        once.contains("            nox-${{ runner.os }}-\r\n            pip-\r\n"),
        "{once}"
    );
}

const PYTHON_FLOW: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        python: ['3.11', '3.12']
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - {uses: actions/setup-python@v5, id: py, with: {python-version: '${{ matrix.python }}'}}
      - {uses: actions/cache@v4, with: {path: .nox, key: 'nox-${{ runner.os }}-${{ hashFiles(''pyproject.toml'', ''noxfile.py'') }}', restore-keys: \"nox-${{ runner.os }}-\"}}
      - run: nox -R -s tests
";

#[test]
fn key_missing_python_gets_the_setup_output_in_a_flow_mapping() {
    let d = diff(PYTHON_FLOW, &[]);
    insta::assert_snapshot!("key_missing_python", d);
    let once = fixed_clean(PYTHON_FLOW, "key-missing-python");
    assert!(
        once.contains("key: 'nox-${{ steps.py.outputs.python-version }}-${{ runner.os }}-${{ hashFiles(''pyproject.toml'', ''noxfile.py'') }}', restore-keys: \"nox-${{ steps.py.outputs.python-version }}-${{ runner.os }}-\"}}"),
        "{once}"
    );
}

const SESSION_MATRIX: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        session: [lint, tests]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: .nox
          key: \"nox-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}\"
      - run: nox -R -s ${{ matrix.session }}
";

#[test]
fn key_missing_session_gets_the_matrix_value_or_the_job_id() {
    let d = diff(SESSION_MATRIX, &[]);
    insta::assert_snapshot!("key_missing_session_matrix", d);
    let once = fixed_clean(SESSION_MATRIX, "key-missing-session");
    assert!(
        once.contains("key: \"nox-${{ matrix.session }}-${{ runner.os }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}\"\n"),
        "{once}"
    );
    // Two jobs, CRLF: the later one's key gets the job id.
    let job = |id: &str| {
        format!(
            "  {id}:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: actions/checkout@v4\r\n      - uses: actions/cache@v4\r\n        with:\r\n          path: .nox\r\n          key: nox-${{{{ runner.os }}}}-${{{{ hashFiles('pyproject.toml', 'noxfile.py') }}}}\r\n          restore-keys: |\r\n            nox-${{{{ runner.os }}}}-\r\n      - run: nox -R -s {id}\r\n"
        )
    };
    let text = format!("on: push\r\njobs:\r\n{}{}", job("lint"), job("tests"));
    let d = diff(&text, &[]);
    insta::assert_snapshot!("key_missing_session_jobs_crlf", d);
    let once = fixed_clean(&text, "key-missing-session");
    assert_eq!(
        once,
        format!(
            "on: push\r\njobs:\r\n{}{}",
            job("lint"),
            job("tests")
                .replace("key: nox-", "key: nox-${{ github.job }}-")
                .replace("            nox-", "            nox-${{ github.job }}-")
        )
    );
}

#[test]
fn a_key_shared_through_an_anchor_gets_its_fix_shown_not_applied() {
    let text = OS_BLOCK.replace("key: nox-", "key: &k nox-")
        + "  other:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n          key: *k\n      - run: pip install .\n";
    assert_eq!(diff(&text, &[]), "");
    let dir = repo(&text);
    let o = check_in(dir.path(), &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "nox/key-missing-os")
        .unwrap();
    assert_eq!(d["fix"]["applicability"], "display-only", "{d}");
}

#[test]
fn no_cache_step_is_inserted_in_a_workflow_pushed_to_release_branches() {
    // zizmor's cache-poisoning audit reports any cache step in a workflow run by pushes to a
    // branch named like a release: the fix is display-only there.
    let steps = "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox -s tests\n";
    let release =
        format!("on:\n  push:\n    branches: [main, 'Release-*']\njobs:\n  test:\n{steps}");
    assert_eq!(diff(&release, &["--unsafe-fixes"]), "");
    let dir = repo(&release);
    let o = check_in(dir.path(), &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json[0]["rule"], "nox/cache-missing");
    assert_eq!(
        json[0]["fix"]["applicability"], "display-only",
        "{}",
        json[0]
    );
    assert!(
        json[0]["help"]
            .as_str()
            .unwrap()
            .contains("cache-poisoning")
    );
    // Pushes to other branches get the step.
    let main = format!("on:\n  push:\n    branches: [main]\njobs:\n  test:\n{steps}");
    assert!(diff(&main, &["--unsafe-fixes"]).contains("+      - uses: actions/cache@"));
}

#[test]
fn an_inserted_step_is_set_apart_like_its_neighbours() {
    let text = "on: push\r\njobs:\r\n  test:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: actions/checkout@v4\r\n\r\n      # Tests.\r\n      - run: nox -s tests\r\n";
    let (once, again) = fixed(text);
    assert!(!again);
    let inserted = once
        .split("      - uses: actions/checkout@v4\r\n\r\n")
        .nth(1)
        .unwrap();
    assert!(
        inserted.starts_with("      - uses: actions/cache@"),
        "{once}"
    );
    assert!(
        inserted
            .contains("\r\n\r\n      # Tests.\r\n      - run: nox --reuse-venv=yes -s tests\r\n"),
        "{once}"
    );
    // Steps written one after another stay so.
    let tight = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox -s tests\n";
    let (once, _) = fixed(tight);
    assert!(!once.contains("\n\n"), "{once}");
}

/// `save-always: true` in a block `with:` (a matrix job, unnamed steps, a comment between
/// steps), and in a flow `with:` of a named step with an `id:` and an `if:`, pinned to a SHA.
const SAVE_ALWAYS: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
      # pip's downloads, kept even when the tests fail
      - uses: actions/cache@v4 # the cache
        with:
          path: |
            ~/.cache/pip
            ~/.local/share/virtualenvs
          key: pip-${{ runner.os }}-${{ hashFiles('requirements.txt') }}
          restore-keys: pip-${{ runner.os }}-
          save-always: true
          enableCrossOsArchive: true
      # Install, then test.
      - run: pip install -r requirements.txt
      - run: pytest
        # (all of them)
  lint:
    runs-on: ubuntu-latest
    steps:
    - name: Check out
      uses: actions/checkout@v4
    - name: Cache the linters
      id: linters
      if: github.event_name == 'push'
      uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
      with: {path: '~/.cache/pre-commit', key: 'pre-commit-${{ hashFiles(''.pre-commit-config.yaml'') }}', save-always: true, upload-chunk-size: 33554432}
    - name: Lint
      run: pre-commit run --all-files
    - name: Report
      run: echo ${{ steps.linters.outputs.cache-hit }}
";

#[test]
fn save_always_becomes_a_restore_step_and_a_save_step_at_the_end_of_the_job() {
    let d = diff(SAVE_ALWAYS, &["--unsafe-fixes"]);
    insta::assert_snapshot!("save_always", d);
    // A safe fix it is not.
    assert_eq!(diff(SAVE_ALWAYS, &[]), "");
    let (once, again) = fixed(SAVE_ALWAYS);
    assert!(!again, "a second run changed it:\n{once}");
    // The save's path text is the restore's, byte for byte, and the fixed file lints clean.
    assert_eq!(
        once.matches(
            "          path: |\n            ~/.cache/pip\n            ~/.local/share/virtualenvs\n"
        )
        .count(),
        2,
        "{once}"
    );
    assert_eq!(
        once.matches("path: '~/.cache/pre-commit'").count(),
        2,
        "{once}"
    );
    let dir = repo(&once);
    let o = check_in(dir.path(), &["--format", "concise"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{once}",
        String::from_utf8_lossy(&o.stdout)
    );
    // CRLF: the new lines end as the file's do.
    let crlf = SAVE_ALWAYS.replace('\n', "\r\n");
    let (once, _) = fixed(&crlf);
    assert!(!once.replace("\r\n", "").contains('\n'), "{once:?}");
    assert!(once.contains("if: always() && steps.cache-restore.outcome == 'success' && steps.cache-restore.outputs.cache-hit != 'true'\r\n"), "{once:?}");
}

#[test]
fn save_always_on_a_dead_release_gets_the_current_release_in_both_steps() {
    let text = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4.0.2\n        with:\n          path: x\n          key: x-${{ hashFiles('x.lock') }}\n          save-always: true\n      - run: make\n";
    let d = diff(text, &["--unsafe-fixes"]);
    insta::assert_snapshot!("save_always_dead_release", d);
    let (once, again) = fixed(text);
    assert!(!again);
    assert!(
        once.contains("      - uses: actions/cache/restore@v6.1.0\n"),
        "{once}"
    );
    assert!(
        once.contains("      - uses: actions/cache/save@v6.1.0\n"),
        "{once}"
    );
    // `--fix` alone bumps the ref and leaves `save-always` for `--unsafe-fixes`.
    let dir = repo(text);
    check_in(dir.path(), &["--fix"]);
    let safe = std::fs::read_to_string(dir.path().join(".github/workflows/ci.yml")).unwrap();
    assert_eq!(safe, text.replace("@v4.0.2", "@v6.1.0"));
}

#[test]
fn save_always_false_is_deleted_by_the_safe_fixes() {
    let text = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n        with:\n          path: x\n          save-always: false # not needed\n          key: x\n";
    let once = fixed_clean(text, "deprecated-action");
    assert_eq!(
        once,
        text.replace("          save-always: false # not needed\n", "")
    );
}

#[test]
fn save_always_gets_no_fix_through_an_alias_in_an_action_or_from_an_expression() {
    let step = "      - &cache\n        uses: actions/cache@v4\n        with:\n          path: x\n          key: x\n          save-always: true\n";
    let aliased = format!(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{step}      - run: make\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - *cache\n      - run: make\n"
    );
    let expression = format!(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{}      - run: make\n",
        step.replace("- &cache\n        uses", "- uses").replace(
            "save-always: true",
            "save-always: ${{ github.ref == 'refs/heads/main' }}"
        )
    );
    for text in [&aliased, &expression] {
        assert_eq!(diff(text, &["--unsafe-fixes"]), "", "{text}");
        let dir = repo(text);
        let o = check_in(dir.path(), &["--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let d = json
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == "cache/deprecated-action")
            .unwrap();
        assert!(d["fix"].is_null(), "{d}");
    }
    // In a composite action's file: its caller's job goes on after its steps.
    let dir = repo(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/c\n",
    );
    let action = format!(
        "name: c\nruns:\n  using: composite\n  steps:\n{}    - run: make\n      shell: bash\n",
        step.replace("- &cache\n        uses", "- uses")
            .lines()
            .map(|l| format!("{}\n", &l[2..]))
            .collect::<String>()
    );
    write(dir.path(), ".github/actions/c/action.yml", &action);
    let o = check_in(
        dir.path(),
        &["--diff", "--unsafe-fixes", ".github/actions/c/action.yml"],
    );
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = check_in(dir.path(), &[".github/actions/c/action.yml"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("save-always"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn two_save_always_steps_in_a_job_get_two_ids_and_two_saves_in_order() {
    let step = |p: &str| {
        format!(
            "      - uses: actions/cache@v4\n        with:\n          path: {p}\n          key: {p}-${{{{ hashFiles('{p}.lock') }}}}\n          save-always: true\n"
        )
    };
    let text = format!(
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n{}{}      - run: make\n",
        step("a"),
        step("b")
    );
    let (once, again) = fixed(&text);
    assert!(!again, "{once}");
    let save = |id: &str, p: &str| {
        format!(
            "      - uses: actions/cache/save@v4\n        if: always() && steps.{id}.outcome == 'success' && steps.{id}.outputs.cache-hit != 'true'\n        with:\n          path: {p}\n          key: ${{{{ steps.{id}.outputs.cache-primary-key }}}}\n"
        )
    };
    assert!(
        once.ends_with(&format!(
            "      - run: make\n{}{}",
            save("cache-restore", "a"),
            save("cache-restore-2", "b")
        )),
        "{once}"
    );
}

const PATH_MISMATCH: &str = "on: push
jobs:
  test:
    strategy:
      matrix:
        python: ['3.11', '3.12']
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: pkg
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        id: py
        with:
          python-version: ${{ matrix.python }}
      # the environments
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-${{ runner.os }}-${{ hashFiles('pkg/pyproject.toml', 'pkg/noxfile.py') }}
      - run: nox -s tests
  flow:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - {uses: actions/cache@v4, with: {path: '.nox', key: 'nox-${{ runner.os }}-${{ hashFiles(''docs/pyproject.toml'', ''docs/noxfile.py'') }}'}}
      - run: cd docs && nox -R -s build
";

/// A repository with `text` as its workflow and a noxfile in `pkg/` that leaves reuse off.
fn repo_with_noxfile(text: &str) -> tempfile::TempDir {
    let dir = repo(text);
    write(
        dir.path(),
        "pkg/noxfile.py",
        "import nox\n\n@nox.session\ndef tests(session):\n    session.run(\"pytest\")\n",
    );
    dir
}

#[test]
fn cache_path_mismatch_points_the_path_at_the_envdir_and_brings_the_key_and_reuse_along() {
    // Without the noxfile, reuse is unknown: the path and the key part it brings are safe.
    let safe = diff(PATH_MISMATCH, &[]);
    assert!(
        safe.contains("+      - {uses: actions/cache@v4, with: {path: 'docs/.nox', key:"),
        "{safe}"
    );
    assert!(safe.contains("+          path: pkg/.nox\n"), "{safe}");
    assert!(!safe.contains("reuse-venv"), "{safe}");
    // With a noxfile that leaves reuse off, the cache would save nothing: turning reuse on
    // comes along, and makes the fix unsafe.
    let dir = repo_with_noxfile(PATH_MISMATCH);
    let o = check_in(dir.path(), &["--diff"]);
    let d = String::from_utf8(o.stdout).unwrap();
    assert!(!d.contains("pkg/.nox"), "{d}");
    let o = check_in(dir.path(), &["--diff", "--unsafe-fixes"]);
    let d = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!("cache_path_mismatch", d);
    check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    let path = dir.path().join(".github/workflows/ci.yml");
    let once = std::fs::read_to_string(&path).unwrap();
    assert!(once.contains("          path: pkg/.nox\n"), "{once}");
    assert!(once.contains("nox --reuse-venv=yes -s tests"), "{once}");
    assert!(
        once.contains("key: nox-${{ steps.py.outputs.python-version }}-${{ runner.os }}-"),
        "{once}"
    );
    let o = check_in(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), once);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // A path reached through an alias is left alone.
    let aliased = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: &p .nox
          key: nox-${{ runner.os }}-${{ hashFiles('pkg/pyproject.toml', 'pkg/noxfile.py') }}
      - run: nox -R -s tests
        working-directory: pkg
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: *p
          key: other
";
    let d = diff(
        aliased,
        &["--unsafe-fixes", "--select", "nox/cache-path-mismatch"],
    );
    assert_eq!(d, "");
}
