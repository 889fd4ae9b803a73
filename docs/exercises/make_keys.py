"""Compute the instructor's keys of the exercises with redline itself, so they never drift from the model.

    python docs/exercises/make_keys.py            # writes docs/exercises/keys.md and keys.json

Each key uses the same scenario, runs, seed, `--set` and `--inject` as the exercise's commands. Every question is
answered under two settings (the ones the exercise names) and the generator stops if both give the same answer:
a question the model answers the same way whatever the lever teaches nothing about the lever. keys.json holds each
question's answers per setting, for tests/test_exercises.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from redline import load_scenario, run_ensemble  # noqa: E402
from redline.frontends.compare import compare  # noqa: E402
from redline.language.scenario import value_at  # noqa: E402
from redline.results.analysis import outcome_table  # noqa: E402
from redline.results.sweep import Sweep, design_points, parse_param, run_sweep  # noqa: E402

FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
SCENARIOS = ROOT / "scenarios"
FIFTH = 0.2  # exercise 4: the drop the articles report, to a fifth of the rate before
RATIO = "check: militia attacks in the three weeks after that strike, over the eight weeks before"
MY_CRISIS = ROOT / "docs" / "exercises" / "my-crisis.yaml"
FORBIDDEN = ("no date", "no action")

# Exercise 1
STRIKE_DAY = "2024-02-10"
STRIKE = f"{STRIKE_DAY}:usa:iran:limited_strike"
COMMITTED = "actors.iran.doctrine.red_lines.audience_cost=6"  # twice the file's: a heavier commitment
NO_US_LINE = "actors.usa.doctrine.red_lines.casualties_above=1000"
CHEAP = "actors.iran.cost_sensitivity=0.5"
# The first run of out/ex1/committed in which Iran answers: the exercise's debrief command reads it.
DEBRIEF_RUN = 4
# Exercise 5
PRESSURE = (
    "actors.patron.doctrine.pressure={fear_threshold: %s, strength: 1.0, "
    'assumed: {fear_threshold: "a first guess"}}'
)
AFTER_RAID = "2024-01-04"  # the day after the raid the scenario schedules: the rival's answers come after it
# Exercise 6
URI = SCENARIOS / "cases" / "uri-2016.yaml"
PULWAMA = SCENARIOS / "holdout" / "pulwama-2019.yaml"
BALAKOT = (
    "2019-02-26:india:pakistan:limited_strike"  # India's strike of that day, written in as one on Pakistan
)
STRIKES = ("limited_strike", "major_strike", "war")
# Exercise 7
SU24 = SCENARIOS / "holdout" / "su24-2015.yaml"
AT_WAR_ONLY = "relations.guarantees:usa:turkey.trigger_rung=war"  # the US guarantee kept for a war alone
CARELESS = "actors.russia.cost_sensitivity=0.3"


class Keys:
    """The questions' answers, per setting; refuses a question whose settings agree."""

    def __init__(self) -> None:
        self.records: list[dict] = []

    def add(self, exercise: int, question: int, settings: dict[str, str]) -> dict[str, str]:
        answers = list(settings.values())
        if len(answers) < 2 or len(set(answers)) < len(answers):
            raise SystemExit(
                f"exercise {exercise}, question {question}: the settings give the same answer {answers}; "
                "choose a lever the model answers differently under"
            )
        for text in answers:
            if any(word in text.lower() for word in FORBIDDEN):
                raise SystemExit(f"exercise {exercise}, question {question}: the answer says {text!r}")
        self.records.append({"exercise": exercise, "question": question, "settings": settings})
        return settings


def expect(holds: bool, claim: str) -> None:
    """The prose of a key explains what the model does; it is guarded here, so that a model that no longer does
    it stops the generator instead of shipping an explanation the numbers contradict."""
    if not holds:
        raise SystemExit(f"the key's explanation no longer holds: {claim}; rewrite it")


def pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def against(value: float, threshold: float) -> str:
    """The value as shown (two decimals) and where it stands against the threshold, judged on what is shown: 0.195
    shows as 0.20, about the threshold, never "below" it."""
    shown = round(value, 2)
    word = "below" if shown < threshold else "about" if shown == round(threshold, 2) else "above"
    return f"{shown:.2f}, {word} {threshold:g}"


def changes(c, kind: str) -> str:
    """Every measure of `kind` whose paired 95% interval excludes zero, the largest change first."""
    t = c.table[(c.table["kind"] == kind) & ((c.table["ci_low"] > 0) | (c.table["ci_high"] < 0))]
    t = t.reindex(t["difference"].abs().sort_values(ascending=False).index)
    scale, unit = (100, " points") if kind == "outcome probability" else (1, "")
    return "; ".join(
        f"{r.measure.replace(kind + ' by ', '')} {scale * r.difference:+.1f}{unit} "
        f"({scale * r.ci_low:+.1f} to {scale * r.ci_high:+.1f})"
        for r in t.itertuples()
    )


