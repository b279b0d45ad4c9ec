//! The command line: parses arguments, runs the engine, prints, sets the exit code.
//!
//! Exit codes: 0 no diagnostics; 1 diagnostics found; 2 usage error, unreadable input or
//! internal error (reported after everything else was linted).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use cachelint::engine::{self, Input, Outcome, Selection, Settings};
use cachelint::knowledge::Knowledge;
use cachelint::report::{self, Format, Options, Summary};
use cachelint::rules::Registry;
use cachelint::source::{SourceDb, discover};

#[derive(Parser)]
#[command(
    name = "cachelint",
    version,
    about = "Lints GitHub, Forgejo and Gitea Actions workflows for CI caching mistakes.",
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
}

#[derive(Args, Default)]
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input. Default: the current directory.
    /// Directories are searched for .github/workflows, .forgejo/workflows and .gitea/workflows.
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
    /// The name to report for standard input.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
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
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Rules) => rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
    }
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
            eprintln!("cachelint: error: no rule `{rule}` (`cachelint rules` lists them)");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let selection = Selection {
        select: args.select,
        ignore: args.ignore,
    };
    let knowledge = match Knowledge::load() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("cachelint: internal error: bad rule data: {e}");
            return ExitCode::from(2);
        }
    };
    let registry = Registry::new(&knowledge);
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
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    paths.retain(|p| p.as_os_str() != "-");
    let found = discover(&paths);
    let mut inputs: Vec<Input> = found.files.into_iter().map(Input::Path).collect();
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
    let outcomes = engine::run(&db, &inputs, &knowledge, &settings, &render);

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
