#!/usr/bin/env bash
# Benchmark cachelint against its peer linters (actionlint, zizmor) on the
# shared corpus of real-world workflows, and print a markdown report that can
# be pasted into docs/performance.md.
#
# Usage:
#   scripts/bench.sh [CORPUS_DIR]          (from any directory)
#
#   CORPUS_DIR      default: ../shared/corpus relative to the repository root.
#                   Every *.yml / *.yaml under */.github/workflows/,
#                   */.forgejo/workflows/ and */.gitea/workflows/ is linted.
#
# Environment:
#   RUNS=5                 timed runs per tool over the whole corpus (median and min reported)
#   SMALL_RUNS=50          runs on the single small file (cachelint, actionlint)
#   SMALL_RUNS_ZIZMOR=10   runs on the single small file for zizmor (it is slow to start)
#   SMALL_FILE=path        the single small file, relative to CORPUS_DIR
#                          (default: the first 1-3 KB workflow, in sorted order, containing "nox")
#   SCALE_RUNS=3           paired 1x / 10x runs of cachelint for the scaling check
#   BIG_MB=10              size of the generated big workflow
#   NO_PEERS=1             do not install nor time the peers
#   CACHELINT_BIN=path     time this binary instead of building target/release/cachelint
#                          (for testing the script itself; the build is then skipped)
#
# What it does:
#   1. cargo build --release; scripts/peers.sh (installs zizmor and actionlint
#      into target/peers/bin, skipping a peer that cannot be downloaded).
#   2. Collects the file list once (find, sorted) and passes the same list as
#      arguments to each linter (checked against ARG_MAX). zizmor does not get
#      files named antithesis-test.yml (it aborts on etcd's).
#   3. One warm-up run per tool under /usr/bin/time -v (peak RSS), then RUNS
#      rounds in which the tools run one after the other (interleaved, so that
#      machine noise hits all of them alike). Wall time includes process start.
#   4. One small file, SMALL_RUNS times per tool (interleaved), plus the same
#      for /bin/true as the floor of spawning a process from the harness.
#   5. Scaling: the corpus copied 10 times into a temporary directory, timed
#      against the 1x list in paired runs; and one generated ~BIG_MB MB workflow.
#
# Accepted exit codes (anything else is reported as a failure and the script
# exits 1 at the end):
#   cachelint  0, 1        (1 = findings)
#   actionlint 0, 1        (1 = findings; 2 = bad options, 3 = fatal error)
#   zizmor     0, 10-14    (10-14 = findings by highest severity; 1 = error, 2 = usage)
# except for the peers on the generated big workflow, which is informational
# (zizmor 1.32.0 fails to load a workflow somewhere between 30k and 35k lines
# long: "failed to load internal pathing document").
#
# actionlint runs with -shellcheck= -pyflakes=: otherwise, on a machine where
# the commands `shellcheck` and `pyflakes` are installed, it runs them on every
# run: script, which makes it ~80x slower and the result depend on the machine.
#
# The report goes to stdout; progress, cargo's and peers.sh's output to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPUS_ARG="${1:-$ROOT/../shared/corpus}"
if [ ! -d "$CORPUS_ARG" ]; then
    echo "bench: corpus directory not found: $CORPUS_ARG" >&2
    exit 2
fi
CORPUS="$(cd "$CORPUS_ARG" && pwd)"

log() { echo "bench: $*" >&2; }

# 1. build
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
if [ -n "${CACHELINT_BIN:-}" ]; then
    CACHELINT="$(command -v "$CACHELINT_BIN" || true)"
    if [ -n "$CACHELINT" ] && [ "${CACHELINT#/}" = "$CACHELINT" ]; then
        CACHELINT="$(cd "$(dirname "$CACHELINT")" && pwd)/$(basename "$CACHELINT")"
    fi
    if [ -z "$CACHELINT" ] || [ ! -x "$CACHELINT" ]; then
        log "CACHELINT_BIN=$CACHELINT_BIN is not an executable"
        exit 2
    fi
    log "CACHELINT_BIN set: timing $CACHELINT instead of the release build (build skipped)"
else
    log "cargo build --release"
    if ! (cd "$ROOT" && cargo build --release >&2); then
        log "cargo build --release failed"
        exit 2
    fi
    CACHELINT="$TARGET_DIR/release/cachelint"
    if [ ! -x "$CACHELINT" ]; then
        log "no binary at $CACHELINT after the build"
        exit 2
    fi
