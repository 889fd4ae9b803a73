"""The scenario language: what a scenario file may say, as frozen dataclasses.

Each field's `spec` is at once its documentation, its validation rule and its JSON Schema. `problems()` on a class
states the rules that span several fields. References to actors, rungs and claims are checked once the whole file
is read (redline.language.scenario).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from redline.language.typed import MAX_DATE, Problem, spec

# Deaths in one action: ten million is beyond any war's, and keeps sums over an ensemble finite.
MAX_DEATHS = 10_000_000

# The general outcomes every run is judged on, and the other columns of the runs table (and of a sweep's, `point`):
# no outcome a scenario names may take one of these names.
GENERAL_OUTCOMES = (
    "war",
    "interstate_war",
    "state_clash",
    "patron_uses_force",
    "patron_struck",
    "war_spreads",
)
RUN_COLUMNS = ("run", "seed", "peak_rung", "peak_mid", "attacks", "deaths", "point", "replication")

ActorKind = Literal["state", "armed_group", "host_state", "target", "mediator"]
Response = Literal["proportional", "tit_for_tat", "one_up"]
Step = Literal["day", "week", "month"]
Manner = Literal["surprise", "warned"]
Statistic = Literal["median", "mean", "share_of_runs", "iqr"]

_EXPECT = re.compile(r"^\s*(?:(>=|<=|>|<)\s*(-?[\d.]+)|(-?[\d.]+)\s*\.\.\s*(-?[\d.]+))\s*$")


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """A block whose values come from the articles (`evidence`) or are assumed (`assumed`, with reasons)."""

    evidence: tuple[str, ...] = spec(
        "Ids of the claims in seeds/ that these values rest on.", default=(), ref="claim"
    )
    assumed: Mapping[str, str] = spec(
        "Values the articles give no number for: key -> why this value was chosen.", default={}
    )

    def problems(self) -> Iterator[Problem]:
        if not self.evidence and not self.assumed:
            yield "", "cite claims under 'evidence' or mark values under 'assumed' (key: reason)"
        names = {f.metadata.get("key") or f.name for f in fields(self)} - {"evidence", "assumed"}
        for key, reason in self.assumed.items():
            if key not in names:
                yield (
                    ("assumed", key),
                    f"'{key}' is not a key of this block (keys: {', '.join(sorted(names))})",
                )
            if not str(reason).strip():
                yield ("assumed", key), "give the reason the value was assumed"


# --- the escalation ladder -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Rung:
    """One step of the escalation ladder, with its place on the MID and CAMEO/Goldstein scales and its harm."""

    id: str = spec("Short id used by scenarios, e.g. limited_strike.")
    label: str = spec("Readable name.")
    mid_level: int = spec(
        "Correlates of War MID hostility level: 1 none, 2 threat, 3 display, 4 use of force, 5 war.",
        ge=1,
        le=5,
    )
    cameo: int = spec("CAMEO root code (1-20) of the action.", ge=1, le=20)
    cameo_code: str | None = spec(
        "Full CAMEO event code of the action, as text: the two digits of the root code and one or two more, e.g. "
        "'195' (employ aerial weapons). Absent: the root's 'not specified below' code (root code and a 0).",
        default=None,
    )
    goldstein: float = spec(
        "Goldstein weight of the CAMEO root code (-10 most hostile, +10 most cooperative).", ge=-10, le=10
    )
    casualties: float = spec("Expected deaths one action at this rung causes.", ge=0, le=MAX_DEATHS)
    capability_damage: float = spec("Share of the target's capability one action destroys.", ge=0, le=1)
    per_day: bool = spec(
        "Sustained fighting: casualties and capability damage are per day, so one action lasts the whole step.",
        default=False,
    )
    tempo: float | None = spec(
        "Actions per day while an actor keeps up this rung without a campaign of its own (e.g. harassment); "
        "absent, one action per decision.",
        default=None,
        ge=0,
        le=100,
    )
    description: str = spec("What actions this rung stands for.", default="")

    def problems(self) -> Iterator[Problem]:
        if self.cameo_code is not None:
            if not re.fullmatch(r"\d{3,4}", self.cameo_code):
                yield (
                    "cameo_code",
                    f"'{self.cameo_code}' is not a CAMEO event code: three or four digits, e.g. '195'",
                )
            elif not self.cameo_code.startswith(f"{self.cameo:02d}"):
                yield "cameo_code", f"'{self.cameo_code}' does not begin with the root code {self.cameo:02d}"

    @property
    def event_code(self) -> str:
        """The full CAMEO event code: the one given, or the root's 'not specified below' code."""
        return self.cameo_code or f"{self.cameo:02d}0"

    @property
    def quad_class(self) -> int:
        """CAMEO's QuadClass of the root code: 1 verbal and 2 material cooperation, 3 verbal and 4 material
        conflict (the codebook's grouping of root codes 01-05, 06-09, 10-14, 15-20)."""
        return 1 if self.cameo <= 5 else 2 if self.cameo <= 9 else 3 if self.cameo <= 14 else 4


