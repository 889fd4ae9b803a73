"""The ensemble runner: many runs of one scenario, over any `concurrent.futures.Executor`.

Each run's seed is spawned from the root seed with numpy's SeedSequence, so a run depends only on (scenario, root
seed, run index): the tables are identical whatever the number of workers or the executor. A task is a chunk of
runs, not one run, so that process start-up and pickling are paid per chunk.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from redline.engine.heap import prepare_worker
from redline.engine.model import EVENT_FIELDS, METRIC_FIELDS, EscalationModel
from redline.engine.tables import CAUSES, MANNERS
from redline.language.spec import Scenario


def run_seeds(root: int, runs: int, first: int = 0) -> list[int]:
    """The seeds of runs first..first+runs-1: child r of SeedSequence(root), as a 63-bit integer."""
    out = []
    for r in range(first, first + runs):
        words = np.random.SeedSequence(root, spawn_key=(r,)).generate_state(2, np.uint32)
        out.append(int((int(words[0]) << 32 | int(words[1])) & (2**63 - 1)))
    return out


CHUNK_RUNS = (
    50  # runs per chunk: fixed, so that the parts of an ensemble do not depend on the number of workers
)


class Coder:
    """Text values as small integer codes, with the dictionary they index: known values first, others appended."""

    def __init__(self, known: Sequence[str] = ()):
        self.values: list[str] = list(known)
        self.index = {v: i for i, v in enumerate(self.values)}

    def code(self, value: str) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.values)
            self.values.append(value)
        return i

    def codes(self, values: Sequence[str], empty: int | None = None) -> np.ndarray:
        """The codes of `values`; an empty value gets `empty` (-1: a null) when given."""
        known = self.index if empty is None else {**self.index, "": empty}
        try:  # every value met before, as is most often the case: one pass, in C
            return np.fromiter(map(known.__getitem__, values), dtype=np.int16, count=len(values))
        except KeyError:  # a value not met before: rare, so the pass above does not pay for it
            out = [empty if (empty is not None and not v) else self.code(v) for v in values]
            return np.asarray(out, dtype=np.int16)


@dataclass
class Chunk:
    """The raw columns of some runs, as compact numpy arrays: ids are codes into the dictionaries `actors`,
    `causes` and `manners` (an actor code -1: none), rungs are ladder positions."""

    runs: np.ndarray
    seeds: np.ndarray
    events: dict[str, np.ndarray]  # run, EVENT_FIELDS
    metrics: dict[str, np.ndarray]  # run, METRIC_FIELDS
    # run, step, actor, crossed_by (text: the crossers joined by commas), day, target, rung (of the crossing act)
    red_lines: dict[str, np.ndarray]
    actors: list[str]
    causes: list[str]
    manners: list[str]


_ACTOR_FIELDS = ("source", "target", "attributed_to", "actor")
_INT_FIELDS = {"run": np.int64, "step": np.int32, "day": np.int32, "rung": np.int16, "posture": np.int16,
               "attacks": np.int32}  # fmt: skip


def collect(finished: Iterable[tuple[int, int, EscalationModel]]) -> Chunk:
    """The columns of finished models, each tagged with its run and seed, coded as they are gathered."""
    actors: Coder | None = None
    causes, manners = Coder(CAUSES), Coder(MANNERS)
    ev: dict[str, list[np.ndarray]] = {f: [] for f in ("run", *EVENT_FIELDS)}
    me: dict[str, list[np.ndarray]] = {f: [] for f in ("run", *METRIC_FIELDS)}
    red: dict[str, list] = {f: [] for f in ("run", "step", "actor", "crossed_by", "day", "target", "rung")}
    runs, seeds = [], []
    for run, seed, m in finished:
        if actors is None:
            actors = Coder(list(m.spec.actors))  # the scenario's order: the dictionary of every actor column
        runs.append(run)
        seeds.append(seed)
        for part, cols in ((ev, m.events), (me, m.metrics)):
            n = len(cols["step"])
            part["run"].append(np.full(n, run, dtype=np.int64))
            for f, values in cols.items():
                if f in _ACTOR_FIELDS:
                    part[f].append(actors.codes(values, empty=-1 if f == "attributed_to" else None))
                elif f == "cause":
                    part[f].append(causes.codes(values))
                elif f == "manner":
                    part[f].append(manners.codes(values))
                else:  # fromiter: each value converted as it comes, without a first pass to find the type
                    part[f].append(np.fromiter(values, _INT_FIELDS.get(f, np.float64), len(values)))
        for step, actor, crossers, day, struck, rung in m.red_lines:
            red["run"].append(run)
            red["step"].append(step)
            red["actor"].append(actors.code(actor))
            red["crossed_by"].append(",".join(crossers))
            red["day"].append(day)
            red["target"].append(actors.code(struck))
            red["rung"].append(rung)

    def joined(part: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
        return {f: np.concatenate(a) if a else np.array([], dtype=_INT_FIELDS.get(f, np.float64)) for f, a in
                part.items()}  # fmt: skip

    return Chunk(
        np.asarray(runs, dtype=np.int64),
        np.asarray(seeds, dtype=np.int64),
        joined(ev),
        joined(me),
        {
            "run": np.asarray(red["run"], dtype=np.int64),
            "step": np.asarray(red["step"], dtype=np.int32),
            "actor": np.asarray(red["actor"], dtype=np.int16),
            "crossed_by": np.asarray(red["crossed_by"], dtype=object),
            "day": np.asarray(red["day"], dtype=np.int32),
            "target": np.asarray(red["target"], dtype=np.int16),
            "rung": np.asarray(red["rung"], dtype=np.int16),
        },
        actors.values if actors is not None else [],
        causes.values,
        manners.values,
    )


def finished_runs(items: Iterable[tuple[int, Scenario, int]]) -> Iterator[tuple[int, int, EscalationModel]]:
    """Each (run, scenario, seed) run, as (run, seed, model), one at a time: a model is taken apart once the
    caller has read it and asks for the next (EscalationModel.take_apart: its memory is freed at once, and the
    garbage collector's passes do not grow with the runs of a chunk)."""
    for run, scn, seed in items:
        m = EscalationModel(scn, rng=seed).run()
        yield run, seed, m
        m.take_apart()


def simulate(scenario: Scenario, runs: Sequence[int], seeds: Sequence[int]) -> Chunk:
    """Run the scenario once per (run, seed). A module-level function, so worker processes can be sent it."""
    return collect(finished_runs((run, scenario, seed) for run, seed in zip(runs, seeds, strict=True)))


def chunks_of(runs: Sequence[int], size: int = CHUNK_RUNS) -> list[Sequence[int]]:
    """Split runs into chunks of `size` runs (the last may be shorter): the same whatever the workers."""
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_chunks(
    scenario: Scenario,
    runs: Sequence[int],
    seeds: Sequence[int],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    work: Callable[..., Any] | None = None,
    on_done: Callable[[int, Any], None] | None = None,
    then: Callable[[], Any] | None = None,
) -> list[Any]:
    """Run the given runs in chunks of CHUNK_RUNS on `executor` (default: a process pool of `workers`): what
    `work(items)` (default: simulate_items) makes of each chunk, in run order. With `on_done`, each is handed to it
    as it finishes instead, and nothing is kept. `then`: see run_tasks."""
    by_run = dict(zip(runs, seeds, strict=True))
    parts = chunks_of(list(runs))
    tasks = [(k, [(r, scenario, by_run[r]) for r in part]) for k, part in enumerate(parts)]
    done: dict[int, Any] = {}
    run_tasks(tasks, on_done or done.__setitem__, executor=executor, workers=workers, progress=progress,
              work=work, then=then)  # fmt: skip
    return [done[k] for k in sorted(done)]


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe (a POSIX caller with no other Python threads): fast, and scripts need no `__main__`
    guard. Otherwise workers start from a clean server process (forkserver), as forking while another Python thread
    holds a lock (logging, a Dask or Solara loop) may deadlock. The native threads that numpy's OpenBLAS and
    pyarrow's jemalloc start at import are idle pools with their own fork handlers; Python 3.12 still warns about
    them (a DeprecationWarning, visible under pytest)."""
    methods = multiprocessing.get_all_start_methods()
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not _of_a_pool(t)]
    if "fork" in methods and not others:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["redline.engine.runner"])  # workers start with the model already imported
        return ctx
    return multiprocessing.get_context("spawn")


def _of_a_pool(thread: threading.Thread) -> bool:
    """A thread of a process pool's own machinery (its manager; a queue's feeder, which an interrupted pool may
    leave blocked on a pipe whose readers are gone): it holds nothing a new worker uses, so it does not make
    forking unsafe, and an interruption that leaves one behind must not turn the next pool into a forkserver (whose
    workers run a script's body again)."""
    from concurrent.futures import process

    manager = getattr(process, "_ExecutorManagerThread", None)
    return (manager is not None and isinstance(thread, manager)) or thread.name == "QueueFeederThread"


def _watch_parent(parent: int) -> None:
    """In a worker: end when the process that started it is gone (killed, even by SIGKILL), rather than run on
    as an orphan."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _worker_init() -> None:
    """Ctrl+C reaches every process of the terminal's group: the parent alone answers it, and stops the workers.
    SIGTERM ends a worker quietly, without the parent's handler (inherited by fork) raising in it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    prepare_worker()


_POOL: tuple[ProcessPoolExecutor, int] | None = None
_POOL_LOCK = threading.Lock()


def _pool(size: int) -> ProcessPoolExecutor:
    """One pool per process, reused by every ensemble of the same size: starting workers costs more than a small
    ensemble, the more so from a forkserver."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            pool, n = _POOL
            if n == size and not getattr(pool, "_broken", False):
                return pool
            _POOL = None
            pool.shutdown(
                wait=False, cancel_futures=True
            )  # its threads do not count against forking (_of_a_pool)
        pool = ProcessPoolExecutor(max_workers=size, mp_context=_context(), initializer=_worker_init)
        _POOL = (pool, size)
        return pool


def runs_elsewhere(workers: int | None, tasks: int, executor: Executor | None = None) -> bool:
    """Whether run_tasks would make `tasks` tasks' runs in other processes (a pool, or `executor`'s)."""
    return executor is not None or _local_workers(workers, tasks) > 1


def _local_workers(workers: int | None, tasks: int) -> int:
    """How many processes run_tasks spreads `tasks` tasks over on this machine (1: this one): never more than the
    work, and 1 in a daemon process (a worker of another tool's pool), which may not have children."""
    if multiprocessing.current_process().daemon:
        return 1
    return min(workers or default_workers(), max(1, tasks))


@contextlib.contextmanager
def idle_workers(
    workers: int | None, tasks: int, executor: Executor | None = None, jobs: int = 1
) -> Iterator[Executor | None]:
    """Where the `jobs` jobs that follow the runs (the plots) can go, now that the workers that made them are idle:
    the pool that run_tasks ran `tasks` tasks on with `workers`, or `executor` if it is a Dask cluster this command
    started on this machine (its workers are processes). Where the runs were made in this process (one task) but
    `workers` allows more than one, a pool of up to `jobs` workers is started for them: the jobs then run side by
    side, each worker importing what they need while the others do. None where the jobs are best done here: one
    worker, one job, or another executor. An interruption stops the pool's workers at once, as during the runs."""
    if executor is not None:
        from redline.engine.executors import on_this_machine

        yield executor if on_this_machine(executor) else None
        return
    size = _local_workers(workers, tasks)
    if size <= 1:
        size = _local_workers(workers, jobs)
    pool = _pool(size) if size > 1 else None
    try:
        yield pool
    except BaseException:
        if pool is not None:
            discard_pool(pool)
        raise


def discard_pool(pool: ProcessPoolExecutor) -> None:
    """After an interruption: stop the workers now (their chunks are lost anyway) and forget the pool."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None and _POOL[0] is pool:
            _POOL = None
    for proc in list(getattr(pool, "_processes", {}).values()):  # no public way to stop running workers
        with contextlib.suppress(Exception):
            proc.terminate()
    # A worker stopped while it wrote a result leaves the pool's manager thread reading the rest of a message that
    # never comes, and the interpreter waits for that thread when it exits: the program hangs after its last line.
    # The parent never writes to the result pipe; with its own end of it closed, the read ends (at end of file)
    # once the stopped workers are gone, and the manager thread finds the pool broken and ends.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
    pool.shutdown(wait=False, cancel_futures=True)


def _progress(total: int, progress: bool | None):
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    return _bar_class()(total=total, unit="run", desc="runs", file=sys.stderr, leave=False)


@functools.cache
def _bar_class() -> type:
    """tqdm's bar (a widget in a notebook, text in a terminal) without its monitor thread: with no thread but the
    main one, workers are forked (_context); a bar redrawn as runs finish needs no monitor."""
    from tqdm.auto import tqdm

    return type("RunsBar", (tqdm,), {"monitor_interval": 0})


# A Dask task costs the command's own process (its scheduler and client) tens of milliseconds, whatever it holds:
# with one 50-run chunk a task, 5,000 runs on a local cluster of two workers took 1.12 x the local pool's time,
# with four 1.08 x. On a cluster of known size a task holds several chunks, though never so few tasks that a
# worker would wait long for the others at the end. Each chunk is still run and handed on alone (its own part
# file), so the tables do not change; an interruption loses the tasks under way, up to four chunks each.
MAX_CHUNKS_PER_TASK = 4
TASKS_PER_WORKER = 8


def _chunks_per_task(executor: Executor | None, tasks: int) -> int:
    if executor is None:
        return 1  # a local pool's task costs little: one chunk each, so an interruption loses the fewest runs
    from redline.engine.executors import fixed_workers

    workers = fixed_workers(executor)
    if not workers:
        return 1  # a cluster of the user's, whose workers may come and go
    return max(1, min(MAX_CHUNKS_PER_TASK, tasks // (TASKS_PER_WORKER * workers)))


def _in_turn(work: Callable[..., Any], batch: Sequence[tuple[int, Sequence[Any]]]) -> list[Any]:
    """In a worker: `work` on each chunk of a task that holds several."""
    return [work(items) for _, items in batch]


def simulate_items(items: Sequence[tuple[int, Scenario, int]]) -> Chunk:
    """Run each (run, scenario, seed): a sweep's chunk, whose runs may belong to different points."""
    return collect(finished_runs(items))


def run_tasks(
    tasks: Sequence[tuple[int, Sequence[tuple[int, Scenario, int]]]],
    on_done: Callable[[int, Any], None],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    total: int | None = None,
    done: int = 0,
    work: Callable[..., Any] | None = None,
    then: Callable[[], Any] | None = None,
) -> None:
    """Run numbered tasks (chunk number, items) and hand each finished chunk to `on_done` in this process, as it
    finishes: the caller writes it to disk at once, so that an interruption loses only the chunks under way.
    `work(items)` makes what is handed on of each chunk (default: simulate_items, its raw columns); a worker
    process runs it, so it is a module-level function (or a functools.partial of one). `then()`, where the tasks go
    to workers, is sent as workers run out of chunks, up to once per worker: a worker with no chunk left takes it
    while the others finish theirs (what comes after the runs, begun in that idle tail: the plots' imports). Nothing
    waits for it, and what it returns or raises is dropped."""
    work = work or simulate_items
    workers = _local_workers(workers, len(tasks))
    bar = _progress(total or sum(len(items) for _, items in tasks), progress)
    if bar is not None:
        bar.update(done)
    own = executor is None and workers > 1
    try:
        if executor is None and not own:
            for k, items in tasks:
                chunk = work(items)
                on_done(k, chunk)
                if bar is not None:
                    bar.update(len(items))
            return
        pool = executor or _pool(workers)
        futures: dict = {}
        after: list = []
        owed = min(workers, len(tasks)) if then is not None else 0

        def offer_then() -> None:
            # One `then` for each worker that has no chunk left (fewer chunks out than workers), sent only then:
            # queued up front, a Dask scheduler hands it out ahead of the chunks it still holds back.
            while len(after) < owed and len(after) < workers - len(futures):
                after.append(pool.submit(then))  # type: ignore[arg-type]

        try:
            size = _chunks_per_task(executor, len(tasks))
            for i in range(0, len(tasks), size):
                batch = tasks[i : i + size]
                fut = pool.submit(work, batch[0][1]) if size == 1 else pool.submit(_in_turn, work, batch)
                futures[fut] = [(k, len(items)) for k, items in batch]
            offer_then()
            for fut in as_completed(futures):
                batch = futures.pop(fut)  # a finished future holds its result: let it go once handed on
                offer_then()
                outs = fut.result() if size > 1 else [fut.result()]
                for (k, n), out in zip(batch, outs, strict=True):
                    on_done(k, out)
                    if bar is not None:
                        bar.update(n)
        except BaseException:
            if own:
                discard_pool(pool)  # type: ignore[arg-type]
            else:
                for fut in [*futures, *after]:
                    fut.cancel()
            raise
    finally:
        if bar is not None:
            bar.close()
