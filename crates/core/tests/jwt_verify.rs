//! The verifier, rule by rule: a signed token round-trips, and each rule of "Verifying a JSON
//! web token" rejects with its own `JwtErrorKind` (asserted by variant, never by message).

mod jwt_support;

use cognito_harness_core::jwt::{AcceptedTokenUse, Claim, JwtErrorKind, MAX_TOKEN_LEN, TokenPart};
use jwt_support::*;
use serde_json::{Value, json};

// ---- round trip -------------------------------------------------------------------------

#[test]
fn signed_id_token_verifies_and_returns_its_claims() {
    let claims = id_claims();
    let verified = verify(&id_token(&claims), &policy(), NOW).unwrap();
    assert_eq!(verified.kid, ID_KID);
    assert_eq!(verified.claims, claims);
    assert_eq!(verified.claims.extra["custom:tier"], json!("gold"));
    assert_eq!(verified.claims.user_name(), Some("janedoe"));
}

#[test]
fn signed_access_token_verifies_and_returns_its_claims() {
    let claims = access_claims();
    let verified = verify(&access_token(&claims), &policy(), NOW).unwrap();
    assert_eq!(verified.kid, ACCESS_KID);
    assert_eq!(verified.claims, claims);
    assert!(verified.claims.has_scope("aws.cognito.signin.user.admin"));
    assert_eq!(
        verified.claims.cognito_groups.as_deref(),
        Some(&["admin".to_owned()][..])
    );
}

#[test]
fn the_guides_sample_payloads_verify_when_signed_by_the_pool() {
    // "ID Token Payload" and "Access token payload", with times moved around NOW.
    let id = json!({
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee", "aud": "xxxxxxxxxxxxexample",
        "email_verified": true, "token_use": "id", "auth_time": NOW - 10,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
        "cognito:username": "janedoe", "exp": NOW + 3590, "given_name": "Jane", "iat": NOW - 10,
        "email": "janedoe@example.com", "jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee",
        "origin_jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee"
    });
    let access = json!({
        "sub": "aaaaaaaa-bbbbcccc-dddd-eeeeeeeeeee", "device_key": "aaaaaaaa-bbbbcccc-dddd-eeeeeeeeeee",
        "cognito:groups": ["admin"], "token_use": "access", "scope": "aws.cognito.signin.user.admin",
        "auth_time": NOW - 10, "iss": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example",
        "exp": NOW + 3590, "iat": NOW - 10, "origin_jti": "aaaaaaaa-bbbbcccc-dddd-eeeeeeeeeee",
        "jti": "aaaaaaaa-bbbbcccc-dddd-eeeeeeeeeee", "client_id": "57cbishk4j24pabc1234567890",
        "username": "janedoe@example.com"
    });
    let mut p = policy();
    p.issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example".into();
    p.client_ids = vec!["xxxxxxxxxxxxexample".into()];
    p.require_origin_jti = true;
    let v = verify(&pool().id.sign(&id).unwrap(), &p, NOW).unwrap();
    assert_eq!(v.claims.extra["given_name"], json!("Jane"));

    p.issuer = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_example".into();
    p.client_ids = vec!["57cbishk4j24pabc1234567890".into()];
    let v = verify(&pool().access.sign(&access).unwrap(), &p, NOW).unwrap();
    assert_eq!(
        v.claims.device_key.as_deref(),
        Some("aaaaaaaa-bbbbcccc-dddd-eeeeeeeeeee")
    );
}

// ---- step 1: structure ---------------------------------------------------------------------

#[test]
fn not_three_parts_is_malformed() {
    let good = id_token(&id_claims());
    let (head, _) = good.rsplit_once('.').unwrap();
    for bad in [
        "".to_owned(),
        "abc".to_owned(),
        head.to_owned(),
        format!("{good}.extra"),
        format!(".{}", head.split_once('.').unwrap().1),
        format!("{}..sig", head.split_once('.').unwrap().0),
    ] {
        assert!(
            matches!(reject(&bad), JwtErrorKind::Malformed { .. }),
            "{bad:.40}"
        );
    }
}

#[test]
fn oversized_token_is_malformed() {
    let huge = format!("{}.{}.{}", "a".repeat(MAX_TOKEN_LEN), "b", "c");
    assert!(matches!(reject(&huge), JwtErrorKind::Malformed { .. }));
}

