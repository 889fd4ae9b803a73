"""The small view of the world that actors and doctrines see. The engine provides it (redline.engine.escalation's
Escalation is a World, its Draws are Randoms); agents never import the engine, so the flow stays one-way: language
-> agents -> engine.

World and Randoms are base classes rather than protocols: compiled with the actors (setup.py), an actor then reads the
world's fields and calls its methods directly, as it reads its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from mypy_extensions import mypyc_attr

from redline.language.spec import Behaviour, Scenario, Supports

if TYPE_CHECKING:
    from redline.agents.actions import Action, Rungs
    from redline.agents.actor import Actor


class Relations(Protocol):
    """The look-ups of the relation network that decisions need (the engine's RelationNetwork)."""

    def clients_of(self, patron: str) -> list[Supports]: ...
    def hostility(self, actor: str) -> dict[str, float]: ...
    def channel(self, a: str, b: str) -> float: ...
    def patrons_of(self, client: str) -> list[Supports]: ...
    def hostile_to(self, actor: str) -> list[str]: ...
    def mediated_by(self, mediator: str) -> list[tuple[str, str]]: ...


@mypyc_attr(allow_interpreted_subclasses=True)  # as the engine's, which derive from it
class Randoms:
    """The draws actors make: each from the run's own generator, in the order the run asks for them."""

    def uniform(self) -> float:
        raise NotImplementedError

    def uniforms(self, n: int) -> list[float]:
        raise NotImplementedError

    def normal(self) -> float:
        raise NotImplementedError

    def normals(self, n: int) -> list[float]:
        raise NotImplementedError

    def poisson(self, mean: float) -> int:
        raise NotImplementedError

    def poissons(self, mean: float, n: int) -> list[int]:
        raise NotImplementedError


@mypyc_attr(allow_interpreted_subclasses=True)  # as the engine's, which derive from it
class World:
    spec: Scenario
    rungs: Rungs
    draws: Randoms  # the run's random numbers, from the model's generator
    network: Relations
    actors: dict[str, Actor]
    behaviour: Behaviour
    dt: float  # days in one step
    day: int  # the first day of the current step, counted from the scenario's start
    end: int  # the first day of the next step: the current one ends the day before
    horizon: float  # days over which an option's harm is weighed
    watchers: dict[str, list[Actor]]  # actor -> the actors tied to it by some chain of relations

    def act(self, action: Action, day: float | None = None) -> None:
        """An action taken this step (on `day`, the step's first by default)."""
        raise NotImplementedError

    def red_lines_of(self, aid: str) -> tuple[bool, int, float | None] | None:
        """An actor's declared red lines as others see them: (own territory, lowest rung, deaths)."""
        raise NotImplementedError

    def protectors_of(self, protected: str) -> list[tuple[str, int]]:
        """The guarantors of an actor, with the lowest rung of a blow that brings each in."""
        raise NotImplementedError

    def allies_against(self, patron: str, enemy: str) -> list[tuple[str, float]]:
        """The clients of `patron` hostile to `enemy`, with the level of the patron's support."""
        raise NotImplementedError

    def channel_open(self, a: str, b: str) -> float:
        """How far the back channel between a and b carries messages this step."""
        raise NotImplementedError

    def open_channel(self, a: str, b: str, effort: float) -> None:
        """A mediator carries the channel between a and b this step."""
        raise NotImplementedError

    def mediated_by(self, mediator: str) -> list[tuple[str, str]]:
        """The pairs whose back channel runs through `mediator`."""
        raise NotImplementedError

    def fighting(self, a: str, b: str) -> bool:
        """Whether a and b have hurt each other lately."""
        raise NotImplementedError

    def unanswered(self, actor: str, crosser: str) -> None:
        """A red line of `actor` was left unanswered."""
        raise NotImplementedError
