//! What the server knows: the open documents (their unsaved text and version), the settings of
//! each (from its nearest configuration file and the client's `initializationOptions`), and
//! the lint of one document against a source database holding every open buffer, so that a
//! composite action or a noxfile open in the editor is read from its buffer, not the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location as LspLocation,
    NumberOrString, Uri,
};

use crate::config::{FILE_NAMES, Groups, Resolver};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Layer, Selection, Settings, lint};
use crate::knowledge::Knowledge;
use crate::rules::Registry;
use crate::source::{FileId, SourceDb, SourceFile, is_action_path, is_workflow_path};

use super::positions::{Encoding, Lines};
use super::uri;

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// As the client names it.
    pub uri: Uri,
    /// Its file, for a `file:` URI.
    pub path: Option<PathBuf>,
    /// The buffer's text.
    pub text: String,
    /// The client's version of it.
    pub version: i32,
}

impl Document {
    /// Whether the document is linted: a workflow or a local action's `action.yml` (other
    /// buffers, such as a noxfile, are only read by the workflows that use them).
    pub fn is_linted(&self) -> bool {
        match &self.path {
            Some(p) => is_workflow_path(p) || is_action_path(p),
            // A buffer with no file: linted when its name looks like one.
            None => {
                let name = Path::new(self.uri.as_str());
                is_workflow_path(name) || is_action_path(name)
            }
        }
    }

    /// The name the engine sees (and reports show).
    fn name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => self.uri.as_str().to_string(),
        }
    }

    fn source(&self) -> SourceFile {
        let mut f = SourceFile::from_text(self.name(), self.text.clone());
        f.path = self.path.clone();
        f
    }
}

/// The `initializationOptions` the server reads: `{"select": [...], "ignore": [...]}`, applied
/// over the configuration file's selection as `--select` / `--ignore` are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InitOptions {
    /// Only run these rules (ids or prefixes).
    pub select: Vec<String>,
    /// Do not run these rules.
    pub ignore: Vec<String>,
}

/// One document linted: the database it was linted in (every open buffer), its id there, the
/// findings, and the settings used.
pub struct Linted {
    /// Every open buffer, and what was read from disk.
    pub db: SourceDb,
    /// The document's id in `db`.
    pub id: FileId,
    /// Its findings.
    pub diags: Vec<Diagnostic>,
    /// The tool knowledge used.
    pub knowledge: Arc<Knowledge>,
    /// The rule settings used.
    pub settings: Settings,
}

/// The server's state.
pub struct Session {
    /// How positions count columns.
    pub encoding: Encoding,
    /// The client resolves code actions' edits (`codeAction/resolve`): fix-all is then
    /// computed only when chosen.
    pub resolve_edits: bool,
    /// The client reads Markdown hovers (it lists `markdown` in `hover.contentFormat`, or
    /// lists nothing); otherwise a hover's text is sent as `plaintext`.
    pub hover_markdown: bool,
    knowledge: Arc<Knowledge>,
    layer: Layer,
    resolver: Resolver,
    groups: Groups,
    docs: BTreeMap<String, Document>,
    /// Messages for the client's log (configuration errors), taken by the main loop.
    pub log: Vec<String>,
}

impl Session {
    /// A session with the built-in knowledge and `options` (a bad selector in them is logged
    /// and the options are not used).
    pub fn new(encoding: Encoding, options: InitOptions) -> Result<Session, String> {
        let knowledge =
            Arc::new(Knowledge::load().map_err(|e| format!("internal error: bad rule data: {e}"))?);
        let registry = Registry::new(&knowledge);
        let selection = Selection {
            select: options.select,
            ignore: options.ignore,
        };
        let mut log = vec![];
        let layer = match Settings::new(&registry, &selection) {
            Ok(_) => Layer::from(&selection),
            Err(errors) => {
                for e in errors {
                    log.push(format!(
                        "cachelint: initializationOptions: {e}; the options are not used"
                    ));
                }
                Layer::default()
            }
        };
        Ok(Session {
            encoding,
            resolve_edits: false,
            hover_markdown: true,
            groups: Groups::new(knowledge.clone(), layer.clone()),
            knowledge,
            layer,
            resolver: Resolver::default(),
            docs: BTreeMap::new(),
            log,
        })
    }

    /// Forgets every configuration file read, so the next lint reads them again.
    pub fn reload_config(&mut self) {
        self.resolver = Resolver::default();
        self.groups = Groups::new(self.knowledge.clone(), self.layer.clone());
    }

