"""The runner and the output contract: same seed, same tables, whatever the workers; files as promised."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from redline import load_scenario
from redline.ensemble import run_ensemble
from redline.results import Results
from redline.runner import chunks_of, run_seeds

from .conftest import TINY

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


def test_chunks_cover_every_run_once():
    for n, w in [(1, 2), (10, 1), (10, 2), (1000, 2), (7, 8)]:
        parts = chunks_of(list(range(n)), w)
        assert [r for p in parts for r in p] == list(range(n))


def test_same_seed_same_tables_whatever_the_workers(tiny):
    one = run_ensemble(tiny, runs=24, seed=5, workers=1)
    two = run_ensemble(tiny, runs=24, seed=5, workers=2)
    threads = run_ensemble(tiny, runs=24, seed=5, executor=ThreadPoolExecutor(3))
    for name in ("events", "metrics", "runs", "red_lines"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
        pd.testing.assert_frame_equal(getattr(one, name), getattr(threads, name))
    other = run_ensemble(tiny, runs=24, seed=6, workers=1)
    assert not one.events.equals(other.events)


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
    from redline.results import OutputError

    with pytest.raises(OutputError, match="--force"):
        res.save(out)
    assert (out / "keep.txt").read_text() == "mine"
    res.save(out, force=True)
    assert not (out / "keep.txt").exists() and (out / "events.parquet").exists()


def test_a_failure_while_saving_leaves_nothing_half_written(tiny, tmp_path):
    res = run_ensemble(tiny, runs=2, seed=1)

    def boom(folder):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        res.save(tmp_path / "o", extra=boom)
    assert list(tmp_path.iterdir()) == []


def test_a_whole_run_matches_mesas_own_stepping():
    """`run` steps in a plain loop instead of Mesa's run_for: the same tables, and Mesa's clock left as run_for
    leaves it, so that a step after the run continues from the next one."""
    from redline.model import EscalationModel

    scn = load_scenario(TINY)
    fast = EscalationModel(scn, rng=5).run()
    mesa = EscalationModel(scn, rng=5)
    mesa.run_for(scn.time.steps)
    assert (fast.time, fast.steps) == (mesa.time, mesa.steps) == (scn.time.steps, scn.time.steps)
    assert fast.events == mesa.events and fast.metrics == mesa.metrics
    fast.step()
    mesa.step()
    assert (fast.time, fast.t) == (mesa.time, mesa.t) == (scn.time.steps + 1, scn.time.steps)
