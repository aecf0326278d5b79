//! ID and access tokens as the guide's samples show them ("Using the ID token", "Using the
//! access token"): RS256, the ID and access tokens signed with different keys, `origin_jti`
//! shared by one sign-in and kept across refreshes, `auth_time` kept across refreshes, `jti`
//! new per token. Refresh tokens are opaque: base64url of the sign-in's `origin_jti` (16 bytes)
//! followed by 32 random bytes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use super::store::{AppClient, Pool, SignIn, Store, User};
use crate::jwt::{AcceptedTokenUse, CognitoClaims, TokenUse, VerifyPolicy, verify_token};
use crate::protocol::ops::AuthenticationResultType;

/// The scope of an access token from an API sign-in.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Whether the space-separated `scopes` grant any of `wanted`.
pub fn grants_any(scopes: &str, wanted: &[&str]) -> bool {
    scopes.split(' ').any(|s| wanted.contains(&s))
}

/// Signs the ID and access tokens of sign-in `origin_jti`; with a refresh token when
/// `refresh_token` is given. A managed-login sign-in's access token carries its granted scopes,
/// and it gets an ID token only when `openid` was granted ("Authorize endpoint", `scope`).
pub fn issue(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    user: &User,
    origin_jti: uuid::Uuid,
    auth_time: i64,
    refresh_token: Option<String>,
) -> ApiResult<AuthenticationResultType> {
    issue_with_nonce(
        store,
        pool,
        client,
        user,
        origin_jti,
        auth_time,
        refresh_token,
        None,
    )
}

/// [`issue`], with the `nonce` of the authorization request in the ID token.
#[allow(clippy::too_many_arguments)]
pub fn issue_with_nonce(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    user: &User,
    origin_jti: uuid::Uuid,
    auth_time: i64,
    refresh_token: Option<String>,
    nonce: Option<&str>,
) -> ApiResult<AuthenticationResultType> {
    let scopes = store.sign_ins.with(&origin_jti, |m| {
        m.get(&origin_jti).and_then(|s| s.scopes.clone())
    });
    let scope = scopes.as_deref().unwrap_or(ADMIN_SCOPE).to_owned();
    let with_id_token = scopes.as_deref().is_none_or(|s| grants_any(s, &["openid"]));
    let now = store.now_secs();
    let iss = store.issuer(&pool.id);
    let event_id = uuid::Uuid::new_v4().to_string();
    let groups = (!user.groups.is_empty()).then(|| {
        user.groups
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
    });
    let mut extra = Map::new();
    if let Some(n) = nonce {
        extra.insert("nonce".to_owned(), Value::String(n.to_owned()));
    }
    let mut email = None;
    let mut email_verified = None;
    for (name, value) in &user.attributes {
        match &**name {
            "sub" => {}
            "email" => email = Some(value.to_string()),
            "email_verified" => email_verified = Some(&**value == "true"),
            "phone_number_verified" => {
                extra.insert(name.to_string(), Value::Bool(&**value == "true"));
            }
            _ => {
                extra.insert(name.to_string(), Value::String(value.to_string()));
            }
        }
    }
    let origin = client
        .enable_token_revocation
        .then(|| origin_jti.to_string());
    let id_claims = CognitoClaims {
        sub: user.sub.to_string(),
        iss: iss.clone(),
        token_use: TokenUse::Id,
        exp: now + client.id_validity_secs,
        iat: now,
        auth_time: Some(auth_time),
        jti: Some(uuid::Uuid::new_v4().to_string()),
        origin_jti: origin.clone(),
        aud: Some(client.id.clone()),
        client_id: None,
        cognito_username: Some(user.username.to_string()),
        username: None,
        scope: None,
        cognito_groups: groups.clone(),
        email,
        email_verified,
        event_id: Some(event_id.clone()),
        device_key: None,
        extra,
    };
    let access_claims = CognitoClaims {
        sub: user.sub.to_string(),
        iss,
        token_use: TokenUse::Access,
        exp: now + client.access_validity_secs,
        iat: now,
        auth_time: Some(auth_time),
        jti: Some(uuid::Uuid::new_v4().to_string()),
        origin_jti: origin,
        aud: None,
        client_id: Some(client.id.clone()),
        cognito_username: None,
        username: Some(user.username.to_string()),
        scope: Some(scope),
        cognito_groups: groups,
        email: None,
        email_verified: None,
        event_id: Some(event_id),
        device_key: None,
        extra: Map::new(),
    };
    let internal =
        |e: crate::jwt::SignError| ApiError::new("InternalErrorException", e.to_string());
    let id_token = if with_id_token {
        Some(store.id_signer.sign(&id_claims).map_err(internal)?.into())
    } else {
        None
    };
    Ok(AuthenticationResultType {
        id_token,
        access_token: Some(
            store
                .access_signer
                .sign(&access_claims)
                .map_err(internal)?
                .into(),
        ),
        expires_in: Some(client.access_validity_secs),
        token_type: Some("Bearer".to_owned()),
        refresh_token: refresh_token.map(Into::into),
        new_device_metadata: None,
    })
}