@dataclass(frozen=True, kw_only=True)
class Ladder:
    """An ordered list of rungs, lowest first."""

    ladder: str = spec("Name of the ladder.")
    title: str = spec("Readable title.", default="")
    sources: tuple[str, ...] = spec("Where the scales come from (codebooks, papers).", default=())
    assumed: Mapping[str, str] = spec("Values chosen without a source: what and why.", default={})
    warned_share: float = spec(
        "Share of a rung's deaths that a warned strike (targets told to leave) intends.",
        default=0.1,
        ge=0,
        le=1,
    )
    rungs: tuple[Rung, ...] = spec("The rungs, lowest first.")

    def problems(self) -> Iterator[Problem]:
        seen: set[str] = set()
        for i, r in enumerate(self.rungs):
            if r.id in seen:
                yield ("rungs", i, "id"), f"rung '{r.id}' appears twice"
            seen.add(r.id)
            if i and r.mid_level < self.rungs[i - 1].mid_level:
                yield ("rungs", i, "mid_level"), "rungs are ordered lowest first: MID level may not fall"
        if len(self.rungs) < 2:
            yield "rungs", "a ladder needs at least two rungs"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rungs)

    def index(self, rung_id: str) -> int:
        return self.ids.index(rung_id)


# --- doctrines: what an actor wants, fears and cannot do ---------------------------------------------------------
# Every rate, memory and lag is in days and converted to the scenario's step by the model.


@dataclass(frozen=True, kw_only=True)
class RedLines(Sourced):
    """Declared red lines: commitments to answer a crossing. A crossing leaves the actor a `patience` of days to
    answer with force; an answer avoids the audience cost, silence lowers what others believe of its resolve."""

    own_territory_struck: bool = spec(
        "Crossed when anyone acts against this actor itself (not a group it hosts) at or above `min_rung`, force "
        "or not.",
        default=False,
    )
    casualties_above: float | None = spec(
        "Crossed when one action kills more than this many of this actor's people.",
        default=None,
        ge=0,
        le=MAX_DEATHS,
    )
    allies_struck: tuple[str, ...] = spec(
        "Crossed when anyone acts against any of these actors at or above `min_rung`, force or not.",
        default=(),
        ref="actor",
    )
    min_rung: str = spec(
        "The lowest rung that crosses the line: a strike, or below force (a sanction, a threat) for a line drawn "
        "there.",
        default="limited_strike",
        ref="rung",
    )
    audience_cost: float = spec(
        "What leaving a crossing unanswered costs the actor at home and in reputation (utility units, about "
        "the worth of a major strike's harm on a log scale).",
        default=2.0,
        ge=0,
        le=10,
    )
    patience: float = spec(
        "Days the actor has to answer before the line counts as unanswered.", default=14, ge=0
    )


@dataclass(frozen=True, kw_only=True)
class Retaliation(Sourced):
    """The actor answers harm done to it or blamed on others: grievance (in harm units) is a motive to strike."""

    half_life: float = spec("Days in which grievance falls by half.", default=14, ge=0.1, le=3650)
    lag: float = spec("Days it takes to prepare a strike once decided.", default=1, ge=0, le=365)
    weight: float = spec(
        "How much answering harm matters to the actor, 0-2 (1: fully).", default=1.0, ge=0, le=2
    )


@dataclass(frozen=True, kw_only=True)
class Aims(Sourced):
    """What the actor means to achieve by force, whatever its adversaries do next: to take away their means of
    fighting. The aim lasts as long as the adversary keeps its strength."""

    disarm: Mapping[str, float] = spec(
        "Adversary -> weight (0-1) of the aim to destroy its means of fighting.", ref="actor"
    )


