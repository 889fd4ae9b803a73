"""The `redline` command line: its commands and flags, what each flag accepts, and how a command ends (its exit
status, one line for bad input, signals). What each command does is redline.frontends.commands.

Every command that reads input reports bad input as lines `FILE:LINE: key.path: message` on stderr and exits with
status 2; it never shows a traceback for it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import os
import re
import signal
import sys
import typing
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path

from redline.engine.executors import ExecutorError
from redline.errors import Issue, OutputError, ScenarioError, SweepError, UsageError
from redline.frontends import commands
from redline.frontends.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from redline.limits import MAX_POINTS, MAX_RUNS, MAX_SAMPLES, MAX_SWEEP_RUNS, MAX_WORKERS
from redline.words import GlyphWarning, escaped

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them
FORCE_HELP = "replace DIR if a redline command wrote it (a folder of other files is never replaced)"
SCENARIO_HELP = "a scenario file, or the name of a shipped scenario (axis-2023, cases/lebanon-2006, ...)"


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that outputs are cleaned up and locks released on the way out."""


class _Parser(argparse.ArgumentParser):
    commands: dict[str, _Parser]  # the top-level parser's: each command's own, by name

    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _add_ensemble_options(p: argparse.ArgumentParser, runs: int, what: str = "number of runs") -> None:
    """The flags of every command that runs an ensemble: how many runs, the root seed, where they run."""
    from redline.engine.executors import add_executor_arguments

    p.add_argument(
        "--runs",
        type=_bounded(MAX_RUNS),
        default=runs,
        metavar="N",
        help=f"{what} (default {runs}; at most {MAX_RUNS:,})",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="SEED",
        help="root seed (default 0); run r uses SeedSequence(seed, spawn_key=(r,))",
    )
    p.add_argument(
        "--workers",
        type=_bounded(MAX_WORKERS),
        default=None,
        metavar="N",
        help=f"worker processes (default: number of cores; at most {MAX_WORKERS}, and never more than the runs)",
    )
    add_executor_arguments(p)
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar, and no messages beyond the results"
    )


def _add_inject(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--inject",
        dest="injects",
        action="append",
        default=[],
        metavar="DATE:SOURCE:TARGET:ACTION",
        help="add an event without editing the file, e.g. 2024-01-10:usa:iran:limited_strike (repeatable)",
    )


def _add_set(p: argparse.ArgumentParser, where: str = "the scenario") -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help=f"change one value of {where}, e.g. actors.iran.cost_sensitivity=0.5 or "
        "relations.supports:iran:hezbollah.control=0.8 (repeatable; checked like the file)",
    )


def _scenario(text: str) -> Path:
    """A scenario argument as a file: a shipped scenario's name becomes its file; an unknown name is bad input
    (ScenarioError, one line listing the names)."""
    from redline.language.paths import scenario_path

    return scenario_path(text)


def _whole(text: str) -> int:
    # Digits 0-9 only: Python's int() also reads other scripts' digits and underscores, which no one types as a count.
    if not re.fullmatch(r"\s*[-+]?[0-9]+\s*", text):
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number")
    return int(text)


def _positive(text: str) -> int:
    n = _whole(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _bounded(most: int) -> Callable[[str], int]:
    def check(text: str) -> int:
        n = _positive(text)
        if n > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:,}, got {n:,}")
        return n

    check.__name__ = "count"  # argparse names the type in its messages
    return check


