//! Reports without a shared volume: shards upload their report directories to S3
//! (`run --out s3://bucket/prefix`) and `merge s3://bucket/prefix` reads them back. Against
//! moto's S3 on loopback (`scripts/install-peers.sh`), with credentials from the environment.

mod cli_support;
mod peer_support;

use cli_support::harness;
use cognito_harness::report::RunReport;

const SCENARIO: &str = r#"
description: two shards reporting to S3
target: embedded
setup:
  users: 4
  password: "S3-Pa55word!secret"
flows:
  sign_in:
    load: { executor: constant-arrival-rate, rate: 10, duration: 2s, pre_allocated_vus: 2 }
    steps:
      - password_sign_in
thresholds:
  run: ["error_rate==0"]
  sign_in: ["count==20"]
"#;

const BUCKET: &str = "harness-reports";

/// The environment a shard or merge process gets: moto's S3 endpoint, fixed keys, and no
/// shared config, profile or instance metadata of the machine running the tests.
fn with_s3_env(cmd: &mut std::process::Command, endpoint: &str) {
    cmd.env("AWS_ENDPOINT_URL_S3", endpoint.trim_end_matches('/'))
        .env("AWS_ACCESS_KEY_ID", "AKIDHARNESSTEST")
        .env("AWS_SECRET_ACCESS_KEY", "harness-test-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL");
}

async fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .endpoint_url(endpoint.trim_end_matches('/'))
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDHARNESSTEST",
            "harness-test-secret",
            None,
            None,
            "test",
        ))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[test]
fn shards_report_to_s3_and_merge_reads_them_from_there() {
    let Some(moto) = peer_support::start_peer("moto", &[]) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = runtime.block_on(s3_client(&moto.endpoint));
    runtime
        .block_on(client.create_bucket().bucket(BUCKET).send())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "to-s3.yaml", SCENARIO);
    let url = format!("s3://{BUCKET}/runs/rehearsal");

    let children: Vec<_> = (0..2)
        .map(|i| {
            let mut cmd = cli_support::harness_process();
            cmd.current_dir(dir.path())
                .arg("run")
                .arg(&scenario)
                .arg("--shard")
                .arg(format!("{i}/2"))
                .arg("--out")
                .arg(&url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            with_s3_env(&mut cmd, &moto.endpoint);
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(&format!("{url}/to-s3-")), "{stdout}");
    }
    // Nothing was written locally: the staging folder is gone and no reports/ was made.
    assert!(!dir.path().join("reports").exists());

    // Each shard's folder holds its four files; none carries the password.
    let listed = runtime
        .block_on(
            client
                .list_objects_v2()
                .bucket(BUCKET)
                .prefix("runs/rehearsal/")
                .send(),
        )
        .unwrap();
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 8, "{keys:?}");
    for name in ["summary.json", "summary.md", "report.html", "shard.json"] {
        assert_eq!(
            keys.iter().filter(|k| k.ends_with(name)).count(),
            2,
            "{keys:?}"
        );
    }
    for key in &keys {
        let body = runtime
            .block_on(async {
                let object = client.get_object().bucket(BUCKET).key(key).send().await?;
                Ok::<_, Box<dyn std::error::Error>>(object.body.collect().await?.into_bytes())
            })
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&body).contains("S3-Pa55word!secret"),
            "{key}"
        );
    }

    let merged_dir = dir.path().join("merged");
    let mut cmd = cli_support::harness_process();
    cmd.arg("merge").arg(&url).arg("--out").arg(&merged_dir);
    with_s3_env(&mut cmd, &moto.endpoint);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("merged 2 shards"));
    let merged: RunReport =
        serde_json::from_slice(&std::fs::read(merged_dir.join("summary.json")).unwrap()).unwrap();
    // Every scheduled iteration once, and the threshold judged on the whole run.
    assert_eq!(merged.summary.flows["sign_in"].count, 20);
    assert_eq!(merged.summary.flows["sign_in"].ok, 20);
    assert!(merged.passed, "{:?}", merged.thresholds);

    // A prefix with no shard results says so.
    let mut cmd = cli_support::harness_process();
    cmd.arg("merge")
        .arg(format!("s3://{BUCKET}/nothing-here"))
        .arg("--out")
        .arg(dir.path().join("m2"));
    with_s3_env(&mut cmd, &moto.endpoint);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no shard.json"),
        "{out:?}"
    );
}

#[test]
fn a_bucket_that_cannot_be_reached_stops_the_run_before_any_traffic() {
    let Some(moto) = peer_support::start_peer("moto", &[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "to-s3.yaml", SCENARIO);
    let mut cmd = cli_support::harness_process();
    cmd.arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg("s3://no-such-bucket-here/runs");
    with_s3_env(&mut cmd, &moto.endpoint);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("s3://no-such-bucket-here/runs"), "{stderr}");
    assert!(
        !stderr.contains("setup:"),
        "no traffic before the check: {stderr}"
    );
    assert!(!stderr.contains("harness-test-secret"), "{stderr}");
}

#[test]
fn a_malformed_s3_address_exits_2_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = cli_support::write(dir.path(), "to-s3.yaml", SCENARIO);
    let out = harness()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg("s3://Bad_Bucket/x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bucket name"),
        "{out:?}"
    );
}
