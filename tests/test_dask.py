"""A Dask cluster gives the same tables as local processes: a scheduler and two workers on loopback."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from redline import load_scenario  # noqa: E402
from redline.results.ensemble import run_ensemble  # noqa: E402

from .conftest import ROOT, TINY  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def cluster(workers: int = 2, *args: str) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler on loopback and `workers` workers of one thread: its address and the processes, scheduler
    first. `args` go to each worker."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
                "--dashboard-address",  # its health and metrics pages: any free port, not 8787
                "127.0.0.1:0",
            ],
            **quiet,
        )
    ]
    try:
        procs += [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    *args,
                ],
                **quiet,
            )
            for _ in range(workers)
        ]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, procs
    finally:
        # Workers first, so that none waits on a scheduler that is gone; a worker that has drawn plots or held a
        # plugin may take several seconds to close gracefully, and nothing of theirs needs keeping.
        for group in (procs[1:], procs[:1]):
            for p in group:
                p.terminate()
            for p in group:
                try:
                    p.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


@pytest.fixture(scope="module")
def scheduler():
    with cluster() as (address, _):
        yield address


def test_dask_cluster_gives_the_local_tables(scheduler):
    scn = load_scenario(TINY)
    local = run_ensemble(scn, runs=16, seed=5, workers=1)
    with distributed.Client(scheduler, timeout=30) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        remote = run_ensemble(scn, runs=16, seed=5, executor=client.get_executor(), workers=2)
    for name in ("events", "metrics", "runs", "red_lines"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(remote, name))


def test_a_job_after_the_tasks_reaches_dask_workers_only_once_they_have_no_chunk_left(scheduler, tmp_path):
    # A scheduler holds back tasks beyond what its workers run and would hand out a later, smaller group first
    from .test_runner import after_the_last_task_started

    with distributed.Client(scheduler, timeout=30) as client:
        after_the_last_task_started(tmp_path, client.get_executor(pure=False))


def test_cli_on_the_cluster(cli, scheduler, tmp_path):
    base = ("run", TINY, "--runs", 8, "--seed", 3, "--quiet")
    assert cli(*base, "--out", tmp_path / "local", "--workers", 1)[0] == 0
    status, _, err = cli(*base, "--out", tmp_path / "dask", "--executor", "dask", "--scheduler", scheduler)
    assert status == 0, err
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "local" / "events.parquet"),
        pd.read_parquet(tmp_path / "dask" / "events.parquet"),
    )


def test_cli_starts_a_local_dask_cluster_when_given_no_scheduler(cli, tmp_path, monkeypatch):
    from redline.frontends import plotfiles

    drawn_on = []  # what each command's plots were drawn on: None for this process
    all_plots = plotfiles.all_plots

    def recorded(*args, executor=None, **kw):
        drawn_on.append(executor)
        return all_plots(*args, executor=executor, **kw)

    monkeypatch.setattr(plotfiles, "all_plots", recorded)
    base = ("run", TINY, "--runs", 6, "--seed", 4, "--quiet", "--format", "csv")
    assert cli(*base, "--out", tmp_path / "local", "--workers", 1)[0] == 0
    status, _, err = cli(*base, "--out", tmp_path / "dask", "--executor", "dask", "--workers", 2)
    assert status == 0, err
    for name in ("events", "metrics", "runs"):
        assert (tmp_path / "local" / f"{name}.csv").read_bytes() == (
            tmp_path / "dask" / f"{name}.csv"
        ).read_bytes()
    # the cluster's workers, idle once the runs are done, draw the plots: the same pictures
    assert drawn_on[0] is None and drawn_on[1] is not None
    for name in plotfiles.PLOT_FILES:
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name


def test_unreachable_scheduler_is_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_DASK_TIMEOUT", "2")
    base = ("run", TINY, "--runs", 2, "--out", tmp_path / "o", "--quiet")
    t = time.monotonic()
    status, _, err = cli(*base, "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    assert status == 2 and "cannot reach the Dask scheduler" in err and len(err.strip().splitlines()) == 1
    assert time.monotonic() - t < 30 and not (tmp_path / "o").exists()
    status, _, err = cli(*base, "--scheduler", "tcp://x:1")
    assert status == 2 and "--scheduler goes with --executor dask" in err


# Stands in for dask-jobqueue in docs/cluster.md's SLURM script: a "cluster" that is the address of the test's
# scheduler, with its two workers already up (Client takes an address where it takes a cluster).
FAKE_JOBQUEUE = """
import sys, types

class SLURMCluster(str):
    def __new__(cls, **options):
        return super().__new__(cls, {address!r})

    def scale(self, jobs):
        pass

