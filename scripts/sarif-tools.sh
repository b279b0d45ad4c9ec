#!/usr/bin/env bash
# Install Microsoft's SARIF multitool and the SARIF 2.1.0 JSON schema it ships, from the npm
# package @microsoft/sarif-multitool-linux, into target/sarif-tools/ (idempotent; no root;
# nothing is written outside target/sarif-tools/). tests/sarif.rs validates cachelint's SARIF
# output with both and skips, saying why, when they are missing.
#
#   target/sarif-tools/package/Sarif.Multitool      the multitool (self-contained Linux x64 binary)
#   target/sarif-tools/package/sarif-2.1.0.json     the schema
#
# A failed download is reported and the script exits 0 (the tests then skip).
# Usage: scripts/sarif-tools.sh        (from any directory)
set -euo pipefail

VERSION=5.7.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/target/sarif-tools"
TOOL="$DIR/package/Sarif.Multitool"

if [ -x "$TOOL" ] && [ -f "$DIR/package/sarif-2.1.0.json" ] &&
   "$TOOL" --version 2>&1 | grep -q "$VERSION"; then
  echo "sarif-tools: multitool $VERSION already in $DIR"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "sarif-tools: skipped: npm is not installed"
  exit 0
fi
rm -rf "$DIR"
mkdir -p "$DIR"
if ! (cd "$DIR" && npm pack --silent "@microsoft/sarif-multitool-linux@$VERSION" >/dev/null); then
  echo "sarif-tools: skipped: npm pack @microsoft/sarif-multitool-linux@$VERSION failed"
  exit 0
fi
tar -xzf "$DIR"/microsoft-sarif-multitool-linux-"$VERSION".tgz -C "$DIR"
rm -f "$DIR"/*.tgz
chmod +x "$TOOL"
if "$TOOL" --version >/dev/null 2>&1; then
  echo "sarif-tools: installed multitool $VERSION and the SARIF schema in $DIR"
else
  echo "sarif-tools: the multitool does not run on this machine; the schema check still runs"
fi
