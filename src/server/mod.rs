//! `cachelint server`: a language server over standard input and output (the `lsp-server`
//! crate: synchronous, one thread, no async runtime).
//!
//! The loop: wait for a message, then take every message already queued (a burst of
//! `didChange` is handled as one), handle them in order, then lint each document that changed,
//! latest version only. After each lint the queue is read again; a document that changed
//! meanwhile is not published (its newer version is linted next), so a result is never stale,
//! and diagnostics carry the version they are of. A request cancelled in the same batch is
//! answered with `RequestCancelled`. A panic while handling a message is caught, logged
//! (`window/logMessage`), answered with an internal error when it was a request, and the
//! server goes on.
//!
//! Documents: workflows (`.github|.forgejo|.gitea/workflows/*.y?ml`) and local actions
//! (`action.y?ml`) are linted; every other open buffer (a noxfile) is only read by the lint of
//! the workflows that use it. A change to a buffer that is not a workflow (an action, a
//! noxfile) lints every open document again, since workflows read them.

pub mod actions;
pub mod hover;
pub mod positions;
pub mod state;
pub mod uri;

use std::collections::{BTreeSet, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, PositionEncodingKind, SaveOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde_json::{Value, json};

use positions::{Encoding, apply_change};
use state::{InitOptions, Session};

/// Runs the server on standard input and output until the client says `exit`. `Ok(true)`: a
/// clean exit (`shutdown` came first).
pub fn run_stdio() -> Result<bool, String> {
    let (stdio, io) = Connection::stdio();
    // The stdio connection hands messages over one at a time (its reader waits until each is
    // taken), so nothing would ever be queued behind a request: a thread moves them into an
    // unbounded queue as they are read, where a batch sees a `$/cancelRequest` that came right
    // behind its request. It ends when the connection's reader does.
    let (tx, rx) = crossbeam_channel::unbounded();
    let from_client = stdio.receiver.clone();
    std::thread::spawn(move || {
        for m in from_client {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    let conn = Connection {
        sender: stdio.sender.clone(),
        receiver: rx,
    };
    drop(stdio);
    let clean = serve(&conn)?;
    drop(conn);
    io.join()
        .map_err(|e| format!("the connection failed: {e}"))?;
    Ok(clean)
}

/// The encoding to use: UTF-8 when the client offers it, else UTF-16.
fn negotiate(init: &InitializeParams) -> Encoding {
    let offered = init
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// What the server can do.
pub fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::from(enc.as_str())),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(actions::FIX_ALL),
            ]),
            resolve_provider: Some(true),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves one client on `conn` (the initialize handshake, then the loop) until `exit`.
/// `Ok(true)`: `shutdown` came before `exit`.
pub fn serve(conn: &Connection) -> Result<bool, String> {
    let (id, params) = conn
        .initialize_start()
        .map_err(|e| format!("no initialize request: {e}"))?;
    let mut notes = vec![];
    let init: InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            notes.push(format!(
                "cachelint: the initialize parameters could not be read ({e}); using defaults"
            ));
            InitializeParams::default()
        }
    };
    let enc = negotiate(&init);
    let options = match init.initialization_options.clone() {
        None | Some(Value::Null) => InitOptions::default(),
        Some(v) => serde_json::from_value(v).unwrap_or_else(|e| {
            notes.push(format!(
                "cachelint: initializationOptions: {e}; expected {{\"select\": [...], \"ignore\": [...]}}"
            ));
            InitOptions::default()
        }),
    };
    let mut session = Session::new(enc, options)?;
    session.resolve_edits = init
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref())
        .and_then(|c| c.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
    // eglot 1.9 without markdown-mode offers `["plaintext"]` only.
    session.hover_markdown = init
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.hover.as_ref())
        .and_then(|h| h.content_format.as_ref())
        .is_none_or(|f| f.is_empty() || f.contains(&lsp_types::MarkupKind::Markdown));
    session.log.extend(notes);
    let result = json!({
        "capabilities": capabilities(enc),
        "serverInfo": { "name": "cachelint", "version": env!("CACHELINT_VERSION") },
    });
    conn.initialize_finish(id, result)
        .map_err(|e| format!("the initialize handshake failed: {e}"))?;
    let watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        conn,
        session,
        dirty: BTreeSet::new(),
        shutdown: false,
    };
    if watch {
        server.register_watchers();
    }
    server.flush_log();
    server.run()
}

/// What handling a batch of messages led to.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    /// `exit` arrived.
    Exit,
}

struct Server<'c> {
    conn: &'c Connection,
    session: Session,
    /// Documents to lint, by URI.
    dirty: BTreeSet<String>,
    shutdown: bool,
}

