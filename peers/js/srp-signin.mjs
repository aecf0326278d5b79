#!/usr/bin/env node
// SRP sign-in with the official browser/Node client, amazon-cognito-identity-js:
// CognitoUser.authenticateUser (USER_SRP_AUTH -> PASSWORD_VERIFIER) repeated --count times, then
// one CognitoUser.refreshSession with the last refresh token. The ID and access token claims of
// every sign-in are checked (token_use, aud / client_id, and iss when --issuer is given).
//
// The client computes SRP with fresh randomness each time; its known padding edge cases show up
// about once in 256 sign-ins, so --count 300 is the intended use against a server under test.
//
// Prints one JSON line, e.g.
//   {"ok":true,"client":"amazon-cognito-identity-js","version":"6.3.21","attempts":300,
//    "signins":300,"failures":0,"claim_failures":0,"first_error":null,"ms_per_signin":412,
//    "claims":{"id":{...},"access":{...}},"refresh":{"ok":true,...}}
// and exits non-zero unless every sign-in and the refresh succeeded (or, with --expect-error CODE,
// unless every sign-in failed with that code).

import {
  checkLoopback,
  errorOf,
  finish,
  intFlag,
  jwtPayload,
  parseFlags,
  peerRequire,
  peerVersion,
  pickClaims,
  requireFlags,
  run,
  secretHash,
} from "./common.mjs";

const USAGE = `usage: node peers/js/srp-signin.mjs --endpoint URL --user-pool-id ID --client-id ID
         --username NAME [--password PW] [--client-secret S] [--count N] [--issuer ISS]
         [--no-refresh] [--max-failures N] [--expect-error CODE]
  Each flag falls back to an environment variable: COGNITO_ENDPOINT, COGNITO_USER_POOL_ID,
  COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET, COGNITO_USERNAME, COGNITO_PASSWORD (preferred over
  --password), COGNITO_COUNT.
  --count N           sign-ins to run (default 1; 300 exercises the padding edge cases)
  --issuer ISS        also require this iss in both tokens
  --no-refresh        skip the refreshSession step
  --max-failures N    stop after N failed sign-ins (default 10; 0 = never stop early)
  --expect-error C    negative test: every sign-in must fail with error code C
                      (e.g. NotAuthorizedException for a wrong password); no refresh is tried
  --client-secret S   the library has no SECRET_HASH support; this script adds SECRET_HASH to
                      InitiateAuth / RespondToAuthChallenge itself (a shim around the client)
`;

const OPTIONS = {
  count: { type: "string" },
  issuer: { type: "string" },
  "no-refresh": { type: "boolean" },
  "max-failures": { type: "string" },
  "expect-error": { type: "string" },
};

const CHALLENGE_CALLBACKS = [
  "newPasswordRequired",
  "mfaRequired",
  "totpRequired",
  "customChallenge",
  "mfaSetup",
  "selectMFAType",
];

/** authenticateUser as a promise; an unexpected challenge is a failure naming the challenge. */
function authenticate(user, details) {
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve(session),
      onFailure: (err) => reject(err),
    };
    for (const name of CHALLENGE_CALLBACKS) {
      callbacks[name] = () =>
        reject(Object.assign(new Error(`unexpected challenge (${name})`), { code: "UnexpectedChallenge" }));
    }
    user.authenticateUser(details, callbacks);
  });
}

function refresh(user, refreshToken) {
  return new Promise((resolve, reject) =>
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session))),
  );
}

/** Problems with a session's tokens, as strings; [] when the claims are as Cognito issues them. */
function claimProblems(session, clientId, issuer) {
  const problems = [];
  const id = session.getIdToken().decodePayload();
  const access = session.getAccessToken().decodePayload();
  if (id.token_use !== "id") problems.push(`id token_use=${JSON.stringify(id.token_use)}`);
  if (id.aud !== clientId) problems.push(`id aud=${JSON.stringify(id.aud)}`);
  if (access.token_use !== "access") problems.push(`access token_use=${JSON.stringify(access.token_use)}`);
  if (access.client_id !== clientId) problems.push(`access client_id=${JSON.stringify(access.client_id)}`);
  if (issuer) {
    if (id.iss !== issuer) problems.push(`id iss=${JSON.stringify(id.iss)}`);
    if (access.iss !== issuer) problems.push(`access iss=${JSON.stringify(access.iss)}`);
  }
  if (id.sub && access.sub && id.sub !== access.sub) problems.push("id sub != access sub");
  return problems;
}

