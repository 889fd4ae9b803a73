"""Each doctrine alone on a tiny scenario: it does what it promises, within sampling error."""

from __future__ import annotations

import numpy as np
import pytest

from agents.actions import Rungs
from sim.model import EscalationModel

from .builders import actor, doctrine, scenario, week

RUNS = 300


def events(scn, runs: int = RUNS, seed0: int = 0) -> list[dict]:
    """All event rows of `runs` runs, as dicts."""
    rows = []
    for r in range(runs):
        m = EscalationModel(scn, rng=seed0 + r).run()
        keys = list(m.events)
        rows += [dict(zip(keys, vals, strict=True), run=r) for vals in zip(*m.events.values(), strict=True)]
    return rows


def attacks_per_step(rows, source, steps, runs=RUNS, after=0):
    n = sum(1 for e in rows if e["source"] == source and e["cause"] == "campaign" and e["step"] >= after)
    return n / (runs * (steps - after))


def test_campaign_keeps_its_rate(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "g": actor("armed_group", doctrine=doctrine(campaign={"targets": {"s": 5.0}})),
            "s": actor(),
        },
    )
    rate = attacks_per_step(events(scn), "g", 10)
    assert abs(rate - 5.0) < 4 * np.sqrt(5.0 / (RUNS * 10))


def test_campaign_waits_for_its_red_line(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "g": actor(
                "armed_group",
                doctrine=doctrine(
                    campaign={
                        "targets": {"s": 3.0},
                        "starts_when": {"allies_struck": ["ally"], "min_rung": "major_strike"},
                    }
                ),
            ),
            "s": actor(),
            "ally": actor("armed_group"),
        },
        events=[{"at": week(4), "source": "s", "target": "ally", "action": "major_strike"}],
    )
    rows = events(scn, runs=50)
    steps = {e["step"] for e in rows if e["source"] == "g"}
    assert min(steps) == 5  # the step after the ally was struck
    # a strike below the line's rung does not start it
    scn = scenario(
        tmp_path,
        {
            **{k: v for k, v in scn.actors.items() if False},
            **{
                "g": actor(
                    "armed_group",
                    doctrine=doctrine(
                        campaign={
                            "targets": {"s": 3.0},
                            "starts_when": {"allies_struck": ["ally"], "min_rung": "major_strike"},
                        }
                    ),
                ),
                "s": actor(),
                "ally": actor("armed_group"),
            },
        },
        events=[{"at": week(4), "source": "s", "target": "ally", "action": "limited_strike"}],
    )
    assert not any(e["source"] == "g" for e in events(scn, runs=20))


@pytest.mark.parametrize(("control", "autonomy"), [(0.8, 0.0), (0.8, 0.5), (0.3, 0.0)])
def test_pressure_cuts_a_clients_attacks_by_control_times_obedience(tmp_path, control, autonomy):
    """A patron pressing with strength 1 cuts its client's attack rate by control x (1 - autonomy)."""
    patron = actor(
        cost_sensitivity=1.0,
        doctrine=doctrine(
            pressure={"fear_threshold": 0.5, "strength": 1.0},
            learning={"about": ["s"], "prior": 1.0, "rate": 0.5},
        ),
    )
    client = actor("armed_group", autonomy=autonomy, doctrine=doctrine(campaign={"targets": {"s": 6.0}}))
    rel = [
        {"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": control},
        {
            "type": "hostile",
            "from": "g",
            "to": "s",
            "level": 0.5,
        },  # the patron presses attacks on whom it fears
    ]
    pressed = attacks_per_step(
        events(scenario(tmp_path, {"p": patron, "g": client, "s": actor()}, rel)), "g", 10
    )
    free = attacks_per_step(
        events(scenario(tmp_path, {"p": actor(), "g": client, "s": actor()}, rel)), "g", 10
    )
    promised = control * (1 - autonomy)
    assert abs(pressed / free - (1 - promised)) < 0.05
    # the pressure is itself an action: the patron tells the client to de-escalate every step
    rows = events(scenario(tmp_path, {"p": patron, "g": client, "s": actor()}, rel), runs=1)
    assert sum(1 for e in rows if e["cause"] == "pressure") == 10


def test_pressure_spares_attacks_on_adversaries_the_patron_does_not_fear(tmp_path):
    patron = actor(
        cost_sensitivity=1.0,
        doctrine=doctrine(
            pressure={"fear_threshold": 0.5, "strength": 1.0},
            learning={"about": ["s"], "prior": 1.0, "rate": 0.5},
        ),
    )
    client = actor("armed_group", doctrine=doctrine(campaign={"targets": {"s": 6.0, "t": 6.0}}))
    rel = [
        {"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": 1.0},
        {"type": "hostile", "from": "g", "to": "s", "level": 0.5},
        {"type": "hostile", "from": "g", "to": "t", "level": 0.5},
    ]
    rows = events(scenario(tmp_path, {"p": patron, "g": client, "s": actor(), "t": actor()}, rel), runs=100)
    on = {x: sum(1 for e in rows if e["source"] == "g" and e["target"] == x) for x in ("s", "t")}
    assert on["s"] == 0  # full control, no autonomy: attacks on the feared adversary stop
    assert abs(on["t"] / (100 * 10) - 6.0) < 4 * np.sqrt(6.0 / 1000)  # the others go on


