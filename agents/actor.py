"""An actor of the crisis as a Mesa agent: what it holds (grievance, beliefs, commitments) and how it chooses.

Each step the actor weighs, toward each adversary, every option of the ladder (doing nothing and de-escalating
included) by expected utility (Bueno de Mesquita): what it wants (to answer harm, to honour a red line) against
what it expects to pay (the adversary's answer as it believes it to be, its domestic costs, its patrons' pressure).
Its doctrines fill in the terms (agents.doctrines); docs/model.md gives the formula and its sources.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from agents.actions import (
    CAMPAIGN,
    COERCION,
    COMMITMENT,
    DE_ESCALATION,
    RETALIATION,
    Action,
    Option,
)
from agents.doctrines import Retaliation, Stakes, from_spec, weighers
from sim import language as lang

if TYPE_CHECKING:
    from agents.world import World

PASSIVE = ("target", "mediator")  # kinds that do not use force on their own


def crossing_chance(deaths: float, limit: float) -> float:
    """Chance that an action meant to kill `deaths` (Poisson) kills more than `limit`."""
    term = total = math.exp(-deaths)
    for k in range(1, int(limit) + 1):
        term *= deaths / k
        total += term
    return max(0.0, 1.0 - total)


class Actor(mesa.Agent):
    """A state, armed group, host state, target or mediator. Kinds differ by their data and doctrines."""

    model: World  # type: ignore[assignment]

    def __init__(self, model: World, aid: str, spec: lang.Actor):
        super().__init__(model)  # type: ignore[arg-type]
        self.aid = aid
        self.spec = spec
        self.capability = spec.capability
        self.doctrines = from_spec(spec.doctrine)
        self._weighers = list(weighers(self.doctrines))
        retaliation = self.doctrines.get("retaliation")
        self.lag = retaliation.lag if isinstance(retaliation, Retaliation) else 0.0
        self.grievance: dict[str, float] = {}  # harm received from, or blamed on, each actor (fading)
        self.recent_harm: dict[str, float] = {}  # harm received from each actor over about the last week
        self.resolve_seen: dict[str, float] = {}  # estimate of each other actor's resolve, 0-1
        self.capability_seen: dict[str, float] = {}
        self.commitments: dict[str, float] = {}  # who crossed a red line of ours -> last day to answer
        self.crossed_in: dict[
            str, int
        ] = {}  # who crossed -> the step it did (an answer comes in a later step)
        self.answering = ""  # whom a strike decided after a crossing in this step answers
        self.crossed_rung: dict[str, int] = {}  # who crossed -> the highest rung it crossed with, unanswered
        self.pressure: dict[str, float] = {}  # target -> cost of defying patrons by attacking it, this step
        self.orders: dict[
            str, tuple[float, Option, str]
        ] = {}  # prepared strikes: target -> (day, option, cause)
        self.mood = 0.0  # a slow random swing in how much motives weigh (log scale)
        self.last_choice: dict[str, tuple[Option | None, float]] = {}  # target -> (option, utility), for play
        self._hostility = dict(model.network.hostility(aid))

    def start_beliefs(self) -> None:
        """Initial beliefs about every other actor: a prior where learning declares one, else its true resolve
        misread by observation noise (private information); capabilities are seen as they are."""
        world = self.model
        learning = self.doctrines.get("learning")
        noise = world.behaviour.observation_noise
        for other, a in world.actors.items():
            if other == self.aid:
                continue
            prior = learning.prior(other) if learning is not None else None  # type: ignore[attr-defined]
            if prior is None:
                prior = min(1.0, max(0.0, a.spec.resolve + noise * float(world.rng.standard_normal())))
            self.resolve_seen[other] = prior
            self.capability_seen[other] = a.capability

    # --- what the actor holds ------------------------------------------------------------------------------------

    def hostility(self, other: str) -> float:
        """How strongly the actor regards `other` as an adversary: its declared hostility, or a half for anyone it
        holds a grievance against (assumed: harm done makes an adversary of a stranger)."""
        return self._hostility.get(other, 0.5)

    def hostile_targets(self) -> dict[str, float]:
        return self._hostility

    def adversaries(self) -> list[str]:
        """Declared adversaries, and anyone who hurt it directly or crossed its red lines, in a fixed order. A
        grievance held on a partner's behalf adds to the motive toward an adversary; it makes no new one."""
        out = list(self._hostility)
        for other in (*self.recent_harm, *self.commitments):
            if other not in self._hostility and other not in out and other != self.aid:
                out.append(other)
        return out

    def answer_strength(self, other: str, rung: int | None = None) -> float:
        """The capability that would answer a blow at `other` on `rung` (the top, if not given), as the actor sees
        it: `other`'s own, that of its clients hostile to the actor as far as `other` supports them, and that of
        its guarantors when the blow reaches their trigger (a patron's network and its protectors answer with it)."""
        world = self.model
        seen = self.capability_seen
        strength = seen.get(other, 0.0)
        for client, level in world.allies_against(other, self.aid):
            strength += seen.get(client, 0.0) * level
        top = world.rungs.top if rung is None else rung
        for guarantor, trigger in world.protectors_of(other):
            if top >= trigger and guarantor != self.aid:
                strength += seen.get(guarantor, 0.0)
        return strength

    def fear_of(self, other: str) -> float:
        """Fear of `other`'s answer: its resolve and the strength that would answer, as the actor sees them, times
        how much costs weigh with the actor."""
        return self.resolve_seen.get(other, 0.5) * self.answer_strength(other) * self.spec.cost_sensitivity

    def heaviest_blow(self) -> float:
        """The harm of the ladder's top rung over the decision horizon, at the actor's capability."""
        world = self.model
        rungs = world.rungs
        top = rungs.top
        per_action = rungs.severity[top] + rungs.casualties[top] * self.capability
        return per_action * (world.horizon if rungs.per_day[top] else 1.0)

    def fear(self) -> float:
        """Fear of the most feared adversary."""
        return max((self.fear_of(a) for a in self.adversaries()), default=0.0)

    def doctrine_names(self) -> list[str]:
        return list(self.doctrines)

    # --- the phases of a step, in the order the model calls them --------------------------------------------------

    def perceive(self) -> None:
        self.pressure = {}
        self.answering = ""
        for d in self.doctrines.values():
            d.perceive(self)

    def influence(self) -> None:
        for d in self.doctrines.values():
            d.influence(self)

    def decide(self) -> None:
        world = self.model
        if self.spec.kind in PASSIVE or self.capability <= 0:
            return
        struck = self._carry_out_orders()
        for target in self.adversaries():
            if target in self.orders or target in struck:
                continue
            stakes = self.weigh(target)
            option, utility = self.choose(target, stakes)
            self.last_choice[target] = (option, utility)
            if option is not None:
                self.carry_out(target, option, stakes)
            elif utility < 0 and world.rungs.de_escalate is not None:
                world.act(Action(self.aid, target, world.rungs.de_escalate, DE_ESCALATION))

    def answer(self, target: str, day: float) -> None:
        """A red line of the actor's was crossed on `day` of this step: it weighs its answer at once, and strikes
        before the step ends if the strike can be ready by then."""
        if self.spec.kind in PASSIVE or self.capability <= 0 or target in self.orders:
            return
        stakes = self.weigh(target)
        option, utility = self.choose(target, stakes)
        if option is not None and option.force:
            self.answering = target
            self.carry_out(target, option, stakes, start=day)

    def conclude(self) -> None:
        for d in self.doctrines.values():
            d.conclude(self)
        kept = 0.5 ** (self.model.dt / 7.0)  # recent harm: about the last week
        for other in self.recent_harm:
            self.recent_harm[other] *= kept

    # --- choosing ------------------------------------------------------------------------------------------------

    def weigh(self, target: str) -> Stakes:
        """The terms of the choice toward `target`: doctrines fill in motives, commitments, costs and limits."""
        stakes = Stakes(motive=self.model.behaviour.standing_motive * self._hostility.get(target, 0.0))
        for d in self._weighers:
            d.weigh(self, target, stakes)
        stakes.pressure += self.pressure.get(target, 0.0)
        return stakes

    def choose(self, target: str, stakes: Stakes) -> tuple[Option | None, float]:
        """The option of the highest expected utility toward `target`, or None for doing nothing (utility 0) or
        de-escalating (returned as None with a negative utility: doing nothing is worse than offering calm).

        Utility of an option, in log-harm units over the decision horizon (docs/model.md):
            resolve * e^mood * (min(harm, motive) + commitment * min(1, reach / reach asked))
            - fear * harm of the expected answer - domestic cost - (patrons' pressure + force cost) * reach
        """
        world = self.model
        b = world.behaviour
        if stakes.motive <= 0 and stakes.commitment <= 0:
            return self._calm(target)
        rungs = world.rungs
        cap = self.capability
        strength = cap / self.spec.capability if self.spec.capability > 0 else 0.0
        weight = self.spec.resolve * math.exp(self.mood)
        # What the actor fears from `target`: the chance it answers (its resolve, as the actor sees it) times the
        # harm of its answer, weighed by how much costs matter to the actor.
        fear = b.stakes * self.spec.cost_sensitivity * self.resolve_seen.get(target, 0.5)
        force_cost = b.force_cost * self.spec.cost_sensitivity
        lines = world.red_lines_of(target)
        best: Option | None = None
        best_u = 0.0
        for o in rungs.options:
            if o.rung > stakes.max_rung:
                break
            harm = self.option_harm(o, cap, strength, stakes)
            x = math.log1p(harm)
            gain = min(x, stakes.motive)
            if o.force and stakes.commitment:
                gain += stakes.commitment * min(1.0, o.reach / stakes.answer_reach)
            u = weight * gain
            if fear > 0:
                u -= fear * self.expected_answer(target, o, stakes, lines)
            if o.rung > stakes.comfort:
                u -= stakes.domestic * (o.rung - stakes.comfort)
            if o.force:
                # Larger operations cost more to mount and to justify: the cost of force grows with its scale.
                u -= stakes.pressure * o.reach + force_cost * (0.5 + o.reach)
            if u > best_u:
                best, best_u = o, u
        if best is None:
            return self._calm(target)
        return best, best_u

    def option_harm(self, o: Option, capability: float, strength: float, stakes: Stakes) -> float:
        """The harm an option does over the decision horizon at `capability`: one strike, a campaign's attacks at
        its tempo (times `strength`, the share of its means it has left), or a war's days of fighting."""
        world = self.model
        rungs = world.rungs
        per_action = o.severity + o.deaths * capability
        if o.rung == stakes.campaign_rung:
            return per_action * stakes.tempo * world.horizon * strength
        if rungs.per_day[o.rung]:
            return per_action * world.horizon
        tempo = rungs.tempo[o.rung]
        if tempo:
            return per_action * tempo * world.horizon * strength
        return per_action

    def expected_answer(
        self, target: str, o: Option, stakes: Stakes, lines: tuple[bool, int, float | None] | None
    ) -> float:
        """The harm (log scale) of the answer the actor expects if `target` answers: in kind, at the strength that
        would answer (its own, its network's, its guarantors' if the blow engages them); one rung higher if the
        option crosses one of its declared red lines, since it is committed to answer above the crossing. Weighed
        by the balance of strength (Bueno de Mesquita's chance of prevailing): a weaker actor has more to fear
        from the same answer; equal strength weighs 1."""
        world = self.model
        rungs = world.rungs
        answering = self.answer_strength(target, o.rung)
        total = answering + self.capability
        balance = 2.0 * answering / total if total > 0 else 0.0
        in_kind = math.log1p(self.option_harm(o, answering, 1.0, stakes))
        crossing = 0.0
        if lines is not None:
            own, floor, limit = lines
            if own and o.rung >= floor:
                crossing = 1.0
            elif limit is not None:
                crossing = crossing_chance(o.deaths * self.capability, limit)
        if crossing == 0.0:
            return balance * in_kind
        up = min(rungs.top, o.rung + 1)
        above = (rungs.severity[up] + rungs.casualties[up] * answering) * (
            world.horizon if rungs.per_day[up] else 1.0
        )
        return balance * ((1.0 - crossing) * in_kind + crossing * math.log1p(above))

    def _calm(self, target: str) -> tuple[None, float]:
        """Doing nothing, or offering calm when the adversary's blows are feared more than they are resented."""
        recent = self.recent_harm.get(target, 0.0)
        if recent <= 0:
            return None, 0.0
        b = self.model.behaviour
        threat = b.stakes * self.fear_of(target) * math.log1p(recent)
        motive = b.standing_motive * self._hostility.get(target, 0.0) + math.log1p(
            self.grievance.get(target, 0.0)
        )
        return None, min(0.0, self.spec.resolve * motive - threat)

    def carry_out(self, target: str, option: Option, stakes: Stakes, start: float | None = None) -> None:
        """Turn a chosen option into this step's actions: a campaign's attacks spread over the step, a day of war
        per day, or one strike after the days it takes to prepare (counted from `start`, the step's first day by
        default)."""
        world = self.model
        start = world.day if start is None else start
        rungs = world.rungs
        if option.force and stakes.commitment > 0:
            cause = COMMITMENT
        elif option.rung == stakes.campaign_rung:
            cause = CAMPAIGN
        elif self.grievance.get(target, 0.0) > 0:
            cause = RETALIATION
        else:
            cause = COERCION
        intended = option.deaths * self.capability
        tempo = stakes.tempo if option.rung == stakes.campaign_rung else rungs.tempo[option.rung]
        if tempo:
            strength = self.capability / self.spec.capability if self.spec.capability > 0 else 0.0
            n = int(world.rng.poisson(tempo * world.dt * strength))
            for k in range(n):
                day = world.day + int((k + 0.5) * world.dt / n)
                world.act(
                    Action(self.aid, target, option.rung, cause, manner=option.manner, intended=intended), day
                )
        elif rungs.per_day[option.rung]:
            a = Action(
                self.aid, target, option.rung, cause, manner=option.manner, intended=intended * world.dt
            )
            a.days = world.dt
            world.act(a)
        elif option.force and (self.lag > 0 or start > world.day):
            ready = start + self.lag
            if ready < world.day + world.dt:
                world.act(
                    Action(self.aid, target, option.rung, cause, manner=option.manner, intended=intended),
                    ready,
                )
            else:
                self.orders[target] = (ready, option, cause)
        else:
            world.act(Action(self.aid, target, option.rung, cause, manner=option.manner, intended=intended))

    def _carry_out_orders(self) -> set[str]:
        """Strikes prepared in earlier steps whose day falls in this one; returns their targets (the choice
        toward them was made when the strike was ordered)."""
        world = self.model
        end = world.day + world.dt
        done = set()
        for target, (day, option, cause) in list(self.orders.items()):
            if day < end:
                del self.orders[target]
                done.add(target)
                intended = option.deaths * self.capability
                world.act(
                    Action(self.aid, target, option.rung, cause, manner=option.manner, intended=intended),
                    max(day, world.day),
                )
        return done

    # --- what happens to the actor ---------------------------------------------------------------------------------

    def suffer(self, source: str, harm: float, capability_damage: float) -> None:
        """An action lands on this actor: it loses capability and remembers who hurt it."""
        self.capability = max(0.0, self.capability * (1.0 - capability_damage))
        self.recent_harm[source] = self.recent_harm.get(source, 0.0) + harm

    def blame(self, other: str, harm: float) -> None:
        """Hold `other` responsible for `harm` (done by itself, or by a client it is blamed for)."""
        if harm > 0 and other != self.aid:
            self.grievance[other] = self.grievance.get(other, 0.0) + harm

    def vent(self, other: str, harm: float) -> None:
        """Harm done to `other`, by the actor or on its behalf, answers its grievance against it."""
        g = self.grievance.get(other)
        if g:
            self.grievance[other] = max(0.0, g - harm)
