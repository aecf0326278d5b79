//! `scenarios/profile-rotation.yaml` end to end on the embedded target: rotating refreshes
//! (`get_tokens_from_refresh_token`, each using the refresh token the previous one answered)
//! and profile edits (`update_user_attributes`) all succeed, and `plan` and `run` count the
//! edits in UserUpdate, the guide's category of UpdateUserAttributes ("Quotas in Amazon
//! Cognito"; the table has no row for GetTokensFromRefreshToken, which is newer than it).

mod cli_support;

use cli_support::{harness, only_summary};

fn scenario() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/profile-rotation.yaml")
}

#[test]
fn rotating_refreshes_and_profile_edits_run_and_count_in_their_categories() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("out");
    let out = harness()
        .arg("run")
        .arg(scenario())
        .args(["--duration", "2s", "--out"])
        .arg(&reports)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let summary = only_summary(&reports);
    let steps = &summary["summary"]["steps"];
    for step in [
        "app_session.get_tokens_from_refresh_token",
        "app_session.get_tokens_from_refresh_token_2",
        "app_session.update_user_attributes",
    ] {
        let ok = steps[step]["ok"].as_u64().unwrap_or(0);
        assert!(ok >= 10, "{step}: {}", steps[step]);
        assert_eq!(
            steps[step]["count"], steps[step]["ok"],
            "{step}: {}",
            steps[step]
        );
    }
    let update = &summary["summary"]["categories"]["UserUpdate"];
    assert!(update["count"].as_u64().unwrap_or(0) >= 10, "{update}");

    let plan = harness()
        .arg("plan")
        .arg(scenario())
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let categories: Vec<&str> = plan["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["category"].as_str())
        .collect();
    assert!(categories.contains(&"UserUpdate"), "{categories:?}");
}
