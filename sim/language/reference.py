"""Write docs/scenario-reference.md from the language's own definitions, so the reference never drifts.

python -m redline.language.reference > docs/scenario-reference.md
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from redline.language import spec as lang
from redline.language.typed import (
    fields_of,
    hints,
    is_dataclass_type,
    optional_arm,
    tagged_variants,
    yaml_key,
)

SECTIONS = [
    ("Scenario", lang.Scenario),
    ("Time", lang.TimeSpec),
    ("Behaviour", lang.Behaviour),
    ("Actor", lang.Actor),
    ("Doctrines", lang.Doctrine),
    ("retaliation", lang.Retaliation),
    ("aims", lang.Aims),
    ("red_lines", lang.RedLines),
    ("limits", lang.Limits),
    ("campaign", lang.Campaign),
    ("support", lang.Support),
    ("pressure", lang.Pressure),
    ("learning", lang.Learning),
    ("domestic", lang.Domestic),
    ("mediation", lang.Mediation),
    ("Relation: supports", lang.Supports),
    ("Relation: hostile", lang.Hostile),
    ("Relation: allied", lang.Allied),
    ("Relation: guarantees", lang.Guarantees),
    ("Relation: attributes", lang.Attributes),
    ("Relation: hosts", lang.Hosts),
    ("Relation: back_channel", lang.BackChannel),
    ("Event", lang.Event),
    ("Check", lang.Check),
    ("Event filter", lang.EventFilter),
    ("Rate ratio", lang.Ratio),
    ("Named outcome", lang.NamedOutcome),
    ("Lever", lang.Lever),
    ("Ladder", lang.Ladder),
    ("Rung", lang.Rung),
    ("Variant", lang.Variant),
]


def type_name(tp: Any) -> str:
    inner = optional_arm(tp)
    if inner is not None:
        return type_name(inner)
    if tagged_variants(tp):
        return "relation"
    if get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in get_args(tp))
    if is_dataclass_type(tp):
        return tp.__name__.lower()
    if get_origin(tp) is Literal:
        return " \\| ".join(str(a) for a in get_args(tp))
    if get_origin(tp) is tuple:
        return f"list of {type_name(get_args(tp)[0])}"
    if get_origin(tp) in (dict, Mapping):
        return f"mapping to {type_name(get_args(tp)[1])}"
    names = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    return names.get(tp, getattr(tp, "__name__", str(tp)))


def reference() -> str:
    out = [
        "# Scenario reference",
        "",
        "Generated from the language's definitions by `python -m redline.language.reference`; a test keeps it current.",
        "Every block with numbers (actor, doctrine, relation, event, check) carries `evidence:` (claim ids in",
        "`seeds/`) or `assumed:` (key: reason), or both.",
    ]
    for title, cls in SECTIONS:
        doc = " ".join((cls.__doc__ or "").split())
        out += [
            "",
            f"## {title}",
            "",
            doc,
            "",
            "| key | type | range | default | meaning |",
            "|---|---|---|---|---|",
        ]
        for f in fields_of(cls):
            m = f.metadata
            rng = ""
            if m.get("ge") is not None or m.get("le") is not None:
                rng = f"{m.get('ge', '')} .. {m.get('le', '')}".replace("None", "")
            if f.default is not dataclasses.MISSING:
                default = (
                    ""
                    if f.default is None
                    else f"`{f.default}`"
                    if not dataclasses.is_dataclass(f.default)
                    else "(none)"
                )
            elif f.default_factory is not dataclasses.MISSING:
                default = "(empty)"
            else:
                default = "**required**"
            refers = f" Must name an existing {m['ref']}." if m.get("ref") else ""
            out.append(
                f"| `{yaml_key(f)}` | {type_name(hints(cls)[f.name])} | {rng} | {default} | "
                f"{m.get('doc', '').replace('|', '/')}{refers} |"
            )
    return "\n".join(out + _default_ladder()) + "\n"


def _default_ladder() -> list[str]:
    """The shipped default ladder's rungs: the names that `action`, `max_rung`, `min_rung` and the like take."""
    import yaml

    from redline.language.paths import LADDERS

    rungs = yaml.safe_load((LADDERS / "default.yaml").read_text())["rungs"]
    out = [
        "",
        "## The default ladder",
        "",
        "The rungs of `ladder: default` (scenarios/ladders/default.yaml), lowest first: a rung is named by its id.",
        "",
        "| id | label | MID level | what it stands for |",
        "|---|---|---|---|",
    ]
    out += [
        f"| `{r['id']}` | {r['label']} | {r['mid_level']} | {str(r.get('description', '')).replace('|', '/')} |"
        for r in rungs
    ]
    return out


if __name__ == "__main__":
    print(reference(), end="")
