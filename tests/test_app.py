"""The classroom app (`redline app`): its model and what it shows, without a browser; the command's errors; and the
page itself, served by `redline app` and driven in a headless Chromium."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

from redline import load_scenario

from .conftest import FLAGSHIP, ROOT, TINY

HAS_APP = importlib.util.find_spec("solara") is not None
needs_app = pytest.mark.skipif(not HAS_APP, reason="the app extra (solara) is not installed")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START = 30  # seconds for the server to answer
WAIT_MS = 15_000  # for anything on the page


# --- the model and its views, without a browser ---------------------------------------------------------------------


@needs_app
def test_the_same_seed_replays_the_same_run():
    from redline.frontends.app import EscalationApp

    def run(seed):
        m = EscalationApp(seed=seed, scenario_file=str(FLAGSHIP))
        for _ in range(8):
            m.step()
        return m.events

    assert run("7") == run(7)  # the seed box gives text
    assert run(7) != run(8)


class _Run:
    """A stand-in for the app's model: counts its steps and ends after `steps`."""

    def __init__(self, steps: int = 3):
        self.steps, self.done = steps, 0

    @property
    def running(self) -> bool:
        return self.done < self.steps


def _step(m: _Run) -> None:
    m.done += 1


@needs_app
def test_play_steps_its_run_to_the_end_and_a_press_in_its_pause_stops_it_without_a_step():
    from redline.frontends.app import Player

    player, run = Player(), _Run()
    assert player.loop(lambda: run, _step, lambda: 0, sleep=lambda s: None) is True
    assert run.done == 3  # to its end, and then Play may turn back

    # Pause then Play while the loop sleeps: the old loop wakes into a newer generation and steps nothing; the
    # loop of the second Play (started in that pause) alone steps the run, to its end.
    player, run = Player(), _Run(steps=4)
    late: list[bool] = []

    def press_pause_then_play(seconds: float) -> None:
        if not late:
            player.renew()  # Pause
            late.append(player.loop(lambda: run, _step, lambda: 0, sleep=lambda s: None))  # Play's loop

    assert player.loop(lambda: run, _step, lambda: 0, sleep=press_pause_then_play) is False
    assert late == [True] and run.done == 4  # stepped once per week, by one loop

    # Reset while the loop sleeps: a new model, which the old loop never steps, and the old one is left as it was.
    player, old, new = Player(), _Run(), _Run()
    now = [old]

    def reset(seconds: float) -> None:
        now[0] = new

    assert player.loop(lambda: now[0], _step, lambda: 0, sleep=reset) is False
    assert old.done == 0 and new.done == 0


@needs_app
def test_a_run_of_an_ensemble_replays_in_the_app_from_its_seed():
    from redline import load_scenario, run_ensemble
    from redline.frontends.app import EscalationApp

    res = run_ensemble(
        load_scenario(FLAGSHIP, ["actors.iran.cost_sensitivity=0.5"]), 2, 3, workers=1, progress=False
    )
    seed = int(res.runs.loc[res.runs["run"] == 1, "seed"].iloc[0])
    m = EscalationApp(
        seed=str(seed), scenario_file=str(FLAGSHIP), levers={"actors.iran.cost_sensitivity": 0.5}
    )
    while m.running:
        m.step()
    ev = res.events[res.events["run"] == 1]
    by_day = sorted(
        range(len(m.events["day"])), key=m.events["day"].__getitem__
    )  # the tables' order (stable)
    assert list(ev["rung"]) == [m.events["rung"][i] for i in by_day]
    assert list(ev["source"]) == [m.events["source"][i] for i in by_day]


