"""The evidence base, as package data (`redline.seeds`): one YAML file per source, its claims paraphrased."""
