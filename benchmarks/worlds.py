"""Bigger worlds for scaling measurements: k disjoint copies of a scenario's actors, relations and events."""

from __future__ import annotations

import dataclasses

from redline.language.spec import Scenario
from redline.language.typed import FrozenMap


def _rename(value, suffix: str, ids: set[str]):
    """Every actor id inside a scenario object, renamed with `suffix`; everything else as it was."""
    if isinstance(value, str):
        return value + suffix if value in ids else value
    if isinstance(value, tuple):
        return tuple(_rename(v, suffix, ids) for v in value)
    if isinstance(value, dict):
        return FrozenMap({_rename(k, suffix, ids): _rename(v, suffix, ids) for k, v in value.items()})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _rename(getattr(value, f.name), suffix, ids)
            for f in dataclasses.fields(value)
            if f.init and f.name not in ("evidence", "assumed", "label", "note", "kind", "type", "response")
        }
        return dataclasses.replace(value, **changes)
    return value


def copies(scn: Scenario, k: int) -> Scenario:
    """A scenario made of k disjoint copies of `scn` (actor ids suffixed _0 .. _k-1), with no relation between
    copies: the same crisis k times over, in one model."""
    ids = set(scn.actors)
    actors, relations, events = {}, [], []
    for i in range(k):
        suffix = f"_{i}"
        for aid, actor in scn.actors.items():
            actors[aid + suffix] = _rename(actor, suffix, ids)
        relations += [_rename(r, suffix, ids) for r in scn.relations]
        events += [_rename(e, suffix, ids) for e in scn.events]
    return dataclasses.replace(
        scn,
        scenario=f"{scn.scenario}-x{k}",
        actors=FrozenMap(actors),
        relations=tuple(relations),
        events=tuple(events),
        checks=(),
    )
