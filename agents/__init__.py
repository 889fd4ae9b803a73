"""redline's Mesa agents: the actors and the doctrines that decide what they do."""
