"""The JSON Schema (generated from the language) accepts every shipped scenario and rejects bad ones."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from redline.language.paths import shipped_scenarios
from redline.language.reference import reference
from redline.language.schema import scenario_schema

from .conftest import ROOT, TINY


def as_json(path):
    """A YAML file as an editor's language server sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=lambda o: o.isoformat()
                                 if isinstance(o, dt.date) else str(o)))  # fmt: skip


SHIPPED = sorted(shipped_scenarios().values())  # every shipped scenario, ladders aside


@pytest.mark.parametrize("path", [*SHIPPED, TINY], ids=lambda p: p.name)
def test_shipped_scenarios_match_the_schema(path):
    jsonschema.validate(as_json(path), scenario_schema())


def test_schema_rejects_an_unknown_key_and_a_bad_range():
    schema = scenario_schema()
    data = as_json(TINY)
    data["actors"]["patron"]["cost_sensitivty"] = 0.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = as_json(TINY)
    data["relations"][0]["control"] = 1.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = as_json(TINY)
    data["title"] = "Tiny\x1b[2J"  # as the loader, no control character but a tab or a line break
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data["title"] = "Tiny,\tin\ntwo lines"
    jsonschema.validate(data, schema)


def test_reference_doc_is_current():
    assert (ROOT / "docs" / "scenario-reference.md").read_text() == reference(), (
        "regenerate it: python -m redline.language.reference > docs/scenario-reference.md"
    )
