"""The callbacks the core takes from its callers (the Processing glue, tests, benchmarks).

Progress is a fraction of the work done, 0.0 to 1.0, everywhere in the core; the glue
scales it onto QGIS's 0-100 (``feedback.setProgress(100 * fraction)``).
"""

from __future__ import annotations

from typing import Callable, Dict

ProgressCallback = Callable[[float], None]  # the fraction done, 0.0 .. 1.0
CancelCheck = Callable[[], bool]  # True: stop now, write nothing
LogCallback = Callable[[str], None]  # a line for the user's log
EpochCallback = Callable[[Dict[str, float]], None]  # one training epoch's figures
