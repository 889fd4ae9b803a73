"""redline's Mesa agents: the actors and the doctrines that decide what they do."""

from redline.builds import current

# Compiled where it can be (setup.py), but only as a build of the source beside it.
current(__name__, "weighing")
