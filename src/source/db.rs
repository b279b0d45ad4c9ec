//! The source database: every file of a run, by [`FileId`]. Files come from disk, from standard
//! input, or from memory (an editor's unsaved buffer); the engine reads everything it needs (the
//! linted file, the local composite actions it uses) through here and never touches the disk
//! itself. A database made with [`SourceDb::in_memory`] never reads the disk at all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::{InputError, SourceFile, Span};

/// A file of the run. Ids are dense and stable for the life of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in a named file: where every fact and label points.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file.
    pub file: FileId,
    /// Bytes in that file's original text.
    pub span: Span,
}

impl Location {
    /// A location in `file`.
    pub fn new(file: FileId, span: Span) -> Self {
        Location { file, span }
    }
}

/// Where a database may read files that were not given to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Files not in memory are read from disk (the command line).
    Disk,
    /// Only files given in memory exist (tests, a language server without disk access).
    MemoryOnly,
}

struct Slot {
    /// `None` once released (see [`SourceDb::release`]); reopened from disk on demand.
    file: Option<Arc<SourceFile>>,
    /// Given in memory: never released, never re-read.
    pinned: bool,
    /// The name shown in reports (kept when the text is released).
    name: String,
}

#[derive(Default)]
struct Inner {
    slots: Vec<Slot>,
    /// By [`key`]: the path's bytes (hashing a `PathBuf` walks its components, measured at
    /// about 1,500 instructions a lookup; its bytes hash in a tenth of that).
    by_path: HashMap<std::ffi::OsString, FileId>,
    /// The keys of the files given in memory with a path ([`SourceDb::add`]), for
    /// [`SourceDb::list`] (which must not walk every file read from disk).
    given: Vec<std::ffi::OsString>,
    /// [`SourceDb::holds_other_than`]'s answers from disk, by folder and names skipped (each
    /// repository's root is asked once per workflow file: read once per run).
    holds: HashMap<(std::ffi::OsString, String), bool>,
}

/// Every file of a run. Shared by the worker threads; reads are cheap (`Arc` clones).
pub struct SourceDb {
    backing: Backing,
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for SourceDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceDb")
            .field("backing", &self.backing)
            .finish_non_exhaustive()
    }
}

