"""Small scenarios built in code, for testing one doctrine or one relation at a time."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from redline import load_scenario
from redline.language.spec import Scenario

A = {"assumed": {"capability": "test"}}
START = dt.date(2024, 1, 1)


def actor(kind: str = "state", capability: float = 0.5, **kw: Any) -> dict[str, Any]:
    return {"kind": kind, "capability": capability, **A, **kw}


def doctrine(**blocks: dict[str, Any]) -> dict[str, Any]:
    """Doctrine blocks, each marked assumed (tests set values by hand)."""
    out = {}
    for name, block in blocks.items():
        out[name] = {**block, "assumed": {next(iter(block)): "test"}}
    return out


def data(
    actors: dict,
    relations: list | None = None,
    events: list | None = None,
    steps: int = 10,
    step: str = "week",
    **top: Any,
) -> dict[str, Any]:
    """A scenario as the dict a YAML file holds: every relation and event marked assumed."""
    return {
        "scenario": "t",
        "title": "test",
        "time": {"start": START.isoformat(), "step": step, "steps": steps},
        "actors": copy.deepcopy(actors),
        "relations": [{**r, "assumed": {"type": "test"}} for r in relations or []],
        "events": [{**e, "assumed": {"at": "test"}} for e in events or []],
        **copy.deepcopy(top),
    }


def to_yaml(d: Any, sort_keys: bool = False) -> str:
    """`d` as YAML text, through libyaml where PyYAML has it: the tests write some thousand scenario files, and the
    pure-Python emitter takes a fifth of the time of loading and running the smallest of them."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(d, Dumper=dumper, sort_keys=sort_keys)


def load(tmp: Path, d: dict[str, Any], overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Write `d` as a YAML file under `tmp` and load it like any scenario file."""
    path = tmp / f"s{len(list(tmp.glob('s*.yaml')))}.yaml"
    path.write_text(to_yaml(d))
    return load_scenario(path, overrides)


def scenario(
    tmp: Path,
    actors: dict,
    relations: list | None = None,
    events: list | None = None,
    steps: int = 10,
    step: str = "week",
    **top: Any,
) -> Scenario:
    return load(tmp, data(actors, relations, events, steps, step, **top))


def week(n: int) -> str:
    """The date of step n of a weekly scenario that starts 2024-01-01."""
    return (START + dt.timedelta(weeks=n)).isoformat()


def day(n: int) -> str:
    """The date n days after 2024-01-01."""
    return (START + dt.timedelta(days=n)).isoformat()
