//! Hostile inputs through the real binary. Each case must end with the documented exit code and
//! diagnostics, within a wall-time bound and a peak-memory bound, and must not stop the other
//! files of the same run from being linted: every case runs twice, the hostile input alone (for
//! its exact exit code and the measurements) and beside `good.yml`, a normal workflow whose job
//! runs `nox -s tests` without a cache (`nox/cache-missing`), which must still be reported.
//!
//! Bounds: 2 s wall time in release builds (30 s in debug builds, which are ~10x slower) and
//! 200 MB peak RSS. Peak RSS is the child's `ru_maxrss`, read with `wait4(2)` (declared below;
//! std links libc anyway): exact, and no external tool. Off Linux the memory check is skipped.
//!
//! `cargo test --release --test hostile_inputs -- --nocapture --test-threads 1` prints a
//! `hostile:` line per case with the measured time and peak RSS (docs/limits.md records them).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cachelint::source::MAX_FILE_BYTES;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_cachelint");

/// Wall-time bound for one run.
fn time_limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(2)
    }
}

/// Peak-RSS bound for one run, in KiB. A bound on blow-ups, not a budget: the largest case
/// (30,000 jobs, 1.2 MB, 270,000 nodes, 30,000 findings) peaks at about 200 MB in a release
/// build (the tree 94 MB, facts and rules 30 MB, 30,000 findings that each carry their help
/// and fix 55 MB, their JSON 40 MB).
const MEMORY_LIMIT_KB: u64 = 256 * 1000;

/// After this long a run is killed: it counts as a hang (and a failing case costs no more).
fn kill_after() -> Duration {
    time_limit() + Duration::from_secs(2)
}

/// A workflow with one known finding: `nox/cache-missing` on line 7.
const GOOD: &str = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: nox -s tests
";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    wall: Duration,
    /// Peak resident set size, where it can be measured.
    peak: Option<Peak>,
    timed_out: bool,
}

impl Run {
    fn json(&self) -> Vec<Value> {
        match serde_json::from_str::<Value>(&self.stdout) {
            Ok(Value::Array(items)) => items,
            other => panic!(
                "stdout is not a JSON array ({other:?}):\n{}\nstderr:\n{}",
                cut(&self.stdout),
                cut(&self.stderr)
            ),
        }
    }

    /// Rule ids reported for files whose path ends with `name`, sorted, deduplicated.
    fn rules_for(&self, name: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .json()
            .iter()
            .filter(|d| d["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .filter_map(|d| d["rule"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

fn cut(s: &str) -> String {
    if s.len() <= 2000 {
        return s.to_string();
    }
    let mut end = 2000;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod reap {
    //! `wait4(2)`: the exit status and the child's resource usage (peak RSS) in one call.

    /// `struct rusage` on 64-bit Linux: two `timeval`s, then 14 `long`s.
    #[repr(C)]
    #[derive(Default)]
    struct RUsage {
        utime: [i64; 2],
        stime: [i64; 2],
        maxrss: i64,
        rest: [i64; 13],
    }

    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut RUsage) -> i32;
    }

    const WNOHANG: i32 = 1;

    /// `None` while the child runs; else (exit code or `None` if killed by a signal, peak KiB).
    pub fn try_reap(pid: u32) -> Option<(Option<i32>, Option<u64>)> {
        let mut status = 0i32;
        let mut usage = RUsage::default();
        loop {
            // SAFETY: plain syscall wrapper; the pointers are valid for the call.
            let r = unsafe { wait4(pid as i32, &mut status, WNOHANG, &mut usage) };
            if r == 0 {
                return None;
            }
            if r < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                panic!("wait4: {}", std::io::Error::last_os_error());
            }
            let code = if status & 0x7f == 0 {
                Some((status >> 8) & 0xff)
            } else {
                None
            };
            let _ = (usage.utime, usage.stime, usage.rest);
            return Some((code, Some(usage.maxrss as u64)));
        }
    }
}

/// GNU time, if installed: it forks the measured process from a small process of its own, so
/// its `%M` is the child's exact peak RSS.
fn gnu_time() -> Option<&'static Path> {
    static T: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let t = PathBuf::from("/usr/bin/time");
        let out = tempfile::NamedTempFile::new().ok()?;
        let ok = Command::new(&t)
            .args(["-f", "%M", "-o"])
            .arg(out.path())
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        let text = std::fs::read_to_string(out.path()).ok()?;
        (ok && text.trim().parse::<u64>().is_ok()).then_some(t)
    })
    .as_deref()
}

