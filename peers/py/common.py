"""Shared plumbing for the Python peer scripts: flags with environment fallbacks, a boto3
cognito-idp client pointed at a local endpoint with dummy credentials, SECRET_HASH, and the
one-line JSON report.

Every script prints exactly one JSON object on stdout and exits 0 only when that object says
"ok": true. Passwords, secrets and tokens are never printed: only lengths and selected claims.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
from typing import Any
from urllib.parse import urlparse

# Flag -> environment variable used when the flag is absent.
ENV = {
    "endpoint": "COGNITO_ENDPOINT",
    "region": "COGNITO_REGION",
    "user_pool_id": "COGNITO_USER_POOL_ID",
    "client_id": "COGNITO_CLIENT_ID",
    "client_secret": "COGNITO_CLIENT_SECRET",
    "username": "COGNITO_USERNAME",
    "password": "COGNITO_PASSWORD",
    "count": "COGNITO_COUNT",
}


def add_common_args(p: argparse.ArgumentParser, *, pool: bool = True, user: bool = True) -> None:
    """The flags every peer script shares. Each falls back to the environment variable named in
    its help, so secrets need not appear on a command line."""

    def env(name: str, default: str | None = None) -> str | None:
        return os.environ.get(ENV[name], default)

    p.add_argument("--endpoint", default=env("endpoint"),
                   help="base URL of the cognito-idp endpoint, e.g. http://127.0.0.1:9229 "
                        "[env COGNITO_ENDPOINT]")
    p.add_argument("--region", default=env("region", "us-east-1"),
                   help="region for signing and for the default issuer [env COGNITO_REGION; "
                        "default us-east-1]")
    if pool:
        p.add_argument("--user-pool-id", default=env("user_pool_id"),
                       help="user pool id [env COGNITO_USER_POOL_ID]")
        p.add_argument("--client-id", default=env("client_id"),
                       help="app client id [env COGNITO_CLIENT_ID]")
        p.add_argument("--client-secret", default=env("client_secret"),
                       help="app client secret, when the client has one; enables SECRET_HASH "
                            "[env COGNITO_CLIENT_SECRET]")
    if user:
        p.add_argument("--username", default=env("username"),
                       help="user name [env COGNITO_USERNAME]")
        p.add_argument("--password", default=env("password"),
                       help="password; prefer the environment variable [env COGNITO_PASSWORD]")


def require(args: argparse.Namespace, *names: str) -> None:
    """Exit with a report naming every missing input (flag and environment variable)."""
    missing = [n for n in names if not getattr(args, n, None)]
    if missing:
        flags = ", ".join(f"--{n.replace('_', '-')} / {ENV.get(n, '-')}" for n in missing)
        finish({"ok": False, "error": {"code": "MissingInput", "message": f"missing {flags}"}})


def check_loopback(endpoint: str) -> None:
    """The peers only ever talk to servers on this machine."""
    host = urlparse(endpoint).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        finish({"ok": False, "error": {"code": "NonLocalEndpoint",
                                       "message": f"endpoint host {host!r} is not loopback"}})


def cognito_client(endpoint: str, region: str):
    """A boto3 cognito-idp client for a local endpoint. The credentials are dummies: emulators and
    the reference server accept any SigV4 signature, and no request leaves 127.0.0.1."""
    import boto3
    from botocore.config import Config

    check_loopback(endpoint)
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        aws_session_token=None,
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=60),
    )


def secret_hash(client_secret: str | None, username: str, client_id: str) -> str | None:
    """SECRET_HASH = base64(HMAC-SHA256(key = client secret, msg = username + client id))."""
    if not client_secret:
        return None
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def error_of(exc: BaseException) -> dict[str, Any]:
    """A printable summary of an exception: the service error code and message when there is one,
    otherwise the Python exception type. Never includes request parameters."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        return {"code": err.get("Code", "Unknown"), "message": err.get("Message", ""),
                "status": meta.get("HTTPStatusCode")}
    return {"code": type(exc).__name__, "message": str(exc)[:500]}


def finish(report: dict[str, Any]) -> None:
    """Print the one-line report and exit: 0 when report["ok"] is true, else 1."""
    sys.stdout.write(json.dumps(report, sort_keys=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    sys.exit(0 if report.get("ok") else 1)


def jwt_claims_unverified(token: str) -> dict[str, Any]:
    """The payload of a JWT, without verifying it (used only to report claims)."""
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def token_summary(result: dict[str, Any]) -> dict[str, Any]:
    """Lengths of the tokens in an AuthenticationResult, and a few non-secret claims."""
    out: dict[str, Any] = {}
    for key, short in (("AccessToken", "access"), ("IdToken", "id"), ("RefreshToken", "refresh")):
        tok = result.get(key)
        out[f"{short}_len"] = len(tok) if tok else 0
    for key, short in (("IdToken", "id"), ("AccessToken", "access")):
        tok = result.get(key)
        if tok and tok.count(".") == 2:
            try:
                c = jwt_claims_unverified(tok)
            except ValueError:
                continue
            out[f"{short}_claims"] = {k: c.get(k) for k in
                                      ("token_use", "aud", "client_id", "iss", "cognito:username",
                                       "username", "scope")
                                      if k in c}
    return out