def outcome(res, name: str) -> str:
    t = outcome_table(res.runs, res.facts).set_index("outcome").loc[name]
    return f"{pct(t['probability'])} (95% interval {pct(t['ci_low'])} to {pct(t['ci_high'])})"


def uses_of_force(res, source: str, target: str | None = None, since: str | None = None) -> pd.Series:
    """Uses of force by `source` (on `target`, from the day `since`) per run, every run included."""
    ev = res.events
    mask = (ev["source"] == source) & (ev["mid_level"] >= 4)
    if since:
        mask &= ev["date"] >= pd.Timestamp(since)
    if target:
        mask &= ev["target"] == target
    return ev[mask].groupby("run").size().reindex(res.runs["run"], fill_value=0)


def settings_line(settings: dict[str, str]) -> str:
    return "; ".join(f"{name}: {text}" for name, text in settings.items())


# --- exercise 1 --------------------------------------------------------------------------------------------------


def first_answers(res) -> pd.DataFrame:
    """Iran's first use of force on the US from the day of the strike, per run that has one."""
    ev = res.events
    day = pd.Timestamp(STRIKE_DAY)
    after = ev[(ev["source"] == "iran") & (ev["target"] == "usa") & (ev["date"] >= day)]
    return after[after["mid_level"] >= 4].sort_values(["date", "rung"]).groupby("run").first()


def iran_answer(res) -> str:
    """What Iran does to the US after the strike on it: how often, when, at what rung, in what manner."""
    ev = res.events
    day = pd.Timestamp(STRIKE_DAY)
    first = first_answers(res)
    n = len(res.runs)
    if first.empty:
        after = ev[(ev["source"] == "iran") & (ev["target"] == "usa") & (ev["date"] >= day)]
        calm = after[after["action"] == "de_escalate"]["run"].nunique()
        return f"Iran uses force on the US in 0 of {n} runs; it offers calm (de_escalate) in {calm} of {n}"
    days = (first["date"] - day).dt.days
    kind = first.groupby(["action", "manner"]).size().sort_values(ascending=False)
    (action, manner), k = kind.index[0], int(kind.iloc[0])
    return (
        f"Iran uses force on the US in {len(first)} of {n} runs, first {days.median():.0f} days after the strike "
        f"(median; {days.min():.0f} to {days.max():.0f}); its first answer is a {manner} "
        f"{action.replace('_', ' ')} in {k} of those runs"
    )


def debrief_week(res, run: int) -> str:
    """The heading of the debrief's step in which Iran first answers in `run`, as `redline debrief` writes it."""
    from redline.frontends.debrief import step_title

    first = first_answers(res)
    if run not in first.index:
        return f"run {run} has no answer by Iran"
    step = int(first.loc[run, "step"])
    return f'in run {run} Iran first answers in "{step_title(res, step, res.step_dates[step].date().isoformat())}"'


