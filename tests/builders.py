"""Small scenarios built in code, for testing one doctrine at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from sim import load_scenario
from sim.language import Scenario

A = {"assumed": {"capability": "test"}}


def actor(kind: str = "state", capability: float = 0.5, **kw: Any) -> dict[str, Any]:
    return {"kind": kind, "capability": capability, **A, **kw}


def doctrine(**blocks: dict[str, Any]) -> dict[str, Any]:
    """Doctrine blocks, each marked assumed (tests set values by hand)."""
    out = {}
    for name, block in blocks.items():
        out[name] = {**block, "assumed": {next(iter(block)): "test"}}
    return out


def scenario(
    tmp: Path,
    actors: dict,
    relations: list | None = None,
    events: list | None = None,
    steps: int = 10,
    **top: Any,
) -> Scenario:
    data = {
        "scenario": "t",
        "title": "test",
        "time": {"start": "2024-01-01", "step": "week", "steps": steps},
        "actors": copy.deepcopy(actors),
        "relations": [{**r, "assumed": {"type": "test"}} for r in relations or []],
        "events": [{**e, "assumed": {"at": "test"}} for e in events or []],
        **top,
    }
    path = tmp / f"s{len(list(tmp.glob('s*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_scenario(path)


def week(n: int) -> str:
    """The date of step n of a weekly scenario that starts 2024-01-01."""
    import datetime as dt

    return (dt.date(2024, 1, 1) + dt.timedelta(weeks=n)).isoformat()
