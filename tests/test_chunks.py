"""A chunk's tables built from codes: the Arrow tables are what pandas would make of the frames, down to the schema's
notes (so the files are the same bytes), and the outcomes and aggregates are those of the event rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redline import load_scenario
from redline.engine import tables as docs
from redline.engine.aggregates import aggregate, aggregate_coded
from redline.engine.runner import Chunk, run_seeds, simulate
from redline.results.analysis import outcomes
from redline.results.checks import per_run
from redline.results.chunks import build, event_frame, frames, run_outcomes, with_point
from redline.results.store import _step_dates, scenario_facts

from .conftest import FLAGSHIP, TINY


@pytest.fixture(scope="module", params=[TINY, FLAGSHIP], ids=["tiny", "flagship"])
def made(request):
    scn = load_scenario(request.param)
    chunk = simulate(scn, list(range(12)), run_seeds(5, 12))
    facts = scenario_facts(scn)
    return scn, chunk, facts, build(chunk, facts)


def test_arrow_tables_are_what_pandas_makes_of_the_frames(made):
    _scn, chunk, facts, built = made
    for name, df in frames(built, facts).items():
        want = docs.arrow_table(df, docs.TABLES[name])
        got = built.tables[name]
        assert got.schema.equals(want.schema, check_metadata=True), name
        assert got.equals(want), name
        assert got.to_batches()[0].num_rows == got.num_rows  # one record batch: one row group per part
    events = frames(built, facts)["events"]
    assert len(events) == len(chunk.events["run"]) > 0
    # sorted by run, then day, the model's order kept within a day
    key = events["run"].to_numpy() * 10**6 + (events["date"] - events["date"].min()).dt.days.to_numpy()
    assert (np.diff(key) >= 0).all()


def test_a_sweep_chunk_table_is_what_pandas_makes_of_the_frame_with_its_points(made):
    """A sweep writes each table with `point` first (with_point): the same file as arrow_table made of the frame."""
    _scn, _chunk, facts, built = made
    for name, df in frames(built, facts).items():
        df.insert(0, "point", df["run"].to_numpy() // 5)
        want = docs.arrow_table(df, docs.TABLES[name])
        got = with_point(name, built.tables[name], 5)
        assert got.schema.equals(want.schema, check_metadata=True), name
        assert got.equals(want), name
        assert got.column("point").to_pylist() == [r // 5 for r in got.column("run").to_pylist()]


def test_checks_read_from_the_event_frame_are_those_of_the_events_table(made):
    """A sweep's chunk reads its check values from the few columns of event_frame, not the whole typed table."""
    scn, chunk, facts, built = made
    if not scn.checks:
        pytest.skip("a scenario without checks")
    events, runs = frames(built, facts)["events"], pd.Index(chunk.runs)
    ladder, dates = [r["id"] for r in facts["ladder"]], _step_dates(facts)
    for c in scn.checks:
        got = per_run(c, event_frame(built), runs, dates, ladder, scn.time.end)
        want = per_run(c, events, runs, dates, ladder, scn.time.end)
        pd.testing.assert_series_equal(got, want, obj=c.name)


