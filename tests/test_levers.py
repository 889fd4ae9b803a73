"""Levers: declared in scenario files, checked by the loader, listed by `redline levers` and redline.results.levers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from redline.errors import ScenarioError
from redline.language.paths import shipped_scenarios
from redline.language.scenario import load_scenario, value_at
from redline.results.levers import is_integer, levers, outcomes, override, registry, value

from .builders import to_yaml
from .conftest import FLAGSHIP, ROOT

SHIPPED = sorted(shipped_scenarios().values())  # every shipped scenario, ladders aside


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_declares_levers_that_reach_both_ends(path):
    scn = load_scenario(path)
    assert len(levers(scn)) >= 3, f"{path.name} declares too few levers"
    for lever in levers(scn):
        assert lever.low <= value(scn, lever) <= lever.high
        for end in (lever.low, lever.high):
            moved = load_scenario(path, [override(lever, end)])
            assert value_at(moved, lever.path) == pytest.approx(end), lever.name


def test_the_apps_sliders_are_the_levers_the_scenario_declares():
    pytest.importorskip("solara")
    from redline.frontends.app import sliders_of

    declared = levers(load_scenario(FLAGSHIP))
    sliders = sliders_of(FLAGSHIP)
    assert [s.path for s in sliders] == [lv.path for lv in declared]
    for slider, lever in zip(sliders, declared, strict=True):
        assert slider.label == (lever.label or lever.name)
        assert slider.high == pytest.approx(lever.high)
        # the slider starts at the lever's low end, or at the first round position above it
        assert lever.low - 1e-9 <= slider.low < lever.low + slider.step + 1e-9


def test_a_variant_that_removes_a_levers_value_removes_the_lever():
    names = {lv.name for lv in levers(load_scenario(ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml"))}
    assert "usa_audience_cost" not in names and "iran_cost_sensitivity" in names


def test_outcomes_are_the_general_and_the_named_ones():
    scn = load_scenario(FLAGSHIP)
    names = [o.name for o in outcomes(scn)]
    assert names[:2] == ["war", "interstate_war"]
    assert {o.name for o in scn.outcomes} <= set(names)


def test_whole_numbers_are_integer_levers(tmp_path):
    text = FLAGSHIP.read_text()
    f = tmp_path / "s.yaml"
    extra = (
        "\n  - {name: weeks, path: time.steps, range: [20, 30], unit: steps, assumed: {range: test}}\n"
        "  - {name: harassment_mid, path: ladder.rungs.5.mid_level, range: [3, 4], unit: MID level, "
        "assumed: {range: test}}\n"
    )
    f.write_text(text.rstrip("\n") + extra)
    (tmp_path / "ladders").mkdir()
    scn = load_scenario(f)
    by_name = {lv.name: lv for lv in levers(scn)}
    assert is_integer(scn, by_name["weeks"]) and not is_integer(scn, by_name["stakes"])
    assert value(scn, by_name["weeks"]) == 26


def with_lever(tmp_path: Path, **lever) -> Path:
    d = yaml.safe_load(FLAGSHIP.read_text())
    d["levers"] = [{"name": "x", "path": "actors.iran.resolve", "range": [0, 1], "unit": "share 0-1",
                    "assumed": {"range": "test"}, **lever}]  # fmt: skip
    f = tmp_path / "s.yaml"
    f.write_text(to_yaml(d))
    return f


@pytest.mark.parametrize(
    ("lever", "needle"),
    [
        (
            {"path": "actors.iran.resolv"},
            "levers.0.path: 'actors.iran.resolv' is not a value of this scenario",
        ),
        ({"path": "actors.iran.kind"}, "levers.0.path: 'actors.iran.kind' holds no number"),
        ({"path": "relations.supports:iran:nobody.level"}, "is not a value of this scenario"),
        ({"range": [0.7, 1]}, "levers.0.range: [0.7, 1] does not hold the scenario's 0.6"),
        ({"range": [0, 2]}, "levers.0.range: the range leaves what 'actors.iran.resolve' allows, [0, 1]"),
        ({"range": [1, 0]}, "levers.0.range: low must be below high"),
        ({"range": [0, 0.5, 1]}, "levers.0.range: give [low, high], two numbers (found 3)"),
        ({"name": "Iran resolve"}, "levers.0.name: a lever's name is a lower-case word"),
        ({"path": "time.steps", "range": [10.5, 30]}, "'time.steps' is a whole number: give whole ends"),
        ({"unit": None}, "levers.0.unit: expected text"),
    ],
)
def test_a_bad_lever_is_one_line_with_file_line_and_key(tmp_path, cli, lever, needle):
    f = with_lever(tmp_path, **lever)
    status, out, err = cli("levers", f)
    assert status == 2 and not out
    assert needle in err, err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"{f}:") and err.split(":")[1].isdigit()  # the file and the line of the lever


def test_a_lever_declared_twice(tmp_path):
    d = yaml.safe_load(FLAGSHIP.read_text())
    d["levers"].append(dict(d["levers"][0]))
    f = tmp_path / "s.yaml"
    f.write_text(to_yaml(d))
    with pytest.raises(ScenarioError, match="lever 'iran_cost_sensitivity' is declared twice"):
        load_scenario(f)


def test_a_set_may_leave_a_range_but_not_the_paths(tmp_path):
    """A what-if moves a value where it likes; the lever's path must still lead somewhere."""
    scn = load_scenario(FLAGSHIP, ["actors.iraqi_militias.doctrine.campaign.per_day.usa=3.5"])
    assert value_at(scn, "actors.iraqi_militias.doctrine.campaign.per_day.usa") == 3.5
    (tmp_path / "axis.yaml").write_text(FLAGSHIP.read_text())
    variant = tmp_path / "cut.yaml"
    variant.write_text(
        "extends: axis.yaml\nscenario: cut\ntitle: cut\nremove: [relations.back_channel:usa:iran]\n"
    )
    with pytest.raises(
        ScenarioError, match=r"axis.yaml:\d+: levers.6.path: 'relations.back_channel:usa:iran.level'"
    ):
        load_scenario(variant)


