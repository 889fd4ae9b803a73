"""The scenario loader: good files give frozen objects, bad files give FILE:LINE: key.path: message lines."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redline import ScenarioError, load_scenario
from redline.language.spec import Attributes, Ladder, Supports

from .conftest import ROOT, TINY

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<path>\S+): (?P<msg>.+)$")


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def problems(path: Path, *overrides: str) -> list[dict[str, str]]:
    with pytest.raises(ScenarioError) as e:
        load_scenario(path, overrides)
    lines = str(e.value).splitlines()
    parsed = [LINE.match(x) for x in lines]
    assert all(parsed), f"not FILE:LINE: path: message lines: {lines}"
    return [m.groupdict() for m in parsed]


def tiny_text() -> str:
    return TINY.read_text()


def test_tiny_loads_into_frozen_objects():
    s = load_scenario(TINY)
    assert s.scenario == "tiny"
    assert set(s.actors) == {"patron", "client", "rival"}
    assert isinstance(s.ladder, Ladder) and s.ladder.ids[0] == "de_escalate" and s.ladder.ids[-1] == "war"
    sup = s.relation("supports:patron:client")
    assert isinstance(sup, Supports) and sup.control == 0.8 and sup.channels == ("arms",)
    assert isinstance(s.relation("attributes:rival:patron"), Attributes)
    assert s.time.end.isoformat() == "2024-03-10"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.actors["patron"].capability = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.actors["intruder"] = s.actors["patron"]  # type: ignore[index]


def test_override_changes_a_value_and_a_relation():
    s = load_scenario(
        TINY, ["actors.patron.cost_sensitivity=0.25", "relations.supports:patron:client.control=0.1"]
    )
    assert s.actors["patron"].cost_sensitivity == 0.25
    assert s.relation("supports:patron:client").control == 0.1
    # a value the file leaves at its default can be set too, and a whole block can be added
    s = load_scenario(
        TINY,
        ["actors.client.doctrine.pressure={fear_threshold: 0.5, strength: 0.9, assumed: {strength: why}}"],
    )
    assert s.actors["client"].doctrine.pressure.strength == 0.9


# ---- one test per kind of bad input: the message, the line, the key path ---------------------------------------


def test_empty_file(tmp_path):
    (p,) = problems(write(tmp_path, ""))
    assert p["line"] == "1" and "empty" in p["msg"]


def test_bytes_that_are_not_utf8(tmp_path):
    (p,) = problems(write(tmp_path, b"scenario: x\ntitle: \xff\xfe bad\n"))
    assert p["line"] == "2" and "UTF-8" in p["msg"]


def test_list_at_the_top(tmp_path):
    (p,) = problems(write(tmp_path, "- a\n- b\n"))
    assert p["line"] == "1" and "mapping" in p["msg"]


def test_file_cut_off_mid_line(tmp_path):
    text = tiny_text()
    cut = text[: text.index("relations:") + 40]  # inside a flow mapping
    (p,) = problems(write(tmp_path, cut))
    assert "invalid YAML" in p["msg"] and int(p["line"]) >= cut.count("\n")


def test_alias_bomb(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    (p,) = problems(write(tmp_path, "\n".join(lines) + "\n"))
    assert "aliases" in p["msg"]


def test_nesting_20000_deep(tmp_path):
    (p,) = problems(write(tmp_path, "a: " + "[" * 20_000 + "]" * 20_000 + "\n"))
    assert p["line"] == "1" and "nesting" in p["msg"]


def test_deep_block_nesting(tmp_path):
    text = "\n".join("  " * i + f"k{i}:" for i in range(300)) + " 1\n"
    (p,) = problems(write(tmp_path, text))
    assert "too deep" in p["msg"] and int(p["line"]) > 64


def test_60_mb_file_is_refused_without_reading_it(tmp_path):
    p = tmp_path / "big.yaml"
    with p.open("wb") as f:
        f.truncate(60 * 1024 * 1024)  # a sparse file: the size alone refuses it
    (issue,) = problems(p)
    assert issue["line"] == "1" and "limited to" in issue["msg"]


def test_missing_file_and_a_folder(tmp_path):
    (p,) = problems(tmp_path / "nope.yaml")
    assert "no such file" in p["msg"]
    (p,) = problems(tmp_path)
    assert "directory" in p["msg"] or "not a regular file" in p["msg"]


def test_unknown_key_has_did_you_mean(tmp_path):
    text = tiny_text().replace("cost_sensitivity: 0.8", "cost_sensitivty: 0.8")
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.patron.cost_sensitivty"
    assert "did you mean 'cost_sensitivity'" in p["msg"]
    assert int(p["line"]) == text.splitlines().index("    cost_sensitivty: 0.8") + 1


def test_text_with_a_control_character_is_refused(tmp_path):
    """A command prints a scenario's text (describe prints its title): an escape sequence in it would act on the
    terminal. A line break or a tab is text."""
    text = tiny_text().replace(
        "title: Tiny patron-client test scenario", 'title: "Tiny\\x1b[2J scenario\\x07"'
    )
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "title" and p["msg"] == "text holds the control character \\x1b: remove it"
    assert int(p["line"]) == 3
    fine = tiny_text().replace(
        "title: Tiny patron-client test scenario", 'title: "Tiny\\tscenario,\\nin two lines"'
    )
    assert load_scenario(write(tmp_path, fine, "fine.yaml")).title == "Tiny\tscenario,\nin two lines"


def test_wrong_type_names_what_was_expected(tmp_path):
    text = tiny_text().replace("capability: 0.6", "capability: high")
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.patron.capability" and "expected a number" in p["msg"]


def test_a_relation_type_that_is_not_a_name(tmp_path):
    """A list or a mapping where a relation's type goes is an error like any unknown type (found by hypothesis:
    it once raised TypeError, unhashable), in the file and in an override of that relation."""
    text = tiny_text().replace("{type: supports,", "{type: [supports],", 1)
    path = write(tmp_path, text)
    found = problems(path)
    assert found[0]["path"] == "relations.0.type" and "is not one of: " in found[0]["msg"]
    assert problems(path, "relations.0.control=0.5")[0]["path"] == "relations.0.type"


def test_out_of_range_names_the_range(tmp_path):
    text = tiny_text().replace("control: 0.8", "control: 1.7")
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "relations.0.control" and "[0, 1]" in p["msg"]
    text = tiny_text().replace("lag: 2", "lag: -1")
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.rival.doctrine.retaliation.lag" and "[0, 365]" in p["msg"]
    text = tiny_text().replace("half_life: 14", "half_life: 0", 1)
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.client.doctrine.retaliation.half_life" and "[0.1, 3650]" in p["msg"]


def test_unknown_actor_rung_ladder_and_claim(tmp_path):
    text = (
        tiny_text()
        .replace("per_day: {rival: 0.6}", "per_day: {rivall: 0.6}")
        .replace("max_rung: show_of_force", "max_rung: show_force")
        .replace("capability: 0.9\n", "capability: 0.9\n    evidence: [s999.c1]\n")
    )
    found = {p["path"]: p["msg"] for p in problems(write(tmp_path, text))}
    assert "did you mean 'rival'" in found["actors.client.doctrine.campaign.per_day.rivall"]
    assert "did you mean 'show_of_force'" in found["actors.patron.doctrine.limits.max_rung"]
    assert "unknown claim" in found["actors.rival.evidence.0"]
    (p,) = problems(write(tmp_path, tiny_text().replace("ladder: default", "ladder: defualt")))
    assert p["path"] == "ladder" and "did you mean 'default'" in p["msg"]


def test_event_outside_the_time_window(tmp_path):
    (p,) = problems(write(tmp_path, tiny_text().replace("at: 2024-01-03", "at: 2025-01-03")))
    assert p["path"] == "events.0.at" and "outside" in p["msg"]


def test_duplicate_key(tmp_path):
    (p,) = problems(write(tmp_path, tiny_text().replace("  rival:\n", "  rival:\n    kind: state\n", 1)))
    assert "duplicate key 'kind'" in p["msg"]


def test_all_problems_of_a_file_are_reported(tmp_path):
    text = (
        tiny_text()
        .replace("capability: 0.6", "capability: 6")
        .replace("autonomy: 0.2", "autonomy: lots")
        .replace("step: week", "step: fortnight")
    )
    paths = {p["path"] for p in problems(write(tmp_path, text))}
    assert {"actors.patron.capability", "actors.client.autonomy", "time.step"} <= paths


def test_values_need_evidence_or_an_assumption(tmp_path):
    text = tiny_text().replace(
        "    assumed: {capability: test value}\n    doctrine:\n      limits",
        "    doctrine:\n      limits",
        1,
    )
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.patron" and "evidence" in p["msg"]
    text = tiny_text().replace("assumed: {half_life: test value}", "assumed: {halflife: test value}", 1)
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "actors.client.doctrine.retaliation.assumed.halflife"
    assert "'halflife' is not a key of this block" in p["msg"]


def test_bad_overrides_point_at_the_flag():
    found = problems(
        TINY,
        "actors.patron.cost_sensitivty=0.5",
        "actors.patrn.capability=0.5",
        "relations.supports:patron:client.control=1.5",
        "relations.hostile:client:rivl.level=0.5",
    )
    by_line = {p["line"]: p for p in found}
    assert all(p["file"] == "--set" for p in found)
    assert "did you mean 'cost_sensitivity'" in by_line["1"]["msg"]
    assert "did you mean 'patron'" in by_line["2"]["msg"]
    assert "[0, 1]" in by_line["3"]["msg"]
    assert "did you mean 'hostile:client:rival'" in by_line["4"]["msg"]


def test_override_syntax_errors():
    (p,) = problems(TINY, "actors.patron.capability")
    assert "KEY.PATH=VALUE" in p["msg"]
    (p,) = problems(TINY, "actors.patron.capability=[0.5")
    assert "not valid YAML" in p["msg"]


def test_variant_extends_a_scenario(tmp_path):
    write(tmp_path, tiny_text(), "base.yaml")
    v = write(
        tmp_path,
        "extends: base.yaml\nscenario: tiny-strong\ntitle: Strong control\n"
        "set:\n  relations.supports:patron:client.control: 1.0\n"
        "remove: [relations.attributes:rival:patron]\n",
        "v.yaml",
    )
    s = load_scenario(v)
    assert s.scenario == "tiny-strong" and s.relation("supports:patron:client").control == 1.0
    assert all(r.type != "attributes" for r in s.relations)
    bad = write(
        tmp_path, "extends: base.yaml\nscenario: x\ntitle: y\nset:\n  actors.patron.capabilty: 1\n", "b.yaml"
    )
    (p,) = problems(bad)
    assert p["file"].endswith("b.yaml") and p["line"] == "5" and "did you mean 'capability'" in p["msg"]


def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path):
    bad = write(tmp_path, "scenario: x\n")
    r = subprocess.run(
        [sys.executable, "-m", "redline", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert all(LINE.match(x) for x in r.stderr.splitlines()), r.stderr


def test_a_file_or_folder_name_with_a_control_character_is_printed_as_its_escape(cli, tmp_path):
    """Names given on the command line reach the lines a command prints: an escape sequence in one is shown, not
    acted on by the terminal."""
    odd = tmp_path / "odd\x1b[31m.yaml"
    odd.write_text(tiny_text())
    for args, shown in (
        (["validate", odd], "odd\\x1b[31m.yaml: ok"),
        (["validate", tmp_path / "no\x07such.yaml"], "no\\x07such.yaml:1: (document): no such file"),
        (["plot", tmp_path / "no\x1b[2Jdir"], "no\\x1b[2Jdir: not a results folder"),
        (
            ["run", odd, "--runs", 1, "--workers", 1, "--no-plots", "--out", tmp_path / "out\x1b[2J"],
            str(tmp_path / "out\\x1b[2J") + ": the name holds a control character",  # and none is made
        ),
    ):
        _, out, err = cli(*args)
        assert shown in out + err
        assert "\x1b" not in out + err and "\x07" not in out + err


def test_a_default_rung_missing_from_the_scenarios_own_ladder_is_named(tmp_path):
    """A red line without `min_rung` counts from the default, limited_strike; a ladder of the scenario's own that
    has no such rung is refused where the red lines are, asking for the key (the run would otherwise fail)."""
    d = yaml.safe_load(tiny_text())
    ladder = yaml.safe_load((ROOT / "scenarios" / "ladders" / "default.yaml").read_text())
    for r in ladder["rungs"]:
        r["id"] = {"limited_strike": "raid", "harassment": "sniping"}.get(r["id"], r["id"])
    d["ladder"] = ladder
    d["events"][0]["action"] = "raid"
    d["actors"]["rival"]["doctrine"]["red_lines"]["own_territory_struck"] = True
    found = {p["path"]: p["msg"] for p in problems(write(tmp_path, yaml.safe_dump(d, sort_keys=False)))}
    assert found == {
        "actors.rival.doctrine.red_lines": "'min_rung' is not given and its default, 'limited_strike', is no "
        "rung on the ladder: give min_rung",
        "actors.client.doctrine.campaign": "'rung' is not given and its default, 'harassment', is no rung on the "
        "ladder: give rung",
    }
    d["actors"]["rival"]["doctrine"]["red_lines"]["min_rung"] = "raid"
    d["actors"]["client"]["doctrine"]["campaign"]["rung"] = "sniping"
    assert load_scenario(write(tmp_path, yaml.safe_dump(d, sort_keys=False))).actors["rival"]


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        ("outcomes.0.name=seed", "outcomes.0.name", "'seed' is a column of the runs table"),
        ("outcomes.0.name=attacks", "outcomes.0.name", "'attacks' is a column of the runs table"),
        ("outcomes.0.name=war", "outcomes.0.name", "outcome 'war' is already defined"),
        ("time.steps=2000", "time.steps", "past 2200-12-31"),
        (
            "checks.0.count.from=2030-01-01",
            "checks.0.count.from",
            "leaves the window outside the scenario's time",
        ),
        (
            "checks.0.count.to=2020-01-01",
            "checks.0.count.to",
            "leaves the window outside the scenario's time",
        ),
    ],
)
def test_names_and_dates_the_results_could_not_hold_are_refused(tmp_path, override, path, message):
    """An outcome named like a column of the runs table would overwrite it; a period past the language's last date,
    or a check's window outside the period, could not be what the author meant."""
    text = (
        tiny_text()
        .replace("time: {start: 2024-01-01", "time: {start: 2200-01-01")
        .replace("2024-01-03", "2200-01-03")
    )
    if override.startswith("time"):
        (p,) = problems(write(tmp_path, text), "time.step=month", override)
    else:
        (p,) = problems(write(tmp_path, tiny_text()), override)
    assert p["path"] == path and message in p["msg"]