@dataclass(frozen=True, kw_only=True)
class Limits(Sourced):
    """Options the actor does not have at all: no means or no way to reach the target. Not restraint: restraint
    comes from costs."""

    max_rung: str = spec("Highest rung the actor can use at all.", ref="rung")
    toward: Mapping[str, str] = spec(
        "Per-target highest rungs that replace max_rung for those targets.",
        default={},
        ref="actor",
        value_ref="rung",
    )


@dataclass(frozen=True, kw_only=True)
class Campaign(Sourced):
    """How fast an armed group can keep up attacks on a target once it chooses to: its operational tempo."""

    per_day: Mapping[str, float] = spec(
        "Target -> attacks per day at full capability while the actor keeps up its campaign rung.",
        ref="actor",
    )
    rung: str = spec("The rung of one attack of the campaign.", default="harassment", ref="rung")


@dataclass(frozen=True, kw_only=True)
class Support(Sourced):
    """A patron resupplies its clients (the `supports` relations) and takes the harm they suffer to heart; harm its
    clients do to an adversary answers its own grievance against it, so it need not fight itself."""

    resupply: float = spec("Capability restored to a client per day, times the relation's level.", ge=0, le=1)
    solidarity: float = spec(
        "Share of the harm done to a client that becomes the patron's grievance toward the "
        "attacker (times the relation's level).",
        default=0.0,
        ge=0,
        le=1,
    )


@dataclass(frozen=True, kw_only=True)
class Pressure(Sourced):
    """A patron that fears an adversary's answer presses the clients that attack that adversary to stop."""

    fear_threshold: float = spec(
        "Fear of the adversary above which the patron presses: the adversary's resolve as the patron reads it (0-1) "
        "times the strength that would answer (the adversary's capability, plus its clients' and guarantors', 0-1 "
        "each) times the patron's cost sensitivity. 1 is a resolute adversary of full strength, alone, facing a "
        "patron fully sensitive to costs; with allies behind it, fear goes past 1.",
        ge=0,
        le=10,
    )
    strength: float = spec(
        "How hard it presses, 0-1: the cost of defiance for a fully dependent client.", ge=0, le=1
    )


@dataclass(frozen=True, kw_only=True)
class Learning(Sourced):
    """The actor's beliefs about some adversaries' resolve: where they start and how fast they follow what is seen."""

    about: tuple[str, ...] = spec("Adversaries whose resolve the actor starts out misjudging.", ref="actor")
    prior: float = spec("Initial estimate of their resolve (0-1).", ge=0, le=1)
    rate: float = spec(
        "Weight of one observation (a strike seen, a red line left unanswered) in the estimate.", ge=0, le=1
    )


@dataclass(frozen=True, kw_only=True)
class Domestic(Sourced):
    """Costs at home that grow with the rung: a fragile host state, an election."""

    comfort_rung: str = spec("Highest rung used without domestic cost.", ref="rung")
    cost: float = spec("Cost of each rung above comfort_rung (utility units).", ge=0, le=5)


@dataclass(frozen=True, kw_only=True)
class Mediation(Sourced):
    """A mediator carries messages on the back channels that go through it while the parties fight."""

    effort: float = spec("How hard it works, 0-1: scales the effect of the channels it carries.", ge=0, le=1)


@dataclass(frozen=True, kw_only=True)
class Doctrine:
    """The doctrines an actor follows; each is optional."""

    retaliation: Retaliation | None = spec(Retaliation.__doc__ or "", default=None)
    aims: Aims | None = spec(Aims.__doc__ or "", default=None)
    red_lines: RedLines | None = spec(RedLines.__doc__ or "", default=None)
    limits: Limits | None = spec(Limits.__doc__ or "", default=None)
    campaign: Campaign | None = spec(Campaign.__doc__ or "", default=None)
    support: Support | None = spec(Support.__doc__ or "", default=None)
    pressure: Pressure | None = spec(Pressure.__doc__ or "", default=None)
    learning: Learning | None = spec(Learning.__doc__ or "", default=None)
    domestic: Domestic | None = spec(Domestic.__doc__ or "", default=None)
    mediation: Mediation | None = spec(Mediation.__doc__ or "", default=None)


