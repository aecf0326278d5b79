//! The JSON 1.1 client against local stubs: the exact bytes it sends (headers, body,
//! SECRET_HASH, SigV4), how it reads answers and errors, and every transport failure it must
//! classify (refused, reset, truncated, oversized, timeout).

mod protocol_support;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_lc_rs::{digest, hmac};
use cognito_harness::protocol::error::{TransportErrorKind, UnexpectedReason};
use cognito_harness::protocol::ops::*;
use cognito_harness::protocol::sigv4::static_credentials;
use cognito_harness::protocol::{
    AppClient, CallError, CognitoClient, CognitoErrorKind, ConfigError, ParamMap, RawRequest,
    TargetConfig,
};
use protocol_support::*;
use serde_json::json;

const CLIENT_ID: &str = "djc98u3jiedmi283eu928";
const CLIENT_SECRET: &str = "abcdef01234567890";
/// Base64(HMAC_SHA256(CLIENT_SECRET, "jane.doe" + CLIENT_ID)), computed with Python's `hmac`.
const JANE_HASH: &str = "vqKlqm8xco1Nb8v0B0sNxkHdytFDPDoDfAgsgi4Sw7g=";

fn confidential() -> AppClient {
    AppClient::confidential(CLIENT_ID, CLIENT_SECRET)
}

fn assert_json_request(req: &Captured, op: &str) {
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/");
    assert_eq!(
        req.header("x-amz-target"),
        Some(format!("AWSCognitoIdentityProviderService.{op}").as_str())
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
}

#[tokio::test]
async fn sign_up_sends_json_1_1_with_secret_hash_and_no_signature() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"UserConfirmed":false,"UserSub":"5f3c0a8e-0000-4000-8000-000000000001"}"#,
        )
    })
    .await;
    let client = client_for(&stub.url());
    let out = client
        .sign_up(
            &confidential(),
            "jane.doe",
            "Passw0rd!",
            vec![AttributeType::new("email", "jane@example.com")],
        )
        .await
        .unwrap();
    assert!(!out.user_confirmed);
    assert_eq!(out.user_sub, "5f3c0a8e-0000-4000-8000-000000000001");

    let req = stub.only_request();
    assert_json_request(&req, "SignUp");
    assert_eq!(req.header("authorization"), None, "SignUp is unsigned");
    assert_eq!(req.header("x-amz-date"), None);
    assert_eq!(
        req.json(),
        json!({
            "ClientId": CLIENT_ID,
            "SecretHash": JANE_HASH,
            "Username": "jane.doe",
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "jane@example.com"}]
        })
    );
}

#[tokio::test]
async fn public_client_sends_no_secret_hash() {
    let stub = stub(|_| Reply::json(200, "{}")).await;
    let client = client_for(&stub.url());
    client
        .forgot_password(&AppClient::public(CLIENT_ID), "jane.doe")
        .await
        .unwrap();
    assert_eq!(
        stub.only_request().json(),
        json!({"ClientId": CLIENT_ID, "Username": "jane.doe"})
    );
}

#[tokio::test]
async fn secret_hash_member_on_every_member_operation() {
    let stub = stub(|_| Reply::json(200, "{}")).await;
    let client = client_for(&stub.url());
    let app = confidential();
    client
        .confirm_sign_up(&app, "jane.doe", "123456")
        .await
        .unwrap();
    client
        .resend_confirmation_code(&app, "jane.doe")
        .await
        .unwrap();
    client.forgot_password(&app, "jane.doe").await.unwrap();
    client
        .confirm_forgot_password(&app, "jane.doe", "123456", "N3w-passw0rd")
        .await
        .unwrap();
    let reqs = stub.requests();
    let ops: Vec<_> = reqs
        .iter()
        .map(|r| r.header("x-amz-target").unwrap().to_owned())
        .collect();
    assert_eq!(
        ops,
        [
            "AWSCognitoIdentityProviderService.ConfirmSignUp",
            "AWSCognitoIdentityProviderService.ResendConfirmationCode",
            "AWSCognitoIdentityProviderService.ForgotPassword",
            "AWSCognitoIdentityProviderService.ConfirmForgotPassword",
        ]
    );
    for r in &reqs {
        assert_eq!(
            r.json()["SecretHash"],
            JANE_HASH,
            "{:?}",
            r.header("x-amz-target")
        );
        assert_eq!(r.header("authorization"), None);
    }
}

