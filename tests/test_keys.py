"""Every key is read: each key the scenario language accepts changes what a run produces.

For each key (walked from the dataclasses of redline.language.spec with redline.language.typed.fields_of) the table
below names a small scenario where the key matters, a path to it and two values. Both versions run from the same root
seed; the test asserts that the events, the metrics, the runs table (named outcomes included) or the verdicts of the
checks differ. Keys of checks and named outcomes change the verdicts and outcome columns, not the actors' choices; every
other key must change the simulation itself.

A meta-test walks the language and fails for any key that is neither in the table nor a documentation key (text for
readers), an identifier, or a block whose every key is in the table: a new key without a test fails.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import typing
from pathlib import Path

import pandas as pd
import pytest
import yaml

from redline.language import spec as lang
from redline.language.typed import fields_of, hints
from redline.results.ensemble import run_ensemble

from .builders import data, load
from .conftest import ROOT

# Keys that only document (read by people, by the report or by the evidence check, never by the model).
DOCUMENTATION = {"evidence", "assumed", "label", "title", "description", "note", "scenario", "name"}
DOCUMENTATION_OF = {("Ladder", "sources")}
# Identifiers: they name things other keys refer to; renaming one consistently changes nothing, by design.
IDENTIFIERS = {("Rung", "id"), ("Ladder", "ladder")} | {
    (cls.__name__, "type") for cls in typing.get_args(lang.Relation)
}
REMOVE = object()  # as a value: the key is taken out of the file
# Keys read by research tools (`redline levers`, redline.results.levers, redline.frontends.ema), not by a run: each
# changes what those tools are given (test_research_key_changes_the_registry). The world below declares one lever.
RESEARCH_TABLE: list[tuple[str, str, object, object]] = [
    ("Lever.path", "levers.0.path", "behaviour.leverage", "behaviour.stakes"),
    ("Lever.range", "levers.0.range", [0, 20], [0.5, 15]),
    ("Lever.unit", "levers.0.unit", "utility units", "multiple of the default"),
]


def language_keys() -> dict[tuple[str, str], type | None]:
    """(class name, key) -> the dataclass its value holds (a block), or None for a plain value."""
    out: dict[tuple[str, str], type | None] = {}
    seen: set[type] = set()

    def classes(tp) -> list[type]:
        found = []
        if dataclasses.is_dataclass(tp):
            found.append(tp)
        for arg in typing.get_args(tp):
            found += classes(arg)
        return found

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        h = hints(cls)
        for f in fields_of(cls):
            inner = classes(h[f.name])
            out[(cls.__name__, f.metadata.get("key") or f.name)] = (
                inner[0]
                if len(inner) == 1
                else (
                    tuple(inner) or None  # type: ignore[assignment]
                )
            )
            for c in inner:
                walk(c)

    walk(lang.Scenario)
    walk(lang.Ladder)
    return out


# --- the scenario where every mechanism is at work ------------------------------------------------------------------

LADDER = yaml.safe_load((ROOT / "scenarios" / "ladders" / "default.yaml").read_text())
RUNG = {r["id"]: i for i, r in enumerate(LADDER["rungs"])}


def block(**kw):
    return {**kw, "assumed": {next(iter(kw)): "test"}}


def world() -> dict:
    """A patron (p) and its client (g) against a state (s), with s's ally and guarantor (u), g's host (h) and a
    mediator (m) carrying a channel between s and p. Every doctrine and relation is in use."""
    actors = {
        "p": {"kind": "state", "capability": 0.6, "cost_sensitivity": 0.8, "resolve": 0.5, "assumed": {"kind": "t"},
              "doctrine": {
                  "support": block(resupply=0.01, solidarity=0.5),
                  "pressure": block(fear_threshold=0.2, strength=0.5),
                  "learning": block(about=["s"], prior=0.3, rate=0.6),
                  "domestic": block(comfort_rung="statement", cost=0.5),
                  "retaliation": block(half_life=14, lag=2, weight=1.0),
              }},
        "g": {"kind": "armed_group", "capability": 0.5, "cost_sensitivity": 0.3, "resolve": 0.7, "autonomy": 0.3,
              "assumed": {"kind": "t"},
              "doctrine": {
                  "campaign": block(per_day={"s": 0.5}, rung="harassment"),
                  "retaliation": block(half_life=14, lag=1, weight=1.0),
                  "limits": block(max_rung="threat", toward={"s": "major_strike"}),
              }},
        "s": {"kind": "state", "capability": 0.9, "cost_sensitivity": 0.4, "resolve": 0.7, "assumed": {"kind": "t"},
              "doctrine": {
                  "retaliation": block(half_life=21, lag=2, weight=1.0),
                  "aims": block(disarm={"g": 0.5}),
                  "red_lines": block(own_territory_struck=True, min_rung="limited_strike", casualties_above=2,
                                     allies_struck=["u"], audience_cost=2.0, patience=10),
              }},
        "u": {"kind": "state", "capability": 0.5, "assumed": {"kind": "t"},
              "doctrine": {"retaliation": block(half_life=14, lag=1)}},
        "h": {"kind": "host_state", "capability": 0.1, "assumed": {"kind": "t"}},
        "m": {"kind": "mediator", "capability": 0.0, "assumed": {"kind": "t"},
              "doctrine": {"mediation": block(effort=0.8)}},
    }  # fmt: skip
    relations = [
        {
            "type": "supports",
            "from": "p",
            "to": "g",
            "level": 0.8,
            "control": 0.6,
            "channels": ["arms", "money"],
        },
        {"type": "hostile", "from": "g", "to": "s", "level": 0.9},
        {"type": "hostile", "from": "s", "to": "g", "level": 0.7},
        {"type": "hostile", "from": "p", "to": "s", "level": 0.5},
        {"type": "hostile", "from": "s", "to": "p", "level": 0.4},
        {"type": "attributes", "from": "s", "to": "p", "via": ["g"], "probability": 0.5, "weight": 0.8},
        {"type": "hosts", "from": "h", "to": "g", "exposure": 0.3},
        {"type": "allied", "from": "u", "to": "s", "level": 0.5},
        {"type": "guarantees", "from": "u", "to": "s", "trigger_rung": "limited_strike"},
        {"type": "back_channel", "from": "s", "to": "p", "level": 0.8, "via": "m"},
        {"type": "hostile", "from": "u", "to": "g", "level": 0.3},
    ]
    events = [
        {"at": "2024-01-03", "source": "g", "target": "s", "action": "limited_strike", "casualties": 3},
        {"at": "2024-01-22", "source": "s", "target": "g", "action": "limited_strike", "manner": "warned"},
    ]
    anchor = {"source": ["s"], "target": ["g"], "causes": ["scheduled"], "from": "2024-01-15"}
    checks = [
        {"name": "count", "count": {"source": ["g"], "target": ["s"], "min_mid": 1, "max_mid": 5,
                                    "min_rung": "statement", "causes": [], "from": "2024-01-01", "to": "2024-03-24"},
         "statistic": "mean", "expect": ">= 0", "assumed": {"expect": "t"}},
        {"name": "share", "share_of_steps": {"source": ["s"], "min_mid": 4}, "statistic": "mean", "expect": ">= 0",
         "assumed": {"expect": "t"}},
        {"name": "ratio", "rate_ratio": {"source": ["g"], "target": ["s"], "min_mid": 1, "max_mid": 5,
                                         "min_rung": "statement", "causes": [], "from": "2024-01-01",
                                         "to": "2024-03-24", "anchor": anchor, "before_steps": 2, "after_steps": 2},
         "statistic": "mean", "expect": ">= 0", "assumed": {"expect": "t"}},
    ]  # fmt: skip
    outcomes = [
        {
            "name": "s_hits_g",
            "description": "s strikes g",
            "when": {"source": ["s"], "target": ["g"], "min_mid": 4},
        }
    ]
    behaviour = {
        "mood_sd": 0.3, "mood_days": 14, "stakes": 1.0, "standing_motive": 0.3, "leverage": 10.0, "belief_rate": 0.5,
        "observation_noise": 0.2, "force_cost": 0.5, "horizon": 7, "assumed": {"mood_sd": "t"},
    }  # fmt: skip
    ladder = copy.deepcopy(LADDER)
    # Harassment's root code is varied below: without a full code of its own, it follows the root.
    del ladder["rungs"][RUNG["harassment"]]["cameo_code"]
    d = data(actors, relations, events, steps=12, behaviour=behaviour, ladder=ladder)
    d["checks"] = checks
    d["outcomes"] = outcomes
    d["levers"] = [
        {
            "name": "leverage",
            "path": "behaviour.leverage",
            "range": [0, 20],
            "unit": "utility units",
            "assumed": {"range": "test"},
        }
    ]
    return d


# --- the table: (language key, path in the world, two values) -----------------------------------------------------

A = "actors"
R = "relations"
E = "events"
C = "checks"
DOC = "doctrine"


def rung(rid: str, key: str) -> str:
    return f"ladder.rungs.{RUNG[rid]}.{key}"


TABLE: list[tuple[str, str, object, object]] = [
    ("TimeSpec.start", "time.start", "2024-01-01", "2023-12-25"),
    ("TimeSpec.step", "time.step", "week", "month"),
    ("TimeSpec.steps", "time.steps", 12, 8),
    ("Behaviour.mood_sd", "behaviour.mood_sd", 0.3, 0.0),
    ("Behaviour.mood_days", "behaviour.mood_days", 14, 1),
    ("Behaviour.stakes", "behaviour.stakes", 1.0, 5.0),
    ("Behaviour.standing_motive", "behaviour.standing_motive", 0.3, 2.0),
    ("Behaviour.leverage", "behaviour.leverage", 10.0, 0.0),
    ("Behaviour.belief_rate", "behaviour.belief_rate", 0.5, 0.05),
    ("Behaviour.observation_noise", "behaviour.observation_noise", 0.2, 0.0),
    ("Behaviour.force_cost", "behaviour.force_cost", 0.5, 3.0),
    ("Behaviour.horizon", "behaviour.horizon", 7, 60),
    ("Ladder.warned_share", "ladder.warned_share", 0.1, 0.9),
    ("Rung.mid_level", rung("harassment", "mid_level"), 4, 3),
    ("Rung.cameo", rung("harassment", "cameo"), 18, 17),
    ("Rung.cameo_code", rung("harassment", "cameo_code"), "180", "183"),
    ("Rung.goldstein", rung("harassment", "goldstein"), -9.0, -3.0),
    ("Rung.casualties", rung("harassment", "casualties"), 0.002, 2.0),
    ("Rung.capability_damage", rung("harassment", "capability_damage"), 0.001, 0.1),
    ("Rung.per_day", rung("major_strike", "per_day"), False, True),
    ("Rung.tempo", rung("show_of_force", "tempo"), REMOVE, 1.0),
    ("Actor.kind", f"{A}.s.kind", "state", "target"),
    ("Actor.capability", f"{A}.s.capability", 0.9, 0.4),
    ("Actor.cost_sensitivity", f"{A}.p.cost_sensitivity", 0.8, 0.1),
    ("Actor.resolve", f"{A}.s.resolve", 0.7, 0.2),
    ("Actor.autonomy", f"{A}.g.autonomy", 0.3, 1.0),
    ("Actor.code", f"{A}.s.code", "ISR", "USA"),
    ("Actor.type_code", f"{A}.s.type_code", "GOV", REMOVE),
    ("Doctrine.retaliation", f"{A}.s.{DOC}.retaliation", "keep", REMOVE),
    ("Doctrine.aims", f"{A}.s.{DOC}.aims", "keep", REMOVE),
    ("Doctrine.red_lines", f"{A}.s.{DOC}.red_lines", "keep", REMOVE),
    ("Doctrine.limits", f"{A}.g.{DOC}.limits", "keep", REMOVE),
    ("Doctrine.campaign", f"{A}.g.{DOC}.campaign", "keep", REMOVE),
    ("Doctrine.support", f"{A}.p.{DOC}.support", "keep", REMOVE),
    ("Doctrine.pressure", f"{A}.p.{DOC}.pressure", "keep", REMOVE),
    ("Doctrine.learning", f"{A}.p.{DOC}.learning", "keep", REMOVE),
    ("Doctrine.domestic", f"{A}.p.{DOC}.domestic", "keep", REMOVE),
    ("Doctrine.mediation", f"{A}.m.{DOC}.mediation", "keep", REMOVE),
    ("Retaliation.half_life", f"{A}.s.{DOC}.retaliation.half_life", 21, 2),
    ("Retaliation.lag", f"{A}.s.{DOC}.retaliation.lag", 2, 12),
    ("Retaliation.weight", f"{A}.s.{DOC}.retaliation.weight", 1.0, 0.0),
    ("Aims.disarm", f"{A}.s.{DOC}.aims.disarm", {"g": 0.5}, {"g": 1.0}),
    ("Limits.max_rung", f"{A}.g.{DOC}.limits.max_rung", "threat", "statement"),
    ("Limits.toward", f"{A}.g.{DOC}.limits.toward", {"s": "major_strike"}, {"s": "threat"}),
    ("Campaign.per_day", f"{A}.g.{DOC}.campaign.per_day", {"s": 0.5}, {"s": 1.5}),
    ("Campaign.rung", f"{A}.g.{DOC}.campaign.rung", "harassment", "limited_strike"),
    ("Support.resupply", f"{A}.p.{DOC}.support.resupply", 0.01, 0.1),
    ("Support.solidarity", f"{A}.p.{DOC}.support.solidarity", 0.5, 0.0),
    ("Pressure.fear_threshold", f"{A}.p.{DOC}.pressure.fear_threshold", 0.2, 1.0),
    ("Pressure.strength", f"{A}.p.{DOC}.pressure.strength", 0.5, 0.0),
    ("Learning.about", f"{A}.p.{DOC}.learning.about", ["s"], ["u"]),
    ("Learning.prior", f"{A}.p.{DOC}.learning.prior", 0.3, 0.9),
    ("Learning.rate", f"{A}.p.{DOC}.learning.rate", 0.6, 0.0),
    ("Domestic.comfort_rung", f"{A}.p.{DOC}.domestic.comfort_rung", "statement", "war"),
    ("Domestic.cost", f"{A}.p.{DOC}.domestic.cost", 0.5, 0.0),
    ("Mediation.effort", f"{A}.m.{DOC}.mediation.effort", 0.8, 0.0),
    ("Supports.from", f"{R}.0.from", "p", "u"),
    ("Supports.to", f"{R}.0.to", "g", "h"),
    ("Supports.level", f"{R}.0.level", 0.8, 0.1),
    ("Supports.control", f"{R}.0.control", 0.6, 0.0),
    ("Supports.channels", f"{R}.0.channels", ["arms", "money"], ["political"]),
    ("Hostile.from", f"{R}.1.from", "g", "h"),
    ("Hostile.to", f"{R}.1.to", "s", "u"),
    ("Hostile.level", f"{R}.1.level", 0.9, 0.1),
    ("Attributes.from", f"{R}.5.from", "s", "u"),
    ("Attributes.to", f"{R}.5.to", "p", "h"),
    ("Attributes.via", f"{R}.5.via", ["g"], ["h"]),
    ("Attributes.probability", f"{R}.5.probability", 0.5, 1.0),
    ("Attributes.weight", f"{R}.5.weight", 0.8, 0.05),
    ("Hosts.from", f"{R}.6.from", "h", "u"),
    ("Hosts.to", f"{R}.6.to", "g", "p"),
    ("Hosts.exposure", f"{R}.6.exposure", 0.3, 1.0),
    ("Allied.from", f"{R}.7.from", "u", "h"),
    ("Allied.to", f"{R}.7.to", "s", "p"),
    ("Allied.level", f"{R}.7.level", 0.5, 1.0),
    ("Guarantees.from", f"{R}.8.from", "u", "p"),
    ("Guarantees.to", f"{R}.8.to", "s", "g"),
    ("Guarantees.trigger_rung", f"{R}.8.trigger_rung", "limited_strike", "war"),
    ("BackChannel.from", f"{R}.9.from", "s", "g"),
    ("BackChannel.to", f"{R}.9.to", "p", "u"),
    ("BackChannel.level", f"{R}.9.level", 0.8, 0.0),
    ("BackChannel.via", f"{R}.9.via", "m", REMOVE),
    ("Event.at", f"{E}.0.at", "2024-01-03", "2024-02-03"),
    ("Event.source", f"{E}.0.source", "g", "p"),
    ("Event.target", f"{E}.0.target", "s", "u"),
    ("Event.action", f"{E}.0.action", "limited_strike", "major_strike"),
    ("Event.casualties", f"{E}.0.casualties", 3, 30),
    ("Event.manner", f"{E}.1.manner", "warned", "surprise"),
    ("Check.statistic", f"{C}.0.statistic", "mean", "median"),
    ("Check.expect", f"{C}.0.expect", ">= 0", ">= 1000"),
    ("EventFilter.source", f"{C}.0.count.source", ["g"], ["s"]),
    ("EventFilter.target", f"{C}.0.count.target", ["s"], ["g"]),
    ("EventFilter.min_mid", f"{C}.0.count.min_mid", 1, 4),
    ("EventFilter.max_mid", f"{C}.0.count.max_mid", 5, 3),
    ("EventFilter.min_rung", f"{C}.0.count.min_rung", "statement", "limited_strike"),
    ("EventFilter.causes", f"{C}.0.count.causes", [], ["scheduled"]),
    ("EventFilter.from", f"{C}.0.count.from", "2024-01-01", "2024-02-15"),
    ("EventFilter.to", f"{C}.0.count.to", "2024-03-24", "2024-01-10"),
    ("Ratio.source", f"{C}.2.rate_ratio.source", ["g"], ["u"]),
    ("Ratio.target", f"{C}.2.rate_ratio.target", ["s"], ["g"]),
    ("Ratio.min_mid", f"{C}.2.rate_ratio.min_mid", 1, 4),
    ("Ratio.max_mid", f"{C}.2.rate_ratio.max_mid", 5, 3),
    ("Ratio.min_rung", f"{C}.2.rate_ratio.min_rung", "statement", "limited_strike"),
    ("Ratio.causes", f"{C}.2.rate_ratio.causes", [], ["campaign"]),
    ("Ratio.from", f"{C}.2.rate_ratio.from", "2024-01-01", "2024-02-15"),
    ("Ratio.to", f"{C}.2.rate_ratio.to", "2024-03-24", "2024-02-01"),
    ("Ratio.before_steps", f"{C}.2.rate_ratio.before_steps", 2, 1),
    ("Ratio.after_steps", f"{C}.2.rate_ratio.after_steps", 2, 5),
    ("EventFilter.source", "outcomes.0.when.source", ["s"], ["u"]),
]


def duel(**line) -> dict:
    """A holder (h) of a red line, struck by a (limited strike, 5 killed, week 2), whose partner x is struck too
    (week 5); a watcher (w) hostile to h fears it as far as it believes in its resolve. h prepares a strike in 10
    days (a retaliation lag, with no grievance motive) and has no doctrine but its red line."""
    lines = {"own_territory_struck": True, "min_rung": "limited_strike", "audience_cost": 3.0, "patience": 14}
    lines.update(line)
    actors = {
        "a": {"kind": "state", "capability": 0.6, "assumed": {"kind": "t"}},
        "x": {"kind": "state", "capability": 0.3, "assumed": {"kind": "t"}},
        "h": {"kind": "state", "capability": 0.6, "resolve": 0.6, "assumed": {"kind": "t"},
              "doctrine": {"red_lines": block(**lines), "retaliation": block(lag=10, weight=0.0)}},
        "w": {"kind": "state", "capability": 0.5, "cost_sensitivity": 0.9, "assumed": {"kind": "t"}},
    }  # fmt: skip
    relations = [{"type": "hostile", "from": "w", "to": "h", "level": 0.2}]
    events = [
        {"at": "2024-01-15", "source": "a", "target": "h", "action": "limited_strike", "casualties": 5},
        {"at": "2024-02-05", "source": "a", "target": "x", "action": "limited_strike", "casualties": 0},
    ]
    return data(actors, relations, events, steps=10)


RED = "actors.h.doctrine.red_lines"
DUEL_TABLE: list[tuple[str, dict, str, object, object]] = [
    ("RedLines.own_territory_struck", {}, f"{RED}.own_territory_struck", True, False),
    ("RedLines.casualties_above", {"own_territory_struck": False}, f"{RED}.casualties_above", 50, 2),
    ("RedLines.allies_struck", {"own_territory_struck": False}, f"{RED}.allies_struck", ["x"], []),
    ("RedLines.min_rung", {}, f"{RED}.min_rung", "limited_strike", "major_strike"),
    ("RedLines.audience_cost", {}, f"{RED}.audience_cost", 3.0, 0.1),
    ("RedLines.patience", {}, f"{RED}.patience", 14, 3),
]
TABLE += [(key, path, one, other) for key, _, path, one, other in DUEL_TABLE]
BUILDERS = {path: line for _, line, path, *_ in DUEL_TABLE}

# Blocks: a key whose value is a block of keys is covered when every key of the block is (a block's own presence is
# tested where it is optional: the doctrine blocks above).
KEYED = {k for k, *_ in TABLE} | {k for k, *_ in RESEARCH_TABLE}


def set_path(d: dict, path: str, value: object) -> None:
    *parents, last = path.split(".")
    node = d
    for seg in parents:
        node = node[int(seg)] if isinstance(node, list) else node[seg]
    key = int(last) if isinstance(node, list) else last
    if value is REMOVE:
        if isinstance(node, dict):
            node.pop(key, None)
        return
    if value == "keep":
        return
    node[key] = copy.deepcopy(value)


def build(path: str) -> dict:
    return duel(**BUILDERS[path]) if path in BUILDERS else world()


def observe(tmp: Path, path: str, value: object):
    d = build(path)
    set_path(d, path, value)
    scn = load(tmp, d)
    res = run_ensemble(scn, runs=4, seed=7, workers=1)
    verdicts = [
        (None if math.isnan(v.value) else round(v.value, 12), v.passed) for v in res.check(scn.checks)
    ]
    return res, verdicts


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.shape == b.shape and a.reset_index(drop=True).equals(b.reset_index(drop=True))


@pytest.mark.parametrize(("key", "path", "one", "other"), TABLE, ids=[f"{k}@{p}" for k, p, *_ in TABLE])
def test_key_changes_the_run(tmp_path, key, path, one, other):
    a, va = observe(tmp_path, path, one)
    b, vb = observe(tmp_path, path, other)
    changed = {
        "events": not same(a.events, b.events),
        "metrics": not same(a.metrics, b.metrics),
        "runs": not same(a.runs, b.runs),
        "checks": va != vb,
    }
    assert any(changed.values()), f"{key} ({path}: {one!r} -> {other!r}) changes nothing"
    cls = key.split(".")[0]
    if cls not in {"Check", "EventFilter", "Ratio", "NamedOutcome"} and key != "Rung.cameo":
        assert changed["events"] or changed["metrics"], f"{key} changes only how the runs are reported"


@pytest.mark.parametrize(("key", "path", "one", "other"), RESEARCH_TABLE, ids=[k for k, *_ in RESEARCH_TABLE])
def test_research_key_changes_the_registry(tmp_path, key, path, one, other):
    """A lever's keys do not change a run: they change the registry research tools read (`redline levers`)."""
    from redline.results.levers import registry

    seen = []
    for value in (one, other):
        d = world()
        set_path(d, path, value)
        seen.append(registry(load(tmp_path, d)))
    assert seen[0] != seen[1], f"{key} ({path}: {one!r} -> {other!r}) changes nothing research tools see"


