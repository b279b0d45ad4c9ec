//! The command line: parses arguments, runs the engine, prints, sets the exit code.
//!
//! Exit codes: 0 no diagnostics at or above `--fail-on` (warning by default); 1 such
//! diagnostics found; 2 usage error, unreadable input or internal error (reported after
//! everything else was linted). `--exit-zero` and `--format sarif` turn 1 into 0.
//!
//! `check` is the default command, so the words are put in order before clap sees them
//! ([`normalize`]): options may come before the command, and a first word that is neither a
//! command nor an existing path but looks like a mistyped command is a usage error.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use cachelint::config::{Groups, Resolver, SETTINGS};
use cachelint::engine::{self, FileFixes, Input, Layer, Outcome, Selection, Settings};
use cachelint::fix::FixMode;
use cachelint::knowledge::Knowledge;
use cachelint::report::{self, Format, Options, Summary};
use cachelint::rules::Registry;
use cachelint::source::{SourceDb, WalkOptions, discover_with};

#[derive(Parser)]
#[command(
    name = "cachelint",
    version = env!("CACHELINT_VERSION"),
    about = "Lints GitHub, Forgejo and Gitea Actions workflows for CI caching mistakes.",
    after_help = "Without a command, `cachelint [OPTIONS] [PATHS]...` runs `check`; options may \
                  come before or after the command.\n\n\
                  Exit status: 0 no diagnostics at or above `--fail-on` (default: warning); 1 \
                  such diagnostics found (0 with `--exit-zero` or `--format sarif`); 2 a usage \
                  error, an input that could not be read, or an internal error (everything \
                  readable is still linted; 2 wins over 1).",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Lint workflow files (the default command).
    Check(CheckArgs),
    /// List the rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. nox/cache-missing.
        rule: String,
    },
    /// Document a configuration setting (`cachelint config per-file-ignores`), or list them.
    Config {
        /// The setting; without one, every setting is listed.
        key: Option<String>,
    },
    /// Run the language server (LSP over standard input and output) for editors.
    Server,
    /// Print a shell completion script for bash, zsh, fish, powershell or elvish.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Default)]
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input. Default: the current directory
    /// (or standard input alone with `--stdin-filename`). Directories are searched for the
    /// workflows directly inside .github/workflows, .forgejo/workflows and .gitea/workflows, and
    /// for local actions' action.yml files, honouring .gitignore; files named here are always
    /// linted.
    paths: Vec<PathBuf>,
    /// Output format (`--output-format` is the same option, as ruff spells it).
    #[arg(long, value_enum, default_value_t = FormatArg::Human, alias = "output-format")]
    format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Print how many diagnostics each rule reported instead of the diagnostics.
    #[arg(long)]
    statistics: bool,
    /// Print diagnostics only: no summary line and no warnings.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Exit with 0 even when diagnostics are found (2 still means an input or the run failed).
    #[arg(long)]
    exit_zero: bool,
    /// The least severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Only run these rules (ids or prefixes such as `nox/`), comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules (ids or prefixes), comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// When to use colours. `auto` honours NO_COLOR and CLICOLOR_FORCE.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// The name to report for standard input; without any path, standard input is read.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Search directories without honouring .gitignore, .ignore, .git/info/exclude or git's
    /// global excludes file.
    #[arg(long)]
    no_ignore: bool,
    /// Leave out paths matching this gitignore-style glob when searching directories
    /// (repeatable; files named on the command line are always linted).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Read the settings from this file (a `pyproject.toml` with `[tool.cachelint]`, or a
    /// `cachelint.toml`) for every linted file, instead of each file's nearest one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Read no configuration file: the defaults and the command line only.
    #[arg(long)]
    isolated: bool,
    /// Apply the safe fixes, write the files, and report what is left.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`, apply the unsafe fixes too (they add or move steps or change
    /// commands: read the result).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change, and change nothing (exit 1 when there
    /// is a diff).
    #[arg(long, conflicts_with = "fix_only")]
    diff: bool,
    /// Apply fixes as `--fix` does, report nothing and exit 0 unless a file could not be
    /// read or written.
    #[arg(long)]
    fix_only: bool,
    /// Print the settings the first linted file gets (its configuration file, the rules on
    /// and their severities, the knowledge added) and exit.
    #[arg(long)]
    show_settings: bool,
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum FormatArg {
    /// Diagnostics with source snippets, then a summary line.
    #[default]
    Human,
    /// `path:line:col: severity: message [rule]`, one line each (problem matchers read it).
    Concise,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions annotations (`::error file=...`).
    Github,
    /// SARIF 2.1.0 (code scanning); exits 0 unless an input could not be linted.
    Sarif,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum FailOn {
    /// Only errors fail the run.
    Error,
    /// Errors and warnings fail the run.
    #[default]
    Warning,
    /// Any diagnostic fails the run.
    Info,
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

fn use_color(arg: ColorArg) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if set("CLICOLOR_FORCE") {
                true
            } else {
                std::io::stdout().is_terminal()
            }
        }
    }
}

