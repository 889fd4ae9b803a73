"""The engine: a Scenario's actors stepped through time, and many runs of it.

model (the Mesa model: one run; mesa_import imports Mesa for it), escalation (what happens in its steps, which the
model holds), network (the relations, indexed), draws (a run's random numbers), runner (runs in chunks on worker
processes or a Dask cluster, and their rows as columns), executors and dask_worker (where the runs go), heap (how
the processes that run them hold their memory), tables (the tables' columns and types), aggregates (what each run
comes to, summed across runs), resolving and counts (the plain loops of resolving actions and of drawing counts).
The escalation, draws, resolving and counts are compiled where they can be, with the agents. It imports the language
and the agents (redline.agents), never the results or the front ends.
"""

from redline.builds import current

# Compiled where they can be (setup.py), with the other modules of their group, but only as builds of the sources
# beside them (redline.builds: the first call decides for the group, before any other of its modules is imported).
current(__name__, "resolving")
current(__name__, "counts")
