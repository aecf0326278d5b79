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
// With --preferred-challenge PASSWORD | PASSWORD_SRP | EMAIL_OTP the sign-in is choice-based
// instead, as an app asks for it:
//   signIn({username, password, options: {authFlowType: "USER_AUTH", preferredChallenge}})
// (InitiateAuth USER_AUTH with PREFERRED_CHALLENGE; PASSWORD_SRP goes on with PASSWORD_VERIFIER).
// For EMAIL_OTP signIn stops at CONFIRM_SIGN_IN_WITH_EMAIL_CODE; the script reads the code the
// reference server issued from --code-url (default: ENDPOINT/_harness/codes/{poolId}/{username},
// field "EmailOtp") and answers with confirmSignIn({challengeResponse: code}).
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
         --username NAME [--password PW] [--preferred-challenge PASSWORD|PASSWORD_SRP|EMAIL_OTP]
         [--code-url URL]
  Each flag falls back to an environment variable: COGNITO_ENDPOINT, COGNITO_USER_POOL_ID,
  COGNITO_CLIENT_ID, COGNITO_USERNAME, COGNITO_PASSWORD (preferred over --password).
  The client must have no secret (Amplify JS does not send one) and allow USER_SRP_AUTH, or
  USER_AUTH with --preferred-challenge. --code-url (EMAIL_OTP only) is loopback only; {poolId}
  and {username} in it are replaced.
`;

const CHALLENGES = ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"];

/** The EMAIL_OTP code the server issued, from the code URL's "EmailOtp" (or "Code") field. */
async function fetchEmailOtp(url) {
  const resp = await fetch(url, { headers: { accept: "application/json" } });
  if (!resp.ok) throw Object.assign(new Error(`GET code URL answered ${resp.status}`), { code: "CodeUrlStatus" });
  const body = await resp.json();
  const code = body?.EmailOtp ?? body?.Code;
  if (typeof code !== "string" || !code) {
    throw Object.assign(new Error('code URL body has no string "EmailOtp" or "Code"'), { code: "CodeUrlBody" });
  }
  return code;
}

/**
 * Signs in: SRP by default, or USER_AUTH with the preferred challenge (EMAIL_OTP answered with
 * the code from codeUrl). Returns {ok, step, flow, steps}: the sign-in steps Amplify reported.
 */
async function signInAs(auth, v, codeUrl) {
  const preferred = v["preferred-challenge"];
  if (!preferred) {
    const out = await auth.signIn({ username: v.username, password: v.password });
    return { ok: out.isSignedIn === true, step: out.nextStep?.signInStep, flow: "USER_SRP_AUTH" };
  }
  const input = { username: v.username, options: { authFlowType: "USER_AUTH", preferredChallenge: preferred } };
  if (preferred !== "EMAIL_OTP") input.password = v.password;
  let out = await auth.signIn(input);
  const steps = [out.nextStep?.signInStep];
  if (preferred === "EMAIL_OTP" && out.nextStep?.signInStep === "CONFIRM_SIGN_IN_WITH_EMAIL_CODE") {
    const url = codeUrl
      .replaceAll("{poolId}", encodeURIComponent(v["user-pool-id"]))
      .replaceAll("{username}", encodeURIComponent(v.username));
    out = await auth.confirmSignIn({ challengeResponse: await fetchEmailOtp(url) });
    steps.push(out.nextStep?.signInStep);
  }
  return { ok: out.isSignedIn === true, step: out.nextStep?.signInStep, flow: "USER_AUTH", preferred, steps };
}

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
  const v = parseFlags({ "preferred-challenge": { type: "string" }, "code-url": { type: "string" } }, {}, USAGE);
  requireFlags(v, "endpoint", "user-pool-id", "client-id", "username", "password");
  checkLoopback(v.endpoint);
  const endpoint = v.endpoint.endsWith("/") ? v.endpoint : `${v.endpoint}/`;
  const preferred = v["preferred-challenge"];
  if (preferred !== undefined && !CHALLENGES.includes(preferred)) {
    finish({ ok: false, error: { code: "BadFlag", message: `--preferred-challenge must be one of ${CHALLENGES.join(", ")}` } });
  }
  const codeUrl = v["code-url"] ?? `${endpoint}_harness/codes/{poolId}/{username}`;
  checkLoopback(codeUrl.replaceAll(/\{(poolId|username)\}/g, "x"));
  const clientId = v["client-id"];

  const { Amplify } = peerRequire("aws-amplify");
  const auth = peerRequire("aws-amplify/auth");
  const { signOut, fetchAuthSession } = auth;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: v["user-pool-id"], userPoolClientId: clientId, userPoolEndpoint: endpoint } },
  });
  const report = { ok: false, client: "aws-amplify", version: peerVersion("aws-amplify") };
  const jwks = await fetchJwks(endpoint, v["user-pool-id"]);

  const started = Date.now();
  try {
    report.sign_in = await signInAs(auth, v, codeUrl);
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
