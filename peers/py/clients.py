#!/usr/bin/env python3
"""Python peer clients against a Cognito user-pools endpoint:

  signup  boto3: SignUp -> ConfirmSignUp (or AdminConfirmSignUp) -> InitiateAuth
          USER_PASSWORD_AUTH -> GetUser
  srp     pycognito.aws_srp.AWSSRP (USER_SRP_AUTH + PASSWORD_VERIFIER) --count times, on a boto3
          client built with endpoint_url
  every token set obtained is verified with PyJWT against the pool's JWKS: RS256 signature, exp,
  iss, aud (ID token) / client_id (access token) and token_use.

Prints one JSON line and exits non-zero on any failure, e.g.
  {"ok":true,"flows":["signup","srp"],"signup":{"ok":true,...},
   "srp":{"ok":true,"attempts":300,"signins":300,"failures":0,...},
   "jwt":{"ok":true,"verified":602,"failures":0,...}}

With --expect-error CODE the srp flow is a negative test: every sign-in must fail with CODE
(e.g. NotAuthorizedException for a wrong password).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import sys
import time
import urllib.request
import uuid
from typing import Any
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    add_common_args,
    check_loopback,
    cognito_client,
    error_of,
    finish,
    require,
    secret_hash,
    token_summary,
)

FLOWS = ("signup", "srp")


class TokenVerifier:
    """PyJWT verification of Cognito tokens against one JWKS URL (fetched once, cached)."""

    def __init__(self, jwks_url: str, issuer: str, client_id: str):
        import jwt

        check_loopback(jwks_url)
        self.jwt = jwt
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, timeout=10)
        self.issuer = issuer
        self.client_id = client_id
        self.verified = 0
        self.failures = 0
        self.first_error: dict[str, Any] | None = None
        self.kids: set[str] = set()

    def _check(self, token: str, token_use: str) -> None:
        jwt = self.jwt
        key = self.jwks.get_signing_key_from_jwt(token)
        self.kids.add(key.key_id or "")
        options = {"require": ["exp", "iat", "iss", "token_use"]}
        if token_use == "id":
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=self.client_id,
                                issuer=self.issuer, options={**options, "require": options["require"] + ["aud"]})
        else:
            # Access tokens carry client_id, not aud; PyJWT must not insist on an audience.
            claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.issuer,
                                options={**options, "verify_aud": False})
            if claims.get("client_id") != self.client_id:
                raise jwt.InvalidTokenError(f"access token client_id={claims.get('client_id')!r}")
        if claims.get("token_use") != token_use:
            raise jwt.InvalidTokenError(f"{token_use} token has token_use={claims.get('token_use')!r}")

    def verify(self, result: dict[str, Any], where: str) -> bool:
        """Verify the ID and access tokens of one AuthenticationResult; counts each token."""
        ok = True
        for key, use in (("IdToken", "id"), ("AccessToken", "access")):
            token = result.get(key)
            try:
                if not token:
                    raise self.jwt.InvalidTokenError(f"no {key}")
                self._check(token, use)
                self.verified += 1
            except Exception as exc:  # noqa: BLE001 - any verification failure is reported
                ok = False
                self.failures += 1
                if self.first_error is None:
                    self.first_error = {"where": where, "token": use, "code": type(exc).__name__,
                                        "message": str(exc)[:300]}
        return ok

    def report(self) -> dict[str, Any]:
        return {"ok": self.failures == 0 and self.verified > 0, "verified": self.verified,
                "failures": self.failures, "first_error": self.first_error,
                "distinct_kids": len(self.kids), "jwks_url": self.jwks.uri, "issuer": self.issuer}


def fetch_code(url: str) -> str:
    """GET a URL answering {"Code": "..."} (or the reference server's {"ConfirmSignUp": "..."});
    a few tries, 250 ms apart."""
    import json

    check_loopback(url)
    last: Exception | None = None
    for attempt in range(4):
        if attempt:
            time.sleep(0.25)
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = json.load(resp)
                code = body.get("Code") or body.get("ConfirmSignUp")
            if isinstance(code, str) and code:
                return code
            last = ValueError('code URL body has no string "Code"')
        except Exception as exc:  # noqa: BLE001
            last = exc
    raise RuntimeError(f"could not get a confirmation code from the code URL: {last}")


def run_signup(args, idp, verifier: TokenVerifier | None, username: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": False, "username_generated": args.username is None}
    h = secret_hash(args.client_secret, username, args.client_id)
    step = "SignUp"
    try:
        req: dict[str, Any] = {"ClientId": args.client_id, "Username": username, "Password": args.password}
        if h:
            req["SecretHash"] = h
        if args.email:
            req["UserAttributes"] = [{"Name": "email", "Value": args.email}]
        signup = idp.sign_up(**req)
        out["user_confirmed"] = signup.get("UserConfirmed")
        out["code_delivery"] = signup.get("CodeDeliveryDetails")

        if args.admin_confirm:
            step = "AdminConfirmSignUp"
            idp.admin_confirm_sign_up(UserPoolId=args.user_pool_id, Username=username)
        else:
            step = "ConfirmSignUp"
            code = args.code
            if args.code_url:
                code = fetch_code(args.code_url.replace("{poolId}", quote(args.user_pool_id or "", safe=""))
                                  .replace("{username}", quote(username, safe="")))
            req = {"ClientId": args.client_id, "Username": username, "ConfirmationCode": code}
            if h:
                req["SecretHash"] = h
            idp.confirm_sign_up(**req)

        step = "InitiateAuth"
        params = {"USERNAME": username, "PASSWORD": args.password}
        if h:
            params["SECRET_HASH"] = h
        auth = idp.initiate_auth(ClientId=args.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
        result = auth.get("AuthenticationResult")
        if not result:
            raise RuntimeError(f"no tokens (ChallengeName={auth.get('ChallengeName')})")
        out["tokens"] = token_summary(result)
        out["token_type"] = result.get("TokenType")

        step = "GetUser"
        me = idp.get_user(AccessToken=result["AccessToken"])
        out["get_user_username_matches"] = me.get("Username") == username
        step = "VerifyTokens"
        if verifier and not verifier.verify(result, "signup"):
            raise RuntimeError("token verification failed (see jwt.first_error)")
        out["ok"] = out["get_user_username_matches"]
        if not out["ok"]:
            out["error"] = {"step": step, "code": "UsernameMismatch", "message": "GetUser Username differs"}
    except Exception as exc:  # noqa: BLE001
        out["error"] = {"step": step, **error_of(exc)}
    return out


def run_srp(args, idp, verifier: TokenVerifier | None, username: str) -> dict[str, Any]:
    from pycognito.aws_srp import AWSSRP

    out: dict[str, Any] = {"ok": False, "client": "pycognito", "version": md.version("pycognito"),
                           "attempts": 0, "signins": 0, "failures": 0, "verify_failures": 0,
                           "first_error": None, "error_codes": {}}
    if args.expect_error:
        out["expect_error"] = args.expect_error
    started = time.perf_counter()
    for i in range(args.count):
        out["attempts"] += 1
        try:
            # A fresh AWSSRP per sign-in: new random a and A.
            srp = AWSSRP(username=username, password=args.password, pool_id=args.user_pool_id,
                         client_id=args.client_id, client=idp, client_secret=args.client_secret)
            tokens = srp.authenticate_user()
            result = tokens.get("AuthenticationResult") if isinstance(tokens, dict) else None
            if not result:
                raise RuntimeError(f"no tokens (ChallengeName={tokens.get('ChallengeName') if isinstance(tokens, dict) else tokens!r})")
            out["signins"] += 1
            if "tokens" not in out:
                out["tokens"] = token_summary(result)
            if verifier and not verifier.verify(result, f"srp#{i}"):
                out["verify_failures"] += 1
        except Exception as exc:  # noqa: BLE001
            out["failures"] += 1
            e = error_of(exc)
            out["error_codes"][e["code"]] = out["error_codes"].get(e["code"], 0) + 1
            if out["first_error"] is None:
                out["first_error"] = {"iteration": i, **e}
            if not args.expect_error and args.max_failures and out["failures"] >= args.max_failures:
                out["stopped_early"] = True
                break
    out["ms_per_signin"] = round((time.perf_counter() - started) * 1000 / max(out["attempts"], 1))
    if args.expect_error:
        out["ok"] = out["signins"] == 0 and out["error_codes"].get(args.expect_error, 0) == out["attempts"]
    else:
        out["ok"] = out["failures"] == 0 and out["verify_failures"] == 0 and out["signins"] == args.count
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p)
    p.add_argument("--flows", default=",".join(FLOWS),
                   help="comma-separated flows to run: signup, srp (default both; srp then signs in "
                        "as the user signup created unless --username names one)")
    p.add_argument("--count", type=int, default=int(os.environ.get("COGNITO_COUNT", "1")),
                   help="SRP sign-ins (default 1) [env COGNITO_COUNT]")
    p.add_argument("--max-failures", type=int, default=10,
                   help="stop the SRP loop after this many failures (default 10; 0 = never)")
    p.add_argument("--expect-error", default=None,
                   help="negative SRP test: every sign-in must fail with this error code")
    p.add_argument("--email", default=None, help="email attribute sent with SignUp")
    confirm = p.add_mutually_exclusive_group()
    confirm.add_argument("--code", default=None, help="confirmation code for ConfirmSignUp")
    confirm.add_argument("--code-url", default=None,
                         help='URL answering {"Code":"..."}; {poolId} and {username} are replaced. '
                              '"harness" = <endpoint>/_harness/codes/{poolId}/{username}')
    confirm.add_argument("--admin-confirm", action="store_true",
                         help="confirm with AdminConfirmSignUp (dummy credentials) instead")
    p.add_argument("--jwks-url", default=None,
                   help="JWKS URL (default <endpoint>/<poolId>/.well-known/jwks.json)")
    p.add_argument("--issuer", default=None,
                   help="expected iss (default https://cognito-idp.<region>.amazonaws.com/<poolId>)")
    p.add_argument("--no-verify", action="store_true", help="skip PyJWT verification")
    args = p.parse_args()

    flows = [f.strip() for f in args.flows.split(",") if f.strip()]
    bad = [f for f in flows if f not in FLOWS]
    if bad or not flows:
        finish({"ok": False, "error": {"code": "BadFlag", "message": f"unknown flows {bad}; use {FLOWS}"}})
    if args.count < 1:
        finish({"ok": False, "error": {"code": "BadFlag", "message": "--count must be >= 1"}})
    require(args, "endpoint", "user_pool_id", "client_id", "password")
    if "signup" in flows and not (args.code or args.code_url or args.admin_confirm):
        finish({"ok": False, "error": {"code": "BadFlag",
                                       "message": "signup needs --code, --code-url or --admin-confirm"}})
    if "signup" not in flows:
        require(args, "username")
    if args.code_url == "harness":
        args.code_url = args.endpoint.rstrip("/") + "/_harness/codes/{poolId}/{username}"

    idp = cognito_client(args.endpoint, args.region)
    verifier = None
    if not args.no_verify:
        jwks_url = args.jwks_url or f"{args.endpoint.rstrip('/')}/{args.user_pool_id}/.well-known/jwks.json"
        issuer = args.issuer or f"https://cognito-idp.{args.region}.amazonaws.com/{args.user_pool_id}"
        verifier = TokenVerifier(jwks_url, issuer, args.client_id)

    username = args.username or f"py-{uuid.uuid4().hex[:10]}"
    report: dict[str, Any] = {"ok": False, "flows": flows,
                              "versions": {n: md.version(n) for n in ("boto3", "pycognito", "PyJWT")}}
    if "signup" in flows:
        report["signup"] = run_signup(args, idp, verifier, username)
    if "srp" in flows:
        report["srp"] = run_srp(args, idp, verifier, username)
    if verifier:
        report["jwt"] = verifier.report()
    report["ok"] = all(report[f]["ok"] for f in flows) and (
        verifier is None or (args.expect_error and flows == ["srp"]) or report["jwt"]["ok"])
    finish(report)


if __name__ == "__main__":
    main()
