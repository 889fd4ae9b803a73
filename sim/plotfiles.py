"""The plots of a results folder as the files a command writes: which ones, and where they are drawn.

Nothing here draws or loads a plotting library. When an ensemble's runs took a pool of worker processes, its plots
are drawn side by side in those workers, idle once the runs are done, and this process only writes the bytes they
hand back (it never loads matplotlib); otherwise they are drawn here, through redline.plots, one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from redline.outputs import write_atomic

PLOT_FILES = ("timeline.png", "attacks.png", "outcomes.png", "network.png")


def plot_png(name: str, res: Any, dyads: Sequence[tuple[str, str]] | None = None) -> bytes:
    """The plot written as `name` (one of PLOT_FILES), as PNG bytes: what a worker draws and hands back."""
    from redline import plots
    from redline.plotstyle import png_bytes

    return png_bytes(plots.figure_of(name, res, dyads))


def all_plots(
    res: Any,
    folder: Path,
    dyads: Sequence[tuple[str, str]] | None = None,
    *,
    executor: Executor | None = None,
) -> list[Path]:
    """The plots of results (or of a Digest of them) written into `folder`: timeline, attacks, outcomes and
    network, each drawn on `executor` if given, else here. None is written until all are drawn, so a plot that
    fails leaves the folder as it was; each file is written whole or not at all."""
    if executor is None:
        pngs = [plot_png(name, res, dyads) for name in PLOT_FILES]
    else:
        futures = [executor.submit(plot_png, name, res, dyads) for name in PLOT_FILES]
        try:
            pngs = [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomic(folder / name, png) for name, png in zip(PLOT_FILES, pngs, strict=True)]
