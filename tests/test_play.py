"""A scripted game of `redline play` writes tables that `redline plot` and `redline debrief` read."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from redline import load_scenario
from redline.frontends.play import play

from .conftest import FLAGSHIP

MOVES = "help\nusa threat\nbogus war\nisrael threat; usa sanction\npass\nisrael show_of_force\nquit\n"


def test_scripted_game_is_saved_like_a_run(cli, tmp_path):
    out = tmp_path / "game"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline",
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


def _game(player: str, moves: str, seed: int = 4, injects=()):
    out = io.StringIO()
    res = play(load_scenario(FLAGSHIP, injects=list(injects)), player, seed, io.StringIO(moves), out)
    return res, out.getvalue()


def test_the_model_makes_no_choice_for_the_player():
    """A US player that always passes: no US action but the scenario's own events, no guarantee engaged for it;
    the same run unplayed has the US act for many causes, so the test could fail."""
    from redline.engine.model import EscalationModel
    from redline.engine.runner import run_seeds

    res, text = _game("usa", "pass\n" * 26)
    mine = res.events[res.events["source"] == "usa"]
    assert set(mine["cause"]) <= {"scheduled", "inject"}
    assert "your guarantee of Israel is engaged" in text
    (seed,) = run_seeds(4, 1)
    free = EscalationModel(load_scenario(FLAGSHIP), rng=seed).run().events
    causes = {c for s, c in zip(free["source"], free["cause"], strict=True) if s == "usa"}
    assert {"guarantee", "retaliation"} <= causes


def test_orders_to_clients_are_the_players():
    """Iran's clients feel no pressure from Iran unless the player presses them, and then they do."""
    idle, _ = _game("iran", "pass\n" * 26)
    pressed, _ = _game("iran", "press iraqi_militias\n" * 26)
    assert not ((idle.events["source"] == "iran") & (idle.events["cause"] == "pressure")).any()

    def felt(res):
        me = res.metrics
        return me[me["actor"] == "iraqi_militias"]["pressure"]

    assert (felt(idle) == 0).all() and (felt(pressed) > 0).all()
    orders = pressed.events[
        (pressed.events["source"] == "iran") & (pressed.events["target"] == "iraqi_militias")
    ]
    assert set(orders["cause"]) == {"player"} and len(orders) == 26


def test_each_turn_shows_the_situation_thresholds_and_options():
    _, text = _game("israel", "pass\npass\nquit\n")
    first = text.split("== Week 2 of 26")[0]
    assert "== Week 1 of 26 (step 0), from 2023-10-07 ==" in first
    assert "Hamas -> Israel: major strike, 1200 killed" in first and "nothing touched you" not in first
    assert "past 1 the model's actors are stirred to act" in first
    assert re.search(r"Hamas\s+\d+\.\d\d\s+above 1", first)
    assert "Your partners:" in text
    assert "toward Iran:" in first and "toward Hamas:" in first
    # Iran's red line is its territory struck at a limited strike or above: Israel's options say so.
    iran = first.split("toward Iran:")[1].split("toward")[0]
    assert re.search(r"limited_strike\s+answer: crosses its red line: expect major strike", iran)
    assert re.search(r"show_of_force\s+answer: in kind\n", iran)
    # Uses of force carry the cost the model's actors weigh for mounting them, growing with the rung's reach.
    costs = [float(x) for x in re.findall(r"of mounting force (\d+\.\d\d)", iran)]
    assert len(costs) >= 2 and costs == sorted(costs) and costs[0] < costs[-1]


