"""The output tables as other tools read them (DuckDB, polars): documented columns, types, nulls, dates, order."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from redline.engine import tables
from redline.language.scenario import load_scenario

from .conftest import ROOT, TINY

# The tiny scenario's actors get codes on the command line; `client` keeps none (its codes are nulls).
CODES = [
    "--set",
    "actors.patron.code=IRN",
    "--set",
    "actors.patron.type_code=GOV",
    "--set",
    "actors.rival.code=USA",
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from redline.frontends.cli import main

    base = tmp_path_factory.mktemp("tables")
    out = {}
    for fmt in ("parquet", "csv"):
        out[fmt] = base / fmt
        args = ["run", str(TINY), "--runs", "4", "--seed", "3", "--out", str(out[fmt]), "--format", fmt, "-q"]
        args.append("--no-plots")  # tables are what this file reads
        assert main([*args, *CODES]) == 0
    out["sweep"] = base / "sweep"
    sweep = [
        "sweep",
        str(TINY),
        "--param",
        "actors.rival.resolve=0.3,0.9",
        "--runs",
        "2",
        "--out",
        str(out["sweep"]),
    ]
    assert main([*sweep, "--quiet", *CODES]) == 0
    return out


def test_docs_outputs_md_is_generated_from_the_definitions():
    assert (ROOT / "docs" / "outputs.md").read_text() == tables.markdown(), (
        "regenerate it: python -m redline.engine.tables > docs/outputs.md"
    )


def test_every_column_of_every_table_is_documented(folders):
    scn = load_scenario(TINY)
    named = {o.name for o in scn.outcomes}
    for key in ("parquet", "sweep"):
        # a sweep's events, metrics and red_lines are datasets: a folder per point, a file per chunk
        for path in sorted([*folders[key].glob("*.parquet"), *folders[key].glob("*/point-*/*.parquet")]):
            table = tables.table_of(path)
            assert table is not None, f"{path.name}: a table redline.engine.tables does not describe"
            names = pq.read_schema(path).names
            assert tables.undocumented(table, names) == []
            fixed = {c.name for c in table.columns}
            # and every documented column is written: reading a folder back takes any missing one for damage
            assert fixed <= set(names), f"{path.name}: no column {sorted(fixed - set(names))}"
            if (
                table.name == "runs"
            ):  # its other columns are exactly the scenario's named outcomes (and a sweep's point and replication)
                assert set(names) - fixed - ({"point", "replication"} if key == "sweep" else set()) == named
    assert tables.table_of(folders["sweep"] / "points.parquet").name == "points"


def test_parquet_fields_carry_the_descriptions(folders):
    schema = pq.read_schema(folders["parquet"] / "events.parquet")
    for col in tables.EVENTS.columns:
        assert schema.field(col.name).metadata[b"description"].decode() == col.doc
    assert str(schema.field("date").type) == "date32[day]"
    runs = pq.read_schema(folders["parquet"] / "runs.parquet")
    assert b"named outcome" in runs.field("rival_strikes_patron").metadata[b"description"]


def test_parquet_event_ids_are_delta_encoded_and_only_numbers_and_dates_carry_statistics(folders):
    # Streamed (run) or written whole (a sweep's parts): the same choices (results.store.parquet_options)
    for path in (
        folders["parquet"] / "events.parquet",
        next(folders["sweep"].glob("events/point-*/*.parquet")),
    ):
        meta = pq.ParquetFile(path).metadata
        names = meta.schema.to_arrow_schema().names
        group = meta.row_group(0)
        column = {names[i]: group.column(i) for i in range(group.num_columns)}
        assert "DELTA_BINARY_PACKED" in column["event_id"].encodings, path
        assert not column["event_id"].has_dictionary_page, path
        assert column["source"].has_dictionary_page  # the other columns keep their dictionaries
        # A reader skips row groups by run or date; text columns carry no min/max
        for name in ("run", "step", "date", "rung", "casualties"):
            assert column[name].is_stats_set, (path, name)
        for name in ("source", "source_code", "cameo_code"):
            assert not column[name].is_stats_set, (path, name)


def test_duckdb_reads_the_types_and_the_order(folders):
    con = duckdb.connect()
    for fmt in ("parquet", "csv"):
        f = folders[fmt] / f"events.{fmt}"
        reader = "read_parquet" if fmt == "parquet" else "read_csv"
        types = dict(
            con.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {reader}('{f}'))"
            ).fetchall()
        )
        assert types["date"] == "DATE", fmt
        assert types["event_id"] == "BIGINT" and types["casualties"] == "DOUBLE"
        assert types["cameo_code"] == "VARCHAR" or fmt == "csv"  # CSV sniffing reads 190 as a number
        rows = con.execute(f"SELECT event_id, run, date FROM {reader}('{f}')").fetchall()
        assert [r[0] for r in rows] == list(range(len(rows)))
        assert [(r[1], r[2]) for r in rows] == sorted((r[1], r[2]) for r in rows)  # by run, then date
        empty = con.execute(
            f"SELECT count(*) FROM {reader}('{f}') WHERE attributed_to = '' OR source_code = '' OR target_type = ''"
        ).fetchone()[0]
        assert empty == 0, f"{fmt}: empty text where a null belongs"
    f = folders["parquet"] / "events.parquet"
    nulls = con.execute(
        f"SELECT count(*) FROM read_parquet('{f}') WHERE source = 'client' AND source_code IS NULL"
    ).fetchone()
    client = con.execute(f"SELECT count(*) FROM read_parquet('{f}') WHERE source = 'client'").fetchone()
    assert nulls == client and client[0] > 0
    codes = con.execute(
        f"SELECT source, source_code, source_type FROM read_parquet('{f}') UNION "
        f"SELECT target, target_code, target_type FROM read_parquet('{f}')"
    ).fetchall()
    assert sorted(codes, key=str) == sorted([("client", None, None), ("rival", "USA", None)], key=str)
    blamed = con.execute(f"SELECT DISTINCT attributed_to FROM read_parquet('{f}')").fetchall()
    assert set(blamed) == {("patron",), (None,)}  # the rival blames the patron for some attacks, not all


def test_polars_reads_dates_codes_and_quad_classes(folders):
    ev = pl.read_parquet(folders["parquet"] / "events.parquet")
    assert ev.schema["date"] == pl.Date and ev.schema["cameo_code"] == pl.String
    # actor and rung ids are dictionary-encoded: polars reads them as categoricals
    assert ev.schema["quad_class"] == pl.Int64 and ev.schema["attributed_to"] == pl.Categorical
    ladder = {r.id: r for r in load_scenario(TINY).rungs}
    for action, code, quad, root in (
        ev.select("action", "cameo_code", "quad_class", "cameo").unique().iter_rows()
    ):
        rung = ladder[action]
        assert code == rung.event_code and code.startswith(f"{root:02d}") and quad == rung.quad_class
    assert set(ev["quad_class"]) <= {1, 2, 3, 4}
    strikes = ev.filter(pl.col("action") == "limited_strike")["cameo_code"].unique().to_list()
    assert strikes in ([], ["195"])
    csv = pl.read_csv(
        folders["csv"] / "events.csv", try_parse_dates=True, schema_overrides={"cameo_code": pl.String}
    )
    assert csv.schema["date"] == pl.Date
    pq_ev = ev.select("event_id", "date", "source", "cameo_code", "attributed_to").cast(
        {"source": pl.String, "attributed_to": pl.String}
    )
    assert csv.select(pq_ev.columns).equals(pq_ev)  # the two formats hold the same values, nulls included
    metrics = pl.read_parquet(folders["parquet"] / "metrics.parquet")
    assert metrics.schema["date"] == pl.Date
    idle = metrics.filter(pl.col("posture_level") == -1)
    assert len(idle) and idle["posture_rung"].null_count() == len(idle)


def test_sweep_tables_number_their_events_once(folders):
    ev = pl.read_parquet(folders["sweep"] / "events" / "*" / "*.parquet")
    assert ev["event_id"].to_list() == list(range(len(ev)))
    assert ev.columns[0] == "point" and ev.schema["point"] == pl.Int64
    assert ev["point"].to_list() == sorted(ev["point"].to_list()) and set(ev["point"]) == {0, 1}
    manifest = json.loads((folders["sweep"] / "manifest.json").read_text())
    assert manifest["scenario"]["actors"]["patron"]["code"] == "IRN"
