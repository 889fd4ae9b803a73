"""Each doctrine, and each relation's mechanism, alone on a tiny scenario: it does what it promises, within sampling
error, and the behaviour goes away when the doctrine (or relation) is taken out of the scenario.

The decision model is docs/model.md. `behaviour.standing_motive` is raised where a test needs an actor that wants
to fight without any other doctrine giving it a reason; `observation_noise: 0` where a test follows beliefs exactly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from redline.agents.actions import Rungs
from redline.engine.model import EscalationModel

from .builders import actor, doctrine, scenario, week

RUNS = 200
EAGER = {"standing_motive": 3.0, "assumed": {"standing_motive": "test: an actor that wants to fight"}}
CAMPAIGNER = {"standing_motive": 1.0, "assumed": {"standing_motive": "test: enough to keep up a campaign"}}
CALM = {"standing_motive": 0.0, "assumed": {"standing_motive": "test: motives come from doctrines alone"}}
EXACT = {
    "observation_noise": 0.0,
    "mood_sd": 0.0,
    "assumed": {"observation_noise": "test: beliefs followed exactly"},
}


def events(scn, runs: int = RUNS, seed0: int = 0) -> list[dict]:
    """All event rows of `runs` runs, as dicts with the run number and the rung's id."""
    ids = Rungs(scn.ladder).ids
    rows = []
    for r in range(runs):
        m = EscalationModel(scn, rng=seed0 + r).run()
        keys = list(m.events)
        for vals in zip(*m.events.values(), strict=True):
            e = dict(zip(keys, vals, strict=True), run=r)
            e["action"] = ids[e["rung"]]
            rows.append(e)
    return rows


def force(rows, source, target=None):
    mid = {"harassment", "limited_strike", "major_strike", "war"}
    return [e for e in rows if e["source"] == source and e["action"] in mid and target in (None, e["target"])]


def rung_index(scn, rung):
    return Rungs(scn.ladder).index[rung]


# --- campaign -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_day", "step", "steps"), [(0.5, "week", 10), (1.0, "week", 10), (0.5, "day", 70)]
)
def test_campaign_keeps_its_tempo_per_day(tmp_path, per_day, step, steps):
    """At full capability a campaign of `per_day` attacks a day makes per_day * 7 attacks a week, whether the
    scenario steps by the day or by the week."""
    scn = scenario(
        tmp_path,
        {
            "g": actor("armed_group", doctrine=doctrine(campaign={"per_day": {"s": per_day}})),
            "s": actor("target", capability=0.0),
        },
        [{"type": "hostile", "from": "g", "to": "s", "level": 1.0}],
        steps=steps,
        step=step,
        behaviour=CAMPAIGNER,
    )
    runs = 60
    rows = force(events(scn, runs), "g")
    assert {(e["action"], e["cause"]) for e in rows} == {("harassment", "campaign")}
    weeks = runs * 10
    expected = per_day * 7
    assert abs(len(rows) / weeks - expected) < 4 * np.sqrt(expected / weeks)


def test_without_a_campaign_harassment_keeps_the_ladders_tempo(tmp_path):
    """Taking the campaign out: the same actor harasses at the rung's own tempo (0.3 a day), not at 1.2."""
    group = actor("armed_group", doctrine=doctrine(campaign={"per_day": {"s": 1.2}}))
    acts = {"g": group, "s": actor("target", capability=0.0)}
    rel = [{"type": "hostile", "from": "g", "to": "s", "level": 1.0}]
    with_campaign = len(force(events(scenario(tmp_path, acts, rel, behaviour=CAMPAIGNER), 40), "g")) / 400
    acts["g"] = actor("armed_group", doctrine=doctrine(limits={"max_rung": "harassment"}))
    without = len(force(events(scenario(tmp_path, acts, rel, behaviour=CAMPAIGNER), 40), "g")) / 400
    assert with_campaign == pytest.approx(1.2 * 7, rel=0.1)
    assert without < 0.5 * with_campaign


def test_a_campaign_keeps_up_attacks_on_its_own_rung(tmp_path):
    """A campaign of limited strikes: an eager group able to strike no higher keeps up limited strikes at the
    campaign's tempo (0.5 a day), every one of them the campaign's; none falls back to harassment."""
    group = doctrine(
        campaign={"per_day": {"s": 0.5}, "rung": "limited_strike"}, limits={"max_rung": "limited_strike"}
    )
    scn = scenario(
        tmp_path,
        {"g": actor("armed_group", doctrine=group), "s": actor("target", capability=0.0)},
        [{"type": "hostile", "from": "g", "to": "s", "level": 1.0}],
        steps=4,
        behaviour=EAGER,
    )
    runs = 10
    rows = force(events(scn, runs), "g")
    assert {(e["action"], e["cause"]) for e in rows} == {("limited_strike", "campaign")}
    expected = 0.5 * 7 * runs * 4  # at (nearly) full capability: the strikes wear the group down little
    assert abs(len(rows) - expected) < 4 * np.sqrt(expected)


# --- retaliation --------------------------------------------------------------------------------------------------


def _struck(tmp_path, victim: dict, action="major_strike", casualties=10, steps=8, **kw):
    return scenario(
        tmp_path,
        {"a": actor(), "r": victim},
        events=[{"at": week(2), "source": "a", "target": "r", "action": action, "casualties": casualties}],
        steps=steps,
        **kw,
    )


