"""redline's Mesa agents: the actors and the doctrines that decide what they do."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path


def _current(name: str) -> None:
    """Import this package's module `name`, compiled if its compiled build (see setup.py) was made from the source
    beside it, else from that source. An editable install compiles in place, and an edited or checked-out source
    must not be shadowed by the build of an older one (Python would load the build first)."""
    source = Path(__file__).with_name(f"{name}.py")
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        # Half a build: the small module that mypyc puts in the source's place, without the one it loads (a compiler
        # that failed on the larger, as -Werror can, and each is an optional extension). The source, if it is there.
        if not source.exists():
            raise
    else:
        built_from = getattr(module, "SOURCE_DIGEST", None)  # only a compiled build records it
        if built_from is None or not source.exists():
            return
        if built_from == hashlib.sha256(source.read_bytes()).hexdigest():
            return
    spec = importlib.util.spec_from_file_location(f"{__name__}.{name}", source)
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fresh
    spec.loader.exec_module(fresh)
    globals()[name] = fresh


_current("weighing")