def test_redline_levers_prints_the_table_and_the_outcomes(cli):
    status, out, err = cli("levers", FLAGSHIP)
    assert status == 0 and not err
    lines = out.splitlines()
    assert lines[0] == "axis-2023: 10 levers"
    row = next(line for line in lines if line.startswith("usa_blames_iran "))
    assert "relations.attributes:usa:iran.probability" in row and "0 .. 1 (0.9)" in row and "s000.c3" in row
    assert any(line.startswith("mood_sd ") and line.rstrip().endswith("assumed") for line in lines)
    assert any(line.startswith("iran_us_clash ") for line in lines)


def test_redline_levers_json_is_the_registry(cli):
    status, out, _ = cli("levers", FLAGSHIP, "--json", "--set", "actors.iran.cost_sensitivity=0.4")
    assert status == 0
    got = json.loads(out)
    assert got == json.loads(
        json.dumps(registry(load_scenario(FLAGSHIP, ["actors.iran.cost_sensitivity=0.4"])))
    )
    first = got["levers"][0]
    assert first["name"] == "iran_cost_sensitivity" and first["value"] == 0.4
    assert {"name", "path", "low", "high", "unit", "evidence", "assumed", "integer", "label"} <= first.keys()
    assert "hezbollah_israel_war" in [o["name"] for o in got["outcomes"]]


def test_redline_levers_of_a_missing_file(cli, tmp_path):
    status, out, err = cli("levers", tmp_path / "none.yaml")
    assert status == 2 and not out and len(err.strip().splitlines()) == 1


def test_a_variant_that_forgets_to_remove_a_lever_is_told_how(tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text(
        f"extends: {FLAGSHIP}\nscenario: v\ntitle: v\nremove: [relations.back_channel:usa:iran]\n"
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(variant)
    assert "remove: [levers.usa_iran_back_channel]" in str(e.value)
    variant.write_text(variant.read_text().replace("]\n", ", levers.usa_iran_back_channel]\n"))
    assert len(load_scenario(variant).levers) == 9


@pytest.mark.parametrize(("path", "what"), [("checks.0.band.0", "checks"), ("levers.1.range.0", "levers")])
def test_a_lever_moves_the_model_not_its_frame(path, what):
    with pytest.raises(ScenarioError) as e:
        load_scenario(FLAGSHIP, [f"levers.0.path={path}"])
    assert f"a lever moves the model, not its {what}" in str(e.value)
