"""What every column of every output table means: the one definition that Parquet field descriptions, the types of
tables read back from CSV and docs/outputs.md all come from.

    python -m redline.engine.tables > docs/outputs.md

A test reads the tables a run writes and fails for any column this module does not describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from redline.agents.actions import (
    CAMPAIGN,
    COERCION,
    COMMITMENT,
    DE_ESCALATION,
    GUARANTEE,
    INJECTED,
    MEDIATION,
    PRESSURE,
    RETALIATION,
    SCHEDULED,
    SUPPORT,
    SURPRISE,
    WARNED,
)

Kind = str  # one of KINDS

# How each kind is stored: Arrow type (Parquet), pandas dtype in memory, and the name the docs give it.
KINDS: dict[Kind, tuple[pa.DataType, str, str]] = {
    "int64": (pa.int64(), "int64", "integer (int64)"),
    "float64": (pa.float64(), "float64", "number (float64)"),
    "bool": (pa.bool_(), "bool", "boolean"),
    "string": (pa.string(), "str", "text"),
    "date": (pa.date32(), "datetime64[ms]", "date (Parquet date32; CSV YYYY-MM-DD)"),
    # Ids from a short list (actors, rungs, causes): small integer codes and their dictionary, a pandas categorical
    # in memory; readers of Parquet see text (DuckDB) or a categorical (pandas, polars).
    "category": (pa.dictionary(pa.int16(), pa.string()), "category", "text, dictionary-encoded"),
}

# The dictionaries of the dictionary-encoded columns start with these; a value past them (a played game's cause
# "player") comes after, in sorted order.
CAUSES = (SCHEDULED, INJECTED, CAMPAIGN, RETALIATION, COMMITMENT, GUARANTEE, COERCION, DE_ESCALATION, PRESSURE,
          SUPPORT, MEDIATION)  # fmt: skip
MANNERS = (SURPRISE, WARNED)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    doc: str
    nullable: bool = False
    domain: str = ""  # a dictionary-encoded column: where its dictionary comes from (see `dictionary`)


@dataclass(frozen=True)
class Pattern:
    """Columns whose names depend on the scenario or the sweep (one per outcome, per parameter, per check)."""

    shown: str  # how the docs write the name
    regex: str  # what names it covers (fullmatch); kind None: the values' own type
    kind: Kind | None
    doc: str


@dataclass(frozen=True)
class Table:
    name: str
    files: str
    doc: str
    columns: tuple[Column, ...]
    patterns: tuple[Pattern, ...] = ()

    def column(self, name: str) -> Column | Pattern | None:
        for c in self.columns:
            if c.name == name:
                return c
        for p in self.patterns:
            if re.fullmatch(p.regex, name):
                return p
        return None


RUN = Column("run", "int64", "Run number, 0 to runs - 1 (in a sweep: point x runs + replication).")
STEP = Column(
    "step", "int64", "Step of the simulated period, from 0 (a day, a week or a month: the scenario's step)."
)
POINT = Column(
    "point", "int64", "Sweep tables only: the point of the design this run belongs to (a row of points)."
)
SWEEP_NOTE = "In a sweep's folder the table has `point` first."


def _actor_codes(role: str) -> tuple[Column, ...]:
    return (
        Column(
            f"{role}_code",
            "string",
            f"CAMEO or ISO 3166 actor code of the {role} (the actor's `code` in the scenario, e.g. IRN, LBNREB).",
            nullable=True,
        ),
        Column(
            f"{role}_type",
            "string",
            f"CAMEO actor type code of the {role} (the actor's `type_code`: GOV, MIL, REB, ...).",
            nullable=True,
        ),
    )


EVENTS = Table(
    "events",
    "events.parquet / events.csv",
    "One row per action in a run (a campaign's attacks are one row each), sorted by run, then date, then the order "
    "the model took them in. The shape of event data (CAMEO, ICEWS, GDELT): who did what to whom, when. "
    + SWEEP_NOTE,
    (
        Column("event_id", "int64", "Row number of the event in the table, from 0: unique, in sorted order."),
        RUN,
        STEP,
        Column("date", "date", "Day of the action."),
        Column(
            "source", "category", "Actor id (the scenario's key) of the actor that acts.", domain="actors"
        ),
        *_actor_codes("source"),
        Column("target", "category", "Actor id of the actor acted upon.", domain="actors"),
        *_actor_codes("target"),
        Column(
            "action",
            "category",
            "Id of the rung of the ladder the action is on, e.g. limited_strike.",
            domain="rungs",
        ),
        Column("rung", "int64", "Position of that rung on the ladder, 0 = lowest."),
        Column("mid_level", "int64", "Correlates of War MID hostility level of the rung: 1 none to 5 war."),
        Column("cameo", "int64", "CAMEO root code of the rung (1-20): 19 is 'fight'."),
        Column(
            "cameo_code",
            "string",
            "Full CAMEO event code of the rung, as text with its leading zero (e.g. 030, 195): the rung's "
            "`cameo_code` in the ladder, or the root's 'not specified below' code.",
        ),
        Column(
            "quad_class",
            "int64",
            "CAMEO QuadClass of the root code: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, "
            "4 material conflict.",
        ),
        Column("goldstein", "float64", "Goldstein weight of the rung, -10 (most hostile) to +10."),
        Column(
            "casualties",
            "float64",
            "Deaths the action caused (drawn around what was intended, or scheduled).",
        ),
        Column(
            "attributed_to",
            "category",
            "The actor the target held answerable for the action besides its author (the `to` of an `attributes` "
            "relation, e.g. the author's patron); null if none.",
            nullable=True,
            domain="actors",
        ),
        Column(
            "cause",
            "category",
            "Why the actor acted: scheduled, inject (added with --inject), campaign, retaliation, red_line, guarantee, "
            "coercion, de_escalation, ...",
            domain="causes",
        ),
        Column(
            "manner",
            "category",
            "surprise (full intended deaths) or warned (targets told to leave).",
            domain="manners",
        ),
    ),
    (Pattern("point", "point", "int64", POINT.doc),),
)

METRICS = Table(
    "metrics",
    "metrics.parquet / metrics.csv",
    "One row per actor and step of each run: the actor's state at the end of the step. " + SWEEP_NOTE,
    (
        RUN,
        STEP,
        Column("date", "date", "First day of the step."),
        Column("actor", "category", "Actor id.", domain="actors"),
        Column(
            "posture_rung",
            "category",
            "Id of the highest rung the actor used this step; null if it did nothing.",
            nullable=True,
            domain="rungs",
        ),
        Column("posture_level", "int64", "Position of that rung on the ladder; -1 if it did nothing."),
        Column("capability", "float64", "Military capability left, 0-1."),
        Column("grievance", "float64", "Its largest grievance toward any actor (harm units)."),
        Column(
            "fear",
            "float64",
            "Its fear of the most feared adversary's answer: resolve seen x the strength that would answer x "
            "its cost sensitivity (past 1 when allies stand behind the adversary).",
        ),
        Column("pressure", "float64", "The strongest pressure a patron puts on it to stop (utility units)."),
        Column("attacks", "int64", "Uses of force (MID 4 or more) by the actor this step."),
    ),
    (Pattern("point", "point", "int64", POINT.doc),),
)

RUNS = Table(
    "runs",
    "runs.parquet / runs.csv",
    "One row per run: its seed and what it came to. " + SWEEP_NOTE,
    (
        RUN,
        Column(
            "seed",
            "int64",
            "The run's 63-bit seed: child `run` of numpy's SeedSequence(root seed); in a sweep, child `run % runs` "
            "(the replication), the same at every point (common random numbers).",
        ),
        Column(
            "peak_rung",
            "category",
            "Id of the highest rung anyone used; null if nobody acted.",
            nullable=True,
            domain="rungs",
        ),
        Column("peak_mid", "int64", "Highest MID hostility level reached; 0 if nobody acted."),
        Column("attacks", "int64", "Uses of force (MID 4 or more) in the run, all actors together."),
        Column("deaths", "float64", "Deaths in the run, all actions together."),
        Column("war", "bool", "Some pair of actors reaches war (MID 5)."),
        Column("interstate_war", "bool", "Two states reach war with each other (MID 5)."),
        Column("state_clash", "bool", "A state uses force directly against another state."),
        Column("patron_uses_force", "bool", "A patron uses force itself, not only through its clients."),
        Column("patron_struck", "bool", "A patron is itself the target of a use of force."),
        Column("war_spreads", "bool", "More than one pair of actors reaches war (MID 5)."),
    ),
    (
        Pattern("point", "point", "int64", POINT.doc),
        Pattern(
            "replication",
            "replication",
            "int64",
            "Sweep tables only: the run's replication at its point, 0 to runs - 1 (run % runs); the runs of one "
            "replication share their seed at every point.",
        ),
        Pattern(
            "<outcome>",
            r"[a-z][a-z0-9_]*",
            "bool",
            "One column per named outcome of the scenario (its `outcomes:`): whether the run had it. The "
            "manifest's scenario.outcomes describe each.",
        ),
    ),
)

RED_LINES = Table(
    "red_lines",
    "red_lines.parquet / red_lines.csv",
    "One row per act that crossed a red line: who holds the line, who crossed it, and the act (its day, whom it "
    "struck, its rung), in the order the model took the acts in. " + SWEEP_NOTE,
    (
        RUN,
        STEP,
        Column("date", "date", "Day of the act that crossed the line (an event of that day in `events`)."),
        Column("actor", "category", "Actor id of the holder of the red line.", domain="actors"),
        Column("crossed_by", "string", "Actor ids of those who crossed it, joined by commas."),
        Column(
            "target",
            "category",
            "Actor id of the actor the act struck: the holder, or an ally whose strike its line covers.",
            domain="actors",
        ),
        Column("action", "category", "Id of the rung of the ladder the act was on.", domain="rungs"),
    ),
    (Pattern("point", "point", "int64", POINT.doc),),
)

POINTS = Table(
    "points",
    "points.parquet (sweeps)",
    "One row per point of a sweep's design: the value each parameter takes there.",
    (Column("point", "int64", "Point number, from 0."),),
    (
        Pattern(
            "<key.path>",
            r".+",
            None,
            "One column per parameter of the sweep, named by its `--set` path: its value at the point.",
        ),
    ),
)

OUTCOMES = Table(
    "outcomes",
    "outcomes.parquet (sweeps)",
    "One row per point of a sweep: the points table and what the point's runs came to (EMA's 'outcomes').",
    (
        Column("point", "int64", "Point number, from 0."),
        Column("attacks", "float64", "Mean uses of force per run at the point."),
        Column("deaths", "float64", "Mean deaths per run at the point."),
        Column("peak_mid", "float64", "Mean of the runs' highest MID hostility level at the point."),
    ),
    (
        Pattern(
            "check: <name>",
            r"check: .+",
            "float64",
            "One column per check of the scenario: its statistic over the point's runs (NaN if undefined).",
        ),
        Pattern(
            "<outcome>",
            r"[a-z][a-z0-9_]*",
            "float64",
            "One column per outcome of the runs table (general and named): the share of the point's runs that "
            "had it.",
        ),
        Pattern("<key.path>", r".+\..+", None, "The parameters' values, as in points (right after `point`)."),
    ),
)

SENSITIVITY = Table(
    "sensitivity",
    "sensitivity.csv (Sobol and Morris sweeps)",
    "One row per outcome, parameter and index: the sensitivity indices SALib finds. An outcome that does not vary "
    "over the design, or lacks a value at some point, has none (the command names it).",
    (
        Column("outcome", "string", "Column of outcomes the index is about."),
        Column("param", "string", "The parameter (its --set path)."),
        Column("index", "string", "S1 or ST (Sobol), mu_star or sigma (Morris)."),
        Column("value", "float64", "The index."),
        Column(
            "conf", "float64", "Half-width of its 95% interval; null where SALib gives none.", nullable=True
        ),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (EVENTS, METRICS, RUNS, RED_LINES, POINTS, OUTCOMES, SENSITIVITY)
}


def table_of(path: Path) -> Table | None:
    """The table a file holds, by its name (`events.parquet`, a sweep's part `events-00003.parquet`, a hidden
    `.events.parquet.partial`)."""
    m = re.match(r"\.?([a-z_]+)", path.name)
    return TABLES.get(m.group(1)) if m else None


def undocumented(table: Table, names: Sequence[str]) -> list[str]:
    return [n for n in names if table.column(n) is None]


def arrow_table(df: pd.DataFrame, table: Table | None) -> pa.Table:
    """The frame as Arrow, with the documented types (dates as date32) and each field's description."""
    fields = []
    for name in df.columns:
        col = table.column(str(name)) if table else None
        kind = getattr(col, "kind", None)
        arrow_type = KINDS[kind][0] if kind else pa.Array.from_pandas(df[name]).type
        meta = {"description": col.doc} if col is not None else None
        fields.append(pa.field(str(name), arrow_type, nullable=True, metadata=meta))
    schema = pa.schema(fields, metadata={"redline_table": table.name} if table else None)
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def dictionary(domain: str, facts: dict[str, Any] | None, present: Iterable[Any] = ()) -> list[str]:
    """The dictionary of a dictionary-encoded column: the scenario's actors or rungs in its order, the causes or
    manners the model writes, then any other value `present` holds, sorted. The same whether the table was built
    in memory, joined from parts or read back from a file."""
    known: list[str] = {
        "actors": list((facts or {}).get("actors", ())),
        "rungs": [r["id"] for r in (facts or {}).get("ladder", ())],
        "causes": list(CAUSES),
        "manners": list(MANNERS),
    }[domain]
    have = set(known)
    return known + sorted({str(v) for v in present if isinstance(v, str) and v not in have})