def test_two_checks_of_one_name_are_refused(tmp_path):
    text = tiny_text().replace(
        "checks:\n",
        "checks:\n  - {name: the client attacks, count: {source: [client]}, expect: '>= 1', assumed: {expect: t}}\n",
    )
    (p,) = problems(write(tmp_path, text))
    assert p["path"] == "checks.1.name" and "a check named 'the client attacks' is already given" in p["msg"]


def test_the_reserved_outcome_names_are_the_runs_tables_columns():
    from redline.engine.tables import RUNS
    from redline.language.spec import GENERAL_OUTCOMES, RUN_COLUMNS

    sweep_only = {p.shown for p in RUNS.patterns if not p.shown.startswith("<")}
    assert sweep_only == {"point", "replication"}
    assert {c.name for c in RUNS.columns} == set(GENERAL_OUTCOMES) | set(RUN_COLUMNS) - sweep_only


@pytest.mark.parametrize("name", ["axis-2023", "axis-2023.yaml", "cases/gulf-2019"])
def test_a_variant_extends_a_shipped_scenario_by_name(tmp_path, name):
    from redline.language.scenario import extends_chain, scenario_digest

    variant = write(
        tmp_path,
        f"extends: {name}\nscenario: mine\ntitle: Mine\nset: {{behaviour.mood_sd: 0.5}}\n",
        "mine.yaml",
    )
    scn = load_scenario(variant)
    assert scn.scenario == "mine" and scn.behaviour.mood_sd == 0.5
    base = ROOT / "scenarios" / (name.removesuffix(".yaml") + ".yaml")
    assert extends_chain(variant) == [variant.resolve(), base.resolve()]
    alone = tmp_path / "alone.yaml"
    alone.write_text(variant.read_text().replace(f"extends: {name}", "extends: nowhere.yaml"))
    assert scenario_digest(variant) != scenario_digest(alone)  # the base's text is in the hash