def exercise1(keys: Keys) -> list[str]:
    def run(sets=(), injects=()):
        return run_ensemble(
            load_scenario(FLAGSHIP, list(sets), injects=list(injects)), 100, 7, progress=False
        )

    flagship = load_scenario(FLAGSHIP)
    audience = value_at(flagship, "actors.iran.doctrine.red_lines.audience_cost")
    sensitivity = value_at(flagship, "actors.iran.cost_sensitivity")
    base, cheap = run(), run([CHEAP])
    committed, uncommitted = run([COMMITTED], [STRIKE]), run(injects=[STRIKE])
    unbounded = run([COMMITTED, NO_US_LINE], [STRIKE])

    def restraint(res) -> str:
        per = uses_of_force(res, "iran")
        return f"Iran uses force in {(per > 0).sum()} of 100 runs, {per.mean():.2f} times per run on average"

    base_force, cheap_force = uses_of_force(base, "iran").mean(), uses_of_force(cheap, "iran").mean()
    expect(cheap_force > base_force, "Iran strikes more when costs weigh less")
    q1 = keys.add(
        1,
        1,
        {
            f"the flagship (cost sensitivity {sensitivity:g})": restraint(base),
            f"cost sensitivity {CHEAP.split('=')[1]}": restraint(cheap),
        },
    )
    heavy, light = first_answers(committed), first_answers(uncommitted)
    exercise = (ROOT / "docs" / "exercises" / "01-red-lines-as-commitments.md").read_text()
    expect(
        f"debrief out/ex1/committed --run {DEBRIEF_RUN} " in exercise,
        "the exercise debriefs the run the key reads",
    )
    expect(DEBRIEF_RUN in heavy.index, "Iran answers in the run the debrief reads")
    expect(len(heavy) > len(light), "a heavier audience cost brings an answer in more runs")
    q2 = keys.add(
        1,
        2,
        {
            f"audience cost {COMMITTED.split('=')[1]}": iran_answer(committed),
            f"audience cost {audience:g} (the file's)": iran_answer(uncommitted),
        },
    )
    bounded, free = first_answers(unbounded), first_answers(committed)
    expect(
        len(bounded) and len(free) and bounded["rung"].median() > free["rung"].median(),
        "without the US red line Iran's first answer climbs higher",
    )
    expect((free["manner"] == "warned").mean() > 0.5, "with the US red line Iran's answer is mostly warned")
    q3 = keys.add(
        1,
        3,
        {"with the US red line": iran_answer(committed), "without it": iran_answer(unbounded)},
    )
    return [
        "## Exercise 1: red lines as commitments",
        f"1. {settings_line(q1)}. Nothing caps Iran's rungs: it keeps from force because every use of force costs "
        "it (the force cost and, above all, the answer it expects from the US and Israel, weighed by its cost "
        "sensitivity); lower how much costs weigh and Iran strikes more.",
        f"2. {settings_line(q2)}. In the debrief (`redline debrief out/ex1/committed --run {DEBRIEF_RUN}`), "
        f"{debrief_week(committed, DEBRIEF_RUN)}. The strike crosses Iran's red line (own territory, at or above a "
        "limited strike): the audience cost is what silence would cost it, and the commitment term grows with it. The "
        "heavier commitment outweighs Iran's fear of the US answer in more runs and brings a direct but bounded "
        "answer; with a lighter one the fear wins more often and the line goes unanswered (others then lower their "
        "estimate of Iran's resolve).",
        f"3. {settings_line(q3)}. The answer is mostly warned because a surprise strike would likely kill Americans "
        "and cross the US red line (any soldier killed), which Iran expects to bring a harder US answer; without "
        "that line Iran's answer climbs higher, since a bigger strike restores more credibility.",
    ]


# --- exercise 2 --------------------------------------------------------------------------------------------------


def exercise2(keys: Keys) -> list[str]:
    def run(path=FLAGSHIP, sets=()):
        return run_ensemble(load_scenario(path, list(sets)), 100, 3, progress=False)

    base = run()
    perfect = run(SCENARIOS / "axis-2023-perfect-attribution.yaml")
    israel = run(
        sets=["relations.attributes:israel:iran.probability=1", "relations.attributes:israel:iran.weight=1"]
    )
    usa = run(sets=["relations.attributes:usa:iran.probability=1", "relations.attributes:usa:iran.weight=1"])
    cut = run(SCENARIOS / "axis-2023-no-back-channel.yaml")

    def clash(res) -> str:
        return (
            f"`iran_israel_clash` {outcome(res, 'iran_israel_clash')}, Israel's uses of force on Iran "
            f"{uses_of_force(res, 'israel', 'iran').mean():.1f} per run"
        )

    def us(res) -> str:
        return (
            f"`iran_us_clash` {outcome(res, 'iran_us_clash')}, US uses of force on Iran "
            f"{uses_of_force(res, 'usa', 'iran').mean():.1f} per run"
        )

    c = compare(base, perfect)
    force = c.table[c.table["kind"] == "uses of force"].set_index("measure")["difference"]
    expect(force.abs().idxmax() == "uses of force by israel", "Israel's uses of force change most")
    q1 = keys.add(2, 1, {"the flagship": clash(base), "perfect attribution": clash(perfect)})
    expect(
        uses_of_force(israel, "israel", "iran").mean() > uses_of_force(usa, "israel", "iran").mean(),
        "Israel's blame, not the US's, brings Israel's strikes on Iran",
    )
    q2 = keys.add(2, 2, {"Israel blames fully": clash(israel), "the US blames fully": clash(usa)})
    channel = compare(base, cut)
    weight = value_at(load_scenario(FLAGSHIP), "relations.attributes:israel:iran.weight")
    q3 = keys.add(2, 3, {"with the channel": us(base), "without it": us(cut)})
    return [
        "## Exercise 2: attribution and blame",
        f"1. {settings_line(q1)}. Every change `compare.md` shows with a 95% interval of the paired differences "
        f"that excludes zero: outcome probabilities {changes(c, 'outcome probability') or 'none'}; uses of force "
        f"per run {changes(c, 'uses of force') or 'none'}; hostile acts per run {changes(c, 'hostile acts') or 'none'}"
        ". The largest change in uses of force is Israel's.",
        f"2. {settings_line(q2)}. Blame becomes grievance toward the patron, and grievance is a motive to strike "
        "it; Israel, which blames Iran for Hamas, Hezbollah and the Houthis and fears Iran's answer least, turns it "
        f"into strikes on Iran. In the flagship Israel's blame weighs {weight:g} of the harm "
        f"(`relations.attributes:israel:iran.weight: {weight:g}`): that line keeps Iran and Israel apart.",
        f"3. {settings_line(q3)}. In `out/ex2-channel/compare.md`, the changes whose 95% interval excludes zero: "
        f"outcome probabilities {changes(channel, 'outcome probability') or 'none'}; uses of force per run "
        f"{changes(channel, 'uses of force') or 'none'}; hostile acts per run "
        f"{changes(channel, 'hostile acts') or 'none'}. A working back channel lowers the chance that blame "
        "lands, lets grievance between the two fade faster, makes an offer of calm ease more grievance and lets "
        "each read the other's strikes for what they meant (less observation noise).",
    ]