def test_retaliation_answers_a_strike_and_only_after_it(tmp_path):
    victim = actor(
        resolve=0.8, cost_sensitivity=0.3, doctrine=doctrine(retaliation={"half_life": 14, "lag": 1})
    )
    rows = force(events(_struck(tmp_path, victim), 100), "r", "a")
    assert rows and min(e["step"] for e in rows) >= 2
    answered = {e["run"] for e in rows if e["step"] <= 3}
    assert len(answered) >= 90  # nearly every run answers within a week or so
    assert all(e["cause"] == "retaliation" for e in rows)
    # taken out, the strike is not answered
    calm = actor(resolve=0.8, cost_sensitivity=0.3)
    assert force(events(_struck(tmp_path, calm), 100), "r", "a") == []


@pytest.mark.parametrize("half_life", [7.0, 30.0])
def test_grievance_fades_with_its_half_life_in_days(tmp_path, half_life):
    """An actor that cannot answer (no capability) keeps its grievance, fading by half every `half_life` days."""
    victim = actor(capability=0.0, doctrine=doctrine(retaliation={"half_life": half_life}))
    m = EscalationModel(_struck(tmp_path, victim), rng=1)
    m.run_for(3)
    g0 = m.actor("r").grievance["a"]
    m.run_for(2)
    assert m.actor("r").grievance["a"] == pytest.approx(g0 * 0.5 ** (14 / half_life))


