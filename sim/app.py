"""The classroom app: one run of a scenario in the browser, step by step, on Mesa's SolaraViz.

    redline app scenarios/axis-2023.yaml        # or: solara run redline.app:page

Needs the `app` extra (`pip install 'redline[app]'`). The scenario comes from the environment variable
REDLINE_APP_SCENARIO (set by `redline app`; default: the flagship), and the `--set` overrides and `--inject` events
of `redline app` from REDLINE_APP_OPTIONS (JSON: {"set": [...], "inject": [...]}). The sidebar has a menu of
scenarios (that one and the shipped what-if variants), a seed and sliders for the main levers, applied as `--set`
overrides when Reset is pressed; Step and ▶ advance the run. The page shows the escalation timeline of the busiest
dyads, a feed of the latest events and the actor network. The same seed and levers replay the same run: the
model's only randomness is its seed.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from redline import paths
from redline.errors import ScenarioError
from redline.language import Scenario
from redline.model import EscalationModel
from redline.plots import EDGE_STYLE, NODE_COLOR, _layout
from redline.results import scenario_facts
from redline.scenario import load_scenario, value_at

ENV = "REDLINE_APP_SCENARIO"
DEFAULT_SCENARIO = paths.SCENARIOS / "axis-2023.yaml"
SCENARIO_FILE = Path(os.environ.get(ENV) or DEFAULT_SCENARIO)
OPTIONS_ENV = "REDLINE_APP_OPTIONS"


def _read_options() -> dict[str, Any]:
    """REDLINE_APP_OPTIONS as `redline app` writes it; anything else is said in one sentence, not a JSON trace."""
    text = os.environ.get(OPTIONS_ENV) or "{}"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    ok = isinstance(value, dict) and all(
        isinstance(value.get(k, []), list) and all(isinstance(x, str) for x in value.get(k, []))
        for k in ("set", "inject")
    )
    if not ok:
        raise ValueError(f'{OPTIONS_ENV} must be JSON like {{"set": ["KEY.PATH=VALUE"], "inject": []}}')
    return value


_OPTIONS = _read_options()
# What `redline app --set/--inject` asked for: applied under the levers in every run of the session.
BASE_OVERRIDES: tuple[str, ...] = tuple(_OPTIONS.get("set", ()))
INJECTS: tuple[str, ...] = tuple(_OPTIONS.get("inject", ()))
MAX_DYADS = 6  # rows of the timeline
# How the network draws each relation type: redline.plots' styles, and one for any type it does not style yet.
APP_EDGE_STYLE = {"allied": {"color": "#66a80f", "style": "dashed", "label": "allied"}, **EDGE_STYLE}
OTHER_EDGE = {"color": "#adb5bd", "style": "solid", "label": "other"}
FEED_LINES = 14


@dataclass(frozen=True)
class Lever:
    """A slider: a keyword of the app model, the scenario value it sets (a `--set` key path), and its range."""

    name: str
    path: str
    label: str
    lo: float
    hi: float
    step: float


LEVERS = (
    Lever("iran_cost_sensitivity", "actors.iran.cost_sensitivity", "Iran: cost sensitivity", 0.0, 1.0, 0.05),
    Lever(
        "iran_control_iraqi_militias",
        "relations.supports:iran:iraqi_militias.control",
        "Iran: control of Iraqi militias",
        0.0,
        1.0,
        0.05,
    ),
    Lever(
        "usa_audience_cost",
        "actors.usa.doctrine.red_lines.audience_cost",
        "US: audience cost of its red line",
        0.0,
        6.0,
        0.25,
    ),
    Lever(
        "usa_blames_iran",
        "relations.attributes:usa:iran.probability",
        "US: probability of blaming Iran",
        0.0,
        1.0,
        0.05,
    ),
    Lever("hezbollah_autonomy", "actors.hezbollah.autonomy", "Hezbollah: autonomy from Iran", 0.0, 1.0, 0.05),
    Lever("mood_sd", "behaviour.mood_sd", "All: spread of moods", 0.0, 1.0, 0.05),
)


def lever_defaults(scenario_file: str | Path) -> dict[str, float]:
    """The levers the scenario has, with its values (after the app's `--set`); levers it does not have are left
    out."""
    return lever_values(load_scenario(scenario_file, BASE_OVERRIDES, injects=INJECTS))


def lever_values(scn: Scenario) -> dict[str, float]:
    """The value of each lever in a loaded scenario, for the levers it has."""
    found = {}
    for lever in LEVERS:
        try:
            value = value_at(scn, lever.path)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[lever.name] = float(value)
    return found


def parse_seed(value: Any) -> tuple[int, str]:
    """The seed typed in the sidebar (text) as an int, and a notice if it was not a usable one."""
    try:
        seed = int(str(value).strip())
    except ValueError:
        return 0, f"seed '{value}' is not a whole number; using 0"
    if not 0 <= seed < 2**63:
        return 0, f"seed {seed} is not between 0 and 2**63-1; using 0"
    return seed, ""


@functools.cache
def scenario_choices() -> dict[str, Path]:
    """The scenarios of the sidebar's menu, by name: the one the app was started with, then every shipped one that
    loads with the app's `--set` and `--inject` (a variant of the flagship does; a scenario without those actors does
    not)."""
    choices = {SCENARIO_FILE.stem: SCENARIO_FILE.resolve()}
    for path in sorted(paths.SCENARIOS.glob("*.yaml")):
        if path.resolve() in choices.values() or path.stem in choices:
            continue
        try:
            load_scenario(path, BASE_OVERRIDES, injects=INJECTS)
        except ScenarioError:
            continue
        choices[path.stem] = path.resolve()
    return choices


@functools.cache
def starting_levers() -> dict[str, float]:
    """Where the sliders start: the levers of the scenario the app was started with."""
    return lever_defaults(SCENARIO_FILE)


def scenario_path(choice: str | Path | None) -> Path:
    """A name from the menu, or a path."""
    if choice is None:
        return SCENARIO_FILE
    if Path(choice).is_file():
        return Path(choice)
    return scenario_choices().get(str(choice), Path(choice))


class EscalationApp(EscalationModel):
    """The model SolaraViz rebuilds from keywords: a scenario (a name from the menu or a file), a seed, and the
    levers (None: as in the file). A lever still at its starting value leaves the chosen scenario's own value, so
    that choosing a variant is not undone by sliders nobody moved. It stops after the scenario's last step."""

    def __init__(
        self,
        seed: int | str = 0,
        scenario_file: str | None = None,
        iran_cost_sensitivity: float | None = None,
        iran_control_iraqi_militias: float | None = None,
        usa_audience_cost: float | None = None,
        usa_blames_iran: float | None = None,
        hezbollah_autonomy: float | None = None,
        mood_sd: float | None = None,
    ):
        given = {
            "iran_cost_sensitivity": iran_cost_sensitivity,
            "iran_control_iraqi_militias": iran_control_iraqi_militias,
            "usa_audience_cost": usa_audience_cost,
            "usa_blames_iran": usa_blames_iran,
            "hezbollah_autonomy": hezbollah_autonomy,
            "mood_sd": mood_sd,
        }
        self.scenario_file = str(scenario_path(scenario_file))
        self.seed, self.notice = parse_seed(seed)
        has = lever_defaults(self.scenario_file)
        start = starting_levers()
        moved = {
            name: float(value)
            for name, value in given.items()
            if value is not None and name in has and float(value) != start.get(name)
        }
        self.overrides = [
            *BASE_OVERRIDES,
            *(f"{lever.path}={round(moved[lever.name], 6):g}" for lever in LEVERS if lever.name in moved),
        ]
        scn = load_scenario(self.scenario_file, self.overrides, injects=INJECTS)
        super().__init__(scn, rng=self.seed)
        self.levers = lever_values(self.spec)  # the values in effect, whether set here or in the file
        self.facts = scenario_facts(self.spec)
        self.layout = _layout(self.facts["actors"], self.facts["relations"])

    def step(self) -> None:
        now = int(self.time) - 1  # the step to run: Mesa's clock has already moved on to it
        if now >= self.spec.time.steps:
            self.running = False
            return
        super().step()
        if now >= self.spec.time.steps - 1:
            self.running = False

    @property
    def steps_done(self) -> int:
        return min(int(self.time), self.spec.time.steps)

    def label(self, aid: str) -> str:
        return self.facts["actors"].get(aid, {}).get("label", aid)

    def date_of(self, step: int) -> dt.date:
        return self.spec.time.date_of(step)