# --- exercise 3 --------------------------------------------------------------------------------------------------


def exercise3(keys: Keys) -> list[str]:
    base_s = load_scenario(FLAGSHIP)
    none_s = load_scenario(SCENARIOS / "axis-2023-no-us-retaliation.yaml")
    base, none = run_ensemble(base_s, 100, 5, progress=False), run_ensemble(none_s, 100, 5, progress=False)

    def verdicts(res, scn) -> str:
        failing = [v for v in res.check(scn.checks) if not v.passed]
        if not failing:
            return f"all {len(scn.checks)} checks pass"
        return f"{len(scn.checks) - len(failing)} of {len(scn.checks)} pass; failing: " + "; ".join(
            f"{v.name} ({v.statistic} "
            + (f"{v.value:.3g}" if v.value == v.value else "without a value: no run has the anchor event")
            + f", band {v.expect})"
            for v in failing
        )

    failing = {v.name.split(",")[0] for v in none.check(none_s.checks) if not v.passed}
    expect(
        all(v.passed for v in base.check(base_s.checks))
        and any(n.startswith("the US strikes back harder") for n in failing)
        and any(n.startswith("militia attacks in the three weeks") for n in failing),
        "the flagship passes every check; without US answers the harder-strike and ratio checks fail",
    )
    q1 = keys.add(
        3, 1, {"the flagship": verdicts(base, base_s), "the US never strikes back": verdicts(none, none_s)}
    )

    links = {
        "the flagship": [],
        "no US audience cost": ["actors.usa.doctrine.red_lines.audience_cost=0"],
        "Iran does not learn": ["actors.iran.doctrine.learning.rate=0"],
        "Iran does not press": ["actors.iran.doctrine.pressure.strength=0"],
    }
    chain = {}
    for name, sets in links.items():
        scn = load_scenario(FLAGSHIP, sets)
        res = run_ensemble(scn, 100, 5, progress=False)
        by = {v.name: v for v in res.check(scn.checks)}
        harder = next(v for k, v in by.items() if k.startswith("the US strikes back harder"))
        ratio = next(v for k, v in by.items() if k.startswith("militia attacks in the three weeks"))
        chain[name] = (
            f"a harder US strike in {pct(harder.value)} of runs, militia attack ratio {ratio.value:.2f} "
            f"({'pass' if ratio.passed else 'fail'})"
        )
        expect(ratio.passed == (not sets), f"{name}: the ratio check passes only with every link in place")
    q2 = keys.add(3, 2, chain)

    c = compare(base, none).table.set_index("measure")

    def fronts(cmp_col: str) -> str:
        return (
            f"militias in Iraq {c.loc['uses of force by iraqi_militias', cmp_col]:.1f}, in Syria "
            f"{c.loc['uses of force by syrian_militias', cmp_col]:.1f}, Hezbollah "
            f"{c.loc['uses of force by hezbollah', cmp_col]:.1f} uses of force per run"
        )

    expect(
        c.loc["uses of force by iraqi_militias", "difference"] > 0
        and c.loc["uses of force by syrian_militias", "difference"] > 0
        and c.loc["uses of force by hezbollah", "ci_low"]
        <= 0
        <= c.loc["uses of force by hezbollah", "ci_high"],
        "without US answers the militias attack more and Hezbollah no differently",
    )
    q3 = keys.add(3, 3, {"the flagship": fronts("a"), "the US never strikes back": fronts("b")})
    return [
        "## Exercise 3: deterrence by retaliation",
        f"1. {settings_line(q1)}. Without any US answer there is no harder US strike after the Jordan attack, so "
        "the check that asks for one fails, and the ratio check has no strike to measure around.",
        f"2. {settings_line(q2)}. The chain: the Jordan attack kills US soldiers and crosses the US red line; its "
        "audience cost commits the US to answer one rung above the crossing, a major strike. Iran's learning turns "
        "that costly strike into a higher estimate of US resolve, hence fear; past its threshold Iran's pressure "
        "makes each attack on the US cost the militias in proportion to Iran's strength x control x (1 - autonomy) "
        "x support; their attacks fall. Cutting any one link leaves the attacks going.",
        f"3. {settings_line(q3)}. The militias attack the US; without US answers Iran never fears the US enough to "
        "press them, and they keep on. Hezbollah attacks Israel, not the US: the US answers do not reach that front.",
    ]


