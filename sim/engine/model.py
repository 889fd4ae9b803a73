"""The escalation model: a Mesa model built from a loaded Scenario. What a step does is told in
redline.engine.escalation; all randomness comes from `self.rng`.

The model is Mesa's: its clock, `run_for`, and an agent per actor in its agent set (redline.agents.agent). What
happens in a step is the escalation's (redline.engine.escalation), plain classes that a compiler can make native,
which the model holds and steps; the model answers for it, so `model.actors`, `model.events` and the rest read it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Mesa before any module that imports it (redline.agents.agent does): imported there, it costs less.
from redline.engine.mesa_import import mesa

# isort: split
from redline.agents.agent import ActorAgent
from redline.engine.escalation import EVENT_FIELDS, METRIC_FIELDS, Escalation
from redline.language.spec import Scenario

__all__ = ["EVENT_FIELDS", "METRIC_FIELDS", "EscalationModel"]


class EscalationModel(mesa.Model):
    """Escalation among the actors of one scenario. `rng` seeds everything (an int or a numpy SeedSequence)."""

    def __init__(self, scenario: Scenario, *, rng: int | np.random.SeedSequence | None = None):
        super().__init__(rng=rng)
        self.escalation = Escalation(scenario, self.rng)
        for actor in self.escalation.actors.values():  # in the order the actors act
            ActorAgent(self, actor)

    def __getattr__(self, name: str) -> Any:
        # Only what the model itself lacks: the escalation's state and look-ups (actors, events, metrics, ...).
        escalation = self.__dict__.get("escalation")  # absent while a copy is being made
        try:
            if escalation is None:
                raise AttributeError(name)
            return getattr(escalation, name)
        except AttributeError:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}") from None

    def step(self) -> None:
        # Mesa's clock reads 1.0 during the first step: the escalation counts steps from 0.
        self.escalation.step(int(self.time) - 1)

    def run(self) -> EscalationModel:
        """Run the scenario's whole period."""
        self.run_for(self.escalation.spec.time.steps - int(self.time))
        return self

    def take_apart(self) -> None:
        """Let go of everything the model holds, for a caller done with it (the runner, once it has read a run's
        tables). A model is a web of cycles (its agents and it hold one another, and Mesa's schedule holds it):
        left whole, it waits for the garbage collector, whose passes then walk the models piled up since the last
        one; taken apart, each object is freed as its last reference goes. The model is unusable after."""
        self.escalation.take_apart()
        for agent in list(self.agents):
            agent.__dict__.clear()
        self.__dict__.clear()
