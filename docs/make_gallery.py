"""Regenerate the pictures of docs/gallery.md (docs/img/gallery-*.png) and the README's sweep heatmap, with the
`redline` command itself, from the flagship scenario.

    python docs/make_gallery.py

Runs the demo's ensemble (200 runs, root seed 20231007), the same with an instructor's inject, the comparison with
the "never strikes back" variant, the README's sweep and a small Morris screening, each into a temporary folder,
and copies their PNGs here. About two minutes on two cores.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from redline.frontends.cli import main
from redline.results.outputs import write_atomic

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "axis-2023.yaml"
NO_RETALIATION = ROOT / "scenarios" / "axis-2023-no-us-retaliation.yaml"
IMG = ROOT / "docs" / "img"
RUN = ["--runs", "200", "--seed", "20231007", "-q"]
INJECT = "2023-12-01:iran:israel:threat"
GRID = [  # the README's sweep
    "--param",
    "relations.supports:iran:iraqi_militias.control=0.2:1:5",
    "--param",
    "actors.iran.cost_sensitivity=0.4:1:4",
    "--runs",
    "20",
    "--seed",
    "1",
    "--outcome",
    "check: militia attacks in the three weeks after that strike, over the eight weeks before",
    "-q",
]
MORRIS = [
    "--design",
    "morris",
    "--samples",
    "4",
    "--param",
    "relations.supports:iran:iraqi_militias.control=0.2:1",
    "--param",
    "actors.iran.cost_sensitivity=0.4:1",
    "--param",
    "actors.usa.resolve=0.3:0.9",
    "--runs",
    "10",
    "--seed",
    "1",
    "-q",
]


def redline(*args: str | Path) -> None:
    status = main([str(a) for a in args])
    if status != 0:
        sys.exit(f"redline {' '.join(map(str, args))}: exit status {status}")


def copy(src: Path, name: str) -> None:
    write_atomic(IMG / name, src.read_bytes())
    print(f"docs/img/{name}")


def build() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        redline("run", FLAGSHIP, *RUN, "--out", t / "run")
        for name in ("timeline", "attacks", "outcomes", "network"):
            copy(t / "run" / f"{name}.png", f"gallery-{name}.png")
        redline("run", FLAGSHIP, *RUN, "--inject", INJECT, "--out", t / "inject")
        redline("plot", t / "inject", "--dyads", "iran:israel,usa:iraqi_militias")
        copy(t / "inject" / "timeline.png", "gallery-timeline-inject.png")
        redline("compare", FLAGSHIP, NO_RETALIATION, *RUN, "--out", t / "compare")
        copy(t / "compare" / "compare.png", "gallery-compare.png")
        redline("sweep", FLAGSHIP, *GRID, "--out", t / "sweep")
        copy(t / "sweep" / "heatmap.png", "gallery-heatmap.png")
        copy(t / "sweep" / "heatmap.png", "sweep-heatmap.png")  # the README's
        redline("sweep", FLAGSHIP, *MORRIS, "--out", t / "morris")
        copy(t / "morris" / "sensitivity.png", "gallery-sensitivity.png")


if __name__ == "__main__":
    build()
