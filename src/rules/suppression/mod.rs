//! The rules about `# cachelint: ignore[...]` comments themselves. The engine reports them
//! (`engine::suppress`), after the other rules have run: whether a suppression is used is only
//! known once every finding of the file is.

pub mod invalid;
pub mod unused;
