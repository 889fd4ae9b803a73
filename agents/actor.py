"""An actor of the crisis: what it holds (grievance, beliefs, commitments) and how it chooses (its Mesa agent,
redline.agents.agent, registers it with the model).

Each step the actor weighs, toward each adversary, every option of the ladder (doing nothing and de-escalating
included) by expected utility (Bueno de Mesquita): what it wants (to answer harm, to honour a red line) against
what it expects to pay (the adversary's answer as it believes it to be, its domestic costs, its patrons' pressure).
Its doctrines fill in the terms (redline.agents.doctrines); docs/model.md gives the formula and its sources.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Final

from mypy_extensions import mypyc_attr

from redline.agents.actions import (
    CAMPAIGN,
    COERCION,
    COMMITMENT,
    DE_ESCALATION,
    RETALIATION,
    Action,
    Option,
)
from redline.agents.doctrines import Doctrine, Retaliation, Stakes, from_spec, in_phase
from redline.agents.weighing import NO_LINE, Row, amount, best_option, crossing_chance, feared
from redline.language import spec as lang

if TYPE_CHECKING:
    from redline.agents.world import World

PASSIVE: Final = ("target", "mediator")  # kinds that do not use force on their own
Lines = tuple[bool, int, float | None]  # a target's red lines as others see them (World.red_lines_of)
# Toward a target: the fixed doctrines' terms, the other doctrines that weigh anything, and the options (_table).
# The last is the Stakes that each weighing toward the target writes over (Actor._weighed).
Table = tuple[list[Row], list[Option]]  # the rows best_option weighs, and the options they stand for
Terms = tuple[Stakes, list[Doctrine], Table, list[tuple[str, ...]], list, Stakes]


# A crossing chance below this changes no utility: weighed against an answer of at least log1p(severity) > 0, its
# share of the expected answer is some 14 orders of magnitude under the last digit of a float.
NEGLIGIBLE: Final = 1e-30


@functools.cache
def negligible_below(limit: float) -> float:
    """The deaths meant (Poisson) up to which the chance of killing more than `limit` stays under NEGLIGIBLE: the
    chance grows with the deaths meant, so a choice that means fewer need not work it out. Found by bisection,
    once per limit (a scenario has a few)."""
    low, high = 0.0, float(int(limit) + 1)
    if crossing_chance(high, limit) <= NEGLIGIBLE:
        return high
    for _ in range(200):
        mid = 0.5 * (low + high)
        if crossing_chance(mid, limit) <= NEGLIGIBLE:
            low = mid
        else:
            high = mid
    return low


def crossing(lines: tuple[bool, int, float | None], rung: int, deaths: float) -> float:
    """Chance that an action on `rung` meant to kill `deaths` (at its author's strength) crosses one of the target's
    red lines, as `red_lines_of` gives them: (its territory guarded, the lowest rung that crosses there, the
    deaths in one action it tolerates or None)."""
    own, floor, limit = lines
    if own and rung >= floor:
        return 1.0
    if limit is not None and deaths > 0:
        return crossing_chance(deaths, limit)
    return 0.0


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Shared:
    """The part of an actor that follows from the scenario alone (its doctrines, its options, what it looks up of
    the network): the same in every run of a scenario, so the model makes it once and hands it to each run's actor.
    Doctrines hold nothing of a run. The look-ups are filled as the actor first asks for them."""

    def __init__(self) -> None:
        self.made = False  # whether an actor has filled in its doctrines, options and hostility
        self.doctrines: dict[str, Doctrine] = {}
        self.phases: tuple[list[Doctrine], ...] = ()  # those that weigh, perceive, influence and conclude
        self.rows: list[tuple] = []  # Actor._option_rows
        self.hostility: dict[str, float] = {}
        self.rates: dict[str, float] = {}  # other -> Actor.learning_rate
        self.terms: dict[str, tuple] = {}  # target -> Actor._terms_toward, but the Stakes of a run
        self.tables: dict[tuple, tuple[Table, list[tuple[str, ...]], list]] = {}  # Actor.choose's, by terms
        self.toward: dict[str, tuple[list[tuple[str, float]], list[tuple[str, int]], Lines | None]] = {}
        self.answering: dict[str, tuple[list[tuple[str, float]], list[str]]] = {}  # other -> _answering_of


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Actor:
    """A state, armed group, host state, target or mediator. Kinds differ by their data and doctrines."""

    model: World
    # The world is let go of when a run is taken apart (compiled, an attribute may be deleted only if listed).
    __deletable__ = ("model",)

    def __init__(self, model: World, aid: str, spec: lang.Actor, shared: Shared | None = None):
        self.model = model
        self.aid = aid
        # Whether a person plays the actor (redline play): it perceives and concludes like any other, its support
        # keeps flowing to its clients, and it chooses nothing itself (no decision, reaction, pressure or mediation).
        self.played = False
        self.spec = spec
        self.capability = spec.capability
        # What choosing reads of the spec, step after step, held here: compiled, a field of the actor is read
        # directly, a field of the spec (a Python object) is looked up.
        self.passive = spec.kind in PASSIVE
        self.full_capability = spec.capability
        self.own_resolve = spec.resolve
        self.sensitivity = spec.cost_sensitivity
        # What follows from the scenario alone, made by the first run of a scenario and handed to the others.
        self.shared = shared = shared or Shared()
        if not shared.made:
            shared.made = True
            shared.doctrines = doctrines = from_spec(spec.doctrine)
            shared.phases = tuple(
                in_phase(doctrines, p) for p in ("weigh", "perceive", "influence", "conclude")
            )
            shared.rows = self._option_rows(model, model.behaviour.force_cost * spec.cost_sensitivity)
            shared.hostility = dict(model.network.hostility(aid))
        self.doctrines = doctrines = shared.doctrines
        self._weighers, self._perceivers, self._influencers, self._concluders = shared.phases
        self._recent_kept = 0.5 ** (model.dt / 7.0)  # recent harm: about the last week
        # target -> the terms of the fixed doctrines toward it, the other doctrines that weigh anything toward it,
        # the options toward it, and the Stakes each weighing writes over (the last is this run's own)
        self._terms: dict[str, Terms] = {}
        self._tables = shared.tables  # choose's options, by terms
        retaliation = doctrines.get("retaliation")
        self.lag = retaliation.lag if isinstance(retaliation, Retaliation) else 0.0
        self.grievance: dict[str, float] = {}  # harm received from, or blamed on, each actor (fading)
        # the heaviest blow dealt to each actor beyond the grievance against it, less what its answers paid back
        self.credit: dict[str, float] = {}
        self.recent_harm: dict[str, float] = {}  # harm received from each actor over about the last week
        self.resolve_seen: dict[str, float] = {}  # estimate of each other actor's resolve, 0-1
        self.capability_seen: dict[str, float] = {}
        self.commitments: dict[str, float] = {}  # who crossed a red line of ours -> last day to answer
        self._posture: dict[str, int] = {}  # target -> the strongest rung chosen toward it this step
        self.crossed_rung: dict[str, int] = {}  # who crossed -> the highest rung it crossed with, unanswered
        self.crossed_day: dict[str, float] = {}  # who crossed -> the day it last did
        self.news: dict[str, float] = {}  # other -> the last day it gave the actor a new reason to act
        # target -> (day, option, tempo, cause) of the last choice toward it (option None: an offer of calm)
        self.chosen: dict[str, tuple[float, Option | None, float, str]] = {}
        self.pressure: dict[str, float] = {}  # target -> cost of defying patrons by attacking it, this step
        self.pressed_before: set[str] = set()  # targets the actor was pressed about in the step before
        # prepared strikes: target -> (day, the action, its intended deaths at full capability)
        self.orders: dict[str, tuple[float, Action, float]] = {}
        self.mood = 0.0  # a slow random swing in how much motives weigh (log scale)
        self._hostility = shared.hostility
        self._rates = shared.rates
        self._aimed_at = tuple(spec.doctrine.aims.disarm) if spec.doctrine.aims is not None else ()
        self._fear: dict[str, float] = {}  # fear of each adversary, as of this step's perception
        # (what they follow from, adversaries): see adversaries()
        self._adversaries: tuple[int | tuple, tuple[str, ...]] = ((-1,), ())
        b = model.behaviour
        self._fear_weight = b.stakes * spec.cost_sensitivity
        self._standing_motive = b.standing_motive
        self._rows = shared.rows
        self._toward = shared.toward
        self._answering = shared.answering

    def _option_rows(self, model: World, force_cost: float) -> list[tuple]:
        """The ladder's options with what `choose` needs of each that holds for the whole run, as plain tuples:
        (option, rung, severity, deaths, force, reach, cost of mounting it, the least such cost of it and of every
        later option, span of its harm over the horizon, whether the span shrinks with lost strength, and the
        severity, deaths and span of the rung above)."""
        rungs, horizon = model.rungs, model.horizon
        rows: list[tuple] = []
        least = math.inf  # the least cost of mounting this option or any after it
        for o, r, sev, deaths, force, reach, daily, tempo in reversed(rungs.option_rows):
            span = horizon if daily else (tempo * horizon if tempo else 1.0)
            up = r + 1 if r < rungs.top else rungs.top
            up_span = horizon if rungs.per_day[up] else 1.0
            cost = force_cost * (0.5 + reach) if force else 0.0
            scaled = not daily and bool(tempo)
            least = cost if cost < least else least
            rows.append(
                (
                    o,
                    r,
                    sev,
                    deaths,
                    force,
                    reach,
                    cost,
                    least,
                    span,
                    scaled,
                    rungs.severity[up],
                    rungs.casualties[up],
                    up_span,
                )
            )
        rows.reverse()
        return rows

    def _ties_of(self, target: str) -> tuple[list[tuple[str, float]], list[tuple[str, int]], Lines | None]:
        """Who would answer a blow at `target` (its clients hostile to the actor, its guarantors but the actor)
        and its red lines: fixed for a run, looked up once."""
        world = self.model
        protectors = [(g, trigger) for g, trigger in world.protectors_of(target) if g != self.aid]
        found = self._toward[target] = (
            world.allies_against(target, self.aid),
            protectors,
            world.red_lines_of(target),
        )
        return found

    def start_beliefs(self) -> None:
        """Initial beliefs about every other actor: a prior where learning declares one, else its true resolve
        misread by observation noise (private information); capabilities are seen as they are."""
        world = self.model
        learning = self.doctrines.get("learning")
        noise = world.behaviour.observation_noise
        for a in world.watchers[self.aid]:
            other = a.aid
            if other == self.aid:
                continue
            prior = learning.prior(other) if learning is not None else None  # type: ignore[attr-defined]
            if prior is None:
                prior = min(1.0, max(0.0, a.spec.resolve + noise * world.draws.normal()))
            self.resolve_seen[other] = prior
            self.capability_seen[other] = a.capability

    # --- what the actor holds ------------------------------------------------------------------------------------

    def hostility(self, other: str) -> float:
        """How strongly the actor regards `other` as an adversary: its declared hostility, or a half for anyone it
        holds a grievance against (assumed: harm done makes an adversary of a stranger)."""
        return amount(self._hostility, other, 0.5)

    def hostile_targets(self) -> dict[str, float]:
        return self._hostility

    def adversaries(self) -> tuple[str, ...]:
        """Declared adversaries, and anyone who hurt it directly or crossed its red lines, in a fixed order. A
        grievance held on a partner's behalf adds to the motive toward an adversary; it makes no new one."""
        # Those who hurt the actor are only ever added to (in order), so their number and the commitments held
        # tell whether the list has changed since it was last made: it is asked for several times a step. While no
        # commitment is held, as is most often the case, the number alone is the key (cheaper to make and compare).
        commitments = self.commitments
        key = (len(self.recent_harm), *commitments) if commitments else len(self.recent_harm)
        if key == self._adversaries[0]:
            return self._adversaries[1]
        out = list(self._hostility)
        for other in (*self._aimed_at, *self.recent_harm, *self.commitments):
            if other not in self._hostility and other not in out and other != self.aid:
                out.append(other)
        self._adversaries = (key, tuple(out))
        return self._adversaries[1]

    def answer_strength(self, other: str, rung: int | None = None) -> float:
        """The capability that would answer a blow at `other` on `rung` (the top, if not given), as the actor sees
        it: `other`'s own, that of its clients hostile to the actor as far as `other` supports them, and that of
        its guarantors when the blow reaches their trigger (a patron's network and its protectors answer with it)."""
        ties = self._toward.get(other)
        if ties is None:
            ties = self._ties_of(other)
        allies, protectors, _ = ties
        seen = self.capability_seen
        strength = amount(seen, other, 0.0)
        for client, level in allies:
            strength += amount(seen, client, 0.0) * level
        top = self.model.rungs.top if rung is None else rung
        if top < 0:
            return strength
        for guarantor, trigger in protectors:
            if top >= trigger:
                strength += amount(seen, guarantor, 0.0)
        return strength

    def fear_of(self, other: str) -> float:
        """Fear of `other`'s answer: its resolve and the strength that would answer, as the actor sees them, times
        how much costs weigh with the actor. Worked out once a step, when the actor perceives."""
        fear = self._fear.get(other)
        if fear is None:
            answering = self._answering.get(other)
            if answering is None:
                answering = self._answering_of(other)
            allies, guards = answering
            fear = self._fear[other] = feared(
                self.capability_seen, self.resolve_seen, other, allies, guards, self.sensitivity
            )
        return fear

    def _answering_of(self, other: str) -> tuple[list[tuple[str, float]], list[str]]:
        """Who answers a blow at `other` on the ladder's top rung with it: its clients hostile to the actor (with
        the level of its support) and the guarantors that the top rung brings in. Fixed for a run."""
        ties = self._toward.get(other)
        if ties is None:
            ties = self._ties_of(other)
        allies, protectors, _ = ties
        top = self.model.rungs.top
        found = self._answering[other] = (allies, [g for g, trigger in protectors if top >= trigger])
        return found

    def heaviest_blow(self) -> float:
        """The harm of the ladder's top rung over the decision horizon, at the actor's capability."""
        world = self.model
        rungs = world.rungs
        top = rungs.top
        per_action = rungs.severity[top] + rungs.casualties[top] * self.capability
        return per_action * (world.horizon if rungs.per_day[top] else 1.0)

    def learning_rate(self, other: str) -> float:
        """Weight of one observation of `other` in the actor's estimate of its resolve."""
        rate = self._rates.get(other)
        if rate is None:
            learning = self.doctrines.get("learning")
            default = self.model.behaviour.belief_rate
            rate = self._rates[other] = learning.rate(other, default) if learning is not None else default  # type: ignore[attr-defined]
        return rate

    def fear(self) -> float:
        """Fear of the most feared adversary (the model asks every actor every step)."""
        fears = self._fear
        most = 0.0  # compared in place: max() over a list made for it cost more than the rest here
        for other in self.adversaries():
            fear = fears.get(other)
            if fear is None:
                fear = self.fear_of(other)
            if fear > most:
                most = fear
        return most

    # --- the phases of a step, in the order the model calls them --------------------------------------------------

    def perceive(self) -> None:
        self.pressed_before = set(self.pressure)
        self.pressure = {}
        self._posture = {}
        self._fear = {}
        for d in self._perceivers:
            d.perceive(self)

    def influence(self) -> None:
        if self.played:
            support = self.doctrines.get("support")
            if support is not None:  # resupply is the relation at work, not a choice
                support.influence(self)
            return
        for d in self._influencers:
            d.influence(self)

    def decide(self) -> None:
        world = self.model
        if self.played or self.passive or self.capability <= 0:
            return
        struck = self._carry_out_orders() if self.orders else ()
        day, horizon, chosen, news = world.day, world.horizon, self.chosen, self.news
        for target in self.adversaries():
            if target in self.orders or target in struck:
                continue
            last = chosen.get(target)
            # A choice is weighed over the decision horizon, so it stands for that many days (a campaign or a war
            # kept up, a single strike or offer not repeated) unless something new happened since (a red line
            # crossed, a first blow, a first grievance): a weekly step chooses every step, a daily one keeps a
            # week's choice for the week.
            if last is not None and not (day - last[0] >= horizon or news.get(target, -math.inf) > last[0]):
                _, option, tempo, cause = last
                if option is not None and (tempo or world.rungs.per_day[option.rung]):
                    self._act(target, option, tempo, cause, day)
                continue
            option, utility, stakes = self._weighed(target)
            if option is not None:
                self.carry_out(target, option, stakes)
            elif utility < 0 and world.rungs.de_escalate is not None:
                self.chosen[target] = (world.day, None, 0.0, DE_ESCALATION)
                world.act(Action(self.aid, target, world.rungs.de_escalate, DE_ESCALATION))
            else:
                self.chosen.pop(target, None)

    def react(self, target: str, start: float) -> None:
        """Something new happened this step (a red line crossed, a first blow, a first grievance against
        `target`): the actor weighs its options toward `target` again and acts from `start` to the end of the step
        if it now wants something stronger than what it already does toward it this step."""
        if self.played or self.passive or self.capability <= 0 or target in self.orders:
            return
        if (
            target not in self._hostility
            and target not in self.recent_harm
            and target not in self.commitments
        ):
            return
        option, _, stakes = self._weighed(target)
        if option is None or option.rung <= self._posture.get(target, -1):
            return
        self.carry_out(target, option, stakes, start=start)

    def conclude(self) -> None:
        for d in self._concluders:
            d.conclude(self)
        kept, recent = self._recent_kept, self.recent_harm
        for other in recent:
            recent[other] *= kept

    # --- choosing ------------------------------------------------------------------------------------------------

    def weigh(self, target: str) -> Stakes:
        """The terms of the choice toward `target`: doctrines fill in motives, commitments, costs and limits."""
        terms = self._terms.get(target)
        if terms is None:
            terms = self._terms_toward(target)
        fixed, weighers = terms[:2]
        stakes = fixed.but_motive(self.model.behaviour.standing_motive * amount(self._hostility, target, 0.0))
        for d in weighers:
            d.weigh(self, target, stakes)
        stakes.pressure += amount(self.pressure, target, 0.0)
        return stakes

    def _weighed(self, target: str) -> tuple[Option | None, float, Stakes]:
        """`weigh` and `choose` toward `target` in one (the options made for the fixed terms, looked up once):
        the option chosen, its utility, and the terms it was chosen under: the target's own Stakes, written over
        at each weighing (they are read only until the choice is carried out)."""
        # Looked up, then made if missing, rather than `get(...) or make(...)`: compiled, a tuple tested for truth is
        # first copied into a new one (so is each such look-up in this class).
        terms = self._terms.get(target)
        if terms is None:
            terms = self._terms_toward(target)
        fixed, weighers, rows, groups, allies, stakes = terms
        # but_motive, in place: the fixed doctrines' terms stay as they are, and no other doctrine sets them.
        stakes.motive = self._standing_motive * amount(self._hostility, target, 0.0)
        stakes.commitment, stakes.answer_reach, stakes.pressure = (
            fixed.commitment,
            fixed.answer_reach,
            fixed.pressure,
        )
        for d in weighers:
            d.weigh(self, target, stakes)
        stakes.pressure += amount(self.pressure, target, 0.0)
        option, utility = self._best(
            target,
            rows,
            groups,
            allies,
            stakes.motive,
            stakes.commitment,
            stakes.answer_reach,
            stakes.pressure,
        )
        return option, utility, stakes

    def _terms_toward(self, target: str) -> Terms:
        """What the fixed doctrines weigh toward `target`, the others that may weigh anything toward it, and the
        options toward it as `_best` reads them (fixed for a run, since the fixed terms are; shared by the runs of
        a scenario), with a Stakes of this run's own for the weighings to write over."""
        terms = self.shared.terms.get(target)
        if terms is None:
            fixed = Stakes()
            for d in self._weighers:
                if d.fixed:
                    d.weigh(self, target, fixed)
            weighers = [d for d in self._weighers if not d.fixed and d.toward(target)]
            terms = self.shared.terms[target] = (fixed, weighers, *self._table(target, fixed))
        found = self._terms[target] = (*terms, terms[0].but_motive(0.0))
        return found

    def _table(self, target: str, stakes: Stakes) -> tuple[Table, list[tuple[str, ...]], list]:
        """The options toward `target` under the terms of `stakes` that the fixed doctrines set (the highest
        rung, the campaign's, the comfort rung and its domestic cost), with what of each holds for the run: the
        rows that `best_option` weighs (redline.agents.weighing.Row) and the options they stand for; the groups of
        the target's guarantors that the options bring in (a row's group indexes it); and the target's clients
        hostile to the actor."""
        ties = self._toward.get(target)
        if ties is None:
            ties = self._ties_of(target)
        allies, protectors, lines = ties
        own, floor, limit = (False, 0, None) if lines is None else lines
        full = self.full_capability
        campaign_span = stakes.tempo * self.model.horizon
        groups: list[tuple[str, ...]] = []
        rows: list[Row] = []
        options: list[Option] = []
        for (
            o,
            r,
            sev,
            deaths,
            force,
            reach,
            cost,
            least,
            span,
            scaled,
            up_sev,
            up_deaths,
            up_span,
        ) in self._rows:
            if r > stakes.max_rung:
                break
            if r == stakes.campaign_rung:
                span, scaled = campaign_span, True
            dom = stakes.domestic * (r - stakes.comfort) if r > stakes.comfort else 0.0
            crossed = 1.0 if own and r >= floor else 0.0
            line = (NO_LINE, 0.0, 0.0)
            if limit is not None and not crossed and deaths > 0:
                # The line on deaths: its limit, the deaths meant below which crossing it is negligible, and the
                # chance of crossing it at full strength (as an actor most often is).
                killed = deaths * full
                quiet = negligible_below(limit)
                line = (float(limit), quiet, crossing_chance(killed, limit) if killed > quiet else 0.0)
            joined = tuple(g for g, trigger in protectors if r >= trigger)
            if joined not in groups:
                groups.append(joined)
            # The harm of an option that kills no one and does not shrink with lost strength: the same for its
            # author and for an answer in kind, whatever their strength (worked out once, not per choice).
            fixed = deaths == 0 and not scaled
            options.append(o)
            # Numbers as floats and flags as bools, whatever the ladder file wrote: a compiled weighing reads them so.
            rows.append(
                Row(
                    len(options) - 1,
                    float(sev),
                    float(deaths),
                    bool(force),
                    float(reach),
                    float(reach)
                    if force
                    else 0.0,  # the reach that patrons' pressure makes costly: force only
                    float(cost),
                    float(least),
                    float(span),
                    bool(scaled),
                    float(dom),
                    crossed,
                    *line,
                    float(up_sev),
                    float(up_deaths),
                    float(up_span),
                    groups.index(joined),
                    fixed,
                    math.log1p(sev * span) if fixed else 0.0,
                )
            )
        return (rows, options), groups, allies

    def choose(self, target: str, stakes: Stakes) -> tuple[Option | None, float]:
        """The option of the highest expected utility toward `target`, or None for doing nothing (utility 0) or
        de-escalating (returned as None with a negative utility: doing nothing is worse than offering calm).

        Utility of an option, in log-harm units over the decision horizon (docs/model.md):
            resolve * e^mood * (min(harm, motive) + commitment * min(1, reach / reach asked))
            - fear * harm of the expected answer - domestic cost - (patrons' pressure + force cost) * reach
        """
        key = (target, stakes.max_rung, stakes.campaign_rung, stakes.tempo, stakes.comfort, stakes.domestic)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = self._table(target, stakes)
        return self._best(
            target, *table, stakes.motive, stakes.commitment, stakes.answer_reach, stakes.pressure
        )

    def _best(
        self,
        target: str,
        table: Table,
        groups: list[tuple[str, ...]],
        allies: list[tuple[str, float]],
        motive: float,
        commitment: float,
        answer_reach: float,
        pressure: float,
    ) -> tuple[Option | None, float]:
        """`choose` over the options of `_table`, with the terms that change from one weighing to the next."""
        if motive <= 0 and commitment <= 0:
            return self._calm(target)
        rows, options = table
        k, utility = best_option(
            rows,
            groups,
            allies,
            self.capability_seen,
            target,
            self.capability,
            self.full_capability,
            self.own_resolve * math.exp(self.mood),
            # What the actor fears from `target`: the chance it answers (its resolve, as the actor sees it) times
            # the harm of its answer, weighed by how much costs matter to the actor.
            self._fear_weight * amount(self.resolve_seen, target, 0.5),
            motive,
            commitment,
            answer_reach,
            pressure,
        )
        if k < 0:
            return self._calm(target)
        return options[k], utility

    def _calm(self, target: str) -> tuple[None, float]:
        """Doing nothing, or offering calm when the adversary's blows are feared more than they are resented."""
        recent = amount(self.recent_harm, target, 0.0)
        if recent <= 0:
            return None, 0.0
        b = self.model.behaviour
        threat = b.stakes * self.fear_of(target) * math.log1p(recent)
        motive = b.standing_motive * amount(self._hostility, target, 0.0) + math.log1p(
            amount(self.grievance, target, 0.0)
        )
        utility = self.own_resolve * motive - threat
        return None, utility if utility < 0.0 else 0.0

    def carry_out(self, target: str, option: Option, stakes: Stakes, start: float | None = None) -> None:
        """Turn a chosen option into this step's actions and remember the choice (it stands for the horizon)."""
        world = self.model
        if start is None:  # an answer to a crossing is prepared from the day of the crossing
            start = (
                max(world.day, self.crossed_day.get(target, world.day)) if stakes.commitment else world.day
            )
        tempo = (
            stakes.tempo if option.rung == stakes.campaign_rung else (world.rungs.tempo[option.rung] or 0.0)
        )
        if option.force and stakes.commitment > 0:
            cause = COMMITMENT
        elif option.rung == stakes.campaign_rung:
            cause = CAMPAIGN
        elif amount(self.grievance, target, 0.0) > 0:
            cause = RETALIATION
        else:
            cause = COERCION
        self.chosen[target] = (start, option, tempo, cause)
        self._act(target, option, tempo, cause, start)

    def _act(self, target: str, option: Option, tempo: float, cause: str, start: float) -> None:
        """This step's actions of a choice, from `start` to the step's end: a campaign's attacks at its tempo, a
        war's days of fighting, or one strike after the days it takes to prepare."""
        world = self.model
        rung = option.rung
        posture = self._posture
        if rung > posture.get(target, -1):
            posture[target] = rung
        days_left = world.end - start  # a reaction within the step acts for the days left
        intended = option.deaths * self.capability
        # Actions are built with positional fields (source, target, rung, cause, casualties, attributed_to, note,
        # manner, intended, days, count, decided): one is built for most choices, and keywords cost more.
        if tempo:
            strength = self.capability / self.full_capability if self.full_capability > 0 else 0.0
            count = world.draws.poisson(tempo * days_left * strength)
            if count:  # the attacks are spread over the days left
                a = Action(
                    self.aid,
                    target,
                    rung,
                    cause,
                    None,
                    "",
                    "",
                    option.manner,
                    intended,
                    days_left,
                    count,
                    start,
                )
                world.act(a, start)
        elif world.rungs.per_day[rung]:
            intended = (intended or 0.0) * days_left
            a = Action(
                self.aid, target, rung, cause, None, "", "", option.manner, intended, days_left, 1, start
            )
            world.act(a, start)
        else:
            a = Action(self.aid, target, rung, cause, None, "", "", option.manner, intended, 1.0, 1, start)
            if option.force and (self.lag > 0 or start > world.day):
                ready = start + self.lag
                if ready < world.end:
                    world.act(a, ready)
                else:
                    self.orders[target] = (ready, a, option.deaths)
            else:
                world.act(a)

    def _carry_out_orders(self) -> set[str]:
        """Strikes prepared in earlier steps whose day falls in this one; returns their targets (the choice
        toward them was made when the strike was ordered)."""
        world = self.model
        end = world.end
        done = set()
        for target, (day, a, deaths) in list(self.orders.items()):
            if day < end:
                del self.orders[target]
                done.add(target)
                a.intended = deaths * self.capability  # what the actor can do on the day it strikes
                world.act(a, max(day, world.day))
        return done

    # --- what happens to the actor ---------------------------------------------------------------------------------

    def suffer(self, source: str, harm: float, capability_damage: float) -> None:
        """An action lands on this actor: it loses capability and remembers who hurt it."""
        self.capability = max(0.0, self.capability * (1.0 - capability_damage))
        self.recent_harm[source] = amount(self.recent_harm, source, 0.0) + harm

    def take_apart(self) -> None:
        """Let go of the world (Escalation.take_apart): the actor and it hold one another."""
        del self.model

    def blame(self, other: str, harm: float) -> None:
        """Hold `other` responsible for `harm` (done by itself, or by a client it is blamed for)."""
        if harm > 0 and other != self.aid:
            self.grievance[other] = amount(self.grievance, other, 0.0) + harm