/// Our own peak RSS (VmHWM) in KiB.
fn own_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary with `args` in `cwd`, measuring wall time and peak RSS; kills it after
/// [`kill_after`].
///
/// Peak RSS: with GNU time (`/usr/bin/time -f %M`), exact. Without it, `wait4`'s `ru_maxrss`,
/// which on Linux also counts the RSS of the process that spawned the child (this test
/// process: `exec` keeps the old address space's high-water mark). It is then exact only when
/// above our own peak; otherwise it is an upper bound (shown as `<=`).
fn run(cwd: &Path, args: &[OsString]) -> Run {
    use std::os::unix::process::CommandExt;
    let time_out = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = match gnu_time() {
        Some(t) => {
            let mut c = Command::new(t);
            c.args(["-f", "%M", "-o"]).arg(time_out.path()).arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    let start = Instant::now();
    // The child is reaped by `reap::try_reap` (wait4, for its rusage) or `try_wait` below.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("run cachelint");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = vec![];
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = vec![];
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut timed_out = false;
    let (code, rusage_kb) = loop {
        #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
        if let Some(done) = reap::try_reap(child.id()) {
            break done;
        }
        #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
        if let Some(status) = child.try_wait().expect("wait") {
            break (status.code(), None);
        }
        if !timed_out && start.elapsed() > kill_after() {
            timed_out = true;
            // The whole process group: GNU time and cachelint.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let wall = start.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let mut stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let peak = if gnu_time().is_some() {
        // GNU time writes "Command exited with non-zero status N" before the number.
        let text = std::fs::read_to_string(time_out.path()).unwrap_or_default();
        if let Some(msg) = text.lines().find(|l| l.contains("terminated by signal")) {
            stderr.push_str(msg);
        }
        text.lines()
            .last()
            .and_then(|l| l.trim().parse::<u64>().ok())
            .map(Peak::Exact)
    } else {
        rusage_kb.map(|kb| match own_hwm_kb() {
            Some(own) if kb > own => Peak::Exact(kb),
            _ => Peak::AtMost(kb),
        })
    };
    Run {
        code,
        stdout,
        stderr,
        wall,
        peak,
        timed_out,
    }
}

#[derive(Clone, Copy, Debug)]
enum Peak {
    Exact(u64),
    AtMost(u64),
}

impl Peak {
    fn kb(self) -> u64 {
        match self {
            Peak::Exact(kb) | Peak::AtMost(kb) => kb,
        }
    }
}

/// Asserts the time and memory bounds and prints the measurements.
fn assert_bounded(case: &str, r: &Run) {
    let peak = match r.peak {
        None => "n/a".to_string(),
        Some(Peak::Exact(kb)) => format!("{:.1} MB", kb as f64 / 1000.0),
        Some(Peak::AtMost(kb)) => format!("<= {:.1} MB", kb as f64 / 1000.0),
    };
    println!(
        "hostile: {case:<34} exit={:<4} wall={:>8.1} ms  peak RSS={peak}",
        r.code.map_or("sig".into(), |c| c.to_string()),
        r.wall.as_secs_f64() * 1000.0
    );
    assert!(
        !r.timed_out,
        "{case}: killed after {:?} (a hang, or super-linear work); stderr:\n{}",
        kill_after(),
        cut(&r.stderr)
    );
    assert!(
        r.wall <= time_limit(),
        "{case}: took {:?}, over the bound of {:?}",
        r.wall,
        time_limit()
    );
    if let Some(kb) = r.peak.map(Peak::kb) {
        assert!(
            kb <= MEMORY_LIMIT_KB,
            "{case}: peak RSS {kb} KiB, over the bound of {MEMORY_LIMIT_KB} KiB"
        );
    }
}

/// What a hostile input must produce.
struct Expect<'a> {
    /// Exit code of a run on the hostile input alone.
    code: i32,
    /// Rule ids reported for the hostile file (sorted).
    rules: &'a [&'a str],
    /// Text that must appear on stderr (for unreadable inputs).
    stderr: Option<&'a str>,
}

impl<'a> Expect<'a> {
    /// A readable input: the exit code and the rule ids, nothing required on stderr.
    fn findings(code: i32, rules: &'a [&'a str]) -> Self {
        Expect {
            code,
            rules,
            stderr: None,
        }
    }
}

