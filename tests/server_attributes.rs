//! User attributes on the reference server over real HTTP (127.0.0.1:0): the pool's schema
//! decides what is stored (issue: undeclared and oversized attributes were stored unchecked),
//! and the attribute operations, DeleteUser and AdminResetUserPassword behave as the sources
//! say (server/attributes.rs, server/ops/attributes.rs).

mod server_support;

use cognito_harness::protocol::ops::*;
use server_support::*;

fn custom(name: &str, mutable: bool) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.into()),
        attribute_data_type: Some(AttributeDataType::String),
        mutable: Some(mutable),
        ..Default::default()
    }
}

async fn pool_with_schema(h: &Harness, schema: Vec<SchemaAttributeType>) -> String {
    h.pool(CreateUserPoolRequest {
        pool_name: "attrs".into(),
        schema: (!schema.is_empty()).then_some(schema),
        auto_verified_attributes: Some(vec![PoolAttributeType::Email]),
        ..Default::default()
    })
    .await
}

async fn access_token(
    h: &Harness,
    pool: &str,
    app: &cognito_harness::protocol::AppClient,
    user: &str,
) -> String {
    h.confirmed_user(pool, app, user).await;
    h.client
        .user_password_auth(app, user, PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap()
        .expose()
        .to_owned()
}

/// The reproduction: 200 SignUps with an undeclared `custom:blob`. A 250 KB value is
/// refused by the model's 2048-character bound on `AttributeValueType` before the handler;
/// one at that bound passes it, so the schema check is what refuses it (main stored it).
#[tokio::test]
async fn sign_ups_with_an_undeclared_large_custom_attribute_are_refused_and_not_stored() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let at_bound = "x".repeat(2048);
    let huge = "x".repeat(250 * 1000);
    for i in 0..200 {
        let user = format!("blob{i}");
        let blob = if i == 0 { &huge } else { &at_bound };
        let r = h
            .client
            .sign_up(
                &app,
                &user,
                PASSWORD,
                vec![AttributeType::new("custom:blob", blob)],
            )
            .await;
        let (kind, message) = expect_err(r);
        assert_eq!(kind, "InvalidParameterException", "sign-up {i}");
        if i > 0 {
            assert_eq!(
                message,
                "Attributes did not conform to the schema: custom:blob: Attribute does not exist in the schema.\n"
            );
        }
        let (kind, _) = expect_err(h.client.admin_get_user(&pool, &user).await);
        assert_eq!(kind, "UserNotFoundException", "sign-up {i} stored a user");
    }
}

#[tokio::test]
async fn one_request_with_five_thousand_attributes_is_refused() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let attributes: Vec<_> = (0..5000)
        .map(|i| AttributeType::new(format!("custom:a{i}"), "v"))
        .collect();
    let (kind, message) = expect_err(h.client.sign_up(&app, "many", PASSWORD, attributes).await);
    assert_eq!(kind, "InvalidParameterException");
    assert!(
        message.len() < 2000,
        "a short message: {} bytes",
        message.len()
    );
    let (kind, _) = expect_err(h.client.admin_get_user(&pool, "many").await);
    assert_eq!(kind, "UserNotFoundException");
}

#[tokio::test]
async fn declared_custom_attributes_are_stored_and_described() {
    let h = harness().await;
    let pool = pool_with_schema(&h, vec![custom("tenant", false)]).await;
    let app = h.all_flows_app(&pool, false).await;
    h.client
        .sign_up(
            &app,
            "jane",
            PASSWORD,
            vec![AttributeType::new("custom:tenant", "acme")],
        )
        .await
        .unwrap();
    let user = h.client.admin_get_user(&pool, "jane").await.unwrap();
    let attrs = user.user_attributes.unwrap_or_default();
    assert!(
        attrs.contains(&AttributeType::new("custom:tenant", "acme")),
        "{attrs:?}"
    );
    let described = h
        .client
        .call(&DescribeUserPoolRequest {
            user_pool_id: pool.clone(),
        })
        .await
        .unwrap();
    let schema = described.user_pool.schema_attributes.unwrap_or_default();
    let tenant = schema
        .iter()
        .find(|a| a.name.as_deref() == Some("custom:tenant"))
        .expect("custom:tenant in SchemaAttributes");
    assert_eq!(tenant.mutable, Some(false));
    assert!(schema.iter().any(|a| a.name.as_deref() == Some("email")));
}

#[tokio::test]
async fn immutable_attributes_are_refused_on_update_and_mutable_ones_change() {
    let h = harness().await;
    let pool = pool_with_schema(&h, vec![custom("tenant", false), custom("plan", true)]).await;
    let app = h.all_flows_app(&pool, false).await;
    let token = access_token(&h, &pool, &app, "jane").await;
    let (kind, message) = expect_err(
        h.client
            .update_user_attributes(&token, vec![AttributeType::new("custom:tenant", "x")])
            .await,
    );
    assert_eq!(kind, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid user attributes: user.custom:tenant: Attribute cannot be updated.\n"
    );
    h.client
        .update_user_attributes(&token, vec![AttributeType::new("custom:plan", "pro")])
        .await
        .unwrap();
    let me = h.client.get_user(&token).await.unwrap();
    assert!(
        me.user_attributes
            .contains(&AttributeType::new("custom:plan", "pro"))
    );
    h.client
        .delete_user_attributes(&token, vec!["custom:plan".into()])
        .await
        .unwrap();
    let me = h.client.get_user(&token).await.unwrap();
    assert!(!me.user_attributes.iter().any(|a| a.name == "custom:plan"));
}

