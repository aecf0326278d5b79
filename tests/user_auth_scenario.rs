//! `scenarios/user-auth.yaml` run as a user runs it, against the embedded reference server:
//! choice-based sign-ins preferring PASSWORD (InitiateAuth alone), PASSWORD_SRP (one
//! PASSWORD_VERIFIER round) and EMAIL_OTP (one EMAIL_OTP round with the emailed code), and the
//! counts add up: iterations, steps, the requests of the UserAuthentication category, and the
//! challenge responses the quota's 3x rule counts apart. `plan` counts the same rounds.

mod cli_support;

use std::path::Path;

use cli_support::{challenge_responses, count, harness, only_summary, plan_rates};

fn scenario() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/user-auth.yaml")
}

#[test]
fn user_auth_sign_ins_take_each_preferred_challenge_and_count_every_round() {
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
    // 1/s, 1/s and 0.5/s for 6 s.
    assert_eq!(count(s, "/iterations/scheduled"), 15);
    assert_eq!(count(s, "/iterations/ok"), 15, "every sign-in completed");
    assert_eq!(count(s, "/steps/password.user_auth_sign_in/ok"), 6);
    assert_eq!(count(s, "/steps/password_srp.user_auth_sign_in/ok"), 6);
    assert_eq!(count(s, "/steps/email_otp.user_auth_sign_in/ok"), 3);
    assert_eq!(
        count(s, "/steps/email_otp.get_user/ok"),
        3,
        "the EMAIL_OTP tokens work"
    );
    assert_eq!(count(s, "/steps/password.get_user/ok"), 6);
    // InitiateAuth 6 + 6 + 3; RespondToAuthChallenge 6 (PASSWORD_VERIFIER) + 3 (EMAIL_OTP).
    assert_eq!(count(s, "/categories/UserAuthentication/ok"), 15 + 9);
    let challenge_responses = challenge_responses(s, "UserAuthentication");
    assert_eq!(
        challenge_responses, 9,
        "the 3x rule sees every challenge round"
    );
    assert_eq!(count(s, "/run/ok"), 15 + 9 + 9);
}

#[test]
fn plan_counts_one_challenge_round_for_password_srp_and_email_otp_and_none_for_password() {
    let output = harness().arg("plan").arg(scenario()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let rps = |label: &str| plan_rates(&text, label);
    // 1/s x 0 rounds + 1/s x 1 round + 0.5/s x 1 round.
    assert_eq!(rps("RespondToAuthChallenge"), ["1.50"], "{text}");
    // 1/s + 1/s + 0.5/s.
    assert_eq!(rps("InitiateAuth"), ["2.50"], "{text}");
}

#[test]
fn email_otp_with_mfa_is_refused_before_any_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "target: embedded\nsetup: {users: 2}\nflows:\n  f:\n    load: {executor: constant-arrival-rate, rate: 1, duration: 1s}\n    steps:\n      - user_auth_sign_in: { preferred: email_otp, mfa: totp }\n",
    )
    .unwrap();
    let output = harness().arg("plan").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("EMAIL_OTP sign-in meets none"), "{text}");
}
