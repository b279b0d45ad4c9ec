//! `cachelint server` as an editor sees it: the real binary, spoken to over its standard input
//! and output with `Content-Length` framing. Each test starts a server, opens documents,
//! checks the published diagnostics (exact ranges, UTF-16 and UTF-8 columns), applies code
//! actions to the text as an editor would, and ends with shutdown / exit and exit code 0.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const WORKFLOW: &str = r#"name: Tëst 🚀 nox
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
"#;

const DOCS_BASE: &str = "https://github.com/cachelint/cachelint/blob/main/docs/rules/";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cachelint")
}

/// A repository in a temporary folder (with an empty `cachelint.toml`, so no configuration
/// file above it is read) and the path of its workflow.
fn repo(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cachelint.toml"), "").unwrap();
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
    std::fs::write(&wf, text).unwrap();
    (dir, wf)
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// What `cachelint check --fix` (with `extra` flags) makes of `text` at that path in a repository.
fn cli_fix(text: &str, extra: &[&str]) -> String {
    let (_dir, wf) = repo(text);
    let out = Command::new(bin())
        .args(["check", "--fix", "--quiet"])
        .args(extra)
        .arg(&wf)
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "{out:?}");
    std::fs::read_to_string(&wf).unwrap()
}

/// The rule ids `cachelint check` reports for `text` in a repository.
fn cli_rules(text: &str) -> Vec<String> {
    let (_dir, wf) = repo(text);
    let out = Command::new(bin())
        .args(["check", "--format", "json"])
        .arg(&wf)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Messages read but not yet asked for.
    pending: Vec<Value>,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(bin())
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
            pending: vec![],
        }
    }

    fn send(&mut self, v: Value) {
        let body = serde_json::to_string(&v).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Several messages in one write, so the server reads them together.
    fn send_together(&mut self, vs: &[Value]) {
        let mut out = String::new();
        for v in vs {
            let body = serde_json::to_string(v).unwrap();
            out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        }
        self.stdin.write_all(out.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The first message `pick` accepts (others are kept for later), within 20 seconds.
    fn wait(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pick) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if pick(&m) => return m,
                Ok(m) => self.pending.push(m),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("no {what}; got {:#?}", self.pending)
                }
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("response to {method}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities,
                   "initializationOptions": options}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let m = self.wait("publishDiagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"].clone()
    }

    fn open(&mut self, uri: &str, text: &str, version: i32) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
        );
    }

    fn change_full(&mut self, uri: &str, text: &str, version: i32) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn code_actions(&mut self, uri: &str, range: &Value, only: Option<Value>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(o) = only {
            context["only"] = o;
        }
        let r = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        );
        r["result"].as_array().cloned().unwrap_or_default()
    }

    /// Shutdown, exit, and the exit code.
    fn finish(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Converts an LSP position to a byte offset of `text` (UTF-16 or UTF-8 columns), as a client
/// does when it applies an edit.
fn offset(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').unwrap() + 1;
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}

/// `text` with a workspace edit's edits for `uri` applied.
fn apply_edit(text: &str, edit: &Value, uri: &str, utf8: bool) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

fn by_rule<'a>(diags: &'a Value, rule: &str) -> &'a Value {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {diags:#}"))
}

fn rules_of(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn range(l0: u64, c0: u64, l1: u64, c1: u64) -> Value {
    json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}})
}

