#!/usr/bin/env python3
"""Create a user pool and an app client on a local emulator through the admin API (boto3, dummy
credentials), optionally with one confirmed user, and print one JSON line:

  {"ok":true,"endpoint":...,"region":...,"pool_id":...,"client_id":...,"client_secret":...?,
   "username":...?}

The client secret is printed because provisioning is where a caller learns it; the password is
never printed.

Example:
  .peers/venv/bin/python peers/py/provision.py --endpoint http://127.0.0.1:PORT --secret \\
      --username alice --password 'Passw0rd!'
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import add_common_args, cognito_client, error_of, finish, require  # noqa: E402

DEFAULT_FLOWS = ("ALLOW_USER_SRP_AUTH,ALLOW_USER_PASSWORD_AUTH,ALLOW_ADMIN_USER_PASSWORD_AUTH,"
                 "ALLOW_REFRESH_TOKEN_AUTH")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, pool=False, user=True)
    p.add_argument("--pool-name", default=f"harness-{uuid.uuid4().hex[:8]}", help="pool name")
    p.add_argument("--client-name", default="harness-client", help="app client name")
    p.add_argument("--secret", action="store_true", help="give the app client a secret")
    p.add_argument("--auth-flows", default=DEFAULT_FLOWS,
                   help=f"comma-separated ExplicitAuthFlows (default {DEFAULT_FLOWS})")
    p.add_argument("--email-username", action="store_true",
                   help="UsernameAttributes=[email] (sign in with the e-mail address)")
    p.add_argument("--auto-verify-email", action="store_true", help="AutoVerifiedAttributes=[email]")
    p.add_argument("--user-email", default=None, help="email attribute for the provisioned user")
    args = p.parse_args()
    require(args, "endpoint")
    if args.username and not args.password:
        require(args, "password")

    idp = cognito_client(args.endpoint, args.region)
    step = "CreateUserPool"
    try:
        pool_req = {
            "PoolName": args.pool_name,
            "Policies": {"PasswordPolicy": {
                "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                "RequireNumbers": True, "RequireSymbols": False}},
        }
        if args.email_username:
            pool_req["UsernameAttributes"] = ["email"]
        if args.auto_verify_email:
            pool_req["AutoVerifiedAttributes"] = ["email"]
        pool = idp.create_user_pool(**pool_req)["UserPool"]
        pool_id = pool["Id"]

        step = "CreateUserPoolClient"
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=args.client_name,
            GenerateSecret=args.secret,
            ExplicitAuthFlows=[f.strip() for f in args.auth_flows.split(",") if f.strip()],
        )["UserPoolClient"]

        report = {"ok": True, "endpoint": args.endpoint, "region": args.region,
                  "pool_id": pool_id, "client_id": client["ClientId"]}
        if client.get("ClientSecret"):
            report["client_secret"] = client["ClientSecret"]

        if args.username:
            step = "AdminCreateUser"
            attrs = [{"Name": "email", "Value": args.user_email}] if args.user_email else []
            if args.user_email:
                attrs.append({"Name": "email_verified", "Value": "true"})
            idp.admin_create_user(UserPoolId=pool_id, Username=args.username,
                                  UserAttributes=attrs, MessageAction="SUPPRESS")
            step = "AdminSetUserPassword"
            idp.admin_set_user_password(UserPoolId=pool_id, Username=args.username,
                                        Password=args.password, Permanent=True)
            report["username"] = args.username
    except Exception as exc:  # noqa: BLE001 - every failure becomes the report
        finish({"ok": False, "step": step, "error": error_of(exc)})
    finish(report)


if __name__ == "__main__":
    main()
