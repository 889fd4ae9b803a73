"""A chunk of runs (runner.Chunk: raw columns, ids as codes) as the documented tables, built column by column from
the codes with numpy and Arrow: no text is handled row by row, and no table goes through pandas to reach a part
file. What the workers of an ensemble do with each chunk after simulating it (redline.results.parts).

    built = build(chunk, facts)        # built.tables: events, metrics, red_lines as Arrow; built.events: codes
    runs = run_outcomes(chunk, built, facts, scenario.outcomes)

The Arrow tables are those redline.engine.tables.arrow_table makes of the pandas tables (schema, descriptions and pandas
notes included), so the files written from either are the same, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from redline.engine import tables as docs
from redline.engine.aggregates import Coded
from redline.engine.runner import Chunk

STREAMED = ("events", "metrics", "red_lines")  # the tables of a chunk written as part files


@dataclass
class Built:
    tables: dict[str, pa.Table]  # STREAMED
    events: Coded  # the events in table order, as codes


def time_spec(facts: dict[str, Any]):
    """The period of a results folder's facts, as the language's TimeSpec."""
    from redline.language.spec import TimeSpec

    t = facts["time"]
    return TimeSpec(start=dt.date.fromisoformat(str(t["start"])), step=t["step"], steps=t["steps"])


def step_starts(facts: dict[str, Any]) -> np.ndarray:
    """The first day of each step as the model dates it (TimeSpec.date_of), as numpy days."""
    spec = time_spec(facts)
    return np.array([np.datetime64(spec.date_of(s), "D") for s in range(spec.steps)], dtype="datetime64[D]")


def _recode(codes: np.ndarray, have: Sequence[str], want: Sequence[str]) -> np.ndarray:
    """Codes into `have` as codes into `want` (which holds every value of `have`); -1 (a null) stays -1."""
    if list(want[: len(have)]) == list(have):
        return codes.astype(np.int16, copy=False)
    index = {v: i for i, v in enumerate(want)}
    return np.array([index[v] for v in have] + [-1], dtype=np.int16)[codes]


def _dictionary(codes: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    null = codes < 0
    indices = pa.array(codes.astype(np.int16, copy=False), mask=null if null.any() else None)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(values), pa.string()))


@functools.lru_cache(maxsize=64)
def _schema(
    name: str, dictionaries: tuple[tuple[str, tuple[str, ...]], ...], point: bool = False
) -> pa.Schema:
    """The schema arrow_table gives a table `name` whose dictionary-encoded columns have these dictionaries (and,
    in a sweep, `point` first): taken from an empty pandas frame of the documented types, so that the pandas notes
    are pandas' own."""
    table = docs.TABLES[name]
    dicts = dict(dictionaries)
    empty = pd.DataFrame(
        {
            **({"point": pd.Series([], dtype=np.int64)} if point else {}),
            **{
                c.name: pd.Series(
                    [],
                    dtype=pd.CategoricalDtype(list(dicts[c.name]))
                    if c.kind == "category"
                    else docs.KINDS[c.kind][1],
                )
                for c in table.columns
            },
        }
    )
    return docs.arrow_table(empty, table).schema


def _dictionaries(arrays: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (n, tuple(a.dictionary.to_pylist())) for n, a in arrays.items() if isinstance(a, pa.DictionaryArray)
    )