#[test]
fn header_not_base64url_is_a_header_base64_error() {
    let good = id_token(&id_claims());
    let (header, rest) = good.split_once('.').unwrap();
    for bad_header in [
        format!("{header}="),
        format!("+{header}"),
        format!("{header}*"),
    ] {
        assert_eq!(
            reject(&format!("{bad_header}.{rest}")),
            JwtErrorKind::Base64 {
                part: TokenPart::Header
            }
        );
    }
}

#[test]
fn header_not_a_json_object_is_a_header_json_error() {
    for header in [&b"not json"[..], b"[\"alg\",\"RS256\"]", b"\"RS256\""] {
        let token = signed_parts(&pool().id, &b64(header), &b64(b"{}"));
        assert_eq!(
            reject(&token),
            JwtErrorKind::Json {
                part: TokenPart::Header
            }
        );
    }
}

#[test]
fn payload_not_base64url_is_a_payload_base64_error() {
    // Signed as is, so the signature passes and the payload decoding is what fails.
    let token = signed_parts(&pool().id, pool().id.header_b64(), "e30=");
    assert_eq!(
        reject(&token),
        JwtErrorKind::Base64 {
            part: TokenPart::Payload
        }
    );
}

#[test]
fn payload_not_a_json_object_is_a_payload_json_error() {
    for payload in [&b"{\"sub\":"[..], b"[1,2]", b"\xff\xfe"] {
        let token = signed_parts(&pool().id, pool().id.header_b64(), &b64(payload));
        assert_eq!(
            reject(&token),
            JwtErrorKind::Json {
                part: TokenPart::Payload
            }
        );
    }
}

#[test]
fn signature_not_base64url_is_a_signature_base64_error() {
    let good = id_token(&id_claims());
    let (message, _) = good.rsplit_once('.').unwrap();
    assert_eq!(
        reject(&format!("{message}.not*base64")),
        JwtErrorKind::Base64 {
            part: TokenPart::Signature
        }
    );
}

// ---- step 2: algorithm, key, signature ----------------------------------------------------------

