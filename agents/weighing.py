"""The weighing of one choice's options: the model's hottest loop, on plain typed data.

An actor's options toward a target are fixed for a run (Actor._table makes them once, as `Row`s); each choice
weighs them with the terms of the moment (its capability, mood, fear, motive, commitment, patrons' pressure). That
loop is about a quarter of a run, so it lives here, apart from the Mesa agent, written on floats, ints and bools
that a compiler can keep unboxed: where redline is installed with its compiled extension (mypyc, see README's
"Speed"), this module runs as C, and everywhere else as the same Python source, with the same results to the last
bit (the same IEEE arithmetic and the same libm calls, in the same order).

Utility of an option, in log-harm units over the decision horizon (docs/model.md):
    resolve * e^mood * (min(harm, motive) + commitment * min(1, reach / reach asked))
    - fear * balance of strength * harm of the expected answer - domestic cost
    - (patrons' pressure + force cost) * reach
"""

from __future__ import annotations

import math
from typing import Final


class Row:
    """An option as the weighing reads it (Actor._table makes them, once per run and target). An object with named
    fields rather than a tuple: compiled, each field is read where the loop needs it, and most options are passed
    over after a few (a tuple was unpacked whole for each: 1.8 against 1.2 us a weighing)."""

    index: int  # its index in the table's options
    sev: float  # severity of its rung
    deaths: float  # deaths it means at full strength
    force: bool  # a use of force
    reach: float  # reach
    pressed: float  # the reach that patrons' pressure makes costly (0 without force)
    force_cost: float  # cost of mounting it
    least_cost: float  # the least such cost of it and every later option
    span: float  # span of its harm over the horizon
    scaled: bool  # whether that span shrinks with lost strength
    dom: float  # domestic cost
    crossed: float  # 1.0 if it surely crosses the target's red lines, else 0.0
    limit: float  # the line on deaths: the deaths in one action it tolerates, or NO_LINE
    quiet: float  # ... the deaths meant below which crossing it is negligible
    at_full: float  # ... the chance of crossing it at full strength
    up_sev: float  # severity of the rung above
    up_deaths: float  # deaths of the rung above
    up_span: float  # span of the rung above
    group: int  # which group of the target's guarantors joins against it
    fixed: bool  # whether its harm needs no strength (it kills no one, and its span does not shrink)
    still: float  # that harm, if so

    def __init__(
        self,
        index: int,
        sev: float,
        deaths: float,
        force: bool,
        reach: float,
        pressed: float,
        force_cost: float,
        least_cost: float,
        span: float,
        scaled: bool,
        dom: float,
        crossed: float,
        limit: float,
        quiet: float,
        at_full: float,
        up_sev: float,
        up_deaths: float,
        up_span: float,
        group: int,
        fixed: bool,
        still: float,
    ) -> None:
        self.index = index
        self.sev = sev
        self.deaths = deaths
        self.force = force
        self.reach = reach
        self.pressed = pressed
        self.force_cost = force_cost
        self.least_cost = least_cost
        self.span = span
        self.scaled = scaled
        self.dom = dom
        self.crossed = crossed
        self.limit = limit
        self.quiet = quiet
        self.at_full = at_full
        self.up_sev = up_sev
        self.up_deaths = up_deaths
        self.up_span = up_span
        self.group = group
        self.fixed = fixed
        self.still = still

    def __reduce__(self) -> tuple[type[Row], tuple]:
        # A model is pickled and deep-copied whole (its actors' tables of Rows with it); compiled, the class
        # has no instance dict for pickle to fill, so it is made again from its fields.
        return (
            Row,
            (
                self.index,
                self.sev,
                self.deaths,
                self.force,
                self.reach,
                self.pressed,
                self.force_cost,
                self.least_cost,
                self.span,
                self.scaled,
                self.dom,
                self.crossed,
                self.limit,
                self.quiet,
                self.at_full,
                self.up_sev,
                self.up_deaths,
                self.up_span,
                self.group,
                self.fixed,
                self.still,
            ),
        )


def amount[K](account: dict[K, float], key: K, default: float) -> float:
    """What `account` holds for `key`, or `default`: `account.get(key, default)` without a float made for the
    default at each call (compiled, a literal default is boxed anew each time; some 13,000 look-ups a run)."""
    value = account.get(key)
    return default if value is None else value


NO_LINE: Final = -1.0  # a Row's line on deaths where the target has none (a limit is never negative)


def crossing_chance(deaths: float, limit: float) -> float:
    """Chance that an action meant to kill `deaths` (Poisson) kills more than `limit`."""
    if limit < 1:
        return -math.expm1(-deaths)
    if deaths <= 0.0:
        return 0.0
    first = int(limit) + 1  # the fewest deaths that cross the line
    if deaths < first:
        # The tail itself, from its first term: each next term is smaller by deaths/k < 1, so a few terms give it
        # to full precision (where one minus the sum below it would lose all of it to rounding).
        term = math.exp(first * math.log(deaths) - deaths - math.lgamma(first + 1))
        total = term
        k = first
        while term > total * 1e-17:
            k += 1
            term *= deaths / k
            total += term
        return total if total < 1.0 else 1.0
    term = math.exp(-deaths)
    total = term
    for j in range(1, first):
        term *= deaths / j
        total += term
    chance = 1.0 - total
    return chance if chance > 0.0 else 0.0


