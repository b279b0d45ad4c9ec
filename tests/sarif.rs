//! `--format sarif` checked by real validators: the SARIF 2.1.0 JSON schema and Microsoft's
//! SARIF multitool (`validate`, zero errors and zero warnings), both from the npm package
//! `@microsoft/sarif-multitool-linux` that `scripts/sarif-tools.sh` unpacks into
//! `target/sarif-tools/` (`.ci/run` runs it). Each test says so and skips when they are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tools() -> PathBuf {
    root().join("target/sarif-tools/package")
}

/// A repository with findings of several rules: labels, a composite action reached through
/// `uses:` (a related location in another file), a line with characters outside the BMP
/// (UTF-16 columns), a file that is not YAML, and a file name that needs percent-encoding.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo \"🦀🦀\" && nox -s tests\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ runner.os }}\n",
    );
    write(
        ".github/workflows/with action.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/nox\n",
    );
    write(
        ".github/actions/nox/action.yml",
        "name: nox\nruns:\n  using: composite\n  steps:\n    - run: nox -s lint\n      shell: bash\n",
    );
    write(".github/workflows/broken.yml", "on: [push\njobs: {}\n");
    dir
}

fn sarif(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir)
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn sarif_output_has_the_rules_results_regions_and_exit_code() {
    let dir = repo();
    let (text, code) = sarif(dir.path(), &[]);
    // Code scanning convention: findings are results, not a failed step.
    assert_eq!(code, 0, "{text}");
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"nox/cache-missing"), "{rules:?}");
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for id in &ids {
        assert!(rules.contains(id), "{id} is not in tool.driver.rules");
    }
    for expected in [
        "nox/key-missing-hash",
        "nox/cache-after-use",
        "syntax-error",
        "nox/cache-missing",
    ] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:?}");
    }
    // `nox` after two crabs: character column 27 (as `--format json` says), UTF-16 column 29.
    let after = results
        .iter()
        .find(|r| r["ruleId"] == "nox/cache-after-use")
        .unwrap();
    let related = after["relatedLocations"].as_array().unwrap();
    let nox = related
        .iter()
        .find(|l| l["physicalLocation"]["region"]["startLine"] == 7)
        .expect("the nox command is a related location");
    assert_eq!(nox["physicalLocation"]["region"]["startColumn"], 29);
    let json = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir.path())
        .args(["check", "--format", "json", ".github/workflows/ci.yml"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let label = json
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["labels"].as_array().unwrap())
        .find(|l| l["line"] == 7)
        .unwrap();
    assert_eq!(label["column"], 27);
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    // The composite action's nox command is reported at the caller's `uses:`, with the
    // action file as a related location; the space in the caller's name is encoded.
    let missing = results
        .iter()
        .find(|r| {
            r["ruleId"] == "nox/cache-missing"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == ".github/workflows/with%20action.yml"
        })
        .expect("cache-missing at the composite action's caller");
    let related_uris: Vec<&str> = missing["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        related_uris.contains(&".github/actions/nox/action.yml"),
        "{related_uris:?}"
    );
    // A clean run is a log with no results; an unreadable input still exits 2.
    let (text, code) = sarif(
        dir.path(),
        &["--select", "cache/key-invalid", ".github/workflows/ci.yml"],
    );
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let (_, code) = sarif(dir.path(), &["missing.yml"]);
    assert_eq!(code, 2);
}

#[test]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let schema_path = tools().join("sarif-2.1.0.json");
    let Ok(schema) = std::fs::read_to_string(&schema_path) else {
        println!(
            "skipping the schema check: {} is missing (scripts/sarif-tools.sh installs it)",
            schema_path.display()
        );
        return;
    };
    let schema: Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let dir = repo();
    for args in [
        &[][..],
        &["--select", "cache/key-invalid", ".github/workflows/ci.yml"][..],
    ] {
        let (text, _) = sarif(dir.path(), args);
        let log: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    // The check is real: a log without `version` is rejected.
    let mut bad: Value = serde_json::from_str(&sarif(dir.path(), &[]).0).unwrap();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn the_sarif_multitool_finds_no_errors_or_warnings() {
    let tool = tools().join("Sarif.Multitool");
    if !tool.exists() {
        println!(
            "skipping the multitool check: {} is missing (scripts/sarif-tools.sh installs it)",
            tool.display()
        );
        return;
    }
    let dir = repo();
    let out_dir = tempfile::tempdir().unwrap();
    for (i, args) in [
        &[][..],
        &["--select", "cache/key-invalid", ".github/workflows/ci.yml"][..],
    ]
    .iter()
    .enumerate()
    {
        let (text, _) = sarif(dir.path(), args);
        let input = out_dir.path().join(format!("in{i}.sarif"));
        let report = out_dir.path().join(format!("out{i}.sarif"));
        std::fs::write(&input, &text).unwrap();
        let run = Command::new(&tool)
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .arg("validate")
            .arg(&input)
            .arg("-o")
            .arg(&report)
            .args(["--log", "ForceOverwrite"])
            .output()
            .unwrap();
        let console = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "multitool failed:\n{console}");
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
            .expect("the multitool writes a SARIF report");
        let findings: Vec<String> = report["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["level"] != "note" && r["level"] != "none")
            .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
            .collect();
        assert!(
            findings.is_empty(),
            "{args:?}:\n{}\n{console}",
            findings.join("\n")
        );
    }
}