#[tokio::test]
async fn user_password_auth_puts_secret_hash_in_auth_parameters() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"AuthenticationResult":{"AccessToken":"a.b.c","ExpiresIn":3600,"IdToken":"d.e.f","RefreshToken":"r","TokenType":"Bearer"},"ChallengeParameters":{}}"#,
        )
    })
    .await;
    let client = client_for(&stub.url());
    let out = client
        .user_password_auth(&confidential(), "jane.doe", "Passw0rd!")
        .await
        .unwrap();
    let tokens = out.authentication_result.unwrap();
    assert_eq!(tokens.access_token.unwrap().expose(), "a.b.c");
    assert_eq!(tokens.expires_in, Some(3600));

    let req = stub.only_request();
    assert_json_request(&req, "InitiateAuth");
    assert_eq!(
        req.json(),
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "jane.doe", "PASSWORD": "Passw0rd!", "SECRET_HASH": JANE_HASH},
            "ClientId": CLIENT_ID
        })
    );
}

#[tokio::test]
async fn srp_answer_and_refresh_key_the_hash_on_the_given_username() {
    let stub = stub(|_| Reply::json(200, r#"{"ChallengeParameters":{}}"#)).await;
    let client = client_for(&stub.url());
    let app = confidential();
    // PASSWORD_VERIFIER: the hash is keyed on USER_ID_FOR_SRP, which the caller passes.
    client
        .respond_to_auth_challenge(
            &app,
            ChallengeNameType::PasswordVerifier,
            None,
            ParamMap::new()
                .with("USERNAME", "internal-id")
                .with("PASSWORD_CLAIM_SIGNATURE", "sig")
                .with("PASSWORD_CLAIM_SECRET_BLOCK", "block")
                .with("TIMESTAMP", "Tue Nov 14 22:13:20 UTC 2023"),
            Some("jane.doe"),
        )
        .await
        .unwrap();
    client
        .refresh_token_auth(&app, "refresh-token", Some("jane.doe"))
        .await
        .unwrap();
    let reqs = stub.requests();
    assert_json_request(&reqs[0], "RespondToAuthChallenge");
    assert_eq!(reqs[0].json()["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(
        reqs[0].json()["ChallengeResponses"]["SECRET_HASH"],
        JANE_HASH
    );
    assert_json_request(&reqs[1], "InitiateAuth");
    assert_eq!(
        reqs[1].json(),
        json!({
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": "refresh-token", "SECRET_HASH": JANE_HASH},
            "ClientId": CLIENT_ID
        })
    );
}

// ---- SigV4 -----------------------------------------------------------------------------------

const FIXED_TIME: u64 = 1_700_000_000; // 2023-11-14T22:13:20Z

fn signing_client(url: &str, session_token: Option<&str>) -> CognitoClient {
    let mut config = config_for(url);
    config.credentials = Some(static_credentials(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token.map(str::to_owned),
    ));
    CognitoClient::with_clock(
        config,
        Arc::new(|| UNIX_EPOCH + Duration::from_secs(FIXED_TIME)),
    )
    .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An independent SigV4 check, written from the specification: rebuild the canonical request
/// from what the server received and recompute the signature.
fn expected_signature(req: &Captured, signed_headers: &str, secret: &str) -> String {
    let date = req.header("x-amz-date").unwrap();
    let day = &date[..8];
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let value = req.header(name).unwrap().trim();
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        hex(digest::digest(&digest::SHA256, &req.body).as_ref())
    );
    let scope = format!("{day}/us-east-1/cognito-idp/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let mac = |key: &[u8], msg: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg.as_bytes())
            .as_ref()
            .to_vec()
    };
    let k = mac(format!("AWS4{secret}").as_bytes(), day);
    let k = mac(&k, "us-east-1");
    let k = mac(&k, "cognito-idp");
    let k = mac(&k, "aws4_request");
    hex(&mac(&k, &to_sign))
}

#[tokio::test]
async fn admin_calls_are_signed_with_sigv4() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"Username":"jane.doe","UserAttributes":[],"UserStatus":"CONFIRMED","Enabled":true}"#,
        )
    })
    .await;
    let client = signing_client(&stub.url(), None);
    let user = client
        .admin_get_user("us-east-1_abc123", "jane.doe")
        .await
        .unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::Confirmed));

    let req = stub.only_request();
    assert_json_request(&req, "AdminGetUser");
    assert_eq!(req.header("x-amz-date"), Some("20231114T221320Z"));
    assert_eq!(req.header("x-amz-security-token"), None);
    let auth = req.header("authorization").unwrap();
    let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/cognito-idp/aws4_request, \
                  SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=";
    assert!(auth.starts_with(prefix), "{auth}");
    let signature = &auth[prefix.len()..];
    assert_eq!(signature.len(), 64);
    assert!(signature.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        signature,
        expected_signature(
            &req,
            "content-type;host;x-amz-date;x-amz-target",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        )
    );
}

