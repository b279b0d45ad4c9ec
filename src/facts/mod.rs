//! What a job does, as far as the rules care: where it runs each tool and where it caches.
//! Computed once per job by the engine and handed to every rule. Every fact has a [`Location`]
//! in the file it is written in (a composite action's `action.yml` for its steps) and, inside
//! composite actions, the chain of `uses:` sites that led there.

pub mod cache;
pub mod config;
pub mod inputs;
pub mod invocation;
pub mod matrix;
pub mod release;
mod session_env;
pub mod workdir;

pub use cache::{Answer, EnvChain, PathLine};
pub use invocation::Reuse;

use crate::expr;
use crate::knowledge::{Knowledge, ToolSpec, glob};
use crate::shell::{self, Dialect};
use crate::source::{FileId, Location};
use crate::workflow::{ActionRef, Job, Step, StepKind, Str, Workflow};
use crate::yaml::Node;

use cache::Lookup;
use invocation::{envdir, match_tool, parse_args, project_dir};

/// One invocation of a tool.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// Index of the step in the job (for a step inside a composite action: the caller's).
    pub step: usize,
    /// When the step runs (steps of one `parallel:` group share it).
    pub order: usize,
    /// Visit order within the job: tells apart the steps of one composite action.
    pub seq: usize,
    /// From the command word to the tool word (`python -m nox`), in the file it is written in;
    /// for a runner action, its `uses:` value.
    pub at: Location,
    /// The `uses:` sites that led into the composite action holding it, and the commands that
    /// ran the repository script holding it (`./ci/test.sh`), outermost first.
    pub via: Vec<Location>,
    /// How many of the last `via` sites are commands running a repository script (the others
    /// are `uses:` of composite actions).
    pub script_hops: usize,
    /// Whether an action (a `uses:` step) runs the tool rather than a script.
    pub runner_action: bool,
    /// The matrix cell it is judged in (`name: value`), when its working directory differs
    /// between the cells (one invocation per distinct directory).
    pub cell: Option<String>,
    /// Whether its working directory was worked out from an expression (an input, a matrix or
    /// `env` value): a fix that writes the envdir out would hard-code one value of it.
    pub derived_dir: bool,
    /// Whether it creates environments.
    pub creates_envs: bool,
    /// Where they go, workspace-relative (`None`: unknown).
    pub envdir: Option<String>,
    /// The config file's directory, workspace-relative (`None`: unknown).
    pub project_dir: Option<String>,
    /// Reuse options.
    pub reuse: Reuse,
    /// The sessions it selects: named on the command line, as written, else by the tool's
    /// session variable (`NOXSESSION: ${{ matrix.session }}`, see `session_env`; `$unknown`
    /// when that is not known statically). `None`: neither names any (the default sessions).
    pub sessions: Option<Vec<String>>,
    /// Interpreters named on the command line, as written.
    pub pythons: Vec<String>,
    /// Whether the environments it creates are reused, with the config file and the sessions
    /// it selects (`No`: every one is recreated; `Unknown` without the config file, unless the
    /// command line alone decides).
    pub reuses: Answer,
    /// What its command line says, as read (the sessions: as written there).
    pub args: invocation::ToolArgs,
}

/// Where the facts read tools' config files (a noxfile) from: the repository the workflow
/// belongs to, through the source database. `None`: not there or not readable (unknown).
pub trait ConfigSource {
    /// The config file at `path`, relative to the repository root.
    fn config(&self, path: &str) -> Option<std::sync::Arc<crate::python::Module>>;

    /// The repository script at `path` (relative to the repository root) that a `run:` command
    /// executes, and its file id. `None`: not there (unknown).
    fn script(&self, _path: &str) -> Option<(FileId, std::sync::Arc<crate::source::SourceFile>)> {
        None
    }

    /// Whether the repository may hold scripts at all (it has files outside its `.github`
    /// folder): when not, commands are not searched for script paths.
    fn may_have_scripts(&self) -> bool {
        false
    }
}

/// A [`ConfigSource`] with no files: every config is unknown.
pub struct NoConfigs;

impl ConfigSource for NoConfigs {
    fn config(&self, _path: &str) -> Option<std::sync::Arc<crate::python::Module>> {
        None
    }
}

impl Invocation {
    /// Where it is reported: in the linted file (the outermost `uses:` for one inside a
    /// composite action).
    pub fn reported(&self) -> Location {
        self.via.first().cloned().unwrap_or_else(|| self.at.clone())
    }

