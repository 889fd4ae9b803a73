"""The command line: what each command writes, and one line with exit status 2 for bad input."""

from __future__ import annotations

import json
import os

import pytest

from .conftest import TINY


def test_help_explains_every_command(cli):
    _, out, _ = cli("--help")
    for command in ("validate", "describe", "run", "plot", "seeds", "schema"):
        assert command in out


def test_run_writes_tables_manifest_summary_and_plots(cli, tmp_path):
    out = tmp_path / "o"
    status, _, err = cli("run", TINY, "--runs", 6, "--seed", 2, "--out", out, "--quiet", "--workers", 1)
    assert status == 0, err
    names = {p.name for p in out.iterdir()}
    assert {"events.parquet", "metrics.parquet", "runs.parquet", "manifest.json", "summary.md"} <= names
    assert len({n for n in names if n.endswith(".png")}) >= 4
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 2 and manifest["runs"] == 6 and manifest["scenario"]["name"] == "tiny"
    assert "| war |" in (out / "summary.md").read_text()
    os.remove(out / "timeline.png")
    assert cli("plot", out)[0] == 0 and (out / "timeline.png").exists()


def test_run_without_plots_writes_the_rest_and_plot_draws_the_same_pictures_later(cli, tmp_path):
    """`--no-plots` leaves out the PNG files alone: the tables are the same bytes, the summary the same
    but its list of plots, and `redline plot` draws from the tables the pictures the run would have drawn."""
    args = ("run", TINY, "--runs", 6, "--seed", 2, "--workers", 1)
    status, _, err = cli(*args, "--out", tmp_path / "with", "--quiet")
    assert status == 0, err
    status, said, err = cli(*args, "--out", tmp_path / "without", "--no-plots")
    assert status == 0, err
    assert "--no-plots" in said and f"redline plot {tmp_path / 'without'}" in said
    drawn = sorted(p.name for p in (tmp_path / "with").glob("*.png"))
    assert len(drawn) == 4 and not list((tmp_path / "without").glob("*.png"))
    for name in ("events.parquet", "metrics.parquet", "runs.parquet", "red_lines.parquet"):
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes(), name
    summary = (tmp_path / "with" / "summary.md").read_text()
    assert (tmp_path / "without" / "summary.md").read_text() == summary.split("\n\n## Plots", 1)[0] + "\n"
    assert cli("plot", tmp_path / "without")[0] == 0
    for name in drawn:
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--runs", "0"], "--runs: must be at least 1"),
        (["--seed", "-3"], "--seed: must be between 0"),
        (["--runs", "many"], "not a whole number"),
        (["--set", "actors.patron.capabilty=0.3"], "did you mean 'capability'"),
        (["--format", "xlsx"], "invalid choice"),
    ],
)
def test_bad_run_flags_give_one_line_and_status_2(cli, tmp_path, args, needle):
    status, _, err = cli("run", TINY, "--out", tmp_path / "o", "--quiet", *args)
    assert status == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_run_refuses_an_existing_folder_and_an_unwritable_one(cli, tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "precious").write_text("x")
    status, _, err = cli("run", TINY, "--out", tmp_path / "o", "--quiet", "--runs", 2)
    assert status == 2 and "--force" in err and (tmp_path / "o" / "precious").exists()
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        status, _, err = cli("run", TINY, "--out", locked / "o", "--quiet", "--runs", 2)
        assert status == 2 and "cannot write" in err
    finally:
        locked.chmod(0o700)


def test_run_to_a_path_under_a_file_fails_cleanly(cli, tmp_path):
    (tmp_path / "file").write_text("x")
    status, _, err = cli("run", TINY, "--out", tmp_path / "file" / "o", "--quiet", "--runs", 2)
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_plot_of_a_folder_that_is_not_results(cli, tmp_path):
    status, _, err = cli("plot", tmp_path)
    assert status == 2 and "manifest.json" in err


def test_validate_and_describe(cli, tmp_path):
    assert cli("validate", TINY)[0] == 0
    status, out, _ = cli("describe", TINY, "--out", tmp_path)
    assert status == 0 and "patron" in out and (tmp_path / "network.png").stat().st_size > 10_000
    # the relations with their numbers: how far the rival blames the patron, and how much that blame weighs
    assert "rival --attributes--> patron           attacks by client, p=0.5, weight 1" in out


def test_schema_is_json(cli):
    status, out, _ = cli("schema")
    assert status == 0 and json.loads(out)["title"] == "redline scenario"