def test_text_left_empty_where_the_language_allows_it(tmp_path):
    """A label or description may be empty (their default); a title may not, and says so in words."""
    scn = load_scenario(TINY, ['description=""', 'actors.patron.label=""'])
    assert scn.description == "" and scn.actors["patron"].label == ""
    (p,) = problems(TINY, 'title=" "')
    assert p["path"] == "title" and p["msg"] == "is empty: give some text"


def test_a_date_the_calendar_lacks_is_named_by_its_key(tmp_path):
    (p,) = problems(write(tmp_path, tiny_text().replace("at: 2024-01-03", "at: 2024-02-30")))
    assert p["path"] == "events.0.at" and "'2024-02-30' (day is out of range for month)" in p["msg"]


def test_a_set_value_yaml_cannot_read_is_taken_as_the_text_it_looks_like():
    """A check's band given on --set needs no quotes: '>= 0.9' starts with a YAML indicator; a mapping left
    unclosed is still a YAML error."""
    assert load_scenario(TINY, ["checks.0.expect=>= 0.9"]).checks[0].expect == ">= 0.9"
    assert load_scenario(TINY, ["title=*starred*", "description=!important"]).title == "*starred*"
    (p,) = problems(TINY, "actors.patron.capability=>= 0.9")
    assert p["msg"] == "expected a number, got text"
    (p,) = problems(TINY, "actors.patron.doctrine={a: 1")
    assert "value is not valid YAML" in p["msg"]