@dataclass(frozen=True, kw_only=True)
class Actor(Sourced):
    """A state, armed group or other party to the crisis."""

    kind: ActorKind = spec("state | armed_group | host_state | target | mediator.")
    label: str = spec("Readable name.", default="")
    capability: float = spec("Military capability, 0-1, relative to the strongest actor.", ge=0, le=1)
    cost_sensitivity: float = spec(
        "How much the prospect of costs weighs on decisions, 0-1.", default=0.5, ge=0, le=1
    )
    resolve: float = spec(
        "Willingness to bear costs for its aims, 0-1 (what adversaries learn about).", default=0.5, ge=0, le=1
    )
    autonomy: float = spec(
        "A client's freedom from its patron: the share of pressure it ignores, 0-1.", default=0.0, ge=0, le=1
    )
    doctrine: Doctrine = spec("Rules the actor applies each step.", default=Doctrine())
    code: str | None = spec(
        "CAMEO actor code for event data: a state's ISO 3166-1 alpha-3 code (IRN, USA); a group's country code "
        "followed by CAMEO role codes (LBNREB). Absent: none (null in the tables).",
        default=None,
    )
    type_code: str | None = spec(
        "CAMEO actor type code: GOV government, MIL military, REB armed opposition or militia, BUS business, "
        "IGO intergovernmental organisation, ... Absent: none (null in the tables).",
        default=None,
    )

    def problems(self) -> Iterator[Problem]:
        yield from super().problems()
        if self.code is not None and not re.fullmatch(r"(?:[A-Z]{3}){1,3}", self.code):
            yield (
                "code",
                f"'{self.code}' is not a CAMEO actor code: one to three blocks of three capitals (IRN, LBNREB)",
            )
        if self.type_code is not None and not re.fullmatch(r"[A-Z]{3}", self.type_code):
            yield "type_code", f"'{self.type_code}' is not a CAMEO type code: three capitals (GOV, MIL, REB)"


# --- relations: typed, directed edges ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Edge(Sourced):
    source: str = spec("The actor the relation goes from.", key="from", ref="actor")
    target: str = spec("The actor the relation goes to.", key="to", ref="actor")

    def problems(self) -> Iterator[Problem]:
        yield from super().problems()
        if self.source == self.target:
            yield "to", f"a relation from '{self.source}' to itself"

    @property
    def key(self) -> str:
        """How overrides and variants address this relation: `type:from:to`."""
        return f"{self.type}:{self.source}:{self.target}"  # type: ignore[attr-defined]


@dataclass(frozen=True, kw_only=True)
class Supports(_Edge):
    """A patron supports a client: arms, money, training. `control` is how far the patron can steer it."""

    type: Literal["supports"] = spec("Relation type.")
    level: float = spec("How much support flows, 0-1.", ge=0, le=1)
    control: float = spec("Weight of the patron's pressure on the client, 0-1.", ge=0, le=1)
    channels: tuple[Literal["arms", "money", "training", "intelligence", "political"], ...] = spec(
        "What the support consists of.", default=()
    )


@dataclass(frozen=True, kw_only=True)
class Hostile(_Edge):
    """`from` regards `to` as an adversary; `level` is how strongly, 0-1."""

    type: Literal["hostile"] = spec("Relation type.")
    level: float = spec("Intensity of hostility, 0-1.", ge=0, le=1)


@dataclass(frozen=True, kw_only=True)
class Guarantees(_Edge):
    """`from` defends `to`: a strike on `to` at or above `trigger_rung` counts as a strike on `from`."""

    type: Literal["guarantees"] = spec("Relation type.")
    trigger_rung: str = spec("Lowest rung against `to` that engages the guarantee.", ref="rung")


@dataclass(frozen=True, kw_only=True)
class Attributes(_Edge):
    """`from` blames `to` (a patron) for attacks by the actors in `via`, with some probability."""

    type: Literal["attributes"] = spec("Relation type.")
    via: tuple[str, ...] = spec("The clients whose attacks are blamed on `to`.", ref="actor")
    probability: float = spec("Chance that one attack is blamed on `to`.", ge=0, le=1)
    weight: float = spec(
        "Share of the attack's harm that blame adds to grievance toward `to`.", default=1.0, ge=0, le=1
    )


@dataclass(frozen=True, kw_only=True)
class Hosts(_Edge):
    """`from` (a state) hosts `to` (an armed group or forces) on its territory: strikes on the guest hurt the host
    too (a share, `exposure`, of their harm) and it blames the striker; they cross none of the host's own red
    lines, which only a strike on the host itself crosses."""

    type: Literal["hosts"] = spec("Relation type.")
    exposure: float = spec(
        "Share of the harm of a strike on the guest that falls on the host.", default=0.3, ge=0, le=1
    )


