"""Sweeps: grids and designs, common random numbers, per-point outcomes, and a resume after SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redline.language.scenario import load_scenario
from redline.results.parts import STREAMED
from redline.results.sweep import Param, lhs, parse_param

from .conftest import FLAGSHIP, ROOT, TINY

TARGET = "actors.client.doctrine.campaign.per_day.rival"
CONTROL = "relations.supports:patron:client.control"


def test_param_forms():
    assert parse_param(f"{TARGET}=1,2,4", 1, "grid").values == (1.0, 2.0, 4.0)
    assert parse_param(f"{TARGET}=0:1:3", 1, "grid").values == (0.0, 0.5, 1.0)
    p = parse_param(f"{TARGET}=0.5:2", 1, "lhs")
    assert (p.low, p.high) == (0.5, 2.0)


def test_latin_hypercube_fills_every_stratum():
    x = lhs([Param("a", low=0, high=1), Param("b", low=10, high=20)], 8, seed=1)
    assert sorted(np.floor(x[:, 0] * 8).astype(int)) == list(range(8))
    assert sorted(np.floor((x[:, 1] - 10) / 10 * 8).astype(int)) == list(range(8))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([f"--param={TARGET}=a,b"], "'a' is not a number"),
        ([f"--param={TARGET}=1:2", "--design", "lhs"], "needs --samples"),
        ([f"--param={TARGET}=1:2:3", "--design", "lhs", "--samples", "4"], "takes a range lo:hi"),
        ([f"--param={TARGET}=3", "--samples", "4"], "--samples goes with"),
        (["--param=actors.client.capabilty=0.1,0.2"], "did you mean 'capability'"),
    ],
)
def test_bad_sweep_input_is_one_line_and_status_2(cli, tmp_path, args, needle):
    status, _, err = cli("sweep", TINY, "--out", tmp_path / "s", "--runs", 2, "--quiet", *args)
    assert status == 2 and needle in err, err
    assert len(err.strip().splitlines()) == 1


def test_grid_sweep_tables(cli, tmp_path):
    out = tmp_path / "s"
    status, _, err = cli(
        "sweep",
        TINY,
        "--param",
        f"{TARGET}=0.1,1",
        "--param",
        f"{CONTROL}=0:1:3",
        "--runs",
        5,
        "--seed",
        4,
        "--out",
        out,
        "--quiet",
        "--workers",
        1,
        "--outcome",
        "attacks",
    )
    assert status == 0, err
    points = pd.read_parquet(out / "points.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert len(points) == 6 and list(points.columns) == ["point", TARGET, CONTROL]
    assert len(runs) == 30 and set(runs["point"]) == set(range(6))
    # common random numbers: replication r has the same seed at every point
    assert (
        list(runs.columns[:3]) == ["point", "run", "replication"]
        and (runs["replication"] == runs["run"] % 5).all()
    )
    seeds = runs.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all() and runs.groupby("replication")["seed"].first().is_unique
    # more attacks where the campaign's rate is higher
    by_rate = outcomes.groupby(TARGET)["attacks"].mean()
    assert by_rate[1.0] > by_rate[0.1]
    assert "check: the client attacks" in outcomes.columns
    assert (out / "heatmap.png").is_file()
    events = pd.read_parquet(out / "events")  # a dataset: one folder per point
    assert events.columns[0] == "point" and events["point"].dtype == np.int64
    assert sorted(p.name for p in (out / "events").iterdir()) == [f"point-{p:05d}" for p in range(6)]
    assert events["run"].is_monotonic_increasing and (events["run"] // 5 == events["point"]).all()


def test_the_heatmap_may_show_a_named_outcome_of_the_scenario(cli, tmp_path):
    out = tmp_path / "s"
    args = ("--runs", 2, "--out", out, "--quiet", "--workers", 1, "--outcome", "rival_strikes_patron")
    status, _, err = cli("sweep", TINY, "--param", f"{TARGET}=0.1,1", "--param", f"{CONTROL}=0,1", *args)
    assert status == 0, err
    assert (
        "rival_strikes_patron" in pd.read_parquet(out / "outcomes.parquet")
        and (out / "heatmap.png").is_file()
    )
    status, _, err = cli(
        "sweep", TINY, "--param", f"{TARGET}=0.1,1", "--param", f"{CONTROL}=0,1", *args[:-1], "x"
    )
    assert (
        status == 2
        and "choose from: war, " in err
        and "rival_strikes_patron, attacks, deaths, peak_mid, check: " in err
    )


def test_morris_design_gives_indices(cli, tmp_path):
    def morris(out: Path, *extra: str):
        return cli(
            "sweep",
            TINY,
            "--design",
            "morris",
            "--samples",
            4,
            "--param",
            f"{TARGET}=0.1:1",
            "--param",
            f"{CONTROL}=0:1",
            "--runs",
            3,
            "--out",
            out,
            "--workers",
            1,
            *extra,
        )

    out = tmp_path / "m"
    status, _, err = morris(out, "--quiet")
    assert status == 0, err
    table = pd.read_csv(out / "sensitivity.csv")
    mu = table[(table["index"] == "mu_star") & (table["outcome"] == "attacks")].set_index("param")["value"]
    assert (
        mu[TARGET] > mu[CONTROL]
    )  # the campaign's rate moves attacks more than the patron's control over it
    assert (out / "sensitivity.png").is_file()
    # Without plots the indices are still written, the same bytes; no picture is.
    status, told, err = morris(tmp_path / "bare", "--no-plots")
    assert status == 0, err
    assert (tmp_path / "bare" / "sensitivity.csv").read_bytes() == (out / "sensitivity.csv").read_bytes()
    assert not list((tmp_path / "bare").glob("*.png"))
    # The outcomes without indices are named, not dropped unsaid; the means of EMA's scalars are outcomes too.
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert {"attacks", "deaths", "peak_mid"} <= set(outcomes.columns)
    constant = [
        c for c in outcomes.columns if c not in ("point", TARGET, CONTROL) and outcomes[c].nunique() == 1
    ]
    assert constant and set(constant).isdisjoint(table["outcome"])
    assert f"sensitivity.csv has no indices for {', '.join(constant)}" in told


def _files(folder: Path) -> dict[str, bytes]:
    """The bytes of every table of a sweep folder (the partitioned ones file by file), by path."""
    names = ["runs.parquet", "points.parquet", "outcomes.parquet", "sensitivity.csv"]
    tables = [folder / n for n in names if (folder / n).exists()]
    tables += sorted(p for name in STREAMED for p in (folder / name).glob("point-*/*.parquet"))
    return {str(p.relative_to(folder)): p.read_bytes() for p in tables}


def _sweep_cmd(out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "redline",
        "sweep",
        str(FLAGSHIP),
        "--param",
        "actors.iraqi_militias.doctrine.campaign.per_day.usa=0.9,1.3,1.7",
        "--runs",
        "50",
        "--seed",
        "11",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--no-plots",  # the tables are what these sweeps are compared by
        *extra,
    ]


def test_sweep_killed_half_way_resumes_to_the_same_tables(tmp_path):
    whole = tmp_path / "whole"
    subprocess.run(_sweep_cmd(whole), check=True, timeout=300)
    cut = tmp_path / "cut"
    proc = subprocess.Popen(_sweep_cmd(cut), start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (cut / "parts" / "done-00001").exists():
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    done = sorted(p.name for p in (cut / "parts").glob("done-*"))
    assert 0 < len(done) < 6, done  # killed half-way: some chunks finished, not all
    assert not (cut / "manifest.json").exists()
    subprocess.run(_sweep_cmd(cut, "--resume"), check=True, timeout=300)
    assert _files(cut) == _files(whole)  # the same tables, byte for byte
    assert not list(whole.glob("*.png")) and not list(cut.glob("*.png"))


def test_resume_knows_the_scenario_by_its_contents_not_its_path(cli, tmp_path, monkeypatch):
    """A sweep made with the file's absolute path resumes with the path typed from its folder, or with a copy of
    the file elsewhere; a file of other contents is a different sweep."""
    out = tmp_path / "s"
    args = ("--param", f"{TARGET}=1,2", "--runs", 2, "--out", out, "--quiet", "--workers", 1, "--no-plots")
    assert cli("sweep", TINY.resolve(), *args)[0] == 0
    monkeypatch.chdir(TINY.parent)
    status, _, err = cli("sweep", TINY.name, *args, "--resume")
    assert status == 0, err
    copy = tmp_path / "copy.yaml"
    copy.write_text(TINY.read_text())
    assert cli("sweep", copy, *args, "--resume")[0] == 0
    copy.write_text(TINY.read_text().replace("steps: 10", "steps: 9"))
    status, _, err = cli("sweep", copy, *args, "--resume")
    assert status == 2 and "differs in the scenario's contents" in err


def test_resume_takes_the_same_sets_in_another_order(cli, tmp_path):
    """Two --set of two values, given the other way round, make the same sweep: it resumes; a changed value does
    not."""
    out = tmp_path / "s"
    args = ("--param", f"{TARGET}=1,2", "--runs", 2, "--out", out, "--quiet", "--workers", 1, "--no-plots")
    one, two = "actors.patron.capability=0.5", "actors.rival.capability=0.8"
    assert cli("sweep", TINY, *args, "--set", one, "--set", two)[0] == 0
    status, _, err = cli("sweep", TINY, *args, "--set", two, "--set", one, "--resume")
    assert status == 0, err
    status, _, err = cli("sweep", TINY, *args, "--set", two, "--set", one.replace("0.5", "0.6"), "--resume")
    assert status == 2 and "differs in --set)" in err, err  # the file is as it was: only a --set changed


def test_sets_whose_order_matters_are_refused(cli, tmp_path):
    """A value and the doctrine that holds it: the order decides which wins (a resume in another order would be
    another sweep), so the two are refused from the start."""
    out = tmp_path / "s"
    args = ("--param", f"{TARGET}=1,2", "--runs", 2, "--out", out, "--quiet", "--workers", 1, "--no-plots")
    lag, doctrine = "actors.rival.doctrine.retaliation.lag=1", "actors.rival.doctrine.retaliation={lag: 5}"
    status, _, err = cli("sweep", TINY, *args, "--set", lag, "--set", doctrine)
    assert status == 2 and "--set:2" in err and not out.exists()


def test_resume_refuses_a_different_sweep(cli, tmp_path):
    out = tmp_path / "s"
    assert (
        cli("sweep", TINY, "--param", f"{TARGET}=1,2", "--runs", 2, "--out", out, "--quiet", "--workers", 1)[
            0
        ]
        == 0
    )
    status, _, err = cli(
        "sweep",
        TINY,
        "--param",
        f"{TARGET}=1,2",
        "--runs",
        2,
        "--seed",
        9,
        "--out",
        out,
        "--quiet",
        "--resume",
    )
    assert status == 2 and "different sweep" in err and "--seed" in err
    status, _, err = cli("sweep", TINY, "--param", f"{TARGET}=1,2", "--runs", 2, "--out", out, "--quiet")
    assert status == 2 and "--force" in err
    status, _, err = cli(
        "sweep",
        TINY,
        "--param",
        f"{TARGET}=1,2",
        "--runs",
        2,
        "--out",
        tmp_path / "new",
        "--quiet",
        "--resume",
    )
    assert status == 2 and "nothing to resume" in err


SMALL = [
    "--param",
    f"{TARGET}=0.1,0.6,1",
    "--param",
    f"{CONTROL}=0:1:3",
    "--runs",
    11,
    "--seed",
    5,
    "--quiet",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small sweep (9 points x 11 runs: chunks of two points, the last of one) with one worker and with two."""
    from redline.frontends import plotfiles
    from redline.frontends.cli import main

    root = tmp_path_factory.mktemp("small")
    all_plots = plotfiles.all_plots
    with pytest.MonkeyPatch.context() as mp:
        for workers in (1, 2):

            def recorded(
                *args, executor=None, w=workers, **kw
            ):  # the pool the runs took, or None: this process
                PLOTS_DRAWN_ON[w] = executor
                return all_plots(*args, executor=executor, **kw)

            mp.setattr(plotfiles, "all_plots", recorded)
            argv = [
                str(a) for a in ("sweep", TINY, *SMALL, "--workers", workers, "--out", root / f"w{workers}")
            ]
            assert main(argv) == 0
    return root


