//! `cognito-harness serve` as a child process: pinned admin credentials from the environment
//! or a file (verified with the crate's own SigV4 signer), the secret kept out of its output and
//! help, and `conform --target URL` against it finding the issuer itself.

mod cli_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use cli_support::{harness, harness_process};
use cognito_harness::protocol::ops::CreateUserPoolRequest;
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{CallError, CognitoClient, TargetConfig};

const SECRET: &str = "pinned-secret-value-7";

/// A `serve --port 0` child, killed on drop.
struct Serve {
    child: Child,
    endpoint: String,
    /// What it printed before it listened.
    banner: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str], env: &[(&str, &str)]) -> Serve {
    let mut cmd = harness_process();
    cmd.args(["serve", "--port", "0"])
        .args(args)
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    let mut endpoint = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        banner.push_str(&line);
        banner.push('\n');
        if let Some(url) = line.split("listening on ").nth(1) {
            endpoint = Some(url.trim().to_owned());
            break;
        }
    }
    let endpoint = endpoint.unwrap_or_else(|| panic!("serve did not listen: {banner}"));
    Serve {
        child,
        endpoint,
        banner,
    }
}

fn client(endpoint: &str, key: &str, secret: &str) -> CognitoClient {
    let mut target = TargetConfig::local(endpoint).unwrap();
    target.region = "us-east-1".into();
    target.credentials = Some(static_credentials(key, secret, None));
    CognitoClient::new(target).unwrap()
}

async fn create_pool(client: &CognitoClient) -> Result<(), CallError> {
    client
        .create_user_pool(&CreateUserPoolRequest {
            pool_name: "p".into(),
            ..Default::default()
        })
        .await
        .map(|_| ())
}

fn kind(r: Result<(), CallError>) -> (String, String) {
    match r.expect_err("the call is refused") {
        CallError::Service(s) => (s.kind.as_str().to_owned(), s.message.unwrap_or_default()),
        other => panic!("not a service error: {other}"),
    }
}

/// The pinned key and secret pass; another key, another secret are refused as AWS refuses them.
async fn check_pinned(server: &Serve) {
    create_pool(&client(&server.endpoint, "AKIDSERVE", SECRET))
        .await
        .expect("the pinned credentials are accepted");
    assert_eq!(
        kind(create_pool(&client(&server.endpoint, "AKIDOTHER", SECRET)).await),
        (
            "UnrecognizedClientException".to_owned(),
            "The security token included in the request is invalid.".to_owned()
        )
    );
    let (k, _) = kind(create_pool(&client(&server.endpoint, "AKIDSERVE", "wrong")).await);
    assert_eq!(k, "InvalidSignatureException");
    assert!(server.banner.contains("AKIDSERVE"), "{}", server.banner);
    assert!(!server.banner.contains(SECRET), "{}", server.banner);
}

#[tokio::test]
async fn serve_verifies_admin_calls_against_credentials_from_the_environment() {
    let credentials = format!("AKIDSERVE:{SECRET}");
    let server = serve(&[], &[("COGNITO_HARNESS_ADMIN_CREDENTIALS", &credentials)]);
    check_pinned(&server).await;
}

#[tokio::test]
async fn serve_verifies_admin_calls_against_credentials_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = cli_support::write(dir.path(), "admin", &format!("AKIDSERVE:{SECRET}\n"));
    let server = serve(&["--admin-credentials-file", path.to_str().unwrap()], &[]);
    check_pinned(&server).await;
}

#[tokio::test]
async fn serve_without_credentials_accepts_any_well_formed_signature() {
    let server = serve(&[], &[]);
    assert!(
        server.banner.contains("any well-formed"),
        "{}",
        server.banner
    );
    create_pool(&client(&server.endpoint, "ANYKEY", "any-secret"))
        .await
        .expect("permissive by default");
}

#[test]
fn the_secret_stays_out_of_help_and_errors() {
    let credentials = format!("AKIDSERVE:{SECRET}");
    let help = harness()
        .args(["serve", "--help"])
        .env("COGNITO_HARNESS_ADMIN_CREDENTIALS", &credentials)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--admin-credentials"), "{text}");
    assert!(text.contains("--expose-codes"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    let bad = harness()
        .args([
            "serve",
            "--port",
            "0",
            "--admin-credentials",
            &format!(":{SECRET}"),
        ])
        .env_remove("COGNITO_HARNESS_ADMIN_CREDENTIALS")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a configuration error");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("ACCESS_KEY_ID:SECRET"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

/// `conform --target` against a `serve` child, with no `--issuer-base`: the issuer comes from
/// the pool's OpenID configuration, so the token cases (and every other case that checks a
/// token's `iss`) pass; the conformance client signs its
/// admin calls with the pinned credentials from the standard AWS variables, and reads codes
/// from `_harness/codes` over loopback.
#[test]
fn conform_against_serve_finds_the_issuer_itself() {
    let credentials = format!("AKIDSERVE:{SECRET}");
    let server = serve(&[], &[("COGNITO_HARNESS_ADMIN_CREDENTIALS", &credentials)]);
    let out = tempfile::tempdir().unwrap();
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance");
    let run = harness()
        .args(["conform", "--target", &server.endpoint, "--code", "harness"])
        .args(["--suite", suite])
        .arg("--out")
        .arg(out.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDSERVE")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("conformance.json")).unwrap())
            .unwrap();
    let cases = report["cases"].as_array().expect("cases");
    let tokens = cases.iter().filter(|c| c["area"] == "tokens").count();
    assert!(tokens >= 10, "{tokens} token cases");
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c["outcome"] != "passed")
        .map(|c| c["id"].to_string())
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}\n{stdout}");
    assert!(!stdout.contains(SECRET));
}

/// The peers' Python, when installed (`scripts/install-peers.sh`; `COGNITO_PEERS_DIR`).
fn peers_python() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("COGNITO_PEERS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".peers"));
    let python = dir.join("venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var("HARNESS_REQUIRE_PEERS").as_deref() != Ok("1"),
        "peers missing in {}: run scripts/install-peers.sh",
        dir.display()
    );
    eprintln!("skipping: peers not installed in {}", dir.display());
    None
}

/// boto3, an independent SigV4 signer, with the pinned credentials passes; with another
/// secret it gets Cognito's InvalidSignatureException, with another key
/// UnrecognizedClientException.
#[test]
fn boto3_signatures_verify_against_pinned_credentials() {
    let Some(python) = peers_python() else {
        return;
    };
    let credentials = format!("AKIDSERVE:{SECRET}");
    let server = serve(&[], &[("COGNITO_HARNESS_ADMIN_CREDENTIALS", &credentials)]);
    let script = r#"
import sys, json, boto3, botocore.exceptions
endpoint, key, secret = sys.argv[1:4]
out = []
for k, s in [(key, secret), (key, "wrong-secret"), ("AKIDOTHER", secret)]:
    c = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id=k, aws_secret_access_key=s)
    try:
        c.create_user_pool(PoolName="boto3")
        out.append("ok")
    except botocore.exceptions.ClientError as e:
        out.append(e.response["Error"]["Code"])
print(json.dumps(out))
"#;
    let run = std::process::Command::new(python)
        .args(["-c", script, &server.endpoint, "AKIDSERVE", SECRET])
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let got: Vec<String> = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        got,
        [
            "ok",
            "InvalidSignatureException",
            "UnrecognizedClientException"
        ]
    );
}