@pytest.mark.parametrize("lag", [1, 4, 10])
def test_retaliation_strikes_lag_days_after_it_decides(tmp_path, lag):
    """The strike of week 2 lands on day 14, and the victim decides to answer it that day: its answer lands `lag`
    days later, within the step or (a lag of 10) in the next one, as an order prepared in the step before."""
    victim = actor(
        resolve=0.8, cost_sensitivity=0.3, doctrine=doctrine(retaliation={"half_life": 14, "lag": lag})
    )
    rows = force(events(_struck(tmp_path, victim, steps=5), 5), "r", "a")
    first = {min((e["day"], e["step"]) for e in rows if e["run"] == r) for r in range(5)}
    assert first == {(14 + lag, (14 + lag) // 7)}


def test_the_motive_to_retaliate_is_weight_times_hostility(tmp_path):
    """Without a standing motive, how hard a victim answers a strike follows its doctrine's weight times its
    hostility toward the striker (a half toward one it holds no declared hostility against): the same product gives
    the same answers, a larger one stronger answers, a small one none."""

    def answers(weight, hostility):
        victim = actor(
            resolve=0.8,
            cost_sensitivity=0.3,
            doctrine=doctrine(retaliation={"half_life": 14, "lag": 1, "weight": weight}),
        )
        rel = [] if hostility is None else [{"type": "hostile", "from": "r", "to": "a", "level": hostility}]
        scn = _struck(tmp_path, victim, steps=4, relations=rel, behaviour=CALM)
        return [(e["run"], e["day"], e["action"]) for e in force(events(scn, 10), "r", "a")]

    assert answers(0.1, 1.0) == []  # too little to answer with force
    weak, strong = answers(0.25, 1.0), answers(1.0, 1.0)
    assert weak and {a for _, _, a in weak} == {"limited_strike"}
    assert strong and {a for _, _, a in strong} == {"major_strike"}
    assert answers(0.5, None) == weak  # a stranger: hostility a half
    assert answers(2.0, None) == strong


# --- red lines ----------------------------------------------------------------------------------------------------

LINE = {"own_territory_struck": True, "min_rung": "limited_strike", "audience_cost": 3.0, "patience": 14}


def test_a_crossed_red_line_is_answered_with_force_within_patience(tmp_path):
    holder = actor(resolve=0.6, doctrine=doctrine(red_lines=LINE))
    rows = force(events(_struck(tmp_path, holder, "limited_strike", 0), 100), "r", "a")
    answered = {e["run"] for e in rows if e["cause"] == "red_line" and 2 <= e["step"] <= 4}  # 14 days
    assert len(answered) >= 95
    # without the red line (and no other doctrine) the same strike is not answered
    assert force(events(_struck(tmp_path, actor(resolve=0.6), "limited_strike", 0), 100), "r", "a") == []
    # a strike below the line's rung does not cross it
    low = force(events(_struck(tmp_path, holder, "harassment", 0), 100), "r", "a")
    assert not any(e["cause"] == "red_line" for e in low)


@pytest.mark.parametrize("action", ["threat", "sanction"])
def test_a_line_drawn_below_force_is_crossed_by_an_act_short_of_force(tmp_path, action):
    """A red line drawn at a threat crosses at a threat or a sanction, as an actor weighing its options expects: the
    holder answers with force, for its red line, in every run. The same act crosses a line drawn at a strike in no
    run, and draws no answer (the holder has no other reason to fight)."""
    low = actor(resolve=0.6, doctrine=doctrine(red_lines={**LINE, "min_rung": "threat"}))
    m = EscalationModel(_struck(tmp_path, low, action, 0), rng=2)
    m.run_for(3)
    assert [r for r in m.red_lines if r[1] == "r" and r[2] == ["a"]]
    rows = force(events(_struck(tmp_path, low, action, 0), 40), "r", "a")
    assert len({e["run"] for e in rows if e["cause"] == "red_line"}) == 40
    high = actor(resolve=0.6, doctrine=doctrine(red_lines=LINE))
    m = EscalationModel(_struck(tmp_path, high, action, 0), rng=2)
    m.run_for(3)
    assert not m.red_lines
    assert force(events(_struck(tmp_path, high, action, 0), 40), "r", "a") == []


@pytest.mark.parametrize(
    ("crossing", "answer"), [("harassment", "limited_strike"), ("limited_strike", "major_strike")]
)
def test_a_crossing_is_answered_one_rung_above_it(tmp_path, crossing, answer):
    """Credibility asks for an answer one rung above the act that crossed the line: the holder answers a crossing
    harassment with a limited strike and a crossing limited strike with a major one, the step it is crossed."""
    holder = actor(resolve=0.6, doctrine=doctrine(red_lines={**LINE, "min_rung": crossing}))
    rows = force(events(_struck(tmp_path, holder, crossing, 0, steps=4), 20), "r", "a")
    assert {(e["step"], e["action"], e["cause"]) for e in rows} == {(2, answer, "red_line")}
    assert len(rows) == 20  # one answer in every run


def _round(tmp_path, first: int | None, answer: int, holder: dict | None = None, extra: dict | None = None):
    """`x` (a red line on its territory, grievance that fades) strikes `y` killing `first` (no strike if None),
    then `y` strikes back, the same week, killing `answer`. Motives come from doctrines alone."""
    holder = holder or actor(
        resolve=0.6, doctrine=doctrine(red_lines=LINE, retaliation={"half_life": 14, "lag": 0})
    )
    blows = [] if first is None else [(first, "x", "y")]
    evs = [
        {"at": week(2), "source": s, "target": t, "action": "limited_strike", "casualties": n}
        for n, s, t in [*blows, (answer, "y", "x")]
    ]
    return scenario(
        tmp_path, {"x": holder, "y": actor(), **(extra or {})}, events=evs, steps=6, behaviour=CALM
    )


def test_an_answer_no_heavier_than_the_holders_own_blow_settles_the_account(tmp_path):
    """Grievance and credit (docs/model.md): x's blow beyond its grievance is credit with y; y's lighter answer pays
    it back and leaves x no grievance and no commitment, so x does not strike again. Without x's first blow, or
    with an answer heavier than it, the same answer binds x and x answers it."""
    week_kept = 0.5 ** (7 / 14)  # the step's fading, at the end of the week of the two blows
    m = EscalationModel(_round(tmp_path, 5, 0), rng=1)
    m.run_for(3)
    x = m.actor("x")
    # (severity + 5) dealt, less (severity + 0) paid back
    assert x.credit["y"] == pytest.approx(5.0 * week_kept)
    assert x.grievance.get("y", 0.0) == 0.0 and "y" not in x.commitments
    assert not [r for r in m.red_lines if r[1] == "x"]  # read as the account settled, not as a crossing
    settled = force(events(_round(tmp_path, 5, 0), 40), "x", "y")
    assert {e["cause"] for e in settled} == {"scheduled"}  # x's own first blow, and nothing after it
    # the cause taken out: without x's blow, y's strike binds x, which answers it in every run
    m = EscalationModel(_round(tmp_path, None, 0), rng=1)
    m.run_for(3)
    assert [r for r in m.red_lines if r[1] == "x"]
    bound = force(events(_round(tmp_path, None, 0), 40), "x", "y")
    assert len({e["run"] for e in bound if e["cause"] == "red_line"}) == 40
    # an answer heavier than x's blow: the credit is used up, the rest is grievance, and the line binds
    m = EscalationModel(_round(tmp_path, 5, 20), rng=1)
    m.run_for(3)
    x = m.actor("x")
    assert "y" not in x.credit and [r for r in m.red_lines if r[1] == "x"]
    heavier = force(events(_round(tmp_path, 5, 20), 40), "x", "y")
    assert len({e["run"] for e in heavier if e["cause"] == "red_line"}) == 40


def test_an_answer_the_credit_settles_earns_its_author_no_credit(tmp_path):
    """A settled answer settles the account: it earns its author no credit of its own, even where the author's
    grievance faded faster than the credit that settled it (y forgets in a week, x remembers for two months)."""
    x = actor(resolve=0.6, doctrine=doctrine(red_lines=LINE, retaliation={"half_life": 60, "lag": 0}))
    y = actor(resolve=0.01, doctrine=doctrine(retaliation={"half_life": 7, "lag": 0}))
    evs = [
        {"at": week(2), "source": "x", "target": "y", "action": "limited_strike", "casualties": 5},
        {"at": week(5), "source": "y", "target": "x", "action": "limited_strike", "casualties": 3},
    ]
    m = EscalationModel(scenario(tmp_path, {"x": x, "y": y}, events=evs, steps=8, behaviour=CALM), rng=1)
    m.run_for(6)
    assert m.actor("x").credit["y"] > 0 and m.actor("x").grievance.get("y", 0.0) == 0.0  # settled
    assert m.actor("y").credit.get("x", 0.0) == 0.0


def test_only_blows_earn_credit_so_a_line_drawn_at_a_threat_still_binds(tmp_path):
    """Credit is earned and paid back by force alone: x's own show of force earns none, so y's threat after it
    crosses x's line drawn at a threat and x answers it, for its red line, in every run."""
    holder = actor(resolve=0.6, doctrine=doctrine(red_lines={**LINE, "min_rung": "threat"}))
    evs = [
        {"at": week(2), "source": "x", "target": "y", "action": "show_of_force"},
        {"at": week(2), "source": "y", "target": "x", "action": "threat"},
    ]
    scn = scenario(tmp_path, {"x": holder, "y": actor()}, events=evs, steps=5, behaviour=CALM)
    m = EscalationModel(scn, rng=1)
    m.run_for(3)
    assert [r for r in m.red_lines if r[1] == "x"]
    rows = force(events(scn, 40), "x", "y")
    assert len({e["run"] for e in rows if e["cause"] == "red_line"}) == 40


def test_a_settled_answer_crosses_no_allys_line_either(tmp_path):
    """z's line covers its ally x. y's answer to x's heavier blow is settled by x's credit: it crosses neither x's
    line nor z's. Without x's blow the same strike crosses both."""
    guard = actor(
        resolve=0.6, doctrine=doctrine(red_lines={"allies_struck": ["x"], "min_rung": "limited_strike"})
    )

    def lines(first: bool) -> set[str]:
        m = EscalationModel(_round(tmp_path, 5 if first else None, 0, extra={"z": guard}), rng=1)
        m.run_for(3)
        return {r[1] for r in m.red_lines}

    assert lines(first=True) == set()
    assert lines(first=False) == {"x", "z"}


def test_credit_fades_with_the_grievance_half_life(tmp_path):
    """Credit for a blow dealt is remembered as long as a blow received: it fades with the retaliation half-life,
    and an actor without that doctrine keeps it."""
    m = EscalationModel(_round(tmp_path, 9, 0), rng=1)
    m.run_for(3)
    before = m.actor("x").credit["y"]
    m.run_for(2)
    assert m.actor("x").credit["y"] == pytest.approx(before * 0.5 ** (14 / 14))
    keeps = actor(resolve=0.6, doctrine=doctrine(red_lines=LINE))
    m = EscalationModel(_round(tmp_path, 9, 0, holder=keeps), rng=1)
    m.run_for(3)
    before = m.actor("x").credit["y"]
    m.run_for(2)
    assert m.actor("x").credit["y"] == before


def test_an_unanswered_crossing_lowers_what_others_believe_of_the_holders_resolve(tmp_path):
    """A holder that cannot answer (no capability): past its patience, every other actor lowers its estimate of
    the holder's resolve by half its learning rate."""
    holder = actor(capability=0.0, resolve=0.6, doctrine=doctrine(red_lines={**LINE, "patience": 7}))
    watcher = actor(doctrine=doctrine(learning={"about": ["r"], "prior": 0.6, "rate": 0.5}))
    scn = scenario(
        tmp_path,
        {"a": actor(), "r": holder, "w": watcher},
        events=[{"at": week(2), "source": "a", "target": "r", "action": "limited_strike", "casualties": 0}],
        behaviour=EXACT,
    )
    m = EscalationModel(scn, rng=3)
    m.run_for(3)
    assert m.actor("w").resolve_seen["r"] == pytest.approx(0.6)
    m.run_for(2)  # seven days after the crossing the line counts as unanswered
    assert m.actor("w").resolve_seen["r"] == pytest.approx(0.6 * (1 - 0.5 * 0.5))
    assert m.actor("a").resolve_seen["r"] < m.actor("a").resolve_seen["r"] / (1 - 0.5 * 0.5)
    # a holder that answers keeps its credibility
    able = actor(capability=0.6, resolve=0.6, doctrine=doctrine(red_lines={**LINE, "patience": 7}))
    scn = scenario(
        tmp_path,
        {"a": actor(), "r": able, "w": watcher},
        events=[{"at": week(2), "source": "a", "target": "r", "action": "limited_strike", "casualties": 0}],
        behaviour=EXACT,
    )
    m = EscalationModel(scn, rng=3)
    m.run_for(5)
    assert m.actor("w").resolve_seen["r"] >= 0.6


# --- limits -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "highest"),
    [
        ({"max_rung": "threat"}, "threat"),
        ({"max_rung": "war", "toward": {"g": "limited_strike"}}, "limited_strike"),
        ({"max_rung": "war", "toward": {"x": "threat"}}, "major_strike"),  # a limit toward another actor only
    ],
)
def test_limits_cap_the_rung(tmp_path, limits, highest):
    acts = {
        "s": actor(capability=0.9, resolve=0.8, cost_sensitivity=0.3, doctrine=doctrine(limits=limits)),
        "g": actor("target", capability=0.0),
        "x": actor("target", capability=0.0),
    }
    rel = [{"type": "hostile", "from": "s", "to": "g", "level": 1.0}]
    scn = scenario(tmp_path, acts, rel, behaviour=EAGER)
    rows = [e for e in events(scn, 30) if e["source"] == "s"]
    assert max(e["rung"] for e in rows) == rung_index(scn, highest)
    # without limits the same actor climbs to a major strike
    acts["s"] = actor(capability=0.9, resolve=0.8, cost_sensitivity=0.3)
    free = [e for e in events(scenario(tmp_path, acts, rel, behaviour=EAGER), 30) if e["source"] == "s"]
    assert max(e["rung"] for e in free) == rung_index(scn, "major_strike")


# --- domestic -----------------------------------------------------------------------------------------------------


def test_domestic_costs_lower_the_rungs_used_as_they_rise(tmp_path):
    means = []
    for cost in (0.0, 0.5, 1.0, 3.0):
        dom = doctrine(domestic={"comfort_rung": "harassment", "cost": cost})
        acts = {
            "s": actor(capability=0.9, resolve=0.8, cost_sensitivity=0.3, doctrine=dom),
            "g": actor("target", capability=0.0),
        }
        scn = scenario(
            tmp_path, acts, [{"type": "hostile", "from": "s", "to": "g", "level": 1.0}], behaviour=EAGER
        )
        rows = [e for e in events(scn, 40) if e["source"] == "s"]
        means.append(np.mean([e["rung"] for e in rows]))
        if cost == 0.0:
            assert {e["action"] for e in rows} == {"major_strike"}  # no cost: nothing holds it back
        if cost == 3.0:
            assert max(e["rung"] for e in rows) <= rung_index(scn, "harassment")  # nothing above comfort
    assert all(a >= b for a, b in itertools.pairwise(means)) and means[0] > means[-1]


@pytest.mark.parametrize("comfort", ["harassment", "limited_strike"])
def test_domestic_costs_begin_above_the_comfort_rung(tmp_path, comfort):
    """Under a steep domestic cost an eager actor that would otherwise strike hard climbs to its comfort rung and
    no higher: every action it takes is on that rung."""
    dom = doctrine(domestic={"comfort_rung": comfort, "cost": 3.0})
    acts = {
        "s": actor(capability=0.9, resolve=0.8, cost_sensitivity=0.3, doctrine=dom),
        "g": actor("target", capability=0.0),
    }
    scn = scenario(
        tmp_path, acts, [{"type": "hostile", "from": "s", "to": "g", "level": 1.0}], steps=4, behaviour=EAGER
    )
    rows = [e for e in events(scn, 10) if e["source"] == "s"]
    assert rows and {e["action"] for e in rows} == {comfort}


# --- aims ---------------------------------------------------------------------------------------------------------


def test_aims_keep_an_actor_fighting_while_the_adversary_keeps_its_strength(tmp_path):
    acts = {
        "s": actor(
            capability=0.9, resolve=0.8, cost_sensitivity=0.3, doctrine=doctrine(aims={"disarm": {"g": 1.0}})
        ),
        "g": actor("armed_group", capability=0.3),
    }
    rel = [{"type": "hostile", "from": "s", "to": "g", "level": 1.0}]
    scn = scenario(tmp_path, acts, rel, steps=30)
    rows = force(events(scn, 40), "s", "g")
    early = [e["rung"] for e in rows if e["step"] < 5]
    late = [e["rung"] for e in rows if e["step"] >= 20]
    major = rung_index(scn, "major_strike")
    assert np.mean(early) >= major  # heavy blows while the adversary is strong
    assert np.mean(late) < major  # lighter ones once its means are mostly gone
    m = EscalationModel(scn, rng=0).run()
    assert m.actor("g").capability < 0.3 * 0.5
    # without the aim, no heavy blows
    acts["s"] = actor(capability=0.9, resolve=0.8, cost_sensitivity=0.3)
    free = force(events(scenario(tmp_path, acts, rel, steps=30), 40), "s", "g")
    assert sum(e["rung"] >= major for e in free) < 0.05 * max(1, len(free))


# --- support ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channels", "share"),
    [(["arms", "money", "training"], 1.0), (["arms"], 1 / 3), (["political", "intelligence"], 0.0)],
)
def test_support_resupplies_through_material_channels_only(tmp_path, channels, share):
    scn = scenario(
        tmp_path,
        {
            "p": actor(doctrine=doctrine(support={"resupply": 0.005})),
            "g": actor("armed_group", capability=0.5),
            "s": actor(capability=1.0),
        },
        [{"type": "supports", "from": "p", "to": "g", "level": 1.0, "control": 0.5, "channels": channels}],
        [{"at": week(1), "source": "s", "target": "g", "action": "major_strike", "casualties": 0}],
    )
    m = EscalationModel(scn, rng=1)
    m.run_for(2)
    # A major strike destroys 8% at the attacker's full strength; scheduled events land at the start of their
    # step, so the patron's resupply of that step (7 days) follows it.
    hit = m.actor("g").capability
    assert hit == pytest.approx(0.5 * (1 - 0.08) + 0.005 * 7 * share)
    m.run_for(2)
    assert m.actor("g").capability == pytest.approx(min(0.5, hit + 2 * 0.005 * 7 * share))