/// A lexically normalised path used as the lookup key (`a/./b/../c` is `a/c`), so the same file
/// reached two ways is read once.
fn key(path: &Path) -> std::ffi::OsString {
    use std::path::Component;
    let mut bytes = path.as_os_str().as_encoded_bytes();
    while let Some(rest) = bytes.strip_prefix(b"./") {
        bytes = rest;
    }
    // Most paths have no `.`, `..` or empty component: use them as they are.
    let plain = !bytes.ends_with(b"/")
        && bytes
            .split(|&b| b == b'/')
            .enumerate()
            .all(|(i, c)| c != b"." && c != b".." && (i == 0 || !c.is_empty()));
    if plain
        && !bytes.is_empty()
        && let Some(text) = path.to_str()
    {
        // `bytes` is `text` after whole `./` prefixes.
        return text[text.len() - bytes.len()..].into();
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.into_os_string()
}

impl SourceDb {
    /// A database that reads from disk what it was not given.
    pub fn disk() -> Self {
        Self::with_backing(Backing::Disk)
    }

    /// A database that knows only the files given to it.
    pub fn in_memory() -> Self {
        Self::with_backing(Backing::MemoryOnly)
    }

    fn with_backing(backing: Backing) -> Self {
        SourceDb {
            backing,
            inner: RwLock::new(Inner::default()),
        }
    }

    fn read_inner(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_inner(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a file held in memory (standard input, an editor buffer). A file with a path shadows
    /// the file on disk at that path, for every later [`SourceDb::open`].
    pub fn add(&self, file: SourceFile) -> FileId {
        let mut inner = self.write_inner();
        let path = file.path.as_deref().map(key);
        let name = file.name.clone();
        let slot = Slot {
            file: Some(Arc::new(file)),
            pinned: true,
            name,
        };
        if let Some(p) = &path
            && let Some(&id) = inner.by_path.get(p)
        {
            inner.slots[id.0 as usize] = slot;
            if !inner.given.contains(p) {
                inner.given.push(p.clone());
            }
            return id;
        }
        let id = FileId(inner.slots.len() as u32);
        inner.slots.push(slot);
        if let Some(p) = path {
            inner.given.push(p.clone());
            inner.by_path.insert(p, id);
        }
        id
    }

    /// Puts `file` in the place of the file `id` (a fixed text, an edited buffer), pinned in
    /// memory. Returns `false` for an unknown id.
    pub fn replace(&self, id: FileId, file: SourceFile) -> bool {
        let mut inner = self.write_inner();
        let Some(slot) = inner.slots.get_mut(id.0 as usize) else {
            return false;
        };
        slot.name = file.name.clone();
        slot.file = Some(Arc::new(file));
        slot.pinned = true;
        true
    }

    /// The file at `path`: from memory when it was given or read before, else from disk (with a
    /// [`Backing::Disk`] database).
    pub fn open(&self, path: &Path) -> Result<FileId, InputError> {
        let k = key(path);
        {
            let inner = self.read_inner();
            if let Some(&id) = inner.by_path.get(&k)
                && inner.slots[id.0 as usize].file.is_some()
            {
                return Ok(id);
            }
        }
        if self.backing == Backing::MemoryOnly {
            return Err(InputError::new(path, "no such file or directory"));
        }
        let file = SourceFile::read(path)?;
        let mut inner = self.write_inner();
        let name = file.name.clone();
        let slot = Slot {
            file: Some(Arc::new(file)),
            pinned: false,
            name,
        };
        if let Some(&id) = inner.by_path.get(&k) {
            // Another thread may have read it meanwhile: either copy is the file.
            let s = &mut inner.slots[id.0 as usize];
            if s.file.is_none() {
                *s = slot;
            }
            return Ok(id);
        }
        let id = FileId(inner.slots.len() as u32);
        inner.slots.push(slot);
        inner.by_path.insert(k, id);
        Ok(id)
    }

    /// The files directly in the folder `dir`: those given in memory, and for a disk-backed
    /// database those on disk (sorted; unreadable folders list nothing from disk).
    pub fn list(&self, dir: &Path) -> Vec<PathBuf> {
        let want = key(dir);
        let mut out: Vec<PathBuf> = self
            .read_inner()
            .given
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.parent().map(key).is_some_and(|d| d == want))
            .collect();
        if self.backing == Backing::Disk
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            for e in entries.flatten().take(4096) {
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    out.push(dir.join(e.file_name()));
                }
            }
        }
        out.sort();
        out.dedup_by(|a, b| key(a) == key(b));
        out
    }

    /// Whether the folder `dir` holds anything (a file or a folder, in memory or on disk) whose
    /// name is not one of `skip`.
    pub fn holds_other_than(&self, dir: &Path, skip: &[&str]) -> bool {
        let want = key(dir);
        let given = self.read_inner().given.iter().any(|p| {
            let p = Path::new(p);
            p.ancestors().skip(1).any(|a| {
                key(a) == want
                    && p.strip_prefix(a)
                        .ok()
                        .and_then(|r| r.components().next())
                        .is_some_and(|c| !skip.iter().any(|s| c.as_os_str() == *s))
            })
        });
        if given {
            return true;
        }
        if self.backing != Backing::Disk {
            return false;
        }
        let memo = (want, skip.join("/"));
        if let Some(&known) = self.read_inner().holds.get(&memo) {
            return known;
        }
        let found = std::fs::read_dir(dir).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| !skip.iter().any(|s| e.file_name() == *s)))
        });
        self.write_inner().holds.insert(memo, found);
        found
    }

    /// Whether a file exists at `path` (in memory, or on disk for a disk-backed database).
    pub fn exists(&self, path: &Path) -> bool {
        let k = key(path);
        if self.read_inner().by_path.contains_key(&k) {
            return true;
        }
        self.backing == Backing::Disk && path.is_file()
    }

    /// The file with this id. A released file is re-read from disk; `None` only when that fails
    /// or the id is unknown.
    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        let path = {
            let inner = self.read_inner();
            let slot = inner.slots.get(id.0 as usize)?;
            if let Some(f) = &slot.file {
                return Some(f.clone());
            }
            inner
                .by_path
                .iter()
                .find(|(_, v)| **v == id)
                .map(|(p, _)| PathBuf::from(p))?
        };
        self.open(&path).ok().and_then(|id| self.get_loaded(id))
    }

    fn get_loaded(&self, id: FileId) -> Option<Arc<SourceFile>> {
        self.read_inner()
            .slots
            .get(id.0 as usize)
            .and_then(|s| s.file.clone())
    }

    /// The name a file is shown as in reports (known even after its text was released).
    pub fn name(&self, id: FileId) -> String {
        self.read_inner()
            .slots
            .get(id.0 as usize)
            .map_or_else(String::new, |s| s.name.clone())
    }

    /// Lets go of a file's text once nothing of the run needs it any more, so memory stays flat
    /// over many files. Files given in memory are kept.
    pub fn release(&self, id: FileId) {
        let mut inner = self.write_inner();
        if let Some(s) = inner.slots.get_mut(id.0 as usize)
            && !s.pinned
        {
            s.file = None;
        }
    }

    /// Number of files known.
    pub fn len(&self) -> usize {
        self.read_inner().slots.len()
    }

    /// Whether the database holds no file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(path: &str, text: &str) -> SourceFile {
        let mut f = SourceFile::from_text(path, text);
        f.path = Some(PathBuf::from(path));
        f
    }

    #[test]
    fn memory_only_database_never_reads_the_disk() {
        let db = SourceDb::in_memory();
        let id = db.add(mem("repo/.github/workflows/ci.yml", "on: push\n"));
        assert_eq!(db.open(Path::new("repo/.github/workflows/ci.yml")), Ok(id));
        assert_eq!(
            db.open(Path::new("./repo/x/../.github/workflows/ci.yml")),
            Ok(id)
        );
        // Cargo.toml exists on disk, but not in this database.
        assert!(db.open(Path::new("Cargo.toml")).is_err());
        assert!(!db.exists(Path::new("Cargo.toml")));
        assert_eq!(
            db.get(id).map(|f| f.text.clone()).as_deref(),
            Some("on: push\n")
        );
    }

    #[test]
    fn a_buffer_shadows_the_file_on_disk() {
        let db = SourceDb::disk();
        let disk = db.open(Path::new("Cargo.toml")).unwrap();
        assert!(db.get(disk).unwrap().text.contains("[package]"));
        let buf = db.add(mem("Cargo.toml", "edited"));
        assert_eq!(buf, disk);
        assert_eq!(db.get(disk).unwrap().text, "edited");
        db.release(disk);
        assert_eq!(db.get(disk).unwrap().text, "edited", "buffers are pinned");
    }

    #[test]
    fn keys_normalise_dot_components_only() {
        let k = |p: &str| key(Path::new(p)).into_string().unwrap();
        assert_eq!(
            k("repo/.github/workflows/ci.yml"),
            "repo/.github/workflows/ci.yml"
        );
        assert_eq!(k("./repo/./.github//x.yml"), "repo/.github/x.yml");
        assert_eq!(k("repo/a/../b.yml"), "repo/b.yml");
        assert_eq!(k("/abs/.x/y"), "/abs/.x/y");
        assert_eq!(k("../up/x"), "../up/x");
    }

    #[test]
    fn released_files_are_read_again() {
        let db = SourceDb::disk();
        let id = db.open(Path::new("Cargo.toml")).unwrap();
        db.release(id);
        assert_eq!(db.name(id), "Cargo.toml");
        assert!(db.get(id).unwrap().text.contains("[package]"));
        assert_eq!(db.len(), 1);
    }
}