# --- exercise 4 --------------------------------------------------------------------------------------------------


def exercise4(keys: Keys, tmp: Path) -> list[str]:
    params = [
        parse_param("relations.supports:iran:iraqi_militias.control=0:1:5", 1, "grid"),
        parse_param("actors.iraqi_militias.autonomy=0:0.8:3", 2, "grid"),
    ]
    sweep = Sweep(str(FLAGSHIP), [], params, "grid", 0, 40, 2, design_points(params, "grid", 0, 2))
    res = run_sweep(sweep, tmp / "ex4", force=True)
    summary = res.outcomes
    grid = summary.pivot_table(index=params[1].path, columns=params[0].path, values=RATIO)
    table = [
        "| autonomy \\ control | " + " | ".join(f"{c:g}" for c in grid.columns) + " |",
        "|---|" + "---:|" * len(grid.columns),
    ]
    table += [f"| {a:g} | " + " | ".join(f"{v:.2f}" for v in row) + " |" for a, row in grid.iterrows()]
    lo_c, hi_c = grid.columns.min(), grid.columns.max()
    lo_a, hi_a = grid.index.min(), grid.index.max()

    def cell(c, a) -> str:
        return f"ratio {against(grid.loc[a, c], FIFTH)}"

    # Judged on the values as the table shows them (two decimals): 0.195 is shown 0.20 and is not "below".
    below = [
        f"control {c:g} with autonomy {a:g}"
        for a in grid.index
        for c in grid.columns
        if round(grid.loc[a, c], 2) < FIFTH
    ]
    expect(
        grid.loc[lo_a, hi_c] < grid.loc[lo_a, lo_c], "with no autonomy, full control brings the ratio down"
    )
    expect(grid.loc[hi_a, hi_c] > grid.loc[lo_a, hi_c], "at full control, autonomy keeps the attacks going")
    q1 = keys.add(
        4,
        1,
        {
            f"control {lo_c:g}, autonomy {lo_a:g}": cell(lo_c, lo_a),
            f"control {hi_c:g}, autonomy {lo_a:g}": cell(hi_c, lo_a),
        },
    )
    q2 = keys.add(
        4,
        2,
        {
            f"control {hi_c:g}, autonomy {lo_a:g}": cell(hi_c, lo_a),
            f"control {hi_c:g}, autonomy {hi_a:g}": cell(hi_c, hi_a),
        },
    )

    def row(a) -> str:
        r = grid.loc[a]
        return f"lowest ratio {r.min():.2f} (at control {r.idxmin():g})"  # the lowest of the row, as shown

    q3 = keys.add(4, 3, {f"autonomy {lo_a:g}": row(lo_a), f"autonomy {hi_a:g} (Khamenei's claim)": row(hi_a)})
    return [
        "## Exercise 4: the autonomous proxy",
        "The median ratio of the militias' attack rate in the three weeks after the US strike to the rate in the "
        "eight weeks before, per cell (40 runs each):",
        "",
        *table,
        "",
        f"1. {settings_line(q1)}. Below {FIFTH:g} (as the table shows the ratios) at: "
        f"{'; '.join(below) or 'none of the cells'}.",
        f"2. {settings_line(q2)}. Pressure costs a client in proportion to control x (1 - autonomy): at full "
        "control, autonomy alone decides whether Iran's word stops the militias.",
        f"3. {settings_line(q3)}. Khamenei's claim of autonomy does not fit the drop the articles report unless "
        "Iran's control is far stronger than he admits and the militias' autonomy low: the fact needs a large "
        "control x (1 - autonomy).",
    ]


# --- exercise 5 --------------------------------------------------------------------------------------------------


