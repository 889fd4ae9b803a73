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


def test_mesa_is_imported_with_its_loggers_named_and_inspect_left_as_it_was():
    """redline.engine.mesa_import: Mesa's logger for mesa.model gets its module's name, as with a plain import, and
    inspect's functions are its own again after the import."""
    code = (
        "import inspect, json\n"
        "import redline.engine.model\n"
        "import mesa.mesa_logging as logs\n"
        "print(json.dumps([sorted(logs._module_loggers), inspect.stack.__module__, inspect.getmodule.__module__]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loggers, stack_of, getmodule_of = json.loads(done.stdout)
    assert "mesa.model" in loggers, loggers
    assert stack_of == getmodule_of == "inspect"


def _caller_seen() -> tuple[str, object]:
    """What Mesa's create_module_logger reads: the frame of whoever called it, and that frame's module."""
    import inspect

    frame = inspect.stack()[1]
    return frame.function, inspect.getmodule(frame[0])


def _calling() -> tuple[str, object]:
    return _caller_seen()


def test_while_mesa_is_imported_a_frame_names_the_same_caller_and_module():
    import inspect

    from redline.engine.mesa_import import _frames_name_their_modules

    plain = _calling()
    with _frames_name_their_modules():
        quick = _calling()
        assert inspect.stack()[0].code_context is None  # the source lines are not read
    assert quick == plain == ("_calling", sys.modules[__name__])
    assert inspect.stack()[0].code_context  # inspect's own again
    try:
        with _frames_name_their_modules():
            raise KeyError("an import that fails")
    except KeyError:
        pass
    assert inspect.stack.__module__ == inspect.getmodule.__module__ == "inspect"
