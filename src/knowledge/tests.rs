use std::collections::BTreeSet;

use super::*;

#[test]
fn embedded_data_loads_and_validates() {
    let k = Knowledge::load().unwrap();
    let nox = &k.tools[0];
    assert_eq!(nox.name, "nox");
    assert_eq!(nox.envdir.default, ".nox");
    assert_eq!(nox.envdir.relative_to, RelativeTo::Config);
    assert_eq!(nox.config_file(), "noxfile.py");
    assert!(
        k.cache_action("actions/cache/restore")
            .is_some_and(|a| a.restores && !a.saves && a.restore_keys_input == "restore-keys")
    );
    assert!(
        k.cache_action("actions/cache/save")
            .is_some_and(|a| !a.restores && a.saves)
    );
    assert_eq!(k.suggested_cache_action(), "actions/cache@v6.1.0");
    assert_eq!(
        k.suggested_cache_uses(false, &[None, None]),
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0"
    );
    // On GitHub always by SHA: zizmor's default policy reports a tag even in a file of tags.
    assert_eq!(
        k.suggested_cache_uses(false, &[None]),
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0"
    );
    assert_eq!(
        k.suggested_cache_uses(false, &[]),
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0"
    );
    assert_eq!(
        k.suggested_cache_uses(true, &[None, Some("code.forgejo.org")]),
        "https://code.forgejo.org/actions/cache@v4"
    );
    assert_eq!(k.suggested_cache_uses(true, &[None]), "actions/cache@v4");
    assert!(k.setup_action("actions/setup-python", "python").is_some());
    assert!(k.launchers.iter().any(|l| l.matches_program("python3.12")));
    assert!(
        !k.launchers
            .iter()
            .any(|l| l.matches_program("pythonista") || l.matches_program("pip"))
    );
    // The uv options anchor is shared by three launchers.
    assert!(
        k.launchers
            .iter()
            .filter(|l| l.options_with_value.iter().any(|o| o == "--from"))
            .count()
            >= 3
    );
}

#[test]
fn validation_rejects_bad_data() {
    let mut k = Knowledge::load().unwrap();
    k.tools[0].envdir.options.push("--elsewhere".into());
    assert!(k.validate().is_err());
    let mut k = Knowledge::load().unwrap();
    k.cache_actions[0].uses = "Actions/Cache".into();
    assert!(k.validate().is_err());
    let mut k = Knowledge::load().unwrap();
    k.tools.push(k.tools[0].clone());
    assert!(k.validate().unwrap_err().contains("two tools"));
    let mut k = Knowledge::load().unwrap();
    k.tools[0].name = "No X".into();
    assert!(k.validate().is_err());
}

#[test]
fn typos_and_wrong_types_in_data_are_errors_with_a_line() {
    let nox = TOOLS[0].1;
    let typo = nox.replace("\npackage: nox", "\npackag: nox");
    let err = Knowledge::load_with(&[("rules/tools/x.yml", &typo)]).unwrap_err();
    assert!(err.contains("unknown field `packag`"), "{err}");
    let line = typo.lines().position(|l| l.starts_with("packag:")).unwrap() + 1;
    assert!(
        err.starts_with(&format!("rules/tools/x.yml:{line}:")),
        "{err}"
    );
    let bad = nox.replace("default: false", "default: yes");
    let err = Knowledge::load_with(&[("rules/tools/x.yml", &bad)]).unwrap_err();
    assert!(err.contains("true or false"), "{err}");
    let bad = nox.replace("relative_to: config", "relative_to: cwd");
    let err = Knowledge::load_with(&[("rules/tools/x.yml", &bad)]).unwrap_err();
    assert!(err.contains("cwd"), "{err}");
}

/// Keys a data file's comments document: comment lines `# key: ...` or `#   a / b: ...`.
fn documented_keys(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let Some(c) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some((head, _)) = c.split_once(':') else {
            continue;
        };
        let words: Vec<&str> = head.split('/').map(str::trim).collect();
        if words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        {
            out.extend(words.iter().map(|w| w.to_string()));
        }
    }
    out
}

