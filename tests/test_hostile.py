"""Every command under bad, hostile or damaged input: exit status 2, one line naming the culprit, no traceback,
and nothing in the user's folders touched. Then what only real processes show: two writers at once, SIGTERM,
SIGINT and SIGKILL. Then fuzzing of the loader and of --set.

Most cases run the command in-process (redline.frontends.cli.main) so that hundreds stay fast; the signal and
concurrency cases start `python -m redline`."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.errors import ScenarioError
from redline.frontends.cli import main
from redline.results.outputs import MARKER

from .conftest import ROOT, TINY

TINY_TEXT = TINY.read_text()
SENTINEL = "the user's own words\n"


# --- the user's folder, and a snapshot that shows any change to it ----------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user's working folder: a scenario folder, a folder of their own files, a sentinel file; cwd is here."""
    (tmp_path / "scn").mkdir()
    (tmp_path / "scn" / "tiny.yaml").write_text(TINY_TEXT)
    (tmp_path / "scn" / "notes.yaml").write_text("password: hunter2\nroot: x:0:0\n")
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "precious.txt").write_text(SENTINEL)
    (tmp_path / "user" / "network.png").write_text(SENTINEL)
    (tmp_path / "user" / "debrief-run-0.md").write_text(SENTINEL)
    (tmp_path / "sentinel.txt").write_text(SENTINEL)
    os.symlink(tmp_path / "user", tmp_path / "link")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            out[rel] = f"-> {os.readlink(p)}" if p.is_symlink() else "dir" if p.is_dir() else p.read_bytes()
    return out


