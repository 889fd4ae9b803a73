"""Play one actor in the terminal, turn by turn, while the model plays the others.

Each turn the player sees what was done to and around its actor last step, then chooses its actions on the ladder
(or passes). The player's own doctrines still perceive (red lines, learning) but do not decide. The game is saved as
a results folder with one run, so `redline plot` and `redline debrief` work on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import TextIO

from redline.agents.actions import Action
from redline.language import Scenario
from redline.model import EscalationModel

PLAYER = "player"  # the cause written for the player's actions


class PlayedModel(EscalationModel):
    """The escalation model with one actor's decisions taken by `choose(model) -> [(target, rung id), ...]`."""

    def __init__(self, scenario: Scenario, player: str, choose: Callable[[PlayedModel], list[tuple[str, str]]],
                 *, rng=None):  # fmt: skip
        super().__init__(scenario, rng=rng)
        self.player = player
        self.choose = choose

    def decide(self) -> None:
        for target, rung in self.choose(self):
            self.act(Action(self.player, target, self.rungs.index[rung], PLAYER))
        self.agents.select(lambda a: a.aid != self.player).do("decide")


def last_step_lines(m: EscalationModel, player: str) -> Iterator[str]:
    """What happened last step that touched the player (by it, to it, or blamed on it), like actions together."""
    ev, ids = m.events, m.rungs.ids
    seen: Counter[tuple[str, str, str, str, str]] = Counter()
    deaths: Counter[tuple[str, str, str, str, str]] = Counter()
    for i in range(len(ev["step"])):
        if ev["step"][i] != m.t - 1 or player not in (
            ev["source"][i],
            ev["target"][i],
            ev["attributed_to"][i],
        ):
            continue
        key = (ev["source"][i], ev["target"][i], ids[ev["rung"][i]], ev["cause"][i], ev["attributed_to"][i])
        seen[key] += 1
        deaths[key] += ev["casualties"][i]
    for (src, tgt, rung, cause, blamed), n in seen.items():
        extra = (
            f", {deaths[(src, tgt, rung, cause, blamed)]:g} killed"
            if deaths[(src, tgt, rung, cause, blamed)]
            else ""
        )
        extra += f", blamed on {blamed}" if blamed else ""
        yield f"  {src} -> {tgt}: {rung}{f' x{n}' if n > 1 else ''} ({cause}{extra})"


def terminal_chooser(player: str, stdin: TextIO, stdout: TextIO) -> Callable[[PlayedModel], list]:
    """Ask the player for its moves on stdin: `TARGET RUNG; TARGET RUNG`, `pass`, `help` or `quit`."""
    quit_game = False

    def choose(m: PlayedModel) -> list[tuple[str, str]]:
        nonlocal quit_game
        date = m.spec.time.date_of(m.t)
        me = m.actor(player)
        print(f"\n== Week {m.t + 1} of {m.spec.time.steps}, from {date} ==", file=stdout)
        lines = list(last_step_lines(m, player))
        print("Last week:" if lines else "Last week: nothing touched you.", file=stdout)
        for line in lines:
            print(line, file=stdout)
        grudges = ", ".join(
            f"{k} {v:.1f}" for k, v in sorted(me.grievance.items(), key=lambda kv: -kv[1]) if v >= 0.05
        )
        print(f"Your capability {me.capability:.2f}; grievance: {grudges or 'none'}", file=stdout)
        while not quit_game:
            print("Your move (TARGET RUNG[; TARGET RUNG...], 'pass', 'help', 'quit'): ", end="", file=stdout)
            stdout.flush()
            line = stdin.readline()
            if not line:  # end of input: the player passes from now on
                quit_game = True
                break
            text = line.strip()
            if text in ("", "pass"):
                return []
            if text == "quit":
                quit_game = True
                break
            if text == "help":
                print(f"  targets: {', '.join(a for a in m.actors if a != player)}", file=stdout)
                print(f"  rungs, lowest first: {', '.join(m.rungs.ids)}", file=stdout)
                continue
            moves, problems = [], []
            for part in text.split(";"):
                words = part.split()
                if len(words) != 2:
                    problems.append(f"'{part.strip()}': write TARGET RUNG")
                elif words[0] not in m.actors or words[0] == player:
                    problems.append(f"'{words[0]}' is not another actor (try 'help')")
                elif words[1] not in m.rungs.index:
                    problems.append(f"'{words[1]}' is not a rung (try 'help')")
                else:
                    moves.append((words[0], words[1]))
            if not problems:
                return moves
            print("  " + "; ".join(problems), file=stdout)
        return []

    return choose


def play(scn: Scenario, player: str, seed: int, stdin: TextIO, stdout: TextIO, source: dict | None = None):
    """Play a whole game and return it as Results with one run (run 0, seeded like run 0 of `redline run`)."""
    from redline.ensemble import versions
    from redline.results import Results, today
    from redline.runner import collect, run_seeds

    (run_seed,) = run_seeds(seed, 1)
    started = today()
    m = PlayedModel(scn, player, terminal_chooser(player, stdin, stdout), rng=run_seed)
    print(
        f"You are {scn.actors[player].label or player} in '{scn.title}'. Type 'help' for targets and rungs.",
        file=stdout,
    )
    m.run()
    manifest = {
        "scenario": {"name": scn.scenario, **(source or {})},
        "root_seed": seed,
        "runs": 1,
        "played_by": player,
        "versions": versions(),
        "started": started,
        "finished": today(),
    }
    return Results.from_chunks(scn, [collect([(0, run_seed, m)])], manifest)