def test_a_check_window_reaching_past_the_period_is_cut_to_it():
    scn = load_scenario(TINY, ["checks.0.count.from=2023-01-01", "checks.0.count.to=2030-01-01"])
    assert scn.checks[0].count.end.year == 2030


def test_an_override_that_changes_a_relations_type_answers_for_its_keys(tmp_path):
    # control and channels belong to supports: after the type is changed, they are wrong because of the override,
    # and the message points at it, not at the file's line that was right until then.
    found = problems(TINY, "relations.supports:patron:client.type=hostile")
    assert found and all(p["file"] == "--set" and p["line"] == "1" for p in found), found
    assert {p["path"] for p in found} >= {"relations.0.control"}
    # the keys the new type has, and a type set to what it was, keep their own lines
    bad = write(tmp_path, tiny_text().replace("level: 0.8, control: 0.8", "level: 7, control: 0.8", 1))
    for same in (
        "relations.supports:patron:client.type=supports",
        "relations.supports:patron:client.type=hostile",
    ):
        found = problems(bad, same)
        level = [p for p in found if p["path"].endswith(".level")]
        assert level and all(p["file"].endswith("s.yaml") for p in level), found


def test_the_docs_paths_of_shipped_scenarios_work_from_another_folder(tmp_path, monkeypatch):
    # The docs write scenarios as the checkout holds them; typed elsewhere, they name the shipped files ...
    monkeypatch.chdir(tmp_path)
    assert load_scenario("scenarios/axis-2023.yaml").scenario == "axis-2023"
    assert load_scenario("scenarios/cases/uri-2016.yaml").scenario == load_scenario("cases/uri-2016").scenario
    # ... but a file of that path in the folder is the user's own, and it is read instead.
    mine = tmp_path / "scenarios" / "axis-2023.yaml"
    mine.parent.mkdir()
    mine.write_text(tiny_text())
    assert load_scenario("scenarios/axis-2023.yaml").scenario == "tiny"
    (p,) = problems(Path("scenarios/nope.yaml"))
    assert "no such file" in p["msg"]


