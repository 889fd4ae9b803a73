"""Results: the tidy tables of an ensemble, and how they are written to and read from disk.

A results folder holds `events`, `metrics`, `runs` (and `red_lines`) tables as Parquet (or CSV), `manifest.json`,
`summary.md` and PNG plots. The manifest carries what plots and analyses need of the scenario (time, ladder, actors,
relations), so that everything downstream reads the folder alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from redline.engine.runner import Chunk
from redline.errors import OutputError
from redline.language.spec import Scenario

if TYPE_CHECKING:
    from redline.engine.aggregates import Aggregates

TABLES = ("events", "metrics", "runs", "red_lines")
FORMATS = ("parquet", "csv")


def scenario_facts(scn: Scenario) -> dict[str, Any]:
    """What downstream steps need to know of the scenario, as plain JSON."""
    return {
        "name": scn.scenario,
        "title": scn.title,
        "time": {"start": scn.time.start.isoformat(), "step": scn.time.step, "steps": scn.time.steps},
        "ladder": [
            {
                "id": r.id,
                "label": r.label,
                "mid_level": r.mid_level,
                "cameo": r.cameo,
                "cameo_code": r.event_code,
                "quad_class": r.quad_class,
                "goldstein": r.goldstein,
            }
            for r in scn.rungs
        ],
        "actors": {
            aid: {"kind": a.kind, "label": a.label or aid, "code": a.code, "type_code": a.type_code}
            for aid, a in scn.actors.items()
        },
        "outcomes": [{"name": o.name, "description": o.description} for o in scn.outcomes],
        "relations": [
            {"type": r.type, "from": r.source, "to": r.target, "level": getattr(r, "level", None)}
            for r in scn.relations
        ],
    }


class _Described:
    """What every kind of results knows from its manifest: the scenario's facts and the steps' dates."""

    manifest: dict[str, Any]

    @property
    def facts(self) -> dict[str, Any]:
        return self.manifest["scenario"]

    @property
    def step_dates(self) -> pd.DatetimeIndex:
        """The first day of each step."""
        return _step_dates(self.facts)

    def __repr__(self) -> str:
        """A line, not the tables: what a notebook shows of a result left at the end of a cell."""
        runs = getattr(self, "runs", None)
        count = f"{len(runs):,} runs" if runs is not None else f"{self.manifest.get('runs', '?')} runs"
        events = vars(self).get("events")  # held in memory (a sweep's are read from disk when asked for)
        rows = f", {len(events):,} events" if isinstance(events, pd.DataFrame) else ""
        return (
            f"<{type(self).__name__}: scenario {self.facts.get('name', '?')}, {count}{rows}, root seed "
            f"{self.manifest.get('root_seed', '?')}>"
        )


@dataclass(repr=False)
class Digest(_Described):
    """What plots and summary.md read of an ensemble streamed to disk: the runs table, the manifest and the
    aggregates of the events (redline.engine.aggregates), not the event rows."""

    runs: pd.DataFrame
    manifest: dict[str, Any]
    aggregates: Aggregates


def _step_dates(facts: dict[str, Any]) -> pd.DatetimeIndex:
    """The first day of each step, as the model dates it (TimeSpec.date_of: a monthly step starts on the start's
    day of each month, not on the first)."""
    from redline.results.chunks import step_starts

    return pd.DatetimeIndex(step_starts(facts).astype("datetime64[ns]"))


@dataclass(repr=False)
class Results(_Described):
    """The tables of an ensemble and its manifest."""

    events: pd.DataFrame
    metrics: pd.DataFrame
    runs: pd.DataFrame
    red_lines: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    _aggregates: Aggregates | None = field(default=None, init=False, repr=False, compare=False)

    def check(self, checks) -> list:
        """Verdicts of the given checks (a scenario's `checks`) on these results."""
        from redline.results.checks import evaluate
        from redline.results.chunks import time_spec

        ladder = [r["id"] for r in self.facts["ladder"]]
        time = time_spec(self.facts)
        period = (time.start, time.end)
        return evaluate(checks, self.events, pd.Index(self.runs["run"]), self.step_dates, ladder, period)

    @property
    def aggregates(self) -> Aggregates:
        """What plots and summary.md read of the events (see redline.engine.aggregates): gathered per chunk by the
        ensemble, or here from the events table."""
        if self._aggregates is None:
            from redline.engine.aggregates import aggregate

            self._aggregates = aggregate(self.events, self.runs["run"].to_numpy(), self.facts)
        return self._aggregates

    @classmethod
    def from_chunks(cls, scn: Scenario, chunks: Sequence[Chunk], manifest: dict[str, Any]) -> Results:
        facts = scenario_facts(scn)
        manifest = {**manifest, "scenario": {**facts, **manifest.get("scenario", {})}}
        parts = [chunk_tables(c, manifest["scenario"], scn.outcomes) for c in chunks]
        return cls.joined(parts, manifest)

    @classmethod
    def joined(
        cls, parts: Sequence[dict[str, pd.DataFrame]], manifest: dict[str, Any], aggregates=None
    ) -> Results:
        """Results from the tables of chunks (chunk_tables), in run order: events numbered across them."""
        from redline.engine import tables as t

        facts = manifest["scenario"]
        out = {}
        for name, table in (("events", t.EVENTS), ("metrics", t.METRICS), ("runs", t.RUNS),
                            ("red_lines", t.RED_LINES)):  # fmt: skip
            frames = [p[name] for p in parts]
            df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
            out[name] = t.typed(df, table, facts)
        out["events"]["event_id"] = np.arange(len(out["events"]), dtype=np.int64)
        res = cls(**out, manifest=manifest)
        res._aggregates = aggregates
        return res

    # --- disk ----------------------------------------------------------------------------------------------------

    def save(self, folder, *, fmt: str = "parquet", force: bool = False, extra=None) -> Path:
        """Write the tables and manifest (and whatever `extra(folder)` adds: plots, summary) atomically.
        `folder` is a path, or a FolderOutput a command has already checked and locked."""
        check_format(fmt)

        def fill(tmp: Path) -> None:
            for name in TABLES:
                write_table(getattr(self, name), tmp / f"{name}.{fmt}", fmt)
            self.manifest["format"] = fmt
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, default=str) + "\n")
            if extra is not None:
                extra(tmp)

        return write_folder(folder, fill, force=force)

    @classmethod
    def load(cls, folder: str | Path, run: int | None = None) -> Results:
        """Read a results folder, refusing one that is damaged: one line naming the file at fault. With `run`, the
        events, metrics and red lines of that run only (and the whole runs table), read a batch at a time: what a
        debrief of one run needs, in flat memory whatever the size of the folder. A `run` the folder does not hold
        is a ValueError."""
        if run is not None and (isinstance(run, bool) or not isinstance(run, int | np.integer)):
            raise TypeError(f"run is a run's number, a whole number from 0; got {run!r}")
        folder = Path(folder)
        manifest = read_manifest(folder)
        fmt = manifest.get("format", "parquet")
        tables = {}
        first = ("runs", *(t for t in TABLES if t != "runs"))  # the runs first: they tell if `run` is there
        for name in first:
            table = table_path(folder, name, fmt)
            tables[name] = _read_checked(table, fmt, manifest, None if run is None or name == "runs" else run)
            if name == "runs" and run is not None and run not in set(tables["runs"]["run"]):
                numbers = tables["runs"]["run"]
                held = f"runs {numbers.min()}..{numbers.max()}" if len(numbers) else "no runs"
                raise ValueError(f"no run {run} in {folder} ({held})")
        return cls(**{name: tables[name] for name in TABLES}, manifest=manifest)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the results folder of one ensemble, refusing anything else in one line."""
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise OutputError(
            f"{folder}: not a results folder ({'no such folder' if not folder.exists() else 'not a folder'})"
        )
    if not path.exists():
        raise OutputError(f"{folder}: not a results folder (no manifest.json)")
    if not path.is_file():
        raise OutputError(f"{path}: not a file")
    try:
        if path.stat().st_size > MAX_MANIFEST:
            raise OutputError(f"{path}: larger than {MAX_MANIFEST:,} bytes; not a redline manifest")
        manifest = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError) as e:
        raise OutputError(f"{path}: cannot be read ({_short(e)})") from None
    problem = manifest_problem(manifest)
    if problem:
        raise OutputError(f"{path}: not a redline manifest ({problem})")
    if isinstance(manifest.get("sweep"), dict) and (folder / "events").is_dir():
        raise OutputError(
            f"{folder}: a sweep's folder (its events are partitioned by point); this reads the folder of one "
            "ensemble (`redline run`). A sweep's plots are drawn again by the `redline sweep` command that made it, "
            "with --resume"
        )
    return manifest


def table_path(folder: Path, name: str, fmt: str) -> Path:
    """The file of table `name` in a results folder, refused if it is missing or not a file."""
    table = folder / f"{name}.{fmt}"
    if not table.exists():
        raise OutputError(f"{table}: missing from the results folder")
    if not table.is_file():
        raise OutputError(f"{table}: not a file")
    return table


def _check_columns(table: Path, columns: Any) -> None:
    """Every documented column is written (the docs' tests hold the two together), so any missing is damage, or
    the mark of a folder written before the column was added."""
    from redline.engine.tables import table_of

    missing = [c.name for c in table_of(table).columns if c.name not in set(columns)]  # type: ignore[union-attr]
    if missing:
        raise OutputError(
            f"{table}: damaged or written by an earlier redline (no column {', '.join(missing)}); run the command "
            "that made the folder again"
        )


def _read_checked(table: Path, fmt: str, manifest: dict[str, Any], run: int | None = None) -> pd.DataFrame:
    """A table's file read whole (or the rows of one `run`), refused in one line if it is damaged."""
    with _reading(table):
        df = read_table(table, fmt) if run is None else _rows_of_run(table, fmt, run)
    _check_columns(table, df.columns)
    return _checked(table, df, manifest)


def _checked(table: Path, df: pd.DataFrame, manifest: dict[str, Any]) -> pd.DataFrame:
    """Rows read from `table` with their documented types, refused if they hold what the manifest rules out."""
    from redline.engine.tables import table_of, typed

    problem = _table_problem(df, manifest["scenario"])
    if problem:
        raise OutputError(f"{table}: damaged ({problem})")
    return typed(df, table_of(table), manifest["scenario"])


# The event rows read at a time when a folder is streamed (read_digest): some 170 runs of the flagship, a few tens of
# MB, whatever the size of the ensemble.
BATCH_ROWS = 131_072
# What the aggregates read of the events (redline.engine.aggregates.coded).
AGGREGATED = ("run", "step", "rung", "mid_level", "goldstein", "source", "target", "cause", "date")


def read_digest(folder: str | Path, batch_rows: int | None = None) -> Digest:
    """What plots read of a results folder (its runs table, manifest and the aggregates of its events), with the
    events streamed a batch of runs at a time: memory stays flat however many runs the folder holds. The folder is
    refused as Results.load refuses it; the metrics and red-lines tables, which plots do not read, are only
    opened (their columns checked). `batch_rows`: the event rows read at a time (default BATCH_ROWS)."""
    from redline.engine.aggregates import aggregate, combine

    folder = Path(folder)
    manifest = read_manifest(folder)
    fmt, facts = manifest.get("format", "parquet"), manifest["scenario"]
    paths = {name: table_path(folder, name, fmt) for name in TABLES}
    for name in ("metrics", "red_lines", "events"):
        _check_columns(paths[name], _columns_of(paths[name], fmt))
    runs = _read_checked(paths["runs"], fmt, manifest)
    ids = runs["run"].to_numpy()
    events = paths["events"]
    parts = []
    done = 0  # the runs (positions in ids) aggregated so far
    # the rows of the last run of a batch, which the next batch may go on with
    held: pd.DataFrame | None = None
    for batch in _batches(events, fmt, batch_rows or BATCH_ROWS):
        batch = _checked(events, batch, manifest)
        if held is not None and len(held):
            batch = pd.concat([held, batch], ignore_index=True)
        run = batch["run"].to_numpy()
        if not len(run):
            continue
        # Each part is aggregated with the runs it covers, so its rows must come run after run, and from runs the
        # runs table holds (as a folder redline wrote has them).
        if np.any(np.diff(run) < 0) or (done < len(ids) and run[0] < ids[done]):
            raise OutputError(f"{events}: damaged (its rows are not in run order)")
        unknown = np.setdiff1d(run, ids)
        if len(unknown):
            raise OutputError(f"{events}: damaged (run {unknown[0]} is not in the runs table)")
        cut = int(np.searchsorted(run, run[-1]))
        held = batch.iloc[cut:]
        if cut:
            upto = int(np.searchsorted(ids, run[-1]))
            parts.append(aggregate(batch.iloc[:cut], ids[done:upto], facts))
            done = upto
    rest = held if held is not None else _checked(events, _no_events(events, fmt), manifest)
    parts.append(aggregate(rest, ids[done:], facts))
    return Digest(runs, manifest, combine(parts) if len(parts) > 1 else parts[0])


def _rows_of_run(path: Path, fmt: str, run: int) -> pd.DataFrame:
    """The rows of one run of a table's file, read a batch at a time (Parquet: only the row groups that may hold
    it)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path, filters=[("run", "==", run)]).to_pandas(date_as_object=False)
    kept = [chunk[chunk["run"] == run] for chunk in _read_csv(path, chunksize=BATCH_ROWS)]
    return pd.concat(kept, ignore_index=True) if kept else read_table(path, fmt)


def _columns_of(path: Path, fmt: str) -> list[str]:
    """The columns a table's file holds, read from its schema or header alone."""
    with _reading(path):
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        return list(pd.read_csv(path, nrows=0).columns)


def _batches(path: Path, fmt: str, rows: int):
    """The events of a table's file, AGGREGATED columns only, `rows` at a time."""
    with _reading(path):
        if fmt == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows, columns=list(AGGREGATED)):
                yield batch.to_pandas(date_as_object=False)
        else:
            yield from _read_csv(path, usecols=list(AGGREGATED), chunksize=rows)


