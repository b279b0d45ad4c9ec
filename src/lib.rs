//! cachelint: lints GitHub, Forgejo and Gitea Actions workflows for CI caching mistakes.
//!
//! Data flows one way through the layers, each a folder:
//! `source` (file ids, the source database, discovery, line index) -> `yaml` (spanned node tree)
//! -> `workflow` (AST) -> `shell` / `expr` (what `run:` scripts and `${{ }}` expressions do) ->
//! `knowledge` (the list of tools, launchers, cache and setup actions, from `rules/*.yml`) ->
//! `facts` (what each job does: tool invocations and cache steps, with locations) -> `rules`
//! (one file per rule, and the registry) -> `engine` (select, lint one file, run many) ->
//! `report` (one file per output format); `server` is the language server over all of them. [`diagnostic::Diagnostic`] is the one finding type
//! every format renders.

pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod expr;
pub mod facts;
pub mod fix;
pub mod knowledge;
pub mod python;
pub mod report;
pub mod rules;
pub mod server;
pub mod shell;
pub mod source;
pub mod workflow;
pub mod yaml;