@dataclass(frozen=True, kw_only=True)
class Allied(_Edge):
    """`from` stands with `to`: harm done to `to` becomes `from`'s grievance against the attacker, times `level`."""

    type: Literal["allied"] = spec("Relation type.")
    level: float = spec("How much of the partner's harm `from` takes as its own, 0-1.", ge=0, le=1)


@dataclass(frozen=True, kw_only=True)
class BackChannel(_Edge):
    """A line of communication (direct or through a mediator): messages on it let each side see the other's true
    resolve, and grievance between them fades faster. Through a mediator it works while the mediator mediates."""

    type: Literal["back_channel"] = spec("Relation type.")
    level: float = spec("How well the channel works, 0-1.", ge=0, le=1)
    via: str | None = spec("The mediator, if any.", default=None, ref="actor")


Relation = Supports | Hostile | Guarantees | Attributes | Hosts | BackChannel | Allied


# --- time, events and checks ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TimeSpec:
    """The simulated period."""

    start: dt.date = spec("First day, YYYY-MM-DD.")
    step: Step = spec("Length of one step: day | week | month.")
    steps: int = spec("Number of steps.", ge=1, le=10_000)

    def date_of(self, step: int) -> dt.date:
        """The first day of step `step` (0-based)."""
        if self.step == "day":
            return self.start + dt.timedelta(days=step)
        if self.step == "week":
            return self.start + dt.timedelta(weeks=step)
        month = self.start.month - 1 + step
        year, month = self.start.year + month // 12, month % 12 + 1
        # The start's day of the month, or the month's last day where it is shorter (31 January, 29 February).
        return dt.date(year, month, min(self.start.day, calendar.monthrange(year, month)[1]))

    def step_of(self, day: dt.date) -> int:
        """The step that contains `day` (may be outside 0..steps-1)."""
        if self.step == "day":
            return (day - self.start).days
        if self.step == "week":
            return (day - self.start).days // 7
        months = (day.year - self.start.year) * 12 + day.month - self.start.month
        return months - (day < self.date_of(months))

    @property
    def days(self) -> float:
        """Days in one step: what converts per-day rates, memories and lags to the step."""
        return {"day": 1.0, "week": 7.0, "month": 365.25 / 12}[self.step]

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return self.date_of(self.steps) - dt.timedelta(days=1)


# The doctrine fields that name other actors: (doctrine, field).
_NAMES_OTHERS = (
    ("campaign", "per_day"),
    ("aims", "disarm"),
    ("limits", "toward"),
    ("red_lines", "allies_struck"),
    ("learning", "about"),
)

# The note `redline run --inject` gives the events it adds: what marks them as injects in the tables and reports.
INJECTED_NOTE = "injected with --inject: an instructor's what-if"


@dataclass(frozen=True, kw_only=True)
class Event(Sourced):
    """A scheduled action: it happens whatever the model decides."""

    at: dt.date = spec("Date, YYYY-MM-DD, within the scenario's time.")
    source: str = spec("The actor that acts.", ref="actor")
    target: str = spec("The actor acted upon.", ref="actor")
    action: str = spec("The rung of the action.", ref="rung")
    casualties: float | None = spec(
        "Deaths it causes; absent, drawn around the rung's intended deaths.",
        default=None,
        ge=0,
        le=MAX_DEATHS,
    )
    manner: Manner = spec(
        "surprise (full intended deaths) or warned (targets told to leave).", default="surprise"
    )
    note: str = spec("What happened.", default="")

    @property
    def injected(self) -> bool:
        """Added on the command line (--inject) rather than written in the scenario."""
        return self.note == INJECTED_NOTE

    def problems(self) -> Iterator[Problem]:
        yield from super().problems()
        if self.source == self.target:
            yield "target", "an event's source and target are the same actor"