def _share(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
    if not 0 < x < 1:  # 1 or more would move a value to zero or below
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1 (exclusive), got {text[:40]}")
    return x


def _seed(text: str) -> int:
    n = _whole(text)
    if not 0 <= n < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {n}")
    return n


def _run_number(text: str) -> int:
    n = _whole(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"runs are numbered from 0, got {n}")
    return n


def _port(text: str) -> int:
    n = _positive(text)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {n}")
    return n


def _version() -> str:
    """The installed distribution's version (pyproject.toml's), as pip knows it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("redline")
    except PackageNotFoundError:  # the sources on sys.path without an install
        return "unknown (not installed)"


def build_parser() -> _Parser:
    from redline.language.evidence import ClaimKind
    from redline.language.typed import MAX_DATE, MAX_TEXT, MIN_DATE
    from redline.language.yamlio import MAX_BYTES, MAX_DEPTH

    p = _Parser(
        prog="redline",
        description="Simulate escalation among states and the armed groups they back: YAML scenarios, a Mesa "
        "agent-based model, ensembles of runs and plots of escalation outcomes.",
        epilog="Bad input (a scenario file, a flag, a folder) gives one line per problem, FILE:LINE: key.path: "
        "message, and exit status 2. Limits: scenario files of at most "
        f"{MAX_BYTES // 1024} KB, nested at most {MAX_DEPTH} levels, text values of at most {MAX_TEXT:,} "
        f"characters (no control character but line breaks and tabs), dates from {MIN_DATE} to {MAX_DATE}; "
        f"--runs at most {MAX_RUNS:,}, --workers at most {MAX_WORKERS}; a sweep at most {MAX_POINTS:,} points and "
        f"{MAX_SWEEP_RUNS:,} runs. Output folders: --force replaces only an empty folder or one a redline command "
        "wrote.",
    )
    p.add_argument("--version", action="version", version=f"redline {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser(
        "validate",
        help="check scenario files; exit 0 if all are valid, 2 otherwise",
        description="Check scenario files and report every problem as FILE:LINE: key.path: message.",
        epilog=f"Limits: files of at most {MAX_BYTES // 1024} KB, nested at most {MAX_DEPTH} levels, text values "
        f"of at most {MAX_TEXT:,} characters (no control character but line breaks and tabs), dates from {MIN_DATE} "
        f"to {MAX_DATE}; `extends:` reaches only files in the scenario's own folder tree and the shipped scenarios.",
    )
    v.add_argument(
        "files", nargs="+", metavar="SCENARIO", help=SCENARIO_HELP
    )  # each reported on its own line
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")
    _add_set(v)
    v.set_defaults(func=commands.cmd_validate)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of the scenario language",
        description="Print the JSON Schema of scenario files, for editors with a YAML language server.",
    )
    s.add_argument("--out", metavar="FILE", help="write it to FILE instead of stdout")
    s.add_argument("--force", action="store_true", help="replace FILE if an earlier `schema --out` wrote it")
    s.set_defaults(func=commands.cmd_schema)

    e = sub.add_parser(
        "seeds",
        help="list the claims of the evidence base",
        description="List the claims of the evidence base: those read out of the source articles, with article and "
        "paragraph, and those of the historical cases, with their sources.",
    )
    e.add_argument("--actor", metavar="ACTOR", help="only claims about this actor (e.g. iran)")
    e.add_argument("--kind", choices=list(typing.get_args(ClaimKind)), help="only claims of this kind")
    e.set_defaults(func=commands.cmd_seeds)

    d = sub.add_parser(
        "describe",
        help="summarise a scenario and draw its actor network",
        description="Print a scenario's actors, relations, events and checks, and write a PNG of "
        "its actor-relations network.",
    )
    d.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    d.add_argument(
        "--out",
        metavar="DIR",
        help="folder for network.png (default: out/describe-<scenario id>; never another command's results folder)",
    )
    d.add_argument("--force", action="store_true", help="replace a network.png that describe wrote")
    _add_set(d)
    d.set_defaults(func=commands.cmd_describe)

    lv = sub.add_parser(
        "levers",
        help="list a scenario's levers and outcomes, for research tools",
        description="Print the levers a scenario declares (name, --set path, range, unit, evidence) and the outcomes "
        "each run is scored on: what EMA Workbench, SALib or a notebook may vary and measure.",
    )
    lv.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    lv.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _add_set(lv)
    lv.set_defaults(func=commands.cmd_levers)

    r = sub.add_parser(
        "run",
        help="run an ensemble and write tables, summary and plots",
        description="Run a scenario N times and write events, metrics and runs tables, "
        "manifest.json, summary.md and PNG plots into a new folder.",
    )
    r.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    r.add_argument(
        "--out", required=True, metavar="DIR", help="output folder (refused if it exists, unless --force)"
    )
    r.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="table format (default parquet)"
    )
    r.add_argument("--force", action="store_true", help=FORCE_HELP)
    r.add_argument(
        "--no-plots",
        action="store_true",
        help="write the tables, manifest and summary but no plots, which take seconds a folder; "
        "`redline plot DIR` draws the same pictures from the tables later",
    )
    _add_ensemble_options(r, runs=200)
    _add_set(r)
    _add_inject(r)
    r.set_defaults(func=commands.cmd_run)

    c = sub.add_parser(
        "check",
        help="run an ensemble and test the scenario's checks (stylized facts)",
        description="Run a scenario's ensemble and print each check's value, band, verdict and "
        "evidence. Exit status 1 if a check fails.",
    )
    c.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    _add_ensemble_options(c, runs=200)
    _add_set(c)
    c.set_defaults(func=commands.cmd_check)

    cm = sub.add_parser(
        "compare",
        help="run two scenarios with common random numbers and compare outcomes",
        description="Run scenarios A and B with the same seeds, run by run, and print the differences B - A in "
        "outcome probabilities and in uses of force per run, with 95% intervals of the paired differences. "
        "A 'what if' on one scenario compares it with itself, a value changed in B: "
        "`redline compare axis-2023 axis-2023 --set-b actors.iran.cost_sensitivity=0.5`.",
    )
    cm.add_argument("a", metavar="A", type=_scenario, help=SCENARIO_HELP)
    cm.add_argument("b", metavar="B", type=_scenario, help=SCENARIO_HELP)
    cm.add_argument("--out", metavar="DIR", help="also write compare.md and compare.png into DIR")
    cm.add_argument("--force", action="store_true", help=FORCE_HELP)
    _add_ensemble_options(cm, runs=200, what="runs of each scenario, with the same seeds")
    _add_set(cm, "both A and B")
    for side in ("a", "b"):
        cm.add_argument(
            f"--set-{side}",
            dest=f"overrides_{side}",
            action="append",
            default=[],
            metavar="KEY.PATH=VALUE",
            help=f"change one value of {side.upper()} alone (repeatable): a scenario against itself with a value "
            f"changed is `compare S S --set-b ...`",
        )
    cm.set_defaults(func=commands.cmd_compare)

    rb = sub.add_parser(
        "robustness",
        help="how firmly the checks hold when parameters move down and up by a share",
        description="Move each --param down and up by --delta (one at a time, same seeds), rerun the ensemble and "
        "report every check, with each parameter's influence: how far the checks move, in units of their bands. "
        "A share or a probability stops at 1, and the report says where it did.",
    )
    rb.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    rb.add_argument(
        "--param", action="append", required=True, metavar="KEY.PATH", help="a number to move (repeatable)"
    )
    rb.add_argument(
        "--delta",
        type=_share,
        default=0.2,
        metavar="SHARE",
        help="share to move each parameter by (default 0.2; between 0 and 1)",
    )
    rb.add_argument(
        "--top",
        type=_positive,
        default=None,
        metavar="N",
        help="detail only the N most influential parameters (default: all)",
    )
    _add_ensemble_options(rb, runs=200, what="runs per ensemble, the same seeds in each")
    _add_set(rb)
    rb.set_defaults(func=commands.cmd_robustness)

    sp = sub.add_parser(
        "sweep",
        help="run a scenario over a grid or a design of parameter values",
        description="Run a scenario at many points of its parameter space, --runs replications each (the same "
        "seeds at every point). Writes the tables of `redline run` with a point column (events, metrics and "
        "red_lines partitioned by point: a folder per point), a points table, per point "
        "the outcome probabilities and check statistics (outcomes), plots, a heatmap for a two-parameter grid, and "
        "Morris or Sobol indices for those designs. Results are written as chunks finish; --resume goes on after "
        "an interruption.",
        epilog="examples: --param actors.iran.cost_sensitivity=0.4,0.6,0.8 (a list), "
        "--param relations.supports:iran:iraqi_militias.control=0:1:5 (5 values), "
        "--design morris --samples 20 --param actors.iran.cost_sensitivity=0.4:1.0",
    )
    sp.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    sp.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="KEY.PATH=VALUES",
        help="a parameter and its values (grid: a,b,c or lo:hi:n; designs: lo:hi); repeatable",
    )
    sp.add_argument(
        "--design",
        choices=["grid", "lhs", "sobol", "morris"],
        default="grid",
        help="a full grid (default), a Latin hypercube, or SALib's Sobol or Morris samples",
    )
    sp.add_argument(
        "--samples",
        type=_bounded(MAX_SAMPLES),
        default=None,
        metavar="N",
        help=f"samples for lhs, sobol and morris designs (at most {MAX_SAMPLES:,}; a sweep has at most "
        f"{MAX_POINTS:,} points and {MAX_SWEEP_RUNS:,} runs)",
    )
    sp.add_argument("--out", required=True, metavar="DIR", help="output folder")
    sp.add_argument("--resume", action="store_true", help="go on with an interrupted sweep in DIR")
    sp.add_argument(
        "--force",
        action="store_true",
        # A sweep fills its folder as it goes (so that --resume can go on), so the old one goes at the start.
        help=FORCE_HELP + "; the old sweep is removed when the new one starts, not when it ends",
    )
    sp.add_argument(
        "--outcome", metavar="NAME", help="the outcome the heatmap shows (default: the first check)"
    )
    sp.add_argument(
        "--no-plots",
        action="store_true",
        help="write the tables (and sensitivity.csv) but no plots, which take seconds; the same command with "
        "--resume draws them later, running nothing again",
    )
    _add_ensemble_options(sp, runs=20, what="replications per point, with the same seeds at every point")
    _add_set(sp)
    sp.set_defaults(func=commands.cmd_sweep)

    db = sub.add_parser(
        "debrief",
        help="tell the story of one run: what each actor did, and why",
        description="Write the turn-by-turn story of one run of a results folder: every action with the doctrine "
        "behind it, whom each target blamed, and the red lines crossed; as Markdown and as a self-contained HTML "
        "page with the run's timeline.",
    )
    db.add_argument(
        "dir", metavar="RESULTS", help="a results folder written by `redline run` or `redline play`"
    )
    db.add_argument("--run", type=_run_number, default=0, metavar="N", help="which run, from 0 (default 0)")
    db.add_argument("--out", metavar="DIR", help="folder to write the debrief files into (default: RESULTS)")
    db.add_argument("-q", "--quiet", action="store_true", help="do not print the story")
    db.add_argument("--force", action="store_true", help="replace the debrief files of that run")
    db.set_defaults(func=commands.cmd_debrief)

    pg = sub.add_parser(
        "play",
        help="play one actor in the terminal, turn by turn, against the model",
        description="Play one actor of a scenario; the model makes no choice for it. Each step you see what "
        "happened to you, your partners and your adversaries, your grievance, credit and fear against the thresholds "
        "that move the model's actors, and your options with the answers they are likely to bring; then you give your "
        "orders (TARGET RUNG [warned]; press CLIENT [TARGET]; several separated by ';'; 'pass'; 'help'; 'quit') "
        "while the model plays the others; an empty line asks again. 'quit' (or Ctrl-C at the prompt, or the end of "
        "input) ends the game: it tells how the game ended and saves it like `redline run` with one run and the "
        "steps played, for `redline plot` and `redline debrief`.",
    )
    pg.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    pg.add_argument(
        "--as", dest="actor", required=True, metavar="ACTOR", help="the actor you play, e.g. iran"
    )
    pg.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="SEED",
        help="root seed (default 0): the same seed and moves replay the game",
    )
    pg.add_argument("--out", required=True, metavar="DIR", help="where the game is saved")
    pg.add_argument("--force", action="store_true", help=FORCE_HELP)
    _add_set(pg)
    _add_inject(pg)
    pg.set_defaults(func=commands.cmd_play)

    pl = sub.add_parser(
        "plot",
        help="redraw the plots of a results folder",
        description="Redraw the PNG plots of a results folder from its saved tables.",
    )
    pl.add_argument(
        "dir", metavar="RESULTS", help="a results folder written by `redline run` or `redline play`"
    )
    pl.add_argument(
        "--dyads",
        metavar="A:B,...",
        help="the dyads the timeline shows, as actor ids (e.g. usa:iran,israel:hezbollah); default: every dyad "
        "a scheduled event or inject names, then the dyads that went highest",
    )
    pl.set_defaults(func=commands.cmd_plot)

    ap = sub.add_parser(
        "app",
        help="the classroom app: one run in the browser, week by week, with sliders for the scenario's levers",
        description="Serve a scenario as a page in the browser, laid out for a projector: a seed and a slider per "
        "lever of the scenario, Play, Step and Reset, what the latest week brought, the escalation timeline of the "
        "busiest dyads, the actors and the latest events. The same seed replays the same run. Needs the app "
        "extra: pip install 'redline[app]'.",
    )
    ap.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        type=_scenario,
        help="a scenario file or a shipped scenario's name (default: the flagship, axis-2023)",
    )
    ap.add_argument(
        "--port", type=_port, default=8765, metavar="PORT", help="the port to serve on (default 8765)"
    )
    ap.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="the address to listen on (default 127.0.0.1; 0.0.0.0 for a room)",
    )
    ap.add_argument(
        "--install-assets",
        action="store_true",
        help="fetch the page's browser files once (needs npm) so that the app works offline, then exit",
    )
    _add_set(ap)
    _add_inject(ap)
    ap.set_defaults(func=commands.cmd_app)
    p.commands = sub.choices
    return p


def _check_environment() -> None:
    """Variables that libraries read as they are imported: a bad value would stop every command with a traceback
    from deep inside them. Checked only when set, so that commands start as fast as before."""
    import os

    tqdm_vars = sorted(k for k in os.environ if k.startswith("TQDM_"))
    if tqdm_vars:
        try:
            import tqdm  # noqa: F401
        except (ValueError, TypeError) as e:
            names = ", ".join(f"{k}={os.environ[k][:40]!r}" for k in tqdm_vars)
            raise UsageError(f"redline: environment variable {names}: {e}") from None
    if "MPLBACKEND" in os.environ:
        try:
            import matplotlib  # noqa: F401
        except (ValueError, TypeError):
            raise UsageError(
                f"redline: environment variable MPLBACKEND={os.environ['MPLBACKEND'][:40]!r}: not a Matplotlib "
                "backend (redline draws into files and needs none: unset it)"
            ) from None


# Seconds the `redline` command (entry) is given to end after SIGTERM before it leaves at once.
LEAVE_AFTER = 30.0


def _on_sigterm(leave_after: float | None, signum, frame) -> None:
    if leave_after is not None:
        # Raised where the signal lands, Terminated ends the command; but landing inside a weakref callback or a
        # __del__, it is printed and dropped by Python, and the command would run on. So the process also leaves
        # on its own after a while (what a killed command leaves, the next command clears).
        import threading
        import time

        def leave() -> None:
            time.sleep(leave_after)
            os._exit(EXIT_TERMINATED)

        threading.Thread(target=leave, name="redline-leave-after-sigterm", daemon=True).start()
    raise Terminated


def _each_value_once(args: argparse.Namespace) -> None:
    """Two --set of one value (or of a value and one inside it) would leave the later to win without a word, and
    the results' record name both. Each flag is checked for every scenario it applies to, as written and, when the
    scenario reads, with list items by key and by index told to be the same. (A comparison's --set-a and --set-b
    may change a value that --set gives both sides: that side then runs with its own, and says so.)"""
    from redline.language.scenario import overlapping

    if hasattr(args, "overrides_a"):
        groups = [("--set", args.overrides, [args.a, args.b])]
        groups += [(f"--set-{x}", getattr(args, f"overrides_{x}"), [getattr(args, x)]) for x in "ab"]
    else:
        files = getattr(args, "files", None) or [getattr(args, "scenario", None) or commands.APP_DEFAULT]
        groups = [("--set", getattr(args, "overrides", None) or [], files)]
    for name, texts, files in groups:
        if len(texts) < 2:
            continue
        paths = [t.partition("=")[0].strip() for t in texts]
        for path in dict.fromkeys(files):
            found = overlapping(paths, _base(path))
            if found is not None:
                i, j = found
                raise ScenarioError(
                    [Issue(name, j + 1, paths[j], f"sets what {name} {i + 1} sets too; give each value once")]
                )


def _base(path: typing.Any) -> typing.Any:
    """The scenario `path` as its file has it, to tell one value's spellings apart; None if it does not read (the
    command reports that in its turn)."""
    from redline.language.scenario import load_scenario

    try:
        return load_scenario(path)
    except (ScenarioError, OSError, TypeError):
        return None


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that depend on each other, checked before anything is read or run."""
    _each_value_once(args)
    if getattr(args, "executor", None) is None:
        return
    from redline.engine.executors import check_executor_args, warm_local_cluster

    check_executor_args(args)
    warm_local_cluster(args)


