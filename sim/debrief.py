"""The story of one run, step by step: what each actor did and why, for a classroom debrief.

For every step: each action with the doctrine behind it (the event's cause), whom the target blamed, and the red
lines crossed. Written as Markdown and as one self-contained HTML page with the run's timeline.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from pathlib import Path

import numpy as np

from redline.results import Results

WHY = {
    "scheduled": "scheduled in the scenario",
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


def _label(facts: dict, actor: str) -> str:
    return facts["actors"].get(actor, {}).get("label", actor)


def _check_run(res: Results, run: int) -> None:
    if run not in set(res.runs["run"]):
        first, last = res.runs["run"].min(), res.runs["run"].max()
        raise ValueError(f"no run {run} in these results (runs {first}..{last})")


def story(res: Results, run: int) -> list[dict]:
    """One entry per step: its date and lines describing what happened."""
    _check_run(res, run)
    facts = res.facts
    ev = res.events[res.events["run"] == run]
    red = res.red_lines[res.red_lines["run"] == run]
    dates = res.step_dates
    steps = []
    for step in range(len(dates)):
        lines = []
        here = ev[ev["step"] == step]
        groups = here.groupby(["source", "target", "action", "cause"], sort=False)
        for (src, tgt, action, cause), g in groups:
            n = len(g)
            deaths = g["casualties"].sum()
            blamed = sorted(set(g["attributed_to"]) - {""})
            text = (
                f"**{_label(facts, src)}** → {_label(facts, tgt)}: {action.replace('_', ' ')}"
                f"{f' ×{n}' if n > 1 else ''}{f', {deaths:g} killed' if deaths else ''}"
                f" — *{WHY.get(cause, cause)}*"
            )
            if blamed:
                share = (g["attributed_to"] != "").sum()
                text += f"; {_label(facts, tgt)} blamed {', '.join(_label(facts, b) for b in blamed)}"
                text += f" ({share} of {n})" if n > 1 else ""
            lines.append(text)
        for row in red[red["step"] == step].itertuples():
            who = ", ".join(_label(facts, w) for w in str(row.crossed_by).split(",") if w)
            lines.append(
                f"⚠ red line of **{_label(facts, row.actor)}** crossed by {who}: it is committed to answer"
            )
        steps.append({"step": step, "date": dates[step].date().isoformat(), "lines": lines})
    return steps


def markdown(res: Results, run: int) -> str:
    _check_run(res, run)
    facts = res.facts
    row = res.runs.set_index("run").loc[run]
    out = [
        f"# Debrief: {facts['title']}",
        "",
        f"Run {run} (seed {row['seed']}) of scenario `{facts['name']}`. Highest rung reached: "
        f"{row['peak_rung'] or 'none'}. Uses of force: {row['attacks']}. Deaths: {row['deaths']:g}.",
        "",
    ]
    for s in story(res, run):
        out.append(
            f"## Step {s['step']}: week of {s['date']}"
            if facts["time"]["step"] == "week"
            else f"## Step {s['step']}: {s['date']}"
        )
        out += [f"- {line}" for line in s["lines"]] or ["- nothing happened"]
        out.append("")
    return "\n".join(out)


def timeline_png(res: Results, run: int) -> bytes:
    """The run's highest rung per step for its busiest dyads, as PNG bytes."""
    from redline.plots import plt

    facts = res.facts
    ladder = [r["id"] for r in facts["ladder"]]
    ev = res.events[(res.events["run"] == run) & (res.events["goldstein"] < 0)]
    dyad = np.where(
        ev["source"] < ev["target"], ev["source"] + " - " + ev["target"], ev["target"] + " - " + ev["source"]
    )
    ev = ev.assign(dyad=dyad)
    top = (
        ev.groupby("dyad")["rung"]
        .agg(["max", "size"])
        .sort_values(["max", "size"], ascending=False)
        .index[:6]
    )
    dates = res.step_dates
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for d in top:
        peak = ev[ev["dyad"] == d].groupby("step")["rung"].max().reindex(range(len(dates)), fill_value=-1)
        ax.step(dates, peak.to_numpy(), where="post", lw=2, label=d)
    ax.set_yticks(range(-1, len(ladder)), ["none", *ladder], fontsize=7)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    ax.set_title(f"Run {run}: highest rung per {facts['time']['step']}, busiest dyads", fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def page(res: Results, run: int) -> str:
    """A self-contained HTML page: the story and the timeline (embedded, no files beside it)."""
    facts = res.facts
    png = base64.b64encode(timeline_png(res, run)).decode()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Debrief: {html.escape(facts['title'])}, run {run}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.45}h2{font-size:1.05rem;margin-top:1.4rem;border-bottom:1px solid #ddd}"
        "li{margin:.15rem 0}.quiet{color:#888}img{max-width:100%}</style></head><body>",
        f"<h1>Debrief: {html.escape(facts['title'])}</h1>",
        f"<p>Run {run} of scenario <code>{html.escape(facts['name'])}</code>.</p>",
        f"<img alt='timeline of run {run}' src='data:image/png;base64,{png}'>",
    ]
    for s in story(res, run):
        parts.append(f"<h2>Step {s['step']}: {s['date']}</h2><ul>")
        if not s["lines"]:
            parts.append("<li class='quiet'>nothing happened</li>")
        for line in s["lines"]:
            text = html.escape(line)
            text = _md_inline(text)
            parts.append(f"<li>{text}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _md_inline(text: str) -> str:
    """**bold** and *italic*, the only Markdown the story uses."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)


def write(res: Results, run: int, folder: Path) -> tuple[Path, Path]:
    """debrief-run-K.md and debrief-run-K.html in `folder`, each written atomically."""
    out = []
    for name, text in (
        (f"debrief-run-{run}.md", markdown(res, run)),
        (f"debrief-run-{run}.html", page(res, run)),
    ):
        path = folder / name
        tmp = path.with_name(f".{name}.partial")
        tmp.write_text(text)
        os.replace(tmp, path)
        out.append(path)
    return out[0], out[1]