#[test]
fn diagnostics_quick_fixes_and_a_clean_result() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    let init = c.initialize(json!({}), Value::Null);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["serverInfo"]["name"], "cachelint");

    c.open(&uri, WORKFLOW, 1);
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 1);
    assert_eq!(rules_of(&d), ["nox/cache-missing", "nox/key-missing-hash"]);
    let missing = by_rule(&d, "nox/cache-missing");
    // `pipx run nox` on line 9, after `Tëst 🚀`: 30 characters, 31 UTF-16 units (the rocket
    // is two).
    assert_eq!(missing["range"], range(8, 31, 8, 43));
    assert_eq!(missing["severity"], 2);
    assert_eq!(missing["source"], "cachelint");
    assert_eq!(
        missing["codeDescription"]["href"],
        format!("{DOCS_BASE}nox/cache-missing.md")
    );
    let related = missing["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["message"] == "in this job" && r["location"]["uri"] == uri.as_str()),
        "{related:#?}"
    );
    let hash = by_rule(&d, "nox/key-missing-hash");
    assert_eq!(hash["range"], range(16, 15, 16, 40));

    // The safe fix of nox/key-missing-hash: preferred, and what `--fix` makes.
    let actions = c.code_actions(&uri, &hash["range"], None);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("no preferred quick fix in {actions:#?}"));
    assert_eq!(fix["diagnostics"][0]["code"], "nox/key-missing-hash");
    let fixed = apply_edit(WORKFLOW, &fix["edit"], &uri, false);
    assert_eq!(fixed, cli_fix(WORKFLOW, &[]));
    c.change_full(&uri, &fixed, 2);
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 2);
    assert_eq!(rules_of(&d), ["nox/cache-missing"]);

    // The unsafe fix of nox/cache-missing is offered, not preferred, and is what
    // `--fix --unsafe-fixes` makes; sent back as incremental changes, the file is clean.
    let missing = by_rule(&d, "nox/cache-missing").clone();
    let actions = c.code_actions(&uri, &missing["range"], Some(json!(["quickfix"])));
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Fix (unsafe)"))
        .unwrap_or_else(|| panic!("no unsafe fix in {actions:#?}"));
    assert_eq!(fix["isPreferred"], false);
    let edits = fix["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap()
        .clone();
    let clean = apply_edit(&fixed, &fix["edit"], &uri, false);
    assert_eq!(clean, cli_fix(&fixed, &["--unsafe-fixes"]));
    // Incremental changes apply in order, each to the text the one before made: last first.
    let mut changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    changes.sort_by_key(|c| {
        let s = &c["range"]["start"];
        std::cmp::Reverse((s["line"].as_u64(), s["character"].as_u64()))
    });
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": changes}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 3);
    assert_eq!(d["diagnostics"], json!([]), "{clean}");
    assert!(cli_rules(&clean).is_empty());

    // Closing clears the file's diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["diagnostics"], json!([]));
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn fix_all_is_what_check_fix_makes_and_utf8_columns() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    let init = c.initialize(
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        Value::Null,
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    c.open(&uri, WORKFLOW, 7);
    let d = c.diagnostics(&uri);
    // 30 characters before `pipx`: `ë` is 2 bytes, the rocket 4.
    assert_eq!(
        by_rule(&d, "nox/cache-missing")["range"],
        range(8, 34, 8, 46)
    );
    let actions = c.code_actions(&uri, &range(0, 0, 0, 0), Some(json!(["source.fixAll"])));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.cachelint");
    let fixed = apply_edit(WORKFLOW, &actions[0]["edit"], &uri, true);
    assert_eq!(fixed, cli_fix(WORKFLOW, &[]));
    assert_ne!(fixed, WORKFLOW);
    // `only: ["quickfix"]` leaves fix-all out.
    let quick = c.code_actions(&uri, &range(0, 0, 20, 0), Some(json!(["quickfix"])));
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"), "{quick:#?}");
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn ignore_action_and_hover() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    c.open(&uri, WORKFLOW, 1);
    let d = c.diagnostics(&uri);
    let missing = by_rule(&d, "nox/cache-missing").clone();

    // Hover on the finding: its message and the rule's page.
    let explain = |rule: &str| {
        let out = Command::new(bin())
            .args(["explain", rule])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 33}}),
    );
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert_eq!(h["result"]["contents"]["kind"], "markdown");
    assert!(value.contains(missing["message"].as_str().unwrap()));
    assert!(value.contains(&explain("nox/cache-missing")), "{value}");
    assert_eq!(h["result"]["range"], missing["range"]);
    // Nothing to say on a line with no finding.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}),
    );
    assert_eq!(h["result"], Value::Null);

    let actions = c.code_actions(&uri, &missing["range"], None);
    let ignore = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Ignore `nox/cache-missing`")
        })
        .unwrap_or_else(|| panic!("no ignore action in {actions:#?}"));
    let ignored = apply_edit(WORKFLOW, &ignore["edit"], &uri, false);
    assert_eq!(
        ignored.lines().nth(8).unwrap(),
        "      - run: echo \"Tëst 🚀\" && pipx run nox -s tests  # cachelint: ignore[nox/cache-missing]"
    );
    // The CLI reads the comment the same way.
    assert_eq!(cli_rules(&ignored), ["nox/key-missing-hash"]);
    c.change_full(&uri, &ignored, 2);
    let d = c.diagnostics(&uri);
    assert_eq!(rules_of(&d), ["nox/key-missing-hash"]);

    // Hover on the rule id inside the comment: the rule's page, as `cachelint explain` prints it.
    let col = ignored
        .lines()
        .nth(8)
        .unwrap()
        .find("nox/cache-missing]")
        .unwrap();
    // In UTF-16 units: `ë` is 2 bytes and 1 unit, the rocket 4 bytes and 2 units.
    let start16 = (col - 3) as u64;
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": start16 + 3}}),
    );
    assert_eq!(
        h["result"]["contents"]["value"].as_str().unwrap(),
        explain("nox/cache-missing")
    );
    assert_eq!(h["result"]["range"], range(8, start16, 8, start16 + 17));
    assert_eq!(c.finish(), Some(0));
}

