"""An ensemble streamed to disk: each chunk of runs becomes part files as it finishes, and the parts are joined into
the final tables in chunk order as soon as every chunk before them is in, one part at a time.

A worker turns its chunk into the chunk's tables (typed as documented), the runs table's rows (outcomes) and the
aggregates plots and summary.md read (redline.engine.aggregates); it writes the tables as Arrow part files itself when
it shares the parent's file system (the default process pool), or hands them back (another executor). The parent keeps
only the runs table and the aggregates: its memory does not grow with the event rows. It appends the parts to the
final tables on a thread beside the one that takes the chunks in (Writing), so that it keeps up with more workers.
Chunks are a fixed number of runs (runner.CHUNK_RUNS), so the files are the same, byte for byte, whatever the number
of workers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from redline.engine.aggregates import Aggregates, aggregate_coded, combine
from redline.engine.runner import runs_elsewhere, simulate_items
from redline.results.chunks import STREAMED
from redline.results.store import parquet_options, scenario_facts


@dataclass
class ChunkOut:
    """What the parent receives of a chunk."""

    first: int  # its first run: names its part files
    runs: pd.DataFrame
    aggregates: Aggregates
    tables: dict[str, Any] | None  # pandas frames (`frames`), Arrow tables, or None: written to part files
    events: int  # its event rows: where the next chunk's event ids start
    runs_file: bytes | None = None  # a sweep's: its runs table as the Parquet file the sweep keeps of it


SUMMED_AT = 16  # chunks' aggregates held before they are summed into the whole's (an ensemble's or a sweep's)


class Summed:
    """Chunks' aggregates summed as they come in, in chunk order: not kept a chunk each, since a chunk's histograms
    are about as large as the whole's, and summed a few chunks at a time (SUMMED_AT), since a sum costs about the
    same for two chunks as for sixteen. An ensemble's joiner and a sweep's store both gather theirs so."""

    def __init__(self) -> None:
        self.total: Aggregates | None = None
        self.unsummed: list[Aggregates] = []

    def add(self, part: Aggregates) -> None:
        self.unsummed.append(part)
        if len(self.unsummed) >= SUMMED_AT:
            self._sum()

    def _sum(self) -> None:
        self.total = combine(self.unsummed if self.total is None else [self.total, *self.unsummed])
        self.unsummed = []

    def result(self) -> Aggregates | None:
        """The sum of every chunk's aggregates added so far (None before the first)."""
        if self.unsummed:
            self._sum()
        return self.total


def chunk_work(items, folder: str | None = None, frames: bool = False) -> ChunkOut:
    """Run one chunk (items of (run, scenario, seed), one scenario) and make what the parent needs of it. A
    module-level function: worker processes are sent it."""
    from redline.results import chunks

    chunk = simulate_items(items)
    scn = items[0][1]
    facts = scenario_facts(scn)
    built = chunks.build(chunk, facts)
    runs = chunks.run_outcomes(chunk, built, facts, scn.outcomes)
    agg = aggregate_coded(built.events, chunk.runs, facts)
    first, events = int(chunk.runs[0]), built.tables["events"].num_rows
    if frames:
        return ChunkOut(first, runs, agg, chunks.frames(built, facts), events)
    if folder is None:
        return ChunkOut(first, runs, agg, built.tables, events)
    write_parts(built.tables, Path(folder), first)
    return ChunkOut(first, runs, agg, None, events)


def part_path(folder: Path, name: str, first: int) -> Path:
    return folder / f"{name}-{first:09d}.arrow"


def write_parts(arrow: dict[str, pa.Table], folder: Path, first: int) -> None:
    """A chunk's tables as Arrow IPC files (read back once, without copying), each written whole or not at all."""
    for name, table in arrow.items():
        path = part_path(folder, name, first)
        tmp = path.with_name(f".{path.name}.partial")
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(tmp, path)


def read_part(path: Path, first_event: int) -> pa.Table:
    """A part file read back whole; an events part numbered from `first_event`, as event ids run across every
    chunk of the final table."""
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    i = table.schema.get_field_index("event_id")
    if i >= 0:
        ids = pa.array(np.arange(first_event, first_event + table.num_rows, dtype=np.int64))
        table = table.set_column(i, table.schema.field(i), ids)
    return table


