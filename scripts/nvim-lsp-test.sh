#!/usr/bin/env bash
# Neovim as the language server's client (scripts/nvim-lsp-test.lua): a workflow copy is
# opened, the preferred quick fix applied and the file written; it must then equal what
# `cachelint check --fix` makes of another copy. Skipped, with the reason, when nvim is missing.
# Uses target/debug/cachelint (built by `cargo test`), or $CACHELINT_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nvim >/dev/null; then
  echo "nvim-lsp-test: skipped: nvim is not installed (apt-get install neovim)"
  exit 0
fi
bin="${CACHELINT_BIN:-$PWD/target/debug/cachelint}"
if [ ! -x "$bin" ]; then
  cargo build --quiet
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for copy in editor cli; do
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

cp "$tmp/cli/.github/workflows/ci.yml" "$tmp/original.yml"
echo "nvim-lsp-test: $(nvim --version | head -1)"
CACHELINT_BIN="$bin" WORKFLOW="$tmp/editor/.github/workflows/ci.yml" \
  timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile scripts/nvim-lsp-test.lua" </dev/null
"$bin" check --fix --quiet "$tmp/cli/.github/workflows/ci.yml" >/dev/null || true
if ! diff -u "$tmp/cli/.github/workflows/ci.yml" "$tmp/editor/.github/workflows/ci.yml"; then
  echo "nvim-lsp-test: FAILED: the file Neovim wrote differs from cachelint check --fix" >&2
  exit 1
fi
if cmp -s "$tmp/editor/.github/workflows/ci.yml" "$tmp/original.yml"; then
  echo "nvim-lsp-test: FAILED: the file is unchanged: no fix was applied" >&2
  exit 1
fi
echo "nvim-lsp-test: ok: the quick fix Neovim applied is what cachelint check --fix makes"
