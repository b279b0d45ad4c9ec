//! cachelint: lints CI workflow files for caching mistakes.
pub mod source;
pub mod workflow;
pub mod yaml;
