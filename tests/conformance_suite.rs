//! The conformance suite as data and as a command: every case file loads, the expected-failure
//! records name real cases, and the `conform` subcommand reports bad files and unreachable
//! targets with their documented exit codes.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use cognito_harness::conformance::case::Level;
use cognito_harness::conformance::expected::load_expected;
use cognito_harness::conformance::load_suite;

fn suite_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/conformance"))
}

#[test]
fn every_case_file_loads_and_the_suite_covers_every_area() {
    let cases = load_suite(suite_dir()).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let areas: BTreeSet<&str> = cases.iter().map(|c| c.area.as_str()).collect();
    for area in [
        "wire",
        "signup",
        "password-policy",
        "secret-hash",
        "srp",
        "password-auth",
        "admin",
        "prevent-existence",
        "refresh",
        "tokens",
        "revocation",
        "forgot-password",
        "oauth2",
        "userinfo",
        "validation",
    ] {
        assert!(areas.contains(area), "no case in area {area}");
    }
    for case in &cases {
        assert!(
            case.id.starts_with(&format!("{}.", case.area)),
            "{}: the id should start with its area",
            case.file
        );
        assert!(!case.reference.trim().is_empty(), "{}: no ref", case.file);
    }
    assert!(cases.iter().any(|c| c.level == Level::Should));
}

#[test]
fn expected_failure_records_name_cases_of_the_suite() {
    let cases = load_suite(suite_dir()).expect("suite loads");
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let dir = suite_dir().join("expected");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("conformance/expected exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let record = load_expected(&path).unwrap_or_else(|e| panic!("{e}"));
        for (id, reason) in &record.failures {
            assert!(
                ids.contains(id.as_str()),
                "{}: unknown case {id}",
                path.display()
            );
            assert!(
                !reason.trim().is_empty(),
                "{}: {id} has no reason",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(
        seen >= 3,
        "expected records for moto, ministack and cognito-local"
    );
}

#[test]
fn conform_reports_a_bad_case_file_with_its_location_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("wire")).unwrap();
    std::fs::write(
        dir.path().join("wire/bad.yaml"),
        "id: wire.bad\ntitle: t\nref: r\nlevel: must\nsteps:\n  - call: SignUp\n    expect: {stauts: 400}\n",
    )
    .unwrap();
    let out = Command::cargo_bin("cognito-harness")
        .unwrap()
        .args(["conform", "--target", "http://127.0.0.1:9/", "--suite"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wire/bad.yaml:7:14: steps[0].expect.stauts: unknown key `stauts`; valid keys here: status, type,"),
        "{stderr}"
    );
}

#[test]
fn conform_against_a_closed_port_exits_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let out = Command::cargo_bin("cognito-harness")
        .unwrap()
        .args(["conform", "--target", &format!("http://127.0.0.1:{port}/")])
        .arg("--suite")
        .arg(suite_dir())
        .args(["--case", "wire.malformed-json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn conform_refuses_a_remote_target_without_allow_remote() {
    let out = Command::cargo_bin("cognito-harness")
        .unwrap()
        .args([
            "conform",
            "--target",
            "https://cognito-idp.us-east-1.amazonaws.com/",
        ])
        .arg("--suite")
        .arg(suite_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("non-loopback"));
}
