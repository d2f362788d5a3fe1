"""CPU time and resident memory of this process (all threads), via psutil."""

from __future__ import annotations

import psutil


class ResourceProbe:
    """Reads this process's CPU seconds and RSS; CPU % is CPU seconds per wall second × 100."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.peak_rss_mb = 0.0

    def cpu_seconds(self) -> float:
        """User plus system CPU seconds so far, over all threads."""
        times = self._process.cpu_times()
        return float(times.user + times.system)

    def rss_mb(self) -> float:
        """Resident set size now, in MiB; also updates `peak_rss_mb`."""
        rss = self._process.memory_info().rss / (1024 * 1024)
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        return float(rss)