sys.modules["dask_jobqueue"] = types.SimpleNamespace(SLURMCluster=SLURMCluster)
"""


def test_the_cluster_docs_slurm_script_runs(scheduler, tmp_path):
    """docs/cluster.md's SLURM script, as written but for its size and folder, on the test's two Dask workers: it
    streams a whole results folder (tables, summary.md, plots) and prints the runs' means."""
    from redline.frontends.plotfiles import PLOT_FILES

    text = (ROOT / "docs" / "cluster.md").read_text()
    (script,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "SLURMCluster" in b]
    out = tmp_path / "hundred-thousand"
    assert "100_000" in script and '"out/hundred-thousand"' in script
    script = script.replace("100_000", "12").replace('"out/hundred-thousand"', repr(str(out)))
    done = subprocess.run(
        [sys.executable, "-c", FAKE_JOBQUEUE.format(address=scheduler) + script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    means = dict(line.split() for line in done.stdout.splitlines() if len(line.split()) == 2)
    assert float(means["run"]) == 5.5 and float(means["attacks"]) > 0, done.stdout  # the mean of runs 0 to 11
    assert len(pd.read_parquet(out / "runs.parquet")) == 12
    assert (out / "summary.md").exists() and all((out / name).exists() for name in PLOT_FILES)


# A sweep of 16 chunks (16 points of 25 runs) on one worker: it is still running when its first chunk is done, with
# the time of fifteen chunks for the kill to land in (with four, and later with eight once runs were compiled, a kill
# that came a second late on a loaded machine found the sweep finished).
SWEEP = (
    "sweep",
    ROOT / "scenarios" / "axis-2023.yaml",
    "--param",
    "actors.iran.cost_sensitivity=0.4:1:4",
    "--param",
    "relations.supports:iran:iraqi_militias.control=0.2:1:4",
    "--runs",
    25,
    "--seed",
    1,
    "-q",
    "--no-plots",  # the tables tell what was kept
    "--executor",
    "dask",
)


def _first_chunk_done(out):
    return lambda: any((out / "parts").glob("done-*"))


def _sweep_losing(process: subprocess.Popen, address: str, out, env) -> tuple[int, str]:
    """Start SWEEP on the cluster at `address`, kill `process` (of the cluster) once a chunk is done, and return
    the command's exit status and stderr."""
    from .test_hostile import _cli, _wait_for

    cmd = _cli(*SWEEP, "--scheduler", address, "--out", out)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        _wait_for(_first_chunk_done(out), seconds=120, proc=proc)
        process.kill()
        status = proc.wait(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return status, proc.stderr.read()


@pytest.mark.slow
def test_a_lost_scheduler_is_one_line_and_the_sweep_goes_on_with_resume(tmp_path):
    from .test_hostile import _cli, _env

    out = tmp_path / "o"
    with cluster(1) as (address, procs):
        status, err = _sweep_losing(procs[0], address, out, _env())  # the scheduler
    assert status == 2, err
    assert err.strip().splitlines() == [
        f"redline sweep: lost the Dask scheduler at {address}; its finished chunks are kept and --resume goes on"
    ]
    done = sorted((out / "parts").glob("done-*"))
    assert done and (out / "sweep.json").exists()
    resumed = subprocess.run(
        _cli(*SWEEP[:-2], "--workers", 1, "--out", out, "--resume"),
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert len(pd.read_parquet(out / "runs.parquet")) == 400


@pytest.mark.slow
def test_a_cluster_that_loses_every_worker_ends_the_command_in_one_line(tmp_path):
    from .test_hostile import _env

    out = tmp_path / "o"
    with cluster(1, "--no-nanny") as (address, procs):  # no nanny: nothing starts the worker again
        env = {**_env(), "REDLINE_DASK_TIMEOUT": "2"}
        # the only worker; the scheduler stays (before the change the sweep waited forever)
        status, err = _sweep_losing(procs[1], address, out, env)
        assert status == 2, err
        assert err.strip().splitlines() == [
            f"redline sweep: the Dask cluster at {address} has had no workers for 2 s; its finished chunks are "
            "kept and --resume goes on"
        ]
        assert procs[0].poll() is None  # the scheduler was not what ended it


# `python -m redline ...` with the scheduler or a worker (process KILL_PID) killed as the client starts to fetch the
# result of the KILL_AT-th chunk.
LOSING_AT_A_FETCH = r"""
import asyncio, os, runpy, signal, sys
import distributed.client

fetch, fetches = distributed.client.Client._gather, [0]


async def killing(self, *args, **kwargs):
    fetches[0] += 1
    if fetches[0] == int(os.environ["KILL_AT"]):
        os.kill(int(os.environ["KILL_PID"]), signal.SIGKILL)
        await asyncio.sleep(0.5)
    return await fetch(self, *args, **kwargs)


distributed.client.Client._gather = killing
sys.argv = ["redline", *sys.argv[1:]]
runpy.run_module("redline", run_name="__main__", alter_sys=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("lost", ["scheduler", "worker"])
def test_a_cluster_lost_while_the_last_result_is_fetched_is_one_line_not_a_hang(tmp_path, lost):
    """The task of the last chunk is done and the client is fetching its result when the scheduler (or the only
    worker) goes: Dask's executor left that chunk's future pending, and the command waited for ever."""
    from .test_hostile import _env

    script, out = tmp_path / "losing.py", tmp_path / "o"
    script.write_text(LOSING_AT_A_FETCH)
    chunks = 16  # SWEEP's
    with cluster(1, *(["--no-nanny"] if lost == "worker" else [])) as (address, procs):
        killed = procs[0] if lost == "scheduler" else procs[1]
        env = {**_env(), "KILL_AT": str(chunks), "KILL_PID": str(killed.pid), "REDLINE_DASK_TIMEOUT": "2"}
        cmd = [sys.executable, str(script), *map(str, SWEEP), "--scheduler", address, "--out", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    told = (
        f"lost the Dask scheduler at {address}"
        if lost == "scheduler"
        else f"the Dask cluster at {address} has had no workers for 2 s"
    )
    assert done.stderr.strip().splitlines() == [
        f"redline sweep: {told}; its finished chunks are kept and --resume goes on"
    ]
    assert len(list((out / "parts").glob("done-*"))) == chunks - 1


def test_the_clients_notice_that_it_runs_again_what_a_lost_worker_held_is_not_shown():
    """The test above failed about once in six runs on a 2-core machine: the worker died while the client was
    gathering a finished chunk, and the client's warning that it reschedules it came before the command's one line.
    Only that notice is dropped: any other record of the client's logger still reaches the user."""
    import logging

    from redline.engine.executors import _rescheduled

    def record(msg: str, *args) -> logging.LogRecord:
        return logging.LogRecord("distributed.client", logging.WARNING, __file__, 1, msg, args, None)

    assert not _rescheduled(record("Couldn't gather %s keys, rescheduling %s", 1, ("chunk_work-1",)))
    assert _rescheduled(record("Couldn't gather %s keys", 1))
    assert _rescheduled(record("Restarting worker %s", "tcp://127.0.0.1:1"))


@pytest.mark.slow
def test_ctrl_c_on_a_local_dask_cluster_is_one_line(tmp_path):
    """A run's (a sweep's goes the same way: the same cluster, started by the same code)."""
    from .test_hostile import _all_gone, _children, _cli, _env, _wait_for

    args = ("run", ROOT / "scenarios" / "axis-2023.yaml", "--runs", 5000, "-q", "--executor", "dask")
    cmd = _cli(*args, "--workers", 2, "--out", tmp_path / "o")
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=_env(), start_new_session=True)
    try:
        _wait_for(
            lambda: any(tmp_path.glob(".o.partial-*/parts/*")), seconds=120, proc=proc
        )  # a chunk written
        processes = _children(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C reaches the whole group, the cluster's workers included
        assert proc.wait(timeout=60) == 130
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert err.strip().splitlines() == ["redline run: interrupted"], err  # before: workers' tracebacks
    assert len(processes) >= 3 and _all_gone(processes)  # the server the workers are forked from, and they
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no half folder, no lock


class _Fetched:
    """A chunk's result as a worker hands it back (any object that is not an error's triple)."""


@pytest.mark.parametrize("status", ["finished", "lost", "pending"])
def test_a_result_fetched_whole_is_handed_on_whatever_the_status_reads_after(status):
    """The worker may go just after its result is fetched: the task then reads 'lost' or 'pending' again. Dask's own
    hand-over took the result for an error's triple and raised TypeError in the command."""
    from concurrent.futures import Future

    from redline.engine.executors import _settle

    settled, fetched = Future(), _Fetched()
    _settle(settled, status, fetched)
    assert settled.result(timeout=0) is fetched


def test_an_error_and_a_cancellation_are_handed_on_as_such():
    from concurrent.futures import Future

    from redline.engine.executors import _settle

    failed = Future()
    try:
        raise ValueError("a chunk that failed")
    except ValueError as e:
        _settle(failed, "error", (ValueError, e, e.__traceback__))
    assert isinstance(failed.exception(timeout=0), ValueError)
    cancelled = Future()
    _settle(cancelled, "cancelled", distributed.client.FutureCancelledError("k", "cancelled"))
    assert cancelled.cancelled()
    by_the_command = Future()
    by_the_command.cancel()  # the command cancelled it while the result came in: nothing to tell it
    _settle(by_the_command, "finished", _Fetched())
    assert by_the_command.cancelled()
