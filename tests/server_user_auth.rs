//! Choice-based sign-in (USER_AUTH) on the reference server: SELECT_CHALLENGE and its answers,
//! the preferred challenges PASSWORD, PASSWORD_SRP and EMAIL_OTP, the EMAIL_OTP code on
//! `/_harness/codes`, MFA after a password factor, and the settings that allow the flow (the
//! client's ALLOW_USER_AUTH, the pool's SignInPolicy and feature tier).

mod server_support;

use cognito_harness::srp::{PasswordVerifierChallenge, SrpClient};
use serde_json::{Value, json};
use server_support::*;

struct Fixture {
    h: Harness,
    pool: String,
    client: String,
}

/// A pool allowing `factors` (email auto-verified) with an ALLOW_USER_AUTH client and the
/// confirmed user `jane`.
async fn fixture(factors: &[&str]) -> Fixture {
    let h = harness().await;
    let (status, pool) = h
        .call_json(
            "CreateUserPool",
            json!({
                "PoolName": "choice",
                "AutoVerifiedAttributes": ["email"],
                "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
            }),
            true,
        )
        .await;
    assert_eq!(status, 200, "{pool}");
    let pool = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (status, client) = h
        .call_json(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool,
                "ClientName": "app",
                "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            }),
            true,
        )
        .await;
    assert_eq!(status, 200, "{client}");
    let client = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = cognito_harness::protocol::AppClient::public(client.clone());
    h.confirmed_user(&pool, &app, "jane").await;
    Fixture { h, pool, client }
}

impl Fixture {
    async fn initiate(&self, params: Value) -> (u16, Value) {
        self.h
            .call_json(
                "InitiateAuth",
                json!({"AuthFlow": "USER_AUTH", "ClientId": self.client, "AuthParameters": params}),
                false,
            )
            .await
    }

    async fn respond(&self, challenge: &str, session: &Value, responses: Value) -> (u16, Value) {
        self.h
            .call_json(
                "RespondToAuthChallenge",
                json!({
                    "ClientId": self.client,
                    "ChallengeName": challenge,
                    "Session": session,
                    "ChallengeResponses": responses,
                }),
                false,
            )
            .await
    }

    async fn email_otp(&self) -> String {
        let (_, codes) = self.h.codes(&self.pool, "jane").await;
        codes["EmailOtp"]
            .as_str()
            .expect("an EMAIL_OTP code")
            .to_owned()
    }
}

fn tokens(answer: &Value) -> bool {
    answer["AuthenticationResult"]["AccessToken"].is_string()
}

