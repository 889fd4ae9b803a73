"""The flagship scenario: the actors the articles call for, only the two scheduled events, checks as data."""

from __future__ import annotations

from sim import load_scenario

from .conftest import FLAGSHIP, ROOT


def test_flagship_has_its_actors_relations_and_two_events():
    s = load_scenario(FLAGSHIP)
    assert {
        "iran",
        "israel",
        "usa",
        "hamas",
        "hezbollah",
        "houthis",
        "iraqi_militias",
        "syrian_militias",
    } <= set(s.actors)
    assert (s.time.start.isoformat(), s.time.step, s.time.steps) == ("2023-10-07", "week", 26)
    assert {r.type for r in s.relations} == {
        "supports",
        "hostile",
        "guarantees",
        "attributes",
        "hosts",
        "back_channel",
    }
    assert [(e.at.isoformat(), e.source, e.target) for e in s.events] == [
        ("2023-10-07", "hamas", "israel"), ("2024-01-28", "iraqi_militias", "usa")]  # fmt: skip
    assert len(s.checks) >= 8 and all(c.evidence for c in s.checks)


def test_every_shipped_scenario_validates(cli):
    status, _, err = cli("validate", *sorted((ROOT / "scenarios").glob("*.yaml")))
    assert status == 0, err


def test_describe_draws_the_flagship_network(cli, tmp_path):
    status, out, _ = cli("describe", FLAGSHIP, "--out", tmp_path)
    assert status == 0 and "hezbollah" in out and "back_channel" in out
    assert (tmp_path / "network.png").stat().st_size > 20_000
