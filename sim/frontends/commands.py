"""What each `redline` command does, once its flags are read (redline.frontends.cli reads them): load, run, write,
report. A command returns its exit status; bad input is raised (ScenarioError, UsageError, OutputError) for the
command line to report in one line with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from redline.errors import OutputError, ScenarioError, UsageError
from redline.words import escaped, plural

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
APP_DEFAULT = "axis-2023"  # the scenario `redline app` serves when given none


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
            print(f"{escaped(str(f))}: ok ({', '.join(counts)})")
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
    from redline.results.outputs import FileOutput, scenario_inputs
    from redline.results.store import scenario_facts

    scn = load_scenario(args.scenario, args.overrides)
    # The scenario's id names the default folder: kept to one plain name, whatever the file says, and apart from
    # the folders other commands write (`redline run --out out/axis-2023` draws its own network.png).
    folder = (
        Path(args.out)
        if args.out
        else Path("out") / ("describe-" + (re.sub(r"[^\w.-]+", "-", scn.scenario).strip(".-") or "scenario"))
    )
    out = FileOutput(
        folder / "network.png", force=args.force, inputs=scenario_inputs([args.scenario]), accepts=_is_png
    )
    out.check()
    print(describe(scn))
    with out:
        plots.network(scenario_facts(scn), out.path)
    print(f"\nnetwork picture: {escaped(str(folder / out.path.name))}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from redline.engine.executors import executor_from_args
    from redline.frontends.plotfiles import PLOT_FILES, write_ensemble
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
            plots=not args.no_plots,
        )
    if not args.quiet:
        shown = escaped(str(out))  # a folder name as typed, with any control character escaped
        print(f"{plural(len(res.runs), 'run')} of {scn.scenario} -> {shown}/")
        print(f"  tables: events, metrics, runs, red_lines (.{args.format}); manifest.json; summary.md")
        if args.no_plots:
            print(f"  plots:  none (--no-plots); `redline plot {shown}` draws them from the tables")
        else:
            print(f"  plots:  {', '.join(f'{shown}/{p}' for p in PLOT_FILES)}")
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
    from redline.language.scenario import parse_override
    from redline.results.outputs import FolderOutput, scenario_inputs

    sides = {
        side: [
            parse_override(text, n, f"--set-{side}")
            for n, text in enumerate(getattr(args, f"overrides_{side}"), 1)
        ]
        for side in ("a", "b")
    }
    a, b = (
        _side_scenario(side, path, [*args.overrides, *sides[side]])
        for side, path in (("a", args.a), ("b", args.b))
    )
    target = None
    if args.out:
        inputs = scenario_inputs([args.a, args.b])
        target = FolderOutput(args.out, force=args.force, inputs=inputs, command="compare")
        target.check()
    with _ensembles(args) as run, target or contextlib.nullcontext():
        ra, rb = run(a), run(b)  # the same seeds, run by run: paired runs
        # What each side was run with, `--set` then its own (a later value of a key wins): what both share is
        # told once, what differs names its side.
        with_a, with_b = (_settings([*args.overrides, *getattr(args, f"overrides_{x}")]) for x in "ab")
        common = [f"{k}={v}" for k, v in with_a.items() if _same(with_b.get(k), v)]
        label_a = _side(a.scenario, [f"{k}={v}" for k, v in with_a.items() if not _same(with_b.get(k), v)])
        label_b = _side(b.scenario, [f"{k}={v}" for k, v in with_b.items() if not _same(with_a.get(k), v)])
        if label_a == label_b and Path(args.a).resolve() != Path(args.b).resolve():
            # two files that share a scenario id (a copy changed by hand): named by their files instead
            label_a, label_b = (
                f"{label} ({escaped(str(p))})" for label, p in ((label_a, args.a), (label_b, args.b))
            )
        c = cmp.compare(ra, rb, label_a=label_a, label_b=label_b, common=tuple(common))
        text = cmp.markdown(c)
        if target is not None:

            def fill(tmp: Path) -> None:
                (tmp / "compare.md").write_text(text)
                cmp.plot(c, tmp / "compare.png")

            target.write(fill)
    print(text, end="")
    if args.out:
        shown = escaped(str(Path(args.out)))
        print(f"\nwritten: {shown}/compare.md, {shown}/compare.png")
    return EXIT_OK


def _side_scenario(side: str, path: Path, overrides: list) -> Any:
    """One side of a comparison (a Scenario), loaded; a --set that does not fit it says which side it did not fit."""
    from redline.errors import Issue
    from redline.language.scenario import load_scenario

    try:
        return load_scenario(path, overrides)
    except ScenarioError as e:
        told = f" (in {side.upper()}, {path.name})"
        raise ScenarioError(
            [
                Issue(i.file, i.line, i.path, i.message + told) if i.file.startswith("--") else i
                for i in e.issues
            ]
        ) from None


def _settings(overrides: list[str]) -> dict[str, str]:
    """`KEY=VALUE` texts as key -> value, a later one of a key in the place of an earlier."""
    out: dict[str, str] = {}
    for text in overrides:
        key, _, value = text.partition("=")
        out.pop(key.strip(), None)
        out[key.strip()] = value
    return out


def _same(a: str | None, b: str | None) -> bool:
    """Two --set values that set the same (2 and 2.0, 'x' and x): compared as the language reads them."""
    import yaml

    if a is None or b is None:
        return a is b
    try:
        return yaml.safe_load(a) == yaml.safe_load(b)
    except yaml.YAMLError:
        return a.strip() == b.strip()


def _side(name: str, overrides: list[str]) -> str:
    """A side of a comparison by its scenario's name and the values changed in it alone."""
    return f"{name} with {', '.join(overrides)}" if overrides else name


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
    print(
        f"{r.scenario}: each parameter moved by -{args.delta:.0%} and +{args.delta:.0%} of its value, "
        f"{plural(args.runs, 'run')} from root seed {args.seed} at each value\n"
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
    if args.design == "morris" and args.samples < 2:
        # Morris's sigma is the spread of a parameter's effects over the trajectories: one has none.
        raise UsageError("redline sweep: --design morris needs --samples 2 or more (trajectories)")
    from redline.results.outputs import FolderOutput, scenario_inputs

    params = [sw.parse_param(text, n, args.design) for n, text in enumerate(args.param, 1)]
    sw.check_size(params, args.design, args.samples or 0, args.runs)
    base = sw.load_scenario(args.scenario, args.overrides)
    sw.check_distinct(params, base, args.overrides)
    if args.outcome is not None:
        known = (
            [o.name for o in OUTCOMES] + [o.name for o in base.outcomes] + ["attacks", "deaths", "peak_mid"]
        )
        known += [f"check: {c.name}" for c in base.checks]
        if args.outcome not in known:
            raise UsageError(
                f"redline sweep: --outcome: no outcome '{args.outcome[:60]}' (choose from: {', '.join(known)})"
            )
        if args.design != "grid" or len(params) != 2:  # it would change nothing, without a word
            raise UsageError(
                "redline sweep: --outcome picks what the heatmap shows, and only a grid of two --param draws one"
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
    scenarios = sw.scenarios_of(sweep)  # a bad value at any point is told before anything else is
    if not args.quiet:
        print(
            f"{plural(len(points), 'point')} x {plural(args.runs, 'run')} = {plural(len(points) * args.runs, 'run')}",
            file=sys.stderr,
        )

    def finish(res: sw.SweepResults, folder: Path) -> None:
        summary = res.outcomes
        table = sw.sensitivity(summary, sweep) if args.design in ("sobol", "morris") else None
        if table is not None:  # a table: written with or without the plots
            from redline.results.store import write_table

            write_table(table, folder / "sensitivity.csv", "csv")
            left_out = table.attrs.get("left_out", [])
            if left_out and not args.quiet:
                print(
                    f"  sensitivity.csv has no indices for {', '.join(left_out)}: "
                    f"{'it does' if len(left_out) == 1 else 'they do'} not vary over the design, or lack a value "
                    "at some point"
                )
        if args.no_plots:
            # A resumed sweep's folder is made anew from its tables; plots an earlier attempt drew are of these
            # same tables (the sweep resumes only as itself), so they are kept rather than dropped.
            # Not the heatmap: which outcome it shows (--outcome) is no part of the sweep, and may differ now.
            kept = [*plotfiles.PLOT_FILES, "sensitivity.png"] if args.resume else []
            for name in kept:
                old = Path(args.out) / name
                if old.is_file() and not old.is_symlink():
                    shutil.copyfile(old, folder / name)
            return
        # The pool the runs took draws the four plots of the pooled runs, its workers idle now (or a pool started
        # for them, if the runs were made here).
        with idle_workers(
            args.workers, len(sw.plan(sweep)), executor, jobs=len(plotfiles.PLOT_FILES)
        ) as pool:
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
        if table is not None and len(table):
            plots.sensitivity_bars(
                table, folder / "sensitivity.png", args.design, facts=res.facts, caption=caption
            )
            made.append(folder / "sensitivity.png")
        if not args.quiet:
            for m in made:
                print(f"  {escaped(str(Path(args.out) / m.name))}")

    from redline.engine.executors import executor_from_args

    with executor_from_args(args) as executor:
        sw.run_sweep(
            sweep,
            target,
            executor=executor,
            workers=args.workers,
            progress=None if not args.quiet else False,
            finish=finish,
            scenarios=scenarios,
        )
    if not args.quiet:
        print(
            f"sweep -> {escaped(str(args.out))}/: points, outcomes (per point), runs, and events/, metrics/, "
            "red_lines/ (partitioned by point)"
        )
        if args.no_plots and not any((Path(args.out) / n).is_file() for n in plotfiles.PLOT_FILES):
            print(
                "  plots: none (--no-plots); the same command with --resume and without --no-plots draws them, "
                "running nothing again"
            )
    return EXIT_OK


def cmd_debrief(args: argparse.Namespace) -> int:
    from redline.frontends import debrief
    from redline.results.outputs import FileOutput
    from redline.results.store import Results

    try:  # the run's own rows only: a folder of any size in flat memory
        res = Results.load(args.dir, run=args.run)
    except ValueError as e:  # no such run (a damaged folder is an OutputError, told as it is)
        raise UsageError(f"redline debrief: --run: {escaped(str(e))}") from None
    folder = Path(args.out or args.dir)
    outs = [
        FileOutput(folder / f"debrief-run-{args.run}.{ext}", force=args.force, accepts=accepts, home=args.dir)
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
        # The names come from the folder's manifest, which a hand may have edited: a control character in them is
        # printed as its escape, not acted on by the terminal.
        print(escaped(md, keep="\n\t", controls=True))
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
    shown = escaped(str(out))
    print(f"\nyour game -> {shown}/  (redline plot {shown}; redline debrief {shown})")
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from redline.engine.runner import idle_workers
    from redline.frontends import plotfiles, plots
    from redline.results.outputs import locked_folder
    from redline.results.store import read_digest

    # The events are streamed into the aggregates the plots read: a folder of any size is plotted in flat memory.
    res = read_digest(args.dir)
    dyads = None
    if args.dyads is not None:
        try:
            dyads = plots.parse_dyads(args.dyads, res.facts)
        except ValueError as e:
            raise UsageError(f"redline plot: --dyads: {e}") from None
    # The plots are drawn side by side on a pool of this machine's cores, as `redline run` draws them.
    jobs = len(plotfiles.PLOT_FILES)
    with locked_folder(args.dir), _damage_is_bad_input(args.dir), idle_workers(None, 1, jobs=jobs) as pool:
        made = plotfiles.all_plots(res, Path(args.dir), dyads=dyads, executor=pool)
    for p in made:
        print(escaped(str(p)))
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    import importlib.util
    import subprocess

    from redline.language.paths import scenario_path
    from redline.language.scenario import load_scenario

    scenario = args.scenario or scenario_path(APP_DEFAULT)
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
    # The browser tab's name until the page names its scenario (the framework's own otherwise).
    env["SOLARA_THEME_TITLE"] = "redline"
    env["REDLINE_APP_SCENARIO"] = str(scenario.resolve())
    env["REDLINE_APP_OPTIONS"] = json.dumps({"set": args.overrides, "inject": args.injects})
    cmd = [sys.executable, "-m", "solara", "run", "redline.frontends.app_server", "--production", "--no-open"]
    cmd += ["--port", str(args.port), "--host", args.host]
    print(
        f"redline app: {escaped(str(scenario))} at http://{args.host}:{args.port}/ (Ctrl+C stops it)",
        flush=True,
    )
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