/// A temporary directory holding `good.yml`.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yml"), GOOD).unwrap();
    dir
}

/// Runs `target` (a path relative to `dir`) alone and beside `good.yml`, checking `expect`.
fn check(case: &str, dir: &Path, target: &str, expect: &Expect<'_>) -> Run {
    let json = |paths: &[&str]| -> Vec<OsString> {
        let mut v: Vec<OsString> = vec!["check".into(), "--format".into(), "json".into()];
        v.extend(paths.iter().map(OsString::from));
        v
    };
    let name = Path::new(target)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    // Alone: the exact exit code, the rules, the bounds.
    let alone = run(dir, &json(&[target]));
    assert_bounded(case, &alone);
    assert_eq!(
        alone.code,
        Some(expect.code),
        "{case}: exit code; stderr:\n{}\nstdout:\n{}",
        cut(&alone.stderr),
        cut(&alone.stdout)
    );
    assert!(
        !alone.stderr.contains("internal error") && !alone.stderr.contains("panicked"),
        "{case}: {}",
        cut(&alone.stderr)
    );
    let rules = alone.rules_for(&name);
    assert_eq!(
        rules,
        expect.rules,
        "{case}: rules; stdout:\n{}",
        cut(&alone.stdout)
    );
    if let Some(msg) = expect.stderr {
        assert!(
            alone.stderr.contains(msg),
            "{case}: stderr should say {msg:?}:\n{}",
            cut(&alone.stderr)
        );
    }

    // Beside a normal workflow: the other file is still linted; the exit code is the worse one.
    let both = run(dir, &json(&[target, "good.yml"]));
    assert_bounded(&format!("{case} + good.yml"), &both);
    let want = expect.code.max(1);
    assert_eq!(
        both.code,
        Some(want),
        "{case} + good.yml: exit code; stderr:\n{}",
        cut(&both.stderr)
    );
    let good: Vec<Value> = both
        .json()
        .into_iter()
        .filter(|d| d["path"].as_str().is_some_and(|p| p.ends_with("good.yml")))
        .collect();
    assert!(
        good.iter()
            .any(|d| d["rule"] == "nox/cache-missing" && d["line"] == 7),
        "{case} + good.yml: good.yml's finding is missing:\n{}",
        cut(&both.stdout)
    );
    assert_eq!(both.rules_for(&name), expect.rules, "{case} + good.yml");
    alone
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, bytes).unwrap();
}

/// A small seeded PRNG (SplitMix64) for the random-bytes cases.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// YAML bombs and nesting.

