use super::*;
use crate::shell::{Dialect, scan};

fn k() -> Knowledge {
    Knowledge::load().unwrap()
}

/// The tool word of the first command of `script` that runs nox, and its args.
fn first(script: &str) -> Option<(String, ToolArgs)> {
    let k = k();
    scan(script, Dialect::Posix).iter().find_map(|c| {
        let (_, i) = match_tool(&k, &k.tools[0], &c.words)?;
        Some((
            c.words[i].text.clone(),
            parse_args(&k.tools[0], &c.words, i),
        ))
    })
}

#[test]
fn launchers_are_recognised() {
    for script in [
        "nox -s tests",
        "python -m nox",
        "python3.12 -m nox -s x",
        "py -m nox",
        "python -u -m nox",
        "uvx nox",
        "uvx nox@2025.5.1 -s t",
        "uvx --from nox nox",
        "uvx --with requests nox",
        "uv tool run nox",
        "uv run nox",
        "uv run --only-group nox nox",
        "pipx run nox",
        "pipx run nox[uv]",
        "pipx run --python=python nox",
        "poetry run nox",
        "pdm run nox",
        "hatch run nox",
        "pipenv run nox",
        "/venv/bin/nox -s t",
        ".venv/bin/nox",
    ] {
        assert!(first(script).is_some(), "not recognised: {script}");
    }
}

#[test]
fn non_invocations() {
    for script in [
        "pip install nox",
        "pipx install nox",
        "uv tool install nox",
        "nox-poetry",
        "source .nox/x/bin/activate",
        "cat .nox-py-versions.json",
        "echo nox",
        "python -c 'import nox'",
        "python -m pip install nox",
        "uvx ruff check",
        "noxfile.py",
    ] {
        assert!(first(script).is_none(), "wrongly recognised: {script}");
    }
}

#[test]
fn flags_that_create_no_environments() {
    for script in [
        "nox --version",
        "nox -l",
        "nox --list-sessions",
        "nox --help",
        "nox --no-venv -s x",
        "nox -fb none",
        "nox --force-venv-backend=none",
    ] {
        assert!(!first(script).unwrap().1.creates_envs, "{script}");
    }
    assert!(first("nox --install-only").unwrap().1.creates_envs);
    assert!(first("nox -s lint -- --version").unwrap().1.creates_envs);
}

#[test]
fn reuse_flags() {
    let reuse = |s: &str| first(s).unwrap().1.reuse;
    assert_eq!(reuse("nox"), Reuse::Default);
    assert_eq!(reuse("nox -r"), Reuse::On);
    assert_eq!(reuse("nox --reuse-venv=yes"), Reuse::On);
    assert_eq!(reuse("nox --reuse-venv always"), Reuse::On);
    assert_eq!(reuse("nox --reuse-venv=never"), Reuse::Off);
    assert_eq!(reuse("nox -N"), Reuse::Off);
    assert_eq!(reuse("nox -N -R"), Reuse::On);
}

#[test]
fn envdir_is_computed() {
    let k = k();
    let dir = |s: &str, wd: Option<&str>| {
        let (_, a) = first(s).unwrap();
        envdir(&k.tools[0], &a, wd)
    };
    assert_eq!(dir("nox", None).as_deref(), Some(".nox"));
    assert_eq!(dir("nox", Some("pkg")).as_deref(), Some("pkg/.nox"));
    assert_eq!(
        dir("nox -f sub/noxfile.py", None).as_deref(),
        Some("sub/.nox")
    );
    assert_eq!(
        dir("nox -f sub/noxfile.py", Some("./a")).as_deref(),
        Some("a/sub/.nox")
    );
    assert_eq!(
        dir("nox --envdir build/nox", None).as_deref(),
        Some("build/nox")
    );
    assert_eq!(
        dir("nox --envdir=/tmp/nox", None).as_deref(),
        Some("/tmp/nox")
    );
    assert_eq!(dir("nox --envdir ~/.nox", None).as_deref(), Some("/~/.nox"));
    assert_eq!(dir("nox --envdir=~/.nox", None).as_deref(), Some("~/.nox"));
    assert_eq!(dir("nox --envdir $X", None), None);
    assert_eq!(dir("nox", Some("${{ env.D }}")), None);
}

#[test]
fn cache_paths_normalise() {
    assert_eq!(cache_path(".nox").as_deref(), Some(".nox"));
    assert_eq!(cache_path("./.nox/").as_deref(), Some(".nox"));
    assert_eq!(
        cache_path("${{ github.workspace }}/.nox").as_deref(),
        Some(".nox")
    );
    assert_eq!(cache_path("~/.nox").as_deref(), Some("/~/.nox"));
    assert_eq!(cache_path("${{ steps.x.outputs.dir }}"), None);
    assert_eq!(cache_path("$HOME/.nox"), None);
}

#[test]
fn wrappers_from_the_data() {
    for script in [
        "xvfb-run nox -s gui",
        "xvfb-run -a nox -s gui",
        "xvfb-run -a -s '-screen 0 1024x768x24' nox -s gui",
        "xvfb-run --server-args=-noreset python -m nox",
        "ionice -c 3 nox",
        "chronic nox -s lint",
        "catchsegv nox",
        "xvfb-run -a chronic uvx nox",
        "nice -n 10 xvfb-run nox",
        "stdbuf -oL nox",
        "taskset 0x3 nox -s tests",
        "taskset -c 0,1 nox",
        "taskset -a -c 0-3 python -m nox",
    ] {
        assert_eq!(
            first(script).map(|(w, _)| w).as_deref(),
            Some("nox"),
            "{script}"
        );
    }
    for script in [
        "xvfb-run",
        "xvfb-run -a",
        "ionice -p 123 nox",
        "chronic echo nox",
        "xvfb-run -s nox",
        "taskset nox",
        "taskset -p 0x3 123",
        "taskset -c 0 echo nox",
    ] {
        assert!(first(script).is_none(), "{script}");
    }
}
