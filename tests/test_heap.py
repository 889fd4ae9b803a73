"""How the processes that run the runs hold their memory (redline.engine.heap)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Ten arrays of 1 MB made and dropped twenty times, as chunks make and drop their columns: the page faults taken
# after a first round, in a fresh interpreter, with or without keep_freed_memory.
CHURN = """
import resource, numpy as np
from redline.engine.heap import keep_freed_memory
took = keep_freed_memory() if {keep} else None
def churn():
    arrays = [np.ones(1 << 17) for _ in range(10)]
    del arrays
churn()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    churn()
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(keep: bool) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", CHURN.format(keep=keep)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    took, faults = done.stdout.split()
    return took, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator and Linux's fault counts")
def test_freed_memory_is_kept_for_the_next_chunk():
    took, kept = _faults(True)
    if took != "True":
        pytest.skip("this C library has no mallopt (not glibc): its own settings stay")
    _, given_back = _faults(False)
    # glibc's own thresholds give the 10 MB back each round and fault it in again: about 2,500 faults a round
    assert given_back > 20 * 1000, given_back
    assert kept < 1000, kept


def test_a_worker_sets_both_before_its_first_chunk(monkeypatch):
    from redline.engine import heap, runner

    done = []
    monkeypatch.setattr(heap, "keep_freed_memory", lambda: done.append("kept") or True)
    monkeypatch.setattr(heap, "set_aside_start_up_heap", lambda: done.append("set aside"))
    monkeypatch.setattr(
        runner.threading, "Thread", lambda **kw: type("T", (), {"start": lambda self: None})()
    )
    monkeypatch.setattr(runner.signal, "signal", lambda *a: None)
    runner._worker_init()
    assert sorted(done) == ["kept", "set aside"]
