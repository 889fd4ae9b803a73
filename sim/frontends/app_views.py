"""What the classroom app shows of a run, as plain data and PNG pictures: no Solara here, so it is tested without a
browser.

The pictures are drawn for a projector: every text in them is FONT_PT points at DPI, and the page shows each at
SHOWN times its pixel size (sharp on a high-density screen), so a text is FONT_PT * DPI / 72 * SHOWN CSS pixels
tall on the page. Their size in inches is the room they have on a 1280x720 screen beside the controls.
"""

from __future__ import annotations

import struct
from collections import Counter, defaultdict
from typing import Any, Protocol

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from redline.frontends.debrief import WHY
from redline.frontends.plot_network import EDGE_STYLE, NODE_COLOR, OTHER_EDGE
from redline.frontends.plotstyle import actor_name, in_words, png_bytes, step_name, wrap
from redline.results.analysis import USE_OF_FORCE

MAX_DYADS = 6  # rows of the timeline
FEED_LINES = 14
FONT_PT = 12  # every text of the pictures
DPI = 192
SHOWN = 0.5  # the page shows a picture at this share of its pixel size
TEXT_PX = FONT_PT * DPI / 72 * SHOWN  # how tall the pictures' texts are on the page, in CSS pixels
TIMELINE_IN = (5.8, 4.0)  # about 557 x 384 CSS pixels
NETWORK_IN = (4.0, 4.0)  # about 384 x 384
NONE_COLOR = "#e9ecef"  # a step played without hostile act in a dyad
# The network draws one line per related pair, styled as `redline describe` draws the pair's most telling
# relation: the first of these it has, else any.
PAIR_PRIORITY = ("hostile", "supports", "allied", "guarantees")


class Run(Protocol):
    """What the views read of the app's model (redline.frontends.app.EscalationApp)."""

    events: dict[str, list]
    rungs: Any
    spec: Any
    facts: dict[str, Any]
    layout: dict[str, tuple[float, float]]
    actors: dict[str, Any]
    seed: int
    notice: str
    running: bool

    @property
    def steps_done(self) -> int: ...


def _day(date: Any) -> str:
    """`7 Oct`: the day without a leading zero (strftime's `%-d` is not portable)."""
    return f"{date.day} {date:%b}"


def rung_label(run: Run, rung: int) -> str:
    """A rung's short name, from its id (`limited_strike`: limited strike): the ladder's labels run long."""
    return in_words(run.rungs.ids[rung])


def _hostile(run: Run, rung: int) -> bool:
    return run.rungs.goldstein[rung] < 0


