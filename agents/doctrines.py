"""Doctrines: the small parts of an actor's aims, fears and means.

No doctrine picks an action. Each adds terms to what the actor weighs toward one adversary (`weigh`: a motive, a
commitment, a cost, an option it lacks), or acts between decisions (patrons on clients, beliefs, fading grievance).
The actor then chooses the option of the highest expected utility (redline.agents.actor). Each doctrine cites the
claims of the evidence base its mechanism rests on (`rests_on`) and the models of the field it follows (docs/model.md).

Phases of a step: perceive (expire commitments) -> influence (patrons on clients) -> weigh (per adversary, while
deciding) -> conclude (grievance fades).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from mypy_extensions import mypyc_attr

from redline.agents.actions import MEDIATION, PRESSURE, Action, Fields
from redline.agents.weighing import amount
from redline.language import spec as lang

if TYPE_CHECKING:
    from redline.agents.actor import Actor


class Stakes(Fields):
    """What an actor weighs toward one adversary this step; doctrines fill it in. (A class with its own __init__, not
    a dataclass: compiled, a dataclass's generated __init__ stays Python.)"""

    motive: float  # wish to harm, log-harm units: grievance and standing hostility
    commitment: float  # audience cost of leaving a crossed red line unanswered
    answer_reach: float  # how far up the ladder an answer must go to honour the line in full
    pressure: float  # cost of defying patrons, per unit of reach (how far up the ladder a use of force goes)
    domestic: float  # cost per rung above `comfort`
    comfort: int
    max_rung: int  # highest rung the actor has at all toward this adversary
    tempo: float  # attacks per day of a campaign on this adversary
    campaign_rung: int

    def __init__(
        self,
        motive: float = 0.0,
        commitment: float = 0.0,
        answer_reach: float = 1.0,
        pressure: float = 0.0,
        domestic: float = 0.0,
        comfort: int = 10**6,
        max_rung: int = 10**6,
        tempo: float = 0.0,
        campaign_rung: int = -1,
    ) -> None:
        self.motive = motive
        self.commitment = commitment
        self.answer_reach = answer_reach
        self.pressure = pressure
        self.domestic = domestic
        self.comfort = comfort
        self.max_rung = max_rung
        self.tempo = tempo
        self.campaign_rung = campaign_rung

    def _fields(self) -> tuple:
        return (
            self.motive,
            self.commitment,
            self.answer_reach,
            self.pressure,
            self.domestic,
            self.comfort,
            self.max_rung,
            self.tempo,
            self.campaign_rung,
        )

    def but_motive(self, motive: float) -> Stakes:
        """A copy with another motive: the fixed terms toward a target, worked out once, start each weighing."""
        return Stakes(motive, *self._fields()[1:])


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Doctrine:
    """Base: a doctrine does nothing in a phase unless it says so."""

    name: ClassVar[str]
    summary: ClassVar[str]
    rests_on: ClassVar[tuple[str, ...]]  # claim ids in seeds/ for the mechanism itself
    follows: ClassVar[str]  # the model of the field it follows
    # Whether what it weighs toward a target follows from the scenario alone, never from the run: the actor then
    # weighs it once per target and starts every weighing from that. Such a doctrine sets only terms that no other
    # doctrine reads or adds to, so the order in which the two kinds are weighed does not matter.
    fixed: ClassVar[bool] = False

    def toward(self, target: str) -> bool:
        """Whether the doctrine may weigh anything at all toward `target`: a test that holds for the whole run."""
        return True

    def perceive(self, actor: Actor) -> None:
        pass

    def influence(self, actor: Actor) -> None:
        pass

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        pass

    def conclude(self, actor: Actor) -> None:
        pass


def retention(half_life_days: float, days: float) -> float:
    """Share of something with this half-life that is left after `days`."""
    return 0.5 ** (days / half_life_days)


@mypyc_attr(allow_interpreted_subclasses=True)
class Retaliation(Doctrine):
    name = "retaliation"
    summary = "Harm received, or blamed on someone, is a motive to answer; it fades with a half-life in days."
    rests_on = ("s001.c2", "s002.c16", "s003.c5")  # the US strikes back; Israel answers 7 October
    follows = "Richardson's reaction process: grievance grows with harm received and fades with time"

    def __init__(self, spec: lang.Retaliation):
        self.spec = spec
        self._kept: tuple[float, float] = (-1.0, 1.0)  # (step length, retention per step), computed once
        self._channels: dict[str, float] = {}  # other -> the back channel's level (fixed for a run)
        self._scale: dict[str, float] = {}  # target -> what a unit of log-grievance adds to the motive

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        g = amount(actor.grievance, target, 0.0)
        if g > 0:
            scale = self._scale.get(target)
            if scale is None:  # the weight times the hostility: both fixed for a run
                scale = self._scale[target] = self.spec.weight * actor.hostility(target)
            stakes.motive += scale * math.log1p(g)

    def conclude(self, actor: Actor) -> None:
        world = actor.model
        dt = world.dt
        if self._kept[0] != dt:
            self._kept = (dt, retention(self.spec.half_life, dt))
        kept = self._kept[1]
        channels = self._channels
        for other in actor.grievance:
            # A working back channel lets grievance between the two fade faster (its half-life shortened by up to
            # a half): messages explain and reassure.
            channel = channels.get(other)
            if channel is None:
                channel = channels[other] = world.network.channel(actor.aid, other)
            if channel:
                channel *= world.channel_open(actor.aid, other)
            if channel:
                actor.grievance[other] *= retention(self.spec.half_life * (1.0 - 0.5 * channel), dt)
            else:
                actor.grievance[other] *= kept
        credit = actor.credit
        for other in credit:  # credit for a blow dealt fades at the half-life, a back channel or not
            credit[other] *= kept

    @property
    def lag(self) -> float:
        return self.spec.lag


@mypyc_attr(allow_interpreted_subclasses=True)
class Aims(Doctrine):
    name = "aims"
    summary = (
        "An aim pursued by force, whatever the adversary does next: to take away its means of fighting. The motive "
        "is worth the heaviest blow the actor can deal, for as long as the adversary keeps its strength."
    )
    rests_on = ("s003.c5",)  # Israel's campaign to destroy Hamas's military capacity
    follows = (
        "Schelling's compellence and brute force: coercion that ends when the adversary can no longer fight"
    )

    def __init__(self, spec: lang.Aims):
        self.spec = spec

    def toward(self, target: str) -> bool:
        return bool(self.spec.disarm.get(target))

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        weight = self.spec.disarm.get(target)
        if not weight:
            return
        world = actor.model
        other = world.actors[target]
        left = other.capability / other.full_capability if other.full_capability > 0 else 0.0
        stakes.motive += weight * left * math.log1p(actor.heaviest_blow())


@mypyc_attr(allow_interpreted_subclasses=True)
class RedLines(Doctrine):
    name = "red_lines"
    summary = (
        "Declared red lines are commitments: a crossing makes answering with force worth an audience cost; "
        "silence past the actor's patience lowers what others believe of its resolve."
    )
    rests_on = ("s002.c8", "s002.c11", "s001.c6")  # Iran's soil; US deaths would mean war
    follows = "Schelling's commitment; Fearon's audience costs"

    def __init__(self, spec: lang.RedLines):
        self.spec = spec

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        crossed = actor.crossed_rung.get(target)
        if target in actor.commitments and crossed is not None:
            # Credibility asks for an answer one rung above the crossing (Schelling): less honours it in part.
            rungs = actor.model.rungs
            stakes.commitment += self.spec.audience_cost
            stakes.answer_reach = rungs.reach[min(rungs.top, crossed + 1)]

    def perceive(self, actor: Actor) -> None:
        day = actor.model.day
        for other, deadline in list(actor.commitments.items()):
            if day > deadline:
                del actor.commitments[other]
                actor.crossed_rung.pop(other, None)
                actor.model.unanswered(actor.aid, other)


@mypyc_attr(allow_interpreted_subclasses=True)
class Limits(Doctrine):
    name = "limits"
    summary = "Options the actor does not have: no means, or no way to reach the target. The only hard cap."
    # The means each group has: Hamas's rockets and tunnels, the militias' drones and rockets, missiles from Yemen.
    rests_on = ("s003.c11", "s002.c15", "s003.c18")
    follows = "Kahn's ladder: the rungs an actor can climb"
    fixed = True

    def __init__(self, spec: lang.Limits):
        self.spec = spec
        self._index: dict[str, int] = {}

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        rung = self.spec.toward.get(target, self.spec.max_rung)
        i = self._index.get(rung)
        if i is None:
            i = self._index[rung] = actor.model.rungs.index[rung]
        stakes.max_rung = min(stakes.max_rung, i)


@mypyc_attr(allow_interpreted_subclasses=True)
class Domestic(Doctrine):
    name = "domestic"
    summary = "Costs at home grow with each rung above the one the public accepts."
    # Hezbollah's place in fragile Lebanese politics; a US election year in which escalation is expected to help
    # the challenger.
    rests_on = ("s002.c14", "s004.c9")
    follows = "Putnam's two-level games: leaders weigh the domestic price of escalation"
    fixed = True

    def __init__(self, spec: lang.Domestic):
        self.spec = spec

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        stakes.domestic += self.spec.cost
        stakes.comfort = min(stakes.comfort, actor.model.rungs.index[self.spec.comfort_rung])


@mypyc_attr(allow_interpreted_subclasses=True)
class Campaign(Doctrine):
    name = "campaign"
    summary = "An armed group's tempo: how many attacks a day it can keep up on a target once it chooses to."
    rests_on = ("s001.c5", "s002.c5", "s002.c6")  # sustained attacks on US forces, Israel and shipping
    follows = "Richardson: the level of hostility an actor keeps up, here limited by its means"
    fixed = True

    def __init__(self, spec: lang.Campaign):
        self.spec = spec

    def weigh(self, actor: Actor, target: str, stakes: Stakes) -> None:
        rate = self.spec.per_day.get(target)
        if rate:
            stakes.tempo = rate
            stakes.campaign_rung = actor.model.rungs.index[self.spec.rung]


@mypyc_attr(allow_interpreted_subclasses=True)
class Support(Doctrine):
    name = "support"
    summary = (
        "A patron resupplies its clients, takes the harm they suffer to heart, and counts the harm they do as its "
        "own answer, so it need not fight itself."
    )
    rests_on = ("s002.c1", "s001.c7", "s003.c3", "s002.c9")  # backing without intervening; arms and money
    follows = "principal-agent models of delegation to proxies (Salehyan)"
    MATERIAL: ClassVar[frozenset[str]] = frozenset({"arms", "money", "training"})

    def __init__(self, spec: lang.Support):
        self.spec = spec
        self._resupplied: list[tuple[str, float]] | None = None  # (client, capability restored a step)

    def influence(self, actor: Actor) -> None:
        world = actor.model
        resupplied = self._resupplied
        if resupplied is None:  # fixed for a run: worked out on the first step
            resupplied = self._resupplied = []
            for rel in world.network.clients_of(actor.aid):
                # Only material channels rebuild a client's means; political and intelligence backing do not.
                material = len(self.MATERIAL.intersection(rel.channels)) / len(self.MATERIAL)
                if material:
                    resupplied.append((rel.target, self.spec.resupply * rel.level * material * world.dt))
        for aid, restored in resupplied:
            client = world.actors[aid]
            client.capability = min(client.full_capability, client.capability + restored)


@mypyc_attr(allow_interpreted_subclasses=True)
class Pressure(Doctrine):
    name = "pressure"
    summary = (
        "A patron that fears an adversary's answer presses the clients that attack that adversary to stop: "
        "defying it becomes a cost, as far as its control and their dependence reach."
    )
    rests_on = ("s001.c1", "s001.c9", "s002.c10")  # Tehran asks the militias to stop; the Quds Force visit
    follows = "principal-agent control of proxies; Bueno de Mesquita's expected utility for the patron's fear"

    def __init__(self, spec: lang.Pressure):
        self.spec = spec

    def influence(self, actor: Actor) -> None:
        feared = [a for a in actor.adversaries() if actor.fear_of(a) >= self.spec.fear_threshold]
        if not feared:
            return
        world = actor.model
        for rel in world.network.clients_of(actor.aid):
            targets = [a for a in feared if a in world.actors[rel.target].hostile_targets()]
            if targets:
                press(actor, rel, targets, self.spec.strength, PRESSURE)


def press(patron: Actor, rel: lang.Supports, targets: Iterable[str], strength: float, cause: str) -> None:
    """`patron` presses its client `rel.target` to stop attacking `targets` this step: each use of force on one of
    them costs the client `strength` (0-1, the cost for a fully dependent client) scaled by the patron's control,
    the client's dependence and the model's leverage, per unit of reach. The press is written as an action on the
    ladder's de-escalation rung, for `cause`. The pressure doctrine presses through it, and so does a player."""
    world = patron.model
    client = world.actors[rel.target]
    # The client ignores the share of the pressure its autonomy allows; it heeds it as far as it depends on the
    # patron (the support's level).
    cost = strength * rel.control * rel.level * (1.0 - client.spec.autonomy) * world.behaviour.leverage
    for a in targets:
        if a not in client.pressed_before:  # being pressed anew is news: the client weighs its choice again
            client.news[a] = max(client.news.get(a, -math.inf), world.day)
        client.pressure[a] = max(amount(client.pressure, a, 0.0), cost)
    world.act(Action(patron.aid, client.aid, world.rungs.de_escalate or 0, cause))


@mypyc_attr(allow_interpreted_subclasses=True)
class Learning(Doctrine):
    name = "learning"
    summary = "Where the actor's estimate of some adversaries' resolve starts, and how fast it follows what it sees."
    rests_on = ("s001.c6", "s004.c10")  # US deaths would mean war; memories of 2020
    follows = "Fearon's private information: resolve is learned from costly signals"

    def __init__(self, spec: lang.Learning):
        self.spec = spec

    def rate(self, other: str, default: float) -> float:
        return self.spec.rate if other in self.spec.about else default

    def prior(self, other: str) -> float | None:
        return self.spec.prior if other in self.spec.about else None


@mypyc_attr(allow_interpreted_subclasses=True)
class Mediation(Doctrine):
    name = "mediation"
    summary = (
        "A mediator carries messages on the back channels that run through it while their parties fight."
    )
    rests_on = ("s004.c11", "s004.c13")  # channels that made the prisoner exchange possible
    follows = "mediation as information transfer (Kydd)"

    def __init__(self, spec: lang.Mediation):
        self.spec = spec

    def influence(self, actor: Actor) -> None:
        world = actor.model
        for a, b in world.mediated_by(actor.aid):
            if world.fighting(a, b):
                world.open_channel(a, b, self.spec.effort)
                for x in (a, b):
                    world.act(Action(actor.aid, x, world.rungs.de_escalate or 0, MEDIATION))


DOCTRINES: dict[str, type[Doctrine]] = {
    cls.name: cls
    for cls in (
        Retaliation,
        Aims,
        RedLines,
        Limits,
        Domestic,
        Campaign,
        Support,
        Pressure,
        Learning,
        Mediation,
    )
}


def from_spec(spec: lang.Doctrine) -> dict[str, Doctrine]:
    """The doctrines an actor's scenario block names, by name."""
    out = {}
    for name, cls in DOCTRINES.items():
        block = getattr(spec, name)
        if block is not None:
            out[name] = cls(block)  # type: ignore[call-arg]
    return out


def in_phase(doctrines: dict[str, Doctrine], phase: str) -> list[Doctrine]:
    """The doctrines that do something in `phase` (perceive, influence, weigh or conclude), in a fixed order: the
    others would only be called to do nothing, step after step."""
    base = getattr(Doctrine, phase)
    return [d for d in doctrines.values() if getattr(type(d), phase) is not base]