@needs_app
def test_levers_become_overrides_and_the_rest_stays_as_in_the_file():
    from redline import load_scenario
    from redline.frontends.app import EscalationApp, sliders_of

    sliders = {s.path: s for s in sliders_of(FLAGSHIP)}
    # the levers the flagship declares, not one per number of its doctrines
    assert list(sliders) == [lv.path for lv in load_scenario(FLAGSHIP).levers]
    m = EscalationApp(
        scenario_file=str(FLAGSHIP),
        levers={"actors.iran.cost_sensitivity": 0.35, "relations.attributes:usa:iran.probability": 0.2},
    )
    assert m.spec.actors["iran"].cost_sensitivity == pytest.approx(0.35)
    assert m.overrides == [
        "actors.iran.cost_sensitivity=0.35",
        "relations.attributes:usa:iran.probability=0.2",
    ]
    assert m.moved_labels() == {
        "Iran: cost sensitivity": (0.35, sliders["actors.iran.cost_sensitivity"].value),
        "US: probability of blaming Iran": (0.2, sliders["relations.attributes:usa:iran.probability"].value),
    }
    control = "relations.supports:iran:iraqi_militias.control"
    assert m.levers[control] == sliders[control].value
    # a lever left at the scenario's value, or one the scenario lacks, adds no override
    same = EscalationApp(scenario_file=str(FLAGSHIP), levers={control: sliders[control].value, "nope.x": 1.0})
    assert same.overrides == [] and same.moved_labels() == {}


@needs_app
def test_every_slider_shows_a_range_holding_its_value_on_a_position_it_can_stop_at():
    from redline.frontends.app import sliders_of

    for scenario in (FLAGSHIP, TINY):
        for s in sliders_of(scenario):
            assert s.low <= s.value <= s.high and s.step > 0, s
            k = (s.value - s.low) / s.step
            assert k == pytest.approx(round(k)), f"{s.label}: {s.value:g} is not a stop of the slider"
            assert (s.high - s.low) / s.step <= 100, f"{s.label}: too many stops to move by hand"
    # a declared lever's slider spans its whole range, not a rounder part of it
    declared = {lv.path: lv for lv in load_scenario(FLAGSHIP).levers}
    for s in sliders_of(FLAGSHIP):
        assert (s.low, s.high) == (declared[s.path].low, declared[s.path].high), s


def test_the_app_guide_tables_every_lever_of_the_flagship():
    """docs/app.md has a row per slider of the flagship, in the app's order, each naming its `--set` path."""
    text = (ROOT / "docs" / "app.md").read_text()
    table = text.split("| slider | `--set` key path | what it does |")[1].split("\n\n")[0]
    paths = re.findall(r"^\| [^|]+ \| `([^`]+)` \|", table, flags=re.M)
    assert paths == [lv.path for lv in load_scenario(FLAGSHIP).levers]


@needs_app
def test_every_lever_is_a_key_of_the_flagship_that_changes_its_runs():
    """Each slider sets a value the model reads: moving it from the flagship's value changes what happens in a few
    runs (the same seeds, so the difference is the lever's)."""
    from redline import load_scenario, run_ensemble
    from redline.frontends.app import sliders_of

    key = ["source", "target", "rung"]
    base = run_ensemble(load_scenario(FLAGSHIP), 4, 11, workers=1, progress=False).events[key]
    for lever in sliders_of(FLAGSHIP):
        changed = []
        for moved in {lever.low, lever.high} - {lever.value}:
            scn = load_scenario(FLAGSHIP, [f"{lever.path}={moved:g}"])
            events = run_ensemble(scn, 4, 11, workers=1, progress=False).events[key]
            changed.append(not events.reset_index(drop=True).equals(base.reset_index(drop=True)))
        assert any(changed), f"{lever.label}: moving it from {lever.value:g} to either end changes nothing"


@needs_app
def test_the_menu_offers_the_shipped_scenarios_and_a_variant_keeps_its_own_values():
    from redline.frontends.app import EscalationApp, scenario_choices, sliders_of

    names = list(scenario_choices())
    assert names[0] == "axis-2023" and "axis-2023-strong-control" in names and len(names) >= 6
    control = "relations.supports:iran:iraqi_militias.control"
    flagship = {s.path: s.value for s in sliders_of(FLAGSHIP)}[control]
    assert flagship < 1.0  # the variant makes it 1.0
    variant = EscalationApp(scenario_file="axis-2023-strong-control")
    assert variant.spec.scenario == "axis-2023-strong-control"
    assert variant.levers[control] == 1.0 and variant.overrides == []
    moved = EscalationApp(scenario_file="axis-2023-strong-control", levers={control: 0.3})
    assert moved.levers[control] == pytest.approx(0.3)
    assert moved.spec.relation("supports:iran:iraqi_militias").control == pytest.approx(0.3)


