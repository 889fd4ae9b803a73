"""The runner and the output contract: same seed, same tables, whatever the workers; files as promised."""

from __future__ import annotations

import dataclasses
import gc
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from redline import load_scenario
from redline.engine.model import EscalationModel
from redline.engine.runner import chunks_of, collect, run_seeds, simulate
from redline.results.ensemble import run_ensemble
from redline.results.store import Results

from .conftest import FLAGSHIP, TINY

EVENT_COLUMNS = [
    "event_id",
    "run",
    "step",
    "date",
    "source",
    "source_code",
    "source_type",
    "target",
    "target_code",
    "target_type",
    "action",
    "rung",
    "mid_level",
    "cameo",
    "cameo_code",
    "quad_class",
    "goldstein",
    "casualties",
    "attributed_to",
    "cause",
    "manner",
]


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def test_seeds_are_spawned_and_stable():
    assert run_seeds(7, 3) == run_seeds(7, 3)
    assert run_seeds(7, 5)[3:] == run_seeds(7, 2, first=3)  # run r's seed does not depend on how many runs
    assert run_seeds(7, 3) != run_seeds(8, 3)
    assert len(set(run_seeds(1, 1000))) == 1000


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"runs": 0}, "runs must be"),
        ({"runs": 2.5}, "runs must be"),
        ({"runs": True}, "runs must be"),
        ({"runs": 2, "seed": -1}, "seed must be"),
        ({"runs": 2, "seed": "7"}, "seed must be"),
        ({"runs": 2, "seed": 2**64}, "seed must be a whole number from 0 to 2\\*\\*63-1"),
        ({"runs": 2, "workers": 0}, "workers must be"),
        ({"runs": 2, "workers": 1.5}, "workers must be"),
    ],
)
def test_an_ensemble_refuses_its_bad_arguments_before_any_run(tiny, tmp_path, kwargs, needle):
    from redline.results.ensemble import stream_ensemble

    with pytest.raises(ValueError, match=needle):
        run_ensemble(tiny, **kwargs)
    with pytest.raises(ValueError, match=needle):
        stream_ensemble(tiny, out=tmp_path / "out", **{"seed": 0, **kwargs})
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "Parquet", None])
def test_a_format_of_no_table_is_refused_before_anything_is_written(tiny, tmp_path, fmt):
    from redline.results.ensemble import stream_ensemble

    res = run_ensemble(tiny, runs=1, seed=1, workers=1)
    with pytest.raises(ValueError, match="fmt must be one of parquet, csv"):
        res.save(tmp_path / "a", fmt=fmt)
    with pytest.raises(ValueError, match="fmt must be one of parquet, csv"):
        stream_ensemble(tiny, 1, 1, tmp_path / "b", fmt=fmt)
    assert not list(tmp_path.iterdir())