@dataclass(frozen=True, kw_only=True)
class EventFilter:
    """Which events a check counts."""

    source: tuple[str, ...] = spec("Acting actors (any, if absent).", default=(), ref="actor")
    target: tuple[str, ...] = spec("Targets (any, if absent).", default=(), ref="actor")
    min_mid: int = spec("Lowest MID level counted (4 = uses of force).", default=1, ge=1, le=5)
    max_mid: int = spec("Highest MID level counted.", default=5, ge=1, le=5)
    min_rung: str | None = spec("Lowest rung counted (absent: any).", default=None, ref="rung")
    causes: tuple[str, ...] = spec(
        "Causes counted (scheduled, inject, campaign, retaliation, ...); any, if absent.", default=()
    )
    start: dt.date | None = spec("First day counted.", default=None, key="from")
    end: dt.date | None = spec("Last day counted.", default=None, key="to")

    def problems(self) -> Iterator[Problem]:
        if self.min_mid > self.max_mid:
            yield "min_mid", "min_mid is above max_mid"
        if self.start and self.end and self.start > self.end:
            yield "from", "'from' is after 'to'"


@dataclass(frozen=True, kw_only=True)
class Ratio(EventFilter):
    """Per-step rate of matching events after an anchor event over the rate before it, per run.

    The anchor is the first event matching `anchor` (in a run); runs without one have no value."""

    anchor: EventFilter = spec("The event the rates are measured around: its first match in a run.")
    before_steps: int = spec("Steps before the anchor's step that make the reference rate.", ge=1)
    after_steps: int = spec("Steps after the anchor's step that make the compared rate.", ge=1)


@dataclass(frozen=True, kw_only=True)
class Check(Sourced):
    """A stylized fact the scenario must reproduce over an ensemble of runs.

    Exactly one metric: `count` (matching events per run), `share_of_steps` (share of the steps in the window, a
    step partly in it included, with a matching event in it, per run) or `rate_ratio`. `statistic` reduces the
    per-run values over runs: median, mean, share_of_runs (the share of runs whose value is above zero) or iqr (how
    much the runs differ).
    """

    name: str = spec("What the check says, in words.")
    count: EventFilter | None = spec("Count matching events per run.", default=None)
    share_of_steps: EventFilter | None = spec(
        "Share of the steps in the window (one partly in it counts) with a matching event, per run.",
        default=None,
    )
    rate_ratio: Ratio | None = spec("Rate after / rate before, per run.", default=None)
    statistic: Statistic = spec(
        "median | mean | share_of_runs (runs with a value above 0) | iqr (spread between "
        "the runs' 25th and 75th percentiles).",
        default="median",
    )
    expect: str = spec("The band the statistic must fall in: '>= X', '<= X', '> X', '< X' or 'LO..HI'.")

    def problems(self) -> Iterator[Problem]:
        yield from super().problems()
        given = [m for m in ("count", "share_of_steps", "rate_ratio") if getattr(self, m) is not None]
        if len(given) != 1:
            yield "", f"give exactly one metric of count, share_of_steps, rate_ratio (found {len(given)})"
        if not _EXPECT.match(self.expect):
            yield "expect", f"'{self.expect}' is not a band: write '>= X', '<= X', '> X', '< X' or 'LO..HI'"
        elif self.band[0] > self.band[1]:
            yield "expect", "the band's low end is above its high end"

    @property
    def metric(self) -> tuple[str, EventFilter]:
        for m in ("count", "share_of_steps", "rate_ratio"):
            if getattr(self, m) is not None:
                return m, getattr(self, m)
        raise ValueError("check has no metric")

    @property
    def band(self) -> tuple[float, float]:
        """(low, high) of the band, ends included (strict bounds nudge the end by a tiny amount)."""
        m = _EXPECT.match(self.expect)
        assert m is not None
        op, x, lo, hi = m.groups()
        if op is None:
            return float(lo), float(hi)
        x = float(x)
        eps = 1e-9 * max(1.0, abs(x))
        return {
            ">=": (x, float("inf")),
            ">": (x + eps, float("inf")),
            "<=": (float("-inf"), x),
            "<": (float("-inf"), x - eps),
        }[op]


