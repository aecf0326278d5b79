// Shared plumbing for the Node peer scripts: flags with environment fallbacks, loading the pinned
// packages from .peers/node (installed by scripts/install-peers.sh), SECRET_HASH, JWT payload
// decoding for reporting, and the one-line JSON report.
//
// Every script prints exactly one JSON object on stdout and exits 0 only when it says "ok": true.
// Passwords, secrets and tokens are never printed: only lengths and selected claims.

import { createHmac, createPublicKey, verify as cryptoVerify } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");
const peersDir = process.env.COGNITO_PEERS_DIR || path.join(repoRoot, ".peers");

/** `require` resolving from .peers/node/node_modules, where install-peers.sh puts the pins. */
export const peerRequire = createRequire(path.join(peersDir, "node", "package.json"));

/** The installed version of a pinned npm package. */
export function peerVersion(name) {
  return peerRequire(`${name}/package.json`).version;
}

// Flag name -> environment variable used when the flag is absent.
export const ENV = {
  endpoint: "COGNITO_ENDPOINT",
  region: "COGNITO_REGION",
  "user-pool-id": "COGNITO_USER_POOL_ID",
  "client-id": "COGNITO_CLIENT_ID",
  "client-secret": "COGNITO_CLIENT_SECRET",
  username: "COGNITO_USERNAME",
  password: "COGNITO_PASSWORD",
  count: "COGNITO_COUNT",
};

const COMMON_OPTIONS = {
  endpoint: { type: "string" },
  region: { type: "string" },
  "user-pool-id": { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/**
 * Parse argv with the common flags plus `extra` (node:util parseArgs option specs). Values absent
 * from the command line come from the environment (ENV), then from `defaults`. Prints `usage` and
 * exits 0 on --help; reports a bad flag as a failed run.
 */
export function parseFlags(extra, defaults, usage) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...COMMON_OPTIONS, ...extra }, strict: true }));
  } catch (err) {
    finish({ ok: false, error: { code: "BadFlag", message: err.message } });
  }
  if (values.help) {
    process.stderr.write(usage);
    process.exit(0);
  }
  for (const [flag, env] of Object.entries(ENV)) {
    if (values[flag] === undefined && process.env[env] !== undefined && process.env[env] !== "") {
      values[flag] = process.env[env];
    }
  }
  for (const [flag, value] of Object.entries(defaults)) {
    if (values[flag] === undefined) values[flag] = value;
  }
  return values;
}

/** Report every missing required input (flag and environment variable) and exit. */
export function requireFlags(values, ...names) {
  const missing = names.filter((n) => values[n] === undefined || values[n] === "");
  if (missing.length) {
    const what = missing.map((n) => `--${n} / ${ENV[n] ?? "-"}`).join(", ");
    finish({ ok: false, error: { code: "MissingInput", message: `missing ${what}` } });
  }
}

/** The peers only ever talk to servers on this machine. */
export function checkLoopback(endpoint) {
  let host;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    finish({ ok: false, error: { code: "BadEndpoint", message: `not a URL: ${endpoint}` } });
  }
  if (!(host === "localhost" || host.startsWith("127.") || host === "[::1]")) {
    finish({ ok: false, error: { code: "NonLocalEndpoint", message: `endpoint host ${host} is not loopback` } });
  }
}

/** A whole number >= min from a flag value, or a failed run naming the flag. */
export function intFlag(values, name, min = 0) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    finish({ ok: false, error: { code: "BadFlag", message: `--${name} must be an integer >= ${min}` } });
  }
  return n;
}

/** SECRET_HASH = base64(HMAC-SHA256(key = client secret, msg = username + client id)). */
export function secretHash(clientSecret, username, clientId) {
  return createHmac("sha256", clientSecret).update(username + clientId).digest("base64");
}

/** The payload of a JWT, not verified (used only to check and report claims). */
export function jwtPayload(token) {
  const part = String(token).split(".")[1] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/** The JWKS a pool publishes, `{endpoint}{poolId}/.well-known/jwks.json`. */
export async function fetchJwks(endpoint, poolId) {
  const base = endpoint.endsWith("/") ? endpoint : `${endpoint}/`;
  const r = await fetch(`${base}${poolId}/.well-known/jwks.json`);
  if (!r.ok) throw Object.assign(new Error(`JWKS answered ${r.status}`), { code: "JwksUnavailable" });
  return r.json();
}

/**
 * The claims of an RS256 JWT whose signature verifies against `jwks` (the key named by its
 * `kid`), or null. Only the signature is checked here; callers check the claims they need.
 */
export function verifiedClaims(token, jwks) {
  const [h, p, sig] = String(token).split(".");
  if (!h || !p || !sig) return null;
  let header;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const jwk = (jwks.keys ?? []).find((k) => k.kid === header.kid);
  if (header.alg !== "RS256" || !jwk) return null;
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const ok = cryptoVerify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(sig, "base64url"));
  return ok ? jwtPayload(token) : null;
}

/** Claims worth reporting (never the token itself). */
export function pickClaims(claims) {
  const keys = ["token_use", "aud", "client_id", "iss", "sub", "cognito:username", "username", "scope"];
  return Object.fromEntries(keys.filter((k) => k in claims).map((k) => [k, claims[k]]));
}

/** The code, message and HTTP status of an error thrown by a Cognito client library. */
export function errorOf(err) {
  if (!err) return { code: "Unknown", message: "" };
  const status = err.statusCode ?? err.$metadata?.httpStatusCode;
  const out = {
    code: err.code || err.name || err.__type || "Error",
    message: String(err.message ?? err).slice(0, 500),
  };
  if (status !== undefined) out.status = status;
  return out;
}

/** Print the one-line report and exit: 0 when report.ok is true, else 1. */
export function finish(report) {
  process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(report.ok ? 0 : 1));
  // process.exit in the write callback lets a piped stdout drain first.
  throw new ExitSignal();
}

/** Thrown by finish() to unwind the caller while stdout drains; caught by run(). */
class ExitSignal extends Error {}

/** Run an async main, turning an unexpected exception into a failed report. */
export function run(main) {
  main().catch((err) => {
    if (err instanceof ExitSignal) return;
    try {
      finish({ ok: false, error: { code: "Crash", message: String(err?.stack ?? err).slice(0, 800) } });
    } catch {
      /* ExitSignal: exiting */
    }
  });
}