class Writing:
    """Writing handed to `threads` threads beside this one (0: done here, in turn), so that the process that takes
    in the chunks keeps up with more workers: pyarrow encodes and writes Parquet without holding the interpreter's
    lock (a sampling profile of a sweep's chunk writing found it held in about 15% of the samples). One thread does
    its jobs in the order given. At most `at_most` jobs wait (their files wait on disk); a job's error is raised
    here, at a later hand-over or at the end."""

    def __init__(self, threads: int, at_most: int = 8):
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="redline-writer") if threads else None
        self.at_most = at_most
        self.pending: list[Future] = []

    def do(self, job: Callable[..., Any], *args: Any) -> None:
        if self.pool is None:
            job(*args)
            return
        self.pending.append(self.pool.submit(job, *args))
        self._reap(self.at_most)

    def _reap(self, at_most: int) -> None:
        """Let go of the jobs done (raising the first one's error), waiting for the oldest while more than
        `at_most` are not."""
        for fut in [f for f in self.pending if f.done()]:
            self.pending.remove(fut)
            fut.result()
        while len(self.pending) > at_most:
            self.pending[0].result()  # listed until it is done: an interruption here leaves it to abandon()
            self.pending.pop(0)

    def finish(self) -> None:
        """Every job done and its threads ended; on a job's error, that error, once the jobs not begun are dropped
        and those under way have ended (abandon)."""
        try:
            self._reap(0)
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Drop the jobs not begun and let those under way end (each file is written whole or not at all), without
        their errors: no thread is left writing in a folder its caller may move or remove. A job dropped loses
        nothing: an ensemble's folder is thrown away, and a sweep's chunk waits on disk to be taken up. A second
        Ctrl+C (or SIGTERM) while it waits is raised once the threads have ended, not before."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        # Only those begun: concurrent.futures.wait never returns for a future cancelled before it began.
        begun = [f for f in self.pending if not f.cancelled()]
        told: BaseException | None = None
        while True:
            try:
                wait(begun)
                if self.pool is not None:
                    self.pool.shutdown()  # its threads joined
                break
            except BaseException as e:
                told = told or e
        self.pending = []
        if told is not None:
            raise told


def writer_threads(workers: int | None, tasks: int, executor: Executor | None, threads: int) -> Writing:
    """`threads` writer threads where the runs of `tasks` tasks are made in other processes (run_tasks'), none
    where they are made here: then nothing runs beside the writing."""
    return Writing(threads if runs_elsewhere(workers, tasks, executor) else 0)


class Joiner:
    """Joins the parts of an ensemble into `folder`'s final tables (format `fmt`) as chunks come in, in chunk
    order: a part is appended, and removed, once every chunk before it is in; on `writing`'s thread, if it has
    one (one: the appends keep their order)."""

    def __init__(
        self, folder: Path, fmt: str, firsts: list[int], facts: dict[str, Any], writing: Writing | None = None
    ):
        self.folder, self.fmt, self.firsts, self.facts = folder, fmt, firsts, facts
        self.parts = folder / "parts"
        self.parts.mkdir()
        self.waiting: dict[int, ChunkOut] = {}
        self.next = 0
        self.events = 0  # event rows of the chunks appended so far: the next chunk's first event_id
        self.writers: dict[str, Any] = {}  # touched by the appends alone
        self.writing = writing or Writing(0)
        self.runs: list[pd.DataFrame] = []
        self.aggregates = Summed()

    def add(self, k: int, out: ChunkOut) -> None:
        if out.tables is not None:  # made by a worker that does not share our disk
            tables = out.tables
            if isinstance(next(iter(tables.values())), pd.DataFrame):
                from redline.engine import tables as docs

                tables = {n: docs.arrow_table(df, docs.TABLES[n]) for n, df in tables.items()}
            write_parts(tables, self.parts, out.first)
            out.tables = None
        self.waiting[k] = out
        while self.next in self.waiting:
            out = self.waiting.pop(self.next)
            self.writing.do(self._append, out.first, self.events)
            self.events += out.events
            self.runs.append(out.runs)
            self.aggregates.add(out.aggregates)
            self.next += 1

    def _append(self, first: int, first_event: int) -> None:
        """A chunk's parts appended to the tables, its events numbered from `first_event`."""
        for name in STREAMED:
            path = part_path(self.parts, name, first)
            self._write(name, read_part(path, first_event))
            path.unlink()

    def _write(self, name: str, table: pa.Table) -> None:
        path = self.folder / f"{name}.{self.fmt}"
        writer = self.writers.get(name)
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if writer is None:
                writer = self.writers[name] = pq.ParquetWriter(
                    path, table.schema, **parquet_options(table.schema)
                )
            # A chunk's own dictionaries may list a value past the others' (a played game's cause): the schema's
            # pandas notes would differ, not the columns' types.
            writer.write_table(table.replace_schema_metadata(writer.schema.metadata))
        else:
            first = writer is None
            if first:
                writer = self.writers[name] = open(path, "w", newline="")  # noqa: SIM115 (closed in close())
            df = table.to_pandas(date_as_object=False)
            df.to_csv(writer, header=first, index=False, date_format="%Y-%m-%d", lineterminator="\n")

    def close(self) -> tuple[pd.DataFrame, Aggregates]:
        """Finish the tables (the runs table written whole) and return the runs table and the aggregates."""
        from redline.engine import tables as docs
        from redline.results.store import write_table

        self.writing.finish()
        if self.waiting or self.next != len(self.firsts):
            raise RuntimeError(
                f"chunks missing: {self.next} of {len(self.firsts)} joined"
            )  # a bug, not input
        for w in self.writers.values():
            w.close()
        self.writers = {}
        self.parts.rmdir()
        runs = docs.typed(pd.concat(self.runs, ignore_index=True), docs.RUNS, self.facts)
        write_table(runs, self.folder / f"runs.{self.fmt}", self.fmt)
        aggregates = self.aggregates.result()
        assert aggregates is not None  # an ensemble has at least one run, so one chunk
        return runs, aggregates

    def abandon(self) -> None:
        try:
            self.writing.abandon()
        finally:  # its files closed, even after a second Ctrl+C
            for w in self.writers.values():
                with contextlib.suppress(Exception):  # the folder is thrown away with whatever it holds
                    w.close()
            self.writers = {}
