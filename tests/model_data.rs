//! The committed service-model extract (`conformance/model/cognito-idp.json`) is exactly what
//! `scripts/extract-model.py` writes from the pinned botocore, so the validator and the coverage
//! record cannot drift from the model. Needs the peers' venv (botocore); skipped without it,
//! unless HARNESS_REQUIRE_PEERS=1.

mod peer_support;

use peer_support::{peers_dir, repo, required};
use std::process::Command;

#[test]
fn committed_model_extract_matches_pinned_botocore() {
    let python = peers_dir().join("venv/bin/python");
    if !python.exists() {
        assert!(
            !required(),
            "HARNESS_REQUIRE_PEERS=1 but there is no venv in {}",
            peers_dir().display()
        );
        eprintln!("skipped: peers are not installed (scripts/install-peers.sh)");
        return;
    }
    let out = Command::new(python)
        .arg(repo().join("scripts/extract-model.py"))
        .arg("--check")
        .output()
        .expect("run scripts/extract-model.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn model_extract_lists_every_implemented_operation() {
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("conformance/model/cognito-idp.json")).unwrap(),
    )
    .unwrap();
    for kind in cognito_harness::protocol::ops::OperationKind::ALL {
        assert!(
            model["operations"][kind.name()]["input"]["members"].is_array(),
            "{} is missing from the model extract",
            kind.name()
        );
    }
}
