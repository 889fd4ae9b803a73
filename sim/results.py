"""Results: the tidy tables of an ensemble, and how they are written to and read from disk.

A results folder holds `events`, `metrics`, `runs` (and `red_lines`) tables as Parquet (or CSV), `manifest.json`,
`summary.md` and PNG plots. The manifest carries what plots and analyses need of the scenario (time, ladder, actors,
relations), so that everything downstream reads the folder alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import OutputError
from sim.language import Scenario
from sim.runner import Chunk

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
                "goldstein": r.goldstein,
            }
            for r in scn.rungs
        ],
        "actors": {aid: {"kind": a.kind, "label": a.label or aid} for aid, a in scn.actors.items()},
        "outcomes": [{"name": o.name, "description": o.description} for o in scn.outcomes],
        "relations": [
            {"type": r.type, "from": r.source, "to": r.target, "level": getattr(r, "level", None)}
            for r in scn.relations
        ],
    }


@dataclass
class Results:
    """The tables of an ensemble and its manifest."""

    events: pd.DataFrame
    metrics: pd.DataFrame
    runs: pd.DataFrame
    red_lines: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def facts(self) -> dict[str, Any]:
        return self.manifest["scenario"]

    @property
    def step_dates(self) -> pd.DatetimeIndex:
        """The first day of each step."""
        t = self.facts["time"]
        freq = {"day": "D", "week": "7D", "month": "MS"}[t["step"]]
        return pd.date_range(t["start"], periods=t["steps"], freq=freq)

    def check(self, checks) -> list:
        """Verdicts of the given checks (a scenario's `checks`) on these results."""
        from sim.checks import evaluate

        ladder = [r["id"] for r in self.facts["ladder"]]
        return evaluate(checks, self.events, pd.Index(self.runs["run"]), self.step_dates, ladder)

    @classmethod
    def from_chunks(cls, scn: Scenario, chunks: Sequence[Chunk], manifest: dict[str, Any]) -> Results:
        from sim.analysis import outcomes

        facts = scenario_facts(scn)
        manifest = {**manifest, "scenario": {**facts, **manifest.get("scenario", {})}}
        ladder = facts["ladder"]
        ids = np.array([r["id"] for r in ladder] + [""], dtype=object)  # index -1: no action this step
        mid = np.array([r["mid_level"] for r in ladder])
        cameo = np.array([r["cameo"] for r in ladder])
        gold = np.array([r["goldstein"] for r in ladder])
        start = np.datetime64(scn.time.start, "D")

        def cat(part: str, col: str) -> np.ndarray:
            arrays = [getattr(c, part)[col] for c in chunks if len(getattr(c, part)[col])]
            return np.concatenate(arrays) if arrays else np.array([])

        rung = cat("events", "rung").astype(np.int64)
        day = cat("events", "day").astype(np.int64)
        events = pd.DataFrame(
            {
                "run": cat("events", "run").astype(np.int64),
                "step": cat("events", "step").astype(np.int64),
                "date": (start + day.astype("timedelta64[D]")).astype("datetime64[ms]"),
                "source": cat("events", "source").astype(object),
                "target": cat("events", "target").astype(object),
                "action": ids[rung],
                "rung": rung,
                "mid_level": mid[rung],
                "cameo": cameo[rung],
                "goldstein": gold[rung],
                "casualties": cat("events", "casualties").astype(np.float64),
                "attributed_to": cat("events", "attributed_to").astype(object),
                "cause": cat("events", "cause").astype(object),
                "manner": cat("events", "manner").astype(object),
            }
        )
        step = cat("metrics", "step").astype(np.int64)
        step_dates = np.array([np.datetime64(scn.time.date_of(s), "D") for s in range(scn.time.steps)])
        posture = cat("metrics", "posture").astype(np.int64)
        metrics = pd.DataFrame(
            {
                "run": cat("metrics", "run").astype(np.int64),
                "step": step,
                "date": step_dates[step].astype("datetime64[ms]") if len(step) else step_dates[:0],
                "actor": cat("metrics", "actor").astype(object),
                "posture_rung": ids[posture],
                "posture_level": posture,
                "capability": cat("metrics", "capability").astype(np.float64),
                "grievance": cat("metrics", "grievance").astype(np.float64),
                "fear": cat("metrics", "fear").astype(np.float64),
                "pressure": cat("metrics", "pressure").astype(np.float64),
                "attacks": cat("metrics", "attacks").astype(np.int64),
            }
        )
        runs = pd.DataFrame(
            {
                "run": np.concatenate([c.runs for c in chunks]) if chunks else np.array([], dtype=np.int64),
                "seed": np.concatenate([c.seeds for c in chunks]) if chunks else np.array([], dtype=np.int64),
            }
        )
        red = [(run, step, actor, ",".join(who)) for c in chunks for run, step, actor, who in c.red_lines]
        red_lines = pd.DataFrame(red, columns=["run", "step", "actor", "crossed_by"]).astype(
            {"run": np.int64, "step": np.int64}
        )
        runs = outcomes(runs, events, manifest["scenario"], scn.outcomes)
        return cls(events, metrics, runs, red_lines, manifest)

    @classmethod
    def from_tables(cls, scn: Scenario, tables: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> Results:
        """Results from tables already built (a sweep's joined parts)."""
        facts = scenario_facts(scn)
        manifest = {**manifest, "scenario": {**facts, **manifest.get("scenario", {})}}
        return cls(**tables, manifest=manifest)

    # --- disk ----------------------------------------------------------------------------------------------------

    def save(self, folder: str | Path, *, fmt: str = "parquet", force: bool = False, extra=None) -> Path:
        """Write the tables and manifest (and whatever `extra(folder)` adds: plots, summary) atomically."""

        def fill(tmp: Path) -> None:
            for name in TABLES:
                write_table(getattr(self, name), tmp / f"{name}.{fmt}", fmt)
            self.manifest["format"] = fmt
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, default=str) + "\n")
            if extra is not None:
                extra(tmp)

        return write_folder(folder, fill, force=force)

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except FileNotFoundError:
            raise OutputError(f"{folder}: not a results folder (no manifest.json)") from None
        except (OSError, ValueError) as e:
            raise OutputError(f"{folder}/manifest.json: cannot be read ({e})") from None
        fmt = manifest.get("format", "parquet")
        tables = {}
        for name in TABLES:
            path = folder / f"{name}.{fmt}"
            try:
                tables[name] = read_table(path, fmt)
            except FileNotFoundError:
                raise OutputError(f"{path}: missing from the results folder") from None
        return cls(**tables, manifest=manifest)


