//! The SOFTWARE_TOKEN_MFA answer of a sign-in step with `mfa: totp` (the token and its code
//! choice are in `enrol`).

use super::calls::{Ended, StepCalls};
use super::enrol::UserTotp;
use super::shared::{Failure, Shared};
use crate::protocol::ops::*;
use crate::protocol::{ParamMap, Sensitive};

/// The user name and registered token of an iteration's user, if it has one.
pub(super) type PooledTotp<'a> = Option<(&'a str, Option<&'a UserTotp>)>;

/// Answers SOFTWARE_TOKEN_MFA with the user's next unused code: one more
/// RespondToAuthChallenge, timed and recorded as the step's last request.
pub(super) async fn answer_totp(
    shared: &Shared,
    calls: &mut StepCalls<'_>,
    user: PooledTotp<'_>,
    challenge: Option<ChallengeNameType>,
    session: Option<Sensitive>,
) -> Result<Option<AuthenticationResultType>, Ended> {
    if challenge != Some(ChallengeNameType::SoftwareTokenMfa) {
        return Err(Err(Failure::Error("unexpected_challenge".into())));
    }
    let (username, token) = user.ok_or_else(|| Err(Failure::NotSent("missing_user".into())))?;
    let token = token.ok_or_else(|| Err(Failure::NotSent("missing_totp_token".into())))?;
    let responses = ParamMap::new()
        .with("USERNAME", username)
        .with("SOFTWARE_TOKEN_MFA_CODE", token.next_code().await);
    let (client, app) = (&shared.target.client, &shared.target.app);
    let challenge = ChallengeNameType::SoftwareTokenMfa;
    let answer =
        client.respond_to_auth_challenge(app, challenge, session, responses, Some(username));
    Ok(calls
        .call("RespondToAuthChallenge", true, answer)
        .await?
        .authentication_result)
}