fi

# 2. peers
ACTIONLINT=""
ZIZMOR=""
if [ -z "${NO_PEERS:-}" ]; then
    bash "$ROOT/scripts/peers.sh" >&2 || log "scripts/peers.sh failed; going on without the peers it did not install"
    if [ -x "$ROOT/target/peers/bin/actionlint" ]; then ACTIONLINT="$ROOT/target/peers/bin/actionlint"; fi
    if [ -x "$ROOT/target/peers/bin/zizmor" ]; then ZIZMOR="$ROOT/target/peers/bin/zizmor"; fi
fi

# peak RSS: GNU time if there (installed through apt when it is not), else
# the rusage of the child (ru_maxrss from wait4, as getrusage(RUSAGE_CHILDREN)).
GNU_TIME=""
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "/usr/bin/time missing: apt-get install -y time"
    apt-get install -y -q time >&2 || log "apt-get install time failed; peak RSS will come from rusage"
fi
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    GNU_TIME=/usr/bin/time
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cachelint-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# time a private copy of the binary, so that a rebuild of target/release
# while the benchmark runs cannot swap it mid-way
mkdir -p "$TMP/bin"
cp "$CACHELINT" "$TMP/bin/cachelint"

# the file list, once, sorted, relative to the corpus root (NUL-separated)
(cd "$CORPUS" && find . \( -path '*/.github/workflows/*' -o -path '*/.forgejo/workflows/*' -o -path '*/.gitea/workflows/*' \) \
    -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | LC_ALL=C sort -z) >"$TMP/files.lst"

export BENCH_ROOT="$ROOT" BENCH_CORPUS="$CORPUS" BENCH_TMP="$TMP" BENCH_LIST="$TMP/files.lst" \
    BENCH_CACHELINT="$TMP/bin/cachelint" BENCH_CACHELINT_SHOWN="$CACHELINT" BENCH_ACTIONLINT="$ACTIONLINT" BENCH_ZIZMOR="$ZIZMOR" BENCH_GNU_TIME="$GNU_TIME"

python3 - <<'PY'
import datetime
import os
import statistics
import shutil
import subprocess
import sys
import time

E = os.environ
ROOT, CORPUS, TMP = E["BENCH_ROOT"], E["BENCH_CORPUS"], E["BENCH_TMP"]
GNU_TIME = E.get("BENCH_GNU_TIME", "")
RUNS = max(1, int(E.get("RUNS", "5")))
SMALL_RUNS = max(1, int(E.get("SMALL_RUNS", "50")))
SMALL_RUNS_ZIZMOR = max(1, int(E.get("SMALL_RUNS_ZIZMOR", "10")))
SCALE_RUNS = max(1, int(E.get("SCALE_RUNS", "3")))
BIG_MB = float(E.get("BIG_MB", "10"))
DEVNULL = os.open(os.devnull, os.O_RDWR)
ERRLOG = os.path.join(TMP, "stderr.log")
failures = []


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


with open(E["BENCH_LIST"], "rb") as fh:
    FILES = [p.decode() for p in fh.read().split(b"\0") if p]
if not FILES:
    log(f"no workflow files under {CORPUS}")
    sys.exit(2)
FILES = [f[2:] if f.startswith("./") else f for f in FILES]
SIZES = {f: os.path.getsize(os.path.join(CORPUS, f)) for f in FILES}
ZFILES = [f for f in FILES if os.path.basename(f) != "antithesis-test.yml"]


class Tool:
    def __init__(self, name, exe, args, ok, files):
        self.name, self.exe, self.args, self.ok, self.files = name, exe, args, ok, files
        self.failed = None

    def argv(self, files):
        return [self.exe, *self.args, *files]


tools = [Tool("cachelint", E["BENCH_CACHELINT"], ["check", "--format", "json"], {0, 1}, FILES)]
if E.get("BENCH_ACTIONLINT"):
    # -shellcheck= -pyflakes=: without them actionlint runs shellcheck / pyflakes
    # on every run: script when they are on PATH, which makes it ~80x slower
    # (41 s instead of 0.5 s on the corpus) and the numbers depend on the machine.
    tools.append(Tool("actionlint", E["BENCH_ACTIONLINT"], ["-no-color", "-shellcheck=", "-pyflakes="], {0, 1}, FILES))
