#!/usr/bin/env node
// The official Cognito clients in a real browser: headless Chromium (Debian's /usr/bin/chromium,
// installed by scripts/install-peers.sh; Playwright's browser downloads are never used), driven by
// playwright-core, on a page served from another loopback origin than the server, so every call
// is a real cross-origin request with its CORS preflight. One browser launch runs:
//   (a) SRP sign-in with amazon-cognito-identity-js in the page;
//   (b) Amplify JS v6 in the page: signIn (SRP), fetchAuthSession({forceRefresh: true}), signOut;
//   (c) managed login: /oauth2/authorize (code + PKCE S256) -> the /login form, filled and
//       submitted by the browser -> the callback on the page's origin with a code -> the page
//       exchanges it with the verifier at /oauth2/token.
// The page (peers/js/browser/page.mjs) is bundled with esbuild into --page-dir, which the caller
// serves at --page-url (tests/browser_clients.rs does both). Every token is verified here against
// the pool's JWKS; only claims are reported.
//
// Prints one JSON line, e.g.
//   {"ok":true,"client":"chromium","versions":{...},"srp":{"ok":true,"sub":"…"},
//    "amplify":{"ok":true,...},"managed_login":{"ok":true,...},"ms":2400}
// and exits non-zero unless all three flows succeeded with verified tokens.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

const USAGE = `usage: node peers/js/browser-clients.mjs --endpoint URL --user-pool-id ID --client-id ID
         --oauth-client-id ID --page-dir DIR --page-url URL --username NAME [--password PW]
         [--chromium PATH]
  --client-id         a public client allowing USER_SRP_AUTH and refresh (flows a and b)
  --oauth-client-id   a public client with the code grant, scopes openid and email, and the
                      callback URL {page-url}callback.html (flow c)
  --page-dir DIR      where the page is written (served by the caller at --page-url)
  --chromium PATH     the browser (default /usr/bin/chromium, or CHROMIUM)
  Passwords come from COGNITO_PASSWORD (preferred over --password).
`;

const OPTIONS = {
  "oauth-client-id": { type: "string" },
  "page-dir": { type: "string" },
  "page-url": { type: "string" },
  chromium: { type: "string" },
};

// Flags that work in a container without a display, GPU or user namespaces, and keep the browser
// from calling home (no QUIC, no component updates, sync or background networking).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const here = path.dirname(fileURLToPath(import.meta.url));

