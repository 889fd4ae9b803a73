"""Bounds on what one command may be asked to do, each stated in `--help` and in the error that enforces it.

They keep a typo (`--runs 2000000`, a grid of `0:1:100000000`) from turning into hours of work or a machine out of
memory; the file-level bounds (size, nesting, text length, dates) live with the loader, in redline.language.yamlio and
redline.language.typed.
"""

MAX_RUNS = 100_000  # runs of one ensemble: the flagship's 200 take seconds, this many about an hour
MAX_WORKERS = 256  # worker processes; never more than the work, whatever is asked
MAX_SAMPLES = 10_000  # samples of an lhs, sobol or morris design
MAX_POINTS = 10_000  # points of one sweep: a grid's product, or a design's samples times its multiplier
MAX_SWEEP_RUNS = 1_000_000  # points times replications