PLOTS_DRAWN_ON: dict = {}  # workers -> the executor the `small` sweep's plots were drawn on


def test_a_sweep_writes_the_same_bytes_with_one_worker_and_two(small):
    from redline.frontends.plotfiles import PLOT_FILES

    one, two = _files(small / "w1"), _files(small / "w2")
    assert len([p for p in one if p.startswith("events/")]) == 9  # one file per point: each in one chunk
    assert one == two
    # with two workers, the four plots are drawn in the pool's workers: the same pictures, byte for byte
    assert PLOTS_DRAWN_ON[1] is None and PLOTS_DRAWN_ON[2] is not None
    for name in PLOT_FILES:
        assert (small / "w1" / name).read_bytes() == (small / "w2" / name).read_bytes(), name


def test_a_sweep_with_another_executor_writes_the_same_bytes(small, tmp_path, monkeypatch):
    """An executor that does not share our disk (its workers hand their tables back) gives the same files."""
    from concurrent.futures import ThreadPoolExecutor

    from redline.frontends.cli import main

    out = tmp_path / "threads"
    with ThreadPoolExecutor(2) as pool:
        monkeypatch.setattr(
            "redline.engine.executors.executor_from_args", lambda args: contextlib.nullcontext(pool)
        )
        assert main([str(a) for a in ("sweep", TINY, *SMALL, "--out", out)]) == 0
    assert _files(out) == _files(small / "w1")


