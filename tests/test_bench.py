"""The benchmark's bookkeeping (its figures are measured by `make bench`, never here): which rows run, how each is
judged, and that the sweep figure's parameters are the flagship's levers."""

from __future__ import annotations

import sys

import pytest

from redline import load_scenario
from redline.results.sweep import parse_param

from .conftest import FLAGSHIP, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench


def test_verdicts():
    assert bench.Row("a", 1.0, 2.0, "x").verdict == "PASS"
    assert bench.Row("a", 3.0, 2.0, "x").verdict == "FAIL"
    assert bench.Row("a", 1.0, 2.0, "x", unfinished=True).verdict == "FAIL"
    assert bench.Row("a", 3.0, 2.0, "x", scaled=True).verdict == "scaled"
    assert bench.Row("a", None, 2.0, "x").verdict == "SKIP"
    assert bench.Row("a", 3.0, None, "s").verdict == "-"


def test_rows_are_chosen_by_name():
    assert bench.parse_args(["--only", "memory,cli", "--only", "dask"]).names == ["memory", "cli", "dask"]
    assert bench.parse_args([]).names == list(bench.ROWS)
    for bad in (["--only", "memroy"], ["--scale", "0"], ["--scale", "2"]):
        with pytest.raises(SystemExit) as e:
            bench.parse_args(bad)
        assert e.value.code == 2


def test_a_missed_target_fails_the_run_and_others_do_not(monkeypatch, capsys):
    rows = {
        "ok": lambda s, tmp: [bench.Row("fine", 1.0, 2.0, "s")],
        "skip": lambda s, tmp: [bench.Row("no dask", None, 1.1, "x", "SKIP")],
        "bad": lambda s, tmp: [bench.Row("slow", 3.0, 2.0, "s")],
    }
    monkeypatch.setattr(bench, "ROWS", rows)
    assert bench.main(["--only", "ok,skip"]) == 0
    assert bench.main(["--only", "ok,bad"]) == 1
    out = capsys.readouterr()
    assert "FAIL" in out.out and "bench: bad done" in out.err


def test_a_figure_that_cannot_be_measured_fails_and_the_others_go_on(monkeypatch, capsys):
    def broken(s, tmp):
        raise bench.Stopped(3100.0, [120.0], 42.0)

    rows = {"broken": broken, "ok": lambda s, tmp: [bench.Row("fine", 1.0, 2.0, "s")]}
    monkeypatch.setattr(bench, "ROWS", rows)
    assert bench.main([]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "FAIL" in lines[1] and "stopped after 42 s" in lines[1] and "PASS" in lines[2]


def test_the_sweep_figure_sweeps_the_flagships_levers_over_their_ranges():
    scn = load_scenario(FLAGSHIP)
    params = [parse_param(p, n, "sobol") for n, p in enumerate(bench.SWEEP_PARAMS, 1)]
    assert len(params) == 10
    assert {(p.path, p.low, p.high) for p in params} == {(lv.path, lv.low, lv.high) for lv in scn.levers}