/// Records a new sign-in and returns its `origin_jti` and refresh token.
pub fn new_sign_in(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    user_key: &str,
    generation: u32,
    auth_time: i64,
) -> (uuid::Uuid, String) {
    new_scoped_sign_in(store, pool, client, user_key, generation, auth_time, None)
}

/// [`new_sign_in`] for a managed-login sign-in granted `scopes` (space-separated).
pub fn new_scoped_sign_in(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    user_key: &str,
    generation: u32,
    auth_time: i64,
    scopes: Option<Box<str>>,
) -> (uuid::Uuid, String) {
    let origin_jti = uuid::Uuid::new_v4();
    let now_ms = store.now_ms();
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
    let mut raw = Vec::with_capacity(48);
    raw.extend_from_slice(origin_jti.as_bytes());
    raw.extend_from_slice(&secret);
    let token = URL_SAFE_NO_PAD.encode(&raw);
    let record = SignIn {
        pool_id: pool.id.clone(),
        client_id: client.id.clone(),
        user_key: user_key.into(),
        refresh_secret: secret,
        auth_time,
        generation,
        revoked: false,
        refresh_expires_ms: now_ms + client.refresh_validity_secs * 1000,
        scopes,
        rotated_out_ms: None,
    };
    store
        .sign_ins
        .insert_expiring(origin_jti, record, now_ms, SignIn::forgettable_after_ms);
    (origin_jti, token)
}

/// Marks sign-in `origin` rotated out at `now_ms` (the first rotation counts: retries within
/// the grace period do not extend it).
pub fn rotate_out(store: &Store, origin: &uuid::Uuid, now_ms: i64) {
    store.sign_ins.with(origin, |m| {
        if let Some(s) = m.get_mut(origin) {
            s.rotated_out_ms.get_or_insert(now_ms);
        }
    });
}

/// Revokes the sign-in of `refresh_token` when client `client_id` owns it. An unknown token
/// is not an error (RFC 7009 §2.2); `false` when the token is another client's.
pub fn revoke_refresh_token(store: &Store, refresh_token: &str, client_id: &str) -> bool {
    let Some(origin) = parse_refresh_token(store, refresh_token) else {
        return true;
    };
    store.sign_ins.with(&origin, |m| match m.get_mut(&origin) {
        Some(s) if s.client_id == client_id => {
            s.revoked = true;
            true
        }
        Some(_) => false,
        None => true,
    })
}

/// A copy of the record of sign-in `origin`.
pub fn sign_in_record(store: &Store, origin: &uuid::Uuid) -> Option<SignIn> {
    store.sign_ins.with(origin, |m| m.get(origin).cloned())
}

/// The sign-in a refresh token belongs to, if the token is one of ours (not checking
/// revocation or expiry).
pub fn parse_refresh_token(store: &Store, token: &str) -> Option<uuid::Uuid> {
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    if raw.len() != 48 {
        return None;
    }
    let origin = uuid::Uuid::from_slice(&raw[..16]).ok()?;
    let ok = store.sign_ins.with(&origin, |m| {
        m.get(&origin).is_some_and(|s| {
            aws_lc_rs::constant_time::verify_slices_are_equal(&s.refresh_secret, &raw[16..]).is_ok()
        })
    });
    ok.then_some(origin)
}

