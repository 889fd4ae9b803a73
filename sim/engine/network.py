"""The relation network: typed, directed, weighted edges between actors, indexed for the per-step loop."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from redline.language.spec import (
    Allied,
    Attributes,
    BackChannel,
    Guarantees,
    Hostile,
    Hosts,
    Relation,
    Supports,
)


class RelationNetwork:
    """All relations of a scenario, with the look-ups the model makes each step precomputed."""

    def __init__(self, relations: tuple[Relation, ...]):
        self.relations = relations
        self._clients: dict[str, list[Supports]] = defaultdict(list)
        self._patrons: dict[str, list[Supports]] = defaultdict(list)
        self._guarantors: dict[str, list[Guarantees]] = defaultdict(list)
        self._blame: dict[tuple[str, str], list[Attributes]] = defaultdict(
            list
        )  # (blamer, doer) -> relations
        self._attributions: dict[str, list[Attributes]] = defaultdict(list)
        self._channel: dict[tuple[str, str], float] = {}  # both orders: looked up per action and per step
        self._via: dict[tuple[str, str], str] = {}  # both orders: the mediator a channel runs through
        self._mediated: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._hostile_to: dict[str, list[str]] = defaultdict(list)
        self._hostility: dict[str, dict[str, float]] = defaultdict(dict)
        self._allies: dict[str, list[Allied]] = defaultdict(
            list
        )  # partner -> relations of those standing with it
        self._hosts: dict[str, list[Hosts]] = defaultdict(list)  # guest -> its hosts
        for r in relations:
            match r:
                case Supports():
                    self._clients[r.source].append(r)
                    self._patrons[r.target].append(r)
                case Guarantees():
                    self._guarantors[r.target].append(r)
                case Attributes():
                    self._attributions[r.source].append(r)
                    for doer in r.via:
                        self._blame[(r.source, doer)].append(r)
                case BackChannel():
                    for pair in ((r.source, r.target), (r.target, r.source)):
                        self._channel[pair] = max(self._channel.get(pair, 0.0), r.level)
                        if r.via:
                            self._via[pair] = r.via
                    if r.via:
                        self._mediated[r.via].append((r.source, r.target))
                case Hostile():
                    self._hostile_to[r.target].append(r.source)
                    self._hostility[r.source][r.target] = r.level
                case Allied():
                    self._allies[r.target].append(r)
                case Hosts():
                    self._hosts[r.target].append(r)

    def clients_of(self, patron: str) -> list[Supports]:
        return self._clients.get(patron, [])

    def patrons_of(self, client: str) -> list[Supports]:
        return self._patrons.get(client, [])

    def guarantors_of(self, protected: str) -> list[Guarantees]:
        return self._guarantors.get(protected, [])

    def blamed_for(self, blamer: str, doer: str) -> list[Attributes]:
        """The attribution relations by which `blamer` may hold someone else responsible for what `doer` does."""
        return self._blame.get((blamer, doer), [])

    def blames(self) -> list[tuple[tuple[str, str], list[Attributes]]]:
        """Every (blamer, doer) pair with the attribution relations by which the blamer holds someone else
        responsible for what the doer does."""
        return list(self._blame.items())

    def attributions(self, actor: str) -> list[Attributes]:
        return self._attributions.get(actor, [])

    def channel(self, a: str, b: str) -> float:
        """How well the back channel between a and b works (0 if there is none)."""
        return self._channel.get((a, b), 0.0)

    def via(self, a: str, b: str) -> str | None:
        """The mediator the channel between a and b runs through, if any."""
        return self._via.get((a, b))

    def mediated(self) -> set[tuple[str, str]]:
        """The pairs (both orders) whose back channel runs through a mediator."""
        return set(self._via)

    def mediated_by(self, mediator: str) -> list[tuple[str, str]]:
        return self._mediated.get(mediator, [])

    def hostile_to(self, actor: str) -> list[str]:
        return self._hostile_to.get(actor, [])

    def hostility(self, actor: str) -> dict[str, float]:
        """The actors `actor` is hostile to, with the level of its hostility."""
        return self._hostility.get(actor, {})

    def allies_of(self, partner: str) -> list[Allied]:
        """The relations of those who stand with `partner`."""
        return self._allies.get(partner, [])

    def hosts_of(self, guest: str) -> list[Hosts]:
        return self._hosts.get(guest, [])

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx graph (edges carry the relation as `relation`)."""
        g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for r in self.relations:
            g.add_edge(r.source, r.target, key=r.type, relation=r)
        return g
