#!/usr/bin/env node
// Amplify JS v6 (aws-amplify) in Node against a Cognito endpoint: signIn with SRP (the default
// USER_SRP_AUTH flow), fetchAuthSession, a forced refresh (fetchAuthSession({forceRefresh:
// true}), which @aws-amplify/auth 6.21 sends as GetTokensFromRefreshToken), and signOut (which
// revokes the refresh token with RevokeToken when the access token carries origin_jti), configured
// as an app would:
//   Amplify.configure({Auth: {Cognito: {userPoolId, userPoolClientId, userPoolEndpoint}}})
// Every token is verified against the pool's JWKS; after signOut the old access token must be
// refused by GetUser and the session must be empty.
//
// Prints one JSON line, e.g.
//   {"ok":true,"client":"aws-amplify","version":"6.22.1","sign_in":{"ok":true,"step":"DONE"},
//    "sub":"…","refresh":{"ok":true,"new_access_token":true},"sign_out":{"ok":true,...}}
// and exits non-zero unless every step behaved as against Cognito.

import {
  checkLoopback,
  errorOf,
  fetchJwks,
  finish,
  parseFlags,
  peerRequire,
  peerVersion,
  pickClaims,
  requireFlags,
  run,
  verifiedClaims,
} from "./common.mjs";

const USAGE = `usage: node peers/js/amplify-flow.mjs --endpoint URL --user-pool-id ID --client-id ID
         --username NAME [--password PW]
  Each flag falls back to an environment variable: COGNITO_ENDPOINT, COGNITO_USER_POOL_ID,
  COGNITO_CLIENT_ID, COGNITO_USERNAME, COGNITO_PASSWORD (preferred over --password).
  The client must have no secret (Amplify JS does not send one) and allow USER_SRP_AUTH.
`;

/** Problems with a session's tokens (signature, use, audience, subject), as strings. */
export function tokenProblems(tokens, jwks, clientId, sub) {
  const problems = [];
  const access = verifiedClaims(tokens?.accessToken?.toString(), jwks);
  const id = verifiedClaims(tokens?.idToken?.toString(), jwks);
  if (!access) problems.push("access token does not verify");
  if (!id) problems.push("ID token does not verify");
  if (access && (access.token_use !== "access" || access.client_id !== clientId)) {
    problems.push(`access claims ${JSON.stringify(pickClaims(access))}`);
  }
  if (id && (id.token_use !== "id" || id.aud !== clientId)) problems.push(`id claims ${JSON.stringify(pickClaims(id))}`);
  if (sub && (access?.sub !== sub || id?.sub !== sub)) problems.push("sub changed");
  return problems;
}

async function getUserError(endpoint, accessToken) {
  const r = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.GetUser",
    },
    body: JSON.stringify({ AccessToken: accessToken }),
  });
  if (r.ok) return null;
  return (await r.json()).__type ?? `HTTP ${r.status}`;
}

async function main() {
  const v = parseFlags({}, {}, USAGE);
  requireFlags(v, "endpoint", "user-pool-id", "client-id", "username", "password");
  checkLoopback(v.endpoint);
  const endpoint = v.endpoint.endsWith("/") ? v.endpoint : `${v.endpoint}/`;
  const clientId = v["client-id"];

  const { Amplify } = peerRequire("aws-amplify");
  const { signIn, signOut, fetchAuthSession } = peerRequire("aws-amplify/auth");
  Amplify.configure({
    Auth: { Cognito: { userPoolId: v["user-pool-id"], userPoolClientId: clientId, userPoolEndpoint: endpoint } },
  });
  const report = { ok: false, client: "aws-amplify", version: peerVersion("aws-amplify") };
  const jwks = await fetchJwks(endpoint, v["user-pool-id"]);

  const started = Date.now();
  try {
    const out = await signIn({ username: v.username, password: v.password });
    report.sign_in = { ok: out.isSignedIn === true, step: out.nextStep?.signInStep };
  } catch (err) {
    report.sign_in = { ok: false, error: errorOf(err) };
    finish(report);
  }
  const first = (await fetchAuthSession()).tokens;
  const firstAccess = verifiedClaims(first?.accessToken?.toString(), jwks);
  report.sub = firstAccess?.sub ?? null;
  report.claims = firstAccess ? pickClaims(firstAccess) : null;
  report.sign_in.problems = tokenProblems(first, jwks, clientId, null);
  report.sign_in.ok &&= report.sign_in.problems.length === 0;

  try {
    const refreshed = (await fetchAuthSession({ forceRefresh: true })).tokens;
    const problems = tokenProblems(refreshed, jwks, clientId, report.sub);
    const newAccess = refreshed?.accessToken?.toString() !== first?.accessToken?.toString();
    report.refresh = { ok: problems.length === 0 && newAccess, new_access_token: newAccess, problems };
  } catch (err) {
    report.refresh = { ok: false, error: errorOf(err) };
  }

  const oldAccess = first?.accessToken?.toString();
  try {
    await signOut();
    const after = await fetchAuthSession();
    const refusal = await getUserError(endpoint, oldAccess);
    report.sign_out = {
      ok: after.tokens === undefined && refusal === "NotAuthorizedException",
      session_empty: after.tokens === undefined,
      old_access_token: refusal ?? "accepted",
    };
  } catch (err) {
    report.sign_out = { ok: false, error: errorOf(err) };
  }
  report.ms = Date.now() - started;
  report.ok = report.sign_in.ok && report.refresh.ok === true && report.sign_out.ok === true;
  finish(report);
}

run(main);
