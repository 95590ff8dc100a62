#!/usr/bin/env python3
"""Validate a SARIF log against a JSON schema, offline.

Usage:
    python3 tests/validate_sarif.py SCHEMA FILE.sarif

SCHEMA is normally tests/data/sarif-schema-2.1.0.json (the official OASIS
SARIF 2.1.0 schema, which declares JSON Schema draft-04).  The validator class
is chosen from the schema's own "$schema" keyword, so no draft is assumed here.
Only the local schema file is read: every "$ref" in the SARIF schema is
internal ("#/definitions/..."), and nothing is fetched over the network.

Exit status:
    0  FILE is valid against SCHEMA
    1  FILE is not valid (every error is printed with its JSON path), or FILE
       is not JSON at all
    2  the check could not be carried out: the `jsonschema` package is not
       importable, wrong arguments, or SCHEMA is unreadable / not a valid schema.
       This never counts as a pass.
"""

import json
import sys

USAGE = "usage: python3 tests/validate_sarif.py SCHEMA FILE.sarif"


def die(message, code=2):
    print(message, file=sys.stderr)
    sys.exit(code)


try:
    import jsonschema
    from jsonschema import validators
except ImportError as exc:  # never skip silently
    die(
        "\n".join(
            [
                "=" * 72,
                "ERROR: the Python package `jsonschema` is not importable (%s)." % exc,
                "SARIF schema validation was NOT performed.",
                "Install it with:  python3 -m pip install jsonschema",
                "=" * 72,
            ]
        )
    )


def json_path(parts):
    """Render a jsonschema error path (deque of keys/indices) as $.a[0].b."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += "[%d]" % part
        elif part.isidentifier():
            out += "." + part
        else:
            out += "[%s]" % json.dumps(part)
    return out


def schema_formats(node, found):
    """Collect every "format" value used anywhere in the schema."""
    if isinstance(node, dict):
        fmt = node.get("format")
        if isinstance(fmt, str):
            found.add(fmt)
        for value in node.values():
            schema_formats(value, found)
    elif isinstance(node, list):
        for value in node:
            schema_formats(value, found)
    return found


def print_error(error, indent=0):
    pad = "  " * indent
    print(
        "%s- at %s: %s"
        % (pad, json_path(error.absolute_path), error.message)
    )
    print(
        "%s  (schema rule: %s)"
        % (pad, "/".join(str(p) for p in error.absolute_schema_path))
    )
    # anyOf / oneOf failures: show why each alternative was rejected.
    for sub in sorted(error.context or (), key=lambda e: list(map(str, e.absolute_schema_path))):
        print_error(sub, indent + 2)


def load_json(path, what):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        die("ERROR: cannot read %s %s: %s" % (what, path, exc))
    except ValueError as exc:
        code = 2 if what == "schema" else 1
        die("INVALID: %s %s is not valid JSON: %s" % (what, path, exc), code)


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        die(USAGE)
    schema_path, sarif_path = argv[1], argv[2]

    schema = load_json(schema_path, "schema")
    cls = validators.validator_for(schema, default=None)
    if cls is None:
        die(
            "ERROR: schema %s declares an unknown $schema %r; refusing to guess a draft."
            % (schema_path, schema.get("$schema") if isinstance(schema, dict) else None)
        )
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        die("ERROR: %s is not a valid %s schema: %s" % (schema_path, cls.__name__, exc.message))

    format_checker = cls.FORMAT_CHECKER
    unchecked = sorted(schema_formats(schema, set()) - set(format_checker.checkers))
    if unchecked:
        print(
            "note: formats not checked (optional jsonschema dependencies missing): %s"
            % ", ".join(unchecked),
            file=sys.stderr,
        )

    instance = load_json(sarif_path, "SARIF file")
    validator = cls(schema, format_checker=format_checker)
    errors = sorted(
        validator.iter_errors(instance),
        key=lambda e: (list(map(str, e.absolute_path)), list(map(str, e.absolute_schema_path))),
    )

    title = schema.get("title", schema_path) if isinstance(schema, dict) else schema_path
    if not errors:
        print("OK: %s is valid against %s (%s)" % (sarif_path, title, cls.__name__))
        return 0

    print(
        "INVALID: %s has %d schema violation(s) against %s (%s):"
        % (sarif_path, len(errors), title, cls.__name__)
    )
    for error in errors:
        print_error(error)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
