"""Doctrines: the small rules an actor applies each step.

Each doctrine is a class named after what it does, built from its block in the scenario (sim.language), with the
claims of the evidence base its mechanism rests on (`rests_on`; a scenario's own `evidence:` says where its numbers
come from). A doctrine acts in one or more phases of the step:

- perceive: read what happened last step (red lines, observed resolve);
- influence: act on clients (pressure, resupply);
- propose: put forward actions (a campaign's attacks, a retaliation);
- constrain: cap or hold back a proposed action (restraint, domestic costs);
- conclude: after deciding (grievance fades before the next harm arrives).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from agents.actions import CAMPAIGN, PRESSURE, RETALIATION, Action
from sim import language as lang

if TYPE_CHECKING:
    from agents.actor import Actor


class Doctrine:
    """Base: a doctrine does nothing in a phase unless it says so."""

    name: ClassVar[str]
    summary: ClassVar[str]
    rests_on: ClassVar[tuple[str, ...]]  # claim ids in seeds/ for the mechanism itself

    def perceive(self, actor: Actor) -> None:
        pass

    def influence(self, actor: Actor) -> None:
        pass

    def propose(self, actor: Actor) -> Iterable[Action]:
        return ()

    def constrain(self, actor: Actor, action: Action) -> None:
        pass

    def conclude(self, actor: Actor) -> None:
        pass


def red_line_crossers(lines: lang.RedLines, actor: Actor) -> set[str]:
    """Who crossed one of `lines` last step: struck the actor or one of the named allies at or above the
    threshold rung, or killed more of the actor's people than the line allows."""
    world = actor.model
    floor = world.rungs.index[lines.min_rung]
    crossers: set[str] = set()
    if lines.own_territory_struck:
        crossers |= {src for src, rung in world.struck_last.get(actor.aid, ()) if rung >= floor}
    for ally in lines.allies_struck:
        crossers |= {src for src, rung in world.struck_last.get(ally, ()) if rung >= floor}
    if lines.casualties_above is not None:
        deaths = world.deaths_last.get(actor.aid, {})
        if sum(deaths.values()) > lines.casualties_above:
            crossers |= {src for src, n in deaths.items() if n > 0}
    return crossers


class Retaliation(Doctrine):
    name = "retaliation"
    summary = (
        "Harm received from an actor, or blamed on it, builds grievance; past a threshold it is answered."
    )
    rests_on = ("s001.c2", "s002.c16", "s003.c5")  # the US strikes back; Israel answers 7 October

    def __init__(self, spec: lang.Retaliation):
        self.spec = spec

    def conclude(self, actor: Actor) -> None:
        # Grievance fades between steps; it fades faster toward an actor one has a working back channel with.
        for other in actor.grievance:
            actor.grievance[other] *= self.spec.memory * actor.model.channel_damping(actor.aid, other)

    def propose(self, actor: Actor) -> Iterable[Action]:
        rungs = actor.model.rungs
        for other, g in actor.grievance.items():
            # Deterrence: the more resolve the actor has seen in `other`, the more it takes to strike back.
            bar = self.spec.threshold * (
                1.0 + actor.spec.cost_sensitivity * actor.resolve_seen.get(other, 0.0)
            )
            if g < bar or g <= 0:
                continue
            # An actor pressed by its patrons, or afraid, lets some blows go unanswered (the grievance stays).
            will = actor.will(other)
            if will < 1.0 and actor.model.rng.random() >= will:
                continue
            received = actor.worst_received.get(other, rungs.lowest_hostile)
            if self.spec.response == "proportional":
                rung = rungs.proportional(g)
            elif self.spec.response == "tit_for_tat":
                rung = received
            else:
                rung = min(rungs.top, received + 1)
            yield Action(actor.aid, other, rung, RETALIATION)

    def settle(self, actor: Actor, action: Action) -> None:
        """A response spends grievance: at least the threshold's worth, more if the response did more harm."""
        spent = max(self.spec.threshold, actor.model.rungs.expected_harm[action.rung])
        actor.grievance[action.target] = max(0.0, actor.grievance[action.target] - spent)
        actor.worst_received.pop(action.target, None)


class Restraint(Doctrine):
    name = "restraint"
    summary = "A highest rung the actor will use, lifted only by named red lines."
    rests_on = ("s002.c8", "s002.c11", "s002.c13")  # Iran out unless its soil is hit; Hezbollah short of war

    def __init__(self, spec: lang.Restraint):
        self.spec = spec
        self.crossed_by: set[str] = set()  # who has crossed a red line: the general cap is lifted for good

    def perceive(self, actor: Actor) -> None:
        new = red_line_crossers(self.spec.lifted_by, actor) - self.crossed_by
        if new:
            self.crossed_by |= new
            actor.model.log_red_line(actor.aid, sorted(new))

    def cap(self, actor: Actor, target: str) -> int:
        rungs = actor.model.rungs
        if target in self.spec.toward:  # a cap toward one actor is lifted only by that actor's own crossing
            return rungs.top if target in self.crossed_by else rungs.index[self.spec.toward[target]]
        return rungs.top if self.crossed_by else rungs.index[self.spec.max_rung]

    def constrain(self, actor: Actor, action: Action) -> None:
        action.rung = min(action.rung, self.cap(actor, action.target))


