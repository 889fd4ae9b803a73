"""How firmly a scenario's checks hold when its parameters move: one at a time, down and up by a share.

    redline robustness scenarios/axis-2023.yaml --param actors.iran.doctrine.pressure.fear_threshold ...

Each parameter is set to (1 - delta) and (1 + delta) times its value (kept within its allowed range), the ensemble
is rerun with the same seeds (common random numbers), and every check is evaluated. A parameter's influence is the
sum over checks of how far the check's value moves between the two, in units of the check's band.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redline.errors import Issue, ScenarioError
from redline.language.scenario import Override, load_scenario, value_and_spec, value_at
from redline.language.spec import Scenario


@dataclass(frozen=True)
class Robustness:
    base: list  # verdicts at the scenario's own values
    # param, side, value, held (the move stopped at the top of the value's range: smaller than asked, or none),
    # check, check_value, passed
    table: pd.DataFrame
    influence: pd.Series  # param -> influence, largest first
    scenario: str = ""  # the scenario's name, for the heading of a report


def band_scale(lo: float, hi: float, base: float) -> float:
    """The yardstick of a check's moves: its band's width, or for a one-sided band the larger of its bound and
    the value the scenario gives (an 'at least 0.8' check and a 'spread above 0' check move on different scales)."""
    if math.isfinite(lo) and math.isfinite(hi):
        return max(hi - lo, 1e-9)
    bound = lo if math.isfinite(lo) else hi
    return max(abs(bound), abs(base) if math.isfinite(base) else 0.0, 1e-9)


DOCUMENTATION = frozenset({"evidence", "assumed", "label", "description", "note", "title"})


def parameters(scn: Scenario) -> list[str]:
    """The key path of every number a scenario sets for its actors, relations and decision model (the values a
    robustness study moves), in the order of the file. Dates, events, checks and the ladder are not parameters."""
    from redline.language.typed import fields_of, yaml_key

    out: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, bool) or node is None:
            return
        if isinstance(node, int | float):
            out.append(path)
        elif isinstance(node, Mapping):
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif dataclasses.is_dataclass(node):
            for f in fields_of(type(node)):
                if f.name not in DOCUMENTATION:
                    walk(getattr(node, f.name), f"{path}.{yaml_key(f)}")

    walk(scn.behaviour, "behaviour")
    for aid, actor in scn.actors.items():
        walk(actor, f"actors.{aid}")
    for rel in scn.relations:
        walk(rel, f"relations.{rel.key}")
    return out


def _kind(value: object) -> str:
    """What a value is, in a few words: a block of the language by its name, a word or list as it is."""
    if dataclasses.is_dataclass(value):
        name = type(value).__name__
        return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} block"
    if isinstance(value, bool):
        return f"yes or no ({str(value).lower()})"
    if isinstance(value, dt.date):
        return f"a date ({value})"
    return repr(value)[:40]


def _load_moved(
    path: str | Path, overrides: Sequence[str], param: str, n: int, value: float, top: float | None
) -> tuple[Scenario, float, bool]:
    """The scenario with `param` set to `value`, the value it took, and whether that was held at `top`, the
    highest the language allows there, instead."""

    def load(v: float):
        return load_scenario(path, [*overrides, Override(param, v, ("--param", n))])

    if top is not None and value > top:  # a share or probability pushed past its range: hold it at the top
        return load(top), top, True
    return load(value), value, False


def robustness(
    path: str | Path,
    params: Sequence[str],
    *,
    delta: float = 0.2,
    runs: int = 200,
    seed: int = 0,
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool | None = False,
) -> Robustness:
    from redline.language.scenario import canonical
    from redline.results.ensemble import run_ensemble

    def checked(s: Scenario) -> list:
        return run_ensemble(s, runs, seed, executor=executor, workers=workers, progress=progress).check(
            s.checks
        )

    if not 0 < delta < 1:
        raise ScenarioError([Issue("--delta", 1, "delta", f"must be a share between 0 and 1, got {delta}")])
    scn = load_scenario(path, overrides)
    if not scn.checks:
        raise ScenarioError(
            [Issue(str(path), 1, "checks", "the scenario has no checks to test for robustness")]
        )
    # Every moved scenario is made before any run: a bad --param fails at once, not after hours of runs.
    seen: dict[tuple, int] = {}
    moved_scenarios: dict[str, dict[str, tuple[Scenario, float, bool]]] = {}
    for n, param in enumerate(params, 1):
        if "=" in param:  # a sweep's form: robustness moves the scenario's own value, and takes none
            path = param.partition("=")[0]
            raise ScenarioError(
                [
                    Issue(
                        "--param", n, param, f"give a key path alone (--param {path}): it is moved by --delta"
                    )
                ]
            )
        try:
            value, meta = value_and_spec(scn, param)
        except (KeyError, ValueError, IndexError, TypeError):
            raise ScenarioError([Issue("--param", n, param, "no such value in the scenario")]) from None
        key = canonical(scn, param)
        if key in seen:
            raise ScenarioError(
                [Issue("--param", n, param, f"the same value as --param {seen[key]}; give each value once")]
            )
        seen[key] = n
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(
                [Issue("--param", n, param, f"holds {_kind(value)}, not a number to move by a share")]
            )
        if value == 0:
            raise ScenarioError(
                [Issue("--param", n, param, "is 0, which a share of itself cannot move; sweep it instead")]
            )
        moved_scenarios[param] = {}
        for side, factor in (("low", 1 - delta), ("high", 1 + delta)):
            target = round(value * factor) if isinstance(value, int) else value * factor
            if target == value:
                raise ScenarioError(
                    [
                        Issue(
                            "--param",
                            n,
                            param,
                            f"{value} moved by {delta:g} of itself rounds back to {value}",
                        )
                    ]
                )
            moved_scenarios[param][side] = _load_moved(path, overrides, param, n, target, meta.get("le"))

    base = checked(scn)
    rows, influence = [], {}
    for param in params:
        moved = {}
        for side in ("low", "high"):
            s, v, held = moved_scenarios[param][side]
            verdicts = checked(s)
            moved[side] = verdicts
            rows += [
                {
                    "param": param,
                    "side": side,
                    "value": v,
                    "was": value_at(scn, param),
                    "held": held,
                    "check": x.name,
                    "check_value": x.value,
                    "passed": x.passed,
                }
                for x in verdicts
            ]
        influence[param] = sum(
            abs(h.value - lo.value) / band_scale(*c.band, b.value)
            for c, b, lo, h in zip(scn.checks, base, moved["low"], moved["high"], strict=True)
            if math.isfinite(h.value) and math.isfinite(lo.value)
        )
    ranked = pd.Series(influence).sort_values(ascending=False)
    return Robustness(base, pd.DataFrame(rows), ranked, scn.scenario)


def _move(value: float, was: float) -> str:
    """The move made, as a share of the value it was (never 0: robustness refuses it): a whole number's is
    rounded, and one held at the top of its range is less than asked, so the share shown is the move's own."""
    return f"{(value - was) / was:+.0%}"


