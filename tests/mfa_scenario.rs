//! `scenarios/mfa-sign-in.yaml` run as a user runs it, against the embedded reference server:
//! the setup enrols every user in TOTP, each SRP sign-in answers PASSWORD_VERIFIER and
//! SOFTWARE_TOKEN_MFA, each password sign-in SOFTWARE_TOKEN_MFA, and the counts add up:
//! iterations, steps, the requests of the UserAuthentication category, and the challenge
//! responses the quota's 3x rule counts apart. `plan` counts the same extra rounds.

mod cli_support;

use std::path::Path;

use cli_support::{challenge_responses, count, harness, only_summary, plan_rates};

fn scenario() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mfa-sign-in.yaml")
}

#[test]
fn mfa_sign_ins_answer_the_totp_challenge_and_count_every_challenge_round() {
    let out = tempfile::tempdir().unwrap();
    harness()
        .arg("run")
        .arg(scenario())
        .args(["--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let summary = only_summary(out.path());
    let s = &summary["summary"];
    // 1/s and 0.5/s for 6 s.
    assert_eq!(count(s, "/iterations/scheduled"), 9);
    assert_eq!(count(s, "/iterations/ok"), 9, "every MFA sign-in completed");
    assert_eq!(count(s, "/steps/srp_mfa.srp_sign_in/ok"), 6);
    assert_eq!(
        count(s, "/steps/srp_mfa.get_user/ok"),
        6,
        "the MFA tokens work"
    );
    assert_eq!(count(s, "/steps/password_mfa.password_sign_in/ok"), 3);
    // InitiateAuth 6 + 3; RespondToAuthChallenge 6 x 2 (PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA)
    // + 3 x 1 (SOFTWARE_TOKEN_MFA).
    assert_eq!(count(s, "/categories/UserAuthentication/ok"), 9 + 15);
    let challenge_responses = challenge_responses(s, "UserAuthentication");
    assert_eq!(
        challenge_responses, 15,
        "the 3x rule sees every challenge round"
    );
    assert_eq!(count(s, "/run/ok"), 9 + 15 + 6);
}

#[test]
fn plan_counts_the_mfa_round_and_the_enrolment_calls() {
    let output = harness().arg("plan").arg(scenario()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let rps = |label: &str| plan_rates(&text, label);
    // 1/s x 2 rounds + 0.5/s x 1 round.
    assert_eq!(rps("RespondToAuthChallenge"), ["2.50"], "{text}");
    // Enrolment at 8 users/s: three UserResourceUpdate calls per user.
    assert_eq!(rps("UserResourceUpdate"), ["24.0"], "{text}");
    assert_eq!(rps("VerifySoftwareToken"), ["8.00"], "{text}");
}