def test_a_variant_runs_the_ladder_of_the_file_that_names_it(tmp_path):
    """A ladder is looked for beside the file that names it (the default one beside the first scenario of the
    chain): a variant elsewhere, changing nothing, runs its parent's ladder, not one that happens to lie beside it.
    A --set ladder=NAME looks beside the scenario given."""
    ladder = yaml.safe_load((ROOT / "scenarios" / "ladders" / "default.yaml").read_text())
    quiet = {**ladder, "rungs": [{**r, "casualties": 0.0} for r in ladder["rungs"]]}
    (tmp_path / "sub" / "ladders").mkdir(parents=True)
    (tmp_path / "ladders").mkdir()
    mine = {**ladder, "ladder": "mine"}
    (tmp_path / "sub" / "ladders" / "mine.yaml").write_text(yaml.safe_dump(mine, sort_keys=False))
    for name in ("mine", "default"):  # the variant's folder holds a ladder of each name, of no deaths
        text = yaml.safe_dump({**quiet, "ladder": name}, sort_keys=False)
        (tmp_path / "ladders" / f"{name}.yaml").write_text(text)
    parent = tmp_path / "sub" / "parent.yaml"
    parent.write_text(tiny_text().replace("ladder: default", "ladder: mine"))
    (tmp_path / "sub" / "plain.yaml").write_text(tiny_text())
    for base in ("sub/parent.yaml", "sub/plain.yaml"):
        variant = write(tmp_path, f"extends: {base}\nscenario: v\ntitle: v\n", "v.yaml")
        assert load_scenario(variant).ladder == load_scenario(tmp_path / base).ladder
        assert max(r.casualties for r in load_scenario(variant).ladder.rungs) > 0
    assert max(r.casualties for r in load_scenario(variant, ["ladder=mine"]).ladder.rungs) == 0


