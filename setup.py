"""redline's build: pyproject.toml says what the package is; this adds its compiled modules.

A few plain modules hold the per-step loops on typed data: the weighing of a choice's options (agents/weighing.py,
about a quarter of a run as Python), the loops of resolving actions and of drawing counts (sim/engine/resolving.py,
counts.py). Where mypyc (part of mypy, a build requirement) and a C compiler are at hand, they are compiled to C;
anywhere else the build carries on and the same modules run as Python, with the same results (tests/test_compiled.py
compares the two). Set REDLINE_PURE_PYTHON=1 to build without compiling (redline.builds: also to run without the
builds).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
# The modules compiled, by their place in the checkout and in the package (pyproject.toml's package-dir).
COMPILED = {
    "agents/weighing.py": "redline/agents/weighing.py",
    "sim/engine/resolving.py": "redline/engine/resolving.py",
    "sim/engine/counts.py": "redline/engine/counts.py",
}
# mypyc's sources and the copies it reads, under build/ (which a checkout ignores).
TREE = Path("build") / "mypyc-src"
C_SOURCES = Path("build") / "mypyc"


def digest(source: bytes) -> str:
    """What a compiled module records of the source it was made from (redline.builds.digest, which checks it on
    import: written out here, since the build cannot import the package it builds)."""
    return hashlib.sha256(source).hexdigest()


def compiled_modules() -> list:
    if os.environ.get("REDLINE_PURE_PYTHON", "0") not in ("", "0"):  # as redline.builds.pure reads it
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # a build without mypy: the modules stay Python
        print(f"warning: mypy (mypyc) is not installed: {', '.join(COMPILED)} stay Python", file=sys.stderr)
        return []
    # mypyc names a module by the packages (folders with an __init__.py) around its file, and the checkout's
    # folders are not laid out as the package (agents/ is redline/agents/): so it reads copies that are. Each copy
    # ends with the digest of its source, which an edited source no longer matches.
    shutil.rmtree(HERE / TREE, ignore_errors=True)
    paths = []
    for checkout, package in COMPILED.items():
        copy = HERE / TREE / package
        for folder in (copy.parent, *copy.parent.parents):
            if folder == HERE / TREE:
                break
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "__init__.py").touch()
        source = (HERE / checkout).read_bytes()
        copy.write_bytes(source + f'\nSOURCE_DIGEST = "{digest(source)}"\n'.encode())
        paths.append(str(TREE / package))
    # A configuration of its own: the project's (pyproject.toml) speaks of modules that this build does not read.
    # Its cache goes under build/ too, not into a .mypy_cache of the checkout.
    config = HERE / TREE / "mypy.ini"
    config.write_text(f"[mypy]\nwarn_unused_ignores = True\ncache_dir = {TREE / '.mypy_cache'}\n")
    modules = mypycify(
        ["--config-file", str(TREE / "mypy.ini"), *paths],
        opt_level="3",
        target_dir=str(C_SOURCES),
        # Each module in a library of its own, beside it in its package (a shared one would be installed at the
        # top level, where only redline belongs); the modules do not call one another.
        separate=True,
    )
    for module in modules:
        module.optional = True  # without a C compiler, a warning and the module as Python, not a failed build
        if os.name == "posix":  # gcc and clang (MSVC does not fuse unless told to)
            # The same results to the last bit as the source: no a * b + c fused into one rounding, which gcc does
            # wherever the target has the instruction (arm64, or x86-64 with CFLAGS=-march=native).
            module.extra_compile_args.append("-ffp-contract=off")
    return modules


setup(ext_modules=compiled_modules())