    /// Whether a changed file is a configuration file.
    pub fn is_config_file(path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| FILE_NAMES.contains(&n))
    }

    /// Opens (or replaces) a document.
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        let path = uri::to_path(&uri);
        self.docs.insert(
            uri.as_str().to_string(),
            Document {
                uri,
                path,
                text,
                version,
            },
        );
    }

    /// Closes a document.
    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.docs.remove(uri.as_str())
    }

    /// An open document.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri.as_str())
    }

    /// An open document, to change.
    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri.as_str())
    }

    /// The open documents.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.docs.values()
    }

    /// The knowledge and settings for a document: its configuration file's, or the defaults
    /// when it has none (or it is broken: then the error is logged).
    fn settings_for(&mut self, doc_path: Option<&Path>) -> (Arc<Knowledge>, Settings) {
        let path = doc_path.unwrap_or(Path::new("."));
        let config = match doc_path {
            Some(p) => match self.resolver.for_path(p, false) {
                Ok(c) => c,
                Err(e) => {
                    self.log.push(format!(
                        "cachelint: configuration error, using the defaults: {}",
                        e.render()
                    ));
                    None
                }
            },
            None => None,
        };
        let group = match self.groups.group_of(config, path) {
            Ok(g) => Some(g),
            Err(e) => {
                self.log.push(format!(
                    "cachelint: configuration error, using the defaults: {}",
                    e.render()
                ));
                self.groups.group_of(None, path).ok()
            }
        };
        match group.and_then(|g| self.groups.groups.get(g)) {
            Some(g) => (g.knowledge.clone(), g.settings.clone()),
            None => {
                let registry = Registry::new(&self.knowledge);
                (self.knowledge.clone(), Settings::all(&registry))
            }
        }
    }

    /// A database with every open buffer (files not open are read from disk by the database
    /// when a workflow uses them), and the id of `uri`'s document in it.
    pub fn database(&self, uri: &Uri) -> (SourceDb, Option<FileId>) {
        let db = SourceDb::disk();
        let mut id = None;
        for d in self.docs.values() {
            let fid = db.add(d.source());
            if d.uri == *uri {
                id = Some(fid);
            }
        }
        (db, id)
    }

    /// Lints the open document `uri` (`None`: not open).
    pub fn lint(&mut self, uri: &Uri) -> Option<Linted> {
        let path = self.get(uri)?.path.clone();
        let (knowledge, settings) = self.settings_for(path.as_deref());
        let (db, id) = self.database(uri);
        let id = id?;
        let diags = lint(&db, id, &knowledge, &settings);
        Some(Linted {
            db,
            id,
            diags,
            knowledge,
            settings,
        })
    }

    /// The document's findings as LSP diagnostics (`None`: not open).
    pub fn diagnostics(&mut self, uri: &Uri) -> Option<Vec<lsp_types::Diagnostic>> {
        let linted = self.lint(uri)?;
        let enc = self.encoding;
        let text = &self.get(uri)?.text;
        let lines = Lines::new(text);
        Some(
            linted
                .diags
                .iter()
                .map(|d| to_lsp(&linted.db, &lines, uri, d, enc))
                .collect(),
        )
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// A finding as an LSP diagnostic: the primary range, the rule id as `code` with its page as
/// `codeDescription`, the labels (and the `uses:` chain into a composite action) as related
/// information.
pub fn to_lsp(
    db: &SourceDb,
    lines: &Lines<'_>,
    uri: &Uri,
    d: &Diagnostic,
    enc: Encoding,
) -> lsp_types::Diagnostic {
    let mut related = vec![];
    let mut add = |loc: &crate::source::Location, message: &str| {
        let found = if loc.file == d.primary.file {
            Some((uri.clone(), lines.range(&loc.span, enc)))
        } else {
            db.get(loc.file).and_then(|f| {
                let u = uri::from_path(f.path.as_deref()?)?;
                Some((u, Lines::new(&f.text).range(&loc.span, enc)))
            })
        };
        if let Some((u, range)) = found {
            related.push(DiagnosticRelatedInformation {
                location: LspLocation::new(u, range),
                message: message.to_string(),
            });
        }
    };
    if let Some(l) = &d.primary_label {
        add(&d.primary, l);
    }
    for l in &d.labels {
        add(&l.location, &l.message);
    }
    for v in &d.via {
        add(v, "used here");
    }
    let href = crate::report::rule_url(d.rule).parse().ok();
    lsp_types::Diagnostic {
        range: lines.range(&d.primary.span, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some("cachelint".to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn only_workflows_and_actions_are_linted() {
        let mut s = Session::new(Encoding::Utf16, InitOptions::default()).unwrap();
        let wf = uri("file:///r/.github/workflows/ci.yml");
        let action = uri("file:///r/.github/actions/x/action.yaml");
        let noxfile = uri("file:///r/noxfile.py");
        let other = uri("file:///r/config/app.yml");
        for u in [&wf, &action, &noxfile, &other] {
            s.open(u.clone(), String::new(), 1);
        }
        let linted: Vec<&str> = s
            .documents()
            .filter(|d| d.is_linted())
            .map(|d| d.uri.as_str())
            .collect();
        assert_eq!(linted, [action.as_str(), wf.as_str()]);
        assert!(s.close(&noxfile).is_some());
        assert!(s.close(&noxfile).is_none());
    }

    #[test]
    fn a_bad_selector_in_the_options_is_logged_and_not_used() {
        let options = InitOptions {
            select: vec!["nox/cache-mising".into()],
            ignore: vec![],
        };
        let mut s = Session::new(Encoding::Utf16, options).unwrap();
        assert_eq!(s.log.len(), 1);
        assert!(
            s.log[0].contains("did you mean `nox/cache-missing`"),
            "{:?}",
            s.log
        );
        // All rules run: the workflow without a cache is reported.
        let wf = uri("file:///nowhere-cachelint-test/.github/workflows/ci.yml");
        let text = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t\n";
        s.open(wf.clone(), text.into(), 1);
        let codes: Vec<_> = s
            .diagnostics(&wf)
            .unwrap()
            .into_iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(
            codes,
            [Some(NumberOrString::String("nox/cache-missing".into()))]
        );
    }
}