#[test]
fn alg_none_is_rejected_as_unsigned() {
    let payload = b64(&serde_json::to_vec(&id_claims()).unwrap());
    for alg in ["none", "None", "NONE"] {
        let header = b64(format!(r#"{{"kid":"{ID_KID}","alg":"{alg}"}}"#).as_bytes());
        assert_eq!(
            reject(&format!("{header}.{payload}.")),
            JwtErrorKind::AlgNone
        );
    }
}

#[test]
fn alg_hs256_signed_with_the_public_key_is_rejected_as_symmetric() {
    // The key-confusion forgery: HMAC over the token with the RSA public key as the secret.
    let n = pool().id.public_jwk().n.clone().unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(ID_KID.into());
    let forged = jsonwebtoken::encode(
        &header,
        &id_claims(),
        &jsonwebtoken::EncodingKey::from_secret(n.as_bytes()),
    )
    .unwrap();
    assert!(matches!(
        reject(&forged),
        JwtErrorKind::AlgSymmetric { alg } if alg == "HS256"
    ));
}

#[test]
fn other_or_missing_alg_is_unsupported() {
    let signer = &pool().id;
    let rs512 = signed_json(signer, &json!({"kid": ID_KID, "alg": "RS512"}), &json!({}));
    assert!(matches!(
        reject(&rs512),
        JwtErrorKind::AlgUnsupported { alg: Some(a) } if a == "RS512"
    ));
    let no_alg = signed_json(signer, &json!({"kid": ID_KID}), &json!({}));
    assert_eq!(reject(&no_alg), JwtErrorKind::AlgUnsupported { alg: None });
}

/// A non-ASCII `alg` whose second byte falls inside a character: refused, not a panic (a
/// panic here killed load-test VUs and the reference server's handler).
#[test]
fn a_non_ascii_alg_is_unsupported_not_a_panic() {
    let signer = &pool().id;
    for alg in ["Hé", "é", "H\u{1F600}S256", "\u{00e9}S256"] {
        let token = signed_json(signer, &json!({"kid": ID_KID, "alg": alg}), &json!({}));
        assert!(
            matches!(reject(&token), JwtErrorKind::AlgUnsupported { alg: Some(ref a) } if a == alg),
            "{alg}"
        );
    }
}

#[test]
fn crit_header_is_rejected() {
    let token = signed_json(
        &pool().id,
        &json!({"kid": ID_KID, "alg": "RS256", "crit": ["exp"]}),
        &serde_json::to_value(id_claims()).unwrap(),
    );
    assert_eq!(reject(&token), JwtErrorKind::CriticalHeader);
}

#[test]
fn missing_or_empty_kid_is_rejected() {
    let claims = serde_json::to_value(id_claims()).unwrap();
    for header in [
        json!({"alg": "RS256"}),
        json!({"alg": "RS256", "kid": ""}),
        json!({"alg": "RS256", "kid": 3}),
    ] {
        assert_eq!(
            reject(&signed_json(&pool().id, &header, &claims)),
            JwtErrorKind::MissingKid
        );
    }
}

#[test]
fn unknown_kid_is_rejected_and_named() {
    let other = cognito_harness_core::jwt::TokenSigner::from_pem("rotated-kid", OTHER_PEM).unwrap();
    let token = other.sign(&id_claims()).unwrap();
    let err =
        cognito_harness_core::jwt::verify_token(&token, &pool().keys, &policy(), NOW).unwrap_err();
    assert_eq!(err.unknown_kid(), Some("rotated-kid"));
    assert!(matches!(err.kind(), JwtErrorKind::UnknownKid { kid } if kid == "rotated-kid"));
}

#[test]
fn token_signed_by_another_key_under_a_pool_kid_has_a_bad_signature() {
    let impostor = cognito_harness_core::jwt::TokenSigner::from_pem(ID_KID, OTHER_PEM).unwrap();
    let token = impostor.sign(&id_claims()).unwrap();
    assert!(matches!(reject(&token), JwtErrorKind::BadSignature { kid } if kid == ID_KID));
}

#[test]
fn id_token_relabelled_with_the_access_kid_has_a_bad_signature() {
    // The two kids name different keys, so a token cannot borrow the other one's kid.
    let token = id_token(&id_claims());
    let (_, rest) = token.split_once('.').unwrap();
    let header = b64(format!(r#"{{"kid":"{ACCESS_KID}","alg":"RS256"}}"#).as_bytes());
    assert!(matches!(
        reject(&format!("{header}.{rest}")),
        JwtErrorKind::BadSignature { .. }
    ));
}

#[test]
fn tampered_payload_has_a_bad_signature() {
    let token = id_token(&id_claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    let mut claims = id_claims();
    claims.cognito_groups = Some(vec!["admin".into(), "superuser".into()]);
    let forged_payload = b64(&serde_json::to_vec(&claims).unwrap());
    parts[1] = &forged_payload;
    assert!(matches!(
        reject(&parts.join(".")),
        JwtErrorKind::BadSignature { .. }
    ));
}

#[test]
fn tampered_truncated_or_empty_signature_is_bad() {
    let token = id_token(&id_claims());
    let (message, signature_b64) = token.rsplit_once('.').unwrap();
    let mut signature = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        signature_b64,
    )
    .unwrap();
    signature[100] ^= 0x01;
    let flipped = format!("{message}.{}", b64(&signature));
    let truncated = format!("{message}.{}", b64(&signature[..128]));
    let empty = format!("{message}.");
    for bad in [flipped, truncated, empty] {
        assert!(matches!(reject(&bad), JwtErrorKind::BadSignature { .. }));
    }
}

// ---- step 3: claims ---------------------------------------------------------------------------------

#[test]
fn expiry_is_exclusive_and_leeway_extends_it() {
    let claims = id_claims();
    let token = id_token(&claims);
    let exp = claims.exp;
    assert!(verify(&token, &policy(), exp - 1).is_ok());
    assert_eq!(
        reject_with(&token, &policy(), exp),
        JwtErrorKind::Expired {
            exp,
            now: exp,
            leeway_secs: 0
        }
    );

    let mut lenient = policy();
    lenient.leeway_secs = 60;
    assert!(verify(&token, &lenient, exp + 59).is_ok());
    assert!(matches!(
        reject_with(&token, &lenient, exp + 60),
        JwtErrorKind::Expired {
            leeway_secs: 60,
            ..
        }
    ));
}

#[test]
fn iat_in_the_future_is_rejected_beyond_the_leeway() {
    let token = id_token_with(|m| {
        m.insert("iat".into(), json!(NOW + 30));
        m.insert("auth_time".into(), json!(NOW + 30));
    });
    assert!(matches!(reject(&token), JwtErrorKind::IssuedInFuture { iat, .. } if iat == NOW + 30));
    let mut lenient = policy();
    lenient.leeway_secs = 30;
    assert!(verify(&token, &lenient, NOW).is_ok());
}

#[test]
fn nbf_in_the_future_is_rejected() {
    let token = id_token_with(|m| {
        m.insert("nbf".into(), json!(NOW + 300));
    });
    assert!(matches!(reject(&token), JwtErrorKind::NotYetValid { nbf, .. } if nbf == NOW + 300));
    let ok = id_token_with(|m| {
        m.insert("nbf".into(), json!(NOW - 300));
    });
    assert!(verify(&ok, &policy(), NOW).is_ok());
}

#[test]
fn auth_time_after_iat_is_rejected() {
    let token = id_token_with(|m| {
        m.insert("auth_time".into(), json!(NOW - 59));
    });
    assert_eq!(
        reject(&token),
        JwtErrorKind::AuthTimeAfterIssue {
            auth_time: NOW - 59,
            iat: NOW - 60
        }
    );
    // After a refresh auth_time is the original sign-in, well before iat.
    let refreshed = id_token_with(|m| {
        m.insert("auth_time".into(), json!(NOW - 20 * 24 * HOUR));
    });
    assert!(verify(&refreshed, &policy(), NOW).is_ok());
}

#[test]
fn wrong_issuer_is_rejected_even_by_one_character() {
    let mut p = policy();
    p.issuer = format!("{ISSUER}/");
    assert_eq!(
        reject_with(&id_token(&id_claims()), &p, NOW),
        JwtErrorKind::WrongIssuer {
            expected: format!("{ISSUER}/"),
            got: ISSUER.into()
        }
    );
    let other_pool = id_token_with(|m| {
        m.insert("iss".into(), json!("http://localhost:9229/local_pool"));
    });
    assert!(matches!(
        reject(&other_pool),
        JwtErrorKind::WrongIssuer { .. }
    ));
}

#[test]
fn token_use_must_be_accepted_by_the_policy() {
    let mut access_only = policy();
    access_only.token_use = AcceptedTokenUse::Access;
    assert_eq!(
        reject_with(&id_token(&id_claims()), &access_only, NOW),
        JwtErrorKind::WrongTokenUse {
            expected: AcceptedTokenUse::Access,
            got: "id".into()
        }
    );
    let mut id_only = policy();
    id_only.token_use = AcceptedTokenUse::Id;
    assert!(matches!(
        reject_with(&access_token(&access_claims()), &id_only, NOW),
        JwtErrorKind::WrongTokenUse { .. }
    ));
    assert!(verify(&id_token(&id_claims()), &id_only, NOW).is_ok());
}

#[test]
fn unknown_or_missing_token_use_is_rejected() {
    let refresh = id_token_with(|m| {
        m.insert("token_use".into(), json!("refresh"));
    });
    assert!(matches!(
        reject(&refresh),
        JwtErrorKind::WrongTokenUse { got, .. } if got == "refresh"
    ));
    let missing = id_token_with(|m| {
        m.remove("token_use");
    });
    assert_eq!(
        reject(&missing),
        JwtErrorKind::MissingClaim {
            claim: Claim::TokenUse
        }
    );
}

#[test]
fn id_token_for_another_client_has_the_wrong_audience() {
    let token = id_token_with(|m| {
        m.insert("aud".into(), json!("someotherclient"));
    });
    assert_eq!(
        reject(&token),
        JwtErrorKind::WrongAudience {
            expected: vec![CLIENT_ID.into()],
            got: "someotherclient".into()
        }
    );
    let mut two_clients = policy();
    two_clients.client_ids.push("someotherclient".into());
    assert!(verify(&token, &two_clients, NOW).is_ok());
}

#[test]
fn access_token_for_another_client_has_the_wrong_client_id() {
    let token = access_token_with(|m| {
        m.insert("client_id".into(), json!("someotherclient"));
    });
    assert!(matches!(
        reject(&token),
        JwtErrorKind::WrongClientId { got, .. } if got == "someotherclient"
    ));
}

#[test]
fn audience_claim_follows_the_token_kind() {
    // An access token is judged by client_id, not aud, and an ID token by aud.
    let access_with_aud_only = access_token_with(|m| {
        m.remove("client_id");
        m.insert("aud".into(), json!(CLIENT_ID));
    });
    assert_eq!(
        reject(&access_with_aud_only),
        JwtErrorKind::MissingClaim {
            claim: Claim::ClientId
        }
    );
    let id_with_client_id_only = id_token_with(|m| {
        m.remove("aud");
        m.insert("client_id".into(), json!(CLIENT_ID));
    });
    assert_eq!(
        reject(&id_with_client_id_only),
        JwtErrorKind::MissingClaim { claim: Claim::Aud }
    );
}

#[test]
fn empty_client_list_accepts_no_token() {
    let p = cognito_harness_core::jwt::VerifyPolicy::new(ISSUER, Vec::<String>::new());
    assert!(matches!(
        reject_with(&id_token(&id_claims()), &p, NOW),
        JwtErrorKind::WrongAudience { .. }
    ));
}

/// Removing (or emptying) each required claim gives `MissingClaim` naming it.
#[test]
fn each_required_claim_when_missing_is_named() {
    let id_required = [
        ("sub", Claim::Sub),
        ("iss", Claim::Iss),
        ("exp", Claim::Exp),
        ("iat", Claim::Iat),
        ("aud", Claim::Aud),
        ("cognito:username", Claim::CognitoUsername),
        ("jti", Claim::Jti),
    ];
    for (name, claim) in id_required {
        let token = id_token_with(|m| {
            m.remove(name);
        });
        assert_eq!(
            reject(&token),
            JwtErrorKind::MissingClaim { claim },
            "{name}"
        );
    }
    let access_required = [
        ("client_id", Claim::ClientId),
        ("username", Claim::Username),
        ("jti", Claim::Jti),
    ];
    for (name, claim) in access_required {
        let token = access_token_with(|m| {
            m.remove(name);
        });
        assert_eq!(
            reject(&token),
            JwtErrorKind::MissingClaim { claim },
            "{name}"
        );
        let empty = access_token_with(|m| {
            m.insert(name.into(), json!(""));
        });
        assert_eq!(
            reject(&empty),
            JwtErrorKind::MissingClaim { claim },
            "empty {name}"
        );
    }
    let empty_sub = id_token_with(|m| {
        m.insert("sub".into(), json!(""));
    });
    assert_eq!(
        reject(&empty_sub),
        JwtErrorKind::MissingClaim { claim: Claim::Sub }
    );
}

#[test]
fn origin_jti_is_required_only_when_the_policy_says() {
    let token = id_token_with(|m| {
        m.remove("origin_jti");
    });
    assert!(verify(&token, &policy(), NOW).is_ok());
    let mut strict = policy();
    strict.require_origin_jti = true;
    assert_eq!(
        reject_with(&token, &strict, NOW),
        JwtErrorKind::MissingClaim {
            claim: Claim::OriginJti
        }
    );
    assert!(verify(&id_token(&id_claims()), &strict, NOW).is_ok());
}

#[test]
fn machine_to_machine_access_token_passes_when_username_is_waived() {
    let token = access_token_with(|m| {
        m.remove("username");
        m.insert("sub".into(), json!(CLIENT_ID));
        m.insert("scope".into(), json!("orders/read orders/write"));
    });
    assert_eq!(
        reject(&token),
        JwtErrorKind::MissingClaim {
            claim: Claim::Username
        }
    );
    let mut m2m = policy();
    m2m.require_username = false;
    m2m.required_scopes = vec!["orders/write".into()];
    let verified = verify(&token, &m2m, NOW).unwrap();
    assert_eq!(
        verified.claims.scopes().collect::<Vec<_>>(),
        ["orders/read", "orders/write"]
    );
}

#[test]
fn missing_scope_names_the_first_one_lacking() {
    let mut p = policy();
    p.required_scopes = vec!["aws.cognito.signin.user.admin".into(), "openid".into()];
    let token = access_token(&access_claims());
    assert_eq!(
        reject_with(&token, &p, NOW),
        JwtErrorKind::MissingScope {
            missing: "openid".into(),
            got: Some("aws.cognito.signin.user.admin".into())
        }
    );
    let no_scope = access_token_with(|m| {
        m.remove("scope");
    });
    assert_eq!(
        reject_with(&no_scope, &p, NOW),
        JwtErrorKind::MissingScope {
            missing: "aws.cognito.signin.user.admin".into(),
            got: None
        }
    );
    // A scope is a whole word: "aws.cognito" is not granted by "aws.cognito.signin.user.admin".
    p.required_scopes = vec!["aws.cognito".into()];
    assert!(matches!(
        reject_with(&token, &p, NOW),
        JwtErrorKind::MissingScope { .. }
    ));
    // ID tokens carry no scope and are not judged by it.
    assert!(verify(&id_token(&id_claims()), &p, NOW).is_ok());
}

#[test]
fn claims_of_the_wrong_json_type_are_named() {
    let cases: [(&str, Value, Claim); 5] = [
        ("exp", json!("1700003540"), Claim::Exp),
        ("sub", json!(42), Claim::Sub),
        ("cognito:groups", json!("admin"), Claim::CognitoGroups),
        ("email_verified", json!("true"), Claim::EmailVerified),
        ("aud", json!([CLIENT_ID]), Claim::Aud),
    ];
    for (name, value, claim) in cases {
        let token = id_token_with(|m| {
            m.insert(name.into(), value);
        });
        assert!(
            matches!(reject(&token), JwtErrorKind::InvalidClaimType { claim: c, .. } if c == claim),
            "{name}"
        );
    }
}

#[test]
fn fractional_times_are_accepted_and_floored() {
    // Flooring makes exp err early, by under a second, never late.
    let token = id_token_with(|m| {
        m.insert("exp".into(), json!(NOW as f64 + 1.5));
    });
    assert!(verify(&token, &policy(), NOW).is_ok());
    assert!(matches!(
        reject_with(&token, &policy(), NOW + 1),
        JwtErrorKind::Expired { .. }
    ));
}

#[test]
fn error_codes_are_distinct() {
    use std::collections::HashSet;
    let kinds = [
        JwtErrorKind::Malformed { reason: "x" },
        JwtErrorKind::Base64 {
            part: TokenPart::Header,
        },
        JwtErrorKind::Json {
            part: TokenPart::Header,
        },
        JwtErrorKind::AlgNone,
        JwtErrorKind::AlgSymmetric {
            alg: "HS256".into(),
        },
        JwtErrorKind::AlgUnsupported { alg: None },
        JwtErrorKind::CriticalHeader,
        JwtErrorKind::MissingKid,
        JwtErrorKind::UnknownKid { kid: "k".into() },
        JwtErrorKind::BadSignature { kid: "k".into() },
        JwtErrorKind::MissingClaim { claim: Claim::Sub },
        JwtErrorKind::InvalidClaimType {
            claim: Claim::Sub,
            expected: "string",
            got: "number",
        },
        JwtErrorKind::WrongTokenUse {
            expected: AcceptedTokenUse::Id,
            got: "x".into(),
        },
        JwtErrorKind::WrongIssuer {
            expected: "a".into(),
            got: "b".into(),
        },
        JwtErrorKind::WrongAudience {
            expected: vec![],
            got: "b".into(),
        },
        JwtErrorKind::WrongClientId {
            expected: vec![],
            got: "b".into(),
        },
        JwtErrorKind::Expired {
            exp: 0,
            now: 0,
            leeway_secs: 0,
        },
        JwtErrorKind::NotYetValid {
            nbf: 0,
            now: 0,
            leeway_secs: 0,
        },
        JwtErrorKind::IssuedInFuture {
            iat: 0,
            now: 0,
            leeway_secs: 0,
        },
        JwtErrorKind::AuthTimeAfterIssue {
            auth_time: 0,
            iat: 0,
        },
        JwtErrorKind::MissingScope {
            missing: "s".into(),
            got: None,
        },
    ];
    let codes: HashSet<&str> = kinds.iter().map(JwtErrorKind::code).collect();
    assert_eq!(codes.len(), kinds.len());
}

#[test]
fn long_claim_values_are_clipped_in_errors() {
    let long_iss = format!("https://{}", "x".repeat(10_000));
    let token = id_token_with(|m| {
        m.insert("iss".into(), json!(long_iss));
    });
    let err =
        cognito_harness_core::jwt::verify_token(&token, &pool().keys, &policy(), NOW).unwrap_err();
    assert!(err.to_string().len() < 400, "{}", err.to_string().len());
}