def test_quit_ends_the_game_and_saves_the_steps_played(cli, tmp_path):
    out = tmp_path / "game"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline",
            "play",
            str(FLAGSHIP),
            "--as",
            "iran",
            "--out",
            str(out),
        ],
        input="pass\nusa threat\nquit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(" (step ") == 3 + 1  # no later step is shown; the last is told again at the end
    ev, me = pd.read_parquet(out / "events.parquet"), pd.read_parquet(out / "metrics.parquet")
    assert ev["step"].max() == 2 and sorted(set(me["step"])) == [0, 1, 2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["time"]["steps"] == 3 and manifest["ended"] == "quit after step 2"
    assert "was played by a person (quit after step 2)" in (out / "summary.md").read_text()
    status, text, _ = cli("debrief", out)
    assert status == 0 and "Week 3 of 26 (step 2), from" in text and "(step 3)" not in text


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("isrel threat", "'isrel' is not another actor (did you mean 'israel'?)"),
        ("usa thret", "'thret' is not a rung (did you mean 'threat'?)"),
        ("pas", "'pas' is not a command (did you mean 'pass'?)"),
        ("press hezbolah", "'hezbolah' is not a client of yours (did you mean 'hezbollah'?)"),
        ("israel", "'israel': name a rung too, e.g. 'israel statement'"),
        ("quit now", "'quit now': write quit alone on its line"),
        ("usa threat; help", "'help': write help alone on its line"),
        ("israel threat warned", "'threat warned': only a strike that kills can be warned (harassment, "),
    ],
)
def test_typos_get_the_closest_word(typed, hint):
    _, text = _game("iran", f"{typed}\nquit\n")
    assert hint in text


def test_a_step_goes_by_only_when_the_player_says_so():
    """An empty line asks again (a player pressing Enter loses no step); 'pass;' is a pass; the game then ends by
    telling the last step and the run's outcome."""
    res, text = _game("iran", "\n\npass;\nquit\n")
    assert text.count("an empty line does nothing: type 'pass'") == 2
    assert text.count("== Week ") == 2 and int(res.runs["run"].count()) == 1
    assert "is not a command" not in text
    ending = text.split("== Game over: Week 2 of 26 (step 1) was the last played ==")[1]
    assert "In the last step:" in ending and "Highest rung reached:" in ending
    had = [o for o in ("iran_us_clash", "hezbollah_israel_war", "iran_israel_clash") if res.runs[o].iloc[0]]
    assert f"The scenario's outcomes this game had: {', '.join(had) or 'none'} (of " in ending


class _Interrupted(io.StringIO):
    """Moves typed, then Ctrl-C at the prompt."""

    def readline(self, *args):
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_at_the_prompt_keeps_the_game_as_played():
    out = io.StringIO()
    res = play(load_scenario(FLAGSHIP), "iran", 4, _Interrupted("pass\nusa threat\n"), out)
    assert "(interrupted)" in out.getvalue() and res.manifest["ended"] == "quit after step 2"
    assert sorted(set(res.metrics["step"])) == [0, 1, 2]
    mine = res.events[res.events["cause"] == "player"]
    assert list(zip(mine["step"], mine["action"], strict=True)) == [(1, "threat")]


def test_a_warned_strike_is_told_as_warned():
    res, text = _game("iran", "israel limited_strike warned\nquit\n")
    mine = res.events[res.events["cause"] == "player"]
    assert list(mine["manner"]) == ["warned"]
    assert re.search(r"Iran -> Israel: limited strike, warned", text)


def test_the_players_offer_of_calm_eases_the_targets_grievance():
    """The US strikes the Houthis, then offers calm (the ladder's de-escalation rung) or does nothing: with the
    same seed the Houthis hold less against the US after the offer, as they would after a model actor's."""
    from redline.frontends.play import PlayedModel

    scn = load_scenario(FLAGSHIP)

    def grievance(second_move: list) -> float:
        orders = [[("houthis", "limited_strike", "surprise")], second_move]
        m = PlayedModel(scn, "usa", lambda m: orders[m.t] if m.t < len(orders) else [], rng=1)
        m.step()
        assert m.actor("houthis").grievance.get("usa", 0.0) > 0  # the strike left something to ease
        m.step()
        return m.actor("houthis").grievance.get("usa", 0.0)

    offered, idle = grievance([("houthis", "de_escalate", "surprise")]), grievance([])
    assert 0 < offered < idle


def test_the_player_sees_its_credit_after_a_blow_beyond_its_grievance():
    """A US player that strikes Iran, which has not struck the US, holds credit with Iran (docs/model.md, "Grievance
    and credit"), and its standing says so; one that only passes holds none."""
    _, struck = _game("usa", "iran limited_strike\n" + "pass\n" * 25)
    _, idle = _game("usa", "pass\n" * 26)
    assert "credit (your uses of force beyond your grievance" in struck
    lines = struck.splitlines()
    first = next(i for i, line in enumerate(lines) if "credit (" in line)
    assert lines[first + 1].split()[0] == "Iran"
    assert "credit (" not in idle
