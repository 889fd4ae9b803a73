"""The relation network: typed, directed, weighted edges between actors, indexed for the per-step loop."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from sim.language import Attributes, BackChannel, Guarantees, Relation, Supports


class RelationNetwork:
    """All relations of a scenario, with the look-ups the model makes each step precomputed."""

    def __init__(self, relations: tuple[Relation, ...]):
        self.relations = relations
        self._clients: dict[str, list[Supports]] = defaultdict(list)
        self._patrons: dict[str, list[Supports]] = defaultdict(list)
        self._guarantors: dict[str, list[Guarantees]] = defaultdict(list)
        self._blame: dict[tuple[str, str], list[Attributes]] = defaultdict(
            list
        )  # (target, attacker) -> relations
        self._channel: dict[tuple[str, str], float] = {}  # both orders: looked up per action and per step
        self._hostile_to: dict[str, list[str]] = defaultdict(list)
        for r in relations:
            match r:
                case Supports():
                    self._clients[r.source].append(r)
                    self._patrons[r.target].append(r)
                case Guarantees():
                    self._guarantors[r.target].append(r)
                case Attributes():
                    for client in r.via:
                        self._blame[(r.source, client)].append(r)
                case BackChannel():
                    for pair in ((r.source, r.target), (r.target, r.source)):
                        self._channel[pair] = max(self._channel.get(pair, 0.0), r.level)
                case _ if r.type == "hostile":
                    self._hostile_to[r.target].append(r.source)

    def clients_of(self, patron: str) -> list[Supports]:
        return self._clients.get(patron, [])

    def patrons_of(self, client: str) -> list[Supports]:
        return self._patrons.get(client, [])

    def guarantors_of(self, protected: str) -> list[Guarantees]:
        return self._guarantors.get(protected, [])

    def blamed_for(self, target: str, attacker: str) -> list[Attributes]:
        """The attribution relations by which `target` may blame someone else for `attacker`'s action."""
        return self._blame.get((target, attacker), [])

    def channel(self, a: str, b: str) -> float:
        """How well the back channel between a and b works (0 if there is none)."""
        return self._channel.get((a, b), 0.0)

    def hostile_to(self, actor: str) -> list[str]:
        return self._hostile_to.get(actor, [])

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx graph (edges carry the relation as `relation`)."""
        g = nx.MultiDiGraph()
        for r in self.relations:
            g.add_edge(r.source, r.target, key=r.type, relation=r)
        return g
