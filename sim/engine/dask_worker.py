"""What redline asks of each Dask worker as it joins a cluster (registered by redline.engine.executors)."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from redline.engine.heap import prepare_worker


class SetAsideStartUpHeap(WorkerPlugin):
    """Before its first chunk, the worker puts what it holds out of the garbage collector's reach: Dask's own
    modules and state, which full collections during the runs would otherwise walk; and it keeps the memory of one
    chunk's arrays for the next, as the local pool's workers do (redline.engine.heap.prepare_worker)."""

    name = "redline-set-aside-start-up-heap"  # registered again by the next command on the same cluster: once

    def setup(self, worker: Any) -> None:
        prepare_worker()
