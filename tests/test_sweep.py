"""Sweeps: grids and designs, common random numbers, per-point outcomes, and a resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from redline.sweep import Param, lhs, parse_param

from .conftest import FLAGSHIP, TINY

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
    seeds = runs.assign(rep=runs["run"] % 5).groupby("rep")["seed"].nunique()
    assert (seeds == 1).all()
    # more attacks where the campaign's rate is higher
    by_rate = outcomes.groupby(TARGET)["attacks"].mean()
    assert by_rate[1.0] > by_rate[0.1]
    assert "check: the client attacks" in outcomes.columns
    assert (out / "heatmap.png").is_file()
    assert "point" in pd.read_parquet(out / "events.parquet").columns


def test_morris_design_gives_indices(cli, tmp_path):
    out = tmp_path / "m"
    status, _, err = cli(
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
        "--quiet",
        "--workers",
        1,
    )
    assert status == 0, err
    table = pd.read_csv(out / "sensitivity.csv")
    mu = table[(table["index"] == "mu_star") & (table["outcome"] == "attacks")].set_index("param")["value"]
    assert (
        mu[TARGET] > mu[CONTROL]
    )  # the campaign's rate moves attacks more than the patron's control over it
    assert (out / "sensitivity.png").is_file()


def _sweep_cmd(out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "redline.cli",
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
    assert not (cut / "events.parquet").exists()
    subprocess.run(_sweep_cmd(cut, "--resume"), check=True, timeout=300)
    for name in ("events", "metrics", "runs", "red_lines", "points", "outcomes"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(cut / f"{name}.parquet"), pd.read_parquet(whole / f"{name}.parquet")
        )


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
    assert status == 2 and "different sweep" in err and "root_seed" in err
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