def test_pressure_needs_fear_above_the_threshold(tmp_path):
    patron = actor(
        cost_sensitivity=0.5,
        doctrine=doctrine(
            pressure={"fear_threshold": 0.6, "strength": 1.0},
            learning={"about": ["s"], "prior": 1.0, "rate": 0.5},
        ),
    )  # fear 0.5 < 0.6
    client = actor("armed_group", doctrine=doctrine(campaign={"targets": {"s": 6.0}}))
    rel = [{"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": 1.0}]
    rows = events(scenario(tmp_path, {"p": patron, "g": client, "s": actor()}, rel), runs=50)
    assert not any(e["cause"] == "pressure" for e in rows)


def _strike_and_answer(tmp_path, response, threshold=1.0, cap=None, lifted_by=None, action="limited_strike"):
    rival = {"retaliation": {"threshold": threshold, "response": response}}
    if cap:
        rival["restraint"] = {"max_rung": cap, **({"lifted_by": lifted_by} if lifted_by else {})}
    scn = scenario(
        tmp_path,
        {"a": actor(), "r": actor(doctrine=doctrine(**rival))},
        events=[{"at": week(2), "source": "a", "target": "r", "action": action, "casualties": 0}],
    )
    rows = events(scn, runs=1)
    return scn, [e for e in rows if e["source"] == "r"]


@pytest.mark.parametrize(
    ("response", "expected"), [("tit_for_tat", "limited_strike"), ("one_up", "major_strike")]
)
def test_retaliation_answers_past_the_threshold(tmp_path, response, expected):
    scn, answers = _strike_and_answer(tmp_path, response)
    ids = Rungs(scn.ladder).ids
    assert [(e["step"], ids[e["rung"]], e["cause"]) for e in answers] == [(3, expected, "retaliation")]


def test_retaliation_waits_below_the_threshold(tmp_path):
    _, answers = _strike_and_answer(
        tmp_path, "tit_for_tat", threshold=5.0
    )  # one strike without deaths: harm 1
    assert answers == []


def test_proportional_response_matches_the_grievance(tmp_path):
    scn = scenario(
        tmp_path,
        {"a": actor(), "r": actor(doctrine=doctrine(retaliation={"threshold": 1.0, "memory": 1.0}))},
        events=[{"at": week(1), "source": "a", "target": "r", "action": "major_strike", "casualties": 45}],
    )
    rungs = Rungs(scn.ladder)
    (answer,) = [e for e in events(scn, runs=1) if e["source"] == "r"][:1]
    assert (
        rungs.ids[answer["rung"]] == "major_strike"
    )  # harm 46: a major strike (40+1) fits, war (400+1) does not


def test_restraint_caps_until_a_red_line_is_crossed(tmp_path):
    scn, answers = _strike_and_answer(tmp_path, "one_up", cap="show_of_force")
    ids = Rungs(scn.ladder).ids
    assert [ids[e["rung"]] for e in answers] == ["show_of_force"]
    scn, answers = _strike_and_answer(
        tmp_path,
        "one_up",
        cap="show_of_force",
        lifted_by={"own_territory_struck": True, "min_rung": "limited_strike"},
    )
    assert [ids[e["rung"]] for e in answers] == ["major_strike"]


def test_restraint_toward_one_actor_is_lifted_only_by_that_actor(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "a": actor(),
            "b": actor(),
            "r": actor(
                doctrine=doctrine(
                    retaliation={"threshold": 0.5, "response": "tit_for_tat"},
                    restraint={
                        "max_rung": "war",
                        "toward": {"b": "threat"},
                        "lifted_by": {"own_territory_struck": True, "min_rung": "limited_strike"},
                    },
                )
            ),
        },
        events=[
            {"at": week(1), "source": "a", "target": "r", "action": "limited_strike", "casualties": 0},
            {"at": week(1), "source": "b", "target": "r", "action": "harassment", "casualties": 0},
            {"at": week(5), "source": "b", "target": "r", "action": "limited_strike", "casualties": 0},
        ],
    )
    ids = Rungs(scn.ladder).ids
    answers = [(e["step"], e["target"], ids[e["rung"]]) for e in events(scn, runs=1) if e["source"] == "r"]
    assert (2, "b", "threat") in answers  # a crossed the line, b did not: b's cap holds
    assert (6, "b", "limited_strike") in answers  # once b crosses it itself, the cap toward b goes