def redline(*args: str) -> tuple[int, str]:
    """Run a redline command as a student would (`redline ...` is `python -m redline ...`); its status
    and output, with the temporary folder's path written as FILE."""
    r = subprocess.run([sys.executable, "-m", "redline", *args], capture_output=True, text=True, cwd=ROOT)
    text = r.stdout + r.stderr
    for a in args:
        if a.endswith(".yaml"):
            text = text.replace(a, "FILE")
    return r.returncode, text


def validate(path: Path) -> str:
    status, text = redline("validate", str(path))
    return f"exit status {status}: " + " ".join(f"`{line}`" for line in text.strip().splitlines())


ANSWERS_CHECK = f"""
  - name: the rival answers
    count: {{source: [rival], target: [client], min_mid: 4, from: {AFTER_RAID}}}
    statistic: share_of_runs
    expect: ">= 0.5"
    assumed: {{expect: "an answer in most runs"}}
"""


def check(path: Path, *sets: str) -> str:
    """`redline check FILE --runs 100 --seed 1 --quiet [--set ...]`, as exercise 5's commands run it: each check's
    row of the table it prints (statistic, value and verdict)."""
    args = ["check", str(path), "--runs", "100", "--seed", "1", "--quiet"]
    for s in sets:
        args += ["--set", s]
    status, text = redline(*args)
    rows = [
        line.strip("|").split("|")
        for line in text.splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    cells = [[c.strip() for c in row] for row in rows[1:]]  # past the header
    if status not in (0, 1) or not cells:
        raise SystemExit(f"redline {' '.join(args)} gave status {status}: {text}")
    return "; ".join(
        f"`{name}` {stat} {value} ({verdict.lower()})" for name, stat, value, _, verdict, _ in cells
    )


def exercise5(keys: Keys, tmp: Path) -> list[str]:
    bad = tmp / "my-crisis.yaml"
    bad.write_text(MY_CRISIS.read_text().replace("capability: 0.4", "capabilty: 0.4", 1))
    q1 = keys.add(5, 1, {"as given": validate(MY_CRISIS), "with `capabilty`": validate(bad)})
    # The scenario with the check question 2 asks to add, as the student writes it at the end of the file.
    mine = tmp / "my-crisis-with-answers.yaml"
    mine.write_text(MY_CRISIS.read_text().rstrip("\n") + "\n" + ANSWERS_CHECK.lstrip("\n"))
    given, weightless = check(mine), check(mine, "actors.rival.doctrine.retaliation.weight=0")
    answers = re.search(r"`the rival answers` share_of_runs ([0-9.]+)", given)
    expect(
        answers is not None and 0 < float(answers.group(1)) < 0.5,
        "the rival answers in some runs, under half",
    )
    expect("`the rival answers` share_of_runs 0 (fail)" in weightless, "without a weight on harm the rival never "
           "answers")  # fmt: skip
    q2 = keys.add(5, 2, {"as given": given, "retaliation weight 0": weightless})
    q3 = keys.add(
        5, 3, {"threshold 0.3": check(mine, PRESSURE % 0.3), "threshold 0.6": check(mine, PRESSURE % 0.6)}
    )
    return [
        "## Exercise 5: design your own scenario",
        f"1. {settings_line(q1)}. One line per problem, naming the file, the line and the key path; an unknown "
        "key is named with the closest known one, and the key it was meant to be is reported missing.",
        f"2. With the check added (`redline check` on the file, 100 runs, seed 1): {settings_line(q2)}. As given "
        "the rival answers in fewer than half the runs: its opening raid did more harm than the client's attacks "
        "of the first weeks, so it holds them as the account settling (credit, docs/model.md), and only once they "
        "outweigh its raid do they leave it a grievance to answer. With no weight on answering harm it never "
        "answers: its only motive toward the client is its standing hostility, which does not outweigh the costs "
        "of force. Either way the client, struck by nothing after the raid, spends its grievance and stops well "
        "short of twenty attacks: the given check's band was a first guess that this model does not bear out.",
        f"3. {settings_line(q3)}. The patron presses only once its fear of the rival (its estimate of the rival's "
        "resolve x the strength that would answer x its cost sensitivity) passes the threshold; then each attack "
        "costs the client in proportion to pressure x control x (1 - autonomy). A learning doctrine sets where "
        "the patron's estimate of the rival starts and how fast the rival's strikes move it.",
    ]


# --- exercise 6 --------------------------------------------------------------------------------------------------


def exercise6(keys: Keys) -> list[str]:
    uri_s, pulwama_s = load_scenario(URI), load_scenario(PULWAMA)
    uri, pulwama = (
        run_ensemble(uri_s, 100, 6, progress=False),
        run_ensemble(pulwama_s, 100, 6, progress=False),
    )
    balakot = run_ensemble(load_scenario(PULWAMA, injects=[BALAKOT]), 100, 6, progress=False)

    def pakistan_check(res, scn) -> tuple[str, float]:
        (v,) = [v for v in res.check(scn.checks) if v.name.startswith("Pakistan") and "major" not in v.name]
        verdict = "passes" if v.passed else "fails"
        return (
            f"Pakistan strikes India in {pct(v.value)} of runs; the check '{v.name}' ({v.expect}) {verdict}",
            v.value,
        )

    (uri_text, uri_share), (pulwama_text, pulwama_share) = (
        pakistan_check(uri, uri_s),
        pakistan_check(pulwama, pulwama_s),
    )
    expect(uri_share < 0.3 and pulwama_share < 0.3, "the model gives both crises the same ending")
    q1 = keys.add(6, 1, {"uri-2016": uri_text, "pulwama-2019": pulwama_text})

    def hits(res, sources: list[str], targets: list[str], actions=STRIKES) -> pd.DataFrame:
        ev = res.events
        return ev[ev["source"].isin(sources) & ev["target"].isin(targets) & ev["action"].isin(actions)]

    def strikes(res, source: str, target: str) -> int:
        return hits(res, [source], [target])["run"].nunique()

    def crossed(res) -> int:
        lines = res.red_lines
        return lines[(lines["actor"] == "pakistan") & (lines["crossed_by"] == "india")]["run"].nunique()

    def india(res) -> str:
        return (
            f"India strikes the group in {strikes(res, 'india', 'jaish')} of 100 runs and Pakistan itself in "
            f"{strikes(res, 'india', 'pakistan')}; Pakistan's red line is crossed in {crossed(res)}"
        )

    expect(
        strikes(pulwama, "india", "pakistan") < 10 and strikes(balakot, "india", "pakistan") == 100,
        "as written India's strikes fall on the group; the inject puts one on Pakistan in every run",
    )
    q2 = keys.add(6, 2, {"as written": india(pulwama), "Balakot written in": india(balakot)})

    def answer(res) -> str:
        war = hits(res, ["india", "pakistan"], ["india", "pakistan"], ["war"])["run"].nunique()
        struck = strikes(res, "pakistan", "india")
        return f"Pakistan strikes India in {struck} of 100 runs; war between the two in {war}"

    expect(
        strikes(pulwama, "pakistan", "india") < 30 and strikes(balakot, "pakistan", "india") > 80,
        "Pakistan answers a strike on itself, not one on the group",
    )
    answers = hits(balakot, ["pakistan"], ["india"])
    heavy = answers[answers["action"] != "limited_strike"]["run"].nunique()
    expect(heavy < 10, "Pakistan's answer to a strike on itself stays below a major strike")
    first = answers.groupby("run")["date"].min() - pd.Timestamp(BALAKOT.split(":")[0])
    expect(first.dt.days.median() > 1, "Pakistan answers after its lag of a few days, not the next day")
    expect(
        "61% of runs" in URI.read_text() and "no longer crosses the host's own red line" in URI.read_text(),
        "Uri's record tells of its failed first run and of the hosts rule that made it pass",
    )
    q3 = keys.add(6, 3, {"as written": answer(pulwama), "Balakot written in": answer(balakot)})
    return [
        "## Exercise 6: a crisis the model has not seen",
        f"1. {settings_line(q1)}. The model gives both crises the same ending: Pakistan rarely strikes back. It is "
        "right about Uri and wrong about Balakot, so passing Uri did not show that it knows why Pakistan held back.",
        f"2. {settings_line(q2)}. Own territory is crossed when someone strikes the actor itself; a strike on a group "
        "the actor hosts hurts the host (a share of its harm, the exposure) and the host blames the striker, but it "
        "is aimed at the group, so it crosses no line of the host's. India's blows fall on the group, wherever the "
        "group is; only the strikes India aims at Pakistan itself cross its line.",
        f"3. {settings_line(q3)}. With the strike written in on Pakistan itself, its red line is crossed and it "
        "answers (mostly after its lag of a few days, where history took one), and the answer stays below a major "
        "strike. The model has no territory: it cannot tell raids on launch pads in Kashmir from bombs on Pakistan "
        "beyond it; nor can it tell a strike the target can deny ever happened (Pakistan denied the Uri raids) from "
        "one it cannot. Uri's record says its first run failed (Pakistan struck back in 61% of runs) and that it "
        "passed once a strike on a hosted group stopped crossing the host's line: Uri passes because of a change "
        "made after looking at it, and the held-out case shows that the rule holds for a reason the model does not "
        "have. A change made after looking at this case cannot be tested on it any more: test it on the library (it "
        "must keep passing) and on a new case written, with its values set, before its first run.",
    ]


def exercise7(keys: Keys) -> list[str]:
    scn = load_scenario(SU24)
    sensitivity = value_at(scn, "actors.russia.cost_sensitivity")

    def run(*sets: str):
        return run_ensemble(load_scenario(SU24, list(sets)), 200, 3, progress=False)

    written, at_war, careless, both = run(), run(AT_WAR_ONLY), run(CARELESS), run(CARELESS, AT_WAR_ONLY)

    def share(res, name: str) -> float:
        (v,) = [v for v in res.check(scn.checks) if v.name == name]
        return v.value

    def force(res) -> float:
        return share(res, "Russia uses no force on Turkey")  # the share of runs in which it does

    def sanctions(res) -> float:
        return share(res, "Russia puts sanctions on Turkey within two weeks")

    def answer(res) -> str:
        return (
            f"Russia uses force on Turkey in {pct(force(res))} of runs and puts sanctions on it within two weeks in "
            f"{pct(sanctions(res))}"
        )

    strength = {a: value_at(scn, f"actors.{a}.capability") for a in ("russia", "turkey", "usa")}
    expect(
        strength["turkey"] < strength["russia"] < strength["turkey"] + strength["usa"],
        "Russia is stronger than Turkey alone and weaker than Turkey with the US",
    )
    expect(force(written) <= 0.3 and sanctions(written) < 0.5, "as written only the sanctions check fails")
    expect(force(at_war) > force(written), "the guarantee's reach holds Russia back")
    expect(force(careless) > force(at_war), "costs weigh more than the guarantee's reach")
    expect(force(both) > force(careless), "the two together hold Russia back more than either")
    settings = {
        "as written": answer(written),
        f"guarantee for a war alone ({AT_WAR_ONLY.split('=')[0]}=war)": answer(at_war),
    }
    q1 = keys.add(7, 1, dict(settings))
    q2 = keys.add(7, 2, dict(settings))
    q3 = keys.add(
        7,
        3,
        {
            f"cost sensitivity 0.3 (the file's {sensitivity:g})": answer(careless),
            "cost sensitivity 0.3 and the guarantee for a war alone": answer(both),
        },
    )
    return [
        "## Exercise 7: what holds a great power back",
        f"1. {settings_line(q1)}. As written, Russia seldom uses force on Turkey (the real Russia never did), and the "
        "one check that fails is the sanctions: the downing gives Russia a motive that a show of force meets better "
        "than a sanction (the ladder gives a show of force more harm than a sanction, and neither costs anything to "
        "mount), so it shows force; without the downing a low standing hostility makes a sanction its cheapest "
        "posture, which is why that check passes without its cause (the case's record).",
        f"2. {settings_line(q2)}. The trigger changes the expected answer to a strike on Turkey: with the guarantee "
        "at `limited_strike`, the strength that would answer a limited or major strike is Turkey's and the US's, "
        "and the balance of strength (2 * s_j / (s_j + s_i)) makes Russia, stronger than Turkey alone, the weaker "
        "side; kept for a war alone, only Turkey answers such a strike, and a strike is worth its cost more often.",
        f"3. {settings_line(q3)}. Cost sensitivity weighs the whole fear of the answer, so halving it moves Russia "
        "more than the guarantee's reach does, and the two together most. Values could be chosen until every check "
        "passes, but the case would then test nothing: a held-out case's values are set before its first run, from "
        "what was known then, and its verdicts are the model's record on a crisis it was not tuned to. Tuning them "
        "after looking makes it one more case of the library, and a change to the model would need a new case.",
    ]


def main() -> int:
    keys = Keys()
    with tempfile.TemporaryDirectory() as tmp:
        parts = [
            exercise1(keys),
            exercise2(keys),
            exercise3(keys),
            exercise4(keys, Path(tmp)),
            exercise5(keys, Path(tmp)),
            exercise6(keys),
            exercise7(keys),
        ]
    text = [
        "# Instructor's keys",
        "",
        "Computed by `python docs/exercises/make_keys.py` with the exercises' own runs, seeds, `--set` and "
        "`--inject`; rerun it after changing the model or the scenarios. Each answer gives both settings the "
        "question names.",
        "",
    ]
    for part in parts:
        text += [*part, ""]
    out = Path(__file__).with_name("keys.md")
    out.write_text("\n".join(text))
    out.with_suffix(".json").write_text(json.dumps(keys.records, indent=1, ensure_ascii=False) + "\n")
    print(f"written {out} and {out.with_suffix('.json').name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
