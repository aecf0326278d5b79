#!/usr/bin/env node
// The sign-up flow with the official AWS SDK for JavaScript v3
// (@aws-sdk/client-cognito-identity-provider): SignUp -> ConfirmSignUp (or AdminConfirmSignUp)
// -> InitiateAuth USER_PASSWORD_AUTH -> GetUser, for --count users.
//
// Prints one JSON line, e.g.
//   {"ok":true,"client":"@aws-sdk/client-cognito-identity-provider","version":"3.1169.0",
//    "users":1,"completed":1,"failures":0,"confirm_via":"code-url","first_error":null,
//    "steps":{"SignUp":{"ok":1,"fail":0},...},"sample":{...}}
// and exits non-zero unless every step succeeded for every user.

// The SDK warns on stderr that releases after January 2027 will need Node 22; these versions are
// pinned, so the notice is noise in a peer run. This is the SDK's own opt-out.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

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

const USAGE = `usage: node peers/js/sdk-flow.mjs --endpoint URL --client-id ID [--client-secret S]
         [--username NAME] [--password PW] [--count N] [--region R] [--email ADDR]
         (--code CODE | --code-url URL | --admin-confirm --user-pool-id ID)
  Each flag falls back to an environment variable: COGNITO_ENDPOINT, COGNITO_REGION,
  COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET, COGNITO_USERNAME,
  COGNITO_PASSWORD (preferred over --password), COGNITO_COUNT.
  --username NAME   user name (default: a random "sdk-..." one); with --count > 1 each user
                    gets a suffix: NAME-0, NAME-1, ...
  --count N         users to sign up and sign in (default 1)
  --email ADDR      send an email attribute (with --count > 1, "+i" is added before the "@")
  --code CODE       confirmation code to send with ConfirmSignUp
  --code-url URL    GET this URL for {"Code":"..."}; {poolId} and {username} are replaced
                    (URL-encoded). "harness" means the reference server's
                    <endpoint>/_harness/codes/{poolId}/{username}
  --admin-confirm   confirm with AdminConfirmSignUp (SigV4, dummy credentials test/test)
                    instead of ConfirmSignUp, for emulators that hand out no codes
  --max-attempts N  SDK attempts per call (default 1: no retries, so errors are seen as sent)
`;

const OPTIONS = {
  count: { type: "string" },
  email: { type: "string" },
  code: { type: "string" },
  "code-url": { type: "string" },
  "admin-confirm": { type: "boolean" },
  "max-attempts": { type: "string" },
};

/** Fetch a confirmation code from a URL answering {"Code":"..."}; a few tries, 250 ms apart. */
async function fetchCode(url) {
  let last;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 250));
    try {
      const resp = await fetch(url, { headers: { accept: "application/json" } });
      if (!resp.ok) {
        last = Object.assign(new Error(`GET code URL answered ${resp.status}`), { code: "CodeUrlStatus", statusCode: resp.status });
        continue;
      }
      const body = await resp.json();
      // {"Code": ...}, or the reference server's {"ConfirmSignUp": ..., "ConfirmForgotPassword": ...}.
      const code = body?.Code ?? body?.ConfirmSignUp;
      if (typeof code === "string" && code) return code;
      last = Object.assign(new Error('code URL body has no string "Code" or "ConfirmSignUp"'), { code: "CodeUrlBody" });
    } catch (err) {
      last = Object.assign(new Error(`GET code URL failed: ${err.message}`), { code: "CodeUrlFetch" });
    }
  }
  throw last;
}

function emailFor(base, i, count) {
  if (!base) return undefined;
  if (count === 1) return base;
  const at = base.indexOf("@");
  return at < 0 ? `${base}+${i}` : `${base.slice(0, at)}+${i}${base.slice(at)}`;
}

