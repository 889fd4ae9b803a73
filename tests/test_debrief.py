"""A debrief names, for each week, the actions and the doctrine behind each, the blame and the red lines."""

from __future__ import annotations

import datetime as dt
import html as htmlib
import re

import pandas as pd
import pytest

from redline import load_scenario
from redline.frontends.debrief import (
    WHY,
    actor_name,
    dyads,
    header,
    markdown,
    page,
    step_title,
    story,
    timeline_figure,
)
from redline.frontends.plotstyle import in_words
from redline.results.ensemble import run_ensemble

from .conftest import FLAGSHIP, TINY

STRIKE = "2024-02-10:usa:iran:limited_strike"


@pytest.fixture(scope="module")
def flagship():
    return run_ensemble(load_scenario(FLAGSHIP), runs=2, seed=20231007, workers=1)


@pytest.fixture(scope="module")
def struck():
    """The flagship with an instructor's strike on Iran, as exercise 1 injects it."""
    scn = load_scenario(FLAGSHIP, injects=[STRIKE])
    return run_ensemble(scn, runs=3, seed=7, workers=1, source={"injects": [STRIKE]})


def test_every_week_lists_its_actions_with_their_doctrine(flagship):
    ev = flagship.events[flagship.events["run"] == 1]
    steps = story(flagship, 1)
    assert len(steps) == 26
    for s in steps:
        here = ev[ev["step"] == s["step"]]
        actions = [line for line in s["lines"] if "→" in line]
        # one line per (source, target, action, cause, manner), each saying which doctrine moved it
        assert len(actions) == len(here.groupby(["source", "target", "action", "cause", "manner"]))
        assert sum(", warned" in line for line in actions) == len(
            here[here["manner"] == "warned"].groupby(["source", "target", "action", "cause"])
        )
        assert all(re.search(r"— \*[^*]+\*", line) for line in actions)
    text = markdown(flagship, 1)
    assert "scheduled in the scenario" in text and "its campaign" in text and "retaliation" in text
    assert "blamed Iran" in text and "red line of" in text
    # rungs by the ladder's labels, as the plots name them, not ids with their underscores dropped
    assert ": de-escalate" in text and ": harassment attack" in text and "de escalate" not in text