def test_a_figure_is_written_in_the_format_its_name_asks_for(tiny, tmp_path):
    from redline import plots

    res = run_ensemble(tiny, runs=2, seed=1, workers=1)
    for suffix, head in ((".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")):
        plots.timeline(res, tmp_path / f"t{suffix}")
        plots.timeline(res, tmp_path / f"again{suffix}")
        data = (tmp_path / f"t{suffix}").read_bytes()
        assert (
            data.startswith(head) and data == (tmp_path / f"again{suffix}").read_bytes()
        )  # no date, no random id
    with pytest.raises(ValueError, match=r"written as \.png, \.pdf or \.svg"):
        plots.timeline(res, tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


def test_numpy_integers_are_whole_numbers(tiny):
    res = run_ensemble(tiny, runs=np.int64(3), seed=np.uint32(5), workers=np.int8(1))
    assert list(res.runs["run"]) == [0, 1, 2]


def test_chunks_cover_every_run_once_in_fixed_sizes():
    for n, size in [(1, 50), (10, 3), (100, 50), (1000, 50), (7, 8)]:
        parts = chunks_of(list(range(n)), size)
        assert [r for p in parts for r in p] == list(range(n))
        assert all(len(p) == size for p in parts[:-1]) and 0 < len(parts[-1]) <= size


def test_a_chunk_frees_each_run_as_it_goes_and_keeps_its_tables():
    """The runner takes each finished model apart once its columns are read: a chunk leaves no cycles for the
    garbage collector (a whole model leaves some four hundred objects in them), and its columns are those of the
    whole models."""
    scn = load_scenario(FLAGSHIP)
    runs, seeds = [0, 1, 2], run_seeds(5, 3)
    gc.collect()
    gc.disable()
    try:
        chunk = simulate(scn, runs, seeds)
        left_in_cycles = gc.collect()
        whole = collect((r, s, EscalationModel(scn, rng=s).run()) for r, s in zip(runs, seeds, strict=True))
        left_by_whole_models = gc.collect()
    finally:
        gc.enable()
    assert left_in_cycles == 0
    assert left_by_whole_models > 100  # the check above can fail: whole models do leave cycles
    for got, want in (
        (chunk.events, whole.events),
        (chunk.metrics, whole.metrics),
        (chunk.red_lines, whole.red_lines),
    ):
        assert got.keys() == want.keys()
        for name in got:
            np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def test_same_seed_same_tables_whatever_the_workers(tiny):
    one = run_ensemble(tiny, runs=24, seed=5, workers=1)
    two = run_ensemble(tiny, runs=24, seed=5, workers=2)
    threads = run_ensemble(tiny, runs=24, seed=5, executor=ThreadPoolExecutor(3))
    for name in ("events", "metrics", "runs", "red_lines"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
        pd.testing.assert_frame_equal(getattr(one, name), getattr(threads, name))
    other = run_ensemble(tiny, runs=24, seed=6, workers=1)
    assert not one.events.equals(other.events)


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self):
        super().__init__(1)
        self.tasks = 0

    def submit(self, *args, **kwargs):
        self.tasks += 1
        return super().submit(*args, **kwargs)


@pytest.mark.parametrize("fixed", [True, False])
def test_a_cluster_of_known_size_gets_several_chunks_a_task_and_each_is_handed_on_alone(fixed):
    from redline.engine import executors
    from redline.engine.runner import run_tasks

    tasks = [(k, [k, k]) for k in range(40)]
    with CountingExecutor() as pool:
        if fixed:
            executors._ON_THIS_MACHINE[pool] = (
                1  # a local Dask cluster of one worker, as executor_from_args notes
            )
        done = {}
        run_tasks(tasks, done.__setitem__, executor=pool, progress=False, work=sum)
    assert done == {k: 2 * k for k in range(40)}
    # Forty chunks on one worker: four a task, ten tasks (still eight a worker); a cluster of the user's, one each.
    assert pool.tasks == (10 if fixed else 40)


def test_a_cluster_with_few_chunks_a_worker_gets_one_a_task():
    from redline.engine import executors
    from redline.engine.runner import run_tasks

    with CountingExecutor() as pool:
        executors._ON_THIS_MACHINE[pool] = 2
        run_tasks([(k, [k]) for k in range(31)], lambda k, out: None, executor=pool, progress=False, work=sum)
    # 31 chunks on two workers: two a task would leave fewer than eight tasks a worker, so one each.
    assert pool.tasks == 31


def test_output_contract(tiny, tmp_path):
    res = run_ensemble(tiny, runs=5, seed=1)
    assert list(res.events.columns) == EVENT_COLUMNS
    assert {"run", "step", "date", "actor", "posture_rung", "capability"} <= set(res.metrics.columns)
    assert {"run", "seed", "peak_rung", "war", "state_clash", "patron_uses_force"} <= set(res.runs.columns)
    assert "rival_strikes_patron" in res.runs.columns  # the scenario's named outcome, a column of its own
    assert set(res.events["manner"]) <= {"surprise", "warned"}
    assert len(res.metrics) == 5 * tiny.time.steps * len(tiny.actors)
    # one row per action: a week with several campaign attacks has several rows
    per_step = res.events[res.events["cause"] == "campaign"].groupby(["run", "step"]).size()
    assert per_step.max() > 1
    for fmt in ("parquet", "csv"):
        out = res.save(tmp_path / fmt, fmt=fmt)
        back = Results.load(out)
        assert json.loads((out / "manifest.json").read_text())["format"] == fmt
        assert list(back.events.columns) == EVENT_COLUMNS
        assert len(back.events) == len(res.events)
        assert (back.events["date"].dt.date == res.events["date"].dt.date).all()
        if fmt == "parquet":  # Parquet keeps every column's type: the tables come back as they were
            for name in ("events", "metrics", "runs"):
                pd.testing.assert_frame_equal(getattr(back, name), getattr(res, name))


def test_existing_output_is_kept_without_force(tiny, tmp_path):
    res = run_ensemble(tiny, runs=2, seed=1)
    out = res.save(tmp_path / "o")
    (out / "keep.txt").write_text("mine")
    from redline.results.store import OutputError

    with pytest.raises(OutputError, match="--force"):
        res.save(out)
    assert (out / "keep.txt").read_text() == "mine"
    with pytest.raises(OutputError, match=r"also holds keep\.txt, which no redline command wrote"):
        res.save(out, force=True)  # a file of the user's in a results folder is theirs: kept
    assert (out / "keep.txt").read_text() == "mine"
    (out / "keep.txt").unlink()

    def extra(tmp):  # a caller's own files, in a folder of their own too
        (tmp / "mine.csv").write_text("a")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "deep.txt").write_text("b")

    res.save(out, force=True, extra=extra)
    res.save(
        out, force=True, extra=extra
    )  # what the caller's `extra` wrote with the folder is the folder's own
    res.save(out, force=True)
    assert not (out / "mine.csv").exists() and (out / "events.parquet").exists()