def uncovered(keys: dict[tuple[str, str], object]) -> list[str]:
    """The keys of the language (as language_keys() gives them) that no row of the table reads."""
    keyed = set(KEYED) | {
        "NamedOutcome.when"
    }  # its filter's keys are the EventFilter rows (one on an outcome)

    def covered(cls_key: tuple[str, str]) -> bool:
        cls, key = cls_key
        if key in DOCUMENTATION or cls_key in DOCUMENTATION_OF or cls_key in IDENTIFIERS:
            return True
        if f"{cls}.{key}" in keyed:
            return True
        value_type = keys[cls_key]
        blocks = value_type if isinstance(value_type, tuple) else (value_type,) if value_type else ()
        # a block is covered when every key of it is (each class is walked once, so no cycles)
        return bool(blocks) and all(covered(k) for b in blocks for k in keys if k[0] == b.__name__)

    return sorted(f"{c}.{k}" for (c, k) in keys if not covered((c, k)))


def test_the_table_covers_every_key_of_the_language():
    missing = uncovered(language_keys())
    assert not missing, f"keys of the language without a row in tests/test_keys.py TABLE: {missing}"


def test_the_meta_test_sees_a_new_key():
    """A key added to a block of the language, or a row taken out of the table, makes the coverage test fail."""
    keys = language_keys()
    assert uncovered({**keys, ("Retaliation", "fresh"): None}) == ["Retaliation.fresh"]
    assert "Behaviour.fresh" in uncovered({**keys, ("Behaviour", "fresh"): None})
    KEYED.discard("Retaliation.lag")
    try:
        assert "Retaliation.lag" in uncovered(keys)
    finally:
        KEYED.add("Retaliation.lag")
