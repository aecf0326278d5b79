//! The README section "Against your own user pool", exercised against `serve`: its example
//! scenario (`scenarios/own-pool.yaml`, `admin: aws` with a profile) run as a user runs it,
//! with the profile in a temporary shared config and credentials file and `serve` verifying
//! admin signatures against that profile's key only; a wrong secret in the profile counted as
//! the signature error; missing credentials refused before any traffic; the section's IAM
//! policy checked against the admin calls the engine makes; and its clean-up script, taken
//! from README.md as written, run with the peers' boto3 after a run kept its users.

mod cli_support;
mod peer_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use cli_support::{harness_process, only_summary, write};
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{CognitoClient, TargetConfig};

const KEY: &str = "AKIDPROFILELOAD";
const SECRET: &str = "profile-secret-value-3";
const POOL: &str = "eu-west-1_OwnPool1";
const CLIENT: &str = "1ownpool23456789abcdefghij";
const PASSWORD: &str = "Own-pool-Passw0rd!";

/// A `serve --port 0` child with the pool of the example, killed on drop.
struct Serve {
    child: Child,
    endpoint: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve` in eu-west-1 with one pool and app client (SRP, password, admin password and
/// refresh allowed), one user `existing`, and admin signatures pinned to [`KEY`]/[`SECRET`].
fn serve(dir: &Path) -> Serve {
    let config = write(
        dir,
        "serve.yaml",
        &format!(
            "region: eu-west-1\npools:\n  - name: own\n    id: {POOL}\n    clients:\n      - name: app\n        id: {CLIENT}\n        explicit_auth_flows: [ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]\n    users:\n      - username: existing\n        password: {PASSWORD}\n"
        ),
    );
    let mut cmd = harness_process();
    cmd.args(["serve", "--port", "0", "--config"])
        .arg(&config)
        .arg("--admin-credentials")
        .arg(format!("{KEY}:{SECRET}"))
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut endpoint = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(url) = line.split("listening on ").nth(1) {
            endpoint = Some(url.trim().to_owned());
            break;
        }
    }
    Serve {
        child,
        endpoint: endpoint.expect("serve listens"),
    }
}

/// A shared config file with profile `cognito-load` (region eu-west-1) and a credentials file
/// giving it `secret`, beside a `default` profile with another key.
fn aws_files(dir: &Path, secret: &str) -> Vec<(String, String)> {
    let config = write(
        dir,
        "aws-config",
        "[default]\nregion = us-east-1\n\n[profile cognito-load]\nregion = eu-west-1\n",
    );
    let credentials = write(
        dir,
        "aws-credentials",
        &format!(
            "[default]\naws_access_key_id = AKIDDEFAULTOTHER\naws_secret_access_key = default-secret\n\n[cognito-load]\naws_access_key_id = {KEY}\naws_secret_access_key = {secret}\n"
        ),
    );
    vec![
        ("AWS_CONFIG_FILE".into(), config.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            credentials.display().to_string(),
        ),
    ]
}

/// The harness with no AWS settings from the machine, instance metadata off, and `env`.
fn run(scenario: &Path, reports: &Path, env: &[(String, String)]) -> std::process::Output {
    let mut cmd = harness_process();
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "HARNESS_PROFILE",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", reports.parent().unwrap_or(reports))
        .args(["run", "--quiet", "--reports"])
        .arg(reports)
        .arg(scenario)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("the harness runs")
}

fn pinned_client(endpoint: &str) -> CognitoClient {
    let mut config = TargetConfig::local(endpoint).unwrap();
    config.region = "eu-west-1".into();
    config.credentials = Some(static_credentials(KEY, SECRET, None));
    CognitoClient::new(config).unwrap()
}

#[test]
fn the_example_scenario_signs_admin_calls_with_the_profiles_key_and_region() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let mut env = aws_files(dir.path(), SECRET);
    env.extend([
        ("COGNITO_ENDPOINT".into(), server.endpoint.clone()),
        ("POOL_ID".into(), POOL.into()),
        ("CLIENT_ID".into(), CLIENT.into()),
        // The default chain would take these first; a named profile must not.
        ("AWS_ACCESS_KEY_ID".into(), "AKIDFROMENVIRONMENT".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "environment-secret".into()),
    ]);
    let reports = dir.path().join("reports");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/own-pool.yaml");
    let out = run(&scenario, &reports, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary = only_summary(&reports);
    let run = &summary["summary"]["run"];
    assert!(run["ok"].as_u64().unwrap() >= 50, "{run}");
    assert_eq!(run["errors"], serde_json::json!({}), "{run}");
    assert_eq!(summary["passed"], true);
    // Provisioning (AdminCreateUser, AdminSetUserPassword) passed the pinned check (the
    // sign-ins succeeded), and so did clean-up (AdminDeleteUser): no warning about users kept.
    assert!(!stderr.contains("clean-up could not delete"), "{stderr}");
    assert!(!stderr.contains("were kept"), "{stderr}");
    // The pinned key itself still works, and the pool's own user is untouched.
    let existing = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let client = pinned_client(&server.endpoint);
        let raw = client
            .send_raw(
                "AdminGetUser",
                format!(r#"{{"UserPoolId":"{POOL}","Username":"existing"}}"#).into_bytes(),
                true,
            )
            .await
            .unwrap();
        (raw.status, String::from_utf8_lossy(&raw.body).into_owned())
    });
    assert_eq!(existing.0, 200, "{}", existing.1);
    for secret in [SECRET, "environment-secret"] {
        assert!(!stderr.contains(secret));
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
}

#[test]
fn a_wrong_secret_in_the_profile_is_counted_as_the_signature_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let csv = write(
        dir.path(),
        "users.csv",
        &format!("username,password\nexisting,{PASSWORD}\n"),
    );
    let scenario = write(
        dir.path(),
        "admin-sign-in.yaml",
        &format!(
            "target:\n  endpoint: {}\n  user_pool_id: {POOL}\n  client_id: {CLIENT}\n  admin: aws\n  profile: cognito-load\nsetup: {{ csv: {}, keep: true }}\nflows:\n  a:\n    load: {{ executor: constant-arrival-rate, rate: 2, duration: 2s }}\n    steps: [admin_sign_in]\n",
            server.endpoint,
            csv.display()
        ),
    );
    let env = aws_files(dir.path(), "not-the-pinned-secret");
    let reports = dir.path().join("reports");
    let out = run(&scenario, &reports, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "no threshold: {stderr}");
    let summary = only_summary(&reports);
    let run = &summary["summary"]["run"];
    assert_eq!(run["ok"], 0, "{run}");
    let refused = run["errors"]["InvalidSignatureException"]
        .as_u64()
        .unwrap_or(0);
    assert!(refused >= 3, "every AdminInitiateAuth refused: {run}");
    assert!(!stderr.contains("not-the-pinned-secret"));
}

#[test]
fn missing_credentials_exit_2_before_any_traffic_naming_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1: nothing listens; reaching the network at all would exit 3 (unreachable).
    let scenario = write(
        dir.path(),
        "absent.yaml",
        "target:\n  endpoint: http://127.0.0.1:1/\n  user_pool_id: eu-west-1_x\n  client_id: c\n  admin: aws\n  profile: absent\nsetup: { users: 3 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n",
    );
    let env = aws_files(dir.path(), SECRET);
    let reports = dir.path().join("reports");
    let out = run(&scenario, &reports, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("admin: aws: no credentials"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "tried profile `absent` ({}, {})",
            env[0].1, env[1].1
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("setup:"), "{stderr}");
    assert!(!reports.exists(), "nothing ran");

    // The default chain with nothing configured names every source it tried.
    let scenario = write(
        dir.path(),
        "nothing.yaml",
        "target:\n  endpoint: http://127.0.0.1:1/\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\n  admin: aws\nsetup: { users: 3 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n",
    );
    let out = run(&scenario, &reports, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for part in [
        "the environment (AWS_ACCESS_KEY_ID",
        "profile `default`",
        "web identity token",
        "container credentials",
        "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)",
    ] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }

    // `admin: env` without the variables: the same, before any traffic.
    let scenario = write(
        dir.path(),
        "env.yaml",
        "target:\n  endpoint: http://127.0.0.1:1/\n  region: eu-west-1\n  user_pool_id: eu-west-1_x\n  client_id: c\n  admin: env\nsetup: { users: 3 }\nflows:\n  a:\n    load: { executor: constant-vus, vus: 1, duration: 1s }\n    steps: [srp_sign_in]\n",
    );
    let out = run(&scenario, &reports, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("admin: env: no credentials"), "{stderr}");
    assert!(!reports.exists(), "nothing ran");
}

/// The README's IAM policy lists exactly the signed operations the engine calls on an endpoint
/// target: every signed operation the engine's source calls (by its client method or its request
/// type), less those it calls only to create the embedded target's pool.
#[test]
fn the_readme_policy_lists_exactly_the_signed_calls_of_the_engine() {
    use cognito_harness::protocol::ops::OperationKind;
    // Called only while creating the run's own pool on the embedded target (README: "Pools,
    // app clients, domains and resource servers are created only on the embedded target").
    const EMBEDDED_ONLY: [&str; 5] = [
        "CreateUserPool",
        "CreateUserPoolClient",
        "CreateUserPoolDomain",
        "CreateResourceServer",
        "SetUserPoolMfaConfig",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Against your own user pool")
        .nth(1)
        .expect("the section exists");
    let json = section
        .split("```json")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a json block");
    let policy: serde_json::Value = serde_json::from_str(json).unwrap();
    let listed: BTreeSet<String> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a.as_str()
                .unwrap()
                .trim_start_matches("cognito-idp:")
                .to_owned()
        })
        .collect();
    let mut engine = String::new();
    for entry in std::fs::read_dir(root.join("src/engine")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            engine.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    let snake = |name: &str| {
        let mut out = String::new();
        for (i, c) in name.replace("MFA", "Mfa").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    };
    let called: BTreeSet<String> = OperationKind::ALL
        .iter()
        .filter(|op| op.requires_sigv4())
        .map(|op| op.name().to_string())
        .filter(|name| {
            engine.contains(&format!(".{}(", snake(name)))
                || engine.contains(&format!("{}Request {{", name.replace("MFA", "Mfa")))
        })
        .filter(|name| !EMBEDDED_ONLY.contains(&name.as_str()))
        .collect();
    assert_eq!(listed, called);
}