# --- what the components show, as plain data (tested without a browser) -------------------------------------------


def dyad_peaks(model: EscalationApp, max_dyads: int = MAX_DYADS) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The busiest dyads (most hostile actions, either way) and, per dyad and step so far, the highest rung
    (-1: none)."""
    ev, goldstein = model.events, model.rungs.goldstein
    steps = model.steps_done
    count: Counter[tuple[str, str]] = Counter()
    peak: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.full(steps, -1.0))
    for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
        if goldstein[r] >= 0 or s >= steps:
            continue
        pair = (a, b) if a < b else (b, a)
        count[pair] += 1
        peak[pair][s] = max(peak[pair][s], r)
    dyads = [d for d, _ in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:max_dyads]]
    return dyads, np.array([peak[d] for d in dyads]).reshape(len(dyads), steps)


def latest_events(model: EscalationApp, lines: int = FEED_LINES) -> list[tuple[int, str]]:
    """The latest events, newest step first; the same action of a step by the same actor on the same target is
    one line with ×N: (step, text)."""
    ev, ids = model.events, model.rungs.ids
    out: list[tuple[int, str]] = []
    for step in sorted(set(ev["step"]), reverse=True):
        count: Counter[tuple[str, str, int, str]] = Counter()
        killed: Counter[tuple[str, str, int, str]] = Counter()
        blamed: dict[tuple[str, str, int, str], Counter[str]] = defaultdict(Counter)
        for i in (i for i, s in enumerate(ev["step"]) if s == step):
            key = (ev["source"][i], ev["target"][i], ev["rung"][i], ev["cause"][i])
            count[key] += 1
            killed[key] += ev["casualties"][i] or 0.0
            if ev["attributed_to"][i]:
                blamed[key][ev["attributed_to"][i]] += 1
        for key, n in sorted(count.items(), key=lambda kv: (-kv[0][2], kv[0])):
            src, tgt, rung, cause = key
            text = f"{model.label(src)} → {model.label(tgt)}: {ids[rung].replace('_', ' ')}"
            text += f" ×{n}" if n > 1 else ""
            why = [cause]
            if killed[key] >= 1:
                why.append(f"{killed[key]:.0f} killed")
            for who, k in blamed[key].items():
                why.append((f"{k} of {n} " if n > 1 else "") + f"blamed on {model.label(who)}")
            out.append((step, f"{text} ({'; '.join(why)})"))
            if len(out) >= lines:
                return out
    return out


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def timeline_png(model: EscalationApp) -> bytes:
    """The escalation timeline: per busiest dyad, the highest rung of each step so far, over the whole period."""
    dyads, peaks = dyad_peaks(model)
    ladder = model.rungs.ids
    steps = model.spec.time.steps
    dates = [np.datetime64(model.date_of(t)) for t in range(steps + 1)]
    n = max(1, len(dyads))
    fig = Figure(figsize=(6.5, 1.2 * n + 0.6), layout="constrained")
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    for ax, dyad, row in zip(axes, dyads, peaks, strict=False):
        done = len(row)
        if done:
            ax.step(dates[: done + 1], [*row, row[-1]], where="post", color="#c92a2a", lw=2)
        ax.set_title(f"{model.label(dyad[0])} – {model.label(dyad[1])}", fontsize=8, loc="left", pad=2)
    for ax in axes:
        ax.set_yticks(range(-1, len(ladder)), ["none", *ladder], fontsize=6.5)
        ax.set_ylim(-1.5, len(ladder) - 0.5)
        ax.set_xlim(dates[0], dates[-1])
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
    if not dyads:
        axes[0].text(
            0.5, 0.5, "no hostile action yet: press Step or ▶", ha="center", transform=axes[0].transAxes
        )
    fig.suptitle(f"Highest rung per {model.spec.time.step}, busiest dyads", fontsize=9)
    return _png(fig)


def network_png(model: EscalationApp) -> bytes:
    """The actors (size: capability now) and their relations, with this step's hostile actions in red."""
    actors, pos = model.facts["actors"], model.layout
    g = nx.MultiDiGraph()
    g.add_nodes_from(actors)
    fig = Figure(figsize=(5.6, 4.6), layout="constrained")
    ax = fig.subplots()
    for r in model.facts["relations"]:
        st = APP_EDGE_STYLE.get(r["type"], OTHER_EDGE)
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(r["from"], r["to"])],
            ax=ax,
            edge_color=st["color"],
            style=st["style"],
            alpha=0.35,
            width=1.0,
            arrows=True,
            arrowsize=8,
            node_size=900,
            connectionstyle="arc3,rad=0.1",
        )
    now = Counter()
    ev = model.events
    last = model.steps_done - 1
    for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
        if s == last and model.rungs.goldstein[r] < 0:
            now[(a, b)] = max(now[(a, b)], model.rungs.mid[r])
    for (a, b), mid in now.items():
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(a, b)],
            ax=ax,
            edge_color="#c92a2a" if mid >= 4 else "#e67700",
            width=3.0 if mid >= 4 else 1.5,
            arrows=True,
            arrowsize=14,
            node_size=900,
            connectionstyle="arc3,rad=0.2",
        )
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        node_color=[NODE_COLOR[actors[a]["kind"]] for a in g.nodes],
        node_size=[300 + 900 * model.actors[a].capability for a in g.nodes],
        edgecolors="#343a40",
    )
    labels = {a: x["label"].replace(" ", "\n", 1) for a, x in actors.items()}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=7)
    when = f"in {model.spec.time.step} {last + 1}" if last >= 0 else "this step"
    ax.set_title(
        f"Size: capability now. Red: force used {when}; orange: threats and shows of force", fontsize=8
    )
    ax.set_axis_off()
    xy = np.array(list(pos.values()))
    ax.set_xlim(xy[:, 0].min() - 0.45, xy[:, 0].max() + 0.45)
    ax.set_ylim(xy[:, 1].min() - 0.25, xy[:, 1].max() + 0.25)
    return _png(fig)


