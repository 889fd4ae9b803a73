"""The benchmark's bigger world is the flagship k times over, with no relation between copies."""

from __future__ import annotations

import sys

from redline import load_scenario
from redline.engine.model import EscalationModel

from .conftest import FLAGSHIP, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from worlds import copies


def test_copies_are_disjoint_and_run():
    small = load_scenario(FLAGSHIP)
    big = copies(small, 32)
    assert len(big.actors) == 320 and len(big.relations) == 32 * len(small.relations)
    assert all(r.source.rsplit("_", 1)[1] == r.target.rsplit("_", 1)[1] for r in big.relations)
    assert big.actors["iran_3"].doctrine.learning.about == ("usa_3",)
    m = EscalationModel(copies(small, 2), rng=1).run()
    pairs = {
        (s.rsplit("_", 1)[1], t.rsplit("_", 1)[1])
        for s, t in zip(m.events["source"], m.events["target"], strict=True)
    }
    assert pairs == {("0", "0"), ("1", "1")}