def test_solidarity_makes_the_patron_grieve_for_its_client(tmp_path):
    def grievance(solidarity):
        sup = doctrine(support={"resupply": 0.0, "solidarity": solidarity})
        scn = scenario(
            tmp_path,
            {"p": actor(capability=0.0, doctrine=sup), "g": actor("armed_group"), "s": actor(capability=0.0)},
            [{"type": "supports", "from": "p", "to": "g", "level": 0.5, "control": 0.5}],
            [{"at": week(1), "source": "s", "target": "g", "action": "major_strike", "casualties": 10}],
        )
        m = EscalationModel(scn, rng=1)
        m.run_for(1)
        harm = m.rungs.severity[m.rungs.index["major_strike"]] + 10
        m.run_for(1)
        # the strike lands at the end of its step, after that step's fading
        return m.actor("p").grievance.get("s", 0.0), harm

    g, harm = grievance(0.8)
    assert g == pytest.approx(harm * 0.8 * 0.5)
    assert grievance(0.0)[0] == 0.0


# --- pressure -----------------------------------------------------------------------------------------------------


def _pressed(tmp_path, control, autonomy, pressure=True, runs=60, threshold=0.5):
    patron = actor(
        cost_sensitivity=1.0,
        doctrine=doctrine(
            **({"pressure": {"fear_threshold": threshold, "strength": 1.0}} if pressure else {}),
            learning={"about": ["s"], "prior": 1.0, "rate": 0.0},
        ),
    )
    client = actor(  # a client that fears no answer: only its patron holds it back
        "armed_group",
        autonomy=autonomy,
        cost_sensitivity=0.0,
        doctrine=doctrine(campaign={"per_day": {"s": 0.5, "t": 0.5}}),
    )
    rel = [
        {"type": "supports", "from": "p", "to": "g", "level": 1.0, "control": control},
        {"type": "hostile", "from": "g", "to": "s", "level": 1.0},
        {"type": "hostile", "from": "g", "to": "t", "level": 1.0},
        {"type": "hostile", "from": "p", "to": "s", "level": 0.5},  # the patron fears s: strong, resolved
    ]
    acts = {"p": patron, "g": client, "s": actor(capability=1.0), "t": actor("target", capability=0.0)}
    rows = events(scenario(tmp_path, acts, rel, behaviour=CAMPAIGNER), runs)
    on = {x: len(force(rows, "g", x)) / (runs * 10) for x in ("s", "t")}
    return on, rows