@pytest.mark.parametrize("order", ["relations.0, relations.1", "relations.1, relations.0"])
def test_a_variants_removals_name_the_items_as_the_file_writes_them(tmp_path, order):
    base = load_scenario(TINY).relations
    write(tmp_path, tiny_text(), "base.yaml")
    v = write(tmp_path, f"extends: base.yaml\nscenario: v\ntitle: v\nremove: [{order}]\n", "v.yaml")
    assert (
        load_scenario(v).relations == base[2:]
    )  # in either order: one removal does not move the other's item
    for twice, needle in (
        ("relations.0, relations.0", "removed twice"),
        ("relations.-1", "not from the end"),
    ):
        v.write_text(f"extends: base.yaml\nscenario: v\ntitle: v\nremove: [{twice}]\n")
        (p,) = problems(v)
        assert p["file"].endswith("v.yaml") and needle in p["msg"]


def test_what_still_names_an_actor_a_variant_removes_names_the_removal(tmp_path):
    """The errors are where the names are written (the file extended), and each names the variant's removal."""
    write(tmp_path, tiny_text(), "base.yaml")
    v = write(tmp_path, "extends: base.yaml\nscenario: v\ntitle: v\nremove: [actors.client]\n", "v.yaml")
    found = problems(v)
    assert found and all(p["file"].endswith("base.yaml") for p in found)
    assert all(f"unknown actor 'client' (a variant removes it, at {v}:4)" in p["msg"] for p in found), found


def test_a_scenario_without_actors_is_refused(tmp_path):
    text = (
        "scenario: x\ntitle: y\ntime: {start: 2006-01-01, step: day, steps: 3}\nactors: {}\nrelations: []\n"
    )
    (p,) = problems(write(tmp_path, text))
    assert p["line"] == "4" and p["path"] == "actors" and "at least one actor" in p["msg"]


@pytest.mark.parametrize(
    ("written", "read"), [("1e3", 1000.0), ("2.5E-1", 0.25), ("010", 10), ("'1e3'", "1e3"), ("0", 0)]
)
def test_numbers_read_as_people_write_them(tmp_path, written, read):
    # YAML 1.1 reads 1e3 as text and 010 as octal eight; a scenario's author means a thousand and ten.
    from redline.language.yamlio import load

    value = load(write(tmp_path, f"x: {written}\n")).data["x"]
    assert value == read and type(value) is type(read)


@pytest.mark.parametrize("day", ["2024W01", "2024-W01-3", "'20240103'"])
def test_a_date_is_written_one_way(tmp_path, day):
    text = tiny_text()
    assert "at: 2024-01-03" in text
    (p,) = problems(write(tmp_path, text.replace("at: 2024-01-03", f"at: {day}", 1)))
    assert "expected a date YYYY-MM-DD" in p["msg"]


def test_deaths_are_bounded(tmp_path):
    (p,) = problems(TINY, "events.0.casualties=1e308")
    assert p["path"] == "events.0.casualties" and "out of range" in p["msg"]


def test_keys_are_words_as_written_and_a_bad_tag_is_one_line(tmp_path):
    from redline.language.yamlio import load

    assert load(write(tmp_path, "yes: 1\nnull: 2\n")).data == {"yes": 1, "null": 2}
    (p,) = problems(write(tmp_path, tiny_text().replace("capability: 0.9", "capability: !foo 0.9", 1)))
    assert "!foo" in p["msg"] and "unicode string" not in p["msg"] and "\n" not in p["msg"]


