"""The JSON Schema of scenario files, generated from the language's dataclasses."""

from __future__ import annotations

from typing import Any

from redline.language.spec import Scenario, Variant
from redline.language.typed import json_schema


def scenario_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://redline.invalid/scenario.schema.json",
        "title": "redline scenario",
        "description": "A redline scenario, or a what-if variant that extends one.",
        "anyOf": [json_schema(Scenario), json_schema(Variant)],
    }