/// A verified access token of this server: the pool, the user key and the claims.
pub struct AccessToken {
    pub pool_id: String,
    pub user_key: Box<str>,
    pub claims: CognitoClaims,
}

/// Verifies an access token (signature, issuer, expiry) and that it has not been revoked.
pub fn check_access_token(store: &Store, token: &str) -> ApiResult<AccessToken> {
    let invalid = || ApiError::not_authorized("Invalid Access Token");
    // The payload names the pool and client; the signature check below makes them trusted.
    let payload = token.split('.').nth(1).ok_or_else(invalid)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
    let peek: Map<String, Value> = serde_json::from_slice(&payload).map_err(|_| invalid())?;
    let iss = peek
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let client_id = peek
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let pool_id = iss
        .strip_prefix(&store.base_url)
        .and_then(|p| p.strip_prefix('/'))
        .ok_or_else(invalid)?;
    let mut policy = VerifyPolicy::new(iss, [client_id]);
    policy.token_use = AcceptedTokenUse::Access;
    let verified =
        verify_token(token, &store.access_keys, &policy, store.now_secs()).map_err(|e| {
            if matches!(e.kind(), crate::jwt::JwtErrorKind::Expired { .. }) {
                ApiError::not_authorized("Access Token has expired")
            } else {
                invalid()
            }
        })?;
    let pool = store.pool(pool_id).map_err(|_| invalid())?;
    let username = verified.claims.username.clone().ok_or_else(invalid)?;
    let user_key = pool
        .resolve(&username)
        .ok_or_else(|| ApiError::not_authorized("User does not exist."))?;
    if let Some(origin) = verified
        .claims
        .origin_jti
        .as_deref()
        .and_then(|o| uuid::Uuid::parse_str(o).ok())
    {
        let generation = pool.with_user(&user_key, |u| u.generation).unwrap_or(0);
        let revoked = store.sign_ins.with(&origin, |m| {
            m.get(&origin).is_none_or(|s| s.revoked_for(generation))
        });
        if revoked {
            return Err(ApiError::not_authorized("Access Token has been revoked"));
        }
    }
    Ok(AccessToken {
        pool_id: pool.id.clone(),
        user_key,
        claims: verified.claims,
    })
}

/// [`check_access_token`] for the user-pool API operations, which need the
/// `aws.cognito.signin.user.admin` scope ("Using the access token").
pub fn check_admin_access_token(store: &Store, token: &str) -> ApiResult<AccessToken> {
    let checked = check_access_token(store, token)?;
    let scoped = checked
        .claims
        .scope
        .as_deref()
        .is_some_and(|s| grants_any(s, &[ADMIN_SCOPE]));
    if !scoped {
        return Err(ApiError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    Ok(checked)
}

/// The access token of a `client_credentials` grant ("Token endpoint"): `sub` is the client
/// id, no user claims, the granted custom `scope`.
pub fn issue_client_credentials(
    store: &Store,
    pool: &Pool,
    client: &AppClient,
    scope: &str,
) -> ApiResult<String> {
    let now = store.now_secs();
    let claims = CognitoClaims {
        sub: client.id.clone(),
        iss: store.issuer(&pool.id),
        token_use: TokenUse::Access,
        exp: now + client.access_validity_secs,
        iat: now,
        auth_time: Some(now),
        jti: Some(uuid::Uuid::new_v4().to_string()),
        origin_jti: None,
        aud: None,
        client_id: Some(client.id.clone()),
        cognito_username: None,
        username: None,
        scope: Some(scope.to_owned()),
        cognito_groups: None,
        email: None,
        email_verified: None,
        event_id: None,
        device_key: None,
        extra: Map::new(),
    };
    store
        .access_signer
        .sign(&claims)
        .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))
}
