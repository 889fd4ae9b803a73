"""Where runs execute: local worker processes (the default), or a Dask cluster (`pip install 'redline[dask]'`).

    redline run SCENARIO --executor dask                         # a local Dask cluster of --workers processes
    redline run SCENARIO --executor dask --scheduler tcp://HOST:8786   # an existing cluster

Either way the runner submits chunks of runs to a `concurrent.futures.Executor` and puts the results in run order,
and each run's seed comes from the root seed: the tables are identical whatever the executor.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import math
import multiprocessing
import os
import re
import signal
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError
from typing import Any

# Seconds to reach a scheduler, and to wait for a worker once all are gone (default 10).
TIMEOUT_ENV = "REDLINE_DASK_TIMEOUT"
_SCHEDULER = re.compile(r"(tcp|tls|ws|wss|ucx|inproc)://[^\s/:]+(:\d{1,5})?/?")


def connect_timeout() -> float:
    """Read when Dask is used, not at import: a bad value must not break every command."""
    text = os.environ.get(TIMEOUT_ENV, "").strip() or "10"
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:
        raise ExecutorError(f"{TIMEOUT_ENV}={text[:40]!r}: give a number of seconds between 0 and 3600")
    return seconds


def check_executor_args(args: argparse.Namespace) -> None:
    """The executor flags, checked before any input is read or any run starts."""
    if args.executor == "local":
        if args.scheduler:
            raise ExecutorError("--scheduler goes with --executor dask")
        return
    if args.scheduler is not None and not _SCHEDULER.fullmatch(args.scheduler):
        raise ExecutorError(
            f"--scheduler {args.scheduler[:60]!r}: not a scheduler address (write tcp://HOST:PORT)"
        )
    if args.scheduler:
        connect_timeout()


# Executors whose workers run on this machine (a Dask cluster a command started itself), with their number: they
# write their chunks' part files into the output folder, instead of sending the tables back through the scheduler,
# and their number is fixed (a cluster of the user's may grow or shrink while the command runs).
_ON_THIS_MACHINE: weakref.WeakKeyDictionary[Executor, int] = weakref.WeakKeyDictionary()


def on_this_machine(executor: Executor | None) -> bool:
    """Whether the executor's workers share this machine's disk: local processes (None) or a local Dask cluster."""
    return executor is None or executor in _ON_THIS_MACHINE


def fixed_workers(executor: Executor) -> int | None:
    """How many workers the executor has for the whole command, where that is known: a local Dask cluster's."""
    return _ON_THIS_MACHINE.get(executor)


# Where the platform has it (POSIX), a local cluster's workers are forked from a server process (warm_local_cluster).
_FORKSERVER = "forkserver" in multiprocessing.get_all_start_methods()


def warm_local_cluster(args: argparse.Namespace) -> None:
    """With `--executor dask` and no scheduler: start now the server process that the local cluster's workers will
    be forked from, so that it imports Dask and the model while this process reads its input. Spawned workers would
    each import them after the cluster starts, which took longer than the rest of the cluster's start-up."""
    if not _FORKSERVER or getattr(args, "executor", None) != "dask" or getattr(args, "scheduler", None):
        return
    if importlib.util.find_spec("distributed") is None:
        return  # executor_from_args says what is missing
    from multiprocessing import forkserver

    # Only the server's first start reads the preload: a pool of the runner may have started it already.
    multiprocessing.get_context("forkserver").set_forkserver_preload(["distributed", "redline.engine.runner"])
    # Ctrl+C reaches every process of the terminal's group: this one answers it and closes the cluster, whose
    # workers would each print a traceback. A server started with SIGINT ignored hands that on to every process
    # it forks (as the local pool's workers ignore it); this process's own handler is back a moment later.
    try:
        answer = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: the workers answer Ctrl+C as Dask's do
        forkserver.ensure_running()
        return
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, answer)


