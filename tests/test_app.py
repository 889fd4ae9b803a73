"""The classroom app (`redline app`): its model and what it shows, without a browser; the command's errors; and the
page itself, served by `redline app` and driven in a headless Chromium."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import FLAGSHIP, ROOT, TINY

HAS_APP = all(importlib.util.find_spec(m) for m in ("solara", "altair"))
needs_app = pytest.mark.skipif(not HAS_APP, reason="the app extra (solara, altair) is not installed")

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
    from redline.app import EscalationApp

    def run(seed):
        m = EscalationApp(seed=seed, scenario_file=str(FLAGSHIP))
        for _ in range(8):
            m.step()
        return m.events

    assert run("7") == run(7)  # the seed box gives text
    assert run(7) != run(8)


@needs_app
def test_a_run_of_an_ensemble_replays_in_the_app_from_its_seed():
    from redline import load_scenario, run_ensemble
    from redline.app import EscalationApp

    res = run_ensemble(
        load_scenario(FLAGSHIP, ["actors.iran.cost_sensitivity=0.5"]), 2, 3, workers=1, progress=False
    )
    seed = int(res.runs.loc[res.runs["run"] == 1, "seed"].iloc[0])
    m = EscalationApp(seed=str(seed), scenario_file=str(FLAGSHIP), iran_cost_sensitivity=0.5)
    while m.running:
        m.step()
    ev = res.events[res.events["run"] == 1]
    assert list(ev["rung"]) == m.events["rung"] and list(ev["source"]) == m.events["source"]


@needs_app
def test_levers_become_overrides_and_the_rest_stays_as_in_the_file():
    from redline.app import LEVERS, EscalationApp, lever_defaults

    m = EscalationApp(scenario_file=str(FLAGSHIP), iran_cost_sensitivity=0.35, usa_blames_iran=0.2)
    assert m.spec.actors["iran"].cost_sensitivity == pytest.approx(0.35)
    assert m.levers["usa_blames_iran"] == pytest.approx(0.2)
    defaults = lever_defaults(FLAGSHIP)
    assert set(defaults) == {lv.name for lv in LEVERS}  # the flagship has them all
    assert m.levers["iran_control_iraqi_militias"] == defaults["iran_control_iraqi_militias"]
    # every lever is a keyword SolaraViz can pass back on Reset
    assert {lv.name for lv in LEVERS} <= set(inspect.signature(EscalationApp).parameters)


@needs_app
def test_every_lever_is_a_key_of_the_flagship_that_changes_its_runs():
    """Each slider sets a value the model reads: moving it from the flagship's value changes what happens in a few
    runs (the same seeds, so the difference is the lever's)."""
    from redline import load_scenario, run_ensemble
    from redline.app import LEVERS, lever_defaults

    defaults = lever_defaults(FLAGSHIP)
    key = ["source", "target", "rung"]
    base = run_ensemble(load_scenario(FLAGSHIP), 4, 11, workers=1, progress=False).events[key]
    for lever in LEVERS:
        value = defaults[lever.name]
        changed = []
        for moved in {lever.lo, lever.hi} - {value}:
            scn = load_scenario(FLAGSHIP, [f"{lever.path}={moved:g}"])
            events = run_ensemble(scn, 4, 11, workers=1, progress=False).events[key]
            changed.append(not events.reset_index(drop=True).equals(base.reset_index(drop=True)))
        assert any(changed), f"{lever.label}: moving it from {value:g} to either end changes nothing"


@needs_app
def test_the_menu_offers_the_shipped_scenarios_and_a_slider_nobody_moved_keeps_the_variants_value():
    from redline.app import EscalationApp, model_params, scenario_choices, starting_levers

    names = list(scenario_choices())
    assert names[0] == "axis-2023" and "axis-2023-strong-control" in names and len(names) >= 6
    menu = model_params()["scenario_file"]
    assert menu["type"] == "Select" and menu["values"] == names and menu["value"] == "axis-2023"

    start = starting_levers()["iran_control_iraqi_militias"]
    assert start < 1.0  # the flagship's; the variant makes it 1.0
    kept = EscalationApp(scenario_file="axis-2023-strong-control", iran_control_iraqi_militias=start)
    assert kept.spec.scenario == "axis-2023-strong-control"
    assert kept.levers["iran_control_iraqi_militias"] == 1.0
    moved = EscalationApp(scenario_file="axis-2023-strong-control", iran_control_iraqi_militias=0.3)
    assert moved.levers["iran_control_iraqi_militias"] == pytest.approx(0.3)


@needs_app
def test_a_scenario_without_the_actors_levers_gets_only_the_general_slider_and_runs_to_its_end():
    from redline.app import EscalationApp, dyad_peaks, latest_events, model_params, status_lines

    params = model_params(TINY)
    assert set(params) == {"seed", "scenario_file", "mood_sd"}  # every scenario has a behaviour, by default
    m = EscalationApp(seed="not a number", scenario_file=str(TINY))
    assert m.seed == 0 and "not a whole number" in m.notice
    steps = m.spec.time.steps
    for _ in range(steps + 3):  # steps past the end do nothing
        m.step()
    assert not m.running and m.steps_done == steps
    assert max(m.events["step"]) == steps - 1
    dyads, peaks = dyad_peaks(m)
    assert dyads[0] == ("client", "rival") and peaks.shape == (len(dyads), steps)
    assert latest_events(m) and latest_events(m)[0][0] == steps - 1
    assert any("the run is over" in line for line in status_lines(m))


@needs_app
def test_the_pictures_are_pngs_and_follow_the_run():
    from redline.app import EscalationApp, network_png, timeline_png

    m = EscalationApp(seed=1, scenario_file=str(FLAGSHIP))
    before = timeline_png(m), network_png(m)
    for _ in range(3):
        m.step()
    after = timeline_png(m), network_png(m)
    for png in (*before, *after):
        assert png.startswith(b"\x89PNG")
    assert before[0] != after[0] and before[1] != after[1]


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
        "from redline.app import EscalationApp, model_params\n"
        f"m = EscalationApp(seed=3, scenario_file={str(TINY)!r})\n"
        "[m.step() for _ in range(m.spec.time.steps)]\n"
        "hits = [(s, c) for s, a, b, c in zip(m.events['step'], m.events['source'], m.events['target'],"
        " m.events['cause']) if (a, b) == ('patron', 'rival') and c == 'scheduled']\n"
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
    assert hits.strip() != "[]"  # the injected strike happened, as a scheduled event
    bare = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert bare.stdout.split(" ", 1)[1].strip() == "[]"


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
    code = "import sys, redline.cli, redline.model, redline.plots, redline.app_assets; print('solara' in sys.modules)"
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


@needs_app
def test_the_page_steps_a_run_in_a_real_browser(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python client is not installed"
    )
    from redline import app_assets

    try:
        app_assets.ensure()  # Solara's browser files, where its CDN is out of reach
    except app_assets.AssetsError as e:
        pytest.skip(f"Solara's browser files are not available: {e}")

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "redline.cli",
            "app",
            str(FLAGSHIP),
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
    try:
        _wait_until_up(url, server, SERVER_START)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1050})
                page.set_default_timeout(WAIT_MS)
                page.goto(url)
                timeline = page.locator("img.redline-timeline")
                status = page.locator(".redline-status")
                timeline.wait_for()
                sync_api.expect(status).to_contain_text("week 0 of 26")
                before = timeline.get_attribute("src"), page.locator(".redline-feed").inner_text()

                # Iran's cost sensitivity from 0.9 down to 0.5, applied by Reset
                slider = page.locator(".v-input", has_text="Iran: cost sensitivity").locator("[role=slider]")
                slider.focus()
                for _ in range(8):
                    slider.press("ArrowLeft")
                page.get_by_role("button", name="Reset").click()
                sync_api.expect(status).to_contain_text("Iran: cost sensitivity: 0.5")

                for week in (1, 2, 3):
                    page.get_by_role("button", name="Step").click()
                    sync_api.expect(status).to_contain_text(f"week {week} of 26")
                sync_api.expect(page.locator(".redline-feed")).to_contain_text("week 3:")
                after = timeline.get_attribute("src"), page.locator(".redline-feed").inner_text()
                assert after[0] != before[0], "the timeline picture did not change"
                assert after[1] != before[1] and "→" in after[1]
                if os.environ.get("REDLINE_APP_SCREENSHOT"):  # how docs/img/app.png is made
                    for week in range(4, 13):
                        page.get_by_role("button", name="Step").click()
                        sync_api.expect(status).to_contain_text(f"week {week} of 26")
                    page.screenshot(path=os.environ["REDLINE_APP_SCREENSHOT"])

                # another scenario from the menu, applied by Reset
                page.locator(".v-select", has_text="Scenario").click()
                page.get_by_role("option", name="axis-2023-strong-control").click()
                page.get_by_role("button", name="Reset").click()
                sync_api.expect(
                    page.get_by_text("What if: Iran's control over its clients is strong")
                ).to_be_visible()
                sync_api.expect(status).to_contain_text("week 0 of 26")
                sync_api.expect(status).to_contain_text("Iran: control of Iraqi militias: 1")
            finally:
                browser.close()
    finally:
        _stop(server)
        log.close()
