"""The story of one run, step by step: what each actor did and why, for a classroom debrief.

For every step: each action (said to be warned where it was) with the doctrine behind it (the event's cause), whom
the target blamed, and the red lines crossed, each right after the action that crossed it. Written as Markdown and
as one self-contained HTML page with the same text and the run's timeline drawn as one small panel per dyad.
"""

from __future__ import annotations

import base64
import html
import math
import re

import pandas as pd
from matplotlib.figure import Figure

from redline.agents.actions import WARNED
from redline.frontends.plots import _steps, ranked_dyads
from redline.frontends.plotstyle import (
    actor_colors,
    actor_name,
    finish,
    in_words,
    panels,
    png_bytes,
    rung_names,
    step_heading,
)
from redline.results.store import Results
from redline.results.summary import source_lines

WHY = {
    "scheduled": "scheduled in the scenario",
    "inject": "injected with --inject: an instructor's what-if, not in the scenario file",
    "campaign": "its campaign",
    "retaliation": "retaliation for harm received or blamed",
    "pressure": "pressure on a client to scale down",
    "guarantee": "a guarantee engaged: deterring those who might join in",
    "support": "support for a client",
    "red_line": "answering a crossed red line (its credibility at stake)",
    "coercion": "coercion: force to make the adversary yield",
    "de_escalation": "an offer of calm",
    "mediation": "mediation: carrying messages between the parties",
    "player": "the player's choice",
}


def _in_text(label: str) -> str:
    """A label within a sentence: its capital dropped, unless the word is written in capitals ("UN patrol")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _check_run(res: Results, run: int) -> None:
    if run not in set(res.runs["run"]):
        first, last = res.runs["run"].min(), res.runs["run"].max()
        raise ValueError(f"no run {run} in these results (runs {first}..{last})")


def header(res: Results, run: int) -> list[str]:
    """The run in a few sentences (Markdown inline): which run, what it came to, and what was changed from the
    scenario file (overrides and injects). The Markdown and the HTML debrief both open with these."""
    _check_run(res, run)
    facts = res.facts
    row = res.runs.set_index("run").loc[run]
    peak: str = "none" if pd.isna(row["peak_rung"]) else str(row["peak_rung"])  # null: nobody acted
    lines = [
        f"Run {run} (seed {row['seed']}) of scenario `{facts['name']}`. Highest rung reached: "
        f"{peak}. Uses of force: {row['attacks']}. Deaths: {row['deaths']:g}."
    ]
    if res.manifest.get("played_by"):
        lines.append(f"Played by a person as **{actor_name(facts, res.manifest['played_by'])}**.")
    return lines + source_lines(res.manifest)


def step_title(res: Results, step: int, date: str) -> str:
    """The step's heading; a game quit early counts its steps as the scenario does (`of`: the steps it has)."""
    time = res.facts["time"]
    return step_heading(time["step"], step, time.get("of", time["steps"]), date)


def story(res: Results, run: int) -> list[dict]:
    """One entry per step: its date and lines describing what happened. A red line crossed is told right after
    the line of the act that crossed it (the crosser's action of that rung on the holder, or on the ally it
    guards)."""
    _check_run(res, run)
    facts = res.facts
    ev = res.events[res.events["run"] == run]
    red = res.red_lines[res.red_lines["run"] == run]
    events_of, red_of = (
        dict(list(ev.groupby("step", sort=False))),
        dict(list(red.groupby("step", sort=False))),
    )
    dates = res.step_dates
    # A rung by the ladder's label, as the plots name it ("de-escalate", "harassment attack"), in running text
    rung_word = {r["id"]: _in_text(str(r.get("label") or in_words(r["id"]))) for r in facts["ladder"]}
    steps = []
    for step in range(len(dates)):
        lines: list[str] = []
        # per line: source, target, action, the days it happened on
        acts: list[tuple[str, str, str, set]] = []
        here = events_of.get(step, ev.iloc[:0])
        groups = here.groupby(["source", "target", "action", "cause", "manner"], sort=False)
        for key, g in groups:
            src, tgt, action, cause, manner = map(str, key)  # the key: a tuple of str columns
            n = len(g)
            deaths = g["casualties"].sum()
            blamed = sorted(set(g["attributed_to"].dropna()))  # null: nobody blamed
            text = (
                f"**{actor_name(facts, src)}** → {actor_name(facts, tgt)}: {rung_word.get(action, in_words(action))}"
                f"{f' ×{n}' if n > 1 else ''}{', warned' if manner == WARNED else ''}"
                f"{f', {deaths:g} killed' if deaths else ''}"
                f" — *{WHY.get(cause, cause)}*"
            )
            if blamed:
                share = g["attributed_to"].notna().sum()
                text += f"; {actor_name(facts, tgt)} blamed {', '.join(actor_name(facts, b) for b in blamed)}"
                text += f" ({share} of {n})" if n > 1 else ""
            lines.append(text)
            acts.append((src, tgt, action, set(g["date"])))
        after: dict[int, list[str]] = {}  # line number (-1: before the first) -> the warnings told after it
        for row in red_of.get(step, red.iloc[:0]).itertuples():
            crossers = [w for w in str(row.crossed_by).split(",") if w]
            who = ", ".join(actor_name(facts, w) for w in crossers)
            text = f"⚠ red line of **{actor_name(facts, str(row.actor))}** crossed by {who}: it is committed to answer"
            crossing = (str(row.target), str(row.action))
            # The line of the crossing act: the crosser's, on that actor, that rung and (where a line has it) that
            # day; two lines may differ only by their manner, or their day.
            lines_of = [i for i, (s, t, a, _) in enumerate(acts) if s in crossers and (t, a) == crossing]
            at = next((i for i in lines_of if row.date in acts[i][3]), lines_of[0] if lines_of else -1)
            told = after.setdefault(at, [])
            if text not in told:  # a line of several acts that each crossed it is told once
                told.append(text)
        lines = after.get(-1, []) + [x for i, line in enumerate(lines) for x in (line, *after.get(i, ()))]
        steps.append({"step": step, "date": dates[step].date().isoformat(), "lines": lines})
    return steps


