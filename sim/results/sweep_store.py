"""A sweep's tables on disk: datasets partitioned by point, written chunk by chunk, read back a point at a time.

    events/point-00017/events-00034.parquet     (metrics and red_lines alike; `point` is also a column)
    parts/runs-00034.parquet, parts/done-00034  (a chunk's runs, with its check values, and its done marker)

A worker runs a chunk and makes its tables, each run's outcomes and check values, and the aggregates plots read
(redline.engine.aggregates); it writes the tables as Arrow part files (redline.results.parts) when it shares our disk.
The parent takes the chunks in chunk order: it numbers the events across the sweep and keeps the chunk's runs file
(encoded by the worker); writer threads beside it split each table by point into Parquet files and then write the
chunk's marker, so that a chunk counts as done only once every file of it is in place. A chunk that finished before
its turn waits on disk (its Arrow parts, its runs file and a `ran` marker), so that a resumed sweep takes it up
without running it again.
The parent keeps the runs table and the aggregates, summed a few chunks at a time as they come in; never the event
rows of more than one chunk. A point's directory lists its files in run order, so a reader of `events/` gets the
table in order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from redline.engine.aggregates import Aggregates, aggregate, aggregate_coded
from redline.engine.runner import simulate_items
from redline.language.spec import Scenario
from redline.results.parts import STREAMED, ChunkOut, Summed, Writing, part_path, read_part, write_parts
from redline.results.store import (
    _step_dates,
    parquet_options,
    read_table,
    scenario_facts,
    write_parquet,
)

Chunk = Sequence[tuple[int, int]]  # (point, replication) pairs


def point_dir(folder: Path, name: str, point: int) -> Path:
    return folder / name / f"point-{point:05d}"  # zero-padded: directories list in point order


def part_file(folder: Path, name: str, point: int, k: int) -> Path:
    return point_dir(folder, name, point) / f"{name}-{k:05d}.parquet"


def runs_file(folder: Path, k: int) -> Path:
    return folder / "parts" / f"runs-{k:05d}.parquet"


def marker(folder: Path, k: int, kind: str = "done") -> Path:
    return folder / "parts" / f"{kind}-{k:05d}"


def first_run(chunk: Chunk, runs_per_point: int) -> int:
    p, r = chunk[0]
    return p * runs_per_point + r


def points_of(chunk: Chunk) -> list[int]:
    return sorted({p for p, _ in chunk})


def check_column(name: str) -> str:
    return f"check: {name}"


def chunk_work(items, scn: Scenario, runs_per_point: int, folder: str | None = None) -> ChunkOut:
    """Run one chunk of a sweep (items of (run, point's scenario, seed)) and make what the parent needs of it: the
    tables typed and coded with `scn`'s facts (the sweep's first point, as its manifest), each with its point; the
    runs with their outcomes and each of `scn`'s checks' value. A module-level function: workers are sent it."""
    from redline.results import chunks
    from redline.results.checks import per_run

    # As a run's chunk is made (redline.results.parts.chunk_work): the tables built as Arrow from the codes, and
    # outcomes, checks and aggregates read from the codes, with no table going through pandas whole.
    chunk = simulate_items(items)
    facts = scenario_facts(scn)
    built = chunks.build(chunk, facts)
    events = chunks.event_frame(built)
    runs = chunks.run_outcomes(chunk, built, facts, scn.outcomes, events)
    agg = aggregate_coded(built.events, chunk.runs, facts)
    runs.insert(0, "point", runs["run"].to_numpy() // runs_per_point)
    runs.insert(2, "replication", runs["run"].to_numpy() % runs_per_point)  # EMA's: seeds as replications
    index = pd.Index(runs["run"])
    ladder, dates = [r["id"] for r in facts["ladder"]], _step_dates(facts)
    for c in scn.checks:  # per run here, so that the parent reduces them per point without the events
        values = per_run(c, events, index, dates, ladder, scn.time.end)
        runs[check_column(c.name)] = values.reindex(index).to_numpy(dtype=np.float64)
    arrow = {name: chunks.with_point(name, built.tables[name], runs_per_point) for name in STREAMED}
    first, rows, kept = int(chunk.runs[0]), arrow["events"].num_rows, parquet_bytes(runs)
    if folder is None:
        return ChunkOut(first, runs, agg, arrow, rows, kept)
    write_parts(arrow, Path(folder), first)
    return ChunkOut(first, runs, agg, None, rows, kept)


def parquet_bytes(runs: pd.DataFrame) -> bytes:
    """A chunk's runs as the Parquet file the sweep keeps of them (parts/runs-NNNNN.parquet), the bytes write_table
    writes: made by the worker, so that the process taking the chunks in only puts them on disk."""
    from redline.engine.tables import RUNS

    sink = pa.BufferOutputStream()
    write_parquet(runs, RUNS, sink)
    return sink.getvalue().to_pybytes()


def _write_atomic(table: pa.Table | bytes, path: Path) -> None:
    """A part file written whole or not at all (its hidden partial is what a killed attempt leaves)."""
    tmp = path.with_name(f".{path.name}.partial")
    if isinstance(table, bytes):
        tmp.write_bytes(table)
    else:
        pq.write_table(table, tmp, **parquet_options(table.schema))
    os.replace(tmp, path)


def finished(folder: Path, k: int, chunk: Chunk) -> bool:
    """A chunk is finished when its marker and every file of it are there and readable; a damaged one is run
    again (its marker removed)."""
    done = marker(folder, k)
    if not done.is_file():
        return False
    files = [runs_file(folder, k), *(part_file(folder, n, p, k) for n in STREAMED for p in points_of(chunk))]
    for f in files:
        try:
            pq.read_metadata(f)
        except Exception:  # missing, truncated or not Parquet: pyarrow's errors vary
            done.unlink(missing_ok=True)
            return False
    return True


def waiting(folder: Path, k: int, first: int, facts: dict[str, Any]) -> ChunkOut | None:
    """A chunk a killed attempt ran but had not written yet (its `ran` marker, Arrow parts and runs file in
    place and readable), taken up as it was; None if it must run again."""
    ran = marker(folder, k, "ran")
    if not ran.is_file():
        return None
    try:
        runs = read_table(runs_file(folder, k), "parquet")
        for name in STREAMED:
            with pa.memory_map(str(part_path(folder / "parts", name, first))) as source:
                table = pa.ipc.open_file(source).read_all()
            if name == "events":
                events = table.to_pandas(date_as_object=False)
    except Exception:  # missing or damaged: pyarrow's errors vary
        ran.unlink(missing_ok=True)
        return None
    from redline.engine import tables as docs

    events = docs.typed(events, docs.TABLES["events"], facts)
    return ChunkOut(first, runs, aggregate(events, runs["run"].to_numpy(), facts), None, len(events))


def clear_leftovers(folder: Path, keep: Sequence[int] = ()) -> None:
    """What a killed attempt left half-made: partial files, and Arrow parts of chunks not waiting (whose first
    runs are `keep`)."""
    parts = folder / "parts"
    kept = {part_path(parts, n, first).name for first in keep for n in STREAMED}
    for p in [*parts.glob("*.arrow"), *parts.glob(".*.partial")]:
        if p.name not in kept:
            p.unlink(missing_ok=True)
    for name in STREAMED:
        for p in (folder / name).glob("point-*/.*.partial"):
            p.unlink(missing_ok=True)


def read_parts(files: Sequence[Path], name: str, facts: dict[str, Any] | None) -> pd.DataFrame:
    """Part files of one table, joined in the order given, with the documented types."""
    from redline.engine import tables as docs

    if not files:
        cols = ["point", *(c.name for c in docs.TABLES[name].columns)]
        return docs.typed(pd.DataFrame({c: pd.Series(dtype=object) for c in cols}), docs.TABLES[name], facts)
    tables = [pq.read_table(f) for f in files]
    schema = tables[0].schema
    table = pa.concat_tables([t.replace_schema_metadata(schema.metadata) for t in tables])
    df = table.to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
    return docs.typed(df, docs.TABLES[name], facts)


def read_sweep_table(
    folder: str | Path, name: str, points: Sequence[int] | None = None, facts: dict[str, Any] | None = None
) -> pd.DataFrame:
    """One of a sweep folder's partitioned tables (events, metrics, red_lines), for the given points or all, in
    run order."""
    folder = Path(folder)
    if name not in STREAMED:
        raise ValueError(f"a sweep's partitioned tables are {', '.join(STREAMED)}, not {name!r}")
    dirs = (
        sorted((folder / name).glob("point-*"))
        if points is None
        else [point_dir(folder, name, int(p)) for p in points]
    )
    files = [f for d in dirs for f in sorted(d.glob(f"{name}-*.parquet"))]
    return read_parts(files, name, facts)


def write_chunk(folder: Path, k: int, first: int, first_event: int, points: Sequence[int]) -> None:
    """Chunk k's turn has come: its tables (Arrow parts, the events numbered from `first_event`) are split by point
    into the dataset's Parquet files, then its marker is written (its runs file is in place already), and its
    part files and `ran` marker go."""
    parts = folder / "parts"
    for name in STREAMED:
        table = read_part(part_path(parts, name, first), first_event)
        at = table.column("point").to_numpy()  # rows are in run order, so each point's are together
        for p in points:
            lo, hi = np.searchsorted(at, p, "left"), np.searchsorted(at, p, "right")
            point_dir(folder, name, p).mkdir(parents=True, exist_ok=True)
            _write_atomic(table.slice(lo, hi - lo), part_file(folder, name, p, k))
    marker(folder, k).write_text("")  # only after every file of the chunk is in place
    marker(folder, k, "ran").unlink(missing_ok=True)
    for name in STREAMED:
        part_path(parts, name, first).unlink()


class Store:
    """Writes a sweep's chunks into `folder` in chunk order, as they come in (in any order), and gathers the runs
    table and the aggregates, including those of the chunks a previous attempt finished (`done`). `writing` splits
    each chunk's tables into the dataset's files (write_chunk), the heaviest of this work: on its threads, if it has
    any, beside the rest."""

    def __init__(
        self,
        folder: Path,
        chunks: Sequence[Chunk],
        facts: dict[str, Any],
        done: set[int],
        writing: Writing | None = None,
    ):
        self.folder, self.chunks, self.facts, self.done = folder, chunks, facts, done
        self.parts = folder / "parts"
        self.waiting: dict[int, ChunkOut] = {}
        self.next = 0
        self.events = 0  # event rows of the chunks before the next one: its first event_id
        self.runs: list[pd.DataFrame] = []
        self.aggregates = Summed()
        self.writing = writing or Writing(0)

    def add(self, k: int, out: ChunkOut) -> None:
        if out.tables is not None:  # made by a worker that does not share our disk: to disk until its turn
            write_parts(out.tables, self.parts, out.first)
            out.tables = None
        if k != self.next:  # to wait: kept on disk for a resumed sweep too
            self._keep(k, out)
        self.waiting[k] = out
        self.advance()

    def _keep(self, k: int, out: ChunkOut) -> None:
        """The chunk's runs file and `ran` marker: with its part files, all a resumed sweep needs to take it up
        rather than run it again."""
        assert (
            out.runs_file is not None
        )  # chunk_work encodes it; a chunk taken up from disk has its file already
        _write_atomic(out.runs_file, runs_file(self.folder, k))
        marker(self.folder, k, "ran").write_text("")

    def advance(self) -> None:
        while self.next < len(self.chunks):
            k = self.next
            if k in self.done:
                self._reload(k)
            elif k in self.waiting:
                self._write(k, self.waiting.pop(k))
            else:
                return
            self.next += 1

    def _reload(self, k: int) -> None:
        """A chunk finished before: its runs and aggregates read back from its files."""
        runs = read_table(runs_file(self.folder, k), "parquet")
        files = [part_file(self.folder, "events", p, k) for p in points_of(self.chunks[k])]
        events = read_parts(files, "events", self.facts)
        self.events += len(events)
        self._gather(runs, aggregate(events, runs["run"].to_numpy(), self.facts))

    def _write(self, k: int, out: ChunkOut) -> None:
        if not marker(self.folder, k, "ran").exists():
            self._keep(k, out)
        self.writing.do(write_chunk, self.folder, k, out.first, self.events, points_of(self.chunks[k]))
        self.events += out.events
        self._gather(out.runs, out.aggregates)

    def _gather(self, runs: pd.DataFrame, part: Aggregates) -> None:
        self.runs.append(runs)
        self.aggregates.add(part)  # in chunk order, a few at a time (redline.results.parts.Summed)

    def close(self) -> tuple[pd.DataFrame, Aggregates]:
        """The runs table (with `point` first and the check values) and the aggregates of every chunk, once every
        chunk is written."""
        from redline.engine import tables as docs

        self.writing.finish()
        aggregates = self.aggregates.result()
        if self.waiting or self.next != len(self.chunks) or aggregates is None:
            raise RuntimeError(
                f"chunks missing: {self.next} of {len(self.chunks)} written"
            )  # a bug, not input
        runs = docs.typed(pd.concat(self.runs, ignore_index=True), docs.RUNS, self.facts)
        self.runs = []
        return runs, aggregates

    def abandon(self) -> None:
        """Forget the chunks that came in but did not get their turn: they wait on disk for a resumed sweep. Those
        being written are let finish (each file is written whole or not at all, and a chunk counts as written once
        its marker is there), so that no writer is left working in a folder its caller may move."""
        self.waiting = {}
        self.writing.abandon()
