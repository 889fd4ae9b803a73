"""An actor of the crisis as a Mesa agent: its state, and its doctrines applied phase by phase."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import mesa

from agents.actions import Action
from agents.doctrines import CONSTRAINT_ORDER, Retaliation, from_spec
from sim import language as lang

if TYPE_CHECKING:
    from sim.model import EscalationModel


class Actor(mesa.Agent):
    """A state, armed group or target. Kinds differ by their data and doctrines, not by subclass."""

    model: EscalationModel

    def __init__(self, model: EscalationModel, aid: str, spec: lang.Actor):
        super().__init__(model)
        self.aid = aid
        self.spec = spec
        self.capability = spec.capability
        self.doctrines = from_spec(spec.doctrine)
        # Harm received from, or blamed on, each actor, fading with time.
        self.grievance: dict[str, float] = {}
        self.worst_received: dict[str, int] = {}  # highest rung received from each actor since answering it
        self.resolve_seen: dict[str, float] = {}  # estimate of each watched adversary's resolve, 0-1
        self.pressure: dict[
            str, float
        ] = {}  # target -> share of attacks on it its patrons ask it to drop, this step
        learning = self.doctrines.get("learning")
        if learning is not None:
            learning.start(self)  # type: ignore[attr-defined]

    def fear_of(self, other: str) -> float:
        """Fear of a direct war with `other`: the resolve seen in it, weighed by how much costs matter."""
        return self.resolve_seen.get(other, 0.0) * self.spec.cost_sensitivity

    def fear(self) -> float:
        """Fear of the most feared adversary."""
        return max(self.resolve_seen.values(), default=0.0) * self.spec.cost_sensitivity

    def will(self, target: str) -> float:
        """Share of its hostile intentions toward `target` the actor acts on: its patrons' pressure against
        attacking it and its own fear of it wear it down."""
        return (1.0 - self.pressure.get(target, 0.0)) * (1.0 - self.fear_of(target))

    # --- the phases of a step, in the order the model calls them --------------------------------------------------

    def perceive(self) -> None:
        self.pressure = {}
        for d in self.doctrines.values():
            d.perceive(self)

    def influence(self) -> None:
        for d in self.doctrines.values():
            d.influence(self)

    def decide(self) -> None:
        for d in self.doctrines.values():
            for action in d.propose(self):
                self.constrain(action)
                if isinstance(d, Retaliation):
                    d.settle(self, action)
                self.model.act(action)
        for d in self.doctrines.values():
            d.conclude(self)

    def constrain(self, action: Action) -> None:
        for name in CONSTRAINT_ORDER:
            d = self.doctrines.get(name)
            if d is not None:
                d.constrain(self, action)

    # --- what happens to the actor ---------------------------------------------------------------------------------

    def suffer(self, action: Action, harm: float, capability_damage: float) -> None:
        """An action lands on this actor: it loses capability and grieves against the source."""
        self.capability = max(0.0, self.capability * (1.0 - capability_damage))
        self.blame(action.source, harm, action.rung)

    def blame(self, other: str, harm: float, rung: int) -> None:
        """Hold `other` responsible for `harm` done at `rung` (by itself, or by a client it is blamed for)."""
        if harm <= 0 or other == self.aid:
            return
        self.grievance[other] = self.grievance.get(other, 0.0) + harm
        if rung > self.worst_received.get(other, -1):
            self.worst_received[other] = rung

    def doctrine_names(self) -> Iterator[str]:
        return iter(self.doctrines)