/// eglot 1.9 without markdown-mode offers `hover.contentFormat: ["plaintext"]`: the hover's
/// text is then marked `plaintext` (the same text a Markdown client gets).
#[test]
fn hover_is_plaintext_for_a_client_that_reads_no_markdown() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 33}});
    let mut hovers = vec![];
    for formats in [json!(["plaintext"]), json!(["markdown", "plaintext"])] {
        let mut c = Client::start();
        c.initialize(
            json!({"textDocument": {"hover": {"contentFormat": formats}}}),
            Value::Null,
        );
        c.open(&uri, WORKFLOW, 1);
        c.diagnostics(&uri);
        hovers.push(c.request("textDocument/hover", at.clone())["result"].clone());
        assert_eq!(c.finish(), Some(0));
    }
    assert_eq!(hovers[0]["contents"]["kind"], "plaintext");
    assert_eq!(hovers[1]["contents"]["kind"], "markdown");
    assert_eq!(
        hovers[0]["contents"]["value"],
        hovers[1]["contents"]["value"]
    );
    assert!(
        hovers[0]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("nox/cache-missing")
    );
}

#[test]
fn an_open_action_buffer_is_read_instead_of_the_disk() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nox/cache-missing/fire/composite-repo");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cachelint.toml"), "").unwrap();
    let wf = dir.path().join(".github/workflows/ci.yml");
    let action = dir.path().join(".github/actions/run-nox/action.yml");
    for (from, to) in [
        (".github/workflows/ci.yml", &wf),
        (".github/actions/run-nox/action.yml", &action),
    ] {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture.join(from), to).unwrap();
    }
    let wf_text = std::fs::read_to_string(&wf).unwrap();
    let action_text = std::fs::read_to_string(&action).unwrap();
    let (wf_uri, action_uri) = (uri_of(&wf), uri_of(&action));
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    c.open(&wf_uri, &wf_text, 1);
    let d = c.diagnostics(&wf_uri);
    // The action on disk runs nox: both `uses:` lines are reported, with the nox command in
    // the action as related information.
    assert_eq!(rules_of(&d), ["nox/cache-missing", "nox/cache-missing"]);
    assert_eq!(
        by_rule(&d, "nox/cache-missing")["range"]["start"]["line"],
        9
    );
    let related = by_rule(&d, "nox/cache-missing")["relatedInformation"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == action_uri.as_str()),
        "{related:#?}"
    );

    // The action's buffer, unsaved, no longer runs nox: the workflow is linted again from it.
    c.open(&action_uri, &action_text, 1);
    let edited = action_text.replace("nox -s ${{ inputs.session }}", "echo done");
    c.change_full(&action_uri, &edited, 2);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let d = c.diagnostics(&wf_uri);
        if d["diagnostics"] == json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "still {d:#}");
    }
    // The disk was not touched.
    assert_eq!(std::fs::read_to_string(&action).unwrap(), action_text);
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn bad_input_gets_errors_not_a_crash() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    c.initialize(json!({}), json!({"select": ["nox/cache-missing"]}));
    // Parameters of the wrong shape, an unknown method, unknown documents, absurd positions.
    let r = c.request("textDocument/codeAction", json!({"textDocument": 5}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request("textDocument/definition", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.code_actions(
        "file:///nowhere/.github/workflows/x.yml",
        &range(0, 0, 0, 0),
        None,
    );
    assert!(r.is_empty());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/x.yml", "version": 2},
               "contentChanges": [{"text": "x"}]}),
    );
    c.notify("textDocument/didOpen", json!({"textDocument": "nope"}));
    c.open(
        &uri,
        "on: push\njobs:\n  a:\n    steps:\n      - run: nox -s 'unclosed\n",
        1,
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": range(4_000_000_000, 4_000_000_000, 0, 0), "text": "🚀"}]}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 2);
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4_000_000_000u64, "character": 7}}),
    );
    assert!(h.get("result").is_some(), "{h}");

    // `initializationOptions` select one rule: key-missing-hash is not reported.
    c.change_full(&uri, WORKFLOW, 3);
    let d = c.diagnostics(&uri);
    assert_eq!(rules_of(&d), ["nox/cache-missing"]);

    // A burst of changes: every publish is of a newer version than the one before, and the
    // last is of the last version.
    for v in 4..=60 {
        let text = format!("{WORKFLOW}# edit {v}\n");
        c.change_full(&uri, &text, v);
    }
    let mut last = 3;
    let mut published = 0;
    while last < 60 {
        let d = c.diagnostics(&uri);
        let v = d["version"].as_i64().unwrap();
        assert!(v > last, "version {v} after {last}");
        assert_eq!(rules_of(&d), ["nox/cache-missing"]);
        last = v;
        published += 1;
    }
    eprintln!("57 changes, {published} publishes");
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn configuration_is_read_and_reloaded_when_it_changes() {
    let (dir, wf) = repo(WORKFLOW);
    let config = dir.path().join("cachelint.toml");
    std::fs::write(
        &config,
        "ignore = [\"nox/cache-missing\"]\n[severity]\n\"nox/key-missing-hash\" = \"error\"\n",
    )
    .unwrap();
    let uri = uri_of(&wf);
    let mut c = Client::start();
    c.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Value::Null,
    );
    // The server asks to watch the configuration files.
    let reg = c.wait("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &reg["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/cachelint.toml"),
        "{reg}"
    );
    c.send(json!({"jsonrpc": "2.0", "id": reg["id"], "result": null}));
    c.open(&uri, WORKFLOW, 1);
    let d = c.diagnostics(&uri);
    assert_eq!(rules_of(&d), ["nox/key-missing-hash"]);
    assert_eq!(by_rule(&d, "nox/key-missing-hash")["severity"], 1);

    // Saved with new text: linted again (same version).
    let edited = WORKFLOW.replace("key: nox-docs-${{ runner.os }}", "key: nox-docs");
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}, "text": edited}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 1);
    assert_eq!(rules_of(&d), ["nox/key-missing-hash"]);
    assert_eq!(
        by_rule(&d, "nox/key-missing-hash")["range"],
        range(16, 15, 16, 23)
    );

    std::fs::write(&config, "").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&config), "type": 2}]}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(rules_of(&d), ["nox/cache-missing", "nox/key-missing-hash"]);
    assert_eq!(by_rule(&d, "nox/key-missing-hash")["severity"], 2);
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn an_open_noxfile_buffer_is_read_by_the_workflows() {
    let text = r#"on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        id: py
        with:
          python-version: "3.12"
      - uses: actions/cache@v4
        with:
          path: .nox
          key: nox-${{ runner.os }}-${{ steps.py.outputs.python-version }}-${{ hashFiles('pyproject.toml', 'noxfile.py') }}
      - run: |
          pip install nox
          nox -s tests
"#;
    let (dir, wf) = repo(text);
    let uri = uri_of(&wf);
    let noxfile = uri_of(&dir.path().join("noxfile.py"));
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    c.open(&uri, text, 1);
    assert_eq!(c.diagnostics(&uri)["diagnostics"], json!([]));
    // An unsaved noxfile (none on disk) that turns reuse off for the session nox runs.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": noxfile, "languageId": "python", "version": 1,
               "text": "import nox\n\n\n@nox.session(reuse_venv=False)\ndef tests(session):\n    session.run(\"pytest\")\n"}}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(rules_of(&d), ["nox/cache-without-reuse"]);
    assert_eq!(d["version"], 1);
    // Closing the buffer: the disk has no noxfile, so the finding goes.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": noxfile}}),
    );
    assert_eq!(c.diagnostics(&uri)["diagnostics"], json!([]));
    assert!(!dir.path().join("noxfile.py").exists());
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn a_panic_in_a_request_is_caught_logged_and_the_server_goes_on() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: only a debug build has the method that panics on purpose");
        return;
    }
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    // A debug build (what `cargo test` runs) panics on this method, on purpose.
    let r = c.request("cachelint/debugPanic", json!({}));
    assert_eq!(r["error"]["code"], -32603, "{r}");
    let log = c.wait("logMessage", |m| m["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("internal error: a panic in `cachelint/debugPanic`"),
        "{log}"
    );
    c.open(&uri, WORKFLOW, 1);
    assert_eq!(
        rules_of(&c.diagnostics(&uri)),
        ["nox/cache-missing", "nox/key-missing-hash"]
    );
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn fix_all_is_resolved_when_the_client_resolves_edits() {
    let (_dir, wf) = repo(WORKFLOW);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    let init = c.initialize(
        json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}}),
        Value::Null,
    );
    assert_eq!(
        init["result"]["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    c.open(&uri, WORKFLOW, 1);
    c.diagnostics(&uri);
    let actions = c.code_actions(
        &uri,
        &range(0, 0, 0, 0),
        Some(json!(["source.fixAll.cachelint"])),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    // Offered without its edit: computing it lints the file once per fix.
    assert!(actions[0].get("edit").is_none(), "{actions:#?}");
    let r = c.request("codeAction/resolve", actions[0].clone());
    let fixed = apply_edit(WORKFLOW, &r["result"]["edit"], &uri, false);
    assert_eq!(fixed, cli_fix(WORKFLOW, &[]));
    assert_ne!(fixed, WORKFLOW);
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn a_request_cancelled_while_the_server_is_busy_is_answered_as_cancelled() {
    // A workflow big enough that linting it keeps the server busy while the request and its
    // cancellation arrive behind the change.
    let mut big = String::from("on: push\njobs:\n");
    for i in 0..700 {
        big.push_str(&format!(
            "  t{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox -s tests\n"
        ));
    }
    let (_dir, wf) = repo(&big);
    let uri = uri_of(&wf);
    let mut c = Client::start();
    c.initialize(json!({}), Value::Null);
    c.open(&uri, &big, 1);
    c.diagnostics(&uri);
    // The request and its cancellation come in one write, behind a change that makes the server
    // lint 700 jobs: they are read while it lints. Reading them apart is possible in principle
    // (the server reads the request, finds nothing queued behind it, answers it), so each of three
    // tries may see either answer, and at least one must be the cancellation.
    let hover = |id: i32| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 10}}})
    };
    let mut cancelled = 0;
    for (n, id) in [(2, 1000), (3, 1001), (4, 1002)] {
        c.change_full(&uri, &format!("{big}# {n}\n"), n);
        c.send_together(&[
            hover(id),
            json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}}),
        ]);
        let r = c.wait("the hover's answer", |m| m["id"] == json!(id));
        match r.get("error") {
            Some(e) => {
                assert_eq!(e["code"], json!(-32800), "{r}");
                cancelled += 1;
            }
            None => assert!(r.get("result").is_some(), "{r}"),
        }
    }
    eprintln!("{cancelled} of 3 requests answered as cancelled");
    assert!(cancelled >= 1, "no request was answered as cancelled");
    // The server goes on: the same request, not cancelled, gets its answer.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 10}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(c.finish(), Some(0));
}