def _no_events(path: Path, fmt: str) -> pd.DataFrame:
    """No events, with the columns the aggregates read: the table of a folder whose runs did nothing at all."""
    with _reading(path):
        if fmt == "parquet":
            import pyarrow.parquet as pq

            empty = pq.ParquetFile(path).schema_arrow.empty_table().select(list(AGGREGATED))
            return empty.to_pandas(date_as_object=False)
        return pd.read_csv(path, nrows=0, usecols=list(AGGREGATED))


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Reading a table's file: pyarrow and pandas raise many kinds of error for a damaged one, each told as one
    line naming the file."""
    try:
        yield
    except Exception as e:
        raise OutputError(f"{path}: cannot be read ({_short(e)})") from None


def _read_csv(path: Path, **options: Any) -> Any:
    """A table's CSV file as redline writes it: only an empty field is a null (an actor may well be called "NA"),
    and text stays text (a code like 030 is not the number 30). `options` go to pandas.read_csv (usecols,
    chunksize: then an iterator of frames)."""
    from redline.engine.tables import table_of, text_columns

    text = text_columns(table_of(path))
    if "usecols" in options:
        text = {k: v for k, v in text.items() if k in options["usecols"]}
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=text, **options)


MAX_MANIFEST = 16 * 1024 * 1024  # a manifest is a few KB


def chunk_tables(chunk: Chunk, facts: dict[str, Any], defined: Sequence[Any] = ()) -> dict[str, pd.DataFrame]:
    """The four tables of one chunk's runs, with their documented types: events sorted by run, then day, then the
    order the model took them in (numbered from 0 here, again when chunks are joined); the runs table with each
    run's outcomes (the general ones and the scenario's `defined`). Built as Arrow by redline.results.chunks."""
    from redline.results.chunks import build, frames, run_outcomes

    built = build(chunk, facts)
    return {**frames(built, facts), "runs": run_outcomes(chunk, built, facts, defined)}


def _table_problem(df: pd.DataFrame, facts: dict[str, Any]) -> str | None:
    """Steps and rungs past what the manifest declares: plots and debriefs index arrays with them."""
    bounds = {
        "step": facts["time"]["steps"],
        "rung": len(facts["ladder"]),
        "posture_level": len(facts["ladder"]),
    }
    for col, end in bounds.items():
        if col not in df.columns or not len(df):
            continue
        values = df[col]
        if not pd.api.types.is_integer_dtype(values):
            return f"column {col} does not hold whole numbers"
        if values.max() >= end or values.min() < -1:
            return f"column {col} holds values past the scenario's {end}"
    return None


def _short(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def manifest_problem(m: Any) -> str | None:
    """What is wrong with a manifest read from disk (None if nothing): what plots and debriefs rely on."""
    if not isinstance(m, dict):
        return "a JSON object is expected"
    if m.get("format", "parquet") not in FORMATS:
        return f"format must be one of {', '.join(FORMATS)}"
    f = m.get("scenario")
    if not isinstance(f, dict):
        return "no scenario facts"
    for key in ("name", "title"):
        if not isinstance(f.get(key), str):
            return f"scenario.{key} is not text"
    t = f.get("time")
    if not isinstance(t, dict) or t.get("step") not in ("day", "week", "month"):
        return "scenario.time is damaged"
    steps = t.get("steps")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 10_000:
        return "scenario.time.steps is damaged"
    try:
        dt.date.fromisoformat(str(t.get("start")))
    except ValueError:
        return "scenario.time.start is not a date"
    ladder = f.get("ladder")
    if not isinstance(ladder, list) or not ladder or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str)
        and all(isinstance(r.get(k), int | float) for k in ("mid_level", "goldstein"))
        for r in ladder
    ):  # fmt: skip
        return "scenario.ladder is damaged"
    actors = f.get("actors")
    if not isinstance(actors, dict) or not all(isinstance(a, dict) for a in actors.values()):
        return "scenario.actors is damaged"
    rel = f.get("relations", [])
    if not isinstance(rel, list) or not all(isinstance(r, dict) for r in rel):
        return "scenario.relations is damaged"
    return None


def write_folder(folder, fill, *, force: bool = False) -> Path:
    """Make `folder` atomically: `fill(tmp)` writes into a hidden sibling, which is renamed into place only when
    it is complete. An interruption leaves the old folder (or none) and no half-written files. `folder` is a path
    or a FolderOutput already entered (checked and locked) by the caller."""
    from redline.results.outputs import FolderOutput

    if isinstance(folder, FolderOutput):
        return folder.write(fill)
    with FolderOutput(folder, force=force) as out:
        return out.write(fill)


def check_format(fmt: object) -> None:
    """A tables' format as a caller gave it, refused before anything is written unless it is one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)} (lower case); got {fmt!r}")


