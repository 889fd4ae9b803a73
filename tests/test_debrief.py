"""A debrief names, for each week, the actions and the doctrine behind each, the blame and the red lines."""

from __future__ import annotations

import re

import pytest

from redline import load_scenario
from redline.debrief import markdown, page, story
from redline.ensemble import run_ensemble

from .conftest import FLAGSHIP


@pytest.fixture(scope="module")
def flagship():
    return run_ensemble(load_scenario(FLAGSHIP), runs=2, seed=20231007, workers=1)


def test_every_week_lists_its_actions_with_their_doctrine(flagship):
    ev = flagship.events[flagship.events["run"] == 1]
    steps = story(flagship, 1)
    assert len(steps) == 26
    for s in steps:
        here = ev[ev["step"] == s["step"]]
        actions = [line for line in s["lines"] if "→" in line]
        # one line per (source, target, action, cause), each saying which doctrine moved it
        assert len(actions) == len(here.groupby(["source", "target", "action", "cause"]))
        assert all(re.search(r"— \*[^*]+\*", line) for line in actions)
    text = markdown(flagship, 1)
    assert "scheduled in the scenario" in text and "its campaign" in text and "retaliation" in text
    assert "blamed Iran" in text and "red line of" in text


def test_every_cause_the_model_writes_is_explained():
    """A debrief says why, in words, for every cause an event can carry (a new cause without words fails)."""
    from redline.agents import actions
    from redline.debrief import WHY
    from redline.play import PLAYER

    causes = {v for k, v in vars(actions).items() if k.isupper() and isinstance(v, str)} - {
        actions.SURPRISE,
        actions.WARNED,
    }
    assert causes | {PLAYER} <= set(WHY)


def test_html_page_is_self_contained(flagship):
    html = page(flagship, 0)
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html
    assert "src='http" not in html and "<link" not in html


def test_debrief_command(cli, tmp_path):
    out = tmp_path / "r"
    assert cli("run", FLAGSHIP, "--runs", 2, "--out", out, "--quiet", "--workers", 1)[0] == 0
    status, text, err = cli("debrief", out, "--run", 1)
    assert status == 0 and "## Step 16" in text
    assert (out / "debrief-run-1.md").is_file() and (out / "debrief-run-1.html").is_file()
    status, _, err = cli("debrief", out, "--run", 7)
    assert status == 2 and "no run 7" in err