@needs_app
def test_a_users_own_scenario_gets_a_slider_per_number_of_its_doctrines():
    """A scenario the curated levers do not fit gets sliders from its actors' doctrines: each a `--set` path the
    scenario accepts at both ends of its range, and one that reaches the model."""
    from redline import load_scenario
    from redline.frontends.app import EscalationApp, sliders_of
    from redline.language.scenario import value_at

    sliders = sliders_of(TINY)
    paths = [s.path for s in sliders]
    assert "behaviour.mood_sd" in paths and len(paths) == len(set(paths))
    scn = load_scenario(TINY)
    doctrine_numbers = [
        (aid, block, name)
        for aid, actor in scn.actors.items()
        for block, fields in vars(actor.doctrine).items()
        if fields is not None
        for name, value in vars(fields).items()
        if isinstance(value, float)
    ]
    assert doctrine_numbers and {f"actors.{a}.doctrine.{b}.{n}" for a, b, n in doctrine_numbers} <= set(paths)
    for s in sliders:
        for end in (s.low, s.high):
            assert value_at(load_scenario(TINY, [f"{s.path}={end:g}"]), s.path) == pytest.approx(end)
    lag = next(s for s in sliders if s.path == "actors.rival.doctrine.retaliation.lag")
    m = EscalationApp(scenario_file=str(TINY), levers={lag.path: lag.high})
    assert m.spec.actors["rival"].doctrine.retaliation.lag == pytest.approx(lag.high)
    assert f"{lag.label}" in " ".join(m.moved_labels())


@needs_app
def test_a_doctrine_number_at_zero_without_an_upper_limit_gets_a_span_to_move_in():
    from redline import load_scenario
    from redline.frontends.app import DEFAULT_SPAN, _doctrine_sliders

    scn = load_scenario(
        TINY,
        ["actors.rival.doctrine.retaliation.lag=0", "actors.rival.doctrine.red_lines.casualties_above=0"],
    )
    got = {s.path.rsplit(".", 1)[1]: s for s in _doctrine_sliders(scn) if s.path.startswith("actors.rival.")}
    assert (got["lag"].low, got["lag"].high, got["lag"].unit) == (0.0, DEFAULT_SPAN["days"], "days")
    assert (got["casualties_above"].low, got["casualties_above"].high) == (0.0, 1.0)
    for s in got.values():
        assert s.step > 0 and (s.high - s.low) / s.step >= 10  # a slider that moves, not [0, 0.001]


@needs_app
def test_a_run_of_a_users_scenario_goes_to_its_end_and_a_bad_seed_is_said():
    from redline.frontends.app import EscalationApp
    from redline.frontends.app_views import dyad_peaks, latest_events, status_lines

    m = EscalationApp(seed="not a number", scenario_file=str(TINY))
    assert m.seed == 0 and "not a whole number" in m.notice
    assert any("not a whole number" in line for line in status_lines(m))
    steps = m.spec.time.steps
    for _ in range(steps + 3):  # steps past the end do nothing
        m.step()
    assert not m.running and m.steps_done == steps
    assert max(m.events["step"]) == steps - 1
    dyads, peaks = dyad_peaks(m)
    assert dyads[0] == ("client", "rival") and peaks.shape == (len(dyads), steps)
    assert latest_events(m) and latest_events(m)[0][0] == steps - 1
    assert "the run is over" in status_lines(m)[0]


