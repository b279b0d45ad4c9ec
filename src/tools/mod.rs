//! Tool knowledge (from the top-level `rules/*.yml` data) applied to a workflow: which steps run
//! nox and where its environments go, which steps restore or save a cache and what they cover.

pub mod cache;
mod data;
pub mod facts;
pub mod glob;
pub mod invocation;

pub use cache::Answer;
pub use data::{CacheAction, Knowledge, Launcher, Target, ToolSpec};
pub use facts::{CacheStep, Invocation, JobFacts, analyze_job};
