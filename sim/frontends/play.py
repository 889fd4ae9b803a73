"""Play one actor in the terminal, turn by turn, while the model plays the others.

The player's actor is handed over entirely: the model makes no choice for it. Its doctrines still perceive and
conclude (red lines expire, grievance fades, beliefs follow what it sees) and its material support still flows to
its clients, but it neither decides, nor reacts within a step, nor engages its guarantees, nor presses its clients:
every order is the player's. Each turn the player sees what happened since its last move to it, its partners and
its adversaries, its grievance, credit and fear against the thresholds that move the model's actors, and its options
toward each adversary with the answer they are likely to bring; a step goes by only on the player's word (`pass`),
not on an empty line. `quit` (or the end of input, or Ctrl-C at the prompt) ends the game: the player is told the
last step and the run's outcome, and the game is saved as a results folder with one run and the steps played, so
`redline plot` and `redline debrief` work on it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TextIO

from redline.agents.actions import DE_ESCALATION, SURPRISE, WARNED, Action
from redline.agents.actor import crossing
from redline.agents.doctrines import press
from redline.engine.model import EscalationModel
from redline.frontends.plotstyle import step_heading, step_name
from redline.language.spec import Scenario
from redline.language.typed import suggest

PLAYER = "player"  # the cause written for the player's actions
COMMANDS = ("pass", "help", "quit", "press")
Move = tuple[str, str, str]  # (verb or target, rung or client, manner or target): see PlayedModel.decide


class PlayedModel(EscalationModel):
    """The escalation model with one actor's choices taken by `choose(model)`, which returns moves: `(target, rung
    id, manner)` for an action, `("press", client, target or "")` for pressure on a client. `over` ends the game
    after the step in which it is set. The player's actor perceives and concludes like any other, and its support
    keeps flowing to its clients; it chooses nothing itself (Actor.played), and the guarantees it gives are the
    player's to honour (`engaged`: (protected, attacker) each)."""

    def __init__(
        self, scenario: Scenario, player: str, choose: Callable[[PlayedModel], list[Move]], *, rng=None
    ):
        super().__init__(scenario, rng=rng)
        self.choose = choose
        self.over = False
        self.escalation.hand_over(player, self.moves)  # `player` and `engaged` are the escalation's

    def moves(self) -> None:
        """The player's moves of this step, as actions of its actor."""
        for verb, what, how in self.choose(self):
            if verb == "press":
                self.press(what, how or None)
            else:
                rung = self.rungs.index[what]
                # One action on the step's first day; a per-day rung (war) lasts the whole step.
                days = float(self.end - self.day) if self.rungs.per_day[rung] else 1.0
                # An offer of calm is the model's de-escalation whoever makes it: the same cause, so that the
                # target's grievance eases as it would for a model actor's offer.
                cause = DE_ESCALATION if rung == self.rungs.de_escalate else PLAYER
                action = Action(self.player, verb, rung, cause, manner=how, days=days, decided=self.day)
                self.act(action)

    def press(self, client: str, target: str | None) -> None:
        """The player presses a client to stop attacking `target` (all its adversaries, if None) this step, as a
        patron's pressure doctrine would (redline.agents.doctrines.press)."""
        me = self.actors[self.player]
        rel = next(r for r in self.network.clients_of(self.player) if r.target == client)
        doctrine = me.spec.doctrine.pressure
        # Without a pressure doctrine the scenario sets no limit to how hard the actor presses: the player's order
        # is given in full (strength 1), and the client's autonomy and dependence alone temper it.
        strength = doctrine.strength if doctrine is not None else 1.0
        targets = [target] if target else list(self.actors[client].hostile_targets())
        press(me, rel, targets, strength, PLAYER)

    def run(self) -> PlayedModel:
        """Play until the scenario's last step, or until the player quits (the step it quits in is finished)."""
        while int(self.time) < self.spec.time.steps and not self.over:
            self.step()
        return self


# --- what the player sees -----------------------------------------------------------------------------------------


class View:
    """What the player's actor knows, as lines of text: the news since its last move, its standing, its options."""

    def __init__(self, m: PlayedModel, player: str):
        self.m = m
        self.player = player
        self.rows = 0  # events already shown
        self.crossings = 0  # red lines already shown
        self.engaged = 0

    def name(self, aid: str) -> str:
        return self.m.spec.actors[aid].label or aid if aid in self.m.spec.actors else aid

    def partners(self) -> list[str]:
        """Clients, patrons, allies, the actors it guarantees and its guarantors, in the scenario's order."""
        net, me = self.m.network, self.player
        tied = {r.target for r in net.clients_of(me)} | {r.source for r in net.patrons_of(me)}
        tied |= {r.source for r in net.allies_of(me)}
        for r in self.m.spec.relations:
            if r.type in ("allied", "guarantees") and me in (r.source, r.target):
                tied |= {r.source, r.target}
        return [a for a in self.m.actors if a in tied and a != me]

    def adversaries(self) -> list[str]:
        return [a for a in self.m.actor(self.player).adversaries() if a in self.m.actors]

    def news(self) -> Iterator[str]:
        """What happened since the player's last move (this step's scheduled events included), by whom it
        touched: the player, its partners, its adversaries."""
        m, ev = self.m, self.m.events
        ids = m.rungs.ids
        new = range(self.rows, len(ev["step"]))
        self.rows = len(ev["step"])
        partners, adversaries = set(self.partners()), set(self.adversaries())
        sections: dict[str, Counter] = {"you": Counter(), "partners": Counter(), "adversaries": Counter()}
        deaths: Counter = Counter()
        for i in new:
            src, tgt, blamed = ev["source"][i], ev["target"][i], ev["attributed_to"][i]
            if self.player in (src, tgt, blamed):
                where = "you"
            elif src in partners or tgt in partners:
                where = "partners"
            elif src in adversaries or tgt in adversaries:
                where = "adversaries"
            else:
                continue
            key = (src, tgt, ids[ev["rung"][i]], ev["cause"][i], blamed, ev["manner"][i])
            sections[where][key] += 1
            deaths[key] += ev["casualties"][i]
        titles = {
            "you": "By you and to you",
            "partners": "Your partners",
            "adversaries": "Your adversaries",
        }
        for where, seen in sections.items():
            if not seen:
                continue
            yield f"  {titles[where]}:"
            for key, n in seen.items():
                src, tgt, rung, cause, blamed, manner = key
                extra = ", warned" if manner == WARNED else ""
                extra += f", {deaths[key]:g} killed" if deaths[key] else ""
                extra += f", blamed on {self.name(blamed)}" if blamed else ""
                why = "" if cause == PLAYER else f" ({cause.replace('_', ' ')})"
                yield (
                    f"    {self.name(src)} -> {self.name(tgt)}: {rung.replace('_', ' ')}"
                    f"{f' x{n}' if n > 1 else ''}{extra}{why}"
                )
        for _, holder, crossers, *_ in m.red_lines[self.crossings :]:
            if self.player in (holder, *crossers) or holder in partners:
                who = ", ".join(self.name(c) for c in crossers)
                yield f"  ! {self.name(holder)}'s red line crossed by {who}"
        self.crossings = len(m.red_lines)
        for protected, attacker in m.engaged[self.engaged :]:
            yield (
                f"  ! your guarantee of {self.name(protected)} is engaged by {self.name(attacker)}'s strike: "
                "nothing is done unless you order it"
            )
        self.engaged = len(m.engaged)

    def standing(self) -> Iterator[str]:
        """Capability; grievance, credit and fear against the thresholds that move the model's actors; red lines."""
        m, me = self.m, self.m.actor(self.player)
        yield f"  capability {me.capability:.2f} (at the start {me.spec.capability:.2f})"
        heat = m.HEAT
        held = sorted(((v, k) for k, v in me.grievance.items() if v >= 0.05), reverse=True)
        yield (
            f"  grievance (harm you hold against each; past {heat:g} the model's actors are stirred to act, "
            "and the motive grows with log(1 + grievance)):"
        )
        if not held:
            yield "    none"
        for v, k in held:
            bar = "#" * min(30, round(10 * v / heat)) if v < 3 * heat else "#" * 30 + "+"
            yield f"    {self.name(k):<22} {v:6.2f}  {'above' if v >= heat else 'below'} {heat:g}  {bar}"
        owed = sorted(((v, k) for k, v in me.credit.items() if v >= 0.05), reverse=True)
        if owed:
            yield (
                "  credit (your uses of force beyond your grievance; a blow from them no heavier than this settles "
                "the account: no grievance, and no red line of yours or your allies' binds you):"
            )
            for v, k in owed:
                yield f"    {self.name(k):<22} {v:6.2f}"
        pressure = me.spec.doctrine.pressure
        threshold = pressure.fear_threshold if pressure is not None else None
        fears = [(me.fear_of(a), a) for a in self.adversaries()]
        if fears:
            yield (
                "  fear of each adversary (its resolve as you see it x the strength that would answer x your cost "
                "sensitivity)"
                + (
                    f"; your doctrine's threshold for pressing clients: {threshold:g}"
                    if threshold is not None
                    else ""
                )
                + ":"
            )
            for f, a in sorted(fears, reverse=True):
                mark = "" if threshold is None else ("  above" if f >= threshold else "  below")
                yield f"    {self.name(a):<22} {f:6.2f}{mark}"
        lines = me.spec.doctrine.red_lines
        if lines is not None:
            parts = []
            if lines.own_territory_struck:
                parts.append(f"your territory struck at {lines.min_rung.replace('_', ' ')} or above")
            if lines.casualties_above is not None:
                parts.append(f"more than {lines.casualties_above:g} of your people killed in one action")
            if lines.allies_struck:
                parts.append(f"a strike on {', '.join(self.name(a) for a in lines.allies_struck)}")
            yield f"  your red lines: {'; '.join(parts)} (audience cost {lines.audience_cost:g})"
            for who, deadline in me.commitments.items():
                when = m.date(int(deadline))
                yield (
                    f"    crossed by {self.name(who)}: answer with force by {when} or others believe less "
                    "in your resolve"
                )
        patrons = [(me.pressure.get(a, 0.0), a) for a in self.adversaries() if me.pressure.get(a, 0.0) > 0]
        for cost, a in patrons:
            yield f"  your patrons press you about {self.name(a)}: each use of force on it costs {cost:.2f} x its reach"

    def options(self, target: str) -> Iterator[str]:
        """The rungs the player's actor has toward `target`, each with the answer it is likely to bring and the
        other costs the model's actors weigh: at home, from patrons' pressure, and of mounting force."""
        m, me = self.m, self.m.actor(self.player)
        rungs = m.rungs
        stakes = me.weigh(target)
        seen = me.resolve_seen.get(target, 0.5)
        lines = m.red_lines_of(target)
        force_cost = m.behaviour.force_cost * me.spec.cost_sensitivity
        yield (
            f"  toward {self.name(target)}: its resolve as you see it {seen:.2f}; the strength that would answer "
            f"{me.answer_strength(target, -1):.2f} against yours {me.capability:.2f}"
        )
        if stakes.commitment:
            ask = next(
                (rungs.ids[i] for i in range(rungs.top + 1) if rungs.reach[i] >= stakes.answer_reach), ""
            )
            yield f"    your red line asks an answer: {ask.replace('_', ' ')} or above honours it in full"
        for o in rungs.options:
            if o.rung > stakes.max_rung:
                break
            if o.manner != SURPRISE:  # one line a rung: a warned strike is the same rung with fewer deaths
                continue
            r = o.rung
            p = crossing(lines, r, o.deaths * me.capability) if lines is not None else 0.0
            up = rungs.ids[min(r + 1, rungs.top)].replace("_", " ")
            if p >= 0.995:
                answer = f"crosses its red line: expect {up}"
            elif p >= 0.005:
                answer = f"{p:.0%} chance to cross its red line (then {up}), else in kind"
            else:
                answer = "in kind"
            if me.answer_strength(target, r) > me.answer_strength(target, -1):
                answer += ", and its guarantors join"
            costs = []
            if r > stakes.comfort:
                costs.append(f"at home {stakes.domestic * (r - stakes.comfort):.2f}")
            if o.force:
                if stakes.pressure:
                    costs.append(f"your patrons' pressure {stakes.pressure * o.reach:.2f}")
                costs.append(f"of mounting force {force_cost * (0.5 + o.reach):.2f}")
            rest = f"; {', '.join(costs)}" if costs else ""
            yield f"    {rungs.ids[r]:<15} answer: {answer}{rest}"
        if stakes.max_rung < rungs.top:
            yield f"    (nothing above {rungs.ids[stakes.max_rung]}: your means do not reach further)"


class Terminal:
    """The player at a terminal: each step shows the situation and asks for moves on stdin (`TARGET RUNG [warned]`,
    `press CLIENT [TARGET]`, several separated by ';', `pass`, `help` or `quit`); `ending` tells how the game
    ended."""

    def __init__(self, player: str, stdin: TextIO, stdout: TextIO) -> None:
        self.player, self.stdin, self.stdout = player, stdin, stdout
        self.view: View | None = None

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def read(self) -> str | None:
        """A line typed by the player, or None when it ends the game: the end of input, or Ctrl-C at the prompt
        (the game is kept as played, not lost)."""
        self.stdout.flush()
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            self.say("\n(interrupted)")
            return None
        return line or None

    def __call__(self, m: PlayedModel) -> list[Move]:
        say = self.say
        if self.view is None:
            self.view = View(m, self.player)
        view = self.view
        time = m.spec.time
        say(f"\n== {step_heading(time.step, m.t, time.steps, time.date_of(m.t))} ==")
        news = list(view.news())
        say("Since your last move:" if news else "Since your last move: nothing touched you or yours.")
        for line in news:
            say(line)
        say("Where you stand:")
        for line in view.standing():
            say(line)
        say("Your options and the answers they are likely to bring:")
        for target in view.adversaries():
            for line in view.options(target):
                say(line)
        while True:
            print(
                "Your move (TARGET RUNG [warned]; press CLIENT; 'pass', 'help', 'quit'): ",
                end="",
                file=self.stdout,
            )
            typed = self.read()
            # ';' ends a move: a line of one move may end with it, or only hold it
            text = typed.strip().strip(";").strip() if typed is not None else "quit"
            if text == "quit":
                m.over = True
                say("\nThe game ends after this step (the others still act in it); it is saved as played.")
                return []
            if text == "pass":
                return []
            if text == "help":
                say(help_text(m, self.player))
                continue
            if not text:  # a step is let go only when the player says so
                say("  an empty line does nothing: type 'pass' to let this step go by, or 'help'")
                continue
            moves, problems = parse_moves(m, self.player, text)
            if not problems:
                return moves
            say("  " + "; ".join(problems))

    def ending(self, m: PlayedModel, outcome: dict) -> None:
        """What happened in the last step played, and how the game ended: the run's peak, force and deaths, and
        the scenario's named outcomes it had."""
        say = self.say
        last = int(m.time) - 1
        say(f"\n== Game over: {step_name(m.spec.time.step, last, m.spec.time.steps)} was the last played ==")
        news = list(self.view.news()) if self.view is not None else []
        say("In the last step:" if news else "In the last step: nothing touched you or yours.")
        for line in news:
            say(line)
        mine = sum(1 for src, rung in zip(m.events["source"], m.events["rung"], strict=True)
                   if src == self.player and m.rungs.mid[rung] >= 4)  # fmt: skip
        peak = outcome["peak_rung"] if isinstance(outcome["peak_rung"], str) else "none"
        say(
            f"Highest rung reached: {peak}; uses of force: {outcome['attacks']} (yours: {mine}); "
            f"deaths: {outcome['deaths']:g}."
        )
        named = [o.name for o in m.spec.outcomes]
        if named:
            had = [name for name in named if outcome.get(name)]
            say(f"The scenario's outcomes this game had: {', '.join(had) or 'none'} (of {', '.join(named)}).")


def terminal_chooser(player: str, stdin: TextIO, stdout: TextIO) -> Terminal:
    """The moves of a player at a terminal (a Terminal: PlayedModel's `choose`)."""
    return Terminal(player, stdin, stdout)


def help_text(m: PlayedModel, player: str) -> str:
    others = [a for a in m.actors if a != player]
    clients = [r.target for r in m.network.clients_of(player)]
    return "\n".join(
        [
            f"  targets: {', '.join(others)}",
            f"  rungs, lowest first: {', '.join(m.rungs.ids)}",
            "  TARGET RUNG acts once this step (a war lasts the step); add 'warned' to a strike to warn its targets:"
            " fewer deaths, less resolve shown.",
            f"  press CLIENT [TARGET]: make attacks cost your client this step (yours: {', '.join(clients) or 'none'})",
            "  Your support keeps flowing to your clients; nothing else is done for you, not even a guarantee.",
            "  Several moves: separate them with ';'. 'pass' does nothing; 'quit' ends and saves the game.",
        ]
    )


def parse_moves(m: PlayedModel, player: str, text: str) -> tuple[list[Move], list[str]]:
    """The moves a line asks for, and one problem per part it cannot read (with the closest word it knows)."""
    others = [a for a in m.actors if a != player]
    clients = [r.target for r in m.network.clients_of(player)]
    moves: list[Move] = []
    problems: list[str] = []
    warnable = {(o.rung, o.manner) for o in m.rungs.options if o.manner == WARNED}
    for part in text.split(";"):
        words = part.split()
        if not words:
            continue
        if words[0] == "press":
            if len(words) not in (2, 3):
                problems.append(f"'{part.strip()}': write press CLIENT [TARGET]")
            elif words[1] not in clients:
                problems.append(f"'{words[1]}' is not a client of yours{suggest(words[1], clients)}")
            elif len(words) == 3 and words[2] not in m.actors:
                problems.append(f"'{words[2]}' is not an actor{suggest(words[2], others)}")
            else:
                moves.append(("press", words[1], words[2] if len(words) == 3 else ""))
            continue
        if words == ["pass"]:
            continue
        if words[0] in COMMANDS:
            problems.append(f"'{part.strip()}': write {words[0]} alone on its line")
            continue
        if len(words) == 1:
            if words[0] in others:
                example = f"{words[0]} {m.rungs.ids[m.rungs.lowest_hostile]}"
                problems.append(f"'{words[0]}': name a rung too, e.g. '{example}' ('help' lists them)")
            else:
                problems.append(f"'{words[0]}' is not a command{suggest(words[0], [*COMMANDS, *others])}")
            continue
        if len(words) > 3 or (len(words) == 3 and words[2] not in (WARNED, SURPRISE)):
            problems.append(f"'{part.strip()}': write TARGET RUNG [warned]")
            continue
        target, rung = words[0], words[1]
        if target not in others:
            problems.append(f"'{target}' is not another actor{suggest(target, others)}")
        elif rung not in m.rungs.index:
            problems.append(f"'{rung}' is not a rung{suggest(rung, m.rungs.ids)}")
        else:
            top = m.actor(player).weigh(target).max_rung
            if m.rungs.index[rung] > top:
                problems.append(
                    f"'{rung}': your means reach no higher than {m.rungs.ids[top]} toward {target}"
                )
            elif len(words) == 3 and words[2] == WARNED and (m.rungs.index[rung], WARNED) not in warnable:
                kinds = ", ".join(m.rungs.ids[r] for r, _ in sorted(warnable)) or "none on this ladder"
                problems.append(f"'{rung} warned': only a strike that kills can be warned ({kinds})")
            else:
                moves.append((target, rung, words[2] if len(words) == 3 else SURPRISE))
    return moves, problems


def play(scn: Scenario, player: str, seed: int, stdin: TextIO, stdout: TextIO, source: dict | None = None):
    """Play a game and return it as Results with one run (run 0, seeded like run 0 of `redline run`) and the steps
    played: all of them, or those up to the one the player quit in."""
    from redline.engine.runner import collect, run_seeds
    from redline.results.ensemble import versions
    from redline.results.store import Results, today

    (run_seed,) = run_seeds(seed, 1)
    started = today()
    terminal = terminal_chooser(player, stdin, stdout)
    m = PlayedModel(scn, player, terminal, rng=run_seed)
    print(
        f"You are {scn.actors[player].label or player} in '{scn.title}'. Type 'help' for targets, rungs and "
        "orders.",
        file=stdout,
    )
    m.run()
    played = int(m.time)
    ended = f"quit after step {played - 1}" if played < scn.time.steps else "played to the end"
    manifest = {
        "scenario": {"name": scn.scenario, **(source or {})},
        "root_seed": seed,
        "runs": 1,
        "played_by": player,
        "ended": ended,
        "versions": versions(),
        "started": started,
        "finished": today(),
    }
    # The tables hold the steps played; the results say so, so that plots and debriefs end where the game did.
    played_scn = dataclasses.replace(scn, time=dataclasses.replace(scn.time, steps=played))
    res = Results.from_chunks(played_scn, [collect([(0, run_seed, m)])], manifest)
    # ... and how many the scenario has, so that its debrief counts the weeks as the game did ("Week 2 of 26").
    res.facts["time"]["of"] = scn.time.steps
    terminal.ending(m, res.runs.iloc[0].to_dict())
    return res