def test_every_cause_the_model_writes_is_explained():
    """A debrief says why, in words, for every cause an event can carry (a new cause without words fails)."""
    from redline.agents import actions
    from redline.frontends.debrief import WHY
    from redline.frontends.play import PLAYER

    causes = {
        v for k, v in vars(actions).items() if k.isupper() and k != "SOURCE_DIGEST" and isinstance(v, str)
    } - {
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
    # the debrief reads the tables and draws its own timeline: the folder needs no plots
    assert cli("run", FLAGSHIP, "--runs", 2, "--out", out, "--quiet", "--workers", 1, "--no-plots")[0] == 0
    status, text, err = cli("debrief", out, "--run", 1)
    assert status == 0 and "## Week 17 of 26 (step 16), from 2024-01-27" in text
    assert (out / "debrief-run-1.md").is_file() and (out / "debrief-run-1.html").is_file()
    status, _, err = cli("debrief", out, "--run", 7)
    assert status == 2 and "no run 7" in err
    status, _, err = cli("debrief", out, "--run", "x")
    assert status == 2 and "--run: 'x' is not a whole number" in err


def test_a_control_character_in_an_edited_manifest_is_printed_as_its_escape(cli, tmp_path):
    """The debrief prints names from the folder's manifest, which a hand may have edited: an escape sequence in
    them must not reach the terminal as one (the scenario language refuses them; a manifest is not checked so)."""
    import json

    out = tmp_path / "r"
    assert cli("run", TINY, "--runs", 1, "--out", out, "--quiet", "--workers", 1, "--no-plots")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["scenario"]["title"] = "Tiny\x1b[2J\x07"
    (out / "manifest.json").write_text(json.dumps(manifest))
    status, text, err = cli("debrief", out)
    assert status == 0, err
    assert "\x1b" not in text and "\x07" not in text and "Tiny\\x1b[2J\\x07" in text
    assert (
        "Tiny\x1b[2J\x07" in (out / "debrief-run-0.md").read_text()
    )  # the file keeps what the manifest says


def test_a_red_line_is_reported_in_the_step_it_is_crossed(struck):
    """The injected strike lands in the step that holds its date; Iran's red line is crossed in that same step, in
    the red_lines table and in the debrief, where it is told right after the strike that crossed it."""
    day = dt.date.fromisoformat(STRIKE.split(":")[0])
    step = load_scenario(FLAGSHIP).time.step_of(day)
    ev = struck.events
    strike = ev[(ev["source"] == "usa") & (ev["target"] == "iran") & (ev["cause"] == "inject")]
    assert sorted(strike["step"]) == [step] * 3 and set(strike["date"].dt.date) == {day}
    red = struck.red_lines
    crossed = red[(red["actor"] == "iran") & (red["crossed_by"] == "usa")]
    assert set(crossed["step"]) == {step} and set(crossed["run"]) == {0, 1, 2}
    lines = story(struck, 0)[step]["lines"]
    at = next(
        i for i, line in enumerate(lines) if line.startswith("**United States** → Iran: limited strike")
    )
    assert lines[at + 1].startswith("⚠ red line of **Iran** crossed by United States")


def test_every_crossing_has_its_crossing_act_in_the_same_step(flagship, struck):
    """No lag anywhere: each row of red_lines is a use of force in the events, in the same step, on the same day,
    by the one who crossed, on the actor and rung the row names."""
    for res in (flagship, struck):
        force = res.events[res.events["mid_level"] >= 4]
        key = ["run", "step", "date", "source", "target", "action"]
        acts = set(force[key].itertuples(index=False, name=None))
        assert len(res.red_lines)
        for row in res.red_lines.itertuples():
            crossing = (row.run, row.step, row.date, row.crossed_by, row.target, row.action)
            assert crossing in acts, row


def test_a_red_line_is_told_after_the_act_that_crossed_it(flagship):
    """The warning follows the line of the crossing act, not an earlier act of the same crosser on the holder in
    that step (in the flagship the militias make a show of force toward the US in the week of the lethal strike
    that crosses its line)."""
    red = flagship.red_lines
    assert len(red)
    for run in (0, 1):
        told = 0
        for s in story(flagship, run):
            for i, line in enumerate(s["lines"]):
                if not line.startswith("⚠ red line"):
                    continue
                told += 1
                before = next(x for x in reversed(s["lines"][:i]) if not x.startswith("⚠"))
                rows = red[(red["run"] == run) & (red["step"] == s["step"])]
                assert any(
                    before.startswith(f"**{actor_name(flagship.facts, str(r.crossed_by))}** → ")
                    and f"→ {actor_name(flagship.facts, str(r.target))}: {in_words(str(r.action))}" in before
                    for r in rows.itertuples()
                ), (line, before)
        assert told == (red["run"] == run).sum()


def test_injects_are_named_as_injects(struck, tmp_path, cli):
    text = markdown(struck, 0)
    assert WHY["inject"] in text and f"Injects (--inject): `{STRIKE}`" in text
    inject_lines = [line for line in text.splitlines() if "**United States** → Iran: limited strike" in line]
    assert inject_lines and all(WHY["scheduled"] not in line for line in inject_lines)
    out = tmp_path / "r"
    run = ("run", FLAGSHIP, "--runs", 1, "--out", out, "--quiet", "--workers", 1, "--no-plots")
    assert cli(*run, "--inject", STRIKE)[0] == 0
    summary = (out / "summary.md").read_text()
    assert f"Injects (--inject): `{STRIKE}`" in summary


def test_html_says_what_the_markdown_says(struck):
    """The page opens with the Markdown's summary lines and tells the same steps, line for line."""
    md, doc = markdown(struck, 1), page(struck, 1)

    def plain(text: str) -> str:
        return re.sub(r"<[^>]+>|\*\*|\*|`", "", htmlib.unescape(text))

    shown = plain(doc)
    for line in header(struck, 1):
        assert plain(line) in shown
    assert "Highest rung reached" in shown and "Uses of force" in shown
    for s in story(struck, 1):
        assert step_title(struck, s["step"], s["date"]) in shown
        for line in s["lines"]:
            assert plain(line) in shown and f"- {line}" in md


def test_the_timeline_has_one_panel_per_dyad(struck):
    pairs = dyads(struck, 0)
    ev = struck.events[(struck.events["run"] == 0) & (struck.events["goldstein"] < 0)]
    assert set(pairs) and {frozenset(p) for p in pairs} == {
        frozenset(p) for p in zip(ev["source"], ev["target"], strict=True)
    }
    fig = timeline_figure(struck, 0)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(pairs)
    for ax, (a, b) in zip(panels, pairs, strict=False):
        names = {t.get_text() for t in ax.get_legend().get_texts()}
        label = struck.facts["actors"]
        assert names <= {
            f"{label[a]['label']} → {label[b]['label']}",
            f"{label[b]['label']} → {label[a]['label']}",
        }
        assert len(ax.get_lines()) == len(names)  # at most two lines: one per direction


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_one_run_is_read_alone_and_debriefed_as_from_the_whole_folder(struck, tmp_path, monkeypatch, fmt):
    """A debrief reads the rows of its run only (a batch at a time), and tells what it would tell from every row."""
    from redline.results import store

    folder = tmp_path / "r"
    struck.save(folder, fmt=fmt)
    whole = store.Results.load(folder)
    monkeypatch.setattr(store, "BATCH_ROWS", 200)  # runs straddle batches
    alone = store.Results.load(folder, run=1)
    for name in ("events", "metrics", "red_lines"):
        full, part = getattr(whole, name), getattr(alone, name)
        expected = full[full["run"] == 1].reset_index(drop=True)
        assert len(expected) and len(expected) < len(full)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), expected, check_categorical=False)
    pd.testing.assert_frame_equal(alone.runs, whole.runs)
    assert markdown(alone, 1) == markdown(whole, 1)


def test_a_crossing_is_told_after_the_act_of_its_day_among_acts_of_one_rung():
    """Two strikes of one rung on the patron in one week: a warned one that kills no one, then one that kills past
    the patron's red line. The warning follows the second, the one red_lines dates."""
    from .conftest import TINY

    events = (
        "events=[{at: 2024-01-02, source: rival, target: patron, action: limited_strike, casualties: 0, "
        "manner: warned, assumed: {at: t}}, {at: 2024-01-04, source: rival, target: patron, "
        "action: limited_strike, casualties: 50, assumed: {at: t}}]"
    )
    lines = "actors.patron.doctrine.red_lines={casualties_above: 10, patience: 14, assumed: {casualties_above: t}}"
    res = run_ensemble(load_scenario(TINY, [events, lines]), runs=1, seed=1, workers=1)
    red = res.red_lines
    assert list(red["date"].dt.date) == [dt.date(2024, 1, 4)] and list(red["actor"]) == ["patron"]
    week = story(res, 0)[0]["lines"]
    at = week.index(next(x for x in week if x.startswith("⚠ red line of **patron**")))
    assert week[at - 1].startswith("**rival** → patron: limited strike, 50 killed"), week