if E.get("BENCH_ZIZMOR"):
    tools.append(Tool("zizmor", E["BENCH_ZIZMOR"], ["--offline", "--no-progress", "--format", "plain"],
                      {0, 10, 11, 12, 13, 14}, ZFILES))
CL = tools[0]

ARG_MAX = os.sysconf("SC_ARG_MAX")
ENV_BYTES = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())


def check_argmax(argv, what):
    need = sum(len(a.encode()) + 1 + 8 for a in argv) + 8 + ENV_BYTES
    if need > ARG_MAX:
        log(f"{what}: argument list of {need} bytes exceeds ARG_MAX {ARG_MAX}")
        sys.exit(2)
    return need


def spawn(tool, files, cwd, informational=False):
    """Run the tool once; returns (wall seconds, peak RSS KiB) or None on failure."""
    argv = tool.argv(files)
    os.chdir(cwd)
    acts = [(os.POSIX_SPAWN_DUP2, DEVNULL, 0), (os.POSIX_SPAWN_DUP2, DEVNULL, 1),
            (os.POSIX_SPAWN_OPEN, 2, ERRLOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in tool.ok:
        return failed(tool, code, files, informational)
    return wall, ru.ru_maxrss


def failed(tool, code, files, informational=False, note=""):
    """Record (or, if informational, only log) a run that ended with a bad exit code."""
    with open(ERRLOG, errors="replace") as fh:
        tail = fh.read()[-1500:]
    how = f"signal {-code}" if code < 0 else f"exit code {code}"
    tool.failed = how
    if informational:
        log(f"{tool.name} ended with {how} (informational, not counted as a failure); "
            "its stderr says: " + " | ".join(
                ln.strip() for ln in tail.split("Stack backtrace")[0].strip().splitlines()[-3:]))
        return None
    failures.append(f"{tool.name} ({how}{note}) in {os.getcwd()} with {len(files)} file(s)")
    log(f"FAILURE: {tool.name} ended with {how}{note}; its stderr ends with:\n{tail}")
    return None


def gnu_time_rss(tool, files, cwd, informational=False):
    """Peak RSS in KiB from `/usr/bin/time -v`, or None."""
    out = os.path.join(TMP, "time.out")
    os.chdir(cwd)
    with open(ERRLOG, "wb") as err:
        r = subprocess.run([GNU_TIME, "-v", "-o", out, *tool.argv(files)],
                           stdin=DEVNULL, stdout=DEVNULL, stderr=err)
    if r.returncode not in tool.ok:
        return failed(tool, r.returncode, files, informational, note=", run under /usr/bin/time -v")
    with open(out) as fh:
        for line in fh:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    return None


RSS_SOURCE = "/usr/bin/time -v" if GNU_TIME else "the child's rusage (ru_maxrss from wait4)"


def self_rss():
    """The harness's own peak RSS (KiB). A child spawned from it starts with
    a ru_maxrss of at least this much (the kernel carries the pre-exec
    high-water mark over), so rusage cannot show a peak below it."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_rss(tool, files, cwd, informational=False):
    """(peak RSS KiB, floor KiB or None), or None when the run failed. Also a warm-up run."""
    if GNU_TIME:
        v = gnu_time_rss(tool, files, cwd, informational)
        return None if v is None else (v, None)
    r = spawn(tool, files, cwd, informational)
    return None if r is None else (r[1], self_rss())


def fmt_rss(v):
    if v is None:
        return "-"
    kb, floor = v
    if floor is not None and kb <= floor * 1.05:
        return f"<= {kb / 1024:.1f}"
    return f"{kb / 1024:.1f}"


def fmt_s(x, nd=3):
    return "-" if x is None else f"{x:.{nd}f}"


def fmt_ms(x):
    return "-" if x is None else f"{x * 1000:.2f}"


def version(exe, flag="--version"):
    try:
        r = subprocess.run([exe, flag], capture_output=True, text=True, timeout=20, stdin=DEVNULL)
        s = (r.stdout or r.stderr).strip().splitlines()
        return s[0] if s else "?"
    except Exception:
        return "?"


# -- machine ---------------------------------------------------------------
def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def mem_total():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return (rev or "no commit") + (" (uncommitted changes)" if dirty else "")
    except OSError:
        return "?"


# -- 1. whole corpus ---------------------------------------------------------
total_bytes = sum(SIZES.values())
for t in tools:
    check_argmax(t.argv(t.files), t.name)
log(f"{len(FILES)} files, {total_bytes / 1e6:.2f} MB under {CORPUS}; "
    f"argument list {check_argmax(CL.argv(FILES), 'cachelint')} of {ARG_MAX} bytes (ARG_MAX)")

rss = {}
for t in tools:  # warm-up (page cache, binaries) that also measures peak RSS
    log(f"warm-up + peak RSS: {t.name}")
    rss[t.name] = measure_rss(t, t.files, CORPUS)

# sanity: cachelint's stdout must be JSON, or the timings measure something else
json_note = None
if not CL.failed:
    import json
    os.chdir(CORPUS)
    out = subprocess.run(CL.argv(FILES), stdin=DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    try:
        try:
            json.loads(out)
        except ValueError:  # JSON Lines is fine too
            lines = [ln for ln in out.splitlines() if ln.strip()]
            if not lines:
                raise
            for ln in lines:
                json.loads(ln)
    except ValueError as e:
        json_note = (f"WARNING: `cachelint check --format json` did not print JSON on the corpus ({e}; "
                     f"it printed {len(out)} bytes, starting {out[:60]!r}): the cachelint numbers are not meaningful.")
        log(json_note)

walls = {t.name: [] for t in tools}
for i in range(RUNS):
    for t in tools:
        if t.failed:
            continue
        r = spawn(t, t.files, CORPUS)
        if r:
            walls[t.name].append(r[0])
            if not GNU_TIME and rss[t.name] and r[1] > rss[t.name][0]:
                rss[t.name] = (r[1], self_rss())
    if any(len(w) == i + 1 for w in walls.values()):
        log(f"round {i + 1}/{RUNS}: " + ", ".join(f"{n} {w[-1]:.3f}s" for n, w in walls.items() if len(w) == i + 1))

med = {n: statistics.median(w) if w else None for n, w in walls.items()}

# -- 2. one small file -----------------------------------------------------------
small = E.get("SMALL_FILE")
if not small:
    for f in FILES:
        if 1024 <= SIZES[f] <= 3072:
            with open(os.path.join(CORPUS, f), errors="replace") as fh:
                if "nox" in fh.read():
                    small = f
                    break
small_med = {}
small_min = {}
if small:
    log(f"single file: {small}")
    true_tool = Tool("/bin/true", shutil.which("true") or "/bin/true", [], {0}, [])
    plan = [(true_tool, SMALL_RUNS)] + [(t, SMALL_RUNS_ZIZMOR if t.name == "zizmor" else SMALL_RUNS)
                                        for t in tools if not t.failed]
    sw = {t.name: [] for t, _ in plan}
    for t, _ in plan:  # warm-up
        spawn(t, [small] if t is not true_tool else [], CORPUS)
    for i in range(max(n for _, n in plan)):
        for t, n in plan:
            if i < n and not t.failed:
                r = spawn(t, [small] if t is not true_tool else [], CORPUS)
                if r:
                    sw[t.name].append(r[0])
    small_med = {n: statistics.median(w) for n, w in sw.items() if w}
    small_min = {n: min(w) for n, w in sw.items() if w}
    small_runs = {n: len(w) for n, w in sw.items()}
else:
    log("no 1-3 KB workflow containing 'nox' in the corpus: single-file timing skipped")

# -- 3. scaling: the corpus 10x ------------------------------------------------------
scale = None
if not CL.failed:
    log("scaling: copying the corpus files 10x")
    d10 = os.path.join(TMP, "x10")
    files10 = []
    for k in range(10):
        for f in FILES:
            dst = os.path.join(d10, str(k), f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(CORPUS, f), dst)
            files10.append(f"{k}/{f}")
    check_argmax(CL.argv(files10), "cachelint 10x")
    files1 = files10[:len(FILES)]  # copy 0: the 1x list, on the same file system and path depth
    spawn(CL, files10, d10)  # warm-up
    w1, w10 = [], []
    for i in range(SCALE_RUNS):
        r1 = spawn(CL, files1, d10)
        r10 = spawn(CL, files10, d10)
        if not r1 or not r10:
            break
        w1.append(r1[0])
        w10.append(r10[0])
        log(f"scaling round {i + 1}/{SCALE_RUNS}: 1x {r1[0]:.3f}s, 10x {r10[0]:.3f}s")
    if w1 and w10:
        scale = (statistics.median(w1), statistics.median(w10), len(files10))
    shutil.rmtree(d10, ignore_errors=True)


# -- 4. one generated big workflow ------------------------------------------------------
def gen_big(path, target_bytes):
    head = """name: generated-big
on:
  push:
    branches: [main]
  pull_request:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
env:
  PIP_DISABLE_PIP_VERSION_CHECK: "1"
  FORCE_COLOR: "1"
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
"""
    job = """  job_{i:05d}:
    name: Job {i} (${{{{ matrix.python }}}})
    runs-on: ${{{{ matrix.os }}}}
{needs}    timeout-minutes: 30
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, macos-latest]
        python: ["3.11", "3.12", "3.13"]
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - name: Set up Python
        uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0
        with:
          python-version: ${{{{ matrix.python }}}}
      - name: Cache pip
        uses: actions/cache@1bd1e32a3bdc45362d1e726936510720a7c30a57 # v4.2.0
        with:
          path: ~/.cache/pip
          key: ${{{{ runner.os }}}}-pip-{i}-${{{{ matrix.python }}}}-${{{{ hashFiles('**/requirements*.txt', 'noxfile.py') }}}}
          restore-keys: |
            ${{{{ runner.os }}}}-pip-{i}-${{{{ matrix.python }}}}-
      - name: Install nox
        run: python -m pip install --upgrade pip nox
      - name: Run the tests
        id: tests_{i}
        env:
          REF_NAME: ${{{{ github.ref_name }}}}
          PYTHON_VERSION: ${{{{ matrix.python }}}}
        run: |
          set -euo pipefail
          echo "job {i} on $REF_NAME with $PYTHON_VERSION"
          nox --session "tests-$PYTHON_VERSION" -- --junitxml=junit-{i}.xml
          for shard in 1 2 3 4; do
            echo "shard $shard of job {i}"
          done
          if [ -f coverage.xml ]; then
            echo "coverage=yes" >> "$GITHUB_OUTPUT"
          else
            echo "coverage=no" >> "$GITHUB_OUTPUT"
          fi
      - name: Report
        if: ${{{{ always() && steps.tests_{i}.outputs.coverage == 'yes' }}}}
        shell: bash
        run: |
          echo "## Job {i}" >> "$GITHUB_STEP_SUMMARY"
          ls -la
"""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    size = 0
    with open(path, "w") as fh:
        fh.write(head)
        size += len(head)
        i = 0
        while size < target_bytes:
            needs = f"    needs: [job_{i - 1:05d}]\n" if i % 10 else ""
            s = job.format(i=i, needs=needs)
            fh.write(s)
            size += len(s)
            i += 1
    return size, i


big = None
if not CL.failed:
    big_path = os.path.join(TMP, "big", ".github", "workflows", "generated-big.yml")
    big_bytes, big_jobs = gen_big(big_path, int(BIG_MB * 1e6))
    log(f"big workflow: {big_bytes / 1e6:.1f} MB, {big_jobs} jobs")
    big = {"bytes": big_bytes, "jobs": big_jobs, "wall": {}, "rss": {}}
    for t in tools:
        if t.failed:
            continue
        r = spawn(t, [os.path.relpath(big_path, os.path.join(TMP, "big"))], os.path.join(TMP, "big"),
                  informational=t is not CL)
        if r:
            big["wall"][t.name] = r[0]
            big["rss"][t.name] = (measure_rss(t, [os.path.relpath(big_path, os.path.join(TMP, "big"))],
                                              os.path.join(TMP, "big"), informational=t is not CL)
                                  if GNU_TIME else (r[1], self_rss()))
            log(f"big workflow: {t.name} {r[0]:.3f}s")
        elif t is not CL:
            # informational for the peers: zizmor 1.32.0 cannot load a workflow
            # of more than 30k-35k lines ("failed to load internal pathing document")
            big["wall"][t.name] = t.failed
            t.failed = None

# -- report -------------------------------------------------------------------------
os.chdir(ROOT)
P = print
ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
P("## Benchmark")
P()
P(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
P(f"- machine: {ncpu} CPUs (nproc), {cpu_model()}, {mem_total()} RAM, Linux {os.uname().release}")
SHOWN = E.get("BENCH_CACHELINT_SHOWN", CL.exe)
P(f"- cachelint: {git_rev()}, `{os.path.relpath(SHOWN, ROOT) if SHOWN.startswith(ROOT + '/') else SHOWN}`")
for t in tools[1:]:
    P(f"- {t.name}: {version(t.exe, '-version' if t.name == 'actionlint' else '--version')}")
P(f"- corpus: {len(FILES)} workflow files, {total_bytes / 1e6:.2f} MB "
  f"(zizmor: {len(ZFILES)}, without antithesis-test.yml)")
P("- commands: `cachelint check --format json FILES`, `actionlint -no-color -shellcheck= -pyflakes= FILES`, "
  "`zizmor --offline --no-progress --format plain FILES`")
P(f"- {RUNS} timed runs per tool, interleaved, after one warm-up run; wall time includes process start")
P()
if json_note:
    P(f"**{json_note}**")
    P()
P("| tool | files | median wall (s) | min wall (s) | files/s | MB/s | peak RSS (MB) |")
P("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for t in tools:
    w = walls[t.name]
    nbytes = sum(SIZES[f] for f in t.files)
    m = med[t.name]
    if t.failed and not w:
        P(f"| {t.name} | {len(t.files)} | FAILED ({t.failed}) | | | | |")
        continue
    P(f"| {t.name} | {len(t.files)} | {fmt_s(m)} | {fmt_s(min(w) if w else None)} | "
      f"{(len(t.files) / m if m else 0):,.0f} | {(nbytes / 1e6 / m if m else 0):.1f} | "
      f"{fmt_rss(rss.get(t.name))} |")
P()
P(f"Peak RSS from {RSS_SOURCE}, in a separate warm-up run; MB/s counts 10^6 bytes, RSS MB are MiB."
  + ("" if GNU_TIME else " '<= N': at or below the harness's own RSS, which rusage cannot see under."))
P()
P("| ratio (median wall) | value | target | result |")
P("| --- | ---: | ---: | --- |")
for peer, target in (("actionlint", 0.2), ("zizmor", 0.02)):
    if med.get("cachelint") and med.get(peer):
        ratio = med["cachelint"] / med[peer]
        P(f"| cachelint/{peer} | {ratio:.4f} | <= {target} | {'PASS' if ratio <= target else 'FAIL'} |")
    else:
        P(f"| cachelint/{peer} | - | <= {target} | n/a ({peer} not run or failed) |")
P()
if small_med:
    P(f"Single small file (`{small}`, {SIZES[small]} bytes), process start included:")
    P()
    P("| tool | runs | median wall (ms) | min wall (ms) | target |")
    P("| --- | ---: | ---: | ---: | --- |")
    for name in small_med:
        tgt = ""
        if name == "cachelint":
            tgt = f"<= 2 ms: {'PASS' if small_med[name] <= 0.002 else 'FAIL'}"
        elif name == "/bin/true":
            tgt = "spawn floor of the harness"
        P(f"| {name} | {small_runs[name]} | {fmt_ms(small_med[name])} | {fmt_ms(small_min[name])} | {tgt} |")
    P()
if scale:
    m1, m10, n10 = scale
    ratio = m10 / m1
    P(f"Scaling (cachelint, median of {SCALE_RUNS} paired runs): {len(FILES)} files {m1:.3f} s, "
      f"{n10} files (the corpus copied 10x) {m10:.3f} s: ratio {ratio:.2f}x, target <= 10x: "
      f"{'PASS' if ratio <= 10 else 'FAIL'}")
    P()
if big:
    P(f"Generated workflow, {big['bytes'] / 1e6:.1f} MB ({big['jobs']} jobs, 6 steps each), timed once:")
    P()
    P("| tool | wall (s) | MB/s | peak RSS (MB) |")
    P("| --- | ---: | ---: | ---: |")
    for t in tools:
        w = big["wall"].get(t.name)
        if isinstance(w, float):
            P(f"| {t.name} | {w:.3f} | {big['bytes'] / 1e6 / w:.1f} | {fmt_rss(big['rss'].get(t.name))} |")
        else:
            P(f"| {t.name} | failed ({w or t.failed}) | | |")
    P()
if failures:
    P("Failures: " + "; ".join(failures))
    sys.exit(1)
PY
