"""redline's Mesa agents: the actors and the doctrines that decide what they do."""

from redline.builds import current

# Compiled where it can be (setup.py), with the other modules of its group, but only as builds of the sources beside
# them (redline.builds: the first call decides for the group, before any other of its modules is imported).
current(__name__, "weighing")
