//! The engine, in three steps: [`select`] (which rules run, at which severity), [`lint`] (one
//! file, pure: everything it reads comes through the [`SourceDb`](crate::source::SourceDb)) and
//! [`run`] (many files in parallel, each isolated from a panic in another). [`suppress`] applies
//! the file's `# cachelint: ignore[...]` comments to what [`lint`] found.

pub mod lint;
pub mod run;
pub mod select;
pub mod suppress;

pub use lint::{lint, lint_buffer};
pub use run::{FileFixes, Input, Outcome, run, run_with};
pub use select::{
    ALWAYS_REPORTED, Layer, Selection, SelectionError, Settings, closest_id, selector_matches,
    unknown_selectors,
};