    /// Whether an action runs it (a runner action, or a composite action's step), as seen
    /// from the linted file.
    pub fn in_action(&self) -> bool {
        self.runner_action || self.via.len() > self.script_hops
    }

    /// Whether it is written in a repository script that a step (not an action) runs.
    pub fn in_script(&self) -> bool {
        self.script_hops > 0 && !self.in_action()
    }

    /// The label at [`Invocation::at`] when that is not where it is reported: inside the
    /// composite action or the script that holds it.
    pub fn inside_label(&self, name: &str) -> Option<String> {
        if self.via.is_empty() {
            None
        } else if self.script_hops > 0 {
            Some(format!("{name} runs here, inside the script"))
        } else {
            Some(format!("{name} runs here, inside the composite action"))
        }
    }
}

/// A step that restores and/or saves a cache.
#[derive(Clone, Debug)]
pub struct CacheStep<'a> {
    /// Index of the step in the job (for a step inside a composite action: the caller's).
    pub step: usize,
    /// When the step runs (steps of one `parallel:` group share it).
    pub order: usize,
    /// Visit order within the job: tells apart the steps of one composite action.
    pub seq: usize,
    /// The `uses:` value.
    pub uses: Str<'a>,
    /// Where the `uses:` value is written.
    pub at: Location,
    /// The `uses:` sites that led into the composite action holding it, outermost first.
    pub via: Vec<Location>,
    /// Whether it restores.
    pub restores: bool,
    /// Whether it saves.
    pub saves: bool,
    /// `lookup-only: true`: it only checks that an entry exists.
    pub lookup_only: bool,
    /// The `path:` lines (`None`: no path input, or not a string).
    pub paths: Option<Vec<PathLine>>,
    /// The `key:` input.
    pub key: Option<Str<'a>>,
    /// Where the key is written.
    pub key_at: Option<Location>,
    /// The `restore-keys:` input.
    pub restore_keys: Option<Str<'a>>,
    /// The `env:` scopes the step's expressions see.
    pub env: EnvChain<'a, 'a>,
    /// The step's `id:`.
    pub id: Option<Str<'a>>,
    /// The `path:` input as written.
    pub path: Option<Str<'a>>,
    /// Where the path is written.
    pub path_at: Option<Location>,
}

/// A step that checks the repository out (`checkout_actions` in `rules/cache-actions.yml`).
#[derive(Clone, Debug)]
pub struct Checkout {
    /// Index of the step in the job (for a step inside a composite action: the caller's).
    pub step: usize,
    /// When the step runs.
    pub order: usize,
    /// Visit order within the job.
    pub seq: usize,
    /// Where its `uses:` value is written.
    pub at: Location,
    /// The `uses:` sites that led into the composite action holding it, outermost first.
    pub via: Vec<Location>,
    /// Whether it checks out into the workspace itself (no `path:` input).
    pub workspace: bool,
}

impl Checkout {
    /// (`order`, `step`, `seq`), for [`runs_before`].
    pub fn when(&self) -> (usize, usize, usize) {
        (self.order, self.step, self.seq)
    }
}

impl CacheStep<'_> {
    /// Where it is reported: in the linted file.
    pub fn reported(&self) -> Location {
        self.via.first().cloned().unwrap_or_else(|| self.at.clone())
    }

    /// Where its key is reported: in the linted file.
    pub fn key_reported(&self) -> Location {
        match (self.via.first(), &self.key_at) {
            (Some(v), _) => v.clone(),
            (None, Some(k)) => k.clone(),
            (None, None) => self.at.clone(),
        }
    }
}

/// Whether a step (`order`, `step`, `seq` of a fact) certainly runs before another: an earlier
/// step of the job, or an earlier step of the same composite action call.
pub fn runs_before(a: (usize, usize, usize), b: (usize, usize, usize)) -> bool {
    let ((a_order, a_step, a_seq), (b_order, b_step, b_seq)) = (a, b);
    a_order < b_order || (a_step == b_step && a_seq < b_seq)
}

impl Invocation {
    /// (`order`, `step`, `seq`), for [`runs_before`].
    pub fn when(&self) -> (usize, usize, usize) {
        (self.order, self.step, self.seq)
    }
}

impl CacheStep<'_> {
    /// (`order`, `step`, `seq`), for [`runs_before`].
    pub fn when(&self) -> (usize, usize, usize) {
        (self.order, self.step, self.seq)
    }
}