class ExecutorError(Exception):
    """An executor that cannot be had: Dask missing, a scheduler out of reach. One line, exit status 2."""


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="local worker processes (default) or a Dask cluster",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="with --executor dask: an existing scheduler (default: start a local cluster)",
    )


# A cluster that this command starts for itself: its workers are forked from the server that warm_local_cluster
# started (spawn is Dask's default where none runs), and they do not sample their own stacks every 10 ms for
# Dask's profiler, which no one reads here and which takes the interpreter lock from the runs. For the same reason
# its servers check their event loops' health, the machine's load and the workers' memory every one to five
# seconds, not every 20, 500 and 100 ms: with those wake-ups, 2,000 runs on two workers took 12-15% more time and
# CPU than on local processes, and without them about the same (a worker past its memory limit is still stopped,
# a second later). Nor does its scheduler balance work by stealing tasks: they wait at the scheduler until a
# worker is free (Dask's queuing), and on workers that are all alike there is nothing to even out.
_LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver" if _FORKSERVER else "spawn",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


@contextlib.contextmanager
def executor_from_args(args: argparse.Namespace) -> Iterator[Executor | None]:
    """The executor the flags ask for: None for local processes (the runner makes its own pool)."""
    if args.executor == "local":
        check_executor_args(args)
        yield None
        return
    check_executor_args(args)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorError("--executor dask needs Dask: pip install 'redline[dask]'") from None
    quieted: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        stack.callback(_restore_levels, quieted)  # last out: after the client has closed
        # A result on its way back when the scheduler goes, or when Ctrl+C cancels it, raises in Dask's event loop,
        # which logs a traceback each (in tornado's logger): those go, and the loss or the interruption is told.
        tornado_log = logging.getLogger("tornado.application")
        tornado_log.addFilter(_closed_comms)
        stack.callback(tornado_log.removeFilter, _closed_comms)
        # A local cluster's scheduler, in this process, logs as an error each result it can no longer hand over
        # because the command cancelled it (Ctrl+C): 'forgotten' keys, which only a cancellation leaves.
        scheduler_log = logging.getLogger("distributed.scheduler")
        scheduler_log.addFilter(_forgotten)
        stack.callback(scheduler_log.removeFilter, _forgotten)
        # A worker that dies holding finished chunks makes the client warn that it reschedules them: Dask runs
        # them again on the workers left (the same seeds, so the same tables), and a cluster left with none is told
        # by the watch below, in one line. The warning would be a second line of a command that went on, or ended.
        client_log = logging.getLogger("distributed.client")
        client_log.addFilter(_rescheduled)
        stack.callback(client_log.removeFilter, _rescheduled)
        if args.scheduler:
            try:
                client = stack.enter_context(Client(args.scheduler, timeout=connect_timeout()))
            except (OSError, TimeoutError, ValueError) as e:
                raise ExecutorError(f"cannot reach the Dask scheduler at {args.scheduler} ({e})") from None
        else:
            workers = getattr(args, "workers", None) or os.cpu_count() or 1
            if getattr(args, "command", None) != "sweep":  # a sweep's --runs counts replications per point
                workers = min(workers, getattr(args, "runs", workers))  # never more processes than the runs
            # The model first: its imports (Mesa, numpy) take this process about as long as the server that
            # warm_local_cluster started takes to import it with Dask, and the cluster waits for that server. Done
            # after the cluster, as the command would, they added their whole time to its start.
            import redline.engine.runner  # noqa: F401

            stack.enter_context(dask.config.set(_LOCAL_CLUSTER_CONFIG))
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # Quiet: a task that fails reaches the command as its error; what the workers log as they are
                    # stopped (chunks cancelled by Ctrl+C, a heartbeat to a scheduler already closed) is noise.
                    silence_logs=logging.CRITICAL,
                )
            )
            client = stack.enter_context(Client(cluster))
        from redline.engine.dask_worker import SetAsideStartUpHeap

        # Each worker, as it joins, sets aside what it holds and keeps freed memory (redline.engine.heap), as the
        # local pool's workers do: a Dask worker holds much more at start than they do.
        client.register_plugin(SetAsideStartUpHeap())
        # pure=False: each chunk is run once, so Dask need not hash every task's arguments (the scenario and its
        # seeds) to find a result it could reuse; hashing cost more than the runs of a small chunk.
        executor = _settling_executor(client, pure=False)
        if not args.scheduler:
            _ON_THIS_MACHINE[executor] = workers
        watch = _WorkersWatch(client, executor, connect_timeout()) if args.scheduler else None
        sweep = getattr(args, "command", None) == "sweep"
        kept = "; its finished chunks are kept and --resume goes on" if sweep else ""
        try:
            yield executor
        except Exception as e:
            if watch is not None and watch.gone:
                raise ExecutorError(
                    f"the Dask cluster at {args.scheduler} has had no workers for {watch.patience:g} s{kept}"
                ) from None
            if not _lost(client, e):
                raise
            # The client logs its failed reconnection as it closes, a traceback each: the line below says it all.
            _quiet(_CLIENT_LOGGERS, quieted)
            address = args.scheduler or client.scheduler.address
            raise ExecutorError(f"lost the Dask scheduler at {address}{kept}") from None
        except BaseException:  # Ctrl+C or SIGTERM: the command says it was interrupted, and that is all
            # A local cluster's scheduler lives in this process and logs, as an error, the results it can no
            # longer gather once the tasks are cancelled (a line now and then, by timing).
            _quiet([n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"], quieted)
            raise
        finally:
            if watch is not None:
                watch.stop()  # before the client closes


def _settling_executor(client: Any, **options: Any) -> Executor:
    """`client.get_executor(**options)`, but every future it hands out is settled. Dask's own fills a future in once
    it has fetched the task's result; if the scheduler (or the only worker) is lost during that fetch, the fetch
    raises in Dask's event loop and the future stays pending for ever: a command waiting on its last chunk hung
    (a sweep whose scheduler was killed as the last chunk's result came in, 2 times in 2). Here the fetch's error
    settles the future, and the command tells it as it tells any lost scheduler or cluster; and a result fetched
    whole is handed on however the task's status reads by then (_settle). The parts of Dask this reaches into are
    not public: where a version lacks them, its own executor is used."""
    import concurrent.futures as cf

    try:
        from distributed import Future as DaskFuture
        from distributed.cfexecutor import ClientExecutor
        from tornado import gen
    except ImportError:
        return client.get_executor(**options)
    if not (hasattr(ClientExecutor, "_wrap_future") and hasattr(DaskFuture, "_result")):
        return client.get_executor(**options)

    @gen.coroutine
    def cascade(future: Any, settled: cf.Future) -> Any:
        try:
            result = yield future._result(raiseit=False)
        except BaseException as e:  # raised while fetching the result, before the future was told anything
            # An error, not a cancellation of the fetch itself (asyncio's), which the command would take for Ctrl+C;
            # a CancelledError of concurrent.futures is what a lost scheduler gives the command (_lost).
            error = e if isinstance(e, Exception) else cf.CancelledError(f"the result was not fetched: {e!r}")
            with contextlib.suppress(cf.InvalidStateError):  # the command cancelled it meanwhile
                settled.set_exception(error)
            return
        _settle(settled, future.status, result)

    class Settling(ClientExecutor):
        def _wrap_future(self, future: Any) -> cf.Future:
            # ClientExecutor._wrap_future, with `cascade` in place of Dask's own.
            settled: cf.Future = cf.Future()

            def cancel_the_task(f: cf.Future) -> None:
                if f.cancelled() and future.status != "cancelled":
                    future.cancel()

            settled.add_done_callback(cancel_the_task)
            self._client.loop.add_callback(cascade, future, settled)
            return settled

    return Settling(client, **options)


def _settle(settled: Future, status: str, outcome: Any) -> None:
    """Hand on what a Dask future came to (`outcome`, from its `_result(raiseit=False)`): its result, its error (a
    (type, value, traceback) triple when `status` is 'error'), or its cancellation. A result fetched whole is a
    result whatever the status reads by then: its worker may have gone just after, and the task be 'lost' or
    'pending' again. Dask's own hand-over took such a result for an error's triple, and the command ended in a
    TypeError's traceback (a sweep whose only worker was killed, once in a clean clone's test run)."""
    with contextlib.suppress(InvalidStateError):  # the command cancelled it meanwhile
        if status == "cancelled":
            if settled.cancel():
                settled.set_running_or_notify_cancel()  # as Dask does: wait() and as_completed() wake up
        elif status == "error" and isinstance(outcome, tuple) and len(outcome) == 3:
            _, error, traceback = outcome
            settled.set_exception(error.with_traceback(traceback))
        else:
            settled.set_result(outcome)


class _WorkersWatch:
    """On a cluster of the user's: cancels the command's tasks once it has had workers and then none for
    `patience` seconds (REDLINE_DASK_TIMEOUT), as they would wait for one forever. A cluster with no workers yet
    is waited for, as before: workers may join late (a batch queue's jobs)."""

    def __init__(self, client: Any, executor: Any, patience: float):
        self.patience = patience
        self.gone = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(client, executor), daemon=True, name="redline Dask workers watch"
        )
        self._thread.start()

    def _run(self, client: Any, executor: Any) -> None:
        had, since = False, None  # since: when the last worker went
        while not self._stop.wait(1.0):
            if client.status != "running":
                return  # the scheduler lost: the client cancels the tasks itself
            try:
                workers = client.scheduler_info(n_workers=0)["n_workers"]
            except Exception:  # the scheduler going: as above
                return
            if workers or not had:
                had, since = had or workers > 0, None
                continue
            since = since or time.monotonic()
            if time.monotonic() - since > self.patience:
                self.gone = True
                executor.shutdown(wait=False)  # cancels every task: the command's wait ends
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# The loggers a client writes to while it tries to reconnect to a lost scheduler and then closes.
_CLIENT_LOGGERS = ("distributed.client", "distributed.utils", "distributed.batched", "distributed.core")


def _lost(client: Any, error: Exception) -> bool:
    """Whether the client has lost its scheduler: it cancels every future it holds (a CancelledError here, where
    redline cancels none before an error of its own) and reconnects or closes."""
    from concurrent.futures import CancelledError

    from distributed.client import ClosedClientError
    from distributed.comm import CommClosedError

    return (
        isinstance(error, CancelledError | ClosedClientError | CommClosedError) or client.status != "running"
    )


def _closed_comms(record: logging.LogRecord) -> bool:
    """False for a record of a closed connection (told as a lost scheduler) or of a result cancelled on its way
    (after an interruption, or by that loss); true for any other."""
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError

    error = record.exc_info[1] if record.exc_info else None
    return not isinstance(error, CommClosedError | FutureCancelledError)


def _forgotten(record: logging.LogRecord) -> bool:
    """False for the scheduler's record of keys it could not gather because they were forgotten (cancelled)."""
    message = record.getMessage()
    return not (message.startswith("Couldn't gather keys") and "'forgotten'" in message)


def _rescheduled(record: logging.LogRecord) -> bool:
    """False for the client's record of results it could not gather from a lost worker and runs again."""
    message = record.getMessage()
    return not (message.startswith("Couldn't gather") and "rescheduling" in message)


def _quiet(names: Iterable[str], levels: dict[str, int]) -> None:
    """Silence the loggers `names` until _restore_levels puts back the levels noted in `levels`."""
    for name in names:
        levels.setdefault(name, logging.getLogger(name).level)
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _restore_levels(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
