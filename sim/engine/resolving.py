"""Loops of resolving a step's actions (Escalation.resolve), on plain typed data: what a blow does to the
accounts between its author and its target (`land`: some 340 blows a run), the events-table rows of a
campaign's attacks (`spread`), and what the watchers of an actor read of the resolve it showed (`read_resolve`).

The model keeps what touches its actors, its draws and its reactions; these functions do the rest, written on floats,
ints, bools, strings, sets and dicts of str -> float that a compiler can keep unboxed: where redline is installed
with its compiled extension (mypyc, see README's "Speed"), this module runs as C, and everywhere else as the same
Python source, with the same results to the last bit (the same IEEE arithmetic in the same order).
"""

from __future__ import annotations

from typing import Final

from redline.agents.weighing import amount

# A watcher of an actor as the reading reads it (Escalation._tables): its id, whom it is tied to, what it
# believes of others' capability and resolve (None for the actor itself, which draws its noise all the same but
# reads nothing), the scale of its noise through a direct channel, the level of the channel if it runs through a
# mediator (DIRECT if not: then it works all the time), and how fast it learns about the actor.
Observer = tuple[str, set[str], dict[str, float] | None, dict[str, float] | None, float, float, float]
# An Observer's channel level where the channel needs no mediator (a level is never negative)
DIRECT: Final = -1.0


def read_resolve(
    source: str,
    signal: float,
    targets: set[str],
    blamed: set[str],
    capability: float,
    observers: list[Observer],
    noise: list[float],
    noise_sd: float,
    opened: dict[tuple[str, str], float],
) -> None:
    """Each of `observers` sees `source`'s capability, and reads the resolve it showed with the strongest `signal`
    of its blows this step (on `targets`; `blamed` are those it struck through clients): fully when the blow was
    on the observer or it is blamed for it, half when on an actor it is tied to, a quarter otherwise, through its
    draw of `noise` (one per observer, in order), less noisy through a back channel `opened` this step."""
    for i in range(len(observers)):
        aid, ties, capability_seen, resolve_seen, scale, mediated, rate = observers[i]
        # The source itself (both None): it draws its noise all the same, and reads nothing.
        if resolve_seen is None or capability_seen is None:
            continue
        capability_seen[source] = capability
        r = amount(resolve_seen, source, 0.5)
        if signal <= r:  # what is read is at most the signal: it cannot raise the estimate
            continue
        # A blow is read as at most the resolve it shows, often less through noise (a costly signal is a lower
        # bound); a working channel between the two lets the observer read it for what it meant.
        if mediated != DIRECT:
            scale = noise_sd * (1.0 - mediated * opened.get((aid, source), 0.0))
        read = 1.0 + scale * noise[i]
        seen = signal * (read if read < 1.0 else 1.0)
        if seen > r:
            if aid in targets or aid in blamed:
                relevance = 1.0
            elif not targets.isdisjoint(ties):
                relevance = 0.5
            else:
                relevance = 0.25
            resolve_seen[source] = r + rate * relevance * (seen - r)


def spread(
    rows: list[object],
    t: int,
    day: float,
    source: str,
    target: str,
    rung: int,
    deaths: list[float],
    blamed: list[str],
    cause: str,
    manner: str,
    span: float,
) -> None:
    """The events-table rows (EVENT_FIELDS' values, laid end to end on `rows`) of a campaign's attacks in a step,
    one per toll of `deaths` (and whom its target blamed, `blamed`), spread evenly over the `span` days from
    `day`."""
    n = len(deaths)
    for k in range(n):
        when = int(day + (k + 0.5) * span / n)
        rows.extend((t, when, source, target, rung, deaths[k], blamed[k], cause, manner))


def land(
    recent: dict[str, float],
    credit: dict[str, float],
    grievance: dict[str, float],
    held: dict[str, float],
    earned: dict[str, float],
    venting: list[tuple[dict[str, float], float]],
    src: str,
    aim: str,
    harm: float,
    force: bool,
    heat: float,
) -> tuple[bool, bool]:
    """A blow of `harm` by `src` (a use of `force` or not) lands on `aim`: what it does to the accounts between the
    two (Escalation._lands). The target's recent harm, credit with others and grievance are `recent`, `credit`
    and `grievance`; the author's grievance and credit are `held` and `earned`, and `venting` its patrons'
    grievances with the level of their support. Returns whether the target's recent harm from the author rose past
    `heat` (which stirs it) and whether the target's credit settled the blow."""
    before = amount(recent, src, 0.0)
    stirred = before < heat <= before + harm
    recent[src] = before + harm
    # An answer pays back the target's credit with its author first (a blow the target dealt it): no heavier than
    # that blow, it settles the account and is no new wrong (docs/model.md, "Grievance and credit"), so that a round
    # can end. What is left of a heavier one is grievance. Only blows (force) earn and pay back credit: a threat or
    # a show of force is grievance as before, and crosses a line drawn at it.
    wronged, settled = harm, False
    if force:
        owed = amount(credit, src, 0.0)  # no credit and none left are alike: nothing to pay back
        if owed:
            if harm <= owed:
                credit[src] = owed - harm
                wronged, settled = 0.0, True
            else:
                del credit[src]
                wronged = harm - owed
    if wronged > 0 and src != aim:
        grievance[src] = amount(grievance, src, 0.0) + wronged
    # Harm done answers the author's grievance, and its patrons' (by the level of their support). What the author's
    # blow does beyond its grievance is its credit with the target, up to the heaviest such blow; only what is a new
    # wrong to the target earns it: a blow that the target's credit settled earns none (the account is settled,
    # whether the author's grievance faded faster than the target's credit or not).
    was = amount(held, aim, 0.0)
    if was >= harm:
        held[aim] = was - harm
    else:
        if was:
            held[aim] = 0.0
        if force:
            gained = harm - was
            if gained > wronged:
                gained = wronged
            if gained > amount(earned, aim, 0.0):
                earned[aim] = gained
    for patron_grievance, level in venting:
        g = amount(patron_grievance, aim, 0.0)  # no grievance and none left are alike: nothing to answer
        if g:
            g -= harm * level
            patron_grievance[aim] = g if g > 0.0 else 0.0
    return stirred, settled