/// A step that installs a language runtime (`rules/setup-actions.yml`).
#[derive(Clone, Debug)]
pub struct SetupStep<'a> {
    /// The runtime it installs (`python`).
    pub runtime: String,
    /// The step's `id:`.
    pub id: Option<Str<'a>>,
    /// The version input as written (`${{ matrix.python-version }}`).
    pub version: Option<Str<'a>>,
    /// Its output with the version installed.
    pub version_output: String,
    /// The variable it sets that differs per version.
    pub version_env: Option<String>,
}

/// Everything the rules need to know about one job.
#[derive(Debug, Default)]
pub struct JobFacts<'a> {
    /// Per tool (in the order of [`Knowledge::tools`]): its invocations, in step order.
    pub tools: Vec<Vec<Invocation>>,
    /// Cache steps, in step order.
    pub caches: Vec<CacheStep<'a>>,
    /// Checkout steps, in step order.
    pub checkouts: Vec<Checkout>,
    /// Runtime setup steps, in step order.
    pub setups: Vec<SetupStep<'a>>,
    /// The job's matrix, worked out the first time a rule asks ([`JobFacts::matrix`]).
    pub matrix: std::cell::OnceCell<matrix::Matrix>,
}

impl JobFacts<'_> {
    /// The checkout into the workspace that runs after a cache step restored: it empties the
    /// workspace (not yet a clone), so what the step restored there is gone.
    pub fn wiped_by(&self, cache: &CacheStep<'_>) -> Option<&Checkout> {
        if !cache.restores {
            return None;
        }
        self.checkouts
            .iter()
            .find(|c| c.workspace && runs_before(cache.when(), c.when()))
    }

    /// The matrix of `job` (the job these facts are of), worked out once for every rule.
    pub fn matrix(&self, job: &crate::workflow::Job<'_>) -> &matrix::Matrix {
        self.matrix.get_or_init(|| matrix::Matrix::of(job))
    }

    /// The invocations of the tool with this index.
    pub fn invocations(&self, tool: usize) -> &[Invocation] {
        self.tools.get(tool).map_or(&[], Vec::as_slice)
    }
}

/// Whether an `if:` is literally false (the job or step never runs).
pub fn is_literally_false(cond: Option<&Node<'_>>) -> bool {
    let Some(text) = cond.and_then(|n| n.as_str()) else {
        return false;
    };
    let t = text.trim();
    let t = t
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(t)
        .trim();
    t == "false"
}

/// The script language of a `run:` step: its effective shell, else the runner's default.
pub fn dialect(shell: Option<&str>, job: &Job<'_>) -> Dialect {
    match shell {
        Some(s) => {
            let program = s.split_whitespace().next().unwrap_or("");
            let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
            match program.trim_end_matches(".exe") {
                "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "busybox" | "msys2" => {
                    Dialect::Posix
                }
                "pwsh" | "powershell" => Dialect::PowerShell,
                "cmd" => Dialect::Cmd,
                "{0}" => Dialect::Posix,
                _ => Dialect::Other,
            }
        }
        None => {
            let windows = job
                .runs_on
                .and_then(|n| n.as_str())
                .is_some_and(|r| r.to_ascii_lowercase().contains("windows") && !r.contains("${{"));
            if windows {
                Dialect::PowerShell
            } else {
                Dialect::Posix
            }
        }
    }
}

/// Resolves `${{ env.NAME }}` and `${{ github.workspace }}` in a path from the `env:` blocks in
/// scope. `None` when any part is not known statically (a step output, a variable set at run
/// time).
pub fn resolve_path(text: &str, env: &EnvChain<'_, '_>) -> Option<String> {
    resolve_depth(text, env, 0)
}

fn resolve_depth(text: &str, env: &EnvChain<'_, '_>, depth: usize) -> Option<String> {
    use expr::Replace;
    if !text.contains("${{") {
        return Some(text.to_string());
    }
    if depth > 4 {
        return None;
    }
    expr::replace(text, |name| {
        if name == "github.workspace" {
            return Replace::With(".".to_string());
        }
        let value = name
            .strip_prefix("env.")
            .and_then(|var| match env.get(var) {
                Lookup::Declared(declared) => resolve_depth(declared.value, env, depth + 1),
                _ => None,
            });
        value.map_or(Replace::Unknown, Replace::With)
    })
}