def test_per_point_outcomes_are_those_of_the_points_events(small):
    """The outcomes table comes from the runs table and the check values the workers made: the same as the checks
    and outcomes computed again from each point's own events, read back from the dataset."""
    from redline.results.checks import evaluate
    from redline.results.store import Digest
    from redline.results.sweep_store import read_sweep_table

    folder = small / "w1"
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    runs = pd.read_parquet(folder / "runs.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    dates, ladder = Digest(runs, manifest, None).step_dates, [r["id"] for r in manifest["scenario"]["ladder"]]
    scn = load_scenario(TINY)
    assert scn.checks
    for p in (0, 4, 8):
        events = read_sweep_table(folder, "events", [p], manifest["scenario"])
        assert set(events["point"]) <= {p} and events["run"].is_monotonic_increasing
        ids = pd.Index(runs.loc[runs["point"] == p, "run"])
        for v in evaluate(scn.checks, events, ids, dates, ladder):
            assert outcomes.loc[p, f"check: {v.name}"] == pytest.approx(v.value, nan_ok=True)
        attacks = (events["mid_level"] >= 4).groupby(events["run"]).sum().reindex(ids, fill_value=0)
        assert outcomes.loc[p, "attacks"] == pytest.approx(attacks.mean())


def test_run_sweep_returns_the_runs_and_reads_events_from_disk(tmp_path):
    from redline.results.sweep import Sweep, design_points, parse_param, run_sweep

    params = [parse_param(f"{TARGET}=0.2,1", 1, "grid")]
    sweep = Sweep(str(TINY), [], params, "grid", 0, 30, 2, design_points(params, "grid", 0, 2))
    res = run_sweep(sweep, tmp_path / "api", workers=1, progress=False)
    assert len(res.runs) == 60 and list(res.outcomes["point"]) == [0, 1]
    assert res.aggregates.runs == 60
    one = res.table("events", points=[1])
    assert len(one) and set(one["point"]) == {1} and one["run"].min() >= 30  # 30 runs: two chunks for point 1
    every = res.events
    assert every["event_id"].tolist() == list(range(len(every)))
    pd.testing.assert_frame_equal(every[every["point"] == 1].reset_index(drop=True), one)
    assert str(every["source"].dtype) == "category" and str(every["date"].dtype).startswith("datetime64")


def test_a_sweeps_aggregates_summed_chunk_by_chunk_or_a_few_at_a_time_are_the_same(tmp_path, monkeypatch):
    """A sweep's store sums its chunks' aggregates a few at a time, as an ensemble's joiner does (parts.Summed): the
    plots' histograms, pairs and scheduled events are the same however many chunks wait to be summed."""
    from redline.results import parts
    from redline.results.sweep import Sweep, design_points, parse_param, run_sweep

    params = [parse_param(f"{TARGET}=0.2,0.6,1", 1, "grid")]
    sweep = Sweep(str(TINY), [], params, "grid", 0, 20, 2, design_points(params, "grid", 0, 2))
    got = {}
    for at in (16, 2, 1):  # all summed at the end; two at a time and the last alone; each as it comes
        monkeypatch.setattr(parts, "SUMMED_AT", at)
        got[at] = run_sweep(sweep, tmp_path / str(at), workers=1, progress=False).aggregates
    base = got[16]
    assert base.runs == 60 and base.hostile
    for other in (got[2], got[1]):
        assert other.runs == base.runs
        for field in ("hostile", "force", "force_runs", "peak"):
            a, b = getattr(base, field), getattr(other, field)
            assert a.keys() == b.keys(), field
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
        pd.testing.assert_frame_equal(other.dyads, base.dyads)
        pd.testing.assert_frame_equal(other.given, base.given)


def test_plot_refuses_a_sweeps_folder_in_one_line(cli, small):
    status, _, err = cli("plot", small / "w1")
    assert status == 2 and "a sweep's folder" in err and len(err.strip().splitlines()) == 1
    assert "--resume" in err  # it says how a sweep's plots are drawn


def test_a_sweep_without_plots_draws_them_when_resumed_running_nothing_again(
    cli, small, tmp_path, monkeypatch
):
    """`--no-plots` writes every table and no picture; the same command with --resume, once the sweep is whole,
    runs no chunk and draws the pictures a sweep with plots draws, byte for byte."""
    import redline.results.sweep_store as store
    from redline.frontends.plotfiles import PLOT_FILES

    out = tmp_path / "bare"
    args = ("sweep", TINY, *(a for a in SMALL if a != "--quiet"), "--workers", 1, "--out", out)
    status, said, err = cli(*args, "--no-plots")
    assert status == 0, err
    assert "plots: none (--no-plots)" in said and "--resume" in said
    assert not list(out.glob("*.png")) and _files(out) == _files(small / "w1")

    def never(*_, **__):
        raise AssertionError("a chunk of a whole sweep was run again")

    monkeypatch.setattr(store, "chunk_work", never)
    status, _, err = cli(*args, "--resume")
    assert status == 0, err
    assert _files(out) == _files(small / "w1")
    for name in (*PLOT_FILES, "heatmap.png"):
        assert (out / name).read_bytes() == (small / "w1" / name).read_bytes(), name
    # resumed again without plots, the whole sweep keeps the plots it has (they are of these same tables), but
    # not the heatmap, whose outcome (--outcome) is no part of the sweep
    status, said, err = cli(*args, "--resume", "--no-plots")
    assert status == 0, err
    assert "plots: none" not in said and not (out / "heatmap.png").exists()
    for name in PLOT_FILES:
        assert (out / name).read_bytes() == (small / "w1" / name).read_bytes(), name


def test_chunks_that_ran_before_their_turn_are_taken_up_not_run_again(small, tmp_path, monkeypatch):
    """Cut off while chunk 0 still ran: the chunks after it wait on disk, and a resume runs chunk 0 alone."""
    import time as clock

    import redline.results.sweep_store as store
    from redline.results.sweep import Sweep, design_points, parse_param, run_sweep

    params = [parse_param(SMALL[1], 1, "grid"), parse_param(SMALL[3], 2, "grid")]
    sweep = Sweep(str(TINY), [], params, "grid", 0, 11, 5, design_points(params, "grid", 0, 5))
    real, ran = store.chunk_work, []

    def cut_off(items, **kw):
        if items[0][0] == 0:
            deadline = clock.monotonic() + 120
            while len(list((out / "parts").glob("ran-*"))) < 4 and clock.monotonic() < deadline:
                clock.sleep(0.01)  # the others finish and wait for their turn first
            raise KeyboardInterrupt
        ran.append(items[0][0])
        return real(items, **kw)

    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path / "cut"
    monkeypatch.setattr(store, "chunk_work", cut_off)
    with ThreadPoolExecutor(2) as pool, pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, executor=pool, progress=False)
    assert len(ran) == 4 and not list((out / "parts").glob("done-*"))
    assert len(list((out / "parts").glob("ran-*"))) == 4
    ran.clear()

    def count(items, **kw):
        ran.append(items[0][0])
        return real(items, **kw)

    monkeypatch.setattr(store, "chunk_work", count)
    run_sweep(sweep, out, resume=True, workers=1, progress=False)
    assert ran == [0] and not list((out / "parts").glob("ran-*"))
    assert _files(out) == _files(small / "w1")