def test_a_failure_while_saving_leaves_nothing_half_written(tiny, tmp_path):
    res = run_ensemble(tiny, runs=2, seed=1)

    def boom(folder):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        res.save(tmp_path / "o", extra=boom)
    assert list(tmp_path.iterdir()) == []


def test_codes_index_a_dictionary_that_grows_in_the_order_values_are_met():
    from redline.engine.runner import Coder

    coder = Coder(["iran", "usa"])
    assert coder.codes(["usa", "iran", "usa"]).tolist() == [1, 0, 1]
    assert coder.codes(["usa", "hezbollah", "israel", "hezbollah"]).tolist() == [
        1,
        2,
        3,
        2,
    ]  # new ones appended
    assert coder.values == ["iran", "usa", "hezbollah", "israel"]
    assert coder.codes(["", "israel", ""], empty=-1).tolist() == [-1, 3, -1]  # empty: a null
    assert coder.codes(["", "houthis"], empty=-1).tolist() == [-1, 4] and "" not in coder.values
    assert coder.codes([""]).tolist() == [5] and coder.values[5] == ""  # without `empty`, "" is a value
    assert coder.codes([]).dtype == np.int16 and len(coder.codes([])) == 0


def test_streamed_tables_are_the_same_bytes_whatever_the_workers(tiny, tmp_path, monkeypatch):
    from redline.engine.runner import CHUNK_RUNS
    from redline.frontends import plotfiles
    from redline.frontends.plotfiles import write_ensemble

    drawn_on = []  # the executor each folder's plots were drawn on: the runs' pool, or None for this process
    all_plots = plotfiles.all_plots

    def recorded(*args, executor=None, **kw):
        drawn_on.append(executor)
        return all_plots(*args, executor=executor, **kw)

    monkeypatch.setattr(plotfiles, "all_plots", recorded)
    runs = 2 * CHUNK_RUNS + 7  # several chunks, the last one short
    for fmt in ("parquet", "csv"):
        one = tmp_path / f"one-{fmt}"
        two = tmp_path / f"two-{fmt}"
        plots = (
            fmt == "parquet"
        )  # the plots are drawn from the runs, whatever the tables' format: once is enough
        write_ensemble(tiny, runs, 4, one, fmt=fmt, workers=1, plots=plots)
        write_ensemble(tiny, runs, 4, two, fmt=fmt, workers=2, plots=plots)
        for name in ("events", "metrics", "runs", "red_lines"):
            assert (one / f"{name}.{fmt}").read_bytes() == (two / f"{name}.{fmt}").read_bytes(), (fmt, name)
        # with two workers, the plots are drawn in the pool's workers: the same pictures, byte for byte
        for name in plotfiles.PLOT_FILES if plots else ():
            assert (one / name).read_bytes() == (two / name).read_bytes(), (fmt, name)
        assert (one / "summary.md").read_text() == (two / "summary.md").read_text()
        assert not (one / "parts").exists()
        assert not [p for p in two.iterdir() if p.name.startswith(".") and "partial" in p.name]
    assert [e is None for e in drawn_on] == [True, False]


