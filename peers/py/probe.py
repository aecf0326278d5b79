#!/usr/bin/env python3
"""Capture raw HTTP answers of a Cognito user-pools endpoint to a fixed set of requests, for
recording per-peer deviations (docs/peers.md) and seeding expected-failure lists.

It provisions its own pool through the admin API (dummy credentials): a client without a secret,
a client with one, a confirmed user and an unconfirmed one. Then it sends each case as a raw JSON
1.1 request (urllib, no SDK in between) and records status, response headers (minus Date and
Content-Length) and body. Tokens, sessions and secret blocks in bodies are replaced by
"<redacted len=N>".

Prints one JSON line: {"ok":true,"endpoint":...,"pool_id":...,"cases":{NAME:{...},...}}.
"ok" is false only when a case got no HTTP answer at all; the answers are observations, not
verdicts.

  .peers/venv/bin/python peers/py/probe.py --endpoint http://127.0.0.1:PORT [--only CASE,...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import add_common_args, check_loopback, cognito_client, error_of, finish, require, secret_hash  # noqa: E402

PASSWORD = "Passw0rd!Probe"
WRONG = "Wr0ngPassword!"
REDACT = {"AccessToken", "IdToken", "RefreshToken", "Session", "SECRET_BLOCK",
          "access_token", "id_token", "refresh_token"}
SKIP_HEADERS = {"date", "content-length", "server", "connection", "keep-alive"}


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in REDACT and isinstance(v, str):
                out[k] = f"<redacted len={len(v)}>"
            elif k in ("SRP_B", "SALT") and isinstance(v, str):
                out[k] = f"<hex len={len(v)} head={v[:8]}>"
            else:
                out[k] = redact(v)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def summarize(rec: dict[str, Any]) -> Any:
    """One case record reduced to what an expected-failure list needs."""
    if "initiate" in rec:  # an SRP case: two requests
        return {k: summarize(v) if isinstance(v, dict) else v for k, v in rec.items()}
    if rec.get("status") is None:
        return {"status": None, "error": rec.get("error")}
    hdrs = {k.lower(): v for k, v in rec.get("headers", {}).items()}
    body = rec.get("body")
    out: dict[str, Any] = {"status": rec["status"]}
    for h in ("x-amzn-errortype", "x-amzn-errormessage", "content-type"):
        if h in hdrs:
            out[h] = hdrs[h]
    if isinstance(body, dict):
        if "__type" in body or "message" in body or "Message" in body:
            out["__type"] = body.get("__type")
            out["message"] = body.get("message", body.get("Message"))
            extra = sorted(set(body) - {"__type", "message", "Message"})
            if extra:
                out["other_keys"] = extra
        elif len(json.dumps(body)) <= 700:
            out["body"] = body  # already redacted
        else:
            out["keys"] = sorted(body)
            for k in ("issuer", "jwks_uri", "token_endpoint"):  # OpenID configuration
                if k in body:
                    out[k] = body[k]
    elif "body_text" in rec:
        out["body_text"] = rec["body_text"][:200]
    return out


def http(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The record of one request: status, headers and the redacted body."""
    return http_raw(method, url, body=body, headers=headers)[0]


