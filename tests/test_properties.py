"""Whatever the input, the loader answers with a Scenario or a ScenarioError, and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import ScenarioError, load_scenario
from redline.errors import Issue

from .builders import to_yaml
from .conftest import TINY

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

KEYS = [
    "scenario",
    "title",
    "time",
    "actors",
    "relations",
    "events",
    "checks",
    "ladder",
    "kind",
    "capability",
    "start",
    "step",
    "steps",
    "type",
    "from",
    "to",
    "level",
    "doctrine",
    "retaliation",
    "half_life",
    "red_lines",
    "behaviour",
    "outcomes",
    "manner",
    "x",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
trees = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)


def _outcome(path: Path) -> None:
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.issues and all(isinstance(i, Issue) and i.line >= 1 for i in e.issues)
        assert "\n" not in "".join(str(i) for i in e.issues)  # one line per problem


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(tmp_path_factory, text):
    p = tmp_path_factory.mktemp("t") / "s.yaml"
    p.write_text(text)
    _outcome(p)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("b") / "s.yaml"
    p.write_bytes(data)
    _outcome(p)


@SETTINGS
@given(trees)
def test_arbitrary_yaml_trees(tmp_path_factory, tree):
    p = tmp_path_factory.mktemp("y") / "s.yaml"
    p.write_text(to_yaml(tree, sort_keys=True))
    _outcome(p)


@SETTINGS
@given(
    st.sampled_from(
        [
            "actors",
            "relations",
            "time",
            "events",
            "checks",
            "actors.patron",
            "actors.client.doctrine",
            "actors.rival.doctrine.red_lines",
            "behaviour",
            "outcomes",
            "relations.0",
            "events.0",
            "checks.0",
            "time.step",
        ]
    ),
    trees,
)
def test_arbitrary_values_in_a_valid_scenario(tmp_path_factory, where, value):
    """Replace one part of a valid scenario with anything: still only a Scenario or a ScenarioError."""
    data = yaml.safe_load(TINY.read_text())
    node = data
    *parents, last = where.split(".")
    for k in parents:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[int(last) if isinstance(node, list) else last] = value
    p = tmp_path_factory.mktemp("v") / "s.yaml"
    p.write_text(to_yaml(data, sort_keys=True))
    _outcome(p)