def markdown(r: Robustness, delta: float, top: int | None = None) -> str:
    params = list(r.influence.index[:top] if top else r.influence.index)
    lines = ["| parameter | influence |", "|---|---:|"]
    lines += [f"| `{p}` | {r.influence[p]:.2f} |" for p in r.influence.index]
    lines += [
        "",
        "Influence: how far the checks' values move between the parameter's low and high value, in units of each "
        "check's band, summed over the checks.",
    ]
    for p in params:
        part = r.table[r.table["param"] == p]
        lo, hi = part[part["side"] == "low"], part[part["side"] == "high"]
        was = float(part["was"].iloc[0])
        low, high = float(lo["value"].iloc[0]), float(hi["value"].iloc[0])

        up = f"{_move(high, was)}, held at the top of its range" if hi["held"].iloc[0] else _move(high, was)
        lines += [
            "",
            f"### `{p}`: {low:.3g} ({_move(low, was)}) and {high:.3g} ({up})",
            "",
            "| check | base | low | high |",
            "|---|---:|---:|---:|",
        ]
        for b, (_, rl), (_, rh) in zip(r.base, lo.iterrows(), hi.iterrows(), strict=True):

            def cell(v, ok):
                return f"{v:.3g}{'' if ok else ' FAIL'}"

            lines.append(
                f"| {b.name} | {cell(b.value, b.passed)} | {cell(rl['check_value'], rl['passed'])} | "
                f"{cell(rh['check_value'], rh['passed'])} |"
            )
    return "\n".join(lines) + "\n"
