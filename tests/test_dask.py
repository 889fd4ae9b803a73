"""A Dask cluster gives the same tables as local processes: a scheduler and two workers on loopback."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

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


@pytest.fixture(scope="module")
def scheduler():
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
                ],
                **quiet,
            )
            for _ in range(2)
        ]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
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


def test_dask_cluster_gives_the_local_tables(scheduler):
    scn = load_scenario(TINY)
    local = run_ensemble(scn, runs=16, seed=5, workers=1)
    with distributed.Client(scheduler, timeout=30) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        remote = run_ensemble(scn, runs=16, seed=5, executor=client.get_executor(), workers=2)
    for name in ("events", "metrics", "runs", "red_lines"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(remote, name))


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
