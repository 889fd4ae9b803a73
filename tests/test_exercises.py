"""Every command of every exercise runs; the keys answer every question under two settings that differ."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT

EXERCISES = sorted((ROOT / "docs" / "exercises").glob("[0-9][0-9]-*.md"))


def commands(path):
    blocks = re.findall(r"```sh\n(.*?)```", path.read_text(), re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("redline ")]


def test_every_exercise_has_goals_commands_and_questions():
    assert len(EXERCISES) >= 5
    for path in EXERCISES:
        text = path.read_text()
        assert "**Learning goals.**" in text and "## Questions" in text and commands(path), path.name


# Each command runs with at most this many runs: every part of it (tables, checks, summary, plots, a debrief of a
# run) is made as in class, at a fifth of the cost. The answers to the exercises' questions at their own run counts
# are keys.md's, made by make_keys.py and checked below.
TEST_RUNS = 20


def _with_fewer_runs(argv: list[str]) -> list[str]:
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--runs":
            out[i + 1] = str(min(int(out[i + 1]), TEST_RUNS))
    return out


def test_fewer_runs_changes_only_the_run_count():
    argv = ["run", "x.yaml", "--runs", "100", "--seed", "7", "--set", "a.b=100"]
    assert _with_fewer_runs(argv) == [
        "run",
        "x.yaml",
        "--runs",
        str(TEST_RUNS),
        "--seed",
        "7",
        "--set",
        "a.b=100",
    ]
    assert _with_fewer_runs(["check", "x.yaml", "--runs", "5"]) == ["check", "x.yaml", "--runs", "5"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_commands_run(path, tmp_path, monkeypatch, cli):
    # A class works from the project's root: give the commands its scenarios and docs, and a fresh out/. They run
    # in this process (`redline` is its `main`), so that each pays no start-up of its own.
    for name in ("scenarios", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    for line in commands(path):
        argv = _with_fewer_runs(shlex.split(line)[1:])
        status, _, err = cli(*argv)
        allowed = {0, 1} if argv[0] == "check" else {0}  # a check may fail: that is what exercise 3 is about
        assert status in allowed, f"{line}\n{err}"


def _questions(path) -> int:
    """How many numbered questions an exercise asks."""
    part = path.read_text().split("## Questions", 1)[1]
    return len(re.findall(r"^\d+\. ", part, re.M))


def test_the_keys_answer_every_question_under_two_settings_that_differ():
    """make_keys.py answers each question under the two (or more) settings it names; a question the model answers
    the same way under both would teach nothing about the lever, and a key saying 'no date' or 'no action' answers
    nothing. keys.json is written with keys.md: the answers per setting, as they appear in keys.md."""
    keys = (ROOT / "docs" / "exercises" / "keys.md").read_text()
    for empty in ("no date", "no action"):
        assert empty not in keys.lower(), f"a key says '{empty}'"
    records = json.loads((ROOT / "docs" / "exercises" / "keys.json").read_text())
    for n, path in enumerate(EXERCISES, 1):
        asked = _questions(path)
        answered = sorted(r["question"] for r in records if r["exercise"] == n)
        assert answered == list(range(1, asked + 1)), f"{path.name}: questions {asked}, keys {answered}"
    for r in records:
        answers = list(r["settings"].values())
        where = f"exercise {r['exercise']}, question {r['question']}"
        assert len(answers) >= 2, f"{where}: one setting"
        assert len(set(answers)) == len(answers), f"{where}: two settings give the same answer: {answers}"
        for name, text in r["settings"].items():
            assert f"{name}: {text}" in keys, f"{where}: '{name}' is not in keys.md as in keys.json"


def test_the_keys_generator_refuses_a_question_whose_settings_agree():
    spec = importlib.util.spec_from_file_location("make_keys", ROOT / "docs" / "exercises" / "make_keys.py")
    make_keys = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_keys)
    keys = make_keys.Keys()
    keys.add(1, 1, {"a": "Iran uses force in 3 of 100 runs", "b": "Iran uses force in 50 of 100 runs"})
    with pytest.raises(SystemExit, match="same answer"):
        keys.add(1, 2, {"a": "the same", "b": "the same"})
    with pytest.raises(SystemExit, match="no date"):
        keys.add(1, 3, {"a": "first on no date", "b": "first on 2024-02-13"})


def _make_keys():
    spec = importlib.util.spec_from_file_location("make_keys", ROOT / "docs" / "exercises" / "make_keys.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_keys_round_honestly():
    """A value shown with two decimals is never said to be below a threshold it rounds to (0.195 is 0.20, about
    0.2), in the generator and in the keys it wrote."""
    make_keys = _make_keys()
    assert make_keys.against(0.195, 0.2) == "0.20, about 0.2"
    assert make_keys.against(0.19, 0.2) == "0.19, below 0.2"
    assert make_keys.against(0.3, 0.2) == "0.30, above 0.2"
    keys = (ROOT / "docs" / "exercises" / "keys.md").read_text()
    for value, threshold in re.findall(r"(\d+\.\d+), below (\d+(?:\.\d+)?)", keys):
        assert float(value) < float(threshold), (value, threshold)
    for value, threshold in re.findall(r"(\d+\.\d+), above (\d+(?:\.\d+)?)", keys):
        assert float(value) > float(threshold), (value, threshold)


def test_a_key_whose_explanation_the_model_contradicts_stops_the_generator():
    make_keys = _make_keys()
    make_keys.expect(True, "holds")
    with pytest.raises(SystemExit, match="no longer holds: Iran strikes more"):
        make_keys.expect(False, "Iran strikes more")


def test_the_keys_quote_the_values_of_the_files():
    """Settings named after a value of the scenario ('the file's') give the value the file holds."""
    from redline import load_scenario
    from redline.language.scenario import value_at

    keys = (ROOT / "docs" / "exercises" / "keys.md").read_text()
    flagship = load_scenario(ROOT / "scenarios" / "axis-2023.yaml")
    audience = value_at(flagship, "actors.iran.doctrine.red_lines.audience_cost")
    sensitivity = value_at(flagship, "actors.iran.cost_sensitivity")
    assert f"audience cost {audience:g} (the file's)" in keys
    assert f"the flagship (cost sensitivity {sensitivity:g})" in keys


def test_exercise_5_key_is_what_validate_prints(tmp_path):
    """Question 1's key is the output of the command the question describes, run now on the misspelled file."""
    text = (ROOT / "docs" / "exercises" / "my-crisis.yaml").read_text()
    bad = tmp_path / "my-crisis.yaml"
    bad.write_text(text.replace("capability: 0.4", "capabilty: 0.4", 1))
    r = subprocess.run(
        [sys.executable, "-m", "redline", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    lines = (r.stdout + r.stderr).strip().replace(str(bad), "FILE").splitlines()
    assert r.returncode == 2 and len(lines) == 2  # the misspelled key and the key it was meant to be
    keys = (ROOT / "docs" / "exercises" / "keys.md").read_text()
    assert f"with `capabilty`: exit status 2: {' '.join(f'`{line}`' for line in lines)}" in keys


def test_exercise_5_key_checks_the_check_the_question_asks_for():
    question = (ROOT / "docs" / "exercises" / "05-design-your-own-scenario.md").read_text()
    added = _make_keys().ANSWERS_CHECK
    name = re.search(r"Add a check named `([^`]+)`", question).group(1)
    assert f"name: {name}" in added
    for part in re.findall(r"`((?:count|statistic|expect): [^`]+)`", question.split("2. Add a check")[1]):
        assert part in added, part
