"""The escalation model: a Mesa model built from a loaded Scenario.

Each step: scheduled events, then perception (red lines, learning, fading grievance), then influence (patrons on
clients), then decisions (campaigns, retaliation, under restraint and domestic costs), then outcomes (deaths,
capability, blame), then recording. The model reads no files; all randomness comes from `self.rng`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import mesa
import numpy as np

from agents.actions import GUARANTEE, SCHEDULED, Action, Rungs
from agents.actor import Actor
from sim.language import Scenario
from sim.network import RelationNetwork

EVENT_FIELDS = ("step", "day", "source", "target", "rung", "casualties", "attributed_to", "cause")
METRIC_FIELDS = ("step", "actor", "posture", "capability", "grievance", "fear", "pressure", "attacks")


class EscalationModel(mesa.Model):
    """Escalation among the actors of one scenario. `rng` seeds everything (an int or a numpy SeedSequence)."""

    def __init__(self, scenario: Scenario, *, rng: int | np.random.SeedSequence | None = None):
        super().__init__(rng=rng)
        self.spec = scenario
        self.rungs = Rungs(scenario.ladder)  # type: ignore[arg-type]
        self.network = RelationNetwork(scenario.relations)
        self.actors = {aid: Actor(self, aid, a) for aid, a in scenario.actors.items()}
        time = scenario.time
        self.step_day = [(time.date_of(t) - time.start).days for t in range(time.steps + 1)]
        self.scheduled: dict[int, list[tuple[int, Action]]] = defaultdict(list)
        for e in scenario.events:
            day = (e.at - scenario.time.start).days
            action = Action(
                e.source, e.target, self.rungs.index[e.action], SCHEDULED, e.casualties, note=e.note
            )
            self.scheduled[scenario.time.step_of(e.at)].append((day, action))
        # What landed last step, for this step's perception: target -> [(source, rung)], target -> source -> deaths.
        self.struck_last: dict[str, list[tuple[str, int]]] = {}
        self.deaths_last: dict[str, dict[str, float]] = {}
        self.red_lines: list[tuple[int, str, list[str]]] = []  # (step, actor, who crossed): for debriefs
        self.events: dict[str, list] = {f: [] for f in EVENT_FIELDS}
        self.metrics: dict[str, list] = {f: [] for f in METRIC_FIELDS}
        self._pending: list[tuple[int, Action]] = []
        self._t = -1

    # --- used by agents ------------------------------------------------------------------------------------------

    @property
    def t(self) -> int:
        """The current step, from 0: Mesa's clock reads 1.0 during the first step. Read once per step, as the
        clock is an observable and costs more than a plain attribute in the per-action code."""
        return self._t

    def actor(self, aid: str) -> Actor:
        return self.actors[aid]

    def act(self, action: Action) -> None:
        """An actor takes an action this step; it is resolved with the others at the end of the step."""
        self._pending.append((self.step_day[self.t], action))

    def channel_damping(self, a: str, b: str) -> float:
        """A working back channel between a and b lets grievance between them fade faster."""
        return 1.0 - 0.5 * self.network.channel(a, b)

    def log_red_line(self, actor: str, crossers: list[str]) -> None:
        self.red_lines.append((self.t, actor, crossers))

    # --- the step -------------------------------------------------------------------------------------------------

    def step(self) -> None:
        self._t = int(self.time) - 1
        self._pending = list(self.scheduled.get(self._t, ()))
        self.agents.do("perceive")
        self.agents.do("influence")
        self.decide()
        self.resolve()
        self.record()

    def decide(self) -> None:
        """Every actor decides (a played game replaces one actor's decisions)."""
        self.agents.do("decide")

    def resolve(self) -> None:
        """Outcomes of this step's actions: deaths, lost capability, grievance and blame, guarantees engaged."""
        rungs, rng, net = self.rungs, self.rng, self.network
        struck: dict[str, list[tuple[str, int]]] = defaultdict(list)
        deaths: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        ev, t = self.events, self._t
        add_step, add_day, add_source, add_target = (
            ev[k].append for k in ("step", "day", "source", "target")
        )
        add_rung, add_casualties, add_blamed, add_cause = (
            ev[k].append for k in ("rung", "casualties", "attributed_to", "cause")
        )
        i = 0
        while i < len(self._pending):  # guarantees engaged below add actions to this same step
            day, a = self._pending[i]
            i += 1
            r = a.rung
            # A rung's harm is what an actor at full capability does; weaker actors do proportionally less.
            strength = self.actors[a.source].capability
            if a.casualties is None:
                mean = rungs.casualties[r] * strength
                a.casualties = float(rng.poisson(mean)) if mean > 0 else 0.0
            harm = rungs.harm(r, a.casualties) if rungs.goldstein[r] < 0 else 0.0
            if harm > 0:
                target = self.actors[a.target]
                target.suffer(a, harm, rungs.capability_damage[r] * strength)
                for rel in net.blamed_for(a.target, a.source):
                    # A back channel with the patron lowers misperception: blame lands less often.
                    p = rel.probability * (1.0 - 0.5 * net.channel(a.target, rel.target))
                    if rng.random() < p:
                        target.blame(rel.target, harm * rel.weight, r)
                        a.attributed_to = a.attributed_to or rel.target
                for rel in net.patrons_of(a.target):
                    support = self.actors[rel.source].doctrines.get("support")
                    solidarity = support.spec.solidarity if support is not None else 0.0  # type: ignore[attr-defined]
                    self.actors[rel.source].blame(a.source, harm * solidarity * rel.level, r)
                if rungs.mid[r] >= 4:
                    struck[a.target].append((a.source, r))
                    deaths[a.target][a.source] += a.casualties
                for g in net.guarantors_of(a.target):
                    if r >= rungs.index[g.trigger_rung]:
                        self._engage(g.source, a, day)
            add_step(t)
            add_day(day)
            add_source(a.source)
            add_target(a.target)
            add_rung(r)
            add_casualties(a.casualties)
            add_blamed(a.attributed_to)
            add_cause(a.cause)
        self.struck_last, self.deaths_last = dict(struck), {k: dict(v) for k, v in deaths.items()}

    def _engage(self, guarantor: str, attack: Action, day: int) -> None:
        """A guarantee engaged: the guarantor shows force to the attacker's patrons and to the states hostile to
        the one it protects, to deter them from joining in."""
        if guarantor == attack.source:
            return
        shown = {a.target for _, a in self._pending if a.source == guarantor and a.cause == GUARANTEE}
        deterred = {p.source for p in self.network.patrons_of(attack.source)}
        deterred |= {h for h in self.network.hostile_to(attack.target) if self.actors[h].spec.kind == "state"}
        for other in sorted(deterred - shown - {guarantor}):
            self._pending.append(
                (day, Action(guarantor, other, self.rungs.index["show_of_force"], GUARANTEE))
            )

    def record(self) -> None:
        """One metrics row per actor for this step."""
        posture: dict[str, int] = {}
        attacks: dict[str, int] = defaultdict(int)
        mid = self.rungs.mid
        for _, a in self._pending:
            posture[a.source] = max(posture.get(a.source, -1), a.rung)
            if mid[a.rung] >= 4:
                attacks[a.source] += 1
        m = self.metrics
        for aid, actor in self.actors.items():
            m["step"].append(self.t)
            m["actor"].append(aid)
            m["posture"].append(posture.get(aid, -1))
            m["capability"].append(actor.capability)
            m["grievance"].append(max(actor.grievance.values(), default=0.0))
            m["fear"].append(actor.fear())
            m["pressure"].append(max(actor.pressure.values(), default=0.0))
            m["attacks"].append(attacks.get(aid, 0))
        self._pending = []

    def run(self) -> EscalationModel:
        """Run the scenario's whole period."""
        self.run_for(self.spec.time.steps - int(self.time))
        return self

    def date(self, day: int) -> dt.date:
        return self.spec.time.start + dt.timedelta(days=day)