#[test]
fn alias_bomb() {
    // Billion laughs, 10 levels: 10^10 nodes if expanded.
    let mut text = String::from("on: push\n");
    text.push_str("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let dir = workdir();
    write(dir.path(), "bomb.yml", &text);
    let r = check(
        "alias bomb (10 levels)",
        dir.path(),
        "bomb.yml",
        &Expect::findings(1, &["limit-exceeded"]),
    );
    assert!(r.stdout.contains("100000 nodes"), "{}", cut(&r.stdout));
}

#[test]
fn alias_bomb_in_a_workflow() {
    // The bomb sits under `env:` of a real job, and its values are used: the rest of the file
    // is still checked (the job's nox run is still reported).
    let mut text = String::from("on: push\nx-bomb:\n");
    text.push_str("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str(
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      BOMB: *a8\n    steps:\n      - run: nox -s tests\n",
    );
    let dir = workdir();
    write(dir.path(), "bomb.yml", &text);
    check(
        "alias bomb inside a workflow",
        dir.path(),
        "bomb.yml",
        &Expect::findings(1, &["limit-exceeded", "nox/cache-missing"]),
    );
}

#[test]
fn deep_flow_nesting() {
    let dir = workdir();
    let n = 10_000;
    write(
        dir.path(),
        "seq.yml",
        format!("on: push\nx: {}{}\n", "[".repeat(n), "]".repeat(n)),
    );
    write(
        dir.path(),
        "map.yml",
        format!("on: push\nx: {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
    );
    write(
        dir.path(),
        "open.yml",
        format!("on: push\nx: {}\n", "[".repeat(n)),
    );
    for (case, file) in [
        ("10,000-deep flow sequences", "seq.yml"),
        ("10,000-deep flow mappings", "map.yml"),
        ("10,000 unclosed `[`", "open.yml"),
    ] {
        check(
            case,
            dir.path(),
            file,
            &Expect::findings(1, &["syntax-error"]),
        );
    }
}

#[test]
fn deep_block_nesting() {
    let dir = workdir();
    // `- - - ... a`: 10,000 nested block sequences on one line.
    write(
        dir.path(),
        "dashes.yml",
        format!("on: push\nx:\n{}a\n", "- ".repeat(10_000)),
    );
    // 10,000 nested block mappings with one more space each would be 50 MB (over the size
    // limit); 5,000 levels is 12.5 MB, under it.
    let mut text = String::from("on: push\n");
    for i in 0..5_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    write(dir.path(), "indent.yml", &text);
    // Sequences of mappings: `- a:` two more spaces each.
    let mut text = String::from("on: push\nx:\n");
    for i in 0..3_000 {
        text.push_str(&" ".repeat(2 * i));
        text.push_str("- a:\n");
    }
    write(dir.path(), "mixed.yml", &text);
    for (case, file) in [
        ("10,000-deep `- - -` sequences", "dashes.yml"),
        ("5,000-deep block mappings (12 MB)", "indent.yml"),
        ("3,000-deep `- a:` nesting", "mixed.yml"),
    ] {
        check(
            case,
            dir.path(),
            file,
            &Expect::findings(1, &["syntax-error"]),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Size.

#[test]
fn file_over_the_size_limit_is_not_read() {
    let dir = workdir();
    // 100 MB, sparse: only its size is looked at. Reading it would take far more than the
    // memory bound.
    let f = std::fs::File::create(dir.path().join("huge.yml")).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    drop(f);
    let r = check(
        "100 MB file (sparse)",
        dir.path(),
        "huge.yml",
        &Expect::findings(1, &["limit-exceeded"]),
    );
    if let Some(Peak::Exact(kb)) = r.peak {
        assert!(kb < 50_000, "the file was read: peak RSS {kb} KiB");
    }
    // One byte over the limit (`source::MAX_FILE_BYTES`), written for real.
    let mut f = std::fs::File::create(dir.path().join("over.yml")).unwrap();
    let chunk = "# padding padding padding padding padding padding padding padding padding\n";
    let limit = MAX_FILE_BYTES as usize;
    let mut written = 0;
    while written + chunk.len() <= limit {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    f.write_all(&b"#".repeat(limit + 1 - written)).unwrap();
    drop(f);
    assert_eq!(
        std::fs::metadata(dir.path().join("over.yml"))
            .unwrap()
            .len(),
        limit as u64 + 1
    );
    check(
        "limit + 1 byte",
        dir.path(),
        "over.yml",
        &Expect::findings(1, &["limit-exceeded"]),
    );
}

#[test]
fn file_of_15_mb_is_linted() {
    // ~15 MB of real-looking workflow: 100 jobs of 750 steps (about 380,000 YAML nodes, under
    // `yaml::MAX_NODES`); the last job runs nox.
    let mut text = String::from("name: big\non: push\njobs:\n");
    let mut j = 0;
    while text.len() < 15_000_000 {
        text.push_str(&format!(
            "  job{j}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        ));
        for i in 0..750 {
            text.push_str(&format!(
                "      - name: step {i} builds part {i} of the project\n        run: echo \"building part {i}\" && make -j4 target{i} && ./scripts/check-artifact.sh target{i} --strict\n"
            ));
        }
        j += 1;
    }
    text.push_str("  last:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n");
    assert!((text.len() as u64) < MAX_FILE_BYTES);
    let dir = workdir();
    write(dir.path(), "big.yml", &text);
    check(
        "15 MB workflow (75,000 steps)",
        dir.path(),
        "big.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
}

#[test]
fn too_many_yaml_nodes() {
    // 600,000 scalars in one flow sequence (1.2 MB): over `yaml::MAX_NODES`, one
    // `limit-exceeded` and no rule runs on the file.
    let mut text = String::from(
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: nox -s tests\nx: [",
    );
    text.push_str(&"1,".repeat(600_000));
    text.push_str("]\n");
    let dir = workdir();
    write(dir.path(), "nodes.yml", &text);
    check(
        "600,000 YAML nodes",
        dir.path(),
        "nodes.yml",
        &Expect::findings(1, &["limit-exceeded"]),
    );
}

#[test]
fn million_line_run_script() {
    // 1,000,000 lines in one `run:` (15 MB); nox on line 500,007.
    let mut text = String::from(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n    - run: |\n",
    );
    for i in 0..1_000_000 {
        if i == 500_000 {
            text.push_str("        nox -s tests\n");
        } else {
            text.push_str("        echo ");
            text.push(char::from(b'0' + (i % 10) as u8));
            text.push('\n');
        }
    }
    assert!((text.len() as u64) < MAX_FILE_BYTES);
    let dir = workdir();
    write(dir.path(), "script.yml", &text);
    let r = check(
        "1,000,000-line run script (15 MB)",
        dir.path(),
        "script.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
    let lines: Vec<i64> = r
        .json()
        .iter()
        .filter(|d| d["rule"] == "nox/cache-missing")
        .filter_map(|d| d["line"].as_i64())
        .collect();
    assert_eq!(lines, [500_007]);
}

// ---------------------------------------------------------------------------------------------
// Expressions.

#[test]
fn unclosed_expression_in_a_key() {
    let dir = workdir();
    write(
        dir.path(),
        "key.yml",
        "on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-${{ hashFiles('noxfile.py')
      - run: nox -s tests
",
    );
    check(
        "unclosed ${{ in a cache key",
        dir.path(),
        "key.yml",
        &Expect::findings(1, &["nox/key-missing-hash"]),
    );
    write(
        dir.path(),
        "mapkey.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n    ${{ matrix.x: 1\n",
    );
    check(
        "unclosed ${{ as a mapping key",
        dir.path(),
        "mapkey.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
}

#[test]
fn unclosed_expression_in_a_run_script() {
    let dir = workdir();
    write(
        dir.path(),
        "run.yml",
        "on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: |
          nox -s ${{ matrix.session
          echo ${{ '}}
",
    );
    check(
        "unclosed ${{ in a run script",
        dir.path(),
        "run.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
    // 100,000 `${{` without a close, and 50 levels of parentheses in one expression.
    let text = format!(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s x {}\n      - run: echo ${{{{ {}1{} }}}}\n",
        "${{ (".repeat(100_000),
        "(".repeat(5_000),
        ")".repeat(5_000)
    );
    write(dir.path(), "many.yml", text);
    check(
        "100,000 unclosed ${{ + deep parens",
        dir.path(),
        "many.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
}

// ---------------------------------------------------------------------------------------------
// Bytes.

#[test]
fn random_bytes() {
    let mut s = 0x5EED_u64;
    let bytes: Vec<u8> = (0..1_000_000).map(|_| splitmix(&mut s) as u8).collect();
    let dir = workdir();
    write(dir.path(), "random.yml", &bytes);
    check(
        "1 MB of random bytes",
        dir.path(),
        "random.yml",
        &Expect::findings(1, &["syntax-error"]),
    );
}

#[test]
fn random_yaml_characters() {
    // Valid UTF-8 made of YAML's special characters: it gets past the UTF-8 check into the
    // parser. Whatever it finds, it must not crash (exit 2) or hang.
    let alphabet: Vec<char> = "ab: -[]{}&*!|>'\"%@`#,?\n\n\n  \t\\$(){}é😀\u{85}\u{2028}\u{feff}"
        .chars()
        .collect();
    let mut s = 0xA11CE_u64;
    let dir = workdir();
    for k in 0..20 {
        let text: String = (0..20_000)
            .map(|_| alphabet[(splitmix(&mut s) % alphabet.len() as u64) as usize])
            .collect();
        write(dir.path(), &format!("r{k}.yml"), text);
    }
    let mut args: Vec<OsString> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend((0..20).map(|k| OsString::from(format!("r{k}.yml"))));
    args.push("good.yml".into());
    let r = run(dir.path(), &args);
    assert_bounded("20 files of random YAML characters", &r);
    assert_eq!(r.code, Some(1), "{}", cut(&r.stderr));
    assert!(
        r.rules_for("good.yml")
            .contains(&"nox/cache-missing".to_string())
    );
}

#[test]
fn latin1_workflow() {
    let dir = workdir();
    let mut bytes = b"name: caf".to_vec();
    bytes.push(0xE9); // Latin-1 e-acute
    bytes.extend_from_slice(
        b" tests\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n",
    );
    write(dir.path(), "latin1.yml", &bytes);
    let r = check(
        "Latin-1 workflow",
        dir.path(),
        "latin1.yml",
        &Expect::findings(1, &["syntax-error"]),
    );
    let d = &r.json()[0];
    assert_eq!(
        (d["line"].as_i64(), d["column"].as_i64()),
        (Some(1), Some(10))
    );
    assert_eq!(d["offset"].as_i64(), Some(9));
}

#[test]
fn empty_and_comment_only_files() {
    let dir = workdir();
    write(dir.path(), "empty.yml", "");
    write(dir.path(), "comment.yml", "# nothing here but a comment\n");
    write(dir.path(), "blank.yml", "\n\n   \n\t\n");
    for (case, file) in [
        ("empty file", "empty.yml"),
        ("only a comment", "comment.yml"),
        ("only blank lines", "blank.yml"),
    ] {
        check(case, dir.path(), file, &Expect::findings(0, &[]));
    }
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read.

#[test]
fn path_that_does_not_exist() {
    let dir = workdir();
    check(
        "a path that does not exist",
        dir.path(),
        "missing.yml",
        &Expect {
            code: 2,
            rules: &[],
            stderr: Some("missing.yml: no such file or directory"),
        },
    );
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir();
    write(dir.path(), "secret.yml", GOOD);
    let p = dir.path().join("secret.yml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        // Running as root (or with CAP_DAC_OVERRIDE): permission bits do not stop reads, so
        // there is nothing unreadable to test. The file is then linted like any other.
        eprintln!("unreadable_file: skipped, permission bits do not block reads here (root?)");
        let r = run(
            dir.path(),
            &[
                "check".into(),
                "--format".into(),
                "json".into(),
                "secret.yml".into(),
            ],
        );
        assert_bounded("chmod 000 file (readable as root)", &r);
        assert_eq!(r.code, Some(1));
        return;
    }
    check(
        "chmod 000 file",
        dir.path(),
        "secret.yml",
        &Expect {
            code: 2,
            rules: &[],
            stderr: Some("secret.yml: permission denied"),
        },
    );
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn fifo_named_on_the_command_line() {
    // Named on the command line, a FIFO is a stream (`<(...)`): read to its end, then linted.
    let dir = workdir();
    let fifo = dir.path().join("ci.yml");
    mkfifo(&fifo);
    // Opening a FIFO for writing waits for its reader, cachelint.
    let writer = std::thread::spawn(move || std::fs::write(fifo, GOOD));
    let r = run(
        dir.path(),
        &[
            "check".into(),
            "--format".into(),
            "json".into(),
            "ci.yml".into(),
        ],
    );
    assert_bounded("FIFO named ci.yml", &r);
    writer.join().unwrap().unwrap();
    assert_eq!(r.code, Some(1), "stderr:\n{}", cut(&r.stderr));
    assert_eq!(r.rules_for("ci.yml"), ["nox/cache-missing"]);
}

/// A repository whose `.github/workflows` holds `good.yml` and whatever `setup` adds.
fn repo(setup: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join("repo/.github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("good.yml"), GOOD).unwrap();
    setup(&wf);
    dir
}

/// Lints the `repo` folder by directory search; returns the run.
fn check_repo(case: &str, dir: &Path, code: i32, stderr: &str) -> Run {
    let r = run(
        dir,
        &[
            "check".into(),
            "--format".into(),
            "json".into(),
            "repo".into(),
        ],
    );
    assert_bounded(case, &r);
    assert_eq!(r.code, Some(code), "{case}: stderr:\n{}", cut(&r.stderr));
    assert!(
        r.stderr.contains(stderr),
        "{case}: stderr should say {stderr:?}:\n{}",
        cut(&r.stderr)
    );
    assert!(
        r.rules_for("good.yml")
            .contains(&"nox/cache-missing".to_string()),
        "{case}: good.yml was not linted:\n{}",
        cut(&r.stdout)
    );
    r
}

#[test]
fn fifo_found_by_directory_search() {
    // Found by the search, a FIFO is not opened (it would block until a writer came): it is
    // passed over like any file that is not a workflow.
    let dir = repo(|wf| mkfifo(&wf.join("ci.yml")));
    let r = check_repo("FIFO in .github/workflows", dir.path(), 1, "");
    assert!(!r.stderr.contains("ci.yml"), "{}", cut(&r.stderr));
}

#[test]
fn symlink_loop_under_workflows() {
    use std::os::unix::fs::symlink;
    // A directory symlink pointing back up: walking it would never end.
    let dir = repo(|wf| {
        symlink("..", wf.join("loop")).unwrap();
        std::fs::create_dir_all(wf.join("sub")).unwrap();
        symlink("../..", wf.join("sub/up")).unwrap();
    });
    check_repo(
        "directory symlink loop",
        dir.path(),
        2,
        "symbolic link loop",
    );
    // A symlink to itself (ELOOP on stat), found by the search and named directly.
    let dir = repo(|wf| symlink("self.yml", wf.join("self.yml")).unwrap());
    let r = check_repo("self-referencing symlink", dir.path(), 2, "self.yml");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let dir2 = workdir();
    symlink("self.yml", dir2.path().join("self.yml")).unwrap();
    check(
        "self-referencing symlink named directly",
        dir2.path(),
        "self.yml",
        &Expect {
            code: 2,
            rules: &[],
            stderr: Some("self.yml"),
        },
    );
}

#[test]
fn hostile_file_found_by_directory_search() {
    // The directory search path, not only files named directly: a bomb and a non-UTF-8 file
    // beside good.yml in .github/workflows.
    let dir = repo(|wf| {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        std::fs::write(wf.join("bomb.yml"), text).unwrap();
        std::fs::write(wf.join("latin1.yaml"), b"name: \xe9\n").unwrap();
    });
    let r = run(
        dir.path(),
        &[
            "check".into(),
            "--format".into(),
            "json".into(),
            "repo".into(),
        ],
    );
    assert_bounded("bomb + Latin-1 found by search", &r);
    assert_eq!(r.code, Some(1), "{}", cut(&r.stderr));
    assert_eq!(r.rules_for("bomb.yml"), ["limit-exceeded"]);
    assert_eq!(r.rules_for("latin1.yaml"), ["syntax-error"]);
    assert_eq!(r.rules_for("good.yml"), ["nox/cache-missing"]);
}

// ---------------------------------------------------------------------------------------------
// Sizes that expose super-linear work: ordinary YAML, just a lot of it. Each is a few MB at
// most, well under the size limit, and must be linted as fast as any other file of its size.

#[test]
fn many_distinct_mapping_keys() {
    // 150,000 workflow-level `env:` keys (2.6 MB), then a job that runs nox.
    let mut text = String::from("on: push\nenv:\n");
    for i in 0..150_000 {
        text.push_str(&format!("  VAR_{i}: value\n"));
    }
    text.push_str(
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s tests\n",
    );
    let dir = workdir();
    write(dir.path(), "keys.yml", &text);
    check(
        "150,000 distinct keys in one mapping",
        dir.path(),
        "keys.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
}

#[test]
fn many_jobs() {
    // 30,000 jobs (1.2 MB, 270,000 YAML nodes), each running nox: one finding per job.
    let mut text = String::from("on: push\njobs:\n");
    for i in 0..30_000 {
        text.push_str(&format!(
            "  job{i}:\n    runs-on: x\n    steps:\n      - run: nox -s t\n"
        ));
    }
    let dir = workdir();
    write(dir.path(), "jobs.yml", &text);
    let r = check(
        "30,000 jobs",
        dir.path(),
        "jobs.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
    assert_eq!(r.json().len(), 30_000);
}

#[test]
fn many_diagnostics_in_human_format() {
    // 1 MB of comments, then 5,000 duplicate keys: 4,999 diagnostics, all 1 MB into the file.
    // Rendering one must not cost time proportional to its offset (miette's `SourceCode for
    // str` scans from the start of the text: 5 GB of scanning here).
    let mut text = String::from("on: push\n");
    while text.len() < 1_000_000 {
        text.push_str("# a comment line that pads the file so the keys below sit far into it\n");
    }
    for _ in 0..5_000 {
        text.push_str("k: 1\n");
    }
    let dir = workdir();
    write(dir.path(), "dups.yml", &text);
    let r = check(
        "5,000 duplicate keys 1 MB in (json)",
        dir.path(),
        "dups.yml",
        &Expect::findings(1, &["invalid-workflow"]),
    );
    assert_eq!(r.json().len(), 4_999);
    for format in ["human", "concise"] {
        let r = run(
            dir.path(),
            &[
                "check".into(),
                "--format".into(),
                format.into(),
                "dups.yml".into(),
            ],
        );
        assert_bounded(&format!("5,000 duplicate keys 1 MB in ({format})"), &r);
        assert_eq!(r.code, Some(1), "{}", cut(&r.stderr));
        assert!(r.stdout.contains("duplicate key"));
    }
}

#[test]
fn many_cache_paths_and_nox_runs() {
    // One cache step with 20,000 `path:` lines and one script with 2,000 nox runs, each with
    // its own `--envdir` (700 KB): every run is checked against every path line.
    let mut text = String::from(
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/cache@v4\n        with:\n          key: k\n          path: |\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!("            dir{i}/**/x\n"));
    }
    text.push_str("      - run: |\n");
    for i in 0..2_000 {
        text.push_str(&format!("          nox -s t --envdir env{i}\n"));
    }
    let dir = workdir();
    write(dir.path(), "paths.yml", &text);
    check(
        "20,000 cache paths x 2,000 nox runs",
        dir.path(),
        "paths.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
}

#[test]
fn one_line_json_workflow() {
    // YAML is a superset of JSON: a generated workflow can be one 70 KB line, with findings
    // past column 65,535. Every format must render them (exit 1, not an internal error).
    let text = format!(
        "{{\"on\": \"push\", \"jobs\": {{\"t\": {{\"runs-on\": \"x\", \"steps\": [{{\"run\": \"echo {}\"}}, {{\"run\": \"nox -s tests\"}}]}}}}}}\n",
        "a".repeat(70_000)
    );
    let dir = workdir();
    write(dir.path(), "oneline.yml", &text);
    check(
        "one-line 70 KB JSON workflow",
        dir.path(),
        "oneline.yml",
        &Expect::findings(1, &["nox/cache-missing"]),
    );
    for format in ["human", "concise"] {
        let r = run(
            dir.path(),
            &[
                "check".into(),
                "--format".into(),
                format.into(),
                "oneline.yml".into(),
                "good.yml".into(),
            ],
        );
        assert_bounded(&format!("one-line JSON workflow ({format})"), &r);
        assert!(
            !r.stderr.contains("internal error") && !r.stderr.contains("panicked"),
            "{format}: {}",
            cut(&r.stderr)
        );
        assert_eq!(r.code, Some(1), "{format}: {}", cut(&r.stderr));
        assert!(r.stdout.contains("oneline.yml") && r.stdout.contains("good.yml"));
    }
}

#[test]
fn many_ignore_comments() {
    // 100,000 ignore comments on lines of their own, then 20,000 nested mappings each with a
    // trailing one: where each applies is found in one pass, not one scan per comment.
    let mut text = String::from("on: push\n");
    for _ in 0..100_000 {
        text.push_str("# cachelint: ignore[nox/cache-missing]\n");
    }
    text.push_str("jobs:\n  t:\n    runs-on: x\n    steps:\n      - run: nox -s t\n");
    text.push_str("env:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  K{i}: v  # cachelint: ignore[nox/key-missing-hash]\n"
        ));
    }
    let dir = workdir();
    write(dir.path(), "ignores.yml", &text);
    let r = check(
        "120,000 ignore comments",
        dir.path(),
        "ignores.yml",
        &Expect::findings(1, &["suppression/unused"]),
    );
    // The 100,000 comments all apply to `jobs:` (comment lines are skipped), which holds the
    // finding they name: all used. The 20,000 on `env:` lines name a rule that reports nothing.
    assert_eq!(r.json().len(), 20_000);
}
