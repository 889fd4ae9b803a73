"""The classroom app: one run of a scenario in the browser, week by week, on Solara (the page) and the Mesa model.

    redline app scenarios/axis-2023.yaml        # serves redline.frontends.app_server, which is this page

Needs the `app` extra (`pip install 'redline[app]'`). The scenario comes from the environment variable
REDLINE_APP_SCENARIO (set by `redline app`; default: the flagship), and the `--set` overrides and `--inject` events
of `redline app` from REDLINE_APP_OPTIONS (JSON: {"set": [...], "inject": [...]}). The controls on the left hold a
menu of scenarios (that one and the shipped variants that fit it), Play, Step and Reset, the seed, and a slider per
lever of the scenario, each applied as a `--set` override when Reset is pressed. The page beside them shows what the
latest week brought, the escalation timeline of the busiest dyads, the actors with the week's hostile acts, and a
feed of the latest events. The page is laid out for a 1280x720 projector; Mesa's own SolaraViz controls (render
interval, threads, raw step counts) are left out because a class has no use for them. The same seed and levers
replay the same run: the model's only randomness is its seed.
"""

from __future__ import annotations

import functools
import html
import json
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara

from redline.engine.model import EscalationModel
from redline.errors import ScenarioError
from redline.frontends import app_views as views
from redline.frontends.plot_network import _layout
from redline.frontends.plotstyle import in_words
from redline.language import paths
from redline.language.scenario import load_scenario, value_at
from redline.language.spec import Scenario
from redline.language.typed import fields_of
from redline.results import levers as registry
from redline.results.store import scenario_facts

ENV = "REDLINE_APP_SCENARIO"
DEFAULT_SCENARIO = paths.SCENARIOS / "axis-2023.yaml"
SCENARIO_FILE = Path(os.environ.get(ENV) or DEFAULT_SCENARIO)
OPTIONS_ENV = "REDLINE_APP_OPTIONS"
SPEEDS = {"slow": 1.5, "normal": 0.8, "fast": 0.3}  # seconds between two weeks while playing
SLIDER_STOPS = 20  # about how many positions a slider has between its ends


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


# --- levers ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """A lever as the app shows it: the value it sets (a `--set` key path), its range and unit, and the value the
    scenario itself gives it."""

    path: str
    label: str
    low: float
    high: float
    step: float
    unit: str
    value: float


# Units as a slider shows them beside its value: a share or a probability reads plainly as a number.
_UNITS = {"share 0-1": "", "probability": "", "utility units": "utility"}
# The lever every world has, for a scenario that declares none: how widely moods swing.
# How far a slider reaches above a doctrine number that is at its lower limit and has no upper one, by unit.
DEFAULT_SPAN = {"days": 14.0}
GENERAL = (("behaviour.mood_sd", "All: spread of moods", 0.0, 1.0, ""),)


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about SLIDER_STOPS positions over a span."""
    raw = span / SLIDER_STOPS if span > 0 else 0.05
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _number(scn: Scenario, path: str) -> float | None:
    try:
        value = value_at(scn, path)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _slider(path: str, label: str, low: float, high: float, unit: str, value: float) -> Slider:
    """A slider over a lever's whole range, with a round step that has the scenario's value among its positions (a
    slider can only stop at low + k * step), trying finer steps down to a tenth. Only if none fits does it start
    at the first round position above the range's low end (a limit like 0.1 day) instead."""
    low, high = min(low, value), max(high, value)
    step = _nice_step(high - low)
    on_grid = math.ceil(low / step - 1e-9) * step
    for start in dict.fromkeys((low, float(on_grid) if on_grid <= value else low)):
        for finer in (step, step / 2, step / 4, step / 5, step / 10):
            k = (value - start) / finer
            if abs(k - round(k)) < 1e-6:
                return Slider(path, label, start, high, float(f"{finer:.6g}"), unit, value)
    return Slider(path, label, low, high, float(f"{step:.6g}"), unit, value)


def _doctrine_sliders(scn: Scenario) -> list[Slider]:
    """A slider per number of each actor's doctrine, ranged by the scenario language's own limits: the whole
    range where it is short and the scenario's value not tiny in it, else from the lower limit to twice the value."""
    found = []
    for aid, actor in scn.actors.items():
        for block_field in fields_of(type(actor.doctrine)):
            block = getattr(actor.doctrine, block_field.name)
            if block is None:
                continue
            for f in fields_of(type(block)):
                value = getattr(block, f.name)
                if not isinstance(value, int | float) or isinstance(value, bool):
                    continue
                ge, le = f.metadata.get("ge"), f.metadata.get("le")
                low = 0.0 if ge is None else float(ge)
                short = le is not None and le - low <= 5 and value - low >= (le - low) / 10
                doc = f.metadata.get("doc", "")
                unit = "days" if doc.startswith("Days") else "utility" if "utility units" in doc else ""
                # a value of 0 with no upper limit gives no scale to double: a span by its unit instead
                span = DEFAULT_SPAN.get(unit, 1.0) if value <= low else 0.0
                high = float(le) if short and le is not None else max(2 * value, low + span)
                if le is not None:
                    high = min(high, float(le))
                label = f"{actor.label or aid}: {in_words(block_field.name)}, {in_words(f.name)}"
                path = f"actors.{aid}.doctrine.{block_field.name}.{f.name}"
                found.append(_slider(path, label, low, high, unit, float(value)))
    return found