/// A local composite action a workflow uses, parsed.
#[derive(Debug)]
pub struct LocalAction<'a> {
    /// The path its `uses:` names (see [`local_action_key`]).
    pub key: String,
    /// Its `action.yml`.
    pub file: FileId,
    /// The text of that file.
    pub text: &'a str,
    /// The parsed action.
    pub action: Workflow<'a>,
}

/// The file being linted.
#[derive(Clone, Copy, Debug)]
pub struct Linted<'a> {
    /// Its id.
    pub file: FileId,
    /// Its text.
    pub text: &'a str,
    /// What its steps' `${{ inputs.x }}` are (see [`inputs::of_workflow`]).
    pub inputs: &'a [(String, Option<String>)],
}

/// The key under which a `uses: ./path` or `uses: $/path` action is looked up: the normalised
/// path from the repository root (`""` for the root action).
pub fn local_action_key(action: &ActionRef<'_>) -> Option<String> {
    match action {
        ActionRef::Local { path } | ActionRef::SelfRepo { path } => Some(glob::normalize(path)),
        _ => None,
    }
}

/// How deep composite actions are followed into each other.
const MAX_COMPOSITE_DEPTH: usize = 4;

struct Cx<'c, 'a> {
    k: &'c Knowledge,
    /// Steps visited so far (the next step's `seq`).
    seq: std::cell::Cell<usize>,
    wf: &'a Workflow<'a>,
    job: &'a Job<'a>,
    actions: &'a [LocalAction<'a>],
    configs: &'c dyn ConfigSource,
    /// The job's matrix, worked out when a working directory or a cache path needs it.
    matrix: std::cell::OnceCell<matrix::Matrix>,
    /// Repository scripts read so far for this job (at most [`MAX_SCRIPT_CALLS`]).
    script_calls: std::cell::Cell<usize>,
}

impl Cx<'_, '_> {
    /// What `text` (a working directory, a cache path) is in each matrix cell, when it uses a
    /// matrix value: see [`matrix::per_cell`]. `None` when it uses none.
    fn per_cell(&self, text: &str) -> Option<Option<Vec<(String, String)>>> {
        if !text.contains("${{") || !text.to_ascii_lowercase().contains("matrix.") {
            return None;
        }
        let m = self.matrix.get_or_init(|| matrix::Matrix::of(self.job));
        Some(matrix::per_cell(text, m))
    }
}

/// Where a step is, and how the job got there.
#[derive(Clone)]
struct Site<'a> {
    /// The file the step is written in, and its text.
    file: FileId,
    text: &'a str,
    /// The step index and order in the job (a composite's steps take their caller's).
    index: usize,
    order: usize,
    /// This step's visit order.
    seq: usize,
    /// The `uses:` sites and script-running commands that led here, outermost first.
    via: Vec<Location>,
    /// How many of the last `via` sites run scripts.
    script_hops: usize,
    /// The scripts being scanned, outermost first (a script running itself is not followed).
    scripts: Vec<FileId>,
    /// The `env:` blocks of the calling steps, innermost first.
    callers_env: Vec<&'a crate::workflow::Env<'a>>,
    /// What `${{ inputs.x }}` is here.
    inputs: std::rc::Rc<inputs::Inputs>,
}

/// Analyses a job's steps, following the local composite actions in `actions`.
pub fn analyze_job<'a>(
    k: &Knowledge,
    linted: Linted<'a>,
    wf: &'a Workflow<'a>,
    job: &'a Job<'a>,
    actions: &'a [LocalAction<'a>],
    configs: &dyn ConfigSource,
) -> JobFacts<'a> {
    analyze_steps(k, linted, wf, job, job.steps(), actions, configs)
}

/// A composite action linted on its own, as a job: no id, no matrix, no `env:`; its steps are
/// [`Workflow::action_steps`] (give them to [`analyze_steps`]). `None` for an empty file.
pub fn action_job<'a>(action: &Workflow<'a>) -> Option<Job<'a>> {
    let root = action.root?;
    Some(Job {
        id: Str {
            value: "",
            node: root,
        },
        name: None,
        if_cond: None,
        runs_on: None,
        matrix: None,
        defaults: Default::default(),
        env: Default::default(),
        container: None,
        body: crate::workflow::JobBody::Steps(vec![]),
        node: root,
    })
}

