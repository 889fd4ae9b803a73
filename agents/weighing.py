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

# An option as the weighing reads it (Actor._table makes them, once per run and target).
Row = tuple[
    int,  # its index in the table's options
    float,  # severity of its rung
    float,  # deaths it means at full strength
    bool,  # a use of force
    float,  # reach
    float,  # the reach that patrons' pressure makes costly (0 without force)
    float,  # cost of mounting it
    float,  # the least such cost of it and every later option
    float,  # span of its harm over the horizon
    bool,  # whether that span shrinks with lost strength
    float,  # domestic cost
    float,  # 1.0 if it surely crosses the target's red lines, else 0.0
    float,  # the line on deaths: the deaths in one action it tolerates, or NO_LINE
    float,  # ... the deaths meant below which crossing it is negligible
    float,  # ... the chance of crossing it at full strength
    float,  # severity of the rung above
    float,  # deaths of the rung above
    float,  # span of the rung above
    int,  # which group of the target's guarantors joins against it
    bool,  # whether its harm needs no strength (it kills no one, and its span does not shrink)
    float,  # that harm, if so
]
NO_LINE = -1.0  # a Row's line on deaths where the target has none (a limit is never negative)


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
    base = seen.get(target, 0.0)
    for client, level in allies:
        base += seen.get(client, 0.0) * level
    answers: list[tuple[float, float]] = []
    for joined in groups:
        answering = base
        for g in joined:
            answering += seen.get(g, 0.0)
        total = answering + cap
        answers.append((answering, fear * (2.0 * answering / total if total > 0 else 0.0)))
    log1p = math.log1p
    most = weight * (motive + commitment)  # the highest utility any option could have before its costs
    best = -1
    best_u = 0.0
    for (
        o,
        sev,
        deaths,
        force,
        reach,
        pressed,
        force_cost,
        least_cost,
        span,
        scaled,
        dom,
        crossed,
        limit,
        quiet,
        at_full,
        up_sev,
        up_deaths,
        up_span,
        k,
        fixed,
        still,
    ) in rows:
        # Harm over the horizon: one strike, a campaign's attacks at its tempo, or a war's days (span).
        x = still if fixed else log1p((sev + deaths * cap) * (span * strength if scaled else span))
        gain = x if x < motive else motive
        if force and commitment:
            gain += commitment * (1.0 if reach >= answer_reach else reach / answer_reach)
        u = weight * gain
        # The costs that need no belief about the answer: if the option is no better than the best even before
        # the feared answer is counted, that answer (never negative) cannot make it better.
        costs = pressure * pressed + force_cost
        bound = u - dom - costs
        if bound <= best_u:
            if most - least_cost <= best_u:
                # No later option can do better: none gains more than the motive and the commitment, and each
                # costs at least this to mount (every cost is never negative).
                break
            continue
        if fear > 0:
            # The expected answer: in kind at the answering strength, or one rung above if the option crosses one
            # of the target's red lines; weighed by the balance of strength.
            answering, feared = answers[k]
            answer = still if fixed else log1p((sev + deaths * answering) * span)
            if limit != NO_LINE and not crossed:
                if cap == full:
                    crossed = at_full
                else:
                    killed = deaths * cap
                    if killed > quiet:  # below it, the chance is too small to change the utility
                        crossed = crossing_chance(killed, limit)
            if crossed:
                above = log1p((up_sev + up_deaths * answering) * up_span)
                answer = (1.0 - crossed) * answer + crossed * above
            u = u - feared * answer - dom - costs
        else:
            u = bound
        if u > best_u:
            best, best_u = o, u
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
    strength = seen.get(other, 0.0)
    for client, level in allies:
        strength += seen.get(client, 0.0) * level
    for guarantor in guards:
        strength += seen.get(guarantor, 0.0)
    return resolve_seen.get(other, 0.5) * strength * sensitivity