def _levers_for(scn: Scenario) -> tuple[Slider, ...]:
    """The app's one source of sliders for a scenario: the levers its file declares (the registry that
    `redline levers` prints and research tools read), or, for a scenario that declares none (a user's own world),
    a slider per number of its actors' doctrines and the general one."""
    declared = registry.levers(scn)
    if declared:
        return tuple(
            _slider(
                lv.path,
                lv.label or lv.name,
                lv.low,
                lv.high,
                _UNITS.get(lv.unit, lv.unit),
                float(registry.value(scn, lv)),
            )
            for lv in declared
        )
    general = [
        _slider(p, label, lo, hi, unit, v)
        for p, label, lo, hi, unit in GENERAL
        if (v := _number(scn, p)) is not None
    ]
    return (*_doctrine_sliders(scn), *general)


@functools.cache
def _base(scenario_file: str) -> Scenario:
    """The scenario as `redline app` gave it (its `--set` and `--inject`), before any lever: loaded once."""
    return load_scenario(scenario_file, BASE_OVERRIDES, injects=INJECTS)


def sliders_of(scenario_file: str | Path) -> tuple[Slider, ...]:
    return _levers_for(_base(str(scenario_file)))


def parse_seed(value: Any) -> tuple[int, str]:
    """The seed typed in the controls (text) as an int, and a notice if it was not a usable one."""
    try:
        seed = int(str(value).strip())
    except ValueError:
        return 0, f"seed '{value}' is not a whole number; using 0"
    if not 0 <= seed < 2**63:
        return 0, f"seed {seed} is not between 0 and 2**63-1; using 0"
    return seed, ""


@functools.cache
def scenario_choices() -> dict[str, Path]:
    """The scenarios of the menu, by name: the one the app was started with, then every shipped one that loads
    with the app's `--set` and `--inject` (a variant of the flagship does; a scenario without those actors does
    not)."""
    choices = {SCENARIO_FILE.stem: SCENARIO_FILE.resolve()}
    for path in sorted(paths.SCENARIOS.glob("*.yaml")):
        if path.resolve() in choices.values() or path.stem in choices:
            continue
        try:
            _base(str(path.resolve()))
        except ScenarioError:
            continue
        choices[path.stem] = path.resolve()
    return choices


def scenario_path(choice: str | Path | None) -> Path:
    """A name from the menu, or a path."""
    if choice is None:
        return SCENARIO_FILE
    if Path(choice).is_file():
        return Path(choice)
    return scenario_choices().get(str(choice), Path(choice))


# --- the model ------------------------------------------------------------------------------------------------------


class EscalationApp(EscalationModel):
    """One run of a scenario (a name from the menu or a file) with a seed and lever values by `--set` path. A
    lever at the scenario's own value adds no override. It stops after the scenario's last step. Its lock keeps
    the page from reading the run while a step of Play is writing it."""

    def __init__(
        self, seed: int | str = 0, scenario_file: str | None = None, levers: Mapping[str, float] | None = None
    ):
        self.scenario_file = str(scenario_path(scenario_file).resolve())
        self.seed, self.notice = parse_seed(seed)
        base = _base(self.scenario_file)
        self.sliders = _levers_for(base)
        own = {s.path: s.value for s in self.sliders}
        self.moved = {
            p: round(float(v), 6)
            for p, v in (levers or {}).items()
            if p in own and round(float(v), 6) != own[p]
        }
        # a whole number as one (a slider gives floats; a count of days is an int), any other in full
        self.overrides = [
            *BASE_OVERRIDES,
            *(registry.override(p, int(v) if v.is_integer() else v) for p, v in self.moved.items()),
        ]
        scn = load_scenario(self.scenario_file, self.overrides, injects=INJECTS) if self.moved else base
        super().__init__(scn, rng=self.seed)
        self.lock = threading.Lock()
        self.facts = scenario_facts(self.spec)
        self.layout = _layout(self.facts["actors"], self.facts["relations"])

    @property
    def levers(self) -> dict[str, float]:
        """The value of each lever in effect, by path."""
        return {s.path: self.moved.get(s.path, s.value) for s in self.sliders}

    def moved_labels(self) -> dict[str, tuple[float, float]]:
        """The levers moved away from the scenario: label -> (value now, the scenario's value)."""
        return {s.label: (self.moved[s.path], s.value) for s in self.sliders if s.path in self.moved}

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


