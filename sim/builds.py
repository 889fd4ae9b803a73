"""Which of redline's modules run compiled: setup.py compiles the modules of the model's per-step work together with
mypyc (README, "Speed"), and they are used all as builds or all from their sources, never some of each: compiled,
their classes are native and call one another directly, so a build of one cannot work with the source of another.
The builds are used only while they were made from the sources beside them (theirs, and those of the modules they
import, whose types are compiled in), and never under REDLINE_PURE_PYTHON=1.
Python would load a build before its source, and an editable install compiles in place: an edited or checked-out
source must not be shadowed by the build of an older one.

Each package of the group's modules imports one of them through `current` as it is itself imported, before any other
module of the group can be: the first call decides for the whole group, and the others are imported as any module is.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# The modules compiled together (setup.py's COMPILED), by their place in the package.
GROUP = (
    "redline/agents/actions.py",
    "redline/agents/actor.py",
    "redline/agents/doctrines.py",
    "redline/agents/weighing.py",
    "redline/agents/world.py",
    "redline/engine/counts.py",
    "redline/engine/draws.py",
    "redline/engine/escalation.py",
    "redline/engine/resolving.py",
)
NAMES = {place: place.removesuffix(".py").replace("/", ".") for place in GROUP}
_decided: list[bool] = []  # whether the builds are used, once the first call of `current` has decided it


def compiled() -> list[str]:
    """The names of the modules of the group that run compiled in this process."""
    return [name for name in NAMES.values() if name in sys.modules and is_compiled(sys.modules[name])]


def digest(sources: dict[str, bytes]) -> str:
    """What the builds record of the sources they were made from (`sources` by their place in the package): one
    digest for all of them (setup.py writes it out, since the build cannot import the package it builds)."""
    h = hashlib.sha256()
    for package in sorted(sources):
        h.update(package.encode() + b"\0" + hashlib.sha256(sources[package]).digest())
    return h.hexdigest()


def pure() -> bool:
    """Whether REDLINE_PURE_PYTHON asks for the Python sources: set, and not to 0 (as setup.py reads it)."""
    return os.environ.get("REDLINE_PURE_PYTHON", "0") not in ("", "0")


def is_compiled(module: ModuleType) -> bool:
    return (module.__file__ or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def current(package: str, name: str) -> ModuleType:
    """Import `package`'s module `name` of the group (one that imports no other module of it), compiled if the
    builds match the sources beside them, else from its source."""
    full = f"{package}.{name}"
    if not _decided:
        _decided.append(_decide(full))
    return importlib.import_module(full)


def _folder(package: str) -> Path | None:
    """The folder of the installed package `package` (redline or redline.agents), without importing it."""
    module = sys.modules.get(package)
    where = module.__file__ if module is not None else None
    if where is None and module is None:
        spec = importlib.util.find_spec(package)
        where = spec.origin if spec is not None else None
    return Path(where).parent if where else None  # None: a namespace package, no folder of sources


def _source(place: str) -> Path | None:
    """The source beside the installed package of a module by its place in the package (redline/agents/actor.py,
    redline/engine/model.py), or None."""
    parts = place.split("/")
    folder = _folder("redline.agents") if parts[1:2] == ["agents"] else _folder("redline")
    if folder is None:
        return None
    source = folder.joinpath(*parts[2:] if parts[1:2] == ["agents"] else parts[1:])
    return source if source.is_file() else None


def _built(source: Path) -> bool:
    return any(source.with_suffix(suffix).exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _decide(first: str) -> bool:
    """Whether the group's builds are used: `first` (a module of the group that imports no other) is imported, and
    the sources its build records (the group's, and those of every module they import: their types are compiled
    in) are compared with those beside the package. Otherwise every module of the group is found from its source
    from now on."""
    found = {place: _source(place) for place in GROUP}
    group = {place: source for place, source in found.items() if source is not None}
    if len(group) < len(found):  # an installation without sources: whatever Python finds
        return True
    if not pure() and all(_built(s) for s in group.values()):
        try:
            module = importlib.import_module(first)
        except ImportError:
            # Half a build: the small modules that mypyc puts in the sources' place, without the library they load
            # (a compiler that failed on it, as -Werror can: each is an optional extension).
            module = None
        places = getattr(module, "SOURCES", ())  # only a build records them
        sources = [(place, _source(place)) for place in places]
        if places and all(s is not None for _, s in sources):
            now = digest({place: s.read_bytes() for place, s in sources if s is not None})
            if now == getattr(module, "SOURCE_DIGEST", None):
                return True
        sys.modules.pop(first, None)
    sys.meta_path.insert(0, _FromSources({NAMES[p]: str(s) for p, s in group.items()}))
    return False


class _FromSources(importlib.abc.MetaPathFinder):
    """Finds the group's modules from their sources (ahead of Python's finder, which would take a build first)."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)
