"""A scripted game of `redline play` writes tables that `redline plot` and `redline debrief` read."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd

from redline import load_scenario
from redline.play import play

from .conftest import FLAGSHIP

MOVES = "help\nusa threat\nbogus war\nisrael threat; usa sanction\n\nisrael show_of_force\nquit\n"


def test_scripted_game_is_saved_like_a_run(cli, tmp_path):
    out = tmp_path / "game"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline.cli",
            "play",
            str(FLAGSHIP),
            "--as",
            "iran",
            "--seed",
            "4",
            "--out",
            str(out),
        ],
        input=MOVES,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "'bogus' is not another actor" in r.stdout and "rungs, lowest first" in r.stdout
    ev = pd.read_parquet(out / "events.parquet")
    mine = ev[ev["cause"] == "player"]
    assert list(zip(mine["step"], mine["target"], mine["action"], strict=True)) == [
        (0, "usa", "threat"),
        (1, "israel", "threat"),
        (1, "usa", "sanction"),
        (3, "israel", "show_of_force"),
    ]
    assert set(ev["run"]) == {0} and (ev["source"] != "iran").any()
    (out / "timeline.png").unlink()
    assert cli("plot", out)[0] == 0 and (out / "timeline.png").is_file()
    assert cli("debrief", out, "--quiet")[0] == 0


def test_same_seed_and_moves_replay_the_game():
    scn = load_scenario(FLAGSHIP)
    a = play(scn, "hezbollah", 9, io.StringIO("israel limited_strike\n" * 5), io.StringIO())
    b = play(scn, "hezbollah", 9, io.StringIO("israel limited_strike\n" * 5), io.StringIO())
    pd.testing.assert_frame_equal(a.events, b.events)
    assert ((a.events["source"] == "hezbollah") & (a.events["cause"] == "player")).sum() == 5


def test_unknown_actor_is_a_clear_error(cli, tmp_path):
    status, _, err = cli("play", FLAGSHIP, "--as", "irann", "--out", tmp_path / "g")
    assert status == 2 and "no such actor" in err and not (tmp_path / "g").exists()