class Player:
    """Who may step the run while Play is on: only the loop started last, and only on the model it started with.
    Starting a loop, Pause and Reset each begin a new generation; a loop of an older one (asleep between two weeks
    when the button was pressed) stops when it wakes, without stepping. So two loops never step one run, and an
    old loop never steps the run that a Reset made."""

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()

    def renew(self) -> int:
        with self._lock:
            self.generation += 1
            return self.generation

    def loop(
        self,
        current_model: Callable[[], EscalationApp],
        step: Callable[[EscalationApp], None],
        pause: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Step the model of now, a pause before each step, until its run is over (True) or a newer generation
        or another model replaces this loop (False)."""
        token, m = self.renew(), current_model()

        def mine() -> bool:
            return self.generation == token and current_model() is m

        while m.running:
            sleep(pause())
            if not mine():
                return False
            step(m)
        return mine()


# --- the page -------------------------------------------------------------------------------------------------------

CSS = """
.redline-app { display: flex; width: 100%; height: 100vh; font-size: 16px; line-height: 1.35; }
.redline-side { flex: none; width: 280px; overflow-y: auto; padding: 10px 14px; background: #f8f9fa;
  border-right: 1px solid #dee2e6; }
.redline-main { flex: 1; min-width: 0; overflow-y: auto; padding: 8px 16px; }
.redline-app h1 { font-size: 22px; margin: 0 0 4px 0; font-weight: 600; }
.redline-app h2 { font-size: 18px; margin: 6px 0 2px 0; font-weight: 600; }
.redline-status div:first-child { font-size: 18px; font-weight: 600; }
.redline-status div:nth-child(2) { font-size: 18px; }
.redline-caption, .redline-hint, .redline-range, .redline-feed { font-size: 15px; color: #495057; }
.redline-lever { margin-top: 4px; }
.redline-lever-head { display: flex; justify-content: space-between; gap: 8px; font-size: 16px; }
.redline-lever-head b { white-space: nowrap; }
.redline-range { display: flex; justify-content: space-between; margin-top: -6px; }
.redline-pending { color: #c92a2a; font-size: 15px; font-weight: 600; }
.redline-feed ul { padding-left: 18px; margin: 0; }
.redline-app .v-slider__thumb-container, .redline-app .v-slider { cursor: pointer; }
.redline-app .v-btn { font-size: 16px; text-transform: none; letter-spacing: 0; }
.redline-app .v-label, .redline-app .v-select__selection, .redline-app input { font-size: 16px !important; }
"""


def _html(lines: list[str], tag: str = "div") -> str:
    return "".join(f"<{tag}>{html.escape(line)}</{tag}>" for line in lines)


def _shown_width(png: bytes) -> str:
    return f"{round(views.png_width(png) * views.SHOWN)}px"


@solara.component
def LeverSlider(slider: Slider, value: float, on_value: Any):
    """A lever: its name and value, the slider, and its range with the scenario's own value."""
    unit = f" {slider.unit}" if slider.unit else ""
    with solara.Column(gap="0px", classes=["redline-lever"]):
        solara.HTML(
            unsafe_innerHTML=f"<span>{html.escape(slider.label)}</span><b>{value:g}{html.escape(unit)}</b>",
            classes=["redline-lever-head"],
        )
        solara.SliderFloat(
            "",
            value=value,
            min=slider.low,
            max=slider.high,
            step=slider.step,
            on_value=lambda v: on_value(slider.path, round(float(v), 6)),
            thumb_label=False,
        )
        solara.HTML(
            unsafe_innerHTML=f"<span>{slider.low:g}</span><span>scenario: {slider.value:g}</span>"
            f"<span>{slider.high:g}{html.escape(unit)}</span>",
            classes=["redline-range"],
        )


@solara.component
def RunView(model: EscalationApp, version: int):
    """The run so far: the latest week, the timeline and the actors, then the latest events."""
    unit = model.spec.time.step

    def draw() -> tuple[list[str], bytes, bytes, list[tuple[int, str]]]:
        with model.lock:
            return (
                views.status_lines(model, model.moved_labels()),
                views.timeline_png(model),
                views.network_png(model),
                views.latest_events(model),
            )

    status, timeline, network, feed = solara.use_memo(draw, [model, version])
    solara.HTML(tag="h1", unsafe_innerHTML=html.escape(model.spec.title))
    solara.HTML(unsafe_innerHTML=_html(status), classes=["redline-status"])
    with solara.Row(gap="16px", style="align-items: flex-start; flex-wrap: nowrap"):
        with solara.Column(gap="0px", style=f"flex: none; width: {_shown_width(timeline)}"):
            solara.HTML(tag="h2", unsafe_innerHTML=f"Escalation timeline: highest rung each {unit}")
            solara.Image(timeline, width=_shown_width(timeline), classes=["redline-timeline"])
            solara.HTML(
                unsafe_innerHTML=f"A row per busiest pair, either way; grey: no hostile act that {unit}; "
                "right of the line: not played yet.",
                classes=["redline-caption"],
            )
        with solara.Column(gap="0px", style=f"flex: none; width: {_shown_width(network)}"):
            solara.HTML(tag="h2", unsafe_innerHTML=f"The actors this {unit}")
            solara.Image(network, width=_shown_width(network), classes=["redline-network"])
            solara.HTML(
                unsafe_innerHTML="Size: capability now. Arrows: red, force; orange, threats and shows of force. "
                "Lines: green supports, red hostile.",
                classes=["redline-caption"],
            )
    solara.HTML(tag="h2", unsafe_innerHTML="Latest events")
    rows = [f"{unit} {s + 1}: {line}" for s, line in feed]
    solara.HTML(
        unsafe_innerHTML=f"<ul>{_html(rows, 'li')}</ul>" if rows else "No events yet: press Step or Play.",
        classes=["redline-feed"],
    )


@solara.component
def Page():
    """One model per browser tab, so that each student runs their own."""
    choices = scenario_choices()
    choice = solara.use_reactive(next(iter(choices)))
    seed = solara.use_reactive("0")
    wanted = solara.use_reactive({})  # lever path -> slider position, for the chosen scenario
    model = solara.use_reactive(solara.use_memo(lambda: EscalationApp(scenario_file=str(SCENARIO_FILE)), []))
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    error = solara.use_reactive("")

    player = solara.use_memo(Player, [])

    def start(name: str, levers: Mapping[str, float]) -> None:
        player.renew()
        playing.value = False
        try:
            model.value = EscalationApp(seed=seed.value, scenario_file=name, levers=levers)
            error.value = ""
        except ScenarioError as e:  # a combination of levers the language refuses
            error.value = str(e)
        version.value += 1

    def choose(name: str) -> None:
        choice.value = name
        wanted.value = {}
        start(name, {})

    def move(path: str, value: float) -> None:
        wanted.value = {**wanted.value, path: value}

    def step(m: EscalationApp) -> None:
        with m.lock:
            m.step()
        version.value += 1

    def play_loop() -> None:
        if playing.value and player.loop(lambda: model.value, step, lambda: SPEEDS[speed.value]):
            playing.value = False  # the run is over: the button says Play again

    def toggle() -> None:
        player.renew()
        playing.set(not playing.value)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    m = model.value
    positions = {s.path: wanted.value.get(s.path, m.levers[s.path]) for s in m.sliders}
    pending = positions != m.levers or parse_seed(seed.value)[0] != m.seed
    solara.Title(f"redline: {m.spec.title}")
    solara.Style(CSS)
    with solara.Div(classes=["redline-app"]):
        with solara.Div(classes=["redline-side"]):
            solara.Select("Scenario", values=list(choices), value=choice.value, on_value=choose)
            with solara.Row(gap="6px"):
                solara.Button(
                    "Pause" if playing.value else "Play",
                    color="primary",
                    on_click=toggle,
                    disabled=not m.running,
                )
                solara.Button(
                    "Step", on_click=lambda: step(model.value), disabled=playing.value or not m.running
                )
                solara.Button("Reset", on_click=lambda: start(choice.value, positions))
            solara.Select("Play speed", values=list(SPEEDS), value=speed)
            solara.InputText("Seed", value=seed, continuous_update=True)
            # always there, empty when nothing waits: a notice that comes and goes would shift the sliders below
            # it, and the page would redraw them while one is being moved
            solara.HTML(
                unsafe_innerHTML="Not applied yet: press Reset." if pending else "",
                classes=["redline-pending"],
            )
            solara.HTML(tag="h2", unsafe_innerHTML="Levers")
            for s in m.sliders:
                LeverSlider(s, positions[s.path], move)
            solara.HTML(
                unsafe_innerHTML="Each lever sets one value of the scenario, as <code>--set</code> does. "
                "The same seed and levers replay the same run.",
                classes=["redline-hint"],
            )
        with solara.Div(classes=["redline-main"]):
            if error.value:
                solara.Error(error.value)
            RunView(m, version.value)


page = Page