async function buildPage(dir) {
  const esbuild = peerRequire("esbuild");
  const nodeModules = path.dirname(path.dirname(peerRequire.resolve("esbuild/package.json")));
  await esbuild.build({
    entryPoints: [path.join(here, "browser", "page.mjs")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    outfile: path.join(dir, "bundle.js"),
    nodePaths: [nodeModules],
    define: { global: "globalThis", "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
  });
  const html = (title) =>
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>` +
    `<link rel="icon" href="data:,"><script src="bundle.js"></script></head><body>${title}</body></html>\n`;
  writeFileSync(path.join(dir, "index.html"), html("cognito-harness browser clients"));
  writeFileSync(path.join(dir, "callback.html"), html("callback"));
}

/** Verified claims of both tokens of a flow's result, or the problems found. */
function check(result, jwks, clientId, sub) {
  if (!result?.ok) return { ok: false, error: result?.error ?? { code: "NoResult", message: "" } };
  const access = verifiedClaims(result.accessToken, jwks);
  const id = verifiedClaims(result.idToken, jwks);
  const problems = [];
  if (!access || access.token_use !== "access" || access.client_id !== clientId) problems.push("access token");
  if (!id || id.token_use !== "id" || id.aud !== clientId) problems.push("ID token");
  if (access && id && access.sub !== id.sub) problems.push("sub differs between tokens");
  if (sub && access?.sub !== sub) problems.push("sub differs from the expected user");
  return { ok: problems.length === 0, sub: access?.sub ?? null, access: access ? pickClaims(access) : null, problems };
}

async function main() {
  const v = parseFlags(OPTIONS, { chromium: process.env.CHROMIUM || "/usr/bin/chromium" }, USAGE);
  requireFlags(v, "endpoint", "user-pool-id", "client-id", "username", "password");
  for (const f of ["oauth-client-id", "page-dir", "page-url"]) {
    if (!v[f]) finish({ ok: false, error: { code: "MissingInput", message: `missing --${f}` } });
  }
  checkLoopback(v.endpoint);
  checkLoopback(v["page-url"]);
  const endpoint = v.endpoint.endsWith("/") ? v.endpoint : `${v.endpoint}/`;
  const pageUrl = v["page-url"].endsWith("/") ? v["page-url"] : `${v["page-url"]}/`;
  const started = Date.now();
  const report = {
    ok: false,
    client: "chromium",
    versions: {
      "playwright-core": peerVersion("playwright-core"),
      "amazon-cognito-identity-js": peerVersion("amazon-cognito-identity-js"),
      "aws-amplify": peerVersion("aws-amplify"),
    },
    page_origin: new URL(pageUrl).origin,
    api_origin: new URL(endpoint).origin,
  };
  await buildPage(v["page-dir"]);
  report.bundle_ms = Date.now() - started;
  const jwks = await fetchJwks(endpoint, v["user-pool-id"]);

  const { chromium } = peerRequire("playwright-core");
  const profile = mkdtempSync(path.join(tmpdir(), "harness-chromium-"));
  let context;
  try {
    // A persistent context on a fresh directory: Chromium's --user-data-dir, new on every run.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: v.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    report.versions.chromium = context.browser()?.version() ?? null;
    report.launch_ms = Date.now() - started;
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text().slice(0, 200)));
    await page.goto(`${pageUrl}index.html`);
    const cfg = {
      endpoint,
      userPoolId: v["user-pool-id"],
      clientId: v["client-id"],
      username: v.username,
      password: v.password,
    };

    report.srp = check(await page.evaluate((c) => window.harness.srpSignIn(c), cfg), jwks, cfg.clientId);
    const sub = report.srp.sub;

    const a = await page.evaluate((c) => window.harness.amplifyFlow(c), cfg);
    const signedIn = check({ ok: a.ok, accessToken: a.accessToken, idToken: a.idToken, error: a.error }, jwks, cfg.clientId, sub);
    const refreshed = check(
      { ok: a.ok, accessToken: a.refreshedAccessToken, idToken: a.refreshedIdToken, error: a.error },
      jwks,
      cfg.clientId,
      sub,
    );
    report.amplify = {
      ok:
        signedIn.ok &&
        refreshed.ok &&
        a.step === "DONE" &&
        a.refreshedAccessToken !== a.accessToken &&
        a.sessionAfterSignOut === false &&
        a.oldAccessTokenAfterSignOut?.startsWith("NotAuthorizedException"),
      step: a.step,
      sign_in: signedIn,
      refresh: { ...refreshed, new_access_token: a.refreshedAccessToken !== a.accessToken },
      session_after_sign_out: a.sessionAfterSignOut,
      old_access_token_after_sign_out: a.oldAccessTokenAfterSignOut,
    };
    if (a.error) report.amplify.error = a.error;

    const oauth = { endpoint, clientId: v["oauth-client-id"], redirectUri: `${pageUrl}callback.html` };
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${endpoint}login`)),
      page.evaluate((c) => window.harness.startManagedLogin(c), oauth),
    ]);
    await page.fill("#signInFormUsername", v.username);
    await page.fill("#signInFormPassword", v.password);
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(oauth.redirectUri)),
      page.click('input[name="signInSubmitButton"]'),
    ]);
    await page.waitForFunction(() => window.harness !== undefined);
    const m = await page.evaluate((c) => window.harness.finishManagedLogin(c), oauth);
    report.managed_login = { ...check(m, jwks, oauth.clientId, sub), refresh_token: m.hasRefreshToken ?? false };
    if (report.managed_login.access && !String(report.managed_login.access.scope).includes("openid")) {
      report.managed_login.ok = false;
      report.managed_login.problems.push("no openid scope");
    }
    if (consoleErrors.length) report.console_errors = consoleErrors.slice(0, 5);
  } catch (err) {
    report.error = errorOf(err);
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
  report.ms = Date.now() - started;
  report.ok = !report.error && report.srp?.ok && report.amplify?.ok && report.managed_login?.ok;
  report.ok = report.ok === true;
  finish(report);
}

run(main);
