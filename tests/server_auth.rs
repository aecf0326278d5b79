//! Sign-up, confirmation and every sign-in flow of the reference server, over real HTTP through
//! the project's wire client; tokens are verified with `jwt` against the served JWKS.

mod server_support;

use std::time::Duration;

use cognito_harness::jwt::{KeySet, TokenUse, VerifyPolicy, verify_token};
use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::{AppClient, ParamMap, Sensitive};
use server_support::*;

fn exposed(s: &Option<Sensitive>) -> String {
    s.as_ref().expect("token present").expose().to_owned()
}

async fn keys(h: &Harness, pool_id: &str) -> KeySet {
    KeySet::from_jwks_json(&h.client.fetch_jwks(pool_id).await.unwrap()).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn sign_up_confirm_sign_in_refresh_and_sign_out() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, true).await;

    // Password policy: Cognito's default, one unmet rule per answer.
    let (kind, message) = expect_err(h.client.sign_up(&app, "alice", "short", vec![]).await);
    assert_eq!(kind, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with password policy: Password not long enough"
    );

    let r = h
        .client
        .sign_up(
            &app,
            "alice",
            PASSWORD,
            vec![AttributeType::new("email", "alice@example.com")],
        )
        .await
        .unwrap();
    assert!(!r.user_confirmed);
    assert!(uuid::Uuid::parse_str(&r.user_sub).is_ok());
    assert!(
        r.code_delivery_details.is_none(),
        "no AutoVerifiedAttributes"
    );
    let (kind, message) = expect_err(h.client.sign_up(&app, "alice", PASSWORD, vec![]).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("UsernameExistsException", "User already exists")
    );

    // Unconfirmed comes before the password check.
    let (kind, _) = expect_err(
        h.client
            .user_password_auth(&app, "alice", "Wrong-Pass1!")
            .await,
    );
    assert_eq!(kind, "UserNotConfirmedException");

    let (status, codes) = h.codes(&pool_id, "alice").await;
    assert_eq!(status, 200);
    let code = codes["ConfirmSignUp"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(codes["ConfirmForgotPassword"].is_null());
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (kind, _) = expect_err(h.client.confirm_sign_up(&app, "alice", wrong).await);
    assert_eq!(kind, "CodeMismatchException");
    h.client
        .confirm_sign_up(&app, "alice", &code)
        .await
        .unwrap();

    let auth = h
        .client
        .user_password_auth(&app, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(auth.token_type.as_deref(), Some("Bearer"));
    assert_eq!(auth.expires_in, Some(3600));
    let access = exposed(&auth.access_token);
    let id = exposed(&auth.id_token);
    let refresh = exposed(&auth.refresh_token);

    let keys = keys(&h, &pool_id).await;
    let issuer = format!("{}{pool_id}", h.server.endpoint());
    let policy = VerifyPolicy::new(issuer.clone(), [app.client_id.clone()]);
    let a = verify_token(&access, &keys, &policy, now()).unwrap();
    let i = verify_token(&id, &keys, &policy, now()).unwrap();
    assert_ne!(a.kid, i.kid, "ID and access tokens use different keys");
    assert_eq!(a.token_use(), TokenUse::Access);
    assert_eq!(
        a.claims.scope.as_deref(),
        Some("aws.cognito.signin.user.admin")
    );
    assert_eq!(a.claims.username.as_deref(), Some("alice"));
    assert_eq!(a.claims.client_id.as_deref(), Some(app.client_id.as_str()));
    assert_eq!(i.claims.cognito_username.as_deref(), Some("alice"));
    assert_eq!(i.claims.aud.as_deref(), Some(app.client_id.as_str()));
    assert_eq!(i.claims.email.as_deref(), Some("alice@example.com"));
    assert_eq!(a.claims.sub, i.claims.sub);
    assert_eq!(a.claims.sub, r.user_sub);
    assert_eq!(a.claims.origin_jti, i.claims.origin_jti);
    assert_ne!(a.claims.jti, i.claims.jti);
    assert_eq!(a.claims.exp - a.claims.iat, 3600);

    let me = h.client.get_user(&access).await.unwrap();
    assert_eq!(me.username, "alice");
    assert!(
        me.user_attributes
            .iter()
            .any(|x| x.name == "sub" && x.value.as_deref() == Some(r.user_sub.as_str()))
    );

    // Refresh: no new refresh token; auth_time and origin_jti carried over, new jti.
    h.clock.advance(Duration::from_secs(5));
    let refreshed = h
        .client
        .refresh_token_auth(&app, &refresh, Some("alice"))
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(refreshed.refresh_token.is_none());
    let a2 = verify_token(&exposed(&refreshed.access_token), &keys, &policy, now() + 5).unwrap();
    assert_eq!(a2.claims.auth_time, a.claims.auth_time);
    assert_eq!(a2.claims.origin_jti, a.claims.origin_jti);
    assert_ne!(a2.claims.jti, a.claims.jti);
    let (kind, message) = expect_err(
        h.client
            .refresh_token_auth(&app, "not-a-token", Some("alice"))
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid Refresh Token.")
    );

    // GlobalSignOut revokes the access tokens and the refresh token.
    h.client.global_sign_out(&access).await.unwrap();
    let (kind, message) = expect_err(h.client.get_user(&access).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Access Token has been revoked")
    );
    let (kind, _) = expect_err(
        h.client
            .refresh_token_auth(&app, &refresh, Some("alice"))
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");
    // A new sign-in works again.
    let again = h
        .client
        .user_password_auth(&app, "alice", PASSWORD)
        .await
        .unwrap();
    h.client
        .get_user(&exposed(&again.authentication_result.unwrap().access_token))
        .await
        .unwrap();
}

#[tokio::test]
async fn revoke_token_revokes_that_sign_in_only() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "bob").await;
    let one = h
        .client
        .user_password_auth(&app, "bob", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let two = h
        .client
        .user_password_auth(&app, "bob", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    h.client
        .revoke_token(&app, &exposed(&one.refresh_token))
        .await
        .unwrap();
    let (_, message) = expect_err(h.client.get_user(&exposed(&one.access_token)).await);
    assert_eq!(message, "Access Token has been revoked");
    let (kind, _) = expect_err(
        h.client
            .refresh_token_auth(&app, &exposed(&one.refresh_token), None)
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");
    h.client
        .get_user(&exposed(&two.access_token))
        .await
        .unwrap();
    h.client
        .refresh_token_auth(&app, &exposed(&two.refresh_token), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn srp_sign_in_verifies_the_password_and_secret_blocks_are_single_use() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, true).await;
    h.confirmed_user(&pool_id, &app, "carol").await;

    for _ in 0..3 {
        let r = h
            .srp_sign_in(&pool_id, &app, "carol", PASSWORD)
            .await
            .unwrap();
        let auth = r.authentication_result.unwrap();
        assert!(auth.refresh_token.is_some());
        h.client
            .get_user(&exposed(&auth.access_token))
            .await
            .unwrap();
    }
    let (kind, message) = expect_err(
        h.srp_sign_in(&pool_id, &app, "carol", "Wr0ng-Password!")
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );

    // Replaying a PASSWORD_VERIFIER answer fails: its SECRET_BLOCK was consumed.
    let srp = cognito_harness::srp::SrpClient::from_rng(&mut rand::rng()).unwrap();
    let init = h
        .client
        .initiate_auth(
            &app,
            AuthFlowType::UserSrpAuth,
            ParamMap::new()
                .with("USERNAME", "carol")
                .with("SRP_A", srp.a_pub_hex()),
            None,
        )
        .await
        .unwrap();
    let p = init.challenge_parameters.unwrap();
    assert_eq!(p["USER_ID_FOR_SRP"], "carol");
    let challenge =
        cognito_harness::srp::PasswordVerifierChallenge::from_parameters(|k| p[k].clone());
    let answer = srp
        .respond(&challenge, &pool_id, PASSWORD, chrono::Utc::now())
        .unwrap();
    let responses = ParamMap::new()
        .with("USERNAME", &answer.username)
        .with(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &answer.password_claim_secret_block,
        )
        .with("TIMESTAMP", &answer.timestamp)
        .with("PASSWORD_CLAIM_SIGNATURE", &answer.password_claim_signature);
    h.client
        .respond_to_auth_challenge(
            &app,
            ChallengeNameType::PasswordVerifier,
            None,
            responses.clone(),
            None,
        )
        .await
        .unwrap();
    let (kind, _) = expect_err(
        h.client
            .respond_to_auth_challenge(
                &app,
                ChallengeNameType::PasswordVerifier,
                None,
                responses,
                None,
            )
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");

    // A malformed TIMESTAMP is InvalidParameterException with Cognito's message.
    let init = h
        .client
        .initiate_auth(
            &app,
            AuthFlowType::UserSrpAuth,
            ParamMap::new()
                .with("USERNAME", "carol")
                .with("SRP_A", srp.a_pub_hex()),
            None,
        )
        .await
        .unwrap();
    let block = init.challenge_parameters.unwrap()["SECRET_BLOCK"].clone();
    let (kind, message) = expect_err(
        h.client
            .respond_to_auth_challenge(
                &app,
                ChallengeNameType::PasswordVerifier,
                None,
                ParamMap::new()
                    .with("USERNAME", "carol")
                    .with("PASSWORD_CLAIM_SECRET_BLOCK", &block)
                    .with("TIMESTAMP", "yesterday")
                    .with("PASSWORD_CLAIM_SIGNATURE", "AAAA"),
                None,
            )
            .await,
    );
    assert_eq!(kind, "InvalidParameterException");
    assert_eq!(
        message,
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
    );

    // Missing SRP_A.
    let (kind, message) = expect_err(
        h.client
            .initiate_auth(
                &app,
                AuthFlowType::UserSrpAuth,
                ParamMap::new().with("USERNAME", "carol"),
                None,
            )
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "Missing required parameter SRP_A"
        )
    );
}

#[tokio::test]
async fn secret_blocks_expire_with_the_auth_session() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "dave").await;
    let srp = cognito_harness::srp::SrpClient::from_rng(&mut rand::rng()).unwrap();
    let init = h
        .client
        .initiate_auth(
            &app,
            AuthFlowType::UserSrpAuth,
            ParamMap::new()
                .with("USERNAME", "dave")
                .with("SRP_A", srp.a_pub_hex()),
            None,
        )
        .await
        .unwrap();
    let p = init.challenge_parameters.unwrap();
    let challenge =
        cognito_harness::srp::PasswordVerifierChallenge::from_parameters(|k| p[k].clone());
    let answer = srp
        .respond(&challenge, &pool_id, PASSWORD, chrono::Utc::now())
        .unwrap();
    h.clock.advance(Duration::from_secs(4 * 60));
    let (kind, _) = expect_err(
        h.client
            .respond_to_auth_challenge(
                &app,
                ChallengeNameType::PasswordVerifier,
                None,
                ParamMap::new()
                    .with("USERNAME", &answer.username)
                    .with(
                        "PASSWORD_CLAIM_SECRET_BLOCK",
                        &answer.password_claim_secret_block,
                    )
                    .with("TIMESTAMP", &answer.timestamp)
                    .with("PASSWORD_CLAIM_SIGNATURE", &answer.password_claim_signature),
                None,
            )
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");
}

#[tokio::test]
async fn admin_created_users_must_choose_a_new_password() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    let created = h
        .client
        .admin_create_user(&AdminCreateUserRequest {
            user_pool_id: pool_id.clone(),
            username: "erin".into(),
            temporary_password: Some("Temp-Pa55word!".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        created.user.unwrap().user_status,
        Some(UserStatusType::ForceChangePassword)
    );
    let (kind, message) = expect_err(
        h.client
            .admin_create_user(&AdminCreateUserRequest {
                user_pool_id: pool_id.clone(),
                username: "erin".into(),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("UsernameExistsException", "User account already exists")
    );

    let r = h
        .client
        .admin_initiate_auth(
            &pool_id,
            &app,
            AuthFlowType::AdminUserPasswordAuth,
            ParamMap::new()
                .with("USERNAME", "erin")
                .with("PASSWORD", "Temp-Pa55word!"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        r.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    assert!(r.authentication_result.is_none());
    let session = r.session.unwrap();
    let (kind, _) = expect_err(
        h.client
            .respond_to_auth_challenge(
                &app,
                ChallengeNameType::NewPasswordRequired,
                Some(session.clone()),
                ParamMap::new()
                    .with("USERNAME", "erin")
                    .with("NEW_PASSWORD", "weak"),
                None,
            )
            .await,
    );
    assert_eq!(kind, "InvalidPasswordException");
    let done = h
        .client
        .respond_to_auth_challenge(
            &app,
            ChallengeNameType::NewPasswordRequired,
            Some(session),
            ParamMap::new()
                .with("USERNAME", "erin")
                .with("NEW_PASSWORD", "New-Pa55word!"),
            None,
        )
        .await
        .unwrap();
    assert!(done.authentication_result.unwrap().id_token.is_some());
    let got = h.client.admin_get_user(&pool_id, "erin").await.unwrap();
    assert_eq!(got.user_status, Some(UserStatusType::Confirmed));
    h.srp_sign_in(&pool_id, &app, "erin", "New-Pa55word!")
        .await
        .unwrap();

    // The flow/operation pairing rule (§7.67).
    let (kind, message) = expect_err(
        h.client
            .initiate_auth(
                &app,
                AuthFlowType::AdminUserPasswordAuth,
                ParamMap::new()
                    .with("USERNAME", "erin")
                    .with("PASSWORD", "New-Pa55word!"),
                None,
            )
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "Initiate Auth method not supported."
        )
    );
    let (_, message) = expect_err(
        h.client
            .admin_initiate_auth(
                &pool_id,
                &app,
                AuthFlowType::UserPasswordAuth,
                ParamMap::new()
                    .with("USERNAME", "erin")
                    .with("PASSWORD", "New-Pa55word!"),
                None,
            )
            .await,
    );
    assert_eq!(message, "Initiate Auth method not supported.");

    // AdminSetUserPassword (permanent) and AdminDeleteUser.
    h.client
        .admin_set_user_password(&pool_id, "erin", "Other-Pa55word!", true)
        .await
        .unwrap();
    h.client
        .user_password_auth(&app, "erin", "Other-Pa55word!")
        .await
        .unwrap();
    h.client.admin_delete_user(&pool_id, "erin").await.unwrap();
    let (kind, message) = expect_err(
        h.client
            .user_password_auth(&app, "erin", "Other-Pa55word!")
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
}

#[tokio::test]
async fn explicit_auth_flows_are_enforced() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    // The default client: SRP, refresh and custom only.
    let app = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "default".into(),
            ..Default::default()
        })
        .await;
    h.confirmed_user(&pool_id, &app, "frank").await;
    let (kind, message) = expect_err(h.client.user_password_auth(&app, "frank", PASSWORD).await);
    assert_eq!(kind, "InvalidParameterException");
    assert_eq!(
        message,
        "USER_PASSWORD_AUTH flow not enabled for this client"
    );
    h.srp_sign_in(&pool_id, &app, "frank", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn prevent_user_existence_errors_hides_unknown_users() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let flows = vec![
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ];
    let hidden = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "hidden".into(),
            explicit_auth_flows: Some(flows.clone()),
            prevent_user_existence_errors: Some(PreventUserExistenceErrorTypes::Enabled),
            ..Default::default()
        })
        .await;
    let legacy = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "legacy".into(),
            explicit_auth_flows: Some(flows),
            ..Default::default()
        })
        .await;
    let (kind, message) = expect_err(
        h.client
            .user_password_auth(&hidden, "ghost", PASSWORD)
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (kind, message) = expect_err(h.srp_sign_in(&pool_id, &hidden, "ghost", PASSWORD).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (kind, _) = expect_err(
        h.client
            .user_password_auth(&legacy, "ghost", PASSWORD)
            .await,
    );
    assert_eq!(kind, "UserNotFoundException");
    let (kind, message) = expect_err(h.client.forgot_password(&legacy, "ghost").await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "UserNotFoundException",
            "Username/client id combination not found."
        )
    );
    h.client.forgot_password(&hidden, "ghost").await.unwrap();
}

#[tokio::test]
async fn repeated_failures_lock_the_user_out_for_a_doubling_time() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "gina").await;
    for _ in 0..5 {
        let (_, message) = expect_err(
            h.client
                .user_password_auth(&app, "gina", "Wr0ng-Password!")
                .await,
        );
        assert_eq!(message, "Incorrect username or password.");
    }
    // Locked for 1 s: even the right password is refused, without extending the lockout.
    let (kind, message) = expect_err(h.client.user_password_auth(&app, "gina", PASSWORD).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    h.clock.advance(Duration::from_millis(1100));
    // Sixth failure: locked for 2 s.
    expect_err(
        h.client
            .user_password_auth(&app, "gina", "Wr0ng-Password!")
            .await,
    );
    h.clock.advance(Duration::from_millis(1500));
    let (_, message) = expect_err(h.client.user_password_auth(&app, "gina", PASSWORD).await);
    assert_eq!(message, "Password attempts exceeded");
    h.clock.advance(Duration::from_millis(600));
    h.client
        .user_password_auth(&app, "gina", PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn forgot_and_change_password() {
    let h = harness().await;
    let pool_id = h
        .pool(CreateUserPoolRequest {
            pool_name: "verified".into(),
            auto_verified_attributes: Some(vec![PoolAttributeType::Email]),
            ..Default::default()
        })
        .await;
    let app = h.all_flows_app(&pool_id, true).await;
    let r = h
        .client
        .sign_up(
            &app,
            "hank",
            PASSWORD,
            vec![AttributeType::new("email", "test@test.com")],
        )
        .await
        .unwrap();
    let details = r.code_delivery_details.unwrap();
    assert_eq!(details.destination.as_deref(), Some("t***@t***"));
    assert_eq!(details.delivery_medium, Some(DeliveryMediumType::Email));
    let (_, codes) = h.codes(&pool_id, "hank").await;
    h.client
        .confirm_sign_up(&app, "hank", codes["ConfirmSignUp"].as_str().unwrap())
        .await
        .unwrap();

    let (kind, message) = expect_err(
        h.client
            .confirm_forgot_password(&app, "hank", "123456", "New-Pa55word!")
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again."
        )
    );
    let f = h.client.forgot_password(&app, "hank").await.unwrap();
    assert_eq!(
        f.code_delivery_details.unwrap().attribute_name.as_deref(),
        Some("email")
    );
    let (_, codes) = h.codes(&pool_id, "hank").await;
    let code = codes["ConfirmForgotPassword"].as_str().unwrap().to_owned();
    h.client
        .confirm_forgot_password(&app, "hank", &code, "New-Pa55word!")
        .await
        .unwrap();
    let (kind, _) = expect_err(h.client.user_password_auth(&app, "hank", PASSWORD).await);
    assert_eq!(kind, "NotAuthorizedException");
    let auth = h
        .client
        .user_password_auth(&app, "hank", "New-Pa55word!")
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let access = exposed(&auth.access_token);
    let (kind, _) = expect_err(
        h.client
            .change_password(&access, Some("Wr0ng-Password!"), "Third-Pa55word!")
            .await,
    );
    assert_eq!(kind, "NotAuthorizedException");
    h.client
        .change_password(&access, Some("New-Pa55word!"), "Third-Pa55word!")
        .await
        .unwrap();
    h.srp_sign_in(&pool_id, &app, "hank", "Third-Pa55word!")
        .await
        .unwrap();
}

#[tokio::test]
async fn email_username_pools_sign_in_by_email_with_the_sub_as_user_name() {
    let h = harness().await;
    let pool_id = h
        .pool(CreateUserPoolRequest {
            pool_name: "email".into(),
            username_attributes: Some(vec![PoolAttributeType::Email]),
            ..Default::default()
        })
        .await;
    let app = h.all_flows_app(&pool_id, true).await;
    let (kind, _) = expect_err(
        h.client
            .sign_up(&app, "not-an-email", PASSWORD, vec![])
            .await,
    );
    assert_eq!(kind, "InvalidParameterException");
    let r = h
        .client
        .sign_up(&app, "ivy@example.com", PASSWORD, vec![])
        .await
        .unwrap();
    h.client
        .admin_confirm_sign_up(&pool_id, "ivy@example.com")
        .await
        .unwrap();
    let (kind, _) = expect_err(
        h.client
            .sign_up(&app, "IVY@example.com", PASSWORD, vec![])
            .await,
    );
    assert_eq!(kind, "UsernameExistsException");
    let auth = h
        .client
        .user_password_auth(&app, "ivy@example.com", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let me = h
        .client
        .get_user(&exposed(&auth.access_token))
        .await
        .unwrap();
    assert_eq!(me.username, r.user_sub);
    let srp = h
        .srp_sign_in(&pool_id, &app, "ivy@example.com", PASSWORD)
        .await
        .unwrap();
    assert!(srp.authentication_result.is_some());
    let _ = AppClient::public("x");
}

#[tokio::test]
async fn passwords_over_256_characters_fail_the_input_constraints() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    let long = format!("Aa1!{}", "x".repeat(253));
    let (kind, message) = expect_err(h.client.sign_up(&app, "bob", &long, vec![]).await);
    assert_eq!(kind, "InvalidParameterException");
    assert!(
        message.contains("less than or equal to 256"),
        "unexpected message {message}"
    );
    // 256 characters is still fine.
    h.client
        .sign_up(&app, "bob", &long[..256], vec![])
        .await
        .unwrap();
    // The policy message carries Cognito's prefix.
    let (kind, message) = expect_err(h.client.sign_up(&app, "carol", "abcdefg1", vec![]).await);
    assert_eq!(kind, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with password policy: Password must have uppercase characters"
    );
}

#[tokio::test]
async fn prevented_existence_errors_cover_resend_and_the_srp_user_id() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let hidden = h
        .app(CreateUserPoolClientRequest {
            user_pool_id: pool_id.clone(),
            client_name: "hidden".into(),
            explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowUserSrpAuth]),
            prevent_user_existence_errors: Some(PreventUserExistenceErrorTypes::Enabled),
            ..Default::default()
        })
        .await;
    let legacy = h.all_flows_app(&pool_id, false).await;

    let r = h
        .client
        .resend_confirmation_code(&hidden, "ghost")
        .await
        .unwrap();
    assert!(r.code_delivery_details.is_some());
    let (kind, _) = expect_err(h.client.resend_confirmation_code(&legacy, "ghost").await);
    assert_eq!(kind, "UserNotFoundException");

    // The decoy challenge: USER_ID_FOR_SRP is a UUID, the same on every attempt.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let srp = cognito_harness::srp::SrpClient::from_rng(&mut rand::rng()).unwrap();
        let init = h
            .client
            .initiate_auth(
                &hidden,
                AuthFlowType::UserSrpAuth,
                ParamMap::new()
                    .with("USERNAME", "ghost")
                    .with("SRP_A", srp.a_pub_hex()),
                None,
            )
            .await
            .unwrap();
        let p = init.challenge_parameters.unwrap();
        assert_eq!(p["USERNAME"], "ghost");
        let id = p["USER_ID_FOR_SRP"].clone();
        uuid::Uuid::parse_str(&id).unwrap_or_else(|_| panic!("not a UUID: {id}"));
        ids.push(id);
    }
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_until_enabled() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "dora").await;
    let body = serde_json::json!({"UserPoolId": pool_id, "Username": "dora"});
    let before = h
        .client
        .user_password_auth(&app, "dora", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();

    let (status, json) = h.call_json("AdminDisableUser", body.clone(), true).await;
    assert_eq!((status, json), (200, serde_json::json!({})));
    // Disabling revokes the tokens issued before; the refresh token stops too.
    let (kind, message) = expect_err(h.client.get_user(&exposed(&before.access_token)).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Access Token has been revoked")
    );
    let refresh = exposed(&before.refresh_token);
    let (kind, message) = expect_err(
        h.client
            .refresh_token_auth(&app, &refresh, Some("dora"))
            .await,
    );
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
    let got = h.client.admin_get_user(&pool_id, "dora").await.unwrap();
    assert_eq!(got.enabled, Some(false));
    let (kind, message) = expect_err(h.client.user_password_auth(&app, "dora", PASSWORD).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
    let (kind, message) = expect_err(h.srp_sign_in(&pool_id, &app, "dora", PASSWORD).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );

    let (status, _) = h.call_json("AdminEnableUser", body.clone(), true).await;
    assert_eq!(status, 200);
    h.client
        .user_password_auth(&app, "dora", PASSWORD)
        .await
        .unwrap();

    // Unsigned calls are refused, unknown users are UserNotFoundException.
    let (status, json) = h.call_json("AdminDisableUser", body, false).await;
    assert_eq!(status, 400);
    assert_eq!(json["__type"], "MissingAuthenticationTokenException");
    let (_, json) = h
        .call_json(
            "AdminEnableUser",
            serde_json::json!({"UserPoolId": pool_id, "Username": "nobody"}),
            true,
        )
        .await;
    assert_eq!(json["__type"], "UserNotFoundException");
}

#[tokio::test]
async fn admin_global_sign_out_revokes_refresh_tokens() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "erin").await;
    let auth = h
        .client
        .user_password_auth(&app, "erin", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let refresh = exposed(&auth.refresh_token);
    let access = exposed(&auth.access_token);
    let (status, json) = h
        .call_json(
            "AdminUserGlobalSignOut",
            serde_json::json!({"UserPoolId": pool_id, "Username": "erin"}),
            true,
        )
        .await;
    assert_eq!((status, json), (200, serde_json::json!({})));
    let (kind, message) = expect_err(h.client.refresh_token_auth(&app, &refresh, None).await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        ("NotAuthorizedException", "Refresh Token has been revoked")
    );
    let (kind, _) = expect_err(h.client.get_user(&access).await);
    assert_eq!(kind, "NotAuthorizedException");
}