/// Like [`analyze_job`], for `steps` run as the job's steps (a composite action's, see
/// [`action_job`]).
pub fn analyze_steps<'a>(
    k: &Knowledge,
    linted: Linted<'a>,
    wf: &'a Workflow<'a>,
    job: &'a Job<'a>,
    steps: &'a [Step<'a>],
    actions: &'a [LocalAction<'a>],
    configs: &dyn ConfigSource,
) -> JobFacts<'a> {
    let mut facts = JobFacts {
        tools: vec![vec![]; k.tools.len()],
        caches: vec![],
        checkouts: vec![],
        setups: vec![],
        matrix: std::cell::OnceCell::new(),
    };
    if is_literally_false(job.if_cond) {
        return facts;
    }
    let mut cx = Cx {
        k,
        seq: std::cell::Cell::new(0),
        wf,
        job,
        actions,
        configs,
        matrix: std::cell::OnceCell::new(),
        script_calls: std::cell::Cell::new(0),
    };
    let top_inputs = std::rc::Rc::new(linted.inputs.to_vec());
    for step in steps {
        let site = Site {
            file: linted.file,
            text: linted.text,
            index: step.index,
            order: step.order,
            seq: 0,
            via: vec![],
            script_hops: 0,
            scripts: vec![],
            callers_env: vec![],
            inputs: top_inputs.clone(),
        };
        visit(&cx, step, &site, &mut facts);
    }
    session_env::apply(&cx, linted.file, steps, &mut facts);
    if let Some(m) = cx.matrix.take() {
        let _ = facts.matrix.set(m);
    }
    facts
}

