"""The escalation itself: the actors of a loaded Scenario stepped through time, one step at a time (the Mesa model,
redline.engine.model, holds one and steps it on Mesa's clock).

Each step: scheduled events; actors perceive (moods swing, unanswered red lines cost credibility) and patrons
influence their clients; every actor chooses what to do toward each adversary (redline.agents.actor); grievance
fades; the step's actions land (deaths drawn around what was intended, lost capability, blame, red lines crossed,
guarantees engaged) and everyone reads the resolve they showed; one metrics row per actor is recorded. It reads no
files; all randomness comes from the generator it is given (the Mesa model's), taken through `self.draws`
(redline.engine.draws); time is in days, converted by the step's length.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import overload

import numpy as np
from mypy_extensions import mypyc_attr

from redline.agents.actions import DE_ESCALATION, GUARANTEE, INJECTED, SCHEDULED, WARNED, Action, Rungs
from redline.agents.actor import Actor, Lines, Shared
from redline.agents.weighing import amount
from redline.agents.world import World
from redline.engine.draws import Draws
from redline.engine.network import RelationNetwork
from redline.engine.resolving import DIRECT, Observer, land, read_resolve, spread
from redline.language.spec import Scenario

EVENT_FIELDS = ("step", "day", "source", "target", "rung", "casualties", "attributed_to", "cause", "manner")
# doer -> whom a blamer may hold responsible for the doer's blows: (patron, chance of blame, weight, channel level,
# whether the channel runs through a mediator) (Compiled.blames_by)
Attributions = dict[str, list[tuple[str, float, float, float, bool]]]
# A struck actor's red lines as others see them, and those who hold it as an ally with the lowest rung that crosses
# their lines (Compiled.guarded)
Guarded = tuple[Lines | None, list[tuple[str, int]]]
# What a blow on an actor reaches (Escalation._landing), written out whole: compiled, each part is then read as
# what it is (an actor's fields directly, a list as a list), not looked up as any object's would be.
Landing = tuple[
    Actor,  # the actor struck
    # who grieves with it: the actor, its id, its share, its blames
    list[tuple[Actor, str, float, Attributions]],
    list[tuple[Actor, float]],  # its hosts, with their exposure
    list[tuple[str, int]],  # its guarantors, with the rung that brings each in
    tuple[str, ...],  # those a blow on it answers: it and its patrons
    Attributions,  # whom it blames, for whom
    Guarded | None,  # None if a blow on it crosses no line
]
# An author of blows: the actor, and its patrons' grievances with the level of their support
Author = tuple[Actor, list[tuple[dict[str, float], float]]]

NO_ONE: list = []  # the answer of a look-up that finds no one (shared: callers only read it)
NO_BLAME: Attributions = {}  # the attributions of an actor who holds no one responsible for another (shared, read)
# Those blamed for blows that are blamed on no one but their author (shared: redline.engine.resolving only reads it;
# a set, not a tuple, since a compiled read_resolve takes a set).
NO_ONE_BLAMED: set[str] = set()
METRIC_FIELDS = ("step", "actor", "posture", "capability", "grievance", "fear", "pressure", "attacks")


# max() over a dict's values or a list, written out: compiled, a call of max() over a sequence is a generic call
# that costs more than the comparisons it makes (a tenth of recording a step's metrics).
def _most(values: dict[str, float]) -> float:
    """max(values.values()) (the first of equal values), or 0.0 for none."""
    most, first = 0.0, True
    for v in values.values():
        if first or v > most:
            most, first = v, False
    return most


def _most_of(values: list[float]) -> float:
    """max(values) of a list that is not empty."""
    most = values[0]
    for v in values:
        if v > most:
            most = v
    return most


def _columns(flat: list, fields: tuple[str, ...]) -> dict[str, list]:
    """Rows laid end to end in one list, `fields` values each, as a dict of columns. The per-step loop extends the
    list by each row's tuple: the tuple is freed at once, where one kept per row would be left for the garbage
    collector to look through (a run keeps about a thousand rows)."""
    width = len(fields)
    return {f: flat[i::width] for i, f in enumerate(fields)}


def _circles(members, ties: list[tuple[str, str]]) -> dict[str, str]:
    """Each member's circle (a representative member): members joined by a chain of ties share one. Union-find,
    since this runs once per run and a graph library's copy of the network costs more than the search."""
    parent = {m: m for m in members}

    def root(m: str) -> str:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for a, b in ties:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    return {m: root(m) for m in members}


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Compiled:
    """What a model makes of its scenario alone (the ladder's arrays, the indexed network, the day each step starts,
    the actors' shared parts, and the look-ups of resolving an action, by actor id): the same for every run of a
    scenario, so made once per scenario object and shared by the runs of an ensemble. Nothing in it changes during
    a run, but the look-ups the actors fill on first use."""

    def __init__(self, scenario: Scenario):
        self.rungs = rungs = Rungs(scenario.ladder)  # type: ignore[arg-type]
        self.network = net = RelationNetwork(scenario.relations)
        time = scenario.time
        self.step_day = [(time.date_of(t) - time.start).days for t in range(time.steps + 1)]
        self.actors = {aid: Shared() for aid in scenario.actors}
        ids = list(scenario.actors)
        # Who watches whom: the actors linked to one another by any chain of ties (a relation, a scheduled event, an
        # adversary an actor learns about). Actors with no tie at all (two crises in one world) hold no beliefs
        # about each other and do not read each other's acts.
        ties = [(r.source, r.target) for r in scenario.relations]
        ties += [(e.source, e.target) for e in scenario.events]
        for aid, a in scenario.actors.items():
            if a.doctrine.learning is not None:
                ties += [(aid, other) for other in a.doctrine.learning.about]
        circle = _circles(ids, ties)
        members: dict[str, list[str]] = defaultdict(list)
        for aid in ids:
            members[circle[aid]].append(aid)
        self.watchers = {aid: members[circle[aid]] for aid in ids}  # one list per circle
        # Whom each actor is tied to (adversaries, clients, partners): a blow on them tells it something.
        self.ties: dict[str, set[str]] = {
            aid: set(net.hostility(aid))
            | {r.target for r in net.clients_of(aid)}
            | {r.target for r in scenario.relations if r.type == "allied" and r.source == aid}
            for aid in ids
        }
        # The look-ups actors make of the world, per target and option (World.allies_against, protectors_of,
        # channel_open), filled for every pair that has an answer; the others have none.
        allies_against: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for patron in ids:
            for r in net.clients_of(patron):
                for enemy in net.hostility(r.target):
                    allies_against[(patron, enemy)].append((r.target, r.level))
        self.allies_against = dict(allies_against)
        self.protectors: dict[str, list[tuple[str, int]]] = {}
        for aid in ids:
            guarantees = net.guarantors_of(aid)
            if guarantees:
                self.protectors[aid] = [(g.source, rungs.index[g.trigger_rung]) for g in guarantees]
        self.mediated = net.mediated()
        # Per rung: (per day, hostile, severity, capability damage, a use of force, resolve shown, deaths).
        self.rung_rows = [
            (
                rungs.per_day[r],
                rungs.goldstein[r] < 0,
                rungs.severity[r],
                rungs.capability_damage[r],
                rungs.mid[r] >= 4,
                rungs.signal(r) if rungs.mid[r] >= 4 else 0.0,
                rungs.casualties[r],
            )
            for r in range(len(rungs.ids))
        ]
        # Who answers for whom: an actor's patrons (their grievance is answered by its blows, by the level of their
        # support), and those who grieve with it (patrons by their solidarity, partners by the level of their
        # alliance).
        self.venting = {aid: [(r.source, r.level) for r in net.patrons_of(aid)] for aid in ids}
        grieving: dict[str, list[tuple[str, float]]] = {}
        for aid in ids:
            friends = []
            for r in net.patrons_of(aid):
                support = scenario.actors[r.source].doctrine.support
                if support is not None and support.solidarity > 0:
                    friends.append((r.source, support.solidarity * r.level))
            friends += [(r.source, r.level) for r in net.allies_of(aid)]
            grieving[aid] = friends
        # The target of an action: who grieves with it, its hosts (with their exposure), its guarantors (with the
        # rung that brings each in), and those a blow on it answers (it and its patrons).
        self.landing = {
            aid: (
                grieving[aid],
                [(h.source, h.exposure) for h in net.hosts_of(aid)],
                self.protectors.get(aid, NO_ONE),
                (aid, *[r.source for r in net.patrons_of(aid)]),
            )
            for aid in ids
        }
        # blamer -> doer -> whom the blamer may hold responsible: (patron, chance of blame, weight, channel level,
        # whether the channel runs through a mediator). A direct channel works all the time, so the chance is
        # final; through a mediator it depends on the step, and the chance is the relation's own. Keyed by blamer,
        # then doer: a blow looks up its target's and each friend's by the doer alone (a string key, where a pair
        # would be made and hashed for each look-up).
        self.blames_by: dict[str, Attributions] = {}
        for (blamer, doer), rels in net.blames():
            rows = []
            for rel in rels:
                level = net.channel(blamer, rel.target)
                mediated = net.via(blamer, rel.target) is not None
                p = rel.probability if mediated else rel.probability * (1.0 - 0.5 * level)
                rows.append((rel.target, p, rel.weight, level, mediated))
            self.blames_by.setdefault(blamer, {})[doer] = rows
        # Who reads the resolve an actor shows: each watcher, whom it is tied to, the scale of its noise through a
        # direct channel, and the channel's level if it runs through a mediator (DIRECT if not: then it works all
        # the time). As floats, whatever the scenario's numbers were: redline.engine.resolving reads them so.
        noise_sd = scenario.behaviour.observation_noise
        self.observers = {
            source: [
                (
                    y,
                    self.ties[y],
                    float(noise_sd * (1.0 - net.channel(y, source))),
                    float(net.channel(y, source)) if net.via(y, source) is not None else DIRECT,
                )
                for y in self.watchers[source]
            ]
            for source in ids
        }
        # Whom those struck by an actor may blame for it: (patron, the clients whose attacks are blamed on it).
        self.blamed_by = {aid: [(rel.target, rel.via) for rel in net.attributions(aid)] for aid in ids}
        # Red lines as the others see them (declared, so public): actor -> (own territory, lowest rung, deaths).
        self.lines: dict[str, tuple[bool, int, float | None]] = {}
        watching: dict[str, list[str]] = defaultdict(list)  # ally -> actors whose red line it is
        for aid, a in scenario.actors.items():
            lines = a.doctrine.red_lines
            if lines is not None:
                self.lines[aid] = (
                    lines.own_territory_struck,
                    rungs.index[lines.min_rung],
                    lines.casualties_above,
                )
                for ally in lines.allies_struck:
                    watching[ally].append(aid)
        # Struck actor -> its red lines and those who hold it as an ally with the lowest rung that crosses theirs:
        # only for the actors a blow on whom may cross any line.
        self.guarded = {
            aid: (self.lines.get(aid), [(holder, self.lines[holder][1]) for holder in watching.get(aid, ())])
            for aid in ids
            if aid in self.lines or aid in watching
        }
        # How fast each watcher learns from what an actor shows (Actor.learning_rate, by Compiled.observers' order;
        # 0.0 for the actor itself): a matter of the actors' learning doctrines and the scenario's belief_rate, both
        # fixed with the scenario, so filled by the first run's actors.
        self.reading_rates: dict[str, list[float]] | None = None


