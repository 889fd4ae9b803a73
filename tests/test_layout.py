"""The package's layout shows its parts, and its imports flow one way through them: the scenario language, the
agents (doctrines), the engine (the model and its runs), results, then the front ends (plots, the command line, the
app). A module may import its own part and the parts before it, never one after it, not even inside a function or
for type checking: a later part is free to change without the earlier ones noticing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PARTS = ("language", "agents", "engine", "results", "frontends")  # in the order of the flow
SHARED = ("errors", "words", "limits", "builds")  # modules every part may use; they import no part
TOP = ("__init__", "__main__")  # the public names and `python -m redline`: above every part


def module_of(path: Path) -> str:
    """The dotted name under which a source file of the checkout is imported."""
    rel = path.relative_to(ROOT)
    parts = ["redline", *rel.parts] if rel.parts[0] == "agents" else ["redline", *rel.parts[1:]]
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> int | None:
    """Where a module of redline stands in the flow: shared modules first, then each part; None for the top."""
    names = module.split(".")
    if len(names) == 1:
        return None
    if names[1] in SHARED:
        return 0
    return PARTS.index(names[1]) + 1


def imported(source: str) -> list[tuple[int, str]]:
    """Every module of redline that `source` imports (at any depth of the code), with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("redline"):
            if node.module == "redline":  # `from redline import x`: x may be a part or a module
                found += [(node.lineno, f"redline.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "redline"]
    return found


def against_the_flow(module: str, source: str) -> list[str]:
    me = rank(module)
    bad = []
    for line, target in imported(source):
        if target.split(".")[1:2] and target.split(".")[1] not in (*PARTS, *SHARED):
            bad.append(f"{module}:{line} imports {target}, which belongs to no part")
            continue
        theirs = rank(target)
        if me is not None and (theirs is None or theirs > me):
            bad.append(f"{module}:{line} imports {target}, later in the flow")
    return bad


SOURCES = sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "agents").rglob("*.py")])
IN_PARTS = [p for p in SOURCES if module_of(p) not in ("redline", "redline.__main__")]


def test_every_module_of_the_package_belongs_to_a_part():
    loose = [
        str(p.relative_to(ROOT))
        for p in SOURCES
        if p.parent == ROOT / "sim" and p.stem not in (*SHARED, *TOP)
    ]
    assert not loose
    assert {p.name for p in (ROOT / "sim").iterdir() if p.is_dir() and p.name != "__pycache__"} == set(
        PARTS
    ) - {"agents"}


@pytest.mark.parametrize("path", IN_PARTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path):
    assert not against_the_flow(module_of(path), path.read_text())


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("redline.engine.model", "def f():\n    from redline.results.store import Results\n"),
        (
            "redline.agents.actor",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import redline.engine.draws\n",
        ),
        ("redline.language.spec", "from redline import plots\n"),
        ("redline.results.summary", "from redline.frontends import plotfiles\n"),
        ("redline.errors", "from redline.language import spec\n"),
    ],
)
def test_an_import_against_the_flow_is_found(module, source):
    assert against_the_flow(module, source)


def test_imports_along_the_flow_pass():
    assert not against_the_flow(
        "redline.frontends.cli", "from redline.results import sweep\nfrom redline.engine.model import X\n"
    )
    assert not against_the_flow("redline.agents.actor", "from redline.language import spec as lang\n")