fn visit<'a>(cx: &Cx<'_, 'a>, step: &'a Step<'a>, site: &Site<'a>, facts: &mut JobFacts<'a>) {
    if is_literally_false(step.if_cond) {
        return;
    }
    let k = cx.k;
    let seq = cx.seq.get();
    cx.seq.set(seq + 1);
    let site = &Site {
        seq,
        ..site.clone()
    };
    // Built only for the steps that need it (most `run:` steps have no working directory).
    let chain = || env_chain_at(cx.wf, cx.job, step, &site.callers_env);
    // An unresolvable working directory makes the envdir unknown (`$` marks it so).
    let with_inputs = |t: &str| inputs::substitute(t, &site.inputs);
    let resolve = |w: Str<'_>| {
        with_inputs(w.value)
            .and_then(|t| resolve_path(&t, &chain()))
            .unwrap_or_else(|| "$unknown".into())
    };
    if let Some(run) = step.run() {
        let dialect = dialect(run.shell.map(|s| s.value), cx.job);
        // A working directory from the matrix: the script is judged once per directory.
        let per_cell = run
            .working_directory
            .and_then(|w| match with_inputs(w.value) {
                Some(t) => cx.per_cell(&t),
                None => Some(None),
            });
        let dirs: Vec<(Option<String>, Option<String>)> = match per_cell {
            Some(Some(cells)) => {
                // One directory for every cell needs no cell named.
                let several = cells.len() > 1;
                cells
                    .into_iter()
                    .map(|(w, cell)| {
                        let dir = resolve_path(&w, &chain()).unwrap_or_else(|| "$unknown".into());
                        (Some(dir), several.then_some(cell))
                    })
                    .collect()
            }
            Some(None) => vec![(Some("$unknown".into()), None)],
            None => vec![(run.working_directory.map(resolve), None)],
        };
        for (wd, cell) in dirs {
            let from: Vec<usize> = facts.tools.iter().map(Vec::len).collect();
            scan_script(
                cx,
                site,
                Body::of(&run.script),
                dialect,
                wd.as_deref(),
                facts,
            );
            let derived = run
                .working_directory
                .is_some_and(|w| w.value.contains("${{"));
            if cell.is_some() || derived {
                for (runs, from) in facts.tools.iter_mut().zip(from) {
                    for inv in runs.iter_mut().skip(from) {
                        inv.cell.clone_from(&cell);
                        inv.derived_dir = derived;
                    }
                }
            }
        }
        return;
    }
    let (Some(action), Some(uses)) = (step.action(), uses_of(step)) else {
        return;
    };
    let uses_at = Location::new(site.file, uses.span());
    if let Some(key) = local_action_key(action) {
        if site.via.len() >= MAX_COMPOSITE_DEPTH {
            return;
        }
        let Some(composite) = cx.actions.iter().find(|a| a.key == key) else {
            return;
        };
        let mut via = site.via.clone();
        via.push(uses_at);
        let mut callers_env = vec![&step.env];
        callers_env.extend(site.callers_env.iter().copied());
        let declared = inputs::declared(composite.action.root.and_then(|r| r.get("inputs")));
        let seen = inputs::for_call(
            declared,
            |n| step.input(n).map(|v| v.value.to_string()),
            &site.inputs,
        );
        let inner = Site {
            file: composite.file,
            text: composite.text,
            index: site.index,
            order: site.order,
            seq: site.seq,
            via,
            script_hops: 0,
            scripts: vec![],
            callers_env,
            inputs: std::rc::Rc::new(seen),
        };
        for s in &composite.action.action_steps {
            visit(cx, s, &inner, facts);
        }
        return;
    }
    let Some(name) = action.name() else { return };
    if k.checkout_actions.contains(&name) {
        facts.checkouts.push(Checkout {
            step: site.index,
            order: site.order,
            seq: site.seq,
            at: uses_at,
            via: site.via.clone(),
            workspace: step
                .input("path")
                .is_none_or(|p| matches!(p.value.trim().trim_end_matches('/'), "" | ".")),
        });
        return;
    }
    if let Some(sa) = k.setup_actions.iter().find(|a| a.uses == name) {
        facts.setups.push(SetupStep {
            runtime: sa.runtime.clone(),
            id: step.id,
            version: sa.version_input.as_deref().and_then(|i| step.input(i)),
            version_output: sa.version_output.clone(),
            version_env: sa.version_env.clone(),
        });
        return;
    }
    if let Some(cache) = k.cache_action(&name) {
        let path = step.input(&cache.path_input);
        let key = step.input(&cache.key_input);
        facts.caches.push(CacheStep {
            step: site.index,
            order: site.order,
            seq: site.seq,
            uses,
            at: uses_at,
            via: site.via.clone(),
            // `lookup-only: true` checks for a cache without restoring it.
            restores: cache.restores
                && step.input(&cache.lookup_only_input).map(|v| v.value.trim()) != Some("true"),
            saves: cache.saves,
            lookup_only: step.input(&cache.lookup_only_input).map(|v| v.value.trim())
                == Some("true"),
            paths: path.map(|p| {
                cache::path_lines_with(site.file, site.text, &p, |line| {
                    let line = with_inputs(line)?;
                    match cx.per_cell(&line) {
                        Some(cells) => Some(cells?.into_iter().map(|(v, _)| v).collect()),
                        // The inputs were all it used.
                        None => Some(vec![line]),
                    }
                })
            }),
            path_at: path.map(|p| Location::new(site.file, p.span())),
            path,
            id: step.id,
            key_at: key.map(|k| Location::new(site.file, k.span())),
            key,
            restore_keys: step.input(&cache.restore_keys_input),
            env: chain(),
        });
        return;
    }
    for (t, tool) in k.tools.iter().enumerate() {
        if let Some(runner) = tool.runner_actions.iter().find(|a| a.uses == name) {
            let wd = runner
                .working_directory_input
                .as_deref()
                .and_then(|i| step.input(i))
                .map(resolve);
            let wd = wd.as_deref();
            let args = parse_args(tool, &[], 0);
            let mut inv = Invocation {
                step: site.index,
                order: site.order,
                seq: site.seq,
                at: uses_at.clone(),
                via: site.via.clone(),
                script_hops: site.script_hops,
                runner_action: true,
                cell: None,
                derived_dir: false,
                creates_envs: true,
                envdir: envdir(tool, &args, wd),
                project_dir: project_dir(&args, wd),
                reuse: Reuse::Default,
                reuses: Answer::Unknown,
                // The action's own sessions are not visible.
                sessions: Some(vec!["$unknown".to_string()]),
                pythons: vec![],
                args: args.clone(),
            };
            // The action's own options are not visible: its sessions and reuse are unknown,
            // but the config's envdir still applies.
            with_config(cx, tool, &args, &mut inv);
            inv.reuses = Answer::Unknown;
            inv.creates_envs = true;
            facts.tools[t].push(inv);
        } else if let Some(sa) = tool.script_actions.iter().find(|a| a.uses == name)
            && let Some(script) = step.input(&sa.input)
        {
            scan_tool(
                cx,
                site,
                (t, tool),
                Body::of(&script),
                Dialect::Posix,
                None,
                facts,
            );
        }
    }
}

fn uses_of<'a>(step: &Step<'a>) -> Option<Str<'a>> {
    match &step.kind {
        StepKind::Uses { uses, .. } => Some(*uses),
        _ => None,
    }
}

