//! Random edits through an in-process server session (`server::serve` on an in-memory
//! connection): open a workflow, send bursts of incremental changes (random ranges, YAML
//! fragments, non-ASCII text), ask for code actions and hovers at random places, and sometimes
//! apply a code action's edit. Checked: no panic is logged by the server (it catches them
//! and says so in `window/logMessage`), every request is answered, and every published
//! diagnostic and every edit range lies inside the document at the version it is of.
//!
//! * `cargo test --test lsp_fuzz` runs a fixed seed, 400 edits.
//! * `CACHELINT_FUZZ_SECONDS=20 CACHELINT_FUZZ_SEED=random cargo test --release --test lsp_fuzz
//!   -- --ignored --nocapture` runs for that long (`.ci/fuzz.sh` does this); the seed is
//!   printed first.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const FRAGMENTS: &[&str] = &[
    "\n",
    " ",
    "  ",
    "- ",
    ": ",
    "#",
    " # cachelint: ignore[nox/cache-missing]",
    "# cachelint: ignore-file[nox]\n",
    "# cachelint: ignore[",
    "]",
    "nox -s tests",
    "pipx run nox -r",
    "uses: actions/cache@v4\n",
    "with:\n  path: .nox\n  key: k-${{ runner.os }}\n",
    "${{ hashFiles('pyproject.toml') }}",
    "${{ matrix.python }}",
    "run: |\n  nox\n",
    "'",
    "\"",
    "{",
    "[",
    "&a ",
    "*a",
    "Tëst 🚀",
    "日本",
    "\r\n",
    "\r",
    "\t",
    "jobs:\n  x:\n    steps:\n      - run: nox\n",
];

const SEED: &str = "name: Tëst 🚀 nox
on: push
jobs:
  tests:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ['3.11', '3.12']
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-${{ runner.os }}
      - run: echo \"Tëst 🚀\" && pipx run nox -s tests
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: uvx nox -s docs # cachelint: ignore[nox/cache-missing, nox/nope]
";

/// Line lengths in UTF-16 units (without line endings; `\n`, `\r\n`, lone `\r` end lines).
fn line_lengths(text: &str) -> Vec<usize> {
    let mut out = vec![];
    let mut cur = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.push(cur);
                cur = 0;
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(cur);
                cur = 0;
            }
            c => cur += c.len_utf16(),
        }
    }
    out.push(cur);
    out
}

/// The byte offset of a valid UTF-16 position of `text`.
fn offset(text: &str, line: usize, col: usize) -> usize {
    let mut l = 0;
    let mut units = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if l == line && units >= col {
            return i;
        }
        match c {
            '\n' => {
                if l == line {
                    return i;
                }
                l += 1;
                units = 0;
            }
            '\r' => {
                if l == line {
                    return i;
                }
                if iter.peek().map(|p| p.1) == Some('\n') {
                    iter.next();
                }
                l += 1;
                units = 0;
            }
            c if l == line => units += c.len_utf16(),
            _ => {}
        }
    }
    text.len()
}

/// A random valid position: a line, and a column at a character boundary on it.
fn position(rng: &mut Rng, text: &str) -> (usize, usize) {
    let lens = line_lengths(text);
    let line = rng.below(lens.len());
    let start = offset(text, line, 0);
    let end = offset(text, line, usize::MAX);
    let cols: Vec<usize> = std::iter::once(0)
        .chain(text[start..end].chars().scan(0, |u, c| {
            *u += c.len_utf16();
            Some(*u)
        }))
        .collect();
    (line, cols[rng.below(cols.len())])
}

fn in_bounds(range: &Value, lens: &[usize]) -> Result<(), String> {
    let get = |p: &Value| -> Option<(usize, usize)> {
        Some((
            p["line"].as_u64()? as usize,
            p["character"].as_u64()? as usize,
        ))
    };
    let (Some(s), Some(e)) = (get(&range["start"]), get(&range["end"])) else {
        return Err(format!("not a range: {range}"));
    };
    for (l, c) in [s, e] {
        if l >= lens.len() || c > lens[l] {
            return Err(format!("{range} outside a document of lines {lens:?}"));
        }
    }
    if s > e {
        return Err(format!("{range} ends before it starts"));
    }
    Ok(())
}

