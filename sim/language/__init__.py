"""The scenario language: a YAML file in, a frozen Scenario out.

spec (the scenario's objects, frozen dataclasses), scenario (loading: `extends`, `--set` overrides, injects),
yamlio and typed (reading YAML with every value's file and line, and checking it against the objects' types),
schema (the JSON Schema of a scenario file), evidence (the claims of seeds/ that values cite), reference (the
scenario language's reference page), paths (finding a scenario by name or file).
Nothing here imports the agents, the engine or what follows them.
"""