@needs_app
def test_the_status_tells_what_the_latest_week_brought():
    """The status names the latest week's highest rung and who used it, and the pairs that climbed or came down
    since the week before, all read here from the events themselves: it follows the crisis up and down instead of
    sticking at the run's highest rung."""
    from redline.frontends.app import EscalationApp
    from redline.frontends.app_views import status_lines
    from redline.frontends.plotstyle import actor_name

    m = EscalationApp(seed=2, scenario_file=str(FLAGSHIP))
    assert "press Step or Play" in status_lines(m)[1]

    def peaks(step):
        ev, out = m.events, {}
        for s, a, b, r in zip(ev["step"], ev["source"], ev["target"], ev["rung"], strict=True):
            if s == step and m.rungs.goldstein[r] < 0:
                out[(a, b)] = max(out.get((a, b), -1), r)
        return out

    said, moves_seen = [], 0
    while m.running:
        m.step()
        t = m.steps_done - 1
        now, before = peaks(t), peaks(t - 1)
        lines = status_lines(m)
        text = " ".join(lines)
        assert lines[0].startswith(f"Week {m.steps_done} of 26")
        if not now:
            assert lines[1] == "This week: no hostile act."
        else:
            top = max(now.values())
            assert f"highest rung {m.rungs.ids[top].replace('_', ' ')}," in lines[1]
            assert any(
                f"{actor_name(m.facts, a)} → {actor_name(m.facts, b)}" in lines[1]
                for (a, b), r in now.items()
                if r == top
            )
        up = [p for p in set(now) | set(before) if now.get(p, -1) > before.get(p, -1)]
        down = [p for p in set(now) | set(before) if now.get(p, -1) < before.get(p, -1)]
        assert ("Up: " in text) == bool(up) and ("Down: " in text) == bool(down)
        if up or down:  # the biggest climb (or fall) is named with both rungs
            a, b = max(up, key=lambda p: (now[p], before.get(p, -1))) if up else max(down, key=before.get)
            name = {-1: "none", **{i: r.replace("_", " ") for i, r in enumerate(m.rungs.ids)}}
            pair = f"{actor_name(m.facts, a)} → {actor_name(m.facts, b)}"
            assert f"{pair}: {name[now.get((a, b), -1)]} (was {name[before.get((a, b), -1)]})" in text
            moves_seen += 1
        forces = sum(
            1
            for s, r in zip(m.events["step"], m.events["rung"], strict=True)
            if s == t and m.rungs.mid[r] >= 4
        )
        assert f"Uses of force: {forces} this week" in text
        said.append(text)
    assert len(set(said)) == len(said) and moves_seen > 10  # every week reads differently


@needs_app
def test_the_pictures_are_pngs_drawn_for_a_projector_and_follow_the_run():
    from redline.frontends import app_views
    from redline.frontends.app import EscalationApp

    m = EscalationApp(seed=1, scenario_file=str(FLAGSHIP))
    before = app_views.timeline_png(m), app_views.network_png(m)
    for _ in range(3):
        m.step()
    after = app_views.timeline_png(m), app_views.network_png(m)
    for png in (*before, *after):
        assert png.startswith(b"\x89PNG")
    assert before[0] != after[0] and before[1] != after[1]
    # shown at their size, side by side, beside the 280 px controls of a 1280 px wide page
    widths = [app_views.png_width(png) * app_views.SHOWN for png in after]
    assert sum(widths) + 280 + 48 <= 1280, widths
    assert app_views.TEXT_PX >= 14


# --- the command ----------------------------------------------------------------------------------------------------


@needs_app
def test_app_refuses_a_bad_scenario_before_starting_a_server(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("capability: 0.6", "capability: lots", 1))
    status, out, err = cli("app", bad, "--port", "1")
    assert status == 2 and "capability" in err and "http" not in out
    status, _, err = cli("app", TINY, "--port", "70000")
    assert status == 2 and len(err.strip().splitlines()) == 1


