#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml through the real pre-commit, from PyPI, in a throwaway
# venv and a throwaway git repository holding one broken workflow (nox without a `.nox` cache)
# and one clean one:
#   - `cachelint` (language: rust) through `pre-commit try-repo`: pre-commit `cargo install`s this
#     repository; the hook must fail on the broken workflow, naming nox/cache-missing, and pass
#     once the workflow is fixed;
#   - `cachelint-system` (language: system) through a `repo: local` .pre-commit-config.yaml with
#     the cachelint built here first on PATH: the same.
# try-repo sees this repository's committed files, and its staged and modified tracked files;
# an untracked .pre-commit-hooks.yaml is invisible to it.
#
# Prints `skipped: REASON` and exits 0 when python3, venv, pip, git, cargo or the network
# (PyPI) is missing; exits non-zero on a real failure.
#
# Environment:
#   CACHELINT_BIN  the binary for the system hook (default: `cargo build`, target/debug/cachelint)
#   KEEP_TMP=1     keep the temporary directory (printed) for a look after the run
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"

skip() {
  echo "pre-commit-test: skipped: $*"
  exit 0
}
fail() {
  echo "pre-commit-test: FAILED: $*" >&2
  exit 1
}

command -v python3 >/dev/null || skip "python3 not found"
command -v git >/dev/null || skip "git not found"
command -v cargo >/dev/null || skip "cargo not found (the rust hook needs it)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cachelint-pre-commit.XXXXXX")"
if [ "${KEEP_TMP:-}" = 1 ]; then
  echo "pre-commit-test: keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

python3 -m venv "$tmp/venv" >"$tmp/venv.log" 2>&1 ||
  skip "python3 -m venv failed (is python3-venv installed?): $(tail -n 1 "$tmp/venv.log")"
[ -x "$tmp/venv/bin/pip" ] || skip "the venv has no pip (ensurepip missing)"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit >"$tmp/pip.log" 2>&1 ||
  skip "pip install pre-commit failed (no network or no PyPI?): $(tail -n 1 "$tmp/pip.log")"
pre_commit="$tmp/venv/bin/pre-commit"
echo "pre-commit-test: $("$pre_commit" --version)"

# The binary for the system hook.
if [ -n "${CACHELINT_BIN:-}" ]; then
  bin="$(cd "$(dirname "$CACHELINT_BIN")" && pwd)/$(basename "$CACHELINT_BIN")"
else
  (cd "$repo_root" && cargo build --quiet)
  bin="$repo_root/target/debug/cachelint"
fi
[ -x "$bin" ] || fail "no cachelint binary at $bin"
mkdir -p "$tmp/bin"
ln -s "$bin" "$tmp/bin/cachelint"

# pre-commit keeps its environments here, not in ~/.cache/pre-commit.
export PRE_COMMIT_HOME="$tmp/pre-commit-home"
# The rust hook's `cargo install`: a target directory kept between runs (the dependencies are
# built once), and no LTO (this checks the hook, not the optimised binary; LTO with one codegen
# unit takes minutes on a small machine).
export CARGO_TARGET_DIR="$repo_root/target/pre-commit-hook"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_INCREMENTAL=true
# No colour in what is compared; pre-commit's own output neither.
export NO_COLOR=1
unset CLICOLOR_FORCE

# The throwaway repository.
work="$tmp/work"
mkdir -p "$work/.github/workflows" "$work/src"
cd "$work"
git init --quiet
git config user.email pre-commit-test@example.invalid
git config user.name pre-commit-test
git config commit.gpgsign false