def _started(folder, items):
    """A task that notes when it started (a file per task), then takes a little time."""
    import time

    (folder / f"task-{items[0]}").write_text(repr(time.monotonic()))
    time.sleep(0.2)
    return items


def _then(folder, fail=False):
    import os
    import time

    (folder / f"then-{os.getpid()}-{time.monotonic_ns()}").write_text(repr(time.monotonic()))
    time.sleep(0.3)  # as an import takes: were it sent too early, a chunk would wait for it
    if fail:
        raise RuntimeError("dropped")


def after_the_last_task_started(folder, executor=None, fail=False):
    """run_tasks' `then` (the plots' imports, for a run folder) on two workers: it reaches workers that have no
    chunk left, so each starts after the last task started; nothing waits for it, and what it raises is dropped."""
    import functools
    import time

    from redline.engine.runner import run_tasks

    done = {}
    tasks = [(k, [k]) for k in range(6)]
    run_tasks(tasks, done.__setitem__, executor=executor, workers=2, progress=False,
              work=functools.partial(_started, folder), then=functools.partial(_then, folder, fail))  # fmt: skip
    assert done == {k: [k] for k in range(6)}  # every chunk handed on, whatever `then` did
    deadline = time.monotonic() + 30
    while len(list(folder.glob("then-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = [float(p.read_text()) for p in folder.glob("task-*")]
    after = [float(p.read_text()) for p in folder.glob("then-*")]
    assert len(started) == 6 and len(after) == 2
    # A worker may be paused between taking the last task and noting its start while the other takes `then`: a
    # tenth of a second of leeway, where a `then` sent too early would start a task's length (0.2 s) before it.
    assert min(after) >= max(started) - 0.1


@pytest.mark.parametrize("fail", [False, True])
def test_a_job_after_the_tasks_starts_once_every_task_has_started(tmp_path, fail):
    after_the_last_task_started(tmp_path, fail=fail)  # a local pool; tests/test_dask.py: a Dask cluster


@pytest.mark.parametrize(("workers", "chunks"), [(1, 2), (2, 2), (2, 1)])
def test_a_command_with_workers_never_loads_matplotlib_itself(workers, chunks, tmp_path):
    # Worker processes draw the plots: the runs' pool, or one started for the plots where the runs, one chunk of
    # them, were made here. This process only writes their bytes; with one worker it draws them itself.
    code = (
        "import sys\n"
        "from redline import load_scenario\n"
        "from redline.frontends.plotfiles import write_ensemble\n"
        "from redline.engine.runner import CHUNK_RUNS\n"
        f"scn = load_scenario({str(TINY)!r})\n"
        f"write_ensemble(scn, {chunks} * CHUNK_RUNS, 1, {str(tmp_path / 'out')!r}, workers={workers})\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == [str(workers == 1)]
    assert (tmp_path / "out" / "timeline.png").stat().st_size > 0


def test_plots_drawn_side_by_side_for_runs_made_here_are_the_same_pictures(tiny, tmp_path):
    from redline.engine.runner import CHUNK_RUNS
    from redline.frontends.plotfiles import PLOT_FILES, write_ensemble

    write_ensemble(tiny, CHUNK_RUNS - 3, 2, tmp_path / "one", workers=1)  # one chunk: the runs are made here
    write_ensemble(tiny, CHUNK_RUNS - 3, 2, tmp_path / "two", workers=2)  # ... and the plots on two workers
    for name in (*PLOT_FILES, "summary.md", "runs.parquet"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_the_aggregates_summed_chunk_by_chunk_or_a_few_at_a_time_give_the_same_folder(
    tiny, tmp_path, monkeypatch
):
    from redline.engine.runner import CHUNK_RUNS
    from redline.frontends.plotfiles import PLOT_FILES, write_ensemble
    from redline.results import parts

    runs = 3 * CHUNK_RUNS + 7  # four chunks
    write_ensemble(tiny, runs, 6, tmp_path / "default", workers=1)  # all four summed at the end
    monkeypatch.setattr(parts, "SUMMED_AT", 3)  # three, then one at the end
    write_ensemble(tiny, runs, 6, tmp_path / "three", workers=1)
    monkeypatch.setattr(parts, "SUMMED_AT", 1)  # each as it comes
    write_ensemble(tiny, runs, 6, tmp_path / "one", workers=1)
    for name in ("summary.md", *PLOT_FILES):
        base = (tmp_path / "default" / name).read_bytes()
        assert (tmp_path / "three" / name).read_bytes() == base == (tmp_path / "one" / name).read_bytes(), (
            name
        )
    assert f"{runs} runs" in (tmp_path / "default" / "summary.md").read_text()


def test_streamed_folder_holds_what_the_in_memory_results_hold(tiny, tmp_path):
    from redline.frontends.plotfiles import save_report, write_ensemble
    from redline.results.summary import summary

    runs = 57
    memory = run_ensemble(tiny, runs=runs, seed=9, workers=2)
    digest = write_ensemble(tiny, runs, 9, tmp_path / "streamed", workers=2)
    back = Results.load(tmp_path / "streamed")
    for name in ("events", "metrics", "runs", "red_lines"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(memory, name))
    pd.testing.assert_frame_equal(digest.runs, memory.runs)
    assert back.events["event_id"].tolist() == list(range(len(memory.events)))
    # summary.md and the plots come from aggregates: the same as from every event row
    save_report(memory, tmp_path / "memory")
    assert (tmp_path / "streamed" / "summary.md").read_text() == (
        tmp_path / "memory" / "summary.md"
    ).read_text()
    assert summary(back, []) == summary(digest, [])


def test_an_interrupted_stream_leaves_no_folder(tiny, tmp_path, monkeypatch):
    from redline.frontends.plotfiles import write_ensemble
    from redline.results import parts

    calls = []
    real = parts.Joiner.add

    def add(self, k, out):
        calls.append(k)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(self, k, out)

    monkeypatch.setattr(parts.Joiner, "add", add)
    with pytest.raises(KeyboardInterrupt):
        write_ensemble(tiny, 120, 1, tmp_path / "o", workers=1)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_written_from_python_records_where_its_scenario_came_from(tmp_path):
    """As `redline run --set` records its file, hash and overrides, so does a folder written from Python for a
    scenario that load_scenario made (the README's and docs/cluster.md's way); the hash is the command's."""
    import dataclasses
    import json

    from redline import load_scenario
    from redline.frontends.plotfiles import write_ensemble
    from redline.language.scenario import scenario_digest

    from .conftest import TINY

    lever = "actors.patron.cost_sensitivity=0.3"
    scn = load_scenario(TINY, [lever])
    write_ensemble(scn, 2, 1, tmp_path / "o", workers=1, plots=False)
    source = json.loads((tmp_path / "o" / "manifest.json").read_text())["scenario"]
    assert source["file"] == str(TINY) and source["overrides"] == [lever] and source["injects"] == []
    assert source["hash"] == scenario_digest(TINY, [lever])
    assert f"Overrides (--set): `{lever}`." in (tmp_path / "o" / "summary.md").read_text()
    made = dataclasses.replace(scn, title="made in code")  # not read from a file: nothing to record
    assert "file" not in run_ensemble(made, runs=1, seed=1, workers=1).manifest["scenario"]


SCRIPT_WITHOUT_GUARD = """
from redline import load_scenario, run_ensemble
from redline.engine.runner import run_chunks, run_seeds
scn = load_scenario("cases/gulf-2019")
a = run_ensemble(scn, runs=100, seed=1, workers=3)                  # a pool of two
b = run_ensemble(scn, runs=150, seed=1, workers=3, progress=True)   # a pool of three, with a progress bar


def stop(k, chunk):
    raise KeyboardInterrupt


try:  # a run interrupted half-way, as Ctrl+C would
    run_chunks(scn, list(range(150)), run_seeds(1, 150), workers=3, on_done=stop)
except KeyboardInterrupt:
    pass
c = run_ensemble(scn, runs=100, seed=1, workers=2)
print("ran", len(a.runs), len(b.runs), len(c.runs), a.events.equals(c.events))
"""


def test_a_script_without_a_main_guard_runs_ensemble_after_ensemble(tmp_path):
    """The README's script has no `if __name__ == "__main__":`: workers must be forked, never started afresh (a
    forkserver's or spawn's worker runs the script's body again). The threads redline itself starts (an old pool's
    manager, a progress bar's monitor, a pool stopped by an interruption) must not be left to make forking look
    unsafe."""
    script = tmp_path / "script.py"
    script.write_text(SCRIPT_WITHOUT_GUARD)
    r = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines() == ["ran 100 150 100 True"]


# A worker stopped while it writes its result (an interruption stops the workers at once): the pool's manager
# thread is left reading the rest of a message. The worker here writes the first bytes of one and waits.
HALF_WRITTEN_RESULT = """
import struct, time
from redline.engine import runner

pool = runner._pool(2)


def half_written():
    runner._POOL[0]._result_queue._writer._send(struct.pack("!i", 1_000_000) + b"x" * 10)
    time.sleep(60)


pool.submit(half_written)
time.sleep(1.0)
runner.discard_pool(pool)
print("discarded")
"""


def test_a_program_ends_after_a_pool_stopped_while_a_worker_wrote_its_result(tmp_path):
    """The interpreter waits at exit for every pool's manager thread: one left reading a result that never ends
    would hang the program after its last line (a script that went on after a Ctrl+C, in about one exit in six)."""
    script = tmp_path / "script.py"
    script.write_text(HALF_WRITTEN_RESULT)
    r = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert r.returncode == 0 and r.stdout.strip() == "discarded", r.stderr[-2000:]


def test_misused_arguments_from_python_say_what_was_expected(tiny, tmp_path):
    from redline.frontends.compare import compare

    from .conftest import TINY

    with pytest.raises(TypeError, match=r"an ensemble runs a Scenario.*load_scenario\('axis-2023'\) first"):
        run_ensemble("axis-2023", runs=2)
    with pytest.raises(TypeError, match=r"executor is a concurrent\.futures\.Executor"):
        run_ensemble(tiny, runs=2, executor="dask")
    with pytest.raises(TypeError, match=r"overrides is a list of texts, e\.g\. \['actors"):
        load_scenario(TINY, "actors.patron.capability=0.5")
    with pytest.raises(TypeError, match="injects is a list of texts"):
        load_scenario(TINY, injects="2024-01-05:rival:client:threat")
    a, b = run_ensemble(tiny, runs=4, seed=1, workers=1), run_ensemble(tiny, runs=3, seed=1, workers=1)
    with pytest.raises(ValueError, match="the two ensembles have 4 and 3 runs"):
        compare(a, b)
    folder = a.save(tmp_path / "r")
    with pytest.raises(ValueError, match=r"no run 9 in .* \(runs 0\.\.3\)"):
        Results.load(folder, run=9)
    assert len(Results.load(folder, run=2).runs) == 4
    from redline import plots

    with pytest.raises(TypeError, match=r"dyads is a list of \(actor, actor\) pairs"):
        plots.timeline(a, dyads=("patron", "rival"))
    with pytest.raises(TypeError, match=r"e\.g\. \[\('patron', 'rival'\)\]"):
        plots.timeline(a, dyads="patron:rival")
    with pytest.raises(TypeError, match=r"overrides is a list of KEY\.PATH=VALUE texts, e\.g\. \['a=1'\]"):
        load_scenario(TINY, {"a": 1})
    for run in (True, "1"):
        with pytest.raises(TypeError, match="run is a run's number"):
            Results.load(folder, run=run)
    assert plots.network(a).axes  # results, as every other plot takes them, or a scenario's facts


def test_a_result_shows_itself_in_a_line(tiny, tmp_path):
    from redline.results.store import read_digest

    res = run_ensemble(tiny, runs=3, seed=5, workers=1)
    assert repr(res) == f"<Results: scenario tiny, 3 runs, {len(res.events):,} events, root seed 5>"
    assert repr(read_digest(res.save(tmp_path / "r"))) == "<Digest: scenario tiny, 3 runs, root seed 5>"


def test_a_comparison_of_scenarios_with_other_actors_says_its_runs_do_not_pair(tiny):
    from redline.frontends.compare import compare, markdown

    a = run_ensemble(tiny, runs=3, seed=1, workers=1)
    assert "different actors" not in markdown(compare(a, a))
    other = load_scenario("cases/uri-2016")
    b = run_ensemble(other, runs=3, seed=1, workers=1)
    text = markdown(compare(a, b))
    assert "**The two scenarios have different actors** (only in A: client, patron, rival; only in B:" in text


def test_a_comparison_over_other_periods_says_so(tiny, cli, tmp_path):
    """Counts per run over 10 and 12 weeks differ by the length alone; and two files with one scenario id are
    told apart by their files."""
    from redline.frontends.compare import compare, markdown

    a = run_ensemble(tiny, runs=3, seed=1, workers=1)
    assert "different periods" not in markdown(compare(a, a))
    longer = dataclasses.replace(tiny, time=dataclasses.replace(tiny.time, steps=12))
    text = markdown(compare(a, run_ensemble(longer, runs=3, seed=1, workers=1)))
    assert (
        "**The two scenarios cover different periods** (A: 2024-01-01 to 2024-03-10; B: 2024-01-01 to" in text
    )
    assert "(70 and 84 days)" in text
    # the same days in other steps are the same period
    daily = dataclasses.replace(tiny, time=dataclasses.replace(tiny.time, step="day", steps=70))
    assert "different periods" not in markdown(compare(a, run_ensemble(daily, runs=3, seed=1, workers=1)))
    copy = tmp_path / "copy.yaml"
    copy.write_text(TINY.read_text().replace("steps: 10", "steps: 12"))
    status, out, err = cli("compare", TINY, copy, "--runs", 3, "--workers", 1)
    assert status == 0, err
    assert out.startswith(f"# tiny ({copy}) compared with tiny ({TINY})"), out.splitlines()[0]
