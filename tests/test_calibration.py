"""The calibrated flagship reproduces the articles' stylized facts; its what-ifs run; comparisons are paired."""

from __future__ import annotations

import pytest

from redline import load_scenario
from redline.frontends.compare import compare
from redline.results.ensemble import run_ensemble

from .conftest import FLAGSHIP, ROOT, TINY

VARIANTS = sorted((ROOT / "scenarios").glob("axis-2023-*.yaml"))


def test_flagship_passes_every_check(cli):
    status, out, _ = cli("check", FLAGSHIP, "--runs", 200, "--seed", 20231007, "--quiet")
    assert status == 0, out
    assert "9 passed, 0 failed" in out


def test_every_parameter_of_the_flagship_is_listed_for_robustness():
    """The calibration page moves every number of the scenario: the list covers actors, doctrines, relations and
    the decision model, and every path it gives is one --set and --param accept."""
    from redline.language.scenario import value_at
    from redline.results.robustness import parameters

    scn = load_scenario(FLAGSHIP)
    params = parameters(scn)
    assert "behaviour.stakes" in params and "actors.iran.doctrine.red_lines.audience_cost" in params
    assert "relations.supports:iran:iraqi_militias.control" in params
    assert "actors.iraqi_militias.doctrine.campaign.per_day.usa" in params
    assert all(isinstance(value_at(scn, p), int | float) for p in params)
    assert not any(p.endswith((".evidence", ".assumed")) for p in params)


def test_a_failing_check_exits_1(cli):
    status, out, _ = cli("check", TINY, "--runs", 10, "--quiet", "--set", "checks.0.expect=<= 0.1")
    assert status == 1 and "FAIL" in out and "0 passed, 1 failed" in out


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.stem)
def test_what_if_variants_validate_and_run(path):
    scn = load_scenario(path)
    assert scn.scenario == path.stem
    res = run_ensemble(scn, runs=4, seed=1, workers=1)
    assert len(res.runs) == 4 and len(res.events) > 0


def test_variants_change_what_they_say():
    base = load_scenario(FLAGSHIP)
    never = load_scenario(ROOT / "scenarios/axis-2023-no-us-retaliation.yaml").actors["usa"].doctrine
    assert never.retaliation is None and never.red_lines is None
    assert base.actors["usa"].doctrine.retaliation is not None
    strong = load_scenario(ROOT / "scenarios/axis-2023-strong-control.yaml")
    assert all(r.control == 1.0 for r in strong.relations if r.type == "supports" and r.source == "iran")
    cut = load_scenario(ROOT / "scenarios/axis-2023-no-back-channel.yaml")
    assert not any(r.type == "back_channel" for r in cut.relations)


def test_compare_uses_common_random_numbers():
    a = run_ensemble(load_scenario(FLAGSHIP), runs=30, seed=3, workers=1)
    b = run_ensemble(
        load_scenario(ROOT / "scenarios/axis-2023-no-us-retaliation.yaml"), runs=30, seed=3, workers=1
    )
    c = compare(a, b)
    us = c.table.set_index("measure").loc["uses of force by usa"]
    assert us["b"] == 0 and us["a"] > 0 and us["ci_high"] < 0
    same = compare(a, a).table
    assert (same["difference"] == 0).all()
    with pytest.raises(ValueError, match="same seeds"):
        compare(a, run_ensemble(load_scenario(FLAGSHIP), runs=30, seed=4, workers=1))


def test_compare_changes_a_value_in_both_sides_or_in_one_and_says_so(cli, tmp_path):
    """--set changes both scenarios (so a scenario against itself shows no difference), --set-b only B (a what-if
    on one scenario); compare.md names the values changed on each side."""
    lever = "actors.iran.cost_sensitivity=0.3"
    status, both, _ = cli("compare", FLAGSHIP, FLAGSHIP, "--runs", 10, "--quiet", "--set", lever)
    assert status == 0 and "| uses of force by iran | uses of force |" in both
    rows = [line for line in both.splitlines() if line.startswith("| uses of force by")]
    assert rows and all("| +0 |" in line for line in rows)
    assert f"Both with `{lever}`." in both
    status, one, _ = cli(
        "compare", FLAGSHIP, FLAGSHIP, "--runs", 10, "--quiet", "--set-b", lever, "--out", tmp_path / "c"
    )
    assert status == 0
    iran = next(line for line in one.splitlines() if line.startswith("| uses of force by iran "))
    assert "| +0 |" not in iran
    text = (tmp_path / "c" / "compare.md").read_text()
    assert text.startswith(f"# axis-2023 with {lever} compared with axis-2023\n") and "Both with" not in text
    # a value given to both and then to one side: each side is named by what it ran with
    status, out, _ = cli(
        "compare", FLAGSHIP, FLAGSHIP, "--runs", 5, "--quiet", "--set", lever,
        "--set-b", "actors.iran.cost_sensitivity=0.6", "--set", "behaviour.mood_sd=0.3",
    )  # fmt: skip
    assert (
        out.startswith(
            f"# axis-2023 with actors.iran.cost_sensitivity=0.6 compared with axis-2023 with {lever}\n"
        )
        and "Both with `behaviour.mood_sd=0.3`." in out
    )
    status, out, _ = cli("compare", FLAGSHIP, FLAGSHIP, "--runs", 5, "--quiet", "--set-a", "behaviour.stakes=2",
                         "--set-b", "behaviour.stakes=2.0")  # fmt: skip
    assert (
        out.startswith("# axis-2023 compared with axis-2023\n") and "Both with `behaviour.stakes=2`." in out
    )
    status, _, err = cli("compare", FLAGSHIP, FLAGSHIP, "--runs", 5, "--set-a", "actors.iran.bogus=1")
    assert (
        status == 2
        and err.strip() == "--set-a:1: actors.iran.bogus: unknown key 'bogus' (in A, axis-2023.yaml)"
    )


def test_compare_and_robustness_commands(cli, tmp_path):
    v = ROOT / "scenarios/axis-2023-no-us-retaliation.yaml"
    status, out, _ = cli("compare", FLAGSHIP, v, "--runs", 10, "--quiet", "--out", tmp_path / "c")
    assert status == 0 and "uses of force by usa" in out
    assert (tmp_path / "c" / "compare.png").is_file() and (tmp_path / "c" / "compare.md").is_file()
    status, out, _ = cli(
        "robustness",
        TINY,
        "--param",
        "actors.client.doctrine.campaign.per_day.rival",
        "--runs",
        10,
        "--workers",
        1,
        "--quiet",
    )
    assert status == 0 and "| `actors.client.doctrine.campaign.per_day.rival` |" in out
    # what was run, and what the influence column means, come first
    assert out.startswith(
        "tiny: each parameter moved by -20% and +20% of its value, 10 runs from root seed 0"
    )
    assert "Influence: how far the checks' values move" in out
    status, _, err = cli("robustness", TINY, "--param", "actors.client.kind", "--runs", 2)
    assert status == 2 and "not a number" in err
    status, _, err = cli("robustness", TINY, "--param", "actors.nobody.capability", "--runs", 2)
    assert status == 2 and "no such value" in err