# id(scenario) -> (a weak reference to it, what was made of it): a scenario is a frozen dataclass whose hash would
# walk all of it (and its mappings are not hashable), so it is known by identity, and forgotten when it is freed.
_compiled: dict[int, tuple[weakref.ref, Compiled]] = {}


def compiled(scenario: Scenario) -> Compiled:
    """What is made of `scenario` for its runs, made on its first run."""
    key = id(scenario)
    found = _compiled.get(key)
    if found is not None and found[0]() is scenario:
        return found[1]
    made = Compiled(scenario)
    _compiled[key] = (weakref.ref(scenario, lambda _, key=key: _compiled.pop(key, None)), made)  # type: ignore[misc]
    return made


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Escalation(World):
    """Escalation among the actors of one scenario: their accounts, choices and actions, step by step. Every draw
    comes from `rng` (the Mesa model's generator)."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator):
        self.draws = Draws(rng)
        self.spec = scenario
        self.behaviour = scenario.behaviour
        made = compiled(scenario)
        self.rungs = made.rungs
        self.network = made.network
        time = scenario.time
        self.dt = time.days
        self.horizon = self.behaviour.horizon
        self.step_day = made.step_day
        self.day = 0
        self.end = self.step_day[1]  # until the first step sets it
        self.actors = {aid: Actor(self, aid, a, made.actors[aid]) for aid, a in scenario.actors.items()}
        self._order = list(self.actors.values())  # the agent set's order
        self._tables(made)
        for a in self.actors.values():
            a.start_beliefs()
        self.scheduled: dict[int, list[tuple[int, Action]]] = defaultdict(list)
        for e in scenario.events:
            day = (e.at - time.start).days
            action = Action(
                e.source,
                e.target,
                self.rungs.index[e.action],
                INJECTED if e.injected else SCHEDULED,
                e.casualties,
                note=e.note,
                manner=e.manner,
            )
            self.scheduled[time.step_of(e.at)].append((day, action))
        # (step, holder, who crossed, day, whom the crossing act struck, its rung): the red_lines table
        self.red_lines: list[tuple[int, str, list[str], int, str, int]] = []
        self._rows: list = []  # the events' values, row after row in EVENT_FIELDS order (columns built on demand)
        self._columns: tuple[int, dict[str, list]] = (-1, {})
        self._metric_rows: list = []  # one row per actor and step, end to end, in METRIC_FIELDS order
        self._pending: list[tuple[float, Action]] = []
        self._open: dict[tuple[str, str], float] = {}  # mediated channels carried this step
        self._t = -1
        b = self.behaviour
        self._mood_keep = math.exp(-self.dt / b.mood_days)
        self._mood_kick = b.mood_sd * math.sqrt(1.0 - self._mood_keep**2)
        for a in self.actors.values():  # moods start from their long-run spread
            a.mood = b.mood_sd * self.draws.normal()
        # A played game (hand_over): the actor a person plays, its moves of each step, made before the others
        # decide, and the guarantees of its engaged, as (protected, attacker), told to the player who alone
        # honours them.
        self.player = ""
        self.hand: Callable[[], None] | None = None
        self.engaged: list[tuple[str, str]] = []

    def _tables(self, made: Compiled) -> None:
        """The look-ups of resolving an action, fixed for a run (an action lands some 300 times a run, and each read
        of the network through its methods costs more than the work it serves): those by actor id are the
        scenario's, shared; those that hold the actors of this run, or the beliefs they hold for the whole of it,
        are made from them."""
        actors = self.actors
        self._allies_against = made.allies_against
        self._protectors = made.protectors
        self._mediated = made.mediated
        self._rung_rows = made.rung_rows
        self._blamed_by = made.blamed_by
        self._lines = made.lines
        circles: dict[
            int, list[Actor]
        ] = {}  # the watchers of all of a circle are one list, as its members are
        self.watchers: dict[str, list[Actor]] = {}
        for aid, ids in made.watchers.items():
            found = circles.get(id(ids))
            if found is None:
                found = circles[id(ids)] = [actors[w] for w in ids]
            self.watchers[aid] = found
        # The author of an action, and its patrons' grievances with the level of their support (as floats:
        # redline.engine.resolving.land reads them so).
        self._authors: dict[str, Author] = {
            aid: (actor, [(actors[p].grievance, float(level)) for p, level in made.venting[aid]])
            for aid, actor in actors.items()
        }
        # The target of an action: the actor, who grieves with it (with their ids and whom each blames for whom),
        # its hosts, its guarantors, those a blow on it answers (Compiled.landing), whom it blames for whom
        # (Compiled.blames_by), and its red lines and its allies' (Compiled.guarded, None if a blow on it crosses
        # none).
        blames_by = made.blames_by
        self._landing: dict[str, Landing] = {}
        for aid, actor in actors.items():
            grieving, hosts, guards, answers = made.landing[aid]
            self._landing[aid] = (
                actor,
                [(actors[f], f, share, blames_by.get(f, NO_BLAME)) for f, share in grieving],
                [(actors[h], exposure) for h, exposure in hosts],
                guards,
                answers,
                blames_by.get(aid, NO_BLAME),
                made.guarded.get(aid),
            )
        # Who reads the resolve an actor shows: each watcher's id, whom it is tied to, what it believes of others'
        # capability and resolve (the dicts it holds for a whole run; None for the actor itself, which draws its
        # noise all the same), its noise and channel (Compiled.observers) and how fast it learns about the actor
        # (Compiled.reading_rates: looked up there, not asked of the watcher each time it reads a blow).
        rates = made.reading_rates
        if rates is None:
            rates = made.reading_rates = {
                source: [0.0 if y == source else float(actors[y].learning_rate(source)) for y, *_ in rows]
                for source, rows in made.observers.items()
            }
        self._observers: dict[str, list[Observer]] = {}
        for source, rows in made.observers.items():
            self._observers[source] = [
                (
                    y,
                    ties,
                    None if y == source else actors[y].capability_seen,
                    None if y == source else actors[y].resolve_seen,
                    scale,
                    level,
                    rate,
                )
                for (y, ties, scale, level), rate in zip(rows, rates[source], strict=True)
            ]

    # --- the view of the world that actors and doctrines use (redline.agents.world.World) -----------------------

    @property
    def events(self) -> dict[str, list]:
        """The events so far as columns (EVENT_FIELDS), built from the rows when asked for."""
        n, cols = self._columns
        if n != len(self._rows):
            cols = _columns(self._rows, EVENT_FIELDS)
            self._columns = (len(self._rows), cols)
        return cols

    @property
    def metrics(self) -> dict[str, list]:
        """The metrics so far as columns (METRIC_FIELDS)."""
        return _columns(self._metric_rows, METRIC_FIELDS)

    @property
    def t(self) -> int:
        """The current step, from 0: Mesa's clock reads 1.0 during the first step."""
        return self._t

    def actor(self, aid: str) -> Actor:
        return self.actors[aid]

    def act(self, action: Action, day: float | None = None) -> None:
        """An actor takes an action this step (on `day`, by default the step's first); it is resolved with the
        others at the end of the step."""
        self._pending.append((self.day if day is None else day, action))

    def allies_against(self, patron: str, enemy: str) -> list[tuple[str, float]]:
        """The clients of `patron` hostile to `enemy`, with the level of the patron's support: who would answer a
        blow at the patron."""
        return self._allies_against.get((patron, enemy), NO_ONE)

    def protectors_of(self, protected: str) -> list[tuple[str, int]]:
        """The guarantors of `protected`, with the lowest rung of a blow that brings each in."""
        return self._protectors.get(protected, NO_ONE)

    def red_lines_of(self, aid: str) -> tuple[bool, int, float | None] | None:
        return self._lines.get(aid)

    def channel_open(self, a: str, b: str) -> float:
        """How far the channel between a and b carries messages this step: fully if direct, as far as the
        mediator works if it runs through one."""
        if (a, b) in self._mediated:
            return self._open.get((a, b), 0.0)
        return 1.0

    def open_channel(self, a: str, b: str, effort: float) -> None:
        self._open[(a, b)] = self._open[(b, a)] = effort

    def mediated_by(self, mediator: str) -> list[tuple[str, str]]:
        return self.network.mediated_by(mediator)

    def fighting(self, a: str, b: str) -> bool:
        """Whether a and b have hurt each other lately."""
        return (
            amount(self.actors[a].recent_harm, b, 0.0) > 0 or amount(self.actors[b].recent_harm, a, 0.0) > 0
        )

    def unanswered(self, actor: str, crosser: str) -> None:
        """A red line was left unanswered: everyone believes a little less in the actor's resolve."""
        for other in self.watchers[actor]:
            if other.aid != actor:
                r = other.resolve_seen.get(actor)
                if r is not None:
                    other.resolve_seen[actor] = r * (1.0 - 0.5 * other.learning_rate(actor))

    HEAT = 1.0  # harm units: a grievance or harm that rises past this from below stirs the actor

    def stir(self, holder: str, other: str, day: float) -> None:
        """`holder` has a new reason to act toward `other` on `day` (a red line crossed, a first blow, a first
        grievance): after this step's decisions it reacts from the next day if days of the step are left. Once per
        pair and step, so that two actors do not trade blows without end inside one step."""
        if holder == other:
            return
        actor = self.actors[holder]
        # After this step's decisions, news is later than a choice made on the same day.
        when = day + 0.5 if self._deciding else day
        actor.news[other] = max(actor.news.get(other, -math.inf), when)
        if self._deciding and day + 1 < self.end and (holder, other) not in self._stirred_now:
            self._stirred_now.add((holder, other))
            self._stirred.append((holder, other, day))

    def log_red_line(self, actor: str, crossers: list[str], act: Action, day: float) -> None:
        """`actor`'s red line was crossed by `crossers` with the act `act`, on `day`."""
        self.red_lines.append((self.t, actor, crossers, int(day), act.target, act.rung))

    # --- the step -------------------------------------------------------------------------------------------------

    def step(self, t: int) -> None:
        """Step `t` (from 0)."""
        self._t = t
        self.day = self.step_day[self._t]
        # The first day of the next step: where this one ends (a month's steps end on the calendar, not after the
        # mean month that rates are converted by).
        self.end = self.step_day[self._t + 1]
        self._stirred: list[tuple[str, str, float]] = []
        self._stirred_now: set[tuple[str, str]] = set()
        self._open = {}
        self._done: list[tuple[float, Action]] = []
        self._posture_now: dict[str, int] = {}  # actor -> the strongest rung it acted on this step
        self._attacks_now: dict[str, int] = {}  # actor -> its uses of force this step
        self.swing_moods()
        # Scheduled events land first, so that a weekly step, like a daily one, reacts to them within the step.
        self._deciding = False
        self._today = float(self.day)
        self._pending = list(self.scheduled.get(self._t, ()))
        self.resolve()
        # Plain loops over the actors in the order they joined (the agent set's order, which decides the order of
        # random draws): Mesa's AgentSet.do snapshots and checks membership on every call, and none leave a run.
        order = self._order
        for a in order:
            a.perceive()
        for a in order:
            a.influence()
        self._deciding = True
        self.decide()
        for a in order:
            a.conclude()
        self.resolve()
        self.record()

    def swing_moods(self) -> None:
        """Each actor's mood follows a slow random walk back to calm (an Ornstein-Uhlenbeck process in days), so
        daily and weekly steps see the same swings."""
        kicks = self.draws.normals(len(self._order))
        keep, kick = self._mood_keep, self._mood_kick
        for a, k in zip(self._order, kicks, strict=True):
            a.mood = a.mood * keep + kick * k

    def hand_over(self, player: str, hand: Callable[[], None]) -> None:
        """A person plays `player` (redline play): `hand()` makes its moves each step, before the others decide; its
        actor chooses nothing itself (Actor.played), and the guarantees it gives are told (`engaged`), not honoured."""
        self.player = player
        self.hand = hand
        self.actors[player].played = True

    def decide(self) -> None:
        """Every actor decides; in a played game, the player's moves come first (`hand`), and its actor decides
        nothing."""
        if self.hand is not None:
            self.hand()
        for a in self._order:
            a.decide()

    def resolve(self) -> None:
        """Outcomes of this step's actions: deaths, lost capability, grievance and blame, red lines, guarantees,
        and what everyone reads of the resolve shown."""
        draws, actors, rung_rows = self.draws, self.actors, self._rung_rows
        warned_share = self.spec.ladder.warned_share  # type: ignore[union-attr]
        shown: dict[str, list] = {}  # source -> [the strongest signal shown, the actors it struck]
        events, t = self._rows, self._t
        pending, stirred = self._pending, self._stirred
        posture, attacks = self._posture_now, self._attacks_now
        i = 0
        while i < len(pending) or stirred:
            if i == len(pending):
                # Actors stirred in this step (a red line crossed, a first blow from someone) react from the next
                # day, as a daily step would, instead of waiting for the next step.
                holder, other, when = stirred.pop(0)
                actors[holder].react(other, when + 1)
                continue
            day, a = pending[i]  # guarantees engaged and reactions add actions to this same step
            i += 1
            self._today = day
            source, aim, r, n, manner, cause = a.source, a.target, a.rung, a.count, a.manner, a.cause
            per_day, hostile, severity, capability_damage, force, signal, casualties = rung_rows[r]
            if r > posture.get(source, -1):
                posture[source] = r
            if force:
                attacks[source] = attacks.get(source, 0) + n
            days = a.days if per_day else 1.0
            fixed, intended = a.casualties, a.intended
            capability = actors[source].capability  # the author's, as it strikes: nothing below changes it
            if intended is not None:
                mean = intended
            else:  # a scheduled event without a death toll: the rung's, by its manner (unless the toll is fixed)
                mean = casualties * capability * days
                mean *= warned_share if manner == WARNED else 1.0
            if n == 1:
                if fixed is None:
                    death = float(draws.poisson(mean))
                    a.casualties = death  # what a red line on deaths in one action sees
                else:  # a float, as a drawn toll is, however the event was written
                    death = float(fixed)
                if hostile:
                    severity *= days
                    damage = capability_damage * capability * days
                    blamed = self._lands(a, day, severity + death, None, damage, force)
                else:
                    blamed = ""
                    if cause == DE_ESCALATION:
                        self._calm(a)
                events.extend((t, int(day), source, aim, r, death, blamed, cause, manner))
            else:  # a campaign's attacks, a toll each
                if fixed is None:
                    deaths = [float(k) for k in draws.poissons(mean, n)]
                    a.casualties = _most_of(deaths)
                else:
                    deaths = [float(fixed)] * n
                if hostile:
                    severity *= days
                    damage = capability_damage * capability * days
                    damage = 1.0 - (1.0 - damage) ** n
                    harms = [severity + d for d in deaths]
                    blamed_each = self._lands(a, day, sum(harms), harms, damage, force)
                else:
                    blamed_each = [""] * n
                    if cause == DE_ESCALATION:
                        self._calm(a)
                # One row per attack, spread evenly over the step's days (redline.engine.resolving).
                spread(self._rows, t, day, source, aim, r, deaths, blamed_each, cause, manner, a.days)
            if hostile and force:
                if manner == WARNED:
                    signal *= 0.8
                seen = shown.get(source)
                if seen is None:
                    shown[source] = [signal, {aim}]
                else:
                    if signal > seen[0]:
                        seen[0] = signal
                    seen[1].add(aim)
        self._read_resolve(shown)
        self._done += pending
        self._pending = []

    # Whom the target blamed: for one action (no `harms`) that patron or "", for a campaign's attacks one each.
    @overload
    def _lands(
        self, a: Action, day: float, harm: float, harms: None, capability_damage: float, force: bool
    ) -> str: ...
    @overload
    def _lands(
        self, a: Action, day: float, harm: float, harms: list[float], capability_damage: float, force: bool
    ) -> list[str]: ...
    def _lands(
        self,
        a: Action,
        day: float,
        harm: float,
        harms: list[float] | None,
        capability_damage: float,
        force: bool,
    ) -> str | list[str]:
        """A hostile action of `harm` (or a campaign's attacks, one harm each in `harms`, `harm` their sum) lands:
        the target suffers and blames; its partners, patrons and hosts grieve with it; the author's grievance (and
        its patrons') is answered; red lines and guarantees (for a use of `force`) are engaged. Returns whom the
        target blamed: for one action, that patron or ""; for a campaign's attacks, a list of them, one each."""
        src, aim = a.source, a.target
        target, grieving, hosts, guards, _, blames, guarded = self._landing[aim]
        author, venting = self._authors[src]
        heat = self.HEAT
        # max() and min() are written as comparisons in this module's hot paths: a call of either costs more than
        # the arithmetic around it.
        left = target.capability * (1.0 - capability_damage)
        target.capability = left if left > 0.0 else 0.0
        # The target suffers and grieves, or its credit with the author settles the blow; the author's grievance
        # (and its patrons') is answered, and what of the blow is a new wrong to the target may earn the author
        # credit with it (redline.engine.resolving.land, in one call: this runs for every blow). The target's blame,
        # below, may come after the author's answer: the answer reads and writes only accounts toward the target,
        # and blame only the target's grievance against others.
        stirred, settled = land(
            target.recent_harm,
            target.credit,
            target.grievance,
            author.grievance,
            author.credit,
            venting,
            src,
            aim,
            harm,
            force,
            heat,
        )
        if stirred:
            self.stir(aim, src, day)
        rels = blames.get(src)
        blamed: str | list[str]
        if harms is None:
            blamed = "" if rels is None else self._attribute(target, rels, harm)
        else:
            blamed = [""] * len(harms) if rels is None else self._attribute_each(target, rels, harms)
        # Patrons and partners take the target's harm to heart.
        for friend, fid, share, friend_blames in grieving:
            felt = harm * share
            if felt > 0 and fid != src:
                grievance = friend.grievance
                before = amount(grievance, src, 0.0)
                grievance[src] = before + felt
                if before < heat <= before + felt:
                    self.stir(fid, src, self._today)
                rels = friend_blames.get(src)
                if rels is not None:
                    self._attribute(friend, rels, felt)
        # A strike on a guest hurts its host too; it does not cross the host's own red lines, which guard the
        # state itself (hosting a group is accepting that it may be struck).
        for host, exposure in hosts:
            host.suffer(src, harm * exposure, capability_damage * exposure)
            host.blame(src, harm * exposure)
        if force:
            r = a.rung
            for guarantor, trigger in guards:
                if r >= trigger and guarantor != src:
                    self._engage(guarantor, a, day)
        # A red line is crossed at its rung, force or not: a line drawn at a sanction or a threat (a blockade, a
        # broadcast called an act of war) binds as a strike does, as the actors already expect when they weigh an
        # option. Only force answers a commitment. A blow that the target's credit settled (an answer no heavier
        # than the target's own blow) crosses no line, the target's or its allies': their publics see the account
        # settled. (A guarantor is still engaged by it: it shows force whoever struck first.)
        if guarded is not None and not settled:
            self._cross(a, day, guarded)
        if force and author.commitments:
            self._answered(author, a)
        return blamed

    def _blame(self, actor: Actor, other: str, harm: float) -> None:
        """`actor` holds `other` responsible for `harm`; a grievance rising from nothing stirs it to react."""
        before = amount(actor.grievance, other, 0.0)
        actor.blame(other, harm)
        if before < self.HEAT <= before + harm:
            self.stir(actor.aid, other, self._today)

    def _attribute(
        self, blamer: Actor, rels: list[tuple[str, float, float, float, bool]], harm: float
    ) -> str:
        """`blamer` may hold a patron responsible for an attack (by the attribution relations `rels`, as
        Compiled.blames_by holds them); a working channel with that patron lowers misperception, so blame lands less
        often."""
        first = ""
        for patron, p, weight, level, mediated in rels:
            if mediated:  # a channel through a mediator works as far as it carries messages this step
                p *= 1.0 - 0.5 * (level * self._open.get((blamer.aid, patron), 0.0))
            if self.draws.uniform() < p:
                # _blame, written out: an attack's blame lands some 180 times a run
                felt = harm * weight
                grievance = blamer.grievance
                before = amount(grievance, patron, 0.0)
                if felt > 0 and patron != blamer.aid:
                    grievance[patron] = before + felt
                if before < self.HEAT <= before + felt:
                    self.stir(blamer.aid, patron, self._today)
                first = first or patron
        return first

    def _attribute_each(
        self, blamer: Actor, rels: list[tuple[str, float, float, float, bool]], harms: list[float]
    ) -> list[str]:
        """Whom `blamer` holds responsible for each of a campaign's attacks (harms), one chance per attack and
        attribution relation; "" where it blames no one else."""
        out = [""] * len(harms)
        for patron, p, weight, level, mediated in rels:
            if mediated:
                p *= 1.0 - 0.5 * (level * self._open.get((blamer.aid, patron), 0.0))
            # One chance per attack that blame lands on the patron.
            landed = 0.0
            for k, u in enumerate(self.draws.uniforms(len(harms))):
                if u < p:
                    landed += harms[k]
                    out[k] = out[k] or patron
            self._blame(blamer, patron, landed * weight)
        return out

    def _cross(self, a: Action, day: float, guarded: Guarded) -> None:
        """Red lines crossed by this action: the actor it struck, the actors who hold it as an ally, and the actor
        whose people it killed beyond the line; `guarded` is what guards the actor it struck (Compiled.guarded)."""
        lines, watching = guarded
        crossed: list[str] = []
        r = a.rung
        if lines is not None:
            own, floor, limit = lines
            if (own and r >= floor) or (limit is not None and (a.casualties or 0.0) > limit):
                crossed.append(a.target)
        for aid, floor in watching:
            if r >= floor and aid not in crossed:
                crossed.append(aid)
        for aid in crossed:
            holder = self.actors[aid]
            lines_spec = holder.spec.doctrine.red_lines
            if lines_spec is None or aid == a.source:
                continue
            # The commitment is toward the one who crossed; a patron blamed for it is answered through its client.
            deadline = day + lines_spec.patience
            holder.commitments[a.source] = max(amount(holder.commitments, a.source, -1.0), deadline)
            # A crossing after this step's decisions is later than a choice made on the same day.
            holder.crossed_day[a.source] = day + 0.5 if self._deciding else day
            holder.crossed_rung[a.source] = max(holder.crossed_rung.get(a.source, -1), a.rung)
            self.stir(aid, a.source, day)
            self.log_red_line(aid, [a.source], a, day)

    def _answered(self, actor: Actor, a: Action) -> None:
        """A use of force answers a commitment toward its target and toward the target's patrons, if it was
        decided after the crossing (a strike prepared before it answers nothing)."""
        commitments = actor.commitments
        for who in self._landing[a.target][4]:
            if who in commitments and a.decided >= actor.crossed_day.get(who, math.inf):
                del commitments[who]
                actor.crossed_rung.pop(who, None)

    def _calm(self, a: Action) -> None:
        """An offer of calm: the adversary's grievance eases, more so through a working channel, and it reads the
        offer as a little less resolve."""
        target = self.actors[a.target]
        channel = self.network.channel(a.source, a.target) * self.channel_open(a.source, a.target)
        g = target.grievance.get(a.source)
        if g:
            target.grievance[a.source] = g * (1.0 - (0.2 + 0.5 * channel))
        r = target.resolve_seen.get(a.source)
        if r is not None:
            target.resolve_seen[a.source] = r * 0.98

    def _read_resolve(self, shown: dict[str, list]) -> None:
        """Everyone reads the resolve each actor showed this step through noisy observation: fully when the
        strike was on them or on someone the striker blames them for, half when on an actor they are tied to
        (an adversary, a client, a partner), a quarter otherwise. A back channel between the two lets the observer
        read the act with less noise (redline.engine.resolving)."""
        noise_sd = self.behaviour.observation_noise
        opened, draws, actors = self._open, self.draws, self.actors
        for source, (signal, targets) in shown.items():
            observers = self._observers[source]
            noise = draws.normals(len(observers))
            blames = self._blamed_by[source]
            blamed = (
                {patron for patron, via in blames if targets.intersection(via)} if blames else NO_ONE_BLAMED
            )
            read_resolve(
                source, signal, targets, blamed, actors[source].capability, observers, noise, noise_sd, opened
            )

    def _engage(self, guarantor: str, attack: Action, day: float) -> None:
        """A guarantee engaged: the guarantor shows force to the attacker's patrons and to the states hostile to
        the one it protects, to deter them from joining in."""
        if guarantor == self.player:  # the player's to honour: it is told, nothing is done for it
            self.engaged.append((attack.target, attack.source))
            return
        shown = {
            a.target
            for _, a in (*self._done, *self._pending)
            if a.source == guarantor and a.cause == GUARANTEE
        }
        deterred = {p.source for p in self.network.patrons_of(attack.source)}
        deterred |= {h for h in self.network.hostile_to(attack.target) if self.actors[h].spec.kind == "state"}
        rung = self.rungs.index.get("show_of_force", self.rungs.lowest_hostile)
        for other in sorted(deterred - shown - {guarantor}):
            self._pending.append((day, Action(guarantor, other, rung, GUARANTEE)))

    def record(self) -> None:
        """One metrics row per actor for this step."""
        posture, attacks = self._posture_now, self._attacks_now
        metrics, t = self._metric_rows, self._t
        for aid, actor in self.actors.items():
            grievance, pressure = _most(actor.grievance), _most(actor.pressure)
            metrics.extend(
                (
                    t,
                    aid,
                    posture.get(aid, -1),
                    actor.capability,
                    grievance,
                    actor.fear(),
                    pressure,
                    attacks.get(aid, 0),
                )
            )

    def take_apart(self) -> None:
        """Let go of everything the escalation and its actors hold, for a caller done with it (the runner, once it
        has read a run's tables). Its actors and it hold one another: left whole, they wait for the garbage
        collector, whose passes then walk the runs piled up since the last one; taken apart, each object is freed as
        its last reference goes. The escalation is unusable after."""
        for actor in self._order:
            actor.take_apart()

    def date(self, day: int) -> dt.date:
        return self.spec.time.start + dt.timedelta(days=day)
