"""Results: what an ensemble or a sweep of runs comes to, in memory or in a folder.

store (Results: an ensemble's tables, their outcomes and facts), chunks and parts (runs saved as they finish, and
joined), ensemble (run_ensemble, stream_ensemble), sweep and sweep_store (sweeps over parameters), analysis and
checks (named outcomes, stylized facts against their bands), summary (summary.md), outputs (writing a folder or a
file all at once, or not at all), robustness, levers.
It imports the engine and the language, never the front ends.
"""
