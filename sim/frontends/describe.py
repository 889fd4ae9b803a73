"""A readable summary of a scenario for the terminal: actors, relations, events, checks."""

from __future__ import annotations

from redline.language.spec import (
    Allied,
    Attributes,
    BackChannel,
    Guarantees,
    Hostile,
    Hosts,
    Scenario,
    Supports,
)
from redline.words import plural


def _relation_text(r) -> str:
    match r:
        case Supports():
            extra = f"level {r.level:g}, control {r.control:g}"
            if r.channels:
                extra += f", {'/'.join(r.channels)}"
        case Hostile() | Allied():
            extra = f"level {r.level:g}"
        case BackChannel():
            extra = f"level {r.level:g}" + (f", via {r.via}" if r.via else "")
        case Hosts():
            extra = f"exposure {r.exposure:g}"
        case Guarantees():
            extra = f"from rung {r.trigger_rung}"
        case Attributes():
            extra = f"attacks by {', '.join(r.via)}, p={r.probability:g}, weight {r.weight:g}"
        case _:
            extra = ""
    return f"{r.source:>16} --{r.type}--> {r.target:<16} {extra}"


def describe(scn: Scenario) -> str:
    t = scn.time
    out = [
        f"{scn.title}  [{scn.scenario}]",
        f"{plural(t.steps, 'step')} of a {t.step}, {t.start} to {t.end}; ladder '{scn.ladder.ladder}' "  # type: ignore[union-attr]
        f"({' < '.join(scn.ladder.ids)})",  # type: ignore[union-attr]
    ]
    if scn.description:
        out += ["", " ".join(scn.description.split())]
    out += ["", f"Actors ({len(scn.actors)}):"]
    for aid, a in scn.actors.items():
        doctrines = [
            name for name in a.doctrine.__dataclass_fields__ if getattr(a.doctrine, name) is not None
        ]
        out.append(
            f"  {aid:<16} {a.kind:<11} capability {a.capability:.2f}  cost-sensitivity {a.cost_sensitivity:.2f}"
            f"  resolve {a.resolve:.2f}  autonomy {a.autonomy:.2f}  doctrines: {', '.join(doctrines) or '-'}"
        )
    out += ["", f"Relations ({len(scn.relations)}):"]
    out += [f"  {_relation_text(r)}" for r in scn.relations]
    out += ["", f"Scheduled events ({len(scn.events)}):"]
    for e in scn.events:
        cas = f", {e.casualties:g} killed" if e.casualties is not None else ""
        manner = ", warned" if e.manner == "warned" else ""
        out.append(f"  {e.at}  {e.source} -> {e.target}: {e.action}{manner}{cas}  {e.note}")
    out += ["", f"Checks ({len(scn.checks)}):"]
    for c in scn.checks:
        metric, _ = c.metric
        out.append(f"  {c.name}: {c.statistic} of {metric} {c.expect}  [{', '.join(c.evidence)}]")
    return "\n".join(out)
