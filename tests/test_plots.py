"""Every plot renders on a small ensemble of the flagship, fits its figure, keeps each actor's colour, shows the
dyad an inject names, returns a Figure and draws into axes it is given."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from redline.frontends import plots
from redline.frontends.compare import compare
from redline.frontends.compare import plot as compare_plot
from redline.frontends.plot_network import edges
from redline.frontends.plotstyle import actor_colors
from redline.language.scenario import load_scenario
from redline.results.ensemble import run_ensemble
from tests.conftest import FLAGSHIP, ROOT
from tests.same import assert_same_aggregates

RUNS, SEED = 20, 11
NO_RETALIATION = ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml"
# A state-to-state dyad that no hostile act of the flagship's own reaches high: only the inject puts it on the map.
INJECT = "2023-11-15:iran:israel:threat"


@pytest.fixture(scope="module")
def base():
    return run_ensemble(load_scenario(FLAGSHIP), runs=RUNS, seed=SEED, workers=1)


@pytest.fixture(scope="module")
def injected():
    scn = load_scenario(FLAGSHIP, injects=[INJECT])
    return run_ensemble(scn, runs=RUNS, seed=SEED, workers=1, source={"injects": [INJECT]})


@pytest.fixture(scope="module")
def whatif():
    return run_ensemble(load_scenario(NO_RETALIATION), runs=RUNS, seed=SEED, workers=1)


def _texts_fit(fig: Figure) -> list[str]:
    """The visible texts that reach outside the figure, after drawing it as it is written."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox

    def outside(e) -> bool:
        return e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1

    out = []
    # Tick labels past the view limits exist but are not drawn: an axis's own box holds the drawn ones.
    ticks = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((tick.label1, tick.label2))
            e = axis.get_tightbbox(renderer)
            if ax.get_visible() and e is not None and outside(e):
                out.append(f"tick labels of {ax.get_title(loc='left')!r}")
    for t in fig.findobj(Text):
        if t in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        if outside(t.get_window_extent(renderer)):
            out.append(t.get_text())
    tight = fig.get_tightbbox(renderer)  # in inches, like the figure's own box
    if (
        tight.x0 < -0.02
        or tight.y0 < -0.02
        or tight.x1 > fig.bbox_inches.x1 + 0.02
        or (tight.y1 > fig.bbox_inches.y1 + 0.02)
    ):
        out.append(f"tight bbox {tight} past the figure {fig.bbox_inches}")
    return out


def _all_figures(base, injected, whatif, tmp_path):
    summary = pd.DataFrame(
        [{"x": x, "y": y, "check: c": 80 + 40 * x + 10 * y} for x in (0.2, 0.5, 0.8) for y in (0.1, 0.9)]
    )
    table = pd.DataFrame(
        [
            {"outcome": o, "param": p, "index": i, "value": v, "conf": 0.05}
            for o in ("war", "check: c")
            for p, v in (("actors.iran.cost_sensitivity", 0.4), ("behaviour.attribution_noise", 0.1))
            for i in ("ST", "S1")
        ]
    )
    check = load_scenario(FLAGSHIP).checks[0]
    return {
        "timeline": plots.timeline(injected, tmp_path / "timeline.png"),
        "attacks": plots.attacks(base, tmp_path / "attacks.png"),
        "outcomes": plots.outcome_distribution(base, tmp_path / "outcomes.png"),
        "network": plots.network(base.facts, tmp_path / "network.png"),
        "heatmap": plots.heatmap(summary, "x", "y", "check: c", tmp_path / "heatmap.png", 10, check=check),
        "sensitivity": plots.sensitivity_bars(table, tmp_path / "sensitivity.png", "sobol", facts=base.facts),
        "compare": compare_plot(compare(base, whatif), tmp_path / "compare.png"),
    }