def test_pressure_lowers_a_clients_attacks_on_the_feared_adversary_as_control_times_obedience_rises(tmp_path):
    rates = []
    for control, autonomy in [(0.0, 0.0), (0.2, 0.0), (0.5, 0.5), (0.5, 0.0), (1.0, 0.0)]:
        on, _ = _pressed(tmp_path, control, autonomy)
        rates.append((control * (1 - autonomy), on["s"], on["t"]))
    rates.sort()
    on_s = [r[1] for r in rates]
    assert all(a >= b - 0.2 for a, b in itertools.pairwise(on_s))  # non-increasing, within sampling error
    assert on_s[0] == pytest.approx(3.5, abs=0.4)  # no control: the campaign's tempo
    assert on_s[2] < on_s[0] - 0.4  # control 0.5 with autonomy 0.5 (0.25) already cuts it
    assert on_s[3] < on_s[2]  # the same control over an obedient client cuts more
    assert on_s[-1] < 0.1 * on_s[0]  # full control over an obedient client: (almost) no attacks
    # the other target is spared: attacks on it stay at the campaign's tempo whatever the pressure
    for _, _, t in rates:
        assert t == pytest.approx(3.5, abs=0.4)


def test_pressure_is_an_action_and_needs_the_doctrine(tmp_path):
    _, rows = _pressed(tmp_path, 1.0, 0.0, runs=1)
    assert sum(1 for e in rows if e["cause"] == "pressure") == 10  # the patron tells its client every step
    on, rows = _pressed(tmp_path, 1.0, 0.0, pressure=False, runs=40)
    assert not any(e["cause"] == "pressure" for e in rows)
    assert on["s"] == pytest.approx(3.5, abs=0.4)