/// A script scanned for invocations: a `run:` value (its node maps offsets back into the file),
/// or a whole repository script file.
#[derive(Clone, Copy)]
struct Body<'s> {
    text: &'s str,
    /// The YAML scalar holding it (`None`: the text is the whole file of the site).
    node: Option<&'s Node<'s>>,
}

impl<'s> Body<'s> {
    fn of(script: &'s Str<'s>) -> Self {
        Body {
            text: script.value,
            node: Some(script.node),
        }
    }

    fn map(&self, site: &Site<'_>) -> crate::source::SpanMap {
        match self.node {
            Some(n) => n.scalar_map(site.text),
            None => crate::source::SpanMap::identity(0, self.text.len()),
        }
    }
}

/// How deep scripts running scripts are followed.
const MAX_SCRIPT_DEPTH: usize = 4;

/// At most this many script runs are read for one job (a script run from every line of a long
/// script is read that many times, each with its own call site).
const MAX_SCRIPT_CALLS: usize = 64;

fn scan_script(
    cx: &Cx<'_, '_>,
    site: &Site<'_>,
    body: Body<'_>,
    dialect: Dialect,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    for (t, tool) in cx.k.tools.iter().enumerate() {
        scan_tool(cx, site, (t, tool), body, dialect, wd, facts);
    }
    scan_called_scripts(cx, site, body, dialect, wd, facts);
}

/// Scans the repository scripts that `body`'s commands run (`./ci/test.sh`,
/// `bash scripts/test.sh`), read through the repository: their invocations count at this step,
/// reported at the command that runs the script. A script that is not there is unknown.
fn scan_called_scripts(
    cx: &Cx<'_, '_>,
    site: &Site<'_>,
    body: Body<'_>,
    dialect: Dialect,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    if dialect != Dialect::Posix
        || site.script_hops >= MAX_SCRIPT_DEPTH
        || !cx.configs.may_have_scripts()
    {
        return;
    }
    let needles = ["/", ".sh", ".bash", "source", "cd", "pushd", "popd"];
    // Most scripts run no file of the repository: a cheap look first.
    if !needles[..4]
        .iter()
        .any(|n| memchr::memmem::find(body.text.as_bytes(), n.as_bytes()).is_some())
    {
        return;
    }
    let mut map = None;
    let mut dirs = workdir::Dirs::new(body.text, dialect, wd);
    for cmd in shell::scan_for(body.text, dialect, &needles) {
        if dirs.see(&cmd) {
            continue;
        }
        let Some(i) = workdir::script_word(&cmd) else {
            continue;
        };
        let (Some(first), Some(word)) = (cmd.words.first(), cmd.words.get(i)) else {
            continue;
        };
        // `None`: the workspace.
        let dir = dirs.at(first.span.start).map(|d| d.into_owned());
        if dir.as_deref().is_some_and(|d| d.contains('$')) {
            continue;
        }
        let path = glob::join(&glob::normalize(dir.as_deref().unwrap_or("")), &word.text);
        scan_file(
            cx,
            site,
            body,
            &mut map,
            (first, word),
            &path,
            dir.as_deref(),
            facts,
        );
    }
}

/// Scans the repository script at `path` that the command from `first` to `word` runs in `wd`.
#[allow(clippy::too_many_arguments)]
fn scan_file(
    cx: &Cx<'_, '_>,
    site: &Site<'_>,
    body: Body<'_>,
    map: &mut Option<crate::source::SpanMap>,
    (first, word): (&shell::Word, &shell::Word),
    path: &str,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    if path.is_empty() || path == ".." || path.starts_with("../") {
        return;
    }
    if cx.script_calls.get() >= MAX_SCRIPT_CALLS {
        return;
    }
    let Some((file, script)) = cx.configs.script(path) else {
        return;
    };
    cx.script_calls.set(cx.script_calls.get() + 1);
    // A script running itself, directly or through others, is scanned once.
    if file == site.file || site.scripts.contains(&file) {
        return;
    }
    let dialect = workdir::file_dialect(&script.text);
    if dialect != Dialect::Posix {
        return;
    }
    let call = map
        .get_or_insert_with(|| body.map(site))
        .to_source(first.span.start..word.span.end);
    let mut via = site.via.clone();
    via.push(Location::new(site.file, call));
    let mut scripts = site.scripts.clone();
    scripts.push(file);
    let inner = Site {
        file,
        text: &script.text,
        via,
        script_hops: site.script_hops + 1,
        scripts,
        ..site.clone()
    };
    let body = Body {
        text: &script.text,
        node: None,
    };
    scan_script(cx, &inner, body, dialect, wd, facts);
}

