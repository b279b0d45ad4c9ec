#!/usr/bin/env bash
# Emacs eglot as the language server's client (scripts/emacs-eglot-test.el), configured with
# the Emacs eglot snippet of docs/editors.md as it is written there: a workflow copy in a
# throwaway git repository is opened in yaml-mode, a finding's column and hover checked, the
# preferred quick fix applied through `eglot-code-actions' and the file saved: it must then
# equal what `cachelint check --fix` makes of another copy; then the unsafe fix of
# nox/cache-missing, saved: what `cachelint check --fix --unsafe-fixes` makes. Skipped, with the reason, when emacs or eglot
# is missing (Debian: apt-get install emacs-nox elpa-eglot elpa-yaml-mode).
# Uses target/release/cachelint (built when missing), or $CACHELINT_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v emacs >/dev/null; then
  echo "emacs-eglot-test: skipped: emacs is not installed (apt-get install emacs-nox elpa-eglot)"
  exit 0
fi
# -q, not -Q: Debian's site-start puts the elpa-* packages on the load-path.
if ! emacs --batch -q --eval "(require 'eglot)" >/dev/null 2>&1; then
  echo "emacs-eglot-test: skipped: eglot is not installed (apt-get install elpa-eglot, or Emacs 29+)"
  exit 0
fi
bin="${CACHELINT_BIN:-$PWD/target/release/cachelint}"
if [ ! -x "$bin" ]; then
  cargo build --release --quiet
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The snippet calls `cachelint` by name.
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$bin" "$tmp/bin/cachelint"

# The docs' snippet, the first elisp block after the "### Emacs: eglot" heading.
awk '/^### Emacs: eglot/ { s = 1; next }
     s && /^```elisp/ { e = 1; next }
     e && /^```/ { exit }
     e { print }' docs/editors.md > "$tmp/snippet.el"
if ! grep -q eglot-server-programs "$tmp/snippet.el"; then
  echo "emacs-eglot-test: FAILED: no eglot snippet under \"### Emacs: eglot\" in docs/editors.md" >&2
  exit 1
fi

for copy in editor cli cli-unsafe; do
  mkdir -p "$tmp/$copy/.github/workflows"
  : > "$tmp/$copy/cachelint.toml"
  cat > "$tmp/$copy/.github/workflows/ci.yml" <<'YAML'
name: Tëst 🚀 nox
on: push
jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
      - run: echo "Tëst 🚀" && pipx run nox -s tests
  docs:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-docs-${{ runner.os }}
      - run: uvx nox --reuse-venv=yes -s docs
YAML
done
# eglot's project is the git repository (project.el's VC backend).
git -C "$tmp/editor" init -q

cp "$tmp/cli/.github/workflows/ci.yml" "$tmp/original.yml"
eglot_version="$(emacs --batch -q --eval \
  "(progn (require 'lisp-mnt) (princ (lm-version (locate-library \"eglot.el\"))))" 2>/dev/null || true)"
echo "emacs-eglot-test: $(emacs --version | head -1), eglot ${eglot_version:-(version unknown)}"
log="$tmp/emacs.log"
if ! PATH="$tmp/bin:$PATH" HOME="$tmp/home" SNIPPET="$tmp/snippet.el" SAFE_COPY="$tmp/safe.yml" WORKFLOW="$tmp/editor/.github/workflows/ci.yml" \
  timeout 120 emacs --batch -q -l scripts/emacs-eglot-test.el </dev/null >"$log" 2>&1; then
  cat "$log" >&2
  echo "emacs-eglot-test: FAILED: emacs exited with an error (its output above)" >&2
  exit 1
fi
grep '^emacs-eglot-test: ' "$log" || true
"$bin" check --fix --quiet "$tmp/cli/.github/workflows/ci.yml" >/dev/null || true
"$bin" check --fix --unsafe-fixes --quiet "$tmp/cli-unsafe/.github/workflows/ci.yml" >/dev/null || true
if ! diff -u "$tmp/cli/.github/workflows/ci.yml" "$tmp/safe.yml"; then
  echo "emacs-eglot-test: FAILED: the file eglot saved after the safe fix differs from cachelint check --fix" >&2
  exit 1
fi
if cmp -s "$tmp/safe.yml" "$tmp/original.yml"; then
  echo "emacs-eglot-test: FAILED: the file is unchanged: no fix was applied" >&2
  exit 1
fi
if ! diff -u "$tmp/cli-unsafe/.github/workflows/ci.yml" "$tmp/editor/.github/workflows/ci.yml"; then
  echo "emacs-eglot-test: FAILED: the file eglot saved after the unsafe fix differs from cachelint check --fix --unsafe-fixes" >&2
  exit 1
fi
echo "emacs-eglot-test: ok: the fixes eglot applied are what cachelint check --fix (--unsafe-fixes) makes"
