"""The actor-relations network of a scenario: nodes by kind, each relation an arrow styled by its type.

Two actors are often tied by several relations at once (support, a back channel, hostility both ways): each is
drawn as its own arc, offset from the others, and a relation that runs both ways with the same level is one
double-headed arrow, so that no arrow hides another.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from redline.frontends.plotstyle import finish, panels, wrap

EDGE_STYLE: dict[str, dict[str, Any]] = {
    "supports": {"color": "#2b8a3e", "style": "solid", "label": "supports (width: level)"},
    "hostile": {"color": "#c92a2a", "style": "dashed", "label": "hostile"},
    "guarantees": {"color": "#1c4fd8", "style": "solid", "label": "guarantees"},
    "attributes": {"color": "#e67700", "style": "dotted", "label": "blames (attribution)"},
    "hosts": {"color": "#868e96", "style": "dashdot", "label": "hosts"},
    "back_channel": {"color": "#7048e8", "style": (0, (1, 2)), "label": "back channel"},
    "allied": {"color": "#0b7285", "style": (0, (6, 2)), "label": "allied (width: level)"},
}
OTHER_EDGE: dict[str, Any] = {"color": "#495057", "style": "solid", "label": "other"}
NODE_COLOR = {
    "state": "#4dabf7",
    "armed_group": "#ffa94d",
    "host_state": "#ced4da",
    "target": "#f783ac",
    "mediator": "#b2f2bb",
}
NODE_SIZE = 2600  # points squared: room for a two-line name
ARC_GAP = 0.22  # curvature between two arcs of the same pair


def _layout(actors: dict[str, dict], relations: list[dict]) -> dict[str, tuple[float, float]]:
    """Positions from a force layout started on rings (states outside): deterministic, so every picture of a
    scenario looks the same, and relations pull related actors together."""
    outer = [a for a, x in actors.items() if x["kind"] == "state"]
    inner = [a for a in actors if a not in outer]
    start = {}
    for ring, radius in ((outer, 1.0), (inner, 0.5)):
        for i, a in enumerate(ring):
            angle = math.pi / 2 + radius + 2 * math.pi * i / max(1, len(ring))  # rings offset: fewer overlaps
            start[a] = (radius * math.cos(angle), radius * math.sin(angle))
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(actors)
    g.add_edges_from((r["from"], r["to"]) for r in relations if r["from"] in actors and r["to"] in actors)
    if g.number_of_edges() == 0:
        return start
    # States stay on the outer ring; the others settle between the actors they relate to.
    pos = nx.spring_layout(g, pos=start, fixed=outer or None, seed=0, k=0.9, iterations=300)
    # An actor tied to one other only (a target, a host) drifts far out, and the picture, scaled to hold it, crowds
    # the rest: none is drawn further out than REACH.
    placed = {}
    for a, (x, y) in ((a, (float(p[0]), float(p[1]))) for a, p in pos.items()):
        r = math.hypot(x, y)
        placed[a] = (x * REACH / r, y * REACH / r) if r > REACH and a not in outer else (x, y)
    return _apart(placed, set(outer))


REACH = 1.6  # layout units from the centre (the states' ring has radius 1)
APART = 0.55  # layout units between two actors' centres: a node and its two-line name, with a gap


def _apart(pos: dict[str, tuple[float, float]], fixed: set[str]) -> dict[str, tuple[float, float]]:
    """The layout with no two actors closer than APART: a pair too close is pushed apart along the line between
    them (only the free one moves if the other is fixed), until none is. Deterministic, as the layout is."""
    p = {a: [x, y] for a, (x, y) in pos.items()}
    names = list(p)
    for _ in range(200):
        moved = False
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                dx, dy = p[b][0] - p[a][0], p[b][1] - p[a][1]
                d = math.hypot(dx, dy)
                if d >= APART or (a in fixed and b in fixed):
                    continue
                ux, uy = (dx / d, dy / d) if d > 1e-9 else (1.0, 0.0)
                share_a = 0.0 if a in fixed else (1.0 if b in fixed else 0.5)
                push = APART - d
                p[a][0] -= ux * push * share_a
                p[a][1] -= uy * push * share_a
                p[b][0] += ux * push * (1.0 - share_a)
                p[b][1] += uy * push * (1.0 - share_a)
                moved = True
        if not moved:
            break
    return {a: (x, y) for a, (x, y) in p.items()}


def _width(level: float | None) -> float:
    return 1.0 + 3.0 * (level if level is not None else 0.5)


def edges(relations: list[dict]) -> list[dict]:
    """The arrows to draw: relations that run both ways with the same type and level merged into one
    double-headed arrow; each arrow with a curvature that sets it apart from the others of its pair."""
    merged: list[dict] = []
    seen: dict[tuple, dict] = {}
    for r in relations:
        back = (r["type"], r["to"], r["from"], r.get("level"))
        if back in seen and not seen[back]["both"]:
            seen[back]["both"] = True
            continue
        e = {"type": r["type"], "from": r["from"], "to": r["to"], "level": r.get("level"), "both": False}
        seen[(r["type"], r["from"], r["to"], r.get("level"))] = e
        merged.append(e)
    by_pair: dict[frozenset, list[dict]] = defaultdict(list)
    for e in merged:
        by_pair[frozenset((e["from"], e["to"]))].append(e)
    for group in by_pair.values():
        k = len(group)
        for i, e in enumerate(group):
            rad = 0.08 if k == 1 else ARC_GAP * (i - (k - 1) / 2)
            # arc3's bend is relative to the arrow's own direction: arrows of a pair drawn the other way round
            # bend the other way, so that all of a pair's offsets are measured from one side.
            e["rad"] = rad if e["from"] <= e["to"] else -rad
    return merged


def network(facts: Any, path: str | Path | None = None, *, ax: Axes | None = None) -> Figure:
    """The actors (coloured by kind, named) and their relations (arrows styled by type, width by level): of a
    scenario's facts (redline.results.store.scenario_facts), or of results, as every other plot takes them.
    Draws into `ax` if given, else into a new figure; writes a PNG to `path` if given. Returns the Figure."""
    facts = getattr(facts, "facts", facts)  # Results, a Digest: their manifest's scenario facts
    actors = facts["actors"]
    fig, (axis,), made = panels(ax, 1, (11, 9.5))
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_nodes_from(actors)
    pos = _layout(actors, facts["relations"])
    drawn = [e for e in edges(facts["relations"]) if e["from"] in pos and e["to"] in pos]
    for e in drawn:
        st = EDGE_STYLE.get(e["type"], OTHER_EDGE)
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(e["from"], e["to"])],
            ax=axis,
            edge_color=st["color"],
            style=st["style"],
            width=_width(e["level"]),
            arrows=True,
            arrowstyle="<|-|>" if e["both"] else "-|>",
            arrowsize=14,
            node_size=NODE_SIZE,
            connectionstyle=f"arc3,rad={e['rad']:.3f}",
        )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=axis,
        node_color=[NODE_COLOR.get(actors[a]["kind"], "#dee2e6") for a in g.nodes],
        node_size=NODE_SIZE,
        edgecolors="#343a40",
    )
    labels = {a: wrap(str(x.get("label") or a), 11) for a, x in actors.items()}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=axis, font_size=8.5)
    present = list(dict.fromkeys(e["type"] for e in drawn))
    handles = [
        Line2D(
            [0],
            [0],
            color=EDGE_STYLE.get(t, OTHER_EDGE)["color"],
            linestyle=EDGE_STYLE.get(t, OTHER_EDGE)["style"],
            # the swatch as wide as the median arrow of its type, so that it looks like the arrows
            lw=float(np.median([_width(e["level"]) for e in drawn if e["type"] == t])),
            label=EDGE_STYLE.get(t, {"label": t.replace("_", " ")})["label"],
        )
        for t in [*[t for t in EDGE_STYLE if t in present], *[t for t in present if t not in EDGE_STYLE]]
    ]
    if any(e["both"] for e in drawn):
        handles.append(Line2D([0], [0], color="#495057", lw=1.5, marker=r"$\leftrightarrow$", markersize=14,
                              label="arrow both ways:\nthe relation runs both ways"))  # fmt: skip
    kinds = {x["kind"] for x in actors.values()}
    handles += [
        Line2D(
            [0],
            [0],
            marker="o",
            color="w",
            markerfacecolor=c,
            markeredgecolor="#343a40",
            markersize=12,
            label=k.replace("_", " "),
        )
        for k, c in NODE_COLOR.items()
        if k in kinds
    ]
    # A figure made here keeps its legend in the layout, under the picture; in a caller's axes it sits just right
    # of them.
    where = (
        {"loc": "outside lower center", "ncol": 4}
        if made
        else {"loc": "upper left", "bbox_to_anchor": (1, 1)}
    )
    (fig.legend if made else axis.legend)(
        handles=handles,
        **where,
        fontsize=9,
        handlelength=4,
        frameon=False,
        title="relations and actors",
        title_fontsize=9,
    )
    axis.set_axis_off()
    xy = np.array(list(pos.values())) if pos else np.zeros((1, 2))
    pad = 0.25 * max(1.0, float(np.ptp(xy, axis=0).max()) / 2)
    axis.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    axis.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    axis.set_aspect("equal")
    if not made:
        axis.set_title(f"{facts['title']}: actors and relations", fontsize=10)
    return finish(
        fig,
        path,
        f"Who supports, guarantees and threatens whom: {facts['title']}",
        f"scenario {facts['name']}: {len(actors)} actors, {len(facts['relations'])} relations",
        made,
    )
