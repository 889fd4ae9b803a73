"""An actor as a Mesa agent: what registers it in the model's agent set.

The actor itself (redline.agents.actor.Actor: what it holds and how it chooses) is a plain class, so that a
compiler can make it native; the Mesa agent holds it, so that Mesa's agent set (`model.agents`) has every actor:

    model.agents.select(lambda agent: agent.actor.spec.kind == "state")
"""

from __future__ import annotations

import mesa

from redline.agents.actor import Actor


class ActorAgent(mesa.Agent):
    def __init__(self, model: mesa.Model, actor: Actor):
        super().__init__(model)
        self.actor = actor