def test_each_plot_renders_to_a_sensible_size_with_no_text_outside_it(base, injected, whatif, tmp_path):
    figures = _all_figures(base, injected, whatif, tmp_path)
    for name, fig in figures.items():
        assert isinstance(fig, Figure), name
        h, w = mpimg.imread(tmp_path / f"{name}.png").shape[:2]
        assert 400 <= w <= 2000 and 300 <= h <= 2000, (name, w, h)
        assert _texts_fit(fig) == [], name
        assert fig.get_suptitle(), f"{name} has no title"


def test_titles_say_scenario_runs_and_seed_in_words(base, injected):
    for fig in (plots.timeline(injected), plots.attacks(base), plots.outcome_distribution(base)):
        title = fig.get_suptitle()
        assert "axis-2023" in title and f"{RUNS} runs" in title and f"root seed {SEED}" in title
    labels = [t.get_text() for t in plots.attacks(base).findobj(Text)]
    assert "Militias in Iraq" in labels and "iraqi_militias" not in " ".join(labels)


def _panel_colours(fig: Figure) -> dict[str, str]:
    """Per attacks panel (titled with an actor's name), the colour of its line."""
    return {ax.get_title(loc="left"): to_hex(ax.lines[0].get_color()) for ax in fig.axes if ax.lines}


def test_an_actor_keeps_its_colour_from_baseline_to_what_if(base, whatif):
    a, b = _panel_colours(plots.attacks(base)), _panel_colours(plots.attacks(whatif))
    shared = set(a) & set(b)
    # Without its strikes the US drops out of the what-if: the actors after it must not change colour for that.
    assert {"Militias in Iraq", "Hezbollah"} <= shared and "United States" in set(a) - set(b)
    assert all(a[n] == b[n] for n in shared)
    assert len(set(a.values())) == len(a)  # and no two actors share one
    colours = actor_colors(base.facts)
    assert a["Militias in Iraq"] == colours["iraqi_militias"]
    # the comparison's bars: the same colours again
    fig = compare_plot(compare(base, whatif))
    bars = fig.axes[2]
    names = [t.get_text() for t in bars.get_yticklabels()]
    fills = [to_hex(p.get_facecolor()[:3]) for p in bars.patches]
    for n, c in zip(names, fills, strict=True):
        assert a.get(n, c) == c


def test_the_dyad_an_inject_names_is_in_the_timeline(base, injected):
    assert ("iran", "israel") in plots.choose_dyads(injected)
    titles = [ax.get_title(loc="left") for ax in plots.timeline(injected).axes]
    assert "Iran and Israel" in titles
    marks = [t.get_text() for t in plots.timeline(injected).findobj(Text)]
    assert any(m.startswith("inject: Iran threat") for m in marks)
    chosen = plots.timeline(base, dyads=[("usa", "iran")])
    assert [ax.get_title(loc="left") for ax in chosen.axes] == ["Iran and United States"]


def test_a_sweep_timeline_says_it_pools_its_points(base):
    sweep = dataclasses.replace(
        base, manifest={**base.manifest, "sweep": {"points": 4, "runs_per_point": 5, "root_seed": 3}}
    )
    assert "all 4 points of the sweep pooled" in plots.timeline(sweep).get_suptitle()


def test_a_sweeps_outcomes_say_they_pool_its_points_and_claim_no_interval(base):
    """A sweep's runs are not independent draws of one scenario (its points differ and reuse the same seeds): its
    outcome shares are drawn without the intervals an ensemble's have, and say why."""
    from matplotlib.collections import LineCollection

    sweep = dataclasses.replace(
        base, manifest={**base.manifest, "sweep": {"points": 4, "runs_per_point": 5, "root_seed": 3}}
    )
    for res, bars in ((base, True), (sweep, False)):
        left = plots.outcome_distribution(res).axes[0]
        assert any(isinstance(c, LineCollection) for c in left.collections) is bars
    assert "all 4 points of the sweep pooled" in left.get_xlabel() and "no interval" in left.get_xlabel()


