"""What actors do to one another: an Action on a rung of the ladder, and the harm each rung stands for."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.language import Ladder

# Causes, as written in the events table: why an action was taken.
SCHEDULED, CAMPAIGN, RETALIATION, PRESSURE, GUARANTEE, SUPPORT = (
    "scheduled",
    "campaign",
    "retaliation",
    "pressure",
    "guarantee",
    "support",
)


@dataclass(slots=True)
class Action:
    """One action taken in a step. Casualties are drawn when it is resolved, unless the scenario fixed them."""

    source: str
    target: str
    rung: int  # index into the ladder
    cause: str
    casualties: float | None = None
    attributed_to: str = ""
    note: str = ""


class Rungs:
    """The ladder as plain arrays, for the per-step loop: index -> MID level, harm, severity."""

    def __init__(self, ladder: Ladder):
        r = ladder.rungs
        self.ids = ladder.ids
        self.index = {rid: i for i, rid in enumerate(self.ids)}
        self.mid = [x.mid_level for x in r]
        self.cameo = [x.cameo for x in r]
        self.goldstein = [x.goldstein for x in r]
        self.casualties = [x.casualties for x in r]
        self.capability_damage = [x.capability_damage for x in r]
        # Severity: what an action costs its target beyond deaths. Uses of force weigh fully; threats and shows of
        # force a quarter as much, so that words alone build grievance only slowly.
        self.severity = [max(0.0, -x.goldstein) / 10 * (1.0 if x.mid_level >= 4 else 0.25) for x in r]
        self.expected_harm = [self.severity[i] + self.casualties[i] for i in range(len(r))]
        self.lowest_hostile = next(i for i, g in enumerate(self.goldstein) if g < 0)
        self.top = len(r) - 1

    def harm(self, rung: int, casualties: float) -> float:
        """Grievance an action adds to its target: its severity plus the deaths it caused."""
        return self.severity[rung] + casualties

    def proportional(self, grievance: float) -> int:
        """The highest rung whose expected harm does not exceed the grievance (at least a hostile statement)."""
        best = self.lowest_hostile
        for i, h in enumerate(self.expected_harm):
            if h <= grievance and self.goldstein[i] < 0:
                best = i
        return best

    def signal(self, rung: int) -> float:
        """How much an action shows of its author's resolve, 0-1: its harm on a log scale, where a major strike
        (the rung of the ladder's highest harm short of war) shows all."""
        ref = self.expected_harm[max(0, self.top - 1)]
        return min(1.0, math.log1p(self.expected_harm[rung]) / math.log1p(ref)) if ref > 0 else 0.0