def test_a_patron_presses_only_when_its_fear_reaches_the_threshold(tmp_path):
    """The patron's fear of s is 1 (s's resolve as it reads it, 1, times s's strength, 1, times its cost
    sensitivity, 1): a threshold just below it presses the client every step and cuts its attacks on s; one just
    above it leaves the client alone, attacking s at the campaign's tempo."""
    on, rows = _pressed(tmp_path, 1.0, 0.0, runs=20, threshold=0.9)
    assert sum(1 for e in rows if e["cause"] == "pressure") == 20 * 10
    assert on["s"] < 0.1 * 3.5
    on, rows = _pressed(tmp_path, 1.0, 0.0, runs=20, threshold=1.1)
    assert not any(e["cause"] == "pressure" for e in rows)
    assert on["s"] == pytest.approx(3.5, abs=0.6)


# --- learning -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "rate"), [("major_strike", 0.5), ("harassment", 0.5), ("major_strike", 0.0)]
)
def test_learning_a_costly_strike_raises_the_estimate_of_resolve(tmp_path, action, rate):
    scn = scenario(
        tmp_path,
        {
            "p": actor(doctrine=doctrine(learning={"about": ["s"], "prior": 0.1, "rate": rate})),
            "s": actor(),
        },
        events=[{"at": week(3), "source": "s", "target": "p", "action": action, "casualties": 0}],
        behaviour=EXACT,
        steps=5,
    )
    m = EscalationModel(scn, rng=1)
    m.run_for(3)
    assert m.actor("p").resolve_seen["s"] == pytest.approx(0.1)
    m.run_for(1)
    signal = m.rungs.signal(m.rungs.index[action])
    assert m.actor("p").resolve_seen["s"] == pytest.approx(0.1 + rate * (signal - 0.1))


def test_a_costlier_strike_shows_more_resolve():
    from redline import load_scenario

    from .conftest import TINY

    rungs = Rungs(load_scenario(TINY).ladder)
    i = rungs.index
    assert rungs.signal(i["harassment"]) < rungs.signal(i["limited_strike"]) < rungs.signal(i["major_strike"])


# --- back channels and mediation ----------------------------------------------------------------------------------


def _fade(tmp_path, relations, extra=None, steps=2):
    acts = {
        "a": actor(),
        "r": actor(capability=0.0, doctrine=doctrine(retaliation={"half_life": 14})),
        **(extra or {}),
    }
    scn = scenario(
        tmp_path,
        acts,
        relations,
        [{"at": week(1), "source": "a", "target": "r", "action": "major_strike", "casualties": 10}],
    )
    m = EscalationModel(scn, rng=1)
    m.run_for(2)
    g0 = m.actor("r").grievance["a"]
    m.run_for(steps)
    return m.actor("r").grievance["a"] / g0


def test_a_back_channel_lets_grievance_fade_faster(tmp_path):
    kept = 0.5 ** (7 / 14)
    assert _fade(tmp_path, []) == pytest.approx(kept**2)
    assert _fade(tmp_path, [{"type": "back_channel", "from": "r", "to": "a", "level": 1.0}]) < 0.9 * kept**2


def test_a_mediated_channel_works_only_while_the_mediator_mediates(tmp_path):
    kept = 0.5 ** (7 / 14)
    via = [{"type": "back_channel", "from": "r", "to": "a", "level": 1.0, "via": "m"}]
    idle = _fade(tmp_path, via, {"m": actor("mediator", capability=0.0)})
    working = _fade(
        tmp_path, via, {"m": actor("mediator", capability=0.0, doctrine=doctrine(mediation={"effort": 1.0}))}
    )
    assert idle == pytest.approx(kept**2)
    assert working < 0.9 * kept**2