def best_option(
    rows: list[Row],
    groups: list[tuple[str, ...]],
    allies: list[tuple[str, float]],
    seen: dict[str, float],
    target: str,
    cap: float,
    full: float,
    weight: float,
    fear: float,
    motive: float,
    commitment: float,
    answer_reach: float,
    pressure: float,
) -> tuple[int, float]:
    """The index of the option of the highest utility toward `target` and that utility, or (-1, 0.0) if none is
    above doing nothing. `groups` are the target's guarantors that each option brings in (Row's group), `allies` its
    clients hostile to the actor with the level of its support, `seen` the capabilities the actor believes in; `cap`
    and `full` the actor's capability now and at the start, `weight` its resolve times e^mood, `fear` its fear of
    the target's answer."""
    strength = cap / full if full > 0 else 0.0
    # The strength that would answer: the target's own and its network's, with the guarantors a rung brings in;
    # and the fear of that answer weighed by the balance of strength it makes, once per group of guarantors.
    base = amount(seen, target, 0.0)
    for client, level in allies:
        base += amount(seen, client, 0.0) * level
    answers: list[tuple[float, float]] = []
    for joined in groups:
        answering = base
        for g in joined:
            answering += amount(seen, g, 0.0)
        total = answering + cap
        answers.append((answering, fear * (2.0 * answering / total if total > 0 else 0.0)))
    log1p = math.log1p
    most = weight * (motive + commitment)  # the highest utility any option could have before its costs
    # The log of a harm is taken only where it may matter (compiled, math.log1p is a call into Python, where
    # math.exp is not; a run weighs some 3,500 logs). A harm past `reached` (e^motive - 1, widened by far more than
    # the rounding of either side) has a log above the motive, and gains the motive. An option that would not beat
    # the best even if its harm gained the whole motive is passed over before its harm is counted (a bound in the
    # same arithmetic, never below the utility, for a weight that is not negative).
    capped = 0.0 < motive < 700.0  # past that, e^motive overflows, and no harm reaches it
    reached = (math.exp(motive) - 1.0) * (1.0 + 1e-12) + 1e-15 if capped else 0.0
    bounded = weight >= 0.0
    best = -1
    best_u = 0.0
    for row in rows:
        # Harm over the horizon: one strike, a campaign's attacks at its tempo, or a war's days (span).
        fixed, sev, deaths, span = row.fixed, row.sev, row.deaths, row.span
        lifted = row.force and commitment != 0.0
        lift = 0.0
        if lifted:
            reach = row.reach
            lift = commitment * (1.0 if reach >= answer_reach else reach / answer_reach)
        # The costs that need no belief about the answer: if the option is no better than the best even before
        # the feared answer is counted, that answer (never negative) cannot make it better.
        costs = pressure * row.pressed + row.force_cost
        dom = row.dom
        if fixed:
            x = row.still
            gain = x if x < motive else motive
        else:
            if bounded and weight * (motive + lift if lifted else motive) - dom - costs <= best_u:
                if most - row.least_cost <= best_u:
                    break  # as below
                continue
            harm = (sev + deaths * cap) * (span * strength if row.scaled else span)
            if capped and harm >= reached:
                gain = motive
            else:
                x = log1p(harm)
                gain = x if x < motive else motive
        if lifted:
            gain += lift
        u = weight * gain
        bound = u - dom - costs
        if bound <= best_u:
            if most - row.least_cost <= best_u:
                # No later option can do better: none gains more than the motive and the commitment, and each
                # costs at least this to mount (every cost is never negative).
                break
            continue
        if fear > 0:
            # The expected answer: in kind at the answering strength, or one rung above if the option crosses one
            # of the target's red lines; weighed by the balance of strength.
            answering, feared = answers[row.group]
            answer = row.still if fixed else log1p((sev + deaths * answering) * span)
            crossed, limit = row.crossed, row.limit
            if limit != NO_LINE and not crossed:
                if cap == full:
                    crossed = row.at_full
                else:
                    killed = deaths * cap
                    if killed > row.quiet:  # below it, the chance is too small to change the utility
                        crossed = crossing_chance(killed, limit)
            if crossed:
                above = log1p((row.up_sev + row.up_deaths * answering) * row.up_span)
                answer = (1.0 - crossed) * answer + crossed * above
            u = u - feared * answer - dom - costs
        else:
            u = bound
        if u > best_u:
            best, best_u = row.index, u
    return best, best_u


def feared(
    seen: dict[str, float],
    resolve_seen: dict[str, float],
    other: str,
    allies: list[tuple[str, float]],
    guards: list[str],
    sensitivity: float,
) -> float:
    """Fear of `other`'s answer (Actor.fear_of): its resolve as the actor sees it, times the strength that would
    answer a blow on the top rung (its own, its clients' hostile to the actor by the level of its support, its
    guarantors' that the top rung brings in: `allies` and `guards`, in capabilities as the actor sees them), times
    how much costs weigh with the actor (`sensitivity`)."""
    strength = amount(seen, other, 0.0)
    for client, level in allies:
        strength += amount(seen, client, 0.0) * level
    for guarantor in guards:
        strength += amount(seen, guarantor, 0.0)
    return amount(resolve_seen, other, 0.5) * strength * sensitivity
