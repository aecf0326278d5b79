//! The loaders' messages for files that are not UTF-8 or give a key twice: the scenario, the
//! conformance case and the `serve --config` loaders name the line and column of the first bad
//! byte, and the duplicate key by name at its line, in our wording (not the parser library's
//! hint about its options).

use std::path::Path;

use cognito_harness::conformance::load_suite;
use cognito_harness::scenario::load::load_scenario;
use cognito_harness::server::load_config_file;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn scenario_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.yaml", bytes);
    let err = load_scenario(&path).expect_err("refused").to_string();
    err.replace(&path.display().to_string(), "s.yaml")
}

fn case_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "auth/c.yaml", bytes);
    let err = load_suite(dir.path()).expect_err("refused");
    err.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&path.display().to_string(), "c.yaml")
}

fn config_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "serve.yaml", bytes);
    let err = load_config_file(&path).expect_err("refused").to_string();
    err.replace(&path.display().to_string(), "serve.yaml")
}

fn assert_ours(err: &str) {
    assert!(
        !err.contains("DuplicateKeyPolicy"),
        "the parser's hint: {err}"
    );
    assert!(!err.contains("?"), "an unnamed key: {err}");
    assert!(
        !err.contains("stream did not contain"),
        "std's wording: {err}"
    );
}

#[test]
fn a_scenario_that_is_not_utf8_is_located_at_the_first_bad_byte() {
    let err = scenario_error(b"target: embedded\ndescription: \"caf\xe9\"\nflows: {}\n");
    assert!(
        err.starts_with("s.yaml:2:18: not UTF-8: this byte does not start a valid UTF-8 character; save the file as UTF-8"),
        "{err}"
    );
    assert_ours(&err);
}

#[test]
fn a_duplicate_scenario_key_is_named_at_its_line() {
    let load = "    load: { executor: constant-vus, vus: 1, duration: 5s }\n";
    let text = format!("target: embedded\nflows:\n  a:\n{load}{load}    steps: [sign_up]\n");
    let err = scenario_error(text.as_bytes());
    assert!(
        err.starts_with("s.yaml:5:5: flows.a.load: duplicate key `load`: this map already has it; keep one `load:`"),
        "{err}"
    );
    assert_ours(&err);
    let flow = format!("  a:\n{load}    steps: [sign_up]\n");
    let err = scenario_error(format!("target: embedded\nflows:\n{flow}{flow}").as_bytes());
    assert!(
        err.starts_with("s.yaml:6:3: flows.a: duplicate key `a`"),
        "{err}"
    );
    assert_ours(&err);
}

#[test]
fn a_case_that_is_not_utf8_or_gives_a_key_twice_is_located() {
    let err = case_error(b"id: auth.x\n# \xff\n");
    assert!(err.starts_with("c.yaml:2:3: not UTF-8"), "{err}");
    assert_ours(&err);
    let err = case_error(b"id: auth.x\nid: auth.y\n");
    assert!(err.contains("c.yaml:2:1: id: duplicate key `id`"), "{err}");
    assert_ours(&err);
}

#[test]
fn a_config_that_is_not_utf8_or_gives_a_key_twice_is_located() {
    let err =
        config_error(b"region: us-east-1\nexpose_codes: false\npools:\n  - name: \"p\xc3\x28\"\n");
    assert!(err.starts_with("serve.yaml:4:13: not UTF-8"), "{err}");
    assert_ours(&err);
    let err = config_error(b"region: us-east-1\nregion: eu-west-1\n");
    assert_eq!(
        err,
        "serve.yaml:2:1: region: duplicate key `region`: this map already has it; keep one `region:` (YAML maps name each key once)"
    );
}