fn scan_tool(
    cx: &Cx<'_, '_>,
    site: &Site<'_>,
    (t, tool): (usize, &ToolSpec),
    body: Body<'_>,
    dialect: Dialect,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    // Every way to run the tool names it: scripts that do not are not scanned, and commands
    // that do not are dropped while scanning.
    let needles = tool.needles();
    if !needles
        .iter()
        .any(|n| memchr::memmem::find(body.text.as_bytes(), n.as_bytes()).is_some())
    {
        return;
    }
    // The commands that change directory are kept too: they move the invocations after them.
    let mut wanted = needles.clone();
    wanted.extend(workdir::CD_NEEDLES);
    let mut map = None;
    let mut dirs = workdir::Dirs::new(body.text, dialect, wd);
    for cmd in shell::scan_for(body.text, dialect, &wanted) {
        if dirs.see(&cmd) {
            continue;
        }
        let Some((start, i)) = match_tool(cx.k, tool, &cmd.words) else {
            continue;
        };
        let args = parse_args(tool, &cmd.words, i);
        let (Some(first), Some(last)) = (cmd.words.get(start), cmd.words.get(i)) else {
            continue;
        };
        let wd = dirs.at(cmd.words.first().map_or(first.span.start, |w| w.span.start));
        let wd = wd.as_deref();
        let span = map
            .get_or_insert_with(|| body.map(site))
            .to_source(first.span.start..last.span.end);
        let mut inv = Invocation {
            step: site.index,
            order: site.order,
            seq: site.seq,
            at: Location::new(site.file, span),
            via: site.via.clone(),
            script_hops: site.script_hops,
            runner_action: false,
            cell: None,
            derived_dir: false,
            creates_envs: args.creates_envs,
            envdir: envdir(tool, &args, wd),
            project_dir: project_dir(&args, wd),
            reuse: args.reuse,
            reuses: Answer::Unknown,
            sessions: args.sessions.clone(),
            pythons: args.pythons.clone(),
            args: args.clone(),
        };
        if inv.creates_envs {
            with_config(cx, tool, &args, &mut inv);
        }
        facts.tools[t].push(inv);
    }
}

/// Reads the invocation's config file (when the repository is there) and applies what it
/// says: the envdir it sets, whether the selected sessions create environments and reuse them.
fn with_config(
    cx: &Cx<'_, '_>,
    tool: &ToolSpec,
    args: &invocation::ToolArgs,
    inv: &mut Invocation,
) -> config::Judged {
    let module = inv.project_dir.as_deref().and_then(|dir| {
        let name = match &args.config {
            Some(f) => f.rsplit(['/', '\\']).next().unwrap_or(f).to_string(),
            None => tool.config_file().to_string(),
        };
        cx.configs.config(&glob::join(dir, &name))
    });
    let cfg = match &module {
        Some(m) => config::Config::Read(m),
        None => config::Config::Unknown,
    };
    let judged = config::judge(tool, args, cfg);
    if judged.creates_envs == Answer::No {
        inv.creates_envs = false;
    }
    inv.reuses = judged.reuses;
    if args.envdir.is_none()
        && let Some(set) = &judged.envdir
    {
        inv.envdir = match (set, inv.project_dir.as_deref()) {
            (Some(e), Some(dir)) if !e.starts_with('~') && !e.contains('$') => {
                Some(glob::join(dir, e))
            }
            _ => None,
        };
    }
    judged
}

/// The `env:` scopes of a step of the job: step, job, workflow.
pub fn env_chain<'e, 'a>(
    wf: &'e Workflow<'a>,
    job: &'e Job<'a>,
    step: &'e Step<'a>,
) -> EnvChain<'e, 'a> {
    env_chain_at(wf, job, step, &[])
}

/// The `env:` scopes of a step, inside composite actions too: the step, each calling step
/// (innermost first), the job, the workflow.
fn env_chain_at<'e, 'a>(
    wf: &'e Workflow<'a>,
    job: &'e Job<'a>,
    step: &'e Step<'a>,
    callers: &[&'e crate::workflow::Env<'a>],
) -> EnvChain<'e, 'a> {
    let mut scopes = Vec::with_capacity(callers.len() + 3);
    scopes.push(&step.env);
    scopes.extend(callers.iter().copied());
    scopes.push(&job.env);
    scopes.push(&wf.env);
    EnvChain { scopes }
}
