"""The native formats' JSON schemas describe what the demo serves and what the parser reads."""

from __future__ import annotations

import json

import jsonschema

from cc_console.demo.render import native_agencies, native_incidents
from cc_console.demo.world import DemoWorld
from cc_console.resources import data_dir
from cc_console.timefmt import utcnow


def schema(name: str) -> dict:
    return json.loads((data_dir() / "schemas" / f"{name}.schema.json").read_text())


def test_demo_feeds_match_the_schemas():
    world = DemoWorld(now=utcnow())
    for name, render in (("incidents", native_incidents), ("agencies", native_agencies)):
        doc = json.loads(render(world, "http://127.0.0.1"))
        jsonschema.Draft202012Validator.check_schema(schema(name))
        jsonschema.validate(doc, schema(name))


def test_schema_rejects_what_the_parser_rejects():
    bad = {"format": "cc-console/incidents", "version": 2, "incidents": []}
    try:
        jsonschema.validate(bad, schema("incidents"))
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("version 2 must not validate")
