//! Each setting's documentation, once: `cachelint config KEY` prints it, and a test checks
//! that `docs/configuration.md` has a section for each, and no other, with an example that
//! parses.

/// One configuration key.
#[derive(Debug)]
pub struct Setting {
    /// The key, as written in the file (`per-file-ignores`).
    pub name: &'static str,
    /// Its type.
    pub kind: &'static str,
    /// Its default.
    pub default: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// An example, as TOML lines of a `cachelint.toml`.
    pub example: &'static str,
}

/// Every key of `[tool.cachelint]` / `cachelint.toml`.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "select",
        kind: "list of rule ids or prefixes",
        default: "every rule",
        doc: "The rules to run. A prefix ending at a `/` or `-` selects every rule it begins \
              (`nox/`, `cache/key`). `--select` on the command line replaces it.",
        example: "select = [\"nox/\", \"cache/deprecated-action\"]",
    },
    Setting {
        name: "extend-select",
        kind: "list of rule ids or prefixes",
        default: "[]",
        doc: "Rules to run as well as those `select` names (or every rule, without `select`): \
              adds to a selection instead of replacing it.",
        example: "select = [\"nox/cache-missing\"]\nextend-select = [\"cache/\"]",
    },
    Setting {
        name: "ignore",
        kind: "list of rule ids or prefixes",
        default: "[]",
        doc: "Rules not to run; it wins over `select` and `extend-select`. `--ignore` on the \
              command line adds to it. `syntax-error` and `limit-exceeded` are reported \
              whatever it says (a file that was not linted must not look clean).",
        example: "ignore = [\"nox/key-missing-hash\"]",
    },
    Setting {
        name: "per-file-ignores",
        kind: "table: glob = list of rule ids or prefixes",
        default: "{}",
        doc: "Rules not to run for the files a glob matches. A glob is matched against the \
              path relative to the folder of the configuration file (`*` does not cross a \
              `/`; `**` does); a glob without a `/` matches the file name anywhere.",
        example: "[per-file-ignores]\n\".github/workflows/release-*.yml\" = [\"nox/\"]\n\"docs.yml\" = [\"nox/cache-missing\"]",
    },
    Setting {
        name: "severity",
        kind: "table: rule id or prefix = \"error\" | \"warning\" | \"info\"",
        default: "{}",
        doc: "The severity of the rules a selector names, instead of their defaults; the most \
              specific selector wins. The severity decides the exit code (`--fail-on`) and \
              the level in every format.",
        example: "[severity]\n\"nox/\" = \"error\"\n\"nox/key-missing-hash\" = \"info\"",
    },
    Setting {
        name: "extra-cache-actions",
        kind: "list of action names (owner/repo[/path])",
        default: "[]",
        doc: "More actions that restore and save a cache with the inputs `path`, `key` and \
              `restore-keys`, as `actions/cache` does (a fork, a company's own). The built-in \
              data already knows `actions/cache`, `buildjet/cache`, `useblacksmith/cache` and \
              `runs-on/cache` with their `restore` and `save` actions (`cachelint check \
              --show-settings` lists them). For one with other inputs, or restore-only, use \
              `knowledge.cache_actions`.",
        example: "extra-cache-actions = [\"my-org/cache-action\", \"my-org/actions/cache\"]",
    },
    Setting {
        name: "dependency-files",
        kind: "list of file paths",
        default: "[]",
        doc: "More files whose change means new dependencies, for every tool: a cache key \
              that hashes one of them satisfies `nox/key-missing-hash`. Relative to the \
              tool's config file's folder, as the built-in list (`pyproject.toml`, lock and \
              requirements files).",
        example: "dependency-files = [\"constraints/ci.txt\", \"tools/requirements.in\"]",
    },
    Setting {
        name: "exclude",
        kind: "list of gitignore-style globs",
        default: "the folders .git, target, node_modules, .nox, .tox and .venv",
        doc: "What a directory search leaves out, instead of the default folders (globs as \
              `--exclude` takes them, matched relative to each directory searched). Files \
              named on the command line are always linted.",
        example: "exclude = [\".git\", \"vendor/\"]",
    },
    Setting {
        name: "extend-exclude",
        kind: "list of gitignore-style globs",
        default: "[]",
        doc: "More that a directory search leaves out, as well as the defaults (or \
              `exclude`), like `--exclude`.",
        example: "extend-exclude = [\"third_party/\", \"*.generated.yml\"]",
    },
    Setting {
        name: "knowledge",
        kind: "table: launchers, wrappers, cache_actions, runner_actions",
        default: "{}",
        doc: "Tool knowledge the project adds, in the schema of the built-in data under \
              `rules/` (its field names as written there): `launchers` and `wrappers` as in \
              `rules/tools/launchers.yml`, `cache_actions` as the `actions` of \
              `rules/cache-actions.yml`, `runner_actions.<tool>` as a tool file's \
              `runner_actions` (an action that runs nox). It is checked as the built-in data \
              is.",
        example: "[[knowledge.wrappers]]\nprogram = [\"with-retries\"]\noptions_with_value = [\"--times\"]\n\n[[knowledge.runner_actions.nox]]\nuses = \"my-org/run-nox\"\nworking_directory_input = \"directory\"",
    },
];