#[tokio::test]
async fn group_members_carry_cognito_groups_in_their_tokens() {
    let h = harness().await;
    let pool_id = h.default_pool().await;
    let app = h.all_flows_app(&pool_id, false).await;
    h.confirmed_user(&pool_id, &app, "finn").await;
    let (status, json) = h
        .call_json(
            "CreateGroup",
            serde_json::json!({"UserPoolId": pool_id, "GroupName": "testers", "Precedence": 1}),
            true,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(json["Group"]["GroupName"], "testers");
    assert_eq!(json["Group"]["UserPoolId"], pool_id.as_str());
    let (_, json) = h
        .call_json(
            "CreateGroup",
            serde_json::json!({"UserPoolId": pool_id, "GroupName": "testers"}),
            true,
        )
        .await;
    assert_eq!(json["__type"], "GroupExistsException");
    let (_, json) = h
        .call_json(
            "AdminAddUserToGroup",
            serde_json::json!({"UserPoolId": pool_id, "Username": "finn", "GroupName": "nope"}),
            true,
        )
        .await;
    assert_eq!(json["__type"], "ResourceNotFoundException");
    let (status, _) = h
        .call_json(
            "AdminAddUserToGroup",
            serde_json::json!({"UserPoolId": pool_id, "Username": "finn", "GroupName": "testers"}),
            true,
        )
        .await;
    assert_eq!(status, 200);

    let auth = h
        .client
        .user_password_auth(&app, "finn", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let keys = keys(&h, &pool_id).await;
    let issuer = format!("{}{pool_id}", h.server.endpoint());
    let policy = VerifyPolicy::new(issuer, [app.client_id.clone()]);
    let groups = Some(vec!["testers".to_owned()]);
    let a = verify_token(&exposed(&auth.access_token), &keys, &policy, now()).unwrap();
    let i = verify_token(&exposed(&auth.id_token), &keys, &policy, now()).unwrap();
    assert_eq!(a.claims.cognito_groups, groups);
    assert_eq!(i.claims.cognito_groups, groups);
}
