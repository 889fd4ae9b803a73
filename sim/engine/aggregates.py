"""What the plots and summary.md read of an ensemble's events, gathered chunk by chunk, so that no step needs every
event row at once.

Per-run figures over steps (the highest hostile rung between two actors, the uses of force of an actor) are kept as
histograms over runs: for each step, how many runs had each value. Their sums over chunks are exact, their size does
not grow with the runs, and the median, mean or any percentile over runs comes back from them exactly.

    part = aggregate(events, runs, facts)      # one chunk's events (or a whole table)
    whole = combine([part0, part1, ...])       # in chunk order
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from redline.agents.actions import INJECTED, SCHEDULED

USE_OF_FORCE = 4  # MID hostility level of a use of force (as redline.results.analysis)
Dyad = tuple[str, str]


@dataclass
class Aggregates:
    runs: int
    # (source, target) -> [steps, rungs + 1]: runs by the highest rung of hostile acts from source to target each
    # step (column 0: none). Only the directions with some hostile act.
    hostile: dict[Dyad, np.ndarray]
    # actor -> [steps, n]: runs by the number of uses of force (MID 4-5) by the actor each step. Only actors with
    # some use of force.
    force: dict[str, np.ndarray]
    # actor -> [n]: runs by the number of uses of force by the actor over the whole run.
    force_runs: dict[str, np.ndarray]
    # actor -> [rungs + 1]: runs by the highest rung of the actor's own acts (column 0: none). Actors that acted.
    peak: dict[str, np.ndarray]
    # a, b (a dyad in the scenario's actor order), max (highest rung), size (acts): hostile acts either way.
    dyads: pd.DataFrame
    # source, target, action, cause, step, date: the first event of each (source, target, action, step) the
    # scenario scheduled or an --inject added, in table order.
    given: pd.DataFrame


def ordered_pairs(facts: dict[str, Any], source: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each (source, target) of two columns as a dyad in the scenario's actor order (A:B and B:A are one): the
    first members, the second members."""
    actors = pd.Index(list(facts["actors"]))
    s, t = np.asarray(source, dtype=object), np.asarray(target, dtype=object)
    rank_s, rank_t = actors.get_indexer(s), actors.get_indexer(t)
    rank_s[rank_s < 0], rank_t[rank_t < 0] = len(actors), len(actors)  # an actor of no scenario: last
    swap = rank_s > rank_t
    return np.where(swap, t, s), np.where(swap, s, t)


def dyad_totals(facts: dict[str, Any], hostile: pd.DataFrame) -> pd.DataFrame:
    """Per dyad (a, b) of hostile acts either way: the highest rung and the number of acts, sorted by a, b."""
    if not len(hostile):
        return pd.DataFrame({"a": [], "b": [], "max": [], "size": []}).astype(
            {"max": np.int64, "size": np.int64}
        )
    a, b = ordered_pairs(facts, hostile["source"], hostile["target"])
    g = pd.DataFrame({"a": a, "b": b, "rung": hostile["rung"].to_numpy()}).groupby(["a", "b"])["rung"]
    return g.agg(["max", "size"]).reset_index()


def rank_dyads(totals: pd.DataFrame) -> list[Dyad]:
    """The dyads the most intense first: highest rung, then most acts (then in the order of a, b)."""
    top = totals.set_index(["a", "b"]).sort_values(["max", "size"], ascending=False)
    return [(str(x), str(y)) for x, y in top.index]


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), [str(c) for c in values.cat.categories]
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _histograms(grid: np.ndarray, width: int, offset: int = 0) -> np.ndarray:
    """grid [k, runs, ...] of small whole numbers >= -offset: counts over runs of each value, [k, ..., width]."""
    g = np.moveaxis(grid, 1, -1) + offset  # [k, ..., runs]
    lead = g.shape[:-1]
    flat = (np.arange(int(np.prod(lead))).reshape(lead)[..., None] * width + g).ravel()
    return np.bincount(flat, minlength=int(np.prod(lead)) * width).reshape(*lead, width).astype(np.int64)


@dataclass
class Coded:
    """Events as codes, what `aggregate_coded` reads: ids are codes into `actors` and `causes`."""

    run: np.ndarray
    step: np.ndarray
    rung: np.ndarray
    mid_level: np.ndarray
    goldstein: np.ndarray
    source: np.ndarray
    target: np.ndarray
    actors: list[str]
    cause: np.ndarray
    causes: list[str]
    date: np.ndarray  # datetime64[ms]


