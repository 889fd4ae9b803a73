"""Which of redline's modules run compiled: setup.py compiles a few plain modules of the per-step loops with mypyc
(README, "Speed"), and each package imports them through `current`, which uses a build only while it was made from
the source beside it, and never under REDLINE_PURE_PYTHON=1. Python would load a build before its source, and an
editable install compiles in place: an edited or checked-out source must not be shadowed by the build of an older
one."""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

# The modules imported through `current`, by name: those that may run compiled, whichever they run as.
CURRENT: dict[str, ModuleType] = {}


def compiled() -> list[str]:
    """The names of the modules imported through `current` that run compiled in this process."""
    return [name for name, module in CURRENT.items() if is_compiled(module)]


def digest(source: bytes) -> str:
    """What a build records of its source (setup.py writes it as the module's SOURCE_DIGEST)."""
    return hashlib.sha256(source).hexdigest()


def pure() -> bool:
    """Whether REDLINE_PURE_PYTHON asks for the Python sources: set, and not to 0 (as setup.py reads it)."""
    return os.environ.get("REDLINE_PURE_PYTHON", "0") not in ("", "0")


def is_compiled(module: ModuleType) -> bool:
    return (module.__file__ or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def current(package: str, name: str) -> ModuleType:
    """Import `package`'s module `name` (a package being imported calls this for each of its compiled modules),
    compiled if its build matches the source beside it, else from that source."""
    module = CURRENT[f"{package}.{name}"] = _find(package, name)
    return module


def _find(package: str, name: str) -> ModuleType:
    full = f"{package}.{name}"
    where = sys.modules[package].__file__  # None for a namespace package: no folder of sources to look in
    source = Path(where).with_name(f"{name}.py") if where else None
    if source is None or not source.exists():  # an installation without sources: whatever Python finds
        return importlib.import_module(full)
    if not pure():
        try:
            module = importlib.import_module(full)
        except ImportError:
            # Half a build: the small module that mypyc puts in the source's place, without the one it loads (a
            # compiler that failed on the larger, as -Werror can, and each is an optional extension).
            pass
        else:
            built_from = getattr(module, "SOURCE_DIGEST", None)  # only a build records it
            if built_from is None or built_from == digest(source.read_bytes()):
                return module
    spec = importlib.util.spec_from_file_location(full, source)
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    sys.modules[full] = fresh
    spec.loader.exec_module(fresh)
    setattr(sys.modules[package], name, fresh)
    return fresh
