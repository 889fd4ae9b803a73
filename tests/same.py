"""Assertions that two results say the same, shared by the tests of the aggregates and of the plots that read
them."""

from __future__ import annotations

import numpy as np
import pandas as pd


def assert_same_aggregates(joined, whole) -> None:
    """Two Aggregates hold the same figures: those joined from parts, and those of all the events at once."""
    assert joined.runs == whole.runs
    for field in ("hostile", "peak", "force", "force_runs"):  # widths may differ by trailing empty columns
        a, b = getattr(joined, field), getattr(whole, field)
        assert a.keys() == b.keys()
        for key in a:
            w = max(a[key].shape[-1], b[key].shape[-1])
            pad = [(0, 0)] * (a[key].ndim - 1)
            np.testing.assert_array_equal(
                np.pad(a[key], [*pad, (0, w - a[key].shape[-1])]),
                np.pad(b[key], [*pad, (0, w - b[key].shape[-1])]),
                err_msg=f"{field} {key}",
            )
    pd.testing.assert_frame_equal(joined.dyads, whole.dyads)
    pd.testing.assert_frame_equal(joined.given, whole.given)
