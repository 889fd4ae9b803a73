"""The `redline` command.

Every command that reads input reports bad input as lines `FILE:LINE: key.path: message` on stderr and exits with
status 2; it never shows a traceback for it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import re
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

from redline.engine.executors import ExecutorError
from redline.errors import OutputError, ScenarioError, SweepError
from redline.limits import MAX_POINTS, MAX_RUNS, MAX_SAMPLES, MAX_SWEEP_RUNS, MAX_WORKERS
from redline.words import plural

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them
FORCE_HELP = "replace DIR if a redline command wrote it (a folder of other files is never replaced)"
SCENARIO_HELP = "a scenario file, or the name of a shipped scenario (axis-2023, cases/lebanon-2006, ...)"


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that outputs are cleaned up and locks released on the way out."""


class UsageError(Exception):
    """A bad flag or argument: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
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


@contextlib.contextmanager
def _ensembles(args: argparse.Namespace) -> Iterator[Callable[..., Any]]:
    """`run(scenario, **kw)`: run_ensemble bound to the shared flags, on the executor they ask for."""
    from redline.engine.executors import executor_from_args
    from redline.results.ensemble import run_ensemble

    with executor_from_args(args) as executor:
        yield lambda scn, **kw: run_ensemble(
            scn,
            args.runs,
            args.seed,
            executor=executor,
            workers=args.workers,
            progress=None if not args.quiet else False,
            **kw,
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


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="change one value of the scenario, e.g. actors.iran.cost_sensitivity=0.5 or "
        "relations.supports:iran:hezbollah.control=0.8 (repeatable; checked like the file)",
    )


def cmd_validate(args: argparse.Namespace) -> int:
    from redline.language.scenario import load_scenario

    status = EXIT_OK
    for f in args.files:
        try:
            s = load_scenario(f, args.overrides)
        except ScenarioError as e:
            print(e.report(), file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        if not args.quiet:
            counts = (
                plural(len(s.actors), "actor"),
                plural(len(s.relations), "relation"),
                plural(len(s.events), "event"),
                plural(len(s.checks), "check"),
            )
            print(f"{f}: ok ({', '.join(counts)})")
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    from redline.language.schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if args.out:
        from redline.results.outputs import FileOutput

        with FileOutput(args.out, force=args.force, accepts=_is_schema) as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _is_schema(path: Path) -> bool:
    """A file `schema --out` wrote, which --force may replace (and nothing else)."""
    try:
        if path.stat().st_size > 10 * 1024 * 1024:
            return False
        return json.loads(path.read_text()).get("title") == "redline scenario"
    except (OSError, ValueError, AttributeError, RecursionError):
        return False


def _is_png(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(8) == b"\x89PNG\r\n\x1a\n"
    except OSError:
        return False


def cmd_levers(args: argparse.Namespace) -> int:
    from redline.language.scenario import load_scenario
    from redline.results.levers import registry, table

    scn = load_scenario(args.scenario, args.overrides)
    if args.json:
        sys.stdout.write(json.dumps(registry(scn), indent=2) + "\n")
    else:
        sys.stdout.write(table(scn))
    return EXIT_OK


def cmd_seeds(args: argparse.Namespace) -> int:
    from redline.language.evidence import evidence_files
    from redline.language.typed import suggest

    files = evidence_files()
    if args.actor:
        known = sorted({a for art in files for c in art.claims for a in c.actors})
        if args.actor not in known:
            raise UsageError(
                f"redline seeds: --actor {args.actor[:60]}: no claim names this actor{suggest(args.actor, known)}"
            )
    shown = 0
    for art in files:  # articles (sNNN), then historical cases (hNNN) with their sources
        claims = [
            c
            for c in art.claims
            if (not args.actor or args.actor in c.actors) and (not args.kind or c.kind == args.kind)
        ]
        if not claims:
            continue
        print(f"{art.origin}  {art.date}  {art.title}")
        for c in claims:
            value = ""
            if c.value is not None:
                value = f" [{c.comparator or '='} {c.value:g} {c.unit or ''}".rstrip() + "]"
            where = f"¶{c.paragraph:<3}" if c.paragraph is not None else " " * 4
            print(f"  {c.id:<9} {c.kind:<19} {where} {c.claim}{value}")
        shown += len(claims)
    if not shown:  # a valid actor and kind that no claim has together: an empty answer, not bad input
        asked = " and ".join(
            x for x in (args.actor and f"about {args.actor}", args.kind and f"of kind {args.kind}") if x
        )
        print(f"redline seeds: no claim {asked}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_describe(args: argparse.Namespace) -> int:
    from redline.frontends import plots
    from redline.frontends.describe import describe
    from redline.language.scenario import load_scenario
    from redline.results.outputs import FileOutput, FolderOutput, scenario_inputs
    from redline.results.store import scenario_facts

    scn = load_scenario(args.scenario, args.overrides)
    # The scenario's id names the default folder: kept to one plain name, whatever the file says, and apart from
    # the folders other commands write (`redline run --out out/axis-2023` draws its own network.png).
    folder = (
        Path(args.out)
        if args.out
        else Path("out") / ("describe-" + (re.sub(r"[^\w.-]+", "-", scn.scenario).strip(".-") or "scenario"))
    )
    another = False
    with contextlib.suppress(OSError):  # a path that cannot be read is the output checks' to report
        another = FolderOutput(folder).is_redline_output()
    if another:
        raise OutputError(
            f"{folder}: the results folder of another redline command; describe writes network.png into a "
            "folder of its own (--out DIR)"
        )
    out = FileOutput(
        folder / "network.png", force=args.force, inputs=scenario_inputs([args.scenario]), accepts=_is_png
    )
    out.check()
    print(describe(scn))
    with out:
        plots.network(scenario_facts(scn), out.path)
    print(f"\nnetwork picture: {folder / out.path.name}")
    return EXIT_OK


def _scenario(text: str) -> Path:
    """A scenario argument as a file: a shipped scenario's name becomes its file; an unknown name is bad input
    (ScenarioError, one line listing the names)."""
    from redline.language.paths import scenario_path

    return scenario_path(text)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
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
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
    if not 0 <= n < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {n}")
    return n


def cmd_run(args: argparse.Namespace) -> int:
    from redline.engine.executors import executor_from_args
    from redline.frontends.plotfiles import write_ensemble
    from redline.language.scenario import load_scenario, scenario_digest
    from redline.results.outputs import FolderOutput, scenario_inputs

    out = Path(args.out)
    scn = load_scenario(args.scenario, args.overrides, injects=args.injects)
    target = FolderOutput(out, force=args.force, inputs=scenario_inputs([args.scenario]))
    target.check()  # before the work, not after it
    source = {
        "file": str(args.scenario),
        "hash": scenario_digest(args.scenario, [*args.overrides, *(f"inject:{i}" for i in args.injects)]),
        "overrides": list(args.overrides),
        "injects": list(args.injects),
    }
    with executor_from_args(args) as executor, target:
        # Streamed: each chunk of runs goes to disk as it finishes, so memory does not grow with the runs.
        res = write_ensemble(
            scn,
            args.runs,
            args.seed,
            target,
            fmt=args.format,
            executor=executor,
            workers=args.workers,
            progress=None if not args.quiet else False,
            source=source,
        )
    if not args.quiet:
        print(f"{plural(len(res.runs), 'run')} of {scn.scenario} -> {out}/")
        print(f"  tables: events, metrics, runs, red_lines (.{args.format}); manifest.json; summary.md")
        pngs = ("timeline.png", "attacks.png", "outcomes.png", "network.png")
        print(f"  plots:  {', '.join(str(out / p) for p in pngs)}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from redline.language.scenario import load_scenario
    from redline.results.checks import table

    scn = load_scenario(args.scenario, args.overrides)
    if not scn.checks:
        raise UsageError(f"redline check: {args.scenario}: the scenario has no checks")
    with _ensembles(args) as run:
        res = run(scn)
    verdicts = res.check(scn.checks)
    print(f"{scn.scenario}: {plural(len(res.runs), 'run')} from root seed {args.seed}\n")
    print(table(verdicts))
    failed = sum(not v.passed for v in verdicts)
    print(f"\n{len(verdicts) - failed} passed, {failed} failed")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from redline.frontends import compare as cmp
    from redline.language.scenario import load_scenario
    from redline.results.outputs import FolderOutput, scenario_inputs

    a = load_scenario(args.a, args.overrides)
    b = load_scenario(args.b, args.overrides)
    target = None
    if args.out:
        inputs = scenario_inputs([args.a, args.b])
        target = FolderOutput(args.out, force=args.force, inputs=inputs, command="compare")
        target.check()
    with _ensembles(args) as run, target or contextlib.nullcontext():
        ra, rb = run(a), run(b)  # the same seeds, run by run: paired runs
        c = cmp.compare(ra, rb)
        text = cmp.markdown(c)
        if target is not None:

            def fill(tmp: Path) -> None:
                (tmp / "compare.md").write_text(text)
                cmp.plot(c, tmp / "compare.png")

            target.write(fill)
    print(text, end="")
    if args.out:
        print(f"\nwritten: {Path(args.out) / 'compare.md'}, {Path(args.out) / 'compare.png'}")
    return EXIT_OK


def cmd_robustness(args: argparse.Namespace) -> int:
    from redline.engine.executors import executor_from_args
    from redline.results.robustness import markdown, robustness

    with executor_from_args(args) as executor:
        r = robustness(
            args.scenario,
            args.param,
            delta=args.delta,
            runs=args.runs,
            seed=args.seed,
            overrides=args.overrides,
            executor=executor,
            workers=args.workers,
            progress=None if not args.quiet else False,
        )
    print(markdown(r, args.delta, top=args.top), end="")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from redline.engine.runner import idle_workers
    from redline.frontends import plotfiles, plots
    from redline.frontends.plotstyle import about
    from redline.results import sweep as sw
    from redline.results.analysis import OUTCOMES

    if args.resume and args.force:
        raise UsageError("redline sweep: --resume goes on with a sweep, --force starts it again: give one")
    if args.design == "grid" and args.samples:
        raise UsageError("redline sweep: --samples goes with --design lhs, sobol or morris, not with a grid")
    if args.design != "grid" and not args.samples:
        raise UsageError(f"redline sweep: --design {args.design} needs --samples N")
    from redline.results.outputs import FolderOutput, scenario_inputs

    params = [sw.parse_param(text, n, args.design) for n, text in enumerate(args.param, 1)]
    sw.check_size(params, args.design, args.samples or 0, args.runs)
    base = sw.load_scenario(args.scenario, args.overrides)
    sw.check_distinct(params, base)
    if args.outcome is not None:
        known = [o.name for o in OUTCOMES] + ["attacks"] + [f"check: {c.name}" for c in base.checks]
        if args.outcome not in known:
            raise UsageError(
                f"redline sweep: --outcome: no outcome '{args.outcome[:60]}' (choose from: {', '.join(known)})"
            )
    target = FolderOutput(
        args.out,
        force=args.force,
        resume=args.resume,
        inputs=scenario_inputs([args.scenario]),
        command="sweep",
    )
    target.check()
    points = sw.design_points(params, args.design, args.samples or 0, args.seed)
    sweep = sw.Sweep(
        str(args.scenario),
        list(args.overrides),
        params,
        args.design,
        args.samples or 0,
        args.runs,
        args.seed,
        points,
    )
    if not args.quiet:
        print(
            f"{plural(len(points), 'point')} x {plural(args.runs, 'run')} = {plural(len(points) * args.runs, 'run')}",
            file=sys.stderr,
        )

    def finish(res: sw.SweepResults, folder: Path) -> None:
        summary = res.outcomes
        # The pool the runs took, if any, draws the four plots of the pooled runs: its workers are idle now.
        with idle_workers(args.workers, len(sw.plan(sweep)), executor) as pool:
            made = plotfiles.all_plots(res, folder, executor=pool)
        names = sw.outcome_names(summary, params)
        outcome = args.outcome or next(
            (n for n in names if n.startswith("check:")), names[0] if names else None
        )
        caption = about(res)
        if args.design == "grid" and len(params) == 2 and outcome:
            if outcome not in summary:
                raise sw.SweepError(f"no outcome '{outcome}' (choose from: {', '.join(names)})")
            check = next((c for c in base.checks if f"check: {c.name}" == outcome), None)
            plots.heatmap(
                summary,
                params[0].path,
                params[1].path,
                outcome,
                folder / "heatmap.png",
                args.runs,
                facts=res.facts,
                check=check,
                caption=caption,
            )
            made.append(folder / "heatmap.png")
        if args.design in ("sobol", "morris"):
            table = sw.sensitivity(summary, sweep)
            from redline.results.store import write_table

            write_table(table, folder / "sensitivity.csv", "csv")
            if len(table):
                plots.sensitivity_bars(
                    table, folder / "sensitivity.png", args.design, facts=res.facts, caption=caption
                )
                made.append(folder / "sensitivity.png")
        if not args.quiet:
            for m in made:
                print(f"  {Path(args.out) / m.name}")

    from redline.engine.executors import executor_from_args

    with executor_from_args(args) as executor:
        sw.run_sweep(
            sweep,
            target,
            executor=executor,
            workers=args.workers,
            progress=None if not args.quiet else False,
            finish=finish,
        )
    if not args.quiet:
        print(
            f"sweep -> {args.out}/: points, outcomes (per point), runs, and events/, metrics/, red_lines/ "
            "(partitioned by point)"
        )
    return EXIT_OK


def cmd_debrief(args: argparse.Namespace) -> int:
    from redline.frontends import debrief
    from redline.results.outputs import FileOutput
    from redline.results.store import Results

    res = Results.load(args.dir)
    if args.run not in set(res.runs["run"]):
        first, last = res.runs["run"].min(), res.runs["run"].max()
        raise UsageError(f"redline debrief: --run: no run {args.run} in {args.dir} (runs {first}..{last})")
    folder = Path(args.out or args.dir)
    outs = [
        FileOutput(folder / f"debrief-run-{args.run}.{ext}", force=args.force, accepts=accepts)
        for ext, accepts in (("md", _is_debrief_md), ("html", _is_debrief_html))
    ]
    for out in outs:
        out.check()
    with _damage_is_bad_input(args.dir):
        told = debrief.tell(res, args.run)
        md, page = debrief.markdown(res, args.run, told), debrief.page(res, args.run, told)
    with outs[0], outs[1]:
        outs[0].write(md)
        outs[1].write(page)
    if not args.quiet:
        print(md)
    print(f"debrief: {folder / outs[0].path.name} and {folder / outs[1].path.name}", file=sys.stderr)
    return EXIT_OK


def _starts_with(path: Path, head: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(head)) == head
    except OSError:
        return False


def _is_debrief_md(path: Path) -> bool:
    return _starts_with(path, b"# Debrief: ")


def _is_debrief_html(path: Path) -> bool:
    return _starts_with(path, b"<!doctype html>")


@contextlib.contextmanager
def _damage_is_bad_input(folder: str) -> Iterator[None]:
    """Tables that read well but hold what no redline command wrote (a rung past the ladder, a step past the
    end) fail deep in pandas: that is a damaged folder, one line, not a traceback."""
    try:
        yield
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError) as e:
        text = " ".join(str(e).split())[:120] or type(e).__name__
        raise OutputError(f"{folder}: a damaged results folder ({type(e).__name__}: {text})") from None


def cmd_play(args: argparse.Namespace) -> int:
    from redline.frontends.play import play
    from redline.frontends.plotfiles import save_report
    from redline.language.scenario import load_scenario
    from redline.results.outputs import FolderOutput, scenario_inputs

    out = Path(args.out)
    scn = load_scenario(args.scenario, args.overrides, injects=args.injects)
    if args.actor not in scn.actors:
        raise UsageError(
            f"redline play: --as {args.actor[:60]}: no such actor (choose from: {', '.join(scn.actors)})"
        )
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("redline play: stdin is closed; the game reads your moves from it")
    target = FolderOutput(out, force=args.force, inputs=scenario_inputs([args.scenario]), command="play")
    target.check()
    with target:
        shown = sys.stdout if sys.stdout is not None else io.StringIO()  # stdout closed: play on, unseen
        source = {
            "file": str(args.scenario),
            "overrides": list(args.overrides),
            "injects": list(args.injects),
        }
        res = play(scn, args.actor, args.seed, sys.stdin, shown, source=source)
        save_report(res, target)
    print(f"\nyour game -> {out}/  (redline plot {out}; redline debrief {out})")
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from redline.frontends import plotfiles, plots
    from redline.results.outputs import locked_folder
    from redline.results.store import Results

    res = Results.load(args.dir)
    dyads = None
    if args.dyads is not None:
        try:
            dyads = plots.parse_dyads(args.dyads, res.facts)
        except ValueError as e:
            raise UsageError(f"redline plot: --dyads: {e}") from None
    with locked_folder(args.dir), _damage_is_bad_input(args.dir):
        made = plotfiles.all_plots(res, Path(args.dir), dyads=dyads)
    for p in made:
        print(p)
    return EXIT_OK


def _port(text: str) -> int:
    n = _positive(text)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {n}")
    return n


def cmd_app(args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess

    from redline.language.paths import scenario_path
    from redline.language.scenario import load_scenario

    scenario = args.scenario or scenario_path("axis-2023")
    if importlib.util.find_spec("solara") is None:
        raise UsageError(
            "redline app: the app needs the app extra (missing: solara); "
            "install it with: pip install 'redline[app]'"
        )
    from redline.frontends import app_assets

    if args.install_assets:
        try:
            fetched = app_assets.ensure(quiet=False)
        except app_assets.AssetsError as e:
            print(f"redline app: {e}", file=sys.stderr)
            return EXIT_FAILED
        print(
            "redline app: the page's browser files are " + ("installed" if fetched else "already installed")
        )
        return EXIT_OK
    # Bad input is reported here, before a server starts.
    load_scenario(scenario, args.overrides, injects=args.injects)
    _check_listen(args.host, args.port)
    if app_assets.missing():
        print(
            "redline app: the page's browser files are not installed, so the first visit fetches them from "
            "Solara's CDN; for a room without internet, run `redline app --install-assets` once beforehand",
            file=sys.stderr,
        )
    env = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", **os.environ}  # no usage reports unless asked for
    # The page's own loading message (sim/frontends/templates), and no framework banner on a projector.
    env.update(SOLARA_THEME_LOADER="redline", SOLARA_THEME_SHOW_BANNER="false")
    env["REDLINE_APP_SCENARIO"] = str(scenario.resolve())
    env["REDLINE_APP_OPTIONS"] = json.dumps({"set": args.overrides, "inject": args.injects})
    cmd = [sys.executable, "-m", "solara", "run", "redline.frontends.app_server", "--production", "--no-open"]
    cmd += ["--port", str(args.port), "--host", args.host]
    print(f"redline app: {scenario} at http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    server = subprocess.Popen(cmd, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:
        _stop(server)
        return EXIT_OK
    except BaseException:  # SIGTERM (Terminated) and anything else: the server must not outlive us
        _stop(server)
        raise


def _stop(server) -> None:
    import subprocess

    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _check_listen(host: str, port: int) -> None:
    """A host that is no address of this machine, or a port already taken, said before the server starts."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise UsageError(f"redline app: --host {host[:60]}: not an address to listen on ({e})") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as e:
            what = (
                f"--port {port}: in use"
                if e.errno == errno.EADDRINUSE
                else f"--host {host[:60]}: {e.strerror}"
            )
            raise UsageError(f"redline app: {what}") from None


