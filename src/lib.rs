//! cachelint: lints GitHub, Forgejo and Gitea Actions workflows for CI caching mistakes.
//!
//! Data flows one way through the layers, each a folder:
//! `source` (discovery, bytes, line index) -> `yaml` (spanned node tree) -> `workflow` (AST) ->
//! `shell` / `expr` (what `run:` scripts and `${{ }}` expressions do) -> `tools` (tool
//! knowledge from `rules/*.yml`, applied to jobs) -> `rules` (one file per rule, and the
//! registry) -> `engine` (runs the rules over files) -> `report` (one file per output format).
//! [`diagnostic::Diagnostic`] is the one finding type every format renders.

pub mod diagnostic;
pub mod engine;
pub mod expr;
pub mod report;
pub mod rules;
pub mod shell;
pub mod source;
pub mod tools;
pub mod workflow;
pub mod yaml;