def test_a_mediator_acts_only_while_its_parties_fight(tmp_path):
    """A mediator with a channel to carry does nothing while its parties are at peace; once one strikes the
    other, it carries messages (an action to each party) from that step on."""
    via = [{"type": "back_channel", "from": "r", "to": "a", "level": 1.0, "via": "m"}]
    acts = {
        "a": actor(),
        "r": actor(capability=0.0),
        "m": actor("mediator", capability=0.0, doctrine=doctrine(mediation={"effort": 1.0})),
    }
    strike = [{"at": week(2), "source": "a", "target": "r", "action": "major_strike", "casualties": 10}]

    def mediated(scheduled):
        rows = events(scenario(tmp_path, acts, via, scheduled, steps=5), runs=1)
        return sorted((e["step"], e["target"]) for e in rows if e["cause"] == "mediation")

    assert mediated([]) == []  # no one fights: the mediator has nothing to carry
    assert mediated(strike) == [(step, x) for step in (2, 3, 4) for x in ("a", "r")]


@pytest.mark.parametrize(("channel", "share"), [(None, 0.6), (1.0, 0.3), (0.5, 0.45)])
def test_attribution_blames_the_patron_and_a_channel_lowers_misperception(tmp_path, channel, share):
    rels = [{"type": "attributes", "from": "s", "to": "p", "via": ["g"], "probability": 0.6}]
    if channel is not None:
        rels.append({"type": "back_channel", "from": "s", "to": "p", "level": channel})
    acts = {
        "p": actor(),
        "g": actor("armed_group", doctrine=doctrine(campaign={"per_day": {"s": 0.5}})),
        "s": actor("target", capability=0.0),
    }
    rels.append({"type": "hostile", "from": "g", "to": "s", "level": 1.0})
    rows = [e for e in events(scenario(tmp_path, acts, rels, behaviour=CAMPAIGNER), 40) if e["source"] == "g"]
    blamed = sum(e["attributed_to"] == "p" for e in rows) / len(rows)
    assert abs(blamed - share) < 4 * np.sqrt(share * (1 - share) / len(rows))


# --- manner, allies, hosts, guarantees ----------------------------------------------------------------------------


def test_warned_strikes_kill_fewer_than_surprise_strikes(tmp_path):
    def deaths(manner):
        scn = scenario(
            tmp_path,
            {"a": actor(capability=1.0), "t": actor("target", capability=0.0)},
            events=[
                {"at": week(1), "source": "a", "target": "t", "action": "major_strike", "manner": manner}
            ],
            steps=2,
        )
        return np.array([e["casualties"] for e in events(scn, 300) if e["source"] == "a"])

    surprise, warned = deaths("surprise"), deaths("warned")
    assert surprise.mean() == pytest.approx(40, rel=0.05)  # the rung's deaths at full strength
    assert warned.mean() == pytest.approx(40 * 0.1, rel=0.15)  # the ladder's warned_share


def test_harm_to_a_partner_makes_the_ally_grieve(tmp_path):
    def grievance(level):
        rel = [{"type": "allied", "from": "u", "to": "s", "level": level}] if level else []
        scn = scenario(
            tmp_path,
            {
                "a": actor(),
                "s": actor(capability=0.0),
                "u": actor(capability=0.0, doctrine=doctrine(retaliation={"half_life": 14})),
            },
            rel,
            [{"at": week(1), "source": "a", "target": "s", "action": "major_strike", "casualties": 10}],
        )
        m = EscalationModel(scn, rng=1)
        m.run_for(2)
        harm = m.rungs.severity[m.rungs.index["major_strike"]] + 10
        return m.actor("u").grievance.get("a", 0.0), harm

    g, harm = grievance(0.5)
    # The scheduled strike lands at the start of its step, so that step's fading (7 days of a 14-day half-life)
    # applies once.
    assert g == pytest.approx(harm * 0.5 * 0.5 ** (7 / 14))
    assert grievance(None)[0] == 0.0


def test_an_ally_with_a_grievance_strikes_more(tmp_path):
    def strikes(allied):
        rel = [{"type": "hostile", "from": "u", "to": "a", "level": 0.3}]
        if allied:
            rel.append({"type": "allied", "from": "u", "to": "s", "level": 1.0})
        u = actor(resolve=0.8, cost_sensitivity=0.3, doctrine=doctrine(retaliation={"half_life": 14}))
        scn = scenario(
            tmp_path,
            {"a": actor(capability=0.3), "s": actor(capability=0.0), "u": u},
            rel,
            [{"at": week(1), "source": "a", "target": "s", "action": "major_strike", "casualties": 30}],
        )
        return len(force(events(scn, 60), "u", "a"))

    assert strikes(True) > 2 * max(1, strikes(False))


def test_a_strike_on_a_guest_hurts_its_host(tmp_path):
    def host(exposure):
        rel = (
            [{"type": "hosts", "from": "h", "to": "g", "level": 1.0, "exposure": exposure}]
            if exposure
            else []
        )
        rel = [{k: v for k, v in r.items() if k != "level"} for r in rel]
        scn = scenario(
            tmp_path,
            {"s": actor(capability=1.0), "g": actor("armed_group"), "h": actor("host_state", capability=0.2)},
            rel,
            [{"at": week(1), "source": "s", "target": "g", "action": "major_strike", "casualties": 10}],
        )
        m = EscalationModel(scn, rng=1)
        m.run_for(2)
        return m.actor("h").capability, m.actor("h").grievance.get("s", 0.0)

    cap, grief = host(0.5)
    assert cap == pytest.approx(0.2 * (1 - 0.08 * 0.5))
    assert grief > 0
    assert host(None) == (0.2, 0.0)


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
    from redline.agents.doctrines import DOCTRINES
    from redline.language.evidence import evidence_base
    from redline.language.spec import Doctrine

    claims = evidence_base()
    assert set(DOCTRINES) == set(Doctrine.__dataclass_fields__)  # one class for each block of the language
    for cls in DOCTRINES.values():
        assert cls.summary and cls.rests_on and set(cls.rests_on) <= claims.keys(), cls.name