struct Session {
    client: Connection,
    server: Option<std::thread::JoinHandle<Result<bool, String>>>,
    uri: String,
    text: String,
    version: i32,
    /// Line lengths of each version sent.
    versions: HashMap<i64, Vec<usize>>,
    next_id: i32,
    publishes: usize,
}

impl Session {
    fn start(uri: &str) -> Session {
        let (server_end, client) = Connection::memory();
        let server = std::thread::spawn(move || cachelint::server::serve(&server_end));
        let mut s = Session {
            client,
            server: Some(server),
            uri: uri.to_string(),
            text: String::new(),
            version: 0,
            versions: HashMap::new(),
            next_id: 1,
            publishes: 0,
        };
        let r = s.request("initialize", json!({"capabilities": {}}));
        assert!(r.get("result").is_some(), "{r}");
        s.notify("initialized", json!({}));
        s
    }

    fn notify(&self, method: &str, params: Value) {
        self.client
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    /// Checks one message from the server (a publish or a log).
    fn check(&mut self, m: &Message) -> Result<(), String> {
        let Message::Notification(n) = m else {
            return Ok(());
        };
        match n.method.as_str() {
            "window/logMessage" => {
                let text = n.params["message"].as_str().unwrap_or("");
                if text.contains("internal error") {
                    return Err(format!("the server logged: {text}"));
                }
            }
            "textDocument/publishDiagnostics" => {
                self.publishes += 1;
                let Some(v) = n.params["version"].as_i64() else {
                    return Ok(()); // A close clears without a version.
                };
                let lens = self
                    .versions
                    .get(&v)
                    .ok_or_else(|| format!("a publish for version {v}, never sent"))?;
                for d in n.params["diagnostics"].as_array().into_iter().flatten() {
                    in_bounds(&d["range"], lens)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.client
            .sender
            .send(Message::Request(Request::new(
                RequestId::from(id),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            let m = self
                .client
                .receiver
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            if let Message::Response(r) = &m
                && r.id == RequestId::from(id)
            {
                return serde_json::to_value(r).unwrap();
            }
            if let Err(e) = self.check(&m) {
                panic!("{e}\ntext: {:?}", self.text);
            }
        }
    }

    fn set_version(&mut self) {
        self.version += 1;
        self.versions
            .insert(self.version as i64, line_lengths(&self.text));
    }

    fn open(&mut self, text: &str) {
        self.text = text.to_string();
        self.set_version();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": self.uri, "languageId": "yaml",
                   "version": self.version, "text": self.text}}),
        );
    }

    /// Replaces the range with `new`, as an incremental change.
    fn change(&mut self, (l0, c0): (usize, usize), (l1, c1): (usize, usize), new: &str) {
        let (a, b) = (offset(&self.text, l0, c0), offset(&self.text, l1, c1));
        let ((a, b), (s, e)) = if a <= b {
            ((a, b), ((l0, c0), (l1, c1)))
        } else {
            ((b, a), ((l1, c1), (l0, c0)))
        };
        self.text.replace_range(a..b, new);
        self.set_version();
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri, "version": self.version},
                   "contentChanges": [{"range": {"start": {"line": s.0, "character": s.1},
                                                  "end": {"line": e.0, "character": e.1}},
                                       "text": new}]}),
        );
    }

    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        let clean = self
            .server
            .take()
            .unwrap()
            .join()
            .expect("the server thread panicked");
        assert_eq!(clean, Ok(true));
        // What was left in the queue.
        while let Ok(m) = self.client.receiver.try_recv() {
            if let Err(e) = self.check(&m) {
                panic!("{e}");
            }
        }
    }
}