def status_lines(model: EscalationApp) -> list[str]:
    """Where the run is, its seed and the levers in effect."""
    t, steps = model.steps_done, model.spec.time.steps
    when = f"{model.spec.time.step} {t} of {steps}"
    if t:
        when += f" (from {model.date_of(t - 1).isoformat()})"
    force = sum(model.rungs.mid[r] >= 4 for r in model.events["rung"])
    top = max(model.events["rung"], default=None)
    lines = [
        f"{when}; seed {model.seed}" + ("; the run is over" if not model.running else ""),
        f"uses of force so far: {force}; highest rung: {model.rungs.ids[top] if top is not None else 'none'}",
    ]
    labels = {lv.name: lv.label for lv in LEVERS}
    lines += [f"{labels[k]}: {v:g}" for k, v in model.levers.items()]
    if model.notice:
        lines.append(f"⚠ {model.notice}")
    return lines


# --- the page -------------------------------------------------------------------------------------------------------


def _html(lines: list[str], tag: str = "div") -> str:
    return "".join(f"<{tag}>{html.escape(line)}</{tag}>" for line in lines)


@solara.component
def Dashboard(model: EscalationApp):
    """The run so far: status, timeline, latest events, network. Laid out here rather than in SolaraViz's
    draggable grid, which needs a grid library that not every Vue version of Solara can load."""
    update_counter.get()  # SolaraViz bumps it after every step
    key = [model, model.steps_done]
    timeline = solara.use_memo(lambda: timeline_png(model), key)
    network = solara.use_memo(lambda: network_png(model), key)
    step = model.spec.time.step
    rows = [f"{step} {s + 1}: {line}" for s, line in latest_events(model)]
    hint = "Choose a scenario, change the seed or a lever, then press Reset to start a new run."
    with solara.Columns([3, 2]):
        with solara.Column():
            with solara.Card(model.spec.title):
                solara.HTML(unsafe_innerHTML=_html(status_lines(model)), classes=["redline-status"])
                solara.HTML(tag="i", unsafe_innerHTML=html.escape(hint))
            with solara.Card("Escalation timeline"):
                solara.Image(timeline, width="100%", classes=["redline-timeline"])
        with solara.Column():
            with solara.Card("Actor network"):
                solara.Image(network, width="100%", classes=["redline-network"])
            with solara.Card("Latest events"):
                feed = f"<ul>{_html(rows, 'li')}</ul>" if rows else "No events yet: press Step or ▶."
                solara.HTML(unsafe_innerHTML=feed, classes=["redline-feed"])