def typed(df: pd.DataFrame, table: Table | None, facts: dict[str, Any] | None = None) -> pd.DataFrame:
    """The table with its documented types, whether built in memory or read back from a file. `facts` (the
    manifest's scenario) give the dictionaries of the dictionary-encoded columns."""
    if table is None:
        return df
    casts: dict[str, Any] = {}
    for name in df.columns:
        col = table.column(str(name))
        if col is None or col.kind is None:
            continue
        if col.kind == "category":
            values = df[name]
            is_cat = isinstance(values.dtype, pd.CategoricalDtype)
            present = values.cat.categories if is_cat else values.dropna().unique()
            dtype = pd.CategoricalDtype(dictionary(getattr(col, "domain", ""), facts, present))
            if not (is_cat and values.dtype == dtype):
                casts[name] = dtype
        elif str(df[name].dtype) != KINDS[col.kind][1]:
            casts[name] = KINDS[col.kind][1]
    return df.astype(casts) if casts else df


def text_columns(table: Table | None) -> dict[str, str]:
    """The text columns, for read_csv: a code like 030 stays text, not the number 30."""
    return {c.name: "str" for c in (table.columns if table else ()) if c.kind in ("string", "category")}


def markdown() -> str:
    out = [
        "# Output tables",
        "",
        "Generated from sim/engine/tables.py by `python -m redline.engine.tables`; a test keeps it current and fails "
        "for any column a table has that is not described here. The same descriptions are in each Parquet file's "
        "schema (the `description` of each field's metadata).",
        "",
        "`redline run` writes `events`, `metrics`, `runs` and `red_lines` as Parquet (or CSV with `--format csv`), "
        "beside `manifest.json` (the scenario's facts: time, ladder, actors, outcomes), `summary.md` and plots. "
        "`redline sweep` writes the same four tables with a `point` column, and `points`, `outcomes` and, for "
        "Sobol and Morris designs, `sensitivity`. A sweep's `runs.parquet` is one file; its `events`, `metrics` "
        "and `red_lines` are Parquet datasets partitioned by point, written as chunks of runs finish: a folder per "
        "point, a file per chunk of at most 25 runs, the chunks numbered across the sweep "
        "(`events/point-00017/events-00034.parquet` with 50 runs a point), the files in run order, each with "
        "the `point` column. Read a whole table with `pandas.read_parquet('DIR/events')` or "
        "`read_parquet('DIR/events/*/*.parquet')` (DuckDB, polars), one point from its folder, or from Python "
        "with `redline.results.sweep_store.read_sweep_table(DIR, 'events', points=[17])`. A sweep's folder also "
        "holds `sweep.json` (what makes the sweep the one it is: the scenario's hash, the overrides, parameters, "
        "design, runs and seed, which `--resume` compares) and `parts/` (the index of finished chunks, kept for "
        "`--resume`; no table is read from it).",
        "",
        "Conventions: missing values are nulls (empty fields in CSV), never empty text; dates are dates (Parquet "
        "`date32`, ISO `YYYY-MM-DD` in CSV; pandas reads a `date32` column as Python dates, dtype object, while "
        "the tables `run_ensemble` returns hold `datetime64`); ids are the scenario's own.",
        "",
        "Ids from a short list are dictionary-encoded (type 'text, dictionary-encoded'): small integer codes and "
        "their dictionary in Parquet, which DuckDB reads as text and pandas and polars as categoricals; plain text "
        "in CSV; a pandas categorical in memory. The dictionary of an actor column is the scenario's actors in "
        "its order; of a rung column, the ladder from its lowest rung; of `cause`, "
        + ", ".join(CAUSES)
        + "; of `manner`, "
        + " and ".join(MANNERS)
        + "; any other value (a played game's cause `player`) follows, in sorted order.",
    ]
    for t in TABLES.values():
        out += [
            "",
            f"## {t.name}",
            "",
            f"File: {t.files}. {t.doc}",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for c in t.columns:
            null = " May be null." if c.nullable else ""
            out.append(f"| `{c.name}` | {KINDS[c.kind][2]} | {c.doc}{null} |")
        for p in t.patterns:
            if p.shown == "point" and t.name not in ("points", "outcomes"):
                continue  # said in the table's text
            kind = KINDS[p.kind][2] if p.kind else "as the values"
            out.append(f"| `{p.shown}` | {kind} | {p.doc} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