def dyad_peaks(run: Run, max_dyads: int = MAX_DYADS) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The busiest dyads (most hostile actions, either way) and, per dyad and step so far, the highest rung
    (-1: none)."""
    ev = run.events
    steps = run.steps_done
    count: Counter[tuple[str, str]] = Counter()
    peak: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.full(steps, -1.0))
    for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
        if not _hostile(run, r) or s >= steps:
            continue
        pair = (a, b) if a < b else (b, a)
        count[pair] += 1
        peak[pair][s] = max(peak[pair][s], r)
    dyads = [d for d, _ in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:max_dyads]]
    return dyads, np.array([peak[d] for d in dyads]).reshape(len(dyads), steps)


def latest_events(run: Run, lines: int = FEED_LINES) -> list[tuple[int, str]]:
    """The latest events, newest step first; the same action of a step by the same actor on the same target is
    one line with ×N: (step, text)."""
    ev = run.events
    out: list[tuple[int, str]] = []
    for step in sorted(set(ev["step"]), reverse=True):
        count: Counter[tuple[str, str, int, str]] = Counter()
        killed: defaultdict[tuple[str, str, int, str], float] = defaultdict(float)
        blamed: dict[tuple[str, str, int, str], Counter[str]] = defaultdict(Counter)
        for i in (i for i, s in enumerate(ev["step"]) if s == step):
            key = (ev["source"][i], ev["target"][i], ev["rung"][i], ev["cause"][i])
            count[key] += 1
            killed[key] += ev["casualties"][i] or 0.0
            if ev["attributed_to"][i]:
                blamed[key][ev["attributed_to"][i]] += 1
        for key, n in sorted(count.items(), key=lambda kv: (-kv[0][2], kv[0])):
            src, tgt, rung, cause = key
            text = f"{actor_name(run.facts, src)} → {actor_name(run.facts, tgt)}: {rung_label(run, rung)}"
            text += f" ×{n}" if n > 1 else ""
            why = [WHY.get(cause, in_words(cause))]
            if killed[key] >= 1:
                why.append(f"{killed[key]:.0f} killed")
            for who, k in blamed[key].items():
                why.append((f"{k} of {n} " if n > 1 else "") + f"blamed on {actor_name(run.facts, who)}")
            out.append((step, f"{text} ({'; '.join(why)})"))
            if len(out) >= lines:
                return out
    return out


def step_top(run: Run, step: int) -> tuple[int, list[tuple[str, str, int]]] | None:
    """The highest hostile rung of one step and who used it on whom (how often), most frequent first; None if
    the step had no hostile act."""
    ev = run.events
    rows = [
        (r, a, b)
        for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True)
        if s == step and _hostile(run, r)
    ]
    if not rows:
        return None
    top = max(r for r, _, _ in rows)
    who = Counter((a, b) for r, a, b in rows if r == top)
    return top, [(a, b, n) for (a, b), n in sorted(who.items(), key=lambda kv: (-kv[1], kv[0]))]


def _peaks_of(run: Run, step: int) -> dict[tuple[str, str], int]:
    ev = run.events
    out: dict[tuple[str, str], int] = {}
    for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
        if s == step and _hostile(run, r):
            out[(a, b)] = max(out.get((a, b), -1), r)
    return out


def step_moves(
    run: Run, step: int
) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, str, int, int]]]:
    """Who climbed and who came down in a step: (source, target, highest rung now, highest rung the step before;
    -1: none), the climbs highest first, the descents from highest first."""
    now, before = _peaks_of(run, step), _peaks_of(run, step - 1) if step > 0 else {}
    pairs = sorted(set(now) | set(before))
    moves = [(a, b, now.get((a, b), -1), before.get((a, b), -1)) for a, b in pairs]
    up = sorted((m for m in moves if m[2] > m[3]), key=lambda m: (-m[2], -m[3], m[:2]))
    down = sorted((m for m in moves if m[2] < m[3]), key=lambda m: (-m[3], -m[2], m[:2]))
    return up, down


def _moves_text(run: Run, moves: list[tuple[str, str, int, int]], most: int = 2) -> str:
    def name(r: int) -> str:
        return rung_label(run, r) if r >= 0 else "none"

    parts = [
        f"{actor_name(run.facts, a)} → {actor_name(run.facts, b)}: {name(now)} (was {name(was)})"
        for a, b, now, was in moves[:most]
    ]
    return "; ".join(parts) + (f"; and {len(moves) - most} more" if len(moves) > most else "")


def status_lines(run: Run, moved: dict[str, tuple[float, float]] | None = None) -> list[str]:
    """Where the run is and what its latest step brought: the step's highest rung and who used it (not the run's
    highest so far, which stops changing early), the pairs that climbed or came down since the step before, the
    uses of force, the seed and the levers moved away from the scenario (label -> (value now, the scenario's
    value))."""
    t, steps, unit = run.steps_done, run.spec.time.steps, run.spec.time.step
    when = f"{unit.capitalize()} 0 of {steps}"
    if t:  # the step just played, counted as the debrief and the terminal game count it
        first = run.spec.time.date_of(t - 1)
        when = f"{step_name(unit, t - 1, steps)}, from {_day(first)} {first:%Y}"
    when += f" · seed {run.seed}"
    if not run.running:
        when += " · the run is over"
    lines = [when]
    force = [run.rungs.mid[r] >= USE_OF_FORCE for r in run.events["rung"]]
    if t == 0:
        lines.append(f"Nothing has happened yet: press Step or Play to run {unit} 1.")
    else:
        top = step_top(run, t - 1)
        if top is None:
            lines.append(f"This {unit}: no hostile act.")
        else:
            rung, who = top
            pairs = [
                f"{actor_name(run.facts, a)} → {actor_name(run.facts, b)}" + (f" ×{n}" if n > 1 else "")
                for a, b, n in who[:2]
            ]
            more = f" and {len(who) - 2} more" if len(who) > 2 else ""
            lines.append(f"This {unit}: highest rung {rung_label(run, rung)}, by {', '.join(pairs)}{more}.")
        up, down = step_moves(run, t - 1)
        if up:
            lines.append(f"Up: {_moves_text(run, up)}.")
        if down:
            lines.append(f"Down: {_moves_text(run, down)}.")
        if not up and not down:
            lines.append(f"No pair changed its highest rung this {unit}.")
        now = sum(f for s, f in zip(run.events["step"], force, strict=True) if s == t - 1)
        lines.append(f"Uses of force: {now} this {unit}, {sum(force)} since the start.")
    if moved:
        lines.append(
            "Levers moved: " + "; ".join(f"{k} {v:g} (scenario: {was:g})" for k, (v, was) in moved.items())
        )
    if run.notice:
        lines.append(f"⚠ {run.notice}")
    return lines


def png_width(png: bytes) -> int:
    """The width in pixels of a PNG, from its header."""
    return struct.unpack(">I", png[16:20])[0]


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, layout=ConstrainedLayoutEngine(w_pad=0.04, h_pad=0.04))


def timeline_png(run: Run) -> bytes:
    """The escalation timeline: a row per busiest dyad, a column per step of the whole period, coloured by the
    highest rung either side used on the other in that step (grey: none; white: not played yet)."""
    dyads, peaks = dyad_peaks(run)
    steps, done = run.spec.time.steps, run.steps_done
    hostile = [i for i in range(len(run.rungs.ids)) if _hostile(run, i)]
    code = {r: k + 1 for k, r in enumerate(hostile)}  # 0: a step without hostile act
    grid = np.full((max(1, len(dyads)), steps), np.nan)
    for row, line in enumerate(peaks):
        grid[row, : len(line)] = [code.get(int(r), 0) for r in line]
    shades = mpl.colormaps["YlOrRd"](np.linspace(0.18, 1.0, len(hostile)))
    cmap = ListedColormap([NONE_COLOR, *shades]).with_extremes(bad="white")
    norm = BoundaryNorm(np.arange(-0.5, len(hostile) + 1), cmap.N)

    fig = _figure(TIMELINE_IN)
    ax = fig.subplots()
    image = ax.imshow(grid, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
    names = [
        f"{actor_name(run.facts, a)} – {actor_name(run.facts, b)}"
        if len(actor_name(run.facts, a) + actor_name(run.facts, b)) < 14
        else f"{actor_name(run.facts, a)} –\n{actor_name(run.facts, b)}"
        for a, b in dyads
    ]
    ax.set_yticks(range(len(dyads)), names, fontsize=FONT_PT)
    ticks = sorted({round(x) for x in np.linspace(0, steps - 1, min(steps, 4))})
    ax.set_xticks(ticks, [_day(run.spec.time.date_of(t)) for t in ticks], fontsize=FONT_PT)
    ax.set_xticks(np.arange(-0.5, steps), minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    if 0 < done < steps:
        ax.axvline(done - 0.5, color="#212529", lw=1.5)
    if not dyads:
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "No hostile act yet",
            ha="center",
            va="center",
            fontsize=FONT_PT,
            transform=ax.transAxes,
        )
    bar = fig.colorbar(image, ax=ax, fraction=0.08, pad=0.02)
    bar.set_ticks(range(len(hostile) + 1), labels=["none", *(rung_label(run, r) for r in hostile)])
    bar.ax.tick_params(labelsize=FONT_PT, length=0)
    bar.outline.set_visible(False)
    return png_bytes(fig, DPI)


def _pair_style(types: set[str]) -> dict[str, Any]:
    return EDGE_STYLE.get(next((t for t in PAIR_PRIORITY if t in types), min(types)), OTHER_EDGE)


def network_png(run: Run) -> bytes:
    """The actors (size: capability now) and the pairs they relate in, with the latest step's hostile acts as
    arrows: red for force, orange for threats and shows of force."""
    actors, pos = run.facts["actors"], run.layout
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(actors)
    fig = _figure(NETWORK_IN)
    ax = fig.subplots()
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in run.facts["relations"]:
        pairs[tuple(sorted((r["from"], r["to"])))].add(r["type"])
    for pair, types in pairs.items():
        style = _pair_style(types)
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[pair],
            ax=ax,
            edge_color=style["color"],
            style=style["style"],
            alpha=0.45,
            width=1.2,
            arrows=False,
        )
    now: Counter[tuple[str, str]] = Counter()
    ev, last = run.events, run.steps_done - 1
    for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
        if s == last and _hostile(run, r):
            now[(a, b)] = max(now[(a, b)], run.rungs.mid[r])
    sizes = {a: 250 + 1100 * run.actors[a].capability for a in g.nodes}
    for (a, b), mid in now.items():
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(a, b)],
            ax=ax,
            edge_color="#c92a2a" if mid >= USE_OF_FORCE else "#f08c00",
            width=3.5 if mid >= USE_OF_FORCE else 2.0,
            arrows=True,
            arrowsize=18,
            nodelist=list(g.nodes),
            node_size=[sizes[n] for n in g.nodes],
            connectionstyle="arc3,rad=0.15",
        )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        node_color=[NODE_COLOR.get(actors[a]["kind"], "#ced4da") for a in g.nodes],
        node_size=[sizes[a] for a in g.nodes],
        edgecolors="#343a40",
    )
    for a, (x, y) in pos.items():
        ax.text(
            x,
            y,
            wrap(actors[a]["label"], 10),
            fontsize=FONT_PT,
            ha="center",
            va="center",
            linespacing=0.95,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    ax.set_axis_off()
    xy = np.array(list(pos.values()))
    ax.set_xlim(xy[:, 0].min() - 0.35, xy[:, 0].max() + 0.35)
    ax.set_ylim(xy[:, 1].min() - 0.15, xy[:, 1].max() + 0.15)
    return png_bytes(fig, DPI)
