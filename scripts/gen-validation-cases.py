#!/usr/bin/env python3
"""Writes conformance/validation/*.yaml: for each implemented operation, one case per kind of
input constraint the model gives its top-level members (not null, length, pattern, enum, numeric
range), each sending one violating value beside valid ones and expecting real Cognito's
InvalidParameterException text for it (wording: src/server/validate.rs, ground truth §1.9).

Reads only conformance/model/cognito-idp.json, so any python3 runs it. Existing files are
overwritten; the cases are reviewed data, regenerated when the model extract changes.
"""
import json
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = json.load(open(os.path.join(REPO, "conformance", "model", "cognito-idp.json")))
OUT = os.path.join(REPO, "conformance", "validation")
VERSION = MODEL["source"]["version"]

# Valid values for the members a request needs beside the violating one. The pool and client
# ids are well-formed but name nothing: the service checks the input before it looks anything
# up, so the answer is the same, and a target that does not check its input answers "not
# found" instead of changing (updating, deleting, signing users up in) the fixture pool and
# client that the other cases, running at the same time, use.
FILLERS = {
    "UserPoolIdType": "us-east-1_Validation0",
    "ClientIdType": "1validation0client0000000",
    "UsernameType": "{user}",
    "PasswordType": "{password}",
    "ConfirmationCodeType": "123456",
    "AuthFlowType": "USER_PASSWORD_AUTH",
    "ChallengeNameType": "NEW_PASSWORD_REQUIRED",
    "TokenModelType": "eyJ.abc.def",
    "UserPoolNameType": "validation-pool",
    "ClientNameType": "validation-client",
    "GroupNameType": "validation-group",
    "ResourceServerIdentifierType": "https://api.example.com",
    "ResourceServerNameType": "validation-api",
    "DomainType": "validation-domain",
    "PoolQueryLimitType": 10,
    "AttributeListType": [],
    "AttributeNameListType": [],
    "AttributeNameType": "email",
    "CustomAttributesListType": [{"Name": "validation", "AttributeDataType": "String"}],
    "SoftwareTokenMFAUserCodeType": "123456",
}

# ASCII stand-ins for the Unicode classes, enough to evaluate the probe values below.
PCLASS = {"L": "a-zA-Z", "M": "", "S": "$+<=>^`|~", "N": "0-9", "P": "!-#%-*,-/:;?@\\[-\\]_{}", "Z": " "}


def accepts(pattern, value):
    p = re.sub(r"\\p\{(\w)\}", lambda m: PCLASS[m.group(1)], pattern)
    p = p.replace("\\w", "a-zA-Z0-9_") if "[" in p else p
    try:
        return re.fullmatch(p, value) is not None
    except re.error:
        return True


def java_hash(s):
    h = 0
    for c in s:
        h = (31 * h + ord(c)) & 0xFFFFFFFF
    return h


def java_set_order(values):
    cap = 16
    while cap < int(len(values) / 0.75) + 1:
        cap *= 2
    keyed = [(((java_hash(v) ^ (java_hash(v) >> 16)) & (cap - 1)), i, v) for i, v in enumerate(values)]
    return [v for _, _, v in sorted(keyed)]


def camel(name):
    return name[:1].lower() + name[1:]


def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def base_body(members, skip):
    body = {}
    for m in members:
        if m["required"] and m["name"] != skip:
            body[m["name"]] = FILLERS[m["shape"]]
    return body


def shown(m, value):
    return "" if m.get("sensitive") else f" '{value}'"


def asserted(m, text):
    """The part of a violation a case asserts: all of it, but from " at '" for sensitive members,
    whose value real Cognito hid in 2017 (identity-js#388) and showed for a clientId in 2023
    (boto3#3581): ⚠ the sources disagree on showing it."""
    return text[text.index("at '"):] if m.get("sensitive") and text.startswith("Value at") else text


