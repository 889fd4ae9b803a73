"""The small view of the world that actors and doctrines see. The model provides it; agents never import the model.

Keeping this a Protocol keeps the flow one-way: language -> agents -> model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.language import Attributes, Behaviour, Scenario, Supports

if TYPE_CHECKING:
    from agents.actions import Action, Rungs
    from agents.actor import Actor


class Relations(Protocol):
    """The look-ups of the relation network that decisions need."""

    def clients_of(self, patron: str) -> list[Supports]: ...
    def patrons_of(self, client: str) -> list[Supports]: ...
    def hostility(self, actor: str) -> dict[str, float]: ...
    def attributions(self, actor: str) -> list[Attributes]: ...
    def channel(self, a: str, b: str) -> float: ...
    def hostile_to(self, actor: str) -> list[str]: ...


class World(Protocol):
    spec: Scenario
    rungs: Rungs
    rng: np.random.Generator
    network: Relations
    actors: dict[str, Actor]
    behaviour: Behaviour
    dt: float  # days in one step
    day: int  # the first day of the current step, counted from the scenario's start

    def act(self, action: Action, day: float | None = None) -> None: ...