#[tokio::test]
async fn session_token_is_signed_and_sent() {
    let stub = stub(|_| Reply::json(200, "{}")).await;
    let client = signing_client(&stub.url(), Some("SESSIONTOKEN"));
    client
        .admin_delete_user("us-east-1_abc123", "jane.doe")
        .await
        .unwrap();
    let req = stub.only_request();
    assert_eq!(req.header("x-amz-security-token"), Some("SESSIONTOKEN"));
    let auth = req.header("authorization").unwrap();
    assert!(
        auth.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        ),
        "{auth}"
    );
}

#[tokio::test]
async fn every_admin_and_pool_operation_is_signed_and_every_user_operation_is_not() {
    let stub = stub(|_| Reply::json(200, "{}")).await;
    let client = signing_client(&stub.url(), None);
    for op in OperationKind::ALL {
        client
            .send_raw(op.name(), b"{}".to_vec(), op.requires_sigv4())
            .await
            .unwrap();
    }
    for (op, req) in OperationKind::ALL.iter().zip(stub.requests()) {
        assert_eq!(
            req.header("x-amz-target"),
            Some(op.target().as_str()),
            "order"
        );
        assert_eq!(
            req.header("authorization").is_some(),
            op.requires_sigv4(),
            "{op}"
        );
    }
}

#[tokio::test]
async fn signing_without_credentials_says_how_to_fix_it() {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        return; // the environment provides credentials; nothing to test here
    }
    let stub = stub(|_| Reply::json(200, "{}")).await;
    let client = client_for(&stub.url());
    let err = client
        .admin_delete_user("us-east-1_abc123", "jane.doe")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Signing(m) if m.contains("AWS_ACCESS_KEY_ID")),
        "{err}"
    );
    assert!(stub.requests().is_empty(), "nothing is sent unsigned");
}

// ---- answers and errors ----------------------------------------------------------------------