def test_inject_adds_an_event_checked_like_the_file(cli, tmp_path):
    from redline import load_scenario

    s = load_scenario(TINY, injects=["2024-02-05:patron:rival:limited_strike"])
    assert [(e.at.isoformat(), e.source, e.action) for e in s.events][-1] == (
        "2024-02-05",
        "patron",
        "limited_strike",
    )
    status, _, err = cli(
        "run",
        TINY,
        "--runs",
        2,
        "--out",
        tmp_path / "o",
        "--quiet",
        "--inject",
        "2024-02-05:patron:rivl:limited_strike",
        "--inject",
        "2030-01-01:patron:rival:war",
        "--inject",
        "nonsense",
    )
    assert status == 2 and not (tmp_path / "o").exists()
    lines = err.strip().splitlines()
    assert lines[0].startswith("--inject:1: events.1.target: unknown actor 'rivl'")
    assert any(x.startswith("--inject:2: events.2.at:") and "outside" in x for x in lines)
    assert any(x.startswith("--inject:3:") and "DATE:SOURCE:TARGET:ACTION" in x for x in lines)
    assert (
        cli(
            "run",
            TINY,
            "--runs",
            2,
            "--out",
            tmp_path / "ok",
            "--quiet",
            "--inject",
            "2024-02-05:patron:rival:limited_strike",
        )[0]
        == 0
    )
    import pandas as pd

    ev = pd.read_parquet(tmp_path / "ok" / "events.parquet")
    assert (
        (ev["source"] == "patron") & (ev["cause"] == "inject") & (ev["action"] == "limited_strike")
    ).sum() == 2


def test_seeds_names_an_unknown_actor_with_the_closest_one(cli):
    status, out, err = cli("seeds", "--actor", "irn")
    assert status == 2 and out == ""
    assert err.strip() == "redline seeds: --actor irn: no claim names this actor (did you mean 'iran'?)"
    status, out, _ = cli("seeds", "--actor", "iran", "--kind", "red_line")
    assert status == 0 and "red_line" in out


def test_describe_never_writes_into_another_commands_results(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("run", TINY, "--runs", 1, "--out", "out/tiny", "--quiet", "--workers", 1)[0] == 0
    drawn = (tmp_path / "out" / "tiny" / "network.png").read_bytes()
    status, _, err = cli("describe", TINY)
    assert status == 0, err
    assert (tmp_path / "out" / "describe-tiny" / "network.png").is_file()
    for extra in ([], ["--force"]):
        status, _, err = cli("describe", TINY, "--out", "out/tiny", *extra)
        assert status == 2 and err.startswith(
            "redline describe: out/tiny/network.png: is inside the redline output"
        )
    assert (tmp_path / "out" / "tiny" / "network.png").read_bytes() == drawn


def _help(cli, *command: str) -> str:
    status, out, _ = cli(*command, "--help")
    assert status == 0
    return " ".join(out.split())


@pytest.mark.parametrize("command", ["run", "check", "compare", "robustness", "sweep", "play"])
def test_every_seed_flag_shows_its_default(cli, command):
    assert "--seed SEED root seed (default 0)" in _help(cli, command)


def test_flags_of_one_meaning_share_one_metavar(cli):
    """Counts are N, output folders DIR, results folders RESULTS, in every command; a flag that takes a value
    names it (or lists its choices)."""
    from redline.frontends.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    seen: dict[str, set[str]] = {}
    for sub in commands.values():
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and action.nargs != 0:
                    assert action.metavar or action.choices, flag
                    seen.setdefault(flag, set()).add(action.metavar or "")
    for flag in ("--runs", "--workers", "--samples", "--top", "--run"):
        assert seen[flag] == {"N"}, (flag, seen[flag])
    assert seen["--seed"] == {"SEED"}
    assert seen["--out"] <= {"DIR", "FILE"}
    assert "RESULTS" in _help(cli, "debrief") and "RESULTS" in _help(cli, "plot")


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        (["run", TINY, "--runs", "0", "--out", "x"], "redline run: "),
        (["check", "EMPTY"], "redline check: "),
        (["seeds", "--actor", "nobody"], "redline seeds: "),
        (["describe", TINY, "--out", "sentinel"], "redline describe: "),
        (["debrief", "nowhere"], "redline debrief: "),
        (
            ["sweep", TINY, "--param", "actors.patron.capability=0.1,0.2", "--out", "sentinel"],
            "redline sweep: ",
        ),
    ],
)
def test_every_error_line_names_its_command(cli, tmp_path, monkeypatch, args, prefix):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sentinel").write_text("x")
    (tmp_path / "EMPTY").write_text(TINY.read_text().split("checks:")[0])
    status, _, err = cli(*args)
    assert status == 2 and err.startswith(prefix), err
    assert all(line.startswith(prefix) for line in err.strip().splitlines())


def test_counts_are_in_words(cli, tmp_path):
    status, out, _ = cli("run", TINY, "--runs", 1, "--out", tmp_path / "o", "--workers", 1, "--no-plots")
    assert status == 0 and "1 run of tiny" in out and "1 runs" not in out
    summary = (tmp_path / "o" / "summary.md").read_text()
    assert "1 run from root seed" in summary and "1 runs" not in summary
    from redline.words import plural

    assert [plural(n, "run") for n in (0, 1, 2, 1000)] == ["0 runs", "1 run", "2 runs", "1,000 runs"]