impl Server<'_> {
    fn send(&self, m: impl Into<Message>) {
        // A closed connection ends the loop at the next receive.
        let _ = self.conn.sender.send(m.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params));
    }

    fn log(&self, kind: lsp_types::MessageType, message: String) {
        self.notify(
            "window/logMessage",
            lsp_types::LogMessageParams { typ: kind, message },
        );
    }

    fn flush_log(&mut self) {
        for m in std::mem::take(&mut self.session.log) {
            self.log(lsp_types::MessageType::WARNING, m);
        }
    }

    fn register_watchers(&self) {
        let globs = [
            "**/pyproject.toml",
            "**/cachelint.toml",
            "**/.cachelint.toml",
            "**/action.yml",
            "**/action.yaml",
            "**/noxfile.py",
        ];
        let watchers: Vec<Value> = globs.iter().map(|g| json!({ "globPattern": g })).collect();
        let params = json!({
            "registrations": [{
                "id": "cachelint-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": watchers },
            }]
        });
        self.send(Request::new(
            RequestId::from("cachelint/register-watchers".to_string()),
            "client/registerCapability".to_string(),
            params,
        ));
    }

    fn run(&mut self) -> Result<bool, String> {
        loop {
            let Ok(first) = self.conn.receiver.recv() else {
                return Ok(false); // The client went away without `exit`.
            };
            if self.batch(first) == Flow::Exit {
                return Ok(self.shutdown);
            }
            if self.lint_dirty() == Flow::Exit {
                return Ok(self.shutdown);
            }
        }
    }

    /// Handles `first` and every message queued behind it.
    fn batch(&mut self, first: Message) -> Flow {
        let mut batch = vec![first];
        while let Ok(m) = self.conn.receiver.try_recv() {
            batch.push(m);
        }
        let cancelled: HashSet<RequestId> = batch
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == "$/cancelRequest" => {
                    serde_json::from_value::<lsp_types::CancelParams>(n.params.clone())
                        .ok()
                        .map(|p| match p.id {
                            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
                            lsp_types::NumberOrString::String(s) => RequestId::from(s),
                        })
                }
                _ => None,
            })
            .collect();
        for m in batch {
            let flow = match m {
                Message::Request(r) if cancelled.contains(&r.id) => {
                    self.send(Response::new_err(
                        r.id,
                        ErrorCode::RequestCanceled as i32,
                        "cancelled".to_string(),
                    ));
                    Flow::Continue
                }
                Message::Request(r) => {
                    self.request(r);
                    Flow::Continue
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => Flow::Continue,
            };
            self.flush_log();
            if flow == Flow::Exit {
                return Flow::Exit;
            }
        }
        Flow::Continue
    }

    fn request(&mut self, r: Request) {
        let id = r.id.clone();
        if r.method == "shutdown" {
            self.shutdown = true;
            self.send(Response::new_ok(id, ()));
            return;
        }
        if self.shutdown {
            self.send(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            ));
            return;
        }
        let method = r.method.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.answer(r)));
        let response = match outcome {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => {
                self.log(
                    lsp_types::MessageType::ERROR,
                    format!("cachelint: internal error: a panic in `{method}` (please report it)"),
                );
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("internal error in `{method}`"),
                )
            }
        };
        self.send(response);
    }

    fn answer(&mut self, r: Request) -> Result<Value, (ErrorCode, String)> {
        let bad = |e: serde_json::Error| (ErrorCode::InvalidParams, e.to_string());
        match r.method.as_str() {
            "textDocument/codeAction" => {
                let p: lsp_types::CodeActionParams =
                    serde_json::from_value(r.params).map_err(bad)?;
                let list = actions::code_actions(
                    &mut self.session,
                    &p.text_document.uri,
                    p.range,
                    p.context.only.as_deref(),
                );
                Ok(serde_json::to_value(list).unwrap_or(Value::Null))
            }
            "codeAction/resolve" => {
                let a: lsp_types::CodeAction = serde_json::from_value(r.params).map_err(bad)?;
                let a = actions::resolve(&mut self.session, a);
                Ok(serde_json::to_value(a).unwrap_or(Value::Null))
            }
            "textDocument/hover" => {
                let p: lsp_types::HoverParams = serde_json::from_value(r.params).map_err(bad)?;
                let h = hover::hover(
                    &mut self.session,
                    &p.text_document_position_params.text_document.uri,
                    p.text_document_position_params.position,
                );
                Ok(serde_json::to_value(h).unwrap_or(Value::Null))
            }
            // Debug builds only: lets tests/lsp.rs check that a panic is caught and logged.
            #[cfg(debug_assertions)]
            "cachelint/debugPanic" => panic!("cachelint/debugPanic was asked to panic"),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("cachelint does not handle `{other}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) -> Flow {
        if n.method == "exit" {
            return Flow::Exit;
        }
        let method = n.method.clone();
        if catch_unwind(AssertUnwindSafe(|| self.notified(n))).is_err() {
            self.log(
                lsp_types::MessageType::ERROR,
                format!("cachelint: internal error: a panic in `{method}` (please report it)"),
            );
        }
        Flow::Continue
    }

    /// Marks `uri` to lint, and when it is not a workflow (an action, a noxfile), every open
    /// document too: workflows read it.
    fn changed(&mut self, uri: &Uri) {
        let workflow = self
            .session
            .get(uri)
            .and_then(|d| d.path.as_deref())
            .is_some_and(crate::source::is_workflow_path);
        if workflow {
            self.dirty.insert(uri.as_str().to_string());
        } else {
            self.all_dirty();
        }
    }

    fn all_dirty(&mut self) {
        let all: Vec<String> = self
            .session
            .documents()
            .filter(|d| d.is_linted())
            .map(|d| d.uri.as_str().to_string())
            .collect();
        self.dirty.extend(all);
    }

    fn notified(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
            DidOpenTextDocument, DidSaveTextDocument, Notification as _,
        };
        let enc = self.session.encoding;
        let bad = |e: serde_json::Error| format!("cachelint: `{}`: bad parameters: {e}", n.method);
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    Ok(p) => {
                        let d = p.text_document;
                        let uri = d.uri.clone();
                        self.session.open(d.uri, d.text, d.version);
                        self.changed(&uri);
                    }
                    Err(e) => self.session.log.push(bad(e)),
                }
            }
            DidChangeTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    Ok(p) => {
                        let uri = p.text_document.uri;
                        let Some(doc) = self.session.get_mut(&uri) else {
                            self.session.log.push(format!(
                                "cachelint: a change to `{}`, which is not open",
                                uri.as_str()
                            ));
                            return;
                        };
                        for c in p.content_changes {
                            apply_change(&mut doc.text, c.range, &c.text, enc);
                        }
                        doc.version = p.text_document.version;
                        self.changed(&uri);
                    }
                    Err(e) => self.session.log.push(bad(e)),
                }
            }
            DidSaveTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params) {
                    Ok(p) => {
                        let uri = p.text_document.uri;
                        if let (Some(doc), Some(text)) = (self.session.get_mut(&uri), p.text) {
                            doc.text = text;
                        }
                        if self.session.get(&uri).is_some() {
                            self.changed(&uri);
                        }
                    }
                    Err(e) => self.session.log.push(bad(e)),
                }
            }
            DidCloseTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    Ok(p) => {
                        let uri = p.text_document.uri;
                        if let Some(doc) = self.session.close(&uri) {
                            self.dirty.remove(uri.as_str());
                            if doc.is_linted() {
                                self.publish(uri.clone(), vec![], None);
                            }
                            if !doc
                                .path
                                .as_deref()
                                .is_some_and(crate::source::is_workflow_path)
                            {
                                self.all_dirty();
                            }
                        }
                    }
                    Err(e) => self.session.log.push(bad(e)),
                }
            }
            DidChangeWatchedFiles::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params) {
                    Ok(p) => {
                        let config = p.changes.iter().any(|c| {
                            uri::to_path(&c.uri).is_some_and(|p| Session::is_config_file(&p))
                        });
                        if config {
                            self.session.reload_config();
                        }
                        // Actions and noxfiles on disk are read again by every lint.
                        self.all_dirty();
                    }
                    Err(e) => self.session.log.push(bad(e)),
                }
            }
            _ => {}
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify(
            "textDocument/publishDiagnostics",
            lsp_types::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    /// Lints the changed documents, latest version only; reads the queue after each, and does
    /// not publish a result a newer version made stale.
    fn lint_dirty(&mut self) -> Flow {
        while let Some(key) = self.dirty.pop_first() {
            let Some(doc) = self.session.documents().find(|d| d.uri.as_str() == key) else {
                continue;
            };
            if !doc.is_linted() {
                continue;
            }
            let (uri, version) = (doc.uri.clone(), doc.version);
            let text_len = doc.text.len();
            let outcome = catch_unwind(AssertUnwindSafe(|| self.session.diagnostics(&uri)));
            self.flush_log();
            let diags = match outcome {
                Ok(Some(d)) => d,
                Ok(None) => continue,
                Err(_) => {
                    self.log(
                        lsp_types::MessageType::ERROR,
                        format!(
                            "cachelint: internal error: a panic linting `{}` ({text_len} bytes; please report it)",
                            uri.as_str()
                        ),
                    );
                    continue;
                }
            };
            // Whatever came in meanwhile first: a newer version makes this result stale.
            if let Ok(m) = self.conn.receiver.try_recv()
                && self.batch(m) == Flow::Exit
            {
                return Flow::Exit;
            }
            let current = self.session.get(&uri).map(|d| d.version);
            if current == Some(version) && !self.dirty.contains(&key) {
                self.publish(uri, diags, Some(version));
            }
        }
        Flow::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: i32, method: &str, params: Value) -> Message {
        Message::Request(Request::new(RequestId::from(id), method.into(), params))
    }

    fn notification(method: &str, params: Value) -> Message {
        Message::Notification(Notification::new(method.into(), params))
    }

    /// Runs a server on an in-memory connection with `messages` all queued before it starts,
    /// so they arrive in one batch; returns what it sent.
    fn serve_queued(messages: Vec<Message>) -> (Result<bool, String>, Vec<Message>) {
        let (server, client) = Connection::memory();
        for m in messages {
            client.sender.send(m).unwrap();
        }
        let result = serve(&server);
        drop(server);
        (result, client.receiver.try_iter().collect())
    }

    #[test]
    fn a_cancelled_request_is_answered_as_cancelled_and_the_next_sees_the_latest_text() {
        let uri = "file:///nowhere-cachelint-test/.github/workflows/ci.yml";
        let text = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t\n";
        let hover = json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 15}});
        let mut messages = vec![
            request(1, "initialize", json!({"capabilities": {}})),
            notification("initialized", json!({})),
            notification(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
            ),
        ];
        for v in 2..=10 {
            messages.push(notification(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": v},
                       "contentChanges": [{"text": format!("{text}# {v}\n")}]}),
            ));
        }
        messages.push(request(2, "textDocument/hover", hover.clone()));
        messages.push(request(3, "textDocument/hover", hover));
        messages.push(notification("$/cancelRequest", json!({"id": 2})));
        messages.push(request(4, "shutdown", Value::Null));
        messages.push(notification("exit", Value::Null));
        let (result, sent) = serve_queued(messages);
        assert_eq!(result, Ok(true));
        let publishes: Vec<&Notification> = sent
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    Some(n)
                }
                _ => None,
            })
            .collect();
        // `exit` came in the same batch: nothing was linted.
        assert!(publishes.is_empty(), "{publishes:?}");
        let response = |id: i32| {
            sent.iter()
                .find_map(|m| match m {
                    Message::Response(r) if r.id == RequestId::from(id) => {
                        serde_json::to_value(r).ok()
                    }
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(
            response(2)["error"]["code"],
            json!(ErrorCode::RequestCanceled as i32)
        );
        // The other hover saw the latest text: the finding, on the version-10 buffer.
        let r3 = response(3)["result"].clone();
        assert!(
            r3["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("nox/cache-missing"),
            "{r3}"
        );
        assert_eq!(response(4)["result"], Value::Null);
        assert!(response(4).get("error").is_none());
    }

    #[test]
    fn a_burst_of_changes_is_linted_once_at_its_latest_version() {
        let uri = "file:///nowhere-cachelint-test/.github/workflows/ci.yml";
        let text = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t\n";
        let mut messages = vec![
            request(1, "initialize", json!({"capabilities": {}})),
            notification("initialized", json!({})),
            notification(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
            ),
        ];
        for v in 2..=10 {
            messages.push(notification(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": v},
                       "contentChanges": [{"text": format!("{text}# {v}\n")}]}),
            ));
        }
        let (server, client) = Connection::memory();
        for m in messages {
            client.sender.send(m).unwrap();
        }
        let handle = std::thread::spawn(move || serve(&server));
        let mut publishes = vec![];
        while publishes.is_empty() {
            match client
                .receiver
                .recv_timeout(std::time::Duration::from_secs(30))
            {
                Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                    publishes.push(n)
                }
                Ok(_) => {}
                Err(e) => panic!("no publish: {e}"),
            }
        }
        client
            .sender
            .send(request(2, "shutdown", Value::Null))
            .unwrap();
        client
            .sender
            .send(notification("exit", Value::Null))
            .unwrap();
        assert_eq!(handle.join().unwrap(), Ok(true));
        publishes.extend(client.receiver.try_iter().filter_map(|m| match m {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => Some(n),
            _ => None,
        }));
        // Ten versions queued: one lint, of version 10.
        assert_eq!(publishes.len(), 1, "{publishes:?}");
        assert_eq!(publishes[0].params["version"], 10);
        assert_eq!(
            publishes[0].params["diagnostics"][0]["code"],
            "nox/cache-missing"
        );
    }
}