class Domestic(Doctrine):
    name = "domestic"
    summary = "Costs at home grow with the rung: each rung above the comfortable one may be held back."
    rests_on = ("s002.c14", "s004.c9")  # Lebanon's fragility; a US election year

    def __init__(self, spec: lang.Domestic):
        self.spec = spec

    def constrain(self, actor: Actor, action: Action) -> None:
        comfort = actor.model.rungs.index[self.spec.comfort_rung]
        rng = actor.model.rng
        while action.rung > comfort and rng.random() < self.spec.cost:
            action.rung -= 1


class Campaign(Doctrine):
    name = "campaign"
    summary = "An armed group keeps up attacks on its targets while its capability and will last."
    rests_on = ("s001.c5", "s002.c5", "s002.c6")  # sustained attacks on US forces, Israel and shipping

    def __init__(self, spec: lang.Campaign):
        self.spec = spec
        self.started = spec.starts_when is None

    def perceive(self, actor: Actor) -> None:
        if not self.started and self.spec.starts_when and red_line_crossers(self.spec.starts_when, actor):
            self.started = True

    def intensity(self, actor: Actor, target: str) -> float:
        """Share of the full attack rate on `target` the group keeps up: its remaining capability times its will,
        which its patrons' pressure and its own fear of the target's resolve wear down."""
        strength = actor.capability / actor.spec.capability if actor.spec.capability > 0 else 0.0
        return strength * actor.will(target)

    def propose(self, actor: Actor) -> Iterable[Action]:
        if not self.started:
            return
        rng = actor.model.rng
        rung = actor.model.rungs.index[self.spec.rung]
        for target, rate in self.spec.targets.items():
            for _ in range(rng.poisson(rate * self.intensity(actor, target))):
                yield Action(actor.aid, target, rung, CAMPAIGN)


class Support(Doctrine):
    name = "support"
    summary = (
        "A patron resupplies its clients and takes the harm they suffer to heart, without fighting for them."
    )
    rests_on = ("s002.c1", "s001.c7", "s003.c3")  # backing without intervening; arms and money

    def __init__(self, spec: lang.Support):
        self.spec = spec

    def influence(self, actor: Actor) -> None:
        for rel in actor.model.network.clients_of(actor.aid):
            client = actor.model.actor(rel.target)
            client.capability = min(
                client.spec.capability, client.capability + self.spec.resupply * rel.level
            )


class Pressure(Doctrine):
    name = "pressure"
    summary = (
        "A patron that fears direct war with an adversary presses the clients that attack it to scale down, "
        "as far as its control reaches."
    )
    rests_on = ("s001.c1", "s001.c9")  # Tehran asks the militias to stop; the Quds Force visit

    def __init__(self, spec: lang.Pressure):
        self.spec = spec

    def influence(self, actor: Actor) -> None:
        feared = [a for a in actor.resolve_seen if actor.fear_of(a) >= self.spec.fear_threshold]
        if not feared:
            return
        net = actor.model.network
        for rel in net.clients_of(actor.aid):
            client = actor.model.actor(rel.target)
            # Only attacks on a feared adversary are pressed down: the patron fears that war, not the others.
            targets = [a for a in feared if client.aid in net.hostile_to(a)]
            if not targets:
                continue
            # The client ignores the share of the pressure its autonomy allows.
            share = self.spec.strength * rel.control * (1.0 - client.spec.autonomy)
            for a in targets:
                client.pressure[a] = max(client.pressure.get(a, 0.0), share)
            actor.model.act(Action(actor.aid, client.aid, actor.model.rungs.index["de_escalate"], PRESSURE))


class Learning(Doctrine):
    name = "learning"
    summary = "The actor raises its estimate of an adversary's resolve when it sees a costly strike."
    rests_on = ("s001.c6", "s004.c10")  # US deaths would mean war; memories of 2020

    def __init__(self, spec: lang.Learning):
        self.spec = spec

    def start(self, actor: Actor) -> None:
        for other in self.spec.about:
            actor.resolve_seen[other] = self.spec.prior

    def perceive(self, actor: Actor) -> None:
        world = actor.model
        watched = {actor.aid} | {r.target for r in world.network.clients_of(actor.aid)}
        for other in self.spec.about:
            shown = max(
                (
                    world.rungs.signal(rung)
                    for target in watched
                    for src, rung in world.struck_last.get(target, ())
                    if src == other
                ),
                default=None,
            )
            est = actor.resolve_seen[other]
            if shown is not None and shown > est:
                actor.resolve_seen[other] = est + self.spec.rate * (shown - est)
            else:  # memories fade: without new shows of resolve the estimate drifts back to the prior
                actor.resolve_seen[other] = est + 0.05 * self.spec.rate * (self.spec.prior - est)


DOCTRINES: dict[str, type[Doctrine]] = {
    cls.name: cls for cls in (Retaliation, Restraint, Domestic, Campaign, Support, Pressure, Learning)
}
# The order in which an actor's constraints apply to a proposed action: the cap first, then domestic hold-backs.
CONSTRAINT_ORDER = ("restraint", "domestic")


def from_spec(spec: lang.Doctrine) -> dict[str, Doctrine]:
    """The doctrines an actor's scenario block names, by name."""
    out = {}
    for name, cls in DOCTRINES.items():
        block = getattr(spec, name)
        if block is not None:
            out[name] = cls(block)  # type: ignore[call-arg]
    return out
