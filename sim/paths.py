"""Where the shipped data lives: the project's seeds/ and scenarios/ folders."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCENARIOS = ROOT / "scenarios"
LADDERS = SCENARIOS / "ladders"