def http_raw(method: str, url: str, *, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[dict[str, Any], Any]:
    """The record of one request and its unredacted parsed JSON body (None when not JSON)."""
    check_loopback(url)
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, hdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, hdrs, raw = err.code, err.headers, err.read()
    except (urllib.error.URLError, OSError) as err:
        return {"status": None, "error": str(err)}, None
    out: dict[str, Any] = {"status": status,
                           "headers": {k: v for k, v in hdrs.items() if k.lower() not in SKIP_HEADERS}}
    text = raw.decode("utf-8", "replace")
    parsed = None
    try:
        parsed = json.loads(text) if text else None
        out["body"] = redact(parsed) if text else ""
    except ValueError:
        out["body_text"] = text[:400]
    return out, parsed


class Prober:
    def __init__(self, endpoint: str, region: str):
        self.endpoint = endpoint.rstrip("/")
        self.region = region

    def call(self, target: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call_raw(target, payload)[0]

    def call_raw(self, target: str, payload: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """An unsigned JSON 1.1 call, as the public (noAuth) operations are sent."""
        headers = {"Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}"}
        return http_raw("POST", self.endpoint + "/", body=json.dumps(payload).encode(), headers=headers)

    def get(self, path: str) -> dict[str, Any]:
        return http("GET", self.endpoint + path)


def srp_start(username: str, password: str, pool_id: str, client_id: str):
    """A pycognito AWSSRP (for its SRP maths only) and the InitiateAuth parameters it would send."""
    from pycognito.aws_srp import AWSSRP, long_to_hex

    srp = AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id,
                 client=object())  # never used: requests are sent raw below
    return srp, {"USERNAME": username, "SRP_A": long_to_hex(srp.large_a_value)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, pool=False, user=False)
    p.add_argument("--only", default=None, help="comma-separated case names to run")
    p.add_argument("--summary", action="store_true",
                   help="per case only status, x-amzn-errortype, __type, message and body keys")
    args = p.parse_args()
    require(args, "endpoint")
    only = set(args.only.split(",")) if args.only else None

    idp = cognito_client(args.endpoint, args.region)
    step = "provision"
    try:
        pool_id = idp.create_user_pool(PoolName=f"probe-{uuid.uuid4().hex[:6]}", Policies={"PasswordPolicy": {
            "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
            "RequireNumbers": True, "RequireSymbols": False}})["UserPool"]["Id"]
        flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                 "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        cid = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="probe",
                                          ExplicitAuthFlows=flows)["UserPoolClient"]["ClientId"]
        sc = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="probe-secret",
                                         GenerateSecret=True, ExplicitAuthFlows=flows)["UserPoolClient"]
        scid, ssecret = sc["ClientId"], sc.get("ClientSecret", "")
        idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
        idp.sign_up(ClientId=cid, Username="unconfirmed", Password=PASSWORD)
    except Exception as exc:  # noqa: BLE001
        finish({"ok": False, "step": step, "error": error_of(exc)})

    pr = Prober(args.endpoint, args.region)
    U, G = "USER_PASSWORD_AUTH", "USER_SRP_AUTH"
    cases: dict[str, Any] = {}

    def case(name: str, fn) -> None:
        if only is None or name in only:
            cases[name] = fn()

    case("password_auth_ok", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": U, "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}))
    case("password_auth_wrong_password", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": U, "AuthParameters": {"USERNAME": "alice", "PASSWORD": WRONG}}))
    case("password_auth_unknown_user", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": U, "AuthParameters": {"USERNAME": "nobody-here", "PASSWORD": WRONG}}))
    case("password_auth_unconfirmed_wrong_password", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": U, "AuthParameters": {"USERNAME": "unconfirmed", "PASSWORD": WRONG}}))
    case("password_auth_unknown_client", lambda: pr.call("InitiateAuth", {
        "ClientId": "doesnotexist0000000000000", "AuthFlow": U,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}))
    case("password_auth_secret_client_no_hash", lambda: pr.call("InitiateAuth", {
        "ClientId": scid, "AuthFlow": U, "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}))
    case("password_auth_secret_client_bad_hash", lambda: pr.call("InitiateAuth", {
        "ClientId": scid, "AuthFlow": U, "AuthParameters": {
            "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash("not-the-secret", "alice", scid)}}))
    case("password_auth_secret_client_good_hash", lambda: pr.call("InitiateAuth", {
        "ClientId": scid, "AuthFlow": U, "AuthParameters": {
            "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(ssecret, "alice", scid)}}))
    case("password_auth_hash_to_public_client", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": U, "AuthParameters": {
            "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash("x", "alice", cid)}}))
    case("srp_missing_srp_a", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": G, "AuthParameters": {"USERNAME": "alice"}}))
    case("srp_unknown_user", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": G, "AuthParameters": srp_start("nobody-here", WRONG, pool_id, cid)[1]}))

    def srp_full(password: str, *, timestamp: str | None = None) -> dict[str, Any]:
        srp, params = srp_start("alice", password, pool_id, cid)
        first, chal = pr.call_raw("InitiateAuth", {"ClientId": cid, "AuthFlow": G, "AuthParameters": params})
        out = {"initiate": first}
        if first.get("status") != 200 or not isinstance(chal, dict) or "ChallengeParameters" not in chal:
            return out
        cp = chal["ChallengeParameters"]
        out["user_id_for_srp_equals_username"] = cp.get("USER_ID_FOR_SRP") == "alice"
        try:
            responses = srp.process_challenge(cp, params)
        except Exception as exc:  # noqa: BLE001 - e.g. an SRP_B that is not valid hex
            out["client_error"] = {"code": type(exc).__name__, "message": str(exc)[:200]}
            return out
        if timestamp is not None:
            responses["TIMESTAMP"] = timestamp
        req: dict[str, Any] = {"ClientId": cid, "ChallengeName": "PASSWORD_VERIFIER",
                               "ChallengeResponses": responses}
        if chal.get("Session"):
            req["Session"] = chal["Session"]
        out["respond"] = pr.call("RespondToAuthChallenge", req)
        return out

    case("srp_ok", lambda: srp_full(PASSWORD))
    case("srp_wrong_password", lambda: srp_full(WRONG))
    case("srp_zero_padded_day_timestamp", lambda: srp_full(PASSWORD, timestamp="Mon Jan 06 03:04:05 UTC 2025"))
    case("srp_malformed_timestamp", lambda: srp_full(PASSWORD, timestamp="2025-01-06T03:04:05Z"))
    case("refresh_garbage_token", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": "garbage"}}))
    case("get_user_garbage_token", lambda: pr.call("GetUser", {"AccessToken": "garbage"}))
    case("signup_existing_username", lambda: pr.call("SignUp", {
        "ClientId": cid, "Username": "alice", "Password": PASSWORD}))
    case("signup_weak_password", lambda: pr.call("SignUp", {
        "ClientId": cid, "Username": f"weak-{uuid.uuid4().hex[:6]}", "Password": "password"}))
    case("signup_short_password", lambda: pr.call("SignUp", {
        "ClientId": cid, "Username": f"short-{uuid.uuid4().hex[:6]}", "Password": "Ab1"}))
    case("signup_ok", lambda: pr.call("SignUp", {
        "ClientId": cid, "Username": f"new-{uuid.uuid4().hex[:6]}", "Password": PASSWORD}))
    case("confirm_signup_wrong_code", lambda: pr.call("ConfirmSignUp", {
        "ClientId": cid, "Username": "unconfirmed", "ConfirmationCode": "000000"}))
    case("admin_password_auth_via_initiate_auth", lambda: pr.call("InitiateAuth", {
        "ClientId": cid, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}))
    case("unknown_operation", lambda: pr.call("NoSuchOperation", {}))
    case("jwks", lambda: pr.get(f"/{pool_id}/.well-known/jwks.json"))
    case("openid_configuration", lambda: pr.get(f"/{pool_id}/.well-known/openid-configuration"))
    case("oauth2_token_client_credentials", lambda: http(
        "POST", pr.endpoint + "/oauth2/token",
        body=f"grant_type=client_credentials&client_id={scid}&client_secret=wrong".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}))

    # JWKS: summarize the keys instead of dumping moduli.
    jw = cases.get("jwks")
    if jw and isinstance(jw.get("body"), dict) and isinstance(jw["body"].get("keys"), list):
        jw["body"] = {"keys": [{k: v for k, v in key.items() if k not in ("n", "e")} |
                               {"n_len": len(key.get("n", ""))} for key in jw["body"]["keys"]]}
    answered = all(c.get("status") is not None if "status" in c else True for c in cases.values())
    if args.summary:
        cases = {name: summarize(rec) for name, rec in cases.items()}
    finish({"ok": answered, "endpoint": args.endpoint, "region": args.region, "pool_id": pool_id,
            "client_id": cid, "secret_client_id": scid, "cases": cases})


if __name__ == "__main__":
    main()