def parquet_options(schema: Any) -> dict[str, Any]:
    """How every redline table is written as Parquet (a pyarrow Schema's columns): zstd; the event ids, which count
    up by one, delta-encoded rather than looked up in a dictionary of as many values as rows (with it they made two
    fifths of an events file); and min/max statistics on the columns of numbers and dates only (a reader skips row
    groups by run, step or date; the text columns' statistics took a fifth of the time to write an events file)."""
    import pyarrow as pa

    names = schema.names
    text = {f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)}
    options: dict[str, Any] = {
        "compression": "zstd",
        "write_statistics": [n for n in names if n not in text],
    }
    if "event_id" in names:
        options["use_dictionary"] = [n for n in names if n != "event_id"]
        options["column_encoding"] = {"event_id": "DELTA_BINARY_PACKED"}
    return options


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Parquet with the documented types and descriptions (redline.engine.tables); CSV with ISO dates and nulls as empty
    fields."""
    from redline.engine.tables import table_of

    if fmt == "parquet":
        write_parquet(df, table_of(path), path)
    else:
        df.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def write_parquet(df: pd.DataFrame, table: Any, sink: Any) -> None:
    """The frame as Parquet, with the documented types and descriptions of `table` (redline.engine.tables), into
    `sink`: a path, or a pyarrow stream (a sweep's worker encodes a chunk's runs file so)."""
    import pyarrow.parquet as pq

    from redline.engine.tables import arrow_table

    arrow = arrow_table(df, table)
    pq.write_table(arrow, sink, **parquet_options(arrow.schema))


def read_table(path: Path, fmt: str, facts: dict[str, Any] | None = None) -> pd.DataFrame:
    from redline.engine.tables import table_of, typed

    if fmt == "parquet":
        import pyarrow.parquet as pq

        # Column by column, each Arrow column freed once converted: a million event rows read back in about
        # 50 MB less than pd.read_parquet needs, with the same frame. Dates come back as the frame had them.
        return pq.read_table(path).to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
    return typed(_read_csv(path), table_of(path), facts)


def today() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
