"""redline's build: pyproject.toml says what the package is; this adds its compiled modules.

The model's per-step work lives in plain modules of plain classes on typed data: the actors and their doctrines
(agents/actor.py, doctrines.py, actions.py, and the weighing of a choice's options, weighing.py) and the escalation
they make (sim/engine/escalation.py, with the loops of resolving actions and of drawing numbers: resolving.py,
counts.py, draws.py). Where mypyc (part of mypy, a build requirement) and a C compiler are at hand, they are compiled
to C together, as native classes that call one another directly; anywhere else the build carries on and the same
modules run as Python, with the same results (tests/test_compiled.py compares the two). Set REDLINE_PURE_PYTHON=1
to build without compiling (redline.builds: also to run without the builds).
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
# The modules compiled, by their place in the checkout and in the package (pyproject.toml's package-dir).
COMPILED = {
    "agents/actions.py": "redline/agents/actions.py",
    "agents/actor.py": "redline/agents/actor.py",
    "agents/doctrines.py": "redline/agents/doctrines.py",
    "agents/weighing.py": "redline/agents/weighing.py",
    "agents/world.py": "redline/agents/world.py",
    "sim/engine/counts.py": "redline/engine/counts.py",
    "sim/engine/draws.py": "redline/engine/draws.py",
    "sim/engine/escalation.py": "redline/engine/escalation.py",
    "sim/engine/resolving.py": "redline/engine/resolving.py",
}
# The library that holds them all (each module's own small library loads it from there): in the package.
GROUP = "redline.native"
# The package's folders in the checkout (pyproject.toml's package-dir): mypy reads the whole package laid out so.
PACKAGE_DIRS = {"redline": "sim", "redline/agents": "agents"}
# mypyc's sources and the copies it reads, under build/ (which a checkout ignores).
TREE = Path("build") / "mypyc-src"
C_SOURCES = Path("build") / "mypyc"


def digest(sources: dict[str, bytes]) -> str:
    """What the compiled modules record of the sources they were made from, by their place in the package
    (redline.builds.digest, which checks it on import: written out here, since the build cannot import the package
    it builds). One digest for all: they are built together and used together, or not at all."""
    h = hashlib.sha256()
    for package in sorted(sources):
        h.update(package.encode() + b"\0" + hashlib.sha256(sources[package]).digest())
    return h.hexdigest()


def typed_by(tree: Path, compiled: list[str]) -> list[str]:
    """The compiled modules and every module of the package they import, directly or through another (at run time
    or for types alone), by their place in the package laid out under `tree`: the types of all of them are compiled
    in, so an edit of any makes the builds stale."""
    found: set[str] = set()
    todo = list(compiled)
    while todo:
        place = todo.pop()
        if place in found:
            continue
        found.add(place)
        for node in ast.walk(ast.parse((tree / place).read_bytes())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                if name.split(".")[0] != "redline":
                    continue
                module = Path(*name.split("."))
                for candidate in (module.with_suffix(".py"), module / "__init__.py"):
                    if (tree / candidate).is_file():
                        todo.append(candidate.as_posix())
                        break
    return sorted(found)


def compiled_modules() -> list:
    if os.environ.get("REDLINE_PURE_PYTHON", "0") not in ("", "0"):  # as redline.builds.pure reads it
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # a build without mypy: the modules stay Python
        print(f"warning: mypy (mypyc) is not installed: {', '.join(COMPILED)} stay Python", file=sys.stderr)
        return []
    # mypyc names a module by the packages (folders with an __init__.py) around its file, and the checkout's
    # folders are not laid out as the package (agents/ is redline/agents/): so it reads a copy of the package that
    # is. Each compiled module's copy ends with the sources whose types it holds (its own, the group's, and those of
    # the modules they import) and their digest, which an edit of any of them no longer matches.
    shutil.rmtree(HERE / TREE, ignore_errors=True)
    for package, folder in PACKAGE_DIRS.items():
        for source in (HERE / folder).rglob("*.py"):
            copy = HERE / TREE / package / source.relative_to(HERE / folder)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(source.read_bytes())
    places = typed_by(HERE / TREE, list(COMPILED.values()))
    sources = {place: (HERE / TREE / place).read_bytes() for place in places}
    recorded = f"\nSOURCES = {tuple(places)!r}\nSOURCE_DIGEST = {digest(sources)!r}\n".encode()
    paths = []
    for package in COMPILED.values():
        (HERE / TREE / package).write_bytes(sources[package] + recorded)
        paths.append(str(TREE / package))
    # A configuration of its own: the project's (pyproject.toml) speaks of modules that this build does not read.
    # The package's other modules are read for their types only (what the compiled classes hold comes from them);
    # the libraries are not read at all (networkx, pandas, numpy, ...: a build would take four times as long).
    # Its cache goes under build/ too.
    config = HERE / TREE / "mypy.ini"
    config.write_text(
        "[mypy]\nwarn_unused_ignores = True\nfollow_imports = skip\nignore_missing_imports = True\n"
        f"cache_dir = {TREE / '.mypy_cache'}\n"
        "[mypy-redline.*]\nfollow_imports = silent\n"
    )
    modules = mypycify(
        ["--config-file", str(TREE / "mypy.ini"), *paths],
        opt_level="3",
        debug_level="0",  # no debugging information: a fifth of the compiler's time, for symbols nobody reads
        target_dir=str(C_SOURCES),
        # One library for all, in the package (left to itself, mypyc would put it at the top level, where only
        # redline belongs): within it, a call from one module's class to another's is a direct C call.
        separate=[(paths, GROUP)],
    )
    for module in modules:
        module.optional = True  # without a C compiler, a warning and the module as Python, not a failed build
        # mypyc gives every module one list of flags: each is added once.
        if os.name == "posix" and "-ffp-contract=off" not in module.extra_compile_args:
            # The same results to the last bit as the source: no a * b + c fused into one rounding, which gcc does
            # wherever the target has the instruction (arm64, or x86-64 with CFLAGS=-march=native) (gcc and clang;
            # MSVC does not fuse unless told to).
            module.extra_compile_args.append("-ffp-contract=off")
    return modules


setup(ext_modules=compiled_modules())