def test_values_past_the_known_dictionaries_are_recoded_in_sorted_order(made):
    _scn, chunk, facts, _built = made
    extra = ["zulu", "player"]  # met by the model in this order; the documented dictionary sorts them
    causes = [*chunk.causes, *extra]
    ev = dict(chunk.events)
    codes = ev["cause"].copy()
    codes[: len(codes) // 2] = len(chunk.causes)  # zulu
    codes[len(codes) // 2 :: 3] = len(chunk.causes) + 1  # player
    ev["cause"] = codes
    odd = Chunk(
        chunk.runs, chunk.seeds, ev, chunk.metrics, chunk.red_lines, chunk.actors, causes, chunk.manners
    )
    table = frames(build(odd, facts), facts)["events"]
    assert list(table["cause"].cat.categories[-2:]) == ["player", "zulu"]
    order = np.lexsort((ev["day"], ev["run"]))
    assert table["cause"].astype(str).tolist() == [causes[c] for c in codes[order]]


def _outcomes_row_by_row(runs: pd.DataFrame, events: pd.DataFrame, facts) -> pd.DataFrame:
    """The general outcomes, run by run in plain Python: what the vectorised ones must equal."""
    kinds = {a: v["kind"] for a, v in facts["actors"].items()}
    patrons = {r["from"] for r in facts["relations"] if r["type"] == "supports"}
    rows = []
    for run in runs["run"]:
        ev = events[events["run"] == run]
        src, tgt = ev["source"].astype(str).tolist(), ev["target"].astype(str).tolist()
        mid, rung = ev["mid_level"].tolist(), ev["rung"].tolist()
        state = [kinds.get(s) == "state" and kinds.get(t) == "state" for s, t in zip(src, tgt, strict=True)]
        wars = {frozenset((s, t)) for s, t, m in zip(src, tgt, mid, strict=True) if m >= 5}
        rows.append(
            {
                "peak_mid": max(mid, default=0),
                "peak_rung": facts["ladder"][max(rung)]["id"] if rung else None,
                "attacks": sum(m >= 4 for m in mid),
                "war": any(m >= 5 for m in mid),
                "interstate_war": any(m >= 5 and s for m, s in zip(mid, state, strict=True)),
                "state_clash": any(m >= 4 and s for m, s in zip(mid, state, strict=True)),
                "patron_uses_force": any(m >= 4 and s in patrons for m, s in zip(mid, src, strict=True)),
                "patron_struck": any(m >= 4 and t in patrons for m, t in zip(mid, tgt, strict=True)),
                "war_spreads": len(wars) > 1,
            }
        )
    return pd.DataFrame(rows)


def test_outcomes_are_those_of_the_rows(made):
    scn, chunk, facts, built = made
    events = frames(built, facts)["events"]
    runs = pd.DataFrame({"run": chunk.runs, "seed": chunk.seeds})
    want = _outcomes_row_by_row(runs, events, facts)
    for ev in (events, events.astype({"source": object, "target": object})):  # as read back from CSV too
        got = outcomes(runs, ev, facts)
        for col in want:
            assert got[col].tolist() == want[col].tolist(), col
    table = run_outcomes(chunk, built, facts, scn.outcomes)
    assert table["peak_rung"].astype(object).where(table["peak_rung"].notna(), None).tolist() == (
        want["peak_rung"].tolist()
    )
    deaths = events.groupby("run")["casualties"].sum().reindex(chunk.runs, fill_value=0.0)
    np.testing.assert_allclose(table["deaths"].to_numpy(), deaths.to_numpy())
    for o in scn.outcomes:
        assert o.name in table


def test_aggregates_from_codes_are_those_of_the_table(made):
    _scn, chunk, facts, built = made
    events = frames(built, facts)["events"]
    a = aggregate_coded(built.events, chunk.runs, facts)
    b = aggregate(events, chunk.runs, facts)
    for field in ("hostile", "force", "force_runs", "peak"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.keys() == y.keys() and x, field
        for k in x:
            np.testing.assert_array_equal(x[k], y[k])
    pd.testing.assert_frame_equal(a.dyads, b.dyads)
    pd.testing.assert_frame_equal(a.given, b.given)
    hostile = events[events["goldstein"] < 0]
    assert int(a.dyads["size"].sum()) == len(hostile)


def test_writing_on_one_thread_keeps_the_order_and_tells_a_jobs_error_at_the_end():
    """A chunk's writing goes to a thread beside the one that takes the chunks in; one thread does its jobs in the
    order they were given (an ensemble's appends), a job's error comes back to the caller, and the threads end."""
    import errno
    import threading

    from redline.results.parts import Writing

    done: list[tuple[int, str]] = []

    def job(n: int) -> None:
        done.append((n, threading.current_thread().name))
        if n == 3:
            raise OSError(errno.ENOSPC, "No space left on device", "somewhere")

    writing = Writing(1, at_most=2)
    with pytest.raises(OSError, match="No space left"):  # at a later hand-over, or at the end
        for n in range(6):
            writing.do(job, n)
        writing.finish()
    writing.abandon()  # what a caller does on an error: the jobs given before it end
    order = [n for n, _ in done]
    assert order == sorted(order) and order[:4] == [0, 1, 2, 3]
    assert all(name.startswith("redline-writer") for _, name in done)
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-writer")]

    here = Writing(0)  # no thread: each job done at once, in this one
    here.do(job, 7)
    assert done[-1] == (7, threading.current_thread().name)
    here.finish()


def test_writing_that_is_abandoned_lets_the_jobs_under_way_end_and_raises_nothing():
    import threading
    import time

    from redline.results.parts import Writing

    started: list[int] = []
    ended: list[int] = []
    lock = threading.Lock()

    def slow(n: int) -> None:
        with lock:
            started.append(n)
        time.sleep(0.2)
        ended.append(n)
        raise RuntimeError("told to no one: the caller is already going")

    writing = Writing(2, at_most=8)
    for n in range(4):
        writing.do(slow, n)
    deadline = time.monotonic() + 5
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    writing.abandon()  # raises nothing
    assert sorted(ended) == sorted(started) == [0, 1]  # those under way ended; the two not begun never began
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-writer")]


def test_abandoned_writing_drops_the_jobs_not_begun_and_outlasts_a_second_interrupt(monkeypatch):
    """On an interruption, the job under way ends (its file whole) and those not begun are dropped; a second
    Ctrl+C while abandon() waits is raised only once no writer thread is left."""
    import threading
    import time

    from redline.results import parts

    started: list[int] = []
    ended: list[int] = []
    going = threading.Event()

    def job(n: int) -> None:
        started.append(n)
        going.wait(5)
        ended.append(n)

    writing = parts.Writing(1, at_most=8)
    for n in range(4):
        writing.do(job, n)
    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    real, calls = parts.wait, []

    def interrupted(fs):
        calls.append(len(calls))
        if len(calls) == 1:  # the second Ctrl+C comes while the first job still runs
            going.set()
            raise KeyboardInterrupt
        return real(fs)

    monkeypatch.setattr(parts, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writing.abandon()
    assert started == [0] and ended == [0]  # the three not begun were dropped
    assert len(calls) == 2
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-writer")]
