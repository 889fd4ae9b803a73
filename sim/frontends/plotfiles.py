"""The files of a results folder made for people: its plots (which ones, and where they are drawn) and summary.md;
and `write_ensemble`, the folder `redline run` writes.

Nothing here draws or loads a plotting library. When an ensemble's runs took a pool of worker processes, its plots
are drawn side by side in those workers, idle once the runs are done, and this process only writes the bytes they
hand back (it never loads matplotlib); otherwise they are drawn here, through redline.frontends.plots, one after
another.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline.results.outputs import write_atomic
from redline.words import tell_missing_glyphs

if TYPE_CHECKING:
    from redline.language.spec import Scenario
    from redline.results.store import Digest

PLOT_FILES = ("timeline.png", "attacks.png", "outcomes.png", "network.png")


def plot_png(name: str, res: Any, dyads: Sequence[tuple[str, str]] | None = None) -> tuple[bytes, set[str]]:
    """The plot written as `name` (one of PLOT_FILES), as PNG bytes, with the characters of its texts that no font
    has: what a worker draws and hands back (the caller tells of the characters, once for all the plots)."""
    from redline.frontends import plots
    from redline.frontends.plotstyle import drawn

    return drawn(plots.figure_of(name, res, dyads))


def prepare_to_draw() -> None:
    """In a worker that has run its last chunk of an ensemble while others still run theirs: import what drawing
    the plots needs (matplotlib and redline's plots, about half a second), in that idle time rather than after the
    runs, when the plots wait for it."""
    import gc

    from redline.engine.heap import set_aside_start_up_heap
    from redline.frontends import plots  # noqa: F401
    from redline.frontends.plotstyle import drawn  # noqa: F401

    # The worker may run another ensemble's chunks (a program's next call): set matplotlib's objects aside as its
    # start-up heap was, once the last chunk's models are collected (else they would be set aside with them).
    gc.collect()
    set_aside_start_up_heap()


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
        made = [plot_png(name, res, dyads) for name in PLOT_FILES]
    else:
        futures = [executor.submit(plot_png, name, res, dyads) for name in PLOT_FILES]
        try:
            made = [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    pngs = [png for png, _ in made]
    tell_missing_glyphs(set().union(*(missing for _, missing in made)))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomic(folder / name, png) for name, png in zip(PLOT_FILES, pngs, strict=True)]


def write_extras(res, folder, executor=None, *, plots: bool = True) -> None:
    """The plots and summary.md of results (or a Digest of them), written into `folder`; the plots drawn on
    `executor`'s workers, if given. Without `plots`, summary.md alone (`redline plot` draws them later)."""
    from redline.results.summary import summary

    pngs = all_plots(res, Path(folder), executor=executor) if plots else []
    (Path(folder) / "summary.md").write_text(summary(res, [p.name for p in pngs]))


def save_report(res, out, *, fmt: str = "parquet", force: bool = False):
    """Write the results folder with its plots and summary.md, all in one atomic step."""
    return res.save(out, fmt=fmt, force=force, extra=lambda folder: write_extras(res, folder))


def write_ensemble(
    scenario: Scenario, runs: int, seed: int, out, *, plots: bool = True, **options: Any
) -> Digest:
    """The folder `redline run` writes: `runs` runs of `scenario` from root seed `seed` streamed into `out` as they
    finish, with summary.md and (unless `plots` is false) the plots, drawn side by side in worker processes (the
    runs' own, once idle). `options` are those of redline.results.ensemble.stream_ensemble: fmt, executor,
    workers, progress, source, force."""
    from redline.results.ensemble import stream_ensemble

    jobs = len(PLOT_FILES) if plots else 1  # the summary alone is written here: no pool is started for it
    extras = partial(write_extras, plots=plots)
    prepare = prepare_to_draw if plots else None
    return stream_ensemble(
        scenario, runs, seed, out, extras=extras, extra_jobs=jobs, prepare=prepare, **options
    )