async function main() {
  const v = parseFlags(OPTIONS, { count: "1", region: "us-east-1", "max-attempts": "1" }, USAGE);
  requireFlags(v, "endpoint", "client-id", "password");
  checkLoopback(v.endpoint);
  const count = intFlag(v, "count", 1);
  const maxAttempts = intFlag(v, "max-attempts", 1);
  const modes = [v.code !== undefined, v["code-url"] !== undefined, !!v["admin-confirm"]].filter(Boolean).length;
  if (modes !== 1) {
    finish({ ok: false, error: { code: "BadFlag", message: "give exactly one of --code, --code-url, --admin-confirm" } });
  }
  let codeUrl = v["code-url"];
  if (codeUrl === "harness") {
    codeUrl = `${v.endpoint.replace(/\/+$/, "")}/_harness/codes/{poolId}/{username}`;
  }
  if ((v["admin-confirm"] || codeUrl?.includes("{poolId}")) && !v["user-pool-id"]) requireFlags(v, "user-pool-id");
  if (codeUrl) checkLoopback(codeUrl.replaceAll(/\{(poolId|username)\}/g, "x"));

  const sdk = peerRequire("@aws-sdk/client-cognito-identity-provider");
  const client = new sdk.CognitoIdentityProviderClient({
    endpoint: v.endpoint,
    region: v.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
  });
  const clientId = v["client-id"];
  const secret = v["client-secret"];
  const base = v.username ?? `sdk-${Math.random().toString(36).slice(2, 10)}`;

  const stepNames = ["SignUp", v["admin-confirm"] ? "AdminConfirmSignUp" : "ConfirmSignUp", "InitiateAuth", "GetUser"];
  const report = {
    ok: false,
    client: "@aws-sdk/client-cognito-identity-provider",
    version: peerVersion("@aws-sdk/client-cognito-identity-provider"),
    users: count,
    completed: 0,
    failures: 0,
    confirm_via: v["admin-confirm"] ? "admin" : codeUrl ? "code-url" : "code",
    first_error: null,
    steps: Object.fromEntries(stepNames.map((s) => [s, { ok: 0, fail: 0 }])),
  };

  for (let i = 0; i < count; i++) {
    const username = count === 1 ? base : `${base}-${i}`;
    const hash = secret ? secretHash(secret, username, clientId) : undefined;
    let step = "SignUp";
    try {
      const attrs = [];
      const email = emailFor(v.email, i, count);
      if (email) attrs.push({ Name: "email", Value: email });
      const signUp = await client.send(
        new sdk.SignUpCommand({ ClientId: clientId, Username: username, Password: v.password, SecretHash: hash, UserAttributes: attrs }),
      );
      report.steps.SignUp.ok++;

      step = stepNames[1];
      if (v["admin-confirm"]) {
        await client.send(new sdk.AdminConfirmSignUpCommand({ UserPoolId: v["user-pool-id"], Username: username }));
      } else {
        const code = codeUrl
          ? await fetchCode(
              codeUrl
                .replaceAll("{poolId}", encodeURIComponent(v["user-pool-id"] ?? ""))
                .replaceAll("{username}", encodeURIComponent(username)),
            )
          : v.code;
        await client.send(new sdk.ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: code, SecretHash: hash }));
      }
      report.steps[step].ok++;

      step = "InitiateAuth";
      const params = { USERNAME: username, PASSWORD: v.password };
      if (hash) params.SECRET_HASH = hash;
      const auth = await client.send(
        new sdk.InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: params }),
      );
      const result = auth.AuthenticationResult;
      if (!result?.AccessToken) {
        throw Object.assign(new Error(`no tokens (ChallengeName=${auth.ChallengeName ?? "none"})`), { code: "NoTokens" });
      }
      report.steps.InitiateAuth.ok++;

      step = "GetUser";
      const me = await client.send(new sdk.GetUserCommand({ AccessToken: result.AccessToken }));
      const subAttr = me.UserAttributes?.find((a) => a.Name === "sub");
      if (!me.Username || !subAttr) {
        throw Object.assign(new Error("GetUser answer lacks Username or the sub attribute"), { code: "BadGetUser" });
      }
      report.steps.GetUser.ok++;
      report.completed++;

      if (!report.sample) {
        report.sample = {
          user_confirmed_at_signup: signUp.UserConfirmed,
          user_sub_present: typeof signUp.UserSub === "string" && signUp.UserSub.length > 0,
          code_delivery: signUp.CodeDeliveryDetails ?? null,
          token_type: result.TokenType,
          expires_in: result.ExpiresIn,
          token_lengths: {
            id: result.IdToken?.length ?? 0,
            access: result.AccessToken.length,
            refresh: result.RefreshToken?.length ?? 0,
          },
          id_claims: result.IdToken ? pickClaims(jwtPayload(result.IdToken)) : null,
          access_claims: pickClaims(jwtPayload(result.AccessToken)),
          get_user: {
            username_matches: me.Username === username,
            sub_matches_signup: subAttr.Value === signUp.UserSub,
            attribute_names: (me.UserAttributes ?? []).map((a) => a.Name).sort(),
          },
        };
      }
    } catch (err) {
      report.failures++;
      report.steps[step].fail++;
      report.first_error ??= { user: i, step, ...errorOf(err) };
    }
  }
  report.ok = report.failures === 0 && report.completed === count;
  finish(report);
}

run(main);