#[tokio::test]
async fn a_changed_email_is_unverified_until_the_code_is_given() {
    let h = harness().await;
    let pool = pool_with_schema(&h, vec![]).await;
    let app = h.all_flows_app(&pool, false).await;
    let token = access_token(&h, &pool, &app, "jane").await;
    let r = h
        .client
        .update_user_attributes(&token, vec![AttributeType::new("email", "new@example.org")])
        .await
        .unwrap();
    let sent = r.code_delivery_details_list.unwrap_or_default();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination.as_deref(), Some("n***@e***"));
    let verified = |attrs: &[AttributeType]| {
        attrs
            .iter()
            .find(|a| a.name == "email_verified")
            .and_then(|a| a.value.clone())
    };
    let me = h.client.get_user(&token).await.unwrap();
    assert_eq!(verified(&me.user_attributes).as_deref(), Some("false"));
    let (kind, _) = expect_err(
        h.client
            .verify_user_attribute(&token, "email", "000000x")
            .await,
    );
    assert!(
        kind == "CodeMismatchException" || kind == "InvalidParameterException",
        "{kind}"
    );
    let (_, codes) = h.codes(&pool, "jane").await;
    let code = codes["VerifyUserAttribute"].as_str().unwrap().to_owned();
    h.client
        .verify_user_attribute(&token, "email", &code)
        .await
        .unwrap();
    let me = h.client.get_user(&token).await.unwrap();
    assert_eq!(verified(&me.user_attributes).as_deref(), Some("true"));
    // A new code on request, readable the same way.
    h.client
        .get_user_attribute_verification_code(&token, "email")
        .await
        .unwrap();
    let (_, codes) = h.codes(&pool, "jane").await;
    assert!(codes["VerifyUserAttribute"].is_string());
}

#[tokio::test]
async fn delete_user_removes_the_profile_and_its_tokens_stop_working() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    let token = access_token(&h, &pool, &app, "jane").await;
    h.client.delete_user(&token).await.unwrap();
    let (kind, _) = expect_err(h.client.admin_get_user(&pool, "jane").await);
    assert_eq!(kind, "UserNotFoundException");
    let (kind, _) = expect_err(h.client.get_user(&token).await);
    assert_eq!(kind, "NotAuthorizedException");
}

#[tokio::test]
async fn admin_reset_user_password_requires_a_reset_before_sign_in() {
    let h = harness().await;
    let pool = h.default_pool().await;
    let app = h.all_flows_app(&pool, false).await;
    h.confirmed_user(&pool, &app, "jane").await;
    // The confirmed user's email is verified (auto-verified pools only); mark it as an admin.
    h.client
        .admin_update_user_attributes(
            &pool,
            "jane",
            vec![AttributeType::new("email_verified", "true")],
        )
        .await
        .unwrap();
    h.client
        .admin_reset_user_password(&pool, "jane")
        .await
        .unwrap();
    let user = h.client.admin_get_user(&pool, "jane").await.unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::ResetRequired));
    let (kind, _) = expect_err(h.client.user_password_auth(&app, "jane", PASSWORD).await);
    assert_eq!(kind, "PasswordResetRequiredException");
    let (_, codes) = h.codes(&pool, "jane").await;
    let code = codes["ConfirmForgotPassword"].as_str().unwrap().to_owned();
    h.client
        .confirm_forgot_password(&app, "jane", &code, "N3w-Passw0rd!")
        .await
        .unwrap();
    h.client
        .user_password_auth(&app, "jane", "N3w-Passw0rd!")
        .await
        .unwrap();
}

#[tokio::test]
async fn add_custom_attributes_makes_the_attribute_writable() {
    let h = harness().await;
    let pool = h.default_pool().await;
    h.client
        .admin_create_user(&AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "jane".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let write = || {
        h.client.admin_update_user_attributes(
            &pool,
            "jane",
            vec![AttributeType::new("custom:team", "red")],
        )
    };
    let (kind, message) = expect_err(write().await);
    assert_eq!(kind, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid user attributes: user.custom:team: Attribute does not exist in the schema.\n"
    );
    h.client
        .add_custom_attributes(&pool, vec![custom("team", true)])
        .await
        .unwrap();
    write().await.unwrap();
    let (kind, _) = expect_err(
        h.client
            .add_custom_attributes(&pool, vec![custom("team", true)])
            .await,
    );
    assert_eq!(kind, "InvalidParameterException");
}