/// One session of random edits; returns the number of edits made.
fn fuzz(seed: u64, budget: Budget) -> usize {
    let mut rng = Rng(seed | 1);
    let mut s = Session::start("file:///fuzz/repo/.github/workflows/ci.yml");
    s.open(SEED);
    let mut edits = 0;
    while !budget.done(edits) {
        // A burst of changes, coalesced by the server.
        for _ in 0..1 + rng.below(6) {
            let a = position(&mut rng, &s.text);
            let b = if rng.below(3) == 0 {
                a
            } else {
                position(&mut rng, &s.text)
            };
            let new = match rng.below(4) {
                0 => String::new(),
                1 => FRAGMENTS[rng.below(FRAGMENTS.len())].repeat(1 + rng.below(3)),
                _ => FRAGMENTS[rng.below(FRAGMENTS.len())].to_string(),
            };
            s.change(a, b, &new);
            edits += 1;
        }
        if s.text.len() > 20_000 || rng.below(50) == 0 {
            let lens = line_lengths(&s.text);
            s.change((0, 0), (lens.len() - 1, lens[lens.len() - 1]), SEED);
        }
        let (l, c) = position(&mut rng, &s.text);
        let lens = line_lengths(&s.text);
        let h = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": s.uri}, "position": {"line": l, "character": c}}),
        );
        assert!(h.get("error").is_none(), "{h}");
        if let Some(r) = h["result"].get("range") {
            in_bounds(r, &lens).unwrap_or_else(|e| panic!("hover: {e}\n{:?}", s.text));
        }
        let end = (lens.len() - 1, lens[lens.len() - 1]);
        let (l2, c2) = if rng.below(2) == 0 { end } else { (l, c) };
        let r = s.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": s.uri},
                   "range": {"start": {"line": l.min(l2), "character": 0},
                             "end": {"line": l.max(l2), "character": c2}},
                   "context": {"diagnostics": []}}),
        );
        assert!(r.get("error").is_none(), "{r}");
        let actions = r["result"].as_array().cloned().unwrap_or_default();
        for a in &actions {
            for e in a["edit"]["changes"][s.uri.as_str()]
                .as_array()
                .into_iter()
                .flatten()
            {
                in_bounds(&e["range"], &lens)
                    .unwrap_or_else(|err| panic!("code action: {err}\n{:?}", s.text));
            }
        }
        // Sometimes apply one action's first edit, as an editor would.
        if !actions.is_empty() && rng.below(3) == 0 {
            let a = &actions[rng.below(actions.len())];
            if let Some(e) = a["edit"]["changes"][s.uri.as_str()]
                .as_array()
                .and_then(|v| v.first())
            {
                let p = |v: &Value| {
                    (
                        v["line"].as_u64().unwrap() as usize,
                        v["character"].as_u64().unwrap() as usize,
                    )
                };
                let new = e["newText"].as_str().unwrap().to_string();
                s.change(p(&e["range"]["start"]), p(&e["range"]["end"]), &new);
                edits += 1;
            }
        }
    }
    eprintln!(
        "lsp fuzz: seed {seed}: {edits} edits, {} publishes",
        s.publishes
    );
    s.finish();
    edits
}

#[derive(Clone, Copy)]
enum Budget {
    Edits(usize),
    Until(Instant),
}

impl Budget {
    fn done(self, edits: usize) -> bool {
        match self {
            Budget::Edits(n) => edits >= n,
            Budget::Until(t) => Instant::now() >= t,
        }
    }
}

#[test]
fn random_edits_fixed_seed() {
    assert!(fuzz(0x5eed_1234, Budget::Edits(400)) >= 400);
}

#[test]
#[ignore]
fn lsp_fuzz_long() {
    let secs: u64 = std::env::var("CACHELINT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let seed = match std::env::var("CACHELINT_FUZZ_SEED").ok().as_deref() {
        None | Some("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        Some(s) => s
            .strip_prefix("0x")
            .map_or_else(|| s.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
            .expect("CACHELINT_FUZZ_SEED: a number, 0x-hex or `random`"),
    };
    eprintln!("lsp fuzz: seed {seed}, {secs} s (rerun with CACHELINT_FUZZ_SEED={seed})");
    let until = Instant::now() + Duration::from_secs(secs);
    let mut round = 0u64;
    while Instant::now() < until {
        let budget = Budget::Until((Instant::now() + Duration::from_secs(5)).min(until));
        fuzz(seed.wrapping_add(round), budget);
        round += 1;
    }
}

#[test]
fn the_bounds_check_rejects_ranges_outside_the_document() {
    let lens = line_lengths("ab\r\n🚀\rc");
    assert_eq!(lens, [2, 2, 1]);
    let r = |l0: u32, c0: u32, l1: u32, c1: u32| json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}});
    assert!(in_bounds(&r(0, 0, 2, 1), &lens).is_ok());
    assert!(in_bounds(&r(0, 3, 0, 3), &lens).is_err());
    assert!(in_bounds(&r(3, 0, 3, 0), &lens).is_err());
    assert!(in_bounds(&r(1, 1, 0, 0), &lens).is_err());
    assert_eq!(offset("ab\r\n🚀\rc", 1, 2), 8);
    assert_eq!(offset("ab\r\n🚀\rc", 2, 9), 10);
}
