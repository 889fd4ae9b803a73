"""Mesa, imported for the model (redline.engine.model), without the tenth of a second its logging set-up spends.

As `mesa.model` is imported, Mesa's `create_module_logger()` finds that module's name with `inspect.stack()` and
`inspect.getmodule()`: the first reads the source lines of every frame on the import stack, the second walks every
module loaded so far (about 1,300 by then: pandas, scipy, networkx) to map files to modules. That took 0.07 s of
every process that imports the model (median of 8: 0.58 s for Mesa against 0.65 s): the `redline` command's, and a
Dask cluster's server process, on the way to the first run. While Mesa is imported here, the stack is read without
its source lines, and a frame's module is the one its globals name: the same module for the same frame, found
without the walk. Both functions are inspect's own again as soon as the import is done, whatever it raised.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator
from types import FrameType, ModuleType
from typing import Any


@contextlib.contextmanager
def _frames_name_their_modules() -> Iterator[None]:
    stack, getmodule = inspect.stack, inspect.getmodule

    def stack_without_source(context: int = 1) -> list[inspect.FrameInfo]:
        return stack(0)[1:]  # [1:]: this function's own frame, which inspect.stack() would not list

    def module_of(obj: Any, _filename: str | None = None) -> ModuleType | None:
        if isinstance(obj, FrameType):
            module = sys.modules.get(obj.f_globals.get("__name__", ""))
            if module is not None and getattr(module, "__dict__", None) is obj.f_globals:
                return module
        return getmodule(obj, _filename)

    inspect.stack, inspect.getmodule = stack_without_source, module_of  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.stack, inspect.getmodule = stack, getmodule


with _frames_name_their_modules():
    import mesa

__all__ = ["mesa"]
