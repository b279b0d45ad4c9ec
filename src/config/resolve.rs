//! Finding the configuration file of each linted file: the nearest in its folder or above,
//! each folder looked at once per run.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::{Config, ConfigError, FILE_NAMES, parse};

/// Finds and reads configuration files, remembering each folder's answer.
#[derive(Debug, Default)]
pub struct Resolver {
    isolated: bool,
    explicit: Option<Arc<Config>>,
    cache: HashMap<PathBuf, Option<Arc<Config>>>,
}

/// `path` made absolute against the working directory, `.` and `..` taken out lexically.
/// The working directory is read once per run (a `getcwd` per linted file showed in profiles).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match CWD.get_or_init(|| std::env::current_dir().ok()) {
            Some(cwd) => cwd.join(path),
            None => path.to_path_buf(),
        }
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

fn read(path: &Path) -> Result<Option<Config>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) => Err(ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            span: None,
            message: format!("cannot read the configuration file: {e}"),
        }),
    }
}

impl Resolver {
    /// A resolver that reads `explicit` for every file (`--config`), none (`--isolated`), or
    /// the nearest file of each.
    pub fn new(explicit: Option<&Path>, isolated: bool) -> Result<Resolver, ConfigError> {
        let explicit = match explicit {
            Some(p) => match read(p)? {
                Some(c) => Some(Arc::new(c)),
                None => {
                    return Err(ConfigError {
                        path: p.to_path_buf(),
                        text: String::new(),
                        span: None,
                        message: "has no [tool.cachelint] table".to_string(),
                    });
                }
            },
            None => None,
        };
        Ok(Resolver {
            isolated,
            explicit,
            cache: HashMap::new(),
        })
    }

    /// The configuration for a linted file, or for a folder searched (`None`: defaults).
    pub fn for_path(
        &mut self,
        path: &Path,
        is_dir: bool,
    ) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(Some(c.clone()));
        }
        if self.isolated {
            return Ok(None);
        }
        let abs = absolute(path);
        let start = if is_dir {
            abs.as_path()
        } else {
            abs.parent().unwrap_or(&abs)
        };
        self.for_dir(start)
    }

    fn for_dir(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        // Up to the first folder already known or holding a configuration file.
        let mut unknown = vec![];
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(known) = self.cache.get(d) {
                found = known.clone();
                break;
            }
            unknown.push(d.to_path_buf());
            let here = FILE_NAMES
                .iter()
                .map(|n| d.join(n))
                .filter(|p| p.is_file())
                .map(|p| read(&p))
                .find_map(|r| r.transpose());
            if let Some(config) = here {
                found = Some(Arc::new(config?));
                break;
            }
        }
        for d in unknown {
            self.cache.insert(d, found.clone());
        }
        Ok(found)
    }
}
