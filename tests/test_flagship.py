"""The flagship scenario: the actors the articles call for, only the two scheduled events, checks as data; its
facts come from decisions, so removing their cause breaks them."""

from __future__ import annotations

from redline import load_scenario
from redline.results.analysis import outcome_table
from redline.results.ensemble import run_ensemble

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
        "allied",
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


def test_irans_restraint_is_a_choice_not_a_cap():
    """Nothing in the flagship takes force away from Iran: no limits block, and its restraint is no cap."""
    iran = load_scenario(FLAGSHIP).actors["iran"]
    assert iran.doctrine.limits is None
    assert iran.doctrine.red_lines is not None and iran.doctrine.red_lines.own_territory_struck


def test_without_the_jordan_attack_the_answer_and_the_fall_off_do_not_come(cli):
    """The harder US answer and the militias' fall-off are caused by the lethal attack: without it both checks
    fail, while the checks that do not depend on it still pass."""
    status, out, _ = cli(
        "check", ROOT / "scenarios/axis-2023-no-jordan.yaml", "--runs", 200, "--seed", 20231007, "--quiet"
    )
    assert status == 1
    lines = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    ratio = lines["militia attacks in the three weeks after that strike, over the eight weeks before"]
    answer = lines[
        "the US strikes back harder than before, with a major strike, within two weeks of the Jordan attack"
    ]
    assert "FAIL" in ratio and "FAIL" in answer
    assert "pass" in lines["militia uses of force on US forces, 17 Oct - 13 Nov"]


def test_named_outcomes_have_readable_probabilities():
    """At least two of the outcomes an analyst asks about (the flagship's own, and a war among states) are neither
    certain nor impossible over 1000 runs (200 leave a rare outcome a handful of runs from the edge), and each
    comes with its 95% interval."""
    scn = load_scenario(FLAGSHIP)
    res = run_ensemble(scn, runs=1000, seed=20231007)
    table = outcome_table(res.runs, res.facts).set_index("outcome")
    named = table.loc[[*(o.name for o in scn.outcomes), "interstate_war"]]
    assert len(named) == 4
    assert ((named["probability"] > 0.02) & (named["probability"] < 0.98)).sum() >= 2, named
    assert (named["ci_low"] <= named["probability"]).all() and (
        named["probability"] <= named["ci_high"]
    ).all()