def model_params(scenario_file: str | Path = SCENARIO_FILE) -> dict[str, Any]:
    """SolaraViz's inputs: a menu of scenarios, the seed, and a slider per lever the starting scenario has."""
    scenario_file = Path(scenario_file)
    choices = scenario_choices() if scenario_file == SCENARIO_FILE else {scenario_file.stem: scenario_file}
    params: dict[str, Any] = {
        "scenario_file": {
            "type": "Select",
            "value": next(iter(choices)),
            "values": list(choices),
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": "0", "label": "Seed"},
    }
    levers = {lv.name: lv for lv in LEVERS}
    for name, value in lever_defaults(scenario_file).items():
        lv = levers[name]
        params[name] = {
            "type": "SliderFloat",
            "value": value,
            "label": lv.label,
            "min": min(lv.lo, value),
            "max": max(lv.hi, value),
            "step": lv.step,
        }
    return params


@solara.component
def Page():
    """One model per browser session, so that each student runs their own. SolaraViz gives the sidebar (Reset,
    ▶, Step, the scenario, the seed and the levers) and replaces the model on Reset; the dashboard shows it."""
    params = solara.use_memo(model_params, [])
    first = solara.use_memo(lambda: EscalationApp(scenario_file=str(SCENARIO_FILE)), [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=params, name="redline")
    Dashboard(model.value)


page = Page