def test_attribution_blames_the_patron_with_its_probability(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "p": actor(),
            "g": actor("armed_group", doctrine=doctrine(campaign={"targets": {"s": 4.0}})),
            "s": actor(),
        },
        [{"type": "attributes", "from": "s", "to": "p", "via": ["g"], "probability": 0.3}],
    )
    rows = [e for e in events(scn, runs=100) if e["source"] == "g"]
    share = sum(e["attributed_to"] == "p" for e in rows) / len(rows)
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / len(rows))


def test_back_channel_halves_misperception_at_full_level(tmp_path):
    acts = {
        "p": actor(),
        "g": actor("armed_group", doctrine=doctrine(campaign={"targets": {"s": 4.0}})),
        "s": actor(),
    }
    rels = [
        {"type": "attributes", "from": "s", "to": "p", "via": ["g"], "probability": 0.6},
        {"type": "back_channel", "from": "s", "to": "p", "level": 1.0},
    ]
    rows = [e for e in events(scenario(tmp_path, acts, rels), runs=100) if e["source"] == "g"]
    share = sum(e["attributed_to"] == "p" for e in rows) / len(rows)
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / len(rows))


def test_learning_raises_the_estimate_after_a_costly_strike(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "p": actor(
                cost_sensitivity=1.0, doctrine=doctrine(learning={"about": ["s"], "prior": 0.2, "rate": 0.5})
            ),
            "g": actor("armed_group"),
            "s": actor(),
        },
        [{"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": 0.5}],
        [{"at": week(3), "source": "s", "target": "g", "action": "major_strike", "casualties": 0}],
    )
    m = EscalationModel(scn, rng=1)
    m.run_for(4)
    before = m.actor("p").resolve_seen["s"]
    m.run_for(1)  # the strike of step 3 is perceived in step 4
    after = m.actor("p").resolve_seen["s"]
    assert before == pytest.approx(0.2)
    assert after == pytest.approx(0.2 + 0.5 * (m.rungs.signal(m.rungs.index["major_strike"]) - 0.2))
    assert after > 0.5


@pytest.mark.parametrize(("cost", "share_held"), [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)])
def test_domestic_costs_hold_back_rungs_above_comfort(tmp_path, cost, share_held):
    group = actor(
        "armed_group",
        doctrine=doctrine(
            campaign={"targets": {"s": 5.0}, "rung": "limited_strike"},
            domestic={"comfort_rung": "harassment", "cost": cost},
        ),
    )
    rows = [e for e in events(scenario(tmp_path, {"g": group, "s": actor()}), runs=60) if e["source"] == "g"]
    ids = Rungs(scenario(tmp_path, {"g": group, "s": actor()}).ladder).ids
    held = sum(ids[e["rung"]] == "harassment" for e in rows) / len(rows)
    assert abs(held - share_held) < 4 * np.sqrt(0.25 / len(rows)) + 1e-9


def test_support_resupplies_and_feels_for_its_client(tmp_path):
    scn = scenario(
        tmp_path,
        {
            "p": actor(doctrine=doctrine(support={"resupply": 0.05, "solidarity": 1.0})),
            "g": actor("armed_group", capability=0.5),
            "s": actor(),
        },
        [{"type": "supports", "from": "p", "to": "g", "level": 1.0, "control": 0.5}],
        [{"at": week(1), "source": "s", "target": "g", "action": "war", "casualties": 0}],
    )
    m = EscalationModel(scn, rng=1)
    m.run_for(2)
    hit = m.actor("g").capability
    assert hit == pytest.approx(
        0.5 * (1 - 0.2 * 0.5)
    )  # war destroys a fifth, times the attacker's strength 0.5
    assert m.actor("p").grievance["s"] == pytest.approx(m.rungs.severity[m.rungs.index["war"]])
    m.run_for(1)
    assert m.actor("g").capability == pytest.approx(hit + 0.05)


def test_guarantee_shows_force_to_the_attackers_patron(tmp_path):
    scn = scenario(
        tmp_path,
        {"u": actor(), "i": actor(), "p": actor(), "g": actor("armed_group")},
        [
            {"type": "guarantees", "from": "u", "to": "i", "trigger_rung": "major_strike"},
            {"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": 0.5},
        ],
        [
            {"at": week(1), "source": "g", "target": "i", "action": "major_strike", "casualties": 10},
            {"at": week(3), "source": "g", "target": "i", "action": "limited_strike", "casualties": 1},
        ],
    )
    rows = [e for e in events(scn, runs=1) if e["cause"] == "guarantee"]
    assert [(e["step"], e["source"], e["target"]) for e in rows] == [(1, "u", "p")]


def test_every_doctrine_names_the_claims_it_rests_on():
    from agents.doctrines import DOCTRINES
    from sim.evidence import evidence_base
    from sim.language import Doctrine

    claims = evidence_base()
    assert set(DOCTRINES) == set(Doctrine.__dataclass_fields__)  # one class for each block of the language
    for cls in DOCTRINES.values():
        assert cls.summary and cls.rests_on and set(cls.rests_on) <= claims.keys(), cls.name