def write_folder(folder: str | Path, fill, *, force: bool = False) -> Path:
    """Make `folder` atomically: `fill(tmp)` writes into a hidden sibling, which is renamed into place only when
    it is complete. An interruption leaves the old folder (or none) and no half-written files."""
    folder = Path(folder)
    check_output(folder, force)
    tmp = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        fill(tmp)
        replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    else:
        df.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def read_table(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        # Column by column, each Arrow column freed once converted: a million event rows read back in about
        # 50 MB less than pd.read_parquet needs, with the same frame.
        return pq.read_table(path).to_pandas(split_blocks=True, self_destruct=True)
    date_cols = {"events": ["date"], "metrics": ["date"]}.get(path.stem, [])
    df = pd.read_csv(path, parse_dates=date_cols, keep_default_na=False, na_values=[])
    return df


def check_output(folder: Path, force: bool) -> None:
    """Refuse an output folder that exists (unless forced) or whose parent cannot be written."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    if folder.exists() and any(folder.iterdir()) and not force:
        raise OutputError(f"{folder}: already exists; use --force to replace it")
    parent = folder.parent if str(folder.parent) else Path(".")
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: cannot write here ({probe} is not writable)")


def replace_folder(tmp: Path, folder: Path) -> None:
    """Put `tmp` where `folder` is, the old one (if any) moved aside first and removed after."""
    old = None
    if folder.exists():
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        folder.rename(old)
    tmp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def today() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