Told = tuple[list[str], list[dict]]  # a run's header and story


def tell(res: Results, run: int) -> Told:
    """What both the Markdown and the HTML debrief tell of a run: its header and its story."""
    return header(res, run), story(res, run)


def markdown(res: Results, run: int, told: Told | None = None) -> str:
    """The debrief in Markdown. `told`: the run's header and story if already made (the HTML page tells the
    same)."""
    head, steps = told or tell(res, run)
    out = [f"# Debrief: {res.facts['title']}", "", *head, ""]
    for s in steps:
        out.append(f"## {step_title(res, s['step'], s['date'])}")
        out += [f"- {line}" for line in s["lines"]] or ["- nothing happened"]
        out.append("")
    return "\n".join(out)


def dyads(res: Results, run: int) -> list[tuple[str, str]]:
    """The pairs of actors that acted with hostility toward each other in the run, the most intense first
    (highest rung, then most actions), each pair in the scenario's order of actors."""
    return ranked_dyads(res.facts, res.events[res.events["run"] == run])


def timeline_png(res: Results, run: int) -> bytes:
    """The run's timeline (timeline_figure) as PNG bytes."""
    return png_bytes(timeline_figure(res, run))


def timeline_figure(res: Results, run: int, columns: int = 2) -> Figure:
    """The run's highest hostile rung per step, one small panel per dyad (both directions, coloured by who acts)
    on shared axes: small multiples, where lines of different dyads never hide one another."""
    facts = res.facts
    ladder = rung_names(facts, short=True)  # the panels are small: the ladder's labels would run long
    low = min((i for i, r in enumerate(facts["ladder"]) if r["goldstein"] < 0), default=0)
    pairs = dyads(res, run)
    dates = res.step_dates
    ev = res.events[(res.events["run"] == run) & (res.events["goldstein"] < 0)]
    colour = actor_colors(facts)  # the colours every plot of the run gives its actors
    rows = max(1, math.ceil(len(pairs) / columns))
    fig, axes, made = panels(
        None, rows * columns, (11, 0.9 + 1.7 * rows), nrows=rows, ncols=columns, sharex=True, sharey=True
    )
    for k, ax in enumerate(axes):
        if k >= len(pairs):
            ax.set_visible(False)
            continue
        a, b = pairs[k]
        for src, tgt in ((a, b), (b, a)):
            mine = ev[(ev["source"] == src) & (ev["target"] == tgt)]
            if mine.empty:
                continue
            peak = (
                mine.groupby("step")["rung"].max().reindex(range(len(dates)), fill_value=low - 1).to_numpy()
            )
            ax.step(*_steps(dates, peak), where="post", lw=1.6, color=colour[src],
                    label=f"{actor_name(facts, src)} → {actor_name(facts, tgt)}")  # fmt: skip
        # The legend names the pair and its directions, above the panel where it hides no line.
        ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
                  handlelength=1.2, borderaxespad=0.1, columnspacing=1.0)  # fmt: skip
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)  # read on a projector: no smaller than the legend
        if k + columns >= len(pairs):  # nothing drawn below it: this panel carries the dates
            ax.xaxis.set_tick_params(labelbottom=True)
    if not pairs:
        axes[0].set_visible(True)
        axes[0].text(0.5, 0.5, "no hostile action in this run", ha="center", va="center")
    axes[0].set_yticks(range(low - 1, len(ladder)), ["none", *ladder[low:]])
    axes[0].set_ylim(low - 1.4, len(ladder) - 0.6)
    for ax in axes:
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
    title = f"Run {run} of {facts['title']}: the highest hostile rung each {facts['time']['step']}, per pair of actors"
    return finish(fig, None, title, None, made)


def page(res: Results, run: int, told: Told | None = None) -> str:
    """A self-contained HTML page: the Markdown's text (its summary lines and story) and the timeline (embedded,
    no files beside it). `told`: as for markdown."""
    head, steps = told or tell(res, run)
    facts = res.facts
    png = base64.b64encode(timeline_png(res, run)).decode()
    title = html.escape(facts["title"])
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Debrief: {title}, run {run}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.45}h2{font-size:1.05rem;margin-top:1.4rem;border-bottom:1px solid #ddd}"
        "li{margin:.15rem 0}.quiet{color:#888}img{max-width:100%}</style></head><body>",
        f"<h1>Debrief: {title}</h1>",
        *(f"<p>{_md_inline(html.escape(line))}</p>" for line in head),
        f"<img alt='timeline of run {run}, one panel per pair of actors' src='data:image/png;base64,{png}'>",
    ]
    for s in steps:
        parts.append(f"<h2>{html.escape(step_title(res, s['step'], s['date']))}</h2><ul>")
        if not s["lines"]:
            parts.append("<li class='quiet'>nothing happened</li>")
        for line in s["lines"]:
            parts.append(f"<li>{_md_inline(html.escape(line))}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _md_inline(text: str) -> str:
    """`code`, **bold** and *italic*, the only Markdown the story uses."""
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)