def _version() -> str:
    """The installed distribution's version (pyproject.toml's), as pip knows it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("redline")
    except PackageNotFoundError:  # the sources on sys.path without an install
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
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
        f"characters, dates from {MIN_DATE} to {MAX_DATE}; --runs at most {MAX_RUNS:,}, --workers at most "
        f"{MAX_WORKERS}; a sweep at most {MAX_POINTS:,} points and {MAX_SWEEP_RUNS:,} runs. Output folders: "
        "--force replaces only an empty folder or one a redline command wrote.",
    )
    p.add_argument("--version", action="version", version=f"redline {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser(
        "validate",
        help="check scenario files; exit 0 if all are valid, 2 otherwise",
        description="Check scenario files and report every problem as FILE:LINE: key.path: message.",
        epilog=f"Limits: files of at most {MAX_BYTES // 1024} KB, nested at most {MAX_DEPTH} levels, text values "
        f"of at most {MAX_TEXT:,} characters, dates from {MIN_DATE} to {MAX_DATE}; `extends:` reaches only files "
        "in the scenario's own folder tree and the shipped scenarios.",
    )
    v.add_argument(
        "files", nargs="+", metavar="SCENARIO", help=SCENARIO_HELP
    )  # each reported on its own line
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")
    _add_set(v)
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of the scenario language",
        description="Print the JSON Schema of scenario files, for editors with a YAML language server.",
    )
    s.add_argument("--out", metavar="FILE", help="write it to FILE instead of stdout")
    s.add_argument("--force", action="store_true", help="replace FILE if an earlier `schema --out` wrote it")
    s.set_defaults(func=cmd_schema)

    e = sub.add_parser(
        "seeds",
        help="list the claims of the evidence base",
        description="List the claims of the evidence base: those read out of the source articles, with article and "
        "paragraph, and those of the historical cases, with their sources.",
    )
    e.add_argument("--actor", metavar="ACTOR", help="only claims about this actor (e.g. iran)")
    e.add_argument("--kind", choices=list(typing.get_args(ClaimKind)), help="only claims of this kind")
    e.set_defaults(func=cmd_seeds)

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
    d.set_defaults(func=cmd_describe)

    lv = sub.add_parser(
        "levers",
        help="list a scenario's levers and outcomes, for research tools",
        description="Print the levers a scenario declares (name, --set path, range, unit, evidence) and the outcomes "
        "each run is scored on: what EMA Workbench, SALib or a notebook may vary and measure.",
    )
    lv.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    lv.add_argument("--json", action="store_true", help="print JSON instead of tables")
    _add_set(lv)
    lv.set_defaults(func=cmd_levers)

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
    _add_ensemble_options(r, runs=200)
    _add_set(r)
    _add_inject(r)
    r.set_defaults(func=cmd_run)

    c = sub.add_parser(
        "check",
        help="run an ensemble and test the scenario's checks (stylized facts)",
        description="Run a scenario's ensemble and print each check's value, band, verdict and "
        "evidence. Exit status 1 if a check fails.",
    )
    c.add_argument("scenario", metavar="SCENARIO", type=_scenario, help=SCENARIO_HELP)
    _add_ensemble_options(c, runs=200)
    _add_set(c)
    c.set_defaults(func=cmd_check)

    cm = sub.add_parser(
        "compare",
        help="run two scenarios with common random numbers and compare outcomes",
        description="Run scenarios A and B with the same seeds, run by run, and print the differences B - A in "
        "outcome probabilities and in uses of force per run, with 95% intervals of the paired differences.",
    )
    cm.add_argument("a", metavar="A", type=_scenario, help=SCENARIO_HELP)
    cm.add_argument("b", metavar="B", type=_scenario, help=SCENARIO_HELP)
    cm.add_argument("--out", metavar="DIR", help="also write compare.md and compare.png into DIR")
    cm.add_argument("--force", action="store_true", help=FORCE_HELP)
    _add_ensemble_options(cm, runs=200, what="runs of each scenario, with the same seeds")
    _add_set(cm)
    cm.set_defaults(func=cmd_compare)

    rb = sub.add_parser(
        "robustness",
        help="how firmly the checks hold when parameters move down and up by a share",
        description="Move each --param down and up by --delta (one at a time, same seeds), rerun the ensemble and "
        "report every check, with each parameter's influence: how far the checks move, in units of their bands.",
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
    rb.set_defaults(func=cmd_robustness)

    sp = sub.add_parser(
        "sweep",
        help="run a scenario over a grid or a design of parameter values",
        description="Run a scenario at many points of its parameter space, --runs replications each (the same "
        "seeds at every point). Writes the tables of `redline run` with a point column (events, metrics and "
        "red_lines partitioned by point: a folder each, a folder per point), a points table, per point "
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
    sp.add_argument("--force", action="store_true", help=FORCE_HELP)
    sp.add_argument(
        "--outcome", metavar="NAME", help="the outcome the heatmap shows (default: the first check)"
    )
    _add_ensemble_options(sp, runs=20, what="replications per point, with the same seeds at every point")
    _add_set(sp)
    sp.set_defaults(func=cmd_sweep)

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
    db.add_argument("--run", type=int, default=0, metavar="N", help="which run (default 0)")
    db.add_argument("--out", metavar="DIR", help="folder to write the debrief files into (default: RESULTS)")
    db.add_argument("-q", "--quiet", action="store_true", help="do not print the story")
    db.add_argument("--force", action="store_true", help="replace the debrief files of that run")
    db.set_defaults(func=cmd_debrief)

    pg = sub.add_parser(
        "play",
        help="play one actor in the terminal, turn by turn, against the model",
        description="Play one actor of a scenario; the model makes no choice for it. Each step you see what "
        "happened to you, your partners and your adversaries, your grievance and fear against the thresholds that "
        "move the model's actors, and your options with the answers they are likely to bring; then you give your "
        "orders (TARGET RUNG [warned]; press CLIENT [TARGET]; several separated by ';'; 'pass'; 'help'; 'quit') "
        "while the model plays the others. 'quit' ends the game; it is saved like `redline run` with one run and "
        "the steps played, for `redline plot` and `redline debrief`.",
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
    pg.set_defaults(func=cmd_play)

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
    pl.set_defaults(func=cmd_plot)

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
    ap.set_defaults(func=cmd_app)
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


def _on_sigterm(signum, frame) -> None:
    raise Terminated


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that depend on each other, checked before anything is read or run."""
    if getattr(args, "executor", None) is None:
        return
    from redline.engine.executors import check_executor_args, warm_local_cluster

    check_executor_args(args)
    warm_local_cluster(args)


