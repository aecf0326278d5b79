// The browser side of peers/js/browser-clients.mjs, bundled by esbuild into the test page. It
// exposes window.harness, whose functions run the official clients inside the page (a different
// origin from the server, so every call is a real cross-origin request) and hand the tokens back
// to the driving script, which verifies them. Nothing here prints tokens or passwords.

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

function errorOf(err) {
  return { code: err?.code || err?.name || "Error", message: String(err?.message ?? err).slice(0, 300) };
}

/** (a) SRP sign-in through amazon-cognito-identity-js (USER_SRP_AUTH -> PASSWORD_VERIFIER). */
async function srpSignIn({ endpoint, userPoolId, clientId, username, password }) {
  const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });
  const user = new CognitoUser({ Username: username, Pool: pool });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  try {
    const session = await new Promise((resolve, reject) =>
      user.authenticateUser(details, {
        onSuccess: resolve,
        onFailure: reject,
        newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
      }),
    );
    const out = {
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
    };
    // Sign out as an app would before the next flow: the library keeps the session in
    // localStorage under the keys Amplify v6 also reads, and revokes the refresh token.
    await new Promise((resolve, reject) => user.signOut((err) => (err ? reject(err) : resolve())));
    return out;
  } catch (err) {
    return { ok: false, error: errorOf(err) };
  }
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
  // x-amzn-ErrorType is readable only because the server exposes it (CORS).
  return r.ok ? null : (r.headers.get("x-amzn-errortype") ?? `HTTP ${r.status}`);
}

/** (b) Amplify JS v6: signIn (SRP), a forced refresh, signOut. */
async function amplifyFlow({ endpoint, userPoolId, clientId, username, password }) {
  Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: endpoint } } });
  const out = { ok: false };
  try {
    const r = await signIn({ username, password });
    out.step = r.nextStep?.signInStep;
    const first = (await fetchAuthSession()).tokens;
    out.accessToken = first?.accessToken?.toString();
    out.idToken = first?.idToken?.toString();
    const refreshed = (await fetchAuthSession({ forceRefresh: true })).tokens;
    out.refreshedAccessToken = refreshed?.accessToken?.toString();
    out.refreshedIdToken = refreshed?.idToken?.toString();
    await signOut();
    out.sessionAfterSignOut = (await fetchAuthSession()).tokens !== undefined;
    out.oldAccessTokenAfterSignOut = (await getUserError(endpoint, out.accessToken)) ?? "accepted";
    out.ok = true;
  } catch (err) {
    out.error = errorOf(err);
  }
  return out;
}

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** (c) step 1: PKCE (S256) and the redirect to /oauth2/authorize; the browser leaves the page. */
async function startManagedLogin({ endpoint, clientId, redirectUri }) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "openid email",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${endpoint}oauth2/authorize?${q}`);
}

/** (c) step 2, on the callback page: the code exchanged with the verifier at /oauth2/token. */
async function finishManagedLogin({ endpoint, clientId, redirectUri }) {
  const params = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem("pkce") ?? "{}");
  if (!params.get("code")) return { ok: false, error: { code: "NoCode", message: location.search.slice(0, 200) } };
  if (params.get("state") !== saved.state) return { ok: false, error: { code: "StateMismatch", message: "" } };
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: clientId,
    code: params.get("code"),
    redirect_uri: redirectUri,
    code_verifier: saved.verifier,
  });
  try {
    const r = await fetch(`${endpoint}oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const json = await r.json();
    if (!r.ok) return { ok: false, status: r.status, error: { code: json.error ?? "Error", message: "" } };
    return {
      ok: true,
      idToken: json.id_token,
      accessToken: json.access_token,
      hasRefreshToken: typeof json.refresh_token === "string",
    };
  } catch (err) {
    return { ok: false, error: errorOf(err) };
  }
}

window.harness = { srpSignIn, amplifyFlow, startManagedLogin, finishManagedLogin };