fn main() -> ExitCode {
    report::install_panic_hook();
    // One clap command for both steps: building it is a tenth of a small run's instructions.
    let cmd = Cli::command();
    let args = match normalize(&cmd, std::env::args_os().collect(), |p| {
        std::fs::symlink_metadata(p).is_ok()
    }) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("cachelint: error: {message}");
            return ExitCode::from(2);
        }
    };
    let matches = cmd.get_matches_from(args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        Some(Command::Rules) => rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Config { key }) => config(key.as_deref()),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Server) => server(),
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
    }
}

/// Words that other linters use as commands; cachelint has none of them.
const NOT_COMMANDS: &[(&str, Option<&str>)] = &[
    ("lint", Some("check")),
    ("version", Some("--version")),
    ("lsp", Some("server")),
    ("fix", None),
    ("format", None),
];

/// Puts the command line in the order clap parses: the command first (`check` when none is
/// given), then the options and paths. Errors are usage errors, found before anything is read.
/// `exists` says whether a path exists (a word that names one is a path, never a command).
fn normalize(
    cmd: &clap::Command,
    args: Vec<OsString>,
    exists: impl Fn(&Path) -> bool,
) -> Result<Vec<OsString>, String> {
    let commands: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .chain(["help".to_string()])
        .collect();
    let takes_value = |long: &str| {
        cmd.get_arguments()
            .any(|a| a.get_long() == Some(long) && a.get_action().takes_values())
    };
    let is_top_flag = |w: &str| matches!(w, "-h" | "--help" | "-V" | "--version");
    let mut first = None;
    let mut i = 1;
    while i < args.len() {
        let Some(word) = args[i].to_str() else {
            first = Some(i); // Not UTF-8: a path.
            break;
        };
        if word == "--" {
            break; // What follows is paths only.
        } else if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=') && takes_value(long) {
                i += 1;
            }
        } else if word.len() <= 1 || !word.starts_with('-') {
            first = Some(i);
            break;
        }
        i += 1;
    }
    let before = &args[1..first.unwrap_or(i).min(args.len())];
    let with_command = |command: &str, at: Option<usize>| {
        let mut out = vec![args[0].clone(), OsString::from(command)];
        out.extend(before.iter().cloned());
        out.extend(
            args[at.map_or(before.len() + 1, |a| a + 1)..]
                .iter()
                .cloned(),
        );
        out
    };
    let Some(at) = first else {
        // No command and no path: `cachelint`, `cachelint --format json`; `--help` and
        // `--version` alone stay the top-level ones.
        if !before.is_empty() && before.iter().all(|w| w.to_str().is_some_and(is_top_flag)) {
            return Ok(args);
        }
        let mut out = vec![args[0].clone(), OsString::from("check")];
        out.extend(args[1..].iter().cloned());
        return Ok(out);
    };
    let word = args[at].to_str().unwrap_or("");
    if commands.iter().any(|c| c == word) {
        if word != "check"
            && let Some(opt) = before
                .iter()
                .filter_map(|w| w.to_str())
                .find(|w| w.starts_with('-') && !is_top_flag(w))
        {
            let name = opt.split('=').next().unwrap_or(opt);
            return Err(format!(
                "`{name}` is an option of `cachelint check`; `cachelint {word}` does not take it"
            ));
        }
        return Ok(with_command(word, Some(at)));
    }
    if word == "-" || exists(Path::new(&args[at])) {
        return Ok(with_command("check", None));
    }
    if let Some(message) = mistyped_command(word, &commands) {
        return Err(message);
    }
    Ok(with_command("check", None))
}