#[test]
fn a_profile_key_the_target_refuses_stops_provisioning_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let mut env = aws_files(dir.path(), "not-the-pinned-secret");
    env.extend([
        ("COGNITO_ENDPOINT".into(), server.endpoint.clone()),
        ("POOL_ID".into(), POOL.into()),
        ("CLIENT_ID".into(), CLIENT.into()),
    ]);
    let reports = dir.path().join("reports");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/own-pool.yaml");
    let out = run(&scenario, &reports, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("setup: AdminCreateUser: the target refused the admin credentials"),
        "{stderr}"
    );
    assert!(stderr.contains("InvalidSignatureException"), "{stderr}");
    assert!(!stderr.contains("not-the-pinned-secret"));
}

/// The Python block of the README's "Clean-up" section, exactly as written there.
fn readme_cleanup_script() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("### Clean-up")
        .nth(1)
        .expect("the README has a Clean-up section");
    let block = section
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the Clean-up section has a python block");
    format!("{block}\n")
}

#[test]
fn the_readme_cleanup_deletes_the_harness_users_a_kept_run_left_and_nothing_else() {
    let python = peer_support::peers_dir().join("venv/bin/python");
    if !peer_support::installed(std::slice::from_ref(&python)) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = pinned_client(&server.endpoint);
    // A user of the pool's own whose name only looks similar: it must stay.
    rt.block_on(client.admin_create_user(
        &cognito_harness::protocol::ops::AdminCreateUserRequest {
            user_pool_id: POOL.into(),
            username: "harnessed-app-user".into(),
            ..Default::default()
        },
    ))
    .unwrap();
    // A run that keeps its users, as a crashed run leaves them.
    let scenario = write(
        dir.path(),
        "kept.yaml",
        "target:\n  endpoint: ${COGNITO_ENDPOINT}\n  user_pool_id: ${POOL_ID}\n  client_id: ${CLIENT_ID}\n  admin: aws\n  profile: cognito-load\n  allow_remote: true\nsetup:\n  users: 4\n  method: admin\n  username: harness-{run}-{n}\n  password: Kept-Passw0rd!\n  keep: true\nflows:\n  session:\n    load: { executor: constant-arrival-rate, rate: 2, duration: 1s, max_vus: 2 }\n    steps: [srp_sign_in]\n",
    );
    let mut env = aws_files(dir.path(), SECRET);
    env.extend([
        ("COGNITO_ENDPOINT".into(), server.endpoint.clone()),
        ("POOL_ID".into(), POOL.into()),
        ("CLIENT_ID".into(), CLIENT.into()),
    ]);
    let out = run(&scenario, &dir.path().join("reports"), &env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let usernames = || -> BTreeSet<String> {
        let page = rt
            .block_on(client.list_users(POOL, None, Some(60), None))
            .unwrap();
        page.users
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| u.username)
            .collect()
    };
    let before = usernames();
    assert_eq!(
        before.iter().filter(|u| u.starts_with("harness-")).count(),
        4,
        "{before:?}"
    );
    // The README's script, as written, with boto3 pointed at `serve` and the pinned key.
    let script = write(dir.path(), "cleanup.py", &readme_cleanup_script());
    let cleanup = std::process::Command::new(&python)
        .arg(&script)
        .env_clear()
        .env("POOL_ID", POOL)
        .env("AWS_ENDPOINT_URL", &server.endpoint)
        .env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_DEFAULT_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", dir.path())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&cleanup.stdout);
    assert!(
        cleanup.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&cleanup.stderr)
    );
    assert!(stdout.contains("deleted 4 users"), "{stdout}");
    let after = usernames();
    assert_eq!(
        after,
        BTreeSet::from(["existing".to_owned(), "harnessed-app-user".to_owned()]),
        "only the pool's own users are left"
    );
}