@needs_app
def test_app_set_and_inject_reach_every_run_of_the_session(tmp_path):
    """`redline app --set --inject` hands them to the server in REDLINE_APP_OPTIONS; every run built there has
    them, under the levers."""
    code = (
        "from redline.frontends.app import EscalationApp\n"
        f"m = EscalationApp(seed=3, scenario_file={str(TINY)!r})\n"
        "[m.step() for _ in range(m.spec.time.steps)]\n"
        "hits = [(s, c) for s, a, b, c in zip(m.events['step'], m.events['source'], m.events['target'],"
        " m.events['cause']) if (a, b) == ('patron', 'rival') and c == 'inject']\n"
        "print(m.spec.actors['patron'].cost_sensitivity, hits)\n"
    )
    options = {
        "set": ["actors.patron.cost_sensitivity=0.25"],
        "inject": ["2024-02-05:patron:rival:limited_strike"],
    }
    env = {**os.environ, "REDLINE_APP_SCENARIO": str(TINY), "REDLINE_APP_OPTIONS": json.dumps(options)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    sensitivity, hits = out.stdout.split(" ", 1)
    assert float(sensitivity) == 0.25
    # the injected strike happened, as a scheduled event: cause 'inject' comes only from an inject, and the file
    # schedules nothing from the patron at the rival
    assert hits.strip() != "[]"
    assert not [e for e in load_scenario(TINY).events if (e.source, e.target) == ("patron", "rival")]


@needs_app
def test_app_refuses_a_bad_inject_or_set_before_starting_a_server(cli):
    status, out, err = cli("app", TINY, "--inject", "2024-02-05:patron:rivl:limited_strike", "--port", "1")
    assert status == 2 and "unknown actor 'rivl'" in err and "http" not in out
    status, out, err = cli("app", TINY, "--set", "actors.patron.cost_sensitivity=2", "--port", "1")
    assert status == 2 and "cost_sensitivity" in err and "http" not in out


def test_app_without_the_extra_says_how_to_install_it(cli, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    status, _, err = cli("app", TINY)
    assert status == 2
    assert err.strip().splitlines() == [
        "redline app: the app needs the app extra (missing: solara); install it with: pip install 'redline[app]'"
    ]


def test_nothing_but_the_app_imports_solara_when_loaded():
    code = (
        "import sys, redline.frontends.cli, redline.engine.model, redline.frontends.plots,"
        " redline.frontends.app_assets, redline.frontends.app_views;"
        " print('solara' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


# --- the page in a browser ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped with status {server.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer within {seconds} s")


def _stop(server: subprocess.Popen) -> None:
    """Stop `redline app` and the Solara server it started (its own process group)."""
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # the Solara server, if it outlived redline
        os.killpg(server.pid, signal.SIGKILL)


def _start_app(tmp_path, scenario) -> tuple[subprocess.Popen, str, Any]:
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "redline",
            "app",
            str(scenario),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return server, f"http://127.0.0.1:{port}/", log


# Texts of the page a class must read from the back of a room, and the least size they may have.
READABLE = [
    ".redline-status div",
    ".redline-lever-head",
    ".redline-range",
    ".redline-caption",
    "h2",
    "button",
]
MIN_PX = 14
PROJECTOR = {"width": 1280, "height": 720}


@needs_app
def test_the_page_on_a_1280x720_projector(tmp_path):
    """The page in a real browser at a projector's size: readable text and pictures that fill the screen, levers
    with their values and ranges, none of the framework's controls, a status that moves with the run, Play, Reset
    with a moved lever, and the menu of variants. The screenshot is kept beside the server's log."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python client is not installed"
    )
    from redline.frontends import app_assets
    from redline.frontends.app import sliders_of
    from redline.frontends.app_views import SHOWN, TEXT_PX

    try:
        app_assets.ensure()  # what `make` installs; here for a machine where it has not run
    except app_assets.AssetsError as e:
        pytest.skip(f"Solara's browser files are not available: {e}")

    # expect() waits 5 s unless told otherwise; a loaded CI machine takes longer than that to play two weeks
    sync_api.expect.set_options(timeout=WAIT_MS)
    server, url, log = _start_app(tmp_path, FLAGSHIP)
    try:
        _wait_until_up(url, server, SERVER_START)
        with urllib.request.urlopen(url, timeout=10) as r:  # before any script runs, the page says what it is
            assert "redline: starting the classroom app" in r.read().decode()
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=PROJECTOR)
                page.set_default_timeout(WAIT_MS)
                page.goto(url)
                timeline, status = page.locator("img.redline-timeline"), page.locator(".redline-status")
                timeline.wait_for()
                sync_api.expect(status).to_contain_text("Week 0 of 26")
                before = timeline.get_attribute("src")

                # every lever shows its name, value and range; none of Mesa's controls is there
                levers = page.locator(".redline-lever")
                assert levers.count() == len(sliders_of(FLAGSHIP))
                cost = levers.filter(has_text="Iran: cost sensitivity")
                lever = next(s for s in sliders_of(FLAGSHIP) if s.path == "actors.iran.cost_sensitivity")
                sync_api.expect(cost.locator(".redline-lever-head")).to_contain_text(f"{lever.value:g}")
                sync_api.expect(cost.locator(".redline-range")).to_have_text(
                    f"{lever.low:g}scenario: {lever.value:g}{lever.high:g}"
                )
                text = page.locator("body").inner_text()
                for gone in ("Render Interval", "Use Threads", "Step:", "Made with Solara", "runs on Solara"):
                    assert gone not in text, gone

                # Iran's cost sensitivity down by 0.5 from the scenario's value, one key press a step, shown as it
                # moves and applied by Reset
                slider = cost.locator("[role=slider]")
                presses = round(0.5 / lever.step)
                for press in range(1, presses + 1):
                    slider.focus()
                    slider.press("ArrowLeft")
                    shown = round(lever.value - press * lever.step, 6)
                    sync_api.expect(cost.locator(".redline-lever-head b")).to_have_text(f"{shown:g}")
                sync_api.expect(page.locator(".redline-pending")).to_have_text(
                    "Not applied yet: press Reset."
                )
                page.get_by_role("button", name="Reset").click()
                sync_api.expect(status).to_contain_text(
                    f"Iran: cost sensitivity {shown:g} (scenario: {lever.value:g})"
                )
                sync_api.expect(page.locator(".redline-pending")).to_have_text("")

                said = []
                for week in range(1, 7):
                    page.get_by_role("button", name="Step").click()
                    sync_api.expect(status).to_contain_text(f"Week {week} of 26")
                    said.append(status.inner_text())
                assert len(set(said)) == len(said)
                sync_api.expect(page.locator(".redline-feed")).to_contain_text("week 6:")
                assert timeline.get_attribute("src") != before, "the timeline picture did not change"

                # readable from the back of the room
                sizes = page.evaluate(
                    """(sels) => sels.flatMap(sel => [...document.querySelectorAll(sel)]
                        .filter(e => e.offsetParent !== null && e.innerText.trim())
                        .map(e => [sel, e.innerText.slice(0, 30), parseFloat(getComputedStyle(e).fontSize)]))""",
                    READABLE,
                )
                assert {sel for sel, _, _ in sizes} == set(READABLE)
                small = [(sel, t, px) for sel, t, px in sizes if px < MIN_PX]
                assert not small, small
                area = PROJECTOR["width"] * PROJECTOR["height"]
                for name, least in (("timeline", 0.15), ("network", 0.1)):
                    box = page.evaluate(
                        """(sel) => { const i = document.querySelector(sel); const r = i.getBoundingClientRect();
                        return {w: r.width, h: r.height, top: r.top, left: r.left, natural: i.naturalWidth}; }""",
                        f"img.redline-{name}",
                    )
                    shown = TEXT_PX * box["w"] / (box["natural"] * SHOWN)
                    assert shown >= MIN_PX, f"the {name}'s texts are {shown:.1f} px on the page"
                    assert box["top"] >= 0 and box["top"] + box["h"] <= PROJECTOR["height"], (name, box)
                    assert box["left"] + box["w"] <= PROJECTOR["width"], (name, box)
                    assert box["w"] * box["h"] >= least * area, (name, box)
                shot = tmp_path / "app-1280x720.png"
                page.screenshot(path=shot)
                assert shot.stat().st_size > 20_000
                if os.environ.get("REDLINE_APP_SCREENSHOT"):  # how docs/img/app.png is made
                    page.screenshot(path=os.environ["REDLINE_APP_SCREENSHOT"])

                # Play runs on by itself until paused
                page.get_by_role("button", name="Play").click()
                sync_api.expect(status).to_contain_text("Week 8 of 26")
                page.get_by_role("button", name="Pause").click()
                sync_api.expect(page.get_by_role("button", name="Step")).to_be_enabled()
                paused = status.inner_text().split(",")[0]
                time.sleep(2)
                assert status.inner_text().split(",")[0] == paused

                # a variant from the menu starts at once, its sliders at its own values
                page.locator(".v-select", has_text="Scenario").click()
                page.get_by_role("option", name="axis-2023-strong-control").click()
                sync_api.expect(
                    page.get_by_role("heading", name="What if: Iran's control over its clients is strong")
                ).to_be_visible()
                sync_api.expect(status).to_contain_text("Week 0 of 26")
                control = levers.filter(has_text="Iran: control of Iraqi militias")
                sync_api.expect(control.locator(".redline-range")).to_contain_text("scenario: 1")
            finally:
                browser.close()
    finally:
        sync_api.expect.set_options(timeout=5_000)
        _stop(server)
        log.close()
    # the instructor's terminal gets no framework notice about cookies over plain http on a classroom address
    assert "samesite" not in (tmp_path / "server.log").read_text()


@needs_app
def test_install_assets_fills_the_cache_the_server_reads_and_exits(cli):
    from redline.frontends import app_assets

    status, out, err = cli("app", "--install-assets")
    if status != 0:
        pytest.skip(f"the browser files could not be fetched here: {err.strip()}")
    assert app_assets.missing() == [] and "installed" in out and "http" not in out