def main(argv: Sequence[str] | None = None) -> int:
    import signal
    import threading

    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    finally:
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    prog = "redline"  # every error line starts with the command that gives it: `redline run: ...`
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help and --version end here
            return int(e.code or 0)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_BAD_INPUT
        prog = f"redline {args.command}"
        _check_flags(args)
        _check_environment()
        return args.func(args)
    except UsageError as e:
        print(e, file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as e:
        print(e.report(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OutputError, SweepError, ExecutorError) as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print(f"{prog}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except BrokenPipeError:  # `redline seeds | head`
        sys.stderr.close()
        return EXIT_OK
    except BrokenExecutor:  # a worker killed (the OOM killer, a stray kill): nothing was written
        print(
            f"{prog}: a worker process died before its runs were done; nothing was written", file=sys.stderr
        )
        return EXIT_FAILED
    except OSError as e:  # a disk full, a folder gone from under us: what went wrong and where, in a line
        where = f"{e.filename}: " if e.filename else ""
        print(f"{prog}: {where}{e.strerror or e}", file=sys.stderr)
        return EXIT_BAD_INPUT


def entry() -> None:
    """The `redline` command. After a signal, the process leaves at once: the interpreter's exit handlers would
    try to wake a worker pool whose pipes the signal already closed, and print a traceback nobody needs."""
    code = main()
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