#[tokio::test]
async fn without_a_preferred_challenge_user_auth_offers_the_available_challenges() {
    let f = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    let (status, init) = f.initiate(json!({"USERNAME": "jane"})).await;
    assert_eq!(status, 200, "{init}");
    assert_eq!(init["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        init["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
    );
    let session = init["Session"].clone();
    assert!(session.is_string());
    let answer = json!({"USERNAME": "jane", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD});
    let (status, done) = f
        .respond("SELECT_CHALLENGE", &session, answer.clone())
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(tokens(&done), "{done}");
    // The selection is single use.
    let (status, again) = f.respond("SELECT_CHALLENGE", &session, answer).await;
    assert_eq!(status, 400);
    assert_eq!(again["__type"], "NotAuthorizedException", "{again}");
}

#[tokio::test]
async fn a_selected_challenge_must_be_one_of_the_available_ones_for_the_sessions_user() {
    let f = fixture(&["PASSWORD"]).await;
    let (_, init) = f.initiate(json!({"USERNAME": "jane"})).await;
    assert_eq!(
        init["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP"])
    );
    let (status, refused) = f
        .respond(
            "SELECT_CHALLENGE",
            &init["Session"],
            json!({"USERNAME": "jane", "ANSWER": "EMAIL_OTP"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "InvalidParameterException", "{refused}");
    let (_, init) = f.initiate(json!({"USERNAME": "jane"})).await;
    let (_, other) = f
        .respond(
            "SELECT_CHALLENGE",
            &init["Session"],
            json!({"USERNAME": "someone-else", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD}),
        )
        .await;
    assert_eq!(other["__type"], "NotAuthorizedException", "{other}");
}

#[tokio::test]
async fn preferred_password_signs_in_directly_and_a_wrong_password_is_refused() {
    let f = fixture(&["PASSWORD"]).await;
    let (status, done) = f
        .initiate(
            json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(tokens(&done), "{done}");
    let (status, wrong) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng-Password!"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(wrong["__type"], "NotAuthorizedException");
    assert_eq!(wrong["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn preferred_password_srp_answers_password_verifier() {
    let f = fixture(&["PASSWORD"]).await;
    let srp = SrpClient::from_rng(&mut rand::rng()).unwrap();
    let (status, init) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": srp.a_pub_hex()}))
        .await;
    assert_eq!(status, 200, "{init}");
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER");
    let p = init["ChallengeParameters"].clone();
    let challenge =
        PasswordVerifierChallenge::from_parameters(|k| p[k].as_str().unwrap_or("").to_owned());
    let answer = srp
        .respond(&challenge, &f.pool, PASSWORD, chrono::Utc::now())
        .unwrap();
    let (status, done) = f
        .respond(
            "PASSWORD_VERIFIER",
            &Value::Null,
            json!({
                "USERNAME": answer.username,
                "PASSWORD_CLAIM_SECRET_BLOCK": answer.password_claim_secret_block,
                "TIMESTAMP": answer.timestamp,
                "PASSWORD_CLAIM_SIGNATURE": answer.password_claim_signature,
            }),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert!(tokens(&done), "{done}");
}

#[tokio::test]
async fn email_otp_sends_an_eight_digit_code_that_signs_in_once() {
    let f = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    let (status, init) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "EMAIL_OTP"}))
        .await;
    assert_eq!(status, 200, "{init}");
    assert_eq!(init["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        init["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    assert_eq!(
        init["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "j***@e***"
    );
    let code = f.email_otp().await;
    assert_eq!(code.len(), 8);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let session = init["Session"].clone();
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let (status, mismatch) = f
        .respond(
            "EMAIL_OTP",
            &session,
            json!({"USERNAME": "jane", "EMAIL_OTP_CODE": wrong}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(mismatch["__type"], "CodeMismatchException", "{mismatch}");
    let answer = json!({"USERNAME": "jane", "EMAIL_OTP_CODE": code});
    let (status, done) = f.respond("EMAIL_OTP", &session, answer.clone()).await;
    assert_eq!(status, 200, "{done}");
    assert!(tokens(&done), "{done}");
    let (_, codes) = f.h.codes(&f.pool, "jane").await;
    assert!(codes["EmailOtp"].is_null(), "the code is used up: {codes}");
    let (status, reused) = f.respond("EMAIL_OTP", &session, answer).await;
    assert_eq!(status, 400);
    assert_eq!(reused["__type"], "NotAuthorizedException", "{reused}");
}

#[tokio::test]
async fn email_otp_gives_up_after_three_wrong_codes() {
    let f = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    let (_, init) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "EMAIL_OTP"}))
        .await;
    let code = f.email_otp().await;
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    for _ in 0..3 {
        let (_, mismatch) = f
            .respond(
                "EMAIL_OTP",
                &init["Session"],
                json!({"USERNAME": "jane", "EMAIL_OTP_CODE": wrong}),
            )
            .await;
        assert_eq!(mismatch["__type"], "CodeMismatchException");
    }
    let (_, late) = f
        .respond(
            "EMAIL_OTP",
            &init["Session"],
            json!({"USERNAME": "jane", "EMAIL_OTP_CODE": code}),
        )
        .await;
    assert_eq!(late["__type"], "NotAuthorizedException", "{late}");
}

#[tokio::test]
async fn the_email_otp_code_lives_as_long_as_the_auth_session() {
    let f = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    let (_, init) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "EMAIL_OTP"}))
        .await;
    let code = f.email_otp().await;
    // AuthSessionValidity defaults to 3 minutes.
    f.h.clock.advance(std::time::Duration::from_secs(181));
    let (_, expired) = f
        .respond(
            "EMAIL_OTP",
            &init["Session"],
            json!({"USERNAME": "jane", "EMAIL_OTP_CODE": code}),
        )
        .await;
    assert_eq!(expired["__type"], "NotAuthorizedException", "{expired}");
}

#[tokio::test]
async fn an_unavailable_preferred_challenge_falls_back_to_select_challenge() {
    // Email OTP not allowed by the pool (the default policy allows PASSWORD only).
    let f = fixture(&["PASSWORD"]).await;
    for preferred in ["EMAIL_OTP", "WEB_AUTHN", "SMS_OTP"] {
        let (status, init) = f
            .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": preferred}))
            .await;
        assert_eq!(status, 200, "{init}");
        assert_eq!(init["ChallengeName"], "SELECT_CHALLENGE", "{preferred}");
        assert_eq!(
            init["AvailableChallenges"],
            json!(["PASSWORD", "PASSWORD_SRP"])
        );
    }
}

#[tokio::test]
async fn a_pool_without_a_sign_in_policy_allows_the_password_factor_only() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let (_, described) = h
        .call_json("DescribeUserPool", json!({"UserPoolId": pool}), true)
        .await;
    let pool_type = &described["UserPool"];
    assert_eq!(
        pool_type["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["PASSWORD"])
    );
    assert_eq!(pool_type["UserPoolTier"], "ESSENTIALS");
}

#[tokio::test]
async fn user_auth_needs_allow_user_auth_on_the_client() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let (status, refused) = h
        .call_json(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": app.client_id, "AuthParameters": {"USERNAME": "jane"}}),
            false,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "InvalidParameterException", "{refused}");
}

#[tokio::test]
async fn the_lite_tier_refuses_passwordless_factors_and_allow_user_auth() {
    let h = harness().await;
    let (status, refused) = h
        .call_json(
            "CreateUserPool",
            json!({
                "PoolName": "lite",
                "UserPoolTier": "LITE",
                "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
            }),
            true,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "FeatureUnavailableInTierException");
    let (_, lite) = h
        .call_json(
            "CreateUserPool",
            json!({"PoolName": "lite", "UserPoolTier": "LITE"}),
            true,
        )
        .await;
    let pool = lite["UserPool"]["Id"].clone();
    let (status, refused) = h
        .call_json(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_AUTH"]}),
            true,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "FeatureUnavailableInTierException");
}

#[tokio::test]
async fn a_password_factor_meets_the_users_totp_challenge_and_email_otp_does_not() {
    let f = fixture(&["PASSWORD", "EMAIL_OTP"]).await;
    let h = &f.h;
    let (_, mfa) = h
        .call_json(
            "SetUserPoolMfaConfig",
            json!({
                "UserPoolId": f.pool,
                "MfaConfiguration": "OPTIONAL",
                "SoftwareTokenMfaConfiguration": {"Enabled": true},
            }),
            true,
        )
        .await;
    assert_eq!(mfa["MfaConfiguration"], "OPTIONAL");
    let (_, signed_in) = f
        .initiate(
            json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
        )
        .await;
    let access = signed_in["AuthenticationResult"]["AccessToken"].clone();
    let (_, associated) = h
        .call_json(
            "AssociateSoftwareToken",
            json!({"AccessToken": access}),
            false,
        )
        .await;
    let secret =
        cognito_harness::totp::base32_decode(associated["SecretCode"].as_str().unwrap()).unwrap();
    let now = h
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (status, _) = h
        .call_json(
            "VerifySoftwareToken",
            json!({"AccessToken": access, "UserCode": cognito_harness::totp::code_at(&secret, now)}),
            false,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = h
        .call_json(
            "SetUserMFAPreference",
            json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
            false,
        )
        .await;
    assert_eq!(status, 200);
    let (_, password) = f
        .initiate(
            json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
        )
        .await;
    assert_eq!(
        password["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "{password}"
    );
    let (_, otp) = f
        .initiate(json!({"USERNAME": "jane", "PREFERRED_CHALLENGE": "EMAIL_OTP"}))
        .await;
    let code = f.email_otp().await;
    let (_, done) = f
        .respond(
            "EMAIL_OTP",
            &otp["Session"],
            json!({"USERNAME": "jane", "EMAIL_OTP_CODE": code}),
        )
        .await;
    assert!(tokens(&done), "no MFA after a passwordless factor: {done}");
}