@pytest.mark.parametrize(
    ("override", "path"),
    [
        (
            "actors.client.doctrine.campaign={per_day: {client: 1}, assumed: {per_day: t}}",
            "campaign.per_day.client",
        ),
        (
            "actors.patron.doctrine.learning={about: [rival, patron], prior: 0.5, rate: 0.5, assumed: {prior: t}}",
            "about.1",
        ),
    ],
)
def test_a_doctrine_that_names_its_own_actor_is_refused(override, path):
    (p,) = problems(TINY, override)
    assert p["file"] == "--set" and p["path"].endswith(path) and "the actor itself" in p["msg"]


def test_a_ladder_file_names_the_ladder_it_is_found_by(tmp_path):
    (tmp_path / "ladders").mkdir()
    text = (ROOT / "scenarios" / "ladders" / "default.yaml").read_text()
    (tmp_path / "ladders" / "mine.yaml").write_text(text.replace("ladder: default", "ladder: other", 1))
    (p,) = problems(write(tmp_path, tiny_text().replace("ladder: default", "ladder: mine")))
    assert p["file"].endswith("mine.yaml") and p["path"] == "ladder" and "'other', not 'mine'" in p["msg"]


def test_removals_resolve_keys_and_indices_alike(tmp_path):
    write(tmp_path, tiny_text(), "base.yaml")
    sup = load_scenario(TINY).relation("supports:patron:client")
    i = load_scenario(TINY).relations.index(sup)

    def variant(*paths):
        listed = ", ".join(f'"{p}"' for p in paths)
        return write(tmp_path, f"extends: base.yaml\nscenario: v\ntitle: v\nremove: [{listed}]\n", "v.yaml")

    # one list named both ways: each removal names an item of the file as written
    s = load_scenario(variant(f"relations.{i}.channels.0", "relations.supports:patron:client.channels"))
    assert s.relation("supports:patron:client").channels == ()
    for twice in ((f"relations.{i}", "relations.supports:patron:client"), ("relations.0", "relations.00")):
        (p,) = problems(variant(*twice))
        assert "removes already" in p["msg"]
    (p,) = problems(variant("relations.\u0661"))  # an Arabic-Indic one is not an index
    assert "no item" in p["msg"]


def test_the_default_ladder_is_looked_for_beside_the_first_file_and_is_part_of_the_digest(tmp_path):
    from redline.language.scenario import scenario_digest

    (tmp_path / "a" / "ladders").mkdir(parents=True)
    (tmp_path / "ladders").mkdir()
    text = (ROOT / "scenarios" / "ladders" / "default.yaml").read_text()
    beside_root = tmp_path / "a" / "ladders" / "default.yaml"
    beside_root.write_text(text)
    (tmp_path / "ladders" / "default.yaml").write_text(text.replace("warned_share: 0.1", "warned_share: 0.3"))
    (tmp_path / "a" / "base.yaml").write_text(tiny_text().replace("ladder: default\n", ""))
    v = write(tmp_path, "extends: a/base.yaml\nscenario: v\ntitle: v\n", "v.yaml")
    assert load_scenario(v).ladder.warned_share == 0.1  # the parent's, not the one beside the variant
    named = write(tmp_path, "extends: a/base.yaml\nscenario: v\ntitle: v\nset: {ladder: default}\n", "n.yaml")
    assert load_scenario(named).ladder.warned_share == 0.3  # named by the variant: beside the variant
    before = scenario_digest(v)
    beside_root.write_text(text.replace("warned_share: 0.1", "warned_share: 0.2"))
    assert scenario_digest(v) != before  # a sweep resumed after the ladder changed is another sweep


@pytest.mark.parametrize(("written", "read"), [("08", 8), ("-010", -10), ("1:30", "1:30")])
def test_leading_zeros_and_colons_read_as_written(tmp_path, written, read):
    from redline.language.yamlio import load

    assert load(write(tmp_path, f"x: {written}\n")).data["x"] == read


def test_a_word_read_as_a_truth_or_a_number_is_told_to_be_quoted(tmp_path):
    (p,) = problems(TINY, "title=no")
    assert "got true/false (put it in quotes to make it text)" in p["msg"]
    text = tiny_text().replace("at: 2024-01-03", "at: 2024-01-03T00:00:00", 1)
    (p,) = problems(write(tmp_path, text))
    assert "expected a date YYYY-MM-DD, got '2024-01-03T00:00:00'" in p["msg"]