#[tokio::test]
async fn service_errors_are_typed() {
    let stub = stub(|_| {
        Reply::json(
            400,
            r#"{"__type": "NotAuthorizedException", "message": "Incorrect username or password."}"#,
        )
        .header("x-amzn-errortype", "NotAuthorizedException")
        .header("x-amzn-requestid", "0d5f0d3c-aaaa-bbbb-cccc-111122223333")
    })
    .await;
    let client = client_for(&stub.url());
    let err = client
        .user_password_auth(&AppClient::public(CLIENT_ID), "jane.doe", "wrong")
        .await
        .unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(&CognitoErrorKind::NotAuthorizedException)
    );
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.label(), "NotAuthorizedException");
    match err {
        CallError::Service(e) => {
            assert_eq!(
                e.message.as_deref(),
                Some("Incorrect username or password.")
            );
            assert_eq!(
                e.request_id.as_deref(),
                Some("0d5f0d3c-aaaa-bbbb-cccc-111122223333")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn html_error_page_is_an_unexpected_response() {
    let page = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/protocol/html_502.html"
    ))
    .unwrap();
    let stub = stub(move |_| Reply {
        status: 502,
        headers: vec![("content-type", "text/html".to_owned())],
        body: page.clone(),
    })
    .await;
    let client = client_for(&stub.url());
    let err = client.get_user("token").await.unwrap_err();
    match err {
        CallError::Unexpected(u) => {
            assert_eq!(u.status, 502);
            assert_eq!(u.reason, UnexpectedReason::NotJson);
            assert!(u.excerpt.contains("502 Bad Gateway"), "{}", u.excerpt);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn raw_layer_returns_status_headers_body_and_timing() {
    let stub = stub(|_| {
        Reply::json(
            400,
            r#"{"__type":"InvalidParameterException","message":"x"}"#,
        )
        .header("x-amzn-requestid", "rid")
    })
    .await;
    let client = client_for(&stub.url());
    let raw = client
        .send_raw("NoSuchOperation", b"{\"a\":1}".to_vec(), false)
        .await
        .unwrap();
    assert_eq!(raw.status, 400);
    assert_eq!(raw.header("x-amzn-requestid"), Some("rid"));
    assert_eq!(
        raw.body,
        br#"{"__type":"InvalidParameterException","message":"x"}"#
    );
    assert!(raw.timing.total >= raw.timing.head);
    let req = stub.only_request();
    assert_eq!(
        req.header("x-amz-target"),
        Some("AWSCognitoIdentityProviderService.NoSuchOperation")
    );
    assert_eq!(req.body, b"{\"a\":1}");

    // Malformed on purpose: no target, wrong content type, extra header.
    client
        .send(&RawRequest {
            target: None,
            content_type: Some("application/json".into()),
            body: b"not json".to_vec(),
            signed: false,
            extra_headers: vec![("X-Case".into(), "7".into())],
        })
        .await
        .unwrap();
    let req = &stub.requests()[1];
    assert_eq!(req.header("x-amz-target"), None);
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("x-case"), Some("7"));
}

#[tokio::test]
async fn generic_call_decodes_any_operation() {
    let stub = stub(|_| {
        Reply::json(
            200,
            r#"{"UserPoolClient":{"ClientId":"26cb2c60kq7nbmas7rbme9b6pp","ClientSecret":"s3cr3t","UserPoolId":"us-east-1_abc"}}"#,
        )
    })
    .await;
    let client = signing_client(&stub.url(), None);
    let out = client
        .call(&CreateUserPoolClientRequest {
            user_pool_id: "us-east-1_abc".into(),
            client_name: "app".into(),
            generate_secret: Some(true),
            explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowUserSrpAuth]),
            ..Default::default()
        })
        .await
        .unwrap();
    let app = out.user_pool_client.unwrap();
    assert_eq!(app.client_secret.unwrap().expose(), "s3cr3t");
    assert_eq!(
        stub.only_request().json(),
        json!({"UserPoolId":"us-east-1_abc","ClientName":"app","GenerateSecret":true,"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"]})
    );
}

// ---- transport failures ----------------------------------------------------------------------

#[tokio::test]
async fn connection_refused() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // dropped: nothing listens there now
    let client = client_for(&format!("http://{addr}/"));
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::Connect),
        "{err}"
    );
    assert_eq!(err.label(), "transport:connect");
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn connection_closed_before_response() {
    let addr = raw_server(|sock| async move { drop(sock) }).await;
    let client = client_for(&format!("http://{addr}/"));
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::ConnectionReset),
        "{err}"
    );
}

#[tokio::test]
async fn connection_reset_by_peer() {
    let addr = raw_server(|sock| async move {
        // SO_LINGER 0 turns the close into an RST.
        let _ = sock.set_zero_linger();
        drop(sock);
    })
    .await;
    let client = client_for(&format!("http://{addr}/"));
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::ConnectionReset),
        "{err}"
    );
}

#[tokio::test]
async fn truncated_body_is_incomplete() {
    let addr = raw_server(|sock| {
        write_and_close(
            sock,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"UserConfirmed\":"
                .to_vec(),
        )
    })
    .await;
    let client = client_for(&format!("http://{addr}/"));
    let err = client
        .sign_up(&AppClient::public(CLIENT_ID), "u", "p", vec![])
        .await
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::IncompleteBody),
        "{err}"
    );
    assert_eq!(err.status(), Some(200));
}

