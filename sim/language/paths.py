"""Where the shipped data lives, and the shipped scenarios by name.

The data are the packages `redline.scenarios` and `redline.seeds` (the repository's scenarios/ and seeds/ folders,
mapped into the package by the build), found through importlib.resources: an installed wheel finds its own copy,
an editable install the checkout's.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from redline.errors import Issue, ScenarioError
from redline.language.typed import suggest


def _folder(package: str) -> Path:
    # redline is installed as files (an unpacked wheel or an editable checkout), never zipped: its data are real
    # folders, which the loader needs (its messages name files, and `extends:` is bounded by folders).
    folder = files(package)
    if not isinstance(folder, Path):
        raise RuntimeError(f"{package}: redline's data must be installed as files, not inside an archive")
    return folder


SEEDS = _folder("redline.seeds")
SCENARIOS = _folder("redline.scenarios")
LADDERS = SCENARIOS / "ladders"


def shipped_scenarios() -> dict[str, Path]:
    """The shipped scenarios by name: their path under scenarios/ without `.yaml` (`axis-2023`,
    `cases/lebanon-2006`). Ladders are not scenarios."""
    return {
        p.relative_to(SCENARIOS).with_suffix("").as_posix(): p
        for p in sorted(SCENARIOS.rglob("*.yaml"))
        if not p.is_relative_to(LADDERS)
    }


def scenario_path(arg: str | os.PathLike[str]) -> Path:
    """A scenario argument as a file. A path that exists is taken as it is; otherwise a shipped scenario's name
    (`axis-2023`, `cases/lebanon-2006`, with or without `.yaml`, or as the checkout's `scenarios/axis-2023.yaml`
    from another folder). A missing file that is no shipped name is given
    back for the loader to report ('no such file'), unless it has no .yaml suffix: then it was meant as a name, and
    the error lists the names."""
    path = Path(arg)
    if path.exists():
        return path
    shipped = shipped_scenarios()
    name = path.as_posix().removesuffix(".yaml")
    if name in shipped:
        return shipped[name]
    # A path as the docs write it from the checkout (`scenarios/axis-2023.yaml`), typed elsewhere: the shipped file.
    if not path.is_absolute() and path.parts[:1] == ("scenarios",):
        inner = name.removeprefix("scenarios/")
        if inner in shipped:
            return shipped[inner]
    if path.suffix in (".yaml", ".yml"):
        return path
    raise ScenarioError(
        [
            Issue(
                str(arg),
                1,
                "",
                f"no such file, nor a shipped scenario{suggest(name, shipped)}: {_listing(shipped)}",
            )
        ]
    )


def _listing(names: dict[str, Path]) -> str:
    """The names, those of a subfolder grouped: `axis-2023, ..., cases/{golan-2018, ...}` (one short line)."""
    groups: dict[str, list[str]] = {}
    for name in sorted(names):
        folder, _, stem = name.rpartition("/")
        groups.setdefault(folder, []).append(stem)
    return ", ".join(
        ", ".join(stems) if not folder else f"{folder}/{{{', '.join(stems)}}}"
        for folder, stems in groups.items()
    )