def run_cli(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        status = main([str(a) for a in args])
    except SystemExit as e:  # a command must return, but a stray exit is still a status to check
        status = e.code if isinstance(e.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def assert_refused(capsys, root: Path, args, needle: str) -> str:
    before = snapshot(root)
    status, _, err = run_cli(capsys, *args)
    lines = err.strip().splitlines()
    assert status == 2, (status, err)
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert needle in err, (needle, err)
    assert snapshot(root) == before, "the command changed the user's folder"
    return err


# --- every command that reads a scenario, under every kind of bad scenario and --set ------------------------------

SCN = "scn/tiny.yaml"
BAD = "scn/bad.yaml"


def _ensemble(*extra):
    return ["--runs", 2, "--workers", 1, "-q", *extra]


COMMANDS = {
    "validate": lambda s: ["validate", s],
    "describe": lambda s: ["describe", s, "--out", "new"],
    "run": lambda s: ["run", s, "--out", "new", *_ensemble()],
    "check": lambda s: ["check", s, *_ensemble()],
    "compare": lambda s: ["compare", s, SCN, "--out", "new", *_ensemble()],
    "robustness": lambda s: ["robustness", s, "--param", "actors.patron.capability", *_ensemble()],
    "sweep": lambda s: [
        "sweep",
        s,
        "--param",
        "actors.patron.capability=0.2,0.4",
        "--out",
        "new",
        *_ensemble(),
    ],
    "play": lambda s: ["play", s, "--as", "patron", "--out", "new"],
    "app": lambda s: ["app", s, "--port", "1"],
    "levers": lambda s: ["levers", s],
}

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefg", "bcdefgh", strict=True)
)

# name -> (file content, the culprit named in the one line)
BAD_FILES: dict[str, tuple[str | bytes | None, str]] = {
    "extends-etc-passwd": ("extends: /etc/passwd\nscenario: v\ntitle: t\n", "outside the scenario's folder"),
    "extends-dotdot": ("extends: ../../../../../../etc/passwd\nscenario: v\ntitle: t\n", "outside"),
    "extends-absent-outside": ("extends: /nonexistent/x.yaml\nscenario: v\ntitle: t\n", "outside"),
    "extends-a-folder": ("extends: /etc\nscenario: v\ntitle: t\n", "outside"),
    "extends-not-a-scenario": ("extends: notes.yaml\nscenario: v\ntitle: t\n", "not a scenario file"),
    "extends-missing-inside": ("extends: nothere.yaml\nscenario: v\ntitle: t\n", "no scenario file"),
    "extends-itself": ("extends: bad.yaml\nscenario: v\ntitle: t\n", "cycle"),
    "empty": ("", "empty"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "alias-bomb": (ALIAS_BOMB, "too many values"),
    "deep-brackets": ("a: " + "[" * 200 + "]" * 200 + "\n", "nesting is too deep"),
    "deep-indent": ("".join(" " * (2 * i) + f"k{i}:\n" for i in range(300)) + " " * 600 + "x: 1\n", "deep"),
    "duplicate-key": (TINY_TEXT + "title: again\n", "duplicate key"),
    "too-big": ("# " + "x" * (600 * 1024) + "\n" + TINY_TEXT, "limited to"),
    "python-tag": ("!!python/object/apply:os.system ['echo pwned']\n", "bad.yaml:1"),
    "not-a-mapping": ("- a\n- b\n", "a scenario is a mapping"),
    "feb-30": (TINY_TEXT.replace("start: 2024-01-01", "start: 2023-02-30"), "day is out of range"),
    "year-9999": (TINY_TEXT.replace("start: 2024-01-01", "start: 9999-12-31"), "out of range"),
    "year-1": (TINY_TEXT.replace("start: 2024-01-01", "start: 0001-01-01"), "out of range"),
    "event-feb-30": (TINY_TEXT.replace("at: 2024-01-03", "at: 2024-02-30"), "day is out of range"),
    "nan": (TINY_TEXT.replace("capability: 0.6", "capability: nan"), "finite number"),
    "inf": (TINY_TEXT.replace("capability: 0.6", "capability: .inf"), "finite number"),
    "long-title": (TINY_TEXT.replace("title: Tiny", "title: " + "x" * 6000), "at most 5,000"),
    "unknown-key": (TINY_TEXT.replace("cost_sensitivity: 0.8", "cost_sensitivty: 0.8"), "cost_sensitivty"),
    "merge-key": ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
    "missing-file": (None, "no such file"),
    "a-folder": (b"", "not a regular file"),
}


def _write_bad(home: Path, name: str) -> None:
    content, _ = BAD_FILES[name]
    bad = home / BAD
    if name == "a-folder":
        bad.mkdir()
    elif isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content)


@pytest.mark.parametrize("fault", list(BAD_FILES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_scenario_file(capsys, home, command, fault):
    _write_bad(home, fault)
    err = assert_refused(capsys, home, COMMANDS[command](BAD), BAD_FILES[fault][1])
    assert "root:" not in err and "hunter2" not in err  # no line of a file that is not a scenario


BAD_SETS = {
    "feb-30": ("time.start=2023-02-30", "day is out of range"),
    "year-9999": ("time.start=9999-12-31", "out of range"),
    "year-1": ("time.start=0001-01-01", "out of range"),
    "not-a-date": ("time.start=soon", "expected a date"),
    "nan": ("actors.patron.capability=nan", "finite number"),
    "inf": ("actors.patron.capability=inf", "finite number"),
    "minus-inf": ("actors.patron.capability=-.inf", "finite number"),
    "huge": ("actors.patron.capability=1e400", "finite number"),
    "deep-brackets": ("actors.patron.capability=" + "[" * 5000, "nesting is too deep"),
    "alias-loop": ("actors.patron.capability=&a [*a]", "nesting"),
    "long-text": ("title=" + "x" * 6000, "at most 5,000"),
    "too-long-value": ("title=" + "x" * 20_000, "longer than"),
    "bad-yaml": ("actors.patron.capability=[0.5", "not valid YAML"),
    "python-tag": ("actors.patron.capability=!!python/object/apply:os.system [ls]", "--set:1"),
    "unknown-key": ("actors.patron.capabilty=0.3", "did you mean 'capability'"),
    "no-equals": ("actors.patron.capability", "KEY.PATH=VALUE"),
    "out-of-range": ("actors.patron.capability=7", "out of range"),
    "empty-segment": ("actors..capability=0.3", "empty segment"),
    "index-out": ("relations.99.level=0.3", "out of range"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    "sets",
    [
        ["actors.patron.capability=0.3", "actors.patron.capability=0.5"],
        # a value, then the doctrine that holds it: the order decides which wins
        ["actors.client.doctrine.retaliation.lag=1", "actors.client.doctrine.retaliation={half_life: 9}"],
        # one relation named by its index, then by its key
        ["relations.0.control=0.3", "relations.supports:patron:client.control=0.5"],
    ],
)
def test_one_value_set_twice(capsys, home, command, sets):
    """The later would win without a word, and the results' record would name both."""
    flags = [x for text in sets for x in ("--set", text)]
    assert_refused(capsys, home, [*COMMANDS[command](SCN), *flags], "--set:2: ")


def test_one_value_set_twice_on_one_side_of_a_comparison(capsys, home):
    flags = ["--set-b", "actors.patron.capability=0.3", "--set-b", "actors.patron.capability=0.5"]
    assert_refused(capsys, home, ["compare", SCN, SCN, *_ensemble(), *flags], "--set-b:2: ")
    # on one side, one relation named by its index and then by its key
    flags = ["--set-b", "relations.0.control=0.3", "--set-b", "relations.supports:patron:client.control=0.5"]
    assert_refused(capsys, home, ["compare", SCN, SCN, *_ensemble(), *flags], "--set-b:2: ")


def test_two_relations_by_index_and_by_key_are_two_values(capsys, home):
    """relations.1 and the key of relations.0 name two values: both are taken."""
    flags = ["--set", "relations.1.level=0.6", "--set", "relations.supports:patron:client.control=0.5"]
    status, _, err = run_cli(capsys, "check", SCN, *_ensemble(), *flags)
    assert status in (0, 1), err


@pytest.mark.parametrize("index", ["{n}", "+0", "00{n}"])
def test_an_item_the_loader_does_not_read_is_not_taken_for_another(capsys, home, index):
    """relations.N, one past the end, and relations.+0 name no item: the loader says so, rather than the check of
    values set twice taking them for relations.0 (an index read modulo the length, or by int())."""
    from redline.language.scenario import load_scenario

    n = len(load_scenario(home / SCN).relations)
    flags = ["--set", f"relations.{index.format(n=n)}.level=0.3", "--set", "relations.0.level=0.5"]
    err = assert_refused(capsys, home, ["validate", SCN, *flags], "--set:1: ")
    assert "sets what" not in err, err


@pytest.mark.parametrize("fault", list(BAD_SETS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_set(capsys, home, command, fault):
    text, needle = BAD_SETS[fault]
    assert_refused(capsys, home, [*COMMANDS[command](SCN), "--set", text], needle)


@pytest.mark.parametrize(
    ("param", "needle"),
    [
        ("actors.patron.capabilty=0.2,0.4", "did you mean 'capability'"),
        ("actors.patron.capability=0.2,7", "out of range"),
    ],
    ids=["unknown-key", "bad-value-at-a-later-point"],
)
def test_a_bad_sweep_parameter_is_told_before_the_plan(capsys, home, param, needle):
    """Without -q a sweep tells its plan (points x runs) as it starts: a parameter that no point can take is told
    alone, before it."""
    args = ["sweep", SCN, "--param", param, "--out", "new", "--runs", 2, "--workers", 1]
    assert_refused(capsys, home, args, needle)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_unknown_flag_is_told_by_its_command(capsys, home, command):
    """Given after the command, it is told by the command, with its --help; given before, by redline itself."""
    err = assert_refused(
        capsys, home, [*COMMANDS[command](SCN), "--bogus"], "unrecognized arguments: --bogus"
    )
    assert err.startswith(f"redline {command}: ") and f"'redline {command} --help'" in err
    err = assert_refused(
        capsys, home, ["--bogus", *COMMANDS[command](SCN)], "unrecognized arguments: --bogus"
    )
    assert err.startswith("redline: ") and "'redline --help'" in err


BAD_INJECTS = {
    "feb-30": ("2023-02-30:patron:rival:threat", "--inject:1"),
    "year-9999": ("9999-12-31:patron:rival:threat", "out of range"),
    "year-1": ("0001-01-01:patron:rival:threat", "out of range"),
    "unknown-actor": ("2024-01-10:patron:rivl:threat", "unknown actor 'rivl'"),
    "unknown-rung": (
        "2024-01-10:patron:rival:nuke",
        "unknown rung on the ladder 'nuke' (choose from: de_escalate,",
    ),
    "unknown-actor-far": (
        "2024-01-10:patron:zzz:threat",
        "unknown actor 'zzz' (choose from: patron, client, rival)",
    ),
    "malformed": ("nonsense", "DATE:SOURCE:TARGET:ACTION"),
}


@pytest.mark.parametrize("fault", list(BAD_INJECTS))
@pytest.mark.parametrize("command", ["run", "play", "app"])
def test_a_bad_inject(capsys, home, command, fault):
    text, needle = BAD_INJECTS[fault]
    assert_refused(capsys, home, [*COMMANDS[command](SCN), "--inject", text], needle)


def test_a_ladder_linked_out_of_its_folder_is_not_read(capsys, home):
    (home / "scn" / "ladders").mkdir()
    os.symlink(home / "scn" / "notes.yaml", home / "scn" / "ladders" / "leak.yaml")
    (home / BAD).write_text(TINY_TEXT.replace("ladder: default", "ladder: leak"))
    err = assert_refused(capsys, home, ["validate", BAD], "no ladder named 'leak'")
    assert "hunter2" not in err and "password" not in err


def test_extends_says_the_same_whether_the_outside_file_exists_or_not(capsys, home):
    errs = []
    for target in ("/etc/passwd", "/nonexistent/passwd"):
        (home / BAD).write_text(f"extends: {target}\nscenario: v\ntitle: t\n")
        status, _, err = run_cli(capsys, "validate", BAD)
        assert status == 2
        errs.append(err.replace(target, "X"))
    assert errs[0] == errs[1]


# --- bad flags, each checked before any run ---------------------------------------------------------------------

ENSEMBLE_COMMANDS = ["run", "check", "compare", "robustness", "sweep"]
BAD_FLAGS = {
    "runs-0": (["--runs", "0"], "--runs"),
    "runs-huge": (["--runs", "100001"], "at most 100,000"),
    "runs-word": (["--runs", "many"], "not a whole number"),
    "workers-0": (["--workers", "0"], "--workers"),
    "workers-huge": (["--workers", "257"], "at most 256"),
    "seed-negative": (["--seed", "-1"], "--seed"),
    "seed-huge": (["--seed", str(2**63)], "--seed"),
    "scheduler-not-a-url": (["--executor", "dask", "--scheduler", "notaurl"], "--scheduler"),
    "scheduler-without-dask": (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler goes with --executor dask"),
    "executor-unknown": (["--executor", "mpi"], "--executor"),
}


@pytest.mark.parametrize("fault", list(BAD_FLAGS))
@pytest.mark.parametrize("command", ENSEMBLE_COMMANDS)
def test_a_bad_ensemble_flag(capsys, home, command, fault):
    flags, needle = BAD_FLAGS[fault]
    assert_refused(capsys, home, [*COMMANDS[command](SCN), *flags], needle)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan", "1e9"])
@pytest.mark.parametrize("command", ENSEMBLE_COMMANDS)
def test_a_bad_environment_variable_is_one_line_where_it_matters(capsys, home, monkeypatch, command, value):
    monkeypatch.setenv("REDLINE_DASK_TIMEOUT", value)
    args = [*COMMANDS[command](SCN), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"]
    assert_refused(capsys, home, args, "REDLINE_DASK_TIMEOUT")


@pytest.mark.parametrize(
    ("variable", "value"), [("MPLBACKEND", "bogus"), ("TQDM_MININTERVAL", "abc"), ("TQDM_NCOLS", "wide")]
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_bad_variable_read_by_a_library_at_import(home, variable, value, command):
    """Read as matplotlib or tqdm is imported, so only a fresh process shows it."""
    args = COMMANDS[command](SCN)
    env = {**_env(), variable: value}
    done = subprocess.run(_cli(*args), env=env, capture_output=True, text=True, cwd=home, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and variable in done.stderr
    assert "Traceback" not in done.stderr and not (home / "new").exists()


def test_a_bad_environment_variable_does_not_break_other_commands(capsys, home, monkeypatch):
    monkeypatch.setenv("REDLINE_DASK_TIMEOUT", "abc")
    assert run_cli(capsys, "validate", SCN)[0] == 0


TARGET = "actors.client.doctrine.campaign.per_day.rival"
CONTROL = "relations.supports:patron:client.control"
SWEEP_FAULTS = {
    "nan-value": ([f"--param={TARGET}=nan,1"], "not a finite number"),
    "inf-bound": ([f"--param={TARGET}=0:inf", "--design", "lhs", "--samples", "4"], "not a finite number"),
    "duplicate": ([f"--param={TARGET}=1,2", f"--param={TARGET}=3"], "--param:2"),
    "aliased": ([f"--param={CONTROL}=0.1", "--param=relations.0.control=0.2"], "the same value as --param 1"),
    "grid-too-big": ([f"--param={TARGET}=0:1:100000000"], "at most 10,000"),
    "grid-product-too-big": ([f"--param={TARGET}=0:1:1000", f"--param={CONTROL}=0:1:1000"], "at most 10,000"),
    "samples-too-big": ([f"--param={TARGET}=0:1", "--design", "lhs", "--samples", "10001"], "--samples"),
    "sobol-too-big": ([f"--param={TARGET}=0:1", "--design", "sobol", "--samples", "5000"], "points"),
    "runs-too-many": ([f"--param={TARGET}=0:1:1000", "--runs", "2000"], "at most 1,000,000"),
    "outcome-unknown": ([f"--param={TARGET}=1,2", "--outcome", "nope"], "--outcome"),
    "outcome-no-heatmap": ([f"--param={TARGET}=1,2", "--outcome", "war"], "only a grid of two --param"),
    "whole-number": (["--param=time.steps=1.5,2"], "--param:1"),
    "whole-number-sampled": (
        ["--param=time.steps=8:12", "--design", "lhs", "--samples", "4"],
        "a whole number, which --design lhs cannot sample",
    ),
    "unknown-path": (["--param=actors.client.capabilty=0.1"], "--param:1"),
    "resume-and-force": ([f"--param={TARGET}=1", "--resume", "--force"], "--resume"),
    "samples-with-grid": ([f"--param={TARGET}=1", "--samples", "3"], "--samples goes with"),
    "no-samples": ([f"--param={TARGET}=0:1", "--design", "lhs"], "needs --samples"),
    "no-equals": ([f"--param={TARGET}"], "KEY.PATH=a,b,c"),
    "resume-nothing": ([f"--param={TARGET}=1", "--resume"], "nothing to resume"),
    # the --param would win, and the sweep's record would name a --set it never applied
    "set-and-param": ([f"--param={TARGET}=1,2", f"--set={TARGET}=3"], "the value --param 1 varies"),
    "set-aliased": (
        [f"--param={CONTROL}=0.1,0.2", "--set=relations.0.control=0.5"],
        "the value --param 1 varies",
    ),
    "set-holds-param": (
        [
            f"--param={TARGET}=1,2",
            "--set=actors.client.doctrine.campaign={per_day: {rival: 1}, assumed: {per_day: t}}",
        ],
        "the value --param 1 varies",
    ),
}


@pytest.mark.parametrize("fault", list(SWEEP_FAULTS))
def test_a_bad_sweep(capsys, home, fault):
    flags, needle = SWEEP_FAULTS[fault]
    args = ["sweep", SCN, "--out", "new", *_ensemble(), *flags]
    assert_refused(capsys, home, args, needle)


ROBUSTNESS_FAULTS = {
    "duplicate": (["--param", "actors.patron.capability"] * 2, "--param:2"),
    "aliased": (["--param", f"{CONTROL}", "--param", "relations.0.control"], "the same value as --param 1"),
    "missing": (["--param", "actors.nobody.capability"], "--param:1"),
    "with-a-value": (["--param", "actors.patron.capability=0.5"], "give a key path alone"),
    "not-a-number": (["--param", "actors.client.kind"], "not a number to move"),
    "delta-0": (["--param", "actors.patron.capability", "--delta", "0"], "--delta"),
    "delta-1": (["--param", "actors.patron.capability", "--delta", "1"], "--delta"),
    "delta-nan": (["--param", "actors.patron.capability", "--delta", "nan"], "--delta"),
    "delta-negative": (["--param", "actors.patron.capability", "--delta", "-0.2"], "--delta"),
    "delta-word": (["--param", "actors.patron.capability", "--delta", "some"], "--delta"),
    "zero": (
        ["--param", "actors.patron.capability", "--set", "actors.patron.capability=0"],
        "is 0, which a share",
    ),
    "rounds-back": (
        ["--param", "time.steps", "--set", "time.steps=2"],
        "2 moved by 0.2 of itself rounds back to 2",
    ),
}


@pytest.mark.parametrize("fault", list(ROBUSTNESS_FAULTS))
def test_a_bad_robustness(capsys, home, fault):
    flags, needle = ROBUSTNESS_FAULTS[fault]
    assert_refused(capsys, home, ["robustness", SCN, *_ensemble(), *flags], needle)


def test_robustness_of_a_scenario_without_checks(capsys, home):
    text = TINY_TEXT[: TINY_TEXT.index("checks:")]
    (home / BAD).write_text(text)
    assert_refused(
        capsys, home, ["robustness", BAD, "--param", "actors.patron.capability", *_ensemble()], "no checks"
    )


def test_robustness_of_a_whole_number_moves_it_by_whole_steps(capsys, home):
    status, out, err = run_cli(capsys, "robustness", SCN, "--param", "time.steps", *_ensemble())
    assert status == 0, err
    assert "8 (-20%) and 12 (+20%)" in out


def test_robustness_says_where_a_move_stopped_at_the_top_of_the_range(capsys, home):
    """A share at 0.9 cannot move up by 20%: it is held at 1, and the table says so rather than claim +20%."""
    param = "actors.patron.cost_sensitivity"
    status, out, err = run_cli(
        capsys, "robustness", SCN, "--param", param, "--set", f"{param}=0.9", *_ensemble()
    )
    assert status == 0, err
    assert "0.72 (-20%) and 1 (+11%, held at the top of its range)" in out
    # the top of a value's own range, not of a share's: stakes reach 20
    param = "behaviour.stakes"
    status, out, err = run_cli(
        capsys, "robustness", SCN, "--param", param, "--set", f"{param}=18", *_ensemble()
    )
    assert status == 0, err
    assert "14.4 (-20%) and 20 (+11%, held at the top of its range)" in out


def test_play_with_a_closed_stdin(capsys, home, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    assert_refused(capsys, home, COMMANDS["play"](SCN), "stdin")


def test_play_as_nobody(capsys, home):
    assert_refused(capsys, home, ["play", SCN, "--as", "nobody", "--out", "new"], "--as nobody")


def test_app_on_a_busy_port_or_a_bad_host(capsys, home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert_refused(capsys, home, ["app", SCN, "--port", port], f"--port {port}: in use")
    assert_refused(capsys, home, ["app", SCN, "--port", port, "--host", "no.such.host.invalid"], "--host")


# --- outputs that may not be written ----------------------------------------------------------------------------

LONG = "x" * 300
OUT_FAULTS = {
    "user-folder": (["--out", "user"], "not a redline output"),
    "user-folder-forced": (["--out", "user", "--force"], "not a redline output"),
    "symlink": (["--out", "link", "--force"], "symbolic link"),
    "current-folder": (["--out", ".", "--force"], "current folder"),
    "parent-of-current": (["--out", "..", "--force"], "current folder"),
    "input-folder": (["--out", "scn", "--force"], "holds an input"),
    "file-in-the-way": (["--out", "sentinel.txt", "--force"], "not a folder"),
    "under-a-file": (["--out", "sentinel.txt/o"], "not a folder"),
    "long-name": (["--out", LONG], "longer than 255 bytes"),
    "dev-full": (["--out", "/dev/full", "--force"], "not a folder"),
    "proc": (["--out", "/proc/redline-x"], "cannot write here"),
    "missing-parent-under-file": (["--out", "sentinel.txt/a/b/c"], "not a folder"),
}
FOLDER_COMMANDS = {
    "run": ["run", SCN, *_ensemble()],
    "compare": ["compare", SCN, SCN, *_ensemble()],
    "sweep": ["sweep", SCN, "--param", f"{TARGET}=1,2", *_ensemble()],
    "play": ["play", SCN, "--as", "patron"],
}


@pytest.mark.parametrize("fault", list(OUT_FAULTS))
@pytest.mark.parametrize("command", list(FOLDER_COMMANDS))
def test_an_output_folder_that_may_not_be_written(capsys, home, command, fault):
    flags, needle = OUT_FAULTS[fault]
    args = [*FOLDER_COMMANDS[command], *flags]
    assert_refused(capsys, home, args, needle)


@pytest.mark.parametrize(
    "args",
    [
        [*FOLDER_COMMANDS["run"], "--out", "ro/o"],
        [*FOLDER_COMMANDS["compare"], "--out", "ro/o"],
        [*FOLDER_COMMANDS["sweep"], "--out", "ro/o"],
        [*FOLDER_COMMANDS["play"], "--out", "ro/o"],
        ["schema", "--out", "ro/s.json"],
        ["describe", SCN, "--out", "ro"],
    ],
    ids=["run", "compare", "sweep", "play", "schema", "describe"],
)
def test_a_read_only_folder(capsys, home, monkeypatch, args):
    """Tests may run as root, who can write anywhere: the permission is denied by a stand-in."""
    (home / "ro").mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p).name != "ro" and real(p, mode, **kw))
    assert_refused(capsys, home, args, "ro is not writable")


def test_an_output_folder_that_holds_an_input_further_down(capsys, home):
    (home / "scn" / "deeper").mkdir()
    shutil.copy(TINY, home / "scn" / "deeper" / "t.yaml")
    (home / "scn" / "deeper" / ".redline-output").write_text("{}")  # even if it looks like an output
    args = ["run", "scn/deeper/t.yaml", *_ensemble(), "--out", "scn", "--force"]
    assert_refused(capsys, home, args, "holds an input")


FILE_FAULTS = {
    "schema": {
        "exists": (["schema", "--out", "sentinel.txt"], "already exists"),
        "exists-forced": (["schema", "--out", "sentinel.txt", "--force"], "not an output of this command"),
        "a-scenario": (["schema", "--out", SCN], "already exists"),
        "a-scenario-forced": (["schema", "--out", SCN, "--force"], "not an output of this command"),
        "a-folder": (["schema", "--out", "user", "--force"], "is a folder"),
        "current-folder": (["schema", "--out", "."], "current folder"),
        "symlink": (["schema", "--out", "link", "--force"], "symbolic link"),
        "long-name": (["schema", "--out", LONG], "longer than 255 bytes"),
        "dev-full": (["schema", "--out", "/dev/full", "--force"], "not a regular file"),
        "proc": (["schema", "--out", "/proc/redline-x.json"], "cannot write here"),
        "under-a-file": (["schema", "--out", "sentinel.txt/x.json"], "not a folder"),
    },
    "describe": {
        "exists": (["describe", SCN, "--out", "user"], "already exists"),
        "exists-forced": (["describe", SCN, "--out", "user", "--force"], "not an output of this command"),
        "under-a-file": (["describe", SCN, "--out", "sentinel.txt"], "not a folder"),
        "long-name": (["describe", SCN, "--out", f"{LONG}/{LONG}"], "longer than 255 bytes"),
        "dev-full": (["describe", SCN, "--out", "/dev/full"], "not a folder"),
        "proc": (["describe", SCN, "--out", "/proc/redline-x"], "cannot write here"),
    },
}


@pytest.mark.parametrize(("command", "fault"), [(c, f) for c, faults in FILE_FAULTS.items() for f in faults])
def test_a_file_output_that_may_not_be_written(capsys, home, command, fault):
    args, needle = FILE_FAULTS[command][fault]
    assert_refused(capsys, home, args, needle)


def test_describe_keeps_its_default_folder_under_out(capsys, home):
    (home / BAD).write_text(TINY_TEXT.replace("scenario: tiny", "scenario: ../../escaped"))
    status, _, err = run_cli(capsys, "describe", BAD)
    assert status == 0, err
    found = sorted(p.relative_to(home).as_posix() for p in home.rglob("network.png"))
    assert found == ["out/describe-escaped/network.png", "user/network.png"]


def test_schema_force_replaces_its_own_file_only(capsys, home):
    assert run_cli(capsys, "schema", "--out", "s.json")[0] == 0
    assert run_cli(capsys, "schema", "--out", "s.json")[0] == 2
    assert run_cli(capsys, "schema", "--out", "s.json", "--force")[0] == 0
    assert json.loads((home / "s.json").read_text())["title"] == "redline scenario"
    assert not [p for p in home.iterdir() if p.name.startswith(".s.json")]  # no lock or partial left


# --- damaged results folders ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Two results folders written by `redline run` (Parquet and CSV, without plots: what is damaged here is the
    tables and the manifest, and `redline plot` draws the plots again anyway) and a finished sweep, made once."""
    root = tmp_path_factory.mktemp("results")
    for fmt in ("parquet", "csv"):
        status = main(
            ["run", str(TINY), "--out", str(root / fmt), "--format", fmt, *map(str, _ensemble("--no-plots"))]
        )
        assert status == 0
    args = [
        "sweep",
        str(TINY),
        "--param",
        f"{TARGET}=1,2",
        "--out",
        str(root / "sweep"),
        *map(str, _ensemble()),
    ]
    assert main(args) == 0
    return root


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _replace_by_folder(p: Path) -> None:
    p.unlink()
    p.mkdir()


def _drop_column(p: Path, column: str) -> None:
    pd.read_csv(p).drop(columns=[column]).to_csv(p, index=False)


def _manifest(change):
    def apply(d: Path) -> None:
        m = json.loads((d / "manifest.json").read_text())
        change(m)
        (d / "manifest.json").write_text(json.dumps(m))

    return apply


DAMAGE = {
    "manifest-{}": ("parquet", lambda d: (d / "manifest.json").write_text("{}"), "manifest.json"),
    "manifest-[]": ("parquet", lambda d: (d / "manifest.json").write_text("[]"), "manifest.json"),
    "manifest-42": ("parquet", lambda d: (d / "manifest.json").write_text("42"), "manifest.json"),
    "manifest-null": ("parquet", lambda d: (d / "manifest.json").write_text("null"), "manifest.json"),
    "manifest-deep": ("parquet", lambda d: (d / "manifest.json").write_text("[" * 100_000), "manifest.json"),
    "manifest-binary": (
        "parquet",
        lambda d: (d / "manifest.json").write_bytes(os.urandom(300)),
        "manifest.json",
    ),
    "manifest-empty": ("parquet", lambda d: (d / "manifest.json").write_text(""), "manifest.json"),
    "manifest-folder": ("parquet", lambda d: _replace_by_folder(d / "manifest.json"), "manifest.json"),
    "manifest-missing": ("parquet", lambda d: (d / "manifest.json").unlink(), "manifest.json"),
    "manifest-format": ("parquet", _manifest(lambda m: m.update(format="xlsx")), "format"),
    "manifest-step": ("parquet", _manifest(lambda m: m["scenario"]["time"].update(step="year")), "time"),
    "manifest-steps": ("parquet", _manifest(lambda m: m["scenario"]["time"].update(steps="x")), "steps"),
    "manifest-start": (
        "parquet",
        _manifest(lambda m: m["scenario"]["time"].update(start="2023-02-30")),
        "start",
    ),
    "manifest-ladder": ("parquet", _manifest(lambda m: m["scenario"].update(ladder=[])), "ladder"),
    "manifest-actors": ("parquet", _manifest(lambda m: m["scenario"].update(actors=[1])), "actors"),
    "manifest-title": ("parquet", _manifest(lambda m: m["scenario"].update(title=None)), "title"),
    "events-truncated": ("parquet", lambda d: _truncate(d / "events.parquet"), "events.parquet"),
    "runs-truncated": ("parquet", lambda d: _truncate(d / "runs.parquet"), "runs.parquet"),
    "metrics-empty": ("parquet", lambda d: (d / "metrics.parquet").write_bytes(b""), "metrics.parquet"),
    "metrics-folder": ("parquet", lambda d: _replace_by_folder(d / "metrics.parquet"), "metrics.parquet"),
    "red-lines-missing": ("parquet", lambda d: (d / "red_lines.parquet").unlink(), "red_lines.parquet"),
    "events-text": (
        "parquet",
        lambda d: (d / "events.parquet").write_text("run,step\n1,2\n"),
        "events.parquet",
    ),
    "csv-empty": ("csv", lambda d: (d / "events.csv").write_text(""), "events.csv"),
    "csv-binary": ("csv", lambda d: (d / "events.csv").write_bytes(os.urandom(2000)), "events.csv"),
    "csv-columns": ("csv", lambda d: (d / "runs.csv").write_text("a,b\n1,2\n"), "runs.csv"),
    "csv-folder": ("csv", lambda d: _replace_by_folder(d / "metrics.csv"), "metrics.csv"),
    "csv-no-manner": ("csv", lambda d: _drop_column(d / "events.csv", "manner"), "no column manner"),
    "steps-short": ("parquet", _manifest(lambda m: m["scenario"]["time"].update(steps=2)), "damaged"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", ["plot", "debrief"])
def test_a_damaged_results_folder(capsys, results, tmp_path, command, damage):
    fmt, hurt, needle = DAMAGE[damage]
    folder = tmp_path / "r"
    shutil.copytree(results / fmt, folder)
    hurt(folder)
    (tmp_path / "sentinel.txt").write_text(SENTINEL)
    args = [command, folder] if command == "plot" else [command, folder, "--quiet"]
    assert_refused(capsys, tmp_path, args, needle)


DEBRIEF_FAULTS = {
    "no-run": (["--run", "99"], "no run 99"),
    "exists": (["--out", "user"], "already exists"),
    "exists-forced": (["--out", "user", "--force"], "not an output of this command"),
    "out-a-file": (["--out", "sentinel.txt"], "not a folder"),
    "long-name": (["--out", LONG], "longer than 255 bytes"),
    "dev-full": (["--out", "/dev/full"], "not a folder"),
    "proc": (["--out", "/proc/redline-x"], "cannot write here"),
}


@pytest.mark.parametrize("fault", list(DEBRIEF_FAULTS))
def test_a_debrief_that_may_not_be_written(capsys, home, results, fault):
    flags, needle = DEBRIEF_FAULTS[fault]
    shutil.copytree(results / "parquet", home / "r")
    assert_refused(capsys, home, ["debrief", "r", "--quiet", *flags], needle)


SWEEP_DAMAGE = {
    "sweep-json-{}": (lambda d: (d / "sweep.json").write_text("{}"), "different sweep"),
    "sweep-json-42": (lambda d: (d / "sweep.json").write_text("42"), "sweep.json"),
    "sweep-json-null": (lambda d: (d / "sweep.json").write_text("null"), "sweep.json"),
    "sweep-json-[]": (lambda d: (d / "sweep.json").write_text("[]"), "sweep.json"),
    "sweep-json-deep": (lambda d: (d / "sweep.json").write_text("[" * 100_000), "sweep.json"),
    "sweep-json-binary": (lambda d: (d / "sweep.json").write_bytes(os.urandom(100)), "sweep.json"),
    "sweep-json-folder": (lambda d: _replace_by_folder(d / "sweep.json"), "sweep.json"),
    "sweep-json-missing": (lambda d: (d / "sweep.json").unlink(), "nothing to resume"),
    "parts-a-file": (lambda d: (shutil.rmtree(d / "parts"), (d / "parts").write_text("x")), "parts"),
    "a-file": (lambda d: (shutil.rmtree(d), d.write_text("x")), "not a folder"),
}


@pytest.mark.parametrize("damage", list(SWEEP_DAMAGE))
def test_a_damaged_sweep_to_resume(capsys, results, tmp_path, damage):
    hurt, needle = SWEEP_DAMAGE[damage]
    folder = tmp_path / "s"
    shutil.copytree(results / "sweep", folder)
    hurt(folder)
    (tmp_path / "sentinel.txt").write_text(SENTINEL)
    args = ["sweep", TINY, "--param", f"{TARGET}=1,2", "--out", folder, *_ensemble(), "--resume"]
    assert_refused(capsys, tmp_path, args, needle)


@pytest.mark.parametrize(
    "part", ["events/point-00001/events-00000.parquet", "parts/runs-00000.parquet", "parts/done-00000"]
)
def test_a_sweep_with_a_damaged_part_runs_it_again(capsys, results, tmp_path, part):
    from redline.results.sweep_store import read_sweep_table

    folder = tmp_path / "s"
    shutil.copytree(results / "sweep", folder)
    p = folder / part
    p.unlink() if part.endswith("done-00000") else _truncate(p)
    args = ["sweep", TINY, "--param", f"{TARGET}=1,2", "--out", folder, *_ensemble(), "--resume"]
    status, _, err = run_cli(capsys, *args)
    assert status == 0, err
    for name in ("runs", "outcomes"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / f"{name}.parquet"),
            pd.read_parquet(results / "sweep" / f"{name}.parquet"),
        )
    pd.testing.assert_frame_equal(
        read_sweep_table(folder, "events"), read_sweep_table(results / "sweep", "events")
    )


# --- what killed commands leave, and --force on a redline output --------------------------------------------------


def test_force_replaces_a_redline_output_and_nothing_else(capsys, results, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(results / "parquet", out)
    (out / "debrief-run-7.md").write_text("x")  # what `redline debrief` adds to a results folder
    (out / ".timeline.png.partial-99").write_text("x")  # what a `redline plot` killed mid-write leaves
    status, _, err = run_cli(capsys, "run", TINY, "--out", out, *_ensemble(), "--force")
    assert status == 0, err
    assert not (out / "debrief-run-7.md").exists() and (out / ".redline-output").is_file()
    assert not (out / ".timeline.png.partial-99").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]  # no lock, partial or old folder left


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_force_keeps_a_redline_output_to_which_the_user_added_files(capsys, results, tmp_path, command):
    """Notes or an analysis put into a results folder are the user's: --force refuses the folder, in one line
    naming them, and changes nothing."""
    out = tmp_path / "o"
    shutil.copytree(results / ("parquet" if command == "run" else "sweep"), out)
    (out / "notes.txt").write_text("mine")
    (out / "my-analysis").mkdir()
    (out / "my-analysis" / "nb.ipynb").write_text("{}")
    # names redline writes, but not here: a comparison's page in a run's folder, a file among a sweep's parts
    (out / "compare.md").write_text("mine")
    if command == "sweep":
        (out / "events" / "mine.txt").write_text("mine")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    args = ["--param", "actors.patron.cost_sensitivity=0.2,0.8"] if command == "sweep" else []
    status, _, err = run_cli(capsys, command, TINY, "--out", out, *_ensemble(), *args, "--force")
    assert status == 2 and err.count("\n") == 1
    found = (
        "compare.md, events/mine.txt, my-analysis and 1 more"
        if command == "sweep"
        else "compare.md, my-analysis, notes.txt"
    )
    assert f"also holds {found}, which no redline command wrote" in err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    # a marker damaged past reading (nested too deep for Python's parser) tells the same, in one line
    (out / ".redline-output").write_text("[" * 200_000)
    status, _, err = run_cli(capsys, command, TINY, "--out", out, *_ensemble(), *args, "--force")
    assert status == 2 and err.count("\n") == 1 and "which no redline command wrote" in err


def test_force_replaces_a_results_folder_written_before_markers(capsys, results, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(results / "parquet", out)
    (out / ".redline-output").unlink()
    assert run_cli(capsys, "run", TINY, "--out", out, *_ensemble(), "--force")[0] == 0
    assert (out / ".redline-output").is_file()


def test_play_with_stdout_closed_still_saves_the_game(capsys, home, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    monkeypatch.setattr(sys, "stdout", None)
    status = main(["play", SCN, "--as", "patron", "--out", "game"])
    assert status == 0 and (home / "game" / "events.parquet").is_file()


def _disk_full(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device", "somewhere")


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("run", "redline.results.store.write_table"),
        ("compare", "redline.frontends.compare.plot"),
        ("play", "redline.results.summary.summary"),
        ("describe", "redline.frontends.plotstyle.save"),
    ],
)
def test_a_disk_that_fills_up_is_one_line_and_leaves_nothing(capsys, home, monkeypatch, command, target):
    import io

    monkeypatch.setattr(target, _disk_full)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    err = assert_refused(capsys, home, COMMANDS[command](SCN), "No space left on device")
    assert "new" in err or "somewhere" in err


@pytest.mark.parametrize(
    "target", ["redline.results.sweep_store._write_atomic", "redline.results.sweep.write_table"]
)
def test_a_sweep_whose_disk_fills_up_can_be_resumed(capsys, home, monkeypatch, target):
    args = COMMANDS["sweep"](SCN)
    with monkeypatch.context() as m:
        m.setattr(target, _disk_full)
        status, _, err = run_cli(capsys, *args)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "No space left on device" in err
    assert (home / "new" / "sweep.json").is_file() and not (home / "new" / "manifest.json").exists()
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".")) == []
    status, _, err = run_cli(capsys, *args)
    assert status == 2 and "--resume" in err
    assert run_cli(capsys, *args, "--resume")[0] == 0
    assert len(pd.read_parquet(home / "new" / "runs.parquet")) == 4


def test_a_disk_that_fills_up_while_a_writer_thread_splits_a_chunk_is_one_line_and_resumes(
    capsys, home, monkeypatch
):
    """With two workers a sweep's chunks are split into the dataset's files on writer threads: an error there
    reaches the command as one line, no writer thread is left, and --resume ends with the tables of a sweep that
    was never cut off."""
    import threading

    import redline.results.sweep_store as store

    args = [
        "sweep",
        SCN,
        "--param",
        "actors.patron.capability=0.2,0.4,0.6",
        "--runs",
        13,
        "--workers",
        2,
        "-q",
    ]
    real, threads = store.write_chunk, []

    def second_chunk_fails(folder, k, *rest):
        threads.append(threading.current_thread().name)
        if k == 1:
            _disk_full()
        return real(folder, k, *rest)

    with monkeypatch.context() as m:
        m.setattr(store, "write_chunk", second_chunk_fails)
        status, _, err = run_cli(capsys, *args, "--out", "new")
    assert status == 2 and err.strip().splitlines() == [
        "redline sweep: somewhere: No space left on device"
    ], err
    assert threads and all(name.startswith("redline-writer") for name in threads)
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-writer")]
    assert (home / "new" / "parts" / "done-00000").exists() and not (home / "new" / "manifest.json").exists()
    assert run_cli(capsys, *args, "--out", "new", "--resume")[0] == 0
    assert run_cli(capsys, *args, "--out", "whole")[0] == 0
    for name in ("runs.parquet", "outcomes.parquet"):
        assert (home / "new" / name).read_bytes() == (home / "whole" / name).read_bytes(), name
    for folder in ("events", "metrics", "red_lines"):
        new, whole = (sorted((home / d / folder).rglob("*.parquet")) for d in ("new", "whole"))
        assert [p.relative_to(home / "new") for p in new] == [p.relative_to(home / "whole") for p in whole]
        assert [p.read_bytes() for p in new] == [p.read_bytes() for p in whole], folder


def test_a_resumed_sweep_forks_its_workers_before_a_writer_thread_starts(capsys, home, monkeypatch):
    """A resumed sweep first takes up, in turn, the chunks its last attempt left waiting; its writer threads start
    only after the pool has forked its workers. A pool started beside another thread is a forkserver's, whose
    workers run the body of a script without a `__main__` guard again."""
    import threading

    import redline.results.sweep_store as store
    from redline.engine import runner

    values = ",".join(f"{v / 10:g}" for v in range(2, 10))  # eight points, a chunk each
    args = ["sweep", SCN, "--param", f"actors.patron.capability={values}", "--runs", 13, "--workers", 2, "-q"]
    real = store.write_chunk

    def first_chunk_fails(folder, k, *rest):
        if k == 0:
            _disk_full()
        return real(folder, k, *rest)

    with monkeypatch.context() as m:
        m.setattr(store, "write_chunk", first_chunk_fails)
        assert run_cli(capsys, *args, "--out", "new")[0] == 2
    assert (home / "new" / "parts" / "ran-00000").exists()  # left waiting: taken up first on resume
    if runner._POOL is not None:  # a pool of its own, started as the resumed sweep starts
        runner.discard_pool(runner._POOL[0])
    context, threads = runner._context, []

    def seen():
        threads.append(sorted(t.name for t in threading.enumerate()))
        return context()

    monkeypatch.setattr(runner, "_context", seen)
    assert run_cli(capsys, *args, "--out", "new", "--resume")[0] == 0
    assert threads and not [n for names in threads for n in names if n.startswith("redline-writer")], threads
    assert len(pd.read_parquet(home / "new" / "runs.parquet")) == 8 * 13


def test_plot_clears_what_a_killed_plot_left(capsys, results, tmp_path):
    folder = tmp_path / "r"
    shutil.copytree(results / "parquet", folder)
    (folder / ".timeline.png.partial-99").write_bytes(b"half a png")
    (folder / ".timeline.png.partial").write_bytes(b"the user's, not redline's: no process id")
    assert run_cli(capsys, "plot", folder)[0] == 0
    assert not (folder / ".timeline.png.partial-99").exists()
    assert (folder / ".timeline.png.partial").exists()


def test_a_sweep_killed_while_assembling_is_resumed(capsys, results, tmp_path):
    """Killed after the parts moved into the assembling folder and the old folder moved aside, before the new
    one was renamed in: the next command puts both back, and --resume ends with the same tables."""
    from redline.results.sweep_store import read_sweep_table

    folder = tmp_path / "s"
    shutil.copytree(results / "sweep", folder)
    assembling = tmp_path / ".s.assembling-31999"
    assembling.mkdir()
    (assembling / MARKER).write_text("{}")  # staging folders are marked when made
    for name in ("parts", "events", "metrics"):  # carried: red_lines not yet
        os.replace(folder / name, assembling / name)
    (assembling / "runs.parquet").write_text("half")
    os.replace(folder, tmp_path / ".s.old-31999")
    (tmp_path / ".s.partial-31998").mkdir()
    (tmp_path / ".s.partial-31998" / MARKER).write_text("{}")
    args = ["sweep", TINY, "--param", f"{TARGET}=1,2", "--out", folder, *_ensemble(), "--resume"]
    done = sorted((results / "sweep" / "parts").glob("done-*"))
    for p in done:
        os.utime(assembling / "parts" / p.name, (1, 1))  # the markers the resume must keep, not write again
    status, _, err = run_cli(capsys, *args)
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]
    assert [(folder / "parts" / p.name).stat().st_mtime for p in done] == [1] * len(
        done
    )  # no chunk run again
    for name in ("runs", "outcomes"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / f"{name}.parquet"),
            pd.read_parquet(results / "sweep" / f"{name}.parquet"),
        )
    for name in ("events", "metrics", "red_lines"):
        pd.testing.assert_frame_equal(
            read_sweep_table(folder, name), read_sweep_table(results / "sweep", name)
        )


def test_a_failed_sweep_leaves_nothing_that_blocks_the_rerun(capsys, home):
    args = ["sweep", SCN, "--param", f"{TARGET}=1,2", "--out", "s", *_ensemble()]
    status, _, _ = run_cli(capsys, *args, "--outcome", "nope")
    assert status == 2 and not (home / "s").exists()
    assert run_cli(capsys, *args)[0] == 0


# --- processes: two writers, signals, kills ----------------------------------------------------------------------


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "redline", *map(str, args)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _wait_for(predicate, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert proc is None or proc.poll() is None, "the command ended before the moment looked for"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    return []


def _all_gone(pids: list[int], seconds: float = 10) -> bool:
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [
            p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
        ]
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_two_writers_of_one_folder_never_both_succeed(tmp_path):
    out = tmp_path / "o"
    cmd = _cli("run", TINY, "--out", out, "--runs", 400, "--workers", 1, "-q")
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    statuses = sorted(s for s, _ in results)
    assert statuses == [0, 2], results
    loser = next(e for s, e in results if s == 2)
    assert len(loser.strip().splitlines()) == 1 and "Traceback" not in loser
    assert "another redline command" in loser or "already exists" in loser
    assert len(pd.read_parquet(out / "runs.parquet")) == 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_command_and_its_workers_in_one_line(tmp_path, sig, status):
    out = tmp_path / "o"
    cmd = _cli(
        "run", ROOT / "scenarios" / "axis-2023.yaml", "--out", out, "--runs", 5000, "--workers", 2, "-q"
    )
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=_env(), start_new_session=True)
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2, proc=proc)
        time.sleep(0.5)
        workers = _children(proc.pid)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl+C reaches the whole group, workers included
        else:
            proc.send_signal(sig)
        assert proc.wait(timeout=60) == status
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert _all_gone(workers)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no half folder, no lock


@pytest.mark.slow
def test_workers_end_with_a_killed_parent_and_the_rerun_cleans_up(tmp_path):
    out = tmp_path / "o"
    cmd = _cli(
        "run", ROOT / "scenarios" / "axis-2023.yaml", "--out", out, "--runs", 5000, "--workers", 2, "-q"
    )
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, env=_env(), start_new_session=True)
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2, proc=proc)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert _all_gone(workers)
    assert any(p.name.startswith(".o.partial-") for p in tmp_path.iterdir())
    rerun = subprocess.run(
        _cli("run", TINY, "--out", out, "--runs", 2, "--workers", 1, "-q"), env=_env(), capture_output=True
    )
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


@pytest.mark.slow
def test_a_killed_worker_is_one_line_and_leaves_nothing(tmp_path):
    out = tmp_path / "o"
    cmd = _cli(
        "run", ROOT / "scenarios" / "axis-2023.yaml", "--out", out, "--runs", 5000, "--workers", 2, "-q"
    )
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=_env(), start_new_session=True)
    try:
        _wait_for(lambda: len(_children(proc.pid)) >= 2, proc=proc)
        time.sleep(0.5)
        os.kill(_children(proc.pid)[-1], signal.SIGKILL)
        assert proc.wait(timeout=60) == 1
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert err.strip().splitlines() == [
        "redline run: a worker process died before its runs were done; nothing was written"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _ensemble_in_a_daemon(queue) -> None:
    from redline import load_scenario
    from redline.results.ensemble import run_ensemble

    res = run_ensemble(load_scenario(TINY), runs=8, seed=3, workers=2)
    queue.put(len(res.runs))


def test_run_ensemble_inside_a_daemon_process():
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_ensemble_in_a_daemon, args=(queue,), daemon=True)
    proc.start()
    try:
        assert queue.get(timeout=120) == 8
    finally:
        proc.join(timeout=30)
    assert proc.exitcode == 0


def test_one_pool_serves_every_ensemble_of_a_process():
    import threading

    from redline import load_scenario
    from redline.engine import runner
    from redline.results.ensemble import run_ensemble

    scn = load_scenario(TINY)
    runs = 2 * runner.CHUNK_RUNS  # two chunks: one alone runs in this process, with no pool
    stop = threading.Event()
    extra = threading.Thread(target=stop.wait)  # another thread alive: the forkserver path
    extra.start()
    try:
        first = run_ensemble(scn, runs=runs, seed=1, workers=2)
        pool = runner._POOL[0]
        second = run_ensemble(scn, runs=runs, seed=1, workers=2)
        assert runner._POOL[0] is pool
    finally:
        stop.set()
        extra.join()
    pd.testing.assert_frame_equal(first.events, second.events)


def test_never_more_workers_than_the_work():
    from redline import load_scenario
    from redline.engine import runner
    from redline.results.ensemble import run_ensemble

    if runner._POOL is not None:  # whatever an earlier test left
        runner.discard_pool(runner._POOL[0])
    run_ensemble(load_scenario(TINY), runs=2 * runner.CHUNK_RUNS, seed=1, workers=64)  # two chunks of work
    assert runner._POOL is not None and runner._POOL[1] == 2


@pytest.mark.slow
def test_app_ends_its_server_on_sigterm(tmp_path):
    pytest.importorskip("solara")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        _cli("app", TINY, "--port", port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=_env(), start_new_session=True,
    )  # fmt: skip

    def listening() -> bool:
        with socket.socket() as c:
            return c.connect_ex(("127.0.0.1", port)) == 0

    try:
        _wait_for(listening, seconds=60, proc=proc)
        # While it serves: the page says what it is before any script runs, in a tab named redline (not Solara).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=20) as r:
            page = r.read().decode()
        assert "redline: starting the classroom app" in page and "<title>redline</title>" in page
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    _wait_for(lambda: not listening(), seconds=10)
    assert "Traceback" not in proc.stderr.read()


def test_bounds_are_stated_in_help(capsys):
    assert run_cli(capsys, "run", "--help")[1].count("at most") >= 2
    _, text, _ = run_cli(capsys, "--help")
    for bound in ("512 KB", "64 levels", "5,000", "100,000", "10,000 points"):
        assert bound in " ".join(text.split())


# --- fuzzing -----------------------------------------------------------------------------------------------------

YAMLISH = st.text(alphabet=st.sampled_from(list("abc:- \n[]{}&*!|>'\"#,.0123456789")), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(YAMLISH, st.text(max_size=200)))
def test_the_loader_raises_nothing_but_scenario_errors(tmp_path, text):
    from redline import load_scenario

    p = tmp_path / "fuzz.yaml"
    p.write_text(text, errors="surrogatepass")
    with contextlib.suppress(ScenarioError):
        load_scenario(p)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.sampled_from(TINY_TEXT.splitlines()), max_size=40), noise=YAMLISH)
def test_the_loader_on_scrambled_scenarios(tmp_path, lines, noise):
    from redline import load_scenario

    p = tmp_path / "fuzz.yaml"
    p.write_text("\n".join(lines) + "\n" + noise)
    with contextlib.suppress(ScenarioError):
        load_scenario(p)


KEYS = st.sampled_from(
    ["actors", "patron", "capability", "time", "start", "steps", "relations", "0", "-1", "99", "title", "checks",
     "events", "at", "doctrine", "restraint", "max_rung", "supports:patron:client", "control", "", "x"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(path=st.lists(KEYS, min_size=1, max_size=5), value=st.one_of(YAMLISH, st.text(max_size=50)))
def test_set_raises_nothing_but_scenario_errors(path, value):
    from redline import load_scenario

    with contextlib.suppress(ScenarioError):
        load_scenario(TINY, [f"{'.'.join(path)}={value}"])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_param_raises_nothing_but_scenario_errors(text):
    from redline.results.sweep import parse_param

    for design in ("grid", "lhs"):
        with contextlib.suppress(ScenarioError):
            parse_param(text, 1, design)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
MANIFEST_KEYS = [
    ("format",), ("scenario",), ("scenario", "time"), ("scenario", "time", "steps"), ("scenario", "time", "step"),
    ("scenario", "time", "start"), ("scenario", "ladder"), ("scenario", "actors"), ("scenario", "relations"),
    ("scenario", "title"), ("scenario", "name"), ("runs",), ("root_seed",),
]  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # fmt: skip
@given(where=st.sampled_from(MANIFEST_KEYS), value=JSON)
def test_a_manifest_changed_anywhere_is_read_or_refused_in_one_line(capsys, results, tmp_path, where, value):
    folder = tmp_path / "fuzz"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(results / "parquet", folder)
    m = json.loads((folder / "manifest.json").read_text())
    node = m
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (folder / "manifest.json").write_text(json.dumps(m))
    status, _, err = run_cli(capsys, "debrief", folder, "--quiet", "--force")
    assert "Traceback" not in err
    assert status == 0 or (status == 2 and len(err.strip().splitlines()) == 1), err


def test_backups_beside_an_output_that_look_like_leftovers_are_kept(capsys, tmp_path):
    """Only what redline left is cleared: names with a process id, folders with its marker. A user's backup of a
    results folder (`.r.old`), or an unmarked folder that happens to have a leftover's name, is left alone, with
    or without --force."""
    out = tmp_path / "r"
    args = ["run", TINY, "--runs", "2", "--workers", "1", "--no-plots", "--quiet", "--out", out]
    assert run_cli(capsys, *args, "--seed", "1")[0] == 0
    backup = tmp_path / ".r.old"
    shutil.copytree(out, backup)
    mine = tmp_path / ".r.old-123"
    mine.mkdir()
    (mine / "precious.txt").write_text("mine")
    (tmp_path / ".r.partial").write_text("draft")
    dated = tmp_path / ".r.old-20261203"  # a copy of a results folder, marker and all, named by its date
    shutil.copytree(backup, dated)
    ours = tmp_path / ".r.partial-31999"
    ours.mkdir()
    (ours / MARKER).write_text("{}")
    shutil.rmtree(out)
    assert run_cli(capsys, *args, "--seed", "2")[0] == 0  # no folder: nothing of theirs is taken for ours
    assert run_cli(capsys, *args, "--seed", "3", "--force")[0] == 0
    assert (mine / "precious.txt").read_text() == "mine" and (tmp_path / ".r.partial").read_text() == "draft"
    assert (backup / "runs.parquet").exists() and (dated / "runs.parquet").exists() and not ours.exists()


def test_an_output_inside_another_redline_output_is_refused(capsys, tmp_path):
    """A folder written inside a results folder or a sweep would be read as part of it (a sweep's partitions) and
    taken for a stranger's files by its --force; a debrief of one run does not go into another run's results."""
    ensemble = ["--runs", "2", "--workers", "1", "--no-plots", "--quiet"]
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run_cli(capsys, "run", TINY, *ensemble, "--out", out)[0] == 0
    before = sorted(p.name for p in first.iterdir())
    status, _, err = run_cli(capsys, "run", TINY, *ensemble, "--out", first / "events" / "point-00099")
    assert status == 2 and "is inside the redline output" in err and len(err.strip().splitlines()) == 1
    for out in (second, first / "sub"):
        status, _, err = run_cli(capsys, "debrief", first, "--out", out)
        assert status == 2 and "is inside the redline output" in err
    for args in (
        ["describe", TINY, "--out", first / "sub"],
        ["schema", "--out", first / "events" / "s.json"],
    ):
        status, _, err = run_cli(capsys, *args)
        assert status == 2 and "inside" in err, args
    assert sorted(p.name for p in first.iterdir()) == before
    assert run_cli(capsys, "debrief", first, "--out", tmp_path / "pages")[0] == 0
    assert run_cli(capsys, "debrief", first, "--out", first)[0] == 0


@pytest.mark.parametrize("runs", ["３", "1_0", "٣"])
def test_counts_are_written_in_ascii_digits(capsys, runs):
    status, _, err = run_cli(capsys, "run", TINY, "--runs", runs)
    assert status == 2 and "is not a whole number" in err


@pytest.mark.parametrize("name", ["nl\nname", "x\ay", "r\u2028x", "r\u200bx", "r\u202ex"])
def test_an_output_name_with_a_control_character_is_refused(capsys, tmp_path, name):
    status, _, err = run_cli(capsys, "run", TINY, "--runs", "1", "--out", tmp_path / name)
    assert status == 2 and "control character" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


SWALLOWED = r"""
import os, signal, sys, time, weakref
from redline.frontends import cli, commands

cli.LEAVE_AFTER = 1.0  # the command's 30 s, shorter


class Held:
    pass


def dropped(_):
    # SIGTERM lands while Python runs a weakref callback: the Terminated it raises is printed and dropped
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(1000):
        pass


def validate(args):  # the command, as `redline validate` runs it: the entry point installs the handler
    held = Held()
    ref = weakref.ref(held, dropped)
    del held
    time.sleep(20)
    print("ran on after SIGTERM")
    return 0


commands.cmd_validate = validate
sys.argv = ["redline", "validate", "x.yaml"]
cli.entry()
"""


def test_a_sigterm_that_python_drops_still_ends_the_command():
    """Terminated raised inside a weakref callback is swallowed by Python; the command leaves anyway, soon after."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SWALLOWED], capture_output=True, text=True, timeout=60)
    assert done.returncode == 143, (done.returncode, done.stdout, done.stderr)
    assert "ran on" not in done.stdout and "Terminated" in done.stderr  # dropped by Python, as it said
    assert time.monotonic() - started < 15


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_a_folder_no_one_can_make_is_told_before_the_plan(capsys, home):
    """/sys refuses new folders even to root, whose permission bits say it may write anywhere: the sweep says so in
    one line, before it prints its plan (points x runs)."""
    param = "actors.patron.capability=0.2,0.4"
    status, _, err = run_cli(capsys, "sweep", SCN, "--param", param, "--runs", 2, "--out", "/sys/redline-x")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "cannot write here" in err, err