/**
 * amazon-cognito-identity-js never sends SECRET_HASH. For a client with a secret, wrap the pool's
 * low-level request so InitiateAuth and RespondToAuthChallenge carry one, keyed on the user name
 * the request itself names (USERNAME), or on the CognitoUser's name for a refresh.
 */
function addSecretHash(pool, clientId, clientSecret, currentUser) {
  const inner = pool.client.request.bind(pool.client);
  pool.client.request = (operation, params, callback) => {
    if (operation === "InitiateAuth" && params.AuthParameters) {
      const name = params.AuthParameters.USERNAME ?? currentUser()?.getUsername();
      if (name) params.AuthParameters.SECRET_HASH = secretHash(clientSecret, name, clientId);
    } else if (operation === "RespondToAuthChallenge" && params.ChallengeResponses?.USERNAME) {
      params.ChallengeResponses.SECRET_HASH = secretHash(clientSecret, params.ChallengeResponses.USERNAME, clientId);
    }
    return inner(operation, params, callback);
  };
}

async function main() {
  const v = parseFlags(OPTIONS, { count: "1", "max-failures": "10" }, USAGE);
  requireFlags(v, "endpoint", "user-pool-id", "client-id", "username", "password");
  checkLoopback(v.endpoint);
  const count = intFlag(v, "count", 1);
  const maxFailures = intFlag(v, "max-failures", 0);
  const expectError = v["expect-error"];

  const { CognitoUserPool, CognitoUser, AuthenticationDetails } = peerRequire("amazon-cognito-identity-js");
  const endpoint = v.endpoint.endsWith("/") ? v.endpoint : `${v.endpoint}/`;
  const pool = new CognitoUserPool({ UserPoolId: v["user-pool-id"], ClientId: v["client-id"], endpoint });
  let user = null;
  if (v["client-secret"]) addSecretHash(pool, v["client-id"], v["client-secret"], () => user);

  const report = {
    ok: false,
    client: "amazon-cognito-identity-js",
    version: peerVersion("amazon-cognito-identity-js"),
    flow: "USER_SRP_AUTH",
    attempts: 0,
    signins: 0,
    failures: 0,
    claim_failures: 0,
    first_error: null,
    error_codes: {},
  };
  if (expectError) report.expect_error = expectError;

  let lastSession = null;
  let lastUser = null;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    report.attempts++;
    // A fresh CognitoUser per sign-in, as a new browser session would have (no cached tokens,
    // no device key).
    user = new CognitoUser({ Username: v.username, Pool: pool });
    const details = new AuthenticationDetails({ Username: v.username, Password: v.password });
    try {
      const session = await authenticate(user, details);
      report.signins++;
      const problems = claimProblems(session, v["client-id"], v.issuer);
      if (problems.length) {
        report.claim_failures++;
        report.first_claim_problem ??= { iteration: i, problems };
      }
      if (!report.claims) {
        report.claims = {
          id: pickClaims(session.getIdToken().decodePayload()),
          access: pickClaims(session.getAccessToken().decodePayload()),
        };
        report.token_lengths = {
          id: session.getIdToken().getJwtToken().length,
          access: session.getAccessToken().getJwtToken().length,
          refresh: session.getRefreshToken().getToken()?.length ?? 0,
        };
      }
      lastSession = session;
      lastUser = user;
    } catch (err) {
      report.failures++;
      const e = errorOf(err);
      report.error_codes[e.code] = (report.error_codes[e.code] ?? 0) + 1;
      report.first_error ??= { iteration: i, ...e };
      if (!expectError && maxFailures && report.failures >= maxFailures) {
        report.stopped_early = true;
        break;
      }
    }
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  report.ms_per_signin = Math.round(elapsedMs / report.attempts);

  if (expectError) {
    // Every attempt must have failed, and with exactly the expected code.
    report.ok = report.signins === 0 && (report.error_codes[expectError] ?? 0) === report.attempts;
    finish(report);
  }

  if (lastSession && !v["no-refresh"]) {
    user = lastUser;
    try {
      const session = await refresh(lastUser, lastSession.getRefreshToken());
      const problems = claimProblems(session, v["client-id"], v.issuer);
      report.refresh = {
        ok: problems.length === 0,
        id_len: session.getIdToken().getJwtToken().length,
        access_len: session.getAccessToken().getJwtToken().length,
        id_claims: pickClaims(jwtPayload(session.getIdToken().getJwtToken())),
      };
      if (problems.length) report.refresh.problems = problems;
    } catch (err) {
      report.refresh = { ok: false, error: errorOf(err) };
    }
  }
  report.ok =
    report.failures === 0 &&
    report.claim_failures === 0 &&
    report.signins === count &&
    (v["no-refresh"] || report.refresh?.ok === true);
  finish(report);
}

run(main);
