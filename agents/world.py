"""The small view of the world that actors and doctrines see. The model provides it; agents never import the model.

Keeping this a Protocol keeps the flow one-way: language -> agents -> model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from redline.language.spec import Behaviour, Scenario, Supports

if TYPE_CHECKING:
    from redline.agents.actions import Action, Rungs
    from redline.agents.actor import Actor


class Relations(Protocol):
    """The look-ups of the relation network that decisions need."""

    def clients_of(self, patron: str) -> list[Supports]: ...
    def hostility(self, actor: str) -> dict[str, float]: ...
    def channel(self, a: str, b: str) -> float: ...


class Randoms(Protocol):
    """The draws actors make: each from the run's own generator, in the order the run asks for them."""

    def normal(self) -> float: ...
    def poisson(self, mean: float) -> int: ...


class World(Protocol):
    spec: Scenario
    rungs: Rungs

    # Read-only: the engine's own draws and network need only offer these look-ups.
    @property
    def draws(self) -> Randoms:
        """The run's random numbers, from the model's generator (the engine's Draws)."""

    @property
    def network(self) -> Relations: ...

    actors: dict[str, Actor]
    behaviour: Behaviour
    dt: float  # days in one step
    day: int  # the first day of the current step, counted from the scenario's start
    end: int  # the first day of the next step: the current one ends the day before
    horizon: float  # days over which an option's harm is weighed
    watchers: dict[str, list[Actor]]  # actor -> the actors tied to it by some chain of relations

    def act(self, action: Action, day: float | None = None) -> None:
        """An action taken this step (on `day`, the step's first by default)."""

    def red_lines_of(self, aid: str) -> tuple[bool, int, float | None] | None:
        """An actor's declared red lines as others see them: (own territory, lowest rung, deaths)."""

    def protectors_of(self, protected: str) -> list[tuple[str, int]]:
        """The guarantors of an actor, with the lowest rung of a blow that brings each in."""

    def allies_against(self, patron: str, enemy: str) -> list[tuple[str, float]]:
        """The clients of `patron` hostile to `enemy`, with the level of the patron's support."""

    def channel_open(self, a: str, b: str) -> float:
        """How far the back channel between a and b carries messages this step."""

    def open_channel(self, a: str, b: str, effort: float) -> None:
        """A mediator carries the channel between a and b this step."""

    def mediated_by(self, mediator: str) -> list[tuple[str, str]]:
        """The pairs whose back channel runs through `mediator`."""

    def fighting(self, a: str, b: str) -> bool:
        """Whether a and b have hurt each other lately."""

    def unanswered(self, actor: str, crosser: str) -> None:
        """A red line of `actor` was left unanswered."""