@dataclass(frozen=True, kw_only=True)
class Behaviour(Sourced):
    """Parameters of the decision model shared by all actors of a scenario (docs/model.md)."""

    mood_sd: float = spec(
        "Spread of each actor's mood: a slow random swing of how much its motives weigh (log scale).",
        default=0.3,
        ge=0,
        le=2,
    )
    mood_days: float = spec(
        "Days over which a swing of mood fades (its correlation time).", default=14, ge=0.1
    )
    stakes: float = spec(
        "Weight of the adversary's expected answer in a decision (how much an actor fears being hit back).",
        default=1.0,
        ge=0,
        le=20,
    )
    standing_motive: float = spec(
        "Motive that hostility alone gives, before any grievance (log-harm units, times the hostility level).",
        default=0.3,
        ge=0,
        le=5,
    )
    leverage: float = spec(
        "Cost of defying a patron that presses with full strength and control, per unit of reach (how far up the "
        "ladder the use of force goes).",
        default=10.0,
        ge=0,
        le=100,
    )
    belief_rate: float = spec(
        "Weight of one observation in an actor's estimate of another's resolve, unless its learning says otherwise.",
        default=0.5,
        ge=0,
        le=1,
    )
    observation_noise: float = spec(
        "Spread of the error in reading an adversary's strike as resolve.", default=0.1, ge=0, le=1
    )
    force_cost: float = spec(
        "What a use of force costs its author beyond the adversary's answer (material, standing abroad), times its "
        "cost sensitivity and (0.5 + its reach, how far up the ladder it goes): the costs of conflict in Fearon's "
        "bargaining model.",
        default=0.5,
        ge=0,
        le=10,
    )
    horizon: float = spec(
        "Days over which an actor weighs an option's harm (a campaign's attacks, a war's days of fighting), so "
        "that daily and weekly steps weigh options alike.",
        default=7.0,
        ge=1,
        le=365,
    )
    assumed: Mapping[str, str] = spec(
        "Values the articles give no number for: key -> why this value was chosen.",
        default={
            "mood_sd": "no source gives it; docs/model.md explains each default of the decision model",
            "stakes": "see docs/model.md",
        },
    )


@dataclass(frozen=True, kw_only=True)
class NamedOutcome:
    """An outcome of the crisis an analyst asks the probability of: a run has it when any event matches `when`."""

    name: str = spec("Identifier of the outcome (a column of the runs table), e.g. iran_us_clash.")
    description: str = spec("What it means, in words.")
    when: EventFilter = spec("The events that make a run have this outcome.")

    def problems(self) -> Iterator[Problem]:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            yield "name", "an outcome's name is a lower-case word: letters, digits and '_'"


@dataclass(frozen=True, kw_only=True)
class Lever(Sourced):
    """A value of the scenario that research tools may vary (EMA Workbench, SALib, the app's sliders): its name, the
    `--set` path it changes and the range it is varied over. Read by `redline levers` and redline.frontends.ema, not
    by a run. `evidence` and `assumed` say where the range comes from."""

    name: str = spec("Identifier of the lever (letters, digits and '_'), e.g. iran_cost_sensitivity.")
    label: str = spec("Readable name.", default="")
    path: str = spec(
        "The key path it sets, as `--set` takes it, e.g. relations.supports:iran:hezbollah.control."
    )
    range: tuple[float, ...] = spec(
        "[low, high]: the values it is varied over; they hold the scenario's value."
    )
    unit: str = spec("Unit of the value, e.g. 'share 0-1', 'probability', 'days', 'utility units'.")

    def problems(self) -> Iterator[Problem]:
        yield from super().problems()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            yield "name", "a lever's name is a lower-case word: letters, digits and '_'"
        if len(self.range) != 2:
            yield "range", f"give [low, high], two numbers (found {len(self.range)})"
        elif self.range[0] >= self.range[1]:
            yield "range", "low must be below high"

    @property
    def low(self) -> float:
        return self.range[0]

    @property
    def high(self) -> float:
        return self.range[1]