/// The usage error for a first word that is no path and looks like a command, if it does.
fn mistyped_command(word: &str, commands: &[String]) -> Option<String> {
    if word.chars().count() < 3 || word.contains(['/', '\\', '.']) {
        return None; // Shaped like a path: reported as a missing path.
    }
    let lower = word.to_lowercase();
    let close = |name: &str| {
        let limit = (name.len() / 3).max(1);
        strsim::damerau_levenshtein(&lower, name) <= limit
            || (lower.len() >= 3 && name.starts_with(&lower))
    };
    let tail = "(it is not a file or directory either; `cachelint --help` lists the commands)";
    if let Some(best) = commands
        .iter()
        .filter(|c| close(c))
        .min_by_key(|c| strsim::damerau_levenshtein(&lower, c))
    {
        return Some(format!(
            "unknown command `{word}`; did you mean `{best}`?\n{tail}"
        ));
    }
    let (name, suggestion) = NOT_COMMANDS.iter().find(|(name, _)| close(name))?;
    Some(match suggestion {
        Some(s) => format!("unknown command `{word}`; did you mean `{s}`?\n{tail}"),
        None => format!(
            "unknown command `{word}`: cachelint has no `{name}` command; the commands are {}\n{tail}",
            commands
                .iter()
                .filter(|c| *c != "help")
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

fn server() -> ExitCode {
    match cachelint::server::run_stdio() {
        Ok(true) => ExitCode::SUCCESS,
        // `exit` without `shutdown` first: 1, as the protocol says.
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("cachelint: error: server: {e}");
            ExitCode::from(2)
        }
    }
}

fn completions(shell: clap_complete::Shell) -> ExitCode {
    // Generated into memory first: the generators panic on a write error (`| head`).
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cachelint", &mut buf);
    print(&String::from_utf8_lossy(&buf))
}

fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`cachelint rules | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cachelint: error: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}

fn rules() -> ExitCode {
    let registry = Registry::builtin();
    let width = registry.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for r in &registry.rules {
        text.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    print(&text)
}

fn explain(rule: &str) -> ExitCode {
    let registry = Registry::builtin();
    // Rule ids are lower case; `NOX/CACHE-MISSING` means the same rule.
    match registry
        .get(rule)
        .or_else(|| registry.get(&rule.to_lowercase()))
    {
        Some(r) => print(&r.doc()),
        None => {
            match engine::closest_id(&rule.to_lowercase(), registry) {
                Some(id) => eprintln!(
                    "cachelint: error: no rule `{rule}`; did you mean `{id}`? (`cachelint rules` lists them)"
                ),
                None => {
                    eprintln!("cachelint: error: no rule `{rule}` (`cachelint rules` lists them)")
                }
            }
            ExitCode::from(2)
        }
    }
}

/// One file's report text, and with `--statistics` the rule of each diagnostic instead.
type Rendered = (String, Vec<&'static str>);

/// How an input is named in `--show-settings`.
fn input_name(input: &Input) -> String {
    match input {
        Input::Path(p) | Input::Stream(p) => p.display().to_string(),
        Input::Stdin(name) => name.clone(),
    }
}

fn config(key: Option<&str>) -> ExitCode {
    let Some(key) = key else {
        let width = SETTINGS.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let text: String = SETTINGS
            .iter()
            .map(|s| format!("{:width$}  {}\n", s.name, s.kind))
            .collect();
        return print(&text);
    };
    match SETTINGS.iter().find(|s| s.name == key.trim()) {
        Some(s) => print(&format!(
            "{}\n\n{}\n\nType: {}\nDefault: {}\n\nExample (in cachelint.toml; in pyproject.toml under [tool.cachelint]):\n\n{}\n",
            s.name,
            textwrap(s.doc),
            s.kind,
            s.default,
            s.example
        )),
        None => {
            let close = SETTINGS
                .iter()
                .map(|s| (strsim::jaro_winkler(key, s.name), s.name))
                .filter(|(score, _)| *score >= 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match close {
                Some((_, name)) => eprintln!(
                    "cachelint: error: no setting `{key}`; did you mean `{name}`? (`cachelint config` lists them)"
                ),
                None => eprintln!(
                    "cachelint: error: no setting `{key}` (`cachelint config` lists them)"
                ),
            }
            ExitCode::from(2)
        }
    }
}

/// `text` broken into lines of at most 88 columns.
fn textwrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > 88 {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

fn check(args: CheckArgs) -> ExitCode {
    let selection = Selection {
        select: args.select,
        ignore: args.ignore,
    };
    let mut resolver = match Resolver::new(args.config.as_deref(), args.isolated) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cachelint: error: {}", e.render());
            return ExitCode::from(2);
        }
    };
    // Directory searches follow the configuration of the working directory (or `--config`).
    let root_config = match resolver.for_path(Path::new("."), true) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cachelint: error: {}", e.render());
            return ExitCode::from(2);
        }
    };
    let mut walk = WalkOptions {
        no_ignore: args.no_ignore,
        exclude: args.exclude,
        no_default_excludes: false,
    };
    if let Err(message) = walk.validate() {
        eprintln!("cachelint: error: {message}");
        return ExitCode::from(2);
    }
    if let Some(c) = &root_config {
        if let Some(exclude) = &c.options.exclude {
            walk.no_default_excludes = true;
            walk.exclude.extend(exclude.iter().cloned());
        }
        walk.exclude
            .extend(c.options.extend_exclude.iter().cloned());
        if let Err(message) = walk.validate() {
            eprintln!(
                "cachelint: error: {}",
                c.error(format!("`exclude` or `extend-exclude`: {message}"))
                    .render()
            );
            return ExitCode::from(2);
        }
    }
    let knowledge = match Knowledge::load() {
        Ok(k) => std::sync::Arc::new(k),
        Err(e) => {
            eprintln!("cachelint: internal error: bad rule data: {e}");
            return ExitCode::from(2);
        }
    };
    let registry = Registry::new(&knowledge);
    if let Err(errors) = Settings::new(&registry, &selection) {
        for e in errors {
            eprintln!("cachelint: error: {e}");
        }
        eprintln!("  (`cachelint rules` lists the rules)");
        return ExitCode::from(2);
    }
    let warn = !args.quiet;
    for (selector, id) in selection
        .ignored_but_always_reported()
        .into_iter()
        .filter(|_| warn)
    {
        eprintln!(
            "cachelint: warning: `--ignore {selector}` does not hide `{id}`: a file that could not \
             be linted is always reported"
        );
    }
    let mut paths = args.paths;
    // `--stdin-filename` with no path reads standard input, as ruff does.
    if paths.is_empty() {
        paths.push(PathBuf::from(if args.stdin_filename.is_some() {
            "-"
        } else {
            "."
        }));
    }
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if let Some(name) = args.stdin_filename.as_deref().filter(|_| !stdin && warn) {
        eprintln!(
            "cachelint: warning: `--stdin-filename {name}` is ignored: standard input is read only \
             when no path is given or a path is `-`"
        );
    }
    paths.retain(|p| p.as_os_str() != "-");
    let found = discover_with(&paths, &walk);
    for w in found.warnings.iter().filter(|_| warn) {
        eprintln!("cachelint: warning: {w}");
    }
    let mut inputs: Vec<Input> = found.files.into_iter().map(Input::Path).collect();
    inputs.extend(found.streams.into_iter().map(Input::Stream));
    if stdin {
        inputs.push(Input::Stdin(
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| "-".to_string()),
        ));
    }
    let opts = Options {
        format: match args.format {
            FormatArg::Human => Format::Human,
            FormatArg::Concise => Format::Concise,
            FormatArg::Json => Format::Json,
            FormatArg::JsonLines => Format::JsonLines,
            FormatArg::Github => Format::Github,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Gitlab => Format::Gitlab,
            FormatArg::Junit => Format::Junit,
        },
        // A report written to a file gets colour only when asked for.
        color: match (&args.output_file, args.color) {
            (Some(_), ColorArg::Auto) => false,
            _ => use_color(args.color),
        },
        quiet: args.quiet,
    };
    let cli_layer = Layer::from(&selection);
    // Lives until the process exits: freeing it would only cost time (3% of a small run).
    std::mem::forget(knowledge.clone());
    let mut groups = Groups::new(knowledge, cli_layer);
    let mut member_of = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let (path, is_dir) = match input {
            Input::Path(p) => (p.as_path(), false),
            Input::Stdin(name) if args.stdin_filename.is_some() => {
                (Path::new(name.as_str()), false)
            }
            Input::Stdin(_) | Input::Stream(_) => (Path::new("."), true),
        };
        match resolver
            .for_path(path, is_dir)
            .and_then(|c| groups.group_of(c, path))
        {
            Ok(g) => member_of.push(g),
            Err(e) => {
                eprintln!("cachelint: error: {}", e.render());
                return ExitCode::from(2);
            }
        }
    }
    if args.show_settings {
        let shown = match member_of.first() {
            Some(&g) => groups.describe(g, Some(&input_name(&inputs[0]))),
            None => match groups.group_of(root_config.clone(), Path::new(".")) {
                Ok(g) => groups.describe(g, None),
                Err(e) => {
                    eprintln!("cachelint: error: {}", e.render());
                    return ExitCode::from(2);
                }
            },
        };
        return print(&shown);
    }
    let db = SourceDb::disk();
    let fixing = args.fix || args.diff || args.fix_only;
    let fix_mode = fixing.then_some(FixMode {
        unsafe_fixes: args.unsafe_fixes,
    });
    let statistics = args.statistics;
    let render = |db: &SourceDb, file: &_, diags: &[cachelint::diagnostic::Diagnostic]| {
        if statistics {
            (String::new(), diags.iter().map(|d| d.rule).collect())
        } else {
            (report::render_file(&opts, db, file, diags), vec![])
        }
    };
    // Each group of inputs with the same settings is one parallel run; the outcomes go back
    // in input order.
    let mut slots: Vec<Option<Outcome<Rendered>>> = (0..inputs.len()).map(|_| None).collect();
    for (g, group) in groups.groups.iter().enumerate() {
        let members: Vec<usize> = (0..inputs.len()).filter(|&i| member_of[i] == g).collect();
        if members.is_empty() {
            continue;
        }
        let batch: Vec<Input> = members.iter().map(|&i| inputs[i].clone()).collect();
        let outcomes = engine::run_with(
            &db,
            &batch,
            &group.knowledge,
            &group.settings,
            fix_mode,
            &render,
        );
        for (i, o) in members.into_iter().zip(outcomes) {
            slots[i] = Some(o);
        }
    }
    let outcomes = slots.into_iter().flatten();

    let mut errors = found.errors;
    let mut summary = Summary::default();
    let mut rendered = Vec::with_capacity(inputs.len());
    let mut per_rule: Vec<&'static str> = vec![];
    let mut fixes: Vec<Box<FileFixes>> = vec![];
    let mut fix_note = String::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Linted {
                counts,
                rendered: (r, rules),
                fixed,
            } => {
                fixes.extend(fixed);
                summary.files += 1;
                if counts.iter().sum::<usize>() > 0 {
                    summary.files_with_problems += 1;
                }
                for (total, n) in summary.counts.iter_mut().zip(counts) {
                    *total += n;
                }
                rendered.push(r);
                per_rule.extend(rules);
            }
            Outcome::Unreadable(e) => errors.push(e),
        }
    }
    if fixing {
        let done = apply_fixes(&fixes, args.diff, &mut errors);
        if args.diff || args.fix_only {
            for e in &errors {
                eprintln!("cachelint: error: {e}");
            }
            if !errors.is_empty() {
                return ExitCode::from(2);
            }
            if args.diff && done.files > 0 {
                return ExitCode::from(1);
            }
            return ExitCode::SUCCESS;
        }
        if !args.quiet {
            let note = done.summary(args.unsafe_fixes);
            // After the report for the text formats; on stderr beside a machine format.
            if matches!(opts.format, Format::Human | Format::Concise) {
                fix_note = note;
            } else if !note.is_empty() {
                eprint!("{note}");
            }
        }
    }
    summary.not_linted = errors.len();
    let text = if statistics {
        report::statistics(&opts, &per_rule, &summary, &registry)
    } else {
        report::finish(&opts, &rendered, &summary, &registry)
    };
    let text = text + &fix_note;
    let written = match &args.output_file {
        Some(path) => match write_report(path, &text) {
            Ok(()) => true,
            Err(e) => {
                eprintln!(
                    "cachelint: error: cannot write the report to {}: {e}",
                    path.display()
                );
                false
            }
        },
        // Fixing standard input: its fixed text is the output, the report goes to stderr.
        None if fixing && stdin => {
            eprint!("{text}");
            true
        }
        None => print(&text) == ExitCode::SUCCESS,
    };
    for e in &errors {
        eprintln!("cachelint: error: {e}");
    }
    let failing = match args.fail_on {
        FailOn::Error => summary.counts[0],
        FailOn::Warning => summary.counts[0] + summary.counts[1],
        FailOn::Info => summary.total(),
    };
    if !errors.is_empty() || !written {
        ExitCode::from(2)
    } else if failing > 0 && !args.exit_zero && opts.format != Format::Sarif {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What `--fix` / `--diff` did over all files.
#[derive(Default)]
struct FixTotals {
    fixed: usize,
    files: usize,
    unsafe_left: usize,
    withheld: usize,
}

impl FixTotals {
    /// `Fixed 3 problems in 2 files.`, and what `--unsafe-fixes` would add; empty when nothing
    /// was or could be fixed.
    fn summary(&self, unsafe_on: bool) -> String {
        let mut out = String::new();
        if self.fixed > 0 {
            out.push_str(&format!(
                "Fixed {} in {}.\n",
                plural(self.fixed, "problem"),
                plural(self.files, "file")
            ));
        }
        if self.unsafe_left > 0 && !unsafe_on {
            out.push_str(&format!(
                "{} more fixable with `--unsafe-fixes`.\n",
                plural(self.unsafe_left, "problem")
            ));
        }
        if self.withheld > 0 {
            let n = match self.withheld {
                1 => "1 fix was".to_string(),
                n => format!("{n} fixes were"),
            };
            out.push_str(&format!(
                "{n} withheld: the fixed file did not lint cleanly (please report it).\n"
            ));
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Writes the fixed files (or, with `--diff`, prints their diffs); standard input's fixed
/// text goes to standard output. Failures are added to `errors`.
fn apply_fixes(
    fixes: &[Box<FileFixes>],
    diff: bool,
    errors: &mut Vec<cachelint::source::InputError>,
) -> FixTotals {
    let mut totals = FixTotals::default();
    for f in fixes {
        totals.unsafe_left += f.unsafe_left;
        totals.withheld += f.withheld;
        let changed = f.text != f.original;
        if diff {
            if changed {
                totals.files += 1;
                totals.fixed += f.fixed.len();
                // Myers is quadratic in the changed lines (11,676 of them in 830 KB: 1.2 s): past
                // the deadline the diff is still right, only less small.
                let diff = similar::TextDiff::configure()
                    .timeout(std::time::Duration::from_secs(2))
                    .diff_lines(&f.original, &f.text);
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", f.name), &format!("b/{}", f.name))
                    .to_string();
                print(&text);
            }
            continue;
        }
        match &f.path {
            // Standard input: the fixed text is the output (the findings go to stderr).
            None => {
                print(&f.text);
            }
            Some(path) if changed => match write_fixed(path, &f.original, &f.text) {
                Ok(()) => {
                    totals.files += 1;
                    totals.fixed += f.fixed.len();
                }
                Err(e) => errors.push(cachelint::source::InputError::new(
                    path,
                    &format!("the fixes were not written: {e}"),
                )),
            },
            Some(_) => {}
        }
    }
    totals
}

/// Writes a fixed file atomically (a temporary file in its folder, renamed over it), with its
/// permissions, unless it changed on disk since it was read.
fn write_fixed(path: &Path, original: &str, text: &str) -> std::io::Result<()> {
    let now = std::fs::read(path)?;
    if now != original.as_bytes() {
        return Err(std::io::Error::other(
            "the file changed on disk while cachelint ran",
        ));
    }
    let meta = std::fs::metadata(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    std::fs::set_permissions(tmp.path(), meta.permissions())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes the report whole or not at all: into a temporary file beside `path`, then renamed
/// over it (a reader never sees half a report, a failed run leaves the old one).
fn write_report(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Result<Vec<String>, String> {
        let mut argv = vec![OsString::from("cachelint")];
        argv.extend(args.iter().map(OsString::from));
        // `examples` and `chek.d` exist; nothing else does.
        normalize(&Cli::command(), argv, |p| {
            p == Path::new("examples") || p == Path::new("chek.d")
        })
        .map(|v| {
            v.into_iter()
                .skip(1)
                .map(|w| w.to_string_lossy().into_owned())
                .collect()
        })
    }

    #[test]
    fn the_command_goes_first() {
        assert_eq!(norm(&[]).unwrap(), ["check"]);
        assert_eq!(norm(&["examples"]).unwrap(), ["check", "examples"]);
        assert_eq!(norm(&["-"]).unwrap(), ["check", "-"]);
        assert_eq!(
            norm(&["--format", "json", "check", "x"]).unwrap(),
            ["check", "--format", "json", "x"]
        );
        assert_eq!(
            norm(&["--format=json", "--no-ignore", "examples"]).unwrap(),
            ["check", "--format=json", "--no-ignore", "examples"]
        );
        // `--format check`: `check` is the option's value, not a command (clap rejects it).
        assert_eq!(
            norm(&["--format", "check"]).unwrap(),
            ["check", "--format", "check"]
        );
        assert_eq!(norm(&["--", "check"]).unwrap(), ["check", "--", "check"]);
        assert_eq!(norm(&["rules"]).unwrap(), ["rules"]);
        assert_eq!(norm(&["--help", "rules"]).unwrap(), ["rules", "--help"]);
        assert_eq!(norm(&["--help"]).unwrap(), ["--help"]);
        assert_eq!(norm(&["-V"]).unwrap(), ["-V"]);
        assert_eq!(norm(&["help", "check"]).unwrap(), ["help", "check"]);
        assert_eq!(
            norm(&["--format", "json", "--help"]).unwrap(),
            ["check", "--format", "json", "--help"]
        );
    }

    #[test]
    fn mistyped_commands_and_misplaced_options() {
        let err = |args: &[&str]| norm(args).unwrap_err();
        assert!(
            err(&["chek", "examples"]).starts_with("unknown command `chek`; did you mean `check`?")
        );
        assert!(err(&["RULS"]).starts_with("unknown command `RULS`; did you mean `rules`?"));
        assert!(err(&["comp", "bash"]).contains("did you mean `completions`?"));
        assert!(err(&["version"]).contains("did you mean `--version`?"));
        assert!(err(&["lsp"]).contains("did you mean `server`?"));
        assert!(err(&["fix"]).contains("cachelint has no `fix` command"));
        assert!(err(&["--format", "json", "rules"]).starts_with("`--format` is an option"));
        // Paths, existing or shaped like one, and words far from any command are paths.
        assert_eq!(norm(&["chek.d"]).unwrap(), ["check", "chek.d"]);
        assert_eq!(norm(&["chek.yml"]).unwrap(), ["check", "chek.yml"]);
        assert_eq!(norm(&["./chek"]).unwrap(), ["check", "./chek"]);
        assert_eq!(norm(&["ci"]).unwrap(), ["check", "ci"]);
        assert_eq!(norm(&["workflows"]).unwrap(), ["check", "workflows"]);
        assert_eq!(norm(&["src"]).unwrap(), ["check", "src"]);
    }
}