def test_plots_draw_into_given_axes_and_write_only_when_given_a_path(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = Figure()
    ax = fig.subplots()
    assert plots.network(base.facts, ax=ax) is fig and ax.patches
    fig2 = Figure()
    axes = fig2.subplots(1, 2)
    assert plots.timeline(base, dyads=[("hezbollah", "israel"), ("usa", "iraqi_militias")], axes=axes) is fig2
    assert axes[1].get_title(loc="left") == "United States and Militias in Iraq" and axes[1].lines
    fig3 = Figure()
    assert plots.outcome_distribution(base, axes=fig3.subplots(1, 2)) is fig3
    with pytest.raises(ValueError, match="2 panels; 1 axes"):
        plots.outcome_distribution(base, axes=Figure().subplots())
    assert list(tmp_path.iterdir()) == []


def test_plots_drawn_on_an_executor_are_written_here_and_only_once_all_are_drawn(base, tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from redline.frontends import plotfiles

    here, there = tmp_path / "here", tmp_path / "there"
    with ThreadPoolExecutor(1) as pool:  # the ensemble's own is a process pool; any executor will do
        assert plotfiles.all_plots(base, here) == [here / n for n in plotfiles.PLOT_FILES]
        assert plotfiles.all_plots(base, there, executor=pool) == [there / n for n in plotfiles.PLOT_FILES]
        for name in plotfiles.PLOT_FILES:
            assert (here / name).read_bytes() == (there / name).read_bytes(), name
        plots.attacks(base, tmp_path / "attacks.png")  # the same bytes as the plot writes itself
        assert (tmp_path / "attacks.png").read_bytes() == (here / "attacks.png").read_bytes()
        # a plot that fails leaves the folder as it was: nothing is written until every plot is drawn
        figure_of = plots.figure_of

        def broken(name, res, dyads=None):  # the second plot fails, once the first is drawn
            if name == plotfiles.PLOT_FILES[1]:
                raise RuntimeError("no attacks")
            return figure_of(name, res, dyads)

        monkeypatch.setattr(plots, "figure_of", broken)
        for executor in (None, pool):
            empty = tmp_path / f"empty-{executor is None}"
            empty.mkdir()
            with pytest.raises(RuntimeError, match="no attacks"):
                plotfiles.all_plots(base, empty, executor=executor)
            assert list(empty.iterdir()) == []


def test_importing_the_plots_selects_no_backend():
    code = (
        "import matplotlib, redline.frontends.plots, redline.frontends.compare, redline.frontends.plotstyle;"
        " print(matplotlib.get_backend())"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().lower() == "svg"


def test_heatmap_names_its_statistic_band_and_parameters(base):
    check = load_scenario(FLAGSHIP).checks[0]
    summary = pd.DataFrame(
        [
            {"actors.iran.cost_sensitivity": x, "actors.usa.resolve": y, "check: c": v}
            for (x, y), v in zip(
                [(0.2, 0.4), (0.2, 0.8), (0.6, 0.4), (0.6, 0.8)], (90, 120, 200, 300), strict=True
            )
        ]
    )
    fig = plots.heatmap(
        summary, "actors.iran.cost_sensitivity", "actors.usa.resolve", "check: c", runs=10, facts=base.facts,
        check=check,
    )  # fmt: skip
    texts = " ".join(t.get_text().replace("\n", " ") for t in fig.findobj(Text))
    assert check.expect in texts and "median over runs" in texts
    assert "Iran: cost sensitivity" in texts and "United States: resolve" in texts
    inside = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert len(inside) == 2  # 120 and 200 lie in 100..250; 90 and 300 do not


def test_a_heatmap_keeps_the_points_without_a_value_and_draws_quietly(base):
    """A check with no value at some points (no run had its anchor) or at all of them: every point keeps its cell,
    marked 'no value', and Matplotlib has nothing to warn of."""
    import warnings

    for values in ([None, None, None, None], [None, 0.2, 0.5, 0.1]):
        summary = pd.DataFrame(
            {
                "a": [1, 1, 2, 2],
                "b": [1, 2, 1, 2],
                "check: c": pd.array(values, dtype="Float64").astype(float),
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = plots.heatmap(summary, "a", "b", "check: c", runs=5, facts=base.facts)
        cells = [t.get_text() for t in fig.axes[0].texts]
        assert len(cells) == 4 and cells.count("no value") == values.count(None)


def test_plot_command_takes_dyads_and_refuses_an_unknown_actor(base, cli, tmp_path):
    folder = tmp_path / "r"
    base.save(folder)
    status, out, err = cli("plot", folder, "--dyads", "usa:iran,israel:hezbollah")
    assert status == 0, err
    assert (folder / "timeline.png").is_file() and "timeline.png" in out
    status, _, err = cli("plot", folder, "--dyads", "usa:irn")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "no actor 'irn'" in err


@pytest.fixture
def batches(monkeypatch):
    """The number of event rows each aggregate is made of, with event files read 300 rows at a time."""
    from redline.engine import aggregates
    from redline.results import store

    seen: list[int] = []
    aggregate = aggregates.aggregate

    def counted(events, runs, facts):
        seen.append(len(events))
        return aggregate(events, runs, facts)

    monkeypatch.setattr(aggregates, "aggregate", counted)
    monkeypatch.setattr(store, "BATCH_ROWS", 300)
    return seen


def _longest_run(res) -> int:
    return int(res.events.groupby("run").size().max())


def test_plot_command_streams_the_events_into_the_aggregates_of_the_loaded_tables(
    base, cli, tmp_path, batches
):
    """`redline plot` reads the events a batch at a time (here 300 rows, so that runs straddle batches) into the
    aggregates the plots read, which are those of the tables loaded whole; no aggregate is made of more than a
    batch and the rest of a run."""
    from redline.frontends.plotfiles import PLOT_FILES
    from redline.results import store

    folder = tmp_path / "r"
    base.save(folder)
    digests = []
    read_digest = store.read_digest

    def kept(*args, **kwargs):
        digests.append(read_digest(*args, **kwargs))
        return digests[-1]

    with pytest.MonkeyPatch.context() as m:
        m.setattr(store, "read_digest", kept)
        status, _, err = cli("plot", folder)
    assert status == 0, err
    assert all((folder / png).is_file() for png in PLOT_FILES)
    assert len(batches) > RUNS // 4 and max(batches) <= 300 + _longest_run(base)
    loaded = store.Results.load(folder)
    assert_same_aggregates(digests[0].aggregates, loaded.aggregates)
    pd.testing.assert_frame_equal(digests[0].runs, loaded.runs)


def test_a_csv_folder_streams_to_the_aggregates_of_its_loaded_tables(base, tmp_path, batches):
    from redline.results.store import Results, read_digest

    folder = tmp_path / "r"
    base.save(folder, fmt="csv")
    loaded = Results.load(folder)
    whole = loaded.aggregates
    batches.clear()
    digest = read_digest(folder)
    assert len(batches) > RUNS // 4 and max(batches) <= 300 + _longest_run(base)
    assert_same_aggregates(digest.aggregates, whole)
    pd.testing.assert_frame_equal(digest.runs, loaded.runs)


def test_plot_command_refuses_events_out_of_run_order(base, cli, tmp_path):
    folder = tmp_path / "r"
    base.save(folder, fmt="csv")
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    events.iloc[::-1].to_csv(folder / "events.csv", index=False)
    status, _, err = cli("plot", folder)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "events.csv" in err and "not in run order" in err


def test_network_offsets_parallel_relations():
    rels = [
        {"type": "supports", "from": "a", "to": "b", "level": 0.5},
        {"type": "hostile", "from": "b", "to": "a", "level": None},
        {"type": "hostile", "from": "a", "to": "b", "level": None},
        {"type": "back_channel", "from": "a", "to": "b", "level": None},
    ]
    drawn = edges(rels)
    assert len(drawn) == 3 and sum(e["both"] for e in drawn) == 1  # the two hostile relations: one arrow
    bends = [e["rad"] if e["from"] <= e["to"] else -e["rad"] for e in drawn]
    assert len(set(np.round(bends, 6))) == 3


def test_the_gallery_shows_every_plot():
    import re

    text = (ROOT / "docs" / "gallery.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\((img/[^)]+\.png)\)", text)
    assert all((ROOT / "docs" / i).is_file() for i in images)
    shown = {i.removeprefix("img/gallery-").removesuffix(".png") for i in images}
    assert {"timeline", "attacks", "outcomes", "network", "compare", "heatmap", "sensitivity"} <= shown
    for name in shown:  # small pictures at 100 dpi: none larger than the figures the tests render
        h, w = mpimg.imread(ROOT / "docs" / "img" / f"gallery-{name}.png").shape[:2]
        assert w <= 2000 and h <= 2000, name


def test_text_that_does_not_print_is_drawn_as_its_escape_without_a_warning():
    """A name read from a results folder may hold a control character (a manifest edited by hand): the font has no
    glyph for it, and Matplotlib would warn on the command's terminal."""
    import warnings

    from redline.frontends.plotstyle import png_bytes

    fig = Figure()
    ax = fig.subplots()
    ax.set_title("Iran\x01 and Israel\u200b\nroot seed 3")
    ax.set_yticks([0, 1], ["Hezbollah", "Militias\x7f"])
    ax.annotate("bell\x07", (0.5, 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would fail here
        assert png_bytes(fig).startswith(b"\x89PNG")
        # written again, the tick labels' function is wrapped once, not once more each time
        assert png_bytes(fig).startswith(b"\x89PNG")
    wrapped = ax.yaxis.get_major_formatter().func
    assert getattr(wrapped.args[0], "func", None) is not wrapped.func
    # a line break, and a space the font has, are kept
    assert ax.get_title() == "Iran\\x01 and Israel\u200b\nroot seed 3"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Hezbollah", "Militias\\x7f"]
    assert [t.get_text() for t in ax.texts] == ["bell\\x07"]


def _scripts_figure(title: str, labels: list[str]) -> Figure:
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(4, 2))
    ax = fig.subplots()
    ax.set_title(title, fontweight="bold")
    ax.set_yticks(range(len(labels)))
    # tick labels that are only written when the figure is drawn, as those of dates and rungs are
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: labels[int(y)]))
    return fig


def test_a_character_its_font_lacks_is_drawn_from_an_installed_fallback_and_the_rest_told_once(
    monkeypatch, caplog, request
):
    """A name in a script DejaVu Sans lacks is drawn with a fallback font installed here; what no font has is told
    in one warning, not one per character; and a figure its font covers comes out the same bytes as without any
    fallback. DejaVu Serif stands in for a CJK font here: it has arrows DejaVu Sans lacks."""
    import warnings

    from redline import words
    from redline.frontends import plotstyle

    def fallbacks(*names: str) -> None:
        monkeypatch.setattr(plotstyle, "FALLBACK_FONTS", names)
        plotstyle.fallback_fonts.cache_clear()

    request.addfinalizer(plotstyle.fallback_fonts.cache_clear)  # later tests find the real list's fonts

    monkeypatch.setattr(words, "_TOLD", set())
    latin = ("Iran and Israel, é", ["Hezbollah", "Militias in Iraq"])
    mixed = ("Iran \u2900 Israel \u4e2d", ["Hezbollah \u2901", "Militias"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Matplotlib's own warning per missing glyph would fail here
        fallbacks()
        bare_latin, missing = plotstyle.drawn(_scripts_figure(*latin))
        assert missing == set()
        bare_mixed, missing = plotstyle.drawn(_scripts_figure(*mixed))
        assert missing == {"\u2900", "\u2901", "\u4e2d"}
        # a font not installed is passed over, without a log line
        fallbacks("No Such Font Anywhere", "DejaVu Serif")
        assert plotstyle.fallback_fonts() == ("DejaVu Serif",)
        assert plotstyle.drawn(_scripts_figure(*latin)) == (bare_latin, set())
        fig = _scripts_figure(*mixed)
        png, missing = plotstyle.drawn(fig)
    assert missing == {"\u4e2d"} and png != bare_mixed  # the arrows are drawn from the fallback now
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]  # no "font not found" line
    ax = fig.axes[0]
    assert "DejaVu Serif" in ax.title.get_fontfamily()
    assert all("DejaVu Serif" in t.get_fontfamily() for t in ax.get_yticklabels())
    # png_bytes tells of what is missing once a process, however many figures lack it
    with pytest.warns(words.GlyphWarning, match="no font installed here has \u4e2d: drawn as boxes"):
        plotstyle.png_bytes(_scripts_figure(*mixed))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plotstyle.png_bytes(_scripts_figure(*mixed))


def test_a_command_tells_of_characters_no_font_has_in_one_line(tmp_path):
    """A scenario titled in Chinese, on a machine with no font for it: the command's stderr is one line saying so,
    not Matplotlib's warning per character with its source line."""
    text = (ROOT / "tests" / "data" / "tiny.yaml").read_text()
    odd = tmp_path / "scripts.yaml"
    odd.write_text(text.replace("title: ", "title: \u4e2d\u56fd ", 1))
    assert odd.read_text() != text
    r = subprocess.run(
        [sys.executable, "-m", "redline", "describe", str(odd), "--out", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "redline: no font installed here has \u4e2d \u56fd: drawn as boxes; install a font that has them (for "
        "Chinese, Japanese or Korean: Noto Sans CJK)"
    ]


def test_the_network_layout_keeps_actors_apart_and_near():
    """No two actors of a shipped scenario are drawn closer than a node and its name need; none but the states of
    the outer ring lies further out than REACH (a lone target drifting out would crowd the rest)."""
    import itertools
    import math

    from redline.frontends.plot_network import APART, REACH, _layout
    from redline.language.paths import shipped_scenarios
    from redline.results.store import scenario_facts

    for name in ("axis-2023", "cases/lebanon-2006", "cases/uri-2016"):
        facts = scenario_facts(load_scenario(shipped_scenarios()[name]))
        pos = _layout(facts["actors"], facts["relations"])
        for a, b in itertools.combinations(pos, 2):
            assert math.dist(pos[a], pos[b]) >= APART - 1e-6, (name, a, b)
        for a, (x, y) in pos.items():
            assert facts["actors"][a]["kind"] == "state" or math.hypot(x, y) <= REACH + APART, (name, a)


def test_a_calm_ensemble_says_that_nobody_acted(tmp_path):
    """With no hostility, no event and no campaign nobody acts: the summary's tables say so instead of standing
    empty (the shares of the highest rung still add up to 1), and the plots say so instead of an empty axis."""
    from redline.results.summary import summary
    from tests.conftest import TINY

    scn = load_scenario(TINY, ["actors.client.doctrine.campaign.per_day.rival=0"])
    calm = dataclasses.replace(
        scn, events=(), relations=tuple(r for r in scn.relations if r.type == "supports")
    )
    res = run_ensemble(calm, runs=3, seed=1, workers=1)
    assert res.events.empty
    text = summary(res, [])
    assert "| none (nobody acted) | 1.000 |" in text and "No actor used force in any run." in text

    def texts(fig: Figure) -> list[str]:
        return [t.get_text() for ax in fig.axes if ax.get_visible() for t in ax.texts]

    assert texts(plots.timeline(res)) == ["no hostile act in any run"]
    assert texts(plots.attacks(res)) == ["no actor used force in any run"]
    # and where someone acted, the shares of the highest rung add up to 1 as well
    busy = run_ensemble(scn, runs=3, seed=1, workers=1)
    from redline.results.analysis import peak_distribution

    ladder = [r["id"] for r in busy.facts["ladder"]]
    assert peak_distribution(busy.runs, ladder).sum() == pytest.approx(1.0)