def _best_by_formula(m, a, target, stakes):
    """The option of the highest utility toward `target` (the first of equals; None if none is above 0), each
    option's utility worked out in full by the formula of docs/model.md, as Actor.choose states it."""
    import math

    from redline.agents.actor import crossing

    rungs, cap = m.rungs, a.capability
    seen = a.capability_seen
    strength = cap / a.spec.capability if a.spec.capability > 0 else 0.0
    weight = a.spec.resolve * math.exp(a.mood)
    fear = m.behaviour.stakes * a.spec.cost_sensitivity * a.resolve_seen.get(target, 0.5)
    base = seen.get(target, 0.0)
    for client, level in m.allies_against(target, a.aid):
        base += seen.get(client, 0.0) * level
    lines = m.red_lines_of(target)
    force_cost = m.behaviour.force_cost * a.spec.cost_sensitivity
    best, best_u = None, 0.0
    for o in rungs.options:
        r = o.rung
        if r > stakes.max_rung:
            continue
        daily, tempo = rungs.per_day[r], rungs.tempo[r]
        if r == stakes.campaign_rung:
            span = stakes.tempo * m.horizon
            own_span = span * strength
        else:
            span = m.horizon if daily else (tempo * m.horizon if tempo else 1.0)
            own_span = span * strength if not daily and tempo else span
        x = math.log1p((o.severity + o.deaths * cap) * own_span)
        gain = x if x < stakes.motive else stakes.motive
        if o.force and stakes.commitment:
            gain += stakes.commitment * (
                1.0 if o.reach >= stakes.answer_reach else o.reach / stakes.answer_reach
            )
        u = weight * gain
        answering = base
        for g, trigger in m.protectors_of(target):
            if g != a.aid and r >= trigger:
                answering += seen.get(g, 0.0)
        total = answering + cap
        balance = 2.0 * answering / total if total > 0 else 0.0
        answer = math.log1p((o.severity + o.deaths * answering) * span)
        crossed = crossing(lines, r, o.deaths * cap) if lines is not None else 0.0
        if crossed:
            up = min(r + 1, rungs.top)
            above = math.log1p(
                (rungs.severity[up] + rungs.casualties[up] * answering)
                * (m.horizon if rungs.per_day[up] else 1.0)
            )
            answer = (1.0 - crossed) * answer + crossed * above
        if fear > 0:
            u -= fear * balance * answer
        if r > stakes.comfort:
            u -= stakes.domestic * (r - stakes.comfort)
        if o.force:
            u -= stakes.pressure * o.reach + force_cost * (0.5 + o.reach)
        if u > best_u:
            best, best_u = o, u
    return best, best_u


def test_weighing_from_the_fixed_terms_gives_what_every_doctrine_weighs_afresh():
    """An actor works out its fixed doctrines' terms once per target and skips the doctrines that can weigh nothing
    toward it; mid-run, on the flagship, that gives the same terms as every weighing doctrine applied to fresh
    terms, in order, with the patrons' pressure added last."""
    from redline import load_scenario
    from redline.agents.doctrines import Stakes, in_phase

    from .conftest import FLAGSHIP

    m = EscalationModel(load_scenario(FLAGSHIP), rng=3)
    compared = chosen = 0
    for _ in range(8):
        m.step()
        for a in m.actors.values():
            for target in a.adversaries():
                fresh = Stakes(motive=m.behaviour.standing_motive * a.hostile_targets().get(target, 0.0))
                for d in in_phase(a.doctrines, "weigh"):
                    d.weigh(a, target, fresh)
                fresh.pressure += a.pressure.get(target, 0.0)
                assert a.weigh(target) == fresh, (a.aid, target)
                # Choosing from the options made once for the fixed terms (and skipping those that cannot win)
                # picks what the formula, option by option, picks from the fresh terms.
                option, utility, stakes = a._weighed(target)
                assert stakes == fresh, (a.aid, target)
                assert (option, utility) == a.choose(target, fresh), (a.aid, target)
                if fresh.motive > 0 or fresh.commitment > 0:
                    best = _best_by_formula(m, a, target, fresh)
                    assert (option, utility) == (best if best[0] is not None else (None, utility)), (
                        a.aid,
                        target,
                    )
                    chosen += option is not None
                compared += 1
    assert compared > 50 and chosen > 20
    # Israel aims to disarm one adversary only: the doctrine is skipped toward the others.
    aims = m.actors["israel"].doctrines["aims"]
    assert aims.toward("hamas") and not aims.toward("hezbollah")


def test_runs_of_one_scenario_share_what_follows_from_it_and_nothing_of_one_another():
    """What a model makes of its scenario alone (the network, the ladder, the actors' doctrines and look-ups) is
    made once per scenario object and shared by its runs; a run after others of the same scenario gives the tables
    a run of a freshly loaded copy gives, so nothing of one run is left in what they share."""
    from redline import load_scenario

    from .conftest import FLAGSHIP

    scn = load_scenario(FLAGSHIP)
    first = EscalationModel(scn, rng=11).run()
    EscalationModel(scn, rng=12).run()  # another run in between fills and uses the shared look-ups
    again = EscalationModel(scn, rng=11).run()
    fresh = EscalationModel(load_scenario(FLAGSHIP), rng=11).run()
    assert again.network is first.network and again.rungs is first.rungs
    assert again.actors["iran"].doctrines is first.actors["iran"].doctrines
    assert fresh.network is not first.network
    assert first.events == again.events == fresh.events
    assert first.metrics == again.metrics == fresh.metrics
    assert first.red_lines == again.red_lines == fresh.red_lines
    assert len(first.events["step"]) > 100
    # The beliefs and grievances of a run are its own.
    assert again.actors["iran"].resolve_seen is not first.actors["iran"].resolve_seen