def _table(name: str, columns: dict[str, Any]) -> pa.Table:
    """An Arrow table of the documented columns (arrays in the table's column order), one record batch."""
    schema = _schema(name, _dictionaries(columns))
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def with_point(name: str, table: pa.Table, runs_per_point: int) -> pa.Table:
    """A built table (`build`) as a sweep writes it: each row's point (its run // `runs_per_point`) first."""
    columns = {f: table.column(f).combine_chunks() for f in table.column_names}
    point = pa.array(columns["run"].to_numpy() // runs_per_point)
    schema = _schema(name, _dictionaries(columns), True)
    return pa.Table.from_arrays([point, *columns.values()], schema=schema)


def build(chunk: Chunk, facts: dict[str, Any]) -> Built:
    """The events, metrics and red_lines tables of a chunk, with their documented types: events sorted by run, then
    day, then the order the model took them in (numbered from 0 here, again when chunks are joined)."""
    ladder = facts["ladder"]
    rung_ids = [r["id"] for r in ladder]
    actors = docs.dictionary("actors", facts, chunk.actors)
    causes = docs.dictionary("causes", facts, chunk.causes)
    manners = docs.dictionary("manners", facts, chunk.manners)
    ev = chunk.events
    order = np.lexsort(
        (ev["day"], ev["run"])
    )  # stable: within a day, the order the model took the actions in
    n = len(order)
    run = ev["run"][order].astype(np.int64)
    step = ev["step"][order].astype(np.int64)
    rung = ev["rung"][order].astype(np.int64)
    start = np.datetime64(dt.date.fromisoformat(facts["time"]["start"]), "D")
    date = start + ev["day"][order].astype("timedelta64[D]")
    source = _recode(ev["source"][order], chunk.actors, actors)
    target = _recode(ev["target"][order], chunk.actors, actors)
    cause = _recode(ev["cause"][order], chunk.causes, causes)
    known = facts["actors"]

    def actor_text(key: str) -> pa.Array:
        return pa.array([known.get(a, {}).get(key) for a in actors], pa.string())

    def rung_column(key: str, dtype: Any) -> np.ndarray:
        return np.array([r[key] for r in ladder], dtype=dtype)[rung]

    src, tgt = pa.array(source), pa.array(target)
    mid_level = rung_column("mid_level", np.int64)
    goldstein = rung_column("goldstein", np.float64)
    events = {
        "event_id": pa.array(np.arange(n, dtype=np.int64)),
        "run": pa.array(run),
        "step": pa.array(step),
        "date": pa.array(date, pa.date32()),
        "source": _dictionary(source, actors),
        "source_code": actor_text("code").take(src),
        "source_type": actor_text("type_code").take(src),
        "target": _dictionary(target, actors),
        "target_code": actor_text("code").take(tgt),
        "target_type": actor_text("type_code").take(tgt),
        "action": _dictionary(rung, rung_ids),
        "rung": pa.array(rung),
        "mid_level": pa.array(mid_level),
        "cameo": pa.array(rung_column("cameo", np.int64)),
        "cameo_code": pa.array([r["cameo_code"] for r in ladder], pa.string()).take(pa.array(rung)),
        "quad_class": pa.array(rung_column("quad_class", np.int64)),
        "goldstein": pa.array(goldstein),
        "casualties": pa.array(ev["casualties"][order].astype(np.float64)),
        "attributed_to": _dictionary(_recode(ev["attributed_to"][order], chunk.actors, actors), actors),
        "cause": _dictionary(cause, causes),
        "manner": _dictionary(_recode(ev["manner"][order], chunk.manners, manners), manners),
    }
    me = chunk.metrics
    mstep = me["step"].astype(np.int64)
    posture = me["posture"].astype(np.int64)
    metrics = {
        "run": pa.array(me["run"].astype(np.int64)),
        "step": pa.array(mstep),
        "date": pa.array(step_starts(facts)[mstep], pa.date32()),
        "actor": _dictionary(_recode(me["actor"], chunk.actors, actors), actors),
        "posture_rung": _dictionary(posture, rung_ids),
        "posture_level": pa.array(posture),
        **{k: pa.array(me[k].astype(np.float64)) for k in ("capability", "grievance", "fear", "pressure")},
        "attacks": pa.array(me["attacks"].astype(np.int64)),
    }
    red = chunk.red_lines
    red_lines = {
        "run": pa.array(red["run"].astype(np.int64)),
        "step": pa.array(red["step"].astype(np.int64)),
        "date": pa.array(start + red["day"].astype("timedelta64[D]"), pa.date32()),
        "actor": _dictionary(_recode(red["actor"], chunk.actors, actors), actors),
        "crossed_by": pa.array(red["crossed_by"], pa.string()),
        "target": _dictionary(_recode(red["target"], chunk.actors, actors), actors),
        "action": _dictionary(red["rung"].astype(np.int64), rung_ids),
    }
    coded = Coded(run, step, rung, mid_level, goldstein, source, target, actors, cause, causes,
                  date.astype("datetime64[ms]"))  # fmt: skip
    tables = {"events": events, "metrics": metrics, "red_lines": red_lines}
    return Built({name: _table(name, cols) for name, cols in tables.items()}, coded)


def run_outcomes(
    chunk: Chunk,
    built: Built,
    facts: dict[str, Any],
    defined: Sequence[Any] = (),
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The runs table of the chunk: each run's seed and outcomes (the general ones and the scenario's `defined`),
    with its documented types. `events` is the chunk's `event_frame`, if the caller made it already."""
    from redline.results.analysis import outcomes

    if events is None:
        events = event_frame(built)
    runs = outcomes(pd.DataFrame({"run": chunk.runs, "seed": chunk.seeds}), events, facts, defined)
    return docs.typed(runs, docs.RUNS, facts)


def event_frame(built: Built) -> pd.DataFrame:
    """The columns of the built events that outcomes and checks (and their filters) read, as a pandas frame."""
    e = built.events

    def categorical(codes: np.ndarray, values: list[str]) -> Any:
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(values))

    return pd.DataFrame(
        {
            "run": e.run,
            "step": e.step,
            "date": e.date,
            "source": categorical(e.source, e.actors),
            "target": categorical(e.target, e.actors),
            "rung": e.rung,
            "mid_level": e.mid_level,
            "casualties": built.tables["events"].column("casualties").to_numpy(),
            "cause": categorical(e.cause, e.causes),
        }
    )


def frames(built: Built, facts: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The built tables as pandas frames with their documented types."""
    return {
        name: docs.typed(t.to_pandas(date_as_object=False), docs.TABLES[name], facts)
        for name, t in built.tables.items()
    }