def violations(op, members):
    """(kind, member, value, violation text, level) per constraint kind, first member each."""
    found = {}
    for m in members:
        at = camel(m["name"])
        if "required" not in found and m["required"]:
            found["required"] = (m, None, f"Value null at '{at}' failed to satisfy constraint: Member must not be null")
        if m["type"] == "string":
            if "length" not in found and m.get("max", 10**9) <= 2048 and accepts(m.get("pattern", ".*"), "a" * 3):
                value = "a" * (m["max"] + 1)
                if accepts(m.get("pattern", "(?s).*"), value):
                    found["length"] = (m, value, f"Value{shown(m, value)} at '{at}' failed to satisfy constraint: Member must have length less than or equal to {m['max']}")
            if "pattern" not in found and "pattern" in m and "enum" not in m:
                for probe in ("a b", "a\tb", "a!b", "a\u00e9b"):
                    if not accepts(m["pattern"], probe):
                        found["pattern"] = (m, probe, f"Value{shown(m, probe)} at '{at}' failed to satisfy constraint: Member must satisfy regular expression pattern: {m['pattern']}")
                        break
            if "enum" not in found and "enum" in m:
                value = "NOT_A_VALUE"
                # The order of the listed values is asserted only for two-value sets, where a
                # quoted real answer confirms it; longer sets are listed in an order inferred
                # from Java's HashSet, which no quoted answer confirms, so only the form is asserted.
                listed = f"{', '.join(java_set_order(m['enum']))}]" if len(m["enum"]) <= 2 else ""
                found["enum"] = (m, value, f"Value{shown(m, value)} at '{at}' failed to satisfy constraint: Member must satisfy enum value set: [{listed}")
        if m["type"] in ("integer", "long") and "range" not in found and "max" in m:
            value = m["max"] + 1
            found["range"] = (m, value, f"Value '{value}' at '{at}' failed to satisfy constraint: Member must have value less than or equal to {m['max']}")
    return found


SOURCES = {
    "required": "amazon-cognito-auth-js#65 (\"Value null at 'sub' failed to satisfy constraint: Member must not be null\")",
    "length": "amazon-cognito-identity-js#388 and aws-cdk#14175 (the failed bound is named, \"less than or equal to N\")",
    "pattern": "amazon-cognito-identity-js#388, #551 (\"Member must satisfy regular expression pattern: <pattern>\")",
    "enum": "aws-doc-sdk-examples#891 (\"Value 'SURPRESS' at 'messageAction' ... enum value set: [SUPPRESS, RESEND]\", Java HashSet order)",
    "range": "⚠ no quoted Cognito sample for a numeric range; the Coral form of the length messages",
}
TITLES = {
    "required": "without its required {at} is InvalidParameterException (not null)",
    "length": "with {at} over its maximum length is InvalidParameterException",
    "pattern": "with {at} outside its pattern is InvalidParameterException",
    "enum": "with {at} outside its enum is InvalidParameterException",
    "range": "with {at} over its maximum value is InvalidParameterException",
}


def literal(text):
    """Text for a case's matcher: braces are template syntax there, `{{`/`}}` literal."""
    return text.replace("{", "{{").replace("}", "}}")


def yaml_str(value):
    return json.dumps(value, ensure_ascii=False)


def write_case(op, kind, m, value, text):
    at = camel(m["name"])
    body = base_body(MODEL["operations"][op]["input"]["members"], m["name"])
    if value is not None:
        body[m["name"]] = value
    constraint = {"required": "required", "length": f"max {m.get('max')}", "pattern": f"pattern {m.get('pattern')}",
                  "enum": "enum", "range": f"max {m.get('max')}"}[kind]
    case_id = f"validation.{kebab(op)}-{kind}"
    lines = [
        f"id: {case_id}",
        f"title: {yaml_str(op + ' ' + TITLES[kind].format(at=at))}",
        f"ref: {yaml_str(f'Model {op}Request.{m[chr(110)+chr(97)+chr(109)+chr(101)]} ({constraint}; botocore {VERSION}, conformance/model/cognito-idp.json); ground truth §1.9 (InvalidParameterException, message form); ' + SOURCES[kind])}",
        f"level: {'should' if kind == 'range' else 'must'}",
        "steps:",
        f"  - call: {op}",
        f"    body: {yaml_str(body)}",
        "    expect:",
        "      status: 400",
        "      type: InvalidParameterException",
        f"      message: {{contains: {yaml_str(literal(asserted(m, text)))}}}",
    ]
    path = os.path.join(OUT, f"{kebab(op)}-{kind}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return case_id


def main():
    os.makedirs(OUT, exist_ok=True)
    written = []
    for op, spec in sorted(MODEL["operations"].items()):
        for kind, (m, value, text) in violations(op, spec["input"]["members"]).items():
            written.append(write_case(op, kind, m, value, text))
    print(f"{len(written)} cases")


if __name__ == "__main__":
    main()