def actor_codes(source: pd.Series, target: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Two actor columns as codes into one list of names: a source's and a target's categories may differ when
    read from a file."""
    src, src_names = _codes(source)
    tgt, tgt_names = _codes(target)
    names = list(dict.fromkeys([*src_names, *tgt_names]))
    index = {a: i for i, a in enumerate(names)}
    src = np.array([index[a] for a in src_names], dtype=np.int64)[src] if len(src) else src
    tgt = np.array([index[a] for a in tgt_names], dtype=np.int64)[tgt] if len(tgt) else tgt
    return src, tgt, names


def coded(events: pd.DataFrame) -> Coded:
    """An events table (in memory or read back) as codes."""
    src, tgt, names = actor_codes(events["source"], events["target"])
    cause, causes = _codes(events["cause"])

    def ints(col: str) -> np.ndarray:
        return events[col].to_numpy().astype(np.int64)

    return Coded(ints("run"), ints("step"), ints("rung"), ints("mid_level"), events["goldstein"].to_numpy(), src,
                 tgt, names, cause, causes, events["date"].to_numpy())  # fmt: skip


def aggregate(events: pd.DataFrame, runs: np.ndarray, facts: dict[str, Any]) -> Aggregates:
    """The aggregates of the events of `runs` (run numbers; a run with no event counts too)."""
    return aggregate_coded(coded(events), runs, facts)


def aggregate_coded(ev: Coded, runs: np.ndarray, facts: dict[str, Any]) -> Aggregates:
    """The aggregates of events given as codes (see `aggregate`)."""
    steps = int(facts["time"]["steps"])
    rungs = len(facts["ladder"])
    n = len(runs)
    row = pd.Index(runs).get_indexer(ev.run)
    step, rung = ev.step.astype(np.int64, copy=False), ev.rung.astype(np.int64, copy=False)
    src, tgt = ev.source.astype(np.int64, copy=False), ev.target.astype(np.int64, copy=False)
    names = ev.actors

    hostile_rows = ev.goldstein < 0
    pair = src[hostile_rows] * len(names) + tgt[hostile_rows]
    pairs, inv = _present(pair, len(names) ** 2)
    grid = _most((len(pairs), n, steps), (inv, row[hostile_rows], step[hostile_rows]), rung[hostile_rows])
    hist = _histograms(grid, rungs + 1, offset=1)
    hostile = {(names[p // len(names)], names[p % len(names)]): hist[i] for i, p in enumerate(pairs)}

    force_rows = ev.mid_level >= USE_OF_FORCE
    users, uinv = _present(src[force_rows], len(names))
    shape = (len(users), n, steps)
    flat = np.ravel_multi_index((uinv, row[force_rows], step[force_rows]), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.int64, copy=False)
    width = int(counts.max()) + 1 if counts.size else 1
    per_step = _histograms(counts, width)
    totals = counts.sum(axis=2)
    per_run = _histograms(totals, int(totals.max()) + 1 if totals.size else 1)
    force = {names[u]: per_step[i] for i, u in enumerate(users)}
    force_runs = {names[u]: per_run[i] for i, u in enumerate(users)}

    actors, ainv = _present(src, len(names))
    peak_grid = _most((len(actors), n), (ainv, row), rung)
    peaks = _histograms(peak_grid, rungs + 1, offset=1)
    peak = {names[a]: peaks[i] for i, a in enumerate(actors)}

    dyads = _dyads(facts, src[hostile_rows], tgt[hostile_rows], rung[hostile_rows], names)
    return Aggregates(n, hostile, force, force_runs, peak, dyads, _given(ev, facts))


def _present(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True) of codes from 0 to size - 1, counted rather than sorted."""
    present = np.flatnonzero(np.bincount(codes, minlength=size))
    position = np.zeros(max(size, 1), dtype=np.int64)
    position[present] = np.arange(len(present))
    return present, position[codes]


def _most(shape: tuple[int, ...], index: tuple[np.ndarray, ...], values: np.ndarray) -> np.ndarray:
    """An array of `shape` holding at each index the largest of the values given there (-1 where none is): one
    flat index, which numpy's ufunc.at takes much faster than a tuple."""
    out = np.full(int(np.prod(shape)), -1, dtype=np.int64)
    np.maximum.at(out, np.ravel_multi_index(index, shape), values)
    return out.reshape(shape)


def _dyads(
    facts: dict[str, Any], src: np.ndarray, tgt: np.ndarray, rung: np.ndarray, names: list[str]
) -> pd.DataFrame:
    """dyad_totals of hostile acts given as codes into `names`."""
    order = {a: i for i, a in enumerate(facts["actors"])}
    rank = np.array(
        [order.get(a, len(order)) for a in names], dtype=np.int64
    )  # an actor of no scenario: last
    swap = rank[src] > rank[tgt] if len(src) else np.zeros(0, dtype=bool)
    a, b = np.where(swap, tgt, src), np.where(swap, src, tgt)
    k = max(1, len(names))
    # pairs numbered in the order of the names' text, so that they come out sorted by a, then b
    text_rank = np.empty(k, dtype=np.int64)
    text_rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    by_text = np.argsort(text_rank)
    pairs, inv = _present(text_rank[a] * k + text_rank[b], k * k)
    top = _most((len(pairs),), (inv,), rung)
    label = np.array(names, dtype=object)
    return pd.DataFrame(
        {
            "a": label[by_text[pairs // k]] if len(pairs) else np.array([], dtype=object),
            "b": label[by_text[pairs % k]] if len(pairs) else np.array([], dtype=object),
            "max": top,
            "size": np.bincount(inv, minlength=len(pairs)).astype(np.int64),
        }
    )


def _given(ev: Coded, facts: dict[str, Any]) -> pd.DataFrame:
    """The first event of each (source, target, action, step) whose cause is a schedule or an --inject."""
    given = [i for i, c in enumerate(ev.causes) if c in (SCHEDULED, INJECTED)]
    rows = np.flatnonzero(np.isin(ev.cause, given))
    if len(rows):
        key = np.ravel_multi_index(
            (ev.source[rows], ev.target[rows], ev.rung[rows], ev.step[rows]),
            (len(ev.actors), len(ev.actors), len(facts["ladder"]), max(1, int(ev.step.max()) + 1)),
        )
        rows = rows[np.sort(np.unique(key, return_index=True)[1])]
    objects = np.array  # text columns as Python strings, as the plots and summary.md read them

    def text(values: Sequence[str], codes: np.ndarray) -> np.ndarray:
        return objects(list(values), dtype=object)[codes] if len(codes) else objects([], dtype=object)

    rung_ids = [r["id"] for r in facts["ladder"]]
    return pd.DataFrame(
        {
            "source": text(ev.actors, ev.source[rows]),
            "target": text(ev.actors, ev.target[rows]),
            "action": text(rung_ids, ev.rung[rows]),
            "cause": text(ev.causes, ev.cause[rows]),
            "step": ev.step[rows].astype(np.int64),
            "date": ev.date[rows],
        }
    )


def _add(into: dict, part: dict, runs: int, before: int) -> None:
    """Add a part's histograms (of its `runs` runs) to those of the parts before it (of `before` runs) by key, the
    wider one setting the width (counts past the other's last column are 0). A key holds only where something
    happened in some run of a part, so where one side lacks a key, each of its runs counts in column 0: nothing
    (no act, no use of force) in that run."""
    for key in into.keys() - part.keys():
        into[key][..., 0] += runs
    for key, h in part.items():
        have = into.get(key)
        if have is None:
            have = np.zeros((*h.shape[:-1], 1), dtype=h.dtype)
            have[..., 0] = before
        width = max(have.shape[-1], h.shape[-1])
        into[key] = _widened(have, width) + _widened(h, width)


def _widened(h: np.ndarray, width: int) -> np.ndarray:
    """A histogram with zeros past its last column, up to `width` columns: itself if it has as many (np.pad copies
    it even then, and a sweep sums thousands of chunks' histograms)."""
    if h.shape[-1] == width:
        return h
    out = np.zeros((*h.shape[:-1], width), dtype=h.dtype)
    out[..., : h.shape[-1]] = h
    return out


def combine(parts: Sequence[Aggregates]) -> Aggregates:
    """The aggregates of chunks together, given in chunk (run) order: the same histograms as `aggregate` of all
    their events at once, up to columns of zeros past the last count."""
    out = Aggregates(0, {}, {}, {}, {}, parts[0].dyads.iloc[:0], parts[0].given.iloc[:0]) if parts else None
    if out is None:
        raise ValueError("no chunk to combine")
    for p in parts:
        _add(out.hostile, p.hostile, p.runs, out.runs)
        _add(out.force, p.force, p.runs, out.runs)
        _add(out.force_runs, p.force_runs, p.runs, out.runs)
        _add(out.peak, p.peak, p.runs, out.runs)
        out.runs += p.runs
    dyads = pd.concat([p.dyads for p in parts], ignore_index=True)
    out.dyads = dyads.groupby(["a", "b"]).agg(max=("max", "max"), size=("size", "sum")).reset_index()
    given = pd.concat([p.given for p in parts], ignore_index=True)
    out.given = given.drop_duplicates(["source", "target", "action", "step"]).reset_index(drop=True)
    return out


def percentiles(hist: np.ndarray, qs: Sequence[float], offset: int = 0) -> np.ndarray:
    """Percentiles over runs (numpy's linear method) of the values whose histogram is `hist` ([..., width]: runs
    with value v - offset in column v): [len(qs), ...]."""
    n = hist.sum(axis=-1, keepdims=True)
    cum = np.cumsum(hist, axis=-1)
    out = []
    for q in qs:
        pos = q / 100 * np.maximum(n - 1, 0)
        lo, hi = np.floor(pos), np.ceil(pos)
        a = (cum <= lo).sum(axis=-1, keepdims=True) - offset  # the value at sorted position lo
        b = (cum <= hi).sum(axis=-1, keepdims=True) - offset
        t = pos - lo
        diff = b - a
        out.append(np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)[..., 0])
    return np.array(out, dtype=float)


def mean(hist: np.ndarray, offset: int = 0) -> np.ndarray:
    """The mean over runs of the values whose histogram is `hist`."""
    values = np.arange(hist.shape[-1]) - offset
    n = hist.sum(axis=-1)
    return np.divide((hist * values).sum(axis=-1), n, out=np.zeros(n.shape), where=n > 0)


def values(hist: np.ndarray, offset: int = 0) -> np.ndarray:
    """The values of one histogram ([width]) run by run, sorted: what a quantile of pandas reads exactly."""
    return np.repeat(np.arange(len(hist)) - offset, hist)
