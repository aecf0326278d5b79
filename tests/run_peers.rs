//! One scenario, two targets: the same flows run against the embedded reference server and
//! against moto with only the `target` block changed, through the binary. Users are provisioned
//! over moto's admin API, signed in, their tokens verified against moto's JWKS, refreshed, and
//! cleaned up afterwards; moto's SRP deviation shows up as counted failures, not a lost run.

mod cli_support;
mod peer_support;

use cli_support::{harness, only_summary, write};
use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{CognitoClient, TargetConfig};
use peer_support::start_peer;

const FLOWS: &str = r#"
setup:
  users: 4
  password: "Peer-Pa55word!"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 4, duration: 3s, pre_allocated_vus: 2 }
    steps:
      - password_sign_in: { capture: s }
      - verify_tokens
      - refresh: { tokens: s }
      - get_user
  srp:
    load: { executor: constant-arrival-rate, rate: 2, duration: 3s }
    steps:
      - srp_sign_in
  sign_up:
    load: { executor: constant-arrival-rate, rate: 2, duration: 3s }
    steps:
      - sign_up: { username: "peer-{run}-{n}" }
      - confirm_sign_up: { via: admin }
      - password_sign_in
thresholds:
  sign_in: ["count==12", "error_rate==0"]
  sign_up: ["error_rate==0"]
"#;

fn run(
    dir: &std::path::Path,
    name: &str,
    target: &str,
    envs: &[(&str, &str)],
) -> serde_json::Value {
    let scenario = write(dir, &format!("{name}.yaml"), &format!("{target}\n{FLOWS}"));
    let reports = dir.join(format!("reports-{name}"));
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--reports")
        .arg(&reports)
        .arg("--quiet")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let summary = only_summary(&reports);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        summary["summary"]["steps"]
    );
    summary
}

/// Iterations of sign_in, sign_up and srp, and the verified tokens.
fn counts(report: &serde_json::Value) -> (u64, u64, u64, u64) {
    let s = &report["summary"];
    (
        s["flows"]["sign_in"]["count"].as_u64().unwrap(),
        s["flows"]["sign_up"]["count"].as_u64().unwrap(),
        s["flows"]["srp"]["count"].as_u64().unwrap(),
        s["steps"]["sign_in.verify_tokens"]["ok"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn the_same_scenario_runs_on_moto_with_only_the_target_changed() {
    let Some(moto) = start_peer("moto", &[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let embedded = run(dir.path(), "embedded", "target: embedded", &[]);

    // The pool and app client a real deployment would already have.
    let mut config = TargetConfig::local(&moto.endpoint).unwrap();
    config.credentials = Some(static_credentials("test", "test", None));
    let admin = CognitoClient::new(config).unwrap();
    let pool_id = admin
        .create_user_pool(&CreateUserPoolRequest {
            pool_name: "run-peers".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = admin
        .create_user_pool_client(&CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "run-peers".into(),
            explicit_auth_flows: Some(vec![
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]),
            ..Default::default()
        })
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    // moto signs `iss` as real Cognito does, https://cognito-idp.{region}.amazonaws.com/{pool}
    // with the pool's region (the prefix of its id), and serves the JWKS under the pool id on
    // its own host (the scenario's default `jwks_url`).
    let region = pool_id.split('_').next().unwrap().to_owned();
    let target = format!(
        r#"target:
  endpoint: "${{MOTO_ENDPOINT}}"
  region: {region}
  user_pool_id: "{pool_id}"
  client_id: "{client_id}"
  issuer: "https://cognito-idp.{region}.amazonaws.com/{pool_id}"
  admin: env"#
    );
    let on_moto = run(
        dir.path(),
        "moto",
        &target,
        &[
            ("MOTO_ENDPOINT", moto.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", region.as_str()),
        ],
    );
    assert_eq!(counts(&embedded), (12, 6, 6, 12));
    assert_eq!(
        counts(&on_moto),
        counts(&embedded),
        "{}",
        on_moto["summary"]["steps"]
    );
    assert_eq!(embedded["summary"]["steps"]["srp.srp_sign_in"]["ok"], 6);
    // moto's known SRP deviation (conformance/expected/moto.yaml, srp.sign-in): it answers
    // RespondToAuthChallenge with UserNotFoundException. The run counts it by kind and goes on.
    assert_eq!(
        on_moto["summary"]["steps"]["srp.srp_sign_in"]["errors"]["UserNotFoundException"], 6,
        "{}",
        on_moto["summary"]["steps"]["srp.srp_sign_in"]
    );

    // The run cleaned up what it created: the set-up users and the signed-up ones.
    let users = admin
        .send_raw(
            "ListUsers",
            serde_json::to_vec(&serde_json::json!({ "UserPoolId": pool_id })).unwrap(),
            true,
        )
        .await
        .unwrap();
    let users: serde_json::Value = serde_json::from_slice(&users.body).unwrap();
    assert_eq!(users["Users"].as_array().map(Vec::len), Some(0), "{users}");
}
