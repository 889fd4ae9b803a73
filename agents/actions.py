"""What actors do to one another: an Action on a rung of the ladder, in a manner, and what each rung stands for."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from mypy_extensions import mypyc_attr

from redline.language.spec import Ladder

# Causes, as written in the events table: why an action was taken. Final, as the other constants of the compiled
# modules: compiled, each is written into the code that reads it, not looked up in the module at each use.
SCHEDULED: Final = "scheduled"
CAMPAIGN: Final = "campaign"
RETALIATION: Final = "retaliation"
PRESSURE: Final = "pressure"
GUARANTEE: Final = "guarantee"
SUPPORT: Final = "support"
COMMITMENT: Final = "red_line"
COERCION: Final = "coercion"
DE_ESCALATION: Final = "de_escalation"
MEDIATION: Final = "mediation"
INJECTED: Final = "inject"  # an event added on the command line (--inject), not written in the scenario
# Manners
SURPRISE: Final = "surprise"
WARNED: Final = "warned"


class Fields:
    """A small object made again from its fields (`_fields()`, in its __init__'s order): pickled and copied so (a
    model pickles and copies whole), and shown and compared by them."""

    def _fields(self) -> tuple:
        raise NotImplementedError

    def __reduce__(self) -> tuple[type, tuple]:
        return (type(self), self._fields())

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._fields()!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fields) and type(other) is type(self) and self._fields() == other._fields()


class Action(Fields):
    """One action taken in a step. Deaths are drawn around the intended level when it is resolved, unless the
    scenario fixed them. A class with its own __init__ rather than a dataclass: some 600 are made a run, and a
    dataclass's generated __init__ stays Python where the rest is compiled (it was a tenth of a compiled run)."""

    source: str
    target: str
    rung: int  # index into the ladder
    cause: str
    casualties: float | None  # deaths: drawn when it lands, unless the scenario fixed them
    attributed_to: str
    note: str
    manner: str
    intended: float | None  # deaths meant, at the source's strength; None: the rung's, by its manner
    days: float  # days it lasts: of fighting on a per-day rung; over which a campaign's attacks spread
    count: int  # a campaign's attacks of one step, spread over its days (one row each in the events table)
    decided: float  # the day the action was chosen (-1 for a scheduled event: it answers nothing)

    def __init__(
        self,
        source: str,
        target: str,
        rung: int,
        cause: str,
        casualties: float | None = None,
        attributed_to: str = "",
        note: str = "",
        manner: str = SURPRISE,
        intended: float | None = None,
        days: float = 1.0,
        count: int = 1,
        decided: float = -1.0,
    ) -> None:
        self.source = source
        self.target = target
        self.rung = rung
        self.cause = cause
        self.casualties = casualties
        self.attributed_to = attributed_to
        self.note = note
        self.manner = manner
        self.intended = intended
        self.days = days
        self.count = count
        self.decided = decided

    def _fields(self) -> tuple:
        return (
            self.source,
            self.target,
            self.rung,
            self.cause,
            self.casualties,
            self.attributed_to,
            self.note,
            self.manner,
            self.intended,
            self.days,
            self.count,
            self.decided,
        )


@dataclass(frozen=True, slots=True)
class Option:
    """One thing an actor may do toward an adversary: a rung in a manner, with what it does at full capability."""

    rung: int
    manner: str
    severity: float  # harm beyond deaths
    deaths: float  # intended deaths at full capability, per action (per day on a per-day rung)
    signal: float  # resolve it shows, 0-1
    force: bool  # a use of force (MID 4 or more)
    reach: float  # how far up the ladder it goes, on the signal's scale but not capped at 1 (war goes beyond)

    def __reduce__(self) -> tuple[type[Option], tuple]:
        # A model is pickled and copied whole, its options with it: made again from their fields (frozen, an option
        # cannot be filled in field by field as pickle would).
        return (
            Option,
            (self.rung, self.manner, self.severity, self.deaths, self.signal, self.force, self.reach),
        )


@mypyc_attr(allow_interpreted_subclasses=True)  # made as Python makes objects: a model pickles and copies
class Rungs:
    """The ladder as plain arrays, for the per-step loop: index -> MID level, harm, severity, options."""

    def __init__(self, ladder: Ladder):
        r = ladder.rungs
        self.ids = ladder.ids
        self.index = {rid: i for i, rid in enumerate(self.ids)}
        self.mid = [x.mid_level for x in r]
        self.cameo = [x.cameo for x in r]
        self.goldstein = [x.goldstein for x in r]
        self.casualties = [x.casualties for x in r]
        self.capability_damage = [x.capability_damage for x in r]
        self.per_day = [x.per_day for x in r]
        self.tempo = [x.tempo or 0.0 for x in r]  # actions a day the rung is kept up; 0: one per decision
        # Severity: what an action costs its target beyond deaths. Uses of force weigh fully; threats and shows of
        # force a quarter as much, so that words alone build grievance only slowly.
        self.severity = [max(0.0, -x.goldstein) / 10 * (1.0 if x.mid_level >= 4 else 0.25) for x in r]
        self.expected_harm = [self.severity[i] + self.casualties[i] for i in range(len(r))]
        self.lowest_hostile = next(i for i, g in enumerate(self.goldstein) if g < 0)
        self.top = len(r) - 1
        # The friendliest rung: what a de-escalating move is written as (None if the ladder has none).
        friendly = [i for i, g in enumerate(self.goldstein) if g > 0]
        self.de_escalate = friendly[0] if friendly else None
        # How far up the ladder each rung goes: its harm over a week on the signal's log scale, so that a war (a
        # week of fighting) reaches beyond a major strike.
        ref = math.log1p(self.expected_harm[max(0, self.top - 1)])
        self.reach = [
            math.log1p(self.expected_harm[i] * (7.0 if self.per_day[i] else 1.0)) / ref if ref > 0 else 0.0
            for i in range(len(r))
        ]
        self.options = self._options(ladder.warned_share)
        # The options as plain tuples, unpacked in the decision loop (attribute reads cost there):
        # (option, rung, severity, deaths, force, reach, per day, tempo).
        self.option_rows = [
            (o, o.rung, o.severity, o.deaths, o.force, o.reach, self.per_day[o.rung], self.tempo[o.rung])
            for o in self.options
        ]

    def _options(self, warned_share: float) -> list[Option]:
        """Every hostile rung by surprise, and each rung that kills (one strike at a time) also warned."""
        out = []
        for i in range(self.lowest_hostile, self.top + 1):
            if self.goldstein[i] >= 0:
                continue
            force = self.mid[i] >= 4
            reach = self.reach[i]
            out.append(
                Option(i, SURPRISE, self.severity[i], self.casualties[i], self.signal(i), force, reach)
            )
            if force and self.casualties[i] > 0 and not self.per_day[i]:
                # A warned strike shows most of the resolve of the rung, with a fraction of its deaths.
                out.append(
                    Option(
                        i,
                        WARNED,
                        self.severity[i],
                        self.casualties[i] * warned_share,
                        0.8 * self.signal(i),
                        force,
                        0.8 * reach,
                    )
                )
        return out

    def signal(self, rung: int) -> float:
        """How much an action shows of its author's resolve, 0-1: its harm on a log scale, where a major strike
        (the rung of the ladder's highest harm short of war) shows all."""
        ref = self.expected_harm[max(0, self.top - 1)]
        return min(1.0, math.log1p(self.expected_harm[rung]) / math.log1p(ref)) if ref > 0 else 0.0