def main(argv: Sequence[str] | None = None, *, leave_after: float | None = None) -> int:
    """Run the command `argv` (the process's arguments if None) and return its exit status. With `leave_after`,
    the process leaves that many seconds after a SIGTERM, whatever it is doing: for the command, not for a program
    of the user's that calls main() and owns its process."""
    import signal
    import threading
    import warnings

    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGTERM, functools.partial(_on_sigterm, leave_after))
    # redline's own warnings are one line (workers forked for the command inherit the format).
    formatted = warnings.formatwarning
    warnings.formatwarning = _one_line
    try:
        return _main(argv)
    finally:
        warnings.formatwarning = formatted
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)


def _one_line(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None
) -> str:
    """A warning as one line: redline's own as they are, a library's with its kind (the source line a warning
    prints by default names a file of the installation, which tells a user nothing)."""
    if issubclass(category, GlyphWarning):
        return f"redline: {message}\n"
    first = str(message).strip().splitlines()[0] if str(message).strip() else category.__name__
    return f"redline: warning ({category.__name__}): {escaped(first, controls=True)}\n"


def _tell(problem: object) -> None:
    """A problem, on stderr: the names in it (a folder, a file) come from the user, and a control character in them
    is printed as its escape, not acted on by the terminal."""
    print(escaped(str(problem), keep="\n", controls=True), file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    prog = "redline"  # every error line starts with the command that gives it: `redline run: ...`
    try:
        try:
            args, unknown = parser.parse_known_args(argv)
        except SystemExit as e:  # --help and --version end here
            return int(e.code or 0)
        if not getattr(args, "func", None):
            if unknown:
                parser.error(f"unrecognized arguments: {' '.join(unknown)}")
            parser.print_help()
            return EXIT_BAD_INPUT
        if unknown:
            # Told by the command they were given to, or by redline itself if given before the command.
            given = list(sys.argv[1:] if argv is None else argv)
            before = given[: given.index(args.command)] if args.command in given else []
            told_by = parser if any(u in before for u in unknown) else parser.commands[args.command]
            told_by.error(f"unrecognized arguments: {' '.join(unknown)}")
        prog = f"redline {args.command}"
        _check_flags(args)
        _check_environment()
        return args.func(args)
    except UsageError as e:
        _tell(e)
        return EXIT_BAD_INPUT
    except ScenarioError as e:
        _tell(e.report())
        return EXIT_BAD_INPUT
    except (OutputError, SweepError, ExecutorError) as e:
        _tell(f"{prog}: {e}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _tell(f"{prog}: interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        _tell(f"{prog}: terminated")
        return EXIT_TERMINATED
    except BrokenPipeError:  # `redline seeds | head`
        sys.stderr.close()
        return EXIT_OK
    except BrokenExecutor:  # a worker killed (the OOM killer, a stray kill): nothing was written
        _tell(f"{prog}: a worker process died before its runs were done; nothing was written")
        return EXIT_FAILED
    except OSError as e:  # a disk full, a folder gone from under us: what went wrong and where, in a line
        where = f"{e.filename}: " if e.filename else ""
        _tell(f"{prog}: {where}{e.strerror or e}")
        return EXIT_BAD_INPUT


def entry() -> None:
    """The `redline` command. After a signal, the process leaves at once: the interpreter's exit handlers would
    try to wake a worker pool whose pipes the signal already closed, and print a traceback nobody needs."""
    from redline.engine.heap import keep_freed_memory

    # The command owns its process, and the workers it forks inherit the setting; a program calling main() does not.
    keep_freed_memory()
    code = main(leave_after=LEAVE_AFTER)
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    # The work is done and its results are written: a Ctrl-C now, while the interpreter winds down the worker
    # pool, would only print a traceback from its exit handlers.
    with contextlib.suppress(ValueError):  # not the main thread (a test calling entry from elsewhere)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Nor need the garbage collector walk the whole heap (pandas, pyarrow, Mesa) as the interpreter ends: about
    # 0.15 s of the 0.2 s between a command's end and its exit. Exit handlers still run; what is held now, cycles
    # not yet collected included, is not collected at shutdown (no __del__ of theirs runs), so nothing of the
    # command may rely on that: its files are closed and its pools and clusters shut by the time main returns.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
