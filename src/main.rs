//! The command line: parses arguments, runs the engine, prints, sets the exit code.
//!
//! Exit codes: 0 no diagnostics; 1 diagnostics found; 2 usage error, unreadable input or
//! internal error (reported after everything else was linted).
//!
//! `check` is the default command, so the words are put in order before clap sees them
//! ([`normalize`]): options may come before the command, and a first word that is neither a
//! command nor an existing path but looks like a mistyped command is a usage error.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use cachelint::engine::{self, Input, Outcome, Selection, Settings};
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
                  come before or after the command.",
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
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
}

#[derive(Clone, Copy, Default, ValueEnum)]
enum FormatArg {
    #[default]
    Human,
    Concise,
    Json,
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
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
    }
}

/// Words that other linters use as commands; cachelint has none of them.
const NOT_COMMANDS: &[(&str, Option<&str>)] = &[
    ("lint", Some("check")),
    ("version", Some("--version")),
    ("server", None),
    ("lsp", None),
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
    match Registry::builtin().get(rule) {
        Some(r) => print(&r.doc()),
        None => {
            match engine::closest_id(rule, Registry::builtin()) {
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

fn check(args: CheckArgs) -> ExitCode {
    let selection = Selection {
        select: args.select,
        ignore: args.ignore,
    };
    let walk = WalkOptions {
        no_ignore: args.no_ignore,
        exclude: args.exclude,
    };
    if let Err(message) = walk.validate() {
        eprintln!("cachelint: error: {message}");
        return ExitCode::from(2);
    }
    // Lives until the process exits: freeing it would only cost time (3% of a small run).
    let knowledge: &Knowledge = match Knowledge::load() {
        Ok(k) => Box::leak(Box::new(k)),
        Err(e) => {
            eprintln!("cachelint: internal error: bad rule data: {e}");
            return ExitCode::from(2);
        }
    };
    let registry = Registry::new(knowledge);
    let settings = match Settings::new(&registry, &selection) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("cachelint: error: {e}");
            }
            eprintln!("  (`cachelint rules` lists the rules)");
            return ExitCode::from(2);
        }
    };
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
    paths.retain(|p| p.as_os_str() != "-");
    let found = discover_with(&paths, &walk);
    for w in &found.warnings {
        eprintln!("cachelint: warning: {w}");
    }
    let mut inputs: Vec<Input> = found.files.into_iter().map(Input::Path).collect();
    inputs.extend(found.streams.into_iter().map(Input::Stream));
    if stdin {
        inputs.push(Input::Stdin(
            args.stdin_filename.unwrap_or_else(|| "-".to_string()),
        ));
    }
    let opts = Options {
        format: match args.format {
            FormatArg::Human => Format::Human,
            FormatArg::Concise => Format::Concise,
            FormatArg::Json => Format::Json,
        },
        color: use_color(args.color),
    };
    let db = SourceDb::disk();
    let render = |db: &SourceDb, file: &_, diags: &[_]| report::render_file(&opts, db, file, diags);
    let outcomes = engine::run(&db, &inputs, knowledge, &settings, &render);

    let mut errors = found.errors;
    let mut summary = Summary::default();
    let mut rendered = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Linted {
                counts,
                rendered: r,
            } => {
                summary.files += 1;
                if counts.iter().sum::<usize>() > 0 {
                    summary.files_with_problems += 1;
                }
                for (total, n) in summary.counts.iter_mut().zip(counts) {
                    *total += n;
                }
                rendered.push(r);
            }
            Outcome::Unreadable(e) => errors.push(e),
        }
    }
    summary.not_linted = errors.len();
    let code = print(&report::finish(&opts, &rendered, &summary));
    for e in &errors {
        eprintln!("cachelint: error: {e}");
    }
    if !errors.is_empty() || code != ExitCode::SUCCESS {
        ExitCode::from(2)
    } else if summary.total() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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
        assert!(err(&["server"]).contains("cachelint has no `server` command"));
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