#[tokio::test]
async fn truncated_json_with_consistent_length_is_a_decode_error() {
    let stub = stub(|_| Reply::json(200, r#"{"UserConfirmed":false,"UserSub":"ab"#)).await;
    let client = client_for(&stub.url());
    let err = client
        .sign_up(&AppClient::public(CLIENT_ID), "u", "p", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Decode { operation, status: 200, .. } if operation == "SignUp"),
        "{err:?}"
    );
    assert_eq!(err.label(), "decode");
}

#[tokio::test]
async fn oversized_body_with_content_length() {
    let stub = stub(|_| Reply::json(200, &format!("\"{}\"", "x".repeat(4096)))).await;
    let mut config = config_for(&stub.url());
    config.max_response_bytes = 1024;
    let client = CognitoClient::new(config).unwrap();
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::BodyTooLarge),
        "{err}"
    );
    assert!(err.to_string().contains("1024"), "{err}");
}

#[tokio::test]
async fn oversized_chunked_body_is_cut_off_while_streaming() {
    let addr = raw_server(|sock| {
        let mut resp =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        for _ in 0..8 {
            resp.extend_from_slice(b"200\r\n");
            resp.extend_from_slice(&[b' '; 0x200]);
            resp.extend_from_slice(b"\r\n");
        }
        resp.extend_from_slice(b"0\r\n\r\n");
        write_and_close(sock, resp)
    })
    .await;
    let mut config = config_for(&format!("http://{addr}/"));
    config.max_response_bytes = 1024;
    let client = CognitoClient::new(config).unwrap();
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::BodyTooLarge),
        "{err}"
    );
}

#[tokio::test]
async fn request_timeout() {
    let addr = raw_server(|sock| async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(sock);
    })
    .await;
    let mut config = config_for(&format!("http://{addr}/"));
    config.request_timeout = Duration::from_millis(300);
    let client = CognitoClient::new(config).unwrap();
    let started = std::time::Instant::now();
    let err = client.get_user("t").await.unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportErrorKind::Timeout),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---- safety ----------------------------------------------------------------------------------

#[test]
fn non_loopback_targets_need_the_opt_in() {
    let err = CognitoClient::new(TargetConfig::aws("us-west-2").unwrap()).unwrap_err();
    assert!(matches!(err, ConfigError::NonLoopback { .. }));
    assert!(err.to_string().contains("--allow-remote"), "{err}");

    let err =
        CognitoClient::new(TargetConfig::local("http://192.0.2.10:9229/").unwrap()).unwrap_err();
    assert!(
        matches!(err, ConfigError::NonLoopback { field: "endpoint", ref host } if host == "192.0.2.10")
    );

    let mut config = TargetConfig::aws("us-west-2").unwrap();
    config.allow_non_loopback = true;
    assert!(CognitoClient::new(config).is_ok());
}

#[test]
fn client_debug_shows_no_credentials() {
    let client = signing_client("http://127.0.0.1:1/", Some("SESSIONTOKEN"));
    let shown = format!("{client:?}");
    assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
    assert!(!shown.contains("SESSIONTOKEN"), "{shown}");
}

#[tokio::test]
async fn measured_calls_report_status_and_sizes_for_success_and_failure() {
    let stub = stub(|req| {
        if req.json()["AccessToken"] == "good" {
            Reply::json(200, r#"{"Username":"u","UserAttributes":[]}"#)
        } else {
            Reply::json(
                400,
                r#"{"__type":"NotAuthorizedException","message":"Access Token has been revoked"}"#,
            )
        }
    })
    .await;
    let client = client_for(&stub.url());
    let ok = client
        .call_measured(&GetUserRequest {
            access_token: "good".into(),
        })
        .await;
    assert_eq!(ok.status, Some(200));
    assert_eq!(ok.bytes_sent, r#"{"AccessToken":"good"}"#.len());
    assert_eq!(
        ok.bytes_received,
        r#"{"Username":"u","UserAttributes":[]}"#.len()
    );
    assert!(ok.timing.is_some());
    assert_eq!(ok.result.unwrap().username, "u");

    let bad = client
        .call_measured(&GetUserRequest {
            access_token: "revoked".into(),
        })
        .await;
    assert_eq!(bad.status, Some(400));
    assert!(bad.bytes_received > 0);
    assert_eq!(bad.result.unwrap_err().label(), "NotAuthorizedException");
}