#[test]
fn every_documented_key_is_a_field_and_every_field_is_documented() {
    for (name, text) in embedded_files() {
        let fields = de::declared_fields(|| {
            let r = match name {
                "rules/tools/launchers.yml" => parse_file::<LaunchersFile>(name, text).map(drop),
                "rules/cache-actions.yml" => parse_file::<CacheActionsFile>(name, text).map(drop),
                "rules/setup-actions.yml" => parse_file::<SetupActionsFile>(name, text).map(drop),
                "rules/release.yml" => parse_file::<Release>(name, text).map(drop),
                "rules/runners.yml" => parse_file::<RunnersFile>(name, text).map(drop),
                _ => parse_file::<ToolSpec>(name, text).map(drop),
            };
            assert!(r.is_ok(), "{r:?}");
        });
        let fields: BTreeSet<String> = fields.into_iter().map(String::from).collect();
        let documented = documented_keys(text);
        let undocumented: Vec<_> = fields.difference(&documented).collect();
        let unknown: Vec<_> = documented.difference(&fields).collect();
        assert!(
            undocumented.is_empty(),
            "{name}: fields its comments do not document: {undocumented:?}"
        );
        assert!(
            unknown.is_empty(),
            "{name}: its comments document keys the loader does not know: {unknown:?}"
        );
    }
}

/// The JSON `build.rs` makes of the data is read into exactly what the YAML is read into (the
/// binary reads the JSON; tests and error messages the YAML).
#[test]
fn json_form_gives_the_same_knowledge_as_the_yaml() {
    for (name, _, json) in TOOLS.iter().chain(&OTHERS) {
        assert!(!json.is_empty(), "{name}: build.rs made no JSON of it");
    }
    let from_json = Knowledge::from_json().unwrap();
    let from_yaml = Knowledge::load_with(&[]).unwrap();
    assert_eq!(format!("{from_json:?}"), format!("{from_yaml:?}"));
    // And the launchers' shared anchor arrived through its aliases.
    assert!(from_json.launchers.iter().all(|l| !l.program.is_empty()));
}

#[test]
fn deprecated_cache_releases_are_data() {
    let k = Knowledge::load().unwrap();
    let cache = k.cache_action("actions/cache").unwrap();
    for old in [
        "v1",
        "v2",
        "v2.1.8",
        "v3.0.11",
        "V3.3.3",
        "v4.0.0",
        "v4.1.2",
        "v3.2.0-beta",
    ] {
        assert_eq!(cache.deprecated_ref(old), Some(old), "{old}");
    }
    for working in [
        "v3", "v4", "v3.4.0", "v4.2.0", "v4.10.0", "v5", "v6.1.0", "main", "v10",
    ] {
        assert_eq!(cache.deprecated_ref(working), None, "{working}");
    }
    // v4.1.1 pinned by its commit; v6.1.0's and an unknown commit are not deprecated.
    assert_eq!(
        cache.deprecated_ref("3624CEB22C1C5A301C8DB4169662070A689D9EA8"),
        Some("v4.1.1")
    );
    assert_eq!(
        cache.deprecated_ref("55cc8345863c7cc4c66a329aec7e433d2d1c52a9"),
        None
    );
    let restore = k.cache_action("actions/cache/restore").unwrap();
    assert_eq!(restore.deprecated_ref("v4.1.2"), Some("v4.1.2"));
    assert!(restore.deprecated_inputs.is_empty());
    assert_eq!(cache.deprecated_inputs[0].name, "save-always");
    assert!(
        k.cache_action("runs-on/cache")
            .unwrap()
            .deprecated_releases
            .is_none()
    );
    assert_eq!(k.checkout_actions, ["actions/checkout"]);
}