broken_workflow() {
  cat >.github/workflows/tests.yml <<'EOF'
name: tests
on: push
jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.13"
      - run: pipx run nox -s tests
EOF
}
fixed_workflow() {
  cat >.github/workflows/tests.yml <<'EOF'
name: tests
on: push
jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "3.13"
      - uses: actions/cache@v6.1.0
        with:
          path: .nox
          key: nox-${{ runner.os }}-${{ runner.arch }}-${{ env.pythonLocation }}-${{ github.job }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}
      - run: pipx run nox --reuse-venv=yes -s tests
EOF
}
broken_workflow
cat >.github/workflows/lint.yml <<'EOF'
name: lint
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - run: echo no nox here
EOF
# A YAML file outside the workflow folders: the hooks must not pass it (cachelint would lint a
# named file, and this one is no workflow).
cat >src/config.yml <<'EOF'
jobs: [not, a, workflow]
EOF
cat >noxfile.py <<'EOF'
import nox

@nox.session
def tests(session):
    session.run("python", "-c", "print('ok')")
EOF
git add -A
git commit --quiet -m "a broken workflow"

# Runs pre-commit ARGS in the throwaway repository; sets `out` and `rc`.
run_pre_commit() {
  set +e
  out="$("$pre_commit" "$@" 2>&1)"
  rc=$?
  set -e
  printf '%s\n' "$out" >>"$tmp/pre-commit.log"
}

# Checks that the last run failed on the broken workflow only.
expect_failure() {
  local what="$1"
  if [ "$rc" -eq 0 ]; then
    printf '%s\n' "$out"
    fail "$what: pre-commit passed on the broken workflow"
  fi
  if ! grep -q 'nox/cache-missing' <<<"$out" || ! grep -q 'tests.yml' <<<"$out"; then
    printf '%s\n' "$out"
    fail "$what: the output does not name nox/cache-missing in tests.yml"
  fi
  if grep -q 'lint.yml\|src/config.yml' <<<"$out"; then
    printf '%s\n' "$out"
    fail "$what: the clean workflow or a non-workflow file was reported"
  fi
  echo "pre-commit-test: $what: fails on the broken workflow, naming nox/cache-missing (exit $rc)"
}

expect_success() {
  local what="$1"
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out"
    fail "$what: pre-commit failed on the fixed workflow (exit $rc)"
  fi
  if ! grep -Eq '^cachelint.*Passed$' <<<"$out"; then
    printf '%s\n' "$out"
    fail "$what: the hook did not run and pass"
  fi
  echo "pre-commit-test: $what: passes on the fixed workflow"
}

# 1. The rust hook, built from this repository by pre-commit (try-repo: a temporary store).
echo "pre-commit-test: try-repo $repo_root cachelint (cargo install; the first run builds the dependencies)"
broken_workflow
run_pre_commit try-repo "$repo_root" cachelint --all-files --verbose
expect_failure "rust hook (try-repo)"
fixed_workflow
run_pre_commit try-repo "$repo_root" cachelint --all-files --verbose
expect_success "rust hook (try-repo)"

# 2. The system hook, with the cachelint built here first on PATH, through a local config that
# copies the hook's definition from .pre-commit-hooks.yaml.
python_yaml="$tmp/venv/bin/python"
"$python_yaml" - "$repo_root/.pre-commit-hooks.yaml" >.pre-commit-config.yaml <<'EOF'
import sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
hook = next(h for h in hooks if h["id"] == "cachelint-system")
print(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False))
EOF
git add .pre-commit-config.yaml
export PATH="$tmp/bin:$PATH"
[ "$(command -v cachelint)" = "$tmp/bin/cachelint" ] || fail "the built cachelint is not first on PATH"
broken_workflow
run_pre_commit run cachelint-system --all-files --verbose
expect_failure "system hook (repo: local)"
fixed_workflow
run_pre_commit run cachelint-system --all-files --verbose
expect_success "system hook (repo: local)"

# 3. Without --all-files pre-commit passes only the staged files: a staged broken workflow fails.
fixed_workflow
git commit --quiet -am "the fixed workflow"
broken_workflow
git add .github/workflows/tests.yml
run_pre_commit run cachelint-system
expect_failure "system hook (staged files)"

echo "pre-commit-test: ok"