# --- the scenario -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A crisis: its actors and their doctrines, their relations, scheduled events and the facts to reproduce."""

    scenario: str = spec("Short id of the scenario, e.g. axis-2023.")
    title: str = spec("Readable title.")
    description: str = spec("What the scenario represents and where it comes from.", default="")
    time: TimeSpec = spec("The simulated period.")
    behaviour: Behaviour = spec(
        "How actors decide: noise, stakes and the weight of signals.", default=Behaviour()
    )
    ladder: str | Ladder = spec(
        "A ladder name from scenarios/ladders/ (or a ladders/ folder beside the file), or "
        "an inline ladder. Once loaded, always the Ladder itself.",
        default="default",
    )
    actors: Mapping[str, Actor] = spec("Actor id -> actor.")
    relations: tuple[Relation, ...] = spec("Typed, directed relations between actors.", default=())
    events: tuple[Event, ...] = spec("Scheduled events.", default=())
    checks: tuple[Check, ...] = spec("Stylized facts this scenario must reproduce.", default=())
    outcomes: tuple[NamedOutcome, ...] = spec(
        "Outcomes of this crisis whose probability the runs table and summary report, beside the general ones.",
        default=(),
    )
    levers: tuple[Lever, ...] = spec(
        "Values research tools vary (`redline levers`, redline.frontends.ema): each with its `--set` path and range.",
        default=(),
    )

    @property
    def rungs(self) -> tuple[Rung, ...]:
        assert isinstance(self.ladder, Ladder), "the loader resolves the ladder"
        return self.ladder.rungs

    def relation(self, key: str) -> Relation:
        """The relation `type:from:to`."""
        for r in self.relations:
            if r.key == key:
                return r
        raise KeyError(key)

    def problems(self) -> Iterator[Problem]:
        # A doctrine names others: an actor that campaigns against, disarms, limits itself toward, guards or learns
        # about itself is a slip (an event or a relation to itself is refused too).
        for aid, actor in self.actors.items():
            for block, field in _NAMES_OTHERS:
                d = getattr(actor.doctrine, block)
                named = getattr(d, field) if d is not None else ()
                if aid in named:
                    at = named.index(aid) if isinstance(named, tuple) else aid
                    yield (
                        ("actors", aid, "doctrine", block, field, at),
                        f"'{aid}' is the actor itself: name other actors here",
                    )
        seen: dict[str, int] = {}
        for i, r in enumerate(self.relations):
            if r.key in seen:
                yield ("relations", i), f"relation '{r.key}' is given twice (first at index {seen[r.key]})"
            seen.setdefault(r.key, i)
        for i, e in enumerate(self.events):
            if not self.time.start <= e.at <= self.time.end:
                yield (
                    ("events", i, "at"),
                    (f"{e.at} is outside the scenario's time, {self.time.start} to {self.time.end}"),
                )
        if self.time.end > MAX_DATE:
            yield (
                ("time", "steps"),
                f"the period would end on {self.time.end}, past {MAX_DATE}, the last date the language allows",
            )
        names: set[str] = set()
        for i, o in enumerate(self.outcomes):
            if o.name in GENERAL_OUTCOMES or o.name in names:
                yield ("outcomes", i, "name"), f"outcome '{o.name}' is already defined"
            elif o.name in RUN_COLUMNS:
                yield (
                    ("outcomes", i, "name"),
                    f"'{o.name}' is a column of the runs table: name the outcome otherwise",
                )
            names.add(o.name)
        checks: set[str] = set()
        for i, c in enumerate(self.checks):
            if c.name in checks:
                yield ("checks", i, "name"), f"a check named '{c.name}' is already given"
            checks.add(c.name)
            windows = [(m, getattr(c, m)) for m in ("count", "share_of_steps", "rate_ratio")]
            if c.rate_ratio is not None:
                windows.append(("rate_ratio.anchor", c.rate_ratio.anchor))
            for where, f in windows:
                if f is None:
                    continue
                # A window reaching past either end of the period is cut to it; one wholly outside counts nothing.
                for key, day, outside in (
                    ("from", f.start, f.start is not None and f.start > self.time.end),
                    ("to", f.end, f.end is not None and f.end < self.time.start),
                ):
                    if outside:
                        yield (
                            ("checks", i, *where.split("."), key),
                            f"{day} leaves the window outside the scenario's time, {self.time.start} to "
                            f"{self.time.end}",
                        )
        levers: set[str] = set()
        for i, lever in enumerate(self.levers):
            if lever.name in levers:
                yield ("levers", i, "name"), f"lever '{lever.name}' is declared twice"
            levers.add(lever.name)
        for aid in self.actors:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", aid):
                yield ("actors", aid), "actor ids are lower-case words: letters, digits and '_'"


@dataclass(frozen=True, kw_only=True)
class Variant:
    """A what-if: a scenario that extends another and changes some of its values."""

    extends: str = spec(
        "The scenario this one changes: a file, relative to this file, or a shipped scenario's name (axis-2023, "
        "cases/gulf-2019)."
    )
    scenario: str = spec("Short id of the variant.")
    title: str = spec("Readable title.")
    description: str = spec("What the variant changes and why.", default="")
    set: Mapping[str, Any] = spec("Key path -> new value, as with --set.", default={})
    remove: tuple[str, ...] = spec("Key paths to delete (a relation, a doctrine, an event).", default=())
