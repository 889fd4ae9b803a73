"""Commands import only what they need: the start of `redline --version` or `redline validate` pays for no
table, plot or model library."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import FLAGSHIP

HEAVY = ("numpy", "pandas", "pyarrow", "matplotlib", "mesa", "networkx")


def _loaded(*argv: str) -> set[str]:
    """The top-level modules loaded by `redline ARGV` run in a fresh interpreter."""
    code = (
        "import sys, json\n"
        "from redline.frontends.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_version_and_validate_load_no_heavy_library():
    version = _loaded("--version")
    assert not version & set(HEAVY), version & set(HEAVY)
    validate = _loaded("validate", str(FLAGSHIP))
    assert "yaml" in validate  # it did read the scenario
    assert not validate & set(HEAVY), validate & set(HEAVY)


def test_the_names_imported_on_first_use_are_listed():
    """A notebook completes `redline.` with the names of its API, though they are imported only when used."""
    import redline

    assert {"load_scenario", "run_ensemble", "write_ensemble", "plots", "Results"} <= set(dir(redline))
