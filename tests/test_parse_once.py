"""A scenario parsed once and built many times (a sweep's points) gives what loading it each time gives: the same
scenarios, the same errors, and no point's overrides leaking into the next."""

from __future__ import annotations

import numpy as np
import pytest

from redline import ScenarioError, load_scenario
from redline.language.scenario import Override, parse_scenario
from redline.results.sweep import Param, Sweep, scenarios_of

FLAGSHIP = "axis-2023"
VARIANT = "axis-2023-no-jordan"  # extends the flagship and removes an event

# Overrides of different kinds: a number on an actor, a relation addressed by key, a list item by index, a
# nested doctrine value, a whole mapping, a key created where the file has none, a removal, a mapping's value.
CASES: list[list[str | Override]] = [
    [],
    ["actors.iran.cost_sensitivity=0.5"],
    ["relations.supports:iran:iraqi_militias.control=0.25", "behaviour.mood_sd=0.4"],
    ["events.0.at=2023-10-14"],
    ["actors.iraqi_militias.doctrine.campaign.per_day.usa=2.0"],
    ["time={start: 2023-10-07, step: week, steps: 30}"],
    ["checks.1.expect=10..20", "actors.usa.doctrine.red_lines.audience_cost=5"],
    [Override("events.0", None, ("--set", 1), remove=True)],
    [Override("actors.iran.cost_sensitivity", 0.125, ("--param", 1))],
]


@pytest.mark.parametrize("name", [FLAGSHIP, VARIANT])
def test_each_build_equals_a_fresh_load(name):
    parsed = parse_scenario(name)
    for overrides in [
        *CASES,
        *reversed(CASES),
    ]:  # both orders: what one build changes must not reach the next
        assert parsed.build(overrides) == load_scenario(name, overrides), overrides


def test_the_builds_differ_where_their_overrides_do():
    """Equality alone would pass if overrides were ignored both ways: the values must move."""
    parsed = parse_scenario(FLAGSHIP)
    a = parsed.build(["actors.iran.cost_sensitivity=0.5"])
    b = parsed.build(["actors.iran.cost_sensitivity=0.25"])
    assert (a.actors["iran"].cost_sensitivity, b.actors["iran"].cost_sensitivity) == (0.5, 0.25)
    assert len(parsed.build([Override("events.1", None, ("--set", 1), remove=True)]).events) == (
        len(parsed.build().events) - 1
    )


def test_the_parsed_tree_is_not_changed():
    parsed = parse_scenario(FLAGSHIP)
    before = repr(parsed.doc.data), dict(parsed.doc.origins)
    for overrides in CASES:
        parsed.build(overrides)
    parsed.build(injects=["2024-01-10:usa:iran:threat"])
    assert (repr(parsed.doc.data), dict(parsed.doc.origins)) == before


def test_injects_equal_a_fresh_load():
    parsed = parse_scenario(FLAGSHIP)
    injects = ["2024-01-10:usa:iran:threat"]
    assert parsed.build(injects=injects) == load_scenario(FLAGSHIP, injects=injects)
    assert parsed.build() == load_scenario(FLAGSHIP)


@pytest.mark.parametrize(
    "overrides",
    [
        ["actors.iran.cost_sensitivty=0.5"],  # misspelt key, with a suggestion
        ["actors.iran.cost_sensitivity=7"],  # out of range
        ["relations.supports:iran:nobody.control=0.5"],  # no such item
        ["events.99.at=2024-01-01"],  # index out of range
        ["time.steps=many"],  # wrong kind
        [Override("behaviour.mood_sd", -1.0, ("--param", 3))],  # blamed on the --param
        [Override("actors.houthis", None, ("--set", 1), remove=True)],  # others still refer to it
        ["relations.0.type=attributes"],  # another kind of relation, with other keys
        ["time.start=2024-03-01"],  # the events now fall before the start
    ],
)
def test_errors_are_those_of_a_fresh_load(overrides):
    parsed = parse_scenario(FLAGSHIP)
    parsed.build()  # what a sound build keeps must not hide the problems of the next
    with pytest.raises(ScenarioError) as fresh:
        load_scenario(FLAGSHIP, overrides)
    with pytest.raises(ScenarioError) as built:
        parsed.build(overrides)
    assert str(built.value) == str(fresh.value)
    assert parsed.build() == load_scenario(FLAGSHIP)  # a failed build leaves nothing behind


def test_a_variants_own_errors_come_with_every_build(tmp_path):
    base = parse_scenario(FLAGSHIP).path
    (tmp_path / "base.yaml").write_text(base.read_text())
    bad = tmp_path / "v.yaml"
    bad.write_text("extends: base.yaml\nscenario: v\ntitle: V\nset:\n  actors.iran.cost_sensitivty: 0.5\n")
    with pytest.raises(ScenarioError) as fresh:
        load_scenario(bad, ["behaviour.mood_sd=0.3"])
    parsed = parse_scenario(bad)
    for _ in range(2):
        with pytest.raises(ScenarioError) as built:
            parsed.build(["behaviour.mood_sd=0.3"])
        assert str(built.value) == str(fresh.value)
    assert "v.yaml:5" in str(fresh.value)


def test_a_sweeps_points_equal_fresh_loads():
    params = [
        Param("actors.iran.cost_sensitivity", low=0, high=1),
        Param("behaviour.stakes", low=0.25, high=4),
    ]
    points = np.array([[0.1, 0.5], [0.9, 3.0], [0.5, 1.0]])
    sweep = Sweep(FLAGSHIP, ["behaviour.mood_sd=0.3"], params, "lhs", 3, 2, 0, points)
    built = scenarios_of(sweep)
    assert [b.actors["iran"].cost_sensitivity for b in built] == [0.1, 0.9, 0.5]
    assert built == [load_scenario(FLAGSHIP, sweep.point_overrides(p)) for p in range(len(points))]
