#!/usr/bin/env python3
"""Writes conformance/model/cognito-idp.json: the part of botocore's cognito-idp service model
that covers the operations the reference server implements.

For each operation in the `for_each_operation!` table of src/protocol/ops/mod.rs: the input
shape's members with their constraints (required, type, min, max, pattern, enum, sensitive),
resolved through the shapes (nested structures, list elements, map keys and values), the output
shape in the same form, and the declared errors with the model's documentation of each.

Usage (with the peers' venv, which pins botocore):
    .peers/venv/bin/python scripts/extract-model.py [--check] [--out PATH]

--check compares the committed file with what this script would write and exits 1 on a
difference (tests/model_data.rs runs it). The output is deterministic: sorted keys, members
in model order.
"""
import argparse
import gzip
import html
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS_TABLE = os.path.join(REPO, "src", "protocol", "ops", "mod.rs")
DEFAULT_OUT = os.path.join(REPO, "conformance", "model", "cognito-idp.json")
MODEL_REL = "botocore/data/cognito-idp/2016-04-18/service-2.json.gz"


def implemented_operations():
    """The operation names of the `for_each_operation!` table, in table order."""
    text = open(OPS_TABLE, encoding="utf-8").read()
    start = text.index("macro_rules! for_each_operation")
    body = text[start:text.index("pub(crate) use for_each_operation", start)]
    return re.findall(r"^\s*(\w+)\s*=>\s*\w+Request\s*,", body, re.M)


def plain(doc):
    """The model's HTML documentation as one line of text."""
    text = re.sub(r"<[^>]+>", " ", doc or "")
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def first_sentence(doc):
    text = plain(doc)
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def describe(shapes, shape_name, stack):
    """One shape as a tree: its type and constraints, and its members/element/key/value."""
    shape = shapes[shape_name]
    out = {"shape": shape_name, "type": shape["type"]}
    for key in ("min", "max", "pattern", "enum", "sensitive"):
        if key in shape:
            out[key] = shape[key]
    if shape_name in stack:
        out["recursive"] = True
        return out
    stack = stack + [shape_name]
    kind = shape["type"]
    if kind == "structure":
        required = set(shape.get("required", []))
        out["members"] = [
            dict(name=name, required=name in required, **describe(shapes, ref["shape"], stack))
            for name, ref in shape.get("members", {}).items()
        ]
    elif kind == "list":
        out["member"] = describe(shapes, shape["member"]["shape"], stack)
    elif kind == "map":
        out["key"] = describe(shapes, shape["key"]["shape"], stack)
        out["value"] = describe(shapes, shape["value"]["shape"], stack)
    return out


def extract(model, version):
    shapes = model["shapes"]
    ops = {}
    for name in implemented_operations():
        op = model["operations"][name]
        ops[name] = {
            "auth": op.get("authtype", "v4"),
            "input": describe(shapes, op["input"]["shape"], []),
            "output": describe(shapes, op["output"]["shape"], []) if "output" in op else None,
            "errors": [
                {"name": e["shape"], "when": first_sentence(shapes[e["shape"]].get("documentation"))}
                for e in op.get("errors", [])
            ],
        }
    return {
        "source": {
            "package": "botocore",
            "version": version,
            "file": MODEL_REL,
            "apiVersion": model["metadata"]["apiVersion"],
        },
        "operations": ops,
    }


def render(data):
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    import botocore  # the peers' venv pins it (peers/requirements)

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "cognito-idp", "2016-04-18")
    with gzip.open(os.path.join(path, "service-2.json.gz"), "rt", encoding="utf-8") as f:
        model = json.load(f)
    text = render(extract(model, botocore.__version__))
    if args.check:
        try:
            current = open(args.out, encoding="utf-8").read()
        except FileNotFoundError:
            current = ""
        if current != text:
            sys.stderr.write(
                f"{args.out} is stale for botocore {botocore.__version__}: "
                "run scripts/extract-model.py with the peers' python\n"
            )
            return 1
        return 0
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