@pytest.mark.parametrize(
    ("param", "design", "message"),
    [
        (f"{TARGET}=0.5,0.5", "grid", "the grid value 0.5 is given twice"),
        (f"{TARGET}=0:1:1", "grid", "one grid value cannot span 0:1; give n >= 2"),
        ("actors.patron.cost_sensitivity=0:3", "lhs", "actors.patron.cost_sensitivity: 3.0 is out of range"),
        ("time.steps=8,10", "grid", "--param time.steps: the points would differ in the scenario's period"),
    ],
)
def test_a_sweep_it_cannot_make_is_refused_before_anything_is_written(cli, tmp_path, param, design, message):
    extra = ["--samples", 4] if design != "grid" else []
    status, _, err = cli(
        "sweep", TINY, "--param", param, "--design", design, *extra, "--runs", 2, "--out", tmp_path / "s"
    )
    assert status == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "s").exists()


def test_grid_values_read_as_typed():
    assert parse_param(f"{TARGET}=0.2:1:5", 1, "grid").values == (0.2, 0.4, 0.6, 0.8, 1.0)


def test_a_librarys_warning_is_one_line(tmp_path):
    """SALib warns of a Sobol' design whose samples are not a power of 2: the command says so in one line, without
    the source line of a file of the installation."""
    r = subprocess.run(
        [sys.executable, "-m", "redline", "sweep", str(TINY), "--design", "sobol", "--samples", "5", "--param",
         f"{TARGET}=0.1:1", "--runs", "2", "--workers", "1", "--out", str(tmp_path / "s"), "--quiet", "--no-plots"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "redline: warning (UserWarning): The balance properties of Sobol' points require n to be a power of 2."
    ]


def test_morris_needs_two_trajectories(cli, tmp_path):
    design = ("--design", "morris", "--samples", 1)
    status, _, err = cli("sweep", TINY, *design, "--param", f"{TARGET}=0.1:1", "--out", tmp_path / "s")
    assert status == 2 and "needs --samples 2 or more" in err and not (tmp_path / "s").exists()


def test_resume_sees_a_changed_ladder_beside_the_scenario(cli, tmp_path):
    """A scenario's named ladder is part of what its runs depend on: a sweep whose ladder file changed since it
    began is a different sweep."""
    import yaml

    (tmp_path / "ladders").mkdir()
    ladder = {
        **yaml.safe_load((ROOT / "scenarios" / "ladders" / "default.yaml").read_text()),
        "ladder": "mine",
    }
    (tmp_path / "ladders" / "mine.yaml").write_text(yaml.safe_dump(ladder, sort_keys=False))
    scenario = tmp_path / "t.yaml"
    scenario.write_text(TINY.read_text().replace("ladder: default", "ladder: mine"))
    args = (
        "--param",
        f"{TARGET}=1,2",
        "--runs",
        2,
        "--out",
        tmp_path / "s",
        "--quiet",
        "--workers",
        1,
        "--no-plots",
    )
    assert cli("sweep", scenario, *args)[0] == 0
    assert cli("sweep", scenario, *args, "--resume")[0] == 0
    # the ladder named in a variant's `set:`, or by --set, is as much part of it
    variant = tmp_path / "v.yaml"
    variant.write_text("extends: t.yaml\nscenario: v\ntitle: v\nset: {ladder: mine}\n")
    scenario.write_text(TINY.read_text())  # the default ladder, as the variant changes it
    ways = [(variant, ()), (scenario, ("--set", "ladder=mine"))]

    def again(given, extra, *resume):
        out = tmp_path / f"s-{given.stem}-{len(extra)}"
        flags = (
            "--param",
            f"{TARGET}=1,2",
            "--runs",
            2,
            "--out",
            out,
            "--quiet",
            "--workers",
            1,
            "--no-plots",
        )
        return cli("sweep", given, *flags, *extra, *resume)

    for given, extra in ways:
        assert again(given, extra)[0] == 0 and again(given, extra, "--resume")[0] == 0
    ladder["rungs"][-2]["casualties"] = 4000
    (tmp_path / "ladders" / "mine.yaml").write_text(yaml.safe_dump(ladder, sort_keys=False))
    scenario.write_text(TINY.read_text().replace("ladder: default", "ladder: mine"))
    status, _, err = cli("sweep", scenario, *args, "--resume")
    assert status == 2 and "differs in the scenario's contents" in err
    scenario.write_text(TINY.read_text())
    for given, extra in ways:
        status, _, err = again(given, extra, "--resume")
        assert status == 2 and "differs in the scenario's contents" in err, given
