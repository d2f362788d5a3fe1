"""Summaries of timing samples: mean, median and 95th percentile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, mean, p50 and p95 of one series of milliseconds."""

    count: int
    mean: float
    p50: float
    p95: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """The summary of `values`; all zeros when there are none."""
        if not values:
            return cls(0, 0.0, 0.0, 0.0)
        array = np.asarray(values, dtype=np.float64)
        p50, p95 = np.percentile(array, [50, 95])
        return cls(len(array), float(array.mean()), float(p50), float(p95))

    def to_json(self) -> dict[str, float | int]:
        """Rounded to microseconds, for the `--json` file."""
        return {
            "count": self.count,
            "mean": round(self.mean, 3),
            "p50": round(self.p50, 3),
            "p95": round(self.p95, 3),
        }
